/* Local APIC, xAPIC mode. Reference: Intel SDM Vol.3, APIC chapter: "Local APIC Register
 * Address Map" (table), "Local Vector Table", "APIC Timer", "Issuing Interrupts" (ICR),
 * "Determining IPI Destination", "Handling Interrupts" (IRR/ISR/TMR, EOI), "Interrupt,
 * Task, and Processor Priority", "Error Handling", "Spurious Interrupt". */
#include "dev/pc/lapic.h"

#include <string.h>
#include <time.h>

#define NS_PER_S 1000000000u

enum {   /* register index = offset >> 4 */
    R_ID = 0x02, R_VERSION = 0x03, R_TPR = 0x08, R_APR = 0x09, R_PPR = 0x0a, R_EOI = 0x0b,
    R_LDR = 0x0d, R_DFR = 0x0e, R_SVR = 0x0f, R_ISR = 0x10, R_TMR = 0x18, R_IRR = 0x20,
    R_ESR = 0x28, R_ICR_LO = 0x30, R_ICR_HI = 0x31, R_LVT_TIMER = 0x32,
    R_LVT_ERROR = 0x37, R_TMICT = 0x38, R_TMCCT = 0x39, R_TDCR = 0x3e,
};

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR };

/* Version register: version 0x14 (integrated APIC), max LVT entry 5. */
#define LAPIC_VERSION 0x00050014u

#define LVT_MASKED (1u << 16)
#define LVT_LEVEL (1u << 15)
#define SVR_ENABLE (1u << 8)
#define TIMER_MODE(lvt) (((lvt) >> 17) & 3)
#define TIMER_ONESHOT 0
#define TIMER_PERIODIC 1
#define TIMER_TSC_DEADLINE 2

#define ESR_SEND_ILLEGAL (1u << 5)
#define ESR_RECV_ILLEGAL (1u << 6)
#define ESR_ILLEGAL_REG (1u << 7)

/* Writable bits of each LVT entry (delivery status and remote IRR are read-only). */
static const uint32_t lvt_writable[6] = {
    0x700ffu,   /* timer: vector, mask, mode */
    0x107ffu,   /* thermal: vector, delivery mode, mask */
    0x107ffu,   /* performance counters */
    0x1a7ffu,   /* LINT0: vector, delivery mode, polarity, trigger, mask */
    0x1a7ffu,   /* LINT1 */
    0x100ffu,   /* error: vector, mask */
};

static uint64_t host_monotonic_ns(void *opaque)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(const lapic *a)
{
    return a->clock(a->clock_opaque);
}

static bool hw_enabled(const lapic *a)
{
    return a->apic_base & APIC_BASE_EN;
}

static bool x2apic(const lapic *a)
{
    return (a->apic_base & (APIC_BASE_EN | APIC_BASE_EXTD)) == (APIC_BASE_EN | APIC_BASE_EXTD);
}

/* x2APIC logical ID: cluster (ID[31:4]) in bits 31:16, one bit of ID[3:0] below. */
static uint32_t x2apic_ldr(const lapic *a)
{
    return (a->id >> 4) << 16 | 1u << (a->id & 15);
}

static bool sw_enabled(const lapic *a)
{
    return a->svr & SVR_ENABLE;
}

static bool test_bit(const uint32_t *v, unsigned n)
{
    return v[n >> 5] >> (n & 31) & 1;
}

static void set_bit(uint32_t *v, unsigned n)
{
    v[n >> 5] |= 1u << (n & 31);
}

static void clear_bit(uint32_t *v, unsigned n)
{
    v[n >> 5] &= ~(1u << (n & 31));
}

/* Highest set bit of a 256-bit register, or -1. */
static int highest(const uint32_t *v)
{
    for (int w = 7; w >= 0; w--)
        if (v[w])
            return w * 32 + 31 - __builtin_clz(v[w]);
    return -1;
}

