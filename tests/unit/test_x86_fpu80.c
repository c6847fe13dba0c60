/* Unit tests for the x87 model (src/arch/x86/fpu80.c): exact values for edge cases
 * (zeros, denormals and pseudo-denormals, unsupported encodings, NaN rules, precision
 * control, halfway cases, FPREM quotient bits, BCD), then on an x86_64 host a comparison
 * against the host's x87: hundreds of thousands of random and edge operands per
 * instruction under every precision and rounding control (exceptions masked), comparing
 * the result bits, the exception flags and the condition codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/fpu80.h"
#include "check.h"

#define F(se, m) ((fx80){ (m), (se) })
#define ONE F(0x3fff, 0x8000000000000000ULL)
#define TWO F(0x4000, 0x8000000000000000ULL)
#define CW(pc, rc) ((uint16_t)(0x037f & ~0x0f00) | (uint16_t)((pc) << 8) | (uint16_t)((rc) << 10))

static bool same(fx80 a, fx80 b)
{
    return a.mant == b.mant && a.sign_exp == b.sign_exp;
}

static void exact_values(void)
{
    fx80_env e = { .cw = FX80_CW_DEFAULT };
    fx80 r;

    r = fx80_add(ONE, ONE, &e);
    CHECK(same(r, TWO) && e.status == 0, "1+1");
    /* 1 + 2^-64 is a tie: even in 64-bit precision, up with RC=up. */
    fx80 tiny = F(0x3fff - 64, 0x8000000000000000ULL);
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    r = fx80_add(ONE, tiny, &e);
    CHECK(same(r, ONE) && e.status == X86_FE_PE, "tie to even, PE, C1 clear");
    e = (fx80_env){ .cw = CW(3, X86_RC_UP) };
    r = fx80_add(ONE, tiny, &e);
    CHECK(same(r, F(0x3fff, 0x8000000000000001ULL)) && e.status == (X86_FE_PE | FX80_C1),
          "round up sets C1");
    /* Precision control 24 bits: 1 + 2^-24 is a tie at single precision. */
    e = (fx80_env){ .cw = CW(0, X86_RC_NEAREST) };
    r = fx80_add(ONE, F(0x3fff - 24, 0x8000000000000000ULL), &e);
    CHECK(same(r, ONE), "PC=24 tie to even");
    e = (fx80_env){ .cw = CW(2, X86_RC_UP) };
    r = fx80_add(ONE, F(0x3fff - 60, 0x8000000000000000ULL), &e);
    CHECK(same(r, F(0x3fff, 0x8000000000000800ULL)), "PC=53 round up");
    /* The exponent range stays extended under PC=24. */
    e = (fx80_env){ .cw = CW(0, X86_RC_NEAREST) };
    r = fx80_mul(F(0x7000, 0x8000000000000000ULL), F(0x7000, 0x8000000000000000ULL), &e);
    CHECK(r.sign_exp == 0x7fff && r.mant == 1ULL << 63 && (e.status & X86_FE_OE),
          "overflow to inf");
    e = (fx80_env){ .cw = CW(0, X86_RC_NEAREST) };
    r = fx80_mul(F(0x4400, 0x8000000000000000ULL), F(0x4400, 0x8000000000000000ULL), &e);
    CHECK(r.sign_exp == 0x4801 && e.status == 0, "PC=24 keeps the extended range");

    /* NaN rules: QNaN beats SNaN, larger significand between equals, indefinite. */
    fx80 snan = F(0x7fff, 0x8000000000000001ULL), qnan = F(0x7fff, 0xc000000000000002ULL);
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    r = fx80_add(snan, qnan, &e);
    CHECK(same(r, qnan) && e.status == X86_FE_IE, "SNaN+QNaN -> the QNaN, IE");
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    r = fx80_mul(F(0x7fff, 0xc000000000000001ULL), qnan, &e);
    CHECK(same(r, qnan) && e.status == 0, "two QNaNs: the larger significand");
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    r = fx80_sub(F(0x7fff, 1ULL << 63), F(0x7fff, 1ULL << 63), &e);
    CHECK(same(r, FX80_INDEFINITE) && e.status == X86_FE_IE, "inf-inf = indefinite");
    /* Unsupported encodings: unnormal, pseudo-infinity. */
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    r = fx80_add(F(0x3fff, 0x4000000000000000ULL), ONE, &e);
    CHECK(same(r, FX80_INDEFINITE) && e.status == X86_FE_IE, "unnormal is invalid");
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    r = fx80_add(F(0x7fff, 0), ONE, &e);
    CHECK(same(r, FX80_INDEFINITE) && e.status == X86_FE_IE, "pseudo-infinity is invalid");
    /* Pseudo-denormal: accepted, DE, value of the exponent-1 encoding. */
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    r = fx80_add(F(0, 0x8000000000000000ULL), F(0, 0), &e);
    CHECK(same(r, F(1, 0x8000000000000000ULL)) && e.status == X86_FE_DE,
          "pseudo-denormal + 0");
    /* Denormal results: masked underflow, and the wrapped exponent when unmasked. */
    fx80 min_norm = F(1, 0x8000000000000000ULL);
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    r = fx80_div(min_norm, TWO, &e);
    CHECK(same(r, F(0, 0x4000000000000000ULL)) && e.status == 0, "exact denormal result");
    e = (fx80_env){ .cw = FX80_CW_DEFAULT & ~X86_FE_UE };
    r = fx80_div(min_norm, TWO, &e);
    CHECK(same(r, F(24576, 0x8000000000000000ULL)) && e.status == X86_FE_UE,
          "unmasked underflow wraps the exponent");
    e = (fx80_env){ .cw = FX80_CW_DEFAULT & ~X86_FE_OE };
    r = fx80_mul(F(0x7ffe, 0x8000000000000000ULL), TWO, &e);
    CHECK(same(r, F(0x7fff - 24576, 0x8000000000000000ULL)) && e.status == X86_FE_OE,
          "unmasked overflow wraps the exponent");
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    r = fx80_div(ONE, F(0x8000, 0), &e);
    CHECK(same(r, F(0xffff, 1ULL << 63)) && e.status == X86_FE_ZE, "1/-0");
    CHECK(!fx80_unmasked_no_write(&e), "masked ZE writes");
    e.cw &= ~X86_FE_ZE;
    CHECK(fx80_unmasked_no_write(&e), "unmasked ZE does not write");

    /* FPREM / FPREM1 quotient bits. 7 rem 2: q = 3 (C3 C1), r = 1; FPREM1: q = 4, r = -1. */
    fx80 seven = fx80_from_int(7);
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    r = fx80_prem(seven, TWO, false, &e);
    CHECK(same(r, ONE) && (e.status & (FX80_C0 | FX80_C1 | FX80_C2 | FX80_C3)) ==
                              (FX80_C3 | FX80_C1), "fprem 7,2");
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    r = fx80_prem(seven, TWO, true, &e);
    CHECK(same(r, F(0xbfff, 1ULL << 63)) && (e.status & (FX80_C0 | FX80_C1 | FX80_C2 |
                                                          FX80_C3)) == FX80_C0, "fprem1 7,2");
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    fx80_prem(F(0x3fff + 100, 0xc000000000000000ULL), seven, false, &e);
    CHECK(e.status & FX80_C2, "fprem partial sets C2");

    /* Compares and FXAM. */
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    CHECK_EQ(fx80_compare(ONE, TWO, false, &e), FX80_C0, "1 < 2");
    CHECK_EQ(fx80_compare(F(0, 0), F(0x8000, 0), false, &e), FX80_C3, "+0 == -0");
    CHECK_EQ(fx80_compare(qnan, ONE, true, &e), FX80_C0 | FX80_C2 | FX80_C3, "unordered");
    CHECK_EQ(e.status, 0, "fucom QNaN quiet");
    fx80_compare(qnan, ONE, false, &e);
    CHECK_EQ(e.status, X86_FE_IE, "fcom QNaN IE");
    CHECK_EQ(fx80_comi(TWO, ONE, false, &e), 0, "fcomi greater");
    CHECK_EQ(fx80_examine(F(0x8000, 0)), FX80_C3 | FX80_C1, "fxam -0");
    CHECK_EQ(fx80_examine(F(0, 1)), FX80_C3 | FX80_C2, "fxam denormal");
    CHECK_EQ(fx80_examine(F(0x3fff, 1)), 0, "fxam unnormal = unsupported");
    CHECK_EQ(fx80_examine(qnan), FX80_C0, "fxam NaN");
    CHECK_EQ(fx80_examine(F(0x7fff, 1ULL << 63)), FX80_C2 | FX80_C0, "fxam inf");

    /* Conversions. */
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    r = fx80_from_f32(0x7f800001, &e);
    CHECK(same(r, F(0x7fff, 0xc000010000000000ULL)) && e.status == X86_FE_IE,
          "fld m32 SNaN");
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    r = fx80_from_f64(1, &e);
    CHECK(same(r, F(0x3fff - 1074, 1ULL << 63)) && e.status == X86_FE_DE,
          "fld m64 denormal is normalised");
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    CHECK_EQ(fx80_to_f32(F(0x3fff - 150, 1ULL << 63), &e), 0, "2^-150 -> 0 (tie to even)");
    CHECK_EQ(e.status, X86_FE_UE | X86_FE_PE, "UE PE");
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    CHECK_EQ(fx80_to_f64(F(0x7fff, 0xc000000000000800ULL), &e), 0x7ff8000000000001ULL,
             "fst m64 NaN payload");
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    CHECK_EQ(fx80_to_int(fx80_from_int(40000), 16, false, &e), 0x8000, "int16 overflow");
    CHECK_EQ(e.status, X86_FE_IE, "int16 overflow IE");
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    CHECK_EQ(fx80_to_int(F(0xbfff, 0xc000000000000000ULL), 32, true, &e), 0xffffffff,
             "fisttp -1.5 = -1");
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    CHECK_EQ(fx80_to_int(F(0xbfff, 0xc000000000000000ULL), 32, false, &e), 0xfffffffe,
             "fist -1.5 = -2");
    uint8_t bcd[10];
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    fx80_to_bcd(fx80_from_int(-1234567890123456789LL / 10), bcd, &e);
    CHECK(bcd[0] == 0x78 && bcd[1] == 0x56 && bcd[8] == 0x12 && bcd[9] == 0x80,
          "fbstp digits and sign");
    CHECK(same(fx80_from_bcd(bcd), fx80_from_int(-123456789012345678LL)), "fbld");
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    fx80_to_bcd(fx80_from_int(1000000000000000000LL), bcd, &e);
    CHECK(bcd[9] == 0xff && bcd[8] == 0xff && bcd[7] == 0xc0 && e.status == X86_FE_IE,
          "fbstp out of range: BCD indefinite");
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    fx80 ex, sg = fx80_xtract(F(0x4005, 0xa000000000000000ULL), &ex, &e);
    CHECK(same(sg, F(0x3fff, 0xa000000000000000ULL)) && same(ex, fx80_from_int(6)),
          "fxtract 80");
    e = (fx80_env){ .cw = FX80_CW_DEFAULT };
    r = fx80_scale(ONE, F(0xc000, 0xe000000000000000ULL), &e); /* 2^trunc(-3.5) */
    CHECK(same(r, F(0x3ffc, 1ULL << 63)), "fscale truncates the scale");
    e = (fx80_env){ .cw = CW(3, X86_RC_NEAREST) };
    CHECK(same(fx80_const(3, &e), F(0x4000, 0xc90fdaa22168c235ULL)), "fldpi nearest");
    e = (fx80_env){ .cw = CW(3, X86_RC_DOWN) };
    CHECK(same(fx80_const(3, &e), F(0x4000, 0xc90fdaa22168c234ULL)), "fldpi down");
}

