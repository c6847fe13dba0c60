/* Zba/Zbb/Zbs (bit manipulation, part of our -march): the .uw forms' zero extension,
   the W forms' sign extension, counts of 0, rotates by 0 and by >= 32. */
#include "test.h"

#define R(n, op, v1, v2, expect) TEST_CASE(n, a0, expect, li a1, v1; li a2, v2; op a0, a1, a2)
#define U(n, op, v1, expect)     TEST_CASE(n, a0, expect, li a1, v1; op a0, a1)

TEST_BEGIN(zb)
/* build.sh falls back to plain rv64gc on toolchains without Zb*: then this is empty */
#if defined(__riscv_zba) && defined(__riscv_zbb) && defined(__riscv_zbs)
/* Zba */
R( 1, sh1add, 3, 100, 106)
R( 2, sh2add, -1, 0, -4)
R( 3, sh3add, 0x2000000000000000, 8, 8)
R( 4, add.uw, 0xffffffff80000000, 1, 0x80000001)
R( 5, sh1add.uw, 0xffffffff80000000, 0, 0x100000000)
R( 6, sh3add.uw, 0x1234567800000001, 1, 9)
TEST_CASE( 7, a0, 0x7fffffff00000000, li a1, 0xf7fffffff; slli.uw a0, a1, 32)
/* Zbb */
R( 8, andn, 0xff, 0x0f, 0xf0)
R( 9, orn, 0, -2, 1)
R(10, xnor, 0x5555, 0x5555, -1)
U(11, clz, 0, 64)
U(12, clz, 1, 63)
U(13, ctz, 0, 64)
U(14, ctz, 0x8000000000000000, 63)
U(15, cpop, -1, 64)
U(16, clzw, 0xffffffff00000000, 32)
U(17, clzw, 0x00000000000f0000, 12)
U(18, ctzw, 0xffffffff00000000, 32)
U(19, cpopw, 0xffffffff0000000f, 4)
R(20, max, -1, 1, 1)
R(21, maxu, -1, 1, -1)
R(22, min, -1, 1, -1)
R(23, minu, -1, 1, 1)
U(24, sext.b, 0x180, 0xffffffffffffff80)
U(25, sext.h, 0x18000, 0xffffffffffff8000)
U(26, zext.h, -1, 0xffff)
R(27, rol, 0x8000000000000001, 65, 3)
R(28, ror, 1, 64, 1)
R(29, ror, 1, 1, 0x8000000000000000)
R(30, rolw, 0x80000000, 1, 1)
R(31, rorw, 1, 33, 0xffffffff80000000)
R(32, rorw, 0xffffffff00000002, 0, 2)
TEST_CASE(33, a0, 0x8000000000000000, li a1, 1; rori a0, a1, 1)
TEST_CASE(34, a0, 0xffffffff80000000, li a1, 1; roriw a0, a1, 1)
U(35, orc.b, 0x0100ff0000000010, 0xff00ff00000000ff)
U(36, rev8, 0x0102030405060708, 0x0807060504030201)
/* Zbs */
R(37, bset, 0, 65, 2)
R(38, bclr, -1, 63, 0x7fffffffffffffff)
R(39, binv, 0, 32, 0x100000000)
R(40, bext, 0x8000000000000000, 127, 1)
TEST_CASE(41, a0, 0x8000000000000000, li a1, 0; bseti a0, a1, 63)
TEST_CASE(42, a0, 0, li a1, 0x100000000; bclri a0, a1, 32)
TEST_CASE(43, a0, 1, li a1, 0x100000000; bexti a0, a1, 32)
TEST_CASE(44, a0, -2, li a1, -1; binvi a0, a1, 0)
#endif
TEST_END
