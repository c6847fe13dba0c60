/* ISO9660 reader (src/load/iso9660.h) on images written here sector by sector: plain
 * ECMA-119 names, Rock Ridge (long NM names, continuation areas, symbolic links,
 * relocated directories), Joliet, multi-extent files, deep directories, a directory loop,
 * and corrupt descriptors and records. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "core/bytes.h"
#include "load/iso9660.h"

#define SEC 2048u
#define NSEC 96u
#define IPATH "test.iso"

static uint8_t img[NSEC * SEC];
static size_t img_size;
static size_t max_read;   /* the largest single read the reader asked for */

static void be32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[3 - i] = (uint8_t)(v >> (8 * i));
}

static void both32(uint8_t *p, uint32_t v)
{
    le32_put(p, v);
    be32(p + 4, v);
}

static uint8_t *sector(uint32_t lba)
{
    return img + (size_t)lba * SEC;
}

/* ECMA-119 §9.1 directory record; returns its length. */
static unsigned rec(uint8_t *p, uint32_t lba, uint32_t size, uint8_t flags, const void *id,
                    unsigned idlen, const uint8_t *su, unsigned sulen)
{
    unsigned pad = (idlen & 1) ? 0 : 1;
    unsigned len = 33 + idlen + pad + sulen;
    len += len & 1;
    memset(p, 0, len);
    p[0] = (uint8_t)len;
    both32(p + 2, lba);
    both32(p + 10, size);
    p[25] = flags;
    p[28] = 1;
    p[31] = 1;
    p[32] = (uint8_t)idlen;
    memcpy(p + 33, id, idlen);
    if (sulen)
        memcpy(p + 33 + idlen + pad, su, sulen);
    return len;
}

typedef struct dirw {
    uint32_t lba;
    size_t pos;      /* bytes used, across sectors */
} dirw;

static void dir_add(dirw *d, uint32_t lba, uint32_t size, uint8_t flags, const void *id,
                    unsigned idlen, const uint8_t *su, unsigned sulen)
{
    uint8_t tmp[256];
    unsigned len = rec(tmp, lba, size, flags, id, idlen, su, sulen);
    if (d->pos % SEC + len > SEC)
        d->pos = (d->pos / SEC + 1) * SEC;   /* records never cross a sector */
    memcpy(sector(d->lba) + d->pos, tmp, len);
    d->pos += len;
}

static void dir_add_s(dirw *d, uint32_t lba, uint32_t size, uint8_t flags, const char *id)
{
    dir_add(d, lba, size, flags, id, (unsigned)strlen(id), NULL, 0);
}

/* "." and ".." of a directory at `lba` of `size` bytes. */
static dirw dir_begin(uint32_t lba, uint32_t size, uint32_t parent, const uint8_t *su,
                      unsigned sulen)
{
    dirw d = { lba, 0 };
    dir_add(&d, lba, size, 2, "\0", 1, su, sulen);
    dir_add(&d, parent, SEC, 2, "\1", 1, NULL, 0);
    return d;
}

static void file_data(uint32_t lba, size_t n, uint8_t seed)
{
    for (size_t i = 0; i < n; i++)
        sector(lba)[i] = (uint8_t)(seed + i * 7);
}

static void vd(uint32_t lba, uint8_t type, uint32_t root, uint32_t root_size)
{
    uint8_t *p = sector(lba);
    p[0] = type;
    memcpy(p + 1, "CD001", 5);
    p[6] = 1;
    if (type == 255)
        return;
    memset(p + 40, ' ', 32);
    memcpy(p + 40, "TESTVOL", 7);
    both32(p + 80, NSEC);
    p[128] = 0x00;
    p[129] = 0x08;   /* 2048 little-endian */
    p[130] = 0x08;
    rec(p + 156, root, root_size, 2, "\0", 1, NULL, 0);
}

