/* Memory access for the x86 CPU: segmentation (limit/type checks outside 64-bit mode,
 * canonical checks in it), paging through the soft TLB (a hit is a tag compare plus an
 * add to a host pointer), and the out-of-line slow paths in mmu.c (walks, MMIO, page
 * crossings, faults). A faulting access does not return: it unwinds to the run loop
 * through x86_fault (excp.h). */
#ifndef VM_X86_MMU_H
#define VM_X86_MMU_H

#include <string.h>

#include "arch/x86/cpu.h"

/* Access flags beyond ACC_R/W/X */
#define MA_SUPER 0x10   /* implicit supervisor access (descriptor tables, TSS) */

_Noreturn void x86_fault(x86_cpu *cpu, int vec, uint32_t err);

/* Is this access made with user privilege (SDM Vol.3 §4.6: CPL 3, not implicit)? */
static inline unsigned x86_user(const x86_cpu *cpu, unsigned acc)
{
    return cpu->cpl == 3 && !(acc & MA_SUPER);
}

static inline uint8_t *x86_tlb_hit(x86_cpu *cpu, unsigned user, unsigned acc, uint64_t lin,
                                   unsigned size)
{
    uint64_t vpn = lin >> 12;
    x86_tlb_entry *e = &cpu->tlb[user][acc][vpn & (X86_TLB_SIZE - 1)];
    if (likely(e->tag == vpn + 1 && (lin & 0xfff) + size <= 4096))
        return (uint8_t *)(uintptr_t)(lin + e->addend);
    return NULL;
}

uint64_t x86_lin_read_slow(x86_cpu *cpu, uint64_t lin, unsigned size, unsigned acc);
void x86_lin_write_slow(x86_cpu *cpu, uint64_t lin, unsigned size, uint64_t val,
                        unsigned acc);

static inline uint64_t x86_ld(const uint8_t *p, unsigned size)
{
    switch (size) {
    case 1: return *p;
    case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
    case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
    default: { uint64_t v; memcpy(&v, p, 8); return v; }
    }
}

static inline void x86_st(uint8_t *p, unsigned size, uint64_t val)
{
    switch (size) {
    case 1: *p = (uint8_t)val; break;
    case 2: { uint16_t v = (uint16_t)val; memcpy(p, &v, 2); break; }
    case 4: { uint32_t v = (uint32_t)val; memcpy(p, &v, 4); break; }
    default: memcpy(p, &val, 8); break;
    }
}

/* Linear-address accesses (acc: ACC_R/ACC_W, | MA_SUPER for implicit ones). */
static inline uint64_t x86_lin_read(x86_cpu *cpu, uint64_t lin, unsigned size, unsigned acc)
{
    uint8_t *p = x86_tlb_hit(cpu, x86_user(cpu, acc), ACC_R, lin, size);
    if (likely(p != NULL))
        return x86_ld(p, size);
    return x86_lin_read_slow(cpu, lin, size, acc);
}

static inline void x86_lin_write(x86_cpu *cpu, uint64_t lin, unsigned size, uint64_t val,
                                 unsigned acc)
{
    uint8_t *p = x86_tlb_hit(cpu, x86_user(cpu, acc), ACC_W, lin, size);
    if (likely(p != NULL)) {
        x86_st(p, size, val);
        return;
    }
    x86_lin_write_slow(cpu, lin, size, val, acc);
}

/* Make sure a write of [lin, lin+size) would not fault (before a read-modify-write or a
 * multi-part store), so no partial update is visible on a fault. */
void x86_lin_probe_write(x86_cpu *cpu, uint64_t lin, unsigned size, unsigned acc);

/* Segment-relative offset → linear address, with the segment checks of the current mode
 * (SDM Vol.3 §5.3 limit checking, §5.4 type checking, Vol.1 §3.3.7.1 canonical form).
 * acc: ACC_R, ACC_W or ACC_X. */
uint64_t x86_seg_linear_slow(x86_cpu *cpu, int seg, uint64_t off, unsigned size,
                            unsigned acc);

/* 64-bit mode with a base-0 segment and a low-half canonical address is the common case. */
static inline uint64_t x86_seg_linear(x86_cpu *cpu, int seg, uint64_t off, unsigned size,
                                      unsigned acc)
{
    if (likely(cpu->code_bits == 64 && seg != SEG_FS && seg != SEG_GS &&
               (off >> 47) == 0 && ((off + size - 1) >> 47) == 0))
        return off;
    return x86_seg_linear_slow(cpu, seg, off, size, acc);
}

static inline uint64_t x86_read(x86_cpu *cpu, int seg, uint64_t off, unsigned size)
{
    return x86_lin_read(cpu, x86_seg_linear(cpu, seg, off, size, ACC_R), size, ACC_R);
}

static inline void x86_write(x86_cpu *cpu, int seg, uint64_t off, unsigned size,
                             uint64_t val)
{
    x86_lin_write(cpu, x86_seg_linear(cpu, seg, off, size, ACC_W), size, val, ACC_W);
}

/* Read for a read-modify-write: checks write permission first. */
static inline uint64_t x86_read_rmw(x86_cpu *cpu, int seg, uint64_t off, unsigned size)
{
    uint64_t lin = x86_seg_linear(cpu, seg, off, size, ACC_W);
    uint8_t *p = x86_tlb_hit(cpu, x86_user(cpu, ACC_W), ACC_W, lin, size);
    if (likely(p != NULL))
        return x86_ld(p, size);
    x86_lin_probe_write(cpu, lin, size, ACC_W);
    return x86_lin_read_slow(cpu, lin, size, ACC_R);
}

/* Translate a linear address; false with *err = #PF error code when it faults (the
 * caller raises). Fills the TLB for RAM pages. */
bool x86_translate(x86_cpu *cpu, uint64_t lin, unsigned acc, uint64_t *pa, uint32_t *err);

/* Host pointer to the code page holding lin (fetch through the exec TLB), or NULL if not
 * RAM (then fetch byte by byte). Raises #PF on a failed translation. */
const uint8_t *x86_fetch_ptr(x86_cpu *cpu, uint64_t lin, uint64_t *pa);
uint8_t x86_fetch_byte_slow(x86_cpu *cpu, uint64_t lin);

void x86_tlb_flush(x86_cpu *cpu, bool keep_global);
/* Debug registers (debug.c): DR7 writes arm breakpoints; an instruction breakpoint at
 * lin raises #DB; a data access records the data breakpoints it matches in dr_hit. */
void x86_dr7_write(x86_cpu *cpu, uint64_t v);
void x86_dbg_exec_check(x86_cpu *cpu, uint64_t lin);
void x86_dbg_data_access(x86_cpu *cpu, uint64_t lin, unsigned size, bool write);
void x86_tlb_flush_page(x86_cpu *cpu, uint64_t lin);
/* Drop write entries that map the host page (it now holds decoded code). */
void x86_tlb_drop_write_host(x86_cpu *cpu, const uint8_t *host_page);

#endif
