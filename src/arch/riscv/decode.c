/* 32-bit instruction decoding driven by isa.def: the patterns of the instruction's major
 * opcode are matched by mask/match (a scan of the table; decoding happens once per block). */
#include <stdio.h>

#include "arch/riscv/decode.h"

enum rv_fmt { FMT_N, FMT_I, FMT_S, FMT_B, FMT_U, FMT_J, FMT_SH, FMT_CSR };

typedef struct rv_pattern {
    uint32_t mask, match;
    uint16_t op;
    uint8_t fmt;
} rv_pattern;

static const rv_pattern patterns[] = {
#define RV_INSN(name, mnem, mask, match, fmt) { mask, match, RV_OP_##name, FMT_##fmt },
#include "arch/riscv/isa.def"
#undef RV_INSN
};

static const char *const op_names[RV_OP_COUNT] = {
    [RV_OP_ILLEGAL] = "illegal",
#define RV_INSN(name, mnem, mask, match, fmt) [RV_OP_##name] = mnem,
#include "arch/riscv/isa.def"
#undef RV_INSN
};

const char *rv_op_name(unsigned op)
{
    return op < RV_OP_COUNT ? op_names[op] : "?";
}

static inline int64_t sext(uint64_t v, unsigned bits)
{
    return (int64_t)(v << (64 - bits)) >> (64 - bits);
}

static int64_t imm_of(uint32_t w, unsigned fmt)
{
    switch (fmt) {
    case FMT_I: return sext(w >> 20, 12);
    case FMT_S: return sext(((w >> 25) << 5) | ((w >> 7) & 0x1f), 12);
    case FMT_B:
        return sext(((w >> 31) & 1) << 12 | ((w >> 7) & 1) << 11 | ((w >> 25) & 0x3f) << 5 |
                        ((w >> 8) & 0xf) << 1,
                    13);
    case FMT_U: return sext(w & 0xfffff000u, 32);
    case FMT_J:
        return sext(((w >> 31) & 1) << 20 | ((w >> 12) & 0xff) << 12 | ((w >> 20) & 1) << 11 |
                        ((w >> 21) & 0x3ff) << 1,
                    21);
    case FMT_SH: return (w >> 20) & 0x3f;
    case FMT_CSR: return (w >> 20) & 0xfff;
    default: return 0;
    }
}

void rv_decode_rvc(uint16_t raw, rv_insn *out);

void rv_decode(uint32_t raw, rv_insn *out)
{
    if ((raw & 3) != 3) {
        rv_decode_rvc((uint16_t)raw, out);
        return;
    }
    out->raw = raw;
    out->len = 4;
    out->rd = (raw >> 7) & 0x1f;
    out->rs1 = (raw >> 15) & 0x1f;
    out->rs2 = (raw >> 20) & 0x1f;
    out->rs3 = (raw >> 27) & 0x1f;
    out->rm = (raw >> 12) & 7;
    out->op = RV_OP_ILLEGAL;
    out->imm = 0;
    /* Patterns are few enough (~200) that a scan over the candidates of the same major
     * opcode is cheap; decode results are cached per pc by the interpreter. */
    uint32_t major = raw & 0x7f;
    for (unsigned i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        const rv_pattern *p = &patterns[i];
        if ((p->match & 0x7f) != major || (raw & p->mask) != p->match)
            continue;
        out->op = p->op;
        out->imm = imm_of(raw, p->fmt);
        return;
    }
}

void rv_disasm(const rv_insn *in, uint64_t pc, char *buf, unsigned len)
{
    const char *name = rv_op_name(in->op);
    if (in->len == 2)
        snprintf(buf, len, "%016llx: %04x      %-10s rd=%u rs1=%u rs2=%u imm=%lld",
                 (unsigned long long)pc, in->raw & 0xffff, name, in->rd, in->rs1, in->rs2,
                 (long long)in->imm);
    else
        snprintf(buf, len, "%016llx: %08x  %-10s rd=%u rs1=%u rs2=%u imm=%lld",
                 (unsigned long long)pc, in->raw, name, in->rd, in->rs1, in->rs2,
                 (long long)in->imm);
}
