/* A C program exercising what compiled code leans on: 64-bit and 128-bit integer math,
   atomics (AMOs and LR/SC loops from __atomic builtins), float and double arithmetic and
   conversions, compressed code. Prints a deterministic report; mixed.expected is QEMU's
   output, and our emulator must print exactly the same bytes. */
#include <stdint.h>
#include "print.h"

const char test_name[] = "mixed";

static void line(const char *label, uint64_t v)
{
    print_str(label);
    print_str(" = ");
    print_hex(v);
    putchar('\n');
}

static void line_dec(const char *label, int64_t v)
{
    print_str(label);
    print_str(" = ");
    print_dec(v);
    putchar('\n');
}

/* Fixed-point decimal with `digits` fraction digits, rounded half up; values too large
   for that get a mantissa in [1, 10) and an exponent. Deterministic, so output is comparable. */
static void print_fixed(double x, int digits)
{
    union { double d; uint64_t u; } b = { .d = x };
    if (x != x) {
        print_str("nan");
        return;
    }
    if (b.u >> 63) {
        putchar('-');
        x = -x;
    }
    if (x != 0 && x == x * 2) {
        print_str("inf");
        return;
    }
    int exp10 = 0;
    if (x >= 1e15) {                /* scientific: mantissa in [1, 10) */
        while (x >= 10) {
            x /= 10;
            exp10++;
        }
    }
    uint64_t scale = 1;
    for (int i = 0; i < digits; i++)
        scale *= 10;
    uint64_t v = (uint64_t)(x * (double)scale + 0.5);
    print_udec(v / scale);
    if (digits) {
        putchar('.');
        uint64_t frac = v % scale;
        for (uint64_t d = scale / 10; d; d /= 10) {
            putchar((int)('0' + frac / d));
            frac %= d;
        }
    }
    if (exp10) {
        print_str("e+");
        print_udec((uint64_t)exp10);
    }
}

static void line_double(const char *label, double x, int digits)
{
    union { double d; uint64_t u; } b = { .d = x };
    print_str(label);
    print_str(" = ");
    print_fixed(x, digits);
    print_str(" (");
    print_hex(b.u);
    print_str(")\n");
}

static void line_float(const char *label, float x, int digits)
{
    union { float f; uint32_t u; } b = { .f = x };
    print_str(label);
    print_str(" = ");
    print_fixed(x, digits);
    print_str(" (");
    print_hex32(b.u);
    print_str(")\n");
}

/* ---- integers ---- */

static uint32_t crc32(const char *s)
{
    uint32_t crc = 0xffffffff;
    while (*s) {
        crc ^= (uint8_t)*s++;
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }
    return ~crc;
}

