/* Set-up logging ([INFO] lines with --verbose) and the execution trace switches. */
#ifndef VM_CORE_LOG_H
#define VM_CORE_LOG_H

#include <stdbool.h>

typedef struct vm_log {
    bool verbose;     /* --verbose: [INFO] lines per set-up step */
    bool trace_insn;  /* --trace insn: one line per executed instruction */
    bool trace_trap;  /* --trace trap: one line per exception/interrupt taken */
} vm_log;

void vm_info(const vm_log *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vm_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
