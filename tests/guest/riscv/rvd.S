/* D extension: IEEE results and fflags (NV DZ OF UF NX), all five rounding modes static and
   dynamic, reserved rounding modes, canonical NaN outputs, conversion saturation
   (Unpriv. ISA §11.7 table 11.4), fmin/fmax signed zeros and NaNs, quiet vs signaling
   compares, fclass, sign injection, fused multiply-add, fcvt.s.d. */
#include "test.h"

#define D_0     0x0000000000000000
#define D_N0    0x8000000000000000
#define D_1     0x3ff0000000000000
#define D_N1    0xbff0000000000000
#define D_2     0x4000000000000000
#define D_3     0x4008000000000000
#define D_4     0x4010000000000000
#define D_HALF  0x3fe0000000000000
#define D_NHALF 0xbfe0000000000000
#define D_2_5   0x4004000000000000
#define D_N2_5  0xc004000000000000
#define D_5     0x4014000000000000
#define D_7     0x401c000000000000
#define D_INF   0x7ff0000000000000
#define D_NINF  0xfff0000000000000
#define D_QNAN  0x7ff8000000000000      /* canonical NaN */
#define D_SNAN  0x7ff4000000000000
#define D_MAX   0x7fefffffffffffff
#define D_MINN  0x0010000000000000      /* smallest normal */
#define D_SUB   0x0000000000000001      /* smallest subnormal */
#define D_U53   0x3ca0000000000000      /* 2^-53: half an ulp of 1.0 */
#define D_1U    0x3ff0000000000001      /* 1 + 2^-52 */
#define D_THIRD 0x3fd5555555555555

TEST_BEGIN(rvd)

/* basic arithmetic and exact results raise nothing */
TEST_FD( 1, D_3, 0, D_1, D_2, 0, fadd.d fa3, fa0, fa1)
TEST_FD( 2, D_N1, 0, D_1, D_2, 0, fsub.d fa3, fa0, fa1)
TEST_FD( 3, 0x4018000000000000, 0, D_2, D_3, 0, fmul.d fa3, fa0, fa1)
TEST_FD( 4, D_THIRD, FFLAG_NX, D_1, D_3, 0, fdiv.d fa3, fa0, fa1)
TEST_FD( 5, D_2, 0, D_4, 0, 0, fsqrt.d fa3, fa0)
TEST_FD( 6, 0x3ff6a09e667f3bcd, FFLAG_NX, D_2, 0, 0, fsqrt.d fa3, fa0)

