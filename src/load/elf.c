/* ELF64 loader (System V gABI, "Program Header" and "Symbol Table" chapters). */
#include <string.h>

#include "load/elf_format.h"
#include "load/loader.h"

static const char *machine_name(uint16_t m)
{
    switch (m) {
    case EM_RISCV: return "RISC-V";
    case EM_X86_64: return "x86_64";
    case EM_AARCH64: return "AArch64";
    case EM_386: return "i386";
    case EM_ARM: return "ARM (32-bit)";
    default: return "another machine";
    }
}

bool elf_find_symbol(const file_buf *f, const char *wanted, uint64_t *value)
{
    Elf64_Ehdr eh;
    if (f->size < sizeof eh || memcmp(f->data, ELFMAG, SELFMAG) != 0 ||
        f->data[EI_CLASS] != ELFCLASS64)
        return false;
    memcpy(&eh, f->data, sizeof eh);
    if (eh.e_shoff == 0 || eh.e_shentsize != sizeof(Elf64_Shdr))
        return false;
    if (eh.e_shoff > f->size || (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr) > f->size - eh.e_shoff)
        return false;
    for (unsigned i = 0; i < eh.e_shnum; i++) {
        Elf64_Shdr sh;
        memcpy(&sh, f->data + eh.e_shoff + (uint64_t)i * sizeof sh, sizeof sh);
        if (sh.sh_type != SHT_SYMTAB || sh.sh_link >= eh.e_shnum)
            continue;
        Elf64_Shdr strsh;
        memcpy(&strsh, f->data + eh.e_shoff + (uint64_t)sh.sh_link * sizeof strsh, sizeof strsh);
        if (sh.sh_offset > f->size || sh.sh_size > f->size - sh.sh_offset ||
            strsh.sh_offset > f->size || strsh.sh_size > f->size - strsh.sh_offset)
            return false;
        for (uint64_t s = 0; s + sizeof(Elf64_Sym) <= sh.sh_size; s += sizeof(Elf64_Sym)) {
            Elf64_Sym sym;
            memcpy(&sym, f->data + sh.sh_offset + s, sizeof sym);
            if (sym.st_name >= strsh.sh_size)
                continue;
            const char *name = (const char *)f->data + strsh.sh_offset + sym.st_name;
            size_t maxlen = strsh.sh_size - sym.st_name;
            if (strnlen(name, maxlen) == maxlen)
                continue;
            if (strcmp(name, wanted) == 0) {
                *value = sym.st_value;
                return true;
            }
        }
    }
    return false;
}

bool load_elf(bus *b, const file_buf *f, uint16_t machine, loaded_image *out, vm_error *err)
{
    memset(out, 0, sizeof *out);
    if (f->size < EI_NIDENT || memcmp(f->data, ELFMAG, SELFMAG) != 0) {
        vm_error_set(err, "%s: not an ELF file", f->path);
        return false;
    }
    if (f->data[EI_CLASS] != ELFCLASS64) {
        vm_error_set(err, "%s: 32-bit ELF, a 64-bit ELF is needed", f->path);
        return false;
    }
    if (f->size < sizeof(Elf64_Ehdr)) {
        vm_error_set(err, "%s: truncated ELF header (%zu bytes)", f->path, f->size);
        return false;
    }
    Elf64_Ehdr eh;
    memcpy(&eh, f->data, sizeof eh);
    if (eh.e_ident[EI_DATA] != ELFDATA2LSB) {
        vm_error_set(err, "%s: big-endian ELF is not supported", f->path);
        return false;
    }
    if (eh.e_machine != machine) {
        vm_error_set(err, "%s: ELF for %s, not for %s", f->path, machine_name(eh.e_machine),
                     machine_name(machine));
        return false;
    }
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0) {
        vm_error_set(err, "%s: ELF has no program headers", f->path);
        return false;
    }
    if (eh.e_phoff > f->size ||
        (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > f->size - eh.e_phoff) {
        vm_error_set(err, "%s: truncated ELF program headers", f->path);
        return false;
    }
    out->low = UINT64_MAX;
    bool loaded_any = false;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, f->data + eh.e_phoff + (uint64_t)i * sizeof ph, sizeof ph);
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        if (ph.p_filesz > ph.p_memsz) {
            vm_error_set(err, "%s: segment %u has file size larger than memory size", f->path, i);
            return false;
        }
        if (ph.p_offset > f->size || ph.p_filesz > f->size - ph.p_offset) {
            vm_error_set(err, "%s: truncated: segment %u extends past the end of the file",
                         f->path, i);
            return false;
        }
        uint8_t *dst = bus_ram_ptr(b, ph.p_paddr, ph.p_memsz);
        if (!dst) {
            vm_error_set(err, "%s: segment %u at 0x%llx-0x%llx is outside guest RAM", f->path, i,
                         (unsigned long long)ph.p_paddr,
                         (unsigned long long)(ph.p_paddr + ph.p_memsz));
            return false;
        }
        memcpy(dst, f->data + ph.p_offset, ph.p_filesz);
        memset(dst + ph.p_filesz, 0, ph.p_memsz - ph.p_filesz);
        bus_ram_written(b, ph.p_paddr, ph.p_memsz);
        if (ph.p_paddr < out->low)
            out->low = ph.p_paddr;
        if (ph.p_paddr + ph.p_memsz > out->high)
            out->high = ph.p_paddr + ph.p_memsz;
        loaded_any = true;
    }
    if (!loaded_any) {
        vm_error_set(err, "%s: ELF has no loadable segments", f->path);
        return false;
    }
    out->format = IMG_ELF64;
    out->entry = eh.e_entry;
    return true;
}
