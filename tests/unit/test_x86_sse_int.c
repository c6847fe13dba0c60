/* Unit tests for the packed integer model (src/arch/x86/sse_int.c): exact values for
 * saturation limits, over-wide shift counts, the MMX (8-byte) forms, the string compares
 * and CRC32C, then on an x86_64 host every operation against the host's own
 * SSE2/SSSE3/SSE4.1/SSE4.2 instructions on 20k-100k random and edge operands each (the
 * string compares under all 128 imm8 values with random lengths). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/sse_int.h"
#include "check.h"

static x86_xmm X(uint64_t lo, uint64_t hi)
{
    return (x86_xmm){ .u64 = { lo, hi } };
}

static bool eq(x86_xmm a, x86_xmm b)
{
    return a.u64[0] == b.u64[0] && a.u64[1] == b.u64[1];
}

static void exact_values(void)
{
    x86_xmm a = X(0x7fff80007f80ff01ULL, 0x0123456789abcdefULL), b = X(0x0001ffff01807f02ULL, 0);
    x86_xmm d = X(~0ULL, ~0ULL);

    sse_add(&d, &a, &b, 2, SSE_SSAT, 16);
    CHECK_EQ(d.u64[0], 0x7fff80007fff7e03ULL, "paddsw saturates");
    sse_add(&d, &a, &b, 1, SSE_USAT, 16);
    CHECK_EQ(d.u8[0], 0x03, "paddusb");
    CHECK_EQ(d.u8[1], 0xff, "paddusb saturates at 0xff");
    sse_sub(&d, &b, &a, 1, SSE_USAT, 16);
    CHECK_EQ(d.u8[1], 0x00, "psubusb floors at 0");

    /* MMX forms leave the upper 8 bytes of the destination alone. */
    d = X(0, 0xaaaaaaaaaaaaaaaaULL);
    sse_add(&d, &a, &b, 4, SSE_WRAP, 8);
    CHECK(d.u64[1] == 0xaaaaaaaaaaaaaaaaULL && d.u32[0] == 0x7f80ff01u + 0x01807f02u,
          "paddd mm");
    d = X(0, 0);
    sse_packss(&d, &a, &b, 2, 8);
    CHECK(d.i8[0] == -128 && d.i8[1] == 127 && d.i8[2] == -128 && d.i8[3] == 127 &&
          d.i8[4] == 127 && d.i8[5] == 127 && d.i8[6] == -1 && d.i8[7] == 1, "packsswb mm");

    /* Shifts: counts past the width. */
    x86_xmm s = X(0x8000000000000001ULL, 0x4000000000000000ULL);
    sse_shift(&d, &s, 64, 8, SSE_SRL, 16);
    CHECK(eq(d, X(0, 0)), "psrlq 64 = 0");
    sse_shift(&d, &s, 1000, 4, SSE_SRA, 16);
    CHECK(eq(d, X(0xffffffff00000000ULL, 0)), "psrad huge = sign fill");
    sse_shift(&d, &s, 1, 2, SSE_SLL, 16);
    CHECK(eq(d, X(0x0000000000000002ULL, 0x8000000000000000ULL)), "psllw 1");
    sse_shift_bytes(&d, &s, 17, true);
    CHECK(eq(d, X(0, 0)), "pslldq 17");

    /* PSHUFB MMX indexes only 8 bytes. */
    x86_xmm t = X(0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL), idx = X(0x800f0e0908070100ULL, 0);
    d = t;
    sse_pshufb(&d, &t, &idx, 8);
    CHECK_EQ(d.u64[0], 0x0007060100070100ULL, "pshufb mm wraps indexes mod 8");
    CHECK_EQ(sse_pmovmskb(&idx, 8), 0x80, "pmovmskb mm");
    CHECK_EQ(sse_pextr(&t, 9, 2, 16), 0x0302, "pextrw index mod 8");

    /* String compares: find "lo" in "hello" (equal ordered, implicit lengths). */
    x86_xmm needle = X(0x6f6c, 0), hay = X(0x6f6c6c6568ULL, 0), m;
    uint32_t ix;
    unsigned fl = sse_pcmpstr(&needle, &hay, false, 0, 0, 0x0c, &ix, &m);
    CHECK_EQ(ix, 3, "pcmpistri substring index");
    CHECK_EQ(fl, SSE_INT_CF | SSE_INT_ZF | SSE_INT_SF, "pcmpistri flags");
    fl = sse_pcmpstr(&needle, &hay, true, -2, 0x7fffffffffffffffLL, 0x0c, &ix, &m);
    CHECK(ix == 3 && !(fl & SSE_INT_ZF) && (fl & SSE_INT_SF), "pcmpestri |len|, saturated");

    /* CRC32C check value of "123456789" (with the customary pre/post inversion). */
    uint32_t c = ~0u;
    const char *txt = "123456789";
    for (int i = 0; txt[i]; i++)
        c = sse_crc32c(c, (uint8_t)txt[i], 1);
    CHECK_EQ(~c, 0xe3069283u, "crc32c check value");
    CHECK_EQ(sse_crc32c(0x12345678, 0x0706050403020100ULL, 8),
             sse_crc32c(sse_crc32c(0x12345678, 0x03020100, 4), 0x07060504, 4),
             "crc32 q = two d");

    x86_xmm mw = X(0x0005000300070009ULL, 0x0003000400050006ULL);
    sse_phminposuw(&d, &mw);
    CHECK(eq(d, X(0x0000000000020003ULL, 0)), "phminposuw first minimum");
    CHECK_EQ(sse_ptest(&a, &b) & SSE_INT_ZF, 0, "ptest");
}

