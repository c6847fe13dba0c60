/* Multiboot 0.6.96 and Multiboot2 loader (see multiboot.h for the behaviour and the spec
 * citations). Every header and ELF field is read byte by byte as little-endian from the
 * untrusted image and every address computation is done in 64 bits with explicit bounds,
 * so a hostile image can only earn an error message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/multiboot.h"
#include "core/bytes.h"

#define PAGE_SIZE 4096u
#define LIMIT_4G (4 * GiB)          /* everything Multiboot describes is 32-bit physical */
#define LOWER_MEM_MAX (640 * KiB)   /* MB1 §3.3: "maximum possible value for lower memory" */
#define UPPER_MEM_BASE (1 * MiB)

#define ELF_EM_386 3   /* System V gABI e_machine; EM_X86_64 is in loader.h */
#define ELF_PT_LOAD 1

static const char BOOT_LOADER_NAME[] = "vm";

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return v > UINT64_MAX - (a - 1) ? UINT64_MAX : (v + a - 1) & ~(a - 1);
}

/* ---- header search (MB1 §3.1.1-3.1.2, MB2 §3.1.1-3.1.2) ---- */

static bool find_v1(const uint8_t *d, size_t n, size_t *off)
{
    for (size_t o = 0; o + 12 <= n && o + 12 <= MB1_SEARCH; o += 4) {
        uint32_t magic = le32_get(d + o);
        if (magic == MB1_HEADER_MAGIC &&
            (uint32_t)(magic + le32_get(d + o + 4) + le32_get(d + o + 8)) == 0) {
            *off = o;
            return true;
        }
    }
    return false;
}

static bool find_v2(const uint8_t *d, size_t n, size_t *off)
{
    for (size_t o = 0; o + 16 <= n && o + 16 <= MB2_SEARCH; o += 8) {
        uint32_t magic = le32_get(d + o);
        if (magic == MB2_HEADER_MAGIC &&
            (uint32_t)(magic + le32_get(d + o + 4) + le32_get(d + o + 8) + le32_get(d + o + 12)) == 0) {
            *off = o;
            return true;
        }
    }
    return false;
}

int multiboot_header_version(const uint8_t *data, size_t size)
{
    size_t off;
    if (find_v2(data, size, &off))
        return 2;
    if (find_v1(data, size, &off))
        return 1;
    return 0;
}

/* ---- what the header asks for ---- */

typedef struct mb_request {
    int version;
    size_t off;                 /* file offset of the header */
    bool addr_valid;            /* v1 flags bit 16 / v2 address tag: the a.out kludge */
    uint32_t header_addr, load_addr, load_end_addr, bss_end_addr;
    bool entry_valid;           /* v1 flags bit 16 / v2 entry address tag */
    uint32_t entry_addr;
} mb_request;

/* MB1 §3.1.2: bits 0-15 are requirements the loader must refuse when it does not know
 * them. Bit 0 (page-aligned modules) and bit 1 (memory information) are always met; bit 2
 * (video mode table) is accepted without video information, as QEMU does. */
#define MB1_KNOWN_REQUIRED 0x7u
#define MB1_FLAG_ADDRESS (1u << 16)

static bool parse_v1(const file_buf *f, size_t off, mb_request *rq, vm_error *err)
{
    const uint8_t *h = f->data + off;
    uint32_t flags = le32_get(h + 4);
    uint32_t unknown = flags & 0xFFFFu & ~MB1_KNOWN_REQUIRED;
    if (unknown) {
        vm_error_set(err, "%s: Multiboot header requires features this loader does not "
                          "know (flags 0x%x, unknown bits 0x%x)", f->path, flags, unknown);
        return false;
    }
    if (flags & MB1_FLAG_ADDRESS) {
        if (f->size - off < 32) {
            vm_error_set(err, "%s: truncated Multiboot header: address fields past the end "
                              "of the file", f->path);
            return false;
        }
        rq->addr_valid = rq->entry_valid = true;
        rq->header_addr = le32_get(h + 12);
        rq->load_addr = le32_get(h + 16);
        rq->load_end_addr = le32_get(h + 20);
        rq->bss_end_addr = le32_get(h + 24);
        rq->entry_addr = le32_get(h + 28);
    }
    return true;
}

/* MB2 §3.6: the boot information tag types, for messages. */
static const char *mbi_tag_name(uint32_t t)
{
    static const char *const names[] = {
        "end", "command line", "boot loader name", "modules", "basic memory information",
        "BIOS boot device", "memory map", "VBE information", "framebuffer information",
        "ELF sections", "APM table", "EFI 32-bit system table", "EFI 64-bit system table",
        "SMBIOS tables", "ACPI 1.0 RSDP", "ACPI 2.0 RSDP", "network information",
        "EFI memory map", "EFI boot services not terminated", "EFI 32-bit image handle",
        "EFI 64-bit image handle", "image load base address",
    };
    return t < sizeof names / sizeof names[0] ? names[t] : "unknown";
}

