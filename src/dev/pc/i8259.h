/* The PC's pair of Intel 8259A programmable interrupt controllers: the master at ports
 * 0x20/0x21 with the slave cascaded on its IR2, the slave at 0xA0/0xA1, and the PIIX/ICH
 * edge/level control registers (ELCR) at 0x4D0/0x4D1. Inputs are ISA IRQ 0-15; the
 * output is the master's INTR line, which the board wires to the CPU (or the local
 * APIC's LINT0); the CPU's interrupt-acknowledge cycle is i8259_acknowledge.
 *
 * Modelled from the 8259A datasheet (Intel 231468): ICW1-ICW4, OCW1-OCW3 incl. IRR/ISR
 * reads, poll, specific/non-specific EOI, rotation, special mask mode, special fully
 * nested mode, automatic EOI, and the spurious IR7 vector when INTR fell before INTA.
 * Simplifications (documented where they are made): the 8080/8085 call mode and
 * buffered mode are accepted but have no effect; ICW1.LTIM is ignored in favour of the
 * ELCR, as on the PIIX (82371AB §3.3.3: "the LTIM bit is disabled"). */
#ifndef VM_DEV_PC_I8259_H
#define VM_DEV_PC_I8259_H

#include "core/irq.h"
#include "core/types.h"
#include "mem/bus.h"

#define I8259_MASTER_PORT 0x20u
#define I8259_SLAVE_PORT 0xa0u
#define I8259_PORTS 2u
#define I8259_ELCR_PORT 0x4d0u
#define I8259_ELCR_PORTS 2u
#define I8259_CASCADE_IRQ 2u

typedef struct i8259_chip {
    uint8_t irr, isr, imr;
    uint8_t elcr, elcr_mask;     /* 1 = level triggered; mask of the writable bits */
    uint8_t lines;               /* current input levels (edge detection) */
    uint8_t vector_base;         /* ICW2 T7-T3 */
    uint8_t icw3;
    uint8_t priority_add;        /* the IR with the highest priority (rotation) */
    uint8_t init_step;           /* 0 = ready; 2/3/4 = next data byte is ICW2/3/4 */
    bool icw4_needed, single;
    bool auto_eoi, rotate_on_aeoi, special_fully_nested;
    bool special_mask, read_isr, poll;
} i8259_chip;

typedef struct i8259 {
    i8259_chip chip[2];          /* [0] master, [1] slave */
    irq_line intr;               /* master INT → CPU INTR / LAPIC LINT0 */
    int intr_level;
} i8259;

/* Power-on state (both chips need ICW1-4 before use: vector base 0, all unmasked as the
 * datasheet leaves it to initialisation) with INTR wired to `intr`. */
void i8259_init(i8259 *p, irq_line intr);
/* Reset the chips (keeps the wiring and the input levels); drives INTR. */
void i8259_reset(i8259 *p);

/* Input line for ISA IRQ 0-15 (irq_line.set with opaque = the i8259). IRQ2 is the
 * cascade input and ignored here (ISA IRQ2 devices are wired to IRQ9 on the PC/AT). */
void i8259_set_irq(void *opaque, unsigned irq, int level);

static inline irq_line i8259_irq_line(i8259 *p, unsigned irq)
{
    irq_line l = { .set = i8259_set_irq, .opaque = p, .irq = irq };
    return l;
}

/* The INTA cycle: returns the vector (0-255) the pair puts on the bus and moves the IR
 * from IRR to ISR. When nothing is pending any more it returns the spurious IR7 vector
 * of the master without setting ISR. (A spurious IR15 needs the slave to drop its
 * request between the master's and the slave's INTA pulses; this acknowledge is one
 * step, so it is handled but cannot occur.) */
int i8259_acknowledge(i8259 *p);

/* Level of the INTR output (1 = an unmasked request is waiting). */
static inline int i8259_intr(const i8259 *p)
{
    return p->intr_level;
}

/* Ports: master (opaque = i8259, base 0x20, 2 ports), slave (base 0xA0, 2 ports),
 * ELCR (base 0x4D0, 2 ports). */
extern const mmio_ops i8259_master_ops;
extern const mmio_ops i8259_slave_ops;
extern const mmio_ops i8259_elcr_ops;

#endif
