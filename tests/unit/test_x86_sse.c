/* Unit tests for the SSE floating-point model (src/arch/x86/sse_float.c + fpcore.c):
 * exact values for edge cases (zeros, denormals, infinities, NaN rules, halfway cases in
 * each rounding mode, DAZ/FTZ, unmasked exceptions), then on an x86_64 host a comparison
 * against the host's own SSE unit: hundreds of thousands of random and edge operands per
 * instruction, under every rounding mode with and without DAZ/FTZ, comparing the result
 * bits and the MXCSR flags. Mismatches are printed with their operands. */
/* Linux test code: the signal frame's MXCSR (uc_mcontext.fpregs) is named only with the
 * GNU feature set; the portability build asks for POSIX/XSI alone. */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/sse_float.h"
#include "check.h"

#define RC(m) ((uint32_t)(m) << MXCSR_RC_SHIFT)
#define DEF MXCSR_DEFAULT

static void exact_values(void)
{
    unsigned fl;

    fl = 0;
    CHECK_EQ(sse_add32(0x3f800000, 0x3f800000, DEF, &fl), 0x40000000, "1+1");
    CHECK_EQ(fl, 0, "1+1 exact");
    /* 1 + 2^-24 is a tie: even (1.0) in nearest, 1+2^-23 upward. */
    fl = 0;
    CHECK_EQ(sse_add32(0x3f800000, 0x33800000, DEF, &fl), 0x3f800000, "tie to even");
    CHECK_EQ(fl, X86_FE_PE, "tie inexact");
    fl = 0;
    CHECK_EQ(sse_add32(0x3f800000, 0x33800000, DEF | RC(X86_RC_UP), &fl), 0x3f800001,
             "tie up");
    fl = 0;
    CHECK_EQ(sse_add32(0xbf800000, 0xb3800000, DEF | RC(X86_RC_DOWN), &fl), 0xbf800001,
             "tie down negative");
    fl = 0;
    CHECK_EQ(sse_add32(0x3f800000, 0xbf800000, DEF | RC(X86_RC_DOWN), &fl), 0x80000000,
             "x-x = -0 rounding down");
    CHECK_EQ(sse_add32(0x3f800000, 0xbf800000, DEF, &fl), 0, "x-x = +0");

    /* NaN rules: first operand NaN wins, SNaN quieted with IE. */
    fl = 0;
    CHECK_EQ(sse_add32(0x7f800001, 0x7fc00002, DEF, &fl), 0x7fc00001, "SNaN first, quieted");
    CHECK_EQ(fl, X86_FE_IE, "SNaN raises IE");
    fl = 0;
    CHECK_EQ(sse_mul32(0x3f800000, 0xffc12345, DEF, &fl), 0xffc12345, "QNaN second");
    CHECK_EQ(fl, 0, "QNaN quiet");
    fl = 0;
    CHECK_EQ(sse_mul64(0, 0xfff0000000000000ULL, DEF, &fl), 0xfff8000000000000ULL,
             "0*inf = real indefinite");
    CHECK_EQ(fl, X86_FE_IE, "0*inf IE");
    fl = 0;
    CHECK_EQ(sse_div32(0x3f800000, 0x80000000, DEF, &fl), 0xff800000, "1/-0 = -inf");
    CHECK_EQ(fl, X86_FE_ZE, "1/-0 ZE");
    fl = 0;
    CHECK_EQ(sse_sqrt64(0x8000000000000000ULL, DEF, &fl), 0x8000000000000000ULL,
             "sqrt(-0)");
    CHECK_EQ(sse_sqrt32(0xbf800000, DEF, &fl), 0xffc00000, "sqrt(-1)");

    /* Denormals: DE on input, UE+PE on an inexact tiny result, FTZ, DAZ. */
    fl = 0;
    CHECK_EQ(sse_mul32(0x00000001, 0x3f000000, DEF, &fl), 0, "min denormal / 2 ties to 0");
    CHECK_EQ(fl, X86_FE_DE | X86_FE_UE | X86_FE_PE, "DE UE PE");
    fl = 0;
    CHECK_EQ(sse_mul32(0x00800000, 0x3f000000, DEF, &fl), 0x00400000, "exact denormal");
    CHECK_EQ(fl, 0, "exact tiny result: no UE when masked");
    fl = 0;
    CHECK_EQ(sse_mul32(0x00800000, 0x3f000000, DEF & ~(X86_FE_UE << MXCSR_MASK_SHIFT), &fl)
                 & 0, 0, "unmasked UE");
    CHECK_EQ(fl, X86_FE_UE, "exact tiny result: UE when unmasked");
    fl = 0;
    CHECK_EQ(sse_mul32(0x00800000, 0x3f000000, DEF | MXCSR_FTZ, &fl), 0, "FTZ");
    CHECK_EQ(fl, X86_FE_UE | X86_FE_PE, "FTZ flags");
    fl = 0;
    CHECK_EQ(sse_add32(0x00000001, 0x3f800000, DEF | MXCSR_DAZ, &fl), 0x3f800000, "DAZ");
    CHECK_EQ(fl, 0, "DAZ: no DE");
    /* Largest finite times 2: overflow to inf, or max finite toward zero. */
    fl = 0;
    CHECK_EQ(sse_mul64(0x7fefffffffffffffULL, 0x4000000000000000ULL, DEF, &fl),
             0x7ff0000000000000ULL, "overflow nearest");
    CHECK_EQ(fl & X86_FE_ALL, X86_FE_OE | X86_FE_PE, "OE PE");
    CHECK_EQ(sse_mul64(0x7fefffffffffffffULL, 0x4000000000000000ULL, DEF | RC(X86_RC_ZERO),
                       &fl), 0x7fefffffffffffffULL, "overflow toward zero");

    /* MIN/MAX: the second operand on NaN or both zero. */
    fl = 0;
    CHECK_EQ(sse_min32(0x7fc00000, 0x3f800000, DEF, &fl), 0x3f800000, "min NaN,x");
    CHECK_EQ(fl, X86_FE_IE, "min QNaN IE");
    CHECK_EQ(sse_min32(0x3f800000, 0x7fc00000, DEF, &fl), 0x7fc00000, "min x,NaN");
    CHECK_EQ(sse_max32(0x80000000, 0, DEF, &fl), 0, "max -0,+0");
    CHECK_EQ(sse_min32(0, 0x80000000, DEF, &fl), 0x80000000, "min +0,-0");

    /* Conversions. */
    fl = 0;
    CHECK_EQ(sse_cvt32_to_int(0x4f000000, 32, false, DEF, &fl), 0x80000000, "2^31 -> indef");
    CHECK_EQ(fl, X86_FE_IE, "cvt overflow IE");
    fl = 0;
    CHECK_EQ(sse_cvt64_to_int(0xc1e0000000000000ULL, 32, false, DEF, &fl), 0x80000000,
             "-2^31 fits");
    CHECK_EQ(fl, 0, "-2^31 exact");
    CHECK_EQ(sse_cvt32_to_int(0x3fc00000, 32, false, DEF, &fl), 2, "1.5 -> 2");
    CHECK_EQ(sse_cvt32_to_int(0x40200000, 32, false, DEF, &fl), 2, "2.5 -> 2");
    CHECK_EQ(sse_cvt32_to_int(0xbfc00000, 64, true, DEF, &fl), ~0ULL, "-1.5 trunc -> -1");
    CHECK_EQ(sse_cvt64_to_int(0x7ff8000000000000ULL, 64, true, DEF, &fl),
             0x8000000000000000ULL, "NaN -> indef");
    fl = 0;
    CHECK_EQ(sse_cvt_int_to32(16777217, DEF, &fl), 0x4b800000, "2^24+1 -> float");
    CHECK_EQ(fl, X86_FE_PE, "PE");
    fl = 0;
    CHECK_EQ(sse_cvt32_to64(0x7f800001, DEF, &fl), 0x7ff8000020000000ULL, "SNaN widened");
    CHECK_EQ(fl, X86_FE_IE, "SNaN widen IE");
    fl = 0;
    CHECK_EQ(sse_cvt64_to32(0x36a0000000000000ULL, DEF, &fl), 1, "2^-149 -> min denormal");
    CHECK_EQ(fl, 0, "exact denormal");

    /* ROUNDSS: imm8 modes and the precision-exception suppression bit. */
    fl = 0;
    CHECK_EQ(sse_round32(0x40200000, 0, DEF, &fl), 0x40000000, "round 2.5 nearest");
    CHECK_EQ(fl, X86_FE_PE, "round PE");
    fl = 0;
    CHECK_EQ(sse_round32(0xc0200000, 1 | 8, DEF, &fl), 0xc0400000, "floor -2.5");
    CHECK_EQ(fl, 0, "PE suppressed");
    CHECK_EQ(sse_round32(0x3e800000, 2, DEF, &fl), 0x3f800000, "ceil 0.25");
    CHECK_EQ(sse_round32(0xbe800000, 2, DEF, &fl), 0x80000000, "ceil -0.25 = -0");
    CHECK_EQ(sse_round64(0x4004000000000000ULL, 4, DEF | RC(X86_RC_UP), &fl),
             0x4008000000000000ULL, "MXCSR.RC up");

    /* Compares. */
    fl = 0;
    CHECK_EQ(sse_cmp32(0x7fc00000, 0, 0, DEF, &fl), 0, "cmpeq QNaN");
    CHECK_EQ(fl, 0, "cmpeq QNaN quiet");
    CHECK_EQ(sse_cmp32(0x7fc00000, 0, 1, DEF, &fl), 0, "cmplt QNaN");
    CHECK_EQ(fl, X86_FE_IE, "cmplt QNaN signals");
    CHECK_EQ(sse_cmp64(0, 0x8000000000000000ULL, 0, DEF, &fl), ~0ULL, "+0 == -0");
    CHECK_EQ(sse_cmp64(0, 0x8000000000000000ULL, 6, DEF, &fl), 0, "nle(+0,-0) false");
    fl = 0;
    CHECK_EQ(sse_comi32(0x7fc00000, 0, false, DEF, &fl), 0x45, "ucomiss unordered");
    CHECK_EQ(fl, 0, "ucomiss QNaN quiet");
    CHECK_EQ(sse_comi32(0x7fc00000, 0, true, DEF, &fl), 0x45, "comiss unordered");
    CHECK_EQ(fl, X86_FE_IE, "comiss QNaN IE");
    CHECK_EQ(sse_comi64(0xbff0000000000000ULL, 0, true, DEF, &fl), SSE_EFL_CF, "less");

    /* Unmasked exceptions: pre-computation ones stop the post-computation flags. */
    uint32_t m = DEF & ~(X86_FE_ZE << MXCSR_MASK_SHIFT);
    CHECK(sse_update_mxcsr(&m, X86_FE_ZE | X86_FE_PE), "unmasked ZE faults");
    CHECK_EQ(m & X86_FE_ALL, X86_FE_ZE, "only ZE recorded");
    m = DEF;
    CHECK(!sse_update_mxcsr(&m, X86_FE_ZE | X86_FE_PE), "masked: no fault");
    CHECK_EQ(m & X86_FE_ALL, X86_FE_ZE | X86_FE_PE, "both recorded");

    /* Packed shapes. */
    x86_xmm a = { .u32 = { 0x3f800000, 0x40000000, 0x40400000, 0x40800000 } };
    x86_xmm b = { .u32 = { 0x3f800000, 0x3f800000, 0x3f800000, 0x3f800000 } }, r;
    sse_binop(SSE_HADD, SSE_PS, &r, &a, &b, DEF);
    CHECK(r.u32[0] == 0x40400000 && r.u32[1] == 0x40e00000 && r.u32[2] == 0x40000000 &&
          r.u32[3] == 0x40000000, "haddps");
    sse_binop(SSE_ADDSUB, SSE_PS, &r, &a, &b, DEF);
    CHECK(r.u32[0] == 0 && r.u32[1] == 0x40400000 && r.u32[2] == 0x40000000 &&
          r.u32[3] == 0x40a00000, "addsubps");
    sse_binop(SSE_ADD, SSE_SS, &r, &a, &b, DEF);
    CHECK(r.u32[0] == 0x40000000 && r.u32[1] == 0x40000000 && r.u32[3] == 0x40800000,
          "addss keeps upper lanes");
    sse_dpps(&r, &a, &b, 0xf1, DEF);
    CHECK(r.u32[0] == 0x41200000 && r.u32[1] == 0, "dpps");

    /* RCP/RSQRT special inputs. */
    CHECK_EQ(sse_rcp32(0x3f800000), 0x3f7ff000, "rcp(1)");
    CHECK_EQ(sse_rcp32(0x80000001), 0xff800000, "rcp(-denormal) = -inf");
    CHECK_EQ(sse_rcp32(0x7e800000), 0, "rcp(2^126) flushes");
    CHECK_EQ(sse_rsqrt32(0xbf800000), 0xffc00000, "rsqrt(-1)");
    CHECK_EQ(sse_rsqrt32(0x7f800000), 0, "rsqrt(inf)");
}

