/* The built-in SBI: its PMU extension (SBI v2.0 chapter 11) as Linux's riscv-pmu-sbi
 * driver uses it (probe, counter info, matching the cycle/instret/firmware events,
 * start/stop of the fixed counters through mcountinhibit, firmware counters counting SBI
 * calls), hart masks, and HSM suspend types. */
#include <stdio.h>
#include <string.h>

#include "arch/riscv/sbi.h"
#include "arch/riscv/virt_board.h"
#include "check.h"

#define EXT_BASE 0x10
#define EXT_TIME 0x54494D45
#define EXT_IPI 0x735049
#define EXT_PMU 0x504D55
#define EXT_HSM 0x48534D

#define EV_CYCLES 0x00001
#define EV_INSTRUCTIONS 0x00002
#define EV_L1D_READ_ACCESS 0x10000
#define EV_FW(code) (0xf0000u | (code))

/* Counters 0, 2 and 3..18: what Linux's cmask holds after counter_get_info. */
#define ALL_COUNTERS 0x7fffdULL

static machine m;
static riscv_virt v;

static sbi_ret call(uint64_t ext, uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2,
                    uint64_t a3)
{
    rv_cpu *cpu = &v.cpu;
    cpu->x[17] = ext;
    cpu->x[16] = fid;
    cpu->x[10] = a0;
    cpu->x[11] = a1;
    cpu->x[12] = a2;
    cpu->x[13] = a3;
    cpu->x[14] = cpu->x[15] = 0;
    CHECK(riscv_sbi_call(cpu), "the SBI handles the call");
    return (sbi_ret){ (int64_t)cpu->x[10], cpu->x[11] };
}

static sbi_ret pmu(uint64_t fid, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    return call(EXT_PMU, fid, a0, a1, a2, a3);
}

/* The ecall that made a call retires after it: the counters see it like this. */
static void retire(void)
{
    v.cpu.instret++;
}

static void test_probe_and_info(void)
{
    sbi_ret r = call(EXT_BASE, 3, EXT_PMU, 0, 0, 0);
    CHECK_EQ(r.value, 1, "probe_extension(PMU) = available");
    r = pmu(0, 0, 0, 0, 0);
    CHECK_EQ(r.error, SBI_SUCCESS, "num_counters succeeds");
    CHECK_EQ(r.value, 19, "num_counters = 3 fixed slots + 16 firmware (as OpenSBI)");
    r = pmu(1, 0, 0, 0, 0);
    CHECK_EQ(r.value, 0xc00 | (63u << 12), "counter 0: cycle CSR, 64 bits, hardware");
    r = pmu(1, 2, 0, 0, 0);
    CHECK_EQ(r.value, 0xc02 | (63u << 12), "counter 2: instret CSR, 64 bits, hardware");
    CHECK_EQ(pmu(1, 1, 0, 0, 0).error, SBI_ERR_INVALID_PARAM, "counter 1 (time) is no PMU counter");
    r = pmu(1, 3, 0, 0, 0);
    CHECK_EQ(r.value >> 63, 1, "counter 3 is a firmware counter");
    CHECK_EQ(pmu(1, 19, 0, 0, 0).error, SBI_ERR_INVALID_PARAM, "counter 19 does not exist");
    CHECK_EQ(pmu(7, 0x1000, 0, 0, 0).error, SBI_ERR_NOT_SUPPORTED, "no snapshot shared memory");
}

