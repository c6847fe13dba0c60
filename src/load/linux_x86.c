/* x86 Linux boot protocol, 64-bit entry (see linux_x86.h). The image is untrusted: every
 * header field is read from a checked offset as little-endian bytes, every address
 * computation is done in 64 bits against explicit limits. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "load/linux_x86.h"
#include "core/bytes.h"

/* boot.rst "The Real-Mode Kernel Header" (offsets in the image and in the zero page). */
struct lx86_setup_header {
    uint8_t setup_sects;        /* 0x1f1 */
    uint16_t root_flags;        /* 0x1f2 */
    uint32_t syssize;           /* 0x1f4 */
    uint16_t ram_size;          /* 0x1f8 */
    uint16_t vid_mode;          /* 0x1fa */
    uint16_t root_dev;          /* 0x1fc */
    uint16_t boot_flag;         /* 0x1fe */
    uint16_t jump;              /* 0x200 */
    uint32_t header;            /* 0x202 */
    uint16_t version;           /* 0x206 */
    uint32_t realmode_swtch;    /* 0x208 */
    uint16_t start_sys_seg;     /* 0x20c */
    uint16_t kernel_version;    /* 0x20e */
    uint8_t type_of_loader;     /* 0x210 */
    uint8_t loadflags;          /* 0x211 */
    uint16_t setup_move_size;   /* 0x212 */
    uint32_t code32_start;      /* 0x214 */
    uint32_t ramdisk_image;     /* 0x218 */
    uint32_t ramdisk_size;      /* 0x21c */
    uint32_t bootsect_kludge;   /* 0x220 */
    uint16_t heap_end_ptr;      /* 0x224 */
    uint8_t ext_loader_ver;     /* 0x226 */
    uint8_t ext_loader_type;    /* 0x227 */
    uint32_t cmd_line_ptr;      /* 0x228 */
    uint32_t initrd_addr_max;   /* 0x22c */
    uint32_t kernel_alignment;  /* 0x230 */
    uint8_t relocatable_kernel; /* 0x234 */
    uint8_t min_alignment;      /* 0x235 */
    uint16_t xloadflags;        /* 0x236 */
    uint32_t cmdline_size;      /* 0x238 */
    uint32_t hardware_subarch;  /* 0x23c */
    uint64_t hardware_subarch_data; /* 0x240 */
    uint32_t payload_offset;    /* 0x248 */
    uint32_t payload_length;    /* 0x24c */
    uint64_t setup_data;        /* 0x250 */
    uint64_t pref_address;      /* 0x258 */
    uint32_t init_size;         /* 0x260 */
    uint32_t handover_offset;   /* 0x264 */
    uint32_t kernel_info_offset; /* 0x268 */
} __attribute__((packed));

struct lx86_e820 {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
} __attribute__((packed));

/* zero-page.rst: struct boot_params, the fields this loader writes and the padding
 * between them. */
struct lx86_boot_params {
    uint8_t screen_info[0x40];      /* 0x000 */
    uint8_t apm_bios_info[0x14];    /* 0x040 */
    uint8_t pad2[4];
    uint64_t tboot_addr;            /* 0x058 */
    uint8_t ist_info[0x10];         /* 0x060 */
    uint64_t acpi_rsdp_addr;        /* 0x070 */
    uint8_t pad3[8];
    uint8_t hd0_info[0x10];         /* 0x080 */
    uint8_t hd1_info[0x10];         /* 0x090 */
    uint8_t sys_desc_table[0x10];   /* 0x0a0 */
    uint8_t olpc_ofw_header[0x10];  /* 0x0b0 */
    uint32_t ext_ramdisk_image;     /* 0x0c0 */
    uint32_t ext_ramdisk_size;      /* 0x0c4 */
    uint32_t ext_cmd_line_ptr;      /* 0x0c8 */
    uint8_t pad4[0x13c - 0xcc];
    uint32_t cc_blob_address;       /* 0x13c */
    uint8_t edid_info[0x80];        /* 0x140 */
    uint8_t efi_info[0x20];         /* 0x1c0 */
    uint32_t alt_mem_k;             /* 0x1e0 */
    uint32_t scratch;               /* 0x1e4 */
    uint8_t e820_entries;           /* 0x1e8 */
    uint8_t eddbuf_entries;         /* 0x1e9 */
    uint8_t edd_mbr_sig_buf_entries; /* 0x1ea */
    uint8_t kbd_status;             /* 0x1eb */
    uint8_t secure_boot;            /* 0x1ec */
    uint8_t pad5[2];
    uint8_t sentinel;               /* 0x1ef */
    uint8_t pad6;
    struct lx86_setup_header hdr;   /* 0x1f1 */
    uint8_t pad7[0x290 - 0x1f1 - sizeof(struct lx86_setup_header)];
    uint32_t edd_mbr_sig_buffer[16]; /* 0x290 */
    struct lx86_e820 e820_table[LX86_E820_MAX]; /* 0x2d0 */
    uint8_t pad8[0x30];
    uint8_t eddbuf[0x1ec];          /* 0xd00 */
    uint8_t pad9[0x114];
} __attribute__((packed));

