/* x86 paging (SDM Vol.3 chapter 4) with page tables built here: 32-bit paging with 4 KiB
 * and PSE 4 MiB pages, PAE, 4-level (1 GiB pages) and 5-level walks; #PF error codes for
 * not-present, protection (U/S, R/W with CR0.WP), NX, reserved bits, SMEP/SMAP; A/D
 * updates; the soft TLB's INVLPG / CR3 / global-page rules. */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/exec.h"
#include "arch/x86/mmu.h"
#include "check.h"

#define RAM_SIZE (16 * MiB)

static machine m;
static x86_cpu cpu;

static void w32(uint64_t a, uint64_t v) { bus_write(&m.bus, a, 4, v); }
static void w64(uint64_t a, uint64_t v) { bus_write(&m.bus, a, 8, v); }
static uint64_t r64(uint64_t a)
{
    uint64_t v = 0;
    bus_read(&m.bus, a, 8, &v);
    return v;
}

static void fresh(void)
{
    memset(bus_ram_ptr(&m.bus, 0, RAM_SIZE), 0, RAM_SIZE);
    bus_ram_written(&m.bus, 0, RAM_SIZE);
    x86_cpu_reset(&cpu);
    cpu.cr0 = CR0_PE | CR0_PG | CR0_ET;
    cpu.cr3 = 0x10000;
}

/* translate; returns pa, or ~0 with *err */
static uint64_t tr(uint64_t lin, unsigned acc, uint32_t *err)
{
    uint64_t pa = 0;
    *err = 0xffffffff;
    x86_tlb_flush(&cpu, false);
    if (!x86_translate(&cpu, lin, acc, &pa, err))
        return ~0ull;
    return pa;
}

static void test_32bit(void)
{
    uint32_t err;
    fresh();
    cpu.cr4 = CR4_PSE;
    w32(0x10000 + 4 * 1, 0x20000 | 0x7);      /* 4-8 MiB: page table, user, writable */
    w32(0x20000 + 4 * 3, 0x345000 | 0x5);     /* 0x403000 → 0x345000 user read-only */
    w32(0x10000 + 4 * 2, 0x00c00000 | 0x83);  /* 8-12 MiB: 4 MiB page, supervisor, RW */
    CHECK_EQ(tr(0x403123, ACC_R, &err), 0x345123, "32-bit 4K page");
    uint64_t pte;
    bus_read(&m.bus, 0x20000 + 12, 4, &pte);
    CHECK_EQ(pte & 0x60, 0x20, "A set, D clear after a read");
    CHECK_EQ(tr(0x9abcde, ACC_R, &err), 0xdabcde, "PSE 4 MiB page");
    CHECK_EQ(tr(0x404000, ACC_R, &err), ~0ull, "not present");
    CHECK_EQ(err, 0, "#PF error 0");
    cpu.cpl = 3;
    CHECK_EQ(tr(0x403000, ACC_W, &err), ~0ull, "user write to read-only");
    CHECK_EQ(err, 7, "error P|W|U");
    CHECK_EQ(tr(0x900000, ACC_R, &err), ~0ull, "user read of supervisor page");
    CHECK_EQ(err, 5, "error P|U");
    cpu.cpl = 0;
    CHECK_EQ(tr(0x403000, ACC_W, &err), 0x345000, "supervisor write, WP=0: allowed");
    bus_read(&m.bus, 0x20000 + 12, 4, &pte);
    CHECK_EQ(pte & 0x60, 0x60, "A and D set after the write");
    cpu.cr0 |= CR0_WP;
    CHECK_EQ(tr(0x403000, ACC_W, &err), ~0ull, "supervisor write, WP=1: fault");
    CHECK_EQ(err, 3, "error P|W");
    cpu.cr4 = 0; /* without PSE the PS bit is ignored: the PDE points to a page table */
    CHECK(tr(0x9abcde, ACC_R, &err) != 0xdabcde, "no 4 MiB page without CR4.PSE");
}

