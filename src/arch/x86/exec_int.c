/* Integer instructions (SDM Vol.2, the general-purpose instruction pages): operand
 * access from the table's operand specs, ALU, shifts and rotates, multiply/divide, moves,
 * exchanges, bit operations, condition codes, BCD. Flag choices for undefined cases are
 * listed in flags.h. */
#include "arch/x86/exec.h"

static unsigned zreg(const x86_insn *in)
{
    return (in->opb & 7u) | ((in->rex & 1u) << 3);
}

static uint64_t mem_off(const x86_cpu *cpu, const x86_insn *in, uint8_t o)
{
    if (o == O_Ob || o == O_Ov)
        return (uint64_t)in->disp & mask_bytes(in->asz);
    return x86_ea(cpu, in);
}

uint64_t opd_read_slow(x86_cpu *cpu, const x86_insn *in, int k, bool rmw)
{
    uint8_t o = in->opd[k];
    unsigned size = in->osize[k];
    bool rex = in->rex != 0;
    switch (o) {
    case O_Eb: case O_Ew: case O_Ed: case O_Eq: case O_Ev: case O_Ey:
        if (in->mod == 3)
            return reg_get(cpu, in->rm, size, rex);
        /* fall through */
    case O_Mb: case O_Mw: case O_Md: case O_Mq: case O_Ob: case O_Ov: {
        uint64_t off = mem_off(cpu, in, o);
        return rmw ? x86_read_rmw(cpu, in->seg, off, size) : x86_read(cpu, in->seg, off, size);
    }
    case O_Gb: case O_Gw: case O_Gd: case O_Gv: case O_Gy:
        return reg_get(cpu, in->reg, size, rex);
    case O_Rv: case O_Ry:
        return reg_get(cpu, in->rm, size, rex);
    case O_M:
        return x86_ea(cpu, in);
    case O_Ib: case O_Iw: case O_Iz: case O_Iv: case O_Ibs:
        return in->imm;
    case O_AL: return cpu->gpr[RAX] & 0xff;
    case O_rAX: return cpu->gpr[RAX] & mask_bytes(size);
    case O_CL: return cpu->gpr[RCX] & 0xff;
    case O_DX: return cpu->gpr[RDX] & 0xffff;
    case O_ONE: return 1;
    case O_Zb: case O_Zv: return reg_get(cpu, zreg(in), size, rex);
    case O_Sw: return cpu->seg[in->reg & 7].sel;
    case O_ES: return cpu->seg[SEG_ES].sel;
    case O_CS: return cpu->seg[SEG_CS].sel;
    case O_SS: return cpu->seg[SEG_SS].sel;
    case O_DS: return cpu->seg[SEG_DS].sel;
    case O_FS: return cpu->seg[SEG_FS].sel;
    case O_GS: return cpu->seg[SEG_GS].sel;
    default:
        x86_fault(cpu, EXC_UD, 0);
    }
}

void opd_write_slow(x86_cpu *cpu, const x86_insn *in, int k, uint64_t v)
{
    uint8_t o = in->opd[k];
    unsigned size = in->osize[k];
    bool rex = in->rex != 0;
    switch (o) {
    case O_Eb: case O_Ew: case O_Ed: case O_Eq: case O_Ev: case O_Ey:
        if (in->mod == 3) {
            reg_set(cpu, in->rm, size, rex, v);
            return;
        }
        /* fall through */
    case O_Mb: case O_Mw: case O_Md: case O_Mq: case O_Ob: case O_Ov:
        x86_write(cpu, in->seg, mem_off(cpu, in, o), size, v);
        return;
    case O_Gb: case O_Gw: case O_Gd: case O_Gv: case O_Gy:
        reg_set(cpu, in->reg, size, rex, v);
        return;
    case O_Rv: case O_Ry:
        reg_set(cpu, in->rm, size, rex, v);
        return;
    case O_AL: reg_set(cpu, RAX, 1, rex, v); return;
    case O_rAX: reg_set(cpu, RAX, size, rex, v); return;
    case O_Zb: case O_Zv: reg_set(cpu, zreg(in), size, rex, v); return;
    default:
        x86_fault(cpu, EXC_UD, 0);
    }
}

/* ---- ALU ---------------------------------------------------------------------------- */

enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP };

