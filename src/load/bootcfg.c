/* Boot configuration parsing, entry choice and the serial-console command line (see
 * bootcfg.h). Configuration files come from an untrusted image: lines are bounded, include
 * depth is bounded, every string is copied with its length checked. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load/bootcfg.h"

#define PATH_LEN 512u

/* ---- small string helpers ---- */

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
}

static bool ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (lower(*a) != lower(*b))
            return false;
    return *a == *b;
}

static bool ieqn(const char *a, size_t n, const char *b)
{
    size_t bl = strlen(b);
    if (n != bl)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static const char *skip_space(const char *p)
{
    while (*p && is_space(*p))
        p++;
    return p;
}

/* Append formatted text to a bounded buffer, truncating silently. */
static void appendf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void appendf(char *buf, size_t len, const char *fmt, ...)
{
    size_t used = strlen(buf);
    if (used + 1 >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, len - used, fmt, ap);
    va_end(ap);
}

/* The directory part of an absolute path ("/isolinux/x.cfg" -> "/isolinux"). */
static void dir_of(const char *path, char *out, size_t len)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path) : 0;
    if (n >= len)
        n = len - 1;
    memcpy(out, path, n);
    out[n] = 0;
}

/* `name` made absolute from directory `dir` (which has no trailing slash). */
static char *abs_path(const char *dir, const char *name, size_t n)
{
    if (n && name[0] == '/')
        return dupn(name, n);
    size_t dl = strlen(dir);
    char *p = malloc(dl + n + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, dl);
    p[dl] = '/';
    memcpy(p + dl + 1, name, n);
    p[dl + n + 1] = 0;
    return p;
}

/* ---- the entry list ---- */

static boot_entry *new_entry(bootcfg *cfg, const char *label, size_t n)
{
    if (cfg->count == cfg->cap) {
        size_t cap = cfg->cap ? cfg->cap * 2 : 16;
        if (cap > 4096)
            return NULL;   /* no real menu is this large */
        boot_entry *e = realloc(cfg->entries, cap * sizeof *e);
        if (!e)
            return NULL;
        cfg->entries = e;
        cfg->cap = cap;
    }
    boot_entry *e = &cfg->entries[cfg->count];
    memset(e, 0, sizeof *e);
    e->label = dupn(label, n);
    e->args = dupn("", 0);
    if (!e->label || !e->args) {
        free(e->label);
        free(e->args);
        return NULL;
    }
    cfg->count++;
    return e;
}

static void entry_free(boot_entry *e)
{
    free(e->label);
    free(e->menu_label);
    free(e->kernel);
    for (unsigned i = 0; i < e->ninitrd; i++)
        free(e->initrd[i]);
    free(e->args);
}

void bootcfg_free(bootcfg *cfg)
{
    for (size_t i = 0; i < cfg->count; i++)
        entry_free(&cfg->entries[i]);
    free(cfg->entries);
    free(cfg->default_label);
    memset(cfg, 0, sizeof *cfg);
}

static bool add_initrd(boot_entry *e, const char *dir, const char *p, size_t n)
{
    if (!n)
        return true;
    if (e->ninitrd == BOOTCFG_MAX_INITRDS)
        return true;   /* more than any installer uses: the rest are ignored */
    char *s = abs_path(dir, p, n);
    if (!s)
        return false;
    e->initrd[e->ninitrd++] = s;
    return true;
}

/* "a,b,c" as initrds (syslinux: INITRD and APPEND initrd= take comma lists). */
static bool add_initrd_list(boot_entry *e, const char *dir, const char *p, size_t n)
{
    while (n) {
        const char *comma = memchr(p, ',', n);
        size_t k = comma ? (size_t)(comma - p) : n;
        if (!add_initrd(e, dir, p, k))
            return false;
        if (!comma)
            break;
        n -= k + 1;
        p = comma + 1;
    }
    return true;
}

static void clear_initrds(boot_entry *e)
{
    for (unsigned i = 0; i < e->ninitrd; i++)
        free(e->initrd[i]);
    e->ninitrd = 0;
}

/* A kernel path that names a Linux kernel rather than a syslinux module or a chain
 * loader (syslinux.txt: the KERNEL file type is guessed from the extension). */
static bool looks_linux(const char *k)
{
    const char *dot = strrchr(k, '.');
    const char *slash = strrchr(k, '/');
    if (!dot || (slash && dot < slash))
        return true;
    static const char *const not_linux[] = { ".c32", ".com", ".cbt", ".bs", ".bss",
                                             ".bin", ".0", ".img", ".efi" };
    for (size_t i = 0; i < sizeof not_linux / sizeof not_linux[0]; i++)
        if (ieq(dot, not_linux[i]))
            return false;
    return true;
}

