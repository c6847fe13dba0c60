/* Tiny libc for the guest tests: UART output and the finisher. Built freestanding. */
#include "print.h"

#define UART_BASE     0x10000000UL
#define UART_THR      0
#define UART_LSR      5
#define UART_LSR_THRE 0x20
#define FINISHER      0x100000UL
#define FINISHER_PASS 0x5555
#define FINISHER_FAIL 0x3333

int putchar(int c)
{
    volatile uint8_t *uart = (volatile uint8_t *)UART_BASE;
    while (!(uart[UART_LSR] & UART_LSR_THRE))
        ;
    uart[UART_THR] = (uint8_t)c;
    return c;
}

void print_str(const char *s)
{
    while (*s)
        putchar(*s++);
}

int puts(const char *s)
{
    print_str(s);
    putchar('\n');
    return 0;
}

static void print_hex_digits(uint64_t v, int digits)
{
    print_str("0x");
    for (int i = digits - 1; i >= 0; i--)
        putchar("0123456789abcdef"[(v >> (i * 4)) & 0xf]);
}

void print_hex(uint64_t v) { print_hex_digits(v, 16); }
void print_hex32(uint32_t v) { print_hex_digits(v, 8); }

void print_udec(uint64_t v)
{
    char buf[21];
    int i = 0;
    do {
        buf[i++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (i)
        putchar(buf[--i]);
}

void print_dec(int64_t v)
{
    if (v < 0) {
        putchar('-');
        print_udec(-(uint64_t)v);
    } else {
        print_udec((uint64_t)v);
    }
}

_Noreturn void exit(int status)
{
    volatile uint32_t *fin = (volatile uint32_t *)FINISHER;
    /* The finisher's code field is 16 bits but a host exit status is 8: clamp so a
       failure can never wrap around to 0. */
    unsigned code = (unsigned)status;
    if (code > 255)
        code = 255;
    *fin = code ? (FINISHER_FAIL | code << 16) : FINISHER_PASS;
    for (;;)
        __asm__ volatile("wfi");
}

_Noreturn void test_pass(const char *name, uint64_t checks)
{
    print_str(name);
    print_str(": ");
    print_udec(checks);
    print_str(" checks passed\n");
    exit(0);
}

_Noreturn void test_fail(uint64_t check)
{
    print_str("FAIL ");
    print_str(test_name);
    print_str(" check ");
    print_udec(check);
    putchar('\n');
    exit(check ? (int)(check > 255 ? 255 : check) : 255);
}

/* GCC may emit calls to these for aggregate copies even when freestanding. */
void *memset(void *d, int c, unsigned long n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, unsigned long n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

/* Called by crt0's default trap handler when no test armed it. */
_Noreturn void trap_unexpected(uint64_t cause, uint64_t epc, uint64_t tval, uint64_t check)
{
    print_str("FAIL ");
    print_str(test_name);
    print_str(" unexpected trap mcause=");
    print_hex(cause);
    print_str(" mepc=");
    print_hex(epc);
    print_str(" mtval=");
    print_hex(tval);
    print_str(" after check ");
    print_udec(check);
    putchar('\n');
    exit(check && check < 255 ? (int)check : 255);
}