void h_alu(x86_cpu *cpu, const x86_insn *in)
{
    unsigned op = x86_info(in)->arg;
    unsigned size = in->osize[0];
    uint64_t m = mask_bytes(size);
    uint64_t b = opd_read(cpu, in, 1) & m;
    uint64_t a = (op == ALU_CMP ? opd_read(cpu, in, 0) : opd_read_rmw(cpu, in, 0)) & m;
    uint64_t r;
    int lf;
    uint8_t cin = 0;
    switch (op) {
    case ALU_ADD: r = a + b; lf = LF_ADD; break;
    case ALU_OR: r = a | b; lf = LF_LOGIC; break;
    case ALU_ADC: cin = x86_cf(cpu); r = a + b + cin; lf = LF_ADC; break;
    case ALU_SBB: cin = x86_cf(cpu); r = a - b - cin; lf = LF_SBB; break;
    case ALU_AND: r = a & b; lf = LF_LOGIC; break;
    case ALU_XOR: r = a ^ b; lf = LF_LOGIC; break;
    default: r = a - b; lf = LF_SUB; break;
    }
    if (op != ALU_CMP)
        opd_write(cpu, in, 0, r);
    lf_set(cpu, lf, size, r & m, a, b);
    cpu->lf.cf_in = cin;
}

void h_test(x86_cpu *cpu, const x86_insn *in)
{
    unsigned size = in->osize[0];
    uint64_t r = opd_read(cpu, in, 0) & opd_read(cpu, in, 1) & mask_bytes(size);
    lf_set(cpu, LF_LOGIC, size, r, 0, 0);
}

void h_incdec(x86_cpu *cpu, const x86_insn *in)
{
    unsigned size = in->osize[0];
    uint64_t a = opd_read_rmw(cpu, in, 0);
    bool dec = x86_info(in)->arg;
    uint64_t r = (dec ? a - 1 : a + 1) & mask_bytes(size);
    opd_write(cpu, in, 0, r);
    uint8_t cf = x86_cf(cpu);
    lf_set(cpu, dec ? LF_DEC : LF_INC, size, r, a, 1);
    cpu->lf.cf_in = cf;
}

void h_notneg(x86_cpu *cpu, const x86_insn *in)
{
    unsigned size = in->osize[0];
    uint64_t a = opd_read_rmw(cpu, in, 0) & mask_bytes(size);
    if (x86_info(in)->arg == 0) {
        opd_write(cpu, in, 0, ~a);
        return;
    }
    uint64_t r = (0 - a) & mask_bytes(size);
    opd_write(cpu, in, 0, r);
    lf_set(cpu, LF_NEG, size, r, 0, a);
}

/* ---- shifts and rotates (SDM Vol.2 RCL/RCR/ROL/ROR, SAL/SAR/SHL/SHR, SHLD, SHRD) ---- */

void h_shift(x86_cpu *cpu, const x86_insn *in)
{
    unsigned op = x86_info(in)->arg;
    unsigned size = in->osize[0], bits = size * 8;
    uint64_t m = mask_bytes(size), top = 1ull << (bits - 1);
    unsigned count = (unsigned)opd_read(cpu, in, 1) & (size == 8 ? 63 : 31);
    uint64_t a = opd_read_rmw(cpu, in, 0) & m;
    if (count == 0) {
        if (size == 4 && in->mod == 3)
            opd_write(cpu, in, 0, a); /* a 32-bit register is still zero-extended */
        return;
    }
    uint64_t r;
    switch (op) {
    case 0: case 1: { /* ROL, ROR */
        unsigned c = count % bits;
        if (op == 0)
            r = c ? ((a << c) | (a >> (bits - c))) & m : a;
        else
            r = c ? ((a >> c) | (a << (bits - c))) & m : a;
        bool cf = op == 0 ? (r & 1) : (r & top) != 0;
        bool of = op == 0 ? (((r & top) != 0) != cf)
                          : (((r & top) != 0) != ((r & (top >> 1)) != 0));
        opd_write(cpu, in, 0, r);
        flags_put(cpu, FL_CF | FL_OF, (cf ? FL_CF : 0) | (of ? FL_OF : 0));
        return;
    }
    case 2: case 3: { /* RCL, RCR: rotate through CF, a (bits+1)-bit rotation */
        unsigned c = count % (bits + 1);
        if (c == 0) {
            if (size == 4 && in->mod == 3)
                opd_write(cpu, in, 0, a);
            return;
        }
        bool cf = x86_cf(cpu);
        bool of;
        r = a;
        if (op == 2) {
            for (unsigned i = 0; i < c; i++) {
                bool out = (r & top) != 0;
                r = ((r << 1) | cf) & m;
                cf = out;
            }
            of = ((r & top) != 0) != cf;
        } else {
            of = ((r & top) != 0) != cf;
            for (unsigned i = 0; i < c; i++) {
                bool out = r & 1;
                r = (r >> 1) | (cf ? top : 0);
                cf = out;
            }
        }
        opd_write(cpu, in, 0, r);
        flags_put(cpu, FL_CF | FL_OF, (cf ? FL_CF : 0) | (of ? FL_OF : 0));
        return;
    }
    case 4: case 6: /* SHL/SAL */
        r = count < 64 ? (a << count) & m : 0;
        opd_write(cpu, in, 0, r);
        lf_set(cpu, LF_SHL, size, r, a, count);
        return;
    case 5: /* SHR */
        r = count < 64 ? a >> count : 0;
        opd_write(cpu, in, 0, r);
        lf_set(cpu, LF_SHR, size, r, a, count);
        return;
    default: { /* SAR */
        int64_t s = sext_bytes(a, size);
        r = (uint64_t)(s >> (count < 63 ? count : 63)) & m;
        opd_write(cpu, in, 0, r);
        lf_set(cpu, LF_SAR, size, r, a, count);
        return;
    }
    }
}

