/* Multiboot loader (src/load/multiboot.h): v1 and v2 kernels synthesized here byte by byte
 * (ELF32, ELF64, the a.out kludge, the v2 address tag), the boot information read back
 * from guest RAM, detection, and one error per kind of malformed input; every error must
 * name the file. */
#include <stdlib.h>

#include "check.h"
#include "load/multiboot.h"

#define RAM_SIZE (64 * MiB)
#define KPATH "mb.elf"

/* ---- image builder ---- */

typedef struct img {
    uint8_t d[0x9000];
    size_t size;
} img;

static void w16(img *im, size_t off, uint16_t v)
{
    im->d[off] = (uint8_t)v;
    im->d[off + 1] = (uint8_t)(v >> 8);
}

static void w32(img *im, size_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        im->d[off + i] = (uint8_t)(v >> (8 * i));
}

static void w64(img *im, size_t off, uint64_t v)
{
    w32(im, off, (uint32_t)v);
    w32(im, off + 4, (uint32_t)(v >> 32));
}

static void img_reset(img *im, size_t size)
{
    memset(im->d, 0, sizeof im->d);
    im->size = size;
}

/* Recognisable contents: byte i of the file is (i * 7 + 3). */
static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 7 + 3);
}

static void fill_pattern(img *im, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        im->d[i] = pattern(i);
}

/* MB1 §3.1.1 header; with flags bit 16 the five address fields follow. */
static void mb1_header(img *im, size_t off, uint32_t flags, const uint32_t addr[5])
{
    w32(im, off, MB1_HEADER_MAGIC);
    w32(im, off + 4, flags);
    w32(im, off + 8, (uint32_t)-(MB1_HEADER_MAGIC + flags));
    for (int i = 0; addr && i < 5; i++)
        w32(im, off + 12 + 4 * (size_t)i, addr[i]);
}

/* MB2 §3.1.1 header built tag by tag. */
typedef struct mb2b {
    img *im;
    size_t off, pos;
    uint32_t arch;
} mb2b;

static void mb2_begin(mb2b *h, img *im, size_t off)
{
    h->im = im;
    h->off = off;
    h->pos = off + 16;
    h->arch = 0;
}

static void mb2_tag(mb2b *h, uint16_t type, uint16_t flags, const uint32_t *words, unsigned n)
{
    w16(h->im, h->pos, type);
    w16(h->im, h->pos + 2, flags);
    w32(h->im, h->pos + 4, 8 + 4 * n);
    for (unsigned i = 0; i < n; i++)
        w32(h->im, h->pos + 8 + 4 * i, words[i]);
    h->pos = (h->pos + 8 + 4 * n + 7) & ~(size_t)7;
}

/* Append the end tag, then the fixed part with a valid checksum. */
static void mb2_end(mb2b *h)
{
    mb2_tag(h, 0, 0, NULL, 0);
    uint32_t len = (uint32_t)(h->pos - h->off);
    w32(h->im, h->off, MB2_HEADER_MAGIC);
    w32(h->im, h->off + 4, h->arch);
    w32(h->im, h->off + 8, len);
    w32(h->im, h->off + 12, (uint32_t)-(MB2_HEADER_MAGIC + h->arch + len));
}

/* ELF32 (EM_386) header with `nph` program headers at offset 52. */
static void elf32_begin(img *im, unsigned nph, uint32_t entry)
{
    memcpy(im->d, "\x7f" "ELF", 4);
    im->d[4] = 1; /* ELFCLASS32 */
    im->d[5] = 1; /* little-endian */
    im->d[6] = 1;
    w16(im, 16, 2); /* ET_EXEC */
    w16(im, 18, 3); /* EM_386 */
    w32(im, 20, 1);
    w32(im, 24, entry);
    w32(im, 28, 52);
    w16(im, 40, 52);
    w16(im, 42, 32);
    w16(im, 44, (uint16_t)nph);
}

static void elf32_load(img *im, unsigned i, uint32_t off, uint32_t vaddr, uint32_t paddr,
                       uint32_t filesz, uint32_t memsz)
{
    size_t p = 52 + 32 * (size_t)i;
    w32(im, p, 1); /* PT_LOAD */
    w32(im, p + 4, off);
    w32(im, p + 8, vaddr);
    w32(im, p + 12, paddr);
    w32(im, p + 16, filesz);
    w32(im, p + 20, memsz);
}

/* ELF64 (EM_X86_64) header with `nph` program headers at offset 64. */
static void elf64_begin(img *im, unsigned nph, uint64_t entry)
{
    memcpy(im->d, "\x7f" "ELF", 4);
    im->d[4] = 2;
    im->d[5] = 1;
    im->d[6] = 1;
    w16(im, 16, 2);
    w16(im, 18, EM_X86_64);
    w32(im, 20, 1);
    w64(im, 24, entry);
    w64(im, 32, 64);
    w16(im, 52, 64);
    w16(im, 54, 56);
    w16(im, 56, (uint16_t)nph);
}

static void elf64_load(img *im, unsigned i, uint64_t off, uint64_t vaddr, uint64_t paddr,
                       uint64_t filesz, uint64_t memsz)
{
    size_t p = 64 + 56 * (size_t)i;
    w32(im, p, 1);
    w64(im, p + 8, off);
    w64(im, p + 16, vaddr);
    w64(im, p + 24, paddr);
    w64(im, p + 32, filesz);
    w64(im, p + 40, memsz);
}

/* ---- the machine ---- */

/* A PC-like map: low memory with the EBDA reserved, the BIOS area, 63 MiB above 1 MiB, an
 * IOAPIC page and RAM above 4 GiB (listed for the kernel, never written by the loader). */
static const mb_mem_range std_map[] = {
    { 0, 0x9FC00, MB_MEM_AVAILABLE },
    { 0x9FC00, 0x400, MB_MEM_RESERVED },
    { 0xF0000, 0x10000, MB_MEM_RESERVED },
    { 0x100000, RAM_SIZE - 0x100000, MB_MEM_AVAILABLE },
    { 0xFEC00000, 0x1000, MB_MEM_RESERVED },
    { 4 * GiB, 1 * GiB, MB_MEM_AVAILABLE },
};
#define STD_NMAP (sizeof std_map / sizeof std_map[0])

static void new_machine(bus *b)
{
    vm_error err;
    bus_init(b);
    if (!bus_add_ram(b, 0, RAM_SIZE, "ram", &err)) {
        printf("Bail out! %s\n", err.msg);
        exit(1);
    }
    /* stale bytes everywhere the tests look, so zeroing and bounds are visible */
    memset(bus_ram_ptr(b, 0, 8 * MiB), 0xAA, 8 * MiB);
}

static uint32_t rd32(bus *b, gpa_t a)
{
    uint64_t v = 0;
    if (!bus_read(b, a, 4, &v))
        return 0xDEADDEAD;
    return (uint32_t)v;
}

static uint64_t rd64(bus *b, gpa_t a)
{
    uint64_t v = 0;
    if (!bus_read(b, a, 8, &v))
        return 0xDEADDEADDEADDEADULL;
    return v;
}

