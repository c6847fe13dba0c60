/* The smallest guest: stop through the SiFive test finisher at once. Its total run time
   bounds the emulator's start-up (process start to first guest instruction) plus exit. */
    .section .text.init, "ax"
    .globl _start
_start:
    li      t0, 0x100000
    li      t1, 0x5555
    sw      t1, 0(t0)
1:  j       1b
