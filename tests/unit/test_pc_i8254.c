/* 8254 PIT + port 0x61 on a fake clock: Linux's periodic and one-shot clockevent
 * programming, quick_pit_calibrate / pit_calibrate_tsc on counter 2 through port 0x61,
 * latch and read-back, BCD, modes 0-5, idle-wait deadlines. */
#include "dev/pc/i8254.h"

#include "check.h"

typedef struct irq0 {
    int level, rises;
} irq0;

static void irq_set_fn(void *opaque, unsigned irq, int level)
{
    irq0 *q = opaque;
    if (level && !q->level)
        q->rises++;
    q->level = level;
}

static uint64_t now;

static uint64_t fake_clock(void *opaque)
{
    return now;
}

static void outb(i8254 *t, unsigned port, uint8_t v)
{
    if (port == 0x61)
        i8254_port61_ops.write(t, 0, 1, v);
    else
        i8254_ops.write(t, port - 0x40, 1, v);
}

static uint8_t inb(i8254 *t, unsigned port)
{
    uint64_t v = 0xdead;
    if (port == 0x61)
        i8254_port61_ops.read(t, 0, 1, &v);
    else
        i8254_ops.read(t, port - 0x40, 1, &v);
    return (uint8_t)v;
}

/* ns for a whole number of PIT ticks, rounded up (as the chip's clock edges fall). */
static uint64_t ticks_ns(uint64_t ticks)
{
    return (ticks * 1000000000ull + I8254_HZ - 1) / I8254_HZ;
}

static unsigned read_latched0(i8254 *t)
{
    outb(t, 0x43, 0x00);
    unsigned lo = inb(t, 0x40);
    return lo | (unsigned)inb(t, 0x40) << 8;
}

