/* What the instruction handlers share: register and operand access driven by the operand
 * specs of opcodes.def, effective addresses, the stack, and the handler prototypes
 * (h_<handler> for every handler named in the table).
 *
 * Contract: on entry cpu->rip is the instruction's address and cpu->next_rip the address
 * after it; a handler changes architectural state only once it can no longer fault
 * (memory operands are read/probed before registers are written), sets cpu->next_rip for
 * a transfer of control, and faults by calling x86_fault (which does not return). */
#ifndef VM_X86_EXEC_H
#define VM_X86_EXEC_H

#include "arch/x86/cpu.h"
#include "arch/x86/decode.h"
#include "arch/x86/flags.h"
#include "arch/x86/mmu.h"

#define X86_OP(name, mnem, handler, arg, map, byte, sel, pfx, o1, o2, o3, feat, attr) \
    void h_##handler(x86_cpu *cpu, const x86_insn *in);
#include "arch/x86/opcodes.def"
#undef X86_OP

static inline const x86_opinfo *x86_info(const x86_insn *in)
{
    return &x86_opinfo_table[in->op];
}

static inline uint64_t mask_bytes(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static inline int64_t sext_bytes(uint64_t v, unsigned size)
{
    if (size >= 8)
        return (int64_t)v;
    unsigned sh = 64 - size * 8;
    return (int64_t)(v << sh) >> sh;
}

/* General registers: byte registers 4..7 are AH..BH unless a REX prefix is present. */
static inline uint64_t reg_get(const x86_cpu *cpu, unsigned r, unsigned size, bool rex)
{
    if (size == 1) {
        if (!rex && r >= 4 && r < 8)
            return (cpu->gpr[r - 4] >> 8) & 0xff;
        return cpu->gpr[r] & 0xff;
    }
    return cpu->gpr[r] & mask_bytes(size);
}

static inline void reg_set(x86_cpu *cpu, unsigned r, unsigned size, bool rex, uint64_t v)
{
    switch (size) {
    case 1:
        if (!rex && r >= 4 && r < 8)
            cpu->gpr[r - 4] = (cpu->gpr[r - 4] & ~0xff00ull) | ((v & 0xff) << 8);
        else
            cpu->gpr[r] = (cpu->gpr[r] & ~0xffull) | (v & 0xff);
        break;
    case 2: cpu->gpr[r] = (cpu->gpr[r] & ~0xffffull) | (v & 0xffff); break;
    case 4: cpu->gpr[r] = v & 0xffffffffull; break; /* SDM Vol.1 §3.4.1.1: zero-extends */
    default: cpu->gpr[r] = v; break;
    }
}

/* Effective address (offset within the segment), wrapped to the address size. */
static inline uint64_t x86_ea(const x86_cpu *cpu, const x86_insn *in)
{
    uint64_t a = (uint64_t)in->disp;
    if (in->riprel)
        a += cpu->next_rip;
    if (in->base != X86_NOREG)
        a += cpu->gpr[in->base];
    if (in->index != X86_NOREG)
        a += cpu->gpr[in->index] << in->scale;
    return a & mask_bytes(in->asz);
}

/* Read / write operand k (0..2) of the instruction per its spec: registers and
 * immediates inline, everything else out of line (exec_int.c). */
uint64_t opd_read_slow(x86_cpu *cpu, const x86_insn *in, int k, bool rmw);
void opd_write_slow(x86_cpu *cpu, const x86_insn *in, int k, uint64_t v);

static inline uint64_t opd_read(x86_cpu *cpu, const x86_insn *in, int k)
{
    if (in->loc[k] == X86_LOC_REG)
        return reg_get(cpu, in->lreg[k], in->osize[k], in->rex != 0);
    if (in->loc[k] == X86_LOC_IMM)
        return in->imm;
    return opd_read_slow(cpu, in, k, false);
}

static inline uint64_t opd_read_rmw(x86_cpu *cpu, const x86_insn *in, int k)
{
    if (in->loc[k] == X86_LOC_REG)
        return reg_get(cpu, in->lreg[k], in->osize[k], in->rex != 0);
    return opd_read_slow(cpu, in, k, true);
}

static inline void opd_write(x86_cpu *cpu, const x86_insn *in, int k, uint64_t v)
{
    if (in->loc[k] == X86_LOC_REG)
        reg_set(cpu, in->lreg[k], in->osize[k], in->rex != 0, v);
    else
        opd_write_slow(cpu, in, k, v);
}

static inline bool opd_is_mem(const x86_insn *in, int k)
{
    uint8_t o = x86_info(in)->opd[k];
    switch (o) {
    case O_Eb: case O_Ew: case O_Ed: case O_Eq: case O_Ev: case O_Ey:
        return in->mod != 3;
    case O_M: case O_Mb: case O_Mw: case O_Md: case O_Mq: case O_Mp: case O_Mdq: case O_Ms:
    case O_Ob: case O_Ov:
        return true;
    default:
        return false;
    }
}

/* The stack (SDM Vol.1 §6.2): width of rSP from SS.B / 64-bit mode. */
void x86_push(x86_cpu *cpu, unsigned size, uint64_t v);
uint64_t x86_pop(x86_cpu *cpu, unsigned size);
/* Read the value `off` bytes above the top of stack without popping. */
uint64_t x86_stack_peek(x86_cpu *cpu, uint64_t off, unsigned size);
static inline uint64_t sp_mask(const x86_cpu *cpu)
{
    return cpu->stack_bits == 64 ? ~0ull : cpu->stack_bits == 32 ? 0xffffffffull : 0xffffull;
}
static inline void sp_set(x86_cpu *cpu, uint64_t v)
{
    uint64_t m = sp_mask(cpu);
    cpu->gpr[RSP] = (cpu->gpr[RSP] & ~m) | (v & m);
}

/* Set the instruction pointer after a near transfer, with the operand size's truncation
 * and the CS limit / canonical check (#GP(0)). */
void x86_jump_near(x86_cpu *cpu, uint64_t target, unsigned osz);

/* RFLAGS write with the privilege rules of POPF/IRET (SDM Vol.2 POPF table). */
void x86_write_flags(x86_cpu *cpu, uint64_t v, uint64_t mask);

/* Mode bookkeeping after CS/SS/CR0/EFER change. */
void x86_update_mode(x86_cpu *cpu);

/* Ports (SDM Vol.1 §19.5: IOPL and the TSS I/O bitmap) */
void x86_check_io(x86_cpu *cpu, unsigned port, unsigned size);
uint64_t x86_port_in(x86_cpu *cpu, unsigned port, unsigned size);
void x86_port_out(x86_cpu *cpu, unsigned port, unsigned size, uint64_t v);

/* Interrupt/exception delivery (excp.c). kind: EV_EXC (fault/trap, pushes cpu->rip),
 * EV_SOFT (INT n/INT3/INTO/INT1: gate DPL checked, pushes next_rip), EV_EXT (INTR/NMI). */
enum { EV_EXC, EV_SOFT, EV_EXT, EV_ICEBP };
void x86_event(x86_cpu *cpu, int vec, int kind, bool has_err, uint32_t err);
_Noreturn void x86_raise_soft(x86_cpu *cpu, int vec, int kind);

/* Segment loading (seg.c) */
void x86_load_seg(x86_cpu *cpu, int seg, uint16_t sel);
void x86_seg_real(x86_cpu *cpu, int seg, uint16_t sel);
bool x86_read_desc(x86_cpu *cpu, uint16_t sel, uint64_t *lo, uint64_t *hi, bool system);
void x86_desc_to_seg(x86_seg *s, uint16_t sel, uint64_t lo, uint64_t hi);
void x86_set_desc_busy(x86_cpu *cpu, uint16_t sel, uint64_t lo, int bit);
void x86_far_jump(x86_cpu *cpu, uint16_t sel, uint64_t off, unsigned osz, bool call);
void x86_far_ret(x86_cpu *cpu, unsigned osz, uint16_t imm);
void x86_iret(x86_cpu *cpu, unsigned osz);

/* Control registers and MSRs (sys.c) */
void x86_write_cr(x86_cpu *cpu, int n, uint64_t v);
bool x86_msr_read(x86_cpu *cpu, uint32_t msr, uint64_t *v);
bool x86_msr_write(x86_cpu *cpu, uint32_t msr, uint64_t v);

/* MMX registers (the x87 significands) */
uint64_t x86_mm_get(const x86_cpu *cpu, unsigned i);
void x86_mm_set(x86_cpu *cpu, unsigned i, uint64_t v);

static inline void require_cpl0(x86_cpu *cpu)
{
    if (cpu->cpl != 0)
        x86_fault(cpu, EXC_GP, 0);
}

static inline bool x86_pmode(const x86_cpu *cpu)
{
    return (cpu->cr0 & CR0_PE) && !(cpu->flags & FL_VM);
}

#endif
