/* Unit tests for the F/D execution unit (src/arch/riscv/fpu.c + softfloat.c): rounding in
 * all five modes, every fflags bit (incl. tininess after rounding), NaN-boxing, canonical
 * NaNs, FMIN/FMAX, FCVT saturation, FMA special cases and reserved rounding modes.
 * Expected values were cross-checked against qemu-system-riscv64. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/riscv/cpu.h"

static int test_no, failures;

static void check(bool ok, const char *name)
{
    test_no++;
    if (!ok)
        failures++;
    printf("%sok %d - %s\n", ok ? "" : "not ", test_no, name);
}

/* A hart in M-mode with FS = Initial; rv_raise (trap.c) needs the machine for logging. */
typedef struct fixture {
    machine m;
    rv_cpu cpu;
} fixture;

static rv_cpu *fresh(fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    fx->cpu.m = &fx->m;
    fx->cpu.priv = PRIV_M;
    fx->cpu.mstatus = (uint64_t)FS_INITIAL << MSTATUS_FS_SHIFT;
    return &fx->cpu;
}

#define S(v) (0xffffffff00000000ULL | (uint32_t)(v)) /* NaN-boxed single */
#define CNAN_S 0xffffffff7fc00000ULL
#define CNAN_D 0x7ff8000000000000ULL
#define SNAN_S S(0x7f800001)
#define SNAN_D 0x7ff0000000000001ULL
#define QNAN_S S(0x7fc12345)                 /* quiet, with a payload */
#define QNAN_D 0x7ff8000000012345ULL

/* Run `op` with f1, f2, f3 (or x1) as sources, f5 / x5 as destination, `rm` as the
 * instruction's rounding-mode field. Returns the destination register's value. */
static uint64_t run(rv_cpu *cpu, unsigned op, unsigned rm, uint64_t a, uint64_t b, uint64_t c)
{
    rv_insn in = { .op = (uint16_t)op, .rd = 5, .rs1 = 1, .rs2 = 2, .rs3 = 3, .rm = (uint8_t)rm,
                   .len = 4, .raw = 0x53 | (rm << 12) };
    cpu->f[1] = a; cpu->f[2] = b; cpu->f[3] = c;
    cpu->x[1] = a;
    cpu->f[5] = 0x5555; cpu->x[5] = 0x5555;
    rv_exec_fp(cpu, &in);
    switch (op) {
    case RV_OP_FCVT_W_S: case RV_OP_FCVT_WU_S: case RV_OP_FCVT_L_S: case RV_OP_FCVT_LU_S:
    case RV_OP_FCVT_W_D: case RV_OP_FCVT_WU_D: case RV_OP_FCVT_L_D: case RV_OP_FCVT_LU_D:
    case RV_OP_FEQ_S: case RV_OP_FLT_S: case RV_OP_FLE_S:
    case RV_OP_FEQ_D: case RV_OP_FLT_D: case RV_OP_FLE_D:
    case RV_OP_FCLASS_S: case RV_OP_FCLASS_D: case RV_OP_FMV_X_W: case RV_OP_FMV_X_D:
        return cpu->x[5];
    default:
        return cpu->f[5];
    }
}

/* One operation in one static rounding mode: result and the fflags it raises. */
static void expect(unsigned op, unsigned rm, uint64_t a, uint64_t b, uint64_t c,
                   uint64_t want, unsigned want_flags, const char *name)
{
    fixture *fx = malloc(sizeof *fx);
    rv_cpu *cpu = fresh(fx);
    uint64_t got = run(cpu, op, rm, a, b, c);
    unsigned flags = cpu->fcsr & 0x1f;
    bool ok = got == want && flags == want_flags && !cpu->trapped;
    if (!ok)
        printf("# %s (rm %u): got 0x%016llx flags %02x, want 0x%016llx flags %02x%s\n", name, rm,
               (unsigned long long)got, flags, (unsigned long long)want, want_flags,
               cpu->trapped ? " (trapped)" : "");
    check(ok, name);
    free(fx);
}

