/* 8254 PIT. Reference: Intel 8254 datasheet (231164-005): "Control Word Format",
 * "Read Operations" (simple read, counter latch command, read-back command), "Modes"
 * 0-5 and "Gate" table; IBM PC/AT Technical Reference for port 0x61 (port B). */
#include "dev/pc/i8254.h"

#include <string.h>
#include <time.h>

#include "dev/pc/isa_port.h"

#define NS_PER_S 1000000000u
#define NO_EVENT UINT64_MAX
/* DRAM refresh request period on the PC/AT (counter 1 programmed to 18 → 15.08 us);
 * port 0x61 bit 4 toggles with it and firmware times short delays on it. */
#define REFRESH_NS 15085u

static uint64_t host_monotonic_ns(void *opaque)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* floor(ns * HZ / 1e9) without overflow. */
static uint64_t ns_to_ticks(uint64_t ns)
{
    return ns / NS_PER_S * I8254_HZ + ns % NS_PER_S * I8254_HZ / NS_PER_S;
}

/* The first ns at which ns_to_ticks reaches `ticks`; UINT64_MAX if beyond ~centuries. */
static uint64_t ticks_to_ns_ceil(uint64_t ticks)
{
    uint64_t q = ticks / I8254_HZ, r = ticks % I8254_HZ;
    if (q > UINT64_MAX / NS_PER_S / 2)
        return UINT64_MAX;
    return q * NS_PER_S + (r * NS_PER_S + I8254_HZ - 1) / I8254_HZ;
}

static uint64_t now_ns(const i8254 *t)
{
    return t->clock(t->clock_opaque);
}

static uint32_t modulus(const i8254_counter *c)
{
    return c->bcd ? 10000u : 0x10000u;
}

static uint64_t elapsed(const i8254_counter *c, uint64_t now)
{
    if (!c->running)
        return c->base_ticks;
    return c->base_ticks + (now > c->start_ns ? ns_to_ticks(now - c->start_ns) : 0);
}

/* The counting element's value (binary, 0..modulus-1; 0 stands for the full count). */
static uint32_t counter_value(const i8254_counter *c, uint64_t now)
{
    uint32_t n = c->count, m = modulus(c);
    if (!c->loaded)
        return n % m;
    uint64_t e = elapsed(c, now);
    switch (c->mode) {
    case 2:   /* N, N-1, ..., 1, reload */
        return (uint32_t)(n - e % n) % m;
    case 3:   /* decrements by two, twice per period */
        return (uint32_t)((n - (2 * e) % n) & ~1u) % m;
    default:  /* 0, 1, 4, 5: wraps after terminal count and keeps counting */
        return (uint32_t)((n + m - e % m) % m);
    }
}

static int counter_out(const i8254_counter *c, uint64_t now)
{
    if (!c->loaded)
        return c->mode != 0;   /* control word: OUT low in mode 0, high otherwise */
    uint64_t n = c->count, e = elapsed(c, now);
    switch (c->mode) {
    case 0:
        return e >= n;
    case 1:
        return !c->running || e >= n;
    case 2:   /* low during the last clock of each period */
        return !c->running || e % n != n - 1;
    case 3:   /* high for the first half of the period */
        return !c->running || e % n < (n + 1) / 2;
    case 4:
        return e != n;
    default:  /* 5 */
        return !c->running || e != n;
    }
}

static uint16_t to_bcd(uint32_t v)
{
    return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 |
                      v % 10);
}

static uint16_t encoded_value(const i8254_counter *c, uint64_t now)
{
    uint32_t v = counter_value(c, now);
    return c->bcd ? to_bcd(v) : (uint16_t)v;
}

static void drive_irq0(i8254 *t, int level)
{
    if (level != t->irq0_level) {
        t->irq0_level = level;
        irq_set(&t->irq0, level);
    }
}

void i8254_update(i8254 *t)
{
    i8254_counter *c = &t->ctr[0];
    if (!c->loaded || !c->running || c->next_event == NO_EVENT)
        return;
    uint64_t e = elapsed(c, now_ns(t));
    if (e < c->next_event)
        return;
    if (c->mode <= 1) {
        drive_irq0(t, 1);    /* OUT stays high after terminal count */
        c->next_event = NO_EVENT;
        return;
    }
    drive_irq0(t, 1);        /* one rising edge of OUT */
    drive_irq0(t, 0);
    if (c->mode == 2 || c->mode == 3)
        c->next_event = (e / c->count + 1) * c->count;   /* missed periods are dropped */
    else
        c->next_event = NO_EVENT;
}

