/* Boot configurations (src/load/bootcfg.h): Debian-style isolinux menus with nested
 * includes, GRUB menus with submenus and defaults, the serial-console chooser and the
 * command-line policy, on an in-memory file set; then, when xorriso is installed (Debian
 * package `xorriso`, in scripts/setup-deps.sh), real ISO images with a Debian installer
 * layout read through iso9660 + bootcfg_iso end to end (skipped otherwise). */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "load/bootcfg.h"

typedef struct memfile {
    const char *path, *text;
} memfile;

typedef struct memfs {
    const memfile *files;
    size_t n;
    unsigned reads;
} memfs;

static int mem_read(void *opaque, const char *path, char **text, vm_error *err)
{
    memfs *fs = opaque;
    (void)err;
    fs->reads++;
    for (size_t i = 0; i < fs->n; i++)
        if (!strcmp(fs->files[i].path, path)) {
            *text = strdup(fs->files[i].text);
            return *text ? 1 : -1;
        }
    return 0;
}

/* debian-cd's isolinux menu, abridged: the graphical installer is the default. */
static const memfile debian_files[] = {
    { "/isolinux/isolinux.cfg", "# D-I config version 2.0\n"
                                "path \n"
                                "include menu.cfg\n"
                                "default vesamenu.c32\n"
                                "prompt 0\n"
                                "timeout 0\n" },
    { "/isolinux/menu.cfg", "menu hshift 4\n"
                            "menu width 70\n"
                            "\n"
                            "menu title Debian GNU/Linux installer menu (BIOS mode)\n"
                            "include stdmenu.cfg\n"
                            "include gtk.cfg\n"
                            "include txt.cfg\n"
                            "menu begin advanced\n"
                            "    menu label ^Advanced options\n"
                            "\tmenu title Advanced options\n"
                            "\tinclude stdmenu.cfg\n"
                            "\tlabel mainmenu\n"
                            "\t\tmenu label ^Back..\n"
                            "\t\tmenu exit\n"
                            "\tinclude adtxt.cfg\n"
                            "\tinclude missing.cfg\n"
                            "menu end\n"
                            "label hdt\n"
                            "\tmenu label ^Hardware Detection Tool (HDT)\n"
                            "\tcom32 hdt.c32\n" },
    { "/isolinux/stdmenu.cfg", "menu background splash.png\n"
                               "menu color title\t* #FFFFFFFF *\n" },
    { "/isolinux/gtk.cfg", "default installgui\r\n"
                           "label installgui\r\n"
                           "\tmenu label ^Graphical install\r\n"
                           "\tmenu default\r\n"
                           "\tkernel /install.amd/vmlinuz\r\n"
                           "\tappend vga=788 initrd=/install.amd/gtk/initrd.gz --- quiet \r\n" },
    { "/isolinux/txt.cfg", "label install\n"
                           "\tmenu label ^Install\n"
                           "\ttext help\n"
                           "   Boot the installer in text mode. The kernel\n"
                           "   kernel /not/this\n"
                           "\tendtext\n"
                           "\tkernel /install.amd/vmlinuz\n"
                           "\tappend vga=788 initrd=/install.amd/initrd.gz --- quiet \n" },
    { "/isolinux/adtxt.cfg", "label expert\n"
                             "\tmenu label E^xpert install\n"
                             "\tkernel /install.amd/vmlinuz\n"
                             "\tappend priority=low vga=788 initrd=/install.amd/initrd.gz ---\n"
                             "label rescue\n"
                             "\tmenu label ^Rescue mode\n"
                             "\tkernel /install.amd/vmlinuz\n"
                             "\tappend vga=788 initrd=/install.amd/initrd.gz rescue/enable=true "
                             "--- quiet\n" },
};

static const boot_entry *find(const bootcfg *c, const char *label)
{
    for (size_t i = 0; i < c->count; i++)
        if (!strcmp(c->entries[i].label, label))
            return &c->entries[i];
    return NULL;
}