static bool mem_read(void *opaque, uint64_t off, void *buf, size_t len, vm_error *err)
{
    (void)opaque;
    if (off > img_size || len > img_size - off) {
        vm_error_set(err, "mem_read past the end");
        return false;
    }
    if (len > max_read)
        max_read = len;
    memcpy(buf, img + off, len);
    return true;
}

static bool open_img(iso9660 *iso, vm_error *err)
{
    return iso9660_open(iso, mem_read, NULL, img_size, IPATH, err);
}

static bool file_is(iso9660 *iso, const char *path, size_t size, uint8_t seed)
{
    iso_file f;
    vm_error err = { { 0 } };
    if (iso9660_lookup(iso, path, &f, &err) != 1) {
        printf("#   lookup %s: %s\n", path, err.msg);
        return false;
    }
    file_buf fb;
    if (!iso9660_read_file(iso, &f, path, 1 << 20, &fb, &err)) {
        printf("#   read %s: %s\n", path, err.msg);
        return false;
    }
    bool ok = fb.size == size;
    for (size_t i = 0; ok && i < size; i++)
        ok = fb.data[i] == (uint8_t)(seed + i * 7);
    file_free(&fb);
    return ok;
}

/* ---- plain ECMA-119 names, deep directories, a loop ---- */

/* Layout: 16 PVD, 17 terminator, 20 root, 21 INSTALL.AMD, 22 VMLINUZ data,
 * 23 README data, 30..41 D0..D11 chain, 42 F data. */
static void build_plain(void)
{
    memset(img, 0, sizeof img);
    img_size = NSEC * SEC;
    vd(16, 1, 20, SEC);
    vd(17, 255, 0, 0);
    dirw r = dir_begin(20, SEC, 20, NULL, 0);
    dir_add_s(&r, 21, SEC, 2, "INSTALL.AMD");
    dir_add_s(&r, 23, 100, 0, "README.TXT;1");
    dir_add_s(&r, 30, SEC, 2, "D0");
    dir_add_s(&r, 20, SEC, 2, "LOOP");   /* a directory whose extent is the root */
    dirw ia = dir_begin(21, SEC, 20, NULL, 0);
    dir_add_s(&ia, 22, 1500, 0, "VMLINUZ.;1");
    file_data(22, 1500, 1);
    file_data(23, 100, 2);
    for (uint32_t i = 0; i < 12; i++) {
        dirw d = dir_begin(30 + i, SEC, i ? 29 + i : 20, NULL, 0);
        char name[8];
        snprintf(name, sizeof name, "D%u", i + 1);
        if (i < 11)
            dir_add_s(&d, 31 + i, SEC, 2, name);
        else
            dir_add_s(&d, 42, 10, 0, "F.;1");
    }
    file_data(42, 10, 3);
}

