/* The x86 PC board: life cycle, memory map and devices (see pc.h for the map). */
#include "arch/x86/pc.h"

#include <stdlib.h>
#include <string.h>

#include "core/board.h"

static void add_map(pc_board *pc, uint64_t base, uint64_t len, uint32_t type)
{
    if (len && pc->nmap < PC_MAX_MAP)
        pc->map[pc->nmap++] = (e820_entry){ base, len, type };
}

static bool add_memory(pc_board *pc, vm_error *err)
{
    machine *m = pc->m;
    bus *b = &m->bus;
    uint64_t size = m->cfg.ram_size;
    if (size < 2 * MiB) {
        vm_error_set(err, "--memory %llu KiB: the pc board needs at least 2 MiB",
                     (unsigned long long)(size / KiB));
        return false;
    }
    pc->ram_low = size < PC_PCI_HOLE ? size : PC_PCI_HOLE;
    pc->ram_high = size - pc->ram_low;
    if (!bus_add_ram(b, 0, PC_LOW_RAM_END, "ram-low", err) ||
        !bus_add_ram(b, PC_HIGH_RAM_BASE, pc->ram_low - PC_HIGH_RAM_BASE, "ram", err))
        return false;
    if (pc->ram_high && !bus_add_ram(b, PC_4G, pc->ram_high, "ram-above-4g", err))
        return false;
    add_map(pc, 0, PC_LOW_RAM_END, E820_RAM);
    add_map(pc, PC_HIGH_RAM_BASE, pc->ram_low - PC_HIGH_RAM_BASE, E820_RAM);
    add_map(pc, PC_4G, pc->ram_high, E820_RAM);
    return true;
}

/* Port 0x80 (POST codes): Linux writes it as an I/O delay (outb_p); nothing to do. */
static bool port80_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    (void)opaque;
    (void)off;
    *val = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
    return true;
}

static bool port80_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    (void)opaque;
    (void)off;
    (void)size;
    (void)val;
    return true;
}

static const mmio_ops port80_ops = { port80_read, port80_write };

/* The CD-ROM's image: --cdrom, else an ISO given as --kernel (booted from its files and
 * attached, so the installer finds its packages as on a real machine). */
static bool attach_cdrom(pc_board *pc, vm_error *err)
{
    machine *m = pc->m;
    atapi_cdrom_init(&pc->cdrom);
    const char *path = m->cfg.cdrom;
    const char *why = "--cdrom";
    if (!path && pc->kernel_is_iso) {
        path = m->cfg.kernel;
        why = "--kernel is an ISO image";
    }
    if (!path)
        return true;
    cd_media media;
    if (!cd_image_open(&pc->cd_img, path, &media, err))
        return false;
    pc->has_cd = true;
    pc->cd_path = path;
    atapi_cdrom_set_media(&pc->cdrom, &media);
    piix_ide_attach_cdrom(&pc->ide, 1, 0, &pc->cdrom);
    vm_info(&m->log, "CD-ROM: %s (%llu MiB) on the secondary IDE master (%s)", path,
            (unsigned long long)(media.size / MiB), why);
    return true;
}

/* ACPI S5 (soft off: SLP_EN with pc_dsdt.c's \_S5 SLP_TYP): the guest powered off.
 * No other sleep state is advertised. */
static void pm_sleep(void *opaque, unsigned sstate)
{
    pc_board *pc = opaque;
    if (sstate == 5)
        machine_request_exit(pc->m, 0);
}

static void cf9_reset(void *opaque)
{
    machine_request_reset(((pc_board *)opaque)->m);
}

