/* ACPI PM block (PM1 event/control, PM timer, GPE0, SCI) and the 0xCF9 reset control
 * register, through their port interfaces with a fake clock. */
#include "dev/pc/acpi_pm.h"
#include "dev/pc/reset_cf9.h"

#include "check.h"

typedef struct env {
    uint64_t now;
    int sci;
    int sci_edges;
    unsigned sleeps;
    unsigned last_state;
    unsigned resets;
} env;

static uint64_t clock_fn(void *opaque)
{
    return ((env *)opaque)->now;
}

static void sci_fn(void *opaque, unsigned irq, int level)
{
    env *e = opaque;
    if (level && !e->sci)
        e->sci_edges++;
    e->sci = level;
}

static void sleep_fn(void *opaque, unsigned sstate)
{
    env *e = opaque;
    e->sleeps++;
    e->last_state = sstate;
}

static void reset_fn(void *opaque)
{
    ((env *)opaque)->resets++;
}

static uint64_t rd(acpi_pm *pm, unsigned off, unsigned size)
{
    uint64_t v = ~0ull;
    acpi_pm_ops.read(pm, off, size, &v);
    return v;
}

static void wr(acpi_pm *pm, unsigned off, unsigned size, uint64_t v)
{
    acpi_pm_ops.write(pm, off, size, v);
}

static void test_timer(void)
{
    env e = { .now = 5000000000ull };
    acpi_pm pm;
    acpi_pm_init(&pm, clock_fn, &e, (irq_line){ sci_fn, &e, ACPI_PM_SCI_IRQ }, sleep_fn, &e);
    CHECK_EQ(rd(&pm, ACPI_PM_TMR_OFF, 4), 0, "timer starts at 0 at reset");
    e.now += 1000000000ull;
    CHECK_EQ(rd(&pm, ACPI_PM_TMR_OFF, 4), ACPI_PM_TMR_HZ, "one second = 3579545 ticks");
    e.now += 1000;   /* 1 us: 3.58 ticks */
    CHECK_EQ(rd(&pm, ACPI_PM_TMR_OFF, 4), ACPI_PM_TMR_HZ + 3, "1 us later: +3 ticks");
    uint32_t t = acpi_pm_timer(&pm);
    CHECK_EQ(rd(&pm, ACPI_PM_TMR_OFF, 2), t & 0xffff, "16-bit read: low half");
    CHECK_EQ(rd(&pm, ACPI_PM_TMR_OFF + 2, 1), (t >> 16) & 0xff, "byte read of bits 23-16");
    CHECK_EQ(rd(&pm, ACPI_PM_TMR_OFF + 3, 1), 0, "bits 31-24 read 0 (24-bit timer)");
    wr(&pm, ACPI_PM_TMR_OFF, 4, 0x12345);
    CHECK_EQ(rd(&pm, ACPI_PM_TMR_OFF, 4), t, "the timer is read-only");
    CHECK(!(rd(&pm, ACPI_PM_EVT_OFF, 2) & ACPI_PM1_TMR), "no TMR_STS before bit 23 moves");

    /* Bit 23 first changes after 2^23 ticks = 2.343 s: TMR_STS, and with TMR_EN the SCI. */
    wr(&pm, ACPI_PM_EVT_OFF + 2, 2, ACPI_PM1_TMR);
    int64_t ns = acpi_pm_ns_until_event(&pm);
    CHECK(ns > 1340000000 && ns < 1345000000, "next TMR event at 2^23 ticks (~2.3435 s)");
    e.now += (uint64_t)ns - 1;
    acpi_pm_update(&pm);
    CHECK(!e.sci, "1 ns early: no SCI");
    e.now += 1;
    acpi_pm_update(&pm);
    CHECK(e.sci && (rd(&pm, ACPI_PM_EVT_OFF, 2) & ACPI_PM1_TMR), "TMR_STS and SCI on time");
    CHECK_EQ(acpi_pm_ns_until_event(&pm), INT64_MAX, "no further event while TMR_STS is up");
    wr(&pm, ACPI_PM_EVT_OFF, 2, ACPI_PM1_TMR);
    CHECK(!e.sci && !(rd(&pm, ACPI_PM_EVT_OFF, 2) & ACPI_PM1_TMR), "write 1 clears, SCI drops");
    /* The 24-bit wrap (bit 23 1 → 0) is an event too. */
    e.now = 5000000000ull + 4687500000ull + 1000;   /* just past 2^24 ticks */
    CHECK(rd(&pm, ACPI_PM_TMR_OFF, 4) < 0x2000, "the timer wrapped at 2^24");
    CHECK(e.sci, "the wrap raised TMR_STS (read of the block updates the SCI)");
    wr(&pm, ACPI_PM_EVT_OFF, 1, ACPI_PM1_TMR);
    CHECK(!e.sci, "a byte write clears it too");
}

