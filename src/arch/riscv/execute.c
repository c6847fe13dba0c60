/* The RV64GC interpreter: executes one decoded rv_insn. Semantics follow the Unprivileged
 * ISA chapters named at each group; anything raising an exception calls rv_raise and
 * leaves architectural state unchanged. */
#include "arch/riscv/execute.h"

#include "arch/riscv/mmu.h"

#define X(r) cpu->x[r]
#define SET_X(r, v)                                                                          \
    do {                                                                                     \
        if ((r) != 0)                                                                        \
            cpu->x[r] = (uint64_t)(v);                                                       \
    } while (0)

static void illegal(rv_cpu *cpu, const rv_insn *in)
{
    rv_raise(cpu, CAUSE_ILLEGAL_INSTRUCTION, in->raw);
}

/* Unsigned 64x64 high product and its signed variants (M extension §7.1). */
static uint64_t mulhu(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) >> 64);
}

static uint64_t mulh(int64_t a, int64_t b)
{
    return (uint64_t)(((__int128)a * b) >> 64);
}

static uint64_t mulhsu(int64_t a, uint64_t b)
{
    return (uint64_t)(((__int128)a * (__int128)(unsigned __int128)b) >> 64);
}

/* Division: §7.2 Table 7.1 — x/0 = -1, x%0 = x, INT_MIN/-1 = INT_MIN, INT_MIN%-1 = 0 */
static int64_t div_s(int64_t a, int64_t b)
{
    if (b == 0) return -1;
    if (a == INT64_MIN && b == -1) return INT64_MIN;
    return a / b;
}

static int64_t rem_s(int64_t a, int64_t b)
{
    if (b == 0) return a;
    if (a == INT64_MIN && b == -1) return 0;
    return a % b;
}

static int32_t div_w(int32_t a, int32_t b)
{
    if (b == 0) return -1;
    if (a == INT32_MIN && b == -1) return INT32_MIN;
    return a / b;
}

static int32_t rem_w(int32_t a, int32_t b)
{
    if (b == 0) return a;
    if (a == INT32_MIN && b == -1) return 0;
    return a % b;
}

static void do_load(rv_cpu *cpu, const rv_insn *in, unsigned size, bool sign)
{
    uint64_t v;
    if (!rv_load(cpu, X(in->rs1) + (uint64_t)in->imm, size, &v))
        return;
    if (sign) {
        unsigned sh = 64 - 8 * size;
        v = (uint64_t)((int64_t)(v << sh) >> sh);
    }
    SET_X(in->rd, v);
}

static bool fp_off(rv_cpu *cpu)
{
    return (cpu->mstatus & MSTATUS_FS) == 0;
}

/* A extension (§8): LR/SC with a reservation on the physical address, AMOs as
 * read-modify-write on host memory (single hart: atomic with respect to the guest). */
static void do_amo(rv_cpu *cpu, const rv_insn *in, unsigned size)
{
    rv_op op = (rv_op)in->op;
    bool is_lr = op == RV_OP_LR_W || op == RV_OP_LR_D;
    bool is_sc = op == RV_OP_SC_W || op == RV_OP_SC_D;
    gpa_t pa;
    uint64_t addr = X(in->rs1);
    if (is_sc && !cpu->reservation_valid) {
        /* Still must raise misaligned/access faults (§8.2), checked via rv_amo_ptr. */
        if (!rv_amo_ptr(cpu, addr, size, false, &pa))
            return;
        SET_X(in->rd, 1);
        return;
    }
    uint8_t *p = rv_amo_ptr(cpu, addr, size, is_lr, &pa);
    if (!p)
        return;
    uint64_t old;
    if (size == 4) {
        uint32_t v;
        memcpy(&v, p, 4);
        old = (uint64_t)rv_sext32(v);
    } else {
        memcpy(&old, p, 8);
    }
    if (is_lr) {
        cpu->reservation = pa;
        cpu->reservation_valid = true;
        SET_X(in->rd, old);
        return;
    }
    if (is_sc) {
        bool ok = cpu->reservation == pa;
        cpu->reservation_valid = false;
        if (ok) {
            uint64_t v = X(in->rs2);
            memcpy(p, &v, size);
            bus_ram_written(&cpu->m->bus, pa, size);
        }
        SET_X(in->rd, ok ? 0 : 1);
        return;
    }
    uint64_t src = X(in->rs2), res;
    if (size == 4)
        src = (uint64_t)rv_sext32(src);
    switch (op) {
    case RV_OP_AMOSWAP_W: case RV_OP_AMOSWAP_D: res = src; break;
    case RV_OP_AMOADD_W: case RV_OP_AMOADD_D: res = old + src; break;
    case RV_OP_AMOXOR_W: case RV_OP_AMOXOR_D: res = old ^ src; break;
    case RV_OP_AMOAND_W: case RV_OP_AMOAND_D: res = old & src; break;
    case RV_OP_AMOOR_W: case RV_OP_AMOOR_D: res = old | src; break;
    case RV_OP_AMOMIN_W: case RV_OP_AMOMIN_D: res = (int64_t)old < (int64_t)src ? old : src; break;
    case RV_OP_AMOMAX_W: case RV_OP_AMOMAX_D: res = (int64_t)old > (int64_t)src ? old : src; break;
    case RV_OP_AMOMINU_W:
        res = (uint32_t)old < (uint32_t)src ? old : src;
        break;
    case RV_OP_AMOMAXU_W:
        res = (uint32_t)old > (uint32_t)src ? old : src;
        break;
    case RV_OP_AMOMINU_D: res = old < src ? old : src; break;
    default: /* AMOMAXU_D */ res = old > src ? old : src; break;
    }
    memcpy(p, &res, size);
    bus_ram_written(&cpu->m->bus, pa, size);
    SET_X(in->rd, old);
}

