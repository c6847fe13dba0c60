/* Control and status registers (Zicsr; Priv. ISA chapters 2-4). Access rules: csr[9:8]
 * is the lowest privilege allowed, csr[11:10] == 3 marks read-only (§2.1). */
#include "arch/riscv/cpu.h"
#include "arch/riscv/pmp.h"

#define MISA_RV64 (2ULL << 62)
#define MISA_EXT(c) (1ULL << ((c) - 'A'))

#define MSTATUS_WRITABLE                                                                      \
    (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE | MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_MPP |     \
     MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM | MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW |        \
     MSTATUS_TSR)
#define SSTATUS_VISIBLE                                                                       \
    (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_UBE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_XS |        \
     MSTATUS_SUM | MSTATUS_MXR | MSTATUS_UXL | MSTATUS_SD)
#define SSTATUS_WRITABLE (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR)

#define MEDELEG_WRITABLE 0xb3ffULL /* all but ecall-from-M (11), reserved 10 and 14 */
#define MIDELEG_WRITABLE (MIP_SSIP | MIP_STIP | MIP_SEIP)
#define MIE_WRITABLE (MIP_SSIP | MIP_MSIP | MIP_STIP | MIP_MTIP | MIP_SEIP | MIP_MEIP)

uint64_t rv_misa_value(void)
{
    return MISA_RV64 | MISA_EXT('I') | MISA_EXT('M') | MISA_EXT('A') | MISA_EXT('F') |
           MISA_EXT('D') | MISA_EXT('C') | MISA_EXT('S') | MISA_EXT('U');
}

static uint64_t status_with_sd(uint64_t s)
{
    s |= (2ULL << 32) | (2ULL << 34); /* UXL = SXL = 64-bit */
    if ((s & MSTATUS_FS) == MSTATUS_FS || (s & MSTATUS_XS) == MSTATUS_XS)
        s |= MSTATUS_SD;
    return s;
}

/* Counter CSRs from S/U: mcounteren (and scounteren for U) bit per counter (§3.1.11). */
static bool counter_allowed(const rv_cpu *cpu, unsigned csr)
{
    unsigned bit = csr & 0x1f;
    if (cpu->priv < PRIV_M && !((cpu->mcounteren >> bit) & 1))
        return false;
    if (cpu->priv < PRIV_S && !((cpu->scounteren >> bit) & 1))
        return false;
    return true;
}

/* mcycle and minstret. Unpriv. ISA, Zicsr "CSR Instructions": a CSR instruction reads
 * the counter before its own increment, and a write replaces the increment, so the value
 * written is what the next instruction reads. The write happens while the writing
 * instruction executes and the run loop counts that instruction afterwards, hence the
 * offset is one lower. Priv. ISA §3.1.12: a set mcountinhibit bit stops the counter. */
static struct rv_counter *counter_of(rv_cpu *cpu, unsigned n)
{
    return &cpu->counter[n == 2];
}

static bool counter_inhibited(const rv_cpu *cpu, unsigned n)
{
    return (cpu->mcountinhibit >> n) & 1;
}

uint64_t rv_counter_read(const rv_cpu *cpu, unsigned n)
{
    const struct rv_counter *c = &cpu->counter[n == 2];
    return counter_inhibited(cpu, n) ? c->frozen : cpu->instret + c->offset;
}

void rv_counter_write(rv_cpu *cpu, unsigned n, uint64_t val)
{
    struct rv_counter *c = counter_of(cpu, n);
    if (counter_inhibited(cpu, n))
        c->frozen = val;
    else
        c->offset = val - cpu->instret - 1;
}

void rv_counter_set_inhibit(rv_cpu *cpu, uint64_t inhibit)
{
    static const unsigned fixed[2] = { 0, 2 };
    for (unsigned i = 0; i < 2; i++) {
        unsigned n = fixed[i];
        bool was = counter_inhibited(cpu, n), now = (inhibit >> n) & 1;
        struct rv_counter *c = counter_of(cpu, n);
        if (!was && now)
            c->frozen = cpu->instret + c->offset;
        else if (was && !now) /* counting resumes with the next instruction */
            c->offset = c->frozen - cpu->instret - 1;
    }
    cpu->mcountinhibit = inhibit & 0xfffffffd; /* TM is read-only zero */
}

