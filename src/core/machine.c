#include "core/machine.h"

void machine_request_exit(machine *m, int code)
{
    m->exit_code = code;
    m->stop = 1;
}

void machine_request_reset(machine *m)
{
    m->reset_requested = true;
    m->stop = 1;
}
