/* Address translation and PMP of the RISC-V hart (src/arch/riscv/mmu.c, pmp.c): page
 * tables are written into guest RAM through the bus, then loads, stores and fetches go
 * through rv_load_slow / rv_store_slow / rv_fetch_slow (and the TLB fast path of mmu.h).
 * Faults are read back from mcause/mtval (or scause/stval when delegated).
 * References: Priv. ISA §4.3-4.5 (Sv39/48/57), §3.7 (PMP). */
#include <stdlib.h>

#include "arch/riscv/cpu.h"
#include "arch/riscv/mmu.h"
#include "check.h"

#define RAM 0x80000000ULL
#define RAM_SIZE (16 * MiB)
#define PT_AREA (RAM + 0x800000) /* page tables are allocated from here */

#define V (1ULL << 0)
#define R (1ULL << 1)
#define W (1ULL << 2)
#define X (1ULL << 3)
#define U (1ULL << 4)
#define A (1ULL << 6)
#define D (1ULL << 7)
#define RWX (R | W | X)
#define LEAF (V | RWX | A | D)
#define PTE(pa, flags) ((((uint64_t)(pa) >> 12) << 10) | (flags))

#define SV39 8
#define SV48 9
#define SV57 10

#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_TOR 0x08
#define PMP_NA4 0x10
#define PMP_NAPOT 0x18
#define PMP_L 0x80

static machine m;
static rv_cpu cpu;
static gpa_t root, next_pt;
static int levels;

static void wr64(gpa_t a, uint64_t v)
{
    if (!bus_write(&m.bus, a, 8, v)) {
        printf("Bail out! cannot write 0x%llx\n", (unsigned long long)a);
        exit(1);
    }
}

static uint64_t rd64(gpa_t a)
{
    uint64_t v = 0;
    bus_read(&m.bus, a, 8, &v);
    return v;
}

static gpa_t alloc_pt(void)
{
    gpa_t t = next_pt;
    next_pt += 4096;
    memset(bus_ram_ptr(&m.bus, t, 4096), 0, 4096);
    return t;
}

/* Fresh hart in privilege `priv` with an empty root table for `mode` (0 = bare). */
static void setup(unsigned mode, int priv)
{
    rv_cpu_reset(&cpu, 0);
    next_pt = PT_AREA;
    root = alloc_pt();
    levels = mode ? (int)mode - 5 : 0;
    cpu.satp = mode ? ((uint64_t)mode << 60 | root >> 12) : 0;
    cpu.priv = priv;
    rv_tlb_flush(&cpu);
}

/* Map `va` to `pa` with a leaf at `level` (0 = 4 KiB page); intermediate tables are
 * allocated as needed. Returns the guest-physical address of the leaf PTE. */
static gpa_t map(gva_t va, gpa_t pa, int level, uint64_t flags)
{
    gpa_t table = root;
    for (int l = levels - 1; l > level; l--) {
        gpa_t slot = table + ((va >> (12 + 9 * l)) & 0x1ff) * 8;
        uint64_t pte = rd64(slot);
        if (!(pte & V)) {
            pte = PTE(alloc_pt(), V);
            wr64(slot, pte);
        }
        table = ((pte >> 10) & ((1ULL << 44) - 1)) << 12;
    }
    gpa_t slot = table + ((va >> (12 + 9 * level)) & 0x1ff) * 8;
    wr64(slot, PTE(pa, flags));
    return slot;
}

enum kind { LD, ST, FX, TLD, TST };

typedef struct result {
    bool ok, trapped;
    uint64_t val;
    uint64_t mcause, mtval, scause, stval;
    int priv_after;
} result;

#define NONE 0xdeadULL

/* Perform one access; record the outcome and undo the trap's effect on the hart (priv,
 * mstatus, trapped) so the next access starts from the same state. */
static result access_(enum kind k, gva_t va, unsigned size, uint64_t val)
{
    int priv = cpu.priv;
    uint64_t mstatus = cpu.mstatus;
    cpu.trapped = false;
    cpu.mcause = cpu.mtval = cpu.scause = cpu.stval = NONE;
    result r;
    memset(&r, 0, sizeof r);
    switch (k) {
    case LD: r.ok = rv_load_slow(&cpu, va, size, &r.val); break;
    case ST: r.ok = rv_store_slow(&cpu, va, size, val); break;
    case FX: {
        uint32_t insn = 0;
        r.ok = rv_fetch_slow(&cpu, va, &insn);
        r.val = insn;
        break;
    }
    case TLD: r.ok = rv_load(&cpu, va, size, &r.val); break;
    case TST: r.ok = rv_store(&cpu, va, size, val); break;
    }
    r.trapped = cpu.trapped;
    r.mcause = cpu.mcause;
    r.mtval = cpu.mtval;
    r.scause = cpu.scause;
    r.stval = cpu.stval;
    r.priv_after = cpu.priv;
    cpu.trapped = false;
    cpu.priv = priv;
    cpu.mstatus = mstatus;
    return r;
}

static result ld(gva_t va, unsigned size) { return access_(LD, va, size, 0); }
static result st(gva_t va, unsigned size, uint64_t v) { return access_(ST, va, size, v); }
static result fx(gva_t va) { return access_(FX, va, 4, 0); }

