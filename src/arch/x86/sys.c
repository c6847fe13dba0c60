/* System instructions (SDM Vol.2 and Vol.3 chapter 2): control and debug registers,
 * MSRs, descriptor-table registers, LAR/LSL/VERR/VERW, SYSCALL/SYSRET,
 * SYSENTER/SYSEXIT, SWAPGS, RDTSC(P), RDPMC, XGETBV/XSETBV, FS/GS base instructions. */
#include "arch/x86/exec.h"

/* ---- control registers (SDM Vol.3 §2.5) ---- */

#define CR0_FIXED_RSVD 0xffffffff1ffaffc0ull   /* bits that must be 0 */
#define CR4_VALID (CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | CR4_PAE | CR4_MCE | \
                   CR4_PGE | CR4_PCE | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_UMIP | CR4_LA57 | \
                   CR4_FSGSBASE | CR4_OSXSAVE | CR4_SMEP | CR4_SMAP)

void x86_write_cr(x86_cpu *cpu, int n, uint64_t v)
{
    switch (n) {
    case 0: {
        if (v & CR0_FIXED_RSVD)
            x86_fault(cpu, EXC_GP, 0);
        v |= CR0_ET;
        if ((v & CR0_PG) && !(v & CR0_PE))
            x86_fault(cpu, EXC_GP, 0);
        if ((v & CR0_NW) && !(v & CR0_CD))
            x86_fault(cpu, EXC_GP, 0);
        bool pg_on = (v & CR0_PG) && !(cpu->cr0 & CR0_PG);
        bool pg_off = !(v & CR0_PG) && (cpu->cr0 & CR0_PG);
        /* SDM Vol.3 §10.8.5: enabling paging with EFER.LME set activates long mode
         * (needs PAE, and not from a 64-bit... CS.L must be 0); disabling it leaves. */
        if (pg_on && (cpu->efer & EFER_LME)) {
            if (!(cpu->cr4 & CR4_PAE) || (cpu->seg[SEG_CS].attr & SA_L))
                x86_fault(cpu, EXC_GP, 0);
            cpu->efer |= EFER_LMA;
        }
        if (pg_off && (cpu->efer & EFER_LMA)) {
            if (cpu->code_bits == 64)
                x86_fault(cpu, EXC_GP, 0);
            cpu->efer &= ~EFER_LMA;
        }
        uint64_t old = cpu->cr0;
        cpu->cr0 = v;
        /* AM: user data pages leave the TLB while alignment checks apply (mmu.c) */
        if ((old ^ v) & (CR0_PG | CR0_WP | CR0_PE | CR0_AM))
            x86_tlb_flush(cpu, false);
        if ((old ^ v) & CR0_PE) {
            /* PE toggles keep segment caches; CPL follows CS.RPL in protected mode */
            cpu->cpl = (v & CR0_PE) ? cpu->seg[SEG_CS].sel & 3 : 0;
            if (!(v & CR0_PE))
                cpu->cpl = 0;
        }
        x86_update_mode(cpu);
        break;
    }
    case 2:
        cpu->cr2 = v;
        break;
    case 3:
        if ((cpu->efer & EFER_LMA) && (v >> 52))
            x86_fault(cpu, EXC_GP, 0);
        cpu->cr3 = v;
        x86_tlb_flush(cpu, true);
        break;
    case 4: {
        if (v & ~CR4_VALID)
            x86_fault(cpu, EXC_GP, 0);
        if ((cpu->efer & EFER_LMA) && !(v & CR4_PAE))
            x86_fault(cpu, EXC_GP, 0);
        if ((cpu->efer & EFER_LMA) && ((v ^ cpu->cr4) & CR4_LA57))
            x86_fault(cpu, EXC_GP, 0);
        uint64_t old = cpu->cr4;
        cpu->cr4 = v;
        if ((old ^ v) & (CR4_PGE | CR4_PAE | CR4_PSE | CR4_SMEP | CR4_SMAP | CR4_LA57))
            x86_tlb_flush(cpu, false);
        break;
    }
    case 8:
        if (v >> 4)
            x86_fault(cpu, EXC_GP, 0);
        cpu->cr8 = v;
        if (cpu->board && cpu->board->cr8_write)
            cpu->board->cr8_write(cpu->board->opaque, (uint8_t)v);
        break;
    default:
        x86_fault(cpu, EXC_UD, 0);
    }
}

