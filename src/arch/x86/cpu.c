/* The x86 CPU's life cycle and run loop: power-on state, RFLAGS access, interrupt pins,
 * and the block interpreter. Guest code is decoded once into blocks of x86_insn records
 * (code up to a control transfer / mode change or the end of the page, going on past a
 * not-taken Jcc), keyed by linear address and code size, validated against the RAM
 * page's write generation (mem/bus.h code-page tracking). run_threaded dispatches by
 * computed goto to an inline form chosen per record at build time, or to the record's
 * handler (the table generated from opcodes.def), and chains from block to block;
 * x86_cpu_run is the slow path around it (misses, uncacheable code, tracing, events).
 *
 * Self-modifying code: a page holding decoded code gets no write TLB entries, so a store
 * to it takes the slow path, which flags cpu->smc; the block stops after that
 * instruction, and the next lookup sees the new generation and re-decodes. So a store
 * into the running block is seen by the very next instruction, as on hardware.
 *
 * Faults unwind with longjmp to this loop (excp.c x86_fault), which delivers them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/exec.h"

typedef void x86_handler(x86_cpu *cpu, const x86_insn *in);

#define X86_OP(name, mnem, handler, arg, map, byte, sel, pfx, o1, o2, o3, feat, attr) \
    h_##handler,
static x86_handler *const handlers[X86_OP_COUNT] = {
#include "arch/x86/opcodes.def"
};
#undef X86_OP

uint64_t x86_cpu_rflags(x86_cpu *cpu)
{
    return (cpu->flags & ~(uint64_t)FL_ARITH) | x86_arith_flags(cpu) | FL_1;
}

#define FL_VALID (FL_ARITH | FL_TF | FL_IF | FL_DF | FL_IOPL | FL_NT | FL_RF | FL_VM | \
                  FL_AC | FL_VIF | FL_VIP | FL_ID)

void x86_cpu_set_rflags(x86_cpu *cpu, uint64_t v)
{
    uint64_t old = cpu->flags;
    cpu->flags = (v & FL_VALID) | FL_1;
    cpu->lf.op = LF_NONE;
    /* Alignment checks now apply (SDM Vol.3 §6.15, interrupt 17): user data pages filled
     * without them must leave the TLB (mmu.c). Only at CPL 3, where the user TLB sets are
     * used: the kernel's STAC/CLAC and POPF do not flush; IRET and SYSRET set CPL 3
     * before RFLAGS, so a return to user code with AC set does. */
    if (unlikely(cpu->flags & ~old & FL_AC) && (cpu->cr0 & CR0_AM) && cpu->cpl == 3)
        x86_tlb_flush(cpu, false);
}

/* Bus callback: the RAM page at pa now holds decoded code; stores to it must take the
 * slow path (which invalidates the code). */
static void drop_write_page(void *opaque, gpa_t pa)
{
    x86_cpu *cpu = opaque;
    const uint8_t *host = bus_ram_ptr(&cpu->m->bus, pa & ~0xfffull, 4096);
    if (host)
        x86_tlb_drop_write_host(cpu, host);
}

bool x86_cpu_init(x86_cpu *cpu, machine *m, vm_error *err)
{
    memset(cpu, 0, sizeof *cpu);
    cpu->m = m;
    cpu->io = &m->io;
    cpu->blocks = calloc(X86_BLOCK_CACHE, sizeof *cpu->blocks);
    cpu->insn_pool = calloc(X86_INSN_POOL, sizeof *cpu->insn_pool);
    if (!cpu->blocks || !cpu->insn_pool) {
        x86_cpu_destroy(cpu);
        vm_error_set(err, "x86: out of memory for the block cache");
        return false;
    }
    if (!bus_code_listener_add(&m->bus, drop_write_page, cpu)) {
        x86_cpu_destroy(cpu);
        vm_error_set(err, "x86: too many code-page listeners on the bus");
        return false;
    }
    x86_cpu_reset(cpu);
    return true;
}

void x86_cpu_destroy(x86_cpu *cpu)
{
    free(cpu->blocks);
    free(cpu->insn_pool);
    cpu->blocks = NULL;
    cpu->insn_pool = NULL;
}

static void seg_set(x86_seg *s, uint16_t sel, uint64_t base, uint32_t limit, uint32_t attr)
{
    s->sel = sel;
    s->base = base;
    s->limit = limit;
    s->attr = attr;
}

void x86_cpu_reset(x86_cpu *cpu)
{
    machine *m = cpu->m;
    bus *io = cpu->io;
    x86_block *blocks = cpu->blocks;
    x86_insn *pool = cpu->insn_pool;
    int (*ack)(void *) = cpu->intr_ack;
    void *opaque = cpu->intr_opaque;
    const x86_board_hooks *board = cpu->board;
    bool stop = cpu->stop_on_exception;
    memset(cpu, 0, sizeof *cpu);
    cpu->m = m;
    cpu->io = io;
    cpu->blocks = blocks;
    cpu->insn_pool = pool; /* emptied: insn_pool_used is 0 and every block invalid */
    cpu->intr_ack = ack;
    cpu->intr_opaque = opaque;
    cpu->board = board;
    cpu->stop_on_exception = stop;
    if (blocks)
        memset(blocks, 0, X86_BLOCK_CACHE * sizeof *blocks);

    /* SDM Vol.3 §9.1.1 Table 9-1 */
    cpu->flags = FL_1;
    cpu->rip = 0xfff0;
    cpu->cr0 = CR0_CD | CR0_NW | CR0_ET;
    uint32_t id[4];
    x86_cpuid(cpu, 1, 0, id);
    cpu->gpr[RDX] = id[0];
    seg_set(&cpu->seg[SEG_CS], 0xf000, 0xffff0000u, 0xffff, SA_P | SA_S | 0xb);
    for (int s = 0; s < 6; s++)
        if (s != SEG_CS)
            seg_set(&cpu->seg[s], 0, 0, 0xffff, SA_P | SA_S | 0x3);
    cpu->gdtr.limit = cpu->idtr.limit = 0xffff;
    seg_set(&cpu->ldtr, 0, 0, 0xffff, SA_P | 0x2);
    seg_set(&cpu->tr, 0, 0, 0xffff, SA_P | 0xb);
    cpu->dr[6] = 0xffff0ff0u;
    cpu->dr[7] = 0x400;
    cpu->xcr0 = 1;
    cpu->mxcsr = 0x1f80;
    cpu->fcw = 0x40;
    cpu->ftw = 0x5555; /* SDM Vol.3 Table 9-1: tag word 5555H at power-up */
    cpu->apic_base = 0xfee00900u;
    cpu->pat = 0x0007040600070406ull;
    cpu->misc_enable = 1;
    cpu->delivering = -1;
    x86_update_mode(cpu);
}

