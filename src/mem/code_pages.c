/* Code-page tracking: which RAM pages hold guest code that a vCPU has decoded, and a
 * generation per page that every write to a marked page bumps (see mem/bus.h). Marking
 * is rare (once per page until the next write to it); the check on the hot path is one
 * compare of a remembered generation. */
#include "mem/bus.h"
#include "mem/code_pages.h"

static bus_region *ram_region(const bus *b, gpa_t pa)
{
    const bus_region *r = bus_find(b, pa, 1);
    return r && r->host ? (bus_region *)r : NULL;
}

const uint32_t *bus_code_page_mark(bus *b, gpa_t pa)
{
    bus_region *r = ram_region(b, pa);
    if (!r)
        return NULL;
    uint64_t p = (pa - r->base) >> 12;
    if (!r->code_page[p]) {
        r->code_page[p] = 1;
        gpa_t page = r->base + (p << 12);
        for (int i = 0; i < b->code_listener_count; i++)
            b->code_listeners[i].drop_write(b->code_listeners[i].opaque, page);
    }
    return &r->page_gen[p];
}

bool bus_code_page_is_marked(const bus *b, gpa_t pa)
{
    const bus_region *r = ram_region(b, pa);
    return r && r->code_page[(pa - r->base) >> 12];
}

bool bus_code_listener_add(bus *b, bus_code_listener_fn drop_write, void *opaque)
{
    if (b->code_listener_count == BUS_MAX_CODE_LISTENERS)
        return false;
    b->code_listeners[b->code_listener_count++] = (struct bus_code_listener){ drop_write, opaque };
    return true;
}

void bus_ram_written(bus *b, gpa_t addr, uint64_t len)
{
    if (len == 0)
        return;
    /* The range may span regions (a loader's copy): take it region by region. */
    for (int i = 0; i < b->count; i++) {
        bus_region *r = &b->regions[i];
        gpa_t last = len - 1 > UINT64_MAX - addr ? UINT64_MAX : addr + (len - 1);
        if (!r->host || addr > r->base + (r->size - 1) || last < r->base)
            continue;
        gpa_t lo = addr > r->base ? addr : r->base;
        gpa_t r_last = r->base + (r->size - 1);
        gpa_t hi = last < r_last ? last : r_last;
        bus_region_written(r, lo, hi - lo + 1);
    }
}

bool bus_ram_gpa(const bus *b, const uint8_t *host, gpa_t *pa)
{
    for (int i = 0; i < b->count; i++) {
        const bus_region *r = &b->regions[i];
        if (r->host && host >= r->host && (uint64_t)(host - r->host) < r->size) {
            *pa = r->base + (uint64_t)(host - r->host);
            return true;
        }
    }
    return false;
}
