/* SSE floating point (see sse_float.h). Each lane is unpacked (DAZ applied), special
 * cases follow the x86 rules, finite operations go through the shared core (fpcore.c). */
#include "arch/x86/sse_float.h"

#include <stddef.h>

typedef enum { F32, F64 } fmt;

static xf_rules rules(fmt f, uint32_t mxcsr)
{
    xf_rules r = {
        .prec = f == F32 ? 24 : 53,
        .emin = f == F32 ? -126 : -1022,
        .emax = f == F32 ? 127 : 1023,
        .rc = (mxcsr >> MXCSR_RC_SHIFT) & 3,
        .ftz = (mxcsr & MXCSR_FTZ) != 0,
        .ue_unmasked = !(mxcsr & (X86_FE_UE << MXCSR_MASK_SHIFT)),
        .oe_unmasked = !(mxcsr & (X86_FE_OE << MXCSR_MASK_SHIFT)),
    };
    return r;
}

static xf_val unpack(fmt f, uint64_t a, uint32_t mxcsr)
{
    bool daz = (mxcsr & MXCSR_DAZ) != 0;
    return f == F32 ? xf_unpack32((uint32_t)a, daz) : xf_unpack64(a, daz);
}

static uint64_t pack(fmt f, const xf_val *v)
{
    return f == F32 ? xf_pack32(v) : xf_pack64(v);
}

bool sse_update_mxcsr(uint32_t *mxcsr, unsigned flags)
{
    const unsigned pre = X86_FE_IE | X86_FE_DE | X86_FE_ZE;
    unsigned unmasked = ~(*mxcsr >> MXCSR_MASK_SHIFT) & X86_FE_ALL;

    bool ordered = flags & SSE_FL_ORDERED;
    flags &= X86_FE_ALL;
    /* SDM Vol.1 §11.5.2: an unmasked pre-computation exception stops the instruction
     * before the post-computation checks. */
    if (!ordered && (flags & pre & unmasked))
        flags &= pre;
    *mxcsr |= flags;
    return (flags & unmasked) != 0;
}

/* Table 4-7: a NaN result from NaN operands; IE on any SNaN. */
static uint64_t propagate(fmt f, const xf_val *x, const xf_val *y, unsigned *flags)
{
    if (x->cls == XF_SNAN || (y && y->cls == XF_SNAN))
        *flags |= X86_FE_IE;
    xf_val q = xf_quiet(xf_is_nan(x) ? *x : *y);
    return pack(f, &q);
}

static uint64_t indefinite(fmt f, unsigned *flags)
{
    xf_val n = xf_indefinite();
    *flags |= X86_FE_IE;
    return pack(f, &n);
}

static void denormal_check(const xf_val *x, const xf_val *y, unsigned *flags)
{
    if (x->denormal || (y && y->denormal))
        *flags |= X86_FE_DE;
}

static uint64_t packed_result(fmt f, xf_val v)
{
    return pack(f, &v);
}

static uint64_t add(fmt f, uint64_t a, uint64_t b, bool negate_b, uint32_t mxcsr,
                    unsigned *flags)
{
    xf_val x = unpack(f, a, mxcsr), y = unpack(f, b, mxcsr);
    if (xf_is_nan(&x) || xf_is_nan(&y))
        return propagate(f, &x, &y, flags);
    y.sign ^= negate_b;
    denormal_check(&x, &y, flags);
    if (x.cls == XF_INF) {
        if (y.cls == XF_INF && x.sign != y.sign)
            return indefinite(f, flags);
        return packed_result(f, x);
    }
    if (y.cls == XF_INF)
        return packed_result(f, y);
    xf_rules r = rules(f, mxcsr);
    if (x.cls == XF_ZERO && y.cls == XF_ZERO)
        return packed_result(f, xf_zero(x.sign == y.sign ? x.sign : r.rc == X86_RC_DOWN));
    /* A lone denormal operand still goes through rounding: FTZ and UE apply to it. */
    if (x.cls == XF_ZERO)
        return packed_result(f, xf_round(&r, y.sign, y.exp - 63, y.sig, flags));
    if (y.cls == XF_ZERO)
        return packed_result(f, xf_round(&r, x.sign, x.exp - 63, x.sig, flags));
    return packed_result(f, xf_add_finite(&r, &x, &y, flags));
}

