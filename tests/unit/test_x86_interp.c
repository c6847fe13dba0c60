/* The x86 block interpreter's bookkeeping (cpu.c run_threaded): blocks are counted on
 * entry, so the retired-instruction count must stay exact when a block is left early
 * (a taken Jcc inside a block, a fault in the middle of one) and when the budget ends
 * inside a loop; and its inline forms must match the handlers. Flat 64-bit machine, RAM
 * at 0 identity-mapped with 2 MiB pages up to 8 MiB (everything above is not present). */
#include <stdlib.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/flags.h"
#include "check.h"

#define RAM_SIZE (8 * MiB)
#define CODE 0x100000

static machine m;
static x86_cpu cpu;

static void wr64(uint64_t a, uint64_t v)
{
    bus_write(&m.bus, a, 8, v);
}

static void setup64(const uint8_t *code, size_t len)
{
    memset(bus_ram_ptr(&m.bus, 0, RAM_SIZE), 0, RAM_SIZE);
    bus_ram_written(&m.bus, 0, RAM_SIZE);
    x86_cpu_reset(&cpu);
    wr64(0x1000, 0x2000 | 3);
    wr64(0x2000, 0x3000 | 3);
    for (uint64_t i = 0; i < 4; i++)
        wr64(0x3000 + 8 * i, (i << 21) | 0x83);
    cpu.cr3 = 0x1000;
    x86_cpu_load_flat_mode(&cpu, 64);
    bus_copy_to_ram(&m.bus, CODE, code, len);
    cpu.rip = CODE;
    cpu.gpr[RSP] = 0x80000;
}

/*      mov ecx, 3
 *  L:  add eax, 1
 *      sub ecx, 1
 *      jne L                      ; falls through on the third pass, same block
 *      mov rbx, [0x40000000]      ; not mapped: #PF in the middle of the block
 *      add eax, 1
 *      hlt */
static const uint8_t prog_loop_fault[] = {
    0xb9, 0x03, 0x00, 0x00, 0x00, 0x83, 0xc0, 0x01, 0x83, 0xe9, 0x01, 0x75, 0xf8,
    0x48, 0x8b, 0x1c, 0x25, 0x00, 0x00, 0x00, 0x40, 0x83, 0xc0, 0x01, 0xf4
};

static void test_fault_in_block(void)
{
    setup64(prog_loop_fault, sizeof prog_loop_fault);
    cpu.stop_on_exception = true;
    uint64_t n = x86_cpu_run(&cpu, 1000);
    cpu.stop_on_exception = false;
    CHECK(cpu.exc.pending, "load from an unmapped page stops");
    CHECK_EQ(cpu.exc.vector, EXC_PF, "#PF");
    CHECK_EQ(cpu.rip, CODE + 13, "rip at the faulting load");
    CHECK_EQ(n, 11, "10 retired + the faulting one counted");
    CHECK_EQ(cpu.tsc, 10, "tsc: the retired ones");
    CHECK_EQ(cpu.gpr[RAX], 3, "the instruction after the fault did not run");
}

static void test_budget_in_loop(void)
{
    setup64(prog_loop_fault, sizeof prog_loop_fault);
    /* mov; add sub jne (taken); add sub | jne: the seventh is the second jne */
    uint64_t n = x86_cpu_run(&cpu, 7);
    CHECK_EQ(n, 7, "exactly the budget");
    CHECK_EQ(cpu.icount, 7, "icount");
    CHECK_EQ(cpu.rip, CODE + 5, "stopped at the loop head after the taken jne");
    CHECK_EQ(cpu.gpr[RAX], 2, "two passes");
    n = x86_cpu_run(&cpu, 2);
    CHECK_EQ(n, 2, "two more");
    CHECK_EQ(cpu.rip, CODE + 11, "at the third jne");
}

/*      mov rax, -1
 *      cmp eax, 1                 ; 32-bit compare: 0xffffffff vs 1
 *      setb cl                    ; CF
 *      setl dl                    ; SF != OF
 *      test rax, rax
 *      setle bl
 *      mov esi, 0x80000000
 *      shl rsi, 33                ; 64-bit shift out of bit 31 into bit 64: CF = 1
 *      setb bh
 *      imul eax, eax              ; (-1) * (-1) = 1, no overflow
 *      seto ah
 *      hlt */
