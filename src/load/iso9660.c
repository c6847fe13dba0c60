/* ISO9660 reader (see iso9660.h). Directory records are parsed from one sector at a time
 * (ECMA-119 §6.8.1.1: a record never crosses a sector boundary); every length inside a
 * record is checked against the record, every record against its sector. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load/iso9660.h"
#include "core/bytes.h"

#define VD_START 16u             /* ECMA-119 §6.2.1: system area is sectors 0-15 */
#define VD_MAX 64u               /* descriptors read before giving up on a terminator */
#define VD_PRIMARY 1
#define VD_SUPPLEMENTARY 2
#define VD_TERMINATOR 255
#define DR_MIN 34u               /* ECMA-119 §9.1: fixed part + 1-byte identifier */
#define DR_FLAG_DIR 0x02u
#define DR_FLAG_MULTI 0x80u      /* ECMA-119 §9.1.6 bit 7: not the final record */
#define SUSP_MAX_CE 16u          /* continuation areas followed per record */
#define SYMLINK_MAX 1024u

/* ---- reading the image ---- */

static bool fd_read(void *opaque, uint64_t off, void *buf, size_t len, vm_error *err)
{
    iso9660 *iso = opaque;
    uint8_t *p = buf;
    while (len) {
        ssize_t n = pread(iso->fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            vm_error_set(err, "%s: read error at offset %llu: %s", iso->path,
                         (unsigned long long)off, n < 0 ? strerror(errno) : "end of file");
            return false;
        }
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return true;
}

static bool rd(iso9660 *iso, uint64_t off, void *buf, size_t len, vm_error *err)
{
    if (off > iso->size || len > iso->size - off) {
        vm_error_set(err, "%s: corrupt ISO9660 image: read of %zu bytes at %llu past the end "
                          "of the %llu-byte image", iso->path, len, (unsigned long long)off,
                     (unsigned long long)iso->size);
        return false;
    }
    return iso->read(iso->opaque, off, buf, len, err);
}

static bool extent_ok(iso9660 *iso, uint32_t lba, uint64_t size, vm_error *err)
{
    uint64_t start = (uint64_t)lba * ISO_SECTOR;
    if (start > iso->size || size > iso->size - start) {
        vm_error_set(err, "%s: corrupt ISO9660 image: extent at sector %u of %llu bytes lies "
                          "past the end of the image", iso->path, lba,
                     (unsigned long long)size);
        return false;
    }
    return true;
}

/* ---- directory records ---- */

typedef struct dir_rec {
    uint32_t lba, size;
    uint8_t flags;
    const uint8_t *id;
    unsigned id_len;
    const uint8_t *su;          /* System Use field (ECMA-119 §9.1.13) */
    unsigned su_len;
} dir_rec;

static bool parse_rec(iso9660 *iso, const uint8_t *r, unsigned avail, dir_rec *out,
                      vm_error *err)
{
    unsigned len = r[0];
    if (len < DR_MIN || len > avail) {
        vm_error_set(err, "%s: corrupt ISO9660 directory record (length %u, %u bytes left in "
                          "its sector)", iso->path, len, avail);
        return false;
    }
    if (33u + r[32] > len) {
        vm_error_set(err, "%s: corrupt ISO9660 directory record (length %u, identifier "
                          "length %u)", iso->path, len, r[32]);
        return false;
    }
    if (r[26] || r[27]) {
        vm_error_set(err, "%s: interleaved ISO9660 files (unit size %u, gap %u) are not "
                          "supported", iso->path, r[26], r[27]);
        return false;
    }
    /* ECMA-119 §9.1.2: the extended attribute record precedes the data. */
    out->lba = le32_get(r + 2) + r[1];
    out->size = le32_get(r + 10);
    out->flags = r[25];
    out->id_len = r[32];
    out->id = r + 33;
    unsigned su = 33 + r[32] + ((r[32] & 1) ? 0 : 1);   /* §9.1.12 padding byte */
    out->su = r + (su < len ? su : len);
    out->su_len = su < len ? len - su : 0;
    return true;
}

/* Everything about one logical directory entry (the records of a multi-extent file are
 * merged into one). */
typedef struct entry {
    char name[ISO_MAX_NAME * 3 + 1];   /* Joliet names grow to 3 UTF-8 bytes a char */
    uint8_t raw[256];                   /* the ECMA-119 identifier, to merge extents */
    unsigned raw_len;
    iso_file f;
    bool symlink, relocated, has_cl;
    uint32_t cl_lba;
    char target[SYMLINK_MAX];
} entry;

/* ---- Rock Ridge (SUSP / RRIP) ---- */

typedef struct rr_state {
    char nm[ISO_MAX_NAME];
    size_t nm_len;
    bool has_nm, nm_done;
    char sl[SYMLINK_MAX];
    size_t sl_len;
    bool sl_open;              /* the previous SL component continues */
    bool sl_done;
    bool has_sl, has_re, has_cl, has_sp;
    uint32_t cl_lba;
    unsigned sp_skip;
} rr_state;

static bool sl_append(rr_state *s, const char *p, size_t n)
{
    if (n >= sizeof s->sl - s->sl_len)
        return false;
    memcpy(s->sl + s->sl_len, p, n);
    s->sl_len += n;
    s->sl[s->sl_len] = 0;
    return true;
}

/* RRIP §4.1.3.1: SL component records. */
static bool parse_sl(rr_state *s, const uint8_t *d, unsigned n)
{
    s->has_sl = true;
    for (unsigned i = 0; i + 2 <= n;) {
        uint8_t fl = d[i], cl = d[i + 1];
        if (i + 2u + cl > n)
            return false;
        if (s->sl_len && !s->sl_open && !(s->sl_len == 1 && s->sl[0] == '/'))
            if (!sl_append(s, "/", 1))
                return false;
        bool ok = true;
        if (fl & 0x02)
            ok = sl_append(s, ".", 1);
        else if (fl & 0x04)
            ok = sl_append(s, "..", 2);
        else if (fl & 0x08)
            ok = s->sl_len == 0 ? sl_append(s, "/", 1) : true;
        else
            ok = sl_append(s, (const char *)d + i + 2, cl);
        if (!ok)
            return false;
        s->sl_open = fl & 0x01;
        i += 2u + cl;
    }
    return true;
}

/* Walk the SUSP entries of a System Use field, following CE continuation areas. */
static bool susp_walk(iso9660 *iso, const uint8_t *su, unsigned len, rr_state *s,
                      vm_error *err)
{
    uint8_t cont[ISO_SECTOR];
    unsigned ces = 0;
    for (;;) {
        bool have_ce = false;
        uint32_t ce_lba = 0, ce_off = 0, ce_len = 0;
        for (unsigned i = 0; i + 4 <= len;) {
            const uint8_t *e = su + i;
            unsigned el = e[2];
            if (el < 4 || i + el > len)
                break;   /* SUSP §4: a malformed entry ends the area */
            const uint8_t *d = e + 5;
            unsigned dl = el >= 5 ? el - 5 : 0;
            if (e[0] == 'S' && e[1] == 'T')
                break;
            if (e[0] == 'C' && e[1] == 'E' && el >= 28) {   /* SUSP §5.1 */
                have_ce = true;
                ce_lba = le32_get(e + 4);
                ce_off = le32_get(e + 12);
                ce_len = le32_get(e + 20);
            } else if (e[0] == 'S' && e[1] == 'P' && el >= 7 && e[4] == 0xBE && e[5] == 0xEF) {
                s->has_sp = true;
                s->sp_skip = e[6];
            } else if (e[0] == 'N' && e[1] == 'M' && el >= 5 && !s->nm_done) {   /* RRIP §4.1.4 */
                uint8_t fl = e[4];
                /* CURRENT / PARENT flags name "." and "..", known from the record. */
                if (!(fl & 0x06) && dl < sizeof s->nm - s->nm_len) {
                    s->has_nm = true;
                    memcpy(s->nm + s->nm_len, d, dl);
                    s->nm_len += dl;
                    s->nm[s->nm_len] = 0;
                }
                if (!(fl & 0x01))
                    s->nm_done = true;
            } else if (e[0] == 'S' && e[1] == 'L' && el >= 5 && !s->sl_done) {   /* §4.1.3 */
                if (!parse_sl(s, d, dl)) {
                    vm_error_set(err, "%s: corrupt Rock Ridge symbolic link", iso->path);
                    return false;
                }
                if (!(e[4] & 0x01))
                    s->sl_done = true;
            } else if (e[0] == 'C' && e[1] == 'L' && el >= 12) {   /* RRIP §4.1.5.1 */
                s->has_cl = true;
                s->cl_lba = le32_get(e + 4);
            } else if (e[0] == 'R' && e[1] == 'E') {   /* RRIP §4.1.5.3 */
                s->has_re = true;
            }
            i += el;
        }
        if (!have_ce)
            return true;
        if (++ces > SUSP_MAX_CE || ce_off >= ISO_SECTOR || ce_len > ISO_SECTOR - ce_off) {
            vm_error_set(err, "%s: corrupt SUSP continuation area (sector %u, offset %u, "
                              "length %u)", iso->path, ce_lba, ce_off, ce_len);
            return false;
        }
        if (!rd(iso, (uint64_t)ce_lba * ISO_SECTOR, cont, ISO_SECTOR, err))
            return false;
        su = cont + ce_off;
        len = ce_len;
    }
}

/* ---- names ---- */

static void plain_name(const uint8_t *id, unsigned n, char *out)
{
    /* ECMA-119 §7.5.1: "NAME.EXT;VERSION"; a name without extension keeps a bare '.'. */
    unsigned end = n;
    for (unsigned i = 0; i < n; i++)
        if (id[i] == ';') {
            end = i;
            break;
        }
    if (end > 1 && id[end - 1] == '.')
        end--;
    for (unsigned i = 0; i < end; i++)
        out[i] = id[i] ? (char)id[i] : '?';
    out[end] = 0;
}

static void joliet_name(const uint8_t *id, unsigned n, char *out)
{
    size_t o = 0;
    for (unsigned i = 0; i + 1 < n; i += 2) {
        unsigned c = (unsigned)id[i] << 8 | id[i + 1];
        if (c == ';')
            break;
        if (c == 0 || (c >= 0xD800 && c < 0xE000))
            c = '?';
        if (c < 0x80) {
            out[o++] = (char)c;
        } else if (c < 0x800) {
            out[o++] = (char)(0xC0 | c >> 6);
            out[o++] = (char)(0x80 | (c & 0x3F));
        } else {
            out[o++] = (char)(0xE0 | c >> 12);
            out[o++] = (char)(0x80 | ((c >> 6) & 0x3F));
            out[o++] = (char)(0x80 | (c & 0x3F));
        }
    }
    if (o > 1 && out[o - 1] == '.')
        o--;
    out[o] = 0;
}

/* ---- directory walking ---- */

/* Called per logical entry; return 1 to stop, 0 to continue, -1 on error. */
typedef int (*entry_fn)(void *ctx, entry *e);

static bool entry_from_rec(iso9660 *iso, const dir_rec *r, entry *e, vm_error *err)
{
    if (r->id_len == 1 && (r->id[0] == 0 || r->id[0] == 1)) {
        memcpy(e->name, r->id[0] ? ".." : ".", r->id[0] ? 3 : 2);
    } else if (iso->names == ISO_NAMES_JOLIET) {
        joliet_name(r->id, r->id_len, e->name);
    } else {
        plain_name(r->id, r->id_len, e->name);
    }
    if (iso->names == ISO_NAMES_ROCK_RIDGE && r->su_len > iso->susp_skip) {
        rr_state *s = calloc(1, sizeof *s);
        if (!s) {
            vm_error_set(err, "%s: out of memory", iso->path);
            return false;
        }
        bool ok = susp_walk(iso, r->su + iso->susp_skip, r->su_len - iso->susp_skip, s, err);
        if (ok && s->has_nm && s->nm_len && strcmp(e->name, ".") && strcmp(e->name, ".."))
            memcpy(e->name, s->nm, s->nm_len + 1);
        if (ok && s->has_sl) {
            e->symlink = true;
            memcpy(e->target, s->sl, s->sl_len + 1);
        }
        e->relocated = s->has_re;
        e->has_cl = s->has_cl;
        e->cl_lba = s->cl_lba;
        free(s);
        if (!ok)
            return false;
    }
    return true;
}

static int walk_dir(iso9660 *iso, const iso_file *dir, entry_fn fn, void *ctx, vm_error *err)
{
    if (!dir->is_dir || dir->nextents != 1)
        return 0;
    uint32_t lba = dir->ext[0].lba, size = dir->ext[0].size;
    if (size > ISO_MAX_DIR_SIZE) {
        vm_error_set(err, "%s: corrupt ISO9660 image: a directory of %u bytes", iso->path,
                     size);
        return -1;
    }
    if (!extent_ok(iso, lba, size, err))
        return -1;
    uint8_t *sec = malloc(ISO_SECTOR);
    entry *e = calloc(1, sizeof *e);
    if (!sec || !e) {
        free(sec);
        free(e);
        vm_error_set(err, "%s: out of memory", iso->path);
        return -1;
    }
    int rc = 0;
    bool pending = false;   /* a multi-extent file is being collected in *e */
    for (uint32_t s = 0; rc == 0 && (uint64_t)s * ISO_SECTOR < size; s++) {
        if (!rd(iso, ((uint64_t)lba + s) * ISO_SECTOR, sec, ISO_SECTOR, err)) {
            rc = -1;
            break;
        }
        unsigned avail = size - s * ISO_SECTOR < ISO_SECTOR ? size - s * ISO_SECTOR : ISO_SECTOR;
        for (unsigned off = 0; rc == 0 && off < avail && sec[off] != 0;) {
            dir_rec r;
            if (!parse_rec(iso, sec + off, avail - off, &r, err)) {
                rc = -1;
                break;
            }
            off += sec[off];
            if (pending && (r.id_len != e->raw_len || memcmp(r.id, e->raw, r.id_len))) {
                vm_error_set(err, "%s: corrupt ISO9660 image: multi-extent file \"%s\" is "
                                  "missing its final extent", iso->path, e->name);
                rc = -1;
                break;
            }
            if (!pending) {
                memset(e, 0, sizeof *e);
                if (!entry_from_rec(iso, &r, e, err)) {
                    rc = -1;
                    break;
                }
                e->raw_len = r.id_len;
                memcpy(e->raw, r.id, r.id_len);
                e->f.is_dir = (r.flags & DR_FLAG_DIR) != 0;
            }
            if (e->f.nextents == ISO_MAX_EXTENTS) {
                vm_error_set(err, "%s: file \"%s\" has more than %u extents", iso->path,
                             e->name, ISO_MAX_EXTENTS);
                rc = -1;
                break;
            }
            if (!extent_ok(iso, r.lba, r.size, err)) {
                rc = -1;
                break;
            }
            e->f.ext[e->f.nextents++] = (iso_extent){ r.lba, r.size };
            e->f.size += r.size;
            pending = (r.flags & DR_FLAG_MULTI) != 0;
            if (!pending)
                rc = fn(ctx, e);
        }
    }
    if (rc == 0 && pending) {
        vm_error_set(err, "%s: corrupt ISO9660 image: multi-extent file \"%s\" is missing its "
                          "final extent", iso->path, e->name);
        rc = -1;
    }
    free(sec);
    free(e);
    return rc;
}

/* ---- opening ---- */

static bool root_from_vd(iso9660 *iso, const uint8_t *vd, vm_error *err)
{
    dir_rec r;
    if (!parse_rec(iso, vd + 156, 34, &r, err))
        return false;
    if (!(r.flags & DR_FLAG_DIR) || r.size == 0) {
        vm_error_set(err, "%s: corrupt ISO9660 volume descriptor: the root is not a directory",
                     iso->path);
        return false;
    }
    if (!extent_ok(iso, r.lba, r.size, err))
        return false;
    iso->root_lba = r.lba;
    iso->root_size = r.size;
    return true;
}

/* SUSP §5.3: the SP entry opens the System Use field of the root's "." record. */
static bool detect_rock_ridge(iso9660 *iso, vm_error *err)
{
    uint8_t sec[ISO_SECTOR];
    if (!rd(iso, (uint64_t)iso->root_lba * ISO_SECTOR, sec, ISO_SECTOR, err))
        return false;
    dir_rec r;
    if (sec[0] == 0 || !parse_rec(iso, sec, ISO_SECTOR, &r, err))
        return true;   /* an empty root is valid, just without Rock Ridge */
    if (r.su_len >= 7 && r.su[0] == 'S' && r.su[1] == 'P' && r.su[4] == 0xBE &&
        r.su[5] == 0xEF) {
        iso->names = ISO_NAMES_ROCK_RIDGE;
        iso->susp_skip = r.su[6];
    }
    return true;
}

static bool open_common(iso9660 *iso, iso_read_fn read, void *opaque, uint64_t size,
                        const char *path, int fd, vm_error *err)
{
    memset(iso, 0, sizeof *iso);
    iso->read = read;
    iso->opaque = opaque;
    iso->fd = fd;
    iso->path = path;
    iso->size = size;
    uint8_t vd[ISO_SECTOR];
    bool primary = false, joliet = false;
    uint32_t j_lba = 0, j_size = 0;
    for (unsigned i = 0; i < VD_MAX; i++) {
        uint64_t off = (uint64_t)(VD_START + i) * ISO_SECTOR;
        if (off + ISO_SECTOR > size) {
            if (i == 0) {
                vm_error_set(err, "%s: not an ISO9660 image: too small for a volume descriptor "
                                  "at sector 16", path);
                return false;
            }
            break;
        }
        if (!read(opaque, off, vd, ISO_SECTOR, err))
            return false;
        if (memcmp(vd + 1, "CD001", 5) != 0) {
            if (i == 0) {
                vm_error_set(err, "%s: not an ISO9660 image: no CD001 volume descriptor at "
                                  "sector 16", path);
                return false;
            }
            break;   /* ECMA-119 §6.7.1: the set should end in a terminator; tolerate */
        }
        if (vd[0] == VD_TERMINATOR)
            break;
        if (vd[0] == VD_PRIMARY && !primary) {
            if (le16_get(vd + 128) != ISO_SECTOR) {   /* ECMA-119 §8.4.12 */
                vm_error_set(err, "%s: ISO9660 logical block size %u is not supported (only "
                                  "2048)", path, le16_get(vd + 128));
                return false;
            }
            if (!root_from_vd(iso, vd, err))
                return false;
            memcpy(iso->volume_id, vd + 40, 32);
            for (int k = 31; k >= 0 && iso->volume_id[k] == ' '; k--)
                iso->volume_id[k] = 0;
            primary = true;
        } else if (vd[0] == VD_SUPPLEMENTARY && !joliet && le16_get(vd + 128) == ISO_SECTOR &&
                   vd[88] == '%' && vd[89] == '/' &&
                   (vd[90] == '@' || vd[90] == 'C' || vd[90] == 'E')) {
            /* Joliet: UCS-2 level 1/2/3 escape sequences in the SVD's escape field. */
            dir_rec r;
            vm_error jerr;
            if (parse_rec(iso, vd + 156, 34, &r, &jerr) && (r.flags & DR_FLAG_DIR) &&
                extent_ok(iso, r.lba, r.size, &jerr)) {
                joliet = true;
                j_lba = r.lba;
                j_size = r.size;
            }
        }
    }
    if (!primary) {
        vm_error_set(err, "%s: corrupt ISO9660 image: no primary volume descriptor", path);
        return false;
    }
    if (!detect_rock_ridge(iso, err))
        return false;
    if (iso->names != ISO_NAMES_ROCK_RIDGE && joliet) {
        iso->names = ISO_NAMES_JOLIET;
        iso->root_lba = j_lba;
        iso->root_size = j_size;
    }
    return true;
}

bool iso9660_open(iso9660 *iso, iso_read_fn read, void *opaque, uint64_t size,
                  const char *path, vm_error *err)
{
    return open_common(iso, read, opaque, size, path, -1, err);
}

bool iso9660_open_file(iso9660 *iso, const char *path, vm_error *err)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        vm_error_set(err, "%s: %s", path, errno == ENOENT ? "no such file" : strerror(errno));
        return false;
    }
    off_t end = lseek(fd, 0, SEEK_END);
    if (end < 0) {
        vm_error_set(err, "%s: cannot seek: %s", path, strerror(errno));
        close(fd);
        return false;
    }
    if (!open_common(iso, fd_read, iso, (uint64_t)end, path, fd, err)) {
        close(fd);
        iso->fd = -1;
        return false;
    }
    return true;
}

