/* Segmentation and far transfers (SDM Vol.3 chapter 3 and §5.8): descriptor fetch,
 * segment register loads with their checks (#GP/#SS/#NP with the selector as error
 * code), far JMP/CALL (code segments and call gates), far RET and IRET across privilege
 * levels and between 64-bit, compatibility, protected and real mode.
 *
 * Not modelled (reported as #GP(selector) so a guest sees a fault, never a hang): task
 * gates and TSS targets of JMP/CALL/INT (hardware task switching), the task return of
 * IRET with NT set (after its link checks), and IRET/INT into virtual-8086 mode. */
#include "arch/x86/exec.h"

#define DESC_P (1ull << 47)

bool x86_read_desc(x86_cpu *cpu, uint16_t sel, uint64_t *lo, uint64_t *hi, bool system)
{
    uint64_t base;
    uint32_t limit;
    if (sel & 4) {
        if (cpu->ldtr.attr & SA_UNUSABLE || (cpu->ldtr.sel & ~3) == 0)
            return false;
        base = cpu->ldtr.base;
        limit = cpu->ldtr.limit;
    } else {
        base = cpu->gdtr.base;
        limit = cpu->gdtr.limit;
    }
    uint64_t idx = sel & ~7u;
    if (idx + 7 > limit)
        return false;
    *lo = x86_lin_read(cpu, base + idx, 8, ACC_R | MA_SUPER);
    *hi = 0;
    /* long mode system descriptors (gates, LDT, TSS) are 16 bytes (SDM Vol.3 §3.5) */
    if (system && (cpu->efer & EFER_LMA) && !((*lo >> 44) & 1)) {
        if (idx + 15 > limit)
            return false;
        *hi = x86_lin_read(cpu, base + idx + 8, 8, ACC_R | MA_SUPER);
    }
    return true;
}

void x86_desc_to_seg(x86_seg *s, uint16_t sel, uint64_t lo, uint64_t hi)
{
    s->sel = sel;
    s->base = ((lo >> 16) & 0xffffff) | (((lo >> 56) & 0xff) << 24);
    if (!((lo >> 44) & 1)) /* system descriptor: 64-bit base in long mode */
        s->base |= (hi & 0xffffffffull) << 32;
    uint32_t limit = (uint32_t)((lo & 0xffff) | (((lo >> 48) & 0xf) << 16));
    s->attr = (uint32_t)((lo >> 40) & 0xf0ff);
    if (s->attr & SA_G)
        limit = (limit << 12) | 0xfff;
    s->limit = limit;
}

/* Set the accessed (bit 40) or busy (bit 41) bit in a GDT/LDT descriptor. */
void x86_set_desc_busy(x86_cpu *cpu, uint16_t sel, uint64_t lo, int bit)
{
    if ((lo >> bit) & 1)
        return;
    uint64_t base = (sel & 4) ? cpu->ldtr.base : cpu->gdtr.base;
    uint64_t addr = base + (sel & ~7u) + 5;
    x86_lin_write(cpu, addr, 1, ((lo >> 40) & 0xff) | (1u << (bit - 40)), ACC_W | MA_SUPER);
}

void x86_seg_real(x86_cpu *cpu, int seg, uint16_t sel)
{
    x86_seg *s = &cpu->seg[seg];
    s->sel = sel;
    s->base = (uint64_t)sel << 4;
    if (cpu->flags & FL_VM) {
        s->limit = 0xffff;
        s->attr = SA_P | SA_S | (3 << SA_DPL_SHIFT) | (seg == SEG_CS ? 0xb : 0x3);
    }
    /* real mode keeps the limit and attributes (SDM Vol.3 §20.1.1; "unreal" mode) */
    s->attr &= ~(uint32_t)SA_UNUSABLE;
    s->attr |= SA_P;
}

void x86_update_mode(x86_cpu *cpu)
{
    const x86_seg *cs = &cpu->seg[SEG_CS];
    if ((cpu->efer & EFER_LMA) && (cs->attr & SA_L))
        cpu->code_bits = 64;
    else
        cpu->code_bits = (cs->attr & SA_DB) ? 32 : 16;
    if (cpu->code_bits == 64)
        cpu->stack_bits = 64;
    else
        cpu->stack_bits = (cpu->seg[SEG_SS].attr & SA_DB) ? 32 : 16;
}

