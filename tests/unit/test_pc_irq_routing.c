/* The PC interrupt paths wired as the pc board will wire them, end to end through the
 * devices' port/MMIO interfaces: PIT counter 0 → 8259 IRQ0 → LAPIC LINT0 (ExtINT virtual
 * wire) → INTA; the same PIT through IOAPIC pin 2 (the ACPI/MP "IRQ0 → GSI2" override)
 * once Linux switches to APIC mode; the RTC's periodic interrupt on IRQ8 through the
 * slave 8259; keyboard controller IRQ1 through IOAPIC pin 1. */
#include "dev/pc/i8042.h"
#include "dev/pc/i8254.h"
#include "dev/pc/i8259.h"
#include "dev/pc/ioapic.h"
#include "dev/pc/lapic.h"
#include "dev/pc/mc146818.h"

#include "check.h"

typedef struct pc {
    i8259 pic;
    i8254 pit;
    mc146818 rtc;
    i8042 kbc;
    ioapic io;
    lapic apic;
    uint64_t now;
} pc;

static uint64_t clock_fn(void *opaque)
{
    return ((pc *)opaque)->now;
}

static uint64_t wall_fn(void *opaque)
{
    return 1795840559ull * 1000000000ull;
}

/* ISA IRQ n goes to both the 8259 input n and the IOAPIC (IRQ0 on GSI2, as QEMU). */
static void isa_irq(void *opaque, unsigned irq, int level)
{
    pc *p = opaque;
    i8259_set_irq(&p->pic, irq, level);
    ioapic_set_irq(&p->io, irq == 0 ? 2 : irq, level);
}

static void route(void *opaque, const apic_msg *msg)
{
    pc *p = opaque;
    if (lapic_match_dest(&p->apic, msg))
        lapic_deliver(&p->apic, msg);
}

static void eoi(void *opaque, int vector)
{
    ioapic_eoi(&((pc *)opaque)->io, vector);
}

static int extint_ack(void *opaque)
{
    return i8259_acknowledge(&((pc *)opaque)->pic);
}

static void pic_intr(void *opaque, unsigned irq, int level)
{
    lapic_set_lint(&((pc *)opaque)->apic, 0, level);
}

static void outb(pc *p, unsigned port, uint8_t v)
{
    if (port >= 0x20 && port < 0x22)
        i8259_master_ops.write(&p->pic, port - 0x20, 1, v);
    else if (port >= 0xa0 && port < 0xa2)
        i8259_slave_ops.write(&p->pic, port - 0xa0, 1, v);
    else if (port >= 0x40 && port < 0x44)
        i8254_ops.write(&p->pit, port - 0x40, 1, v);
    else if (port >= 0x70 && port < 0x72)
        mc146818_ops.write(&p->rtc, port - 0x70, 1, v);
    else if (port == 0x64)
        i8042_cmd_ops.write(&p->kbc, 0, 1, v);
    else if (port == 0x60)
        i8042_data_ops.write(&p->kbc, 0, 1, v);
}

static uint8_t inb(pc *p, unsigned port)
{
    uint64_t v = 0xff;
    if (port >= 0x70 && port < 0x72)
        mc146818_ops.read(&p->rtc, port - 0x70, 1, &v);
    else if (port == 0x60)
        i8042_data_ops.read(&p->kbc, 0, 1, &v);
    return (uint8_t)v;
}

static void apic_wr(pc *p, unsigned off, uint32_t v)
{
    lapic_ops.write(&p->apic, off, 4, v);
}

static void io_wr(pc *p, unsigned reg, uint32_t v)
{
    ioapic_ops.write(&p->io, 0x00, 4, reg);
    ioapic_ops.write(&p->io, 0x10, 4, v);
}

/* The CPU's interrupt check: take the LAPIC's pending interrupt, if any. */
static int cpu_take(pc *p)
{
    i8254_update(&p->pit);
    mc146818_update(&p->rtc);
    lapic_update(&p->apic);
    if (lapic_pending_vector(&p->apic) < 0)
        return -1;
    return lapic_acknowledge(&p->apic);
}