/* Store APPEND's parameters with initrd= taken out as initrds. */
static bool set_append(boot_entry *e, const char *dir, const char *p)
{
    size_t n = strlen(p);
    char *args = malloc(n + 1);
    if (!args)
        return false;
    size_t o = 0;
    bool had_initrd = false;
    while (*(p = skip_space(p))) {
        const char *t = p;
        while (*p && !is_space(*p))
            p++;
        size_t k = (size_t)(p - t);
        if (k > 7 && ieqn(t, 7, "initrd=")) {
            if (!had_initrd)
                clear_initrds(e);   /* APPEND's initrd= replaces an earlier INITRD */
            had_initrd = true;
            if (!add_initrd_list(e, dir, t + 7, k - 7)) {
                free(args);
                return false;
            }
            continue;
        }
        if (o)
            args[o++] = ' ';
        memcpy(args + o, t, k);
        o += k;
    }
    args[o] = 0;
    if (o == 1 && args[0] == '-')
        args[0] = 0;   /* syslinux.txt: "APPEND -" means no parameters */
    free(e->args);
    e->args = args;
    return true;
}

/* ---- syslinux ---- */

typedef struct sx_state {
    bootcfg *cfg;
    bootcfg_read_fn read;
    void *opaque;
    char topdir[PATH_LEN];
    long cur_index;      /* the LABEL being defined, -1 before the first */
    bool in_text;        /* inside TEXT HELP ... ENDTEXT, whose lines are not keywords */
} sx_state;

static bool sx_file(sx_state *st, const char *path, const char *fromdir, unsigned depth,
                    vm_error *err);

/* A keyword and its argument: "MENU LABEL x" gives kw "menu", arg "LABEL x". */
static bool sx_line(sx_state *st, const char *filedir, char *line, unsigned depth,
                    vm_error *err)
{
    const char *p = skip_space(line);
    if (!*p || *p == '#')
        return true;
    const char *kw = p;
    while (*p && !is_space(*p))
        p++;
    size_t kn = (size_t)(p - kw);
    const char *arg = skip_space(p);
    if (st->in_text) {   /* menu.txt: help text runs up to a line reading ENDTEXT */
        st->in_text = !ieqn(kw, kn, "endtext");
        return true;
    }
    if (ieqn(kw, kn, "text")) {
        st->in_text = true;
        return true;
    }
    /* Trailing blanks are not part of the argument. */
    size_t an = strlen(arg);
    while (an && is_space(arg[an - 1]))
        an--;
    ((char *)arg)[an] = 0;
    boot_entry *e = st->cur_index >= 0 ? &st->cfg->entries[st->cur_index] : NULL;

    if (ieqn(kw, kn, "menu")) {
        const char *sub = arg;
        while (*arg && !is_space(*arg))
            arg++;
        size_t sn = (size_t)(arg - sub);
        arg = skip_space(arg);
        if (ieqn(sub, sn, "label") && e) {
            char *ml = malloc(strlen(arg) + 1);
            if (!ml)
                goto oom;
            size_t o = 0;
            for (const char *c = arg; *c; c++)
                if (*c != '^')   /* menu.txt: '^' marks the hotkey */
                    ml[o++] = *c;
            ml[o] = 0;
            free(e->menu_label);
            e->menu_label = ml;
        } else if (ieqn(sub, sn, "default") && e) {
            e->menu_default = true;
        } else if (ieqn(sub, sn, "include")) {
            const char *f = arg;
            while (*arg && !is_space(*arg))
                arg++;
            ((char *)arg)[0] = 0;
            return sx_file(st, f, filedir, depth + 1, err);
        }
        return true;
    }
    if (ieqn(kw, kn, "include")) {
        const char *f = arg;
        while (*arg && !is_space(*arg))
            arg++;
        ((char *)arg)[0] = 0;   /* "INCLUDE file menu-title": the title is not ours */
        return sx_file(st, f, filedir, depth + 1, err);
    }
    if (ieqn(kw, kn, "default")) {
        free(st->cfg->default_label);
        const char *end = arg;
        while (*end && !is_space(*end))
            end++;
        st->cfg->default_label = dupn(arg, (size_t)(end - arg));
        return st->cfg->default_label != NULL || (vm_error_set(err, "out of memory"), false);
    }
    if (ieqn(kw, kn, "label")) {
        e = new_entry(st->cfg, arg, strlen(arg));
        if (!e)
            goto oom;
        st->cur_index = (long)(st->cfg->count - 1);
        return true;
    }
    if (!e)
        return true;   /* global settings (PROMPT, TIMEOUT, UI, ...) are not ours */
    if (ieqn(kw, kn, "kernel") || ieqn(kw, kn, "linux")) {
        const char *end = arg;
        while (*end && !is_space(*end))
            end++;
        free(e->kernel);
        e->kernel = abs_path(st->topdir, arg, (size_t)(end - arg));
        if (!e->kernel)
            goto oom;
        e->is_linux = ieqn(kw, kn, "linux") || looks_linux(e->kernel);
        return true;
    }
    if (ieqn(kw, kn, "com32") || ieqn(kw, kn, "boot") || ieqn(kw, kn, "bss") ||
        ieqn(kw, kn, "pxe") || ieqn(kw, kn, "fdimage") || ieqn(kw, kn, "comboot") ||
        ieqn(kw, kn, "config") || ieqn(kw, kn, "localboot")) {
        e->is_linux = false;
        return true;
    }
    if (ieqn(kw, kn, "append"))
        return set_append(e, st->topdir, arg) || (vm_error_set(err, "out of memory"), false);
    if (ieqn(kw, kn, "initrd")) {
        clear_initrds(e);
        return add_initrd_list(e, st->topdir, arg, strlen(arg)) ||
               (vm_error_set(err, "out of memory"), false);
    }
    return true;
oom:
    vm_error_set(err, "out of memory parsing %s", st->cfg->source);
    return false;
}

