/* Disassembly for --trace insn and the tests, from the same table the decoder uses
 * (mnemonic and operand specs of opcodes.def), Intel syntax. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/decode.h"

static const char *const r64[16] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                                    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
static const char *const r32[16] = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi",
                                    "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d",
                                    "r15d"};
static const char *const r16[16] = {"ax", "cx", "dx", "bx", "sp", "bp", "si", "di",
                                    "r8w", "r9w", "r10w", "r11w", "r12w", "r13w", "r14w",
                                    "r15w"};
static const char *const r8x[16] = {"al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil",
                                    "r8b", "r9b", "r10b", "r11b", "r12b", "r13b", "r14b",
                                    "r15b"};
static const char *const r8l[8] = {"al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"};
static const char *const sregs[8] = {"es", "cs", "ss", "ds", "fs", "gs", "?", "?"};

static const char *reg_name(unsigned r, unsigned size, bool rex)
{
    r &= 15;
    switch (size) {
    case 1: return (!rex && r < 8) ? r8l[r] : r8x[r];
    case 2: return r16[r];
    case 4: return r32[r];
    default: return r64[r];
    }
}

static unsigned size_of(const x86_insn *in, uint8_t o)
{
    switch (o) {
    case O_Eb: case O_Gb: case O_Zb: case O_AL: case O_CL: case O_Mb: case O_Ob:
    case O_Xb: case O_Yb:
        return 1;
    case O_Ew: case O_Gw: case O_Mw: case O_Sw: return 2;
    case O_Ed: case O_Gd: case O_Md: return 4;
    case O_Eq: case O_Mq: return 8;
    case O_Ey: case O_Gy: case O_Ry: case O_Cd: case O_Dd: return in->osz == 8 ? 8 : 4;
    default: return in->osz;
    }
}

static size_t put(char *buf, size_t len, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#include <stdarg.h>
static size_t put(char *buf, size_t len, size_t at, const char *fmt, ...)
{
    if (at >= len)
        return at;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + at, len - at, fmt, ap);
    va_end(ap);
    return n < 0 ? at : at + (size_t)n;
}

static size_t mem_operand(const x86_insn *in, uint64_t rip, char *buf, size_t len, size_t at,
                          unsigned size)
{
    static const char *const sz[9] = {"", "byte ", "word ", "", "dword ", "", "", "",
                                      "qword "};
    at = put(buf, len, at, "%s", size <= 8 ? sz[size] : "");
    if (in->segovr != SEG_NONE)
        at = put(buf, len, at, "%s:", sregs[in->segovr]);
    at = put(buf, len, at, "[");
    bool any = false;
    unsigned as = in->asz;
    if (in->riprel) {
        at = put(buf, len, at, "rip");
        any = true;
    }
    if (in->base != X86_NOREG) {
        at = put(buf, len, at, "%s", reg_name(in->base, as, true));
        any = true;
    }
    if (in->index != X86_NOREG) {
        at = put(buf, len, at, "%s%s*%u", any ? "+" : "", reg_name(in->index, as, true),
                 1u << in->scale);
        any = true;
    }
    if (in->disp || !any) {
        if (any && in->disp < 0)
            at = put(buf, len, at, "-%#" PRIx64, (uint64_t)0 - (uint64_t)in->disp);
        else
            at = put(buf, len, at, "%s%#" PRIx64, any ? "+" : "", (uint64_t)in->disp);
    }
    (void)rip;
    return put(buf, len, at, "]");
}

void x86_disasm(const x86_insn *in, uint64_t rip, char *buf, size_t len)
{
    const x86_opinfo *e = &x86_opinfo_table[in->op];
    size_t at = 0;
    buf[0] = 0;
    if (in->lock)
        at = put(buf, len, at, "lock ");
    if (in->rep && (e->attr & A_REP))
        at = put(buf, len, at, in->rep == 0xf3 ? "rep " : "repne ");
    at = put(buf, len, at, "%s", e->mnem);
    bool rex = in->rex != 0;
    for (int k = 0; k < 3; k++) {
        uint8_t o = e->opd[k];
        if (o == O_NONE)
            break;
        at = put(buf, len, at, k ? ", " : " ");
        unsigned s = size_of(in, o);
        switch (o) {
        case O_Eb: case O_Ew: case O_Ed: case O_Eq: case O_Ev: case O_Ey:
            if (in->mod == 3)
                at = put(buf, len, at, "%s", reg_name(in->rm, s, rex));
            else
                at = mem_operand(in, rip, buf, len, at, s);
            break;
        case O_FPU: /* x87 escape: opcode and ModRM (the table has one line per escape) */
            if (in->mod == 3)
                at = put(buf, len, at, "%02x %02x", in->opb, in->modrm);
            else
                at = mem_operand(in, rip, buf, len,
                                 put(buf, len, at, "%02x /%u ", in->opb, in->reg & 7u), 0);
            break;
        case O_M: case O_Mb: case O_Mw: case O_Md: case O_Mq: case O_Mp: case O_Mdq:
        case O_Ms:
            if (in->mod == 3)
                at = put(buf, len, at, "%s", reg_name(in->rm, 4, rex));
            else
                at = mem_operand(in, rip, buf, len, at, o == O_M ? 0 : s);
            break;
        case O_Gb: case O_Gw: case O_Gd: case O_Gv: case O_Gy:
            at = put(buf, len, at, "%s", reg_name(in->reg, s, rex));
            break;
        case O_Rv: case O_Ry:
            at = put(buf, len, at, "%s", reg_name(in->rm, s, rex));
            break;
        case O_Zb: case O_Zv:
            at = put(buf, len, at, "%s",
                     reg_name((in->opb & 7u) | ((in->rex & 1u) << 3), s, rex));
            break;
        case O_Ib: case O_Iw: case O_Iz: case O_Iv: case O_Ibs:
            at = put(buf, len, at, "%#" PRIx64,
                     (uint64_t)(s >= 8 ? in->imm : in->imm & ((1ull << (8 * s)) - 1)));
            break;
        case O_Jb: case O_Jz:
            at = put(buf, len, at, "%#" PRIx64, rip + in->len + in->imm);
            break;
        case O_Ob: case O_Ov:
            at = put(buf, len, at, "[%#" PRIx64 "]", (uint64_t)in->disp);
            break;
        case O_AL: at = put(buf, len, at, "al"); break;
        case O_rAX: at = put(buf, len, at, "%s", reg_name(0, s, rex)); break;
        case O_CL: at = put(buf, len, at, "cl"); break;
        case O_DX: at = put(buf, len, at, "dx"); break;
        case O_ONE: at = put(buf, len, at, "1"); break;
        case O_Sw: at = put(buf, len, at, "%s", sregs[in->reg & 7]); break;
        case O_Cd: at = put(buf, len, at, "cr%u", in->reg); break;
        case O_Dd: at = put(buf, len, at, "dr%u", in->reg); break;
        case O_Ap:
            at = put(buf, len, at, "%#" PRIx64 ":%#" PRIx64, in->imm2, in->imm);
            break;
        case O_Xb: case O_Xv: at = put(buf, len, at, "[rsi]"); break;
        case O_Yb: case O_Yv: at = put(buf, len, at, "[rdi]"); break;
        case O_ES: case O_CS: case O_SS: case O_DS: case O_FS: case O_GS:
            at = put(buf, len, at, "%s", sregs[o - O_ES]);
            break;
        case O_Vx: case O_Vy: at = put(buf, len, at, "xmm%u", in->reg); break;
        case O_Ux: at = put(buf, len, at, "xmm%u", in->rm); break;
        case O_Pq: at = put(buf, len, at, "mm%u", in->reg & 7u); break;
        case O_Nq: at = put(buf, len, at, "mm%u", in->rm & 7u); break;
        case O_Wx: case O_Wsd: case O_Wss:
            if (in->mod == 3)
                at = put(buf, len, at, "xmm%u", in->rm);
            else
                at = mem_operand(in, rip, buf, len, at, 0);
            break;
        case O_Qq:
            if (in->mod == 3)
                at = put(buf, len, at, "mm%u", in->rm & 7u);
            else
                at = mem_operand(in, rip, buf, len, at, 8);
            break;
        default:
            at = put(buf, len, at, "?");
            break;
        }
    }
}
