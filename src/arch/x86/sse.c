/* MMX, SSE, SSE2, SSE3 and SSSE3 instructions (SDM Vol.2; Vol.1 chapters 9-12): the
 * CR0/CR4 gates, operand fetch and store (16-byte alignment of legacy SSE memory
 * operands), MXCSR exceptions (#XM, or #UD when CR4.OSXMMEXCPT is clear), and the
 * dispatch of each opcode to the numeric libraries (sse_float.h, sse_int.h). MMX
 * registers are the significands of the x87 physical registers (SDM Vol.1 §9.5). */
#include <string.h>

#include "arch/x86/exec.h"
#include "arch/x86/sse_float.h"
#include "arch/x86/sse_int.h"

/* ---- state access ---- */

uint64_t x86_mm_get(const x86_cpu *cpu, unsigned i)
{
    uint64_t v;
    memcpy(&v, cpu->st[i & 7], 8);
    return v;
}

void x86_mm_set(x86_cpu *cpu, unsigned i, uint64_t v)
{
    memcpy(cpu->st[i & 7], &v, 8);
    cpu->st[i & 7][8] = 0xff; /* exponent and sign all ones (SDM Vol.1 §9.5.1) */
    cpu->st[i & 7][9] = 0xff;
}

/* Every MMX instruction but EMMS: TOP = 0, all registers valid (SDM Vol.1 Table 9-2). */
static void mmx_enter(x86_cpu *cpu)
{
    cpu->fsw &= (uint16_t)~0x3800;
    cpu->ftw = 0;
}

static void sse_gate(x86_cpu *cpu, const x86_insn *in)
{
    uint16_t attr = x86_info(in)->attr;
    if (!(attr & A_SSE))
        return;
    if (attr & A_MMX) {
        if (cpu->cr0 & CR0_EM)
            x86_fault(cpu, EXC_UD, 0);
    } else if ((cpu->cr0 & CR0_EM) || !(cpu->cr4 & CR4_OSFXSR)) {
        x86_fault(cpu, EXC_UD, 0);
    }
    if (cpu->cr0 & CR0_TS)
        x86_fault(cpu, EXC_NM, 0);
    if ((attr & A_MMX) && (cpu->fsw & 0x80))
        x86_fault(cpu, EXC_MF, 0); /* pending unmasked x87 exception */
}

static void mem_read(x86_cpu *cpu, const x86_insn *in, uint64_t off, void *dst, unsigned n,
                     bool align)
{
    if (align && n == 16 && (x86_seg_linear(cpu, in->seg, off, 1, ACC_R) & 15))
        x86_fault(cpu, EXC_GP, 0);
    uint8_t *p = dst;
    uint64_t am = mask_bytes(in->asz);
    if (n >= 8) {
        uint64_t lo = x86_read(cpu, in->seg, off, 8);
        memcpy(p, &lo, 8);
        if (n == 16) {
            uint64_t hi = x86_read(cpu, in->seg, (off + 8) & am, 8);
            memcpy(p + 8, &hi, 8);
        }
    } else {
        uint64_t v = x86_read(cpu, in->seg, off, n);
        memcpy(p, &v, n);
    }
}

static void mem_write(x86_cpu *cpu, const x86_insn *in, uint64_t off, const void *src,
                      unsigned n, bool align)
{
    uint64_t lin = x86_seg_linear(cpu, in->seg, off, n, ACC_W);
    if (align && n == 16 && (lin & 15))
        x86_fault(cpu, EXC_GP, 0);
    x86_lin_probe_write(cpu, lin, n, ACC_W);
    const uint8_t *p = src;
    uint64_t am = mask_bytes(in->asz);
    if (n >= 8) {
        uint64_t lo;
        memcpy(&lo, p, 8);
        x86_write(cpu, in->seg, off, 8, lo);
        if (n == 16) {
            uint64_t hi;
            memcpy(&hi, p + 8, 8);
            x86_write(cpu, in->seg, (off + 8) & am, 8, hi);
        }
    } else {
        uint64_t v = 0;
        memcpy(&v, p, n);
        x86_write(cpu, in->seg, off, n, v);
    }
}

/* The r/m operand as an xmm value: the register, or `n` bytes of memory (zero-extended). */
static x86_xmm src_x(x86_cpu *cpu, const x86_insn *in, unsigned n, bool align)
{
    x86_xmm v;
    if (in->mod == 3)
        return cpu->xmm[in->rm].v;
    memset(&v, 0, sizeof v);
    mem_read(cpu, in, x86_ea(cpu, in), &v, n, align);
    return v;
}

static uint64_t src_mm(x86_cpu *cpu, const x86_insn *in)
{
    if (in->mod == 3)
        return x86_mm_get(cpu, in->rm);
    uint64_t v;
    mem_read(cpu, in, x86_ea(cpu, in), &v, 8, false);
    return v;
}

static void store_rm_x(x86_cpu *cpu, const x86_insn *in, const x86_xmm *v, unsigned n,
                       bool align)
{
    if (in->mod == 3) {
        cpu->xmm[in->rm].v = *v;
        return;
    }
    mem_write(cpu, in, x86_ea(cpu, in), v, n, align);
}

