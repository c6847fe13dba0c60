/* The RISC-V "virt" board, laid out as QEMU's: CLINT, PLIC, 16550A, test finisher, RAM at
 * 0x8000_0000. The only place that knows this memory map. */
#ifndef VM_RISCV_VIRT_H
#define VM_RISCV_VIRT_H

#include "core/machine.h"

#define VIRT_TEST_BASE   0x00100000ULL
#define VIRT_TEST_SIZE   0x1000ULL
#define VIRT_CLINT_BASE  0x02000000ULL
#define VIRT_CLINT_SIZE  0x10000ULL
#define VIRT_PLIC_BASE   0x0c000000ULL
#define VIRT_PLIC_SIZE   0x600000ULL
#define VIRT_UART0_BASE  0x10000000ULL
#define VIRT_UART0_SIZE  0x100ULL
#define VIRT_UART0_IRQ   10
#define VIRT_VIRTIO_BASE 0x10001000ULL /* 8 slots of 0x1000, irqs 1..8 (reserved) */
#define VIRT_DRAM_BASE   0x80000000ULL
#define VIRT_TIMEBASE_HZ 10000000ULL

#endif
