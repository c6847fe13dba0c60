/* The x86 decoder: prefixes, REX, opcode maps, ModRM/SIB/displacement and immediates into
 * one x86_insn record. What each opcode is comes from opcodes.def (the ISA as data). */
#ifndef VM_X86_DECODE_H
#define VM_X86_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Operand specs: the SDM's addressing-method codes (Vol.2 Appendix A.2) */
enum x86_opd {
    O_NONE,
    O_Eb, O_Ew, O_Ed, O_Eq, O_Ev, O_Ey,   /* ModRM r/m: register or memory */
    O_Gb, O_Gw, O_Gd, O_Gv, O_Gy,         /* ModRM reg: general register */
    O_M, O_Mb, O_Mw, O_Md, O_Mq, O_Mp, O_Mdq, O_Ms, /* memory only */
    O_Rv, O_Ry,                          /* register only (mod = 3) */
    O_Ib, O_Ibs, O_Iw, O_Iz, O_Iv,        /* immediates (Ibs: sign-extended byte) */
    O_Jb, O_Jz,                          /* relative branch targets */
    O_Ob, O_Ov,                          /* moffs */
    O_Zb, O_Zv,                          /* register in the opcode's low bits */
    O_AL, O_rAX, O_CL, O_DX, O_ONE,      /* fixed */
    O_Sw,                                /* segment register in ModRM.reg */
    O_Cd, O_Dd,                          /* control / debug register in ModRM.reg */
    O_Ap,                                /* far pointer immediate */
    O_Xb, O_Xv, O_Yb, O_Yv,              /* string source DS:rSI, destination ES:rDI */
    O_ES, O_CS, O_SS, O_DS, O_FS, O_GS,  /* segment register named by the opcode */
    O_Vx, O_Wx, O_Ux, O_Hx,              /* XMM: reg, reg/mem, rm reg */
    O_Pq, O_Qq, O_Nq,                    /* MMX: reg, reg/mem, rm reg */
    O_Wsd, O_Wss,                        /* XMM reg or scalar memory */
    O_Vy,                                /* XMM reg (GPR-sized move partner) */
    O_FPU,                               /* x87 escape: ModRM selects the operation */
    O_COUNT
};

/* Selector kinds: what in the encoding besides map/byte/prefix picks the entry */
#define S_NONE 0x000
#define S_REG(n) (0x100 | (n))     /* ModRM.reg == n, any mod */
#define S_REGM(n) (0x200 | (n))    /* ModRM.reg == n, memory form */
#define S_REGR(n) (0x300 | (n))    /* ModRM.reg == n, register form */
#define S_RM(b) (0x400 | (b))      /* exact ModRM byte (register forms of 0F 01 etc.) */
#define S_MEM 0x500                /* memory form, any reg */
#define S_REGONLY 0x600            /* register form, any reg */

/* Mandatory-prefix selector */
enum { P_ANY, P_NP, P_66, P_F3, P_F2 };

/* Attributes */
#define A_LOCK 0x0001   /* LOCK allowed (with a memory destination) */
#define A_I64 0x0002    /* invalid in 64-bit mode */
#define A_O64 0x0004    /* only in 64-bit mode */
#define A_D64 0x0008    /* 64-bit default operand size in 64-bit mode */
#define A_F64 0x0010    /* operand size forced to 64 in 64-bit mode (Intel near branches) */
#define A_END 0x0020    /* ends a decoded block (control transfer, mode change) */
#define A_PLUSR 0x0040  /* opcode byte + register (8 bytes) */
#define A_SSE 0x0080    /* SSE/MMX: CR0.EM/TS, CR4.OSFXSR rules */
#define A_X87 0x0100    /* x87: CR0.EM/TS rules */
#define A_REP 0x0200    /* string instruction honouring REP / REPE / REPNE */
#define A_B8 0x0400     /* operand size is byte regardless of prefixes */
#define A_MMX 0x0800    /* MMX form (no 66) */
#define A_PRIV 0x1000   /* CPL 0 only (#GP(0) otherwise) */
#define A_NORM 0x2000   /* lengths: Iz is 4 bytes even with 66 (none today) */

