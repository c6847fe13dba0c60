/* 8259A PIC pair. References: Intel 8259A datasheet (231468-003), "Interrupt Sequence",
 * "Programming the 8259A" (ICW1-4, OCW1-3); Intel 82371AB (PIIX4) datasheet §3.3.3 /
 * §4.3 for the PC wiring and the ELCR. */
#include "dev/pc/i8259.h"

#include <string.h>

#include "dev/pc/isa_port.h"

/* Priority 0 is the highest; the IR holding priority p is (p + priority_add) & 7
 * (datasheet "Automatic Rotation"). Returns 8 if no bit of `mask` is set. */
static unsigned highest_priority(const i8259_chip *c, uint8_t mask)
{
    for (unsigned p = 0; p < 8; p++)
        if (mask & (1u << ((p + c->priority_add) & 7)))
            return p;
    return 8;
}

/* The IR this chip would signal on INT, or -1. */
static int chip_pending(const i8259_chip *c, bool master)
{
    unsigned req = highest_priority(c, c->irr & (uint8_t)~c->imr);
    if (req == 8)
        return -1;
    uint8_t in_service = c->isr;
    /* OCW3 special mask mode: a masked IR in service does not inhibit lower ones. */
    if (c->special_mask)
        in_service &= (uint8_t)~c->imr;
    /* ICW4 SFNM: the master lets a higher-priority slave IR through while the cascade
     * IR is in service, so the in-service cascade does not block its own input. */
    if (master && c->special_fully_nested)
        in_service &= (uint8_t)~(1u << I8259_CASCADE_IRQ);
    if (req < highest_priority(c, in_service))
        return (int)((req + c->priority_add) & 7);
    return -1;
}

/* An input changed level: edge inputs latch IRR on a rising edge, level inputs follow. */
static void chip_set_line(i8259_chip *c, unsigned ir, int level)
{
    uint8_t bit = (uint8_t)(1u << ir);
    if (c->elcr & bit) {
        if (level)
            c->irr |= bit;
        else
            c->irr &= (uint8_t)~bit;
    } else if (level && !(c->lines & bit)) {
        c->irr |= bit;
    }
    if (level)
        c->lines |= bit;
    else
        c->lines &= (uint8_t)~bit;
}

static void update(i8259 *p)
{
    /* The slave's INT drives the master's IR2. The datasheet requires an IR to stay high
     * until INTA ("Edge and Level Triggered Modes"), which the slave's INT does while it
     * has a request, so IR2 is modelled as following INT: a request the slave withdraws
     * (or one it raises again while IR2 is latched) is never lost or left stale. */
    i8259_chip *m = &p->chip[0];
    uint8_t cascade = (uint8_t)(1u << I8259_CASCADE_IRQ);
    if (chip_pending(&p->chip[1], false) >= 0) {
        m->irr |= cascade;
        m->lines |= cascade;
    } else {
        m->irr &= (uint8_t)~cascade;
        m->lines &= (uint8_t)~cascade;
    }
    int level = chip_pending(&p->chip[0], true) >= 0;
    if (level != p->intr_level) {
        p->intr_level = level;
        irq_set(&p->intr, level);
    }
}

/* The INTA pulses for one chip: IRR → ISR (or nothing in AEOI mode). Level-triggered
 * IRR bits stay set while the line is high (datasheet: the IR must stay high until the
 * first INTA; in level mode IRR mirrors the input). */
static void chip_acknowledge(i8259_chip *c, unsigned ir)
{
    uint8_t bit = (uint8_t)(1u << ir);
    if (c->auto_eoi) {
        if (c->rotate_on_aeoi)
            c->priority_add = (uint8_t)((ir + 1) & 7);
    } else {
        c->isr |= bit;
    }
    if (!(c->elcr & bit))
        c->irr &= (uint8_t)~bit;
}

