/* MC146818A RTC. Reference: Motorola MC146818A datasheet: "Address Map", "Time,
 * Calendar and Alarm Locations", "Register A" (UIP, DV2-0, RS3-0, Table 5 periodic
 * rates), "Register B" (SET, PIE, AIE, UIE, SQWE, DM, 24/12, DSE), "Register C" (IRQF,
 * PF, AF, UF), "Register D" (VRT), "Update Cycle". PC conventions (century at 0x32,
 * memory size bytes) from the IBM PC/AT Technical Reference and QEMU/SeaBIOS usage. */
#include "dev/pc/mc146818.h"

#include <string.h>
#include <time.h>

#include "dev/pc/isa_port.h"

#define NS_PER_S 1000000000u
#define UIP_NS 244000u         /* UIP rises 244 us before the update cycle */
#define NO_PERIOD UINT64_MAX

enum {
    REG_SEC = 0x00, REG_ALARM_SEC = 0x01, REG_MIN = 0x02, REG_ALARM_MIN = 0x03,
    REG_HOUR = 0x04, REG_ALARM_HOUR = 0x05, REG_WDAY = 0x06, REG_MDAY = 0x07,
    REG_MON = 0x08, REG_YEAR = 0x09, REG_A = 0x0a, REG_B = 0x0b, REG_C = 0x0c,
    REG_D = 0x0d,
};

#define A_UIP 0x80
#define A_DV_RESET 0x60        /* DV2-1 = 11: divider chain held in reset */
#define B_SET 0x80
#define B_PIE 0x40
#define B_AIE 0x20
#define B_UIE 0x10
#define B_SQWE 0x08
#define B_DM 0x04              /* 1 = binary */
#define B_24H 0x02
#define C_IRQF 0x80
#define C_PF 0x40
#define C_AF 0x20
#define C_UF 0x10
#define D_VRT 0x80

static uint64_t host_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

static uint64_t host_monotonic_ns(void *opaque)
{
    return host_clock(CLOCK_MONOTONIC);
}

static uint64_t host_realtime_ns(void *opaque)
{
    return host_clock(CLOCK_REALTIME);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (the era-based algorithm: 400-year
 * eras of 146097 days, years starting in March so the leap day is last). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, mc146818_tm *tm)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    tm->mday = (int)(doy - (153 * mp + 2) / 5 + 1);
    tm->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
    tm->year = (int)(yoe + era * 400 + (tm->mon <= 2));
}

static int64_t tm_to_sec(const mc146818_tm *tm)
{
    return days_from_civil(tm->year, tm->mon, tm->mday) * 86400 + tm->hour * 3600 +
           tm->min * 60 + tm->sec;
}

static void sec_to_tm(int64_t s, mc146818_tm *tm)
{
    int64_t days = (s >= 0 ? s : s - 86399) / 86400;
    int64_t rem = s - days * 86400;
    civil_from_days(days, tm);
    tm->hour = (int)(rem / 3600);
    tm->min = (int)(rem / 60 % 60);
    tm->sec = (int)(rem % 60);
}

/* 1 = Sunday, as the RTC counts. 1970-01-01 was a Thursday. */
static int weekday(const mc146818_tm *tm)
{
    int64_t d = days_from_civil(tm->year, tm->mon, tm->mday);
    int64_t w = (d % 7 + 7 + 4) % 7;
    return (int)w + 1;
}

static uint64_t mono(const mc146818 *r)
{
    return r->clock(r->clock_opaque);
}

/* Seconds since the epoch and ns into the current second, from the monotonic clock. */
static int64_t rtc_sec(const mc146818 *r, uint64_t now, uint64_t *frac)
{
    uint64_t el = now - r->base_ns;
    if (frac)
        *frac = el % NS_PER_S;
    return r->base_sec + (int64_t)(el / NS_PER_S);
}

static void commit(mc146818 *r, int64_t sec, uint64_t now)
{
    r->base_sec = sec;
    r->base_ns = now;
    r->last_sec = sec;   /* setting the time is not an update cycle */
}

void mc146818_now(mc146818 *r, mc146818_tm *tm)
{
    if (r->frozen)
        *tm = r->held;
    else
        sec_to_tm(rtc_sec(r, mono(r), NULL), tm);
}

static bool binary(const mc146818 *r)
{
    return r->cmos[REG_B] & B_DM;
}