/* A NUL-terminated guest string (at most 255 bytes), "" if unreadable. */
static const char *rdstr(bus *b, gpa_t a, char *buf)
{
    memset(buf, 0, 256);
    for (int i = 0; i < 255; i++) {
        uint64_t v;
        if (!bus_read(b, a + (gpa_t)i, 1, &v))
            return "";
        buf[i] = (char)v;
        if (v == 0)
            break;
    }
    return buf;
}

static bool ram_is(bus *b, gpa_t a, const uint8_t *want, size_t n)
{
    const uint8_t *p = bus_ram_ptr(b, a, n);
    return p && memcmp(p, want, n) == 0;
}

static bool ram_all(bus *b, gpa_t a, uint8_t v, size_t n)
{
    const uint8_t *p = bus_ram_ptr(b, a, n);
    if (!p)
        return false;
    for (size_t i = 0; i < n; i++)
        if (p[i] != v)
            return false;
    return true;
}

static bool boot(bus *b, img *im, const char *cmdline, const mb_module *mods, size_t nmods,
                 const mb_mem_range *map, size_t nmap, multiboot_boot *out, vm_error *err)
{
    file_buf f = { .path = KPATH, .data = im->d, .size = im->size };
    memset(err, 0, sizeof *err);
    return load_multiboot(b, &f, cmdline, mods, nmods, map, nmap, out, err);
}

/* Load must fail with a message containing `path` and `want`. */
static void expect_fail_map(img *im, const mb_module *mods, size_t nmods,
                            const mb_mem_range *map, size_t nmap, const char *path,
                            const char *want, const char *name)
{
    bus b;
    new_machine(&b);
    vm_error err;
    multiboot_boot out;
    char buf[200];
    snprintf(buf, sizeof buf, "%s: rejected", name);
    CHECK(!boot(&b, im, "", mods, nmods, map, nmap, &out, &err), buf);
    snprintf(buf, sizeof buf, "%s: error says \"%s\"", name, want);
    CHECK_STR(err.msg, want, buf);
    snprintf(buf, sizeof buf, "%s: error names %s", name, path);
    CHECK_STR(err.msg, path, buf);
    CHECK(strchr(err.msg, '\n') == NULL, "error is one line");
    bus_destroy(&b);
}

static void expect_fail(img *im, const char *want, const char *name)
{
    expect_fail_map(im, NULL, 0, std_map, STD_NMAP, KPATH, want, name);
}

static bool expect_ok(img *im, multiboot_boot *out, const char *name)
{
    bus b;
    new_machine(&b);
    vm_error err;
    bool ok = boot(&b, im, "", NULL, 0, std_map, STD_NMAP, out, &err);
    if (!CHECK(ok, name))
        printf("#   %s\n", err.msg);
    bus_destroy(&b);
    return ok;
}

/* ---- good images ---- */

static uint8_t mod1_data[5000], mod2_data[3] = { 'a', 'b', 'c' };

static void make_modules(file_buf files[2], mb_module mods[2])
{
    for (size_t i = 0; i < sizeof mod1_data; i++)
        mod1_data[i] = (uint8_t)(i ^ 0x5a);
    files[0] = (file_buf){ .path = "m1.bin", .data = mod1_data, .size = sizeof mod1_data };
    files[1] = (file_buf){ .path = "m2.bin", .data = mod2_data, .size = sizeof mod2_data };
    mods[0] = (mb_module){ &files[0], "m1.bin arg1 arg2" };
    mods[1] = (mb_module){ &files[1], NULL };
}

/* A higher-half ELF32 kernel: text (with the header) at 0x100000 linked at 0xC0100000,
 * data + bss at 0x101000-0x103000. */
static void make_v1_elf(img *im)
{
    img_reset(im, 0x1210);
    elf32_begin(im, 2, 0xC0100020);
    fill_pattern(im, 0x1000, 0x1210);
    mb1_header(im, 0x1000, 0x3, NULL);
    elf32_load(im, 0, 0x1000, 0xC0100000, 0x100000, 0x200, 0x200);
    elf32_load(im, 1, 0x1200, 0xC0101000, 0x101000, 0x10, 0x2000);
}

static void test_v1_elf(void)
{
    img im;
    make_v1_elf(&im);
    CHECK_EQ(image_detect(im.d, im.size), IMG_MULTIBOOT, "v1 ELF32 detected as Multiboot");
    CHECK_EQ(multiboot_header_version(im.d, im.size), 1, "v1 header version 1");

    file_buf files[2];
    mb_module mods[2];
    make_modules(files, mods);
    bus b;
    new_machine(&b);
    vm_error err;
    multiboot_boot out;
    bool ok = boot(&b, &im, "console=ttyS0 debug", mods, 2, std_map, STD_NMAP, &out, &err);
    if (!CHECK(ok, "v1 ELF32 kernel loads")) {
        printf("#   %s\n", err.msg);
        bus_destroy(&b);
        return;
    }
    CHECK_EQ(out.version, 1, "version 1");
    CHECK_EQ(out.eax, 0x2BADB002, "EAX = 0x2BADB002");
    CHECK_EQ(out.entry, 0x100020, "higher-half e_entry translated to its physical address");
    CHECK_EQ(out.low, 0x100000, "kernel low");
    CHECK_EQ(out.high, 0x103000, "kernel high = end of bss");
    CHECK(ram_is(&b, 0x100000, im.d + 0x1000, 0x200), "text segment at p_paddr");
    CHECK(ram_is(&b, 0x101000, im.d + 0x1200, 0x10), "data segment at p_paddr");
    CHECK(ram_all(&b, 0x101010, 0, 0x2000 - 0x10), "bss zeroed");

    /* modules: page-aligned, above the kernel, in order */
    uint32_t info = out.ebx;
    CHECK_EQ(rd32(&b, info + 20), 2, "mods_count");
    uint32_t mods_addr = rd32(&b, info + 24);
    uint32_t s1 = rd32(&b, mods_addr), e1 = rd32(&b, mods_addr + 4);
    uint32_t s2 = rd32(&b, mods_addr + 16), e2 = rd32(&b, mods_addr + 20);
    char sb[256];
    CHECK_EQ(s1, 0x103000, "module 1 at the first page above the kernel");
    CHECK_EQ(e1, s1 + sizeof mod1_data, "module 1 mod_end = start + size");
    CHECK(ram_is(&b, s1, mod1_data, sizeof mod1_data), "module 1 contents");
    CHECK_EQ(s2, 0x105000, "module 2 on the next page boundary");
    CHECK_EQ(e2, s2 + 3, "module 2 mod_end");
    CHECK(ram_is(&b, s2, mod2_data, 3), "module 2 contents");
    CHECK_STR(rdstr(&b, rd32(&b, mods_addr + 8), sb), "m1.bin arg1 arg2", "module 1 string");
    CHECK(strcmp(rdstr(&b, rd32(&b, mods_addr + 24), sb), "m2.bin") == 0,
          "module 2 string defaults to its file name");
    CHECK_EQ(rd32(&b, mods_addr + 12), 0, "module reserved field 0");
    CHECK_EQ(out.info_low, s1, "info_low = first module");

    /* the info structure (MB1 §3.3) */
    CHECK_EQ(info & 0xFFF, 0, "info page-aligned");
    CHECK(info >= e2, "info above the modules");
    CHECK(out.info_high >= (gpa_t)info + 116 && out.info_high <= (gpa_t)info + 4096,
          "info_high covers the structure");
    CHECK_EQ(rd32(&b, info), 0x24D, "flags = mem | cmdline | mods | mmap | loader name");
    CHECK_EQ(rd32(&b, info + 4), 639, "mem_lower = 639 KiB (EBDA reserved)");
    CHECK_EQ(rd32(&b, info + 8), (RAM_SIZE - MiB) / KiB, "mem_upper = 63 MiB in KiB");
    CHECK(strcmp(rdstr(&b, rd32(&b, info + 16), sb), "console=ttyS0 debug") == 0, "cmdline");
    CHECK(strcmp(rdstr(&b, rd32(&b, info + 64), sb), "vm") == 0, "boot_loader_name");
    uint32_t mmap_len = rd32(&b, info + 44), mmap = rd32(&b, info + 48);
    CHECK_EQ(mmap_len, STD_NMAP * 24, "mmap_length");
    bool map_ok = true;
    for (size_t i = 0; i < STD_NMAP; i++) {
        gpa_t e = mmap + 24 * i;
        map_ok &= rd32(&b, e) == 20 && rd64(&b, e + 4) == std_map[i].base &&
                  rd64(&b, e + 12) == std_map[i].len && rd32(&b, e + 20) == std_map[i].type;
    }
    CHECK(map_ok, "mmap entries: size 20, base, length, type (incl. RAM above 4 GiB)");
    CHECK(mmap >= info && mmap + mmap_len <= out.info_high, "mmap inside the info range");
    CHECK_EQ(rd32(&b, info + 12), 0, "no boot_device");
    CHECK_EQ(rd32(&b, info + 88), 0, "no framebuffer");
    bus_destroy(&b);

    /* the same kernel with no modules and no command line */
    new_machine(&b);
    ok = boot(&b, &im, NULL, NULL, 0, std_map, STD_NMAP, &out, &err);
    CHECK(ok, "v1 without modules or cmdline loads");
    CHECK_EQ(out.ebx, 0x103000, "info right above the kernel");
    CHECK_EQ(out.info_low, 0x103000, "info_low = info without modules");
    CHECK_EQ(rd32(&b, out.ebx + 20), 0, "mods_count 0");
    CHECK(strcmp(rdstr(&b, rd32(&b, out.ebx + 16), sb), "") == 0, "empty cmdline");
    bus_destroy(&b);
}

