/* Exceptions and interrupts (SDM Vol.3 chapter 6): raising a fault from deep inside an
 * instruction (unwinds to the run loop with longjmp, so handlers need no error plumbing),
 * delivery through the real-mode IVT, the protected-mode IDT (16/32-bit interrupt and
 * trap gates) and the long-mode IDT (IST, RSP0-2), the double-fault rules (§6.15 Table
 * 6-5) and the triple fault (a reset request to the machine). */
#include <stdio.h>

#include "arch/x86/exec.h"

static bool has_error_code(int vec)
{
    return vec == EXC_DF || (vec >= EXC_TS && vec <= EXC_PF) || vec == EXC_AC || vec == 21;
}

_Noreturn void x86_fault(x86_cpu *cpu, int vec, uint32_t err)
{
    cpu->exc.vector = (uint8_t)vec;
    cpu->exc.has_error = has_error_code(vec);
    cpu->exc.error = cpu->exc.has_error ? err : 0;
    cpu->exc.cr2 = cpu->cr2;
    longjmp(*cpu->fault_jmp, 1);
}

static bool contributory(int v)
{
    return v == EXC_DE || (v >= EXC_TS && v <= EXC_GP);
}

static const char *const exc_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "#MF?", "#TS", "#NP",
    "#SS", "#GP", "#PF", "?", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

static void trace(x86_cpu *cpu, int vec, int kind, bool has_err, uint32_t err)
{
    const char *name = vec < 32 && exc_names[vec] ? exc_names[vec] : "int";
    fprintf(stderr, "[trap] %s vector %d%s at %04x:%016llx", name, vec,
            kind == EV_EXT ? " (external)" : kind == EV_EXC ? "" : " (software)",
            cpu->seg[SEG_CS].sel, (unsigned long long)cpu->rip);
    if (has_err)
        fprintf(stderr, " error %#x", err);
    if (vec == EXC_PF && kind == EV_EXC)
        fprintf(stderr, " cr2 %#llx", (unsigned long long)cpu->cr2);
    fputc('\n', stderr);
}

static void push_on(x86_cpu *cpu, unsigned size, uint64_t v)
{
    x86_push(cpu, size, v);
}

/* Push an exception frame; false if a push faulted (cpu->exc set). */
static bool push_frame(x86_cpu *cpu, unsigned size, const uint64_t *v, int n)
{
    jmp_buf jb;
    jmp_buf *volatile outer = cpu->fault_jmp;
    cpu->fault_jmp = &jb;
    if (setjmp(jb)) {
        cpu->fault_jmp = outer;
        return false;
    }
    for (int i = 0; i < n; i++)
        push_on(cpu, size, v[i]);
    cpu->fault_jmp = outer;
    return true;
}

static void deliver_real(x86_cpu *cpu, int vec, uint64_t ret)
{
    if ((uint64_t)vec * 4 + 3 > cpu->idtr.limit)
        x86_fault(cpu, EXC_GP, 0);
    uint64_t ent = x86_lin_read(cpu, cpu->idtr.base + (uint64_t)vec * 4, 4, ACC_R | MA_SUPER);
    uint64_t fl = x86_cpu_rflags(cpu);
    push_on(cpu, 2, fl);
    push_on(cpu, 2, cpu->seg[SEG_CS].sel);
    push_on(cpu, 2, ret);
    cpu->flags &= ~(uint64_t)(FL_IF | FL_TF | FL_AC | FL_RF);
    x86_seg_real(cpu, SEG_CS, (uint16_t)(ent >> 16));
    x86_update_mode(cpu);
    cpu->next_rip = ent & 0xffff;
}

