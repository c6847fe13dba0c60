/* The x86 CPU running small programs on a flat-memory machine (RAM at 0, identity-mapped
 * with 2 MiB pages in 64-bit mode): registers, flags, stack, strings, multiply/divide,
 * faults with their error codes, self-modifying code. The programs were assembled from
 * the Intel-syntax source in the comment above each (GNU as). */
#include <stdlib.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "check.h"

#define RAM_SIZE (8 * MiB)
#define CODE 0x100000

static machine m;
static x86_cpu cpu;

static uint64_t mask_of(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

static void wr64(uint64_t a, uint64_t v)
{
    bus_write(&m.bus, a, 8, v);
}

static uint64_t rd(uint64_t a, unsigned size)
{
    uint64_t v = 0;
    bus_read(&m.bus, a, size, &v);
    return v;
}

/* PML4 at 0x1000 → PDPT 0x2000 → PD 0x3000: 0..8 MiB identity, 2 MiB pages. */
static void build_tables(void)
{
    wr64(0x1000, 0x2000 | 3);
    wr64(0x2000, 0x3000 | 3);
    for (uint64_t i = 0; i < 4; i++)
        wr64(0x3000 + 8 * i, (i << 21) | 0x83);
}

static void setup64(const uint8_t *code, size_t len)
{
    memset(bus_ram_ptr(&m.bus, 0, RAM_SIZE), 0, RAM_SIZE);
    bus_ram_written(&m.bus, 0, RAM_SIZE);
    x86_cpu_reset(&cpu);
    build_tables();
    cpu.cr3 = 0x1000;
    x86_cpu_load_flat_mode(&cpu, 64);
    bus_copy_to_ram(&m.bus, CODE, code, len);
    cpu.rip = CODE;
    cpu.gpr[RSP] = 0x80000;
}

static const uint8_t prog_alu[] = {
  0x48, 0xc7, 0xc0, 0x7f, 0x00, 0x00, 0x00, 0x04, 0x01, 0x9c, 0x5b, 0x48,
  0xc7, 0xc1, 0xff, 0xff, 0xff, 0xff, 0x48, 0x83, 0xc1, 0x01, 0x9c, 0x5a,
  0x48, 0xc7, 0xc6, 0x0a, 0x00, 0x00, 0x00, 0x31, 0xff, 0x48, 0x01, 0xf7,
  0x48, 0xff, 0xce, 0x75, 0xf8, 0xf4
};
static const uint8_t prog_call[] = {
  0x48, 0xc7, 0xc4, 0x00, 0x00, 0x08, 0x00, 0x48, 0xc7, 0xc0, 0x05, 0x00,
  0x00, 0x00, 0xe8, 0x01, 0x00, 0x00, 0x00, 0xf4, 0x48, 0x83, 0xf8, 0x01,
  0x76, 0x0e, 0x50, 0x48, 0xff, 0xc8, 0xe8, 0xf1, 0xff, 0xff, 0xff, 0x59,
  0x48, 0x0f, 0xaf, 0xc1, 0xc3
};
static const uint8_t prog_str[] = {
  0x48, 0xc7, 0xc7, 0x00, 0x00, 0x20, 0x00, 0xb0, 0x5a, 0x48, 0xc7, 0xc1,
  0x64, 0x00, 0x00, 0x00, 0xfc, 0xf3, 0xaa, 0x48, 0xc7, 0xc6, 0x00, 0x00,
  0x20, 0x00, 0x48, 0xc7, 0xc7, 0x00, 0x10, 0x20, 0x00, 0x48, 0xc7, 0xc1,
  0x64, 0x00, 0x00, 0x00, 0xf3, 0xa4, 0x48, 0xc7, 0xc7, 0x00, 0x10, 0x20,
  0x00, 0xb0, 0x5a, 0x48, 0xc7, 0xc1, 0xc8, 0x00, 0x00, 0x00, 0xf3, 0xae,
  0xf4
};
static const uint8_t prog_muldiv[] = {
  0x48, 0xb8, 0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12, 0x48, 0xb9,
  0x21, 0x43, 0x65, 0x87, 0xa9, 0xcb, 0xed, 0x0f, 0x48, 0xf7, 0xe1, 0x49,
  0x89, 0xc0, 0x49, 0x89, 0xd1, 0x48, 0xc7, 0xc0, 0xf9, 0xff, 0xff, 0xff,
  0x48, 0x99, 0x48, 0xc7, 0xc1, 0x02, 0x00, 0x00, 0x00, 0x48, 0xf7, 0xf9,
  0x49, 0x89, 0xc2, 0x49, 0x89, 0xd3, 0xb8, 0x01, 0x00, 0x00, 0x00, 0x31,
  0xd2, 0x31, 0xc9, 0xf7, 0xf1, 0xf4
};
static const uint8_t prog_smc[] = {
  0x48, 0x8d, 0x1d, 0x04, 0x00, 0x00, 0x00, 0xc6, 0x43, 0x01, 0x42, 0xb0,
  0x11, 0xf4
};

static void test_alu(void)
{
    setup64(prog_alu, sizeof prog_alu);
    x86_cpu_run(&cpu, 1000);
    CHECK(cpu.halted, "alu: reaches hlt");
    /* 0x7f + 1 in AL: OF SF AF set, ZF CF clear, PF clear (0x80 has one bit) */
    CHECK_EQ(cpu.gpr[RBX] & 0x8d5, 0x890, "add al: OF SF AF");
    /* -1 + 1 (64-bit): CF ZF AF PF set */
    CHECK_EQ(cpu.gpr[RDX] & 0x8d5, 0x55, "add rcx: CF ZF AF PF");
    CHECK_EQ(cpu.gpr[RDI], 55, "loop sum 10..1");
    CHECK_EQ(cpu.gpr[RAX], 0x80, "al = 0x80, upper bits kept");
}

static void test_call(void)
{
    setup64(prog_call, sizeof prog_call);
    x86_cpu_run(&cpu, 1000);
    CHECK(cpu.halted, "call: reaches hlt");
    CHECK_EQ(cpu.gpr[RAX], 120, "recursive factorial 5");
    CHECK_EQ(cpu.gpr[RSP], 0x80000, "stack balanced");
}

static void test_strings(void)
{
    setup64(prog_str, sizeof prog_str);
    x86_cpu_run(&cpu, 10000);
    CHECK(cpu.halted, "strings: reaches hlt");
    CHECK_EQ(rd(0x200000 + 99, 1), 0x5a, "rep stosb filled 100 bytes");
    CHECK_EQ(rd(0x200000 + 100, 1), 0, "and no more");
    CHECK_EQ(rd(0x201000 + 50, 1), 0x5a, "rep movsb copied");
    CHECK_EQ(cpu.gpr[RCX], 99, "repe scasb stops after the first mismatch (101st byte)");
    CHECK_EQ(cpu.gpr[RDI], 0x201000 + 101, "rdi past the mismatch");
}

static void test_muldiv(void)
{
    setup64(prog_muldiv, sizeof prog_muldiv);
    cpu.stop_on_exception = true;
    x86_cpu_run(&cpu, 1000);
    cpu.stop_on_exception = false;
    /* 0x123456789abcdef0 * 0x0fedcba987654321 = 0x0121fa00ad77d742_2236d88fe5618cf0 */
    CHECK_EQ(cpu.gpr[R8], 0x2236d88fe5618cf0ull, "mul low");
    CHECK_EQ(cpu.gpr[R9], 0x0121fa00ad77d742ull, "mul high");
    CHECK_EQ(cpu.gpr[R10], (uint64_t)-3, "idiv -7/2 quotient truncates");
    CHECK_EQ(cpu.gpr[R11], (uint64_t)-1, "idiv remainder has the dividend's sign");
    CHECK(cpu.exc.pending, "div by zero stops");
    CHECK_EQ(cpu.exc.vector, 0, "#DE");
    CHECK_EQ(rd(cpu.rip, 2), 0xf1f7, "rip at the faulting div");
}

/* DIV/IDIV at every width on the edges of quotient overflow, run one instruction at a
 * time: an overflowing quotient (including the 2^(2w-1) / -1 case, which C's own signed
 * division cannot compute) must be the guest's #DE with RAX/RDX untouched. */
struct div_case {
    unsigned size;
    bool is_signed;
    uint64_t hi, lo, divisor;
    bool de;
    uint64_t q, r;
};

static const struct div_case div_cases[] = {
    /* 8-bit: AX / r8 → AL quotient, AH remainder (hi ignored) */
    {1, true, 0, 0x8000, 0xff, true, 0, 0},
    {1, true, 0, 0xff80, 0xff, true, 0, 0},
    {1, true, 0, 0xff81, 0xff, false, 0x7f, 0},
    {1, true, 0, 0xff80, 0x01, false, 0x80, 0},
    {1, true, 0, 0xfff9, 0x02, false, 0xfd, 0xff},
    {1, false, 0, 0xffff, 0xff, true, 0, 0},
    {1, false, 0, 0xfeff, 0xff, false, 0xff, 0xfe},
    /* 16-bit: DX:AX */
    {2, true, 0x8000, 0x0000, 0xffff, true, 0, 0},
    {2, true, 0xffff, 0x8000, 0xffff, true, 0, 0},
    {2, true, 0xffff, 0x8001, 0xffff, false, 0x7fff, 0},
    {2, true, 0xffff, 0x8000, 0x0001, false, 0x8000, 0},
    {2, false, 0xffff, 0xffff, 0xffff, true, 0, 0},
    {2, false, 0xfffe, 0xffff, 0xffff, false, 0xffff, 0xfffe},
    /* 32-bit: EDX:EAX; 0x80000000:00000000 / -1 once killed the host with SIGFPE */
    {4, true, 0x80000000, 0x00000000, 0xffffffff, true, 0, 0},
    {4, true, 0xffffffff, 0x80000000, 0xffffffff, true, 0, 0},
    {4, true, 0xffffffff, 0x80000001, 0xffffffff, false, 0x7fffffff, 0},
    {4, true, 0xffffffff, 0x80000000, 0x00000001, false, 0x80000000, 0},
    {4, true, 0x80000000, 0x00000000, 0x00000001, true, 0, 0},
    {4, true, 0x80000000, 0x00000000, 0x80000000, true, 0, 0},
    {4, true, 0xc0000000, 0x00000000, 0x80000000, true, 0, 0},
    {4, true, 0x7fffffff, 0xffffffff, 0x7fffffff, true, 0, 0},
    {4, true, 0x3fffffff, 0x7fffffff, 0x7fffffff, false, 0x7fffffff, 0x7ffffffe},
    {4, true, 0xffffffff, 0xfffffff9, 0x00000002, false, 0xfffffffd, 0xffffffff},
    {4, true, 0x00000000, 0x00000007, 0xfffffffe, false, 0xfffffffd, 0x00000001},
    {4, false, 0xffffffff, 0xffffffff, 0xffffffff, true, 0, 0},
    {4, false, 0xfffffffe, 0xffffffff, 0xffffffff, false, 0xffffffff, 0xfffffffe},
    /* 64-bit: RDX:RAX, a 128-bit dividend */
    {8, true, 0x8000000000000000ull, 0, ~0ull, true, 0, 0},
    {8, true, ~0ull, 0x8000000000000000ull, ~0ull, true, 0, 0},
    {8, true, ~0ull, 0x8000000000000001ull, ~0ull, false, 0x7fffffffffffffffull, 0},
    {8, true, ~0ull, 0x8000000000000000ull, 1, false, 0x8000000000000000ull, 0},
    {8, true, 0x8000000000000000ull, 0, 0x8000000000000000ull, true, 0, 0},
    {8, true, 0xc000000000000000ull, 0, 0x8000000000000000ull, true, 0, 0},
    {8, true, ~0ull, (uint64_t)-7, 2, false, (uint64_t)-3, (uint64_t)-1},
    {8, false, ~0ull, ~0ull, ~0ull, true, 0, 0},
    {8, false, ~0ull - 1, ~0ull, ~0ull, false, ~0ull, ~0ull - 1},
};

static void test_div_edges(void)
{
    int wrong = 0;
    for (size_t i = 0; i < sizeof div_cases / sizeof *div_cases; i++) {
        const struct div_case *c = &div_cases[i];
        /* [66|48] F6/F7 /6 (div ecx) or /7 (idiv ecx); hlt */
        uint8_t code[4];
        size_t n = 0;
        if (c->size == 2)
            code[n++] = 0x66;
        if (c->size == 8)
            code[n++] = 0x48;
        code[n++] = c->size == 1 ? 0xf6 : 0xf7;
        code[n++] = c->is_signed ? 0xf9 : 0xf1;
        uint8_t prog[5];
        memcpy(prog, code, n);
        prog[n] = 0xf4;
        setup64(prog, n + 1);
        const uint64_t junk = 0x5555555555555555ull;
        uint64_t rax = c->size == 1 ? (junk & ~0xffffull) | c->lo
                     : c->size == 8 ? c->lo : (junk & ~mask_of(c->size)) | c->lo;
        uint64_t rdx = c->size == 1 ? junk : c->size == 8 ? c->hi
                     : (junk & ~mask_of(c->size)) | c->hi;
        cpu.gpr[RAX] = rax;
        cpu.gpr[RDX] = rdx;
        cpu.gpr[RCX] = (junk & ~mask_of(c->size)) | c->divisor;
        cpu.stop_on_exception = true;
        x86_cpu_run(&cpu, 10);
        cpu.stop_on_exception = false;
        bool ok;
        if (c->de) {
            ok = cpu.exc.pending && cpu.exc.vector == 0 && cpu.rip == CODE &&
                 cpu.gpr[RAX] == rax && cpu.gpr[RDX] == rdx;
        } else if (c->size == 1) {
            ok = cpu.halted && cpu.gpr[RAX] == ((rax & ~0xffffull) | (c->r << 8) | c->q) &&
                 cpu.gpr[RDX] == rdx;
        } else {
            /* a 32-bit result zero-extends; 16-bit keeps the upper bits */
            uint64_t keep = c->size == 2 ? junk & ~0xffffull : 0;
            ok = cpu.halted && cpu.gpr[RAX] == (keep | c->q) && cpu.gpr[RDX] == (keep | c->r);
        }
        if (!ok) {
            printf("# div case %zu: size %u %s %#llx:%#llx / %#llx -> exc %d vec %u rax %#llx "
                   "rdx %#llx\n", i, c->size, c->is_signed ? "idiv" : "div",
                   (unsigned long long)c->hi, (unsigned long long)c->lo,
                   (unsigned long long)c->divisor, cpu.exc.pending, cpu.exc.vector,
                   (unsigned long long)cpu.gpr[RAX], (unsigned long long)cpu.gpr[RDX]);
            wrong++;
        }
        cpu.exc.pending = false;
    }
    CHECK_EQ(wrong, 0, "div/idiv edges at 8/16/32/64 bits: #DE on overflow, never a host trap");
}

/* FCOMPP with ST(1) empty: a stack underflow. Masked, both pops happen; with IE unmasked
 * the stack is left alone (values measured on the host: FSW 0x4d41 and 0xfdc1). */
static void test_x87_underflow_pops(void)
{
    static const uint16_t cws[] = {0x37f, 0x37e}, want[] = {0x4d41, 0xfdc1};
    for (int k = 0; k < 2; k++) {
        const uint8_t prog[] = {
            0xdb, 0xe3,                                           /* fninit */
            0x68, (uint8_t)cws[k], (uint8_t)(cws[k] >> 8), 0, 0,  /* push cw */
            0xd9, 0x2c, 0x24,                                     /* fldcw [rsp] */
            0xd9, 0xe8,                                           /* fld1 */
            0xde, 0xd9,                                           /* fcompp */
            0xdf, 0xe0,                                           /* fnstsw ax */
            0xf4,                                                 /* hlt */
        };
        setup64(prog, sizeof prog);
        x86_cpu_run(&cpu, 100);
        CHECK(cpu.halted, "fcompp underflow: reaches hlt");
        CHECK_EQ(cpu.gpr[RAX] & 0xffff, want[k],
                 k ? "fcompp underflow, IE unmasked: no pop" : "fcompp underflow, masked: pops");
    }
}

/* REPE CMPSB over more equal bytes than the interpreter runs in one go (it pauses and
 * restarts the instruction), into the unmapped page at 8 MiB: the #PF leaves the flags of
 * before the instruction, as the host does, not those of the compares. */
static void test_rep_cmps_fault_flags(void)
{
    static const uint8_t prog[] = {
        0xb0, 0x7f, 0x04, 0x01,                   /* mov al, 0x7f; add al, 1: OF SF AF */
        0x48, 0xc7, 0xc6, 0x78, 0xec, 0x7f, 0x00, /* mov rsi, 0x800000 - 5000 */
        0x48, 0x89, 0xf7,                         /* mov rdi, rsi */
        0x48, 0xc7, 0xc1, 0x10, 0x27, 0x00, 0x00, /* mov rcx, 10000 */
        0xf3, 0xa6,                               /* repe cmpsb */
        0xf4,
    };
    setup64(prog, sizeof prog);
    cpu.stop_on_exception = true;
    x86_cpu_run(&cpu, 100000);
    cpu.stop_on_exception = false;
    CHECK(cpu.exc.pending && cpu.exc.vector == 14, "repe cmpsb runs into the unmapped page");
    CHECK_EQ(cpu.gpr[RCX], 5000, "after 5000 equal bytes");
    CHECK_EQ(x86_cpu_rflags(&cpu) & 0x8d5, 0x890, "flags as before the instruction");
    cpu.exc.pending = false;
}

static void test_smc(void)
{
    setup64(prog_smc, sizeof prog_smc);
    x86_cpu_run(&cpu, 100);
    CHECK(cpu.halted, "smc: reaches hlt");
    CHECK_EQ(cpu.gpr[RAX] & 0xff, 0x42, "store into the running block is executed");
}

static const uint8_t prog_fp[] = {
  0xdb, 0xe3, 0xdd, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00, 0xdc, 0x04, 0x25,
  0x08, 0x00, 0x20, 0x00, 0xdd, 0x1c, 0x25, 0x10, 0x00, 0x20, 0x00, 0x0f,
  0x28, 0x0c, 0x25, 0x20, 0x00, 0x20, 0x00, 0x0f, 0x58, 0x0c, 0x25, 0x30,
  0x00, 0x20, 0x00, 0x0f, 0x29, 0x0c, 0x25, 0x40, 0x00, 0x20, 0x00, 0x0f,
  0xae, 0x04, 0x25, 0x00, 0x10, 0x20, 0x00, 0x0f, 0x20, 0xc0, 0x48, 0x83,
  0xc8, 0x08, 0x0f, 0x22, 0xc0, 0x0f, 0x58, 0xc9, 0xf4
};

static void wrd(uint64_t a, double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    bus_write(&m.bus, a, 8, v);
}

static void wrf4(uint64_t a, float x0, float x1, float x2, float x3)
{
    float f[4] = {x0, x1, x2, x3};
    bus_copy_to_ram(&m.bus, a, f, 16);
}

/* x87 and SSE wired to the FP libraries; FXSAVE's image; the CR0/CR4 gates. */
static void test_fp(void)
{
    setup64(prog_fp, sizeof prog_fp);
    wrd(0x200000, 1.5);
    wrd(0x200008, 2.25);
    wrf4(0x200020, 1, 2, 3, 4);
    wrf4(0x200030, 0.5, 0.25, -3, 8);
    cpu.cr4 |= CR4_OSFXSR;
    cpu.stop_on_exception = true;
    x86_cpu_run(&cpu, 100);
    cpu.stop_on_exception = false;
    double d;
    uint64_t v = rd(0x200010, 8);
    memcpy(&d, &v, 8);
    CHECK(d == 3.75, "x87 fld/fadd/fstp m64");
    float f[4];
    bus_copy_from_ram(&m.bus, 0x200040, f, 16);
    CHECK(f[0] == 1.5f && f[1] == 2.25f && f[2] == 0.0f && f[3] == 12.0f, "SSE addps");
    CHECK_EQ(rd(0x201000, 2), 0x37f, "FXSAVE: FCW after FNINIT");
    CHECK_EQ(rd(0x201018, 4), 0x1f80, "FXSAVE: MXCSR");
    CHECK_EQ(rd(0x201000 + 160 + 16, 4), 0x3fc00000, "FXSAVE: XMM1 lane 0 = 1.5f");
    CHECK(cpu.exc.pending && cpu.exc.vector == EXC_NM, "CR0.TS: SSE raises #NM");
    /* without CR4.OSFXSR, SSE is #UD */
    setup64(prog_fp, sizeof prog_fp);
    cpu.stop_on_exception = true;
    x86_cpu_run(&cpu, 100);
    cpu.stop_on_exception = false;
    CHECK(cpu.exc.pending && cpu.exc.vector == EXC_UD, "CR4.OSFXSR = 0: movaps is #UD");
    CHECK_EQ(rd(cpu.rip, 2), 0x280f, "at the movaps");
}

static const uint8_t prog_xsave[] = {
  0x0f, 0x20, 0xe0, 0x48, 0x0d, 0x00, 0x06, 0x04, 0x00, 0x0f, 0x22, 0xe0,
  0x31, 0xc9, 0xb8, 0x03, 0x00, 0x00, 0x00, 0x31, 0xd2, 0x0f, 0x01, 0xd1,
  0x0f, 0x01, 0xd0, 0x49, 0x89, 0xc0, 0x0f, 0x28, 0x0c, 0x25, 0x20, 0x00,
  0x20, 0x00, 0xb8, 0x03, 0x00, 0x00, 0x00, 0x0f, 0xae, 0x24, 0x25, 0x00,
  0x20, 0x20, 0x00, 0x0f, 0x57, 0xc9, 0x0f, 0xae, 0x2c, 0x25, 0x00, 0x20,
  0x20, 0x00, 0x0f, 0x29, 0x0c, 0x25, 0x40, 0x00, 0x20, 0x00, 0xb8, 0x02,
  0x00, 0x00, 0x00, 0x0f, 0xae, 0x2c, 0x25, 0x08, 0x20, 0x20, 0x00, 0xf4
};

/* XSETBV/XGETBV, XSAVE and XRSTOR of the x87 and SSE components (standard format). */
static void test_xsave(void)
{
    setup64(prog_xsave, sizeof prog_xsave);
    wrf4(0x200020, 1, 2, 3, 4);
    cpu.stop_on_exception = true;
    x86_cpu_run(&cpu, 100);
    cpu.stop_on_exception = false;
    CHECK_EQ(cpu.gpr[R8], 3, "XCR0 = x87 | SSE");
    CHECK_EQ(rd(0x202000 + 512, 8), 3, "XSTATE_BV");
    CHECK_EQ(rd(0x202000 + 160 + 16, 8), rd(0x200020, 8), "XMM1 in the legacy region");
    CHECK_EQ(rd(0x200040, 8), rd(0x200020, 8), "XRSTOR brought XMM1 back");
    CHECK(cpu.exc.pending && cpu.exc.vector == EXC_GP, "misaligned XRSTOR: #GP");
    uint32_t r[4];
    x86_cpuid(&cpu, 1, 0, r);
    CHECK((r[2] & (3u << 26)) == (3u << 26), "CPUID: XSAVE and OSXSAVE");
    x86_cpuid(&cpu, 0xd, 0, r);
    CHECK(r[0] == 3 && r[1] == 576, "CPUID 0xD: components and size");
    x86_cpuid(&cpu, 7, 0, r);
    bool la57 = r[2] & (1u << 16);
    x86_cpuid(&cpu, 0x80000008, 0, r);
    CHECK_EQ((r[0] >> 8) & 0xff, la57 ? 57u : 48u,
             "CPUID 0x80000008: linear address bits match LA57 (leaf 7 ECX[16])");
}

/* Random bytes as code, in each code size: whatever they do, the host survives and
 * every stop is an instruction boundary with a sane exception. */
static void test_random_code(void)
{
    uint64_t seed = 12345;
    int stops = 0, bad = 0;
    for (int round = 0; round < 600; round++) {
        uint8_t code[4096];
        for (size_t i = 0; i < sizeof code; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            code[i] = (uint8_t)(seed >> 56);
        }
        setup64(code, sizeof code);
        if (round % 3 == 1)
            x86_cpu_load_flat_mode(&cpu, 32), cpu.efer = 0, cpu.cr0 &= ~CR0_PG;
        if (round % 3 == 2) { /* real mode, CS based at the code */
            x86_cpu_reset(&cpu);
            cpu.seg[SEG_CS].base = CODE;
            cpu.seg[SEG_CS].sel = 0xffff; /* unreal: the base is not sel << 4 */
            cpu.gpr[RSP] = 0x8000;
        }
        cpu.stop_on_exception = true;
        for (int k = 0; k < 50 && !cpu.halted; k++) {
            x86_cpu_run(&cpu, 200);
            if (!cpu.exc.pending)
                break;
            stops++;
            if (cpu.exc.vector > 31)
                bad++;
            /* skip the faulting byte and go on */
            cpu.exc.pending = false;
            if (round % 3 == 2) {
                cpu.rip = (cpu.rip + 1) & 0xfff;
                cpu.seg[SEG_CS].base = CODE;
                cpu.gpr[RSP] = 0x8000;
            } else {
                cpu.rip = CODE + ((cpu.rip + 1 - CODE) & 0xfff);
                cpu.gpr[RSP] = 0x80000;
            }
        }
        cpu.stop_on_exception = false;
    }
    /* and with delivery on: every fault goes through the (zeroed) IVT/IDT, which must end
     * in handlers, double faults or triple-fault resets, never a host problem */
    for (int round = 0; round < 90; round++) {
        uint8_t code[4096];
        for (size_t i = 0; i < sizeof code; i++) {
            seed = seed * 6364136223846793005ull + 1442695040888963407ull;
            code[i] = (uint8_t)(seed >> 56);
        }
        setup64(code, sizeof code);
        if (round % 3 == 1)
            x86_cpu_load_flat_mode(&cpu, 32), cpu.efer = 0, cpu.cr0 &= ~CR0_PG;
        if (round % 3 == 2) {
            x86_cpu_reset(&cpu);
            cpu.seg[SEG_CS].base = CODE;
            cpu.seg[SEG_CS].sel = 0xffff; /* unreal: the base is not sel << 4 */
        }
        m.stop = 0;
        for (int k = 0; k < 20 && !cpu.halted && !m.stop; k++)
            x86_cpu_run(&cpu, 500);
    }
    m.stop = 0;
    m.reset_requested = false;
    CHECK(stops > 0, "random code: exceptions reported");
    CHECK_EQ(bad, 0, "random code: only architectural vectors");
}

int main(void)
{
    vm_error err;
    bus_init(&m.bus);
    if (!bus_add_ram(&m.bus, 0, RAM_SIZE, "ram", &err) || !x86_cpu_init(&cpu, &m, &err)) {
        printf("not ok - setup: %s\n", err.msg);
        return 1;
    }
    test_alu();
    test_call();
    test_strings();
    test_muldiv();
    test_div_edges();
    test_x87_underflow_pops();
    test_rep_cmps_fault_flags();
    test_smc();
    test_fp();
    test_xsave();
    test_random_code();
    x86_cpu_destroy(&cpu);
    bus_destroy(&m.bus);
    return check_done();
}
