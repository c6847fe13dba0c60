/* SSE..SSE4.2 and x87 groups of the generator, and the floating-point part of the
 * initial state (XMM lanes, MXCSR, x87 stack and control word, float values in the data).
 *
 * SSE forms come from one table (opcode, mandatory prefix, map, operand form, memory size
 * and whether legacy SSE requires 16-byte alignment there). Values favour the edges:
 * signed zeros, denormals, the smallest/largest normals, infinities, QNaN/SNaN, halfway
 * cases, and integers at the conversion limits (integer-indefinite results). MXCSR and
 * the x87 control word take every rounding mode, FTZ/DAZ and precision control, and some
 * cases unmask exceptions (#XM, #MF). x87 transcendental instructions are not generated
 * (their last-bit results are microcode-specific; see README.md). */
#include "gen.h"

#include <string.h>

/* ---- values ---- */

static uint32_t f32_edge(xd_gen *g)
{
    static const uint32_t v[] = {
        0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007fffff, 0x807fffff, 0x00800000,
        0x80800000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000,
        0x7f800001, 0xff800001, 0x7fbfffff, 0x3f800000, 0xbf800000, 0x3f000000, 0x3fc00000,
        0x40200000, 0xbfc00000, 0x4f000000, 0xcf000000, 0x5f000000, 0xdf000000, 0x4effffff,
        0x3f7fffff, 0x3f800001, 0x33800000, 0x34000000,
    };
    if (xd_chance(g, 60))
        return v[xd_below(g, sizeof v / sizeof v[0])];
    if (xd_chance(g, 50)) /* a float near small integers */
        return (uint32_t)((0x3e0u + xd_below(g, 0x110)) << 20) | (uint32_t)(xd_rnd(g) & 0xfffff);
    return (uint32_t)xd_rnd(g);
}

static uint64_t f64_edge(xd_gen *g)
{
    static const uint64_t v[] = {
        0, 0x8000000000000000ull, 1, 0x8000000000000001ull, 0x000fffffffffffffull,
        0x0010000000000000ull, 0x8010000000000000ull, 0x7fefffffffffffffull,
        0xffefffffffffffffull, 0x7ff0000000000000ull, 0xfff0000000000000ull,
        0x7ff8000000000000ull, 0xfff8000000000000ull, 0x7ff0000000000001ull,
        0x7ff7ffffffffffffull, 0x3ff0000000000000ull, 0xbff0000000000000ull,
        0x3fe0000000000000ull, 0x3ff8000000000000ull, 0x4004000000000000ull,
        0xbff8000000000000ull, 0x41e0000000000000ull, 0xc1e0000000000000ull,
        0x41dfffffffffffffull, 0x43e0000000000000ull, 0xc3e0000000000000ull,
        0x47efffffe0000000ull, 0x36a0000000000000ull, 0x3ca0000000000000ull,
        0x3fefffffffffffffull, 0x3ff0000000000001ull, 0x380fffffffffffffull,
        0x41dfffffffc00000ull, 0xc1e0000000200000ull,
    };
    if (xd_chance(g, 60))
        return v[xd_below(g, sizeof v / sizeof v[0])];
    if (xd_chance(g, 50))
        return ((0x3c0ull + xd_below(g, 0x90)) << 52) | (xd_rnd(g) & 0xfffffffffffffull);
    return xd_rnd(g);
}

/* An 80-bit value: edges, conversions of f64 edges, and the invalid encodings (unnormal,
 * pseudo-NaN/infinity/denormal) that the x87 rejects or treats specially. */
static void f80_edge(xd_gen *g, uint8_t out[10])
{
    uint64_t mant;
    unsigned se;
    switch (xd_below(g, 6)) {
    case 0:
    { /* from an f64 edge, exactly */
        uint64_t d = f64_edge(g);
        unsigned e = (unsigned)(d >> 52) & 0x7ff;
        uint64_t f = d & 0xfffffffffffffull;
        se = (unsigned)(d >> 63) << 15;
        if (e == 0x7ff) {
            se |= 0x7fff;
            mant = (1ull << 63) | (f << 11);
        } else if (e == 0 && f == 0) {
            mant = 0;
        } else if (e == 0) {
            unsigned sh = (unsigned)__builtin_clzll(f) - 11;
            mant = (f << 11) << sh;
            se |= 15361 - 1022 - sh + 0; /* normalised: 2^-1022 * 0.f */
            mant |= 1ull << 63;
        } else {
            se |= e - 1023 + 16383;
            mant = (1ull << 63) | (f << 11);
        }
        break;
    }
    case 1: /* specials */
    {
        static const struct { uint64_t m; unsigned se; } v[] = {
            { 0, 0 }, { 0, 0x8000 }, { 1ull << 63, 0x7fff }, { 1ull << 63, 0xffff },
            { 0xc000000000000000ull, 0x7fff }, { 0xc000000000000000ull, 0xffff },
            { 0x8000000000000001ull, 0x7fff }, { 1, 0 }, { 0x7fffffffffffffffull, 0x8000 },
            { 1ull << 63, 1 }, { 0xffffffffffffffffull, 0x7ffe }, { 1ull << 63, 0x3fff },
            { 1ull << 63, 0xbfff }, { 0xc000000000000000ull, 0x3fff },
            { 0x4000000000000000ull, 0x3fff },       /* unnormal */
            { 0x8000000000000000ull, 0 },            /* pseudo-denormal */
            { 0, 0x7fff }, { 0x4000000000000000ull, 0x7fff }, /* pseudo-inf/NaN */
            { 0xfffffffffffff800ull, 0x403d },       /* just below 2^63 */
            { 1ull << 63, 0x403e }, { 1ull << 63, 0xc03e }, { 0xc000000000000000ull, 0x3ffe },
        };
        unsigned k = xd_below(g, sizeof v / sizeof v[0]);
        mant = v[k].m;
        se = v[k].se;
        break;
    }
    case 2: /* halfway cases for the 24- and 53-bit precision controls */
        mant = (1ull << 63) | (xd_rnd(g) & ~0xffffffffffull) | (xd_chance(g, 50) ? 0x8000000000ull : 0x400ull);
        se = (unsigned)(0x3ff0 + xd_below(g, 0x20)) | (xd_chance(g, 50) ? 0x8000 : 0);
        break;
    default: /* normal numbers of moderate size */
        mant = (1ull << 63) | xd_rnd(g);
        se = (unsigned)(0x3fb0 + xd_below(g, 0xa0)) | (xd_chance(g, 30) ? 0x8000 : 0);
        break;
    }
    memcpy(out, &mant, 8);
    out[8] = (uint8_t)se;
    out[9] = (uint8_t)(se >> 8);
}

