/* Bare-metal platform for mix.c on QEMU's virt board and vm's (`-bios none`): M-mode,
   output on the 16550 UART at 0x1000_0000, exit through the SiFive test finisher. */
#include <stdint.h>
#include <stddef.h>

#define UART_THR ((volatile uint8_t *)0x10000000)
#define UART_LSR ((volatile uint8_t *)0x10000005)
#define FINISHER ((volatile uint32_t *)0x100000)

int bench_main(void);

__asm__(
    ".section .text.init, \"ax\"\n"
    ".globl _start\n"
    "_start:\n"
    "    la sp, __stack_top\n"
    "    la t0, __bss_start\n"
    "    la t1, __bss_end\n"
    "1:  bgeu t0, t1, 2f\n"
    "    sd zero, 0(t0)\n"
    "    addi t0, t0, 8\n"
    "    j 1b\n"
    "2:  call metal_main\n"
    "3:  wfi\n"
    "    j 3b\n"
    ".text\n");

void plat_write(const char *s, size_t n)
{
    while (n--) {
        while (!(*UART_LSR & 0x20)) {}   /* LSR.THRE */
        *UART_THR = (uint8_t)*s++;
    }
}

void metal_main(void)
{
    int st = bench_main();
    *FINISHER = st ? 0x3333u | ((uint32_t)st << 16) : 0x5555u;
}
