/* Physical memory protection (Priv. ISA §3.7). */
#ifndef VM_RISCV_PMP_H
#define VM_RISCV_PMP_H

#include "arch/riscv/cpu.h"

/* May an access of `len` bytes at `pa` of kind `acc` at privilege `priv` proceed? */
bool rv_pmp_allows(const rv_cpu *cpu, gpa_t pa, unsigned len, unsigned acc, unsigned priv);

/* Rebuild the decoded ranges after pmpcfg/pmpaddr change (done by the writers below). */
void rv_pmp_recompute(rv_cpu *cpu);

/* CSR writes: locked entries ignore writes (§3.7.1). */
void rv_pmp_write_cfg(rv_cpu *cpu, unsigned index, uint64_t val);
void rv_pmp_write_addr(rv_cpu *cpu, unsigned index, uint64_t val);

#endif
