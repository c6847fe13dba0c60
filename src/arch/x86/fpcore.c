/* The IEEE core shared by the x87 and SSE models (see fpcore.h). Every operation forms
 * its exact result, or one whose lowest bit is jammed with the OR of everything shifted
 * out (which keeps round-to-nearest and sticky decisions exact), in a 128-bit integer;
 * xf_round() then normalises, rounds and raises the flags. */
#include "arch/x86/fpcore.h"

static inline xf_u128 shr_jam128(xf_u128 v, int32_t n)
{
    if (n <= 0)
        return v;
    if (n >= 128)
        return v != 0;
    return (v >> n) | ((v & (((xf_u128)1 << n) - 1)) != 0);
}

/* IEEE 754-2008 §4.3: whether the kept part must grow by one unit in magnitude. */
static inline bool round_inc(unsigned rc, int sign, xf_u128 rem, xf_u128 half, bool odd)
{
    if (rem == 0)
        return false;
    switch (rc) {
    case X86_RC_NEAREST: return rem > half || (rem == half && odd);
    case X86_RC_DOWN:    return sign;
    case X86_RC_UP:      return !sign;
    default:             return false;
    }
}

xf_val xf_zero(int sign)
{
    return (xf_val){ .cls = XF_ZERO, .sign = (uint8_t)sign };
}

xf_val xf_inf(int sign)
{
    return (xf_val){ .cls = XF_INF, .sign = (uint8_t)sign, .sig = 1ULL << 63 };
}

xf_val xf_indefinite(void)
{
    return (xf_val){ .cls = XF_QNAN, .sign = 1, .sig = 3ULL << 62 };
}

xf_val xf_quiet(xf_val v)
{
    v.sig |= 3ULL << 62;
    v.cls = XF_QNAN;
    return v;
}

static xf_val finite(int sign, int32_t exp, xf_u128 q, int drop)
{
    return (xf_val){ .cls = XF_FINITE, .sign = (uint8_t)sign, .exp = exp,
                     .sig = (uint64_t)((q << drop) >> 64) };
}

xf_val xf_round(const xf_rules *r, int sign, int32_t scale, xf_u128 sig, unsigned *flags)
{
    int m = xf_msb128(sig);
    const int drop = 128 - r->prec;
    const xf_u128 mask = ((xf_u128)1 << drop) - 1, half = (xf_u128)1 << (drop - 1);

    sig <<= 127 - m;
    int32_t exp = scale + m; /* exponent of the leading bit */

    /* Rounded with an unbounded exponent range. */
    xf_u128 rem = sig & mask, q = sig >> drop;
    bool inc = round_inc(r->rc, sign, rem, half, q & 1);
    int32_t e1 = exp;
    xf_u128 q1 = q + inc;
    if (q1 >> r->prec) {
        q1 >>= 1;
        e1++;
    }

    if (exp < r->emin) {
        bool tiny = e1 < r->emin; /* after rounding */
        if (tiny && r->ue_unmasked &&
            (!r->wrap_bias || e1 + r->wrap_bias >= r->emin)) {
            /* SDM Vol.1 §4.9.1.5: unmasked underflow is signalled for any tiny result,
             * exact or not, with PE when the value rounded to the precision (exponent
             * unbounded) is inexact. The x87 delivers that value with the exponent
             * wrapped; SSE writes nothing (the caller faults). */
            *flags |= X86_FE_UE | (rem ? X86_FE_PE : 0u) | (inc ? XF_C1 : 0u);
            return finite(sign, e1 + r->wrap_bias, q1, drop);
        }
        /* Still out of range after the wrap (FSCALE by a huge count): a signed zero
         * whatever the rounding direction (measured). */
        if (tiny && r->ue_unmasked) {
            *flags |= X86_FE_UE | X86_FE_PE;
            return xf_zero(sign);
        }
        if (tiny && r->ftz) {
            /* SDM Vol.1 §10.2.3.3: flush to zero sets UE and PE. */
            *flags |= X86_FE_UE | X86_FE_PE;
            return xf_zero(sign);
        }
        /* Denormalise, then round at the same bit position of the significand field:
         * the precision shrinks with the exponent. */
        xf_u128 s = shr_jam128(sig, r->emin - exp);
        rem = s & mask;
        q = s >> drop;
        inc = round_inc(r->rc, sign, rem, half, q & 1);
        q += inc;
        if (rem)
            *flags |= X86_FE_PE | (tiny ? X86_FE_UE : 0u);
        if (inc)
            *flags |= XF_C1;
        if (q == 0)
            return xf_zero(sign);
        return finite(sign, r->emin, q, drop);
    }

    if (e1 > r->emax) {
        if (r->oe_unmasked && (!r->wrap_bias || e1 - r->wrap_bias <= r->emax)) {
            /* SDM Vol.1 §8.5.3: as for underflow, PE reflects the rounding with an
             * unbounded exponent (measured for SSE too); the x87 delivers the value
             * with the exponent wrapped. */
            *flags |= X86_FE_OE | (rem ? X86_FE_PE : 0u) | (inc ? XF_C1 : 0u);
            return finite(sign, e1 - r->wrap_bias, q1, drop);
        }
        *flags |= X86_FE_OE | X86_FE_PE;
        if (r->oe_unmasked) {
            /* Still out of range after the wrap: infinity whatever the rounding
             * direction (measured with FSCALE). */
            *flags |= XF_C1;
            return xf_inf(sign);
        }
        /* SDM Vol.1 Table 4-10: infinity or the largest finite value by direction. */
        bool to_inf = r->rc == X86_RC_NEAREST || (r->rc == X86_RC_DOWN && sign) ||
                      (r->rc == X86_RC_UP && !sign);
        if (to_inf) {
            *flags |= XF_C1;
            return xf_inf(sign);
        }
        return finite(sign, r->emax, ((xf_u128)1 << r->prec) - 1, drop);
    }
    if (rem)
        *flags |= X86_FE_PE;
    if (inc)
        *flags |= XF_C1;
    return finite(sign, e1, q1, drop);
}

