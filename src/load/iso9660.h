/* Read-only ISO9660 file system reader (ECMA-119 2nd ed., cited "ECMA-119 §x"; Rock Ridge
 * RRIP 1.12 over SUSP 1.12, cited "RRIP §x" / "SUSP §x"; Joliet, Microsoft's 1995
 * specification). The image is read through a callback a few sectors at a time, so a
 * 700 MB installer ISO is never read whole. Everything in the image is untrusted: every
 * extent is checked against the image size, directory sizes and path depth are bounded,
 * and Rock Ridge symbolic links are followed a bounded number of times. */
#ifndef VM_LOAD_ISO9660_H
#define VM_LOAD_ISO9660_H

#include "load/loader.h"

#define ISO_SECTOR 2048u
#define ISO_MAX_EXTENTS 64u       /* multi-extent file parts (ECMA-119 §6.5.1) */
#define ISO_MAX_NAME 256u         /* RRIP names are at most 255 bytes; Joliet 64 UCS-2 */
#define ISO_MAX_DEPTH 64u         /* path components, symlink expansions included */
#define ISO_MAX_SYMLINKS 8u
#define ISO_MAX_DIR_SIZE (16 * MiB)

/* Read `len` bytes at `off` of the image; false (with err set) on a host I/O error or a
 * read past the end. */
typedef bool (*iso_read_fn)(void *opaque, uint64_t off, void *buf, size_t len, vm_error *err);

typedef enum iso_names {
    ISO_NAMES_PLAIN,        /* ECMA-119 identifiers: ";1" and a trailing "." dropped */
    ISO_NAMES_JOLIET,       /* the Joliet supplementary tree, UCS-2 names as UTF-8 */
    ISO_NAMES_ROCK_RIDGE,   /* the primary tree with RRIP NM names */
} iso_names;

typedef struct iso9660 {
    iso_read_fn read;
    void *opaque;
    int fd;                 /* iso9660_open_file's descriptor, -1 otherwise */
    const char *path;       /* for messages */
    uint64_t size;          /* image bytes */
    iso_names names;        /* the naming this reader uses (the richest available) */
    uint32_t root_lba, root_size;  /* root directory of the tree in use */
    unsigned susp_skip;     /* SUSP §5.3 SP: bytes skipped in each System Use field */
    char volume_id[33];
} iso9660;

typedef struct iso_extent {
    uint32_t lba;
    uint32_t size;
} iso_extent;

typedef struct iso_file {
    bool is_dir;
    uint64_t size;                       /* the sum of the extents */
    unsigned nextents;
    iso_extent ext[ISO_MAX_EXTENTS];
} iso_file;

/* Open an image behind a read callback: find the primary volume descriptor (and a Joliet
 * supplementary one) in the descriptor set from sector 16, and pick the naming: Rock Ridge
 * when the root directory carries SUSP SP / RRIP entries, else Joliet, else plain. A
 * missing or corrupt descriptor is an error naming the image and what is wrong. */
bool iso9660_open(iso9660 *iso, iso_read_fn read, void *opaque, uint64_t size,
                  const char *path, vm_error *err);
/* The same over a file (pread on a descriptor iso9660_close closes). */
bool iso9660_open_file(iso9660 *iso, const char *path, vm_error *err);
void iso9660_close(iso9660 *iso);

/* Look up an absolute or relative-to-root path ("/install.amd/vmlinuz"). Components are
 * matched exactly first, then case-insensitively (ASCII), so "/ISOLINUX/ISOLINUX.CFG" and
 * "/isolinux/isolinux.cfg" both work on plain ISO9660 names. Rock Ridge symbolic links
 * (RRIP §4.1.3) are followed, at most ISO_MAX_SYMLINKS times; relocated directories
 * (RRIP §4.1.5 CL) are followed to their real place. Returns 1 found, 0 not found,
 * -1 on a corrupt image (err names the image and the problem). */
int iso9660_lookup(iso9660 *iso, const char *path, iso_file *out, vm_error *err);

/* Read [off, off+len) of a file, across its extents. Reading past the end is an error. */
bool iso9660_read(iso9660 *iso, const iso_file *f, uint64_t off, void *buf, size_t len,
                  vm_error *err);

/* Read a whole file into a file_buf named `name` (which must outlive it; free with
 * file_free). Files larger than `max` bytes are an error. */
bool iso9660_read_file(iso9660 *iso, const iso_file *f, const char *name, size_t max,
                       file_buf *out, vm_error *err);

/* Call `fn` for each entry of a directory (not "." and ".."), with its name in the
 * reader's naming. Returns false on a corrupt directory; `fn` returning false stops. */
typedef bool (*iso_dir_fn)(void *ctx, const char *name, const iso_file *f);
bool iso9660_list(iso9660 *iso, const iso_file *dir, iso_dir_fn fn, void *ctx, vm_error *err);

#endif