static const uint8_t prog_flags[] = {
    0x48, 0xc7, 0xc0, 0xff, 0xff, 0xff, 0xff, 0x83, 0xf8, 0x01, 0x0f, 0x92, 0xc1,
    0x0f, 0x9c, 0xc2, 0x48, 0x85, 0xc0, 0x0f, 0x9e, 0xc3, 0xbe, 0x00, 0x00, 0x00,
    0x80, 0x48, 0xc1, 0xe6, 0x21, 0x0f, 0x92, 0xc7, 0x0f, 0xaf, 0xc0, 0x0f, 0x90,
    0xc4, 0xf4
};

static void test_inline_flags(void)
{
    setup64(prog_flags, sizeof prog_flags);
    x86_cpu_run(&cpu, 1000);
    CHECK(cpu.halted, "flags: reaches hlt");
    CHECK_EQ(cpu.gpr[RCX] & 0xff, 0, "cmp eax,1: 0xffffffff is not below 1");
    CHECK_EQ(cpu.gpr[RDX] & 0xff, 1, "cmp eax,1: -1 < 1 signed");
    CHECK_EQ(cpu.gpr[RBX] & 0xff, 1, "test rax,rax: negative, so LE");
    CHECK_EQ(cpu.gpr[RSI], 0, "shl rsi,33 shifts the bit out");
    CHECK_EQ((cpu.gpr[RBX] >> 8) & 0xff, 1, "shl: CF is the last bit out");
    CHECK_EQ(cpu.gpr[RAX] & 0xff, 1, "imul eax,eax = 1");
    CHECK_EQ((cpu.gpr[RAX] >> 8) & 0xff, 0, "imul: no overflow");
}

/* More blocks than the record pool holds (cpu.h X86_INSN_POOL): the pool is emptied
 * mid-run with every block, and blocks met again are decoded again. Each piece is 31
 * `add eax, 1` and `jmp +0` (a block of 32 records and its sentinel); a block that
 * replaces another in its header slot reuses that one's records, so the pieces must
 * outnumber what the pool holds even after those; `sub ecx, 1; jne start; hlt` runs the
 * whole chain twice. */
static void test_pool_flush(void)
{
    const size_t adds = X86_BLOCK_MAX - 1, piece = 3 * adds + 2;
    const size_t pieces = 2 * X86_INSN_POOL / (X86_BLOCK_MAX + 1);
    size_t len = pieces * piece + 10;
    CHECK(CODE + len < 4 * 2 * MiB, "pool flush: the code fits the mapped 8 MiB");
    uint8_t *code = calloc(1, len);
    for (size_t i = 0; i < pieces; i++) {
        for (size_t k = 0; k < adds; k++)
            memcpy(code + i * piece + 3 * k, (const uint8_t[]){ 0x83, 0xc0, 0x01 }, 3);
        memcpy(code + i * piece + 3 * adds, (const uint8_t[]){ 0xeb, 0x00 }, 2);
    }
    uint8_t *tail = code + pieces * piece;
    int32_t back = -(int32_t)(pieces * piece + 3 + 6);
    tail[0] = 0x83, tail[1] = 0xe9, tail[2] = 0x01;      /* sub ecx, 1 */
    tail[3] = 0x0f, tail[4] = 0x85;                       /* jne rel32 */
    memcpy(tail + 5, &back, 4);
    tail[9] = 0xf4;                                       /* hlt */
    setup64(code, len);
    cpu.gpr[RCX] = 2;
    uint64_t n = x86_cpu_run(&cpu, 100 * pieces * (adds + 1));
    CHECK(cpu.halted, "pool flush: reaches hlt");
    CHECK(cpu.pool_gen > 0, "pool flush: the pool was emptied");
    CHECK_EQ(cpu.gpr[RAX], 2 * adds * pieces, "every piece ran twice");
    CHECK_EQ(n, 2 * ((adds + 1) * pieces + 2) + 1, "instructions retired");
    free(code);
}

int main(void)
{
    vm_error err;
    bus_init(&m.bus);
    if (!bus_add_ram(&m.bus, 0, RAM_SIZE, "ram", &err) || !x86_cpu_init(&cpu, &m, &err)) {
        printf("not ok - setup: %s\n", err.msg);
        return 1;
    }
    test_fault_in_block();
    test_budget_in_loop();
    test_inline_flags();
    test_pool_flush();
    x86_cpu_destroy(&cpu);
    bus_destroy(&m.bus);
    return check_done();
}