void h_shxd(x86_cpu *cpu, const x86_insn *in)
{
    bool right = x86_info(in)->arg;
    unsigned size = in->osize[0], bits = size * 8;
    uint64_t m = mask_bytes(size), top = 1ull << (bits - 1);
    unsigned c = (unsigned)opd_read(cpu, in, 2) & (size == 8 ? 63 : 31);
    uint64_t b = opd_read(cpu, in, 1) & m;
    uint64_t a = opd_read_rmw(cpu, in, 0) & m;
    if (c == 0) {
        if (size == 4 && in->mod == 3)
            opd_write(cpu, in, 0, a);
        return;
    }
    uint64_t r;
    bool cf;
    if (size == 8) {
        r = right ? (a >> c) | (b << (64 - c)) : (a << c) | (b >> (64 - c));
        cf = right ? (a >> (c - 1)) & 1 : (a >> (64 - c)) & 1;
    } else {
        /* 16/32-bit: the operands form a 2*bits-bit value rotated as a whole (counts
         * above 16 for 16-bit operands are undefined; this is what that gives). */
        unsigned w = 2 * bits;
        uint64_t wm = mask_bytes(2 * size);
        uint64_t v = right ? (b << bits) | a : (a << bits) | b;
        unsigned cc = c % w;
        uint64_t rot = right ? ((v >> cc) | (v << (w - cc))) & wm
                             : ((v << cc) | (v >> (w - cc))) & wm;
        if (cc == 0)
            rot = v;
        r = right ? rot & m : (rot >> bits) & m;
        cf = right ? (v >> ((c - 1) % w)) & 1 : (v >> ((w - c) % w)) & 1;
    }
    r &= m;
    opd_write(cpu, in, 0, r);
    bool of = ((r ^ a) & top) != 0;
    flags_put(cpu, FL_ARITH, szp_flags(r, size) | (cf ? FL_CF : 0) | (of ? FL_OF : 0));
}

/* ---- multiply and divide ---- */

static uint64_t mulu64(uint64_t a, uint64_t b, uint64_t *hi)
{
    uint64_t al = a & 0xffffffffu, ah = a >> 32, bl = b & 0xffffffffu, bh = b >> 32;
    uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
    uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
    *hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);
    return (ll & 0xffffffffu) | (mid << 32);
}

static uint64_t muls64(int64_t a, int64_t b, int64_t *hi)
{
    uint64_t h;
    uint64_t lo = mulu64((uint64_t)a, (uint64_t)b, &h);
    if (a < 0)
        h -= (uint64_t)b;
    if (b < 0)
        h -= (uint64_t)a;
    *hi = (int64_t)h;
    return lo;
}

