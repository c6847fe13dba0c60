/* The block interpreter: guest code is decoded once into blocks of rv_insn records (up to a
 * control transfer, a system instruction or the end of the page) and run with threaded
 * dispatch (computed goto: one indirect jump per instruction, no fetch or decode on the
 * way). Blocks are keyed by virtual pc and validated at entry against the code bytes they
 * and RAM page they were decoded from: the block records the host address of its code
 * and the page's write generation (mem/bus.h code-page tracking), so remapped pages and
 * code written since can never run stale records. Checking at block entry is enough:
 * a hart sees its own instruction writes only after fence.i (Unpriv. ISA §3.1 "Zifencei").
 * Interrupts, timers and I/O are looked at between blocks; instret advances per block. */
#include <string.h>

#include "arch/riscv/cpu.h"
#include "arch/riscv/execute.h"
#include "arch/riscv/interp.h"
#include "arch/riscv/mmu.h"

static bool ends_block(unsigned op)
{
    switch (op) {
    case RV_OP_JAL: case RV_OP_JALR: case RV_OP_BEQ: case RV_OP_BNE: case RV_OP_BLT:
    case RV_OP_BGE: case RV_OP_BLTU: case RV_OP_BGEU: case RV_OP_ECALL: case RV_OP_EBREAK:
    case RV_OP_MRET: case RV_OP_SRET: case RV_OP_WFI: case RV_OP_SFENCE_VMA:
    case RV_OP_FENCE_I: case RV_OP_CSRRW: case RV_OP_CSRRS: case RV_OP_CSRRC:
    case RV_OP_CSRRWI: case RV_OP_CSRRSI: case RV_OP_CSRRCI: case RV_OP_ILLEGAL:
        return true;
    default:
        return false;
    }
}

/* The sentinel op ending every block's record array (never produced by the decoder). */
#define OP_BLOCK_END RV_OP_COUNT
/* Register slot that takes writes to x0 in blocks, so handlers need no rd != 0 test. */
#define X_SINK 32

/* Decode a block starting at pc whose bytes are at host (same page, in RAM).
 * `fast` tells which ops the threaded handlers run (they may have rd redirected to the
 * sink). Returns false if not even one instruction fits in the page (a 32-bit
 * instruction straddling the end). */
static bool build_block(rv_cpu *cpu, rv_block *b, uint64_t pc, const uint8_t *host,
                        const bool *fast)
{
    bus *bus = &cpu->m->bus;
    gpa_t pa;
    const uint32_t *genp = bus_ram_gpa(bus, host, &pa) ? bus_code_page_mark(bus, pa) : NULL;
    if (!genp)
        return false;
    unsigned room = 4096 - (unsigned)(pc & 0xfff);
    unsigned off = 0, n = 0;
    while (n < RV_BLOCK_MAX && off + 2 <= room) {
        uint16_t lo;
        memcpy(&lo, host + off, 2);
        uint32_t raw = lo;
        if ((lo & 3) == 3) {
            if (off + 4 > room)
                break;
            memcpy(&raw, host + off, 4);
        }
        rv_insn *in = &b->insn[n++];
        rv_decode(raw, in);
        if (in->rd == 0 && fast[in->op])
            in->rd = X_SINK;
        off += in->len;
        if (ends_block(in->op))
            break;
    }
    if (n == 0)
        return false;
    memset(&b->insn[n], 0, sizeof b->insn[n]);
    b->insn[n].op = OP_BLOCK_END;
    b->pc = pc + 1;
    b->host = host;
    b->genp = genp;
    b->gen = *genp;
    b->n = (uint16_t)n;
    b->bytes = (uint16_t)off;
    return true;
}

/* The host pointer to the code at pc through the exec TLB, refilling it once. NULL if the
 * page cannot be cached (MMIO, partial PMP) or the fetch faults (then cpu->trapped). */
static inline const uint8_t *code_ptr(rv_cpu *cpu, uint64_t pc)
{
    const uint8_t *p = rv_tlb_lookup(cpu, (unsigned)cpu->priv, ACC_EXEC, pc, 1);
    if (likely(p != NULL))
        return p;
    uint32_t raw;
    if (!rv_fetch_slow(cpu, pc, &raw))
        return NULL;
    return rv_tlb_lookup(cpu, (unsigned)cpu->priv, ACC_EXEC, pc, 1);
}

