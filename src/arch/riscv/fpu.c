/* F and D extensions (Unpriv. ISA chapters 11 and 12): operand access with NaN-boxing,
 * rounding-mode resolution, fflags accrual and the mapping of each instruction onto the
 * soft-float core. Loads and stores of FP registers live in execute.c. */
#include "arch/riscv/cpu.h"
#include "arch/riscv/softfloat.h"

_Static_assert(SF_RNE == RM_RNE && SF_RTZ == RM_RTZ && SF_RDN == RM_RDN && SF_RUP == RM_RUP &&
               SF_RMM == RM_RMM, "softfloat rounding modes use the frm encoding");
_Static_assert(SF_NX == FFLAG_NX && SF_UF == FFLAG_UF && SF_OF == FFLAG_OF &&
               SF_DZ == FFLAG_DZ && SF_NV == FFLAG_NV, "softfloat flags use the fflags layout");

#define BOX32 0xffffffff00000000ULL

/* §12.2: a single is valid only when NaN-boxed; anything else reads as the canonical NaN. */
static inline uint64_t read_s(const rv_cpu *cpu, unsigned r)
{
    uint64_t v = cpu->f[r];
    return (v & BOX32) == BOX32 ? (uint32_t)v : SF_F32_DEFAULT_NAN;
}

static inline void write_f(rv_cpu *cpu, unsigned rd, uint64_t v)
{
    cpu->f[rd] = v;
    cpu->mstatus |= MSTATUS_FS;
}

static inline void write_x(rv_cpu *cpu, unsigned rd, uint64_t v)
{
    if (rd)
        cpu->x[rd] = v;
}

/* Whether the op's funct3 is a rounding mode (everything else uses it as opcode bits). */
static bool has_rm(unsigned op)
{
    switch (op) {
    case RV_OP_FSGNJ_S: case RV_OP_FSGNJN_S: case RV_OP_FSGNJX_S:
    case RV_OP_FSGNJ_D: case RV_OP_FSGNJN_D: case RV_OP_FSGNJX_D:
    case RV_OP_FMIN_S: case RV_OP_FMAX_S: case RV_OP_FMIN_D: case RV_OP_FMAX_D:
    case RV_OP_FEQ_S: case RV_OP_FLT_S: case RV_OP_FLE_S:
    case RV_OP_FEQ_D: case RV_OP_FLT_D: case RV_OP_FLE_D:
    case RV_OP_FCLASS_S: case RV_OP_FCLASS_D:
    case RV_OP_FMV_X_W: case RV_OP_FMV_W_X: case RV_OP_FMV_X_D: case RV_OP_FMV_D_X:
        return false;
    default:
        return true;
    }
}

/* FSGNJ/FSGNJN/FSGNJX (§11.7): kind 0 copies, 1 negates, 2 xors rs2's sign. */
static uint64_t sign_inject(uint64_t a, uint64_t b, uint64_t sign, int kind)
{
    uint64_t s = kind == 0 ? b & sign : kind == 1 ? ~b & sign : (a ^ b) & sign;
    return (a & ~sign) | s;
}

