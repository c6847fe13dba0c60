/* ACLINT/CLINT: mtime from a clock, mtimecmp halves, MTIP raise/clear, msip, WFI sleep. */
#include "dev/aclint.h"

#include <stdio.h>

#include "check.h"
#include <time.h>

/* check(ok, name): one TAP line; check.h counts and reports the file:line of failures. */
#define check(ok, name) CHECK(ok, name)

typedef struct lines {
    int msip[ACLINT_MAX_HARTS], mtip[ACLINT_MAX_HARTS];
} lines;

static void set_msip(void *opaque, unsigned irq, int level)
{
    ((lines *)opaque)->msip[irq] = level;
}

static void set_mtip(void *opaque, unsigned irq, int level)
{
    ((lines *)opaque)->mtip[irq] = level;
}

static uint64_t fake_ns(void *opaque)
{
    return *(uint64_t *)opaque;
}

static uint64_t rd(aclint *c, uint64_t off, unsigned size)
{
    uint64_t v = 0xdeadbeef;
    if (!aclint_ops.read(c, off, size, &v))
        return 0xbad;
    return v;
}

static bool wr(aclint *c, uint64_t off, unsigned size, uint64_t v)
{
    return aclint_ops.write(c, off, size, v);
}

#define MSIP(h) (4u * (h))
#define MTIMECMP(h) (0x4000u + 8u * (h))
#define MTIME 0xbff8u

