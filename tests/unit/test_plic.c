/* PLIC: priorities, threshold, per-context enables, claim/complete, level re-pending. */
#include "dev/plic.h"

#include <stdio.h>

#include "check.h"

/* check(ok, name): one TAP line; check.h counts and reports the file:line of failures. */
#define check(ok, name) CHECK(ok, name)

/* Output recorder: level[ctx] and how many times each output was driven. */
typedef struct outputs {
    int level[PLIC_MAX_CONTEXTS];
    int sets[PLIC_MAX_CONTEXTS];
} outputs;

static void out_set(void *opaque, unsigned irq, int level)
{
    outputs *o = opaque;
    o->level[irq] = level;
    o->sets[irq]++;
}

static uint32_t rd(plic *p, uint64_t off)
{
    uint64_t v = 0xdeadbeef;
    if (!plic_ops.read(p, off, 4, &v))
        return 0xffffffffu;
    return (uint32_t)v;
}

static void wr(plic *p, uint64_t off, uint32_t v)
{
    plic_ops.write(p, off, 4, v);
}

#define NDEV (PLIC_VIRT_NDEV - 1)   /* as the virt board: ids 1..95 */
#define PRIO(src) (4u * (src))
#define PENDING(w) (0x1000u + 4u * (w))
#define ENABLE(ctx, w) (0x2000u + 0x80u * (ctx) + 4u * (w))
#define THRESHOLD(ctx) (0x200000u + 0x1000u * (ctx))
#define CLAIM(ctx) (0x200004u + 0x1000u * (ctx))

static void setup(plic *p, outputs *o, unsigned nharts)
{
    *o = (outputs){ 0 };
    plic_init(p, nharts, NDEV);
    for (unsigned c = 0; c < 2 * nharts; c++)
        plic_connect_context(p, c, (irq_line){ .set = out_set, .opaque = o, .irq = c });
}