static bool expect_ok(result r, const char *name)
{
    bool ok = CHECK(r.ok && !r.trapped, name);
    if (!ok)
        printf("#   trapped: mcause %llu mtval 0x%llx\n", (unsigned long long)r.mcause,
               (unsigned long long)r.mtval);
    return ok;
}

static void expect_val(result r, uint64_t want, const char *name)
{
    char buf[160];
    if (!expect_ok(r, name))
        return;
    snprintf(buf, sizeof buf, "%s: value", name);
    CHECK_EQ(r.val, want, buf);
}

/* An exception taken to M-mode with mcause = cause and mtval = tval. */
static void expect_fault(result r, uint64_t cause, uint64_t tval, const char *name)
{
    char buf[200];
    snprintf(buf, sizeof buf, "%s: faults", name);
    CHECK(!r.ok && r.trapped, buf);
    snprintf(buf, sizeof buf, "%s: cause %llu", name, (unsigned long long)cause);
    CHECK_EQ(r.mcause, cause, buf);
    snprintf(buf, sizeof buf, "%s: tval", name);
    CHECK_EQ(r.mtval, tval, buf);
}

/* Data through va reaches pa and back: a load sees what the bus wrote at pa, a store
 * through va lands at pa, an instruction fetch reads the same bytes. */
static void probe(gva_t va, gpa_t pa, const char *what)
{
    char name[160];
    uint64_t tag = 0x5a00000000000000ULL ^ (va * 0x9e3779b97f4a7c15ULL) ^ pa;
    wr64(pa, tag);
    snprintf(name, sizeof name, "%s: load 0x%llx", what, (unsigned long long)va);
    expect_val(ld(va, 8), tag, name);
    snprintf(name, sizeof name, "%s: store", what);
    expect_ok(st(va, 8, ~tag), name);
    snprintf(name, sizeof name, "%s: store reached the physical page", what);
    CHECK_EQ(rd64(pa), ~tag, name);
    wr64(pa, 0x00000013); /* nop */
    snprintf(name, sizeof name, "%s: fetch", what);
    expect_val(fx(va), 0x00000013, name);
}

/* ---- translation at every level ---- */

static void test_sv39(void)
{
    setup(SV39, PRIV_S);
    map(0x40001000, RAM + 0x300000, 0, LEAF);
    probe(0x40001008, RAM + 0x300008, "Sv39 4K page");
    map(0x40200000, RAM + 0x200000, 1, LEAF);
    probe(0x40201238, RAM + 0x201238, "Sv39 2M megapage");
    map(0xc0000000, RAM, 2, LEAF);
    probe(0xc0400010, RAM + 0x400010, "Sv39 1G gigapage");
    map(0xffffffffc0000000ULL, RAM, 2, LEAF);
    probe(0xffffffffc0400018ULL, RAM + 0x400018, "Sv39 upper-half gigapage");
    map(0xffffffc000000000ULL, RAM, 2, LEAF);
    probe(0xffffffc000400020ULL, RAM + 0x400020, "Sv39 lowest upper-half address");

    /* §4.3.1: bits 63..39 must equal bit 38. */
    expect_fault(ld(0x0000004000000000ULL, 8), 13, 0x0000004000000000ULL,
                 "Sv39 non-canonical (bit 38 set, upper clear) load");
    expect_fault(st(0x0000008000000000ULL, 8, 0), 15, 0x0000008000000000ULL,
                 "Sv39 non-canonical (bit 39 set) store");
    expect_fault(fx(0xffffff0000000000ULL), 12, 0xffffff0000000000ULL,
                 "Sv39 non-canonical (upper set, bit 38 clear) fetch");
    expect_fault(ld(0x8000000040001008ULL, 8), 13, 0x8000000040001008ULL,
                 "Sv39 bit 63 alone: non-canonical even if the low bits are mapped");
    expect_fault(ld(0x40002000, 8), 13, 0x40002000, "unmapped 4K page");
}

static void test_sv48(void)
{
    setup(SV48, PRIV_S);
    map(0x0000123456789000ULL, RAM + 0x301000, 0, LEAF);
    probe(0x0000123456789ab8ULL, RAM + 0x301ab8, "Sv48 4K page");
    map(0x0000100000200000ULL, RAM + 0x200000, 1, LEAF);
    probe(0x0000100000212340ULL, RAM + 0x212340, "Sv48 2M megapage");
    map(0x0000100040000000ULL, RAM, 2, LEAF);
    probe(0x0000100040500008ULL, RAM + 0x500008, "Sv48 1G gigapage");
    map(0x0000008000000000ULL, 0, 3, LEAF);
    probe(0x0000008000000000ULL + RAM + 0x500010, RAM + 0x500010,
          "Sv48 512G terapage (VA non-canonical under Sv39)");
    map(0xffff800000000000ULL, 0, 3, LEAF);
    probe(0xffff800000000000ULL + RAM + 0x500018, RAM + 0x500018,
          "Sv48 upper-half terapage");

    expect_fault(ld(0x0000800000000000ULL, 8), 13, 0x0000800000000000ULL,
                 "Sv48 non-canonical (bit 47 set, upper clear)");
    expect_fault(fx(0xffff000000000000ULL), 12, 0xffff000000000000ULL,
                 "Sv48 non-canonical (upper set, bit 47 clear) fetch");
}

