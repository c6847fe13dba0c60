/* The virt board's device tree, generated with libfdt's sequential-write API. Bindings:
 * Linux Documentation/devicetree/bindings/riscv/{cpus,extensions}.yaml,
 * interrupt-controller/sifive,plic-1.0.0.yaml, timer/sifive,clint.yaml, serial/8250.yaml. */
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/riscv/execute.h"
#include "arch/riscv/virt_board.h"

#define PHANDLE_CPU_INTC 1
#define PHANDLE_PLIC 2
#define PHANDLE_TEST 3

/* Exactly the extensions the interpreter implements (Zicntr: cycle/time/instret;
 * Zihintpause: pause decodes as a FENCE hint). */
static const char *const isa_extensions[] = {
    "i", "m", "a", "f", "d", "c", "zicntr", "zicsr", "zifencei", "zihintpause",
    "zicbom", "zicboz", "zba", "zbb", "zbs", "sstc",
};
#define ISA_STRING "rv64imafdc_zicntr_zicsr_zifencei_zihintpause_zicbom_zicboz_zba_zbb_zbs_sstc"

static int prop_u64_pair(void *fdt, const char *name, uint64_t a, uint64_t b)
{
    fdt64_t v[2] = { cpu_to_fdt64(a), cpu_to_fdt64(b) };
    return fdt_property(fdt, name, v, sizeof v);
}

static int prop_cells(void *fdt, const char *name, const uint32_t *cells, unsigned n)
{
    fdt32_t v[16];
    for (unsigned i = 0; i < n && i < 16; i++)
        v[i] = cpu_to_fdt32(cells[i]);
    return fdt_property(fdt, name, v, (int)(n * sizeof(fdt32_t)));
}

static int prop_stringlist(void *fdt, const char *name, const char *const *list, unsigned n)
{
    char buf[512];
    size_t len = 0;
    for (unsigned i = 0; i < n; i++) {
        size_t l = strlen(list[i]) + 1;
        if (len + l > sizeof buf)
            return -FDT_ERR_NOSPACE;
        memcpy(buf + len, list[i], l);
        len += l;
    }
    return fdt_property(fdt, name, buf, (int)len);
}

/* A syscon-poweroff / syscon-reboot node writing `value` to the test finisher. */
static int syscon_action_node(void *fdt, const char *action, uint32_t value)
{
    char compat[32];
    snprintf(compat, sizeof compat, "syscon-%s", action);
    int e;
    if ((e = fdt_begin_node(fdt, action)) < 0 ||
        (e = fdt_property_string(fdt, "compatible", compat)) < 0 ||
        (e = fdt_property_u32(fdt, "regmap", PHANDLE_TEST)) < 0 ||
        (e = fdt_property_u32(fdt, "offset", 0)) < 0 ||
        (e = fdt_property_u32(fdt, "value", value)) < 0)
        return e;
    return fdt_end_node(fdt);
}

