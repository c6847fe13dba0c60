/* The guest-physical bus (src/mem/bus.h): RAM and MMIO regions, 1/2/4/8-byte little-endian
 * accesses, and the bounds rules: an access is served only if one region holds all of it,
 * with no host-side overflow for addresses near the top of the 64-bit space. */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "mem/bus.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (1 * MiB)
#define DEV_BASE 0x10000000ULL
#define DEV_SIZE 0x100ULL

/* A 256-byte register file that records the last access it saw. Widths listed in
 * `reject_size` are refused, to show that the device's "no" reaches the caller. */
typedef struct fake_dev {
    uint8_t regs[DEV_SIZE];
    uint64_t last_off;
    unsigned last_size;
    uint64_t last_val;
    int reads, writes;
    unsigned reject_size;
    bool garbage_high;  /* read returns junk above `size` bytes; the bus must mask it */
} fake_dev;

static bool dev_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    fake_dev *d = opaque;
    d->reads++;
    d->last_off = off;
    d->last_size = size;
    if (size == d->reject_size || off + size > DEV_SIZE)
        return false;
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v |= (uint64_t)d->regs[off + i] << (8 * i);
    if (d->garbage_high && size < 8)
        v |= 0xa5a5a5a5a5a5a5a5ULL << (8 * size);
    *val = v;
    return true;
}

static bool dev_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    fake_dev *d = opaque;
    d->writes++;
    d->last_off = off;
    d->last_size = size;
    d->last_val = val;
    if (size == d->reject_size || off + size > DEV_SIZE)
        return false;
    for (unsigned i = 0; i < size; i++)
        d->regs[off + i] = (uint8_t)(val >> (8 * i));
    return true;
}

static const mmio_ops dev_ops = { dev_read, dev_write };
static const mmio_ops read_only_ops = { dev_read, NULL };

