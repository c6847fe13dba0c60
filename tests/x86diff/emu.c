/* The emulator side of the differential test: one machine with a small RAM, 4-level page
 * tables mapping the code and data pages at the virtual addresses of x86diff.h (nothing
 * else is mapped, as in the native child), and the CPU in 64-bit mode at CPL 3 like the
 * host process. Each case writes its code and data into RAM, loads the registers, runs
 * with stop_on_exception until the first exception (the INT3 end marker or a fault) and
 * reads the state back. Built only when the CPU's header exists (the x86 branch). */
#include "x86diff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include("arch/x86/cpu.h")
#define XD_HAVE_X86 1
#endif
#endif

#ifdef XD_HAVE_X86

#include "arch/x86/cpu.h"

/* Guest-physical layout */
#define RAM_SIZE (1u << 20)
#define PA_PML4 0x1000u
#define PA_PDPT 0x2000u
#define PA_PD 0x3000u
#define PA_PT_CODE 0x4000u
#define PA_PT_DATA 0x5000u
#define PA_CODE 0x10000u
#define PA_DATA 0x20000u
#define PA_TSS 0x30000u
/* The TSS (for the I/O permission check of IN/OUT at CPL 3): a supervisor page in the
 * data page table, far from anything generated code addresses. */
#define VA_TSS (XD_DATA_VA + 0x100000u)
/* The IDT, only for the privilege checks of INT n (delivery stops at the exception):
 * like Linux's, the gates of #BP (3) and #OF (4) have DPL 3, every other one DPL 0. */
#define PA_IDT 0x31000u
#define VA_IDT (VA_TSS + 0x1000u)
#define PTE_P 1u
#define PTE_W 2u
#define PTE_U 4u
/* Runaway guard: REP string operations over the whole data area stay far below it. */
#define BUDGET 1000000u

struct xd_emu {
    machine m;
    bus io;
    x86_cpu cpu;
};

static bool put64(xd_emu *e, gpa_t pa, uint64_t v)
{
    return bus_write(&e->m.bus, pa, 8, v);
}

/* SDM Vol.3 §4.5: PML4E -> PDPTE -> PDE -> PTE, 4 KiB pages, user+writable. */
static bool build_page_tables(xd_emu *e)
{
    const uint64_t f = PTE_P | PTE_W | PTE_U;
    bool ok = put64(e, PA_PML4, PA_PDPT | f) && put64(e, PA_PDPT, PA_PD | f) &&
              put64(e, PA_PD + 8 * ((XD_CODE_VA >> 21) & 511), PA_PT_CODE | f) &&
              put64(e, PA_PD + 8 * ((XD_DATA_VA >> 21) & 511), PA_PT_DATA | f) &&
              put64(e, PA_PT_CODE + 8 * ((XD_CODE_VA >> 12) & 511), PA_CODE | f);
    /* Like Linux's: a 64-bit TSS whose I/O map base lies beyond its limit, so every port
     * access at CPL 3 with IOPL 0 raises #GP(0) (SDM Vol.1 §19.5.2). */
    ok = ok && put64(e, PA_PT_DATA + 8 * ((VA_TSS >> 12) & 511), PA_TSS | PTE_P | PTE_W) &&
         bus_write(&e->m.bus, PA_TSS + 0x66, 2, 0xffff);
    ok = ok && put64(e, PA_PT_DATA + 8 * ((VA_IDT >> 12) & 511), PA_IDT | PTE_P | PTE_W);
    for (unsigned v = 3; v <= 4; v++) /* 64-bit interrupt gate, P, DPL 3, CS 0x08 */
        ok = ok && put64(e, PA_IDT + 16 * v, (0x08u << 16) | (0xeeull << 40));
    for (unsigned i = 0; i < XD_DATA_SIZE / 4096; i++)
        ok = ok && put64(e, PA_PT_DATA + 8 * (((XD_DATA_VA >> 12) + i) & 511),
                         (PA_DATA + 4096u * i) | f);
    return ok;
}

static void setup_mode(xd_emu *e);

