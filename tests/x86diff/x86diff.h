/* Differential testing of the x86 CPU against the host CPU (x86_64 hosts only).
 *
 * A test case is an initial architectural state plus a short instruction sequence placed
 * at XD_CODE_VA and followed by INT3. It runs natively (native.c: a seccomp-strict child
 * whose signal handler loads each case through the ucontext and records the state the
 * next signal reports) and in the emulator (emu.c: a machine with page tables mapping the
 * same virtual pages). Every case therefore ends in an exception: vector 3 at the end
 * marker when the sequence ran through, or the fault it raised on the way; the vector, the
 * RIP, the registers, the flags (minus the bits the generator knows are undefined), the
 * XMM/MXCSR/x87 state and the data pages are compared (compare.c).
 *
 * Address space, identical on both sides: code page at XD_CODE_VA (RWX), two data pages at
 * XD_DATA_VA; the pages around them are unmapped in both, so a generated access that leaves
 * the data raises #PF on both. */
#ifndef VM_TESTS_X86DIFF_H
#define VM_TESTS_X86DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XD_CODE_VA 0x10000000ull
#define XD_CODE_SIZE 0x1000u
#define XD_DATA_VA 0x20000000ull
#define XD_DATA_SIZE 0x2000u
#define XD_GUARD_VA (XD_DATA_VA + XD_DATA_SIZE) /* unmapped on both sides */
#define XD_MAX_INSNS 96                         /* generated instructions per case */

/* RFLAGS bits the harness sets and compares (SDM Vol.1 §3.4.3) */
#define XF_CF 0x001u
#define XF_PF 0x004u
#define XF_AF 0x010u
#define XF_ZF 0x040u
#define XF_SF 0x080u
#define XF_DF 0x400u
#define XF_OF 0x800u
#define XF_ARITH (XF_CF | XF_PF | XF_AF | XF_ZF | XF_SF | XF_OF)

/* x87 status-word condition codes (SDM Vol.1 §8.1.3), kept in bits 32.. of the "undefined"
 * mask next to the RFLAGS bits. */
#define XS_C0 0x0100u
#define XS_C1 0x0200u
#define XS_C2 0x0400u
#define XS_C3 0x4000u
#define XU_FSW(bits) ((uint64_t)(bits) << 32)

/* Architectural state a case starts from and ends in. */
typedef struct xd_state {
    uint64_t gpr[16];      /* RAX..R15, encoding order */
    uint64_t rip;
    uint64_t rflags;
    uint64_t xmm[16][2];
    uint32_t mxcsr;
    uint16_t fcw, fsw;
    uint8_t ftw;           /* abridged tag (FXSAVE): bit i = physical register i valid */
    uint8_t st[8][10];     /* ST(0)..ST(7) in stack order, 80-bit little-endian */
    uint8_t data[XD_DATA_SIZE];
} xd_state;

/* How a case ended. vector 3 with rip == end + 1 means it ran to the end marker. */
typedef struct xd_result {
    xd_state s;
    int vector;            /* exception vector; -1 when the runner could not tell */
    uint64_t error;        /* error code (#PF, #GP...) */
    uint64_t cr2;          /* faulting linear address for #PF */
    uint64_t retired;      /* instructions retired (emulator only) */
} xd_result;

typedef struct xd_case {
    const char *group;     /* opcode group the case exercises */
    xd_state init;
    uint8_t code[XD_CODE_SIZE];
    uint32_t code_len;     /* bytes, including the final INT3 */
    uint32_t end;          /* offset of the final INT3 */
    uint16_t ninsn;
    uint16_t off[XD_MAX_INSNS + 8]; /* start of each generated instruction (listing) */
    uint64_t undef_at[XD_MAX_INSNS + 8]; /* `undef` before each instruction (bisection) */
    uint64_t undef_fault[XD_MAX_INSNS + 8]; /* also undefined if that instruction faults */
    uint64_t undef;        /* RFLAGS bits and XU_FSW() bits undefined at the end */
    bool x87;              /* compare x87 state */
} xd_case;

/* CPUID features an instruction needs. Only those both the host and the emulated CPU
 * advertise are generated (the emulator must advertise exactly what it implements). */
