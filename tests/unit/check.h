/* A minimal TAP-style check harness for the unit tests: no external library.
 *
 *   CHECK(cond, name)            "ok N - name" or "not ok N - name (file:line)"
 *   CHECK_EQ(got, want, name)    the same, and on failure a "# got ..., want ..." line
 *   CHECK_STR(haystack, needle, name)  haystack contains needle
 *   return check_done();         prints "# N checks, M failed"; nonzero if any failed
 *
 * Each macro evaluates to the outcome (true = passed) so a test can stop early when a
 * later check would be meaningless. The counters are per program (one translation unit). */
#ifndef VM_TESTS_CHECK_H
#define VM_TESTS_CHECK_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int check_count_, check_failed_;

static inline bool check_report_(bool ok, const char *name, const char *file, int line)
{
    check_count_++;
    if (ok) {
        printf("ok %d - %s\n", check_count_, name);
    } else {
        check_failed_++;
        printf("not ok %d - %s (%s:%d)\n", check_count_, name, file, line);
    }
    fflush(stdout);
    return ok;
}

static inline bool check_eq_(uint64_t got, uint64_t want, const char *name, const char *file,
                             int line)
{
    bool ok = check_report_(got == want, name, file, line);
    if (!ok)
        printf("#   got 0x%" PRIx64 " (%" PRId64 "), want 0x%" PRIx64 " (%" PRId64 ")\n", got,
               (int64_t)got, want, (int64_t)want);
    return ok;
}

static inline bool check_str_(const char *hay, const char *needle, const char *name,
                              const char *file, int line)
{
    bool ok = check_report_(hay && needle && strstr(hay, needle) != NULL, name, file, line);
    if (!ok)
        printf("#   \"%s\" does not contain \"%s\"\n", hay ? hay : "(null)",
               needle ? needle : "(null)");
    return ok;
}

static inline int check_done(void)
{
    printf("# %d checks, %d failed\n", check_count_, check_failed_);
    return check_failed_ != 0;
}

#define CHECK(cond, name) check_report_(!!(cond), (name), __FILE__, __LINE__)
#define CHECK_EQ(got, want, name) \
    check_eq_((uint64_t)(got), (uint64_t)(want), (name), __FILE__, __LINE__)
#define CHECK_STR(hay, needle, name) check_str_((hay), (needle), (name), __FILE__, __LINE__)

#endif