/* The same operation in RNE, RTZ, RDN, RUP, RMM. */
static void expect_modes(unsigned op, uint64_t a, uint64_t b, uint64_t c, const uint64_t want[5],
                         unsigned flags, const char *name)
{
    static const char *const mode[5] = { "rne", "rtz", "rdn", "rup", "rmm" };
    char buf[128];
    for (unsigned rm = 0; rm < 5; rm++) {
        snprintf(buf, sizeof buf, "%s %s", name, mode[rm]);
        expect(op, rm, a, b, c, want[rm], flags, buf);
    }
}

enum { NX = FFLAG_NX, UF = FFLAG_UF, OF = FFLAG_OF, DZ = FFLAG_DZ, NV = FFLAG_NV };

static void test_rounding_modes(void)
{
    /* 1 + 2^-24 is a tie in single precision: RNE keeps the even 1.0, RMM goes up. */
    expect_modes(RV_OP_FADD_S, S(0x3f800000), S(0x33800000), 0,
                 (const uint64_t[5]){ S(0x3f800000), S(0x3f800000), S(0x3f800000),
                                      S(0x3f800001), S(0x3f800001) }, NX, "fadd.s tie");
    expect_modes(RV_OP_FADD_S, S(0xbf800000), S(0xb3800000), 0,
                 (const uint64_t[5]){ S(0xbf800000), S(0xbf800000), S(0xbf800001),
                                      S(0xbf800000), S(0xbf800001) }, NX, "fadd.s -tie");
    /* (1 + 3*2^-52) * 1.5 = 1.5 + 4*2^-52 + 2^-53: a tie with an even kept lsb. */
    expect_modes(RV_OP_FMUL_D, 0x3ff0000000000003ULL, 0x3ff8000000000000ULL, 0,
                 (const uint64_t[5]){ 0x3ff8000000000004ULL, 0x3ff8000000000004ULL,
                                      0x3ff8000000000004ULL, 0x3ff8000000000005ULL,
                                      0x3ff8000000000005ULL }, NX, "fmul.d tie");
    expect_modes(RV_OP_FDIV_S, S(0x3f800000), S(0x40400000), 0,
                 (const uint64_t[5]){ S(0x3eaaaaab), S(0x3eaaaaaa), S(0x3eaaaaaa),
                                      S(0x3eaaaaab), S(0x3eaaaaab) }, NX, "fdiv.s 1/3");
    expect_modes(RV_OP_FDIV_D, 0xbff0000000000000ULL, 0x4008000000000000ULL, 0,
                 (const uint64_t[5]){ 0xbfd5555555555555ULL, 0xbfd5555555555555ULL,
                                      0xbfd5555555555556ULL, 0xbfd5555555555555ULL,
                                      0xbfd5555555555555ULL }, NX, "fdiv.d -1/3");
    expect_modes(RV_OP_FSQRT_D, 0x4000000000000000ULL, 0, 0,
                 (const uint64_t[5]){ 0x3ff6a09e667f3bcdULL, 0x3ff6a09e667f3bccULL,
                                      0x3ff6a09e667f3bccULL, 0x3ff6a09e667f3bcdULL,
                                      0x3ff6a09e667f3bcdULL }, NX, "fsqrt.d 2");
    expect_modes(RV_OP_FSQRT_S, S(0x40000000), 0, 0,
                 (const uint64_t[5]){ S(0x3fb504f3), S(0x3fb504f3), S(0x3fb504f3),
                                      S(0x3fb504f4), S(0x3fb504f3) }, NX, "fsqrt.s 2");
    expect(RV_OP_FSQRT_S, RM_RNE, S(0x40800000), 0, 0, S(0x40000000), 0, "fsqrt.s 4 exact");
    /* FMA rounds once: 1 + 2^-24 + 2^-48 in single is above the tie. */
    expect_modes(RV_OP_FMADD_S, S(0x3f800001), S(0x33800000), S(0x3f800000),
                 (const uint64_t[5]){ S(0x3f800001), S(0x3f800000), S(0x3f800000),
                                      S(0x3f800001), S(0x3f800001) }, NX, "fmadd.s single rounding");
    /* 2.5 and -2.5 to integer */
    expect_modes(RV_OP_FCVT_W_S, S(0x40200000), 0, 0,
                 (const uint64_t[5]){ 2, 2, 2, 3, 3 }, NX, "fcvt.w.s 2.5");
    expect_modes(RV_OP_FCVT_L_D, 0xc004000000000000ULL, 0, 0,
                 (const uint64_t[5]){ (uint64_t)-2, (uint64_t)-2, (uint64_t)-3, (uint64_t)-2,
                                      (uint64_t)-3 }, NX, "fcvt.l.d -2.5");
    /* 2^24 + 1 is not a single: a tie between 2^24 and 2^24 + 2. */
    expect_modes(RV_OP_FCVT_S_W, 0x1000001, 0, 0,
                 (const uint64_t[5]){ S(0x4b800000), S(0x4b800000), S(0x4b800000),
                                      S(0x4b800001), S(0x4b800001) }, NX, "fcvt.s.w 2^24+1");
    expect_modes(RV_OP_FCVT_S_D, 0x3ff0000010000000ULL, 0, 0,   /* 1 + 2^-24 */
                 (const uint64_t[5]){ S(0x3f800000), S(0x3f800000), S(0x3f800000),
                                      S(0x3f800001), S(0x3f800001) }, NX, "fcvt.s.d tie");
    /* Dynamic rounding comes from frm. */
    {
        fixture *fx = malloc(sizeof *fx);
        rv_cpu *cpu = fresh(fx);
        cpu->fcsr = RM_RUP << 5;
        uint64_t r = run(cpu, RV_OP_FADD_S, RM_DYN, S(0x3f800000), S(0x33800000), 0);
        check(r == S(0x3f800001) && (cpu->fcsr & 0x1f) == NX, "dynamic rm uses frm");
        free(fx);
    }
}

