/* Machine-mode trap machinery (Priv. ISA ch. 3): exception causes, mepc and mtval, mret and
   the mstatus stack, direct and vectored mtvec, CLINT software and timer interrupts, wfi,
   mstatus.FS gating, a trip through U-mode, identification and counter CSRs. */
#include "test.h"

#define UNMAPPED    0x90000000      /* above the 128 MiB of RAM, nothing mapped there */
#define CLINT_MSIP  0x02000000
#define CLINT_CMP   0x02004000
#define CLINT_MTIME 0x0200bff8
#define MSTATUS_MIE  (1 << 3)
#define MSTATUS_MPIE (1 << 7)
#define MSTATUS_MPP  (3 << 11)
#define MSTATUS_FS   (3 << 13)
#define MIP_MSIP     (1 << 3)
#define MIP_MTIP     (1 << 7)
#define MISA_BITS    ((2 << 62) | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 5) | (1 << 8) | \
                      (1 << 12) | (1 << 18) | (1 << 20))  /* RV64 IMAFDC S U */

/* irq_rec fields written by the handlers below */
#define REC_CAUSE(reg)  la reg, irq_rec; ld reg, 0(reg)
#define REC_EPC(reg)    la reg, irq_rec; ld reg, 8(reg)
#define REC_TAG(reg)    la reg, irq_rec; ld reg, 16(reg)
#define REC_COUNT(reg)  la reg, irq_rec; ld reg, 24(reg)
#define REC_CLEAR       la t0, irq_rec; sd zero, 0(t0); sd zero, 8(t0); sd zero, 16(t0); sd zero, 24(t0)

TEST_BEGIN(traps)

/* --- synchronous exceptions through crt0's direct-mode handler --- */
TEST_TRAP( 1, CAUSE_ECALL_M, 3: ecall)
TEST_EPC_IS( 2, 3b)
TEST_TVAL( 3, 0)                                    /* mtval is 0 for ecall */
/* ebreak: mtval is 0 or the pc (QEMU 7.2 writes 0) */
TEST_TRAP( 4, CAUSE_BREAKPOINT, 3: ebreak)
TEST_EPC_IS( 5, 3b)
TEST_CASE( 6, a0, 1, TRAP_TVAL(t0); la t1, 3b; li a0, 1; beqz t0, 1f; beq t0, t1, 1f; li a0, 0; 1:)
/* illegal instruction: mtval = the instruction bits */
TEST_TRAP( 7, CAUSE_ILLEGAL_INSN, 3: .4byte 0xfe000033)     /* OP with funct7 = 0x7f */
TEST_TVAL( 8, 0xfe000033)
TEST_EPC_IS( 9, 3b)
TEST_TRAP(10, CAUSE_ILLEGAL_INSN, csrw mhartid, a0)         /* write to a read-only CSR */
TEST_TVAL(11, 0xf1451073)
TEST_TRAP(12, CAUSE_ILLEGAL_INSN, .4byte 0x7c0027f3)        /* csrr a5, 0x7c0: no such CSR */
TEST_TVAL(13, 0x7c0027f3)
/* the trapping instruction did not write rd */
TEST_CASE(14, a5, 77, li a5, 77; TRAP_EXPECT(9f); .4byte 0x7c0027f3; 9: TRAP_DISARM)

/* access faults on an unmapped address: mtval = the address */
TEST_TRAP(15, CAUSE_LOAD_ACCESS, li a1, UNMAPPED; lw a0, 0(a1))
TEST_TVAL(16, UNMAPPED)
TEST_TRAP(17, CAUSE_STORE_ACCESS, li a1, UNMAPPED + 8; sd a0, 0(a1))
TEST_TVAL(18, UNMAPPED + 8)
TEST_TRAP(19, CAUSE_FETCH_ACCESS, li a1, UNMAPPED + 0x40; jalr a1)
TEST_TVAL(20, UNMAPPED + 0x40)
TEST_CASE(21, t0, UNMAPPED + 0x40, TRAP_EPC(t0))
TEST_CASE(22, a0, 1234, li a0, 1234; li a1, UNMAPPED; TRAP_EXPECT(9f); ld a0, 0(a1); 9: TRAP_DISARM)

