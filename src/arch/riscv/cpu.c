/* The hart's life cycle and its fetch-decode-execute loop. */
#include "arch/riscv/cpu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/riscv/execute.h"
#include "arch/riscv/interp.h"
#include "arch/riscv/mmu.h"

uint64_t rv_misa_value(void);

bool rv_cpu_init(rv_cpu *cpu, machine *m, uint64_t hartid, vm_error *err)
{
    memset(cpu, 0, sizeof *cpu);
    cpu->m = m;
    cpu->mhartid = hartid;
    cpu->misa = rv_misa_value();
    cpu->dcache = calloc(RV_DCACHE_SIZE, sizeof *cpu->dcache);
    cpu->blocks = calloc(RV_BLOCK_CACHE, sizeof *cpu->blocks);
    if (!cpu->dcache || !cpu->blocks) {
        free(cpu->dcache);
        free(cpu->blocks);
        vm_error_set(err, "out of memory for the decode cache");
        return false;
    }
    if (!bus_code_listener_add(&m->bus, rv_tlb_drop_write_page, cpu)) {
        rv_cpu_destroy(cpu);
        vm_error_set(err, "too many vCPUs for code-page tracking");
        return false;
    }
    rv_cpu_reset(cpu, 0);
    return true;
}

void rv_cpu_destroy(rv_cpu *cpu)
{
    free(cpu->dcache);
    free(cpu->blocks);
    cpu->dcache = NULL;
    cpu->blocks = NULL;
}

void rv_cpu_reset(rv_cpu *cpu, uint64_t pc)
{
    memset(cpu->x, 0, sizeof cpu->x);
    memset(cpu->f, 0, sizeof cpu->f);
    cpu->pc = pc;
    cpu->priv = PRIV_M;
    cpu->trapped = false;
    cpu->wfi = false;
    /* Priv. ISA §3.4: reset sets M-mode, MIE = 0, MPRV = 0; FS starts Initial so bare
     * metal programs can use the FPU as on QEMU. */
    cpu->mstatus = (uint64_t)FS_INITIAL << MSTATUS_FS_SHIFT;
    cpu->medeleg = cpu->mideleg = cpu->mie = cpu->mip = cpu->mip_sw_seip = 0;
    cpu->mtvec = cpu->mepc = cpu->mcause = cpu->mtval = cpu->mscratch = 0;
    cpu->stvec = cpu->sepc = cpu->scause = cpu->stval = cpu->sscratch = cpu->satp = 0;
    cpu->mcounteren = cpu->scounteren = cpu->menvcfg = cpu->senvcfg = 0;
    cpu->stimecmp = UINT64_MAX;
    cpu->fcsr = 0;
    memset(cpu->pmpcfg, 0, sizeof cpu->pmpcfg);
    memset(cpu->pmpaddr, 0, sizeof cpu->pmpaddr);
    cpu->pmp_active = 0;
    cpu->reservation_valid = false;
    cpu->irq_check = true;
    rv_tlb_flush(cpu);
    if (cpu->dcache)
        memset(cpu->dcache, 0, RV_DCACHE_SIZE * sizeof *cpu->dcache);
    if (cpu->blocks)
        for (unsigned i = 0; i < RV_BLOCK_CACHE; i++)
            cpu->blocks[i].pc = 0;
}

/* Fetch the instruction bits at pc: the exec TLB hit reads straight from host memory. */
static inline bool fetch(rv_cpu *cpu, uint64_t pc, uint32_t *raw)
{
    const uint8_t *p = rv_tlb_lookup(cpu, (unsigned)cpu->priv, ACC_EXEC, pc, 1);
    if (likely(p != NULL && (pc & 0xfff) <= 0xffc)) {
        uint32_t w;
        memcpy(&w, p, 4);
        *raw = (w & 3) == 3 ? w : (w & 0xffff);
        return true;
    }
    return rv_fetch_slow(cpu, pc, raw);
}

static void trace_insn(rv_cpu *cpu, const rv_insn *in)
{
    char buf[160];
    rv_disasm(in, cpu->pc, buf, sizeof buf);
    fprintf(stderr, "[INSN] %c %s\n", "US?M"[cpu->priv], buf);
}

/* One instruction the slow way: fetch through rv_fetch_slow/TLB, the per-pc decode
 * cache, rv_execute. Used for code the block cache cannot hold (MMIO, instructions that
 * straddle a page) and for --trace insn. */
static uint64_t step_one(rv_cpu *cpu)
{
    uint64_t pc = cpu->pc;
    uint32_t raw;
    if (unlikely(!fetch(cpu, pc, &raw))) {
        cpu->trapped = false;
        cpu->irq_check = true;
        return 1;
    }
    rv_dcache_entry *d = &cpu->dcache[(pc >> 1) & (RV_DCACHE_SIZE - 1)];
    if (unlikely(d->pc != pc + 1 || d->insn.raw != raw)) {
        rv_decode(raw, &d->insn);
        d->pc = pc + 1;
    }
    const rv_insn *in = &d->insn;
    if (unlikely(cpu->m->log.trace_insn))
        trace_insn(cpu, in);
    cpu->next_pc = pc + in->len;
    rv_execute(cpu, in);
    if (unlikely(cpu->trapped)) {
        cpu->trapped = false;
        cpu->irq_check = true;
    } else {
        cpu->pc = cpu->next_pc;
        cpu->instret++;
    }
    return 1;
}

uint64_t rv_cpu_run(rv_cpu *cpu, uint64_t budget)
{
    machine *m = cpu->m;
    if (!m->log.trace_insn)
        return rv_interp_run(cpu, budget, step_one);
    /* Tracing: every instruction through the single-step path. */
    uint64_t n = 0;
    while (n < budget && !m->stop) {
        if (unlikely(cpu->irq_check) && !rv_poll_interrupts(cpu))
            break;
        n += step_one(cpu);
    }
    return n;
}
