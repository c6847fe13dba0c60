/* The SiFive test finisher ("sifive,test0" / "syscon") at 0x100000 on QEMU virt: a write
 * to offset 0 ends the run (pass or fail with a status) or resets the board. Linux's
 * syscon-poweroff / syscon-reboot and OpenSBI's system reset use it. */
#ifndef VM_DEV_SYSCON_H
#define VM_DEV_SYSCON_H

#include "core/machine.h"
#include "mem/bus.h"

#define SYSCON_MMIO_SIZE 0x1000u

#define SYSCON_FAIL 0x3333u    /* | code << 16: exit with status code (0 -> 1) */
#define SYSCON_PASS 0x5555u    /* exit with status 0 */
#define SYSCON_RESET 0x7777u   /* reset the board */

typedef struct syscon {
    machine *m;
} syscon;

void syscon_init(syscon *s, machine *m);

extern const mmio_ops syscon_ops;

#endif
