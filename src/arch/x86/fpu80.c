/* x87 numerics on the 80-bit format (see fpu80.h). Operands are unpacked into the shared
 * core's form (fpcore.h); special cases follow the x87 rules; finite results are rounded
 * by fpcore's xf_round with the control word's precision and rounding controls. */
#include "arch/x86/fpu80.h"

#include <stddef.h>

enum { BIAS = 16383, EMIN = -16382, EMAX = 16383, WRAP = 24576 };

xf_val fx80_unpack(fx80 a)
{
    unsigned e = a.sign_exp & 0x7fff;
    uint64_t m = a.mant;
    xf_val v = { .sign = (uint8_t)(a.sign_exp >> 15) };

    if (e == 0x7fff) {
        /* SDM Vol.1 Table 8-3: without the integer bit these are pseudo-infinities and
         * pseudo-NaNs, unsupported since the 387. */
        if (!(m >> 63))
            v.cls = XF_UNSUPPORTED;
        else if (!(m << 1))
            v.cls = XF_INF;
        else
            v.cls = (m >> 62) & 1 ? XF_QNAN : XF_SNAN;
        v.sig = m;
    } else if (e == 0) {
        if (m == 0) {
            v.cls = XF_ZERO;
        } else {
            /* A pseudo-denormal (integer bit set) has the same value as the exponent-1
             * encoding: SDM Vol.1 §8.2.2 accepts it as a denormal operand. */
            int msb = xf_msb64(m);
            v.cls = XF_FINITE;
            v.denormal = 1;
            v.sig = m << (63 - msb);
            v.exp = EMIN - (63 - msb);
        }
    } else if (!(m >> 63)) {
        v.cls = XF_UNSUPPORTED; /* unnormal */
    } else {
        v.cls = XF_FINITE;
        v.sig = m;
        v.exp = (int32_t)e - BIAS;
    }
    return v;
}

fx80 fx80_pack(const xf_val *v)
{
    uint16_t s = (uint16_t)(v->sign << 15);
    switch (v->cls) {
    case XF_ZERO:
        return (fx80){ 0, s };
    case XF_FINITE:
        if (v->exp < EMIN) /* a normalised denormal: back to the denormal encoding */
            return (fx80){ EMIN - v->exp >= 64 ? 0 : v->sig >> (EMIN - v->exp), s };
        if (!(v->sig >> 63))
            return (fx80){ v->sig, s };
        return (fx80){ v->sig, (uint16_t)(s | (v->exp + BIAS)) };
    case XF_INF:
        return (fx80){ 1ULL << 63, (uint16_t)(s | 0x7fff) };
    case XF_UNSUPPORTED:
        return FX80_INDEFINITE;
    default:
        return (fx80){ v->sig, (uint16_t)(s | 0x7fff) };
    }
}

static xf_rules rules(uint16_t cw)
{
    /* SDM Vol.1 §8.1.5.2: PC 00 single, 10 double, 11 extended (01 reserved: extended). */
    static const int prec[4] = { 24, 64, 53, 64 };
    return (xf_rules){
        .prec = prec[(cw >> FX80_CW_PC_SHIFT) & 3],
        .emin = EMIN,
        .emax = EMAX,
        .rc = (cw >> FX80_CW_RC_SHIFT) & 3,
        .ue_unmasked = !(cw & X86_FE_UE),
        .oe_unmasked = !(cw & X86_FE_OE),
        .wrap_bias = WRAP,
    };
}

bool fx80_unmasked_no_write(const fx80_env *e)
{
    return (e->status & ~e->cw & (X86_FE_IE | X86_FE_DE | X86_FE_ZE)) != 0;
}

static fx80 invalid(fx80_env *e)
{
    e->status |= X86_FE_IE;
    return FX80_INDEFINITE;
}

