/* The x86 CPU's life cycle and run loop: power-on state, RFLAGS access, interrupt pins,
 * and the block interpreter. Guest code is decoded once into blocks of x86_insn records
 * (straight-line code up to a control transfer / mode change or the end of the page),
 * keyed by linear address and code size, validated at entry against the RAM page's write
 * generation (mem/bus.h code-page tracking). Dispatch is one indirect call per
 * instruction through the handler table generated from opcodes.def.
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
    /* Alignment checks now apply at CPL 3: user data pages must leave the TLB (mmu.c). */
    if (unlikely(cpu->flags & ~old & FL_AC) && (cpu->cr0 & CR0_AM))
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
    if (!cpu->blocks) {
        vm_error_set(err, "x86: out of memory for the block cache");
        return false;
    }
    if (!bus_code_listener_add(&m->bus, drop_write_page, cpu)) {
        free(cpu->blocks);
        cpu->blocks = NULL;
        vm_error_set(err, "x86: too many code-page listeners on the bus");
        return false;
    }
    x86_cpu_reset(cpu);
    return true;
}

void x86_cpu_destroy(x86_cpu *cpu)
{
    free(cpu->blocks);
    cpu->blocks = NULL;
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
    int (*ack)(void *) = cpu->intr_ack;
    void *opaque = cpu->intr_opaque;
    const x86_board_hooks *board = cpu->board;
    bool stop = cpu->stop_on_exception;
    memset(cpu, 0, sizeof *cpu);
    cpu->m = m;
    cpu->io = io;
    cpu->blocks = blocks;
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
    size_t room = 4096 - (lin & 0xfff), off = 0;
    unsigned n = 0;
    while (n < X86_BLOCK_MAX && off < room) {
        x86_insn *in = &b->insn[n];
        int r = x86_decode(host + off, room - off, cpu->code_bits, cpu->feat, in);
        if (r != X86_DEC_OK)
            break; /* faults and page-crossers are handled by decode_one when reached */
        if (cpu->code_bits != 64 && rip + off + in->len - 1 > cpu->seg[SEG_CS].limit)
            break;
        n++;
        off += in->len;
        if (x86_opinfo_table[in->op].attr & A_END)
            break;
    }
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


/* Threaded dispatch over a decoded block (the RISC-V interp.c design): one indirect jump
 * per instruction through a label table; the hottest integer forms run inline, the rest
 * through their handler. Used when no per-instruction work is pending (no trace, no
 * single-step, no interrupt shadow); those cases take exec_insn. */
static void run_block_threaded(x86_cpu *cpu, const x86_insn *in, const x86_insn *end,
                               uint64_t stop_at)
{
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
    static const void *const labels[X86_OP_COUNT] = {
        [0 ... X86_OP_COUNT - 1] = &&generic,
        [X86_OP_MOV_GvEv] = &&mov_load,   [X86_OP_MOV_EvGv] = &&mov_store,
        [X86_OP_LEA] = &&lea,
        [X86_OP_JO_Jb] = &&jcc,  [X86_OP_JNO_Jb] = &&jcc, [X86_OP_JB_Jb] = &&jcc,
        [X86_OP_JAE_Jb] = &&jcc, [X86_OP_JE_Jb] = &&jcc,  [X86_OP_JNE_Jb] = &&jcc,
        [X86_OP_JBE_Jb] = &&jcc, [X86_OP_JA_Jb] = &&jcc,  [X86_OP_JS_Jb] = &&jcc,
        [X86_OP_JNS_Jb] = &&jcc, [X86_OP_JP_Jb] = &&jcc,  [X86_OP_JNP_Jb] = &&jcc,
        [X86_OP_JL_Jb] = &&jcc,  [X86_OP_JGE_Jb] = &&jcc, [X86_OP_JLE_Jb] = &&jcc,
        [X86_OP_JG_Jb] = &&jcc,
        [X86_OP_JO_Jz] = &&jcc,  [X86_OP_JNO_Jz] = &&jcc, [X86_OP_JB_Jz] = &&jcc,
        [X86_OP_JAE_Jz] = &&jcc, [X86_OP_JE_Jz] = &&jcc,  [X86_OP_JNE_Jz] = &&jcc,
        [X86_OP_JBE_Jz] = &&jcc, [X86_OP_JA_Jz] = &&jcc,  [X86_OP_JS_Jz] = &&jcc,
        [X86_OP_JNS_Jz] = &&jcc, [X86_OP_JP_Jz] = &&jcc,  [X86_OP_JNP_Jz] = &&jcc,
        [X86_OP_JL_Jz] = &&jcc,  [X86_OP_JGE_Jz] = &&jcc, [X86_OP_JLE_Jz] = &&jcc,
        [X86_OP_JG_Jz] = &&jcc,
        [X86_OP_ADD_EvGv] = &&alu_rr, [X86_OP_ADD_GvEv] = &&alu_rr,
        [X86_OP_SUB_EvGv] = &&alu_rr, [X86_OP_SUB_GvEv] = &&alu_rr,
        [X86_OP_AND_EvGv] = &&alu_rr, [X86_OP_AND_GvEv] = &&alu_rr,
        [X86_OP_OR_EvGv] = &&alu_rr,  [X86_OP_OR_GvEv] = &&alu_rr,
        [X86_OP_XOR_EvGv] = &&alu_rr, [X86_OP_XOR_GvEv] = &&alu_rr,
        [X86_OP_CMP_EvGv] = &&alu_rr, [X86_OP_CMP_GvEv] = &&alu_rr,
    };
#pragma GCC diagnostic pop
    uint64_t *const gpr = cpu->gpr;
    uint64_t next;

#define DISPATCH()                                                                           \
    do {                                                                                     \
        next = cpu->rip + in->len;                                                           \
        if (cpu->code_bits != 64)                                                            \
            next &= 0xffffffffu;                                                             \
        cpu->next_rip = next;                                                                \
        goto *labels[in->op];                                                                \
    } while (0)
/* retire the instruction and go on with the next one of the block */
#define NEXT()                                                                               \
    do {                                                                                     \
        cpu->rip = next;                                                                     \
        cpu->tsc++;                                                                          \
        if (++cpu->icount >= stop_at || ++in == end)                                         \
            return;                                                                          \
        DISPATCH();                                                                          \
    } while (0)
/* retire a taken transfer: the block ends */
#define LEAVE()                                                                              \
    do {                                                                                     \
        cpu->rip = cpu->next_rip;                                                            \
        cpu->tsc++;                                                                          \
        cpu->icount++;                                                                       \
        return;                                                                              \
    } while (0)

    DISPATCH();

mov_load: /* MOV Gv, Ev with a 32/64-bit operand */
    if (in->osz < 4)
        goto generic;
    if (in->mod == 3)
        gpr[in->reg] = gpr[in->rm] & mask_bytes(in->osz);
    else
        gpr[in->reg] = x86_read(cpu, in->seg, x86_ea(cpu, in), in->osz);
    NEXT();
mov_store:
    if (in->osz < 4)
        goto generic;
    if (in->mod == 3) {
        gpr[in->rm] = gpr[in->reg] & mask_bytes(in->osz);
    } else {
        x86_write(cpu, in->seg, x86_ea(cpu, in), in->osz, gpr[in->reg]);
        if (unlikely(cpu->smc)) {
            cpu->smc = false;
            LEAVE();
        }
    }
    NEXT();
lea:
    reg_set(cpu, in->reg, in->osz, true, x86_ea(cpu, in));
    NEXT();
jcc:
    if (x86_cond(cpu, x86_opinfo_table[in->op].arg)) {
        x86_jump_near(cpu, next + in->imm, in->osz);
        LEAVE();
    }
    cpu->rip = next;
    cpu->tsc++;
    cpu->icount++;
    return; /* Jcc ends its block */
alu_rr: { /* register-register ALU with a 32/64-bit operand */
    if (in->mod != 3 || in->osz < 4)
        goto generic;
    unsigned op = x86_opinfo_table[in->op].arg;
    bool to_rm = in->opd[0] == O_Ev;
    unsigned dst = to_rm ? in->rm : in->reg, src = to_rm ? in->reg : in->rm;
    uint64_t m = mask_bytes(in->osz);
    uint64_t a = gpr[dst] & m, b = gpr[src] & m, r;
    int lf;
    switch (op) {
    case 0: r = a + b; lf = LF_ADD; break;
    case 1: r = a | b; lf = LF_LOGIC; break;
    case 4: r = a & b; lf = LF_LOGIC; break;
    case 6: r = a ^ b; lf = LF_LOGIC; break;
    default: r = a - b; lf = LF_SUB; break; /* SUB, CMP */
    }
    r &= m;
    if (op != 7)
        gpr[dst] = r;
    lf_set(cpu, lf, in->osz, r, a, b);
    cpu->lf.cf_in = 0;
    NEXT();
}
generic: {
    const x86_opinfo *info = &x86_opinfo_table[in->op];
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
        return;
    }
    if ((info->attr & A_END) || cpu->next_rip != next || cpu->halted ||
        cpu->icount >= stop_at || ++in == end)
        return;
    DISPATCH();
}
#undef DISPATCH
#undef NEXT
#undef LEAVE
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
        x86_block *b = &cpu->blocks[(lin ^ (lin >> 12)) & (X86_BLOCK_CACHE - 1)];
        if (b->lip != lin + 1 || b->host != host || !b->genp || *b->genp != b->gen ||
            b->mode != cpu->code_bits)
            build_block(cpu, b, rip, lin, host);
        if (b->n == 0) {
            b->lip = 0;
            x86_insn one;
            decode_one(cpu, rip, &one);
            exec_insn(cpu, &one);
            continue;
        }
        const x86_insn *in = b->insn, *end = b->insn + b->n;
        const uint64_t stop_at = start + budget;
        if (likely(!cpu->trace_insn && !(cpu->flags & FL_TF) && !cpu->shadow &&
                   !(cpu->dbg_exec | cpu->dbg_data))) {
            run_block_threaded(cpu, in, end, stop_at);
            continue;
        }
        for (; in < end && cpu->icount < stop_at; in++)
            if (!exec_insn(cpu, in))
                break;
    }
    cpu->fault_jmp = NULL;
    return cpu->icount - start;
}
