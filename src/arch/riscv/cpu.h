/* One RISC-V RV64GC hart: architectural state, CSRs, the soft TLB and the decode cache.
 * Everything hangs off this struct (no globals), so a test can build several harts. */
#ifndef VM_RISCV_CPU_H
#define VM_RISCV_CPU_H

#include "arch/riscv/csr_bits.h"
#include "arch/riscv/decode.h"
#include "core/machine.h"
#include "core/types.h"

enum rv_priv { PRIV_U = 0, PRIV_S = 1, PRIV_M = 3 };

enum rv_access { ACC_READ = 0, ACC_WRITE = 1, ACC_EXEC = 2 };

/* Soft TLB entry: a hit is a tag compare plus an add to get the host pointer. Only RAM
 * pages are cached; MMIO and faults always take the slow path. */
typedef struct rv_tlb_entry {
    uint64_t tag;       /* virtual page number | epoch of its set << 52 (0 = invalid) */
    uintptr_t addend;   /* host address = guest virtual address + addend */
} rv_tlb_entry;

/* A virtual page number has at most 52 bits; the 12 bits above hold the epoch of the TLB
 * set, so flushing a set is an epoch bump (a memset only every 4095 flushes). */
#define RV_TLB_EPOCH_SHIFT 52
#define RV_TLB_EPOCH_MAX 0xfffu

#define RV_TLB_SPACES 16
#define RV_TLB_SUPER_SLOTS 2048
#define RV_TLB_BITS 10
#define RV_TLB_SIZE (1u << RV_TLB_BITS)
/* One TLB set per translation context: U (0), S (1), S with SUM (2), M (3, bare). */
#define RV_TLB_CTX 4
#define RV_CTX_S_SUM 2

/* Decoded-instruction cache keyed by guest-physical fetch address. Each entry keeps the
 * raw instruction bits it was decoded from; a hit requires the bits fetched now to match,
 * so self-modifying code and remapped pages need no explicit invalidation. */
#define RV_DCACHE_BITS 14
#define RV_DCACHE_SIZE (1u << RV_DCACHE_BITS)
typedef struct rv_dcache_entry {
    uint64_t pc;        /* guest-virtual pc + 1 (0 = invalid) */
    rv_insn insn;
} rv_dcache_entry;

/* Decoded blocks (interp.c): straight-line runs of up to RV_BLOCK_MAX instructions in one
 * page, keyed by virtual pc, holding a copy of the code bytes they were decoded from. */
#define RV_BLOCK_MAX 32
#define RV_BLOCK_CACHE 8192
typedef struct rv_block {
    uint64_t pc;        /* virtual pc + 1 (0 = invalid) */
    const uint8_t *host; /* where the code bytes were in host memory */
    const uint32_t *genp; /* that RAM page's write generation (mem/bus.h) ... */
    uint32_t gen;         /* ... and its value when the block was decoded */
    uint16_t n;         /* instructions */
    uint16_t bytes;     /* code bytes covered */
    rv_insn insn[RV_BLOCK_MAX + 1]; /* + the end-of-block sentinel */
} rv_block;

#define RV_PMP_COUNT 16

typedef struct rv_cpu {
    uint64_t x[33];     /* x[32]: where the block interpreter sends writes to x0 */
    uint64_t f[32];     /* FP registers; singles are NaN-boxed */
    uint64_t pc;
    uint64_t next_pc;   /* set by each instruction; a trap overrides it */
    int priv;
    bool trapped;       /* the current instruction raised an exception */
    bool wfi;           /* halted in WFI until an interrupt is pending */
    bool irq_check;     /* interrupt enables/pending may have changed: check before next */

    /* Machine-mode CSRs */
    uint64_t mstatus, misa, medeleg, mideleg, mie, mip, mtvec, mscratch, mepc, mcause, mtval;
    uint64_t mcounteren, scounteren, menvcfg, senvcfg, mcountinhibit;
    uint64_t mhartid;
    uint32_t fcsr;      /* frm[7:5] | fflags[4:0] */
    /* Supervisor CSRs (sstatus/sie/sip are views of the m* registers) */
    uint64_t stvec, sscratch, sepc, scause, stval, satp;
    uint64_t stimecmp;
    uint64_t pmpcfg[RV_PMP_COUNT / 8];  /* RV64: pmpcfg0, pmpcfg2 */
    uint64_t pmpaddr[RV_PMP_COUNT];
    /* Active PMP entries decoded into byte ranges, in priority order (pmp.c). */
    struct rv_pmp_range {
        uint64_t lo, hi;
        uint8_t cfg;
    } pmp_ranges[RV_PMP_COUNT];
    unsigned pmp_active;

    /* Counters: instret is kept per executed instruction (exact whenever an instruction
     * executes). mcycle (mirroring the instruction count) and minstret read as instret
     * plus an offset while they count, and a frozen value while mcountinhibit stops
     * them (csr.c). [0] = mcycle, [1] = minstret. */
    uint64_t instret;
    struct rv_counter {
        uint64_t offset;
        uint64_t frozen;
    } counter[2];

    /* LR/SC reservation (physical address of the reserved doubleword/word). */
    uint64_t reservation;
    bool reservation_valid;

    /* Supervisor external interrupt line from the PLIC is in mip.SEIP; the software-set
     * SEIP bit is kept apart so the two can be OR-ed (Priv. ISA §3.1.9). */
    uint64_t mip_sw_seip;

    rv_tlb_entry tlb[RV_TLB_CTX][3][RV_TLB_SIZE];
    uint64_t tlb_epoch[RV_TLB_CTX];  /* current epoch of each set, pre-shifted */
    /* Superpage regions with pieces in the TLB (any set or address space), so that
     * sfence.vma of an address outside them flushes a single entry (mmu.c). */
    uint64_t tlb_super_regions[RV_TLB_SUPER_SLOTS];
    bool tlb_super_overflow;
    int tlb_super_max_level;
    /* Address spaces: each recently used satp value keeps its own epoch, so switching
     * back to it (a context switch with ASIDs) finds its entries still valid. */
    struct rv_tlb_space {
        uint64_t satp;
        uint64_t epoch;          /* pre-shifted; 0 = free slot */
    } tlb_spaces[RV_TLB_SPACES];
    unsigned tlb_space_next;
    uint64_t tlb_epoch_next;
    int last_walk_level;            /* leaf level of the last translation (0 = 4 KiB) */
    rv_dcache_entry *dcache;
    rv_block *blocks;

    /* Platform hooks */
    machine *m;
    uint64_t (*read_time)(void *opaque);  /* mtime in ticks of the timebase */
    void *time_opaque;
    /* ecall from S-mode to a built-in SBI (--bios none); returns true if handled. */
    bool (*sbi_call)(struct rv_cpu *cpu);
    void *sbi_opaque;
    bool has_sstc;
} rv_cpu;