static uint64_t mul(fmt f, uint64_t a, uint64_t b, uint32_t mxcsr, unsigned *flags)
{
    xf_val x = unpack(f, a, mxcsr), y = unpack(f, b, mxcsr);
    int sign = x.sign ^ y.sign;
    if (xf_is_nan(&x) || xf_is_nan(&y))
        return propagate(f, &x, &y, flags);
    if ((x.cls == XF_INF && y.cls == XF_ZERO) || (x.cls == XF_ZERO && y.cls == XF_INF))
        return indefinite(f, flags);
    denormal_check(&x, &y, flags);
    if (x.cls == XF_INF || y.cls == XF_INF)
        return packed_result(f, xf_inf(sign));
    if (x.cls == XF_ZERO || y.cls == XF_ZERO)
        return packed_result(f, xf_zero(sign));
    xf_rules r = rules(f, mxcsr);
    return packed_result(f, xf_mul_finite(&r, &x, &y, flags));
}

static uint64_t divide(fmt f, uint64_t a, uint64_t b, uint32_t mxcsr, unsigned *flags)
{
    xf_val x = unpack(f, a, mxcsr), y = unpack(f, b, mxcsr);
    int sign = x.sign ^ y.sign;
    if (xf_is_nan(&x) || xf_is_nan(&y))
        return propagate(f, &x, &y, flags);
    if ((x.cls == XF_INF && y.cls == XF_INF) || (x.cls == XF_ZERO && y.cls == XF_ZERO))
        return indefinite(f, flags);
    if (y.cls == XF_ZERO) {
        /* Divide-by-zero takes precedence over a denormal dividend (measured). */
        if (x.cls != XF_INF)
            *flags |= X86_FE_ZE;
        return packed_result(f, xf_inf(sign));
    }
    denormal_check(&x, &y, flags);
    if (x.cls == XF_INF)
        return packed_result(f, xf_inf(sign));
    if (x.cls == XF_ZERO || y.cls == XF_INF)
        return packed_result(f, xf_zero(sign));
    xf_rules r = rules(f, mxcsr);
    return packed_result(f, xf_div_finite(&r, &x, &y, flags));
}

static uint64_t sqrt_(fmt f, uint64_t a, uint32_t mxcsr, unsigned *flags)
{
    xf_val x = unpack(f, a, mxcsr);
    if (xf_is_nan(&x))
        return propagate(f, &x, NULL, flags);
    if (x.cls == XF_ZERO)
        return packed_result(f, x);  /* sqrt(-0) = -0 */
    if (x.sign)
        return indefinite(f, flags);
    denormal_check(&x, NULL, flags);
    if (x.cls == XF_INF)
        return packed_result(f, x);
    xf_rules r = rules(f, mxcsr);
    return packed_result(f, xf_sqrt_finite(&r, &x, flags));
}

static bool less(const xf_val *x, const xf_val *y)
{
    return xf_compare(x, y) < 0;
}

static bool equal(const xf_val *x, const xf_val *y)
{
    return xf_compare(x, y) == 0;
}

/* MINSS/MAXSS: the second operand when either is a NaN (IE even for QNaN) or both are
 * zero (SDM Vol.2 MINSS). The operand is returned bit for bit; with DAZ a denormal
 * comes back as the zero it was read as. */
