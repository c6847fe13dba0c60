#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

#include "core/types.h"

void vm_info(const vm_log *log, const char *fmt, ...)
{
    if (!log || !log->verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("[INFO] ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void vm_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("[WARN] ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void vm_error_set(vm_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
}