/* SDM Vol.2 RCPSS/RSQRTSS: |relative error| <= 1.5 * 2^-12 for every normal input whose
 * result is normal. Independent of the host: the model's tables are Intel's, and this is
 * the bound any vendor's table meets (the exact comparison below needs an Intel host). */
static void approx_error_bound(void)
{
    uint64_t st = 0x243f6a8885a308d3ULL;
    int bad_rcp = 0, bad_rsqrt = 0, n = 0;
    for (int i = 0; i < 400000; i++) {
        st = st * 6364136223846793005ULL + 1442695040888963407ULL;
        uint32_t x = (uint32_t)(st >> 32);
        unsigned e = (x >> 23) & 0xff;
        if (e < 3 || e > 250) /* 1/x or 1/sqrt(x) would leave the normal range */
            continue;
        n++;
        float f, r, q;
        memcpy(&f, &x, 4);
        uint32_t rb = sse_rcp32(x), qb = sse_rsqrt32(x & 0x7fffffffu);
        memcpy(&r, &rb, 4);
        memcpy(&q, &qb, 4);
        double want = 1.0 / (double)f, wantq = 1.0 / sqrt(fabs((double)f));
        if (fabs(((double)r - want) / want) > 1.5 * 0x1p-12 && bad_rcp++ < 4)
            printf("#   rcp(%#x) = %#x, exact %.9g\n", x, rb, want);
        if (fabs(((double)q - wantq) / wantq) > 1.5 * 0x1p-12 && bad_rsqrt++ < 4)
            printf("#   rsqrt(%#x) = %#x, exact %.9g\n", x & 0x7fffffffu, qb, wantq);
    }
    char label[96];
    snprintf(label, sizeof label, "rcp within 1.5*2^-12 of 1/x (%d inputs, %d outside)", n,
             bad_rcp);
    CHECK(bad_rcp == 0, label);
    snprintf(label, sizeof label, "rsqrt within 1.5*2^-12 of 1/sqrt(x) (%d inputs, %d outside)",
             n, bad_rsqrt);
    CHECK(bad_rsqrt == 0, label);
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

/* The model reproduces Intel's implementation-specific results: the RCP/RSQRT tables and
 * which NaN a DPPS/DPPD lane propagates (its sums' operand order). An AMD host differs in
 * both (seen on an EPYC: 30% of RCPSS results, DPPS lane 3 with two NaN products), so
 * those comparisons run on Intel hosts only. */
static bool host_intel;

static bool vendor_specific(const char *name)
{
    return !host_intel && (!strncmp(name, "dpp", 3) || !strncmp(name, "rcp", 3) ||
                           !strncmp(name, "rsqrt", 5));
}

/* A deterministic generator (xorshift64*). */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Operands biased to the edges: special encodings, exponents at the ends of the range
 * and near each other, significands with runs of ones and zeros (halfway cases). */
static uint64_t operand(int dbl)
{
    const int fb = dbl ? 52 : 23, eb = dbl ? 11 : 8;
    const uint64_t emax = (1ULL << eb) - 1, bias = emax >> 1;
    uint64_t r = rnd(), sign = (r & 1) << (fb + eb), frac, e;
    switch ((r >> 1) & 7) {
    case 0: frac = 0; break;
    case 1: frac = (1ULL << fb) - 1; break;
    case 2: frac = rnd() & ((1ULL << fb) - 1) & (~0ULL << ((r >> 8) % fb)); break;
    case 3: frac = ((1ULL << fb) - 1) >> ((r >> 8) % fb); break;
    case 4: frac = 1ULL << ((r >> 8) % fb); break;
    default: frac = rnd() & ((1ULL << fb) - 1); break;
    }
    switch ((r >> 4) & 7) {
    case 0: e = 0; break;
    case 1: e = emax; break;
    case 2: e = 1 + ((r >> 16) & 3); break;
    case 3: e = emax - 1 - ((r >> 16) & 3); break;
    case 4: e = bias - 2 + ((r >> 16) & 7); break;
    case 5: e = bias / 2 + ((r >> 16) & 7); break; /* products near the bottom */
    case 6: e = bias + bias / 2 - ((r >> 16) & 7); /* products near the top */ break;
    default: e = (r >> 20) % emax; break;
    }
    return sign | (e << fb) | frac;
}

/* The second operand often near the first (cancellation, equal compares). */
static uint64_t operand2(int dbl, uint64_t a)
{
    uint64_t r = rnd();
    switch (r & 3) {
    case 0: return a ^ (r >> 40 & 0xff);
    case 1: return a ^ (dbl ? 1ULL << 63 : 1ULL << 31) ^ ((r >> 40) & 3);
    default: return operand(dbl);
    }
}

static uint32_t random_mxcsr(void)
{
    uint32_t r = (uint32_t)rnd();
    return MXCSR_DEFAULT | RC(r & 3) | (r & 4 ? MXCSR_DAZ : 0) | (r & 8 ? MXCSR_FTZ : 0);
}

/* Host execution: load MXCSR (flags clear), run one instruction, read MXCSR back. */
#define HOST_BIN(name, insn)                                                              \
    static uint64_t name(uint64_t a, uint64_t b, uint32_t csr, unsigned *fl)             \
    {                                                                                     \
        __m128i x = _mm_cvtsi64_si128((long long)a), y = _mm_cvtsi64_si128((long long)b); \
        uint32_t out, def = MXCSR_DEFAULT;                                                \
        __asm__ volatile("ldmxcsr %[ci]\n\t" insn " %[y], %[x]\n\t"                       \
                         "stmxcsr %[co]\n\tldmxcsr %[d]"                                  \
                         : [x] "+x"(x), [co] "=m"(out)                                    \
                         : [y] "x"(y), [ci] "m"(csr), [d] "m"(def));                      \
        *fl = out & X86_FE_ALL;                                                           \
        return (uint64_t)_mm_cvtsi128_si64(x);                                            \
    }
HOST_BIN(h_addss, "addss") HOST_BIN(h_subss, "subss") HOST_BIN(h_mulss, "mulss")
HOST_BIN(h_divss, "divss") HOST_BIN(h_minss, "minss") HOST_BIN(h_maxss, "maxss")
HOST_BIN(h_sqrtss, "sqrtss")
HOST_BIN(h_addsd, "addsd") HOST_BIN(h_subsd, "subsd") HOST_BIN(h_mulsd, "mulsd")
HOST_BIN(h_divsd, "divsd") HOST_BIN(h_minsd, "minsd") HOST_BIN(h_maxsd, "maxsd")
HOST_BIN(h_sqrtsd, "sqrtsd")
HOST_BIN(h_cvtss2sd, "cvtss2sd") HOST_BIN(h_cvtsd2ss, "cvtsd2ss")
HOST_BIN(h_rcpss, "rcpss") HOST_BIN(h_rsqrtss, "rsqrtss")

#define HOST_IMM(name, insn)                                                              \
    static uint64_t name##_(uint64_t a, uint64_t b, uint32_t csr, unsigned *fl, int imm) \
    {                                                                                     \
        __m128i x = _mm_cvtsi64_si128((long long)a), y = _mm_cvtsi64_si128((long long)b); \
        uint32_t out, def = MXCSR_DEFAULT;                                                \
        switch (imm) {                                                                    \
        HOST_IMM_CASE(insn, 0) HOST_IMM_CASE(insn, 1) HOST_IMM_CASE(insn, 2)              \
        HOST_IMM_CASE(insn, 3) HOST_IMM_CASE(insn, 4) HOST_IMM_CASE(insn, 5)              \
        HOST_IMM_CASE(insn, 6) HOST_IMM_CASE(insn, 7) HOST_IMM_CASE(insn, 8)              \
        HOST_IMM_CASE(insn, 9) HOST_IMM_CASE(insn, 10) HOST_IMM_CASE(insn, 11)            \
        HOST_IMM_CASE(insn, 12) HOST_IMM_CASE(insn, 13) HOST_IMM_CASE(insn, 14)           \
        default: HOST_IMM_CASE(insn, 15)                                                  \
        }                                                                                 \
        *fl = out & X86_FE_ALL;                                                           \
        return (uint64_t)_mm_cvtsi128_si64(x);                                            \
    }
#define HOST_IMM_CASE(insn, n)                                                            \
    case n:                                                                               \
        __asm__ volatile("ldmxcsr %[ci]\n\t" insn " $" #n ", %[y], %[x]\n\t"              \
                         "stmxcsr %[co]\n\tldmxcsr %[d]"                                  \
                         : [x] "+x"(x), [co] "=m"(out)                                    \
                         : [y] "x"(y), [ci] "m"(csr), [d] "m"(def));                      \
        break;
HOST_IMM(h_cmpss, "cmpss") HOST_IMM(h_cmpsd, "cmpsd") HOST_IMM(h_roundss, "roundss")
HOST_IMM(h_roundsd, "roundsd")

/* COMISS-style: returns the arithmetic flags (ZF PF CF). */
#define HOST_COMI(name, insn)                                                             \
    static uint64_t name(uint64_t a, uint64_t b, uint32_t csr, unsigned *fl)             \
    {                                                                                     \
        __m128i x = _mm_cvtsi64_si128((long long)a), y = _mm_cvtsi64_si128((long long)b); \
        uint32_t out, def = MXCSR_DEFAULT;                                                \
        uint64_t rf;                                                                      \
        __asm__ volatile("ldmxcsr %[ci]\n\t" insn " %[y], %[x]\n\t"                       \
                         "pushfq\n\tpopq %[rf]\n\tstmxcsr %[co]\n\tldmxcsr %[d]"          \
                         : [co] "=m"(out), [rf] "=r"(rf)                                  \
                         : [x] "x"(x), [y] "x"(y), [ci] "m"(csr), [d] "m"(def) : "cc");   \
        *fl = out & X86_FE_ALL;                                                           \
        return rf & 0x8d5;                                                                \
    }
HOST_COMI(h_comiss, "comiss") HOST_COMI(h_ucomiss, "ucomiss")
HOST_COMI(h_comisd, "comisd") HOST_COMI(h_ucomisd, "ucomisd")

/* Float to integer: the result register width is part of the instruction. */
#define HOST_TOINT(name, insn, reg_t)                                                     \
    static uint64_t name(uint64_t a, uint64_t b, uint32_t csr, unsigned *fl)             \
    {                                                                                     \
        __m128i x = _mm_cvtsi64_si128((long long)a);                                      \
        uint32_t out, def = MXCSR_DEFAULT;                                                \
        reg_t r;                                                                          \
        __asm__ volatile("ldmxcsr %[ci]\n\t" insn " %[x], %[r]\n\t"                       \
                         "stmxcsr %[co]\n\tldmxcsr %[d]"                                  \
                         : [r] "=r"(r), [co] "=m"(out)                                    \
                         : [x] "x"(x), [ci] "m"(csr), [d] "m"(def));                      \
        *fl = out & X86_FE_ALL;                                                           \
        return (uint64_t)r;                                                               \
    }
HOST_TOINT(h_cvtss2si32, "cvtss2si", uint32_t) HOST_TOINT(h_cvtss2si64, "cvtss2si", uint64_t)
HOST_TOINT(h_cvttss2si32, "cvttss2si", uint32_t)
HOST_TOINT(h_cvttss2si64, "cvttss2si", uint64_t)
HOST_TOINT(h_cvtsd2si32, "cvtsd2si", uint32_t) HOST_TOINT(h_cvtsd2si64, "cvtsd2si", uint64_t)
HOST_TOINT(h_cvttsd2si32, "cvttsd2si", uint32_t)
HOST_TOINT(h_cvttsd2si64, "cvttsd2si", uint64_t)

#define HOST_FROMINT(name, insn, reg_t)                                                   \
    static uint64_t name(uint64_t a, uint64_t b, uint32_t csr, unsigned *fl)             \
    {                                                                                     \
        __m128i x = _mm_setzero_si128();                                                  \
        uint32_t out, def = MXCSR_DEFAULT;                                                \
        reg_t v = (reg_t)a;                                                               \
        __asm__ volatile("ldmxcsr %[ci]\n\t" insn " %[v], %[x]\n\t"                       \
                         "stmxcsr %[co]\n\tldmxcsr %[d]"                                  \
                         : [x] "+x"(x), [co] "=m"(out)                                    \
                         : [v] "r"(v), [ci] "m"(csr), [d] "m"(def));                      \
        *fl = out & X86_FE_ALL;                                                           \
        return (uint64_t)_mm_cvtsi128_si64(x);                                            \
    }
HOST_FROMINT(h_cvtsi2ss32, "cvtsi2ssl", uint32_t) HOST_FROMINT(h_cvtsi2ss64, "cvtsi2ssq", uint64_t)
HOST_FROMINT(h_cvtsi2sd32, "cvtsi2sdl", uint32_t) HOST_FROMINT(h_cvtsi2sd64, "cvtsi2sdq", uint64_t)

/* The model's side, with the same shape. */
#define M32(name, fn)                                                                     \
    static uint64_t name(uint64_t a, uint64_t b, uint32_t csr, unsigned *fl)             \
    {                                                                                     \
        return fn((uint32_t)a, (uint32_t)b, csr, fl);                                     \
    }
#define M64(name, fn)                                                                     \
    static uint64_t name(uint64_t a, uint64_t b, uint32_t csr, unsigned *fl)             \
    {                                                                                     \
        return fn(a, b, csr, fl);                                                         \
    }
M32(m_addss, sse_add32) M32(m_subss, sse_sub32) M32(m_mulss, sse_mul32)
M32(m_divss, sse_div32) M32(m_minss, sse_min32) M32(m_maxss, sse_max32)
M64(m_addsd, sse_add64) M64(m_subsd, sse_sub64) M64(m_mulsd, sse_mul64)
M64(m_divsd, sse_div64) M64(m_minsd, sse_min64) M64(m_maxsd, sse_max64)
static uint64_t m_sqrtss(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)a; return sse_sqrt32((uint32_t)b, c, f); }
static uint64_t m_sqrtsd(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)a; return sse_sqrt64(b, c, f); }
static uint64_t m_cvtss2sd(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)a; return sse_cvt32_to64((uint32_t)b, c, f); }
static uint64_t m_cvtsd2ss(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { return (a & 0xffffffff00000000ULL) | sse_cvt64_to32(b, c, f); }
static uint64_t m_rcpss(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)c; (void)f; return (a & 0xffffffff00000000ULL) | sse_rcp32((uint32_t)b); }
static uint64_t m_rsqrtss(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)c; (void)f; return (a & 0xffffffff00000000ULL) | sse_rsqrt32((uint32_t)b); }
static uint64_t m_comiss(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { return sse_comi32((uint32_t)a, (uint32_t)b, true, c, f); }
static uint64_t m_ucomiss(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { return sse_comi32((uint32_t)a, (uint32_t)b, false, c, f); }
static uint64_t m_comisd(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { return sse_comi64(a, b, true, c, f); }
static uint64_t m_ucomisd(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { return sse_comi64(a, b, false, c, f); }
static uint64_t m_cvtss2si32(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)b; return sse_cvt32_to_int((uint32_t)a, 32, false, c, f); }
static uint64_t m_cvtss2si64(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)b; return sse_cvt32_to_int((uint32_t)a, 64, false, c, f); }
static uint64_t m_cvttss2si32(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)b; return sse_cvt32_to_int((uint32_t)a, 32, true, c, f); }
static uint64_t m_cvttss2si64(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)b; return sse_cvt32_to_int((uint32_t)a, 64, true, c, f); }
static uint64_t m_cvtsd2si32(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)b; return sse_cvt64_to_int(a, 32, false, c, f); }
static uint64_t m_cvtsd2si64(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)b; return sse_cvt64_to_int(a, 64, false, c, f); }
static uint64_t m_cvttsd2si32(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)b; return sse_cvt64_to_int(a, 32, true, c, f); }
static uint64_t m_cvttsd2si64(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)b; return sse_cvt64_to_int(a, 64, true, c, f); }
static uint64_t m_cvtsi2ss32(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)b; return sse_cvt_int_to32((int32_t)(uint32_t)a, c, f); }
static uint64_t m_cvtsi2ss64(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)b; return sse_cvt_int_to32((int64_t)a, c, f); }
static uint64_t m_cvtsi2sd32(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)b; return sse_cvt_int_to64((int32_t)(uint32_t)a, c, f); }
static uint64_t m_cvtsi2sd64(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)b; return sse_cvt_int_to64((int64_t)a, c, f); }

