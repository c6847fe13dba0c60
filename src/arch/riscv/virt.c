/* The RISC-V virt board: memory map, device wiring, firmware and kernel placement, the
 * run loop. Firmware decisions follow QEMU's virt machine: OpenSBI (fw_dynamic) runs in
 * M-mode and enters a Linux kernel at 0x8020_0000 in S-mode. */
#include "arch/riscv/virt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/riscv/virt_board.h"
#include "core/board.h"
#define FW_DYNAMIC_MAGIC 0x4942534fULL /* "OSBI" */
#define FW_DYNAMIC_VERSION 2
#define NEXT_MODE_S 1

static const char *const default_firmware[] = {
    "riscv64/fw_dynamic.bin",                                    /* relative to the cache */
    "/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin", /* Debian's opensbi */
};

/* The guest-image cache used by scripts/fetch-guests.sh. */
static void cache_path(char *buf, size_t len, const char *rel)
{
    const char *cache = getenv("VM_CACHE");
    const char *home = getenv("HOME");
    if (cache && *cache)
        snprintf(buf, len, "%s/%s", cache, rel);
    else
        snprintf(buf, len, "%s/.cache/vm-guests/%s", home ? home : "/root", rel);
}

static bool find_default_firmware(char *buf, size_t len)
{
    cache_path(buf, len, default_firmware[0]);
    if (access(buf, R_OK) == 0)
        return true;
    snprintf(buf, len, "%s", default_firmware[1]);
    return access(buf, R_OK) == 0;
}

static void set_cpu_irq(void *opaque, unsigned irq, int level)
{
    rv_cpu *cpu = opaque;
    if (level)
        cpu->mip |= 1ULL << irq;
    else
        cpu->mip &= ~(1ULL << irq);
    cpu->irq_check = true;
}

static uint64_t read_mtime(void *opaque)
{
    return aclint_mtime(opaque);
}

static bool add_devices(riscv_virt *v, vm_error *err)
{
    machine *m = v->m;
    bus *b = &m->bus;
    if (!bus_add_ram(b, VIRT_DRAM_BASE, m->cfg.ram_size, "ram", err))
        return false;

    irq_line msip = { set_cpu_irq, &v->cpu, IRQ_M_SOFT };
    irq_line mtip = { set_cpu_irq, &v->cpu, IRQ_M_TIMER };
    aclint_init(&v->clint, 1);
    aclint_connect_hart(&v->clint, 0, msip, mtip);
    if (!plic_init(&v->plic, 1, PLIC_VIRT_NDEV - 1)) {
        vm_error_set(err, "PLIC initialisation failed");
        return false;
    }
    plic_connect_context(&v->plic, 0, (irq_line){ set_cpu_irq, &v->cpu, IRQ_M_EXT });
    plic_connect_context(&v->plic, 1, (irq_line){ set_cpu_irq, &v->cpu, IRQ_S_EXT });
    uart16550_init(&v->uart, &m->con, plic_irq_line(&v->plic, VIRT_UART0_IRQ));
    syscon_init(&v->test, m);
    goldfish_rtc_init(&v->rtc, NULL, NULL, NULL, NULL,
                      plic_irq_line(&v->plic, GOLDFISH_RTC_VIRT_IRQ));

    return bus_add_mmio(b, VIRT_TEST_BASE, VIRT_TEST_SIZE, &syscon_ops, &v->test, "test", err) &&
           bus_add_mmio(b, VIRT_CLINT_BASE, VIRT_CLINT_SIZE, &aclint_ops, &v->clint, "clint", err) &&
           bus_add_mmio(b, VIRT_PLIC_BASE, VIRT_PLIC_SIZE, &plic_ops, &v->plic, "plic", err) &&
           bus_add_mmio(b, VIRT_UART0_BASE, VIRT_UART0_SIZE, &uart16550_ops, &v->uart, "uart0", err) &&
           bus_add_mmio(b, GOLDFISH_RTC_BASE, GOLDFISH_RTC_SIZE, &goldfish_rtc_ops, &v->rtc, "rtc", err);
}

