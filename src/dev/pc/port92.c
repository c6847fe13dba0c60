/* Port 92h. Reference: Intel 82371AB (PIIX4) datasheet, "Port 92h (System Control)"
 * (ALT_RST: 0 → 1 pulses INIT/reset; ALT_A20 ORed with the keyboard controller's A20). */
#include "dev/pc/port92.h"

#include "dev/pc/isa_port.h"

#define P92_RESET 0x01
#define P92_A20 0x02
#define P92_LOCK 0x08

static uint8_t read8(void *opaque, unsigned port)
{
    return ((port92 *)opaque)->val;
}

static void write8(void *opaque, unsigned port, uint8_t v)
{
    port92 *p = opaque;
    uint8_t old = p->val;
    p->val = v & (P92_RESET | P92_A20 | P92_LOCK);
    if ((v & P92_A20) != (old & P92_A20))
        irq_set(&p->a20, (v & P92_A20) != 0);
    if ((v & P92_RESET) && !(old & P92_RESET) && p->m)
        machine_request_reset(p->m);
}

static bool p92_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    isa_port_read(opaque, off, size, val, 1, read8);
    return true;
}

static bool p92_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    isa_port_write(opaque, off, size, val, 1, write8);
    return true;
}

const mmio_ops port92_ops = { .read = p92_read, .write = p92_write };

void port92_reset(port92 *p)
{
    p->val = 0;
    irq_set(&p->a20, 0);
}

void port92_init(port92 *p, machine *m, irq_line a20)
{
    p->m = m;
    p->a20 = a20;
    port92_reset(p);
}
