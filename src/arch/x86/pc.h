/* The x86 PC board ("pc"): RAM below 640 KiB and from 1 MiB up to the PCI hole, the rest
 * above 4 GiB; a firmware ROM ending at 4 GiB whose last 128 KiB also appear below 1 MiB;
 * COM1 (16550A) at I/O port 0x3F8 and QEMU's isa-debug-exit at 0xF4. Boots a firmware
 * image at the reset vector or a Multiboot kernel in 32-bit protected mode. The only
 * place that knows this map. */
#ifndef VM_X86_PC_H
#define VM_X86_PC_H

#include "core/types.h"

#define PC_LOW_RAM_END    0xa0000ULL      /* conventional memory: 640 KiB */
#define PC_BIOS_ALIAS     0xe0000ULL      /* the ROM's last 128 KiB below 1 MiB */
#define PC_BIOS_ALIAS_SIZE 0x20000ULL
#define PC_HIGH_RAM_BASE  0x100000ULL     /* extended memory from 1 MiB */
#define PC_PCI_HOLE       0xc0000000ULL   /* RAM below 4 GiB ends here at most */
#define PC_4G             0x100000000ULL
#define PC_ROM_MAX        (16 * MiB)      /* largest firmware image (a flash chip's size) */
#define PC_COM1_PORT      0x3f8u
#define PC_COM1_IRQ       4u

#endif
