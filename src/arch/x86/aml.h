/* An ACPI Machine Language encoder (ACPI 6.5 §20.2 "AML Grammar Definition") for the
 * board's DSDT: names, integers, strings, packages, buffers, scopes, devices and simple
 * methods, and the resource descriptors of §6.4 for _CRS. Written into a caller's buffer;
 * nested objects get their PkgLength when closed (aml_end), so callers write straight
 * through. A write past the buffer's end sets `overflow` and writes nothing more.
 *
 * Nothing here is x86-specific: it lives next to its only user until another board
 * (arm64 virt) needs ACPI too. */
#ifndef VM_X86_AML_H
#define VM_X86_AML_H

#include "core/types.h"

#define AML_MAX_DEPTH 16

/* Opcodes (ACPI 6.5 §20.3 "AML Byte Stream Byte Values") used outside aml.c. */
#define AML_STORE_OP 0x70
#define AML_RETURN_OP 0xa4
#define AML_LOCAL0_OP 0x60
#define AML_ARG0_OP 0x68

typedef struct aml {
    uint8_t *buf;
    size_t len, cap;
    bool overflow;
    size_t open[AML_MAX_DEPTH];   /* offsets where each open object's PkgLength goes */
    unsigned depth;
} aml;

void aml_init(aml *a, uint8_t *buf, size_t cap);
void aml_byte(aml *a, uint8_t b);
void aml_bytes(aml *a, const void *p, size_t n);

/* A NameString (§20.2.2): "\\_SB.PCI0", "^PICM", "_HID"; segments shorter than 4
 * characters are padded with '_'. */
void aml_name_string(aml *a, const char *path);
/* The shortest integer encoding (§20.2.3: Zero, One, Ones, Byte/Word/DWord/QWordConst). */
void aml_integer(aml *a, uint64_t v);
void aml_string(aml *a, const char *s);
/* A compressed EISA ID ("PNP0A03", §6.1.5 _HID) as a DWordConst. */
void aml_eisaid(aml *a, const char *id);
/* DefName: Name(name, <the object the caller writes next>). */
void aml_name(aml *a, const char *name);
/* A Buffer holding `n` bytes. */
void aml_buffer(aml *a, const uint8_t *data, size_t n);

/* Objects with a PkgLength, each closed by aml_end. */
void aml_scope(aml *a, const char *name);
void aml_device(aml *a, const char *name);
void aml_method(aml *a, const char *name, unsigned nargs, bool serialized);
void aml_package(aml *a, unsigned nelems);
void aml_end(aml *a);

/* Resource descriptors (§6.4) into a resource template being built with aml_init on a
 * separate buffer; aml_res_end adds the End Tag. The result goes into aml_buffer. */
void aml_res_io(aml *r, uint16_t base, uint8_t len);                  /* IO(Decode16) */
void aml_res_irq(aml *r, uint16_t mask);                               /* IRQNoFlags */
void aml_res_bus(aml *r, uint16_t min, uint16_t max);                  /* WordBusNumber */
void aml_res_io_range(aml *r, uint16_t min, uint16_t max);             /* WordIO */
void aml_res_mem32(aml *r, uint32_t min, uint32_t max);                /* DWordMemory */
void aml_res_mem64(aml *r, uint64_t min, uint64_t max);                /* QWordMemory */
void aml_res_end(aml *r);

#endif
