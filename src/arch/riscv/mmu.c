/* Address translation (Sv39/Sv48/Sv57, Priv. ISA §4.3-4.5), PMP (§3.7) and the slow
 * paths of loads, stores and fetches: misaligned accesses, MMIO and TLB refills. */
#include "arch/riscv/mmu.h"

#include "arch/riscv/pmp.h"

#define VPN_MASK ((1ULL << RV_TLB_EPOCH_SHIFT) - 1)

/* Every epoch used up: clear the arrays and start over. */
static void tlb_reset_all(rv_cpu *cpu)
{
    memset(cpu->tlb, 0, sizeof cpu->tlb);
    memset(cpu->tlb_spaces, 0, sizeof cpu->tlb_spaces);
    cpu->tlb_epoch_next = 1;
}

static uint64_t new_epoch(rv_cpu *cpu)
{
    if (cpu->tlb_epoch_next == 0 || cpu->tlb_epoch_next > RV_TLB_EPOCH_MAX)
        tlb_reset_all(cpu);
    return cpu->tlb_epoch_next++ << RV_TLB_EPOCH_SHIFT;
}

/* The U, S and S-with-SUM sets translate through satp; M is bare. */
static void set_space_epoch(rv_cpu *cpu, uint64_t epoch)
{
    cpu->tlb_epoch[PRIV_U] = epoch;
    cpu->tlb_epoch[PRIV_S] = epoch;
    cpu->tlb_epoch[RV_CTX_S_SUM] = epoch;
}

void rv_tlb_switch_space(rv_cpu *cpu)
{
    for (unsigned i = 0; i < RV_TLB_SPACES; i++) {
        if (cpu->tlb_spaces[i].epoch && cpu->tlb_spaces[i].satp == cpu->satp) {
            set_space_epoch(cpu, cpu->tlb_spaces[i].epoch);
            return;
        }
    }
    uint64_t next = cpu->tlb_epoch_next;
    uint64_t epoch = new_epoch(cpu);
    if (cpu->tlb_epoch_next < next) /* wrapped: every set needs a fresh epoch */
        cpu->tlb_epoch[PRIV_M] = new_epoch(cpu);
    struct rv_tlb_space *sp = &cpu->tlb_spaces[cpu->tlb_space_next++ % RV_TLB_SPACES];
    sp->satp = cpu->satp;
    sp->epoch = epoch;
    set_space_epoch(cpu, epoch);
}

void rv_tlb_flush(rv_cpu *cpu)
{
    memset(cpu->tlb_spaces, 0, sizeof cpu->tlb_spaces);
    memset(cpu->tlb_super_regions, 0, sizeof cpu->tlb_super_regions);
    cpu->tlb_super_overflow = false;
    cpu->tlb_super_max_level = 0;
    cpu->tlb_epoch[PRIV_M] = new_epoch(cpu);
    rv_tlb_switch_space(cpu);
}

void rv_tlb_flush_asid(rv_cpu *cpu, uint64_t asid)
{
    bool current = ((cpu->satp >> 44) & 0xffff) == asid;
    for (unsigned i = 0; i < RV_TLB_SPACES; i++)
        if (((cpu->tlb_spaces[i].satp >> 44) & 0xffff) == asid)
            cpu->tlb_spaces[i].epoch = 0;
    if (current)
        rv_tlb_switch_space(cpu);
}

static uint64_t super_key(uint64_t vpn, int level)
{
    return (((vpn >> (9 * level)) << 3) | (uint64_t)level) + 1;
}

static unsigned super_slot(uint64_t key)
{
    return (unsigned)((key * 0x9e3779b97f4a7c15ULL) >> 53) & (RV_TLB_SUPER_SLOTS - 1);
}

/* Remember that pieces of the level-`level` superpage holding vpn are cached. */
static void note_superpage(rv_cpu *cpu, uint64_t vpn, int level)
{
    uint64_t key = super_key(vpn, level);
    uint64_t *slot = &cpu->tlb_super_regions[super_slot(key)];
    if (*slot != key && *slot != 0)
        cpu->tlb_super_overflow = true;
    *slot = key;
    if (level > cpu->tlb_super_max_level)
        cpu->tlb_super_max_level = level;
}

