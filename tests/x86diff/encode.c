/* The instruction encoder of the case generator: legacy and mandatory prefixes, REX,
 * the 0F/0F38/0F3A maps, ModRM/SIB with every base/index/displacement form, RIP-relative
 * and absolute operands (SDM Vol.2 §2.1-2.2), immediates; and the choice of a memory
 * operand's addressing form for a target inside the data pages. */
#include "gen.h"

#include <string.h>

void xd_mark(xd_gen *g)
{
    if (g->c->ninsn < XD_MAX_INSNS + 8) {
        g->c->undef_at[g->c->ninsn] = g->undef;
        g->c->off[g->c->ninsn++] = (uint16_t)g->pos;
    }
}

void xd_byte(xd_gen *g, uint8_t b)
{
    if (g->pos < XD_CODE_SIZE)
        g->c->code[g->pos++] = b;
}

void xd_opsize(xd_insn *in, unsigned size)
{
    if (size == 2)
        in->pfx[in->npfx++] = 0x66;
    in->w = size == 8;
}

/* ---- memory operands ---- */

/* A data offset for an access of `size` bytes: aligned to `align` (mostly), sometimes
 * straddling the page boundary inside the data area. */
static uint32_t data_offset(xd_gen *g, unsigned size, unsigned align)
{
    uint32_t limit = XD_DATA_SIZE - size;
    uint32_t off;
    if (xd_chance(g, 10)) {
        off = 0x1000 - xd_below(g, size ? size : 1);  /* across the page boundary */
    } else {
        off = xd_below(g, limit + 1);
    }
    if (align > 1 && !xd_chance(g, 1))
        off &= ~(align - 1);
    if (off > limit)
        off = limit & ~(align ? align - 1 : 0);
    return off;
}

void xd_mem_operand(xd_gen *g, xd_mem *m, unsigned size, unsigned align)
{
    xd_mem_at(g, m, data_offset(g, size, align));
}

void xd_mem_at(xd_gen *g, xd_mem *m, uint32_t off)
{
    memset(m, 0, sizeof *m);
    uint64_t ea = XD_DATA_VA + off;
    m->ea = ea;
    unsigned k = xd_below(g, 20);
    if (k < 7) {
        m->kind = M_BASE;
        m->base = g->base;
        m->disp = (int32_t)(int64_t)(ea - g->base_val);
    } else if (k < 13) {
        m->kind = M_BASE_INDEX;
        m->base = g->base;
        m->index = g->index;
        m->scale = (uint8_t)xd_below(g, 4);
        m->disp = (int32_t)((int64_t)(ea - g->base_val) - g->index_val * (1 << m->scale));
    } else if (k < 16) {
        m->kind = M_RIP;
    } else if (k < 18) {
        m->kind = M_ABS;
        m->disp = (int32_t)ea;
    } else {
        m->kind = M_RSP;
        m->base = RSP;
        m->disp = (int32_t)((int64_t)(ea - XD_DATA_VA) - g->rsp_off);
    }
    m->addr32 = m->kind != M_RSP && xd_chance(g, 4);
}

/* ---- encoder ---- */

unsigned xd_put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
    return n;
}

void xd_emit(xd_gen *g, const xd_insn *in)
{
    uint8_t b[32];
    unsigned n = 0, rex = 0, disp_at = 0, disp_len = 0;
    const xd_mem *m = &in->mem;
    xd_mark(g);
    if (in->is_mem && xd_chance(g, 4)) {
        /* Prefixes without effect in 64-bit mode: an ES/CS/SS/DS override (SDM Vol.1
         * §3.3.7.1), sometimes after a REX byte that a following legacy prefix voids
         * (Vol.2 §2.2.1: REX must immediately precede the opcode or escape). */
        static const uint8_t seg[] = { 0x26, 0x2e, 0x36, 0x3e };
        if (xd_chance(g, 30))
            b[n++] = (uint8_t)(0x40 | xd_below(g, 16));
        b[n++] = seg[xd_below(g, 4)];
    }
    if (in->is_mem && m->addr32)
        b[n++] = 0x67;
    for (unsigned i = 0; i < in->npfx; i++)
        b[n++] = in->pfx[i];
    if (in->w)
        rex |= 8;
    if (in->has_modrm) {
        rex |= (in->reg & 8) >> 1;
        if (in->is_mem) {
            if (m->kind == M_BASE_INDEX)
                rex |= (m->index & 8) >> 2;
            if (m->kind == M_BASE || m->kind == M_BASE_INDEX || m->kind == M_RSP ||
                m->kind == M_PTR)
                rex |= (m->base & 8) >> 3;
        } else {
            rex |= (in->rm & 8) >> 3;
        }
    } else {
        rex |= (in->rm & 8) >> 3;
    }
    if (rex || in->rex)
        b[n++] = (uint8_t)(0x40 | rex);
    if (in->map >= 1)
        b[n++] = 0x0f;
    if (in->map == 2)
        b[n++] = 0x38;
    if (in->map == 3)
        b[n++] = 0x3a;
    b[n++] = in->opc;
    if (in->has_modrm) {
        uint8_t reg = (uint8_t)((in->reg & 7) << 3);
        if (!in->is_mem) {
            b[n++] = (uint8_t)(0xc0 | reg | (in->rm & 7));
        } else if (m->kind == M_RIP) {
            b[n++] = (uint8_t)(0x05 | reg);
            disp_at = n;
            disp_len = 4;
            n += 4;
        } else if (m->kind == M_ABS) {
            b[n++] = (uint8_t)(0x04 | reg);
            b[n++] = 0x25;
            n += xd_put_le(b + n, (uint32_t)m->disp, 4);
        } else {
            unsigned base = m->base & 7, mod;
            bool sib = m->kind == M_BASE_INDEX || base == 4;
            if (m->disp == 0 && base != 5)
                mod = 0;
            else if (m->disp >= -128 && m->disp <= 127)
                mod = 1;
            else
                mod = 2;
            b[n++] = (uint8_t)((mod << 6) | reg | (sib ? 4 : base));
            if (sib) {
                unsigned idx = m->kind == M_BASE_INDEX ? (m->index & 7) : 4;
                unsigned sc = m->kind == M_BASE_INDEX ? m->scale : 0;
                b[n++] = (uint8_t)((sc << 6) | (idx << 3) | base);
            }
            if (mod == 1)
                b[n++] = (uint8_t)(int8_t)m->disp;
            else if (mod == 2)
                n += xd_put_le(b + n, (uint32_t)m->disp, 4);
        }
    }
    n += xd_put_le(b + n, in->imm, in->imm_bytes);
    if (disp_len) {
        uint64_t next = XD_CODE_VA + g->pos + n;
        xd_put_le(b + disp_at, (uint32_t)(m->ea - next), 4);
    }
    for (unsigned i = 0; i < n; i++)
        xd_byte(g, b[i]);
}