#if defined(__x86_64__)
#include <immintrin.h>

static uint64_t rng_state = 0x853c49e6748fea9bULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

/* Elements biased to 0, 1, 0x7f.., 0x80.., 0xff.. and small counts in the low qword. */
static x86_xmm operand(void)
{
    x86_xmm v;
    static const uint8_t special[] = { 0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x81, 0x41 };
    for (int i = 0; i < 16; i++) {
        uint64_t r = rnd();
        v.u8[i] = r & 1 ? special[(r >> 1) & 7] : (uint8_t)(r >> 8);
    }
    uint64_t r = rnd();
    if ((r & 7) == 0)
        v.u64[0] = (r >> 8) % 72;
    if ((r & 0x38) == 0)
        v.u64[0] = v.u64[1];
    return v;
}

typedef x86_xmm (*vec_fn)(const x86_xmm *, const x86_xmm *);

static void versus_host(const char *name, vec_fn host, vec_fn model, int n)
{
    int bad = 0;
    for (int i = 0; i < n; i++) {
        x86_xmm a = operand(), b = operand();
        if (rnd() % 8 == 0)
            b = a;
        x86_xmm h = host(&a, &b), m = model(&a, &b);
        if (!eq(h, m) && bad++ < 6)
            printf("#   %s a=%016" PRIx64 ":%016" PRIx64 " b=%016" PRIx64 ":%016" PRIx64
                   ": host %016" PRIx64 ":%016" PRIx64 " model %016" PRIx64 ":%016" PRIx64 "\n",
                   name, a.u64[1], a.u64[0], b.u64[1], b.u64[0], h.u64[1], h.u64[0],
                   m.u64[1], m.u64[0]);
    }
    char label[96];
    snprintf(label, sizeof label, "%s matches the host (%d cases, %d mismatches)", name, n,
             bad);
    CHECK(bad == 0, label);
}

#define TGT __attribute__((target("sse4.2,ssse3,popcnt")))
#define HOST(name, expr)                                                                  \
    TGT static x86_xmm h_##name(const x86_xmm *pa, const x86_xmm *pb)                     \
    {                                                                                     \
        __m128i a, b, r;                                                                  \
        x86_xmm o;                                                                        \
        memcpy(&a, pa, 16);                                                               \
        memcpy(&b, pb, 16);                                                               \
        (void)a;                                                                          \
        (void)b;                                                                          \
        r = (expr);                                                                       \
        memcpy(&o, &r, 16);                                                               \
        return o;                                                                         \
    }
#define MODEL(name, stmt)                                                                 \
    static x86_xmm m_##name(const x86_xmm *a, const x86_xmm *b)                           \
    {                                                                                     \
        x86_xmm d = { .u64 = { 0, 0 } };                                                  \
        (void)a;                                                                          \
        (void)b;                                                                          \
        stmt;                                                                             \
        return d;                                                                         \
    }