static void load_null(x86_cpu *cpu, int seg, uint16_t sel)
{
    x86_seg *s = &cpu->seg[seg];
    s->sel = sel;
    s->base = 0;
    s->limit = 0;
    s->attr = SA_UNUSABLE;
    if (seg == SEG_SS && cpu->code_bits == 64) /* 64-bit null SS stays usable */
        s->attr = SA_P | SA_S | 0x3 | SA_DB | ((uint32_t)(sel & 3) << SA_DPL_SHIFT);
}

void x86_load_seg(x86_cpu *cpu, int seg, uint16_t sel)
{
    if (!x86_pmode(cpu)) {
        x86_seg_real(cpu, seg, sel);
        if (seg == SEG_SS || seg == SEG_CS)
            x86_update_mode(cpu);
        return;
    }
    unsigned rpl = sel & 3, cpl = (unsigned)cpu->cpl;
    if ((sel & ~3) == 0) {
        if (seg == SEG_SS && !(cpu->code_bits == 64 && cpl < 3 && rpl == cpl))
            x86_fault(cpu, EXC_GP, 0);
        load_null(cpu, seg, sel);
        if (seg == SEG_SS)
            x86_update_mode(cpu);
        return;
    }
    uint64_t lo, hi;
    if (!x86_read_desc(cpu, sel, &lo, &hi, false))
        x86_fault(cpu, EXC_GP, sel & ~3u);
    unsigned type = (unsigned)(lo >> 40) & 0xf, dpl = (unsigned)(lo >> 45) & 3;
    bool s_bit = (lo >> 44) & 1, code = type & 8;
    if (seg == SEG_SS) {
        /* SDM Vol.3 §5.10.1 / MOV: SS needs a writable data segment at RPL = DPL = CPL */
        if (rpl != cpl || !s_bit || code || !(type & 2) || dpl != cpl)
            x86_fault(cpu, EXC_GP, sel & ~3u);
        if (!(lo & DESC_P))
            x86_fault(cpu, EXC_SS, sel & ~3u);
    } else {
        if (!s_bit || (code && !(type & 2)))
            x86_fault(cpu, EXC_GP, sel & ~3u);
        bool conforming_code = code && (type & 4);
        if (!conforming_code && (dpl < cpl || dpl < rpl))
            x86_fault(cpu, EXC_GP, sel & ~3u);
        if (!(lo & DESC_P))
            x86_fault(cpu, EXC_NP, sel & ~3u);
    }
    x86_set_desc_busy(cpu, sel, lo, 40);
    x86_desc_to_seg(&cpu->seg[seg], sel, lo | (1ull << 40), 0);
    if (seg == SEG_SS)
        x86_update_mode(cpu);
}

/* Load CS for a transfer to a checked code descriptor at privilege `cpl`. */
static void load_cs(x86_cpu *cpu, uint16_t sel, uint64_t lo, unsigned cpl)
{
    x86_set_desc_busy(cpu, sel, lo, 40);
    x86_desc_to_seg(&cpu->seg[SEG_CS], (uint16_t)((sel & ~3u) | cpl), lo | (1ull << 40), 0);
    cpu->cpl = (int)cpl;
    x86_update_mode(cpu);
}

/* Offset check for the new CS (limit outside 64-bit mode, canonical inside). */
static void check_target(x86_cpu *cpu, uint64_t lo, uint64_t off)
{
    bool l64 = (cpu->efer & EFER_LMA) && ((lo >> 53) & 1);
    if (l64) {
        unsigned bits = (cpu->cr4 & CR4_LA57) ? 57 : 48;
        if ((uint64_t)((int64_t)(off << (64 - bits)) >> (64 - bits)) != off)
            x86_fault(cpu, EXC_GP, 0);
        return;
    }
    x86_seg tmp;
    x86_desc_to_seg(&tmp, 0, lo, 0);
    if (off > tmp.limit)
        x86_fault(cpu, EXC_GP, 0);
}

