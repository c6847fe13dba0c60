/* AML encoder. References: ACPI 6.5 §20.2.2 (name strings), §20.2.3 (data objects),
 * §20.2.4 (PkgLength), §20.2.5 (named objects: Scope, Device, Method, Name), §6.1.5
 * (EISA ID compression), §6.4 (resource descriptors). */
#include "arch/x86/aml.h"

#include <string.h>

#define ZERO_OP 0x00
#define ONE_OP 0x01
#define ONES_OP 0xff
#define BYTE_PREFIX 0x0a
#define WORD_PREFIX 0x0b
#define DWORD_PREFIX 0x0c
#define STRING_PREFIX 0x0d
#define QWORD_PREFIX 0x0e
#define NAME_OP 0x08
#define SCOPE_OP 0x10
#define BUFFER_OP 0x11
#define PACKAGE_OP 0x12
#define METHOD_OP 0x14
#define EXT_OP_PREFIX 0x5b
#define DEVICE_OP 0x82            /* after EXT_OP_PREFIX */
#define ROOT_CHAR 0x5c
#define PARENT_PREFIX 0x5e
#define DUAL_NAME_PREFIX 0x2e
#define MULTI_NAME_PREFIX 0x2f
#define NULL_NAME 0x00

void aml_init(aml *a, uint8_t *buf, size_t cap)
{
    memset(a, 0, sizeof *a);
    a->buf = buf;
    a->cap = cap;
}

void aml_bytes(aml *a, const void *p, size_t n)
{
    if (a->overflow || n > a->cap - a->len) {
        a->overflow = true;
        return;
    }
    memcpy(a->buf + a->len, p, n);
    a->len += n;
}

void aml_byte(aml *a, uint8_t b)
{
    aml_bytes(a, &b, 1);
}

static void le(aml *a, uint64_t v, unsigned n)
{
    uint8_t b[8];
    for (unsigned i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    aml_bytes(a, b, n);
}

static void name_seg(aml *a, const char *s, size_t n)
{
    char seg[4] = { '_', '_', '_', '_' };
    memcpy(seg, s, n < 4 ? n : 4);
    aml_bytes(a, seg, 4);
}

void aml_name_string(aml *a, const char *path)
{
    if (*path == '\\') {
        aml_byte(a, ROOT_CHAR);
        path++;
    }
    while (*path == '^') {
        aml_byte(a, PARENT_PREFIX);
        path++;
    }
    size_t nsegs = *path ? 1 : 0;
    for (const char *p = path; *p; p++)
        nsegs += *p == '.';
    if (nsegs == 0) {
        aml_byte(a, NULL_NAME);
        return;
    }
    if (nsegs == 2) {
        aml_byte(a, DUAL_NAME_PREFIX);
    } else if (nsegs > 2) {
        aml_byte(a, MULTI_NAME_PREFIX);
        aml_byte(a, (uint8_t)nsegs);
    }
    while (*path) {
        size_t n = strcspn(path, ".");
        name_seg(a, path, n);
        path += n + (path[n] == '.');
    }
}

void aml_integer(aml *a, uint64_t v)
{
    if (v == 0) {
        aml_byte(a, ZERO_OP);
    } else if (v == 1) {
        aml_byte(a, ONE_OP);
    } else if (v == UINT64_MAX) {
        aml_byte(a, ONES_OP);   /* all ones in a revision 2 (64-bit integer) table */
    } else if (v <= 0xff) {
        aml_byte(a, BYTE_PREFIX);
        le(a, v, 1);
    } else if (v <= 0xffff) {
        aml_byte(a, WORD_PREFIX);
        le(a, v, 2);
    } else if (v <= 0xffffffffu) {
        aml_byte(a, DWORD_PREFIX);
        le(a, v, 4);
    } else {
        aml_byte(a, QWORD_PREFIX);
        le(a, v, 8);
    }
}

void aml_string(aml *a, const char *s)
{
    aml_byte(a, STRING_PREFIX);
    aml_bytes(a, s, strlen(s) + 1);
}

static unsigned hexval(char c)
{
    return c >= '0' && c <= '9' ? (unsigned)(c - '0')
         : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
         : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) : 0;
}

/* §6.1.5: three letters of 5 bits each (A = 1), then four hex digits, in big-endian
 * bit order; the AML integer's bytes are that order as written. An ID with a zero upper
 * half ("PNP0000") is just a smaller integer, which is how iasl encodes it too. */
void aml_eisaid(aml *a, const char *id)
{
    uint32_t v = 0;
    if (strlen(id) == 7) {
        unsigned c0 = (unsigned)id[0] & 0x1f, c1 = (unsigned)id[1] & 0x1f;
        unsigned c2 = (unsigned)id[2] & 0x1f;
        v = (c0 << 2 | c1 >> 3) | ((c1 & 7) << 5 | c2) << 8 |
            (hexval(id[3]) << 4 | hexval(id[4])) << 16 |
            (hexval(id[5]) << 4 | hexval(id[6])) << 24;
    }
    aml_integer(a, v);
}