static void test_pae(void)
{
    uint32_t err;
    fresh();
    cpu.cr4 = CR4_PAE;
    cpu.efer = EFER_NXE;
    w64(0x10000 + 8 * 0, 0x11000 | 1);              /* PDPTE 0 */
    w64(0x11000 + 8 * 1, 0x600000 | 0x83 | (1ull << 63)); /* 2-4 MiB, 2 MiB, NX */
    w64(0x11000 + 8 * 2, 0x12000 | 3);
    w64(0x12000 + 8 * 5, 0x777000 | 3);             /* 0x405000 → 0x777000 */
    CHECK_EQ(tr(0x212345, ACC_R, &err), 0x612345, "PAE 2 MiB page");
    CHECK_EQ(tr(0x212345, ACC_X, &err), ~0ull, "NX page: fetch faults");
    CHECK_EQ(err, 0x11, "error P|I/D");
    CHECK_EQ(tr(0x405abc, ACC_X, &err), 0x777abc, "executable 4 KiB page");
    cpu.efer = 0;
    CHECK_EQ(tr(0x212345, ACC_R, &err), ~0ull, "NX bit without EFER.NXE is reserved");
    CHECK_EQ(err, 9, "error P|RSVD");
    w64(0x11000 + 8 * 1, 0x600000 | 0x83 | (1ull << 13));
    CHECK_EQ(tr(0x212345, ACC_R, &err), ~0ull, "2 MiB page with bit 13 set: reserved");
    CHECK_EQ(err, 9, "error P|RSVD");
}

static void long_tables(void)
{
    cpu.cr4 = CR4_PAE;
    cpu.efer = EFER_LME | EFER_LMA | EFER_NXE;
    w64(0x10000, 0x11000 | 7);                    /* PML4[0] */
    w64(0x11000 + 8 * 1, 0x40000000 | 0x87);      /* 1-2 GiB: 1 GiB user page */
    w64(0x11000 + 8 * 0, 0x12000 | 7);
    w64(0x12000 + 8 * 0, 0x13000 | 7);
    w64(0x13000 + 8 * 0x10, 0x10000 | 1);         /* 0x10000: supervisor read-only */
    w64(0x13000 + 8 * 0x20, 0x20000 | 7);         /* 0x20000: user */
}

static void test_long(void)
{
    uint32_t err;
    fresh();
    long_tables();
    CHECK_EQ(tr(0x40123456, ACC_R, &err), 0x40123456, "1 GiB page");
    CHECK_EQ(tr(0x10010, ACC_R, &err), 0x10010, "4-level 4 KiB page");
    CHECK_EQ(tr(0x8000000000ull, ACC_R, &err), ~0ull, "PML4[1] not present");
    CHECK_EQ(err, 0, "error 0");
    /* SMEP / SMAP (CR4.20/21) */
    cpu.cr4 |= CR4_SMEP | CR4_SMAP;
    CHECK_EQ(tr(0x20000, ACC_X, &err), ~0ull, "SMEP: supervisor fetch from a user page");
    CHECK_EQ(err, 0x11, "error P|I/D");
    CHECK_EQ(tr(0x20000, ACC_R, &err), ~0ull, "SMAP: supervisor read of a user page");
    CHECK_EQ(err, 1, "error P");
    cpu.flags |= FL_AC;
    CHECK_EQ(tr(0x20000, ACC_R, &err), 0x20000, "SMAP: allowed with RFLAGS.AC");
    CHECK_EQ(tr(0x20000, ACC_R | MA_SUPER, &err), ~0ull, "implicit access ignores AC");
    cpu.flags &= ~(uint64_t)FL_AC;
    /* reserved: PS in a PML4 entry */
    w64(0x10000 + 8 * 2, 0x11000 | 0x87);
    CHECK_EQ(tr(0x10000000000ull, ACC_R, &err), ~0ull, "PS in PML4E is reserved");
    CHECK_EQ(err, 9, "error P|RSVD");
    /* bits 62:52 are ignored in 4-level entries (Linux's decompressor had bit 58 set in
     * its top-level entry), bits 51:MAXPHYADDR reserved */
    w64(0x10000 + 8 * 2, 0x11000 | 0x7ff0000000000003ull);
    w64(0x11000, 0x40000000 | 0x83);
    CHECK_EQ(tr(0x10000001234ull, ACC_R, &err), 0x40001234, "bits 62:52 ignored in a PML4E");
    w64(0x10000 + 8 * 2, 0x11000 | (1ull << 51) | 3);
    CHECK_EQ(tr(0x10000001234ull, ACC_R, &err), ~0ull, "bit 51 is reserved (MAXPHYADDR 40)");
    CHECK_EQ(err, 9, "error P|RSVD");
}

