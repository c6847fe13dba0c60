/* One x86_64 logical processor: architectural state, the soft TLB and the decoded-block
 * cache. Everything hangs off this struct (no globals). The public fields and functions
 * are the contract in docs (x86-api): boards, tests and the differential harness read and
 * write the registers directly; RFLAGS only through x86_cpu_rflags/x86_cpu_set_rflags
 * because the arithmetic flags are computed lazily (flags.h). */
#ifndef VM_X86_CPU_H
#define VM_X86_CPU_H

#include <setjmp.h>

#include "arch/x86/decode.h"
#include "arch/x86/xmm.h"
#include "core/machine.h"
#include "core/types.h"

enum { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_NONE = 7 };

enum {
    RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15
};

/* Segment attributes: descriptor bytes 5..6 as the SDM draws them (Vol.3 §3.4.5):
 * type[3:0] S[4] DPL[6:5] P[7] AVL[12] L[13] D/B[14] G[15]. The limit is kept expanded
 * to bytes (G applied). */
#define SA_TYPE 0x000f
#define SA_S 0x0010
#define SA_DPL_SHIFT 5
#define SA_DPL 0x0060
#define SA_P 0x0080
#define SA_AVL 0x1000
#define SA_L 0x2000
#define SA_DB 0x4000
#define SA_G 0x8000
/* Unusable (null selector loaded in protected mode): any access → #GP/#SS. */
#define SA_UNUSABLE 0x10000

typedef struct x86_seg {
    uint16_t sel;
    uint64_t base;
    uint32_t limit;
    uint32_t attr;
} x86_seg;

typedef struct x86_dtr {
    uint64_t base;
    uint16_t limit;
} x86_dtr;

/* RFLAGS bits (SDM Vol.1 §3.4.3) */
#define FL_CF 0x0001u
#define FL_1 0x0002u
#define FL_PF 0x0004u
#define FL_AF 0x0010u
#define FL_ZF 0x0040u
#define FL_SF 0x0080u
#define FL_TF 0x0100u
#define FL_IF 0x0200u
#define FL_DF 0x0400u
#define FL_OF 0x0800u
#define FL_IOPL 0x3000u
#define FL_IOPL_SHIFT 12
#define FL_NT 0x4000u
#define FL_RF 0x10000u
#define FL_VM 0x20000u
#define FL_AC 0x40000u
#define FL_VIF 0x80000u
#define FL_VIP 0x100000u
#define FL_ID 0x200000u
#define FL_ARITH (FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)

/* Control registers */
#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_EM (1ull << 2)
#define CR0_TS (1ull << 3)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_AM (1ull << 18)
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define CR0_PG (1ull << 31)

#define CR4_VME (1ull << 0)
#define CR4_PVI (1ull << 1)
#define CR4_TSD (1ull << 2)
#define CR4_DE (1ull << 3)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_MCE (1ull << 6)
#define CR4_PGE (1ull << 7)
#define CR4_PCE (1ull << 8)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define CR4_UMIP (1ull << 11)
#define CR4_LA57 (1ull << 12)
#define CR4_FSGSBASE (1ull << 16)
#define CR4_PCIDE (1ull << 17)
#define CR4_OSXSAVE (1ull << 18)
#define CR4_SMEP (1ull << 20)
#define CR4_SMAP (1ull << 21)

#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

/* Exception vectors (SDM Vol.3 §6.3.1) */
enum {
    EXC_DE = 0, EXC_DB = 1, EXC_NMI = 2, EXC_BP = 3, EXC_OF = 4, EXC_BR = 5, EXC_UD = 6,
    EXC_NM = 7, EXC_DF = 8, EXC_TS = 10, EXC_NP = 11, EXC_SS = 12, EXC_GP = 13,
    EXC_PF = 14, EXC_MF = 16, EXC_AC = 17, EXC_MC = 18, EXC_XM = 19
};

/* The lazy flags record (flags.c): the last flag-setting operation's kind, width and
 * operands; each arithmetic flag is derived from them only when read. */
