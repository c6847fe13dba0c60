/* RV64I: integer ALU, the W forms' sign extension, shift masking, compares, lui/auipc,
   branches, jal/jalr and load/store widths (Unpriv. ISA ch. 2 and 5). */
#include "test.h"

/* a0 = 1 if `op a1, a2` branches, else 0 */
#define TEST_BR(n, op, v1, v2, taken)                                           \
    TEST_CASE(n, a0, taken, li a1, v1; li a2, v2; li a0, 0;                     \
              op a1, a2, 1f; j 2f; 1: li a0, 1; 2:)

TEST_BEGIN(rv64i)

/* add/sub wrap at 64 bits */
TEST_CASE( 1, a0, 3, li a1, 1; li a2, 2; add a0, a1, a2)
TEST_CASE( 2, a0, 0x8000000000000000, li a1, 0x7fffffffffffffff; li a2, 1; add a0, a1, a2)
TEST_CASE( 3, a0, -1, li a1, 0; li a2, 1; sub a0, a1, a2)
TEST_CASE( 4, a0, 0x7fffffffffffffff, li a1, 0x8000000000000000; li a2, 1; sub a0, a1, a2)
TEST_CASE( 5, a0, -2048, addi a0, zero, -2048)
TEST_CASE( 6, a0, 0x7ff, addi a0, zero, 2047)
TEST_CASE( 7, a0, 0xffffffff, li a1, 0x100000000; addi a0, a1, -1)

/* W forms: operate on the low 32 bits, sign-extend the 32-bit result */
TEST_CASE( 8, a0, 0xffffffff80000000, li a1, 0x7fffffff; li a2, 1; addw a0, a1, a2)
TEST_CASE( 9, a0, 0x23456789, li a1, 0xf123456789; li a2, 0; addw a0, a1, a2)
TEST_CASE(10, a0, 0x7fffffff, li a1, 0xffffffff80000000; li a2, 1; subw a0, a1, a2)
TEST_CASE(11, a0, 0xffffffff80000000, li a1, 0; li a2, 0x80000000; subw a0, a1, a2)
TEST_CASE(12, a0, -1, li a1, 0xffffffff; addiw a0, a1, 0)
TEST_CASE(13, a0, 0xffffffff80000000, li a1, 0x7fffffff; addiw a0, a1, 1)
TEST_CASE(14, a0, 0x7fffffff, li a1, 0x123456780000000; addiw a0, a1, -1)

/* 64-bit shifts: amounts >= 32 work, amounts use rs2[5:0] only */
TEST_CASE(15, a0, 0x8000000000000000, li a1, 1; li a2, 63; sll a0, a1, a2)
TEST_CASE(16, a0, 2, li a1, 1; li a2, 65; sll a0, a1, a2)
TEST_CASE(17, a0, 0x100000000, li a1, 1; li a2, 0xffffffffffffffe0; sll a0, a1, a2)
TEST_CASE(18, a0, 1, li a1, 0x8000000000000000; li a2, 63; srl a0, a1, a2)
TEST_CASE(19, a0, -1, li a1, 0x8000000000000000; li a2, 63; sra a0, a1, a2)
TEST_CASE(20, a0, 0x8000000000000000, li a1, 0x8000000000000000; li a2, 64; sra a0, a1, a2)
TEST_CASE(21, a0, 0xc000000000000000, li a1, 0x8000000000000000; li a2, 0xffffffffffffffc1; sra a0, a1, a2)
TEST_CASE(22, a0, 0x80000000, li a1, 0x8000000000000000; li a2, 32; srl a0, a1, a2)
TEST_CASE(23, a0, 0x1234567800000000, li a1, 0x12345678; slli a0, a1, 32)
TEST_CASE(24, a0, 0xffffffffff800000, li a1, 0x8000000000000000; srai a0, a1, 40)
TEST_CASE(25, a0, 0x800000, li a1, 0x8000000000000000; srli a0, a1, 40)
TEST_CASE(26, a0, 0, li a1, 0x7fffffffffffffff; srai a0, a1, 63)