xd_emu *xd_emu_open(char *why, size_t whylen)
{
    xd_emu *e = calloc(1, sizeof *e);
    vm_error err = { { 0 } };
    if (!e) {
        snprintf(why, whylen, "out of memory");
        return NULL;
    }
    bus_init(&e->m.bus);
    bus_init(&e->io);
    if (!bus_add_ram(&e->m.bus, 0, RAM_SIZE, "ram", &err) || !build_page_tables(e)) {
        snprintf(why, whylen, "emulator RAM: %s", err.msg);
        bus_destroy(&e->m.bus);
        free(e);
        return NULL;
    }
    e->cpu.io = &e->io;
    if (!x86_cpu_init(&e->cpu, &e->m, &err)) {
        snprintf(why, whylen, "x86_cpu_init: %s", err.msg);
        bus_destroy(&e->m.bus);
        free(e);
        return NULL;
    }
    e->cpu.io = &e->io;
    setup_mode(e);
    return e;
}

/* Full tag word from the abridged one and the register contents (SDM Vol.1 §8.1.7):
 * 00 valid, 01 zero, 10 special (NaN, infinity, denormal, unsupported), 11 empty. */
static uint16_t full_tag(const xd_state *s)
{
    unsigned top = (s->fsw >> 11) & 7;
    uint16_t tw = 0;
    for (unsigned phys = 0; phys < 8; phys++) {
        const uint8_t *r = s->st[(phys - top) & 7];
        uint64_t mant;
        memcpy(&mant, r, 8);
        unsigned exp = (unsigned)(r[8] | (r[9] << 8)) & 0x7fff;
        unsigned t;
        if (!(s->ftw & (1u << phys)))
            t = 3;
        else if (exp == 0 && mant == 0)
            t = 1;
        else if (exp == 0x7fff || exp == 0 || !(mant >> 63))
            t = 2;
        else
            t = 0;
        tw |= (uint16_t)(t << (2 * phys));
    }
    return tw;
}

/* Once per machine: reset is costly (it clears the decoded-block cache), and nothing a
 * generated case can do at CPL 3 changes the mode, the segments or the control registers;
 * the code page's rewrite between cases invalidates its decoded blocks through the bus. */
static void setup_mode(xd_emu *e)
{
    x86_cpu *cpu = &e->cpu;
    x86_cpu_reset(cpu);
    cpu->cr3 = PA_PML4;
    x86_cpu_load_flat_mode(cpu, 64);
    /* Linux runs user code with CR0.NE (x87 errors as #MF), MP, no EM/TS, with
     * OSFXSR/OSXMMEXCPT (SSE enabled, unmasked SIMD exceptions as #XM) and EFER.NXE (which
     * makes #PF report instruction fetches in the error code's I/D bit). */
    cpu->cr0 = (cpu->cr0 | CR0_NE | CR0_MP) & ~(CR0_EM | CR0_TS);
    cpu->cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
    cpu->efer |= EFER_NXE;
    /* CPL 3 like the host process: user code and stack segments. */
    cpu->cpl = 3;
    cpu->seg[SEG_CS].sel |= 3;
    cpu->seg[SEG_CS].attr |= SA_DPL;
    cpu->seg[SEG_SS].sel |= 3;
    cpu->seg[SEG_SS].attr |= SA_DPL;
    cpu->tr.base = VA_TSS;
    cpu->tr.limit = 0x67;
    cpu->tr.attr = SA_P | 0xb;
    cpu->idtr.base = VA_IDT;
    cpu->idtr.limit = 0xfff;
    cpu->stop_on_exception = true;
}

static void load_state(xd_emu *e, const xd_case *c)
{
    x86_cpu *cpu = &e->cpu;
    const xd_state *s = &c->init;
    /* a previous case may have ended in a triple fault (reset request): start clean */
    e->m.stop = 0;
    e->m.reset_requested = false;
    cpu->exc.pending = false;
    cpu->halted = false;
    cpu->shadow = 0;
    cpu->fault_depth = 0;
    cpu->delivering = -1;
    cpu->triple_fault = false;
    memcpy(cpu->gpr, s->gpr, sizeof cpu->gpr);
    cpu->rip = XD_CODE_VA;
    x86_cpu_set_rflags(cpu, s->rflags);
    for (int i = 0; i < 16; i++)
        memcpy(cpu->xmm[i].q, s->xmm[i], 16);
    cpu->mxcsr = s->mxcsr;
    cpu->fcw = s->fcw;
    cpu->fsw = s->fsw;
    cpu->ftw = full_tag(s);
    unsigned top = (s->fsw >> 11) & 7;
    for (unsigned i = 0; i < 8; i++)
        memcpy(cpu->st[(top + i) & 7], s->st[i], 10);
    bus_copy_to_ram(&e->m.bus, PA_CODE, c->code, XD_CODE_SIZE);
    bus_copy_to_ram(&e->m.bus, PA_DATA, s->data, XD_DATA_SIZE);
}