static void test_plain(void)
{
    build_plain();
    iso9660 iso;
    vm_error err = { { 0 } };
    if (!CHECK(open_img(&iso, &err), "plain image opens")) {
        printf("#   %s\n", err.msg);
        return;
    }
    CHECK_EQ(iso.names, ISO_NAMES_PLAIN, "plain naming");
    CHECK(strcmp(iso.volume_id, "TESTVOL") == 0, "volume id, trailing spaces dropped");
    max_read = 0;
    CHECK(file_is(&iso, "/INSTALL.AMD/VMLINUZ", 1500, 1), "exact name, version dropped");
    CHECK(file_is(&iso, "/install.amd/vmlinuz", 1500, 1), "case-insensitive lookup");
    CHECK(file_is(&iso, "readme.txt", 100, 2), "relative path from the root");
    CHECK(file_is(&iso, "//install.amd/./../install.amd/vmlinuz", 1500, 1), "., .. and //");
    CHECK(max_read <= SEC, "reads are sector-sized, never the whole image");
    iso_file f;
    CHECK_EQ(iso9660_lookup(&iso, "/install.amd/initrd.gz", &f, &err), 0, "missing file: 0");
    CHECK_EQ(iso9660_lookup(&iso, "/readme.txt/x", &f, &err), 0, "file used as directory: 0");
    CHECK(iso9660_lookup(&iso, "/", &f, &err) == 1 && f.is_dir, "root lookup");
    CHECK(file_is(&iso, "/d0/d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/d11/f", 10, 3),
          "12-level deep directory");
    CHECK(file_is(&iso, "/loop/loop/loop/readme.txt", 100, 2), "loop directory traversed");
    char deep[400] = "";
    for (int i = 0; i < 70; i++)
        strcat(deep, "/loop");
    strcat(deep, "/readme.txt");
    CHECK(iso9660_lookup(&iso, deep, &f, &err) == -1 && strstr(err.msg, "components deep") &&
              strstr(err.msg, IPATH),
          "directory loop bounded by the depth limit");

    /* File read across a range and past the end. */
    uint8_t b[10];
    iso9660_lookup(&iso, "/readme.txt", &f, &err);
    CHECK(iso9660_read(&iso, &f, 90, b, 10, &err) && b[0] == (uint8_t)(2 + 90 * 7),
          "read at an offset");
    CHECK(!iso9660_read(&iso, &f, 95, b, 10, &err), "read past the end refused");

    /* Corrupt records. */
    sector(21)[0] = 20;   /* "." record shorter than 34 bytes */
    CHECK(iso9660_lookup(&iso, "/install.amd/vmlinuz", &f, &err) == -1 &&
              strstr(err.msg, "corrupt ISO9660 directory record"),
          "short directory record is an error");
    build_plain();
    open_img(&iso, &err);
    both32(sector(21) + 68 + 2, 5000);   /* VMLINUZ extent far past the end */
    int lr = iso9660_lookup(&iso, "/install.amd/vmlinuz", &f, &err);
    CHECK(lr == -1 && strstr(err.msg, "past the end"), "extent past the image end");
    build_plain();
    open_img(&iso, &err);
    both32(sector(20) + 34 + 34 + 10, 100);   /* INSTALL.AMD ends inside VMLINUZ's record */
    CHECK(iso9660_lookup(&iso, "/install.amd/vmlinuz", &f, &err) == -1 &&
              strstr(err.msg, "bytes left"),
          "record running past the directory's end");
    build_plain();
    open_img(&iso, &err);
    both32(sector(20) + 34 + 34 + 10, 0x7fffffff);   /* INSTALL.AMD directory size */
    CHECK(iso9660_lookup(&iso, "/install.amd/vmlinuz", &f, &err) == -1,
          "huge directory size refused");
}

static bool open_fails(const char *want, const char *name)
{
    iso9660 iso;
    vm_error err = { { 0 } };
    bool ok = !open_img(&iso, &err) && strstr(err.msg, want) && strstr(err.msg, IPATH);
    if (!ok)
        printf("#   error was \"%s\"\n", err.msg);
    return CHECK(ok, name);
}

static void test_corrupt_descriptors(void)
{
    build_plain();
    img_size = 16 * SEC;
    open_fails("too small", "image smaller than 17 sectors");
    build_plain();
    sector(16)[1] = 'X';
    open_fails("no CD001", "no CD001 at sector 16");
    build_plain();
    sector(16)[0] = 2;   /* only a non-Joliet supplementary descriptor */
    open_fails("no primary volume descriptor", "missing primary descriptor");
    build_plain();
    sector(16)[128] = 0;
    sector(16)[129] = 2;
    open_fails("block size 512", "block size other than 2048");
    build_plain();
    both32(sector(16) + 156 + 2, 1000);
    open_fails("past the end", "root extent past the end");
    build_plain();
    sector(16)[156 + 25] = 0;
    open_fails("root is not a directory", "root record not a directory");
    build_plain();
    sector(16)[156] = 10;
    open_fails("corrupt ISO9660 directory record", "root record length corrupt");
    /* No terminator: descriptors stop at the first non-CD001 sector; still opens. */
    build_plain();
    memset(sector(17), 0, SEC);
    iso9660 iso;
    vm_error err;
    CHECK(open_img(&iso, &err), "missing terminator tolerated");
    /* An image that is all CD001 descriptors: bounded scan. */
    build_plain();
    for (uint32_t i = 17; i < NSEC; i++)
        vd(i, 3, 0, 0);
    CHECK(open_img(&iso, &err), "long descriptor set scanned with a bound");
}

