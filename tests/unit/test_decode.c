/* The RISC-V decoder (src/arch/riscv/decode.h): 32-bit encodings of every format with
 * immediate sign extension at the extremes, every RV64C instruction expanded to its 32-bit
 * op, the reserved compressed encodings, and the consistency of isa.def itself.
 * Reference encodings come from an assembler (llvm-mc -triple=riscv64), not from the
 * decoder's own bit shuffling. */
#include "arch/riscv/decode.h"
#include "check.h"

typedef struct expect {
    uint32_t raw;
    const char *text;   /* the assembly it came from */
    unsigned op;
    uint8_t rd, rs1, rs2;
    int64_t imm;
} expect;

#define E(raw, text, op, rd, rs1, rs2, imm) { raw, text, RV_OP_##op, rd, rs1, rs2, imm }

/* 32-bit encodings of every format (R, I, S, B, U, J, shifts, CSR, R4, AMO). */
static const expect full[] = {
    E(0x003100b3, "add ra, sp, gp", ADD, 1, 2, 3, 0),
    E(0x411d8fb3, "sub t6, s11, a7", SUB, 31, 27, 17, 0),
    E(0x80030293, "addi t0, t1, -2048", ADDI, 5, 6, 0, -2048),
    E(0x7ff30293, "addi t0, t1, 2047", ADDI, 5, 6, 0, 2047),
    E(0x8005a503, "lw a0, -2048(a1)", LW, 10, 11, 0, -2048),
    E(0x7ff4b403, "ld s0, 2047(s1)", LD, 8, 9, 0, 2047),
    E(0x80742023, "sw t2, -2048(s0)", SW, 0, 8, 7, -2048),
    E(0x7f1f3fa3, "sd a7, 2047(t5)", SD, 0, 30, 17, 2047),
    E(0xff3a0fa3, "sb s3, -1(s4)", SB, 0, 20, 19, -1),
    E(0x80208063, "beq ra, sp, -4096", BEQ, 0, 1, 2, -4096),
    E(0x7eb51fe3, "bne a0, a1, 4094", BNE, 0, 10, 11, 4094),
    E(0xfe62efe3, "bltu t0, t1, -2", BLTU, 0, 5, 6, -2),
    E(0x800001b7, "lui gp, 0x80000", LUI, 3, 0, 0, -2147483648LL),
    E(0x7ffff1b7, "lui gp, 0x7ffff", LUI, 3, 0, 0, 0x7ffff000),
    E(0xfffffe17, "auipc t3, 0xfffff", AUIPC, 28, 0, 0, -4096),
    E(0x800000ef, "jal ra, -1048576", JAL, 1, 0, 0, -1048576),
    E(0x7ffff06f, "jal zero, 1048574", JAL, 0, 0, 0, 1048574),
    E(0x800302e7, "jalr t0, -2048(t1)", JALR, 5, 6, 0, -2048),
    E(0x03f59513, "slli a0, a1, 63", SLLI, 10, 11, 0, 63),
    E(0x43f5d513, "srai a0, a1, 63", SRAI, 10, 11, 0, 63),
    E(0x0015d513, "srli a0, a1, 1", SRLI, 10, 11, 0, 1),
    E(0xfff6861b, "addiw a2, a3, -1", ADDIW, 12, 13, 0, -1),
    E(0x01f6961b, "slliw a2, a3, 31", SLLIW, 12, 13, 0, 31),
    E(0xfff110f3, "csrrw ra, 0xfff, sp", CSRRW, 1, 2, 0, 0xfff),
    E(0x100fe573, "csrrsi a0, sstatus, 31", CSRRSI, 10, 31, 0, 0x100),
    E(0x00000073, "ecall", ECALL, 0, 0, 0, 0),
    E(0x00100073, "ebreak", EBREAK, 0, 0, 1, 0),
    E(0x30200073, "mret", MRET, 0, 0, 2, 0),
    E(0x10200073, "sret", SRET, 0, 0, 2, 0),
    E(0x10500073, "wfi", WFI, 0, 0, 5, 0),
    E(0x12b50073, "sfence.vma a0, a1", SFENCE_VMA, 0, 10, 11, 0),
    E(0x0000100f, "fence.i", FENCE_I, 0, 0, 0, 0),
    E(0x0330000f, "fence rw, rw", FENCE, 0, 0, 0, 0x33),
    E(0x68c5f543, "fmadd.s fa0, fa1, fa2, fa3", FMADD_S, 10, 11, 12, 0),
    E(0x1a209043, "fmadd.d ft0, ft1, ft2, ft3, rtz", FMADD_D, 0, 1, 2, 0),
    E(0x06b6252f, "amoadd.w.aqrl a0, a1, (a2)", AMOADD_W, 10, 12, 11, 0),
    E(0x100332af, "lr.d t0, (t1)", LR_D, 5, 6, 0, 0),
    E(0x19ceb3af, "sc.d t2, t3, (t4)", SC_D, 7, 29, 28, 0),
    E(0x03498933, "mul s2, s3, s4", MUL, 18, 19, 20, 0),
    E(0xfe913c27, "fsd fs1, -8(sp)", FSD, 0, 2, 9, -8),
    E(0x00c52207, "flw ft4, 12(a0)", FLW, 4, 10, 0, 12),
    E(0x6b85d513, "rev8 a0, a1", REV8, 10, 11, 0, 0),
};