static bool sx_file(sx_state *st, const char *name, const char *fromdir, unsigned depth,
                    vm_error *err)
{
    if (depth > BOOTCFG_MAX_INCLUDE_DEPTH) {
        vm_error_set(err, "%s: includes nested more than %u deep (an include loop?)",
                     st->cfg->source, BOOTCFG_MAX_INCLUDE_DEPTH);
        return false;
    }
    /* syslinux resolves relative names from its working directory, the top file's
     * directory; a file included from elsewhere is also looked up next to its includer. */
    char tries[3][PATH_LEN];
    unsigned ntries = 0;
    const char *dirs[3] = { "", NULL, NULL };
    if (name[0] != '/') {
        dirs[0] = fromdir;
        if (strcmp(fromdir, st->topdir))
            dirs[1] = st->topdir;
        dirs[dirs[1] ? 2 : 1] = "";
    }
    for (unsigned i = 0; i < 3 && dirs[i]; i++) {
        size_t dl = strlen(dirs[i]), nl = strlen(name);
        if (dl + nl + 2 > PATH_LEN)
            continue;
        memcpy(tries[ntries], dirs[i], dl);
        size_t o = dl;
        if (name[0] != '/')
            tries[ntries][o++] = '/';
        memcpy(tries[ntries] + o, name, nl + 1);
        ntries++;
    }
    char *text = NULL;
    int rc = 0;
    const char *found = NULL;
    for (unsigned i = 0; i < ntries && rc == 0; i++) {
        rc = st->read(st->opaque, tries[i], &text, err);
        if (rc == 1)
            found = tries[i];
    }
    if (rc < 0)
        return false;
    if (rc == 0)
        return depth > 0 ? true : (vm_error_set(err, "%s: no such file", name), false);
    char dir[PATH_LEN];
    dir_of(found, dir, sizeof dir);
    bool ok = true;
    char *line = text;
    while (ok && line && *line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        ok = sx_line(st, dir, line, depth, err);
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    return ok;
}

bool bootcfg_parse_syslinux(bootcfg *cfg, const char *path, bootcfg_read_fn read,
                            void *opaque, vm_error *err)
{
    sx_state st = { .cfg = cfg, .read = read, .opaque = opaque, .cur_index = -1 };
    snprintf(cfg->source, sizeof cfg->source, "%s", path);
    dir_of(path, st.topdir, sizeof st.topdir);
    return sx_file(&st, path, st.topdir, 0, err);
}

/* ---- GRUB ---- */

/* Split a grub.cfg line into words (GRUB manual "Quoting": '...' literal, "..." with
 * backslash escapes, backslash outside quotes). Returns the number of words; `buf`
 * receives them NUL-separated. */
static unsigned grub_words(const char *line, char *buf, size_t buflen, char **w,
                           unsigned maxw)
{
    unsigned n = 0;
    size_t o = 0;
    const char *p = line;
    while (n < maxw) {
        p = skip_space(p);
        if (!*p || *p == '#')
            break;
        if (o + 1 >= buflen)
            break;
        w[n++] = buf + o;
        while (*p && !is_space(*p) && o + 1 < buflen) {
            if (*p == '\'') {
                for (p++; *p && *p != '\'' && o + 1 < buflen; p++)
                    buf[o++] = *p;
                if (*p)
                    p++;
            } else if (*p == '"') {
                for (p++; *p && *p != '"' && o + 1 < buflen; p++) {
                    if (*p == '\\' && p[1])
                        p++;
                    buf[o++] = *p;
                }
                if (*p)
                    p++;
            } else {
                if (*p == '\\' && p[1])
                    p++;
                buf[o++] = *p++;
            }
        }
        buf[o++] = 0;
    }
    return n;
}

/* "(hd0,1)/boot/vmlinuz" and "($root)/x" name a device first: the path follows it. */
static const char *grub_path(const char *w)
{
    if (w[0] == '(') {
        const char *close = strchr(w, ')');
        if (close)
            return close + 1;
    }
    return w;
}

#define GRUB_MAX_WORDS 64
#define GRUB_MAX_NEST 8

typedef struct grub_state {
    bootcfg *cfg;
    bootcfg_read_fn read;
    void *opaque;
    char topdir[PATH_LEN];     /* $prefix: the top grub.cfg's directory */
    char *default_str;
    char *title[GRUB_MAX_NEST];   /* enclosing submenu titles */
    unsigned nsub;
    long cur;                  /* the menuentry whose body we are in */
    unsigned block_depth;      /* braces opened inside the current menuentry */
} grub_state;

static bool grub_file(grub_state *st, const char *path, unsigned depth, vm_error *err);

/* `source FILE` / `configfile FILE` (GRUB manual "source", "configfile"): read in place.
 * "$prefix" / "${prefix}" at the start stands for the top file's directory; any other
 * variable cannot be evaluated and the command is skipped. */
static bool grub_source(grub_state *st, const char *arg, unsigned depth, vm_error *err)
{
    char path[PATH_LEN];
    const char *rest = arg;
    const char *dir = "";
    if (!strncmp(arg, "${prefix}", 9)) {
        rest = arg + 9;
        dir = st->topdir;
    } else if (!strncmp(arg, "$prefix", 7)) {
        rest = arg + 7;
        dir = st->topdir;
    }
    rest = grub_path(rest);
    size_t dl = strlen(dir), rl = strlen(rest);
    if (strchr(rest, '$') || dl + rl + 2 > sizeof path)
        return true;
    memcpy(path, dir, dl);
    if (rest[0] != '/')
        path[dl++] = '/';
    memcpy(path + dl, rest, rl + 1);
    return grub_file(st, path, depth + 1, err);
}

static bool grub_line(grub_state *st, char **w, unsigned n, char **line, unsigned depth,
                      vm_error *err)
{
    bootcfg *cfg = st->cfg;
    bool opens = strcmp(w[n - 1], "{") == 0;
    if (st->cur >= 0) {
        boot_entry *e = &cfg->entries[st->cur];
        if (!strcmp(w[0], "}")) {
            if (st->block_depth == 0)
                st->cur = -1;
            else
                st->block_depth--;
            return true;
        }
        if (opens)
            st->block_depth++;
        if ((!strcmp(w[0], "linux") || !strcmp(w[0], "linuxefi") ||
             !strcmp(w[0], "linux16")) && n >= 2) {
            free(e->kernel);
            const char *kp = grub_path(w[1]);
            e->kernel = abs_path("", kp, strlen(kp));
            e->is_linux = e->kernel != NULL;
            size_t len = 0;
            for (unsigned i = 2; i < n; i++)
                len += strlen(w[i]) + 1;
            char *args = malloc(len + 1);
            if (!e->kernel || !args) {
                free(args);
                return false;
            }
            args[0] = 0;
            for (unsigned i = 2; i < n; i++) {
                if (i > 2)
                    strcat(args, " ");
                strcat(args, w[i]);
            }
            free(e->args);
            e->args = args;
        } else if ((!strcmp(w[0], "initrd") || !strcmp(w[0], "initrdefi") ||
                    !strcmp(w[0], "initrd16")) && n >= 2) {
            clear_initrds(e);
            for (unsigned i = 1; i < n; i++) {
                const char *ip = grub_path(w[i]);
                if (!add_initrd(e, "", ip, strlen(ip)))
                    return false;
            }
        }
        return true;
    }
    if ((!strcmp(w[0], "menuentry") || !strcmp(w[0], "submenu")) && n >= 2) {
        /* The title is the first word that is not an option (--class x, --id x,
         * --hotkey=x, --unrestricted, ...). */
        const char *t = NULL;
        for (unsigned i = 1; i < n && !t; i++) {
            if (!strncmp(w[i], "--", 2)) {
                if (!strchr(w[i], '=') &&
                    (!strcmp(w[i], "--class") || !strcmp(w[i], "--users") ||
                     !strcmp(w[i], "--hotkey") || !strcmp(w[i], "--id")))
                    i++;
                continue;
            }
            if (strcmp(w[i], "{"))
                t = w[i];
        }
        if (!t)
            t = "";
        if (!opens && *line && *skip_space(*line) == '{') {
            /* "menuentry 'x'" with its '{' on the next line. */
            char *brace = (char *)skip_space(*line);
            *brace = ' ';
        }
        if (!strcmp(w[0], "submenu")) {
            if (st->nsub == GRUB_MAX_NEST) {
                vm_error_set(err, "%s: submenus nested more than %u deep", cfg->source,
                             GRUB_MAX_NEST);
                return false;
            }
            st->title[st->nsub] = dupn(t, strlen(t));
            if (!st->title[st->nsub])
                return false;
            st->nsub++;
            return true;
        }
        char label[PATH_LEN] = "";
        for (unsigned i = 0; i < st->nsub; i++)
            appendf(label, sizeof label, "%s>", st->title[i]);
        appendf(label, sizeof label, "%s", t);
        if (!new_entry(cfg, label, strlen(label)))
            return false;
        st->cur = (long)cfg->count - 1;
        st->block_depth = 0;
        return true;
    }
    if (!strcmp(w[0], "}")) {
        if (st->nsub)
            free(st->title[--st->nsub]);
        return true;
    }
    if ((!strcmp(w[0], "source") || !strcmp(w[0], "configfile")) && n >= 2)
        return grub_source(st, w[1], depth, err);
    /* set default=..., or default=... */
    const char *d = NULL;
    if (!strcmp(w[0], "set") && n >= 2 && !strncmp(w[1], "default=", 8))
        d = w[1] + 8;
    else if (!strncmp(w[0], "default=", 8))
        d = w[0] + 8;
    if (d) {
        free(st->default_str);
        st->default_str = dupn(d, strlen(d));
        return st->default_str != NULL;
    }
    return true;
}

static bool grub_file(grub_state *st, const char *path, unsigned depth, vm_error *err)
{
    if (depth > BOOTCFG_MAX_INCLUDE_DEPTH) {
        vm_error_set(err, "%s: source nested more than %u deep (a source loop?)",
                     st->cfg->source, BOOTCFG_MAX_INCLUDE_DEPTH);
        return false;
    }
    char *text = NULL;
    int rc = st->read(st->opaque, path, &text, err);
    if (rc < 0)
        return false;
    if (rc == 0)
        return depth > 0 ? true : (vm_error_set(err, "%s: no such file", path), false);
    char *words_buf = malloc(4096);
    bool ok = words_buf != NULL;
    char *line = text;
    while (ok && line && *line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        char *w[GRUB_MAX_WORDS];
        unsigned n = grub_words(line, words_buf, 4096, w, GRUB_MAX_WORDS);
        line = nl ? nl + 1 : nl;
        char *next = line ? line : (char *)"";
        if (n)
            ok = grub_line(st, w, n, &next, depth, err);
    }
    if (!ok && !err->msg[0])
        vm_error_set(err, "out of memory parsing %s", path);
    free(words_buf);
    free(text);
    return ok;
}

bool bootcfg_parse_grub(bootcfg *cfg, const char *path, bootcfg_read_fn read, void *opaque,
                        vm_error *err)
{
    snprintf(cfg->source, sizeof cfg->source, "%s", path);
    grub_state st = { .cfg = cfg, .read = read, .opaque = opaque, .cur = -1 };
    dir_of(path, st.topdir, sizeof st.topdir);
    size_t first = cfg->count;
    err->msg[0] = 0;
    bool ok = grub_file(&st, path, 0, err);
    while (st.nsub)
        free(st.title[--st.nsub]);
    if (ok && cfg->count > first) {
        /* GRUB manual "default": a number, a title or an id ("Sub>Title" for submenus);
         * none means entry 0. Numbers count top-level items; we approximate with
         * entries. */
        size_t pick = first;
        if (st.default_str) {
            char *end;
            long idx = strtol(st.default_str, &end, 10);
            pick = SIZE_MAX;
            if (*st.default_str && !*end) {
                if (idx >= 0 && (size_t)idx < cfg->count - first)
                    pick = first + (size_t)idx;
            } else {
                for (size_t i = first; i < cfg->count && pick == SIZE_MAX; i++)
                    if (!strcmp(cfg->entries[i].label, st.default_str))
                        pick = i;
            }
        }
        if (pick != SIZE_MAX)
            cfg->entries[pick].menu_default = true;
    }
    free(st.default_str);
    return ok;
}

/* ---- choosing ---- */

bool bootcfg_initrd_is_graphical(const char *path)
{
    /* A "gtk" directory component: Debian's /install.amd/gtk/initrd.gz. */
    for (const char *p = path; (p = strstr(p, "gtk")) != NULL; p += 3) {
        bool start = p == path || p[-1] == '/';
        bool end = p[3] == '/' || p[3] == 0;
        if (start && end)
            return true;
    }
    return false;
}

static bool entry_graphical(const boot_entry *e)
{
    for (unsigned i = 0; i < e->ninitrd; i++)
        if (bootcfg_initrd_is_graphical(e->initrd[i]))
            return true;
    return false;
}

static bool usable_entry(const boot_entry *e)
{
    return e->is_linux && e->kernel;
}

static const char *entry_name(const boot_entry *e)
{
    return e->label;
}

long bootcfg_choose(const bootcfg *cfg, const char *want, char *why, size_t whylen,
                    vm_error *err)
{
    if (whylen)
        why[0] = 0;
    if (want) {
        for (size_t i = 0; i < cfg->count; i++) {
            const boot_entry *e = &cfg->entries[i];
            if (ieq(e->label, want) || (e->menu_label && ieq(e->menu_label, want))) {
                if (!usable_entry(e)) {
                    vm_error_set(err, "%s: boot entry \"%s\" does not boot a Linux kernel",
                                 cfg->source, want);
                    return -1;
                }
                appendf(why, whylen, "entry \"%s\" chosen by --boot-entry", e->label);
                return (long)i;
            }
        }
        char list[256] = "";
        for (size_t i = 0; i < cfg->count; i++)
            if (usable_entry(&cfg->entries[i]))
                appendf(list, sizeof list, "%s%s", list[0] ? ", " : "", cfg->entries[i].label);
        vm_error_set(err, "%s: no boot entry \"%s\" (entries: %s)", cfg->source, want,
                     list[0] ? list : "none");
        return -1;
    }
    long def = -1;
    for (size_t i = 0; i < cfg->count && def < 0; i++)
        if (cfg->entries[i].menu_default)
            def = (long)i;
    for (size_t i = 0; i < cfg->count && def < 0 && cfg->default_label; i++)
        if (ieq(cfg->entries[i].label, cfg->default_label))
            def = (long)i;
    const char *defname = def >= 0 ? entry_name(&cfg->entries[def]) : NULL;

    for (size_t i = 0; i < cfg->count; i++) {
        const boot_entry *e = &cfg->entries[i];
        if (usable_entry(e) && ieq(e->label, "install") && !entry_graphical(e)) {
            appendf(why, whylen, "entry \"%s\": the text-mode installer, for the serial "
                                 "console", e->label);
            if (defname && def != (long)i)
                appendf(why, whylen, " (the default \"%s\"%s)", defname,
                        entry_graphical(&cfg->entries[def])
                            ? " needs a framebuffer: its initrd is the graphical installer's"
                            : " was not chosen");
            return (long)i;
        }
    }
    if (def >= 0 && usable_entry(&cfg->entries[def]) && !entry_graphical(&cfg->entries[def])) {
        appendf(why, whylen, "entry \"%s\": the configuration's default", defname);
        return def;
    }
    for (size_t i = 0; i < cfg->count; i++) {
        const boot_entry *e = &cfg->entries[i];
        if (usable_entry(e) && !entry_graphical(e)) {
            appendf(why, whylen, "entry \"%s\": the first entry without a graphical initrd",
                    e->label);
            if (defname)
                appendf(why, whylen, " (the default \"%s\" %s)", defname,
                        usable_entry(&cfg->entries[def]) ? "needs a framebuffer"
                                                         : "is not a Linux kernel");
            return (long)i;
        }
    }
    if (def >= 0 && usable_entry(&cfg->entries[def])) {
        appendf(why, whylen, "entry \"%s\": the configuration's default (graphical: the "
                             "serial console may stay blank)", defname);
        return def;
    }
    for (size_t i = 0; i < cfg->count; i++)
        if (usable_entry(&cfg->entries[i])) {
            appendf(why, whylen, "entry \"%s\": the first Linux entry", cfg->entries[i].label);
            return (long)i;
        }
    vm_error_set(err, "%s: no boot entry loads a Linux kernel", cfg->source);
    return -1;
}

/* ---- the serial-console command line ---- */

static bool graphical_param(const char *t, size_t n)
{
    static const char *const prefixes[] = { "vga=", "video=" };
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t pl = strlen(prefixes[i]);
        if (n >= pl && ieqn(t, pl, prefixes[i]))
            return true;
    }
    return false;
}