#if defined(__x86_64__)

static uint64_t rng_state = 0x2545f4914f6cdd1dULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Operands biased to the edges of the 80-bit format. */
static fx80 operand(void)
{
    uint64_t r = rnd(), m;
    unsigned e;
    switch ((r >> 1) & 7) {
    case 0: m = 1ULL << 63; break;
    case 1: m = ~0ULL; break;
    case 2: m = rnd() & (~0ULL << ((r >> 8) % 64)); break;
    case 3: m = ~0ULL >> ((r >> 8) % 64); break;
    case 4: m = (1ULL << 63) | 1ULL << ((r >> 8) % 64); break;
    default: m = rnd(); break;
    }
    if ((r >> 14) % 16 != 0)
        m |= 1ULL << 63; /* mostly valid encodings; sometimes unnormals */
    switch ((r >> 4) & 15) {
    case 0: e = 0; break;
    case 1: e = 0x7fff; break;
    case 2: e = 1 + ((r >> 16) & 3); break;
    case 3: e = 0x7ffe - ((r >> 16) & 3); break;
    case 4: case 5: e = 0x3fff - 4 + ((r >> 16) & 7); break;
    case 6: e = 0x1fff + ((r >> 16) & 7); break;
    case 7: e = 0x5fff - ((r >> 16) & 7); break;
    case 8: e = 0x3fff - 64 + ((r >> 16) & 127); break;
    case 9: e = 0x3fff + ((r >> 16) % 80); break; /* FPREM partial remainders */
    default: e = (unsigned)((r >> 20) % 0x8000); break;
    }
    return (fx80){ m, (uint16_t)(e | (r & 1 ? 0x8000 : 0)) };
}

