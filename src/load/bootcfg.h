/* Boot configurations of installer images: isolinux/syslinux `.cfg` files (syslinux
 * doc/syslinux.txt, "CONFIGURATION FILE" and doc/menu.txt) and GRUB's grub.cfg (the GRUB
 * manual, "Shell-like scripting": menuentry, submenu, set default). They are parsed into
 * a flat list of entries; a chooser picks the entry to boot on a serial console; a policy
 * helper adapts the entry's parameters to that console. bootcfg_iso ties it to an
 * ISO9660 image: find the configuration, choose, or fall back to well-known paths. */
#ifndef VM_LOAD_BOOTCFG_H
#define VM_LOAD_BOOTCFG_H

#include "load/iso9660.h"
#include "load/linux_x86.h"

#define BOOTCFG_MAX_INITRDS 8u
#define BOOTCFG_MAX_INCLUDE_DEPTH 16u
#define BOOTCFG_MAX_FILE (1 * MiB)      /* configuration files are small */
#define BOOTCFG_WHY_LEN 512u

typedef struct boot_entry {
    char *label;            /* syslinux LABEL; GRUB title ("Sub>Title" inside a submenu) */
    char *menu_label;       /* syslinux MENU LABEL without '^' hotkey marks, or NULL */
    char *kernel;           /* absolute path in the image; NULL for a menu-only entry */
    char *initrd[BOOTCFG_MAX_INITRDS];
    unsigned ninitrd;
    char *args;             /* kernel parameters, "initrd=" removed; never NULL */
    bool is_linux;          /* a Linux kernel (not a COM32 module, chain loader, ...) */
    bool menu_default;      /* MENU DEFAULT, or GRUB's `set default` names it */
} boot_entry;

typedef struct bootcfg {
    boot_entry *entries;
    size_t count, cap;
    char *default_label;    /* syslinux DEFAULT (may name a module such as vesamenu.c32) */
    char source[256];       /* the top configuration file parsed */
} bootcfg;

/* Read a configuration file of the image: 1 with a malloc'd NUL-terminated text,
 * 0 when it does not exist, -1 on an error (err set). */
typedef int (*bootcfg_read_fn)(void *opaque, const char *path, char **text, vm_error *err);

/* Parse a syslinux/isolinux configuration and its INCLUDEs (relative paths are tried in
 * the including file's directory, the top file's directory, then the root; at most
 * BOOTCFG_MAX_INCLUDE_DEPTH deep; a missing include is skipped, as syslinux does).
 * Relative kernel and initrd paths are made absolute from the top file's directory
 * (isolinux's working directory). Entries are appended to `cfg`. */
bool bootcfg_parse_syslinux(bootcfg *cfg, const char *path, bootcfg_read_fn read,
                            void *opaque, vm_error *err);
/* Parse a grub.cfg: menuentry blocks (linux/linuxefi/linux16, initrd/initrdefi/initrd16
 * lines), submenus (their entries labelled "Submenu>Title"), `set default=N|"title"`.
 * Conditionals are not evaluated: every menuentry found counts. */
bool bootcfg_parse_grub(bootcfg *cfg, const char *path, bootcfg_read_fn read, void *opaque,
                        vm_error *err);
void bootcfg_free(bootcfg *cfg);

/* Is this initrd the graphical installer's (a "gtk" path component, as in Debian's
 * /install.amd/gtk/initrd.gz), which needs a framebuffer? */
bool bootcfg_initrd_is_graphical(const char *path);

/* Choose the entry to boot. With `want` (--boot-entry), the entry whose label, menu label
 * or GRUB title equals it (ASCII case-insensitively); no such entry is an error listing
 * the labels. Otherwise, for a serial console, in order: an entry labelled "install"
 * whose initrds are not graphical (Debian's text-mode installer); the configuration's
 * default if it is a Linux entry with no graphical initrd; the first such entry; the
 * default; the first Linux entry. `why` explains the choice (for --verbose). Returns the
 * index, or -1 with err set when there is no Linux entry at all. */
long bootcfg_choose(const bootcfg *cfg, const char *want, char *why, size_t whylen,
                    vm_error *err);

/* The kernel command line for a serial console: `args` with graphical-console-only
 * parameters (vga=, video=) dropped, then console=ttyS0 when `serial` and neither args
 * nor `append` name a console= (inserted before a "---" separator, which Debian's
 * installer uses to split its own parameters from the installed system's), then
 * `append` (--append, kept verbatim). `note` says what was dropped or added (empty when
 * nothing was). Returns a malloc'd string, or NULL when out of memory. */
char *bootcfg_cmdline(const char *args, const char *append, bool serial, char *note,
                      size_t notelen);

/* What to boot from an ISO image. */
typedef struct iso_boot {
    char *kernel;                       /* absolute paths in the image */
    char *initrd[BOOTCFG_MAX_INITRDS];
    unsigned ninitrd;
    char *args;                         /* from the configuration, unmodified */
    char *label;                        /* NULL when a well-known path was used */
    char why[BOOTCFG_WHY_LEN * 2];      /* the configuration used and the choice */
} iso_boot;

/* Find the boot configuration in an ISO (isolinux/syslinux first, then GRUB), choose an
 * entry (see bootcfg_choose), check that its kernel and initrds exist; without a usable
 * configuration, fall back to well-known kernel/initrd pairs (/install.amd/vmlinuz with
 * /install.amd/initrd.gz, /casper, /live, /boot, ...). `want` non-NULL with no such entry
 * is an error. An image with nothing bootable is a one-line error naming what is missing. */
bool bootcfg_iso(iso9660 *iso, const char *want, iso_boot *out, vm_error *err);
void iso_boot_free(iso_boot *b);

/* Read the chosen kernel, and the initrds concatenated (each padded to 4 bytes, as the
 * kernel's initramfs unpacker accepts). `kernel`/`initrd` are freed with file_free;
 * their path names point into `b`. */
bool bootcfg_iso_read(iso9660 *iso, const iso_boot *b, file_buf *kernel, file_buf *initrd,
                      vm_error *err);

/* The whole x86 path for an installer ISO, for the PC board: choose (bootcfg_iso), read
 * the kernel and initrds, build the command line (bootcfg_cmdline with `serial` and
 * `append`), and load with linux_x86_load into `map`. `verbose` (may be NULL) receives
 * what was chosen and why, the files and sizes, the command line and what the console
 * policy changed, for --verbose. Errors are one line naming the image. */
bool bootcfg_iso_load_x86(bus *b, iso9660 *iso, const char *want, const char *append,
                          bool serial, const e820_entry *map, size_t nmap,
                          linux_x86_boot *out, char *verbose, size_t vlen, vm_error *err);

#endif
