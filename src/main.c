/* vm-cli: argument parsing, the banner, and the exit status. The only place that prints
 * host errors and exits. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/board.h"
#include "core/machine.h"
#include "core/version.h"

#define EXIT_USAGE 2
#define DEFAULT_RAM (1024 * MiB) /* the same for every architecture */

/* The host this binary was built for, for the banner (compile-time: no uname needed). */
#if defined(__linux__)
#define HOST_OS "linux"
#elif defined(__APPLE__)
#define HOST_OS "macos"
#elif defined(__FreeBSD__)
#define HOST_OS "freebsd"
#else
#define HOST_OS "unknown OS"
#endif
#if defined(__x86_64__)
#define HOST_CPU "x86_64"
#elif defined(__aarch64__)
#define HOST_CPU "aarch64"
#elif defined(__riscv) && __riscv_xlen == 64
#define HOST_CPU "riscv64"
#else
#define HOST_CPU "unknown CPU"
#endif

static const char usage_text[] =
    "Usage: vm-cli run --arch ARCH --kernel FILE [options]\n"
    "       vm-cli --help | --version\n"
    "\n"
    "Run a guest operating system with its serial console on this terminal.\n"
    "\n"
    "Options for run:\n"
    "  --arch ARCH        riscv64 (rv64), x86_64 (x8664, amd64), arm64 (aarch64)\n"
    "  --kernel FILE      kernel or bare-metal program: ELF, raw binary, Linux Image,\n"
    "                     x86 bzImage, Multiboot kernel, installer ISO (format\n"
    "                     detected from the contents)\n"
    "  --initrd FILE      initial ramdisk, placed high in RAM\n"
    "  --append CMDLINE   kernel command line\n"
    "  --memory SIZE      guest RAM: 128M, 1G, or a number of MiB (default 1G)\n"
    "  --vcpus N          number of virtual CPUs (default 1; only 1 so far)\n"
    "  --mode interpreter execution mode (only the interpreter exists today)\n"
    "  --bios FILE|none   firmware image; 'none' boots the kernel directly with the\n"
    "                     built-in SBI (riscv64). Default for a Linux Image: OpenSBI\n"
    "                     (fw_dynamic.bin from the guest cache or Debian's opensbi);\n"
    "                     for an ELF or raw program: none (runs in M-mode)\n"
    "  --dtb FILE         use this device tree instead of the generated one\n"
    "  --dump-dtb FILE    write the generated device tree to FILE and continue\n"
    "  --cdrom FILE       x86_64: a read-only CD image on the IDE CD-ROM drive\n"
    "  --boot-entry LABEL x86_64: the boot menu entry of an installer ISO given as\n"
    "                     --kernel (default: the text-mode install entry)\n"
    "  --escape KEY       console escape key: ^A (default), ^], ... or 'none'.\n"
    "                     The Debian installer runs GNU screen, whose prefix is also\n"
    "                     Ctrl-A: use --escape ^] there. Escapes: KEY x quit,\n"
    "                     KEY h help, KEY KEY sends KEY to the guest\n"
    "  --trace LIST       execution traces on stderr: insn, trap (comma separated)\n"
    "  --max-insns N      stop after N guest instructions (exit status 124)\n"
    "  --no-reboot        end the run when the guest resets instead of restarting\n"
    "  --verbose          [INFO] lines for every set-up step\n"
    "\n"
    "The guest's exit status (SiFive test finisher, HTIF) becomes vm-cli's.\n";

