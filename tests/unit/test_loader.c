/* Image loading (src/load/loader.h): format detection by content, the ELF64 loader on
 * images synthesized here byte by byte, the RISC-V Linux Image loader, and file_read's
 * error reporting. Every error text must name the file. */
/* The C library's <elf.h> where there is one: images built with its definitions are an
 * independent check of src/load/elf_format.h, which the loader uses. */
#ifdef __has_include
#if __has_include(<elf.h>)
#include <elf.h>
#else
#include "load/elf_format.h"
#endif
#else
#include <elf.h>
#endif
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "load/loader.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (16 * MiB)
#define PATH "test.elf"

/* ---- format detection ---- */

static void test_detect(void)
{
    uint8_t buf[0x8100];

    memset(buf, 0, sizeof buf);
    memcpy(buf, "\x7f" "ELF", 4);
    buf[EI_CLASS] = ELFCLASS64;
    CHECK_EQ(image_detect(buf, sizeof buf), IMG_ELF64, "ELF64 detected");
    buf[EI_CLASS] = ELFCLASS32;
    CHECK_EQ(image_detect(buf, sizeof buf), IMG_ELF32, "ELF32 detected");
    CHECK_EQ(image_detect(buf, 3), IMG_RAW, "3 bytes of an ELF magic are raw");

    memset(buf, 0, sizeof buf);
    memcpy(buf + 56, "RSC\x05", 4);
    CHECK_EQ(image_detect(buf, sizeof buf), IMG_LINUX_RISCV, "RISC-V Image (magic2)");
    CHECK_EQ(image_detect(buf, 63), IMG_RAW, "RISC-V magic in a truncated header is raw");
    memset(buf, 0, sizeof buf);
    memcpy(buf + 48, "RISCV\0\0\0", 8);
    CHECK_EQ(image_detect(buf, sizeof buf), IMG_LINUX_RISCV, "RISC-V Image (old magic)");

    memset(buf, 0, sizeof buf);
    memcpy(buf + 56, "ARM\x64", 4);
    CHECK_EQ(image_detect(buf, sizeof buf), IMG_LINUX_ARM64, "arm64 Image");

    memset(buf, 0, sizeof buf);
    memcpy(buf + 0x202, "HdrS", 4);
    CHECK_EQ(image_detect(buf, sizeof buf), IMG_BZIMAGE, "bzImage");
    CHECK_EQ(image_detect(buf, 0x205), IMG_RAW, "HdrS cut short is raw");

    memset(buf, 0, sizeof buf);
    buf[0] = 0x1f;
    buf[1] = 0x8b;
    buf[2] = 8;
    CHECK_EQ(image_detect(buf, sizeof buf), IMG_GZIP, "gzip");

    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(i * 37 + 11);
    CHECK_EQ(image_detect(buf, sizeof buf), IMG_RAW, "arbitrary bytes are raw");
    CHECK_EQ(image_detect(buf, 1), IMG_RAW, "one byte is raw");
    CHECK_EQ(image_detect(buf, 0), IMG_RAW, "empty is raw");

    CHECK_STR(image_format_name(IMG_ELF64), "ELF64", "format name of ELF64");
    CHECK_STR(image_format_name(IMG_LINUX_RISCV), "RISC-V", "format name of RISC-V Image");
}

/* ---- ELF images built in memory ---- */

typedef struct elf_builder {
    uint8_t data[16384];
    size_t size;
} elf_builder;

static Elf64_Ehdr *ehdr(elf_builder *e)
{
    return (Elf64_Ehdr *)(void *)e->data;
}

static Elf64_Phdr *phdr(elf_builder *e, unsigned i)
{
    return (Elf64_Phdr *)(void *)(e->data + ehdr(e)->e_phoff + i * sizeof(Elf64_Phdr));
}

