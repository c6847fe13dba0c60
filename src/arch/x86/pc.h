/* The x86 PC board ("pc"), laid out like QEMU's i440FX "pc" machine: RAM below 640 KiB,
 * from 1 MiB up to the PCI hole (3 GiB) and the rest above 4 GiB; the PC chipset on I/O
 * ports (8259A pair with ELCR, 8254 PIT and port 0x61, MC146818 RTC/CMOS, i8042, port 92,
 * port 0x80, COM1 16550A, QEMU's isa-debug-exit at 0xF4, the ACPI PM block at 0x600 with
 * its SCI on IRQ 9, the reset control register 0xCF9), the local APIC at 0xFEE00000
 * and the IOAPIC at 0xFEC00000, PCI bus 0 through 0xCF8/0xCFC (i440FX, PIIX3 ISA bridge,
 * PIIX IDE with an ATAPI CD-ROM on the secondary master). Boots a firmware image at the
 * reset vector, a Multiboot kernel in 32-bit protected mode, or Linux (a bzImage, or an
 * installer ISO's kernel and initrd) through the 64-bit boot protocol; kernels booted
 * without firmware find ACPI tables (pc_acpi.c) in ROM at 0xF0000 and SMBIOS
 * (pc_smbios.c) at 0xE0000.
 *
 * Files: pc.c (lifecycle, memory map, devices), pc_irq.c (interrupt routing from the
 * devices through the PIC / IOAPIC and the local APIC to the CPU), pc_cpu.c (the time
 * base and what the board adds to the CPU: MSRs, CPUID, CR8), pc_boot.c (images). This
 * header is the only place that knows the map. */
#ifndef VM_X86_PC_H
#define VM_X86_PC_H

#include "arch/x86/cpu.h"
#include "core/types.h"
#include "dev/ata/cd_image.h"
#include "dev/ata/piix_ide.h"
#include "dev/isa_debug_exit.h"
#include "dev/pc/acpi_pm.h"
#include "dev/pc/i8042.h"
#include "dev/pc/i8254.h"
#include "dev/pc/i8259.h"
#include "dev/pc/ioapic.h"
#include "dev/pc/lapic.h"
#include "dev/pc/mc146818.h"
#include "dev/pc/port92.h"
#include "dev/pc/reset_cf9.h"
#include "dev/pci/pci_host.h"
#include "dev/uart16550.h"
#include "load/linux_x86.h"

#define PC_LOW_RAM_END    0xa0000ULL      /* conventional memory: 640 KiB */
#define PC_BIOS_AREA      0xe0000ULL      /* the ROM area below 1 MiB (ACPI RSDP scan) */
#define PC_BIOS_ALIAS     0xe0000ULL      /* the ROM's last 128 KiB below 1 MiB */
#define PC_BIOS_ALIAS_SIZE 0x20000ULL
#define PC_HIGH_RAM_BASE  0x100000ULL     /* extended memory from 1 MiB */
#define PC_PCI_HOLE       0xc0000000ULL   /* RAM below 4 GiB ends here at most */
#define PC_4G             0x100000000ULL
#define PC_ROM_MAX        (16 * MiB)      /* largest firmware image (a flash chip's size) */
#define PC_COM1_PORT      0x3f8u
#define PC_COM1_IRQ       4u
#define PC_PORT80         0x80u           /* POST code port: a sink for I/O delays */
#define PC_PCI_IO_BASE    0xc000u         /* PCI I/O BARs (QEMU's SeaBIOS starts here) */
#define PC_PCI_IO_SIZE    0x4000u
#define PC_IDE_BMDMA_BASE 0xc000u         /* PIIX IDE BAR4 as firmware assigns it */
#define PC_ACPI_ADDR      0xf0000u        /* the ACPI tables (RSDP first), ROM */
#define PC_ACPI_SIZE      0x10000u
#define PC_SMBIOS_ADDR    0xe0000u        /* SMBIOS structures (entry point after ACPI) */
#define PC_SMBIOS_SIZE    0x1000u
#define PC_TSC_HZ         1000000000ull   /* the TSC and the APIC bus clock: 1 GHz */
#define PC_MAX_MAP 16

typedef struct pc_board {
    machine *m;
    x86_cpu cpu;
    x86_board_hooks hooks;
    uint64_t clock_base;            /* host CLOCK_MONOTONIC ns at board creation */

    /* chipset */
    i8259 pic;
    i8254 pit;
    mc146818 rtc;
    i8042 kbc;
    port92 p92;
    acpi_pm pm;
    reset_cf9 cf9;
    lapic apic;
    ioapic ioapic;
    uart16550 com1;
    isa_debug_exit debug_exit;
    pci_host pci;
    piix_ide ide;
    atapi_cdrom cdrom;
    cd_image cd_img;
    bool has_cd;
    const char *cd_path;
    bool irq_sync_busy;             /* pc_irq_sync is running (the LAPIC calls back) */

    /* memory */
    uint64_t ram_low;               /* bytes of RAM below the PCI hole (from 0) */
    uint64_t ram_high;              /* bytes of RAM from 4 GiB */
    gpa_t rom_base;                 /* 0 = no firmware ROM */
    bool bios_area;                 /* 0xE0000-0xFFFFF mapped for the ACPI tables */
    e820_entry map[PC_MAX_MAP];     /* the e820 map the guest is told */
    size_t nmap;
    bool kernel_is_iso;             /* --kernel names an ISO9660 image */
} pc_board;

/* pc_cpu.c: the board's one time base (ns since the board was made) for the PIT, RTC,
 * local APIC timer and TSC; the CPU hooks (TSC, MSRs, CPUID, CR8). */
uint64_t pc_clock_ns(void *pc_board_ptr);
uint64_t pc_tsc(void *pc_board_ptr);
void pc_cpu_hooks_init(pc_board *pc);

/* pc_irq.c: wire the interrupt controllers (call once, after the devices' storage
 * exists and before they are initialised with the lines this returns). */
void pc_irq_init(pc_board *pc);
irq_line pc_isa_irq(pc_board *pc, unsigned irq);
/* Bring the CPU's INTR / NMI in line with the local APIC. */
void pc_irq_sync(pc_board *pc);

/* pc_boot.c */
bool pc_probe_iso(const char *path);
bool pc_load_images(pc_board *pc, vm_error *err);

#endif
