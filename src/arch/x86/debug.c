/* Debug-register breakpoints (SDM Vol.3 §18.2, §18.3.1): DR0-DR3 addresses enabled and
 * typed by DR7. Instruction breakpoints are faults checked before an instruction runs
 * (unless RFLAGS.RF); data breakpoints are traps taken after the instruction that
 * matched, with DR6.Bn saying which. While any breakpoint is armed the CPU runs one
 * instruction at a time and data accesses take the TLB's slow path (mmu.c), so the
 * common case pays nothing. I/O breakpoints (R/W = 10 with CR4.DE) are not modelled. */
#include "arch/x86/exec.h"

/* DR7 R/W field of breakpoint i: 00 execute, 01 write, 10 I/O, 11 read or write */
static unsigned dr7_rw(uint64_t dr7, int i)
{
    return (unsigned)(dr7 >> (16 + 4 * i)) & 3;
}

/* DR7 LEN field as a byte count (§18.2.5: 00 = 1, 01 = 2, 10 = 8, 11 = 4) */
static uint64_t dr7_len(uint64_t dr7, int i)
{
    static const uint8_t len[4] = { 1, 2, 8, 4 };
    return len[(dr7 >> (18 + 4 * i)) & 3];
}

void x86_dr7_write(x86_cpu *cpu, uint64_t v)
{
    cpu->dr[7] = v;
    uint8_t exec = 0, data = 0;
    for (int i = 0; i < 4; i++) {
        if (!((v >> (2 * i)) & 3)) /* neither Ln nor Gn */
            continue;
        unsigned rw = dr7_rw(v, i);
        if (rw == 0)
            exec |= (uint8_t)(1u << i);
        else if (rw != 2)
            data |= (uint8_t)(1u << i);
    }
    /* Data TLB entries filled before would let accesses bypass the check. */
    if (data & ~cpu->dbg_data)
        x86_tlb_flush(cpu, false);
    cpu->dbg_exec = exec;
    cpu->dbg_data = data;
}

void x86_dbg_exec_check(x86_cpu *cpu, uint64_t lin)
{
    uint32_t hit = 0;
    for (int i = 0; i < 4; i++)
        if (((cpu->dbg_exec >> i) & 1) && cpu->dr[i] == lin)
            hit |= 1u << i;
    if (hit) {
        cpu->dr[6] |= hit;
        x86_fault(cpu, EXC_DB, 0);
    }
}

void x86_dbg_data_access(x86_cpu *cpu, uint64_t lin, unsigned size, bool write)
{
    for (int i = 0; i < 4; i++) {
        if (!((cpu->dbg_data >> i) & 1) || (!write && dr7_rw(cpu->dr[7], i) == 1))
            continue;
        /* §18.2.5: the breakpoint covers LEN bytes at DRn with its low bits ignored */
        uint64_t len = dr7_len(cpu->dr[7], i);
        uint64_t lo = cpu->dr[i] & ~(len - 1);
        if (lin < lo + len && lo < lin + size)
            cpu->dr_hit |= (uint8_t)(1u << i);
    }
}
