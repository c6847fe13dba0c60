/* Control transfer, stack and string/port instructions (SDM Vol.2: Jcc, JMP, CALL, RET,
 * LOOP, PUSH/POP*, ENTER/LEAVE, MOVS..OUTS with REP prefixes, IN/OUT, INT, far
 * transfers). Far transfers and IRET with their protected-mode checks live in seg.c. */
#include "arch/x86/exec.h"

/* A REP string instruction runs at most this many iterations per dispatch; it then
 * re-executes itself (rip unchanged), so interrupts and the run budget are honoured and
 * a fault leaves the registers of the completed iterations (SDM Vol.2 REP: "interruptible"). */
#define REP_CHUNK 4096

void x86_push(x86_cpu *cpu, unsigned size, uint64_t v)
{
    uint64_t sp = (cpu->gpr[RSP] - size) & sp_mask(cpu);
    x86_write(cpu, SEG_SS, sp, size, v);
    sp_set(cpu, sp);
}

uint64_t x86_pop(x86_cpu *cpu, unsigned size)
{
    uint64_t sp = cpu->gpr[RSP] & sp_mask(cpu);
    uint64_t v = x86_read(cpu, SEG_SS, sp, size);
    sp_set(cpu, sp + size);
    return v;
}

uint64_t x86_stack_peek(x86_cpu *cpu, uint64_t off, unsigned size)
{
    uint64_t sp = (cpu->gpr[RSP] + off) & sp_mask(cpu);
    return x86_read(cpu, SEG_SS, sp, size);
}

void x86_jump_near(x86_cpu *cpu, uint64_t target, unsigned osz)
{
    target &= mask_bytes(osz);
    if (cpu->code_bits == 64) {
        unsigned bits = (cpu->cr4 & CR4_LA57) ? 57 : 48;
        if ((uint64_t)((int64_t)(target << (64 - bits)) >> (64 - bits)) != target)
            x86_fault(cpu, EXC_GP, 0);
    } else if (target > cpu->seg[SEG_CS].limit) {
        x86_fault(cpu, EXC_GP, 0);
    }
    cpu->next_rip = target;
}

void h_jcc(x86_cpu *cpu, const x86_insn *in)
{
    if (x86_cond(cpu, x86_info(in)->arg))
        x86_jump_near(cpu, cpu->next_rip + in->imm, in->osz);
}

void h_jmp(x86_cpu *cpu, const x86_insn *in)
{
    if (x86_info(in)->arg == 0)
        x86_jump_near(cpu, cpu->next_rip + in->imm, in->osz);
    else
        x86_jump_near(cpu, opd_read(cpu, in, 0), in->osz);
}

void h_call(x86_cpu *cpu, const x86_insn *in)
{
    uint64_t target = x86_info(in)->arg == 0 ? cpu->next_rip + in->imm : opd_read(cpu, in, 0);
    uint64_t ret = cpu->next_rip;
    uint64_t old_sp = cpu->gpr[RSP];
    x86_push(cpu, in->osz, ret);
    /* A target outside CS faults after the push in hardware too, but with RSP unchanged
     * (nothing architectural is left behind). */
    uint64_t t = target & mask_bytes(in->osz);
    if (cpu->code_bits != 64 && t > cpu->seg[SEG_CS].limit) {
        cpu->gpr[RSP] = old_sp;
        x86_fault(cpu, EXC_GP, 0);
    }
    if (cpu->code_bits == 64) {
        unsigned bits = (cpu->cr4 & CR4_LA57) ? 57 : 48;
        if ((uint64_t)((int64_t)(t << (64 - bits)) >> (64 - bits)) != t) {
            cpu->gpr[RSP] = old_sp;
            x86_fault(cpu, EXC_GP, 0);
        }
    }
    cpu->next_rip = t;
}

void h_ret(x86_cpu *cpu, const x86_insn *in)
{
    uint64_t target = x86_stack_peek(cpu, 0, in->osz);
    x86_jump_near(cpu, target, in->osz);
    sp_set(cpu, cpu->gpr[RSP] + in->osz + (x86_info(in)->opd[0] == O_Iw ? in->imm : 0));
}

