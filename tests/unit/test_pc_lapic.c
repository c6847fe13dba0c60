/* Local APIC: reset state, ExtINT virtual wire, Linux's enable sequence, priorities
 * (TPR/PPR/ISR nesting), EOI and level EOI broadcast, ESR, IPIs (self, physical,
 * shorthands, INIT/SIPI), NMI via LINT1, the timer in one-shot, periodic and
 * TSC-deadline modes, logical destinations, APIC base MSR. */
#include "dev/pc/lapic.h"

#include <stdlib.h>

#include "check.h"

static uint64_t now = 5000000, tsc_val = 123456789;

static uint64_t clock_fn(void *opaque)
{
    return now;
}

static uint64_t tsc_fn(void *opaque)
{
    return tsc_val;
}

typedef struct board {
    int sends;
    apic_msg last;
    int eois, eoi_vector;
    int attention;
    int extint_acks;
} board;

static void send_fn(void *opaque, lapic *from, const apic_msg *msg)
{
    board *b = opaque;
    b->sends++;
    b->last = *msg;
}

static void eoi_fn(void *opaque, int vector)
{
    board *b = opaque;
    b->eois++;
    b->eoi_vector = vector;
}

static int extint_fn(void *opaque)
{
    ((board *)opaque)->extint_acks++;
    return 0x30;
}

static void attention_fn(void *opaque, unsigned irq, int level)
{
    ((board *)opaque)->attention = level;
}

static lapic a;

static uint32_t rd(unsigned off)
{
    uint64_t v = 0xdead;
    lapic_ops.read(&a, off, 4, &v);
    return (uint32_t)v;
}

static void wr(unsigned off, uint32_t v)
{
    lapic_ops.write(&a, off, 4, v);
}

static apic_msg fixed(uint8_t vector, bool level)
{
    apic_msg m = { .vector = vector, .delivery_mode = APIC_DM_FIXED, .level_trigger = level,
                   .assert = true };
    return m;
}