/* SDM Vol.1 Table 4-7, x87 column. */
static fx80 propagate(const xf_val *x, const xf_val *y, fx80_env *e)
{
    if (x->cls == XF_SNAN || (y && y->cls == XF_SNAN))
        e->status |= X86_FE_IE;
    const xf_val *pick;
    if (!y || !xf_is_nan(y))
        pick = x;
    else if (!xf_is_nan(x))
        pick = y;
    else if (x->cls != y->cls)
        pick = x->cls == XF_QNAN ? x : y;
    else if ((x->sig | 1ULL << 62) != (y->sig | 1ULL << 62))
        pick = (x->sig | 1ULL << 62) > (y->sig | 1ULL << 62) ? x : y;
    else
        pick = x->sign <= y->sign ? x : y;
    xf_val q = xf_quiet(*pick);
    return fx80_pack(&q);
}

/* Common operand screening for two-operand operations. Returns true when *out is the
 * final result (unsupported or NaN operands). */
static bool screen2(const xf_val *x, const xf_val *y, fx80 *out, fx80_env *e)
{
    if (x->cls == XF_UNSUPPORTED || y->cls == XF_UNSUPPORTED) {
        *out = invalid(e);
        return true;
    }
    if (xf_is_nan(x) || xf_is_nan(y)) {
        *out = propagate(x, y, e);
        return true;
    }
    return false;
}

/* The denormal-operand exception is raised only when no invalid operation was found
 * (IE, and ZE for division, take precedence: measured). Returns true when DE is unmasked:
 * the instruction stops there (no result, no post-computation flags; measured). */
static bool denormal_stop(const xf_val *x, const xf_val *y, fx80_env *e)
{
    if (!x->denormal && !(y && y->denormal))
        return false;
    e->status |= X86_FE_DE;
    return !(e->cw & X86_FE_DE);
}

static fx80 rounded(const xf_val *v)
{
    return fx80_pack(v);
}

static fx80 add(fx80 a, fx80 b, bool negate_b, fx80_env *e)
{
    xf_val x = fx80_unpack(a), y = fx80_unpack(b);
    fx80 out;
    if (screen2(&x, &y, &out, e))
        return out;
    y.sign ^= negate_b;
    xf_rules r = rules(e->cw);
    if (x.cls == XF_INF && y.cls == XF_INF && x.sign != y.sign)
        return invalid(e);
    if (denormal_stop(&x, &y, e))
        return a;
    if (x.cls == XF_INF)
        return rounded(&x);
    if (y.cls == XF_INF)
        return rounded(&y);
    if (x.cls == XF_ZERO && y.cls == XF_ZERO) {
        xf_val z = xf_zero(x.sign == y.sign ? x.sign : r.rc == X86_RC_DOWN);
        return rounded(&z);
    }
    xf_val v;
    if (x.cls == XF_ZERO)
        v = xf_round(&r, y.sign, y.exp - 63, y.sig, &e->status);
    else if (y.cls == XF_ZERO)
        v = xf_round(&r, x.sign, x.exp - 63, x.sig, &e->status);
    else
        v = xf_add_finite(&r, &x, &y, &e->status);
    return rounded(&v);
}

fx80 fx80_add(fx80 a, fx80 b, fx80_env *e)
{
    return add(a, b, false, e);
}

fx80 fx80_sub(fx80 a, fx80 b, fx80_env *e)
{
    return add(a, b, true, e);
}

fx80 fx80_mul(fx80 a, fx80 b, fx80_env *e)
{
    xf_val x = fx80_unpack(a), y = fx80_unpack(b);
    int sign = x.sign ^ y.sign;
    fx80 out;
    if (screen2(&x, &y, &out, e))
        return out;
    if ((x.cls == XF_INF && y.cls == XF_ZERO) || (x.cls == XF_ZERO && y.cls == XF_INF))
        return invalid(e);
    if (denormal_stop(&x, &y, e))
        return a;
    xf_val v;
    if (x.cls == XF_INF || y.cls == XF_INF) {
        v = xf_inf(sign);
    } else if (x.cls == XF_ZERO || y.cls == XF_ZERO) {
        v = xf_zero(sign);
    } else {
        xf_rules r = rules(e->cw);
        v = xf_mul_finite(&r, &x, &y, &e->status);
    }
    return rounded(&v);
}