static void test_ram_access(void)
{
    bus b;
    vm_error err = { { 0 } };
    bus_init(&b);
    CHECK(bus_add_ram(&b, RAM_BASE, RAM_SIZE, "ram", &err), "add 1 MiB RAM");
    CHECK_EQ(b.count, 1, "one region");

    uint64_t v = 0;
    CHECK(bus_read(&b, RAM_BASE + 0x100, 8, &v) && v == 0, "fresh RAM reads zero");

    CHECK(bus_write(&b, RAM_BASE, 8, 0x1122334455667788ULL), "write 8 bytes");
    const uint8_t *host = bus_ram_ptr(&b, RAM_BASE, 8);
    CHECK(host != NULL, "host pointer for written bytes");
    if (host) {
        static const uint8_t le[8] = { 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 };
        CHECK(memcmp(host, le, 8) == 0, "8-byte write is stored little-endian");
    }
    CHECK(bus_read(&b, RAM_BASE, 1, &v), "read 1");
    CHECK_EQ(v, 0x88, "byte 0 is the least significant");
    CHECK(bus_read(&b, RAM_BASE + 1, 2, &v), "read 2 (unaligned)");
    CHECK_EQ(v, 0x6677, "2-byte read at +1");
    CHECK(bus_read(&b, RAM_BASE + 4, 4, &v), "read 4");
    CHECK_EQ(v, 0x11223344, "4-byte read at +4");
    CHECK(bus_read(&b, RAM_BASE, 8, &v), "read 8");
    CHECK_EQ(v, 0x1122334455667788ULL, "8-byte read round-trips");
    CHECK(bus_read(&b, RAM_BASE + 3, 8, &v), "read 8 unaligned");
    CHECK_EQ(v, 0x0000001122334455ULL, "8-byte unaligned read");

    /* Narrow writes store only their low bytes and leave the neighbours alone. */
    CHECK(bus_write(&b, RAM_BASE + 0x10, 8, ~0ULL), "fill 8 bytes of ones");
    CHECK(bus_write(&b, RAM_BASE + 0x11, 1, 0xabcdef12), "write 1 with high junk");
    CHECK(bus_write(&b, RAM_BASE + 0x12, 2, 0xffff3456), "write 2 with high junk");
    CHECK(bus_write(&b, RAM_BASE + 0x14, 4, 0xdeadbeef00c0ffeeULL), "write 4 with high junk");
    CHECK(bus_read(&b, RAM_BASE + 0x10, 8, &v), "read back");
    CHECK_EQ(v, 0x00c0ffee345612ffULL, "1/2/4-byte writes store only their width");

    /* The very last bytes of the region are accessible, one more is not. */
    CHECK(bus_write(&b, RAM_BASE + RAM_SIZE - 8, 8, 42), "8 bytes ending at the region end");
    CHECK(bus_read(&b, RAM_BASE + RAM_SIZE - 1, 1, &v), "last byte readable");
    v = 0x5a5a;
    CHECK(!bus_read(&b, RAM_BASE + RAM_SIZE - 4, 8, &v), "read straddling the end fails");
    CHECK_EQ(v, 0x5a5a, "failed read leaves the value untouched");
    CHECK(!bus_write(&b, RAM_BASE + RAM_SIZE - 4, 8, 1), "write straddling the end fails");
    CHECK(!bus_read(&b, RAM_BASE + RAM_SIZE - 1, 2, &v), "2-byte read straddling the end");
    CHECK(!bus_read(&b, RAM_BASE + RAM_SIZE, 1, &v), "first byte after RAM");
    CHECK(!bus_read(&b, RAM_BASE - 1, 1, &v), "last byte before RAM");
    CHECK(!bus_read(&b, RAM_BASE - 4, 8, &v), "read straddling the start fails");
    CHECK(!bus_read(&b, 0, 8, &v), "address 0 unmapped");
    CHECK(!bus_write(&b, 0x1000, 4, 0), "unmapped write fails");
    CHECK(bus_find(&b, RAM_BASE + RAM_SIZE - 4, 8) == NULL, "bus_find straddling end");
    CHECK(bus_find(&b, RAM_BASE + 8, 8) == &b.regions[0], "bus_find inside");

    /* Addresses near UINT64_MAX must not wrap around into a region. */
    CHECK(!bus_read(&b, 0xfffffffffffffffcULL, 8, &v), "read at 2^64-4 len 8 fails");
    CHECK(!bus_write(&b, 0xfffffffffffffffcULL, 8, 0), "write at 2^64-4 len 8 fails");
    CHECK(!bus_read(&b, UINT64_MAX, 1, &v), "read at 2^64-1 fails");
    CHECK(bus_find(&b, RAM_BASE, UINT64_MAX) == NULL, "huge length does not fit");
    CHECK(bus_ram_ptr(&b, RAM_BASE + 8, UINT64_MAX - 4) == NULL,
          "huge length from inside RAM does not wrap");

    bus_destroy(&b);
    CHECK_EQ(b.count, 0, "bus_destroy empties the bus");
}