static bool add_devices(pc_board *pc, vm_error *err)
{
    machine *m = pc->m;
    bus *io = &m->io, *mem = &m->bus;
    irq_line none = { 0 };
    i8254_init(&pc->pit, pc_clock_ns, pc, pc_isa_irq(pc, 0));
    mc146818_init(&pc->rtc, pc_clock_ns, pc, NULL, NULL, pc_isa_irq(pc, 8));
    i8042_init(&pc->kbc, m, pc_isa_irq(pc, 1), pc_isa_irq(pc, 12), none);
    port92_init(&pc->p92, m, none);
    uart16550_init(&pc->com1, &m->con, pc_isa_irq(pc, PC_COM1_IRQ));
    isa_debug_exit_init(&pc->debug_exit, m);
    acpi_pm_init(&pc->pm, pc_clock_ns, pc, pc_isa_irq(pc, ACPI_PM_SCI_IRQ), pm_sleep, pc);
    /* 0xCF9 sits inside the PCI configuration ports: the reset register passes the rest
     * of 0xCF8-0xCFF on to the host bridge (so pci_host_map's own ports are not used). */
    reset_cf9_init(&pc->cf9, cf9_reset, pc, &pci_host_config_ops, &pc->pci);
    pci_host_init(&pc->pci);
    pc->pci.io_window_base = PC_PCI_IO_BASE;
    piix_ide_init(&pc->ide, mem, pc_isa_irq(pc, IDE_PRIMARY_IRQ),
                  pc_isa_irq(pc, IDE_SECONDARY_IRQ));
    return bus_add_mmio(io, I8259_MASTER_PORT, I8259_PORTS, &i8259_master_ops, &pc->pic,
                        "pic-master", err) &&
           bus_add_mmio(io, I8259_SLAVE_PORT, I8259_PORTS, &i8259_slave_ops, &pc->pic,
                        "pic-slave", err) &&
           bus_add_mmio(io, I8259_ELCR_PORT, I8259_ELCR_PORTS, &i8259_elcr_ops, &pc->pic,
                        "elcr", err) &&
           bus_add_mmio(io, I8254_PORT, I8254_PORTS, &i8254_ops, &pc->pit, "pit", err) &&
           bus_add_mmio(io, I8254_PORT61, I8254_PORT61_PORTS, &i8254_port61_ops, &pc->pit,
                        "port61", err) &&
           bus_add_mmio(io, I8042_DATA_PORT, 1, &i8042_data_ops, &pc->kbc, "i8042-data", err) &&
           bus_add_mmio(io, I8042_CMD_PORT, 1, &i8042_cmd_ops, &pc->kbc, "i8042-cmd", err) &&
           bus_add_mmio(io, MC146818_PORT, MC146818_PORTS, &mc146818_ops, &pc->rtc, "rtc",
                        err) &&
           bus_add_mmio(io, PC_PORT80, 1, &port80_ops, pc, "port80", err) &&
           bus_add_mmio(io, PORT92_PORT, 1, &port92_ops, &pc->p92, "port92", err) &&
           bus_add_mmio(io, ISA_DEBUG_EXIT_PORT, ISA_DEBUG_EXIT_SIZE, &isa_debug_exit_ops,
                        &pc->debug_exit, "isa-debug-exit", err) &&
           bus_add_mmio(io, PC_COM1_PORT, 8, &uart16550_ops, &pc->com1, "com1", err) &&
           piix_ide_register(&pc->ide, &pc->pci, io, err) &&
           bus_add_mmio(io, RESET_CF9_RANGE, RESET_CF9_RANGE_PORTS, &reset_cf9_ops, &pc->cf9,
                        "pci-config+cf9", err) &&
           bus_add_mmio(io, PC_PCI_IO_BASE, PC_PCI_IO_SIZE, &pci_host_io_window_ops, &pc->pci,
                        "pci-io", err) &&
           bus_add_mmio(io, ACPI_PM_PORT, ACPI_PM_PORTS, &acpi_pm_ops, &pc->pm, "acpi-pm", err) &&
           bus_add_mmio(mem, IOAPIC_DEFAULT_BASE, IOAPIC_MMIO_SIZE, &ioapic_ops, &pc->ioapic,
                        "ioapic", err) &&
           bus_add_mmio(mem, LAPIC_DEFAULT_BASE, LAPIC_MMIO_SIZE, &lapic_ops, &pc->apic,
                        "lapic", err) &&
           attach_cdrom(pc, err);
}

static void pc_destroy(void *board)
{
    pc_board *pc = board;
    if (pc->has_cd)
        cd_image_close(&pc->cd_img);
    x86_cpu_destroy(&pc->cpu);
    free(pc);
}

