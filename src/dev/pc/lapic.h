/* Local APIC in xAPIC mode (MMIO page at IA32_APIC_BASE, 0xFEE00000 at reset), as
 * described in the Intel SDM Vol.3 chapter "Advanced Programmable Interrupt Controller
 * (APIC)" (§11 in recent editions, §10 in older ones; section numbers below are from
 * the chapter): ID, version, TPR/PPR, EOI, LDR/DFR, SVR, ISR/TMR/IRR, ESR, the LVT
 * (timer, thermal, performance counters, LINT0, LINT1, error), ICR (fixed, lowest
 * priority, NMI, INIT, SIPI, shorthands incl. self), and the timer in one-shot, periodic
 * and TSC-deadline modes.
 *
 * The CPU side: lapic_pending_vector / lapic_acknowledge (the INTA: IRR → ISR, or the
 * 8259's vector for ExtINT through LINT0), lapic_take_nmi / _init / _sipi for the other
 * delivery modes, and an `attention` line raised whenever one of those has something.
 * IPIs for other CPUs and EOIs of level-triggered vectors go out through callbacks, so
 * the board routes them (to other LAPICs, to the IOAPIC) and SMP can come later.
 *
 * x2APIC mode (SDM "Extended XAPIC (x2APIC)") is available through IA32_APIC_BASE.EXTD
 * and the MSR interface lapic_msr_read/write (0x800-0x8FF: 32-bit IDs, derived cluster
 * LDR, 64-bit ICR, SELF IPI; the MMIO page is off in that mode).
 *
 * Not modelled (and not advertised): EOI-broadcast suppression and directed EOI, CMCI
 * (max LVT entry is 5, as QEMU's), SMI delivery (ignored), remote read, the focus
 * processor check, APIC relocation in the bus (lapic_set_apic_base records a new base;
 * remapping the MMIO window is the board's job), reserved-bit #GP checks on x2APIC MSR
 * writes other than EOI, ESR and SELF IPI (reserved bits are dropped). The timer counts
 * a 1 GHz bus clock (the value QEMU's TCG uses), divided by the divide configuration. */
#ifndef VM_DEV_PC_LAPIC_H
#define VM_DEV_PC_LAPIC_H

#include "core/irq.h"
#include "core/types.h"
#include "mem/bus.h"

#define LAPIC_DEFAULT_BASE 0xfee00000u
#define LAPIC_MMIO_SIZE 0x1000u
#define LAPIC_BUS_HZ 1000000000u
#define LAPIC_EXTINT 0x100           /* lapic_pending_vector: the 8259 has a request */

#define APIC_BASE_BSP (1u << 8)      /* IA32_APIC_BASE bits (SDM "Local APIC Status and */
#define APIC_BASE_EXTD (1u << 10)    /* Location", Figure "IA32_APIC_BASE MSR") */
#define APIC_BASE_EN (1u << 11)

/* Delivery modes of ICR, LVT and IOAPIC redirection entries. */
enum apic_delivery {
    APIC_DM_FIXED = 0, APIC_DM_LOWEST = 1, APIC_DM_SMI = 2, APIC_DM_NMI = 4,
    APIC_DM_INIT = 5, APIC_DM_SIPI = 6, APIC_DM_EXTINT = 7,
};

/* An interrupt message between APICs (an ICR send or an IOAPIC redirection). */
typedef struct apic_msg {
    uint8_t vector;
    uint8_t delivery_mode;           /* enum apic_delivery */
    uint32_t dest;                   /* physical APIC ID or logical mask; broadcast is
                                      * 0xFF, or 0xFFFFFFFF in x2APIC format */
    bool x2apic;                     /* dest in x2APIC format (an x2APIC-mode ICR) */
    bool logical;                    /* destination mode */
    bool level_trigger;              /* trigger mode (fixed: sets TMR; INIT: de-assert) */
    bool assert;                     /* level: false only for INIT level de-assert */
    uint8_t shorthand;               /* ICR: 0 none, 1 self, 2 all incl. self, 3 all excl. */
} apic_msg;

typedef struct lapic lapic;

typedef struct lapic_wiring {
    void *opaque;
    /* A message for the other APICs (the sender has already handled itself). */
    void (*send)(void *opaque, lapic *from, const apic_msg *msg);
    /* EOI of a level-triggered vector: the board forwards it to the IOAPIC(s). */
    void (*eoi)(void *opaque, int vector);
    /* The INTA cycle on the 8259 for ExtINT (i8259_acknowledge). */
    int (*extint_ack)(void *opaque);
    /* Raised while an interrupt, NMI, INIT or SIPI waits for the CPU. */
    irq_line attention;
} lapic_wiring;

typedef uint64_t (*lapic_clock_fn)(void *opaque);