/* rounding: 1 + 3*2^-53 is a tie between 1+2^-52 (odd) and 1+2^-51 (even) */
TEST_FD(10, 0x3ff0000000000002, FFLAG_NX, D_1U, D_U53, 0, fadd.d fa3, fa0, fa1, rne)
TEST_FD(11, 0x3ff0000000000001, FFLAG_NX, D_1U, D_U53, 0, fadd.d fa3, fa0, fa1, rtz)
TEST_FD(12, 0x3ff0000000000001, FFLAG_NX, D_1U, D_U53, 0, fadd.d fa3, fa0, fa1, rdn)
TEST_FD(13, 0x3ff0000000000002, FFLAG_NX, D_1U, D_U53, 0, fadd.d fa3, fa0, fa1, rup)
TEST_FD(14, 0x3ff0000000000002, FFLAG_NX, D_1U, D_U53, 0, fadd.d fa3, fa0, fa1, rmm)
/* 1 + 2^-53: a tie whose even neighbour is 1.0: RNE and RMM differ */
TEST_FD(15, D_1, FFLAG_NX, D_1, D_U53, 0, fadd.d fa3, fa0, fa1, rne)
TEST_FD(16, D_1U, FFLAG_NX, D_1, D_U53, 0, fadd.d fa3, fa0, fa1, rmm)
/* negative: -(1 + 2^-53) */
TEST_FD(17, 0xbff0000000000001, FFLAG_NX, D_N1, D_U53, 0, fsub.d fa3, fa0, fa1, rdn)
TEST_FD(18, D_N1, FFLAG_NX, D_N1, D_U53, 0, fsub.d fa3, fa0, fa1, rup)
TEST_FD(19, D_N1, FFLAG_NX, D_N1, D_U53, 0, fsub.d fa3, fa0, fa1, rtz)
TEST_FD(20, 0xbff0000000000001, FFLAG_NX, D_N1, D_U53, 0, fsub.d fa3, fa0, fa1, rmm)
/* 1/3 rounds down to nearest; up only for RUP */
TEST_FD(21, 0x3fd5555555555556, FFLAG_NX, D_1, D_3, 0, fdiv.d fa3, fa0, fa1, rup)
TEST_FD(22, D_THIRD, FFLAG_NX, D_1, D_3, 0, fdiv.d fa3, fa0, fa1, rdn)
/* dynamic rounding from frm; a static rm overrides it */
TEST_FD(23, 0x3fd5555555555556, FFLAG_NX, D_1, D_3, 0, fsrmi 3; fdiv.d fa3, fa0, fa1; fsrmi 0)
TEST_FD(24, 0x3ff0000000000001, FFLAG_NX, D_1U, D_U53, 0, fsrmi 1; fadd.d fa3, fa0, fa1; fsrmi 0)
TEST_FD(25, D_1U, FFLAG_NX, D_1, D_U53, 0, fsrmi 4; fadd.d fa3, fa0, fa1; fsrmi 0)
TEST_FD(26, D_1, FFLAG_NX, D_1, D_U53, 0, fsrmi 3; fadd.d fa3, fa0, fa1, rne; fsrmi 0)
TEST_FD(27, 0xbfd5555555555556, FFLAG_NX, D_N1, D_3, 0, fsrmi 2; fdiv.d fa3, fa0, fa1; fsrmi 0)
TEST_FD(28, 0x3fd5555555555556, FFLAG_NX, D_1, D_3, 0, fsrmi 5; fdiv.d fa3, fa0, fa1, rup; fsrmi 0)

/* fcsr layout: frm in [7:5], fflags in [4:0], upper bits read as zero */
TEST_CASE(29, a0, 0xff, li t0, 0x1ff; fscsr t0; frcsr a0; fscsr zero)
TEST_CASE(30, a0, 0x60, fsrmi 3; frcsr a0; fsrmi 0)
TEST_CASE(31, a0, 3, li t0, 0x7f; fscsr t0; frrm a0; fscsr zero)
TEST_CASE(32, a0, 0x1f, li t0, 0xff; fscsr t0; frflags a0; fscsr zero)

/* reserved rounding modes 5, 6 (static) and 5, 6, 7 in frm (dynamic) are illegal */
TEST_TRAP(33, CAUSE_ILLEGAL_INSN, .4byte 0x0220d053)         /* fadd.d f0, f1, f2, rm=5 */
TEST_TVAL(34, 0x0220d053)
TEST_TRAP(35, CAUSE_ILLEGAL_INSN, .4byte 0x0220e053)         /* rm=6 */
TEST_TRAP(36, CAUSE_ILLEGAL_INSN, fsrmi 5; fadd.d fa3, fa0, fa1)
TEST_TRAP(37, CAUSE_ILLEGAL_INSN, fsrmi 7; fmul.d fa3, fa0, fa1)
TEST_TRAP(38, CAUSE_ILLEGAL_INSN, fsrmi 6; fcvt.w.d a0, fa0)
    fsrmi   0

