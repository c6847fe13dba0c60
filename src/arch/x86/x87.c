/* The x87 FPU instructions (SDM Vol.1 chapter 8, Vol.2 F* pages): the register stack
 * (TOP, tags, stack overflow/underflow), exception flags with deferred #MF, the
 * instruction/data pointers, environment and state images (FNSTENV/FLDENV, FNSAVE/FRSTOR,
 * FXSAVE/FXRSTOR), and the dispatch of escape opcodes D8-DF to the 80-bit library
 * (fpu80.h).
 *
 * Design debt: the transcendental instructions (F2XM1, FYL2X, FYL2XP1, FPTAN, FPATAN,
 * FSIN, FCOS, FSINCOS) are computed through the host's binary64 libm, so their results
 * carry double precision rather than the hardware's 64-bit significand. Environment
 * images use the protected-mode layouts in every mode. */
#include <math.h>
#include <string.h>

#include "arch/x86/exec.h"
#include "arch/x86/fpu80.h"
#include "arch/x86/sse_float.h"

#define FSW_IE 0x0001
#define FSW_SF 0x0040
#define FSW_ES 0x0080
#define FSW_C0 0x0100
#define FSW_C1 0x0200
#define FSW_C2 0x0400
#define FSW_C3 0x4000
#define FSW_B 0x8000
#define FSW_TOP 0x3800

static unsigned top(const x86_cpu *cpu)
{
    return (cpu->fsw >> 11) & 7;
}

static void set_top(x86_cpu *cpu, unsigned t)
{
    cpu->fsw = (uint16_t)((cpu->fsw & ~FSW_TOP) | ((t & 7) << 11));
}

static unsigned phys(const x86_cpu *cpu, unsigned i)
{
    return (top(cpu) + i) & 7;
}

static bool empty(const x86_cpu *cpu, unsigned i)
{
    return ((cpu->ftw >> (2 * phys(cpu, i))) & 3) == 3;
}

static fx80 load_phys(const x86_cpu *cpu, unsigned p)
{
    fx80 v;
    memcpy(&v.mant, cpu->st[p], 8);
    v.sign_exp = (uint16_t)(cpu->st[p][8] | (cpu->st[p][9] << 8));
    return v;
}

static unsigned tag_of(fx80 v)
{
    unsigned e = v.sign_exp & 0x7fff;
    if (e == 0x7fff)
        return 2;
    if (e == 0)
        return v.mant ? 2 : 1;
    return (v.mant >> 63) ? 0 : 2;
}

static void store_phys(x86_cpu *cpu, unsigned p, fx80 v)
{
    memcpy(cpu->st[p], &v.mant, 8);
    cpu->st[p][8] = (uint8_t)v.sign_exp;
    cpu->st[p][9] = (uint8_t)(v.sign_exp >> 8);
    cpu->ftw = (uint16_t)((cpu->ftw & ~(3u << (2 * p))) | (tag_of(v) << (2 * p)));
}

static bool is_nan(fx80 v)
{
    return (v.sign_exp & 0x7fff) == 0x7fff && (v.mant << 1) != 0;
}

static fx80 st_get(const x86_cpu *cpu, unsigned i)
{
    return load_phys(cpu, phys(cpu, i));
}

static void st_set(x86_cpu *cpu, unsigned i, fx80 v)
{
    store_phys(cpu, phys(cpu, i), v);
}

static void free_phys(x86_cpu *cpu, unsigned p)
{
    cpu->ftw |= (uint16_t)(3u << (2 * p));
}

static void pop(x86_cpu *cpu)
{
    free_phys(cpu, top(cpu));
    set_top(cpu, top(cpu) + 1);
}

/* Record exception flags of one operation; true if an unmasked one was raised. */
static bool raise(x86_cpu *cpu, unsigned status)
{
    if (status & X86_FE_IE) /* invalid takes precedence over denormal (SDM §8.7) */
        status &= ~(unsigned)X86_FE_DE;
    /* an unmasked pre-computation exception stops the operation: no OE/UE/PE (§8.7);
     * an unmasked OE/UE on a store leaves nothing stored, so no PE either */
    unsigned unm = status & ~cpu->fcw & X86_FE_ALL;
    if (unm & (X86_FE_IE | X86_FE_DE | X86_FE_ZE)) {
        status &= ~(unsigned)(X86_FE_OE | X86_FE_UE | X86_FE_PE);
        if (!(status & FSW_SF)) /* nothing was rounded: C1 = 0 (measured) */
            status &= ~(unsigned)FSW_C1;
    }
    cpu->fsw = (uint16_t)((cpu->fsw & ~FSW_C1) | (status & (FSW_C1 | X86_FE_ALL)));
    if (status & FSW_SF)
        cpu->fsw |= FSW_SF;
    if (cpu->fsw & ~cpu->fcw & X86_FE_ALL) {
        cpu->fsw |= FSW_ES | FSW_B;
        return true;
    }
    return false;
}

/* Stack fault (SDM Vol.1 §8.5.1.1): IE with SF; C1 = 1 overflow, 0 underflow. True when
 * masked (the caller then writes the indefinite). */
static bool stack_fault(x86_cpu *cpu, bool overflow)
{
    return !raise(cpu, FSW_IE | FSW_SF | (overflow ? FSW_C1 : 0));
}

static bool push(x86_cpu *cpu, fx80 v)
{
    unsigned t = (top(cpu) - 1) & 7;
    if (((cpu->ftw >> (2 * t)) & 3) != 3) {
        if (!stack_fault(cpu, true))
            return false;
        v = FX80_INDEFINITE;
    } else {
        cpu->fsw &= (uint16_t)~FSW_C1;
    }
    set_top(cpu, t);
    store_phys(cpu, t, v);
    return true;
}

/* Operand ST(i), or false after a stack underflow (masked: caller stores indefinite). */
static bool need(x86_cpu *cpu, unsigned i)
{
    if (!empty(cpu, i))
        return true;
    stack_fault(cpu, false);
    return false;
}

/* An underflow (empty operand) of a store: masked, the indefinite is stored; unmasked,
 * nothing is stored and nothing popped (SDM Vol.1 §8.5.1.1, and the host). True when the
 * store goes ahead with *v. */