xf_val xf_add_finite(const xf_rules *r, const xf_val *a, const xf_val *b, unsigned *flags)
{
    /* Both leading bits at 125; the smaller is aligned with jamming. Past ~62 bits of
     * exponent difference at most one bit cancels and the jam stays below the guard. */
    xf_u128 A = (xf_u128)a->sig << 62, B = (xf_u128)b->sig << 62;
    int32_t ea = a->exp, eb = b->exp;
    int sa = a->sign, sb = b->sign;

    if (ea < eb || (ea == eb && A < B)) {
        xf_u128 t = A; A = B; B = t;
        int32_t te = ea; ea = eb; eb = te;
        int ts = sa; sa = sb; sb = ts;
    }
    B = shr_jam128(B, ea - eb);
    xf_u128 s = sa == sb ? A + B : A - B;
    /* IEEE 754-2008 §6.3: an exact zero sum of opposite signs is +0, -0 rounding down. */
    if (s == 0)
        return xf_zero(r->rc == X86_RC_DOWN);
    return xf_round(r, sa, ea - 125, s, flags);
}

xf_val xf_mul_finite(const xf_rules *r, const xf_val *a, const xf_val *b, unsigned *flags)
{
    return xf_round(r, a->sign ^ b->sign, a->exp + b->exp - 126, (xf_u128)a->sig * b->sig,
                    flags);
}

xf_val xf_div_finite(const xf_rules *r, const xf_val *a, const xf_val *b, unsigned *flags)
{
    /* Two 64-bit quotient digits and a sticky remainder: more than 66 bits. */
    xf_u128 n = (xf_u128)a->sig << 63;
    uint64_t q1 = (uint64_t)(n / b->sig), r1 = (uint64_t)(n % b->sig);
    xf_u128 n2 = (xf_u128)r1 << 64;
    uint64_t q2 = (uint64_t)(n2 / b->sig), r2 = (uint64_t)(n2 % b->sig);
    xf_u128 q = ((xf_u128)q1 << 64) | q2 | (r2 != 0);
    return xf_round(r, a->sign ^ b->sign, a->exp - b->exp - 127, q, flags);
}

xf_val xf_sqrt_finite(const xf_rules *r, const xf_val *a, unsigned *flags)
{
    /* Radicand X * 2^t with t even; the root of X * 2^128 is found digit by digit
     * (about 96 bits) and a nonzero remainder becomes the sticky bit. */
    int32_t t = a->exp - 63;
    xf_u128 X = a->sig;
    if (t & 1) {
        X <<= 1;
        t--;
    }
    xf_u128 R = 0, rem = 0;
    for (int i = 96; i >= 0; i--) {
        unsigned pair = i >= 64 ? (unsigned)(X >> (2 * (i - 64))) & 3 : 0;
        rem = (rem << 2) | pair;
        xf_u128 trial = (R << 2) | 1;
        if (rem >= trial) {
            rem -= trial;
            R = (R << 1) | 1;
        } else {
            R <<= 1;
        }
    }
    return xf_round(r, 0, (t - 128) / 2, R | (rem != 0), flags);
}

/* Orders the magnitudes of two non-NaN values: zero < finite < infinity. */
static int mag_cmp(const xf_val *x, const xf_val *y)
{
    if (x->cls != y->cls)
        return x->cls < y->cls ? -1 : 1;
    if (x->cls != XF_FINITE)
        return 0;
    if (x->exp != y->exp)
        return x->exp < y->exp ? -1 : 1;
    return x->sig < y->sig ? -1 : x->sig > y->sig;
}

int xf_compare(const xf_val *x, const xf_val *y)
{
    if (x->cls == XF_ZERO && y->cls == XF_ZERO)
        return 0;
    if (x->sign != y->sign)
        return x->sign ? -1 : 1;
    return x->sign ? -mag_cmp(x, y) : mag_cmp(x, y);
}

