/* The built-in SBI's Performance Monitoring Unit extension (SBI v2.0 chapter 11, "PMU").
 * Linux needs it for more than perf: its riscv-pmu-sbi driver is what sets scounteren.TM,
 * without which every user-mode rdtime (glibc's clock_gettime) is an illegal instruction.
 *
 * Counters: 0 = cycle and 2 = instret, the hart's fixed counters (mcountinhibit starts
 * and stops them, as M-mode firmware does); 3.. = firmware counters of the calls this
 * SBI serves. There are no programmable mhpmcounters, so no cache or raw events. */
#include "arch/riscv/sbi.h"

enum {
    FID_NUM_COUNTERS = 0,
    FID_COUNTER_GET_INFO = 1,
    FID_COUNTER_CONFIG_MATCHING = 2,
    FID_COUNTER_START = 3,
    FID_COUNTER_STOP = 4,
    FID_COUNTER_FW_READ = 5,
    FID_COUNTER_FW_READ_HI = 6,
    FID_SNAPSHOT_SET_SHMEM = 7,
};

/* event_idx ("Event" section): type in bits 19:16, code in 15:0, bits above reserved. */
#define EVENT_TYPE(idx) (((idx) >> 16) & 0xf)
#define EVENT_CODE(idx) ((idx) & 0xffff)
#define EVENT_TYPE_HW 0
#define EVENT_TYPE_FW 15
#define HW_CPU_CYCLES 1
#define HW_INSTRUCTIONS 2

#define CFG_SKIP_MATCH (1u << 0)
#define CFG_CLEAR_VALUE (1u << 1)
#define CFG_AUTO_START (1u << 2)
#define START_SET_INIT_VALUE (1u << 0)
#define START_INIT_SNAPSHOT (1u << 1)
#define STOP_RESET (1u << 0)
#define STOP_TAKE_SNAPSHOT (1u << 1)

static sbi_ret result(int64_t error, uint64_t value)
{
    return (sbi_ret){ error, value };
}

static bool is_fixed(unsigned idx)
{
    return idx == SBI_PMU_CYCLE || idx == SBI_PMU_INSTRET;
}

static bool is_fw(unsigned idx)
{
    return idx >= SBI_PMU_HW_COUNTERS && idx < SBI_PMU_COUNTERS;
}

static bool fw_event_counted(uint64_t code)
{
    return code >= SBI_PMU_FW_SET_TIMER && code <= SBI_PMU_FW_SFENCE_VMA_ASID_RECEIVED;
}

/* The fixed counter that counts event_idx, or -1. */
static int fixed_counter_for(uint64_t event_idx)
{
    if (EVENT_TYPE(event_idx) != EVENT_TYPE_HW)
        return -1;
    if (EVENT_CODE(event_idx) == HW_CPU_CYCLES)
        return SBI_PMU_CYCLE;
    if (EVENT_CODE(event_idx) == HW_INSTRUCTIONS)
        return SBI_PMU_INSTRET;
    return -1;
}

/* Whether counter `idx` can be configured for event_idx at all. */
static bool can_count(unsigned idx, uint64_t event_idx)
{
    if (is_fixed(idx))
        return fixed_counter_for(event_idx) == (int)idx;
    return is_fw(idx) && EVENT_TYPE(event_idx) == EVENT_TYPE_FW &&
           fw_event_counted(EVENT_CODE(event_idx));
}

/* The set named by counter_idx_base and counter_idx_mask: false if it holds a counter
 * that does not exist (1, the time CSR, is not a PMU counter). */
static bool valid_set(uint64_t base, uint64_t mask)
{
    for (unsigned i = 0; i < 64; i++) {
        if (!((mask >> i) & 1))
            continue;
        if (base >= SBI_PMU_COUNTERS || i >= SBI_PMU_COUNTERS - base)
            return false;
        unsigned idx = (unsigned)base + i;
        if (!is_fixed(idx) && !is_fw(idx))
            return false;
    }
    return true;
}

static bool fixed_started(const rv_cpu *cpu, unsigned idx)
{
    return !((cpu->mcountinhibit >> idx) & 1);
}

static void fixed_run(rv_cpu *cpu, unsigned idx, bool run)
{
    uint64_t bit = 1ULL << idx;
    rv_counter_set_inhibit(cpu, run ? cpu->mcountinhibit & ~bit : cpu->mcountinhibit | bit);
}

static sbi_ret get_info(uint64_t idx)
{
    /* counter_info: csr in bits 11:0, width - 1 in 17:12, type in XLEN-1 (1 = firmware,
     * whose csr and width are ignored). */
    if (idx < SBI_PMU_COUNTERS && is_fixed((unsigned)idx))
        return result(SBI_SUCCESS, (uint64_t)(CSR_CYCLE + idx) | (63ULL << 12));
    if (idx < SBI_PMU_COUNTERS && is_fw((unsigned)idx))
        return result(SBI_SUCCESS, (1ULL << 63) | (63ULL << 12));
    return result(SBI_ERR_INVALID_PARAM, 0);
}