static bool load_kernel(riscv_virt *v, const file_buf *f, image_format fmt, gpa_t linux_base,
                        vm_error *err)
{
    bus *b = &v->m->bus;
    switch (fmt) {
    case IMG_ELF64:
        return load_elf(b, f, EM_RISCV, &v->kernel, err);
    case IMG_ELF32:
        vm_error_set(err, "%s: 32-bit ELF, riscv64 needs a 64-bit ELF", f->path);
        return false;
    case IMG_LINUX_RISCV:
        return load_riscv_image(b, f, linux_base, &v->kernel, err);
    case IMG_LINUX_ARM64:
    case IMG_BZIMAGE:
    case IMG_MULTIBOOT:
        vm_error_set(err, "%s: %s, not a riscv64 kernel", f->path,
                     image_format_name(fmt));
        return false;
    case IMG_GZIP:
        vm_error_set(err, "%s: gzip-compressed kernel; decompress it first (RISC-V Linux "
                          "does not self-decompress)", f->path);
        return false;
    default:
        return load_raw(b, f, linux_base, &v->kernel, err);
    }
}

/* Place initrd and device tree at the top of RAM (below 4 GiB... the kernel maps all of
 * RAM, so the top is fine): [initrd][fw_dynamic_info][dtb] with 4 KiB alignment. */
static bool place_boot_data(riscv_virt *v, const file_buf *initrd, vm_error *err)
{
    machine *m = v->m;
    gpa_t ram_end = VIRT_DRAM_BASE + m->cfg.ram_size;
    gpa_t top = ram_end;
    gpa_t floor = v->kernel.high > v->firmware.high ? v->kernel.high : v->firmware.high;
    /* Reserve 64 KiB for the device tree and the fw_dynamic info, built afterwards. */
    if (top - floor < 64 * KiB) {
        vm_error_set(err, "--memory %llu MiB: no room for the device tree above the kernel",
                     (unsigned long long)(m->cfg.ram_size / MiB));
        return false;
    }
    v->fdt_addr = (top - 64 * KiB) & ~0xfffULL;
    v->fw_dynamic_info = v->fdt_addr - 64;
    top = v->fw_dynamic_info & ~0xfffULL;
    if (initrd) {
        if (initrd->size > top - floor) {
            vm_error_set(err, "%s: initrd of %zu MiB does not fit in guest RAM above the kernel "
                              "(%llu MiB free); use a larger --memory",
                         initrd->path, (size_t)(initrd->size / MiB),
                         (unsigned long long)((top - floor) / MiB));
            return false;
        }
        v->initrd_start = (top - initrd->size) & ~0xfffULL;
        v->initrd_end = v->initrd_start + initrd->size;
        if (!load_blob(&m->bus, initrd, v->initrd_start, err))
            return false;
        vm_info(&m->log, "initrd: %s at 0x%llx-0x%llx", initrd->path,
                (unsigned long long)v->initrd_start, (unsigned long long)v->initrd_end);
    }
    return true;
}

static bool write_fdt(riscv_virt *v, vm_error *err)
{
    machine *m = v->m;
    if (m->cfg.dtb) {
        file_buf f;
        if (!file_read(m->cfg.dtb, &f, err))
            return false;
        if (f.size < 8 || memcmp(f.data, "\xd0\x0d\xfe\xed", 4) != 0) {
            vm_error_set(err, "%s: not a flattened device tree (bad magic)", m->cfg.dtb);
            file_free(&f);
            return false;
        }
        free(v->fdt);
        v->fdt = f.data;
        v->fdt_size = f.size;
    } else if (!riscv_virt_build_fdt(v, err)) {
        return false;
    }
    if (v->fdt_size > 60 * KiB) {
        vm_error_set(err, "device tree of %zu bytes is larger than the 60 KiB reserved",
                     v->fdt_size);
        return false;
    }
    if (m->cfg.dump_dtb) {
        FILE *out = fopen(m->cfg.dump_dtb, "wb");
        if (!out || fwrite(v->fdt, 1, v->fdt_size, out) != v->fdt_size || fclose(out) != 0) {
            vm_error_set(err, "%s: cannot write the device tree", m->cfg.dump_dtb);
            return false;
        }
        vm_info(&m->log, "device tree written to %s (%zu bytes)", m->cfg.dump_dtb, v->fdt_size);
    }
    if (!bus_copy_to_ram(&m->bus, v->fdt_addr, v->fdt, v->fdt_size)) {
        vm_error_set(err, "device tree does not fit in RAM");
        return false;
    }
    vm_info(&m->log, "device tree: 0x%llx-0x%llx", (unsigned long long)v->fdt_addr,
            (unsigned long long)(v->fdt_addr + v->fdt_size));
    return true;
}

