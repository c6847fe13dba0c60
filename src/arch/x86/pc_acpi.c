/* ACPI tables of the PC board. References: ACPI 6.0 §5.2.3.2 (Generic Address
 * Structure), §5.2.5.3 (RSDP), §5.2.6 (table header), §5.2.7 (RSDT), §5.2.8 (XSDT),
 * §5.2.9 (FADT, its flags and IA-PC boot architecture flags),
 * §5.2.10 (FACS), §5.2.12 (MADT and its entries). */
#include "arch/x86/pc_acpi.h"

#include <string.h>

#include "core/bytes.h"
#include "dev/pc/acpi_pm.h"
#include "dev/pc/reset_cf9.h"

#define HDR_LEN 36u
#define RSDP_LEN 36u
#define FACS_LEN 64u
#define FADT_LEN 276u          /* FADT revision 6 (through ACPI 6.5) */
#define FADT_REV 6
#define FADT_MINOR 5
#define MADT_REV 5             /* ACPI 6.3+: LAPIC flags bit 1 means Online Capable */

/* FADT flags (§5.2.9). */
#define FADT_WBINVD (1u << 0)
#define FADT_PROC_C1 (1u << 2)
#define FADT_SLP_BUTTON (1u << 5)    /* no fixed-feature sleep button */
#define FADT_FIX_RTC (1u << 6)       /* no RTC_STS/RTC_EN wake in PM1 */
#define FADT_RESET_REG_SUP (1u << 10)
/* IA-PC boot architecture flags (§5.2.9.3 in ACPI 6.0). */
#define BOOT_LEGACY_DEVICES (1u << 0)
#define BOOT_8042 (1u << 1)
#define BOOT_VGA_NOT_PRESENT (1u << 2)
#define BOOT_CMOS_RTC_NOT_PRESENT (1u << 5)

/* Generic Address Structure address space IDs and access sizes (§5.2.3.2). */
#define GAS_SYSTEM_IO 1
#define GAS_ACCESS_UNDEFINED 0
#define GAS_ACCESS_BYTE 1

/* MADT (§5.2.12) */
#define MADT_PCAT_COMPAT 1u
#define MADT_LAPIC 0
#define MADT_IOAPIC 1
#define MADT_ISO 2
#define MADT_LAPIC_NMI 4
#define MPS_INTI_ACTIVE_HIGH 0x1
#define MPS_INTI_LEVEL 0xc


uint8_t pc_acpi_sum(const uint8_t *p, size_t n)
{
    uint8_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = (uint8_t)(s + p[i]);
    return s;
}

void pc_acpi_default_config(pc_acpi_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->ncpus = 1;
    cfg->lapic_addr = 0xfee00000u;
    cfg->ioapic_addr = 0xfec00000u;
    cfg->ioapic_id = 0;
    cfg->pm_base = ACPI_PM_PORT;
    cfg->devices = PC_ACPI_DEV_COM1 | PC_ACPI_DEV_KBD | PC_ACPI_DEV_MOUSE | PC_ACPI_DEV_RTC |
                   PC_ACPI_DEV_PIT | PC_ACPI_DEV_PIC | PC_ACPI_DEV_PCI;
    cfg->pci_mem_base = 0xc0000000u;
    cfg->pci_mem_size = 0xfec00000u - 0xc0000000u;
    cfg->pirq_gsi[0] = 10;
    cfg->pirq_gsi[1] = 10;
    cfg->pirq_gsi[2] = 11;
    cfg->pirq_gsi[3] = 11;
}

/* §5.2.6: the header every table but the RSDP and FACS starts with. The checksum is set
 * by finish() once the body is written. */
static void header(uint8_t *p, const char *sig, uint32_t len, uint8_t rev)
{
    memcpy(p, sig, 4);
    le32_put(p + 4, len);
    p[8] = rev;
    p[9] = 0;
    memcpy(p + 10, "VM    ", 6);          /* OEMID */
    memcpy(p + 16, "VMPC    ", 8);        /* OEM Table ID */
    le32_put(p + 24, 1);                     /* OEM Revision */
    memcpy(p + 28, "VM  ", 4);            /* Creator ID */
    le32_put(p + 32, 1);                     /* Creator Revision */
}

static void finish(uint8_t *p, uint32_t len)
{
    p[9] = (uint8_t)(0x100 - pc_acpi_sum(p, len));
}