/* The next parameter of a command line, a double-quoted part kept whole (the kernel's
 * parse_args quoting). */
static const char *next_param(const char *p, size_t *n)
{
    p = skip_space(p);
    const char *s = p;
    bool q = false;
    while (*p && (q || !is_space(*p))) {
        if (*p == '"')
            q = !q;
        p++;
    }
    *n = (size_t)(p - s);
    return s;
}

static bool has_console(const char *s)
{
    size_t n;
    for (const char *t = next_param(s ? s : "", &n); n; t = next_param(t + n, &n))
        if (n > 8 && !strncmp(t, "console=", 8))
            return true;
    return false;
}

char *bootcfg_cmdline(const char *args, const char *append, bool serial, char *note,
                      size_t notelen)
{
    if (!args)
        args = "";
    if (!append)
        append = "";
    if (notelen)
        note[0] = 0;
    size_t cap = strlen(args) + strlen(append) + 32;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    out[0] = 0;
    size_t o = 0;
    bool add = serial && !has_console(args) && !has_console(append);
    bool added = false;
    char dropped[256] = "";
    size_t n;
    for (const char *t = next_param(args, &n); n; t = next_param(t + n, &n)) {
        if (serial && graphical_param(t, n)) {
            appendf(dropped, sizeof dropped, "%s%.*s", dropped[0] ? " " : "", (int)n, t);
            continue;
        }
        if (add && !added && n == 3 && !strncmp(t, "---", 3)) {
            o += (size_t)snprintf(out + o, cap - o, "%sconsole=ttyS0", o ? " " : "");
            added = true;
        }
        o += (size_t)snprintf(out + o, cap - o, "%s%.*s", o ? " " : "", (int)n, t);
    }
    if (add && !added)
        o += (size_t)snprintf(out + o, cap - o, "%sconsole=ttyS0", o ? " " : "");
    if (*skip_space(append))
        snprintf(out + o, cap - o, "%s%s", o ? " " : "", skip_space(append));
    if (dropped[0])
        appendf(note, notelen, "dropped %s (graphical console only)", dropped);
    if (add)
        appendf(note, notelen, "%sadded console=ttyS0 (no console= given)",
                dropped[0] ? "; " : "");
    return out;
}