typedef struct x86_lazy {
    uint64_t res, a, b;
    uint8_t op;       /* LF_* (flags.h); LF_NONE: flags.c's bits in cpu->flags are current */
    uint8_t size;     /* operand bytes 1/2/4/8 */
    uint8_t cf_in;    /* INC/DEC keep the previous CF; ADC/SBB's carry in */
} x86_lazy;

/* IA32_ARCH_CAPABILITIES (MSR 0x10A, SDM Vol.4 Table 2-2; CPUID.7.0:EDX[29]): an
 * interpreter executes nothing speculatively and has no fill, store or load-port buffers,
 * so it is not affected by any of the listed attacks: RDCL_NO (0, Meltdown and L1TF:
 * without it Linux isolates kernel page tables and switches CR3 on every system call and
 * interrupt), SSB_NO (4), MDS_NO (5), IF_PSCHANGE_MC_NO (6), TAA_NO (8), SBDR_SSDP_NO
 * (13), FBSDP_NO (14), PSDP_NO (15), BHI_NO (20), PBRSB_NO (24), GDS_NO (26), RFDS_NO (27). */
#define X86_ARCH_CAPABILITIES                                                                \
    ((1ull << 0) | (1ull << 4) | (1ull << 5) | (1ull << 6) | (1ull << 8) | (1ull << 13) |   \
     (1ull << 14) | (1ull << 15) | (1ull << 20) | (1ull << 24) | (1ull << 26) | (1ull << 27))

/* Machine-check banks (MCG_CAP[7:0]), as many as QEMU's PC offers. */
#define X86_MC_BANKS 10
/* MTRRs: 8 variable ranges and the 11 fixed-range registers (SDM Vol.3 §12.11.1) */
#define X86_MTRR_VAR 8
#define X86_MTRR_FIXED 11
#define X86_PHYS_BITS 40    /* CPUID.80000008H:EAX[7:0] */
/* The address bits of PHYSBASEn/PHYSMASKn: 12 to MAXPHYADDR-1 (§12.11.2.3) */
#define X86_MTRR_ADDR_MASK (((1ull << X86_PHYS_BITS) - 1) & ~0xfffull)

/* Soft TLB (mmu.h): a hit is a tag compare plus an add. One set per access kind and
 * privilege (supervisor/user); only RAM pages at canonical addresses (48-bit, or
 * 57-bit with LA57) are cached, so a hit needs no canonical check. Entries are 16 bytes (the global bits apart). */
#define X86_TLB_BITS 8
#define X86_TLB_SIZE (1u << X86_TLB_BITS)
enum { ACC_R = 0, ACC_W = 1, ACC_X = 2 };
typedef struct x86_tlb_entry {
    uint64_t tag;       /* linear page number + 1 (0 = invalid) */
    uintptr_t addend;   /* host address = linear address + addend */
} x86_tlb_entry;

/* Decoded blocks (cpu.c): straight-line runs of instructions in one page, keyed by the
 * linear address and the code mode they were decoded for. The headers are a direct-mapped
 * table; their records live in one pool shared by all blocks, each block taking only the
 * records it has (n + 1: insn[n] is a sentinel whose inline form sends the threaded
 * dispatch to the block's end). A block rebuilt in its slot reuses the slot's records
 * when they suffice. A full pool is emptied with every block (as QEMU flushes its
 * translation buffer): the kernel's working set is many thousand short blocks, which
 * fixed 33-record slots held four times fewer of in the same memory. Sizes from the amd64
 * installer: with 16384 headers and no reuse, 12 million builds and 1085 pool flushes to
 * the language screen (x86_decode 13% of the time); with 65536 and reuse, 3.4 million
 * builds and 79 flushes, the screen ~10% sooner; 4 MiB of headers, 32 MiB of records at
 * most (touched as used). */