/* a.out kludge: raw file, header at 0x40 with the address fields (MB1 §3.1.3) */
static void make_v1_kludge(img *im, uint32_t load_end, uint32_t bss_end, uint32_t entry)
{
    img_reset(im, 0x1000);
    fill_pattern(im, 0, 0x1000);
    uint32_t addr[5] = { 0x200040, 0x200000, load_end, bss_end, entry };
    mb1_header(im, 0x40, 0x10003, addr);
}

static void test_v1_kludge(void)
{
    img im;
    make_v1_kludge(&im, 0x200800, 0x204000, 0x200100);
    CHECK_EQ(image_detect(im.d, im.size), IMG_MULTIBOOT, "a.out kludge detected as Multiboot");
    bus b;
    new_machine(&b);
    vm_error err;
    multiboot_boot out;
    bool ok = boot(&b, &im, "x", NULL, 0, std_map, STD_NMAP, &out, &err);
    if (!CHECK(ok, "v1 a.out kludge loads"))
        printf("#   %s\n", err.msg);
    CHECK_EQ(out.entry, 0x200100, "entry = entry_addr");
    CHECK_EQ(out.low, 0x200000, "low = load_addr");
    CHECK_EQ(out.high, 0x204000, "high = bss_end_addr");
    CHECK(ram_is(&b, 0x200000, im.d, 0x800), "file loaded up to load_end_addr");
    CHECK(ram_all(&b, 0x200800, 0, 0x3800), "bss zeroed from load_end_addr to bss_end_addr");
    CHECK(ram_all(&b, 0x1FF000, 0xAA, 0x1000), "nothing written below load_addr");
    CHECK_EQ(out.ebx, 0x204000, "info right above the bss");
    bus_destroy(&b);

    /* load_end_addr 0 = the whole file; bss_end_addr 0 = no bss */
    make_v1_kludge(&im, 0, 0, 0x200100);
    new_machine(&b);
    ok = boot(&b, &im, "x", NULL, 0, std_map, STD_NMAP, &out, &err);
    CHECK(ok, "kludge with load_end_addr = bss_end_addr = 0 loads");
    CHECK(ram_is(&b, 0x200000, im.d, 0x1000), "whole file loaded");
    CHECK_EQ(out.high, 0x201000, "high = end of file");
    CHECK_EQ(out.ebx, 0x201000, "no bss: info right after the file");
    bus_destroy(&b);

    /* the address fields win over ELF headers (MB1 §3.1.3) */
    make_v1_elf(&im);
    uint32_t addr[5] = { 0x300000 + 0x1000, 0x300000, 0, 0, 0x300000 + 0x1100 };
    mb1_header(&im, 0x1000, 0x10000, addr);
    new_machine(&b);
    ok = boot(&b, &im, "", NULL, 0, std_map, STD_NMAP, &out, &err);
    CHECK(ok, "ELF with flags bit 16 loads");
    CHECK_EQ(out.low, 0x300000, "ELF with bit 16: address fields used");
    CHECK(ram_is(&b, 0x300000, im.d, im.size), "ELF file loaded whole from load_addr");
    bus_destroy(&b);
}

/* Every v2 information request this loader can honour, as a non-optional tag. */
static const uint32_t req_provided[] = { 1, 2, 3, 4, 6 };

static void make_v2_elf(img *im)
{
    img_reset(im, 0x1400);
    elf64_begin(im, 1, 0x100200);
    fill_pattern(im, 0x1000, 0x1400);
    mb2b h;
    mb2_begin(&h, im, 0x1000);
    mb2_tag(&h, 1, 0, req_provided, 5);
    uint32_t fb[3] = { 1024, 768, 32 };
    mb2_tag(&h, 5, 1, fb, 3); /* optional framebuffer: ignored */
    uint32_t want_fb = 8;
    mb2_tag(&h, 1, 1, &want_fb, 1); /* optional request for framebuffer info */
    mb2_tag(&h, 6, 0, NULL, 0);     /* module alignment */
    mb2_tag(&h, 99, 1, NULL, 0);    /* unknown but optional */
    mb2_end(&h);
    elf64_load(im, 0, 0x1000, 0x100000, 0x100000, 0x400, 0x1000);
}