static void test_sci_and_sleep(void)
{
    env e = { .now = 1 };
    acpi_pm pm;
    acpi_pm_init(&pm, clock_fn, &e, (irq_line){ sci_fn, &e, ACPI_PM_SCI_IRQ }, sleep_fn, &e);
    CHECK_EQ(rd(&pm, ACPI_PM_CNT_OFF, 2), ACPI_PM1_SCI_EN, "SCI_EN set at power-on (no SMI_CMD)");
    CHECK(!e.sci, "SCI low at power-on");
    acpi_pm_power_button(&pm);
    CHECK(!e.sci && (rd(&pm, ACPI_PM_EVT_OFF, 2) & ACPI_PM1_PWRBTN),
          "power button: PWRBTN_STS without SCI while PWRBTN_EN is clear");
    wr(&pm, ACPI_PM_EVT_OFF + 3, 1, ACPI_PM1_PWRBTN >> 8);
    CHECK(e.sci && rd(&pm, ACPI_PM_EVT_OFF + 2, 2) == ACPI_PM1_PWRBTN,
          "PWRBTN_EN (byte write to the high half) raises the SCI");
    wr(&pm, ACPI_PM_CNT_OFF, 1, 0);
    CHECK(!e.sci, "SCI_EN cleared: the SCI drops");
    wr(&pm, ACPI_PM_CNT_OFF, 1, ACPI_PM1_SCI_EN);
    CHECK(e.sci, "SCI_EN set again: the pending event raises it");
    wr(&pm, ACPI_PM_EVT_OFF, 4, ACPI_PM1_PWRBTN | (uint32_t)ACPI_PM1_PWRBTN << 16);
    CHECK(!e.sci && rd(&pm, ACPI_PM_EVT_OFF, 4) == (uint64_t)ACPI_PM1_PWRBTN << 16,
          "32-bit write at PM1_EVT: status cleared by its 1, enable written");
    wr(&pm, ACPI_PM_EVT_OFF + 2, 2, 0xffff);
    CHECK_EQ(rd(&pm, ACPI_PM_EVT_OFF + 2, 2), 0x0721, "only defined PM1_EN bits are kept");

    /* GPE0: 16 status bits (write 1 to clear) and their enables. */
    acpi_pm_raise_gpe(&pm, 3);
    CHECK(e.sci_edges == 2 && !e.sci, "a GPE with its enable clear: no SCI");
    wr(&pm, ACPI_PM_GPE0_OFF + 2, 2, 0x0008);
    CHECK(e.sci && rd(&pm, ACPI_PM_GPE0_OFF, 4) == 0x00080008, "GPE0 enable raises the SCI");
    wr(&pm, ACPI_PM_GPE0_OFF, 1, 0x08);
    CHECK(!e.sci && rd(&pm, ACPI_PM_GPE0_OFF, 2) == 0, "GPE0 status cleared by writing 1");

    /* Sleep: SLP_TYP is kept, SLP_EN reads 0 and reports the state. */
    uint16_t cnt = ACPI_PM1_SCI_EN | (ACPI_PM_SLP_TYP_S5 << ACPI_PM1_SLP_TYP_SHIFT);
    wr(&pm, ACPI_PM_CNT_OFF, 2, cnt);
    CHECK_EQ(e.sleeps, 0, "SLP_TYP alone does nothing");
    wr(&pm, ACPI_PM_CNT_OFF, 2, cnt | ACPI_PM1_SLP_EN);
    CHECK(e.sleeps == 1 && e.last_state == 5, "SLP_TYP 0 + SLP_EN: S5 (soft off)");
    CHECK_EQ(rd(&pm, ACPI_PM_CNT_OFF, 2), cnt, "SLP_EN and GBL_RLS read 0");
    wr(&pm, ACPI_PM_CNT_OFF + 1, 1, (1u << 2) | (ACPI_PM1_SLP_EN >> 8));
    CHECK(e.sleeps == 2 && e.last_state == 3, "byte write of SLP_TYP 1 + SLP_EN: S3");
    CHECK_EQ(rd(&pm, ACPI_PM_CNT_OFF, 2), ACPI_PM1_SCI_EN | (1u << 10), "SLP_TYP 1 kept");
    wr(&pm, ACPI_PM_CNT_OFF, 4, ACPI_PM1_SCI_EN | (6u << 10) | ACPI_PM1_SLP_EN);
    CHECK(e.sleeps == 3 && e.last_state == 0, "32-bit write, reserved SLP_TYP 6: state 0");
    CHECK_EQ(rd(&pm, 6, 2), 0, "reserved ports 0x606-0x607 read 0");
    CHECK_EQ(rd(&pm, ACPI_PM_PORTS - 1, 2), 0xff00, "a read past the block reads 0xFF");

    acpi_pm_reset(&pm);
    CHECK(rd(&pm, ACPI_PM_CNT_OFF, 2) == ACPI_PM1_SCI_EN && rd(&pm, ACPI_PM_EVT_OFF, 4) == 0 &&
          rd(&pm, ACPI_PM_GPE0_OFF, 4) == 0, "reset: power-on values");
}

