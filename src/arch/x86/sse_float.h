/* SSE/SSE2/SSE3/SSE4.1 floating point on float32/float64 lanes, controlled by MXCSR
 * (SDM Vol.1 §10.2.3, §11.5). Pure functions on raw bit patterns; no host FPU.
 *
 * How the CPU uses it:
 *   unsigned fl = 0;
 *   x86_xmm r;
 *   fl = sse_binop(SSE_ADD, SSE_PS, &r, &xmm[dst], &src, mxcsr);   // computes all lanes
 *   if (sse_update_mxcsr(&mxcsr, fl))  -> raise #XM (or #UD when CR4.OSXMMEXCPT = 0),
 *                                        do NOT write r
 *   else xmm[dst] = r;
 * Scalar forms (SSE_SS/SSE_SD) copy the upper lanes from the first operand, as the
 * register forms of ADDSS etc. do. The per-lane functions below take `mxcsr` (read only)
 * and OR X86_FE_* flags into *flags; pass the accumulated flags to sse_update_mxcsr once
 * per instruction. sse_update_mxcsr implements the SIMD exception order of SDM Vol.1
 * §11.5.2: when an unmasked pre-computation exception (IE/DE/ZE) occurs in any lane,
 * only the pre-computation flags are recorded and the instruction faults.
 *
 * x86 NaN rules (SDM Vol.1 Table 4-7): an SNaN operand raises IE; the result is the first
 * operand if it is a NaN (quieted), else the second (quieted); invalid operations give
 * the default NaN "real indefinite" (0xFFC00000 / 0xFFF8000000000000). Conversions to
 * integers give the "integer indefinite" 0x80000000 / 0x8000000000000000 with IE.
 *
 * RCPSS/RSQRTSS: see sse_rcp32()/sse_rsqrt32(). */
#ifndef VM_X86_SSE_FLOAT_H
#define VM_X86_SSE_FLOAT_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/fpcore.h"
#include "arch/x86/xmm.h"

/* MXCSR layout (SDM Vol.1 Figure 10-3). */
enum {
    MXCSR_DAZ = 1u << 6,
    MXCSR_MASK_SHIFT = 7,         /* IM..PM at bits 7..12, same order as the flags */
    MXCSR_RC_SHIFT = 13,
    MXCSR_FTZ = 1u << 15,
    MXCSR_DEFAULT = 0x1f80,
    MXCSR_WRITABLE = 0xffff,      /* bits a LDMXCSR may set (MXCSR_MASK on this model) */
};

/* EFLAGS bits produced by COMISS/UCOMISS. */
enum { SSE_EFL_CF = 0x01, SSE_EFL_PF = 0x04, SSE_EFL_ZF = 0x40 };

typedef enum sse_op {
    SSE_ADD, SSE_SUB, SSE_MUL, SSE_DIV, SSE_MIN, SSE_MAX, SSE_SQRT,
    SSE_HADD, SSE_HSUB, SSE_ADDSUB,  /* packed only */
} sse_op;

typedef enum sse_shape { SSE_PS, SSE_PD, SSE_SS, SSE_SD } sse_shape;

/* Records `flags` in MXCSR; returns true when an unmasked exception must raise #XM. */
bool sse_update_mxcsr(uint32_t *mxcsr, unsigned flags);
/* Marks flags that already follow the §11.5.2 order (DPPS/DPPD apply it per stage), so
 * sse_update_mxcsr records them as they are. */
#define SSE_FL_ORDERED 0x10000u

/* Per-lane arithmetic. */
uint32_t sse_add32(uint32_t a, uint32_t b, uint32_t mxcsr, unsigned *flags);
uint32_t sse_sub32(uint32_t a, uint32_t b, uint32_t mxcsr, unsigned *flags);
uint32_t sse_mul32(uint32_t a, uint32_t b, uint32_t mxcsr, unsigned *flags);
uint32_t sse_div32(uint32_t a, uint32_t b, uint32_t mxcsr, unsigned *flags);
uint32_t sse_min32(uint32_t a, uint32_t b, uint32_t mxcsr, unsigned *flags);
uint32_t sse_max32(uint32_t a, uint32_t b, uint32_t mxcsr, unsigned *flags);
uint32_t sse_sqrt32(uint32_t a, uint32_t mxcsr, unsigned *flags);
uint64_t sse_add64(uint64_t a, uint64_t b, uint32_t mxcsr, unsigned *flags);
uint64_t sse_sub64(uint64_t a, uint64_t b, uint32_t mxcsr, unsigned *flags);
uint64_t sse_mul64(uint64_t a, uint64_t b, uint32_t mxcsr, unsigned *flags);
uint64_t sse_div64(uint64_t a, uint64_t b, uint32_t mxcsr, unsigned *flags);
uint64_t sse_min64(uint64_t a, uint64_t b, uint32_t mxcsr, unsigned *flags);
uint64_t sse_max64(uint64_t a, uint64_t b, uint32_t mxcsr, unsigned *flags);
uint64_t sse_sqrt64(uint64_t a, uint32_t mxcsr, unsigned *flags);

