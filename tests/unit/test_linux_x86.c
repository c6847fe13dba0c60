/* x86 Linux boot protocol (src/load/linux_x86.h): bzImages synthesized here byte by byte,
 * the zero page, e820 table, page tables and GDT read back from guest RAM, and one error
 * per kind of truncated or corrupt header. */
#include <stdlib.h>

#include "check.h"
#include "load/linux_x86.h"

#define KPATH "bzImage"
#define SETUP_SECTS 4
#define PM_OFF ((SETUP_SECTS + 1) * 512)
#define PM_SIZE 0x3000

static uint8_t kimg[PM_OFF + PM_SIZE];

static void w16(size_t off, uint16_t v)
{
    kimg[off] = (uint8_t)v;
    kimg[off + 1] = (uint8_t)(v >> 8);
}

static void w32(size_t off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        kimg[off + i] = (uint8_t)(v >> (8 * i));
}

static void w64(size_t off, uint64_t v)
{
    w32(off, (uint32_t)v);
    w32(off + 4, (uint32_t)(v >> 32));
}

static uint64_t rd(bus *b, gpa_t a, unsigned size)
{
    uint64_t v = 0;
    bus_read(b, a, size, &v);
    return v;
}

/* A protocol 2.15 bzImage header (boot.rst offsets, written independently of the loader's
 * struct). The protected-mode kernel is a byte pattern. */
static void make_kernel(void)
{
    memset(kimg, 0, sizeof kimg);
    kimg[0x1f1] = SETUP_SECTS;
    w16(0x1fe, 0xAA55);
    kimg[0x200] = 0xeb;
    kimg[0x201] = 0x6a;             /* header ends at 0x26c */
    memcpy(kimg + 0x202, "HdrS", 4);
    w16(0x206, 0x020f);
    kimg[0x211] = 0x01;             /* LOADED_HIGH */
    w32(0x22c, 0x7fffffff);         /* initrd_addr_max */
    w32(0x230, 0x200000);           /* kernel_alignment */
    kimg[0x234] = 1;                /* relocatable */
    w16(0x236, 0x0003);             /* XLF_KERNEL_64 | CAN_BE_LOADED_ABOVE_4G */
    w32(0x238, 2047);               /* cmdline_size */
    w64(0x258, 0x1000000);          /* pref_address */
    w32(0x260, 0x800000);           /* init_size */
    w32(0x264, 0x12345678);         /* handover_offset: copied through */
    for (size_t i = 0; i < PM_SIZE; i++)
        kimg[PM_OFF + i] = (uint8_t)(i * 13 + 5);
}

static file_buf kfile(size_t size)
{
    return (file_buf){ .path = KPATH, .data = kimg, .size = size };
}

static bool parse_err(size_t size, const char *want, const char *name)
{
    file_buf f = kfile(size);
    linux_x86_image im;
    vm_error err = { { 0 } };
    bool ok = !linux_x86_parse(&f, &im, &err);
    ok &= strstr(err.msg, want) != NULL && strstr(err.msg, KPATH) != NULL;
    if (!ok)
        printf("#   error was \"%s\"\n", err.msg);
    return CHECK(ok, name);
}

static void test_parse(void)
{
    make_kernel();
    file_buf f = kfile(sizeof kimg);
    linux_x86_image im;
    vm_error err = { { 0 } };
    CHECK(linux_x86_parse(&f, &im, &err), "valid 2.15 header parses");
    CHECK_EQ(im.version, 0x020f, "version");
    CHECK_EQ(im.pm_offset, PM_OFF, "protected-mode kernel after 4+1 sectors");
    CHECK_EQ(im.pm_size, PM_SIZE, "pm size");
    CHECK_EQ(im.pref_address, 0x1000000, "pref_address");
    CHECK_EQ(im.init_size, 0x800000, "init_size");
    CHECK_EQ(im.cmdline_size, 2047, "cmdline_size");
    CHECK_EQ(im.kernel_alignment, 0x200000, "kernel_alignment");
    CHECK_EQ(im.setup_end, 0x26c, "header end from the jump byte");
    CHECK(im.relocatable, "relocatable");

    kimg[0x1f1] = 0;   /* boot.rst: 0 setup sectors means 4 */
    CHECK(linux_x86_parse(&f, &im, &err) && im.pm_offset == PM_OFF, "setup_sects 0 means 4");

    make_kernel();
    parse_err(0x205, "no \"HdrS\"", "truncated before HdrS");
    parse_err(0x207, "no version", "truncated in the version field");
    parse_err(0x240, "truncated x86 setup header", "truncated inside the 2.12 header");
    parse_err(PM_OFF + 0x100, "truncated bzImage", "protected-mode kernel cut short");
    kimg[0x202] = 'X';
    parse_err(sizeof kimg, "no \"HdrS\"", "bad magic");
    make_kernel();
    w16(0x206, 0x020b);
    parse_err(sizeof kimg, "2.11 is too old", "protocol 2.11 refused, version named");
    make_kernel();
    kimg[0x201] = 0x30;   /* header claims to end at 0x232 */
    parse_err(sizeof kimg, "the header ends at 0x232", "short header for 2.15");
    make_kernel();
    kimg[0x211] = 0;
    parse_err(sizeof kimg, "zImage", "LOADED_HIGH clear");
    make_kernel();
    w16(0x236, 0x0002);
    parse_err(sizeof kimg, "XLF_KERNEL_64", "no 64-bit entry");
    make_kernel();
    w32(0x230, 0x3000);
    parse_err(sizeof kimg, "kernel_alignment 0x3000", "alignment not a power of two");
    make_kernel();
    w64(0x258, 0x1000001);
    parse_err(sizeof kimg, "pref_address", "unaligned pref_address");
    make_kernel();
    w32(0x238, 0);
    parse_err(sizeof kimg, "cmdline_size is 0", "zero cmdline_size");
}

