/* What the PC board boots: a firmware image at the reset vector, a Multiboot kernel
 * (with --initrd FILE[,FILE...] as its modules), a Linux bzImage through the 64-bit boot
 * protocol, or an installer ISO whose boot menu names the kernel and initrd. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/x86/pc.h"
#include "arch/x86/pc_acpi.h"
#include "arch/x86/pc_smbios.h"
#include "core/version.h"
#include "load/bootcfg.h"
#include "load/iso9660.h"
#include "load/loader.h"
#include "load/multiboot.h"

/* ECMA-119 §8.1: the volume descriptor set starts at sector 16; each descriptor carries
 * "CD001" at byte 1. Probed without reading the (large) image. */
bool pc_probe_iso(const char *path)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return false;
    char id[5];
    bool iso = pread(fd, id, sizeof id, 16 * 2048 + 1) == (ssize_t)sizeof id &&
               !memcmp(id, "CD001", 5);
    close(fd);
    return iso;
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
        if (pc->nmap < PC_MAX_MAP)
            pc->map[pc->nmap++] = (e820_entry){ base, rom_size, E820_RESERVED };
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

/* The MTRRs as a PC firmware leaves them (SeaBIOS on QEMU's pc does the same): write-back
 * by default, the legacy VGA window 0xA0000-0xBFFFF uncached through the fixed ranges, the
 * PCI hole up to 4 GiB uncached through variable range 0 (SDM Vol.3 §12.11). Without
 * them Linux logs "MTRRs disabled (not available)". */
static void firmware_mtrrs(x86_cpu *cpu)
{
    for (unsigned i = 0; i < X86_MTRR_FIXED; i++)
        cpu->mtrr_fixed[i] = 0x0606060606060606ull;        /* WB */
    cpu->mtrr_fixed[2] = 0;                                 /* 16K_A0000: UC */
    cpu->mtrr_var[0][0] = PC_PCI_HOLE;                      /* type 0: UC */
    cpu->mtrr_var[0][1] = (~(PC_4G - PC_PCI_HOLE - 1) & X86_MTRR_ADDR_MASK) | (1u << 11);
    cpu->mtrr_def_type = (1u << 11) | (1u << 10) | 6;     /* E, FE, default WB */
}

static bool boot_multiboot(pc_board *pc, const file_buf *kernel, vm_error *err)
{
    machine *m = pc->m;
    module_list mods_list, *mods = &mods_list;
    multiboot_boot mb;
    mb_mem_range map[PC_MAX_MAP];
    for (size_t i = 0; i < pc->nmap; i++)
        map[i] = (mb_mem_range){ pc->map[i].base, pc->map[i].len, pc->map[i].type };
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
              load_multiboot(&m->bus, kernel, cmdline, mods->mods, mods->n, map, pc->nmap,
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
        firmware_mtrrs(cpu);
        x86_cpu_load_flat_mode(cpu, 32);
        cpu->gdtr = (x86_dtr){ PC_MB_GDT_ADDR, 3 * 8 - 1 };
        cpu->gpr[RAX] = mb.eax;
        cpu->gpr[RBX] = mb.ebx;
        cpu->rip = mb.entry;
        vm_info(&m->log, "entry: eip=0x%llx in 32-bit protected mode, eax=0x%x ebx=0x%x",
                (unsigned long long)mb.entry, mb.eax, mb.ebx);
    }
    free_modules(mods);
    return ok;
}

/* boot.rst "64-bit Boot Protocol": long mode with paging on and the loader's identity
 * map, CS/DS from the loader's GDT (__BOOT_CS / __BOOT_DS, flat), interrupts off, RSI =
 * the zero page. */
static void enter_linux(pc_board *pc, const linux_x86_boot *boot)
{
    x86_cpu *cpu = &pc->cpu;
    x86_cpu_reset(cpu);
    firmware_mtrrs(cpu);
    cpu->gdtr.base = boot->gdt_base;
    cpu->gdtr.limit = boot->gdt_limit;
    cpu->idtr.base = 0;
    cpu->idtr.limit = 0;
    cpu->cr3 = boot->cr3;
    x86_cpu_load_flat_mode(cpu, 64);
    cpu->seg[SEG_CS].sel = LX86_BOOT_CS;
    for (int s = 0; s < 6; s++)
        if (s != SEG_CS)
            cpu->seg[s].sel = LX86_BOOT_DS;
    cpu->gpr[RSI] = boot->rsi;
    cpu->rip = boot->entry;
    vm_info(&pc->m->log, "entry: rip=0x%llx in 64-bit mode, rsi=0x%llx (zero page), "
                         "cr3=0x%llx (identity map of %llu GiB)",
            (unsigned long long)boot->entry, (unsigned long long)boot->rsi,
            (unsigned long long)boot->cr3, (unsigned long long)(boot->mapped / GiB));
}