static void xmm_value(xd_gen *g, uint64_t q[2])
{
    switch (xd_below(g, 4)) {
    case 0:
        for (int i = 0; i < 2; i++)
            q[i] = (uint64_t)f32_edge(g) | (uint64_t)f32_edge(g) << 32;
        break;
    case 1:
        q[0] = f64_edge(g);
        q[1] = f64_edge(g);
        break;
    case 2:
        q[0] = xd_edge(g, 8);
        q[1] = xd_edge(g, 8);
        break;
    default:
        q[0] = xd_rnd(g);
        q[1] = xd_rnd(g);
        break;
    }
}

static uint32_t mxcsr_value(xd_gen *g)
{
    uint32_t m = 0x1f80;
    m |= (uint32_t)xd_below(g, 4) << 13;          /* RC */
    if (xd_chance(g, 20))
        m |= 0x8000;                             /* FTZ */
    if (xd_chance(g, 20))
        m |= 0x0040;                             /* DAZ */
    if (xd_chance(g, 10))
        m &= ~((uint32_t)(xd_rnd(g) & 0x3f) << 7); /* unmask some exceptions */
    if (xd_chance(g, 30))
        m |= (uint32_t)(xd_rnd(g) & 0x3f);       /* sticky flags already set */
    return m;
}

static uint16_t fcw_value(xd_gen *g)
{
    static const uint16_t pc[] = { 0x000, 0x200, 0x300, 0x300 };
    uint16_t w = 0x0040 | 0x003f;
    w |= pc[xd_below(g, 4)];
    w |= (uint16_t)(xd_below(g, 4) << 10);
    if (xd_chance(g, 8))
        w &= (uint16_t)~(xd_rnd(g) & 0x3f);
    return w;
}

void xd_init_fp_state(xd_gen *g, xd_state *s)
{
    for (int i = 0; i < 16; i++)
        xmm_value(g, s->xmm[i]);
    s->mxcsr = mxcsr_value(g);
    s->fcw = fcw_value(g);
    unsigned top = xd_below(g, 8), depth = xd_below(g, 9);
    s->fsw = (uint16_t)(top << 11);
    s->ftw = 0;
    for (unsigned i = 0; i < 8; i++) {
        f80_edge(g, s->st[i]);
        if (i < depth)
            s->ftw |= (uint8_t)(1u << ((top + i) & 7));
    }
    /* float values in a quarter of the data */
    for (unsigned off = 0; off + 16 <= XD_DATA_SIZE; off += 16) {
        switch (xd_below(g, 16)) {
        case 0:
        {
            uint32_t f[4] = { f32_edge(g), f32_edge(g), f32_edge(g), f32_edge(g) };
            memcpy(s->data + off, f, 16);
            break;
        }
        case 1:
        {
            uint64_t d[2] = { f64_edge(g), f64_edge(g) };
            memcpy(s->data + off, d, 16);
            break;
        }
        case 2:
            f80_edge(g, s->data + off);
            break;
        default:
            break;
        }
    }
}

/* ---- SSE ---- */

enum {
    F_XX,    /* xmm, xmm/m */
    F_XXI,   /* xmm, xmm/m, imm8 */
    F_XS,    /* store: xmm/m (rm), xmm (reg) */
    F_XG,    /* xmm, r/m32/64 (REX.W picks) */
    F_XGI,   /* xmm, r32/m8-32, imm8 (PINSRx) */
    F_GX,    /* r32/64, xmm/m */
    F_GXR,   /* r32, xmm register only */
    F_GXRI,  /* r32, xmm register only, imm8 (PEXTRW 0F C5) */
    F_SXI,   /* r/m, xmm, imm8: PEXTRB/W/D/Q, EXTRACTPS */
    F_SHI,   /* 66 0F 71/72/73 /digit xmm, imm8 */
    F_MX,    /* xmm, m only */
    F_SM,    /* m only, xmm (store) */
    F_CRC,   /* CRC32 r32/64, r/m8..64 */
};

typedef struct sse_op {
    uint8_t pfx, map, opc, form, msize;
    bool align;     /* legacy SSE: a misaligned m128 raises #GP(0) */
    uint8_t digit;  /* F_SHI */
    uint8_t flags;  /* 1: writes all arithmetic flags (COMIS, PTEST, PCMPxSTRx) */
} sse_op;