static bool store_source(x86_cpu *cpu, fx80 *v)
{
    if (need(cpu, 0)) {
        *v = st_get(cpu, 0);
        return true;
    }
    *v = FX80_INDEFINITE;
    return (cpu->fcw & X86_FE_IE) != 0;
}

static fx80_env env_of(const x86_cpu *cpu)
{
    fx80_env e = {.cw = cpu->fcw, .status = 0};
    return e;
}

/* Finish an arithmetic result destined for ST(i); false when an unmasked invalid,
 * denormal or divide-by-zero exception suppressed it (then a P form does not pop). */
static bool commit(x86_cpu *cpu, unsigned i, fx80 r, fx80_env *e)
{
    bool unmasked = raise(cpu, e->status);
    if (unmasked && fx80_unmasked_no_write(e))
        return false;
    st_set(cpu, i, r);
    return true;
}

static void set_cc(x86_cpu *cpu, unsigned cc)
{
    cpu->fsw = (uint16_t)((cpu->fsw & ~(FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)) |
                          (cc & (FSW_C0 | FSW_C1 | FSW_C2 | FSW_C3)));
}

/* FCOM/FUCOM/FICOM with an empty operand: unordered (C3 C2 C0), and the pops happen only
 * when the invalid-operation exception is masked (an unmasked one leaves the stack). */
static void compare_underflow(x86_cpu *cpu, int pops)
{
    set_cc(cpu, FSW_C0 | FSW_C2 | FSW_C3);
    if (cpu->fcw & X86_FE_IE)
        while (pops-- > 0)
            pop(cpu);
}

/* A store to memory is suppressed by an unmasked exception other than precision (SDM
 * Vol.1 §8.5.3-8.5.6; an unmasked PE still stores and pops, as Intel hardware does). */
static bool store_blocked(const x86_cpu *cpu, const fx80_env *e)
{
    return (e->status & ~cpu->fcw & (X86_FE_ALL & ~(unsigned)X86_FE_PE)) != 0;
}

/* Status of a store to memory: an unmasked OE/UE suppresses the store and its PE/C1. */
static unsigned store_status(const x86_cpu *cpu, unsigned status)
{
    if (status & ~cpu->fcw & (X86_FE_OE | X86_FE_UE))
        status &= ~(unsigned)(X86_FE_PE | FSW_C1);
    return status;
}

/* FLD m32/m64: an unmasked invalid operand (SNaN) blocks the load; an unmasked denormal
 * operand does not, the value is pushed and #MF comes at the next x87 instruction (the
 * host; SDM Vol.1 §8.5.2 leaves it open). */
static bool load_blocked(const x86_cpu *cpu, const fx80_env *e)
{
    return (e->status & ~cpu->fcw & X86_FE_IE) != 0;
}

/* ---- memory operands ---- */

static uint64_t ea_of(x86_cpu *cpu, const x86_insn *in)
{
    return x86_ea(cpu, in);
}

static fx80 load_mem(x86_cpu *cpu, const x86_insn *in, unsigned kind, fx80_env *e)
{
    uint64_t off = ea_of(cpu, in);
    switch (kind) {
    case 0: return fx80_operand_f32((uint32_t)x86_read(cpu, in->seg, off, 4), e);
    case 1: return fx80_from_int((int32_t)(uint32_t)x86_read(cpu, in->seg, off, 4));
    case 2: return fx80_operand_f64(x86_read(cpu, in->seg, off, 8), e);
    default: return fx80_from_int((int16_t)(uint16_t)x86_read(cpu, in->seg, off, 2));
    }
}

static fx80 load_m80(x86_cpu *cpu, const x86_insn *in, uint64_t off)
{
    fx80 v;
    v.mant = x86_read(cpu, in->seg, off, 8);
    v.sign_exp = (uint16_t)x86_read(cpu, in->seg, (off + 8) & mask_bytes(in->asz), 2);
    return v;
}

static void store_m80(x86_cpu *cpu, const x86_insn *in, uint64_t off, fx80 v)
{
    x86_lin_probe_write(cpu, x86_seg_linear(cpu, in->seg, off, 10, ACC_W), 10, ACC_W);
    x86_write(cpu, in->seg, off, 8, v.mant);
    x86_write(cpu, in->seg, (off + 8) & mask_bytes(in->asz), 2, v.sign_exp);
}

/* ---- arithmetic ---- */

static fx80 arith(unsigned op, fx80 a, fx80 b, fx80_env *e)
{
    switch (op) {
    case 0: return fx80_add(a, b, e);
    case 1: return fx80_mul(a, b, e);
    case 4: return fx80_sub(a, b, e);
    case 5: return fx80_sub(b, a, e);
    case 6: return fx80_div(a, b, e);
    default: return fx80_div(b, a, e);
    }
}

static void compare(x86_cpu *cpu, fx80 a, fx80 b, bool quiet, int pops, unsigned pre)
{
    fx80_env e = env_of(cpu);
    e.status = pre;
    unsigned cc = fx80_compare(a, b, quiet, &e);
    bool unm = raise(cpu, e.status & ~(unsigned)FSW_C1);
    set_cc(cpu, cc); /* set even when the invalid operand is unmasked (Intel) */
    cpu->fsw &= (uint16_t)~FSW_C1;
    if (unm && fx80_unmasked_no_write(&e))
        return; /* an unmasked invalid/denormal operand: no pop (stack faults do pop) */
    while (pops-- > 0)
        pop(cpu);
}

static void comi(x86_cpu *cpu, unsigned i, bool quiet, bool do_pop)
{
    if (!need(cpu, 0) || !need(cpu, i)) {
        flags_put(cpu, FL_ARITH, FL_ZF | FL_PF | FL_CF);
        if (!(cpu->fcw & X86_FE_IE))
            return; /* unmasked stack fault: no pop */
    } else {
        fx80_env e = env_of(cpu);
        unsigned efl = fx80_comi(st_get(cpu, 0), st_get(cpu, i), quiet, &e);
        unsigned c1 = cpu->fsw & FSW_C1;
        bool unm = raise(cpu, e.status);
        cpu->fsw = (uint16_t)((cpu->fsw & ~FSW_C1) | c1);
        flags_put(cpu, FL_ARITH, efl & (FL_ZF | FL_PF | FL_CF));
        if (unm && fx80_unmasked_no_write(&e))
            return;
    }
    /* FCOMI/FUCOMI leave C1 alone (Intel hardware) */
    if (do_pop)
        pop(cpu);
}