static void test_ram_ptr_and_copies(void)
{
    bus b;
    vm_error err = { { 0 } };
    fake_dev dev = { .reject_size = 0 };
    bus_init(&b);
    CHECK(bus_add_ram(&b, RAM_BASE, RAM_SIZE, "ram", &err), "add RAM");
    CHECK(bus_add_mmio(&b, DEV_BASE, DEV_SIZE, &dev_ops, &dev, "dev", &err), "add MMIO");

    uint8_t *base = bus_ram_ptr(&b, RAM_BASE, 1);
    CHECK(base != NULL, "bus_ram_ptr at base");
    CHECK(bus_ram_ptr(&b, RAM_BASE, RAM_SIZE) == base, "whole region");
    CHECK(bus_ram_ptr(&b, RAM_BASE + 0x123, 16) == base + 0x123, "pointer offset");
    CHECK(bus_ram_ptr(&b, RAM_BASE, RAM_SIZE + 1) == NULL, "one byte too many");
    CHECK(bus_ram_ptr(&b, RAM_BASE + RAM_SIZE, 1) == NULL, "just past the end");
    CHECK(bus_ram_ptr(&b, RAM_BASE + RAM_SIZE - 1, 1) == base + RAM_SIZE - 1, "last byte");
    CHECK(bus_ram_ptr(&b, RAM_BASE + RAM_SIZE - 1, 2) == NULL, "last byte + 1");
    CHECK(bus_ram_ptr(&b, RAM_BASE - 1, 2) == NULL, "starting before the region");
    CHECK(bus_ram_ptr(&b, DEV_BASE, 4) == NULL, "no host pointer into MMIO");
    CHECK(bus_ram_ptr(&b, 0xfffffffffffffffcULL, 8) == NULL, "no pointer at 2^64-4");

    static const char msg[] = "hello, guest";
    /* Code-page tracking: a write into a page marked as holding decoded code bumps its
     * generation and clears the mark; unmarked pages are left alone. */
    const uint32_t *g1 = bus_code_page_mark(&b, RAM_BASE + 0x1234);
    CHECK(g1 && bus_code_page_is_marked(&b, RAM_BASE + 0x1000), "mark a page");
    uint32_t gen = *g1;
    const uint32_t *g2 = bus_code_page_mark(&b, RAM_BASE + 0x2000);
    uint32_t gen2 = *g2;
    CHECK(bus_code_page_mark(&b, DEV_BASE) == NULL, "MMIO cannot be a code page");
    CHECK(!bus_code_page_is_marked(&b, DEV_BASE), "MMIO is never marked");
    bus_ram_written(&b, RAM_BASE + 0x2000, 0); /* empty write: nothing happens */
    CHECK(*g2 == gen2, "an empty write leaves the generation");
    CHECK(bus_code_page_is_marked(&b, RAM_BASE + 0x2000), "still marked");
    bus_code_page_mark(&b, RAM_BASE + 0x2000); /* already marked: the generation stays */
    CHECK(*g2 == gen2, "re-marking keeps the generation");
    bus_ram_written(&b, RAM_BASE + 0x3000, 0x1000);
    CHECK(*g2 == gen2, "a write to the next page leaves this one");
    gen2 = *g2;
    bus_ram_written(&b, RAM_BASE + 0x2000, 1);
    CHECK(*g2 == gen2 + 1 && !bus_code_page_is_marked(&b, RAM_BASE + 0x2000), "write bumps");
    gen2 = *g2;
    CHECK(bus_copy_to_ram(&b, RAM_BASE + 0x1000, msg, sizeof msg), "copy into RAM");
    CHECK(memcmp(base + 0x1000, msg, sizeof msg) == 0, "copied bytes land in RAM");
    CHECK(*g1 == gen + 1 && !bus_code_page_is_marked(&b, RAM_BASE + 0x1000),
          "copy into a code page bumps its generation");
    CHECK(*g2 == gen2, "other pages keep their generation");
    bus_code_page_mark(&b, RAM_BASE + 0x2000);
    CHECK(bus_write(&b, RAM_BASE + 0x2ffe, 2, 0xabcd), "store into a code page");
    CHECK(*g2 == gen2 + 1 && !bus_code_page_is_marked(&b, RAM_BASE + 0x2000),
          "bus_write into a code page bumps its generation");
    gpa_t pa = 0;
    CHECK(bus_ram_gpa(&b, base + 0x2fff, &pa) && pa == RAM_BASE + 0x2fff, "gpa of a host pointer");
    CHECK(!bus_ram_gpa(&b, base + RAM_SIZE, &pa), "no gpa past RAM");
    char back[sizeof msg] = { 0 };
    CHECK(bus_copy_from_ram(&b, RAM_BASE + 0x1000, back, sizeof back), "copy from RAM");
    CHECK(memcmp(back, msg, sizeof msg) == 0, "copy from RAM round-trips");

    CHECK(!bus_copy_to_ram(&b, 0x1000, msg, sizeof msg), "copy to unmapped fails");
    CHECK(!bus_copy_to_ram(&b, RAM_BASE + RAM_SIZE - 4, msg, sizeof msg),
          "copy straddling the end of RAM fails");
    CHECK(base[RAM_SIZE - 4] == 0, "failed copy writes nothing");
    CHECK(!bus_copy_to_ram(&b, RAM_BASE - 4, msg, sizeof msg), "copy straddling the start");
    CHECK(!bus_copy_to_ram(&b, DEV_BASE, msg, 4), "copy into MMIO fails");
    CHECK_EQ(dev.writes, 0, "device not written by a bulk copy");
    CHECK(!bus_copy_to_ram(&b, 0xfffffffffffffff0ULL, msg, sizeof msg), "copy at 2^64-16");
    CHECK(bus_copy_to_ram(&b, 0x1000, msg, 0), "empty copy succeeds anywhere");
    CHECK(!bus_copy_from_ram(&b, RAM_BASE + RAM_SIZE - 4, back, 8), "copy-from straddling");
    CHECK(!bus_copy_from_ram(&b, DEV_BASE, back, 4), "copy-from MMIO fails");

    CHECK(bus_main_ram(&b) == &b.regions[0], "main RAM is the RAM region");
    bus_destroy(&b);

    /* bus_main_ram finds RAM even when MMIO was registered first. */
    bus_init(&b);
    CHECK(bus_main_ram(&b) == NULL, "no RAM on an empty bus");
    CHECK(bus_add_mmio(&b, DEV_BASE, DEV_SIZE, &dev_ops, &dev, "dev", &err), "MMIO first");
    CHECK(bus_main_ram(&b) == NULL, "MMIO is not RAM");
    CHECK(bus_add_ram(&b, RAM_BASE, RAM_SIZE, "ram", &err), "then RAM");
    const bus_region *r = bus_main_ram(&b);
    CHECK(r && r->base == RAM_BASE && r->host, "bus_main_ram skips MMIO");
    bus_destroy(&b);
}