static void test_v2_elf(void)
{
    img im;
    make_v2_elf(&im);
    CHECK_EQ(image_detect(im.d, im.size), IMG_MULTIBOOT, "v2 ELF64 detected as Multiboot");
    CHECK_EQ(multiboot_header_version(im.d, im.size), 2, "v2 header version 2");

    file_buf files[2];
    mb_module mods[2];
    make_modules(files, mods);
    bus b;
    new_machine(&b);
    vm_error err;
    multiboot_boot out;
    bool ok = boot(&b, &im, "root=/dev/x", mods, 2, std_map, STD_NMAP, &out, &err);
    if (!CHECK(ok, "v2 ELF64 kernel loads")) {
        printf("#   %s\n", err.msg);
        bus_destroy(&b);
        return;
    }
    CHECK_EQ(out.version, 2, "version 2");
    CHECK_EQ(out.eax, 0x36D76289, "EAX = 0x36D76289");
    CHECK_EQ(out.entry, 0x100200, "entry = e_entry");
    CHECK_EQ(out.high, 0x101000, "high = p_paddr + p_memsz");
    CHECK(ram_is(&b, 0x100000, im.d + 0x1000, 0x400), "segment loaded");
    CHECK(ram_all(&b, 0x100400, 0, 0xC00), "bss zeroed");

    /* MB2 §3.6: walk the tags */
    uint32_t info = out.ebx;
    CHECK_EQ(info & 7, 0, "info 8-byte aligned");
    uint32_t total = rd32(&b, info);
    CHECK_EQ(rd32(&b, info + 4), 0, "reserved = 0");
    CHECK(total >= 8 && (gpa_t)info + total <= out.info_high, "total_size inside info range");
    char types[16] = { 0 };
    int ntags = 0, nmods = 0;
    bool aligned = true, ended = false, fields = true;
    char sb[256];
    for (uint32_t pos = 8; pos + 8 <= total && ntags < 15;) {
        gpa_t t = info + pos;
        uint32_t type = rd32(&b, t), size = rd32(&b, t + 4);
        aligned &= (t & 7) == 0;
        types[ntags++] = (char)('0' + type);
        if (type == 0) {
            ended = size == 8 && pos + 8 == total;
            break;
        }
        if (type == 1)
            fields &= strcmp(rdstr(&b, t + 8, sb), "root=/dev/x") == 0;
        if (type == 2)
            fields &= strcmp(rdstr(&b, t + 8, sb), "vm") == 0;
        if (type == 3) {
            const file_buf *mf = mods[nmods].file;
            uint32_t start = rd32(&b, t + 8), end = rd32(&b, t + 12);
            fields &= (start & 0xFFF) == 0 && start >= out.high && end == start + mf->size &&
                      ram_is(&b, start, mf->data, mf->size);
            fields &= strcmp(rdstr(&b, t + 16, sb), nmods == 0 ? "m1.bin arg1 arg2"
                                                                 : "m2.bin") == 0;
            fields &= size == 16 + strlen(sb) + 1;
            nmods++;
        }
        if (type == 4)
            fields &= size == 16 && rd32(&b, t + 8) == 639 &&
                      rd32(&b, t + 12) == (RAM_SIZE - MiB) / KiB;
        if (type == 6) {
            fields &= rd32(&b, t + 8) == 24 && rd32(&b, t + 12) == 0 &&
                      size == 16 + 24 * STD_NMAP;
            for (size_t i = 0; i < STD_NMAP; i++) {
                gpa_t e = t + 16 + 24 * i;
                fields &= rd64(&b, e) == std_map[i].base && rd64(&b, e + 8) == std_map[i].len &&
                          rd32(&b, e + 16) == std_map[i].type && rd32(&b, e + 20) == 0;
            }
        }
        pos = (pos + size + 7) & ~7u;
    }
    CHECK(strcmp(types, "1233460") == 0, "tags: cmdline, name, 2 modules, meminfo, mmap, end");
    if (strcmp(types, "1233460") != 0)
        printf("#   got %s\n", types);
    CHECK(aligned, "every tag 8-byte aligned");
    CHECK(ended, "end tag of size 8 closes total_size");
    CHECK(fields, "tag contents (strings, modules, meminfo, mmap)");
    CHECK_EQ(nmods, 2, "two module tags");
    bus_destroy(&b);
}

/* v2 raw image with an address tag: header at 0x1000 maps to 0x301000 */
static void make_v2_addr(img *im, uint32_t load_addr, uint32_t header_addr, uint32_t load_end,
                         uint32_t bss_end, bool with_entry)
{
    img_reset(im, 0x2000);
    fill_pattern(im, 0, 0x2000);
    mb2b h;
    mb2_begin(&h, im, 0x1000);
    uint32_t a[4] = { header_addr, load_addr, load_end, bss_end };
    mb2_tag(&h, 2, 0, a, 4);
    uint32_t entry = 0x300010;
    if (with_entry)
        mb2_tag(&h, 3, 0, &entry, 1);
    mb2_end(&h);
}

static void test_v2_address(void)
{
    img im;
    make_v2_addr(&im, 0x300000, 0x301000, 0, 0x310000, true);
    CHECK_EQ(image_detect(im.d, im.size), IMG_MULTIBOOT, "v2 raw detected as Multiboot");
    bus b;
    new_machine(&b);
    vm_error err;
    multiboot_boot out;
    bool ok = boot(&b, &im, "", NULL, 0, std_map, STD_NMAP, &out, &err);
    if (!CHECK(ok, "v2 address tag image loads"))
        printf("#   %s\n", err.msg);
    CHECK_EQ(out.entry, 0x300010, "entry from the entry address tag");
    CHECK(ram_is(&b, 0x300000, im.d, 0x2000), "whole file at load_addr");
    CHECK(ram_all(&b, 0x302000, 0, 0xE000), "bss zeroed to bss_end_addr");
    CHECK_EQ(out.high, 0x310000, "high = bss_end_addr");
    bus_destroy(&b);

    /* load_addr = -1: from the file's start, the header landing at header_addr */
    make_v2_addr(&im, 0xFFFFFFFF, 0x301000, 0, 0, true);
    new_machine(&b);
    ok = boot(&b, &im, "", NULL, 0, std_map, STD_NMAP, &out, &err);
    if (!CHECK(ok, "v2 load_addr = -1 loads"))
        printf("#   %s\n", err.msg);
    CHECK_EQ(out.low, 0x300000, "load_addr -1: file start = header_addr - header offset");
    CHECK(ram_is(&b, 0x300000, im.d, 0x2000), "load_addr -1: whole file");
    bus_destroy(&b);

    /* a file with both headers boots through v2 */
    make_v2_addr(&im, 0x300000, 0x301000, 0, 0, true);
    uint32_t addr[5] = { 0x400040, 0x400000, 0, 0, 0x400100 };
    mb1_header(&im, 0x40, 0x10000, addr);
    CHECK_EQ(multiboot_header_version(im.d, im.size), 2, "both headers: version 2");
    new_machine(&b);
    ok = boot(&b, &im, "", NULL, 0, std_map, STD_NMAP, &out, &err);
    CHECK(ok && out.version == 2 && out.low == 0x300000, "both headers: v2 used");
    bus_destroy(&b);
}

