/* Bare-metal x86_64 platform for mix.c (entered from x86_entry.S in long mode): output
   on COM1 (16550 at I/O port 0x3F8), exit through QEMU's isa-debug-exit at port 0xF4
   (status = value * 2 + 1, so success is 1). */
#include <stdint.h>
#include <stddef.h>

#define COM1 0x3f8
#define DEBUG_EXIT 0xf4

int bench_main(void);

static inline void outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

void plat_write(const char *s, size_t n)
{
    while (n--) {
        while (!(inb(COM1 + 5) & 0x20)) {}   /* LSR.THRE */
        outb(COM1, (uint8_t)*s++);
    }
}

void metal_main(void)
{
    outb(DEBUG_EXIT, (uint8_t)bench_main());
}