static void test_mmio(void)
{
    bus b;
    vm_error err = { { 0 } };
    fake_dev dev;
    memset(&dev, 0, sizeof dev);
    bus_init(&b);
    CHECK(bus_add_mmio(&b, DEV_BASE, DEV_SIZE, &dev_ops, &dev, "dev", &err), "add MMIO");

    static const unsigned sizes[4] = { 1, 2, 4, 8 };
    static const uint64_t vals[4] = { 0xab, 0xbeef, 0xdeadbeef, 0x0123456789abcdefULL };
    for (int i = 0; i < 4; i++) {
        char name[96];
        unsigned sz = sizes[i];
        uint64_t off = 0x10 * (uint64_t)(i + 1);
        snprintf(name, sizeof name, "MMIO write %u bytes reaches the device", sz);
        CHECK(bus_write(&b, DEV_BASE + off, sz, vals[i]), name);
        snprintf(name, sizeof name, "MMIO %u-byte write: offset relative to base", sz);
        CHECK(dev.last_off == off && dev.last_size == sz && dev.last_val == vals[i], name);
        uint64_t v = 0;
        snprintf(name, sizeof name, "MMIO read %u bytes", sz);
        CHECK(bus_read(&b, DEV_BASE + off, sz, &v), name);
        snprintf(name, sizeof name, "MMIO %u-byte read value", sz);
        CHECK_EQ(v, vals[i], name);
        snprintf(name, sizeof name, "MMIO %u-byte read: offset and size", sz);
        CHECK(dev.last_off == off && dev.last_size == sz, name);
    }
    CHECK(dev.regs[0x40] == 0xef && dev.regs[0x47] == 0x01, "device sees little-endian bytes");

    /* The bus masks what a device returns and what it is given to the access width. */
    dev.garbage_high = true;
    uint64_t v = 0;
    CHECK(bus_read(&b, DEV_BASE + 0x10, 1, &v) && v == 0xab, "read 1 masked to 8 bits");
    CHECK(bus_read(&b, DEV_BASE + 0x20, 2, &v) && v == 0xbeef, "read 2 masked to 16 bits");
    CHECK(bus_read(&b, DEV_BASE + 0x30, 4, &v) && v == 0xdeadbeef, "read 4 masked to 32 bits");
    dev.garbage_high = false;
    CHECK(bus_write(&b, DEV_BASE + 0x50, 2, 0xffffffff00001234ULL), "write 2 with high junk");
    CHECK_EQ(dev.last_val, 0x1234, "device gets the value masked to 16 bits");

    dev.reject_size = 8;
    CHECK(!bus_read(&b, DEV_BASE, 8, &v), "device refusing a width fails the read");
    CHECK(!bus_write(&b, DEV_BASE, 8, 0), "device refusing a width fails the write");
    dev.reject_size = 0;

    int reads = dev.reads;
    CHECK(!bus_read(&b, DEV_BASE + DEV_SIZE - 4, 8, &v), "MMIO read straddling the end");
    CHECK(!bus_read(&b, DEV_BASE + DEV_SIZE, 1, &v), "MMIO read past the end");
    CHECK_EQ(dev.reads, reads, "out-of-range accesses never reach the device");

    fake_dev ro;
    memset(&ro, 0, sizeof ro);
    CHECK(bus_add_mmio(&b, DEV_BASE + 0x1000, 0x100, &read_only_ops, &ro, "ro", &err),
          "add a device without a write callback");
    CHECK(bus_read(&b, DEV_BASE + 0x1000, 4, &v), "read-only device reads");
    CHECK(!bus_write(&b, DEV_BASE + 0x1000, 4, 1), "write to a device without write fails");

    /* RAM directly after MMIO: an access spanning both belongs to neither. */
    CHECK(bus_add_ram(&b, DEV_BASE + DEV_SIZE, 0x800, "ram-after", &err), "adjacent RAM");
    CHECK(!bus_read(&b, DEV_BASE + DEV_SIZE - 2, 4, &v), "access spanning MMIO and RAM fails");
    CHECK(bus_read(&b, DEV_BASE + DEV_SIZE, 4, &v), "adjacent RAM readable");
    bus_destroy(&b);
}