/* Non-null code descriptor checks shared by far JMP/CALL (SDM Vol.3 §5.8.1). */
static void check_code_desc(x86_cpu *cpu, uint16_t sel, uint64_t lo, bool through_gate)
{
    unsigned type = (unsigned)(lo >> 40) & 0xf, dpl = (unsigned)(lo >> 45) & 3;
    unsigned cpl = (unsigned)cpu->cpl, rpl = sel & 3;
    if (!((lo >> 44) & 1) || !(type & 8))
        x86_fault(cpu, EXC_GP, sel & ~3u);
    if (type & 4) {
        if (dpl > cpl)
            x86_fault(cpu, EXC_GP, sel & ~3u);
    } else if (!through_gate && (rpl > cpl || dpl != cpl)) {
        x86_fault(cpu, EXC_GP, sel & ~3u);
    }
    if ((cpu->efer & EFER_LMA) && ((lo >> 53) & 1) && ((lo >> 54) & 1))
        x86_fault(cpu, EXC_GP, sel & ~3u); /* L and D both set */
    if (!(lo & DESC_P))
        x86_fault(cpu, EXC_NP, sel & ~3u);
}

/* Inner stack pointer for privilege `dpl` from the TSS (32-bit or 64-bit). */
static void tss_stack(x86_cpu *cpu, unsigned dpl, uint16_t *ss, uint64_t *sp)
{
    const x86_seg *tr = &cpu->tr;
    if (cpu->efer & EFER_LMA) {
        uint64_t off = 4 + 8 * (uint64_t)dpl;
        if (off + 7 > tr->limit)
            x86_fault(cpu, EXC_TS, tr->sel & ~3u);
        *sp = x86_lin_read(cpu, tr->base + off, 8, ACC_R | MA_SUPER);
        *ss = (uint16_t)dpl;
        return;
    }
    bool tss32 = (tr->attr & SA_TYPE) == 9 || (tr->attr & SA_TYPE) == 11;
    uint64_t off = tss32 ? 4 + 8 * (uint64_t)dpl : 2 + 4 * (uint64_t)dpl;
    unsigned w = tss32 ? 4 : 2;
    if (off + 2 * w - 1 > tr->limit)
        x86_fault(cpu, EXC_TS, tr->sel & ~3u);
    *sp = x86_lin_read(cpu, tr->base + off, w, ACC_R | MA_SUPER);
    *ss = (uint16_t)x86_lin_read(cpu, tr->base + off + w, 2, ACC_R | MA_SUPER);
}

/* Check and load an inner-level SS from the TSS (errors are #TS, SDM §6.12.1). */
static void load_inner_ss(x86_cpu *cpu, uint16_t ss, unsigned dpl)
{
    if ((ss & ~3) == 0) {
        if (cpu->efer & EFER_LMA) {
            cpu->seg[SEG_SS] = (x86_seg){.sel = (uint16_t)dpl, .attr = SA_P | SA_S | 3 |
                                         SA_DB | ((uint32_t)dpl << SA_DPL_SHIFT)};
            return;
        }
        x86_fault(cpu, EXC_TS, 0);
    }
    uint64_t lo, hi;
    if (!x86_read_desc(cpu, ss, &lo, &hi, false))
        x86_fault(cpu, EXC_TS, ss & ~3u);
    unsigned type = (unsigned)(lo >> 40) & 0xf;
    if ((ss & 3) != dpl || ((lo >> 45) & 3) != dpl || !((lo >> 44) & 1) || (type & 8) ||
        !(type & 2))
        x86_fault(cpu, EXC_TS, ss & ~3u);
    if (!(lo & DESC_P))
        x86_fault(cpu, EXC_SS, ss & ~3u);
    x86_set_desc_busy(cpu, ss, lo, 40);
    x86_desc_to_seg(&cpu->seg[SEG_SS], ss, lo | (1ull << 40), 0);
}