/* CPUID feature gates */
enum {
    F_BASE, F_X87, F_CX8, F_CMOV, F_MMX, F_SSE, F_SSE2, F_SSE3, F_SSSE3, F_SSE41, F_SSE42,
    F_POPCNT, F_LZCNT, F_BMI1, F_MOVBE, F_RDRAND, F_RDTSCP, F_CX16, F_XSAVE, F_FSGSBASE,
    F_LM, F_SYSCALL, F_SEP, F_CLFLUSH, F_FXSR, F_SMAP, F_COUNT
};

#define X86_OP(name, mnem, handler, arg, map, byte, sel, pfx, o1, o2, o3, feat, attr) \
    X86_OP_##name,
enum x86_op {
#include "arch/x86/opcodes.def"
    X86_OP_COUNT
};
#undef X86_OP

typedef struct x86_opinfo {
    const char *mnem;
    uint8_t arg;        /* handler-specific sub-operation */
    uint8_t map, byte;
    uint16_t sel;
    uint8_t pfx;
    uint8_t opd[3];
    uint8_t feat;
    uint16_t attr;
} x86_opinfo;

extern const x86_opinfo x86_opinfo_table[X86_OP_COUNT];

/* One decoded instruction. */
typedef struct x86_insn {
    uint16_t op;        /* enum x86_op */
    uint8_t len;
    uint8_t osz;        /* operand size in bytes: 1 (A_B8), 2, 4, 8 */
    uint8_t asz;        /* address size in bytes: 2, 4, 8 */
    uint8_t seg;        /* effective segment of the memory operand */
    uint8_t segovr;     /* segment override prefix given (SEG_NONE if not) */
    uint8_t rep;        /* 0, 0xF3, 0xF2 (last one wins) */
    uint8_t lock;
    uint8_t rex;        /* REX byte that applies, or 0 */
    uint8_t mod, reg, rm;  /* ModRM fields; reg and rm extended by REX.R / REX.B */
    uint8_t base, index, scale; /* memory operand: base/index register or X86_NOREG */
    uint8_t opb;        /* the opcode byte */
    uint8_t modrm;      /* raw ModRM byte */
    bool has_modrm;
    bool riprel;        /* base is RIP (disp relative to the next instruction) */
    uint8_t osize[3];   /* operand sizes in bytes (from the specs; decode time) */
    uint8_t opd[3];     /* the operand specs (copied from the table for the hot path) */
    uint8_t loc[3];     /* where each operand is: X86_LOC_* (decode time) */
    uint8_t lreg[3];    /* its register number when loc is X86_LOC_REG */
    uint8_t fast;       /* the block interpreter's inline form (cpu.c; 0 = the handler) */
    bool ea_bd;         /* memory operand is [base + disp] with 64-bit addressing (cpu.c) */
    int64_t disp;
    uint64_t imm, imm2; /* imm2: ENTER's second immediate, a far pointer's selector;
                         * in a 64-bit block, a relative Jcc/JMP's target (cpu.c) */
} x86_insn;

#define X86_NOREG 0xff

/* Operand locations resolved at decode time (the execution fast path) */
enum { X86_LOC_OTHER, X86_LOC_REG, X86_LOC_IMM };

enum x86_decode_status {
    X86_DEC_OK,
    X86_DEC_UD,         /* undefined or unsupported encoding */
    X86_DEC_GP,         /* longer than 15 bytes */
    X86_DEC_SHORT,      /* ran out of bytes (the fetch must supply more) */
};

/* Decode the instruction at `code` (avail bytes available) for a code segment of
 * `bits` (16, 32 or 64; 64 = 64-bit mode). `feat` is the mask of enabled F_* gates. */
int x86_decode(const uint8_t *code, size_t avail, int bits, uint32_t feat, x86_insn *in);

unsigned x86_opd_size(const x86_insn *in, uint8_t o);

/* Disassemble a decoded instruction (for --trace insn and tests). */
void x86_disasm(const x86_insn *in, uint64_t rip, char *buf, size_t len);

#endif