static uint8_t encode(const mc146818 *r, int v)
{
    if (v < 0)
        v = 0;
    return binary(r) ? (uint8_t)v : (uint8_t)((v / 10 % 10) << 4 | v % 10);
}

static int decode(const mc146818 *r, uint8_t v)
{
    return binary(r) ? v : (v >> 4) * 10 + (v & 15);
}

static uint8_t encode_hour(const mc146818 *r, int h)
{
    if (r->cmos[REG_B] & B_24H)
        return encode(r, h);
    int h12 = h % 12 ? h % 12 : 12;
    return (uint8_t)(encode(r, h12) | (h >= 12 ? 0x80 : 0));
}

static int decode_hour(const mc146818 *r, uint8_t v)
{
    if (r->cmos[REG_B] & B_24H)
        return decode(r, v);
    return decode(r, v & 0x7f) % 12 + (v & 0x80 ? 12 : 0);
}

static uint8_t time_reg(const mc146818 *r, const mc146818_tm *tm, unsigned idx)
{
    switch (idx) {
    case REG_SEC: return encode(r, tm->sec);
    case REG_MIN: return encode(r, tm->min);
    case REG_HOUR: return encode_hour(r, tm->hour);
    case REG_WDAY: return encode(r, weekday(tm));
    case REG_MDAY: return encode(r, tm->mday);
    case REG_MON: return encode(r, tm->mon);
    case REG_YEAR: return encode(r, tm->year % 100);
    default: return encode(r, tm->year / 100);   /* century */
    }
}

static bool is_time_reg(unsigned idx)
{
    return idx == REG_SEC || idx == REG_MIN || idx == REG_HOUR || idx == REG_WDAY ||
           idx == REG_MDAY || idx == REG_MON || idx == REG_YEAR || idx == MC146818_CENTURY;
}

/* Garbage in a time register must not make the date arithmetic overflow: clamp to what
 * two BCD/binary digits can hold. */
static void set_time_reg(mc146818 *r, mc146818_tm *tm, unsigned idx, uint8_t v)
{
    switch (idx) {
    case REG_SEC: tm->sec = decode(r, v); break;
    case REG_MIN: tm->min = decode(r, v); break;
    case REG_HOUR: tm->hour = decode_hour(r, v); break;
    case REG_MDAY: tm->mday = decode(r, v); break;
    case REG_MON: tm->mon = decode(r, v); break;
    case REG_YEAR: tm->year = tm->year / 100 * 100 + decode(r, v) % 100; break;
    case MC146818_CENTURY: tm->year = decode(r, v) % 100 * 100 + tm->year % 100; break;
    default: break;   /* day of week: derived from the date */
    }
    if (tm->mon < 1 || tm->mon > 12)
        tm->mon = tm->mon < 1 ? 1 : 12;
}

static bool should_freeze(const mc146818 *r)
{
    return (r->cmos[REG_B] & B_SET) || (r->cmos[REG_A] & A_DV_RESET) == A_DV_RESET;
}

/* SET or a divider reset holds the time registers; leaving restarts the second. */
static void update_frozen(mc146818 *r)
{
    bool f = should_freeze(r);
    uint64_t now = mono(r);
    if (f && !r->frozen) {
        sec_to_tm(rtc_sec(r, now, NULL), &r->held);
    } else if (!f && r->frozen) {
        commit(r, tm_to_sec(&r->held), now);
    }
    r->frozen = f;
}

/* Periodic interrupt: Table 5, RS3-0 select a tap of the 32.768 kHz divider chain:
 * RS = 1, 2 give 256, 128 Hz; RS = 3..15 give 32768 >> (RS - 1) Hz. Returns the period
 * as a power of two of 32.768 kHz ticks, or -1 when off. */
static int periodic_shift(const mc146818 *r)
{
    unsigned rs = r->cmos[REG_A] & 15;
    if (rs == 0 || (r->cmos[REG_A] & A_DV_RESET) == A_DV_RESET)
        return -1;
    return rs <= 2 ? (int)rs + 6 : (int)rs - 1;
}

static uint64_t ticks32k(uint64_t ns)
{
    return ns / NS_PER_S * 32768u + ns % NS_PER_S * 32768u / NS_PER_S;
}

static bool alarm_match(uint8_t alarm, uint8_t cur)
{
    return (alarm & 0xc0) == 0xc0 || alarm == cur;   /* 11xxxxxx = don't care */
}