/* Single-precision arithmetic: operands unboxed, result boxed. */
static void exec_s(rv_cpu *cpu, const rv_insn *in, sf_env *env)
{
    const sf_fmt S = SF_F32;
    uint64_t a = read_s(cpu, in->rs1), b = read_s(cpu, in->rs2), r;
    uint64_t x1 = cpu->x[in->rs1];

    switch (in->op) {
    case RV_OP_FMADD_S:  r = sf_muladd(S, a, b, read_s(cpu, in->rs3), false, false, env); break;
    case RV_OP_FMSUB_S:  r = sf_muladd(S, a, b, read_s(cpu, in->rs3), false, true, env); break;
    case RV_OP_FNMSUB_S: r = sf_muladd(S, a, b, read_s(cpu, in->rs3), true, false, env); break;
    case RV_OP_FNMADD_S: r = sf_muladd(S, a, b, read_s(cpu, in->rs3), true, true, env); break;
    case RV_OP_FADD_S:   r = sf_add(S, a, b, env); break;
    case RV_OP_FSUB_S:   r = sf_sub(S, a, b, env); break;
    case RV_OP_FMUL_S:   r = sf_mul(S, a, b, env); break;
    case RV_OP_FDIV_S:   r = sf_div(S, a, b, env); break;
    case RV_OP_FSQRT_S:  r = sf_sqrt(S, a, env); break;
    case RV_OP_FSGNJ_S:  r = sign_inject(a, b, 1ULL << 31, 0); break;
    case RV_OP_FSGNJN_S: r = sign_inject(a, b, 1ULL << 31, 1); break;
    case RV_OP_FSGNJX_S: r = sign_inject(a, b, 1ULL << 31, 2); break;
    case RV_OP_FMIN_S:   r = sf_min(S, a, b, env); break;
    case RV_OP_FMAX_S:   r = sf_max(S, a, b, env); break;
    case RV_OP_FCVT_S_W:  r = sf_from_int(S, (uint64_t)(int64_t)(int32_t)x1, true, env); break;
    case RV_OP_FCVT_S_WU: r = sf_from_int(S, (uint32_t)x1, false, env); break;
    case RV_OP_FCVT_S_L:  r = sf_from_int(S, x1, true, env); break;
    case RV_OP_FCVT_S_LU: r = sf_from_int(S, x1, false, env); break;
    case RV_OP_FCVT_S_D:  r = sf_convert(S, SF_F64, cpu->f[in->rs1], env); break;
    /* §11.10: FMV.W.X moves the bits unchanged; the NaN-box comes from write below. */
    case RV_OP_FMV_W_X:   r = (uint32_t)x1; break;
    default:
        rv_raise(cpu, CAUSE_ILLEGAL_INSTRUCTION, in->raw);
        return;
    }
    write_f(cpu, in->rd, r | BOX32);
}

static void exec_d(rv_cpu *cpu, const rv_insn *in, sf_env *env)
{
    const sf_fmt D = SF_F64;
    uint64_t a = cpu->f[in->rs1], b = cpu->f[in->rs2], r;
    uint64_t x1 = cpu->x[in->rs1];

    switch (in->op) {
    case RV_OP_FMADD_D:  r = sf_muladd(D, a, b, cpu->f[in->rs3], false, false, env); break;
    case RV_OP_FMSUB_D:  r = sf_muladd(D, a, b, cpu->f[in->rs3], false, true, env); break;
    case RV_OP_FNMSUB_D: r = sf_muladd(D, a, b, cpu->f[in->rs3], true, false, env); break;
    case RV_OP_FNMADD_D: r = sf_muladd(D, a, b, cpu->f[in->rs3], true, true, env); break;
    case RV_OP_FADD_D:   r = sf_add(D, a, b, env); break;
    case RV_OP_FSUB_D:   r = sf_sub(D, a, b, env); break;
    case RV_OP_FMUL_D:   r = sf_mul(D, a, b, env); break;
    case RV_OP_FDIV_D:   r = sf_div(D, a, b, env); break;
    case RV_OP_FSQRT_D:  r = sf_sqrt(D, a, env); break;
    case RV_OP_FSGNJ_D:  r = sign_inject(a, b, 1ULL << 63, 0); break;
    case RV_OP_FSGNJN_D: r = sign_inject(a, b, 1ULL << 63, 1); break;
    case RV_OP_FSGNJX_D: r = sign_inject(a, b, 1ULL << 63, 2); break;
    case RV_OP_FMIN_D:   r = sf_min(D, a, b, env); break;
    case RV_OP_FMAX_D:   r = sf_max(D, a, b, env); break;
    case RV_OP_FCVT_D_W:  r = sf_from_int(D, (uint64_t)(int64_t)(int32_t)x1, true, env); break;
    case RV_OP_FCVT_D_WU: r = sf_from_int(D, (uint32_t)x1, false, env); break;
    case RV_OP_FCVT_D_L:  r = sf_from_int(D, x1, true, env); break;
    case RV_OP_FCVT_D_LU: r = sf_from_int(D, x1, false, env); break;
    case RV_OP_FCVT_D_S:  r = sf_convert(D, SF_F32, read_s(cpu, in->rs1), env); break;
    case RV_OP_FMV_D_X:   r = x1; break;
    default:
        exec_s(cpu, in, env);
        return;
    }
    write_f(cpu, in->rd, r);
}