void h_loop(x86_cpu *cpu, const x86_insn *in)
{
    unsigned op = x86_info(in)->arg;
    uint64_t m = mask_bytes(in->asz);
    uint64_t c = cpu->gpr[RCX] & m;
    bool take;
    if (op == 3) {
        take = c == 0;
    } else {
        c = (c - 1) & m;
        take = c != 0;
        if (op == 0)
            take = take && !(x86_arith_flags(cpu) & FL_ZF);
        else if (op == 1)
            take = take && (x86_arith_flags(cpu) & FL_ZF);
    }
    if (take)
        x86_jump_near(cpu, cpu->next_rip + in->imm, in->osz);
    if (op != 3)
        reg_set(cpu, RCX, in->asz, false, c);
}

static int seg_of_opd(uint8_t o)
{
    switch (o) {
    case O_ES: return SEG_ES;
    case O_CS: return SEG_CS;
    case O_SS: return SEG_SS;
    case O_DS: return SEG_DS;
    case O_FS: return SEG_FS;
    case O_GS: return SEG_GS;
    default: return -1;
    }
}

void h_push(x86_cpu *cpu, const x86_insn *in)
{
    uint64_t v = opd_read(cpu, in, 0);
    x86_push(cpu, in->osz, v & mask_bytes(in->osz));
}

void h_pop(x86_cpu *cpu, const x86_insn *in)
{
    uint8_t o = x86_info(in)->opd[0];
    unsigned size = in->osz;
    uint64_t v = x86_stack_peek(cpu, 0, size);
    int seg = seg_of_opd(o);
    if (seg >= 0) {
        x86_load_seg(cpu, seg, (uint16_t)v);
        sp_set(cpu, cpu->gpr[RSP] + size);
        if (seg == SEG_SS)
            cpu->shadow = 2;
        return;
    }
    uint64_t old = cpu->gpr[RSP];
    sp_set(cpu, old + size);
    if (o == O_Ev && in->mod != 3) {
        /* SDM POP: an rSP-based destination address uses the incremented rSP; the
         * store may fault, and then rSP keeps its old value. */
        uint64_t off = x86_ea(cpu, in);
        cpu->gpr[RSP] = old;
        x86_write(cpu, in->seg, off, size, v);
        sp_set(cpu, old + size);
        return;
    }
    opd_write(cpu, in, 0, v);
}

void h_pusha(x86_cpu *cpu, const x86_insn *in)
{
    unsigned s = in->osz;
    uint64_t sp = cpu->gpr[RSP];
    uint64_t base = (sp - 8 * s) & sp_mask(cpu);
    x86_lin_probe_write(cpu, x86_seg_linear(cpu, SEG_SS, base, 8 * s, ACC_W), 8 * s, ACC_W);
    for (int r = RAX; r <= RDI; r++)
        x86_push(cpu, s, r == RSP ? sp : cpu->gpr[r]);
}

void h_popa(x86_cpu *cpu, const x86_insn *in)
{
    unsigned s = in->osz;
    uint64_t v[8];
    for (int i = 0; i < 8; i++)
        v[i] = x86_stack_peek(cpu, (uint64_t)i * s, s);
    for (int i = 0; i < 8; i++)
        if (7 - i != RSP)
            reg_set(cpu, (unsigned)(7 - i), s, false, v[i]);
    sp_set(cpu, cpu->gpr[RSP] + 8 * s);
}

void h_pushf(x86_cpu *cpu, const x86_insn *in)
{
    if ((cpu->flags & FL_VM) && ((cpu->flags & FL_IOPL) >> FL_IOPL_SHIFT) < 3)
        x86_fault(cpu, EXC_GP, 0);
    /* SDM PUSHF: VM and RF are pushed as 0 */
    uint64_t f = x86_cpu_rflags(cpu) & ~(uint64_t)(FL_VM | FL_RF);
    x86_push(cpu, in->osz, f & mask_bytes(in->osz));
}

void x86_write_flags(x86_cpu *cpu, uint64_t v, uint64_t mask)
{
    uint64_t cur = x86_cpu_rflags(cpu);
    x86_cpu_set_rflags(cpu, (cur & ~mask) | (v & mask));
}