#define A true
#define U false
static const sse_op sse_int_ops[] = {
    { 0x66, 1, 0x60, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x61, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x62, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0x63, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x64, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x65, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0x66, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x67, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x68, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0x69, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x6a, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x6b, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0x6c, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x6d, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x6e, F_XG, 4, U, 0, 0 },
    { 0x66, 1, 0x6f, F_XX, 16, A, 0, 0 }, { 0xf3, 1, 0x6f, F_XX, 16, U, 0, 0 }, { 0x66, 1, 0x70, F_XXI, 16, A, 0, 0 },
    { 0xf3, 1, 0x70, F_XXI, 16, A, 0, 0 }, { 0xf2, 1, 0x70, F_XXI, 16, A, 0, 0 },
    { 0x66, 1, 0x71, F_SHI, 0, U, 2, 0 }, { 0x66, 1, 0x71, F_SHI, 0, U, 4, 0 }, { 0x66, 1, 0x71, F_SHI, 0, U, 6, 0 },
    { 0x66, 1, 0x72, F_SHI, 0, U, 2, 0 }, { 0x66, 1, 0x72, F_SHI, 0, U, 4, 0 }, { 0x66, 1, 0x72, F_SHI, 0, U, 6, 0 },
    { 0x66, 1, 0x73, F_SHI, 0, U, 2, 0 }, { 0x66, 1, 0x73, F_SHI, 0, U, 3, 0 }, { 0x66, 1, 0x73, F_SHI, 0, U, 6, 0 },
    { 0x66, 1, 0x73, F_SHI, 0, U, 7, 0 },
    { 0x66, 1, 0x74, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x75, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x76, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0x7e, F_SXI, 4, U, 0, 0 }, /* MOVD r/m32, xmm (no imm: handled below) */
    { 0xf3, 1, 0x7e, F_XX, 8, U, 0, 0 },  { 0x66, 1, 0x7f, F_XS, 16, A, 0, 0 }, { 0xf3, 1, 0x7f, F_XS, 16, U, 0, 0 },
    { 0x66, 1, 0xd1, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xd2, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xd3, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0xd4, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xd5, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xd6, F_XS, 8, U, 0, 0 },
    { 0x66, 1, 0xd7, F_GXR, 0, U, 0, 0 }, { 0x66, 1, 0xd8, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xd9, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0xda, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xdb, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xdc, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0xdd, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xde, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xdf, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0xe0, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xe1, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xe2, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0xe3, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xe4, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xe5, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0xe7, F_SM, 16, A, 0, 0 }, { 0x66, 1, 0xe8, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xe9, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0xea, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xeb, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xec, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0xed, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xee, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xef, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0xf1, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xf2, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xf3, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0xf4, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xf5, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xf6, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0xf8, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xf9, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xfa, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0xfb, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xfc, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xfd, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0xfe, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xc4, F_XGI, 2, U, 0, 0 }, { 0x66, 1, 0xc5, F_GXRI, 0, U, 0, 0 },
    /* SSSE3 */
    { 0x66, 2, 0x00, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x01, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x02, F_XX, 16, A, 0, 0 },
    { 0x66, 2, 0x03, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x04, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x05, F_XX, 16, A, 0, 0 },
    { 0x66, 2, 0x06, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x07, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x08, F_XX, 16, A, 0, 0 },
    { 0x66, 2, 0x09, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x0a, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x0b, F_XX, 16, A, 0, 0 },
    { 0x66, 2, 0x1c, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x1d, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x1e, F_XX, 16, A, 0, 0 },
    { 0x66, 3, 0x0f, F_XXI, 16, A, 0, 0 },
};

static const sse_op sse_fp_ops[] = {
    { 0x00, 1, 0x10, F_XX, 16, U, 0, 0 }, { 0xf3, 1, 0x10, F_XX, 4, U, 0, 0 },  { 0x66, 1, 0x10, F_XX, 16, U, 0, 0 },
    { 0xf2, 1, 0x10, F_XX, 8, U, 0, 0 },  { 0x00, 1, 0x11, F_XS, 16, U, 0, 0 }, { 0xf3, 1, 0x11, F_XS, 4, U, 0, 0 },
    { 0x66, 1, 0x11, F_XS, 16, U, 0, 0 }, { 0xf2, 1, 0x11, F_XS, 8, U, 0, 0 },  { 0x00, 1, 0x12, F_XX, 8, U, 0, 0 },
    { 0x66, 1, 0x12, F_MX, 8, U, 0, 0 },  { 0x00, 1, 0x13, F_SM, 8, U, 0, 0 },  { 0x00, 1, 0x14, F_XX, 16, A, 0, 0 },
    { 0x00, 1, 0x15, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x14, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x15, F_XX, 16, A, 0, 0 },
    { 0x00, 1, 0x16, F_XX, 8, U, 0, 0 },  { 0x66, 1, 0x16, F_MX, 8, U, 0, 0 },  { 0x00, 1, 0x17, F_SM, 8, U, 0, 0 },
    { 0xf3, 1, 0x12, F_XX, 16, A, 0, 0 }, { 0xf3, 1, 0x16, F_XX, 16, A, 0, 0 }, { 0xf2, 1, 0x12, F_XX, 8, U, 0, 0 },
    { 0x00, 1, 0x28, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x28, F_XX, 16, A, 0, 0 }, { 0x00, 1, 0x29, F_XS, 16, A, 0, 0 },
    { 0x66, 1, 0x29, F_XS, 16, A, 0, 0 }, { 0x00, 1, 0x2b, F_SM, 16, A, 0, 0 },
    { 0x00, 1, 0x2e, F_XX, 4, U, 0, 1 }, { 0x00, 1, 0x2f, F_XX, 4, U, 0, 1 },
    { 0x66, 1, 0x2e, F_XX, 8, U, 0, 1 }, { 0x66, 1, 0x2f, F_XX, 8, U, 0, 1 },
    { 0x00, 1, 0x50, F_GXR, 0, U, 0, 0 }, { 0x66, 1, 0x50, F_GXR, 0, U, 0, 0 },
    { 0x00, 1, 0x51, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x51, F_XX, 16, A, 0, 0 }, { 0xf3, 1, 0x51, F_XX, 4, U, 0, 0 },
    { 0xf2, 1, 0x51, F_XX, 8, U, 0, 0 },  { 0x00, 1, 0x52, F_XX, 16, A, 0, 0 }, { 0xf3, 1, 0x52, F_XX, 4, U, 0, 0 },
    { 0x00, 1, 0x53, F_XX, 16, A, 0, 0 }, { 0xf3, 1, 0x53, F_XX, 4, U, 0, 0 },
    { 0x00, 1, 0x54, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x54, F_XX, 16, A, 0, 0 }, { 0x00, 1, 0x55, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0x55, F_XX, 16, A, 0, 0 }, { 0x00, 1, 0x56, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x56, F_XX, 16, A, 0, 0 },
    { 0x00, 1, 0x57, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x57, F_XX, 16, A, 0, 0 },
    { 0x00, 1, 0x58, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x58, F_XX, 16, A, 0, 0 }, { 0xf3, 1, 0x58, F_XX, 4, U, 0, 0 },
    { 0xf2, 1, 0x58, F_XX, 8, U, 0, 0 },  { 0x00, 1, 0x59, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x59, F_XX, 16, A, 0, 0 },
    { 0xf3, 1, 0x59, F_XX, 4, U, 0, 0 },  { 0xf2, 1, 0x59, F_XX, 8, U, 0, 0 },  { 0x00, 1, 0x5c, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0x5c, F_XX, 16, A, 0, 0 }, { 0xf3, 1, 0x5c, F_XX, 4, U, 0, 0 },  { 0xf2, 1, 0x5c, F_XX, 8, U, 0, 0 },
    { 0x00, 1, 0x5d, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x5d, F_XX, 16, A, 0, 0 }, { 0xf3, 1, 0x5d, F_XX, 4, U, 0, 0 },
    { 0xf2, 1, 0x5d, F_XX, 8, U, 0, 0 },  { 0x00, 1, 0x5e, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x5e, F_XX, 16, A, 0, 0 },
    { 0xf3, 1, 0x5e, F_XX, 4, U, 0, 0 },  { 0xf2, 1, 0x5e, F_XX, 8, U, 0, 0 },  { 0x00, 1, 0x5f, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0x5f, F_XX, 16, A, 0, 0 }, { 0xf3, 1, 0x5f, F_XX, 4, U, 0, 0 },  { 0xf2, 1, 0x5f, F_XX, 8, U, 0, 0 },
    { 0x00, 1, 0xc2, F_XXI, 16, A, 0, 0 }, { 0x66, 1, 0xc2, F_XXI, 16, A, 0, 0 }, { 0xf3, 1, 0xc2, F_XXI, 4, U, 0, 0 },
    { 0xf2, 1, 0xc2, F_XXI, 8, U, 0, 0 }, { 0x00, 1, 0xc6, F_XXI, 16, A, 0, 0 }, { 0x66, 1, 0xc6, F_XXI, 16, A, 0, 0 },
    { 0xf2, 1, 0xd0, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0xd0, F_XX, 16, A, 0, 0 }, { 0xf2, 1, 0x7c, F_XX, 16, A, 0, 0 },
    { 0xf2, 1, 0x7d, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x7c, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x7d, F_XX, 16, A, 0, 0 },
    { 0xf2, 1, 0xf0, F_MX, 16, U, 0, 0 },
};