#define OP(name, expr, stmt) HOST(name, expr) MODEL(name, stmt)
#define PS(v) _mm_castsi128_ps(v)
#define PD(v) _mm_castsi128_pd(v)
#define FROM_PS(v) _mm_castps_si128(v)
#define FROM_PD(v) _mm_castpd_si128(v)

OP(paddb, _mm_add_epi8(a, b), sse_add(&d, a, b, 1, SSE_WRAP, 16))
OP(paddw, _mm_add_epi16(a, b), sse_add(&d, a, b, 2, SSE_WRAP, 16))
OP(paddd, _mm_add_epi32(a, b), sse_add(&d, a, b, 4, SSE_WRAP, 16))
OP(paddq, _mm_add_epi64(a, b), sse_add(&d, a, b, 8, SSE_WRAP, 16))
OP(paddsb, _mm_adds_epi8(a, b), sse_add(&d, a, b, 1, SSE_SSAT, 16))
OP(paddsw, _mm_adds_epi16(a, b), sse_add(&d, a, b, 2, SSE_SSAT, 16))
OP(paddusb, _mm_adds_epu8(a, b), sse_add(&d, a, b, 1, SSE_USAT, 16))
OP(paddusw, _mm_adds_epu16(a, b), sse_add(&d, a, b, 2, SSE_USAT, 16))
OP(psubb, _mm_sub_epi8(a, b), sse_sub(&d, a, b, 1, SSE_WRAP, 16))
OP(psubq, _mm_sub_epi64(a, b), sse_sub(&d, a, b, 8, SSE_WRAP, 16))
OP(psubsb, _mm_subs_epi8(a, b), sse_sub(&d, a, b, 1, SSE_SSAT, 16))
OP(psubsw, _mm_subs_epi16(a, b), sse_sub(&d, a, b, 2, SSE_SSAT, 16))
OP(psubusb, _mm_subs_epu8(a, b), sse_sub(&d, a, b, 1, SSE_USAT, 16))
OP(psubusw, _mm_subs_epu16(a, b), sse_sub(&d, a, b, 2, SSE_USAT, 16))
OP(pmullw, _mm_mullo_epi16(a, b), sse_mullo(&d, a, b, 2, 16))
OP(pmulld, _mm_mullo_epi32(a, b), sse_mullo(&d, a, b, 4, 16))
OP(pmulhw, _mm_mulhi_epi16(a, b), sse_mulhi16(&d, a, b, true, 16))
OP(pmulhuw, _mm_mulhi_epu16(a, b), sse_mulhi16(&d, a, b, false, 16))
OP(pmuludq, _mm_mul_epu32(a, b), sse_mul32x64(&d, a, b, false, 16))
OP(pmuldq, _mm_mul_epi32(a, b), sse_mul32x64(&d, a, b, true, 16))
OP(pmulhrsw, _mm_mulhrs_epi16(a, b), sse_pmulhrsw(&d, a, b, 16))
OP(pmaddwd, _mm_madd_epi16(a, b), sse_pmaddwd(&d, a, b, 16))
OP(pmaddubsw, _mm_maddubs_epi16(a, b), sse_pmaddubsw(&d, a, b, 16))
OP(pcmpeqb, _mm_cmpeq_epi8(a, b), sse_cmpeq(&d, a, b, 1, 16))
OP(pcmpeqw, _mm_cmpeq_epi16(a, b), sse_cmpeq(&d, a, b, 2, 16))
OP(pcmpeqd, _mm_cmpeq_epi32(a, b), sse_cmpeq(&d, a, b, 4, 16))
OP(pcmpeqq, _mm_cmpeq_epi64(a, b), sse_cmpeq(&d, a, b, 8, 16))
OP(pcmpgtb, _mm_cmpgt_epi8(a, b), sse_cmpgt(&d, a, b, 1, 16))
OP(pcmpgtw, _mm_cmpgt_epi16(a, b), sse_cmpgt(&d, a, b, 2, 16))
OP(pcmpgtd, _mm_cmpgt_epi32(a, b), sse_cmpgt(&d, a, b, 4, 16))
OP(pcmpgtq, _mm_cmpgt_epi64(a, b), sse_cmpgt(&d, a, b, 8, 16))
OP(pminsb, _mm_min_epi8(a, b), sse_minmax(&d, a, b, 1, true, false, 16))
OP(pminub, _mm_min_epu8(a, b), sse_minmax(&d, a, b, 1, false, false, 16))
OP(pminsw, _mm_min_epi16(a, b), sse_minmax(&d, a, b, 2, true, false, 16))
OP(pminuw, _mm_min_epu16(a, b), sse_minmax(&d, a, b, 2, false, false, 16))
OP(pminsd, _mm_min_epi32(a, b), sse_minmax(&d, a, b, 4, true, false, 16))
OP(pminud, _mm_min_epu32(a, b), sse_minmax(&d, a, b, 4, false, false, 16))
OP(pmaxsb, _mm_max_epi8(a, b), sse_minmax(&d, a, b, 1, true, true, 16))
OP(pmaxub, _mm_max_epu8(a, b), sse_minmax(&d, a, b, 1, false, true, 16))
OP(pmaxsw, _mm_max_epi16(a, b), sse_minmax(&d, a, b, 2, true, true, 16))
OP(pmaxuw, _mm_max_epu16(a, b), sse_minmax(&d, a, b, 2, false, true, 16))
OP(pmaxsd, _mm_max_epi32(a, b), sse_minmax(&d, a, b, 4, true, true, 16))
OP(pmaxud, _mm_max_epu32(a, b), sse_minmax(&d, a, b, 4, false, true, 16))
OP(pavgb, _mm_avg_epu8(a, b), sse_avg(&d, a, b, 1, 16))
OP(pavgw, _mm_avg_epu16(a, b), sse_avg(&d, a, b, 2, 16))
OP(pabsb, _mm_abs_epi8(b), sse_abs(&d, b, 1, 16))
OP(pabsw, _mm_abs_epi16(b), sse_abs(&d, b, 2, 16))
OP(pabsd, _mm_abs_epi32(b), sse_abs(&d, b, 4, 16))
OP(psignb, _mm_sign_epi8(a, b), sse_sign(&d, a, b, 1, 16))
OP(psignw, _mm_sign_epi16(a, b), sse_sign(&d, a, b, 2, 16))
OP(psignd, _mm_sign_epi32(a, b), sse_sign(&d, a, b, 4, 16))
OP(phaddw, _mm_hadd_epi16(a, b), sse_hadd(&d, a, b, 2, SSE_WRAP, false, 16))
OP(phaddd, _mm_hadd_epi32(a, b), sse_hadd(&d, a, b, 4, SSE_WRAP, false, 16))
OP(phaddsw, _mm_hadds_epi16(a, b), sse_hadd(&d, a, b, 2, SSE_SSAT, false, 16))
OP(phsubw, _mm_hsub_epi16(a, b), sse_hadd(&d, a, b, 2, SSE_WRAP, true, 16))
OP(phsubd, _mm_hsub_epi32(a, b), sse_hadd(&d, a, b, 4, SSE_WRAP, true, 16))
OP(phsubsw, _mm_hsubs_epi16(a, b), sse_hadd(&d, a, b, 2, SSE_SSAT, true, 16))
OP(psllw, _mm_sll_epi16(a, b), sse_shift(&d, a, b->u64[0], 2, SSE_SLL, 16))
OP(pslld, _mm_sll_epi32(a, b), sse_shift(&d, a, b->u64[0], 4, SSE_SLL, 16))
OP(psllq, _mm_sll_epi64(a, b), sse_shift(&d, a, b->u64[0], 8, SSE_SLL, 16))
OP(psrlw, _mm_srl_epi16(a, b), sse_shift(&d, a, b->u64[0], 2, SSE_SRL, 16))
OP(psrld, _mm_srl_epi32(a, b), sse_shift(&d, a, b->u64[0], 4, SSE_SRL, 16))
OP(psrlq, _mm_srl_epi64(a, b), sse_shift(&d, a, b->u64[0], 8, SSE_SRL, 16))
OP(psraw, _mm_sra_epi16(a, b), sse_shift(&d, a, b->u64[0], 2, SSE_SRA, 16))
OP(psrad, _mm_sra_epi32(a, b), sse_shift(&d, a, b->u64[0], 4, SSE_SRA, 16))
OP(pslldq5, _mm_slli_si128(a, 5), sse_shift_bytes(&d, a, 5, true))
OP(psrldq15, _mm_srli_si128(a, 15), sse_shift_bytes(&d, a, 15, false))
OP(psrldq16, _mm_srli_si128(a, 16), sse_shift_bytes(&d, a, 16, false))
OP(packsswb, _mm_packs_epi16(a, b), sse_packss(&d, a, b, 2, 16))
OP(packssdw, _mm_packs_epi32(a, b), sse_packss(&d, a, b, 4, 16))
OP(packuswb, _mm_packus_epi16(a, b), sse_packus(&d, a, b, 2, 16))
OP(packusdw, _mm_packus_epi32(a, b), sse_packus(&d, a, b, 4, 16))
OP(punpcklbw, _mm_unpacklo_epi8(a, b), sse_unpack(&d, a, b, 1, false, 16))
OP(punpckhbw, _mm_unpackhi_epi8(a, b), sse_unpack(&d, a, b, 1, true, 16))
OP(punpcklwd, _mm_unpacklo_epi16(a, b), sse_unpack(&d, a, b, 2, false, 16))
OP(punpckhwd, _mm_unpackhi_epi16(a, b), sse_unpack(&d, a, b, 2, true, 16))
OP(punpckldq, _mm_unpacklo_epi32(a, b), sse_unpack(&d, a, b, 4, false, 16))
OP(punpckhdq, _mm_unpackhi_epi32(a, b), sse_unpack(&d, a, b, 4, true, 16))
OP(punpcklqdq, _mm_unpacklo_epi64(a, b), sse_unpack(&d, a, b, 8, false, 16))
OP(punpckhqdq, _mm_unpackhi_epi64(a, b), sse_unpack(&d, a, b, 8, true, 16))
OP(pshufd, _mm_shuffle_epi32(a, 0x1b), sse_pshufd(&d, a, 0x1b))
OP(pshuflw, _mm_shufflelo_epi16(a, 0xd2), sse_pshuflw(&d, a, 0xd2))
OP(pshufhw, _mm_shufflehi_epi16(a, 0x39), sse_pshufhw(&d, a, 0x39))
OP(shufps, FROM_PS(_mm_shuffle_ps(PS(a), PS(b), 0x9c)), sse_shufps(&d, a, b, 0x9c))
OP(shufpd, FROM_PD(_mm_shuffle_pd(PD(a), PD(b), 2)), sse_shufpd(&d, a, b, 2))
OP(pshufb, _mm_shuffle_epi8(a, b), sse_pshufb(&d, a, b, 16))
OP(palignr3, _mm_alignr_epi8(a, b, 3), sse_palignr(&d, a, b, 3, 16))
OP(palignr17, _mm_alignr_epi8(a, b, 17), sse_palignr(&d, a, b, 17, 16))
OP(palignr32, _mm_alignr_epi8(a, b, 32), sse_palignr(&d, a, b, 32, 16))
OP(psadbw, _mm_sad_epu8(a, b), sse_psadbw(&d, a, b, 16))
OP(mpsadbw0, _mm_mpsadbw_epu8(a, b, 0), sse_mpsadbw(&d, a, b, 0))
OP(mpsadbw5, _mm_mpsadbw_epu8(a, b, 5), sse_mpsadbw(&d, a, b, 5))
OP(mpsadbw7, _mm_mpsadbw_epu8(a, b, 7), sse_mpsadbw(&d, a, b, 7))
OP(phminposuw, _mm_minpos_epu16(a), sse_phminposuw(&d, a))
OP(pmovmskb, _mm_cvtsi32_si128(_mm_movemask_epi8(a)), d.u32[0] = sse_pmovmskb(a, 16))
OP(movmskps, _mm_cvtsi32_si128(_mm_movemask_ps(PS(a))), d.u32[0] = sse_movmskps(a))
OP(movmskpd, _mm_cvtsi32_si128(_mm_movemask_pd(PD(a))), d.u32[0] = sse_movmskpd(a))
OP(pinsrb, _mm_insert_epi8(a, (int)pb->u32[0], 13), d = *a; sse_pinsr(&d, b->u8[0], 13, 1, 16))
OP(pextrd, _mm_cvtsi32_si128(_mm_extract_epi32(a, 2)), d.u64[0] = sse_pextr(a, 2, 4, 16))
OP(pmovsxbw, _mm_cvtepi8_epi16(a), sse_pmovx(&d, a, 1, 2, true))
OP(pmovsxbd, _mm_cvtepi8_epi32(a), sse_pmovx(&d, a, 1, 4, true))
OP(pmovsxbq, _mm_cvtepi8_epi64(a), sse_pmovx(&d, a, 1, 8, true))
OP(pmovsxwd, _mm_cvtepi16_epi32(a), sse_pmovx(&d, a, 2, 4, true))
OP(pmovsxwq, _mm_cvtepi16_epi64(a), sse_pmovx(&d, a, 2, 8, true))
OP(pmovsxdq, _mm_cvtepi32_epi64(a), sse_pmovx(&d, a, 4, 8, true))
OP(pmovzxbw, _mm_cvtepu8_epi16(a), sse_pmovx(&d, a, 1, 2, false))
OP(pmovzxbd, _mm_cvtepu8_epi32(a), sse_pmovx(&d, a, 1, 4, false))
OP(pmovzxbq, _mm_cvtepu8_epi64(a), sse_pmovx(&d, a, 1, 8, false))
OP(pmovzxwd, _mm_cvtepu16_epi32(a), sse_pmovx(&d, a, 2, 4, false))
OP(pmovzxwq, _mm_cvtepu16_epi64(a), sse_pmovx(&d, a, 2, 8, false))
OP(pmovzxdq, _mm_cvtepu32_epi64(a), sse_pmovx(&d, a, 4, 8, false))
OP(pblendw, _mm_blend_epi16(a, b, 0xa6), sse_blend_imm(&d, a, b, 0xa6, 2))
OP(blendps, FROM_PS(_mm_blend_ps(PS(a), PS(b), 0x5)), sse_blend_imm(&d, a, b, 0x5, 4))
OP(blendpd, FROM_PD(_mm_blend_pd(PD(a), PD(b), 0x2)), sse_blend_imm(&d, a, b, 0x2, 8))
OP(pblendvb, _mm_blendv_epi8(a, b, _mm_xor_si128(a, b)),
   x86_xmm mk = X(a->u64[0] ^ b->u64[0], a->u64[1] ^ b->u64[1]);
   sse_blend_var(&d, a, b, &mk, 1))