static void drive_irq(mc146818 *r)
{
    uint8_t c = r->cmos[REG_C] & (C_PF | C_AF | C_UF);
    uint8_t en = r->cmos[REG_B] & (B_PIE | B_AIE | B_UIE);
    /* Reg C bits 6-4 line up with reg B bits 6-4. */
    if (c & en)
        r->cmos[REG_C] |= C_IRQF;
    int level = (r->cmos[REG_C] & C_IRQF) != 0;
    if (level != r->irq_level) {
        r->irq_level = level;
        irq_set(&r->irq, level);
    }
}

void mc146818_update(mc146818 *r)
{
    uint64_t now = mono(r);
    int shift = periodic_shift(r);
    if (shift >= 0) {
        uint64_t period = ticks32k(now) >> shift;
        if (period != r->last_period) {
            if (r->last_period != NO_PERIOD)
                r->cmos[REG_C] |= C_PF;
            r->last_period = period;
        }
    } else {
        r->last_period = NO_PERIOD;
    }
    if (!r->frozen) {
        int64_t s = rtc_sec(r, now, NULL);
        if (s > r->last_sec) {
            /* Update cycle: UF, and AF if the new time matches the alarm. Seconds missed
             * between calls are not checked one by one: the run loop wakes for each
             * second while AIE or UIE is set (mc146818_ns_until_event). */
            r->last_sec = s;
            r->cmos[REG_C] |= C_UF;
            mc146818_tm tm;
            sec_to_tm(s, &tm);
            if (alarm_match(r->alarm[0], time_reg(r, &tm, REG_SEC)) &&
                alarm_match(r->alarm[1], time_reg(r, &tm, REG_MIN)) &&
                alarm_match(r->alarm[2], time_reg(r, &tm, REG_HOUR)))
                r->cmos[REG_C] |= C_AF;
        }
    }
    drive_irq(r);
}

int64_t mc146818_ns_until_event(mc146818 *r)
{
    mc146818_update(r);
    uint64_t now = mono(r);
    int64_t best = INT64_MAX;
    int shift = periodic_shift(r);
    if (shift >= 0 && (r->cmos[REG_B] & B_PIE)) {
        uint64_t next = ((ticks32k(now) >> shift) + 1) << shift;   /* in 32 kHz ticks */
        uint64_t at = next / 32768u * NS_PER_S + ((next % 32768u) * NS_PER_S + 32767) / 32768u;
        best = at > now ? (int64_t)(at - now) : 0;
    }
    if (!r->frozen && (r->cmos[REG_B] & (B_AIE | B_UIE))) {
        uint64_t frac;
        rtc_sec(r, now, &frac);
        int64_t ns = (int64_t)(NS_PER_S - frac);
        if (ns < best)
            best = ns;
    }
    return best;
}

static uint8_t reg_read(mc146818 *r, unsigned idx)
{
    if (idx == REG_ALARM_SEC || idx == REG_ALARM_MIN || idx == REG_ALARM_HOUR)
        return r->alarm[idx / 2];
    if (is_time_reg(idx)) {
        mc146818_tm tm;
        mc146818_now(r, &tm);
        return time_reg(r, &tm, idx);
    }
    switch (idx) {
    case REG_A: {
        uint8_t a = r->cmos[REG_A] & 0x7f;
        uint64_t frac;
        if (!r->frozen) {
            rtc_sec(r, mono(r), &frac);
            if (frac >= NS_PER_S - UIP_NS)
                a |= A_UIP;
        }
        return a;
    }
    case REG_C: {
        mc146818_update(r);
        uint8_t c = r->cmos[REG_C];
        r->cmos[REG_C] = 0;   /* all flags clear on read, and IRQ8 falls */
        drive_irq(r);
        return c;
    }
    case REG_D:
        return D_VRT;
    default:
        return r->cmos[idx];
    }
}