static void test_region_rules(void)
{
    bus b;
    vm_error err = { { 0 } };
    fake_dev dev;
    memset(&dev, 0, sizeof dev);
    bus_init(&b);
    CHECK(bus_add_ram(&b, RAM_BASE, RAM_SIZE, "ram", &err), "add RAM");

    err.msg[0] = 0;
    CHECK(!bus_add_ram(&b, RAM_BASE + RAM_SIZE / 2, RAM_SIZE, "ram2", &err),
          "overlapping RAM rejected");
    CHECK_STR(err.msg, "overlap", "overlap error says so");
    CHECK_STR(err.msg, "ram2", "overlap error names the region");
    CHECK(!bus_add_ram(&b, RAM_BASE - 0x1000, 0x1001, "ram3", &err),
          "RAM overlapping the first byte rejected");
    CHECK(!bus_add_mmio(&b, RAM_BASE + RAM_SIZE - 1, 0x10, &dev_ops, &dev, "dev", &err),
          "MMIO overlapping the last byte rejected");
    CHECK(!bus_add_mmio(&b, RAM_BASE + 0x1000, 0x10, &dev_ops, &dev, "dev", &err),
          "MMIO inside RAM rejected");
    CHECK(!bus_add_mmio(&b, RAM_BASE - 0x1000, RAM_SIZE + 0x2000, &dev_ops, &dev, "dev", &err),
          "MMIO enclosing RAM rejected");
    CHECK_EQ(b.count, 1, "rejected regions are not added");
    CHECK(bus_add_mmio(&b, RAM_BASE + RAM_SIZE, 0x10, &dev_ops, &dev, "after", &err),
          "region starting at the end of RAM accepted");
    CHECK(bus_add_mmio(&b, RAM_BASE - 0x10, 0x10, &dev_ops, &dev, "before", &err),
          "region ending at the start of RAM accepted");

    CHECK(!bus_add_mmio(&b, 0x1000, 0, &dev_ops, &dev, "empty", &err), "zero size rejected");
    CHECK(!bus_add_mmio(&b, 0xfffffffffffff000ULL, 0x2000, &dev_ops, &dev, "wrap", &err),
          "region wrapping past 2^64 rejected");

    /* A device near the top of the address space: accesses there must not wrap. */
    CHECK(bus_add_mmio(&b, 0xffffffffffffe000ULL, 0x1000, &dev_ops, &dev, "top", &err),
          "region near the top of the address space");
    uint64_t v;
    int reads = dev.reads;
    CHECK(!bus_read(&b, 0xfffffffffffffffcULL, 8, &v), "read at 2^64-4 len 8 still fails");
    CHECK(!bus_read(&b, 0xffffffffffffeffcULL, 8, &v), "read straddling the top device's end");
    CHECK_EQ(dev.reads, reads, "the top device was never called");
    CHECK(bus_read(&b, 0xffffffffffffe008ULL, 8, &v), "inside the top device works");
    bus_destroy(&b);

    /* The region table is finite; the 65th region is an error, not an overflow. */
    bus_init(&b);
    bool all = true;
    for (int i = 0; i < BUS_MAX_REGIONS; i++)
        all &= bus_add_mmio(&b, 0x1000ULL * (uint64_t)(i + 1), 0x100, &dev_ops, &dev, "d", &err);
    CHECK(all, "BUS_MAX_REGIONS regions fit");
    err.msg[0] = 0;
    CHECK(!bus_add_mmio(&b, 0x1000000, 0x100, &dev_ops, &dev, "extra", &err),
          "one region too many rejected");
    CHECK_STR(err.msg, "too many", "error says there are too many");
    CHECK_EQ(b.count, BUS_MAX_REGIONS, "count stays at the maximum");
    bus_destroy(&b);
}

