/* RV64C: every RV64C encoding executed at least once through its explicit c.* mnemonic, and
   the reserved encodings of Unpriv. ISA §16.8 (table 16.5-16.7) raising illegal
   instruction with mtval = the 16 instruction bits. */
#include "test.h"

    .option rvc

/* Illegal 16-bit encoding `bits`: cause 2, mepc at it, mtval = bits (zero-extended) */
#define TEST_ILL16(n, bits)                                                     \
    TEST_TRAP(n, CAUSE_ILLEGAL_INSN, 3: .2byte bits);                            \
    TEST_TVAL(n##1, bits);                                                       \
    TEST_EPC_IS(n##2, 3b)

TEST_BEGIN(rvc)
    /* a 64-byte scratch frame for the sp-relative forms; s0 = its base */
    addi    sp, sp, -64
    mv      s0, sp

/* CIW / CL / CS: registers x8..x15 */
TEST_CASE( 1, a0, 16, c.addi4spn a0, sp, 16; sub a0, a0, sp)
TEST_CASE( 2, a0, 1020, c.addi4spn a0, sp, 1020; sub a0, a0, sp)
TEST_CASE( 3, a0, 0xffffffff80000001, la a1, cdata; c.lw a0, 0(a1))
TEST_CASE( 4, a0, 0x7fffffff, la a1, cdata; c.lw a0, 4(a1))
TEST_CASE( 5, a0, 0x8877665544332211, la a1, cdata; c.ld a0, 8(a1))
TEST_CASE( 6, a0, 0x3ff8000000000000, la a1, cdata; c.fld fa0, 16(a1); fmv.x.d a0, fa0)
TEST_CASE( 7, a0, 0xffffffffdeadbeef, la a1, cbuf; li a2, 0x12345678deadbeef; sd zero, 0(a1); c.sw a2, 4(a1); lw a0, 4(a1))
TEST_CASE( 8, a0, 0, la a1, cbuf; lw a0, 0(a1))
TEST_CASE( 9, a0, 0x12345678deadbeef, la a1, cbuf; c.sd a2, 8(a1); ld a0, 8(a1))
TEST_CASE(10, a0, 0x3ff8000000000000, la a1, cbuf; c.fsd fa0, 248(a1); ld a0, 248(a1))

/* CI: c.nop, c.addi, c.addiw, c.li, c.addi16sp, c.lui, c.slli */
TEST_CASE(11, a0, 5, li a0, 5; c.nop)
TEST_CASE(12, a0, -27, li a0, 5; c.addi a0, -32)
TEST_CASE(13, a0, 36, li a0, 5; c.addi a0, 31)
TEST_CASE(14, a0, 0xffffffff80000000, li a0, 0x7fffffff; c.addiw a0, 1)
TEST_CASE(15, a0, 0x12345678, li a0, 0xab12345678; c.addiw a0, 0)     /* sext.w */
TEST_CASE(16, a0, -32, c.li a0, -32)
TEST_CASE(17, a0, 31, c.li a0, 31)
TEST_CASE(18, a0, -512, mv a1, sp; c.addi16sp sp, -512; sub a0, sp, a1; c.addi16sp sp, 496; c.addi16sp sp, 16)
TEST_CASE(19, a0, 0, sub a0, sp, s0)
TEST_CASE(20, a0, 0x1f000, c.lui a0, 0x1f)
TEST_CASE(21, a0, 0xfffffffffffe0000, c.lui a0, 0xfffe0)
TEST_CASE(22, a0, 0xfffffffffffff000, c.lui a0, 0xfffff)
TEST_CASE(23, a0, 0x8000000000000000, li a0, 1; c.slli a0, 63)
TEST_CASE(24, t0, 0x300000000, li t0, 3; c.slli t0, 32)

/* CB: c.srli, c.srai, c.andi (6-bit shamt on RV64) */
TEST_CASE(25, a0, 1, li a0, 0x8000000000000000; c.srli a0, 63)
TEST_CASE(26, a0, 0xffffffff80000000, li a0, 0x8000000000000000; c.srai a0, 32)
TEST_CASE(27, a0, 0xffffffffffffffe0, li a0, -1; c.andi a0, -32)
TEST_CASE(28, a0, 0x0f, li a0, 0x12345f; c.andi a0, 15)

/* CA: c.sub, c.xor, c.or, c.and, c.subw, c.addw */
TEST_CASE(29, a0, -3, li a0, 2; li a1, 5; c.sub a0, a1)
TEST_CASE(30, a0, 0xff00, li a0, 0xf0f0; li a1, 0x0ff0; c.xor a0, a1)
TEST_CASE(31, a0, 0xfff0, li a0, 0xf0f0; li a1, 0x0ff0; c.or a0, a1)
TEST_CASE(32, a0, 0x00f0, li a0, 0xf0f0; li a1, 0x0ff0; c.and a0, a1)
TEST_CASE(33, a0, 0x7fffffff, li a0, 0x80000000; li a1, 1; c.subw a0, a1)
TEST_CASE(34, a0, 0xffffffff80000000, li a0, 0x17fffffff; li a1, 1; c.addw a0, a1)

/* CJ / CB control flow */
TEST_CASE(35, a0, 1, li a0, 0; c.j 1f; li a0, 2; 1: addi a0, a0, 1)
TEST_CASE(36, a0, 1, li a0, 0; li a1, 0; c.beqz a1, 1f; li a0, 2; 1: addi a0, a0, 1)
TEST_CASE(37, a0, 3, li a0, 0; li a1, 1; c.beqz a1, 1f; li a0, 2; 1: addi a0, a0, 1)
TEST_CASE(38, a0, 1, li a0, 0; li a1, -1; c.bnez a1, 1f; li a0, 2; 1: addi a0, a0, 1)
TEST_CASE(39, a0, 3, li a0, 0; li a1, 0; c.bnez a1, 1f; li a0, 2; 1: addi a0, a0, 1)
TEST_CASE(40, a0, 4, li a0, 0; li a1, 4; 1: addi a0, a0, 1; c.addi a1, -1; c.bnez a1, 1b)

/* CI/CSS stack-pointer forms */
TEST_CASE(41, a0, 0xffffffffcafef00d, li a1, 0xcafef00d; c.swsp a1, 4(sp); c.lwsp a0, 4(sp))
TEST_CASE(42, a0, 0x0123456789abcdef, li a1, 0x0123456789abcdef; c.sdsp a1, 504(sp); c.ldsp a0, 504(sp); \
          addi sp, sp, -0; ld a2, 504(s0); bne a2, a1, fail)
TEST_CASE(43, a0, 0x4000000000000000, li a1, 0x4000000000000000; fmv.d.x ft1, a1; c.fsdsp ft1, 16(sp); \
          c.fldsp ft2, 16(sp); fmv.x.d a0, ft2)
TEST_CASE(44, a0, 0x4000000000000000, ld a0, 16(s0))

/* CR: c.jr, c.mv, c.jalr (link = pc + 2), c.add */
TEST_CASE(45, a0, 1, li a0, 0; la a1, 1f; c.jr a1; li a0, 2; 1: addi a0, a0, 1)
TEST_CASE(46, a0, -7, li a1, -7; c.mv a0, a1)
TEST_CASE(47, a0, 2, mv s1, ra; la a1, 1f; 2: c.jalr a1; j fail; 1: la a2, 2b; sub a0, ra, a2; mv ra, s1)
TEST_CASE(48, a0, 0x100000001, li a0, 0xffffffff; li a1, 2; c.add a0, a1)
/* c.jalr with rs1 == ra: target is the old ra */
TEST_CASE(49, a0, 2, mv s1, ra; la ra, 1f; 2: c.jalr ra; j fail; 1: la a2, 2b; sub a0, ra, a2; mv ra, s1)

/* c.ebreak: breakpoint (3), mepc = its address, mtval = 0 or that address */
TEST_TRAP(50, CAUSE_BREAKPOINT, 3: c.ebreak)
TEST_EPC_IS(51, 3b)
TEST_CASE(52, a0, 1, TRAP_TVAL(t0); la t1, 3b; li a0, 1; beqz t0, 1f; beq t0, t1, 1f; li a0, 0; 1:)

/* HINTs execute as no-ops (§16.7): c.addi x0, c.li x0, c.mv x0, c.slli x0, c.add x0 */
TEST_CASE(53, a0, 6, li a0, 6; .2byte 0x0005 /* c.addi x0,1 */; .2byte 0x4015 /* c.li x0,5 */; \
          .2byte 0x802a /* c.mv x0,a0 */; .2byte 0x0006 /* c.slli x0,1 */; .2byte 0x902a /* c.add x0,a0 */)

/* reserved encodings */
TEST_ILL16(60, 0x0000)      /* all zeros: defined illegal */
TEST_ILL16(61, 0x0004)      /* c.addi4spn nzuimm = 0 */
TEST_ILL16(62, 0x4002)      /* c.lwsp rd = 0 */
TEST_ILL16(63, 0x6002)      /* c.ldsp rd = 0 */
TEST_ILL16(64, 0x8002)      /* c.jr rs1 = 0 */
TEST_ILL16(65, 0x6101)      /* c.addi16sp nzimm = 0 */
TEST_ILL16(66, 0x6501)      /* c.lui a0, nzimm = 0 */
TEST_ILL16(67, 0x2001)      /* c.addiw rd = 0 */

    addi    sp, sp, 64
TEST_END

    .data
    .balign 8
cdata:
    .word   0x80000001, 0x7fffffff
    .dword  0x8877665544332211
    .dword  0x3ff8000000000000      /* 1.5 */
cbuf:
    .fill   32, 8, 0