enum {
    XD_F_FPU = 1u << 0,     /* x87 */
    XD_F_SSE2 = 1u << 1,    /* SSE and SSE2 */
    XD_F_SSE3 = 1u << 2,
    XD_F_SSSE3 = 1u << 3,
    XD_F_SSE41 = 1u << 4,
    XD_F_SSE42 = 1u << 5,
    XD_F_PCLMUL = 1u << 6,
    XD_F_POPCNT = 1u << 7,
    XD_F_LZCNT = 1u << 8,
    XD_F_BMI1 = 1u << 9,    /* TZCNT */
    XD_F_MOVBE = 1u << 10,
    XD_F_CX16 = 1u << 11,
    XD_F_LAHF = 1u << 12,   /* LAHF/SAHF in 64-bit mode */
    XD_F_CMOV = 1u << 13,
    XD_F_MMX = 1u << 14,
    /* Not a CPUID bit: the vendor is Intel ("GenuineIntel"), whose implementation-specific
     * results the emulated CPU reproduces: the RCPPS/RCPSS/RSQRTPS/RSQRTSS approximation
     * tables, which NaN a DPPS/DPPD lane propagates, the flags a fault inside REPE/REPNE
     * CMPS/SCAS leaves (Intel: those before the instruction), and a REP with a 67 prefix
     * counting ECX alone. An AMD host differs in each (seen on an EPYC: a REP SCASB with 67,
     * ECX = 0 and RCX != 0 ran on RCX), so there they are not generated or masked. */
    XD_F_INTEL = 1u << 15,
};
#define XD_F_NAMES "fpu sse2 sse3 ssse3 sse4.1 sse4.2 pclmul popcnt lzcnt bmi1 movbe cx16 lahf cmov mmx intel"
/* Decode CPUID leaves 0, 1, 7.0 and 0x80000001 (EAX..EDX of each) into XD_F_* bits. */
uint32_t xd_features(const uint32_t l0[4], const uint32_t l1[4], const uint32_t l7[4],
                     const uint32_t l81[4]);

/* gen.c */
typedef struct xd_gen xd_gen;
typedef struct xd_group {
    const char *name;
    void (*emit)(xd_gen *g);  /* appends instructions for this group */
    unsigned weight;          /* relative share in a run */
    uint32_t needs;           /* XD_F_* the group cannot do without */
} xd_group;
extern const xd_group xd_groups[];
extern const unsigned xd_ngroups;
/* Build case number `index` of group `grp` for `seed` (deterministic), using only the
 * features in `feat`. */
void xd_generate(xd_case *c, unsigned grp, uint64_t seed, uint64_t index, uint32_t feat);

/* native.c: run n cases on the host CPU. Returns false (with a message in why) if the host
 * cannot (not x86_64, mmap refused...). Each result's vector is -1 if the child died or
 * hung on that case. */
typedef struct xd_native xd_native;
xd_native *xd_native_open(char *why, size_t whylen);
uint32_t xd_native_features(void);
bool xd_native_run(xd_native *n, const xd_case *cases, xd_result *res, unsigned count,
                   char *why, size_t whylen);
void xd_native_close(xd_native *n);

/* emu.c: the same on the emulated CPU. */
typedef struct xd_emu xd_emu;
xd_emu *xd_emu_open(char *why, size_t whylen);
uint32_t xd_emu_features(xd_emu *e);
void xd_emu_run(xd_emu *e, const xd_case *c, xd_result *r);
void xd_emu_close(xd_emu *e);
/* The emulator's own disassembly of the instruction at code[0..n) (for reports). */
void xd_emu_disasm(const uint8_t *code, size_t n, uint64_t rip, char *buf, size_t len);

/* compare.c: writes a description of the first differences into buf; true if equal. */
bool xd_compare(const xd_case *c, const xd_result *native, const xd_result *emu, char *buf,
                size_t len);
/* The RFLAGS/x87 C-bits undefined where the native run stopped (masked by xd_compare). */
uint64_t xd_undef_at_stop(const xd_case *c, const xd_result *native);
void xd_print_case(const xd_case *c, const xd_result *native, const xd_result *emu);
void xd_print_state(const char *label, const xd_state *s);

#endif