/* Host binary64 transcendental (see the file comment). */
static fx80 via_double(double (*f)(double), fx80 a, fx80_env *e)
{
    uint64_t bits = fx80_to_f64(a, e);
    double d;
    memcpy(&d, &bits, 8);
    d = f(d);
    memcpy(&bits, &d, 8);
    fx80_env tmp = *e;
    fx80 r = fx80_from_f64(bits, &tmp);
    e->status |= X86_FE_PE;
    return r;
}

static double f2xm1(double x) { return exp2(x) - 1.0; }

static double to_double(fx80 a, fx80_env *e)
{
    uint64_t bits = fx80_to_f64(a, e);
    double d;
    memcpy(&d, &bits, 8);
    return d;
}

static fx80 from_double(double d, fx80_env *e)
{
    uint64_t bits;
    memcpy(&bits, &d, 8);
    fx80_env tmp = *e;
    e->status |= X86_FE_PE;
    return fx80_from_f64(bits, &tmp);
}

/* ---- environment images (SDM Vol.1 §8.1.10, Figures 8-9..8-12) ---- */

static void store_env(x86_cpu *cpu, const x86_insn *in, uint64_t off)
{
    uint64_t am = mask_bytes(in->asz);
    unsigned w = in->osz == 2 ? 2 : 4;
    x86_lin_probe_write(cpu, x86_seg_linear(cpu, in->seg, off, 7 * w, ACC_W), 7 * w, ACC_W);
    uint64_t v[7] = {cpu->fcw, cpu->fsw, cpu->ftw, cpu->fip,
                     w == 4 ? cpu->fcs | ((uint64_t)(cpu->fop & 0x7ff) << 16) : cpu->fcs,
                     cpu->fdp, cpu->fds};
    if (w == 4)
        v[0] |= 0xffff0000u, v[1] |= 0xffff0000u, v[2] |= 0xffff0000u, v[6] |= 0xffff0000u;
    for (unsigned i = 0; i < 7; i++)
        x86_write(cpu, in->seg, (off + i * w) & am, w, v[i]);
    /* FNSTENV masks all exceptions afterwards */
}

static void load_env(x86_cpu *cpu, const x86_insn *in, uint64_t off)
{
    uint64_t am = mask_bytes(in->asz);
    unsigned w = in->osz == 2 ? 2 : 4;
    uint64_t v[7];
    for (unsigned i = 0; i < 7; i++)
        v[i] = x86_read(cpu, in->seg, (off + i * w) & am, w);
    cpu->fcw = (uint16_t)(v[0] | 0x40);
    cpu->fsw = (uint16_t)v[1];
    cpu->ftw = (uint16_t)v[2];
    cpu->fip = v[3];
    cpu->fcs = (uint16_t)v[4];
    if (w == 4)
        cpu->fop = (uint16_t)((v[4] >> 16) & 0x7ff);
    cpu->fdp = v[5];
    cpu->fds = (uint16_t)v[6];
    if (cpu->fsw & ~cpu->fcw & X86_FE_ALL)
        cpu->fsw |= FSW_ES | FSW_B;
    else
        cpu->fsw &= (uint16_t)~(FSW_ES | FSW_B);
}

static void finit(x86_cpu *cpu)
{
    cpu->fcw = 0x037f;
    cpu->fsw = 0;
    cpu->ftw = 0xffff;
    cpu->fop = 0;
    cpu->fip = cpu->fdp = 0;
    cpu->fcs = cpu->fds = 0;
}

static void fsave(x86_cpu *cpu, const x86_insn *in, uint64_t off)
{
    unsigned w = in->osz == 2 ? 2 : 4;
    uint64_t am = mask_bytes(in->asz);
    x86_lin_probe_write(cpu, x86_seg_linear(cpu, in->seg, off, 7 * w + 80, ACC_W),
                        7 * w + 80, ACC_W);
    store_env(cpu, in, off);
    for (unsigned i = 0; i < 8; i++)
        store_m80(cpu, in, (off + 7 * w + 10 * i) & am, st_get(cpu, i));
    finit(cpu);
}

static void frstor(x86_cpu *cpu, const x86_insn *in, uint64_t off)
{
    unsigned w = in->osz == 2 ? 2 : 4;
    uint64_t am = mask_bytes(in->asz);
    fx80 v[8];
    for (unsigned i = 0; i < 8; i++)
        v[i] = load_m80(cpu, in, (off + 7 * w + 10 * i) & am);
    load_env(cpu, in, off);
    uint16_t tags = cpu->ftw;
    for (unsigned i = 0; i < 8; i++)
        st_set(cpu, i, v[i]);
    cpu->ftw = tags; /* the image's tag word is authoritative for empty registers */
    for (unsigned p = 0; p < 8; p++)
        if (((tags >> (2 * p)) & 3) != 3)
            store_phys(cpu, p, load_phys(cpu, p));
}

/* ---- FXSAVE / FXRSTOR / LDMXCSR / STMXCSR (SDM Vol.2 FXSAVE Table 3-53) ---- */

/* The 512-byte legacy image of FXSAVE / XSAVE (SDM Vol.1 Table 10-2): x87 fields when
 * `x87`, MXCSR and the XMM registers when `sse`. */
