/* Comparing a native and an emulated result, and printing a case for a mismatch report.
 *
 * What is compared (README.md has the table of what is masked and why):
 * - the exception that ended the case (vector; INT3 at the end marker is vector 3) and RIP;
 *   for #PF also CR2 and the error code's P/W/U/RSVD/I bits, for #GP/#SS the error code;
 * - RAX..R15;
 * - RFLAGS bits 0-11 (CF PF AF ZF SF TF IF DF OF and the fixed bits) except the arithmetic
 *   flags the generator tracked as undefined at the end (case->undef);
 * - XMM0-15 and MXCSR;
 * - x87 FCW, FSW (minus undefined C0-C3), the abridged tag word and every valid register;
 * - both data pages, byte for byte. */
#include "x86diff.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const reg_names[16] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp",
                                           "rsi", "rdi", "r8",  "r9",  "r10", "r11",
                                           "r12", "r13", "r14", "r15" };

typedef struct out {
    char *buf;
    size_t len, used;
    unsigned diffs;
} out;

static void say(out *o, const char *fmt, ...)
{
    if (o->used + 1 >= o->len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->used, o->len - o->used, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->used += (size_t)n < o->len - o->used ? (size_t)n : o->len - o->used - 1;
    o->diffs++;
}

/* The undefined bits where the case stopped: at the end marker, the case's final set; at
 * a fault, the set before the faulting instruction (a fault leaves the flags as they were)
 * plus what that instruction leaves undefined when it faults (undef_fault);
 * at an address that is no instruction start, every set the case went through. */
uint64_t xd_undef_at_stop(const xd_case *c, const xd_result *nat)
{
    uint64_t rip = nat->s.rip;
    if (nat->vector == 3 && rip == XD_CODE_VA + c->end + 1)
        return c->undef;
    for (unsigned k = 0; k < c->ninsn; k++)
        if (rip == XD_CODE_VA + c->off[k])
            return c->undef_at[k] | c->undef_fault[k];
    uint64_t u = c->undef;
    for (unsigned k = 0; k < c->ninsn; k++)
        u |= c->undef_at[k];
    return u;
}

bool xd_compare(const xd_case *c, const xd_result *nat, const xd_result *emu, char *buf,
                size_t len)
{
    out o = { buf, len, 0, 0 };
    uint64_t undef = xd_undef_at_stop(c, nat);
    buf[0] = 0;
    const xd_state *a = &nat->s, *b = &emu->s;
    if (nat->vector != emu->vector) {
        say(&o, " vector native=%d emu=%d;", nat->vector, emu->vector);
        if (emu->vector == -3)
            say(&o, " (emulator requested a reset: triple fault);");
        if (emu->vector == -2)
            say(&o, " (emulator stopped without an exception after %" PRIu64 " insns);", emu->retired);
    }
    if (a->rip != b->rip)
        say(&o, " rip native=%#" PRIx64 " emu=%#" PRIx64 ";", a->rip, b->rip);
    if (nat->vector == 14 && emu->vector == 14) {
        if (nat->cr2 != emu->cr2)
            say(&o, " cr2 native=%#" PRIx64 " emu=%#" PRIx64 ";", nat->cr2, emu->cr2);
        if ((nat->error & 0x1f) != (emu->error & 0x1f))
            say(&o, " #PF error native=%#" PRIx64 " emu=%#" PRIx64 ";", nat->error, emu->error);
    }
    if ((nat->vector == 13 || nat->vector == 12) && nat->vector == emu->vector &&
        nat->error != emu->error)
        say(&o, " error code native=%#" PRIx64 " emu=%#" PRIx64 ";", nat->error, emu->error);
    for (int i = 0; i < 16; i++)
        if (a->gpr[i] != b->gpr[i])
            say(&o, " %s native=%#" PRIx64 " emu=%#" PRIx64 ";", reg_names[i], a->gpr[i], b->gpr[i]);
    uint64_t fmask = 0xfffull & ~(undef & 0xffffffffull);
    if ((a->rflags ^ b->rflags) & fmask)
        say(&o, " rflags native=%#" PRIx64 " emu=%#" PRIx64 " (compared bits %#" PRIx64 ");",
            a->rflags, b->rflags, fmask);
    for (int i = 0; i < 16; i++)
        if (memcmp(a->xmm[i], b->xmm[i], 16))
            say(&o, " xmm%d native=%016" PRIx64 "%016" PRIx64 " emu=%016" PRIx64 "%016" PRIx64 ";", i,
                a->xmm[i][1], a->xmm[i][0], b->xmm[i][1], b->xmm[i][0]);
    if (a->mxcsr != b->mxcsr)
        say(&o, " mxcsr native=%#x emu=%#x;", a->mxcsr, b->mxcsr);
    if (a->fcw != b->fcw)
        say(&o, " fcw native=%#x emu=%#x;", a->fcw, b->fcw);
    unsigned swmask = 0xffffu & ~(unsigned)(undef >> 32);
    if ((a->fsw ^ b->fsw) & swmask)
        say(&o, " fsw native=%#x emu=%#x (compared bits %#x);", a->fsw, b->fsw, swmask);
    if (a->ftw != b->ftw)
        say(&o, " ftw(abridged) native=%#x emu=%#x;", a->ftw, b->ftw);
    unsigned top = (a->fsw >> 11) & 7;
    for (unsigned i = 0; i < 8; i++) {
        if (!(a->ftw & (1u << ((top + i) & 7))) || !memcmp(a->st[i], b->st[i], 10))
            continue;
        uint64_t ma, mb;
        memcpy(&ma, a->st[i], 8);
        memcpy(&mb, b->st[i], 8);
        say(&o, " st%u native=%04x:%016" PRIx64 " emu=%04x:%016" PRIx64 ";", i,
            a->st[i][8] | a->st[i][9] << 8, ma, b->st[i][8] | b->st[i][9] << 8, mb);
    }
    unsigned first = XD_DATA_SIZE, count = 0;
    for (unsigned i = memcmp(a->data, b->data, XD_DATA_SIZE) ? 0 : XD_DATA_SIZE; i < XD_DATA_SIZE; i++) {
        if (a->data[i] != b->data[i]) {
            if (first == XD_DATA_SIZE)
                first = i;
            count++;
        }
    }
    if (count) {
        say(&o, " data: %u bytes differ from %#" PRIx64 ":", count, XD_DATA_VA + first);
        for (unsigned i = first; i < first + 16 && i < XD_DATA_SIZE; i++)
            say(&o, " %02x/%02x", a->data[i], b->data[i]);
        say(&o, " (native/emu);");
    }
    return o.diffs == 0;
}

static void print_state(const char *label, const xd_state *s)
{
    printf("#   %s:", label);
    for (int i = 0; i < 16; i++)
        printf("%s %s=%" PRIx64, i % 4 ? "" : "\n#    ", reg_names[i], s->gpr[i]);
    printf("\n#     rip=%" PRIx64 " rflags=%" PRIx64 " mxcsr=%x fcw=%x fsw=%x ftw=%02x\n", s->rip,
           s->rflags, s->mxcsr, s->fcw, s->fsw, s->ftw);
    for (int i = 0; i < 16; i++)
        printf("%sxmm%d=%016" PRIx64 "%016" PRIx64, i % 2 ? " " : "\n#     ", i, s->xmm[i][1],
               s->xmm[i][0]);
    printf("\n");
    for (int i = 0; i < 8; i++) {
        uint64_t m;
        memcpy(&m, s->st[i], 8);
        printf("%sst%d=%04x:%016" PRIx64, i % 4 ? " " : "#     ", i, s->st[i][8] | s->st[i][9] << 8, m);
        if (i % 4 == 3)
            printf("\n");
    }
}

void xd_print_state(const char *label, const xd_state *s)
{
    print_state(label, s);
}

void xd_print_case(const xd_case *c, const xd_result *nat, const xd_result *emu)
{
    printf("#   code at %#llx (%u instructions; end marker at +%#x):\n",
           (unsigned long long)XD_CODE_VA, c->ninsn, c->end);
    for (unsigned i = 0; i < c->ninsn; i++) {
        unsigned from = c->off[i], to = i + 1 < c->ninsn ? c->off[i + 1] : c->end;
        char dis[128];
        xd_emu_disasm(c->code + from, to - from, XD_CODE_VA + from, dis, sizeof dis);
        printf("#     +%03x:", from);
        for (unsigned k = from; k < from + 12; k++)
            printf(k < to ? " %02x" : "   ", c->code[k]);
        printf("  %s\n", dis);
    }
    printf("#   undefined at the end: rflags %#llx, x87 C-bits %#llx\n",
           (unsigned long long)(c->undef & 0xffffffffu), (unsigned long long)(c->undef >> 32));
    print_state("initial", &c->init);
    printf("#   native: vector %d error %#" PRIx64 " cr2 %#" PRIx64 "\n", nat->vector, nat->error, nat->cr2);
    print_state("native final", &nat->s);
    if (emu) {
        printf("#   emulator: vector %d error %#" PRIx64 " cr2 %#" PRIx64 " retired %" PRIu64 "\n",
               emu->vector, emu->error, emu->cr2, emu->retired);
        print_state("emulator final", &emu->s);
    }
}