static sbi_ret config_matching(riscv_sbi_pmu *p, rv_cpu *cpu, const uint64_t a[6])
{
    uint64_t base = a[0], mask = a[1], flags = a[2], event_idx = a[3];
    if (!valid_set(base, mask) || (event_idx >> 20) != 0)
        return result(SBI_ERR_INVALID_PARAM, 0);
    int found = -1;
    for (unsigned i = 0; i < 64 && found < 0; i++) {
        if (!((mask >> i) & 1))
            continue;
        unsigned idx = (unsigned)base + i;
        if (flags & CFG_SKIP_MATCH) {
            /* "unconditionally select the first counter from the set" */
            if (!can_count(idx, event_idx))
                return result(SBI_ERR_NOT_SUPPORTED, 0);
            found = (int)idx;
        } else if (can_count(idx, event_idx) &&
                   (is_fixed(idx) || p->fw_event[idx - SBI_PMU_HW_COUNTERS] == 0)) {
            /* A fixed counter counts its one event whoever asks (as with OpenSBI; the
             * kernel tracks which of its events uses it); a firmware counter must be free. */
            found = (int)idx;
        }
    }
    if (found < 0)
        return result(SBI_ERR_NOT_SUPPORTED, 0);
    unsigned idx = (unsigned)found;
    /* config_flags[7:3] are filtering hints: without Sscofpmf the counters cannot
     * filter by privilege, and the spec lets the SBI ignore them. */
    if (is_fixed(idx)) {
        if (flags & CFG_CLEAR_VALUE)
            rv_counter_write(cpu, idx, 0);
        if (flags & CFG_AUTO_START)
            fixed_run(cpu, idx, true);
    } else {
        unsigned f = idx - SBI_PMU_HW_COUNTERS;
        p->fw_event[f] = (uint32_t)event_idx;
        if (flags & CFG_CLEAR_VALUE)
            p->fw_value[f] = 0;
        if (flags & CFG_AUTO_START)
            p->fw_started[f] = true;
    }
    return result(SBI_SUCCESS, idx);
}

/* counter_start (start = true) and counter_stop. Counters are handled one by one; the
 * error reported is INVALID_PARAM if a firmware counter in the set is not configured
 * (the others are still started or stopped, as OpenSBI does: Linux stops "all" counters
 * at boot with a mask that includes unconfigured ones), else ALREADY_STARTED/STOPPED. */
static sbi_ret start_stop(riscv_sbi_pmu *p, rv_cpu *cpu, const uint64_t a[6], bool start)
{
    uint64_t base = a[0], mask = a[1], flags = a[2];
    if (!valid_set(base, mask))
        return result(SBI_ERR_INVALID_PARAM, 0);
    /* No snapshot shared memory: snapshot_set_shmem is not supported. */
    if (flags & (start ? START_INIT_SNAPSHOT : STOP_TAKE_SNAPSHOT))
        return result(SBI_ERR_NO_SHMEM, 0);
    bool unconfigured = false, already = false;
    for (unsigned i = 0; i < 64; i++) {
        if (!((mask >> i) & 1))
            continue;
        unsigned idx = (unsigned)base + i;
        if (is_fixed(idx)) {
            if (fixed_started(cpu, idx) == start) {
                already = true;
            } else {
                /* The initial value goes in first: a stopped counter holds it. */
                if (start && (flags & START_SET_INIT_VALUE))
                    rv_counter_write(cpu, idx, a[3]);
                fixed_run(cpu, idx, start);
            }
            continue;
        }
        unsigned f = idx - SBI_PMU_HW_COUNTERS;
        if (p->fw_event[f] == 0) {
            unconfigured = true;
            continue;
        }
        if (p->fw_started[f] == start) {
            already = true;
        } else {
            if (start && (flags & START_SET_INIT_VALUE))
                p->fw_value[f] = a[3];
            p->fw_started[f] = start;
        }
        if (!start && (flags & STOP_RESET))
            p->fw_event[f] = 0;
    }
    if (unconfigured)
        return result(SBI_ERR_INVALID_PARAM, 0);
    if (already)
        return result(start ? SBI_ERR_ALREADY_STARTED : SBI_ERR_ALREADY_STOPPED, 0);
    return result(SBI_SUCCESS, 0);
}

static sbi_ret fw_read(const riscv_sbi_pmu *p, uint64_t idx, bool high)
{
    if (idx >= SBI_PMU_COUNTERS || !is_fw((unsigned)idx) ||
        p->fw_event[idx - SBI_PMU_HW_COUNTERS] == 0)
        return result(SBI_ERR_INVALID_PARAM, 0);
    /* RV64: the whole value fits in sbiret.value; the high half reads as zero. */
    return result(SBI_SUCCESS, high ? 0 : p->fw_value[idx - SBI_PMU_HW_COUNTERS]);
}

sbi_ret riscv_sbi_pmu_call(riscv_sbi_pmu *p, rv_cpu *cpu, uint64_t fid, const uint64_t a[6])
{
    switch (fid) {
    case FID_NUM_COUNTERS: return result(SBI_SUCCESS, SBI_PMU_COUNTERS);
    case FID_COUNTER_GET_INFO: return get_info(a[0]);
    case FID_COUNTER_CONFIG_MATCHING: return config_matching(p, cpu, a);
    case FID_COUNTER_START: return start_stop(p, cpu, a, true);
    case FID_COUNTER_STOP: return start_stop(p, cpu, a, false);
    case FID_COUNTER_FW_READ: return fw_read(p, a[0], false);
    case FID_COUNTER_FW_READ_HI: return fw_read(p, a[0], true);
    case FID_SNAPSHOT_SET_SHMEM: /* optional: no snapshots */
    default: return result(SBI_ERR_NOT_SUPPORTED, 0);
    }
}

void riscv_sbi_pmu_count(riscv_sbi_pmu *p, unsigned code)
{
    for (unsigned f = 0; f < SBI_PMU_FW_COUNTERS; f++)
        if (p->fw_started[f] && EVENT_CODE(p->fw_event[f]) == code)
            p->fw_value[f]++;
}

void riscv_sbi_pmu_reset(riscv_sbi_pmu *p, rv_cpu *cpu)
{
    for (unsigned f = 0; f < SBI_PMU_FW_COUNTERS; f++) {
        p->fw_event[f] = 0;
        p->fw_started[f] = false;
        p->fw_value[f] = 0;
    }
    rv_counter_set_inhibit(cpu, 0);
}