/* The information tags load_multiboot always writes. */
static bool mbi_tag_provided(uint32_t t)
{
    return t == 0 || t == 1 || t == 2 || t == 3 || t == 4 || t == 6;
}

enum {
    MB2_TAG_END = 0, MB2_TAG_INFO_REQUEST = 1, MB2_TAG_ADDRESS = 2, MB2_TAG_ENTRY = 3,
    MB2_TAG_CONSOLE = 4, MB2_TAG_FRAMEBUFFER = 5, MB2_TAG_MODULE_ALIGN = 6,
    MB2_TAG_EFI_BS = 7, MB2_TAG_EFI32_ENTRY = 8, MB2_TAG_EFI64_ENTRY = 9,
    MB2_TAG_RELOCATABLE = 10,
};

static bool parse_v2_tag(const file_buf *f, const uint8_t *t, uint32_t size, size_t pos,
                         mb_request *rq, vm_error *err)
{
    uint16_t type = le16_get(t);
    bool optional = le16_get(t + 2) & 1; /* MB2 §3.1.3 */
    switch (type) {
    case MB2_TAG_INFO_REQUEST: /* §3.1.4 */
        for (uint32_t i = 8; i + 4 <= size; i += 4) {
            uint32_t want = le32_get(t + i);
            if (!optional && !mbi_tag_provided(want)) {
                vm_error_set(err, "%s: Multiboot2 kernel requires boot information tag %u "
                                  "(%s), which vm does not provide", f->path, want,
                             mbi_tag_name(want));
                return false;
            }
        }
        return true;
    case MB2_TAG_ADDRESS: /* §3.1.5 */
        if (size < 24)
            break;
        rq->addr_valid = true;
        rq->header_addr = le32_get(t + 8);
        rq->load_addr = le32_get(t + 12);
        rq->load_end_addr = le32_get(t + 16);
        rq->bss_end_addr = le32_get(t + 20);
        return true;
    case MB2_TAG_ENTRY: /* §3.1.6 */
        if (size < 12)
            break;
        rq->entry_valid = true;
        rq->entry_addr = le32_get(t + 8);
        return true;
    case MB2_TAG_CONSOLE: /* §3.1.9: bit 0 = a console must be described in the info */
        if (size < 12)
            break;
        if (!optional && (le32_get(t + 8) & 1)) {
            vm_error_set(err, "%s: Multiboot2 kernel requires a console described in the boot "
                              "information (flags tag), which vm does not provide", f->path);
            return false;
        }
        return true;
    case MB2_TAG_FRAMEBUFFER: /* §3.1.10 */
        if (!optional) {
            vm_error_set(err, "%s: Multiboot2 kernel requires a framebuffer (non-optional "
                              "framebuffer tag), which vm does not provide", f->path);
            return false;
        }
        return true;
    case MB2_TAG_MODULE_ALIGN: /* §3.1.11: modules are always page-aligned here */
    case MB2_TAG_EFI32_ENTRY:  /* §3.1.7-3.1.8: only used with EFI boot services */
    case MB2_TAG_EFI64_ENTRY:
    case MB2_TAG_RELOCATABLE:  /* §3.1.13: the link address is one the image accepts */
        return true;
    case MB2_TAG_EFI_BS: /* §3.1.12 */
        if (!optional) {
            vm_error_set(err, "%s: Multiboot2 kernel requires EFI boot services; vm boots it "
                              "as a BIOS loader", f->path);
            return false;
        }
        return true;
    default:
        if (!optional) {
            vm_error_set(err, "%s: Multiboot2 header has an unknown non-optional tag %u",
                         f->path, (unsigned)type);
            return false;
        }
        return true;
    }
    vm_error_set(err, "%s: Multiboot2 header tag %u at offset 0x%zx is too short (%u bytes)",
                 f->path, type, pos, size);
    return false;
}