OP(blendvps, FROM_PS(_mm_blendv_ps(PS(a), PS(b), PS(_mm_xor_si128(a, b)))),
   x86_xmm mk = X(a->u64[0] ^ b->u64[0], a->u64[1] ^ b->u64[1]);
   sse_blend_var(&d, a, b, &mk, 4))
OP(blendvpd, FROM_PD(_mm_blendv_pd(PD(a), PD(b), PD(_mm_xor_si128(a, b)))),
   x86_xmm mk = X(a->u64[0] ^ b->u64[0], a->u64[1] ^ b->u64[1]);
   sse_blend_var(&d, a, b, &mk, 8))
OP(ptest, _mm_cvtsi32_si128(_mm_testz_si128(a, b) * SSE_INT_ZF + _mm_testc_si128(a, b) * SSE_INT_CF),
   d.u32[0] = sse_ptest(a, b))
OP(crc32, _mm_cvtsi64_si128((long long)_mm_crc32_u64(_mm_crc32_u16(_mm_crc32_u8(_mm_crc32_u32(pa->u32[0], pb->u32[0]), pb->u8[4]), pb->u16[3]), pb->u64[1])),
   d.u64[0] = sse_crc32c(sse_crc32c(sse_crc32c(sse_crc32c(a->u32[0], b->u32[0], 4), b->u8[4], 1), b->u16[3], 2), b->u64[1], 8))

