/* F extension: NaN-boxing of singles in 64-bit f registers (Unpriv. ISA §12.2), IEEE results
   and fflags, rounding modes (static, dynamic, reserved), conversion saturation, fmin/fmax,
   compares, fclass, sign injection, fused multiply-add. */
#include "test.h"

#define S_0     0x00000000
#define S_N0    0x80000000
#define S_1     0x3f800000
#define S_N1    0xbf800000
#define S_2     0x40000000
#define S_3     0x40400000
#define S_HALF  0x3f000000
#define S_NHALF 0xbf000000
#define S_2_5   0x40200000
#define S_N2_5  0xc0200000
#define S_INF   0x7f800000
#define S_NINF  0xff800000
#define S_QNAN  0x7fc00000      /* canonical NaN */
#define S_SNAN  0x7fa00000
#define S_MAX   0x7f7fffff
#define S_MINN  0x00800000
#define S_SUB   0x00000001
#define S_U24   0x33800000      /* 2^-24: half an ulp of 1.0f */
#define S_1U    0x3f800001
#define D_QNAN  0x7ff8000000000000

/* `inst` on raw 64-bit register contents in fa0/fa1 (not NaN-boxed by construction) */
#define TEST_RAW(n, res, flags, a, b, inst...)                                   \
    TEST_CASE2(n, a0, res, a1, flags, li t0, a; fmv.d.x fa0, t0; li t0, b; fmv.d.x fa1, t0; \
               csrwi fflags, 0; inst; frflags a1)

TEST_BEGIN(rvf)

/* NaN-boxing: a single whose upper 32 bits are not all ones reads as the canonical NaN */
TEST_RAW( 1, 0xffffffff7fc00000, 0, 0x000000003f800000, 0xffffffff3f800000, fadd.s fa3, fa0, fa1; fmv.x.d a0, fa3)
TEST_RAW( 2, 0xffffffff7fc00000, 0, 0xfffffffe3f800000, 0xffffffff3f800000, fadd.s fa3, fa0, fa1; fmv.x.d a0, fa3)
TEST_RAW( 3, 0xffffffff40000000, 0, 0xffffffff3f800000, 0xffffffff3f800000, fadd.s fa3, fa0, fa1; fmv.x.d a0, fa3)
TEST_RAW( 4, 0xffffffff3f800000, 0, 0xffffffff3f800000, 0x7ff0000000000000, fmin.s fa3, fa0, fa1; fmv.x.d a0, fa3)
TEST_RAW( 5, 1 << 9, 0, 0x000000003f800000, 0, fclass.s a0, fa0)
TEST_RAW( 6, D_QNAN, 0, 0x000000007fa00000, 0, fcvt.d.s fa3, fa0; fmv.x.d a0, fa3)       /* unboxed sNaN pattern: still qNaN, no NV */
TEST_RAW( 7, 0, 0, 0x000000003f800000, 0x000000003f800000, feq.s a0, fa0, fa1)
TEST_RAW( 8, 0x7fffffff, FFLAG_NV, 0x000000003f800000, 0, fcvt.w.s a0, fa0, rtz)
TEST_RAW( 9, 0xffffffff7fc00000, 0, 0x000000003f800000, 0, fmv.s fa3, fa0; fmv.x.d a0, fa3)
TEST_RAW(10, 0xffffffffffc00000, 0, 0x12345678bf800000, 0xffffffff3f800000, fsgnjn.s fa3, fa0, fa1; fmv.x.d a0, fa3)
TEST_RAW(11, 0xffffffff3f800000, 0, 0xffffffff3f800000, 0x00000000bf800000, fsgnj.s fa3, fa0, fa1; fmv.x.d a0, fa3) /* unboxed rs2 is +qNaN: sign + */
/* transfers ignore the upper bits: fmv.x.w and fsw move bits [31:0] */
TEST_RAW(12, 0xffffffffbf800000, 0, 0x12345678bf800000, 0, fmv.x.w a0, fa0)
TEST_RAW(13, 0xbf800000, 0, 0x000000aabf800000, 0, la t0, fdata; fsw fa0, 0(t0); lwu a0, 0(t0))
/* and flw / fmv.w.x produce boxed values */
TEST_CASE(14, a0, 0xffffffff12345678, la t0, fdata; li t1, 0x12345678; sw t1, 0(t0); flw fa0, 0(t0); fmv.x.d a0, fa0)
TEST_CASE(15, a0, 0xffffffff80000000, li t1, 0x80000000; fmv.w.x fa0, t1; fmv.x.d a0, fa0)
TEST_CASE(16, a0, 0x0000000012345678, li t1, 0xffffffff12345678; fmv.w.x fa0, t1; fmv.x.w a0, fa0)