/* Could pieces of a superpage containing vpn be cached? */
static int superpage_level_of(const rv_cpu *cpu, uint64_t vpn)
{
    for (int level = cpu->tlb_super_max_level; level > 0; level--) {
        uint64_t key = super_key(vpn, level);
        if (cpu->tlb_super_overflow || cpu->tlb_super_regions[super_slot(key)] == key)
            return level;
    }
    return 0;
}

/* Drop every cached piece of `va`'s page in every set and address space. Superpages are
 * cached as 4 KiB pieces: if va lies in a cached superpage, all its pieces go, since the
 * fenced address shares their leaf PTE (§4.2.1). */
void rv_tlb_flush_page(rv_cpu *cpu, gva_t va)
{
    uint64_t vpn = (va >> 12) & VPN_MASK;
    int level = superpage_level_of(cpu, vpn);
    unsigned shift = 9 * (unsigned)level;
    for (unsigned c = 0; c < RV_TLB_CTX; c++) {
        for (unsigned a = 0; a < 3; a++) {
            rv_tlb_entry *t = cpu->tlb[c][a];
            if (level == 0) {
                rv_tlb_entry *e = &t[vpn & (RV_TLB_SIZE - 1)];
                if ((e->tag & VPN_MASK) == vpn)
                    e->tag = 0;
                continue;
            }
            for (unsigned i = 0; i < RV_TLB_SIZE; i++)
                if (((t[i].tag & VPN_MASK) >> shift) == (vpn >> shift))
                    t[i].tag = 0;
        }
    }
}

static uint64_t fault_cause(unsigned acc, bool page_fault)
{
    static const uint64_t page[3] = { CAUSE_LOAD_PAGE_FAULT, CAUSE_STORE_PAGE_FAULT,
                                      CAUSE_FETCH_PAGE_FAULT };
    static const uint64_t access[3] = { CAUSE_LOAD_ACCESS, CAUSE_STORE_ACCESS,
                                        CAUSE_FETCH_ACCESS };
    return page_fault ? page[acc] : access[acc];
}

#define PTE_V (1ULL << 0)
#define PTE_R (1ULL << 1)
#define PTE_W (1ULL << 2)
#define PTE_X (1ULL << 3)
#define PTE_U (1ULL << 4)
#define PTE_A (1ULL << 6)
#define PTE_D (1ULL << 7)
#define PTE_PPN_MASK 0x003ffffffffffc00ULL  /* bits 53:10 */
#define PTE_RESERVED 0xffc0000000000000ULL  /* N, PBMT, reserved: we implement none */

/* Walk the page table for `va`. On success *pa is the physical address. On failure
 * *cause is the exception to raise (page fault, or access fault for a PTE read that PMP
 * or the bus rejects). `priv` is the effective privilege (U or S). */