void h_popf(x86_cpu *cpu, const x86_insn *in)
{
    if ((cpu->flags & FL_VM) && ((cpu->flags & FL_IOPL) >> FL_IOPL_SHIFT) < 3)
        x86_fault(cpu, EXC_GP, 0);
    uint64_t v = x86_stack_peek(cpu, 0, in->osz);
    /* SDM POPF: which bits change depends on CPL and IOPL; VM, VIP, VIF, RF never. */
    uint64_t mask = FL_ARITH | FL_TF | FL_DF | FL_NT | FL_AC | FL_ID | FL_IF | FL_IOPL;
    if (x86_pmode(cpu)) {
        unsigned iopl = (unsigned)(cpu->flags & FL_IOPL) >> FL_IOPL_SHIFT;
        if (cpu->cpl > 0)
            mask &= ~(uint64_t)FL_IOPL;
        if ((unsigned)cpu->cpl > iopl)
            mask &= ~(uint64_t)FL_IF;
    }
    mask &= mask_bytes(in->osz);
    x86_write_flags(cpu, v, mask);
    sp_set(cpu, cpu->gpr[RSP] + in->osz);
}

void h_enter(x86_cpu *cpu, const x86_insn *in)
{
    unsigned s = in->osz;
    uint64_t frame = in->imm & 0xffff;
    unsigned level = (unsigned)in->imm2 & 31;
    uint64_t m = sp_mask(cpu);
    uint64_t sp = cpu->gpr[RSP];
    /* Probe the whole frame first so a fault leaves rSP/rBP untouched. */
    uint64_t need = (uint64_t)s * (level + 1);
    uint64_t low = (sp - need) & m;
    x86_lin_probe_write(cpu, x86_seg_linear(cpu, SEG_SS, low, (unsigned)need, ACC_W),
                        (unsigned)need, ACC_W);
    x86_push(cpu, s, cpu->gpr[RBP]);
    uint64_t frame_ptr = cpu->gpr[RSP] & m;
    uint64_t bp = cpu->gpr[RBP];
    for (unsigned i = 1; i < level; i++) {
        bp = (bp - s) & (cpu->stack_bits == 16 ? 0xffff : m);
        x86_push(cpu, s, x86_read(cpu, SEG_SS, bp, s));
    }
    if (level > 0)
        x86_push(cpu, s, frame_ptr);
    reg_set(cpu, RBP, s == 8 ? 8 : s, false, frame_ptr);
    sp_set(cpu, (cpu->gpr[RSP] - frame) & m);
}

void h_leave(x86_cpu *cpu, const x86_insn *in)
{
    uint64_t m = sp_mask(cpu);
    uint64_t bp = cpu->gpr[RBP] & m;
    uint64_t v = x86_read(cpu, SEG_SS, bp, in->osz);
    sp_set(cpu, bp + in->osz);
    reg_set(cpu, RBP, in->osz, false, v);
}

/* ---- string instructions ---- */

static unsigned str_size(const x86_insn *in)
{
    uint8_t o = x86_info(in)->opd[0] == O_DX ? x86_info(in)->opd[1] : x86_info(in)->opd[0];
    return (o == O_Yb || o == O_Xb || o == O_AL) ? 1 : in->osz;
}

/* Iterations to run now (0 = none left), honouring REP and the chunk limit. */
static uint64_t str_count(x86_cpu *cpu, const x86_insn *in)
{
    if (!in->rep)
        return 1;
    uint64_t c = cpu->gpr[RCX] & mask_bytes(in->asz);
    if (c == 0 && in->asz == 4)
        reg_set(cpu, RCX, 4, false, 0); /* hardware writes ECX (zero-extending) anyway */
    return c;
}

static void str_advance(x86_cpu *cpu, const x86_insn *in, int reg, unsigned size)
{
    uint64_t d = (cpu->flags & FL_DF) ? (uint64_t)0 - size : size;
    reg_set(cpu, (unsigned)reg, in->asz, false, cpu->gpr[reg] + d);
}

static bool str_loop_end(x86_cpu *cpu, const x86_insn *in, uint64_t done, bool cmp,
                         bool zf)
{
    if (!in->rep)
        return true;
    uint64_t c = (cpu->gpr[RCX] - 1) & mask_bytes(in->asz);
    reg_set(cpu, RCX, in->asz, false, c);
    if (c == 0)
        return true;
    if (cmp) {
        if ((in->rep == 0xf3 && !zf) || (in->rep == 0xf2 && zf))
            return true;
    }
    if (done >= REP_CHUNK || cpu->smc) {
        cpu->next_rip = cpu->rip; /* continue on the next dispatch */
        return true;
    }
    return false;
}

/* After str_loop_end: true when the loop only paused (REP_CHUNK, self-modified code) and
 * the instruction restarts at the next dispatch. CMPS/SCAS then leave the flags alone, so
 * a fault in a later chunk still shows the pre-instruction flags, as on the host. */