/* arithmetic, rounding */
TEST_FS(20, S_3, 0, S_1, S_2, 0, fadd.s fa3, fa0, fa1)
TEST_FS(21, 0x3eaaaaab, FFLAG_NX, S_1, S_3, 0, fdiv.s fa3, fa0, fa1)
TEST_FS(22, 0x3eaaaaaa, FFLAG_NX, S_1, S_3, 0, fdiv.s fa3, fa0, fa1, rtz)
TEST_FS(23, 0x3eaaaaaa, FFLAG_NX, S_1, S_3, 0, fdiv.s fa3, fa0, fa1, rdn)
TEST_FS(24, 0x3eaaaaab, FFLAG_NX, S_1, S_3, 0, fdiv.s fa3, fa0, fa1, rup)
TEST_FS(25, 0x3f800002, FFLAG_NX, S_1U, S_U24, 0, fadd.s fa3, fa0, fa1, rne)    /* tie: to even */
TEST_FS(26, 0x3f800001, FFLAG_NX, S_1U, S_U24, 0, fadd.s fa3, fa0, fa1, rtz)
TEST_FS(27, 0x3f800001, FFLAG_NX, S_1U, S_U24, 0, fadd.s fa3, fa0, fa1, rdn)
TEST_FS(28, 0x3f800002, FFLAG_NX, S_1U, S_U24, 0, fadd.s fa3, fa0, fa1, rup)
TEST_FS(29, 0x3f800002, FFLAG_NX, S_1U, S_U24, 0, fadd.s fa3, fa0, fa1, rmm)
TEST_FS(30, S_1, FFLAG_NX, S_1, S_U24, 0, fadd.s fa3, fa0, fa1, rne)
TEST_FS(31, S_1U, FFLAG_NX, S_1, S_U24, 0, fadd.s fa3, fa0, fa1, rmm)
TEST_FS(32, 0xbf800001, FFLAG_NX, S_N1, S_U24, 0, fsub.s fa3, fa0, fa1, rdn)
TEST_FS(33, S_N1, FFLAG_NX, S_N1, S_U24, 0, fsub.s fa3, fa0, fa1, rup)
TEST_FS(34, 0x3eaaaaaa, FFLAG_NX, S_1, S_3, 0, fsrmi 1; fdiv.s fa3, fa0, fa1; fsrmi 0)
TEST_FS(35, S_1U, FFLAG_NX, S_1, S_U24, 0, fsrmi 4; fadd.s fa3, fa0, fa1; fsrmi 0)
TEST_FS(36, 0xbeaaaaab, FFLAG_NX, S_N1, S_3, 0, fsrmi 2; fdiv.s fa3, fa0, fa1; fsrmi 0)
TEST_FS(37, 0x3fb504f3, FFLAG_NX, S_2, 0, 0, fsqrt.s fa3, fa0)
TEST_FS(38, 0x3fb504f4, FFLAG_NX, S_2, 0, 0, fsqrt.s fa3, fa0, rup)
TEST_TRAP(39, CAUSE_ILLEGAL_INSN, .4byte 0x0020d053)         /* fadd.s f0, f1, f2, rm=5 */
TEST_TVAL(40, 0x0020d053)
TEST_TRAP(41, CAUSE_ILLEGAL_INSN, .4byte 0x0020e053)         /* rm=6 */
TEST_TRAP(42, CAUSE_ILLEGAL_INSN, fsrmi 5; fadd.s fa3, fa0, fa1)
TEST_TRAP(43, CAUSE_ILLEGAL_INSN, fsrmi 6; fsqrt.s fa3, fa0)
    fsrmi   0

/* flags */
TEST_FS(50, S_QNAN, FFLAG_NV, S_INF, S_INF, 0, fsub.s fa3, fa0, fa1)
TEST_FS(51, S_QNAN, FFLAG_NV, S_N1, 0, 0, fsqrt.s fa3, fa0)
TEST_FS(52, S_QNAN, FFLAG_NV, S_0, S_0, 0, fdiv.s fa3, fa0, fa1)
TEST_FS(53, S_INF, FFLAG_DZ, S_1, S_0, 0, fdiv.s fa3, fa0, fa1)
TEST_FS(54, S_NINF, FFLAG_DZ, S_N1, S_0, 0, fdiv.s fa3, fa0, fa1)
TEST_FS(55, S_INF, FFLAG_OF | FFLAG_NX, S_MAX, S_2, 0, fmul.s fa3, fa0, fa1)
TEST_FS(56, S_MAX, FFLAG_OF | FFLAG_NX, S_MAX, S_2, 0, fmul.s fa3, fa0, fa1, rtz)
TEST_FS(57, 0x00400000, 0, S_MINN, S_HALF, 0, fmul.s fa3, fa0, fa1)
TEST_FS(58, S_0, FFLAG_UF | FFLAG_NX, S_SUB, S_HALF, 0, fmul.s fa3, fa0, fa1)
TEST_FS(59, S_SUB, FFLAG_UF | FFLAG_NX, S_SUB, S_HALF, 0, fmul.s fa3, fa0, fa1, rup)
TEST_FS(60, S_QNAN, 0, 0x7fc00123, S_1, 0, fadd.s fa3, fa0, fa1)
TEST_FS(61, S_QNAN, FFLAG_NV, S_SNAN, S_1, 0, fmul.s fa3, fa0, fa1)
TEST_FS(62, S_N0, 0, S_1, S_1, 0, fsub.s fa3, fa0, fa1, rdn)