static uint64_t fib(unsigned n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static unsigned count_primes(unsigned limit)
{
    static uint8_t composite[10000];
    unsigned count = 0;
    for (unsigned i = 2; i < limit; i++) {
        if (composite[i])
            continue;
        count++;
        for (unsigned j = i * i; j < limit; j += i)
            composite[j] = 1;
    }
    return count;
}

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* volatile operands keep the compiler from folding the interesting cases */
static volatile int64_t v_neg = -7, v_pos = 2, v_min = INT64_MIN, v_m1 = -1, v_zero = 0;
static volatile uint64_t v_big = 0xfedcba9876543210ULL, v_big2 = 0x123456789abcdef1ULL;
static volatile int32_t v_w = INT32_MIN;

static void integers(void)
{
    puts("[integers]");
    line("crc32(pangram)", crc32("The quick brown fox jumps over the lazy dog"));
    line_dec("fib(25)", (int64_t)fib(25));
    line_dec("primes below 10000", count_primes(10000));

    uint64_t s = 88172645463325252ULL, acc = 0;
    for (int i = 0; i < 1000; i++)
        acc += xorshift(&s) % 1000003;
    line("xorshift sum", acc);

    line_dec("-7 / 2", v_neg / v_pos);
    line_dec("-7 % 2", v_neg % v_pos);
    line("big * big2", v_big * v_big2);
    line("big / big2", v_big / v_big2);
    line("big % big2", v_big % v_big2);
    line("INT64_MIN / -1", (uint64_t)(v_min / v_m1 + 0)); /* hardware result, no trap */
    line("INT32_MIN >> 31", (uint64_t)(int64_t)(v_w >> 31));

    unsigned __int128 p = (unsigned __int128)v_big * v_big2;
    line("mulhu(big, big2)", (uint64_t)(p >> 64));
    __int128 q = (__int128)(int64_t)v_big * (int64_t)v_big2;
    line("mulh(big, big2)", (uint64_t)((unsigned __int128)q >> 64));
    line("u128 / 1000000007", (uint64_t)(p / 1000000007u));

    uint64_t bits = v_big, pop = 0;
    while (bits) {
        bits &= bits - 1;
        pop++;
    }
    line_dec("popcount(big)", (int64_t)pop);
    (void)v_zero;
}

/* ---- atomics ---- */

static int64_t a64;
static int32_t a32;

static int32_t atomic_max32(int32_t *p, int32_t v)
{
    int32_t old = __atomic_load_n(p, __ATOMIC_RELAXED);
    while (old < v && !__atomic_compare_exchange_n(p, &old, v, 0, __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
        ;
    return old;
}

static void atomics(void)
{
    puts("[atomics]");
    a64 = 40;
    int64_t old = __atomic_fetch_add(&a64, 2, __ATOMIC_SEQ_CST);
    line_dec("fetch_add old", old);
    line_dec("fetch_add new", a64);
    old = __atomic_exchange_n(&a64, -5, __ATOMIC_ACQUIRE);
    line_dec("exchange old", old);
    __atomic_fetch_and(&a64, 0xff, __ATOMIC_RELEASE);
    line("fetch_and", (uint64_t)a64);
    __atomic_fetch_or(&a64, 0x100000000LL, __ATOMIC_RELAXED);
    __atomic_fetch_xor(&a64, 0x3, __ATOMIC_RELAXED);
    line("fetch_or/xor", (uint64_t)a64);
    int64_t expect = 1;
    int ok = __atomic_compare_exchange_n(&a64, &expect, 9, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    line_dec("cas (fails)", ok);
    line("cas observed", (uint64_t)expect);
    ok = __atomic_compare_exchange_n(&a64, &expect, 9, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    line_dec("cas (succeeds)", ok);
    line_dec("after cas", a64);

    a32 = 0x7ffffff0;
    int32_t o32 = __atomic_add_fetch(&a32, 0x20, __ATOMIC_SEQ_CST);
    line_dec("add_fetch32 wraps", o32);
    atomic_max32(&a32, -3);
    line_dec("max32(-3)", a32);
    atomic_max32(&a32, 12345);
    line_dec("max32(12345)", a32);
    __atomic_store_n(&a32, -1, __ATOMIC_SEQ_CST);
    line_dec("sub_fetch32", __atomic_sub_fetch(&a32, 1, __ATOMIC_SEQ_CST));
}

/* ---- floating point ---- */

static volatile double vd_two = 2.0, vd_three = 3.0, vd_tiny = 1e-310, vd_huge = 1.5e308;
static volatile float vf_three = 3.0f, vf_big = 3.0e38f;

static double sqrt_d(double x)
{
    double r;
    __asm__("fsqrt.d %0, %1" : "=f"(r) : "f"(x));
    return r;
}

static float sqrt_s(float x)
{
    float r;
    __asm__("fsqrt.s %0, %1" : "=f"(r) : "f"(x));
    return r;
}

static double exp_taylor(double x)
{
    double term = 1, sum = 1;
    for (int n = 1; n < 30; n++) {
        term *= x / n;
        sum += term;
    }
    return sum;
}

static void floats(void)
{
    puts("[floating point]");
    line_double("sqrt(2)", sqrt_d(vd_two), 15);
    line_double("1/3", 1.0 / vd_three, 15);
    line_double("exp(1) taylor", exp_taylor(1.0), 15);
    line_double("exp(-2.5) taylor", exp_taylor(-2.5), 15);

    double pi = 0;
    for (int k = 0; k < 100000; k++)
        pi += (k & 1 ? -4.0 : 4.0) / (2 * k + 1);
    line_double("leibniz pi (1e5 terms)", pi, 12);

    float fs = 0;
    for (int i = 1; i <= 1000; i++)
        fs += 1.0f / (float)i;
    line_float("harmonic(1000) float", fs, 6);
    line_float("sqrtf(3)", sqrt_s(vf_three), 7);
    line_float("3e38f * 3 (overflow)", vf_big * vf_three, 0);
    line_double("tiny / 3 (subnormal)", vd_tiny / vd_three, 3);
    line_double("huge * 2", vd_huge * vd_two, 0);
    line_double("huge / 3", vd_huge / vd_three, 6);
    line_double("(float)(1/3)", (double)(float)(1.0 / vd_three), 9);
    line_double("-0.0 * 3", -0.0 * vd_three, 1);

    /* conversions: truncation toward zero, saturation on out-of-range (RISC-V semantics) */
    volatile double big = 1e20, neg = -2.75;
    line_dec("(int64)-2.75", (int64_t)neg);
    line_dec("(int32)-2.75", (int32_t)neg);
    line("(uint64)1e20 saturates", (uint64_t)big);
    line_dec("(int64)1e20 saturates", (int64_t)big);
    line_double("(double)INT64_MIN", (double)v_min, 3);
    line_double("(double)UINT64 big", (double)v_big, 3);
    line_float("(float)0xfedcba98...", (float)v_big, 3);

    /* fused multiply-add keeps the exact product */
    double a = 1.0 + 0x1p-30, fma_r;
    __asm__("fmadd.d %0, %1, %2, %3" : "=f"(fma_r) : "f"(a), "f"(a), "f"(-(1.0 + 0x1p-29)));
    line_double("fma(a,a,-(1+2^-29))", fma_r * 0x1p60, 1);

    unsigned fflags;
    __asm__ volatile("frflags %0" : "=r"(fflags));
    line("fflags accumulated", fflags);
}

/* ---- control flow: a tiny bytecode interpreter through a function-pointer table ---- */

typedef int64_t (*op_fn)(int64_t, int64_t);
static int64_t op_add(int64_t a, int64_t b) { return a + b; }
static int64_t op_mul(int64_t a, int64_t b) { return a * b; }
static int64_t op_sub(int64_t a, int64_t b) { return a - b; }
static int64_t op_div(int64_t a, int64_t b) { return b ? a / b : -1; }

static void interpreter(void)
{
    static const op_fn ops[] = { op_add, op_mul, op_sub, op_div };
    static const struct { uint8_t op; int8_t arg; } prog[] = {
        {0, 5}, {1, 7}, {2, 100}, {1, -3}, {3, 4}, {0, 127}, {1, 11}, {3, 0},
    };
    int64_t acc = 1;
    for (unsigned pc = 0; pc < sizeof prog / sizeof prog[0]; pc++) {
        acc = ops[prog[pc].op](acc, prog[pc].arg);
        switch (prog[pc].op) {
        case 0: putchar('+'); break;
        case 1: putchar('*'); break;
        case 2: putchar('-'); break;
        default: putchar('/'); break;
        }
    }
    putchar('\n');
    line_dec("interpreter result", acc);
}

int main(void)
{
    puts("mixed: RISC-V guest report");
    integers();
    atomics();
    floats();
    interpreter();
    puts("mixed: done");
    return 0;
}