static void do_csr(rv_cpu *cpu, const rv_insn *in)
{
    unsigned csr = (unsigned)in->imm;
    rv_op op = (rv_op)in->op;
    bool imm_form = op == RV_OP_CSRRWI || op == RV_OP_CSRRSI || op == RV_OP_CSRRCI;
    uint64_t src = imm_form ? in->rs1 : X(in->rs1);
    bool is_write = op == RV_OP_CSRRW || op == RV_OP_CSRRWI;
    /* §9.1: csrrw with rd=x0 does not read; csrrs/c with rs1/uimm=0 do not write. */
    bool do_write = is_write || in->rs1 != 0;
    bool do_read = !is_write || in->rd != 0;
    uint64_t old = 0;
    if (do_read && !rv_csr_read(cpu, csr, &old)) {
        illegal(cpu, in);
        return;
    }
    if (do_write) {
        /* Priv. ISA §3.1.9: csrrs/csrrc on mip modify the software-writable SEIP bit,
         * not the PLIC's line that reads OR-ed into it. */
        uint64_t base = csr == CSR_MIP ? (old & ~MIP_SEIP) | cpu->mip_sw_seip : old;
        uint64_t val = is_write ? src
                       : (op == RV_OP_CSRRS || op == RV_OP_CSRRSI) ? base | src
                                                                   : base & ~src;
        if (!rv_csr_write(cpu, csr, val)) {
            illegal(cpu, in);
            return;
        }
        cpu->irq_check = true;
    }
    SET_X(in->rd, old);
}

static void do_fp_load_store(rv_cpu *cpu, const rv_insn *in)
{
    if (fp_off(cpu)) {
        illegal(cpu, in);
        return;
    }
    uint64_t addr = X(in->rs1) + (uint64_t)in->imm;
    uint64_t v;
    switch (in->op) {
    case RV_OP_FLW:
        if (!rv_load(cpu, addr, 4, &v)) return;
        cpu->f[in->rd] = v | 0xffffffff00000000ULL; /* NaN-box (§12.2) */
        cpu->mstatus |= MSTATUS_FS;
        return;
    case RV_OP_FLD:
        if (!rv_load(cpu, addr, 8, &v)) return;
        cpu->f[in->rd] = v;
        cpu->mstatus |= MSTATUS_FS;
        return;
    case RV_OP_FSW:
        rv_store(cpu, addr, 4, cpu->f[in->rs2] & 0xffffffffu);
        return;
    default: /* FSD */
        rv_store(cpu, addr, 8, cpu->f[in->rs2]);
        return;
    }
}