/* 128/64 unsigned division; false if the quotient does not fit 64 bits. */
static bool divu128(uint64_t hi, uint64_t lo, uint64_t d, uint64_t *q, uint64_t *r)
{
    if (hi >= d)
        return false;
    uint64_t rem = hi, quo = 0;
    for (int i = 63; i >= 0; i--) {
        bool carry = rem >> 63;
        rem = (rem << 1) | ((lo >> i) & 1);
        quo <<= 1;
        if (carry || rem >= d) {
            rem -= d;
            quo |= 1;
        }
    }
    *q = quo;
    *r = rem;
    return true;
}

static void set_pair(x86_cpu *cpu, unsigned size, uint64_t lo, uint64_t hi)
{
    if (size == 1) {
        reg_set(cpu, RAX, 2, false, (lo & 0xff) | ((hi & 0xff) << 8));
    } else {
        reg_set(cpu, RAX, size, false, lo);
        reg_set(cpu, RDX, size, false, hi);
    }
}

void h_muldiv(x86_cpu *cpu, const x86_insn *in)
{
    unsigned op = x86_info(in)->arg;
    unsigned size = in->osize[0], bits = size * 8;
    uint64_t m = mask_bytes(size);
    uint64_t src = opd_read(cpu, in, 0) & m;
    uint64_t acc = cpu->gpr[RAX] & m;
    uint64_t hi_in = size == 1 ? (cpu->gpr[RAX] >> 8) & 0xff : cpu->gpr[RDX] & m;
    if (op == 0 || op == 1) {
        uint64_t lo, hi;
        bool ovf;
        if (op == 0) {
            if (size == 8) {
                lo = mulu64(acc, src, &hi);
            } else {
                uint64_t p = acc * src;
                lo = p & m;
                hi = (p >> bits) & m;
            }
            ovf = hi != 0;
        } else {
            int64_t sa = sext_bytes(acc, size), sb = sext_bytes(src, size);
            if (size == 8) {
                int64_t h;
                lo = muls64(sa, sb, &h);
                hi = (uint64_t)h;
                ovf = h != ((int64_t)lo >> 63);
            } else {
                int64_t p = sa * sb;
                lo = (uint64_t)p & m;
                hi = ((uint64_t)p >> bits) & m;
                ovf = p != sext_bytes(lo, size);
            }
        }
        set_pair(cpu, size, lo, hi);
        lf_set(cpu, LF_MUL, size, lo, 0, 0);
        cpu->lf.cf_in = ovf;
        return;
    }
    if (src == 0)
        x86_fault(cpu, EXC_DE, 0);
    uint64_t q, r;
    if (op == 2) {
        if (size == 8) {
            if (!divu128(hi_in, acc, src, &q, &r))
                x86_fault(cpu, EXC_DE, 0);
        } else {
            uint64_t n = (hi_in << bits) | acc;
            q = n / src;
            r = n % src;
            if (q > m)
                x86_fault(cpu, EXC_DE, 0);
        }
    } else {
        int64_t d = sext_bytes(src, size);
        if (size == 8) {
            bool nneg = hi_in >> 63, dneg = d < 0;
            uint64_t nh = hi_in, nl = acc;
            if (nneg) { /* two's complement negate the 128-bit dividend */
                nl = ~nl + 1;
                nh = ~nh + (nl == 0);
            }
            uint64_t ud = dneg ? 0 - (uint64_t)d : (uint64_t)d, uq, ur;
            if (!divu128(nh, nl, ud, &uq, &ur))
                x86_fault(cpu, EXC_DE, 0);
            bool qneg = nneg != dneg;
            if (qneg ? uq > (1ull << 63) : uq > (uint64_t)INT64_MAX)
                x86_fault(cpu, EXC_DE, 0);
            q = qneg ? 0 - uq : uq;
            r = nneg ? 0 - ur : ur;
        } else {
            /* Divide magnitudes: EDX:EAX = -2^63 by -1 is a quotient overflow (#DE) for
             * the guest but would trap in C's int64_t division on the host. */
            int64_t n = sext_bytes((hi_in << bits) | acc, size * 2);
            uint64_t un = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
            uint64_t ud = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
            uint64_t uq = un / ud, ur = un % ud;
            bool qneg = (n < 0) != (d < 0);
            uint64_t lim = 1ull << (bits - 1);
            if (qneg ? uq > lim : uq >= lim)
                x86_fault(cpu, EXC_DE, 0);
            q = (qneg ? 0 - uq : uq) & m;
            r = (n < 0 ? 0 - ur : ur) & m;
        }
    }
    set_pair(cpu, size, q, r);
}