void x86_cpu_load_flat_mode(x86_cpu *cpu, int bits)
{
    uint32_t data = SA_P | SA_S | 0x3 | SA_DB | SA_G;
    uint32_t code = SA_P | SA_S | 0xb | SA_G | (bits == 64 ? SA_L : SA_DB);
    seg_set(&cpu->seg[SEG_CS], 0x08, 0, 0xffffffffu, code);
    for (int s = 0; s < 6; s++)
        if (s != SEG_CS)
            seg_set(&cpu->seg[s], 0x10, 0, 0xffffffffu, data);
    cpu->cr0 = (cpu->cr0 & ~(CR0_CD | CR0_NW)) | CR0_PE | CR0_ET;
    if (bits == 64) {
        cpu->cr4 |= CR4_PAE;
        cpu->efer |= EFER_LME | EFER_LMA;
        cpu->cr0 |= CR0_PG;
    }
    cpu->cpl = 0;
    x86_tlb_flush(cpu, false);
    x86_update_mode(cpu);
}

void x86_cpu_set_intr(x86_cpu *cpu, bool level)
{
    cpu->intr_line = level;
}

void x86_cpu_nmi(x86_cpu *cpu)
{
    cpu->nmi_pending = true;
}

/* ---- fetch and decode ---- */

static uint64_t code_linear(const x86_cpu *cpu, uint64_t rip)
{
    if (cpu->code_bits == 64)
        return rip;
    return (cpu->seg[SEG_CS].base + rip) & 0xffffffffu;
}

/* Fetch + decode one instruction at rip without the block cache (page-crossing or
 * uncacheable code). Faults (#PF on fetch, #GP for length/limit, #UD) do not return. */
static void decode_one(x86_cpu *cpu, uint64_t rip, x86_insn *in)
{
    uint8_t buf[16];
    uint64_t lin = code_linear(cpu, rip);
    size_t room = 4096 - (lin & 0xfff), have = room < 15 ? room : 15;
    uint64_t pa;
    const uint8_t *p = x86_fetch_ptr(cpu, lin, &pa);
    for (size_t i = 0; i < have; i++)
        buf[i] = p ? p[i] : x86_fetch_byte_slow(cpu, lin + i);
    int r = x86_decode(buf, have, cpu->code_bits, cpu->feat, in);
    if (r == X86_DEC_SHORT) {
        uint64_t lin2 = cpu->code_bits == 64 ? lin + have : (lin + have) & 0xffffffffu;
        const uint8_t *p2 = x86_fetch_ptr(cpu, lin2, &pa);
        for (size_t i = have; i < 15; i++)
            buf[i] = p2 ? p2[i - have] : x86_fetch_byte_slow(cpu, lin2 + (i - have));
        r = x86_decode(buf, 15, cpu->code_bits, cpu->feat, in);
    }
    if (cpu->code_bits != 64 && rip + (r == X86_DEC_OK ? in->len : 1) - 1 >
                                    cpu->seg[SEG_CS].limit)
        x86_fault(cpu, EXC_GP, 0);
    if (r == X86_DEC_GP)
        x86_fault(cpu, EXC_GP, 0);
    if (r != X86_DEC_OK)
        x86_fault(cpu, EXC_UD, 0);
}

static void trace_insn(x86_cpu *cpu, const x86_insn *in)
{
    char text[96];
    x86_disasm(in, cpu->rip, text, sizeof text);
    fprintf(stderr, "[insn] %04x:%016llx %s\n", cpu->seg[SEG_CS].sel,
            (unsigned long long)cpu->rip, text);
}

static bool is_jcc(unsigned op)
{
    return (op >= X86_OP_JO_Jb && op <= X86_OP_JG_Jb) ||
           (op >= X86_OP_JO_Jz && op <= X86_OP_JG_Jz);
}

/* The inline forms of the threaded runner, chosen per instruction when its block is
 * built (x86_insn.fast); everything else runs through its handler (generic). Register
 * forms take their registers from lreg[0] (destination / first operand) and lreg[1];
 * memory forms are chosen only in 64-bit mode with a base-0 segment (not FS/GS), where
 * a TLB hit needs no segment check. All have a 32/64-bit operand. An ALU form followed
 * by a Jcc in its block has a fused variant (_j) that decides the branch from the
 * operands it has in hand, without the lazy-flags record (which it still writes). */
#define X86_FAST_FORMS(X)                                                                    \
    X(generic) X(end)                                                                        \
    X(mov_rr) X(mov_ri) X(load32) X(load64) X(store32) X(store64) X(store_imm32)            \
    X(load32_bd) X(load64_bd) X(store32_bd) X(store64_bd)                                   \
    X(store_imm64) X(movzx_r) X(movzx_m8) X(movzx_m16)                                      \
    X(lea)                                                                                   \
    X(add_rr) X(or_rr) X(and_rr) X(sub_rr) X(xor_rr) X(cmp_rr) X(test_rr)                  \
    X(add_rm) X(or_rm) X(and_rm) X(sub_rm) X(xor_rm) X(cmp_rm)                             \
    X(add_ri) X(or_ri) X(and_ri) X(sub_ri) X(xor_ri) X(cmp_ri)                             \
    X(cmp_mr) X(cmp_mi) X(test_mr)                                                          \
    X(add_rr_j) X(or_rr_j) X(and_rr_j) X(sub_rr_j) X(xor_rr_j) X(cmp_rr_j) X(test_rr_j)    \
    X(add_rm_j) X(or_rm_j) X(and_rm_j) X(sub_rm_j) X(xor_rm_j) X(cmp_rm_j)                 \
    X(add_ri_j) X(or_ri_j) X(and_ri_j) X(sub_ri_j) X(xor_ri_j) X(cmp_ri_j)                 \
    X(cmp_mr_j) X(cmp_mi_j) X(test_mr_j)                                                    \
    X(shl_ri) X(shr_ri) X(sar_ri) X(imul32_r) X(imul32_m)                                   \
    X(jcc0) X(jcc1) X(jcc2) X(jcc3) X(jcc4) X(jcc5) X(jcc6) X(jcc7)                        \
    X(jcc8) X(jcc9) X(jcc10) X(jcc11) X(jcc12) X(jcc13) X(jcc14) X(jcc15) X(jmp)