#define HDR_OFF(f) (0x1f1 + offsetof(struct lx86_setup_header, f))
_Static_assert(HDR_OFF(boot_flag) == 0x1fe, "boot.rst: boot_flag");
_Static_assert(HDR_OFF(header) == 0x202, "boot.rst: header");
_Static_assert(HDR_OFF(version) == 0x206, "boot.rst: version");
_Static_assert(HDR_OFF(type_of_loader) == 0x210, "boot.rst: type_of_loader");
_Static_assert(HDR_OFF(loadflags) == 0x211, "boot.rst: loadflags");
_Static_assert(HDR_OFF(ramdisk_image) == 0x218, "boot.rst: ramdisk_image");
_Static_assert(HDR_OFF(cmd_line_ptr) == 0x228, "boot.rst: cmd_line_ptr");
_Static_assert(HDR_OFF(initrd_addr_max) == 0x22c, "boot.rst: initrd_addr_max");
_Static_assert(HDR_OFF(kernel_alignment) == 0x230, "boot.rst: kernel_alignment");
_Static_assert(HDR_OFF(relocatable_kernel) == 0x234, "boot.rst: relocatable_kernel");
_Static_assert(HDR_OFF(xloadflags) == 0x236, "boot.rst: xloadflags");
_Static_assert(HDR_OFF(cmdline_size) == 0x238, "boot.rst: cmdline_size");
_Static_assert(HDR_OFF(setup_data) == 0x250, "boot.rst: setup_data");
_Static_assert(HDR_OFF(pref_address) == 0x258, "boot.rst: pref_address");
_Static_assert(HDR_OFF(init_size) == 0x260, "boot.rst: init_size");
_Static_assert(HDR_OFF(kernel_info_offset) == 0x268, "boot.rst: kernel_info_offset");
_Static_assert(offsetof(struct lx86_boot_params, acpi_rsdp_addr) == 0x070, "zero-page.rst");
_Static_assert(offsetof(struct lx86_boot_params, ext_ramdisk_image) == 0x0c0, "zero-page.rst");
_Static_assert(offsetof(struct lx86_boot_params, ext_ramdisk_size) == 0x0c4, "zero-page.rst");
_Static_assert(offsetof(struct lx86_boot_params, ext_cmd_line_ptr) == 0x0c8, "zero-page.rst");
_Static_assert(offsetof(struct lx86_boot_params, cc_blob_address) == 0x13c, "zero-page.rst");
_Static_assert(offsetof(struct lx86_boot_params, e820_entries) == 0x1e8, "zero-page.rst");
_Static_assert(offsetof(struct lx86_boot_params, sentinel) == 0x1ef, "zero-page.rst");
_Static_assert(offsetof(struct lx86_boot_params, hdr) == 0x1f1, "zero-page.rst");
_Static_assert(offsetof(struct lx86_boot_params, edd_mbr_sig_buffer) == 0x290, "zero-page.rst");
_Static_assert(offsetof(struct lx86_boot_params, e820_table) == 0x2d0, "zero-page.rst");
_Static_assert(offsetof(struct lx86_boot_params, eddbuf) == 0xd00, "zero-page.rst");
_Static_assert(sizeof(struct lx86_boot_params) == 4096, "zero-page.rst: one page");

