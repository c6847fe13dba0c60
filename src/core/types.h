/* Basic types shared by every layer: guest addresses have their own names so a
 * guest-physical address is never confused with a guest-virtual one or a host pointer. */
#ifndef VM_CORE_TYPES_H
#define VM_CORE_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Guest RAM and guest-format fields are moved to and from host integers with memcpy, so
 * the host must be little-endian like every guest we model (x86_64 and aarch64 hosts are). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "vm needs a little-endian host"
#endif

typedef uint64_t gpa_t; /* guest-physical address */
typedef uint64_t gva_t; /* guest-virtual address */

#define KiB (1024ULL)
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Error text buffer filled by library code; only main() prints it. */
#define VM_ERR_LEN 512
typedef struct vm_error {
    char msg[VM_ERR_LEN];
} vm_error;

void vm_error_set(vm_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