static void test_fixed_counters(void)
{
    rv_cpu *cpu = &v.cpu;
    /* As Linux at boot: stop everything (unconfigured firmware counters included). */
    pmu(4, 0, ALL_COUNTERS, 1, 0);
    CHECK_EQ(cpu->mcountinhibit & 5, 5, "stopping all inhibits cycle and instret");

    sbi_ret r = pmu(2, 0, ALL_COUNTERS, 0, EV_CYCLES);
    CHECK_EQ(r.error, SBI_SUCCESS, "config_matching(CPU_CYCLES)");
    CHECK_EQ(r.value, 0, "picks the cycle counter");
    r = pmu(2, 0, ALL_COUNTERS, 0, EV_INSTRUCTIONS);
    CHECK_EQ(r.value, 2, "config_matching(INSTRUCTIONS) picks instret");
    CHECK_EQ(pmu(2, 0, ALL_COUNTERS, 0, EV_L1D_READ_ACCESS).error, SBI_ERR_NOT_SUPPORTED,
             "no counter counts cache events");
    CHECK_EQ(pmu(2, 0, 0x3, 0, EV_CYCLES).error, SBI_ERR_INVALID_PARAM,
             "a set naming counter 1 is invalid");
    CHECK_EQ(pmu(2, 0, 1ULL << 40, 0, EV_CYCLES).error, SBI_ERR_INVALID_PARAM,
             "a set past the last counter is invalid");
    CHECK_EQ(pmu(2, 3, 1, 0, EV_CYCLES).error, SBI_ERR_NOT_SUPPORTED,
             "a firmware counter cannot count cycles");

    /* counter_start(2, SET_INIT_VALUE, 1000): the next instruction reads 1000. */
    CHECK_EQ(pmu(3, 2, 1, 1, 1000).error, SBI_SUCCESS, "start instret at 1000");
    retire();
    CHECK_EQ(rv_counter_read(cpu, 2), 1000, "minstret reads the initial value after the ecall");
    cpu->instret += 10;
    CHECK_EQ(rv_counter_read(cpu, 2), 1010, "and counts");
    CHECK_EQ(rv_counter_read(cpu, 0) == 1010, 0, "cycle stopped: it does not follow instret");
    CHECK_EQ(pmu(3, 2, 1, 0, 0).error, SBI_ERR_ALREADY_STARTED, "starting it again");
    CHECK_EQ(pmu(4, 2, 1, 0, 0).error, SBI_SUCCESS, "stop instret");
    retire();
    uint64_t frozen = rv_counter_read(cpu, 2);
    CHECK_EQ(frozen, 1010, "the stopping ecall is not counted");
    cpu->instret += 50;
    CHECK_EQ(rv_counter_read(cpu, 2), frozen, "a stopped counter holds its value");
    CHECK_EQ(pmu(4, 2, 1, 0, 0).error, SBI_ERR_ALREADY_STOPPED, "stopping it again");
    CHECK_EQ(pmu(3, 2, 1, 0, 0).error, SBI_SUCCESS, "start without an initial value");
    retire();
    cpu->instret += 5;
    CHECK_EQ(rv_counter_read(cpu, 2), frozen + 5, "counting resumes from the held value");

    r = pmu(2, 0, 1, 2 | 4, EV_CYCLES); /* CLEAR_VALUE | AUTO_START */
    retire();
    CHECK_EQ(r.value, 0, "cycle configured with clear + auto-start");
    cpu->instret += 3;
    CHECK_EQ(rv_counter_read(cpu, 0), 3, "cycle cleared and counting");
    CHECK_EQ(pmu(3, 0, 1, 2, 0).error, SBI_ERR_NO_SHMEM, "INIT_SNAPSHOT without shared memory");
}

static void test_firmware_counters(void)
{
    sbi_ret r = pmu(2, 0, ALL_COUNTERS, 2 | 4, EV_FW(SBI_PMU_FW_SET_TIMER));
    CHECK_EQ(r.error, SBI_SUCCESS, "config_matching(SET_TIMER) with clear + auto-start");
    CHECK_EQ(r.value, 3, "the first firmware counter");
    uint64_t timer_ctr = r.value;
    r = pmu(2, 0, ALL_COUNTERS, 0, EV_FW(SBI_PMU_FW_IPI_SENT));
    CHECK_EQ(r.value, 4, "the next free one for IPI_SENT");
    uint64_t ipi_ctr = r.value;
    CHECK_EQ(pmu(2, 0, ALL_COUNTERS, 0, EV_FW(0)).error, SBI_ERR_NOT_SUPPORTED,
             "misaligned loads never reach this SBI");
    CHECK_EQ(pmu(2, 0, ALL_COUNTERS, 0, EV_FW(0xffff)).error, SBI_ERR_NOT_SUPPORTED,
             "no platform firmware events");

    call(EXT_TIME, 0, 12345, 0, 0, 0);
    call(0x00, 0, 12346, 0, 0, 0); /* legacy set_timer */
    call(EXT_IPI, 0, 1, 0, 0, 0);
    r = pmu(5, timer_ctr, 0, 0, 0);
    CHECK_EQ(r.error, SBI_SUCCESS, "counter_fw_read");
    CHECK_EQ(r.value, 2, "two set_timer calls counted");
    CHECK_EQ(pmu(6, timer_ctr, 0, 0, 0).value, 0, "counter_fw_read_hi is zero on RV64");
    CHECK_EQ(pmu(5, ipi_ctr, 0, 0, 0).value, 0, "a configured but stopped counter does not count");
    CHECK_EQ(pmu(3, ipi_ctr, 1, 1, 40).error, SBI_SUCCESS, "start IPI_SENT at 40");
    CHECK_EQ(call(EXT_IPI, 0, 1, 0, 0, 0).error, SBI_SUCCESS, "send an IPI to hart 0");
    CHECK_EQ(call(EXT_IPI, 0, 0, UINT64_MAX, 0, 0).error, SBI_SUCCESS, "and to all harts");
    CHECK_EQ(call(EXT_IPI, 0, 2, 0, 0, 0).error, SBI_ERR_INVALID_PARAM, "hart 1 does not exist");
    CHECK_EQ(pmu(5, ipi_ctr, 0, 0, 0).value, 42, "IPIs to this hart counted");

    CHECK_EQ(pmu(4, timer_ctr, 1, 1, 0).error, SBI_SUCCESS, "stop + reset SET_TIMER's counter");
    CHECK_EQ(pmu(5, timer_ctr, 0, 0, 0).error, SBI_ERR_INVALID_PARAM,
             "a free counter cannot be read");
    CHECK_EQ(pmu(3, timer_ctr, 1, 0, 0).error, SBI_ERR_INVALID_PARAM, "nor started");
    r = pmu(2, 0, ALL_COUNTERS, 0, EV_FW(SBI_PMU_FW_SFENCE_VMA_SENT));
    CHECK_EQ(r.value, timer_ctr, "the freed counter is matched again");
    CHECK_EQ(pmu(5, 0, 0, 0, 0).error, SBI_ERR_INVALID_PARAM, "fw_read of a hardware counter");

    /* Machine reset frees every counter and lets cycle/instret run. */
    riscv_sbi_pmu_reset(&v.sbi_pmu, &v.cpu);
    CHECK_EQ(v.cpu.mcountinhibit & 5, 0, "reset: fixed counters run");
    CHECK_EQ(pmu(5, ipi_ctr, 0, 0, 0).error, SBI_ERR_INVALID_PARAM, "reset: counters free");
}