static void test_flags(void)
{
    expect(RV_OP_FSQRT_D, RM_RNE, 0xbff0000000000000ULL, 0, 0, CNAN_D, NV, "NV: sqrt(-1)");
    expect(RV_OP_FSQRT_S, RM_RNE, S(0x80000000), 0, 0, S(0x80000000), 0, "sqrt(-0) = -0");
    expect(RV_OP_FDIV_D, RM_RNE, 0x3ff0000000000000ULL, 0x8000000000000000ULL, 0,
           0xfff0000000000000ULL, DZ, "DZ: 1/-0");
    expect(RV_OP_FDIV_S, RM_RNE, S(0), S(0), 0, CNAN_S, NV, "NV: 0/0");
    expect(RV_OP_FMUL_S, RM_RNE, S(0x7f7fffff), S(0x40000000), 0, S(0x7f800000), OF | NX,
           "OF: max*2 rne");
    expect(RV_OP_FMUL_S, RM_RTZ, S(0x7f7fffff), S(0x40000000), 0, S(0x7f7fffff), OF | NX,
           "OF: max*2 rtz");
    expect(RV_OP_FMUL_D, RM_RUP, 0xffefffffffffffffULL, 0x4000000000000000ULL, 0,
           0xffefffffffffffffULL, OF | NX, "OF: -max*2 rup");
    expect(RV_OP_FMUL_D, RM_RDN, 0xffefffffffffffffULL, 0x4000000000000000ULL, 0,
           0xfff0000000000000ULL, OF | NX, "OF: -max*2 rdn");
    expect(RV_OP_FMUL_S, RM_RNE, S(1), S(0x3f000000), 0, S(0), UF | NX, "UF: minsub/2");
    expect(RV_OP_FMUL_S, RM_RUP, S(1), S(0x3f000000), 0, S(1), UF | NX, "UF: minsub/2 rup");
    expect(RV_OP_FMUL_S, RM_RNE, S(0x00800000), S(0x3f000000), 0, S(0x00400000), 0,
           "exact subnormal result raises no UF");
    expect(RV_OP_FADD_D, RM_RNE, 0x3ff0000000000000ULL, 0x3ca0000000000000ULL, 0,
           0x3ff0000000000000ULL, NX, "NX: 1 + 2^-53");
    /* Tininess after rounding (Unpriv. ISA §11.2): (1+2^-23) * 0x007fffff is
     * 2^-126 * (1 - 2^-46). Rounded to 24 bits with unbounded exponent it is 2^-126, so it
     * is not tiny: NX only. In RTZ it stays below 2^-126: tiny and inexact. */
    expect(RV_OP_FMUL_S, RM_RNE, S(0x3f800001), S(0x007fffff), 0, S(0x00800000), NX,
           "tininess after rounding: no UF");
    expect(RV_OP_FMUL_S, RM_RTZ, S(0x3f800001), S(0x007fffff), 0, S(0x007fffff), UF | NX,
           "tininess after rounding: rtz UF");
    /* 2^-126 - 2^-150 is exact at 24 bits, so it is tiny; it rounds up to 2^-126. */
    expect(RV_OP_FMUL_S, RM_RNE, S(0x3f7fffff), S(0x00800000), 0, S(0x00800000), UF | NX,
           "tiny rounds to min normal: UF");
    expect(RV_OP_FMUL_D, RM_RNE, 0x3ff0000000000001ULL, 0x000fffffffffffffULL, 0,
           0x0010000000000000ULL, NX, "tininess after rounding (double)");
    {
        fixture *fx = malloc(sizeof *fx);
        rv_cpu *cpu = fresh(fx);
        cpu->fcsr = NX;
        run(cpu, RV_OP_FDIV_D, RM_RNE, 0x3ff0000000000000ULL, 0, 0);
        check((cpu->fcsr & 0x1f) == (NX | DZ), "fflags accumulate");
        check(((cpu->mstatus & MSTATUS_FS) >> MSTATUS_FS_SHIFT) == FS_DIRTY, "FS dirty after op");
        free(fx);
    }
    {
        fixture *fx = malloc(sizeof *fx);
        rv_cpu *cpu = fresh(fx);
        run(cpu, RV_OP_FEQ_D, RM_RNE, SNAN_D, 0, 0);
        check(((cpu->mstatus & MSTATUS_FS) >> MSTATUS_FS_SHIFT) == FS_DIRTY &&
              (cpu->fcsr & 0x1f) == NV, "FS dirty after flags-only change");
        free(fx);
    }
}

