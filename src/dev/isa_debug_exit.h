/* QEMU's isa-debug-exit device (hw/misc/debugexit.c) at I/O port 0xF4: a write of value v
 * ends the run with status (v << 1) | 1, so a test kernel can never exit with 0 by
 * accident; test kernels written for QEMU's PC use it to report. Reads return zero. */
#ifndef VM_DEV_ISA_DEBUG_EXIT_H
#define VM_DEV_ISA_DEBUG_EXIT_H

#include "core/machine.h"
#include "mem/bus.h"

#define ISA_DEBUG_EXIT_PORT 0xf4u
#define ISA_DEBUG_EXIT_SIZE 4u     /* QEMU's iosize=0x04 */

typedef struct isa_debug_exit {
    machine *m;
} isa_debug_exit;

void isa_debug_exit_init(isa_debug_exit *d, machine *m);

extern const mmio_ops isa_debug_exit_ops;

#endif