int i8259_acknowledge(i8259 *p)
{
    i8259_chip *m = &p->chip[0], *s = &p->chip[1];
    int vector;
    int ir = chip_pending(m, true);
    if (ir < 0) {
        /* INTR fell before INTA: the 8259A answers with IR7 without setting ISR. */
        vector = (m->vector_base & 0xf8) | 7;
    } else {
        chip_acknowledge(m, (unsigned)ir);
        if (ir == (int)I8259_CASCADE_IRQ && !m->single) {
            int sir = chip_pending(s, false);
            if (sir < 0) {
                vector = (s->vector_base & 0xf8) | 7;   /* spurious IRQ15 */
            } else {
                chip_acknowledge(s, (unsigned)sir);
                vector = (s->vector_base & 0xf8) | sir;
            }
        } else {
            vector = (m->vector_base & 0xf8) | ir;
        }
    }
    update(p);
    return vector;
}

void i8259_set_irq(void *opaque, unsigned irq, int level)
{
    i8259 *p = opaque;
    if (irq >= 16 || irq == I8259_CASCADE_IRQ)
        return;
    chip_set_line(&p->chip[irq >> 3], irq & 7, level != 0);
    update(p);
}

static void chip_reset(i8259_chip *c)
{
    uint8_t lines = c->lines, elcr = c->elcr, elcr_mask = c->elcr_mask;
    memset(c, 0, sizeof *c);
    c->lines = lines;
    c->elcr = elcr;
    c->elcr_mask = elcr_mask;
    c->irr = lines & elcr;
}

void i8259_reset(i8259 *p)
{
    for (unsigned i = 0; i < 2; i++) {
        p->chip[i].elcr = 0;
        chip_reset(&p->chip[i]);
    }
    p->intr_level = 0;
    irq_set(&p->intr, 0);
    update(p);
}

void i8259_init(i8259 *p, irq_line intr)
{
    memset(p, 0, sizeof *p);
    p->intr = intr;
    /* PIIX4 §4.3.2: ELCR1 bits 0-2 (IRQ0-2) and ELCR2 bits 0 and 5 (IRQ8, IRQ13) are
     * reserved, those inputs are always edge triggered. */
    p->chip[0].elcr_mask = 0xf8;
    p->chip[1].elcr_mask = 0xde;
    i8259_reset(p);
}

static void write_icw1(i8259_chip *c, uint8_t val)
{
    /* "Initialization Command Words": ICW1 clears IMR, special mask mode and status read
     * (back to IRR), gives IR7 the lowest priority, zeroes the ICW4 functions when IC4 is
     * 0, and resets edge sensing (an input already high needs a new rising edge: `lines`
     * keeps its level so it does). ISR is cleared too, as a fresh controller would be. */
    chip_reset(c);
    c->icw4_needed = val & 0x01;
    c->single = val & 0x02;
    c->init_step = 2;
}

static void write_ocw2(i8259_chip *c, uint8_t val)
{
    unsigned cmd = val >> 5, level = val & 7;
    switch (cmd) {
    case 0:   /* rotate in automatic EOI mode: clear */
    case 4:   /* ... set */
        c->rotate_on_aeoi = cmd == 4;
        break;
    case 1:   /* non-specific EOI: the highest-priority IR in service */
    case 5: { /* rotate on non-specific EOI */
        unsigned pr = highest_priority(c, c->isr);
        if (pr == 8)
            break;
        unsigned ir = (pr + c->priority_add) & 7;
        c->isr &= (uint8_t)~(1u << ir);
        if (cmd == 5)
            c->priority_add = (uint8_t)((ir + 1) & 7);
        break;
    }
    case 3:   /* specific EOI */
    case 7:   /* rotate on specific EOI */
        c->isr &= (uint8_t)~(1u << level);
        if (cmd == 7)
            c->priority_add = (uint8_t)((level + 1) & 7);
        break;
    case 6:   /* set priority: IR `level` becomes the lowest */
        c->priority_add = (uint8_t)((level + 1) & 7);
        break;
    default:  /* 2: no operation */
        break;
    }
}