/* ---- Rock Ridge ---- */

static unsigned su_sp(uint8_t *p)
{
    memcpy(p, "SP\7\1\xBE\xEF\0", 7);
    return 7;
}

static unsigned su_nm(uint8_t *p, uint8_t flags, const char *name, size_t n)
{
    p[0] = 'N';
    p[1] = 'M';
    p[2] = (uint8_t)(5 + n);
    p[3] = 1;
    p[4] = flags;
    memcpy(p + 5, name, n);
    return (unsigned)(5 + n);
}

static unsigned su_ce(uint8_t *p, uint32_t lba, uint32_t off, uint32_t len)
{
    memset(p, 0, 28);
    memcpy(p, "CE\x1c\1", 4);
    both32(p + 4, lba);
    both32(p + 12, off);
    both32(p + 20, len);
    return 28;
}

/* SL with components given as "name" strings, or "/" (root), ".." (parent). */
static unsigned su_sl(uint8_t *p, const char *const *comps, unsigned n)
{
    unsigned o = 5;
    for (unsigned i = 0; i < n; i++) {
        const char *c = comps[i];
        if (!strcmp(c, "/")) {
            p[o] = 0x08;
            p[o + 1] = 0;
            o += 2;
        } else if (!strcmp(c, "..")) {
            p[o] = 0x04;
            p[o + 1] = 0;
            o += 2;
        } else {
            p[o] = 0;
            p[o + 1] = (uint8_t)strlen(c);
            memcpy(p + o + 2, c, strlen(c));
            o += 2 + (unsigned)strlen(c);
        }
    }
    p[0] = 'S';
    p[1] = 'L';
    p[2] = (uint8_t)o;
    p[3] = 1;
    p[4] = 0;
    return o;
}

static unsigned su_cl_re(uint8_t *p, const char *tag, uint32_t lba)
{
    p[0] = (uint8_t)tag[0];
    p[1] = (uint8_t)tag[1];
    p[3] = 1;
    if (tag[0] == 'C') {
        p[2] = 12;
        both32(p + 4, lba);
        return 12;
    }
    p[2] = 4;
    return 4;
}

/* Layout: 16 PVD, 17 term, 20 root (SP), 21 install.amd, 22 vmlinuz data, 24 long-name
 * data, 25 CE area, 26 ce-name data, 27 rr_moved, 28 relocated "deep" directory,
 * 29 file in it. */
static const char *long_name(void)
{
    static char n[201];
    for (int i = 0; i < 200; i++)
        n[i] = (char)('a' + i % 26);
    n[200] = 0;
    return n;
}