static bool parse_v2(const file_buf *f, size_t off, mb_request *rq, vm_error *err)
{
    const uint8_t *h = f->data + off;
    uint32_t arch = le32_get(h + 4), len = le32_get(h + 8);
    if (arch != 0) {
        vm_error_set(err, "%s: Multiboot2 header for architecture %u%s, not i386 (0)", f->path,
                     arch, arch == 4 ? " (MIPS)" : "");
        return false;
    }
    if (len < 16 + 8) {
        vm_error_set(err, "%s: Multiboot2 header_length %u is too short for any tag", f->path,
                     len);
        return false;
    }
    if (len > f->size - off) {
        vm_error_set(err, "%s: truncated Multiboot2 header: header_length %u runs past the end "
                          "of the file", f->path, len);
        return false;
    }
    /* §3.1.3: tags follow the 16-byte fixed part, each starting 8-byte aligned */
    for (uint64_t pos = 16; pos + 8 <= len;) {
        const uint8_t *t = h + pos;
        uint32_t size = le32_get(t + 4);
        if (size < 8 || size > len - pos) {
            vm_error_set(err, "%s: Multiboot2 header tag %u at offset 0x%llx has a bad size "
                              "(%u bytes)", f->path, (unsigned)le16_get(t),
                         (unsigned long long)(off + pos), size);
            return false;
        }
        if (le16_get(t) == MB2_TAG_END)
            return true;
        if (!parse_v2_tag(f, t, size, off + (size_t)pos, rq, err))
            return false;
        pos = align_up(pos + size, 8);
    }
    vm_error_set(err, "%s: Multiboot2 header has no end tag", f->path);
    return false;
}

/* ---- the memory map: where writing is allowed ---- */

typedef struct mem_map {
    const mb_mem_range *r;
    size_t n;
} mem_map;

static uint64_t range_end(const mb_mem_range *r)
{
    return r->len > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->len;
}

/* End of the run of available RAM (adjacent available ranges merged) that contains
 * `addr`; `addr` itself when no available range contains it. */
static uint64_t available_end(const mem_map *m, uint64_t addr)
{
    uint64_t pos = addr;
    for (size_t pass = 0; pass <= m->n; pass++) {
        bool grew = false;
        for (size_t i = 0; i < m->n; i++) {
            const mb_mem_range *r = &m->r[i];
            if (r->type == MB_MEM_AVAILABLE && r->base <= pos && pos < range_end(r)) {
                pos = range_end(r);
                grew = true;
            }
        }
        if (!grew)
            break;
    }
    return pos;
}

/* [base, base+len) (at least one byte) lies in available RAM below 4 GiB and in no range
 * of another type (a map may list a reserved hole inside an available range). */
static bool ram_usable(const mem_map *m, uint64_t base, uint64_t len)
{
    if (len == 0)
        len = 1;
    if (base > LIMIT_4G || len > LIMIT_4G - base)
        return false;
    uint64_t end = base + len;
    if (available_end(m, base) < end)
        return false;
    for (size_t i = 0; i < m->n; i++) {
        const mb_mem_range *r = &m->r[i];
        if (r->type != MB_MEM_AVAILABLE && r->len && r->base < end && range_end(r) > base)
            return false;
    }
    return true;
}

/* Lowest page-aligned address >= floor where `len` bytes are usable; false if none. The
 * candidates are the floor and every range boundary above it: the lowest fit starts at
 * one of them. */
static bool place(const mem_map *m, uint64_t floor, uint64_t len, uint64_t *out)
{
    bool found = false;
    uint64_t best = 0;
    for (size_t i = 0; i <= 2 * m->n; i++) {
        uint64_t c = floor;
        if (i > 0) {
            const mb_mem_range *r = &m->r[(i - 1) / 2];
            uint64_t edge = (i & 1) ? r->base : range_end(r);
            c = edge > floor ? edge : floor;
        }
        c = align_up(c, PAGE_SIZE);
        if ((!found || c < best) && ram_usable(m, c, len)) {
            best = c;
            found = true;
        }
    }
    *out = best;
    return found;
}

/* Copy `filesz` bytes to guest-physical `paddr` and zero up to `memsz`. */
static bool place_segment(bus *b, const file_buf *f, const mem_map *m, const char *what,
                          uint64_t paddr, const uint8_t *src, uint64_t filesz, uint64_t memsz,
                          vm_error *err)
{
    if (paddr >= LIMIT_4G || memsz > LIMIT_4G - paddr) {
        vm_error_set(err, "%s: %s at 0x%llx (0x%llx bytes) is not below 4 GiB", f->path, what,
                     (unsigned long long)paddr, (unsigned long long)memsz);
        return false;
    }
    uint8_t *dst = ram_usable(m, paddr, memsz) ? bus_ram_ptr(b, paddr, memsz) : NULL;
    if (!dst) {
        vm_error_set(err, "%s: %s at 0x%llx-0x%llx is outside usable guest RAM", f->path, what,
                     (unsigned long long)paddr, (unsigned long long)(paddr + memsz));
        return false;
    }
    memcpy(dst, src, filesz);
    memset(dst + filesz, 0, memsz - filesz);
    bus_ram_written(b, paddr, memsz);
    return true;
}

/* ---- the kernel image ---- */

/* MB1 §3.1.3 / MB2 §3.1.5: the file from offset (header offset - (header_addr -
 * load_addr)) goes to load_addr, up to load_end_addr (0: the rest of the file), then bss
 * is zeroed up to bss_end_addr (0: none). */
