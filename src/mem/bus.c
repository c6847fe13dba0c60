/* MAP_ANONYMOUS is POSIX.1-2024; glibc still shows it only to _DEFAULT_SOURCE. */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE 1
#endif
#include "mem/bus.h"
#include "mem/code_pages.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void bus_init(bus *b)
{
    memset(b, 0, sizeof *b);
}

void bus_destroy(bus *b)
{
    for (int i = 0; i < b->count; i++) {
        bus_region *r = &b->regions[i];
        if (r->host)
            munmap(r->host, r->size);
        free(r->code_page);
        free(r->page_gen);
    }
    b->count = 0;
    b->code_listener_count = 0;
}

static bool overlaps(const bus *b, gpa_t base, uint64_t size)
{
    for (int i = 0; i < b->count; i++) {
        const bus_region *r = &b->regions[i];
        if (base < r->base + r->size && r->base < base + size)
            return true;
    }
    return false;
}

static bool add_region(bus *b, const bus_region *r, vm_error *err)
{
    if (r->size == 0 || r->base + r->size < r->base) {
        vm_error_set(err, "region %s: bad range", r->name);
        return false;
    }
    if (b->count == BUS_MAX_REGIONS) {
        vm_error_set(err, "region %s: too many bus regions", r->name);
        return false;
    }
    if (overlaps(b, r->base, r->size)) {
        vm_error_set(err, "region %s at 0x%llx overlaps another region", r->name,
                     (unsigned long long)r->base);
        return false;
    }
    b->regions[b->count++] = *r;
    return true;
}

bool bus_add_ram(bus *b, gpa_t base, uint64_t size, const char *name, vm_error *err)
{
    int flags = MAP_PRIVATE | MAP_ANONYMOUS;
#ifdef MAP_NORESERVE
    /* Not POSIX (Linux, macOS have it; FreeBSD dropped it): without it a large guest RAM
     * may count against the commit limit but behaves the same. */
    flags |= MAP_NORESERVE;
#endif
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (p == MAP_FAILED) {
        vm_error_set(err, "cannot map %llu MiB of guest RAM: %s",
                     (unsigned long long)(size / MiB), strerror(errno));
        return false;
    }
    uint64_t pages = (size + 4095) >> 12;
    bus_region r = { .base = base, .size = size, .host = p, .name = name,
                     .code_page = calloc(pages, 1),
                     .page_gen = calloc(pages, sizeof(uint32_t)) };
    if (!r.code_page || !r.page_gen) {
        vm_error_set(err, "out of memory for code-page tracking of %s", name);
    } else if (add_region(b, &r, err)) {
        return true;
    }
    free(r.code_page);
    free(r.page_gen);
    munmap(p, size);
    return false;
}

bool bus_add_rom(bus *b, gpa_t base, uint64_t size, const char *name, vm_error *err)
{
    if (!bus_add_ram(b, base, size, name, err))
        return false;
    b->regions[b->count - 1].readonly = true;
    return true;
}

bool bus_add_mmio(bus *b, gpa_t base, uint64_t size, const mmio_ops *ops, void *opaque,
                  const char *name, vm_error *err)
{
    bus_region r = { .base = base, .size = size, .ops = ops, .opaque = opaque, .name = name };
    return add_region(b, &r, err);
}

const bus_region *bus_find(const bus *b, gpa_t addr, uint64_t len)
{
    for (int i = 0; i < b->count; i++) {
        const bus_region *r = &b->regions[i];
        /* written so that no sum can overflow: addr - base < size, len <= size - off */
        if (addr >= r->base && addr - r->base < r->size && len <= r->size - (addr - r->base))
            return r;
    }
    return NULL;
}

uint8_t *bus_ram_ptr(const bus *b, gpa_t addr, uint64_t len)
{
    const bus_region *r = bus_find(b, addr, len);
    if (!r || !r->host)
        return NULL;
    return r->host + (addr - r->base);
}

uint8_t *bus_ram_ptr_writable(const bus *b, gpa_t addr, uint64_t len)
{
    const bus_region *r = bus_find(b, addr, len);
    if (!r || !r->host || r->readonly)
        return NULL;
    return r->host + (addr - r->base);
}

static uint64_t load_le(const uint8_t *p, unsigned size)
{
    switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static void store_le(uint8_t *p, unsigned size, uint64_t val)
{
    switch (size) {
    case 1: *p = (uint8_t)val; break;
    case 2: { uint16_t v = (uint16_t)val; memcpy(p, &v, 2); break; }
    case 4: { uint32_t v = (uint32_t)val; memcpy(p, &v, 4); break; }
    default: memcpy(p, &val, 8); break;
    }
}

bool bus_read(bus *b, gpa_t addr, unsigned size, uint64_t *val)
{
    const bus_region *r = bus_find(b, addr, size);
    if (!r)
        return false;
    if (r->host) {
        *val = load_le(r->host + (addr - r->base), size);
        return true;
    }
    uint64_t v = 0;
    if (!r->ops->read || !r->ops->read(r->opaque, addr - r->base, size, &v))
        return false;
    *val = size == 8 ? v : v & ((1ULL << (size * 8)) - 1);
    return true;
}

bool bus_write(bus *b, gpa_t addr, unsigned size, uint64_t val)
{
    const bus_region *r = bus_find(b, addr, size);
    if (!r)
        return false;
    if (r->host) {
        if (r->readonly)
            return true;   /* writes to ROM are dropped, not faults */
        store_le(r->host + (addr - r->base), size, val);
        bus_region_written(r, addr, size);
        return true;
    }
    if (size < 8)
        val &= (1ULL << (size * 8)) - 1;
    return r->ops->write && r->ops->write(r->opaque, addr - r->base, size, val);
}

bool bus_copy_to_ram(bus *b, gpa_t addr, const void *src, uint64_t len)
{
    if (len == 0)
        return true;
    uint8_t *p = bus_ram_ptr(b, addr, len);
    if (!p)
        return false;
    memcpy(p, src, len);
    bus_ram_written(b, addr, len);
    return true;
}

bool bus_copy_from_ram(const bus *b, gpa_t addr, void *dst, uint64_t len)
{
    if (len == 0)
        return true;
    const uint8_t *p = bus_ram_ptr(b, addr, len);
    if (!p)
        return false;
    memcpy(dst, p, len);
    return true;
}

const bus_region *bus_main_ram(const bus *b)
{
    for (int i = 0; i < b->count; i++)
        if (b->regions[i].host)
            return &b->regions[i];
    return NULL;
}