static uint64_t read_cr(x86_cpu *cpu, int n)
{
    switch (n) {
    case 0: return cpu->cr0;
    case 2: return cpu->cr2;
    case 3: return cpu->cr3;
    case 4: return cpu->cr4;
    case 8:
        if (cpu->board && cpu->board->cr8_read)
            return cpu->board->cr8_read(cpu->board->opaque);
        return cpu->cr8;
    default: x86_fault(cpu, EXC_UD, 0);
    }
}

void h_movcr(x86_cpu *cpu, const x86_insn *in)
{
    int n = in->reg;
    if (x86_info(in)->arg == 0) {
        uint64_t v = read_cr(cpu, n);
        reg_set(cpu, in->rm, cpu->code_bits == 64 ? 8 : 4, false, v);
    } else {
        uint64_t v = cpu->gpr[in->rm];
        if (cpu->code_bits != 64)
            v &= 0xffffffffu;
        x86_write_cr(cpu, n, v);
    }
}

void h_movdr(x86_cpu *cpu, const x86_insn *in)
{
    int n = in->reg;
    if (n > 7)
        x86_fault(cpu, EXC_UD, 0);
    if ((n == 4 || n == 5) && (cpu->cr4 & CR4_DE))
        x86_fault(cpu, EXC_UD, 0);
    if (n == 4 || n == 5)
        n += 2;
    if (x86_info(in)->arg == 0) {
        uint64_t v = cpu->dr[n];
        if (n == 6)
            v |= 0xffff0ff0u;
        if (n == 7)
            v |= 0x400;
        reg_set(cpu, in->rm, cpu->code_bits == 64 ? 8 : 4, false, v);
    } else {
        uint64_t v = cpu->gpr[in->rm];
        if (cpu->code_bits != 64)
            v &= 0xffffffffu;
        else if ((n == 6 || n == 7) && (v >> 32))
            x86_fault(cpu, EXC_GP, 0);
        if (n == 7)
            x86_dr7_write(cpu, v);
        else
            cpu->dr[n] = v;
    }
}

void h_clts(x86_cpu *cpu, const x86_insn *in)
{
    cpu->cr0 &= ~CR0_TS;
}

/* ---- MSRs (SDM Vol.4) ---- */

enum {
    MSR_TSC = 0x10, MSR_APIC_BASE = 0x1b, MSR_FEATURE_CONTROL = 0x3a, MSR_SPEC_CTRL = 0x48,
    MSR_BIOS_SIGN = 0x8b, MSR_MTRRCAP = 0xfe, MSR_ARCH_CAPABILITIES = 0x10a, MSR_SYSENTER_CS = 0x174,
    MSR_SYSENTER_ESP = 0x175, MSR_SYSENTER_EIP = 0x176, MSR_MCG_CAP = 0x179,
    MSR_MCG_STATUS = 0x17a, MSR_MCG_CTL = 0x17b, MSR_MC0_CTL = 0x400, MSR_MISC_ENABLE = 0x1a0, MSR_PAT = 0x277,
    MSR_MTRR_DEF = 0x2ff, MSR_MTRR_PHYSBASE0 = 0x200, MSR_EFER = 0xc0000080, MSR_STAR = 0xc0000081,
    MSR_LSTAR = 0xc0000082, MSR_CSTAR = 0xc0000083, MSR_SFMASK = 0xc0000084,
    MSR_FS_BASE = 0xc0000100, MSR_GS_BASE = 0xc0000101, MSR_KGS_BASE = 0xc0000102,
    MSR_TSC_AUX = 0xc0000103,
};

/* MTRRs (SDM Vol.3 §12.11.2-3): which fixed-range register an MSR is (-1: none), and
 * whether a value holds only valid memory types (0 UC, 1 WC, 4 WT, 5 WP, 6 WB) in its
 * `bytes` low type bytes. */
static int mtrr_fixed_index(uint32_t msr)
{
    if (msr == 0x250)
        return 0;
    if (msr == 0x258 || msr == 0x259)
        return 1 + (int)(msr - 0x258);
    if (msr >= 0x268 && msr <= 0x26f)
        return 3 + (int)(msr - 0x268);
    return -1;
}

static bool mtrr_types_ok(uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++) {
        unsigned t = (unsigned)(v >> (8 * i)) & 0xff;
        if (t != 0 && t != 1 && t != 4 && t != 5 && t != 6)
            return false;
    }
    return true;
}

