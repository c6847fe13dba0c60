/* RV64M: high multiplies with every signedness, division corner cases that must not trap
   (x/0, INT_MIN/-1; Unpriv. ISA §7.2 table 7.1) and the W forms' sign extension. */
#include "test.h"

#define R(n, op, v1, v2, expect) \
    TEST_CASE(n, a0, expect, li a1, v1; li a2, v2; op a0, a1, a2)

#define MIN64 0x8000000000000000
#define BIGA  0x123456789abcdef0
#define BIGB  0xfedcba9876543210

TEST_BEGIN(rv64m)

/* mul: low 64 bits */
R( 1, mul, 6, 7, 42)
R( 2, mul, -1, -1, 1)
R( 3, mul, MIN64, -1, MIN64)
R( 4, mul, BIGA, BIGB, 0x236d88fe5618cf00)
R( 5, mul, -3, 5, -15)

/* mulh (signed x signed) */
R( 6, mulh, -1, -1, 0)
R( 7, mulh, MIN64, MIN64, 0x4000000000000000)
R( 8, mulh, MIN64, -1, 0)
R( 9, mulh, -2, 3, -1)
R(10, mulh, BIGA, BIGB, 0xffeb49923cc09532)
R(11, mulh, BIGB, BIGB, 0x14b66dc33f6ac)

/* mulhu (unsigned x unsigned) */
R(12, mulhu, -1, -1, 0xfffffffffffffffe)
R(13, mulhu, MIN64, 2, 1)
R(14, mulhu, BIGA, BIGB, 0x121fa00ad77d7422)
R(15, mulhu, BIGB, BIGB, 0xfdbac097c8dc5acc)

/* mulhsu (signed rs1 x unsigned rs2) */
R(16, mulhsu, -1, -1, -1)
R(17, mulhsu, MIN64, -1, MIN64)
R(18, mulhsu, 2, -1, 1)
R(19, mulhsu, -2, 1, -1)
R(20, mulhsu, BIGB, BIGB, 0xfede05ff528828bc)
R(21, mulhsu, BIGA, BIGB, 0x121fa00ad77d7422)

/* mulw: low 32 bits of the operands, sign-extended 32-bit product */
R(22, mulw, 0x7fffffff, 2, -2)
R(23, mulw, 0x100000003, 0x700000005, 15)
R(24, mulw, 0x10000, 0x10000, 0)
R(25, mulw, -1, 0x80000000, 0xffffffff80000000)

/* div/rem truncate toward zero; the remainder takes the dividend's sign */
R(26, div, 20, 6, 3)
R(27, div, -20, 6, -3)
R(28, rem, -20, 6, -2)
R(29, rem, 20, -6, 2)
R(30, divu, -1, 2, 0x7fffffffffffffff)
R(31, remu, -1, 10, 5)
R(32, div, 0, -1, 0)

/* division by zero: quotient all ones, remainder = dividend, no trap */
R(33, div, 1234, 0, -1)
R(34, divu, 1234, 0, -1)
R(35, rem, -1234, 0, -1234)
R(36, remu, -1234, 0, -1234)
R(37, div, MIN64, 0, -1)

/* signed overflow: INT64_MIN / -1 = INT64_MIN, remainder 0 */
R(38, div, MIN64, -1, MIN64)
R(39, rem, MIN64, -1, 0)
R(40, divu, MIN64, -1, 0)
R(41, remu, MIN64, -1, MIN64)

/* W forms */
R(42, divw, 0x80000000, -1, 0xffffffff80000000)    /* INT32_MIN / -1 */
R(43, remw, 0x80000000, -1, 0)
R(44, divw, 7, 0, -1)
R(45, divuw, 7, 0, -1)
R(46, remw, 0x80000000, 0, 0xffffffff80000000)     /* dividend, sign-extended from bit 31 */
R(47, remuw, 0x80000000, 0, 0xffffffff80000000)
R(48, divuw, 0xffffffff80000000, 1, 0xffffffff80000000)
R(49, divuw, 0x100000010, 0xf00000002, 8)
R(50, remuw, 0xffffffff, 0x10, 0xf)
R(51, remuw, 0x80000001, 0x80000000, 1)
R(52, divw, 0x5fffffffa, 0x700000002, -3)
R(53, remw, -7, 2, -1)
R(54, divuw, 0xfffffffe, 2, 0x7fffffff)
R(55, divw, 0xfffffffe, 2, -1)
R(56, remuw, 0x1ffffffff, 0x100000000, 0xffffffffffffffff)   /* rs2[31:0] = 0: by zero */

/* rd aliasing a source */
TEST_CASE(57, a0, 49, li a0, 7; mul a0, a0, a0)
TEST_CASE(58, a1, 3, li a1, 21; li a2, 7; divu a1, a1, a2)

TEST_END