/* Protected and long mode (SDM Vol.3 §6.12.1, §6.14) */
static void deliver_idt(x86_cpu *cpu, int vec, int kind, bool has_err, uint32_t err,
                        uint64_t ret)
{
    bool lma = (cpu->efer & EFER_LMA) != 0;
    /* EXT (§6.13): the event is external, INT1, or an exception raised while delivering
     * another event; a program's own fault or INT n has EXT = 0. */
    uint32_t ext = kind == EV_EXT || kind == EV_ICEBP || (kind == EV_EXC && cpu->fault_depth > 0);
    uint32_t idt_err = (uint32_t)vec * 8 + 2 + ext;
    unsigned esz = lma ? 16 : 8;
    if ((uint64_t)vec * esz + esz - 1 > cpu->idtr.limit)
        x86_fault(cpu, EXC_GP, idt_err);
    uint64_t lo = x86_lin_read(cpu, cpu->idtr.base + (uint64_t)vec * esz, 8, ACC_R | MA_SUPER);
    uint64_t hi = lma ? x86_lin_read(cpu, cpu->idtr.base + (uint64_t)vec * esz + 8, 8,
                                     ACC_R | MA_SUPER)
                      : 0;
    unsigned type = (unsigned)(lo >> 40) & 0x1f, dpl = (unsigned)(lo >> 45) & 3;
    bool gate_ok = lma ? (type == 0xe || type == 0xf)
                       : (type == 0xe || type == 0xf || type == 0x6 || type == 0x7);
    if (!gate_ok)
        x86_fault(cpu, EXC_GP, idt_err); /* includes task gates: task switch not modelled */
    if ((kind == EV_SOFT) && dpl < (unsigned)cpu->cpl)
        x86_fault(cpu, EXC_GP, idt_err);
    if (!((lo >> 47) & 1))
        x86_fault(cpu, EXC_NP, idt_err);
    bool trap_gate = type & 1;
    unsigned gsz = lma ? 8 : (type & 8) ? 4 : 2;
    uint16_t sel = (uint16_t)(lo >> 16);
    uint64_t off = (lo & 0xffff) | ((lo >> 32) & 0xffff0000ull);
    if (lma)
        off |= (hi & 0xffffffffull) << 32;
    else if (gsz == 2)
        off &= 0xffff;
    unsigned ist = lma ? (unsigned)(lo >> 32) & 7 : 0;

    if ((sel & ~3) == 0)
        x86_fault(cpu, EXC_GP, ext);
    uint64_t clo, chi;
    if (!x86_read_desc(cpu, sel, &clo, &chi, false))
        x86_fault(cpu, EXC_GP, (sel & ~3u) + ext);
    unsigned ctype = (unsigned)(clo >> 40) & 0xf, cdpl = (unsigned)(clo >> 45) & 3;
    if (!((clo >> 44) & 1) || !(ctype & 8) || cdpl > (unsigned)cpu->cpl)
        x86_fault(cpu, EXC_GP, (sel & ~3u) + ext);
    if (lma && !(((clo >> 53) & 1) && !((clo >> 54) & 1)))
        x86_fault(cpu, EXC_GP, (sel & ~3u) + ext);
    if (!((clo >> 47) & 1))
        x86_fault(cpu, EXC_NP, (sel & ~3u) + ext);
    if (cpu->flags & FL_VM)
        x86_fault(cpu, EXC_GP, (sel & ~3u) + ext); /* from V86 mode: not modelled */

    unsigned new_cpl = (ctype & 4) ? (unsigned)cpu->cpl : cdpl;
    uint64_t fl = x86_cpu_rflags(cpu);
    uint16_t old_cs = cpu->seg[SEG_CS].sel, old_ss = cpu->seg[SEG_SS].sel;
    uint64_t old_sp = cpu->gpr[RSP];
    x86_seg save_ss = cpu->seg[SEG_SS];
    int save_cpl = cpu->cpl, save_sb = cpu->stack_bits, save_cb = cpu->code_bits;
    bool switch_stack = new_cpl < (unsigned)cpu->cpl || ist;

    if (switch_stack) {
        uint64_t nsp;
        if (lma) {
            uint64_t toff = ist ? 0x24 + 8 * (uint64_t)(ist - 1) : 4 + 8 * (uint64_t)new_cpl;
            if (toff + 7 > cpu->tr.limit)
                x86_fault(cpu, EXC_TS, (cpu->tr.sel & ~3u) + ext);
            nsp = x86_lin_read(cpu, cpu->tr.base + toff, 8, ACC_R | MA_SUPER);
            if (new_cpl != (unsigned)cpu->cpl)
                cpu->seg[SEG_SS] = (x86_seg){.sel = (uint16_t)new_cpl,
                                             .attr = SA_P | SA_S | 3 | SA_DB |
                                                     (new_cpl << SA_DPL_SHIFT)};
            cpu->stack_bits = 64;
            cpu->gpr[RSP] = nsp & ~0xfull;
        } else {
            bool tss32 = (cpu->tr.attr & 8) != 0;
            uint64_t toff = tss32 ? 4 + 8 * (uint64_t)new_cpl : 2 + 4 * (uint64_t)new_cpl;
            unsigned w = tss32 ? 4 : 2;
            if (toff + 2 * w - 1 > cpu->tr.limit)
                x86_fault(cpu, EXC_TS, (cpu->tr.sel & ~3u) + ext);
            nsp = x86_lin_read(cpu, cpu->tr.base + toff, w, ACC_R | MA_SUPER);
            uint16_t nss = (uint16_t)x86_lin_read(cpu, cpu->tr.base + toff + w, 2,
                                                  ACC_R | MA_SUPER);
            uint64_t slo, shi;
            if ((nss & ~3) == 0 || !x86_read_desc(cpu, nss, &slo, &shi, false))
                x86_fault(cpu, EXC_TS, (nss & ~3u) + ext);
            unsigned st = (unsigned)(slo >> 40) & 0xf;
            if ((nss & 3) != new_cpl || ((slo >> 45) & 3) != new_cpl ||
                !((slo >> 44) & 1) || (st & 8) || !(st & 2))
                x86_fault(cpu, EXC_TS, (nss & ~3u) + ext);
            if (!((slo >> 47) & 1))
                x86_fault(cpu, EXC_SS, (nss & ~3u) + ext);
            x86_desc_to_seg(&cpu->seg[SEG_SS], nss, slo, 0);
            cpu->stack_bits = (cpu->seg[SEG_SS].attr & SA_DB) ? 32 : 16;
            cpu->gpr[RSP] = cpu->stack_bits == 32 ? nsp : (old_sp & ~0xffffull) | nsp;
        }
    } else if (lma) {
        cpu->stack_bits = 64;
        cpu->gpr[RSP] &= ~0xfull;
    }
    cpu->cpl = (int)new_cpl; /* pushes go to the new stack with the new privilege */
    /* §6.14.2: the handler is 64-bit code, so from compatibility mode too the frame is
     * pushed as in 64-bit mode (no SS limit: the new SS may be a null selector). */
    if (lma)
        cpu->code_bits = 64;
    uint64_t frame[6];
    int nf = 0;
    /* §6.14.2: 64-bit mode always pushes SS:RSP; legacy mode on a privilege change */
    if (lma || (switch_stack && new_cpl != (unsigned)save_cpl)) {
        frame[nf++] = old_ss;
        frame[nf++] = old_sp;
    }
    frame[nf++] = fl & mask_bytes(gsz);
    frame[nf++] = old_cs;
    frame[nf++] = ret;
    if (has_err)
        frame[nf++] = err;
    if (!push_frame(cpu, gsz, frame, nf)) {
        /* a push faulted: the old stack state comes back before the fault is reported */
        cpu->seg[SEG_SS] = save_ss;
        cpu->gpr[RSP] = old_sp;
        cpu->cpl = save_cpl;
        cpu->stack_bits = save_sb;
        cpu->code_bits = save_cb;
        longjmp(*cpu->fault_jmp, 1);
    }

    x86_set_desc_busy(cpu, sel, clo, 40);
    x86_desc_to_seg(&cpu->seg[SEG_CS], (uint16_t)((sel & ~3u) | new_cpl), clo, 0);
    x86_update_mode(cpu);
    cpu->flags &= ~(uint64_t)(FL_TF | FL_NT | FL_RF | FL_VM);
    if (!trap_gate)
        cpu->flags &= ~(uint64_t)FL_IF;
    cpu->next_rip = off;
}

