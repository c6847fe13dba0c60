/* Internal to src/mem: the code-page bookkeeping bus_write shares with code_pages.c. */
#ifndef VM_MEM_CODE_PAGES_H
#define VM_MEM_CODE_PAGES_H

#include "mem/bus.h"

/* A write to [addr, addr+len) inside RAM region r: invalidate the code decoded from it. */
static inline void bus_region_written(const bus_region *r, gpa_t addr, uint64_t len)
{
    uint64_t first = (addr - r->base) >> 12, last = (addr - r->base + len - 1) >> 12;
    for (uint64_t p = first; p <= last; p++) {
        if (r->code_page[p]) {
            r->code_page[p] = 0;
            r->page_gen[p]++;
        }
    }
}

#endif