/* misaligned loads/stores: either done in hardware (QEMU does, for RAM) or a
   misaligned trap with mtval = the address; both are allowed (Unpriv. ISA §2.6) */
#define MISALIGNED(n, cause, addr, code...)                                      \
    TEST_CASE(n, a0, 1, la a1, addr; TRAP_EXPECT(9f); code; TRAP_DISARM; li a0, 1; j 8f; \
              9: TRAP_CAUSE(t0); li t1, cause; li a0, 0; bne t0, t1, 8f;         \
              TRAP_TVAL(t0); bne t0, a1, 8f; li a0, 2; 8:)                       \
    ; TEST_CASE(n##1, a2, 0, li a2, 0; li t0, 2; beq a0, t0, 8f; code_check_##n; 8:)
#define code_check_23 li t0, 0x06050403; sub a2, a3, t0
#define code_check_24 li t0, 0x0c0b0a0908070605; sub a2, a3, t0
#define code_check_25 li t0, 0x0807; sub a2, a3, t0
#define code_check_26 la t0, mis; lwu a2, 8(t0); li t0, 0x0c0b0add; sub a2, a2, t0;  \
                      la t0, mis; ld t0, 0(t0); li t1, 0xccbbaa0504030201; sub t0, t0, t1; or a2, a2, t0
#define code_check_27 la t0, mis; lhu a2, 31(t0); li t0, 0x1234; sub a2, a2, t0
MISALIGNED(23, CAUSE_MISALIGNED_LOAD, mis + 2, lw a3, 0(a1))
MISALIGNED(24, CAUSE_MISALIGNED_LOAD, mis + 4, ld a3, 0(a1))
MISALIGNED(25, CAUSE_MISALIGNED_LOAD, mis + 6, lhu a3, 0(a1))
MISALIGNED(26, CAUSE_MISALIGNED_STORE, mis + 5, li a4, 0xddccbbaa; sw a4, 0(a1))
MISALIGNED(27, CAUSE_MISALIGNED_STORE, mis + 31, li a4, 0x1234; sh a4, 0(a1))

/* --- mret and the mstatus stack --- */
/* trap entry from M: MPP = M, MPIE = old MIE (0 here), MIE = 0 */
TEST_CASE(30, a0, MSTATUS_MPP, TRAP_EXPECT(9f); ecall; 9: TRAP_MSTATUS(t0);    \
          li t1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE; and a0, t0, t1)
/* mret: pc = mepc, MIE = MPIE, MPIE = 1, MPP = U (least privileged supported) */
TEST_CASE(31, a0, MSTATUS_MIE | MSTATUS_MPIE,                                    \
          csrw mie, zero; la t0, 1f; csrw mepc, t0; li t0, MSTATUS_MPP | MSTATUS_MPIE; \
          csrs mstatus, t0; csrci mstatus, MSTATUS_MIE; mret; j fail;            \
          1: csrr t0, mstatus; csrci mstatus, MSTATUS_MIE;                       \
          li t1, MSTATUS_MPP | MSTATUS_MPIE | MSTATUS_MIE; and a0, t0, t1)
/* mepc[0] is always zero (§3.1.14); QEMU 7.2 keeps the bit, so only bits [63:1] are checked */
TEST_CASE(32, a0, 0, la t0, 1f + 1; csrw mepc, t0; csrr a0, mepc; andi a0, a0, -2; la t1, 1f; sub a0, a0, t1; 1:)
/* mscratch and the CSR instruction forms */
TEST_CASE(33, a0, 0x1111, li t0, 0x1111; csrw mscratch, t0; li t1, 0x2222; csrrw a0, mscratch, t1)
TEST_CASE(34, a0, 0x2222, csrrs a0, mscratch, zero)
TEST_CASE(35, a0, 0x2223, csrrsi zero, mscratch, 1; csrr a0, mscratch)
TEST_CASE(36, a0, 0x2223, li t0, 0x0222; csrrc a0, mscratch, t0)
TEST_CASE(37, a0, 0x2001, csrrci zero, mscratch, 2; csrr a0, mscratch)
TEST_CASE(38, a0, 0x2001, csrrwi a0, mscratch, 31)
TEST_CASE(39, a0, 31, csrr a0, mscratch)
TEST_CASE(40, a0, -1, li t0, -1; csrw mscratch, t0; csrr a0, mscratch)

/* --- identification and counters --- */
TEST_CASE(41, a0, MISA_BITS, csrr a0, misa; li t0, MISA_BITS; and a0, a0, t0)
TEST_CASE(42, a0, 0, csrr a0, mhartid)
TEST_CASE(43, a0, 1, rdcycle t0; rdcycle t1; sltu a0, t1, t0; xori a0, a0, 1)
TEST_CASE(44, a0, 1, rdinstret t0; nop; nop; rdinstret t1; sltu a0, t0, t1)
TEST_CASE(45, a0, 1, rdtime t0; li t2, 10000; 1: addi t2, t2, -1; bnez t2, 1b; rdtime t1; sltu a0, t0, t1)
/* time is mtime */
TEST_CASE(46, a0, 1, rdtime t0; li t1, CLINT_MTIME; ld t1, 0(t1); sltu a0, t1, t0; xori a0, a0, 1)
TEST_CASE(47, a0, 1, csrr t0, mcycle; csrr t1, mcycle; sltu a0, t1, t0; xori a0, a0, 1)
TEST_CASE(48, a0, 1, csrr t0, minstret; csrr t1, minstret; sltu a0, t0, t1)

/* --- mstatus.FS: Off makes FP instructions illegal; writing an FP reg makes it Dirty --- */
TEST_CASE(50, a0, 1 << 63, csrr t0, mstatus; srli a0, t0, 63; slli a0, a0, 63)   /* SD with FS = Dirty */
TEST_TRAP(51, CAUSE_ILLEGAL_INSN, li t0, MSTATUS_FS; csrc mstatus, t0; fadd.d f0, f1, f2)
TEST_TVAL(52, 0x0220f053)
TEST_TRAP(53, CAUSE_ILLEGAL_INSN, frcsr a0)
TEST_CASE(54, a0, 3 << 13, li t0, 1 << 13; csrs mstatus, t0; fmv.d.x f0, zero; csrr a0, mstatus; \
          li t0, MSTATUS_FS; and a0, a0, t0)

/* --- U-mode round trip: ecall from U is cause 8, M CSRs are illegal in U --- */
    /* PMP entry 0 = whole address space RWX, so U-mode may run from RAM (no-op without PMP) */
    li      t0, -1
    csrw    pmpaddr0, t0
    li      t0, 0x1f                /* NAPOT, R W X */
    csrw    pmpcfg0, t0
TEST_CASE(55, a0, CAUSE_ECALL_U, li t0, MSTATUS_MPP; csrc mstatus, t0; la t0, 1f; csrw mepc, t0; \
          TRAP_EXPECT(9f); mret; 1: ecall; j fail; 9: TRAP_CAUSE(a0))
TEST_CASE(56, a0, 0, TRAP_MSTATUS(t0); li t1, MSTATUS_MPP; and a0, t0, t1)      /* MPP = U */
TEST_CASE(57, a0, CAUSE_ILLEGAL_INSN, li t0, MSTATUS_MPP; csrc mstatus, t0; la t0, 1f; csrw mepc, t0; \
          TRAP_EXPECT(9f); mret; 1: csrr a1, mstatus; j fail; 9: TRAP_CAUSE(a0))
TEST_TVAL(58, 0x300025f3)

/* --- interrupts, direct mode: custom handler (clears the source, records, mret) --- */
    la      t0, irq_direct
    csrw    mtvec, t0
    csrw    mie, zero
TEST_CASE(60, a0, 0, REC_CLEAR; li t0, CLINT_MSIP; li t1, 1; sw t1, 0(t0); csrr a0, mip; andi a0, a0, MIP_MSIP; xori a0, a0, MIP_MSIP)
/* pending but not enabled in mie: nothing happens even with MIE set */
TEST_CASE(61, a0, 0, csrsi mstatus, MSTATUS_MIE; nop; nop; csrci mstatus, MSTATUS_MIE; REC_COUNT(a0))
/* enabled in mie but MIE = 0: wfi still wakes, no trap (Priv. ISA §3.3.3) */
TEST_CASE(62, a0, 0, li t0, MIP_MSIP; csrs mie, t0; wfi; REC_COUNT(a0))
TEST_CASE(63, a0, 0x8000000000000003, csrsi mstatus, MSTATUS_MIE; nop; nop; nop; csrci mstatus, MSTATUS_MIE; REC_CAUSE(a0))
TEST_CASE(64, a0, 1, REC_COUNT(a0))
TEST_CASE(65, a0, 0, csrr a0, mip; andi a0, a0, MIP_MSIP)        /* handler cleared msip */
TEST_CASE(66, a0, 0, li t0, MIP_MSIP; csrc mie, t0; REC_CLEAR; csrsi mstatus, MSTATUS_MIE; nop; csrci mstatus, MSTATUS_MIE; REC_COUNT(a0))

/* --- vectored mode: exceptions at base, interrupt `cause` at base + 4 * cause --- */
    la      t0, vec_table
    ori     t0, t0, 1
    csrw    mtvec, t0
TEST_CASE(70, a0, 1, csrr a0, mtvec; andi a0, a0, 3)
TEST_CASE(71, a0, 100, REC_CLEAR; 3: ecall; REC_TAG(a0))
TEST_CASE(72, a0, CAUSE_ECALL_M, REC_CAUSE(a0))
TEST_CASE(73, a0, 0, REC_EPC(a0); la t0, 3b; sub a0, a0, t0)
/* software interrupt -> entry 3 */
TEST_CASE(74, a0, 3, REC_CLEAR; li t0, CLINT_MSIP; li t1, 1; sw t1, 0(t0); li t0, MIP_MSIP; csrs mie, t0; \
          csrsi mstatus, MSTATUS_MIE; nop; nop; csrci mstatus, MSTATUS_MIE; REC_TAG(a0))
TEST_CASE(75, a0, 0x8000000000000003, REC_CAUSE(a0))
/* timer interrupt -> entry 7; wfi waits for it with MIE = 0 */
TEST_CASE(76, a0, 1, REC_CLEAR; csrw mie, zero; li t0, MIP_MTIP; csrs mie, t0;                    \
          li t0, CLINT_MTIME; ld t1, 0(t0); addi t1, t1, 1000; li t0, CLINT_CMP; sd t1, 0(t0);     \
          li t2, 100000000;                                                                        \
          1: wfi; csrr t0, mip; andi t0, t0, MIP_MTIP; bnez t0, 2f; addi t2, t2, -1; bnez t2, 1b;   \
          2: li t0, CLINT_MTIME; ld t0, 0(t0); sltu a0, t0, t1; xori a0, a0, 1)   /* mtime >= mtimecmp */
TEST_CASE(77, a0, 0, REC_COUNT(a0))
TEST_CASE(78, a0, 7, csrsi mstatus, MSTATUS_MIE; nop; nop; csrci mstatus, MSTATUS_MIE; REC_TAG(a0))
TEST_CASE(79, a0, 0x8000000000000007, REC_CAUSE(a0))
TEST_CASE(80, a0, 0, csrr a0, mip; andi a0, a0, MIP_MTIP)        /* mtimecmp = -1 cleared MTIP */
/* wfi with MIE = 1: an interrupt that wakes the hart is taken with mepc = the instruction
   after the wfi (§3.3.3). Interrupts are off again right after it, so the only other place
   one can land is the wfi itself (mtimecmp is 1000 ticks ahead: not expected). If wfi
   returned early (it may be a nop), wait for the interrupt and skip the mepc check. */
TEST_CASE(81, a0, 0, REC_CLEAR; li t0, CLINT_MTIME; ld t1, 0(t0); addi t1, t1, 1000; li t0, CLINT_CMP; \
          sd t1, 0(t0); csrsi mstatus, MSTATUS_MIE; 3: wfi; 4: csrci mstatus, MSTATUS_MIE;        \
          REC_COUNT(t0); li a0, 0; bnez t0, 6f;                                                   \
          csrsi mstatus, MSTATUS_MIE; 5: REC_COUNT(t0); beqz t0, 5b; csrci mstatus, MSTATUS_MIE; j 7f; \
          6: REC_EPC(a0); la t0, 4b; sub a0, a0, t0; 7:)
TEST_CASE(82, a0, 7, REC_TAG(a0))

    csrw    mie, zero
    la      t0, trap_default
    csrw    mtvec, t0
TEST_END

/* Direct-mode handler for interrupts: clears both CLINT sources, records, returns. */
    .balign 4
irq_direct:
    la      t6, irq_rec
    csrr    t5, mcause
    sd      t5, 0(t6)
    csrr    t5, mepc
    sd      t5, 8(t6)
    ld      t5, 24(t6)
    addi    t5, t5, 1
    sd      t5, 24(t6)
    li      t5, 1
    sd      t5, 16(t6)
    bgez    t5, 1f
1:  li      t6, CLINT_MSIP
    sw      zero, 0(t6)
    li      t6, CLINT_CMP
    li      t5, -1
    sd      t5, 0(t6)
    csrr    t5, mcause
    bltz    t5, 2f
    csrr    t5, mepc                /* exceptions here are all 4-byte instructions */
    addi    t5, t5, 4
    csrw    mepc, t5
2:  mret

/* Vectored table; .option norvc keeps every entry 4 bytes. */
    .option push
    .option norvc
    .balign 256
vec_table:
    j       vec_exc                 /* 0: exceptions */
    j       vec_bad
    j       vec_bad
    j       vec_msi                 /* 3: machine software */
    j       vec_bad
    j       vec_bad
    j       vec_bad
    j       vec_mti                 /* 7: machine timer */
    j       vec_bad
    j       vec_bad
    j       vec_bad
    j       vec_bad                 /* 11: machine external */
    .option pop

/* each records mcause, mepc, a tag naming the entry, bumps a count */
#define VEC_RECORD(tag)                                                          \
    la t6, irq_rec; csrr t5, mcause; sd t5, 0(t6); csrr t5, mepc; sd t5, 8(t6); \
    li t5, tag; sd t5, 16(t6); ld t5, 24(t6); addi t5, t5, 1; sd t5, 24(t6)
vec_exc:
    VEC_RECORD(100)
    csrr    t5, mepc
    addi    t5, t5, 4
    csrw    mepc, t5
    mret
vec_msi:
    VEC_RECORD(3)
    li      t6, CLINT_MSIP
    sw      zero, 0(t6)
    mret
vec_mti:
    VEC_RECORD(7)
    li      t6, CLINT_CMP
    li      t5, -1
    sd      t5, 0(t6)
    mret
vec_bad:
    li      a0, 200
    call    test_fail

    .data
    .balign 8
irq_rec:
    .dword  0, 0, 0, 0              /* cause, epc, tag, count */
mis:
    .byte   1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16
    .fill   32, 1, 0
