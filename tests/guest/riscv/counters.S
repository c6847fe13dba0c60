/* minstret/mcycle writes and mcountinhibit (Unpriv. ISA, Zicsr "CSR Instructions": a value
   written to instret by one instruction is the value read by the following one; Priv. ISA
   §3.1.12 mcountinhibit). Each write sits after other instructions of the same straight-
   line run, where the block interpreter used to count them (and the writer) on top.
   counters.noqemu: QEMU 7.2 without -icount derives both counters from host ticks. */
#include "test.h"

TEST_BEGIN(counters)
TEST_CASE(1, a0, 0, li t0, 5; li t1, 6; csrw minstret, zero; csrr a0, minstret)
TEST_CASE(2, a0, 1, li t0, 5; csrw minstret, zero; csrr t1, minstret; csrr a0, minstret)
TEST_CASE(3, a0, 1002, li t0, 1000; csrw minstret, t0; nop; nop; csrr a0, minstret)
TEST_CASE(4, a0, 77, li t0, 77; add t1, t0, t0; csrw mcycle, t0; csrr a0, mcycle)
/* mcycle and minstret are separate counters */
TEST_CASE(5, a0, 502, li t0, 500; csrw mcycle, t0; li t1, 9; csrw minstret, t1; csrr a0, mcycle)
TEST_CASE(6, a0, 4, csrr a0, mcountinhibit; andi a0, a0, 5; csrwi mcountinhibit, 4; csrr a0, mcountinhibit)
/* minstret stopped: three instructions later it still reads the same */
TEST_CASE(7, a0, 0, csrr t0, minstret; nop; nop; nop; csrr t1, minstret; sub a0, t1, t0)
/* cycle keeps counting meanwhile */
TEST_CASE(8, a0, 1, csrr t0, mcycle; nop; csrr t1, mcycle; sltu a0, t0, t1)
/* the write that resumes counting is not counted itself */
TEST_CASE(9, a0, 2, csrr t0, minstret; csrwi mcountinhibit, 0; nop; nop; csrr t1, minstret; sub a0, t1, t0)
/* written while stopped: the value holds until counting resumes */
TEST_CASE(10, a0, 42, csrwi mcountinhibit, 5; li t0, 42; csrw minstret, t0; nop; csrr a0, minstret)
TEST_CASE(11, a0, 42, csrwi mcountinhibit, 0; csrr a0, minstret)
TEST_END