static void gas(uint8_t *p, uint8_t space, uint8_t bits, uint8_t access, uint64_t addr)
{
    p[0] = space;
    p[1] = bits;
    p[2] = 0;      /* bit offset */
    p[3] = access;
    le64_put(p + 4, addr);
}

/* A PM block: the 32-bit port field and its X_ twin agree in address and length, which
 * ACPICA checks (tbfadt.c) and warns about otherwise. */
static void pm_block(uint8_t *fadt, unsigned blk_off, unsigned len_off, unsigned x_off,
                     uint32_t port, uint8_t len)
{
    le32_put(fadt + blk_off, port);
    fadt[len_off] = len;
    gas(fadt + x_off, GAS_SYSTEM_IO, (uint8_t)(len * 8), GAS_ACCESS_UNDEFINED, port);
}

static uint16_t boot_arch(unsigned dev)
{
    uint16_t f = 0;
    if (dev & (PC_ACPI_DEV_COM1 | PC_ACPI_DEV_RTC | PC_ACPI_DEV_PIT | PC_ACPI_DEV_PIC |
               PC_ACPI_DEV_KBD))
        f |= BOOT_LEGACY_DEVICES;
    if (dev & PC_ACPI_DEV_KBD)
        f |= BOOT_8042;
    if (!(dev & PC_ACPI_DEV_VGA))
        f |= BOOT_VGA_NOT_PRESENT;
    if (!(dev & PC_ACPI_DEV_RTC))
        f |= BOOT_CMOS_RTC_NOT_PRESENT;
    return f;
}

static void build_fadt(uint8_t *p, const pc_acpi_config *cfg, gpa_t facs, gpa_t dsdt)
{
    unsigned pm = cfg->pm_base;
    memset(p, 0, FADT_LEN);
    header(p, "FACP", FADT_LEN, FADT_REV);
    /* 32-bit and 64-bit pointers both set and equal (all tables are below 4 GiB): an
     * OS reading either finds the same table. */
    le32_put(p + 36, (uint32_t)facs);           /* FIRMWARE_CTRL */
    le32_put(p + 40, (uint32_t)dsdt);           /* DSDT */
    p[45] = 0;                               /* Preferred_PM_Profile: unspecified */
    le16_put(p + 46, PC_ACPI_SCI_IRQ);          /* SCI_INT */
    /* SMI_CMD (48), ACPI_ENABLE/DISABLE: 0 — no SMM, the PM block is always in ACPI
     * mode (§4.8.2.5), acpi_pm sets SCI_EN at power-on. */
    pm_block(p, 56, 88, 148, pm + ACPI_PM_EVT_OFF, ACPI_PM_EVT_LEN);   /* PM1a_EVT */
    pm_block(p, 64, 89, 172, pm + ACPI_PM_CNT_OFF, ACPI_PM_CNT_LEN);   /* PM1a_CNT */
    pm_block(p, 76, 91, 208, pm + ACPI_PM_TMR_OFF, ACPI_PM_TMR_LEN);   /* PM_TMR */
    pm_block(p, 80, 92, 220, pm + ACPI_PM_GPE0_OFF, ACPI_PM_GPE0_LEN); /* GPE0 */
    /* Latencies above 100 / 1000 us: C2 and C3 are not supported (§5.2.9). */
    le16_put(p + 96, 0x0fff);                   /* P_LVL2_LAT */
    le16_put(p + 98, 0x0fff);                   /* P_LVL3_LAT */
    p[108] = 0x32;                           /* CENTURY: CMOS index of the century */
    le16_put(p + 109, boot_arch(cfg->devices)); /* IAPC_BOOT_ARCH */
    le32_put(p + 112, FADT_WBINVD | FADT_PROC_C1 | FADT_SLP_BUTTON | FADT_FIX_RTC |
                       FADT_RESET_REG_SUP);
    /* RESET_REG (§4.8.3.6): byte write of 6 (hard reset + RST_CPU) to port 0xCF9. */
    gas(p + 116, GAS_SYSTEM_IO, 8, GAS_ACCESS_BYTE, RESET_CF9_PORT);
    p[128] = RESET_CF9_SYS_RST | RESET_CF9_RST_CPU;   /* RESET_VALUE */
    p[131] = FADT_MINOR;
    le64_put(p + 132, facs);                    /* X_FIRMWARE_CTRL */
    le64_put(p + 140, dsdt);                    /* X_DSDT */
    finish(p, FADT_LEN);
}