static void build_rr(void)
{
    memset(img, 0, sizeof img);
    img_size = NSEC * SEC;
    vd(16, 1, 20, SEC);
    vd(17, 255, 0, 0);
    uint8_t su[256];
    unsigned n = su_sp(su);
    dirw r = dir_begin(20, SEC, 20, su, n);

    n = su_nm(su, 0, "install.amd", 11);
    dir_add(&r, 21, SEC, 2, "INSTALL.AMD", 11, su, n);

    /* A 200-character name in two NM entries, the first with CONTINUE. */
    n = su_nm(su, 1, long_name(), 120);
    n += su_nm(su + n, 0, long_name() + 120, 80);
    dir_add(&r, 24, 50, 0, "LONGNAME.;1", 11, su, n);

    /* A name that lives in a continuation area. */
    n = su_ce(su, 25, 100, 30);
    dir_add(&r, 26, 20, 0, "CENAME.;1", 9, su, n);
    su_nm(sector(25) + 100, 0, "Continued-Name.txt", 18);

    const char *to_kernel[] = { "install.amd", "vmlinuz" };
    n = su_sl(su, to_kernel, 2);
    dir_add(&r, 0, 0, 0, "KLINK.;1", 8, su, n);
    const char *abs[] = { "/", "install.amd", "..", "install.amd", "vmlinuz" };
    n = su_sl(su, abs, 5);
    dir_add(&r, 0, 0, 0, "ALINK.;1", 8, su, n);
    const char *self[] = { "selfloop" };
    n = su_sl(su, self, 1);
    n += su_nm(su + n, 0, "selfloop", 8);
    dir_add(&r, 0, 0, 0, "SELFLOOP.;1", 11, su, n);

    /* RRIP §4.1.5: "deep" relocated to rr_moved; its placeholder carries CL. */
    n = su_nm(su, 0, "deep", 4);
    n += su_cl_re(su + n, "CL", 28);
    dir_add(&r, 0, 0, 0, "DEEP.;1", 7, su, n);
    n = su_nm(su, 0, "rr_moved", 8);
    dir_add(&r, 27, SEC, 2, "RR_MOVED", 8, su, n);
    dirw mv = dir_begin(27, SEC, 20, NULL, 0);
    n = su_nm(su, 0, "deep", 4);
    n += su_cl_re(su + n, "RE", 0);
    dir_add(&mv, 28, SEC, 2, "DEEP", 4, su, n);
    dirw dp = dir_begin(28, SEC, 27, NULL, 0);
    n = su_nm(su, 0, "inner.bin", 9);
    dir_add(&dp, 29, 33, 0, "INNER.BIN;1", 11, su, n);
    file_data(29, 33, 9);

    dirw ia = dir_begin(21, SEC, 20, NULL, 0);
    n = su_nm(su, 0, "vmlinuz", 7);
    dir_add(&ia, 22, 1000, 0, "VMLINUZ.;1", 10, su, n);
    n = su_nm(su, 0, "VMLINUZ", 7);   /* differs only in case: exact match wins */
    dir_add(&ia, 23, 5, 0, "VMLINUZ0.;1", 11, su, n);
    file_data(22, 1000, 4);
    file_data(23, 5, 5);
    file_data(24, 50, 6);
    file_data(26, 20, 7);
}

typedef struct names {
    char all[1024];
} names;

static bool collect(void *ctx, const char *name, const iso_file *f)
{
    names *n = ctx;
    (void)f;
    strncat(n->all, name, sizeof n->all - strlen(n->all) - 2);
    strcat(n->all, ",");
    return true;
}

static void test_rock_ridge(void)
{
    build_rr();
    iso9660 iso;
    vm_error err = { { 0 } };
    if (!CHECK(open_img(&iso, &err), "Rock Ridge image opens")) {
        printf("#   %s\n", err.msg);
        return;
    }
    CHECK_EQ(iso.names, ISO_NAMES_ROCK_RIDGE, "Rock Ridge detected from SP");
    CHECK(file_is(&iso, "/install.amd/vmlinuz", 1000, 4), "NM name");
    CHECK(file_is(&iso, "/install.amd/VMLINUZ", 5, 5), "exact case preferred over folded");
    char p[256] = "/";
    strcat(p, long_name());
    CHECK(file_is(&iso, p, 50, 6), "200-character name from continued NM entries");
    CHECK(file_is(&iso, "/Continued-Name.txt", 20, 7), "NM in a CE continuation area");
    CHECK(file_is(&iso, "/klink", 1000, 4), "relative symbolic link followed");
    CHECK(file_is(&iso, "/alink", 1000, 4), "absolute symbolic link with .. followed");
    iso_file f;
    CHECK(iso9660_lookup(&iso, "/selfloop", &f, &err) == -1 &&
              strstr(err.msg, "symbolic links"),
          "symbolic link loop bounded");
    CHECK(file_is(&iso, "/deep/inner.bin", 33, 9), "CL relocated directory followed");
    names n = { "" };
    iso9660_lookup(&iso, "/rr_moved", &f, &err);
    CHECK(iso9660_list(&iso, &f, collect, &n, &err) && strcmp(n.all, "") == 0,
          "RE-marked relocated directory hidden in rr_moved");
    names rn = { "" };
    iso9660_lookup(&iso, "/", &f, &err);
    CHECK(iso9660_list(&iso, &f, collect, &rn, &err), "list root");
    CHECK_STR(rn.all, "install.amd,", "list shows Rock Ridge names");

    /* Corrupt CE: offset past its sector. */
    build_rr();
    open_img(&iso, &err);
    uint8_t *ce = NULL;
    for (unsigned o = 0; o < SEC - 4; o++)
        if (!memcmp(sector(20) + o, "CE\x1c\1", 4)) {
            ce = sector(20) + o;
            break;
        }
    if (CHECK(ce != NULL, "CE entry found in the test image")) {
        both32(ce + 12, 3000);
        CHECK(iso9660_lookup(&iso, "/Continued-Name.txt", &f, &err) == -1 &&
                  strstr(err.msg, "continuation"),
              "CE offset past its sector refused");
    }
}

