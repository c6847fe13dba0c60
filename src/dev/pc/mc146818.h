/* Motorola MC146818A real-time clock and CMOS RAM as on the PC: index port 0x70 (bit 7
 * masks NMI), data port 0x71, 128 bytes of which 0x00-0x0D are the clock, 0x32 the
 * century (IBM PC/AT convention) and the rest battery-backed RAM that the board fills
 * (memory sizes for SeaBIOS, CPU count, ...). Interrupts on ISA IRQ8.
 *
 * Time: the RTC reads the host's date and time. At init it takes the wall clock once
 * (`wall`: ns since the Unix epoch, CLOCK_REALTIME unless given) and then advances with
 * the monotonic clock (`clock`, CLOCK_MONOTONIC unless given), so guest time never jumps
 * with host clock adjustments; tests pass fixed/fake clocks. A guest setting the time
 * (SET bit, or a write to a time register) only moves this RTC's offset.
 *
 * Modelled (MC146818A datasheet, "Register A-D", "Update Cycle", "Interrupts"): binary/
 * BCD (reg B DM), 12/24 hour (reg B 24/12), SET holding the registers, UIP set during the
 * 244 us before each update, periodic interrupt at the reg A rate, alarm with "don't
 * care" codes (0xC0-0xFF), update-ended interrupt, reg C flags set regardless of the
 * enables and cleared on read, IRQF driving IRQ8 (level, high until reg C is read), reg D
 * VRT, divider reset (reg A DV = 11x) stopping the clock. Simplified: daylight saving
 * (reg B DSE) and the square-wave output are not modelled; the day of week is derived
 * from the date (a written value is ignored); UIP is not held during the update itself,
 * which takes no time here. */
#ifndef VM_DEV_PC_MC146818_H
#define VM_DEV_PC_MC146818_H

#include "core/irq.h"
#include "core/types.h"
#include "mem/bus.h"

#define MC146818_PORT 0x70u
#define MC146818_PORTS 2u
#define MC146818_CMOS_SIZE 128u
#define MC146818_CENTURY 0x32u

typedef uint64_t (*mc146818_clock_fn)(void *opaque);

/* A broken-down date and time (binary, 24 h, full year). */
typedef struct mc146818_tm {
    int sec, min, hour, mday, mon, year;
} mc146818_tm;

typedef struct mc146818 {
    mc146818_clock_fn clock, wall;
    void *clock_opaque, *wall_opaque;
    int64_t base_sec;            /* RTC time (s since epoch) at monotonic base_ns */
    uint64_t base_ns;
    mc146818_tm held;            /* the time registers while SET or divider reset */
    bool frozen;
    int64_t last_sec;            /* RTC second of the last update cycle processed */
    uint64_t last_period;        /* periodic-interrupt period index last processed */
    uint8_t index;
    bool nmi_masked;             /* port 0x70 bit 7: the board may gate NMI with it */
    uint8_t cmos[MC146818_CMOS_SIZE];   /* regs A-D and RAM; 0x00-0x09, 0x32 unused */
    uint8_t alarm[3];            /* seconds, minutes, hours alarm registers (raw) */
    irq_line irq;
    int irq_level;
} mc146818;

/* Power-on: reads the wall clock once; reg A = 0x26 (32.768 kHz, 1024 Hz periodic rate),
 * reg B = 0x02 (24 h, BCD), reg D = 0x80 (valid RAM and time), RAM zero. NULL clocks mean
 * the host's CLOCK_MONOTONIC / CLOCK_REALTIME. */
void mc146818_init(mc146818 *r, mc146818_clock_fn clock, void *clock_opaque,
                   mc146818_clock_fn wall, void *wall_opaque, irq_line irq8);
/* The RESET pin (board reset): clears PIE/AIE/UIE/SQWE and reg C; time and RAM stay. */
void mc146818_reset(mc146818 *r);

/* Set the flags of updates, alarms and periodic ticks that happened; drive IRQ8. */
void mc146818_update(mc146818 *r);
/* Nanoseconds until the next enabled interrupt source fires (0 if due), INT64_MAX if
 * none is enabled: how long an idle CPU may sleep. */
int64_t mc146818_ns_until_event(mc146818 *r);

/* CMOS RAM bytes for the board (0x0E-0x7F; clock registers are ignored). */
void mc146818_cmos_set(mc146818 *r, unsigned idx, uint8_t val);
uint8_t mc146818_cmos_get(const mc146818 *r, unsigned idx);
/* The memory size fields QEMU's PC fills and SeaBIOS reads: 0x15/0x16 base memory
 * (640 KiB), 0x17/0x18 and 0x30/0x31 KiB above 1 MiB (max 65535), 0x34/0x35 64 KiB units
 * above 16 MiB below 4 GiB, 0x5B-0x5D 64 KiB units above 4 GiB. */
void mc146818_set_ram_size(mc146818 *r, uint64_t below_4g, uint64_t above_4g);

/* The current RTC date and time (tests, and the board's firmware tables if needed). */
void mc146818_now(mc146818 *r, mc146818_tm *tm);

extern const mmio_ops mc146818_ops;   /* base 0x70, 2 ports */

#endif
