/* Soft-float core (see softfloat.h). Every finite operand is unpacked to an integer
 * significand and a power-of-two scale; an operation forms its exact result (or a
 * result whose lowest bit is "jammed" with the OR of everything shifted out, which keeps
 * round-to-nearest and sticky decisions exact) in a 128-bit integer, and one routine,
 * round_pack(), normalises, rounds in any of the five modes and raises the flags. */
#include "arch/riscv/softfloat.h"

#include <math.h>
#include <stddef.h>

__extension__ typedef unsigned __int128 u128;

/* IEEE 754-2008 §3.6 format parameters. */
typedef struct sf_params {
    int frac_bits;     /* trailing significand field width */
    int exp_bits;
    int bias;
} sf_params;

static const sf_params sf_fmts[2] = {
    [SF_F32] = { 23, 8, 127 },
    [SF_F64] = { 52, 11, 1023 },
};

enum sf_cls { CLS_ZERO, CLS_FINITE, CLS_INF, CLS_QNAN, CLS_SNAN };

/* A finite nonzero value is (-1)^sign * sig * 2^exp with sig an integer. */
typedef struct sf_unp {
    int cls;
    int sign;
    int exp;
    uint64_t sig;
} sf_unp;

static inline uint64_t sign_bit(sf_fmt f)
{
    return 1ULL << (sf_fmts[f].frac_bits + sf_fmts[f].exp_bits);
}

static inline uint64_t default_nan(sf_fmt f)
{
    return f == SF_F32 ? SF_F32_DEFAULT_NAN : SF_F64_DEFAULT_NAN;
}

static inline uint64_t pack_inf(sf_fmt f, int sign)
{
    const sf_params *p = &sf_fmts[f];
    return (sign ? sign_bit(f) : 0) | ((((1ULL << p->exp_bits) - 1)) << p->frac_bits);
}

static inline uint64_t pack_zero(sf_fmt f, int sign)
{
    return sign ? sign_bit(f) : 0;
}

static sf_unp unpack(sf_fmt f, uint64_t a)
{
    const sf_params *p = &sf_fmts[f];
    uint64_t frac = a & ((1ULL << p->frac_bits) - 1);
    unsigned e = (unsigned)(a >> p->frac_bits) & ((1u << p->exp_bits) - 1);
    sf_unp u = { .sign = (a & sign_bit(f)) != 0 };

    if (e == (1u << p->exp_bits) - 1) {
        if (frac == 0)
            u.cls = CLS_INF;
        else /* §6.2.1: the quiet bit is the first bit of the trailing significand */
            u.cls = (frac >> (p->frac_bits - 1)) & 1 ? CLS_QNAN : CLS_SNAN;
    } else if (e == 0) {
        u.cls = frac ? CLS_FINITE : CLS_ZERO;
        u.sig = frac;
        u.exp = 1 - p->bias - p->frac_bits;
    } else {
        u.cls = CLS_FINITE;
        u.sig = frac | (1ULL << p->frac_bits);
        u.exp = (int)e - p->bias - p->frac_bits;
    }
    return u;
}

static inline bool is_nan(const sf_unp *u)
{
    return u->cls == CLS_QNAN || u->cls == CLS_SNAN;
}

static inline int msb64(uint64_t v)
{
    return 63 - __builtin_clzll(v);
}

static inline int msb128(u128 v)
{
    uint64_t hi = (uint64_t)(v >> 64);
    return hi ? 64 + msb64(hi) : msb64((uint64_t)v);
}

/* Shift right, OR-ing every bit shifted out into bit 0. */
static inline u128 shr_jam128(u128 v, int n)
{
    if (n <= 0)
        return v;
    if (n >= 128)
        return v != 0;
    return (v >> n) | ((v & (((u128)1 << n) - 1)) != 0);
}

static inline uint64_t shr_jam64(uint64_t v, int n)
{
    if (n <= 0)
        return v;
    if (n >= 64)
        return v != 0;
    return (v >> n) | ((v & ((1ULL << n) - 1)) != 0);
}

/* Whether a value whose discarded part compares to one half as given must be
 * incremented in magnitude under `rm` (IEEE 754-2008 §4.3). `q_odd` is the lsb kept. */
static inline bool round_up(unsigned rm, int sign, bool nonzero, bool above_half,
                            bool exact_half, bool q_odd)
{
    switch (rm) {
    case SF_RNE: return above_half || (exact_half && q_odd);
    case SF_RMM: return above_half || exact_half;
    case SF_RDN: return nonzero && sign;
    case SF_RUP: return nonzero && !sign;
    default:     return false; /* SF_RTZ */
    }
}

