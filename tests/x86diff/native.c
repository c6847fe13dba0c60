/* The host side of the differential test: cases run on the real CPU in a child process.
 *
 * The child maps the code and data pages at the fixed addresses of x86diff.h, installs one
 * signal handler for every fault signal (on an alternate stack, since the guest's RSP
 * points into the data pages), enters seccomp strict mode (only read, write, exit and
 * sigreturn remain, so generated code can harm nothing but the child) and raises INT3.
 * From then on the handler is the whole loop: each signal ends the running case — the
 * ucontext holds its final registers, RFLAGS, FXSAVE image, trap number, error code and
 * CR2 — and the handler writes the next case's state into that same ucontext and returns,
 * so sigreturn loads every register and jumps to the code page. No host assembly needed.
 *
 * Batches go through a MAP_SHARED region; one byte on a pipe starts a batch and one byte
 * back ends it. A case that kills or hangs the child (shared `cur` says which) gets vector
 * -1 and the child is replaced; the batch goes on from the next case. */
/* Linux test code: ucontext register names, MAP_ANONYMOUS, MAP_FIXED_NOREPLACE, syscall()
 * need more than the POSIX/XSI feature set the portability build asks for. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "x86diff.h"

#include <stdio.h>
#include <string.h>

#if defined(__x86_64__) && defined(__linux__)

#include <cpuid.h>
#include <errno.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#define BATCH 128
#define BATCH_TIMEOUT_MS 5000
#define ALTSTACK_SIZE (256 * 1024)

typedef struct shared {
    volatile uint32_t count;   /* cases in this batch */
    volatile uint32_t cur;     /* case the child is running (for crash attribution) */
    xd_case cases[BATCH];
    xd_result res[BATCH];
} shared;

struct xd_native {
    shared *sh;
    pid_t pid;
    int to_child, from_child;
};

/* Child state: the signal handler is the child's main loop, so it lives in statics (the
 * child is a single-threaded process of its own). */
static shared *child_sh;
static int child_rfd, child_wfd;
static int child_running = -1;

static void child_exit(int code)
{
    /* exit_group is not allowed in seccomp strict mode; exit is. */
    syscall(SYS_exit, code);
    for (;;)
        ;
}

static const int greg_of[16] = { REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP,
                                 REG_RSI, REG_RDI, REG_R8,  REG_R9,  REG_R10, REG_R11,
                                 REG_R12, REG_R13, REG_R14, REG_R15 };

static void save_case(ucontext_t *uc, xd_result *r)
{
    greg_t *g = uc->uc_mcontext.gregs;
    struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
    for (int i = 0; i < 16; i++)
        r->s.gpr[i] = (uint64_t)g[greg_of[i]];
    r->s.rip = (uint64_t)g[REG_RIP];
    r->s.rflags = (uint64_t)g[REG_EFL];
    r->vector = (int)g[REG_TRAPNO];
    /* The kernel leaves stale values in these for exceptions without an error code */
    bool has_error = r->vector == 8 || (r->vector >= 10 && r->vector <= 14) || r->vector == 17;
    r->error = has_error ? (uint64_t)g[REG_ERR] : 0;
    r->cr2 = r->vector == 14 ? (uint64_t)g[REG_CR2] : 0;
    r->retired = 0;
    r->s.fcw = fp->cwd;
    r->s.fsw = fp->swd;
    r->s.ftw = (uint8_t)fp->ftw;
    r->s.mxcsr = fp->mxcsr;
    for (int i = 0; i < 8; i++)
        memcpy(r->s.st[i], &fp->_st[i], 10);
    for (int i = 0; i < 16; i++)
        memcpy(r->s.xmm[i], &fp->_xmm[i], 16);
    memcpy(r->s.data, (void *)(uintptr_t)XD_DATA_VA, XD_DATA_SIZE);
}

static void load_case(ucontext_t *uc, const xd_case *c)
{
    greg_t *g = uc->uc_mcontext.gregs;
    struct _libc_fpstate *fp = uc->uc_mcontext.fpregs;
    memcpy((void *)(uintptr_t)XD_CODE_VA, c->code, XD_CODE_SIZE);
    memcpy((void *)(uintptr_t)XD_DATA_VA, c->init.data, XD_DATA_SIZE);
    for (int i = 0; i < 16; i++)
        g[greg_of[i]] = (greg_t)c->init.gpr[i];
    g[REG_RIP] = (greg_t)XD_CODE_VA;
    g[REG_EFL] = (greg_t)c->init.rflags;
    /* The kernel always marks the legacy x87/SSE area valid in a signal frame's XSAVE
     * header, so edits here are what sigreturn loads. */
    fp->cwd = c->init.fcw;
    fp->swd = c->init.fsw;
    fp->ftw = c->init.ftw;
    fp->fop = 0;
    fp->rip = 0;
    fp->rdp = 0;
    fp->mxcsr = c->init.mxcsr;
    for (int i = 0; i < 8; i++)
        memcpy(&fp->_st[i], c->init.st[i], 10);
    for (int i = 0; i < 16; i++)
        memcpy(&fp->_xmm[i], c->init.xmm[i], 16);
}