/* Resident set size in pages (/proc/self/statm, second field). */
static long rss_pages(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, rss = -1;
    if (!f)
        return -1;
    if (fscanf(f, "%ld %ld", &size, &rss) != 2)
        rss = -1;
    fclose(f);
    return rss;
}

static void test_lazy_ram(void)
{
    bus b;
    vm_error err = { { 0 } };
    bus_init(&b);
    long page = sysconf(_SC_PAGESIZE);
    long before = rss_pages();
    bool ok = bus_add_ram(&b, RAM_BASE, 4 * GiB, "ram", &err);
    if (!CHECK(ok, "4 GiB RAM region maps")) {
        printf("#   %s\n", err.msg);
        return;
    }
    uint64_t v = 1;
    CHECK(bus_write(&b, RAM_BASE, 8, 0x55), "write at the start of 4 GiB");
    CHECK(bus_write(&b, RAM_BASE + 4 * GiB - 8, 8, 0x66), "write at the end of 4 GiB");
    CHECK(bus_read(&b, RAM_BASE + 2 * GiB, 8, &v) && v == 0, "untouched middle reads zero");
    CHECK(bus_read(&b, RAM_BASE + 4 * GiB - 8, 8, &v) && v == 0x66, "end reads back");
    CHECK(!bus_read(&b, RAM_BASE + 4 * GiB - 4, 8, &v), "straddling the end of 4 GiB fails");
    long after = rss_pages();
    long grown_kib = (after - before) * (page / 1024);
    char name[96];
    snprintf(name, sizeof name, "RSS grew by %ld KiB (< 64 MiB): RAM is mapped lazily",
             grown_kib);
    CHECK(before > 0 && after > 0 && grown_kib < 64 * 1024, name);
    bus_destroy(&b);
}

