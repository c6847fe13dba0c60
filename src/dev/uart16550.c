/* NS16550A. Reference: National Semiconductor PC16550D datasheet (register descriptions
 * and Table II, "Interrupt Control Functions"); conventions of QEMU's serial.c and the
 * Linux 8250 driver where the datasheet leaves room. */
#include "dev/uart16550.h"

#include <string.h>

enum {
    REG_RBR_THR = 0, REG_IER = 1, REG_IIR_FCR = 2, REG_LCR = 3,
    REG_MCR = 4, REG_LSR = 5, REG_MSR = 6, REG_SCR = 7,
};

#define IER_ERBFI 0x01   /* received data available */
#define IER_ETBEI 0x02   /* THR empty */
#define IER_ELSI 0x04    /* receiver line status */
#define IER_EDSSI 0x08   /* modem status */

#define IIR_NONE 0x01
#define IIR_MSR 0x00
#define IIR_THRE 0x02
#define IIR_RDA 0x04
#define IIR_RLS 0x06
#define IIR_FIFO_ON 0xc0

#define FCR_FIFOE 0x01
#define FCR_RX_CLEAR 0x02
#define FCR_TX_CLEAR 0x04
#define FCR_STORED 0xc9  /* FIFOE, DMA mode, trigger level; bits 1-2 self-clear */

#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

/* With no real modem behind it the line looks connected and ready, so getty, screen and
 * the 8250 driver's CTS flow control see a live peer. */
#define MSR_LINES_CONNECTED (MSR_DCD | MSR_DSR | MSR_CTS)

static unsigned rx_depth(const uart16550 *u)
{
    /* Without FIFOs the receiver holds one character (16450 mode). */
    return (u->fcr & FCR_FIFOE) ? UART16550_FIFO : 1;
}

static bool loopback(const uart16550 *u)
{
    return u->mcr & MCR_LOOP;
}

static void rx_push(uart16550 *u, uint8_t ch)
{
    u->rx_fifo[(u->rx_head + u->rx_count) % UART16550_FIFO] = ch;
    u->rx_count++;
}

static void rx_clear(uart16550 *u)
{
    u->rx_head = 0;
    u->rx_count = 0;
}

/* Pull input only while there is room: the source keeps what we cannot take yet. */
static void rx_fill(uart16550 *u)
{
    if (loopback(u) || !u->rx)
        return;
    while (u->rx_count < rx_depth(u)) {
        int ch = u->rx(u->io);
        if (ch < 0)
            break;
        rx_push(u, (uint8_t)ch);
    }
}

/* Table II priorities: line status > received data > THR empty > modem status. Data
 * below the FIFO trigger level is reported as plain "data available" rather than as a
 * character timeout: the 8250 driver treats both alike. */
static uint8_t iir_id(const uart16550 *u)
{
    if ((u->ier & IER_ELSI) && u->lsr_err)
        return IIR_RLS;
    if ((u->ier & IER_ERBFI) && u->rx_count)
        return IIR_RDA;
    if ((u->ier & IER_ETBEI) && u->thr_ipending)
        return IIR_THRE;
    if ((u->ier & IER_EDSSI) && u->msr_delta)
        return IIR_MSR;
    return IIR_NONE;
}

static void update_irq(uart16550 *u, bool force)
{
    int level = iir_id(u) != IIR_NONE;
    if (level != u->irq_level || force) {
        u->irq_level = level;
        irq_set(&u->irq, level);
    }
}

/* MSR bits 7:4 follow the modem inputs; in loopback they are wired to MCR outputs
 * (CTS=RTS, DSR=DTR, RI=OUT1, DCD=OUT2). Changes latch the delta bits 3:0. */
static void update_msr(uart16550 *u)
{
    uint8_t lines = MSR_LINES_CONNECTED;
    if (loopback(u)) {
        lines = 0;
        if (u->mcr & MCR_RTS)
            lines |= MSR_CTS;
        if (u->mcr & MCR_DTR)
            lines |= MSR_DSR;
        if (u->mcr & MCR_OUT1)
            lines |= MSR_RI;
        if (u->mcr & MCR_OUT2)
            lines |= MSR_DCD;
    }
    uint8_t changed = lines ^ u->msr_lines;
    if (changed & MSR_CTS)
        u->msr_delta |= MSR_DCTS;
    if (changed & MSR_DSR)
        u->msr_delta |= MSR_DDSR;
    if ((changed & MSR_RI) && !(lines & MSR_RI))
        u->msr_delta |= MSR_TERI;   /* trailing edge of RI only */
    if (changed & MSR_DCD)
        u->msr_delta |= MSR_DDCD;
    u->msr_lines = lines;
}

static void transmit(uart16550 *u, uint8_t ch)
{
    if (loopback(u)) {
        /* The transmitter feeds the receiver; a full receiver overruns. */
        if (u->rx_count < rx_depth(u))
            rx_push(u, ch);
        else
            u->lsr_err |= LSR_OE;
    } else if (u->tx) {
        u->tx(u->io, ch);
    }
    /* Writing THR clears the THRE interrupt; the byte leaves at once, so the holding
     * register is empty again and the interrupt re-arms (what a real 16550 does once
     * its transmitter drains). */
    u->thr_ipending = true;
}