/* exception flags */
TEST_FD(40, D_QNAN, FFLAG_NV, D_INF, D_INF, 0, fsub.d fa3, fa0, fa1)
TEST_FD(41, D_QNAN, FFLAG_NV, D_0, D_INF, 0, fmul.d fa3, fa0, fa1)
TEST_FD(42, D_QNAN, FFLAG_NV, D_0, D_0, 0, fdiv.d fa3, fa0, fa1)
TEST_FD(43, D_INF, FFLAG_DZ, D_1, D_0, 0, fdiv.d fa3, fa0, fa1)
TEST_FD(44, D_NINF, FFLAG_DZ, D_1, D_N0, 0, fdiv.d fa3, fa0, fa1)
TEST_FD(45, D_INF, FFLAG_OF | FFLAG_NX, D_MAX, D_2, 0, fmul.d fa3, fa0, fa1)
TEST_FD(46, D_MAX, FFLAG_OF | FFLAG_NX, D_MAX, D_MAX, 0, fadd.d fa3, fa0, fa1, rtz)
TEST_FD(47, D_NINF, FFLAG_OF | FFLAG_NX, 0xffefffffffffffff, D_2, 0, fmul.d fa3, fa0, fa1, rdn)
TEST_FD(48, 0xffefffffffffffff, FFLAG_OF | FFLAG_NX, 0xffefffffffffffff, D_2, 0, fmul.d fa3, fa0, fa1, rup)
TEST_FD(49, 0x0008000000000000, 0, D_MINN, D_HALF, 0, fmul.d fa3, fa0, fa1)  /* exact subnormal: no UF */
TEST_FD(50, D_0, FFLAG_UF | FFLAG_NX, D_SUB, D_HALF, 0, fmul.d fa3, fa0, fa1)  /* tie to even 0 */
TEST_FD(51, D_SUB, FFLAG_UF | FFLAG_NX, D_SUB, D_HALF, 0, fmul.d fa3, fa0, fa1, rup)
TEST_FD(52, D_QNAN, FFLAG_NV, D_N1, 0, 0, fsqrt.d fa3, fa0)
TEST_FD(53, D_N0, 0, D_N0, 0, 0, fsqrt.d fa3, fa0)
TEST_FD(54, D_INF, 0, D_INF, 0, 0, fsqrt.d fa3, fa0)
/* NaN inputs: always the canonical NaN out; only signaling NaNs raise NV */
TEST_FD(55, D_QNAN, 0, 0x7ff8000000000123, D_1, 0, fadd.d fa3, fa0, fa1)
TEST_FD(56, D_QNAN, FFLAG_NV, D_SNAN, D_1, 0, fadd.d fa3, fa0, fa1)
TEST_FD(57, D_QNAN, 0, 0xfff8000000000000, D_1, 0, fmul.d fa3, fa0, fa1)
TEST_FD(58, D_QNAN, FFLAG_NV, D_1, 0x7ff0000000000001, 0, fdiv.d fa3, fa0, fa1)
TEST_FD(59, D_INF, 0, D_1, D_INF, 0, fadd.d fa3, fa0, fa1)
TEST_FD(60, D_N0, 0, D_N0, D_N0, 0, fadd.d fa3, fa0, fa1)
TEST_FD(61, D_0, 0, D_1, D_1, 0, fsub.d fa3, fa0, fa1)              /* x - x = +0 ... */
TEST_FD(62, D_N0, 0, D_1, D_1, 0, fsub.d fa3, fa0, fa1, rdn)        /* ... but -0 rounding down */

