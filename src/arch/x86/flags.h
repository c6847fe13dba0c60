/* Lazy arithmetic flags (the Bochs lazy_flags / QEMU cc_op idea): a flag-setting
 * instruction records its kind, width, operands and result; CF/PF/AF/ZF/SF/OF are derived
 * only when something reads them (Jcc, SETcc, PUSHF, ...).
 *
 * Flags the SDM leaves undefined get one fixed choice, matching current Intel cores where
 * that is cheap to know:
 *   logic ops (AND/OR/XOR/TEST): AF = 0.
 *   shifts: AF = 0; OF for counts > 1 is computed with the count-1 formula
 *     (SHL: MSB(result) ^ CF, SHR: MSB(original), SAR: 0); CF for counts >= width is the
 *     last bit shifted out, 0 if none.
 *   MUL/IMUL: SF/ZF/PF from the low half of the result, AF = 0.
 *   DIV/IDIV: all six flags unchanged.
 *   BSF/BSR: CF OF SF AF = 0, ZF = source zero, PF = parity of the result (of 0 for a
 *     zero source); LZCNT/TZCNT/POPCNT: OF SF AF PF = 0 (measured on an Intel host).
 *   BT*: CF only; others unchanged.  SHLD/SHRD: like SHL/SHR.  AAA/AAS: OF/SF/ZF/PF as
 *     the result sets them.  DAA/DAS: OF = 0.  AAM/AAD: CF/AF/OF = 0. */
#ifndef VM_X86_FLAGS_H
#define VM_X86_FLAGS_H

#include "arch/x86/cpu.h"

enum {
    LF_NONE,  /* cpu->flags holds the arithmetic bits */
    LF_ADD, LF_ADC, LF_SUB, LF_SBB, LF_LOGIC, LF_INC, LF_DEC, LF_NEG,
    LF_SHL, LF_SHR, LF_SAR,
    LF_MUL,   /* CF = OF = cf_in */
};

/* The six arithmetic flags now. */
uint32_t x86_arith_flags(const x86_cpu *cpu);

static inline void lf_set(x86_cpu *cpu, int op, unsigned size, uint64_t res, uint64_t a,
                          uint64_t b)
{
    cpu->lf.op = (uint8_t)op;
    cpu->lf.size = (uint8_t)size;
    cpu->lf.res = res;
    cpu->lf.a = a;
    cpu->lf.b = b;
}

/* Make cpu->flags current (before instructions that set only some flags). */
static inline void lf_flush(x86_cpu *cpu)
{
    if (cpu->lf.op != LF_NONE) {
        cpu->flags = (cpu->flags & ~(uint64_t)FL_ARITH) | x86_arith_flags(cpu);
        cpu->lf.op = LF_NONE;
    }
}

bool x86_cf_slow(const x86_cpu *cpu);
static inline bool x86_cf(const x86_cpu *cpu)
{
    return x86_cf_slow(cpu);
}

/* Condition code cc (SDM Vol.1 Appendix B). */
bool x86_cond(const x86_cpu *cpu, unsigned cc);

/* x86_cond with the common cases inline (the interpreter's Jcc): after SUB/CMP each
 * condition is a comparison of the operands; after a logic op CF = OF = 0. */
static inline bool x86_cond_fast(const x86_cpu *cpu, unsigned cc)
{
    const x86_lazy *l = &cpu->lf;
    if (l->op == LF_NONE)
        return x86_cond(cpu, cc);
    unsigned sh = 64 - l->size * 8u; /* size is 1, 2, 4 or 8 when op is not LF_NONE */
    uint64_t a = l->a << sh, b = l->b << sh, r = l->res << sh; /* operands at the top */
    bool v;
    if (l->op == LF_SUB) {
        switch (cc >> 1) {
        case 1: v = a < b; break;
        case 2: v = a == b; break;
        case 3: v = a <= b; break;
        case 4: v = (int64_t)r < 0; break;
        case 6: v = (int64_t)a < (int64_t)b; break;
        case 7: v = (int64_t)a <= (int64_t)b; break;
        default: return x86_cond(cpu, cc);
        }
    } else if (l->op == LF_LOGIC) {
        switch (cc >> 1) {
        case 0: case 1: v = false; break;
        case 2: case 3: v = r == 0; break;
        case 4: case 6: v = (int64_t)r < 0; break;
        case 7: v = (int64_t)r <= 0; break;
        default: return x86_cond(cpu, cc);
        }
    } else if ((cc >> 1) == 2) {
        v = r == 0;
    } else {
        return x86_cond(cpu, cc);
    }
    return (cc & 1) ? !v : v;
}

/* Set flags in `mask` to `vals` (after lf_flush). */
static inline void flags_put(x86_cpu *cpu, uint32_t mask, uint32_t vals)
{
    lf_flush(cpu);
    cpu->flags = (cpu->flags & ~(uint64_t)mask) | (vals & mask);
}

static inline uint32_t parity8(uint64_t v)
{
    unsigned x = (unsigned)(v & 0xff);
    x ^= x >> 4;
    x ^= x >> 2;
    x ^= x >> 1;
    return (x & 1) ? 0 : FL_PF;
}

/* PF, ZF, SF of a result of `size` bytes. */
static inline uint32_t szp_flags(uint64_t res, unsigned size)
{
    unsigned bits = size * 8;
    uint64_t mask = bits == 64 ? ~0ull : (1ull << bits) - 1;
    uint32_t f = parity8(res);
    if ((res & mask) == 0)
        f |= FL_ZF;
    if ((res >> (bits - 1)) & 1)
        f |= FL_SF;
    return f;
}

#endif
