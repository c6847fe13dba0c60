/* Internal to the virt board: its state and the helpers split across virt*.c/sbi.c. */
#ifndef VM_RISCV_VIRT_BOARD_H
#define VM_RISCV_VIRT_BOARD_H

#include "arch/riscv/cpu.h"
#include "arch/riscv/sbi.h"
#include "arch/riscv/virt.h"
#include "dev/aclint.h"
#include "dev/goldfish_rtc.h"
#include "dev/htif.h"
#include "dev/plic.h"
#include "dev/syscon.h"
#include "dev/uart16550.h"
#include "load/loader.h"

typedef struct riscv_virt {
    machine *m;
    rv_cpu cpu;
    aclint clint;
    plic plic;
    uart16550 uart;
    goldfish_rtc rtc;         /* QEMU virt's real-time clock: the guest sees today's date */
    syscon test;
    htif htif;                /* a bare-metal ELF's tohost/fromhost */
    /* What was loaded, for the device tree and the registers at reset */
    loaded_image firmware, kernel;
    bool has_firmware;        /* an M-mode firmware runs first (OpenSBI) */
    bool builtin_sbi;         /* --bios none with an S-mode kernel: our SBI answers ecalls */
    riscv_sbi_pmu sbi_pmu;    /* the built-in SBI's PMU counters */
    gpa_t initrd_start, initrd_end;
    gpa_t fdt_addr;
    gpa_t fw_dynamic_info;
    void *fdt;                /* the flattened device tree blob */
    size_t fdt_size;
} riscv_virt;

/* Build the device tree for this board into v->fdt (virt_fdt.c). */
bool riscv_virt_build_fdt(riscv_virt *v, vm_error *err);

/* The built-in SBI (sbi.c): implementation of the ecall interface for --bios none. */
bool riscv_sbi_call(rv_cpu *cpu);
/* Its state at reset, and the counter set-up it hands the kernel (after rv_cpu_reset). */
void riscv_sbi_reset(riscv_virt *v);

#endif