/* conversions to integer: round per rm, saturate with NV (table 11.4) */
TEST_FDI(70, 0x7fffffff, FFLAG_NV, D_QNAN, 0, fcvt.w.d a0, fa0, rtz)
TEST_FDI(71, 0x7fffffff, FFLAG_NV, D_INF, 0, fcvt.w.d a0, fa0, rtz)
TEST_FDI(72, 0xffffffff80000000, FFLAG_NV, D_NINF, 0, fcvt.w.d a0, fa0, rtz)
TEST_FDI(73, 0x7fffffff, FFLAG_NV, 0x41e65a0bc0000000, 0, fcvt.w.d a0, fa0, rtz)     /* 3e9 */
TEST_FDI(74, 0xffffffff80000000, FFLAG_NV, 0xc1e65a0bc0000000, 0, fcvt.w.d a0, fa0, rtz)
TEST_FDI(75, 0xffffffff80000000, FFLAG_NX, 0xc1e0000000100000, 0, fcvt.w.d a0, fa0, rtz) /* -2^31-0.5 */
TEST_FDI(76, -2, FFLAG_NX, D_N2_5, 0, fcvt.w.d a0, fa0, rne)
TEST_FDI(77, 2, FFLAG_NX, D_2_5, 0, fcvt.w.d a0, fa0, rne)
TEST_FDI(78, 3, FFLAG_NX, D_2_5, 0, fcvt.w.d a0, fa0, rmm)
TEST_FDI(79, -3, FFLAG_NX, D_N2_5, 0, fcvt.w.d a0, fa0, rdn)
TEST_FDI(80, -2, FFLAG_NX, D_N2_5, 0, fcvt.w.d a0, fa0, rup)
TEST_FDI(81, 3, FFLAG_NX, D_2_5, 0, fsrmi 3; fcvt.w.d a0, fa0; fsrmi 0)
TEST_FDI(82, 0, 0, D_N0, 0, fcvt.w.d a0, fa0)
/* fcvt.wu.d: the 32-bit result is sign-extended on RV64 */
TEST_FDI(83, 0, FFLAG_NV, D_N1, 0, fcvt.wu.d a0, fa0, rtz)
TEST_FDI(84, 0, FFLAG_NX, D_NHALF, 0, fcvt.wu.d a0, fa0, rtz)       /* rounds to 0: in range */
TEST_FDI(85, -1, FFLAG_NV, D_QNAN, 0, fcvt.wu.d a0, fa0, rtz)
TEST_FDI(86, -1, FFLAG_NV, D_INF, 0, fcvt.wu.d a0, fa0, rtz)
TEST_FDI(87, -1, 0, 0x41efffffffe00000, 0, fcvt.wu.d a0, fa0, rtz)  /* 4294967295.0 */
TEST_FDI(88, -1, FFLAG_NV, 0x41f0000000000000, 0, fcvt.wu.d a0, fa0, rtz)
TEST_FDI(89, 0xffffffff80000000, 0, 0x41e0000000000000, 0, fcvt.wu.d a0, fa0, rtz)  /* 2^31 */
TEST_FDI(90, 0, FFLAG_NV, D_NINF, 0, fcvt.wu.d a0, fa0, rtz)
/* fcvt.l.d / fcvt.lu.d */
TEST_FDI(91, 0x7fffffffffffffff, FFLAG_NV, D_QNAN, 0, fcvt.l.d a0, fa0, rtz)
TEST_FDI(92, 0x8000000000000000, FFLAG_NV, D_NINF, 0, fcvt.l.d a0, fa0, rtz)
TEST_FDI(93, 0x7fffffffffffffff, FFLAG_NV, 0x43e0000000000000, 0, fcvt.l.d a0, fa0, rtz)   /* 2^63 */
TEST_FDI(94, 0x8000000000000000, 0, 0xc3e0000000000000, 0, fcvt.l.d a0, fa0, rtz)          /* -2^63 */
TEST_FDI(95, -1, FFLAG_NX, 0xbff8000000000000, 0, fcvt.l.d a0, fa0, rtz)                   /* -1.5 */
TEST_FDI(96, 0, FFLAG_NV, D_N1, 0, fcvt.lu.d a0, fa0, rtz)
TEST_FDI(97, -1, FFLAG_NV, D_QNAN, 0, fcvt.lu.d a0, fa0, rtz)
TEST_FDI(98, -1, FFLAG_NV, 0x43f0000000000000, 0, fcvt.lu.d a0, fa0, rtz)                  /* 2^64 */
TEST_FDI(99, 0, FFLAG_NV, D_NINF, 0, fcvt.lu.d a0, fa0, rtz)
TEST_FDI(100, 0x8000000000000000, 0, 0x43e0000000000000, 0, fcvt.lu.d a0, fa0, rtz)
TEST_FDI(101, 0, FFLAG_NX, D_NHALF, 0, fcvt.lu.d a0, fa0, rne)      /* -0.5 rounds to -0 */
TEST_FDI(102, 0, FFLAG_NV, D_NHALF, 0, fcvt.lu.d a0, fa0, rdn)      /* ... or to -1 */