static void do_system(rv_cpu *cpu, const rv_insn *in)
{
    switch (in->op) {
    case RV_OP_ECALL:
        if (cpu->priv == PRIV_S && cpu->sbi_call && cpu->sbi_call(cpu))
            return;
        rv_raise(cpu, cpu->priv == PRIV_U   ? CAUSE_USER_ECALL
                      : cpu->priv == PRIV_S ? CAUSE_SUPERVISOR_ECALL
                                            : CAUSE_MACHINE_ECALL,
                 0);
        return;
    case RV_OP_EBREAK:
        /* Priv. ISA §3.1.16: mtval = the address of the breakpoint instruction */
        rv_raise(cpu, CAUSE_BREAKPOINT, cpu->pc);
        return;
    case RV_OP_MRET:
        if (cpu->priv < PRIV_M) { illegal(cpu, in); return; }
        rv_mret(cpu);
        cpu->irq_check = true;
        return;
    case RV_OP_SRET:
        /* §3.1.6.5: TSR makes sret illegal in S-mode */
        if (cpu->priv < PRIV_S || (cpu->priv == PRIV_S && (cpu->mstatus & MSTATUS_TSR))) {
            illegal(cpu, in);
            return;
        }
        rv_sret(cpu);
        cpu->irq_check = true;
        return;
    case RV_OP_WFI:
        /* §3.1.6.5: TW traps WFI below M; U-mode WFI is illegal */
        if (cpu->priv == PRIV_U || (cpu->priv < PRIV_M && (cpu->mstatus & MSTATUS_TW))) {
            illegal(cpu, in);
            return;
        }
        cpu->wfi = true;
        cpu->irq_check = true;
        return;
    default: /* SFENCE_VMA */
        if (cpu->priv == PRIV_U || (cpu->priv == PRIV_S && (cpu->mstatus & MSTATUS_TVM))) {
            illegal(cpu, in);
            return;
        }
        /* Priv. ISA §4.2.1: rs1 != x0 orders only the translations of that address (in
         * every address space: conservative), rs2 != x0 only those of one ASID. */
        if (in->rs1 != 0)
            rv_tlb_flush_page(cpu, cpu->x[in->rs1]);
        else if (in->rs2 != 0)
            rv_tlb_flush_asid(cpu, cpu->x[in->rs2] & 0xffff);
        else
            rv_tlb_flush(cpu);
        return;
    }
}

static void do_cbo(rv_cpu *cpu, const rv_insn *in)
{
    /* Zicbom/Zicboz (CMO spec §2.5): enables in menvcfg/senvcfg per privilege. */
    bool zero = in->op == RV_OP_CBO_ZERO;
    uint64_t need = zero ? ENVCFG_CBZE : in->op == RV_OP_CBO_INVAL ? ENVCFG_CBIE : ENVCFG_CBCFE;
    if ((cpu->priv < PRIV_M && !(cpu->menvcfg & need)) ||
        (cpu->priv < PRIV_S && !(cpu->senvcfg & need))) {
        illegal(cpu, in);
        return;
    }
    uint64_t addr = X(in->rs1) & ~(uint64_t)(RV_CBO_BLOCK - 1);
    if (!zero) {
        /* No caches to maintain; only the permission/translation check matters. */
        gpa_t pa;
        rv_translate_data(cpu, addr, ACC_READ, &pa);
        return;
    }
    for (unsigned i = 0; i < RV_CBO_BLOCK; i += 8)
        if (!rv_store(cpu, addr + i, 8, 0))
            return;
}

static inline uint64_t rol64(uint64_t v, unsigned s)
{
    s &= 63;
    return s ? (v << s) | (v >> (64 - s)) : v;
}

static inline uint32_t rol32(uint32_t v, unsigned s)
{
    s &= 31;
    return s ? (v << s) | (v >> (32 - s)) : v;
}

static uint64_t orc_b(uint64_t v)
{
    uint64_t r = 0;
    for (unsigned i = 0; i < 64; i += 8)
        if ((v >> i) & 0xff)
            r |= 0xffULL << i;
    return r;
}

