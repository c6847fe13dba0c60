/* The PC board's ACPI tables (ACPI 6.5 §5.2): RSDP, RSDT and XSDT, FADT (revision 6)
 * with its FACS, MADT and a DSDT generated as AML from the board's configuration, so a
 * guest OS finds the APICs, the PM block (dev/pc/acpi_pm.h), the reset register
 * (dev/pc/reset_cf9.h), the PCI host bridge and the ISA devices without a firmware.
 *
 * pc_acpi_build lays every table out in one caller buffer that the guest will see at
 * `buf_gpa` (64-byte aligned; 16-byte alignment is what the RSDP needs, 64 the FACS):
 * the RSDP first, so placing the buffer in 0xE0000-0xFFFFF lets Linux's scan of the BIOS
 * area find it (ACPI 6.5 §5.2.5.1), and the boot protocol's acpi_rsdp_addr can point at
 * it too. The layout says where each table went. */
#ifndef VM_X86_PC_ACPI_H
#define VM_X86_PC_ACPI_H

#include "core/types.h"

/* The ISA/chipset devices the DSDT describes (pc_acpi_config.devices). */
#define PC_ACPI_DEV_COM1 (1u << 0)     /* 16550A at 0x3F8, IRQ 4 */
#define PC_ACPI_DEV_KBD (1u << 1)      /* i8042 keyboard port: 0x60/0x64, IRQ 1 */
#define PC_ACPI_DEV_MOUSE (1u << 2)    /* i8042 auxiliary (PS/2 mouse) port, IRQ 12 */
#define PC_ACPI_DEV_RTC (1u << 3)      /* MC146818 at 0x70, IRQ 8 */
#define PC_ACPI_DEV_PIT (1u << 4)      /* i8254 at 0x40, IRQ 0 */
#define PC_ACPI_DEV_PIC (1u << 5)      /* i8259 pair at 0x20/0xA0 (MADT PCAT_COMPAT too) */
#define PC_ACPI_DEV_PCI (1u << 6)      /* i440FX host bridge + PIIX3 at 00:01.0 */
#define PC_ACPI_DEV_VGA (1u << 7)      /* a VGA exists (else FADT says "VGA not present") */

#define PC_ACPI_MAX_CPUS 255u
#define PC_ACPI_SCI_IRQ 9u
#define PC_ACPI_BUF_ALIGN 64u

typedef struct pc_acpi_config {
    unsigned ncpus;             /* LAPICs with APIC IDs and ACPI UIDs 0..ncpus-1 */
    uint32_t lapic_addr;        /* 0xFEE00000 */
    uint32_t ioapic_addr;       /* 0xFEC00000 */
    uint8_t ioapic_id;
    uint16_t pm_base;           /* the acpi_pm block's I/O base (0x600) */
    unsigned devices;           /* PC_ACPI_DEV_* */
    /* The PCI host bridge's windows for _CRS: 32-bit memory [mem_base, mem_base +
     * mem_size) and an optional 64-bit one (size 0 = none). */
    uint64_t pci_mem_base, pci_mem_size;
    uint64_t pci_mem64_base, pci_mem64_size;
    /* GSI of PIRQA-D: device d's INTx pin p (0 = INTA) is PIRQ (d + p - 1) mod 4, the
     * PIIX3 swizzle QEMU's pc uses; the board routes the pins to these GSIs (and to the
     * same ISA IRQ numbers on the 8259). */
    uint8_t pirq_gsi[4];
} pc_acpi_config;

typedef struct pc_acpi_table {
    gpa_t gpa;
    uint32_t size;
} pc_acpi_table;

typedef struct pc_acpi_layout {
    pc_acpi_table rsdp, facs, dsdt, fadt, madt, rsdt, xsdt;
    size_t used;                /* bytes of the buffer in use from its start */
} pc_acpi_layout;

/* The defaults of QEMU's pc: 1 CPU, APICs at their reset addresses, IOAPIC ID 0, PM at
 * 0x600, PIRQA-D on GSIs 10, 10, 11, 11, every device but VGA, the PCI hole from
 * 0xC0000000 to the IOAPIC. */
void pc_acpi_default_config(pc_acpi_config *cfg);

/* Build the tables into buf[0, cap) for guest address buf_gpa (buf_gpa < 4 GiB, 64-byte
 * aligned). False with *err set for a bad configuration or a buffer too small (4 KiB is
 * plenty for 16 CPUs). */
bool pc_acpi_build(const pc_acpi_config *cfg, uint8_t *buf, size_t cap, gpa_t buf_gpa,
                   pc_acpi_layout *out, vm_error *err);

/* The DSDT's AML body (everything after the 36-byte header) into buf: its length, or 0 if
 * it does not fit (pc_dsdt.c). */
size_t pc_dsdt_aml(const pc_acpi_config *cfg, uint8_t *buf, size_t cap);

/* Sum of n bytes modulo 256 (a table is valid when its bytes sum to 0, ACPI §5.2.6). */
uint8_t pc_acpi_sum(const uint8_t *p, size_t n);

#endif