/* conversions from integer */
TEST_FID(110, D_N1, 0, -1, fcvt.d.w fa3, a2)
TEST_FID(111, 0xc1e0000000000000, 0, 0xffffffff80000000, fcvt.d.w fa3, a2)
TEST_FID(112, 0x41efffffffe00000, 0, 0xffffffff, fcvt.d.wu fa3, a2)
TEST_FID(113, 0x41efffffffe00000, 0, -1, fcvt.d.wu fa3, a2)         /* only rs1[31:0] */
TEST_FID(114, 0x4340000000000000, FFLAG_NX, 0x20000000000001, fcvt.d.l fa3, a2)       /* 2^53+1 */
TEST_FID(115, 0x4340000000000001, FFLAG_NX, 0x20000000000001, fcvt.d.l fa3, a2, rup)
TEST_FID(116, 0x43f0000000000000, FFLAG_NX, -1, fcvt.d.lu fa3, a2)
TEST_FID(117, 0xc3e0000000000000, 0, 0x8000000000000000, fcvt.d.l fa3, a2)
TEST_FID(118, D_0, 0, 0, fcvt.d.l fa3, a2)

/* fmin/fmax: -0 < +0; one NaN input returns the other; sNaN raises NV */
TEST_FD(120, D_N0, 0, D_0, D_N0, 0, fmin.d fa3, fa0, fa1)
TEST_FD(121, D_N0, 0, D_N0, D_0, 0, fmin.d fa3, fa0, fa1)
TEST_FD(122, D_0, 0, D_0, D_N0, 0, fmax.d fa3, fa0, fa1)
TEST_FD(123, D_0, 0, D_N0, D_0, 0, fmax.d fa3, fa0, fa1)
TEST_FD(124, D_1, 0, D_QNAN, D_1, 0, fmin.d fa3, fa0, fa1)
TEST_FD(125, D_1, 0, D_1, D_QNAN, 0, fmax.d fa3, fa0, fa1)
TEST_FD(126, D_1, FFLAG_NV, D_SNAN, D_1, 0, fmin.d fa3, fa0, fa1)
TEST_FD(127, D_1, FFLAG_NV, D_1, D_SNAN, 0, fmax.d fa3, fa0, fa1)
TEST_FD(128, D_QNAN, 0, 0x7ff8000000000042, 0xfff8000000000000, 0, fmin.d fa3, fa0, fa1)
TEST_FD(129, D_QNAN, FFLAG_NV, D_SNAN, D_QNAN, 0, fmax.d fa3, fa0, fa1)
TEST_FD(130, D_N1, 0, D_N1, D_2, 0, fmin.d fa3, fa0, fa1)
TEST_FD(131, D_NINF, 0, D_NINF, D_INF, 0, fmin.d fa3, fa0, fa1)