static void xm_result(x86_cpu *cpu, unsigned flags)
{
    if (sse_update_mxcsr(&cpu->mxcsr, flags))
        x86_fault(cpu, (cpu->cr4 & CR4_OSXMMEXCPT) ? EXC_XM : EXC_UD, 0);
}

static sse_shape shape_of(uint8_t pfx)
{
    switch (pfx) {
    case P_66: return SSE_PD;
    case P_F3: return SSE_SS;
    case P_F2: return SSE_SD;
    default: return SSE_PS;
    }
}

static unsigned scalar_bytes(sse_shape s)
{
    return s == SSE_SS ? 4 : s == SSE_SD ? 8 : 16;
}

/* ---- packed integer operations shared by the MMX and SSE2 forms ---- */

static bool packed_int(x86_cpu *cpu, const x86_insn *in, unsigned map, unsigned b,
                       x86_xmm *d, const x86_xmm *a, const x86_xmm *s, unsigned n)
{
    if (map == 2) {
        switch (b) {
        case 0x00: sse_pshufb(d, a, s, n); return true;
        case 0x01: sse_hadd(d, a, s, 2, SSE_WRAP, false, n); return true;
        case 0x02: sse_hadd(d, a, s, 4, SSE_WRAP, false, n); return true;
        case 0x03: sse_hadd(d, a, s, 2, SSE_SSAT, false, n); return true;
        case 0x04: sse_pmaddubsw(d, a, s, n); return true;
        case 0x05: sse_hadd(d, a, s, 2, SSE_WRAP, true, n); return true;
        case 0x06: sse_hadd(d, a, s, 4, SSE_WRAP, true, n); return true;
        case 0x07: sse_hadd(d, a, s, 2, SSE_SSAT, true, n); return true;
        case 0x08: sse_sign(d, a, s, 1, n); return true;
        case 0x09: sse_sign(d, a, s, 2, n); return true;
        case 0x0a: sse_sign(d, a, s, 4, n); return true;
        case 0x0b: sse_pmulhrsw(d, a, s, n); return true;
        case 0x1c: sse_abs(d, s, 1, n); return true;
        case 0x1d: sse_abs(d, s, 2, n); return true;
        case 0x1e: sse_abs(d, s, 4, n); return true;
        default: return false;
        }
    }
    if (map == 3) {
        sse_palignr(d, a, s, (unsigned)in->imm & 0xff, n);
        return true;
    }
    uint64_t cnt = s->u64[0]; /* register counts use the low quadword only */
    switch (b) {
    case 0x60: sse_unpack(d, a, s, 1, false, n); break;
    case 0x61: sse_unpack(d, a, s, 2, false, n); break;
    case 0x62: sse_unpack(d, a, s, 4, false, n); break;
    case 0x63: sse_packss(d, a, s, 2, n); break;
    case 0x64: sse_cmpgt(d, a, s, 1, n); break;
    case 0x65: sse_cmpgt(d, a, s, 2, n); break;
    case 0x66: sse_cmpgt(d, a, s, 4, n); break;
    case 0x67: sse_packus(d, a, s, 2, n); break;
    case 0x68: sse_unpack(d, a, s, 1, true, n); break;
    case 0x69: sse_unpack(d, a, s, 2, true, n); break;
    case 0x6a: sse_unpack(d, a, s, 4, true, n); break;
    case 0x6b: sse_packss(d, a, s, 4, n); break;
    case 0x6c: sse_unpack(d, a, s, 8, false, n); break;
    case 0x6d: sse_unpack(d, a, s, 8, true, n); break;
    case 0x74: sse_cmpeq(d, a, s, 1, n); break;
    case 0x75: sse_cmpeq(d, a, s, 2, n); break;
    case 0x76: sse_cmpeq(d, a, s, 4, n); break;
    case 0xd1: sse_shift(d, a, cnt, 2, SSE_SRL, n); break;
    case 0xd2: sse_shift(d, a, cnt, 4, SSE_SRL, n); break;
    case 0xd3: sse_shift(d, a, cnt, 8, SSE_SRL, n); break;
    case 0xd4: sse_add(d, a, s, 8, SSE_WRAP, n); break;
    case 0xd5: sse_mullo(d, a, s, 2, n); break;
    case 0xd8: sse_sub(d, a, s, 1, SSE_USAT, n); break;
    case 0xd9: sse_sub(d, a, s, 2, SSE_USAT, n); break;
    case 0xda: sse_minmax(d, a, s, 1, false, false, n); break;
    case 0xdb: d->u64[0] = a->u64[0] & s->u64[0]; d->u64[1] = a->u64[1] & s->u64[1]; break;
    case 0xdc: sse_add(d, a, s, 1, SSE_USAT, n); break;
    case 0xdd: sse_add(d, a, s, 2, SSE_USAT, n); break;
    case 0xde: sse_minmax(d, a, s, 1, false, true, n); break;
    case 0xdf: d->u64[0] = ~a->u64[0] & s->u64[0]; d->u64[1] = ~a->u64[1] & s->u64[1]; break;
    case 0xe0: sse_avg(d, a, s, 1, n); break;
    case 0xe1: sse_shift(d, a, cnt, 2, SSE_SRA, n); break;
    case 0xe2: sse_shift(d, a, cnt, 4, SSE_SRA, n); break;
    case 0xe3: sse_avg(d, a, s, 2, n); break;
    case 0xe4: sse_mulhi16(d, a, s, false, n); break;
    case 0xe5: sse_mulhi16(d, a, s, true, n); break;
    case 0xe8: sse_sub(d, a, s, 1, SSE_SSAT, n); break;
    case 0xe9: sse_sub(d, a, s, 2, SSE_SSAT, n); break;
    case 0xea: sse_minmax(d, a, s, 2, true, false, n); break;
    case 0xeb: d->u64[0] = a->u64[0] | s->u64[0]; d->u64[1] = a->u64[1] | s->u64[1]; break;
    case 0xec: sse_add(d, a, s, 1, SSE_SSAT, n); break;
    case 0xed: sse_add(d, a, s, 2, SSE_SSAT, n); break;
    case 0xee: sse_minmax(d, a, s, 2, true, true, n); break;
    case 0xef: d->u64[0] = a->u64[0] ^ s->u64[0]; d->u64[1] = a->u64[1] ^ s->u64[1]; break;
    case 0xf1: sse_shift(d, a, cnt, 2, SSE_SLL, n); break;
    case 0xf2: sse_shift(d, a, cnt, 4, SSE_SLL, n); break;
    case 0xf3: sse_shift(d, a, cnt, 8, SSE_SLL, n); break;
    case 0xf4: sse_mul32x64(d, a, s, false, n); break;
    case 0xf5: sse_pmaddwd(d, a, s, n); break;
    case 0xf6: sse_psadbw(d, a, s, n); break;
    case 0xf8: sse_sub(d, a, s, 1, SSE_WRAP, n); break;
    case 0xf9: sse_sub(d, a, s, 2, SSE_WRAP, n); break;
    case 0xfa: sse_sub(d, a, s, 4, SSE_WRAP, n); break;
    case 0xfb: sse_sub(d, a, s, 8, SSE_WRAP, n); break;
    case 0xfc: sse_add(d, a, s, 1, SSE_WRAP, n); break;
    case 0xfd: sse_add(d, a, s, 2, SSE_WRAP, n); break;
    case 0xfe: sse_add(d, a, s, 4, SSE_WRAP, n); break;
    default: return false;
    }
    if (n == 8)
        d->u64[1] = a->u64[1];
    return true;
}

