/* The CLINT as on QEMU's virt board ("sifive,clint0" / "riscv,clint0"), i.e. an ACLINT
 * MSWI device at +0x0000 and an MTIMER device at +0x4000 in one 64 KiB window:
 *   msip[h]      0x0000 + 4h   (bit 0 drives hart h's MSIP)
 *   mtimecmp[h]  0x4000 + 8h   (MTIP of hart h is mtime >= mtimecmp[h])
 *   mtime        0xbff8
 * mtime counts at 10 MHz, taken from a nanosecond clock (the host's CLOCK_MONOTONIC
 * unless the board installs another), so guest time follows wall time. */
#ifndef VM_DEV_ACLINT_H
#define VM_DEV_ACLINT_H

#include "core/irq.h"
#include "core/types.h"
#include "mem/bus.h"

#define ACLINT_MAX_HARTS 8
#define ACLINT_MMIO_SIZE 0x10000u
#define ACLINT_TIMEBASE_HZ 10000000u   /* the DT's timebase-frequency */
#define ACLINT_NS_PER_TICK 100u

/* A monotonic nanosecond clock. */
typedef uint64_t (*aclint_clock_fn)(void *opaque);

typedef struct aclint {
    unsigned nharts;
    aclint_clock_fn clock;
    void *clock_opaque;
    uint64_t offset;                  /* mtime = clock/100 - offset (mod 2^64) */
    uint64_t mtimecmp[ACLINT_MAX_HARTS];
    uint32_t msip[ACLINT_MAX_HARTS];
    int mtip_level[ACLINT_MAX_HARTS]; /* last level driven on mtip[h] */
    irq_line msip_out[ACLINT_MAX_HARTS];
    irq_line mtip_out[ACLINT_MAX_HARTS];
} aclint;

/* nharts in 1..ACLINT_MAX_HARTS. mtime starts at 0, every mtimecmp at UINT64_MAX,
 * outputs unconnected. Returns false on a bad hart count. */
bool aclint_init(aclint *c, unsigned nharts);
/* Replace the time source (tests, or a virtual clock; NULL = host CLOCK_MONOTONIC);
 * mtime keeps its current value. */
void aclint_set_clock(aclint *c, aclint_clock_fn fn, void *opaque);
/* Wire hart h's MSIP and MTIP lines; both are driven with their current level. */
void aclint_connect_hart(aclint *c, unsigned hart, irq_line msip, irq_line mtip);
/* Reset state: msip 0, mtimecmp UINT64_MAX, mtime 0; drives every output. */
void aclint_reset(aclint *c);

/* Current mtime (the CPU's `time` CSR and Sstc compare read this). */
uint64_t aclint_mtime(const aclint *c);
/* Re-evaluate MTIP for every hart; the run loop calls this periodically. */
void aclint_update(aclint *c);
/* Nanoseconds until some hart's MTIP rises (0 if one is due and not yet raised), or
 * INT64_MAX if no timer is armed: how long an idle WFI may sleep. */
int64_t aclint_ns_until_next_event(const aclint *c);

extern const mmio_ops aclint_ops;

#endif