static void test_nan(void)
{
    /* §12.2: an improperly boxed single reads as the canonical NaN (quiet: no NV). */
    expect(RV_OP_FADD_S, RM_RNE, 0x000000003f800000ULL, S(0x3f800000), 0, CNAN_S, 0,
           "unboxed operand reads as canonical NaN");
    expect(RV_OP_FCLASS_S, RM_RNE, 0x000000003f800000ULL, 0, 0, 1u << 9, 0,
           "fclass.s of unboxed is qNaN");
    expect(RV_OP_FSGNJ_S, 0, 0x000000003f800000ULL, 0x000000003f800000ULL, 0, CNAN_S, 0,
           "fsgnj.s (fmv.s) of unboxed gives canonical NaN");
    expect(RV_OP_FCVT_D_S, RM_RNE, 0x123456783f800000ULL, 0, 0, CNAN_D, 0,
           "fcvt.d.s of unboxed");
    expect(RV_OP_FMV_X_W, 0, 0x00000000bf800000ULL, 0, 0, 0xffffffffbf800000ULL, 0,
           "fmv.x.w ignores boxing, sign-extends");
    expect(RV_OP_FMV_W_X, 0, 0x123456783f800000ULL, 0, 0, S(0x3f800000), 0, "fmv.w.x boxes");
    expect(RV_OP_FMV_X_D, 0, 0x7ff0000000000001ULL, 0, 0, 0x7ff0000000000001ULL, 0,
           "fmv.x.d raw");
    expect(RV_OP_FMV_D_X, 0, 0xfff0000000000001ULL, 0, 0, 0xfff0000000000001ULL, 0,
           "fmv.d.x raw");
    expect(RV_OP_FADD_S, RM_RNE, S(0x3f800000), S(0x3f800000), 0, S(0x40000000), 0,
           "single result is boxed");
    /* Canonical NaN, payloads not propagated; sNaN raises NV. */
    expect(RV_OP_FADD_D, RM_RNE, QNAN_D, 0x3ff0000000000000ULL, 0, CNAN_D, 0,
           "qNaN payload not propagated");
    expect(RV_OP_FMUL_S, RM_RNE, SNAN_S, S(0x3f800000), 0, CNAN_S, NV, "sNaN operand: NV");
    expect(RV_OP_FSUB_D, RM_RNE, 0x7ff0000000000000ULL, 0x7ff0000000000000ULL, 0, CNAN_D, NV,
           "inf - inf");
    expect(RV_OP_FCVT_S_D, RM_RNE, SNAN_D, 0, 0, CNAN_S, NV, "fcvt.s.d sNaN");
    expect(RV_OP_FCVT_D_S, RM_RNE, QNAN_S, 0, 0, CNAN_D, 0, "fcvt.d.s qNaN");
    /* Sign injection works on NaNs without looking at them. */
    expect(RV_OP_FSGNJN_D, 0, SNAN_D, SNAN_D, 0, 0xfff0000000000001ULL, 0, "fsgnjn.d sNaN");
    expect(RV_OP_FSGNJX_S, 0, S(0xbf800000), S(0x80000000), 0, S(0x3f800000), 0, "fsgnjx.s");
}