#define X86_FAST_ENUM(name) FAST_##name,
enum { X86_FAST_FORMS(X86_FAST_ENUM) FAST_COUNT };
#undef X86_FAST_ENUM

/* ALU sub-operation (opcodes.def arg) → its form, for ADD OR AND SUB XOR CMP */
static uint8_t alu_form(unsigned arg, uint8_t add_form)
{
    static const int8_t order[8] = { 0, 1, -1, -1, 2, 3, 4, 5 };
    return order[arg & 7] < 0 ? FAST_generic : (uint8_t)(add_form + order[arg & 7]);
}

static uint8_t fast_form(const x86_insn *in, int mode)
{
    unsigned op = in->op, arg = x86_opinfo_table[op].arg;
    if (is_jcc(op))
        return (uint8_t)(FAST_jcc0 + (in->opb & 15));
    if (op == X86_OP_JMP_Jb || op == X86_OP_JMP_Jz)
        return FAST_jmp;
    if (in->osz < 4 || in->lock)
        return FAST_generic;
    bool reg = in->has_modrm && in->mod == 3;
    bool mem = in->has_modrm && in->mod != 3 && mode == 64 && in->seg != SEG_FS &&
               in->seg != SEG_GS;
    switch (op) {
    case X86_OP_MOV_EvGv: case X86_OP_MOV_GvEv:
        if (reg || !mem)
            return reg ? FAST_mov_rr : FAST_generic;
        if (in->asz == 8 && !in->riprel && in->index == X86_NOREG && in->base != X86_NOREG) {
            /* [base + disp], the commonest address: no parts to test */
            if (op == X86_OP_MOV_EvGv)
                return in->osz == 8 ? FAST_store64_bd : FAST_store32_bd;
            return in->osz == 8 ? FAST_load64_bd : FAST_load32_bd;
        }
        if (op == X86_OP_MOV_EvGv)
            return in->osz == 8 ? FAST_store64 : FAST_store32;
        return in->osz == 8 ? FAST_load64 : FAST_load32;
    case X86_OP_MOV_EvIz:
        return reg ? FAST_mov_ri : !mem ? FAST_generic
               : in->osz == 8 ? FAST_store_imm64 : FAST_store_imm32;
    case X86_OP_MOV_ZvIv:
        return FAST_mov_ri;
    case X86_OP_MOVZX_GvEb: case X86_OP_MOVZX_GvEw:
        return reg ? FAST_movzx_r : !mem ? FAST_generic
               : op == X86_OP_MOVZX_GvEb ? FAST_movzx_m8 : FAST_movzx_m16;
    case X86_OP_LEA:
        return FAST_lea;
    case X86_OP_ADD_EvGv: case X86_OP_OR_EvGv: case X86_OP_AND_EvGv: case X86_OP_SUB_EvGv:
    case X86_OP_XOR_EvGv: case X86_OP_CMP_EvGv:
        return reg ? alu_form(arg, FAST_add_rr)
               : mem && arg == 7 ? FAST_cmp_mr : FAST_generic;
    case X86_OP_ADD_GvEv: case X86_OP_OR_GvEv: case X86_OP_AND_GvEv: case X86_OP_SUB_GvEv:
    case X86_OP_XOR_GvEv: case X86_OP_CMP_GvEv:
        return reg ? alu_form(arg, FAST_add_rr) : mem ? alu_form(arg, FAST_add_rm)
               : FAST_generic;
    case X86_OP_ADD_EvIb: case X86_OP_OR_EvIb: case X86_OP_AND_EvIb: case X86_OP_SUB_EvIb:
    case X86_OP_XOR_EvIb: case X86_OP_CMP_EvIb: case X86_OP_ADD_EvIz: case X86_OP_OR_EvIz:
    case X86_OP_AND_EvIz: case X86_OP_SUB_EvIz: case X86_OP_XOR_EvIz: case X86_OP_CMP_EvIz:
        return reg ? alu_form(arg, FAST_add_ri)
               : mem && arg == 7 ? FAST_cmp_mi : FAST_generic;
    case X86_OP_TEST_EvGv:
        return reg ? FAST_test_rr : mem ? FAST_test_mr : FAST_generic;
    case X86_OP_SHL_EvIb: case X86_OP_SHR_EvIb: case X86_OP_SAR_EvIb:
        if (!reg || (in->imm & (in->osz == 8 ? 63 : 31)) == 0)
            return FAST_generic; /* a zero count leaves the flags alone */
        return op == X86_OP_SHL_EvIb ? FAST_shl_ri : op == X86_OP_SHR_EvIb ? FAST_shr_ri
                                                                          : FAST_sar_ri;
    case X86_OP_IMUL_GvEv:
        if (in->osz != 4)
            return FAST_generic;
        return reg ? FAST_imul32_r : mem ? FAST_imul32_m : FAST_generic;
    default:
        return FAST_generic;
    }
}

/* Build a block at rip whose first byte is at host. n = 0 if the first instruction does
 * not fit the page or the page is not RAM (the caller then runs it uncached). */
