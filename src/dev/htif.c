#include "dev/htif.h"

#include <string.h>

#define HTIF_SYS_WRITE 64
#define HTIF_WRITE_MAX (1u << 20)   /* bytes served per SYS_write */

void htif_init(htif *h, machine *m, const file_buf *program)
{
    memset(h, 0, sizeof *h);
    h->m = m;
    uint64_t to, from;
    if (program && elf_find_symbol(program, "tohost", &to) &&
        elf_find_symbol(program, "fromhost", &from)) {
        h->tohost = to;
        h->fromhost = from;
    }
}

/* riscv-tests convention: tohost = (n << 1) | 1 ends the run, 0 = pass, n = test n failed. */
static void serve_exit(htif *h, uint64_t payload)
{
    uint64_t status = payload >> 1;
    machine_request_exit(h->m, status == 0 ? 0 : (status & 0xff) ? (int)(status & 0xff) : 1);
}

/* Syscall proxy: payload points at {which, arg0, arg1, arg2}; only SYS_write to fd 1/2. */
static void serve_syscall(htif *h, uint64_t payload)
{
    bus *b = &h->m->bus;
    uint64_t blk[4] = { 0 };
    if (bus_copy_from_ram(b, payload, blk, sizeof blk) && blk[0] == HTIF_SYS_WRITE &&
        (blk[1] == 1 || blk[1] == 2)) {
        uint64_t len = blk[3] > HTIF_WRITE_MAX ? HTIF_WRITE_MAX : blk[3];
        uint64_t i;
        for (i = 0; i < len; i++) {
            uint64_t ch;
            if (!bus_read(b, blk[2] + i, 1, &ch))
                break;
            console_putc(&h->m->con, (uint8_t)ch);
        }
        bus_copy_to_ram(b, payload, &i, sizeof i);
    }
    bus_write(b, h->fromhost, 8, 1);
}

void htif_poll(htif *h)
{
    bus *b = &h->m->bus;
    uint64_t cmd;
    if (!h->tohost || !bus_read(b, h->tohost, 8, &cmd) || cmd == 0)
        return;
    bus_write(b, h->tohost, 8, 0);
    uint64_t device = cmd >> 56, command = (cmd >> 48) & 0xff;
    uint64_t payload = cmd & ((1ULL << 56) - 1);
    if (device == 0 && (payload & 1))
        serve_exit(h, payload);
    else if (device == 0)
        serve_syscall(h, payload);
    else if (device == 1 && command == 1) {
        console_putc(&h->m->con, (uint8_t)payload);
        bus_write(b, h->fromhost, 8, (1ULL << 56) | (1ULL << 48));
    }
}