static void test_minmax_compare(void)
{
    expect(RV_OP_FMIN_S, 0, S(0), S(0x80000000), 0, S(0x80000000), 0, "fmin.s(+0,-0) = -0");
    expect(RV_OP_FMAX_S, 0, S(0x80000000), S(0), 0, S(0), 0, "fmax.s(-0,+0) = +0");
    expect(RV_OP_FMIN_D, 0, 0x0000000000000000ULL, 0x8000000000000000ULL, 0,
           0x8000000000000000ULL, 0, "fmin.d(+0,-0) = -0");
    expect(RV_OP_FMAX_D, 0, 0x8000000000000000ULL, 0, 0, 0, 0, "fmax.d(-0,+0) = +0");
    expect(RV_OP_FMIN_S, 0, QNAN_S, S(0x3f800000), 0, S(0x3f800000), 0, "fmin.s(qNaN, 1) = 1");
    expect(RV_OP_FMAX_D, 0, 0x3ff0000000000000ULL, SNAN_D, 0, 0x3ff0000000000000ULL, NV,
           "fmax.d(1, sNaN) = 1, NV");
    expect(RV_OP_FMIN_D, 0, QNAN_D, QNAN_D, 0, CNAN_D, 0, "fmin.d(qNaN, qNaN) = canonical");
    expect(RV_OP_FMAX_S, 0, SNAN_S, QNAN_S, 0, CNAN_S, NV, "fmax.s(sNaN, qNaN) = canonical, NV");
    expect(RV_OP_FMIN_S, 0, S(0xc0000000), S(0x3f800000), 0, S(0xc0000000), 0, "fmin.s(-2, 1)");
    expect(RV_OP_FMAX_D, 0, 0xc000000000000000ULL, 0xbff0000000000000ULL, 0,
           0xbff0000000000000ULL, 0, "fmax.d(-2, -1)");

    expect(RV_OP_FEQ_S, 0, S(0), S(0x80000000), 0, 1, 0, "feq.s +0 == -0");
    expect(RV_OP_FEQ_D, 0, QNAN_D, QNAN_D, 0, 0, 0, "feq.d qNaN: quiet");
    expect(RV_OP_FEQ_S, 0, SNAN_S, S(0), 0, 0, NV, "feq.s sNaN: NV");
    expect(RV_OP_FLT_D, 0, QNAN_D, 0, 0, 0, NV, "flt.d qNaN: NV");
    expect(RV_OP_FLE_S, 0, S(0x3f800000), QNAN_S, 0, 0, NV, "fle.s qNaN: NV");
    expect(RV_OP_FLT_S, 0, S(0x80000000), S(0), 0, 0, 0, "flt.s -0 < +0 is false");
    expect(RV_OP_FLE_D, 0, 0x8000000000000000ULL, 0, 0, 1, 0, "fle.d -0 <= +0");
    expect(RV_OP_FLT_D, 0, 0xc000000000000000ULL, 0xbff0000000000000ULL, 0, 1, 0,
           "flt.d -2 < -1");

    /* Table 11.5: -inf, -normal, -subnormal, -0, +0, +subnormal, +normal, +inf, sNaN, qNaN */
    static const uint64_t cls_d[10] = {
        0xfff0000000000000ULL, 0xbff0000000000000ULL, 0x800fffffffffffffULL,
        0x8000000000000000ULL, 0, 1, 0x3ff0000000000000ULL, 0x7ff0000000000000ULL, SNAN_D, QNAN_D,
    };
    static const uint64_t cls_s[10] = {
        S(0xff800000), S(0xbf800000), S(0x807fffff), S(0x80000000), S(0), S(1), S(0x3f800000),
        S(0x7f800000), SNAN_S, QNAN_S,
    };
    bool ok = true;
    for (unsigned i = 0; i < 10; i++) {
        fixture *fx = malloc(sizeof *fx);
        rv_cpu *cpu = fresh(fx);
        ok &= run(cpu, RV_OP_FCLASS_D, 0, cls_d[i], 0, 0) == 1u << i;
        ok &= run(cpu, RV_OP_FCLASS_S, 0, cls_s[i], 0, 0) == 1u << i;
        ok &= (cpu->fcsr & 0x1f) == 0;
        free(fx);
    }
    check(ok, "fclass.s/fclass.d all ten classes");
}