/* Load firmware, kernel, initrd and the device tree. Called at start and on reset. */
static bool load_images(riscv_virt *v, vm_error *err)
{
    machine *m = v->m;
    vm_config *cfg = &m->cfg;
    bool ok = false;
    file_buf kernel = { 0 }, fw = { 0 }, initrd = { 0 };
    char fw_path[4096];

    if (!file_read(cfg->kernel, &kernel, err))
        goto out;
    image_format kfmt = image_detect(kernel.data, kernel.size);
    vm_info(&m->log, "kernel: %s (%s, %zu bytes)", cfg->kernel, image_format_name(kfmt),
            kernel.size);

    /* Firmware: explicit --bios, or OpenSBI by default for a Linux Image. An ELF or raw
     * bare-metal program runs alone in M-mode unless --bios names a firmware. */
    const char *bios = cfg->bios;
    v->has_firmware = false;
    v->builtin_sbi = false;
    if (bios && strcmp(bios, "none") == 0) {
        v->builtin_sbi = kfmt == IMG_LINUX_RISCV;
        vm_info(&m->log, "firmware: none (%s)", v->builtin_sbi
                    ? "kernel starts in S-mode with the built-in SBI"
                    : "program starts in M-mode");
    } else if (bios) {
        snprintf(fw_path, sizeof fw_path, "%s", bios);
        v->has_firmware = true;
    } else if (kfmt == IMG_LINUX_RISCV) {
        if (!find_default_firmware(fw_path, sizeof fw_path)) {
            vm_error_set(err, "no default firmware: fw_dynamic.bin is neither in the guest cache "
                              "nor installed (Debian package opensbi); pass --bios FILE or --bios none");
            goto out;
        }
        v->has_firmware = true;
    } else {
        vm_info(&m->log, "firmware: none (bare-metal %s runs in M-mode)", image_format_name(kfmt));
    }

    memset(&v->firmware, 0, sizeof v->firmware);
    if (v->has_firmware) {
        if (!file_read(fw_path, &fw, err))
            goto out;
        image_format ffmt = image_detect(fw.data, fw.size);
        if (ffmt == IMG_ELF64) {
            if (!load_elf(&m->bus, &fw, EM_RISCV, &v->firmware, err))
                goto out;
        } else if (ffmt == IMG_RAW) {
            if (!load_raw(&m->bus, &fw, VIRT_DRAM_BASE, &v->firmware, err))
                goto out;
        } else {
            vm_error_set(err, "%s: %s is not a firmware image for riscv64", fw_path,
                         image_format_name(ffmt));
            goto out;
        }
        vm_info(&m->log, "firmware: %s at 0x%llx-0x%llx, entry 0x%llx (M-mode)", fw_path,
                (unsigned long long)v->firmware.low, (unsigned long long)v->firmware.high,
                (unsigned long long)v->firmware.entry);
    }

    /* A kernel behind firmware (or our SBI) goes 2 MiB into RAM, as on QEMU. */
    if (!load_kernel(v, &kernel, kfmt, VIRT_DRAM_BASE, err))
        goto out;
    if (v->has_firmware && v->kernel.low < v->firmware.high && v->firmware.low < v->kernel.high) {
        vm_error_set(err, "%s: loaded at 0x%llx-0x%llx, which overlaps the firmware at 0x%llx-0x%llx",
                     cfg->kernel, (unsigned long long)v->kernel.low,
                     (unsigned long long)v->kernel.high, (unsigned long long)v->firmware.low,
                     (unsigned long long)v->firmware.high);
        goto out;
    }
    vm_info(&m->log, "kernel loaded at 0x%llx-0x%llx, entry 0x%llx",
            (unsigned long long)v->kernel.low, (unsigned long long)v->kernel.high,
            (unsigned long long)v->kernel.entry);
    htif_init(&v->htif, m, kfmt == IMG_ELF64 ? &kernel : NULL);
    if (htif_active(&v->htif))
        vm_info(&m->log, "HTIF: tohost at 0x%llx, fromhost at 0x%llx",
                (unsigned long long)v->htif.tohost, (unsigned long long)v->htif.fromhost);

    if (cfg->initrd && !file_read(cfg->initrd, &initrd, err))
        goto out;
    if (!place_boot_data(v, cfg->initrd ? &initrd : NULL, err) || !write_fdt(v, err))
        goto out;
    ok = true;
out:
    file_free(&kernel);
    file_free(&fw);
    file_free(&initrd);
    return ok;
}

