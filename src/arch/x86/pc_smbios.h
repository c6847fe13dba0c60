/* The PC board's SMBIOS tables (DMTF DSP0134 3.x): what a firmware tells the OS about
 * the machine (DMI). Linux reads them for its "DMI:" line, /sys/class/dmi/id and quirk
 * tables; without them it logs "DMI not present or invalid". Built for kernels booted
 * without firmware, as QEMU's SeaBIOS builds them for its pc board: BIOS (type 0),
 * system (1), chassis (3), processor (4), physical memory array (16), memory device
 * (17), memory array mapped addresses (19), system boot (32) and the end (127).
 *
 * The structure table can sit anywhere below 4 GiB; the 64-bit entry point (§5.2.2,
 * anchor "_SM3_") must be on a 16-byte boundary in 0xF0000-0xFFFFF, where an OS without
 * EFI looks for it. */
#ifndef VM_X86_PC_SMBIOS_H
#define VM_X86_PC_SMBIOS_H

#include "core/types.h"

#define PC_SMBIOS_EP_LEN 24u

typedef struct pc_smbios_config {
    const char *version;        /* the BIOS and system version (vm's) */
    const char *bios_date;      /* "MM/DD/YYYY" */
    uint32_t cpuid1_eax;        /* processor signature (Processor ID, type 4) */
    uint32_t cpuid1_edx;        /* feature flags (Processor ID, type 4) */
    const char *cpu_version;    /* the CPUID brand string */
    unsigned cpu_mhz;           /* current and maximum speed */
    unsigned ncpus;             /* cores of the one socket */
    uint64_t ram_low;           /* bytes of RAM from 0 (below the PCI hole) */
    uint64_t ram_high;          /* bytes of RAM from 4 GiB */
} pc_smbios_config;

/* Build the structure table into table[0, cap) for guest address table_gpa and the
 * entry point pointing at it into ep. Returns the table's length, or 0 (with *err set) if
 * it does not fit. */
size_t pc_smbios_build(const pc_smbios_config *cfg, uint8_t *table, size_t cap,
                       gpa_t table_gpa, uint8_t ep[PC_SMBIOS_EP_LEN], vm_error *err);

#endif
