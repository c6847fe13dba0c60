/* Test-case generator: deterministic (splitmix64 per case), an encoder for legacy/REX
 * instructions with ModRM/SIB/RIP-relative operands, and the general-purpose opcode
 * groups. Each group function appends one "unit" (an instruction, or a short idiom such as
 * setting up RSI/RDI/RCX before a REP string instruction); xd_generate calls it until the
 * case holds enough instructions. The SSE/x87 groups are in gen_fp.c.
 *
 * Undefined results are not generated (16-bit BSWAP, SHLD/SHRD counts above the operand
 * width); undefined flags are tracked (gen.h) and masked; see README.md for the table. */
#include "gen.h"

#include <string.h>

/* ---- randomness and operand values ---- */

uint64_t xd_rnd(xd_gen *g)
{
    uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

unsigned xd_below(xd_gen *g, unsigned n)
{
    return n ? (unsigned)(xd_rnd(g) % n) : 0;
}

bool xd_chance(xd_gen *g, unsigned percent)
{
    return xd_below(g, 100) < percent;
}

static uint64_t mask_of(unsigned bytes)
{
    return bytes >= 8 ? ~0ull : (1ull << (8 * bytes)) - 1;
}

/* Edge values first: 0, 1, -1, the signed extremes of each width and their neighbours,
 * single bits, small counts; otherwise random. */
uint64_t xd_edge(xd_gen *g, unsigned bytes)
{
    static const uint64_t edges[] = {
        0, 1, 2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 0x7f, 0x80, 0xff, 0x100,
        0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ull,
        0x7fffffffffffffffull, 0x8000000000000000ull, 0xffffffffffffffffull,
        0xfffffffffffffffeull, 0xffffffff80000000ull, 0xffffffffffff8000ull,
        0xffffffffffffff80ull, 0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull,
        0x0123456789abcdefull,
    };
    uint64_t v;
    switch (xd_below(g, 4)) {
    case 0:
    case 1:
        v = edges[xd_below(g, sizeof edges / sizeof edges[0])];
        break;
    case 2:
        v = 1ull << xd_below(g, 64);
        if (xd_chance(g, 50))
            v = ~v;
        break;
    default:
        v = xd_rnd(g);
        break;
    }
    if (xd_chance(g, 10))
        v = (uint64_t)0 - v;
    return v & mask_of(bytes);
}

unsigned xd_size(xd_gen *g)
{
    static const unsigned sizes[] = { 1, 2, 4, 4, 8, 8 };
    return sizes[xd_below(g, 6)];
}

unsigned xd_dst(xd_gen *g)
{
    for (;;) {
        unsigned r = xd_below(g, 16);
        if (!(g->protect & (1u << r)))
            return r;
    }
}

unsigned xd_any(xd_gen *g)
{
    return xd_below(g, 16);
}

bool xd_room(const xd_gen *g, unsigned bytes)
{
    return g->pos + bytes + 16 < XD_CODE_SIZE && g->c->ninsn + 4 < XD_MAX_INSNS;
}

/* ---- flags bookkeeping ---- */

void xd_flags_write(xd_gen *g, uint64_t def, uint64_t undef)
{
    g->undef = (g->undef & ~def) | undef;
}

void xd_flags_read(xd_gen *g, uint64_t reads)
{
    if (!(g->undef & reads & XF_ARITH))
        return;
    xd_insn in = { .w = true, .opc = 0x39, .has_modrm = true };
    in.reg = (uint8_t)xd_any(g);
    in.rm = (uint8_t)xd_any(g);
    xd_emit(g, &in);
    xd_flags_write(g, XF_ARITH, 0);
}

/* ---- operand helpers for the general-purpose groups ---- */

/* A byte register for writing: with REX, codes 4-7 are SPL..DIL; without, AH..BH (which
 * live in RAX..RBX). The caller's REX choice is `rex`. */
static unsigned byte_dst(xd_gen *g, bool rex)
{
    for (;;) {
        unsigned r = rex ? xd_below(g, 16) : xd_below(g, 8);
        unsigned real = (!rex && r >= 4) ? r - 4 : r;
        if (!(g->protect & (1u << real)))
            return r;
    }
}

/* Fill the r/m operand: a writable register or memory (percent chance). */
static void rm_operand(xd_gen *g, xd_insn *in, unsigned size, bool write, unsigned mem_pct)
{
    if (xd_chance(g, mem_pct)) {
        in->is_mem = true;
        xd_mem_operand(g, &in->mem, size, size);
        return;
    }
    if (size == 1) {
        in->rex = in->rex || xd_chance(g, 50);
        in->rm = (uint8_t)(write ? byte_dst(g, in->rex) : xd_below(g, in->rex ? 16 : 8));
    } else {
        in->rm = (uint8_t)(write ? xd_dst(g) : xd_any(g));
    }
}

static void reg_operand(xd_gen *g, xd_insn *in, unsigned size, bool write)
{
    if (size == 1) {
        /* a REX needed by either operand changes the meaning of codes 4-7 in both */
        bool needs = in->rex || (!in->is_mem && in->rm >= 8) ||
                     (in->is_mem && ((in->mem.base | in->mem.index) & 8));
        in->rex = needs;
        unsigned r = write ? byte_dst(g, needs) : xd_below(g, needs ? 16 : 8);
        if (r >= 8 && !in->rex) {
            /* adding REX now would turn an AH..BH rm into SPL..DIL: re-pick below 8 */
            r = write ? byte_dst(g, false) : xd_below(g, 8);
        }
        in->reg = (uint8_t)r;
    } else {
        in->reg = (uint8_t)(write ? xd_dst(g) : xd_any(g));
    }
}

static void imm_operand(xd_insn *in, unsigned bytes, uint64_t v)
{
    in->imm_bytes = (uint8_t)bytes;
    in->imm = v & mask_of(bytes);
}

/* A locked access that crosses a cache line is a "split lock": this host's kernel makes
 * it sleep (split_lock_mitigate; 10 ms or more each), so locked accesses stay in one line. */
static bool crosses_line(const xd_mem *m, unsigned size)
{
    return (m->ea & 63) + size > 64;
}

static void lock_maybe(xd_gen *g, xd_insn *in, unsigned size)
{
    if (in->is_mem && xd_chance(g, 20) && !crosses_line(&in->mem, size))
        in->pfx[in->npfx++] = 0xf0;
}

/* mov r32, imm32 into a scratch register the case may write */
static void mov_imm32(xd_gen *g, unsigned r, uint32_t v)
{
    xd_insn in = { .opc = (uint8_t)(0xb8 | (r & 7)), .rm = (uint8_t)r };
    imm_operand(&in, 4, v);
    xd_emit(g, &in);
}

/* lea r64, [data + off] */
static void lea_data(xd_gen *g, unsigned r, uint32_t off)
{
    xd_insn in = { .w = true, .opc = 0x8d, .has_modrm = true, .is_mem = true, .reg = (uint8_t)r };
    in.mem.kind = M_BASE;
    in.mem.base = g->base;
    in.mem.ea = XD_DATA_VA + off;
    in.mem.disp = (int32_t)(int64_t)(in.mem.ea - g->base_val);
    xd_emit(g, &in);
}

/* ---- general-purpose groups ---- */

static void gen_alu(xd_gen *g)
{
    unsigned op = xd_below(g, 8); /* ADD OR ADC SBB AND SUB XOR CMP */
    unsigned size = xd_size(g);
    xd_insn in = { 0 };
    bool writes = op != 7;
    if (op == 2 || op == 3)
        xd_flags_read(g, XF_CF);
    xd_opsize(&in, size);
    switch (xd_below(g, 6)) {
    case 0: /* op r/m, reg */
        in.opc = (uint8_t)(op * 8 + (size > 1));
        in.has_modrm = true;
        rm_operand(g, &in, size, writes, 40);
        reg_operand(g, &in, size, false);
        if (writes)
            lock_maybe(g, &in, size);
        break;
    case 1: /* op reg, r/m */
        in.opc = (uint8_t)(op * 8 + 2 + (size > 1));
        in.has_modrm = true;
        rm_operand(g, &in, size, false, 40);
        reg_operand(g, &in, size, writes);
        break;
    case 2: /* op AL/eAX, imm */
        if (g->protect & 1)
            return;
        in.opc = (uint8_t)(op * 8 + 4 + (size > 1));
        imm_operand(&in, size == 1 ? 1 : size == 2 ? 2 : 4, xd_edge(g, 4));
        break;
    default: /* 80 /op ib, 81 /op iz, 83 /op ib sign-extended */
        in.has_modrm = true;
        in.reg = (uint8_t)op;
        rm_operand(g, &in, size, writes, 40);
        if (size == 1) {
            in.opc = 0x80;
            imm_operand(&in, 1, xd_edge(g, 1));
        } else if (xd_chance(g, 50)) {
            in.opc = 0x83;
            imm_operand(&in, 1, xd_edge(g, 1));
        } else {
            in.opc = 0x81;
            imm_operand(&in, size == 2 ? 2 : 4, xd_edge(g, 4));
        }
        if (writes)
            lock_maybe(g, &in, size);
        break;
    }
    xd_emit(g, &in);
    /* SDM: AND/OR/XOR clear OF and CF, AF undefined */
    bool logic = op == 1 || op == 4 || op == 6;
    xd_flags_write(g, logic ? XF_ARITH & ~XF_AF : XF_ARITH, logic ? XF_AF : 0);
}

static void gen_test_incdec(xd_gen *g)
{
    unsigned size = xd_size(g);
    xd_insn in = { .has_modrm = true };
    xd_opsize(&in, size);
    switch (xd_below(g, 5)) {
    case 0: /* TEST r/m, reg / r/m, imm */
        if (xd_chance(g, 50)) {
            in.opc = (uint8_t)(0x84 + (size > 1));
            rm_operand(g, &in, size, false, 40);
            reg_operand(g, &in, size, false);
        } else {
            in.opc = (uint8_t)(0xf6 + (size > 1));
            in.reg = (uint8_t)xd_below(g, 2); /* /1 is an alias of /0 */
            rm_operand(g, &in, size, false, 40);
            imm_operand(&in, size == 1 ? 1 : size == 2 ? 2 : 4, xd_edge(g, 4));
        }
        xd_emit(g, &in);
        xd_flags_write(g, XF_ARITH & ~XF_AF, XF_AF);
        return;
    case 1: /* INC/DEC: CF unchanged */
        in.opc = (uint8_t)(0xfe + (size > 1));
        in.reg = (uint8_t)xd_below(g, 2);
        rm_operand(g, &in, size, true, 40);
        lock_maybe(g, &in, size);
        xd_emit(g, &in);
        xd_flags_write(g, XF_ARITH & ~XF_CF, 0);
        return;
    case 2: /* NOT */
    case 3: /* NEG */
        in.opc = (uint8_t)(0xf6 + (size > 1));
        in.reg = (uint8_t)(xd_chance(g, 50) ? 2 : 3);
        rm_operand(g, &in, size, true, 40);
        lock_maybe(g, &in, size);
        xd_emit(g, &in);
        if (in.reg == 3)
            xd_flags_write(g, XF_ARITH, 0);
        return;
    default: /* flag instructions: CLC STC CMC CLD STD */
    {
        static const uint8_t ops[] = { 0xf8, 0xf9, 0xf5, 0xfc, 0xfd };
        unsigned k = xd_below(g, 5);
        if (k == 2)
            xd_flags_read(g, XF_CF);
        xd_insn f = { .opc = ops[k] };
        xd_emit(g, &f);
        if (k < 3)
            xd_flags_write(g, XF_CF, 0);
        return;
    }
    }
}

/* Shifts and rotates: C0/C1 ib, D0/D1 (by 1), D2/D3 (by CL); SHLD/SHRD. Flag rules from
 * the SDM's SAL/SAR/SHL/SHR and RCL/RCR/ROL/ROR pages, by masked count. */
static void gen_shift(xd_gen *g)
{
    unsigned size = xd_size(g);
    unsigned width = size * 8;
    unsigned op = xd_below(g, 8);
    xd_insn in = { .has_modrm = true, .reg = (uint8_t)op };
    int count = -1; /* -1: whatever CL holds */
    xd_opsize(&in, size);
    if (xd_chance(g, 15)) {
        /* SHLD/SHRD Ev,Gv,ib / CL (0F A4/A5/AC/AD); 16-bit counts above 16 are undefined */
        if (size == 1)
            size = 4, in.npfx = 0, in.w = false;
        width = size * 8;
        in.map = 1;
        bool right = xd_chance(g, 50);
        unsigned limit = size == 2 ? 17 : (size == 8 ? 64 : 32);
        count = (int)xd_below(g, limit);
        if (xd_chance(g, 50)) {
            in.opc = right ? 0xac : 0xa4;
            imm_operand(&in, 1, (uint64_t)count | (size == 8 ? 0 : xd_below(g, 2) * 32));
        } else {
            if (g->protect & (1u << RCX))
                return;
            mov_imm32(g, RCX, (uint32_t)count | (size == 8 ? 0 : xd_below(g, 2) * 32u));
            in.opc = right ? 0xad : 0xa5;
        }
        count &= size == 8 ? 63 : 31;
        rm_operand(g, &in, size, true, 40);
        in.reg = (uint8_t)xd_any(g);
        xd_emit(g, &in);
        if (count == 0)
            return;
        xd_flags_write(g, XF_CF | XF_SF | XF_ZF | XF_PF | (count == 1 ? XF_OF : 0),
                       XF_AF | (count > 1 ? XF_OF : 0));
        return;
    }
    unsigned form = xd_below(g, 3);
    if (form == 0) {
        in.opc = (uint8_t)(0xc0 + (size > 1));
        uint64_t c = xd_chance(g, 70) ? xd_below(g, width + 2) : xd_edge(g, 1);
        imm_operand(&in, 1, c);
        count = (int)c;
    } else if (form == 1) {
        in.opc = (uint8_t)(0xd0 + (size > 1));
        count = 1;
    } else {
        in.opc = (uint8_t)(0xd2 + (size > 1));
        if (xd_chance(g, 60) && !(g->protect & (1u << RCX))) {
            count = (int)(xd_chance(g, 70) ? xd_below(g, width + 2) : xd_edge(g, 1));
            mov_imm32(g, RCX, (uint32_t)count);
        }
    }
    if (op == 2 || op == 3)
        xd_flags_read(g, XF_CF);
    rm_operand(g, &in, size, true, 40);
    xd_emit(g, &in);
    bool rotate = op < 4;
    uint64_t maybe_of = XF_OF;
    uint64_t maybe_cf = (!rotate && width <= 16) ? XF_CF : 0;
    if (count < 0) {
        /* unknown count: anything the instruction may leave undefined becomes so */
        xd_flags_write(g, 0, maybe_of | (rotate ? 0 : XF_AF | maybe_cf));
        return;
    }
    unsigned mc = (unsigned)count & (size == 8 ? 63 : 31);
    if (mc == 0)
        return;
    if (rotate) {
        xd_flags_write(g, XF_CF | (mc == 1 ? XF_OF : 0), mc == 1 ? 0 : XF_OF);
    } else {
        uint64_t cf_undef = mc >= width ? XF_CF : 0;
        xd_flags_write(g, ((XF_CF & ~cf_undef) | XF_SF | XF_ZF | XF_PF | (mc == 1 ? XF_OF : 0)),
                       XF_AF | cf_undef | (mc == 1 ? 0 : XF_OF));
    }
}

/* MUL/IMUL/DIV/IDIV (F6/F7), IMUL Gv,Ev (0F AF), IMUL Gv,Ev,imm (69/6B). */
static void gen_muldiv(xd_gen *g)
{
    unsigned size = xd_size(g);
    xd_insn in = { .has_modrm = true };
    xd_opsize(&in, size);
    /* MUL/IMUL one-operand, DIV, IDIV (1/8 each: a #DE ends the case), two- and
     * three-operand IMUL */
    static const unsigned kinds[] = { 0, 1, 2, 3, 4, 4, 5, 5, 0, 1 };
    unsigned k = kinds[xd_below(g, 10)];
    if (k < 4) {
        if (g->protect & ((1u << RAX) | (1u << RDX)))
            return;
        in.opc = (uint8_t)(0xf6 + (size > 1));
        in.reg = (uint8_t)(4 + k);
        rm_operand(g, &in, size, false, 40);
        if (k == 3 && xd_chance(g, 8)) {
            /* the most negative dividend (quotient overflow with a divisor of -1) */
            if (size == 1) {
                mov_imm32(g, RAX, 0x8000);
            } else {
                xd_insn d = { .opc = 0xb8 | RDX, .rm = RDX, .w = size == 8 };
                imm_operand(&d, size == 8 ? 8 : 4, size == 8 ? 1ull << 63 : 1ull << (8 * size - 1));
                xd_emit(g, &d);
                xd_insn z = { .opc = 0x31, .has_modrm = true, .reg = RAX, .rm = RAX };
                xd_emit(g, &z);
                xd_flags_write(g, XF_ARITH & ~XF_AF, XF_AF);
            }
        } else if (k >= 2 && xd_chance(g, 85)) {
            /* a dividend that fits most of the time: zero- or sign-extend the low half */
            static const uint8_t zx8[] = { 0x0f, 0xb6, 0xc0 };        /* movzx eax, al */
            static const uint8_t zx[] = { 0x31, 0xd2 };               /* xor edx, edx */
            static const uint8_t sx8[] = { 0x66, 0x98 };              /* cbw */
            static const uint8_t sx16[] = { 0x66, 0x99 };             /* cwd */
            static const uint8_t sx32[] = { 0x99 };                   /* cdq */
            static const uint8_t sx64[] = { 0x48, 0x99 };             /* cqo */
            const uint8_t *p;
            unsigned n;
            if (k == 2) {
                p = size == 1 ? zx8 : zx;
                n = size == 1 ? 3 : 2;
            } else {
                p = size == 1 ? sx8 : size == 2 ? sx16 : size == 4 ? sx32 : sx64;
                n = size == 4 ? 1 : 2;
            }
            xd_mark(g);
            for (unsigned i = 0; i < n; i++)
                xd_byte(g, p[i]);
            if (k == 2 && size > 1)
                xd_flags_write(g, XF_ARITH & ~XF_AF, XF_AF);
        }
        xd_emit(g, &in);
        if (k < 2)
            xd_flags_write(g, XF_CF | XF_OF, XF_SF | XF_ZF | XF_AF | XF_PF);
        else
            xd_flags_write(g, 0, XF_ARITH);
        return;
    }
    if (size == 1)
        size = 4, in.npfx = 0, in.w = false;
    xd_opsize(&in, 0);
    in.npfx = 0;
    xd_opsize(&in, size);
    if (k == 4) {
        in.map = 1;
        in.opc = 0xaf;
    } else if (xd_chance(g, 50)) {
        in.opc = 0x6b;
        imm_operand(&in, 1, xd_edge(g, 1));
    } else {
        in.opc = 0x69;
        imm_operand(&in, size == 2 ? 2 : 4, xd_edge(g, 4));
    }
    rm_operand(g, &in, size, false, 40);
    reg_operand(g, &in, size, true);
    xd_emit(g, &in);
    xd_flags_write(g, XF_CF | XF_OF, XF_SF | XF_ZF | XF_AF | XF_PF);
}

/* BT/BTS/BTR/BTC, BSF/BSR, POPCNT/LZCNT/TZCNT, BSWAP. */
static void gen_bits(xd_gen *g)
{
    unsigned size = xd_chance(g, 30) ? 2 : (xd_chance(g, 50) ? 4 : 8);
    xd_insn in = { .has_modrm = true, .map = 1 };
    unsigned k = xd_below(g, 8);
    if (k < 3) {
        /* BTx: register offset (0F A3/AB/B3/BB) or imm8 (0F BA /4-7) */
        unsigned op = xd_below(g, 4);
        bool write = op != 0;
        xd_opsize(&in, size);
        if (xd_chance(g, 50)) {
            in.opc = (uint8_t)(0xa3 + 8 * op);
            rm_operand(g, &in, size, write, 40);
            unsigned r = xd_dst(g);
            if (in.is_mem) {
                /* the bit offset is signed and addresses the bit string beyond the
                 * operand: keep it within ±256 bytes, and the operand far from the edges */
                uint32_t off = 0x200 + xd_below(g, XD_DATA_SIZE - 0x400);
                xd_mem_at(g, &in.mem, off & ~(size - 1));
                int32_t bit = (int32_t)xd_below(g, 4096) - 2048;
                mov_imm32(g, r, (uint32_t)bit);
                if (size == 8) { /* sign-extend the offset to 64 bits: movsxd r, r */
                    xd_insn sx = { .w = true, .opc = 0x63, .has_modrm = true, .reg = (uint8_t)r,
                                   .rm = (uint8_t)r };
                    xd_emit(g, &sx);
                }
                if (write)
                    lock_maybe(g, &in, size);
            }
            in.reg = (uint8_t)r;
        } else {
            in.opc = 0xba;
            in.reg = (uint8_t)(4 + op);
            rm_operand(g, &in, size, write, 40);
            imm_operand(&in, 1, xd_edge(g, 1));
            if (write)
                lock_maybe(g, &in, size);
        }
        xd_emit(g, &in);
        xd_flags_write(g, XF_CF, XF_OF | XF_SF | XF_AF | XF_PF);
        return;
    }
    if (k < 5) { /* BSF / BSR: ZF defined, destination kept on a zero source (compared) */
        xd_opsize(&in, size);
        in.opc = k == 3 ? 0xbc : 0xbd;
        rm_operand(g, &in, size, false, 40);
        reg_operand(g, &in, size, true);
        xd_emit(g, &in);
        xd_flags_write(g, XF_ZF, XF_CF | XF_OF | XF_SF | XF_AF | XF_PF);
        return;
    }
    if (k < 7) { /* POPCNT F3 0F B8 / TZCNT F3 0F BC / LZCNT F3 0F BD */
        static const uint8_t ops[] = { 0xb8, 0xbc, 0xbd };
        static const uint32_t need[] = { XD_F_POPCNT, XD_F_BMI1, XD_F_LZCNT };
        unsigned j = xd_below(g, 3);
        if (!xd_has(g, need[j]))
            return;
        if (size == 2)
            in.pfx[in.npfx++] = 0x66;
        in.pfx[in.npfx++] = 0xf3;
        in.w = size == 8;
        in.opc = ops[j];
        rm_operand(g, &in, size, false, 40);
        reg_operand(g, &in, size, true);
        xd_emit(g, &in);
        if (j == 0)
            xd_flags_write(g, XF_ARITH, 0);
        else
            xd_flags_write(g, XF_CF | XF_ZF, XF_OF | XF_SF | XF_AF | XF_PF);
        return;
    }
    /* BSWAP r32/r64 (the 16-bit form is undefined) */
    unsigned r = xd_dst(g);
    xd_insn b = { .map = 1, .opc = (uint8_t)(0xc8 | (r & 7)), .rm = (uint8_t)r, .w = xd_chance(g, 50) };
    xd_emit(g, &b);
}

/* Data movement: MOV, MOVZX/MOVSX/MOVSXD, LEA, XCHG, XADD, CMPXCHG, CMPXCHG8B/16B, MOVBE,
 * CBW.., LAHF/SAHF, NOPs. */
static void gen_mov(xd_gen *g)
{
    unsigned size = xd_size(g);
    xd_insn in = { .has_modrm = true };
    xd_opsize(&in, size);
    switch (xd_below(g, 14)) {
    case 0: /* MOV r/m, reg */
        in.opc = (uint8_t)(0x88 + (size > 1));
        rm_operand(g, &in, size, true, 50);
        reg_operand(g, &in, size, false);
        break;
    case 1: /* MOV reg, r/m */
        in.opc = (uint8_t)(0x8a + (size > 1));
        rm_operand(g, &in, size, false, 50);
        reg_operand(g, &in, size, true);
        break;
    case 2: /* MOV r/m, imm (C6/C7) and MOV reg, imm (B0+r / B8+r, imm64 with REX.W) */
        if (xd_chance(g, 50)) {
            in.opc = (uint8_t)(0xc6 + (size > 1));
            rm_operand(g, &in, size, true, 50);
            imm_operand(&in, size == 1 ? 1 : size == 2 ? 2 : 4, xd_edge(g, 4));
        } else {
            in.has_modrm = false;
            in.rex = size == 1 && xd_chance(g, 50);
            unsigned r = size == 1 ? byte_dst(g, in.rex) : xd_dst(g);
            in.rm = (uint8_t)r;
            in.opc = (uint8_t)((size == 1 ? 0xb0 : 0xb8) | (r & 7));
            imm_operand(&in, size, xd_edge(g, size));
        }
        break;
    case 3: /* MOVZX/MOVSX (0F B6/B7/BE/BF), MOVSXD (63) */
    {
        unsigned src = xd_chance(g, 50) ? 1 : 2;
        if (size == 1 || size <= src)
            size = src == 1 ? 2 : 4;
        in.npfx = 0;
        xd_opsize(&in, size);
        if (xd_chance(g, 25)) {
            in.opc = 0x63;
            src = 4;
        } else {
            in.map = 1;
            in.opc = (uint8_t)((xd_chance(g, 50) ? 0xb6 : 0xbe) + (src == 2));
        }
        rm_operand(g, &in, src, false, 40);
        if (!in.is_mem && src == 1)
            in.rex = true; /* keep SPL..DIL meaning simple: rm picked with REX in mind */
        reg_operand(g, &in, size, true);
        break;
    }
    case 4: /* LEA (any addressing form; the address need not be mapped) */
        if (size == 1)
            size = 8;
        in.npfx = 0;
        xd_opsize(&in, size);
        in.opc = 0x8d;
        in.is_mem = true;
        xd_mem_operand(g, &in.mem, 1, 1);
        reg_operand(g, &in, size, true);
        break;
    case 5: /* XCHG r/m, reg (86/87), XCHG eAX, reg (90+r) */
        if (xd_chance(g, 30) && size > 1 && !(g->protect & 1)) {
            unsigned r = xd_dst(g);
            in.has_modrm = false;
            in.rm = (uint8_t)r;
            in.opc = (uint8_t)(0x90 | (r & 7));
            if (r == 0 && size == 4)
                return; /* 90 is NOP, not xchg eax,eax (which would zero-extend) */
            break;
        }
        in.opc = (uint8_t)(0x86 + (size > 1));
        rm_operand(g, &in, size, true, 40);
        if (in.is_mem && crosses_line(&in.mem, size)) /* XCHG with memory is locked */
            xd_mem_at(g, &in.mem, (uint32_t)(in.mem.ea - XD_DATA_VA) & ~(size - 1));
        reg_operand(g, &in, size, true);
        break;
    case 6: /* XADD (0F C0/C1) */
        in.map = 1;
        in.opc = (uint8_t)(0xc0 + (size > 1));
        rm_operand(g, &in, size, true, 40);
        reg_operand(g, &in, size, true);
        lock_maybe(g, &in, size);
        xd_emit(g, &in);
        xd_flags_write(g, XF_ARITH, 0);
        return;
    case 7: /* CMPXCHG (0F B0/B1): RAX implicit */
        if (g->protect & 1)
            return;
        in.map = 1;
        in.opc = (uint8_t)(0xb0 + (size > 1));
        rm_operand(g, &in, size, true, 50);
        reg_operand(g, &in, size, false);
        lock_maybe(g, &in, size);
        xd_emit(g, &in);
        xd_flags_write(g, XF_ARITH, 0);
        return;
    case 8: /* CMPXCHG8B / CMPXCHG16B m (0F C7 /1): EDX:EAX, ECX:EBX implicit */
        if (g->protect & ((1u << RAX) | (1u << RDX)))
            return;
        in.npfx = 0;
        in.w = xd_has(g, XD_F_CX16) && xd_chance(g, 50);
        in.map = 1;
        in.opc = 0xc7;
        in.reg = 1;
        in.is_mem = true;
        xd_mem_operand(g, &in.mem, in.w ? 16 : 8, in.w ? 16 : 8);
        lock_maybe(g, &in, in.w ? 16 : 8);
        xd_emit(g, &in);
        xd_flags_write(g, XF_ZF, 0);
        return;
    case 9: /* MOVBE (0F 38 F0/F1), memory only */
        if (!xd_has(g, XD_F_MOVBE))
            return;
        if (size == 1)
            size = 4;
        in.npfx = 0;
        xd_opsize(&in, size);
        in.map = 2;
        in.opc = xd_chance(g, 50) ? 0xf0 : 0xf1;
        in.is_mem = true;
        xd_mem_operand(g, &in.mem, size, 1);
        reg_operand(g, &in, size, in.opc == 0xf0);
        break;
    case 10: /* CBW/CWDE/CDQE (98), CWD/CDQ/CQO (99) */
        if (g->protect & ((1u << RAX) | (1u << RDX)))
            return;
        if (size == 1)
            size = 8;
        in.npfx = 0;
        xd_opsize(&in, size);
        in.has_modrm = false;
        in.opc = xd_chance(g, 50) ? 0x98 : 0x99;
        break;
    case 11: /* LAHF / SAHF (valid in 64-bit mode with CPUID.80000001H:ECX.LAHF-SAHF) */
    {
        if ((g->protect & 1) || !xd_has(g, XD_F_LAHF))
            return;
        bool sahf = xd_chance(g, 50);
        if (!sahf)
            xd_flags_read(g, XF_ARITH & ~XF_OF);
        xd_insn f = { .opc = sahf ? 0x9e : 0x9f };
        xd_emit(g, &f);
        if (sahf)
            xd_flags_write(g, XF_ARITH & ~XF_OF, 0);
        return;
    }
    case 12: /* NOP forms: 90, 66 90, 0F 1F /0 (with any addressing), F3 90 (PAUSE) */
    {
        unsigned k = xd_below(g, 4);
        if (k == 2) {
            in.map = 1;
            in.opc = 0x1f;
            in.reg = 0;
            rm_operand(g, &in, 4, false, 60);
            break;
        }
        xd_insn n = { .opc = 0x90 };
        if (k == 1)
            n.pfx[n.npfx++] = 0x66;
        if (k == 3)
            n.pfx[n.npfx++] = 0xf3;
        xd_emit(g, &n);
        return;
    }
    default: /* MOV with 32-bit destination zero-extends; 8/16-bit keeps the rest */
        in.opc = (uint8_t)(0x8a + (size > 1));
        in.is_mem = false;
        rm_operand(g, &in, size, false, 0);
        reg_operand(g, &in, size, true);
        break;
    }
    xd_emit(g, &in);
}

/* SETcc, CMOVcc, and forward Jcc/JMP/JRCXZ over a few instructions, LOOPcc backwards. */
static void gen_alu_simple(xd_gen *g);
static void gen_cond(xd_gen *g)
{
    unsigned cc = xd_below(g, 16);
    unsigned k = xd_below(g, 6);
    if (k == 0) { /* SETcc r/m8 */
        xd_flags_read(g, XF_ARITH);
        xd_insn in = { .map = 1, .opc = (uint8_t)(0x90 | cc), .has_modrm = true };
        rm_operand(g, &in, 1, true, 40);
        xd_emit(g, &in);
        return;
    }
    if (k == 1) { /* CMOVcc r, r/m: a 32-bit destination is zero-extended even if false */
        if (!xd_has(g, XD_F_CMOV))
            return;
        xd_flags_read(g, XF_ARITH);
        unsigned size = xd_chance(g, 20) ? 2 : xd_chance(g, 50) ? 4 : 8;
        xd_insn in = { .map = 1, .opc = (uint8_t)(0x40 | cc), .has_modrm = true };
        xd_opsize(&in, size);
        rm_operand(g, &in, size, false, 40);
        reg_operand(g, &in, size, true);
        xd_emit(g, &in);
        return;
    }
    if (k == 5) { /* mov ecx, n; L: body; LOOP/LOOPE/LOOPNE L */
        if (g->protect & (1u << RCX) || g->no_stack)
            return;
        mov_imm32(g, RCX, 1 + xd_below(g, 4));
        uint32_t top = g->pos;
        g->protect |= 1u << RCX;
        bool saved = g->no_stack;
        g->no_stack = true;
        unsigned n = 1 + xd_below(g, 3);
        uint64_t undef_before = g->undef;
        for (unsigned i = 0; i < n; i++)
            gen_alu_simple(g);
        g->protect &= ~(1u << RCX);
        g->no_stack = saved;
        unsigned op = xd_below(g, 3); /* E2 LOOP, E1 LOOPE, E0 LOOPNE */
        if (op)
            xd_flags_read(g, XF_ZF);
        g->undef |= undef_before;
        int32_t rel = (int32_t)top - (int32_t)(g->pos + 2);
        if (rel < -128)
            return;
        xd_insn l = { .opc = (uint8_t)(0xe2 - op) };
        imm_operand(&l, 1, (uint64_t)(int64_t)rel);
        xd_emit(g, &l);
        return;
    }
    /* forward branch over 1-3 simple instructions */
    xd_insn j = { 0 };
    bool near = xd_chance(g, 30);
    if (k == 2) {
        xd_flags_read(g, XF_ARITH);
        if (near) {
            j.map = 1;
            j.opc = (uint8_t)(0x80 | cc);
        } else {
            j.opc = (uint8_t)(0x70 | cc);
        }
    } else if (k == 3) {
        j.opc = near ? 0xe9 : 0xeb;
    } else {
        j.opc = 0xe3; /* JRCXZ / JECXZ (67) */
        near = false;
        if (xd_chance(g, 30))
            j.pfx[j.npfx++] = 0x67;
    }
    imm_operand(&j, near ? 4 : 1, 0);
    uint32_t at = g->pos;
    xd_emit(g, &j);
    uint32_t after = g->pos;
    bool saved = g->no_stack;
    g->no_stack = true;
    uint64_t undef_before = g->undef;
    unsigned n = 1 + xd_below(g, 3);
    for (unsigned i = 0; i < n; i++)
        gen_alu_simple(g);
    g->no_stack = saved;
    g->undef |= undef_before;
    uint32_t rel = g->pos - after;
    if (!near && rel > 127)
        rel = 0;
    xd_put_le(g->c->code + after - (near ? 4 : 1), rel, near ? 4 : 1);
    (void)at;
}

/* PUSH/POP in their forms, PUSHF/POPF, CALL/RET (near, direct and indirect), ENTER/LEAVE.
 * RSP's offset in the data area is tracked; the stack stays inside it. */
static void gen_stack(xd_gen *g)
{
    if (g->no_stack || g->rsp_off < 0x400 || g->rsp_off > 0x1c00)
        return;
    bool o16 = xd_chance(g, 10);
    unsigned sz = o16 ? 2 : 8;
    xd_insn in = { 0 };
    if (o16)
        in.pfx[in.npfx++] = 0x66;
    switch (xd_below(g, 9)) {
    case 0: /* PUSH r (50+r) */
    {
        unsigned r = xd_any(g);
        in.opc = (uint8_t)(0x50 | (r & 7));
        in.rm = (uint8_t)r;
        xd_emit(g, &in);
        g->rsp_off -= sz;
        return;
    }
    case 1: /* POP r (58+r) */
    {
        unsigned r = xd_dst(g);
        in.opc = (uint8_t)(0x58 | (r & 7));
        in.rm = (uint8_t)r;
        xd_emit(g, &in);
        g->rsp_off += sz;
        return;
    }
    case 2: /* PUSH imm8 / imm16/32 */
        in.opc = xd_chance(g, 50) ? 0x6a : 0x68;
        imm_operand(&in, in.opc == 0x6a ? 1 : (o16 ? 2 : 4), xd_edge(g, 4));
        xd_emit(g, &in);
        g->rsp_off -= sz;
        return;
    case 3: /* PUSH r/m (FF /6), POP r/m (8F /0) */
        in.has_modrm = true;
        if (xd_chance(g, 50)) {
            in.opc = 0xff;
            in.reg = 6;
            rm_operand(g, &in, sz, false, 50);
            xd_emit(g, &in);
            g->rsp_off -= sz;
        } else {
            in.opc = 0x8f;
            in.reg = 0;
            rm_operand(g, &in, sz, true, 50);
            if (in.is_mem && in.mem.kind == M_RSP)
                in.mem.kind = M_ABS, in.mem.disp = (int32_t)in.mem.ea, in.mem.addr32 = false;
            xd_emit(g, &in);
            g->rsp_off += sz;
        }
        return;
    case 4: /* PUSHF; or push imm32; POPF (arithmetic flags and DF only) */
        if (xd_chance(g, 50)) {
            xd_flags_read(g, XF_ARITH);
            xd_insn p = { .opc = 0x9c };
            xd_emit(g, &p);
            g->rsp_off -= 8;
        } else {
            xd_insn p = { .opc = 0x68 };
            imm_operand(&p, 4, (xd_rnd(g) & (XF_ARITH | XF_DF)) | 0x202);
            xd_emit(g, &p);
            xd_insn f = { .opc = 0x9d };
            xd_emit(g, &f);
            xd_flags_write(g, XF_ARITH, 0);
        }
        return;
    case 5: /* call L1; jmp L2; L1: ret [imm16]; L2: */
    {
        bool imm = xd_chance(g, 30);
        uint16_t extra = imm ? (uint16_t)(8 * xd_below(g, 3)) : 0;
        xd_insn c = { .opc = 0xe8 };
        imm_operand(&c, 4, 2);
        xd_emit(g, &c);
        xd_insn jj = { .opc = 0xeb };
        imm_operand(&jj, 1, imm ? 3 : 1);
        xd_emit(g, &jj);
        xd_insn r = { .opc = imm ? 0xc2 : 0xc3 };
        if (imm)
            imm_operand(&r, 2, extra);
        xd_emit(g, &r);
        g->rsp_off += extra;
        return;
    }
    case 6: /* lea r, [rip+L]; call r / jmp r / call [mem] */
    {
        unsigned r = xd_dst(g);
        bool jmp = xd_chance(g, 50);
        bool viamem = !jmp && xd_chance(g, 40);
        /* lea r,[rip+disp32] is 7 bytes; call/jmp r is 2-3 bytes; the target is right
         * after the call (the pushed return address is popped by a POP into r). */
        xd_insn l = { .w = true, .opc = 0x8d, .has_modrm = true, .is_mem = true, .reg = (uint8_t)r };
        l.mem.kind = M_RIP;
        xd_emit(g, &l);
        uint32_t lea_end = g->pos; /* the LEA ends in its disp32 */
        xd_insn cj = { .opc = 0xff, .has_modrm = true, .reg = (uint8_t)(jmp ? 4 : 2) };
        if (viamem) {
            /* store the target to memory first: mov [mem], r */
            xd_insn st = { .w = true, .opc = 0x89, .has_modrm = true, .is_mem = true, .reg = (uint8_t)r };
            xd_mem_operand(g, &st.mem, 8, 8);
            if (st.mem.kind == M_RSP)
                st.mem.kind = M_ABS, st.mem.disp = (int32_t)st.mem.ea, st.mem.addr32 = false;
            xd_emit(g, &st);
            cj.is_mem = true;
            cj.mem = st.mem;
            cj.mem.addr32 = false;
        } else {
            cj.rm = (uint8_t)r;
        }
        xd_emit(g, &cj);
        uint64_t target = XD_CODE_VA + g->pos;
        /* patch the LEA's displacement to the target */
        xd_put_le(g->c->code + lea_end - 4, (uint32_t)(target - (XD_CODE_VA + lea_end)), 4);
        if (!jmp) {
            xd_insn p = { .opc = (uint8_t)(0x58 | (r & 7)), .rm = (uint8_t)r };
            xd_emit(g, &p);
        }
        return;
    }
    case 7: /* ENTER imm16, level; ...; LEAVE */
    {
        if (g->protect & (1u << RBP))
            return;
        unsigned level = xd_below(g, 4);
        uint16_t alloc = (uint16_t)(8 * xd_below(g, 16));
        /* frame pointers are copied from the old RBP: point it into the data */
        xd_insn l = { .w = true, .opc = 0x8d, .has_modrm = true, .is_mem = true, .reg = RBP };
        l.mem.kind = M_RSP;
        l.mem.base = RSP;
        l.mem.disp = (int32_t)(xd_below(g, 64) * 8);
        xd_emit(g, &l);
        xd_insn e = { .opc = 0xc8 };
        imm_operand(&e, 3, alloc | ((uint64_t)level << 16));
        xd_emit(g, &e);
        int64_t saved = g->rsp_off;
        g->rsp_off -= 8 + 8 * (int64_t)level + alloc;
        g->protect |= 1u << RBP;
        unsigned n = xd_below(g, 3);
        for (unsigned i = 0; i < n; i++)
            gen_alu_simple(g);
        g->protect &= ~(1u << RBP);
        xd_insn v = { .opc = 0xc9 };
        xd_emit(g, &v);
        g->rsp_off = saved;
        return;
    }
    default: /* PUSH r then POP into another */
    {
        unsigned a = xd_any(g), b = xd_dst(g);
        xd_insn p = { .opc = (uint8_t)(0x50 | (a & 7)), .rm = (uint8_t)a };
        xd_emit(g, &p);
        xd_insn q = { .opc = (uint8_t)(0x58 | (b & 7)), .rm = (uint8_t)b };
        xd_emit(g, &q);
        return;
    }
    }
}

/* MOVS/CMPS/STOS/LODS/SCAS with and without REP/REPE/REPNE, after pointing RSI/RDI into
 * the middle of the data (so either direction stays inside) and a small RCX. */
static void gen_string(xd_gen *g)
{
    if (g->protect & ((1u << RSI) | (1u << RDI) | (1u << RCX) | 1u))
        return;
    lea_data(g, RSI, 0x600 + xd_below(g, 0x800));
    lea_data(g, RDI, 0x600 + xd_below(g, 0x800));
    bool count_set = xd_chance(g, 80);
    if (count_set)
        mov_imm32(g, RCX, xd_chance(g, 10) ? 0 : xd_below(g, 40));
    static const uint8_t ops[] = { 0xa4, 0xa6, 0xaa, 0xac, 0xae }; /* MOVS CMPS STOS LODS SCAS */
    unsigned k = xd_below(g, 5);
    unsigned size = xd_size(g);
    xd_insn in = { .opc = (uint8_t)(ops[k] + (size > 1)) };
    bool a32 = xd_chance(g, 5);
    if (a32)
        in.pfx[in.npfx++] = 0x67;
    if (xd_chance(g, 75))
        in.pfx[in.npfx++] = (k == 1 || k == 4) ? (xd_chance(g, 50) ? 0xf3 : 0xf2) : 0xf3;
    bool rep = in.npfx && (in.pfx[in.npfx - 1] == 0xf3 || in.pfx[in.npfx - 1] == 0xf2);
    xd_opsize(&in, size);
    if ((k == 1 || k == 4) && rep)
        xd_flags_read(g, 0);
    if (a32 && rep && !count_set && !xd_has(g, XD_F_INTEL)) {
        /* not Intel: RCX's upper half must not matter (mov ecx, ecx clears it) */
        xd_insn z = { .opc = 0x89, .has_modrm = true, .reg = RCX, .rm = RCX };
        xd_emit(g, &z);
    }
    xd_emit(g, &in);
    if ((k == 1 || k == 4) && rep && !xd_has(g, XD_F_INTEL))
        g->c->undef_fault[g->c->ninsn - 1] = XF_ARITH;
    if (k == 1 || k == 4)
        xd_flags_write(g, 0, 0); /* CMPS/SCAS with RCX=0 leave flags: nothing defined for sure */
}

/* Instructions that must raise #UD in 64-bit mode, and privileged ones that raise #GP(0)
 * at CPL 3. Each ends the case. */
static void gen_fault(xd_gen *g)
{
    static const uint8_t ud64[] = { 0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, 0x27, 0x2f,
                                    0x37, 0x3f, 0x60, 0x61, 0x9a, 0xce, 0xd4, 0xd5, 0xd6,
                                    0xea };
    static const uint8_t priv[][3] = {
        { 1, 0xf4 },             /* HLT */
        { 1, 0xfa },             /* CLI */
        { 1, 0xfb },             /* STI */
        { 1, 0xec },             /* IN AL, DX */
        { 1, 0xee },             /* OUT DX, AL */
        { 2, 0xe4, 0x60 },       /* IN AL, imm8 */
        { 2, 0x0f, 0x32 },       /* RDMSR */
        { 2, 0x0f, 0x30 },       /* WRMSR */
        { 2, 0x0f, 0x06 },       /* CLTS */
        { 2, 0x0f, 0x09 },       /* WBINVD */
        { 1, 0x6c },             /* INSB */
    };
    unsigned k = xd_below(g, 8);
    if (k == 4) { /* MOV r,CR0 / MOV CR0,r; LGDT, LIDT, INVLPG of a data address */
        unsigned j = xd_below(g, 5);
        xd_insn in = { .map = 1, .opc = j < 2 ? (uint8_t)(0x20 + 2 * j) : 0x01, .has_modrm = true };
        if (j < 2) {
            in.reg = 0;
            in.rm = (uint8_t)xd_dst(g);
        } else {
            static const uint8_t digit[] = { 2, 3, 7 };
            in.reg = digit[j - 2];
            in.is_mem = true;
            xd_mem_operand(g, &in.mem, 10, 1);
        }
        xd_emit(g, &in);
        return;
    }
    if (k == 5) { /* INT n: #GP(n*8+2) through a DPL 0 gate; 3 and 4 have DPL 3 gates */
        unsigned n = xd_below(g, 256);
        if (n == 0x80) /* a real system call on Linux */
            n = 3;
        xd_insn in = { .opc = 0xcd, .imm_bytes = 1, .imm = n };
        xd_emit(g, &in);
        return;
    }
    if (k == 6) { /* POPF setting TF: #DB after the next instruction (a trap) */
        xd_insn p = { .opc = 0x68, .imm_bytes = 4 };
        p.imm = 0x302 | (xd_rnd(g) & (XF_ARITH | XF_DF));
        xd_emit(g, &p);
        xd_insn f = { .opc = 0x9d };
        xd_emit(g, &f);
        xd_flags_write(g, XF_ARITH, 0);
        gen_alu_simple(g);
        return;
    }
    if (k == 7) {
        /* An instruction crossing from the end of the code page into the unmapped page
         * (#PF on the fetch, at the instruction's start; CR2 = the unmapped page), or
         * ending exactly at the end (it runs; the next fetch faults). */
        static const uint8_t insn[] = { 0x48, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8 }; /* mov rax, imm64 */
        if (g->protect & 1)
            return;
        unsigned n = 1 + xd_below(g, sizeof insn);
        uint32_t at = XD_CODE_SIZE - n;
        xd_insn j = { .opc = 0xe9, .imm_bytes = 4 };
        j.imm = (uint32_t)(at - (g->pos + 5));
        xd_emit(g, &j);
        memcpy(g->c->code + at, insn, n);
        return;
    }
    xd_mark(g);
    if (k == 0) {
        xd_byte(g, ud64[xd_below(g, sizeof ud64)]);
        xd_byte(g, 0x00);
        xd_byte(g, 0x00);
    } else if (k == 1) { /* UD2, UD1 r,r/m, UD0 r,r/m */
        xd_byte(g, 0x0f);
        static const uint8_t u[] = { 0x0b, 0xb9, 0xff };
        xd_byte(g, u[xd_below(g, 3)]);
        xd_byte(g, 0xc0);
    } else if (k == 2) { /* LOCK on a non-memory destination or a non-lockable op */
        xd_byte(g, 0xf0);
        if (xd_chance(g, 50)) {
            xd_byte(g, 0x01);
            xd_byte(g, 0xc0);
        } else {
            xd_byte(g, 0x8b);
            xd_byte(g, 0x03);
        }
    } else {
        const uint8_t *p = priv[xd_below(g, sizeof priv / sizeof priv[0])];
        for (unsigned i = 0; i < p[0]; i++)
            xd_byte(g, p[1 + i]);
    }
}

/* An access through a wild pointer: the guard page after the data, the page before it,
 * or a non-canonical address (#GP, or #SS when based on RSP/RBP... here a plain register). */
static void gen_wild(xd_gen *g)
{
    unsigned r = xd_dst(g);
    uint64_t addr;
    switch (xd_below(g, 3)) {
    case 0:
        addr = XD_GUARD_VA + xd_below(g, 4096);
        break;
    case 1:
        addr = XD_DATA_VA - 1 - xd_below(g, 4096);
        break;
    default:
        /* bit 63 set, bit 62 clear: non-canonical for 48- and 57-bit linear addresses (a
         * canonical kernel-half address meets the host kernel's mappings: #PF with P=1) */
        addr = (0x8000000000000000ull | xd_rnd(g)) & ~(1ull << 62);
        break;
    }
    xd_insn m = { .w = true, .opc = (uint8_t)(0xb8 | (r & 7)), .rm = (uint8_t)r };
    imm_operand(&m, 8, addr);
    xd_emit(g, &m);
    xd_insn in = { .has_modrm = true, .is_mem = true, .opc = xd_chance(g, 50) ? 0x8b : 0x89,
                   .reg = (uint8_t)xd_dst(g) };
    in.mem.kind = M_PTR;
    in.mem.base = (uint8_t)r;
    in.mem.disp = 0;
    xd_emit(g, &in);
}

/* Self-modifying code: a RIP-relative store rewrites the immediate of an instruction a
 * little further on (or right after the store), which must execute with the new bytes (SDM
 * Vol.3 §11.6: a write to a code location takes effect for the following fetches). */
static void gen_smc(xd_gen *g)
{
    unsigned r = xd_dst(g);
    bool byte = xd_chance(g, 40);
    xd_insn st = { .opc = byte ? 0xc6 : 0xc7, .has_modrm = true, .is_mem = true,
                   .imm_bytes = (uint8_t)(byte ? 1 : 4) };
    st.imm = xd_rnd(g) & (byte ? 0xff : 0xffffffffu);
    st.mem.kind = M_RIP;
    st.mem.ea = XD_CODE_VA;
    xd_emit(g, &st);
    uint32_t st_end = g->pos;
    unsigned n = xd_chance(g, 30) ? 0 : 1 + xd_below(g, 3);
    bool saved = g->no_stack;
    g->no_stack = true;
    for (unsigned i = 0; i < n; i++)
        gen_alu_simple(g);
    g->no_stack = saved;
    uint32_t target = g->pos;
    mov_imm32(g, r, (uint32_t)xd_rnd(g));
    uint32_t imm_at = target + 1 + (r >= 8) + (byte ? xd_below(g, 4) : 0);
    uint32_t disp = (uint32_t)((XD_CODE_VA + imm_at) - (XD_CODE_VA + st_end));
    xd_put_le(g->c->code + st_end - st.imm_bytes - 4, disp, 4);
}

/* Simple ALU work used inside branches and loops: no stack, no RCX/RSI/RDI changes needed */
static void gen_alu_simple(xd_gen *g)
{
    if (xd_chance(g, 70))
        gen_alu(g);
    else
        gen_test_incdec(g);
}

static void gen_divide(xd_gen *g)
{
    gen_muldiv(g);
}

static void gen_mix(xd_gen *g);

const xd_group xd_groups[] = {
    { "alu", gen_alu, 10, 0 },
    { "test-incdec-neg-not-flags", gen_test_incdec, 6, 0 },
    { "shift-rotate-shld", gen_shift, 8, 0 },
    { "mul-div", gen_divide, 6, 0 },
    { "bit-bsf-popcnt-bswap", gen_bits, 6, 0 },
    { "mov-xchg-cmpxchg-movbe", gen_mov, 8, 0 },
    { "cond-jcc-loop-setcc-cmov", gen_cond, 6, 0 },
    { "stack-call-ret-enter", gen_stack, 6, 0 },
    { "string-rep", gen_string, 5, 0 },
    { "smc-self-modifying", gen_smc, 2, 0 },
    { "fault-ud-priv", gen_fault, 2, 0 },
    { "fault-wild-address", gen_wild, 2, 0 },
    { "sse-int", xd_gen_sse_int, 6, XD_F_SSE2 },
    { "sse-fp", xd_gen_sse_fp, 6, XD_F_SSE2 },
    { "sse-cvt", xd_gen_sse_cvt, 5, XD_F_SSE2 },
    { "sse4", xd_gen_sse4, 5, XD_F_SSE41 },
    { "x87", xd_gen_x87, 6, XD_F_FPU },
    { "mmx", xd_gen_mmx, 4, XD_F_MMX | XD_F_SSE2 },
    { "mix", gen_mix, 8, 0 },
};
const unsigned xd_ngroups = sizeof xd_groups / sizeof xd_groups[0];

/* Units from every group except the case-ending ones. */
static void gen_mix(xd_gen *g)
{
    unsigned k = xd_below(g, xd_ngroups - 1);
    if (xd_groups[k].emit == gen_fault || xd_groups[k].emit == gen_wild ||
        xd_groups[k].emit == gen_mix || !xd_has(g, xd_groups[k].needs))
        return;
    xd_groups[k].emit(g);
}

/* ---- the initial state ---- */

static void init_state(xd_gen *g, xd_state *s)
{
    for (int i = 0; i < 16; i++)
        s->gpr[i] = xd_edge(g, 8);
    /* edge values in one quadword of four, random bits elsewhere (generation time
     * dominates a run, and most of the data is never touched) */
    for (unsigned i = 0; i < XD_DATA_SIZE; i += 32) {
        uint64_t v[4] = { xd_rnd(g), xd_rnd(g), xd_rnd(g), xd_rnd(g) };
        v[v[3] & 3] = xd_edge(g, 8);
        memcpy(s->data + i, v, 32);
    }
    s->rflags = 0x202 | (xd_rnd(g) & (XF_ARITH | (xd_chance(g, 20) ? XF_DF : 0)));
    xd_init_fp_state(g, s);
}

static const uint8_t mem_regs[] = { RBX, R8, R9, R10, R11, R12, R13, R14, R15 };

void xd_generate(xd_case *c, unsigned grp, uint64_t seed, uint64_t index, uint32_t feat)
{
    xd_gen g;
    memset(c, 0, sizeof *c);
    memset(&g, 0, sizeof g);
    g.c = c;
    g.feat = feat;
    g.rng = seed * 0x9e3779b97f4a7c15ull ^ (index + 1) * 0xd1b54a32d192ed03ull ^ grp;
    c->group = xd_groups[grp].name;
    init_state(&g, &c->init);
    g.base = mem_regs[xd_below(&g, sizeof mem_regs)];
    do
        g.index = mem_regs[xd_below(&g, sizeof mem_regs)];
    while (g.index == g.base);
    g.base_val = XD_DATA_VA + xd_below(&g, XD_DATA_SIZE);
    g.index_val = (int64_t)xd_below(&g, 129) - 64;
    c->init.gpr[g.base] = g.base_val;
    c->init.gpr[g.index] = (uint64_t)g.index_val;
    g.rsp_off = 0x1000 + 8 * (int64_t)xd_below(&g, 64) - 256;
    c->init.gpr[RSP] = XD_DATA_VA + (uint64_t)g.rsp_off;
    g.protect = (1u << RSP) | (1u << g.base) | (1u << g.index);
    g.undef = 0;
    unsigned want = 4 + xd_below(&g, 28);
    bool ends = xd_groups[grp].emit == gen_fault || xd_groups[grp].emit == gen_wild;
    if (ends)
        want = xd_below(&g, 6);
    for (unsigned i = 0; c->ninsn < want && i < 4 * want + 8 && xd_room(&g, 64); i++) {
        const xd_group *gr = ends ? &xd_groups[xd_below(&g, 2)] : &xd_groups[grp];
        gr->emit(&g);
    }
    if (ends)
        xd_groups[grp].emit(&g);
    c->end = g.pos;
    /* the rest of the page is INT3 (except bytes a group placed at the page end) */
    for (uint32_t i = g.pos; i < XD_CODE_SIZE; i++)
        if (!c->code[i])
            c->code[i] = 0xcc;
    c->code_len = g.pos + 1;
    c->undef = g.undef;
}

uint32_t xd_features(const uint32_t l0[4], const uint32_t l1[4], const uint32_t l7[4],
                     const uint32_t l81[4])
{
    uint32_t f = 0;
    /* CPUID.0: the vendor string is EBX, EDX, ECX */
    if (!memcmp(&l0[1], "Genu", 4) && !memcmp(&l0[3], "ineI", 4) && !memcmp(&l0[2], "ntel", 4))
        f |= XD_F_INTEL;
    /* CPUID.1:EDX FPU(0) CMOV(15) SSE(25) SSE2(26); ECX SSE3(0) PCLMUL(1) SSSE3(9) CX16(13)
     * SSE4.1(19) SSE4.2(20) MOVBE(22) POPCNT(23), EDX MMX(23); CPUID.7.0:EBX BMI1(3);
     * CPUID.80000001H:ECX LAHF(0) LZCNT(5) */
    if (l1[3] & 1u)
        f |= XD_F_FPU;
    if (l1[3] & (1u << 15))
        f |= XD_F_CMOV;
    if (l1[3] & (1u << 23))
        f |= XD_F_MMX;
    if ((l1[3] & (3u << 25)) == (3u << 25))
        f |= XD_F_SSE2;
    if (l1[2] & 1u)
        f |= XD_F_SSE3;
    if (l1[2] & (1u << 1))
        f |= XD_F_PCLMUL;
    if (l1[2] & (1u << 9))
        f |= XD_F_SSSE3;
    if (l1[2] & (1u << 13))
        f |= XD_F_CX16;
    if (l1[2] & (1u << 19))
        f |= XD_F_SSE41;
    if (l1[2] & (1u << 20))
        f |= XD_F_SSE42;
    if (l1[2] & (1u << 22))
        f |= XD_F_MOVBE;
    if (l1[2] & (1u << 23))
        f |= XD_F_POPCNT;
    if (l7[1] & (1u << 3))
        f |= XD_F_BMI1;
    if (l81[2] & 1u)
        f |= XD_F_LAHF;
    if (l81[2] & (1u << 5))
        f |= XD_F_LZCNT;
    return f;
}