#define HDRS_MAGIC 0x53726448u   /* "HdrS" */
#define MIN_VERSION 0x020cu      /* 2.12: xloadflags, the 64-bit entry's contract */
#define KERNEL_LOW_DEFAULT (16 * MiB)
#define PAGE 4096u
#define LIMIT_4G (4 * GiB)

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return v > UINT64_MAX - (a - 1) ? UINT64_MAX : (v + a - 1) & ~(a - 1);
}

bool linux_x86_parse(const file_buf *f, linux_x86_image *out, vm_error *err)
{
    memset(out, 0, sizeof *out);
    const uint8_t *d = f->data;
    if (f->size < 0x206 || le32_get(d + 0x202) != HDRS_MAGIC) {
        vm_error_set(err, "%s: not an x86 Linux kernel: no \"HdrS\" setup header at 0x202",
                     f->path);
        return false;
    }
    /* boot.rst: the header ends at 0x202 + the jump's displacement byte at 0x201. */
    size_t end = 0x202 + (size_t)d[0x201];
    if (f->size < 0x208) {
        vm_error_set(err, "%s: truncated x86 setup header (no version field)", f->path);
        return false;
    }
    out->version = le16_get(d + HDR_OFF(version));
    if (out->version < MIN_VERSION) {
        vm_error_set(err, "%s: x86 boot protocol %u.%02u is too old: the 64-bit entry needs "
                          "2.12 or later", f->path, out->version >> 8, out->version & 0xff);
        return false;
    }
    /* Protocol 2.12 defines every field up to init_size (0x264). */
    size_t need = HDR_OFF(init_size) + 4;
    if (end < need || f->size < need) {
        vm_error_set(err, "%s: truncated x86 setup header: %s ends at 0x%zx, protocol %u.%02u "
                          "needs 0x%zx", f->path, f->size < need ? "the file" : "the header",
                     f->size < need ? f->size : end, out->version >> 8,
                     out->version & 0xff, need);
        return false;
    }
    if (end > sizeof(struct lx86_setup_header) + 0x1f1)
        end = sizeof(struct lx86_setup_header) + 0x1f1;
    out->setup_end = end < f->size ? end : f->size;
    out->setup_sects = d[HDR_OFF(setup_sects)];
    out->loadflags = d[HDR_OFF(loadflags)];
    out->xloadflags = le16_get(d + HDR_OFF(xloadflags));
    out->kernel_alignment = le32_get(d + HDR_OFF(kernel_alignment));
    out->relocatable = d[HDR_OFF(relocatable_kernel)] != 0;
    out->cmdline_size = le32_get(d + HDR_OFF(cmdline_size));
    out->initrd_addr_max = le32_get(d + HDR_OFF(initrd_addr_max));
    out->pref_address = le64_get(d + HDR_OFF(pref_address));
    out->init_size = le32_get(d + HDR_OFF(init_size));
    if (!(out->loadflags & LX86_LOADED_HIGH)) {
        vm_error_set(err, "%s: a zImage (LOADED_HIGH clear in loadflags 0x%02x): only bzImage "
                          "kernels are supported", f->path, out->loadflags);
        return false;
    }
    if (!(out->xloadflags & LX86_XLF_KERNEL_64)) {
        vm_error_set(err, "%s: kernel has no 64-bit entry point (XLF_KERNEL_64 clear in "
                          "xloadflags 0x%04x)", f->path, out->xloadflags);
        return false;
    }
    unsigned sects = out->setup_sects ? out->setup_sects : 4;   /* boot.rst: 0 means 4 */
    out->pm_offset = (size_t)(sects + 1) * 512;
    if (out->pm_offset >= f->size || f->size - out->pm_offset < 0x200 + 1) {
        vm_error_set(err, "%s: truncated bzImage: %u setup sectors leave no protected-mode "
                          "kernel in %zu bytes", f->path, sects, f->size);
        return false;
    }
    out->pm_size = f->size - out->pm_offset;
    if (out->kernel_alignment == 0 || (out->kernel_alignment & (out->kernel_alignment - 1)) ||
        out->kernel_alignment > 1 * GiB) {
        vm_error_set(err, "%s: corrupt setup header: kernel_alignment 0x%x is not a power of "
                          "two up to 1 GiB", f->path, out->kernel_alignment);
        return false;
    }
    if (out->pref_address % PAGE || out->pref_address >= (1ULL << 46)) {
        vm_error_set(err, "%s: corrupt setup header: pref_address 0x%llx", f->path,
                     (unsigned long long)out->pref_address);
        return false;
    }
    if (out->cmdline_size == 0) {
        vm_error_set(err, "%s: corrupt setup header: cmdline_size is 0", f->path);
        return false;
    }
    return true;
}

