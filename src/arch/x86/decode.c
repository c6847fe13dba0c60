/* The x86 decoder (SDM Vol.2 chapter 2 "Instruction Format"): legacy prefixes, REX,
 * opcode maps, ModRM/SIB/displacement and immediates. Which instruction a byte sequence
 * is comes only from opcodes.def; this file knows the encoding rules, not the ISA. */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/decode.h"

#define X86_OP(name, mnem, handler, arg, map, byte, sel, pfx, o1, o2, o3, feat, attr) \
    {mnem, arg, map, byte, sel, pfx, {o1, o2, o3}, feat, attr},
const x86_opinfo x86_opinfo_table[X86_OP_COUNT] = {
#include "arch/x86/opcodes.def"
};
#undef X86_OP

static bool opd_needs_modrm(uint8_t o)
{
    switch (o) {
    case O_Eb: case O_Ew: case O_Ed: case O_Eq: case O_Ev: case O_Ey:
    case O_Gb: case O_Gw: case O_Gd: case O_Gv: case O_Gy:
    case O_M: case O_Mb: case O_Mw: case O_Md: case O_Mq: case O_Mp: case O_Mdq: case O_Ms:
    case O_Rv: case O_Ry: case O_Sw: case O_Cd: case O_Dd:
    case O_Vx: case O_Wx: case O_Ux: case O_Hx: case O_Pq: case O_Qq: case O_Nq:
    case O_Wsd: case O_Wss: case O_Vy: case O_FPU:
        return true;
    default:
        return false;
    }
}

static bool needs_modrm(const x86_opinfo *e)
{
    return e->sel != S_NONE || opd_needs_modrm(e->opd[0]) || opd_needs_modrm(e->opd[1]) ||
           opd_needs_modrm(e->opd[2]);
}

