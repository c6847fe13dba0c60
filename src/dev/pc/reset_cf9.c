/* PIIX Reset Control Register at 0xCF9, sharing 0xCF8-0xCFF with the PCI host bridge. */
#include "dev/pc/reset_cf9.h"

#define RCR_OFF (RESET_CF9_PORT - RESET_CF9_RANGE)

static bool rcr_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    reset_cf9 *r = opaque;
    if (off == RCR_OFF && size == 1) {
        *val = r->rcr;
        return true;
    }
    if (r->downstream)
        return r->downstream->read(r->downstream_opaque, off, size, val);
    *val = size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
    return true;
}

static bool rcr_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    reset_cf9 *r = opaque;
    if (off == RCR_OFF && size == 1) {
        r->rcr = (uint8_t)(val & (RESET_CF9_SYS_RST | RESET_CF9_FULL_RST));
        if ((val & RESET_CF9_RST_CPU) && r->reset)
            r->reset(r->reset_opaque);
        return true;
    }
    if (r->downstream)
        return r->downstream->write(r->downstream_opaque, off, size, val);
    return true;
}

const mmio_ops reset_cf9_ops = { .read = rcr_read, .write = rcr_write };

void reset_cf9_reset(reset_cf9 *r)
{
    r->rcr = 0;
}

void reset_cf9_init(reset_cf9 *r, reset_cf9_fn reset, void *reset_opaque,
                    const mmio_ops *downstream, void *downstream_opaque)
{
    r->reset = reset;
    r->reset_opaque = reset_opaque;
    r->downstream = downstream;
    r->downstream_opaque = downstream_opaque;
    reset_cf9_reset(r);
}