/* ---- ISO images ---- */

typedef struct iso_ctx {
    iso9660 *iso;
} iso_ctx;

static int iso_read_cfg(void *opaque, const char *path, char **text, vm_error *err)
{
    iso_ctx *c = opaque;
    iso_file f;
    int rc = iso9660_lookup(c->iso, path, &f, err);
    if (rc <= 0)
        return rc;
    if (f.is_dir)
        return 0;
    file_buf fb;
    if (!iso9660_read_file(c->iso, &f, path, BOOTCFG_MAX_FILE, &fb, err))
        return -1;
    char *t = malloc(fb.size + 1);
    if (!t) {
        file_free(&fb);
        vm_error_set(err, "out of memory");
        return -1;
    }
    memcpy(t, fb.data, fb.size);
    t[fb.size] = 0;
    for (size_t i = 0; i < fb.size; i++)
        if (t[i] == 0)
            t[i] = ' ';   /* a NUL inside a text file must not end it early */
    file_free(&fb);
    *text = t;
    return 1;
}

static int iso_exists(iso9660 *iso, const char *path, vm_error *err)
{
    iso_file f;
    int rc = iso9660_lookup(iso, path, &f, err);
    return rc == 1 && f.is_dir ? 0 : rc;
}

void iso_boot_free(iso_boot *b)
{
    free(b->kernel);
    for (unsigned i = 0; i < b->ninitrd; i++)
        free(b->initrd[i]);
    free(b->args);
    free(b->label);
    memset(b, 0, sizeof *b);
}