void iso9660_close(iso9660 *iso)
{
    if (iso->fd >= 0)
        close(iso->fd);
    iso->fd = -1;
}

/* ---- lookup ---- */

typedef struct find_ctx {
    const char *name;
    size_t len;
    entry *exact, *folded;
    bool have_exact, have_folded;
} find_ctx;

static bool fold_eq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];
        if (x >= 'A' && x <= 'Z')
            x = (unsigned char)(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = (unsigned char)(y + 32);
        if (x != y)
            return false;
    }
    return true;
}

static int find_cb(void *vctx, entry *e)
{
    find_ctx *c = vctx;
    if (e->relocated || strlen(e->name) != c->len)
        return 0;
    if (memcmp(e->name, c->name, c->len) == 0) {
        *c->exact = *e;
        c->have_exact = true;
        return 1;
    }
    if (!c->have_folded && fold_eq(e->name, c->name, c->len)) {
        *c->folded = *e;
        c->have_folded = true;
    }
    return 0;
}

/* A CL entry stands for a directory relocated elsewhere (RRIP §4.1.5.1): its size is in
 * the "." record at the start of the real extent. */
static bool follow_cl(iso9660 *iso, entry *e, vm_error *err)
{
    uint8_t sec[ISO_SECTOR];
    if (!extent_ok(iso, e->cl_lba, ISO_SECTOR, err) ||
        !rd(iso, (uint64_t)e->cl_lba * ISO_SECTOR, sec, ISO_SECTOR, err))
        return false;
    dir_rec r;
    if (sec[0] == 0 || !parse_rec(iso, sec, ISO_SECTOR, &r, err) || !(r.flags & DR_FLAG_DIR) ||
        !extent_ok(iso, r.lba, r.size, err)) {
        vm_error_set(err, "%s: corrupt Rock Ridge child link to sector %u", iso->path,
                     e->cl_lba);
        return false;
    }
    e->f.is_dir = true;
    e->f.nextents = 1;
    e->f.ext[0] = (iso_extent){ r.lba, r.size };
    e->f.size = r.size;
    return true;
}