/* ---- memory placement ---- */

typedef struct range {
    uint64_t lo, hi;
} range;

/* Is [lo, hi) inside one usable e820 range and backed by RAM on the bus? */
static bool usable(const bus *b, const e820_entry *map, size_t n, uint64_t lo, uint64_t hi)
{
    if (hi <= lo)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (map[i].type != E820_RAM || map[i].len > UINT64_MAX - map[i].base)
            continue;
        if (lo >= map[i].base && hi <= map[i].base + map[i].len)
            return bus_ram_ptr_writable(b, lo, hi - lo) != NULL;
    }
    return false;
}

static bool overlaps(uint64_t lo, uint64_t hi, const range *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lo < r[i].hi && r[i].lo < hi)
            return true;
    return false;
}

/* Highest page-aligned [a, a+size) with a+size <= limit, in usable RAM, clear of `busy`. */
static bool place_high(const bus *b, const e820_entry *map, size_t n, uint64_t size,
                       uint64_t limit, const range *busy, size_t nbusy, uint64_t *at)
{
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        if (map[i].type != E820_RAM || map[i].len > UINT64_MAX - map[i].base)
            continue;
        uint64_t lo = map[i].base, hi = map[i].base + map[i].len;
        if (hi > limit)
            hi = limit;
        /* Try below the region's top, then below each busy range's start inside it. */
        for (size_t k = 0; k <= nbusy; k++) {
            uint64_t top = k == nbusy ? hi : (busy[k].lo < hi ? busy[k].lo : hi);
            if (top < size || top - size < lo)
                continue;
            uint64_t a = (top - size) & ~(uint64_t)(PAGE - 1);
            if (a < lo || overlaps(a, a + size, busy, nbusy) || !usable(b, map, n, a, a + size))
                continue;
            if (!found || a > *at) {
                *at = a;
                found = true;
            }
        }
    }
    return found;
}

/* Lowest `align`-aligned address >= floor where [a, a+size) is usable and clear. */
static bool place_low(const bus *b, const e820_entry *map, size_t n, uint64_t size,
                      uint64_t align, uint64_t floor, uint64_t limit, const range *busy,
                      size_t nbusy, uint64_t *at)
{
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        if (map[i].type != E820_RAM || map[i].len > UINT64_MAX - map[i].base)
            continue;
        uint64_t a = align_up(map[i].base > floor ? map[i].base : floor, align);
        uint64_t hi = map[i].base + map[i].len;
        while (a < hi && size <= hi - a && a + size <= limit) {
            if (!overlaps(a, a + size, busy, nbusy) && usable(b, map, n, a, a + size)) {
                if (!found || a < *at) {
                    *at = a;
                    found = true;
                }
                break;
            }
            if (a > UINT64_MAX - align)
                break;
            a += align;
        }
    }
    return found;
}

/* The map handed to the kernel: `map` with [lo, hi) cut out of every RAM range and added
 * as one reserved range, sorted by base. */