fx80 fx80_div(fx80 a, fx80 b, fx80_env *e)
{
    xf_val x = fx80_unpack(a), y = fx80_unpack(b);
    int sign = x.sign ^ y.sign;
    fx80 out;
    if (screen2(&x, &y, &out, e))
        return out;
    if ((x.cls == XF_INF && y.cls == XF_INF) || (x.cls == XF_ZERO && y.cls == XF_ZERO))
        return invalid(e);
    xf_val v;
    if (y.cls == XF_ZERO) {
        if (x.cls != XF_INF)
            e->status |= X86_FE_ZE;
        v = xf_inf(sign);
        return rounded(&v);
    }
    if (denormal_stop(&x, &y, e))
        return a;
    if (x.cls == XF_INF) {
        v = xf_inf(sign);
    } else if (x.cls == XF_ZERO || y.cls == XF_INF) {
        v = xf_zero(sign);
    } else {
        xf_rules r = rules(e->cw);
        v = xf_div_finite(&r, &x, &y, &e->status);
    }
    return rounded(&v);
}

fx80 fx80_sqrt(fx80 a, fx80_env *e)
{
    xf_val x = fx80_unpack(a);
    if (x.cls == XF_UNSUPPORTED)
        return invalid(e);
    if (xf_is_nan(&x))
        return propagate(&x, NULL, e);
    if (x.cls == XF_ZERO)
        return a;
    if (x.sign)
        return invalid(e);
    if (denormal_stop(&x, NULL, e))
        return a;
    if (x.cls == XF_INF)
        return a;
    xf_rules r = rules(e->cw);
    xf_val v = xf_sqrt_finite(&r, &x, &e->status);
    return rounded(&v);
}

/* Magnitude comparison helper for C1 ("rounded up") on integral rounding. */
static bool mag_grew(const xf_val *before, const xf_val *after)
{
    if (after->cls != XF_FINITE)
        return false;
    if (before->cls != XF_FINITE)
        return true;
    return after->exp > before->exp || (after->exp == before->exp && after->sig > before->sig);
}

fx80 fx80_rndint(fx80 a, fx80_env *e)
{
    xf_val x = fx80_unpack(a);
    if (x.cls == XF_UNSUPPORTED)
        return invalid(e);
    if (xf_is_nan(&x))
        return propagate(&x, NULL, e);
    if (denormal_stop(&x, NULL, e) || x.cls != XF_FINITE)
        return a;
    xf_val v = xf_round_int(&x, (e->cw >> FX80_CW_RC_SHIFT) & 3, &e->status);
    if (mag_grew(&x, &v))
        e->status |= FX80_C1;
    return rounded(&v);
}

fx80 fx80_scale(fx80 a, fx80 b, fx80_env *e)
{
    xf_val x = fx80_unpack(a), y = fx80_unpack(b);
    fx80 out;
    if (screen2(&x, &y, &out, e))
        return out;
    /* SDM Vol.2 FSCALE Table 3-46. */
    if (y.cls == XF_INF) {
        if ((x.cls == XF_ZERO && !y.sign) || (x.cls == XF_INF && y.sign))
            return invalid(e);
        if (denormal_stop(&x, &y, e))
        return a;
        xf_val v = x.cls == XF_ZERO || (x.cls == XF_FINITE && y.sign) ? xf_zero(x.sign)
                                                                         : xf_inf(x.sign);
        return rounded(&v);
    }
    if (denormal_stop(&x, &y, e))
        return a;
    if (x.cls != XF_FINITE)
        return a;
    int32_t n = 0;
    if (y.cls == XF_FINITE && y.exp >= 0) {
        /* Beyond 2^16 any scale over- or underflows the format: clamp. */
        n = y.exp > 16 ? 70000 : (int32_t)(y.sig >> (63 - y.exp));
        if (n > 70000)
            n = 70000;
        if (y.sign)
            n = -n;
    }
    xf_rules r = rules(e->cw);
    r.prec = 64; /* SDM Vol.1 §8.1.5.2: PC applies only to + - * / and square root */
    xf_val v = xf_round(&r, x.sign, x.exp - 63 + n, x.sig, &e->status);
    return rounded(&v);
}