static void setup_bus(bus *b, bool high_ram)
{
    vm_error err;
    bus_init(b);
    bus_add_ram(b, 0, 128 * MiB, "ram", &err);
    if (high_ram)
        bus_add_ram(b, 4 * GiB, 64 * MiB, "ram-high", &err);
}

static void test_load(void)
{
    make_kernel();
    bus b;
    setup_bus(&b, false);
    e820_entry map[] = {
        { 0, 0x9fc00, E820_RAM },
        { 0x9fc00, 0x400, E820_RESERVED },
        { 0xf0000, 0x10000, E820_RESERVED },
        { 0x100000, 127 * MiB, E820_RAM },
    };
    uint8_t rd_data[10000];
    for (size_t i = 0; i < sizeof rd_data; i++)
        rd_data[i] = (uint8_t)(i ^ 0x5a);
    file_buf kf = kfile(sizeof kimg);
    file_buf rf = { .path = "initrd", .data = rd_data, .size = sizeof rd_data };
    linux_x86_boot bt;
    vm_error err = { { 0 } };
    /* Initrd limited below 4 GiB here: clear CAN_BE_LOADED_ABOVE_4G, limit 64 MiB. */
    w16(0x236, 0x0001);
    w32(0x22c, 64 * MiB - 1);
    bool ok = linux_x86_load(&b, &kf, &rf, "console=ttyS0 root=/dev/ram", map, 4, &bt, &err);
    if (!CHECK(ok, "load succeeds"))
        printf("#   %s\n", err.msg);
    CHECK_EQ(bt.entry, 0x1000200, "entry = pref_address + 0x200");
    CHECK_EQ(bt.kernel_low, 0x1000000, "kernel at pref_address");
    CHECK_EQ(rd(&b, 0x1000000 + 0x123, 1), (uint8_t)(0x123 * 13 + 5), "kernel bytes copied");
    CHECK_EQ(bt.rsi, LX86_ZERO_PAGE, "rsi = zero page");
    CHECK(bt.initrd_high <= 64 * MiB && bt.initrd_low % 4096 == 0 &&
              bt.initrd_low + sizeof rd_data == bt.initrd_high &&
              64 * MiB - bt.initrd_high < 4096,
          "initrd page-aligned, as high as allowed");
    CHECK_EQ(rd(&b, bt.initrd_low + 77, 1), 77 ^ 0x5a, "initrd bytes copied");

    gpa_t zp = bt.rsi;
    CHECK_EQ(rd(&b, zp + 0x202, 4), 0x53726448, "setup header copied: HdrS");
    CHECK_EQ(rd(&b, zp + 0x264, 4), 0x12345678, "setup header copied to its end");
    CHECK_EQ(rd(&b, zp + 0x210, 1), 0xff, "type_of_loader 0xff");
    CHECK_EQ(rd(&b, zp + 0x218, 4), bt.initrd_low, "ramdisk_image");
    CHECK_EQ(rd(&b, zp + 0x21c, 4), sizeof rd_data, "ramdisk_size");
    CHECK_EQ(rd(&b, zp + 0x0c0, 4), 0, "ext_ramdisk_image 0 below 4 GiB");
    gpa_t cl = rd(&b, zp + 0x228, 4) | rd(&b, zp + 0x0c8, 4) << 32;
    char line[64] = { 0 };
    bus_copy_from_ram(&b, cl, line, sizeof line - 1);
    CHECK(strcmp(line, "console=ttyS0 root=/dev/ram") == 0, "command line at cmd_line_ptr");

    /* e820: the input map with the boot structures carved out as reserved, sorted. */
    unsigned n = (unsigned)rd(&b, zp + 0x1e8, 1);
    CHECK(n >= 6, "e820 entries include the carve-outs");
    bool sorted = true, boot_reserved = false, pd_reserved = false, ram_high = false;
    uint64_t prev = 0;
    for (unsigned i = 0; i < n; i++) {
        gpa_t e = zp + 0x2d0 + 20 * i;
        uint64_t base = rd(&b, e, 8), len = rd(&b, e + 8, 8);
        uint32_t type = (uint32_t)rd(&b, e + 16, 4);
        sorted &= base >= prev;
        prev = base;
        if (type == E820_RESERVED && base <= LX86_PML4_ADDR && base + len >= LX86_PDPT_ADDR + 4096)
            boot_reserved = true;
        if (type == E820_RESERVED && base == LX86_PD_ADDR && len == 4 * 4096)
            pd_reserved = true;
        if (type == E820_RAM && base == 0x100000 && len == 127 * MiB)
            ram_high = true;
    }
    CHECK(sorted, "e820 sorted");
    CHECK(boot_reserved, "GDT/zero page/PML4/PDPT reserved");
    CHECK(pd_reserved, "4 page directories reserved (4 GiB mapped)");
    CHECK(ram_high, "RAM above 1 MiB passed through");

    /* Page tables: identity map of 4 GiB with 2 MiB pages. */
    CHECK_EQ(bt.cr3, LX86_PML4_ADDR, "cr3");
    CHECK_EQ(bt.mapped, 4 * GiB, "4 GiB mapped");
    uint64_t pml4e = rd(&b, bt.cr3, 8);
    CHECK_EQ(pml4e & 1, 1, "PML4[0] present");
    uint64_t pdpte = rd(&b, (pml4e & ~0xfffULL) + 3 * 8, 8);
    uint64_t pde = rd(&b, (pdpte & ~0xfffULL) + 17 * 8, 8);
    CHECK_EQ(pde, 3 * GiB + 17 * 2 * MiB + 0x83, "PD entry maps 3 GiB + 34 MiB, 2 MiB page");
    CHECK_EQ(rd(&b, (pml4e & ~0xfffULL) + 4 * 8, 8), 0, "nothing beyond 4 GiB");

    CHECK(linux_x86_set_acpi_rsdp(&b, &bt, 0xf5a10, &err), "set RSDP");
    CHECK_EQ(rd(&b, zp + 0x070, 8), 0xf5a10, "acpi_rsdp_addr at 0x070");
    CHECK_EQ(bt.gdt_limit, 31, "GDT limit");
    CHECK_EQ(rd(&b, bt.gdt_base + LX86_BOOT_CS, 8), 0x00af9a000000ffffULL, "__BOOT_CS 64-bit");
    CHECK_EQ(rd(&b, bt.gdt_base + LX86_BOOT_DS, 8), 0x00cf92000000ffffULL, "__BOOT_DS flat");

    /* Command line too long for cmdline_size. */
    char longline[3000];
    memset(longline, 'a', sizeof longline - 1);
    longline[sizeof longline - 1] = 0;
    CHECK(!linux_x86_load(&b, &kf, NULL, longline, map, 4, &bt, &err) &&
              strstr(err.msg, "limit of 2047"),
          "too long command line refused");

    /* pref_address not usable: relocatable kernel moves, non-relocatable is refused. */
    e820_entry small[] = { { 0, 0x9fc00, E820_RAM }, { 0x100000, 15 * MiB, E820_RAM },
                           { 20 * MiB, 100 * MiB, E820_RAM } };
    CHECK(linux_x86_load(&b, &kf, NULL, NULL, small, 3, &bt, &err) &&
              bt.kernel_low == 20 * MiB && bt.entry == 20 * MiB + 0x200,
          "relocated to the next aligned usable address");
    kimg[0x234] = 0;
    CHECK(!linux_x86_load(&b, &kf, NULL, NULL, small, 3, &bt, &err) &&
              strstr(err.msg, "not relocatable"),
          "non-relocatable kernel with unusable pref_address refused");
    kimg[0x234] = 1;

    e820_entry nolow[] = { { 0x100000, 127 * MiB, E820_RAM } };
    CHECK(!linux_x86_load(&b, &kf, NULL, NULL, nolow, 1, &bt, &err) &&
              strstr(err.msg, "boot structures"),
          "no low memory for the boot structures refused");

    /* Initrd larger than any room below initrd_addr_max. */
    static uint8_t big[80 * MiB / 64];
    file_buf bigf = { .path = "bigrd", .data = big, .size = sizeof big };
    w32(0x22c, 0x1000000 - 1);   /* 16 MiB: below the kernel only, 15 MiB free */
    bool refused = !linux_x86_load(&b, &kf, &bigf, NULL, map, 4, &bt, &err);
    CHECK(!refused || strstr(err.msg, "bigrd"), "initrd error names the file");
    bus_destroy(&b);
}