/* MMX form: operands are mm registers / 64-bit memory. */
static void mmx_op(x86_cpu *cpu, const x86_insn *in, unsigned map, unsigned b)
{
    x86_xmm a, s, d;
    memset(&a, 0, sizeof a);
    memset(&s, 0, sizeof s);
    memset(&d, 0, sizeof d);
    s.u64[0] = src_mm(cpu, in);
    mmx_enter(cpu);
    a.u64[0] = x86_mm_get(cpu, in->reg);
    if (!packed_int(cpu, in, map, b, &d, &a, &s, 8))
        x86_fault(cpu, EXC_UD, 0);
    x86_mm_set(cpu, in->reg, d.u64[0]);
}

/* ---- the dispatcher ---- */

static void fp_arith(x86_cpu *cpu, const x86_insn *in, sse_op op, sse_shape sh)
{
    x86_xmm s = src_x(cpu, in, scalar_bytes(sh), true), r;
    xm_result(cpu, sse_binop(op, sh, &r, &cpu->xmm[in->reg].v, &s, cpu->mxcsr));
    cpu->xmm[in->reg].v = r;
}

static void set_flags_comi(x86_cpu *cpu, unsigned efl)
{
    flags_put(cpu, FL_ARITH, efl & (FL_ZF | FL_PF | FL_CF));
}

