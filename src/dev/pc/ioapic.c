/* I/O APIC. Reference: Intel 82093AA I/O APIC datasheet (290566-001) §3.1 (IOREGSEL,
 * IOWIN), §3.2 (IOAPICID, IOAPICVER, IOAPICARB, IOREDTBL); the EOI register of version
 * 0x20 parts from the ICH datasheets ("EOI Register", offset 0x40). */
#include "dev/pc/ioapic.h"

#include <string.h>

#define REG_ID 0x00
#define REG_VER 0x01
#define REG_ARB 0x02
#define REG_REDIR 0x10
#define IOAPIC_VERSION ((uint32_t)(IOAPIC_PINS - 1) << 16 | 0x20)

#define RTE_DEST_LOGICAL (1ull << 11)
#define RTE_POLARITY_LOW (1ull << 13)
#define RTE_REMOTE_IRR (1ull << 14)
#define RTE_LEVEL (1ull << 15)
#define RTE_MASKED (1ull << 16)
/* Writable: vector, delivery mode, destination mode, polarity, trigger, mask, dest. */
#define RTE_WRITABLE (0xff00000000000000ull | 0x1afffull)

static void send(ioapic *io, unsigned pin)
{
    uint64_t e = io->redir[pin];
    apic_msg msg = {
        .vector = (uint8_t)e,
        .delivery_mode = (uint8_t)((e >> 8) & 7),
        .logical = (e & RTE_DEST_LOGICAL) != 0,
        .level_trigger = (e & RTE_LEVEL) != 0,
        .assert = true,
        .dest = (uint8_t)(e >> 56),
    };
    if (io->deliver)
        io->deliver(io->opaque, &msg);
}

/* Send what pin `pin` has to send now. */
static void service(ioapic *io, unsigned pin)
{
    uint64_t e = io->redir[pin];
    uint32_t bit = 1u << pin;
    if (e & RTE_MASKED)
        return;
    if (e & RTE_LEVEL) {
        /* Level: one message per assertion, then wait for the EOI (remote IRR). */
        if ((io->level & bit) && !(e & RTE_REMOTE_IRR)) {
            io->redir[pin] |= RTE_REMOTE_IRR;
            send(io, pin);
        }
    } else if (io->edge_pending & bit) {
        io->edge_pending &= ~bit;
        send(io, pin);
    }
}

void ioapic_set_irq(void *opaque, unsigned gsi, int level)
{
    ioapic *io = opaque;
    if (gsi >= IOAPIC_PINS)
        return;
    uint32_t bit = 1u << gsi;
    bool was = io->level & bit;
    if (level)
        io->level |= bit;
    else
        io->level &= ~bit;
    if (level && !was && !(io->redir[gsi] & RTE_LEVEL))
        io->edge_pending |= bit;
    service(io, gsi);
}

void ioapic_eoi(ioapic *io, int vector)
{
    for (unsigned pin = 0; pin < IOAPIC_PINS; pin++) {
        uint64_t e = io->redir[pin];
        if ((e & RTE_LEVEL) && (e & RTE_REMOTE_IRR) && (int)(e & 0xff) == vector) {
            io->redir[pin] &= ~RTE_REMOTE_IRR;
            service(io, pin);
        }
    }
}

static uint32_t reg_read(const ioapic *io, unsigned r)
{
    switch (r) {
    case REG_ID:
        return (uint32_t)(io->id & 0xf) << 24;
    case REG_VER:
        return IOAPIC_VERSION;
    case REG_ARB:
        return (uint32_t)(io->id & 0xf) << 24;
    default:
        if (r >= REG_REDIR && r < REG_REDIR + 2 * IOAPIC_PINS) {
            uint64_t e = io->redir[(r - REG_REDIR) / 2];
            return (uint32_t)(r & 1 ? e >> 32 : e);
        }
        return 0;
    }
}

static void reg_write(ioapic *io, unsigned r, uint32_t val)
{
    if (r == REG_ID) {
        io->id = (uint8_t)((val >> 24) & 0xf);
        return;
    }
    if (r < REG_REDIR || r >= REG_REDIR + 2 * IOAPIC_PINS)
        return;   /* version, arbitration and unimplemented registers are read-only */
    unsigned pin = (r - REG_REDIR) / 2;
    uint64_t e = io->redir[pin];
    uint64_t v = r & 1 ? ((uint64_t)val << 32 | (uint32_t)e) : ((e >> 32) << 32 | val);
    v = (v & RTE_WRITABLE) | (e & RTE_REMOTE_IRR);
    if (!(v & RTE_LEVEL))
        v &= ~RTE_REMOTE_IRR;   /* remote IRR is undefined for edge entries: clear it */
    io->redir[pin] = v;
    service(io, pin);
}

static bool ioapic_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    ioapic *io = opaque;
    *val = 0;
    if (off == 0x00)
        *val = io->sel;
    else if (off == 0x10)
        *val = reg_read(io, io->sel);
    return true;
}

static bool ioapic_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    ioapic *io = opaque;
    if (off == 0x00)
        io->sel = (uint8_t)val;
    else if (off == 0x10 && size >= 4)
        reg_write(io, io->sel, (uint32_t)val);
    else if (off == 0x40)
        ioapic_eoi(io, (int)(val & 0xff));
    return true;
}

const mmio_ops ioapic_ops = { .read = ioapic_read, .write = ioapic_write };

void ioapic_reset(ioapic *io)
{
    io->sel = 0;
    io->edge_pending = 0;
    for (unsigned pin = 0; pin < IOAPIC_PINS; pin++)
        io->redir[pin] = RTE_MASKED;
}

void ioapic_init(ioapic *io, uint8_t id, ioapic_deliver_fn deliver, void *opaque)
{
    memset(io, 0, sizeof *io);
    io->id = id & 0xf;
    io->deliver = deliver;
    io->opaque = opaque;
    ioapic_reset(io);
}
