/* Linux user platform for mix.c: a static executable without libc. _start sets gp (the
   default linker script defines __global_pointer$ and relaxes accesses against it), then
   write(2) = syscall 64 and exit(2) = syscall 93, through ecall. */
#include <stddef.h>

int bench_main(void);

__asm__(
    ".text\n"
    ".globl _start\n"
    "_start:\n"
    "    .option push\n"
    "    .option norelax\n"
    "    la gp, __global_pointer$\n"
    "    .option pop\n"
    "    andi sp, sp, -16\n"
    "    call linux_main\n");

static long sys3(long nr, long a0, long a1, long a2)
{
    register long r_a0 __asm__("a0") = a0;
    register long r_a1 __asm__("a1") = a1;
    register long r_a2 __asm__("a2") = a2;
    register long r_a7 __asm__("a7") = nr;
    __asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a2), "r"(r_a7) : "memory");
    return r_a0;
}

void plat_write(const char *s, size_t n)
{
    while (n) {
        long w = sys3(64, 1, (long)s, (long)n);
        if (w <= 0) return;
        s += w;
        n -= (size_t)w;
    }
}

void linux_main(void)
{
    int st = bench_main();
    for (;;) sys3(93, st, 0, 0);
}
