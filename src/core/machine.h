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
    const char *cdrom;     /* --cdrom: a read-only CD image for the board's CD-ROM drive */
    const char *boot_entry; /* --boot-entry: the boot menu entry of an installer ISO */
    uint64_t ram_size;
    unsigned vcpus;
    int escape_char;       /* console escape key, default Ctrl-A */
    uint64_t max_insns;    /* --max-insns: stop after this many (0 = unlimited) */
    bool no_reboot;        /* --no-reboot: a guest reset ends the run instead */
} vm_config;

typedef struct machine {
    vm_config cfg;
    vm_log log;
    bus bus;               /* guest-physical memory and MMIO */
    bus io;                /* I/O port space (x86 IN/OUT); unused by other architectures */
    console con;
    volatile int stop;     /* set by devices/console: leave the run loop */
    int exit_code;
    bool reset_requested;
} machine;

/* How a run ended (core/run.c). */
typedef enum run_end {
    RUN_GUEST_EXIT,        /* the guest powered off or exited: `status` is its status */
    RUN_CONSOLE_QUIT,      /* the user typed the console's quit escape */
    RUN_INSN_LIMIT,        /* --max-insns ran out */
    RUN_RESET_NO_REBOOT,   /* the guest reset the board under --no-reboot */
} run_end;

typedef struct run_result {
    run_end end;
    int status;            /* exit status for vm-cli */
    uint64_t insns;        /* instructions retired in the whole run */
    uint64_t pc;           /* where vCPU 0 was at the end */
} run_result;

/* Build the board of m->cfg.arch, boot it and run it until the guest stops. A host
 * set-up error (a file that cannot be loaded, no board for the architecture) returns
 * false with *err set; otherwise *res says how the guest's run ended. */
bool machine_run(machine *m, run_result *res, vm_error *err);

/* Devices ask the machine to end the run with a status, or to reset the board. */
void machine_request_exit(machine *m, int code);
void machine_request_reset(machine *m);

#endif