static void test_syslinux_debian(void)
{
    memfs fs = { debian_files, sizeof debian_files / sizeof debian_files[0], 0 };
    bootcfg c = { 0 };
    vm_error err = { { 0 } };
    if (!CHECK(bootcfg_parse_syslinux(&c, "/isolinux/isolinux.cfg", mem_read, &fs, &err),
               "Debian isolinux menu parses")) {
        printf("#   %s\n", err.msg);
        return;
    }
    CHECK_EQ(c.count, 6, "six labels (installgui install mainmenu expert rescue hdt)");
    CHECK(c.default_label && !strcmp(c.default_label, "vesamenu.c32"),
          "the last DEFAULT wins (a module)");
    const boot_entry *g = find(&c, "installgui");
    if (CHECK(g != NULL, "installgui entry")) {
        CHECK(g->menu_default, "MENU DEFAULT");
        CHECK(g->menu_label && !strcmp(g->menu_label, "Graphical install"), "menu label, ^ gone");
        CHECK(g->kernel && !strcmp(g->kernel, "/install.amd/vmlinuz"), "kernel");
        CHECK(g->ninitrd == 1 && !strcmp(g->initrd[0], "/install.amd/gtk/initrd.gz"),
              "initrd= taken from APPEND");
        CHECK(!strcmp(g->args, "vga=788 --- quiet"), "args without initrd=, CR and blanks");
        CHECK(g->is_linux, "a Linux entry");
    }
    const boot_entry *t = find(&c, "install");
    CHECK(t && t->is_linux && !strcmp(t->kernel, "/install.amd/vmlinuz"),
          "TEXT HELP lines are not keywords");
    const boot_entry *e = find(&c, "expert");
    CHECK(e && !strcmp(e->args, "priority=low vga=788 ---"), "entry from a submenu include");
    const boot_entry *h = find(&c, "hdt");
    CHECK(h && !h->is_linux, "COM32 entry is not Linux");
    const boot_entry *m = find(&c, "mainmenu");
    CHECK(m && !m->kernel, "menu-only entry has no kernel");

    char why[BOOTCFG_WHY_LEN];
    long i = bootcfg_choose(&c, NULL, why, sizeof why, &err);
    CHECK(i >= 0 && !strcmp(c.entries[i].label, "install"), "serial console chooses install");
    CHECK_STR(why, "text-mode installer", "why: text mode");
    CHECK_STR(why, "installgui", "why names the graphical default");
    CHECK_STR(why, "framebuffer", "why: the default needs a framebuffer");
    i = bootcfg_choose(&c, "RESCUE", why, sizeof why, &err);
    CHECK(i >= 0 && !strcmp(c.entries[i].label, "rescue"), "--boot-entry, case-insensitive");
    CHECK_STR(why, "--boot-entry", "why: --boot-entry");
    i = bootcfg_choose(&c, "Graphical install", why, sizeof why, &err);
    CHECK(i >= 0 && !strcmp(c.entries[i].label, "installgui"), "--boot-entry by menu label");
    i = bootcfg_choose(&c, "nope", why, sizeof why, &err);
    CHECK(i == -1 && strstr(err.msg, "no boot entry \"nope\"") &&
              strstr(err.msg, "installgui, install") && !strstr(err.msg, "hdt"),
          "unknown entry: error lists the Linux entries");
    i = bootcfg_choose(&c, "hdt", why, sizeof why, &err);
    CHECK(i == -1 && strstr(err.msg, "does not boot a Linux kernel"), "COM32 entry refused");
    bootcfg_free(&c);
}

