/* SiFive PLIC. References: RISC-V PLIC Specification v1.0.0 (sections named below) and
 * the memory map QEMU's sifive_plic uses for the virt board. */
#include "dev/plic.h"

#include <string.h>

#define PLIC_PRIORITY_BASE 0x000000u
#define PLIC_PENDING_BASE 0x001000u
#define PLIC_ENABLE_BASE 0x002000u
#define PLIC_ENABLE_STRIDE 0x80u
#define PLIC_CONTEXT_BASE 0x200000u
#define PLIC_CONTEXT_STRIDE 0x1000u

static inline bool bit_get(const uint32_t *w, unsigned i)
{
    return (w[i / 32] >> (i % 32)) & 1;
}

static inline void bit_put(uint32_t *w, unsigned i, bool v)
{
    if (v)
        w[i / 32] |= 1u << (i % 32);
    else
        w[i / 32] &= ~(1u << (i % 32));
}

/* The highest-priority source that is pending, enabled for ctx and above its threshold;
 * ties go to the lowest id ("Interrupt Priorities"). 0 if none. */
static unsigned best_source(const plic *p, unsigned ctx)
{
    unsigned best = 0;
    uint32_t best_prio = p->threshold[ctx];
    for (unsigned w = 0; w < p->nwords; w++) {
        uint32_t cand = p->pending[w] & p->enable[ctx][w];
        while (cand) {
            unsigned src = w * 32 + (unsigned)__builtin_ctz(cand);
            cand &= cand - 1;
            /* strictly greater: "priority ... greater than the threshold"; scanning in
             * ascending id order keeps the lowest id on ties. */
            if (p->priority[src] > best_prio) {
                best_prio = p->priority[src];
                best = src;
            }
        }
    }
    return best;
}

static void drive(plic *p, unsigned ctx, bool force)
{
    int level = best_source(p, ctx) != 0;
    if (level != p->out_level[ctx] || force) {
        p->out_level[ctx] = level;
        irq_set(&p->out[ctx], level);
    }
}

static void update(plic *p)
{
    for (unsigned ctx = 0; ctx < p->ncontexts; ctx++)
        drive(p, ctx, false);
}

bool plic_init(plic *p, unsigned nharts, unsigned ndev)
{
    if (nharts == 0 || nharts > PLIC_MAX_HARTS || ndev == 0 || ndev >= PLIC_MAX_SOURCES)
        return false;
    memset(p, 0, sizeof *p);
    p->nharts = nharts;
    p->ncontexts = 2 * nharts;
    p->ndev = ndev;
    p->nwords = (ndev + 1 + 31) / 32;
    return true;
}

void plic_connect_context(plic *p, unsigned ctx, irq_line line)
{
    if (ctx >= p->ncontexts)
        return;
    p->out[ctx] = line;
    drive(p, ctx, true);
}

void plic_reset(plic *p)
{
    memset(p->priority, 0, sizeof p->priority);
    memset(p->claimed, 0, sizeof p->claimed);
    memset(p->enable, 0, sizeof p->enable);
    memset(p->threshold, 0, sizeof p->threshold);
    /* The gateways forward any level still asserted. */
    memcpy(p->pending, p->level, sizeof p->pending);
    for (unsigned ctx = 0; ctx < p->ncontexts; ctx++)
        drive(p, ctx, true);
}

void plic_set_irq(void *opaque, unsigned src, int level)
{
    plic *p = opaque;
    if (src == 0 || src > p->ndev)
        return;
    bool on = level != 0;
    bit_put(p->level, src, on);
    /* "Interrupt Gateways": a level source gives one request; the gateway sends no new
     * one until the claimed interrupt is completed. Dropping the level before the claim
     * withdraws the request (as QEMU does), so the guest sees no spurious claim. */
    if (!bit_get(p->claimed, src))
        bit_put(p->pending, src, on);
    update(p);
}

static uint32_t claim(plic *p, unsigned ctx)
{
    /* "Interrupt Claim Process": return the best id and clear its pending bit
     * atomically; 0 when nothing qualifies. */
    unsigned src = best_source(p, ctx);
    if (src) {
        bit_put(p->pending, src, false);
        bit_put(p->claimed, src, true);
        update(p);
    }
    return src;
}

static void complete(plic *p, unsigned ctx, uint32_t src)
{
    /* "Interrupt Completion": an id not enabled for this target is silently ignored. */
    if (src == 0 || src > p->ndev || !bit_get(p->enable[ctx], src))
        return;
    if (!bit_get(p->claimed, src))
        return;
    bit_put(p->claimed, src, false);
    /* The gateway may now forward a level that is still asserted. */
    if (bit_get(p->level, src))
        bit_put(p->pending, src, true);
    update(p);
}

static bool plic_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    plic *p = opaque;
    if (size != 4 || (off & 3))
        return false;
    *val = 0;
    if (off < PLIC_PENDING_BASE) {
        unsigned src = (unsigned)(off / 4);
        if (src <= p->ndev)
            *val = p->priority[src];
    } else if (off < PLIC_ENABLE_BASE) {
        unsigned w = (unsigned)((off - PLIC_PENDING_BASE) / 4);
        if (w < p->nwords)
            *val = p->pending[w];
    } else if (off < PLIC_CONTEXT_BASE) {
        unsigned ctx = (unsigned)((off - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE);
        unsigned w = (unsigned)((off - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4);
        if (ctx < p->ncontexts && w < p->nwords)
            *val = p->enable[ctx][w];
    } else {
        uint64_t ctx = (off - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE;
        unsigned reg = (unsigned)((off - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE);
        if (ctx < p->ncontexts) {
            if (reg == 0)
                *val = p->threshold[ctx];
            else if (reg == 4)
                *val = claim(p, (unsigned)ctx);
        }
    }
    /* Reserved and absent registers read as zero; only the width is a fault. */
    return true;
}

static bool plic_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    plic *p = opaque;
    if (size != 4 || (off & 3))
        return false;
    uint32_t v = (uint32_t)val;
    if (off < PLIC_PENDING_BASE) {
        unsigned src = (unsigned)(off / 4);
        /* "Interrupt Priorities": source 0 does not exist; WARL to the implemented bits. */
        if (src != 0 && src <= p->ndev) {
            p->priority[src] = v & PLIC_PRIO_MASK;
            update(p);
        }
    } else if (off < PLIC_ENABLE_BASE) {
        /* "Interrupt Pending Bits" are read-only. */
    } else if (off < PLIC_CONTEXT_BASE) {
        unsigned ctx = (unsigned)((off - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE);
        unsigned w = (unsigned)((off - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4);
        if (ctx < p->ncontexts && w < p->nwords) {
            if (w == 0)
                v &= ~1u;                    /* source 0 has no enable bit */
            if (w == p->nwords - 1 && (p->ndev + 1) % 32)
                v &= (1u << ((p->ndev + 1) % 32)) - 1;
            p->enable[ctx][w] = v;
            drive(p, ctx, false);
        }
    } else {
        uint64_t ctx = (off - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE;
        unsigned reg = (unsigned)((off - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE);
        if (ctx < p->ncontexts) {
            if (reg == 0) {
                p->threshold[ctx] = v & PLIC_PRIO_MASK;
                drive(p, (unsigned)ctx, false);
            } else if (reg == 4) {
                complete(p, (unsigned)ctx, v);
            }
        }
    }
    return true;
}

const mmio_ops plic_ops = { .read = plic_read, .write = plic_write };