/* ---- Joliet ---- */

static unsigned ucs2(uint8_t *out, const char *ascii, unsigned extra)
{
    unsigned n = 0;
    for (const char *c = ascii; *c; c++) {
        out[n++] = 0;
        out[n++] = (uint8_t)*c;
    }
    if (extra) {   /* a non-ASCII character: U+00E5 then U+4E2D */
        out[n++] = 0x00;
        out[n++] = 0xE5;
        out[n++] = 0x4E;
        out[n++] = 0x2D;
    }
    return n;
}

static void test_joliet(void)
{
    memset(img, 0, sizeof img);
    img_size = NSEC * SEC;
    vd(16, 1, 20, SEC);
    vd(17, 2, 30, SEC);
    memcpy(sector(17) + 88, "%/E", 3);
    vd(18, 255, 0, 0);
    dirw r = dir_begin(20, SEC, 20, NULL, 0);
    dir_add_s(&r, 40, 10, 0, "SHORT.TXT;1");
    dirw j = dir_begin(30, SEC, 30, NULL, 0);
    uint8_t id[128];
    unsigned n = ucs2(id, "A Long Joliet Name", 1);
    n += ucs2(id + n, ".txt;1", 0);
    dir_add(&j, 40, 10, 0, id, n, NULL, 0);
    file_data(40, 10, 8);
    iso9660 iso;
    vm_error err = { { 0 } };
    CHECK(open_img(&iso, &err), "Joliet image opens");
    CHECK_EQ(iso.names, ISO_NAMES_JOLIET, "Joliet tree preferred to plain names");
    CHECK(file_is(&iso, "/A Long Joliet Name\xC3\xA5\xE4\xB8\xAD.txt", 10, 8),
          "UCS-2 name as UTF-8, version dropped");
    CHECK(file_is(&iso, "/a long joliet name\xC3\xA5\xE4\xB8\xAD.TXT", 10, 8),
          "Joliet names case-insensitive");
}

/* ---- multi-extent ---- */

static void test_multi_extent(void)
{
    build_plain();
    dirw r = { 20, 0 };
    /* Append after the existing root records (4 + 2). */
    uint8_t *s = sector(20);
    while (s[r.pos])
        r.pos += s[r.pos];
    dir_add_s(&r, 50, SEC, 0x80, "BIG.BIN;1");
    dir_add_s(&r, 52, SEC, 0x80, "BIG.BIN;1");
    size_t last = r.pos;
    dir_add_s(&r, 54, 100, 0, "BIG.BIN;1");
    for (uint32_t i = 0; i < 3; i++)
        for (uint32_t k = 0; k < SEC; k++)
            sector(50 + 2 * i)[k] = (uint8_t)(1 + (i * SEC + k) * 7);
    iso9660 iso;
    vm_error err = { { 0 } };
    open_img(&iso, &err);
    iso_file f;
    CHECK(iso9660_lookup(&iso, "/big.bin", &f, &err) == 1, "multi-extent file found");
    CHECK_EQ(f.nextents, 3, "three extents");
    CHECK_EQ(f.size, 2 * SEC + 100, "size is the sum");
    CHECK(file_is(&iso, "/big.bin", 2 * SEC + 100, 1), "contents across extents");
    uint8_t b[4];
    CHECK(iso9660_read(&iso, &f, SEC - 2, b, 4, &err) && b[0] == (uint8_t)(1 + (SEC - 2) * 7) &&
              b[3] == (uint8_t)(1 + (SEC + 1) * 7),
          "read straddling two extents");
    sector(20)[last + 25] = 0x80;   /* the final record claims more to come */
    CHECK(iso9660_lookup(&iso, "/big.bin", &f, &err) == -1 && strstr(err.msg, "final extent"),
          "multi-extent file without its final record");
}

