/* Packed integer operations (see sse_int.h). Every function builds its result in a local
 * copy of the destination and stores it at the end, so d may alias a or b. */
#include "arch/x86/sse_int.h"

static uint64_t get(const x86_xmm *x, unsigned esize, unsigned i)
{
    switch (esize) {
    case 1:  return x->u8[i];
    case 2:  return x->u16[i];
    case 4:  return x->u32[i];
    default: return x->u64[i];
    }
}

static int64_t sget(const x86_xmm *x, unsigned esize, unsigned i)
{
    switch (esize) {
    case 1:  return x->i8[i];
    case 2:  return x->i16[i];
    case 4:  return x->i32[i];
    default: return x->i64[i];
    }
}

static void set(x86_xmm *x, unsigned esize, unsigned i, uint64_t v)
{
    switch (esize) {
    case 1:  x->u8[i] = (uint8_t)v; break;
    case 2:  x->u16[i] = (uint16_t)v; break;
    case 4:  x->u32[i] = (uint32_t)v; break;
    default: x->u64[i] = v; break;
    }
}

static int64_t smax_of(unsigned esize)
{
    return (int64_t)((1ULL << (8 * esize - 1)) - 1);
}

static int64_t clamp(int64_t v, int64_t lo, int64_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Saturate an exact (esize <= 4) result. */
static uint64_t saturate(int64_t v, unsigned esize, sse_sat sat)
{
    if (sat == SSE_SSAT)
        return (uint64_t)clamp(v, -smax_of(esize) - 1, smax_of(esize));
    if (sat == SSE_USAT)
        return (uint64_t)clamp(v, 0, (int64_t)((1ULL << (8 * esize)) - 1));
    return (uint64_t)v;
}

static void addsub(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize,
                   sse_sat sat, bool subtract, unsigned n)
{
    x86_xmm r = *d;
    for (unsigned i = 0; i < n / esize; i++) {
        uint64_t v;
        if (sat == SSE_WRAP) {
            v = subtract ? get(a, esize, i) - get(b, esize, i)
                         : get(a, esize, i) + get(b, esize, i);
        } else if (sat == SSE_SSAT) {
            int64_t x = sget(a, esize, i), y = sget(b, esize, i);
            v = saturate(subtract ? x - y : x + y, esize, sat);
        } else {
            int64_t x = (int64_t)get(a, esize, i), y = (int64_t)get(b, esize, i);
            v = saturate(subtract ? x - y : x + y, esize, sat);
        }
        set(&r, esize, i, v);
    }
    *d = r;
}

void sse_add(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize, sse_sat sat,
             unsigned n)
{
    addsub(d, a, b, esize, sat, false, n);
}

void sse_sub(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize, sse_sat sat,
             unsigned n)
{
    addsub(d, a, b, esize, sat, true, n);
}

void sse_mullo(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize, unsigned n)
{
    x86_xmm r = *d;
    for (unsigned i = 0; i < n / esize; i++)
        set(&r, esize, i, get(a, esize, i) * get(b, esize, i));
    *d = r;
}

void sse_mulhi16(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, bool is_signed,
                 unsigned n)
{
    x86_xmm r = *d;
    for (unsigned i = 0; i < n / 2; i++) {
        int64_t p = is_signed ? (int64_t)a->i16[i] * b->i16[i]
                              : (int64_t)a->u16[i] * b->u16[i];
        r.u16[i] = (uint16_t)((uint64_t)p >> 16);
    }
    *d = r;
}

void sse_mul32x64(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, bool is_signed,
                  unsigned n)
{
    x86_xmm r = *d;
    for (unsigned i = 0; i < n / 8; i++) {
        if (is_signed)
            r.u64[i] = (uint64_t)((int64_t)a->i32[2 * i] * b->i32[2 * i]);
        else
            r.u64[i] = (uint64_t)a->u32[2 * i] * b->u32[2 * i];
    }
    *d = r;
}

void sse_pmulhrsw(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned n)
{
    x86_xmm r = *d;
    for (unsigned i = 0; i < n / 2; i++) {
        int32_t p = (int32_t)a->i16[i] * b->i16[i];
        /* SDM Vol.2 PMULHRSW: ((p >> 14) + 1) >> 1, low 16 bits. */
        r.u16[i] = (uint16_t)(((p >> 14) + 1) >> 1);
    }
    *d = r;
}

void sse_pmaddwd(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned n)
{
    x86_xmm r = *d;
    for (unsigned i = 0; i < n / 4; i++) {
        int64_t s = (int64_t)a->i16[2 * i] * b->i16[2 * i] +
                    (int64_t)a->i16[2 * i + 1] * b->i16[2 * i + 1];
        r.u32[i] = (uint32_t)s; /* only 0x8000 * 0x8000 * 2 wraps, as on hardware */
    }
    *d = r;
}

void sse_pmaddubsw(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned n)
{
    x86_xmm r = *d;
    for (unsigned i = 0; i < n / 2; i++) {
        int64_t s = (int64_t)a->u8[2 * i] * b->i8[2 * i] +
                    (int64_t)a->u8[2 * i + 1] * b->i8[2 * i + 1];
        r.u16[i] = (uint16_t)saturate(s, 2, SSE_SSAT);
    }
    *d = r;
}

void sse_cmpeq(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize, unsigned n)
{
    x86_xmm r = *d;
    for (unsigned i = 0; i < n / esize; i++)
        set(&r, esize, i, get(a, esize, i) == get(b, esize, i) ? ~0ULL : 0);
    *d = r;
}

void sse_cmpgt(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize, unsigned n)
{
    x86_xmm r = *d;
    for (unsigned i = 0; i < n / esize; i++)
        set(&r, esize, i, sget(a, esize, i) > sget(b, esize, i) ? ~0ULL : 0);
    *d = r;
}

void sse_minmax(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize,
                bool is_signed, bool want_max, unsigned n)
{
    x86_xmm r = *d;
    for (unsigned i = 0; i < n / esize; i++) {
        bool a_less = is_signed ? sget(a, esize, i) < sget(b, esize, i)
                                : get(a, esize, i) < get(b, esize, i);
        set(&r, esize, i, a_less != want_max ? get(a, esize, i) : get(b, esize, i));
    }
    *d = r;
}

void sse_avg(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize, unsigned n)
{
    x86_xmm r = *d;
    for (unsigned i = 0; i < n / esize; i++)
        set(&r, esize, i, (get(a, esize, i) + get(b, esize, i) + 1) >> 1);
    *d = r;
}

void sse_abs(x86_xmm *d, const x86_xmm *b, unsigned esize, unsigned n)
{
    x86_xmm r = *d;
    for (unsigned i = 0; i < n / esize; i++) {
        int64_t v = sget(b, esize, i);
        set(&r, esize, i, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
    }
    *d = r;
}

void sse_sign(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize, unsigned n)
{
    x86_xmm r = *d;
    for (unsigned i = 0; i < n / esize; i++) {
        int64_t s = sget(b, esize, i);
        uint64_t v = get(a, esize, i);
        set(&r, esize, i, s < 0 ? 0 - v : s == 0 ? 0 : v);
    }
    *d = r;
}

void sse_hadd(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize, sse_sat sat,
              bool subtract, unsigned n)
{
    x86_xmm r = *d;
    unsigned half = n / esize / 2;
    for (unsigned i = 0; i < 2 * half; i++) {
        const x86_xmm *s = i < half ? a : b;
        unsigned j = 2 * (i % half);
        int64_t x = sget(s, esize, j), y = sget(s, esize, j + 1);
        int64_t v = subtract ? x - y : x + y;
        set(&r, esize, i, sat == SSE_SSAT ? saturate(v, esize, sat) : (uint64_t)v);
    }
    *d = r;
}

void sse_shift(x86_xmm *d, const x86_xmm *a, uint64_t count, unsigned esize,
               sse_shift_kind kind, unsigned n)
{
    x86_xmm r = *d;
    const unsigned bits = 8 * esize;
    for (unsigned i = 0; i < n / esize; i++) {
        uint64_t v;
        if (kind == SSE_SRA) {
            /* Over-wide arithmetic shifts fill with the sign. */
            unsigned c = count >= bits ? bits - 1 : (unsigned)count;
            v = (uint64_t)(sget(a, esize, i) >> c);
        } else if (count >= bits) {
            v = 0;
        } else {
            v = kind == SSE_SLL ? get(a, esize, i) << count : get(a, esize, i) >> count;
        }
        set(&r, esize, i, v);
    }
    *d = r;
}

void sse_shift_bytes(x86_xmm *d, const x86_xmm *a, unsigned count, bool left)
{
    x86_xmm r;
    for (unsigned i = 0; i < 16; i++) {
        if (left)
            r.u8[i] = i >= count ? a->u8[i - count] : 0;
        else
            r.u8[i] = count < 16 && i + count < 16 ? a->u8[i + count] : 0;
    }
    *d = r;
}

static void pack(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize,
                 sse_sat sat, unsigned n)
{
    x86_xmm r = *d;
    unsigned cnt = n / esize;
    for (unsigned i = 0; i < 2 * cnt; i++) {
        int64_t v = i < cnt ? sget(a, esize, i) : sget(b, esize, i - cnt);
        set(&r, esize / 2, i, saturate(v, esize / 2, sat));
    }
    *d = r;
}

void sse_packss(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize,
                unsigned n)
{
    pack(d, a, b, esize, SSE_SSAT, n);
}

void sse_packus(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize,
                unsigned n)
{
    pack(d, a, b, esize, SSE_USAT, n);
}

void sse_unpack(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize, bool high,
                unsigned n)
{
    x86_xmm r = *d;
    unsigned half = n / esize / 2, base = high ? half : 0;
    for (unsigned i = 0; i < half; i++) {
        uint64_t x = get(a, esize, base + i), y = get(b, esize, base + i);
        set(&r, esize, 2 * i, x);
        set(&r, esize, 2 * i + 1, y);
    }
    *d = r;
}

void sse_pshufd(x86_xmm *d, const x86_xmm *a, unsigned imm8)
{
    x86_xmm r;
    for (unsigned i = 0; i < 4; i++)
        r.u32[i] = a->u32[(imm8 >> (2 * i)) & 3];
    *d = r;
}

void sse_pshufw(x86_xmm *d, const x86_xmm *a, unsigned imm8)
{
    x86_xmm r = *d;
    for (unsigned i = 0; i < 4; i++)
        r.u16[i] = a->u16[(imm8 >> (2 * i)) & 3];
    *d = r;
}

void sse_pshuflw(x86_xmm *d, const x86_xmm *a, unsigned imm8)
{
    x86_xmm r = *a;
    for (unsigned i = 0; i < 4; i++)
        r.u16[i] = a->u16[(imm8 >> (2 * i)) & 3];
    *d = r;
}

void sse_pshufhw(x86_xmm *d, const x86_xmm *a, unsigned imm8)
{
    x86_xmm r = *a;
    for (unsigned i = 0; i < 4; i++)
        r.u16[4 + i] = a->u16[4 + ((imm8 >> (2 * i)) & 3)];
    *d = r;
}

void sse_shufps(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned imm8)
{
    x86_xmm r;
    r.u32[0] = a->u32[imm8 & 3];
    r.u32[1] = a->u32[(imm8 >> 2) & 3];
    r.u32[2] = b->u32[(imm8 >> 4) & 3];
    r.u32[3] = b->u32[(imm8 >> 6) & 3];
    *d = r;
}

void sse_shufpd(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned imm8)
{
    x86_xmm r;
    r.u64[0] = a->u64[imm8 & 1];
    r.u64[1] = b->u64[(imm8 >> 1) & 1];
    *d = r;
}

void sse_pshufb(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned n)
{
    x86_xmm r = *d;
    for (unsigned i = 0; i < n; i++) {
        uint8_t s = b->u8[i];
        r.u8[i] = s & 0x80 ? 0 : a->u8[s & (n - 1)];
    }
    *d = r;
}

void sse_palignr(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned imm8, unsigned n)
{
    x86_xmm r = *d;
    for (unsigned i = 0; i < n; i++) {
        unsigned k = i + (imm8 & 0xff);
        r.u8[i] = k < n ? b->u8[k] : k < 2 * n ? a->u8[k - n] : 0;
    }
    *d = r;
}

static unsigned absdiff(unsigned x, unsigned y)
{
    return x > y ? x - y : y - x;
}

void sse_psadbw(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned n)
{
    x86_xmm r = *d;
    for (unsigned q = 0; q < n / 8; q++) {
        unsigned s = 0;
        for (unsigned i = 0; i < 8; i++)
            s += absdiff(a->u8[8 * q + i], b->u8[8 * q + i]);
        r.u64[q] = s;
    }
    *d = r;
}

void sse_mpsadbw(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned imm8)
{
    x86_xmm r;
    unsigned ao = ((imm8 >> 2) & 1) * 4, bo = (imm8 & 3) * 4;
    for (unsigned i = 0; i < 8; i++) {
        unsigned s = 0;
        for (unsigned j = 0; j < 4; j++)
            s += absdiff(a->u8[ao + i + j], b->u8[bo + j]);
        r.u16[i] = (uint16_t)s;
    }
    *d = r;
}

void sse_phminposuw(x86_xmm *d, const x86_xmm *a)
{
    unsigned best = 0;
    for (unsigned i = 1; i < 8; i++)
        if (a->u16[i] < a->u16[best])
            best = i;
    x86_xmm r = { .u64 = { 0, 0 } };
    r.u16[0] = a->u16[best];
    r.u16[1] = (uint16_t)best;
    *d = r;
}

uint32_t sse_pmovmskb(const x86_xmm *a, unsigned n)
{
    uint32_t m = 0;
    for (unsigned i = 0; i < n; i++)
        m |= (uint32_t)(a->u8[i] >> 7) << i;
    return m;
}

uint32_t sse_movmskps(const x86_xmm *a)
{
    uint32_t m = 0;
    for (unsigned i = 0; i < 4; i++)
        m |= (a->u32[i] >> 31) << i;
    return m;
}

uint32_t sse_movmskpd(const x86_xmm *a)
{
    return (uint32_t)(a->u64[0] >> 63) | (uint32_t)(a->u64[1] >> 63) << 1;
}

void sse_pinsr(x86_xmm *d, uint64_t v, unsigned idx, unsigned esize, unsigned n)
{
    set(d, esize, idx % (n / esize), v);
}

uint64_t sse_pextr(const x86_xmm *a, unsigned idx, unsigned esize, unsigned n)
{
    return get(a, esize, idx % (n / esize));
}

void sse_pmovx(x86_xmm *d, const x86_xmm *a, unsigned from, unsigned to, bool is_signed)
{
    x86_xmm r;
    for (unsigned i = 0; i < 16 / to; i++)
        set(&r, to, i, is_signed ? (uint64_t)sget(a, from, i) : get(a, from, i));
    *d = r;
}

void sse_blend_imm(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned imm8,
                   unsigned esize)
{
    x86_xmm r;
    for (unsigned i = 0; i < 16 / esize; i++)
        set(&r, esize, i, (imm8 >> i) & 1 ? get(b, esize, i) : get(a, esize, i));
    *d = r;
}

void sse_blend_var(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, const x86_xmm *mask,
                   unsigned esize)
{
    x86_xmm r;
    for (unsigned i = 0; i < 16 / esize; i++)
        set(&r, esize, i, sget(mask, esize, i) < 0 ? get(b, esize, i) : get(a, esize, i));
    *d = r;
}

unsigned sse_ptest(const x86_xmm *a, const x86_xmm *b)
{
    bool zf = ((a->u64[0] & b->u64[0]) | (a->u64[1] & b->u64[1])) == 0;
    bool cf = ((~a->u64[0] & b->u64[0]) | (~a->u64[1] & b->u64[1])) == 0;
    return (zf ? SSE_INT_ZF : 0u) | (cf ? SSE_INT_CF : 0u);
}

/* SDM Vol.2 §4.1.4-4.1.6: lengths, the pairwise comparison with its overrides for
 * invalid (past the end) elements, aggregation, polarity and output selection. */
static unsigned str_len(const x86_xmm *x, bool explicit_len, int64_t l, unsigned esize,
                        unsigned count)
{
    if (explicit_len) {
        uint64_t mag = l < 0 ? 0 - (uint64_t)l : (uint64_t)l;
        return mag > count ? count : (unsigned)mag;
    }
    for (unsigned i = 0; i < count; i++)
        if (get(x, esize, i) == 0)
            return i;
    return count;
}

unsigned sse_pcmpstr(const x86_xmm *a, const x86_xmm *b, bool explicit_len, int64_t la,
                     int64_t lb, unsigned imm8, uint32_t *index, x86_xmm *mask)
{
    const unsigned esize = imm8 & 1 ? 2 : 1, count = 16 / esize;
    const bool is_signed = (imm8 & 2) != 0;
    const unsigned agg = (imm8 >> 2) & 3, pol = (imm8 >> 4) & 3;
    unsigned lena = str_len(a, explicit_len, la, esize, count);
    unsigned lenb = str_len(b, explicit_len, lb, esize, count);
    uint32_t res = 0;

#define ELEM(x, i) (is_signed ? sget((x), esize, (i)) : (int64_t)get((x), esize, (i)))
    for (unsigned j = 0; j < count; j++) {
        bool bit = false;
        switch (agg) {
        case 0: /* equal any: b[j] is one of a[0..lena) */
            for (unsigned i = 0; i < lena && j < lenb && !bit; i++)
                bit = ELEM(a, i) == ELEM(b, j);
            break;
        case 1: /* ranges: a holds (low, high) pairs; an invalid bound never matches */
            for (unsigned i = 0; i + 1 < lena && j < lenb && !bit; i += 2)
                bit = ELEM(b, j) >= ELEM(a, i) && ELEM(b, j) <= ELEM(a, i + 1);
            break;
        case 2: /* equal each: both past the end compare equal */
            if (j >= lena && j >= lenb)
                bit = true;
            else if (j < lena && j < lenb)
                bit = ELEM(a, j) == ELEM(b, j);
            break;
        default: /* equal ordered: the needle a starts at b[j] */
            bit = true;
            for (unsigned k = 0; k < lena && j + k < count && bit; k++)
                bit = j + k < lenb && ELEM(a, k) == ELEM(b, j + k);
            break;
        }
        res |= (uint32_t)bit << j;
    }
#undef ELEM

    const uint32_t all = (1u << count) - 1;
    if (pol == 1)
        res = ~res & all;
    else if (pol == 3)
        res ^= (1u << lenb) - 1; /* negate only the valid elements of b */

    if (res == 0)
        *index = count;
    else if (imm8 & 0x40)
        *index = (uint32_t)(31 - __builtin_clz(res));
    else
        *index = (uint32_t)__builtin_ctz(res);

    x86_xmm m = { .u64 = { 0, 0 } };
    if (imm8 & 0x40) {
        for (unsigned j = 0; j < count; j++)
            set(&m, esize, j, (res >> j) & 1 ? ~0ULL : 0);
    } else {
        m.u32[0] = res;
    }
    *mask = m;

    return (res ? SSE_INT_CF : 0u) | (lenb < count ? SSE_INT_ZF : 0u) |
           (lena < count ? SSE_INT_SF : 0u) | (res & 1 ? SSE_INT_OF : 0u);
}

uint32_t sse_crc32c(uint32_t crc, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++) {
        crc ^= (uint8_t)(v >> (8 * i));
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0x82f63b78u & (0u - (crc & 1)));
    }
    return crc;
}