static bool load_kludge(bus *b, const file_buf *f, const mem_map *m, const mb_request *rq,
                        multiboot_boot *out, vm_error *err)
{
    uint64_t load = rq->load_addr, hdr = rq->header_addr;
    if (rq->version == 2 && rq->load_addr == UINT32_MAX) {
        /* MB2 §3.1.5: -1 = load from the start of the file, keeping the header at
         * header_addr */
        if (hdr < rq->off) {
            vm_error_set(err, "%s: header_addr 0x%llx is below the header's file offset 0x%zx",
                         f->path, (unsigned long long)hdr, rq->off);
            return false;
        }
        load = hdr - rq->off;
    }
    if (load > hdr) {
        vm_error_set(err, "%s: Multiboot load_addr 0x%llx is above header_addr 0x%llx", f->path,
                     (unsigned long long)load, (unsigned long long)hdr);
        return false;
    }
    if (hdr - load > rq->off) {
        vm_error_set(err, "%s: Multiboot header_addr - load_addr (0x%llx) reaches before the "
                          "start of the file (header at offset 0x%zx)", f->path,
                     (unsigned long long)(hdr - load), rq->off);
        return false;
    }
    uint64_t foff = rq->off - (hdr - load);
    uint64_t avail = f->size - foff, size = avail;
    if (rq->load_end_addr != 0) {
        if (rq->load_end_addr < load) {
            vm_error_set(err, "%s: Multiboot load_end_addr 0x%x is below load_addr 0x%llx",
                         f->path, rq->load_end_addr, (unsigned long long)load);
            return false;
        }
        size = rq->load_end_addr - load;
        if (size > avail) {
            vm_error_set(err, "%s: truncated: 0x%llx bytes to load from offset 0x%llx, the file "
                              "has %zu bytes", f->path, (unsigned long long)size,
                         (unsigned long long)foff, f->size);
            return false;
        }
    }
    uint64_t end = size > UINT64_MAX - load ? UINT64_MAX : load + size, mem_end = end;
    if (rq->bss_end_addr != 0) {
        if (rq->bss_end_addr < end) {
            vm_error_set(err, "%s: Multiboot bss_end_addr 0x%x is below the end of the loaded "
                              "image 0x%llx", f->path, rq->bss_end_addr,
                         (unsigned long long)end);
            return false;
        }
        mem_end = rq->bss_end_addr;
    }
    if (!rq->entry_valid) {
        vm_error_set(err, "%s: Multiboot2 address tag without an entry address tag", f->path);
        return false;
    }
    if (mem_end == load) {
        vm_error_set(err, "%s: Multiboot address fields load nothing", f->path);
        return false;
    }
    if (!place_segment(b, f, m, "kernel image", load, f->data + foff, size, mem_end - load, err))
        return false;
    out->low = load;
    out->high = mem_end;
    out->entry = rq->entry_addr;
    return true;
}

/* The ELF fields the loader needs, from either class (System V gABI, "ELF Header" and
 * "Program Header"). */
typedef struct elf_view {
    bool is64;
    uint64_t entry, phoff;
    unsigned phentsize, phnum;
} elf_view;

typedef struct elf_seg {
    uint32_t type;
    uint64_t offset, vaddr, paddr, filesz, memsz;
} elf_seg;

static bool elf_header(const file_buf *f, elf_view *e, vm_error *err)
{
    const uint8_t *d = f->data;
    e->is64 = d[4] == 2;
    if (d[4] != 1 && d[4] != 2) {
        vm_error_set(err, "%s: ELF of unknown class %u", f->path, d[4]);
        return false;
    }
    if (f->size < (e->is64 ? 64u : 52u)) {
        vm_error_set(err, "%s: truncated ELF header (%zu bytes)", f->path, f->size);
        return false;
    }
    if (d[5] != 1) {
        vm_error_set(err, "%s: big-endian ELF is not an x86 kernel", f->path);
        return false;
    }
    uint16_t machine = le16_get(d + 18), want = e->is64 ? EM_X86_64 : ELF_EM_386;
    if (machine != want) {
        vm_error_set(err, "%s: ELF%s for machine %u, a Multiboot kernel needs %s", f->path,
                     e->is64 ? "64" : "32", machine, e->is64 ? "x86_64 (62)" : "i386 (3)");
        return false;
    }
    if (e->is64) {
        e->entry = le64_get(d + 24);
        e->phoff = le64_get(d + 32);
        e->phentsize = le16_get(d + 54);
        e->phnum = le16_get(d + 56);
    } else {
        e->entry = le32_get(d + 24);
        e->phoff = le32_get(d + 28);
        e->phentsize = le16_get(d + 42);
        e->phnum = le16_get(d + 44);
    }
    if (e->phnum == 0 || e->phentsize < (e->is64 ? 56u : 32u)) {
        vm_error_set(err, "%s: ELF has no usable program headers", f->path);
        return false;
    }
    if (e->phoff > f->size || (uint64_t)e->phnum * e->phentsize > f->size - e->phoff) {
        vm_error_set(err, "%s: truncated ELF program headers", f->path);
        return false;
    }
    return true;
}

