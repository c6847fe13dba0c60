/* Assembler macros for the self-checking guest tests (after riscv-tests' test_macros.h).

   A test is:
       #include "test.h"
       TEST_BEGIN(rv64m)
       TEST_CASE(1, a0, 42, li a1, 6; li a2, 7; mul a0, a1, a2)
       ...
       TEST_END

   Register conventions:
     gp (TESTNUM)  number of the check being run; do not use it in test code.
     t6            scratch of TEST_CASE (the expected value) and of the trap handler.
     t5            scratch of the trap handler.
   Check numbers are explicit so a failure (`FAIL rv64m check 12`, exit status 12) can be
   found with grep; a duplicated number is an assembler error (duplicate label). TEST_END
   prints "NAME: N checks passed" with N counted at assembly time. */
#ifndef GUEST_TEST_H
#define GUEST_TEST_H

#define TESTNUM gp

#define TEST_BEGIN(name)                                                        \
    .pushsection .rodata; .globl test_name; test_name: .asciz #name; .popsection; \
    .text; .globl main; .balign 4; main: ; .set __nchecks, 0

/* Run `code`, then compare `reg` with the 64-bit constant `expect`. */
#define TEST_CASE(n, reg, expect, code...)                                      \
test_##n:                                                                       \
    li TESTNUM, n; code; li t6, expect; beq reg, t6, 88f; j fail; 88:           \
    .set __nchecks, __nchecks + 1

/* Compare two registers after `code`. */
#define TEST_CASE_REG(n, reg, ref, code...)                                     \
test_##n:                                                                       \
    li TESTNUM, n; code; beq reg, ref, 88f; j fail; 88:                         \
    .set __nchecks, __nchecks + 1

/* Two comparisons under one check number (counted as two checks). */
#define TEST_CASE2(n, reg1, expect1, reg2, expect2, code...)                    \
test_##n:                                                                       \
    li TESTNUM, n; code; li t6, expect1; beq reg1, t6, 88f; j fail; 88:         \
    li t6, expect2; beq reg2, t6, 88f; j fail; 88:                              \
    .set __nchecks, __nchecks + 2

/* Floating point (rvf.S, rvd.S): operands a, b, c are bit patterns loaded into fa0..fa2
   (singles NaN-boxed by fmv.w.x); fflags is cleared before `inst` and compared after.
     TEST_FD  result in fa3, compared as 64 bits
     TEST_FS  result in fa3, compared as 64 bits against the NaN-boxed single `res`
     TEST_FDI / TEST_FSI  integer result in a0
     TEST_FID / TEST_FIS  integer operand in a2, FP result in fa3 */
#define FFLAG_NX 0x01
#define FFLAG_UF 0x02
#define FFLAG_OF 0x04
#define FFLAG_DZ 0x08
#define FFLAG_NV 0x10
#define FP_LOAD_D(a, b, c) \
    li t0, a; fmv.d.x fa0, t0; li t0, b; fmv.d.x fa1, t0; li t0, c; fmv.d.x fa2, t0
#define FP_LOAD_S(a, b, c) \
    li t0, a; fmv.w.x fa0, t0; li t0, b; fmv.w.x fa1, t0; li t0, c; fmv.w.x fa2, t0
#define TEST_FD(n, res, flags, a, b, c, inst...) \
    TEST_CASE2(n, a0, res, a1, flags, FP_LOAD_D(a, b, c); csrwi fflags, 0; inst; frflags a1; fmv.x.d a0, fa3)
#define TEST_FS(n, res, flags, a, b, c, inst...) \
    TEST_CASE2(n, a0, 0xffffffff00000000 | (res), a1, flags, \
               FP_LOAD_S(a, b, c); csrwi fflags, 0; inst; frflags a1; fmv.x.d a0, fa3)
#define TEST_FDI(n, res, flags, a, b, inst...) \
    TEST_CASE2(n, a0, res, a1, flags, FP_LOAD_D(a, b, 0); csrwi fflags, 0; inst; frflags a1)
#define TEST_FSI(n, res, flags, a, b, inst...) \
    TEST_CASE2(n, a0, res, a1, flags, FP_LOAD_S(a, b, 0); csrwi fflags, 0; inst; frflags a1)
#define TEST_FID(n, res, flags, ival, inst...) \
    TEST_CASE2(n, a0, res, a1, flags, li a2, ival; csrwi fflags, 0; inst; frflags a1; fmv.x.d a0, fa3)
#define TEST_FIS(n, res, flags, ival, inst...) \
    TEST_CASE2(n, a0, 0xffffffff00000000 | (res), a1, flags, \
               li a2, ival; csrwi fflags, 0; inst; frflags a1; fmv.x.d a0, fa3)

/* Print a string literal over the UART (clobbers caller-saved registers). */
#define PRINT(s)                                                                \
    .pushsection .rodata; 77: .asciz s; .popsection; la a0, 77b; call print_str

/* Arm crt0's trap handler: the next trap resumes at `resume` and records
   mcause/mepc/mtval in trap_state. The cause is preset to -1 so "no trap" fails. */
#define TRAP_EXPECT(resume)                                                     \
    la t6, trap_state; la t5, resume; sd t5, 0(t6); li t5, -1; sd t5, 8(t6)

#define TRAP_DISARM         la t6, trap_state; sd zero, 0(t6)
#define TRAP_CAUSE(reg)     la reg, trap_state; ld reg, 8(reg)
#define TRAP_EPC(reg)       la reg, trap_state; ld reg, 16(reg)
#define TRAP_TVAL(reg)      la reg, trap_state; ld reg, 24(reg)
#define TRAP_MSTATUS(reg)   la reg, trap_state; ld reg, 40(reg)

/* `code` must trap with mcause == cause; execution resumes after `code`. */
#define TEST_TRAP(n, cause, code...)                                            \
    TEST_CASE(n, t0, cause, TRAP_EXPECT(99f); code; 99: TRAP_DISARM; TRAP_CAUSE(t0))

/* mtval (resp. mepc) of the last trap taken. */
#define TEST_TVAL(n, expect)  TEST_CASE(n, t0, expect, TRAP_TVAL(t0))
#define TEST_EPC_IS(n, label) TEST_CASE(n, t0, 0, TRAP_EPC(t0); la t1, label; sub t0, t0, t1)

#define TEST_END                                                                \
    la a0, test_name; li a1, __nchecks; call test_pass;                         \
fail:                                                                           \
    mv a0, TESTNUM; call test_fail

/* mcause values (Priv. ISA §3.1.15, table 3.6) */
#define CAUSE_MISALIGNED_FETCH  0
#define CAUSE_FETCH_ACCESS      1
#define CAUSE_ILLEGAL_INSN      2
#define CAUSE_BREAKPOINT        3
#define CAUSE_MISALIGNED_LOAD   4
#define CAUSE_LOAD_ACCESS       5
#define CAUSE_MISALIGNED_STORE  6
#define CAUSE_STORE_ACCESS      7
#define CAUSE_ECALL_U           8
#define CAUSE_ECALL_S           9
#define CAUSE_ECALL_M           11
#define CAUSE_INT               (1 << 63)

#endif
