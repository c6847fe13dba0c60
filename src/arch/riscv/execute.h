#ifndef VM_RISCV_EXECUTE_H
#define VM_RISCV_EXECUTE_H

#include "arch/riscv/cpu.h"

/* Cache block size for Zicbom/Zicboz, advertised in the device tree. */
#define RV_CBO_BLOCK 64

/* Sign-extend the low 32 bits (the W instructions, RV64I §5.2). */
static inline int64_t rv_sext32(uint64_t v)
{
    return (int64_t)(int32_t)(uint32_t)v;
}

/* Execute one decoded instruction at cpu->pc. Sets cpu->next_pc (preset to pc + len by
 * the caller) or raises an exception (cpu->trapped). */
void rv_execute(rv_cpu *cpu, const rv_insn *in);

#endif
