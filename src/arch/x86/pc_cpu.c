/* What the PC board adds to its CPU, and the board's time base.
 *
 * One clock: nanoseconds of host CLOCK_MONOTONIC since the board was made. The PIT, the
 * RTC's update/periodic timing, the local APIC timer and the TSC all read it, so they
 * agree with each other (as the RISC-V board derives mtime from the same host clock).
 * The TSC runs at PC_TSC_HZ = 1 GHz (one tick per ns) and the APIC bus clock at the
 * same 1 GHz (lapic.h).
 *
 * So that Linux does not calibrate (seconds of PIT polling in an interpreter), the
 * frequencies are advertised the way arch/x86/kernel/tsc.c reads them on Intel CPUs:
 * native_calibrate_tsc() takes CPUID leaf 0x15 (TSC/crystal ratio EBX/EAX and the
 * crystal's Hz in ECX), sets X86_FEATURE_TSC_KNOWN_FREQ (no refined calibration) and
 * sets lapic_timer_period from the crystal (so the APIC timer is not calibrated either:
 * the crystal must be the APIC bus clock); native_calibrate_cpu_early() takes leaf 0x16
 * (base MHz). Leaf 0x80000007 EDX bit 8 (invariant TSC) gives CONSTANT_TSC/NONSTOP_TSC,
 * leaf 6 EAX bit 2 (ARAT) says the APIC timer keeps running in idle states. With
 * CONSTANT_TSC, NONSTOP_TSC and TSC_ADJUST (leaf 7 EBX bit 1) on at most four packages,
 * check_system_tsc_reliable() turns the clocksource watchdog off for the TSC: otherwise
 * it compares the TSC with jiffies, whose ticks an interpreter delivers late, and
 * marks the TSC unstable (seen: "skewed 74 ms over watchdog 'refined-jiffies'").
 *
 * MSRs: IA32_APIC_BASE (0x1B), IA32_TSC_DEADLINE (0x6E0) and the x2APIC range
 * (0x800-0x8FF) go to the local APIC; CR8 is the APIC's TPR[7:4]. */
#include <time.h>

#include "arch/x86/pc.h"

#define MSR_PLATFORM_ID 0x17u
#define MSR_APIC_BASE 0x1bu
#define MSR_TSC_ADJUST 0x3bu
#define MSR_TSC_DEADLINE 0x6e0u
#define MSR_X2APIC_FIRST 0x800u
#define MSR_X2APIC_LAST 0x8ffu

static uint64_t host_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t pc_clock_ns(void *opaque)
{
    pc_board *pc = opaque;
    return host_ns() - pc->clock_base;
}

/* 1 GHz: the TSC is the clock in ns. */
uint64_t pc_tsc(void *opaque)
{
    return pc_clock_ns(opaque);
}

static int msr_read(void *opaque, uint32_t msr, uint64_t *val)
{
    pc_board *pc = opaque;
    if (msr == MSR_PLATFORM_ID) {
        *val = 0;           /* microcode platform 0 (read by Linux's microcode loader) */
        return 1;
    }
    if (msr == MSR_TSC_ADJUST) {
        *val = pc->cpu.tsc_offset;
        return 1;
    }
    if (msr == MSR_APIC_BASE) {
        *val = lapic_get_apic_base(&pc->apic);
        return 1;
    }
    if (msr == MSR_TSC_DEADLINE) {
        *val = lapic_read_tsc_deadline(&pc->apic);
        return 1;
    }
    if (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST)
        return lapic_msr_read(&pc->apic, msr, val);
    return -1;
}

static int msr_write(void *opaque, uint32_t msr, uint64_t val)
{
    pc_board *pc = opaque;
    int r = -1;
    if (msr == MSR_TSC_ADJUST) {
        /* SDM Vol.3 "Time-Stamp Counter Adjustment": the TSC is the count plus
         * IA32_TSC_ADJUST, and a write to IA32_TIME_STAMP_COUNTER moves the adjustment
         * by the same amount: exactly the CPU's tsc_offset. */
        pc->cpu.tsc_offset = val;
        return 1;
    }
    if (msr == MSR_APIC_BASE) {
        r = lapic_set_apic_base(&pc->apic, val);
    } else if (msr == MSR_TSC_DEADLINE) {
        lapic_write_tsc_deadline(&pc->apic, val);
        r = 1;
    } else if (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST) {
        r = lapic_msr_write(&pc->apic, msr, val);
    }
    if (r >= 0)
        pc_irq_sync(pc);
    return r;
}

static void cpuid(void *opaque, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    (void)opaque;
    switch (leaf) {
    case 0:
        if (r[0] < 0x16)
            r[0] = 0x16;
        break;
    case 1:
        r[3] |= 1u << 9;    /* APIC: the board's local APIC */
        r[2] |= 1u << 24;   /* TSC-deadline timer */
        break;
    case 6:
        r[0] |= 1u << 2;    /* ARAT: the APIC timer runs in every C-state */
        break;
    case 7:
        if (sub == 0)
            r[1] |= 1u << 1;    /* IA32_TSC_ADJUST */
        break;
    case 0x15:              /* SDM Vol.2 CPUID leaf 15H: TSC = crystal * EBX / EAX */
        r[0] = 1;
        r[1] = 1;
        r[2] = (uint32_t)PC_TSC_HZ;
        break;
    case 0x16:              /* base, maximum and bus (reference) frequency in MHz */
        r[0] = r[1] = r[2] = (uint32_t)(PC_TSC_HZ / 1000000);
        break;
    case 0x80000007:
        r[3] |= 1u << 8;    /* invariant TSC */
        break;
    default:
        break;
    }
}

static uint8_t cr8_read(void *opaque)
{
    return lapic_get_cr8(&((pc_board *)opaque)->apic);
}

static void cr8_write(void *opaque, uint8_t v)
{
    pc_board *pc = opaque;
    lapic_set_cr8(&pc->apic, v);
    pc_irq_sync(pc);
}

void pc_cpu_hooks_init(pc_board *pc)
{
    pc->clock_base = host_ns();
    pc->hooks = (x86_board_hooks){
        .opaque = pc,
        .msr_read = msr_read,
        .msr_write = msr_write,
        .cpuid = cpuid,
        .tsc = pc_tsc,
        .cr8_read = cr8_read,
        .cr8_write = cr8_write,
    };
    pc->cpu.board = &pc->hooks;
}