/* Every RV64C instruction and the 32-bit instruction it expands to. */
static const expect compressed[] = {
    E(0x1fe8, "c.addi4spn a0, sp, 1020", ADDI, 10, 2, 0, 1020),
    E(0x0044, "c.addi4spn s1, sp, 4", ADDI, 9, 2, 0, 4),
    E(0x3c68, "c.fld fa0, 248(s0)", FLD, 10, 8, 0, 248),
    E(0x5f7c, "c.lw a5, 124(a4)", LW, 15, 14, 0, 124),
    E(0x7e6c, "c.ld a1, 248(a2)", LD, 11, 12, 0, 248),
    E(0xa68c, "c.fsd fa1, 8(a3)", FSD, 0, 13, 11, 8),
    E(0xc0bc, "c.sw a5, 64(s1)", SW, 0, 9, 15, 64),
    E(0xe140, "c.sd s0, 128(a0)", SD, 0, 10, 8, 128),
    E(0x0001, "c.nop", ADDI, 0, 0, 0, 0),
    E(0x1501, "c.addi a0, -32", ADDI, 10, 10, 0, -32),
    E(0x02fd, "c.addi t0, 31", ADDI, 5, 5, 0, 31),
    E(0x357d, "c.addiw a0, -1", ADDIW, 10, 10, 0, -1),
    E(0x5081, "c.li ra, -32", ADDI, 1, 0, 0, -32),
    E(0x4015, "c.li zero, 5 (hint)", ADDI, 0, 0, 0, 5),
    E(0x7101, "c.addi16sp sp, -512", ADDI, 2, 2, 0, -512),
    E(0x617d, "c.addi16sp sp, 496", ADDI, 2, 2, 0, 496),
    E(0x7301, "c.lui t1, 0xfffe0", LUI, 6, 0, 0, -32 * 4096),
    E(0x6d85, "c.lui s11, 1", LUI, 27, 0, 0, 4096),
    E(0x657d, "c.lui a0, 31", LUI, 10, 0, 0, 31 * 4096),
    E(0x92fd, "c.srli a3, 63", SRLI, 13, 13, 0, 63),
    E(0x8705, "c.srai a4, 1", SRAI, 14, 14, 0, 1),
    E(0x9801, "c.andi s0, -32", ANDI, 8, 8, 0, -32),
    E(0x8c1d, "c.sub s0, a5", SUB, 8, 8, 15, 0),
    E(0x8cb9, "c.xor s1, a4", XOR, 9, 9, 14, 0),
    E(0x8d4d, "c.or a0, a1", OR, 10, 10, 11, 0),
    E(0x8e75, "c.and a2, a3", AND, 12, 12, 13, 0),
    E(0x9f1d, "c.subw a4, a5", SUBW, 14, 14, 15, 0),
    E(0x9c25, "c.addw s0, s1", ADDW, 8, 8, 9, 0),
    E(0xb001, "c.j -2048", JAL, 0, 0, 0, -2048),
    E(0xaffd, "c.j 2046", JAL, 0, 0, 0, 2046),
    E(0xd101, "c.beqz a0, -256", BEQ, 0, 10, 0, -256),
    E(0xecfd, "c.bnez s1, 254", BNE, 0, 9, 0, 254),
    E(0x1e7e, "c.slli t3, 63", SLLI, 28, 28, 0, 63),
    E(0x347e, "c.fldsp fs0, 504(sp)", FLD, 8, 2, 0, 504),
    E(0x50fe, "c.lwsp ra, 252(sp)", LW, 1, 2, 0, 252),
    E(0x797e, "c.ldsp s2, 504(sp)", LD, 18, 2, 0, 504),
    E(0x8082, "c.jr ra", JALR, 0, 1, 0, 0),
    E(0x857e, "c.mv a0, t6", ADD, 10, 0, 31, 0),
    E(0x9002, "c.ebreak", EBREAK, 0, 0, 0, 0),
    E(0x9282, "c.jalr t0", JALR, 1, 5, 0, 0),
    E(0x912a, "c.add sp, a0", ADD, 2, 2, 10, 0),
    E(0xbf8e, "c.fsdsp ft3, 504(sp)", FSD, 0, 2, 3, 504),
    E(0xdff6, "c.swsp t4, 252(sp)", SW, 0, 2, 29, 252),
    E(0xfffa, "c.sdsp t5, 504(sp)", SD, 0, 2, 30, 504),
};