void uart16550_reset(uart16550 *u)
{
    rx_clear(u);
    u->ier = 0;
    u->lcr = 0;
    u->mcr = 0;
    u->fcr = 0;
    u->scr = 0;
    u->lsr_err = 0;
    u->msr_delta = 0;
    u->msr_lines = MSR_LINES_CONNECTED;
    u->divisor = 12;          /* 9600 baud at 1.8432 MHz; the value is not used */
    u->thr_ipending = false;
    update_irq(u, true);
}

void uart16550_init_io(uart16550 *u, uart16550_tx_fn tx, uart16550_rx_fn rx, void *io,
                       irq_line irq)
{
    memset(u, 0, sizeof *u);
    u->tx = tx;
    u->rx = rx;
    u->io = io;
    u->irq = irq;
    uart16550_reset(u);
}

static void console_tx(void *opaque, uint8_t ch)
{
    console_putc(opaque, ch);
}

static int console_rx(void *opaque)
{
    return console_getc(opaque);
}

void uart16550_init(uart16550 *u, console *con, irq_line irq)
{
    uart16550_init_io(u, console_tx, console_rx, con, irq);
}

void uart16550_poll(uart16550 *u)
{
    rx_fill(u);
    update_irq(u, false);
}

static uint8_t reg_read(uart16550 *u, unsigned reg)
{
    uint8_t v = 0;
    switch (reg) {
    case REG_RBR_THR:
        if (u->lcr & LCR_DLAB)
            return (uint8_t)u->divisor;
        if (u->rx_count) {
            v = u->rx_fifo[u->rx_head];
            u->rx_head = (u->rx_head + 1) % UART16550_FIFO;
            u->rx_count--;
        }
        rx_fill(u);
        break;
    case REG_IER:
        if (u->lcr & LCR_DLAB)
            return (uint8_t)(u->divisor >> 8);
        return u->ier;
    case REG_IIR_FCR:
        v = iir_id(u);
        /* Table II: reading IIR while it reports THRE clears that interrupt. */
        if (v == IIR_THRE)
            u->thr_ipending = false;
        if (u->fcr & FCR_FIFOE)
            v |= IIR_FIFO_ON;
        break;
    case REG_LCR:
        return u->lcr;
    case REG_MCR:
        return u->mcr;
    case REG_LSR:
        v = LSR_THRE | LSR_TEMT | u->lsr_err;
        if (u->rx_count)
            v |= LSR_DR;
        u->lsr_err = 0;       /* error bits clear on read */
        break;
    case REG_MSR:
        v = u->msr_lines | u->msr_delta;
        u->msr_delta = 0;     /* delta bits clear on read */
        break;
    case REG_SCR:
        return u->scr;
    }
    update_irq(u, false);
    return v;
}

static void reg_write(uart16550 *u, unsigned reg, uint8_t v)
{
    switch (reg) {
    case REG_RBR_THR:
        if (u->lcr & LCR_DLAB)
            u->divisor = (uint16_t)((u->divisor & 0xff00) | v);
        else
            transmit(u, v);
        break;
    case REG_IER:
        if (u->lcr & LCR_DLAB) {
            u->divisor = (uint16_t)((u->divisor & 0x00ff) | (v << 8));
            break;
        }
        /* Enabling ETBEI while THR is empty raises THRE even if an IIR read had cleared
         * it: the 8250 driver's startup test (UART_BUG_THRE) and its tx path rely on it. */
        if ((v & IER_ETBEI) && !(u->ier & IER_ETBEI))
            u->thr_ipending = true;
        else if (!(v & IER_ETBEI))
            u->thr_ipending = false;
        u->ier = v & 0x0f;
        break;
    case REG_IIR_FCR: {
        /* FCR: other bits are only programmed while FIFOE is written as 1; changing
         * FIFOE empties both FIFOs. */
        uint8_t old = u->fcr;
        bool on = v & FCR_FIFOE;
        u->fcr = on ? (v & FCR_STORED) : 0;
        if (((old ^ u->fcr) & FCR_FIFOE) || (on && (v & FCR_RX_CLEAR)))
            rx_clear(u);
        if (on && (v & FCR_TX_CLEAR) && (u->ier & IER_ETBEI))
            u->thr_ipending = true;   /* the (always empty) THR stays empty */
        rx_fill(u);
        break;
    }
    case REG_LCR:
        u->lcr = v;
        break;
    case REG_MCR:
        u->mcr = v & 0x1f;
        update_msr(u);
        rx_fill(u);           /* leaving loopback reconnects the input */
        break;
    case REG_LSR:
    case REG_MSR:
        break;                /* read-only (factory test writes ignored) */
    case REG_SCR:
        u->scr = v;
        break;
    }
    update_irq(u, false);
}

/* reg-shift 0: one byte per register. Wider accesses are accepted as the byte at that
 * offset, for drivers that use 32-bit accessors. */
static bool uart16550_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    if (size == 8)
        return false;
    *val = off < 8 ? reg_read(opaque, (unsigned)off) : 0;
    return true;
}

static bool uart16550_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    if (size == 8)
        return false;
    if (off < 8)
        reg_write(opaque, (unsigned)off, (uint8_t)val);
    return true;
}

const mmio_ops uart16550_ops = { .read = uart16550_read, .write = uart16550_write };