static const memfile misc_files[] = {
    { "/boot/isolinux/isolinux.cfg", "DEFAULT lts\n"
                                     "INCLUDE sub/a.cfg\n"
                                     "LABEL lts\n"
                                     "  KERNEL vmlinuz-lts\n"
                                     "  INITRD intel-ucode.img,initramfs-lts\n"
                                     "  APPEND modules=loop,squashfs quiet\n"
                                     "LABEL none\n"
                                     "  LINUX /boot/vmlinuz\n"
                                     "  APPEND -\n" },
    { "/boot/isolinux/sub/a.cfg", "include b.cfg\n" },
    { "/boot/isolinux/sub/b.cfg", "label fromsub\n"
                                  "linux k\n" },
    { "/loop/x.cfg", "include /loop/x.cfg\n" },
};

static void test_syslinux_misc(void)
{
    memfs fs = { misc_files, sizeof misc_files / sizeof misc_files[0], 0 };
    bootcfg c = { 0 };
    vm_error err = { { 0 } };
    CHECK(bootcfg_parse_syslinux(&c, "/boot/isolinux/isolinux.cfg", mem_read, &fs, &err),
          "upper-case keywords parse");
    const boot_entry *l = find(&c, "lts");
    CHECK(l && !strcmp(l->kernel, "/boot/isolinux/vmlinuz-lts"),
          "relative kernel from the config directory");
    CHECK(l && l->ninitrd == 2 && !strcmp(l->initrd[1], "/boot/isolinux/initramfs-lts"),
          "INITRD comma list");
    CHECK(l && !strcmp(l->args, "modules=loop,squashfs quiet"), "APPEND kept");
    const boot_entry *n = find(&c, "none");
    CHECK(n && !strcmp(n->args, ""), "APPEND - means none");
    CHECK(find(&c, "fromsub") != NULL, "include relative to the including file's directory");
    char why[BOOTCFG_WHY_LEN];
    long i = bootcfg_choose(&c, NULL, why, sizeof why, &err);
    CHECK(i >= 0 && !strcmp(c.entries[i].label, "lts"), "no install entry: the DEFAULT");
    CHECK_STR(why, "default", "why: default");
    bootcfg_free(&c);

    bootcfg d = { 0 };
    CHECK(!bootcfg_parse_syslinux(&d, "/loop/x.cfg", mem_read, &fs, &err) &&
              strstr(err.msg, "include loop"),
          "include loop bounded");
    bootcfg_free(&d);
    bootcfg e = { 0 };
    CHECK(!bootcfg_parse_syslinux(&e, "/absent.cfg", mem_read, &fs, &err) &&
              strstr(err.msg, "/absent.cfg"),
          "missing top file is an error");
    bootcfg_free(&e);
}

static const memfile grub_files[] = {
    { "/boot/grub/grub.cfg",
      "if [ x$feature_default_font_path = xy ] ; then\n"
      "   font=unicode\n"
      "else\n"
      "   font=$prefix/font.pf2\n"
      "fi\n"
      "source /boot/grub/config.cfg\n"
      "source $prefix/missing.cfg\n"
      "source $unknown/x.cfg\n"
      "set default=\"Advanced options ...>Expert install\"\n"
      "menuentry --hotkey=g 'Graphical install' {\n"
      "    set background_color=black\n"
      "    linux    /install.amd/vmlinuz vga=788 --- quiet\n"
      "    initrd   /install.amd/gtk/initrd.gz\n"
      "}\n"
      "menuentry --hotkey=i \"Install\" --class debian {\n"
      "    linux    (cd0)/install.amd/vmlinuz vga=788 \"x=a b\" --- quiet\n"
      "    initrd   /install.amd/initrd.gz\n"
      "}\n"
      "submenu --hotkey=a 'Advanced options ...' {\n"
      "    set menu_color_normal=cyan/blue\n"
      "    menuentry 'Expert install'\n"
      "    {\n"
      "        linux    /install.amd/vmlinuz priority=low ---\n"
      "        initrd   /install.amd/initrd.gz /extra.cpio\n"
      "    }\n"
      "}\n"
      "menuentry 'After' {\n"
      "    linux /k\n"
      "}\n"
      "configfile ${prefix}/more.cfg\n" },
    { "/boot/grub/config.cfg", "set menu_color_normal=white/black\n"
                               "set default=7\n" },
    { "/boot/grub/more.cfg", "menuentry 'Sourced' { \n"
                             "  linux /s\n"
                             "}\n" },
    { "/loop.cfg", "source /loop.cfg\n" },
    { "/g2.cfg", "set default=0\n"
                 "menuentry 'Try or Install Ubuntu' {\n"
                 "\tlinux\t/casper/vmlinuz  --- quiet splash\n"
                 "\tinitrd\t/casper/initrd\n"
                 "}\n" },
};

