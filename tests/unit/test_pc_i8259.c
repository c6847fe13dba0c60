/* 8259A pair: Linux's init_8259A sequence, priorities, nesting, cascade, EOIs, ELCR level
 * inputs, spurious IR7/IR15, AEOI, poll, special mask mode, rotation, wide port reads. */
#include "dev/pc/i8259.h"

#include "check.h"

typedef struct out {
    int level, changes;
} out;

static void intr_set(void *opaque, unsigned irq, int level)
{
    out *o = opaque;
    o->level = level;
    o->changes++;
}

static void outb(i8259 *p, unsigned port, uint8_t v)
{
    if (port >= 0x4d0)
        i8259_elcr_ops.write(p, port - 0x4d0, 1, v);
    else if (port >= 0xa0)
        i8259_slave_ops.write(p, port - 0xa0, 1, v);
    else
        i8259_master_ops.write(p, port - 0x20, 1, v);
}

static uint8_t inb(i8259 *p, unsigned port)
{
    uint64_t v = 0xdead;
    if (port >= 0x4d0)
        i8259_elcr_ops.read(p, port - 0x4d0, 1, &v);
    else if (port >= 0xa0)
        i8259_slave_ops.read(p, port - 0xa0, 1, &v);
    else
        i8259_master_ops.read(p, port - 0x20, 1, &v);
    return (uint8_t)v;
}

/* arch/x86/kernel/i8259.c init_8259A(auto_eoi), vectors 0x30.. as ISA_IRQ_VECTOR. */
static void linux_init(i8259 *p, bool auto_eoi)
{
    outb(p, 0x21, 0xff);
    outb(p, 0xa1, 0xff);
    outb(p, 0x20, 0x11);
    outb(p, 0x21, 0x30);
    outb(p, 0x21, 1u << 2);
    outb(p, 0x21, auto_eoi ? 0x03 : 0x01);
    outb(p, 0xa0, 0x11);
    outb(p, 0xa1, 0x38);
    outb(p, 0xa1, 2);
    outb(p, 0xa1, 0x01);
    outb(p, 0x21, 0x00);   /* unmask everything (the cached masks once IRQs request) */
    outb(p, 0xa1, 0x00);
}

static uint8_t read_isr(i8259 *p, unsigned cmd)
{
    outb(p, cmd, 0x0b);
    uint8_t v = inb(p, cmd);
    outb(p, cmd, 0x0a);
    return v;
}

static void pulse(i8259 *p, unsigned irq)
{
    i8259_set_irq(p, irq, 1);
    i8259_set_irq(p, irq, 0);
}

