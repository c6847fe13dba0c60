/* ACPI PM register block. References: ACPI 6.5 §4.8.3.1 (PM1 event registers: status
 * bits are write-1-to-clear, an enabled status raises the SCI), §4.8.3.2 (PM1 control:
 * SLP_EN and GBL_RLS are write-only and read 0), §4.8.3.3 (PM timer: 3.579545 MHz,
 * TMR_STS on every change of the top bit), §4.8.4.1 (GPE0 status/enable halves). */
#include "dev/pc/acpi_pm.h"

#include <string.h>
#include <time.h>

#define NS_PER_S 1000000000u
#define TMR_BITS 24u
#define TMR_MASK ((1u << TMR_BITS) - 1)
/* Bits with a meaning in PM1_STS/PM1_EN: the rest are reserved and read 0. */
#define PM1_STS_BITS (ACPI_PM1_TMR | ACPI_PM1_BM_STS | ACPI_PM1_GBL | ACPI_PM1_PWRBTN | \
                      ACPI_PM1_SLPBTN | ACPI_PM1_RTC | ACPI_PM1_WAK_STS)
#define PM1_EN_BITS (ACPI_PM1_TMR | ACPI_PM1_GBL | ACPI_PM1_PWRBTN | ACPI_PM1_SLPBTN | \
                     ACPI_PM1_RTC)
#define PM1_CNT_BITS (ACPI_PM1_SCI_EN | ACPI_PM1_BM_RLD | ACPI_PM1_SLP_TYP_MASK)

static uint64_t host_monotonic_ns(void *opaque)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* floor(ns * 3.579545 MHz) without overflow. */
static uint64_t ns_to_ticks(uint64_t ns)
{
    return ns / NS_PER_S * ACPI_PM_TMR_HZ + ns % NS_PER_S * ACPI_PM_TMR_HZ / NS_PER_S;
}

/* The first ns (since the timer's 0) at which `ticks` have elapsed. */
static uint64_t ticks_to_ns(uint64_t ticks)
{
    __extension__ unsigned __int128 ns =
        ((unsigned __int128)ticks * NS_PER_S + ACPI_PM_TMR_HZ - 1) / ACPI_PM_TMR_HZ;
    return ns > UINT64_MAX ? UINT64_MAX : (uint64_t)ns;
}

static uint64_t elapsed_ns(acpi_pm *pm)
{
    uint64_t now = pm->clock(pm->clock_opaque);
    return now >= pm->tmr_base_ns ? now - pm->tmr_base_ns : 0;
}

static uint64_t elapsed_ticks(acpi_pm *pm)
{
    return ns_to_ticks(elapsed_ns(pm));
}

static void update_sci(acpi_pm *pm)
{
    int level = (pm->pm1_cnt & ACPI_PM1_SCI_EN) &&
                ((pm->pm1_sts & pm->pm1_en) || (pm->gpe0_sts & pm->gpe0_en));
    if (level != pm->sci_level) {
        pm->sci_level = level;
        irq_set(&pm->sci, level);
    }
}

/* TMR_STS: set when bit 23 changed since the last look, i.e. a multiple of 2^23 ticks
 * was crossed. */
static void update_timer(acpi_pm *pm, uint64_t ticks)
{
    uint64_t msb = ticks >> (TMR_BITS - 1);
    if (msb != pm->tmr_msb_count) {
        pm->tmr_msb_count = msb;
        pm->pm1_sts |= ACPI_PM1_TMR;
    }
}

void acpi_pm_update(acpi_pm *pm)
{
    update_timer(pm, elapsed_ticks(pm));
    update_sci(pm);
}

uint32_t acpi_pm_timer(acpi_pm *pm)
{
    return (uint32_t)(elapsed_ticks(pm) & TMR_MASK);
}

int64_t acpi_pm_ns_until_event(acpi_pm *pm)
{
    if (!(pm->pm1_cnt & ACPI_PM1_SCI_EN) || !(pm->pm1_en & ACPI_PM1_TMR))
        return INT64_MAX;
    uint64_t now = elapsed_ns(pm);
    update_timer(pm, ns_to_ticks(now));
    update_sci(pm);
    if (pm->pm1_sts & ACPI_PM1_TMR)
        return INT64_MAX;   /* the SCI is up already: only a guest write changes that */
    uint64_t next = ticks_to_ns((pm->tmr_msb_count + 1) << (TMR_BITS - 1));
    uint64_t wait = next > now ? next - now : 0;
    return wait > INT64_MAX ? INT64_MAX : (int64_t)wait;
}

void acpi_pm_power_button(acpi_pm *pm)
{
    pm->pm1_sts |= ACPI_PM1_PWRBTN;
    update_sci(pm);
}

void acpi_pm_raise_gpe(acpi_pm *pm, unsigned n)
{
    if (n < 16) {
        pm->gpe0_sts |= (uint16_t)(1u << n);
        update_sci(pm);
    }
}

/* The block's 16 bytes as they read now, the timer sampled once so a 32-bit read is
 * never torn. */
