/* NS16550A: THRE interrupt semantics, RX interrupt, IIR priorities, DLAB, LSR, FIFO. */
#include "dev/uart16550.h"

#include <stdio.h>

#include "check.h"
#include <string.h>

/* check(ok, name): one TAP line; check.h counts and reports the file:line of failures. */
#define check(ok, name) CHECK(ok, name)

/* A byte sink and source standing in for the console. */
typedef struct host {
    uint8_t out[256];
    unsigned out_len;
    uint8_t in[256];
    unsigned in_head, in_len;
    int irq;
} host;

static void host_tx(void *opaque, uint8_t ch)
{
    host *h = opaque;
    if (h->out_len < sizeof h->out)
        h->out[h->out_len++] = ch;
}

static int host_rx(void *opaque)
{
    host *h = opaque;
    return h->in_head < h->in_len ? h->in[h->in_head++] : -1;
}

static void host_type(host *h, const char *s)
{
    size_t n = strlen(s);
    memcpy(h->in + h->in_len, s, n);
    h->in_len += (unsigned)n;
}

static void irq_rec(void *opaque, unsigned irq, int level)
{
    ((host *)opaque)->irq = level;
}

static uint8_t rd(uart16550 *u, unsigned reg)
{
    uint64_t v = 0xdead;
    uart16550_ops.read(u, reg, 1, &v);
    return (uint8_t)v;
}

static void wr(uart16550 *u, unsigned reg, uint8_t v)
{
    uart16550_ops.write(u, reg, 1, v);
}

enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4,
       LSR = 5, MSR = 6, SCR = 7 };

static void setup(uart16550 *u, host *h)
{
    memset(h, 0, sizeof *h);
    uart16550_init_io(u, host_tx, host_rx, h,
                      (irq_line){ .set = irq_rec, .opaque = h, .irq = 10 });
}