typedef uint64_t (*op_fn)(uint64_t, uint64_t, uint32_t, unsigned *);

enum { OPS_32 = 1, OPS_64 = 2, FROM_INT = 4, MERGE = 8 };

/* Runs `n` cases through both sides; scalar results compare in the low lane only (the
 * host's upper bits come from the first operand, as the model's wrappers arrange). */
static void versus_host(const char *name, op_fn host, op_fn model, int kind, int n)
{
    int bad = 0;
    int dbl = kind & OPS_64;
    uint64_t lane = kind & OPS_64 ? ~0ULL : 0xffffffffULL;
    if (vendor_specific(name)) {
        printf("# %s: host comparison skipped (the host is not Intel)\n", name);
        return;
    }
    for (int i = 0; i < n; i++) {
        uint64_t a, b;
        if (kind & FROM_INT) {
            uint64_t r = rnd();
            a = r >> (r & 63);
            if (r & (1ULL << 62))
                a = 0 - a;
            b = 0;
        } else {
            a = operand(dbl) & lane;
            b = operand2(dbl, a) & lane;
            if (!dbl) {
                a |= 0xdeadbeef00000000ULL;
            }
        }
        uint32_t csr = random_mxcsr();
        unsigned hf = 0, mf = 0;
        uint64_t hr = host(a, b, csr, &hf);
        uint64_t mr = model(a, b, csr, &mf);
        if (kind & MERGE) /* a 32-bit scalar lands in the low lane of the first operand */
            mr = (a & 0xffffffff00000000ULL) | (mr & 0xffffffffULL);
        if (hr != mr || hf != (mf & X86_FE_ALL)) {
            if (bad++ < 8)
                printf("#   %s a=%#" PRIx64 " b=%#" PRIx64 " mxcsr=%#x: host %#" PRIx64
                       " flags %#x, model %#" PRIx64 " flags %#x\n",
                       name, a, b, csr, hr, hf, mr, mf & X86_FE_ALL);
        }
    }
    char label[96];
    snprintf(label, sizeof label, "%s matches the host (%d cases, %d mismatches)", name, n,
             bad);
    CHECK(bad == 0, label);
}