/* SMBIOS for a kernel booted without firmware: the structures at the start of the BIOS
 * area (0xE0000), the entry point after the ACPI tables, on a 16-byte boundary in the
 * 0xF0000-0xFFFFF range that an OS without EFI scans (DSP0134 §5.2.2). */
static bool place_smbios(pc_board *pc, gpa_t ep_gpa, vm_error *err)
{
    machine *m = pc->m;
    uint32_t r[4], brand_regs[12];
    x86_cpuid(&pc->cpu, 1, 0, r);
    for (unsigned i = 0; i < 3; i++)
        x86_cpuid(&pc->cpu, 0x80000002u + i, 0, brand_regs + 4 * i);
    char brand[49];
    memcpy(brand, brand_regs, 48);
    brand[48] = 0;
    pc_smbios_config cfg = {
        .version = VM_VERSION,
        .bios_date = VM_RELEASE_DATE,
        .cpuid1_eax = r[0],
        .cpuid1_edx = r[3],
        .cpu_version = brand,
        .cpu_mhz = (unsigned)(PC_TSC_HZ / 1000000),
        .ncpus = 1,
        .ram_low = pc->ram_low,
        .ram_high = pc->ram_high,
    };
    uint8_t table[PC_SMBIOS_SIZE], ep[PC_SMBIOS_EP_LEN];
    size_t len = pc_smbios_build(&cfg, table, sizeof table, PC_SMBIOS_ADDR, ep, err);
    if (!len)
        return false;
    if (ep_gpa + PC_SMBIOS_EP_LEN > PC_HIGH_RAM_BASE ||
        !bus_copy_to_ram(&m->bus, PC_SMBIOS_ADDR, table, len) ||
        !bus_copy_to_ram(&m->bus, ep_gpa, ep, PC_SMBIOS_EP_LEN)) {
        vm_error_set(err, "cannot place the SMBIOS tables at 0x%x", PC_SMBIOS_ADDR);
        return false;
    }
    vm_info(&m->log, "SMBIOS 3.0 tables at 0x%x-0x%llx, entry point 0x%llx", PC_SMBIOS_ADDR,
            (unsigned long long)(PC_SMBIOS_ADDR + len), (unsigned long long)ep_gpa);
    return true;
}

/* The firmware tables for a kernel booted without firmware: ACPI (pc_acpi.c) in a ROM
 * region at 0xF0000, RSDP first, where Linux's scan of the BIOS area finds it (ACPI 6.5
 * §5.2.5.1; the Linux boot path also names it in boot_params.acpi_rsdp_addr), and SMBIOS.
 * The area is reserved in the e820 map. A firmware image brings its own tables (and its
 * ROM alias is there). */
static bool place_firmware_tables(pc_board *pc, vm_error *err)
{
    machine *m = pc->m;
    if (!pc->bios_area) {
        if (!bus_add_rom(&m->bus, PC_BIOS_AREA, PC_HIGH_RAM_BASE - PC_BIOS_AREA, "bios-area",
                         err))
            return false;
        pc->bios_area = true;
        if (pc->nmap < PC_MAX_MAP)
            pc->map[pc->nmap++] =
                (e820_entry){ PC_BIOS_AREA, PC_HIGH_RAM_BASE - PC_BIOS_AREA, E820_RESERVED };
    }
    pc_acpi_config cfg;
    pc_acpi_default_config(&cfg);
    uint8_t *buf = calloc(1, PC_ACPI_SIZE);
    if (!buf) {
        vm_error_set(err, "out of memory");
        return false;
    }
    pc_acpi_layout lay;
    bool ok = pc_acpi_build(&cfg, buf, PC_ACPI_SIZE, PC_ACPI_ADDR, &lay, err);
    if (ok && !bus_copy_to_ram(&m->bus, PC_ACPI_ADDR, buf, lay.used)) {
        vm_error_set(err, "cannot place the ACPI tables at 0x%x", PC_ACPI_ADDR);
        ok = false;
    }
    free(buf);
    if (ok)
        vm_info(&m->log, "ACPI tables at 0x%llx-0x%llx: RSDP 0x%llx, MADT 0x%llx, FADT 0x%llx, "
                         "DSDT 0x%llx", (unsigned long long)PC_ACPI_ADDR,
                (unsigned long long)(PC_ACPI_ADDR + lay.used),
                (unsigned long long)lay.rsdp.gpa, (unsigned long long)lay.madt.gpa,
                (unsigned long long)lay.fadt.gpa, (unsigned long long)lay.dsdt.gpa);
    return ok && place_smbios(pc, PC_ACPI_ADDR + ((lay.used + 15) & ~(size_t)15), err);
}