static void reset_cpu(riscv_virt *v)
{
    rv_cpu *cpu = &v->cpu;
    machine *m = v->m;
    if (v->has_firmware) {
        /* fw_dynamic convention (OpenSBI docs/firmware/fw_dynamic.md): a0 = hartid,
         * a1 = dtb, a2 = struct fw_dynamic_info { magic, version, next_addr, next_mode,
         * options, boot_hart }. fw_jump ignores a2. */
        uint64_t info[6] = { FW_DYNAMIC_MAGIC, FW_DYNAMIC_VERSION, v->kernel.entry, NEXT_MODE_S,
                             0, 0 };
        bus_copy_to_ram(&m->bus, v->fw_dynamic_info, info, sizeof info);
        rv_cpu_reset(cpu, v->firmware.entry);
        cpu->x[10] = 0;
        cpu->x[11] = v->fdt_addr;
        cpu->x[12] = v->fw_dynamic_info;
        vm_info(&m->log, "entry: pc=0x%llx in M-mode (firmware), a1=0x%llx, kernel next at 0x%llx in S-mode",
                (unsigned long long)cpu->pc, (unsigned long long)v->fdt_addr,
                (unsigned long long)v->kernel.entry);
    } else if (v->builtin_sbi) {
        rv_cpu_reset(cpu, v->kernel.entry);
        /* What OpenSBI would have set up before entering the kernel in S-mode. */
        cpu->priv = PRIV_S;
        cpu->mideleg = MIP_SSIP | MIP_STIP | MIP_SEIP;
        cpu->medeleg = (1ULL << CAUSE_MISALIGNED_FETCH) | (1ULL << CAUSE_FETCH_ACCESS) |
                       (1ULL << CAUSE_ILLEGAL_INSTRUCTION) | (1ULL << CAUSE_BREAKPOINT) |
                       (1ULL << CAUSE_MISALIGNED_LOAD) | (1ULL << CAUSE_LOAD_ACCESS) |
                       (1ULL << CAUSE_MISALIGNED_STORE) | (1ULL << CAUSE_STORE_ACCESS) |
                       (1ULL << CAUSE_USER_ECALL) | (1ULL << CAUSE_FETCH_PAGE_FAULT) |
                       (1ULL << CAUSE_LOAD_PAGE_FAULT) | (1ULL << CAUSE_STORE_PAGE_FAULT);
        cpu->mcounteren = 0xffffffff;
        cpu->menvcfg = MENVCFG_STCE | ENVCFG_CBZE | ENVCFG_CBCFE | ENVCFG_CBIE;
        cpu->mie = MIP_SEIP | MIP_STIP | MIP_SSIP;
        cpu->mstatus &= ~MSTATUS_FS; /* the kernel enables the FPU itself */
        riscv_sbi_reset(v);
        cpu->x[10] = 0;
        cpu->x[11] = v->fdt_addr;
        vm_info(&m->log, "entry: pc=0x%llx in S-mode (built-in SBI), a0=0, a1=0x%llx",
                (unsigned long long)cpu->pc, (unsigned long long)v->fdt_addr);
    } else {
        rv_cpu_reset(cpu, v->kernel.entry);
        cpu->x[10] = 0;
        cpu->x[11] = v->fdt_addr;
        vm_info(&m->log, "entry: pc=0x%llx in M-mode, a0=0, a1=0x%llx (device tree)",
                (unsigned long long)cpu->pc, (unsigned long long)v->fdt_addr);
    }
    cpu->sbi_call = v->builtin_sbi ? riscv_sbi_call : NULL;
    cpu->sbi_opaque = v;
}

