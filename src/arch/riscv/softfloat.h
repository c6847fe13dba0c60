/* Soft-float core for the RISC-V F and D extensions: IEEE 754-2008 binary32/binary64
 * arithmetic, conversions, compares and classification, bit-exact with Berkeley
 * SoftFloat's RISC-V specialisation (what QEMU models).
 *
 * RISC-V NaN policy (Unpriv. ISA §11.3): every NaN result is the canonical NaN and input
 * payloads are never propagated. Tininess is detected after rounding (§11.2 says the
 * underflow flag follows IEEE 754-2008 with after-rounding detection).
 *
 * Values are raw bit patterns in the low 32 (SF_F32) or 64 (SF_F64) bits of a uint64_t;
 * NaN-boxing is the caller's business. The host FPU is never used for results, so the
 * host's rounding mode and flags do not matter. */
#ifndef VM_RISCV_SOFTFLOAT_H
#define VM_RISCV_SOFTFLOAT_H

#include <stdbool.h>
#include <stdint.h>

typedef enum sf_fmt { SF_F32 = 0, SF_F64 = 1 } sf_fmt;

/* Rounding modes and exception flags use the RISC-V frm/fflags encodings
 * (Unpriv. ISA Tables 11.1 and 11.2). */
enum { SF_RNE = 0, SF_RTZ = 1, SF_RDN = 2, SF_RUP = 3, SF_RMM = 4 };
enum { SF_NX = 0x01, SF_UF = 0x02, SF_OF = 0x04, SF_DZ = 0x08, SF_NV = 0x10 };

typedef struct sf_env {
    unsigned rm;      /* SF_RNE .. SF_RMM (already validated) */
    unsigned flags;   /* accrued SF_* flags */
} sf_env;

#define SF_F32_DEFAULT_NAN 0x7fc00000ULL
#define SF_F64_DEFAULT_NAN 0x7ff8000000000000ULL

uint64_t sf_add(sf_fmt f, uint64_t a, uint64_t b, sf_env *env);
uint64_t sf_sub(sf_fmt f, uint64_t a, uint64_t b, sf_env *env);
uint64_t sf_mul(sf_fmt f, uint64_t a, uint64_t b, sf_env *env);
uint64_t sf_div(sf_fmt f, uint64_t a, uint64_t b, sf_env *env);
uint64_t sf_sqrt(sf_fmt f, uint64_t a, sf_env *env);
/* (±a·b) ± c with a single rounding; the negations apply to the operands, before the
 * sum, so the sign of an exact zero follows the negated operands (Unpriv. ISA §11.6). */
uint64_t sf_muladd(sf_fmt f, uint64_t a, uint64_t b, uint64_t c, bool neg_prod, bool neg_c,
                   sf_env *env);

/* IEEE 754-2019 minimumNumber/maximumNumber, as FMIN/FMAX require (Unpriv. ISA §11.6). */
uint64_t sf_min(sf_fmt f, uint64_t a, uint64_t b, sf_env *env);
uint64_t sf_max(sf_fmt f, uint64_t a, uint64_t b, sf_env *env);

/* FEQ is a quiet compare, FLT/FLE signalling (Unpriv. ISA §11.8). */
bool sf_eq(sf_fmt f, uint64_t a, uint64_t b, sf_env *env);
bool sf_lt(sf_fmt f, uint64_t a, uint64_t b, sf_env *env);
bool sf_le(sf_fmt f, uint64_t a, uint64_t b, sf_env *env);

/* The FCLASS mask (Unpriv. ISA Table 11.5). */
unsigned sf_class(sf_fmt f, uint64_t a);

/* Float to a `width`-bit (32 or 64) integer with RISC-V saturation (Table 11.4). The
 * result is the integer sign-extended from `width` bits, as the x register receives it. */
uint64_t sf_to_int(sf_fmt f, uint64_t a, unsigned width, bool is_signed, sf_env *env);
/* Integer (already extended to 64 bits as signed or unsigned) to float. */
uint64_t sf_from_int(sf_fmt f, uint64_t v, bool is_signed, sf_env *env);
/* Between formats (FCVT.S.D / FCVT.D.S). */
uint64_t sf_convert(sf_fmt to, sf_fmt from, uint64_t a, sf_env *env);

#endif