static bool walk(rv_cpu *cpu, gva_t va, unsigned acc, unsigned priv, gpa_t *pa,
                 uint64_t *cause)
{
    unsigned mode = (unsigned)(cpu->satp >> 60);
    int levels = mode == 8 ? 3 : mode == 9 ? 4 : 5;
    unsigned va_bits = 12 + 9 * (unsigned)levels;
    /* §4.3.1: bits 63..VA_BITS must all equal bit VA_BITS-1 (shift left unsigned:
     * a signed left shift of a negative value is undefined in C) */
    int64_t sva = (int64_t)va;
    if ((int64_t)(va << (64 - va_bits)) >> (64 - va_bits) != sva) {
        *cause = fault_cause(acc, true);
        return false;
    }
    gpa_t table = (cpu->satp & ((1ULL << 44) - 1)) << 12;
    for (int level = levels - 1; level >= 0; level--) {
        gpa_t pte_addr = table + ((va >> (12 + 9 * level)) & 0x1ff) * 8;
        uint64_t pte;
        /* The implicit PTE read is checked by PMP as an S-mode access (§3.7.1). */
        if (!rv_pmp_allows(cpu, pte_addr, 8, ACC_READ, PRIV_S) ||
            !bus_read(&cpu->m->bus, pte_addr, 8, &pte)) {
            *cause = fault_cause(acc, false);
            return false;
        }
        if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) || (pte & PTE_RESERVED)) {
            *cause = fault_cause(acc, true);
            return false;
        }
        uint64_t ppn = (pte & PTE_PPN_MASK) >> 10;
        if (!(pte & (PTE_R | PTE_X))) {
            if (level == 0 || (pte & (PTE_A | PTE_D | PTE_U))) {
                /* §4.3.2 step 4: a non-leaf at level 0 is a fault; A/D/U on a non-leaf
                 * PTE are reserved. */
                *cause = fault_cause(acc, true);
                return false;
            }
            table = ppn << 12;
            continue;
        }
        /* Leaf: permission checks (§4.3.2 step 5) */
        bool ok;
        switch (acc) {
        case ACC_EXEC: ok = (pte & PTE_X) != 0; break;
        case ACC_WRITE: ok = (pte & PTE_W) != 0; break;
        default:
            ok = (pte & PTE_R) || ((cpu->mstatus & MSTATUS_MXR) && (pte & PTE_X));
            break;
        }
        if (priv == PRIV_U && !(pte & PTE_U))
            ok = false;
        if (priv == PRIV_S && (pte & PTE_U) &&
            (acc == ACC_EXEC || !(cpu->mstatus & MSTATUS_SUM)))
            ok = false;
        /* Misaligned superpage (§4.3.2 step 6) */
        if (level > 0 && (ppn & ((1ULL << (9 * level)) - 1)))
            ok = false;
        if (!ok) {
            *cause = fault_cause(acc, true);
            return false;
        }
        /* A/D updated by the walker, as QEMU does (§4.3.2 step 7, Svadu behaviour). */
        uint64_t want = PTE_A | (acc == ACC_WRITE ? PTE_D : 0);
        if ((pte & want) != want) {
            uint8_t *host = bus_ram_ptr(&cpu->m->bus, pte_addr, 8);
            if (!host || !rv_pmp_allows(cpu, pte_addr, 8, ACC_WRITE, PRIV_S)) {
                *cause = fault_cause(acc, false);
                return false;
            }
            pte |= want;
            memcpy(host, &pte, 8);
            bus_ram_written(&cpu->m->bus, pte_addr, 8);
        }
        uint64_t offset_mask = (1ULL << (12 + 9 * level)) - 1;
        *pa = ((ppn << 12) & ~offset_mask) | (va & offset_mask);
        cpu->last_walk_level = level;
        return true;
    }
    *cause = fault_cause(acc, true);
    return false;
}

/* Translate va for an access of kind `acc` in context `ctx` (the effective privilege),
 * check PMP for [pa, pa+len). false = *cause set. */
static bool translate(rv_cpu *cpu, gva_t va, unsigned acc, unsigned ctx, unsigned len,
                      gpa_t *pa, uint64_t *cause)
{
    cpu->last_walk_level = 0;
    if (ctx == PRIV_M || (cpu->satp >> 60) == 0) {
        *pa = va;
    } else if (!walk(cpu, va, acc, ctx == RV_CTX_S_SUM ? PRIV_S : ctx, pa, cause)) {
        return false;
    }
    if (!rv_pmp_allows(cpu, *pa, len, acc, ctx)) {
        *cause = fault_cause(acc, false);
        return false;
    }
    return true;
}

/* After a successful translation of an aligned access, cache the page if it is RAM and
 * PMP grants the whole page (so later hits skip both checks). */