static bool e820_build(const e820_entry *map, size_t n, uint64_t lo, uint64_t hi,
                       struct lx86_e820 *t, uint8_t *count)
{
    size_t c = 0;
    struct lx86_e820 tmp[LX86_E820_MAX + 8];
    for (size_t i = 0; i < n; i++) {
        uint64_t b = map[i].base, e = map[i].len > UINT64_MAX - b ? UINT64_MAX : b + map[i].len;
        if (c + 3 > sizeof tmp / sizeof tmp[0])
            return false;
        if (map[i].type != E820_RAM || e <= lo || b >= hi) {
            tmp[c++] = (struct lx86_e820){ b, e - b, map[i].type };
            continue;
        }
        if (b < lo)
            tmp[c++] = (struct lx86_e820){ b, lo - b, E820_RAM };
        if (e > hi)
            tmp[c++] = (struct lx86_e820){ hi, e - hi, E820_RAM };
    }
    tmp[c++] = (struct lx86_e820){ lo, hi - lo, E820_RESERVED };
    if (c > LX86_E820_MAX)
        return false;
    for (size_t i = 1; i < c; i++)   /* insertion sort: a handful of entries */
        for (size_t j = i; j > 0 && tmp[j - 1].addr > tmp[j].addr; j--) {
            struct lx86_e820 x = tmp[j];
            tmp[j] = tmp[j - 1];
            tmp[j - 1] = x;
        }
    memcpy(t, tmp, c * sizeof tmp[0]);
    *count = (uint8_t)c;
    return true;
}

/* boot.rst "64-bit Boot Protocol": identity-mapped page tables (2 MiB pages, SDM Vol.3
 * §4.5) for [0, mapped) and a GDT with flat __BOOT_CS (64-bit code) and __BOOT_DS. */
static bool build_tables(bus *b, uint64_t mapped, linux_x86_boot *out)
{
    static const uint64_t gdt[4] = {
        0, 0,
        0x00af9a000000ffffULL,  /* 0x10: present, DPL0, code exec/read, L=1, G=1 */
        0x00cf92000000ffffULL,  /* 0x18: present, DPL0, data read/write, D/B=1, G=1 */
    };
    uint8_t page[PAGE];
    for (unsigned i = 0; i < 4; i++)
        le64_put(page + 8 * i, gdt[i]);
    if (!bus_copy_to_ram(b, LX86_GDT_ADDR, page, sizeof gdt))
        return false;
    uint64_t gibs = mapped / GiB;
    memset(page, 0, sizeof page);
    le64_put(page, LX86_PDPT_ADDR | 3);   /* present, writable */
    if (!bus_copy_to_ram(b, LX86_PML4_ADDR, page, PAGE))
        return false;
    memset(page, 0, sizeof page);
    for (uint64_t g = 0; g < gibs; g++)
        le64_put(page + 8 * g, (LX86_PD_ADDR + g * PAGE) | 3);
    if (!bus_copy_to_ram(b, LX86_PDPT_ADDR, page, PAGE))
        return false;
    for (uint64_t g = 0; g < gibs; g++) {
        for (uint64_t j = 0; j < 512; j++)
            le64_put(page + 8 * j, (g * GiB + j * 2 * MiB) | 0x83);   /* present, rw, PS */
        if (!bus_copy_to_ram(b, LX86_PD_ADDR + g * PAGE, page, PAGE))
            return false;
    }
    out->cr3 = LX86_PML4_ADDR;
    out->gdt_base = LX86_GDT_ADDR;
    out->gdt_limit = sizeof gdt - 1;
    out->mapped = mapped;
    return true;
}

