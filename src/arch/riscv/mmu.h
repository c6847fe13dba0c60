/* The memory access fast paths of the hart: a TLB hit is a tag compare and an add to a
 * host pointer; everything else (page walk, PMP, MMIO, misaligned, faults) is out of line
 * in mmu.c. */
#ifndef VM_RISCV_MMU_H
#define VM_RISCV_MMU_H

#include <string.h>

#include "arch/riscv/cpu.h"

/* Translation context (TLB set) of data accesses: MPRV makes M-mode loads/stores use MPP
 * (Priv. ISA §3.1.6.3: MPRV applies to loads and stores only). S-mode accesses with
 * mstatus.SUM set use a set of their own, so the kernel toggling SUM around every user
 * copy needs no TLB flush. */
static inline unsigned rv_data_ctx(const rv_cpu *cpu)
{
    unsigned p = (unsigned)cpu->priv;
    if (p == PRIV_M && (cpu->mstatus & MSTATUS_MPRV))
        p = (unsigned)((cpu->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
    if (p == PRIV_S && (cpu->mstatus & MSTATUS_SUM))
        return RV_CTX_S_SUM;
    return p;
}

static inline uint8_t *rv_tlb_lookup(rv_cpu *cpu, unsigned ctx, unsigned acc, gva_t va,
                                     unsigned size)
{
    uint64_t vpn = va >> 12;
    rv_tlb_entry *e = &cpu->tlb[ctx][acc][vpn & (RV_TLB_SIZE - 1)];
    /* Aligned accesses never cross a page; size-1 & va == 0 checks natural alignment. */
    if (likely(e->tag == rv_tlb_tag(cpu, ctx, vpn) && (va & (size - 1)) == 0))
        return (uint8_t *)(uintptr_t)(va + e->addend);
    return NULL;
}

static inline bool rv_load(rv_cpu *cpu, gva_t va, unsigned size, uint64_t *val)
{
    uint8_t *p = rv_tlb_lookup(cpu, rv_data_ctx(cpu), ACC_READ, va, size);
    if (likely(p != NULL)) {
        switch (size) {
        case 1: *val = *p; break;
        case 2: { uint16_t v; memcpy(&v, p, 2); *val = v; break; }
        case 4: { uint32_t v; memcpy(&v, p, 4); *val = v; break; }
        default: memcpy(val, p, 8); break;
        }
        return true;
    }
    return rv_load_slow(cpu, va, size, val);
}

static inline bool rv_store(rv_cpu *cpu, gva_t va, unsigned size, uint64_t val)
{
    uint8_t *p = rv_tlb_lookup(cpu, rv_data_ctx(cpu), ACC_WRITE, va, size);
    if (likely(p != NULL)) {
        switch (size) {
        case 1: *p = (uint8_t)val; break;
        case 2: { uint16_t v = (uint16_t)val; memcpy(p, &v, 2); break; }
        case 4: { uint32_t v = (uint32_t)val; memcpy(p, &v, 4); break; }
        default: memcpy(p, &val, 8); break;
        }
        /* A store to the reserved address breaks the reservation only when it comes
         * from another hart; ours are cleared by SC and by traps. */
        return true;
    }
    return rv_store_slow(cpu, va, size, val);
}

/* Translate a data address for an atomic (AMO/LR/SC): must be naturally aligned
 * (misaligned → address-misaligned fault, cause 6/4) and in RAM (else access fault).
 * Returns the host pointer, or NULL with the exception raised. */
uint8_t *rv_amo_ptr(rv_cpu *cpu, gva_t va, unsigned size, bool is_load_reserved,
                    gpa_t *pa_out);

/* Code-page listener (mem/bus.h): forget write-TLB entries that map the RAM page at
 * guest-physical `page` (it now holds code). opaque is the rv_cpu. */
void rv_tlb_drop_write_page(void *opaque, gpa_t page);

/* Physical address of a data access without performing it (for cbo.*); false = raised. */
bool rv_translate_data(rv_cpu *cpu, gva_t va, unsigned acc, gpa_t *pa);

#endif