void x86_far_jump(x86_cpu *cpu, uint16_t sel, uint64_t off, unsigned osz, bool call)
{
    if (!x86_pmode(cpu)) {
        off &= mask_bytes(osz);
        if (call) {
            uint64_t sp = (cpu->gpr[RSP] - 2 * osz) & sp_mask(cpu);
            x86_lin_probe_write(cpu, x86_seg_linear(cpu, SEG_SS, sp, 2 * osz, ACC_W),
                                2 * osz, ACC_W);
            x86_push(cpu, osz, cpu->seg[SEG_CS].sel);
            x86_push(cpu, osz, cpu->next_rip);
        }
        x86_seg_real(cpu, SEG_CS, sel);
        x86_update_mode(cpu);
        cpu->next_rip = off;
        return;
    }
    if ((sel & ~3) == 0)
        x86_fault(cpu, EXC_GP, 0);
    uint64_t lo, hi;
    if (!x86_read_desc(cpu, sel, &lo, &hi, true))
        x86_fault(cpu, EXC_GP, sel & ~3u);
    unsigned cpl = (unsigned)cpu->cpl;
    uint16_t old_cs = cpu->seg[SEG_CS].sel;
    uint64_t ret = cpu->next_rip;
    if ((lo >> 44) & 1) {
        check_code_desc(cpu, sel, lo, false);
        off &= mask_bytes(osz);
        check_target(cpu, lo, off);
        if (call) {
            uint64_t sp = (cpu->gpr[RSP] - 2 * osz) & sp_mask(cpu);
            x86_lin_probe_write(cpu, x86_seg_linear(cpu, SEG_SS, sp, 2 * osz, ACC_W),
                                2 * osz, ACC_W);
            x86_push(cpu, osz, old_cs);
            x86_push(cpu, osz, ret);
        }
        load_cs(cpu, sel, lo, cpl);
        cpu->next_rip = off;
        return;
    }
    unsigned type = (unsigned)(lo >> 40) & 0xf, dpl = (unsigned)(lo >> 45) & 3;
    bool lma = (cpu->efer & EFER_LMA) != 0;
    if (type != 0xc && !(type == 4 && !lma))
        x86_fault(cpu, EXC_GP, sel & ~3u); /* TSS / task gate: task switch not modelled */
    /* Call gate (SDM Vol.3 §5.8.3, §5.8.6 for 64-bit gates) */
    if (dpl < cpl || dpl < (sel & 3u))
        x86_fault(cpu, EXC_GP, sel & ~3u);
    if (!(lo & DESC_P))
        x86_fault(cpu, EXC_NP, sel & ~3u);
    uint16_t tsel = (uint16_t)(lo >> 16);
    uint64_t toff = (lo & 0xffff) | ((lo >> 32) & 0xffff0000ull);
    if (lma)
        toff |= (hi & 0xffffffffull) << 32;
    else if (type == 4)
        toff &= 0xffff;
    unsigned gsz = lma ? 8 : type == 4 ? 2 : 4;
    unsigned params = lma ? 0 : (unsigned)(lo >> 32) & 31;
    if ((tsel & ~3) == 0)
        x86_fault(cpu, EXC_GP, 0);
    uint64_t clo, chi;
    if (!x86_read_desc(cpu, tsel, &clo, &chi, false))
        x86_fault(cpu, EXC_GP, tsel & ~3u);
    unsigned cdpl = (unsigned)(clo >> 45) & 3;
    if (!((clo >> 44) & 1) || !((clo >> 40) & 8) || cdpl > cpl)
        x86_fault(cpu, EXC_GP, tsel & ~3u);
    if (lma && !(((clo >> 53) & 1) && !((clo >> 54) & 1)))
        x86_fault(cpu, EXC_GP, tsel & ~3u); /* 64-bit gates target 64-bit code */
    if (!call && !((clo >> 42) & 1) && cdpl != cpl)
        x86_fault(cpu, EXC_GP, tsel & ~3u);
    if (!(clo & DESC_P))
        x86_fault(cpu, EXC_NP, tsel & ~3u);
    check_target(cpu, clo, toff);
    if (!call) {
        load_cs(cpu, tsel, clo, cpl);
        cpu->next_rip = toff;
        return;
    }
    bool conforming = (clo >> 42) & 1;
    if (!conforming && cdpl < cpl) {
        /* more privileged: switch stacks, copy parameters */
        uint16_t nss;
        uint64_t nsp;
        tss_stack(cpu, cdpl, &nss, &nsp);
        x86_seg old_ss = cpu->seg[SEG_SS];
        uint64_t old_sp = cpu->gpr[RSP];
        uint64_t pv[32];
        for (unsigned i = 0; i < params; i++)
            pv[i] = x86_stack_peek(cpu, (uint64_t)i * gsz, gsz);
        /* Design debt: a fault on the new stack after this point leaves SS/CPL switched
         * (hardware checks the whole new frame first). */
        cpu->cpl = (int)cdpl;
        load_inner_ss(cpu, nss, cdpl);
        x86_desc_to_seg(&cpu->seg[SEG_CS], (uint16_t)((tsel & ~3u) | cdpl), clo, 0);
        x86_update_mode(cpu);
        cpu->gpr[RSP] = cpu->stack_bits == 16 ? (old_sp & ~0xffffull) | (nsp & 0xffff) : nsp;
        x86_push(cpu, gsz, old_ss.sel);
        x86_push(cpu, gsz, old_sp);
        for (unsigned i = params; i > 0; i--)
            x86_push(cpu, gsz, pv[i - 1]);
        x86_push(cpu, gsz, old_cs);
        x86_push(cpu, gsz, ret);
        load_cs(cpu, tsel, clo, cdpl);
    } else {
        x86_push(cpu, gsz, old_cs);
        x86_push(cpu, gsz, ret);
        load_cs(cpu, tsel, clo, cpl);
    }
    cpu->next_rip = toff;
}