/* Every RAM region is tracked (not only the first), a write spanning two regions
 * invalidates both, and marking calls every listener once per newly marked page. */
typedef struct listener_log {
    int calls;
    gpa_t last;
} listener_log;

static void record_drop(void *opaque, gpa_t page)
{
    listener_log *l = opaque;
    l->calls++;
    l->last = page;
}

static void test_code_pages_every_region(void)
{
    bus b;
    vm_error err = { { 0 } };
    listener_log l1 = { 0 }, l2 = { 0 };
    bus_init(&b);
    CHECK(bus_add_ram(&b, 0, 0x10000, "low", &err), "low RAM");
    CHECK(bus_add_ram(&b, 0x10000, 0x10000, "high", &err), "adjacent RAM region");
    CHECK(bus_code_listener_add(&b, record_drop, &l1) && bus_code_listener_add(&b, record_drop, &l2),
          "two listeners (two vCPUs)");
    const uint32_t *lo = bus_code_page_mark(&b, 0xf000);
    const uint32_t *hi = bus_code_page_mark(&b, 0x10000);
    CHECK(lo && hi && lo != hi, "pages in both regions can be marked");
    CHECK(l1.calls == 2 && l2.calls == 2 && l2.last == 0x10000, "each listener told of each page");
    bus_code_page_mark(&b, 0x10ffc);
    CHECK(l1.calls == 2, "no call for a page already marked");
    uint32_t glo = *lo, ghi = *hi;
    uint8_t bytes[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    CHECK(bus_copy_to_ram(&b, 0xfffc, bytes, sizeof bytes) == false,
          "a bulk copy across regions is refused (one region per host pointer)");
    bus_ram_written(&b, 0xfffc, 8);
    CHECK(*lo == glo + 1 && *hi == ghi + 1, "a write spanning both regions invalidates both");
    bus_ram_written(&b, 0xfffffffffffffff0ULL, 0x100);
    CHECK(*lo == glo + 1, "a wrapping range is clamped, not wrapped");
    bus_destroy(&b);
}

/* ROM: readable, filled by loaders, guest writes dropped (not faults), never writable
 * through a host pointer. */
static void test_rom(void)
{
    bus b;
    vm_error err = { { 0 } };
    bus_init(&b);
    CHECK(bus_add_rom(&b, 0xffff0000ULL, 0x10000, "rom", &err), "add ROM");
    static const uint8_t code[4] = { 0xea, 0x5b, 0xe0, 0x00 };
    CHECK(bus_copy_to_ram(&b, 0xfffffff0ULL, code, sizeof code), "loader fills ROM");
    uint64_t v = 0;
    CHECK(bus_read(&b, 0xfffffff0ULL, 4, &v) && v == 0x00e05beaULL, "ROM reads back");
    CHECK(bus_write(&b, 0xfffffff0ULL, 4, 0x12345678), "a guest write to ROM is not a fault");
    CHECK(bus_read(&b, 0xfffffff0ULL, 4, &v) && v == 0x00e05beaULL, "... and changes nothing");
    CHECK(bus_ram_ptr(&b, 0xfffffff0ULL, 4) != NULL, "readable host pointer into ROM");
    CHECK(bus_ram_ptr_writable(&b, 0xfffffff0ULL, 4) == NULL, "no writable pointer into ROM");
    CHECK(bus_add_ram(&b, 0, 0x1000, "ram", &err) && bus_ram_ptr_writable(&b, 0, 4) != NULL,
          "RAM is writable");
    bus_destroy(&b);
}

int main(void)
{
    test_ram_access();
    test_ram_ptr_and_copies();
    test_mmio();
    test_region_rules();
    test_lazy_ram();
    test_code_pages_every_region();
    test_rom();
    return check_done();
}