/* Whole-instruction forms: ADD/SUB/MUL/DIV/MIN/MAX/SQRT{PS,PD,SS,SD}, HADD/HSUB/ADDSUB
 * {PS,PD}. For SQRT the source is b. Returns the flags for sse_update_mxcsr. */
unsigned sse_binop(sse_op op, sse_shape shape, x86_xmm *res, const x86_xmm *a,
                   const x86_xmm *b, uint32_t mxcsr);

/* CMPPS/CMPSD predicate 0-7 (EQ LT LE UNORD NEQ NLT NLE ORD): all ones or zero. */
uint32_t sse_cmp32(uint32_t a, uint32_t b, unsigned pred, uint32_t mxcsr, unsigned *flags);
uint64_t sse_cmp64(uint64_t a, uint64_t b, unsigned pred, uint32_t mxcsr, unsigned *flags);
unsigned sse_cmp(sse_shape shape, x86_xmm *res, const x86_xmm *a, const x86_xmm *b,
                 unsigned pred, uint32_t mxcsr);
/* COMISS/UCOMISS (and SD): returns ZF/PF/CF; OF, SF and AF are cleared by the CPU. */
unsigned sse_comi32(uint32_t a, uint32_t b, bool signal_qnan, uint32_t mxcsr,
                    unsigned *flags);
unsigned sse_comi64(uint64_t a, uint64_t b, bool signal_qnan, uint32_t mxcsr,
                    unsigned *flags);

/* Conversions. `truncate` selects the CVTT* forms; otherwise MXCSR.RC rounds. Integer
 * results are `width` (32 or 64) bits, zero-extended in the return value. */
uint64_t sse_cvt32_to_int(uint32_t a, unsigned width, bool truncate, uint32_t mxcsr,
                          unsigned *flags);
uint64_t sse_cvt64_to_int(uint64_t a, unsigned width, bool truncate, uint32_t mxcsr,
                          unsigned *flags);
uint32_t sse_cvt_int_to32(int64_t v, uint32_t mxcsr, unsigned *flags);
uint64_t sse_cvt_int_to64(int64_t v, uint32_t mxcsr, unsigned *flags);
uint64_t sse_cvt32_to64(uint32_t a, uint32_t mxcsr, unsigned *flags);   /* CVTSS2SD */
uint32_t sse_cvt64_to32(uint64_t a, uint32_t mxcsr, unsigned *flags);   /* CVTSD2SS */

/* Whole-register conversions (128-bit forms; a result narrower than the register zeroes
 * the upper half, SDM Vol.2 CVTPD2PS/CVTPD2DQ). Returns the flags for sse_update_mxcsr. */
typedef enum sse_cvt_op {
    SSE_CVTDQ2PS, SSE_CVTPS2DQ, SSE_CVTTPS2DQ, SSE_CVTDQ2PD, SSE_CVTPD2DQ, SSE_CVTTPD2DQ,
    SSE_CVTPS2PD, SSE_CVTPD2PS,
} sse_cvt_op;
unsigned sse_convert(sse_cvt_op op, x86_xmm *res, const x86_xmm *src, uint32_t mxcsr);

/* ROUNDSS/SD imm8 (SSE4.1): bits 1:0 rounding control, bit 2 use MXCSR.RC instead,
 * bit 3 suppress the precision exception. */
uint32_t sse_round32(uint32_t a, unsigned imm8, uint32_t mxcsr, unsigned *flags);
uint64_t sse_round64(uint64_t a, unsigned imm8, uint32_t mxcsr, unsigned *flags);

/* DPPS/DPPD (SSE4.1): imm8 bits 7:4 select the products, bits 3:0 the destination lanes
 * that receive the sum (others get +0). Each lane sums in the operand order measured on
 * Intel hardware, so NaN propagation matches lane by lane. The flags come back with
 * SSE_FL_ORDERED (an unmasked exception ends the instruction after its stage). */
unsigned sse_dpps(x86_xmm *res, const x86_xmm *a, const x86_xmm *b, unsigned imm8,
                  uint32_t mxcsr);
unsigned sse_dppd(x86_xmm *res, const x86_xmm *a, const x86_xmm *b, unsigned imm8,
                  uint32_t mxcsr);

/* RCPSS/RSQRTSS approximations (relative error <= 1.5 * 2^-12, SDM Vol.2 RCPSS).
 * They raise no exceptions; denormal inputs are treated as zero and tiny results flush
 * to zero, as on Intel hardware. See sse_float.c for how the value is formed. */
uint32_t sse_rcp32(uint32_t a);
uint32_t sse_rsqrt32(uint32_t a);

#endif
