/* Packed integer operations of MMX, SSE2, SSSE3, SSE4.1 and SSE4.2 on x86_xmm values
 * (SDM Vol.2 instruction pages; Vol.1 §9.2, §11.4.3, §12).
 *
 * Conventions:
 * - `n` is the register width in bytes: 8 for the MMX (mm) forms, 16 for the xmm forms.
 *   Bytes of `d` at and above n are left unchanged (the CPU stores the low 8 bytes of an
 *   MMX result).
 * - `esize` is the element size in bytes (1, 2, 4, 8).
 * - `d` may alias `a` or `b`: every function reads its inputs before writing.
 * - Functions return nothing unless they produce flags or a scalar; none can fail.
 * Logical ops (PAND/POR/PXOR/PANDN) and moves are left to the CPU (two u64 operations). */
#ifndef VM_X86_SSE_INT_H
#define VM_X86_SSE_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/xmm.h"

typedef enum sse_sat { SSE_WRAP, SSE_SSAT, SSE_USAT } sse_sat;
typedef enum sse_shift_kind { SSE_SLL, SSE_SRL, SSE_SRA } sse_shift_kind;

/* EFLAGS bits produced by PTEST and the string compares. */
enum {
    SSE_INT_CF = 0x001, SSE_INT_PF = 0x004, SSE_INT_AF = 0x010, SSE_INT_ZF = 0x040,
    SSE_INT_SF = 0x080, SSE_INT_OF = 0x800,
};

/* PADDx and PSUBx (B, W, D, Q; S and US saturating forms). */
void sse_add(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize, sse_sat sat,
             unsigned n);
void sse_sub(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize, sse_sat sat,
             unsigned n);
/* PMULLW (esize 2) / PMULLD (esize 4): low half of each product. */
void sse_mullo(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize, unsigned n);
/* PMULHW (is_signed) / PMULHUW: high 16 bits of each 16x16 product. */
void sse_mulhi16(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, bool is_signed,
                 unsigned n);
/* PMULUDQ (is_signed = false) / PMULDQ: even 32-bit lanes to 64-bit products. */
void sse_mul32x64(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, bool is_signed,
                  unsigned n);
void sse_pmulhrsw(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned n);
void sse_pmaddwd(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned n);
/* PMADDUBSW: unsigned bytes of a times signed bytes of b, pairs summed with saturation. */
void sse_pmaddubsw(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned n);

/* PCMPEQ* / PCMPGT* (signed; esize 8 is PCMPEQQ/PCMPGTQ). */
void sse_cmpeq(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize, unsigned n);
void sse_cmpgt(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize, unsigned n);
/* PMIN/PMAX {S,U}{B,W,D}. */
void sse_minmax(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize,
                bool is_signed, bool want_max, unsigned n);
/* PAVGB/PAVGW: (a + b + 1) >> 1 unsigned. */
void sse_avg(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize, unsigned n);
/* PABS{B,W,D} of b; PSIGN{B,W,D}: a negated, zeroed or kept by the sign of b. */
void sse_abs(x86_xmm *d, const x86_xmm *b, unsigned esize, unsigned n);
void sse_sign(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize, unsigned n);
/* PHADD{W,D,SW} / PHSUB{W,D,SW} (SSSE3): sat is SSE_WRAP or SSE_SSAT (W only). */
void sse_hadd(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize, sse_sat sat,
              bool subtract, unsigned n);

/* PSLL/PSRL/PSRA W/D/Q by `count` (an immediate or the full 64-bit register operand):
 * counts past the element width give 0 (logical) or the sign fill (arithmetic). */
void sse_shift(x86_xmm *d, const x86_xmm *a, uint64_t count, unsigned esize,
               sse_shift_kind kind, unsigned n);
/* PSLLDQ/PSRLDQ: whole-register byte shifts (counts past 15 give 0). */
void sse_shift_bytes(x86_xmm *d, const x86_xmm *a, unsigned count, bool left);

/* PACKSSWB (esize 2) / PACKSSDW (esize 4): signed saturation of a then b to half size. */
void sse_packss(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize,
                unsigned n);