fx80 fx80_xtract(fx80 a, fx80 *exp, fx80_env *e)
{
    xf_val x = fx80_unpack(a);
    if (x.cls == XF_UNSUPPORTED) {
        *exp = invalid(e);
        return *exp;
    }
    if (xf_is_nan(&x)) {
        *exp = propagate(&x, NULL, e);
        return *exp;
    }
    if (denormal_stop(&x, NULL, e)) {
        *exp = a;
        return a;
    }
    if (x.cls == XF_ZERO) {
        /* SDM Vol.2 FXTRACT: zero raises ZE; the exponent is -inf. */
        e->status |= X86_FE_ZE;
        *exp = (fx80){ 1ULL << 63, 0xffff };
        return a;
    }
    if (x.cls == XF_INF) {
        *exp = (fx80){ 1ULL << 63, 0x7fff };
        return a;
    }
    *exp = fx80_from_int(x.exp);
    return (fx80){ x.sig, (uint16_t)((x.sign << 15) | BIAS) };
}

fx80 fx80_prem(fx80 a, fx80 b, bool ieee, fx80_env *e)
{
    xf_val x = fx80_unpack(a), y = fx80_unpack(b);
    fx80 out;
    e->status &= ~(unsigned)(FX80_C0 | FX80_C1 | FX80_C2 | FX80_C3);
    if (screen2(&x, &y, &out, e))
        return out;
    if (x.cls == XF_INF || y.cls == XF_ZERO)
        return invalid(e);
    if (denormal_stop(&x, &y, e))
        return a;
    if (x.cls == XF_ZERO || y.cls == XF_INF)
        return rounded(&x);

    xf_rules r = rules(e->cw);
    r.prec = 64; /* the remainder is exact: precision control does not apply */
    int32_t d = x.exp - y.exp;
    int sign = x.sign;
    uint64_t q = 0;
    xf_u128 rem;
    int32_t scale;

    if (d >= 64) {
        /* SDM Vol.2 FPREM: a partial step reduces the exponent difference by D - N with
         * 32 <= N <= 63; this model (like the Intel parts we measured) uses N = 32 +
         * (D mod 32). The quotient is truncated in both FPREM and FPREM1 here. */
        int n = 32 + (int)(d % 32);
        xf_u128 num = (xf_u128)x.sig << n;
        rem = num % y.sig;
        scale = x.exp - 63 - n;
        e->status |= FX80_C2;
    } else if (d >= 0) {
        xf_u128 num = (xf_u128)x.sig << d;
        xf_u128 qq = num / y.sig;
        rem = num - qq * y.sig;
        q = (uint64_t)qq;
        scale = y.exp - 63;
        if (ieee && (2 * rem > y.sig || (2 * rem == y.sig && (q & 1)))) {
            rem = y.sig - rem;
            sign ^= 1;
            q++;
        }
    } else {
        rem = x.sig;
        scale = x.exp - 63;
        if (ieee && d == -1 && x.sig > y.sig) {
            /* |b|/2 < |a| < |b|: quotient 1, remainder |b| - |a| (units of ulp(a)). */
            rem = ((xf_u128)y.sig << 1) - x.sig;
            sign ^= 1;
            q = 1;
        }
    }
    if (!(e->status & FX80_C2)) {
        e->status |= (q & 4 ? FX80_C0 : 0u) | (q & 2 ? FX80_C3 : 0u) |
                     (q & 1 ? FX80_C1 : 0u);
    }
    if (rem == 0) {
        xf_val z = xf_zero(x.sign);
        return rounded(&z);
    }
    unsigned fl = 0;
    xf_val v = xf_round(&r, sign, scale, rem, &fl);
    e->status |= fl & ~(unsigned)XF_C1;
    return rounded(&v);
}