static void test_la57(void)
{
    uint32_t err;
    fresh();
    cpu.cr4 = CR4_PAE | CR4_LA57;
    cpu.efer = EFER_LME | EFER_LMA;
    uint64_t lin = (2ull << 48) | 0x3000; /* PML5 index 2 */
    w64(0x10000 + 8 * 2, 0x11000 | 3);
    w64(0x11000, 0x12000 | 3);
    w64(0x12000, 0x13000 | 3);
    w64(0x13000, 0x14000 | 3);
    w64(0x14000 + 8 * 3, 0x555000 | 3);
    CHECK_EQ(tr(lin + 0x21, ACC_R, &err), 0x555021, "5-level walk");
    cpu.cr4 &= ~CR4_LA57;
    CHECK(tr(lin + 0x21, ACC_R, &err) != 0x555021, "4-level walk differs");
}

/* The TLB: stale until INVLPG; CR3 reloads keep global entries */
static void test_tlb(void)
{
    fresh();
    long_tables();
    cpu.cr4 |= CR4_PGE;
    cpu.code_bits = 64;
    w64(0x13000 + 8 * 0x30, 0x300000 | 3);
    w64(0x13000 + 8 * 0x31, 0x301000 | 3 | 0x100); /* global */
    w64(0x300000, 0x1111);
    w64(0x301000, 0x2222);
    w64(0x302000, 0x3333);
    x86_tlb_flush(&cpu, false);
    CHECK_EQ(x86_lin_read(&cpu, 0x30000, 8, ACC_R), 0x1111, "first mapping");
    CHECK_EQ(x86_lin_read(&cpu, 0x31000, 8, ACC_R), 0x2222, "global page");
    w64(0x13000 + 8 * 0x30, 0x302000 | 3);
    w64(0x13000 + 8 * 0x31, 0x302000 | 3 | 0x100);
    CHECK_EQ(x86_lin_read(&cpu, 0x30000, 8, ACC_R), 0x1111, "stale until invalidated");
    x86_tlb_flush_page(&cpu, 0x30000);
    CHECK_EQ(x86_lin_read(&cpu, 0x30000, 8, ACC_R), 0x3333, "INVLPG takes the new PTE");
    x86_write_cr(&cpu, 3, cpu.cr3);
    CHECK_EQ(x86_lin_read(&cpu, 0x31000, 8, ACC_R), 0x2222, "global survives CR3 write");
    x86_write_cr(&cpu, 4, cpu.cr4 & ~CR4_PGE);
    CHECK_EQ(x86_lin_read(&cpu, 0x31000, 8, ACC_R), 0x3333, "CR4.PGE toggle flushes");
    CHECK_EQ(r64(0x13000 + 8 * 0x30) & 0x20, 0x20, "accessed bit written back");
}

int main(void)
{
    vm_error err;
    bus_init(&m.bus);
    bus_init(&m.io);
    if (!bus_add_ram(&m.bus, 0, RAM_SIZE, "ram", &err) || !x86_cpu_init(&cpu, &m, &err)) {
        printf("not ok - setup: %s\n", err.msg);
        return 1;
    }
    test_32bit();
    test_pae();
    test_long();
    test_la57();
    test_tlb();
    x86_cpu_destroy(&cpu);
    bus_destroy(&m.bus);
    bus_destroy(&m.io);
    return check_done();
}