static void dispatch_0f(x86_cpu *cpu, const x86_insn *in, const x86_opinfo *e)
{
    unsigned b = in->opb;
    uint8_t pfx = e->pfx;
    sse_shape sh = shape_of(pfx);
    x86_xmm *d = &cpu->xmm[in->reg].v;
    x86_xmm s, r;
    unsigned fl = 0;
    switch (b) {
    case 0x10: case 0x28: case 0x6f:
        if (b == 0x6f && pfx == P_NP) {
            uint64_t v = src_mm(cpu, in);
            mmx_enter(cpu);
            x86_mm_set(cpu, in->reg, v);
            return;
        }
        if (b == 0x10 && (sh == SSE_SS || sh == SSE_SD)) {
            s = src_x(cpu, in, scalar_bytes(sh), false);
            if (in->mod == 3) {
                if (sh == SSE_SS) d->u32[0] = s.u32[0];
                else d->u64[0] = s.u64[0];
            } else {
                *d = s; /* loads zero the upper lanes */
            }
            return;
        }
        *d = src_x(cpu, in, 16, b == 0x28 || (b == 0x6f && pfx == P_66));
        return;
    case 0x11: case 0x29: case 0x2b: case 0x7f: case 0xe7:
        if ((b == 0x7f || b == 0xe7) && pfx == P_NP) {
            uint64_t v = x86_mm_get(cpu, in->reg);
            mmx_enter(cpu);
            if (in->mod == 3)
                x86_mm_set(cpu, in->rm, v);
            else
                mem_write(cpu, in, x86_ea(cpu, in), &v, 8, false);
            return;
        }
        if ((sh == SSE_SS || sh == SSE_SD) && b == 0x11) {
            if (in->mod == 3) {
                if (sh == SSE_SS) cpu->xmm[in->rm].v.u32[0] = d->u32[0];
                else cpu->xmm[in->rm].v.u64[0] = d->u64[0];
            } else {
                mem_write(cpu, in, x86_ea(cpu, in), d, scalar_bytes(sh), false);
            }
            return;
        }
        store_rm_x(cpu, in, d, 16, b != 0x11 && !(b == 0x7f && pfx == P_F3));
        return;
    case 0x12: case 0x16: {
        bool high = b == 0x16;
        if (pfx == P_F3) { /* MOVSLDUP / MOVSHDUP */
            s = src_x(cpu, in, 16, true);
            unsigned o = high ? 1 : 0;
            r.u32[0] = r.u32[1] = s.u32[o];
            r.u32[2] = r.u32[3] = s.u32[2 + o];
            *d = r;
            return;
        }
        if (pfx == P_F2) { /* MOVDDUP */
            s = src_x(cpu, in, 8, false);
            d->u64[0] = d->u64[1] = s.u64[0];
            return;
        }
        if (in->mod == 3) { /* MOVHLPS / MOVLHPS */
            s = cpu->xmm[in->rm].v;
            if (high) d->u64[1] = s.u64[0];
            else d->u64[0] = s.u64[1];
            return;
        }
        s = src_x(cpu, in, 8, false);
        d->u64[high ? 1 : 0] = s.u64[0];
        return;
    }
    case 0x13: case 0x17:
        mem_write(cpu, in, x86_ea(cpu, in), &d->u64[b == 0x17 ? 1 : 0], 8, false);
        return;
    case 0x14: case 0x15:
        s = src_x(cpu, in, 16, true);
        sse_unpack(&r, d, &s, pfx == P_66 ? 8 : 4, b == 0x15, 16);
        *d = r;
        return;
    case 0x2a:
        if (pfx == P_NP || pfx == P_66) { /* CVTPI2PS / CVTPI2PD */
            uint64_t v = src_mm(cpu, in);
            if (in->mod == 3)
                mmx_enter(cpu);
            int32_t lo = (int32_t)(uint32_t)v, hi = (int32_t)(uint32_t)(v >> 32);
            if (pfx == P_NP) {
                r = *d;
                r.u32[0] = sse_cvt_int_to32(lo, cpu->mxcsr, &fl);
                r.u32[1] = sse_cvt_int_to32(hi, cpu->mxcsr, &fl);
            } else {
                r.u64[0] = sse_cvt_int_to64(lo, cpu->mxcsr, &fl);
                r.u64[1] = sse_cvt_int_to64(hi, cpu->mxcsr, &fl);
            }
            xm_result(cpu, fl);
            *d = r;
            return;
        }
        {
            unsigned w = in->osz == 8 ? 8 : 4;
            int64_t v;
            if (in->mod == 3)
                v = sext_bytes(reg_get(cpu, in->rm, w, false), w);
            else
                v = sext_bytes(x86_read(cpu, in->seg, x86_ea(cpu, in), w), w);
            r = *d;
            if (pfx == P_F3)
                r.u32[0] = sse_cvt_int_to32(v, cpu->mxcsr, &fl);
            else
                r.u64[0] = sse_cvt_int_to64(v, cpu->mxcsr, &fl);
            xm_result(cpu, fl);
            *d = r;
            return;
        }
    case 0x2c: case 0x2d: {
        bool tr = b == 0x2c;
        if (pfx == P_NP || pfx == P_66) { /* CVT(T)PS2PI / CVT(T)PD2PI */
            s = src_x(cpu, in, pfx == P_NP ? 8 : 16, pfx == P_66);
            uint64_t lo, hi;
            if (pfx == P_NP) {
                lo = sse_cvt32_to_int(s.u32[0], 32, tr, cpu->mxcsr, &fl);
                hi = sse_cvt32_to_int(s.u32[1], 32, tr, cpu->mxcsr, &fl);
            } else {
                lo = sse_cvt64_to_int(s.u64[0], 32, tr, cpu->mxcsr, &fl);
                hi = sse_cvt64_to_int(s.u64[1], 32, tr, cpu->mxcsr, &fl);
            }
            xm_result(cpu, fl);
            mmx_enter(cpu);
            x86_mm_set(cpu, in->reg, (lo & 0xffffffffu) | (hi << 32));
            return;
        }
        unsigned w = in->osz == 8 ? 64 : 32;
        s = src_x(cpu, in, scalar_bytes(sh), false);
        uint64_t v = sh == SSE_SS ? sse_cvt32_to_int(s.u32[0], w, tr, cpu->mxcsr, &fl)
                                  : sse_cvt64_to_int(s.u64[0], w, tr, cpu->mxcsr, &fl);
        xm_result(cpu, fl);
        reg_set(cpu, in->reg, w / 8, false, v);
        return;
    }
    case 0x2e: case 0x2f: {
        bool sig = b == 0x2f;
        s = src_x(cpu, in, pfx == P_66 ? 8 : 4, false);
        unsigned efl = pfx == P_66 ? sse_comi64(d->u64[0], s.u64[0], sig, cpu->mxcsr, &fl)
                                   : sse_comi32(d->u32[0], s.u32[0], sig, cpu->mxcsr, &fl);
        xm_result(cpu, fl);
        set_flags_comi(cpu, efl);
        return;
    }
    case 0x50:
        reg_set(cpu, in->reg, 4, false,
                pfx == P_66 ? sse_movmskpd(&cpu->xmm[in->rm].v)
                            : sse_movmskps(&cpu->xmm[in->rm].v));
        return;
    case 0x51: fp_arith(cpu, in, SSE_SQRT, sh); return;
    case 0x52: case 0x53: {
        s = src_x(cpu, in, scalar_bytes(sh), true);
        r = *d;
        unsigned lanes = sh == SSE_SS ? 1 : 4;
        for (unsigned i = 0; i < lanes; i++)
            r.u32[i] = b == 0x52 ? sse_rsqrt32(s.u32[i]) : sse_rcp32(s.u32[i]);
        *d = r;
        return;
    }
    case 0x54: case 0x55: case 0x56: case 0x57:
        s = src_x(cpu, in, 16, true);
        for (int i = 0; i < 2; i++) {
            uint64_t a = d->u64[i], c = s.u64[i];
            d->u64[i] = b == 0x54 ? a & c : b == 0x55 ? ~a & c : b == 0x56 ? a | c : a ^ c;
        }
        return;
    case 0x58: fp_arith(cpu, in, SSE_ADD, sh); return;
    case 0x59: fp_arith(cpu, in, SSE_MUL, sh); return;
    case 0x5c: fp_arith(cpu, in, SSE_SUB, sh); return;
    case 0x5d: fp_arith(cpu, in, SSE_MIN, sh); return;
    case 0x5e: fp_arith(cpu, in, SSE_DIV, sh); return;
    case 0x5f: fp_arith(cpu, in, SSE_MAX, sh); return;
    case 0x5a:
        if (sh == SSE_SS || sh == SSE_SD) {
            s = src_x(cpu, in, scalar_bytes(sh), false);
            r = *d;
            if (sh == SSE_SS)
                r.u64[0] = sse_cvt32_to64(s.u32[0], cpu->mxcsr, &fl);
            else
                r.u32[0] = sse_cvt64_to32(s.u64[0], cpu->mxcsr, &fl);
            xm_result(cpu, fl);
            *d = r;
            return;
        }
        s = src_x(cpu, in, pfx == P_NP ? 8 : 16, pfx != P_NP);
        xm_result(cpu, sse_convert(pfx == P_NP ? SSE_CVTPS2PD : SSE_CVTPD2PS, &r, &s,
                                   cpu->mxcsr));
        *d = r;
        return;
    case 0x5b:
        s = src_x(cpu, in, 16, true);
        xm_result(cpu, sse_convert(pfx == P_NP ? SSE_CVTDQ2PS : pfx == P_66 ? SSE_CVTPS2DQ
                                                                            : SSE_CVTTPS2DQ,
                                   &r, &s, cpu->mxcsr));
        *d = r;
        return;
    case 0xe6:
        s = src_x(cpu, in, pfx == P_F3 ? 8 : 16, pfx != P_F3);
        xm_result(cpu, sse_convert(pfx == P_66 ? SSE_CVTTPD2DQ : pfx == P_F3 ? SSE_CVTDQ2PD
                                                                             : SSE_CVTPD2DQ,
                                   &r, &s, cpu->mxcsr));
        *d = r;
        return;
    case 0x6e: {
        unsigned w = in->osz == 8 ? 8 : 4;
        uint64_t v = in->mod == 3 ? reg_get(cpu, in->rm, w, false)
                                  : x86_read(cpu, in->seg, x86_ea(cpu, in), w);
        if (pfx == P_NP) {
            mmx_enter(cpu);
            x86_mm_set(cpu, in->reg, v);
        } else {
            d->u64[0] = v;
            d->u64[1] = 0;
        }
        return;
    }
    case 0x7e: {
        if (pfx == P_F3) { /* MOVQ xmm, xmm/m64 */
            s = src_x(cpu, in, 8, false);
            d->u64[0] = s.u64[0];
            d->u64[1] = 0;
            return;
        }
        unsigned w = in->osz == 8 ? 8 : 4;
        uint64_t v = pfx == P_NP ? x86_mm_get(cpu, in->reg) : d->u64[0];
        if (pfx == P_NP)
            mmx_enter(cpu);
        if (in->mod == 3)
            reg_set(cpu, in->rm, w, false, v);
        else
            x86_write(cpu, in->seg, x86_ea(cpu, in), w, v);
        return;
    }
    case 0xd6:
        if (pfx == P_66) {
            if (in->mod == 3) {
                cpu->xmm[in->rm].v.u64[0] = d->u64[0];
                cpu->xmm[in->rm].v.u64[1] = 0;
            } else {
                mem_write(cpu, in, x86_ea(cpu, in), d, 8, false);
            }
        } else if (pfx == P_F3) { /* MOVQ2DQ */
            uint64_t v = x86_mm_get(cpu, in->rm);
            mmx_enter(cpu);
            d->u64[0] = v;
            d->u64[1] = 0;
        } else { /* MOVDQ2Q */
            uint64_t v = cpu->xmm[in->rm].v.u64[0];
            mmx_enter(cpu);
            x86_mm_set(cpu, in->reg, v);
        }
        return;
    case 0x70:
        if (pfx == P_NP) {
            x86_xmm a;
            memset(&a, 0, sizeof a);
            a.u64[0] = src_mm(cpu, in);
            mmx_enter(cpu);
            sse_pshufw(&r, &a, (unsigned)in->imm & 0xff);
            x86_mm_set(cpu, in->reg, r.u64[0]);
            return;
        }
        s = src_x(cpu, in, 16, true);
        if (pfx == P_66)
            sse_pshufd(&r, &s, (unsigned)in->imm & 0xff);
        else if (pfx == P_F3)
            sse_pshufhw(&r, &s, (unsigned)in->imm & 0xff);
        else
            sse_pshuflw(&r, &s, (unsigned)in->imm & 0xff);
        *d = r;
        return;
    case 0x71: case 0x72: case 0x73: {
        unsigned esz = b == 0x71 ? 2 : b == 0x72 ? 4 : 8;
        unsigned op = in->reg & 7, cnt = (unsigned)in->imm & 0xff;
        x86_xmm a;
        if (pfx == P_NP) {
            memset(&a, 0, sizeof a);
            mmx_enter(cpu);
            a.u64[0] = x86_mm_get(cpu, in->rm);
        } else {
            a = cpu->xmm[in->rm].v;
        }
        if (op == 3 || op == 7)
            sse_shift_bytes(&r, &a, cnt, op == 7);
        else
            sse_shift(&r, &a, cnt, esz, op == 2 ? SSE_SRL : op == 4 ? SSE_SRA : SSE_SLL,
                      pfx == P_NP ? 8 : 16);
        if (pfx == P_NP)
            x86_mm_set(cpu, in->rm, r.u64[0]);
        else
            cpu->xmm[in->rm].v = r;
        return;
    }
    case 0x77: /* EMMS: all x87 registers empty, and TOP = 0 like every MMX instruction
                * (SDM Vol.1 Table 9-2; the hosts we compare with do clear TOP) */
        cpu->fsw &= (uint16_t)~0x3800;
        cpu->ftw = 0xffff;
        return;
    case 0x7c: case 0x7d: case 0xd0:
        fp_arith(cpu, in, b == 0x7c ? SSE_HADD : b == 0x7d ? SSE_HSUB : SSE_ADDSUB,
                 pfx == P_66 ? SSE_PD : SSE_PS);
        return;
    case 0xc2: {
        s = src_x(cpu, in, scalar_bytes(sh), true);
        unsigned pred = (unsigned)in->imm & 7;
        if (sh == SSE_SS || sh == SSE_SD) {
            r = *d;
            if (sh == SSE_SS)
                r.u32[0] = sse_cmp32(d->u32[0], s.u32[0], pred, cpu->mxcsr, &fl);
            else
                r.u64[0] = sse_cmp64(d->u64[0], s.u64[0], pred, cpu->mxcsr, &fl);
        } else {
            fl = sse_cmp(sh, &r, d, &s, pred, cpu->mxcsr);
        }
        xm_result(cpu, fl);
        *d = r;
        return;
    }
    case 0xc3: {
        unsigned w = in->osz == 8 ? 8 : 4;
        x86_write(cpu, in->seg, x86_ea(cpu, in), w, reg_get(cpu, in->reg, w, false));
        return;
    }
    case 0xc4: {
        uint64_t v = in->mod == 3 ? cpu->gpr[in->rm]
                                  : x86_read(cpu, in->seg, x86_ea(cpu, in), 2);
        if (pfx == P_NP) {
            x86_xmm a;
            memset(&a, 0, sizeof a);
            mmx_enter(cpu);
            a.u64[0] = x86_mm_get(cpu, in->reg);
            sse_pinsr(&a, v, (unsigned)in->imm, 2, 8);
            x86_mm_set(cpu, in->reg, a.u64[0]);
        } else {
            sse_pinsr(d, v, (unsigned)in->imm, 2, 16);
        }
        return;
    }
    case 0xc5: {
        uint64_t v;
        if (pfx == P_NP) {
            x86_xmm a;
            memset(&a, 0, sizeof a);
            mmx_enter(cpu);
            a.u64[0] = x86_mm_get(cpu, in->rm);
            v = sse_pextr(&a, (unsigned)in->imm, 2, 8);
        } else {
            v = sse_pextr(&cpu->xmm[in->rm].v, (unsigned)in->imm, 2, 16);
        }
        reg_set(cpu, in->reg, in->osz == 8 ? 8 : 4, false, v);
        return;
    }
    case 0xc6:
        s = src_x(cpu, in, 16, true);
        if (pfx == P_66)
            sse_shufpd(&r, d, &s, (unsigned)in->imm & 0xff);
        else
            sse_shufps(&r, d, &s, (unsigned)in->imm & 0xff);
        *d = r;
        return;
    case 0xd7:
        if (pfx == P_NP) {
            x86_xmm a;
            memset(&a, 0, sizeof a);
            mmx_enter(cpu);
            a.u64[0] = x86_mm_get(cpu, in->rm);
            reg_set(cpu, in->reg, 4, false, sse_pmovmskb(&a, 8));
        } else {
            reg_set(cpu, in->reg, 4, false, sse_pmovmskb(&cpu->xmm[in->rm].v, 16));
        }
        return;
    case 0xf0: /* LDDQU */
        *d = src_x(cpu, in, 16, false);
        return;
    case 0xf7: { /* MASKMOVQ / MASKMOVDQU: byte stores to DS:rDI where the mask's top bit */
        unsigned n = pfx == P_NP ? 8 : 16;
        x86_xmm v, mask;
        memset(&v, 0, sizeof v);
        memset(&mask, 0, sizeof mask);
        if (pfx == P_NP) {
            mmx_enter(cpu);
            v.u64[0] = x86_mm_get(cpu, in->reg);
            mask.u64[0] = x86_mm_get(cpu, in->rm);
        } else {
            v = *d;
            mask = cpu->xmm[in->rm].v;
        }
        int seg = in->segovr != SEG_NONE ? in->seg : SEG_DS;
        uint64_t base = cpu->gpr[RDI] & mask_bytes(in->asz);
        for (unsigned i = 0; i < n; i++)
            if (mask.u8[i] & 0x80)
                x86_write(cpu, seg, (base + i) & mask_bytes(in->asz), 1, v.u8[i]);
        return;
    }
    default:
        break;
    }
    /* packed integer ops */
    if (pfx == P_NP) {
        mmx_op(cpu, in, 1, b);
        return;
    }
    s = src_x(cpu, in, 16, true);
    if (!packed_int(cpu, in, 1, b, &r, d, &s, 16))
        x86_fault(cpu, EXC_UD, 0);
    *d = r;
}