static elf_seg elf_segment(const file_buf *f, const elf_view *e, unsigned i)
{
    const uint8_t *p = f->data + e->phoff + (uint64_t)i * e->phentsize;
    elf_seg s;
    s.type = le32_get(p);
    if (e->is64) {
        s.offset = le64_get(p + 8);
        s.vaddr = le64_get(p + 16);
        s.paddr = le64_get(p + 24);
        s.filesz = le64_get(p + 32);
        s.memsz = le64_get(p + 40);
    } else {
        s.offset = le32_get(p + 4);
        s.vaddr = le32_get(p + 8);
        s.paddr = le32_get(p + 12);
        s.filesz = le32_get(p + 16);
        s.memsz = le32_get(p + 20);
    }
    return s;
}

/* `entry_given`: the header names the entry (MB2 §3.1.6), e_entry is not used. */
static bool load_elf_kernel(bus *b, const file_buf *f, const mem_map *m, bool entry_given,
                            multiboot_boot *out, vm_error *err)
{
    elf_view e;
    if (!elf_header(f, &e, err))
        return false;
    out->low = UINT64_MAX;
    out->high = 0;
    bool virt_hit = false, phys_hit = false;
    uint64_t virt_entry = 0;
    for (unsigned i = 0; i < e.phnum; i++) {
        elf_seg s = elf_segment(f, &e, i);
        if (s.type != ELF_PT_LOAD || s.memsz == 0)
            continue;
        if (s.filesz > s.memsz) {
            vm_error_set(err, "%s: ELF segment %u has file size larger than memory size",
                         f->path, i);
            return false;
        }
        if (s.offset > f->size || s.filesz > f->size - s.offset) {
            vm_error_set(err, "%s: truncated: ELF segment %u extends past the end of the file",
                         f->path, i);
            return false;
        }
        char what[32];
        snprintf(what, sizeof what, "ELF segment %u", i);
        if (!place_segment(b, f, m, what, s.paddr, f->data + s.offset, s.filesz, s.memsz, err))
            return false;
        if (s.paddr < out->low)
            out->low = s.paddr;
        if (s.paddr + s.memsz > out->high)
            out->high = s.paddr + s.memsz;
        /* e_entry is a virtual address; paging is off at entry (MB1 §3.2), so a
         * higher-half kernel's entry is taken through its segment's p_paddr */
        if (!virt_hit && e.entry >= s.vaddr && e.entry - s.vaddr < s.memsz) {
            virt_hit = true;
            virt_entry = s.paddr + (e.entry - s.vaddr);
        }
        if (e.entry >= s.paddr && e.entry - s.paddr < s.memsz)
            phys_hit = true;
    }
    if (out->high == 0) {
        vm_error_set(err, "%s: ELF has no loadable segments", f->path);
        return false;
    }
    if (!virt_hit && !phys_hit && !entry_given) {
        vm_error_set(err, "%s: ELF entry point 0x%llx is not inside any loadable segment",
                     f->path, (unsigned long long)e.entry);
        return false;
    }
    out->entry = virt_hit ? virt_entry : e.entry;
    return true;
}

/* ---- modules and the boot information ---- */

/* A byte count that must stay below 4 GiB; false once it does not. */
static bool grow(uint64_t *acc, uint64_t n)
{
    if (n > LIMIT_4G || *acc > LIMIT_4G - n)
        return false;
    *acc += n;
    return true;
}

static const char *module_cmdline(const mb_module *mod)
{
    return mod->cmdline ? mod->cmdline : mod->file->path;
}

typedef struct mb_info_args {
    const char *cmdline;
    const mb_module *mods;
    const uint64_t *mod_addr;
    size_t nmods;
    const mem_map *map;
    uint32_t mem_lower, mem_upper;   /* KiB */
} mb_info_args;

/* Size of the v1 information: the 116-byte structure (MB1 §3.3, rounded to 8), the module
 * list (16 bytes each), the memory map (24-byte entries: size field + 20 bytes) and the
 * strings. 0 if it would not fit below 4 GiB. */