int main(void)
{
    uart16550 u;
    host h;
    setup(&u, &h);

    /* Reset state */
    check(rd(&u, LSR) == 0x60, "LSR at reset: THRE|TEMT");
    check(rd(&u, IIR) == 0x01, "IIR at reset: no interrupt, no FIFO");
    check((rd(&u, MSR) & 0xb0) == 0xb0, "MSR reports DCD, DSR, CTS");
    check(rd(&u, IER) == 0 && rd(&u, LCR) == 0 && rd(&u, MCR) == 0 && h.irq == 0,
          "IER/LCR/MCR zero, line low");

    /* Transmit */
    wr(&u, THR, 'h');
    wr(&u, THR, 'i');
    check(h.out_len == 2 && h.out[0] == 'h' && h.out[1] == 'i', "THR bytes reach the sink");
    check(rd(&u, LSR) == 0x60, "THRE and TEMT stay set after transmit");

    /* DLAB */
    wr(&u, LCR, 0x83);
    wr(&u, DLL, 0x34);
    wr(&u, DLM, 0x12);
    check(rd(&u, DLL) == 0x34 && rd(&u, DLM) == 0x12, "divisor latch reads back");
    check(h.out_len == 2 && h.irq == 0, "DLAB writes neither transmit nor touch IER");
    wr(&u, LCR, 0x03);
    check(rd(&u, LCR) == 0x03 && rd(&u, IER) == 0, "DLAB off: offset 1 is IER again");
    wr(&u, LCR, 0x80);
    check(rd(&u, DLL) == 0x34, "divisor kept across DLAB toggles");
    wr(&u, LCR, 0x03);

    /* THRE interrupt */
    wr(&u, IER, 0x02);
    check(h.irq == 1, "enabling ETBEI with THR empty raises the line");
    check(rd(&u, IIR) == 0x02, "IIR reports THRE");
    check(h.irq == 0 && rd(&u, IIR) == 0x01, "reading IIR cleared THRE");
    wr(&u, THR, 'x');
    check(h.irq == 1 && rd(&u, IIR) == 0x02, "THR write re-arms THRE after transmit");
    wr(&u, IER, 0x02);
    check(h.irq == 0, "rewriting the same IER does not re-arm");
    wr(&u, IER, 0x00);
    check(h.irq == 0 && rd(&u, IIR) == 0x01, "ETBEI off: no interrupt");
    /* The 8250 driver's UART_BUG_THRE probe: THRE must re-assert on re-enable. */
    wr(&u, IER, 0x02);
    (void)rd(&u, LSR);
    uint8_t iir1 = rd(&u, IIR);
    wr(&u, IER, 0x00);
    wr(&u, IER, 0x02);
    uint8_t iir2 = rd(&u, IIR);
    wr(&u, IER, 0x00);
    check(iir1 == 0x02 && iir2 == 0x02, "THRE re-asserts when ETBEI is re-enabled");

    /* Receive without FIFO: one holding register. */
    setup(&u, &h);
    host_type(&h, "abc");
    uart16550_poll(&u);
    check(h.in_head == 1, "no FIFO: only one byte taken from the source");
    check(rd(&u, LSR) == 0x61, "LSR.DR set with data");
    check(h.irq == 0, "no RX interrupt while ERBFI is off");
    wr(&u, IER, 0x01);
    check(h.irq == 1 && rd(&u, IIR) == 0x04, "ERBFI: RX data interrupt");
    check(rd(&u, RBR) == 'a', "RBR returns the first byte");
    check(rd(&u, RBR) == 'b' && rd(&u, RBR) == 'c', "RBR refills from the source in order");
    check(rd(&u, LSR) == 0x60 && h.irq == 0 && rd(&u, IIR) == 0x01,
          "empty: DR clear, line low");
    host_type(&h, "d");
    check(h.irq == 0, "input waits for the poll");
    uart16550_poll(&u);
    check(h.irq == 1 && rd(&u, RBR) == 'd' && h.irq == 0, "poll delivers input and IRQ");

    /* FIFO: 16 deep, never drops input. */
    setup(&u, &h);
    wr(&u, FCR, 0x07);
    wr(&u, FCR, 0xc1);
    check(rd(&u, IIR) == 0xc1, "IIR shows FIFOs enabled");
    char big[41];
    for (int i = 0; i < 40; i++)
        big[i] = (char)('A' + i % 26);
    big[40] = 0;
    host_type(&h, big);
    uart16550_poll(&u);
    check(h.in_head == UART16550_FIFO, "FIFO takes exactly 16 bytes");
    uart16550_poll(&u);
    check(h.in_head == UART16550_FIFO, "full FIFO: the rest stays in the source");
    char got[41] = { 0 };
    unsigned n = 0;
    for (int guard = 0; n < 40 && guard < 1000; guard++) {
        if (guard % 7 == 0)
            uart16550_poll(&u);
        if (rd(&u, LSR) & 0x01)
            got[n++] = (char)rd(&u, RBR);
    }
    check(n == 40 && memcmp(got, big, 40) == 0, "all 40 bytes arrive in order");
    check((rd(&u, LSR) & 0x02) == 0, "no overrun");
    host_type(&h, "xyz");
    uart16550_poll(&u);
    wr(&u, FCR, 0xc3);
    check(!(rd(&u, LSR) & 0x01) && rd(&u, IIR) == 0xc1, "FCR RX clear empties the FIFO");
    wr(&u, FCR, 0x00);
    check(rd(&u, IIR) == 0x01, "FIFOs disabled");

    /* IIR priorities, using loopback to create overrun and modem-status events. */
    setup(&u, &h);
    wr(&u, MCR, 0x10);                       /* loopback, all outputs off */
    check((rd(&u, MSR) & 0xf0) == 0, "loopback: MSR follows MCR outputs (none)");
    wr(&u, MCR, 0x10 | 0x03);                /* DTR, RTS -> DSR, CTS */
    wr(&u, THR, 'L');
    check(h.out_len == 0, "loopback: nothing reaches the sink");
    wr(&u, THR, 'M');                        /* no FIFO: overruns the holding register */
    wr(&u, IER, 0x0f);
    check(h.irq == 1 && rd(&u, IIR) == 0x06, "line status first");
    check(rd(&u, LSR) == 0x63, "LSR: DR, OE, THRE, TEMT");
    check(rd(&u, LSR) == 0x61, "OE clears on read");
    check(rd(&u, IIR) == 0x04, "then received data");
    check(rd(&u, RBR) == 'L', "loopback byte received (the overrun one is lost)");
    check(rd(&u, IIR) == 0x02, "then THR empty (cleared by this read)");
    check(rd(&u, IIR) == 0x00, "then modem status");
    check((rd(&u, MSR) & 0x3f) == 0x33, "MSR: CTS, DSR and their deltas");
    check(rd(&u, IIR) == 0x01 && h.irq == 0, "all sources serviced");
    wr(&u, MCR, 0x00);
    check((rd(&u, MSR) & 0xb0) == 0xb0, "leaving loopback restores the modem lines");

    /* Scratch, sizes, out-of-range offsets */
    wr(&u, SCR, 0x5a);
    check(rd(&u, SCR) == 0x5a, "scratch register");
    uint64_t v = 0;
    check(uart16550_ops.write(&u, THR, 4, 'Z') && h.out_len == 1 && h.out[0] == 'Z',
          "4-byte write acts as a byte write");
    check(uart16550_ops.read(&u, LSR, 4, &v) && v == 0x60, "4-byte read acts as a byte read");
    check(!uart16550_ops.read(&u, LSR, 8, &v) && !uart16550_ops.write(&u, THR, 8, 0),
          "8-byte accesses fault");
    check(uart16550_ops.read(&u, 0x20, 1, &v) && v == 0, "offsets past 7 read zero");

    return check_done();
}
