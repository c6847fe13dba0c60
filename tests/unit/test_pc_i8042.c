/* i8042 keyboard controller driven like Linux's i8042 and atkbd probes: flush, self
 * test, CTR read/write, AUX loop (incl. the IRQ12 delivery test and the MUX check),
 * AUX toggle, keyboard reset/identify over IRQ1, no mouse (timeouts), reset pulses. */
#include "dev/pc/i8042.h"

#include <stdlib.h>

#include "check.h"

static int irq1, irq12, irq1_rises, irq12_rises, a20 = -1;

static void line_fn(void *opaque, unsigned irq, int level)
{
    if (irq == 1) {
        irq1_rises += level && !irq1;
        irq1 = level;
    } else if (irq == 12) {
        irq12_rises += level && !irq12;
        irq12 = level;
    } else {
        a20 = level;
    }
}

static i8042 k;

static uint8_t inb(unsigned port)
{
    uint64_t v = 0;
    (port == 0x64 ? &i8042_cmd_ops : &i8042_data_ops)->read(&k, 0, 1, &v);
    return (uint8_t)v;
}

static void outb(unsigned port, uint8_t v)
{
    (port == 0x64 ? &i8042_cmd_ops : &i8042_data_ops)->write(&k, 0, 1, v);
}

/* i8042_flush: read while OBF, at most the buffer size; returns the count. */
static int flush(void)
{
    int n = 0;
    while ((inb(0x64) & 0x01) && n < 16) {
        inb(0x60);
        n++;
    }
    return n;
}

/* __i8042_command: command, `nparam` bytes to 0x60, `nresp` bytes back (-1 = timeout).
 * The reply's status byte is returned through *str. */
static int command(uint16_t cmd, uint8_t *param, uint8_t *str)
{
    unsigned nsend = (cmd >> 12) & 0xf, nresp = (cmd >> 8) & 0xf;
    if (inb(0x64) & 0x02)
        return -1;
    outb(0x64, (uint8_t)cmd);
    for (unsigned i = 0; i < nsend; i++)
        outb(0x60, param[i]);
    for (unsigned i = 0; i < nresp; i++) {
        uint8_t s = inb(0x64);
        if (!(s & 0x01))
            return -1;
        if (str)
            *str = s;
        param[i] = inb(0x60);
    }
    return 0;
}