static uint64_t read_time(rv_cpu *cpu)
{
    return cpu->read_time ? cpu->read_time(cpu->time_opaque) : cpu->instret;
}

static bool fp_enabled(const rv_cpu *cpu)
{
    return (cpu->mstatus & MSTATUS_FS) != 0;
}

static bool csr_permitted(rv_cpu *cpu, unsigned csr, bool write)
{
    if (((csr >> 8) & 3) > (unsigned)cpu->priv)
        return false;
    if (write && (csr >> 10) == 3)
        return false;
    return true;
}

bool rv_csr_read(rv_cpu *cpu, unsigned csr, uint64_t *val)
{
    if (!csr_permitted(cpu, csr, false))
        return false;
    switch (csr) {
    case CSR_FFLAGS: if (!fp_enabled(cpu)) return false; *val = cpu->fcsr & 0x1f; return true;
    case CSR_FRM: if (!fp_enabled(cpu)) return false; *val = (cpu->fcsr >> 5) & 7; return true;
    case CSR_FCSR: if (!fp_enabled(cpu)) return false; *val = cpu->fcsr & 0xff; return true;
    case CSR_CYCLE:
    case CSR_INSTRET:
        if (!counter_allowed(cpu, csr)) return false;
        *val = rv_counter_read(cpu, csr & 0x1f);
        return true;
    case CSR_TIME:
        if (!counter_allowed(cpu, csr)) return false;
        *val = read_time(cpu);
        return true;
    case CSR_SSTATUS: *val = status_with_sd(cpu->mstatus) & SSTATUS_VISIBLE; return true;
    case CSR_SIE: *val = cpu->mie & cpu->mideleg; return true;
    case CSR_STVEC: *val = cpu->stvec; return true;
    case CSR_SCOUNTEREN: *val = cpu->scounteren; return true;
    case CSR_SENVCFG: *val = cpu->senvcfg; return true;
    case CSR_SSCRATCH: *val = cpu->sscratch; return true;
    case CSR_SEPC: *val = cpu->sepc; return true;
    case CSR_SCAUSE: *val = cpu->scause; return true;
    case CSR_STVAL: *val = cpu->stval; return true;
    case CSR_SIP: *val = rv_pending_mip(cpu) & cpu->mideleg; return true;
    case CSR_STIMECMP:
        if (!cpu->has_sstc) return false;
        if (cpu->priv < PRIV_M && (!rv_sstc_enabled(cpu) || !(cpu->mcounteren & 2)))
            return false;
        *val = cpu->stimecmp;
        return true;
    case CSR_SATP:
        if (cpu->priv == PRIV_S && (cpu->mstatus & MSTATUS_TVM)) return false;
        *val = cpu->satp;
        return true;
    case CSR_MVENDORID: case CSR_MARCHID: case CSR_MIMPID: case CSR_MCONFIGPTR:
        *val = 0;
        return true;
    case CSR_MHARTID: *val = cpu->mhartid; return true;
    case CSR_MSTATUS: *val = status_with_sd(cpu->mstatus); return true;
    case CSR_MISA: *val = rv_misa_value(); return true;
    case CSR_MEDELEG: *val = cpu->medeleg; return true;
    case CSR_MIDELEG: *val = cpu->mideleg; return true;
    case CSR_MIE: *val = cpu->mie; return true;
    case CSR_MTVEC: *val = cpu->mtvec; return true;
    case CSR_MCOUNTEREN: *val = cpu->mcounteren; return true;
    case CSR_MENVCFG: *val = cpu->menvcfg; return true;
    case CSR_MCOUNTINHIBIT: *val = cpu->mcountinhibit; return true;
    case CSR_MSCRATCH: *val = cpu->mscratch; return true;
    case CSR_MEPC: *val = cpu->mepc; return true;
    case CSR_MCAUSE: *val = cpu->mcause; return true;
    case CSR_MTVAL: *val = cpu->mtval; return true;
    case CSR_MIP: *val = rv_pending_mip(cpu); return true;
    case CSR_MCYCLE: case CSR_MINSTRET: *val = rv_counter_read(cpu, csr & 0x1f); return true;
    case CSR_TSELECT: *val = 1; return true; /* no triggers: tselect reads back != written */
    case CSR_TDATA1: case CSR_TDATA2: case CSR_TDATA3: *val = 0; return true;
    default: break;
    }
    if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG15) {
        unsigned i = csr - CSR_PMPCFG0;
        if (i & 1) return false; /* RV64: odd pmpcfg registers do not exist */
        *val = i / 2 < RV_PMP_COUNT / 8 ? cpu->pmpcfg[i / 2] : 0;
        return true;
    }
    if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR63) {
        unsigned i = csr - CSR_PMPADDR0;
        *val = i < RV_PMP_COUNT ? cpu->pmpaddr[i] : 0;
        return true;
    }
    /* Unimplemented hardware performance monitors read as zero (§3.1.10-11). */
    if ((csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) ||
        (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31)) {
        *val = 0;
        return true;
    }
    if (csr >= CSR_HPMCOUNTER3 && csr <= CSR_HPMCOUNTER31) {
        if (!counter_allowed(cpu, csr)) return false;
        *val = 0;
        return true;
    }
    return false;
}

