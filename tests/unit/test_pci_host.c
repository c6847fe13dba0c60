/* PCI configuration mechanism #1 through the I/O port bus: Linux's type-1 probe,
 * enumeration of bus 0 (i440FX, PIIX3 ISA, PIIX3 IDE, a test function), absent functions
 * and buses, byte/word accesses at 0xCFC-0xCFF, read-only and write-1-to-clear bits, BAR
 * sizing for I/O and memory BARs, BAR decode through the windows, callbacks, PIRQ routes. */
#include "dev/ata/piix_ide.h"
#include "dev/pci/pci_host.h"

#include "check.h"

static bus io, mem;

static uint32_t in(unsigned port, unsigned size)
{
    uint64_t v = 0;
    if (!bus_read(&io, port, size, &v))
        return 0xdeadbeef;
    return (uint32_t)v;
}

static void out(unsigned port, unsigned size, uint32_t v)
{
    bus_write(&io, port, size, v);
}

static uint32_t cfg_read(unsigned devfn, unsigned off, unsigned size)
{
    out(0xcf8, 4, 0x80000000u | devfn << 8 | (off & 0xfc));
    return in(0xcfc + (off & 3), size);
}

static void cfg_write(unsigned devfn, unsigned off, unsigned size, uint32_t v)
{
    out(0xcf8, 4, 0x80000000u | devfn << 8 | (off & 0xfc));
    out(0xcfc + (off & 3), size, v);
}

/* A memory-BAR test device: 4 KiB of registers that remember the last access. */
static uint64_t last_off, last_val;
static unsigned last_bar = 99, cmd_changes;
static uint32_t last_bar_val;

static bool tdev_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    last_off = off;
    *val = 0x1234;
    return true;
}

static bool tdev_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    last_off = off;
    last_val = val;
    return true;
}

static const mmio_ops tdev_ops = { .read = tdev_read, .write = tdev_write };

static void bar_cb(void *opaque, unsigned i, uint32_t v)
{
    last_bar = i;
    last_bar_val = v;
}

static void cmd_cb(void *opaque, uint16_t old, uint16_t v)
{
    cmd_changes++;
}