uint64_t rv_interp_run(rv_cpu *cpu, uint64_t budget, uint64_t (*step)(rv_cpu *))
{
    machine *m = cpu->m;
    uint64_t *const x = cpu->x;
    uint64_t n = 0;

    /* Ops without a label of their own run through rv_execute (op_generic). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
    static const void *const labels[RV_OP_COUNT + 1] = {
        [0 ... RV_OP_COUNT - 1] = &&op_generic,
        [OP_BLOCK_END] = &&block_done,
        [RV_OP_LUI] = &&op_lui,     [RV_OP_AUIPC] = &&op_auipc, [RV_OP_JAL] = &&op_jal,
        [RV_OP_JALR] = &&op_jalr,   [RV_OP_BEQ] = &&op_beq,     [RV_OP_BNE] = &&op_bne,
        [RV_OP_BLT] = &&op_blt,     [RV_OP_BGE] = &&op_bge,     [RV_OP_BLTU] = &&op_bltu,
        [RV_OP_BGEU] = &&op_bgeu,   [RV_OP_LB] = &&op_lb,       [RV_OP_LH] = &&op_lh,
        [RV_OP_LW] = &&op_lw,       [RV_OP_LD] = &&op_ld,       [RV_OP_LBU] = &&op_lbu,
        [RV_OP_LHU] = &&op_lhu,     [RV_OP_LWU] = &&op_lwu,     [RV_OP_SB] = &&op_sb,
        [RV_OP_SH] = &&op_sh,       [RV_OP_SW] = &&op_sw,       [RV_OP_SD] = &&op_sd,
        [RV_OP_ADDI] = &&op_addi,   [RV_OP_SLTI] = &&op_slti,   [RV_OP_SLTIU] = &&op_sltiu,
        [RV_OP_XORI] = &&op_xori,   [RV_OP_ORI] = &&op_ori,     [RV_OP_ANDI] = &&op_andi,
        [RV_OP_SLLI] = &&op_slli,   [RV_OP_SRLI] = &&op_srli,   [RV_OP_SRAI] = &&op_srai,
        [RV_OP_ADD] = &&op_add,     [RV_OP_SUB] = &&op_sub,     [RV_OP_SLL] = &&op_sll,
        [RV_OP_SLT] = &&op_slt,     [RV_OP_SLTU] = &&op_sltu,   [RV_OP_XOR] = &&op_xor,
        [RV_OP_SRL] = &&op_srl,     [RV_OP_SRA] = &&op_sra,     [RV_OP_OR] = &&op_or,
        [RV_OP_AND] = &&op_and,     [RV_OP_ADDIW] = &&op_addiw, [RV_OP_SLLIW] = &&op_slliw,
        [RV_OP_SRLIW] = &&op_srliw, [RV_OP_SRAIW] = &&op_sraiw, [RV_OP_ADDW] = &&op_addw,
        [RV_OP_SUBW] = &&op_subw,   [RV_OP_SLLW] = &&op_sllw,   [RV_OP_SRLW] = &&op_srlw,
        [RV_OP_SRAW] = &&op_sraw,   [RV_OP_MUL] = &&op_mul,     [RV_OP_MULW] = &&op_mulw,
        [RV_OP_FENCE] = &&op_nop,
    };
#pragma GCC diagnostic pop
    bool fast[RV_OP_COUNT + 1];
    for (unsigned i = 0; i <= RV_OP_COUNT; i++)
        fast[i] = labels[i] != &&op_generic;

    while (n < budget && !m->stop) {
        if (unlikely(cpu->irq_check) && !rv_poll_interrupts(cpu))
            break;
        uint64_t pc = cpu->pc;
        const uint8_t *host = code_ptr(cpu, pc);
        if (unlikely(!host)) {
            if (cpu->trapped) { /* fetch fault taken */
                cpu->trapped = false;
                cpu->irq_check = true;
                n++;
            } else {
                n += step(cpu); /* uncacheable code: one instruction at a time */
            }
            continue;
        }
        rv_block *b = &cpu->blocks[(pc >> 1) & (RV_BLOCK_CACHE - 1)];
        if (unlikely(b->pc != pc + 1 || b->host != host || *b->genp != b->gen)) {
            if (!build_block(cpu, b, pc, host, fast)) {
                b->pc = 0;
                n += step(cpu);
                continue;
            }
        }

        const rv_insn *in = b->insn;
        /* Privilege and mstatus change only at block ends (CSR, xRET, traps), so the data
         * TLB set is fixed for the whole block. */
        const unsigned dctx = rv_data_ctx(cpu);