static void reg_write(mc146818 *r, unsigned idx, uint8_t v)
{
    if (idx == REG_ALARM_SEC || idx == REG_ALARM_MIN || idx == REG_ALARM_HOUR) {
        r->alarm[idx / 2] = v;
        return;
    }
    if (is_time_reg(idx)) {
        if (r->frozen) {
            set_time_reg(r, &r->held, idx, v);
        } else {
            /* Writing while the clock runs sets that field at once. */
            uint64_t now = mono(r);
            mc146818_tm tm;
            sec_to_tm(rtc_sec(r, now, NULL), &tm);
            set_time_reg(r, &tm, idx, v);
            commit(r, tm_to_sec(&tm), now);
        }
        return;
    }
    switch (idx) {
    case REG_A:
        mc146818_update(r);
        if ((r->cmos[REG_A] ^ v) & 0x7f)
            r->last_period = NO_PERIOD;   /* a new rate starts counting afresh */
        r->cmos[REG_A] = v & 0x7f;        /* UIP is read-only */
        update_frozen(r);
        break;
    case REG_B:
        mc146818_update(r);
        if (v & B_SET)
            v &= (uint8_t)~B_UIE;    /* "SET = 1 ... UIE is cleared" */
        r->cmos[REG_B] = v;
        update_frozen(r);
        drive_irq(r);
        break;
    case REG_C:
    case REG_D:
        break;                       /* read-only */
    default:
        r->cmos[idx] = v;
        break;
    }
}

static uint8_t port_read8(void *opaque, unsigned port)
{
    mc146818 *r = opaque;
    /* The index register is write-only (reads float). */
    return port == 0 ? 0xff : reg_read(r, r->index);
}

static void port_write8(void *opaque, unsigned port, uint8_t val)
{
    mc146818 *r = opaque;
    if (port == 0) {
        r->index = val & 0x7f;
        r->nmi_masked = val & 0x80;
    } else {
        reg_write(r, r->index, val);
    }
}

static bool rtc_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    isa_port_read(opaque, off, size, val, MC146818_PORTS, port_read8);
    return true;
}

static bool rtc_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    isa_port_write(opaque, off, size, val, MC146818_PORTS, port_write8);
    return true;
}

const mmio_ops mc146818_ops = { .read = rtc_read, .write = rtc_write };

void mc146818_cmos_set(mc146818 *r, unsigned idx, uint8_t val)
{
    if (idx > REG_D && idx < MC146818_CMOS_SIZE && idx != MC146818_CENTURY)
        r->cmos[idx] = val;
}

uint8_t mc146818_cmos_get(const mc146818 *r, unsigned idx)
{
    return idx < MC146818_CMOS_SIZE ? r->cmos[idx] : 0;
}

static void set16(mc146818 *r, unsigned idx, uint64_t v)
{
    if (v > 0xffff)
        v = 0xffff;
    r->cmos[idx] = (uint8_t)v;
    r->cmos[idx + 1] = (uint8_t)(v >> 8);
}

void mc146818_set_ram_size(mc146818 *r, uint64_t below_4g, uint64_t above_4g)
{
    set16(r, 0x15, 640);
    uint64_t ext_kib = below_4g > MiB ? (below_4g - MiB) / KiB : 0;
    set16(r, 0x17, ext_kib);
    set16(r, 0x30, ext_kib);
    set16(r, 0x34, below_4g > 16 * MiB ? (below_4g - 16 * MiB) / (64 * KiB) : 0);
    uint64_t high = above_4g / (64 * KiB);
    if (high > 0xffffff)
        high = 0xffffff;
    r->cmos[0x5b] = (uint8_t)high;
    r->cmos[0x5c] = (uint8_t)(high >> 8);
    r->cmos[0x5d] = (uint8_t)(high >> 16);
}

void mc146818_reset(mc146818 *r)
{
    /* "RESET": clears PIE, AIE, UIE, SQWE and IRQF, PF, AF, UF; time and RAM survive. */
    r->cmos[REG_B] &= (uint8_t)~(B_PIE | B_AIE | B_UIE | B_SQWE);
    r->cmos[REG_C] = 0;
    r->index = 0;
    r->nmi_masked = false;
    r->irq_level = 0;
    irq_set(&r->irq, 0);
}

void mc146818_init(mc146818 *r, mc146818_clock_fn clock, void *clock_opaque,
                   mc146818_clock_fn wall, void *wall_opaque, irq_line irq8)
{
    memset(r, 0, sizeof *r);
    r->clock = clock ? clock : host_monotonic_ns;
    r->clock_opaque = clock_opaque;
    r->wall = wall ? wall : host_realtime_ns;
    r->wall_opaque = wall_opaque;
    r->irq = irq8;
    uint64_t w = r->wall(r->wall_opaque);
    /* Line the RTC's second boundaries up with the wall clock's. */
    commit(r, (int64_t)(w / NS_PER_S), mono(r) - w % NS_PER_S);
    r->last_period = NO_PERIOD;
    r->cmos[REG_A] = 0x26;
    r->cmos[REG_B] = B_24H;
    r->cmos[REG_D] = D_VRT;
    mc146818_reset(r);
}