/* conversions to integer */
TEST_FSI(70, 0x7fffffff, FFLAG_NV, S_QNAN, 0, fcvt.w.s a0, fa0, rtz)
TEST_FSI(71, 0x7fffffff, FFLAG_NV, 0x4f32d05e, 0, fcvt.w.s a0, fa0, rtz)       /* 3e9 */
TEST_FSI(72, 0xffffffff80000000, FFLAG_NV, 0xcf32d05e, 0, fcvt.w.s a0, fa0, rtz)
TEST_FSI(73, 0xffffffff80000000, FFLAG_NV, S_NINF, 0, fcvt.w.s a0, fa0, rtz)
TEST_FSI(74, 0x7fffffff, FFLAG_NV, 0x4f000000, 0, fcvt.w.s a0, fa0, rtz)       /* 2^31 */
TEST_FSI(75, 0xffffffff80000000, 0, 0xcf000000, 0, fcvt.w.s a0, fa0, rtz)      /* -2^31 */
TEST_FSI(76, -2, FFLAG_NX, S_N2_5, 0, fcvt.w.s a0, fa0, rne)
TEST_FSI(77, -3, FFLAG_NX, S_N2_5, 0, fcvt.w.s a0, fa0, rmm)
TEST_FSI(78, -1, FFLAG_NV, 0x4f800000, 0, fcvt.wu.s a0, fa0, rtz)              /* 2^32 */
TEST_FSI(79, 0xffffffff80000000, 0, 0x4f000000, 0, fcvt.wu.s a0, fa0, rtz)     /* 2^31, sign-extended */
TEST_FSI(80, 0, FFLAG_NV, S_N1, 0, fcvt.wu.s a0, fa0, rtz)
TEST_FSI(81, 0x7fffffffffffffff, FFLAG_NV, 0x5f000000, 0, fcvt.l.s a0, fa0, rtz)   /* 2^63 */
TEST_FSI(82, 0x8000000000000000, 0, 0xdf000000, 0, fcvt.l.s a0, fa0, rtz)          /* -2^63 */
TEST_FSI(83, 0x7fffffffffffffff, FFLAG_NV, S_INF, 0, fcvt.l.s a0, fa0, rtz)
TEST_FSI(84, -1, FFLAG_NV, S_QNAN, 0, fcvt.lu.s a0, fa0, rtz)
TEST_FSI(85, 0, FFLAG_NV, S_N1, 0, fcvt.lu.s a0, fa0, rtz)
TEST_FSI(86, -1, FFLAG_NV, 0x5f800000, 0, fcvt.lu.s a0, fa0, rtz)                  /* 2^64 */
TEST_FSI(87, 0x8000000000000000, 0, 0x5f000000, 0, fcvt.lu.s a0, fa0, rtz)
TEST_FSI(88, 0, FFLAG_NX, S_NHALF, 0, fcvt.lu.s a0, fa0, rtz)
TEST_FSI(89, 0, FFLAG_NV, S_NINF, 0, fcvt.lu.s a0, fa0, rtz)
TEST_FSI(90, 3, FFLAG_NX, S_2_5, 0, fsrmi 3; fcvt.lu.s a0, fa0; fsrmi 0)

/* conversions from integer */
TEST_FIS(95, S_N1, 0, -1, fcvt.s.w fa3, a2)
TEST_FIS(96, 0x4f800000, FFLAG_NX, 0xffffffff, fcvt.s.wu fa3, a2)
TEST_FIS(97, 0x4f7fffff, FFLAG_NX, 0xffffffff, fcvt.s.wu fa3, a2, rtz)
TEST_FIS(98, 0x4b800000, FFLAG_NX, 0x1000001, fcvt.s.l fa3, a2)             /* 2^24+1 */
TEST_FIS(99, 0x5f800000, FFLAG_NX, -1, fcvt.s.lu fa3, a2)
TEST_FIS(100, 0xdf000000, 0, 0x8000000000000000, fcvt.s.l fa3, a2)
TEST_FIS(101, 0x4f000000, 0, 0x80000000, fcvt.s.wu fa3, a2)