static fx80 operand2(fx80 a)
{
    uint64_t r = rnd();
    switch (r & 3) {
    case 0: a.mant ^= (r >> 40) & 0xff; return a;
    case 1: a.sign_exp ^= 0x8000 | ((r >> 40) & 3); return a;
    default: return operand();
    }
}

static uint16_t random_cw(void)
{
    static const unsigned pcs[3] = { 0, 2, 3 };
    uint64_t r = rnd();
    return CW(pcs[r % 3], (r >> 8) & 3);
}

typedef struct x87_out {
    fx80 r, r2;
    unsigned sw;
} x87_out;

static void to_bytes(unsigned char b[10], fx80 v)
{
    memcpy(b, &v.mant, 8);
    memcpy(b + 8, &v.sign_exp, 2);
}

static fx80 from_bytes(const unsigned char b[10])
{
    fx80 v;
    memcpy(&v.mant, b, 8);
    memcpy(&v.sign_exp, b + 8, 2);
    return v;
}

/* ST0 = a, ST1 = b; one instruction; the status word; then up to two results popped. */
#define HOST2(name, insn, results)                                                        \
    static x87_out name(fx80 a, fx80 b, uint16_t cw)                                      \
    {                                                                                     \
        unsigned char ba[10], bb[10], r1[10] = { 0 }, r2[10] = { 0 };                     \
        uint16_t sw;                                                                      \
        to_bytes(ba, a);                                                                  \
        to_bytes(bb, b);                                                                  \
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" insn "\n\t" \
                         "fnstsw %[sw]\n\t"                                               \
                         results "\n\tfninit"                                             \
                         : [sw] "=m"(sw), [r1] "=m"(r1), [r2] "=m"(r2)                    \
                         : [a] "m"(ba), [b] "m"(bb), [cw] "m"(cw));                       \
        return (x87_out){ from_bytes(r1), from_bytes(r2), sw };                           \
    }
#define POP2 "fstpt %[r1]\n\tfstpt %[r2]"
#define POP1 "fstpt %[r1]"
HOST2(h_fadd, "fadd %%st(1), %%st", POP2)
HOST2(h_fsub, "fsub %%st(1), %%st", POP2)
HOST2(h_fmul, "fmul %%st(1), %%st", POP2)
HOST2(h_fdiv, "fdiv %%st(1), %%st", POP2)
HOST2(h_fsqrt, "fsqrt", POP2)
HOST2(h_frndint, "frndint", POP2)
HOST2(h_fscale, "fscale", POP2)
HOST2(h_fprem, "fprem", POP2)
HOST2(h_fprem1, "fprem1", POP2)
HOST2(h_fxtract, "fxtract", POP2)
HOST2(h_fcom, "fcom %%st(1)", POP2)
HOST2(h_fucom, "fucom %%st(1)", POP2)
HOST2(h_fxam, "fxam", POP2)

static fx80_env env_of(uint16_t cw)
{
    return (fx80_env){ .cw = cw };
}

static x87_out m_fadd(fx80 a, fx80 b, uint16_t cw) { fx80_env e = env_of(cw); fx80 r = fx80_add(a, b, &e); return (x87_out){ r, b, e.status }; }
static x87_out m_fsub(fx80 a, fx80 b, uint16_t cw) { fx80_env e = env_of(cw); fx80 r = fx80_sub(a, b, &e); return (x87_out){ r, b, e.status }; }
static x87_out m_fmul(fx80 a, fx80 b, uint16_t cw) { fx80_env e = env_of(cw); fx80 r = fx80_mul(a, b, &e); return (x87_out){ r, b, e.status }; }
static x87_out m_fdiv(fx80 a, fx80 b, uint16_t cw) { fx80_env e = env_of(cw); fx80 r = fx80_div(a, b, &e); return (x87_out){ r, b, e.status }; }
static x87_out m_fsqrt(fx80 a, fx80 b, uint16_t cw) { fx80_env e = env_of(cw); fx80 r = fx80_sqrt(a, &e); return (x87_out){ r, b, e.status }; }
static x87_out m_frndint(fx80 a, fx80 b, uint16_t cw) { fx80_env e = env_of(cw); fx80 r = fx80_rndint(a, &e); return (x87_out){ r, b, e.status }; }
static x87_out m_fscale(fx80 a, fx80 b, uint16_t cw) { fx80_env e = env_of(cw); fx80 r = fx80_scale(a, b, &e); return (x87_out){ r, b, e.status }; }
static x87_out m_fprem(fx80 a, fx80 b, uint16_t cw) { fx80_env e = env_of(cw); fx80 r = fx80_prem(a, b, false, &e); return (x87_out){ r, b, e.status }; }
static x87_out m_fprem1(fx80 a, fx80 b, uint16_t cw) { fx80_env e = env_of(cw); fx80 r = fx80_prem(a, b, true, &e); return (x87_out){ r, b, e.status }; }
static x87_out m_fcom(fx80 a, fx80 b, uint16_t cw) { fx80_env e = env_of(cw); unsigned c = fx80_compare(a, b, false, &e); return (x87_out){ a, b, e.status | c }; }
static x87_out m_fucom(fx80 a, fx80 b, uint16_t cw) { fx80_env e = env_of(cw); unsigned c = fx80_compare(a, b, true, &e); return (x87_out){ a, b, e.status | c }; }
static x87_out m_fxam(fx80 a, fx80 b, uint16_t cw) { (void)cw; return (x87_out){ a, b, fx80_examine(a) }; }
static x87_out m_fxtract(fx80 a, fx80 b, uint16_t cw)
{
    fx80_env e = env_of(cw);
    fx80 ex, sg = fx80_xtract(a, &ex, &e);
    (void)b;
    return (x87_out){ sg, ex, e.status };
}

typedef x87_out (*x87_fn)(fx80, fx80, uint16_t);

/* Which status bits are compared: the six flags, plus the condition codes the
 * instruction defines. */
enum { SW_FLAGS = 0x3f, SW_C1 = 0x200, SW_CC = 0x4700 };

static void versus_host(const char *name, x87_fn host, x87_fn model, unsigned sw_mask,
                        bool check_r2, int n)
{
    int bad = 0;
    for (int i = 0; i < n; i++) {
        fx80 a = operand(), b = operand2(a);
        uint16_t cw = random_cw();
        x87_out h = host(a, b, cw), m = model(a, b, cw);
        unsigned mask = sw_mask;
        /* FPREM: C0 C1 C3 are only defined when the reduction completed. */
        if ((model == m_fprem || model == m_fprem1) && (h.sw & FX80_C2))
            mask &= ~(unsigned)(FX80_C0 | FX80_C1 | FX80_C3);
        bool ok = (h.sw & mask) == (m.sw & mask);
        if (model != m_fcom && model != m_fucom && model != m_fxam)
            ok = ok && same(h.r, m.r) && (!check_r2 || same(h.r2, m.r2));
        if (!ok && bad++ < 8)
            printf("#   %s a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64 " cw=%04x: host "
                   "%04x:%016" PRIx64 " (%04x:%016" PRIx64 ") sw %04x, model %04x:%016" PRIx64
                   " (%04x:%016" PRIx64 ") sw %04x\n",
                   name, a.sign_exp, a.mant, b.sign_exp, b.mant, cw, h.r.sign_exp, h.r.mant,
                   h.r2.sign_exp, h.r2.mant, h.sw & mask, m.r.sign_exp, m.r.mant,
                   m.r2.sign_exp, m.r2.mant, m.sw & mask);
    }
    char label[96];
    snprintf(label, sizeof label, "%s matches the host (%d cases, %d mismatches)", name, n,
             bad);
    CHECK(bad == 0, label);
}

/* Loads and stores through memory formats. */
static int store_kind;
static x87_out h_store(fx80 a, fx80 b, uint16_t cw)
{
    unsigned char ba[10];
    uint64_t out = 0;
    uint16_t sw;
    to_bytes(ba, a);
    (void)b;
#define STORE_ASM(insn)                                                                   \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\t" insn " %[o]\n\t"           \
                     "fnstsw %[sw]\n\tfninit"                                             \
                     : [sw] "=m"(sw), [o] "=m"(out)                                       \
                     : [a] "m"(ba), [cw] "m"(cw))
    switch (store_kind) {
    case 0: STORE_ASM("fstps"); break;
    case 1: STORE_ASM("fstpl"); break;
    case 2: STORE_ASM("fistps"); break;
    case 3: STORE_ASM("fistpl"); break;
    case 4: STORE_ASM("fistpll"); break;
    case 5: STORE_ASM("fisttps"); break;
    case 6: STORE_ASM("fisttpl"); break;
    default: STORE_ASM("fisttpll"); break;
    }
    return (x87_out){ { out, 0 }, { 0, 0 }, sw };
}