void h_imul(x86_cpu *cpu, const x86_insn *in)
{
    unsigned size = in->osz;
    uint64_t m = mask_bytes(size);
    bool three = x86_info(in)->opd[2] != O_NONE;
    int64_t a = sext_bytes(opd_read(cpu, in, three ? 1 : 0) & m, size);
    int64_t b = sext_bytes(opd_read(cpu, in, three ? 2 : 1) & m, size);
    uint64_t lo;
    bool ovf;
    if (size == 8) {
        int64_t h;
        lo = muls64(a, b, &h);
        ovf = h != ((int64_t)lo >> 63);
    } else {
        int64_t p = a * b;
        lo = (uint64_t)p & m;
        ovf = p != sext_bytes(lo, size);
    }
    opd_write(cpu, in, 0, lo);
    lf_set(cpu, LF_MUL, size, lo, 0, 0);
    cpu->lf.cf_in = ovf;
}

/* ---- moves and exchanges ---- */

void h_mov(x86_cpu *cpu, const x86_insn *in)
{
    opd_write(cpu, in, 0, opd_read(cpu, in, 1));
}

void h_movzx(x86_cpu *cpu, const x86_insn *in)
{
    opd_write(cpu, in, 0, opd_read(cpu, in, 1));
}

void h_movsx(x86_cpu *cpu, const x86_insn *in)
{
    unsigned ss = in->osize[1];
    opd_write(cpu, in, 0, (uint64_t)sext_bytes(opd_read(cpu, in, 1), ss));
}

void h_lea(x86_cpu *cpu, const x86_insn *in)
{
    opd_write(cpu, in, 0, x86_ea(cpu, in));
}

void h_xchg(x86_cpu *cpu, const x86_insn *in)
{
    if (x86_info(in)->opd[1] == O_rAX && in->opb == 0x90 && !(in->rex & 1))
        return; /* NOP (and PAUSE with F3): xchg eax,eax does not zero-extend */
    uint64_t a = opd_read_rmw(cpu, in, 0);
    uint64_t b = opd_read(cpu, in, 1);
    opd_write(cpu, in, 0, b);
    opd_write(cpu, in, 1, a);
}

void h_xadd(x86_cpu *cpu, const x86_insn *in)
{
    unsigned size = in->osize[0];
    uint64_t m = mask_bytes(size);
    uint64_t a = opd_read_rmw(cpu, in, 0) & m;
    uint64_t b = opd_read(cpu, in, 1) & m;
    uint64_t r = (a + b) & m;
    opd_write(cpu, in, 1, a);
    opd_write(cpu, in, 0, r);
    lf_set(cpu, LF_ADD, size, r, a, b);
}

void h_cmpxchg(x86_cpu *cpu, const x86_insn *in)
{
    unsigned size = in->osize[0];
    uint64_t m = mask_bytes(size);
    uint64_t d = opd_read_rmw(cpu, in, 0) & m;
    uint64_t acc = cpu->gpr[RAX] & m;
    if (acc == d) {
        opd_write(cpu, in, 0, opd_read(cpu, in, 1));
    } else {
        /* SDM: the destination is written back unchanged (a locked cycle) */
        if (in->mod != 3)
            opd_write(cpu, in, 0, d);
        reg_set(cpu, RAX, size, in->rex != 0, d);
    }
    lf_set(cpu, LF_SUB, size, (acc - d) & m, acc, d);
}

void h_cmpxchg8b(x86_cpu *cpu, const x86_insn *in)
{
    uint64_t off = x86_ea(cpu, in);
    bool wide = in->osz == 8;
    lf_flush(cpu);
    if (!wide) {
        uint64_t cur = x86_read_rmw(cpu, in->seg, off, 8);
        uint64_t cmp = (cpu->gpr[RAX] & 0xffffffffu) | (cpu->gpr[RDX] << 32);
        if (cur == cmp) {
            x86_write(cpu, in->seg, off, 8,
                      (cpu->gpr[RBX] & 0xffffffffu) | (cpu->gpr[RCX] << 32));
            cpu->flags |= FL_ZF;
        } else {
            x86_write(cpu, in->seg, off, 8, cur);
            reg_set(cpu, RAX, 4, false, cur);
            reg_set(cpu, RDX, 4, false, cur >> 32);
            cpu->flags &= ~(uint64_t)FL_ZF;
        }
        return;
    }
    if (off & 15)
        x86_fault(cpu, EXC_GP, 0);
    uint64_t lo = x86_read_rmw(cpu, in->seg, off, 8);
    uint64_t hi = x86_read_rmw(cpu, in->seg, off + 8, 8);
    if (lo == cpu->gpr[RAX] && hi == cpu->gpr[RDX]) {
        x86_write(cpu, in->seg, off, 8, cpu->gpr[RBX]);
        x86_write(cpu, in->seg, off + 8, 8, cpu->gpr[RCX]);
        cpu->flags |= FL_ZF;
    } else {
        x86_write(cpu, in->seg, off, 8, lo);
        x86_write(cpu, in->seg, off + 8, 8, hi);
        cpu->gpr[RAX] = lo;
        cpu->gpr[RDX] = hi;
        cpu->flags &= ~(uint64_t)FL_ZF;
    }
}