#define MB1_INFO_SIZE 120u
static uint64_t v1_info_size(const mb_info_args *a)
{
    uint64_t n = MB1_INFO_SIZE;
    if (a->nmods > LIMIT_4G / 16 || a->map->n > LIMIT_4G / 24 || !grow(&n, a->nmods * 16) ||
        !grow(&n, a->map->n * 24) || !grow(&n, strlen(a->cmdline) + 1) ||
        !grow(&n, sizeof BOOT_LOADER_NAME))
        return 0;
    for (size_t i = 0; i < a->nmods; i++)
        if (!grow(&n, strlen(module_cmdline(&a->mods[i])) + 1))
            return 0;
    return n;
}

static uint64_t put_string(uint8_t *buf, uint64_t *pos, const char *s)
{
    size_t len = strlen(s) + 1;
    uint64_t at = *pos;
    memcpy(buf + at, s, len);
    *pos += len;
    return at;
}

/* MB1 §3.3 "Boot information format" */
static void v1_info_build(const mb_info_args *a, uint8_t *buf, uint64_t base)
{
    enum { F_MEM = 1u << 0, F_CMDLINE = 1u << 2, F_MODS = 1u << 3, F_MMAP = 1u << 6,
           F_LOADER = 1u << 9 };
    uint64_t mods_off = MB1_INFO_SIZE, mmap_off = mods_off + a->nmods * 16;
    uint64_t str = mmap_off + a->map->n * 24;
    le32_put(buf + 0, F_MEM | F_CMDLINE | F_MODS | F_MMAP | F_LOADER);
    le32_put(buf + 4, a->mem_lower);
    le32_put(buf + 8, a->mem_upper);
    le32_put(buf + 16, (uint32_t)(base + put_string(buf, &str, a->cmdline)));
    le32_put(buf + 20, (uint32_t)a->nmods);
    le32_put(buf + 24, (uint32_t)(base + mods_off));
    le32_put(buf + 44, (uint32_t)(a->map->n * 24));
    le32_put(buf + 48, (uint32_t)(base + mmap_off));
    le32_put(buf + 64, (uint32_t)(base + put_string(buf, &str, BOOT_LOADER_NAME)));
    for (size_t i = 0; i < a->nmods; i++) {
        uint8_t *m = buf + mods_off + i * 16;
        le32_put(m + 0, (uint32_t)a->mod_addr[i]);
        le32_put(m + 4, (uint32_t)(a->mod_addr[i] + a->mods[i].file->size)); /* exclusive end */
        le32_put(m + 8, (uint32_t)(base + put_string(buf, &str, module_cmdline(&a->mods[i]))));
    }
    /* each entry: size (20, not counting itself), base_addr, length, type */
    for (size_t i = 0; i < a->map->n; i++) {
        uint8_t *e = buf + mmap_off + i * 24;
        le32_put(e + 0, 20);
        le64_put(e + 4, a->map->r[i].base);
        le64_put(e + 12, a->map->r[i].len);
        le32_put(e + 20, a->map->r[i].type);
    }
}

/* MB2 §3.6.2: a tag is an 8-byte header plus payload, the next one 8-byte aligned */
static uint64_t v2_string_tag_size(const char *s)
{
    return align_up(8 + strlen(s) + 1, 8);
}

static uint64_t v2_info_size(const mb_info_args *a)
{
    uint64_t n = 8; /* total_size, reserved (§3.6.1) */
    if (a->map->n > LIMIT_4G / 24 || !grow(&n, v2_string_tag_size(a->cmdline)) ||
        !grow(&n, v2_string_tag_size(BOOT_LOADER_NAME)) || !grow(&n, 16) /* meminfo */ ||
        !grow(&n, align_up(16 + a->map->n * 24, 8)) || !grow(&n, 8) /* end */)
        return 0;
    for (size_t i = 0; i < a->nmods; i++)
        if (!grow(&n, align_up(16 + strlen(module_cmdline(&a->mods[i])) + 1, 8)))
            return 0;
    return n;
}

static uint8_t *v2_tag(uint8_t *buf, uint64_t *pos, uint32_t type, uint64_t size)
{
    uint8_t *t = buf + *pos;
    le32_put(t, type);
    le32_put(t + 4, (uint32_t)size);
    *pos = align_up(*pos + size, 8);
    return t;
}