int main(void)
{
    board b = { 0 };
    lapic_wiring w = { .opaque = &b, .send = send_fn, .eoi = eoi_fn, .extint_ack = extint_fn,
                       .attention = { .set = attention_fn, .opaque = &b } };
    lapic_init(&a, 0, true, clock_fn, NULL, &w);

    /* Reset state (SDM "Local APIC State After Power-Up Reset"). */
    CHECK_EQ(rd(0x30), 0x00050014, "version: 0x14, max LVT 5");
    CHECK_EQ(rd(0xf0), 0xff, "SVR 0xFF: software disabled");
    CHECK_EQ(rd(0xe0), 0xffffffff, "DFR all ones (flat)");
    CHECK(rd(0x320) == 0x10000 && rd(0x360) == 0x10000 && rd(0x370) == 0x10000,
          "LVTs masked");
    CHECK_EQ(rd(0x350), 0x700, "BSP LINT0: ExtINT (virtual wire)");
    CHECK_EQ(lapic_get_apic_base(&a), 0xfee00900, "IA32_APIC_BASE: base, EN, BSP");

    /* The 8259 through LINT0 works before the APIC is software-enabled. */
    lapic_set_lint(&a, 0, 1);
    CHECK(b.attention == 1 && lapic_pending_vector(&a) == LAPIC_EXTINT, "ExtINT pending");
    CHECK(lapic_acknowledge(&a) == 0x30 && b.extint_acks == 1, "INTA goes to the 8259");
    lapic_set_lint(&a, 0, 0);
    CHECK(b.attention == 0 && lapic_pending_vector(&a) == -1, "PIC INTR low: nothing");

    /* Fixed interrupts wait for the software enable. */
    apic_msg m = fixed(0x41, false);
    lapic_deliver(&a, &m);
    CHECK_EQ(lapic_pending_vector(&a), -1, "software-disabled: fixed held in IRR");
    CHECK_EQ(rd(0x200 + 0x20), 0x2, "IRR bit 0x41");
    /* setup_local_APIC: TPR 0, flat LDR, SVR enable with spurious vector 0xFF. */
    wr(0x80, 0);
    wr(0xe0, 0xffffffff);
    wr(0xd0, 0x01000000);
    wr(0xf0, 0x1ff);
    CHECK(lapic_pending_vector(&a) == 0x41 && b.attention == 1, "enabled: 0x41 pending");
    CHECK_EQ(lapic_acknowledge(&a), 0x41, "INTA returns 0x41");
    CHECK(rd(0x100 + 0x20) == 0x2 && rd(0x200 + 0x20) == 0, "0x41 moved IRR -> ISR");
    CHECK_EQ(rd(0xa0), 0x40, "PPR = in-service class");
    m = fixed(0x45, false);
    lapic_deliver(&a, &m);
    CHECK_EQ(lapic_pending_vector(&a), -1, "same class as in service: blocked");
    m = fixed(0x51, false);
    lapic_deliver(&a, &m);
    CHECK_EQ(lapic_pending_vector(&a), 0x51, "higher class nests");
    CHECK_EQ(lapic_acknowledge(&a), 0x51, "INTA 0x51");
    wr(0xb0, 0);
    CHECK_EQ(rd(0x100 + 0x20), 0x2, "EOI clears the highest ISR (0x51), 0x41 stays");
    wr(0xb0, 0);
    CHECK_EQ(lapic_pending_vector(&a), 0x45, "0x45 after both EOIs");
    wr(0x80, 0x50);
    CHECK(lapic_pending_vector(&a) == -1 && lapic_get_cr8(&a) == 5, "TPR 0x50 blocks 0x45");
    lapic_set_cr8(&a, 0);
    CHECK_EQ(rd(0x80), 0, "CR8 writes TPR[7:4]");
    CHECK_EQ(lapic_acknowledge(&a), 0x45, "0x45");
    wr(0xb0, 0);
    CHECK_EQ(b.eois, 0, "edge vector: no EOI broadcast");

    /* Spurious: the request is blocked between INTR and INTA. */
    m = fixed(0x61, false);
    lapic_deliver(&a, &m);
    wr(0x80, 0xf0);
    CHECK_EQ(lapic_acknowledge(&a), 0xff, "blocked before INTA: spurious vector");
    CHECK_EQ(rd(0x100 + 0x30), 0, "spurious puts nothing in service");
    wr(0x80, 0);
    lapic_acknowledge(&a);
    wr(0xb0, 0);

    /* Level-triggered: TMR and EOI broadcast to the IOAPIC. */
    m = fixed(0x71, true);
    lapic_deliver(&a, &m);
    CHECK_EQ(rd(0x180 + 0x30), 0x20000, "TMR set for a level vector (0x71: word 3, bit 17)");
    lapic_acknowledge(&a);
    wr(0xb0, 0);
    CHECK(b.eois == 1 && b.eoi_vector == 0x71, "EOI of a level vector is broadcast");

    /* Errors: illegal vectors, ESR latched by a write, error LVT. */
    wr(0x370, 0xfe);
    m = fixed(0x05, false);
    lapic_deliver(&a, &m);
    CHECK_EQ(rd(0x280), 0, "ESR reads the latched value (none yet)");
    wr(0x280, 0);
    CHECK_EQ(rd(0x280), 0x40, "ESR: received illegal vector");
    CHECK_EQ(lapic_pending_vector(&a), 0xfe, "error LVT vector raised");
    lapic_acknowledge(&a);
    wr(0xb0, 0);
    wr(0x300, 0x00044003);   /* fixed to self with an illegal vector */
    wr(0x280, 0);
    CHECK_EQ(rd(0x280) & 0x20, 0x20, "ESR: send illegal vector");
    lapic_acknowledge(&a);
    wr(0xb0, 0);
    wr(0x280, 0);
    wr(0x280, 0);
    CHECK_EQ(rd(0x280), 0, "ESR clears after two writes");

    /* IPIs. */
    b.sends = 0;
    wr(0x300, 0x00044080);   /* self IPI, vector 0x80 */
    CHECK(lapic_pending_vector(&a) == 0x80 && b.sends == 0, "self IPI stays local");
    lapic_acknowledge(&a);
    wr(0xb0, 0);
    wr(0x310, 0x01000000);
    wr(0x300, 0x00004031);   /* fixed, physical dest 1 */
    CHECK(b.sends == 1 && b.last.dest == 1 && b.last.vector == 0x31 &&
              b.last.delivery_mode == APIC_DM_FIXED && !b.last.logical,
          "fixed IPI to APIC 1 goes out");
    CHECK_EQ(lapic_pending_vector(&a), -1, "... and not to ourselves");
    CHECK_EQ(rd(0x300) & 0x1000, 0, "delivery status idle");
    wr(0x300, 0x000c4500);   /* INIT to all excluding self */
    CHECK(b.sends == 2 && b.last.delivery_mode == APIC_DM_INIT && b.last.shorthand == 3,
          "INIT all-excluding-self");
    wr(0x300, 0x000c4608);   /* SIPI to all excluding self, vector 8 */
    CHECK(b.last.delivery_mode == APIC_DM_SIPI && b.last.vector == 8, "SIPI vector 8");
    wr(0x310, 0x00000000);
    wr(0x300, 0x000040f3);   /* to our own ID */
    CHECK(lapic_pending_vector(&a) == 0xf3 && b.sends == 4, "physical own ID: both");
    lapic_acknowledge(&a);
    wr(0xb0, 0);
    wr(0x300, 0x000840e0);   /* all including self */
    CHECK(lapic_pending_vector(&a) == 0xe0 && b.sends == 5, "all including self");
    lapic_acknowledge(&a);
    wr(0xb0, 0);

    /* Receiving INIT, SIPI, NMI; LINT1 as NMI. */
    apic_msg init = { .delivery_mode = APIC_DM_INIT, .assert = true };
    lapic_deliver(&a, &init);
    CHECK(b.attention == 1 && lapic_take_init(&a) && !lapic_take_init(&a), "INIT taken once");
    apic_msg deassert = { .delivery_mode = APIC_DM_INIT, .level_trigger = true };
    lapic_deliver(&a, &deassert);
    CHECK(!lapic_take_init(&a), "INIT level de-assert is not an INIT");
    apic_msg sipi = { .delivery_mode = APIC_DM_SIPI, .vector = 0x9a };
    lapic_deliver(&a, &sipi);
    CHECK(lapic_take_sipi(&a) == 0x9a && lapic_take_sipi(&a) == -1, "SIPI vector");
    wr(0x360, 0x400);        /* LINT1: NMI, unmasked */
    lapic_set_lint(&a, 1, 1);
    CHECK(lapic_take_nmi(&a) && b.attention == 0, "LINT1 edge: NMI");
    lapic_set_lint(&a, 1, 1);
    CHECK(!lapic_take_nmi(&a), "no edge, no NMI");
    lapic_set_lint(&a, 1, 0);

    /* Timer: one-shot, divide by 16. */
    wr(0x3e0, 0x3);
    wr(0x320, 0xec);
    uint64_t t0 = now;
    wr(0x380, 1000);
    CHECK_EQ(lapic_ns_until_event(&a), 16000, "one-shot: 1000 x 16 ns");
    now = t0 + 8000;
    CHECK_EQ(rd(0x390), 500, "current count halfway");
    now = t0 + 15999;
    lapic_update(&a);
    CHECK_EQ(lapic_pending_vector(&a), -1, "not yet");
    now = t0 + 16000;
    lapic_update(&a);
    CHECK(lapic_pending_vector(&a) == 0xec && rd(0x390) == 0, "fired; count 0");
    lapic_acknowledge(&a);
    wr(0xb0, 0);
    now += 100000;
    lapic_update(&a);
    CHECK(lapic_pending_vector(&a) == -1 && lapic_ns_until_event(&a) == INT64_MAX,
          "one-shot fires once");

    /* Periodic, divide by 1. */
    wr(0x3e0, 0xb);
    wr(0x320, 0x200ec);
    t0 = now;
    wr(0x380, 250);
    int fires = 0;
    for (int i = 0; i < 100; i++) {
        now += 25;
        lapic_update(&a);
        if (lapic_pending_vector(&a) == 0xec) {
            fires++;
            lapic_acknowledge(&a);
            wr(0xb0, 0);
        }
    }
    CHECK_EQ(fires, 10, "periodic: 10 periods of 250 ns in 2500 ns");
    now = t0 + 2500 + 100;
    CHECK_EQ(rd(0x390), 150, "periodic current count");
    wr(0x320, 0x300ec);      /* masked: counts, delivers nothing */
    now += 1000;
    lapic_update(&a);
    CHECK_EQ(lapic_pending_vector(&a), -1, "masked timer delivers nothing");
    wr(0x380, 0);
    CHECK_EQ(lapic_ns_until_event(&a), INT64_MAX, "initial count 0 stops the timer");

    /* TSC-deadline mode. */
    lapic_set_tsc(&a, tsc_fn, NULL, 2000000000u);
    lapic_write_tsc_deadline(&a, tsc_val + 10);
    CHECK_EQ(lapic_read_tsc_deadline(&a), 0, "deadline ignored outside TSC-deadline mode");
    wr(0x320, 0x400ed);
    wr(0x380, 5);
    CHECK(rd(0x380) == 0 && lapic_ns_until_event(&a) == INT64_MAX, "TMICT ignored");
    lapic_write_tsc_deadline(&a, tsc_val + 2001);
    CHECK_EQ(lapic_read_tsc_deadline(&a), tsc_val + 2001, "deadline reads back");
    CHECK_EQ(lapic_ns_until_event(&a), 1001, "2001 cycles at 2 GHz: 1001 ns (rounded up)");
    tsc_val += 2000;
    lapic_update(&a);
    CHECK_EQ(lapic_pending_vector(&a), -1, "not yet");
    tsc_val += 1;
    lapic_update(&a);
    CHECK(lapic_pending_vector(&a) == 0xed && lapic_read_tsc_deadline(&a) == 0,
          "deadline reached: fired and disarmed");
    lapic_acknowledge(&a);
    wr(0xb0, 0);
    lapic_write_tsc_deadline(&a, 1);
    CHECK_EQ(lapic_pending_vector(&a), 0xed, "a past deadline fires at once");
    lapic_acknowledge(&a);
    wr(0xb0, 0);
    lapic_write_tsc_deadline(&a, tsc_val + 100);
    wr(0x320, 0x000ed);
    CHECK(lapic_ns_until_event(&a) == INT64_MAX && lapic_read_tsc_deadline(&a) == 0,
          "leaving TSC-deadline mode disarms");

    /* Logical destinations. */
    apic_msg lm = { .logical = true, .dest = 0x03 };
    CHECK(lapic_match_dest(&a, &lm), "flat: LDR bit 0 in mask 0x03");
    lm.dest = 0x02;
    CHECK(!lapic_match_dest(&a, &lm), "flat: not in mask 0x02");
    wr(0xe0, 0x0fffffff);    /* cluster model */
    wr(0xd0, 0x32000000);
    lm.dest = 0x36;
    CHECK(lapic_match_dest(&a, &lm), "cluster 3, member bit 1");
    lm.dest = 0x42;
    CHECK(!lapic_match_dest(&a, &lm), "other cluster");
    apic_msg pm = { .dest = 0xff };
    CHECK(lapic_match_dest(&a, &pm), "physical broadcast");
    pm.dest = 1;
    CHECK(!lapic_match_dest(&a, &pm), "physical other ID");

    /* Software disable masks the LVTs. */
    wr(0x320, 0x000ec);
    wr(0xf0, 0x0ff);
    CHECK(rd(0x320) & 0x10000, "SVR disable masks the LVT");
    wr(0x320, 0x000ec);
    CHECK(rd(0x320) & 0x10000, "... and it cannot be unmasked while disabled");

    /* IA32_APIC_BASE. */
    CHECK(!lapic_set_apic_base(&a, 0xfee00001u | APIC_BASE_EN), "reserved bits refused");
    CHECK(lapic_set_apic_base(&a, 0xfee00000u), "global disable");
    CHECK_EQ(rd(0x30), 0, "disabled: the registers are gone");
    lapic_set_lint(&a, 0, 1);
    CHECK_EQ(lapic_pending_vector(&a), LAPIC_EXTINT, "disabled: LINT0 is INTR");
    lapic_set_lint(&a, 0, 0);
    CHECK(lapic_set_apic_base(&a, 0xfee00000u | APIC_BASE_EN), "re-enable");
    CHECK(rd(0xf0) == 0xff && rd(0x350) == 0x10000, "re-enabled in the reset state");

    /* x2APIC mode. */
    uint64_t mv = 0;
    CHECK(!lapic_msr_read(&a, 0x802, &mv), "x2APIC MSRs #GP in xAPIC mode");
    CHECK(!lapic_set_apic_base(&a, 0xfee00000u | APIC_BASE_EXTD), "EXTD without EN: #GP");
    lapic_init(&a, 0x23, false, clock_fn, NULL, &w);
    CHECK(lapic_set_apic_base(&a, 0xfee00000u | APIC_BASE_EN | APIC_BASE_EXTD),
          "xAPIC -> x2APIC");
    CHECK(lapic_msr_read(&a, 0x802, &mv) && mv == 0x23, "x2APIC ID (32-bit)");
    CHECK(lapic_msr_read(&a, 0x80d, &mv) && mv == 0x20008, "LDR: cluster 2, bit 3");
    CHECK(!lapic_msr_read(&a, 0x80e, &mv), "no DFR in x2APIC mode");
    CHECK(!lapic_msr_write(&a, 0x802, 5), "ID is read-only");
    CHECK(!lapic_msr_read(&a, 0x80b, &mv), "EOI is write-only");
    CHECK(!lapic_msr_write(&a, 0x80b, 1), "non-zero EOI: #GP");
    CHECK_EQ(rd(0x30), 0, "the MMIO page is off in x2APIC mode");
    CHECK(lapic_msr_write(&a, 0x80f, 0x1ff), "SVR enable");
    CHECK(lapic_msr_write(&a, 0x83f, 0x55) && lapic_pending_vector(&a) == 0x55,
          "SELF IPI");
    CHECK(lapic_acknowledge(&a) == 0x55 && lapic_msr_write(&a, 0x80b, 0), "ack, EOI");
    b.sends = 0;
    CHECK(lapic_msr_write(&a, 0x830, 0x0000010000004031ull), "64-bit ICR write");
    CHECK(b.sends == 1 && b.last.dest == 0x100 && b.last.x2apic && b.last.vector == 0x31,
          "IPI with a 32-bit destination goes out");
    CHECK(lapic_msr_read(&a, 0x830, &mv) && mv == 0x0000010000004031ull, "ICR reads back");
    apic_msg x2m = { .x2apic = true, .logical = true, .dest = 0x00020008 };
    CHECK(lapic_match_dest(&a, &x2m), "x2APIC logical: cluster 2, member 3");
    x2m.dest = 0x00030008;
    CHECK(!lapic_match_dest(&a, &x2m), "x2APIC logical: other cluster");
    x2m = (apic_msg){ .x2apic = true, .dest = 0x23 };
    CHECK(lapic_match_dest(&a, &x2m), "x2APIC physical ID");
    x2m.dest = 0xffffffffu;
    CHECK(lapic_match_dest(&a, &x2m), "x2APIC broadcast");
    apic_msg io8 = { .dest = 0x23 };
    CHECK(lapic_match_dest(&a, &io8), "an 8-bit physical IOAPIC destination still matches");
    lapic_msr_write(&a, 0x832, 0x200ec);
    lapic_msr_write(&a, 0x83e, 0xb);
    lapic_msr_write(&a, 0x838, 1000);
    now += 400;
    CHECK(lapic_msr_read(&a, 0x839, &mv) && mv == 600, "timer through the MSRs");
    CHECK(!lapic_set_apic_base(&a, 0xfee00000u | APIC_BASE_EN), "x2APIC -> xAPIC: #GP");
    lapic_reset_init(&a);
    CHECK(lapic_msr_read(&a, 0x80f, &mv) && mv == 0xff, "INIT keeps x2APIC mode, resets SVR");
    CHECK(lapic_set_apic_base(&a, 0xfee00000u), "x2APIC -> disabled");
    CHECK(!lapic_set_apic_base(&a, 0xfee00000u | APIC_BASE_EN | APIC_BASE_EXTD),
          "disabled -> x2APIC: #GP");
    CHECK(lapic_set_apic_base(&a, 0xfee00000u | APIC_BASE_EN), "disabled -> xAPIC");
    CHECK_EQ(rd(0x20), 0x23000000, "xAPIC ID register again");

    /* Robustness: anything anywhere. */
    srand(7);
    for (int i = 0; i < 100000; i++) {
        unsigned off = (unsigned)rand() % 0x1000;
        unsigned size = 1u << (rand() % 4);
        uint64_t v = (uint64_t)rand() << 16 ^ (uint64_t)rand();
        if (rand() & 1)
            lapic_ops.write(&a, off, size, v);
        else
            lapic_ops.read(&a, off, size, &v);
        if ((i & 255) == 0) {
            uint64_t mv2 = (uint64_t)rand() << 20 ^ (uint64_t)rand();
            uint32_t msr = 0x800u + (unsigned)rand() % 0x100;
            if (rand() & 1)
                (void)lapic_msr_write(&a, msr, rand() & 1 ? mv2 : 0);
            else
                (void)lapic_msr_read(&a, msr, &mv2);
            uint64_t base = 0xfee00000u | (rand() & 1 ? APIC_BASE_EN : 0) |
                            (rand() & 1 ? APIC_BASE_EXTD : 0);
            (void)lapic_set_apic_base(&a, base);
        }
        if ((i & 63) == 0) {
            m = fixed((uint8_t)rand(), rand() & 1);
            m.delivery_mode = (uint8_t)(rand() % 8);
            lapic_deliver(&a, &m);
            if (lapic_pending_vector(&a) >= 0)
                lapic_acknowledge(&a);
            now += (uint64_t)rand();
            tsc_val += (uint64_t)rand();
            lapic_update(&a);
            lapic_set_lint(&a, (unsigned)rand() % 2, rand() & 1);
            (void)lapic_ns_until_event(&a);
            (void)lapic_take_nmi(&a);
        }
    }
    lapic_reset(&a, false);
    CHECK(lapic_pending_vector(&a) == -1 || lapic_pending_vector(&a) == LAPIC_EXTINT,
          "reset after random traffic");
    return check_done();
}
