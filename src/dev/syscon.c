/* SiFive test finisher, with the command encoding of QEMU's hw/misc/sifive_test.c:
 * the low 16 bits of the value at offset 0 are the command, the high 16 the status. */
#include "dev/syscon.h"

void syscon_init(syscon *s, machine *m)
{
    s->m = m;
}

static bool syscon_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    /* QEMU accepts 2- and 4-byte accesses and reads zero. */
    if (size != 2 && size != 4)
        return false;
    *val = 0;
    return true;
}

static bool syscon_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    syscon *s = opaque;
    if (size != 2 && size != 4)
        return false;
    if (off != 0)
        return true;
    unsigned cmd = (unsigned)(val & 0xffff);
    int code = (int)((val >> 16) & 0xffff);
    switch (cmd) {
    case SYSCON_PASS:
        machine_request_exit(s->m, 0);
        break;
    case SYSCON_FAIL:
        /* A failure must never look like success: with no status given, exit 1.
         * (QEMU's default -action panic=shutdown would make it 0.) */
        machine_request_exit(s->m, code ? code : 1);
        break;
    case SYSCON_RESET:
        machine_request_reset(s->m);
        break;
    default:
        break;   /* other values are ignored, as on QEMU */
    }
    return true;
}

const mmio_ops syscon_ops = { .read = syscon_read, .write = syscon_write };
