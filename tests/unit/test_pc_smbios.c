/* Unit tests for the PC board's SMBIOS tables (src/arch/x86/pc_smbios.c): the 64-bit
 * entry point (anchor, checksum, version, table address and size, DSP0134 §5.2.2), a
 * walk of the structure table as an OS does it (§6.1: header, formatted area, string set
 * ending in a double NUL; handles unique; End-of-Table last and exactly at the end), the
 * strings Linux prints in its "DMI:" line, the memory ranges of a guest with RAM above
 * 4 GiB and the extended fields of a very large one, and a buffer too small. */
#include <stdio.h>
#include <string.h>

#include "arch/x86/pc_smbios.h"
#include "check.h"
#include "core/bytes.h"

#define GPA 0xe0000u

typedef struct walked {
    const uint8_t *s[32];       /* structures in table order */
    unsigned n;
    bool ok;                    /* the walk ended at End-of-Table, exactly at the end */
} walked;

static walked walk(const uint8_t *t, size_t len)
{
    walked w = { .ok = false };
    size_t at = 0;
    while (at + 4 <= len && w.n < 32) {
        const uint8_t *p = t + at;
        size_t i = p[1];
        if (i < 4 || at + i + 2 > len)
            return w;
        while (at + i + 1 < len && (t[at + i] || t[at + i + 1]))
            i++;
        w.s[w.n++] = p;
        at += i + 2;
        if (p[0] == 127) {
            w.ok = at == len;
            return w;
        }
    }
    return w;
}

/* String number k (1-based) of the structure at p; "" if none. */
static const char *string_of(const uint8_t *p, unsigned k)
{
    const char *s = (const char *)p + p[1];
    if (!k)
        return "";
    while (--k) {
        if (!*s)
            return "";
        s += strlen(s) + 1;
    }
    return s;
}

static const uint8_t *find(const walked *w, uint8_t type, unsigned nth)
{
    for (unsigned i = 0; i < w->n; i++)
        if (w->s[i][0] == type && nth-- == 0)
            return w->s[i];
    return NULL;
}

static pc_smbios_config config(uint64_t low, uint64_t high)
{
    return (pc_smbios_config){ .version = "0.1.0", .bios_date = "11/29/2026",
                               .cpuid1_eax = 0x306a9, .cpuid1_edx = 0x178bfbff,
                               .cpu_version = "vm x86_64 interpreter CPU", .cpu_mhz = 1000,
                               .ncpus = 1, .ram_low = low, .ram_high = high };
}