/* Deliver once; false if a fault interrupted the delivery (cpu->exc describes it). */
static bool try_deliver(x86_cpu *cpu, int vec, int kind, bool has_err, uint32_t err,
                        uint64_t ret)
{
    jmp_buf jb;
    jmp_buf *volatile outer = cpu->fault_jmp;
    cpu->fault_jmp = &jb;
    if (setjmp(jb)) {
        cpu->fault_jmp = outer;
        return false;
    }
    if (!(cpu->cr0 & CR0_PE))
        deliver_real(cpu, vec, ret);
    else
        deliver_idt(cpu, vec, kind, has_err, err, ret);
    cpu->fault_jmp = outer;
    return true;
}

void x86_event(x86_cpu *cpu, int vec, int kind, bool has_err, uint32_t err)
{
    uint64_t ret = kind == EV_EXC || kind == EV_EXT ? cpu->rip : cpu->next_rip;
    if (cpu->stop_on_exception && kind != EV_EXT && (kind != EV_SOFT || vec == EXC_BP ||
                                                      vec == EXC_OF)) {
        cpu->exc.pending = true;
        cpu->exc.vector = (uint8_t)vec;
        cpu->exc.has_error = has_err;
        cpu->exc.error = err;
        cpu->exc.cr2 = cpu->cr2;
        cpu->next_rip = ret;
        return;
    }
    if (cpu->m->log.trace_trap)
        trace(cpu, vec, kind, has_err, err);
    if (vec == EXC_NMI && kind == EV_EXT)
        cpu->nmi_blocked = true;
    if (try_deliver(cpu, vec, kind, has_err, err, ret)) {
        cpu->fault_depth = 0;
        cpu->halted = false;
        return;
    }
    /* A fault while delivering (SDM Vol.3 §6.15 "Interrupt 8 - Double Fault"). */
    int second = cpu->exc.vector;
    if (vec == EXC_DF || cpu->fault_depth > 4) {
        if (cpu->m->log.trace_trap)
            fprintf(stderr, "[trap] triple fault: reset\n");
        cpu->fault_depth = 0;
        cpu->halted = true;
        cpu->triple_fault = true;
        machine_request_reset(cpu->m);
        return;
    }
    cpu->fault_depth++;
    bool df = (contributory(vec) && contributory(second)) ||
              (vec == EXC_PF && (contributory(second) || second == EXC_PF));
    cpu->next_rip = ret;
    if (df)
        x86_event(cpu, EXC_DF, EV_EXC, true, 0);
    else
        x86_event(cpu, second, EV_EXC, cpu->exc.has_error, cpu->exc.error);
    cpu->fault_depth = 0;
}