/* A v2 header we must refuse does not stop a kernel that also has a v1 header. */
static void test_v2_fallback(void)
{
    img im;
    mb2b h;
    img_reset(&im, 0x2000);
    fill_pattern(&im, 0, 0x2000);
    mb2_begin(&h, &im, 0x1000);
    uint32_t a[4] = { 0x301000, 0x300000, 0, 0 }, e = 0x300010, fb = 8;
    mb2_tag(&h, 2, 0, a, 4);
    mb2_tag(&h, 3, 0, &e, 1);
    mb2_tag(&h, 1, 0, &fb, 1); /* required framebuffer information */
    mb2_end(&h);
    expect_fail(&im, "framebuffer information", "v2 alone: refused");
    uint32_t addr[5] = { 0x400040, 0x400000, 0, 0, 0x400100 };
    mb1_header(&im, 0x40, 0x10000, addr);
    multiboot_boot out;
    if (expect_ok(&im, &out, "v2 refused, v1 header present: loads")) {
        CHECK_EQ(out.version, 1, "fallback boots through v1");
        CHECK_EQ(out.eax, MB1_BOOT_MAGIC, "fallback: v1 magic");
        CHECK_EQ(out.low, 0x400000, "fallback: v1 address fields");
    }
    mb1_header(&im, 0x40, 0x10000 | 0x20, addr);
    expect_fail(&im, "unknown bits 0x20", "both refused: the v1 reason is given");
}

static void test_module_list(void)
{
    mb_module_arg *a;
    size_t n;
    vm_error err = { { 0 } };
    bool ok = mb_module_list_parse("m1 arg1 arg2,m2", &a, &n, &err);
    if (CHECK(ok && n == 2, "two modules")) {
        CHECK(strcmp(a[0].path, "m1") == 0, "path ends at the first space");
        CHECK(strcmp(a[0].cmdline, "m1 arg1 arg2") == 0, "cmdline is the whole entry");
        CHECK(strcmp(a[1].path, "m2") == 0 && strcmp(a[1].cmdline, "m2") == 0,
              "entry without arguments");
        mb_module_list_free(a, n);
    }
    ok = mb_module_list_parse("dir,,x/f a=1,,2,g", &a, &n, &err);
    if (CHECK(ok && n == 2, "\",,\" is a literal comma")) {
        CHECK(strcmp(a[0].path, "dir,x/f") == 0, "escaped comma in the path");
        CHECK(strcmp(a[0].cmdline, "dir,x/f a=1,2") == 0, "escaped comma in the arguments");
        CHECK(strcmp(a[1].path, "g") == 0, "next entry after an escape");
        mb_module_list_free(a, n);
    }
    ok = mb_module_list_parse("only", &a, &n, &err);
    CHECK(ok && n == 1 && strcmp(a[0].path, "only") == 0, "single entry");
    if (ok)
        mb_module_list_free(a, n);
    CHECK(!mb_module_list_parse("a,", &a, &n, &err), "trailing comma rejected");
    CHECK_STR(err.msg, "entry 2 has no file name", "trailing comma: which entry");
    CHECK(a == NULL && n == 0, "nothing returned on error");
    CHECK(!mb_module_list_parse("", &a, &n, &err), "empty list rejected");
    CHECK(!mb_module_list_parse("a, b", &a, &n, &err), "entry starting with a space rejected");
    CHECK(!mb_module_list_parse(",a", &a, &n, &err), "leading comma rejected");
}

/* Placement skips reserved holes and honours the map for mem_upper. */
static void test_placement(void)
{
    static const mb_mem_range holey[] = {
        { 0, 0xA0000, MB_MEM_AVAILABLE },
        { 0x100000, 0x100000, MB_MEM_AVAILABLE },      /* adjacent ranges merge */
        { 0x200000, 0x200000, MB_MEM_AVAILABLE },
        { 0x204000, 0x3000, MB_MEM_RESERVED },         /* hole inside an available range */
        { 0x400000, 0x100000, MB_MEM_RESERVED },
        { 0x500000, 0x1000000, MB_MEM_AVAILABLE },
    };
    img im;
    make_v1_kludge(&im, 0x200800, 0x203000, 0x200100); /* kernel ends at 0x203000 */
    file_buf files[2];
    mb_module mods[2];
    make_modules(files, mods);
    bus b;
    new_machine(&b);
    vm_error err;
    multiboot_boot out;
    bool ok = boot(&b, &im, "", mods, 2, holey, 6, &out, &err);
    if (!CHECK(ok, "kernel with holes in the map loads"))
        printf("#   %s\n", err.msg);
    uint32_t mods_addr = rd32(&b, out.ebx + 24);
    CHECK_EQ(rd32(&b, mods_addr), 0x207000, "module 1 (5000 bytes) skips the reserved hole");
    CHECK_EQ(rd32(&b, mods_addr + 16), 0x209000, "module 2 follows module 1 (order kept)");
    CHECK_EQ(rd32(&b, out.ebx + 4), 640, "mem_lower capped at 640 KiB");
    CHECK_EQ(rd32(&b, out.ebx + 8), 3 * 1024, "mem_upper = up to the first hole (4 MiB)");
    bus_destroy(&b);
}

/* ---- detection ---- */

static void test_detect(void)
{
    img im;
    img_reset(&im, 0x8100);
    mb1_header(&im, 8192 - 12, 0, NULL);
    CHECK_EQ(multiboot_header_version(im.d, im.size), 1, "v1 header ending at 8 KiB found");
    img_reset(&im, 0x8100);
    mb1_header(&im, 8192, 0, NULL);
    CHECK_EQ(multiboot_header_version(im.d, im.size), 0, "v1 header past 8 KiB ignored");
    CHECK_EQ(image_detect(im.d, im.size), IMG_RAW, "... and the file is raw");
    img_reset(&im, 0x8100);
    mb1_header(&im, 6, 0, NULL);
    CHECK_EQ(multiboot_header_version(im.d, im.size), 0, "misaligned v1 header ignored");
    mb1_header(&im, 8, 0, NULL);
    w32(&im, 16, 1);
    CHECK_EQ(multiboot_header_version(im.d, im.size), 0, "bad v1 checksum ignored");
    CHECK_EQ(multiboot_header_version(im.d, 19), 0, "v1 header cut short ignored");

    img_reset(&im, 0x8100);
    mb2b h;
    mb2_begin(&h, &im, 32768 - 24);
    mb2_end(&h);
    CHECK_EQ(multiboot_header_version(im.d, im.size), 2, "v2 header near 32 KiB found");
    img_reset(&im, 0x8100);
    mb2_begin(&h, &im, 32768);
    mb2_end(&h);
    CHECK_EQ(multiboot_header_version(im.d, im.size), 0, "v2 header past 32 KiB ignored");
    img_reset(&im, 0x8100);
    mb2_begin(&h, &im, 12);
    mb2_end(&h);
    CHECK_EQ(multiboot_header_version(im.d, im.size), 0, "v2 header not 8-aligned ignored");

    /* a Multiboot header in a non-x86 ELF means nothing */
    img_reset(&im, 0x2000);
    elf64_begin(&im, 0, 0);
    w16(&im, 18, EM_RISCV);
    mb1_header(&im, 0x1000, 0, NULL);
    CHECK_EQ(image_detect(im.d, im.size), IMG_ELF64, "RISC-V ELF with a stray header is ELF64");
    w16(&im, 18, EM_X86_64);
    CHECK_EQ(image_detect(im.d, im.size), IMG_MULTIBOOT, "x86_64 ELF with a header: Multiboot");
    img_reset(&im, 0x2000);
    elf32_begin(&im, 0, 0);
    CHECK_EQ(image_detect(im.d, im.size), IMG_ELF32, "i386 ELF without a header is ELF32");
}