static bool str_paused(const x86_cpu *cpu)
{
    return cpu->next_rip == cpu->rip;
}

void h_movs(x86_cpu *cpu, const x86_insn *in)
{
    unsigned s = str_size(in);
    if (str_count(cpu, in) == 0)
        return;
    uint64_t am = mask_bytes(in->asz);
    for (uint64_t n = 1;; n++) {
        uint64_t v = x86_read(cpu, in->seg, cpu->gpr[RSI] & am, s);
        x86_write(cpu, SEG_ES, cpu->gpr[RDI] & am, s, v);
        str_advance(cpu, in, RSI, s);
        str_advance(cpu, in, RDI, s);
        if (str_loop_end(cpu, in, n, false, false))
            break;
    }
}

void h_stos(x86_cpu *cpu, const x86_insn *in)
{
    unsigned s = str_size(in);
    if (str_count(cpu, in) == 0)
        return;
    uint64_t am = mask_bytes(in->asz);
    uint64_t v = cpu->gpr[RAX] & mask_bytes(s);
    for (uint64_t n = 1;; n++) {
        x86_write(cpu, SEG_ES, cpu->gpr[RDI] & am, s, v);
        str_advance(cpu, in, RDI, s);
        if (str_loop_end(cpu, in, n, false, false))
            break;
    }
}

void h_lods(x86_cpu *cpu, const x86_insn *in)
{
    unsigned s = str_size(in);
    if (str_count(cpu, in) == 0)
        return;
    uint64_t am = mask_bytes(in->asz);
    for (uint64_t n = 1;; n++) {
        uint64_t v = x86_read(cpu, in->seg, cpu->gpr[RSI] & am, s);
        reg_set(cpu, RAX, s, false, v);
        str_advance(cpu, in, RSI, s);
        if (str_loop_end(cpu, in, n, false, false))
            break;
    }
}

void h_cmps(x86_cpu *cpu, const x86_insn *in)
{
    unsigned s = str_size(in);
    if (str_count(cpu, in) == 0)
        return;
    uint64_t am = mask_bytes(in->asz), m = mask_bytes(s);
    for (uint64_t n = 1;; n++) {
        /* ES:[RDI] is read first: when both elements fault, the host's CR2 is RDI's */
        uint64_t b = x86_read(cpu, SEG_ES, cpu->gpr[RDI] & am, s);
        uint64_t a = x86_read(cpu, in->seg, cpu->gpr[RSI] & am, s);
        str_advance(cpu, in, RSI, s);
        str_advance(cpu, in, RDI, s);
        /* Flags are committed when the instruction stops: a fault in a later iteration
         * leaves RFLAGS as it was before the instruction, as Intel hardware shows. */
        if (str_loop_end(cpu, in, n, true, a == b)) {
            if (!str_paused(cpu))
                lf_set(cpu, LF_SUB, s, (a - b) & m, a, b);
            break;
        }
    }
}

void h_scas(x86_cpu *cpu, const x86_insn *in)
{
    unsigned s = str_size(in);
    if (str_count(cpu, in) == 0)
        return;
    uint64_t am = mask_bytes(in->asz), m = mask_bytes(s);
    uint64_t a = cpu->gpr[RAX] & m;
    for (uint64_t n = 1;; n++) {
        uint64_t b = x86_read(cpu, SEG_ES, cpu->gpr[RDI] & am, s);
        str_advance(cpu, in, RDI, s);
        if (str_loop_end(cpu, in, n, true, a == b)) {
            if (!str_paused(cpu))
                lf_set(cpu, LF_SUB, s, (a - b) & m, a, b);
            break;
        }
    }
}

static unsigned io_size(const x86_insn *in, unsigned s)
{
    return s == 1 ? 1 : in->osz == 2 ? 2 : 4;
}

void h_ins(x86_cpu *cpu, const x86_insn *in)
{
    unsigned s = io_size(in, str_size(in));
    unsigned port = (unsigned)cpu->gpr[RDX] & 0xffff;
    x86_check_io(cpu, port, s);
    if (str_count(cpu, in) == 0)
        return;
    uint64_t am = mask_bytes(in->asz);
    for (uint64_t n = 1;; n++) {
        uint64_t off = cpu->gpr[RDI] & am;
        uint64_t lin = x86_seg_linear(cpu, SEG_ES, off, s, ACC_W);
        x86_lin_probe_write(cpu, lin, s, ACC_W);
        uint64_t v = x86_port_in(cpu, port, s);
        x86_write(cpu, SEG_ES, off, s, v);
        str_advance(cpu, in, RDI, s);
        if (str_loop_end(cpu, in, n, false, false))
            break;
    }
}

