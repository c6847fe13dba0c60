/* The PC board's DSDT, generated as AML. In ASL it reads:
 *
 *   Name (PICM, 0)
 *   Method (_PIC, 1) { Store (Arg0, PICM) }     // §5.8.1: the OS says PIC or APIC mode
 *   Name (_S5, Package (4) { 0, 0, 0, 0 })       // §7.4.2: SLP_TYP for soft off
 *   Scope (\_SB) {
 *     Device (PCI0) {                            // §6.1.5 _HID, §6.2.2 _CRS, §6.2.13 _PRT
 *       Name (_HID, EisaId ("PNP0A03")), Name (_UID, 0)
 *       Name (_CRS, ResourceTemplate () {
 *         WordBusNumber 0-255, IO 0xCF8/8, WordIO 0-0xCF7 and 0xD00-0xFFFF,
 *         DWordMemory (32-bit PCI window), QWordMemory (64-bit window, if any) })
 *       Name (_PRT, Package () { Package () { 0xDDDDFFFF, pin, 0, GSI }, ... })
 *       Device (ISA) {
 *         Name (_ADR, 0x00010000)                // PIIX3 at 00:01.0
 *         Device (KBD) PNP0303, Device (MOU) PNP0F13, Device (COM1) PNP0501,
 *         Device (RTC) PNP0B00, Device (TMR) PNP0100, Device (PIC) PNP0000
 *       } } }
 *
 * Generated rather than compiled from ASL with iasl: the contents depend on the board's
 * configuration (devices present, PCI windows, PIRQ routing), the build then needs no
 * ACPICA tools (cross and macOS builds stay as they are), and the encoder is small.
 * Tests disassemble the result with iasl. Without a PCI host the ISA devices sit directly
 * under \_SB. */
#include "arch/x86/aml.h"
#include "arch/x86/pc_acpi.h"
#include "dev/pc/acpi_pm.h"

/* Name (_CRS, ResourceTemplate () { ... }) from a finished resource list. */
static void crs(aml *a, aml *r)
{
    aml_res_end(r);
    if (r->overflow) {
        a->overflow = true;
        return;
    }
    aml_name(a, "_CRS");
    aml_buffer(a, r->buf, r->len);
}

static void isa_device(aml *a, const char *name, const char *hid, unsigned uid,
                       const uint16_t *io, const uint8_t *io_len, unsigned nio, int irq)
{
    uint8_t res[64];
    aml r;
    aml_init(&r, res, sizeof res);
    aml_device(a, name);
    aml_name(a, "_HID");
    aml_eisaid(a, hid);
    if (uid) {
        aml_name(a, "_UID");
        aml_integer(a, uid);
    }
    for (unsigned i = 0; i < nio; i++)
        aml_res_io(&r, io[i], io_len[i]);
    if (irq >= 0)
        aml_res_irq(&r, (uint16_t)(1u << irq));
    crs(a, &r);
    aml_end(a);
}

static void isa_devices(aml *a, unsigned dev)
{
    if (dev & PC_ACPI_DEV_KBD)
        isa_device(a, "KBD", "PNP0303", 0, (const uint16_t[]){ 0x60, 0x64 },
                   (const uint8_t[]){ 1, 1 }, 2, 1);
    if (dev & PC_ACPI_DEV_MOUSE)
        isa_device(a, "MOU", "PNP0F13", 0, NULL, NULL, 0, 12);
    if (dev & PC_ACPI_DEV_COM1)
        isa_device(a, "COM1", "PNP0501", 1, (const uint16_t[]){ 0x3f8 },
                   (const uint8_t[]){ 8 }, 1, 4);
    if (dev & PC_ACPI_DEV_RTC)
        isa_device(a, "RTC", "PNP0B00", 0, (const uint16_t[]){ 0x70 },
                   (const uint8_t[]){ 2 }, 1, 8);
    if (dev & PC_ACPI_DEV_PIT)
        isa_device(a, "TMR", "PNP0100", 0, (const uint16_t[]){ 0x40 },
                   (const uint8_t[]){ 4 }, 1, 0);
    if (dev & PC_ACPI_DEV_PIC)
        isa_device(a, "PIC", "PNP0000", 0, (const uint16_t[]){ 0x20, 0xa0 },
                   (const uint8_t[]){ 2, 2 }, 2, 2);
}

/* §6.2.13 _PRT with a zero Source: the fourth field is the GSI the pin is wired to.
 * Devices 1-31 (00.0 is the host bridge, which raises no INTx). */
static void prt(aml *a, const pc_acpi_config *cfg)
{
    aml_name(a, "_PRT");
    aml_package(a, 31 * 4);
    for (unsigned d = 1; d < 32; d++) {
        for (unsigned pin = 0; pin < 4; pin++) {
            aml_package(a, 4);
            aml_integer(a, (uint64_t)d << 16 | 0xffff);
            aml_integer(a, pin);
            aml_integer(a, 0);
            aml_integer(a, cfg->pirq_gsi[(d + pin - 1) & 3]);
            aml_end(a);
        }
    }
    aml_end(a);
}

static void pci_host(aml *a, const pc_acpi_config *cfg)
{
    uint8_t res[160];
    aml r;
    aml_init(&r, res, sizeof res);
    aml_res_bus(&r, 0, 255);
    aml_res_io(&r, 0xcf8, 8);                 /* the configuration ports: the bridge's own */
    aml_res_io_range(&r, 0x0000, 0x0cf7);
    aml_res_io_range(&r, 0x0d00, 0xffff);
    if (cfg->pci_mem_size)
        aml_res_mem32(&r, (uint32_t)cfg->pci_mem_base,
                      (uint32_t)(cfg->pci_mem_base + cfg->pci_mem_size - 1));
    if (cfg->pci_mem64_size)
        aml_res_mem64(&r, cfg->pci_mem64_base, cfg->pci_mem64_base + cfg->pci_mem64_size - 1);

    aml_device(a, "PCI0");
    aml_name(a, "_HID");
    aml_eisaid(a, "PNP0A03");
    aml_name(a, "_UID");
    aml_integer(a, 0);
    crs(a, &r);
    prt(a, cfg);
    aml_device(a, "ISA");
    aml_name(a, "_ADR");
    aml_integer(a, 0x00010000);
    isa_devices(a, cfg->devices);
    aml_end(a);
    aml_end(a);
}

size_t pc_dsdt_aml(const pc_acpi_config *cfg, uint8_t *buf, size_t cap)
{
    aml a;
    aml_init(&a, buf, cap);
    aml_name(&a, "PICM");
    aml_integer(&a, 0);
    aml_method(&a, "_PIC", 1, false);
    aml_byte(&a, AML_STORE_OP);
    aml_byte(&a, AML_ARG0_OP);
    aml_name_string(&a, "PICM");
    aml_end(&a);
    aml_name(&a, "_S5");
    aml_package(&a, 4);
    aml_integer(&a, ACPI_PM_SLP_TYP_S5);   /* PM1a_CNT.SLP_TYP */
    aml_integer(&a, ACPI_PM_SLP_TYP_S5);   /* PM1b_CNT.SLP_TYP (no PM1b block) */
    aml_integer(&a, 0);
    aml_integer(&a, 0);
    aml_end(&a);
    aml_scope(&a, "_SB");   /* \_SB; at the root iasl shortens it the same way */
    if (cfg->devices & PC_ACPI_DEV_PCI)
        pci_host(&a, cfg);
    else
        isa_devices(&a, cfg->devices);
    aml_end(&a);
    return a.overflow || a.depth ? 0 : a.len;
}