/* ---- malformed input ---- */

static void test_bad_v1(void)
{
    img im;
    img_reset(&im, 0x3000);
    fill_pattern(&im, 0, 0x3000);
    expect_fail(&im, "no Multiboot header", "no header");
    mb1_header(&im, 0x40, 0x10003, NULL);
    w32(&im, 0x48, 0);
    expect_fail(&im, "no Multiboot header", "bad checksum");

    make_v1_kludge(&im, 0, 0, 0x200100);
    mb1_header(&im, 0x40, 0x10003 | 0x8, (uint32_t[5]){ 0x200040, 0x200000, 0, 0, 0x200100 });
    expect_fail(&im, "unknown bits 0x8", "unknown required flag");

    img_reset(&im, 0x50);
    mb1_header(&im, 0x38, 0x10000, NULL);
    expect_fail(&im, "truncated Multiboot header", "address fields past the end");

    make_v1_kludge(&im, 0, 0, 0x200100);
    mb1_header(&im, 0x40, 0x10000, (uint32_t[5]){ 0x200040, 0x200080, 0, 0, 0x200100 });
    expect_fail(&im, "above header_addr", "load_addr above header_addr");
    mb1_header(&im, 0x40, 0x10000, (uint32_t[5]){ 0x200040, 0x1FF000, 0, 0, 0x200100 });
    expect_fail(&im, "before the", "load_addr before the file start");
    mb1_header(&im, 0x40, 0x10000, (uint32_t[5]){ 0x200040, 0x200000, 0x1FFFFF, 0, 0x200100 });
    expect_fail(&im, "load_end_addr", "load_end_addr below load_addr");
    mb1_header(&im, 0x40, 0x10000, (uint32_t[5]){ 0x200040, 0x200000, 0x201001, 0, 0x200100 });
    expect_fail(&im, "truncated", "load_end_addr past the end of the file");
    mb1_header(&im, 0x40, 0x10000, (uint32_t[5]){ 0x200040, 0x200000, 0x200800, 0x2007FF,
                                                   0x200100 });
    expect_fail(&im, "bss_end_addr", "bss_end_addr below load_end_addr");
    mb1_header(&im, 0x40, 0x10000, (uint32_t[5]){ 0x200040, 0x200000, 0, 0xFFFFFFFF, 0x200100 });
    expect_fail(&im, "outside usable guest RAM", "bss to the top of 4 GiB");
    mb1_header(&im, 0x40, 0x10000, (uint32_t[5]){ 0x8000040, 0x8000000, 0, 0, 0x8000100 });
    expect_fail(&im, "outside usable guest RAM", "kludge above RAM");
    mb1_header(&im, 0x40, 0x10000, (uint32_t[5]){ 0x9F040, 0x9F000, 0, 0, 0x9F100 });
    expect_fail(&im, "outside usable guest RAM", "kludge over the reserved EBDA");
    mb1_header(&im, 0x40, 0x10000, (uint32_t[5]){ 0x200040, 0x200000, 0, 0, 0x300000 });
    expect_fail(&im, "entry point", "entry outside the image");
    mb1_header(&im, 0x40, 0x10000, (uint32_t[5]){ 0x200040, 0x200040, 0x200040, 0,
                                                   0x200040 });
    expect_fail(&im, "load nothing", "empty load");

    /* a map the loader must not trust either: ranges wrapping the address space */
    static const mb_mem_range wrap[] = { { 0xFFFFFFFFFFFFF000ULL, 0x2000, MB_MEM_AVAILABLE },
                                         { 0x200000, 0, MB_MEM_AVAILABLE } };
    make_v1_kludge(&im, 0, 0, 0x200100);
    expect_fail_map(&im, NULL, 0, wrap, 2, KPATH, "outside usable guest RAM",
                    "map with wrapping and empty ranges");

    img_reset(&im, 0x1000);
    fill_pattern(&im, 0, 0x1000);
    mb1_header(&im, 0x40, 0x3, NULL);
    expect_fail(&im, "not ELF", "raw image without address fields");
}

static void test_bad_elf(void)
{
    img im;
    make_v1_elf(&im);
    w16(&im, 44, 0xFFFF);
    expect_fail(&im, "truncated ELF program headers", "phnum past the file");

    make_v1_elf(&im);
    w16(&im, 42, 16);
    expect_fail(&im, "program headers", "phentsize too small");

    make_v1_elf(&im);
    elf32_load(&im, 1, 0x1200, 0xC0101000, 0x101000, 0x20, 0x2000);
    expect_fail(&im, "truncated: ELF segment 1", "segment past the end of the file");
    elf32_load(&im, 1, 0xFFFFFFF0, 0xC0101000, 0x101000, 0x20, 0x2000);
    expect_fail(&im, "truncated: ELF segment 1", "segment offset overflowing");

    make_v1_elf(&im);
    elf32_load(&im, 1, 0x1200, 0xC0101000, 0x101000, 0x10, 0x8);
    expect_fail(&im, "file size larger", "filesz > memsz");

    make_v1_elf(&im);
    elf32_load(&im, 1, 0x1200, 0xFFFFF000, 0xFFFFF000, 0x10, 0x2000);
    expect_fail(&im, "not below 4 GiB", "segment crossing 4 GiB");
    elf32_load(&im, 1, 0x1200, 0x4000000, 0x4000000, 0x10, 0x10);
    expect_fail(&im, "ELF segment 1 at 0x4000000", "segment above RAM");
    elf32_load(&im, 1, 0x1200, 0xA0000, 0xA0000, 0x10, 0x10);
    expect_fail(&im, "outside usable guest RAM", "segment in the VGA hole");

    make_v1_elf(&im);
    w32(&im, 24, 0x500000);
    expect_fail(&im, "entry point 0x500000", "entry in no segment");

    make_v1_elf(&im);
    w32(&im, 52, 4);
    w32(&im, 52 + 32, 6);
    expect_fail(&im, "no loadable segments", "no PT_LOAD");

    make_v1_elf(&im);
    w16(&im, 18, EM_X86_64);
    expect_fail(&im, "machine 62", "ELF32 for x86_64");
    make_v1_elf(&im);
    im.d[5] = 2;
    expect_fail(&im, "big-endian", "big-endian ELF");
    make_v1_elf(&im);
    im.d[4] = 7;
    expect_fail(&im, "class", "unknown ELF class");

    /* ELF64: wrapping and 64-bit addresses */
    make_v2_elf(&im);
    elf64_load(&im, 0, 0x1000, 0x100000, 0xFFFFFFFFFFFFF000ULL, 0x400, 0x2000);
    expect_fail(&im, "not below 4 GiB", "ELF64 segment wrapping the address space");
    make_v2_elf(&im);
    elf64_load(&im, 0, 0x1000, 0x100000, 0x100000, 0x400, 0xFFFFFFFFFFFFFFF0ULL);
    expect_fail(&im, "not below 4 GiB", "ELF64 huge memsz");
    make_v2_elf(&im);
    elf64_load(&im, 0, 0xFFFFFFFFFFFFFF00ULL, 0x100000, 0x100000, 0x400, 0x1000);
    expect_fail(&im, "truncated", "ELF64 huge offset");
    make_v2_elf(&im);
    w64(&im, 32, 0xFFFFFFFFFFFFFFC0ULL);
    expect_fail(&im, "truncated ELF program headers", "ELF64 huge phoff");

    /* higher-half ELF64 entry: translated through p_vaddr */
    make_v2_elf(&im);
    elf64_load(&im, 0, 0x1000, 0xFFFFFFFF80100000ULL, 0x100000, 0x400, 0x1000);
    w64(&im, 24, 0xFFFFFFFF80100040ULL);
    multiboot_boot out;
    if (expect_ok(&im, &out, "higher-half ELF64 loads"))
        CHECK_EQ(out.entry, 0x100040, "ELF64 entry translated to physical");

    /* an ELF header cut short: the Multiboot header fits, the ELF64 header does not */
    img_reset(&im, 60);
    memcpy(im.d, "\x7f" "ELF", 4);
    im.d[4] = 2;
    mb1_header(&im, 48, 0, NULL);
    expect_fail(&im, "truncated ELF header", "ELF64 header cut short");
}