static void test_sv57(void)
{
    setup(SV57, PRIV_S);
    map(0x00123456789ab000ULL, RAM + 0x302000, 0, LEAF);
    probe(0x00123456789abff8ULL, RAM + 0x302ff8, "Sv57 4K page");
    map(0x0010000000200000ULL, RAM + 0x200000, 1, LEAF);
    probe(0x0010000000222220ULL, RAM + 0x222220, "Sv57 2M megapage");
    map(0x0010000040000000ULL, RAM, 2, LEAF);
    probe(0x0010000040600008ULL, RAM + 0x600008, "Sv57 1G gigapage");
    map(0x0010008000000000ULL, 0, 3, LEAF);
    probe(0x0010008000000000ULL + RAM + 0x600010, RAM + 0x600010, "Sv57 512G terapage");
    map(0x0001000000000000ULL, 0, 4, LEAF);
    probe(0x0001000000000000ULL + RAM + 0x600018, RAM + 0x600018, "Sv57 256T petapage");
    map(0xff00000000000000ULL, 0, 4, LEAF);
    probe(0xff00000000000000ULL + RAM + 0x600020, RAM + 0x600020, "Sv57 upper-half petapage");

    expect_fault(ld(0x0100000000000000ULL, 8), 13, 0x0100000000000000ULL,
                 "Sv57 non-canonical (bit 56 set, upper clear)");
    expect_fault(st(0xfe00000000000000ULL, 8, 0), 15, 0xfe00000000000000ULL,
                 "Sv57 non-canonical (upper set, bit 56 clear) store");
}

/* ---- malformed page tables ---- */

static void test_bad_ptes(void)
{
    setup(SV39, PRIV_S);
    /* §4.3.2 step 6: a superpage whose PPN is not aligned to its size is a page fault. */
    map(0x40400000, RAM + 0x201000, 1, LEAF);
    expect_fault(ld(0x40400010, 8), 13, 0x40400010, "misaligned 2M superpage load");
    expect_fault(st(0x40400010, 8, 0), 15, 0x40400010, "misaligned 2M superpage store");
    expect_fault(fx(0x40400010), 12, 0x40400010, "misaligned 2M superpage fetch");
    map(0x100000000ULL, RAM + 0x200000, 2, LEAF);
    expect_fault(ld(0x100000008ULL, 8), 13, 0x100000008ULL, "misaligned 1G superpage");
    setup(SV48, PRIV_S);
    map(0x0000008000000000ULL, RAM, 3, LEAF);
    expect_fault(ld(0x0000008000000008ULL, 8), 13, 0x0000008000000008ULL,
                 "misaligned 512G superpage");

    setup(SV39, PRIV_S);
    map(0x40001000, RAM + 0x300000, 0, RWX | A | D); /* V = 0 */
    expect_fault(ld(0x40001000, 8), 13, 0x40001000, "V=0 leaf: load");
    expect_fault(st(0x40001000, 8, 0), 15, 0x40001000, "V=0 leaf: store");
    expect_fault(fx(0x40001000), 12, 0x40001000, "V=0 leaf: fetch");
    wr64(root + 8 * 3, PTE(alloc_pt(), 0)); /* a non-leaf with V = 0 */
    expect_fault(ld(0xc0000000, 8), 13, 0xc0000000, "V=0 non-leaf");

    map(0x40002000, RAM + 0x300000, 0, V | W | A | D);
    expect_fault(ld(0x40002000, 8), 13, 0x40002000, "W without R: load");
    expect_fault(st(0x40002000, 8, 0), 15, 0x40002000, "W without R: store");
    map(0x40003000, RAM + 0x300000, 0, V | W | X | A | D);
    expect_fault(fx(0x40003000), 12, 0x40003000, "W|X without R: fetch");

    /* A pointer PTE at level 0 has nowhere to go (§4.3.2 step 4). */
    map(0x40004000, alloc_pt(), 0, V);
    expect_fault(ld(0x40004000, 8), 13, 0x40004000, "non-leaf PTE at level 0");

    /* Bits 63..54 (N, PBMT, reserved) set without Svnapot/Svpbmt: page fault. */
    gpa_t slot = map(0x40005000, RAM + 0x300000, 0, LEAF);
    expect_ok(ld(0x40005000, 8), "plain leaf works");
    static const uint64_t reserved[3] = { 1ULL << 63, 1ULL << 61, 1ULL << 54 };
    static const char *const names[3] = { "N bit set", "PBMT set", "reserved bit 54 set" };
    for (int i = 0; i < 3; i++) {
        wr64(slot, PTE(RAM + 0x300000, LEAF) | reserved[i]);
        rv_tlb_flush(&cpu);
        expect_fault(ld(0x40005000, 8), 13, 0x40005000, names[i]);
    }

    /* A table that points at itself: the walk is bounded by the level count. */
    setup(SV39, PRIV_S);
    wr64(root + 8 * 1, PTE(root, V));
    expect_fault(ld(0x40201000, 8), 13, 0x40201000, "Sv39 self-referencing table");
    expect_fault(fx(0x40201000), 12, 0x40201000, "Sv39 self-referencing table (fetch)");
    setup(SV57, PRIV_S);
    wr64(root + 8 * 1, PTE(root, V));
    gva_t loop = 1ULL << 48 | 1ULL << 39 | 1ULL << 30 | 1ULL << 21 | 1ULL << 12;
    expect_fault(ld(loop, 8), 13, loop, "Sv57 self-referencing table");

    /* Tables and leaves outside RAM: the PTE read or the access itself is an access
     * fault (§4.3.2 step 2/ PMA), not a page fault. */
    setup(SV39, PRIV_S);
    wr64(root + 8 * 2, PTE(0x10000000, V));
    expect_fault(ld(0x80000000, 8), 5, 0x80000000, "table outside RAM: load access fault");
    expect_fault(st(0x80000000, 8, 0), 7, 0x80000000, "table outside RAM: store access fault");
    expect_fault(fx(0x80000000), 1, 0x80000000, "table outside RAM: fetch access fault");
    map(0x40001000, 0x10000000, 0, LEAF);
    expect_fault(ld(0x40001000, 8), 5, 0x40001000, "leaf to unbacked memory: load");
    expect_fault(fx(0x40001000), 1, 0x40001000, "leaf to unbacked memory: fetch");
}