/* Table 11.4 saturation for each of the eight float-to-integer conversions. */
static void test_fcvt_saturation(void)
{
    static const struct { unsigned op; bool dbl; unsigned width; bool sgn; const char *name; } cv[] = {
        { RV_OP_FCVT_W_S, false, 32, true, "fcvt.w.s" },   { RV_OP_FCVT_WU_S, false, 32, false, "fcvt.wu.s" },
        { RV_OP_FCVT_L_S, false, 64, true, "fcvt.l.s" },   { RV_OP_FCVT_LU_S, false, 64, false, "fcvt.lu.s" },
        { RV_OP_FCVT_W_D, true, 32, true, "fcvt.w.d" },    { RV_OP_FCVT_WU_D, true, 32, false, "fcvt.wu.d" },
        { RV_OP_FCVT_L_D, true, 64, true, "fcvt.l.d" },    { RV_OP_FCVT_LU_D, true, 64, false, "fcvt.lu.d" },
    };
    char name[128];
    for (unsigned i = 0; i < sizeof cv / sizeof cv[0]; i++) {
        const bool d = cv[i].dbl;
        /* The register value: 32-bit results are sign-extended, WU included. */
        const uint64_t max = cv[i].width == 32 ? (cv[i].sgn ? 0x7fffffffULL : ~0ULL)
                                               : (cv[i].sgn ? 0x7fffffffffffffffULL : ~0ULL);
        const uint64_t min = cv[i].sgn ? (cv[i].width == 32 ? 0xffffffff80000000ULL
                                                            : 0x8000000000000000ULL) : 0;
        const uint64_t nan = d ? QNAN_D : QNAN_S, pinf = d ? 0x7ff0000000000000ULL : S(0x7f800000);
        const uint64_t ninf = d ? 0xfff0000000000000ULL : S(0xff800000);
        const uint64_t big = d ? 0x4430000000000000ULL : S(0x61800000);   /* 2^68 */
        const uint64_t nbig = big | (d ? 1ULL << 63 : 1ULL << 31);
        const uint64_t nhalf = d ? 0xbfe0000000000000ULL : S(0xbf000000); /* -0.5 */

        snprintf(name, sizeof name, "%s NaN", cv[i].name);
        expect(cv[i].op, RM_RNE, nan, 0, 0, max, NV, name);
        snprintf(name, sizeof name, "%s sNaN", cv[i].name);
        expect(cv[i].op, RM_RNE, d ? SNAN_D | (1ULL << 63) : SNAN_S | 0x80000000, 0, 0, max, NV, name);
        snprintf(name, sizeof name, "%s +inf", cv[i].name);
        expect(cv[i].op, RM_RNE, pinf, 0, 0, max, NV, name);
        snprintf(name, sizeof name, "%s -inf", cv[i].name);
        expect(cv[i].op, RM_RNE, ninf, 0, 0, min, NV, name);
        snprintf(name, sizeof name, "%s +2^68", cv[i].name);
        expect(cv[i].op, RM_RTZ, big, 0, 0, max, NV, name);
        snprintf(name, sizeof name, "%s -2^68", cv[i].name);
        expect(cv[i].op, RM_RTZ, nbig, 0, 0, min, NV, name);
        /* -0.5: rounds to -0 (fine: 0 with NX) or to -1 (signed: -1; unsigned: NV, 0). */
        static const bool to_minus_one[5] = { false, false, true, false, true };
        for (unsigned rm = 0; rm < 5; rm++) {
            snprintf(name, sizeof name, "%s -0.5 rm %u", cv[i].name, rm);
            if (!to_minus_one[rm])
                expect(cv[i].op, rm, nhalf, 0, 0, 0, NX, name);
            else if (cv[i].sgn)
                expect(cv[i].op, rm, nhalf, 0, 0, ~0ULL, NX, name);
            else
                expect(cv[i].op, rm, nhalf, 0, 0, 0, NV, name);
        }
    }
    /* Just in and just out of range. */
    expect(RV_OP_FCVT_W_D, RM_RTZ, 0x41dfffffffffffffULL, 0, 0, 0x7fffffff, NX,
           "fcvt.w.d 2^31 - tiny truncates");
    expect(RV_OP_FCVT_W_D, RM_RNE, 0x41dfffffffffffffULL, 0, 0, 0x7fffffff, NV,
           "fcvt.w.d 2^31 - tiny rounds out of range");
    expect(RV_OP_FCVT_W_S, RM_RNE, S(0xcf000000), 0, 0, 0xffffffff80000000ULL, 0,
           "fcvt.w.s -2^31 exact");
    expect(RV_OP_FCVT_WU_S, RM_RNE, S(0x4f32d05e), 0, 0, 0xffffffffb2d05e00ULL, 0,
           "fcvt.wu.s 3e9 is sign-extended");
    expect(RV_OP_FCVT_LU_D, RM_RNE, 0x43efffffffffffffULL, 0, 0, 0xfffffffffffff800ULL, 0,
           "fcvt.lu.d largest below 2^64");
    expect(RV_OP_FCVT_L_S, RM_RNE, S(0xdf000000), 0, 0, 0x8000000000000000ULL, 0,
           "fcvt.l.s -2^63 exact");
    expect(RV_OP_FCVT_D_WU, RM_RNE, 0xffffffff, 0, 0, 0x41efffffffe00000ULL, 0,
           "fcvt.d.wu uses the low 32 bits unsigned");
    expect(RV_OP_FCVT_D_W, RM_RNE, 0x00000000ffffffffULL, 0, 0, 0xbff0000000000000ULL, 0,
           "fcvt.d.w uses the low 32 bits signed");
    expect(RV_OP_FCVT_S_LU, RM_RNE, ~0ULL, 0, 0, S(0x5f800000), NX, "fcvt.s.lu 2^64-1");
    expect(RV_OP_FCVT_D_L, RM_RNE, 0x8000000000000000ULL, 0, 0, 0xc3e0000000000000ULL, 0,
           "fcvt.d.l INT64_MIN");
    {
        fixture *fx = malloc(sizeof *fx);
        rv_cpu *cpu = fresh(fx);
        rv_insn in = { .op = RV_OP_FCVT_W_S, .rd = 0, .rs1 = 1, .rm = RM_RNE, .raw = 0xc0000053 };
        cpu->f[1] = S(0x40400000);
        rv_exec_fp(cpu, &in);
        check(cpu->x[0] == 0, "x0 stays zero");
        free(fx);
    }
}

