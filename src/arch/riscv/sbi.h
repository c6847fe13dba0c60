/* The built-in SBI's own state (sbi.c, sbi_pmu.c): what M-mode firmware keeps for the
 * hart besides its CSRs. Only the PMU extension has any. */
#ifndef VM_RISCV_SBI_H
#define VM_RISCV_SBI_H

#include "arch/riscv/cpu.h"

#define SBI_SUCCESS 0
#define SBI_ERR_FAILED -1
#define SBI_ERR_NOT_SUPPORTED -2
#define SBI_ERR_INVALID_PARAM -3
#define SBI_ERR_INVALID_ADDRESS -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED -7
#define SBI_ERR_ALREADY_STOPPED -8
#define SBI_ERR_NO_SHMEM -9

typedef struct sbi_ret {
    int64_t error;
    uint64_t value;
} sbi_ret;

/* SBI v2.0 §11: logical counters 0 and 2 are the fixed cycle and instret counters (their
 * numbers are CSR offsets from `cycle`; 1 would be `time`, which the PMU does not
 * manage), then the firmware counters. Like OpenSBI: 16 firmware counters. */
#define SBI_PMU_CYCLE 0
#define SBI_PMU_INSTRET 2
#define SBI_PMU_HW_COUNTERS 3
#define SBI_PMU_FW_COUNTERS 16
#define SBI_PMU_COUNTERS (SBI_PMU_HW_COUNTERS + SBI_PMU_FW_COUNTERS)

/* Firmware event codes (SBI v2.0 ch. 11, "Firmware Events", event type 15) the built-in
 * SBI counts: the calls it serves. The others (misaligned or faulting accesses, illegal
 * instructions, hypervisor fences) never reach it: the hart delegates those traps to
 * S-mode or does misaligned accesses itself, and there is no H extension. */
enum {
    SBI_PMU_FW_SET_TIMER = 5,
    SBI_PMU_FW_IPI_SENT = 6,
    SBI_PMU_FW_IPI_RECEIVED = 7,
    SBI_PMU_FW_FENCE_I_SENT = 8,
    SBI_PMU_FW_FENCE_I_RECEIVED = 9,
    SBI_PMU_FW_SFENCE_VMA_SENT = 10,
    SBI_PMU_FW_SFENCE_VMA_RECEIVED = 11,
    SBI_PMU_FW_SFENCE_VMA_ASID_SENT = 12,
    SBI_PMU_FW_SFENCE_VMA_ASID_RECEIVED = 13,
};

typedef struct riscv_sbi_pmu {
    /* Event index each firmware counter is configured for (0 = free: event index 0 is
     * not a valid event). The fixed counters always count their one event. */
    uint32_t fw_event[SBI_PMU_FW_COUNTERS];
    bool fw_started[SBI_PMU_FW_COUNTERS];
    uint64_t fw_value[SBI_PMU_FW_COUNTERS];
} riscv_sbi_pmu;

/* Firmware reset: every counter free, cycle and instret counting. */
void riscv_sbi_pmu_reset(riscv_sbi_pmu *p, rv_cpu *cpu);
/* One call of the PMU extension: function `fid` with arguments a[0..5]. */
sbi_ret riscv_sbi_pmu_call(riscv_sbi_pmu *p, rv_cpu *cpu, uint64_t fid, const uint64_t a[6]);
/* The SBI served something that firmware event `code` counts. */
void riscv_sbi_pmu_count(riscv_sbi_pmu *p, unsigned code);

#endif