static void test_high_initrd(void)
{
    make_kernel();
    bus b;
    setup_bus(&b, true);
    e820_entry map[] = {
        { 0, 0x9fc00, E820_RAM },
        { 0x100000, 127 * MiB, E820_RAM },
        { 4 * GiB, 64 * MiB, E820_RAM },
    };
    uint8_t rd_data[5000];
    memset(rd_data, 0xab, sizeof rd_data);
    file_buf kf = kfile(sizeof kimg);
    file_buf rf = { .path = "initrd", .data = rd_data, .size = sizeof rd_data };
    linux_x86_boot bt;
    vm_error err = { { 0 } };
    CHECK(linux_x86_load(&b, &kf, &rf, "x", map, 3, &bt, &err), "load with high RAM");
    CHECK(bt.initrd_low >= 4 * GiB && bt.initrd_high <= 4 * GiB + 64 * MiB,
          "initrd above 4 GiB with XLF_CAN_BE_LOADED_ABOVE_4G");
    CHECK_EQ(rd(&b, bt.rsi + 0x218, 4) | rd(&b, bt.rsi + 0x0c0, 4) << 32, bt.initrd_low,
             "ramdisk_image + ext_ramdisk_image");
    CHECK_EQ(rd(&b, bt.initrd_low + 4999, 1), 0xab, "high initrd bytes");
    CHECK_EQ(bt.mapped, 5 * GiB, "identity map covers all RAM (5 GiB)");
    uint64_t pml4e = rd(&b, bt.cr3, 8);
    CHECK_EQ(rd(&b, (pml4e & ~0xfffULL) + 4 * 8, 8) & 1, 1, "PDPT[4] present");

    w16(0x236, 0x0001);   /* without the flag, the initrd stays under initrd_addr_max */
    CHECK(linux_x86_load(&b, &kf, &rf, "x", map, 3, &bt, &err) && bt.initrd_high <= 128 * MiB,
          "initrd below 4 GiB without the flag");
    bus_destroy(&b);
}

