/* NS16550A UART ("ns16550a", reg-shift 0) as QEMU's virt board has it and Linux's 8250
 * driver expects. Bytes written to THR go to a byte sink at once (the transmitter is
 * infinitely fast, so THRE/TEMT read as 1); received bytes are pulled from a byte source
 * into the RX FIFO only while it has room, so no input is ever dropped. One output
 * interrupt line. */
#ifndef VM_DEV_UART16550_H
#define VM_DEV_UART16550_H

#include "core/console.h"
#include "core/irq.h"
#include "core/types.h"
#include "mem/bus.h"

#define UART16550_FIFO 16
#define UART16550_MMIO_SIZE 0x100u   /* as in the virt DT; registers past 7 read zero */

/* Byte sink and source: tx sends one byte; rx returns the next input byte or -1. */
typedef void (*uart16550_tx_fn)(void *opaque, uint8_t ch);
typedef int (*uart16550_rx_fn)(void *opaque);

typedef struct uart16550 {
    uart16550_tx_fn tx;
    uart16550_rx_fn rx;
    void *io;                      /* opaque for tx/rx */
    irq_line irq;
    int irq_level;                 /* last level driven on irq */

    uint8_t rx_fifo[UART16550_FIFO];
    unsigned rx_head, rx_count;
    uint8_t ier, lcr, mcr, fcr, scr;
    uint8_t lsr_err;               /* sticky LSR error bits (OE), cleared by reading LSR */
    uint8_t msr_delta;             /* MSR bits 3:0, cleared by reading MSR */
    uint8_t msr_lines;             /* MSR bits 7:4 as last reported */
    uint16_t divisor;
    bool thr_ipending;             /* THRE interrupt armed (see uart16550.c) */
} uart16550;

/* Attach to the console: output with console_putc, input with console_getc. */
void uart16550_init(uart16550 *u, console *con, irq_line irq);
/* Attach to any byte sink/source (tests, other back ends). */
void uart16550_init_io(uart16550 *u, uart16550_tx_fn tx, uart16550_rx_fn rx, void *io,
                       irq_line irq);
/* Power-on register state (keeps the wiring); drives the interrupt line. */
void uart16550_reset(uart16550 *u);
/* Pull available input into the RX FIFO while it has room and update the interrupt
 * line. The run loop calls this periodically (after console_poll). */
void uart16550_poll(uart16550 *u);

extern const mmio_ops uart16550_ops;

#endif