static void legacy_image(const x86_cpu *cpu, uint8_t img[512], bool w64, bool x87, bool sse)
{
    if (x87) {
        uint8_t abridged = 0;
        for (unsigned p = 0; p < 8; p++)
            if (((cpu->ftw >> (2 * p)) & 3) != 3)
                abridged |= (uint8_t)(1u << p);
        memcpy(img + 0, &cpu->fcw, 2);
        memcpy(img + 2, &cpu->fsw, 2);
        img[4] = abridged;
        memcpy(img + 6, &cpu->fop, 2);
        if (w64) {
            memcpy(img + 8, &cpu->fip, 8);
            memcpy(img + 16, &cpu->fdp, 8);
        } else {
            uint32_t ip = (uint32_t)cpu->fip, dp = (uint32_t)cpu->fdp;
            memcpy(img + 8, &ip, 4);
            memcpy(img + 12, &cpu->fcs, 2);
            memcpy(img + 16, &dp, 4);
            memcpy(img + 20, &cpu->fds, 2);
        }
        for (unsigned i = 0; i < 8; i++)
            memcpy(img + 32 + 16 * i, cpu->st[phys(cpu, i)], 10);
    }
    if (sse) {
        uint32_t mask = MXCSR_WRITABLE;
        memcpy(img + 24, &cpu->mxcsr, 4);
        memcpy(img + 28, &mask, 4);
        unsigned nx = cpu->code_bits == 64 ? 16 : 8;
        for (unsigned i = 0; i < nx; i++)
            memcpy(img + 160 + 16 * i, cpu->xmm[i].q, 16);
    }
}

static void load_legacy(x86_cpu *cpu, const uint8_t img[512], bool w64, bool x87, bool sse)
{
    if (x87) {
        memcpy(&cpu->fcw, img + 0, 2);
        memcpy(&cpu->fsw, img + 2, 2);
        memcpy(&cpu->fop, img + 6, 2);
        cpu->fop &= 0x7ff;
        if (w64) {
            memcpy(&cpu->fip, img + 8, 8);
            memcpy(&cpu->fdp, img + 16, 8);
        } else {
            uint32_t ip, dp;
            memcpy(&ip, img + 8, 4);
            memcpy(&cpu->fcs, img + 12, 2);
            memcpy(&dp, img + 16, 4);
            memcpy(&cpu->fds, img + 20, 2);
            cpu->fip = ip;
            cpu->fdp = dp;
        }
        uint8_t abridged = img[4];
        for (unsigned i = 0; i < 8; i++)
            memcpy(cpu->st[phys(cpu, i)], img + 32 + 16 * i, 10);
        cpu->ftw = 0xffff;
        for (unsigned p = 0; p < 8; p++)
            if (abridged & (1u << p))
                store_phys(cpu, p, load_phys(cpu, p));
        if (cpu->fsw & ~cpu->fcw & X86_FE_ALL)
            cpu->fsw |= FSW_ES | FSW_B;
        else
            cpu->fsw &= (uint16_t)~(FSW_ES | FSW_B);
    }
    if (sse) {
        unsigned nx = cpu->code_bits == 64 ? 16 : 8;
        for (unsigned i = 0; i < nx; i++)
            memcpy(cpu->xmm[i].q, img + 160 + 16 * i, 16);
    }
}

static void write_image(x86_cpu *cpu, uint64_t lin, const uint8_t *img, unsigned n)
{
    x86_lin_probe_write(cpu, lin, n, ACC_W);
    for (unsigned i = 0; i < n; i += 8) {
        uint64_t q;
        memcpy(&q, img + i, 8);
        x86_lin_write(cpu, lin + i, 8, q, ACC_W);
    }
}

static void read_image(x86_cpu *cpu, uint64_t lin, uint8_t *img, unsigned n)
{
    for (unsigned i = 0; i < n; i += 8) {
        uint64_t q = x86_lin_read(cpu, lin + i, 8, ACC_R);
        memcpy(img + i, &q, 8);
    }
}

static void fxsave(x86_cpu *cpu, const x86_insn *in, uint64_t off)
{
    uint64_t lin = x86_seg_linear(cpu, in->seg, off, 512, ACC_W);
    if (lin & 15)
        x86_fault(cpu, EXC_GP, 0);
    uint8_t img[512];
    memset(img, 0, sizeof img);
    legacy_image(cpu, img, in->osz == 8, true, true);
    write_image(cpu, lin, img, 512);
}

static void fxrstor(x86_cpu *cpu, const x86_insn *in, uint64_t off)
{
    uint64_t lin = x86_seg_linear(cpu, in->seg, off, 512, ACC_R);
    if (lin & 15)
        x86_fault(cpu, EXC_GP, 0);
    uint8_t img[512];
    read_image(cpu, lin, img, 512);
    uint32_t mx;
    memcpy(&mx, img + 24, 4);
    if (mx & ~(uint32_t)MXCSR_WRITABLE)
        x86_fault(cpu, EXC_GP, 0);
    cpu->mxcsr = mx;
    load_legacy(cpu, img, in->osz == 8, true, true);
}

/* XSAVE / XRSTOR, standard format, components 0 (x87) and 1 (SSE) only (SDM Vol.1
 * §13.7, §13.8): the legacy region, then the 64-byte header with XSTATE_BV. */
#define XSAVE_SIZE 576

static void xsave(x86_cpu *cpu, const x86_insn *in, uint64_t off)
{
    uint64_t lin = x86_seg_linear(cpu, in->seg, off, XSAVE_SIZE, ACC_W);
    if (lin & 63)
        x86_fault(cpu, EXC_GP, 0);
    uint64_t rfbm = cpu->xcr0 & ((cpu->gpr[RDX] << 32) | (cpu->gpr[RAX] & 0xffffffffu));
    uint8_t img[XSAVE_SIZE];
    read_image(cpu, lin, img, XSAVE_SIZE); /* untouched parts keep their bytes */
    legacy_image(cpu, img, in->osz == 8, rfbm & 1, rfbm & 2);
    uint64_t bv;
    memcpy(&bv, img + 512, 8);
    bv = (bv & ~rfbm) | (rfbm & 3);
    memcpy(img + 512, &bv, 8);
    write_image(cpu, lin, img, XSAVE_SIZE);
}