static void test_grub(void)
{
    memfs fs = { grub_files, sizeof grub_files / sizeof grub_files[0], 0 };
    bootcfg c = { 0 };
    vm_error err = { { 0 } };
    if (!CHECK(bootcfg_parse_grub(&c, "/boot/grub/grub.cfg", mem_read, &fs, &err),
               "Debian grub.cfg parses")) {
        printf("#   %s\n", err.msg);
        return;
    }
    CHECK_EQ(c.count, 5, "five menu entries (one from configfile ${prefix}/...)");
    CHECK(find(&c, "Sourced") != NULL, "entry from a sourced file");
    const boot_entry *ins = find(&c, "Install");
    if (CHECK(ins != NULL, "double-quoted title with options around it")) {
        CHECK(!strcmp(ins->kernel, "/install.amd/vmlinuz"), "device prefix dropped");
        CHECK(!strcmp(ins->args, "vga=788 x=a b --- quiet"), "linux arguments, quotes removed");
        CHECK(ins->ninitrd == 1 && !strcmp(ins->initrd[0], "/install.amd/initrd.gz"), "initrd");
    }
    const boot_entry *ex = find(&c, "Advanced options ...>Expert install");
    CHECK(ex && ex->ninitrd == 2 && !strcmp(ex->initrd[1], "/extra.cpio"),
          "submenu entry with '{' on its own line, two initrds");
    CHECK(ex && ex->menu_default, "set default=\"Sub>Title\"");
    CHECK(find(&c, "After") != NULL, "entry after a submenu is top-level");
    char why[BOOTCFG_WHY_LEN];
    long i = bootcfg_choose(&c, NULL, why, sizeof why, &err);
    CHECK(i >= 0 && !strcmp(c.entries[i].label, "Install"), "serial console: Install");
    i = bootcfg_choose(&c, "graphical install", why, sizeof why, &err);
    CHECK(i == 0, "--boot-entry by GRUB title");
    bootcfg_free(&c);

    bootcfg l = { 0 };
    CHECK(!bootcfg_parse_grub(&l, "/loop.cfg", mem_read, &fs, &err) &&
              strstr(err.msg, "source loop"),
          "source loop bounded");
    bootcfg_free(&l);

    bootcfg u = { 0 };
    CHECK(bootcfg_parse_grub(&u, "/g2.cfg", mem_read, &fs, &err), "Ubuntu-style grub.cfg");
    i = bootcfg_choose(&u, NULL, why, sizeof why, &err);
    CHECK(i == 0 && u.entries[0].menu_default, "numeric default");
    CHECK(!strcmp(u.entries[0].args, "--- quiet splash"), "args");
    bootcfg_free(&u);
}

