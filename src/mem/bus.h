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
    uint8_t *host;          /* RAM/ROM: host mapping of [base, base+size); NULL for MMIO */
    bool readonly;          /* ROM: guest writes are dropped (loaders still fill it) */
    const mmio_ops *ops;    /* MMIO callbacks */
    void *opaque;
    const char *name;
    /* RAM only: code-page tracking (see bus_code_page_mark), one entry per 4 KiB page. */
    uint8_t *code_page;     /* 1 = a vCPU holds code decoded from this page */
    uint32_t *page_gen;     /* bumped by every write to a page while it is marked */
} bus_region;

#define BUS_MAX_REGIONS 64
#define BUS_MAX_CODE_LISTENERS 16

/* Called when a page becomes a code page: the vCPU drops its write-TLB entries for it,
 * so that every later store to the page reaches the bus and invalidates the code. */
typedef void (*bus_code_listener_fn)(void *opaque, gpa_t page);

typedef struct bus {
    bus_region regions[BUS_MAX_REGIONS];
    int count;
    struct bus_code_listener {
        bus_code_listener_fn drop_write;
        void *opaque;
    } code_listeners[BUS_MAX_CODE_LISTENERS];
    int code_listener_count;
} bus;

/* Code-page tracking, for every engine that caches decoded (or, later, translated) guest
 * code, over every RAM region. An engine marks a page when it decodes code from it and
 * keeps the returned generation pointer with the decoded code; the code is stale once
 * *genp differs from the value read at decode time. Any write to a marked page through
 * the bus (stores on the slow path, A/D updates, DMA, loaders) unmarks it and bumps its
 * generation; marking calls every listener so no vCPU keeps a write-TLB entry that would
 * bypass the bus. bus_code_page_mark returns NULL if pa is not RAM. */
const uint32_t *bus_code_page_mark(bus *b, gpa_t pa);
bool bus_code_page_is_marked(const bus *b, gpa_t pa);
bool bus_code_listener_add(bus *b, bus_code_listener_fn drop_write, void *opaque);
/* Record a write to guest RAM [addr, addr+len) that did not go through bus_write. */
void bus_ram_written(bus *b, gpa_t addr, uint64_t len);
/* The guest-physical address of a host pointer into RAM (the reverse of bus_ram_ptr). */
bool bus_ram_gpa(const bus *b, const uint8_t *host, gpa_t *pa);

void bus_init(bus *b);
void bus_destroy(bus *b);

/* Map RAM of `size` bytes at `base` (mmap MAP_NORESERVE: untouched pages cost nothing). */
bool bus_add_ram(bus *b, gpa_t base, uint64_t size, const char *name, vm_error *err);
/* Map ROM: RAM the guest can read and execute, whose writes are ignored as on a PC's
 * firmware flash; bus_copy_to_ram fills it. */
bool bus_add_rom(bus *b, gpa_t base, uint64_t size, const char *name, vm_error *err);
bool bus_add_mmio(bus *b, gpa_t base, uint64_t size, const mmio_ops *ops, void *opaque,
                  const char *name, vm_error *err);

/* The region containing [addr, addr+len), or NULL. */
const bus_region *bus_find(const bus *b, gpa_t addr, uint64_t len);

/* Host pointer for [addr, addr+len) if the whole range is inside one RAM (or ROM) region:
 * for reads and instruction fetch. */
uint8_t *bus_ram_ptr(const bus *b, gpa_t addr, uint64_t len);
/* The same for guest writes: NULL for ROM as well. */
uint8_t *bus_ram_ptr_writable(const bus *b, gpa_t addr, uint64_t len);

/* Guest-physical accesses of 1/2/4/8 bytes (little-endian). false = access fault. */
bool bus_read(bus *b, gpa_t addr, unsigned size, uint64_t *val);
bool bus_write(bus *b, gpa_t addr, unsigned size, uint64_t val);

/* Bulk copy into RAM (loaders). false if any byte falls outside RAM. */
bool bus_copy_to_ram(bus *b, gpa_t addr, const void *src, uint64_t len);
bool bus_copy_from_ram(const bus *b, gpa_t addr, void *dst, uint64_t len);

/* First RAM region (the board's main memory), or NULL. */
const bus_region *bus_main_ram(const bus *b);

#endif