static void v2_info_build(const mb_info_args *a, uint8_t *buf, uint64_t total)
{
    uint64_t pos = 8;
    le32_put(buf, (uint32_t)total);
    le32_put(buf + 4, 0);
    uint8_t *t = v2_tag(buf, &pos, 1, 8 + strlen(a->cmdline) + 1); /* §3.6.5 */
    memcpy(t + 8, a->cmdline, strlen(a->cmdline) + 1);
    t = v2_tag(buf, &pos, 2, 8 + sizeof BOOT_LOADER_NAME); /* §3.6.9 */
    memcpy(t + 8, BOOT_LOADER_NAME, sizeof BOOT_LOADER_NAME);
    for (size_t i = 0; i < a->nmods; i++) { /* §3.6.6 */
        const char *s = module_cmdline(&a->mods[i]);
        t = v2_tag(buf, &pos, 3, 16 + strlen(s) + 1);
        le32_put(t + 8, (uint32_t)a->mod_addr[i]);
        le32_put(t + 12, (uint32_t)(a->mod_addr[i] + a->mods[i].file->size));
        memcpy(t + 16, s, strlen(s) + 1);
    }
    t = v2_tag(buf, &pos, 4, 16); /* §3.6.3 */
    le32_put(t + 8, a->mem_lower);
    le32_put(t + 12, a->mem_upper);
    t = v2_tag(buf, &pos, 6, 16 + a->map->n * 24); /* §3.6.8 */
    le32_put(t + 8, 24); /* entry_size */
    le32_put(t + 12, 0); /* entry_version */
    for (size_t i = 0; i < a->map->n; i++) {
        uint8_t *e = t + 16 + i * 24;
        le64_put(e, a->map->r[i].base);
        le64_put(e + 8, a->map->r[i].len);
        le32_put(e + 16, a->map->r[i].type);
        le32_put(e + 20, 0);
    }
    v2_tag(buf, &pos, 0, 8); /* §3.6.2: end */
}

/* MB1 §3.3: lower memory starts at 0 (at most 640 KiB), upper memory at 1 MiB up to the
 * first hole; both in KiB. */
static void mem_sizes(const mem_map *m, uint32_t *lower, uint32_t *upper)
{
    uint64_t lo = available_end(m, 0);
    *lower = (uint32_t)((lo > LOWER_MEM_MAX ? LOWER_MEM_MAX : lo) / KiB);
    uint64_t up = (available_end(m, UPPER_MEM_BASE) - UPPER_MEM_BASE) / KiB;
    *upper = up > UINT32_MAX ? UINT32_MAX : (uint32_t)up;
}

static bool place_modules(bus *b, const file_buf *kernel, const mb_module *mods, size_t nmods,
                          const mem_map *m, uint64_t *floor, uint64_t *addr, vm_error *err)
{
    for (size_t i = 0; i < nmods; i++) {
        const file_buf *mf = mods[i].file;
        uint64_t at;
        if ((uint64_t)mf->size > LIMIT_4G || !place(m, *floor, mf->size, &at)) {
            vm_error_set(err, "%s: module of %zu bytes does not fit in usable RAM below 4 GiB "
                              "above 0x%llx (kernel %s)", mf->path, mf->size,
                         (unsigned long long)*floor, kernel->path);
            return false;
        }
        if (!bus_copy_to_ram(b, at, mf->data, mf->size)) {
            vm_error_set(err, "%s: module at 0x%llx (%zu bytes) is outside guest RAM", mf->path,
                         (unsigned long long)at, mf->size);
            return false;
        }
        addr[i] = at;
        *floor = at + mf->size;
    }
    return true;
}

static bool place_info(bus *b, const file_buf *kernel, const mb_info_args *a, int version,
                       uint64_t floor, uint64_t *base, uint64_t *size, vm_error *err)
{
    uint64_t n = version == 1 ? v1_info_size(a) : v2_info_size(a);
    if (n == 0 || !place(a->map, floor, n, base)) {
        vm_error_set(err, "%s: no room for the Multiboot boot information (%llu bytes) in usable "
                          "RAM below 4 GiB above 0x%llx", kernel->path, (unsigned long long)n,
                     (unsigned long long)floor);
        return false;
    }
    uint8_t *buf = calloc(1, n);
    if (!buf) {
        vm_error_set(err, "%s: out of memory building the Multiboot boot information",
                     kernel->path);
        return false;
    }
    if (version == 1)
        v1_info_build(a, buf, *base);
    else
        v2_info_build(a, buf, n);
    bool ok = bus_copy_to_ram(b, *base, buf, n);
    free(buf);
    if (!ok) {
        vm_error_set(err, "%s: Multiboot boot information at 0x%llx is outside guest RAM",
                     kernel->path, (unsigned long long)*base);
        return false;
    }
    *size = n;
    return true;
}

