/* RISC-V decoder: a 16- or 32-bit instruction word becomes an rv_insn record (op + fields
 * + immediate) once; the interpreter then executes records without looking at bits. */
#ifndef VM_RISCV_DECODE_H
#define VM_RISCV_DECODE_H

#include <stdint.h>

typedef enum rv_op {
    RV_OP_ILLEGAL = 0,
#define RV_INSN(name, mnem, mask, match, fmt) RV_OP_##name,
#include "arch/riscv/isa.def"
#undef RV_INSN
    RV_OP_COUNT
} rv_op;

typedef struct rv_insn {
    uint16_t op;        /* rv_op */
    uint8_t rd, rs1, rs2, rs3;
    uint8_t rm;         /* funct3: rounding mode / aq-rl not needed */
    uint8_t len;        /* 2 or 4 */
    int64_t imm;
    uint32_t raw;       /* the instruction bits (16-bit ones zero-extended) */
} rv_insn;

/* Decode one instruction. `raw` holds the fetched bits (only the low 16 for a compressed
 * one). Unknown or reserved encodings give op = RV_OP_ILLEGAL. */
void rv_decode(uint32_t raw, rv_insn *out);

/* Mnemonic of an op, for traces ("illegal" for RV_OP_ILLEGAL). */
const char *rv_op_name(unsigned op);

/* Format one decoded instruction as assembly text (for --trace insn). */
void rv_disasm(const rv_insn *in, uint64_t pc, char *buf, unsigned len);

#endif
