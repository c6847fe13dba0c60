#include "arch/riscv/pmp.h"

#define PMP_R 0x01
#define PMP_W 0x02
#define PMP_X 0x04
#define PMP_A_SHIFT 3
#define PMP_A_OFF 0
#define PMP_A_TOR 1
#define PMP_A_NA4 2
#define PMP_A_NAPOT 3
#define PMP_L 0x80

static uint8_t cfg_of(const rv_cpu *cpu, unsigned i)
{
    return (uint8_t)(cpu->pmpcfg[i / 8] >> (8 * (i % 8)));
}

/* The byte range [lo, hi] an entry covers; false if it is off. */
static bool entry_range(const rv_cpu *cpu, unsigned i, uint64_t *lo, uint64_t *hi)
{
    uint8_t cfg = cfg_of(cpu, i);
    uint64_t addr = cpu->pmpaddr[i];
    switch ((cfg >> PMP_A_SHIFT) & 3) {
    case PMP_A_TOR: {
        uint64_t base = i == 0 ? 0 : cpu->pmpaddr[i - 1] << 2;
        uint64_t top = addr << 2;
        if (top <= base)
            return false;
        *lo = base;
        *hi = top - 1;
        return true;
    }
    case PMP_A_NA4:
        *lo = addr << 2;
        *hi = *lo + 3;
        return true;
    case PMP_A_NAPOT: {
        /* trailing ones of pmpaddr give the size: 2^(ones+3) bytes */
        unsigned ones = (unsigned)__builtin_ctzll(~addr);
        if (ones >= 54) {
            *lo = 0;
            *hi = UINT64_MAX;
            return true;
        }
        uint64_t size = 1ULL << (ones + 3);
        *lo = (addr << 2) & ~(size - 1);
        *hi = *lo + size - 1;
        return true;
    }
    default:
        return false;
    }
}

/* Decode the active entries into ranges once per CSR write: the check below runs on
 * every TLB refill and page-table read. */
void rv_pmp_recompute(rv_cpu *cpu)
{
    unsigned n = 0;
    for (unsigned i = 0; i < RV_PMP_COUNT; i++) {
        uint64_t lo, hi;
        if (!entry_range(cpu, i, &lo, &hi))
            continue;
        cpu->pmp_ranges[n].lo = lo;
        cpu->pmp_ranges[n].hi = hi;
        cpu->pmp_ranges[n].cfg = cfg_of(cpu, i);
        n++;
    }
    cpu->pmp_active = n;
}

bool rv_pmp_allows(const rv_cpu *cpu, gpa_t pa, unsigned len, unsigned acc, unsigned priv)
{
    uint64_t last = pa + len - 1;
    bool any = cpu->pmp_active != 0;
    for (unsigned i = 0; i < cpu->pmp_active; i++) {
        uint8_t cfg = cpu->pmp_ranges[i].cfg;
        uint64_t lo = cpu->pmp_ranges[i].lo, hi = cpu->pmp_ranges[i].hi;
        /* Any overlap matches, including an entry strictly inside [pa, last] (the TLB
         * asks about whole pages): checking only the end bytes would miss it. */
        if (last < lo || pa > hi)
            continue;
        /* §3.7.1: the lowest-numbered matching entry decides; a partial match fails. */
        if (pa < lo || last > hi)
            return false;
        if (priv == PRIV_M && !(cfg & PMP_L))
            return true;
        static const uint8_t need[3] = { PMP_R, PMP_W, PMP_X };
        return (cfg & need[acc]) != 0;
    }
    /* No match: M-mode succeeds; S/U fail if any entry is implemented and active. Our
     * 16 entries are always implemented, but with none configured we treat the table as
     * unused so a bare-metal S-mode guest without firmware still runs. */
    return priv == PRIV_M || !any;
}

void rv_pmp_write_cfg(rv_cpu *cpu, unsigned index, uint64_t val)
{
    uint64_t old = cpu->pmpcfg[index];
    uint64_t next = 0;
    for (unsigned b = 0; b < 8; b++) {
        uint8_t o = (uint8_t)(old >> (8 * b)), n = (uint8_t)(val >> (8 * b));
        if (o & PMP_L)
            n = o;
        else if ((n & (PMP_R | PMP_W)) == PMP_W) /* W without R is reserved: keep off */
            n &= (uint8_t)~(PMP_R | PMP_W);
        n &= 0x9f; /* bits 6:5 are zero */
        next |= (uint64_t)n << (8 * b);
    }
    cpu->pmpcfg[index] = next;
    rv_pmp_recompute(cpu);
    rv_tlb_flush(cpu);
}

void rv_pmp_write_addr(rv_cpu *cpu, unsigned index, uint64_t val)
{
    if (cfg_of(cpu, index) & PMP_L)
        return;
    /* a locked TOR entry above also locks this address register */
    if (index + 1 < RV_PMP_COUNT) {
        uint8_t above = cfg_of(cpu, index + 1);
        if ((above & PMP_L) && ((above >> PMP_A_SHIFT) & 3) == PMP_A_TOR)
            return;
    }
    cpu->pmpaddr[index] = val & ((1ULL << 54) - 1);
    rv_pmp_recompute(cpu);
    rv_tlb_flush(cpu);
}