void aml_name(aml *a, const char *name)
{
    aml_byte(a, NAME_OP);
    aml_name_string(a, name);
}

static void open_pkg(aml *a)
{
    if (a->depth >= AML_MAX_DEPTH) {
        a->overflow = true;
        return;
    }
    a->open[a->depth++] = a->len;
}

/* §20.2.4: the PkgLength counts itself. One byte holds up to 63; otherwise bits 7-6 of
 * the lead byte give the number of following bytes, its bits 3-0 the low nibble. */
void aml_end(aml *a)
{
    if (a->overflow || a->depth == 0) {
        a->overflow = true;
        return;
    }
    size_t start = a->open[--a->depth];
    size_t body = a->len - start;
    unsigned n = body + 1 <= 0x3f ? 1 : body + 2 <= 0xfff ? 2 : body + 3 <= 0xfffff ? 3 : 4;
    size_t total = body + n;
    if (total > 0xfffffff || n > a->cap - a->len) {
        a->overflow = true;
        return;
    }
    memmove(a->buf + start + n, a->buf + start, body);
    uint8_t *p = a->buf + start;
    if (n == 1) {
        p[0] = (uint8_t)total;
    } else {
        p[0] = (uint8_t)((n - 1) << 6 | (total & 0xf));
        for (unsigned i = 1; i < n; i++)
            p[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
    }
    a->len += n;
}

void aml_buffer(aml *a, const uint8_t *data, size_t n)
{
    aml_byte(a, BUFFER_OP);
    open_pkg(a);
    aml_integer(a, n);
    aml_bytes(a, data, n);
    aml_end(a);
}

void aml_scope(aml *a, const char *name)
{
    aml_byte(a, SCOPE_OP);
    open_pkg(a);
    aml_name_string(a, name);
}

void aml_device(aml *a, const char *name)
{
    aml_byte(a, EXT_OP_PREFIX);
    aml_byte(a, DEVICE_OP);
    open_pkg(a);
    aml_name_string(a, name);
}

/* MethodFlags (§20.2.5.2): bits 2-0 ArgCount, bit 3 SerializeFlag, bits 7-4 SyncLevel. */
void aml_method(aml *a, const char *name, unsigned nargs, bool serialized)
{
    aml_byte(a, METHOD_OP);
    open_pkg(a);
    aml_name_string(a, name);
    aml_byte(a, (uint8_t)((nargs & 7) | (serialized ? 8 : 0)));
}

void aml_package(aml *a, unsigned nelems)
{
    aml_byte(a, PACKAGE_OP);
    open_pkg(a);
    aml_byte(a, (uint8_t)nelems);
}

/* §6.4.2.5 I/O Port Descriptor: 16-bit decode, fixed base (min = max), alignment 1. */
void aml_res_io(aml *r, uint16_t base, uint8_t len)
{
    aml_byte(r, 0x47);
    aml_byte(r, 0x01);
    le(r, base, 2);
    le(r, base, 2);
    aml_byte(r, 0x01);
    aml_byte(r, len);
}

/* §6.4.2.1 IRQ Descriptor, 2-byte form: edge-triggered, active high, exclusive. */
void aml_res_irq(aml *r, uint16_t mask)
{
    aml_byte(r, 0x22);
    le(r, mask, 2);
}

/* §6.4.3.5 Address Space Descriptors, as a bridge produces them: general flags 0x0C
 * (_MIF and _MAF fixed, positive decode, producer), granularity and translation 0. */
enum { RES_MEM = 0, RES_IO = 1, RES_BUS = 2 };

static void addr_space(aml *r, uint8_t tag, unsigned width, uint8_t type, uint8_t tflags,
                       uint64_t min, uint64_t max)
{
    aml_byte(r, tag);
    le(r, 3 + 5 * width, 2);      /* length of what follows the 3-byte header */
    aml_byte(r, type);
    aml_byte(r, 0x0c);
    aml_byte(r, tflags);
    le(r, 0, width);
    le(r, min, width);
    le(r, max, width);
    le(r, 0, width);
    le(r, max - min + 1, width);
}

void aml_res_bus(aml *r, uint16_t min, uint16_t max)
{
    addr_space(r, 0x88, 2, RES_BUS, 0, min, max);
}

/* _RNG = 3: the window covers ISA and non-ISA ranges. */
void aml_res_io_range(aml *r, uint16_t min, uint16_t max)
{
    addr_space(r, 0x88, 2, RES_IO, 0x03, min, max);
}

/* Type flags 0x01: read-write, non-cacheable (_MEM = 0). */
void aml_res_mem32(aml *r, uint32_t min, uint32_t max)
{
    addr_space(r, 0x87, 4, RES_MEM, 0x01, min, max);
}

void aml_res_mem64(aml *r, uint64_t min, uint64_t max)
{
    addr_space(r, 0x8a, 8, RES_MEM, 0x01, min, max);
}

/* §6.4.2.9 End Tag: a checksum byte of 0 means "treat as correct". */
void aml_res_end(aml *r)
{
    aml_byte(r, 0x79);
    aml_byte(r, 0x00);
}