static void child_handler(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    (void)sig;
    (void)si;
    if (child_running >= 0) {
        uint64_t rip = (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
        uint64_t cr2 = (uint64_t)uc->uc_mcontext.gregs[REG_CR2];
        /* Generated code is on the code page, or jumped off it and faulted fetching. */
        if (rip - XD_CODE_VA > XD_CODE_SIZE && rip != cr2)
            child_exit(3);
        save_case(uc, &child_sh->res[child_running]);
        child_running++;
    }
    if (child_running < 0 || (uint32_t)child_running >= child_sh->count) {
        char b = 'd';
        if (child_running >= 0 && write(child_wfd, &b, 1) != 1)
            child_exit(4);
        if (read(child_rfd, &b, 1) != 1 || b != 'g')
            child_exit(0);
        child_running = 0;
    }
    child_sh->cur = (uint32_t)child_running;
    load_case(uc, &child_sh->cases[child_running]);
}

static void *map_fixed(uint64_t va, size_t len, int prot)
{
    void *p = mmap((void *)(uintptr_t)va, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
                   -1, 0);
    if (p == MAP_FAILED || (uint64_t)(uintptr_t)p != va)
        return NULL;
    return p;
}

static void child_main(void)
{
    /* The pages next to code and data are reserved inaccessible, so nothing the host
     * maps can land there: a stray access faults as in the emulator, where they are
     * unmapped. */
    if (!map_fixed(XD_CODE_VA - 0x1000, 0x3000, PROT_NONE) ||
        !map_fixed(XD_DATA_VA - 0x1000, XD_DATA_SIZE + 0x2000, PROT_NONE))
        child_exit(5);
    if (mprotect((void *)(uintptr_t)XD_CODE_VA, XD_CODE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC) ||
        mprotect((void *)(uintptr_t)XD_DATA_VA, XD_DATA_SIZE, PROT_READ | PROT_WRITE))
        child_exit(5);
    stack_t ss = { .ss_sp = mmap(NULL, ALTSTACK_SIZE, PROT_READ | PROT_WRITE,
                                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
                   .ss_size = ALTSTACK_SIZE };
    if (ss.ss_sp == MAP_FAILED || sigaltstack(&ss, NULL))
        child_exit(6);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = child_handler;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigfillset(&sa.sa_mask);
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (sigaction(sigs[i], &sa, NULL))
            child_exit(6);
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT))
        child_exit(7);
    __asm__ volatile("int3");
    child_exit(8); /* not reached: the handler never returns here */
}

static bool spawn(xd_native *n, char *why, size_t whylen)
{
    int down[2], up[2];
    if (pipe(down) || pipe(up)) {
        snprintf(why, whylen, "pipe: %s", strerror(errno));
        return false;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, whylen, "fork: %s", strerror(errno));
        return false;
    }
    if (pid == 0) {
        close(down[1]);
        close(up[0]);
        child_sh = n->sh;
        child_rfd = down[0];
        child_wfd = up[1];
        child_main();
    }
    close(down[0]);
    close(up[1]);
    n->pid = pid;
    n->to_child = down[1];
    n->from_child = up[0];
    return true;
}

/* Ends the child; returns how it had ended (for the report): -1 still running (hung),
 * else the waitpid status. */
static int reap(xd_native *n)
{
    int status = -1;
    if (n->pid <= 0)
        return status;
    close(n->to_child);
    close(n->from_child);
    if (waitpid(n->pid, &status, WNOHANG) != n->pid) {
        status = -1;
        kill(n->pid, SIGKILL);
        waitpid(n->pid, NULL, 0);
    }
    n->pid = 0;
    return status;
}