bool rv_cpu_init(rv_cpu *cpu, machine *m, uint64_t hartid, vm_error *err);
void rv_cpu_destroy(rv_cpu *cpu);
void rv_cpu_reset(rv_cpu *cpu, uint64_t pc);

/* Run until the machine stops or `budget` instructions retire; returns how many ran. */
uint64_t rv_cpu_run(rv_cpu *cpu, uint64_t budget);

/* Raise a synchronous exception for the current instruction. */
void rv_raise(rv_cpu *cpu, uint64_t cause, uint64_t tval);
/* Take any pending, enabled interrupt; returns true if one was taken. */
bool rv_check_interrupts(rv_cpu *cpu);
/* Between blocks when irq_check is set: take interrupts, wake from WFI. Returns false
 * if the hart is idle in WFI with nothing pending (the run loop then returns). */
bool rv_poll_interrupts(rv_cpu *cpu);
/* mret / sret: restore the privilege stack and set next_pc (trap.c). */
void rv_mret(rv_cpu *cpu);
void rv_sret(rv_cpu *cpu);
/* Sstc active: the hart implements it and M-mode enabled it for S-mode. */
static inline bool rv_sstc_enabled(const rv_cpu *cpu)
{
    return cpu->has_sstc && (cpu->menvcfg & MENVCFG_STCE);
}

/* The tag a TLB entry of set `ctx` holds for virtual page `vpn` in the current epoch. */
static inline uint64_t rv_tlb_tag(const rv_cpu *cpu, unsigned ctx, uint64_t vpn)
{
    return vpn | cpu->tlb_epoch[ctx];
}

/* Flush all TLB sets (satp write, sfence.vma, mstatus MXR/SUM/MPRV changes). */
void rv_tlb_flush(rv_cpu *cpu);
/* Flush the entries of one virtual page (sfence.vma with rs1 != x0). */
void rv_tlb_flush_page(rv_cpu *cpu, gva_t va);
/* Flush the translations of one ASID (sfence.vma x0, rs2 != x0). */
void rv_tlb_flush_asid(rv_cpu *cpu, uint64_t asid);
/* satp changed: select (or create) the TLB epoch of the new address space. */
void rv_tlb_switch_space(rv_cpu *cpu);

/* Virtual memory access with translation, PMP and the guest's faults. A false return
 * means an exception was raised (cpu->trapped). */
bool rv_load_slow(rv_cpu *cpu, gva_t va, unsigned size, uint64_t *val);
bool rv_store_slow(rv_cpu *cpu, gva_t va, unsigned size, uint64_t val);
bool rv_fetch_slow(rv_cpu *cpu, gva_t va, uint32_t *insn);

/* CSR access (Zicsr); false = illegal instruction already raised. */
bool rv_csr_read(rv_cpu *cpu, unsigned csr, uint64_t *val);
bool rv_csr_write(rv_cpu *cpu, unsigned csr, uint64_t val);

/* mcycle (n = 0) and minstret (n = 2), for M-mode software such as the built-in SBI's
 * PMU. A write, like a CSR write, is the value the next instruction reads: the current
 * instruction does not count (Unpriv. ISA, Zicsr chapter, "CSR Instructions"). */
uint64_t rv_counter_read(const rv_cpu *cpu, unsigned n);
void rv_counter_write(rv_cpu *cpu, unsigned n, uint64_t val);
/* New mcountinhibit value: counters whose CY/IR bit sets freeze, those clearing resume. */
void rv_counter_set_inhibit(rv_cpu *cpu, uint64_t inhibit);

/* Current mip with the time-derived bits (STIP from stimecmp) folded in. */
uint64_t rv_pending_mip(rv_cpu *cpu);

/* Floating-point execution (fpu.c): F and D arithmetic, conversion, compare, move and
 * classify. Loads/stores of FP registers are in execute.c. */
void rv_exec_fp(rv_cpu *cpu, const rv_insn *in);

#endif