/* compares: feq is quiet (NV only for sNaN), flt/fle signal on any NaN */
TEST_FDI(140, 0, 0, D_QNAN, D_1, feq.d a0, fa0, fa1)
TEST_FDI(141, 0, FFLAG_NV, D_SNAN, D_1, feq.d a0, fa0, fa1)
TEST_FDI(142, 0, FFLAG_NV, D_QNAN, D_1, flt.d a0, fa0, fa1)
TEST_FDI(143, 0, FFLAG_NV, D_1, D_QNAN, fle.d a0, fa0, fa1)
TEST_FDI(144, 0, 0, D_QNAN, D_QNAN, feq.d a0, fa0, fa1)
TEST_FDI(145, 1, 0, D_0, D_N0, feq.d a0, fa0, fa1)
TEST_FDI(146, 0, 0, D_N0, D_0, flt.d a0, fa0, fa1)
TEST_FDI(147, 1, 0, D_N0, D_0, fle.d a0, fa0, fa1)
TEST_FDI(148, 1, 0, D_NINF, D_N1, flt.d a0, fa0, fa1)
TEST_FDI(149, 0, 0, D_2, D_1, fle.d a0, fa0, fa1)

/* fclass: one bit per class */
TEST_FDI(150, 1 << 0, 0, D_NINF, 0, fclass.d a0, fa0)
TEST_FDI(151, 1 << 1, 0, D_N1, 0, fclass.d a0, fa0)
TEST_FDI(152, 1 << 2, 0, 0x800fffffffffffff, 0, fclass.d a0, fa0)
TEST_FDI(153, 1 << 3, 0, D_N0, 0, fclass.d a0, fa0)
TEST_FDI(154, 1 << 4, 0, D_0, 0, fclass.d a0, fa0)
TEST_FDI(155, 1 << 5, 0, D_SUB, 0, fclass.d a0, fa0)
TEST_FDI(156, 1 << 6, 0, D_MAX, 0, fclass.d a0, fa0)
TEST_FDI(157, 1 << 7, 0, D_INF, 0, fclass.d a0, fa0)
TEST_FDI(158, 1 << 8, 0, D_SNAN, 0, fclass.d a0, fa0)
TEST_FDI(159, 1 << 9, 0, D_QNAN, 0, fclass.d a0, fa0)
TEST_FDI(160, 1 << 9, 0, 0xfff8000000000001, 0, fclass.d a0, fa0)

/* sign injection: bit operations, never canonicalize, never raise flags */
TEST_FD(170, D_N1, 0, D_1, 0xc000000000000000, 0, fsgnj.d fa3, fa0, fa1)
TEST_FD(171, D_1, 0, D_1, 0xc000000000000000, 0, fsgnjn.d fa3, fa0, fa1)
TEST_FD(172, D_1, 0, D_N1, 0xc000000000000000, 0, fsgnjx.d fa3, fa0, fa1)
TEST_FD(173, D_N1, 0, D_N1, D_2, 0, fsgnjx.d fa3, fa0, fa1)
TEST_FD(174, 0xfff4000000000000, 0, D_SNAN, D_SNAN, 0, fsgnjn.d fa3, fa0, fa1)
TEST_FD(175, D_SNAN, 0, 0xfff4000000000000, 0, 0, fabs.d fa3, fa0)
TEST_FD(176, D_N0, 0, D_0, 0, 0, fneg.d fa3, fa0)
TEST_FD(177, 0x7ff8000000000123, 0, 0x7ff8000000000123, 0, 0, fmv.d fa3, fa0)

/* fused multiply-add: a single rounding, and inf*0 is invalid even with a qNaN addend */
TEST_FD(180, D_7, 0, D_2, D_3, D_1, fmadd.d fa3, fa0, fa1, fa2)
TEST_FD(181, D_5, 0, D_2, D_3, D_1, fmsub.d fa3, fa0, fa1, fa2)
TEST_FD(182, 0xc014000000000000, 0, D_2, D_3, D_1, fnmsub.d fa3, fa0, fa1, fa2)   /* -(2*3)+1 */
TEST_FD(183, 0xc01c000000000000, 0, D_2, D_3, D_1, fnmadd.d fa3, fa0, fa1, fa2)   /* -(2*3)-1 */
TEST_FD(184, 0x3c30000000000000, 0, 0x3ff0000000400000, 0x3ff0000000400000, 0xbff0000000800000, \
        fmadd.d fa3, fa0, fa1, fa2)                                               /* (1+2^-30)^2-(1+2^-29) = 2^-60 */