int iso9660_lookup(iso9660 *iso, const char *path, iso_file *out, vm_error *err)
{
    char *rest = malloc(SYMLINK_MAX * 2);
    iso_file *stack = malloc(sizeof *stack * (ISO_MAX_DEPTH + 1));
    entry *found = malloc(sizeof *found * 2);
    if (!rest || !stack || !found) {
        free(rest);
        free(stack);
        free(found);
        vm_error_set(err, "%s: out of memory", iso->path);
        return -1;
    }
    int rc = -1;
    size_t plen = strlen(path);
    if (plen >= SYMLINK_MAX * 2) {
        vm_error_set(err, "%s: path too long: %.60s...", iso->path, path);
        goto out;
    }
    memcpy(rest, path, plen + 1);
    unsigned depth = 0, steps = 0, links = 0;
    stack[0] = (iso_file){ .is_dir = true, .size = iso->root_size, .nextents = 1,
                           .ext = { { iso->root_lba, iso->root_size } } };
    const char *p = rest;
    for (;;) {
        while (*p == '/')
            p++;
        if (!*p) {
            *out = stack[depth];
            rc = 1;
            goto out;
        }
        const char *slash = strchr(p, '/');
        size_t len = slash ? (size_t)(slash - p) : strlen(p);
        if (++steps > ISO_MAX_DEPTH) {
            vm_error_set(err, "%s: path %s is more than %u components deep (directory loop?)",
                         iso->path, path, ISO_MAX_DEPTH);
            goto out;
        }
        if (len == 1 && p[0] == '.') {
            p += len;
            continue;
        }
        if (len == 2 && p[0] == '.' && p[1] == '.') {
            if (depth)
                depth--;
            p += len;
            continue;
        }
        find_ctx c = { p, len, &found[0], &found[1], false, false };
        int w = walk_dir(iso, &stack[depth], find_cb, &c, err);
        if (w < 0)
            goto out;
        if (!c.have_exact && !c.have_folded) {
            rc = 0;
            goto out;
        }
        entry *e = c.have_exact ? &found[0] : &found[1];
        p += len;
        if (e->symlink) {
            if (++links > ISO_MAX_SYMLINKS) {
                vm_error_set(err, "%s: too many levels of symbolic links resolving %s",
                             iso->path, path);
                goto out;
            }
            /* Replace the link by its target, then continue with what followed it. */
            size_t tl = strlen(e->target), rl = strlen(p);
            if (tl + rl + 2 > SYMLINK_MAX * 2) {
                vm_error_set(err, "%s: symbolic link target too long resolving %s", iso->path,
                             path);
                goto out;
            }
            char *tmp = malloc(tl + rl + 2);
            if (!tmp) {
                vm_error_set(err, "%s: out of memory", iso->path);
                goto out;
            }
            memcpy(tmp, e->target, tl);
            tmp[tl] = '/';
            memcpy(tmp + tl + 1, p, rl + 1);
            if (e->target[0] == '/')
                depth = 0;
            memcpy(rest, tmp, tl + rl + 2);
            free(tmp);
            p = rest;
            continue;
        }
        if (e->has_cl && !follow_cl(iso, e, err))
            goto out;
        while (*p == '/')
            p++;
        if (!*p) {
            *out = e->f;
            rc = 1;
            goto out;
        }
        if (!e->f.is_dir) {
            rc = 0;
            goto out;
        }
        if (depth == ISO_MAX_DEPTH) {
            vm_error_set(err, "%s: directories nested more than %u deep", iso->path,
                         ISO_MAX_DEPTH);
            goto out;
        }
        stack[++depth] = e->f;
    }
out:
    free(rest);
    free(stack);
    free(found);
    return rc;
}