bool linux_x86_load(bus *b, const file_buf *kernel, const file_buf *initrd, const char *cmdline,
                    const e820_entry *map, size_t nmap, linux_x86_boot *out, vm_error *err)
{
    memset(out, 0, sizeof *out);
    linux_x86_image im;
    if (!linux_x86_parse(kernel, &im, err))
        return false;
    if (!cmdline)
        cmdline = "";
    size_t clen = strlen(cmdline);
    uint32_t cmax = im.cmdline_size < LX86_CMDLINE_MAX - 1 ? im.cmdline_size
                                                           : LX86_CMDLINE_MAX - 1;
    if (clen > cmax) {
        vm_error_set(err, "%s: command line of %zu bytes is longer than the kernel's limit of "
                          "%u", kernel->path, clen, cmax);
        return false;
    }
    if (!usable(b, map, nmap, LX86_GDT_ADDR, LX86_PD_END)) {
        vm_error_set(err, "%s: the memory map has no usable RAM at [0x%x, 0x%x) for the boot "
                          "structures", kernel->path, LX86_GDT_ADDR, LX86_PD_END);
        return false;
    }

    /* Top of RAM decides how much the identity map covers. */
    uint64_t top = 0;
    for (size_t i = 0; i < nmap; i++)
        if (map[i].type == E820_RAM && map[i].len <= UINT64_MAX - map[i].base &&
            map[i].base + map[i].len > top)
            top = map[i].base + map[i].len;
    uint64_t mapped = align_up(top > LIMIT_4G ? top : LIMIT_4G, GiB);
    uint64_t max_map = (uint64_t)(LX86_PD_END - LX86_PD_ADDR) / PAGE * GiB;
    if (mapped > max_map)
        mapped = max_map;

    range busy[3] = { { 0, LX86_PD_END } };
    size_t nbusy = 1;

    /* boot.rst: the kernel needs init_size bytes from its load address (at least the
     * image itself). */
    uint64_t ksize = im.init_size > im.pm_size ? im.init_size : im.pm_size;
    ksize = align_up(ksize, PAGE);
    uint64_t kaddr = im.pref_address;
    bool at_pref = kaddr >= 1 * MiB && kaddr <= mapped && ksize <= mapped - kaddr &&
                   usable(b, map, nmap, kaddr, kaddr + ksize) &&
                   !overlaps(kaddr, kaddr + ksize, busy, nbusy);
    if (!at_pref) {
        if (!im.relocatable) {
            vm_error_set(err, "%s: the kernel is not relocatable and its preferred address "
                              "[0x%llx, 0x%llx) is not usable RAM", kernel->path,
                         (unsigned long long)kaddr, (unsigned long long)(kaddr + ksize));
            return false;
        }
        if (!place_low(b, map, nmap, ksize, im.kernel_alignment, KERNEL_LOW_DEFAULT, mapped,
                       busy, nbusy, &kaddr) &&
            !place_low(b, map, nmap, ksize, im.kernel_alignment, 1 * MiB, mapped, busy,
                       nbusy, &kaddr)) {
            vm_error_set(err, "%s: no usable RAM for the kernel (%llu KiB, aligned to 0x%x)",
                         kernel->path, (unsigned long long)(ksize / KiB), im.kernel_alignment);
            return false;
        }
    }
    if (!bus_copy_to_ram(b, kaddr, kernel->data + im.pm_offset, im.pm_size)) {
        vm_error_set(err, "%s: kernel does not fit in guest RAM at 0x%llx", kernel->path,
                     (unsigned long long)kaddr);
        return false;
    }
    busy[nbusy++] = (range){ kaddr, kaddr + ksize };
    out->kernel_low = kaddr;
    out->kernel_high = kaddr + ksize;
    out->entry = kaddr + 0x200;   /* boot.rst: the 64-bit entry is at +0x200 */

    uint64_t iaddr = 0, isize = 0;
    if (initrd && initrd->size) {
        isize = initrd->size;
        uint64_t limit = (uint64_t)im.initrd_addr_max + 1;
        if (im.xloadflags & LX86_XLF_CAN_BE_LOADED_ABOVE_4G)
            limit = UINT64_MAX;
        if (!place_high(b, map, nmap, isize, limit, busy, nbusy, &iaddr)) {
            vm_error_set(err, "%s: no usable RAM for the initrd (%llu KiB) below 0x%llx",
                         initrd->path, (unsigned long long)(isize / KiB),
                         (unsigned long long)(limit == UINT64_MAX ? top : limit));
            return false;
        }
        if (!bus_copy_to_ram(b, iaddr, initrd->data, isize)) {
            vm_error_set(err, "%s: initrd does not fit in guest RAM at 0x%llx", initrd->path,
                         (unsigned long long)iaddr);
            return false;
        }
        out->initrd_low = iaddr;
        out->initrd_high = iaddr + isize;
    }

    if (!bus_copy_to_ram(b, LX86_CMDLINE_ADDR, cmdline, clen + 1)) {
        vm_error_set(err, "%s: cannot write the command line to guest RAM", kernel->path);
        return false;
    }
    out->cmdline = LX86_CMDLINE_ADDR;

    /* boot.rst "64-bit Boot Protocol": the setup header from the image, then the fields
     * a boot loader fills in. */
    struct lx86_boot_params *bp = calloc(1, sizeof *bp);
    if (!bp) {
        vm_error_set(err, "%s: out of memory", kernel->path);
        return false;
    }
    memcpy((uint8_t *)bp + 0x1f1, kernel->data + 0x1f1, im.setup_end - 0x1f1);
    bp->hdr.type_of_loader = 0xff;   /* boot.rst: undefined loader ID */
    bp->hdr.cmd_line_ptr = (uint32_t)LX86_CMDLINE_ADDR;
    bp->ext_cmd_line_ptr = 0;
    bp->hdr.ramdisk_image = (uint32_t)iaddr;
    bp->hdr.ramdisk_size = (uint32_t)isize;
    bp->ext_ramdisk_image = (uint32_t)(iaddr >> 32);
    bp->ext_ramdisk_size = (uint32_t)(isize >> 32);
    bp->hdr.code32_start = (uint32_t)kaddr;
    bp->hdr.setup_data = 0;
    bp->sentinel = 0;   /* boot.rst: a loader that zeroes boot_params clears it */
    struct lx86_e820 table[LX86_E820_MAX];
    uint8_t count = 0;
    if (!e820_build(map, nmap, LX86_GDT_ADDR, LX86_PDPT_ADDR + PAGE, table, &count)) {
        free(bp);
        vm_error_set(err, "%s: the memory map has too many entries (zero page holds %u)",
                     kernel->path, LX86_E820_MAX);
        return false;
    }
    /* The page directories sit above the command line: reserve them too. */
    e820_entry split[LX86_E820_MAX];
    size_t ns = 0;
    for (uint8_t i = 0; i < count; i++)
        split[ns++] = (e820_entry){ table[i].addr, table[i].size, table[i].type };
    if (!e820_build(split, ns, LX86_PD_ADDR, LX86_PD_ADDR + (mapped / GiB) * PAGE, table,
                    &count)) {
        free(bp);
        vm_error_set(err, "%s: the memory map has too many entries (zero page holds %u)",
                     kernel->path, LX86_E820_MAX);
        return false;
    }
    memcpy(bp->e820_table, table, count * sizeof table[0]);
    bp->e820_entries = count;
    bool ok = bus_copy_to_ram(b, LX86_ZERO_PAGE, bp, sizeof *bp);
    free(bp);
    if (!ok || !build_tables(b, mapped, out)) {
        vm_error_set(err, "%s: cannot write the boot structures to guest RAM", kernel->path);
        return false;
    }
    out->rsi = LX86_ZERO_PAGE;
    out->version = im.version;
    return true;
}

bool linux_x86_set_acpi_rsdp(bus *b, const linux_x86_boot *boot, gpa_t rsdp, vm_error *err)
{
    uint8_t v[8];
    le64_put(v, rsdp);
    if (!bus_copy_to_ram(b, boot->rsi + offsetof(struct lx86_boot_params, acpi_rsdp_addr), v,
                         sizeof v)) {
        vm_error_set(err, "cannot write the ACPI RSDP address to the zero page at 0x%llx",
                     (unsigned long long)boot->rsi);
        return false;
    }
    return true;
}