static int usage_error(const char *fmt, const char *arg)
{
    fputs("vm-cli: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs(" (see vm-cli --help)\n", stderr);
    return EXIT_USAGE;
}

static vm_arch parse_arch(const char *s)
{
    if (!strcasecmp(s, "riscv64") || !strcasecmp(s, "rv64") || !strcasecmp(s, "riscv"))
        return ARCH_RISCV64;
    if (!strcasecmp(s, "x86_64") || !strcasecmp(s, "x8664") || !strcasecmp(s, "amd64") ||
        !strcasecmp(s, "x86-64"))
        return ARCH_X86_64;
    if (!strcasecmp(s, "arm64") || !strcasecmp(s, "aarch64"))
        return ARCH_ARM64;
    return ARCH_NONE;
}

static const char *arch_name(vm_arch a)
{
    switch (a) {
    case ARCH_RISCV64: return "riscv64";
    case ARCH_X86_64: return "x86_64";
    case ARCH_ARM64: return "arm64";
    default: return "none";
    }
}

/* "128M", "1G", "512K", "1024" (MiB). 0 on garbage. */
static uint64_t parse_size(const char *s)
{
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-')
        return 0;
    uint64_t mul = MiB;
    if (*end) {
        switch (*end) {
        case 'k': case 'K': mul = KiB; break;
        case 'm': case 'M': mul = MiB; break;
        case 'g': case 'G': mul = GiB; break;
        case 't': case 'T': mul = 1024 * GiB; break;
        default: return 0;
        }
        end++;
        if (*end == 'i')
            end++;
        if (*end == 'B' || *end == 'b')
            end++;
        if (*end)
            return 0;
    }
    if (v > UINT64_MAX / mul)
        return 0;
    return v * mul;
}

static uint64_t host_ram_bytes(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || psize <= 0)
        return 0;
    return (uint64_t)pages * (uint64_t)psize;
}