static void build_block(x86_cpu *cpu, x86_block *b, uint64_t rip, uint64_t lin,
                        const uint8_t *host)
{
    bus *bus = &cpu->m->bus;
    gpa_t pa;
    const uint32_t *genp = bus_ram_gpa(bus, host, &pa) ? bus_code_page_mark(bus, pa) : NULL;
    b->n = 0;
    if (!genp)
        return;
    x86_insn ins[X86_BLOCK_MAX + 1]; /* decoded here, then copied to the block's records */
    size_t room = 4096 - (lin & 0xfff), off = 0;
    unsigned n = 0;
    while (n < X86_BLOCK_MAX && off < room) {
        x86_insn *in = &ins[n];
        int r = x86_decode(host + off, room - off, cpu->code_bits, cpu->feat, in);
        if (r != X86_DEC_OK)
            break; /* faults and page-crossers are handled by decode_one when reached */
        if (cpu->code_bits != 64 && rip + off + in->len - 1 > cpu->seg[SEG_CS].limit)
            break;
        n++;
        off += in->len;
        /* A not-taken Jcc goes on in the block (the threaded runner leaves it where one
         * is taken); other transfers and mode changes end it. */
        if ((x86_opinfo_table[in->op].attr & A_END) && !is_jcc(in->op))
            break;
    }
    uint64_t at = rip;
    for (unsigned i = 0; i < n; i++) {
        x86_insn *in = &ins[i];
        in->fast = fast_form(in, cpu->code_bits);
        in->ea_bd = in->asz == 8 && !in->riprel && in->index == X86_NOREG &&
                    in->base != X86_NOREG;
        at += in->len;
        /* In 64-bit mode rip is the block's linear address, so a relative Jcc/JMP has a
         * fixed target: resolve it now (imm2, unused by these), or leave a non-canonical
         * one (#GP when taken) and an unusual operand size to the handler. */
        bool rel = in->fast == FAST_jmp || (in->fast >= FAST_jcc0 && in->fast <= FAST_jcc15);
        if (rel && cpu->code_bits == 64) {
            uint64_t t = at + in->imm;
            if (in->osz == 8 && ((t + (1ull << 47)) >> 48) == 0)
                in->imm2 = t;
            else
                in->fast = FAST_generic;
        }
    }
    for (unsigned i = 0; i + 1 < n; i++)
        if (ins[i].fast >= FAST_add_rr && ins[i].fast <= FAST_test_mr &&
            ins[i + 1].fast >= FAST_jcc0 && ins[i + 1].fast <= FAST_jcc15)
            ins[i].fast = (uint8_t)(ins[i].fast - FAST_add_rr + FAST_add_rr_j);
    memset(&ins[n], 0, sizeof ins[n]);
    ins[n].fast = FAST_end;
    /* The records: the block's own when they are of this pool generation and enough (a
     * block rebuilt after a write, or replacing another in its slot, reuses them), else
     * fresh ones from the pool. Before reuse, a slot that changed hands leaked its
     * records and the pool filled every ~11,000 builds in the amd64 installer. */
    unsigned need = n + 1;
    if (n && !(b->insn && b->pool_gen == cpu->pool_gen && b->cap >= need)) {
        if (cpu->insn_pool_used + need > X86_INSN_POOL) {
            /* The pool is full: drop every block (links to them go stale with the
             * epoch, their records with the generation). */
            for (size_t i = 0; i < X86_BLOCK_CACHE; i++)
                cpu->blocks[i].lip = 0;
            cpu->insn_pool_used = 0;
            cpu->pool_gen++;
        }
        b->insn = cpu->insn_pool + cpu->insn_pool_used;
        b->cap = (uint16_t)need;
        b->pool_gen = cpu->pool_gen;
        cpu->insn_pool_used += need;
    }
    if (n)
        memcpy(b->insn, ins, need * sizeof ins[0]);
    b->link[0] = b->link[1] = NULL;
    cpu->block_epoch++;
    b->lip = lin + 1;
    b->host = host;
    b->genp = genp;
    b->gen = *genp;
    b->mode = (uint8_t)cpu->code_bits;
    b->n = (uint16_t)n;
}

static bool interrupt_ready(x86_cpu *cpu)
{
    if (cpu->shadow)
        return false;
    if (cpu->nmi_pending && !cpu->nmi_blocked)
        return true;
    return cpu->intr_line && (cpu->flags & FL_IF) && cpu->intr_ack;
}

static void take_interrupt(x86_cpu *cpu)
{
    cpu->next_rip = cpu->rip;
    if (cpu->nmi_pending && !cpu->nmi_blocked) {
        cpu->nmi_pending = false;
        cpu->halted = false;
        x86_event(cpu, EXC_NMI, EV_EXT, false, 0);
    } else {
        int vec = cpu->intr_ack(cpu->intr_opaque);
        cpu->halted = false;
        if (vec < 0)
            return;
        x86_event(cpu, vec & 0xff, EV_EXT, false, 0);
    }
    cpu->rip = cpu->next_rip;
}

/* Execute one decoded instruction at cpu->rip. Returns false if the block must end. */
static inline __attribute__((always_inline)) bool exec_insn(x86_cpu *cpu, const x86_insn *in)
{
    const x86_opinfo *info = &x86_opinfo_table[in->op];
    uint64_t next = cpu->rip + in->len;
    if (cpu->code_bits != 64)
        next &= 0xffffffffu;
    cpu->next_rip = next;
    if (unlikely(cpu->trace_insn))
        trace_insn(cpu, in);
    if (unlikely(cpu->dbg_exec)) {
        /* SDM Vol.3 §18.3.1.1: instruction breakpoints are checked first unless RF is
         * set; RF is cleared once that check is past (IRET may set it again). */
        if (!(cpu->flags & FL_RF))
            x86_dbg_exec_check(cpu, code_linear(cpu, cpu->rip));
        cpu->flags &= ~(uint64_t)FL_RF;
    }
    if ((info->attr & A_PRIV) && cpu->cpl != 0)
        x86_fault(cpu, EXC_GP, 0);
    bool tf = (cpu->flags & FL_TF) != 0;
    handlers[in->op](cpu, in);
    cpu->rip = cpu->next_rip;
    cpu->tsc++;
    cpu->icount++;
    if (cpu->shadow)
        cpu->shadow--;
    if (unlikely(tf || cpu->dr_hit)) {
        /* single-step and data breakpoint traps after the instruction, one #DB for both
         * (SDM Vol.3 §18.3.1.4, §18.3.1.2) */
        if (tf)
            cpu->dr[6] |= 1u << 14;
        cpu->dr[6] |= cpu->dr_hit;
        cpu->dr_hit = 0;
        x86_event(cpu, EXC_DB, EV_EXC, false, 0);
        cpu->rip = cpu->next_rip;
        return false;
    }
    if (unlikely(cpu->smc)) {
        cpu->smc = false;
        return false;
    }
    return !(info->attr & A_END) && cpu->next_rip == next && !cpu->halted;
}

/* The block for linear address lin when it is decoded and still valid: its page is
 * executable through the TLB at the same host address, not written since, and in the
 * same code size. NULL sends the run loop to its slow path (fill, build, uncached). */
/* The header slot of a linear address: a multiplicative hash, as function entries are
 * aligned alike in every page. */
static inline size_t block_slot(uint64_t lin)
{
    return (size_t)((lin * 0x9e3779b97f4a7c15ull) >> (64 - X86_BLOCK_BITS));
}