bool load_multiboot(bus *b, const file_buf *kernel, const char *cmdline, const mb_module *mods,
                    size_t nmods, const mb_mem_range *map, size_t nmap, multiboot_boot *out,
                    vm_error *err)
{
    memset(out, 0, sizeof *out);
    const file_buf *f = kernel;
    mem_map m = { map, nmap };
    mb_request rq;
    memset(&rq, 0, sizeof rq);
    size_t off1;
    bool has_v1 = find_v1(f->data, f->size, &off1);
    if (find_v2(f->data, f->size, &rq.off)) {
        rq.version = 2;
        if (!parse_v2(f, rq.off, &rq, err)) {
            /* A kernel with both headers boots through v1 on a v1-only loader (QEMU);
             * do the same when its v2 header asks for what we cannot give. */
            if (!has_v1)
                return false;
            memset(&rq, 0, sizeof rq);
        }
    }
    if (rq.version == 0 && has_v1) {
        rq.version = 1;
        rq.off = off1;
        if (!parse_v1(f, rq.off, &rq, err))
            return false;
    } else if (rq.version == 0) {
        vm_error_set(err, "%s: no Multiboot header (none in the first 8 KiB, no Multiboot2 "
                          "header in the first 32 KiB)", f->path);
        return false;
    }
    out->version = rq.version;

    /* The address fields take precedence over the ELF headers (MB1 §3.1.3, MB2 §3.1.5) */
    bool ok;
    if (rq.addr_valid)
        ok = load_kludge(b, f, &m, &rq, out, err);
    else if (f->size >= 5 && memcmp(f->data, "\x7f" "ELF", 4) == 0)
        ok = load_elf_kernel(b, f, &m, rq.entry_valid, out, err);
    else {
        vm_error_set(err, "%s: Multiboot kernel is not ELF and its header gives no load "
                          "addresses (%s)", f->path,
                     rq.version == 1 ? "flags bit 16" : "address tag");
        return false;
    }
    if (!ok)
        return false;
    if (rq.entry_valid)
        out->entry = rq.entry_addr; /* MB1 §3.1.3, MB2 §3.1.6: overrides the ELF entry */
    if (out->entry < out->low || out->entry >= out->high) {
        vm_error_set(err, "%s: Multiboot entry point 0x%llx is outside the loaded kernel "
                          "(0x%llx-0x%llx)", f->path, (unsigned long long)out->entry,
                     (unsigned long long)out->low, (unsigned long long)out->high);
        return false;
    }

    uint64_t *mod_addr = calloc(nmods ? nmods : 1, sizeof *mod_addr);
    if (!mod_addr) {
        vm_error_set(err, "%s: out of memory for %zu modules", f->path, nmods);
        return false;
    }
    mb_info_args a = { cmdline ? cmdline : "", mods, mod_addr, nmods, &m, 0, 0 };
    mem_sizes(&m, &a.mem_lower, &a.mem_upper);
    uint64_t floor = out->high, info_base = 0, info_size = 0;
    ok = place_modules(b, f, mods, nmods, &m, &floor, mod_addr, err) &&
         place_info(b, f, &a, rq.version, floor, &info_base, &info_size, err);
    if (ok) {
        out->info_low = nmods ? mod_addr[0] : info_base;
        out->info_high = info_base + info_size;
        out->eax = rq.version == 1 ? MB1_BOOT_MAGIC : MB2_BOOT_MAGIC;
        out->ebx = (uint32_t)info_base;
    }
    free(mod_addr);
    return ok;
}

/* ---- the module list of the command line ---- */

void mb_module_list_free(mb_module_arg *args, size_t count)
{
    for (size_t i = 0; args && i < count; i++) {
        free(args[i].path);
        free(args[i].cmdline);
    }
    free(args);
}

bool mb_module_list_parse(const char *list, mb_module_arg **out, size_t *count, vm_error *err)
{
    *out = NULL;
    *count = 0;
    size_t n = 1;
    for (const char *p = list; *p; p++) {
        if (p[0] == ',' && p[1] == ',')
            p++;
        else if (*p == ',')
            n++;
    }
    mb_module_arg *args = calloc(n, sizeof *args);
    char *entry = malloc(strlen(list) + 1);
    if (!args || !entry) {
        free(args);
        free(entry);
        vm_error_set(err, "out of memory for the module list");
        return false;
    }
    const char *p = list;
    size_t i = 0;
    for (;;) {
        size_t len = 0;
        while (*p && !(p[0] == ',' && p[1] != ',')) {
            if (p[0] == ',') /* ",," */
                p++;
            entry[len++] = *p++;
        }
        entry[len] = 0;
        size_t plen = strcspn(entry, " ");
        if (plen == 0) {
            vm_error_set(err, "module list \"%s\": entry %zu has no file name", list, i + 1);
            break;
        }
        args[i].cmdline = strdup(entry);
        args[i].path = strndup(entry, plen);
        i++;
        if (!args[i - 1].cmdline || !args[i - 1].path) {
            vm_error_set(err, "out of memory for the module list");
            break;
        }
        if (!*p) {
            free(entry);
            *out = args;
            *count = i;
            return true;
        }
        p++; /* the separating comma */
    }
    free(entry);
    mb_module_list_free(args, i);
    return false;
}