#define DISPATCH() goto *labels[in->op]
#define NEXT()                                                                               \
    do {                                                                                     \
        pc += in->len;                                                                       \
        in++;                                                                                \
        DISPATCH();                                                                          \
    } while (0)
#define JUMP(target)                                                                         \
    do {                                                                                     \
        pc = (target);                                                                       \
        in++;                                                                                \
        goto block_done;                                                                     \
    } while (0)
#define RD x[in->rd]
#define RS1 x[in->rs1]
#define RS2 x[in->rs2]
#define IMM ((uint64_t)in->imm)
/* Loads and stores: the TLB hit inline; the pc is stored for the slow path only, which
 * may raise an exception naming it. */
#define LOAD(size, type)                                                                     \
    do {                                                                                     \
        uint64_t a_ = RS1 + IMM;                                                             \
        uint8_t *p_ = rv_tlb_lookup(cpu, dctx, ACC_READ, a_, size);              \
        if (likely(p_ != NULL)) {                                                            \
            type v_;                                                                         \
            memcpy(&v_, p_, size);                                                           \
            RD = (uint64_t)v_;                                                               \
        } else {                                                                             \
            uint64_t v_;                                                                     \
            cpu->pc = pc;                                                                    \
            if (unlikely(!rv_load_slow(cpu, a_, size, &v_)))                                 \
                goto trapped;                                                                \
            RD = (uint64_t)(type)v_;                                                         \
        }                                                                                    \
    } while (0)