/* ---- permissions ---- */

static void test_permissions(void)
{
    setup(SV39, PRIV_S);
    const gva_t upage = 0x50000000, spage = 0x50001000, xpage = 0x50002000,
                rpage = 0x50003000, rwpage = 0x50004000;
    map(upage, RAM + 0x310000, 0, LEAF | U);
    map(spage, RAM + 0x311000, 0, LEAF);
    map(xpage, RAM + 0x312000, 0, V | X | A);
    map(rpage, RAM + 0x313000, 0, V | R | A);
    map(rwpage, RAM + 0x314000, 0, V | R | W | A | D);
    wr64(RAM + 0x310000, 0x00000013);
    wr64(RAM + 0x311000, 0x00000013);
    wr64(RAM + 0x312000, 0x1234500000000013ULL);
    wr64(RAM + 0x313000, 0x00000013);

    /* S-mode and U pages: SUM opens loads and stores, never fetches (§4.3.2 step 5). */
    expect_fault(ld(upage, 8), 13, upage, "S load from U page without SUM");
    expect_fault(st(upage, 8, 0), 15, upage, "S store to U page without SUM");
    expect_fault(fx(upage), 12, upage, "S fetch from U page");
    CHECK(rv_csr_write(&cpu, CSR_SSTATUS, MSTATUS_SUM), "set sstatus.SUM");
    expect_ok(ld(upage, 8), "S load from U page with SUM");
    expect_ok(access_(TLD, upage, 8, 0), "S load from U page with SUM (TLB path)");
    expect_ok(st(upage, 8, 0x00000013), "S store to U page with SUM");
    expect_fault(fx(upage), 12, upage, "S fetch from U page with SUM still faults");
    CHECK(rv_csr_write(&cpu, CSR_SSTATUS, 0), "clear sstatus.SUM");
    expect_fault(access_(TLD, upage, 8, 0), 13, upage,
                 "clearing SUM takes effect on the TLB path");

    /* U-mode and S pages. */
    cpu.priv = PRIV_U;
    expect_ok(ld(upage, 8), "U load from U page");
    expect_ok(st(upage, 8, 0x00000013), "U store to U page");
    expect_ok(fx(upage), "U fetch from U page");
    expect_fault(ld(spage, 8), 13, spage, "U load from S page");
    expect_fault(st(spage, 8, 0), 15, spage, "U store to S page");
    expect_fault(fx(spage), 12, spage, "U fetch from S page");
    cpu.mstatus |= MSTATUS_SUM;
    rv_tlb_flush(&cpu);
    expect_fault(ld(spage, 8), 13, spage, "SUM does not open S pages to U");
    cpu.mstatus &= ~MSTATUS_SUM;
    rv_tlb_flush(&cpu);
    cpu.priv = PRIV_S;

    /* Kind of access vs. R/W/X, and MXR. */
    expect_fault(ld(xpage, 8), 13, xpage, "load from execute-only page without MXR");
    expect_ok(fx(xpage), "fetch from execute-only page");
    CHECK(rv_csr_write(&cpu, CSR_SSTATUS, MSTATUS_MXR), "set sstatus.MXR");
    expect_val(ld(xpage, 8), 0x1234500000000013ULL, "MXR: load from execute-only page");
    expect_ok(access_(TLD, xpage, 8, 0), "MXR: execute-only load (TLB path)");
    expect_fault(st(xpage, 8, 0), 15, xpage, "MXR does not allow stores");
    CHECK(rv_csr_write(&cpu, CSR_SSTATUS, 0), "clear sstatus.MXR");
    expect_fault(access_(TLD, xpage, 8, 0), 13, xpage, "clearing MXR takes effect (TLB path)");
    expect_ok(ld(rpage, 8), "load from read-only page");
    expect_fault(st(rpage, 8, 0), 15, rpage, "store to read-only page");
    expect_fault(access_(TST, rpage, 8, 0), 15, rpage, "store to read-only page (TLB path)");
    expect_fault(fx(rpage), 12, rpage, "fetch from non-executable page");
    expect_fault(fx(rwpage), 12, rwpage, "fetch from RW page");

    /* MPRV: M-mode loads and stores translate as MPP; fetches do not (§3.1.6.3). */
    cpu.priv = PRIV_M;
    cpu.mstatus |= MSTATUS_MPRV | (uint64_t)PRIV_S << MSTATUS_MPP_SHIFT;
    rv_tlb_flush(&cpu);
    result r = ld(spage, 8);
    expect_val(r, 0x00000013, "MPRV=1 MPP=S: M-mode load is translated");
    expect_fault(ld(0x60000000, 8), 13, 0x60000000, "MPRV=1 MPP=S: unmapped VA faults");
    wr64(RAM + 0x1000, 0x00000013);
    expect_ok(fx(RAM + 0x1000), "MPRV=1: fetch stays untranslated");
    cpu.mstatus &= ~(MSTATUS_MPRV | MSTATUS_MPP);
    rv_tlb_flush(&cpu);
    expect_ok(ld(RAM + 0x1000, 8), "M-mode without MPRV: bare");
    cpu.priv = PRIV_S;

    /* medeleg sends S/U page faults to S-mode. */
    cpu.medeleg = 1ULL << 13;
    r = ld(0x60000000, 8);
    CHECK(!r.ok && r.scause == 13 && r.stval == 0x60000000,
          "delegated load page fault: scause 13, stval = va");
    CHECK(r.mcause == NONE && r.priv_after == PRIV_S, "delegated fault stays in S-mode");
    r = st(0x60000000, 8, 0);
    CHECK(r.mcause == 15 && r.mtval == 0x60000000 && r.priv_after == PRIV_M,
          "store page fault not delegated: goes to M");
    cpu.medeleg = 0;
}