static uint64_t min_max(fmt f, uint64_t a, uint64_t b, bool want_max, uint32_t mxcsr,
                        unsigned *flags)
{
    xf_val x = unpack(f, a, mxcsr), y = unpack(f, b, mxcsr);
    if (xf_is_nan(&x) || xf_is_nan(&y)) {
        *flags |= X86_FE_IE;
        return y.cls == XF_ZERO ? pack(f, &y) : b;
    }
    denormal_check(&x, &y, flags);
    bool pick_x = want_max ? less(&y, &x) : less(&x, &y);
    const xf_val *v = pick_x ? &x : &y;
    if (v->cls == XF_ZERO)
        return pack(f, v);
    return pick_x ? a : b;
}

uint32_t sse_add32(uint32_t a, uint32_t b, uint32_t mxcsr, unsigned *flags)
{
    return (uint32_t)add(F32, a, b, false, mxcsr, flags);
}

uint32_t sse_sub32(uint32_t a, uint32_t b, uint32_t mxcsr, unsigned *flags)
{
    return (uint32_t)add(F32, a, b, true, mxcsr, flags);
}

uint32_t sse_mul32(uint32_t a, uint32_t b, uint32_t mxcsr, unsigned *flags)
{
    return (uint32_t)mul(F32, a, b, mxcsr, flags);
}

uint32_t sse_div32(uint32_t a, uint32_t b, uint32_t mxcsr, unsigned *flags)
{
    return (uint32_t)divide(F32, a, b, mxcsr, flags);
}

uint32_t sse_min32(uint32_t a, uint32_t b, uint32_t mxcsr, unsigned *flags)
{
    return (uint32_t)min_max(F32, a, b, false, mxcsr, flags);
}

uint32_t sse_max32(uint32_t a, uint32_t b, uint32_t mxcsr, unsigned *flags)
{
    return (uint32_t)min_max(F32, a, b, true, mxcsr, flags);
}

uint32_t sse_sqrt32(uint32_t a, uint32_t mxcsr, unsigned *flags)
{
    return (uint32_t)sqrt_(F32, a, mxcsr, flags);
}

uint64_t sse_add64(uint64_t a, uint64_t b, uint32_t mxcsr, unsigned *flags)
{
    return add(F64, a, b, false, mxcsr, flags);
}

uint64_t sse_sub64(uint64_t a, uint64_t b, uint32_t mxcsr, unsigned *flags)
{
    return add(F64, a, b, true, mxcsr, flags);
}

uint64_t sse_mul64(uint64_t a, uint64_t b, uint32_t mxcsr, unsigned *flags)
{
    return mul(F64, a, b, mxcsr, flags);
}

uint64_t sse_div64(uint64_t a, uint64_t b, uint32_t mxcsr, unsigned *flags)
{
    return divide(F64, a, b, mxcsr, flags);
}

uint64_t sse_min64(uint64_t a, uint64_t b, uint32_t mxcsr, unsigned *flags)
{
    return min_max(F64, a, b, false, mxcsr, flags);
}

uint64_t sse_max64(uint64_t a, uint64_t b, uint32_t mxcsr, unsigned *flags)
{
    return min_max(F64, a, b, true, mxcsr, flags);
}

uint64_t sse_sqrt64(uint64_t a, uint32_t mxcsr, unsigned *flags)
{
    return sqrt_(F64, a, mxcsr, flags);
}

static uint64_t lane_op(sse_op op, fmt f, uint64_t a, uint64_t b, uint32_t mxcsr,
                        unsigned *flags)
{
    switch (op) {
    case SSE_ADD:  return add(f, a, b, false, mxcsr, flags);
    case SSE_SUB:  return add(f, a, b, true, mxcsr, flags);
    case SSE_MUL:  return mul(f, a, b, mxcsr, flags);
    case SSE_DIV:  return divide(f, a, b, mxcsr, flags);
    case SSE_MIN:  return min_max(f, a, b, false, mxcsr, flags);
    case SSE_MAX:  return min_max(f, a, b, true, mxcsr, flags);
    default:       return sqrt_(f, b, mxcsr, flags);
    }
}

static uint64_t get(fmt f, const x86_xmm *v, int i)
{
    return f == F32 ? v->u32[i] : v->u64[i];
}

