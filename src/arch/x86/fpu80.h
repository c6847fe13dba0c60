/* x87 numerics: 80-bit double extended precision as soft-float (SDM Vol.1 ch. 8). The
 * host's `long double` is never used (it is binary128 or binary64 on some hosts).
 *
 * Every operation takes an fx80_env: `cw` is the x87 control word (read: exception masks
 * bits 0-5, precision control bits 8-9, rounding control bits 10-11) and `status`
 * accumulates what the operation raised, in FSW bit positions: IE DE ZE OE UE PE (bits
 * 0-5) and C1 (bit 9) = "the result was rounded up". The CPU then does, per instruction:
 *   fx80_env e = { .cw = fcw };
 *   fx80 r = fx80_add(st0, sti, &e);
 *   fsw = (fsw & ~FSW_C1) | (e.status & (FX80_C1 | X86_FE_ALL))   // C1 replaced, flags ORed
 *   if (e.status & ~fcw & X86_FE_ALL) { set FSW.ES and B; the fault comes at the next
 *        waiting x87 instruction (SDM Vol.1 §8.6) }
 *   and skips the write when fx80_unmasked_no_write(&e) says so (IE, ZE, DE unmasked).
 * Unmasked OE/UE on a register destination deliver the result with the exponent
 * wrapped by 24576 (SDM Vol.1 §8.5.3-4); stores to memory formats (fx80_to_f32/f64,
 * integers, BCD) never wrap: the CPU must not store when the flag is unmasked.
 *
 * Stack handling, tags, FPU environment images and #MF delivery are the CPU's; this
 * library only computes values and flags. Compare-type operations return condition codes
 * (FX80_C0/C2/C3) as their result. Operand classes follow SDM Vol.1 §8.2.2: unnormals,
 * pseudo-NaNs and pseudo-infinities are invalid operands (IE, real indefinite result);
 * pseudo-denormals are accepted as denormals (DE). NaN results follow Table 4-7 (x87
 * column): an SNaN is quieted with IE, of two NaNs the QNaN, of two of the same kind the
 * one with the larger significand.
 */
#ifndef VM_X86_FPU80_H
#define VM_X86_FPU80_H

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/fpcore.h"

typedef struct fx80 {
    uint64_t mant;     /* explicit integer bit at 63 */
    uint16_t sign_exp; /* sign at 15, biased exponent (bias 16383) below */
} fx80;

typedef struct fx80_env {
    uint16_t cw;
    unsigned status;
} fx80_env;

/* FSW condition-code bits. */
enum { FX80_C0 = 0x0100, FX80_C1 = 0x0200, FX80_C2 = 0x0400, FX80_C3 = 0x4000 };
/* Control word fields. */
enum { FX80_CW_PC_SHIFT = 8, FX80_CW_RC_SHIFT = 10, FX80_CW_DEFAULT = 0x037f };
/* EFLAGS bits produced by FCOMI/FUCOMI. */
enum { FX80_EFL_CF = 0x01, FX80_EFL_PF = 0x04, FX80_EFL_ZF = 0x40 };

#define FX80_INDEFINITE ((fx80){ 0xc000000000000000ULL, 0xffff })

/* True when an unmasked IE, DE or ZE was raised: the destination is left unchanged. */
bool fx80_unmasked_no_write(const fx80_env *e);

fx80 fx80_add(fx80 a, fx80 b, fx80_env *e);
fx80 fx80_sub(fx80 a, fx80 b, fx80_env *e);   /* a - b (FSUBR: swap the operands) */
fx80 fx80_mul(fx80 a, fx80 b, fx80_env *e);
fx80 fx80_div(fx80 a, fx80 b, fx80_env *e);   /* a / b */
fx80 fx80_sqrt(fx80 a, fx80_env *e);
/* FRNDINT: round to an integer by RC (precision control does not apply). */
fx80 fx80_rndint(fx80 a, fx80_env *e);
/* FSCALE: a * 2^trunc(b). */
fx80 fx80_scale(fx80 a, fx80 b, fx80_env *e);
/* FXTRACT: *exp receives the unbiased exponent as a value (for ST(1)), the return value is
 * the significand with exponent 0 (the new ST(0)). */
fx80 fx80_xtract(fx80 a, fx80 *exp, fx80_env *e);
/* FPREM (ieee = false: truncating quotient) / FPREM1 (ieee = true: nearest): the partial
 * remainder of a / b. C2 set = incomplete (run again); when complete C0, C3, C1 hold
 * quotient bits 2, 1, 0. The status C bits are returned in e->status. */
fx80 fx80_prem(fx80 a, fx80 b, bool ieee, fx80_env *e);

/* FCOM/FUCOM/FTST: C3 C2 C0 = 000 greater, 001 less, 100 equal, 111 unordered. `quiet`
 * (FUCOM*) raises IE only for SNaNs; FCOM raises it for any NaN. */
unsigned fx80_compare(fx80 a, fx80 b, bool quiet, fx80_env *e);
/* FCOMI/FUCOMI: the same compare as ZF PF CF. */
unsigned fx80_comi(fx80 a, fx80 b, bool quiet, fx80_env *e);
/* FXAM for a non-empty register: C3 C2 C0 class and C1 = sign (empty is the CPU's:
 * C3|C0). */
unsigned fx80_examine(fx80 a);

/* Loads (FLD m32/m64, FILD, FBLD): exact. */
fx80 fx80_from_f32(uint32_t a, fx80_env *e);
fx80 fx80_from_f64(uint64_t a, fx80_env *e);
fx80 fx80_from_int(int64_t v);
/* A memory operand of an arithmetic or compare instruction (D8/DC /0-/7): exact like a
 * load, but an SNaN stays signaling (no IE here) so that the operation applies the NaN
 * rules to it (SDM Vol.1 Table 4-7: SNaN and QNaN give the QNaN operand). */
fx80 fx80_operand_f32(uint32_t a, fx80_env *e);
fx80 fx80_operand_f64(uint64_t a, fx80_env *e);
/* FBLD: 18 packed BCD digits, sign in bit 7 of byte 9. Invalid digits give an undefined
 * (here: arithmetic on the nibble values) result, as the SDM allows. */
fx80 fx80_from_bcd(const uint8_t bcd[10]);

/* Stores (FST m32/m64): rounded by RC to the memory format; over/underflow by the
 * memory format's range. */
uint32_t fx80_to_f32(fx80 a, fx80_env *e);
uint64_t fx80_to_f64(fx80 a, fx80_env *e);
/* FIST/FISTP (truncate = false: RC) and FISTTP (truncate = true): `width` 16, 32 or 64;
 * out of range or NaN gives the integer indefinite with IE. */
uint64_t fx80_to_int(fx80 a, unsigned width, bool truncate, fx80_env *e);
/* FBSTP: round by RC; |value| >= 10^18 or NaN gives the BCD indefinite with IE. */
void fx80_to_bcd(fx80 a, uint8_t out[10], fx80_env *e);

/* FLD1 FLDL2T FLDL2E FLDPI FLDLG2 FLDLN2 FLDZ, by their opcode order D9 E8..EE (0-6):
 * the constant rounded by the control word's RC (SDM Vol.1 §8.3.8). */
fx80 fx80_const(unsigned which, fx80_env *e);

/* Internal conversions also used by the unit tests. */
xf_val fx80_unpack(fx80 a);
fx80 fx80_pack(const xf_val *v);

#endif