/* Drop the low `sh` (1..63) bits of `sig` with rounding. */
static inline uint64_t round_shift(uint64_t sig, int sh, int sign, unsigned rm, bool *inexact)
{
    uint64_t rem = sig & ((1ULL << sh) - 1), half = 1ULL << (sh - 1);
    uint64_t q = sig >> sh;
    *inexact = rem != 0;
    if (rem && round_up(rm, sign, true, rem > half, rem == half, q & 1))
        q++;
    return q;
}

static uint64_t overflow_result(sf_fmt f, int sign, sf_env *env)
{
    bool to_inf;

    /* §7.4: the result depends on the rounding direction. */
    switch (env->rm) {
    case SF_RTZ: to_inf = false; break;
    case SF_RDN: to_inf = sign; break;
    case SF_RUP: to_inf = !sign; break;
    default:     to_inf = true; break;
    }
    env->flags |= SF_OF | SF_NX;
    if (to_inf)
        return pack_inf(f, sign);
    return pack_inf(f, sign) - 1; /* largest finite: all-ones below the infinity pattern */
}

/* Round (-1)^sign * sig * 2^(exp-62) with sig in [2^62, 2^63) (low bit possibly jammed). */
static uint64_t round_pack64(sf_fmt f, int sign, int exp, uint64_t sig, sf_env *env)
{
    const sf_params *p = &sf_fmts[f];
    const int F = p->frac_bits, sh = 62 - F, emin = 1 - p->bias;
    const uint64_t sbit = sign ? sign_bit(f) : 0;
    bool inexact;
    uint64_t q;

    if (exp >= emin) {
        q = round_shift(sig, sh, sign, env->rm, &inexact);
        if (q >> (F + 1)) {     /* rounded up to the next binade */
            q >>= 1;
            exp++;
        }
        if (exp > p->bias)
            return overflow_result(f, sign, env);
        if (inexact)
            env->flags |= SF_NX;
        return sbit | ((uint64_t)(exp + p->bias) << F) | (q & ((1ULL << F) - 1));
    }

    /* Subnormal range. Tininess after rounding (§7.5): tiny unless rounding to the
     * format's precision with unbounded exponent reaches the smallest normal. */
    bool tiny = true;
    if (exp == emin - 1) {
        q = round_shift(sig, sh, sign, env->rm, &inexact);
        tiny = !(q >> (F + 1));
    }
    q = round_shift(shr_jam64(sig, emin - exp), sh, sign, env->rm, &inexact);
    if (inexact)
        env->flags |= tiny ? SF_NX | SF_UF : SF_NX;
    /* A carry into bit F lands in the exponent field: the smallest normal. */
    return sbit | q;
}

/* Round (-1)^sign * sig * 2^scale for any nonzero sig. */
static uint64_t round_pack(sf_fmt f, int sign, int scale, u128 sig, sf_env *env)
{
    int msb = msb128(sig);
    uint64_t s;

    if (msb > 62)
        s = (uint64_t)shr_jam128(sig, msb - 62);
    else
        s = (uint64_t)sig << (62 - msb);
    return round_pack64(f, sign, scale + msb, s, env);
}

static uint64_t nan_result(sf_fmt f, const sf_unp *a, const sf_unp *b, sf_env *env)
{
    if (a->cls == CLS_SNAN || (b && b->cls == CLS_SNAN))
        env->flags |= SF_NV;
    return default_nan(f);
}

static uint64_t invalid(sf_fmt f, sf_env *env)
{
    env->flags |= SF_NV;
    return default_nan(f);
}

/* Sum of two nonzero exact-or-jammed values (-1)^sa * A * 2^ea + (-1)^sb * B * 2^eb.
 * Both are placed with their leading bit at 125 before aligning; the smaller one is
 * shifted right with jamming. That is exact unless the exponents differ by more than
 * the 125 - msb spare bits (>= 20 here), in which case at most one bit cancels and the
 * jammed bit sits far below the rounding position. */