int main(void)
{
    static pci_host h;
    static piix_ide ide;
    static pci_function tdev;
    vm_error err;
    bus_init(&io);
    bus_init(&mem);
    CHECK(bus_add_ram(&mem, 0, 1 * MiB, "ram", &err), "RAM");
    pci_host_init(&h);
    piix_ide_init(&ide, &mem, (irq_line){ 0 }, (irq_line){ 0 });
    CHECK(pci_host_map(&h, &io, 0x1000, 0xf000, &mem, 0xe0000000u, 0x10000000u, &err),
          "config ports and windows mapped");
    CHECK(piix_ide_register(&ide, &h, &io, &err), "IDE at 01.1 with legacy ports");
    pci_function_init(&tdev, 0x1af4, 0x1234, 3, 0xff0000, 0);
    pci_function_set_bar(&tdev, 0, 4096, false, &tdev_ops, NULL);
    pci_function_set_bar(&tdev, 2, 32, true, &tdev_ops, NULL);
    tdev.bar_changed = bar_cb;
    tdev.command_changed = cmd_cb;
    CHECK(pci_host_add(&h, 3, 0, &tdev, &err), "test device at 03.0");
    CHECK(!pci_host_add(&h, 3, 0, &tdev, &err), "slot taken");
    CHECK(!pci_host_add(&h, 32, 0, &tdev, &err), "slot out of range");

    /* Linux arch/x86/pci/direct.c pci_check_type1. */
    out(0xcfb, 1, 0x01);
    uint32_t saved = in(0xcf8, 4);
    out(0xcf8, 4, 0x80000000u);
    CHECK_EQ(in(0xcf8, 4), 0x80000000u, "type-1 probe: CONFIG_ADDRESS reads back");
    out(0xcf8, 4, saved);
    CHECK_EQ(in(0xcf8, 4), saved, "restored");
    CHECK_EQ(in(0xcfa, 2), 0xffff, "a word access to 0xCFA is not CONFIG_ADDRESS");
    out(0xcf8, 4, 0x7ffffffe);
    CHECK_EQ(in(0xcf8, 4), 0x00fffffc, "reserved bits 30-24 and 1-0 read 0");

    /* Enumeration. */
    CHECK_EQ(cfg_read(PCI_DEVFN(0, 0), 0, 4), 0x12378086, "00.0 i440FX");
    CHECK_EQ(cfg_read(PCI_DEVFN(0, 0), 8, 4) >> 8, 0x060000, "00.0 class host bridge");
    CHECK_EQ(cfg_read(PCI_DEVFN(1, 0), 0, 4), 0x70008086, "01.0 PIIX3 ISA");
    CHECK_EQ(cfg_read(PCI_DEVFN(1, 0), 0x0e, 1), 0x80, "01.0 is multi-function");
    CHECK_EQ(cfg_read(PCI_DEVFN(1, 0), 8, 4) >> 8, 0x060100, "01.0 class ISA bridge");
    CHECK_EQ(cfg_read(PCI_DEVFN(1, 1), 0, 4), 0x70108086, "01.1 PIIX3 IDE");
    CHECK_EQ(cfg_read(PCI_DEVFN(1, 1), 8, 4) >> 8, 0x010180, "01.1 IDE, legacy, bus master");
    CHECK_EQ(cfg_read(PCI_DEVFN(1, 2), 0, 4), 0xffffffffu, "01.2 absent: all-ones");
    CHECK_EQ(cfg_read(PCI_DEVFN(2, 0), 0, 2), 0xffff, "02.0 absent");
    unsigned found = 0;
    for (unsigned d = 0; d < 256; d++)
        found += cfg_read(d, 0, 2) != 0xffff;
    CHECK_EQ(found, 4, "a scan of bus 0 finds four functions");
    out(0xcf8, 4, 0x80010000u);
    CHECK_EQ(in(0xcfc, 4), 0xffffffffu, "bus 1: nothing");
    out(0xcf8, 4, 0x00000000u);
    CHECK_EQ(in(0xcfc, 4), 0xffffffffu, "enable bit clear: nothing");

    /* Byte and word accesses inside the data dword. */
    CHECK_EQ(cfg_read(PCI_DEVFN(0, 0), 2, 2), 0x1237, "word at 0xCFE: device id");
    CHECK_EQ(cfg_read(PCI_DEVFN(0, 0), 1, 1), 0x80, "byte at 0xCFD");
    CHECK_EQ(cfg_read(PCI_DEVFN(0, 0), 3, 1), 0x12, "byte at 0xCFF");
    {
        uint64_t w = 0;
        pci_host_config_ops.read(&h, 7, 2, &w);
        CHECK_EQ(w, 0xff12, "word at 0xCFF: the part past 0xCFF floats");
    }

    /* Read-only IDs, write-1-to-clear status. */
    cfg_write(PCI_DEVFN(3, 0), 0, 4, 0);
    CHECK_EQ(cfg_read(PCI_DEVFN(3, 0), 0, 4), 0x12341af4, "vendor/device read-only");
    tdev.cfg[PCI_STATUS + 1] = 0xf9;
    cfg_write(PCI_DEVFN(3, 0), PCI_STATUS, 2, 0x2000);
    CHECK_EQ(cfg_read(PCI_DEVFN(3, 0), PCI_STATUS, 2), 0xd900, "status bit 13 cleared by 1");
    cfg_write(PCI_DEVFN(3, 0), PCI_INTERRUPT_LINE, 1, 11);
    CHECK_EQ(cfg_read(PCI_DEVFN(3, 0), PCI_INTERRUPT_LINE, 1), 11, "interrupt line writable");

    /* BAR sizing. */
    cfg_write(PCI_DEVFN(3, 0), 0x10, 4, 0xffffffffu);
    CHECK_EQ(cfg_read(PCI_DEVFN(3, 0), 0x10, 4), 0xfffff000u, "memory BAR 4 KiB sizing");
    CHECK(last_bar == 0 && last_bar_val == 0xfffff000u, "BAR callback saw the change");
    cfg_write(PCI_DEVFN(3, 0), 0x18, 4, 0xffffffffu);
    CHECK_EQ(cfg_read(PCI_DEVFN(3, 0), 0x18, 4), 0x0000ffe1u, "I/O BAR 32 ports sizing");
    CHECK_EQ(cfg_read(PCI_DEVFN(3, 0), 0x14, 4), 0, "unimplemented BAR reads 0");
    cfg_write(PCI_DEVFN(3, 0), 0x14, 4, 0xffffffffu);
    CHECK_EQ(cfg_read(PCI_DEVFN(3, 0), 0x14, 4), 0, "... and sizes to 0");
    cfg_write(PCI_DEVFN(1, 1), 0x20, 4, 0xffffffffu);
    CHECK_EQ(cfg_read(PCI_DEVFN(1, 1), 0x20, 4), 0x0000fff1u, "PIIX IDE BAR4: 16 I/O ports");
    cfg_write(PCI_DEVFN(1, 1), 0x10, 4, 0xffffffffu);
    CHECK_EQ(cfg_read(PCI_DEVFN(1, 1), 0x10, 4), 0, "PIIX IDE BAR0 absent (legacy mode)");

    /* BAR decode. */
    cfg_write(PCI_DEVFN(3, 0), 0x10, 4, 0xe0001000u);
    cfg_write(PCI_DEVFN(3, 0), 0x18, 4, 0x2000);
    uint64_t v = 0;
    CHECK(bus_read(&mem, 0xe0001010u, 4, &v) && v == 0xffffffffu,
          "memory decode off: master abort");
    cfg_write(PCI_DEVFN(3, 0), PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
    CHECK_EQ(cmd_changes, 1, "command callback");
    CHECK(bus_read(&mem, 0xe0001010u, 4, &v) && v == 0x1234 && last_off == 0x10,
          "memory BAR decoded at its base");
    CHECK(bus_read(&mem, 0xe0002000u, 4, &v) && v == 0xffffffffu, "past the BAR: nothing");
    CHECK(bus_read(&mem, 0xe0001ffeu, 4, &v) && v == 0xffffffffu,
          "an access straddling the BAR end is not claimed");
    CHECK_EQ(in(0x2004, 1), 0xff, "I/O BAR with I/O decode off");
    cfg_write(PCI_DEVFN(3, 0), PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
    out(0x2004, 2, 0xbeef);
    CHECK(last_off == 4 && last_val == 0xbeef, "I/O BAR write decoded");
    cfg_write(PCI_DEVFN(3, 0), 0x18, 4, 0x3000);
    out(0x3008, 1, 0x5a);
    CHECK(last_off == 8 && last_val == 0x5a, "BAR moved: decoded at the new base");
    CHECK_EQ(in(0x2004, 1), 0xff, "old base no longer decoded");

    /* PIIX IDE BMDMA at an assigned BAR4. */
    cfg_write(PCI_DEVFN(1, 1), 0x20, 4, 0xc000);
    out(0xc004, 4, 0x12345);
    CHECK_EQ(in(0xc004, 4), 0x12344, "BMDMA PRD register through BAR4 (dword aligned)");
    CHECK_EQ(ide.ch[0].bm_prd, 0x12344, "reached the primary channel");
    out(0xc00c, 4, 0x8000);
    CHECK_EQ(ide.ch[1].bm_prd, 0x8000, "secondary channel at +8");

    /* PIRQ routing registers. */
    CHECK_EQ(cfg_read(PCI_DEVFN(1, 0), 0x60, 4), 0x80808080u, "PIRQRC reset: disabled");
    CHECK(piix3_pirq_route(&h, 0) == -1, "PIRQA not routed");
    cfg_write(PCI_DEVFN(1, 0), 0x60, 1, 0x0b);
    cfg_write(PCI_DEVFN(1, 0), 0x63, 1, 0x7a);
    CHECK(piix3_pirq_route(&h, 0) == 11, "PIRQA → IRQ11");
    CHECK_EQ(cfg_read(PCI_DEVFN(1, 0), 0x63, 1), 0x0a, "reserved bits 6-4 read 0");
    CHECK(piix3_pirq_route(&h, 3) == 10, "PIRQD → IRQ10");
    cfg_write(PCI_DEVFN(1, 0), 0x61, 1, 0x02);
    CHECK(piix3_pirq_route(&h, 1) == -1, "IRQ2 is reserved");
    CHECK(piix3_pirq_route(&h, 7) == -1, "no PIRQ 7");
    pci_host_reset(&h);
    CHECK_EQ(cfg_read(PCI_DEVFN(1, 0), 0x60, 1), 0x80, "reset restores the routing");
    CHECK_EQ(cfg_read(PCI_DEVFN(1, 1), 0, 4), 0x70108086, "added functions stay on the bus");

    /* Direct configuration cycles and bounds. */
    CHECK_EQ(pci_host_config_read(&h, 300, 0, 4), 0xffffffffu, "devfn out of range");
    CHECK_EQ(pci_host_config_read(&h, 0, 0xfe, 4), 0xffff0000u | pci_get_word(&h.i440fx, 0xfe),
             "access cut at the end of its dword");
    pci_host_config_write(&h, 0, 0x59, 1, 0x33);
    CHECK_EQ(pci_host_config_read(&h, 0, 0x59, 1), 0x33, "i440FX PAM0 stored");

    /* Garbage: no crash. */
    uint32_t x = 12345;
    for (int i = 0; i < 100000; i++) {
        x = x * 1103515245u + 12345u;
        unsigned port = 0xcf8 + ((x >> 8) & 7), size = 1u << ((x >> 12) & 3);
        if (size == 8)
            size = 4;
        if ((x >> 20) & 1)
            out(port, size, x ^ (x << 7));
        else
            (void)in(port, size);
    }
    CHECK(true, "100000 random accesses to 0xCF8-0xCFF");
    bus_destroy(&io);
    bus_destroy(&mem);
    return check_done();
}