static void write_ocw3(i8259_chip *c, uint8_t val)
{
    if (val & 0x04)
        c->poll = true;
    if (val & 0x02)
        c->read_isr = val & 0x01;
    if (val & 0x40)
        c->special_mask = (val >> 5) & 1;
}

static void chip_write(i8259 *p, unsigned idx, unsigned port, uint8_t val)
{
    i8259_chip *c = &p->chip[idx];
    if (port == 0) {
        if (val & 0x10)
            write_icw1(c, val);
        else if (val & 0x08)
            write_ocw3(c, val);
        else
            write_ocw2(c, val);
    } else {
        switch (c->init_step) {
        case 2:
            c->vector_base = val & 0xf8;   /* ICW2 T7-T3 (x86 mode) */
            c->init_step = c->single ? (c->icw4_needed ? 4 : 0) : 3;
            break;
        case 3:
            c->icw3 = val;                 /* cascade wiring: fixed on the PC */
            c->init_step = c->icw4_needed ? 4 : 0;
            break;
        case 4:
            /* ICW4: uPM (bit 0) must be 1 for x86; buffered mode has no effect here. */
            c->auto_eoi = val & 0x02;
            c->special_fully_nested = val & 0x10;
            c->init_step = 0;
            break;
        default:
            c->imr = val;                  /* OCW1 */
            break;
        }
    }
    update(p);
}

static uint8_t chip_read(i8259 *p, unsigned idx, unsigned port)
{
    i8259_chip *c = &p->chip[idx];
    if (c->poll) {
        /* OCW3 poll: the next read is an INTA for this chip: 0x80 | IR if one is
         * pending (and it goes in service), else 0. */
        c->poll = false;
        int ir = chip_pending(c, idx == 0);
        if (ir < 0)
            return 0;
        chip_acknowledge(c, (unsigned)ir);
        update(p);
        return (uint8_t)(0x80 | ir);
    }
    if (port == 1)
        return c->imr;
    return c->read_isr ? c->isr : c->irr;
}

static uint8_t master_read8(void *opaque, unsigned port)
{
    return chip_read(opaque, 0, port);
}

static uint8_t slave_read8(void *opaque, unsigned port)
{
    return chip_read(opaque, 1, port);
}

static void master_write8(void *opaque, unsigned port, uint8_t val)
{
    chip_write(opaque, 0, port, val);
}

static void slave_write8(void *opaque, unsigned port, uint8_t val)
{
    chip_write(opaque, 1, port, val);
}

static bool master_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    isa_port_read(opaque, off, size, val, I8259_PORTS, master_read8);
    return true;
}

static bool master_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    isa_port_write(opaque, off, size, val, I8259_PORTS, master_write8);
    return true;
}

static bool slave_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    isa_port_read(opaque, off, size, val, I8259_PORTS, slave_read8);
    return true;
}

static bool slave_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    isa_port_write(opaque, off, size, val, I8259_PORTS, slave_write8);
    return true;
}

static uint8_t elcr_read8(void *opaque, unsigned port)
{
    return ((i8259 *)opaque)->chip[port].elcr;
}

static void elcr_write8(void *opaque, unsigned port, uint8_t val)
{
    i8259 *p = opaque;
    i8259_chip *c = &p->chip[port];
    c->elcr = val & c->elcr_mask;
    /* A level input's IRR follows its line; an edge input keeps what it latched. */
    c->irr = (uint8_t)((c->irr & ~c->elcr) | (c->lines & c->elcr));
    update(p);
}

static bool elcr_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    isa_port_read(opaque, off, size, val, I8259_ELCR_PORTS, elcr_read8);
    return true;
}

static bool elcr_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    isa_port_write(opaque, off, size, val, I8259_ELCR_PORTS, elcr_write8);
    return true;
}

const mmio_ops i8259_master_ops = { .read = master_read, .write = master_write };
const mmio_ops i8259_slave_ops = { .read = slave_read, .write = slave_write };
const mmio_ops i8259_elcr_ops = { .read = elcr_read, .write = elcr_write };
