/* Port 92h: fast A20 line, read-back, reset on a 0 → 1 edge of bit 0 only. */
#include "dev/pc/port92.h"

#include "check.h"

static int a20 = -1;

static void a20_fn(void *opaque, unsigned irq, int level)
{
    a20 = level;
}

int main(void)
{
    static machine m;
    port92 p;
    uint64_t v = 0;
    port92_init(&p, &m, (irq_line){ .set = a20_fn });
    CHECK(a20 == 0, "A20 gate off at power-on");
    port92_ops.write(&p, 0, 1, 0x02);
    port92_ops.read(&p, 0, 1, &v);
    CHECK(a20 == 1 && v == 0x02 && !m.reset_requested, "fast A20 on, reads back, no reset");
    port92_ops.write(&p, 0, 1, 0xf3);
    CHECK(m.reset_requested, "bit 0 rising: reset");
    port92_ops.read(&p, 0, 1, &v);
    CHECK_EQ(v, 0x03, "only bits 0, 1, 3 are kept");
    m.reset_requested = false;
    port92_ops.write(&p, 0, 1, 0x03);
    CHECK(!m.reset_requested, "bit 0 held at 1: no new reset");
    port92_ops.write(&p, 0, 1, 0x00);
    CHECK(a20 == 0 && !m.reset_requested, "A20 off, bit 0 falling: no reset");
    port92_ops.read(&p, 0, 2, &v);
    CHECK_EQ(v, 0xff00, "a 16-bit read also reads the absent port 0x93 (0xFF)");
    return check_done();
}
