/* Paging (SDM Vol.3 chapter 4): 32-bit with PSE, PAE, 4-level and 5-level walks, NX, WP,
 * U/S, SMEP/SMAP, global pages, A/D updates; the soft TLB fill; segment checks; slow
 * paths for MMIO, page-crossing and unmapped accesses.
 *
 * Simplifications (documented debts): PAE PDPTEs are read at walk time rather than cached
 * at MOV CR3; PCIDs are not advertised so CR3 writes flush all non-global entries; a
 * paging-structure read from outside RAM reads as 0 (not present) so a walk into MMIO or
 * unmapped space gives #PF instead of hanging; data accesses outside RAM read all ones and
 * drop writes (PC open bus), never fault. */
#include "arch/x86/mmu.h"

#define PTE_P (1ull << 0)
#define PTE_W (1ull << 1)
#define PTE_U (1ull << 2)
#define PTE_A (1ull << 5)
#define PTE_D (1ull << 6)
#define PTE_PS (1ull << 7)
#define PTE_G (1ull << 8)
#define PTE_NX (1ull << 63)

#define PF_P 1u
#define PF_W 2u
#define PF_U 4u
#define PF_RSVD 8u
#define PF_ID 16u

/* MAXPHYADDR reported by CPUID 0x80000008 */
#define X86_PHYS_BITS 40
#define PHYS_MASK (((1ull << X86_PHYS_BITS) - 1) & ~0xfffull)

void x86_tlb_flush(x86_cpu *cpu, bool keep_global)
{
    x86_tlb_entry *e = &cpu->tlb[0][0][0];
    const bool *global = &cpu->tlb_global[0][0][0];
    size_t n = sizeof cpu->tlb / sizeof *e;
    for (size_t i = 0; i < n; i++)
        if (!keep_global || !global[i])
            e[i].tag = 0;
}

void x86_tlb_flush_page(x86_cpu *cpu, uint64_t lin)
{
    uint64_t vpn = lin >> 12;
    for (int u = 0; u < 2; u++)
        for (int a = 0; a < 3; a++) {
            x86_tlb_entry *e = &cpu->tlb[u][a][vpn & (X86_TLB_SIZE - 1)];
            /* Large pages fill one 4 KiB entry per page touched, so the page's own entry
             * is the only one holding this address. */
            if (e->tag == vpn + 1)
                e->tag = 0;
        }
}

void x86_tlb_drop_write_host(x86_cpu *cpu, const uint8_t *host_page)
{
    for (int u = 0; u < 2; u++)
        for (unsigned i = 0; i < X86_TLB_SIZE; i++) {
            x86_tlb_entry *e = &cpu->tlb[u][ACC_W][i];
            if (e->tag && (uintptr_t)((e->tag - 1) << 12) + e->addend == (uintptr_t)host_page)
                e->tag = 0;
        }
}

static uint64_t pte_read(x86_cpu *cpu, uint64_t pa, unsigned size)
{
    uint64_t v = 0;
    if (!bus_read(&cpu->m->bus, pa, size, &v))
        return 0;
    return v;
}

static void pte_write(x86_cpu *cpu, uint64_t pa, unsigned size, uint64_t v)
{
    (void)bus_write(&cpu->m->bus, pa, size, v);
}

/* Set A (and D) in an entry if not yet set: through the bus so code-page tracking sees
 * it (SDM Vol.3 §4.8). */
static void pte_touch(x86_cpu *cpu, uint64_t pa, unsigned size, uint64_t pte, uint64_t bits)
{
    if ((pte & bits) != bits)
        pte_write(cpu, pa, size, pte | bits);
}

static bool canonical(const x86_cpu *cpu, uint64_t lin)
{
    unsigned bits = (cpu->cr4 & CR4_LA57) ? 57 : 48;
    int64_t s = (int64_t)(lin << (64 - bits)) >> (64 - bits);
    return (uint64_t)s == lin;
}