/* fmin/fmax */
TEST_FS(110, S_N0, 0, S_0, S_N0, 0, fmin.s fa3, fa0, fa1)
TEST_FS(111, S_N0, 0, S_N0, S_0, 0, fmin.s fa3, fa0, fa1)
TEST_FS(112, S_0, 0, S_0, S_N0, 0, fmax.s fa3, fa0, fa1)
TEST_FS(113, S_0, 0, S_N0, S_0, 0, fmax.s fa3, fa0, fa1)
TEST_FS(114, S_1, 0, S_QNAN, S_1, 0, fmin.s fa3, fa0, fa1)
TEST_FS(115, S_1, FFLAG_NV, S_SNAN, S_1, 0, fmax.s fa3, fa0, fa1)
TEST_FS(116, S_QNAN, 0, S_QNAN, 0xffc00001, 0, fmin.s fa3, fa0, fa1)
TEST_FS(117, S_QNAN, FFLAG_NV, S_SNAN, S_SNAN, 0, fmax.s fa3, fa0, fa1)

/* compares */
TEST_FSI(120, 0, 0, S_QNAN, S_1, feq.s a0, fa0, fa1)
TEST_FSI(121, 0, FFLAG_NV, S_SNAN, S_1, feq.s a0, fa0, fa1)
TEST_FSI(122, 0, FFLAG_NV, S_QNAN, S_1, flt.s a0, fa0, fa1)
TEST_FSI(123, 0, FFLAG_NV, S_1, S_QNAN, fle.s a0, fa0, fa1)
TEST_FSI(124, 1, 0, S_0, S_N0, feq.s a0, fa0, fa1)
TEST_FSI(125, 0, 0, S_N0, S_0, flt.s a0, fa0, fa1)
TEST_FSI(126, 1, 0, S_N0, S_0, fle.s a0, fa0, fa1)
TEST_FSI(127, 1, 0, S_N1, S_1, flt.s a0, fa0, fa1)

/* fclass */
TEST_FSI(130, 1 << 0, 0, S_NINF, 0, fclass.s a0, fa0)
TEST_FSI(131, 1 << 1, 0, S_N1, 0, fclass.s a0, fa0)
TEST_FSI(132, 1 << 2, 0, 0x807fffff, 0, fclass.s a0, fa0)
TEST_FSI(133, 1 << 3, 0, S_N0, 0, fclass.s a0, fa0)
TEST_FSI(134, 1 << 4, 0, S_0, 0, fclass.s a0, fa0)
TEST_FSI(135, 1 << 5, 0, S_SUB, 0, fclass.s a0, fa0)
TEST_FSI(136, 1 << 6, 0, S_MAX, 0, fclass.s a0, fa0)
TEST_FSI(137, 1 << 7, 0, S_INF, 0, fclass.s a0, fa0)
TEST_FSI(138, 1 << 8, 0, S_SNAN, 0, fclass.s a0, fa0)
TEST_FSI(139, 1 << 9, 0, S_QNAN, 0, fclass.s a0, fa0)

/* sign injection */
TEST_FS(140, S_N1, 0, S_1, 0xc0000000, 0, fsgnj.s fa3, fa0, fa1)
TEST_FS(141, S_1, 0, S_1, 0xc0000000, 0, fsgnjn.s fa3, fa0, fa1)
TEST_FS(142, S_1, 0, S_N1, 0xc0000000, 0, fsgnjx.s fa3, fa0, fa1)
TEST_FS(143, 0xffa00000, 0, S_SNAN, 0, 0, fneg.s fa3, fa0)
TEST_FS(144, S_SNAN, 0, 0xffa00000, 0, 0, fabs.s fa3, fa0)

/* fused multiply-add */
TEST_FS(150, 0x40e00000, 0, S_2, S_3, S_1, fmadd.s fa3, fa0, fa1, fa2)
TEST_FS(151, 0x40a00000, 0, S_2, S_3, S_1, fmsub.s fa3, fa0, fa1, fa2)
TEST_FS(152, 0xc0a00000, 0, S_2, S_3, S_1, fnmsub.s fa3, fa0, fa1, fa2)
TEST_FS(153, 0xc0e00000, 0, S_2, S_3, S_1, fnmadd.s fa3, fa0, fa1, fa2)
TEST_FS(154, S_QNAN, FFLAG_NV, S_INF, S_0, S_QNAN, fmadd.s fa3, fa0, fa1, fa2)
TEST_FS(155, 0x33800000, 0, 0x3f800800, 0x3f800800, 0xbf801000, fmadd.s fa3, fa0, fa1, fa2)  /* (1+2^-12)^2-(1+2^-11) = 2^-24 */
TEST_FS(156, S_1U, FFLAG_NX, S_1, S_1, S_U24, fmadd.s fa3, fa0, fa1, fa2, rmm)

TEST_END

    .data
    .balign 8
fdata:
    .dword 0