void h_outs(x86_cpu *cpu, const x86_insn *in)
{
    unsigned s = io_size(in, str_size(in));
    unsigned port = (unsigned)cpu->gpr[RDX] & 0xffff;
    x86_check_io(cpu, port, s);
    if (str_count(cpu, in) == 0)
        return;
    uint64_t am = mask_bytes(in->asz);
    for (uint64_t n = 1;; n++) {
        uint64_t v = x86_read(cpu, in->seg, cpu->gpr[RSI] & am, s);
        x86_port_out(cpu, port, s, v);
        str_advance(cpu, in, RSI, s);
        if (str_loop_end(cpu, in, n, false, false))
            break;
    }
}

/* ---- ports ---- */

void x86_check_io(x86_cpu *cpu, unsigned port, unsigned size)
{
    unsigned iopl = (unsigned)(cpu->flags & FL_IOPL) >> FL_IOPL_SHIFT;
    if (!(cpu->cr0 & CR0_PE) || (!(cpu->flags & FL_VM) && (unsigned)cpu->cpl <= iopl))
        return;
    /* SDM Vol.1 §19.5.2: the I/O permission bitmap in the TSS */
    const x86_seg *tr = &cpu->tr;
    unsigned type = tr->attr & SA_TYPE;
    if ((type != 9 && type != 11) || tr->limit < 0x67)
        x86_fault(cpu, EXC_GP, 0);
    uint64_t base = x86_lin_read(cpu, tr->base + 0x66, 2, ACC_R | MA_SUPER);
    uint64_t off = base + port / 8;
    if (off + 1 > tr->limit)
        x86_fault(cpu, EXC_GP, 0);
    uint64_t bits = x86_lin_read(cpu, tr->base + off, 2, ACC_R | MA_SUPER);
    if ((bits >> (port & 7)) & ((1u << size) - 1))
        x86_fault(cpu, EXC_GP, 0);
}

uint64_t x86_port_in(x86_cpu *cpu, unsigned port, unsigned size)
{
    uint64_t v;
    if (!cpu->io || !bus_read(cpu->io, port, size, &v))
        return mask_bytes(size); /* nobody answers: all ones */
    return v;
}

void x86_port_out(x86_cpu *cpu, unsigned port, unsigned size, uint64_t v)
{
    if (cpu->io)
        (void)bus_write(cpu->io, port, size, v & mask_bytes(size));
}

void h_in(x86_cpu *cpu, const x86_insn *in)
{
    unsigned s = x86_info(in)->opd[0] == O_AL ? 1 : in->osz == 2 ? 2 : 4;
    unsigned port = x86_info(in)->opd[1] == O_DX ? (unsigned)cpu->gpr[RDX] & 0xffff
                                                  : (unsigned)in->imm & 0xff;
    x86_check_io(cpu, port, s);
    reg_set(cpu, RAX, s, false, x86_port_in(cpu, port, s));
}

void h_out(x86_cpu *cpu, const x86_insn *in)
{
    unsigned s = x86_info(in)->opd[1] == O_AL ? 1 : in->osz == 2 ? 2 : 4;
    unsigned port = x86_info(in)->opd[0] == O_DX ? (unsigned)cpu->gpr[RDX] & 0xffff
                                                  : (unsigned)in->imm & 0xff;
    x86_check_io(cpu, port, s);
    x86_port_out(cpu, port, s, cpu->gpr[RAX]);
}

/* ---- interrupts, far transfers, segment loads ---- */

void h_intn(x86_cpu *cpu, const x86_insn *in)
{
    switch (x86_info(in)->arg) {
    case 3: x86_event(cpu, EXC_BP, EV_SOFT, false, 0); break;
    case 1: x86_event(cpu, EXC_DB, EV_ICEBP, false, 0); break;
    case 4:
        if (x86_arith_flags(cpu) & FL_OF)
            x86_event(cpu, EXC_OF, EV_SOFT, false, 0);
        break;
    default:
        if ((cpu->flags & FL_VM) && ((cpu->flags & FL_IOPL) >> FL_IOPL_SHIFT) < 3)
            x86_fault(cpu, EXC_GP, 0);
        x86_event(cpu, (int)(in->imm & 0xff), EV_SOFT, false, 0);
        break;
    }
}