static void xrstor(x86_cpu *cpu, const x86_insn *in, uint64_t off)
{
    uint64_t lin = x86_seg_linear(cpu, in->seg, off, XSAVE_SIZE, ACC_R);
    if (lin & 63)
        x86_fault(cpu, EXC_GP, 0);
    uint64_t rfbm = cpu->xcr0 & ((cpu->gpr[RDX] << 32) | (cpu->gpr[RAX] & 0xffffffffu));
    uint8_t img[XSAVE_SIZE];
    read_image(cpu, lin, img, XSAVE_SIZE);
    uint64_t bv, comp, rsvd = 0;
    memcpy(&bv, img + 512, 8);
    memcpy(&comp, img + 520, 8);
    for (unsigned i = 528; i < 576; i++)
        rsvd |= img[i];
    /* §13.8.1: compacted form, XSTATE_BV bits outside XCR0 or a dirty header: #GP */
    if (comp || (bv & ~cpu->xcr0) || rsvd)
        x86_fault(cpu, EXC_GP, 0);
    uint32_t mx;
    memcpy(&mx, img + 24, 4);
    if ((rfbm & 2) && (mx & ~(uint32_t)MXCSR_WRITABLE))
        x86_fault(cpu, EXC_GP, 0);
    bool w64 = in->osz == 8;
    if (rfbm & 1) {
        if (bv & 1) {
            load_legacy(cpu, img, w64, true, false);
        } else {
            finit(cpu);
            for (unsigned p = 0; p < 8; p++)
                memset(cpu->st[p], 0, 10);
        }
    }
    if (rfbm & 2) {
        cpu->mxcsr = mx;
        if (bv & 2)
            load_legacy(cpu, img, w64, false, true);
        else
            for (unsigned i = 0; i < 16; i++)
                memset(cpu->xmm[i].q, 0, 16);
    }
}

void h_fpstate(x86_cpu *cpu, const x86_insn *in)
{
    unsigned op = x86_info(in)->arg;
    /* SDM FXSAVE/LDMXCSR: CR0.TS → #NM, CR0.EM → #UD; LDMXCSR/STMXCSR also need OSFXSR */
    if ((cpu->cr0 & CR0_EM) || (op >= 2 && op < 4 && !(cpu->cr4 & CR4_OSFXSR)) ||
        (op >= 4 && !(cpu->cr4 & CR4_OSXSAVE)))
        x86_fault(cpu, EXC_UD, 0);
    if (cpu->cr0 & CR0_TS)
        x86_fault(cpu, EXC_NM, 0);
    uint64_t off = x86_ea(cpu, in);
    switch (op) {
    case 0: fxsave(cpu, in, off); break;
    case 1: fxrstor(cpu, in, off); break;
    case 2: {
        uint32_t v = (uint32_t)x86_read(cpu, in->seg, off, 4);
        if (v & ~(uint32_t)MXCSR_WRITABLE)
            x86_fault(cpu, EXC_GP, 0);
        cpu->mxcsr = v;
        break;
    }
    case 3: x86_write(cpu, in->seg, off, 4, cpu->mxcsr); break;
    case 4: xsave(cpu, in, off); break;
    default: xrstor(cpu, in, off); break;
    }
}

/* ---- the escape opcodes ---- */

static bool cmov_cond(x86_cpu *cpu, unsigned b, unsigned reg)
{
    uint32_t f = x86_arith_flags(cpu);
    bool c;
    switch (reg & 3) {
    case 0: c = f & FL_CF; break;
    case 1: c = f & FL_ZF; break;
    case 2: c = f & (FL_CF | FL_ZF); break;
    default: c = f & FL_PF; break;
    }
    return b == 0xda ? c : !c;
}

static void mem_form(x86_cpu *cpu, const x86_insn *in, unsigned b, unsigned reg)
{
    uint64_t off = ea_of(cpu, in);
    fx80_env e = env_of(cpu);
    switch (b) {
    case 0xd8: case 0xda: case 0xdc: case 0xde: {
        unsigned kind = b == 0xd8 ? 0 : b == 0xda ? 1 : b == 0xdc ? 2 : 3;
        fx80 m = load_mem(cpu, in, kind, &e);
        /* a denormal memory operand is not reported against a NaN (Intel hardware) */
        if (!empty(cpu, 0) && is_nan(st_get(cpu, 0)))
            e.status &= ~(unsigned)X86_FE_DE;
        if (!need(cpu, 0)) {
            if (reg == 2 || reg == 3)
                compare_underflow(cpu, reg == 3);
            else if (!(cpu->fsw & FSW_ES) || (cpu->fcw & X86_FE_IE)) {
                st_set(cpu, 0, FX80_INDEFINITE);
            }
            return;
        }
        if (reg == 2 || reg == 3) {
            compare(cpu, st_get(cpu, 0), m, false, reg == 3, e.status);
            return;
        }
        fx80 r = arith(reg, st_get(cpu, 0), m, &e);
        if (e.status & X86_FE_ZE) /* divide by zero: a denormal dividend is not reported */
            e.status &= ~(unsigned)X86_FE_DE;
        commit(cpu, 0, r, &e);
        return;
    }
    case 0xd9:
        switch (reg) {
        case 0: {
            fx80 v = fx80_from_f32((uint32_t)x86_read(cpu, in->seg, off, 4), &e);
            if (!empty(cpu, 7)) { /* overflow: only the stack fault is reported */
                push(cpu, v);
                return;
            }
            if (raise(cpu, e.status) && load_blocked(cpu, &e))
                return;
            push(cpu, v);
            return;
        }
        case 2: case 3: {
            fx80 v;
            if (!store_source(cpu, &v))
                return;
            uint32_t r = fx80_to_f32(v, &e);
            if (raise(cpu, store_status(cpu, e.status)) && store_blocked(cpu, &e))
                return;
            x86_write(cpu, in->seg, off, 4, r);
            if (reg == 3) pop(cpu);
            return;
        }
        case 4: load_env(cpu, in, off); return;
        case 5: cpu->fcw = (uint16_t)(x86_read(cpu, in->seg, off, 2) | 0x40);
            if (cpu->fsw & ~cpu->fcw & X86_FE_ALL) cpu->fsw |= FSW_ES | FSW_B;
            else cpu->fsw &= (uint16_t)~(FSW_ES | FSW_B);
            return;
        case 6: store_env(cpu, in, off); cpu->fcw |= X86_FE_ALL; return;
        case 7: x86_write(cpu, in->seg, off, 2, cpu->fcw); return;
        default: x86_fault(cpu, EXC_UD, 0);
        }
    case 0xdb: case 0xdd: case 0xdf: {
        unsigned isz = b == 0xdb ? 4 : b == 0xdd ? 8 : 2;
        switch (reg) {
        case 0: {
            fx80 v = b == 0xdd ? fx80_from_f64(x86_read(cpu, in->seg, off, 8), &e)
                               : fx80_from_int(sext_bytes(x86_read(cpu, in->seg, off, isz), isz));
            if (!empty(cpu, 7)) {
                push(cpu, v);
                return;
            }
            if (raise(cpu, e.status) && load_blocked(cpu, &e))
                return;
            push(cpu, v);
            return;
        }
        case 1: case 2: case 3: { /* FISTTP, FST/FIST, FSTP/FISTP */
            fx80 v;
            if (!store_source(cpu, &v))
                return;
            uint64_t r = b == 0xdd && reg != 1 ? fx80_to_f64(v, &e)
                                               : fx80_to_int(v, isz * 8, reg == 1, &e);
            if (raise(cpu, store_status(cpu, e.status)) && store_blocked(cpu, &e))
                return;
            x86_write(cpu, in->seg, off, isz, r);
            if (reg != 2) pop(cpu);
            return;
        }
        case 4:
            if (b == 0xdd) { frstor(cpu, in, off); return; }
            if (b == 0xdf) { /* FBLD */
                uint8_t bcd[10];
                for (int i = 0; i < 10; i++)
                    bcd[i] = (uint8_t)x86_read(cpu, in->seg, (off + (uint64_t)i) &
                                                               mask_bytes(in->asz), 1);
                push(cpu, fx80_from_bcd(bcd));
                return;
            }
            break;
        case 5:
            if (b == 0xdb) { push(cpu, load_m80(cpu, in, off)); return; }
            if (b == 0xdf) {
                push(cpu, fx80_from_int((int64_t)x86_read(cpu, in->seg, off, 8)));
                return;
            }
            break;
        case 6:
            if (b == 0xdd) { fsave(cpu, in, off); return; }
            if (b == 0xdf) { /* FBSTP */
                uint8_t bcd[10];
                fx80 v;
                if (!store_source(cpu, &v))
                    return;
                fx80_to_bcd(v, bcd, &e);
                if (raise(cpu, store_status(cpu, e.status)) && store_blocked(cpu, &e))
                    return;
                x86_lin_probe_write(cpu, x86_seg_linear(cpu, in->seg, off, 10, ACC_W), 10,
                                    ACC_W);
                for (int i = 0; i < 10; i++)
                    x86_write(cpu, in->seg, (off + (uint64_t)i) & mask_bytes(in->asz), 1,
                              bcd[i]);
                pop(cpu);
                return;
            }
            break;
        case 7:
            if (b == 0xdb) { /* FSTP m80 */
                fx80 v;
                if (!store_source(cpu, &v))
                    return;
                store_m80(cpu, in, off, v);
                cpu->fsw &= (uint16_t)~FSW_C1; /* exact: C1 = 0 */
                pop(cpu);
                return;
            }
            if (b == 0xdd) { x86_write(cpu, in->seg, off, 2, cpu->fsw); return; }
            { /* FISTP m64 */
                fx80 v;
                if (!store_source(cpu, &v))
                    return;
                uint64_t r = fx80_to_int(v, 64, false, &e);
                if (raise(cpu, store_status(cpu, e.status)) && store_blocked(cpu, &e))
                    return;
                x86_write(cpu, in->seg, off, 8, r);
                pop(cpu);
                return;
            }
        default:
            break;
        }
        x86_fault(cpu, EXC_UD, 0);
    }
    default:
        x86_fault(cpu, EXC_UD, 0);
    }
}