uint32_t xd_native_features(void)
{
    uint32_t l0[4] = { 0 }, l1[4] = { 0 }, l7[4] = { 0 }, l81[4] = { 0 };
    __get_cpuid(0, &l0[0], &l0[1], &l0[2], &l0[3]);
    __get_cpuid(1, &l1[0], &l1[1], &l1[2], &l1[3]);
    __get_cpuid_count(7, 0, &l7[0], &l7[1], &l7[2], &l7[3]);
    __get_cpuid(0x80000001u, &l81[0], &l81[1], &l81[2], &l81[3]);
    return xd_features(l0, l1, l7, l81);
}

xd_native *xd_native_open(char *why, size_t whylen)
{
    xd_native *n = calloc(1, sizeof *n);
    if (!n) {
        snprintf(why, whylen, "out of memory");
        return NULL;
    }
    n->sh = mmap(NULL, sizeof(shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (n->sh == MAP_FAILED) {
        snprintf(why, whylen, "mmap shared: %s", strerror(errno));
        free(n);
        return NULL;
    }
    signal(SIGPIPE, SIG_IGN);
    if (!spawn(n, why, whylen)) {
        munmap(n->sh, sizeof(shared));
        free(n);
        return NULL;
    }
    /* Probe: an empty case must come back as INT3 at the end marker. A host that refuses
     * the fixed mappings or seccomp kills the child instead (its exit status says where). */
    static xd_case probe;
    static xd_result res;
    memset(probe.code, 0xcc, XD_CODE_SIZE);
    probe.init.mxcsr = 0x1f80;
    probe.init.fcw = 0x37f;
    probe.init.rflags = 0x202;
    probe.code_len = 1;
    if (!xd_native_run(n, &probe, &res, 1, why, whylen) || res.vector != 3) {
        if (res.vector < 0)
            snprintf(why, whylen, "the sandboxed child did not run a case (wait status %#x: "
                     "fixed mappings, sigaltstack or seccomp refused?)", (unsigned)res.error);
        xd_native_close(n);
        return NULL;
    }
    return n;
}

/* Run sh->cases[from..count); true when the child answered for all of them. */
static bool run_batch(xd_native *n, uint32_t count)
{
    char b = 'g';
    n->sh->count = count;
    n->sh->cur = 0;
    if (write(n->to_child, &b, 1) != 1)
        return false;
    struct pollfd p = { .fd = n->from_child, .events = POLLIN };
    int r;
    do
        r = poll(&p, 1, BATCH_TIMEOUT_MS);
    while (r < 0 && errno == EINTR);
    return r == 1 && read(n->from_child, &b, 1) == 1 && b == 'd';
}

bool xd_native_run(xd_native *n, const xd_case *cases, xd_result *res, unsigned count,
                   char *why, size_t whylen)
{
    unsigned i = 0;
    while (i < count) {
        if (n->pid <= 0 && !spawn(n, why, whylen))
            return false;
        uint32_t k = count - i < BATCH ? count - i : BATCH;
        memcpy(n->sh->cases, cases + i, k * sizeof(xd_case));
        if (run_batch(n, k)) {
            memcpy(res + i, n->sh->res, k * sizeof(xd_result));
            i += k;
            continue;
        }
        /* The child died or hung in case `cur`: keep what came before, mark that one. */
        uint32_t cur = n->sh->cur;
        if (cur >= k)
            cur = k - 1;
        int status = reap(n);
        memcpy(res + i, n->sh->res, cur * sizeof(xd_result));
        memset(&res[i + cur], 0, sizeof(xd_result));
        res[i + cur].vector = -1;
        /* how the child ended, in error: -1 hung, else the wait status */
        res[i + cur].error = (uint64_t)(int64_t)status;
        i += cur + 1;
    }
    return true;
}

void xd_native_close(xd_native *n)
{
    if (!n)
        return;
    if (n->pid > 0) {
        close(n->to_child); /* the child reads EOF and exits */
        waitpid(n->pid, NULL, 0);
        close(n->from_child);
    }
    munmap(n->sh, sizeof(shared));
    free(n);
}

#else

uint32_t xd_native_features(void)
{
    return 0;
}

xd_native *xd_native_open(char *why, size_t whylen)
{
    snprintf(why, whylen, "the host is not x86_64 Linux");
    return NULL;
}

bool xd_native_run(xd_native *n, const xd_case *cases, xd_result *res, unsigned count,
                   char *why, size_t whylen)
{
    (void)n, (void)cases, (void)res, (void)count;
    snprintf(why, whylen, "the host is not x86_64 Linux");
    return false;
}

void xd_native_close(xd_native *n)
{
    (void)n;
}

#endif