struct vec_case {
    const char *name;
    vec_fn host, model;
};
#define CASE(name) { #name, h_##name, m_##name }
static const struct vec_case vec_cases[] = {
    CASE(paddb), CASE(paddw), CASE(paddd), CASE(paddq), CASE(paddsb), CASE(paddsw),
    CASE(paddusb), CASE(paddusw), CASE(psubb), CASE(psubq), CASE(psubsb), CASE(psubsw),
    CASE(psubusb), CASE(psubusw), CASE(pmullw), CASE(pmulld), CASE(pmulhw), CASE(pmulhuw),
    CASE(pmuludq), CASE(pmuldq), CASE(pmulhrsw), CASE(pmaddwd), CASE(pmaddubsw),
    CASE(pcmpeqb), CASE(pcmpeqw), CASE(pcmpeqd), CASE(pcmpeqq), CASE(pcmpgtb),
    CASE(pcmpgtw), CASE(pcmpgtd), CASE(pcmpgtq), CASE(pminsb), CASE(pminub), CASE(pminsw),
    CASE(pminuw), CASE(pminsd), CASE(pminud), CASE(pmaxsb), CASE(pmaxub), CASE(pmaxsw),
    CASE(pmaxuw), CASE(pmaxsd), CASE(pmaxud), CASE(pavgb), CASE(pavgw), CASE(pabsb),
    CASE(pabsw), CASE(pabsd), CASE(psignb), CASE(psignw), CASE(psignd), CASE(phaddw),
    CASE(phaddd), CASE(phaddsw), CASE(phsubw), CASE(phsubd), CASE(phsubsw), CASE(psllw),
    CASE(pslld), CASE(psllq), CASE(psrlw), CASE(psrld), CASE(psrlq), CASE(psraw),
    CASE(psrad), CASE(pslldq5), CASE(psrldq15), CASE(psrldq16), CASE(packsswb),
    CASE(packssdw), CASE(packuswb), CASE(packusdw), CASE(punpcklbw), CASE(punpckhbw),
    CASE(punpcklwd), CASE(punpckhwd), CASE(punpckldq), CASE(punpckhdq), CASE(punpcklqdq),
    CASE(punpckhqdq), CASE(pshufd), CASE(pshuflw), CASE(pshufhw), CASE(shufps),
    CASE(shufpd), CASE(pshufb), CASE(palignr3), CASE(palignr17), CASE(palignr32),
    CASE(psadbw), CASE(mpsadbw0), CASE(mpsadbw5), CASE(mpsadbw7), CASE(phminposuw),
    CASE(pmovmskb), CASE(movmskps), CASE(movmskpd), CASE(pinsrb), CASE(pextrd),
    CASE(pmovsxbw), CASE(pmovsxbd), CASE(pmovsxbq), CASE(pmovsxwd), CASE(pmovsxwq),
    CASE(pmovsxdq), CASE(pmovzxbw), CASE(pmovzxbd), CASE(pmovzxbq), CASE(pmovzxwd),
    CASE(pmovzxwq), CASE(pmovzxdq), CASE(pblendw), CASE(blendps), CASE(blendpd),
    CASE(pblendvb), CASE(blendvps), CASE(blendvpd), CASE(ptest), CASE(crc32),
};

