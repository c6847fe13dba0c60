#include "dev/isa_debug_exit.h"

void isa_debug_exit_init(isa_debug_exit *d, machine *m)
{
    d->m = m;
}

static bool debug_exit_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    *val = 0;
    return true;
}

static bool debug_exit_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    isa_debug_exit *d = opaque;
    /* The process status keeps 8 bits; (v << 1) | 1 is odd, so it never reads as 0. */
    machine_request_exit(d->m, (int)(((val << 1) | 1) & 0xff));
    return true;
}

const mmio_ops isa_debug_exit_ops = { .read = debug_exit_read, .write = debug_exit_write };