static void test_fd(void)
{
    build_plain();
    char tmpl[] = "/tmp/vm-iso-XXXXXX";
    int fd = mkstemp(tmpl);
    if (!CHECK(fd >= 0, "temp file"))
        return;
    CHECK(write(fd, img, img_size) == (ssize_t)img_size, "write temp image");
    close(fd);
    iso9660 iso;
    vm_error err = { { 0 } };
    CHECK(iso9660_open_file(&iso, tmpl, &err), "open from a file");
    CHECK(file_is(&iso, "/install.amd/vmlinuz", 1500, 1), "read through pread");
    iso9660_close(&iso);
    unlink(tmpl);
    CHECK(!iso9660_open_file(&iso, "/nonexistent.iso", &err) &&
              strstr(err.msg, "/nonexistent.iso"),
          "missing file named");
}

/* Random corruption of the Rock Ridge image's metadata sectors: every call must return
 * an answer (the ASan/UBSan build checks that nothing reads out of bounds). */
static bool count_cb(void *ctx, const char *name, const iso_file *f)
{
    (void)name;
    (void)f;
    (*(unsigned *)ctx)++;
    return true;
}

static void test_mutations(void)
{
    static uint8_t clean[NSEC * SEC];
    build_rr();
    memcpy(clean, img, sizeof img);
    uint32_t seed = 12345;
    unsigned opened = 0, answered = 0;
    const char *paths[] = { "/install.amd/vmlinuz", "/klink", "/alink", "/deep/inner.bin",
                            "/Continued-Name.txt", "/selfloop" };
    for (int iter = 0; iter < 3000; iter++) {
        memcpy(img, clean, sizeof img);
        img_size = NSEC * SEC;
        unsigned flips = 1 + (seed >> 29);
        for (unsigned k = 0; k < flips; k++) {
            seed = seed * 1103515245u + 12345u;
            uint32_t sec = 16 + (seed >> 8) % 14;
            seed = seed * 1103515245u + 12345u;
            uint32_t off = (seed >> 8) % 400;   /* the records live at the start */
            seed = seed * 1103515245u + 12345u;
            sector(sec)[off] = (uint8_t)(seed >> 16);
        }
        iso9660 iso;
        vm_error err;
        if (!open_img(&iso, &err))
            continue;
        opened++;
        for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
            iso_file f;
            int rc = iso9660_lookup(&iso, paths[i], &f, &err);
            if (rc == 1 && !f.is_dir && f.size <= 4096) {
                uint8_t buf[4096];
                iso9660_read(&iso, &f, 0, buf, (size_t)f.size, &err);
            }
            if (rc == 1 && f.is_dir) {
                unsigned n = 0;
                iso9660_list(&iso, &f, count_cb, &n, &err);
            }
            answered += rc >= -1 && rc <= 1;
        }
    }
    CHECK(opened > 1000, "most mutated images still open");
    CHECK_EQ(answered, opened * 6, "every lookup on a mutated image answered");
}

int main(void)
{
    test_plain();
    test_corrupt_descriptors();
    test_rock_ridge();
    test_joliet();
    test_multi_extent();
    test_fd();
    test_mutations();
    return check_done();
}
