/* MC146818 RTC/CMOS on fixed clocks: the date in BCD/binary and 12/24 h, UIP, SET,
 * update-ended, alarm and periodic interrupts through reg C and IRQ8, rollovers (leap
 * years, century), divider reset, NMI mask bit, CMOS RAM and the memory size fields. */
#include "dev/pc/mc146818.h"

#include "check.h"

#define NS 1000000000ull
#define WALL 1795840559ull   /* 2026-11-28 04:35:59 UTC, a Saturday */

static uint64_t mono_now, wall_now;

static uint64_t mono_fn(void *opaque)
{
    return mono_now;
}

static uint64_t wall_fn(void *opaque)
{
    return wall_now;
}

static int irq8;

static void irq_fn(void *opaque, unsigned irq, int level)
{
    irq8 = level;
}

static uint8_t cmos_read(mc146818 *r, uint8_t idx)
{
    uint64_t v = 0;
    mc146818_ops.write(r, 0, 1, idx);
    mc146818_ops.read(r, 1, 1, &v);
    return (uint8_t)v;
}

static void cmos_write(mc146818 *r, uint8_t idx, uint8_t val)
{
    mc146818_ops.write(r, 0, 1, idx);
    mc146818_ops.write(r, 1, 1, val);
}

/* Set the time the way hwclock / Linux's mc146818_set_time do: SET, registers, clear. */
static void set_time(mc146818 *r, uint8_t cent, uint8_t yr, uint8_t mon, uint8_t day,
                     uint8_t h, uint8_t m, uint8_t s)
{
    uint8_t b = cmos_read(r, 0x0b);
    cmos_write(r, 0x0b, b | 0x80);
    cmos_write(r, 0x00, s);
    cmos_write(r, 0x02, m);
    cmos_write(r, 0x04, h);
    cmos_write(r, 0x07, day);
    cmos_write(r, 0x08, mon);
    cmos_write(r, 0x09, yr);
    cmos_write(r, 0x32, cent);
    cmos_write(r, 0x0b, b & 0x7f);
}

