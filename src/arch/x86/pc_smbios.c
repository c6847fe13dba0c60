/* SMBIOS structures of the PC board. References: DMTF DSP0134 3.6.0 §5.2.2 (64-bit entry
 * point), §6.1.2 (structure header), §6.1.3 (text strings), §7.1 (type 0), §7.2 (1),
 * §7.4 (3), §7.5 (4), §7.17 (16), §7.18 (17), §7.20 (19), §7.33 (32), §7.46 (127). */
#include "arch/x86/pc_smbios.h"

#include <string.h>

#include "core/bytes.h"

#define MAX_STRINGS 8

/* One structure being written: its formatted area, then its strings. */
typedef struct smbios_writer {
    uint8_t *buf;
    size_t cap, pos;
    bool overflow;
    uint16_t next_handle;
} smbios_writer;

typedef struct smbios_struct {
    uint8_t area[0x40];         /* the formatted area (its length is area[1]) */
    const char *str[MAX_STRINGS];
    unsigned nstr;
} smbios_struct;

static void start(smbios_struct *s, uint8_t type, uint8_t len, uint16_t handle)
{
    memset(s, 0, sizeof *s);
    s->area[0] = type;
    s->area[1] = len;
    le16_put(s->area + 2, handle);
}

/* §6.1.3: a string field holds the 1-based number of a string after the formatted area;
 * 0 means none. */
static uint8_t str(smbios_struct *s, const char *text)
{
    if (!text || !*text || s->nstr == MAX_STRINGS)
        return 0;
    s->str[s->nstr++] = text;
    return (uint8_t)s->nstr;
}

static void emit(smbios_writer *w, const smbios_struct *s)
{
    size_t len = s->area[1], need = len;
    for (unsigned i = 0; i < s->nstr; i++)
        need += strlen(s->str[i]) + 1;
    need += s->nstr ? 1 : 2; /* the set ends with a second NUL; no strings: two NULs */
    if (w->overflow || need > w->cap - w->pos) {
        w->overflow = true;
        return;
    }
    uint8_t *p = w->buf + w->pos;
    memcpy(p, s->area, len);
    size_t at = len;
    for (unsigned i = 0; i < s->nstr; i++) {
        size_t n = strlen(s->str[i]) + 1;
        memcpy(p + at, s->str[i], n);
        at += n;
    }
    p[at++] = 0;
    if (!s->nstr)
        p[at++] = 0;
    w->pos += at;
}

static uint16_t handle(smbios_writer *w)
{
    return w->next_handle++;
}

/* §7.1 BIOS Information (length 0x1A, SMBIOS 3.1+). */
static void bios_info(smbios_writer *w, const pc_smbios_config *cfg)
{
    smbios_struct s;
    start(&s, 0, 0x1a, handle(w));
    s.area[4] = str(&s, "vm");
    s.area[5] = str(&s, cfg->version);
    le16_put(s.area + 6, 0xe800);          /* starting segment: the last 96 KiB below 1 MiB */
    s.area[8] = str(&s, cfg->bios_date);
    s.area[9] = 0;                         /* ROM size: 64 KiB * (n + 1) */
    le64_put(s.area + 0x0a, 1u << 3);      /* "BIOS characteristics are not supported" */
    s.area[0x12] = 1u << 0;                /* extension byte 1: ACPI */
    s.area[0x13] = 1u << 4;                /* extension byte 2: a virtual machine */
    s.area[0x14] = 0;                      /* system BIOS major.minor release */
    s.area[0x15] = 1;
    s.area[0x16] = 0xff;                   /* no embedded controller */
    s.area[0x17] = 0xff;
    emit(w, &s);
}

/* §7.2 System Information (length 0x1B). UUID all zeros: "not present". */
static void system_info(smbios_writer *w, const pc_smbios_config *cfg)
{
    smbios_struct s;
    start(&s, 1, 0x1b, handle(w));
    s.area[4] = str(&s, "vm");
    s.area[5] = str(&s, "Standard PC (i440FX + PIIX)");
    s.area[6] = str(&s, cfg->version);
    s.area[0x18] = 6;                      /* wake-up type: power switch */
    s.area[0x1a] = str(&s, "vm pc");       /* family */
    emit(w, &s);
}

/* §7.4 System Enclosure (length 0x16 with no contained elements). */
static void chassis(smbios_writer *w)
{
    smbios_struct s;
    start(&s, 3, 0x16, handle(w));
    s.area[4] = str(&s, "vm");
    s.area[5] = 1;                         /* type: other */
    s.area[9] = 3;                         /* boot-up, power supply, thermal state: safe */
    s.area[0x0a] = 3;
    s.area[0x0b] = 3;
    s.area[0x0c] = 2;                      /* security status: unknown */
    emit(w, &s);
}

