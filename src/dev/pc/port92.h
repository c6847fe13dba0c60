/* System control port A at I/O port 0x92 (IBM PS/2 "Port 92h"; PIIX4 datasheet §4.1,
 * "Port 92h"): bit 0 ALT_RESET (a 0 → 1 transition resets the processor: the "fast
 * reset" SeaBIOS and Linux's reboot=... paths may use), bit 1 ALT_A20 (fast A20 gate),
 * bit 3 the CMOS password lock (kept, no effect). Other bits read 0. */
#ifndef VM_DEV_PC_PORT92_H
#define VM_DEV_PC_PORT92_H

#include "core/irq.h"
#include "core/machine.h"
#include "mem/bus.h"

#define PORT92_PORT 0x92u

typedef struct port92 {
    machine *m;                  /* for machine_request_reset; may be NULL */
    irq_line a20;                /* fast A20 gate output (level), may be unconnected */
    uint8_t val;
} port92;

void port92_init(port92 *p, machine *m, irq_line a20);
/* Power-on: A20 gate off through this port, reset bit 0. */
void port92_reset(port92 *p);

extern const mmio_ops port92_ops;   /* 1 port at 0x92 */

#endif