/* An ELF64 header followed by `nph` zeroed program headers; size covers them. */
static void elf_begin(elf_builder *e, uint16_t machine, unsigned nph)
{
    memset(e, 0, sizeof *e);
    Elf64_Ehdr *h = ehdr(e);
    memcpy(h->e_ident, ELFMAG, SELFMAG);
    h->e_ident[EI_CLASS] = ELFCLASS64;
    h->e_ident[EI_DATA] = ELFDATA2LSB;
    h->e_ident[EI_VERSION] = EV_CURRENT;
    h->e_type = ET_EXEC;
    h->e_machine = machine;
    h->e_version = EV_CURRENT;
    h->e_entry = RAM_BASE;
    h->e_phoff = sizeof(Elf64_Ehdr);
    h->e_ehsize = sizeof(Elf64_Ehdr);
    h->e_phentsize = sizeof(Elf64_Phdr);
    h->e_phnum = (uint16_t)nph;
    e->size = sizeof(Elf64_Ehdr) + nph * sizeof(Elf64_Phdr);
}

/* Append bytes (8-aligned); returns their file offset. */
static uint64_t elf_append(elf_builder *e, const void *p, size_t n)
{
    e->size = (e->size + 7) & ~(size_t)7;
    uint64_t off = e->size;
    memcpy(e->data + off, p, n);
    e->size += n;
    return off;
}

static void set_load(elf_builder *e, unsigned i, uint64_t paddr, uint64_t vaddr, uint64_t off,
                     uint64_t filesz, uint64_t memsz)
{
    Elf64_Phdr *p = phdr(e, i);
    p->p_type = PT_LOAD;
    p->p_flags = PF_R | PF_W | PF_X;
    p->p_offset = off;
    p->p_vaddr = vaddr;
    p->p_paddr = paddr;
    p->p_filesz = filesz;
    p->p_memsz = memsz;
    p->p_align = 8;
}

/* Section headers [null, .symtab, .strtab] with the given symbols. */
static void add_symbols(elf_builder *e, const char *const *names, const uint64_t *values,
                        unsigned n)
{
    char strtab[256] = { 0 };
    size_t strsz = 1;
    Elf64_Sym syms[8];
    memset(syms, 0, sizeof syms);
    for (unsigned i = 0; i < n; i++) {
        syms[i + 1].st_name = (uint32_t)strsz;
        syms[i + 1].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT);
        syms[i + 1].st_shndx = 1;
        syms[i + 1].st_value = values[i];
        size_t len = strlen(names[i]) + 1;
        memcpy(strtab + strsz, names[i], len);
        strsz += len;
    }
    uint64_t symoff = elf_append(e, syms, (n + 1) * sizeof(Elf64_Sym));
    uint64_t stroff = elf_append(e, strtab, strsz);
    Elf64_Shdr sh[3];
    memset(sh, 0, sizeof sh);
    sh[1].sh_type = SHT_SYMTAB;
    sh[1].sh_offset = symoff;
    sh[1].sh_size = (n + 1) * sizeof(Elf64_Sym);
    sh[1].sh_link = 2;
    sh[1].sh_entsize = sizeof(Elf64_Sym);
    sh[2].sh_type = SHT_STRTAB;
    sh[2].sh_offset = stroff;
    sh[2].sh_size = strsz;
    Elf64_Ehdr *h = ehdr(e);
    h->e_shoff = elf_append(e, sh, sizeof sh);
    h->e_shentsize = sizeof(Elf64_Shdr);
    h->e_shnum = 3;
}

static file_buf fbuf(elf_builder *e)
{
    file_buf f = { .path = PATH, .data = e->data, .size = e->size };
    return f;
}

static void new_ram(bus *b)
{
    vm_error err;
    bus_init(b);
    if (!bus_add_ram(b, RAM_BASE, RAM_SIZE, "ram", &err)) {
        printf("Bail out! %s\n", err.msg);
        exit(1);
    }
}

