/* Intel 8254 programmable interval timer as on the PC (ports 0x40-0x43, 1.193182 MHz
 * input clock on all three counters): counter 0's OUT drives ISA IRQ0, counter 1 (DRAM
 * refresh) is only readable, counter 2's GATE and OUT go through system control port B
 * (port 0x61: bit 0 GATE2, bit 1 speaker data enable, bit 4 refresh toggle, bit 5 OUT2),
 * which Linux's PIT/TSC calibration polls. Port 0x61 is a second small region of this
 * model (i8254_port61_ops).
 *
 * Time comes from a nanosecond clock callback (the board passes CLOCK_MONOTONIC, tests a
 * fake clock): counters are computed from the time elapsed since they were loaded, so no
 * per-tick work is needed. The run loop calls i8254_update to raise IRQ0 when due and
 * i8254_ns_until_event for its idle wait.
 *
 * Modes 0-5, BCD, LSB/MSB/LSB-then-MSB access, counter latch and read-back (8254
 * datasheet 231164 "Operational Description"). Simplifications: a count written while a
 * mode 2/3 counter runs restarts the period at once (the chip waits for the end of the
 * current period); mode 3 with an odd count has equal half periods; the one-clock
 * latency between a write and the count taking effect is not modelled. IRQ0 is driven
 * as a level that follows OUT for modes 0 and 1 and as a pulse (raise, lower) at each
 * rising edge of OUT in modes 2-5, which is what an edge-triggered 8259A or IOAPIC pin
 * latches. */
#ifndef VM_DEV_PC_I8254_H
#define VM_DEV_PC_I8254_H

#include "core/irq.h"
#include "core/types.h"
#include "mem/bus.h"

#define I8254_PORT 0x40u
#define I8254_PORTS 4u
#define I8254_PORT61 0x61u
#define I8254_PORT61_PORTS 1u
#define I8254_HZ 1193182u

typedef uint64_t (*i8254_clock_fn)(void *opaque);

typedef struct i8254_counter {
    uint32_t count;          /* count register: 1..0x10000 (binary) or 1..10000 (BCD) */
    uint8_t mode;            /* 0-5 (6, 7 are stored as 2, 3) */
    uint8_t rw;              /* 1 LSB, 2 MSB, 3 LSB then MSB */
    bool bcd;
    bool gate;
    bool loaded;             /* a count was written since the control word */
    bool running;            /* counting (modes 1/5: triggered by GATE) */
    bool null_count;         /* status bit 6: count written, not yet in the counter */
    uint64_t start_ns;       /* clock time at which `base_ticks` were counted */
    uint64_t base_ticks;     /* ticks counted before start_ns (gate pauses) */
    uint64_t next_event;     /* ticks (same scale) of the next OUT rising edge, or ~0 */
    uint8_t write_lsb;       /* LSB-then-MSB: first byte written */
    bool write_msb_next;
    bool read_msb_next;
    bool count_latched;
    uint16_t latch;
    uint8_t latch_bytes;     /* bytes of the latched count still to read */
    bool latch_msb_next;
    bool status_latched;
    uint8_t status;
} i8254_counter;

typedef struct i8254 {
    i8254_clock_fn clock;
    void *clock_opaque;
    i8254_counter ctr[3];
    irq_line irq0;
    int irq0_level;
    bool speaker_data;       /* port 0x61 bit 1 */
    uint8_t port61_spare;    /* bits 2-3 read back as written */
} i8254;

/* Power-on state on the given clock (NULL = host CLOCK_MONOTONIC); IRQ0 to `irq0`. */
void i8254_init(i8254 *t, i8254_clock_fn clock, void *opaque, irq_line irq0);
/* Counters back to the unprogrammed state (keeps clock and wiring); IRQ0 low. */
void i8254_reset(i8254 *t);
/* Raise IRQ0 if counter 0's OUT rose since the last call; the run loop calls this. */
void i8254_update(i8254 *t);
/* Nanoseconds until counter 0's next IRQ0 edge (0 if due now), INT64_MAX if none. */
int64_t i8254_ns_until_event(i8254 *t);
/* Current OUT level of counter n (0-2), for tests and the speaker. */
int i8254_out(i8254 *t, unsigned n);
/* Board-side GATE of counter n (GATE2 is normally driven by port 0x61). */
void i8254_set_gate(i8254 *t, unsigned n, bool gate);

extern const mmio_ops i8254_ops;          /* base 0x40, 4 ports */
extern const mmio_ops i8254_port61_ops;   /* base 0x61, 1 port */

#endif
