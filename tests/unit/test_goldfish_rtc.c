/* Goldfish RTC as rtc-goldfish drives it: read time (LOW latches HIGH), set time, alarm
 * (HIGH, LOW, IRQ_ENABLED), interrupt and CLEAR_INTERRUPT, CLEAR_ALARM, idle deadline. */
#include "dev/goldfish_rtc.h"

#include "check.h"

static uint64_t mono = 42, wall = 1795840559ull * 1000000000ull + 7;
static int irq;

static uint64_t mono_fn(void *opaque)
{
    return mono;
}

static uint64_t wall_fn(void *opaque)
{
    return wall;
}

static void irq_fn(void *opaque, unsigned n, int level)
{
    irq = level;
}

static goldfish_rtc g;

static uint32_t rd(unsigned off)
{
    uint64_t v = 0xdead;
    if (!goldfish_rtc_ops.read(&g, off, 4, &v))
        return 0xbad;
    return (uint32_t)v;
}

static void wr(unsigned off, uint32_t v)
{
    goldfish_rtc_ops.write(&g, off, 4, v);
}

static uint64_t read_time(void)
{
    uint64_t lo = rd(0x00);
    return lo | (uint64_t)rd(0x04) << 32;
}

int main(void)
{
    goldfish_rtc_init(&g, mono_fn, NULL, wall_fn, NULL, (irq_line){ .set = irq_fn });
    CHECK_EQ(read_time(), wall, "time = host wall clock");
    mono += 1500000000ull;
    CHECK_EQ(read_time(), wall + 1500000000ull, "advances with the monotonic clock");
    wall += 999999999999ull;
    CHECK_EQ(read_time(), wall - 999999999999ull + 1500000000ull,
             "host wall clock changes do not move it");

    /* TIME_HIGH is the half latched by the last TIME_LOW read. */
    uint64_t t = goldfish_rtc_time(&g);
    rd(0x00);
    mono += 0x100000000ull;   /* the high half moves on */
    CHECK_EQ(rd(0x04), (uint32_t)(t >> 32), "TIME_HIGH from the latch");

    /* Set time as rtc-goldfish does: HIGH then LOW. */
    uint64_t set = 1000000000ull * 946684800ull;   /* 2000-01-01 */
    wr(0x04, (uint32_t)(set >> 32));
    wr(0x00, (uint32_t)set);
    CHECK_EQ(read_time(), set, "set time");
    mono += 5;
    CHECK_EQ(read_time(), set + 5, "runs from the set time");

    /* Alarm 1 s ahead. */
    uint64_t alarm = set + 5 + 1000000000ull;
    wr(0x0c, (uint32_t)(alarm >> 32));
    wr(0x08, (uint32_t)alarm);
    wr(0x10, 1);
    CHECK(rd(0x18) == 1 && rd(0x10) == 1, "alarm armed, IRQ enabled");
    CHECK(rd(0x08) == (uint32_t)alarm && rd(0x0c) == (uint32_t)(alarm >> 32),
          "alarm reads back");
    CHECK_EQ(goldfish_rtc_ns_until_event(&g), 1000000000, "deadline 1 s");
    mono += 999999999;
    goldfish_rtc_update(&g);
    CHECK(irq == 0, "not before the alarm");
    mono += 1;
    goldfish_rtc_update(&g);
    CHECK(irq == 1 && rd(0x18) == 0, "alarm fires, disarms");
    CHECK_EQ(goldfish_rtc_ns_until_event(&g), INT64_MAX, "no deadline after firing");
    wr(0x1c, 1);
    CHECK(irq == 0, "CLEAR_INTERRUPT lowers the line");

    /* Alarm in the past fires at once; disabled interrupts keep the line low. */
    wr(0x10, 0);
    wr(0x0c, 0);
    wr(0x08, 1);
    CHECK(irq == 0 && rd(0x18) == 0, "past alarm fired, line masked");
    wr(0x10, 1);
    CHECK(irq == 1, "enabling shows the pending interrupt");
    wr(0x1c, 1);

    /* CLEAR_ALARM. */
    wr(0x0c, 0xffffffff);
    wr(0x08, 0);
    CHECK_EQ(rd(0x18), 1, "far alarm armed");
    wr(0x14, 1);
    CHECK(rd(0x18) == 0 && goldfish_rtc_ns_until_event(&g) == INT64_MAX, "CLEAR_ALARM");

    /* Width and alignment. */
    uint64_t v;
    CHECK(!goldfish_rtc_ops.read(&g, 0, 8, &v) && !goldfish_rtc_ops.read(&g, 2, 4, &v),
          "only aligned 32-bit accesses");
    CHECK_EQ(rd(0x800), 0, "unused offsets read 0");
    goldfish_rtc_reset(&g);
    CHECK(irq == 0 && rd(0x10) == 0 && rd(0x18) == 0, "reset");
    return check_done();
}