static uint64_t add_exact(sf_fmt f, int sa, int ea, u128 A, int sb, int eb, u128 B, sf_env *env)
{
    int ma = msb128(A), mb = msb128(B);
    A <<= 125 - ma;
    B <<= 125 - mb;
    ea += ma;   /* exponent of the leading bit */
    eb += mb;
    if (ea < eb) {
        u128 t = A; A = B; B = t;
        int ti = ea; ea = eb; eb = ti;
        ti = sa; sa = sb; sb = ti;
    }
    B = shr_jam128(B, ea - eb);

    u128 s;
    int sign = sa;
    if (sa == sb) {
        s = A + B;
    } else if (A >= B) {
        s = A - B;
    } else {
        s = B - A;
        sign = sb;
    }
    /* §6.3: an exact zero sum of opposite signs is +0, or -0 when rounding down. */
    if (s == 0)
        return pack_zero(f, env->rm == SF_RDN);
    return round_pack(f, sign, ea - 125, s, env);
}

uint64_t sf_add(sf_fmt f, uint64_t a, uint64_t b, sf_env *env)
{
    sf_unp x = unpack(f, a), y = unpack(f, b);

    if (is_nan(&x) || is_nan(&y))
        return nan_result(f, &x, &y, env);
    if (x.cls == CLS_INF) {
        if (y.cls == CLS_INF && x.sign != y.sign)
            return invalid(f, env);  /* §7.2(b): inf - inf */
        return a;
    }
    if (y.cls == CLS_INF)
        return b;
    if (x.cls == CLS_ZERO && y.cls == CLS_ZERO)
        return pack_zero(f, x.sign == y.sign ? x.sign : env->rm == SF_RDN);
    if (x.cls == CLS_ZERO)
        return b;
    if (y.cls == CLS_ZERO)
        return a;
    return add_exact(f, x.sign, x.exp, x.sig, y.sign, y.exp, y.sig, env);
}

uint64_t sf_sub(sf_fmt f, uint64_t a, uint64_t b, sf_env *env)
{
    /* Flipping the sign of a NaN is harmless: NaN results are always the default NaN. */
    return sf_add(f, a, b ^ sign_bit(f), env);
}

uint64_t sf_mul(sf_fmt f, uint64_t a, uint64_t b, sf_env *env)
{
    sf_unp x = unpack(f, a), y = unpack(f, b);
    int sign = x.sign ^ y.sign;

    if (is_nan(&x) || is_nan(&y))
        return nan_result(f, &x, &y, env);
    if (x.cls == CLS_INF || y.cls == CLS_INF) {
        if (x.cls == CLS_ZERO || y.cls == CLS_ZERO)
            return invalid(f, env);  /* §7.2(a): 0 * inf */
        return pack_inf(f, sign);
    }
    if (x.cls == CLS_ZERO || y.cls == CLS_ZERO)
        return pack_zero(f, sign);
    return round_pack(f, sign, x.exp + y.exp, (u128)x.sig * y.sig, env);
}

uint64_t sf_div(sf_fmt f, uint64_t a, uint64_t b, sf_env *env)
{
    sf_unp x = unpack(f, a), y = unpack(f, b);
    int sign = x.sign ^ y.sign;

    if (is_nan(&x) || is_nan(&y))
        return nan_result(f, &x, &y, env);
    if (x.cls == CLS_INF) {
        if (y.cls == CLS_INF)
            return invalid(f, env);  /* §7.2(d): inf / inf */
        return pack_inf(f, sign);
    }
    if (y.cls == CLS_INF)
        return pack_zero(f, sign);
    if (y.cls == CLS_ZERO) {
        if (x.cls == CLS_ZERO)
            return invalid(f, env);  /* §7.2(d): 0 / 0 */
        env->flags |= SF_DZ;         /* §7.3 */
        return pack_inf(f, sign);
    }
    if (x.cls == CLS_ZERO)
        return pack_zero(f, sign);

    /* Dividend with its leading bit at 127: the quotient has > 70 significant bits,
     * and a nonzero remainder becomes the sticky bit. */
    int k = 127 - msb64(x.sig);
    u128 n = (u128)x.sig << k;
    u128 q = n / y.sig;
    q |= (n - q * y.sig) != 0;
    return round_pack(f, sign, x.exp - k - y.exp, q, env);
}

/* floor(sqrt(n)) for n in [2^124, 2^126): a host estimate good to ~2^-52 relative,
 * one Newton step, then an exact integer fix-up, so the host's accuracy only
 * affects speed, never the result. */
static uint64_t isqrt128(u128 n)
{
    u128 r = (u128)sqrt((double)n);
    if (r == 0)
        r = 1;
    r = (r + n / r) >> 1;
    while (r * r > n)
        r--;
    while ((r + 1) * (r + 1) <= n)
        r++;
    return (uint64_t)r;
}

