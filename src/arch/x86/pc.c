/* The x86 PC board: memory map, port I/O devices, firmware ROM and Multiboot boot. */
#include "arch/x86/pc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/cpu.h"
#include "core/board.h"
#include "dev/isa_debug_exit.h"
#include "dev/uart16550.h"
#include "load/loader.h"
#include "load/multiboot.h"

#define PC_MAX_MAP 8

typedef struct pc_board {
    machine *m;
    x86_cpu cpu;
    uart16550 com1;
    isa_debug_exit debug_exit;
    uint64_t ram_low;               /* bytes of RAM below the PCI hole (from 0) */
    uint64_t ram_high;              /* bytes of RAM from 4 GiB */
    gpa_t rom_base;                 /* 0 = no firmware ROM */
    mb_mem_range map[PC_MAX_MAP];   /* the e820 map the guest is told */
    size_t nmap;
} pc_board;

static void add_map(pc_board *pc, uint64_t base, uint64_t len, uint32_t type)
{
    if (len && pc->nmap < PC_MAX_MAP)
        pc->map[pc->nmap++] = (mb_mem_range){ base, len, type };
}

/* COM1's interrupt goes to IRQ 4 of the (future) PIC; nothing listens yet. */
static void irq_unconnected(void *opaque, unsigned irq, int level)
{
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
    add_map(pc, 0, PC_LOW_RAM_END, MB_MEM_AVAILABLE);
    add_map(pc, PC_HIGH_RAM_BASE, pc->ram_low - PC_HIGH_RAM_BASE, MB_MEM_AVAILABLE);
    add_map(pc, PC_4G, pc->ram_high, MB_MEM_AVAILABLE);
    return true;
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
    uart16550_init(&pc->com1, &m->con, (irq_line){ irq_unconnected, pc, PC_COM1_IRQ });
    isa_debug_exit_init(&pc->debug_exit, m);
    if (!add_memory(pc, err) ||
        !bus_add_mmio(&m->io, PC_COM1_PORT, 8, &uart16550_ops, &pc->com1, "com1", err) ||
        !bus_add_mmio(&m->io, ISA_DEBUG_EXIT_PORT, ISA_DEBUG_EXIT_SIZE, &isa_debug_exit_ops,
                      &pc->debug_exit, "isa-debug-exit", err)) {
        x86_cpu_destroy(&pc->cpu);
        free(pc);
        return NULL;
    }
    vm_info(&m->log, "RAM: 0x0-0x%llx, 0x%llx-0x%llx%s (%llu MiB)",
            (unsigned long long)PC_LOW_RAM_END, (unsigned long long)PC_HIGH_RAM_BASE,
            (unsigned long long)pc->ram_low, pc->ram_high ? " and above 4 GiB" : "",
            (unsigned long long)(m->cfg.ram_size / MiB));
    for (int i = 0; i < m->io.count; i++)
        vm_info(&m->log, "I/O ports: 0x%03llx-0x%03llx %s",
                (unsigned long long)m->io.regions[i].base,
                (unsigned long long)(m->io.regions[i].base + m->io.regions[i].size - 1),
                m->io.regions[i].name);
    return pc;
}

/* A firmware image (QEMU's -bios convention): it ends at 4 GiB, so its last 16 bytes
 * hold the reset vector (SDM Vol.3 §9.1.4: the first instruction is fetched at
 * 0xFFFFFFF0), and its last 128 KiB also appear at 0xE0000 for real-mode code that far
 * jumps into the F000 segment. The ROM regions are mapped once, at the first boot. */