static int cmd_run(int argc, char **argv)
{
    machine *m = calloc(1, sizeof *m);
    if (!m) {
        fputs("vm-cli: out of memory\n", stderr);
        return 1;
    }
    vm_config *cfg = &m->cfg;
    cfg->ram_size = 0; /* not given: DEFAULT_RAM (below) */
    cfg->vcpus = 1;
    cfg->escape_char = 0x01;
    const char *arch_arg = NULL;

    enum { O_ARCH = 256, O_KERNEL, O_INITRD, O_APPEND, O_MEMORY, O_VCPUS, O_MODE, O_BIOS,
           O_DTB, O_DUMP_DTB, O_ESCAPE, O_TRACE, O_MAX_INSNS, O_NO_REBOOT, O_VERBOSE,
           O_CDROM, O_BOOT_ENTRY };
    static const struct option opts[] = {
        { "arch", required_argument, 0, O_ARCH },       { "kernel", required_argument, 0, O_KERNEL },
        { "initrd", required_argument, 0, O_INITRD },   { "append", required_argument, 0, O_APPEND },
        { "memory", required_argument, 0, O_MEMORY },   { "vcpus", required_argument, 0, O_VCPUS },
        { "mode", required_argument, 0, O_MODE },       { "bios", required_argument, 0, O_BIOS },
        { "dtb", required_argument, 0, O_DTB },         { "dump-dtb", required_argument, 0, O_DUMP_DTB },
        { "escape", required_argument, 0, O_ESCAPE },   { "trace", required_argument, 0, O_TRACE },
        { "max-insns", required_argument, 0, O_MAX_INSNS },
        { "no-reboot", no_argument, 0, O_NO_REBOOT },
        { "verbose", no_argument, 0, O_VERBOSE },
        { "cdrom", required_argument, 0, O_CDROM },
        { "boot-entry", required_argument, 0, O_BOOT_ENTRY },   { 0, 0, 0, 0 },
    };
    int rc = EXIT_USAGE;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case O_ARCH: arch_arg = optarg; break;
        case O_KERNEL: cfg->kernel = optarg; break;
        case O_INITRD: cfg->initrd = optarg; break;
        case O_APPEND: cfg->append = optarg; break;
        case O_MEMORY:
            cfg->ram_size = parse_size(optarg);
            if (cfg->ram_size == 0) {
                rc = usage_error("--memory %s: not a valid size (use e.g. 128M, 1G, 1024)", optarg);
                goto out;
            }
            break;
        case O_VCPUS: {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 64) {
                rc = usage_error("--vcpus %s: must be a number from 1 to 64", optarg);
                goto out;
            }
            cfg->vcpus = (unsigned)n;
            break;
        }
        case O_MODE:
            if (strcmp(optarg, "interpreter") != 0) {
                rc = usage_error("--mode %s: only 'interpreter' is available", optarg);
                goto out;
            }
            break;
        case O_BIOS: cfg->bios = optarg; break;
        case O_DTB: cfg->dtb = optarg; break;
        case O_DUMP_DTB: cfg->dump_dtb = optarg; break;
        case O_ESCAPE: {
            int e = console_parse_escape(optarg);
            if (e == -1) {
                rc = usage_error("--escape %s: use ^X (a control key), a single character or 'none'", optarg);
                goto out;
            }
            cfg->escape_char = e == -2 ? -1 : e;
            break;
        }
        case O_TRACE: {
            char *list = strdup(optarg);
            for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
                if (!strcmp(tok, "insn"))
                    m->log.trace_insn = true;
                else if (!strcmp(tok, "trap"))
                    m->log.trace_trap = true;
                else {
                    rc = usage_error("--trace %s: known traces are insn, trap", tok);
                    free(list);
                    goto out;
                }
            }
            free(list);
            break;
        }
        case O_MAX_INSNS: {
            char *end;
            errno = 0;
            unsigned long long n = strtoull(optarg, &end, 0);
            if (errno || *end || n == 0) {
                rc = usage_error("--max-insns %s: not a positive number", optarg);
                goto out;
            }
            cfg->max_insns = n;
            break;
        }
        case O_NO_REBOOT: cfg->no_reboot = true; break;
        case O_VERBOSE: m->log.verbose = true; break;
        case O_CDROM: cfg->cdrom = optarg; break;
        case O_BOOT_ENTRY: cfg->boot_entry = optarg; break;
        default:
            rc = usage_error("unknown or incomplete option '%s'", argv[optind - 1]);
            goto out;
        }
    }
    if (optind < argc) {
        rc = usage_error("unexpected argument '%s'", argv[optind]);
        goto out;
    }
    if (!arch_arg) {
        rc = usage_error("%s", "--arch is required");
        goto out;
    }
    cfg->arch = parse_arch(arch_arg);
    if (cfg->arch == ARCH_NONE) {
        rc = usage_error("--arch %s: unknown architecture (riscv64, x86_64, arm64)", arch_arg);
        goto out;
    }
    if (!cfg->kernel) {
        rc = usage_error("%s", "--kernel is required");
        goto out;
    }
    uint64_t host_ram = host_ram_bytes();
    if (cfg->ram_size == 0) {
        /* The installers' initrds unpack in RAM (amd64's is 41 MB compressed, and the
         * kernel panics "Failed to execute /init" with 128 MiB), and guest RAM is mapped
         * lazily: a generous default costs only what the guest touches. A small host gets
         * half its RAM instead. */
        cfg->ram_size = DEFAULT_RAM;
        if (host_ram && cfg->ram_size > host_ram / 2)
            cfg->ram_size = (host_ram / 2) & ~(uint64_t)(MiB - 1);
    }
    if (host_ram && cfg->ram_size > host_ram) {
        fprintf(stderr, "vm-cli: --memory %llu MiB: more than this host's %llu MiB of RAM\n",
                (unsigned long long)(cfg->ram_size / MiB), (unsigned long long)(host_ram / MiB));
        goto out;
    }
    if (!board_for_arch(cfg->arch)) {
        fprintf(stderr, "vm-cli: --arch %s: this architecture is not implemented yet\n",
                arch_name(cfg->arch));
        goto out;
    }
    if (cfg->vcpus > 1) {
        fprintf(stderr, "vm-cli: --vcpus %u: only one vCPU is implemented so far\n", cfg->vcpus);
        goto out;
    }

    fprintf(stderr,
            "=== Virtual Machine ===\nArchitecture: %s\nHost: " HOST_OS " / " HOST_CPU "\n"
            "Memory: %llu MB\nvCPUs: %u\nExecution Mode: Interpreter\n",
            arch_name(cfg->arch), (unsigned long long)(cfg->ram_size / MiB), cfg->vcpus);

    vm_error err = { { 0 } };
    run_result res;
    if (!machine_run(m, &res, &err)) {
        fprintf(stderr, "vm-cli: %s\n", err.msg);
        rc = EXIT_USAGE;
        goto out;
    }
    if (res.end == RUN_INSN_LIMIT)
        fprintf(stderr, "vm-cli: stopped after %llu instructions (--max-insns), pc=0x%llx\n",
                (unsigned long long)res.insns, (unsigned long long)res.pc);
    rc = res.status;
out:
    free(m);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("vm-cli %s\n", VM_VERSION);
        return 0;
    }
    if (!strcmp(argv[1], "run"))
        return cmd_run(argc - 1, argv + 1);
    fprintf(stderr, "vm-cli: unknown command '%s' (see vm-cli --help)\n", argv[1]);
    return EXIT_USAGE;
}