/* First table index with key >= (map, byte); the table is sorted by that key. */
static unsigned lower_bound(unsigned key)
{
    unsigned lo = 0, hi = X86_OP_COUNT;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        unsigned k = (unsigned)x86_opinfo_table[mid].map << 8 | x86_opinfo_table[mid].byte;
        if (k < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The run of entries for (map, byte): [first, end). Opcode+register forms are listed once
 * at their base byte (a multiple of 8 in every map). */
static bool find_run(unsigned map, unsigned byte, unsigned *first, unsigned *end)
{
    for (int pass = 0; pass < 2; pass++) {
        unsigned b = pass ? (byte & ~7u) : byte;
        if (pass && b == byte)
            break;
        unsigned key = map << 8 | b;
        unsigned i = lower_bound(key);
        unsigned j = i;
        while (j < X86_OP_COUNT &&
               ((unsigned)x86_opinfo_table[j].map << 8 | x86_opinfo_table[j].byte) == key)
            j++;
        if (j == i)
            continue;
        if (pass && !(x86_opinfo_table[i].attr & A_PLUSR))
            return false;
        if (!pass && b != byte)
            continue;
        *first = i;
        *end = j;
        return true;
    }
    return false;
}

static int imm_bytes(uint8_t o, const x86_insn *in)
{
    switch (o) {
    case O_Ib: case O_Ibs: case O_Jb: return 1;
    case O_Iw: return 2;
    case O_Iz: case O_Jz: return in->osz == 2 ? 2 : 4;
    case O_Iv: return in->osz;
    case O_Ob: case O_Ov: return in->asz;
    case O_Ap: return in->osz == 2 ? 4 : 6;
    default: return 0;
    }
}

static uint64_t load_le(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static int64_t sext(uint64_t v, int bytes)
{
    if (bytes >= 8)
        return (int64_t)v;
    unsigned sh = 64 - 8 * (unsigned)bytes;
    return (int64_t)(v << sh) >> sh;
}

/* 16-bit ModRM addressing (SDM Vol.2 Table 2-1): base and index per r/m. */
static const uint8_t rm16_base[8] = {RBX, RBX, RBP, RBP, X86_NOREG, X86_NOREG, RBP, RBX};
static const uint8_t rm16_index[8] = {RSI, RDI, RSI, RDI, RSI, RDI, X86_NOREG, X86_NOREG};

/* Size in bytes of operand spec o for this instruction (SDM Vol.2 A.2.2 type codes). */
unsigned x86_opd_size(const x86_insn *in, uint8_t o)
{
    switch (o) {
    case O_Eb: case O_Gb: case O_Ib: case O_Jb: case O_Zb: case O_AL: case O_CL:
    case O_Mb: case O_Ob: case O_Xb: case O_Yb: case O_ONE:
        return 1;
    case O_Ew: case O_Gw: case O_Iw: case O_Mw: case O_DX: case O_Sw:
    case O_ES: case O_CS: case O_SS: case O_DS: case O_FS: case O_GS:
        return 2;
    case O_Ed: case O_Gd: case O_Md:
        return 4;
    case O_Eq: case O_Mq:
        return 8;
    case O_Ey: case O_Gy: case O_Ry: case O_Cd: case O_Dd:
        return in->osz == 8 ? 8 : 4;
    case O_Iz: case O_Jz:
        return in->osz == 2 ? 2 : 4;
    default:
        return in->osz;
    }
}

#define NEED(n)                                                                              \
    do {                                                                                     \
        if (i + (n) > 15)                                                                    \
            return X86_DEC_GP;                                                               \
        if (i + (n) > avail)                                                                 \
            return X86_DEC_SHORT;                                                            \
    } while (0)

int x86_decode(const uint8_t *code, size_t avail, int bits, uint32_t feat, x86_insn *in)
{
    memset(in, 0, sizeof *in);
    in->segovr = SEG_NONE;
    in->base = in->index = X86_NOREG;
    size_t i = 0;
    bool p66 = false, p67 = false;
    uint8_t last_rep = 0;
    uint8_t rex = 0;

    /* Prefixes (SDM Vol.2 §2.1.1, §2.2.1): any order, the last of a group wins; a REX
     * byte counts only if it comes last, right before the opcode. */
    for (;;) {
        NEED(1);
        uint8_t b = code[i];
        switch (b) {
        case 0x66: p66 = true; rex = 0; i++; continue;
        case 0x67: p67 = true; rex = 0; i++; continue;
        case 0xf0: in->lock = 1; rex = 0; i++; continue;
        case 0xf2: case 0xf3: last_rep = b; rex = 0; i++; continue;
        case 0x26: in->segovr = SEG_ES; rex = 0; i++; continue;
        case 0x2e: in->segovr = SEG_CS; rex = 0; i++; continue;
        case 0x36: in->segovr = SEG_SS; rex = 0; i++; continue;
        case 0x3e: in->segovr = SEG_DS; rex = 0; i++; continue;
        case 0x64: in->segovr = SEG_FS; rex = 0; i++; continue;
        case 0x65: in->segovr = SEG_GS; rex = 0; i++; continue;
        default: break;
        }
        if (bits == 64 && (b & 0xf0) == 0x40) {
            rex = b;
            i++;
            continue;
        }
        break;
    }
    in->rex = rex;
    in->rep = last_rep;

    unsigned map = 0;
    NEED(1);
    uint8_t opb = code[i++];
    if (opb == 0x0f) {
        NEED(1);
        opb = code[i++];
        map = 1;
        if (opb == 0x38 || opb == 0x3a) {
            map = opb == 0x38 ? 2 : 3;
            NEED(1);
            opb = code[i++];
        }
    }
    in->opb = opb;

    unsigned first, end;
    if (!find_run(map, opb, &first, &end))
        return X86_DEC_UD;
    bool modrm = false;
    for (unsigned k = first; k < end; k++)
        modrm |= needs_modrm(&x86_opinfo_table[k]);
    uint8_t mrm = 0;
    if (modrm) {
        NEED(1);
        mrm = code[i++];
        in->has_modrm = true;
        in->modrm = mrm;
    }
    unsigned mod = mrm >> 6, reg = (mrm >> 3) & 7;

    /* Mandatory prefix class (SDM Vol.2 §2.1.2 and the opcode map notes): F2/F3 (the
     * last one) takes precedence over 66. */
    int pcls = last_rep == 0xf3 ? P_F3 : last_rep == 0xf2 ? P_F2 : p66 ? P_66 : P_NP;

    int best = -1, best_score = 0;
    for (unsigned k = first; k < end; k++) {
        const x86_opinfo *e = &x86_opinfo_table[k];
        if (!(feat & (1u << e->feat)))
            continue;
        if ((e->attr & A_I64) && bits == 64)
            continue;
        if ((e->attr & A_O64) && bits != 64)
            continue;
        int score;
        if (e->pfx == P_ANY)
            score = 0;
        else if (e->pfx == pcls)
            score = 10;
        else
            continue;
        unsigned kind = e->sel & 0xf00, v = e->sel & 0xff;
        switch (kind) {
        case S_NONE: score += 1; break;
        case 0x100: if (reg != v) continue; score += 3; break;
        case 0x200: if (reg != v || mod == 3) continue; score += 4; break;
        case 0x300: if (reg != v || mod != 3) continue; score += 4; break;
        case 0x400: if (mrm != v) continue; score += 5; break;
        case S_MEM: if (mod == 3) continue; score += 2; break;
        case S_REGONLY: if (mod != 3) continue; score += 2; break;
        default: continue;
        }
        if (score > best_score) {
            best_score = score;
            best = (int)k;
        }
    }
    if (best < 0)
        return X86_DEC_UD;
    const x86_opinfo *e = &x86_opinfo_table[best];
    in->op = (uint16_t)best;

    /* Operand and address size (SDM Vol.1 §3.6, Vol.2 §2.2.1.2) */
    if (bits == 64) {
        if (rex & 8)
            in->osz = 8;
        else if (e->attr & A_F64)
            in->osz = 8;
        else if (e->attr & A_D64)
            in->osz = p66 ? 2 : 8;
        else
            in->osz = p66 ? 2 : 4;
        in->asz = p67 ? 4 : 8;
    } else {
        in->osz = (bits == 16) != p66 ? 2 : 4;
        in->asz = (bits == 16) != p67 ? 2 : 4;
    }
    /* Mandatory 66 of an SSE form is not an operand-size prefix. */
    if (e->pfx == P_66 && in->osz == 2)
        in->osz = bits == 16 ? 2 : 4;

    in->reg = (uint8_t)(reg | ((rex & 4) << 1));
    in->rm = (uint8_t)((mrm & 7) | ((rex & 1) << 3));
    in->mod = (uint8_t)mod;
    bool regform = e->opd[0] == O_Cd || e->opd[1] == O_Cd || e->opd[0] == O_Dd ||
                   e->opd[1] == O_Dd;
    if (modrm && mod != 3 && regform)
        in->mod = 3; /* MOV to/from CRn/DRn ignore mod (SDM Vol.2 MOV—Move to/from CR) */

    uint8_t dseg = SEG_DS;
    if (modrm && in->mod != 3) {
        unsigned rm = mrm & 7;
        if (in->asz == 2) {
            if (mod == 0 && rm == 6) {
                NEED(2);
                in->disp = sext(load_le(code + i, 2), 2);
                i += 2;
            } else {
                in->base = rm16_base[rm];
                in->index = rm16_index[rm];
                if (in->base == RBP)
                    dseg = SEG_SS;
            }
            if (mod == 1) {
                NEED(1);
                in->disp = sext(code[i], 1);
                i++;
            } else if (mod == 2) {
                NEED(2);
                in->disp = sext(load_le(code + i, 2), 2);
                i += 2;
            }
        } else {
            bool disp32 = false;
            if (rm == 4) {
                NEED(1);
                uint8_t sib = code[i++];
                unsigned base = sib & 7, idx = ((sib >> 3) & 7) | ((rex & 2) << 2);
                in->scale = (uint8_t)(sib >> 6);
                in->index = idx == 4 ? X86_NOREG : (uint8_t)idx;
                if (base == 5 && mod == 0) {
                    disp32 = true;
                } else {
                    in->base = (uint8_t)(base | ((rex & 1) << 3));
                }
            } else if (rm == 5 && mod == 0) {
                disp32 = true;
                if (bits == 64)
                    in->riprel = true;
            } else {
                in->base = in->rm;
            }
            if (in->base == RSP || in->base == RBP)
                dseg = SEG_SS;
            if (mod == 1) {
                NEED(1);
                in->disp = sext(code[i], 1);
                i++;
            } else if (mod == 2 || disp32) {
                NEED(4);
                in->disp = sext(load_le(code + i, 4), 4);
                i += 4;
            }
        }
    }
    in->seg = in->segovr != SEG_NONE ? in->segovr : dseg;
    /* SDM Vol.1 §3.3.7.1: in 64-bit mode ES/CS/DS/SS overrides are ignored (base 0); the
     * default segment stays, SS for an RSP/RBP base, so a non-canonical stack reference
     * is #SS and any other #GP whatever the override (as the host does). */
    if (bits == 64 && in->seg != SEG_FS && in->seg != SEG_GS)
        in->seg = dseg == SEG_SS ? SEG_SS : SEG_DS;

    /* Immediates */
    for (int k = 0; k < 3; k++) {
        uint8_t o = e->opd[k];
        int n = imm_bytes(o, in);
        if (!n)
            continue;
        NEED((size_t)n);
        uint64_t v = load_le(code + i, n);
        i += (size_t)n;
        if (o == O_Ap) {
            int off = n - 2;
            in->imm = load_le(code + i - (size_t)n, off);
            in->imm2 = load_le(code + i - 2, 2);
        } else if (o == O_Ob || o == O_Ov) {
            in->disp = (int64_t)v;
        } else if (k > 0 && e->opd[0] == O_Iw) {
            in->imm2 = v; /* ENTER's second immediate */
        } else if (o == O_Ibs || o == O_Jb || o == O_Jz) {
            in->imm = (uint64_t)sext(v, n);
        } else if (o == O_Iz) {
            in->imm = in->osz == 8 ? (uint64_t)sext(v, 4) : v;
        } else {
            in->imm = v;
        }
    }
    in->len = (uint8_t)i;
    for (int k = 0; k < 3; k++) {
        uint8_t o = e->opd[k];
        in->osize[k] = (uint8_t)x86_opd_size(in, o);
        in->opd[k] = o;
        in->loc[k] = X86_LOC_OTHER;
        switch (o) {
        case O_Eb: case O_Ew: case O_Ed: case O_Eq: case O_Ev: case O_Ey:
            if (in->mod == 3) {
                in->loc[k] = X86_LOC_REG;
                in->lreg[k] = in->rm;
            }
            break;
        case O_Gb: case O_Gw: case O_Gd: case O_Gv: case O_Gy:
            in->loc[k] = X86_LOC_REG;
            in->lreg[k] = in->reg;
            break;
        case O_Rv: case O_Ry:
            in->loc[k] = X86_LOC_REG;
            in->lreg[k] = in->rm;
            break;
        case O_Zb: case O_Zv:
            in->loc[k] = X86_LOC_REG;
            in->lreg[k] = (uint8_t)((opb & 7) | ((rex & 1) << 3));
            break;
        case O_AL: case O_rAX:
            in->loc[k] = X86_LOC_REG;
            in->lreg[k] = RAX;
            break;
        case O_CL:
            in->loc[k] = X86_LOC_REG;
            in->lreg[k] = RCX;
            break;
        case O_Ib: case O_Ibs: case O_Iw: case O_Iz: case O_Iv:
            if (!(k > 0 && e->opd[0] == O_Iw))
                in->loc[k] = X86_LOC_IMM;
            break;
        default:
            break;
        }
    }

    /* SDM Vol.2 §2.1.1: LOCK is legal only on the listed instructions with a memory
     * destination; anything else is #UD. */
    if (in->lock && (!(e->attr & A_LOCK) || in->mod == 3 || !modrm))
        return X86_DEC_UD;
    return X86_DEC_OK;
}