static x87_out m_store(fx80 a, fx80 b, uint16_t cw)
{
    fx80_env e = env_of(cw);
    uint64_t out;
    (void)b;
    switch (store_kind) {
    case 0: out = fx80_to_f32(a, &e); break;
    case 1: out = fx80_to_f64(a, &e); break;
    case 2: out = fx80_to_int(a, 16, false, &e); break;
    case 3: out = fx80_to_int(a, 32, false, &e); break;
    case 4: out = fx80_to_int(a, 64, false, &e); break;
    case 5: out = fx80_to_int(a, 16, true, &e); break;
    case 6: out = fx80_to_int(a, 32, true, &e); break;
    default: out = fx80_to_int(a, 64, true, &e); break;
    }
    return (x87_out){ { out, 0 }, { 0, 0 }, e.status };
}

static x87_out h_bcd(fx80 a, fx80 b, uint16_t cw)
{
    unsigned char ba[10], o[10];
    uint16_t sw;
    to_bytes(ba, a);
    (void)b;
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[a]\n\tfbstp %[o]\n\t"
                     "fnstsw %[sw]\n\tfninit"
                     : [sw] "=m"(sw), [o] "=m"(o)
                     : [a] "m"(ba), [cw] "m"(cw));
    return (x87_out){ from_bytes(o), { 0, 0 }, sw };
}