int64_t i8254_ns_until_event(i8254 *t)
{
    const i8254_counter *c = &t->ctr[0];
    if (!c->loaded || !c->running || c->next_event == NO_EVENT)
        return INT64_MAX;
    uint64_t now = now_ns(t);
    if (elapsed(c, now) >= c->next_event)
        return 0;
    uint64_t d = ticks_to_ns_ceil(c->next_event - c->base_ticks);
    if (d == UINT64_MAX || c->start_ns > UINT64_MAX - d)
        return INT64_MAX;
    uint64_t at = c->start_ns + d;
    if (at <= now)
        return 0;
    return at - now > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)(at - now);
}

int i8254_out(i8254 *t, unsigned n)
{
    return n < 3 ? counter_out(&t->ctr[n], now_ns(t)) : 0;
}

static void start(i8254_counter *c, uint64_t now)
{
    c->base_ticks = 0;
    c->start_ns = now;
    c->next_event = c->count;
}

static void load_count(i8254 *t, unsigned n, uint16_t raw)
{
    i8254_counter *c = &t->ctr[n];
    uint32_t v = raw;
    if (c->bcd)   /* nibbles above 9 are not BCD: keep the arithmetic in range */
        v = ((raw >> 12 & 15) * 1000u + (raw >> 8 & 15) * 100u + (raw >> 4 & 15) * 10u +
             (raw & 15)) % 10000u;
    c->count = v ? v : modulus(c);   /* 0 is the maximum count (2^16 or 10^4) */
    c->loaded = true;
    c->null_count = false;
    uint64_t now = now_ns(t);
    start(c, now);
    /* Modes 1 and 5 wait for a GATE rising edge; the others count while GATE is high
     * (modes 0, 4 pause while it is low, modes 2, 3 restart on its rising edge). */
    c->running = (c->mode == 1 || c->mode == 5) ? false : c->gate;
    if (n == 0)
        drive_irq0(t, 0);
}

static void counter_control(i8254 *t, unsigned n, uint8_t val)
{
    i8254_counter *c = &t->ctr[n];
    c->rw = (val >> 4) & 3;
    c->mode = (val >> 1) & 7;
    if (c->mode > 5)
        c->mode -= 4;                /* 110/111 are modes 2/3 */
    c->bcd = val & 1;
    c->loaded = false;
    c->running = false;
    c->null_count = true;
    c->write_msb_next = false;
    c->read_msb_next = false;
    c->count_latched = false;
    c->next_event = NO_EVENT;
    if (c->count > modulus(c))
        c->count = modulus(c);
    if (n == 0)
        drive_irq0(t, 0);
}

static void latch_count(i8254 *t, i8254_counter *c)
{
    if (c->count_latched)
        return;                      /* a second latch before the read is ignored */
    c->latch = encoded_value(c, now_ns(t));
    c->count_latched = true;
    c->latch_bytes = c->rw == 3 ? 2 : 1;
    c->latch_msb_next = c->rw == 2;
}

static void latch_status(i8254 *t, i8254_counter *c)
{
    if (c->status_latched)
        return;
    c->status = (uint8_t)(counter_out(c, now_ns(t)) << 7 | c->null_count << 6 | c->rw << 4 |
                          c->mode << 1 | c->bcd);
    c->status_latched = true;
}

static void control_write(i8254 *t, uint8_t val)
{
    unsigned sc = val >> 6;
    if (sc == 3) {
        /* Read-back: bits 3-1 select counters; COUNT (bit 5) and STATUS (bit 4) are
         * active low. */
        for (unsigned n = 0; n < 3; n++) {
            if (!(val & (2u << n)))
                continue;
            if (!(val & 0x10))
                latch_status(t, &t->ctr[n]);
            if (!(val & 0x20))
                latch_count(t, &t->ctr[n]);
        }
    } else if (((val >> 4) & 3) == 0) {
        latch_count(t, &t->ctr[sc]);   /* counter latch command */
    } else {
        counter_control(t, sc, val);
    }
}

static uint8_t counter_read(i8254 *t, unsigned n)
{
    i8254_counter *c = &t->ctr[n];
    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->count_latched) {
        uint8_t b = c->latch_msb_next ? (uint8_t)(c->latch >> 8) : (uint8_t)c->latch;
        c->latch_msb_next = !c->latch_msb_next;
        if (--c->latch_bytes == 0)
            c->count_latched = false;
        return b;
    }
    uint16_t v = encoded_value(c, now_ns(t));
    switch (c->rw) {
    case 1:
        return (uint8_t)v;
    case 2:
        return (uint8_t)(v >> 8);
    default:
        c->read_msb_next = !c->read_msb_next;
        return c->read_msb_next ? (uint8_t)v : (uint8_t)(v >> 8);
    }
}