/* The string compares through inline asm: the immediate must be a constant, so each of
 * the 128 meaningful imm8 values gets its own instruction. Without REX.W the explicit
 * lengths are EAX and EDX, so the lengths stay within int32_t. */
typedef struct str_out {
    uint32_t ecx;
    uint64_t rflags;
    x86_xmm xmm0;
} str_out;

#define STR_CASE(n)                                                                       \
    case n:                                                                               \
        if (explicit_len) {                                                               \
            __asm__ volatile("pcmpestri $" #n ", %[b], %[a]\n\tpushfq\n\tpopq %[f]"        \
                             : "=c"(o.ecx), [f] "=r"(o.rflags)                            \
                             : [a] "x"(va), [b] "x"(vb), "a"(la), "d"(lb) : "cc");        \
            __asm__ volatile("pcmpestrm $" #n ", %[b], %[a]"                              \
                             : "=x"(vm) : [a] "x"(va), [b] "x"(vb), "a"(la), "d"(lb)      \
                             : "cc");                                                     \
        } else {                                                                          \
            __asm__ volatile("pcmpistri $" #n ", %[b], %[a]\n\tpushfq\n\tpopq %[f]"        \
                             : "=c"(o.ecx), [f] "=r"(o.rflags)                            \
                             : [a] "x"(va), [b] "x"(vb) : "cc");                          \
            __asm__ volatile("pcmpistrm $" #n ", %[b], %[a]"                              \
                             : "=x"(vm) : [a] "x"(va), [b] "x"(vb) : "cc");               \
        }                                                                                 \
        break;