static const sse_op sse_cvt_ops[] = {
    { 0xf3, 1, 0x2a, F_XG, 4, U, 0, 0 }, { 0xf2, 1, 0x2a, F_XG, 4, U, 0, 0 },
    { 0xf3, 1, 0x2c, F_GX, 4, U, 0, 0 }, { 0xf2, 1, 0x2c, F_GX, 8, U, 0, 0 },
    { 0xf3, 1, 0x2d, F_GX, 4, U, 0, 0 }, { 0xf2, 1, 0x2d, F_GX, 8, U, 0, 0 },
    { 0x00, 1, 0x5a, F_XX, 8, U, 0, 0 }, { 0x66, 1, 0x5a, F_XX, 16, A, 0, 0 }, { 0xf3, 1, 0x5a, F_XX, 4, U, 0, 0 },
    { 0xf2, 1, 0x5a, F_XX, 8, U, 0, 0 }, { 0x00, 1, 0x5b, F_XX, 16, A, 0, 0 }, { 0x66, 1, 0x5b, F_XX, 16, A, 0, 0 },
    { 0xf3, 1, 0x5b, F_XX, 16, A, 0, 0 }, { 0xf3, 1, 0xe6, F_XX, 8, U, 0, 0 }, { 0xf2, 1, 0xe6, F_XX, 16, A, 0, 0 },
    { 0x66, 1, 0xe6, F_XX, 16, A, 0, 0 },
    { 0x66, 3, 0x08, F_XXI, 16, A, 0, 0 }, { 0x66, 3, 0x09, F_XXI, 16, A, 0, 0 }, { 0x66, 3, 0x0a, F_XXI, 4, U, 0, 0 },
    { 0x66, 3, 0x0b, F_XXI, 8, U, 0, 0 },
};

static const sse_op sse4_ops[] = {
    { 0x66, 2, 0x10, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x14, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x15, F_XX, 16, A, 0, 0 },
    { 0x66, 2, 0x17, F_XX, 16, A, 0, 1 }, { 0x66, 2, 0x20, F_XX, 8, U, 0, 0 }, { 0x66, 2, 0x21, F_XX, 4, U, 0, 0 },
    { 0x66, 2, 0x22, F_XX, 2, U, 0, 0 },  { 0x66, 2, 0x23, F_XX, 8, U, 0, 0 },  { 0x66, 2, 0x24, F_XX, 4, U, 0, 0 },
    { 0x66, 2, 0x25, F_XX, 8, U, 0, 0 },  { 0x66, 2, 0x28, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x29, F_XX, 16, A, 0, 0 },
    { 0x66, 2, 0x2a, F_MX, 16, A, 0, 0 }, { 0x66, 2, 0x2b, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x30, F_XX, 8, U, 0, 0 },
    { 0x66, 2, 0x31, F_XX, 4, U, 0, 0 },  { 0x66, 2, 0x32, F_XX, 2, U, 0, 0 },  { 0x66, 2, 0x33, F_XX, 8, U, 0, 0 },
    { 0x66, 2, 0x34, F_XX, 4, U, 0, 0 },  { 0x66, 2, 0x35, F_XX, 8, U, 0, 0 },  { 0x66, 2, 0x37, F_XX, 16, A, 0, 0 },
    { 0x66, 2, 0x38, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x39, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x3a, F_XX, 16, A, 0, 0 },
    { 0x66, 2, 0x3b, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x3c, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x3d, F_XX, 16, A, 0, 0 },
    { 0x66, 2, 0x3e, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x3f, F_XX, 16, A, 0, 0 }, { 0x66, 2, 0x40, F_XX, 16, A, 0, 0 },
    { 0x66, 2, 0x41, F_XX, 16, A, 0, 0 },
    { 0x66, 3, 0x0c, F_XXI, 16, A, 0, 0 }, { 0x66, 3, 0x0d, F_XXI, 16, A, 0, 0 }, { 0x66, 3, 0x0e, F_XXI, 16, A, 0, 0 },
    { 0x66, 3, 0x14, F_SXI, 1, U, 0, 0 }, { 0x66, 3, 0x15, F_SXI, 2, U, 0, 0 }, { 0x66, 3, 0x16, F_SXI, 4, U, 0, 0 },
    { 0x66, 3, 0x17, F_SXI, 4, U, 0, 0 }, { 0x66, 3, 0x20, F_XGI, 1, U, 0, 0 }, { 0x66, 3, 0x21, F_XXI, 4, U, 0, 0 },
    { 0x66, 3, 0x22, F_XGI, 4, U, 0, 0 }, { 0x66, 3, 0x40, F_XXI, 16, A, 0, 0 }, { 0x66, 3, 0x41, F_XXI, 16, A, 0, 0 },
    { 0x66, 3, 0x42, F_XXI, 16, A, 0, 0 }, { 0x66, 3, 0x44, F_XXI, 16, A, 0, 0 },
    /* SSE4.2 string compares: unaligned memory allowed */
    { 0x66, 3, 0x60, F_XXI, 16, U, 0, 1 }, { 0x66, 3, 0x61, F_XXI, 16, U, 0, 1 },
    { 0x66, 3, 0x62, F_XXI, 16, U, 0, 1 }, { 0x66, 3, 0x63, F_XXI, 16, U, 0, 1 },
    { 0xf2, 2, 0xf0, F_CRC, 1, U, 0, 0 }, { 0xf2, 2, 0xf1, F_CRC, 4, U, 0, 0 },
};
#undef A
#undef U