static void d9_reg(x86_cpu *cpu, unsigned modrm, unsigned i)
{
    fx80_env e = env_of(cpu);
    switch (modrm) {
    case 0xd0: return; /* FNOP */
    case 0xe0: case 0xe1: /* FCHS, FABS */
        if (!need(cpu, 0)) {
            if (cpu->fcw & X86_FE_IE)
                st_set(cpu, 0, FX80_INDEFINITE);
            return;
        }
        {
            fx80 v = st_get(cpu, 0);
            v.sign_exp = modrm == 0xe0 ? v.sign_exp ^ 0x8000 : v.sign_exp & 0x7fff;
            cpu->fsw &= (uint16_t)~FSW_C1;
            st_set(cpu, 0, v);
        }
        return;
    case 0xe4: /* FTST */
        if (!need(cpu, 0)) { set_cc(cpu, FSW_C0 | FSW_C2 | FSW_C3); return; }
        compare(cpu, st_get(cpu, 0), fx80_from_int(0), false, 0, 0);
        return;
    case 0xe5: /* FXAM */
        set_cc(cpu, empty(cpu, 0) ? (FSW_C3 | FSW_C0 | ((st_get(cpu, 0).sign_exp >> 15) ? FSW_C1 : 0))
                                  : fx80_examine(st_get(cpu, 0)));
        return;
    case 0xe8: case 0xe9: case 0xea: case 0xeb: case 0xec: case 0xed: case 0xee:
        push(cpu, fx80_const(modrm - 0xe8, &e));
        return;
    case 0xf6: set_top(cpu, top(cpu) - 1); cpu->fsw &= (uint16_t)~FSW_C1; return;
    case 0xf7: set_top(cpu, top(cpu) + 1); cpu->fsw &= (uint16_t)~FSW_C1; return;
    default: break;
    }
    /* one- and two-operand functions of ST(0) [and ST(1)] */
    bool two = modrm == 0xf1 || modrm == 0xf3 || modrm == 0xf5 || modrm == 0xf8 ||
               modrm == 0xf9 || modrm == 0xfd;
    bool to_st1 = modrm == 0xf1 || modrm == 0xf3 || modrm == 0xf9; /* result in ST(1), pop */
    bool pushes = modrm == 0xf2 || modrm == 0xf4 || modrm == 0xfb;
    /* the instructions that report "incomplete / out of range" in C2 clear it even when
     * they fault (measured on Intel hardware) */
    if (modrm == 0xf2 || modrm == 0xf5 || modrm == 0xf8 || modrm >= 0xfb)
        if (modrm != 0xfc && modrm != 0xfd)
            cpu->fsw &= (uint16_t)~FSW_C2;
    if (!need(cpu, 0) || (two && !need(cpu, 1))) {
        if (cpu->fcw & X86_FE_IE) {
            if (to_st1) {
                st_set(cpu, 1, FX80_INDEFINITE);
                pop(cpu);
            } else {
                st_set(cpu, 0, FX80_INDEFINITE);
                if (pushes)
                    push(cpu, FX80_INDEFINITE);
                cpu->fsw &= (uint16_t)~FSW_C1; /* the underflow is what is reported */
            }
        }
        return;
    }
    if (pushes && !empty(cpu, 7)) { /* stack overflow on the push (SDM FXTRACT, FPTAN) */
        if (stack_fault(cpu, true)) {
            st_set(cpu, 0, FX80_INDEFINITE);
            set_top(cpu, top(cpu) - 1);
            st_set(cpu, 0, FX80_INDEFINITE);
        }
        return;
    }
    fx80 a = st_get(cpu, 0), b = two ? st_get(cpu, 1) : a;
    (void)i;
    switch (modrm) {
    case 0xf0: commit(cpu, 0, via_double(f2xm1, a, &e), &e); return;
    case 0xf1: case 0xf9: { /* FYL2X, FYL2XP1: ST(1) * log2(ST(0) [+1]) */
        double x = to_double(a, &e), y = to_double(b, &e);
        double r = y * (modrm == 0xf1 ? log2(x) : log2(1.0 + x));
        fx80 v = from_double(r, &e);
        commit(cpu, 1, v, &e);
        pop(cpu);
        return;
    }
    case 0xf2: { /* FPTAN: ST(0) = tan, push 1.0 */
        fx80 v = via_double(tan, a, &e);
        set_cc(cpu, 0);
        commit(cpu, 0, v, &e);
        push(cpu, fx80_const(0, &e));
        return;
    }
    case 0xf3: { /* FPATAN: ST(1) = atan2(ST(1), ST(0)), pop */
        double x = to_double(a, &e), y = to_double(b, &e);
        commit(cpu, 1, from_double(atan2(y, x), &e), &e);
        pop(cpu);
        return;
    }
    case 0xf4: { /* FXTRACT */
        fx80 ex;
        fx80 sig = fx80_xtract(a, &ex, &e);
        if (raise(cpu, e.status) && fx80_unmasked_no_write(&e))
            return;
        st_set(cpu, 0, ex);
        push(cpu, sig);
        return;
    }
    case 0xf5: case 0xf8: { /* FPREM1, FPREM */
        fx80 r = fx80_prem(a, b, modrm == 0xf5, &e);
        unsigned cc = e.status & (FSW_C0 | FSW_C2 | FSW_C3 | FSW_C1);
        e.status &= ~(unsigned)(FSW_C0 | FSW_C2 | FSW_C3 | FSW_C1);
        bool nan_in = is_nan(a) || is_nan(b);
        unsigned keep = cpu->fsw & (FSW_C0 | FSW_C3);
        commit(cpu, 0, r, &e);
        /* an invalid or NaN operation, or one stopped by an unmasked denormal operand,
         * leaves C0 and C3 as they were (Intel hardware) */
        if ((e.status & X86_FE_IE) || nan_in || fx80_unmasked_no_write(&e))
            set_cc(cpu, keep);
        else
            set_cc(cpu, cc);
        return;
    }
    case 0xfa: commit(cpu, 0, fx80_sqrt(a, &e), &e); return;
    case 0xfb: { /* FSINCOS */
        fx80 s = via_double(sin, a, &e), c = via_double(cos, a, &e);
        set_cc(cpu, 0);
        commit(cpu, 0, s, &e);
        push(cpu, c);
        return;
    }
    case 0xfc: commit(cpu, 0, fx80_rndint(a, &e), &e); return;
    case 0xfd: commit(cpu, 0, fx80_scale(a, b, &e), &e); return;
    case 0xfe: set_cc(cpu, 0); commit(cpu, 0, via_double(sin, a, &e), &e); return;
    case 0xff: set_cc(cpu, 0); commit(cpu, 0, via_double(cos, a, &e), &e); return;
    default: x86_fault(cpu, EXC_UD, 0);
    }
}

