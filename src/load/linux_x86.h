/* x86 Linux boot protocol, 64-bit entry (Documentation/arch/x86/boot.rst, cited "boot.rst
 * §x"; the zero page layout is Documentation/arch/x86/zero-page.rst): parse a bzImage's
 * setup header, place the protected-mode kernel, the initrd, the command line and the
 * zero page (struct boot_params) in guest RAM, and build the identity-mapped page tables
 * and the GDT the 64-bit entry requires (boot.rst "64-bit Boot Protocol"). No BIOS and no
 * real-mode setup code run: the board loads the CPU state from linux_x86_boot. */
#ifndef VM_LOAD_LINUX_X86_H
#define VM_LOAD_LINUX_X86_H

#include "load/loader.h"

/* boot.rst "Details of header fields": loadflags and xloadflags bits */
#define LX86_LOADED_HIGH        0x01u
#define LX86_KEEP_SEGMENTS      0x40u
#define LX86_CAN_USE_HEAP       0x80u
#define LX86_XLF_KERNEL_64      0x01u
#define LX86_XLF_CAN_BE_LOADED_ABOVE_4G 0x02u

/* e820 types (ACPI address range types): only 1 is usable RAM. */
#define E820_RAM      1u
#define E820_RESERVED 2u
#define E820_ACPI     3u
#define E820_NVS      4u
#define E820_UNUSABLE 5u

#define LX86_E820_MAX 128u   /* zero-page.rst: e820_table[E820_MAX_ENTRIES_ZEROPAGE] */

typedef struct e820_entry {
    uint64_t base, len;
    uint32_t type;
} e820_entry;

/* Where the loader puts its own structures (all below 640 KiB, which the board's e820
 * map must mark usable RAM). In the table handed to the kernel, [LX86_GDT_ADDR,
 * LX86_PDPT_ADDR + 4 KiB) (GDT, zero page, PML4, PDPT) and the page directories in use are
 * marked E820_RESERVED, so the kernel never reuses them while they are live; the command
 * line stays usable RAM, as boot.rst allows (the kernel copies it early). */
#define LX86_GDT_ADDR      0x6000u   /* 4 descriptors */
#define LX86_ZERO_PAGE     0x7000u   /* struct boot_params, 4 KiB */
#define LX86_PML4_ADDR     0x9000u
#define LX86_PDPT_ADDR     0xA000u
#define LX86_CMDLINE_ADDR  0x20000u  /* up to 64 KiB */
#define LX86_CMDLINE_MAX   0x10000u
#define LX86_PD_ADDR       0x30000u  /* one 4 KiB page directory per GiB mapped */
#define LX86_PD_END        0x90000u  /* so at most 96 GiB are identity-mapped */
#define LX86_BOOT_CS 0x10u           /* boot.rst: __BOOT_CS */
#define LX86_BOOT_DS 0x18u           /* boot.rst: __BOOT_DS */

/* What the setup header says (every field read from checked offsets). */
typedef struct linux_x86_image {
    uint16_t version;           /* protocol version, e.g. 0x020f for 2.15 */
    uint8_t setup_sects;        /* as found; 0 means 4 (boot.rst) */
    uint8_t loadflags;
    uint16_t xloadflags;
    uint32_t kernel_alignment;
    bool relocatable;
    uint64_t pref_address;
    uint32_t init_size;         /* bytes the kernel needs from its load address */
    uint32_t cmdline_size;      /* longest command line, without the NUL */
    uint32_t initrd_addr_max;   /* highest address the initrd's last byte may occupy */
    size_t setup_end;           /* end of the setup header: 0x202 + byte at 0x201 */
    size_t pm_offset;           /* file offset of the protected-mode kernel */
    size_t pm_size;             /* its size */
} linux_x86_image;

/* The CPU state for the 64-bit entry (boot.rst "64-bit Boot Protocol"): long mode,
 * paging on with cr3, the GDT loaded, CS = LX86_BOOT_CS and DS/ES/SS = LX86_BOOT_DS (both
 * flat 4 GiB), interrupts off, RSI = zero page. The board sets CR0.PE|PG, CR4.PAE,
 * EFER.LME|LMA itself. */
typedef struct linux_x86_boot {
    gpa_t entry;                /* RIP: kernel load address + 0x200 */
    gpa_t rsi;                  /* struct boot_params */
    gpa_t cr3;                  /* PML4 */
    gpa_t gdt_base;
    uint16_t gdt_limit;
    gpa_t kernel_low, kernel_high;   /* [load address, + max(init_size, image)) */
    gpa_t initrd_low, initrd_high;   /* empty when there is no initrd */
    gpa_t cmdline;
    uint64_t mapped;                 /* bytes identity-mapped from 0 */
    uint16_t version;
} linux_x86_boot;

/* Parse and check the setup header: "HdrS", protocol ≥ 2.12 (the version found is named
 * otherwise), LOADED_HIGH (a bzImage), XLF_KERNEL_64, a protected-mode kernel present
 * after the setup sectors. Errors name the file. */
bool linux_x86_parse(const file_buf *f, linux_x86_image *out, vm_error *err);

/* Load for the 64-bit entry. `map` is the guest's memory map (E820_RAM ranges are the
 * only places written; it is handed to the kernel with the loader's page tables and GDT
 * carved out as reserved). The kernel goes to pref_address when [pref, pref + init_size)
 * is usable RAM, otherwise (relocatable kernels only) to the lowest kernel_alignment-
 * aligned usable address at or above 16 MiB. The initrd (may be NULL) goes page-aligned
 * as high as possible below initrd_addr_max + 1, or anywhere in RAM with
 * XLF_CAN_BE_LOADED_ABOVE_4G (the ext_ramdisk_* fields then carry the high halves). The
 * identity map covers max(4 GiB, top of RAM) with 2 MiB pages, capped at 96 GiB.
 * `cmdline` NULL means empty; longer than cmdline_size is an error. */
bool linux_x86_load(bus *b, const file_buf *kernel, const file_buf *initrd, const char *cmdline,
                    const e820_entry *map, size_t nmap, linux_x86_boot *out, vm_error *err);

/* Tell the kernel where the ACPI RSDP is (boot_params.acpi_rsdp_addr, zero-page.rst
 * offset 0x070), for a board whose tables are not where the kernel's legacy scan looks
 * (the EBDA's first KiB and 0xE0000-0xFFFFF, ACPI 6.5 §5.2.5.1). Call after
 * linux_x86_load; kernels that predate the field ignore it. */
bool linux_x86_set_acpi_rsdp(bus *b, const linux_x86_boot *boot, gpa_t rsdp, vm_error *err);

#endif
