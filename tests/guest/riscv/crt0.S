/* Entry for every guest test: stack, FPU on, .bss cleared, default trap handler,
   then main(); main's return value is the exit status. */
    .section .text.init, "ax"
    .globl _start
_start:
    csrr    t0, mhartid
    bnez    t0, park
    la      sp, __stack_top
    li      gp, 0                   /* TESTNUM in asm tests; unused by C (no gp relaxation) */
    la      t0, trap_default
    csrw    mtvec, t0
    li      t0, 3 << 13             /* mstatus.FS = Dirty: FP instructions legal */
    csrs    mstatus, t0
    csrwi   fcsr, 0
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  call    main
    call    exit
park:
    wfi
    j       park

/* Default trap handler. If a test armed trap_state.resume (TRAP_EXPECT in test.h), record
   mcause/mepc/mtval/mstatus, disarm, and resume there in M-mode. Clobbers only t5 and t6, so tests can check
   any other register across a trap. Anything else is an unexpected trap: report and fail. */
    .text
    .balign 4
    .globl trap_default
trap_default:
    la      t6, trap_state
    ld      t5, 0(t6)
    beqz    t5, trap_unexpected_entry
    csrr    t5, mepc
    sd      t5, 16(t6)
    ld      t5, 0(t6)
    csrw    mepc, t5
    sd      zero, 0(t6)
    csrr    t5, mcause
    sd      t5, 8(t6)
    csrr    t5, mtval
    sd      t5, 24(t6)
    csrr    t5, mstatus
    sd      t5, 40(t6)
    li      t5, 3 << 11             /* resume in M-mode even if the trap came from U */
    csrs    mstatus, t5
    ld      t5, 32(t6)
    addi    t5, t5, 1
    sd      t5, 32(t6)
    mret
trap_unexpected_entry:
    la      sp, __stack_top
    csrr    a0, mcause
    csrr    a1, mepc
    csrr    a2, mtval
    mv      a3, gp
    call    trap_unexpected

    .data
    .balign 8
    .globl trap_state
/* resume, cause, epc, tval, count, mstatus (as seen by the handler) */
trap_state:
    .dword 0, 0, 0, 0, 0, 0

/* Default name for C tests that do not define their own. */
    .section .rodata
    .weak test_name
test_name:
    .asciz "guest"
