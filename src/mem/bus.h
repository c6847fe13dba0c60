/* The guest-physical bus: RAM regions backed by lazily mapped host memory and MMIO
 * ranges with read/write callbacks. Every guest-physical access goes through here (or
 * through a TLB entry that was filled from here after a bounds check). An address that
 * no region claims is reported to the caller, which raises the guest's access fault. */
#ifndef VM_MEM_BUS_H
#define VM_MEM_BUS_H

#include "core/types.h"

typedef struct mmio_ops {
    /* size is 1, 2, 4 or 8; off is relative to the region base. Returning false from
     * read/write reports an access fault to the guest (e.g. unsupported width). */
    bool (*read)(void *opaque, uint64_t off, unsigned size, uint64_t *val);
    bool (*write)(void *opaque, uint64_t off, unsigned size, uint64_t val);
} mmio_ops;

typedef struct bus_region {
    gpa_t base;
    uint64_t size;
    uint8_t *host;          /* RAM: host mapping of [base, base+size); NULL for MMIO */
    const mmio_ops *ops;    /* MMIO callbacks */
    void *opaque;
    const char *name;
} bus_region;

#define BUS_MAX_REGIONS 64

typedef struct bus {
    bus_region regions[BUS_MAX_REGIONS];
    int count;
    /* Code-page tracking for the CPUs' decoded-block caches, over the main RAM region:
     * a CPU marks a page when it decodes code from it (and stops caching it for writes in
     * its TLB); any write to a marked page through the bus bumps the page's generation,
     * which invalidates every block decoded from it. */
    uint8_t *ram_host;
    gpa_t ram_base;
    uint64_t ram_pages;
    uint8_t *code_page;
    uint32_t *page_gen;
} bus;

/* Page index of a host pointer into main RAM, or UINT64_MAX. */
static inline uint64_t bus_ram_page_index(const bus *b, const uint8_t *host)
{
    uint64_t off = (uint64_t)(host - b->ram_host);
    if (!b->ram_host || host < b->ram_host || (off >> 12) >= b->ram_pages)
        return UINT64_MAX;
    return off >> 12;
}

/* Record a write to guest RAM [addr, addr+len) that did not go through bus_write. */
void bus_ram_written(bus *b, gpa_t addr, uint64_t len);

void bus_init(bus *b);
void bus_destroy(bus *b);

/* Map RAM of `size` bytes at `base` (mmap MAP_NORESERVE: untouched pages cost nothing). */
bool bus_add_ram(bus *b, gpa_t base, uint64_t size, const char *name, vm_error *err);
bool bus_add_mmio(bus *b, gpa_t base, uint64_t size, const mmio_ops *ops, void *opaque,
                  const char *name, vm_error *err);

/* The region containing [addr, addr+len), or NULL. */
const bus_region *bus_find(const bus *b, gpa_t addr, uint64_t len);

/* Host pointer for [addr, addr+len) if the whole range is inside one RAM region. */
uint8_t *bus_ram_ptr(const bus *b, gpa_t addr, uint64_t len);

/* Guest-physical accesses of 1/2/4/8 bytes (little-endian). false = access fault. */
bool bus_read(bus *b, gpa_t addr, unsigned size, uint64_t *val);
bool bus_write(bus *b, gpa_t addr, unsigned size, uint64_t val);

/* Bulk copy into RAM (loaders). false if any byte falls outside RAM. */
bool bus_copy_to_ram(bus *b, gpa_t addr, const void *src, uint64_t len);
bool bus_copy_from_ram(const bus *b, gpa_t addr, void *dst, uint64_t len);

/* First RAM region (the board's main memory), or NULL. */
const bus_region *bus_main_ram(const bus *b);

#endif