static void tlb_fill(rv_cpu *cpu, gva_t va, gpa_t pa, unsigned acc, unsigned ctx)
{
    gpa_t page = pa & ~0xfffULL;
    bus *b = &cpu->m->bus;
    uint8_t *host = bus_ram_ptr(b, page, 4096);
    if (!host || !rv_pmp_allows(cpu, page, 4096, acc, ctx))
        return;
    /* Pages holding decoded code take the slow store path, which invalidates them. */
    if (acc == ACC_WRITE && bus_code_page_is_marked(b, page))
        return;
    uint64_t vpn = va >> 12;
    rv_tlb_entry *e = &cpu->tlb[ctx][acc][vpn & (RV_TLB_SIZE - 1)];
    if (cpu->last_walk_level > 0)
        note_superpage(cpu, (va >> 12) & VPN_MASK, cpu->last_walk_level);
    e->tag = rv_tlb_tag(cpu, ctx, vpn);
    e->addend = (uintptr_t)host - (vpn << 12);
}

/* One access that does not cross a page boundary. */
static bool access_one(rv_cpu *cpu, gva_t va, unsigned size, unsigned acc, uint64_t *val,
                       gva_t fault_va)
{
    unsigned ctx = acc == ACC_EXEC ? (unsigned)cpu->priv : rv_data_ctx(cpu);
    gpa_t pa;
    uint64_t cause;
    if (!translate(cpu, va, acc, ctx, size, &pa, &cause)) {
        rv_raise(cpu, cause, fault_va);
        return false;
    }
    bool ok = acc == ACC_WRITE ? bus_write(&cpu->m->bus, pa, size, *val)
                               : bus_read(&cpu->m->bus, pa, size, val);
    if (!ok) {
        rv_raise(cpu, fault_cause(acc, false), fault_va);
        return false;
    }
    if ((va & (size - 1)) == 0)
        tlb_fill(cpu, va, pa, acc, ctx);
    return true;
}

/* Misaligned accesses are performed in hardware, byte by byte (Unpriv. ISA §2.6 allows
 * it; the Linux kernel times them at boot and prefers this to trapping). A fault on any
 * byte reports the original address. */
static bool access_misaligned(rv_cpu *cpu, gva_t va, unsigned size, unsigned acc,
                              uint64_t *val)
{
    /* Within one page, a RAM access needs one translation and a copy: as fast as the
     * kernel's boot-time probe expects of hardware-handled misaligned accesses. */
    if ((va & 0xfff) + size <= 4096) {
        unsigned ctx = rv_data_ctx(cpu);
        uint8_t *p = rv_tlb_lookup(cpu, ctx, acc, va & ~0xfffULL, 1);
        if (p) {
            p += va & 0xfff;
            if (acc == ACC_WRITE) {
                memcpy(p, val, size);
            } else {
                *val = 0;
                memcpy(val, p, size);
            }
            return true;
        }
        gpa_t pa;
        uint64_t cause;
        if (!translate(cpu, va, acc, ctx, size, &pa, &cause)) {
            rv_raise(cpu, cause, va);
            return false;
        }
        uint8_t *host = bus_ram_ptr(&cpu->m->bus, pa, size);
        if (host) {
            tlb_fill(cpu, va, pa, acc, ctx);
            if (acc == ACC_WRITE) {
                memcpy(host, val, size); /* little-endian host */
                bus_ram_written(&cpu->m->bus, pa, size);
            } else {
                *val = 0;
                memcpy(val, host, size);
            }
            return true;
        }
    }
    /* Byte by byte (page-crossing or MMIO). A fault reports the address of the portion
     * that faulted (Priv. ISA §3.1.16): the kernel maps the page named by stval, so
     * naming the first, present page would make it retry the access forever. */
    if (acc == ACC_WRITE) {
        /* Translate every byte first so a fault leaves memory unchanged. */
        for (unsigned i = 0; i < size; i++) {
            gpa_t pa;
            uint64_t cause;
            if (!translate(cpu, va + i, ACC_WRITE, rv_data_ctx(cpu), 1, &pa, &cause)) {
                rv_raise(cpu, cause, va + i);
                return false;
            }
        }
        for (unsigned i = 0; i < size; i++) {
            uint64_t b = (*val >> (8 * i)) & 0xff;
            if (!access_one(cpu, va + i, 1, ACC_WRITE, &b, va + i))
                return false;
        }
        return true;
    }
    uint64_t result = 0;
    for (unsigned i = 0; i < size; i++) {
        uint64_t b;
        if (!access_one(cpu, va + i, 1, acc, &b, va + i))
            return false;
        result |= b << (8 * i);
    }
    *val = result;
    return true;
}