static const char *const syslinux_cfgs[] = {
    "/isolinux/isolinux.cfg", "/isolinux/syslinux.cfg", "/syslinux/syslinux.cfg",
    "/boot/isolinux/isolinux.cfg", "/boot/syslinux/syslinux.cfg", "/isolinux.cfg",
    "/syslinux.cfg",
};
static const char *const grub_cfgs[] = {
    "/boot/grub/grub.cfg", "/EFI/BOOT/grub.cfg", "/boot/grub2/grub.cfg",
};
static const char *const well_known[][2] = {
    { "/install.amd/vmlinuz", "/install.amd/initrd.gz" },
    { "/install/vmlinuz", "/install/initrd.gz" },
    { "/casper/vmlinuz", "/casper/initrd" },
    { "/casper/vmlinuz", "/casper/initrd.gz" },
    { "/casper/vmlinuz", "/casper/initrd.lz" },
    { "/live/vmlinuz", "/live/initrd.img" },
    { "/images/pxeboot/vmlinuz", "/images/pxeboot/initrd.img" },
    { "/boot/x86_64/loader/linux", "/boot/x86_64/loader/initrd" },
    { "/boot/vmlinuz-lts", "/boot/initramfs-lts" },
    { "/boot/vmlinuz", "/boot/initrd.img" },
    { "/boot/vmlinuz", "/boot/initrd.gz" },
    { "/isolinux/vmlinuz", "/isolinux/initrd.img" },
};