void h_bswap(x86_cpu *cpu, const x86_insn *in)
{
    unsigned r = zreg(in);
    uint64_t v = cpu->gpr[r];
    if (in->osz == 8) {
        cpu->gpr[r] = __builtin_bswap64(v);
    } else if (in->osz == 4) {
        cpu->gpr[r] = __builtin_bswap32((uint32_t)v);
    } else {
        reg_set(cpu, r, 2, true, 0); /* BSWAP r16 is undefined; hardware gives 0 */
    }
}

void h_movbe(x86_cpu *cpu, const x86_insn *in)
{
    unsigned size = in->osz;
    uint64_t off = x86_ea(cpu, in);
    if (x86_info(in)->arg == 0) {
        uint64_t v = x86_read(cpu, in->seg, off, size);
        v = size == 8 ? __builtin_bswap64(v) : size == 4 ? __builtin_bswap32((uint32_t)v)
                                                         : __builtin_bswap16((uint16_t)v);
        reg_set(cpu, in->reg, size, true, v);
    } else {
        uint64_t v = reg_get(cpu, in->reg, size, true);
        v = size == 8 ? __builtin_bswap64(v) : size == 4 ? __builtin_bswap32((uint32_t)v)
                                                         : __builtin_bswap16((uint16_t)v);
        x86_write(cpu, in->seg, off, size, v);
    }
}

/* ---- bit operations ---- */

void h_bt(x86_cpu *cpu, const x86_insn *in)
{
    unsigned op = x86_info(in)->arg;
    unsigned size = in->osz, bits = size * 8;
    bool imm = x86_info(in)->opd[1] == O_Ib;
    uint64_t off = opd_read(cpu, in, 1);
    unsigned bit;
    uint64_t v;
    uint64_t addr = 0;
    if (in->mod == 3 || imm) {
        bit = (unsigned)off & (bits - 1);
    } else {
        /* SDM Vol.2 BT: a register bit offset addresses the bit string relative to the
         * memory operand, signed, in operand-size units. */
        int64_t so = sext_bytes(off & mask_bytes(size), size);
        unsigned lg = size == 2 ? 4 : size == 4 ? 5 : 6;
        int64_t units = so >> lg; /* arithmetic shift: floor division */
        addr = (x86_ea(cpu, in) + (uint64_t)units * size) & mask_bytes(in->asz);
        bit = (unsigned)so & (bits - 1);
    }
    bool mem = in->mod != 3;
    if (mem && !imm)
        v = op ? x86_read_rmw(cpu, in->seg, addr, size) : x86_read(cpu, in->seg, addr, size);
    else
        v = op ? opd_read_rmw(cpu, in, 0) : opd_read(cpu, in, 0);
    bool cf = (v >> bit) & 1;
    if (op) {
        uint64_t b = 1ull << bit;
        uint64_t nv = op == 1 ? v | b : op == 2 ? v & ~b : v ^ b;
        if (mem && !imm)
            x86_write(cpu, in->seg, addr, size, nv);
        else
            opd_write(cpu, in, 0, nv);
    }
    flags_put(cpu, FL_CF, cf ? FL_CF : 0);
}