static void reg_form(x86_cpu *cpu, const x86_insn *in, unsigned b, unsigned reg, unsigned i)
{
    unsigned modrm = in->modrm;
    fx80_env e = env_of(cpu);
    switch (b) {
    case 0xd8: case 0xdc: case 0xde: {
        if (b == 0xde && reg == 3 && i != 1)
            x86_fault(cpu, EXC_UD, 0);
        if (reg == 2 || reg == 3 || (b == 0xde && reg == 3)) { /* FCOM(P), FCOMPP */
            if (!need(cpu, 0) || !need(cpu, i)) {
                compare_underflow(cpu, b == 0xde ? 2 : reg == 3 ? 1 : 0);
                return;
            }
            compare(cpu, st_get(cpu, 0), st_get(cpu, i), false,
                    b == 0xde ? 2 : reg == 3 ? 1 : 0, 0);
            return;
        }
        unsigned dst = b == 0xd8 ? 0 : i;
        if (!need(cpu, 0) || !need(cpu, i)) {
            if (cpu->fcw & X86_FE_IE) {
                st_set(cpu, dst, FX80_INDEFINITE);
                if (b == 0xde) pop(cpu);
            }
            return;
        }
        fx80 r;
        if (b == 0xd8) {
            r = arith(reg, st_get(cpu, 0), st_get(cpu, i), &e);
        } else {
            /* DC/DE: ST(i) = ST(i) op ST(0); the SUB/SUBR and DIV/DIVR encodings swap */
            unsigned op = reg >= 4 ? reg ^ 1 : reg;
            r = arith(op, st_get(cpu, i), st_get(cpu, 0), &e);
        }
        if (commit(cpu, dst, r, &e) && b == 0xde)
            pop(cpu);
        return;
    }
    case 0xd9:
        if (reg == 0) { /* FLD ST(i) */
            if (!need(cpu, i)) {
                if (cpu->fcw & X86_FE_IE) {
                    push(cpu, FX80_INDEFINITE);
                    cpu->fsw &= (uint16_t)~FSW_C1; /* the underflow is what is reported */
                }
                return;
            }
            push(cpu, st_get(cpu, i));
            return;
        }
        if (reg == 1) { /* FXCH */
            if (!need(cpu, 0) || !need(cpu, i)) {
                if (!(cpu->fcw & X86_FE_IE)) return;
            }
            fx80 a = empty(cpu, 0) ? FX80_INDEFINITE : st_get(cpu, 0);
            fx80 c = empty(cpu, i) ? FX80_INDEFINITE : st_get(cpu, i);
            st_set(cpu, 0, c);
            st_set(cpu, i, a);
            cpu->fsw &= (uint16_t)~FSW_C1;
            return;
        }
        if (reg == 3) { /* FSTP1 alias */
            fx80 v = need(cpu, 0) ? st_get(cpu, 0) : FX80_INDEFINITE;
            st_set(cpu, i, v);
            pop(cpu);
            return;
        }
        d9_reg(cpu, modrm, i);
        return;
    case 0xda: case 0xdb:
        if (reg < 4) { /* FCMOVcc */
            if (!need(cpu, 0) || !need(cpu, i)) {
                if (cpu->fcw & X86_FE_IE) st_set(cpu, 0, FX80_INDEFINITE);
                return;
            }
            if (cmov_cond(cpu, b, reg))
                st_set(cpu, 0, st_get(cpu, i));
            return; /* C1 unchanged (Intel hardware) */
        }
        if (b == 0xda && modrm == 0xe9) { /* FUCOMPP */
            if (!need(cpu, 0) || !need(cpu, 1)) {
                compare_underflow(cpu, 2);
                return;
            }
            compare(cpu, st_get(cpu, 0), st_get(cpu, 1), true, 2, 0);
            return;
        }
        if (b == 0xdb) {
            if (modrm == 0xe2) { cpu->fsw &= (uint16_t)~(X86_FE_ALL | FSW_SF | FSW_ES | FSW_B); return; }
            if (modrm == 0xe3) { finit(cpu); return; }
            if (modrm == 0xe0 || modrm == 0xe1 || modrm == 0xe4) return; /* 287 no-ops */
            if (reg == 5 || reg == 6) { comi(cpu, i, reg == 5, false); return; }
        }
        x86_fault(cpu, EXC_UD, 0);
    case 0xdd:
        switch (reg) {
        case 0: /* FFREE */
            free_phys(cpu, phys(cpu, i));
            cpu->fsw &= (uint16_t)~FSW_C1;
            return;
        case 1: { /* FXCH4 alias */
            fx80 a = empty(cpu, 0) ? FX80_INDEFINITE : st_get(cpu, 0);
            fx80 c = empty(cpu, i) ? FX80_INDEFINITE : st_get(cpu, i);
            st_set(cpu, 0, c);
            st_set(cpu, i, a);
            return;
        }
        case 2: case 3: { /* FST, FSTP ST(i) */
            if (!need(cpu, 0) && !(cpu->fcw & X86_FE_IE))
                return;
            fx80 v = empty(cpu, 0) ? FX80_INDEFINITE : st_get(cpu, 0);
            if (!empty(cpu, 0))
                cpu->fsw &= (uint16_t)~FSW_C1;
            st_set(cpu, i, v);
            if (reg == 3) pop(cpu);
            return;
        }
        case 4: case 5: /* FUCOM, FUCOMP */
            if (!need(cpu, 0) || !need(cpu, i)) {
                compare_underflow(cpu, reg == 5);
                return;
            }
            compare(cpu, st_get(cpu, 0), st_get(cpu, i), true, reg == 5, 0);
            return;
        default: x86_fault(cpu, EXC_UD, 0);
        }
    case 0xdf:
        if (modrm == 0xe0) { reg_set(cpu, RAX, 2, false, cpu->fsw); return; }
        if (reg == 5 || reg == 6) { comi(cpu, i, reg == 5, true); return; }
        if (reg == 0) { free_phys(cpu, phys(cpu, i)); pop(cpu); return; } /* FFREEP */
        if (reg == 1) { /* FXCH7 alias */
            fx80 a = empty(cpu, 0) ? FX80_INDEFINITE : st_get(cpu, 0);
            fx80 c = empty(cpu, i) ? FX80_INDEFINITE : st_get(cpu, i);
            st_set(cpu, 0, c);
            st_set(cpu, i, a);
            return;
        }
        if (reg == 2 || reg == 3) { /* FSTP8/FSTP9 aliases */
            fx80 v = need(cpu, 0) ? st_get(cpu, 0) : FX80_INDEFINITE;
            st_set(cpu, i, v);
            pop(cpu);
            return;
        }
        x86_fault(cpu, EXC_UD, 0);
    default:
        x86_fault(cpu, EXC_UD, 0);
    }
}

