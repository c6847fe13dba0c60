/* Goldfish RTC. Reference: Android emulator GOLDFISH-VIRTUAL-HARDWARE.TXT ("Goldfish
 * real-time clock"), and the register set of QEMU's virt-board model that Linux's
 * drivers/rtc/rtc-goldfish.c programs (alarm: ALARM_HIGH then ALARM_LOW, then
 * IRQ_ENABLED; the handler writes CLEAR_INTERRUPT). */
#include "dev/goldfish_rtc.h"

#include <string.h>
#include <time.h>

enum {
    TIME_LOW = 0x00, TIME_HIGH = 0x04, ALARM_LOW = 0x08, ALARM_HIGH = 0x0c,
    IRQ_ENABLED = 0x10, CLEAR_ALARM = 0x14, ALARM_STATUS = 0x18, CLEAR_INTERRUPT = 0x1c,
};

static uint64_t host_clock(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t host_monotonic_ns(void *opaque)
{
    return host_clock(CLOCK_MONOTONIC);
}

static uint64_t host_realtime_ns(void *opaque)
{
    return host_clock(CLOCK_REALTIME);
}

uint64_t goldfish_rtc_time(const goldfish_rtc *g)
{
    return g->clock(g->clock_opaque) + g->offset;
}

static void set_time(goldfish_rtc *g, uint64_t t)
{
    g->offset = t - g->clock(g->clock_opaque);
}

static void drive_irq(goldfish_rtc *g)
{
    int level = g->irq_pending && g->irq_enabled;
    if (level != g->irq_level) {
        g->irq_level = level;
        irq_set(&g->irq, level);
    }
}

void goldfish_rtc_update(goldfish_rtc *g)
{
    if (g->alarm_armed && goldfish_rtc_time(g) >= g->alarm) {
        g->alarm_armed = false;
        g->irq_pending = true;
    }
    drive_irq(g);
}

int64_t goldfish_rtc_ns_until_event(goldfish_rtc *g)
{
    if (!g->alarm_armed)
        return INT64_MAX;
    uint64_t now = goldfish_rtc_time(g);
    if (now >= g->alarm)
        return 0;
    uint64_t d = g->alarm - now;
    return d > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)d;
}

static uint64_t with_half(uint64_t v, bool high, uint32_t half)
{
    return high ? (v & 0xffffffffull) | (uint64_t)half << 32
                : (v & ~0xffffffffull) | half;
}

/* 32-bit registers only; anything else is an access fault, as on the virt board. */
static bool rtc_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    goldfish_rtc *g = opaque;
    *val = 0;
    if (size != 4 || (off & 3))
        return false;
    switch (off) {
    case TIME_LOW: {
        uint64_t t = goldfish_rtc_time(g);
        g->time_high = (uint32_t)(t >> 32);
        *val = (uint32_t)t;
        break;
    }
    case TIME_HIGH: *val = g->time_high; break;
    case ALARM_LOW: *val = (uint32_t)g->alarm; break;
    case ALARM_HIGH: *val = (uint32_t)(g->alarm >> 32); break;
    case IRQ_ENABLED: *val = g->irq_enabled; break;
    case ALARM_STATUS: *val = g->alarm_armed; break;
    default: break;
    }
    return true;
}

static bool rtc_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    goldfish_rtc *g = opaque;
    if (size != 4 || (off & 3))
        return false;
    uint32_t v = (uint32_t)val;
    switch (off) {
    case TIME_LOW:
    case TIME_HIGH:
        set_time(g, with_half(goldfish_rtc_time(g), off == TIME_HIGH, v));
        break;
    case ALARM_LOW:
        g->alarm = with_half(g->alarm, false, v);
        g->alarm_armed = true;
        break;
    case ALARM_HIGH:
        g->alarm = with_half(g->alarm, true, v);
        break;
    case IRQ_ENABLED:
        g->irq_enabled = v & 1;
        break;
    case CLEAR_ALARM:
        g->alarm_armed = false;
        break;
    case CLEAR_INTERRUPT:
        g->irq_pending = false;
        break;
    default:
        break;
    }
    goldfish_rtc_update(g);   /* an alarm set in the past fires at once */
    return true;
}

const mmio_ops goldfish_rtc_ops = { .read = rtc_read, .write = rtc_write };

void goldfish_rtc_reset(goldfish_rtc *g)
{
    g->alarm = 0;
    g->alarm_armed = g->irq_enabled = g->irq_pending = false;
    g->time_high = 0;
    g->irq_level = 0;
    irq_set(&g->irq, 0);
}

void goldfish_rtc_init(goldfish_rtc *g, goldfish_rtc_clock_fn clock, void *clock_opaque,
                       goldfish_rtc_clock_fn wall, void *wall_opaque, irq_line irq)
{
    memset(g, 0, sizeof *g);
    g->clock = clock ? clock : host_monotonic_ns;
    g->clock_opaque = clock_opaque;
    g->wall = wall ? wall : host_realtime_ns;
    g->wall_opaque = wall_opaque;
    g->irq = irq;
    set_time(g, g->wall(g->wall_opaque));
    goldfish_rtc_reset(g);
}
