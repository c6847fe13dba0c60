/* The Goldfish RTC ("google,goldfish-rtc") that QEMU's RISC-V virt board has at
 * 0x101000 (PLIC source 11), as Linux's rtc-goldfish driver uses it: a 64-bit count of
 * nanoseconds since the Unix epoch and one alarm with an interrupt.
 *   0x00 TIME_LOW      R: latch the time, return bits 31:0;  W: set bits 31:0
 *   0x04 TIME_HIGH     R: bits 63:32 of the latched time;     W: set bits 63:32
 *   0x08 ALARM_LOW     R/W bits 31:0 of the alarm; a write arms it
 *   0x0C ALARM_HIGH    R/W bits 63:32 of the alarm
 *   0x10 IRQ_ENABLED   R/W bit 0
 *   0x14 CLEAR_ALARM   W: disarm
 *   0x18 ALARM_STATUS  R: 1 while armed
 *   0x1C CLEAR_INTERRUPT W: acknowledge
 * (Android emulator docs, GOLDFISH-VIRTUAL-HARDWARE.TXT "goldfish_rtc", with the
 * IRQ_ENABLED/CLEAR_ALARM/ALARM_STATUS registers QEMU added.) The interrupt line is
 * high while an alarm has fired, is not acknowledged and interrupts are enabled.
 *
 * Time follows the host: the wall clock is read once at init and then advanced with
 * the monotonic clock (no jumps with host clock adjustments); a guest write of the time
 * only moves this device's offset. */
#ifndef VM_DEV_GOLDFISH_RTC_H
#define VM_DEV_GOLDFISH_RTC_H

#include "core/irq.h"
#include "core/types.h"
#include "mem/bus.h"

#define GOLDFISH_RTC_BASE 0x101000u
#define GOLDFISH_RTC_SIZE 0x1000u
#define GOLDFISH_RTC_VIRT_IRQ 11u    /* PLIC source on QEMU's virt board */

typedef uint64_t (*goldfish_rtc_clock_fn)(void *opaque);

typedef struct goldfish_rtc {
    goldfish_rtc_clock_fn clock, wall;
    void *clock_opaque, *wall_opaque;
    uint64_t offset;                 /* time = monotonic + offset (mod 2^64) */
    uint32_t time_high;              /* latched by a TIME_LOW read */
    uint64_t alarm;
    bool alarm_armed, irq_enabled, irq_pending;
    irq_line irq;
    int irq_level;
} goldfish_rtc;

/* NULL clocks: the host's CLOCK_MONOTONIC / CLOCK_REALTIME. */
void goldfish_rtc_init(goldfish_rtc *g, goldfish_rtc_clock_fn clock, void *clock_opaque,
                       goldfish_rtc_clock_fn wall, void *wall_opaque, irq_line irq);
/* Alarm disarmed, interrupt off and acknowledged; the time keeps running. */
void goldfish_rtc_reset(goldfish_rtc *g);
/* Current time in ns since the epoch. */
uint64_t goldfish_rtc_time(const goldfish_rtc *g);
/* Fire the alarm if it is due; the run loop calls this. */
void goldfish_rtc_update(goldfish_rtc *g);
/* Nanoseconds until the armed alarm (0 if due), INT64_MAX if none. */
int64_t goldfish_rtc_ns_until_event(goldfish_rtc *g);

extern const mmio_ops goldfish_rtc_ops;

#endif