static void test_fma(void)
{
    /* Unpriv. ISA §11.6: inf * 0 + qNaN raises NV. */
    expect(RV_OP_FMADD_S, RM_RNE, S(0x7f800000), S(0), QNAN_S, CNAN_S, NV,
           "fmadd.s inf*0+qNaN: NV");
    expect(RV_OP_FMADD_D, RM_RNE, 0, 0xfff0000000000000ULL, QNAN_D, CNAN_D, NV,
           "fmadd.d 0*inf+qNaN: NV");
    expect(RV_OP_FMADD_D, RM_RNE, 0x3ff0000000000000ULL, QNAN_D, 0x7ff0000000000000ULL,
           CNAN_D, 0, "fmadd.d qNaN product: quiet");
    expect(RV_OP_FMSUB_D, RM_RNE, 0x7ff0000000000000ULL, 0x3ff0000000000000ULL,
           0x7ff0000000000000ULL, CNAN_D, NV, "fmsub.d inf - inf: NV");
    /* Exact zero results: the negations apply before the sum. */
    expect(RV_OP_FMSUB_D, RM_RNE, 0x3ff0000000000000ULL, 0, 0, 0, 0, "fmsub.d 1*0-0 = +0");
    expect(RV_OP_FMSUB_D, RM_RDN, 0x3ff0000000000000ULL, 0, 0, 0x8000000000000000ULL, 0,
           "fmsub.d 1*0-0 rdn = -0");
    expect(RV_OP_FNMADD_S, RM_RNE, S(0x3f800000), S(0), S(0), S(0x80000000), 0,
           "fnmadd.s -(1*0)-0 = -0");
    expect(RV_OP_FNMSUB_S, RM_RNE, S(0x3f800000), S(0x3f800000), S(0x3f800000), S(0), 0,
           "fnmsub.s -(1*1)+1 = +0");
    /* (1+2^-30)^2 - 1 = 2^-29 + 2^-60: exact when rounded once, lost if rounded twice. */
    expect(RV_OP_FMSUB_D, RM_RNE, 0x3ff0000000400000ULL, 0x3ff0000000400000ULL,
           0x3ff0000000000000ULL, 0x3e20000000200000ULL, 0, "fmsub.d keeps the low product");
    expect(RV_OP_FNMADD_D, RM_RNE, 0x4000000000000000ULL, 0x4008000000000000ULL,
           0x3ff0000000000000ULL, 0xc01c000000000000ULL, 0, "fnmadd.d -(2*3)-1 = -7");
}