/* A raw v2 image with a valid address + entry tag pair; the caller adds tags and ends. */
static void v2_raw_begin(img *im, mb2b *h)
{
    img_reset(im, 0x2000);
    fill_pattern(im, 0, 0x2000);
    mb2_begin(h, im, 0x1000);
    uint32_t a[4] = { 0x301000, 0x300000, 0, 0 };
    mb2_tag(h, 2, 0, a, 4);
    uint32_t e = 0x300010;
    mb2_tag(h, 3, 0, &e, 1);
}

/* Rewrite header_length (and the checksum with it). */
static void mb2_set_len(img *im, size_t off, uint32_t len)
{
    w32(im, off, MB2_HEADER_MAGIC);
    w32(im, off + 4, 0);
    w32(im, off + 8, len);
    w32(im, off + 12, (uint32_t)-(MB2_HEADER_MAGIC + len));
}

static void test_bad_v2(void)
{
    img im;
    mb2b h;
    multiboot_boot out;

    v2_raw_begin(&im, &h);
    mb2_end(&h);
    if (!expect_ok(&im, &out, "v2 base image for the malformed cases loads"))
        return;

    v2_raw_begin(&im, &h);
    h.arch = 4;
    mb2_end(&h);
    expect_fail(&im, "architecture 4 (MIPS)", "v2 for MIPS");

    v2_raw_begin(&im, &h);
    mb2_end(&h);
    mb2_set_len(&im, 0x1000, 16);
    expect_fail(&im, "too short", "v2 header_length 16");
    mb2_set_len(&im, 0x1000, 0x1008);
    expect_fail(&im, "truncated Multiboot2 header", "v2 header_length past the file");
    mb2_set_len(&im, 0x1000, 0xFFFFFFF8);
    expect_fail(&im, "truncated Multiboot2 header", "v2 header_length huge");

    v2_raw_begin(&im, &h);
    size_t at = h.pos;
    mb2_tag(&h, 99, 1, NULL, 0);
    mb2_end(&h);
    w32(&im, at + 4, 4);
    expect_fail(&im, "bad size", "v2 tag size < 8");
    w32(&im, at + 4, 0xFFFFFFF0);
    expect_fail(&im, "bad size", "v2 tag size past the header");

    v2_raw_begin(&im, &h);
    mb2_set_len(&im, 0x1000, (uint32_t)(h.pos - 0x1000));
    w32(&im, 0x1000, MB2_HEADER_MAGIC);
    expect_fail(&im, "no end tag", "v2 without end tag");

    uint32_t req[2] = { 1, 8 };
    v2_raw_begin(&im, &h);
    mb2_tag(&h, 1, 0, req, 2);
    mb2_end(&h);
    expect_fail(&im, "framebuffer information", "v2 required framebuffer info request");
    v2_raw_begin(&im, &h);
    mb2_tag(&h, 1, 1, req, 2);
    mb2_end(&h);
    expect_ok(&im, &out, "v2 optional framebuffer info request loads");
    req[1] = 1234;
    v2_raw_begin(&im, &h);
    mb2_tag(&h, 1, 0, req, 2);
    mb2_end(&h);
    expect_fail(&im, "tag 1234 (unknown)", "v2 required unknown info request");

    uint32_t fb[3] = { 800, 600, 32 };
    v2_raw_begin(&im, &h);
    mb2_tag(&h, 5, 0, fb, 3);
    mb2_end(&h);
    expect_fail(&im, "framebuffer", "v2 non-optional framebuffer tag");

    v2_raw_begin(&im, &h);
    mb2_tag(&h, 7, 0, NULL, 0);
    mb2_end(&h);
    expect_fail(&im, "EFI boot services", "v2 non-optional EFI boot services");

    v2_raw_begin(&im, &h);
    mb2_tag(&h, 99, 0, NULL, 0);
    mb2_end(&h);
    expect_fail(&im, "unknown non-optional tag 99", "v2 unknown required tag");

    uint32_t cons = 1;
    v2_raw_begin(&im, &h);
    mb2_tag(&h, 4, 0, &cons, 1);
    mb2_end(&h);
    expect_fail(&im, "console", "v2 console required");
    v2_raw_begin(&im, &h);
    mb2_tag(&h, 4, 1, &cons, 1);
    mb2_end(&h);
    expect_ok(&im, &out, "v2 console requested optionally loads");
    cons = 2;
    v2_raw_begin(&im, &h);
    mb2_tag(&h, 4, 0, &cons, 1);
    mb2_end(&h);
    expect_ok(&im, &out, "v2 'EGA text supported' alone loads");

    /* the tag sequence of a real dual-header kernel (Xen 4.17's Multiboot2 header) */
    v2_raw_begin(&im, &h);
    uint32_t xreq[2] = { 4, 6 }, reloc[4] = { 0x200000, 0xFFFFFFFF, 0x200000, 2 }, con = 2;
    uint32_t xfb[3] = { 0, 0, 0 }, efi64 = 0x3dd531;
    mb2_tag(&h, 1, 0, xreq, 2);
    mb2_tag(&h, 6, 0, NULL, 0);
    mb2_tag(&h, 10, 1, reloc, 4);
    mb2_tag(&h, 4, 1, &con, 1);
    mb2_tag(&h, 5, 1, xfb, 3);
    mb2_tag(&h, 7, 1, NULL, 0);
    mb2_tag(&h, 9, 1, &efi64, 1);
    mb2_end(&h);
    expect_ok(&im, &out, "Xen-like v2 header (relocatable, EFI tags optional) loads");

    img_reset(&im, 0x2000);
    mb2_begin(&h, &im, 0x1000);
    uint32_t a[2] = { 0x301000, 0x300000 };
    mb2_tag(&h, 2, 0, a, 2);
    mb2_end(&h);
    expect_fail(&im, "too short", "v2 address tag too short");

    make_v2_addr(&im, 0x300000, 0x301000, 0, 0, false);
    expect_fail(&im, "entry address tag", "v2 address tag without entry tag");
    make_v2_addr(&im, 0xFFFFFFFF, 0x800, 0, 0, true);
    expect_fail(&im, "below the header's file offset", "v2 load_addr -1 before address 0");
    make_v2_addr(&im, 0x300000, 0x301000, 0x300000, 0x300000, true);
    expect_fail(&im, "load nothing", "v2 address tag loading nothing");

    /* the entry tag overrides e_entry, and must still be inside the kernel */
    make_v2_elf(&im);
    mb2_begin(&h, &im, 0x1000);
    uint32_t e = 0x100300;
    mb2_tag(&h, 3, 0, &e, 1);
    mb2_end(&h);
    if (expect_ok(&im, &out, "v2 ELF with an entry tag loads"))
        CHECK_EQ(out.entry, 0x100300, "v2 entry tag overrides e_entry");
    w64(&im, 24, 0x7000000); /* e_entry in no segment: the entry tag stands in for it */
    if (expect_ok(&im, &out, "v2 ELF with a bogus e_entry but an entry tag loads"))
        CHECK_EQ(out.entry, 0x100300, "entry tag used");
    make_v2_elf(&im);
    mb2_begin(&h, &im, 0x1000);
    e = 0x900000;
    mb2_tag(&h, 3, 0, &e, 1);
    mb2_end(&h);
    expect_fail(&im, "entry point 0x900000", "v2 entry tag outside the kernel");

    /* header at the very end of the file: fixed part present, tags cut off */
    img_reset(&im, 0x1010);
    mb2_begin(&h, &im, 0x1000);
    w32(&im, 0x1000, MB2_HEADER_MAGIC);
    mb2_set_len(&im, 0x1000, 24);
    expect_fail(&im, "truncated Multiboot2 header", "v2 tags cut off by the end of file");
}