/* PACKUSWB (esize 2) / PACKUSDW (esize 4): signed input, unsigned saturation. */
void sse_packus(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize,
                unsigned n);
/* PUNPCKL* / PUNPCKH*: interleave the low (high) halves of a and b, a first. */
void sse_unpack(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned esize, bool high,
                unsigned n);

/* PSHUFD (esize 4 over 16 bytes), PSHUFW (MMX), PSHUFLW/PSHUFHW. */
void sse_pshufd(x86_xmm *d, const x86_xmm *a, unsigned imm8);
void sse_pshufw(x86_xmm *d, const x86_xmm *a, unsigned imm8);
void sse_pshuflw(x86_xmm *d, const x86_xmm *a, unsigned imm8);
void sse_pshufhw(x86_xmm *d, const x86_xmm *a, unsigned imm8);
/* SHUFPS / SHUFPD: the low half from a, the high half from b. */
void sse_shufps(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned imm8);
void sse_shufpd(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned imm8);
void sse_pshufb(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned n);
/* PALIGNR: (a:b) >> (imm8 * 8), low n bytes; a is the destination operand. */
void sse_palignr(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned imm8, unsigned n);
void sse_psadbw(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned n);
void sse_mpsadbw(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned imm8);
void sse_phminposuw(x86_xmm *d, const x86_xmm *a);

/* PMOVMSKB / MOVMSKPS / MOVMSKPD. */
uint32_t sse_pmovmskb(const x86_xmm *a, unsigned n);
uint32_t sse_movmskps(const x86_xmm *a);
uint32_t sse_movmskpd(const x86_xmm *a);
/* PINSR{B,W,D,Q} / PEXTR{B,W,D,Q}: element `idx` (taken modulo the element count of
 * `n` bytes); PEXTR zero-extends. */
void sse_pinsr(x86_xmm *d, uint64_t v, unsigned idx, unsigned esize, unsigned n);
uint64_t sse_pextr(const x86_xmm *a, unsigned idx, unsigned esize, unsigned n);
/* PMOVSX / PMOVZX: the low elements of a of `from` bytes widened to `to` bytes. */
void sse_pmovx(x86_xmm *d, const x86_xmm *a, unsigned from, unsigned to, bool is_signed);

/* PBLENDW, BLENDPS, BLENDPD (imm8 bit per element selects b), PBLENDVB, BLENDVPS,
 * BLENDVPD (the sign bit of each element of mask, XMM0 in the legacy encodings). */
void sse_blend_imm(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, unsigned imm8,
                   unsigned esize);
void sse_blend_var(x86_xmm *d, const x86_xmm *a, const x86_xmm *b, const x86_xmm *mask,
                   unsigned esize);
/* PTEST: ZF = (a AND b) == 0, CF = (NOT a AND b) == 0; other arithmetic flags clear. */
unsigned sse_ptest(const x86_xmm *a, const x86_xmm *b);

/* SSE4.2 string compares (SDM Vol.2 §4.1). a is the first operand (xmm1), b the second
 * (xmm2/m128). `explicit_len` selects PCMPESTR*: la/lb are RAX/RDX (REX.W) or EAX/EDX
 * sign-extended, their absolute values saturated to the element count; otherwise
 * (PCMPISTR*) the lengths end at the first zero element. Outputs: *index for the I forms
 * (ECX), *mask for the M forms (XMM0); both are always computed. Returns EFLAGS CF ZF SF
 * OF (AF and PF are cleared by the instruction). */
unsigned sse_pcmpstr(const x86_xmm *a, const x86_xmm *b, bool explicit_len, int64_t la,
                     int64_t lb, unsigned imm8, uint32_t *index, x86_xmm *mask);

/* CRC32 (SSE4.2): CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of the low
 * `bytes` bytes of v (1, 2, 4 or 8), continuing from crc, as the instruction does. */
uint32_t sse_crc32c(uint32_t crc, uint64_t v, unsigned bytes);

#endif
