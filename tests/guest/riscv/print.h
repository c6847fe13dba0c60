/* Console output over the virt board's 16550A and exit through the SiFive test finisher,
   shared by every guest test (asm tests call these too). */
#ifndef GUEST_PRINT_H
#define GUEST_PRINT_H

#include <stdint.h>

extern const char test_name[];

int putchar(int c);
void print_str(const char *s);
int puts(const char *s);            /* appends '\n', like the C library's */
void print_hex(uint64_t v);         /* 0x + 16 digits */
void print_hex32(uint32_t v);       /* 0x + 8 digits */
void print_dec(int64_t v);
void print_udec(uint64_t v);
_Noreturn void exit(int status);
_Noreturn void test_pass(const char *name, uint64_t checks);
_Noreturn void test_fail(uint64_t check);
_Noreturn void trap_unexpected(uint64_t cause, uint64_t epc, uint64_t tval, uint64_t check);

void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);

#endif