static void test_cmdline(void)
{
    char note[256];
    char *s = bootcfg_cmdline("vga=788 --- quiet", NULL, true, note, sizeof note);
    CHECK(s && !strcmp(s, "console=ttyS0 --- quiet"), "vga= dropped, console before ---");
    CHECK_STR(note, "dropped vga=788", "note: dropped");
    CHECK_STR(note, "added console=ttyS0", "note: added");
    free(s);
    s = bootcfg_cmdline("quiet video=1024x768 foo=\"a b\"", "auto=true", true, note,
                        sizeof note);
    CHECK(s && !strcmp(s, "quiet foo=\"a b\" console=ttyS0 auto=true"),
          "quoted parameter kept, console at the end, --append last");
    free(s);
    s = bootcfg_cmdline("console=tty0 vga=788", NULL, true, note, sizeof note);
    CHECK(s && !strcmp(s, "console=tty0"), "console= given: nothing added");
    CHECK(!strstr(note, "added"), "note does not claim an addition");
    free(s);
    s = bootcfg_cmdline("--- quiet", "console=ttyS1,115200", true, note, sizeof note);
    CHECK(s && !strcmp(s, "--- quiet console=ttyS1,115200"), "console= in --append counts");
    free(s);
    s = bootcfg_cmdline("vga=788 quiet", NULL, false, note, sizeof note);
    CHECK(s && !strcmp(s, "vga=788 quiet") && note[0] == 0, "not serial: unchanged");
    free(s);
    s = bootcfg_cmdline("", "", true, note, sizeof note);
    CHECK(s && !strcmp(s, "console=ttyS0"), "empty args");
    free(s);
    CHECK(bootcfg_initrd_is_graphical("/install.amd/gtk/initrd.gz"), "gtk initrd graphical");
    CHECK(!bootcfg_initrd_is_graphical("/install.amd/initrd.gz"), "text initrd");
    CHECK(!bootcfg_initrd_is_graphical("/gtkfoo/initrd.gz"), "gtk must be a whole component");
}

/* Random configurations built from the keywords both parsers know: they always answer. */
static void test_random_configs(void)
{
    static const char *const words[] = {
        "label ", "kernel ", "linux ", "append ", "initrd=", "INITRD ", "menu ", "default ",
        "include ", "x.cfg", "/x.cfg", "---", "vga=788", "menuentry ", "submenu ", "{", "}",
        "'", "\"", "\\", "set ", "default=", "a,b,,c", "#", "\n", "\n", "\n", " ", "\t",
        "^", "(hd0)", "/k", "gtk/", "label install\n kernel /k\n",
    };
    static char text[2048];
    memfile files[2] = { { "/x.cfg", text }, { "/g.cfg", text } };
    memfs fs = { files, 2, 0 };
    uint32_t seed = 4242;
    unsigned answered = 0;
    for (int iter = 0; iter < 2000; iter++) {
        size_t o = 0;
        text[0] = 0;
        for (int k = 0; k < 60; k++) {
            seed = seed * 1103515245u + 12345u;
            const char *w = words[(seed >> 8) % (sizeof words / sizeof words[0])];
            size_t n = strlen(w);
            if (o + n + 1 >= sizeof text)
                break;
            memcpy(text + o, w, n + 1);
            o += n;
        }
        bootcfg c = { 0 };
        vm_error err = { { 0 } };
        char why[BOOTCFG_WHY_LEN];
        bool a = bootcfg_parse_syslinux(&c, "/x.cfg", mem_read, &fs, &err);
        (void)bootcfg_choose(&c, NULL, why, sizeof why, &err);
        (void)bootcfg_choose(&c, "install", why, sizeof why, &err);
        bootcfg_free(&c);
        bool g = bootcfg_parse_grub(&c, "/g.cfg", mem_read, &fs, &err);
        (void)bootcfg_choose(&c, NULL, why, sizeof why, &err);
        bootcfg_free(&c);
        char note[128];
        free(bootcfg_cmdline(text, text, true, note, sizeof note));
        answered += (a || err.msg[0]) && (g || err.msg[0]);
    }
    CHECK_EQ(answered, 2000, "random configurations always answered");
}

/* ---- real images from xorriso ---- */

static bool write_file(const char *path, const char *text, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = true;
    if (text)
        ok = fputs(text, f) >= 0;
    else
        for (size_t i = 0; ok && i < size; i++)
            ok = fputc((int)(uint8_t)(i * 7 + 1), f) != EOF;
    return fclose(f) == 0 && ok;
}

static bool pattern_ok(const file_buf *b, size_t size, size_t from)
{
    if (b->size < from + size)
        return false;
    for (size_t i = 0; i < size; i++)
        if (b->data[from + i] != (uint8_t)(i * 7 + 1))
            return false;
    return true;
}