int main(void)
{
    aclint c;
    lines l = { { 0 }, { 0 } };
    uint64_t now_ns = 5000000;   /* the fake clock does not start at zero */

    check(!aclint_init(&c, 0) && !aclint_init(&c, ACLINT_MAX_HARTS + 1), "bad hart counts");
    aclint_init(&c, 2);
    aclint_set_clock(&c, fake_ns, &now_ns);
    for (unsigned h = 0; h < 2; h++)
        aclint_connect_hart(&c, h, (irq_line){ .set = set_msip, .opaque = &l, .irq = h },
                            (irq_line){ .set = set_mtip, .opaque = &l, .irq = h });

    /* mtime */
    uint64_t t0 = aclint_mtime(&c);
    /* The host clock ran from aclint_init to aclint_set_clock: microseconds natively, far
     * more under qemu-user or a sanitizer. Allow a second of it (10^7 ticks). */
    check(t0 < 10000000, "mtime starts near zero");
    now_ns += 1000;
    check(aclint_mtime(&c) == t0 + 10, "mtime counts at 10 MHz (100 ns per tick)");
    check(rd(&c, MTIME, 8) == t0 + 10, "8-byte mtime read");
    wr(&c, MTIME, 8, 0x123456789ull);
    check(rd(&c, MTIME, 8) == 0x123456789ull, "mtime write sets the value");
    now_ns += 250;
    check(rd(&c, MTIME, 4) == 0x23456789ull + 2 && rd(&c, MTIME + 4, 4) == 0x1,
          "mtime advances from the written value; 4-byte halves");
    wr(&c, MTIME + 4, 4, 0x7);
    check(rd(&c, MTIME, 8) == 0x72345678bull, "4-byte write of mtime high half");
    wr(&c, MTIME, 4, 0);
    check(rd(&c, MTIME, 8) == 0x700000000ull, "4-byte write of mtime low half");
    now_ns += 100 - now_ns % 100;   /* on a tick boundary for the sleep checks */
    wr(&c, MTIME, 8, 0);

    /* mtimecmp */
    check(rd(&c, MTIMECMP(0), 8) == UINT64_MAX && rd(&c, MTIMECMP(1), 8) == UINT64_MAX,
          "mtimecmp resets to all ones");
    check(l.mtip[0] == 0 && l.mtip[1] == 0, "no MTIP at reset");
    check(aclint_ns_until_next_event(&c) == INT64_MAX, "no timer armed: sleep forever");
    wr(&c, MTIMECMP(0), 4, 0x1000);
    check(rd(&c, MTIMECMP(0), 8) == 0xffffffff00001000ull, "4-byte write of low half");
    wr(&c, MTIMECMP(0) + 4, 4, 0);
    check(rd(&c, MTIMECMP(0), 8) == 0x1000 && rd(&c, MTIMECMP(0) + 4, 4) == 0 &&
              rd(&c, MTIMECMP(0), 4) == 0x1000,
          "both halves written and read back");
    check(rd(&c, MTIMECMP(1), 8) == UINT64_MAX, "hart 1 mtimecmp untouched");
    check(l.mtip[0] == 0, "future compare: no MTIP");
    check(aclint_ns_until_next_event(&c) == 0x1000 * 100, "sleep until the compare");
    now_ns += 50;
    check(aclint_ns_until_next_event(&c) == 0x1000 * 100 - 50, "sleep accounts partial tick");

    now_ns += 0x1000 * 100;
    check(l.mtip[0] == 0, "MTIP waits for aclint_update");
    check(aclint_ns_until_next_event(&c) == 0, "due but not raised: no sleep");
    aclint_update(&c);
    check(l.mtip[0] == 1 && l.mtip[1] == 0, "MTIP raised when mtime >= mtimecmp");
    check(aclint_ns_until_next_event(&c) == INT64_MAX, "raised timer is not a future event");
    wr(&c, MTIMECMP(0), 8, rd(&c, MTIME, 8) + 100);
    check(l.mtip[0] == 0, "moving mtimecmp ahead clears MTIP at once");
    wr(&c, MTIMECMP(0), 8, 0);
    check(l.mtip[0] == 1, "mtimecmp in the past raises MTIP at once");
    wr(&c, MTIMECMP(0), 8, UINT64_MAX);
    check(l.mtip[0] == 0, "disarm clears MTIP");
    wr(&c, MTIMECMP(1), 8, rd(&c, MTIME, 8) + 10);
    check(aclint_ns_until_next_event(&c) == 1000 - (int64_t)(now_ns % 100),
          "hart 1 timer counted");
    wr(&c, MTIME, 8, rd(&c, MTIME, 8) + 10);
    check(l.mtip[1] == 1 && l.mtip[0] == 0, "writing mtime re-evaluates MTIP");

    /* msip */
    wr(&c, MSIP(1), 4, 1);
    check(l.msip[1] == 1 && l.msip[0] == 0 && rd(&c, MSIP(1), 4) == 1, "msip raises MSIP");
    wr(&c, MSIP(1), 4, 0xfffffffe);
    check(l.msip[1] == 0 && rd(&c, MSIP(1), 4) == 0, "only bit 0 of msip is writable");
    check(rd(&c, MSIP(5), 4) == 0 && wr(&c, MSIP(5), 4, 1), "absent hart msip reads zero");

    /* access widths */
    uint64_t v;
    check(!aclint_ops.read(&c, MSIP(0), 8, &v) && !aclint_ops.read(&c, MSIP(0), 1, &v) &&
              !aclint_ops.read(&c, MTIME, 2, &v) && !aclint_ops.read(&c, MTIME + 4, 8, &v) &&
              !aclint_ops.write(&c, MTIMECMP(0) + 2, 4, 0),
          "bad widths or alignment fault");

    /* reset */
    wr(&c, MSIP(0), 4, 1);
    wr(&c, MTIMECMP(0), 8, 0);
    aclint_reset(&c);
    check(l.msip[0] == 0 && l.mtip[0] == 0 && l.mtip[1] == 0 &&
              rd(&c, MTIMECMP(0), 8) == UINT64_MAX && aclint_mtime(&c) == 0,
          "reset clears msip, disarms timers and zeroes mtime");

    /* The host clock: monotonic and at the right rate. */
    aclint h;
    aclint_init(&h, 1);
    uint64_t a = aclint_mtime(&h), b = a;
    for (int i = 0; i < 1000; i++) {
        uint64_t t = aclint_mtime(&h);
        if (t < b)
            break;
        b = t;
    }
    check(b >= a, "host mtime is monotonic");
    struct timespec ts = { 0, 2000000 };
    nanosleep(&ts, NULL);
    uint64_t d = aclint_mtime(&h) - a;
    check(d >= 20000 && d < 10000000, "host mtime advances ~10 ticks per microsecond");

    return check_done();
}