/* Control instructions that neither check nor record pending exceptions. */
static bool is_control(unsigned b, const x86_insn *in)
{
    unsigned reg = in->reg & 7;
    if (in->mod != 3)
        return (b == 0xd9 && reg >= 4) || (b == 0xdd && (reg == 4 || reg == 6 || reg == 7));
    return (b == 0xdb && (in->modrm == 0xe2 || in->modrm == 0xe3)) ||
           (b == 0xdf && in->modrm == 0xe0);
}

void h_x87(x86_cpu *cpu, const x86_insn *in)
{
    if (cpu->cr0 & (CR0_EM | CR0_TS))
        x86_fault(cpu, EXC_NM, 0);
    unsigned b = in->opb, reg = in->reg & 7;
    bool control = is_control(b, in);
    /* SDM Vol.1 §8.6: a pending unmasked exception is taken by the next waiting x87
     * instruction (NE=1: #MF; the legacy FERR# path is not modelled). */
    bool no_wait = control && !(b == 0xd9 && in->mod != 3 && (reg == 4 || reg == 5)) &&
                   !(b == 0xdd && in->mod != 3 && reg == 4);
    if (!no_wait && (cpu->fsw & FSW_ES))
        x86_fault(cpu, EXC_MF, 0);
    if (!control) {
        cpu->fop = (uint16_t)(((b & 7) << 8) | in->modrm);
        cpu->fip = cpu->rip;
        cpu->fcs = cpu->seg[SEG_CS].sel;
        if (in->mod != 3) {
            cpu->fdp = x86_ea(cpu, in);
            cpu->fds = cpu->seg[in->seg].sel;
        }
    }
    if (in->mod != 3)
        mem_form(cpu, in, b, reg);
    else
        reg_form(cpu, in, b, reg, in->rm & 7);
}