static void counter_write(i8254 *t, unsigned n, uint8_t val)
{
    i8254_counter *c = &t->ctr[n];
    switch (c->rw) {
    case 1:
        load_count(t, n, val);
        break;
    case 2:
        load_count(t, n, (uint16_t)(val << 8));
        break;
    case 3:
        if (!c->write_msb_next) {
            c->write_lsb = val;
            c->write_msb_next = true;
            /* Mode 0: "writing the first byte disables counting, OUT is set low". */
            if (c->mode == 0 && c->loaded) {
                c->loaded = false;
                if (n == 0)
                    drive_irq0(t, 0);
            }
        } else {
            c->write_msb_next = false;
            load_count(t, n, (uint16_t)(c->write_lsb | val << 8));
        }
        break;
    default:
        break;
    }
}

void i8254_set_gate(i8254 *t, unsigned n, bool gate)
{
    if (n >= 3)
        return;
    i8254_counter *c = &t->ctr[n];
    if (gate == c->gate)
        return;
    uint64_t now = now_ns(t);
    if (n == 0)
        i8254_update(t);
    uint64_t e = elapsed(c, now);
    c->gate = gate;
    if (!c->loaded)
        return;
    switch (c->mode) {
    case 0:
    case 4:   /* GATE low suspends counting */
        c->base_ticks = e;
        c->start_ns = now;
        c->running = gate;
        break;
    case 1:
    case 5:   /* GATE rising edge (re)triggers */
    case 2:
    case 3:   /* GATE low stops with OUT high; rising edge reloads */
        c->running = gate;
        if (gate)
            start(c, now);
        break;
    default:
        break;
    }
}

void i8254_reset(i8254 *t)
{
    for (unsigned n = 0; n < 3; n++) {
        i8254_counter *c = &t->ctr[n];
        memset(c, 0, sizeof *c);
        c->rw = 3;
        c->count = 0x10000u;
        c->next_event = NO_EVENT;
        c->gate = n != 2;   /* GATE0/1 are tied high; GATE2 comes from port 0x61 */
    }
    t->speaker_data = false;
    t->port61_spare = 0;
    t->irq0_level = 0;
    irq_set(&t->irq0, 0);
}

void i8254_init(i8254 *t, i8254_clock_fn clock, void *opaque, irq_line irq0)
{
    memset(t, 0, sizeof *t);
    t->clock = clock ? clock : host_monotonic_ns;
    t->clock_opaque = opaque;
    t->irq0 = irq0;
    i8254_reset(t);
}

static uint8_t pit_read8(void *opaque, unsigned port)
{
    /* The control word register cannot be read (the data bus floats). */
    return port < 3 ? counter_read(opaque, port) : 0xff;
}

static void pit_write8(void *opaque, unsigned port, uint8_t val)
{
    if (port < 3)
        counter_write(opaque, port, val);
    else
        control_write(opaque, val);
}

static bool pit_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    isa_port_read(opaque, off, size, val, I8254_PORTS, pit_read8);
    return true;
}

static bool pit_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    isa_port_write(opaque, off, size, val, I8254_PORTS, pit_write8);
    return true;
}

static uint8_t port61_read8(void *opaque, unsigned port)
{
    i8254 *t = opaque;
    uint64_t now = now_ns(t);
    return (uint8_t)(t->ctr[2].gate | t->speaker_data << 1 | t->port61_spare |
                     (now / REFRESH_NS & 1) << 4 | counter_out(&t->ctr[2], now) << 5);
}

static void port61_write8(void *opaque, unsigned port, uint8_t val)
{
    i8254 *t = opaque;
    t->speaker_data = val & 2;
    t->port61_spare = val & 0x0c;
    i8254_set_gate(t, 2, val & 1);
}

static bool port61_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    isa_port_read(opaque, off, size, val, I8254_PORT61_PORTS, port61_read8);
    return true;
}

static bool port61_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    isa_port_write(opaque, off, size, val, I8254_PORT61_PORTS, port61_write8);
    return true;
}

const mmio_ops i8254_ops = { .read = pit_read, .write = pit_write };
const mmio_ops i8254_port61_ops = { .read = port61_read, .write = port61_write };
