/* RV64C: each compressed instruction decodes to the rv_insn of the 32-bit instruction it
 * expands to (Unpriv. ISA chapter 16 "C", Table 16.5-16.7 opcode map). Reserved encodings
 * and the defined-illegal all-zero word decode to RV_OP_ILLEGAL. */
#include "arch/riscv/decode.h"

static inline uint32_t bit(uint32_t w, unsigned b)
{
    return (w >> b) & 1;
}

static inline uint32_t bits(uint32_t w, unsigned hi, unsigned lo)
{
    return (w >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static inline int64_t sext(uint64_t v, unsigned nbits)
{
    return (int64_t)(v << (64 - nbits)) >> (64 - nbits);
}

static void set(rv_insn *o, rv_op op, unsigned rd, unsigned rs1, unsigned rs2, int64_t imm)
{
    o->op = (uint16_t)op;
    o->rd = (uint8_t)rd;
    o->rs1 = (uint8_t)rs1;
    o->rs2 = (uint8_t)rs2;
    o->imm = imm;
}

void rv_decode_rvc(uint16_t raw, rv_insn *o)
{
    uint32_t w = raw;
    o->raw = w;
    o->len = 2;
    o->rs3 = 0;
    o->rm = 0;
    set(o, RV_OP_ILLEGAL, 0, 0, 0, 0);

    unsigned rd = bits(w, 11, 7), rs2 = bits(w, 6, 2);
    unsigned rdp = bits(w, 4, 2) + 8, rs1p = bits(w, 9, 7) + 8; /* rd'/rs2' and rs1' */
    int64_t imm6 = sext(bit(w, 12) << 5 | bits(w, 6, 2), 6);

    switch ((bits(w, 1, 0) << 3) | bits(w, 15, 13)) {
    /* Quadrant 0 */
    case 000: { /* C.ADDI4SPN */
        uint32_t nz = bits(w, 12, 11) << 4 | bits(w, 10, 7) << 6 | bit(w, 6) << 2 | bit(w, 5) << 3;
        if (nz)
            set(o, RV_OP_ADDI, rdp, 2, 0, nz);
        break;
    }
    case 001: /* C.FLD */
        set(o, RV_OP_FLD, rdp, rs1p, 0, bits(w, 12, 10) << 3 | bits(w, 6, 5) << 6);
        break;
    case 002: /* C.LW */
        set(o, RV_OP_LW, rdp, rs1p, 0, bits(w, 12, 10) << 3 | bit(w, 6) << 2 | bit(w, 5) << 6);
        break;
    case 003: /* C.LD */
        set(o, RV_OP_LD, rdp, rs1p, 0, bits(w, 12, 10) << 3 | bits(w, 6, 5) << 6);
        break;
    case 005: /* C.FSD */
        set(o, RV_OP_FSD, 0, rs1p, rdp, bits(w, 12, 10) << 3 | bits(w, 6, 5) << 6);
        break;
    case 006: /* C.SW */
        set(o, RV_OP_SW, 0, rs1p, rdp, bits(w, 12, 10) << 3 | bit(w, 6) << 2 | bit(w, 5) << 6);
        break;
    case 007: /* C.SD */
        set(o, RV_OP_SD, 0, rs1p, rdp, bits(w, 12, 10) << 3 | bits(w, 6, 5) << 6);
        break;
    /* Quadrant 1 */
    case 010: /* C.ADDI, C.NOP */
        set(o, RV_OP_ADDI, rd, rd, 0, imm6);
        break;
    case 011: /* C.ADDIW (rd = 0 reserved) */
        if (rd)
            set(o, RV_OP_ADDIW, rd, rd, 0, imm6);
        break;
    case 012: /* C.LI */
        set(o, RV_OP_ADDI, rd, 0, 0, imm6);
        break;
    case 013:
        if (rd == 2) { /* C.ADDI16SP (imm = 0 reserved) */
            int64_t imm = sext(bit(w, 12) << 9 | bit(w, 6) << 4 | bit(w, 5) << 6 |
                                   bits(w, 4, 3) << 7 | bit(w, 2) << 5,
                               10);
            if (imm)
                set(o, RV_OP_ADDI, 2, 2, 0, imm);
        } else if (imm6) { /* C.LUI (imm = 0 reserved) */
            set(o, RV_OP_LUI, rd, 0, 0, imm6 * 4096);
        }
        break;
    case 014: {
        unsigned shamt = bit(w, 12) << 5 | bits(w, 6, 2);
        switch (bits(w, 11, 10)) {
        case 0: set(o, RV_OP_SRLI, rs1p, rs1p, 0, shamt); break;
        case 1: set(o, RV_OP_SRAI, rs1p, rs1p, 0, shamt); break;
        case 2: set(o, RV_OP_ANDI, rs1p, rs1p, 0, imm6); break;
        default: {
            static const rv_op ops[8] = { RV_OP_SUB,  RV_OP_XOR,  RV_OP_OR,      RV_OP_AND,
                                          RV_OP_SUBW, RV_OP_ADDW, RV_OP_ILLEGAL, RV_OP_ILLEGAL };
            rv_op op = ops[bit(w, 12) << 2 | bits(w, 6, 5)];
            if (op != RV_OP_ILLEGAL)
                set(o, op, rs1p, rs1p, rdp, 0);
            break;
        }
        }
        break;
    }
    case 015: /* C.J */
        set(o, RV_OP_JAL, 0, 0, 0,
            sext(bit(w, 12) << 11 | bit(w, 11) << 4 | bits(w, 10, 9) << 8 | bit(w, 8) << 10 |
                     bit(w, 7) << 6 | bit(w, 6) << 7 | bits(w, 5, 3) << 1 | bit(w, 2) << 5,
                 12));
        break;
    case 016: /* C.BEQZ */
    case 017: { /* C.BNEZ */
        int64_t imm = sext(bit(w, 12) << 8 | bits(w, 11, 10) << 3 | bits(w, 6, 5) << 6 |
                               bits(w, 4, 3) << 1 | bit(w, 2) << 5,
                           9);
        set(o, bits(w, 15, 13) == 6 ? RV_OP_BEQ : RV_OP_BNE, 0, rs1p, 0, imm);
        break;
    }
    /* Quadrant 2 */
    case 020: /* C.SLLI */
        set(o, RV_OP_SLLI, rd, rd, 0, bit(w, 12) << 5 | bits(w, 6, 2));
        break;
    case 021: /* C.FLDSP */
        set(o, RV_OP_FLD, rd, 2, 0, bit(w, 12) << 5 | bits(w, 6, 5) << 3 | bits(w, 4, 2) << 6);
        break;
    case 022: /* C.LWSP (rd = 0 reserved) */
        if (rd)
            set(o, RV_OP_LW, rd, 2, 0, bit(w, 12) << 5 | bits(w, 6, 4) << 2 | bits(w, 3, 2) << 6);
        break;
    case 023: /* C.LDSP (rd = 0 reserved) */
        if (rd)
            set(o, RV_OP_LD, rd, 2, 0, bit(w, 12) << 5 | bits(w, 6, 5) << 3 | bits(w, 4, 2) << 6);
        break;
    case 024:
        if (!bit(w, 12)) {
            if (rs2 == 0) { /* C.JR (rs1 = 0 reserved) */
                if (rd)
                    set(o, RV_OP_JALR, 0, rd, 0, 0);
            } else { /* C.MV */
                set(o, RV_OP_ADD, rd, 0, rs2, 0);
            }
        } else {
            if (rs2 == 0 && rd == 0) /* C.EBREAK */
                set(o, RV_OP_EBREAK, 0, 0, 0, 0);
            else if (rs2 == 0) /* C.JALR */
                set(o, RV_OP_JALR, 1, rd, 0, 0);
            else /* C.ADD */
                set(o, RV_OP_ADD, rd, rd, rs2, 0);
        }
        break;
    case 025: /* C.FSDSP */
        set(o, RV_OP_FSD, 0, 2, rs2, bits(w, 12, 10) << 3 | bits(w, 9, 7) << 6);
        break;
    case 026: /* C.SWSP */
        set(o, RV_OP_SW, 0, 2, rs2, bits(w, 12, 9) << 2 | bits(w, 8, 7) << 6);
        break;
    case 027: /* C.SDSP */
        set(o, RV_OP_SD, 0, 2, rs2, bits(w, 12, 10) << 3 | bits(w, 9, 7) << 6);
        break;
    default: /* 004: reserved */
        break;
    }
}