/* MPRV loads use the S-mode permission rules, MXR included. */
static void test_mprv_xonly(void)
{
    setup(SV39, PRIV_M);
    map(0x50002000, RAM + 0x312000, 0, V | X | A);
    cpu.mstatus |= MSTATUS_MPRV | (uint64_t)PRIV_S << MSTATUS_MPP_SHIFT;
    rv_tlb_flush(&cpu);
    expect_fault(ld(0x50002000, 8), 13, 0x50002000, "MPRV load from X-only page faults");
    cpu.mstatus |= MSTATUS_MXR;
    rv_tlb_flush(&cpu);
    expect_ok(ld(0x50002000, 8), "MPRV + MXR load from X-only page");
}

/* ---- A and D ---- */

static void test_accessed_dirty(void)
{
    setup(SV39, PRIV_S);
    gpa_t pte = map(0x50003000, RAM + 0x320000, 0, V | R | W);
    expect_ok(ld(0x50003000, 8), "load from page without A");
    CHECK((rd64(pte) & (A | D)) == A, "load sets A, not D");
    expect_ok(st(0x50003000, 8, 1), "store to page with A, without D");
    CHECK((rd64(pte) & (A | D)) == (A | D), "store sets D");

    pte = map(0x50004000, RAM + 0x321000, 0, V | R | W);
    expect_ok(access_(TST, 0x50004000, 8, 1), "store to a fresh page (TLB path)");
    CHECK((rd64(pte) & (A | D)) == (A | D), "first store sets A and D");
    CHECK_EQ(rd64(pte) >> 10, (RAM + 0x321000) >> 12, "A/D update keeps the PPN");

    pte = map(0x50005000, RAM + 0x322000, 0, V | X);
    wr64(RAM + 0x322000, 0x00000013);
    expect_ok(fx(0x50005000), "fetch from page without A");
    CHECK((rd64(pte) & (A | D)) == A, "fetch sets A only");

    pte = map(0x50006000, RAM + 0x323000, 0, V | R);
    expect_fault(st(0x50006000, 8, 0), 15, 0x50006000, "store to read-only page without A");
    CHECK((rd64(pte) & (A | D)) == 0, "a faulting access sets neither A nor D");

    pte = map(0x40200000, RAM + 0x200000, 1, V | R | W);
    expect_ok(st(0x40200008, 8, 0), "store to 2M superpage without A/D");
    CHECK((rd64(pte) & (A | D)) == (A | D), "superpage leaf gets A and D");
}

/* ---- the soft TLB ---- */