static inline x86_block *block_find(x86_cpu *cpu, uint64_t lin)
{
    const uint8_t *host = x86_tlb_hit(cpu, cpu->cpl == 3, ACC_X, lin, 1);
    x86_block *b = &cpu->blocks[block_slot(lin)];
    if (likely(host && b->lip == lin + 1 && b->host == host && *b->genp == b->gen &&
               b->mode == cpu->code_bits && b->n))
        return b;
    return NULL;
}

/* Work for the run loop between blocks: an interrupt to look at, HLT, a stop request,
 * an exception reported to the test hook, or per-instruction work that the threaded
 * runner does not do (single-step, an interrupt shadow). */
static inline bool must_leave_threaded(const x86_cpu *cpu)
{
    return unlikely(cpu->nmi_pending | cpu->intr_line | cpu->halted | (cpu->shadow != 0) |
                    cpu->exc.pending | cpu->m->stop) ||
           (cpu->flags & FL_TF);
}

/* x86_ea with the end of the instruction given (the threaded runner keeps it local). */
static inline uint64_t ea_next(const x86_cpu *cpu, const x86_insn *in, uint64_t next)
{
    uint64_t a = (uint64_t)in->disp;
    if (in->riprel)
        a += next;
    if (in->base != X86_NOREG)
        a += cpu->gpr[in->base];
    if (in->index != X86_NOREG)
        a += cpu->gpr[in->index] << in->scale;
    return a & mask_bytes(in->asz);
}

/* A fault unwound out of run_threaded, which counts a block's instructions as retired
 * when it enters it: take back those from the faulting one (cpu->rip) on. */
static void uncount_block_rest(x86_cpu *cpu)
{
    const x86_block *b = cpu->run_block;
    uint64_t rip = cpu->run_rip0, mask = b->mode == 64 ? ~0ull : 0xffffffffull;
    unsigned k = 0;
    while (k < b->n && rip != cpu->rip)
        rip = (rip + b->insn[k++].len) & mask;
    cpu->icount -= b->n - k;
    cpu->tsc -= b->n - k;
    cpu->run_block = NULL;
}

/* The TLB hit for a 64-bit-mode access through a base-0 segment, inside one page: the
 * offset is the linear address, and the TLB holds canonical pages only (mmu.c). */
static inline uint8_t *tlb_fast(const x86_tlb_entry *tlb, uint64_t off, unsigned size)
{
    uint64_t vpn = off >> 12;
    const x86_tlb_entry *e = &tlb[vpn & (X86_TLB_SIZE - 1)];
    if (likely(e->tag == vpn + 1 && (off & 0xfff) <= 4096 - size))
        return (uint8_t *)(uintptr_t)(off + e->addend);
    return NULL;
}

/* Threaded dispatch over decoded blocks (the RISC-V interp.c design): one indirect jump
 * per instruction through a label table indexed by the inline form chosen at build
 * time, so an operation, its operand size check and its condition are not re-decided
 * per execution; the rest runs through its handler. At a block's end the next block is
 * looked up here and entered directly (chaining), so the run loop is only reentered for
 * events, misses and the last instructions of the budget. Entered only when no
 * per-instruction work is pending (no trace, no single-step, no interrupt shadow);
 * those cases take exec_insn.
 *
 * Counting: a block's instructions are counted (icount, tsc) on entry, and the ones not
 * run are taken back where it is left early (a taken Jcc inside it, a transfer or SMC in
 * a handler, a fault: uncount_block_rest). Handlers run with the exact counts.
 * Only cpu->rip is kept current per instruction (faults restart there); next_rip is
 * set for handlers and transfers. */