static unsigned xmm_reg(xd_gen *g)
{
    return xd_below(g, 16);
}

/* imm8 values that matter: rounding-control immediates, all shuffle/blend bits */
static uint8_t sse_imm(xd_gen *g, const sse_op *o)
{
    if (o->map == 3 && o->opc >= 0x08 && o->opc <= 0x0b)
        return (uint8_t)xd_below(g, 16);
    if (o->map == 1 && o->opc == 0xc2)
        return (uint8_t)(xd_chance(g, 90) ? xd_below(g, 8) : xd_rnd(g));
    if (o->form == F_SHI)
        return (uint8_t)(xd_chance(g, 70) ? xd_below(g, 70) : xd_rnd(g));
    return (uint8_t)xd_rnd(g);
}

/* MMX instructions set TOP to 0 and the tags (SDM Vol.1 §9.5.1) and leave the condition
 * codes alone: nothing becomes undefined. */
static void fsw_write_all(xd_gen *g)
{
    (void)g;
}

static void sse_mem(xd_gen *g, xd_insn *in, const sse_op *o)
{
    in->is_mem = true;
    unsigned msize = o->msize ? o->msize : 16;
    xd_mem_operand(g, &in->mem, msize, o->align ? 16 : 1);
}

/* The CPUID features an SSE table entry needs, from where it sits in the opcode maps. */
static uint32_t sse_feature(const sse_op *o)
{
    if (o->map == 2) {
        if (o->opc == 0xf0 || o->opc == 0xf1 || o->opc == 0x37)
            return XD_F_SSE42;
        if (o->opc <= 0x0b || (o->opc >= 0x1c && o->opc <= 0x1e))
            return XD_F_SSSE3;
        return XD_F_SSE41;
    }
    if (o->map == 3) {
        if (o->opc == 0x0f)
            return XD_F_SSSE3;
        if (o->opc >= 0x60 && o->opc <= 0x63)
            return XD_F_SSE42;
        if (o->opc == 0x44)
            return XD_F_PCLMUL;
        if (o->opc == 0x40 || o->opc == 0x41) /* DPPS/DPPD: lane order differs by vendor */
            return XD_F_SSE41 | XD_F_INTEL;
        return XD_F_SSE41;
    }
    if (o->opc == 0x52 || o->opc == 0x53) /* RSQRT/RCP: the tables are the vendor's */
        return XD_F_SSE2 | XD_F_INTEL;
    if ((o->opc == 0xd0 && o->pfx) || ((o->opc == 0x7c || o->opc == 0x7d) && o->pfx) ||
        (o->pfx == 0xf3 && (o->opc == 0x12 || o->opc == 0x16)) ||
        (o->pfx == 0xf2 && (o->opc == 0x12 || o->opc == 0xf0)))
        return XD_F_SSE3;
    return XD_F_SSE2;
}

