/* The case generator's internals shared by the per-family emitters (gen.c: state and
 * the general-purpose groups; encode.c: the encoder; gen_fp.c: SSE and x87).
 *
 * Invariants that keep every generated access inside the data pages on both sides:
 * - `base` and `index` hold known values for the whole case and no generated instruction
 *   writes them (nor RSP, except through the stack instructions whose effect is tracked in
 *   rsp_off); memory operands are computed from them, RIP or an absolute disp32.
 * - `undef` is the set of RFLAGS (and x87 C0-C3) bits whose value is architecturally
 *   undefined at this point; an instruction that reads one of them is preceded by a
 *   CMP that defines all arithmetic flags, and the set is masked at the end. */
#ifndef VM_TESTS_X86DIFF_GEN_H
#define VM_TESTS_X86DIFF_GEN_H

#include "x86diff.h"

enum { RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15 };

/* Where a memory operand points. */
typedef struct xd_mem {
    uint8_t kind;     /* M_BASE, M_BASE_INDEX, M_RIP, M_ABS, M_RSP, M_PTR */
    uint8_t base, index, scale;
    bool addr32;      /* 0x67 address-size prefix */
    int32_t disp;
    uint64_t ea;
} xd_mem;
enum { M_BASE, M_BASE_INDEX, M_RIP, M_ABS, M_RSP, M_PTR };

/* One instruction to encode. */
typedef struct xd_insn {
    uint8_t pfx[4];
    uint8_t npfx;
    bool w;           /* REX.W */
    bool rex;         /* force a REX prefix (SPL..DIL instead of AH..BH) */
    uint8_t map;      /* 0 one-byte, 1 0F, 2 0F38, 3 0F3A */
    uint8_t opc;
    bool has_modrm;
    uint8_t reg;      /* ModRM.reg (0-15; also the /digit) */
    bool is_mem;
    uint8_t rm;       /* register form: ModRM.rm (0-15) */
    xd_mem mem;
    uint8_t imm_bytes;
    uint64_t imm;
} xd_insn;

struct xd_gen {
    xd_case *c;
    uint64_t rng;
    uint32_t pos;
    uint64_t undef;
    uint8_t base, index;
    uint64_t base_val;
    int64_t index_val;
    int64_t rsp_off;     /* RSP - XD_DATA_VA */
    uint32_t protect;    /* registers no instruction may write */
    bool no_stack;       /* inside a conditionally skipped block: RSP must not move */
    uint32_t feat;       /* XD_F_* usable in this run */
};

uint64_t xd_rnd(xd_gen *g);
unsigned xd_below(xd_gen *g, unsigned n);
bool xd_chance(xd_gen *g, unsigned percent);
uint64_t xd_edge(xd_gen *g, unsigned bytes);
unsigned xd_size(xd_gen *g);               /* 1, 2, 4 or 8 */
unsigned xd_dst(xd_gen *g);                /* a register the case may write */
unsigned xd_any(xd_gen *g);                /* any register (read) */
bool xd_room(const xd_gen *g, unsigned bytes);
void xd_mem_operand(xd_gen *g, xd_mem *m, unsigned size, unsigned align);
void xd_mem_at(xd_gen *g, xd_mem *m, uint32_t off);  /* a random form reaching data+off */
void xd_emit(xd_gen *g, const xd_insn *in);
unsigned xd_put_le(uint8_t *p, uint64_t v, unsigned n);  /* little-endian store, returns n */
void xd_byte(xd_gen *g, uint8_t b);
/* Flags: an instruction reading `reads` first gets them defined; one that writes defines
 * `def` and leaves `undef` undefined. */
void xd_flags_read(xd_gen *g, uint64_t reads);
void xd_flags_write(xd_gen *g, uint64_t def, uint64_t undef);
void xd_mark(xd_gen *g);                   /* records an instruction start for listings */
/* Operand size prefixes and REX.W for a general-purpose size */
void xd_opsize(xd_insn *in, unsigned size);

/* gen_fp.c */
void xd_gen_sse_int(xd_gen *g);
void xd_gen_sse_fp(xd_gen *g);
void xd_gen_sse_cvt(xd_gen *g);
void xd_gen_sse4(xd_gen *g);
void xd_gen_x87(xd_gen *g);
void xd_gen_mmx(xd_gen *g);
void xd_init_fp_state(xd_gen *g, xd_state *s);
static inline bool xd_has(const xd_gen *g, uint32_t f)
{
    return (g->feat & f) == f;
}

#endif
