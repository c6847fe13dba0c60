/* x86diff: runs generated instruction sequences on the host CPU and on the emulated x86
 * CPU and compares the outcomes (x86diff.h describes a case; README.md the coverage and
 * the masked behaviours).
 *
 *   x86diff [--insns N] [--seed S] [--group NAME] [--details N] [--no-selfcheck]
 *
 * Output follows tests/run-all.sh's run_part: "PASS name", "FAIL name: why", "SKIP name:
 * why" lines, details of mismatches as "#" lines, and a final "RESULT pass fail skip".
 * On a host that is not x86_64 Linux every part is skipped. */
/* Linux test code: ucontext register names, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, syscall()
 * need more than the POSIX/XSI feature set the portability build asks for. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "x86diff.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 2048

static unsigned n_pass, n_fail, n_skip;

static void pass(const char *fmt, const char *name, const char *extra)
{
    n_pass++;
    printf("PASS %s%s%s\n", fmt, name, extra);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A case from group 0's initial state with hand-written code. */
static void hand_case(xd_case *c, const uint8_t *code, unsigned n)
{
    xd_generate(c, 0, 12345, 0, 0);
    memset(c->code, 0xcc, XD_CODE_SIZE);
    memcpy(c->code, code, n);
    c->end = n;
    c->code_len = n + 1;
    c->ninsn = 1;
    c->off[0] = 0;
    c->undef = 0;
}

/* The emulator runs a chunk of cases in a forked child, so that a host crash in the
 * emulator (the guest is untrusted: that is a bug to report, never an end of the run) is
 * attributed to its case, which gets vector XD_EMU_CRASHED, and the run goes on. `shm`
 * holds the results and, after them, the index of the case being run. */
#define XD_EMU_CRASHED (-4)
static void emu_chunk(xd_emu *emu, const xd_case *cases, const xd_result *nat, xd_result *shm,
                      unsigned n)
{
    volatile uint32_t *cur = (volatile uint32_t *)(shm + n);
    unsigned from = 0;
    while (from < n) {
        *cur = from;
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            alarm(120); /* an emulator stuck in a loop of its own ends as SIGALRM */
            for (unsigned i = from; i < n; i++) {
                *cur = i;
                if (nat[i].vector >= 0)
                    xd_emu_run(emu, &cases[i], &shm[i]);
            }
            _exit(0);
        }
        int status = 0;
        if (pid < 0 || waitpid(pid, &status, 0) != pid) {
            for (unsigned i = from; i < n; i++) /* cannot fork: run unprotected */
                if (nat[i].vector >= 0)
                    xd_emu_run(emu, &cases[i], &shm[i]);
            return;
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
            return;
        unsigned bad = *cur;
        memset(&shm[bad], 0, sizeof shm[bad]);
        shm[bad].vector = XD_EMU_CRASHED;
        /* error: the host signal, or 1000 + the exit status (a sanitizer's report) */
        shm[bad].error = WIFSIGNALED(status) ? (uint64_t)WTERMSIG(status)
                                             : 1000u + (uint64_t)WEXITSTATUS(status);
        from = bad + 1;
    }
}

typedef struct selfcheck {
    const char *name;
    uint8_t code[24];
    unsigned len;
    int vector;
    unsigned rip_off;
    uint64_t cr2;
    uint64_t undef;        /* flags left undefined (masked in the emulator's comparison) */
} selfcheck;

/* The native runner must be deterministic and report each exception where the SDM puts
 * it; these checks hold whether or not an emulator is present. */