/* §5.2.10: 64 bytes, 64-byte aligned; no global lock, no S4BIOS, no waking vector yet. */
static void build_facs(uint8_t *p)
{
    memset(p, 0, FACS_LEN);
    memcpy(p, "FACS", 4);
    le32_put(p + 4, FACS_LEN);
    p[32] = 2;                               /* Version */
}

static size_t madt_len(const pc_acpi_config *cfg)
{
    return HDR_LEN + 8 + 8 * cfg->ncpus + 12 + 2 * 10 + 6;
}

static void iso(uint8_t *e, uint8_t irq, uint32_t gsi, uint16_t flags)
{
    e[0] = MADT_ISO;
    e[1] = 10;
    e[2] = 0;                                /* bus: ISA */
    e[3] = irq;
    le32_put(e + 4, gsi);
    le16_put(e + 8, flags);
}

static void build_madt(uint8_t *p, const pc_acpi_config *cfg)
{
    uint32_t len = (uint32_t)madt_len(cfg);
    memset(p, 0, len);
    header(p, "APIC", len, MADT_REV);
    le32_put(p + 36, cfg->lapic_addr);
    le32_put(p + 40, (cfg->devices & PC_ACPI_DEV_PIC) ? MADT_PCAT_COMPAT : 0);
    uint8_t *e = p + 44;
    for (unsigned i = 0; i < cfg->ncpus; i++, e += 8) {
        e[0] = MADT_LAPIC;
        e[1] = 8;
        e[2] = (uint8_t)i;                   /* ACPI Processor UID */
        e[3] = (uint8_t)i;                   /* APIC ID */
        le32_put(e + 4, 1);                     /* Enabled */
    }
    e[0] = MADT_IOAPIC;
    e[1] = 12;
    e[2] = cfg->ioapic_id;
    le32_put(e + 4, cfg->ioapic_addr);
    le32_put(e + 8, 0);                         /* GSI base */
    e += 12;
    /* The PIT's IRQ0 is wired to IOAPIC pin 2 (pin 0 takes the 8259's INTR), and the SCI
     * is level-triggered, active high, as on QEMU's pc (§5.2.12.5, MPS INTI flags). */
    iso(e, 0, 2, 0);
    iso(e + 10, PC_ACPI_SCI_IRQ, PC_ACPI_SCI_IRQ, MPS_INTI_ACTIVE_HIGH | MPS_INTI_LEVEL);
    e += 20;
    /* §5.2.12.7: NMI on LINT1 of every processor (UID 0xFF), flags conforming. */
    e[0] = MADT_LAPIC_NMI;
    e[1] = 6;
    e[2] = 0xff;
    le16_put(e + 3, 0);
    e[5] = 1;
    finish(p, len);
}

static void build_rsdt_xsdt(uint8_t *rsdt, uint8_t *xsdt, const gpa_t *tables, unsigned n)
{
    uint32_t rlen = HDR_LEN + 4 * n, xlen = HDR_LEN + 8 * n;
    header(rsdt, "RSDT", rlen, 1);
    header(xsdt, "XSDT", xlen, 1);
    for (unsigned i = 0; i < n; i++) {
        le32_put(rsdt + HDR_LEN + 4 * i, (uint32_t)tables[i]);
        le64_put(xsdt + HDR_LEN + 8 * i, tables[i]);
    }
    finish(rsdt, rlen);
    finish(xsdt, xlen);
}

/* §5.2.5.3: revision 2; the first checksum covers the ACPI 1.0 part (20 bytes), the
 * extended one all 36. */
static void build_rsdp(uint8_t *p, gpa_t rsdt, gpa_t xsdt)
{
    memset(p, 0, RSDP_LEN);
    memcpy(p, "RSD PTR ", 8);
    memcpy(p + 9, "VM    ", 6);
    p[15] = 2;
    le32_put(p + 16, (uint32_t)rsdt);
    le32_put(p + 20, RSDP_LEN);
    le64_put(p + 24, xsdt);
    p[8] = (uint8_t)(0x100 - pc_acpi_sum(p, 20));
    p[32] = (uint8_t)(0x100 - pc_acpi_sum(p, RSDP_LEN));
}

static size_t align16(size_t v)
{
    return (v + 15) & ~(size_t)15;
}