void h_iret(x86_cpu *cpu, const x86_insn *in)
{
    x86_iret(cpu, in->osz);
}

static void far_operand(x86_cpu *cpu, const x86_insn *in, uint16_t *sel, uint64_t *off)
{
    if (x86_info(in)->opd[0] == O_Ap) {
        *sel = (uint16_t)in->imm2;
        *off = in->imm;
        return;
    }
    /* Intel: m16:64 with REX.W; the offset is operand-size wide */
    uint64_t ea = x86_ea(cpu, in);
    unsigned s = in->osz;
    *off = x86_read(cpu, in->seg, ea, s);
    *sel = (uint16_t)x86_read(cpu, in->seg, (ea + s) & mask_bytes(in->asz), 2);
}

void h_callf(x86_cpu *cpu, const x86_insn *in)
{
    uint16_t sel;
    uint64_t off;
    far_operand(cpu, in, &sel, &off);
    x86_far_jump(cpu, sel, off, in->osz, true);
}

void h_jmpf(x86_cpu *cpu, const x86_insn *in)
{
    uint16_t sel;
    uint64_t off;
    far_operand(cpu, in, &sel, &off);
    x86_far_jump(cpu, sel, off, in->osz, false);
}

void h_retf(x86_cpu *cpu, const x86_insn *in)
{
    x86_far_ret(cpu, in->osz, x86_info(in)->opd[0] == O_Iw ? (uint16_t)in->imm : 0);
}

void h_lfp(x86_cpu *cpu, const x86_insn *in)
{
    uint64_t ea = x86_ea(cpu, in);
    unsigned s = in->osz;
    uint64_t off = x86_read(cpu, in->seg, ea, s);
    uint16_t sel = (uint16_t)x86_read(cpu, in->seg, (ea + s) & mask_bytes(in->asz), 2);
    int seg = x86_info(in)->arg;
    x86_load_seg(cpu, seg, sel);
    reg_set(cpu, in->reg, s, false, off);
}

void h_movsr(x86_cpu *cpu, const x86_insn *in)
{
    unsigned sr = in->reg & 7;
    if (sr > SEG_GS)
        x86_fault(cpu, EXC_UD, 0);
    if (x86_info(in)->arg == 0) {
        uint64_t v = cpu->seg[sr].sel;
        if (in->mod != 3)
            x86_write(cpu, in->seg, x86_ea(cpu, in), 2, v);
        else
            reg_set(cpu, in->rm, in->osz, false, v);
        return;
    }
    if (sr == SEG_CS)
        x86_fault(cpu, EXC_UD, 0);
    x86_load_seg(cpu, (int)sr, (uint16_t)opd_read(cpu, in, 1));
    if (sr == SEG_SS)
        cpu->shadow = 2; /* SDM Vol.3 §6.8.3: MOV SS blocks interrupts for one insn */
}

void h_hlt(x86_cpu *cpu, const x86_insn *in)
{
    cpu->halted = true;
}

void h_bound(x86_cpu *cpu, const x86_insn *in)
{
    unsigned s = in->osz;
    uint64_t ea = x86_ea(cpu, in);
    int64_t lo = sext_bytes(x86_read(cpu, in->seg, ea, s), s);
    int64_t hi = sext_bytes(x86_read(cpu, in->seg, (ea + s) & mask_bytes(in->asz), s), s);
    int64_t idx = sext_bytes(reg_get(cpu, in->reg, s, false), s);
    if (idx < lo || idx > hi)
        x86_fault(cpu, EXC_BR, 0);
}

void h_arpl(x86_cpu *cpu, const x86_insn *in)
{
    if (!x86_pmode(cpu))
        x86_fault(cpu, EXC_UD, 0);
    uint64_t d = opd_read_rmw(cpu, in, 0);
    uint64_t s = opd_read(cpu, in, 1);
    if ((d & 3) < (s & 3)) {
        opd_write(cpu, in, 0, (d & ~3ull) | (s & 3));
        flags_put(cpu, FL_ZF, FL_ZF);
    } else {
        flags_put(cpu, FL_ZF, 0);
    }
}
