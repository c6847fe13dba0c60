/* The guest's serial console on the host terminal: raw mode while running (restored on
 * every exit path), an escape key (default Ctrl-A) for emulator commands, input buffered
 * for the UART, output flushed at every run-loop slice so nothing lags behind the guest. */
#ifndef VM_CORE_CONSOLE_H
#define VM_CORE_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>
#include <termios.h>

#define CONSOLE_INBUF 4096
#define CONSOLE_OUTBUF 4096

typedef struct console {
    int in_fd, out_fd;
    bool is_tty;
    bool raw_active;
    struct termios saved;
    int escape_char;       /* e.g. 0x01 for Ctrl-A; -1 disables escapes */
    bool escape_pending;
    bool in_eof;
    bool quit_requested;   /* Ctrl-A x */
    uint8_t in[CONSOLE_INBUF];
    unsigned in_head, in_tail;
    uint8_t out[CONSOLE_OUTBUF];
    unsigned out_len;
} console;

void console_init(console *c, int in_fd, int out_fd, int escape_char);
/* Put the terminal in raw mode (if stdin is a terminal) and install restore handlers. */
void console_start(console *c);
void console_restore(console *c);

/* Read whatever input is available without blocking (handles escape sequences). */
void console_poll(console *c);
bool console_has_input(const console *c);
int console_getc(console *c);              /* -1 if none */
void console_putc(console *c, uint8_t ch);
void console_flush(console *c);

/* Parse "^]", "^A", "ctrl-a", or a single character; -1 on error. "none" disables. */
int console_parse_escape(const char *s);

#endif
