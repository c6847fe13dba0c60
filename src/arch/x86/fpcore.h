/* The IEEE arithmetic core shared by the x87 model (fpu80.c) and the SSE model
 * (sse_float.c). Internal to those two: the CPU uses their APIs, not this one.
 *
 * A value is unpacked into an xf_val: finite nonzero values are (-1)^sign * sig *
 * 2^(exp-63) with bit 63 of sig set (denormal inputs are normalised and marked); NaNs
 * keep their significand left-aligned (bit 63 = integer bit, bit 62 = quiet bit) so a
 * payload moves between float32, float64 and the 80-bit format by truncation or zero
 * extension (SDM Vol.1 §4.8.3.7 / §8.2.2).
 *
 * xf_round() is the one rounding routine: any precision up to 64 bits, any exponent
 * range, the four x86 rounding controls, tininess detected after rounding (Intel detects
 * it after rounding for both x87 and SSE: SDM Vol.1 §4.9.1.5; checked against the host in
 * the unit tests), flush-to-zero, and the x87's unmasked over/underflow result with the
 * exponent wrapped by a bias adjust (SDM Vol.1 §8.5.3, §8.5.4; with an unmasked OE/UE, PE
 * reflects the rounding with an unbounded exponent, for SSE too). Flags are returned in
 * the bit positions shared by the x87 status word and MXCSR; XF_C1 marks a result
 * rounded up in magnitude (the x87's C1). */
#ifndef VM_X86_FPCORE_H
#define VM_X86_FPCORE_H

#include <stdbool.h>
#include <stdint.h>

__extension__ typedef unsigned __int128 xf_u128;

/* Exception flags: the same bits in the x87 status word and in MXCSR (SDM Vol.1 §8.1.3,
 * §10.2.3). */
enum {
    X86_FE_IE = 0x01, X86_FE_DE = 0x02, X86_FE_ZE = 0x04,
    X86_FE_OE = 0x08, X86_FE_UE = 0x10, X86_FE_PE = 0x20,
    X86_FE_ALL = 0x3f,
    XF_C1 = 0x200,    /* x87 status word C1: the result was rounded up */
};

/* Rounding control, the same encoding in the x87 control word and MXCSR. */
enum { X86_RC_NEAREST = 0, X86_RC_DOWN = 1, X86_RC_UP = 2, X86_RC_ZERO = 3 };

enum xf_cls { XF_ZERO, XF_FINITE, XF_INF, XF_QNAN, XF_SNAN, XF_UNSUPPORTED };

typedef struct xf_val {
    uint8_t cls;      /* enum xf_cls */
    uint8_t sign;
    uint8_t denormal; /* the operand was a denormal (or x87 pseudo-denormal) */
    int32_t exp;
    uint64_t sig;
} xf_val;

/* The destination format and the control state that affects rounding. */
typedef struct xf_rules {
    int prec;           /* significand bits kept: 24, 53 or 64 */
    int32_t emin, emax; /* unbiased exponent range of normal numbers */
    unsigned rc;        /* X86_RC_* */
    bool ftz;           /* SSE MXCSR.FTZ (only honoured when UE is masked) */
    bool ue_unmasked, oe_unmasked;
    int32_t wrap_bias;  /* x87: exponent adjust for unmasked over/underflow; 0 = none */
} xf_rules;

static inline int xf_msb64(uint64_t v)
{
    return 63 - __builtin_clzll(v);
}

static inline int xf_msb128(xf_u128 v)
{
    uint64_t hi = (uint64_t)(v >> 64);
    return hi ? 64 + xf_msb64(hi) : xf_msb64((uint64_t)v);
}

static inline bool xf_is_nan(const xf_val *v)
{
    return v->cls == XF_QNAN || v->cls == XF_SNAN;
}

/* Round (-1)^sign * sig * 2^scale (sig != 0). The result is XF_FINITE with exp in
 * [emin, emax] (a denormal has exp == emin and bit 63 clear), XF_ZERO or XF_INF. */
xf_val xf_round(const xf_rules *r, int sign, int32_t scale, xf_u128 sig, unsigned *flags);

/* Exact operations on finite nonzero operands, then xf_round. Zero results of
 * additions are handled here (sign per IEEE 754 §6.3). */
xf_val xf_add_finite(const xf_rules *r, const xf_val *a, const xf_val *b, unsigned *flags);
xf_val xf_mul_finite(const xf_rules *r, const xf_val *a, const xf_val *b, unsigned *flags);
xf_val xf_div_finite(const xf_rules *r, const xf_val *a, const xf_val *b, unsigned *flags);
xf_val xf_sqrt_finite(const xf_rules *r, const xf_val *a, unsigned *flags);

/* Orders two non-NaN values: -1, 0, 1 (+0 == -0). */
int xf_compare(const xf_val *x, const xf_val *y);

/* The x86 "integer indefinite" results: the most negative integer of the width. */
/* Round a non-NaN value to an integer of `width` (16, 32 or 64) bits with rounding `rc`;
 * out of range gives the indefinite value and IE, inexact gives PE. */
uint64_t xf_to_int(const xf_val *v, unsigned width, unsigned rc, unsigned *flags);

/* Round a value to an integral value in the same format (FRNDINT, ROUNDSS): PE when
 * inexact; non-finite values are returned unchanged. */
xf_val xf_round_int(const xf_val *v, unsigned rc, unsigned *flags);

/* Unpack/pack float32 and float64. `daz` replaces denormals by signed zeros. */
xf_val xf_unpack32(uint32_t a, bool daz);
xf_val xf_unpack64(uint64_t a, bool daz);
uint32_t xf_pack32(const xf_val *v);
uint64_t xf_pack64(const xf_val *v);

xf_val xf_zero(int sign);
xf_val xf_inf(int sign);
/* The "real indefinite" QNaN: negative, quiet bit only (SDM Vol.1 Table 4-3). */
xf_val xf_indefinite(void);
xf_val xf_quiet(xf_val v);

#endif