/* Which fields matter for an op: stores and branches have no rd; U/J have no rs1. The
 * decoder extracts every field of a 32-bit word regardless, so only compare the ones the
 * format defines. */
static void check_expect(const expect *e, unsigned len)
{
    rv_insn in;
    memset(&in, 0xee, sizeof in);
    rv_decode(e->raw, &in);
    char name[160];
    snprintf(name, sizeof name, "%s: op %s", e->text, rv_op_name(e->op));
    if (!CHECK_EQ(in.op, e->op, name))
        printf("#   decoded as %s\n", rv_op_name(in.op));
    bool is_store = e->op == RV_OP_SB || e->op == RV_OP_SH || e->op == RV_OP_SW ||
                    e->op == RV_OP_SD || e->op == RV_OP_FSD || e->op == RV_OP_FSW;
    bool is_branch = e->op >= RV_OP_BEQ && e->op <= RV_OP_BGEU;
    bool has_rs2 = e->rs2 != 0 || len == 2;
    bool has_rs1 = !(e->op == RV_OP_LUI || e->op == RV_OP_AUIPC || e->op == RV_OP_JAL) ||
                   len == 2;
    if (!is_store && !is_branch) {
        snprintf(name, sizeof name, "%s: rd", e->text);
        CHECK_EQ(in.rd, e->rd, name);
    }
    if (has_rs1) {
        snprintf(name, sizeof name, "%s: rs1", e->text);
        CHECK_EQ(in.rs1, e->rs1, name);
    }
    if (has_rs2) {
        snprintf(name, sizeof name, "%s: rs2", e->text);
        CHECK_EQ(in.rs2, e->rs2, name);
    }
    snprintf(name, sizeof name, "%s: imm %lld", e->text, (long long)e->imm);
    CHECK_EQ(in.imm, e->imm, name);
    snprintf(name, sizeof name, "%s: len %u", e->text, len);
    CHECK_EQ(in.len, len, name);
}

