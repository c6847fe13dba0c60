#include "core/machine.h"

/* A process exit status has 8 bits: a nonzero guest status must never wrap to 0. */
void machine_request_exit(machine *m, int code)
{
    m->exit_code = code == 0 ? 0 : (code & 0xff) ? (code & 0xff) : 1;
    m->stop = 1;
}

void machine_request_reset(machine *m)
{
    m->reset_requested = true;
    m->stop = 1;
}