bool iso9660_read(iso9660 *iso, const iso_file *f, uint64_t off, void *buf, size_t len,
                  vm_error *err)
{
    if (off > f->size || len > f->size - off) {
        vm_error_set(err, "%s: read past the end of a %llu-byte file", iso->path,
                     (unsigned long long)f->size);
        return false;
    }
    uint8_t *p = buf;
    uint64_t base = 0;
    for (unsigned i = 0; i < f->nextents && len; i++) {
        uint64_t esz = f->ext[i].size;
        if (off < base + esz) {
            uint64_t within = off - base;
            size_t n = esz - within < len ? (size_t)(esz - within) : len;
            if (!rd(iso, (uint64_t)f->ext[i].lba * ISO_SECTOR + within, p, n, err))
                return false;
            p += n;
            off += n;
            len -= n;
        }
        base += esz;
    }
    return true;
}

bool iso9660_read_file(iso9660 *iso, const iso_file *f, const char *name, size_t max,
                       file_buf *out, vm_error *err)
{
    memset(out, 0, sizeof *out);
    out->path = name;
    if (f->is_dir) {
        vm_error_set(err, "%s: %s is a directory", iso->path, name);
        return false;
    }
    if (f->size > max) {
        vm_error_set(err, "%s: %s is %llu bytes, more than the %zu allowed", iso->path, name,
                     (unsigned long long)f->size, max);
        return false;
    }
    uint8_t *d = malloc(f->size ? (size_t)f->size : 1);
    if (!d) {
        vm_error_set(err, "%s: out of memory reading %s", iso->path, name);
        return false;
    }
    if (!iso9660_read(iso, f, 0, d, (size_t)f->size, err)) {
        free(d);
        return false;
    }
    out->data = d;
    out->size = (size_t)f->size;
    return true;
}

typedef struct list_ctx {
    iso_dir_fn fn;
    void *ctx;
} list_ctx;

static int list_cb(void *vctx, entry *e)
{
    list_ctx *c = vctx;
    if (e->relocated || !strcmp(e->name, ".") || !strcmp(e->name, ".."))
        return 0;
    return c->fn(c->ctx, e->name, &e->f) ? 0 : 1;
}

bool iso9660_list(iso9660 *iso, const iso_file *dir, iso_dir_fn fn, void *ctx, vm_error *err)
{
    list_ctx c = { fn, ctx };
    return walk_dir(iso, dir, list_cb, &c, err) >= 0;
}