/* After a return to an outer level: data segment registers the new CPL may not use
 * become null (SDM Vol.3 §5.8.6 RET, IRET). */
static void null_inaccessible(x86_cpu *cpu)
{
    static const int segs[] = {SEG_ES, SEG_DS, SEG_FS, SEG_GS};
    for (int i = 0; i < 4; i++) {
        x86_seg *s = &cpu->seg[segs[i]];
        unsigned type = s->attr & SA_TYPE;
        bool conf_code = (type & 8) && (type & 4);
        if (s->attr & SA_UNUSABLE)
            continue;
        if (!conf_code && ((s->attr & SA_DPL) >> SA_DPL_SHIFT) < (unsigned)cpu->cpl)
            load_null(cpu, segs[i], 0);
    }
}

/* Checks for the CS selector being returned to (RET far / IRET). */
static void check_ret_cs(x86_cpu *cpu, uint16_t sel, uint64_t *lo)
{
    if ((sel & ~3) == 0)
        x86_fault(cpu, EXC_GP, 0);
    uint64_t hi;
    if (!x86_read_desc(cpu, sel, lo, &hi, false))
        x86_fault(cpu, EXC_GP, sel & ~3u);
    unsigned type = (unsigned)(*lo >> 40) & 0xf, dpl = (unsigned)(*lo >> 45) & 3;
    unsigned rpl = sel & 3;
    if (!((*lo >> 44) & 1) || !(type & 8) || rpl < (unsigned)cpu->cpl)
        x86_fault(cpu, EXC_GP, sel & ~3u);
    if ((type & 4) ? dpl > rpl : dpl != rpl)
        x86_fault(cpu, EXC_GP, sel & ~3u);
    if ((cpu->efer & EFER_LMA) && ((*lo >> 53) & 1) && ((*lo >> 54) & 1))
        x86_fault(cpu, EXC_GP, sel & ~3u);
    if (!(*lo & DESC_P))
        x86_fault(cpu, EXC_NP, sel & ~3u);
}

/* Load SS for a return to outer level `rpl` (errors #GP, SDM RET). */
static void load_outer_ss(x86_cpu *cpu, uint16_t ss, unsigned rpl, bool to64)
{
    if ((ss & ~3) == 0) {
        if (to64 && rpl != 3) {
            load_null(cpu, SEG_SS, ss);
            cpu->seg[SEG_SS].attr = SA_P | SA_S | 3 | SA_DB | (rpl << SA_DPL_SHIFT);
            return;
        }
        x86_fault(cpu, EXC_GP, 0);
    }
    uint64_t lo, hi;
    if (!x86_read_desc(cpu, ss, &lo, &hi, false))
        x86_fault(cpu, EXC_GP, ss & ~3u);
    unsigned type = (unsigned)(lo >> 40) & 0xf;
    if ((ss & 3) != rpl || ((lo >> 45) & 3) != rpl || !((lo >> 44) & 1) || (type & 8) ||
        !(type & 2))
        x86_fault(cpu, EXC_GP, ss & ~3u);
    if (!(lo & DESC_P))
        x86_fault(cpu, EXC_SS, ss & ~3u);
    x86_set_desc_busy(cpu, ss, lo, 40);
    x86_desc_to_seg(&cpu->seg[SEG_SS], ss, lo | (1ull << 40), 0);
}