static void run_threaded(x86_cpu *cpu, x86_block *b, uint64_t stop_at)
{
#define X86_FAST_LABEL(name) [FAST_##name] = &&l_##name,
    static const void *const labels[FAST_COUNT] = { X86_FAST_FORMS(X86_FAST_LABEL) };
#undef X86_FAST_LABEL
    uint64_t *const gpr = cpu->gpr;
    const x86_insn *in, *end;
    const x86_tlb_entry *tlb_r, *tlb_w;
    uint64_t next, ripmask, csbase;
    uint64_t tgt = cpu->rip; /* where a block is entered / left for */
    bool mode64;
    unsigned link;
    /* No block is built while this runs (build_block is the run loop's), so the epoch
     * is constant here: a link made under it is still to an unchanged block. */
    const uint32_t epoch = cpu->block_epoch;
    uint64_t fa = 0, fb = 0, fr = 0; /* a fused ALU form's operands and result */
    unsigned fsh = 0;
#define CC_TABLE(cls)                                                                        \
    {                                                                                        \
        &&c_##cls##0, &&c_##cls##1, &&c_##cls##2, &&c_##cls##3, &&c_##cls##4, &&c_##cls##5,  \
        &&c_##cls##6, &&c_##cls##7, &&c_##cls##8, &&c_##cls##9, &&c_##cls##10,               \
        &&c_##cls##11, &&c_##cls##12, &&c_##cls##13, &&c_##cls##14, &&c_##cls##15            \
    }
    static const void *const cc_sub[16] = CC_TABLE(sub);
    static const void *const cc_logic[16] = CC_TABLE(logic);
    static const void *const cc_add[16] = CC_TABLE(add);
#undef CC_TABLE
    /* A handler ran or an access left the TLB fast path (MMIO may raise an interrupt or
     * stop the machine): look at events before the next block. */
    bool slow = false;

#define DISPATCH()                                                                           \
    do {                                                                                     \
        next = (cpu->rip + in->len) & ripmask;                                               \
        goto *labels[in->fast];                                                              \
    } while (0)
/* go on with the next instruction of the block */
#define NEXT()                                                                               \
    do {                                                                                     \
        cpu->rip = next;                                                                     \
        in++;                                                                                \
        DISPATCH();                                                                          \
    } while (0)
/* leave the block after this instruction, at tgt, to label */
#define LEAVE(label)                                                                         \
    do {                                                                                     \
        uint64_t left_ = (uint64_t)(end - in - 1);                                           \
        cpu->icount -= left_;                                                                \
        cpu->tsc -= left_;                                                                   \
        cpu->rip = tgt;                                                                      \
        goto label;                                                                          \
    } while (0)
#define MASK (~0ull >> ((8 - in->osz) * 8)) /* osz 4 or 8 */
/* tgt = a relative Jcc/JMP's target: resolved at build time in 64-bit mode */
#define TARGET()                                                                             \
    do {                                                                                     \
        if (likely(mode64)) {                                                                \
            tgt = in->imm2;                                                                  \
        } else {                                                                             \
            x86_jump_near(cpu, next + in->imm, in->osz); /* CS limit check */               \
            tgt = cpu->next_rip;                                                             \
        }                                                                                    \
    } while (0)
#define RA gpr[in->lreg[0]]
#define RB gpr[in->lreg[1]]
/* the commonest address, [base + disp], without the general path's tests */
#define EA() (in->ea_bd ? (uint64_t)in->disp + gpr[in->base] : ea_next(cpu, in, next))
/* v = the memory operand (size bytes) */
#define LOADM(v, size) LOADM_AT(v, size, EA())
#define LOADM_AT(v, size, ea)                                                                \
    do {                                                                                     \
        uint64_t off_ = (ea);                                                                \
        const uint8_t *p_ = tlb_fast(tlb_r, off_, (size));                                   \
        if (likely(p_ != NULL)) {                                                            \
            v = x86_ld(p_, (size));                                                          \
        } else {                                                                             \
            slow = true;                                                                     \
            v = x86_read(cpu, in->seg, off_, (size));                                        \
        }                                                                                    \
    } while (0)
#define STOREM(v, size) STOREM_AT(v, size, EA())
#define STOREM_AT(v, size, ea)                                                               \
    do {                                                                                     \
        uint64_t off_ = (ea);                                                                \
        uint8_t *p_ = tlb_fast(tlb_w, off_, (size));                                         \
        if (likely(p_ != NULL)) {                                                            \
            x86_st(p_, (size), (v));                                                         \
        } else {                                                                             \
            slow = true;                                                                     \
            x86_write(cpu, in->seg, off_, (size), (v));                                      \
            if (unlikely(cpu->smc)) { /* the store hit decoded code: re-validate */          \
                cpu->smc = false;                                                            \
                tgt = next;                                                                  \
                LEAVE(l_exit);                                                               \
            }                                                                                \
        }                                                                                    \
    } while (0)
/* The lazy-flags record of an ALU form: a logic op's flags come from the result alone
 * and cf_in matters only to ADC/SBB/INC/DEC/MUL (flags.c), so neither is stored. */
#define FLAGS(kind, r, a, b)                                                                 \
    do {                                                                                     \
        cpu->lf.op = (kind);                                                                 \
        cpu->lf.size = in->osz;                                                              \
        cpu->lf.res = (r);                                                                   \
        if ((kind) != LF_LOGIC) {                                                            \
            cpu->lf.a = (a);                                                                 \
            cpu->lf.b = (b);                                                                 \
        }                                                                                    \
    } while (0)
/* v = the memory operand of the instruction's size (4 or 8) */
#define LOADM_OSZ(v)                                                                         \
    do {                                                                                     \
        if (in->osz == 8)                                                                    \
            LOADM(v, 8);                                                                     \
        else                                                                                 \
            LOADM(v, 4);                                                                     \
    } while (0)
/* ALU forms: a op b, flags, and the result to RA unless CMP/TEST; the fused variant
 * then goes to the following Jcc's condition in table cls with the operands in fa, fb,
 * fr and fsh = the shift that puts their sign bit at bit 63. */
#define ALU(name, form, expr, kind, A, B, write, cls)                                        \
    l_##name##_##form: {                                                                     \
        uint64_t m = MASK, a, b;                                                             \
        A;                                                                                   \
        B;                                                                                   \
        uint64_t r = (expr) & m;                                                             \
        if (write)                                                                           \
            RA = r;                                                                          \
        FLAGS(kind, r, a, b);                                                                \
        NEXT();                                                                              \
    }                                                                                        \
    l_##name##_##form##_j: {                                                                 \
        uint64_t m = MASK, a, b;                                                             \
        A;                                                                                   \
        B;                                                                                   \
        uint64_t r = (expr) & m;                                                             \
        if (write)                                                                           \
            RA = r;                                                                          \
        FLAGS(kind, r, a, b);                                                                \
        fa = a;                                                                              \
        fb = b;                                                                              \
        fr = r;                                                                              \
        fsh = 64 - in->osz * 8u;                                                             \
        goto *cls[in[1].opb & 15];                                                           \
    }
#define ALU_FORMS(name, expr, kind, write, cls)                                              \
    ALU(name, rr, expr, kind, a = RA & m, b = RB & m, write, cls)                           \
    ALU(name, rm, expr, kind, a = RA & m, LOADM_OSZ(b), write, cls)                         \
    ALU(name, ri, expr, kind, a = RA & m, b = in->imm & m, write, cls)
/* a fused Jcc's condition: taken, not taken, or left to the Jcc itself (plain) */
#define CC(cls, cc, cond)                                                                    \
    c_##cls##cc:                                                                             \
        if (cond)                                                                            \
            goto fused_taken;                                                                \
        goto fused_not;
#define CC_PLAIN(cls, cc) c_##cls##cc: goto fused_plain;
#define SA ((int64_t)(fa << fsh))
#define SB ((int64_t)(fb << fsh))
#define SR ((int64_t)(fr << fsh))
#define JCC(cc)                                                                              \
    l_jcc##cc:                                                                               \
        if (x86_cond_fast(cpu, cc)) {                                                        \
            TARGET();                                                                        \
            link = 0;                                                                        \
            LEAVE(l_chain);                                                                  \
        }                                                                                    \
        NEXT();

mode: /* the code mode and privilege, which only a handler changes */
    mode64 = cpu->code_bits == 64;
    ripmask = mode64 ? ~0ull : 0xffffffffull;
    csbase = mode64 ? 0 : cpu->seg[SEG_CS].base;
    tlb_r = cpu->tlb[cpu->cpl == 3][ACC_R];
    tlb_w = cpu->tlb[cpu->cpl == 3][ACC_W];
enter:
    /* Count the block on entry if it fits the budget whole; else the run loop runs it. */
    if (cpu->icount + b->n > stop_at) {
        cpu->run_block = NULL;
        return;
    }
    cpu->icount += b->n;
    cpu->tsc += b->n;
    cpu->run_block = b;
    cpu->run_rip0 = tgt;
    in = b->insn;
    end = in + b->n;
    next = (tgt + in->len) & ripmask;
    goto *labels[in->fast];