static void put(fmt f, x86_xmm *v, int i, uint64_t x)
{
    if (f == F32)
        v->u32[i] = (uint32_t)x;
    else
        v->u64[i] = x;
}

unsigned sse_binop(sse_op op, sse_shape shape, x86_xmm *res, const x86_xmm *a,
                   const x86_xmm *b, uint32_t mxcsr)
{
    fmt f = shape == SSE_PS || shape == SSE_SS ? F32 : F64;
    int n = shape == SSE_PS ? 4 : shape == SSE_PD ? 2 : 1;
    unsigned flags = 0;
    x86_xmm r = *a;

    switch (op) {
    case SSE_HADD:
    case SSE_HSUB: {
        /* SDM Vol.2 HADDPS: pairs of a, then pairs of b. */
        sse_op o = op == SSE_HADD ? SSE_ADD : SSE_SUB;
        for (int i = 0; i < n; i++) {
            const x86_xmm *s = i < n / 2 ? a : b;
            int j = (i % (n / 2)) * 2;
            put(f, &r, i, lane_op(o, f, get(f, s, j), get(f, s, j + 1), mxcsr, &flags));
        }
        break;
    }
    case SSE_ADDSUB:
        for (int i = 0; i < n; i++)
            put(f, &r, i, lane_op(i & 1 ? SSE_ADD : SSE_SUB, f, get(f, a, i), get(f, b, i),
                                  mxcsr, &flags));
        break;
    default:
        for (int i = 0; i < n; i++)
            put(f, &r, i, lane_op(op, f, get(f, a, i), get(f, b, i), mxcsr, &flags));
        break;
    }
    *res = r;
    return flags;
}

static uint64_t cmp(fmt f, uint64_t a, uint64_t b, unsigned pred, uint32_t mxcsr,
                    unsigned *flags)
{
    xf_val x = unpack(f, a, mxcsr), y = unpack(f, b, mxcsr);
    bool unord = xf_is_nan(&x) || xf_is_nan(&y), r;
    /* SDM Vol.2 CMPPS Table 3-1: LT, LE, NLT, NLE signal on QNaN too. */
    bool signalling = pred == 1 || pred == 2 || pred == 5 || pred == 6;

    pred &= 7;
    if (unord) {
        if (signalling || x.cls == XF_SNAN || y.cls == XF_SNAN)
            *flags |= X86_FE_IE;
    } else {
        denormal_check(&x, &y, flags);
    }
    switch (pred) {
    case 0:  r = !unord && equal(&x, &y); break;
    case 1:  r = !unord && less(&x, &y); break;
    case 2:  r = !unord && (less(&x, &y) || equal(&x, &y)); break;
    case 3:  r = unord; break;
    case 4:  r = unord || !equal(&x, &y); break;
    case 5:  r = unord || !less(&x, &y); break;
    case 6:  r = unord || !(less(&x, &y) || equal(&x, &y)); break;
    default: r = !unord; break;
    }
    return r ? ~0ULL : 0;
}

uint32_t sse_cmp32(uint32_t a, uint32_t b, unsigned pred, uint32_t mxcsr, unsigned *flags)
{
    return (uint32_t)cmp(F32, a, b, pred, mxcsr, flags);
}

uint64_t sse_cmp64(uint64_t a, uint64_t b, unsigned pred, uint32_t mxcsr, unsigned *flags)
{
    return cmp(F64, a, b, pred, mxcsr, flags);
}

unsigned sse_cmp(sse_shape shape, x86_xmm *res, const x86_xmm *a, const x86_xmm *b,
                 unsigned pred, uint32_t mxcsr)
{
    fmt f = shape == SSE_PS || shape == SSE_SS ? F32 : F64;
    int n = shape == SSE_PS ? 4 : shape == SSE_PD ? 2 : 1;
    unsigned flags = 0;
    x86_xmm r = *a;
    for (int i = 0; i < n; i++)
        put(f, &r, i, cmp(f, get(f, a, i), get(f, b, i), pred, mxcsr, &flags));
    *res = r;
    return flags;
}