/* W shifts: amount is rs2[4:0] (bit 5 ignored), input is rs1[31:0], result sign-extended */
TEST_CASE(27, a0, 2, li a1, 1; li a2, 33; sllw a0, a1, a2)
TEST_CASE(28, a0, 0xffffffff80000000, li a1, 1; li a2, 31; sllw a0, a1, a2)
TEST_CASE(29, a0, 0, li a1, 0xffffffff00000000; li a2, 0; sllw a0, a1, a2)
TEST_CASE(30, a0, 1, li a1, 0xffffffff80000000; li a2, 31; srlw a0, a1, a2)
TEST_CASE(31, a0, 0x08000000, li a1, 0xffffffff80000000; li a2, 36; srlw a0, a1, a2)
TEST_CASE(32, a0, 0xffffffff80000000, li a1, 0x80000000; li a2, 0; srlw a0, a1, a2)
TEST_CASE(33, a0, 1, li a1, 0x1234567800000010; li a2, 4; srlw a0, a1, a2)
TEST_CASE(34, a0, 0xfffffffff8000000, li a1, 0x80000000; li a2, 4; sraw a0, a1, a2)
TEST_CASE(35, a0, 0xfffffffff8000000, li a1, 0x80000000; li a2, 36; sraw a0, a1, a2)
TEST_CASE(36, a0, 0x7fffffff, li a1, 0xffffffff7fffffff; li a2, 0; sraw a0, a1, a2)
TEST_CASE(37, a0, 0xffffffff80000000, li a1, 1; slliw a0, a1, 31)
TEST_CASE(38, a0, 0x40000000, li a1, 0xffffffff80000000; srliw a0, a1, 1)
TEST_CASE(39, a0, 0xffffffff80000000, li a1, 0x80000000; srliw a0, a1, 0)
TEST_CASE(40, a0, -1, li a1, 0x80000000; sraiw a0, a1, 31)
TEST_CASE(41, a0, 0x12345678, li a1, 0xabcdef0012345678; sraiw a0, a1, 0)

/* compares */
TEST_CASE(42, a0, 1, li a1, -1; li a2, 1; slt a0, a1, a2)
TEST_CASE(43, a0, 0, li a1, -1; li a2, 1; sltu a0, a1, a2)
TEST_CASE(44, a0, 1, li a1, 0x8000000000000000; li a2, 0x7fffffffffffffff; slt a0, a1, a2)
TEST_CASE(45, a0, 0, li a1, 5; li a2, 5; slt a0, a1, a2)
TEST_CASE(46, a0, 1, li a1, -1; slti a0, a1, 0)
TEST_CASE(47, a0, 1, li a1, 0; sltiu a0, a1, -1)       /* imm sign-extends to 2^64-1 */
TEST_CASE(48, a0, 1, li a1, -2; sltiu a0, a1, -1)
TEST_CASE(49, a0, 0, li a1, -1; sltiu a0, a1, -1)
TEST_CASE(50, a0, 1, li a1, 0; sltiu a0, a1, 1)
TEST_CASE(51, a0, 1, li a1, 0; sltu a0, zero, a1; li a1, 3; sltu a0, zero, a1)

/* logic with sign-extended immediates */
TEST_CASE(52, a0, 0xfffffffffffffff0, li a1, -1; andi a0, a1, -16)
TEST_CASE(53, a0, 0xffffffffedcba987, li a1, 0x12345678; xori a0, a1, -1)
TEST_CASE(54, a0, 0xfffffffffffff800, li a1, 0; ori a0, a1, -2048)
TEST_CASE(55, a0, 0x0f0f0f0f0f0f0f0f, li a1, 0xff0fff0fff0fff0f; li a2, 0x0fff0fff0fff0fff; and a0, a1, a2)
TEST_CASE(56, a0, 0x0ff00ff00ff00ff0, li a1, 0xf000f000f000f000; li a2, 0x00f000f000f000f0; or a0, a1, a2; li a2, 0xff00ff00ff00ff00; xor a0, a0, a2)

/* lui/auipc sign-extend their 32-bit result */
TEST_CASE(57, a0, 0xffffffff80000000, lui a0, 0x80000)
TEST_CASE(58, a0, 0x7ffff000, lui a0, 0x7ffff)
TEST_CASE(59, a0, 0xfffffffffffff000, lui a0, 0xfffff)
TEST_CASE(60, a0, 0, 1: auipc a0, 0; la a1, 1b; sub a0, a0, a1)
TEST_CASE(61, a0, 0x80000000, 1: auipc a0, 0x80000; auipc a1, 0; addi a1, a1, -4; sub a0, a1, a0)
TEST_CASE(62, a0, 0, 1: auipc a0, 1; la a1, 1b; sub a0, a0, a1; li a1, 0x1000; sub a0, a0, a1)

/* branches: every condition, signed vs unsigned, taken and not taken */
TEST_BR(63, beq, 5, 5, 1)
TEST_BR(64, beq, 5, -5, 0)
TEST_BR(65, bne, 5, -5, 1)
TEST_BR(66, bne, -1, -1, 0)
TEST_BR(67, blt, -1, 1, 1)
TEST_BR(68, blt, 1, -1, 0)
TEST_BR(69, blt, 3, 3, 0)
TEST_BR(70, bge, -1, -1, 1)
TEST_BR(71, bge, -1, 1, 0)
TEST_BR(72, bge, 0x7fffffffffffffff, 0x8000000000000000, 1)
TEST_BR(73, bltu, -1, 1, 0)
TEST_BR(74, bltu, 1, -1, 1)
TEST_BR(75, bltu, 7, 7, 0)
TEST_BR(76, bgeu, 1, -1, 0)
TEST_BR(77, bgeu, -1, 1, 1)
TEST_BR(78, bgeu, 0, 0, 1)
/* backward branch */
TEST_CASE(79, a0, 3, li a0, 0; li a1, 3; 1: addi a0, a0, 1; bne a0, a1, 1b)

