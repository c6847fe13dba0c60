/* Guest image loading: read a file, detect its format by content (never by name), and
 * place it in guest RAM through the bus. Errors name the file and the reason. */
#ifndef VM_LOAD_LOADER_H
#define VM_LOAD_LOADER_H

#include "core/types.h"
#include "mem/bus.h"

typedef enum image_format {
    IMG_UNKNOWN,
    IMG_RAW,
    IMG_ELF64,
    IMG_ELF32,
    IMG_LINUX_RISCV,   /* RISC-V Linux Image (Documentation/arch/riscv/boot-image-header.rst) */
    IMG_LINUX_ARM64,   /* arm64 Linux Image (Documentation/arch/arm64/booting.rst) */
    IMG_BZIMAGE,       /* x86 boot protocol (Documentation/arch/x86/boot.rst) */
    IMG_MULTIBOOT,
    IMG_ISO9660,
    IMG_GZIP,
} image_format;

typedef struct file_buf {
    const char *path;
    uint8_t *data;
    size_t size;
} file_buf;

typedef struct loaded_image {
    image_format format;
    gpa_t entry;
    gpa_t low, high;          /* guest-physical range occupied: [low, high) */
} loaded_image;

/* ELF e_machine values */
#define EM_X86_64  62
#define EM_AARCH64 183
#define EM_RISCV   243

/* Read a whole file. Missing / unreadable / empty files are errors naming the path. */
bool file_read(const char *path, file_buf *out, vm_error *err);
void file_free(file_buf *f);

image_format image_detect(const uint8_t *data, size_t size);
const char *image_format_name(image_format f);

/* ELF64 of the given machine: PT_LOAD segments at p_paddr, entry = e_entry. */
bool load_elf(bus *b, const file_buf *f, uint16_t machine, loaded_image *out, vm_error *err);
/* The value of a symbol in an ELF64's symbol table; false if the file has no well-formed
 * symbol table or no such symbol (never an error: symbols are optional). */
bool elf_find_symbol(const file_buf *f, const char *name, uint64_t *value);
/* Raw binary copied to `addr`; entry = addr. */
bool load_raw(bus *b, const file_buf *f, gpa_t addr, loaded_image *out, vm_error *err);
/* RISC-V Linux Image: placed at ram_base + text_offset (2 MiB by default). */
bool load_riscv_image(bus *b, const file_buf *f, gpa_t ram_base, loaded_image *out,
                      vm_error *err);

/* Copy a blob (initrd, dtb) to `addr`; it must fit in RAM. */
bool load_blob(bus *b, const file_buf *f, gpa_t addr, vm_error *err);

#endif