/* The walk. Returns true with pa; false with err = #PF error code. */
static bool walk(x86_cpu *cpu, uint64_t lin, unsigned acc, uint64_t *pa_out, uint32_t *err,
                 bool *global, bool *dirty_ok)
{
    unsigned kind = acc & 3;
    bool user = x86_user(cpu, acc);
    bool write = kind == ACC_W, exec = kind == ACC_X;
    bool nxe = (cpu->efer & EFER_NXE) != 0;
    uint32_t ec = (write ? PF_W : 0) | (user ? PF_U : 0);
    bool pae = (cpu->cr4 & CR4_PAE) != 0;
    if (exec && pae && (nxe || (cpu->cr4 & CR4_SMEP)))
        ec |= PF_ID;

    uint64_t ent_pa[6];
    uint64_t ent[6];
    unsigned n = 0, size = pae ? 8 : 4;
    bool rw = true, us = true, nx = false;
    uint64_t page_pa;
    unsigned page_bits;

    if (!pae) {
        /* 32-bit paging (§4.3) */
        uint64_t a = (cpu->cr3 & 0xfffff000u) | ((lin >> 20) & 0xffc);
        uint64_t pde = pte_read(cpu, a, 4);
        ent_pa[n] = a; ent[n++] = pde;
        if (!(pde & PTE_P))
            goto not_present;
        rw = pde & PTE_W; us = pde & PTE_U;
        if ((pde & PTE_PS) && (cpu->cr4 & CR4_PSE)) {
            if (pde & (1ull << 21))
                goto reserved;
            page_pa = (pde & 0xffc00000u) | (((pde >> 13) & 0xff) << 32);
            page_bits = 22;
        } else {
            a = (pde & 0xfffff000u) | ((lin >> 10) & 0xffc);
            uint64_t pte = pte_read(cpu, a, 4);
            ent_pa[n] = a; ent[n++] = pte;
            if (!(pte & PTE_P))
                goto not_present;
            rw = rw && (pte & PTE_W); us = us && (pte & PTE_U);
            page_pa = pte & 0xfffff000u;
            page_bits = 12;
        }
    } else {
        /* PAE paging (SDM Vol.3 §4.4.2): bits 62:MAXPHYADDR are reserved; 4/5-level
         * paging (§4.5.4, Tables 4-15..4-20): only 51:MAXPHYADDR are, 62:52 are ignored
         * (Linux keeps software bits there, e.g. _PAGE_BIT_SOFTW5 = 58). Bit 63 is XD
         * with EFER.NXE, reserved without. */
        uint64_t rsvd = ~PHYS_MASK & ~0xfffull & ~(nxe ? PTE_NX : 0);
        if (cpu->efer & EFER_LMA)
            rsvd &= ~0x7ff0000000000000ull;
        int levels;
        uint64_t table;
        if (!(cpu->efer & EFER_LMA)) {
            /* PAE (§4.4): the PDPTE selects a page directory */
            uint64_t a = (cpu->cr3 & 0xffffffe0u) | ((lin >> 27) & 0x18);
            uint64_t pdpte = pte_read(cpu, a, 8);
            if (!(pdpte & PTE_P))
                goto not_present;
            if (pdpte & ((~PHYS_MASK & ~0xfffull) | 0x1e6))
                goto reserved;
            table = pdpte & PHYS_MASK;
            levels = 2;
        } else {
            table = cpu->cr3 & PHYS_MASK;
            levels = (cpu->cr4 & CR4_LA57) ? 5 : 4;
        }
        for (int lv = levels; lv >= 1; lv--) {
            unsigned shift = 12 + 9 * (unsigned)(lv - 1);
            uint64_t a = table | (((lin >> shift) & 0x1ff) << 3);
            uint64_t e = pte_read(cpu, a, 8);
            ent_pa[n] = a; ent[n++] = e;
            if (!(e & PTE_P))
                goto not_present;
            if (e & rsvd)
                goto reserved;
            rw = rw && (e & PTE_W); us = us && (e & PTE_U);
            nx = nx || (nxe && (e & PTE_NX));
            if (lv >= 4 && (e & PTE_PS))
                goto reserved;
            if ((lv == 2 || lv == 3) && (e & PTE_PS)) {
                if (lv == 3 && (cpu->efer & EFER_LMA) == 0)
                    goto reserved;
                uint64_t lo = ((1ull << shift) - 1) & ~0x1fffull; /* bits 13..shift-1 */
                if (e & lo)
                    goto reserved;
                page_pa = e & PHYS_MASK & ~((1ull << shift) - 1);
                page_bits = shift;
                goto leaf;
            }
            table = e & PHYS_MASK;
        }
        page_pa = table;
        page_bits = 12;
    }
leaf:;
    uint64_t leaf_e = ent[n - 1];
    /* Access rights (§4.6) */
    ec |= PF_P;
    if (user) {
        if (!us || (write && !rw))
            goto fault;
    } else {
        if (write && !rw && (cpu->cr0 & CR0_WP))
            goto fault;
        if (us && exec && (cpu->cr4 & CR4_SMEP))
            goto fault;
        if (us && !exec && (cpu->cr4 & CR4_SMAP) &&
            ((acc & MA_SUPER) || !(cpu->flags & FL_AC)))
            goto fault;
    }
    if (exec && nx)
        goto fault;
    for (unsigned i = 0; i < n; i++)
        pte_touch(cpu, ent_pa[i], size, ent[i], PTE_A | (write && i == n - 1 ? PTE_D : 0));
    *pa_out = page_pa | (lin & ((1ull << page_bits) - 1));
    *global = (leaf_e & PTE_G) && (cpu->cr4 & CR4_PGE);
    *dirty_ok = (leaf_e & PTE_D) || write;
    /* A supervisor entry for a user page depends on RFLAGS.AC under SMAP: not cached. */
    if (us && !user && (cpu->cr4 & CR4_SMAP))
        *dirty_ok = false, *global = false, cpu->tlb_nofill = true;
    return true;

not_present:
    *err = ec;
    return false;
reserved:
    *err = ec | PF_P | PF_RSVD;
    return false;
fault:
    *err = ec;
    return false;
}