static unsigned comi(fmt f, uint64_t a, uint64_t b, bool signal_qnan, uint32_t mxcsr,
                     unsigned *flags)
{
    xf_val x = unpack(f, a, mxcsr), y = unpack(f, b, mxcsr);
    if (xf_is_nan(&x) || xf_is_nan(&y)) {
        if (signal_qnan || x.cls == XF_SNAN || y.cls == XF_SNAN)
            *flags |= X86_FE_IE;
        return SSE_EFL_ZF | SSE_EFL_PF | SSE_EFL_CF;
    }
    denormal_check(&x, &y, flags);
    if (equal(&x, &y))
        return SSE_EFL_ZF;
    return less(&x, &y) ? SSE_EFL_CF : 0;
}

unsigned sse_comi32(uint32_t a, uint32_t b, bool signal_qnan, uint32_t mxcsr,
                    unsigned *flags)
{
    return comi(F32, a, b, signal_qnan, mxcsr, flags);
}

unsigned sse_comi64(uint64_t a, uint64_t b, bool signal_qnan, uint32_t mxcsr,
                    unsigned *flags)
{
    return comi(F64, a, b, signal_qnan, mxcsr, flags);
}

static uint64_t to_int(fmt f, uint64_t a, unsigned width, bool truncate, uint32_t mxcsr,
                       unsigned *flags)
{
    xf_val x = unpack(f, a, mxcsr);
    unsigned rc = truncate ? X86_RC_ZERO : (mxcsr >> MXCSR_RC_SHIFT) & 3;
    return xf_to_int(&x, width, rc, flags);
}

uint64_t sse_cvt32_to_int(uint32_t a, unsigned width, bool truncate, uint32_t mxcsr,
                          unsigned *flags)
{
    return to_int(F32, a, width, truncate, mxcsr, flags);
}

uint64_t sse_cvt64_to_int(uint64_t a, unsigned width, bool truncate, uint32_t mxcsr,
                          unsigned *flags)
{
    return to_int(F64, a, width, truncate, mxcsr, flags);
}

static uint64_t from_int(fmt f, int64_t v, uint32_t mxcsr, unsigned *flags)
{
    if (v == 0)
        return 0;
    xf_rules r = rules(f, mxcsr);
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    return packed_result(f, xf_round(&r, v < 0, 0, mag, flags));
}

uint32_t sse_cvt_int_to32(int64_t v, uint32_t mxcsr, unsigned *flags)
{
    return (uint32_t)from_int(F32, v, mxcsr, flags);
}

uint64_t sse_cvt_int_to64(int64_t v, uint32_t mxcsr, unsigned *flags)
{
    return from_int(F64, v, mxcsr, flags);
}

static uint64_t convert(fmt to, fmt from, uint64_t a, uint32_t mxcsr, unsigned *flags)
{
    xf_val x = unpack(from, a, mxcsr);
    if (xf_is_nan(&x))
        return propagate(to, &x, NULL, flags);
    denormal_check(&x, NULL, flags);
    if (x.cls != XF_FINITE)
        return pack(to, &x);
    xf_rules r = rules(to, mxcsr);
    return packed_result(to, xf_round(&r, x.sign, x.exp - 63, x.sig, flags));
}

uint64_t sse_cvt32_to64(uint32_t a, uint32_t mxcsr, unsigned *flags)
{
    return convert(F64, F32, a, mxcsr, flags);
}

uint32_t sse_cvt64_to32(uint64_t a, uint32_t mxcsr, unsigned *flags)
{
    return (uint32_t)convert(F32, F64, a, mxcsr, flags);
}