/* Modules and info that do not fit; a module size no RAM can hold. */
static void test_bad_fit(void)
{
    file_buf files[2];
    mb_module mods[2];
    make_modules(files, mods);
    img im;

    make_v1_kludge(&im, 0, RAM_SIZE - 0x1800, 0x200100);
    expect_fail_map(&im, mods, 2, std_map, STD_NMAP, "m1.bin", "does not fit",
                    "module past the end of RAM");
    expect_fail_map(&im, mods, 2, std_map, STD_NMAP, KPATH, "does not fit",
                    "module error also names the kernel");

    make_v1_kludge(&im, 0, RAM_SIZE - 0x100, 0x200100);
    expect_fail_map(&im, NULL, 0, std_map, STD_NMAP, KPATH, "no room", "info past the end of RAM");

    static uint8_t tiny[16];
    file_buf huge = { .path = "huge.bin", .data = tiny, .size = (size_t)(8 * GiB) };
    mb_module hm = { &huge, NULL };
    make_v1_kludge(&im, 0, 0, 0x200100);
    expect_fail_map(&im, &hm, 1, std_map, STD_NMAP, "huge.bin", "does not fit",
                    "8 GiB module");
    huge.size = SIZE_MAX;
    expect_fail_map(&im, &hm, 1, std_map, STD_NMAP, "huge.bin", "does not fit",
                    "SIZE_MAX module");

    /* the map lies: it lists RAM the bus does not have */
    static const mb_mem_range liar[] = { { 0x100000, 512 * MiB, MB_MEM_AVAILABLE } };
    make_v1_kludge(&im, 0, RAM_SIZE + 0x1000, 0x200100);
    expect_fail_map(&im, NULL, 0, liar, 1, KPATH, "outside usable guest RAM",
                    "bss beyond the bus's RAM");
    make_v1_kludge(&im, 0, RAM_SIZE - 0x1000, 0x200100);
    expect_fail_map(&im, mods, 2, liar, 1, "m1.bin", "outside guest RAM",
                    "module beyond the bus's RAM");
    make_v1_kludge(&im, 0, RAM_SIZE, 0x200100);
    expect_fail_map(&im, NULL, 0, liar, 1, KPATH, "outside guest RAM",
                    "info beyond the bus's RAM");
}

/* Random corruption of the good images (headers, ELF tables, address fields): every load
 * either succeeds inside the kernel/info ranges or fails with one line naming a file;
 * the sanitizer build catches any out-of-bounds access on the way. */
static void test_mutations(void)
{
    file_buf files[2];
    mb_module mods[2];
    make_modules(files, mods);
    bus b;
    new_machine(&b);
    uint64_t seed = 0x9E3779B97F4A7C15ULL;
    int bad = 0, loaded = 0, failed = 0;
    for (int round = 0; round < 4000; round++) {
        img im;
        switch (round % 4) {
        case 0: make_v1_elf(&im); break;
        case 1: make_v1_kludge(&im, 0x200800, 0x204000, 0x200100); break;
        case 2: make_v2_elf(&im); break;
        default: make_v2_addr(&im, 0x300000, 0x301000, 0, 0x310000, true); break;
        }
        int flips = 1 + (int)(seed >> 60);
        for (int i = 0; i < flips; i++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            /* mostly the first 0x1100 bytes (ELF and Multiboot headers), sometimes anywhere */
            size_t span = (seed >> 20) & 1 ? 0x1100 : im.size;
            size_t at = (size_t)(seed >> 33) % span;
            uint8_t v = (uint8_t)(seed >> 24);
            im.d[at] = (seed >> 21) & 1 ? v : (uint8_t)(im.d[at] ^ (1u << (v & 7)));
        }
        if ((seed >> 40) % 8 == 0)
            im.size = (size_t)(seed >> 45) % im.size; /* truncated file */
        vm_error err;
        multiboot_boot out;
        if (boot(&b, &im, "c", mods, (seed >> 50) & 1 ? 2 : 0, std_map, STD_NMAP, &out, &err)) {
            loaded++;
            bad += !(out.entry >= out.low && out.entry < out.high && out.high <= 4 * GiB &&
                     out.info_low >= out.high && out.ebx >= out.info_low &&
                     out.info_high <= RAM_SIZE);
        } else {
            failed++;
            bad += !(strstr(err.msg, KPATH) || strstr(err.msg, "m1.bin") ||
                     strstr(err.msg, "m2.bin")) || strchr(err.msg, '\n') != NULL;
            if (bad == 1 && !strstr(err.msg, KPATH))
                printf("#   %s\n", err.msg);
        }
    }
    printf("# mutations: %d loaded, %d refused\n", loaded, failed);
    CHECK_EQ(bad, 0, "4000 corrupted images: loaded sanely or refused naming the file");
    CHECK(loaded > 100 && failed > 100, "the corruptions exercise both outcomes");
    bus_destroy(&b);
}

int main(void)
{
    test_detect();
    test_v1_elf();
    test_v1_kludge();
    test_v2_elf();
    test_v2_address();
    test_v2_fallback();
    test_module_list();
    test_placement();
    test_bad_v1();
    test_bad_elf();
    test_bad_v2();
    test_bad_fit();
    test_mutations();
    return check_done();
}
