/* HTIF, the Berkeley host-target interface of Spike and riscv-tests: the guest writes a
 * command to the 64-bit word `tohost` in its RAM and the host answers in `fromhost`. The
 * addresses come from the program's ELF symbols of those names. Served: exit (device 0,
 * odd payload), console output (device 1, command 1), and the syscall proxy's SYS_write
 * to stdout/stderr (device 0, even payload = address of the argument block). */
#ifndef VM_DEV_HTIF_H
#define VM_DEV_HTIF_H

#include "core/machine.h"
#include "load/loader.h"

typedef struct htif {
    machine *m;
    gpa_t tohost, fromhost;   /* 0 = the program has no HTIF */
} htif;

/* Look for the tohost/fromhost symbols in the program; htif_active() says if found. */
void htif_init(htif *h, machine *m, const file_buf *program);
static inline bool htif_active(const htif *h)
{
    return h->tohost != 0;
}
/* Serve a pending command, if any (called between run-loop slices). */
void htif_poll(htif *h);

#endif