static int imm_sel;
static uint64_t h_cmpss(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { return h_cmpss_(a, b, c, f, imm_sel); }
static uint64_t h_cmpsd(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { return h_cmpsd_(a, b, c, f, imm_sel); }
static uint64_t h_roundss(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { return h_roundss_(a, b, c, f, imm_sel); }
static uint64_t h_roundsd(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { return h_roundsd_(a, b, c, f, imm_sel); }
static uint64_t m_cmpss(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { return sse_cmp32((uint32_t)a, (uint32_t)b, (unsigned)imm_sel, c, f); }
static uint64_t m_cmpsd(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { return sse_cmp64(a, b, (unsigned)imm_sel, c, f); }
static uint64_t m_roundss(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)a; return sse_round32((uint32_t)b, (unsigned)imm_sel, c, f); }
static uint64_t m_roundsd(uint64_t a, uint64_t b, uint32_t c, unsigned *f) { (void)a; return sse_round64(b, (unsigned)imm_sel, c, f); }

/* Whole-register instructions: packed arithmetic, horizontal forms, dot products and
 * conversions, with random lanes. */
typedef void (*vec_fp_fn)(x86_xmm *, const x86_xmm *, const x86_xmm *, uint32_t, unsigned *);

#define HOST_P(name, insn)                                                                \
    static void name(x86_xmm *r, const x86_xmm *a, const x86_xmm *b, uint32_t csr,       \
                     unsigned *fl)                                                        \
    {                                                                                     \
        __m128i x, y;                                                                     \
        uint32_t out, def = MXCSR_DEFAULT;                                                \
        memcpy(&x, a, 16);                                                                \
        memcpy(&y, b, 16);                                                                \
        __asm__ volatile("ldmxcsr %[ci]\n\t" insn "\n\t"                                  \
                         "stmxcsr %[co]\n\tldmxcsr %[d]"                                  \
                         : [x] "+x"(x), [co] "=m"(out)                                    \
                         : [y] "x"(y), [ci] "m"(csr), [d] "m"(def));                      \
        *fl = out & X86_FE_ALL;                                                           \
        memcpy(r, &x, 16);                                                                \
    }
HOST_P(hp_addps, "addps %[y], %[x]") HOST_P(hp_mulpd, "mulpd %[y], %[x]")
HOST_P(hp_divps, "divps %[y], %[x]") HOST_P(hp_sqrtpd, "sqrtpd %[y], %[x]")
HOST_P(hp_haddps, "haddps %[y], %[x]") HOST_P(hp_haddpd, "haddpd %[y], %[x]")
HOST_P(hp_hsubps, "hsubps %[y], %[x]") HOST_P(hp_hsubpd, "hsubpd %[y], %[x]")
HOST_P(hp_addsubps, "addsubps %[y], %[x]") HOST_P(hp_addsubpd, "addsubpd %[y], %[x]")
HOST_P(hp_minps, "minps %[y], %[x]") HOST_P(hp_maxpd, "maxpd %[y], %[x]")
HOST_P(hp_cmpltps, "cmpltps %[y], %[x]") HOST_P(hp_cmpunordpd, "cmpunordpd %[y], %[x]")
HOST_P(hp_dpps_ff, "dpps $0xff, %[y], %[x]") HOST_P(hp_dpps_f7, "dpps $0xf7, %[y], %[x]") HOST_P(hp_dpps_b5, "dpps $0xb5, %[y], %[x]")
HOST_P(hp_dpps_f0, "dpps $0xf0, %[y], %[x]") HOST_P(hp_dppd_30, "dppd $0x30, %[y], %[x]")
HOST_P(hp_dppd_31, "dppd $0x31, %[y], %[x]") HOST_P(hp_dppd_33, "dppd $0x33, %[y], %[x]") HOST_P(hp_dppd_12, "dppd $0x12, %[y], %[x]")
HOST_P(hp_cvtdq2ps, "cvtdq2ps %[y], %[x]") HOST_P(hp_cvtps2dq, "cvtps2dq %[y], %[x]")
HOST_P(hp_cvttps2dq, "cvttps2dq %[y], %[x]") HOST_P(hp_cvtdq2pd, "cvtdq2pd %[y], %[x]")
HOST_P(hp_cvtpd2dq, "cvtpd2dq %[y], %[x]") HOST_P(hp_cvttpd2dq, "cvttpd2dq %[y], %[x]")
HOST_P(hp_cvtps2pd, "cvtps2pd %[y], %[x]") HOST_P(hp_cvtpd2ps, "cvtpd2ps %[y], %[x]")

#define MODEL_P(name, stmt)                                                               \
    static void name(x86_xmm *r, const x86_xmm *a, const x86_xmm *b, uint32_t csr,       \
                     unsigned *fl)                                                        \
    {                                                                                     \
        stmt;                                                                             \
    }
MODEL_P(mp_addps, *fl = sse_binop(SSE_ADD, SSE_PS, r, a, b, csr))
MODEL_P(mp_mulpd, *fl = sse_binop(SSE_MUL, SSE_PD, r, a, b, csr))
MODEL_P(mp_divps, *fl = sse_binop(SSE_DIV, SSE_PS, r, a, b, csr))
MODEL_P(mp_sqrtpd, *fl = sse_binop(SSE_SQRT, SSE_PD, r, a, b, csr))
MODEL_P(mp_haddps, *fl = sse_binop(SSE_HADD, SSE_PS, r, a, b, csr))
MODEL_P(mp_haddpd, *fl = sse_binop(SSE_HADD, SSE_PD, r, a, b, csr))
MODEL_P(mp_hsubps, *fl = sse_binop(SSE_HSUB, SSE_PS, r, a, b, csr))
MODEL_P(mp_hsubpd, *fl = sse_binop(SSE_HSUB, SSE_PD, r, a, b, csr))
MODEL_P(mp_addsubps, *fl = sse_binop(SSE_ADDSUB, SSE_PS, r, a, b, csr))
MODEL_P(mp_addsubpd, *fl = sse_binop(SSE_ADDSUB, SSE_PD, r, a, b, csr))
MODEL_P(mp_minps, *fl = sse_binop(SSE_MIN, SSE_PS, r, a, b, csr))
MODEL_P(mp_maxpd, *fl = sse_binop(SSE_MAX, SSE_PD, r, a, b, csr))
MODEL_P(mp_cmpltps, *fl = sse_cmp(SSE_PS, r, a, b, 1, csr))
MODEL_P(mp_cmpunordpd, *fl = sse_cmp(SSE_PD, r, a, b, 3, csr))
MODEL_P(mp_dpps_ff, *fl = sse_dpps(r, a, b, 0xff, csr))
MODEL_P(mp_dpps_f7, *fl = sse_dpps(r, a, b, 0xf7, csr))
MODEL_P(mp_dpps_b5, *fl = sse_dpps(r, a, b, 0xb5, csr))
MODEL_P(mp_dpps_f0, *fl = sse_dpps(r, a, b, 0xf0, csr))
MODEL_P(mp_dppd_30, *fl = sse_dppd(r, a, b, 0x30, csr))
MODEL_P(mp_dppd_31, *fl = sse_dppd(r, a, b, 0x31, csr))
MODEL_P(mp_dppd_33, *fl = sse_dppd(r, a, b, 0x33, csr))
MODEL_P(mp_dppd_12, *fl = sse_dppd(r, a, b, 0x12, csr))
MODEL_P(mp_cvtdq2ps, (void)a; *fl = sse_convert(SSE_CVTDQ2PS, r, b, csr))
MODEL_P(mp_cvtps2dq, (void)a; *fl = sse_convert(SSE_CVTPS2DQ, r, b, csr))
MODEL_P(mp_cvttps2dq, (void)a; *fl = sse_convert(SSE_CVTTPS2DQ, r, b, csr))
MODEL_P(mp_cvtdq2pd, (void)a; *fl = sse_convert(SSE_CVTDQ2PD, r, b, csr))
MODEL_P(mp_cvtpd2dq, (void)a; *fl = sse_convert(SSE_CVTPD2DQ, r, b, csr))
MODEL_P(mp_cvttpd2dq, (void)a; *fl = sse_convert(SSE_CVTTPD2DQ, r, b, csr))
MODEL_P(mp_cvtps2pd, (void)a; *fl = sse_convert(SSE_CVTPS2PD, r, b, csr))
MODEL_P(mp_cvtpd2ps, (void)a; *fl = sse_convert(SSE_CVTPD2PS, r, b, csr))

static void versus_host_packed(const char *name, vec_fp_fn host, vec_fp_fn model, int dbl,
                               int n)
{
    int bad = 0;
    if (vendor_specific(name)) {
        printf("# %s: host comparison skipped (the host is not Intel)\n", name);
        return;
    }
    for (int i = 0; i < n; i++) {
        x86_xmm a, b, hr, mr;
        for (int k = 0; k < 2; k++) {
            if (dbl) {
                a.u64[k] = operand(1);
                b.u64[k] = operand2(1, a.u64[k]);
            } else {
                uint64_t x0 = operand(0), x1 = operand(0);
                a.u64[k] = x0 | x1 << 32;
                b.u64[k] = operand2(0, x0) | operand2(0, x1) << 32;
            }
        }
        uint32_t csr = random_mxcsr();
        unsigned hf = 0, mf = 0;
        host(&hr, &a, &b, csr, &hf);
        model(&mr, &a, &b, csr, &mf);
        mf &= X86_FE_ALL;
        if ((hr.u64[0] != mr.u64[0] || hr.u64[1] != mr.u64[1] || hf != mf) && bad++ < 6)
            printf("#   %s a=%016" PRIx64 ":%016" PRIx64 " b=%016" PRIx64 ":%016" PRIx64
                   " mxcsr=%#x: host %016" PRIx64 ":%016" PRIx64 " flags %#x, model %016"
                   PRIx64 ":%016" PRIx64 " flags %#x\n", name, a.u64[1], a.u64[0], b.u64[1],
                   b.u64[0], csr, hr.u64[1], hr.u64[0], hf, mr.u64[1], mr.u64[0], mf);
    }
    char label[96];
    snprintf(label, sizeof label, "%s matches the host (%d cases, %d mismatches)", name, n,
             bad);
    CHECK(bad == 0, label);
}

static void packed_comparison(void)
{
    static const struct { const char *name; vec_fp_fn h, m; int dbl; } cases[] = {
        { "addps", hp_addps, mp_addps, 0 }, { "mulpd", hp_mulpd, mp_mulpd, 1 },
        { "divps", hp_divps, mp_divps, 0 }, { "sqrtpd", hp_sqrtpd, mp_sqrtpd, 1 },
        { "haddps", hp_haddps, mp_haddps, 0 }, { "haddpd", hp_haddpd, mp_haddpd, 1 },
        { "hsubps", hp_hsubps, mp_hsubps, 0 }, { "hsubpd", hp_hsubpd, mp_hsubpd, 1 },
        { "addsubps", hp_addsubps, mp_addsubps, 0 },
        { "addsubpd", hp_addsubpd, mp_addsubpd, 1 },
        { "minps", hp_minps, mp_minps, 0 }, { "maxpd", hp_maxpd, mp_maxpd, 1 },
        { "cmpltps", hp_cmpltps, mp_cmpltps, 0 },
        { "cmpunordpd", hp_cmpunordpd, mp_cmpunordpd, 1 },
        { "dpps 0xff", hp_dpps_ff, mp_dpps_ff, 0 }, { "dpps 0xf7", hp_dpps_f7, mp_dpps_f7, 0 }, { "dpps 0xb5", hp_dpps_b5, mp_dpps_b5, 0 },
        { "dpps 0xf0", hp_dpps_f0, mp_dpps_f0, 0 }, { "dppd 0x30", hp_dppd_30, mp_dppd_30, 1 },
        { "dppd 0x31", hp_dppd_31, mp_dppd_31, 1 }, { "dppd 0x33", hp_dppd_33, mp_dppd_33, 1 }, { "dppd 0x12", hp_dppd_12, mp_dppd_12, 1 },
        { "cvtdq2ps", hp_cvtdq2ps, mp_cvtdq2ps, 0 }, { "cvtps2dq", hp_cvtps2dq, mp_cvtps2dq, 0 },
        { "cvttps2dq", hp_cvttps2dq, mp_cvttps2dq, 0 },
        { "cvtdq2pd", hp_cvtdq2pd, mp_cvtdq2pd, 0 }, { "cvtpd2dq", hp_cvtpd2dq, mp_cvtpd2dq, 1 },
        { "cvttpd2dq", hp_cvttpd2dq, mp_cvttpd2dq, 1 },
        { "cvtps2pd", hp_cvtps2pd, mp_cvtps2pd, 0 }, { "cvtpd2ps", hp_cvtpd2ps, mp_cvtpd2ps, 1 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        versus_host_packed(cases[i].name, cases[i].h, cases[i].m, cases[i].dbl, 50000);
}

#if defined(__linux__)
/* Unmasked exceptions: the host raises #XM (SIGFPE); the handler reads MXCSR from the
 * signal frame (Linux's layout) and jumps back. The model must agree on whether the instruction faults and
 * on the flags recorded (SDM Vol.1 §11.5.2: pre-computation exceptions in any lane stop
 * the post-computation checks). */
#include <setjmp.h>
#include <signal.h>
#include <ucontext.h>

static sigjmp_buf xm_jump;
static volatile uint32_t xm_mxcsr;

static void xm_handler(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    (void)sig;
    (void)si;
    xm_mxcsr = uc->uc_mcontext.fpregs->mxcsr;
    siglongjmp(xm_jump, 1);
}

/* Runs `host` with exceptions possibly unmasked; returns true if it faulted. */
static bool host_unmasked(vec_fp_fn host, x86_xmm *r, const x86_xmm *a, const x86_xmm *b,
                          uint32_t csr, unsigned *fl)
{
    if (sigsetjmp(xm_jump, 1)) {
        *fl = xm_mxcsr & X86_FE_ALL;
        return true;
    }
    host(r, a, b, csr, fl);
    return false;
}

static void unmasked_comparison(void)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = xm_handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGFPE, &sa, &old);
    static const struct { const char *name; vec_fp_fn h, m; int dbl; } cases[] = {
        { "addps", hp_addps, mp_addps, 0 }, { "mulpd", hp_mulpd, mp_mulpd, 1 },
        { "divps", hp_divps, mp_divps, 0 }, { "sqrtpd", hp_sqrtpd, mp_sqrtpd, 1 },
        { "minps", hp_minps, mp_minps, 0 }, { "cmpltps", hp_cmpltps, mp_cmpltps, 0 },
        { "cvtpd2ps", hp_cvtpd2ps, mp_cvtpd2ps, 1 }, { "cvtps2dq", hp_cvtps2dq, mp_cvtps2dq, 0 },
        { "dpps 0xff", hp_dpps_ff, mp_dpps_ff, 0 }, { "dpps 0xb5", hp_dpps_b5, mp_dpps_b5, 0 },
        { "dppd 0x33", hp_dppd_33, mp_dppd_33, 1 }, { "dppd 0x12", hp_dppd_12, mp_dppd_12, 1 },
        /* no destination lane: the sums still raise their flags */
        { "dpps 0xf0", hp_dpps_f0, mp_dpps_f0, 0 }, { "dppd 0x30", hp_dppd_30, mp_dppd_30, 1 },
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int bad = 0, faults = 0;
        if (vendor_specific(cases[c].name)) {
            printf("# %s, unmasked: host comparison skipped (the host is not Intel)\n",
                   cases[c].name);
            continue;
        }
        const int n = 20000;
        for (int i = 0; i < n; i++) {
            x86_xmm a, b, hr, mr;
            for (int k = 0; k < 2; k++) {
                if (cases[c].dbl) {
                    a.u64[k] = operand(1);
                    b.u64[k] = operand2(1, a.u64[k]);
                } else {
                    uint64_t x0 = operand(0), x1 = operand(0);
                    a.u64[k] = x0 | x1 << 32;
                    b.u64[k] = operand2(0, x0) | operand2(0, x1) << 32;
                }
            }
            uint32_t csr = random_mxcsr() & ~((uint32_t)(rnd() & 0x3f) << MXCSR_MASK_SHIFT);
            unsigned hf = 0, mf = 0;
            volatile bool hfault = host_unmasked(cases[c].h, &hr, &a, &b, csr, &hf);
            cases[c].m(&mr, &a, &b, csr, &mf);
            uint32_t m = csr;
            bool mfault = sse_update_mxcsr(&m, mf);
            faults += hfault;
            bool ok = hfault == mfault && hf == (m & X86_FE_ALL);
            if (ok && !hfault)
                ok = hr.u64[0] == mr.u64[0] && hr.u64[1] == mr.u64[1];
            if (!ok && bad++ < 6)
                printf("#   %s unmasked a=%016" PRIx64 ":%016" PRIx64 " b=%016" PRIx64
                       ":%016" PRIx64 " mxcsr=%#x: host fault %d flags %#x, model fault %d "
                       "flags %#x\n", cases[c].name, a.u64[1], a.u64[0], b.u64[1], b.u64[0],
                       csr, hfault, hf, mfault, m & X86_FE_ALL);
        }
        char label[128];
        snprintf(label, sizeof label, "%s with unmasked exceptions matches the host (%d "
                 "cases, %d faults, %d mismatches)", cases[c].name, n, faults, bad);
        CHECK(bad == 0, label);
    }
    sigaction(SIGFPE, &old, NULL);
}
#else
static void unmasked_comparison(void)
{
    printf("# unmasked-exception host comparison skipped: needs Linux's signal frame\n");
}
#endif

static void host_comparison(void)
{
    const int N = 200000;
    unsigned l0[4] = { 0 };
    __get_cpuid(0, &l0[0], &l0[1], &l0[2], &l0[3]);
    host_intel = !memcmp(&l0[1], "Genu", 4) && !memcmp(&l0[3], "ineI", 4) &&
                 !memcmp(&l0[2], "ntel", 4);
    versus_host("addss", h_addss, m_addss, OPS_32 | MERGE, N);
    versus_host("subss", h_subss, m_subss, OPS_32 | MERGE, N);
    versus_host("mulss", h_mulss, m_mulss, OPS_32 | MERGE, N);
    versus_host("divss", h_divss, m_divss, OPS_32 | MERGE, N);
    versus_host("minss", h_minss, m_minss, OPS_32 | MERGE, N);
    versus_host("maxss", h_maxss, m_maxss, OPS_32 | MERGE, N);
    versus_host("sqrtss", h_sqrtss, m_sqrtss, OPS_32 | MERGE, N);
    versus_host("addsd", h_addsd, m_addsd, OPS_64, N);
    versus_host("subsd", h_subsd, m_subsd, OPS_64, N);
    versus_host("mulsd", h_mulsd, m_mulsd, OPS_64, N);
    versus_host("divsd", h_divsd, m_divsd, OPS_64, N);
    versus_host("minsd", h_minsd, m_minsd, OPS_64, N);
    versus_host("maxsd", h_maxsd, m_maxsd, OPS_64, N);
    versus_host("sqrtsd", h_sqrtsd, m_sqrtsd, OPS_64, N);
    versus_host("rcpss", h_rcpss, m_rcpss, OPS_32, N);
    versus_host("rsqrtss", h_rsqrtss, m_rsqrtss, OPS_32, N);
    versus_host("cvtss2sd", h_cvtss2sd, m_cvtss2sd, OPS_32, N);
    versus_host("cvtsd2ss", h_cvtsd2ss, m_cvtsd2ss, OPS_64, N);
    versus_host("comiss", h_comiss, m_comiss, OPS_32, N);
    versus_host("ucomiss", h_ucomiss, m_ucomiss, OPS_32, N);
    versus_host("comisd", h_comisd, m_comisd, OPS_64, N);
    versus_host("ucomisd", h_ucomisd, m_ucomisd, OPS_64, N);
    versus_host("cvtss2si32", h_cvtss2si32, m_cvtss2si32, OPS_32, N);
    versus_host("cvtss2si64", h_cvtss2si64, m_cvtss2si64, OPS_32, N);
    versus_host("cvttss2si32", h_cvttss2si32, m_cvttss2si32, OPS_32, N);
    versus_host("cvttss2si64", h_cvttss2si64, m_cvttss2si64, OPS_32, N);
    versus_host("cvtsd2si32", h_cvtsd2si32, m_cvtsd2si32, OPS_64, N);
    versus_host("cvtsd2si64", h_cvtsd2si64, m_cvtsd2si64, OPS_64, N);
    versus_host("cvttsd2si32", h_cvttsd2si32, m_cvttsd2si32, OPS_64, N);
    versus_host("cvttsd2si64", h_cvttsd2si64, m_cvttsd2si64, OPS_64, N);
    versus_host("cvtsi2ss32", h_cvtsi2ss32, m_cvtsi2ss32, OPS_32 | FROM_INT, N);
    versus_host("cvtsi2ss64", h_cvtsi2ss64, m_cvtsi2ss64, OPS_32 | FROM_INT, N);
    versus_host("cvtsi2sd32", h_cvtsi2sd32, m_cvtsi2sd32, OPS_64 | FROM_INT, N);
    versus_host("cvtsi2sd64", h_cvtsi2sd64, m_cvtsi2sd64, OPS_64 | FROM_INT, N);
    for (imm_sel = 0; imm_sel < 8; imm_sel++) {
        char n1[32], n2[32];
        snprintf(n1, sizeof n1, "cmpss pred %d", imm_sel);
        snprintf(n2, sizeof n2, "cmpsd pred %d", imm_sel);
        versus_host(n1, h_cmpss, m_cmpss, OPS_32 | MERGE, N / 4);
        versus_host(n2, h_cmpsd, m_cmpsd, OPS_64, N / 4);
    }
    for (imm_sel = 0; imm_sel < 16; imm_sel++) {
        char n1[32], n2[32];
        snprintf(n1, sizeof n1, "roundss imm %d", imm_sel);
        snprintf(n2, sizeof n2, "roundsd imm %d", imm_sel);
        versus_host(n1, h_roundss, m_roundss, OPS_32 | MERGE, N / 8);
        versus_host(n2, h_roundsd, m_roundsd, OPS_64, N / 8);
    }
    packed_comparison();
    unmasked_comparison();
}
#endif

int main(void)
{
    exact_values();
    approx_error_bound();
#if defined(__x86_64__)
    host_comparison();
#else
    printf("# host comparison skipped: not an x86_64 host\n");
#endif
    return check_done();
}