uint64_t sf_sqrt(sf_fmt f, uint64_t a, sf_env *env)
{
    sf_unp x = unpack(f, a);

    if (is_nan(&x))
        return nan_result(f, &x, NULL, env);
    if (x.cls == CLS_ZERO)
        return a;                    /* §5.4.1: sqrt(-0) = -0 */
    if (x.sign)
        return invalid(f, env);      /* §7.2(g) */
    if (x.cls == CLS_INF)
        return a;

    /* Radicand in [2^124, 2^126) with an even exponent; the root has 63 bits. */
    int k = 125 - msb64(x.sig);
    int e = x.exp - k;
    if (e & 1) {
        k--;
        e++;
    }
    u128 n = (u128)x.sig << k;
    uint64_t r = isqrt128(n);
    r |= (u128)r * r != n;
    return round_pack(f, 0, e / 2, r, env);
}

uint64_t sf_muladd(sf_fmt f, uint64_t a, uint64_t b, uint64_t c, bool neg_prod, bool neg_c,
                   sf_env *env)
{
    sf_unp x = unpack(f, a), y = unpack(f, b), z = unpack(f, c);
    int sp = x.sign ^ y.sign ^ neg_prod, sc = z.sign ^ neg_c;
    bool inf_zero = (x.cls == CLS_INF && y.cls == CLS_ZERO) ||
                    (x.cls == CLS_ZERO && y.cls == CLS_INF);

    if (is_nan(&x) || is_nan(&y) || is_nan(&z)) {
        /* Unpriv. ISA §11.6: inf * 0 raises NV even when the addend is a quiet NaN. */
        if (inf_zero || x.cls == CLS_SNAN || y.cls == CLS_SNAN || z.cls == CLS_SNAN)
            env->flags |= SF_NV;
        return default_nan(f);
    }
    if (inf_zero)
        return invalid(f, env);
    if (x.cls == CLS_INF || y.cls == CLS_INF) {
        if (z.cls == CLS_INF && sc != sp)
            return invalid(f, env);
        return pack_inf(f, sp);
    }
    if (z.cls == CLS_INF)
        return pack_inf(f, sc);
    if (x.cls == CLS_ZERO || y.cls == CLS_ZERO) {
        if (z.cls == CLS_ZERO)
            return pack_zero(f, sp == sc ? sp : env->rm == SF_RDN);
        return c ^ (neg_c ? sign_bit(f) : 0);
    }
    u128 prod = (u128)x.sig * y.sig;
    if (z.cls == CLS_ZERO)
        return round_pack(f, sp, x.exp + y.exp, prod, env);
    return add_exact(f, sp, x.exp + y.exp, prod, sc, z.exp, z.sig, env);
}

/* Order of two non-NaN values with -0 below +0 (a total order on sign-magnitude). */
static bool less_signed_zero(sf_fmt f, uint64_t a, uint64_t b)
{
    uint64_t s = sign_bit(f);
    bool na = a & s, nb = b & s;
    if (na != nb)
        return na;
    return na ? a > b : a < b;
}

static uint64_t min_max(sf_fmt f, uint64_t a, uint64_t b, bool want_max, sf_env *env)
{
    sf_unp x = unpack(f, a), y = unpack(f, b);

    if (x.cls == CLS_SNAN || y.cls == CLS_SNAN)
        env->flags |= SF_NV;
    if (is_nan(&x) && is_nan(&y))
        return default_nan(f);
    if (is_nan(&x))
        return b;
    if (is_nan(&y))
        return a;
    return less_signed_zero(f, a, b) != want_max ? a : b;
}

uint64_t sf_min(sf_fmt f, uint64_t a, uint64_t b, sf_env *env)
{
    return min_max(f, a, b, false, env);
}

uint64_t sf_max(sf_fmt f, uint64_t a, uint64_t b, sf_env *env)
{
    return min_max(f, a, b, true, env);
}

/* Ordered compare of non-NaN values where +0 == -0. */
static bool ordered_lt(sf_fmt f, uint64_t a, uint64_t b)
{
    uint64_t s = sign_bit(f);
    if (((a | b) & ~s) == 0)
        return false;
    return less_signed_zero(f, a, b);
}

