/* The ACPI fixed-hardware register block of a PIIX4-style PC (ACPI 6.5 §4.8 "ACPI
 * Hardware Features"), at the I/O base QEMU's pc board gives the PIIX4 PM function (0x600):
 *
 *   base+0x0 PM1a_EVT_BLK  PM1_STS (16-bit, write 1 to clear), +0x2 PM1_EN   (§4.8.3.1)
 *   base+0x4 PM1a_CNT_BLK  PM1_CNT (16-bit): SCI_EN, BM_RLD, GBL_RLS, SLP_TYP, SLP_EN
 *   base+0x8 PM_TMR_BLK    24-bit power-management timer at 3.579545 MHz (§4.8.3.3)
 *   base+0xC GPE0_BLK      GPE0_STS (16-bit, write 1 to clear), +0xE GPE0_EN (§4.8.4.1)
 *
 * GPE0 sits inside the block as on the PIIX4 (datasheet §7.2, GPSTS/GPEN at PMBA+0Ch/0Eh)
 * rather than at QEMU's separate 0xAFE0, so the board maps one 16-port range. The FADT
 * (arch/x86/pc_acpi.c) describes exactly these addresses and lengths.
 *
 * SLP_TYP uses the values QEMU's PIIX4 PM decodes (PIIX4 PMCNTRL SUS_TYP): 0 = soft off
 * (S5), 1 = suspend to RAM (S3); the others are not modelled and reported as state 0. The
 * DSDT's \_S5 package holds 0. Writing SLP_EN = 1 reports the requested state to the
 * `sleep` callback (S5 → the board powers off); only \_S5 is advertised, so a guest never
 * asks for another state through ACPI, and the board ignores any that arrives.
 *
 * The SCI (ACPI §4.8.2.2: level, shareable) is an irq_line the board wires to ISA IRQ 9
 * (FADT SCI_INT). It is high while SCI_EN is set and some PM1 or GPE0 status bit has its
 * enable bit set. There is no SMI_CMD port (FADT SMI_CMD = 0: no legacy mode, ACPI
 * §4.8.2.5), so SCI_EN reads 1 from power-on; a guest may still clear it.
 *
 * Time comes from a nanosecond clock callback (the board passes CLOCK_MONOTONIC, tests a
 * fake clock). TMR_STS is set whenever bit 23 of the timer changes; the board calls
 * acpi_pm_update from its poll and uses acpi_pm_ns_until_event for its idle timeout. */
#ifndef VM_DEV_PC_ACPI_PM_H
#define VM_DEV_PC_ACPI_PM_H

#include "core/irq.h"
#include "core/types.h"
#include "mem/bus.h"

#define ACPI_PM_PORT 0x600u
#define ACPI_PM_PORTS 16u
#define ACPI_PM_SCI_IRQ 9u
#define ACPI_PM_TMR_HZ 3579545u

/* Offsets in the block (the FADT's PM1a_EVT/PM1a_CNT/PM_TMR/GPE0 blocks and lengths). */
#define ACPI_PM_EVT_OFF 0x0u
#define ACPI_PM_EVT_LEN 4u
#define ACPI_PM_CNT_OFF 0x4u
#define ACPI_PM_CNT_LEN 2u
#define ACPI_PM_TMR_OFF 0x8u
#define ACPI_PM_TMR_LEN 4u
#define ACPI_PM_GPE0_OFF 0xcu
#define ACPI_PM_GPE0_LEN 4u

/* PM1_STS / PM1_EN bits (ACPI 6.5 Table 4.16, 4.17). */
#define ACPI_PM1_TMR (1u << 0)
#define ACPI_PM1_BM_STS (1u << 4)
#define ACPI_PM1_GBL (1u << 5)
#define ACPI_PM1_PWRBTN (1u << 8)
#define ACPI_PM1_SLPBTN (1u << 9)
#define ACPI_PM1_RTC (1u << 10)
#define ACPI_PM1_WAK_STS (1u << 15)
/* PM1_CNT bits (ACPI 6.5 Table 4.18). */
#define ACPI_PM1_SCI_EN (1u << 0)
#define ACPI_PM1_BM_RLD (1u << 1)
#define ACPI_PM1_GBL_RLS (1u << 2)
#define ACPI_PM1_SLP_TYP_SHIFT 10
#define ACPI_PM1_SLP_TYP_MASK (7u << ACPI_PM1_SLP_TYP_SHIFT)
#define ACPI_PM1_SLP_EN (1u << 13)

/* The SLP_TYP value the DSDT's \_S5 names (PIIX4 "soft off"). */
#define ACPI_PM_SLP_TYP_S5 0u

typedef uint64_t (*acpi_pm_clock_fn)(void *opaque);
/* `sstate` is the ACPI sleep state (5 = soft off) decoded from SLP_TYP, or 0 for a
 * reserved SLP_TYP value. */
typedef void (*acpi_pm_sleep_fn)(void *opaque, unsigned sstate);

typedef struct acpi_pm {
    acpi_pm_clock_fn clock;
    void *clock_opaque;
    acpi_pm_sleep_fn sleep;
    void *sleep_opaque;
    irq_line sci;
    int sci_level;
    uint64_t tmr_base_ns;    /* clock time at which the timer read 0 */
    uint64_t tmr_msb_count;  /* (ticks >> 23) when TMR_STS was last brought up to date */
    uint16_t pm1_sts;
    uint16_t pm1_en;
    uint16_t pm1_cnt;
    uint16_t gpe0_sts;
    uint16_t gpe0_en;
} acpi_pm;

/* Power-on state on the given clock (NULL = host CLOCK_MONOTONIC); SCI to `sci`, sleep
 * requests to `sleep(opaque, sstate)` (may be NULL). */
void acpi_pm_init(acpi_pm *pm, acpi_pm_clock_fn clock, void *clock_opaque, irq_line sci,
                  acpi_pm_sleep_fn sleep, void *sleep_opaque);
/* Registers back to power-on (SCI_EN set, everything else clear, timer from 0). */
void acpi_pm_reset(acpi_pm *pm);
/* Bring TMR_STS up to date with the clock and the SCI with it; the board's poll. */
void acpi_pm_update(acpi_pm *pm);
/* Nanoseconds until the timer's next TMR_STS event if it would raise the SCI, INT64_MAX
 * if none (timer event disabled, or TMR_STS already set and not yet cleared). */
int64_t acpi_pm_ns_until_event(acpi_pm *pm);
/* The 24-bit PM timer value now. */
uint32_t acpi_pm_timer(acpi_pm *pm);
/* A press of the fixed-feature power button (ACPI §4.8.3.1.1: PWRBTN_STS, SCI when
 * PWRBTN_EN): the guest's OS then shuts down in an orderly way. */
void acpi_pm_power_button(acpi_pm *pm);
/* Set status bit n (0-15) of GPE0 (a general-purpose event source). */
void acpi_pm_raise_gpe(acpi_pm *pm, unsigned n);

extern const mmio_ops acpi_pm_ops;   /* ACPI_PM_PORTS ports at ACPI_PM_PORT */

#endif
