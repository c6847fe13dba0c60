/* Exceptions, interrupts and the trap-return instructions (Priv. ISA §3.1.6.1, §3.1.9,
 * §3.3.2, §4.1.1). */
#include <stdio.h>

#include "arch/riscv/cpu.h"

static const char *const priv_names[4] = { "U", "S", "?", "M" };

static void set_priv(rv_cpu *cpu, int priv)
{
    cpu->priv = priv;
}

/* Enter the trap handler for `cause` (interrupt bit included) with `tval`. */
static void take_trap(rv_cpu *cpu, uint64_t cause, uint64_t tval)
{
    bool interrupt = (cause & CAUSE_INTERRUPT) != 0;
    uint64_t code = cause & ~CAUSE_INTERRUPT;
    uint64_t deleg = interrupt ? cpu->mideleg : cpu->medeleg;
    if (cpu->m->log.trace_trap)
        fprintf(stderr, "[TRAP] %s cause=%llu tval=0x%llx pc=0x%llx priv=%s\n",
                interrupt ? "interrupt" : "exception", (unsigned long long)code,
                (unsigned long long)tval, (unsigned long long)cpu->pc, priv_names[cpu->priv]);
    cpu->reservation_valid = false;
    if (cpu->priv <= PRIV_S && code < 64 && ((deleg >> code) & 1)) {
        cpu->scause = cause;
        cpu->sepc = cpu->pc;
        cpu->stval = tval;
        uint64_t s = cpu->mstatus;
        s = (s & ~MSTATUS_SPIE) | ((s & MSTATUS_SIE) ? MSTATUS_SPIE : 0);
        s = (s & ~MSTATUS_SPP) | (cpu->priv == PRIV_S ? MSTATUS_SPP : 0);
        s &= ~MSTATUS_SIE;
        cpu->mstatus = s;
        uint64_t base = cpu->stvec & ~3ULL;
        cpu->pc = (interrupt && (cpu->stvec & 1)) ? base + 4 * code : base;
        set_priv(cpu, PRIV_S);
    } else {
        cpu->mcause = cause;
        cpu->mepc = cpu->pc;
        cpu->mtval = tval;
        uint64_t s = cpu->mstatus;
        s = (s & ~MSTATUS_MPIE) | ((s & MSTATUS_MIE) ? MSTATUS_MPIE : 0);
        s = (s & ~MSTATUS_MPP) | ((uint64_t)cpu->priv << MSTATUS_MPP_SHIFT);
        s &= ~MSTATUS_MIE;
        cpu->mstatus = s;
        uint64_t base = cpu->mtvec & ~3ULL;
        cpu->pc = (interrupt && (cpu->mtvec & 1)) ? base + 4 * code : base;
        set_priv(cpu, PRIV_M);
    }
    cpu->wfi = false;
}

void rv_raise(rv_cpu *cpu, uint64_t cause, uint64_t tval)
{
    take_trap(cpu, cause, tval);
    cpu->trapped = true;
}

uint64_t rv_pending_mip(rv_cpu *cpu)
{
    uint64_t mip = cpu->mip | cpu->mip_sw_seip;
    /* Sstc: STIP reflects stimecmp when menvcfg.STCE is set (Sstc spec §1). */
    if (rv_sstc_enabled(cpu)) {
        mip &= ~MIP_STIP;
        if (cpu->read_time(cpu->time_opaque) >= cpu->stimecmp)
            mip |= MIP_STIP;
    }
    return mip;
}

bool rv_check_interrupts(rv_cpu *cpu)
{
    uint64_t pending = rv_pending_mip(cpu) & cpu->mie;
    if (!pending)
        return false;
    /* §3.1.9: M-level interrupts are enabled in M-mode when MIE is set and always in
     * lower modes; delegated ones likewise for S. */
    uint64_t m_pending = pending & ~cpu->mideleg;
    uint64_t s_pending = pending & cpu->mideleg;
    bool m_enabled = cpu->priv < PRIV_M || (cpu->mstatus & MSTATUS_MIE);
    bool s_enabled = cpu->priv < PRIV_S || (cpu->priv == PRIV_S && (cpu->mstatus & MSTATUS_SIE));
    uint64_t take = m_enabled && m_pending ? m_pending : (s_enabled ? s_pending : 0);
    if (!take)
        return false;
    /* Priority: MEI, MSI, MTI, SEI, SSI, STI */
    static const unsigned order[6] = { IRQ_M_EXT, IRQ_M_SOFT, IRQ_M_TIMER,
                                       IRQ_S_EXT, IRQ_S_SOFT, IRQ_S_TIMER };
    for (unsigned i = 0; i < 6; i++) {
        if (take & (1ULL << order[i])) {
            take_trap(cpu, CAUSE_INTERRUPT | order[i], 0);
            return true;
        }
    }
    return false;
}

bool rv_poll_interrupts(rv_cpu *cpu)
{
    cpu->irq_check = false;
    rv_check_interrupts(cpu);
    if (!cpu->wfi)
        return true;
    /* §3.3.3: WFI resumes when any enabled interrupt is pending, even if globally
     * disabled; otherwise the hart stays idle and the board sleeps. */
    if (rv_pending_mip(cpu) & cpu->mie) {
        cpu->wfi = false;
        return true;
    }
    return false;
}

void rv_mret(rv_cpu *cpu)
{
    uint64_t s = cpu->mstatus;
    int mpp = (int)((s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT);
    s = (s & ~MSTATUS_MIE) | ((s & MSTATUS_MPIE) ? MSTATUS_MIE : 0);
    s |= MSTATUS_MPIE;
    s &= ~MSTATUS_MPP; /* MPP := least-privileged mode (U) */
    if (mpp != PRIV_M)
        s &= ~MSTATUS_MPRV; /* §3.1.6.1: xRET to a mode below M clears MPRV */
    cpu->mstatus = s;
    set_priv(cpu, mpp);
    cpu->next_pc = cpu->mepc;
}

void rv_sret(rv_cpu *cpu)
{
    uint64_t s = cpu->mstatus;
    int spp = (s & MSTATUS_SPP) ? PRIV_S : PRIV_U;
    s = (s & ~MSTATUS_SIE) | ((s & MSTATUS_SPIE) ? MSTATUS_SIE : 0);
    s |= MSTATUS_SPIE;
    s &= ~MSTATUS_SPP;
    s &= ~MSTATUS_MPRV;
    cpu->mstatus = s;
    set_priv(cpu, spp);
    cpu->next_pc = cpu->sepc;
}