static bool canon(const x86_cpu *cpu, uint64_t v)
{
    unsigned bits = (cpu->cr4 & CR4_LA57) ? 57 : 48;
    return (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits)) == v;
}

uint64_t x86_tsc(const x86_cpu *cpu)
{
    uint64_t base = cpu->board && cpu->board->tsc ? cpu->board->tsc(cpu->board->opaque) : cpu->tsc;
    return base + cpu->tsc_offset;
}

bool x86_msr_read(x86_cpu *cpu, uint32_t msr, uint64_t *v)
{
    if (cpu->board && cpu->board->msr_read) {
        int r = cpu->board->msr_read(cpu->board->opaque, msr, v);
        if (r >= 0)
            return r;
    }
    if (msr >= MSR_MC0_CTL && msr < MSR_MC0_CTL + 4 * X86_MC_BANKS) {
        /* MCi_CTL as written; STATUS, ADDR and MISC: no error was ever logged */
        *v = (msr & 3) == 0 ? cpu->mc_ctl[(msr - MSR_MC0_CTL) / 4] : 0;
        return true;
    }
    if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 2 * X86_MTRR_VAR) {
        *v = cpu->mtrr_var[(msr - MSR_MTRR_PHYSBASE0) / 2][msr & 1];
        return true;
    }
    int fixed = mtrr_fixed_index(msr);
    if (fixed >= 0) {
        *v = cpu->mtrr_fixed[fixed];
        return true;
    }
    switch (msr) {
    case MSR_TSC: *v = x86_tsc(cpu); return true;
    case MSR_APIC_BASE: *v = cpu->apic_base; return true;
    case MSR_FEATURE_CONTROL: *v = 1; return true; /* locked, VMX off */
    case MSR_SPEC_CTRL: *v = 0; return false;
    case MSR_BIOS_SIGN: *v = 0; return true;
    /* VCNT 8, fixed ranges, write-combining; no SMRR */
    case MSR_MTRRCAP: *v = X86_MTRR_VAR | (1u << 8) | (1u << 10); return true;
    case MSR_ARCH_CAPABILITIES: *v = X86_ARCH_CAPABILITIES; return true;
    case MSR_SYSENTER_CS: *v = cpu->sysenter_cs; return true;
    case MSR_SYSENTER_ESP: *v = cpu->sysenter_esp; return true;
    case MSR_SYSENTER_EIP: *v = cpu->sysenter_eip; return true;
    /* MCG_CTL_P (8) and the bank count; no CMCI, SER or LMCE */
    case MSR_MCG_CAP: *v = (1u << 8) | X86_MC_BANKS; return true;
    case MSR_MCG_STATUS: *v = 0; return true;
    case MSR_MCG_CTL: *v = cpu->mcg_ctl; return true;
    case MSR_MISC_ENABLE: *v = cpu->misc_enable; return true;
    case MSR_PAT: *v = cpu->pat; return true;
    case MSR_MTRR_DEF: *v = cpu->mtrr_def_type; return true;
    case MSR_EFER: *v = cpu->efer; return true;
    case MSR_STAR: *v = cpu->star; return true;
    case MSR_LSTAR: *v = cpu->lstar; return true;
    case MSR_CSTAR: *v = cpu->cstar; return true;
    case MSR_SFMASK: *v = cpu->sfmask; return true;
    case MSR_FS_BASE: *v = cpu->seg[SEG_FS].base; return true;
    case MSR_GS_BASE: *v = cpu->seg[SEG_GS].base; return true;
    case MSR_KGS_BASE: *v = cpu->kernel_gs_base; return true;
    case MSR_TSC_AUX: *v = cpu->tsc_aux; return true;
    default: return false;
    }
}