int main(void)
{
    i8259 p;
    out o = { 0, 0 };
    i8259_init(&p, (irq_line){ .set = intr_set, .opaque = &o, .irq = 0 });

    /* probe_8259A: the mask register reads back what was written. */
    outb(&p, 0x21, 0xa5);
    CHECK_EQ(inb(&p, 0x21), 0xa5, "IMR reads back (probe_8259A)");
    linux_init(&p, false);
    CHECK_EQ(inb(&p, 0x21), 0x00, "master IMR after init");
    CHECK(o.level == 0, "INTR low after init");

    /* One edge IRQ: INTR, vector, ISR, specific EOI (mask_and_ack_8259A). */
    pulse(&p, 0);
    CHECK(o.level == 1, "IRQ0 edge raises INTR");
    CHECK_EQ(inb(&p, 0x20), 0x01, "IRR shows IRQ0 (status read defaults to IRR)");
    CHECK_EQ(i8259_acknowledge(&p), 0x30, "IRQ0 vector = ICW2 base");
    CHECK(o.level == 0, "INTR falls after INTA");
    CHECK_EQ(read_isr(&p, 0x20), 0x01, "ISR bit 0 in service");
    CHECK_EQ(inb(&p, 0x20), 0x00, "IRR cleared by INTA for edge input");
    outb(&p, 0x20, 0x60);
    CHECK_EQ(read_isr(&p, 0x20), 0x00, "specific EOI clears ISR");

    /* Fixed priority and nesting. */
    pulse(&p, 3);
    pulse(&p, 1);
    CHECK_EQ(i8259_acknowledge(&p), 0x31, "IRQ1 before IRQ3");
    CHECK(o.level == 0, "IRQ3 blocked while IRQ1 in service");
    pulse(&p, 0);
    CHECK(o.level == 1, "IRQ0 nests over IRQ1");
    CHECK_EQ(i8259_acknowledge(&p), 0x30, "nested IRQ0 vector");
    CHECK_EQ(read_isr(&p, 0x20), 0x03, "two IRs in service");
    outb(&p, 0x20, 0x20);
    CHECK_EQ(read_isr(&p, 0x20), 0x02, "non-specific EOI clears the highest (IRQ0)");
    CHECK(o.level == 0, "IRQ3 still blocked by IRQ1");
    outb(&p, 0x20, 0x20);
    CHECK(o.level == 1, "IRQ3 after the last EOI");
    CHECK_EQ(i8259_acknowledge(&p), 0x33, "IRQ3 vector");
    outb(&p, 0x20, 0x63);

    /* Masking: IRR still latches, INTR stays low until unmasked. */
    outb(&p, 0x21, 0x10);
    pulse(&p, 4);
    CHECK(o.level == 0 && inb(&p, 0x20) == 0x10, "masked IRQ4 latched in IRR only");
    outb(&p, 0x21, 0x00);
    CHECK(o.level == 1, "unmask delivers the latched IRQ4");
    CHECK_EQ(i8259_acknowledge(&p), 0x34, "IRQ4 vector");
    outb(&p, 0x20, 0x64);

    /* Cascade: IRQ12 through the slave on IR2. */
    pulse(&p, 12);
    CHECK(o.level == 1, "slave IRQ12 raises master INTR");
    CHECK_EQ(i8259_acknowledge(&p), 0x3c, "IRQ12 vector from the slave's ICW2");
    CHECK(read_isr(&p, 0x20) == 0x04 && read_isr(&p, 0xa0) == 0x10,
          "master ISR2 and slave ISR4 in service");
    pulse(&p, 9);
    CHECK(o.level == 0, "lower slave IRQ waits");
    outb(&p, 0xa0, 0x64);   /* slave specific EOI then cascade EOI, as Linux does */
    outb(&p, 0x20, 0x62);
    CHECK(o.level == 1, "IRQ9 after both EOIs");
    CHECK_EQ(i8259_acknowledge(&p), 0x39, "IRQ9 vector");
    outb(&p, 0xa0, 0x61);
    outb(&p, 0x20, 0x62);
    CHECK(read_isr(&p, 0x20) == 0 && read_isr(&p, 0xa0) == 0, "all EOIed");
    i8259_set_irq(&p, 2, 1);
    CHECK(o.level == 0, "external IRQ2 is ignored (cascade input)");

    /* ELCR: reserved bits, level inputs re-request after EOI, follow the line. */
    outb(&p, 0x4d0, 0xff);
    outb(&p, 0x4d1, 0xff);
    CHECK(inb(&p, 0x4d0) == 0xf8 && inb(&p, 0x4d1) == 0xde, "ELCR reserved bits read 0");
    outb(&p, 0x4d0, 0x00);
    outb(&p, 0x4d1, 0x04);   /* IRQ10 level */
    i8259_set_irq(&p, 10, 1);
    CHECK_EQ(i8259_acknowledge(&p), 0x3a, "level IRQ10 vector");
    outb(&p, 0xa0, 0x62);
    outb(&p, 0x20, 0x62);
    CHECK(o.level == 1, "level IRQ10 still high: requests again after EOI");
    i8259_set_irq(&p, 10, 0);
    CHECK(o.level == 0, "line low: request withdrawn");
    outb(&p, 0xa0, 0x0a);
    CHECK_EQ(inb(&p, 0xa0), 0x00, "slave IRR follows the level line");
    i8259_set_irq(&p, 5, 1);
    CHECK_EQ(i8259_acknowledge(&p), 0x35, "edge IRQ5 held high");
    outb(&p, 0x20, 0x65);
    CHECK(o.level == 0, "edge input held high does not re-request");
    i8259_set_irq(&p, 5, 0);

    /* Spurious interrupts: the request vanished before INTA. */
    outb(&p, 0x4d0, 0x08);   /* IRQ3 level */
    i8259_set_irq(&p, 3, 1);
    i8259_set_irq(&p, 3, 0);
    CHECK_EQ(i8259_acknowledge(&p), 0x37, "no request: spurious IR7 vector");
    CHECK_EQ(read_isr(&p, 0x20), 0x00, "spurious IR7 sets no ISR bit");
    i8259_set_irq(&p, 10, 1);
    i8259_set_irq(&p, 10, 0);
    CHECK(o.level == 0, "a withdrawn slave request withdraws the cascade request");
    i8259_set_irq(&p, 10, 1);
    CHECK_EQ(i8259_acknowledge(&p), 0x3a, "slave level IRQ10 through the cascade");
    i8259_set_irq(&p, 10, 0);
    outb(&p, 0xa0, 0x62);
    outb(&p, 0x20, 0x62);
    outb(&p, 0x4d0, 0x00);
    outb(&p, 0x4d1, 0x00);

    /* Automatic EOI (init_8259A(1)). */
    linux_init(&p, true);
    pulse(&p, 6);
    CHECK_EQ(i8259_acknowledge(&p), 0x36, "AEOI vector");
    CHECK_EQ(read_isr(&p, 0x20), 0x00, "AEOI leaves ISR clear");
    linux_init(&p, false);

    /* Poll command (OCW3 P=1): the read is the acknowledge. */
    pulse(&p, 7);
    outb(&p, 0x20, 0x0c);
    CHECK_EQ(inb(&p, 0x20), 0x87, "poll read: 0x80 | IR7");
    CHECK_EQ(read_isr(&p, 0x20), 0x80, "poll put IR7 in service");
    outb(&p, 0x20, 0x0c);
    CHECK_EQ(inb(&p, 0x20), 0x00, "poll with nothing pending reads 0");
    outb(&p, 0x20, 0x67);

    /* Special mask mode: a masked in-service IR no longer blocks lower ones. */
    pulse(&p, 1);
    CHECK_EQ(i8259_acknowledge(&p), 0x31, "IRQ1 in service");
    outb(&p, 0x21, 0x02);
    pulse(&p, 4);
    CHECK(o.level == 0, "IRQ4 blocked by IRQ1 in service");
    outb(&p, 0x20, 0x68);   /* set special mask */
    CHECK(o.level == 1, "special mask mode lets IRQ4 through");
    CHECK_EQ(i8259_acknowledge(&p), 0x34, "IRQ4 under special mask");
    outb(&p, 0x20, 0x48);   /* reset special mask */
    outb(&p, 0x20, 0x64);
    outb(&p, 0x20, 0x61);
    outb(&p, 0x21, 0x00);

    /* Rotation: set priority (IR3 lowest → IR4 highest), rotate on specific EOI. */
    outb(&p, 0x20, 0xc3);
    pulse(&p, 1);
    pulse(&p, 5);
    CHECK_EQ(i8259_acknowledge(&p), 0x35, "after set-priority, IR5 beats IR1");
    outb(&p, 0x20, 0xe5);   /* rotate on specific EOI 5: IR6 becomes highest */
    pulse(&p, 6);
    CHECK_EQ(i8259_acknowledge(&p), 0x36, "IR6 highest after rotation");
    outb(&p, 0x20, 0x20);
    CHECK_EQ(i8259_acknowledge(&p), 0x31, "then IR1");
    outb(&p, 0x20, 0x20);
    outb(&p, 0x20, 0xc7);   /* back to IR0 highest */

    /* A 16-bit IN at 0x20 reads IRR then IMR. */
    outb(&p, 0x21, 0x5a);
    uint64_t w = 0;
    i8259_master_ops.read(&p, 0, 2, &w);
    CHECK_EQ(w, 0x5a00, "16-bit read of 0x20: IRR | IMR << 8");
    i8259_master_ops.read(&p, 1, 4, &w);
    CHECK_EQ(w, 0xffffff5a, "ports past the chip read 0xff");

    /* Robustness: arbitrary writes everywhere, then reset restores a quiet state. */
    for (unsigned i = 0; i < 4096; i++) {
        outb(&p, 0x20 + (i & 1), (uint8_t)(i * 37));
        outb(&p, 0xa0 + (i & 1), (uint8_t)(i * 91));
        i8259_set_irq(&p, i % 16, (int)(i & 2));
        (void)i8259_acknowledge(&p);
        (void)inb(&p, 0xa0);
    }
    i8259_reset(&p);
    linux_init(&p, false);
    for (unsigned i = 0; i < 16; i++)
        i8259_set_irq(&p, i, 0);
    CHECK(o.level == 0, "quiet after random writes, reset and init");
    return check_done();
}
