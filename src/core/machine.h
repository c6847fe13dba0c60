/* The machine: what every board has regardless of the guest architecture: the bus, the
 * console, logging switches and the run state (exit / reset requests from devices). */
#ifndef VM_CORE_MACHINE_H
#define VM_CORE_MACHINE_H

#include "core/console.h"
#include "core/log.h"
#include "core/types.h"
#include "mem/bus.h"

typedef enum vm_arch { ARCH_NONE, ARCH_RISCV64, ARCH_X86_64, ARCH_ARM64 } vm_arch;

typedef struct vm_config {
    vm_arch arch;
    const char *kernel;
    const char *initrd;
    const char *append;
    const char *bios;      /* NULL = default firmware, "none" = built-in */
    const char *dtb;       /* --dtb: use this device tree */
    const char *dump_dtb;  /* --dump-dtb: write the generated one */
    uint64_t ram_size;
    unsigned vcpus;
    int escape_char;       /* console escape key, default Ctrl-A */
    uint64_t max_insns;    /* --max-insns: stop after this many (0 = unlimited) */
    bool no_reboot;        /* --no-reboot: a guest reset ends the run instead */
} vm_config;

typedef struct machine {
    vm_config cfg;
    vm_log log;
    bus bus;
    console con;
    volatile int stop;     /* set by devices/console: leave the run loop */
    int exit_code;
    bool reset_requested;
} machine;

/* Devices ask the machine to end the run with a status, or to reset the board. */
void machine_request_exit(machine *m, int code);
void machine_request_reset(machine *m);

#endif
