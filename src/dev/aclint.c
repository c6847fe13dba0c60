/* CLINT / ACLINT. References: RISC-V ACLINT Specification (MTIMER: "mtime" and
 * "mtimecmp" registers; MSWI: "msip" registers) and QEMU virt's CLINT layout. */
#include "dev/aclint.h"

#include <string.h>
#include <time.h>

#define ACLINT_MSIP_BASE 0x0000u
#define ACLINT_MTIMECMP_BASE 0x4000u
#define ACLINT_MTIME 0xbff8u

static uint64_t host_monotonic_ns(void *opaque)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t clock_ticks(const aclint *c)
{
    return c->clock(c->clock_opaque) / ACLINT_NS_PER_TICK;
}

uint64_t aclint_mtime(const aclint *c)
{
    return clock_ticks(c) - c->offset;
}

static void set_mtime(aclint *c, uint64_t v)
{
    c->offset = clock_ticks(c) - v;
}

static void drive_mtip(aclint *c, unsigned h, uint64_t now, bool force)
{
    /* ACLINT MTIMER: the interrupt is pending while mtime >= mtimecmp. */
    int level = now >= c->mtimecmp[h];
    if (level != c->mtip_level[h] || force) {
        c->mtip_level[h] = level;
        irq_set(&c->mtip_out[h], level);
    }
}

void aclint_update(aclint *c)
{
    uint64_t now = aclint_mtime(c);
    for (unsigned h = 0; h < c->nharts; h++)
        drive_mtip(c, h, now, false);
}

bool aclint_init(aclint *c, unsigned nharts)
{
    if (nharts == 0 || nharts > ACLINT_MAX_HARTS)
        return false;
    memset(c, 0, sizeof *c);
    c->nharts = nharts;
    c->clock = host_monotonic_ns;
    for (unsigned h = 0; h < ACLINT_MAX_HARTS; h++)
        c->mtimecmp[h] = UINT64_MAX;
    set_mtime(c, 0);
    return true;
}

void aclint_set_clock(aclint *c, aclint_clock_fn fn, void *opaque)
{
    uint64_t now = aclint_mtime(c);
    c->clock = fn ? fn : host_monotonic_ns;
    c->clock_opaque = opaque;
    set_mtime(c, now);
}

void aclint_connect_hart(aclint *c, unsigned hart, irq_line msip, irq_line mtip)
{
    if (hart >= c->nharts)
        return;
    c->msip_out[hart] = msip;
    c->mtip_out[hart] = mtip;
    irq_set(&c->msip_out[hart], (int)c->msip[hart]);
    drive_mtip(c, hart, aclint_mtime(c), true);
}

void aclint_reset(aclint *c)
{
    /* ACLINT MTIMER: mtime resets to zero; mtimecmp is unspecified, and all ones keeps
     * the timer quiet until software arms it. */
    set_mtime(c, 0);
    for (unsigned h = 0; h < c->nharts; h++) {
        c->msip[h] = 0;
        c->mtimecmp[h] = UINT64_MAX;
        irq_set(&c->msip_out[h], 0);
        drive_mtip(c, h, 0, true);
    }
}

int64_t aclint_ns_until_next_event(const aclint *c)
{
    uint64_t now_ns = c->clock(c->clock_opaque);
    uint64_t now = now_ns / ACLINT_NS_PER_TICK - c->offset;
    int64_t best = INT64_MAX;
    for (unsigned h = 0; h < c->nharts; h++) {
        uint64_t cmp = c->mtimecmp[h];
        if (now >= cmp) {
            if (!c->mtip_level[h])
                return 0;           /* due: aclint_update has not raised it yet */
            continue;               /* already raised: not a future event */
        }
        uint64_t ticks = cmp - now;
        if (ticks >= (uint64_t)INT64_MAX / ACLINT_NS_PER_TICK)
            continue;               /* effectively never (e.g. UINT64_MAX = disarmed) */
        /* mtime reaches cmp when the clock reaches (cmp + offset) * 100 ns; subtract the
         * part of the current tick already elapsed so the sleep is not a tick late. */
        int64_t ns = (int64_t)(ticks * ACLINT_NS_PER_TICK) -
                     (int64_t)(now_ns % ACLINT_NS_PER_TICK);
        if (ns < best)
            best = ns;
    }
    return best;
}

/* A 4- or 8-byte access to a 64-bit register at `base`; `half` is set to 0/1 for 4-byte
 * accesses (low/high word) and -1 for a full 8-byte access. */
static bool reg64_half(uint64_t off, uint64_t base, unsigned size, int *half)
{
    if (size == 8 && off == base)
        *half = -1;
    else if (size == 4 && (off == base || off == base + 4))
        *half = (int)((off - base) / 4);
    else
        return false;
    return true;
}

static uint64_t read64(uint64_t reg, int half)
{
    return half < 0 ? reg : (uint32_t)(reg >> (32 * half));
}

static uint64_t merge64(uint64_t reg, int half, uint64_t val)
{
    if (half < 0)
        return val;
    uint64_t mask = 0xffffffffull << (32 * half);
    return (reg & ~mask) | (((uint64_t)(uint32_t)val << (32 * half)) & mask);
}

static bool aclint_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    aclint *c = opaque;
    int half;
    *val = 0;
    if (off < ACLINT_MTIMECMP_BASE) {
        /* MSWI: 32-bit registers, bits 31:1 read as zero. */
        if (size != 4 || (off & 3))
            return false;
        uint64_t h = (off - ACLINT_MSIP_BASE) / 4;
        if (h < c->nharts)
            *val = c->msip[h];
        return true;
    }
    if (off >= ACLINT_MTIME + 8)
        return (size == 4 || size == 8) && !(off & (size - 1));   /* reserved: zero */
    if (off >= ACLINT_MTIME) {
        if (!reg64_half(off, ACLINT_MTIME, size, &half))
            return false;
        *val = read64(aclint_mtime(c), half);
        return true;
    }
    uint64_t h = (off - ACLINT_MTIMECMP_BASE) / 8;
    if (!reg64_half(off, ACLINT_MTIMECMP_BASE + 8 * h, size, &half))
        return false;
    if (h < c->nharts)
        *val = read64(c->mtimecmp[h], half);
    return true;
}

static bool aclint_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    aclint *c = opaque;
    int half;
    if (off < ACLINT_MTIMECMP_BASE) {
        if (size != 4 || (off & 3))
            return false;
        uint64_t h = (off - ACLINT_MSIP_BASE) / 4;
        if (h < c->nharts) {
            c->msip[h] = (uint32_t)val & 1;
            irq_set(&c->msip_out[h], (int)c->msip[h]);
        }
        return true;
    }
    if (off >= ACLINT_MTIME + 8)
        return (size == 4 || size == 8) && !(off & (size - 1));   /* reserved: ignored */
    if (off >= ACLINT_MTIME) {
        if (!reg64_half(off, ACLINT_MTIME, size, &half))
            return false;
        set_mtime(c, merge64(aclint_mtime(c), half, val));
        aclint_update(c);
        return true;
    }
    uint64_t h = (off - ACLINT_MTIMECMP_BASE) / 8;
    if (!reg64_half(off, ACLINT_MTIMECMP_BASE + 8 * h, size, &half))
        return false;
    if (h < c->nharts) {
        c->mtimecmp[h] = merge64(c->mtimecmp[h], half, val);
        /* The comparison is continuous, so a new mtimecmp takes effect at once. */
        drive_mtip(c, (unsigned)h, aclint_mtime(c), false);
    }
    return true;
}

const mmio_ops aclint_ops = { .read = aclint_read, .write = aclint_write };