static void test_no_sleep_callback(void)
{
    env e = { 0 };
    acpi_pm pm;
    acpi_pm_init(&pm, clock_fn, &e, (irq_line){ 0 }, NULL, NULL);
    wr(&pm, ACPI_PM_CNT_OFF, 2, ACPI_PM1_SLP_EN);
    acpi_pm_power_button(&pm);
    wr(&pm, ACPI_PM_EVT_OFF + 2, 2, ACPI_PM1_PWRBTN);
    CHECK(rd(&pm, ACPI_PM_EVT_OFF, 2) & ACPI_PM1_PWRBTN, "unwired SCI and sleep: no crash");
}

/* Downstream stand-in for the PCI host bridge at 0xCF8: remembers the last access. */
typedef struct fake_cf8 {
    uint64_t off, val;
    unsigned size, writes;
} fake_cf8;

static bool cf8_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    fake_cf8 *f = opaque;
    f->off = off;
    f->size = size;
    *val = 0xabcd0000u | (unsigned)off;
    return true;
}

static bool cf8_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    fake_cf8 *f = opaque;
    f->off = off;
    f->size = size;
    f->val = val;
    f->writes++;
    return true;
}

static const mmio_ops cf8_ops = { cf8_read, cf8_write };

static void test_cf9(void)
{
    env e = { 0 };
    fake_cf8 f = { 0 };
    reset_cf9 r;
    uint64_t v = 0;
    const unsigned rc = RESET_CF9_PORT - RESET_CF9_RANGE;
    reset_cf9_init(&r, reset_fn, &e, &cf8_ops, &f);
    reset_cf9_ops.read(&r, rc, 1, &v);
    CHECK_EQ(v, 0, "RCR reads 0 at power-on");
    reset_cf9_ops.write(&r, rc, 1, 0x02);
    reset_cf9_ops.read(&r, rc, 1, &v);
    CHECK(v == 0x02 && e.resets == 0, "SYS_RST alone: kept, no reset");
    reset_cf9_ops.write(&r, rc, 1, 0x06);
    CHECK_EQ(e.resets, 1, "0x06 (the FADT RESET_VALUE): reset");
    reset_cf9_ops.read(&r, rc, 1, &v);
    CHECK_EQ(v, 0x02, "RST_CPU reads 0");
    reset_cf9_ops.write(&r, rc, 1, 0x0e);
    CHECK_EQ(e.resets, 2, "0x0E (full reset): reset");
    reset_cf9_ops.write(&r, rc, 1, 0x0a);
    CHECK_EQ(e.resets, 2, "0x0A without RST_CPU: no reset");
    CHECK_EQ(f.writes, 0, "byte accesses to 0xCF9 never reach the host bridge");

    reset_cf9_ops.write(&r, 0, 4, 0x80000800u);
    CHECK(f.writes == 1 && f.off == 0 && f.size == 4 && f.val == 0x80000800u && e.resets == 2,
          "dword write at 0xCF8 (bit 10 = 0xCF9 bit 2) goes to CONFIG_ADDRESS, no reset");
    reset_cf9_ops.read(&r, 0, 4, &v);
    CHECK(v == 0xabcd0000u && f.size == 4, "dword read at 0xCF8 from the host bridge");
    reset_cf9_ops.read(&r, 4, 2, &v);
    CHECK(v == 0xabcd0004u && f.off == 4 && f.size == 2, "CONFIG_DATA word read forwarded");
    reset_cf9_ops.write(&r, 1, 2, 0x0606);
    CHECK(e.resets == 2 && f.off == 1 && f.size == 2, "a word at 0xCF9 is not the RCR");
    reset_cf9_reset(&r);
    reset_cf9_ops.read(&r, rc, 1, &v);
    CHECK_EQ(v, 0, "reset clears the RCR");

    reset_cf9 alone;
    reset_cf9_init(&alone, NULL, NULL, NULL, NULL);
    reset_cf9_ops.write(&alone, rc, 1, 0x06);
    reset_cf9_ops.read(&alone, 0, 4, &v);
    CHECK_EQ(v, 0xffffffffu, "no downstream: all-ones, no reset callback needed");
}

int main(void)
{
    test_timer();
    test_sci_and_sleep();
    test_no_sleep_callback();
    test_cf9();
    return check_done();
}
