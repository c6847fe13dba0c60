/* IOAPIC wired to a LAPIC the way the PC board will: Linux's entry programming, edge and
 * level pins, remote IRR and the EOI broadcast (from the LAPIC and the EOI register),
 * masking, logical destinations, NMI and ExtINT pins, robustness. */
#include "dev/pc/ioapic.h"

#include <stdlib.h>

#include "check.h"

static ioapic io;
static lapic a;
static int sent, extint_acks;

static void route(void *opaque, const apic_msg *msg)
{
    sent++;
    if (lapic_match_dest(&a, msg))
        lapic_deliver(&a, msg);
}

static void eoi_broadcast(void *opaque, int vector)
{
    ioapic_eoi(&io, vector);
}

static int extint_ack(void *opaque)
{
    extint_acks++;
    return 0x20;
}

static uint64_t clock_fn(void *opaque)
{
    return 0;
}

static uint32_t io_read(unsigned reg)
{
    uint64_t v = 0;
    ioapic_ops.write(&io, 0x00, 4, reg);
    ioapic_ops.read(&io, 0x10, 4, &v);
    return (uint32_t)v;
}

static void io_write(unsigned reg, uint32_t v)
{
    ioapic_ops.write(&io, 0x00, 4, reg);
    ioapic_ops.write(&io, 0x10, 4, v);
}

/* ioapic_write_entry: the high word (destination) first, then the low word. */
static void set_entry(unsigned pin, uint32_t lo, uint8_t dest)
{
    io_write(0x11 + 2 * pin, (uint32_t)dest << 24);
    io_write(0x10 + 2 * pin, lo);
}

static void lapic_eoi(void)
{
    lapic_ops.write(&a, 0xb0, 4, 0);
}

