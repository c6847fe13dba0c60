/* Smallest end-to-end check: UART output and a clean finisher exit. */
#include "test.h"

    .text
    .globl main
main:
    addi    sp, sp, -16
    sd      ra, 8(sp)
    PRINT("Hello from RISC-V guest\n")
    ld      ra, 8(sp)
    addi    sp, sp, 16
    li      a0, 0
    ret