static bool load_rom(pc_board *pc, const file_buf *f, vm_error *err)
{
    machine *m = pc->m;
    if (f->size > PC_ROM_MAX) {
        vm_error_set(err, "%s: firmware image of %zu KiB is larger than the %llu MiB ROM",
                     f->path, (size_t)(f->size / KiB), (unsigned long long)(PC_ROM_MAX / MiB));
        return false;
    }
    uint64_t rom_size = (f->size + 0xfff) & ~0xfffULL;
    gpa_t base = PC_4G - rom_size;
    uint64_t alias = rom_size < PC_BIOS_ALIAS_SIZE ? rom_size : PC_BIOS_ALIAS_SIZE;
    if (!pc->rom_base) {
        if (!bus_add_rom(&m->bus, base, rom_size, "rom", err) ||
            !bus_add_rom(&m->bus, PC_HIGH_RAM_BASE - alias, alias, "rom-alias", err))
            return false;
        pc->rom_base = base;
        add_map(pc, base, rom_size, MB_MEM_RESERVED);
    } else if (pc->rom_base != base) {
        vm_error_set(err, "%s: the firmware image changed size across a reboot", f->path);
        return false;
    }
    /* The image's end is the ROM's end (4 GiB and 1 MiB respectively). */
    gpa_t img = PC_4G - f->size;
    uint64_t tail = f->size < alias ? f->size : alias;
    if (!bus_copy_to_ram(&m->bus, img, f->data, f->size) ||
        !bus_copy_to_ram(&m->bus, PC_HIGH_RAM_BASE - tail, f->data + f->size - tail, tail)) {
        vm_error_set(err, "%s: cannot place the firmware image", f->path);
        return false;
    }
    vm_info(&m->log, "firmware ROM: %s at 0x%llx-0x%llx, last %llu KiB at 0x%llx",
            f->path, (unsigned long long)img, (unsigned long long)PC_4G,
            (unsigned long long)(tail / KiB), (unsigned long long)(PC_HIGH_RAM_BASE - tail));
    x86_cpu_reset(&pc->cpu);
    vm_info(&m->log, "entry: reset vector 0xfffffff0 in real mode (CS=f000 base ffff0000)");
    return true;
}

/* --initrd "m1 args,m2": Multiboot modules, each with its own command line (QEMU's
 * convention: the entry's text, file name first). */
typedef struct module_list {
    mb_module_arg *args;
    file_buf *files;
    mb_module *mods;
    size_t n;
} module_list;

static void free_modules(module_list *l)
{
    for (size_t i = 0; l->files && i < l->n; i++)
        file_free(&l->files[i]);
    free(l->files);
    free(l->mods);
    mb_module_list_free(l->args, l->n);
    memset(l, 0, sizeof *l);
}

static bool read_modules(const char *spec, module_list *l, vm_error *err)
{
    memset(l, 0, sizeof *l);
    if (!spec)
        return true;
    if (!mb_module_list_parse(spec, &l->args, &l->n, err))
        return false;
    l->files = calloc(l->n, sizeof *l->files);
    l->mods = calloc(l->n, sizeof *l->mods);
    if (!l->files || !l->mods) {
        vm_error_set(err, "out of memory");
        return false;
    }
    for (size_t i = 0; i < l->n; i++) {
        if (!file_read(l->args[i].path, &l->files[i], err))
            return false;
        l->mods[i] = (mb_module){ &l->files[i], l->args[i].cmdline };
    }
    return true;
}

/* Where the Multiboot entry's GDT goes: the first byte past the BIOS data area. MB1 §3.2
 * allows GDTR to be invalid, but GRUB and QEMU's loader both leave one describing the
 * selectors in CS/DS, and kernels read it (LSL, LAR) before loading their own. Written
 * before the kernel, so a kernel placed over it wins. */
#define PC_MB_GDT_ADDR 0x500u

static bool write_boot_gdt(pc_board *pc, vm_error *err)
{
    /* null; 0x08: code, base 0, 4 GiB, 32-bit; 0x10: data, the same (SDM Vol.3 §3.4.5),
     * accessed bits set as x86_cpu_load_flat_mode's hidden state has them. */
    static const uint64_t gdt[3] = { 0, 0x00cf9b000000ffffull, 0x00cf93000000ffffull };
    uint8_t bytes[sizeof gdt];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (uint8_t)(gdt[i / 8] >> (8 * (i % 8)));
    if (!bus_copy_to_ram(&pc->m->bus, PC_MB_GDT_ADDR, bytes, sizeof bytes)) {
        vm_error_set(err, "cannot write the Multiboot boot GDT");
        return false;
    }
    return true;
}