/* Reserved rounding modes trap with no side effect; non-rounding ops ignore frm. */
static void test_invalid_rm(void)
{
    static const unsigned ops[] = { RV_OP_FADD_S, RV_OP_FMADD_D, RV_OP_FSQRT_D, RV_OP_FCVT_W_S,
                                    RV_OP_FCVT_D_S, RV_OP_FCVT_D_W, RV_OP_FCVT_S_D };
    bool ok = true;
    for (unsigned i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        for (unsigned k = 0; k < 5; k++) {
            /* k 0,1: static rm 5/6; k 2..4: dynamic with frm 5/6/7 */
            unsigned rm = k < 2 ? 5 + k : RM_DYN, frm = k < 2 ? RM_RNE : 3 + k;
            fixture *fx = malloc(sizeof *fx);
            rv_cpu *cpu = fresh(fx);
            cpu->fcsr = frm << 5;
            uint64_t mstatus_fs = cpu->mstatus & MSTATUS_FS;
            run(cpu, ops[i], rm, SNAN_D, SNAN_D, SNAN_D);
            ok &= cpu->trapped && cpu->mcause == CAUSE_ILLEGAL_INSTRUCTION &&
                  cpu->f[5] == 0x5555 && cpu->x[5] == 0x5555 && cpu->fcsr == frm << 5 &&
                  (cpu->mstatus & MSTATUS_FS) == mstatus_fs;
            free(fx);
        }
    }
    check(ok, "reserved rm (static 5/6, dynamic frm 5/6/7) traps without side effects");

    static const unsigned no_rm[] = { RV_OP_FSGNJ_S, RV_OP_FMIN_D, RV_OP_FEQ_S, RV_OP_FCLASS_D,
                                      RV_OP_FMV_X_W, RV_OP_FMV_D_X };
    ok = true;
    for (unsigned i = 0; i < sizeof no_rm / sizeof no_rm[0]; i++) {
        fixture *fx = malloc(sizeof *fx);
        rv_cpu *cpu = fresh(fx);
        cpu->fcsr = 7u << 5;
        /* funct3 of these is part of the opcode; frm = 7 must not matter. */
        run(cpu, no_rm[i], 0, S(0x3f800000), S(0x3f800000), 0);
        ok &= !cpu->trapped;
        free(fx);
    }
    check(ok, "ops without a rounding mode ignore an invalid frm");
}

int main(void)
{
    test_rounding_modes();
    test_flags();
    test_nan();
    test_minmax_compare();
    test_fcvt_saturation();
    test_fma();
    test_invalid_rm();
    printf("1..%d\n", test_no);
    return failures ? 1 : 0;
}