static void save_state(xd_emu *e, xd_state *s)
{
    x86_cpu *cpu = &e->cpu;
    memcpy(s->gpr, cpu->gpr, sizeof s->gpr);
    s->rip = cpu->rip;
    s->rflags = x86_cpu_rflags(cpu);
    for (int i = 0; i < 16; i++)
        memcpy(s->xmm[i], cpu->xmm[i].q, 16);
    s->mxcsr = cpu->mxcsr;
    s->fcw = cpu->fcw;
    s->fsw = cpu->fsw;
    s->ftw = 0;
    for (unsigned phys = 0; phys < 8; phys++)
        if (((cpu->ftw >> (2 * phys)) & 3) != 3)
            s->ftw |= (uint8_t)(1u << phys);
    unsigned top = (cpu->fsw >> 11) & 7;
    for (unsigned i = 0; i < 8; i++)
        memcpy(s->st[i], cpu->st[(top + i) & 7], 10);
    bus_copy_from_ram(&e->m.bus, PA_DATA, s->data, XD_DATA_SIZE);
}

void xd_emu_run(xd_emu *e, const xd_case *c, xd_result *r)
{
    load_state(e, c);
    r->retired = x86_cpu_run(&e->cpu, BUDGET);
    save_state(e, &r->s);
    if (e->cpu.exc.pending) {
        r->vector = e->cpu.exc.vector;
        r->error = e->cpu.exc.has_error ? e->cpu.exc.error : 0;
        r->cr2 = e->cpu.exc.cr2;
    } else if (e->m.reset_requested) {
        r->vector = -3; /* the CPU asked for a reset (triple fault) */
        r->error = 0;
        r->cr2 = 0;
    } else {
        r->vector = -2; /* stopped without an exception: budget ran out or HLT */
        r->error = 0;
        r->cr2 = 0;
    }
}

uint32_t xd_emu_features(xd_emu *e)
{
    uint32_t l0[4], l1[4], l7[4], l81[4];
    x86_cpuid(&e->cpu, 0, 0, l0);
    x86_cpuid(&e->cpu, 1, 0, l1);
    x86_cpuid(&e->cpu, 7, 0, l7);
    x86_cpuid(&e->cpu, 0x80000001u, 0, l81);
    return xd_features(l0, l1, l7, l81);
}

void xd_emu_close(xd_emu *e)
{
    if (!e)
        return;
    x86_cpu_destroy(&e->cpu);
    bus_destroy(&e->io);
    bus_destroy(&e->m.bus);
    free(e);
}

void xd_emu_disasm(const uint8_t *code, size_t n, uint64_t rip, char *buf, size_t len)
{
    x86_insn in;
    if (x86_decode(code, n, 64, ~0u, &in) != X86_DEC_OK)
        snprintf(buf, len, "(not decoded)");
    else
        x86_disasm(&in, rip, buf, len);
}

#else

void xd_emu_disasm(const uint8_t *code, size_t n, uint64_t rip, char *buf, size_t len)
{
    (void)code, (void)n, (void)rip;
    snprintf(buf, len, "?");
}

xd_emu *xd_emu_open(char *why, size_t whylen)
{
    snprintf(why, whylen, "this tree has no x86 CPU (src/arch/x86/cpu.h)");
    return NULL;
}

void xd_emu_run(xd_emu *e, const xd_case *c, xd_result *r)
{
    (void)e, (void)c;
    memset(r, 0, sizeof *r);
    r->vector = -2;
}

uint32_t xd_emu_features(xd_emu *e)
{
    (void)e;
    return 0;
}

void xd_emu_close(xd_emu *e)
{
    (void)e;
}

#endif