static bool boot_multiboot(pc_board *pc, const file_buf *kernel, vm_error *err)
{
    machine *m = pc->m;
    module_list mods_list, *mods = &mods_list;
    multiboot_boot mb;
    /* As QEMU does for -kernel/-append: the kernel's file name, a space, the arguments. */
    const char *append = m->cfg.append ? m->cfg.append : "";
    size_t len = strlen(kernel->path) + strlen(append) + 2;
    char *cmdline = malloc(len);
    if (!cmdline) {
        vm_error_set(err, "out of memory");
        return false;
    }
    snprintf(cmdline, len, "%s %s", kernel->path, append);
    bool ok = read_modules(m->cfg.initrd, mods, err) && write_boot_gdt(pc, err) &&
              load_multiboot(&m->bus, kernel, cmdline, mods->mods, mods->n, pc->map, pc->nmap,
                             &mb, err);
    free(cmdline);
    if (ok) {
        vm_info(&m->log, "Multiboot%s kernel at 0x%llx-0x%llx, entry 0x%llx",
                mb.version == 2 ? "2" : " v1", (unsigned long long)mb.low,
                (unsigned long long)mb.high, (unsigned long long)mb.entry);
        for (size_t i = 0; i < mods->n; i++)
            vm_info(&m->log, "module %zu: %s (%zu bytes)", i, mods->args[i].cmdline,
                    mods->files[i].size);
        vm_info(&m->log, "modules and boot information at 0x%llx-0x%llx",
                (unsigned long long)mb.info_low, (unsigned long long)mb.info_high);
        /* Multiboot §3.2 / Multiboot2 §3.3 machine state: 32-bit protected mode, flat
         * 4 GiB code and data segments, paging off, IF clear, EAX magic, EBX info. */
        x86_cpu *cpu = &pc->cpu;
        x86_cpu_reset(cpu);
        x86_cpu_load_flat_mode(cpu, 32);
        cpu->gdtr = (x86_dtr){ PC_MB_GDT_ADDR, 3 * 8 - 1 };
        cpu->gpr[0] = mb.eax;
        cpu->gpr[3] = mb.ebx;
        cpu->rip = mb.entry;
        vm_info(&m->log, "entry: eip=0x%llx in 32-bit protected mode, eax=0x%x ebx=0x%x",
                (unsigned long long)mb.entry, mb.eax, mb.ebx);
    }
    free_modules(mods);
    return ok;
}

static bool load_images(pc_board *pc, vm_error *err)
{
    machine *m = pc->m;
    file_buf kernel = { 0 };
    if (!file_read(m->cfg.kernel, &kernel, err))
        return false;
    image_format fmt = image_detect(kernel.data, kernel.size);
    int mb = multiboot_header_version(kernel.data, kernel.size);
    bool ok = false;
    if (mb) {
        vm_info(&m->log, "kernel: %s (Multiboot%s, %zu bytes)", kernel.path,
                mb == 2 ? "2" : " v1", kernel.size);
        ok = boot_multiboot(pc, &kernel, err);
    } else if (fmt == IMG_RAW) {
        vm_info(&m->log, "kernel: %s (raw binary: firmware image at the reset vector)",
                kernel.path);
        if (m->cfg.initrd || m->cfg.append)
            vm_error_set(err, "%s: a firmware image takes no --initrd or --append", kernel.path);
        else
            ok = load_rom(pc, &kernel, err);
    } else if (fmt == IMG_BZIMAGE || fmt == IMG_ISO9660) {
        vm_error_set(err, "%s: %s: the Linux boot protocol is not implemented yet on x86_64",
                     kernel.path, image_format_name(fmt));
    } else if (fmt == IMG_ELF32 || fmt == IMG_ELF64) {
        vm_error_set(err, "%s: %s without a Multiboot header; x86 kernels boot through "
                          "Multiboot or as a firmware image", kernel.path, image_format_name(fmt));
    } else {
        vm_error_set(err, "%s: %s, not an x86 kernel", kernel.path, image_format_name(fmt));
    }
    file_free(&kernel);
    return ok;
}

static bool pc_reset(void *board, vm_error *err)
{
    pc_board *pc = board;
    uart16550_reset(&pc->com1);
    return load_images(pc, err);
}

static void pc_poll(void *board)
{
    pc_board *pc = board;
    uart16550_poll(&pc->com1);
}

static uint64_t pc_run(void *board, uint64_t budget)
{
    return x86_cpu_run(&((pc_board *)board)->cpu, budget);
}

static bool pc_idle(void *board)
{
    return ((pc_board *)board)->cpu.halted;
}

static int64_t pc_ns_until_event(void *board)
{
    return INT64_MAX;   /* no timers on the board yet */
}

static uint64_t pc_pc(void *board)
{
    return ((pc_board *)board)->cpu.rip;
}

static void pc_destroy(void *board)
{
    pc_board *pc = board;
    x86_cpu_destroy(&pc->cpu);
    free(pc);
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