unsigned sse_convert(sse_cvt_op op, x86_xmm *res, const x86_xmm *src, uint32_t mxcsr)
{
    unsigned fl = 0;
    x86_xmm r = { .u64 = { 0, 0 } };
    switch (op) {
    case SSE_CVTDQ2PS:
        for (int i = 0; i < 4; i++)
            r.u32[i] = sse_cvt_int_to32(src->i32[i], mxcsr, &fl);
        break;
    case SSE_CVTPS2DQ:
    case SSE_CVTTPS2DQ:
        for (int i = 0; i < 4; i++)
            r.u32[i] = (uint32_t)sse_cvt32_to_int(src->u32[i], 32, op == SSE_CVTTPS2DQ,
                                                  mxcsr, &fl);
        break;
    case SSE_CVTDQ2PD:
        for (int i = 0; i < 2; i++)
            r.u64[i] = sse_cvt_int_to64(src->i32[i], mxcsr, &fl);
        break;
    case SSE_CVTPD2DQ:
    case SSE_CVTTPD2DQ:
        for (int i = 0; i < 2; i++)
            r.u32[i] = (uint32_t)sse_cvt64_to_int(src->u64[i], 32, op == SSE_CVTTPD2DQ,
                                                  mxcsr, &fl);
        break;
    case SSE_CVTPS2PD:
        for (int i = 0; i < 2; i++)
            r.u64[i] = sse_cvt32_to64(src->u32[i], mxcsr, &fl);
        break;
    default:
        for (int i = 0; i < 2; i++)
            r.u32[i] = sse_cvt64_to32(src->u64[i], mxcsr, &fl);
        break;
    }
    *res = r;
    return fl;
}

static uint64_t round_int(fmt f, uint64_t a, unsigned imm8, uint32_t mxcsr, unsigned *flags)
{
    xf_val x = unpack(f, a, mxcsr);
    unsigned rc = imm8 & 4 ? (mxcsr >> MXCSR_RC_SHIFT) & 3 : imm8 & 3;
    unsigned fl = 0;
    if (xf_is_nan(&x))
        return propagate(f, &x, NULL, flags);
    xf_val r = xf_round_int(&x, rc, &fl);
    if (imm8 & 8)
        fl &= ~(unsigned)X86_FE_PE;
    *flags |= fl;
    return pack(f, &r);
}

uint32_t sse_round32(uint32_t a, unsigned imm8, uint32_t mxcsr, unsigned *flags)
{
    return (uint32_t)round_int(F32, a, imm8, mxcsr, flags);
}

uint64_t sse_round64(uint64_t a, unsigned imm8, uint32_t mxcsr, unsigned *flags)
{
    return round_int(F64, a, imm8, mxcsr, flags);
}

/* DPPS/DPPD run as stages (the products, then each level of additions); an unmasked
 * exception in one stage ends the instruction there, with that stage's flags under the
 * pre-computation rule of §11.5.2 and the flags of the earlier stages kept (measured:
 * later stages add no flags). True = stop. */
static bool dp_stage(unsigned *flags, unsigned stage, uint32_t mxcsr)
{
    const unsigned pre = X86_FE_IE | X86_FE_DE | X86_FE_ZE;
    unsigned unmasked = ~(mxcsr >> MXCSR_MASK_SHIFT) & X86_FE_ALL;
    if (stage & pre & unmasked)
        stage &= pre;
    *flags |= stage | SSE_FL_ORDERED;
    return (stage & unmasked) != 0;
}