int main(void)
{
    i8254 t;
    irq0 q = { 0, 0 };
    now = 777000000;   /* the clock does not start at zero */
    i8254_init(&t, fake_clock, NULL, (irq_line){ .set = irq_set_fn, .opaque = &q, .irq = 0 });
    i8254_update(&t);
    CHECK(q.rises == 0 && i8254_ns_until_event(&t) == INT64_MAX, "unprogrammed: no event");

    /* Linux PIT clockevent, periodic (HZ=1000): mode 2, LATCH = 1193. */
    uint64_t t0 = now;
    outb(&t, 0x43, 0x34);
    outb(&t, 0x40, 1193 & 0xff);
    outb(&t, 0x40, 1193 >> 8);
    CHECK_EQ(i8254_ns_until_event(&t), ticks_ns(1193), "first period deadline");
    now = t0 + ticks_ns(1193) - 1;
    i8254_update(&t);
    CHECK(q.rises == 0, "no IRQ0 before the period ends");
    CHECK_EQ(read_latched0(&t), 1, "count 1 in the last clock of the period");
    now = t0 + ticks_ns(1193);
    i8254_update(&t);
    CHECK(q.rises == 1 && q.level == 0, "one IRQ0 pulse at the period end");
    CHECK_EQ(read_latched0(&t), 1193, "reloaded");
    now = t0 + ticks_ns(1193 * 2 + 600);
    CHECK_EQ(read_latched0(&t), 1193 - 600, "counts down in the third period");
    i8254_update(&t);
    CHECK(q.rises == 2, "a late update gives one IRQ (missed periods dropped)");
    CHECK_EQ(i8254_ns_until_event(&t), (int64_t)(ticks_ns(1193 * 3) - ticks_ns(1193 * 2 + 600)),
             "next deadline at the next period boundary");

    /* Linux one-shot: mode 4, then shutdown (mode 0, count 0). */
    outb(&t, 0x43, 0x38);
    t0 = now;
    outb(&t, 0x40, 100);
    outb(&t, 0x40, 0);
    now = t0 + ticks_ns(99);
    i8254_update(&t);
    CHECK(q.rises == 2, "mode 4: nothing before terminal count");
    now = t0 + ticks_ns(100);
    i8254_update(&t);
    CHECK(q.rises == 3, "mode 4 strobe");
    now += ticks_ns(70000);
    i8254_update(&t);
    CHECK(q.rises == 3 && i8254_ns_until_event(&t) == INT64_MAX, "mode 4 fires once");
    outb(&t, 0x43, 0x30);
    outb(&t, 0x40, 0);
    outb(&t, 0x40, 0);
    t0 = now;
    now = t0 + ticks_ns(65535);
    i8254_update(&t);
    CHECK(q.level == 0 && i8254_out(&t, 0) == 0, "mode 0 count 0 = 65536: OUT low before");
    now = t0 + ticks_ns(65536);
    i8254_update(&t);
    CHECK(q.level == 1 && i8254_out(&t, 0) == 1, "mode 0 OUT and IRQ0 high at terminal count");
    now += 5000000;
    i8254_update(&t);
    CHECK(q.level == 1 && q.rises == 4, "mode 0 OUT stays high");
    outb(&t, 0x43, 0x30);
    CHECK(q.level == 0, "a control word lowers OUT in mode 0");

    /* Read-back: status then count of counter 0. */
    outb(&t, 0x40, 0x34);
    outb(&t, 0x40, 0x12);
    outb(&t, 0x43, 0xc2);   /* latch count and status of counter 0 */
    CHECK_EQ(inb(&t, 0x40), 0x30, "status: OUT 0, null count 0, LSB/MSB, mode 0, binary");
    CHECK_EQ(inb(&t, 0x40), 0x34, "then latched count LSB");
    CHECK_EQ(inb(&t, 0x40), 0x12, "then MSB");
    outb(&t, 0x43, 0x36);   /* mode 3 control word: status shows null count */
    outb(&t, 0x43, 0xe2);
    CHECK_EQ(inb(&t, 0x40), 0xf6, "status after control word: OUT 1, null count, mode 3");
    outb(&t, 0x43, 0x30);
    outb(&t, 0x40, 0x10);
    outb(&t, 0x40, 0x00);
    outb(&t, 0x43, 0x00);
    now += ticks_ns(3);
    outb(&t, 0x43, 0x00);   /* second latch before reading: ignored */
    CHECK(inb(&t, 0x40) == 0x10 && inb(&t, 0x40) == 0x00, "first latch wins");

    /* BCD: 1000 counts down in decimal. */
    outb(&t, 0x43, 0x31);
    t0 = now;
    outb(&t, 0x40, 0x00);
    outb(&t, 0x40, 0x10);
    now = t0 + ticks_ns(1);
    CHECK_EQ(read_latched0(&t), 0x0999, "BCD 1000 - 1 = 0999");
    now = t0 + ticks_ns(1000);
    i8254_update(&t);
    CHECK(q.level == 1, "BCD terminal count after 1000 ticks");

    /* LSB-only and MSB-only access. */
    outb(&t, 0x43, 0x14);   /* counter 0, LSB only, mode 2 */
    t0 = now;
    outb(&t, 0x40, 200);
    now = t0 + ticks_ns(50);
    CHECK(inb(&t, 0x40) == 150 && inb(&t, 0x40) == 150, "LSB-only reads");
    outb(&t, 0x43, 0x24);   /* MSB only */
    t0 = now;
    outb(&t, 0x40, 0x02);   /* 0x200 */
    now = t0 + ticks_ns(0x100);
    CHECK_EQ(inb(&t, 0x40), 0x01, "MSB-only reads");

    /* quick_pit_calibrate: gate on, speaker off, mode 0, 0xffff, poll the MSB. */
    outb(&t, 0x61, (uint8_t)((inb(&t, 0x61) & ~0x02) | 0x01));
    CHECK_EQ(inb(&t, 0x61) & 0x03, 0x01, "port 0x61: GATE2 on, speaker off");
    outb(&t, 0x43, 0xb0);
    t0 = now;
    outb(&t, 0x42, 0xff);
    outb(&t, 0x42, 0xff);
    inb(&t, 0x42);
    CHECK_EQ(inb(&t, 0x42), 0xff, "pit_verify_msb(0xff)");
    bool msb_ok = true;
    for (unsigned i = 1; i < 200; i++) {
        now = t0 + ticks_ns(256u * i + 10);
        inb(&t, 0x42);
        msb_ok &= inb(&t, 0x42) == 0xff - i;
    }
    CHECK(msb_ok, "MSB falls by one every 256 PIT clocks");
    now = t0 + ticks_ns(0xfffe);
    CHECK_EQ(inb(&t, 0x61) & 0x20, 0, "OUT2 low before terminal count");
    now = t0 + ticks_ns(0xffff);
    CHECK_EQ(inb(&t, 0x61) & 0x20, 0x20, "OUT2 (port 0x61 bit 5) high at terminal count");

    /* pit_calibrate_tsc's gate use: with GATE2 low, mode 0 does not count. */
    outb(&t, 0x61, 0x00);
    outb(&t, 0x43, 0xb0);
    t0 = now;
    outb(&t, 0x42, 0x00);
    outb(&t, 0x42, 0x10);
    now = t0 + ticks_ns(5000);
    CHECK_EQ(inb(&t, 0x61) & 0x20, 0, "gate low: OUT2 stays low");
    outb(&t, 0x61, 0x01);
    t0 = now;
    now = t0 + ticks_ns(0x1000 - 1);
    CHECK_EQ(inb(&t, 0x61) & 0x20, 0, "counting starts at the gate");
    now = t0 + ticks_ns(0x1000);
    CHECK_EQ(inb(&t, 0x61) & 0x20, 0x20, "full count after the gate rose");

    /* Mode 3 square wave on counter 2, stopped by GATE low (OUT forced high). */
    outb(&t, 0x43, 0xb6);
    t0 = now;
    outb(&t, 0x42, 100);
    outb(&t, 0x42, 0);
    now = t0 + ticks_ns(49);
    int hi = i8254_out(&t, 2);
    now = t0 + ticks_ns(50);
    int lo = i8254_out(&t, 2);
    now = t0 + ticks_ns(100);
    CHECK(hi == 1 && lo == 0 && i8254_out(&t, 2) == 1, "mode 3: half high, half low");
    now = t0 + ticks_ns(160);
    outb(&t, 0x61, 0x00);
    CHECK(i8254_out(&t, 2) == 1, "mode 3: GATE low forces OUT high");

    /* Mode 1 and 5 are triggered by the GATE rising edge. */
    outb(&t, 0x43, 0xb2);
    outb(&t, 0x42, 10);
    outb(&t, 0x42, 0);
    now += ticks_ns(50);
    CHECK(i8254_out(&t, 2) == 1, "mode 1 waits for a trigger");
    outb(&t, 0x61, 0x01);
    t0 = now;
    now = t0 + ticks_ns(5);
    CHECK(i8254_out(&t, 2) == 0, "mode 1: OUT low after the trigger");
    now = t0 + ticks_ns(10);
    CHECK(i8254_out(&t, 2) == 1, "mode 1: OUT high at terminal count");
    outb(&t, 0x61, 0x00);
    outb(&t, 0x43, 0xba);
    outb(&t, 0x42, 10);
    outb(&t, 0x42, 0);
    outb(&t, 0x61, 0x01);
    t0 = now;
    now = t0 + ticks_ns(10);
    int strobe = i8254_out(&t, 2);
    now = t0 + ticks_ns(11);
    CHECK(strobe == 0 && i8254_out(&t, 2) == 1, "mode 5: one-clock strobe after trigger");

    /* Port 0x61: refresh toggle moves with time, spare bits read back. */
    outb(&t, 0x61, 0x0e);
    uint8_t a = inb(&t, 0x61);
    now += 15085;
    uint8_t b = inb(&t, 0x61);
    CHECK(((a ^ b) & 0x10) && (a & 0x0e) == 0x0e, "bit 4 toggles; bits 1-3 read back");

    /* A 16-bit IN at 0x40 reads ports 0x40 and 0x41: one byte of counter 0's latch. */
    outb(&t, 0x43, 0x34);
    outb(&t, 0x40, 0x78);
    outb(&t, 0x40, 0x56);
    outb(&t, 0x43, 0x00);
    uint64_t w = 0;
    i8254_ops.read(&t, 0, 2, &w);
    CHECK_EQ(w & 0xff, 0x78, "16-bit read: LSB from port 0x40");
    CHECK_EQ(inb(&t, 0x40), 0x56, "the MSB stays latched for the next read of 0x40");

    /* Robustness: any byte to any port, reset is quiet. */
    for (unsigned i = 0; i < 20000; i++) {
        outb(&t, 0x40 + (i % 4), (uint8_t)(i * 131));
        outb(&t, 0x61, (uint8_t)i);
        now += i * 7919;
        (void)inb(&t, 0x40 + (i * 3) % 4);
        i8254_update(&t);
        (void)i8254_ns_until_event(&t);
    }
    i8254_reset(&t);
    CHECK(q.level == 0 && i8254_ns_until_event(&t) == INT64_MAX, "reset: quiet");
    return check_done();
}
