/* Hart state the review of the first submission found wrong: mip read-modify-write with
 * the PLIC's SEIP line high, stale write-TLB entries of an inactive address space after a
 * page starts holding decoded code, guest exit statuses wider than 8 bits; and writes to
 * minstret/mcycle, which must not count the writing instruction. */
#include <stdio.h>
#include <string.h>

#include "arch/riscv/cpu.h"
#include "arch/riscv/execute.h"
#include "arch/riscv/mmu.h"
#include "check.h"

#define RAM 0x80000000ULL

static machine m;
static rv_cpu cpu;

/* Execute one 32-bit instruction word at cpu.pc. */
static void exec_word(uint32_t w)
{
    rv_insn in;
    rv_decode(w, &in);
    cpu.next_pc = cpu.pc + in.len;
    rv_execute(&cpu, &in);
    cpu.trapped = false;
}

/* csrrs x0, mip, t0 (t0 = x5) */
#define CSRRS_MIP_T0 (0x344u << 20 | 5u << 15 | 2u << 12 | 0x73u)
/* csrrc x0, mip, t0 */
#define CSRRC_MIP_T0 (0x344u << 20 | 5u << 15 | 3u << 12 | 0x73u)

static void test_mip_seip(void)
{
    /* Priv. ISA §3.1.9: csrrs/csrrc modify only the software-writable SEIP. Before the
     * fix, `csrs mip, SSIP` (OpenSBI's self-IPI) while the UART's PLIC line was high
     * copied that line into the software bit, and SEIP stayed pending forever. */
    rv_cpu_reset(&cpu, RAM);
    cpu.mip |= MIP_SEIP;                   /* PLIC S-context line high */
    cpu.x[5] = MIP_SSIP;
    exec_word(CSRRS_MIP_T0);
    CHECK(cpu.mip & MIP_SSIP, "csrs mip sets SSIP");
    CHECK_EQ(cpu.mip_sw_seip, 0, "csrs mip leaves the software SEIP clear");
    cpu.mip &= ~MIP_SEIP;                  /* the line drops */
    CHECK_EQ(rv_pending_mip(&cpu) & MIP_SEIP, 0, "SEIP follows the line once it drops");

    cpu.x[5] = MIP_SEIP;
    exec_word(CSRRS_MIP_T0);
    CHECK_EQ(rv_pending_mip(&cpu) & MIP_SEIP, MIP_SEIP, "software SEIP can be set");
    exec_word(CSRRC_MIP_T0);
    CHECK_EQ(rv_pending_mip(&cpu) & MIP_SEIP, 0, "and cleared");
}

static void test_code_page_other_space(void)
{
    /* A write-TLB entry filled under one satp value must not survive the page becoming
     * code while another address space is active: switching back would store through
     * it without invalidating the decoded blocks. */
    rv_cpu_reset(&cpu, RAM);
    cpu.priv = PRIV_S;
    bus *b = &m.bus;
    const gva_t va = RAM + 0x5000;
    CHECK(rv_store(&cpu, va, 8, 1), "store under satp A fills the write TLB");
    CHECK(rv_tlb_lookup(&cpu, PRIV_S, ACC_WRITE, va, 8) != NULL, "write TLB entry present");
    CHECK(rv_csr_write(&cpu, CSR_SATP, 1ULL << 44), "switch to satp B (bare, ASID 1)");
    /* As build_block does when it decodes from the page: the bus calls the CPU's
     * listener, which drops write-TLB entries of every address space. */
    const uint32_t *genp = bus_code_page_mark(b, va & ~0xfffULL);
    CHECK(genp != NULL, "page marked");
    CHECK(rv_csr_write(&cpu, CSR_SATP, 0), "switch back to satp A");
    uint32_t gen = *genp;
    CHECK(rv_store(&cpu, va, 8, 2), "store under satp A again");
    CHECK_EQ(*genp, gen + 1, "the store invalidated the page's decoded code");
}

/* Instruction words for the counter program. */
#define CSR_OP(csr, rs1, f3, rd) ((uint32_t)(csr) << 20 | (rs1) << 15 | (f3) << 12 | (rd) << 7 | 0x73u)
#define CSRW(csr, rs1) CSR_OP(csr, rs1, 1u, 0u)
#define CSRR(rd, csr) CSR_OP(csr, 0u, 2u, rd)
#define CSRWI(csr, imm) CSR_OP(csr, imm, 5u, 0u)
#define ADDI(rd, rs1, imm) ((uint32_t)(imm) << 20 | (rs1) << 15 | (rd) << 7 | 0x13u)
#define NOP ADDI(0u, 0u, 0u)
#define JAL_SELF 0x6fu
enum { A0 = 10, A1, A2, A3, A4, A5, A6, T0 = 5 };