bool x86_msr_write(x86_cpu *cpu, uint32_t msr, uint64_t v)
{
    if (cpu->board && cpu->board->msr_write) {
        int r = cpu->board->msr_write(cpu->board->opaque, msr, v);
        if (r >= 0)
            return r;
    }
    if (msr >= MSR_MC0_CTL && msr < MSR_MC0_CTL + 4 * X86_MC_BANKS) {
        /* SDM Vol.3 §15.3.2.2-4: software may only clear MCi_STATUS/ADDR/MISC */
        if ((msr & 3) != 0)
            return v == 0;
        cpu->mc_ctl[(msr - MSR_MC0_CTL) / 4] = v;
        return true;
    }
    if (msr >= MSR_MTRR_PHYSBASE0 && msr < MSR_MTRR_PHYSBASE0 + 2 * X86_MTRR_VAR) {
        /* PHYSBASE: type in 7:0, base from bit 12; PHYSMASK: valid bit 11, mask from 12 */
        bool mask = msr & 1;
        uint64_t ok = X86_MTRR_ADDR_MASK | (mask ? 0x800u : 0xffu);
        if ((v & ~ok) || (!mask && !mtrr_types_ok(v, 1)))
            return false;
        cpu->mtrr_var[(msr - MSR_MTRR_PHYSBASE0) / 2][mask] = v;
        return true;
    }
    int fixed = mtrr_fixed_index(msr);
    if (fixed >= 0) {
        if (!mtrr_types_ok(v, 8))
            return false;
        cpu->mtrr_fixed[fixed] = v;
        return true;
    }
    switch (msr) {
    case MSR_TSC: cpu->tsc_offset = v - (x86_tsc(cpu) - cpu->tsc_offset); return true;
    case MSR_APIC_BASE:
        if (v & ~0xffffff000ull & ~0xd00ull)
            return false;
        cpu->apic_base = v;
        return true;
    case MSR_BIOS_SIGN: return true;
    case MSR_SYSENTER_CS: cpu->sysenter_cs = v & 0xffff; return true;
    case MSR_SYSENTER_ESP:
        if (!canon(cpu, v)) return false;
        cpu->sysenter_esp = v; return true;
    case MSR_SYSENTER_EIP:
        if (!canon(cpu, v)) return false;
        cpu->sysenter_eip = v; return true;
    case MSR_MCG_STATUS: return v == 0;
    case MSR_MCG_CTL: cpu->mcg_ctl = v; return true;
    case MSR_MISC_ENABLE: cpu->misc_enable = v; return true;
    case MSR_PAT:
        for (int i = 0; i < 8; i++) {
            unsigned t = (unsigned)(v >> (8 * i)) & 0xff;
            if (t == 2 || t == 3 || t > 7)
                return false;
        }
        cpu->pat = v;
        return true;
    case MSR_MTRR_DEF: /* type 7:0, FE 10, E 11 */
        if ((v & ~0xcffull) || !mtrr_types_ok(v, 1))
            return false;
        cpu->mtrr_def_type = v;
        return true;
    case MSR_EFER: {
        uint64_t ok = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
        if (v & ~ok)
            return false;
        /* LMA is read-only; LME cannot change while paging is on (§10.8.5) */
        v = (v & ~EFER_LMA) | (cpu->efer & EFER_LMA);
        if ((cpu->cr0 & CR0_PG) && ((v ^ cpu->efer) & EFER_LME))
            return false;
        if ((v ^ cpu->efer) & EFER_NXE)
            x86_tlb_flush(cpu, false);
        cpu->efer = v;
        return true;
    }
    case MSR_STAR: cpu->star = v; return true;
    case MSR_LSTAR:
        if (!canon(cpu, v)) return false;
        cpu->lstar = v; return true;
    case MSR_CSTAR:
        if (!canon(cpu, v)) return false;
        cpu->cstar = v; return true;
    case MSR_SFMASK: cpu->sfmask = v & 0xffffffffu; return true;
    case MSR_FS_BASE:
        if (!canon(cpu, v)) return false;
        cpu->seg[SEG_FS].base = v; return true;
    case MSR_GS_BASE:
        if (!canon(cpu, v)) return false;
        cpu->seg[SEG_GS].base = v; return true;
    case MSR_KGS_BASE:
        if (!canon(cpu, v)) return false;
        cpu->kernel_gs_base = v; return true;
    case MSR_TSC_AUX: cpu->tsc_aux = v & 0xffffffffu; return true;
    default: return false;
    }
}

void h_rdmsr(x86_cpu *cpu, const x86_insn *in)
{
    uint64_t v;
    if (!x86_msr_read(cpu, (uint32_t)cpu->gpr[RCX], &v))
        x86_fault(cpu, EXC_GP, 0);
    reg_set(cpu, RAX, 4, false, v);
    reg_set(cpu, RDX, 4, false, v >> 32);
}