static x87_out m_bcd(fx80 a, fx80 b, uint16_t cw)
{
    fx80_env e = env_of(cw);
    unsigned char o[10];
    (void)b;
    fx80_to_bcd(a, o, &e);
    return (x87_out){ from_bytes(o), { 0, 0 }, e.status };
}

static x87_out h_load(fx80 a, fx80 b, uint16_t cw)
{
    unsigned char r[10];
    uint16_t sw;
    uint32_t f = (uint32_t)a.mant;
    uint64_t d = a.mant;
    (void)b;
    if (store_kind == 0)
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tflds %[f]\n\tfnstsw %[sw]\n\tfstpt %[r]"
                         "\n\tfninit"
                         : [sw] "=m"(sw), [r] "=m"(r) : [f] "m"(f), [cw] "m"(cw));
    else
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldl %[f]\n\tfnstsw %[sw]\n\tfstpt %[r]"
                         "\n\tfninit"
                         : [sw] "=m"(sw), [r] "=m"(r) : [f] "m"(d), [cw] "m"(cw));
    return (x87_out){ from_bytes(r), { 0, 0 }, sw };
}

static x87_out m_load(fx80 a, fx80 b, uint16_t cw)
{
    fx80_env e = env_of(cw);
    fx80 r = store_kind == 0 ? fx80_from_f32((uint32_t)a.mant, &e) : fx80_from_f64(a.mant, &e);
    (void)b;
    return (x87_out){ r, { 0, 0 }, e.status };
}