void h_bitcount(x86_cpu *cpu, const x86_insn *in)
{
    unsigned op = x86_info(in)->arg;
    unsigned size = in->osz, bits = size * 8;
    uint64_t v = opd_read(cpu, in, 1) & mask_bytes(size);
    switch (op) {
    case 0: { /* POPCNT: ZF on zero source; OF SF AF CF PF cleared */
        uint64_t n = (uint64_t)__builtin_popcountll(v);
        opd_write(cpu, in, 0, n);
        flags_put(cpu, FL_ARITH, v ? 0 : FL_ZF);
        return;
    }
    case 1: case 2: { /* BSF, BSR: a zero source leaves the destination unchanged */
        /* Undefined flags as an Intel host gives them: CF OF SF AF = 0, PF from the
         * result (from 0 when the source is 0). */
        uint64_t n = 0;
        if (v) {
            n = op == 1 ? (uint64_t)__builtin_ctzll(v) : (uint64_t)(63 - __builtin_clzll(v));
            opd_write(cpu, in, 0, n);
        }
        flags_put(cpu, FL_ARITH, parity8(n) | (v ? 0 : FL_ZF));
        return;
    }
    default: { /* TZCNT, LZCNT: CF = source zero, ZF = result zero; OF SF AF PF = 0 */
        uint64_t n = !v ? bits : op == 3 ? (uint64_t)__builtin_ctzll(v)
                                         : (uint64_t)(__builtin_clzll(v) - (64 - (int)bits));
        opd_write(cpu, in, 0, n);
        flags_put(cpu, FL_ARITH, (v ? 0 : FL_CF) | (n ? 0 : FL_ZF));
        return;
    }
    }
}

/* ---- condition codes, conversions, flag instructions ---- */

void h_setcc(x86_cpu *cpu, const x86_insn *in)
{
    opd_write(cpu, in, 0, x86_cond(cpu, x86_info(in)->arg));
}

void h_cmov(x86_cpu *cpu, const x86_insn *in)
{
    uint64_t v = opd_read(cpu, in, 1);
    if (x86_cond(cpu, x86_info(in)->arg))
        opd_write(cpu, in, 0, v);
    else if (in->osz == 4)
        opd_write(cpu, in, 0, cpu->gpr[in->reg]); /* 32-bit CMOV always zero-extends */
}

void h_cbw(x86_cpu *cpu, const x86_insn *in)
{
    unsigned s = in->osz;
    reg_set(cpu, RAX, s, false, (uint64_t)sext_bytes(cpu->gpr[RAX], s / 2));
}

void h_cwd(x86_cpu *cpu, const x86_insn *in)
{
    unsigned s = in->osz;
    bool neg = (cpu->gpr[RAX] >> (s * 8 - 1)) & 1;
    reg_set(cpu, RDX, s, false, neg ? ~0ull : 0);
}

void h_lahf(x86_cpu *cpu, const x86_insn *in)
{
    uint64_t f = (x86_cpu_rflags(cpu) & 0xd5) | FL_1;
    reg_set(cpu, 4, 1, false, f); /* AH */
}

void h_sahf(x86_cpu *cpu, const x86_insn *in)
{
    uint32_t ah = (uint32_t)(cpu->gpr[RAX] >> 8) & 0xff;
    flags_put(cpu, FL_SF | FL_ZF | FL_AF | FL_PF | FL_CF, ah);
}

void h_flagop(x86_cpu *cpu, const x86_insn *in)
{
    unsigned iopl = (unsigned)(cpu->flags & FL_IOPL) >> FL_IOPL_SHIFT;
    switch (x86_info(in)->arg) {
    case 0: flags_put(cpu, FL_CF, 0); break;
    case 1: flags_put(cpu, FL_CF, FL_CF); break;
    case 2: flags_put(cpu, FL_CF, x86_cf(cpu) ? 0 : FL_CF); break;
    case 3: /* CLI (SDM Vol.2: CPL > IOPL → #GP(0); VME/PVI not modelled) */
        if (x86_pmode(cpu) ? cpu->cpl > (int)iopl : (cpu->flags & FL_VM) && iopl < 3)
            x86_fault(cpu, EXC_GP, 0);
        cpu->flags &= ~(uint64_t)FL_IF;
        break;
    case 4: /* STI: interrupts stay blocked until after the next instruction */
        if (x86_pmode(cpu) ? cpu->cpl > (int)iopl : (cpu->flags & FL_VM) && iopl < 3)
            x86_fault(cpu, EXC_GP, 0);
        if (!(cpu->flags & FL_IF))
            cpu->shadow = 2;
        cpu->flags |= FL_IF;
        break;
    case 5: cpu->flags &= ~(uint64_t)FL_DF; break;
    default: cpu->flags |= FL_DF; break;
    }
}

