/* The seam between the machine and a guest architecture: a board builds its devices and
 * vCPUs, loads the images with its boot protocol, and runs its vCPUs for a slice. The run
 * loop, idle wait, --max-insns and reset handling live once in core/run.c. */
#ifndef VM_CORE_BOARD_H
#define VM_CORE_BOARD_H

#include "core/machine.h"

typedef struct board_ops {
    const char *name;       /* e.g. "virt" */
    vm_arch arch;
    /* Build devices and vCPUs on m->bus. NULL with *err set on a host set-up error. */
    void *(*create)(machine *m, vm_error *err);
    /* Power-on or reboot: (re)load the images and put devices and vCPUs in their reset
     * state. false with *err set if an image cannot be loaded. */
    bool (*reset)(void *board, vm_error *err);
    /* Devices' work between slices (console input to the UART, timer lines, HTIF). */
    void (*poll)(void *board);
    /* Run the vCPUs for up to `budget` instructions; returns how many retired. */
    uint64_t (*run)(void *board, uint64_t budget);
    /* Every vCPU waits for an interrupt (WFI, HLT): the loop may sleep. */
    bool (*idle)(void *board);
    /* Nanoseconds until the next timer event (INT64_MAX if none). */
    int64_t (*ns_until_event)(void *board);
    /* Where vCPU 0 is, for the --max-insns report. */
    uint64_t (*pc)(void *board);
    void (*destroy)(void *board);
} board_ops;

/* The board for an architecture, or NULL if none is implemented yet. */
const board_ops *board_for_arch(vm_arch arch);

#endif