int main(void)
{
    static plic p;   /* large: keep it off the stack */
    outputs o;

    check(!plic_init(&p, 0, 96) && !plic_init(&p, PLIC_MAX_HARTS + 1, 96) &&
              !plic_init(&p, 1, 0) && !plic_init(&p, 1, PLIC_MAX_SOURCES),
          "init rejects bad hart/source counts");

    setup(&p, &o, 1);
    check(o.sets[0] == 1 && o.sets[1] == 1 && o.level[0] == 0 && o.level[1] == 0,
          "connecting a context drives its output low");

    /* Registers */
    wr(&p, PRIO(0), 5);
    check(rd(&p, PRIO(0)) == 0, "source 0 priority is hardwired to 0");
    wr(&p, PRIO(7), 0xff);
    check(rd(&p, PRIO(7)) == PLIC_PRIO_MASK, "priority keeps only the implemented bits");
    wr(&p, PRIO(7), 0);
    wr(&p, ENABLE(1, 0), 0xffffffff);
    check(rd(&p, ENABLE(1, 0)) == 0xfffffffe, "source 0 has no enable bit");
    wr(&p, ENABLE(1, 2), 0xffffffff);
    wr(&p, ENABLE(1, 3), 0xffffffff);
    check(rd(&p, ENABLE(1, 2)) == 0xffffffff && rd(&p, ENABLE(1, 3)) == 0,
          "enable bits up to ndev only");
    wr(&p, ENABLE(1, 0), 0);
    wr(&p, ENABLE(1, 2), 0);
    plic q;
    plic_init(&q, 1, 40);
    plic_ops.write(&q, ENABLE(0, 1), 4, 0xffffffff);
    uint64_t e;
    plic_ops.read(&q, ENABLE(0, 1), 4, &e);
    check(e == 0x1ff, "enable word holding ndev is masked past it");
    uint64_t v;
    check(!plic_ops.read(&p, PRIO(1), 1, &v) && !plic_ops.read(&p, PRIO(1), 8, &v) &&
              !plic_ops.write(&p, PRIO(1), 2, 1) && !plic_ops.read(&p, PRIO(1) + 2, 4, &v),
          "non-32-bit or misaligned accesses fault");
    check(rd(&p, THRESHOLD(5)) == 0 && rd(&p, CLAIM(5)) == 0,
          "absent contexts read as zero");

    /* Pending without enable: visible, no output. */
    wr(&p, PRIO(5), 1);
    plic_set_irq(&p, 5, 1);
    check(rd(&p, PENDING(0)) == (1u << 5), "asserted source is pending");
    check(o.level[0] == 0 && o.level[1] == 0, "pending but not enabled: no output");
    wr(&p, PENDING(0), 0);
    check(rd(&p, PENDING(0)) == (1u << 5), "pending bits are read-only");

    /* Enable in S-mode context only. */
    wr(&p, ENABLE(1, 0), 1u << 5);
    check(o.level[1] == 1 && o.level[0] == 0, "enabled in S context: SEIP only");

    /* Threshold: interrupts need priority strictly above it. */
    wr(&p, THRESHOLD(1), 1);
    check(rd(&p, THRESHOLD(1)) == 1 && o.level[1] == 0, "threshold = priority masks it");
    check(rd(&p, CLAIM(1)) == 0, "claim below threshold returns 0");
    wr(&p, THRESHOLD(1), 0);
    check(o.level[1] == 1, "lowering the threshold raises the output again");

    /* Claim / complete with the level still asserted. */
    check(rd(&p, CLAIM(1)) == 5, "claim returns the pending source");
    check(rd(&p, PENDING(0)) == 0 && o.level[1] == 0, "claim clears pending and the output");
    check(rd(&p, CLAIM(1)) == 0, "second claim returns 0");
    plic_set_irq(&p, 5, 1);
    check(rd(&p, PENDING(0)) == 0, "no new request while the source is in service");
    wr(&p, CLAIM(1), 5);
    check(rd(&p, PENDING(0)) == (1u << 5) && o.level[1] == 1,
          "complete re-pends a still-asserted level source");

    /* Claim, deassert, complete: stays quiet. */
    check(rd(&p, CLAIM(1)) == 5, "claim again");
    plic_set_irq(&p, 5, 0);
    wr(&p, CLAIM(1), 5);
    check(rd(&p, PENDING(0)) == 0 && o.level[1] == 0, "complete after deassert: idle");

    /* Deassert before claim withdraws the request. */
    plic_set_irq(&p, 5, 1);
    check(o.level[1] == 1, "reasserted");
    plic_set_irq(&p, 5, 0);
    check(rd(&p, PENDING(0)) == 0 && o.level[1] == 0, "deassert before claim withdraws it");

    /* Priority order and ties. */
    setup(&p, &o, 1);
    wr(&p, PRIO(3), 2);
    wr(&p, PRIO(7), 5);
    wr(&p, PRIO(2), 5);
    wr(&p, PRIO(40), 7);
    wr(&p, ENABLE(1, 0), (1u << 2) | (1u << 3) | (1u << 7));
    wr(&p, ENABLE(1, 1), 1u << (40 - 32));
    plic_set_irq(&p, 3, 1);
    plic_set_irq(&p, 7, 1);
    plic_set_irq(&p, 2, 1);
    plic_set_irq(&p, 40, 1);
    check(rd(&p, PENDING(1)) == 1u << 8, "pending word 1 holds source 40");
    uint32_t c1 = rd(&p, CLAIM(1));
    uint32_t c2 = rd(&p, CLAIM(1));
    uint32_t c3 = rd(&p, CLAIM(1));
    uint32_t c4 = rd(&p, CLAIM(1));
    check(c1 == 40, "highest priority claimed first (source 40 in word 1)");
    check(c2 == 2 && c3 == 7, "equal priorities: lowest id first");
    check(c4 == 3, "then the lowest priority");
    check(rd(&p, CLAIM(1)) == 0 && o.level[1] == 0, "all claimed: output low");
    wr(&p, PRIO(2), 0);
    wr(&p, CLAIM(1), 2);
    check(rd(&p, PENDING(0)) == (1u << 2) && o.level[1] == 0,
          "priority 0 source pends but never interrupts");

    /* M and S contexts are separate. */
    setup(&p, &o, 1);
    wr(&p, PRIO(10), 1);
    wr(&p, PRIO(11), 1);
    wr(&p, ENABLE(0, 0), 1u << 10);
    wr(&p, ENABLE(1, 0), 1u << 11);
    plic_set_irq(&p, 10, 1);
    check(o.level[0] == 1 && o.level[1] == 0, "M-enabled source raises MEIP only");
    check(rd(&p, CLAIM(1)) == 0, "S context cannot claim an M-only source");
    plic_set_irq(&p, 11, 1);
    check(o.level[1] == 1, "S-enabled source raises SEIP");
    check(rd(&p, CLAIM(0)) == 10 && rd(&p, CLAIM(1)) == 11, "each context claims its own");
    wr(&p, CLAIM(1), 10);
    check(rd(&p, PENDING(0)) == 0, "complete of a source not enabled there is ignored");
    wr(&p, CLAIM(0), 10);
    check(rd(&p, PENDING(0)) == (1u << 10) && o.level[0] == 1,
          "complete in the right context re-pends");
    wr(&p, THRESHOLD(0), 7);
    check(o.level[0] == 0 && o.level[1] == 0, "M threshold does not affect S");

    /* Second hart: contexts 2 (M) and 3 (S). */
    setup(&p, &o, 2);
    wr(&p, PRIO(1), 3);
    wr(&p, ENABLE(3, 0), 1u << 1);
    plic_set_irq(&p, 1, 1);
    check(o.level[3] == 1 && o.level[0] == 0 && o.level[1] == 0 && o.level[2] == 0,
          "hart 1 S context only");
    check(rd(&p, CLAIM(3)) == 1 && o.level[3] == 0, "hart 1 S claim");

    /* Sources outside 1..ndev are ignored. */
    setup(&p, &o, 1);
    plic_set_irq(&p, 0, 1);
    plic_set_irq(&p, NDEV + 1, 1);
    plic_set_irq(&p, 5000, 1);
    check(rd(&p, PENDING(0)) == 0 && rd(&p, PENDING(3)) == 0, "source 0 and > ndev ignored");

    /* Reset keeps asserted levels pending but clears configuration. */
    wr(&p, PRIO(4), 1);
    wr(&p, ENABLE(1, 0), 1u << 4);
    plic_set_irq(&p, 4, 1);
    check(o.level[1] == 1, "before reset");
    plic_reset(&p);
    check(o.level[1] == 0 && rd(&p, PRIO(4)) == 0 && rd(&p, PENDING(0)) == (1u << 4),
          "reset clears config, keeps the asserted source pending");

    /* Output is only re-driven on change. */
    setup(&p, &o, 1);
    int before = o.sets[1];
    wr(&p, PRIO(9), 1);
    wr(&p, PRIO(9), 1);
    check(o.sets[1] == before, "no redundant output updates");

    return check_done();
}