static void snapshot(acpi_pm *pm, uint8_t regs[ACPI_PM_PORTS])
{
    uint64_t ticks = elapsed_ticks(pm);
    update_timer(pm, ticks);
    uint32_t tmr = (uint32_t)(ticks & TMR_MASK);
    uint16_t cnt = pm->pm1_cnt & PM1_CNT_BITS;
    memset(regs, 0, ACPI_PM_PORTS);
    memcpy(regs + ACPI_PM_EVT_OFF, &pm->pm1_sts, 2);
    memcpy(regs + ACPI_PM_EVT_OFF + 2, &pm->pm1_en, 2);
    memcpy(regs + ACPI_PM_CNT_OFF, &cnt, 2);
    memcpy(regs + ACPI_PM_TMR_OFF, &tmr, 4);
    memcpy(regs + ACPI_PM_GPE0_OFF, &pm->gpe0_sts, 2);
    memcpy(regs + ACPI_PM_GPE0_OFF + 2, &pm->gpe0_en, 2);
}

/* Store byte `hi` (0 = bits 7-0, 1 = bits 15-8) of a 16-bit register, keeping `mask`. */
static uint16_t set_byte(uint16_t reg, unsigned hi, uint8_t v, uint16_t mask)
{
    uint16_t lane = (uint16_t)(0xffu << (8 * hi));
    uint16_t nv = (uint16_t)((reg & ~lane) | ((uint16_t)v << (8 * hi)));
    return (uint16_t)((reg & ~mask) | (nv & mask));
}

static unsigned sleep_state(unsigned slp_typ)
{
    switch (slp_typ) {
    case ACPI_PM_SLP_TYP_S5: return 5;
    case 1: return 3;
    default: return 0;
    }
}

static void write_cnt(acpi_pm *pm, unsigned hi, uint8_t v)
{
    pm->pm1_cnt = set_byte(pm->pm1_cnt, hi, v, PM1_CNT_BITS);
    /* §4.8.3.2.1: SLP_EN = 1 starts the transition to the state SLP_TYP names. */
    if (hi && (v & (ACPI_PM1_SLP_EN >> 8)) && pm->sleep) {
        unsigned typ = (pm->pm1_cnt & ACPI_PM1_SLP_TYP_MASK) >> ACPI_PM1_SLP_TYP_SHIFT;
        pm->sleep(pm->sleep_opaque, sleep_state(typ));
    }
}

static void write8(acpi_pm *pm, unsigned off, uint8_t v)
{
    unsigned hi = off & 1;
    uint16_t w1c = (uint16_t)((uint16_t)v << (8 * hi));
    switch (off & ~1u) {
    case ACPI_PM_EVT_OFF: pm->pm1_sts &= (uint16_t)~(w1c & PM1_STS_BITS); break;
    case ACPI_PM_EVT_OFF + 2: pm->pm1_en = set_byte(pm->pm1_en, hi, v, PM1_EN_BITS); break;
    case ACPI_PM_CNT_OFF: write_cnt(pm, hi, v); break;
    case ACPI_PM_GPE0_OFF: pm->gpe0_sts &= (uint16_t)~w1c; break;
    case ACPI_PM_GPE0_OFF + 2: pm->gpe0_en = set_byte(pm->gpe0_en, hi, v, 0xffff); break;
    default: break;   /* PM_TMR is read-only; 0x6-0x7 reserved */
    }
}

/* Any width the I/O bus gives (1, 2, 4): register fields are byte lanes, so a wide
 * access is the bytes it covers; ports past the block read 0xFF. */
static bool pm_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    acpi_pm *pm = opaque;
    uint8_t regs[ACPI_PM_PORTS];
    snapshot(pm, regs);
    update_sci(pm);
    uint64_t v = 0;
    for (unsigned i = 0; i < size && i < 8; i++) {
        uint64_t p = off + i;
        v |= (uint64_t)(p < ACPI_PM_PORTS ? regs[p] : 0xff) << (8 * i);
    }
    *val = v;
    return true;
}

static bool pm_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    acpi_pm *pm = opaque;
    update_timer(pm, elapsed_ticks(pm));
    for (unsigned i = 0; i < size && i < 8; i++) {
        uint64_t p = off + i;
        if (p < ACPI_PM_PORTS)
            write8(pm, (unsigned)p, (uint8_t)(val >> (8 * i)));
    }
    update_sci(pm);
    return true;
}

const mmio_ops acpi_pm_ops = { .read = pm_read, .write = pm_write };

void acpi_pm_reset(acpi_pm *pm)
{
    pm->tmr_base_ns = pm->clock(pm->clock_opaque);
    pm->tmr_msb_count = 0;
    pm->pm1_sts = 0;
    pm->pm1_en = 0;
    pm->pm1_cnt = ACPI_PM1_SCI_EN;
    pm->gpe0_sts = 0;
    pm->gpe0_en = 0;
    update_sci(pm);
}

void acpi_pm_init(acpi_pm *pm, acpi_pm_clock_fn clock, void *clock_opaque, irq_line sci,
                  acpi_pm_sleep_fn sleep, void *sleep_opaque)
{
    memset(pm, 0, sizeof *pm);
    pm->clock = clock ? clock : host_monotonic_ns;
    pm->clock_opaque = clock_opaque;
    pm->sci = sci;
    pm->sleep = sleep;
    pm->sleep_opaque = sleep_opaque;
    pm->sci_level = -1;   /* drive the line once at reset */
    acpi_pm_reset(pm);
}