void rv_execute(rv_cpu *cpu, const rv_insn *in)
{
    const uint64_t a = X(in->rs1), b = X(in->rs2);
    const int64_t imm = in->imm;
    const uint64_t pc = cpu->pc;
    switch ((rv_op)in->op) {
    /* RV64I (Unpriv. ISA chapters 2 and 5) */
    case RV_OP_LUI: SET_X(in->rd, imm); break;
    case RV_OP_AUIPC: SET_X(in->rd, pc + (uint64_t)imm); break;
    case RV_OP_JAL:
        SET_X(in->rd, pc + in->len);
        cpu->next_pc = pc + (uint64_t)imm;
        break;
    case RV_OP_JALR:
        cpu->next_pc = (a + (uint64_t)imm) & ~1ULL;
        SET_X(in->rd, pc + in->len);
        break;
    case RV_OP_BEQ: if (a == b) cpu->next_pc = pc + (uint64_t)imm; break;
    case RV_OP_BNE: if (a != b) cpu->next_pc = pc + (uint64_t)imm; break;
    case RV_OP_BLT: if ((int64_t)a < (int64_t)b) cpu->next_pc = pc + (uint64_t)imm; break;
    case RV_OP_BGE: if ((int64_t)a >= (int64_t)b) cpu->next_pc = pc + (uint64_t)imm; break;
    case RV_OP_BLTU: if (a < b) cpu->next_pc = pc + (uint64_t)imm; break;
    case RV_OP_BGEU: if (a >= b) cpu->next_pc = pc + (uint64_t)imm; break;
    case RV_OP_LB: do_load(cpu, in, 1, true); break;
    case RV_OP_LH: do_load(cpu, in, 2, true); break;
    case RV_OP_LW: do_load(cpu, in, 4, true); break;
    case RV_OP_LD: do_load(cpu, in, 8, false); break;
    case RV_OP_LBU: do_load(cpu, in, 1, false); break;
    case RV_OP_LHU: do_load(cpu, in, 2, false); break;
    case RV_OP_LWU: do_load(cpu, in, 4, false); break;
    case RV_OP_SB: rv_store(cpu, a + (uint64_t)imm, 1, b); break;
    case RV_OP_SH: rv_store(cpu, a + (uint64_t)imm, 2, b); break;
    case RV_OP_SW: rv_store(cpu, a + (uint64_t)imm, 4, b); break;
    case RV_OP_SD: rv_store(cpu, a + (uint64_t)imm, 8, b); break;
    case RV_OP_ADDI: SET_X(in->rd, a + (uint64_t)imm); break;
    case RV_OP_SLTI: SET_X(in->rd, (int64_t)a < imm); break;
    case RV_OP_SLTIU: SET_X(in->rd, a < (uint64_t)imm); break;
    case RV_OP_XORI: SET_X(in->rd, a ^ (uint64_t)imm); break;
    case RV_OP_ORI: SET_X(in->rd, a | (uint64_t)imm); break;
    case RV_OP_ANDI: SET_X(in->rd, a & (uint64_t)imm); break;
    case RV_OP_SLLI: SET_X(in->rd, a << imm); break;
    case RV_OP_SRLI: SET_X(in->rd, a >> imm); break;
    case RV_OP_SRAI: SET_X(in->rd, (int64_t)a >> imm); break;
    case RV_OP_ADD: SET_X(in->rd, a + b); break;
    case RV_OP_SUB: SET_X(in->rd, a - b); break;
    case RV_OP_SLL: SET_X(in->rd, a << (b & 63)); break;
    case RV_OP_SLT: SET_X(in->rd, (int64_t)a < (int64_t)b); break;
    case RV_OP_SLTU: SET_X(in->rd, a < b); break;
    case RV_OP_XOR: SET_X(in->rd, a ^ b); break;
    case RV_OP_SRL: SET_X(in->rd, a >> (b & 63)); break;
    case RV_OP_SRA: SET_X(in->rd, (int64_t)a >> (b & 63)); break;
    case RV_OP_OR: SET_X(in->rd, a | b); break;
    case RV_OP_AND: SET_X(in->rd, a & b); break;
    case RV_OP_ADDIW: SET_X(in->rd, rv_sext32(a + (uint64_t)imm)); break;
    case RV_OP_SLLIW: SET_X(in->rd, rv_sext32((uint32_t)a << imm)); break;
    case RV_OP_SRLIW: SET_X(in->rd, rv_sext32((uint32_t)a >> imm)); break;
    case RV_OP_SRAIW: SET_X(in->rd, (int64_t)((int32_t)a >> imm)); break;
    case RV_OP_ADDW: SET_X(in->rd, rv_sext32(a + b)); break;
    case RV_OP_SUBW: SET_X(in->rd, rv_sext32(a - b)); break;
    case RV_OP_SLLW: SET_X(in->rd, rv_sext32((uint32_t)a << (b & 31))); break;
    case RV_OP_SRLW: SET_X(in->rd, rv_sext32((uint32_t)a >> (b & 31))); break;
    case RV_OP_SRAW: SET_X(in->rd, (int64_t)((int32_t)a >> (b & 31))); break;
    case RV_OP_FENCE: break;
    case RV_OP_FENCE_I: break; /* code writes already invalidated their blocks (bus page generations) */
    case RV_OP_ECALL: case RV_OP_EBREAK: case RV_OP_MRET: case RV_OP_SRET: case RV_OP_WFI:
    case RV_OP_SFENCE_VMA:
        do_system(cpu, in);
        break;
    case RV_OP_CSRRW: case RV_OP_CSRRS: case RV_OP_CSRRC:
    case RV_OP_CSRRWI: case RV_OP_CSRRSI: case RV_OP_CSRRCI:
        do_csr(cpu, in);
        break;
    /* M (chapter 7) */
    case RV_OP_MUL: SET_X(in->rd, a * b); break;
    case RV_OP_MULH: SET_X(in->rd, mulh((int64_t)a, (int64_t)b)); break;
    case RV_OP_MULHSU: SET_X(in->rd, mulhsu((int64_t)a, b)); break;
    case RV_OP_MULHU: SET_X(in->rd, mulhu(a, b)); break;
    case RV_OP_DIV: SET_X(in->rd, div_s((int64_t)a, (int64_t)b)); break;
    case RV_OP_DIVU: SET_X(in->rd, b ? a / b : UINT64_MAX); break;
    case RV_OP_REM: SET_X(in->rd, rem_s((int64_t)a, (int64_t)b)); break;
    case RV_OP_REMU: SET_X(in->rd, b ? a % b : a); break;
    case RV_OP_MULW: SET_X(in->rd, rv_sext32(a * b)); break;
    case RV_OP_DIVW: SET_X(in->rd, (int64_t)div_w((int32_t)a, (int32_t)b)); break;
    case RV_OP_DIVUW:
        SET_X(in->rd, (uint32_t)b ? rv_sext32((uint32_t)a / (uint32_t)b) : -1);
        break;
    case RV_OP_REMW: SET_X(in->rd, (int64_t)rem_w((int32_t)a, (int32_t)b)); break;
    case RV_OP_REMUW:
        SET_X(in->rd, (uint32_t)b ? rv_sext32((uint32_t)a % (uint32_t)b) : rv_sext32(a));
        break;
    /* A (chapter 8) */
    case RV_OP_LR_W: case RV_OP_SC_W: case RV_OP_AMOSWAP_W: case RV_OP_AMOADD_W:
    case RV_OP_AMOXOR_W: case RV_OP_AMOAND_W: case RV_OP_AMOOR_W: case RV_OP_AMOMIN_W:
    case RV_OP_AMOMAX_W: case RV_OP_AMOMINU_W: case RV_OP_AMOMAXU_W:
        do_amo(cpu, in, 4);
        break;
    case RV_OP_LR_D: case RV_OP_SC_D: case RV_OP_AMOSWAP_D: case RV_OP_AMOADD_D:
    case RV_OP_AMOXOR_D: case RV_OP_AMOAND_D: case RV_OP_AMOOR_D: case RV_OP_AMOMIN_D:
    case RV_OP_AMOMAX_D: case RV_OP_AMOMINU_D: case RV_OP_AMOMAXU_D:
        do_amo(cpu, in, 8);
        break;
    /* F/D loads and stores; the rest is in fpu.c */
    case RV_OP_FLW: case RV_OP_FLD: case RV_OP_FSW: case RV_OP_FSD:
        do_fp_load_store(cpu, in);
        break;
    /* Zba */
    case RV_OP_SH1ADD: SET_X(in->rd, (a << 1) + b); break;
    case RV_OP_SH2ADD: SET_X(in->rd, (a << 2) + b); break;
    case RV_OP_SH3ADD: SET_X(in->rd, (a << 3) + b); break;
    case RV_OP_ADD_UW: SET_X(in->rd, (uint64_t)(uint32_t)a + b); break;
    case RV_OP_SH1ADD_UW: SET_X(in->rd, ((uint64_t)(uint32_t)a << 1) + b); break;
    case RV_OP_SH2ADD_UW: SET_X(in->rd, ((uint64_t)(uint32_t)a << 2) + b); break;
    case RV_OP_SH3ADD_UW: SET_X(in->rd, ((uint64_t)(uint32_t)a << 3) + b); break;
    case RV_OP_SLLI_UW: SET_X(in->rd, (uint64_t)(uint32_t)a << imm); break;
    /* Zbb */
    case RV_OP_ANDN: SET_X(in->rd, a & ~b); break;
    case RV_OP_ORN: SET_X(in->rd, a | ~b); break;
    case RV_OP_XNOR: SET_X(in->rd, ~(a ^ b)); break;
    case RV_OP_CLZ: SET_X(in->rd, a ? __builtin_clzll(a) : 64); break;
    case RV_OP_CTZ: SET_X(in->rd, a ? __builtin_ctzll(a) : 64); break;
    case RV_OP_CPOP: SET_X(in->rd, __builtin_popcountll(a)); break;
    case RV_OP_CLZW: SET_X(in->rd, (uint32_t)a ? __builtin_clz((uint32_t)a) : 32); break;
    case RV_OP_CTZW: SET_X(in->rd, (uint32_t)a ? __builtin_ctz((uint32_t)a) : 32); break;
    case RV_OP_CPOPW: SET_X(in->rd, __builtin_popcount((uint32_t)a)); break;
    case RV_OP_MAX: SET_X(in->rd, (int64_t)a > (int64_t)b ? a : b); break;
    case RV_OP_MAXU: SET_X(in->rd, a > b ? a : b); break;
    case RV_OP_MIN: SET_X(in->rd, (int64_t)a < (int64_t)b ? a : b); break;
    case RV_OP_MINU: SET_X(in->rd, a < b ? a : b); break;
    case RV_OP_SEXT_B: SET_X(in->rd, (int64_t)(int8_t)a); break;
    case RV_OP_SEXT_H: SET_X(in->rd, (int64_t)(int16_t)a); break;
    case RV_OP_ZEXT_H: SET_X(in->rd, (uint16_t)a); break;
    case RV_OP_ROL: SET_X(in->rd, rol64(a, (unsigned)(b & 63))); break;
    case RV_OP_ROR: SET_X(in->rd, rol64(a, (unsigned)((64 - (b & 63)) & 63))); break;
    case RV_OP_RORI: SET_X(in->rd, rol64(a, (unsigned)((64 - imm) & 63))); break;
    case RV_OP_ROLW: SET_X(in->rd, rv_sext32(rol32((uint32_t)a, (unsigned)(b & 31)))); break;
    case RV_OP_RORW:
        SET_X(in->rd, rv_sext32(rol32((uint32_t)a, (unsigned)((32 - (b & 31)) & 31))));
        break;
    case RV_OP_RORIW:
        SET_X(in->rd, rv_sext32(rol32((uint32_t)a, (unsigned)((32 - (imm & 31)) & 31))));
        break;
    case RV_OP_ORC_B: SET_X(in->rd, orc_b(a)); break;
    case RV_OP_REV8: SET_X(in->rd, __builtin_bswap64(a)); break;
    /* Zbs */
    case RV_OP_BCLR: SET_X(in->rd, a & ~(1ULL << (b & 63))); break;
    case RV_OP_BCLRI: SET_X(in->rd, a & ~(1ULL << imm)); break;
    case RV_OP_BEXT: SET_X(in->rd, (a >> (b & 63)) & 1); break;
    case RV_OP_BEXTI: SET_X(in->rd, (a >> imm) & 1); break;
    case RV_OP_BINV: SET_X(in->rd, a ^ (1ULL << (b & 63))); break;
    case RV_OP_BINVI: SET_X(in->rd, a ^ (1ULL << imm)); break;
    case RV_OP_BSET: SET_X(in->rd, a | (1ULL << (b & 63))); break;
    case RV_OP_BSETI: SET_X(in->rd, a | (1ULL << imm)); break;
    case RV_OP_CBO_INVAL: case RV_OP_CBO_CLEAN: case RV_OP_CBO_FLUSH: case RV_OP_CBO_ZERO:
        do_cbo(cpu, in);
        break;
    case RV_OP_ILLEGAL:
    case RV_OP_COUNT:
        illegal(cpu, in);
        break;
    default:
        /* Every remaining op is F/D arithmetic. */
        if (fp_off(cpu)) {
            illegal(cpu, in);
            break;
        }
        rv_exec_fp(cpu, in);
        break;
    }
}