/* §7.5 Processor Information (length 0x30, SMBIOS 3.0). */
static void processor(smbios_writer *w, const pc_smbios_config *cfg)
{
    smbios_struct s;
    start(&s, 4, 0x30, handle(w));
    s.area[4] = str(&s, "CPU 0");
    s.area[5] = 3;                         /* central processor */
    s.area[6] = 0xfe;                      /* family: see family 2 */
    s.area[7] = str(&s, "vm");
    le32_put(s.area + 8, cfg->cpuid1_eax); /* Processor ID: CPUID.1 EAX, EDX */
    le32_put(s.area + 0x0c, cfg->cpuid1_edx);
    s.area[0x10] = str(&s, cfg->cpu_version);
    le16_put(s.area + 0x14, (uint16_t)cfg->cpu_mhz);
    le16_put(s.area + 0x16, (uint16_t)cfg->cpu_mhz);
    s.area[0x18] = 0x41;                   /* socket populated, CPU enabled */
    s.area[0x19] = 1;                      /* upgrade: other */
    le16_put(s.area + 0x1a, 0xffff);       /* no cache information structures */
    le16_put(s.area + 0x1c, 0xffff);
    le16_put(s.area + 0x1e, 0xffff);
    uint8_t n = cfg->ncpus > 255 ? 0xff : (uint8_t)cfg->ncpus;
    s.area[0x23] = n;                      /* cores, enabled cores, threads */
    s.area[0x24] = n;
    s.area[0x25] = n;
    le16_put(s.area + 0x26, 1u << 2);      /* characteristics: 64-bit capable */
    le16_put(s.area + 0x28, 1);            /* family 2: other */
    le16_put(s.area + 0x2a, (uint16_t)cfg->ncpus);
    le16_put(s.area + 0x2c, (uint16_t)cfg->ncpus);
    le16_put(s.area + 0x2e, (uint16_t)cfg->ncpus);
    emit(w, &s);
}

/* §7.17 Physical Memory Array (length 0x17), §7.18 Memory Device (length 0x28) and
 * §7.20 Memory Array Mapped Address (length 0x1F) for each RAM range. */
static void memory(smbios_writer *w, const pc_smbios_config *cfg)
{
    uint64_t total = cfg->ram_low + cfg->ram_high;
    uint64_t kib = total / 1024;
    uint16_t array = handle(w);
    smbios_struct s;
    start(&s, 16, 0x17, array);
    s.area[4] = 1;                         /* location: other */
    s.area[5] = 3;                         /* use: system memory */
    s.area[6] = 6;                         /* error correction: multi-bit ECC */
    if (kib < 0x80000000u) {
        le32_put(s.area + 7, (uint32_t)kib);
    } else {
        le32_put(s.area + 7, 0x80000000u); /* see the extended maximum capacity */
        le64_put(s.area + 0x0f, total);
    }
    le16_put(s.area + 0x0b, 0xfffe);       /* no memory error information */
    le16_put(s.area + 0x0d, 1);            /* one device */
    emit(w, &s);

    start(&s, 17, 0x28, handle(w));
    le16_put(s.area + 4, array);
    le16_put(s.area + 6, 0xfffe);
    le16_put(s.area + 8, 0xffff);          /* total and data width: unknown */
    le16_put(s.area + 0x0a, 0xffff);
    uint64_t mib = total / (1024 * 1024);
    if (mib < 0x7fff) {
        le16_put(s.area + 0x0c, (uint16_t)mib);
    } else {
        le16_put(s.area + 0x0c, 0x7fff);   /* see the extended size */
        le32_put(s.area + 0x1c, (uint32_t)(mib & 0x7fffffffu));
    }
    s.area[0x0e] = 9;                      /* form factor: DIMM */
    s.area[0x10] = str(&s, "DIMM 0");
    s.area[0x12] = 7;                      /* memory type: RAM */
    le16_put(s.area + 0x13, 1u << 1);      /* type detail: other */
    s.area[0x17] = str(&s, "vm");
    emit(w, &s);

    const struct { uint64_t base, size; } ranges[2] = {
        { 0, cfg->ram_low }, { 0x100000000ull, cfg->ram_high },
    };
    for (unsigned i = 0; i < 2; i++) {
        if (!ranges[i].size)
            continue;
        uint64_t first = ranges[i].base, last = ranges[i].base + ranges[i].size - 1;
        start(&s, 19, 0x1f, handle(w));
        if (last / 1024 < 0xffffffffu) {
            le32_put(s.area + 4, (uint32_t)(first / 1024));
            le32_put(s.area + 8, (uint32_t)(last / 1024));
        } else {                           /* the extended addresses, in bytes */
            le32_put(s.area + 4, 0xffffffffu);
            le32_put(s.area + 8, 0xffffffffu);
            le64_put(s.area + 0x0f, first);
            le64_put(s.area + 0x17, last);
        }
        le16_put(s.area + 0x0c, array);
        s.area[0x0e] = 1;                  /* partition width: one device */
        emit(w, &s);
    }
}

size_t pc_smbios_build(const pc_smbios_config *cfg, uint8_t *table, size_t cap,
                       gpa_t table_gpa, uint8_t ep[PC_SMBIOS_EP_LEN], vm_error *err)
{
    smbios_writer w = { .buf = table, .cap = cap };
    bios_info(&w, cfg);
    system_info(&w, cfg);
    chassis(&w);
    processor(&w, cfg);
    memory(&w, cfg);
    smbios_struct s;
    start(&s, 32, 0x0b, handle(&w));       /* System Boot Information: no errors */
    emit(&w, &s);
    start(&s, 127, 4, handle(&w));         /* End-of-Table */
    emit(&w, &s);
    if (w.overflow) {
        vm_error_set(err, "SMBIOS tables do not fit in %zu bytes", cap);
        return 0;
    }
    /* §5.2.2: the 64-bit entry point, version 3.0.0, entry point revision 1 */
    memset(ep, 0, PC_SMBIOS_EP_LEN);
    memcpy(ep, "_SM3_", 5);
    ep[6] = PC_SMBIOS_EP_LEN;
    ep[7] = 3;
    ep[8] = 0;
    ep[9] = 0;
    ep[10] = 1;
    le32_put(ep + 12, (uint32_t)w.pos);    /* structure table maximum size */
    le64_put(ep + 16, table_gpa);
    uint8_t sum = 0;
    for (unsigned i = 0; i < PC_SMBIOS_EP_LEN; i++)
        sum = (uint8_t)(sum + ep[i]);
    ep[5] = (uint8_t)(0x100 - sum);
    return w.pos;
}