int main(void)
{
    static machine m;
    irq_line l1 = { .set = line_fn, .irq = 1 }, l12 = { .set = line_fn, .irq = 12 },
             la = { .set = line_fn, .irq = 20 };
    i8042_init(&k, &m, l1, l12, la);
    CHECK(a20 == 1, "A20 enabled at power-on");

    /* i8042_controller_check / selftest / init. */
    CHECK(flush() < 16, "flush finds a controller");
    uint8_t p[4], s = 0;
    CHECK(command(0x01aa, p, NULL) == 0 && p[0] == 0x55, "self test 0xAA -> 0x55");
    CHECK(inb(0x64) & 0x04, "SYS flag set after the self test");
    CHECK(command(0x0120, p, NULL) == 0 && p[0] == 0x47, "read CTR: ints, SYS, XLATE");
    CHECK(inb(0x64) & 0x10, "keylock inactive (status bit 4)");
    uint8_t ctr = (uint8_t)((p[0] | 0x10) & ~0x01);
    p[0] = ctr;
    command(0x1060, p, NULL);
    CHECK(command(0x0120, p, NULL) == 0 && p[0] == ctr, "write CTR reads back");
    CHECK(inb(0x64) & 0x08, "status bit 3: last write was a command");

    /* i8042_check_aux: loop, MUX probe, toggles, IRQ12 delivery. */
    flush();
    p[0] = 0x5a;
    CHECK(command(0x11d3, p, &s) == 0 && p[0] == 0x5a && (s & 0x20),
          "AUX loop returns the byte flagged as AUX data");
    p[0] = 0xf0;
    command(0x11d3, p, NULL);
    p[0] = 0x56;
    command(0x11d3, p, NULL);
    p[0] = 0xa4;
    CHECK(command(0x11d3, p, NULL) == 0 && p[0] == 0xa4, "no active multiplexer (echo)");
    command(0x00a7, p, NULL);
    CHECK(command(0x0120, p, NULL) == 0 && (p[0] & 0x20), "AUX disable sets CTR bit 5");
    command(0x00a8, p, NULL);
    CHECK(command(0x0120, p, NULL) == 0 && !(p[0] & 0x20), "AUX enable clears it");
    ctr = (uint8_t)((p[0] & ~0x20) | 0x02);
    p[0] = ctr;
    command(0x1060, p, NULL);
    irq12_rises = 0;
    outb(0x64, 0xd3);
    outb(0x60, 0xa5);
    CHECK(irq12 == 1 && irq12_rises == 1 && irq1 == 0, "AUX loop data raises IRQ12");
    s = inb(0x64);
    CHECK(inb(0x60) == 0xa5 && (s & 0x21) == 0x21, "IRQ handler sees 0xA5 with AUXDATA");
    CHECK(irq12 == 0, "IRQ12 falls when the buffer is read");
    CHECK(command(0x01a9, p, NULL) == 0 && p[0] == 0x00, "AUX interface test passes");

    /* No mouse: bytes to the AUX device time out. */
    p[0] = 0xff;
    command(0x10d4, p, NULL);
    s = inb(0x64);
    CHECK((s & 0x61) == 0x61 && inb(0x60) == 0xfe, "AUX send: 0xFE with timeout + AUXDATA");

    /* The keyboard port: enable interrupts, then atkbd's reset and identify. */
    CHECK(command(0x01ab, p, NULL) == 0 && p[0] == 0x00, "keyboard interface test");
    ctr = (uint8_t)((ctr & ~0x10) | 0x01);
    p[0] = ctr;
    command(0x1060, p, NULL);
    irq1_rises = 0;
    outb(0x60, 0xff);
    CHECK(irq1 == 1, "keyboard reply raises IRQ1");
    CHECK(inb(0x60) == 0xfa && inb(0x60) == 0xaa, "keyboard reset: 0xFA 0xAA");
    CHECK(irq1 == 0 && irq1_rises == 2, "one IRQ1 edge per byte");
    outb(0x60, 0xf2);
    uint8_t id0 = inb(0x60), id1 = inb(0x60), id2 = inb(0x60);
    CHECK(id0 == 0xfa && id1 == 0xab && id2 == 0x41, "identify: ACK, 0xAB 0x41 (translated)");
    p[0] = ctr & (uint8_t)~0x40;
    command(0x1060, p, NULL);
    outb(0x60, 0xf2);
    inb(0x60);
    inb(0x60);
    CHECK_EQ(inb(0x60), 0x83, "identify untranslated: 0xAB 0x83");
    outb(0x60, 0xed);
    outb(0x60, 0x07);
    CHECK(inb(0x60) == 0xfa && inb(0x60) == 0xfa, "set LEDs: ACK, ACK");
    outb(0x60, 0xf0);
    outb(0x60, 0x00);
    uint8_t a = inb(0x60), b = inb(0x60), c = inb(0x60);
    CHECK(a == 0xfa && b == 0xfa && c == 0x02, "get scan code set: 2");
    outb(0x60, 0xf4);
    CHECK_EQ(inb(0x60), 0xfa, "enable: ACK");
    outb(0x60, 0xee);
    CHECK_EQ(inb(0x60), 0xee, "echo");
    outb(0x60, 0x12);
    CHECK_EQ(inb(0x60), 0xfe, "not a command: resend");
    CHECK(!(inb(0x64) & 0x01), "buffer empty");
    CHECK_EQ(inb(0x60), 0xfe, "reading an empty buffer repeats the last byte");

    /* Output port, A20, RAM bytes, the queue's limit. */
    CHECK(command(0x01d0, p, NULL) == 0 && (p[0] & 0x03) == 0x03, "output port: run, A20");
    p[0] = 0x01;
    command(0x10d1, p, NULL);
    CHECK(a20 == 0 && !m.reset_requested, "write output port: A20 off, no reset");
    command(0x00df, p, NULL);
    CHECK(a20 == 1, "0xDF enables A20");
    p[0] = 0x99;
    command(0x1065, p, NULL);
    CHECK(command(0x0125, p, NULL) == 0 && p[0] == 0x99, "controller RAM byte 5");
    for (int i = 0; i < 40; i++)
        outb(0x64, 0x20);
    CHECK_EQ(flush(), 16, "the output buffer holds 16 bytes at most");

    /* Reset pulses. */
    outb(0x64, 0xff);
    CHECK(!m.reset_requested, "0xFF pulses nothing");
    outb(0x64, 0xfe);
    CHECK(m.reset_requested, "0xFE pulses the reset line");
    m.reset_requested = false;
    p[0] = 0x02;
    command(0x10d1, p, NULL);
    CHECK(m.reset_requested, "output port bit 0 low resets");

    /* Robustness and reset. */
    srand(1);
    for (int i = 0; i < 50000; i++) {
        if (rand() & 1)
            outb(rand() & 1 ? 0x64 : 0x60, (uint8_t)rand());
        else
            inb(rand() & 1 ? 0x64 : 0x60);
    }
    i8042_reset(&k);
    CHECK(irq1 == 0 && irq12 == 0 && !(inb(0x64) & 0x01), "reset: empty and quiet");
    return check_done();
}