#define X86_BLOCK_MAX 32
#define X86_BLOCK_BITS 16
#define X86_BLOCK_CACHE (1u << X86_BLOCK_BITS)
#define X86_INSN_POOL 524288
typedef struct x86_block {
    uint64_t lip;        /* linear address + 1 (0 = invalid) */
    const uint8_t *host; /* code bytes in host memory */
    const uint32_t *genp; /* the RAM page's write generation (mem/bus.h) */
    uint32_t gen;        /* its value when decoded */
    uint8_t mode;        /* code size (16/32/64) it was decoded for */
    uint16_t n;
    /* Successors in the same page, as last found: [0] an inline jump's target, [1] the
     * fall-through at the end (validated on use, cpu.c run_threaded) */
    struct x86_block *link[2];
    uint32_t link_epoch[2]; /* cpu->block_epoch when linked */
    x86_insn *insn;      /* n + 1 records in cpu->insn_pool */
    uint16_t cap;        /* records there (a rebuild that fits reuses them) */
    uint32_t pool_gen;   /* cpu->pool_gen when they were taken */
} x86_block;

typedef struct x86_exc_info {
    bool pending;
    uint8_t vector;
    bool has_error;
    uint32_t error;
    uint64_t cr2;
} x86_exc_info;

/* An XMM register: the FP library's lane view (v) and the raw quadwords (q). */
typedef union x86_xmm_reg {
    x86_xmm v;
    uint64_t q[2];
} x86_xmm_reg;

/* What a board adds to the CPU (x86-api): the MSRs it implements (the local APIC's), the
 * CPUID leaves it amends (the APIC bit, the TSC frequency), the TSC's time base and CR8
 * as the local APIC's TPR (SDM Vol.3 "Task Priority in IA-32e Mode"). Any may be NULL;
 * without hooks the TSC counts retired instructions. */
typedef struct x86_board_hooks {
    void *opaque;
    /* 1 = done, 0 = #GP, -1 = not the board's MSR (the CPU's own handling follows) */
    int (*msr_read)(void *opaque, uint32_t msr, uint64_t *val);
    int (*msr_write)(void *opaque, uint32_t msr, uint64_t val);
    /* Called after the CPU filled r[] for (leaf, sub): the board may change it. */
    void (*cpuid)(void *opaque, uint32_t leaf, uint32_t sub, uint32_t r[4]);
    uint64_t (*tsc)(void *opaque);
    uint8_t (*cr8_read)(void *opaque);
    void (*cr8_write)(void *opaque, uint8_t cr8);
} x86_board_hooks;

