/* What this CPU says it is (SDM Vol.2 CPUID). It advertises exactly what is implemented;
 * the same list gates the decoder (x86_feature_mask), so an unadvertised instruction is
 * #UD. Not advertised (not implemented): PCLMULQDQ, AES, AVX, BMI, MONITOR, APIC (the
 * board's), performance counters. */
#include <string.h>

#include "arch/x86/cpu.h"
#include "arch/x86/decode.h"

/* CPUID.1:EAX — family 6, model 0x3a, stepping 9 (an Ivy Bridge-like signature) */
#define X86_SIGNATURE 0x000306a9u

uint32_t x86_feature_mask(const x86_cpu *cpu)
{
    (void)cpu;
    return (1u << F_BASE) | (1u << F_CX8) | (1u << F_CMOV) | (1u << F_POPCNT) |
           (1u << F_LZCNT) | (1u << F_MOVBE) | (1u << F_RDRAND) | (1u << F_RDTSCP) |
           (1u << F_CX16) | (1u << F_FSGSBASE) | (1u << F_LM) | (1u << F_SYSCALL) |
           (1u << F_SEP) | (1u << F_CLFLUSH) | (1u << F_X87) | (1u << F_MMX) |
           (1u << F_FXSR) | (1u << F_SSE) | (1u << F_SSE2) | (1u << F_SSE3) |
           (1u << F_SSSE3) | (1u << F_XSAVE) | (1u << F_SSE41) | (1u << F_SSE42) |
           (1u << F_SMAP);
}

static void put_str(uint32_t *out, const char *s)
{
    memcpy(out, s, 16);
}

void x86_cpuid(const x86_cpu *cpu, uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    r[0] = r[1] = r[2] = r[3] = 0;
    switch (leaf) {
    case 0:
        r[0] = 0xd;
        memcpy(&r[1], "Genu", 4); /* EBX EDX ECX = "GenuineIntel" */
        memcpy(&r[3], "ineI", 4);
        memcpy(&r[2], "ntel", 4);
        break;
    case 1:
        r[0] = X86_SIGNATURE;
        r[1] = (8u << 8) | (1u << 16); /* CLFLUSH line 64 bytes, 1 logical processor */
        r[2] = (1u << 0) | (1u << 9) | (1u << 13) | (1u << 19) | (1u << 20) | (1u << 22) |
               (1u << 23) | (1u << 26) | (1u << 30);
        /* SSE3 SSSE3 CX16 SSE4.1 SSE4.2 MOVBE POPCNT XSAVE RDRAND; OSXSAVE mirrors CR4 */
        if (cpu->cr4 & CR4_OSXSAVE)
            r[2] |= 1u << 27;
        r[3] = (1u << 0) | (1u << 3) | (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7) |
               (1u << 8) | (1u << 11) | (1u << 12) | (1u << 13) | (1u << 14) | (1u << 15) |
               (1u << 16) |
               (1u << 19) | (1u << 23) | (1u << 24) | (1u << 25) | (1u << 26);
        /* FPU PSE TSC MSR PAE MCE CX8 SEP MTRR PGE MCA CMOV PAT CLFSH MMX FXSR SSE SSE2 (MCE and
         * MCA: banks that never log; without them Linux logs "Unable to init MCE device") */
        break;
    case 7:
        if (sub == 0) {
            r[1] = (1u << 0) | (1u << 7) | (1u << 20); /* FSGSBASE SMEP SMAP */
            r[2] = 1u << 16;                             /* LA57 */
            r[3] = 1u << 29;                             /* IA32_ARCH_CAPABILITIES */
        }
        break;
    case 0xd: /* XSAVE: x87 and SSE state, standard format, 576 bytes */
        if (sub == 0) {
            r[0] = 3;
            r[1] = 576;
            r[2] = 576;
        } /* sub-leaf 1 = 0: no XSAVEOPT/XSAVEC/XGETBV1/XSAVES; no other components */
        break;
    case 0x80000000:
        r[0] = 0x80000008;
        break;
    case 0x80000001:
        r[2] = (1u << 0) | (1u << 5); /* LAHF/SAHF in 64-bit mode, LZCNT (ABM) */
        r[3] = (1u << 11) | (1u << 20) | (1u << 26) | (1u << 27) | (1u << 29);
        /* SYSCALL NX 1GB-pages RDTSCP LM */
        break;
    case 0x80000002: put_str(r, "vm x86_64 interp"); break;
    case 0x80000003: put_str(r, "reter CPU\0\0\0\0\0\0\0"); break;
    case 0x80000004: break;
    case 0x80000008:
        /* physical / linear address bits: 57 linear, as LA57 (leaf 7) is offered; Linux
         * takes x86_virt_bits from here and with 48 finds its own 5-level addresses
         * non-canonical (copy_from_kernel_nofault refused every d_path copy) */
        r[0] = X86_PHYS_BITS | (57 << 8);
        break;
    default:
        break;
    }
    if (cpu->board && cpu->board->cpuid)
        cpu->board->cpuid(cpu->board->opaque, leaf, sub, r);
}