static void emit_sse(xd_gen *g, const sse_op *o)
{
    if (!xd_has(g, sse_feature(o)))
        return;
    xd_insn in = { .map = o->map, .opc = o->opc, .has_modrm = true };
    if (o->pfx)
        in.pfx[in.npfx++] = o->pfx;
    bool mem = xd_chance(g, 35);
    switch (o->form) {
    case F_XX:
    case F_XXI:
    case F_XS:
        in.reg = (uint8_t)xmm_reg(g);
        if (mem)
            sse_mem(g, &in, o);
        else
            in.rm = (uint8_t)xmm_reg(g);
        /* MOVLPS/MOVHPS/MOVLPD loads are memory-only at 0F 12/16 with 66; without 66 the
         * register form is MOVHLPS/MOVLHPS (fine) */
        break;
    case F_MX:
    case F_SM:
        in.reg = (uint8_t)xmm_reg(g);
        sse_mem(g, &in, o);
        break;
    case F_XG:
    case F_XGI:
        in.reg = (uint8_t)xmm_reg(g);
        in.w = o->form == F_XG && xd_chance(g, 50);
        if (mem) {
            in.is_mem = true;
            xd_mem_operand(g, &in.mem, in.w ? 8 : o->msize, 1);
        } else {
            in.rm = (uint8_t)xd_any(g);
        }
        if (o->map == 3 && o->opc == 0x22)
            in.w = xd_chance(g, 50);
        break;
    case F_GX:
        in.reg = (uint8_t)xd_dst(g);
        in.w = xd_chance(g, 50);
        if (mem)
            sse_mem(g, &in, o);
        else
            in.rm = (uint8_t)xmm_reg(g);
        break;
    case F_GXR:
    case F_GXRI:
        in.reg = (uint8_t)xd_dst(g);
        in.rm = (uint8_t)xmm_reg(g);
        break;
    case F_SXI:
        in.reg = (uint8_t)xmm_reg(g);
        if (mem) {
            in.is_mem = true;
            xd_mem_operand(g, &in.mem, o->msize, 1);
        } else {
            in.rm = (uint8_t)xd_dst(g);
        }
        if (o->map == 3 && o->opc == 0x16 && xd_chance(g, 50)) { /* PEXTRQ */
            in.w = true;
            if (in.is_mem)
                xd_mem_operand(g, &in.mem, 8, 1);
        }
        if (o->map == 1 && o->opc == 0x7e && xd_chance(g, 50)) { /* MOVQ r/m64, xmm */
            in.w = true;
            if (in.is_mem)
                xd_mem_operand(g, &in.mem, 8, 1);
        }
        break;
    case F_SHI:
        in.reg = o->digit;
        in.rm = (uint8_t)xmm_reg(g);
        break;
    case F_CRC:
    {
        unsigned size = o->opc == 0xf0 ? 1 : (xd_chance(g, 30) ? 2 : xd_chance(g, 50) ? 4 : 8);
        in.npfx = 0;
        if (size == 2)
            in.pfx[in.npfx++] = 0x66;
        in.pfx[in.npfx++] = 0xf2;
        in.w = size == 8 || (size == 1 && xd_chance(g, 30));
        in.reg = (uint8_t)xd_dst(g);
        if (mem) {
            in.is_mem = true;
            xd_mem_operand(g, &in.mem, size, 1);
        } else {
            in.rm = (uint8_t)xd_any(g);
            in.rex = true;
        }
        break;
    }
    }
    bool has_imm = o->form == F_XXI || o->form == F_XGI || o->form == F_GXRI ||
                   o->form == F_SHI || (o->form == F_SXI && o->opc != 0x7e);
    if (has_imm) {
        in.imm_bytes = 1;
        in.imm = sse_imm(g, o);
    }
    /* PCMPESTRx read RAX/RDX and write RCX or XMM0; PCMPISTRI writes RCX */
    if (o->map == 3 && o->opc >= 0x60 && (g->protect & (1u << RCX)))
        return;
    xd_emit(g, &in);
    if (o->flags)
        xd_flags_write(g, XF_ARITH, 0);
}

/* LDMXCSR of a valid value stored just before; STMXCSR. */
static void mxcsr_change(xd_gen *g)
{
    xd_insn st = { .opc = 0xc7, .has_modrm = true, .is_mem = true };
    xd_mem_operand(g, &st.mem, 4, 4);
    st.imm_bytes = 4;
    st.imm = mxcsr_value(g);
    xd_emit(g, &st);
    xd_insn ld = { .map = 1, .opc = 0xae, .has_modrm = true, .reg = 2, .is_mem = true, .mem = st.mem };
    xd_emit(g, &ld);
}

static void sse_from(xd_gen *g, const sse_op *ops, unsigned n)
{
    if (!xd_has(g, XD_F_SSE2))
        return;
    if (xd_chance(g, 4)) {
        mxcsr_change(g);
        return;
    }
    if (xd_chance(g, 3)) {
        xd_insn st = { .map = 1, .opc = 0xae, .has_modrm = true, .reg = 3, .is_mem = true };
        xd_mem_operand(g, &st.mem, 4, 4);
        xd_emit(g, &st);
        return;
    }
    emit_sse(g, &ops[xd_below(g, n)]);
}

void xd_gen_sse_int(xd_gen *g)
{
    sse_from(g, sse_int_ops, sizeof sse_int_ops / sizeof sse_int_ops[0]);
}

void xd_gen_sse_fp(xd_gen *g)
{
    sse_from(g, sse_fp_ops, sizeof sse_fp_ops / sizeof sse_fp_ops[0]);
}

void xd_gen_sse_cvt(xd_gen *g)
{
    sse_from(g, sse_cvt_ops, sizeof sse_cvt_ops / sizeof sse_cvt_ops[0]);
}

void xd_gen_sse4(xd_gen *g)
{
    sse_from(g, sse4_ops, sizeof sse4_ops / sizeof sse4_ops[0]);
}

/* ---- MMX ---- */

/* Whether a 66-prefixed SSE2/SSSE3 integer entry has an MMX form (the same opcode without
 * the prefix, on MM0-7, which alias the x87 registers' significands). */
static bool has_mmx_form(const sse_op *o)
{
    if (o->pfx != 0x66)
        return false;
    if (o->map == 2 || o->map == 3)
        return true; /* SSSE3: PSHUFB..PABSD, PALIGNR */
    uint8_t b = o->opc;
    if (b == 0x6c || b == 0x6d || b == 0x70 || b == 0xd6)
        return false; /* PUNPCK*QDQ, PSHUFD, MOVQ xmm/m64 are SSE2-only */
    if (b == 0x73 && (o->digit == 3 || o->digit == 7))
        return false; /* PSRLDQ/PSLLDQ */
    return true;
}