/* jal/jalr: link value, bit 0 of the jalr target cleared, rd == rs1 uses the old rs1 */
TEST_CASE(80, a0, 0, jal a0, 1f; 2: j fail; 1: la a1, 2b; sub a0, a0, a1)
TEST_CASE(81, a0, 7, li a0, 7; jal zero, 1f; li a0, 0; 1:)
TEST_CASE(82, a0, 0, la a1, 1f + 1; jalr a0, 0(a1); 2: j fail; 1: la a1, 2b; sub a0, a0, a1)
TEST_CASE(83, a0, 0, la a1, 1f - 12; jalr a0, 12(a1); 2: j fail; 1: la a1, 2b; sub a0, a0, a1)
TEST_CASE(84, a0, 0, la a1, 1f + 16; jalr a0, -16(a1); 2: j fail; 1: la a1, 2b; sub a0, a0, a1)
TEST_CASE(85, a0, 0, la a0, 1f; jalr a0, 0(a0); 2: j fail; 1: la a1, 2b; sub a0, a0, a1)
TEST_CASE(86, a0, 0, la a0, 1f + 1; jalr a0, 0(a0); 2: j fail; 1: la a1, 2b; sub a0, a0, a1)

/* loads: sign/zero extension of every width, negative offsets, rd == rs1 */
TEST_CASE(87, a0, 0xffffffffffffff88, la a1, ldata; lb a0, 0(a1))
TEST_CASE(88, a0, 0x88, la a1, ldata; lbu a0, 0(a1))
TEST_CASE(89, a0, 0xffffffffffff8788, la a1, ldata; lh a0, 0(a1))
TEST_CASE(90, a0, 0x8788, la a1, ldata; lhu a0, 0(a1))
TEST_CASE(91, a0, 0xffffffff85868788, la a1, ldata; lw a0, 0(a1))
TEST_CASE(92, a0, 0x85868788, la a1, ldata; lwu a0, 0(a1))
TEST_CASE(93, a0, 0x8182838485868788, la a1, ldata; ld a0, 0(a1))
TEST_CASE(94, a0, 0x71, la a1, ldata + 8; lb a0, 7(a1))
TEST_CASE(95, a0, 0x7172, la a1, ldata + 8; lh a0, 6(a1))
TEST_CASE(96, a0, 0x71727374, la a1, ldata + 8; lw a0, 4(a1))
TEST_CASE(97, a0, 0x71727374, la a1, ldata + 8; lwu a0, 4(a1))
TEST_CASE(98, a0, 0xffffffff81828384, la a1, ldata + 16; lw a0, -12(a1))
TEST_CASE(99, a0, 0x7172737475767778, la a0, ldata + 16; ld a0, -8(a0))

/* stores: only the addressed bytes change */
TEST_CASE(100, a0, 0x11111111111111ab, la a1, sdata; li a2, 0x1111111111111111; sd a2, 0(a1); li a2, 0x12ab; sb a2, 0(a1); ld a0, 0(a1))
TEST_CASE(101, a0, 0x1111cdef111111ab, la a1, sdata; li a2, 0x5555cdef; sh a2, 4(a1); ld a0, 0(a1))
TEST_CASE(102, a0, 0x89abcdef111111ab, la a1, sdata + 8; li a2, 0x0123456789abcdef; sw a2, -4(a1); ld a0, -8(a1))
TEST_CASE(103, a0, 0x0123456789abcdef, la a1, sdata; li a2, 0x0123456789abcdef; sd a2, 8(a1); ld a0, 8(a1))
TEST_CASE(104, a0, 0, la a1, sdata; li a2, -1; sd a2, 16(a1); sd zero, 16(a1); ld a0, 16(a1))

/* x0 is hard-wired: writes by ALU ops, loads, lui, jal are discarded */
TEST_CASE(105, a0, 0, addi x0, x0, 5; mv a0, x0)
TEST_CASE(106, a0, 0, la a1, ldata; ld x0, 0(a1); lui x0, 0x12345; jal x0, 1f; 1: add a0, x0, x0)
TEST_CASE(107, a0, 0, li a1, -1; sub x0, zero, a1; xor x0, a1, a1; or a0, x0, zero)

/* fence / fence.i execute as no-ops here; self-modifying code after fence.i */
TEST_CASE(108, a0, 42, fence; fence rw, rw; fence.i;                             \
    la a1, smc; li a2, 0x02a00513 /* addi a0, zero, 42 */; sw a2, 0(a1); fence.i; \
    li a0, 0; call smc)
/* nop-ish hints must have no effect */
TEST_CASE(109, a0, 9, li a0, 9; addi x0, a0, 3; slli x0, a0, 1)

TEST_END

    .data
    .balign 8
ldata:
    .dword 0x8182838485868788
    .dword 0x7172737475767778
sdata:
    .dword 0, 0, 0
    .balign 4
smc:
    .4byte 0x00000013       /* nop, rewritten by check 108 */
    .4byte 0x00008067       /* ret */
