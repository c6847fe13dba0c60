/* PCI configuration mechanism #1 and bus-0 BAR decode. References: PCI Local Bus
 * Specification 3.0 §3.2.2.3.2 (CONFIG_ADDRESS/CONFIG_DATA), §6.1-6.2.5 (header, BARs and
 * their sizing); Intel 82441FX (i440FX) and 82371SB (PIIX3) datasheets for the IDs and
 * the reset values of the two built-in functions. */
#include "dev/pci/pci_host.h"

#include <string.h>

#define CONFIG_ENABLE 0x80000000u

/* Command bits a generic function lets the guest set: I/O, memory, bus master, parity
 * error response, SERR#, interrupt disable (PCI 3.0 §6.2.2). */
#define COMMAND_WMASK 0x0547u
/* Status bits 15-11 and 8 (error reports) are write-1-to-clear (§6.2.3). */
#define STATUS_W1C 0xf900u

void pci_set_byte(pci_function *f, unsigned off, uint8_t v, uint8_t wmask)
{
    f->cfg[off & 0xff] = v;
    f->wmask[off & 0xff] = wmask;
}

void pci_set_word(pci_function *f, unsigned off, uint16_t v, uint16_t wmask)
{
    pci_set_byte(f, off, (uint8_t)v, (uint8_t)wmask);
    pci_set_byte(f, off + 1, (uint8_t)(v >> 8), (uint8_t)(wmask >> 8));
}

uint16_t pci_get_word(const pci_function *f, unsigned off)
{
    return (uint16_t)(f->cfg[off & 0xff] | f->cfg[(off + 1) & 0xff] << 8);
}

uint32_t pci_get_long(const pci_function *f, unsigned off)
{
    return (uint32_t)pci_get_word(f, off) | (uint32_t)pci_get_word(f, off + 2) << 16;
}

void pci_function_init(pci_function *f, uint16_t vendor, uint16_t device, uint8_t rev,
                       uint32_t class_code, uint8_t header_type)
{
    memset(f, 0, sizeof(*f));
    pci_set_word(f, PCI_VENDOR_ID, vendor, 0);
    pci_set_word(f, PCI_DEVICE_ID, device, 0);
    pci_set_word(f, PCI_COMMAND, 0, COMMAND_WMASK);
    pci_set_word(f, PCI_STATUS, 0, 0);
    f->w1cmask[PCI_STATUS] = (uint8_t)STATUS_W1C;
    f->w1cmask[PCI_STATUS + 1] = (uint8_t)(STATUS_W1C >> 8);
    pci_set_byte(f, PCI_REVISION, rev, 0);
    pci_set_byte(f, PCI_CLASS_PROG, (uint8_t)class_code, 0);
    pci_set_byte(f, PCI_CLASS_PROG + 1, (uint8_t)(class_code >> 8), 0);
    pci_set_byte(f, PCI_CLASS_PROG + 2, (uint8_t)(class_code >> 16), 0);
    pci_set_byte(f, PCI_HEADER_TYPE, header_type, 0);
    pci_set_byte(f, PCI_INTERRUPT_LINE, 0, 0xff);
}

void pci_function_set_bar(pci_function *f, unsigned i, uint32_t size, bool io,
                          const mmio_ops *ops, void *opaque)
{
    if (i >= PCI_NUM_BARS || size == 0 || (size & (size - 1)) != 0)
        return;
    if (size < (io ? 4u : 16u))
        size = io ? 4u : 16u;
    f->bar[i] = (struct pci_bar){ .size = size, .io = io, .ops = ops, .opaque = opaque };
    /* §6.2.5.1: the low bits hold the type (bit 0 = I/O space) and the bits below the
     * size are hardwired to 0, which is what makes the all-ones sizing write work. */
    uint32_t wmask = io ? (~(size - 1) & 0xfffcu) : (~(size - 1) & 0xfffffff0u);
    unsigned off = PCI_BAR0 + 4 * i;
    for (unsigned b = 0; b < 4; b++)
        pci_set_byte(f, off + b, b == 0 && io ? 1 : 0, (uint8_t)(wmask >> (8 * b)));
}

uint32_t pci_function_bar_base(const pci_function *f, unsigned i)
{
    if (i >= PCI_NUM_BARS)
        return 0;
    uint32_t v = pci_get_long(f, PCI_BAR0 + 4 * i);
    return f->bar[i].io ? v & ~3u : v & ~15u;
}