int main(void)
{
    lapic_wiring w = { .eoi = eoi_broadcast, .extint_ack = extint_ack };
    lapic_init(&a, 0, true, clock_fn, NULL, &w);
    lapic_ops.write(&a, 0xf0, 4, 0x1ff);
    lapic_ops.write(&a, 0x350, 4, 0x10700);   /* LINT0 masked: the IOAPIC is in charge */
    ioapic_init(&io, 2, route, NULL);

    CHECK_EQ(io_read(0x01), 0x00170020, "version 0x20, 24 pins");
    CHECK_EQ(io_read(0x00), 0x02000000, "ID 2");
    io_write(0x00, 0x05000000);
    CHECK(io_read(0x00) == 0x05000000 && io_read(0x02) == 0x05000000, "ID write, arbitration");
    CHECK(io_read(0x10) == 0x10000 && io_read(0x3e) == 0x10000, "entries masked at reset");
    io_write(0x01, 0);
    CHECK_EQ(io_read(0x01), 0x00170020, "version is read-only");

    /* Edge pin: ISA IRQ4 on GSI 4, vector 0x24, physical to APIC 0. */
    set_entry(4, 0x24, 0);
    CHECK(io_read(0x18) == 0x24 && io_read(0x19) == 0, "entry reads back");
    ioapic_set_irq(&io, 4, 1);
    CHECK_EQ(lapic_pending_vector(&a), 0x24, "edge delivers to the LAPIC");
    lapic_acknowledge(&a);
    lapic_eoi();
    ioapic_set_irq(&io, 4, 1);
    CHECK_EQ(lapic_pending_vector(&a), -1, "held high: no new edge");
    ioapic_set_irq(&io, 4, 0);
    ioapic_set_irq(&io, 4, 1);
    CHECK_EQ(lapic_pending_vector(&a), 0x24, "a new rising edge delivers again");
    lapic_acknowledge(&a);
    lapic_eoi();
    ioapic_set_irq(&io, 4, 0);

    /* Masked edge: remembered until unmasked. */
    set_entry(4, 0x10024, 0);
    ioapic_set_irq(&io, 4, 1);
    CHECK_EQ(lapic_pending_vector(&a), -1, "masked: nothing sent");
    set_entry(4, 0x24, 0);
    CHECK_EQ(lapic_pending_vector(&a), 0x24, "unmask sends the remembered edge");
    lapic_acknowledge(&a);
    lapic_eoi();

    /* Level pin (a PCI INTx: level, active low) with remote IRR. */
    set_entry(10, 0xa03a, 0);
    ioapic_set_irq(&io, 10, 1);
    CHECK_EQ(lapic_pending_vector(&a), 0x3a, "level pin delivers");
    CHECK_EQ(io_read(0x10 + 20) & 0x4000, 0x4000, "remote IRR set");
    int before = sent;
    ioapic_set_irq(&io, 10, 1);
    CHECK_EQ(sent, before, "no resend while remote IRR is set");
    CHECK_EQ(lapic_acknowledge(&a), 0x3a, "INTA");
    lapic_eoi();
    CHECK_EQ(sent, before + 1, "EOI of a level vector, still asserted: resent");
    CHECK_EQ(lapic_pending_vector(&a), 0x3a, "pending again");
    lapic_acknowledge(&a);
    ioapic_set_irq(&io, 10, 0);
    lapic_eoi();
    CHECK(sent == before + 1 && (io_read(0x10 + 20) & 0x4000) == 0,
          "deasserted then EOI: remote IRR clear, nothing sent");
    CHECK_EQ(lapic_pending_vector(&a), -1, "idle");

    /* The IOAPIC's own EOI register (version 0x20). */
    ioapic_set_irq(&io, 10, 1);
    lapic_acknowledge(&a);
    ioapic_set_irq(&io, 10, 0);
    ioapic_ops.write(&io, 0x40, 4, 0x3a);
    CHECK_EQ(io_read(0x10 + 20) & 0x4000, 0, "EOI register clears remote IRR");
    lapic_eoi();

    /* Masking a level pin while asserted, then unmasking, delivers. */
    set_entry(11, 0x1a03b, 0);
    ioapic_set_irq(&io, 11, 1);
    CHECK_EQ(lapic_pending_vector(&a), -1, "masked level pin: nothing");
    set_entry(11, 0xa03b, 0);
    CHECK_EQ(lapic_pending_vector(&a), 0x3b, "unmasked while asserted: delivered");
    lapic_acknowledge(&a);
    ioapic_set_irq(&io, 11, 0);
    lapic_eoi();

    /* Logical destination (flat): only a matching LAPIC accepts. */
    lapic_ops.write(&a, 0xd0, 4, 0x01000000);
    set_entry(5, 0x825, 0x01);
    ioapic_set_irq(&io, 5, 1);
    CHECK_EQ(lapic_pending_vector(&a), 0x25, "logical dest 0x01 reaches LDR 0x01");
    lapic_acknowledge(&a);
    lapic_eoi();
    ioapic_set_irq(&io, 5, 0);
    set_entry(5, 0x825, 0x02);
    ioapic_set_irq(&io, 5, 1);
    CHECK_EQ(lapic_pending_vector(&a), -1, "logical dest 0x02 does not");
    ioapic_set_irq(&io, 5, 0);

    /* NMI and ExtINT delivery modes. */
    set_entry(6, 0x400, 0);
    ioapic_set_irq(&io, 6, 1);
    CHECK(lapic_take_nmi(&a), "NMI pin");
    set_entry(0, 0x700, 0);
    ioapic_set_irq(&io, 0, 1);
    CHECK_EQ(lapic_pending_vector(&a), LAPIC_EXTINT, "ExtINT pin: the 8259 answers INTA");
    CHECK(lapic_acknowledge(&a) == 0x20 && extint_acks == 1, "vector from the 8259");

    /* Robustness: bad selectors, pins, sizes. */
    io_write(0xff, 0x12345678);
    CHECK_EQ(io_read(0xff), 0, "unimplemented register reads 0");
    ioapic_set_irq(&io, 24, 1);
    ioapic_set_irq(&io, 1000, 1);
    srand(3);
    for (int i = 0; i < 100000; i++) {
        unsigned off = (unsigned[]){ 0x00, 0x10, 0x40, 0x20 }[rand() % 4];
        uint64_t v = (uint64_t)rand();
        if (rand() & 1)
            ioapic_ops.write(&io, off, 4, v);
        else
            ioapic_ops.read(&io, off, 4, &v);
        ioapic_set_irq(&io, (unsigned)rand() % 24, rand() & 1);
        if (lapic_pending_vector(&a) >= 0)
            lapic_acknowledge(&a);
        if (rand() & 1)
            lapic_eoi();
        ioapic_eoi(&io, rand() & 0xff);
    }
    ioapic_reset(&io);
    CHECK_EQ(io_read(0x10) & 0x10000, 0x10000, "reset masks again");
    return check_done();
}