void h_wrmsr(x86_cpu *cpu, const x86_insn *in)
{
    uint64_t v = (cpu->gpr[RAX] & 0xffffffffu) | (cpu->gpr[RDX] << 32);
    if (!x86_msr_write(cpu, (uint32_t)cpu->gpr[RCX], v))
        x86_fault(cpu, EXC_GP, 0);
}

void h_rdtsc(x86_cpu *cpu, const x86_insn *in)
{
    if ((cpu->cr4 & CR4_TSD) && cpu->cpl != 0 && x86_pmode(cpu))
        x86_fault(cpu, EXC_GP, 0);
    uint64_t t = x86_tsc(cpu);
    reg_set(cpu, RAX, 4, false, t);
    reg_set(cpu, RDX, 4, false, t >> 32);
    if (x86_info(in)->arg == 1)
        reg_set(cpu, RCX, 4, false, cpu->tsc_aux);
}

void h_rdpmc(x86_cpu *cpu, const x86_insn *in)
{
    /* No performance counters are advertised (CPUID leaf 0xA is 0): always #GP(0). */
    x86_fault(cpu, EXC_GP, 0);
}

void h_cpuid(x86_cpu *cpu, const x86_insn *in)
{
    uint32_t r[4];
    x86_cpuid(cpu, (uint32_t)cpu->gpr[RAX], (uint32_t)cpu->gpr[RCX], r);
    cpu->gpr[RAX] = r[0];
    cpu->gpr[RBX] = r[1];
    cpu->gpr[RCX] = r[2];
    cpu->gpr[RDX] = r[3];
}

void h_xgetbv(x86_cpu *cpu, const x86_insn *in)
{
    if (!(cpu->cr4 & CR4_OSXSAVE))
        x86_fault(cpu, EXC_UD, 0);
    if ((uint32_t)cpu->gpr[RCX] != 0)
        x86_fault(cpu, EXC_GP, 0);
    reg_set(cpu, RAX, 4, false, cpu->xcr0);
    reg_set(cpu, RDX, 4, false, cpu->xcr0 >> 32);
}

void h_xsetbv(x86_cpu *cpu, const x86_insn *in)
{
    if (!(cpu->cr4 & CR4_OSXSAVE))
        x86_fault(cpu, EXC_UD, 0);
    uint64_t v = (cpu->gpr[RAX] & 0xffffffffu) | (cpu->gpr[RDX] << 32);
    /* only x87 (bit 0, must be set) and SSE (bit 1) state components exist */
    if ((uint32_t)cpu->gpr[RCX] != 0 || !(v & 1) || (v & ~3ull))
        x86_fault(cpu, EXC_GP, 0);
    cpu->xcr0 = v;
}

void h_fsgsbase(x86_cpu *cpu, const x86_insn *in)
{
    if (!(cpu->cr4 & CR4_FSGSBASE))
        x86_fault(cpu, EXC_UD, 0);
    unsigned op = x86_info(in)->arg;
    int seg = (op & 1) ? SEG_GS : SEG_FS;
    unsigned s = in->osz == 8 ? 8 : 4;
    if (op < 2) {
        reg_set(cpu, in->rm, s, false, cpu->seg[seg].base);
    } else {
        uint64_t v = reg_get(cpu, in->rm, s, false);
        if (!canon(cpu, v))
            x86_fault(cpu, EXC_GP, 0);
        cpu->seg[seg].base = v;
    }
}

void h_clflush(x86_cpu *cpu, const x86_insn *in)
{
    /* No caches are modelled; the access is checked like a byte read (SDM CLFLUSH). */
    (void)x86_read(cpu, in->seg, x86_ea(cpu, in), 1);
}

/* CLAC / STAC (SMAP): RFLAGS.AC at CPL 0 (SDM Vol.2 STAC) */
void h_acflag(x86_cpu *cpu, const x86_insn *in)
{
    if (x86_info(in)->arg)
        cpu->flags |= FL_AC;
    else
        cpu->flags &= ~(uint64_t)FL_AC;
}

void h_swapgs(x86_cpu *cpu, const x86_insn *in)
{
    uint64_t t = cpu->seg[SEG_GS].base;
    cpu->seg[SEG_GS].base = cpu->kernel_gs_base;
    cpu->kernel_gs_base = t;
}

/* ---- descriptor tables ---- */