/* Try one parsed configuration: choose, check the files exist. 1 chosen, 0 unusable
 * (reason in `why`), -1 error. */
static int try_cfg(iso9660 *iso, bootcfg *cfg, const char *want, iso_boot *out,
                   vm_error *err)
{
    char why[BOOTCFG_WHY_LEN];
    long i = bootcfg_choose(cfg, want, why, sizeof why, err);
    if (i < 0)
        return want ? -1 : 0;
    const boot_entry *e = &cfg->entries[i];
    int rc = iso_exists(iso, e->kernel, err);
    if (rc <= 0) {
        if (rc == 0)
            vm_error_set(err, "%s: entry \"%s\" names kernel %s, which is not in the image",
                         cfg->source, e->label, e->kernel);
        return -1;
    }
    for (unsigned k = 0; k < e->ninitrd; k++) {
        rc = iso_exists(iso, e->initrd[k], err);
        if (rc <= 0) {
            if (rc == 0)
                vm_error_set(err, "%s: entry \"%s\" names initrd %s, which is not in the "
                                  "image", cfg->source, e->label, e->initrd[k]);
            return -1;
        }
    }
    out->kernel = dupn(e->kernel, strlen(e->kernel));
    out->args = dupn(e->args, strlen(e->args));
    out->label = dupn(e->label, strlen(e->label));
    for (unsigned k = 0; k < e->ninitrd; k++)
        if ((out->initrd[out->ninitrd] = dupn(e->initrd[k], strlen(e->initrd[k]))) != NULL)
            out->ninitrd++;
    if (!out->kernel || !out->args || !out->label || out->ninitrd != e->ninitrd) {
        vm_error_set(err, "out of memory");
        return -1;
    }
    snprintf(out->why, sizeof out->why, "%s: %s", cfg->source, why);
    return 1;
}

bool bootcfg_iso(iso9660 *iso, const char *want, iso_boot *out, vm_error *err)
{
    memset(out, 0, sizeof *out);
    iso_ctx ctx = { iso };
    char tried[BOOTCFG_WHY_LEN] = "";
    for (int pass = 0; pass < 2; pass++) {
        const char *const *list = pass ? grub_cfgs : syslinux_cfgs;
        size_t n = pass ? sizeof grub_cfgs / sizeof grub_cfgs[0]
                        : sizeof syslinux_cfgs / sizeof syslinux_cfgs[0];
        for (size_t i = 0; i < n; i++) {
            int rc = iso_exists(iso, list[i], err);
            if (rc < 0)
                return false;
            if (rc == 0)
                continue;
            bootcfg cfg = { 0 };
            bool ok = pass ? bootcfg_parse_grub(&cfg, list[i], iso_read_cfg, &ctx, err)
                           : bootcfg_parse_syslinux(&cfg, list[i], iso_read_cfg, &ctx, err);
            int r = ok ? try_cfg(iso, &cfg, want, out, err) : -1;
            bootcfg_free(&cfg);
            if (r < 0) {
                iso_boot_free(out);
                return false;
            }
            if (r == 1)
                return true;
            appendf(tried, sizeof tried, "%s%s has no Linux entry", tried[0] ? "; " : "",
                    list[i]);
            break;   /* one configuration per boot loader */
        }
    }
    if (want) {
        vm_error_set(err, "%s: --boot-entry %s given, but the image has no boot "
                          "configuration (isolinux or GRUB) with entries", iso->path, want);
        return false;
    }
    for (size_t i = 0; i < sizeof well_known / sizeof well_known[0]; i++) {
        int k = iso_exists(iso, well_known[i][0], err);
        int r = k == 1 ? iso_exists(iso, well_known[i][1], err) : k;
        if (k < 0 || r < 0)
            return false;
        if (k == 1 && r == 1) {
            out->kernel = dupn(well_known[i][0], strlen(well_known[i][0]));
            out->initrd[0] = dupn(well_known[i][1], strlen(well_known[i][1]));
            out->ninitrd = out->initrd[0] ? 1 : 0;
            out->args = dupn("", 0);
            if (!out->kernel || !out->ninitrd || !out->args) {
                iso_boot_free(out);
                vm_error_set(err, "out of memory");
                return false;
            }
            snprintf(out->why, sizeof out->why, "%s; kernel %s and initrd %s found at a "
                     "well-known path", tried[0] ? tried : "no isolinux or GRUB "
                     "configuration", out->kernel, out->initrd[0]);
            return true;
        }
    }
    vm_error_set(err, "%s: nothing bootable: %s, and no kernel at a well-known path "
                      "(/install.amd/vmlinuz, /casper/vmlinuz, /live/vmlinuz, /boot/vmlinuz, "
                      "...)", iso->path, tried[0] ? tried : "no isolinux or GRUB configuration");
    return false;
}