static int sh(const char *cmd)
{
    return system(cmd);
}

/* A protocol 2.15 bzImage (boot.rst offsets): 4 setup sectors, 12 KiB protected-mode
 * kernel. */
static bool write_bzimage(const char *path)
{
    static uint8_t k[5 * 512 + 0x3000];
    memset(k, 0, sizeof k);
    k[0x1f1] = 4;
    k[0x1fe] = 0x55;
    k[0x1ff] = 0xAA;
    k[0x201] = 0x6a;
    memcpy(k + 0x202, "HdrS", 4);
    k[0x206] = 0x0f;
    k[0x207] = 0x02;
    k[0x211] = 0x01;                       /* LOADED_HIGH */
    memcpy(k + 0x22c, "\xff\xff\xff\x7f", 4); /* initrd_addr_max */
    k[0x232] = 0x20;                       /* kernel_alignment 2 MiB */
    k[0x234] = 1;
    k[0x236] = 0x03;                       /* XLF_KERNEL_64 | CAN_BE_LOADED_ABOVE_4G */
    k[0x239] = 0x08;                       /* cmdline_size 2048 */
    k[0x25a] = 0x00;
    k[0x25b] = 0x01;                       /* pref_address 16 MiB */
    k[0x262] = 0x80;                       /* init_size 8 MiB */
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = fwrite(k, 1, sizeof k, f) == sizeof k;
    return fclose(f) == 0 && ok;
}

/* bootcfg_iso_load_x86 on a Debian-layout image: the board's whole ISO path. */
static void test_xorriso_load(const char *dir)
{
    char cmd[1024], p[512];
    snprintf(cmd, sizeof cmd, "cd %s && rm -rf t2 && mkdir -p t2/isolinux t2/install.amd/gtk",
             dir);
    if (!CHECK(sh(cmd) == 0, "second tree"))
        return;
    for (size_t i = 0; i < sizeof debian_files / sizeof debian_files[0]; i++) {
        snprintf(p, sizeof p, "%s/t2%s", dir, debian_files[i].path);
        write_file(p, debian_files[i].text, 0);
    }
    snprintf(p, sizeof p, "%s/t2/install.amd/vmlinuz", dir);
    write_bzimage(p);
    snprintf(p, sizeof p, "%s/t2/install.amd/initrd.gz", dir);
    write_file(p, NULL, 30003);
    snprintf(p, sizeof p, "%s/t2/install.amd/gtk/initrd.gz", dir);
    write_file(p, NULL, 40004);
    snprintf(cmd, sizeof cmd, "cd %s && xorriso -as mkisofs -R -J -o t2.iso t2 >/dev/null 2>&1",
             dir);
    if (!CHECK(sh(cmd) == 0, "xorriso builds the bootable image"))
        return;
    snprintf(p, sizeof p, "%s/t2.iso", dir);
    iso9660 iso;
    vm_error err = { { 0 } };
    if (!CHECK(iso9660_open_file(&iso, p, &err), "bootable image opens"))
        return;
    bus b;
    bus_init(&b);
    bus_add_ram(&b, 0, 256 * MiB, "ram", &err);
    e820_entry map[] = { { 0, 0x9fc00, E820_RAM }, { 0x100000, 255 * MiB, E820_RAM } };
    linux_x86_boot bt;
    char verbose[1024];
    bool ok = bootcfg_iso_load_x86(&b, &iso, NULL, "auto=true", true, map, 2, &bt, verbose,
                                   sizeof verbose, &err);
    if (!CHECK(ok, "bootcfg_iso_load_x86 loads the text-mode installer"))
        printf("#   %s\n", err.msg);
    CHECK_EQ(bt.entry, 16 * MiB + 0x200, "64-bit entry");
    char line[128] = { 0 };
    bus_copy_from_ram(&b, bt.cmdline, line, sizeof line - 1);
    CHECK(!strcmp(line, "console=ttyS0 --- quiet auto=true"), "command line in guest RAM");
    uint8_t first = 0;
    bus_copy_from_ram(&b, bt.initrd_low + 10, &first, 1);
    CHECK(bt.initrd_high - bt.initrd_low == 30003 && first == (uint8_t)(10 * 7 + 1),
          "text-mode initrd in guest RAM");
    for (char *v = verbose, *nl; ok && *v; v = nl + 1) {   /* shown as TAP comments */
        nl = strchr(v, '\n');
        printf("#   verbose: %.*s\n", (int)(nl ? nl - v : (long)strlen(v)), v);
        if (!nl)
            break;
    }
    CHECK_STR(verbose, "text-mode installer", "verbose: the choice");
    CHECK_STR(verbose, "dropped vga=788", "verbose: the console policy");
    CHECK_STR(verbose, "boot protocol 2.15", "verbose: the kernel");
    ok = bootcfg_iso_load_x86(&b, &iso, "installgui", NULL, true, map, 2, &bt, verbose,
                              sizeof verbose, &err);
    CHECK(ok && bt.initrd_high - bt.initrd_low == 40004, "--boot-entry installgui loads");
    bus_destroy(&b);
    iso9660_close(&iso);
}