void h_grp6(x86_cpu *cpu, const x86_insn *in)
{
    if (!x86_pmode(cpu))
        x86_fault(cpu, EXC_UD, 0);
    unsigned op = x86_info(in)->arg;
    if (op <= 1) { /* SLDT, STR: a register destination takes the operand size */
        if ((cpu->cr4 & CR4_UMIP) && cpu->cpl > 0)
            x86_fault(cpu, EXC_GP, 0);
        uint64_t v = op == 0 ? cpu->ldtr.sel : cpu->tr.sel;
        if (in->mod == 3)
            reg_set(cpu, in->rm, in->osz, false, v);
        else
            x86_write(cpu, in->seg, x86_ea(cpu, in), 2, v);
        return;
    }
    if (op == 2 || op == 3) {
        require_cpl0(cpu);
        uint16_t sel = (uint16_t)opd_read(cpu, in, 0);
        if (op == 2 && (sel & ~3) == 0) {
            cpu->ldtr = (x86_seg){.sel = sel, .attr = SA_UNUSABLE};
            return;
        }
        if ((sel & ~3) == 0 || (sel & 4))
            x86_fault(cpu, EXC_GP, sel & ~3u);
        uint64_t lo, hi;
        if (!x86_read_desc(cpu, sel, &lo, &hi, true))
            x86_fault(cpu, EXC_GP, sel & ~3u);
        unsigned type = (unsigned)(lo >> 40) & 0x1f;
        bool lma = (cpu->efer & EFER_LMA) != 0;
        bool ok = op == 2 ? type == 2 : (type == 9 || (!lma && type == 1));
        if (!ok || (lma && ((hi >> 40) & 0x1f) != 0))
            x86_fault(cpu, EXC_GP, sel & ~3u);
        if (!((lo >> 47) & 1))
            x86_fault(cpu, EXC_NP, sel & ~3u);
        if (op == 2) {
            x86_desc_to_seg(&cpu->ldtr, sel, lo, hi);
        } else {
            x86_set_desc_busy(cpu, sel, lo, 41);
            x86_desc_to_seg(&cpu->tr, sel, lo | (1ull << 41), hi);
        }
        return;
    }
    /* VERR / VERW: ZF = accessible at CPL with RPL (SDM VERR/VERW) */
    uint16_t sel = (uint16_t)opd_read(cpu, in, 0);
    bool ok = false;
    uint64_t lo, hi;
    if ((sel & ~3) && x86_read_desc(cpu, sel, &lo, &hi, false) && ((lo >> 44) & 1)) {
        unsigned type = (unsigned)(lo >> 40) & 0xf, dpl = (unsigned)(lo >> 45) & 3;
        bool code = type & 8, conf = code && (type & 4);
        bool priv = conf || (dpl >= (unsigned)cpu->cpl && dpl >= (sel & 3u));
        ok = priv && (op == 4 ? (!code || (type & 2)) : (!code && (type & 2)));
    }
    flags_put(cpu, FL_ZF, ok ? FL_ZF : 0);
}