/* The checks of data accesses that keep their pages out of the TLB (x86_translate): data
 * breakpoints, and the alignment check (SDM Vol.3 §6.15 "Interrupt 17": CR0.AM, RFLAGS.AC,
 * CPL 3, not for implicit supervisor accesses; words, doublewords and quadwords). */
static bool data_checked(const x86_cpu *cpu, unsigned user)
{
    return cpu->dbg_data || (user && (cpu->cr0 & CR0_AM) && (cpu->flags & FL_AC));
}

bool x86_translate(x86_cpu *cpu, uint64_t lin, unsigned acc, uint64_t *pa, uint32_t *err)
{
    unsigned kind = acc & 3;
    bool global = false, dirty_ok = true;
    cpu->tlb_nofill = false;
    if (cpu->cr0 & CR0_PG) {
        if (!walk(cpu, lin, acc, pa, err, &global, &dirty_ok))
            return false;
    } else {
        *pa = lin & 0xffffffffull;
        if (cpu->efer & EFER_LMA)
            *pa = lin;
    }
    /* Fill the TLB for RAM pages: write entries only when the page is dirty and holds no
     * decoded code (so writes to code take the slow path and invalidate blocks). */
    bus *b = &cpu->m->bus;
    uint64_t ppage = *pa & ~0xfffull;
    uint8_t *host = kind == ACC_W ? bus_ram_ptr_writable(b, ppage, 4096)
                                  : bus_ram_ptr(b, ppage, 4096);
    /* Non-canonical addresses (reachable by implicit accesses through a descriptor-table
     * base) are never cached, so the 64-bit TLB hit needs no canonical check. Canonical
     * is the width of the current paging mode (57 bits with CR4.LA57, whose toggles flush
     * the TLB): Linux with 5-level paging keeps its stacks and vmalloc space above 2^47,
     * and refusing those pages made every stack access a 5-level walk. */
    if (!host || cpu->tlb_nofill || !canonical(cpu, lin))
        return true;
    if (kind != ACC_X && data_checked(cpu, x86_user(cpu, acc)))
        return true;
    if (kind == ACC_W && (!dirty_ok || bus_code_page_is_marked(b, ppage)))
        return true;
    unsigned user = x86_user(cpu, acc);
    uint64_t vpn = lin >> 12;
    x86_tlb_entry *e = &cpu->tlb[user][kind][vpn & (X86_TLB_SIZE - 1)];
    e->tag = vpn + 1;
    e->addend = (uintptr_t)host - (uintptr_t)(vpn << 12);
    cpu->tlb_global[user][kind][vpn & (X86_TLB_SIZE - 1)] = global;
    return true;
}

static uint64_t translate_or_fault(x86_cpu *cpu, uint64_t lin, unsigned acc)
{
    uint64_t pa;
    uint32_t err;
    if (!x86_translate(cpu, lin, acc, &pa, &err)) {
        cpu->cr2 = lin;
        x86_fault(cpu, EXC_PF, err);
    }
    return pa;
}

static uint64_t phys_read(x86_cpu *cpu, uint64_t pa, unsigned size)
{
    uint64_t v;
    if (!bus_read(&cpu->m->bus, pa, size, &v))
        return size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
    return v;
}

static void phys_write(x86_cpu *cpu, uint64_t pa, unsigned size, uint64_t v)
{
    bus *b = &cpu->m->bus;
    if (bus_code_page_is_marked(b, pa))
        cpu->smc = true;
    (void)bus_write(b, pa, size, v);
}