unsigned fx80_compare(fx80 a, fx80 b, bool quiet, fx80_env *e)
{
    xf_val x = fx80_unpack(a), y = fx80_unpack(b);
    if (x.cls == XF_UNSUPPORTED || y.cls == XF_UNSUPPORTED) {
        e->status |= X86_FE_IE;
        return FX80_C3 | FX80_C2 | FX80_C0;
    }
    if (xf_is_nan(&x) || xf_is_nan(&y)) {
        if (!quiet || x.cls == XF_SNAN || y.cls == XF_SNAN)
            e->status |= X86_FE_IE;
        return FX80_C3 | FX80_C2 | FX80_C0;
    }
    if (x.denormal || y.denormal)
        e->status |= X86_FE_DE;
    int c = xf_compare(&x, &y);
    return c == 0 ? FX80_C3 : c < 0 ? FX80_C0 : 0;
}

unsigned fx80_comi(fx80 a, fx80 b, bool quiet, fx80_env *e)
{
    unsigned c = fx80_compare(a, b, quiet, e);
    return (c & FX80_C3 ? FX80_EFL_ZF : 0u) | (c & FX80_C2 ? FX80_EFL_PF : 0u) |
           (c & FX80_C0 ? FX80_EFL_CF : 0u);
}

unsigned fx80_examine(fx80 a)
{
    xf_val x = fx80_unpack(a);
    unsigned c1 = x.sign ? FX80_C1 : 0;
    /* SDM Vol.2 FXAM: C3 C2 C0. */
    switch (x.cls) {
    case XF_UNSUPPORTED: return c1;
    case XF_QNAN:
    case XF_SNAN:        return c1 | FX80_C0;
    case XF_INF:         return c1 | FX80_C2 | FX80_C0;
    case XF_ZERO:        return c1 | FX80_C3;
    default:             return c1 | (x.denormal ? FX80_C3 | FX80_C2 : FX80_C2);
    }
}

static fx80 load(xf_val x, fx80_env *e)
{
    if (x.cls == XF_SNAN) {
        e->status |= X86_FE_IE;
        x = xf_quiet(x);
    }
    if (x.denormal)
        e->status |= X86_FE_DE;
    return fx80_pack(&x);
}

fx80 fx80_from_f32(uint32_t a, fx80_env *e)
{
    return load(xf_unpack32(a, false), e);
}

fx80 fx80_from_f64(uint64_t a, fx80_env *e)
{
    return load(xf_unpack64(a, false), e);
}

static fx80 operand(xf_val x, fx80_env *e)
{
    if (x.cls == XF_SNAN)
        return fx80_pack(&x);
    return load(x, e);
}

fx80 fx80_operand_f32(uint32_t a, fx80_env *e)
{
    return operand(xf_unpack32(a, false), e);
}

fx80 fx80_operand_f64(uint64_t a, fx80_env *e)
{
    return operand(xf_unpack64(a, false), e);
}

fx80 fx80_from_int(int64_t v)
{
    if (v == 0)
        return (fx80){ 0, 0 };
    uint64_t mag = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    int m = xf_msb64(mag);
    return (fx80){ mag << (63 - m), (uint16_t)((v < 0 ? 0x8000 : 0) | (BIAS + m)) };
}

/* FST m32/m64: round into the memory format. */
static uint64_t store(fx80 a, int prec, int32_t emin, int32_t emax, bool dbl, fx80_env *e)
{
    xf_val x = fx80_unpack(a);
    xf_val v;
    if (x.cls == XF_UNSUPPORTED) {
        e->status |= X86_FE_IE;
        v = xf_indefinite();
    } else if (xf_is_nan(&x)) {
        if (x.cls == XF_SNAN)
            e->status |= X86_FE_IE;
        v = xf_quiet(x);
    } else if (x.cls != XF_FINITE) {
        v = x;
    } else {
        xf_rules r = rules(e->cw);
        r.prec = prec;
        r.emin = emin;
        r.emax = emax;
        r.wrap_bias = 0; /* memory destinations never receive a wrapped exponent */
        v = xf_round(&r, x.sign, x.exp - 63, x.sig, &e->status);
    }
    return dbl ? xf_pack64(&v) : xf_pack32(&v);
}

uint32_t fx80_to_f32(fx80 a, fx80_env *e)
{
    return (uint32_t)store(a, 24, -126, 127, false, e);
}

