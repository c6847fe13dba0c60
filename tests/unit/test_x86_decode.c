/* The x86 decoder against hand-assembled encodings (SDM Vol.2 chapter 2): lengths,
 * operand sizes, ModRM/SIB/displacement, RIP-relative, prefixes (REX position, last
 * segment override, mandatory 66/F2/F3), the 15-byte limit, LOCK legality, mode-dependent
 * opcodes; and the table itself (sorted, every entry decodable). */
#include <stdio.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/decode.h"
#include "check.h"

static uint32_t feat;

static int dec(int bits, const char *hex, x86_insn *in)
{
    uint8_t b[32];
    size_t n = 0;
    for (const char *p = hex; *p && n < sizeof b;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        unsigned v;
        sscanf(p, "%2x", &v);
        b[n++] = (uint8_t)v;
        p += 2;
    }
    return x86_decode(b, n, bits, feat, in);
}

static const char *mnem(const x86_insn *in)
{
    return x86_opinfo_table[in->op].mnem;
}

static void text_is(int bits, const char *hex, const char *want)
{
    x86_insn in;
    char buf[96] = "";
    if (dec(bits, hex, &in) == X86_DEC_OK)
        x86_disasm(&in, 0x1000, buf, sizeof buf);
    CHECK_STR(buf, want, want);
}

