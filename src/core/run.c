/* The run loop shared by every board: slices of guest instructions, console polling
 * between them, sleeping while the vCPUs wait for an interrupt, --max-insns, and the
 * guest's reset requests (reboot the board, or end under --no-reboot). */
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/board.h"

/* Instructions per slice: console and devices are looked at this often. */
#define SLICE_INSNS 20000
/* Longest sleep while idle, so console escapes and quit are seen promptly. */
#define IDLE_MAX_MS 100

/* An idle guest must not burn a host core: sleep until the next timer event or input. */
static void idle_wait(machine *m, const board_ops *ops, void *board)
{
    int64_t ns = ops->ns_until_event(board);
    int ms = ns >= IDLE_MAX_MS * 1000000LL ? IDLE_MAX_MS : (int)((ns + 999999) / 1000000);
    if (ms <= 0)
        return;
    console_flush(&m->con);
    if (m->con.in_fd >= 0 && !m->con.in_eof) {
        struct pollfd pfd = { .fd = m->con.in_fd, .events = POLLIN };
        poll(&pfd, 1, ms);
    } else {
        struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
    }
}

/* Run slices until the machine stops; fills res except for resets. */
static void run_until_stop(machine *m, const board_ops *ops, void *board, run_result *res)
{
    uint64_t limit = m->cfg.max_insns;
    while (!m->stop) {
        console_poll(&m->con);
        if (m->con.quit_requested) {
            machine_request_exit(m, 0);
            res->end = RUN_CONSOLE_QUIT;
            break;
        }
        ops->poll(board);
        uint64_t budget = SLICE_INSNS;
        if (limit && limit - res->insns < budget)
            budget = limit - res->insns;
        res->insns += ops->run(board, budget);
        console_flush(&m->con);
        if (limit && res->insns >= limit && !m->stop) {
            machine_request_exit(m, 124);
            res->end = RUN_INSN_LIMIT;
            break;
        }
        if (!m->stop && ops->idle(board))
            idle_wait(m, ops, board);
    }
    console_flush(&m->con);
}

static bool run_board(machine *m, const board_ops *ops, void *board, run_result *res,
                      vm_error *err)
{
    if (!ops->reset(board, err))
        return false;
    console_start(&m->con);
    bool ok = true;
    for (;;) {
        res->end = RUN_GUEST_EXIT;
        run_until_stop(m, ops, board, res);
        if (res->end != RUN_GUEST_EXIT || !m->reset_requested)
            break;
        if (m->cfg.no_reboot) {
            vm_info(&m->log, "guest requested a reset: ending the run (--no-reboot)");
            m->exit_code = 0;
            res->end = RUN_RESET_NO_REBOOT;
            break;
        }
        vm_info(&m->log, "guest requested a reset: reloading images");
        m->reset_requested = false;
        m->stop = 0;
        if (!ops->reset(board, err)) {
            ok = false;
            break;
        }
    }
    console_restore(&m->con);
    res->status = m->exit_code;
    res->pc = ops->pc(board);
    if (ok)
        vm_info(&m->log, "guest stopped after %llu instructions, exit status %d",
                (unsigned long long)res->insns, res->status);
    return ok;
}

bool machine_run(machine *m, run_result *res, vm_error *err)
{
    memset(res, 0, sizeof *res);
    const board_ops *ops = board_for_arch(m->cfg.arch);
    if (!ops) {
        vm_error_set(err, "this architecture is not implemented yet");
        return false;
    }
    bus_init(&m->bus);
    bus_init(&m->io);
    console_init(&m->con, STDIN_FILENO, STDOUT_FILENO, m->cfg.escape_char);
    bool ok = false;
    void *board = ops->create(m, err);
    if (board) {
        ok = run_board(m, ops, board, res, err);
        ops->destroy(board);
    }
    bus_destroy(&m->io);
    bus_destroy(&m->bus);
    return ok;
}