static void test_hsm_suspend(void)
{
    rv_cpu *cpu = &v.cpu;
    cpu->pc = 0x80001000;
    cpu->next_pc = cpu->pc + 4;
    cpu->wfi = false;
    CHECK_EQ(call(EXT_HSM, 3, 0, 0, 0, 0).error, SBI_SUCCESS, "default retentive suspend");
    CHECK(cpu->wfi, "waits for an interrupt");
    CHECK_EQ(cpu->next_pc, 0x80001004, "then returns after the ecall");

    cpu->wfi = false;
    cpu->mstatus |= MSTATUS_SIE;
    cpu->satp = 8ULL << 60;
    sbi_ret r = call(EXT_HSM, 3, 0x80000000, 0x80002000, 0x1234, 0);
    CHECK(cpu->wfi, "default non-retentive suspend waits for an interrupt");
    CHECK_EQ(cpu->next_pc, 0x80002000, "and resumes at resume_addr");
    CHECK_EQ(r.error, 0, "with a0 = hartid");
    CHECK_EQ(r.value, 0x1234, "and a1 = opaque");
    CHECK_EQ(cpu->satp, 0, "translation off");
    CHECK_EQ(cpu->mstatus & MSTATUS_SIE, 0, "interrupts disabled");
    CHECK_EQ(call(EXT_HSM, 3, 0x80000000, 0x1000, 0, 0).error, SBI_ERR_INVALID_ADDRESS,
             "resume_addr outside RAM");
    CHECK_EQ(call(EXT_HSM, 3, 1, 0, 0, 0).error, SBI_ERR_INVALID_PARAM, "reserved type");
    CHECK_EQ(call(EXT_HSM, 3, 0x10000000, 0, 0, 0).error, SBI_ERR_NOT_SUPPORTED,
             "platform-specific retentive type");
    CHECK_EQ(call(EXT_HSM, 3, 0x100000000ULL, 0, 0, 0).error, SBI_ERR_INVALID_PARAM,
             "types above 32 bits are reserved");
    cpu->wfi = false;
}

int main(void)
{
    vm_error err;
    bus_init(&m.bus);
    v.m = &m;
    if (!bus_add_ram(&m.bus, 0x80000000ULL, 1 << 20, "ram", &err) ||
        !rv_cpu_init(&v.cpu, &m, 0, &err)) {
        printf("not ok 1 - set-up: %s\n", err.msg);
        return 1;
    }
    v.cpu.priv = PRIV_S;
    v.cpu.sbi_opaque = &v;
    riscv_sbi_reset(&v);
    CHECK_EQ(v.cpu.scounteren, 7, "reset: S-mode hands U-mode cycle/time/instret, as OpenSBI");
    test_probe_and_info();
    test_fixed_counters();
    test_firmware_counters();
    test_hsm_suspend();
    rv_cpu_destroy(&v.cpu);
    bus_destroy(&m.bus);
    return check_done();
}
