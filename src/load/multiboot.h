/* Multiboot loader: boots a kernel carrying a Multiboot 0.6.96 ("v1") or Multiboot2 ("v2")
 * header the way a Multiboot boot loader does — kernel image, boot modules and the boot
 * information structure placed in guest RAM — and reports the register state the kernel
 * must be entered with. The x86 board does the entry itself (32-bit protected mode, flat
 * CS/DS, paging off, A20 on, IF=0; v1 §3.2 "Machine state", v2 §3.3 "I386 machine state").
 *
 * Specifications: "Multiboot Specification version 0.6.96" (cited "MB1 §x") and
 * "Multiboot2 Specification" (cited "MB2 §x", section numbers of the GNU html edition). */
#ifndef VM_LOAD_MULTIBOOT_H
#define VM_LOAD_MULTIBOOT_H

#include "load/loader.h"

#define MB1_HEADER_MAGIC 0x1BADB002u  /* MB1 §3.1.2 */
#define MB1_BOOT_MAGIC   0x2BADB002u  /* EAX at entry, MB1 §3.2 */
#define MB1_SEARCH       8192u        /* header within the first 8 KiB, 4-aligned (§3.1.1) */
#define MB2_HEADER_MAGIC 0xE85250D6u  /* MB2 §3.1.2 */
#define MB2_BOOT_MAGIC   0x36D76289u  /* EAX at entry, MB2 §3.3 */
#define MB2_SEARCH       32768u       /* header within the first 32 KiB, 8-aligned (§3.1.1) */

/* e820 / Multiboot memory types (MB1 §3.3 mmap, MB2 §3.6.8): only 1 is usable RAM. */
#define MB_MEM_AVAILABLE 1u
#define MB_MEM_RESERVED  2u
#define MB_MEM_ACPI      3u
#define MB_MEM_NVS       4u
#define MB_MEM_BAD       5u

/* A boot module: its contents and the command line the kernel sees for it. The board
 * builds the command line as QEMU does for `-initrd "m1 arg1 arg2,m2"`: the file name
 * followed by its arguments ("m1 arg1 arg2"). NULL means the file's path alone. */
typedef struct mb_module {
    const file_buf *file;
    const char *cmdline;
} mb_module;

/* The guest's physical memory map, e820 style; passed to the kernel unchanged, and the
 * MB_MEM_AVAILABLE ranges below 4 GiB are the only places the loader writes to. */
typedef struct mb_mem_range {
    uint64_t base, len;
    uint32_t type;
} mb_mem_range;

typedef struct multiboot_boot {
    int version;               /* 1 or 2 */
    gpa_t entry;               /* 32-bit physical entry point */
    uint32_t eax, ebx;         /* magic and the info structure's physical address */
    gpa_t low, high;           /* kernel image (text, data, bss): [low, high) */
    gpa_t info_low, info_high; /* modules, info structure and its strings: [low, high) */
} multiboot_boot;

/* One entry of a module list: its file and the command line the kernel sees for it. */
typedef struct mb_module_arg {
    char *path;
    char *cmdline;
} mb_module_arg;

/* Split a Multiboot module list (`--initrd`) as QEMU splits -initrd for Multiboot: entries
 * separated by ',' (",," is a literal comma), the file name is an entry up to its first
 * space, the module's command line is the whole entry ("m1 arg1 arg2,m2" gives m1 with
 * "m1 arg1 arg2" and m2 with "m2"). An empty entry or file name is an error. The array
 * and its strings are allocated; release them with mb_module_list_free. */
bool mb_module_list_parse(const char *list, mb_module_arg **out, size_t *count, vm_error *err);
void mb_module_list_free(mb_module_arg *args, size_t count);

/* Which Multiboot header the first bytes of an image carry: 2 (Multiboot2), 1
 * (Multiboot 0.6.96) or 0 (none). Only the magic and checksum are looked at (for
 * image_detect); when an image has both, v2 wins, as in load_multiboot. */
int multiboot_header_version(const uint8_t *data, size_t size);

/* Load a Multiboot kernel (v2 header preferred when an image has both; if that v2 header
 * is refused, the v1 header is used, as a v1-only loader would):
 *  - kernel: an ELF32 (EM_386) or ELF64 (EM_X86_64) image whose PT_LOAD segments go to
 *    p_paddr below 4 GiB, or, when the header gives load addresses (v1 flags bit 16 /
 *    v2 address tag, which then take precedence over ELF), the "a.out kludge": the file
 *    from the header's offset minus (header_addr - load_addr), up to load_end_addr, then
 *    zeroed bss up to bss_end_addr;
 *  - the ELF entry is translated from a virtual to a physical address when it lies in a
 *    segment's p_vaddr range and not in its p_paddr range (higher-half kernels);
 *  - modules: page-aligned, in order, at the lowest usable addresses above the kernel;
 *    then the info structure (page-aligned) with its memory map copy and strings;
 *  - `cmdline` is the kernel's command line exactly as given (NULL = empty); QEMU and
 *    GRUB put the kernel's file name first, which the caller may do;
 *  - v1 info: flags = mem (mem_lower/mem_upper derived from `map`), cmdline, mods, mmap,
 *    boot_loader_name "vm". No video information: a v1 kernel's flags bit 2 is accepted
 *    and left unanswered (info flags bits 11/12 clear), as QEMU does;
 *  - v2 info: tags cmdline (1), boot loader name (2), modules (3), basic meminfo (4),
 *    mmap (6), end (0). A non-optional information request for anything else, a
 *    non-optional framebuffer / EFI boot services / console-required tag or an unknown
 *    non-optional header tag is refused with an error naming it.
 * Every failure (malformed header, truncated file, a segment outside usable RAM, a module
 * or info that does not fit, overflowing address arithmetic) is an error naming the file;
 * guest RAM may then be partly written. */
bool load_multiboot(bus *b, const file_buf *kernel, const char *cmdline, const mb_module *mods,
                    size_t nmods, const mb_mem_range *map, size_t nmap, multiboot_boot *out,
                    vm_error *err);

#endif