static void test_tlb(void)
{
    setup(SV39, PRIV_S);
    const gva_t va = 0x50005000;
    gpa_t pte = map(va, RAM + 0x330000, 0, LEAF);
    wr64(RAM + 0x330000, 0x1111);
    wr64(RAM + 0x331000, 0x2222);
    expect_val(access_(TLD, va, 8, 0), 0x1111, "first load (fills the TLB)");
    const rv_tlb_entry *e = &cpu.tlb[PRIV_S][ACC_READ][(va >> 12) & (RV_TLB_SIZE - 1)];
    CHECK_EQ(e->tag, rv_tlb_tag(&cpu, PRIV_S, va >> 12), "TLB entry filled for the page");
    expect_val(access_(TLD, va, 8, 0), 0x1111, "second load (TLB hit)");

    wr64(pte, PTE(RAM + 0x331000, LEAF));
    expect_val(access_(TLD, va, 8, 0), 0x1111,
               "PTE changed without a flush: the old translation is still cached");
    rv_tlb_flush(&cpu);
    expect_val(access_(TLD, va, 8, 0), 0x2222, "after rv_tlb_flush the new PTE is used");

    expect_ok(access_(TST, va + 8, 8, 0x3333), "store (fills the write TLB)");
    expect_ok(access_(TST, va + 16, 8, 0x4444), "store (TLB hit)");
    CHECK(rd64(RAM + 0x331008) == 0x3333 && rd64(RAM + 0x331010) == 0x4444,
          "TLB stores land in the mapped page");
    expect_val(access_(TLD, va + 6, 4, 0), 0x33330000,
               "misaligned load inside a page bypasses the TLB and is correct");

    wr64(pte, 0);
    rv_tlb_flush(&cpu);
    expect_fault(access_(TLD, va, 8, 0), 13, va, "invalidated PTE + flush: load faults");
    expect_fault(access_(TST, va, 8, 0), 15, va, "invalidated PTE + flush: store faults");

    /* satp: unsupported modes are ignored (WARL, §4.1.11). */
    uint64_t satp = cpu.satp;
    CHECK(rv_csr_write(&cpu, CSR_SATP, 1ULL << 60 | 0x1234), "satp write, mode 1");
    CHECK_EQ(cpu.satp, satp, "mode 1 (Sv32) leaves satp unchanged");
    CHECK(rv_csr_write(&cpu, CSR_SATP, 11ULL << 60 | 0x1234), "satp write, mode 11");
    CHECK_EQ(cpu.satp, satp, "mode 11 (Sv64) leaves satp unchanged");
    CHECK(rv_csr_write(&cpu, CSR_SATP, 15ULL << 60), "satp write, mode 15");
    CHECK_EQ(cpu.satp, satp, "mode 15 leaves satp unchanged");
    CHECK(rv_csr_write(&cpu, CSR_SATP, 9ULL << 60 | root >> 12), "satp write, Sv48");
    CHECK_EQ(cpu.satp >> 60, 9, "Sv48 accepted");
    CHECK(rv_csr_write(&cpu, CSR_SATP, 0), "satp write, bare");
    CHECK_EQ(cpu.satp, 0, "bare accepted");
    expect_ok(ld(RAM + 0x331008, 8), "bare S-mode: physical access");
}

/* ---- misaligned accesses across pages ---- */

static void test_cross_page(void)
{
    setup(SV39, PRIV_S);
    const gva_t a = 0x50010000, b = 0x50011000;
    map(a, RAM + 0x340000, 0, LEAF);
    wr64(RAM + 0x340ff8, 0x8877665544332211ULL);
    /* tval names the faulting portion, the first byte of the unmapped page (Priv. ISA
     * §3.1.16). Real guest: with tval = a+0xffc the Debian installer hung after GNU
     * screen started (its userspace uses misaligned loads once the kernel reports
     * "unaligned accesses are fast"): the kernel kept mapping the present page. */
    expect_fault(ld(a + 0xffc, 8), 13, b, "load crossing into an unmapped page");
    expect_fault(st(a + 0xffc, 8, 0), 15, b, "store crossing into an unmapped page");
    CHECK_EQ(rd64(RAM + 0x340ff8), 0x8877665544332211ULL,
             "faulting cross-page store changes nothing");
    wr64(RAM + 0x340ff8, 0x0000006f00000000ULL); /* 32-bit insn bytes at a+0xffc */
    CHECK(bus_write(&m.bus, RAM + 0x340ffe, 2, 0x0013), "32-bit insn low half at a+0xffe");
    expect_fault(fx(a + 0xffe), 12, b,
                 "32-bit fetch straddling into an unmapped page: tval = second half");
    CHECK(bus_write(&m.bus, RAM + 0x340ffe, 2, 0x0001), "c.nop at a+0xffe");
    expect_val(fx(a + 0xffe), 0x0001, "16-bit fetch at the end of a page needs no next page");

    /* Both pages mapped, to physical pages far apart. */
    map(b, RAM + 0x350000, 0, LEAF);
    wr64(RAM + 0x340ff8, 0x8877665544332211ULL);
    wr64(RAM + 0x350000, 0xffeeddccbbaa9988ULL);
    expect_val(ld(a + 0xffc, 8), 0xbbaa998888776655ULL, "load assembled across two pages");
    expect_ok(st(a + 0xffe, 4, 0xa1b2c3d4), "store across two pages");
    CHECK(rd64(RAM + 0x340ff8) == 0xc3d4665544332211ULL &&
              rd64(RAM + 0x350000) == 0xffeeddccbbaaa1b2ULL,
          "store split across the two physical pages");
    CHECK(bus_write(&m.bus, RAM + 0x340ffe, 2, 0x0013), "insn low half");
    CHECK(bus_write(&m.bus, RAM + 0x350000, 2, 0x0000), "insn high half");
    expect_val(fx(a + 0xffe), 0x00000013, "32-bit fetch across two pages");

    /* Second page mapped but not readable: the fault names the second page. */
    setup(SV39, PRIV_S);
    map(a, RAM + 0x340000, 0, LEAF);
    map(b, RAM + 0x350000, 0, V | X | A);
    expect_fault(ld(a + 0xffe, 4), 13, b, "cross-page load, second page X-only");
    expect_fault(access_(TLD, a + 0xfff, 2, 0), 13, b,
                 "cross-page load via rv_load, second page X-only");
}

/* ---- PMP ---- */

static uint64_t napot(gpa_t base, uint64_t size)
{
    return (base | (size / 2 - 1)) >> 2;
}