static void native_selfcheck(xd_native *nat, xd_emu *emu)
{
    static const selfcheck checks[] = {
        { "end marker reached (#BP after INT3)", { 0x90 }, 1, 3, 2, 0, 0 },
        { "divide by zero is #DE at the DIV", { 0x31, 0xc9, 0x48, 0xf7, 0xf1 }, 5, 0, 2, 0, 0 },
        { "UD2 is #UD", { 0x0f, 0x0b }, 2, 6, 0, 0, 0 },
        { "load from the guard page is #PF with CR2",
          { 0x48, 0xb8, 0x08, 0x20, 0x00, 0x20, 0, 0, 0, 0, 0x8b, 0x00 }, 12, 14, 10,
          XD_GUARD_VA + 8, 0 },
        { "CMPS with both elements unmapped faults on ES:[RDI] first",
          { 0x48, 0xbe, 0x10, 0x20, 0x00, 0x20, 0, 0, 0, 0, 0x48, 0xbf, 0x20, 0x20, 0x00, 0x20, 0,
            0, 0, 0, 0xa6 }, 21, 14, 20, XD_GUARD_VA + 0x20, 0 },
        { "non-canonical load is #GP",
          { 0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x8b, 0x00 }, 12, 13, 10, 0, 0 },
        { "HLT at CPL 3 is #GP", { 0xf4 }, 1, 13, 0, 0, 0 },
        /* in 64-bit mode the ES/CS/SS/DS override is ignored: the base register decides */
        { "non-canonical ss:[rax] is #GP",
          { 0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x36, 0x8b, 0x00 }, 13, 13, 10, 0, 0 },
        { "non-canonical ds:[rbp] is #SS",
          { 0x48, 0xbd, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x3e, 0x8b, 0x45, 0x00 }, 14, 12, 10, 0, 0 },

        { "jump off the code page is #PF at the target",
          { 0x48, 0xb8, 0, 0, 0, 0x30, 0, 0, 0, 0, 0xff, 0xe0 }, 12, 14, 0x20000000, 0x30000000, 0 },
        { "hang (jmp $) is caught and the child replaced", { 0xeb, 0xfe }, 2, -1, 0, 0, 0 },
        /* EDX:EAX = 0x80000000:00000000 = INT64_MIN, divisor -1: quotient overflow */
        { "IDIV r32 of INT64_MIN by -1 is #DE",
          { 0xba, 0, 0, 0, 0x80, 0x31, 0xc0, 0xb9, 0xff, 0xff, 0xff, 0xff, 0xf7, 0xf9 }, 14, 0, 12, 0, 0 },
        { "IDIV r8 of AX = -2^15 by -1 is #DE",
          { 0xb8, 0, 0x80, 0, 0, 0xb1, 0xff, 0xf6, 0xf9 }, 9, 0, 7, 0, 0 },
        { "IDIV r16 of DX:AX = -2^31 by -1 is #DE",
          { 0xba, 0, 0x80, 0, 0, 0x31, 0xc0, 0x83, 0xc9, 0xff, 0x66, 0xf7, 0xf9 }, 13, 0, 10, 0, 0 },
        { "IDIV r32 of 2^31 by 1 is #DE",
          { 0x31, 0xd2, 0xb8, 0, 0, 0, 0x80, 0xb9, 1, 0, 0, 0, 0xf7, 0xf9 }, 14, 0, 12, 0, 0 },
        { "IDIV r32 of -2^31 by 1 gives -2^31",
          { 0xba, 0xff, 0xff, 0xff, 0xff, 0xb8, 0, 0, 0, 0x80, 0xb9, 1, 0, 0, 0, 0xf7, 0xf9 }, 17,
          3, 18, 0, XF_ARITH /* after IDIV (Intel and AMD differ) */ },
        { "IDIV r64 of RDX:RAX = -2^127 by -1 is #DE",
          { 0x48, 0xba, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x31, 0xc0, 0x48, 0x83, 0xc9, 0xff, 0x48, 0xf7,
            0xf9 }, 19, 0, 16, 0, 0 },
    };
    enum { N = sizeof checks / sizeof checks[0] };
    static xd_case cases[N + 1];
    static xd_result res[N + 1];
    xd_result *emu_res = mmap(NULL, (N + 2) * sizeof(xd_result), PROT_READ | PROT_WRITE,
                              MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    char why[256];
    for (unsigned i = 0; i < N; i++) {
        hand_case(&cases[i], checks[i].code, checks[i].len);
        cases[i].undef = checks[i].undef;
    }
    hand_case(&cases[N], (const uint8_t[]){ 0xb8, 5, 0, 0, 0, 0x83, 0xc0, 7 }, 8);
    if (emu_res == MAP_FAILED || !xd_native_run(nat, cases, res, N + 1, why, sizeof why)) {
        n_fail++;
        printf("FAIL x86diff native self-check: %s\n", emu_res == MAP_FAILED ? "mmap" : why);
        return;
    }
    if (emu)
        emu_chunk(emu, cases, res, emu_res, N);
    for (unsigned i = 0; i < N; i++) {
        const selfcheck *k = &checks[i];
        const xd_result *r = &res[i];
        uint64_t want_rip = k->rip_off == 0x20000000 ? 0x30000000 : XD_CODE_VA + k->rip_off;
        bool ok = r->vector == k->vector &&
                  (k->vector < 0 || r->s.rip == want_rip) && (!k->cr2 || r->cr2 == k->cr2);
        if (ok) {
            pass("x86diff native: ", k->name, "");
        } else {
            n_fail++;
            printf("FAIL x86diff native: %s: vector %d rip %#" PRIx64 " cr2 %#" PRIx64 "\n", k->name,
                   r->vector, r->s.rip, r->cr2);
        }
        if (emu && k->vector >= 0) {
            char buf[2048] = "";
            if (emu_res[i].vector == XD_EMU_CRASHED)
                snprintf(buf, sizeof buf, " the emulator crashed (%s %d)",
                         emu_res[i].error >= 1000 ? "exit status" : "host signal",
                         (int)(emu_res[i].error % 1000));
            if (emu_res[i].vector != XD_EMU_CRASHED &&
                xd_compare(&cases[i], r, &emu_res[i], buf, sizeof buf)) {
                pass("x86diff emulator: ", k->name, "");
            } else {
                n_fail++;
                printf("FAIL x86diff emulator: %s:%s\n", k->name, buf);
            }
        }
    }
    munmap(emu_res, (N + 2) * sizeof(xd_result));
    if (res[N].vector == 3 && (uint32_t)res[N].s.gpr[0] == 12)
        pass("x86diff native: ", "mov eax,5; add eax,7 gives 12", "");
    else {
        n_fail++;
        printf("FAIL x86diff native: mov eax,5; add eax,7: vector %d rax %#" PRIx64 "\n",
               res[N].vector, res[N].s.gpr[0]);
    }
}

/* The comparison itself: every kind of difference is caught, undefined flags are not. */
static void compare_selfcheck(void)
{
    static xd_case c;
    static xd_result a, b;
    char buf[1024];
    xd_generate(&c, 0, 99, 0, 0);
    memset(&a, 0, sizeof a);
    a.vector = 3;
    a.s = c.init;
    a.s.rip = XD_CODE_VA + c.end + 1;
    c.undef = XF_AF | XF_OF;
    unsigned missed = 0;
    for (unsigned k = 0; k < 9; k++) {
        b = a;
        switch (k) {
        case 0: b.vector = 13; break;
        case 1: b.s.rip++; break;
        case 2: b.s.gpr[15] ^= 1ull << 63; break;
        case 3: b.s.rflags ^= XF_CF; break;
        case 4: b.s.xmm[7][1] ^= 1; break;
        case 5: b.s.mxcsr ^= 0x20; break;
        case 6: b.s.data[XD_DATA_SIZE - 1] ^= 0x80; break;
        case 7: b.s.fcw ^= 0x400; break;
        default: b.s.fsw ^= 0x0800; break; /* TOP */
        }
        if (xd_compare(&c, &a, &b, buf, sizeof buf))
            missed++;
    }
    b = a;
    b.s.rflags ^= XF_AF | XF_OF;
    bool masked = xd_compare(&c, &a, &b, buf, sizeof buf);
    if (!missed && masked) {
        n_pass++;
        printf("PASS x86diff comparison catches each kind of difference and masks undefined flags\n");
    } else {
        n_fail++;
        printf("FAIL x86diff comparison: %u planted differences missed, undefined flags %s\n",
               missed, masked ? "masked" : "compared");
    }
}

/* The same generated cases twice on the host give identical results. */
static void native_determinism(xd_native *nat)
{
    enum { N = 512 };
    static xd_case cases[N];
    static xd_result r1[N], r2[N];
    char why[256];
    for (unsigned i = 0; i < N; i++)
        xd_generate(&cases[i], i % xd_ngroups, 777, i, xd_native_features());
    if (!xd_native_run(nat, cases, r1, N, why, sizeof why) ||
        !xd_native_run(nat, cases, r2, N, why, sizeof why)) {
        n_fail++;
        printf("FAIL x86diff native determinism: %s\n", why);
        return;
    }
    unsigned bad = 0, died = 0;
    for (unsigned i = 0; i < N; i++) {
        if (r1[i].vector < 0)
            died++;
        char buf[1024];
        if (memcmp(&r1[i], &r2[i], sizeof r1[i])) {
            bad++;
            if (!xd_compare(&cases[i], &r1[i], &r2[i], buf, sizeof buf) || bad <= 3)
                printf("# case %u (%s) differs between runs:%s\n", i, cases[i].group, buf);
        }
    }
    if (bad || died) {
        n_fail++;
        printf("FAIL x86diff native determinism: %u of %u cases differ between two runs, %u "
               "killed the child\n", bad, N, died);
    } else {
        n_pass++;
        printf("PASS x86diff native determinism (%u generated cases run twice)\n", N);
    }
}

/* Development aid: how generated cases end on the host, per group (a generator bug shows
 * as cases that fault early), and the code of a few cases for objdump. */
static int native_stats(xd_native *nat, uint64_t seed, const char *only, const char *dump)
{
    uint32_t feat = xd_native_features();
    enum { N = 2000 };
    static xd_case cases[N];
    static xd_result res[N];
    char why[256];
    FILE *f = dump ? fopen(dump, "w") : NULL;
    for (unsigned gi = 0; gi < xd_ngroups; gi++) {
        if (only && !strstr(xd_groups[gi].name, only))
            continue;
        for (unsigned i = 0; i < N; i++)
            xd_generate(&cases[i], gi, seed, i, feat);
        if (!xd_native_run(nat, cases, res, N, why, sizeof why)) {
            printf("native: %s\n", why);
            return 1;
        }
        unsigned hist[34] = { 0 }, early = 0;
        uint64_t insns = 0;
        for (unsigned i = 0; i < N; i++) {
            int v = res[i].vector;
            hist[v < 0 ? 33 : v > 31 ? 32 : v]++;
            insns += cases[i].ninsn;
            if (v != 3 || res[i].s.rip != XD_CODE_VA + cases[i].end + 1)
                early++;
        }
        printf("%-28s %5.1f insns/case, %4.1f%% end early:", xd_groups[gi].name,
               (double)insns / N, 100.0 * early / N);
        for (int v = 0; v < 34; v++)
            if (hist[v])
                printf(" v%d=%u", v == 33 ? -1 : v, hist[v]);
        printf("\n");
        for (unsigned i = 0; f && i < 3; i++) {
            fprintf(f, "%s %u\n", xd_groups[gi].name, i);
            for (unsigned k = 0; k < cases[i].end; k++)
                fprintf(f, "%02x", cases[i].code[k]);
            fprintf(f, "\n");
        }
    }
    if (f)
        fclose(f);
    xd_native_close(nat);
    return 0;
}

#define MAX_CULPRITS 48
typedef struct culprit {
    char mnem[24];
    uint64_t count;
} culprit;

typedef struct group_stats {
    uint64_t cases, insns, fails, native_died;
    uint64_t masked_cases, masked_differ; /* cases ending with undefined flags; differing there */
    char first[512];
    culprit cul[MAX_CULPRITS];
    unsigned ncul;
} group_stats;

/* The first instruction after which native and emulated results differ: case prefixes
 * ending after 1, 2, ... instructions (an INT3 in place of the next one), compared with
 * the undefined-flag mask that held there. Returns the instruction index, or -1 when no
 * prefix differs (the difference needs the whole sequence, e.g. a later fault). */
static int bisect(xd_native *nat, xd_emu *emu, const xd_case *c, char *diff, size_t difflen)
{
    static xd_case pre[XD_MAX_INSNS + 8];
    static xd_result nr[XD_MAX_INSNS + 8], er;
    char why[256];
    unsigned n = c->ninsn;
    for (unsigned k = 1; k <= n; k++) {
        pre[k - 1] = *c;
        if (k < n) {
            pre[k - 1].code[c->off[k]] = 0xcc;
            pre[k - 1].end = c->off[k];
            pre[k - 1].undef = c->undef_at[k];
        }
    }
    if (!xd_native_run(nat, pre, nr, n, why, sizeof why))
        return -1;
    for (unsigned k = 1; k <= n; k++) {
        /* a prefix ending in a taken jump runs past its marker: not a prefix */
        uint64_t marker = XD_CODE_VA + (k < n ? c->off[k] : c->end);
        if (nr[k - 1].vector < 0 || nr[k - 1].s.rip > marker + 1)
            continue;
        xd_emu_run(emu, &pre[k - 1], &er);
        if (!xd_compare(&pre[k - 1], &nr[k - 1], &er, diff, difflen))
            return (int)k - 1;
    }
    return -1;
}

static void print_features(uint32_t f)
{
    char names[] = XD_F_NAMES;
    unsigned bit = 0;
    for (char *w = strtok(names, " "); w; w = strtok(NULL, " "), bit++)
        if (f & (1u << bit))
            printf(" %s", w);
}

/* Mnemonics generated (by the emulator's disassembler), for the coverage listing. */
#define MAX_COVER 512
static struct {
    char mnem[16];
    uint64_t n;
} covered[MAX_COVER];
static unsigned ncovered;

static void cover(const xd_case *c)
{
    for (unsigned k = 0; k < c->ninsn; k++) {
        unsigned from = c->off[k], to = k + 1 < c->ninsn ? c->off[k + 1] : c->end;
        char dis[128], mnem[16] = "?";
        xd_emu_disasm(c->code + from, to - from, XD_CODE_VA + from, dis, sizeof dis);
        sscanf(dis, "%15s", mnem);
        if (!strcmp(mnem, "lock") || !strcmp(mnem, "rep") || !strcmp(mnem, "repne") ||
            !strcmp(mnem, "repe"))
            sscanf(dis, "%*s %15s", mnem);
        unsigned i = 0;
        while (i < ncovered && strcmp(covered[i].mnem, mnem))
            i++;
        if (i == ncovered && ncovered < MAX_COVER)
            snprintf(covered[ncovered++].mnem, sizeof covered[0].mnem, "%s", mnem);
        if (i < ncovered)
            covered[i].n++;
    }
}

static void count_culprit(group_stats *s, const char *mnem)
{
    for (unsigned i = 0; i < s->ncul; i++) {
        if (!strcmp(s->cul[i].mnem, mnem)) {
            s->cul[i].count++;
            return;
        }
    }
    if (s->ncul < MAX_CULPRITS) {
        snprintf(s->cul[s->ncul].mnem, sizeof s->cul[0].mnem, "%s", mnem);
        s->cul[s->ncul++].count = 1;
    }
}

int main(int argc, char **argv)
{
    uint64_t target = 10000000, seed = 1;
    const char *only = NULL;
    unsigned details = 3;
    bool selfcheck = true, stats = false, strict = false;
    const char *dump = NULL;
    uint64_t one = UINT64_MAX;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--insns") && i + 1 < argc)
            target = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--group") && i + 1 < argc)
            only = argv[++i];
        else if (!strcmp(argv[i], "--details") && i + 1 < argc)
            details = (unsigned)strtoul(argv[++i], NULL, 0);
        else if (!strcmp(argv[i], "--no-selfcheck"))
            selfcheck = false;
        else if (!strcmp(argv[i], "--strict-flags"))
            strict = true;
        else if (!strcmp(argv[i], "--native-stats"))
            stats = true;
        else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
            dump = argv[++i];
        else if (!strcmp(argv[i], "--case") && i + 1 < argc)
            one = strtoull(argv[++i], NULL, 0);
        else {
            fprintf(stderr, "usage: %s [--insns N] [--seed S] [--group NAME] [--details N] "
                            "[--case K] [--strict-flags] [--no-selfcheck] [--native-stats "
                            "[--dump FILE]]\n", argv[0]);
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    char why[256];
    xd_native *nat = xd_native_open(why, sizeof why);
    if (!nat) {
        printf("SKIP x86diff: %s\n", why);
        printf("RESULT 0 0 1\n");
        return 0;
    }
    if (stats || dump)
        return native_stats(nat, seed, only, dump);
    xd_emu *emu = xd_emu_open(why, sizeof why);
    if (selfcheck) {
        compare_selfcheck();
        native_selfcheck(nat, emu);
        native_determinism(nat);
    }
    if (!emu) {
        n_skip++;
        printf("SKIP x86diff comparison: %s\n", why);
        xd_native_close(nat);
        printf("RESULT %u %u %u\n", n_pass, n_fail, n_skip);
        return n_fail != 0;
    }

    /* Only what both CPUs advertise is generated; a group whose base feature the emulator
     * does not advertise (yet) is skipped, and compared as soon as it is. */
    uint32_t host_feat = xd_native_features(), emu_feat = xd_emu_features(emu);
    uint32_t feat = host_feat & emu_feat;
    printf("# seed %" PRIu64 ", %" PRIu64 " instructions; CPUID features of the host:", seed, target);
    print_features(host_feat);
    printf("; of the emulated CPU:");
    print_features(emu_feat);
    printf("\n");
    /* Weighted round-robin over the groups: case j belongs to sched[j % total]. */
    unsigned sched[1024], total = 0;
    for (unsigned gi = 0; gi < xd_ngroups; gi++) {
        if (only && !strstr(xd_groups[gi].name, only))
            continue;
        if ((xd_groups[gi].needs & feat) != xd_groups[gi].needs) {
            n_skip++;
            printf("SKIP x86diff %s: the %s CPU does not advertise", xd_groups[gi].name,
                   (xd_groups[gi].needs & emu_feat) != xd_groups[gi].needs ? "emulated" : "host");
            print_features(xd_groups[gi].needs & ~feat);
            printf(" (CPUID)\n");
            continue;
        }
        for (unsigned w = 0; w < xd_groups[gi].weight && total < 1024; w++)
            sched[total++] = gi;
    }
    if (!total) {
        printf("FAIL x86diff: no group matches '%s'\n", only);
        printf("RESULT %u 1 %u\n", n_pass, n_skip);
        return 1;
    }
    if (one != UINT64_MAX) {
        /* one case, in full: for reproducing a mismatch (same --seed and --group) */
        static xd_case c1;
        static xd_result r1, e1;
        char buf[8192];
        xd_generate(&c1, sched[one % total], seed, one, feat);
        if (!xd_native_run(nat, &c1, &r1, 1, why, sizeof why))
            return 1;
        xd_emu_run(emu, &c1, &e1);
        bool same = xd_compare(&c1, &r1, &e1, buf, sizeof buf);
        printf("# case %" PRIu64 " group %s: %s%s\n# code:", one, c1.group,
               same ? "same" : "differs:", buf);
        for (unsigned k = 0; k < c1.end; k++)
            printf("%02x", c1.code[k]);
        printf("\n");
        xd_print_case(&c1, &r1, &e1);
        /* and the host's state just before the first differing instruction */
        char diff[1024];
        int k = same ? -1 : bisect(nat, emu, &c1, diff, sizeof diff);
        if (k > 0) {
            static xd_case pre;
            static xd_result pr;
            pre = c1;
            pre.code[c1.off[k]] = 0xcc;
            pre.end = c1.off[k];
            pre.undef = c1.undef_at[k];
            if (xd_native_run(nat, &pre, &pr, 1, why, sizeof why)) {
                char label[64];
                snprintf(label, sizeof label, "native before +%03x", c1.off[k]);
                xd_print_state(label, &pr.s);
            }
        }
        return !same;
    }
    static group_stats st[64];
    xd_case *cases = malloc(CHUNK * sizeof *cases);
    xd_result *res = malloc(CHUNK * sizeof *res);
    xd_result *emu_res = mmap(NULL, (CHUNK + 1) * sizeof(xd_result), PROT_READ | PROT_WRITE,
                              MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    xd_result *er = emu_res == MAP_FAILED ? NULL : emu_res;
    if (!cases || !res || !er) {
        free(cases);
        free(res);
        printf("FAIL x86diff: out of memory\nRESULT %u 1 %u\n", n_pass, n_skip);
        return 1;
    }
    uint64_t retired = 0, index = 0;
    double t0 = now(), t_native = 0;
    /* every case retires at least one instruction, unless the emulator is broken: the case
     * count bounds the run as well */
    while (retired < target && index < target) {
        for (unsigned i = 0; i < CHUNK; i++) {
            xd_generate(&cases[i], sched[(index + i) % total], seed, index + i, feat);
            if (strict) { /* what the emulator leaves in undefined flags, against the host */
                cases[i].undef = 0;
                memset(cases[i].undef_at, 0, sizeof cases[i].undef_at);
            }
        }
        double t1 = now();
        if (!xd_native_run(nat, cases, res, CHUNK, why, sizeof why)) {
            printf("FAIL x86diff native runner: %s\nRESULT %u %u %u\n", why, n_pass, n_fail + 1, n_skip);
            return 1;
        }
        t_native += now() - t1;
        emu_chunk(emu, cases, res, emu_res, CHUNK);
        for (unsigned i = 0; i < CHUNK; i++) {
            unsigned gi = sched[(index + i) % total];
            group_stats *s = &st[gi];
            s->cases++;
            if (res[i].vector < 0) {
                if (!s->native_died)
                    printf("# group %s, case %" PRIu64 " (seed %" PRIu64 ") killed or hung the "
                           "native child (wait status %d)\n", xd_groups[gi].name, index + i, seed,
                           (int)res[i].error);
                s->native_died++;
                continue;
            }
            er = &emu_res[i];
            if (er->vector == XD_EMU_CRASHED) {
                if (s->fails < details) {
                    printf("# group %s, case %" PRIu64 " (seed %" PRIu64 "): the EMULATOR crashed "
                           "or hung (%s %d)\n", xd_groups[gi].name, index + i, seed,
                           er->error >= 1000 ? "exit status" : "host signal", (int)(er->error % 1000));
                    xd_print_case(&cases[i], &res[i], NULL);
                }
                if (!s->fails)
                    snprintf(s->first, sizeof s->first, "case %" PRIu64 ": emulator crash", index + i);
                count_culprit(s, "(EMULATOR CRASH)");
                s->fails++;
                continue;
            }
            s->insns += er->retired;
            retired += er->retired;
            uint64_t u = xd_undef_at_stop(&cases[i], &res[i]) & XF_ARITH;
            if (u) {
                s->masked_cases++;
                if ((res[i].s.rflags ^ er->s.rflags) & u)
                    s->masked_differ++;
            }
            if (index + i < 30000)
                cover(&cases[i]);
            char buf[4096];
            if (!xd_compare(&cases[i], &res[i], er, buf, sizeof buf)) {
                /* attribute the mismatch to an instruction (bounded: bisection reruns) */
                char mnem[24] = "(sequence)", dis[128] = "", diff[1024] = "";
                int k = s->fails < 400 ? bisect(nat, emu, &cases[i], diff, sizeof diff) : -2;
                if (k >= 0) {
                    unsigned from = cases[i].off[k];
                    unsigned to = (unsigned)k + 1 < cases[i].ninsn ? cases[i].off[k + 1] : cases[i].end;
                    xd_emu_disasm(cases[i].code + from, to - from, XD_CODE_VA + from, dis, sizeof dis);
                    sscanf(dis, "%23s", mnem);
                    if (!strcmp(mnem, "lock") || !strcmp(mnem, "rep") || !strcmp(mnem, "repne") ||
                        !strcmp(mnem, "repe"))
                        sscanf(dis, "%*s %23s", mnem);
                    if (!strcmp(mnem, "fpu")) { /* x87 escape: name it by its opcode bytes */
                        char a[8] = "", b[8] = "";
                        sscanf(dis, "%*s %7s %7s", a, b);
                        snprintf(mnem, sizeof mnem, "fpu:%s%s", a, b);
                    }
                } else if (k == -2) {
                    snprintf(mnem, sizeof mnem, "(not bisected)");
                }
                bool first_of_kind = true;
                for (unsigned u = 0; u < s->ncul; u++)
                    if (!strcmp(s->cul[u].mnem, mnem))
                        first_of_kind = false;
                count_culprit(s, mnem);
                if ((first_of_kind || s->fails < details) && k >= 0)
                    printf("# group %s, case %" PRIu64 ": first difference after +%03x %s:%s\n",
                           xd_groups[gi].name, index + i, cases[i].off[k], dis, diff);
                if (s->fails < details) {
                    printf("# mismatch in group %s, case %" PRIu64 " (seed %" PRIu64 "):%s\n",
                           xd_groups[gi].name, index + i, seed, buf);
                    xd_print_case(&cases[i], &res[i], er);
                }
                if (!s->fails)
                    snprintf(s->first, sizeof s->first, "case %" PRIu64 ":%.400s", index + i, buf);
                s->fails++;
            }
        }
        index += CHUNK;
    }
    double secs = now() - t0;
    for (unsigned gi = 0; gi < xd_ngroups; gi++) {
        group_stats *s = &st[gi];
        if (!s->cases)
            continue;
        if (s->fails || s->native_died) {
            n_fail++;
            printf("FAIL x86diff %s: %" PRIu64 " of %" PRIu64 " cases differ, %" PRIu64
                   " killed the native child; by first differing instruction:",
                   xd_groups[gi].name, s->fails, s->cases, s->native_died);
            for (unsigned u = 0; u < s->ncul; u++)
                printf(" %s %" PRIu64, s->cul[u].mnem, s->cul[u].count);
            printf("\n");
        } else {
            n_pass++;
            printf("PASS x86diff %s (%" PRIu64 " cases, %" PRIu64 " instructions)\n",
                   xd_groups[gi].name, s->cases, s->insns);
        }
    }
    for (unsigned gi = 0; gi < xd_ngroups; gi++)
        if (st[gi].masked_cases)
            printf("# %s: %" PRIu64 " of %" PRIu64 " cases that end with undefined flags have "
                   "them differ from the host (masked)\n", xd_groups[gi].name,
                   st[gi].masked_differ, st[gi].masked_cases);
    printf("# %u mnemonics generated (emulator's disassembly of the first 30000 cases):", ncovered);
    for (unsigned i = 0; i < ncovered; i++)
        printf(" %s", covered[i].mnem);
    printf("\n# %" PRIu64 " cases, %" PRIu64 " emulated instructions in %.1f s (native runner %.1f s)\n",
           index, retired, secs, t_native);
    free(cases);
    free(res);
    munmap(emu_res, (CHUNK + 1) * sizeof(xd_result));
    xd_emu_close(emu);
    xd_native_close(nat);
    printf("RESULT %u %u %u\n", n_pass, n_fail, n_skip);
    return n_fail != 0;
}