static x87_out h_const(fx80 a, fx80 b, uint16_t cw)
{
    unsigned char r[10];
    uint16_t sw;
    (void)a;
    (void)b;
#define CONST_ASM(insn)                                                                   \
    __asm__ volatile("fninit\n\tfldcw %[cw]\n\t" insn "\n\tfnstsw %[sw]\n\tfstpt %[r]"    \
                     "\n\tfninit" : [sw] "=m"(sw), [r] "=m"(r) : [cw] "m"(cw))
    switch (store_kind) {
    case 0: CONST_ASM("fld1"); break;
    case 1: CONST_ASM("fldl2t"); break;
    case 2: CONST_ASM("fldl2e"); break;
    case 3: CONST_ASM("fldpi"); break;
    case 4: CONST_ASM("fldlg2"); break;
    case 5: CONST_ASM("fldln2"); break;
    default: CONST_ASM("fldz"); break;
    }
    return (x87_out){ from_bytes(r), { 0, 0 }, sw };
}

static x87_out m_const(fx80 a, fx80 b, uint16_t cw)
{
    fx80_env e = env_of(cw);
    (void)a;
    (void)b;
    fx80 r = fx80_const((unsigned)store_kind, &e);
    return (x87_out){ r, { 0, 0 }, e.status };
}