static void pmp_set(unsigned i, uint64_t addr, uint8_t cfg)
{
    int priv = cpu.priv;
    cpu.priv = PRIV_M;
    rv_csr_write(&cpu, CSR_PMPADDR0 + i, addr);
    uint64_t c = 0;
    rv_csr_read(&cpu, CSR_PMPCFG0 + 2 * (i / 8), &c);
    c &= ~(0xffULL << (8 * (i % 8)));
    c |= (uint64_t)cfg << (8 * (i % 8));
    rv_csr_write(&cpu, CSR_PMPCFG0 + 2 * (i / 8), c);
    cpu.priv = priv;
}

static void test_pmp(void)
{
    /* No entries: M-mode (and, by this implementation's choice, S-mode) may access. */
    setup(0, PRIV_M);
    wr64(RAM + 0x300000, 0x00000013);
    expect_ok(ld(RAM + 0x300000, 8), "M-mode, no PMP entries: load");
    expect_ok(st(RAM + 0x300008, 8, 1), "M-mode, no PMP entries: store");
    expect_ok(fx(RAM + 0x300000), "M-mode, no PMP entries: fetch");
    cpu.priv = PRIV_S;
    expect_ok(ld(RAM + 0x300000, 8), "S-mode, no PMP entries configured: load");

    /* NAPOT: a 4 KiB execute-only hole in an all-access NAPOT for S-mode. */
    setup(0, PRIV_S);
    pmp_set(0, napot(RAM + 0x300000, 0x1000), PMP_NAPOT | PMP_X);
    pmp_set(1, ~0ULL, PMP_NAPOT | PMP_R | PMP_W | PMP_X);
    expect_fault(ld(RAM + 0x300010, 8), 5, RAM + 0x300010, "PMP NAPOT denies S read");
    expect_fault(st(RAM + 0x300ff8, 8, 0), 7, RAM + 0x300ff8, "PMP NAPOT denies S write");
    expect_fault(access_(TLD, RAM + 0x300010, 8, 0), 5, RAM + 0x300010,
                 "PMP NAPOT denies S read (TLB path)");
    expect_ok(fx(RAM + 0x300000), "PMP NAPOT allows S fetch");
    expect_ok(ld(RAM + 0x301000, 8), "next page: entry 1 allows");
    expect_ok(ld(RAM + 0x2ffff8, 8), "previous page: entry 1 allows");
    expect_fault(ld(RAM + 0x2ffffc, 8), 5, RAM + 0x300000,
                 "misaligned load with a byte in the denied range: tval = first denied byte");
    cpu.priv = PRIV_M;
    expect_ok(ld(RAM + 0x300010, 8), "unlocked entry does not bind M-mode");

    /* With paging on, PMP checks the physical address; tval is the virtual one. */
    setup(SV39, PRIV_S);
    pmp_set(0, napot(RAM + 0x300000, 0x1000), PMP_NAPOT | PMP_X);
    pmp_set(1, ~0ULL, PMP_NAPOT | PMP_R | PMP_W | PMP_X);
    map(0x40001000, RAM + 0x300000, 0, LEAF);
    expect_fault(ld(0x40001010, 8), 5, 0x40001010, "PMP on the translated address");
    /* The walker's own PTE reads are checked too (as S-mode accesses). */
    pmp_set(0, napot(root, 0x1000), PMP_NAPOT);
    expect_fault(ld(0x40001010, 8), 5, 0x40001010, "PTE read denied by PMP: load access fault");
    expect_fault(st(0x40001010, 8, 0), 7, 0x40001010, "PTE read denied: store access fault");
    expect_fault(fx(0x40001010), 1, 0x40001010, "PTE read denied: fetch access fault");

    /* S-mode with entries configured but none matching: denied (§3.7.1). */
    setup(0, PRIV_S);
    pmp_set(0, napot(RAM, 0x100000), PMP_NAPOT | PMP_R | PMP_W | PMP_X);
    expect_ok(ld(RAM + 0x8, 8), "S load inside the only entry");
    expect_fault(ld(RAM + 0x100000, 8), 5, RAM + 0x100000, "S load matching no entry");
    expect_fault(fx(RAM + 0x100000), 1, RAM + 0x100000, "S fetch matching no entry");
    cpu.priv = PRIV_M;
    expect_ok(ld(RAM + 0x100000, 8), "M load matching no entry succeeds");

    /* TOR: [pmpaddr0 << 2, pmpaddr1 << 2) read-only. */
    setup(0, PRIV_S);
    pmp_set(0, (RAM + 0x400000) >> 2, 0);
    pmp_set(1, (RAM + 0x500000) >> 2, PMP_TOR | PMP_R);
    expect_ok(ld(RAM + 0x400000, 8), "TOR: first doubleword readable");
    expect_ok(ld(RAM + 0x4ffff8, 8), "TOR: last doubleword readable");
    expect_fault(st(RAM + 0x400000, 8, 0), 7, RAM + 0x400000, "TOR: not writable");
    expect_fault(fx(RAM + 0x400000), 1, RAM + 0x400000, "TOR: not executable");
    expect_fault(ld(RAM + 0x500000, 8), 5, RAM + 0x500000, "TOR: top is exclusive");
    expect_fault(ld(RAM + 0x3ffff8, 8), 5, RAM + 0x3ffff8, "TOR: below the base");
    expect_fault(ld(RAM + 0x4ffffc, 8), 5, RAM + 0x500000,
                 "TOR: access straddling the top: tval = first byte past it");
    /* TOR in entry 0 starts at address 0. */
    setup(0, PRIV_S);
    pmp_set(0, (RAM + 0x100000) >> 2, PMP_TOR | PMP_R | PMP_W | PMP_X);
    expect_ok(ld(RAM + 0xffff8, 8), "TOR entry 0: [0, top) readable");
    expect_fault(ld(RAM + 0x100000, 8), 5, RAM + 0x100000, "TOR entry 0: top exclusive");

    /* A locked entry binds M-mode too, and ignores further writes. */
    setup(0, PRIV_M);
    pmp_set(0, napot(RAM + 0x600000, 0x1000), PMP_L | PMP_NAPOT | PMP_R);
    wr64(RAM + 0x600000, 0x00000013);
    expect_ok(ld(RAM + 0x600000, 8), "locked R entry: M load allowed");
    expect_fault(st(RAM + 0x600008, 8, 0), 7, RAM + 0x600008, "locked R entry: M store denied");
    expect_fault(access_(TST, RAM + 0x600008, 8, 0), 7, RAM + 0x600008,
                 "locked R entry: M store denied (TLB path)");
    expect_fault(fx(RAM + 0x600000), 1, RAM + 0x600000, "locked R entry: M fetch denied");
    expect_ok(st(RAM + 0x601000, 8, 0), "M store outside the locked entry");
    rv_csr_write(&cpu, CSR_PMPCFG0, 0);
    rv_csr_write(&cpu, CSR_PMPADDR0, 0);
    CHECK_EQ(cpu.pmpcfg[0] & 0xff, PMP_L | PMP_NAPOT | PMP_R, "locked pmpcfg ignores writes");
    CHECK_EQ(cpu.pmpaddr[0], napot(RAM + 0x600000, 0x1000), "locked pmpaddr ignores writes");
    expect_fault(st(RAM + 0x600008, 8, 0), 7, RAM + 0x600008, "still locked after the writes");

    /* W without R is reserved: the write keeps the entry without R/W. */
    setup(0, PRIV_M);
    pmp_set(0, napot(RAM, 0x1000), PMP_NAPOT | PMP_W);
    CHECK_EQ(cpu.pmpcfg[0] & 0xff & (PMP_R | PMP_W), 0, "pmpcfg W without R is not kept");
}