/* Run the counter program through the block interpreter (trace off) or one instruction
 * at a time (trace on, as --trace insn does). */
static void run_counter_program(bool trace)
{
    static const uint32_t prog[] = {
        ADDI(A0, 0u, 5u), ADDI(A1, 0u, 7u), /* the csrw is mid-block */
        CSRW(CSR_MINSTRET, 0u),             /* csrw minstret, zero */
        CSRR(A0, CSR_MINSTRET),             /* must read 0 */
        CSRR(A1, CSR_MINSTRET),             /* 1 */
        ADDI(T0, 0u, 100u),
        CSRW(CSR_MCYCLE, T0),
        CSRR(A2, CSR_MCYCLE),               /* 100 */
        NOP, NOP,
        CSRR(A3, CSR_MINSTRET),             /* 7 */
        CSRWI(CSR_MCOUNTINHIBIT, 4u),       /* stop minstret at 8 */
        NOP,
        CSRR(A4, CSR_MINSTRET),             /* 8 */
        CSRWI(CSR_MCOUNTINHIBIT, 0u),       /* resume */
        CSRR(A5, CSR_MINSTRET),             /* 8 */
        CSRR(A6, CSR_MINSTRET),             /* 9 */
        JAL_SELF,
    };
    const gpa_t at = RAM + 0x10000;
    CHECK(bus_copy_to_ram(&m.bus, at, prog, sizeof prog), "program loaded");
    rv_cpu_reset(&cpu, at);
    cpu.mcountinhibit = 0;
    cpu.instret = 12345; /* counting does not start from zero */
    m.log.trace_insn = trace;
    m.stop = 0;
    rv_cpu_run(&cpu, sizeof prog / 4); /* in trace mode: exactly the program */
    m.log.trace_insn = false;
    const char *mode = trace ? "step" : "block";
    char name[96];
#define COUNTER_CHECK(reg, want, what)                                                       \
    do {                                                                                     \
        snprintf(name, sizeof name, "%s path: %s", mode, what);                              \
        CHECK_EQ(cpu.x[reg], want, name);                                                    \
    } while (0)
    CHECK_EQ(cpu.pc, at + sizeof prog - 4,
             trace ? "step path reached the end" : "block path reached the end");
    COUNTER_CHECK(A0, 0, "csrw minstret, zero; csrr minstret reads 0");
    COUNTER_CHECK(A1, 1, "the next read counts the read before it");
    COUNTER_CHECK(A2, 100, "csrw mcycle, 100; csrr mcycle reads 100");
    COUNTER_CHECK(A3, 7, "minstret counts the instructions since the write");
    COUNTER_CHECK(A4, 8, "mcountinhibit.IR stops minstret");
    COUNTER_CHECK(A5, 8, "and counting resumes after the write clearing it");
    COUNTER_CHECK(A6, 9, "one more");
#undef COUNTER_CHECK
}

static void test_counter_writes(void)
{
    /* Unpriv. ISA, Zicsr "CSR Instructions": a value written to instret by one instruction
     * is the value read by the following one. Before the fix the writing instruction was
     * counted too (a0 = 1), and in the block interpreter the instructions before it in
     * its block as well. */
    run_counter_program(false);
    run_counter_program(true);
}

static void test_exit_status(void)
{
    machine mm;
    memset(&mm, 0, sizeof mm);
    machine_request_exit(&mm, 7);
    CHECK_EQ(mm.exit_code, 7, "status 7");
    machine_request_exit(&mm, 0);
    CHECK_EQ(mm.exit_code, 0, "status 0");
    machine_request_exit(&mm, 256);
    CHECK_EQ(mm.exit_code, 1, "status 256 does not wrap to success");
    machine_request_exit(&mm, 0x1ff);
    CHECK_EQ(mm.exit_code, 0xff, "wide status keeps its low byte");
}

int main(void)
{
    vm_error err;
    bus_init(&m.bus);
    if (!bus_add_ram(&m.bus, RAM, 16 << 20, "ram", &err) || !rv_cpu_init(&cpu, &m, 0, &err)) {
        printf("not ok 1 - set-up: %s\n", err.msg);
        return 1;
    }
    test_mip_seip();
    test_code_page_other_space();
    test_counter_writes();
    test_exit_status();
    rv_cpu_destroy(&cpu);
    bus_destroy(&m.bus);
    return check_done();
}