int main(void)
{
    static pc p;
    static machine m;
    p.now = 1000000;
    irq_line none = { 0 };
    i8259_init(&p.pic, (irq_line){ .set = pic_intr, .opaque = &p });
    i8254_init(&p.pit, clock_fn, &p, (irq_line){ .set = isa_irq, .opaque = &p, .irq = 0 });
    mc146818_init(&p.rtc, clock_fn, &p, wall_fn, NULL,
                  (irq_line){ .set = isa_irq, .opaque = &p, .irq = 8 });
    i8042_init(&p.kbc, &m, (irq_line){ .set = isa_irq, .opaque = &p, .irq = 1 },
               (irq_line){ .set = isa_irq, .opaque = &p, .irq = 12 }, none);
    ioapic_init(&p.io, 0, route, &p);
    lapic_wiring w = { .opaque = &p, .eoi = eoi, .extint_ack = extint_ack };
    lapic_init(&p.apic, 0, true, clock_fn, &p, &w);

    /* PIC mode: init_8259A, PIT at 1000 Hz, the tick arrives as vector 0x30 via ExtINT. */
    static const uint8_t init[][2] = {
        { 0x21, 0xff }, { 0xa1, 0xff }, { 0x20, 0x11 }, { 0x21, 0x30 }, { 0x21, 0x04 },
        { 0x21, 0x01 }, { 0xa0, 0x11 }, { 0xa1, 0x38 }, { 0xa1, 0x02 }, { 0xa1, 0x01 },
        { 0x21, 0xfa }, { 0xa1, 0xfe },   /* IRQ0, IRQ2 (cascade) and IRQ8 unmasked */
    };
    for (unsigned i = 0; i < sizeof init / sizeof init[0]; i++)
        outb(&p, init[i][0], init[i][1]);
    outb(&p, 0x43, 0x34);
    outb(&p, 0x40, 1193 & 0xff);
    outb(&p, 0x40, 1193 >> 8);
    int ticks = 0, other = 0;
    for (int i = 0; i < 1000; i++) {
        p.now += 10000;   /* 10 ms in 10 us steps */
        int v = cpu_take(&p);
        if (v == 0x30) {
            ticks++;
            outb(&p, 0x20, 0x60);   /* specific EOI */
        } else if (v >= 0) {
            other++;
        }
    }
    CHECK(ticks == 10 && other == 0, "PIC mode: 10 PIT ticks in 10 ms as vector 0x30");

    /* RTC periodic interrupt on IRQ8 through the slave: vector 0x38. */
    outb(&p, 0x70, 0x0b);
    outb(&p, 0x71, 0x42);   /* PIE, 24 h */
    outb(&p, 0x43, 0x30);   /* PIT quiet */
    int rtc_irqs = 0;
    for (int i = 0; i < 1000; i++) {
        p.now += 10000;
        int v = cpu_take(&p);
        if (v == 0x38) {
            rtc_irqs++;
            outb(&p, 0x70, 0x0c);
            (void)inb(&p, 0x71);       /* read reg C: IRQ8 falls */
            outb(&p, 0xa0, 0x60);
            outb(&p, 0x20, 0x62);
        }
    }
    CHECK(rtc_irqs >= 10 && rtc_irqs <= 11, "RTC 1024 Hz on IRQ8: ~10 in 10 ms (vector 0x38)");
    outb(&p, 0x70, 0x0b);
    outb(&p, 0x71, 0x02);

    /* APIC mode: mask the 8259, LINT0 masked, IOAPIC pin 2 edge → vector 0xef (as a
     * PIT-on-IOAPIC setup would), pin 1 (keyboard) → 0x31. */
    outb(&p, 0x21, 0xff);
    outb(&p, 0xa1, 0xff);
    apic_wr(&p, 0xf0, 0x1ff);
    apic_wr(&p, 0x350, 0x10700);
    io_wr(&p, 0x15, 0);
    io_wr(&p, 0x14, 0xef);
    /* PIT edges seen while pin 2 was masked are remembered (see ioapic.h): one arrives
     * at the unmask. */
    CHECK_EQ(cpu_take(&p), 0xef, "the edge latched while masked arrives at unmask");
    apic_wr(&p, 0xb0, 0);
    io_wr(&p, 0x13, 0);
    io_wr(&p, 0x12, 0x31);
    outb(&p, 0x43, 0x34);
    outb(&p, 0x40, 1193 & 0xff);
    outb(&p, 0x40, 1193 >> 8);
    ticks = other = 0;
    for (int i = 0; i < 1000; i++) {
        p.now += 10000;
        int v = cpu_take(&p);
        if (v == 0xef) {
            ticks++;
            apic_wr(&p, 0xb0, 0);
        } else if (v >= 0) {
            other++;
        }
    }
    CHECK(ticks == 10 && other == 0, "APIC mode: 10 PIT ticks through IOAPIC pin 2");

    /* Keyboard reply through IOAPIC pin 1. */
    outb(&p, 0x60, 0xff);   /* reset the keyboard: 0xFA 0xAA, one IRQ1 edge each */
    int kbd = 0;
    for (int i = 0; i < 4; i++) {
        if (cpu_take(&p) == 0x31) {
            kbd++;
            (void)inb(&p, 0x60);
            apic_wr(&p, 0xb0, 0);
        }
    }
    CHECK_EQ(kbd, 2, "keyboard bytes arrive as two IRQ1 interrupts (vector 0x31)");
    return check_done();
}