l_mov_rr:
    RA = RB & MASK;
    NEXT();
l_mov_ri: /* the immediate is sign-extended to 64 bits at decode */
    RA = in->imm & MASK;
    NEXT();
l_load32:
    LOADM(RA, 4);
    NEXT();
l_load64:
    LOADM(RA, 8);
    NEXT();
l_store32:
    STOREM(RB, 4);
    NEXT();
l_store64:
    STOREM(RB, 8);
    NEXT();
l_load32_bd:
    LOADM_AT(RA, 4, (uint64_t)in->disp + gpr[in->base]);
    NEXT();
l_load64_bd:
    LOADM_AT(RA, 8, (uint64_t)in->disp + gpr[in->base]);
    NEXT();
l_store32_bd:
    STOREM_AT(RB, 4, (uint64_t)in->disp + gpr[in->base]);
    NEXT();
l_store64_bd:
    STOREM_AT(RB, 8, (uint64_t)in->disp + gpr[in->base]);
    NEXT();
l_store_imm32:
    STOREM(in->imm, 4);
    NEXT();
l_store_imm64:
    STOREM(in->imm, 8);
    NEXT();
l_movzx_r:
    RA = reg_get(cpu, in->lreg[1], in->osize[1], in->rex != 0);
    NEXT();
l_movzx_m8:
    LOADM(RA, 1);
    NEXT();
l_movzx_m16:
    LOADM(RA, 2);
    NEXT();
l_lea:
    RA = EA() & MASK;
    NEXT();
ALU_FORMS(add, a + b, LF_ADD, true, cc_add)
ALU_FORMS(or, a | b, LF_LOGIC, true, cc_logic)
ALU_FORMS(and, a & b, LF_LOGIC, true, cc_logic)
ALU_FORMS(sub, a - b, LF_SUB, true, cc_sub)
ALU_FORMS(xor, a ^ b, LF_LOGIC, true, cc_logic)
ALU_FORMS(cmp, a - b, LF_SUB, false, cc_sub)
ALU(cmp, mr, a - b, LF_SUB, LOADM_OSZ(a), b = RB & m, false, cc_sub)
ALU(cmp, mi, a - b, LF_SUB, LOADM_OSZ(a), b = in->imm & m, false, cc_sub)
ALU(test, rr, a & b, LF_LOGIC, a = RA & m, b = RB & m, false, cc_logic)
ALU(test, mr, a & b, LF_LOGIC, LOADM_OSZ(a), b = RB & m, false, cc_logic)
/* SDM Vol.1 Appendix B: after SUB/CMP each condition compares the operands */
CC_PLAIN(sub, 0) CC_PLAIN(sub, 1) CC(sub, 2, fa < fb) CC(sub, 3, fa >= fb)
CC(sub, 4, fa == fb) CC(sub, 5, fa != fb) CC(sub, 6, fa <= fb) CC(sub, 7, fa > fb)
CC(sub, 8, SR < 0) CC(sub, 9, SR >= 0) CC_PLAIN(sub, 10) CC_PLAIN(sub, 11)
CC(sub, 12, SA < SB) CC(sub, 13, SA >= SB) CC(sub, 14, SA <= SB) CC(sub, 15, SA > SB)
/* after a logic op CF = OF = 0 */
CC(logic, 0, false) CC(logic, 1, true) CC(logic, 2, false) CC(logic, 3, true)
CC(logic, 4, fr == 0) CC(logic, 5, fr != 0) CC(logic, 6, fr == 0) CC(logic, 7, fr != 0)
CC(logic, 8, SR < 0) CC(logic, 9, SR >= 0) CC_PLAIN(logic, 10) CC_PLAIN(logic, 11)
CC(logic, 12, SR < 0) CC(logic, 13, SR >= 0) CC(logic, 14, SR <= 0) CC(logic, 15, SR > 0)
/* after ADD only ZF and SF are simple */
CC_PLAIN(add, 0) CC_PLAIN(add, 1) CC_PLAIN(add, 2) CC_PLAIN(add, 3)
CC(add, 4, fr == 0) CC(add, 5, fr != 0) CC_PLAIN(add, 6) CC_PLAIN(add, 7)
CC(add, 8, SR < 0) CC(add, 9, SR >= 0) CC_PLAIN(add, 10) CC_PLAIN(add, 11)
CC_PLAIN(add, 12) CC_PLAIN(add, 13) CC_PLAIN(add, 14) CC_PLAIN(add, 15)
fused_taken: /* in: the ALU instruction; the Jcc after it is taken */
    in++;
    cpu->rip = next;
    next = (next + in->len) & ripmask;
    TARGET();
    link = 0;
    LEAVE(l_chain);
fused_not:
    in++;
    cpu->rip = next;
    next = (next + in->len) & ripmask;
    NEXT();
fused_plain: /* the Jcc evaluates the lazy flags itself */
    in++;
    cpu->rip = next;
    DISPATCH();
l_shl_ri: { /* the count is not 0 (fast_form) */
    uint64_t m = MASK, a = RA & m, c = in->imm & (in->osz * 8u - 1);
    RA = (a << c) & m;
    lf_set(cpu, LF_SHL, in->osz, RA, a, c);
    NEXT();
}
l_shr_ri: {
    uint64_t m = MASK, a = RA & m, c = in->imm & (in->osz * 8u - 1);
    RA = a >> c;
    lf_set(cpu, LF_SHR, in->osz, RA, a, c);
    NEXT();
}
l_sar_ri: {
    uint64_t m = MASK, a = RA & m, c = in->imm & (in->osz * 8u - 1);
    RA = (uint64_t)(sext_bytes(a, in->osz) >> c) & m;
    lf_set(cpu, LF_SAR, in->osz, RA, a, c);
    NEXT();
}
l_imul32_r: {
    uint64_t v = RB;
    goto imul32;
l_imul32_m:
    LOADM(v, 4);
imul32:;
    int64_t p = (int64_t)(int32_t)(uint32_t)RA * (int32_t)(uint32_t)v;
    uint64_t lo = (uint64_t)p & 0xffffffffu;
    RA = lo;
    lf_set(cpu, LF_MUL, 4, lo, 0, 0);
    cpu->lf.cf_in = p != (int64_t)(int32_t)(uint32_t)lo;
    NEXT();
}
JCC(0) JCC(1) JCC(2) JCC(3) JCC(4) JCC(5) JCC(6) JCC(7)
JCC(8) JCC(9) JCC(10) JCC(11) JCC(12) JCC(13) JCC(14) JCC(15)
l_jmp:
    TARGET();
    link = 0;
    LEAVE(l_chain);