/* An entry smaller than a page must not let the TLB cache the page around it: a later
 * access inside the entry would skip the check. */
static void test_pmp_subpage(void)
{
    setup(0, PRIV_M);
    pmp_set(0, (RAM + 0x600100) >> 2, PMP_L | PMP_NA4); /* 4 bytes, no access, locked */
    expect_ok(access_(TLD, RAM + 0x600000, 8, 0), "M load next to a locked NA4 entry");
    expect_fault(access_(TLD, RAM + 0x600100, 4, 0), 5, RAM + 0x600100,
                 "M load inside the locked NA4 entry after a load on the same page");
    expect_ok(access_(TST, RAM + 0x600000, 8, 0), "M store next to a locked NA4 entry");
    expect_fault(access_(TST, RAM + 0x600100, 4, 0), 7, RAM + 0x600100,
                 "M store inside the locked NA4 entry after a store on the same page");

    setup(0, PRIV_S);
    pmp_set(0, napot(RAM + 0x700200, 0x100), PMP_NAPOT);
    pmp_set(1, ~0ULL, PMP_NAPOT | PMP_R | PMP_W | PMP_X);
    expect_ok(access_(TLD, RAM + 0x700000, 8, 0), "S load next to a 256-byte PMP hole");
    expect_fault(access_(TLD, RAM + 0x700200, 8, 0), 5, RAM + 0x700200,
                 "S load inside the 256-byte hole after a load on the same page");
    wr64(RAM + 0x700000, 0x00000013);
    expect_ok(fx(RAM + 0x700000), "S fetch next to the hole");
    expect_fault(fx(RAM + 0x700200), 1, RAM + 0x700200, "S fetch inside the hole");
    CHECK(cpu.tlb[PRIV_S][ACC_EXEC][((RAM + 0x700000) >> 12) & (RV_TLB_SIZE - 1)].tag !=
              rv_tlb_tag(&cpu, PRIV_S, (RAM + 0x700000) >> 12),
             "a page partly covered by a PMP entry is not cached for fetch");
    expect_ok(fx(RAM + 0x701000), "S fetch on a page clear of the hole");
    CHECK_EQ(cpu.tlb[PRIV_S][ACC_EXEC][((RAM + 0x701000) >> 12) & (RV_TLB_SIZE - 1)].tag,
             rv_tlb_tag(&cpu, PRIV_S, (RAM + 0x701000) >> 12), "a page wholly inside one entry is cached");
}

int main(void)
{
    vm_error err;
    bus_init(&m.bus);
    if (!bus_add_ram(&m.bus, RAM, RAM_SIZE, "ram", &err) || !rv_cpu_init(&cpu, &m, 0, &err)) {
        printf("Bail out! %s\n", err.msg);
        return 1;
    }
    test_sv39();
    test_sv48();
    test_sv57();
    test_bad_ptes();
    test_permissions();
    test_mprv_xonly();
    test_accessed_dirty();
    test_tlb();
    test_cross_page();
    test_pmp();
    test_pmp_subpage();
    rv_cpu_destroy(&cpu);
    bus_destroy(&m.bus);
    return check_done();
}