bool pc_acpi_build(const pc_acpi_config *cfg, uint8_t *buf, size_t cap, gpa_t buf_gpa,
                   pc_acpi_layout *out, vm_error *err)
{
    memset(out, 0, sizeof *out);
    if (cfg->ncpus < 1 || cfg->ncpus > PC_ACPI_MAX_CPUS) {
        vm_error_set(err, "ACPI tables: %u CPUs (1-%u supported)", cfg->ncpus,
                     PC_ACPI_MAX_CPUS);
        return false;
    }
    if (buf_gpa % PC_ACPI_BUF_ALIGN || buf_gpa >= 0x100000000ull) {
        vm_error_set(err, "ACPI tables: address 0x%llx is not 64-byte aligned below 4 GiB",
                     (unsigned long long)buf_gpa);
        return false;
    }
    if (cfg->pci_mem_size && (cfg->pci_mem_base > 0xffffffffu ||
                              cfg->pci_mem_size > 0x100000000ull - cfg->pci_mem_base)) {
        vm_error_set(err, "ACPI tables: the 32-bit PCI window is not below 4 GiB");
        return false;
    }
    size_t off_facs = PC_ACPI_BUF_ALIGN, off_dsdt = off_facs + FACS_LEN;
    size_t dsdt_len = 0;
    if (cap > off_dsdt + HDR_LEN)
        dsdt_len = pc_dsdt_aml(cfg, buf + off_dsdt + HDR_LEN, cap - off_dsdt - HDR_LEN);
    size_t off_fadt = align16(off_dsdt + HDR_LEN + dsdt_len);
    size_t off_madt = align16(off_fadt + FADT_LEN);
    size_t off_rsdt = align16(off_madt + madt_len(cfg));
    size_t off_xsdt = align16(off_rsdt + HDR_LEN + 4 * 2);
    size_t end = off_xsdt + HDR_LEN + 8 * 2;
    if (!dsdt_len || end > cap) {
        vm_error_set(err, "ACPI tables: a %zu-byte buffer is too small", cap);
        return false;
    }
    if (end > 0x100000000ull - buf_gpa) {
        vm_error_set(err, "ACPI tables: 0x%llx + %zu bytes crosses 4 GiB",
                     (unsigned long long)buf_gpa, end);
        return false;
    }
    out->rsdp = (pc_acpi_table){ buf_gpa, RSDP_LEN };
    out->facs = (pc_acpi_table){ buf_gpa + off_facs, FACS_LEN };
    out->dsdt = (pc_acpi_table){ buf_gpa + off_dsdt, (uint32_t)(HDR_LEN + dsdt_len) };
    out->fadt = (pc_acpi_table){ buf_gpa + off_fadt, FADT_LEN };
    out->madt = (pc_acpi_table){ buf_gpa + off_madt, (uint32_t)madt_len(cfg) };
    out->rsdt = (pc_acpi_table){ buf_gpa + off_rsdt, HDR_LEN + 4 * 2 };
    out->xsdt = (pc_acpi_table){ buf_gpa + off_xsdt, HDR_LEN + 8 * 2 };
    out->used = end;

    memset(buf, 0, off_dsdt);
    build_facs(buf + off_facs);
    header(buf + off_dsdt, "DSDT", out->dsdt.size, 2);   /* revision 2: 64-bit integers */
    finish(buf + off_dsdt, out->dsdt.size);
    memset(buf + off_dsdt + out->dsdt.size, 0, off_fadt - off_dsdt - out->dsdt.size);
    build_fadt(buf + off_fadt, cfg, out->facs.gpa, out->dsdt.gpa);
    memset(buf + off_fadt + FADT_LEN, 0, off_madt - off_fadt - FADT_LEN);
    build_madt(buf + off_madt, cfg);
    memset(buf + off_madt + out->madt.size, 0, off_rsdt - off_madt - out->madt.size);
    /* The FADT (and through it the DSDT and FACS) and the MADT: all an OS needs. */
    const gpa_t tables[2] = { out->fadt.gpa, out->madt.gpa };
    memset(buf + off_rsdt, 0, end - off_rsdt);
    build_rsdt_xsdt(buf + off_rsdt, buf + off_xsdt, tables, 2);
    build_rsdp(buf, out->rsdt.gpa, out->xsdt.gpa);
    return true;
}