void x86_far_ret(x86_cpu *cpu, unsigned osz, uint16_t imm)
{
    uint64_t off = x86_stack_peek(cpu, 0, osz);
    uint16_t sel = (uint16_t)x86_stack_peek(cpu, osz, osz);
    if (!x86_pmode(cpu)) {
        off &= mask_bytes(osz);
        if (off > cpu->seg[SEG_CS].limit)
            x86_fault(cpu, EXC_GP, 0);
        x86_seg_real(cpu, SEG_CS, sel);
        x86_update_mode(cpu);
        sp_set(cpu, cpu->gpr[RSP] + 2 * osz + imm);
        cpu->next_rip = off;
        return;
    }
    uint64_t lo;
    check_ret_cs(cpu, sel, &lo);
    unsigned rpl = sel & 3;
    off &= mask_bytes(osz);
    check_target(cpu, lo, off);
    if (rpl == (unsigned)cpu->cpl) {
        load_cs(cpu, sel, lo, rpl);
        sp_set(cpu, cpu->gpr[RSP] + 2 * osz + imm);
        cpu->next_rip = off;
        return;
    }
    uint64_t nsp = x86_stack_peek(cpu, 2 * osz + imm, osz);
    uint16_t nss = (uint16_t)x86_stack_peek(cpu, 3 * osz + imm, osz);
    bool to64 = (cpu->efer & EFER_LMA) && ((lo >> 53) & 1);
    load_outer_ss(cpu, nss, rpl, to64);
    load_cs(cpu, sel, lo, rpl);
    cpu->gpr[RSP] = 0;
    sp_set(cpu, nsp + imm);
    if (cpu->stack_bits == 64)
        cpu->gpr[RSP] = nsp + imm;
    null_inaccessible(cpu);
    cpu->next_rip = off;
}

/* IRET with NT = 1 returns to the task whose TSS selector is the current TSS's link
 * field (SDM Vol.2 IRET, TASK-RETURN; Vol.3 §7.3): a selector in the LDT, past the GDT
 * limit or not naming a busy TSS gives #TS(link), a not-present one #NP(link). */
static void iret_task_return_checks(x86_cpu *cpu)
{
    uint16_t link = (uint16_t)x86_lin_read(cpu, cpu->tr.base, 2, ACC_R | MA_SUPER);
    uint64_t lo, hi;
    if ((link & 4) || !x86_read_desc(cpu, link, &lo, &hi, true))
        x86_fault(cpu, EXC_TS, link & ~3u);
    unsigned type = (unsigned)(lo >> 40) & 0x1f; /* S and type: busy 16/32-bit TSS */
    if (type != 0x03 && type != 0x0b)
        x86_fault(cpu, EXC_TS, link & ~3u);
    if (!(lo & DESC_P))
        x86_fault(cpu, EXC_NP, link & ~3u);
}