static void test_full(void)
{
    for (size_t i = 0; i < sizeof full / sizeof full[0]; i++)
        check_expect(&full[i], 4);

    rv_insn in;
    rv_decode(0x68c5f543, &in); /* fmadd.s fa0, fa1, fa2, fa3 (dyn) */
    CHECK(in.rs3 == 13 && in.rm == 7, "fmadd.s: rs3 = fa3, rm = dyn");
    rv_decode(0x1a209043, &in); /* fmadd.d ..., rtz */
    CHECK(in.rs3 == 3 && in.rm == 1, "fmadd.d: rs3 = ft3, rm = rtz");
    CHECK_EQ(in.raw, 0x1a209043, "raw kept for 32-bit");

    static const struct { uint32_t raw; const char *why; } bad[] = {
        { 0xffffffff, "all ones (>32-bit encoding space)" },
        { 0x0000000b, "custom-0 opcode" },
        { 0x0000007b, "custom-3 opcode" },
        { 0x20000033, "OP with funct7 0x10 funct3 0" },
        { 0x04059513, "slli with funct6 = 1" },
        { 0x000000f3, "ecall with rd != 0" },
        { 0x00007003, "load with funct3 7" },
        { 0x00007023, "store with funct3 7" },
        { 0x00002063, "branch funct3 2" },
        { 0x00001067, "jalr funct3 1" },
        { 0x00004073, "SYSTEM funct3 4" },
        { 0x0000003f, "48-bit encoding prefix" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rv_decode(bad[i].raw, &in);
        char name[128];
        snprintf(name, sizeof name, "0x%08x illegal: %s", bad[i].raw, bad[i].why);
        if (!CHECK_EQ(in.op, RV_OP_ILLEGAL, name))
            printf("#   decoded as %s\n", rv_op_name(in.op));
    }
    CHECK_STR(rv_op_name(RV_OP_ILLEGAL), "illegal", "name of RV_OP_ILLEGAL");
    CHECK_STR(rv_op_name(RV_OP_COUNT + 5), "?", "name of an out-of-range op");
}

static void test_compressed(void)
{
    for (size_t i = 0; i < sizeof compressed / sizeof compressed[0]; i++)
        check_expect(&compressed[i], 2);

    /* Only the low 16 bits of a compressed instruction count. */
    rv_insn in;
    rv_decode(0xdead1501u, &in);
    CHECK(in.op == RV_OP_ADDI && in.len == 2 && in.imm == -32, "upper half ignored for RVC");
    CHECK_EQ(in.raw, 0x1501, "raw of RVC is the 16-bit word");

    static const struct { uint16_t raw; const char *why; } reserved[] = {
        { 0x0000, "all-zero word" },
        { 0x0004, "c.addi4spn nzuimm = 0 (rd' = s1)" },
        { 0x001c, "c.addi4spn nzuimm = 0 (rd' = a5)" },
        { 0x4002, "c.lwsp rd = 0" },
        { 0x50f2 & ~0x0f80, "c.lwsp rd = 0 with offset" },
        { 0x6002, "c.ldsp rd = 0" },
        { 0x707e & ~0x0f80, "c.ldsp rd = 0 with offset" },
        { 0x8002, "c.jr rs1 = 0" },
        { 0x6101, "c.addi16sp imm = 0" },
        { 0x6081, "c.lui ra, 0" },
        { 0x6f81, "c.lui t6, 0" },
        { 0x2005, "c.addiw rd = 0" },
        { 0x3ffd & ~0x0f80, "c.addiw rd = 0, imm -1" },
        { 0x8000, "quadrant 0 funct3 100" },
        { 0x9ffc, "quadrant 0 funct3 100 (all other bits set)" },
        { 0x9c41, "c.subw space: funct2 = 10" },
        { 0x9c61, "c.subw space: funct2 = 11" },
        { 0x9ffd, "c.subw space: funct2 = 11, all registers s7/a5" },
    };
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++) {
        rv_decode(reserved[i].raw, &in);
        char name[128];
        snprintf(name, sizeof name, "0x%04x reserved: %s", reserved[i].raw, reserved[i].why);
        if (!CHECK_EQ(in.op, RV_OP_ILLEGAL, name))
            printf("#   decoded as %s\n", rv_op_name(in.op));
        snprintf(name, sizeof name, "0x%04x reserved: len 2", reserved[i].raw);
        CHECK_EQ(in.len, 2, name);
    }

    /* Every 16-bit word decodes to a well-formed record whose op is one that some RV64C
     * instruction expands to (or illegal). */
    static const unsigned rvc_ops[] = {
        RV_OP_ILLEGAL, RV_OP_ADDI, RV_OP_ADDIW, RV_OP_LUI, RV_OP_FLD, RV_OP_LW, RV_OP_LD,
        RV_OP_FSD, RV_OP_SW, RV_OP_SD, RV_OP_SRLI, RV_OP_SRAI, RV_OP_ANDI, RV_OP_SUB,
        RV_OP_XOR, RV_OP_OR, RV_OP_AND, RV_OP_SUBW, RV_OP_ADDW, RV_OP_JAL, RV_OP_BEQ,
        RV_OP_BNE, RV_OP_SLLI, RV_OP_JALR, RV_OP_ADD, RV_OP_EBREAK,
    };
    unsigned insane = 0;
    for (uint32_t w = 0; w < 0x10000; w++) {
        if ((w & 3) == 3)
            continue;
        rv_decode(w, &in);
        bool known = false;
        for (size_t k = 0; k < sizeof rvc_ops / sizeof rvc_ops[0]; k++)
            known |= in.op == rvc_ops[k];
        if (!known || in.len != 2 || in.raw != w || in.rd > 31 || in.rs1 > 31 || in.rs2 > 31 ||
            in.rs3 != 0) {
            if (insane++ < 5)
                printf("#   0x%04x -> %s len %u\n", w, rv_op_name(in.op), in.len);
        }
    }
    bool sane = insane == 0;
    CHECK(sane, "all 49152 compressed words decode to sane records");
}