static void entry_point_and_walk(void)
{
    pc_smbios_config cfg = config(3ull << 30, 1ull << 30);
    uint8_t t[4096], ep[PC_SMBIOS_EP_LEN];
    vm_error err = { 0 };
    size_t len = pc_smbios_build(&cfg, t, sizeof t, GPA, ep, &err);
    CHECK(len > 0 && len < sizeof t, "tables built");
    CHECK(!memcmp(ep, "_SM3_", 5), "entry point anchor _SM3_");
    uint8_t sum = 0;
    for (unsigned i = 0; i < PC_SMBIOS_EP_LEN; i++)
        sum = (uint8_t)(sum + ep[i]);
    CHECK_EQ(sum, 0, "entry point checksum");
    CHECK_EQ(ep[6], 24, "entry point length");
    CHECK(ep[7] == 3 && ep[8] == 0 && ep[10] == 1, "version 3.0, entry point revision 1");
    CHECK_EQ(le32_get(ep + 12), len, "maximum structure table size = the table");
    CHECK_EQ(le64_get(ep + 16), GPA, "structure table address");

    walked w = walk(t, len);
    CHECK(w.ok, "walk ends at End-of-Table exactly at the end");
    static const uint8_t order[] = { 0, 1, 3, 4, 16, 17, 19, 19, 32, 127 };
    bool types = w.n == sizeof order;
    for (unsigned i = 0; types && i < w.n; i++)
        types = w.s[i][0] == order[i];
    CHECK(types, "types 0 1 3 4 16 17 19 19 32 127");
    bool unique = true;
    for (unsigned i = 0; i < w.n; i++)
        for (unsigned j = i + 1; j < w.n; j++)
            unique &= le16_get(w.s[i] + 2) != le16_get(w.s[j] + 2);
    CHECK(unique, "handles unique");

    /* Linux's line: "DMI: <sys vendor> <product>, BIOS <version> <date>" */
    const uint8_t *b = find(&w, 0, 0), *sys = find(&w, 1, 0), *cpu = find(&w, 4, 0);
    CHECK(b && !strcmp(string_of(b, b[4]), "vm") && !strcmp(string_of(b, b[5]), "0.1.0") &&
              !strcmp(string_of(b, b[8]), "11/29/2026"), "BIOS vendor, version, date");
    CHECK(b && b[1] == 0x1a && b[0x13] == 0x10, "BIOS: 3.1 length, virtual machine bit");
    CHECK(sys && !strcmp(string_of(sys, sys[4]), "vm") &&
              !strcmp(string_of(sys, sys[5]), "Standard PC (i440FX + PIIX)"),
          "system manufacturer and product");
    CHECK(cpu && le32_get(cpu + 8) == 0x306a9 && le32_get(cpu + 12) == 0x178bfbff &&
              !strcmp(string_of(cpu, cpu[0x10]), "vm x86_64 interpreter CPU") &&
              le16_get(cpu + 0x16) == 1000 && cpu[0x18] == 0x41,
          "processor ID, version, speed, status");

    const uint8_t *arr = find(&w, 16, 0), *dev = find(&w, 17, 0);
    CHECK(arr && le32_get(arr + 7) == 4u << 20 && le16_get(arr + 0x0d) == 1,
          "memory array: 4 GiB, one device");
    CHECK(dev && le16_get(dev + 4) == le16_get(arr + 2) && le16_get(dev + 0x0c) == 4096,
          "memory device: in the array, 4096 MiB");
    const uint8_t *m0 = find(&w, 19, 0), *m1 = find(&w, 19, 1);
    CHECK(m0 && le32_get(m0 + 4) == 0 && le32_get(m0 + 8) == (3u << 20) - 1,
          "mapped range 0 - 3 GiB (KiB units, inclusive end)");
    CHECK(m1 && le32_get(m1 + 4) == 4u << 20 && le32_get(m1 + 8) == (5u << 20) - 1,
          "mapped range 4 GiB - 5 GiB");
    const uint8_t *end = find(&w, 127, 0);
    CHECK(end && end[1] == 4 && !end[4] && !end[5], "End-of-Table: length 4, no strings");
}

static void huge_memory(void)
{
    /* 3 GiB + 8 TiB: sizes beyond the 32-bit KiB fields use the extended ones */
    pc_smbios_config cfg = config(3ull << 30, 8ull << 40);
    uint8_t t[4096], ep[PC_SMBIOS_EP_LEN];
    vm_error err = { 0 };
    size_t len = pc_smbios_build(&cfg, t, sizeof t, GPA, ep, &err);
    walked w = walk(t, len);
    CHECK(len && w.ok, "8 TiB: tables walk");
    const uint8_t *arr = find(&w, 16, 0), *dev = find(&w, 17, 0), *m1 = find(&w, 19, 1);
    uint64_t total = (3ull << 30) + (8ull << 40);
    CHECK(arr && le32_get(arr + 7) == 0x80000000u && le64_get(arr + 0x0f) == total,
          "8 TiB: array uses the extended maximum capacity");
    CHECK(dev && le16_get(dev + 0x0c) == 0x7fff && le32_get(dev + 0x1c) == total >> 20,
          "8 TiB: device uses the extended size");
    CHECK(m1 && le32_get(m1 + 4) == 0xffffffffu && le64_get(m1 + 0x0f) == 1ull << 32 &&
              le64_get(m1 + 0x17) == (1ull << 32) + (8ull << 40) - 1,
          "8 TiB: high range in extended byte addresses");
}

static void too_small(void)
{
    pc_smbios_config cfg = config(128ull << 20, 0);
    uint8_t t[64], ep[PC_SMBIOS_EP_LEN];
    vm_error err = { 0 };
    CHECK_EQ(pc_smbios_build(&cfg, t, sizeof t, GPA, ep, &err), 0, "64-byte buffer: refused");
    CHECK(strstr(err.msg, "do not fit") != NULL, "64-byte buffer: error says why");
    uint8_t big[4096];
    size_t len = pc_smbios_build(&cfg, big, sizeof big, GPA, ep, &err);
    walked w = walk(big, len);
    CHECK(w.ok && find(&w, 19, 0) && !find(&w, 19, 1), "128 MiB: one mapped range");
}

int main(void)
{
    entry_point_and_walk();
    huge_memory();
    too_small();
    return check_done();
}