void x86_iret(x86_cpu *cpu, unsigned osz)
{
    /* IRET re-enables NMIs (SDM Vol.3 §6.7.1) */
    if (!(cpu->cr0 & CR0_PE)) {
        uint64_t ip = x86_stack_peek(cpu, 0, osz) & mask_bytes(osz);
        uint16_t cs = (uint16_t)x86_stack_peek(cpu, osz, osz);
        uint64_t fl = x86_stack_peek(cpu, 2 * osz, osz);
        if (ip > cpu->seg[SEG_CS].limit)
            x86_fault(cpu, EXC_GP, 0);
        x86_seg_real(cpu, SEG_CS, cs);
        x86_update_mode(cpu);
        sp_set(cpu, cpu->gpr[RSP] + 3 * osz);
        uint64_t mask = FL_ARITH | FL_TF | FL_IF | FL_DF | FL_IOPL | FL_NT;
        if (osz == 4)
            mask |= FL_AC | FL_ID;
        x86_write_flags(cpu, fl, mask);
        cpu->next_rip = ip;
        cpu->nmi_blocked = false;
        return;
    }
    if (cpu->flags & FL_VM)
        x86_fault(cpu, EXC_GP, 0); /* IRET from V86 mode: not modelled */
    if (cpu->flags & FL_NT) {
        if (cpu->efer & EFER_LMA)
            x86_fault(cpu, EXC_GP, 0); /* SDM IRET: IA-32e mode with NT = 1 */
        iret_task_return_checks(cpu);
        x86_fault(cpu, EXC_GP, 0); /* the task switch itself is not modelled */
    }
    bool from64 = cpu->code_bits == 64;
    uint64_t ip = x86_stack_peek(cpu, 0, osz);
    uint16_t cs = (uint16_t)x86_stack_peek(cpu, osz, osz);
    uint64_t fl = x86_stack_peek(cpu, 2 * osz, osz);
    if ((fl & FL_VM) && cpu->cpl == 0 && !(cpu->efer & EFER_LMA) && osz == 4)
        x86_fault(cpu, EXC_GP, 0); /* return to V86 mode: not modelled */
    uint64_t lo;
    check_ret_cs(cpu, cs, &lo);
    unsigned rpl = cs & 3;
    bool to64 = (cpu->efer & EFER_LMA) && ((lo >> 53) & 1);
    ip &= to64 ? ~0ull : mask_bytes(osz);
    check_target(cpu, lo, ip);
    /* Which flags IRET may change (SDM IRET operation): IOPL only at CPL 0, IF only when
     * CPL <= IOPL; VIP/VIF only from a 32/64-bit IRET at CPL 0. */
    unsigned cpl = (unsigned)cpu->cpl;
    unsigned iopl = (unsigned)(cpu->flags & FL_IOPL) >> FL_IOPL_SHIFT;
    uint64_t mask = FL_ARITH | FL_TF | FL_DF | FL_NT | FL_RF;
    if (osz >= 4)
        mask |= FL_AC | FL_ID;
    if (cpl == 0) {
        mask |= FL_IOPL;
        if (osz >= 4)
            mask |= FL_VIF | FL_VIP;
    }
    if (cpl <= iopl)
        mask |= FL_IF;
    if (rpl == cpl && !from64) {
        load_cs(cpu, cs, lo, rpl);
        sp_set(cpu, cpu->gpr[RSP] + 3 * osz);
        x86_write_flags(cpu, fl, mask & mask_bytes(osz));
        cpu->next_rip = ip;
        cpu->nmi_blocked = false;
        return;
    }
    /* 64-bit IRET always pops SS:RSP; otherwise only on a return to an outer level. */
    uint64_t nsp = x86_stack_peek(cpu, 3 * osz, osz);
    uint16_t nss = (uint16_t)x86_stack_peek(cpu, 4 * osz, osz);
    if (rpl == cpl && (nss & ~3) == 0 && from64 && rpl != 3) {
        load_null(cpu, SEG_SS, nss);
        cpu->seg[SEG_SS].attr = SA_P | SA_S | 3 | SA_DB | (rpl << SA_DPL_SHIFT);
    } else {
        load_outer_ss(cpu, nss, rpl, to64);
    }
    load_cs(cpu, cs, lo, rpl);
    x86_write_flags(cpu, fl, mask & mask_bytes(osz));
    if (cpu->stack_bits == 64)
        cpu->gpr[RSP] = nsp;
    else if (cpu->stack_bits == 32)
        cpu->gpr[RSP] = nsp & 0xffffffffull;
    else
        cpu->gpr[RSP] = (cpu->gpr[RSP] & ~0xffffull) | (nsp & 0xffff);
    if (rpl > cpl)
        null_inaccessible(cpu);
    cpu->next_rip = ip;
    cpu->nmi_blocked = false;
}