/* MMX: the integer table's MMX forms, PSHUFW, EMMS. */
void xd_gen_mmx(xd_gen *g)
{
    if (!xd_has(g, XD_F_MMX))
        return;
    if (xd_chance(g, 5)) { /* EMMS: every tag empty */
        xd_mark(g);
        xd_byte(g, 0x0f);
        xd_byte(g, 0x77);
        fsw_write_all(g);
        return;
    }
    const sse_op *o;
    sse_op pshufw = { 0, 1, 0x70, F_XXI, 8, false, 0, 0 };
    if (xd_chance(g, 5)) {
        o = &pshufw;
    } else {
        unsigned n = sizeof sse_int_ops / sizeof sse_int_ops[0];
        do
            o = &sse_int_ops[xd_below(g, n)];
        while (!has_mmx_form(o));
    }
    if (o->map != 1 ? !xd_has(g, XD_F_SSSE3) : false)
        return;
    xd_insn in = { .map = o->map, .opc = o->opc, .has_modrm = true };
    bool mem = xd_chance(g, 35);
    unsigned msize = o->msize > 8 ? 8 : o->msize;
    switch (o->form) {
    case F_XG:  /* MOVD/MOVQ mm, r/m32/64 */
    case F_XGI: /* PINSRW mm, r32/m16, imm8 */
        in.reg = (uint8_t)xd_below(g, 8);
        in.w = o->form == F_XG && xd_chance(g, 50);
        if (mem) {
            in.is_mem = true;
            xd_mem_operand(g, &in.mem, in.w ? 8 : msize, 1);
        } else {
            in.rm = (uint8_t)xd_any(g);
        }
        break;
    case F_SXI: /* MOVD/MOVQ r/m32/64, mm */
        in.reg = (uint8_t)xd_below(g, 8);
        in.w = xd_chance(g, 50);
        if (mem) {
            in.is_mem = true;
            xd_mem_operand(g, &in.mem, in.w ? 8 : 4, 1);
        } else {
            in.rm = (uint8_t)xd_dst(g);
        }
        break;
    case F_GXR:  /* PMOVMSKB r32, mm */
    case F_GXRI: /* PEXTRW r32, mm, imm8 */
        in.reg = (uint8_t)xd_dst(g);
        in.rm = (uint8_t)xd_below(g, 8);
        break;
    case F_SHI:
        in.reg = o->digit;
        in.rm = (uint8_t)xd_below(g, 8);
        break;
    case F_SM: /* MOVNTQ m64, mm */
        in.reg = (uint8_t)xd_below(g, 8);
        in.is_mem = true;
        xd_mem_operand(g, &in.mem, 8, 1);
        break;
    default: /* F_XX, F_XXI, F_XS: mm, mm/m64 */
        in.reg = (uint8_t)xd_below(g, 8);
        if (mem) {
            in.is_mem = true;
            xd_mem_operand(g, &in.mem, 8, 1);
        } else {
            in.rm = (uint8_t)xd_below(g, 8);
        }
        break;
    }
    bool has_imm = o->form == F_XXI || o->form == F_XGI || o->form == F_GXRI || o->form == F_SHI;
    if (has_imm) {
        in.imm_bytes = 1;
        in.imm = sse_imm(g, o);
    }
    xd_emit(g, &in);
    fsw_write_all(g);
}

/* ---- x87 ---- */

#define C_ALL (XS_C0 | XS_C1 | XS_C2 | XS_C3)
#define C_023 (XS_C0 | XS_C2 | XS_C3)

static void x87_bytes(xd_gen *g, uint8_t a, uint8_t b)
{
    xd_mark(g);
    xd_byte(g, a);
    xd_byte(g, b);
}

static void x87_mem(xd_gen *g, uint8_t opc, unsigned digit, unsigned size)
{
    xd_insn in = { .opc = opc, .has_modrm = true, .reg = (uint8_t)digit, .is_mem = true };
    xd_mem_operand(g, &in.mem, size, 1);
    xd_emit(g, &in);
}

static void fsw_write(xd_gen *g, unsigned def, unsigned undef)
{
    g->undef = (g->undef & ~XU_FSW(def)) | XU_FSW(undef);
}

