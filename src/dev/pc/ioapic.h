/* I/O APIC (Intel 82093AA datasheet 290566; version 0x20 as on the ICH/PIIX3 boards
 * QEMU models): IOREGSEL at +0x00, IOWIN at +0x10, EOI register at +0x40; registers ID
 * (0x00), version (0x01: 24 pins, version 0x20), arbitration ID (0x02) and the 24
 * redirection entries (0x10-0x3F). Inputs are GSI 0-23; a pin fires by sending an
 * apic_msg to the board's callback, which routes it to the LAPIC(s) (lapic_match_dest,
 * lapic_deliver). Level-triggered pins keep remote IRR set until the LAPIC's EOI comes
 * back through ioapic_eoi (or the EOI register), then re-fire if still asserted.
 *
 * Simplifications: input levels are logical ("asserted"), so the polarity bit is stored
 * and reported but not applied (a board hands in asserted/deasserted whatever the
 * wire's electrical sense, as QEMU does); an edge arriving while its pin is masked is
 * remembered and sent on unmask (the 82093AA drops it); delivery is immediate, so the
 * delivery status bit always reads idle. */
#ifndef VM_DEV_PC_IOAPIC_H
#define VM_DEV_PC_IOAPIC_H

#include "core/irq.h"
#include "core/types.h"
#include "dev/pc/lapic.h"
#include "mem/bus.h"

#define IOAPIC_DEFAULT_BASE 0xfec00000u
#define IOAPIC_MMIO_SIZE 0x1000u
#define IOAPIC_PINS 24u

typedef void (*ioapic_deliver_fn)(void *opaque, const apic_msg *msg);

typedef struct ioapic {
    uint8_t id;
    uint8_t sel;                     /* IOREGSEL */
    uint64_t redir[IOAPIC_PINS];
    uint32_t level;                  /* asserted inputs */
    uint32_t edge_pending;           /* edges waiting for an unmask */
    ioapic_deliver_fn deliver;
    void *opaque;
} ioapic;

/* Reset state with APIC ID `id`: every entry masked, edge, active high. */
void ioapic_init(ioapic *io, uint8_t id, ioapic_deliver_fn deliver, void *opaque);
/* Back to the reset state (keeps the ID, wiring and input levels). */
void ioapic_reset(ioapic *io);

/* Input for GSI 0-23 (irq_line.set with opaque = the ioapic). */
void ioapic_set_irq(void *opaque, unsigned gsi, int level);
static inline irq_line ioapic_irq_line(ioapic *io, unsigned gsi)
{
    irq_line l = { .set = ioapic_set_irq, .opaque = io, .irq = gsi };
    return l;
}

/* A LAPIC EOI of `vector` (broadcast from lapic_wiring.eoi): clears remote IRR of the
 * level-triggered entries with that vector and re-sends those still asserted. */
void ioapic_eoi(ioapic *io, int vector);

extern const mmio_ops ioapic_ops;    /* opaque = the ioapic */

#endif