bool bootcfg_iso_read(iso9660 *iso, const iso_boot *b, file_buf *kernel, file_buf *initrd,
                      vm_error *err)
{
    memset(kernel, 0, sizeof *kernel);
    memset(initrd, 0, sizeof *initrd);
    iso_file f;
    int rc = iso9660_lookup(iso, b->kernel, &f, err);
    if (rc == 0)
        vm_error_set(err, "%s: kernel %s is not in the image", iso->path, b->kernel);
    if (rc <= 0 || !iso9660_read_file(iso, &f, b->kernel, SIZE_MAX, kernel, err))
        return false;
    if (!b->ninitrd)
        return true;
    iso_file parts[BOOTCFG_MAX_INITRDS];
    uint64_t total = 0;
    for (unsigned i = 0; i < b->ninitrd; i++) {
        rc = iso9660_lookup(iso, b->initrd[i], &parts[i], err);
        if (rc == 0)
            vm_error_set(err, "%s: initrd %s is not in the image", iso->path, b->initrd[i]);
        if (rc <= 0 || parts[i].is_dir) {
            if (rc == 1)
                vm_error_set(err, "%s: initrd %s is a directory", iso->path, b->initrd[i]);
            file_free(kernel);
            return false;
        }
        total += (parts[i].size + 3) & ~3ULL;
    }
    if (total > SIZE_MAX - 1 || !(initrd->data = malloc(total ? (size_t)total : 1))) {
        vm_error_set(err, "%s: out of memory for %llu bytes of initrd", iso->path,
                     (unsigned long long)total);
        file_free(kernel);
        return false;
    }
    initrd->path = b->initrd[0];
    size_t o = 0;
    for (unsigned i = 0; i < b->ninitrd; i++) {
        if (!iso9660_read(iso, &parts[i], 0, initrd->data + o, (size_t)parts[i].size, err)) {
            file_free(kernel);
            file_free(initrd);
            return false;
        }
        o += (size_t)parts[i].size;
        while (o % 4 && i + 1 < b->ninitrd)
            initrd->data[o++] = 0;   /* the next cpio archive starts 4-aligned */
    }
    initrd->size = o;
    return true;
}

bool bootcfg_iso_load_x86(bus *b, iso9660 *iso, const char *want, const char *append,
                          bool serial, const e820_entry *map, size_t nmap,
                          linux_x86_boot *out, char *verbose, size_t vlen, vm_error *err)
{
    if (verbose && vlen)
        verbose[0] = 0;
    iso_boot ib;
    if (!bootcfg_iso(iso, want, &ib, err))
        return false;
    file_buf kernel, initrd;
    if (!bootcfg_iso_read(iso, &ib, &kernel, &initrd, err)) {
        iso_boot_free(&ib);
        return false;
    }
    char note[256];
    char *cmdline = bootcfg_cmdline(ib.args, append, serial, note, sizeof note);
    bool ok = cmdline != NULL;
    if (!ok)
        vm_error_set(err, "%s: out of memory", iso->path);
    if (ok) {
        ok = linux_x86_load(b, &kernel, ib.ninitrd ? &initrd : NULL, cmdline, map, nmap, out,
                            err);
    }
    if (ok && verbose) {
        appendf(verbose, vlen, "%s: %s\n", iso->path, ib.why);
        appendf(verbose, vlen, "kernel %s (%zu bytes, boot protocol %u.%02u) at 0x%llx", ib.kernel,
                kernel.size, out->version >> 8, out->version & 0xff,
                (unsigned long long)out->kernel_low);
        for (unsigned i = 0; i < ib.ninitrd; i++)
            appendf(verbose, vlen, "%s%s", i ? "+" : "; initrd ", ib.initrd[i]);
        if (ib.ninitrd)
            appendf(verbose, vlen, " (%zu bytes) at 0x%llx", initrd.size,
                    (unsigned long long)out->initrd_low);
        appendf(verbose, vlen, "\ncommand line: %s\n", cmdline);
        if (note[0])
            appendf(verbose, vlen, "console: %s\n", note);
    }
    free(cmdline);
    file_free(&kernel);
    file_free(&initrd);
    iso_boot_free(&ib);
    return ok;
}