static int build(riscv_virt *v, void *fdt, size_t size)
{
    machine *m = v->m;
    int e = 0;
#define T(call) do { if ((e = (call)) < 0) return e; } while (0)
    T(fdt_create(fdt, (int)size));
    T(fdt_finish_reservemap(fdt));
    T(fdt_begin_node(fdt, ""));
    T(fdt_property_u32(fdt, "#address-cells", 2));
    T(fdt_property_u32(fdt, "#size-cells", 2));
    T(fdt_property_string(fdt, "compatible", "riscv-virtio"));
    T(fdt_property_string(fdt, "model", "riscv-virtio,qemu"));

    T(fdt_begin_node(fdt, "chosen"));
    if (m->cfg.append)
        T(fdt_property_string(fdt, "bootargs", m->cfg.append));
    T(fdt_property_string(fdt, "stdout-path", "/soc/serial@10000000"));
    if (v->initrd_end > v->initrd_start) {
        T(fdt_property_u64(fdt, "linux,initrd-start", v->initrd_start));
        T(fdt_property_u64(fdt, "linux,initrd-end", v->initrd_end));
    }
    T(fdt_end_node(fdt));

    T(fdt_begin_node(fdt, "memory@80000000"));
    T(fdt_property_string(fdt, "device_type", "memory"));
    T(prop_u64_pair(fdt, "reg", VIRT_DRAM_BASE, m->cfg.ram_size));
    T(fdt_end_node(fdt));

    T(fdt_begin_node(fdt, "cpus"));
    T(fdt_property_u32(fdt, "#address-cells", 1));
    T(fdt_property_u32(fdt, "#size-cells", 0));
    T(fdt_property_u32(fdt, "timebase-frequency", VIRT_TIMEBASE_HZ));
    T(fdt_begin_node(fdt, "cpu@0"));
    T(fdt_property_string(fdt, "device_type", "cpu"));
    T(fdt_property_u32(fdt, "reg", 0));
    T(fdt_property_string(fdt, "status", "okay"));
    T(fdt_property_string(fdt, "compatible", "riscv"));
    T(fdt_property_string(fdt, "riscv,isa", ISA_STRING));
    T(fdt_property_string(fdt, "riscv,isa-base", "rv64i"));
    T(prop_stringlist(fdt, "riscv,isa-extensions", isa_extensions,
                      sizeof isa_extensions / sizeof isa_extensions[0]));
    T(fdt_property_u32(fdt, "riscv,cbom-block-size", RV_CBO_BLOCK));
    T(fdt_property_u32(fdt, "riscv,cboz-block-size", RV_CBO_BLOCK));
    T(fdt_property_string(fdt, "mmu-type", "riscv,sv57"));
    T(fdt_begin_node(fdt, "interrupt-controller"));
    T(fdt_property_u32(fdt, "#interrupt-cells", 1));
    T(fdt_property(fdt, "interrupt-controller", NULL, 0));
    T(fdt_property_string(fdt, "compatible", "riscv,cpu-intc"));
    T(fdt_property_u32(fdt, "phandle", PHANDLE_CPU_INTC));
    T(fdt_end_node(fdt));
    T(fdt_end_node(fdt)); /* cpu@0 */
    T(fdt_end_node(fdt)); /* cpus */

    T(fdt_begin_node(fdt, "soc"));
    T(fdt_property_u32(fdt, "#address-cells", 2));
    T(fdt_property_u32(fdt, "#size-cells", 2));
    T(fdt_property_string(fdt, "compatible", "simple-bus"));
    T(fdt_property(fdt, "ranges", NULL, 0));

    T(fdt_begin_node(fdt, "test@100000"));
    static const char *const test_compat[] = { "sifive,test1", "sifive,test0", "syscon" };
    T(prop_stringlist(fdt, "compatible", test_compat, 3));
    T(prop_u64_pair(fdt, "reg", VIRT_TEST_BASE, VIRT_TEST_SIZE));
    T(fdt_property_u32(fdt, "phandle", PHANDLE_TEST));
    T(fdt_end_node(fdt));

    T(fdt_begin_node(fdt, "serial@10000000"));
    T(fdt_property_string(fdt, "compatible", "ns16550a"));
    T(prop_u64_pair(fdt, "reg", VIRT_UART0_BASE, VIRT_UART0_SIZE));
    T(fdt_property_u32(fdt, "clock-frequency", 3686400));
    T(fdt_property_u32(fdt, "interrupts", VIRT_UART0_IRQ));
    T(fdt_property_u32(fdt, "interrupt-parent", PHANDLE_PLIC));
    T(fdt_end_node(fdt));

    /* Linux bindings/rtc/trivial-rtc.yaml: google,goldfish-rtc */
    T(fdt_begin_node(fdt, "rtc@101000"));
    T(fdt_property_string(fdt, "compatible", "google,goldfish-rtc"));
    T(prop_u64_pair(fdt, "reg", GOLDFISH_RTC_BASE, GOLDFISH_RTC_SIZE));
    T(fdt_property_u32(fdt, "interrupts", GOLDFISH_RTC_VIRT_IRQ));
    T(fdt_property_u32(fdt, "interrupt-parent", PHANDLE_PLIC));
    T(fdt_end_node(fdt));

    T(fdt_begin_node(fdt, "plic@c000000"));
    static const char *const plic_compat[] = { "sifive,plic-1.0.0", "riscv,plic0" };
    T(prop_stringlist(fdt, "compatible", plic_compat, 2));
    T(prop_u64_pair(fdt, "reg", VIRT_PLIC_BASE, VIRT_PLIC_SIZE));
    T(fdt_property_u32(fdt, "#address-cells", 0));
    T(fdt_property_u32(fdt, "#interrupt-cells", 1));
    T(fdt_property(fdt, "interrupt-controller", NULL, 0));
    T(fdt_property_u32(fdt, "riscv,ndev", PLIC_VIRT_NDEV - 1));
    /* contexts: hart 0 M-mode external (11), hart 0 S-mode external (9) */
    static const uint32_t plic_irqs[] = { PHANDLE_CPU_INTC, IRQ_M_EXT, PHANDLE_CPU_INTC, IRQ_S_EXT };
    T(prop_cells(fdt, "interrupts-extended", plic_irqs, 4));
    T(fdt_property_u32(fdt, "phandle", PHANDLE_PLIC));
    T(fdt_end_node(fdt));

    T(fdt_begin_node(fdt, "clint@2000000"));
    static const char *const clint_compat[] = { "sifive,clint0", "riscv,clint0" };
    T(prop_stringlist(fdt, "compatible", clint_compat, 2));
    T(prop_u64_pair(fdt, "reg", VIRT_CLINT_BASE, VIRT_CLINT_SIZE));
    static const uint32_t clint_irqs[] = { PHANDLE_CPU_INTC, IRQ_M_SOFT, PHANDLE_CPU_INTC, IRQ_M_TIMER };
    T(prop_cells(fdt, "interrupts-extended", clint_irqs, 4));
    T(fdt_end_node(fdt));
    T(fdt_end_node(fdt)); /* soc */

    /* syscon-poweroff / syscon-reboot drive the test finisher (Linux
     * bindings/power/reset/syscon-{poweroff,reboot}.yaml) */
    T(syscon_action_node(fdt, "poweroff", 0x5555));
    T(syscon_action_node(fdt, "reboot", 0x7777));

    T(fdt_end_node(fdt)); /* root */
    T(fdt_finish(fdt));
#undef T
    return 0;
}

bool riscv_virt_build_fdt(riscv_virt *v, vm_error *err)
{
    size_t size = 16 * KiB;
    void *fdt = calloc(1, size);
    if (!fdt) {
        vm_error_set(err, "out of memory for the device tree");
        return false;
    }
    int e = build(v, fdt, size);
    if (e < 0) {
        vm_error_set(err, "building the device tree failed: %s", fdt_strerror(e));
        free(fdt);
        return false;
    }
    fdt_pack(fdt);
    free(v->fdt);
    v->fdt = fdt;
    v->fdt_size = fdt_totalsize(fdt);
    return true;
}