typedef struct x86_cpu {
    uint64_t gpr[16];
    uint64_t rip;
    uint64_t flags;          /* RFLAGS except the lazily computed arithmetic bits */
    x86_lazy lf;
    x86_seg seg[6];
    x86_dtr gdtr, idtr;
    x86_seg ldtr, tr;
    uint64_t cr0, cr2, cr3, cr4, cr8;
    uint64_t dr[8];
    /* Armed debug breakpoints (DR7, SDM Vol.3 §18.2.4), recomputed on DR7 writes: a bit
     * per DRn enabled as an instruction breakpoint / as a data breakpoint. dr_hit
     * collects the data breakpoints the current instruction matched (a trap after it). */
    uint8_t dbg_exec, dbg_data, dr_hit;
    uint64_t efer;
    uint64_t xcr0;
    int cpl;

    /* MSRs */
    uint64_t apic_base, pat, star, lstar, cstar, sfmask, kernel_gs_base, tsc_offset;
    uint64_t misc_enable, sysenter_cs, sysenter_esp, sysenter_eip, tsc_aux, mtrr_def_type;
    /* Machine-check architecture (SDM Vol.3 §15.3): banks that never report an error */
    uint64_t mcg_ctl, mc_ctl[X86_MC_BANKS];
    /* MTRRs (SDM Vol.3 §12.11): stored and checked, no effect on an interpreter's memory */
    uint64_t mtrr_fixed[X86_MTRR_FIXED];        /* 64K_00000, 16K_80000/A0000, 4K_C0000.. */
    uint64_t mtrr_var[X86_MTRR_VAR][2];         /* PHYSBASEn, PHYSMASKn */
    uint32_t feat;           /* enabled F_* gates (decode.h) */
    bool trace_insn;         /* m->log.trace_insn, read at each x86_cpu_run */
    uint64_t icount;         /* instructions retired (faulting ones included) */
    uint64_t rng;            /* RDRAND generator state */
    uint64_t tsc;            /* advances one per retired instruction (deterministic) */

    /* SSE and x87 state. st[] is indexed by PHYSICAL register (ST(i) is st[(TOP+i)&7]
     * with TOP = fsw bits 13:11), each the 80-bit value little-endian (significand, then
     * sign/exponent); ftw is the full tag word (2 bits per physical register, 3 = empty).
     * The MMX registers are the significands of st[0..7]. */
    x86_xmm_reg xmm[16];
    uint32_t mxcsr;
    uint16_t fcw, fsw, ftw;
    uint8_t st[8][10];
    uint16_t fop;            /* last x87 opcode (11 bits) */
    uint64_t fip, fdp;       /* last x87 instruction and data pointers */
    uint16_t fcs, fds;

    /* Run state */
    machine *m;
    bus *io;                 /* port I/O bus: &m->io unless the creator changes it */
    bool halted;
    bool triple_fault;       /* set with the reset request (tests look at it) */
    bool intr_line;
    bool nmi_pending;
    bool nmi_blocked;        /* between an NMI and the next IRET */
    uint8_t shadow;          /* STI / MOV SS interrupt shadow: instructions left */
    int (*intr_ack)(void *opaque);
    void *intr_opaque;
    const x86_board_hooks *board;   /* kept across x86_cpu_reset */

    /* Test hook (x86-api): do not deliver exceptions, stop and report them. */
    bool stop_on_exception;
    x86_exc_info exc;

    /* Exception machinery (excp.c) */
    jmp_buf *fault_jmp;      /* where a fault unwinds to (the run loop) */
    int delivering;          /* vector being delivered, -1 none (double fault rules) */
    int fault_depth;
    uint64_t insn_rip;       /* rip of the instruction executing (faults restart it) */
    uint64_t next_rip;
    int code_bits;           /* 16/32/64 from CS (and EFER.LMA) */
    int stack_bits;          /* 16/32/64 from SS.B (and 64-bit mode) */

    /* TLB: [user?][access] */
    x86_tlb_entry tlb[2][3][X86_TLB_SIZE];
    bool tlb_global[2][3][X86_TLB_SIZE]; /* the entry maps a global page (CR4.PGE) */
    bool tlb_nofill;         /* the last translation must not be cached */
    bool smc;                /* a slow-path write hit a page holding decoded code */
    /* The block run_threaded counted on entry, and its first rip (cpu.c) */
    const x86_block *run_block;
    uint64_t run_rip0;
    uint32_t block_epoch;    /* counts block builds (links made before one are stale) */

    x86_block *blocks;
    x86_insn *insn_pool;     /* X86_INSN_POOL records for the blocks' instructions */
    uint32_t insn_pool_used;
    uint32_t pool_gen;       /* counts pool flushes (records of older ones are free) */
} x86_cpu;

bool x86_cpu_init(x86_cpu *cpu, machine *m, vm_error *err);
void x86_cpu_destroy(x86_cpu *cpu);
void x86_cpu_reset(x86_cpu *cpu);
uint64_t x86_cpu_run(x86_cpu *cpu, uint64_t budget);
void x86_cpu_set_intr(x86_cpu *cpu, bool level);
void x86_cpu_nmi(x86_cpu *cpu);
uint64_t x86_cpu_rflags(x86_cpu *cpu);
void x86_cpu_set_rflags(x86_cpu *cpu, uint64_t v);
/* Flat segments for 32-bit protected mode or 64-bit long mode (the caller built page
 * tables and set CR3 for 64; this sets CR0.PE|PG, CR4.PAE, EFER.LME|LMA). */
void x86_cpu_load_flat_mode(x86_cpu *cpu, int bits);

/* The TSC as RDTSC reads it (the board's time base, or the instruction count, plus
 * the offset IA32_TIME_STAMP_COUNTER writes set). */
uint64_t x86_tsc(const x86_cpu *cpu);

/* The CPUID leaf values this CPU reports (cpuid.c). */
void x86_cpuid(const x86_cpu *cpu, uint32_t leaf, uint32_t sub, uint32_t out[4]);
/* The F_* feature gates (decode.h) matching what CPUID advertises. */
uint32_t x86_feature_mask(const x86_cpu *cpu);

#endif