static bool boot_bzimage(pc_board *pc, const file_buf *kernel, vm_error *err)
{
    machine *m = pc->m;
    file_buf initrd = { 0 };
    if (m->cfg.initrd && !file_read(m->cfg.initrd, &initrd, err))
        return false;
    char note[512];
    char *cmdline = bootcfg_cmdline(m->cfg.append, NULL, true, note, sizeof note);
    if (!cmdline) {
        file_free(&initrd);
        vm_error_set(err, "out of memory");
        return false;
    }
    linux_x86_boot boot;
    bool ok = linux_x86_load(&m->bus, kernel, m->cfg.initrd ? &initrd : NULL, cmdline,
                             pc->map, pc->nmap, &boot, err);
    if (ok) {
        vm_info(&m->log, "kernel: %s (bzImage, boot protocol %u.%02u) at 0x%llx-0x%llx",
                kernel->path, boot.version >> 8, boot.version & 0xff,
                (unsigned long long)boot.kernel_low, (unsigned long long)boot.kernel_high);
        if (m->cfg.initrd)
            vm_info(&m->log, "initrd: %s (%zu bytes) at 0x%llx-0x%llx", m->cfg.initrd,
                    initrd.size, (unsigned long long)boot.initrd_low,
                    (unsigned long long)boot.initrd_high);
        vm_info(&m->log, "command line at 0x%llx: %s", (unsigned long long)boot.cmdline,
                cmdline);
        if (note[0])
            vm_info(&m->log, "console: %s", note);
        ok = linux_x86_set_acpi_rsdp(&m->bus, &boot, PC_ACPI_ADDR, err);
        enter_linux(pc, &boot);
    }
    free(cmdline);
    file_free(&initrd);
    return ok;
}

static bool boot_iso(pc_board *pc, vm_error *err)
{
    machine *m = pc->m;
    iso9660 iso;
    if (!iso9660_open_file(&iso, m->cfg.kernel, err))
        return false;
    size_t vlen = 4096;
    char *verbose = malloc(vlen);
    if (!verbose) {
        iso9660_close(&iso);
        vm_error_set(err, "out of memory");
        return false;
    }
    linux_x86_boot boot;
    bool ok = bootcfg_iso_load_x86(&m->bus, &iso, m->cfg.boot_entry, m->cfg.append, true,
                                   pc->map, pc->nmap, &boot, verbose, vlen, err);
    iso9660_close(&iso);
    if (ok) {
        for (char *line = verbose, *nl; *line; line = nl + 1) {
            nl = strchr(line, '\n');
            if (!nl)
                nl = line + strlen(line) - 1;
            else
                *nl = 0;
            if (*line)
                vm_info(&m->log, "%s", line);
        }
        ok = linux_x86_set_acpi_rsdp(&m->bus, &boot, PC_ACPI_ADDR, err);
        enter_linux(pc, &boot);
    }
    free(verbose);
    return ok;
}

bool pc_load_images(pc_board *pc, vm_error *err)
{
    machine *m = pc->m;
    if (pc->kernel_is_iso) {
        vm_info(&m->log, "kernel: %s (ISO9660 image: booting its installer's kernel)",
                m->cfg.kernel);
        return place_firmware_tables(pc, err) && boot_iso(pc, err);
    }
    if (m->cfg.boot_entry) {
        vm_error_set(err, "--boot-entry %s: only for an ISO image given as --kernel",
                     m->cfg.boot_entry);
        return false;
    }
    file_buf kernel = { 0 };
    if (!file_read(m->cfg.kernel, &kernel, err))
        return false;
    image_format fmt = image_detect(kernel.data, kernel.size);
    int mb = multiboot_header_version(kernel.data, kernel.size);
    bool ok = false;
    if (fmt == IMG_BZIMAGE) {
        ok = place_firmware_tables(pc, err) && boot_bzimage(pc, &kernel, err);
    } else if (mb) {
        vm_info(&m->log, "kernel: %s (Multiboot%s, %zu bytes)", kernel.path,
                mb == 2 ? "2" : " v1", kernel.size);
        /* the firmware tables too, as SeaBIOS gives a kernel QEMU loads with -kernel */
        ok = place_firmware_tables(pc, err) && boot_multiboot(pc, &kernel, err);
    } else if (fmt == IMG_RAW) {
        vm_info(&m->log, "kernel: %s (raw binary: firmware image at the reset vector)",
                kernel.path);
        if (m->cfg.initrd || m->cfg.append)
            vm_error_set(err, "%s: a firmware image takes no --initrd or --append", kernel.path);
        else
            ok = load_rom(pc, &kernel, err);
    } else if (fmt == IMG_ELF32 || fmt == IMG_ELF64) {
        vm_error_set(err, "%s: %s without a Multiboot header; x86 kernels boot through "
                          "Multiboot, the Linux boot protocol or as a firmware image",
                     kernel.path, image_format_name(fmt));
    } else {
        vm_error_set(err, "%s: %s, not an x86 kernel", kernel.path, image_format_name(fmt));
    }
    file_free(&kernel);
    return ok;
}