unsigned sse_dpps(x86_xmm *res, const x86_xmm *a, const x86_xmm *b, unsigned imm8,
                  uint32_t mxcsr)
{
    /* SDM Vol.2 DPPS: products of the selected lanes (others +0) summed pairwise, each
     * step rounded. The operand order of each addition differs per destination lane
     * (measured on Intel: it decides which NaN propagates): lanes 0/1 add the (0,1) pair
     * sum first, lanes 2/3 the (2,3) pair sum; even lanes add each pair high-first. */
    unsigned flags = 0, f1 = 0, f2 = 0, f3 = 0;
    uint32_t p[4], s01[4], s23[4];
    for (int i = 0; i < 4; i++)
        p[i] = imm8 & (0x10u << i) ? sse_mul32(a->u32[i], b->u32[i], mxcsr, &f1) : 0;
    if (dp_stage(&flags, f1, mxcsr))
        return flags;
    /* the sums are formed (and flag) whatever the destination mask (measured) */
    for (int i = 0; i < 4; i++) {
        bool odd = i & 1;
        s01[i] = odd ? sse_add32(p[0], p[1], mxcsr, &f2) : sse_add32(p[1], p[0], mxcsr, &f2);
        s23[i] = odd ? sse_add32(p[2], p[3], mxcsr, &f2) : sse_add32(p[3], p[2], mxcsr, &f2);
    }
    if (dp_stage(&flags, f2, mxcsr))
        return flags;
    for (int i = 0; i < 4; i++) {
        uint32_t sum = i < 2 ? sse_add32(s01[i], s23[i], mxcsr, &f3)
                             : sse_add32(s23[i], s01[i], mxcsr, &f3);
        res->u32[i] = imm8 & (1u << i) ? sum : 0;
    }
    dp_stage(&flags, f3, mxcsr);
    return flags;
}

unsigned sse_dppd(x86_xmm *res, const x86_xmm *a, const x86_xmm *b, unsigned imm8,
                  uint32_t mxcsr)
{
    unsigned flags = 0, f1 = 0, f2 = 0;
    uint64_t p[2];
    for (int i = 0; i < 2; i++)
        p[i] = imm8 & (0x10u << i) ? sse_mul64(a->u64[i], b->u64[i], mxcsr, &f1) : 0;
    if (dp_stage(&flags, f1, mxcsr))
        return flags;
    /* Measured: lane 0 adds p0 + p1, lane 1 p1 + p0 (the order picks the NaN). */
    for (int i = 0; i < 2; i++) {
        uint64_t sum = sse_add64(p[i], p[i ^ 1], mxcsr, &f2); /* flags even if unused */
        res->u64[i] = imm8 & (1u << i) ? sum : 0;
    }
    dp_stage(&flags, f2, mxcsr);
    return flags;
}

/* Measured tables (sse_approx_table.c). */
extern const uint16_t x86_rcp_table[2048], x86_rsqrt_table[2048];

/* RCPSS on the measured Intel model: a 12-bit significand looked up from the top 11
 * significand bits; denormal inputs act as zero and denormal results flush to zero.
 * No MXCSR flags are raised (SDM Vol.2 RCPSS: "none"). */
uint32_t sse_rcp32(uint32_t a)
{
    uint32_t sign = a & 0x80000000u, e = (a >> 23) & 0xff, frac = a & 0x7fffff;
    if (e == 0xff) {
        if (frac)
            return a | 0x400000u;       /* QNaN, the SNaN quieted */
        return sign;                    /* 1/±inf = ±0 */
    }
    if (e == 0)
        return sign | 0x7f800000u;      /* ±0 and denormals: ±inf */
    if (e >= 253)
        return sign;                    /* the result would be denormal */
    return sign | ((253 - e) << 23) | ((uint32_t)x86_rcp_table[frac >> 12] << 11);
}

uint32_t sse_rsqrt32(uint32_t a)
{
    uint32_t sign = a & 0x80000000u, e = (a >> 23) & 0xff, frac = a & 0x7fffff;
    if (e == 0xff && frac)
        return a | 0x400000u;
    if (e == 0)
        return sign | 0x7f800000u;      /* ±0 and denormals: ±inf */
    if (sign)
        return 0xffc00000u;             /* negative: the real indefinite */
    if (e == 0xff)
        return 0;
    /* The table covers [0.5, 2): biased exponents 126 and 127. 1/sqrt(x * 4^k) scales
     * the result by 2^-k. */
    uint32_t idx = (a >> 13) & 0x7ff;
    int32_t k = ((int32_t)e - 126 - (int32_t)(e & 1 ? 1 : 0)) / 2;
    uint32_t out_e = (uint32_t)((idx < 1024 ? 127 : 126) - k);
    return (out_e << 23) | ((uint32_t)x86_rsqrt_table[idx] << 11);
}