void xd_gen_x87(xd_gen *g)
{
    if (!xd_has(g, XD_F_FPU))
        return;
    unsigned i = xd_below(g, 8);
    switch (xd_below(g, 16)) {
    case 0: /* arithmetic st(0) op st(i) / st(i) op st(0) / and pop: D8 DC DE, not /2 /3 */
    {
        static const uint8_t esc[] = { 0xd8, 0xdc, 0xde };
        static const uint8_t ops[] = { 0, 1, 4, 5, 6, 7 };
        x87_bytes(g, esc[xd_below(g, 3)], (uint8_t)(0xc0 | ops[xd_below(g, 6)] << 3 | i));
        fsw_write(g, XS_C1, C_023);
        return;
    }
    case 1: /* arithmetic with m32/m64 real, m16/m32 integer */
    {
        static const uint8_t esc[] = { 0xd8, 0xdc, 0xde, 0xda };
        static const unsigned size[] = { 4, 8, 2, 4 };
        static const uint8_t ops[] = { 0, 1, 4, 5, 6, 7 };
        unsigned k = xd_below(g, 4);
        x87_mem(g, esc[k], ops[xd_below(g, 6)], size[k]);
        fsw_write(g, XS_C1, C_023);
        return;
    }
    case 2: /* compares: FCOM/FCOMP st(i), FCOMPP, FUCOM/FUCOMP st(i), FUCOMPP, FTST, FXAM */
    {
        static const uint8_t f[][2] = { { 0xd8, 0xd0 }, { 0xd8, 0xd8 }, { 0xde, 0xd9 },
                                        { 0xdd, 0xe0 }, { 0xdd, 0xe8 }, { 0xda, 0xe9 },
                                        { 0xd9, 0xe4 }, { 0xd9, 0xe5 } };
        unsigned k = xd_below(g, 8);
        uint8_t b = f[k][1];
        if (k != 2 && k != 5 && k < 6)
            b |= (uint8_t)i;
        x87_bytes(g, f[k][0], b);
        fsw_write(g, C_ALL, 0);
        return;
    }
    case 3: /* compares with memory: FCOM/FCOMP m32/m64, FICOM/FICOMP m16/m32 */
    {
        static const uint8_t esc[] = { 0xd8, 0xdc, 0xde, 0xda };
        static const unsigned size[] = { 4, 8, 2, 4 };
        unsigned k = xd_below(g, 4);
        x87_mem(g, esc[k], 2 + xd_below(g, 2), size[k]);
        fsw_write(g, C_ALL, 0);
        return;
    }
    case 4: /* FCOMI/FUCOMI(P): EFLAGS */
    {
        static const uint8_t f[][2] = { { 0xdb, 0xf0 }, { 0xdb, 0xe8 }, { 0xdf, 0xf0 }, { 0xdf, 0xe8 } };
        unsigned k = xd_below(g, 4);
        x87_bytes(g, f[k][0], (uint8_t)(f[k][1] | i));
        fsw_write(g, XS_C1, C_023);
        xd_flags_write(g, XF_ARITH, 0);
        return;
    }
    case 5: /* loads: FLD m32/m64/m80, FILD m16/m32/m64, FLD st(i), constants */
    {
        unsigned k = xd_below(g, 8);
        static const uint8_t esc[] = { 0xd9, 0xdd, 0xdb, 0xdf, 0xdb, 0xdf };
        static const uint8_t dig[] = { 0, 0, 5, 0, 0, 5 };
        static const unsigned size[] = { 4, 8, 10, 2, 4, 8 };
        if (k < 6)
            x87_mem(g, esc[k], dig[k], size[k]);
        else if (k == 6)
            x87_bytes(g, 0xd9, (uint8_t)(0xc0 | i));
        else
            x87_bytes(g, 0xd9, (uint8_t)(0xe8 + xd_below(g, 7)));
        fsw_write(g, XS_C1, C_023);
        return;
    }
    case 6: /* stores: FST/FSTP m32/m64, FSTP m80, FIST/FISTP m16/m32, FISTP m64, FISTTP */
    {
        static const uint8_t esc[] = { 0xd9, 0xd9, 0xdd, 0xdd, 0xdb, 0xdf, 0xdf, 0xdb, 0xdb,
                                       0xdf, 0xdf, 0xdb, 0xdd };
        static const uint8_t dig[] = { 2, 3, 2, 3, 7, 2, 3, 2, 3, 7, 1, 1, 1 };
        static const unsigned size[] = { 4, 4, 8, 8, 10, 2, 2, 4, 4, 8, 2, 4, 8 };
        unsigned k = xd_below(g, 13);
        if (k >= 10 && !xd_has(g, XD_F_SSE3)) /* FISTTP */
            return;
        x87_mem(g, esc[k], dig[k], size[k]);
        fsw_write(g, XS_C1, C_023);
        return;
    }
    case 7: /* register stores and exchange: FST/FSTP st(i), FXCH */
    {
        static const uint8_t f[][2] = { { 0xdd, 0xd0 }, { 0xdd, 0xd8 }, { 0xd9, 0xc8 } };
        unsigned k = xd_below(g, 3);
        x87_bytes(g, f[k][0], (uint8_t)(f[k][1] | i));
        fsw_write(g, XS_C1, C_023);
        return;
    }
    case 8: /* FCHS FABS FSQRT FRNDINT FSCALE FXTRACT */
    {
        static const uint8_t b[] = { 0xe0, 0xe1, 0xfa, 0xfc, 0xfd, 0xf4 };
        x87_bytes(g, 0xd9, b[xd_below(g, 6)]);
        fsw_write(g, XS_C1, C_023);
        return;
    }
    case 9: /* FPREM / FPREM1: quotient bits in C0 C3 C1, C2 = incomplete */
        x87_bytes(g, 0xd9, xd_chance(g, 50) ? 0xf8 : 0xf5);
        fsw_write(g, C_ALL, 0);
        return;
    case 10: /* FINCSTP FDECSTP FFREE FNOP */
    {
        unsigned k = xd_below(g, 4);
        if (k == 0)
            x87_bytes(g, 0xd9, 0xf7);
        else if (k == 1)
            x87_bytes(g, 0xd9, 0xf6);
        else if (k == 2)
            x87_bytes(g, 0xdd, (uint8_t)(0xc0 | i));
        else
            x87_bytes(g, 0xd9, 0xd0);
        fsw_write(g, k < 2 ? XS_C1 : 0, k < 2 ? C_023 : C_ALL);
        return;
    }
    case 11: /* FCMOVcc st(0), st(i): reads CF ZF PF */
    {
        if (!xd_has(g, XD_F_CMOV))
            return;
        static const uint8_t f[][2] = { { 0xda, 0xc0 }, { 0xda, 0xc8 }, { 0xda, 0xd0 }, { 0xda, 0xd8 },
                                        { 0xdb, 0xc0 }, { 0xdb, 0xc8 }, { 0xdb, 0xd0 }, { 0xdb, 0xd8 } };
        unsigned k = xd_below(g, 8);
        xd_flags_read(g, XF_CF | XF_ZF | XF_PF);
        x87_bytes(g, f[k][0], (uint8_t)(f[k][1] | i));
        fsw_write(g, XS_C1, C_023);
        return;
    }
    case 12: /* FNSTSW AX / m16: the condition codes must be defined first (FTST does) */
        if (g->undef & XU_FSW(C_ALL)) {
            x87_bytes(g, 0xd9, 0xe4);
            fsw_write(g, C_ALL, 0);
        }
        if (xd_chance(g, 50) && !(g->protect & 1))
            x87_bytes(g, 0xdf, 0xe0);
        else
            x87_mem(g, 0xdd, 7, 2);
        return;
    case 13: /* FLDCW of a valid control word, FNSTCW */
        if (xd_chance(g, 60)) {
            xd_insn st = { .opc = 0xc7, .has_modrm = true, .is_mem = true, .imm_bytes = 2 };
            st.pfx[st.npfx++] = 0x66;
            xd_mem_operand(g, &st.mem, 2, 2);
            st.imm = fcw_value(g);
            xd_emit(g, &st);
            xd_insn ld = { .opc = 0xd9, .has_modrm = true, .reg = 5, .is_mem = true, .mem = st.mem };
            xd_emit(g, &ld);
            fsw_write(g, 0, C_ALL);
        } else {
            x87_mem(g, 0xd9, 7, 2);
        }
        return;
    case 14: /* FNCLEX, FWAIT (raises a pending unmasked exception as #MF) */
        if (xd_chance(g, 50)) {
            x87_bytes(g, 0xdb, 0xe2);
            fsw_write(g, 0, C_ALL);
        } else {
            xd_mark(g);
            xd_byte(g, 0x9b);
        }
        return;
    default: /* FBSTP m80 (store as packed BCD, indefinite when out of range) */
        x87_mem(g, 0xdf, 6, 10);
        fsw_write(g, XS_C1, C_023);
        return;
    }
}
