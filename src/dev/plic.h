/* SiFive Platform-Level Interrupt Controller ("riscv,plic0" / "sifive,plic-1.0.0") as on
 * QEMU's virt board. Sources are level-triggered inputs; each context (a hart's M- or
 * S-mode) has one output line that the board wires to the hart's MEIP or SEIP.
 *
 * Context numbering follows QEMU virt: context 2h is hart h M-mode, 2h+1 is S-mode. */
#ifndef VM_DEV_PLIC_H
#define VM_DEV_PLIC_H

#include "core/irq.h"
#include "core/types.h"
#include "mem/bus.h"

#define PLIC_MAX_HARTS 8
#define PLIC_MAX_CONTEXTS (2 * PLIC_MAX_HARTS)
#define PLIC_MAX_SOURCES 1024           /* ids 0..1023; the spec's architectural limit */
#define PLIC_SOURCE_WORDS (PLIC_MAX_SOURCES / 32)
#define PLIC_PRIO_MASK 7u               /* 3 priority bits, as QEMU virt */

/* QEMU virt has 96 source ids, 0..95 (0 reserved), so plic_init(p, n, PLIC_VIRT_NDEV - 1);
 * QEMU's own DT advertises riscv,ndev = 0x60, one more than it implements. */
#define PLIC_VIRT_NDEV 96
/* Smallest MMIO window holding every register of `nharts` harts; the virt board maps
 * 0x600000 (reference DT) or more. */
#define PLIC_MMIO_SIZE(nharts) (0x200000u + 0x1000u * 2u * (nharts))

typedef struct plic {
    unsigned nharts, ncontexts;
    unsigned ndev;                               /* highest valid source id */
    unsigned nwords;                             /* 32-bit words covering ids 0..ndev */
    uint32_t priority[PLIC_MAX_SOURCES];
    uint32_t pending[PLIC_SOURCE_WORDS];
    uint32_t claimed[PLIC_SOURCE_WORDS];         /* in service: claimed, not completed */
    uint32_t level[PLIC_SOURCE_WORDS];           /* current input level of each source */
    uint32_t enable[PLIC_MAX_CONTEXTS][PLIC_SOURCE_WORDS];
    uint32_t threshold[PLIC_MAX_CONTEXTS];
    int out_level[PLIC_MAX_CONTEXTS];            /* last level driven on each output */
    irq_line out[PLIC_MAX_CONTEXTS];
} plic;

/* nharts in 1..PLIC_MAX_HARTS; ndev = highest source id (1..PLIC_MAX_SOURCES-1), the value
 * the board puts in the DT's riscv,ndev. Outputs start unconnected. Returns false on bad
 * arguments. */
bool plic_init(plic *p, unsigned nharts, unsigned ndev);
/* Wire context `ctx` (2*hart for M-mode, 2*hart+1 for S-mode) to an output line; the
 * line is driven with the current level right away. */
void plic_connect_context(plic *p, unsigned ctx, irq_line line);
/* Back to the reset state (keeps the wiring and input levels); drives every output. */
void plic_reset(plic *p);

/* Input line for source `src` (1..ndev): level-triggered. Suitable as irq_line.set with
 * opaque = the plic. Source 0 and ids past ndev are ignored. */
void plic_set_irq(void *opaque, unsigned src, int level);

/* An irq_line for source `src` of this PLIC, for wiring a device. */
static inline irq_line plic_irq_line(plic *p, unsigned src)
{
    irq_line l = { .set = plic_set_irq, .opaque = p, .irq = src };
    return l;
}

extern const mmio_ops plic_ops;

#endif