void h_sse(x86_cpu *cpu, const x86_insn *in)
{
    const x86_opinfo *e = x86_info(in);
    sse_gate(cpu, in);
    if (e->map == 1) {
        dispatch_0f(cpu, in, e);
        return;
    }
    if (e->pfx == P_NP) {
        mmx_op(cpu, in, e->map, in->opb);
        return;
    }
    x86_xmm s = src_x(cpu, in, 16, true), r;
    if (!packed_int(cpu, in, e->map, in->opb, &r, &cpu->xmm[in->reg].v, &s, 16))
        x86_fault(cpu, EXC_UD, 0);
    cpu->xmm[in->reg].v = r;
}

/* ---- SSE4.1 / SSE4.2 (SDM Vol.2; 66 0F 38 xx, 66 0F 3A xx, F2 0F 38 F0/F1) ---- */

static void sse4_38(x86_cpu *cpu, const x86_insn *in, unsigned b)
{
    x86_xmm *d = &cpu->xmm[in->reg].v;
    x86_xmm r;
    if (b >= 0x20 && b <= 0x35 && (b & 0xf) <= 5) { /* PMOVSX / PMOVZX */
        static const uint8_t from[6] = {1, 1, 1, 2, 2, 4}, to[6] = {2, 4, 8, 4, 8, 8};
        unsigned k = b & 0xf;
        x86_xmm s = src_x(cpu, in, 16 * from[k] / to[k], false);
        sse_pmovx(&r, &s, from[k], to[k], b < 0x30);
        *d = r;
        return;
    }
    x86_xmm s = src_x(cpu, in, 16, true);
    switch (b) {
    case 0x10: sse_blend_var(&r, d, &s, &cpu->xmm[0].v, 1); break;
    case 0x14: sse_blend_var(&r, d, &s, &cpu->xmm[0].v, 4); break;
    case 0x15: sse_blend_var(&r, d, &s, &cpu->xmm[0].v, 8); break;
    case 0x17: flags_put(cpu, FL_ARITH, sse_ptest(d, &s)); return;
    case 0x28: sse_mul32x64(&r, d, &s, true, 16); break;
    case 0x29: sse_cmpeq(&r, d, &s, 8, 16); break;
    case 0x2a: *d = s; return; /* MOVNTDQA */
    case 0x2b: sse_packus(&r, d, &s, 4, 16); break;
    case 0x37: sse_cmpgt(&r, d, &s, 8, 16); break;
    case 0x38: sse_minmax(&r, d, &s, 1, true, false, 16); break;
    case 0x39: sse_minmax(&r, d, &s, 4, true, false, 16); break;
    case 0x3a: sse_minmax(&r, d, &s, 2, false, false, 16); break;
    case 0x3b: sse_minmax(&r, d, &s, 4, false, false, 16); break;
    case 0x3c: sse_minmax(&r, d, &s, 1, true, true, 16); break;
    case 0x3d: sse_minmax(&r, d, &s, 4, true, true, 16); break;
    case 0x3e: sse_minmax(&r, d, &s, 2, false, true, 16); break;
    case 0x3f: sse_minmax(&r, d, &s, 4, false, true, 16); break;
    case 0x40: sse_mullo(&r, d, &s, 4, 16); break;
    case 0x41: sse_phminposuw(&r, &s); break;
    default: x86_fault(cpu, EXC_UD, 0);
    }
    *d = r;
}