void h_grp7(x86_cpu *cpu, const x86_insn *in)
{
    unsigned op = x86_info(in)->arg;
    bool lma64 = cpu->code_bits == 64;
    switch (op) {
    case 0: case 1: { /* SGDT, SIDT */
        if ((cpu->cr4 & CR4_UMIP) && cpu->cpl > 0)
            x86_fault(cpu, EXC_GP, 0);
        const x86_dtr *d = op == 0 ? &cpu->gdtr : &cpu->idtr;
        uint64_t ea = x86_ea(cpu, in);
        x86_lin_probe_write(cpu, x86_seg_linear(cpu, in->seg, ea, lma64 ? 10 : 6, ACC_W),
                            lma64 ? 10 : 6, ACC_W);
        x86_write(cpu, in->seg, ea, 2, d->limit);
        if (lma64)
            x86_write(cpu, in->seg, ea + 2, 8, d->base);
        else
            x86_write(cpu, in->seg, (ea + 2) & mask_bytes(in->asz), 4, d->base & 0xffffffffu);
        return;
    }
    case 2: case 3: { /* LGDT, LIDT */
        require_cpl0(cpu);
        uint64_t ea = x86_ea(cpu, in);
        uint16_t limit = (uint16_t)x86_read(cpu, in->seg, ea, 2);
        uint64_t base;
        if (lma64) {
            base = x86_read(cpu, in->seg, ea + 2, 8);
            if (!canon(cpu, base))
                x86_fault(cpu, EXC_GP, 0);
        } else {
            base = x86_read(cpu, in->seg, (ea + 2) & mask_bytes(in->asz), 4);
            if (in->osz == 2)
                base &= 0xffffff;
        }
        x86_dtr *d = op == 2 ? &cpu->gdtr : &cpu->idtr;
        d->base = base;
        d->limit = limit;
        return;
    }
    case 4: /* SMSW */
        if ((cpu->cr4 & CR4_UMIP) && cpu->cpl > 0)
            x86_fault(cpu, EXC_GP, 0);
        if (in->mod == 3)
            reg_set(cpu, in->rm, in->osz, false, cpu->cr0);
        else
            x86_write(cpu, in->seg, x86_ea(cpu, in), 2, cpu->cr0 & 0xffff);
        return;
    case 6: { /* LMSW: PE can be set but not cleared; MP/EM/TS */
        require_cpl0(cpu);
        uint64_t v = opd_read(cpu, in, 0) & 0xf;
        uint64_t cr0 = (cpu->cr0 & ~0xeull) | (v & 0xe) | (cpu->cr0 & 1) | (v & 1);
        x86_write_cr(cpu, 0, cr0);
        return;
    }
    default: /* INVLPG */
        require_cpl0(cpu);
        {
            uint64_t ea = x86_ea(cpu, in);
            uint64_t lin = lma64 ? (in->seg == SEG_FS || in->seg == SEG_GS
                                        ? ea + cpu->seg[in->seg].base : ea)
                                 : (cpu->seg[in->seg].base + ea) & 0xffffffffu;
            x86_tlb_flush_page(cpu, lin);
        }
        return;
    }
}

void h_larlsl(x86_cpu *cpu, const x86_insn *in)
{
    if (!x86_pmode(cpu))
        x86_fault(cpu, EXC_UD, 0);
    bool lsl = x86_info(in)->arg;
    uint16_t sel = (uint16_t)opd_read(cpu, in, 1);
    uint64_t lo, hi;
    bool ok = false;
    if ((sel & ~3) && x86_read_desc(cpu, sel, &lo, &hi, false)) {
        unsigned type = (unsigned)(lo >> 40) & 0x1f, dpl = (unsigned)(lo >> 45) & 3;
        bool lma = (cpu->efer & EFER_LMA) != 0;
        if (type & 0x10) {
            bool conf = (type & 0xc) == 0xc;
            ok = conf || (dpl >= (unsigned)cpu->cpl && dpl >= (sel & 3u));
        } else {
            /* system types LAR/LSL accept (SDM LAR Table 3-?): LDT, available/busy TSS,
             * and for LAR call gates; legacy 16-bit types outside long mode */
            unsigned t = type & 0xf;
            bool valid = lma ? (t == 2 || t == 9 || t == 11 || (!lsl && t == 12))
                             : (t == 1 || t == 2 || t == 3 || t == 9 || t == 11 ||
                                (!lsl && (t == 4 || t == 5 || t == 12)));
            ok = valid && dpl >= (unsigned)cpu->cpl && dpl >= (sel & 3u);
        }
    }
    if (ok) {
        uint64_t v;
        if (lsl) {
            x86_seg s;
            x86_desc_to_seg(&s, sel, lo, 0);
            v = s.limit;
        } else {
            v = lo >> 32 & 0x00f0ff00u;
        }
        reg_set(cpu, in->reg, in->osz, false, v);
    }
    flags_put(cpu, FL_ZF, ok ? FL_ZF : 0);
}

/* ---- fast system calls ---- */

static void flat_cs(x86_seg *s, uint16_t sel, unsigned dpl, bool l64)
{
    s->sel = sel;
    s->base = 0;
    s->limit = 0xffffffffu;
    s->attr = 0xb | SA_S | SA_P | SA_G | (dpl << SA_DPL_SHIFT) | (l64 ? SA_L : SA_DB);
}

static void flat_ss(x86_seg *s, uint16_t sel, unsigned dpl)
{
    s->sel = sel;
    s->base = 0;
    s->limit = 0xffffffffu;
    s->attr = 0x3 | SA_S | SA_P | SA_G | SA_DB | (dpl << SA_DPL_SHIFT);
}

