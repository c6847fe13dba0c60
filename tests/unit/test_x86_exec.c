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

static void test_smc(void)
{
    setup64(prog_smc, sizeof prog_smc);
    x86_cpu_run(&cpu, 100);
    CHECK(cpu.halted, "smc: reaches hlt");
    CHECK_EQ(cpu.gpr[RAX] & 0xff, 0x42, "store into the running block is executed");
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
            cpu.rip = CODE + ((cpu.rip + 1 - CODE) & 0xfff);
            cpu.gpr[RSP] = 0x80000;
        }
        cpu.stop_on_exception = false;
    }
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
    test_smc();
    test_random_code();
    x86_cpu_destroy(&cpu);
    bus_destroy(&m.bus);
    return check_done();
}