int main(void)
{
    x86_cpu dummy;
    memset(&dummy, 0, sizeof dummy);
    feat = x86_feature_mask(&dummy);
    x86_insn in;

    /* the table is sorted by (map, byte): the decoder's binary search relies on it */
    bool sorted = true;
    for (unsigned i = 1; i < X86_OP_COUNT; i++) {
        unsigned a = (unsigned)x86_opinfo_table[i - 1].map << 8 | x86_opinfo_table[i - 1].byte;
        unsigned b = (unsigned)x86_opinfo_table[i].map << 8 | x86_opinfo_table[i].byte;
        sorted &= a <= b;
    }
    CHECK(sorted, "opcodes.def sorted by map and byte");

    CHECK_EQ(dec(64, "48 8b 44 24 08", &in), X86_DEC_OK, "mov rax,[rsp+8] decodes");
    CHECK_EQ(in.len, 5, "length 5");
    CHECK_EQ(in.osz, 8, "REX.W: 64-bit operand");
    CHECK_EQ(in.base, RSP, "SIB base rsp");
    CHECK_EQ(in.index, X86_NOREG, "SIB index 4 = none");
    CHECK_EQ(in.disp, 8, "disp8");

    CHECK_EQ(dec(64, "48 66 8b c0", &in), X86_DEC_OK, "REX before 66");
    CHECK_EQ(in.osz, 2, "REX not last is ignored: 16-bit");
    CHECK_EQ(dec(64, "66 48 8b c0", &in), X86_DEC_OK, "66 before REX.W");
    CHECK_EQ(in.osz, 8, "REX.W wins over 66");

    CHECK_EQ(dec(64, "48 8d 05 10 00 00 00", &in), X86_DEC_OK, "lea rip-relative");
    CHECK(in.riprel, "RIP-relative");
    CHECK_EQ(in.len, 7, "length 7");
    CHECK_EQ(dec(32, "8d 05 10 00 00 00", &in), X86_DEC_OK, "32-bit disp32");
    CHECK(!in.riprel && in.base == X86_NOREG, "absolute in 32-bit mode");

    CHECK_EQ(dec(16, "8b 46 02", &in), X86_DEC_OK, "16-bit [bp+2]");
    CHECK_EQ(in.base, RBP, "bp base");
    CHECK_EQ(in.seg, SEG_SS, "bp-based defaults to SS");
    CHECK_EQ(in.osz, 2, "16-bit operand");
    CHECK_EQ(dec(16, "66 67 8b 04 24", &in), X86_DEC_OK, "16-bit code, 66 67: 32-bit SIB");
    CHECK_EQ(in.osz, 4, "66 in 16-bit code: 32-bit operand");
    CHECK_EQ(in.asz, 4, "67 in 16-bit code: 32-bit address");

    CHECK_EQ(dec(32, "2e 26 8b 00", &in), X86_DEC_OK, "two segment overrides");
    CHECK_EQ(in.seg, SEG_ES, "the last one wins");
    CHECK_EQ(dec(64, "2e 8b 00", &in), X86_DEC_OK, "CS override in 64-bit");
    CHECK_EQ(in.seg, SEG_DS, "ignored in 64-bit mode");
    CHECK_EQ(dec(64, "64 8b 00", &in), X86_DEC_OK, "FS override in 64-bit");
    CHECK_EQ(in.seg, SEG_FS, "FS honoured");

    CHECK_EQ(dec(64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", &in), X86_DEC_OK,
             "15 bytes is fine");
    CHECK_EQ(dec(64, "66 66 66 66 66 66 66 66 66 66 66 66 66 66 66 90", &in), X86_DEC_GP,
             "16 bytes: #GP");
    CHECK_EQ(dec(64, "48 b8 01 02 03 04", &in), X86_DEC_SHORT, "truncated imm64: short");

    CHECK_EQ(dec(64, "f0 01 c0", &in), X86_DEC_UD, "LOCK with register destination: #UD");
    CHECK_EQ(dec(64, "f0 01 00", &in), X86_DEC_OK, "LOCK add [rax], eax");
    CHECK_EQ(dec(64, "f0 8b 00", &in), X86_DEC_UD, "LOCK mov: #UD");
    CHECK_EQ(dec(64, "8d c0", &in), X86_DEC_UD, "LEA with a register operand: #UD");

    CHECK_EQ(dec(64, "c4 e2 79 18 00", &in), X86_DEC_UD, "VEX (no AVX): #UD");
    CHECK_EQ(dec(32, "c4 00", &in), X86_DEC_OK, "C4 in 32-bit with memory: LES");
    CHECK_STR(mnem(&in), "les", "les");
    CHECK_EQ(dec(64, "06", &in), X86_DEC_UD, "push es invalid in 64-bit mode");
    CHECK_EQ(dec(32, "40", &in), X86_DEC_OK, "40 in 32-bit mode");
    CHECK_STR(mnem(&in), "inc", "is INC");
    CHECK_EQ(dec(64, "63 c1", &in), X86_DEC_OK, "63 in 64-bit");
    CHECK_STR(mnem(&in), "movsxd", "is MOVSXD");
    CHECK_EQ(dec(32, "63 c1", &in), X86_DEC_OK, "63 in 32-bit");
    CHECK_STR(mnem(&in), "arpl", "is ARPL");

    CHECK_EQ(dec(64, "f3 0f b8 c1", &in), X86_DEC_OK, "F3 0F B8");
    CHECK_STR(mnem(&in), "popcnt", "is POPCNT");
    CHECK_EQ(dec(64, "0f b8 c1", &in), X86_DEC_UD, "0F B8 without F3: #UD");
    CHECK_EQ(dec(64, "f3 0f bc c1", &in), X86_DEC_OK, "F3 0F BC (TZCNT not advertised)");
    CHECK_STR(mnem(&in), "bsf", "executes as BSF, like hardware without BMI1");
    CHECK_EQ(dec(64, "f3 0f bd c1", &in), X86_DEC_OK, "F3 0F BD");
    CHECK_STR(mnem(&in), "lzcnt", "is LZCNT (advertised)");

    CHECK_EQ(dec(64, "66 e8 00 00 00 00", &in), X86_DEC_OK, "66 call in 64-bit");
    CHECK_EQ(in.osz, 8, "near branches stay 64-bit (Intel)");
    CHECK_EQ(in.len, 6, "rel32 kept");
    CHECK_EQ(dec(64, "48 b8 01 02 03 04 05 06 07 08", &in), X86_DEC_OK, "mov rax, imm64");
    CHECK_EQ(in.imm, 0x0807060504030201ull, "imm64");
    CHECK_EQ(dec(64, "a0 01 02 03 04 05 06 07 08", &in), X86_DEC_OK, "mov al, moffs64");
    CHECK_EQ(in.len, 9, "moffs is 8 bytes");
    CHECK_EQ(dec(64, "6a ff", &in), X86_DEC_OK, "push imm8");
    CHECK_EQ(in.imm, ~0ull, "sign-extended");
    CHECK_EQ(dec(64, "41 50", &in), X86_DEC_OK, "push r8");
    CHECK_EQ(in.osz, 8, "push defaults to 64-bit");
    CHECK_EQ(dec(64, "0f 20 c0", &in), X86_DEC_OK, "mov rax, cr0");
    CHECK_EQ(dec(64, "0f 20 00", &in), X86_DEC_OK, "mov from cr with mod != 3");
    CHECK_EQ(in.mod, 3, "treated as a register form");
    CHECK_EQ(in.len, 3, "no displacement");
    CHECK_EQ(dec(64, "0f 01 f8", &in), X86_DEC_OK, "0F 01 F8");
    CHECK_STR(mnem(&in), "swapgs", "is SWAPGS");
    CHECK_EQ(dec(64, "0f 01 38", &in), X86_DEC_OK, "0F 01 /7 memory");
    CHECK_STR(mnem(&in), "invlpg", "is INVLPG");
    CHECK_EQ(dec(64, "c8 10 00 02", &in), X86_DEC_OK, "enter");
    CHECK_EQ(in.imm, 0x10, "enter frame size");
    CHECK_EQ(in.imm2, 2, "enter level");
    CHECK_EQ(dec(32, "ea 00 10 00 00 08 00", &in), X86_DEC_OK, "jmp far ptr16:32");
    CHECK_EQ(in.imm, 0x1000, "offset");
    CHECK_EQ(in.imm2, 8, "selector");

    text_is(64, "01 d8", "add eax, ebx");
    text_is(64, "48 8b 44 24 08", "mov rax, qword [rsp+0x8]");
    text_is(64, "40 88 f0", "mov al, sil");
    text_is(64, "88 f0", "mov al, dh");
    text_is(64, "f3 48 a5", "rep movs [rdi], [rsi]");
    text_is(64, "0f 84 00 01 00 00", "je 0x1106");

    /* every single opcode byte in each mode decodes or is refused, never anything else */
    bool sane = true;
    for (int bits = 16; bits <= 64; bits *= 2) {
        if (bits == 16 + 16)
            continue;
        for (unsigned b = 0; b < 256; b++) {
            uint8_t code[16] = {(uint8_t)b, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
            int r = x86_decode(code, 15, bits, feat, &in);
            sane &= r == X86_DEC_OK || r == X86_DEC_UD || r == X86_DEC_GP;
            sane &= r != X86_DEC_OK || (in.len >= 1 && in.len <= 15);
        }
    }
    CHECK(sane, "all one-byte opcodes decode sanely");
    return check_done();
}