void h_syscall(x86_cpu *cpu, const x86_insn *in)
{
    /* SDM SYSCALL: #UD unless EFER.SCE and long mode active (Intel: 64-bit mode only) */
    if (!(cpu->efer & EFER_SCE) || cpu->code_bits != 64)
        x86_fault(cpu, EXC_UD, 0);
    uint16_t sel = (uint16_t)(cpu->star >> 32);
    cpu->gpr[RCX] = cpu->next_rip;
    uint64_t fl = x86_cpu_rflags(cpu);
    cpu->gpr[R11] = fl & ~(uint64_t)FL_RF;
    x86_cpu_set_rflags(cpu, fl & ~cpu->sfmask & ~(uint64_t)FL_RF);
    flat_cs(&cpu->seg[SEG_CS], sel & 0xfffc, 0, true);
    flat_ss(&cpu->seg[SEG_SS], (uint16_t)((sel + 8) & 0xfffc), 0);
    cpu->cpl = 0;
    x86_update_mode(cpu);
    cpu->next_rip = cpu->lstar;
}

void h_sysret(x86_cpu *cpu, const x86_insn *in)
{
    if (!(cpu->efer & EFER_SCE) || cpu->code_bits != 64)
        x86_fault(cpu, EXC_UD, 0);
    require_cpl0(cpu);
    uint16_t sel = (uint16_t)(cpu->star >> 48);
    bool q = in->osz == 8;
    uint64_t rip = q ? cpu->gpr[RCX] : cpu->gpr[RCX] & 0xffffffffu;
    if (q && !canon(cpu, rip))
        x86_fault(cpu, EXC_GP, 0); /* Intel: #GP at CPL 0 for a non-canonical RCX */
    flat_cs(&cpu->seg[SEG_CS], (uint16_t)((q ? sel + 16 : sel) | 3), 3, q);
    /* SS keeps its cached attributes except selector and DPL (SDM SYSRET) */
    cpu->seg[SEG_SS].sel = (uint16_t)((sel + 8) | 3);
    cpu->seg[SEG_SS].attr = (cpu->seg[SEG_SS].attr & ~(uint32_t)SA_DPL) |
                            (3u << SA_DPL_SHIFT);
    cpu->cpl = 3;
    x86_cpu_set_rflags(cpu, (cpu->gpr[R11] & 0x3c7fd7u) | FL_1); /* at CPL 3: see there */
    x86_update_mode(cpu);
    cpu->next_rip = rip;
}

void h_sysenter(x86_cpu *cpu, const x86_insn *in)
{
    if (!(cpu->cr0 & CR0_PE) || (cpu->sysenter_cs & 0xfffc) == 0)
        x86_fault(cpu, EXC_GP, 0);
    bool lma = (cpu->efer & EFER_LMA) != 0;
    cpu->flags &= ~(uint64_t)(FL_VM | FL_IF | FL_RF);
    uint16_t cs = (uint16_t)(cpu->sysenter_cs & 0xfffc);
    flat_cs(&cpu->seg[SEG_CS], cs, 0, lma);
    flat_ss(&cpu->seg[SEG_SS], (uint16_t)(cs + 8), 0);
    cpu->cpl = 0;
    x86_update_mode(cpu);
    cpu->gpr[RSP] = lma ? cpu->sysenter_esp : cpu->sysenter_esp & 0xffffffffu;
    cpu->next_rip = lma ? cpu->sysenter_eip : cpu->sysenter_eip & 0xffffffffu;
}

void h_sysexit(x86_cpu *cpu, const x86_insn *in)
{
    if (!(cpu->cr0 & CR0_PE) || (cpu->sysenter_cs & 0xfffc) == 0)
        x86_fault(cpu, EXC_GP, 0);
    bool q = in->osz == 8;
    uint16_t base = (uint16_t)(cpu->sysenter_cs & 0xfffc);
    flat_cs(&cpu->seg[SEG_CS], (uint16_t)((q ? base + 32 : base + 16) | 3), 3, q);
    flat_ss(&cpu->seg[SEG_SS], (uint16_t)((q ? base + 40 : base + 24) | 3), 3);
    cpu->cpl = 3;
    x86_update_mode(cpu);
    cpu->gpr[RSP] = q ? cpu->gpr[RCX] : cpu->gpr[RCX] & 0xffffffffu;
    cpu->next_rip = q ? cpu->gpr[RDX] : cpu->gpr[RDX] & 0xffffffffu;
}