static void test_xorriso(void)
{
    if (access("/usr/bin/xorriso", X_OK) != 0) {
        printf("# SKIP xorriso tests: xorriso not installed (scripts/setup-deps.sh test)\n");
        return;
    }
    char dir[] = "/tmp/vm-bootcfg-XXXXXX";
    if (!CHECK(mkdtemp(dir) != NULL, "temp dir"))
        return;
    char cmd[1024], p[512];
    snprintf(cmd, sizeof cmd,
             "cd %s && mkdir -p tree/isolinux tree/install.amd/gtk "
             "tree/a/b/c/d/e/f/g/h/i/j/k && ln -s install.amd/vmlinuz tree/kernel-link",
             dir);
    CHECK(sh(cmd) == 0, "tree made");
    for (size_t i = 0; i < sizeof debian_files / sizeof debian_files[0]; i++) {
        snprintf(p, sizeof p, "%s/tree%s", dir, debian_files[i].path);
        write_file(p, debian_files[i].text, 0);
    }
    snprintf(p, sizeof p, "%s/tree/install.amd/vmlinuz", dir);
    write_file(p, NULL, 70001);
    snprintf(p, sizeof p, "%s/tree/install.amd/initrd.gz", dir);
    write_file(p, NULL, 30003);
    snprintf(p, sizeof p, "%s/tree/install.amd/gtk/initrd.gz", dir);
    write_file(p, NULL, 40004);
    snprintf(p, sizeof p, "%s/tree/a/b/c/d/e/f/g/h/i/j/k/"
                          "a-rather-long-file-name-that-level-1-could-never-hold.txt", dir);
    write_file(p, NULL, 5);

    const char *variants[] = { "-R -J", "-J --norock", "--norock" };
    const int names[] = { ISO_NAMES_ROCK_RIDGE, ISO_NAMES_JOLIET, ISO_NAMES_PLAIN };
    for (int v = 0; v < 3; v++) {
        snprintf(cmd, sizeof cmd,
                 "cd %s && rm -f t.iso && xorriso -as mkisofs %s %s -V DEBIAN -o t.iso tree "
                 ">/dev/null 2>&1", dir, variants[v], v == 2 ? "-iso-level 3" : "");
        if (!CHECK(sh(cmd) == 0, "xorriso builds the image"))
            continue;
        snprintf(p, sizeof p, "%s/t.iso", dir);
        iso9660 iso;
        vm_error err = { { 0 } };
        if (!CHECK(iso9660_open_file(&iso, p, &err), "xorriso image opens")) {
            printf("#   %s\n", err.msg);
            continue;
        }
        CHECK_EQ(iso.names, names[v], "naming detected");
        CHECK(!strcmp(iso.volume_id, "DEBIAN"), "volume id");
        iso_boot b;
        bool ok = bootcfg_iso(&iso, NULL, &b, &err);
        if (CHECK(ok, "bootcfg_iso finds the installer")) {
            CHECK(!strcmp(b.label, "install"), "text-mode install chosen");
            CHECK_STR(b.why, "/isolinux/isolinux.cfg", "why names the configuration");
            file_buf k, r;
            if (CHECK(bootcfg_iso_read(&iso, &b, &k, &r, &err), "kernel and initrd read")) {
                CHECK(pattern_ok(&k, 70001, 0) && k.size == 70001, "kernel contents");
                CHECK(pattern_ok(&r, 30003, 0) && r.size == 30003, "initrd contents");
                file_free(&k);
                file_free(&r);
            }
            iso_boot_free(&b);
        } else {
            printf("#   %s\n", err.msg);
        }
        CHECK(bootcfg_iso(&iso, "installgui", &b, &err) && b.ninitrd == 1 &&
                  !strcmp(b.initrd[0], "/install.amd/gtk/initrd.gz"),
              "--boot-entry installgui");
        iso_boot_free(&b);
        CHECK(!bootcfg_iso(&iso, "bogus", &b, &err) && strstr(err.msg, "bogus"),
              "unknown --boot-entry");
        if (v < 2) {
            iso_file f;
            CHECK(iso9660_lookup(&iso, "/a/b/c/d/e/f/g/h/i/j/k/a-rather-long-file-name-that-"
                                       "level-1-could-never-hold.txt", &f, &err) == 1 &&
                      f.size == 5,
                  "deep directory and long name");
        }
        if (v == 0) {
            iso_file f;
            CHECK(iso9660_lookup(&iso, "/kernel-link", &f, &err) == 1 && f.size == 70001,
                  "Rock Ridge symbolic link from xorriso");
        }
        iso9660_close(&iso);
    }

    /* No configuration: the well-known paths; then nothing bootable at all. */
    snprintf(cmd, sizeof cmd,
             "cd %s && rm -rf tree/isolinux tree/install.amd/gtk && rm -f t.iso && "
             "xorriso -as mkisofs -R -o t.iso tree >/dev/null 2>&1", dir);
    if (CHECK(sh(cmd) == 0, "image without configuration")) {
        snprintf(p, sizeof p, "%s/t.iso", dir);
        iso9660 iso;
        vm_error err = { { 0 } };
        iso_boot b;
        if (iso9660_open_file(&iso, p, &err)) {
            CHECK(bootcfg_iso(&iso, NULL, &b, &err) && !strcmp(b.kernel, "/install.amd/vmlinuz") &&
                      !strcmp(b.initrd[0], "/install.amd/initrd.gz"),
                  "well-known path fallback");
            CHECK_STR(b.why, "well-known", "why: well-known path");
            iso_boot_free(&b);
            iso9660_close(&iso);
        }
    }
    snprintf(cmd, sizeof cmd,
             "cd %s && rm -rf tree/install.amd && rm -f t.iso && "
             "xorriso -as mkisofs -R -o t.iso tree >/dev/null 2>&1", dir);
    if (CHECK(sh(cmd) == 0, "image with nothing bootable")) {
        iso9660 iso;
        vm_error err = { { 0 } };
        iso_boot b;
        if (iso9660_open_file(&iso, p, &err)) {
            CHECK(!bootcfg_iso(&iso, NULL, &b, &err) && strstr(err.msg, "nothing bootable") &&
                      strstr(err.msg, "t.iso"),
                  "one-line error for an unbootable image");
            CHECK(strchr(err.msg, '\n') == NULL, "one line");
            iso9660_close(&iso);
        }
    }
    test_xorriso_load(dir);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    sh(cmd);
}

int main(void)
{
    test_syslinux_debian();
    test_syslinux_misc();
    test_grub();
    test_cmdline();
    test_random_configs();
    test_xorriso();
    return check_done();
}