TEST_FD(185, D_QNAN, FFLAG_NV, D_INF, D_0, D_QNAN, fmadd.d fa3, fa0, fa1, fa2)
TEST_FD(186, D_QNAN, 0, D_1, D_2, D_QNAN, fmadd.d fa3, fa0, fa1, fa2)
TEST_FD(187, D_QNAN, FFLAG_NV, D_INF, D_1, D_NINF, fmadd.d fa3, fa0, fa1, fa2)
TEST_FD(188, D_N0, 0, D_N1, D_0, D_N0, fmadd.d fa3, fa0, fa1, fa2)
TEST_FD(189, D_0, 0, D_1, D_0, D_N0, fmadd.d fa3, fa0, fa1, fa2)
TEST_FD(190, D_1U, FFLAG_NX, D_1, D_1, D_U53, fmadd.d fa3, fa0, fa1, fa2, rup)

/* fcvt.s.d / fcvt.d.s */
TEST_CASE2(200, a0, 0xffffffff3eaaaaab, a1, FFLAG_NX, FP_LOAD_D(D_THIRD, 0, 0); csrwi fflags, 0; fcvt.s.d fa3, fa0; frflags a1; fmv.x.d a0, fa3)
TEST_CASE2(201, a0, 0xffffffff3eaaaaaa, a1, FFLAG_NX, FP_LOAD_D(D_THIRD, 0, 0); csrwi fflags, 0; fcvt.s.d fa3, fa0, rtz; frflags a1; fmv.x.d a0, fa3)
TEST_CASE2(202, a0, 0xffffffff7f800000, a1, FFLAG_OF | FFLAG_NX, FP_LOAD_D(D_MAX, 0, 0); csrwi fflags, 0; fcvt.s.d fa3, fa0; frflags a1; fmv.x.d a0, fa3)
TEST_CASE2(203, a0, 0xffffffff7f7fffff, a1, FFLAG_OF | FFLAG_NX, FP_LOAD_D(D_MAX, 0, 0); csrwi fflags, 0; fcvt.s.d fa3, fa0, rtz; frflags a1; fmv.x.d a0, fa3)
TEST_CASE2(204, a0, 0xffffffff7fc00000, a1, FFLAG_NV, FP_LOAD_D(D_SNAN, 0, 0); csrwi fflags, 0; fcvt.s.d fa3, fa0; frflags a1; fmv.x.d a0, fa3)
TEST_CASE2(205, a0, 0xffffffff00000000, a1, FFLAG_UF | FFLAG_NX, FP_LOAD_D(D_SUB, 0, 0); csrwi fflags, 0; fcvt.s.d fa3, fa0; frflags a1; fmv.x.d a0, fa3)
TEST_CASE2(206, a0, 0x3fd5555560000000, a1, 0, li t0, 0x3eaaaaab; fmv.w.x fa0, t0; csrwi fflags, 0; fcvt.d.s fa3, fa0; frflags a1; fmv.x.d a0, fa3)
TEST_CASE2(207, a0, D_QNAN, a1, FFLAG_NV, li t0, 0x7fa00000; fmv.w.x fa0, t0; csrwi fflags, 0; fcvt.d.s fa3, fa0; frflags a1; fmv.x.d a0, fa3)

/* loads/stores move bits unchanged (a signaling NaN stays signaling) */
TEST_CASE(210, a0, D_SNAN, la a1, fdata; li t0, D_SNAN; sd t0, 0(a1); fld fa0, 0(a1); fsd fa0, 8(a1); ld a0, 8(a1))
TEST_CASE(211, a0, 0, csrwi fflags, 0; la a1, fdata; fld fa0, 0(a1); fsd fa0, 8(a1); frflags a0)

TEST_END

    .data
    .balign 8
fdata:
    .dword 0, 0