bool sf_eq(sf_fmt f, uint64_t a, uint64_t b, sf_env *env)
{
    sf_unp x = unpack(f, a), y = unpack(f, b);
    if (is_nan(&x) || is_nan(&y)) {
        if (x.cls == CLS_SNAN || y.cls == CLS_SNAN)
            env->flags |= SF_NV;
        return false;
    }
    return a == b || ((a | b) & ~sign_bit(f)) == 0;
}

bool sf_lt(sf_fmt f, uint64_t a, uint64_t b, sf_env *env)
{
    sf_unp x = unpack(f, a), y = unpack(f, b);
    if (is_nan(&x) || is_nan(&y)) {
        env->flags |= SF_NV;
        return false;
    }
    return ordered_lt(f, a, b);
}

bool sf_le(sf_fmt f, uint64_t a, uint64_t b, sf_env *env)
{
    sf_unp x = unpack(f, a), y = unpack(f, b);
    if (is_nan(&x) || is_nan(&y)) {
        env->flags |= SF_NV;
        return false;
    }
    return !ordered_lt(f, b, a);
}

unsigned sf_class(sf_fmt f, uint64_t a)
{
    const sf_params *p = &sf_fmts[f];
    sf_unp x = unpack(f, a);
    bool subnormal = ((a >> p->frac_bits) & ((1u << p->exp_bits) - 1)) == 0;

    switch (x.cls) {
    case CLS_INF:  return x.sign ? 1u << 0 : 1u << 7;
    case CLS_ZERO: return x.sign ? 1u << 3 : 1u << 4;
    case CLS_SNAN: return 1u << 8;
    case CLS_QNAN: return 1u << 9;
    default:
        if (subnormal)
            return x.sign ? 1u << 2 : 1u << 5;
        return x.sign ? 1u << 1 : 1u << 6;
    }
}

static uint64_t sext(uint64_t v, unsigned width)
{
    return width == 32 ? (uint64_t)(int64_t)(int32_t)(uint32_t)v : v;
}

uint64_t sf_to_int(sf_fmt f, uint64_t a, unsigned width, bool is_signed, sf_env *env)
{
    sf_unp x = unpack(f, a);
    /* Table 11.4: the saturation values. */
    const uint64_t umax = width == 32 ? 0xffffffffULL : ~0ULL;
    const uint64_t smax = umax >> 1, smin = smax + 1; /* magnitudes */
    const uint64_t pos_sat = is_signed ? smax : umax;
    const uint64_t neg_sat = is_signed ? sext(-smin, width) : 0;

    if (is_nan(&x)) {
        env->flags |= SF_NV;
        return sext(pos_sat, width);
    }
    if (x.cls == CLS_INF) {
        env->flags |= SF_NV;
        return x.sign ? neg_sat : sext(pos_sat, width);
    }
    if (x.cls == CLS_ZERO)
        return 0;

    uint64_t mag;
    bool inexact = false;
    if (x.exp >= 0) {
        if (x.exp + msb64(x.sig) >= 64)
            goto out_of_range;
        mag = x.sig << x.exp;
    } else if (-x.exp < 64) {
        mag = round_shift(x.sig, -x.exp, x.sign, env->rm, &inexact);
    } else {
        /* |value| < 2^-11: below one half, nonzero. */
        inexact = true;
        mag = round_up(env->rm, x.sign, true, false, false, false);
    }

    uint64_t limit = x.sign ? (is_signed ? smin : 0) : pos_sat;
    if (mag > limit)
        goto out_of_range;
    if (inexact)
        env->flags |= SF_NX;
    return sext(x.sign ? -mag : mag, width);

out_of_range:
    /* NV replaces NX: the result is not a rounding of the operand. */
    env->flags |= SF_NV;
    return x.sign ? neg_sat : sext(pos_sat, width);
}

uint64_t sf_from_int(sf_fmt f, uint64_t v, bool is_signed, sf_env *env)
{
    int sign = is_signed && (int64_t)v < 0;
    uint64_t mag = sign ? -v : v;
    if (mag == 0)
        return 0;
    return round_pack(f, sign, 0, mag, env);
}

uint64_t sf_convert(sf_fmt to, sf_fmt from, uint64_t a, sf_env *env)
{
    sf_unp x = unpack(from, a);

    switch (x.cls) {
    case CLS_QNAN:
    case CLS_SNAN: return nan_result(to, &x, NULL, env);
    case CLS_INF:  return pack_inf(to, x.sign);
    case CLS_ZERO: return pack_zero(to, x.sign);
    default:       return round_pack(to, x.sign, x.exp, x.sig, env);
    }
}