/* Load must fail with a message containing the path and `want`. */
static void expect_elf_error(elf_builder *e, uint16_t machine, const char *want,
                             const char *name)
{
    bus b;
    new_ram(&b);
    vm_error err;
    memset(&err, 0, sizeof err);
    loaded_image img;
    file_buf f = fbuf(e);
    char buf[160];
    snprintf(buf, sizeof buf, "%s: rejected", name);
    CHECK(!load_elf(&b, &f, machine, &img, &err), buf);
    snprintf(buf, sizeof buf, "%s: error says \"%s\"", name, want);
    CHECK_STR(err.msg, want, buf);
    snprintf(buf, sizeof buf, "%s: error names the file", name);
    CHECK_STR(err.msg, PATH, buf);
    bus_destroy(&b);
}

static void test_elf_good(void)
{
    elf_builder e;
    elf_begin(&e, EM_RISCV, 3);
    uint8_t text[16];
    for (int i = 0; i < 16; i++)
        text[i] = (uint8_t)(0xc0 + i);
    uint64_t toff = elf_append(&e, text, sizeof text);
    uint8_t data2[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    uint64_t doff = elf_append(&e, data2, sizeof data2);
    /* Segment 0 is linked at a high virtual address: the loader must use p_paddr. */
    set_load(&e, 0, RAM_BASE + 0x1000, 0xffffffff80001000ULL, toff, 16, 64);
    phdr(&e, 1)->p_type = PT_NOTE;
    phdr(&e, 1)->p_paddr = 0x1000; /* outside RAM: non-LOAD headers are ignored */
    phdr(&e, 1)->p_memsz = 0x100;
    set_load(&e, 2, RAM_BASE + 0x100000, RAM_BASE + 0x100000, doff, 8, 8);
    ehdr(&e)->e_entry = RAM_BASE + 0x1008;
    static const char *const names[3] = { "start", "tohost", "fromhost" };
    static const uint64_t values[3] = { RAM_BASE + 0x1000, RAM_BASE + 0x2000,
                                        RAM_BASE + 0x2040 };
    add_symbols(&e, names, values, 3);

    bus b;
    new_ram(&b);
    uint8_t *ram = bus_ram_ptr(&b, RAM_BASE, RAM_SIZE);
    memset(ram + 0x1000, 0xaa, 0x100); /* stale bytes where .bss goes */
    /* as if a CPU had decoded code from the page the ELF overwrites */
    const uint32_t *genp = bus_code_page_mark(&b, RAM_BASE + 0x1000);
    uint32_t gen = *genp;
    vm_error err = { { 0 } };
    loaded_image img;
    file_buf f = fbuf(&e);
    bool ok = load_elf(&b, &f, EM_RISCV, &img, &err);
    if (!CHECK(ok, "well-formed ELF64 loads"))
        printf("#   %s\n", err.msg);
    CHECK_EQ(img.format, IMG_ELF64, "format ELF64");
    CHECK_EQ(img.entry, RAM_BASE + 0x1008, "entry = e_entry");
    CHECK(memcmp(ram + 0x1000, text, 16) == 0, "segment placed at p_paddr");
    bool zero = true;
    for (int i = 16; i < 64; i++)
        zero &= ram[0x1000 + i] == 0;
    CHECK(zero, "bss (p_memsz > p_filesz) zeroed");
    CHECK_EQ(ram[0x1000 + 64], 0xaa, "nothing written past p_memsz");
    CHECK(memcmp(ram + 0x100000, data2, 8) == 0, "second segment placed");
    CHECK_EQ(img.low, RAM_BASE + 0x1000, "low = lowest segment");
    CHECK_EQ(img.high, RAM_BASE + 0x100008, "high = end of highest segment");
    uint64_t sym = 0;
    CHECK(elf_find_symbol(&f, "tohost", &sym) && sym == RAM_BASE + 0x2000, "tohost symbol found");
    CHECK(elf_find_symbol(&f, "fromhost", &sym) && sym == RAM_BASE + 0x2040, "fromhost symbol found");
    CHECK(!elf_find_symbol(&f, "nosuch", &sym), "absent symbol not found");
    CHECK(*genp == gen + 1, "loading over decoded code invalidates it");
    bus_destroy(&b);

    /* Without section headers the HTIF addresses are simply absent. */
    elf_begin(&e, EM_RISCV, 1);
    toff = elf_append(&e, text, sizeof text);
    set_load(&e, 0, RAM_BASE, RAM_BASE, toff, 16, 16);
    new_ram(&b);
    f = fbuf(&e);
    CHECK(load_elf(&b, &f, EM_RISCV, &img, &err), "ELF without symbols loads");
    CHECK(!elf_find_symbol(&f, "tohost", &sym), "no symbol table: no symbol");
    bus_destroy(&b);

    /* A broken symbol table is ignored, never read out of bounds. */
    elf_begin(&e, EM_RISCV, 1);
    toff = elf_append(&e, text, sizeof text);
    set_load(&e, 0, RAM_BASE, RAM_BASE, toff, 16, 16);
    add_symbols(&e, names, values, 3);
    Elf64_Shdr *sh = (Elf64_Shdr *)(void *)(e.data + ehdr(&e)->e_shoff);
    sh[2].sh_size = 3; /* "tohost" no longer fits in the string table */
    new_ram(&b);
    f = fbuf(&e);
    CHECK(load_elf(&b, &f, EM_RISCV, &img, &err), "ELF with a short strtab loads");
    CHECK(!elf_find_symbol(&f, "tohost", &sym), "names past the strtab end are ignored");
    sh[1].sh_link = 7;
    CHECK(load_elf(&b, &f, EM_RISCV, &img, &err), "ELF with a bad sh_link loads");
    CHECK(!elf_find_symbol(&f, "start", &sym), "bad sh_link: no symbols");
    sh[1].sh_link = 2;
    sh[2].sh_size = 64;
    sh[1].sh_size = 1ULL << 40;
    CHECK(load_elf(&b, &f, EM_RISCV, &img, &err), "ELF with a huge symtab size loads");
    CHECK(!elf_find_symbol(&f, "start", &sym), "huge symtab: no symbols");
    ehdr(&e)->e_shnum = 200;
    CHECK(load_elf(&b, &f, EM_RISCV, &img, &err), "ELF with section headers past EOF loads");
    CHECK(!elf_find_symbol(&f, "tohost", &sym), "no symbols from a truncated section table");
    bus_destroy(&b);
}

static void test_elf_errors(void)
{
    elf_builder e;
    uint8_t text[32] = { 0x13 };
    uint64_t toff;

    /* A well-formed image for another machine. */
    elf_begin(&e, EM_X86_64, 1);
    toff = elf_append(&e, text, sizeof text);
    set_load(&e, 0, RAM_BASE, RAM_BASE, toff, 32, 32);
    expect_elf_error(&e, EM_RISCV, "ELF for x86_64", "x86_64 ELF on RISC-V");
    expect_elf_error(&e, EM_RISCV, "RISC-V", "wrong machine names the wanted one");
    ehdr(&e)->e_machine = EM_AARCH64;
    expect_elf_error(&e, EM_RISCV, "ELF for AArch64", "AArch64 ELF on RISC-V");

    /* Header cut short after e_ident. */
    elf_begin(&e, EM_RISCV, 0);
    e.size = 40;
    expect_elf_error(&e, EM_RISCV, "truncated", "truncated ELF header");
    e.size = 10;
    expect_elf_error(&e, EM_RISCV, "not an ELF", "10 bytes");

    elf_begin(&e, EM_RISCV, 1);
    e.data[EI_CLASS] = ELFCLASS32;
    expect_elf_error(&e, EM_RISCV, "32-bit", "ELF32");
    elf_begin(&e, EM_RISCV, 1);
    e.data[EI_DATA] = ELFDATA2MSB;
    expect_elf_error(&e, EM_RISCV, "big-endian", "big-endian ELF");
    elf_begin(&e, EM_RISCV, 1);
    e.data[1] = 'X';
    expect_elf_error(&e, EM_RISCV, "not an ELF", "bad magic");

    /* Program headers that the file does not contain. */
    elf_begin(&e, EM_RISCV, 2);
    toff = elf_append(&e, text, sizeof text);
    set_load(&e, 0, RAM_BASE, RAM_BASE, toff, 32, 32);
    ehdr(&e)->e_phoff = e.size - 10;
    expect_elf_error(&e, EM_RISCV, "program headers", "program headers past EOF");
    ehdr(&e)->e_phoff = 0xffffffffffffff00ULL;
    expect_elf_error(&e, EM_RISCV, "program headers", "e_phoff near 2^64");
    ehdr(&e)->e_phoff = sizeof(Elf64_Ehdr);
    ehdr(&e)->e_phnum = 0xffff;
    expect_elf_error(&e, EM_RISCV, "program headers", "e_phnum past EOF");
    elf_begin(&e, EM_RISCV, 0);
    expect_elf_error(&e, EM_RISCV, "no program headers", "e_phnum = 0");

    /* Segment data past EOF. */
    elf_begin(&e, EM_RISCV, 1);
    toff = elf_append(&e, text, sizeof text);
    set_load(&e, 0, RAM_BASE, RAM_BASE, toff, 64, 64);
    expect_elf_error(&e, EM_RISCV, "truncated", "segment past EOF");
    set_load(&e, 0, RAM_BASE, RAM_BASE, 0xfffffffffffffff0ULL, 32, 32);
    expect_elf_error(&e, EM_RISCV, "truncated", "p_offset near 2^64");
    set_load(&e, 0, RAM_BASE, RAM_BASE, toff, 0xfffffffffffffff0ULL, 0xfffffffffffffff0ULL);
    expect_elf_error(&e, EM_RISCV, "truncated", "p_filesz near 2^64");

    /* Segment outside RAM. */
    set_load(&e, 0, 0x10000000, 0x10000000, toff, 32, 32);
    expect_elf_error(&e, EM_RISCV, "outside guest RAM", "segment below RAM");
    set_load(&e, 0, RAM_BASE + RAM_SIZE - 16, RAM_BASE, toff, 32, 32);
    expect_elf_error(&e, EM_RISCV, "outside guest RAM", "segment straddling the end of RAM");
    set_load(&e, 0, RAM_BASE + RAM_SIZE - 16, RAM_BASE, toff, 16, 0x1000);
    expect_elf_error(&e, EM_RISCV, "outside guest RAM", "bss straddling the end of RAM");
    set_load(&e, 0, 0xfffffffffffffff0ULL, 0, toff, 32, 32);
    expect_elf_error(&e, EM_RISCV, "outside guest RAM", "p_paddr near 2^64");

    /* p_filesz > p_memsz */
    set_load(&e, 0, RAM_BASE, RAM_BASE, toff, 32, 16);
    expect_elf_error(&e, EM_RISCV, "file size larger than memory size", "p_filesz > p_memsz");

    /* Nothing to load. */
    elf_begin(&e, EM_RISCV, 2);
    phdr(&e, 0)->p_type = PT_NOTE;
    phdr(&e, 0)->p_memsz = 16;
    set_load(&e, 1, RAM_BASE, RAM_BASE, 0, 0, 0); /* empty PT_LOAD does not count */
    expect_elf_error(&e, EM_RISCV, "no loadable segments", "no PT_LOAD");
}

/* ---- RISC-V Linux Image ---- */

static void image_header(uint8_t *img, size_t size, uint64_t text_offset, uint64_t image_size)
{
    memset(img, 0, size);
    for (size_t i = 64; i < size; i++)
        img[i] = (uint8_t)i;
    memcpy(img + 8, &text_offset, 8);
    memcpy(img + 16, &image_size, 8);
    memcpy(img + 56, "RSC\x05", 4);
}

static void test_riscv_image(void)
{
    static uint8_t img[4096];
    bus b;
    vm_error err = { { 0 } };
    loaded_image out;
    file_buf f = { .path = "Image", .data = img, .size = sizeof img };


    image_header(img, sizeof img, 0x200000, 0x10000);
    CHECK_EQ(image_detect(img, sizeof img), IMG_LINUX_RISCV, "synthesized Image is detected");
    new_ram(&b);
    CHECK(load_riscv_image(&b, &f, RAM_BASE, &out, &err), "Image with text_offset 2 MiB");
    CHECK_EQ(out.entry, RAM_BASE + 0x200000, "entry = RAM + text_offset");
    CHECK_EQ(out.low, RAM_BASE + 0x200000, "low = load address");
    CHECK_EQ(out.high, RAM_BASE + 0x200000 + 0x10000, "high covers image_size (bss)");
    CHECK_EQ(out.format, IMG_LINUX_RISCV, "format");
    uint8_t *ram = bus_ram_ptr(&b, RAM_BASE, RAM_SIZE);
    CHECK(memcmp(ram + 0x200000, img, sizeof img) == 0, "Image copied to the entry");
    bus_destroy(&b);

    image_header(img, sizeof img, 0x400000, 0);
    new_ram(&b);
    CHECK(load_riscv_image(&b, &f, RAM_BASE, &out, &err), "Image with text_offset 4 MiB");
    CHECK_EQ(out.entry, RAM_BASE + 0x400000, "text_offset honoured");
    CHECK_EQ(out.high, RAM_BASE + 0x400000 + sizeof img, "image_size < file size: file size");
    bus_destroy(&b);

    image_header(img, sizeof img, 0, 0);
    new_ram(&b);
    CHECK(load_riscv_image(&b, &f, RAM_BASE, &out, &err), "Image with text_offset 0");
    CHECK_EQ(out.entry, RAM_BASE + 2 * MiB, "text_offset 0 means 2 MiB");
    bus_destroy(&b);

    image_header(img, sizeof img, 0x200000, 64 * MiB);
    new_ram(&b);
    memset(&err, 0, sizeof err);
    CHECK(!load_riscv_image(&b, &f, RAM_BASE, &out, &err), "image_size > RAM rejected");
    CHECK_STR(err.msg, "larger than guest RAM", "error says larger than guest RAM");
    CHECK_STR(err.msg, "Image", "error names the file");

    image_header(img, sizeof img, RAM_SIZE - 0x100, 0);
    memset(&err, 0, sizeof err);
    CHECK(!load_riscv_image(&b, &f, RAM_BASE, &out, &err), "image crossing the end of RAM");
    CHECK_STR(err.msg, "larger than guest RAM", "crossing the end: larger than guest RAM");

    image_header(img, sizeof img, 0xfffffffffffff000ULL, 0x1000);
    memset(&err, 0, sizeof err);
    CHECK(!load_riscv_image(&b, &f, RAM_BASE, &out, &err), "text_offset near 2^64 rejected");
    CHECK_STR(err.msg, "larger than guest RAM", "huge text_offset: larger than guest RAM");

    image_header(img, sizeof img, 0x200000, 0xfffffffffffff000ULL);
    memset(&err, 0, sizeof err);
    CHECK(!load_riscv_image(&b, &f, RAM_BASE, &out, &err), "image_size near 2^64 rejected");

    image_header(img, sizeof img, 0x200000, 0);
    memset(&err, 0, sizeof err);
    CHECK(!load_riscv_image(&b, &f, 0x1000, &out, &err), "ram_base that is not RAM");
    CHECK_STR(err.msg, "Image", "not-RAM error names the file");

    file_buf small = { .path = "Image", .data = img, .size = 40 };
    memset(&err, 0, sizeof err);
    CHECK(!load_riscv_image(&b, &small, RAM_BASE, &out, &err), "40-byte Image rejected");
    CHECK_STR(err.msg, "truncated", "short Image: truncated");
    bus_destroy(&b);
}

/* ---- files, raw images, blobs ---- */

static void test_files(void)
{
    char dir[] = "/tmp/vm-test-loader-XXXXXX";
    if (!CHECK(mkdtemp(dir) != NULL, "temporary directory"))
        return;
    char missing[128], empty[128], regular[128];
    snprintf(missing, sizeof missing, "%s/missing.bin", dir);
    snprintf(empty, sizeof empty, "%s/empty.bin", dir);
    snprintf(regular, sizeof regular, "%s/kernel.bin", dir);
    FILE *fp = fopen(empty, "wb");
    if (fp)
        fclose(fp);
    fp = fopen(regular, "wb");
    if (fp) {
        fwrite("\x13\x00\x00\x00\x6f\x00\x00\x00", 1, 8, fp);
        fclose(fp);
    }

    file_buf f;
    vm_error err;
    memset(&err, 0, sizeof err);
    CHECK(!file_read(missing, &f, &err), "missing file is an error");
    CHECK_STR(err.msg, "no such file", "missing: says no such file");
    CHECK_STR(err.msg, missing, "missing: names the path");

    memset(&err, 0, sizeof err);
    CHECK(!file_read(empty, &f, &err), "empty file is an error");
    CHECK_STR(err.msg, "empty", "empty: says empty");
    CHECK_STR(err.msg, empty, "empty: names the path");

    memset(&err, 0, sizeof err);
    CHECK(!file_read(dir, &f, &err), "directory is an error");
    CHECK_STR(err.msg, "not a regular file", "directory: not a regular file");
    CHECK_STR(err.msg, dir, "directory: names the path");

    CHECK(file_read(regular, &f, &err), "regular file reads");
    CHECK(f.size == 8 && f.data && memcmp(f.data, "\x13\x00\x00\x00\x6f", 5) == 0,
          "contents and size");
    CHECK(f.path == regular, "file_buf keeps the path");

    bus b;
    new_ram(&b);
    loaded_image out;
    CHECK(load_raw(&b, &f, RAM_BASE + 0x1000, &out, &err), "raw image loads");
    CHECK(out.entry == RAM_BASE + 0x1000 && out.format == IMG_RAW, "raw entry = load address");
    CHECK_EQ(out.high, RAM_BASE + 0x1008, "raw high = end");
    memset(&err, 0, sizeof err);
    CHECK(!load_raw(&b, &f, RAM_BASE + RAM_SIZE - 4, &out, &err), "raw past the end of RAM");
    CHECK_STR(err.msg, "larger than guest RAM", "raw too large: says so");
    CHECK_STR(err.msg, regular, "raw too large: names the path");
    memset(&err, 0, sizeof err);
    CHECK(!load_raw(&b, &f, 0x1000, &out, &err), "raw outside RAM");
    CHECK_STR(err.msg, regular, "raw outside RAM: names the path");
    memset(&err, 0, sizeof err);
    CHECK(load_blob(&b, &f, RAM_BASE + 0x2000, &err), "blob inside RAM");
    CHECK(!load_blob(&b, &f, RAM_BASE + RAM_SIZE - 1, &err), "blob past the end of RAM");
    CHECK_STR(err.msg, regular, "blob error names the path");
    bus_destroy(&b);

    file_free(&f);
    CHECK(f.data == NULL && f.size == 0, "file_free clears the buffer");

    unlink(empty);
    unlink(regular);
    rmdir(dir);
}

int main(void)
{
    test_detect();
    test_elf_good();
    test_elf_errors();
    test_riscv_image();
    test_files();
    return check_done();
}
