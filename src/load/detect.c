#include <string.h>

#include "load/loader.h"
#include "load/multiboot.h"

/* Format detection by content. The order matters: ELF and the Linux headers have magic
 * numbers at fixed offsets; ISO9660 has "CD001" at sector 16; a Multiboot header is a
 * checksummed magic somewhere in the first 8 KiB (v1) or 32 KiB (v2); anything else is
 * raw. */
image_format image_detect(const uint8_t *d, size_t n)
{
    if (n >= 4 && memcmp(d, "\x7f" "ELF", 4) == 0) {
        /* An x86 ELF with a Multiboot header is booted through it (entry in 32-bit
         * protected mode with the boot information); the header means nothing in an ELF
         * for another machine. e_machine is the little-endian half-word at 18. */
        unsigned machine = n >= 20 ? (unsigned)(d[18] | d[19] << 8) : 0;
        if ((machine == 3 /* EM_386 */ || machine == EM_X86_64) &&
            multiboot_header_version(d, n) != 0)
            return IMG_MULTIBOOT;
        if (n >= 5 && d[4] == 2)
            return IMG_ELF64;
        return IMG_ELF32;
    }
    if (n >= 2 && d[0] == 0x1f && d[1] == 0x8b)
        return IMG_GZIP;
    /* RISC-V Image header: magic2 "RSC\x05" at 56 (magic "RISCV\0\0\0" at 48 is deprecated). */
    if (n >= 64 && (memcmp(d + 56, "RSC\x05", 4) == 0 || memcmp(d + 48, "RISCV\0\0\0", 8) == 0))
        return IMG_LINUX_RISCV;
    /* arm64 Image: magic "ARM\x64" at 56 */
    if (n >= 64 && memcmp(d + 56, "ARM\x64", 4) == 0)
        return IMG_LINUX_ARM64;
    /* x86 boot protocol: "HdrS" at 0x202 */
    if (n >= 0x206 && memcmp(d + 0x202, "HdrS", 4) == 0)
        return IMG_BZIMAGE;
    if (n >= 0x8006 && memcmp(d + 0x8001, "CD001", 5) == 0)
        return IMG_ISO9660;
    if (multiboot_header_version(d, n) != 0)
        return IMG_MULTIBOOT;
    return IMG_RAW;
}

const char *image_format_name(image_format f)
{
    switch (f) {
    case IMG_RAW: return "raw binary";
    case IMG_ELF64: return "ELF64";
    case IMG_ELF32: return "ELF32";
    case IMG_LINUX_RISCV: return "RISC-V Linux Image";
    case IMG_LINUX_ARM64: return "arm64 Linux Image";
    case IMG_BZIMAGE: return "x86 bzImage";
    case IMG_MULTIBOOT: return "Multiboot kernel";
    case IMG_ISO9660: return "ISO9660 image";
    case IMG_GZIP: return "gzip-compressed";
    default: return "unknown";
    }
}