/* ---- BCD and other legacy instructions (invalid in 64-bit mode) ---- */

void h_bcd(x86_cpu *cpu, const x86_insn *in)
{
    uint32_t f = x86_arith_flags(cpu);
    bool cf = f & FL_CF, af = f & FL_AF;
    uint64_t al = cpu->gpr[RAX] & 0xff, old = al;
    uint32_t nf = 0;
    switch (x86_info(in)->arg) {
    case 0: case 1: { /* DAA, DAS */
        bool das = x86_info(in)->arg == 1;
        bool ncf = false;
        if ((al & 0xf) > 9 || af) {
            al = das ? al - 6 : al + 6;
            ncf = cf || (das ? old < 6 : al > 0xff);
            nf |= FL_AF;
        }
        al &= 0xff;
        if (old > 0x99 || cf) {
            al = (das ? al - 0x60 : al + 0x60) & 0xff;
            ncf = true;
        } else if (!das) {
            ncf = false; /* SDM DAA: the high-digit test alone decides CF */
        }
        nf |= szp_flags(al, 1) | (ncf ? FL_CF : 0);
        reg_set(cpu, RAX, 1, false, al);
        break;
    }
    default: { /* AAA, AAS */
        bool aas = x86_info(in)->arg == 3;
        uint64_t ax = cpu->gpr[RAX] & 0xffff;
        if ((al & 0xf) > 9 || af) {
            ax = aas ? ax - 0x106 : ax + 0x106;
            nf |= FL_AF | FL_CF;
        }
        ax &= 0xff0f;
        reg_set(cpu, RAX, 2, false, ax);
        nf |= szp_flags(ax & 0xff, 1);
        break;
    }
    }
    flags_put(cpu, FL_ARITH, nf);
}

void h_aam(x86_cpu *cpu, const x86_insn *in)
{
    uint64_t base = in->imm & 0xff;
    if (!base)
        x86_fault(cpu, EXC_DE, 0);
    uint64_t al = cpu->gpr[RAX] & 0xff;
    uint64_t q = al / base, r = al % base;
    reg_set(cpu, RAX, 2, false, (q << 8) | r);
    flags_put(cpu, FL_ARITH, szp_flags(r, 1));
}

void h_aad(x86_cpu *cpu, const x86_insn *in)
{
    uint64_t al = cpu->gpr[RAX] & 0xff, ah = (cpu->gpr[RAX] >> 8) & 0xff;
    uint64_t r = (al + ah * (in->imm & 0xff)) & 0xff;
    reg_set(cpu, RAX, 2, false, r);
    flags_put(cpu, FL_ARITH, szp_flags(r, 1));
}

void h_salc(x86_cpu *cpu, const x86_insn *in)
{
    reg_set(cpu, RAX, 1, false, x86_cf(cpu) ? 0xff : 0);
}

void h_xlat(x86_cpu *cpu, const x86_insn *in)
{
    uint64_t off = (cpu->gpr[RBX] + (cpu->gpr[RAX] & 0xff)) & mask_bytes(in->asz);
    int seg = in->segovr != SEG_NONE ? in->seg : SEG_DS;
    reg_set(cpu, RAX, 1, false, x86_read(cpu, seg, off, 1));
}

void h_rdrand(x86_cpu *cpu, const x86_insn *in)
{
    /* xorshift64*: not cryptographic, but the guest gets varying values (CF = 1) */
    uint64_t x = cpu->rng ? cpu->rng : 0x9e3779b97f4a7c15ull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    cpu->rng = x;
    opd_write(cpu, in, 0, x * 0x2545f4914f6cdd1dull);
    flags_put(cpu, FL_ARITH, FL_CF);
}

void h_nop(x86_cpu *cpu, const x86_insn *in)
{
}

void h_ud(x86_cpu *cpu, const x86_insn *in)
{
    x86_fault(cpu, EXC_UD, 0);
}

void h_fwait(x86_cpu *cpu, const x86_insn *in)
{
    if ((cpu->cr0 & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS))
        x86_fault(cpu, EXC_NM, 0);
    if (cpu->fsw & 0x80) /* FSW.ES: a pending unmasked x87 exception (SDM Vol.1 §8.6) */
        x86_fault(cpu, EXC_MF, 0);
}