/* isa.def as data: every MATCH decodes to its own op (no earlier pattern shadows it), and
 * so does MATCH with every don't-care bit set. */
typedef struct def_entry {
    unsigned op;
    const char *name;
    uint32_t mask, match;
} def_entry;

static const def_entry defs[] = {
#define RV_INSN(name, mnem, mask, match, fmt) { RV_OP_##name, mnem, mask, match },
#include "arch/riscv/isa.def"
#undef RV_INSN
};

static void test_table(void)
{
    size_t n = sizeof defs / sizeof defs[0];
    CHECK_EQ(n, RV_OP_COUNT - 1, "one table entry per op");
    unsigned bad_match = 0, bad_dontcare = 0, bad_name = 0, overlaps = 0, bad_shape = 0;
    for (size_t i = 0; i < n; i++) {
        const def_entry *d = &defs[i];
        rv_insn in;
        if ((d->match & ~d->mask) != 0 || (d->match & 3) != 3 || (d->mask & 0x7f) != 0x7f) {
            printf("#   %s: match has bits outside the mask or no full opcode\n", d->name);
            bad_shape++;
        }
        rv_decode(d->match, &in);
        if (in.op != d->op || in.len != 4) {
            printf("#   %s: MATCH 0x%08x decodes to %s\n", d->name, d->match,
                   rv_op_name(in.op));
            bad_match++;
        }
        uint32_t all = d->match | ~d->mask;
        rv_decode(all, &in);
        if (in.op != d->op) {
            printf("#   %s: 0x%08x (don't-cares set) decodes to %s\n", d->name, all,
                   rv_op_name(in.op));
            bad_dontcare++;
        }
        if (strcmp(rv_op_name(d->op), d->name) != 0)
            bad_name++;
        for (size_t j = 0; j < n; j++) {
            if (j != i && (d->match & defs[j].mask) == defs[j].match) {
                printf("#   %s's MATCH also matches %s\n", d->name, defs[j].name);
                overlaps++;
            }
        }
    }
    CHECK_EQ(bad_shape, 0, "every MATCH lies within its MASK and fixes the opcode");
    CHECK_EQ(bad_match, 0, "every isa.def MATCH decodes to its own op");
    CHECK_EQ(bad_dontcare, 0, "MATCH | ~MASK decodes to its own op");
    CHECK_EQ(overlaps, 0, "no MATCH is matched by another entry's pattern");
    CHECK_EQ(bad_name, 0, "rv_op_name gives the isa.def mnemonic");
}

int main(void)
{
    test_full();
    test_compressed();
    test_table();
    return check_done();
}