#define STR8(n) STR_CASE(n##0) STR_CASE(n##1) STR_CASE(n##2) STR_CASE(n##3)               \
    STR_CASE(n##4) STR_CASE(n##5) STR_CASE(n##6) STR_CASE(n##7)

TGT static str_out host_pcmpstr(const x86_xmm *a, const x86_xmm *b, bool explicit_len,
                                int64_t la, int64_t lb, unsigned imm)
{
    __m128i va, vb;
    register __m128i vm __asm__("xmm0");
    str_out o = { 0, 0, { .u64 = { 0, 0 } } };
    memcpy(&va, a, 16);
    memcpy(&vb, b, 16);
    /* Octal digit pairs enumerate 0..127 (imm8 bit 7 is ignored by the hardware). */
    switch (imm) {
    STR8(00) STR8(01) STR8(02) STR8(03) STR8(04) STR8(05) STR8(06) STR8(07)
    STR8(010) STR8(011) STR8(012) STR8(013) STR8(014) STR8(015) STR8(016) STR8(017)
    default: vm = _mm_setzero_si128(); break;
    }
    __m128i copy = vm;
    memcpy(&o.xmm0, &copy, 16);
    return o;
}

/* Short strings with repeated characters, so that matches and ranges are common. */
static x86_xmm str_operand(void)
{
    x86_xmm v;
    uint64_t r = rnd();
    unsigned alphabet = 2 + (unsigned)(r % 6);
    for (int i = 0; i < 16; i++)
        v.u8[i] = (uint8_t)("\x00\x41\x42\x43\x7f\x80\xff\x61"[rnd() % alphabet]);
    if (r & 0x100)
        v.u8[rnd() % 16] = 0;
    if ((r & 0xe00) == 0)
        v.u8[rnd() % 16] = (uint8_t)rnd();
    return v;
}

static void string_compares(void)
{
    int bad = 0, n = 0;
    for (unsigned imm = 0; imm < 128; imm++) {
        for (int i = 0; i < 400; i++, n++) {
            x86_xmm a = str_operand(), b = str_operand();
            bool explicit_len = i & 1;
            uint64_t r = rnd();
            int64_t la = (int64_t)(r % 41) - 20, lb = (int64_t)((r >> 8) % 41) - 20;
            if ((r >> 16) % 16 == 0)
                la = INT32_MIN;
            if ((r >> 20) % 16 == 0)
                lb = INT32_MAX;
            str_out h = host_pcmpstr(&a, &b, explicit_len, la, lb, imm);
            uint32_t ix;
            x86_xmm m;
            unsigned fl = sse_pcmpstr(&a, &b, explicit_len, la, lb, imm, &ix, &m);
            unsigned hf = (unsigned)h.rflags & (SSE_INT_CF | SSE_INT_ZF | SSE_INT_SF |
                                                 SSE_INT_OF | SSE_INT_AF | SSE_INT_PF);
            if ((h.ecx != ix || hf != fl || !eq(h.xmm0, m)) && bad++ < 8)
                printf("#   pcmp%sstr imm=%02x a=%016" PRIx64 ":%016" PRIx64 " b=%016" PRIx64
                       ":%016" PRIx64 " la=%" PRId64 " lb=%" PRId64 ": host ecx %u flags %x "
                       "mask %016" PRIx64 ":%016" PRIx64 ", model ecx %u flags %x mask %016"
                       PRIx64 ":%016" PRIx64 "\n",
                       explicit_len ? "e" : "i", imm, a.u64[1], a.u64[0], b.u64[1],
                       b.u64[0], la, lb, h.ecx, hf, h.xmm0.u64[1], h.xmm0.u64[0], ix, fl,
                       m.u64[1], m.u64[0]);
        }
    }
    char label[96];
    snprintf(label, sizeof label,
             "pcmpestri/m, pcmpistri/m match the host (%d cases, %d mismatches)", n, bad);
    CHECK(bad == 0, label);
}

static void host_comparison(void)
{
    for (size_t i = 0; i < sizeof vec_cases / sizeof vec_cases[0]; i++)
        versus_host(vec_cases[i].name, vec_cases[i].host, vec_cases[i].model, 20000);
    string_compares();
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