static void data_checks(x86_cpu *cpu, uint64_t lin, unsigned size, unsigned acc)
{
    unsigned user = x86_user(cpu, acc);
    if (!data_checked(cpu, user))
        return;
    if (user && (cpu->cr0 & CR0_AM) && (cpu->flags & FL_AC) && (size & (size - 1)) == 0 &&
        (lin & (size - 1)))
        x86_fault(cpu, EXC_AC, 0);
    if (cpu->dbg_data && !(acc & MA_SUPER))
        x86_dbg_data_access(cpu, lin, size, (acc & 3) == ACC_W);
}

uint64_t x86_lin_read_slow(x86_cpu *cpu, uint64_t lin, unsigned size, unsigned acc)
{
    data_checks(cpu, lin, size, acc);
    if (((lin & 0xfff) + size) > 4096) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++)
            v |= x86_lin_read(cpu, lin + i, 1, acc) << (8 * i);
        return v;
    }
    uint64_t pa = translate_or_fault(cpu, lin, (acc & ~3u) | ACC_R);
    return phys_read(cpu, pa, size);
}

void x86_lin_probe_write(x86_cpu *cpu, uint64_t lin, unsigned size, unsigned acc)
{
    (void)translate_or_fault(cpu, lin, (acc & ~3u) | ACC_W);
    if (((lin & 0xfff) + size) > 4096) /* CR2 is the first byte of the second page */
        (void)translate_or_fault(cpu, (lin + size - 1) & ~0xfffull, (acc & ~3u) | ACC_W);
}

void x86_lin_write_slow(x86_cpu *cpu, uint64_t lin, unsigned size, uint64_t val,
                        unsigned acc)
{
    data_checks(cpu, lin, size, acc | ACC_W);
    if (((lin & 0xfff) + size) > 4096) {
        x86_lin_probe_write(cpu, lin, size, acc);
        for (unsigned i = 0; i < size; i++)
            x86_lin_write(cpu, lin + i, 1, (val >> (8 * i)) & 0xff, acc);
        return;
    }
    uint64_t pa = translate_or_fault(cpu, lin, (acc & ~3u) | ACC_W);
    phys_write(cpu, pa, size, val);
}

const uint8_t *x86_fetch_ptr(x86_cpu *cpu, uint64_t lin, uint64_t *pa)
{
    unsigned user = cpu->cpl == 3;
    uint8_t *p = x86_tlb_hit(cpu, user, ACC_X, lin, 1);
    if (!p) {
        uint64_t a = translate_or_fault(cpu, lin, ACC_X);
        p = x86_tlb_hit(cpu, user, ACC_X, lin, 1);
        if (!p) {
            *pa = a;
            return NULL;
        }
    }
    return p;
}

uint8_t x86_fetch_byte_slow(x86_cpu *cpu, uint64_t lin)
{
    uint64_t pa = translate_or_fault(cpu, lin, ACC_X);
    return (uint8_t)phys_read(cpu, pa, 1);
}

uint64_t x86_seg_linear_slow(x86_cpu *cpu, int seg, uint64_t off, unsigned size,
                            unsigned acc)
{
    const x86_seg *s = &cpu->seg[seg];
    if (cpu->code_bits == 64) {
        uint64_t lin = off;
        if (seg == SEG_FS || seg == SEG_GS)
            lin += s->base;
        if (!canonical(cpu, lin) || !canonical(cpu, lin + size - 1))
            x86_fault(cpu, seg == SEG_SS ? EXC_SS : EXC_GP, 0);
        return lin;
    }
    int vec = seg == SEG_SS ? EXC_SS : EXC_GP;
    if (cpu->cr0 & CR0_PE) {
        if ((s->attr & SA_UNUSABLE) || !(s->attr & SA_P))
            x86_fault(cpu, vec, 0);
        unsigned type = s->attr & SA_TYPE;
        bool code = type & 8;
        if (acc == ACC_W && (code || !(type & 2)))
            x86_fault(cpu, vec, 0);
        if (acc == ACC_R && code && !(type & 2))
            x86_fault(cpu, vec, 0);
        if (!code && (type & 4)) {
            /* expand-down (§5.3): valid offsets are limit+1 .. 0xffff or 0xffffffff */
            uint64_t top = (s->attr & SA_DB) ? 0xffffffffull : 0xffffull;
            if (off <= s->limit || off + size - 1 > top)
                x86_fault(cpu, vec, 0);
            return (s->base + off) & 0xffffffffull;
        }
    }
    if (off + size - 1 > s->limit)
        x86_fault(cpu, vec, 0);
    return (s->base + off) & 0xffffffffull;
}
