/* Lazy flags evaluation (see flags.h for what each op leaves undefined and what we do). */
#include "arch/x86/flags.h"

static inline uint64_t mask_of(unsigned size)
{
    return size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

uint32_t x86_arith_flags(const x86_cpu *cpu)
{
    const x86_lazy *l = &cpu->lf;
    if (l->op == LF_NONE)
        return (uint32_t)cpu->flags & FL_ARITH;
    unsigned size = l->size, bits = size * 8;
    uint64_t m = mask_of(size);
    uint64_t r = l->res & m, a = l->a & m, b = l->b & m;
    uint32_t f = szp_flags(r, size);
    uint64_t top = 1ull << (bits - 1);
    switch (l->op) {
    case LF_ADD:
    case LF_ADC:
        if (r < a || (l->op == LF_ADC && l->cf_in && r == a))
            f |= FL_CF;
        if ((a ^ r) & (b ^ r) & top)
            f |= FL_OF;
        f |= (uint32_t)((a ^ b ^ r) & FL_AF);
        break;
    case LF_SUB:
    case LF_SBB:
        if (a < b || (l->op == LF_SBB && l->cf_in && a == b))
            f |= FL_CF;
        if ((a ^ b) & (a ^ r) & top)
            f |= FL_OF;
        f |= (uint32_t)((a ^ b ^ r) & FL_AF);
        break;
    case LF_LOGIC:
        break;
    case LF_INC:
        if (l->cf_in)
            f |= FL_CF;
        if (r == top)
            f |= FL_OF;
        if ((r & 0xf) == 0)
            f |= FL_AF;
        break;
    case LF_DEC:
        if (l->cf_in)
            f |= FL_CF;
        if (r == top - 1)
            f |= FL_OF;
        if ((r & 0xf) == 0xf)
            f |= FL_AF;
        break;
    case LF_NEG:
        if (b != 0)
            f |= FL_CF;
        if (b == top)
            f |= FL_OF;
        f |= (uint32_t)((b ^ r) & FL_AF);
        break;
    case LF_SHL: {
        /* b = count (1..63); CF = last bit shifted out */
        bool cf = b <= bits && ((a >> (bits - b)) & 1);
        if (cf)
            f |= FL_CF;
        if (((r & top) != 0) != cf)
            f |= FL_OF;
        break;
    }
    case LF_SHR:
        if (b <= bits && ((a >> (b - 1)) & 1))
            f |= FL_CF;
        if (a & top)
            f |= FL_OF;
        break;
    case LF_SAR: {
        uint64_t c = b - 1 < bits ? b - 1 : bits - 1;
        if ((a >> c) & 1)
            f |= FL_CF;
        break;
    }
    case LF_MUL:
        if (l->cf_in)
            f |= FL_CF | FL_OF;
        break;
    default:
        break;
    }
    return f;
}

bool x86_cf_slow(const x86_cpu *cpu)
{
    const x86_lazy *l = &cpu->lf;
    uint64_t m = mask_of(l->size);
    uint64_t r = l->res & m, a = l->a & m, b = l->b & m;
    switch (l->op) {
    case LF_NONE: return cpu->flags & FL_CF;
    case LF_ADD: return r < a;
    case LF_ADC: return r < a || (l->cf_in && r == a);
    case LF_SUB: return a < b;
    case LF_SBB: return a < b || (l->cf_in && a == b);
    case LF_LOGIC: return false;
    case LF_INC: case LF_DEC: case LF_MUL: return l->cf_in;
    case LF_NEG: return b != 0;
    default: return x86_arith_flags(cpu) & FL_CF;
    }
}

bool x86_cond(const x86_cpu *cpu, unsigned cc)
{
    /* E/NE need only ZF, which every lazy op derives from the result */
    if ((cc >> 1) == 2 && cpu->lf.op != LF_NONE) {
        bool z = (cpu->lf.res & mask_of(cpu->lf.size)) == 0;
        return (cc & 1) ? !z : z;
    }
    if ((cc >> 1) == 1) {
        bool c = x86_cf_slow(cpu);
        return (cc & 1) ? !c : c;
    }
    uint32_t f = x86_arith_flags(cpu);
    bool r;
    switch (cc >> 1) {
    case 0: r = f & FL_OF; break;
    case 1: r = f & FL_CF; break;
    case 2: r = f & FL_ZF; break;
    case 3: r = f & (FL_CF | FL_ZF); break;
    case 4: r = f & FL_SF; break;
    case 5: r = f & FL_PF; break;
    case 6: r = !(f & FL_SF) != !(f & FL_OF); break;
    default: r = (f & FL_ZF) || (!(f & FL_SF) != !(f & FL_OF)); break;
    }
    return (cc & 1) ? !r : r;
}