/* Instructions whose destination is an x register. Returns false if `in` is not one. */
static bool exec_to_x(rv_cpu *cpu, const rv_insn *in, sf_env *env)
{
    const sf_fmt S = SF_F32, D = SF_F64;
    uint64_t r;

    switch (in->op) {
    case RV_OP_FCVT_W_S:  r = sf_to_int(S, read_s(cpu, in->rs1), 32, true, env); break;
    case RV_OP_FCVT_WU_S: r = sf_to_int(S, read_s(cpu, in->rs1), 32, false, env); break;
    case RV_OP_FCVT_L_S:  r = sf_to_int(S, read_s(cpu, in->rs1), 64, true, env); break;
    case RV_OP_FCVT_LU_S: r = sf_to_int(S, read_s(cpu, in->rs1), 64, false, env); break;
    case RV_OP_FCVT_W_D:  r = sf_to_int(D, cpu->f[in->rs1], 32, true, env); break;
    case RV_OP_FCVT_WU_D: r = sf_to_int(D, cpu->f[in->rs1], 32, false, env); break;
    case RV_OP_FCVT_L_D:  r = sf_to_int(D, cpu->f[in->rs1], 64, true, env); break;
    case RV_OP_FCVT_LU_D: r = sf_to_int(D, cpu->f[in->rs1], 64, false, env); break;
    case RV_OP_FEQ_S: r = sf_eq(S, read_s(cpu, in->rs1), read_s(cpu, in->rs2), env); break;
    case RV_OP_FLT_S: r = sf_lt(S, read_s(cpu, in->rs1), read_s(cpu, in->rs2), env); break;
    case RV_OP_FLE_S: r = sf_le(S, read_s(cpu, in->rs1), read_s(cpu, in->rs2), env); break;
    case RV_OP_FEQ_D: r = sf_eq(D, cpu->f[in->rs1], cpu->f[in->rs2], env); break;
    case RV_OP_FLT_D: r = sf_lt(D, cpu->f[in->rs1], cpu->f[in->rs2], env); break;
    case RV_OP_FLE_D: r = sf_le(D, cpu->f[in->rs1], cpu->f[in->rs2], env); break;
    case RV_OP_FCLASS_S: r = sf_class(S, read_s(cpu, in->rs1)); break;
    case RV_OP_FCLASS_D: r = sf_class(D, cpu->f[in->rs1]); break;
    /* §11.10: FMV.X.W takes the raw low 32 bits (no NaN-box check), sign-extended. */
    case RV_OP_FMV_X_W: r = (uint64_t)(int64_t)(int32_t)(uint32_t)cpu->f[in->rs1]; break;
    case RV_OP_FMV_X_D: r = cpu->f[in->rs1]; break;
    default:
        return false;
    }
    write_x(cpu, in->rd, r);
    return true;
}

void rv_exec_fp(rv_cpu *cpu, const rv_insn *in)
{
    sf_env env = { .rm = RM_RNE, .flags = 0 };

    if (has_rm(in->op)) {
        /* §11.2: rm 5 and 6 are reserved; DYN uses frm, whose values 5-7 are invalid. */
        unsigned rm = in->rm == RM_DYN ? (cpu->fcsr >> 5) & 7 : in->rm;
        if (rm > RM_RMM) {
            rv_raise(cpu, CAUSE_ILLEGAL_INSTRUCTION, in->raw);
            return;
        }
        env.rm = rm;
    }

    if (!exec_to_x(cpu, in, &env))
        exec_d(cpu, in, &env);

    if (env.flags) {
        cpu->fcsr |= env.flags;
        cpu->mstatus |= MSTATUS_FS;
    }
}