uint64_t xf_to_int(const xf_val *v, unsigned width, unsigned rc, unsigned *flags)
{
    const uint64_t indef = 1ULL << (width - 1);
    const uint64_t wmask = width == 64 ? ~0ULL : (1ULL << width) - 1;

    if (v->cls == XF_ZERO)
        return 0;
    if (v->cls != XF_FINITE || v->exp > 63) {
        *flags |= X86_FE_IE;
        return indef;
    }
    int32_t shift = 63 - v->exp;
    xf_u128 q, rem, half;
    if (shift >= 65) {          /* below one half, nonzero */
        q = 0;
        rem = 1;
        half = 2;
    } else if (shift > 0) {
        q = (xf_u128)v->sig >> shift;
        rem = v->sig - (uint64_t)(q << shift);
        half = (xf_u128)1 << (shift - 1);
    } else {
        q = v->sig;
        rem = 0;
        half = 1;
    }
    q += round_inc(rc, v->sign, rem, half, q & 1);
    if (q > (v->sign ? indef : indef - 1)) {
        *flags |= X86_FE_IE;
        return indef;
    }
    if (rem)
        *flags |= X86_FE_PE;
    uint64_t mag = (uint64_t)q;
    return (v->sign ? 0 - mag : mag) & wmask;
}

xf_val xf_round_int(const xf_val *v, unsigned rc, unsigned *flags)
{
    if (v->cls != XF_FINITE || v->exp >= 63)
        return *v;
    int32_t shift = 63 - v->exp;
    xf_u128 q, rem, half;
    if (shift >= 65) {          /* below one half, nonzero */
        q = 0;
        rem = 1;
        half = 2;
    } else {
        q = (xf_u128)v->sig >> shift;
        rem = v->sig - (uint64_t)(q << shift);
        half = (xf_u128)1 << (shift - 1);
    }
    q += round_inc(rc, v->sign, rem, half, q & 1);
    if (rem)
        *flags |= X86_FE_PE;
    if (q == 0)
        return xf_zero(v->sign);
    int m = xf_msb64((uint64_t)q);
    return (xf_val){ .cls = XF_FINITE, .sign = v->sign, .exp = m,
                     .sig = (uint64_t)q << (63 - m) };
}

/* Unpack a binary interchange format with `fb` fraction bits and exponent bias. */
static xf_val unpack_ieee(uint64_t a, int fb, int eb, bool daz)
{
    const int32_t bias = (1 << (eb - 1)) - 1;
    const uint32_t emask = (1u << eb) - 1;
    uint64_t frac = a & ((1ULL << fb) - 1);
    uint32_t e = (uint32_t)(a >> fb) & emask;
    xf_val v = { .sign = (uint8_t)((a >> (fb + eb)) & 1) };

    if (e == emask) {
        v.sig = (1ULL << 63) | (frac << (63 - fb));
        if (frac == 0)
            v.cls = XF_INF;
        else
            v.cls = (frac >> (fb - 1)) & 1 ? XF_QNAN : XF_SNAN;
    } else if (e == 0) {
        if (frac == 0 || daz) {
            v.cls = XF_ZERO;
        } else {
            int m = xf_msb64(frac);
            v.cls = XF_FINITE;
            v.denormal = 1;
            v.sig = frac << (63 - m);
            v.exp = 1 - bias - fb + m;
        }
    } else {
        v.cls = XF_FINITE;
        v.sig = (1ULL << 63) | (frac << (63 - fb));
        v.exp = (int32_t)e - bias;
    }
    return v;
}

static uint64_t pack_ieee(const xf_val *v, int fb, int eb)
{
    const int32_t bias = (1 << (eb - 1)) - 1;
    const uint64_t emask = (1ULL << eb) - 1, fmask = (1ULL << fb) - 1;
    uint64_t s = (uint64_t)v->sign << (fb + eb);

    switch (v->cls) {
    case XF_ZERO:
        return s;
    case XF_FINITE:
        if (!(v->sig >> 63))
            return s | (v->sig >> (63 - fb));
        return s | ((uint64_t)(v->exp + bias) << fb) | ((v->sig >> (63 - fb)) & fmask);
    case XF_INF:
        return s | (emask << fb);
    default:
        return s | (emask << fb) | ((v->sig >> (63 - fb)) & fmask);
    }
}

xf_val xf_unpack32(uint32_t a, bool daz)
{
    return unpack_ieee(a, 23, 8, daz);
}

xf_val xf_unpack64(uint64_t a, bool daz)
{
    return unpack_ieee(a, 52, 11, daz);
}

uint32_t xf_pack32(const xf_val *v)
{
    return (uint32_t)pack_ieee(v, 23, 8);
}

uint64_t xf_pack64(const xf_val *v)
{
    return pack_ieee(v, 52, 11);
}