static void write_mstatus(rv_cpu *cpu, uint64_t val, uint64_t mask)
{
    uint64_t old = cpu->mstatus;
    uint64_t next = (old & ~mask) | (val & mask);
    /* MPP is WARL: the reserved value 2 keeps the old one */
    if (((next & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 2)
        next = (next & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
    cpu->mstatus = next & ~(MSTATUS_SD | MSTATUS_UXL | MSTATUS_SXL);
    /* MPRV/MPP and SUM only select which TLB set data accesses use (mmu.h:
     * rv_data_ctx); MXR changes what cached read permissions mean. */
    if ((old ^ next) & MSTATUS_MXR)
        rv_tlb_flush(cpu);
}

bool rv_csr_write(rv_cpu *cpu, unsigned csr, uint64_t val)
{
    if (!csr_permitted(cpu, csr, true))
        return false;
    switch (csr) {
    case CSR_FFLAGS:
        if (!fp_enabled(cpu)) return false;
        cpu->fcsr = (cpu->fcsr & ~0x1fu) | (uint32_t)(val & 0x1f);
        cpu->mstatus |= MSTATUS_FS;
        return true;
    case CSR_FRM:
        if (!fp_enabled(cpu)) return false;
        cpu->fcsr = (cpu->fcsr & 0x1f) | (uint32_t)((val & 7) << 5);
        cpu->mstatus |= MSTATUS_FS;
        return true;
    case CSR_FCSR:
        if (!fp_enabled(cpu)) return false;
        cpu->fcsr = (uint32_t)(val & 0xff);
        cpu->mstatus |= MSTATUS_FS;
        return true;
    case CSR_SSTATUS: write_mstatus(cpu, val, SSTATUS_WRITABLE); return true;
    case CSR_SIE:
        cpu->mie = (cpu->mie & ~cpu->mideleg) | (val & cpu->mideleg & MIE_WRITABLE);
        return true;
    case CSR_STVEC: cpu->stvec = val & ~2ULL; return true; /* modes 0/1 only */
    case CSR_SCOUNTEREN: cpu->scounteren = val & 0xffffffff; return true;
    case CSR_SENVCFG: cpu->senvcfg = val & (ENVCFG_CBZE | ENVCFG_CBCFE | ENVCFG_CBIE | ENVCFG_FIOM); return true;
    case CSR_SSCRATCH: cpu->sscratch = val; return true;
    case CSR_SEPC: cpu->sepc = val & ~1ULL; return true;
    case CSR_SCAUSE: cpu->scause = val; return true;
    case CSR_STVAL: cpu->stval = val; return true;
    case CSR_SIP:
        /* Only SSIP is writable through sip, and only when delegated (§4.1.3). */
        if (cpu->mideleg & MIP_SSIP)
            cpu->mip = (cpu->mip & ~MIP_SSIP) | (val & MIP_SSIP);
        return true;
    case CSR_STIMECMP:
        if (!cpu->has_sstc) return false;
        if (cpu->priv < PRIV_M && (!rv_sstc_enabled(cpu) || !(cpu->mcounteren & 2)))
            return false;
        cpu->stimecmp = val;
        return true;
    case CSR_SATP: {
        if (cpu->priv == PRIV_S && (cpu->mstatus & MSTATUS_TVM)) return false;
        /* §4.1.11: writing an unsupported MODE leaves satp unchanged. */
        uint64_t mode = val >> 60;
        if (mode != 0 && mode != 8 && mode != 9 && mode != 10)
            return true;
        /* No flush: software orders satp changes with sfence.vma (§4.1.11); each satp
         * value has its own TLB epoch, so a different root never sees another's entries. */
        cpu->satp = val & ((0xfULL << 60) | (0xffffULL << 44) | ((1ULL << 44) - 1));
        rv_tlb_switch_space(cpu);
        return true;
    }
    case CSR_MSTATUS: write_mstatus(cpu, val, MSTATUS_WRITABLE); return true;
    case CSR_MISA: return true; /* WARL, fixed */
    case CSR_MEDELEG: cpu->medeleg = val & MEDELEG_WRITABLE; return true;
    case CSR_MIDELEG: cpu->mideleg = val & MIDELEG_WRITABLE; return true;
    case CSR_MIE: cpu->mie = val & MIE_WRITABLE; return true;
    case CSR_MTVEC: cpu->mtvec = val & ~2ULL; return true;
    case CSR_MCOUNTEREN: cpu->mcounteren = val & 0xffffffff; return true;
    case CSR_MENVCFG:
        cpu->menvcfg = val & ((cpu->has_sstc ? MENVCFG_STCE : 0) | ENVCFG_CBZE | ENVCFG_CBCFE |
                              ENVCFG_CBIE | ENVCFG_FIOM);
        return true;
    case CSR_MCOUNTINHIBIT: rv_counter_set_inhibit(cpu, val); return true;
    case CSR_MSCRATCH: cpu->mscratch = val; return true;
    case CSR_MEPC: cpu->mepc = val & ~1ULL; return true;
    case CSR_MCAUSE: cpu->mcause = val; return true;
    case CSR_MTVAL: cpu->mtval = val; return true;
    case CSR_MIP: {
        /* SSIP, STIP (unless Sstc drives it) and the software SEIP are writable. */
        uint64_t mask = MIP_SSIP | MIP_STIP;
        cpu->mip = (cpu->mip & ~mask) | (val & mask);
        cpu->mip_sw_seip = val & MIP_SEIP;
        return true;
    }
    case CSR_MCYCLE: case CSR_MINSTRET: rv_counter_write(cpu, csr & 0x1f, val); return true;
    case CSR_TSELECT: case CSR_TDATA1: case CSR_TDATA2: case CSR_TDATA3: return true;
    default: break;
    }
    if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG15) {
        unsigned i = csr - CSR_PMPCFG0;
        if (i & 1) return false;
        if (i / 2 < RV_PMP_COUNT / 8)
            rv_pmp_write_cfg(cpu, i / 2, val);
        return true;
    }
    if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR63) {
        unsigned i = csr - CSR_PMPADDR0;
        if (i < RV_PMP_COUNT)
            rv_pmp_write_addr(cpu, i, val);
        return true;
    }
    if ((csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) ||
        (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31))
        return true;
    return false;
}