#define STORE(size, type)                                                                    \
    do {                                                                                     \
        uint64_t a_ = RS1 + IMM;                                                             \
        uint8_t *p_ = rv_tlb_lookup(cpu, dctx, ACC_WRITE, a_, size);             \
        if (likely(p_ != NULL)) {                                                            \
            type v_ = (type)RS2;                                                             \
            memcpy(p_, &v_, size);                                                           \
        } else {                                                                             \
            cpu->pc = pc;                                                                    \
            if (unlikely(!rv_store_slow(cpu, a_, size, RS2)))                                \
                goto trapped;                                                                \
        }                                                                                    \
    } while (0)

        DISPATCH();

    op_lui: RD = IMM; NEXT();
    op_auipc: RD = pc + IMM; NEXT();
    op_jal: { uint64_t t = pc + IMM; RD = pc + in->len; JUMP(t); }
    op_jalr: { uint64_t t = (RS1 + IMM) & ~1ULL; RD = pc + in->len; JUMP(t); }
    op_beq: if (RS1 == RS2) JUMP(pc + IMM); NEXT();
    op_bne: if (RS1 != RS2) JUMP(pc + IMM); NEXT();
    op_blt: if ((int64_t)RS1 < (int64_t)RS2) JUMP(pc + IMM); NEXT();
    op_bge: if ((int64_t)RS1 >= (int64_t)RS2) JUMP(pc + IMM); NEXT();
    op_bltu: if (RS1 < RS2) JUMP(pc + IMM); NEXT();
    op_bgeu: if (RS1 >= RS2) JUMP(pc + IMM); NEXT();
    op_lb: LOAD(1, int8_t); NEXT();
    op_lh: LOAD(2, int16_t); NEXT();
    op_lw: LOAD(4, int32_t); NEXT();
    op_ld: LOAD(8, uint64_t); NEXT();
    op_lbu: LOAD(1, uint8_t); NEXT();
    op_lhu: LOAD(2, uint16_t); NEXT();
    op_lwu: LOAD(4, uint32_t); NEXT();
    op_sb: STORE(1, uint8_t); NEXT();
    op_sh: STORE(2, uint16_t); NEXT();
    op_sw: STORE(4, uint32_t); NEXT();
    op_sd: STORE(8, uint64_t); NEXT();
    op_addi: RD = RS1 + IMM; NEXT();
    op_slti: RD = (int64_t)RS1 < in->imm; NEXT();
    op_sltiu: RD = RS1 < IMM; NEXT();
    op_xori: RD = RS1 ^ IMM; NEXT();
    op_ori: RD = RS1 | IMM; NEXT();
    op_andi: RD = RS1 & IMM; NEXT();
    op_slli: RD = RS1 << in->imm; NEXT();
    op_srli: RD = RS1 >> in->imm; NEXT();
    op_srai: RD = (uint64_t)((int64_t)RS1 >> in->imm); NEXT();
    op_add: RD = RS1 + RS2; NEXT();
    op_sub: RD = RS1 - RS2; NEXT();
    op_sll: RD = RS1 << (RS2 & 63); NEXT();
    op_slt: RD = (int64_t)RS1 < (int64_t)RS2; NEXT();
    op_sltu: RD = RS1 < RS2; NEXT();
    op_xor: RD = RS1 ^ RS2; NEXT();
    op_srl: RD = RS1 >> (RS2 & 63); NEXT();
    op_sra: RD = (uint64_t)((int64_t)RS1 >> (RS2 & 63)); NEXT();
    op_or: RD = RS1 | RS2; NEXT();
    op_and: RD = RS1 & RS2; NEXT();
    op_addiw: RD = (uint64_t)rv_sext32(RS1 + IMM); NEXT();
    op_slliw: RD = (uint64_t)rv_sext32((uint32_t)RS1 << in->imm); NEXT();
    op_srliw: RD = (uint64_t)rv_sext32((uint32_t)RS1 >> in->imm); NEXT();
    op_sraiw: RD = (uint64_t)(int64_t)((int32_t)RS1 >> in->imm); NEXT();
    op_addw: RD = (uint64_t)rv_sext32(RS1 + RS2); NEXT();
    op_subw: RD = (uint64_t)rv_sext32(RS1 - RS2); NEXT();
    op_sllw: RD = (uint64_t)rv_sext32((uint32_t)RS1 << (RS2 & 31)); NEXT();
    op_srlw: RD = (uint64_t)rv_sext32((uint32_t)RS1 >> (RS2 & 31)); NEXT();
    op_sraw: RD = (uint64_t)(int64_t)((int32_t)RS1 >> (RS2 & 31)); NEXT();
    op_mul: RD = RS1 * RS2; NEXT();
    op_mulw: RD = (uint64_t)rv_sext32(RS1 * RS2); NEXT();
    op_nop: NEXT();
    op_generic: {
        /* Everything else runs through the reference executor. The instructions before
         * it in the block have retired: count them while it runs, so that a counter CSR
         * access (which ends a block) sees the exact instret. */
        const uint64_t retired = (uint64_t)(in - b->insn);
        cpu->pc = pc;
        cpu->next_pc = pc + in->len;
        cpu->instret += retired;
        rv_execute(cpu, in);
        cpu->instret -= retired;
        if (unlikely(cpu->trapped))
            goto trapped;
        if (cpu->next_pc != pc + in->len) {
            pc = cpu->next_pc;
            in++;
            goto block_done;
        }
        NEXT();
    }

    trapped:
        /* The instruction at `in` raised an exception: those before it retired. */
        cpu->trapped = false;
        cpu->irq_check = true;
        cpu->instret += (uint64_t)(in - b->insn);
        n += (uint64_t)(in - b->insn) + 1;
        continue;

    block_done:
        cpu->pc = pc;
        cpu->instret += (uint64_t)(in - b->insn);
        n += (uint64_t)(in - b->insn);
#undef DISPATCH
#undef NEXT
#undef JUMP
#undef RD
#undef RS1
#undef RS2
#undef IMM
#undef LOAD
#undef STORE
    }
    return n;
}