static void sse4_3a(x86_cpu *cpu, const x86_insn *in, unsigned b)
{
    x86_xmm *d = &cpu->xmm[in->reg].v;
    x86_xmm r, s;
    unsigned imm = (unsigned)in->imm & 0xff;
    unsigned fl = 0;
    switch (b) {
    case 0x08: case 0x09: case 0x0a: case 0x0b: { /* ROUNDPS/PD/SS/SD */
        bool dbl = b & 1, scalar = b >= 0x0a;
        s = src_x(cpu, in, scalar ? (dbl ? 8 : 4) : 16, !scalar);
        r = scalar ? *d : s;
        unsigned lanes = scalar ? 1 : dbl ? 2 : 4;
        for (unsigned i = 0; i < lanes; i++) {
            if (dbl)
                r.u64[i] = sse_round64(s.u64[i], imm, cpu->mxcsr, &fl);
            else
                r.u32[i] = sse_round32(s.u32[i], imm, cpu->mxcsr, &fl);
        }
        xm_result(cpu, fl);
        *d = r;
        return;
    }
    case 0x0c: case 0x0d: case 0x0e:
        s = src_x(cpu, in, 16, true);
        sse_blend_imm(&r, d, &s, imm, b == 0x0c ? 4 : b == 0x0d ? 8 : 2);
        *d = r;
        return;
    case 0x14: case 0x15: case 0x16: case 0x17: { /* PEXTRB/W/D/Q, EXTRACTPS */
        unsigned esz = b == 0x14 ? 1 : b == 0x15 ? 2 : (b == 0x16 && in->osz == 8) ? 8 : 4;
        uint64_t v = sse_pextr(d, imm, esz, 16);
        if (in->mod == 3)
            reg_set(cpu, in->rm, esz == 8 ? 8 : 4, false, v);
        else
            x86_write(cpu, in->seg, x86_ea(cpu, in), esz, v);
        return;
    }
    case 0x20: case 0x22: { /* PINSRB, PINSRD/Q */
        unsigned esz = b == 0x20 ? 1 : in->osz == 8 ? 8 : 4;
        uint64_t v = in->mod == 3 ? cpu->gpr[in->rm]
                                  : x86_read(cpu, in->seg, x86_ea(cpu, in), esz);
        sse_pinsr(d, v, imm, esz, 16);
        return;
    }
    case 0x21: { /* INSERTPS */
        uint32_t v = in->mod == 3 ? cpu->xmm[in->rm].v.u32[(imm >> 6) & 3]
                                  : (uint32_t)x86_read(cpu, in->seg, x86_ea(cpu, in), 4);
        r = *d;
        r.u32[(imm >> 4) & 3] = v;
        for (unsigned i = 0; i < 4; i++)
            if (imm & (1u << i))
                r.u32[i] = 0;
        *d = r;
        return;
    }
    case 0x40: case 0x41:
        s = src_x(cpu, in, 16, true);
        xm_result(cpu, b == 0x40 ? sse_dpps(&r, d, &s, imm, cpu->mxcsr)
                                 : sse_dppd(&r, d, &s, imm, cpu->mxcsr));
        *d = r;
        return;
    case 0x42:
        s = src_x(cpu, in, 16, true);
        sse_mpsadbw(&r, d, &s, imm);
        *d = r;
        return;
    case 0x60: case 0x61: case 0x62: case 0x63: { /* PCMPxSTRx: no alignment required */
        s = src_x(cpu, in, 16, false);
        bool explicit_len = b < 0x62;
        int64_t la = 0, lb = 0;
        if (explicit_len) {
            la = in->osz == 8 ? (int64_t)cpu->gpr[RAX] : (int32_t)(uint32_t)cpu->gpr[RAX];
            lb = in->osz == 8 ? (int64_t)cpu->gpr[RDX] : (int32_t)(uint32_t)cpu->gpr[RDX];
        }
        uint32_t index;
        x86_xmm mask;
        unsigned efl = sse_pcmpstr(d, &s, explicit_len, la, lb, imm, &index, &mask);
        if (b & 1)
            reg_set(cpu, RCX, 4, false, index);
        else
            cpu->xmm[0].v = mask;
        flags_put(cpu, FL_ARITH, efl & (FL_CF | FL_ZF | FL_SF | FL_OF));
        return;
    }
    default:
        x86_fault(cpu, EXC_UD, 0);
    }
}

void h_sse4(x86_cpu *cpu, const x86_insn *in)
{
    const x86_opinfo *e = x86_info(in);
    if (e->pfx == P_F2) { /* CRC32 (SSE4.2): no SSE state involved */
        unsigned sz = in->opb == 0xf0 ? 1 : in->osz;
        uint64_t v = in->mod == 3 ? reg_get(cpu, in->rm, sz, in->rex != 0)
                                  : x86_read(cpu, in->seg, x86_ea(cpu, in), sz);
        uint32_t c = sse_crc32c((uint32_t)cpu->gpr[in->reg], v, sz);
        reg_set(cpu, in->reg, in->osz == 8 ? 8 : 4, false, c);
        return;
    }
    sse_gate(cpu, in);
    if (e->map == 2)
        sse4_38(cpu, in, in->opb);
    else
        sse4_3a(cpu, in, in->opb);
}