static void i440fx_reset(pci_function *f)
{
    pci_function_init(f, 0x8086, 0x1237, 0x02, 0x060000, 0x00);
    /* 82441FX §3.2: command reads 0006h (memory and bus-master always on). */
    pci_set_word(f, PCI_COMMAND, 0x0006, 0);
    pci_set_word(f, PCI_STATUS, 0x0280, 0);
    /* PMCCFG, DRAM control, PAM0-6, DRB, FDHC, SMRAM (0x50-0x72): stored so firmware
     * that programs them reads its values back; this board's low memory is plain RAM. */
    for (unsigned off = 0x50; off <= 0x72; off++)
        f->wmask[off] = 0xff;
}

static void piix3_isa_reset(pci_function *f)
{
    /* 82371SB §2.2: a multi-function device (the IDE and USB functions follow). */
    pci_function_init(f, 0x8086, 0x7000, 0x00, 0x060100, 0x80);
    pci_set_word(f, PCI_COMMAND, 0x0007, 0);
    pci_set_word(f, PCI_STATUS, 0x0200, 0);
    /* PIRQRC[A:D]: bit 7 = routing disabled at reset, bits 3-0 the ISA IRQ. */
    for (unsigned i = 0; i < 4; i++)
        pci_set_byte(f, 0x60 + i, 0x80, 0x8f);
}

int piix3_pirq_route(const pci_host *h, unsigned pirq)
{
    if (pirq > 3)
        return -1;
    uint8_t v = h->piix3_isa.cfg[0x60 + pirq];
    unsigned irq = v & 0x0f;
    /* §2.2.10: IRQ 0-2, 8 and 13 are reserved values. */
    if ((v & 0x80) || irq < 3 || irq == 8 || irq == 13)
        return -1;
    return (int)irq;
}

void pci_host_reset(pci_host *h)
{
    h->config_address = 0;
    i440fx_reset(&h->i440fx);
    piix3_isa_reset(&h->piix3_isa);
}

void pci_host_init(pci_host *h)
{
    memset(h, 0, sizeof(*h));
    pci_host_reset(h);
    h->fn[PCI_DEVFN(0, 0)] = &h->i440fx;
    h->fn[PCI_DEVFN(1, 0)] = &h->piix3_isa;
}

bool pci_host_add(pci_host *h, unsigned dev, unsigned fn, pci_function *f, vm_error *err)
{
    if (dev > 31 || fn > 7) {
        vm_error_set(err, "PCI slot %u.%u out of range", dev, fn);
        return false;
    }
    if (h->fn[PCI_DEVFN(dev, fn)]) {
        vm_error_set(err, "PCI slot %02x.%u is taken", dev, fn);
        return false;
    }
    h->fn[PCI_DEVFN(dev, fn)] = f;
    return true;
}

uint32_t pci_host_config_read(pci_host *h, unsigned devfn, unsigned off, unsigned size)
{
    const pci_function *f = devfn < 256 ? h->fn[devfn] : NULL;
    uint32_t v = 0;
    for (unsigned i = 0; i < size && i < 4; i++) {
        unsigned o = off + i;
        uint8_t b = (!f || o > 0xff || (o & ~3u) != (off & ~3u)) ? 0xff : f->cfg[o];
        v |= (uint32_t)b << (8 * i);
    }
    return v;
}

void pci_host_config_write(pci_host *h, unsigned devfn, unsigned off, unsigned size,
                           uint32_t val)
{
    pci_function *f = devfn < 256 ? h->fn[devfn] : NULL;
    if (!f)
        return;
    uint16_t old_cmd = pci_get_word(f, PCI_COMMAND);
    uint32_t old_bar[PCI_NUM_BARS];
    for (unsigned i = 0; i < PCI_NUM_BARS; i++)
        old_bar[i] = pci_get_long(f, PCI_BAR0 + 4 * i);
    for (unsigned i = 0; i < size && i < 4; i++) {
        unsigned o = off + i;
        if (o > 0xff || (o & ~3u) != (off & ~3u))
            break;
        uint8_t b = (uint8_t)(val >> (8 * i));
        f->cfg[o] = (uint8_t)((f->cfg[o] & ~f->wmask[o]) | (b & f->wmask[o]));
        f->cfg[o] &= (uint8_t)~(b & f->w1cmask[o]);
    }
    uint16_t cmd = pci_get_word(f, PCI_COMMAND);
    if (cmd != old_cmd && f->command_changed)
        f->command_changed(f->opaque, old_cmd, cmd);
    for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
        uint32_t v = pci_get_long(f, PCI_BAR0 + 4 * i);
        if (v != old_bar[i] && f->bar_changed)
            f->bar_changed(f->opaque, i, v);
    }
}

