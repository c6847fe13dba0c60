/* The PC/AT keyboard controller (Intel 8042 as programmed by IBM, and the PS/2
 * extensions of the 8242/VT82C42): data port 0x60, status/command port 0x64. There is
 * no keyboard input (the console is the serial port), but the controller and an idle
 * MF2 keyboard answer everything Linux's i8042 and atkbd probes send, so they pass
 * quietly: the controller self-test (0xAA → 0x55), interface tests, command byte
 * read/write (0x20/0x60), port disable/enable, the AUX loop-back (0xD3) including the
 * IRQ12 delivery test, the keyboard's reset (0xFF → 0xFA 0xAA) and identify (0xF2).
 * No mouse is attached: bytes for the AUX device (0xD4) time out (0xFE with the timeout
 * bit), which is what psmouse sees on a machine without one. A pulse of the reset line
 * (command 0xFE, or 0xD1 with bit 0 clear) asks the machine to reset; the A20 gate bit of
 * the output port is kept and reported on an optional line.
 *
 * References: IBM PC/AT Technical Reference, "Keyboard Controller" (commands, status
 * register, command byte); IBM PS/2 Hardware Interface Technical Reference, "Keyboard/
 * Auxiliary Device Controller" (0xA7-0xA9, 0xD2-0xD4) and "Keyboard" (commands and
 * responses, 0xAB 0x83 identification). Interrupts: IRQ1 (keyboard data, command byte
 * bit 0) and IRQ12 (AUX data, bit 1), levels that follow "output buffer full". */
#ifndef VM_DEV_PC_I8042_H
#define VM_DEV_PC_I8042_H

#include "core/irq.h"
#include "core/machine.h"
#include "core/types.h"
#include "mem/bus.h"

#define I8042_DATA_PORT 0x60u
#define I8042_CMD_PORT 0x64u
#define I8042_QUEUE 16u

typedef struct i8042 {
    machine *m;                  /* for machine_request_reset; may be NULL */
    irq_line irq1, irq12, a20;
    int irq1_level, irq12_level;
    uint8_t ctr;                 /* the command byte ("controller RAM" byte 0) */
    uint8_t ram[32];             /* controller RAM bytes 1-31 (0x21-0x3F/0x61-0x7F) */
    uint8_t outport;             /* bit 0 reset line (1 = run), bit 1 A20 */
    uint8_t pending;             /* command waiting for its data byte on 0x60, or 0 */
    bool last_was_cmd;           /* status bit 3: last write went to 0x64 */
    uint8_t last_read;           /* the output buffer keeps its value once read */
    /* Output buffer: a small FIFO of (byte, status bits 5-6 it carries). */
    uint8_t q_data[I8042_QUEUE], q_flags[I8042_QUEUE];
    unsigned q_head, q_count;
    /* The keyboard (MF2): the command waiting for its argument, scan code set. */
    uint8_t kbd_pending;
    uint8_t kbd_set;
} i8042;

/* Power-on state; `m` receives reset requests (NULL: ignored). a20 may be unconnected. */
void i8042_init(i8042 *k, machine *m, irq_line irq1, irq_line irq12, irq_line a20);
/* Back to the power-on state (keeps the wiring); lowers the interrupt lines. */
void i8042_reset(i8042 *k);

extern const mmio_ops i8042_data_ops;   /* port 0x60, 1 port */
extern const mmio_ops i8042_cmd_ops;    /* port 0x64, 1 port */

#endif