bool rv_load_slow(rv_cpu *cpu, gva_t va, unsigned size, uint64_t *val)
{
    if (va & (size - 1))
        return access_misaligned(cpu, va, size, ACC_READ, val);
    return access_one(cpu, va, size, ACC_READ, val, va);
}

bool rv_store_slow(rv_cpu *cpu, gva_t va, unsigned size, uint64_t val)
{
    if (va & (size - 1))
        return access_misaligned(cpu, va, size, ACC_WRITE, &val);
    return access_one(cpu, va, size, ACC_WRITE, &val, va);
}

/* Fetch: 16 bits at a time so a 32-bit instruction may straddle a page; a fault on the
 * second half reports that half's address (Priv. ISA §3.1.16: mtval = faulting portion). */
bool rv_fetch_slow(rv_cpu *cpu, gva_t va, uint32_t *insn)
{
    uint64_t lo, hi;
    if (!access_one(cpu, va, 2, ACC_EXEC, &lo, va))
        return false;
    if ((lo & 3) != 3) {
        *insn = (uint32_t)lo;
        return true;
    }
    if (!access_one(cpu, va + 2, 2, ACC_EXEC, &hi, va + 2))
        return false;
    *insn = (uint32_t)(lo | hi << 16);
    return true;
}

bool rv_translate_data(rv_cpu *cpu, gva_t va, unsigned acc, gpa_t *pa)
{
    uint64_t cause;
    if (!translate(cpu, va, acc, rv_data_ctx(cpu), 1, pa, &cause)) {
        rv_raise(cpu, cause, va);
        return false;
    }
    return true;
}

uint8_t *rv_amo_ptr(rv_cpu *cpu, gva_t va, unsigned size, bool is_load_reserved,
                    gpa_t *pa_out)
{
    /* A-extension §8.4: misaligned atomics raise an address-misaligned exception
     * (cause 4 for LR, 6 "store/AMO" for SC and AMOs) or an access fault. */
    if (va & (size - 1)) {
        rv_raise(cpu, is_load_reserved ? CAUSE_MISALIGNED_LOAD : CAUSE_MISALIGNED_STORE, va);
        return NULL;
    }
    unsigned acc = is_load_reserved ? ACC_READ : ACC_WRITE;
    gpa_t pa;
    uint64_t cause;
    if (!translate(cpu, va, acc, rv_data_ctx(cpu), size, &pa, &cause)) {
        /* An AMO that faults on translation reports a store/AMO fault (§4.3.2). */
        rv_raise(cpu, cause, va);
        return NULL;
    }
    /* AMOs need read permission too (a write-only page cannot exist: W implies R). */
    uint8_t *host = bus_ram_ptr(&cpu->m->bus, pa, size);
    if (!host) {
        rv_raise(cpu, is_load_reserved ? CAUSE_LOAD_ACCESS : CAUSE_STORE_ACCESS, va);
        return NULL;
    }
    *pa_out = pa;
    return host;
}

void rv_tlb_drop_write_page(void *opaque, gpa_t page)
{
    rv_cpu *cpu = opaque;
    const uint8_t *host_page = bus_ram_ptr(&cpu->m->bus, page, 4096);
    if (!host_page)
        return;
    for (unsigned c = 0; c < RV_TLB_CTX; c++) {
        rv_tlb_entry *t = cpu->tlb[c][ACC_WRITE];
        for (unsigned i = 0; i < RV_TLB_SIZE; i++) {
            /* Any epoch: entries of other address spaces come back on a satp switch. */
            uint64_t vpn = t[i].tag & VPN_MASK;
            if (t[i].tag && (uintptr_t)(vpn << 12) + t[i].addend == (uintptr_t)host_page)
                t[i].tag = 0;
        }
    }
}