static int64_t ns_until_timer(riscv_virt *v)
{
    int64_t ns = aclint_ns_until_next_event(&v->clint);
    rv_cpu *cpu = &v->cpu;
    if (rv_sstc_enabled(cpu) && cpu->stimecmp != UINT64_MAX) {
        uint64_t now = aclint_mtime(&v->clint);
        uint64_t ticks = cpu->stimecmp <= now ? 0 : cpu->stimecmp - now;
        int64_t s = ticks > (uint64_t)INT64_MAX / 100 ? INT64_MAX : (int64_t)(ticks * 100);
        if (s < ns)
            ns = s;
    }
    int64_t rtc = goldfish_rtc_ns_until_event(&v->rtc);
    return rtc < ns ? rtc : ns;
}

static void *virt_create(machine *m, vm_error *err)
{
    /* Options for hardware this board does not have are refused, not ignored. */
    if (m->cfg.cdrom) {
        vm_error_set(err, "--cdrom %s: the riscv64 virt board has no CD-ROM drive yet", m->cfg.cdrom);
        return NULL;
    }
    if (m->cfg.boot_entry) {
        vm_error_set(err, "--boot-entry %s: only for an installer ISO on x86_64", m->cfg.boot_entry);
        return NULL;
    }
    riscv_virt *v = calloc(1, sizeof *v);
    if (!v) {
        vm_error_set(err, "out of memory");
        return NULL;
    }
    v->m = m;
    if (!rv_cpu_init(&v->cpu, m, 0, err)) {
        free(v);
        return NULL;
    }
    v->cpu.has_sstc = true;
    v->cpu.read_time = read_mtime;
    v->cpu.time_opaque = &v->clint;
    if (!add_devices(v, err)) {
        rv_cpu_destroy(&v->cpu);
        free(v);
        return NULL;
    }
    vm_info(&m->log, "RAM: 0x%llx-0x%llx (%llu MiB)", (unsigned long long)VIRT_DRAM_BASE,
            (unsigned long long)(VIRT_DRAM_BASE + m->cfg.ram_size),
            (unsigned long long)(m->cfg.ram_size / MiB));
    for (int i = 0; i < m->bus.count; i++) {
        const bus_region *r = &m->bus.regions[i];
        if (!r->host)
            vm_info(&m->log, "MMIO: 0x%08llx-0x%08llx %s", (unsigned long long)r->base,
                    (unsigned long long)(r->base + r->size), r->name);
    }
    vm_info(&m->log, "paging at reset: bare (satp = 0), hart 0 in M-mode");
    return v;
}

static bool virt_reset(void *board, vm_error *err)
{
    riscv_virt *v = board;
    if (!load_images(v, err))
        return false;
    plic_reset(&v->plic);
    aclint_reset(&v->clint);
    uart16550_reset(&v->uart);
    goldfish_rtc_reset(&v->rtc);
    reset_cpu(v);
    return true;
}

static void virt_poll(void *board)
{
    riscv_virt *v = board;
    uart16550_poll(&v->uart);
    aclint_update(&v->clint);
    goldfish_rtc_update(&v->rtc);
    v->cpu.irq_check = true;
}

static uint64_t virt_run(void *board, uint64_t budget)
{
    riscv_virt *v = board;
    uint64_t n = rv_cpu_run(&v->cpu, budget);
    htif_poll(&v->htif);
    return n;
}

static bool virt_idle(void *board)
{
    return ((riscv_virt *)board)->cpu.wfi;
}

static int64_t virt_ns_until_event(void *board)
{
    return ns_until_timer(board);
}

static uint64_t virt_pc(void *board)
{
    return ((riscv_virt *)board)->cpu.pc;
}

static void virt_destroy(void *board)
{
    riscv_virt *v = board;
    rv_cpu_destroy(&v->cpu);
    free(v->fdt);
    free(v);
}

const board_ops riscv_virt_board = {
    .name = "virt",
    .arch = ARCH_RISCV64,
    .create = virt_create,
    .reset = virt_reset,
    .poll = virt_poll,
    .run = virt_run,
    .idle = virt_idle,
    .ns_until_event = virt_ns_until_event,
    .pc = virt_pc,
    .destroy = virt_destroy,
};
