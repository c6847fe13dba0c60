#include "core/console.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The terminal state to restore from a signal handler or atexit(). This is the one piece
 * of process-wide state: a terminal belongs to the process, not to a machine. */
static struct {
    int fd;
    bool active;
    struct termios saved;
} term_restore = { -1, false, { 0 } };

static void restore_terminal(void)
{
    if (term_restore.active) {
        tcsetattr(term_restore.fd, TCSAFLUSH, &term_restore.saved);
        term_restore.active = false;
    }
}

static void on_fatal_signal(int sig)
{
    restore_terminal();
    signal(sig, SIG_DFL);
    raise(sig);
}

void console_init(console *c, int in_fd, int out_fd, int escape_char)
{
    memset(c, 0, sizeof *c);
    c->in_fd = in_fd;
    c->out_fd = out_fd;
    c->escape_char = escape_char;
    c->is_tty = in_fd >= 0 && isatty(in_fd);
}

void console_start(console *c)
{
    if (c->in_fd >= 0) {
        int fl = fcntl(c->in_fd, F_GETFL);
        if (fl >= 0 && !c->is_tty)
            fcntl(c->in_fd, F_SETFL, fl | O_NONBLOCK);
    }
    if (!c->is_tty || tcgetattr(c->in_fd, &c->saved) != 0)
        return;
    struct termios raw = c->saved;
    /* Everything goes to the guest: no echo, no line editing, no signals from ^C/^Z. */
    raw.c_iflag &= ~(unsigned)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    raw.c_oflag |= OPOST | ONLCR;
    raw.c_lflag &= ~(unsigned)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
    raw.c_cflag &= ~(unsigned)(CSIZE | PARENB);
    raw.c_cflag |= CS8;
    raw.c_cc[VMIN] = 0;
    raw.c_cc[VTIME] = 0;
    term_restore.fd = c->in_fd;
    term_restore.saved = c->saved;
    if (tcsetattr(c->in_fd, TCSAFLUSH, &raw) != 0)
        return;
    term_restore.active = true;
    c->raw_active = true;
    static bool handlers_installed;
    if (!handlers_installed) {
        handlers_installed = true;
        atexit(restore_terminal);
        int sigs[] = { SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
        for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
            signal(sigs[i], on_fatal_signal);
    }
}

void console_restore(console *c)
{
    console_flush(c);
    if (c->raw_active) {
        restore_terminal();
        c->raw_active = false;
    }
}

static void push_input(console *c, uint8_t ch)
{
    unsigned next = (c->in_tail + 1) % CONSOLE_INBUF;
    if (next == c->in_head)
        return; /* full: cannot happen, console_poll reads only what fits */
    c->in[c->in_tail] = ch;
    c->in_tail = next;
}

static void write_all(int fd, const void *buf, size_t len)
{
    const uint8_t *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN) {
                struct pollfd pfd = { .fd = fd, .events = POLLOUT };
                poll(&pfd, 1, 100);
                continue;
            }
            return; /* the terminal went away: drop output, keep the guest running */
        }
        p += n;
        len -= (size_t)n;
    }
}

static void show_escape_help(console *c)
{
    char buf[256];
    int e = c->escape_char;
    char key[8];
    if (e < 0x20)
        snprintf(key, sizeof key, "C-%c", e + '@');
    else
        snprintf(key, sizeof key, "%c", e);
    int n = snprintf(buf, sizeof buf,
                     "\r\n%s h    print this help\r\n%s x    exit the emulator\r\n"
                     "%s %s  send the escape key to the guest\r\n",
                     key, key, key, key);
    console_flush(c);
    write_all(c->out_fd, buf, (size_t)n);
}

static void handle_input_byte(console *c, uint8_t ch)
{
    if (c->escape_char >= 0 && c->is_tty) {
        if (c->escape_pending) {
            c->escape_pending = false;
            if (ch == 'x' || ch == 'X') {
                c->quit_requested = true;
                return;
            }
            if (ch == 'h' || ch == 'H' || ch == '?') {
                show_escape_help(c);
                return;
            }
            if (ch == c->escape_char) {
                push_input(c, ch);
                return;
            }
            return; /* unknown escape: swallowed, as QEMU does */
        }
        if (ch == c->escape_char) {
            c->escape_pending = true;
            return;
        }
    }
    push_input(c, ch);
}

void console_poll(console *c)
{
    if (c->in_fd < 0 || c->in_eof)
        return;
    unsigned used = (c->in_tail + CONSOLE_INBUF - c->in_head) % CONSOLE_INBUF;
    unsigned room = CONSOLE_INBUF - 1 - used;
    if (room == 0)
        return;
    struct pollfd pfd = { .fd = c->in_fd, .events = POLLIN };
    if (poll(&pfd, 1, 0) <= 0)
        return;
    uint8_t buf[256];
    if (room > sizeof buf)
        room = sizeof buf;
    ssize_t n = read(c->in_fd, buf, room);
    if (n == 0) {
        c->in_eof = true;
        return;
    }
    for (ssize_t i = 0; i < n; i++)
        handle_input_byte(c, buf[i]);
}

bool console_has_input(const console *c)
{
    return c->in_head != c->in_tail;
}

int console_getc(console *c)
{
    if (c->in_head == c->in_tail)
        return -1;
    int ch = c->in[c->in_head];
    c->in_head = (c->in_head + 1) % CONSOLE_INBUF;
    return ch;
}

void console_putc(console *c, uint8_t ch)
{
    c->out[c->out_len++] = ch;
    if (c->out_len == CONSOLE_OUTBUF)
        console_flush(c);
}

void console_flush(console *c)
{
    if (c->out_len == 0)
        return;
    if (c->out_fd >= 0)
        write_all(c->out_fd, c->out, c->out_len);
    c->out_len = 0;
}

int console_parse_escape(const char *s)
{
    if (!s || !*s)
        return -1;
    if (strcasecmp(s, "none") == 0)
        return -2;
    if (s[0] == '^' && s[1] && !s[2]) {
        int ch = toupper((unsigned char)s[1]);
        if (ch < '@' || ch > '_')
            return -1;
        return ch - '@';
    }
    if (strncasecmp(s, "ctrl-", 5) == 0 && s[5] && !s[6]) {
        int ch = toupper((unsigned char)s[5]);
        if (ch < '@' || ch > '_')
            return -1;
        return ch - '@';
    }
    if (!s[1])
        return (unsigned char)s[0];
    return -1;
}