struct lapic {
    uint32_t id, initial_id;         /* xAPIC mode uses bits 7:0 */
    uint64_t apic_base;
    uint32_t tpr, ldr, dfr, svr;
    uint32_t esr, esr_pending;
    uint32_t icr_lo, icr_hi;
    uint32_t lvt[6];                 /* timer, thermal, perf, LINT0, LINT1, error */
    uint32_t irr[8], isr[8], tmr[8];
    uint32_t timer_initial, timer_dcr;
    uint64_t timer_start_ns;         /* when the current count was loaded */
    uint64_t timer_next_ns;          /* next expiry (one-shot/periodic), if armed */
    bool timer_armed;
    uint64_t tsc_deadline;           /* TSC-deadline mode: 0 = disarmed */
    int lint_level[2];
    bool extint_msg;                 /* an ExtINT message from the IOAPIC waits */
    bool nmi_pending, init_pending;
    int sipi_vector;                 /* -1 = none */
    lapic_clock_fn clock;
    void *clock_opaque;
    lapic_clock_fn tsc;
    void *tsc_opaque;
    uint64_t tsc_hz;
    lapic_wiring w;
    int attention_level;
};

/* `id` is the APIC ID; the BSP gets IA32_APIC_BASE.BSP and, as firmware would leave it
 * (and QEMU does), LINT0 in ExtINT mode so the 8259 reaches the CPU ("virtual wire").
 * clock: nanoseconds (NULL = host CLOCK_MONOTONIC). */
void lapic_init(lapic *a, uint32_t id, bool bsp, lapic_clock_fn clock, void *opaque,
                const lapic_wiring *w);
/* Power-up state (SDM "Local APIC State After Power-Up Reset"): IA32_APIC_BASE back to
 * 0xFEE00000 | EN (| BSP), the initial APIC ID; keeps the wiring and input levels. */
void lapic_reset(lapic *a, bool bsp);
/* An INIT (SDM "Local APIC State After an INIT Reset"): the registers as at power-up,
 * but the APIC ID and IA32_APIC_BASE (incl. x2APIC mode) are kept. */
void lapic_reset_init(lapic *a);
/* The TSC for deadline mode: its value now and its frequency. */
void lapic_set_tsc(lapic *a, lapic_clock_fn tsc, void *opaque, uint64_t tsc_hz);

/* IA32_APIC_BASE (MSR 0x1B). A write with reserved bits or an invalid mode transition
 * (SDM "x2APIC State Transitions": x2APIC → xAPIC, disabled → x2APIC, EXTD without EN)
 * returns false (the CPU raises #GP). Clearing EN resets the APIC state; while EN is 0
 * the APIC is absent: LINT0/LINT1 act as the CPU's INTR/NMI pins. */
uint64_t lapic_get_apic_base(const lapic *a);
bool lapic_set_apic_base(lapic *a, uint64_t val);
/* x2APIC MSRs 0x800-0x8FF (RDMSR/WRMSR): false = #GP (not in x2APIC mode, an absent
 * register, a write to a read-only one, a read of a write-only one, nonzero EOI/ESR). */
bool lapic_msr_read(lapic *a, uint32_t msr, uint64_t *val);
bool lapic_msr_write(lapic *a, uint32_t msr, uint64_t val);
/* CR8 is TPR[7:4] (SDM "Task Priority in IA-32e Mode"). */
uint8_t lapic_get_cr8(const lapic *a);
void lapic_set_cr8(lapic *a, uint8_t cr8);
/* IA32_TSC_DEADLINE (MSR 0x6E0): writes outside TSC-deadline mode are ignored, reads
 * there return 0 (SDM "TSC-Deadline Mode"). */
void lapic_write_tsc_deadline(lapic *a, uint64_t deadline);
uint64_t lapic_read_tsc_deadline(const lapic *a);

/* LINT0/LINT1 input pins (irq 0/1), e.g. the 8259's INTR on LINT0. */
void lapic_set_lint(void *opaque, unsigned pin, int level);
static inline irq_line lapic_lint_line(lapic *a, unsigned pin)
{
    irq_line l = { .set = lapic_set_lint, .opaque = a, .irq = pin };
    return l;
}

/* Does a message's destination name this APIC (physical ID, flat or cluster logical,
 * broadcast)? For the board's message routing. */
bool lapic_match_dest(const lapic *a, const apic_msg *msg);
/* Accept a message routed to this APIC (from the IOAPIC or another LAPIC). */
void lapic_deliver(lapic *a, const apic_msg *msg);

/* The vector the CPU would take if it accepted an interrupt now, LAPIC_EXTINT for the
 * 8259's, -1 for none (fixed interrupts need the APIC software-enabled and a priority
 * class above PPR, §"Interrupt, Task, and Processor Priority"). */
int lapic_pending_vector(const lapic *a);
/* The INTA: moves the highest IRR bit to ISR and returns its vector; for ExtINT returns
 * the 8259's vector; with nothing left returns the spurious vector (SVR[7:0]). */
int lapic_acknowledge(lapic *a);
/* NMI / INIT / SIPI waiting for the CPU: take (and clear) them. SIPI returns the vector
 * or -1. */
bool lapic_take_nmi(lapic *a);
bool lapic_take_init(lapic *a);
int lapic_take_sipi(lapic *a);

/* Fire the timer if it expired; the run loop calls this. */
void lapic_update(lapic *a);
/* Nanoseconds until the timer fires (0 if due), INT64_MAX if it is not armed. */
int64_t lapic_ns_until_event(lapic *a);

extern const mmio_ops lapic_ops;     /* 4 KiB at the APIC base; opaque = the lapic */

#endif
