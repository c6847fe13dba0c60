/* RISC-V Linux Image loader (Linux Documentation/arch/riscv/boot-image-header.rst):
 *   u32 code0, code1; u64 text_offset, image_size, flags; u32 version, res1; u64 res2;
 *   u64 magic ("RISCV\0\0\0", deprecated); u32 magic2 ("RSC\x05"); u32 res3. */
#include <string.h>

#include "load/loader.h"

bool load_riscv_image(bus *b, const file_buf *f, gpa_t ram_base, loaded_image *out,
                      vm_error *err)
{
    memset(out, 0, sizeof *out);
    if (f->size < 64) {
        vm_error_set(err, "%s: truncated RISC-V Image header", f->path);
        return false;
    }
    uint64_t text_offset, image_size;
    memcpy(&text_offset, f->data + 8, 8);
    memcpy(&image_size, f->data + 16, 8);
    /* Old images leave text_offset zero; the kernel wants a 2 MiB aligned base on RV64. */
    if (text_offset == 0)
        text_offset = 2 * MiB;
    if (image_size < f->size)
        image_size = f->size;
    const bus_region *ram = bus_find(b, ram_base, 1);
    if (!ram || !ram->host || text_offset > ram->size || image_size > ram->size - text_offset) {
        vm_error_set(err, "%s: image of %llu bytes is larger than guest RAM (%llu MiB)", f->path,
                     (unsigned long long)image_size,
                     (unsigned long long)(ram ? ram->size / MiB : 0));
        return false;
    }
    gpa_t at = ram_base + text_offset;
    if (!bus_copy_to_ram(b, at, f->data, f->size)) {
        vm_error_set(err, "%s: does not fit in guest RAM at 0x%llx", f->path,
                     (unsigned long long)at);
        return false;
    }
    out->format = IMG_LINUX_RISCV;
    out->entry = at;
    out->low = at;
    out->high = at + image_size;
    return true;
}