/* A random 32/64-bit float pattern in the mantissa field for the load tests. */
static fx80 float_operand(void)
{
    fx80 a = operand();
    uint64_t r = rnd();
    if (store_kind == 0) {
        uint32_t e = (uint32_t)(r % 4 == 0 ? 0 : r % 4 == 1 ? 0xff : (r >> 8) & 0xff);
        a.mant = (a.mant & 0x807fffff) | (e << 23);
    } else {
        uint64_t e = r % 4 == 0 ? 0 : r % 4 == 1 ? 0x7ff : (r >> 8) & 0x7ff;
        a.mant = (a.mant & 0x800fffffffffffffULL) | (e << 52);
    }
    return a;
}

/* Unmasked exceptions: the instruction runs with random exception masks and the state is
 * taken with FNSAVE, which does not wait, so the pending #MF never fires. The model must
 * agree on the flags, ES, C1 and on ST(0): unchanged after an unmasked IE/DE/ZE, the
 * exponent-wrapped value after an unmasked OE/UE. */
#define HOSTU(name, insn)                                                                 \
    static x87_out name(fx80 a, fx80 b, uint16_t cw)                                      \
    {                                                                                     \
        unsigned char ba[10], bb[10], st[108];                                            \
        uint16_t sw;                                                                      \
        to_bytes(ba, a);                                                                  \
        to_bytes(bb, b);                                                                  \
        __asm__ volatile("fninit\n\tfldcw %[cw]\n\tfldt %[b]\n\tfldt %[a]\n\t" insn "\n\t" \
                         "fnsave %[st]\n\tfninit"                                          \
                         : [st] "=m"(st)                                                  \
                         : [a] "m"(ba), [b] "m"(bb), [cw] "m"(cw));                       \
        memcpy(&sw, st + 4, 2);                                                           \
        return (x87_out){ from_bytes(st + 28), from_bytes(st + 38), sw };                 \
    }
HOSTU(hu_fadd, "fadd %%st(1), %%st")
HOSTU(hu_fsub, "fsub %%st(1), %%st")
HOSTU(hu_fmul, "fmul %%st(1), %%st")
HOSTU(hu_fdiv, "fdiv %%st(1), %%st")
HOSTU(hu_fsqrt, "fsqrt")
HOSTU(hu_frndint, "frndint")
HOSTU(hu_fscale, "fscale")
HOSTU(hu_fprem, "fprem")