l_generic: {
    const x86_opinfo *info = &x86_opinfo_table[in->op];
    uint64_t left = (uint64_t)(end - in); /* this one and the rest: not yet retired */
    cpu->icount -= left;
    cpu->tsc -= left;
    cpu->run_block = NULL;
    cpu->next_rip = next;
    slow = true;
    if ((info->attr & A_PRIV) && cpu->cpl != 0)
        x86_fault(cpu, EXC_GP, 0);
    handlers[in->op](cpu, in);
    cpu->rip = cpu->next_rip;
    cpu->tsc++;
    cpu->icount++;
    if (cpu->shadow)
        cpu->shadow--;
    if (unlikely(cpu->smc)) {
        cpu->smc = false;
        goto l_exit;
    }
    if ((info->attr & A_END) || cpu->next_rip != next || cpu->halted)
        goto l_exit;
    cpu->icount += left - 1;
    cpu->tsc += left - 1;
    cpu->run_block = b;
    in++;
    DISPATCH();
}
l_end: /* the block ran to its end (the sentinel's next is its own address) */
    tgt = next;
    link = 1;
l_chain: { /* tgt = cpu->rip, the next instruction: after an inline jump (link 0) or the end */
    /* Events and stop requests come from handlers and devices, reached only through a
     * handler or a slow access (the run loop polls between slices). */
    if (unlikely(slow))
        goto l_exit;
    /* Nothing but inline forms ran since the last full lookup, so mode, mappings and
     * code bytes (a store to code is slow) are unchanged: a block loops to itself, and
     * one in the same page linked under this epoch is still what a lookup would find. */
    uint64_t lin = (csbase + tgt) & ripmask;
    if (lin + 1 == b->lip)
        goto enter;
    x86_block *t = b->link[link];
    if (likely(t && t->lip == lin + 1 && b->link_epoch[link] == epoch &&
               *t->genp == t->gen)) {
        b = t;
        goto enter;
    }
    t = block_find(cpu, lin);
    if (!t) {
        cpu->run_block = NULL;
        return;
    }
    if (((lin ^ (b->lip - 1)) >> 12) == 0) { /* same page: the mapping checked for b */
        b->link[link] = t;
        b->link_epoch[link] = epoch;
    }
    b = t;
    goto enter;
}
l_exit: /* after a handler, SMC or a slow access: events first, then the full lookup */
    slow = false;
    if (must_leave_threaded(cpu)) {
        cpu->run_block = NULL;
        return;
    }
    b = block_find(cpu, code_linear(cpu, cpu->rip));
    if (!b) {
        cpu->run_block = NULL;
        return;
    }
    tgt = cpu->rip;
    goto mode;
#undef DISPATCH
#undef NEXT
#undef LEAVE
#undef MASK
#undef TARGET
#undef RA
#undef RB
#undef EA
#undef LOADM
#undef LOADM_AT
#undef STOREM_AT
#undef LOADM_OSZ
#undef STOREM
#undef FLAGS
#undef ALU
#undef ALU_FORMS
#undef CC
#undef CC_PLAIN
#undef SA
#undef SB
#undef SR
#undef JCC
}

uint64_t x86_cpu_run(x86_cpu *cpu, uint64_t budget)
{
    machine *m = cpu->m;
    const uint64_t start = cpu->icount;
    jmp_buf jb;
    cpu->feat = x86_feature_mask(cpu);
    cpu->trace_insn = m->log.trace_insn;
    cpu->exc.pending = false;
    cpu->fault_jmp = &jb;
    if (setjmp(jb)) {
        /* A fault: cpu->rip is the faulting instruction, cpu->exc describes it. */
        if (cpu->run_block)
            uncount_block_rest(cpu);
        cpu->smc = false;
        cpu->dr_hit = 0; /* a faulting instruction completes no data breakpoint */
        cpu->next_rip = cpu->rip;
        cpu->icount++;
        cpu->fault_jmp = &jb;
        if (cpu->stop_on_exception) {
            cpu->exc.pending = true;
            cpu->fault_jmp = NULL;
            return cpu->icount - start;
        }
        x86_event(cpu, cpu->exc.vector, EV_EXC, cpu->exc.has_error, cpu->exc.error);
        cpu->rip = cpu->next_rip;
    }
    while (cpu->icount - start < budget && !m->stop) {
        if (cpu->exc.pending)
            break;
        if (unlikely(cpu->nmi_pending || cpu->intr_line) && interrupt_ready(cpu))
            take_interrupt(cpu);
        if (cpu->halted)
            break;
        uint64_t rip = cpu->rip;
        uint64_t lin = code_linear(cpu, rip);
        uint64_t pa;
        const uint8_t *host = x86_fetch_ptr(cpu, lin, &pa);
        if (!host) {
            x86_insn one;
            decode_one(cpu, rip, &one);
            exec_insn(cpu, &one);
            continue;
        }
        x86_block *b = &cpu->blocks[block_slot(lin)];
        if (b->lip != lin + 1 || b->host != host || !b->genp || *b->genp != b->gen ||
            b->mode != cpu->code_bits)
            build_block(cpu, b, rip, lin, host);
        if (b->n == 0) {
            /* The first instruction crosses the page: kept as such (block_find never
             * returns it), so the next visit goes straight to decode_one. */
            x86_insn one;
            decode_one(cpu, rip, &one);
            exec_insn(cpu, &one);
            continue;
        }
        const x86_insn *in = b->insn, *end = b->insn + b->n;
        const uint64_t stop_at = start + budget;
        if (likely(!cpu->trace_insn && !(cpu->flags & FL_TF) && !cpu->shadow &&
                   !(cpu->dbg_exec | cpu->dbg_data)) &&
            cpu->icount + b->n <= stop_at) {
            run_threaded(cpu, b, stop_at);
            continue;
        }
        for (; in < end && cpu->icount < stop_at; in++)
            if (!exec_insn(cpu, in))
                break;
    }
    cpu->fault_jmp = NULL;
    return cpu->icount - start;
}