static void *pc_create(machine *m, vm_error *err)
{
    pc_board *pc = calloc(1, sizeof *pc);
    if (!pc) {
        vm_error_set(err, "out of memory");
        return NULL;
    }
    pc->m = m;
    if (!x86_cpu_init(&pc->cpu, m, err)) {
        free(pc);
        return NULL;
    }
    pc_cpu_hooks_init(pc);
    pc_irq_init(pc);
    pc->kernel_is_iso = m->cfg.kernel && pc_probe_iso(m->cfg.kernel);
    if (!add_memory(pc, err) || !add_devices(pc, err)) {
        pc_destroy(pc);
        return NULL;
    }
    mc146818_set_ram_size(&pc->rtc, pc->ram_low, pc->ram_high);
    vm_info(&m->log, "RAM: 0x0-0x%llx, 0x%llx-0x%llx%s (%llu MiB)",
            (unsigned long long)PC_LOW_RAM_END, (unsigned long long)PC_HIGH_RAM_BASE,
            (unsigned long long)pc->ram_low, pc->ram_high ? " and above 4 GiB" : "",
            (unsigned long long)(m->cfg.ram_size / MiB));
    for (int i = 0; i < m->io.count; i++)
        vm_info(&m->log, "I/O ports: 0x%04llx-0x%04llx %s",
                (unsigned long long)m->io.regions[i].base,
                (unsigned long long)(m->io.regions[i].base + m->io.regions[i].size - 1),
                m->io.regions[i].name);
    vm_info(&m->log, "IOAPIC at 0x%x (ISA IRQ n on pin n, IRQ0 on pin 2), local APIC at 0x%x "
                     "(LINT0 = 8259 ExtINT), TSC and APIC bus %llu MHz (CPUID 0x15/0x16)",
            IOAPIC_DEFAULT_BASE, LAPIC_DEFAULT_BASE,
            (unsigned long long)(PC_TSC_HZ / 1000000));
    return pc;
}

/* What firmware leaves on a PCI PC: the IDE function's bus-master BAR assigned and I/O
 * and bus mastering enabled (SeaBIOS's pci_setup does the same on QEMU). */
static void pci_firmware_setup(pc_board *pc)
{
    unsigned devfn = PCI_DEVFN(PIIX_IDE_DEV, PIIX_IDE_FN);
    pci_host_config_write(&pc->pci, devfn, PCI_BAR0 + 4 * PIIX_IDE_BMDMA_BAR, 4,
                          PC_IDE_BMDMA_BASE);
    uint16_t cmd = (uint16_t)pci_host_config_read(&pc->pci, devfn, PCI_COMMAND, 2);
    pci_host_config_write(&pc->pci, devfn, PCI_COMMAND, 2,
                          cmd | PCI_COMMAND_IO | PCI_COMMAND_MASTER);
}

static bool pc_reset(void *board, vm_error *err)
{
    pc_board *pc = board;
    lapic_reset(&pc->apic, true);
    ioapic_reset(&pc->ioapic);
    i8259_reset(&pc->pic);
    i8254_reset(&pc->pit);
    mc146818_reset(&pc->rtc);
    i8042_reset(&pc->kbc);
    port92_reset(&pc->p92);
    acpi_pm_reset(&pc->pm);
    reset_cf9_reset(&pc->cf9);
    uart16550_reset(&pc->com1);
    pci_host_reset(&pc->pci);
    piix_ide_reset(&pc->ide);
    pci_firmware_setup(pc);
    if (!pc_load_images(pc, err))
        return false;
    pc_irq_sync(pc);
    return true;
}

static void pc_poll(void *board)
{
    pc_board *pc = board;
    uart16550_poll(&pc->com1);
    i8254_update(&pc->pit);
    mc146818_update(&pc->rtc);
    lapic_update(&pc->apic);
    acpi_pm_update(&pc->pm);
}

static uint64_t pc_run(void *board, uint64_t budget)
{
    return x86_cpu_run(&((pc_board *)board)->cpu, budget);
}

static bool pc_idle(void *board)
{
    return ((pc_board *)board)->cpu.halted;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static int64_t pc_ns_until_event(void *board)
{
    pc_board *pc = board;
    int64_t ns = min64(i8254_ns_until_event(&pc->pit), mc146818_ns_until_event(&pc->rtc));
    return min64(min64(ns, lapic_ns_until_event(&pc->apic)), acpi_pm_ns_until_event(&pc->pm));
}

static uint64_t pc_pc(void *board)
{
    return ((pc_board *)board)->cpu.rip;
}

const board_ops x86_pc_board = {
    .name = "pc",
    .arch = ARCH_X86_64,
    .create = pc_create,
    .reset = pc_reset,
    .poll = pc_poll,
    .run = pc_run,
    .idle = pc_idle,
    .ns_until_event = pc_ns_until_event,
    .pc = pc_pc,
    .destroy = pc_destroy,
};