uint64_t fx80_to_f64(fx80 a, fx80_env *e)
{
    return store(a, 53, -1022, 1023, true, e);
}

uint64_t fx80_to_int(fx80 a, unsigned width, bool truncate, fx80_env *e)
{
    xf_val x = fx80_unpack(a);
    unsigned rc = truncate ? X86_RC_ZERO : (e->cw >> FX80_CW_RC_SHIFT) & 3, fl = 0;
    uint64_t v = xf_to_int(&x, width, rc, &fl);
    if (x.cls == XF_FINITE && !(fl & X86_FE_IE)) {
        xf_val r = xf_round_int(&x, rc, &(unsigned){ 0 });
        if (mag_grew(&x, &r))
            fl |= FX80_C1;
    }
    e->status |= fl;
    return v;
}

fx80 fx80_from_bcd(const uint8_t bcd[10])
{
    uint64_t v = 0;
    for (int i = 8; i >= 0; i--)
        v = v * 100 + (uint64_t)(bcd[i] >> 4) * 10 + (bcd[i] & 15);
    fx80 r = fx80_from_int((int64_t)v);
    if (bcd[9] & 0x80)
        r.sign_exp |= 0x8000;
    return r;
}

void fx80_to_bcd(fx80 a, uint8_t out[10], fx80_env *e)
{
    static const uint8_t indefinite[10] = { 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xff, 0xff };
    xf_val x = fx80_unpack(a);
    unsigned rc = (e->cw >> FX80_CW_RC_SHIFT) & 3, fl = 0;
    uint64_t v = 0;

    if (x.cls == XF_FINITE) {
        xf_val r = xf_round_int(&x, rc, &fl);
        if (r.cls == XF_FINITE) {
            if (r.exp > 59 || (v = r.sig >> (63 - r.exp)) > 999999999999999999ULL)
                goto bad;
        }
        if (mag_grew(&x, &r))
            fl |= FX80_C1;
    } else if (x.cls != XF_ZERO) {
        goto bad;
    }
    e->status |= fl;
    for (int i = 0; i < 9; i++) {
        unsigned lo = (unsigned)(v % 10), hi = (unsigned)(v / 10 % 10);
        out[i] = (uint8_t)(hi << 4 | lo);
        v /= 100;
    }
    out[9] = x.sign ? 0x80 : 0;
    return;
bad:
    /* SDM Vol.2 FBSTP: NaN, infinity or out of range stores the packed BCD indefinite. */
    e->status |= X86_FE_IE;
    for (int i = 0; i < 10; i++)
        out[i] = indefinite[i];
}

fx80 fx80_const(unsigned which, fx80_env *e)
{
    /* SDM Vol.1 §8.3.8: the constants are held with 66 bits and rounded by RC. Each entry
     * is the truncated 64-bit significand, the exponent, and whether the discarded bits
     * are above one half (nearest rounds up) / nonzero (directed modes may round up). */
    static const struct { uint64_t mant; uint16_t se; uint8_t above_half, inexact; } k[7] = {
        { 0x8000000000000000ULL, 0x3fff, 0, 0 },  /* 1 */
        { 0xd49a784bcd1b8afeULL, 0x4000, 0, 1 },  /* log2(10) */
        { 0xb8aa3b295c17f0bbULL, 0x3fff, 1, 1 },  /* log2(e) */
        { 0xc90fdaa22168c234ULL, 0x4000, 1, 1 },  /* pi */
        { 0x9a209a84fbcff798ULL, 0x3ffd, 1, 1 },  /* log10(2) */
        { 0xb17217f7d1cf79abULL, 0x3ffe, 1, 1 },  /* ln(2) */
        { 0, 0, 0, 0 },                           /* +0 */
    };
    if (which > 6)
        which = 6;
    fx80 r = { k[which].mant, k[which].se };
    unsigned rc = (e->cw >> FX80_CW_RC_SHIFT) & 3;
    bool up = rc == X86_RC_NEAREST ? k[which].above_half
                                    : rc == X86_RC_UP && k[which].inexact;
    if (up)
        r.mant++;
    return r;
}
