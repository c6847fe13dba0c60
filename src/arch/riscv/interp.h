/* The block interpreter (interp.c). */
#ifndef VM_RISCV_INTERP_H
#define VM_RISCV_INTERP_H

#include "arch/riscv/cpu.h"

/* Run decoded blocks until `budget` instructions or the machine stops; `step` executes
 * a single instruction the slow way (code the block cache cannot hold). Returns the
 * number of instructions executed (retired or trapped). */
uint64_t rv_interp_run(rv_cpu *cpu, uint64_t budget, uint64_t (*step)(rv_cpu *));

#endif