static void unmasked_comparison(void)
{
    static const struct { const char *name; x87_fn h, m; } cases[] = {
        { "fadd", hu_fadd, m_fadd }, { "fsub", hu_fsub, m_fsub }, { "fmul", hu_fmul, m_fmul },
        { "fdiv", hu_fdiv, m_fdiv }, { "fsqrt", hu_fsqrt, m_fsqrt },
        { "frndint", hu_frndint, m_frndint }, { "fscale", hu_fscale, m_fscale },
        { "fprem", hu_fprem, m_fprem },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int bad = 0, n = 50000;
        for (int i = 0; i < n; i++) {
            fx80 a = operand(), b = operand2(a);
            uint16_t cw = (uint16_t)(random_cw() & ~(rnd() & 0x3f));
            x87_out h = cases[c].h(a, b, cw), m = cases[c].m(a, b, cw);
            fx80_env e = { .cw = cw, .status = m.sw };
            unsigned es = m.sw & ~cw & X86_FE_ALL ? 0x80 : 0;
            fx80 want = fx80_unmasked_no_write(&e) ? a : m.r;
            unsigned mask = SW_FLAGS | 0x80 | ((cases[c].m == m_fprem) ? 0 : SW_C1);
            bool ok = (h.sw & mask) == ((m.sw | es) & mask) && same(h.r, want);
            if (!ok && bad++ < 6)
                printf("#   %s unmasked a=%04x:%016" PRIx64 " b=%04x:%016" PRIx64 " cw=%04x: "
                       "host %04x:%016" PRIx64 " sw %04x, model %04x:%016" PRIx64 " sw %04x\n",
                       cases[c].name, a.sign_exp, a.mant, b.sign_exp, b.mant, cw,
                       h.r.sign_exp, h.r.mant, h.sw & mask, want.sign_exp, want.mant,
                       (m.sw | es) & mask);
        }
        char label[96];
        snprintf(label, sizeof label, "%s with unmasked exceptions matches the host (%d "
                 "cases, %d mismatches)", cases[c].name, n, bad);
        CHECK(bad == 0, label);
    }
}

static void host_comparison(void)
{
    const int N = 200000;
    const unsigned ARITH = SW_FLAGS | SW_C1;
    versus_host("fadd", h_fadd, m_fadd, ARITH, false, N);
    versus_host("fsub", h_fsub, m_fsub, ARITH, false, N);
    versus_host("fmul", h_fmul, m_fmul, ARITH, false, N);
    versus_host("fdiv", h_fdiv, m_fdiv, ARITH, false, N);
    versus_host("fsqrt", h_fsqrt, m_fsqrt, ARITH, false, N);
    versus_host("frndint", h_frndint, m_frndint, ARITH, false, N);
    versus_host("fscale", h_fscale, m_fscale, ARITH, false, N);
    versus_host("fprem", h_fprem, m_fprem, SW_FLAGS | SW_CC, false, N);
    versus_host("fprem1", h_fprem1, m_fprem1, SW_FLAGS | SW_CC, false, N);
    versus_host("fxtract", h_fxtract, m_fxtract, SW_FLAGS, true, N);
    versus_host("fcom", h_fcom, m_fcom, SW_FLAGS | FX80_C0 | FX80_C2 | FX80_C3, false, N);
    versus_host("fucom", h_fucom, m_fucom, SW_FLAGS | FX80_C0 | FX80_C2 | FX80_C3, false, N);
    versus_host("fxam", h_fxam, m_fxam, SW_CC, false, N);
    static const char *stores[8] = { "fstp m32", "fstp m64", "fistp m16", "fistp m32",
                                     "fistp m64", "fisttp m16", "fisttp m32", "fisttp m64" };
    for (store_kind = 0; store_kind < 8; store_kind++)
        versus_host(stores[store_kind], h_store, m_store, ARITH,
                    false, N / 2);
    versus_host("fbstp", h_bcd, m_bcd, ARITH, false, N / 2);
    for (store_kind = 0; store_kind < 2; store_kind++) {
        int bad = 0;
        for (int i = 0; i < N / 2; i++) {
            fx80 a = float_operand();
            uint16_t cw = random_cw();
            x87_out h = h_load(a, a, cw), m = m_load(a, a, cw);
            if ((!same(h.r, m.r) || (h.sw & SW_FLAGS) != (m.sw & SW_FLAGS)) && bad++ < 8)
                printf("#   fld m%d %016" PRIx64 ": host %04x:%016" PRIx64 " sw %x, model "
                       "%04x:%016" PRIx64 " sw %x\n", store_kind ? 64 : 32, a.mant,
                       h.r.sign_exp, h.r.mant, h.sw & SW_FLAGS, m.r.sign_exp, m.r.mant,
                       m.sw & SW_FLAGS);
        }
        CHECK(bad == 0, store_kind ? "fld m64 matches the host" : "fld m32 matches the host");
    }
    for (store_kind = 0; store_kind < 7; store_kind++)
        versus_host("constants", h_const, m_const, SW_FLAGS, false, 64);
    unmasked_comparison();
}
#endif

int main(void)
{
    exact_values();
#if defined(__x86_64__)
    host_comparison();
#else
    printf("# host comparison skipped: not an x86_64 host\n");
#endif
    return check_done();
}