int main(void)
{
    mc146818 r;
    mono_now = 1000 * NS + 123;
    wall_now = WALL * NS + 500000000ull;   /* half a second into 04:35:59 */
    mc146818_init(&r, mono_fn, NULL, wall_fn, NULL, (irq_line){ .set = irq_fn });

    /* The host's date, in BCD 24 h (reg B = 0x02 at power-on). */
    CHECK_EQ(cmos_read(&r, 0x0b), 0x02, "reg B power-on: 24 h, BCD");
    CHECK_EQ(cmos_read(&r, 0x0a), 0x26, "reg A power-on: 32.768 kHz, 1024 Hz, UIP 0");
    CHECK_EQ(cmos_read(&r, 0x0d), 0x80, "reg D: VRT");
    CHECK(cmos_read(&r, 0x00) == 0x59 && cmos_read(&r, 0x02) == 0x35 &&
              cmos_read(&r, 0x04) == 0x04,
          "time 04:35:59 in BCD");
    CHECK(cmos_read(&r, 0x07) == 0x28 && cmos_read(&r, 0x08) == 0x11 &&
              cmos_read(&r, 0x09) == 0x26 && cmos_read(&r, 0x32) == 0x20,
          "date 2026-11-28, century 20");
    CHECK_EQ(cmos_read(&r, 0x06), 7, "day of week: Saturday = 7");

    /* UIP during the last 244 us before the update; the update moves the time. */
    mono_now += 500000000ull - 244000;
    CHECK_EQ(cmos_read(&r, 0x0a) & 0x80, 0x80, "UIP 244 us before the update");
    mono_now -= 1;
    CHECK_EQ(cmos_read(&r, 0x0a) & 0x80, 0, "UIP clear just before that");
    mono_now += 244001;
    CHECK(cmos_read(&r, 0x00) == 0x00 && cmos_read(&r, 0x02) == 0x36, "04:36:00");
    CHECK_EQ(cmos_read(&r, 0x0a) & 0x80, 0, "UIP clear after the update");
    mc146818_update(&r);
    CHECK(irq8 == 0, "update-ended flag without UIE: no IRQ8");
    CHECK_EQ(cmos_read(&r, 0x0c), 0x10, "reg C: UF set regardless of UIE");
    CHECK_EQ(cmos_read(&r, 0x0c), 0x00, "reg C cleared by the read");

    /* Binary and 12-hour modes. */
    cmos_write(&r, 0x0b, 0x06);
    CHECK(cmos_read(&r, 0x02) == 36 && cmos_read(&r, 0x09) == 26 &&
              cmos_read(&r, 0x32) == 20,
          "binary mode");
    cmos_write(&r, 0x0b, 0x04);
    CHECK_EQ(cmos_read(&r, 0x04), 4, "12 h: 4 AM");
    cmos_write(&r, 0x04, 0x80 | 12);   /* 12 PM = noon */
    CHECK_EQ(cmos_read(&r, 0x04), 0x80 | 12, "12 h: writing 12 PM reads back");
    cmos_write(&r, 0x0b, 0x06);
    CHECK_EQ(cmos_read(&r, 0x04), 12, "12 PM is 12:00 in 24 h");
    cmos_write(&r, 0x0b, 0x04);
    cmos_write(&r, 0x04, 12);          /* 12 AM = midnight */
    cmos_write(&r, 0x0b, 0x06);
    CHECK_EQ(cmos_read(&r, 0x04), 0, "12 AM is 00:00");
    cmos_write(&r, 0x0b, 0x02);

    /* SET holds the registers; clearing it starts the clock from the written time. */
    set_time(&r, 0x20, 0x24, 0x02, 0x28, 0x23, 0x59, 0x58);
    cmos_write(&r, 0x0b, 0x82);
    mono_now += 5 * NS;
    CHECK_EQ(cmos_read(&r, 0x00), 0x58, "SET: time does not advance");
    cmos_write(&r, 0x0b, 0x02);
    mono_now += 2 * NS + 100;
    CHECK(cmos_read(&r, 0x07) == 0x29 && cmos_read(&r, 0x08) == 0x02 &&
              cmos_read(&r, 0x00) == 0x00,
          "2024-02-28 23:59:58 + 2 s = 02-29 (leap year)");
    CHECK_EQ(cmos_read(&r, 0x06), 5, "2024-02-29 was a Thursday");
    set_time(&r, 0x20, 0x99, 0x12, 0x31, 0x23, 0x59, 0x59);
    mono_now += NS;
    CHECK(cmos_read(&r, 0x09) == 0x00 && cmos_read(&r, 0x32) == 0x21 &&
              cmos_read(&r, 0x08) == 0x01 && cmos_read(&r, 0x07) == 0x01,
          "2099-12-31 23:59:59 + 1 s = 2100-01-01 (century register)");
    set_time(&r, 0x21, 0x00, 0x02, 0x28, 0x12, 0x00, 0x00);
    mono_now += 86400 * NS;
    CHECK(cmos_read(&r, 0x08) == 0x03 && cmos_read(&r, 0x07) == 0x01,
          "2100 is not a leap year");
    mc146818_tm tm;
    mc146818_now(&r, &tm);
    CHECK(tm.year == 2100 && tm.mon == 3 && tm.mday == 1 && tm.hour == 12,
          "mc146818_now agrees");

    /* Update-ended interrupt; SET clears UIE. */
    (void)cmos_read(&r, 0x0c);
    cmos_write(&r, 0x0b, 0x12);
    int64_t wait = mc146818_ns_until_event(&r);
    CHECK(wait > 0 && wait <= (int64_t)NS, "UIE: wake at the next second");
    mono_now += (uint64_t)wait;
    mc146818_update(&r);
    CHECK(irq8 == 1, "UIE: IRQ8 at the update");
    CHECK_EQ(cmos_read(&r, 0x0c), 0xd0, "reg C: IRQF | UF (PF too: the 1024 Hz tap runs)");
    CHECK(irq8 == 0, "reading reg C lowers IRQ8");
    cmos_write(&r, 0x0b, 0x92);
    CHECK_EQ(cmos_read(&r, 0x0b), 0x82, "SET clears UIE");
    cmos_write(&r, 0x0b, 0x02);

    /* Alarm at hh:mm:05 (hours and minutes don't care). */
    set_time(&r, 0x20, 0x26, 0x11, 0x28, 0x10, 0x00, 0x00);
    cmos_write(&r, 0x01, 0x05);
    cmos_write(&r, 0x03, 0xc0);
    cmos_write(&r, 0x05, 0xff);
    cmos_write(&r, 0x0b, 0x22);
    int fired_at = -1;
    for (int s = 1; s <= 10 && fired_at < 0; s++) {
        mono_now += NS;
        mc146818_update(&r);
        if (irq8)
            fired_at = s;
    }
    CHECK_EQ(fired_at, 5, "alarm fires at second 5 only");
    CHECK_EQ(cmos_read(&r, 0x0c) & 0xb0, 0xb0, "reg C: IRQF | AF | UF");
    mono_now += NS;
    mc146818_update(&r);
    CHECK(irq8 == 0, "no alarm at second 6");
    cmos_write(&r, 0x0b, 0x02);

    /* Periodic interrupt: 1024 Hz (RS = 6), then 2 Hz (RS = 15). */
    (void)cmos_read(&r, 0x0c);
    cmos_write(&r, 0x0b, 0x42);
    wait = mc146818_ns_until_event(&r);
    CHECK(wait > 0 && wait <= 976563, "1024 Hz: wake within one period");
    mono_now += (uint64_t)wait;
    mc146818_update(&r);
    CHECK(irq8 == 1, "PIE: IRQ8 at the period");
    CHECK_EQ(cmos_read(&r, 0x0c) & 0xc0, 0xc0, "reg C: IRQF | PF");
    int count = 0;
    for (int i = 0; i < 1000; i++) {
        mono_now += 100000;   /* 100 us steps over 0.1 s */
        mc146818_update(&r);
        if (irq8) {
            count++;
            (void)cmos_read(&r, 0x0c);
        }
    }
    CHECK(count >= 102 && count <= 103, "about 102 periodic interrupts in 0.1 s");
    cmos_write(&r, 0x0a, 0x2f);
    (void)cmos_read(&r, 0x0c);
    wait = mc146818_ns_until_event(&r);
    CHECK(wait > 0 && wait <= (int64_t)(NS / 2), "2 Hz: wake within 0.5 s");
    cmos_write(&r, 0x0a, 0x20);
    cmos_write(&r, 0x0b, 0x02);
    (void)cmos_read(&r, 0x0c);
    CHECK_EQ(mc146818_ns_until_event(&r), INT64_MAX, "no source enabled: no event");

    /* Divider reset stops the clock. */
    uint8_t sec = cmos_read(&r, 0x00);
    cmos_write(&r, 0x0a, 0x70);
    mono_now += 3 * NS;
    CHECK_EQ(cmos_read(&r, 0x00), sec, "divider in reset: time stands");
    cmos_write(&r, 0x0a, 0x26);

    /* Index port: bit 7 masks NMI, the index has 7 bits; CMOS RAM; reg C/D read-only. */
    mc146818_ops.write(&r, 0, 1, 0xc0);
    CHECK(r.nmi_masked && r.index == 0x40, "port 0x70 bit 7 = NMI mask");
    mc146818_ops.write(&r, 1, 1, 0xa5);
    CHECK_EQ(cmos_read(&r, 0x40), 0xa5, "CMOS RAM byte");
    CHECK(!r.nmi_masked, "NMI unmasked again");
    cmos_write(&r, 0x0d, 0x00);
    CHECK_EQ(cmos_read(&r, 0x0d), 0x80, "reg D is read-only");
    uint64_t v = 0;
    mc146818_ops.read(&r, 0, 1, &v);
    CHECK_EQ(v, 0xff, "index port reads float");

    mc146818_set_ram_size(&r, 3 * GiB, 2 * GiB);
    CHECK(cmos_read(&r, 0x15) == 0x80 && cmos_read(&r, 0x16) == 0x02, "base memory 640 KiB");
    CHECK(cmos_read(&r, 0x17) == 0xff && cmos_read(&r, 0x18) == 0xff &&
              cmos_read(&r, 0x30) == 0xff && cmos_read(&r, 0x31) == 0xff,
          "extended memory capped at 65535 KiB");
    CHECK_EQ(cmos_read(&r, 0x34) | cmos_read(&r, 0x35) << 8, (3 * GiB - 16 * MiB) / (64 * KiB),
             "64 KiB units above 16 MiB");
    CHECK_EQ(cmos_read(&r, 0x5b) | cmos_read(&r, 0x5c) << 8 | cmos_read(&r, 0x5d) << 16,
             2 * GiB / (64 * KiB), "64 KiB units above 4 GiB");
    mc146818_set_ram_size(&r, 32 * MiB, 0);
    CHECK_EQ(cmos_read(&r, 0x17) | cmos_read(&r, 0x18) << 8, 31 * 1024, "31 MiB extended");
    mc146818_cmos_set(&r, 0x5f, 3);
    CHECK_EQ(mc146818_cmos_get(&r, 0x5f), 3, "board-set CMOS byte");

    /* Robustness: garbage everywhere keeps the date arithmetic sane. */
    for (unsigned i = 0; i < 20000; i++) {
        cmos_write(&r, (uint8_t)(i * 7), (uint8_t)(i * 13 + 5));
        mono_now += i * 104729;
        (void)cmos_read(&r, (uint8_t)(i * 11));
        mc146818_update(&r);
        (void)mc146818_ns_until_event(&r);
    }
    mc146818_reset(&r);
    CHECK(irq8 == 0 && (cmos_read(&r, 0x0b) & 0x70) == 0, "reset: interrupts off");
    cmos_write(&r, 0x0a, 0x26);
    cmos_write(&r, 0x0b, 0x06);
    set_time(&r, 20, 30, 6, 15, 8, 0, 0);
    CHECK(cmos_read(&r, 0x09) == 30 && cmos_read(&r, 0x08) == 6, "set again after garbage");
    return check_done();
}