/* All-ones of an access's width: what a read that no device claims returns. */
static uint64_t ones(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* CONFIG_ADDRESS: bit 31 enable, 23-16 bus, 15-11 device, 10-8 function, 7-2 register.
 * Only dword accesses reach it (§3.2.2.3.2); byte and word accesses to 0xCF8-0xCFB are
 * ordinary I/O cycles that nothing here decodes, which is what Linux's pci_check_type1
 * probe (a byte write to 0xCFB, then a dword read-back) relies on. */
static bool config_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    pci_host *h = opaque;
    if (off < 4) {
        *val = (off == 0 && size == 4) ? h->config_address : ones(size);
        return true;
    }
    uint32_t a = h->config_address;
    unsigned bus_no = (a >> 16) & 0xff;
    if (!(a & CONFIG_ENABLE) || bus_no != 0) {
        *val = ones(size);
        return true;
    }
    unsigned byte = (unsigned)(off - 4), n = size > 4 - byte ? 4 - byte : size;
    /* The part of an access past 0xCFF: nothing answers. */
    *val = pci_host_config_read(h, (a >> 8) & 0xff, (a & 0xfc) + byte, n) |
           (ones(size) & ~ones(n));
    return true;
}

static bool config_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    pci_host *h = opaque;
    if (off < 4) {
        if (off == 0 && size == 4)
            h->config_address = (uint32_t)val & 0x80fffffcu;
        return true;
    }
    uint32_t a = h->config_address;
    if (!(a & CONFIG_ENABLE) || ((a >> 16) & 0xff) != 0)
        return true;
    unsigned byte = (unsigned)(off - 4);
    pci_host_config_write(h, (a >> 8) & 0xff, (a & 0xfc) + byte,
                          size > 4 - byte ? 4 - byte : size, (uint32_t)val);
    return true;
}

const mmio_ops pci_host_config_ops = { .read = config_read, .write = config_write };

/* The enabled BAR of the given space containing [addr, addr + size), or NULL. */
static const struct pci_bar *decode(const pci_host *h, bool io, uint64_t addr, unsigned size,
                                    uint64_t *rel)
{
    for (unsigned d = 0; d < 256; d++) {
        const pci_function *f = h->fn[d];
        if (!f)
            continue;
        uint16_t cmd = pci_get_word(f, PCI_COMMAND);
        if (!(cmd & (io ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY)))
            continue;
        for (unsigned i = 0; i < PCI_NUM_BARS; i++) {
            const struct pci_bar *b = &f->bar[i];
            if (!b->size || b->io != io || !b->ops)
                continue;
            uint64_t base = pci_function_bar_base(f, i);
            if (base == 0)   /* unassigned */
                continue;
            if (addr >= base && addr + size <= base + b->size) {
                *rel = addr - base;
                return b;
            }
        }
    }
    return NULL;
}

static bool window_read(const pci_host *h, bool io, uint64_t addr, unsigned size,
                        uint64_t *val)
{
    uint64_t rel = 0;
    const struct pci_bar *b = decode(h, io, addr, size, &rel);
    if (b && b->ops->read && b->ops->read(b->opaque, rel, size, val))
        return true;
    *val = ones(size);
    return true;
}

static bool window_write(const pci_host *h, bool io, uint64_t addr, unsigned size,
                         uint64_t val)
{
    uint64_t rel = 0;
    const struct pci_bar *b = decode(h, io, addr, size, &rel);
    if (b && b->ops->write)
        b->ops->write(b->opaque, rel, size, val);
    return true;
}

static bool io_window_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    const pci_host *h = opaque;
    return window_read(h, true, h->io_window_base + off, size, val);
}

static bool io_window_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    const pci_host *h = opaque;
    return window_write(h, true, h->io_window_base + off, size, val);
}

static bool mem_window_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    const pci_host *h = opaque;
    return window_read(h, false, h->mem_window_base + off, size, val);
}

static bool mem_window_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    const pci_host *h = opaque;
    return window_write(h, false, h->mem_window_base + off, size, val);
}

const mmio_ops pci_host_io_window_ops = { .read = io_window_read, .write = io_window_write };
const mmio_ops pci_host_mem_window_ops = { .read = mem_window_read, .write = mem_window_write };

bool pci_host_map(pci_host *h, bus *io, uint64_t io_base, uint64_t io_size, bus *mem,
                  uint64_t mem_base, uint64_t mem_size, vm_error *err)
{
    if (!h->config_ports_external &&
        !bus_add_mmio(io, PCI_CONFIG_PORT, PCI_CONFIG_PORTS, &pci_host_config_ops, h,
                      "pci-config", err))
        return false;
    h->io_window_base = io_base;
    h->mem_window_base = mem_base;
    if (io_size &&
        !bus_add_mmio(io, io_base, io_size, &pci_host_io_window_ops, h, "pci-io", err))
        return false;
    if (mem_size && mem &&
        !bus_add_mmio(mem, mem_base, mem_size, &pci_host_mem_window_ops, h, "pci-mem", err))
        return false;
    return true;
}