/* Random setup-header corruption: parse and load always answer, and a successful load
 * stays inside the memory map (the ASan/UBSan build checks the rest). */
static void test_mutations(void)
{
    bus b;
    setup_bus(&b, false);
    e820_entry map[] = { { 0, 0x9fc00, E820_RAM }, { 0x100000, 127 * MiB, E820_RAM } };
    uint8_t rdd[100] = { 0 };
    file_buf rf = { .path = "initrd", .data = rdd, .size = sizeof rdd };
    uint32_t seed = 777;
    unsigned loaded = 0, inside = 0;
    for (int iter = 0; iter < 3000; iter++) {
        make_kernel();
        for (int k = 0; k < 3; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t off = 0x1f1 + (seed >> 8) % 0x7b;
            seed = seed * 1103515245u + 12345u;
            kimg[off] = (uint8_t)(seed >> 16);
        }
        seed = seed * 1103515245u + 12345u;
        file_buf kf = kfile(0x200 + (seed >> 8) % (sizeof kimg - 0x200));
        linux_x86_boot bt;
        vm_error err;
        if (linux_x86_load(&b, &kf, &rf, "x", map, 2, &bt, &err)) {
            loaded++;
            inside += bt.kernel_low >= 1 * MiB && bt.kernel_high <= 128 * MiB &&
                      bt.initrd_high <= 128 * MiB && bt.entry == bt.kernel_low + 0x200;
        }
    }
    CHECK(loaded > 0, "some mutated kernels still load");
    CHECK_EQ(inside, loaded, "every load stays inside usable RAM");
    bus_destroy(&b);
}

int main(void)
{
    test_parse();
    test_load();
    test_high_initrd();
    test_mutations();
    return check_done();
}