/* PPR: the TPR if its class is at least the in-service class, else that class. */
static uint32_t ppr(const lapic *a)
{
    int isrv = highest(a->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;
    return (a->tpr & 0xf0) >= isr_class ? a->tpr & 0xff : isr_class;
}

static bool extint_pending(const lapic *a)
{
    if (a->extint_msg)
        return true;
    uint32_t lint0 = a->lvt[LVT_LINT0];
    if (!hw_enabled(a))
        return a->lint_level[0];   /* no APIC: LINT0 is the INTR pin */
    return a->lint_level[0] && !(lint0 & LVT_MASKED) &&
           ((lint0 >> 8) & 7) == APIC_DM_EXTINT;
}

int lapic_pending_vector(const lapic *a)
{
    if (extint_pending(a))
        return LAPIC_EXTINT;
    if (!hw_enabled(a) || !sw_enabled(a))
        return -1;
    int v = highest(a->irr);
    if (v < 0 || ((uint32_t)v & 0xf0) <= (ppr(a) & 0xf0))
        return -1;
    return v;
}

static void update(lapic *a)
{
    int level = lapic_pending_vector(a) >= 0 || a->nmi_pending || a->init_pending ||
                a->sipi_vector >= 0;
    if (level != a->attention_level) {
        a->attention_level = level;
        irq_set(&a->w.attention, level);
    }
}

static void raise_error(lapic *a, uint32_t bit);

/* Accept a fixed interrupt into IRR (TMR records the trigger mode). */
static void accept_fixed(lapic *a, unsigned vector, bool level)
{
    if (vector < 16) {
        /* Vectors 0-15 are reserved: "Received Illegal Vector". */
        raise_error(a, ESR_RECV_ILLEGAL);
        return;
    }
    set_bit(a->irr, vector);
    if (level)
        set_bit(a->tmr, vector);
    else
        clear_bit(a->tmr, vector);
}

static void raise_error(lapic *a, uint32_t bit)
{
    bool first = !(a->esr_pending & bit);
    a->esr_pending |= bit;
    uint32_t lvt = a->lvt[LVT_ERROR];
    /* An illegal error vector would recurse: it is dropped. */
    if (first && !(lvt & LVT_MASKED) && (lvt & 0xff) >= 16)
        accept_fixed(a, lvt & 0xff, false);
}

/* An LVT entry fires (timer, or an edge on LINT0/1 in fixed/NMI mode). The timer and
 * error entries have no delivery mode field (it reads 0: fixed). ExtINT is level-sensed
 * (extint_pending); SMI and INIT through an LVT are not modelled. */
static void lvt_fire(lapic *a, unsigned idx)
{
    uint32_t lvt = a->lvt[idx];
    if (lvt & LVT_MASKED)
        return;
    unsigned dm = (lvt >> 8) & 7;
    if (dm == APIC_DM_NMI)
        a->nmi_pending = true;
    else if (dm == APIC_DM_FIXED)
        accept_fixed(a, lvt & 0xff,
                     (idx == LVT_LINT0 || idx == LVT_LINT1) && (lvt & LVT_LEVEL));
}

void lapic_set_lint(void *opaque, unsigned pin, int level)
{
    lapic *a = opaque;
    if (pin > 1)
        return;
    level = level != 0;
    int old = a->lint_level[pin];
    a->lint_level[pin] = level;
    if (!hw_enabled(a)) {
        if (pin == 1 && level && !old)
            a->nmi_pending = true;   /* no APIC: LINT1 is the NMI pin */
    } else if (level && !old) {
        unsigned dm = (a->lvt[LVT_LINT0 + pin] >> 8) & 7;
        if (dm != APIC_DM_EXTINT)
            lvt_fire(a, LVT_LINT0 + pin);
    }
    update(a);
}

/* --- timer (SDM "APIC Timer") --- */

static unsigned timer_shift(const lapic *a)
{
    /* Divide configuration bits 3, 1:0: 000 → 2, 001 → 4, ..., 110 → 128, 111 → 1. */
    unsigned v = (a->timer_dcr & 3) | ((a->timer_dcr >> 1) & 4);
    return (v + 1) & 7;
}

static uint64_t timer_period_ns(const lapic *a)
{
    return (uint64_t)a->timer_initial << timer_shift(a);   /* 1 GHz: one ns per tick */
}

static void timer_start(lapic *a, uint64_t now)
{
    a->timer_start_ns = now;
    a->timer_armed = a->timer_initial != 0;
    a->timer_next_ns = now + timer_period_ns(a);
}

static uint32_t timer_current(const lapic *a, uint64_t now)
{
    if (!a->timer_armed || TIMER_MODE(a->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE)
        return 0;
    uint64_t ticks = (now - a->timer_start_ns) >> timer_shift(a);
    if (TIMER_MODE(a->lvt[LVT_TIMER]) == TIMER_PERIODIC)
        return (uint32_t)(a->timer_initial - ticks % a->timer_initial);
    return ticks >= a->timer_initial ? 0 : (uint32_t)(a->timer_initial - ticks);
}

static uint64_t tsc_now(const lapic *a)
{
    return a->tsc ? a->tsc(a->tsc_opaque) : 0;
}

void lapic_update(lapic *a)
{
    if (TIMER_MODE(a->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE) {
        if (a->tsc_deadline && a->tsc && tsc_now(a) >= a->tsc_deadline) {
            a->tsc_deadline = 0;
            lvt_fire(a, LVT_TIMER);
            update(a);
        }
        return;
    }
    if (!a->timer_armed)
        return;
    uint64_t now = now_ns(a);
    if (now - a->timer_start_ns < a->timer_next_ns - a->timer_start_ns)
        return;
    lvt_fire(a, LVT_TIMER);
    if (TIMER_MODE(a->lvt[LVT_TIMER]) == TIMER_PERIODIC) {
        /* Periods missed while the host was away are dropped, as a late tick would
         * be on a real machine that had its interrupts blocked. */
        uint64_t period = timer_period_ns(a);
        uint64_t k = (now - a->timer_start_ns) / period;
        a->timer_next_ns = a->timer_start_ns + (k + 1) * period;
    } else {
        a->timer_armed = false;
    }
    update(a);
}

int64_t lapic_ns_until_event(lapic *a)
{
    if (TIMER_MODE(a->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE) {
        if (!a->tsc_deadline || !a->tsc || !a->tsc_hz)
            return INT64_MAX;
        uint64_t t = tsc_now(a);
        if (t >= a->tsc_deadline)
            return 0;
        uint64_t d = a->tsc_deadline - t;
        uint64_t q = d / a->tsc_hz, r = d % a->tsc_hz;
        if (q >= (uint64_t)INT64_MAX / NS_PER_S - 1)
            return INT64_MAX;
        /* r < tsc_hz: r * 1e9 fits in 64 bits for any TSC below 18 GHz. */
        uint64_t ns = q * NS_PER_S + (r * NS_PER_S + a->tsc_hz - 1) / a->tsc_hz;
        return (int64_t)ns;
    }
    if (!a->timer_armed)
        return INT64_MAX;
    uint64_t now = now_ns(a);
    uint64_t left = a->timer_next_ns - a->timer_start_ns, gone = now - a->timer_start_ns;
    if (gone >= left)
        return 0;
    return left - gone > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)(left - gone);
}

void lapic_write_tsc_deadline(lapic *a, uint64_t deadline)
{
    if (TIMER_MODE(a->lvt[LVT_TIMER]) != TIMER_TSC_DEADLINE)
        return;
    a->tsc_deadline = deadline;
    lapic_update(a);   /* a deadline in the past fires at once */
}

uint64_t lapic_read_tsc_deadline(const lapic *a)
{
    return TIMER_MODE(a->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE ? a->tsc_deadline : 0;
}

void lapic_set_tsc(lapic *a, lapic_clock_fn tsc, void *opaque, uint64_t tsc_hz)
{
    a->tsc = tsc;
    a->tsc_opaque = opaque;
    a->tsc_hz = tsc_hz;
}

/* --- messages --- */

bool lapic_match_dest(const lapic *a, const apic_msg *msg)
{
    uint32_t bcast = msg->x2apic ? 0xffffffffu : 0xffu;
    if (msg->dest == bcast)
        return true;
    if (!msg->logical)
        return msg->dest == (x2apic(a) ? a->id : (a->id & 0xff));
    if (x2apic(a)) {
        /* x2APIC logical: cluster in 31:16, member mask in 15:0. An 8-bit xAPIC
         * logical destination (IOAPIC without interrupt remapping) names nobody. */
        uint32_t ldr = x2apic_ldr(a);
        return msg->x2apic && (msg->dest >> 16) == (ldr >> 16) && (msg->dest & ldr & 0xffff);
    }
    if (msg->dest > 0xff)
        return false;
    uint8_t ldr = (uint8_t)(a->ldr >> 24);
    if ((a->dfr >> 28) == 0xf)   /* flat model: a bit mask of up to 8 APICs */
        return (ldr & msg->dest) != 0;
    /* Cluster model: high nibble the cluster, low nibble a mask within it. */
    return (msg->dest >> 4) == (ldr >> 4) && (msg->dest & ldr & 0x0f) != 0;
}

void lapic_deliver(lapic *a, const apic_msg *msg)
{
    switch (msg->delivery_mode) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:
        if (hw_enabled(a))
            accept_fixed(a, msg->vector, msg->level_trigger);
        break;
    case APIC_DM_NMI:
        a->nmi_pending = true;
        break;
    case APIC_DM_INIT:
        /* INIT level de-assert only synchronises arbitration IDs on old parts. */
        if (!(msg->level_trigger && !msg->assert))
            a->init_pending = true;
        break;
    case APIC_DM_SIPI:
        a->sipi_vector = msg->vector;
        break;
    case APIC_DM_EXTINT:
        a->extint_msg = true;
        break;
    default:   /* SMI and reserved modes: no SMM here */
        break;
    }
    update(a);
}

static void send_ipi(lapic *a)
{
    apic_msg msg = {
        .vector = (uint8_t)a->icr_lo,
        .delivery_mode = (uint8_t)((a->icr_lo >> 8) & 7),
        .logical = (a->icr_lo >> 11) & 1,
        .assert = (a->icr_lo >> 14) & 1,
        .level_trigger = (a->icr_lo >> 15) & 1,
        .shorthand = (uint8_t)((a->icr_lo >> 18) & 3),
        .dest = x2apic(a) ? a->icr_hi : a->icr_hi >> 24,
        .x2apic = x2apic(a),
    };
    if ((msg.delivery_mode == APIC_DM_FIXED || msg.delivery_mode == APIC_DM_LOWEST) &&
        msg.vector < 16) {
        raise_error(a, ESR_SEND_ILLEGAL);
        update(a);
        return;
    }
    bool self;
    switch (msg.shorthand) {
    case 1: self = true; break;
    case 2: self = true; break;
    case 3: self = false; break;
    default: self = lapic_match_dest(a, &msg); break;
    }
    if (self)
        lapic_deliver(a, &msg);
    if (msg.shorthand != 1 && a->w.send)
        a->w.send(a->w.opaque, a, &msg);
}

/* --- the CPU side --- */

int lapic_acknowledge(lapic *a)
{
    int v = lapic_pending_vector(a);
    if (v == LAPIC_EXTINT) {
        a->extint_msg = false;
        v = a->w.extint_ack ? a->w.extint_ack(a->w.opaque) : (int)(a->svr & 0xff);
    } else if (v < 0) {
        /* The request went away (e.g. TPR raised) between INTR and INTA: the
         * spurious vector, with nothing put in service ("Spurious Interrupt"). */
        v = (int)(a->svr & 0xff);
    } else {
        clear_bit(a->irr, (unsigned)v);
        set_bit(a->isr, (unsigned)v);
    }
    update(a);
    return v;
}

bool lapic_take_nmi(lapic *a)
{
    bool r = a->nmi_pending;
    a->nmi_pending = false;
    update(a);
    return r;
}

bool lapic_take_init(lapic *a)
{
    bool r = a->init_pending;
    a->init_pending = false;
    update(a);
    return r;
}

int lapic_take_sipi(lapic *a)
{
    int v = a->sipi_vector;
    a->sipi_vector = -1;
    update(a);
    return v;
}

static void eoi(lapic *a)
{
    int v = highest(a->isr);
    if (v < 0)
        return;
    clear_bit(a->isr, (unsigned)v);
    /* A level-triggered vector is EOIed at the IOAPIC too (remote IRR). */
    if (test_bit(a->tmr, (unsigned)v) && a->w.eoi)
        a->w.eoi(a->w.opaque, v);
}

uint8_t lapic_get_cr8(const lapic *a)
{
    return (uint8_t)((a->tpr >> 4) & 15);
}

void lapic_set_cr8(lapic *a, uint8_t cr8)
{
    a->tpr = (uint32_t)(cr8 & 15) << 4;
    update(a);
}

/* --- registers --- */

static uint32_t reg_read(lapic *a, unsigned r)
{
    if (r >= R_ISR && r < R_ISR + 8)
        return a->isr[r - R_ISR];
    if (r >= R_TMR && r < R_TMR + 8)
        return a->tmr[r - R_TMR];
    if (r >= R_IRR && r < R_IRR + 8)
        return a->irr[r - R_IRR];
    if (r >= R_LVT_TIMER && r <= R_LVT_ERROR)
        return a->lvt[r - R_LVT_TIMER];
    switch (r) {
    case R_ID: return x2apic(a) ? a->id : a->id << 24;
    case R_VERSION: return LAPIC_VERSION;
    case R_TPR: return a->tpr;
    case R_PPR: return ppr(a);
    case R_LDR: return x2apic(a) ? x2apic_ldr(a) : a->ldr;
    case R_DFR: return a->dfr;
    case R_SVR: return a->svr;
    case R_ESR: return a->esr;
    case R_ICR_LO: return a->icr_lo;   /* delivery status: always idle */
    case R_ICR_HI: return a->icr_hi;
    case R_TMICT: return a->timer_initial;
    case R_TMCCT: return timer_current(a, now_ns(a));
    case R_TDCR: return a->timer_dcr;
    default: return 0;                 /* APR, RRD, EOI and reserved read as 0 */
    }
}

static void lvt_write(lapic *a, unsigned idx, uint32_t val)
{
    uint32_t old = a->lvt[idx];
    val &= lvt_writable[idx];
    if (!sw_enabled(a))
        val |= LVT_MASKED;   /* "the mask bits cannot be cleared" while disabled */
    if (idx == LVT_TIMER) {
        if (TIMER_MODE(val) == 3)
            val &= ~(1u << 18);   /* reserved mode: kept one-shot */
        if ((TIMER_MODE(old) == TIMER_TSC_DEADLINE) != (TIMER_MODE(val) == TIMER_TSC_DEADLINE)) {
            /* Switching to or from TSC-deadline mode disarms the timer. */
            a->timer_armed = false;
            a->timer_initial = 0;
            a->tsc_deadline = 0;
        }
    }
    a->lvt[idx] = val;
}

static void reg_write(lapic *a, unsigned r, uint32_t val)
{
    if (r >= R_LVT_TIMER && r <= R_LVT_ERROR) {
        lvt_write(a, r - R_LVT_TIMER, val);
        update(a);
        return;
    }
    switch (r) {
    case R_ID:
        a->id = val >> 24;
        break;
    case R_TPR:
        a->tpr = val & 0xff;
        break;
    case R_EOI:
        eoi(a);
        break;
    case R_LDR:
        a->ldr = val & 0xff000000u;
        break;
    case R_DFR:
        a->dfr = val | 0x0fffffffu;
        break;
    case R_SVR:
        a->svr = val & 0x3ff;
        if (!sw_enabled(a))
            for (unsigned i = 0; i < 6; i++)
                a->lvt[i] |= LVT_MASKED;
        break;
    case R_ESR:
        /* A write latches the errors seen since the last write. */
        a->esr = a->esr_pending;
        a->esr_pending = 0;
        break;
    case R_ICR_LO:
        a->icr_lo = val & 0x000cdfffu;   /* delivery status (bit 12) stays 0 */
        send_ipi(a);
        break;
    case R_ICR_HI:
        a->icr_hi = x2apic(a) ? val : val & 0xff000000u;
        break;
    case R_TMICT:
        if (TIMER_MODE(a->lvt[LVT_TIMER]) == TIMER_TSC_DEADLINE)
            break;   /* ignored in TSC-deadline mode */
        a->timer_initial = val;
        timer_start(a, now_ns(a));
        break;
    case R_TDCR:
        a->timer_dcr = val & 0xb;
        break;
    case R_VERSION: case R_APR: case R_PPR: case R_TMCCT:
    case R_ISR: case R_ISR + 1: case R_ISR + 2: case R_ISR + 3:
    case R_ISR + 4: case R_ISR + 5: case R_ISR + 6: case R_ISR + 7:
    case R_TMR: case R_TMR + 1: case R_TMR + 2: case R_TMR + 3:
    case R_TMR + 4: case R_TMR + 5: case R_TMR + 6: case R_TMR + 7:
    case R_IRR: case R_IRR + 1: case R_IRR + 2: case R_IRR + 3:
    case R_IRR + 4: case R_IRR + 5: case R_IRR + 6: case R_IRR + 7:
        break;   /* read-only */
    default:
        raise_error(a, ESR_ILLEGAL_REG);
        break;
    }
    update(a);
}

/* Registers are 32 bits on 16-byte boundaries; other accesses read 0 and are dropped
 * (the SDM leaves them undefined; Linux only uses aligned 32-bit accesses). */
static bool lapic_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    lapic *a = opaque;
    *val = 0;
    if ((off & 0xf) == 0 && size >= 4 && off < LAPIC_MMIO_SIZE && hw_enabled(a) &&
        !x2apic(a))
        *val = reg_read(a, (unsigned)(off >> 4));
    return true;
}

static bool lapic_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    lapic *a = opaque;
    if ((off & 0xf) == 0 && size >= 4 && off < LAPIC_MMIO_SIZE && hw_enabled(a) &&
        !x2apic(a))
        reg_write(a, (unsigned)(off >> 4), (uint32_t)val);
    return true;
}

const mmio_ops lapic_ops = { .read = lapic_read, .write = lapic_write };

/* x2APIC MSR 0x800 + i is the xAPIC register at offset i << 4, except: no DFR, APR,
 * RRD, ICR high half (the ICR is one 64-bit MSR); SELF IPI at 0x83F (SDM "x2APIC
 * Register Address Space", table "Local APIC Register Address Map Supported by
 * x2APIC"). */
#define MSR_X2APIC_BASE 0x800u
#define R_SELF_IPI 0x3f

typedef enum { X2_ABSENT, X2_RO, X2_WO, X2_RW } x2_access;

static x2_access x2_reg_access(unsigned r)
{
    if ((r >= R_ISR && r < R_IRR + 8) || r == R_ID || r == R_VERSION || r == R_PPR ||
        r == R_LDR || r == R_TMCCT)
        return X2_RO;
    if (r == R_EOI || r == R_SELF_IPI)
        return X2_WO;
    if (r == R_TPR || r == R_SVR || r == R_ESR || r == R_ICR_LO || r == R_TMICT ||
        r == R_TDCR || (r >= R_LVT_TIMER && r <= R_LVT_ERROR))
        return X2_RW;
    return X2_ABSENT;
}

bool lapic_msr_read(lapic *a, uint32_t msr, uint64_t *val)
{
    *val = 0;
    if (!x2apic(a) || msr < MSR_X2APIC_BASE || msr > MSR_X2APIC_BASE + 0xff)
        return false;
    unsigned r = msr - MSR_X2APIC_BASE;
    x2_access acc = x2_reg_access(r);
    if (acc == X2_ABSENT || acc == X2_WO)
        return false;
    *val = reg_read(a, r);
    if (r == R_ICR_LO)
        *val |= (uint64_t)a->icr_hi << 32;
    return true;
}

bool lapic_msr_write(lapic *a, uint32_t msr, uint64_t val)
{
    if (!x2apic(a) || msr < MSR_X2APIC_BASE || msr > MSR_X2APIC_BASE + 0xff)
        return false;
    unsigned r = msr - MSR_X2APIC_BASE;
    x2_access acc = x2_reg_access(r);
    if (acc == X2_ABSENT || acc == X2_RO)
        return false;
    if ((r == R_EOI || r == R_ESR) && val != 0)
        return false;   /* "a write of a non-zero value causes #GP" */
    if (r == R_SELF_IPI) {
        if (val >> 8)
            return false;
        apic_msg m = { .vector = (uint8_t)val, .delivery_mode = APIC_DM_FIXED, .assert = true,
                       .shorthand = 1, .x2apic = true };
        if (m.vector < 16)
            raise_error(a, ESR_SEND_ILLEGAL);
        else
            lapic_deliver(a, &m);
        update(a);
        return true;
    }
    if (r == R_ICR_LO) {
        /* One 64-bit write: the destination first, then the send. */
        a->icr_hi = (uint32_t)(val >> 32);
        reg_write(a, r, (uint32_t)val & ~(1u << 12));
        return true;
    }
    reg_write(a, r, (uint32_t)val);
    return true;
}

/* --- lifecycle --- */

static void reset_registers(lapic *a, bool bsp)
{
    a->tpr = a->ldr = a->esr = a->esr_pending = a->icr_lo = a->icr_hi = 0;
    a->dfr = 0xffffffffu;
    a->svr = 0xff;
    for (unsigned i = 0; i < 6; i++)
        a->lvt[i] = LVT_MASKED;
    memset(a->irr, 0, sizeof a->irr);
    memset(a->isr, 0, sizeof a->isr);
    memset(a->tmr, 0, sizeof a->tmr);
    a->timer_initial = a->timer_dcr = 0;
    a->timer_armed = false;
    a->tsc_deadline = 0;
    a->extint_msg = a->nmi_pending = a->init_pending = false;
    a->sipi_vector = -1;
    /* Virtual wire on the BSP: LINT0 ExtINT, unmasked (MP spec §3.6.2.2, set up by
     * firmware on real machines; QEMU's reset does the same). */
    if (bsp)
        a->lvt[LVT_LINT0] = APIC_DM_EXTINT << 8;
}

void lapic_reset(lapic *a, bool bsp)
{
    a->apic_base = LAPIC_DEFAULT_BASE | APIC_BASE_EN | (bsp ? APIC_BASE_BSP : 0);
    a->id = a->initial_id;
    reset_registers(a, bsp);
    update(a);
}

void lapic_reset_init(lapic *a)
{
    reset_registers(a, false);
    update(a);
}

void lapic_init(lapic *a, uint32_t id, bool bsp, lapic_clock_fn clock, void *opaque,
                const lapic_wiring *w)
{
    memset(a, 0, sizeof *a);
    a->id = a->initial_id = id;
    a->clock = clock ? clock : host_monotonic_ns;
    a->clock_opaque = opaque;
    if (w)
        a->w = *w;
    lapic_reset(a, bsp);
}

uint64_t lapic_get_apic_base(const lapic *a)
{
    return a->apic_base;
}

bool lapic_set_apic_base(lapic *a, uint64_t val)
{
    /* Bits 7:0, 9 and 63:MAXPHYADDR are reserved; 52 physical address bits assumed, the
     * CPU may check its own narrower width first. */
    if ((val & 0x2ffu) || (val >> 52))
        return false;
    bool en = val & APIC_BASE_EN, extd = val & APIC_BASE_EXTD;
    bool was_en = hw_enabled(a), was_x2 = x2apic(a);
    /* "x2APIC State Transitions": EXTD needs EN; x2APIC can only be left by disabling;
     * a disabled APIC enters xAPIC mode first. */
    if ((extd && !en) || (was_x2 && en && !extd) || (!was_en && en && extd))
        return false;
    a->apic_base = (a->apic_base & APIC_BASE_BSP) | (val & ~(uint64_t)APIC_BASE_BSP);
    if (was_en && !en)
        reset_registers(a, false);   /* disabling returns the APIC to its reset state */
    if (!was_x2 && x2apic(a))
        a->ldr = 0;                  /* derived from the ID from now on; no DFR */
    update(a);
    return true;
}
