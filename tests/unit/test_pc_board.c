/* The PC board as built by its board_ops (arch/x86/pc*.c): the memory map and e820 table,
 * the devices on the I/O bus, interrupts from an ISA line through the 8259 and the local
 * APIC's ExtINT virtual wire to the CPU's INTA, the same line through the IOAPIC (IRQ0 on
 * pin 2), what the board adds to the CPU (CPUID 0x15/0x16 and the APIC bit, the local
 * APIC's MSRs, TSC_ADJUST, CR8 as the TPR), the one time base, and the reset paths. */
#include <string.h>

#include "arch/x86/exec.h"
#include "arch/x86/pc.h"
#include "core/board.h"
#include "check.h"

extern const board_ops x86_pc_board;

static machine m;

static void outb(unsigned port, uint8_t v)
{
    bus_write(&m.io, port, 1, v);
}

static uint8_t inb(unsigned port)
{
    uint64_t v = 0xff;
    bus_read(&m.io, port, 1, &v);
    return (uint8_t)v;
}

static void mmio32(uint64_t a, uint32_t v)
{
    bus_write(&m.bus, a, 4, v);
}

/* Linux's init_8259A: vectors 0x30/0x38, cascade on IR2, 8086 mode. */
static void pic_init(void)
{
    outb(0x20, 0x11); outb(0x21, 0x30); outb(0x21, 0x04); outb(0x21, 0x01);
    outb(0xa0, 0x11); outb(0xa1, 0x38); outb(0xa1, 0x02); outb(0xa1, 0x01);
    outb(0x21, 0x00); outb(0xa1, 0x00);
}

static void test_map(pc_board *pc)
{
    CHECK_EQ(pc->nmap, 3, "e820: three RAM ranges for 5 GiB");
    CHECK(pc->map[0].base == 0 && pc->map[0].len == PC_LOW_RAM_END && pc->map[0].type == E820_RAM,
          "RAM below 640 KiB");
    CHECK(pc->map[1].base == PC_HIGH_RAM_BASE && pc->map[1].len == PC_PCI_HOLE - PC_HIGH_RAM_BASE,
          "RAM from 1 MiB up to the PCI hole");
    CHECK(pc->map[2].base == PC_4G && pc->map[2].len == 5 * GiB - PC_PCI_HOLE,
          "the rest of RAM above 4 GiB");
    CHECK(bus_ram_ptr(&m.bus, PC_4G + 1 * GiB, 8) != NULL, "RAM above 4 GiB is on the bus");
    CHECK(bus_ram_ptr(&m.bus, PC_PCI_HOLE, 8) == NULL, "the PCI hole is not RAM");
    CHECK(bus_find(&m.bus, LAPIC_DEFAULT_BASE, 4) != NULL, "local APIC at 0xFEE00000");
    CHECK(bus_find(&m.bus, IOAPIC_DEFAULT_BASE, 4) != NULL, "IOAPIC at 0xFEC00000");
    static const unsigned ports[] = { 0x20, 0xa0, 0x4d0, 0x40, 0x61, 0x60, 0x64, 0x70, 0x80,
                                      0x92, 0xf4, 0x1f0, 0x170, 0x3f6, 0x376, 0x3f8, 0x600,
                                      0xcf8, 0xcf9, 0xcfc, 0xc000 };
    unsigned missing = 0;
    for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
        if (!bus_find(&m.io, ports[i], 1))
            missing++;
    CHECK_EQ(missing, 0, "every chipset port is claimed");
    /* PCI: the host bridge and the IDE function answer configuration cycles. */
    bus_write(&m.io, 0xcf8, 4, 0x80000000u);
    uint64_t id = 0;
    bus_read(&m.io, 0xcfc, 4, &id);
    CHECK_EQ(id, 0x12378086u, "PCI 00.0: i440FX");
    bus_write(&m.io, 0xcf8, 4, 0x80000000u | (1u << 11) | (1u << 8));
    bus_read(&m.io, 0xcfc, 4, &id);
    CHECK_EQ(id, 0x70108086u, "PCI 01.1: PIIX3 IDE");
}

static void test_pic_path(pc_board *pc)
{
    x86_cpu *cpu = &pc->cpu;
    pic_init();
    CHECK(!cpu->intr_line, "INTR low with nothing pending");
    irq_line com1 = pc_isa_irq(pc, 4);
    irq_set(&com1, 1);
    CHECK(cpu->intr_line, "ISA IRQ4 → 8259 → LINT0 (ExtINT) → CPU INTR");
    CHECK_EQ(cpu->intr_ack(cpu->intr_opaque), 0x34, "INTA returns the 8259's vector");
    irq_set(&com1, 0);
    outb(0x20, 0x20);   /* EOI */
    CHECK(!cpu->intr_line, "INTR low after the acknowledge and EOI");
    /* IRQ8 (RTC) through the slave on the cascade. */
    irq_line rtc = pc_isa_irq(pc, 8);
    irq_set(&rtc, 1);
    CHECK_EQ(cpu->intr_ack(cpu->intr_opaque), 0x38, "IRQ8 through the slave 8259");
    irq_set(&rtc, 0);
    outb(0xa0, 0x20);
    outb(0x20, 0x20);
}

static void test_ioapic_path(pc_board *pc)
{
    x86_cpu *cpu = &pc->cpu;
    outb(0x21, 0xff);   /* the 8259 masked, as Linux leaves it in APIC mode */
    outb(0xa1, 0xff);
    mmio32(LAPIC_DEFAULT_BASE + 0xf0, 0x1ff);   /* SVR: software-enable, spurious 0xff */
    mmio32(IOAPIC_DEFAULT_BASE, 0x10 + 2 * 2);  /* pin 2 low word: vector 0x41, fixed */
    mmio32(IOAPIC_DEFAULT_BASE + 0x10, 0x41);
    mmio32(IOAPIC_DEFAULT_BASE, 0x10 + 2 * 2 + 1);
    mmio32(IOAPIC_DEFAULT_BASE + 0x10, 0);      /* destination APIC ID 0 */
    irq_line irq0 = pc_isa_irq(pc, 0);
    irq_set(&irq0, 1);
    irq_set(&irq0, 0);
    CHECK(cpu->intr_line, "ISA IRQ0 → IOAPIC pin 2 → LAPIC → CPU INTR");
    CHECK_EQ(cpu->intr_ack(cpu->intr_opaque), 0x41, "INTA returns the IOAPIC entry's vector");
    CHECK(!cpu->intr_line, "in service: INTR low");
    /* CR8 is the TPR: class 5 blocks a pending vector of class 4. */
    irq_set(&irq0, 1);
    irq_set(&irq0, 0);
    mmio32(LAPIC_DEFAULT_BASE + 0xb0, 0);       /* EOI of 0x41 */
    CHECK(cpu->intr_line, "the second edge is pending after the EOI");
    x86_write_cr(cpu, 8, 5);
    CHECK_EQ(pc->apic.tpr, 0x50, "MOV CR8 writes TPR[7:4]");
    CHECK(!cpu->intr_line, "TPR class 5 masks vector 0x41");
    x86_write_cr(cpu, 8, 0);
    CHECK(cpu->intr_line, "lowering CR8 lets it through");
    CHECK_EQ(cpu->intr_ack(cpu->intr_opaque), 0x41, "and it is delivered");
    mmio32(LAPIC_DEFAULT_BASE + 0xb0, 0);
}

static void test_cpu_hooks(pc_board *pc)
{
    x86_cpu *cpu = &pc->cpu;
    uint32_t r[4];
    x86_cpuid(cpu, 0, 0, r);
    CHECK(r[0] >= 0x16, "max basic leaf covers 0x15/0x16");
    x86_cpuid(cpu, 1, 0, r);
    CHECK(r[3] & (1u << 9), "CPUID.1:EDX.APIC");
    CHECK(r[2] & (1u << 24), "CPUID.1:ECX.TSC-deadline");
    x86_cpuid(cpu, 0x15, 0, r);
    CHECK(r[0] == 1 && r[1] == 1 && r[2] == PC_TSC_HZ, "leaf 0x15: TSC = crystal = 1 GHz");
    CHECK_EQ(PC_TSC_HZ, LAPIC_BUS_HZ, "the crystal is the APIC bus clock (lapic_timer_period)");
    x86_cpuid(cpu, 0x80000007, 0, r);
    CHECK(r[3] & (1u << 8), "invariant TSC");
    uint64_t v = 0;
    CHECK(x86_msr_read(cpu, 0x1b, &v) && v == 0xfee00900u, "IA32_APIC_BASE from the LAPIC");
    CHECK(!x86_msr_write(cpu, 0x1b, 0xfee00900u | (1u << 10) | 1u), "reserved APIC base bit: #GP");
    CHECK(!x86_msr_read(cpu, 0x802, &v), "x2APIC MSRs #GP in xAPIC mode");
    /* Linux 6.12 on the amd64 installer logged "Kernel/User page tables isolation:
     * enabled" and "MDS: Vulnerable" for this Ivy Bridge signature: the CPU must say it is
     * not affected, or every system call switches CR3 twice. */
    x86_cpuid(cpu, 7, 0, r);
    CHECK(r[3] & (1u << 29), "CPUID.7.0:EDX.ARCH_CAPABILITIES");
    CHECK(x86_msr_read(cpu, 0x10a, &v) && (v & 1) && (v & (1u << 4)) && (v & (1u << 5)),
          "IA32_ARCH_CAPABILITIES: RDCL_NO, SSB_NO, MDS_NO");
    CHECK((v & 0xe000) == 0xe000, "SBDR_SSDP_NO, FBSDP_NO, PSDP_NO (immune to MMIO stale data)");
    CHECK(!x86_msr_write(cpu, 0x10a, 0), "IA32_ARCH_CAPABILITIES is read-only");
    /* Machine checks: Linux 6.12 logged "mce: Unable to init MCE device (rc: -5)" without
     * them. It reads MCG_CAP, sets MCG_CTL and every MCi_CTL, clears every MCi_STATUS. */
    x86_cpuid(cpu, 1, 0, r);
    CHECK((r[3] & 0x4080) == 0x4080, "CPUID.1:EDX.MCE and MCA");
    CHECK(x86_msr_read(cpu, 0x179, &v) && (v & 0xff) == 10 && (v & 0x100), "MCG_CAP: 10 banks, MCG_CTL_P");
    CHECK(x86_msr_write(cpu, 0x17b, ~0ull) && x86_msr_read(cpu, 0x17b, &v) && v == ~0ull, "MCG_CTL");
    CHECK(x86_msr_write(cpu, 0x400 + 4 * 9, ~0ull) && x86_msr_read(cpu, 0x400 + 4 * 9, &v) &&
          v == ~0ull, "MC9_CTL holds what is written");
    CHECK(x86_msr_write(cpu, 0x401, 0) && x86_msr_read(cpu, 0x401, &v) && v == 0, "MC0_STATUS cleared, reads 0");
    CHECK(!x86_msr_write(cpu, 0x401, 1), "MC0_STATUS: writing a 1 is #GP");
    CHECK(!x86_msr_read(cpu, 0x400 + 4 * 10, &v), "no bank 10");
    /* MTRRs: Linux 6.12 logged "MTRRs disabled (not available)" without them. */
    x86_cpuid(cpu, 1, 0, r);
    CHECK(r[3] & (1u << 12), "CPUID.1:EDX.MTRR");
    CHECK(x86_msr_read(cpu, 0xfe, &v) && v == 0x508, "MTRRcap: 8 variable, fixed, WC");
    CHECK(x86_msr_write(cpu, 0x20e, 0xc0000000ull) && x86_msr_write(cpu, 0x20f, 0xffc0000800ull) &&
          x86_msr_read(cpu, 0x20f, &v) && v == 0xffc0000800ull, "PHYSBASE7/PHYSMASK7");
    CHECK(!x86_msr_write(cpu, 0x200, 0x10000000002ull), "PHYSBASE: type 2 is #GP");
    CHECK(!x86_msr_write(cpu, 0x200, 1ull << 40), "PHYSBASE: a bit above MAXPHYADDR is #GP");
    CHECK(!x86_msr_write(cpu, 0x201, 0x400), "PHYSMASK: reserved bit 10 is #GP");
    CHECK(x86_msr_write(cpu, 0x26f, 0x0505050505050505ull) && x86_msr_read(cpu, 0x26f, &v) &&
          v == 0x0505050505050505ull, "FIX4K_F8000 holds WP");
    CHECK(!x86_msr_write(cpu, 0x259, 0x0700000000000000ull), "FIX16K_A0000: type 7 is #GP");
    CHECK(!x86_msr_read(cpu, 0x210, &v), "no variable range 8");
    CHECK(x86_msr_write(cpu, 0x2ff, 0xc06) && x86_msr_read(cpu, 0x2ff, &v) && v == 0xc06,
          "MTRRdefType: enabled, fixed enabled, WB");
    CHECK(!x86_msr_write(cpu, 0x2ff, 0x3), "MTRRdefType: type 3 is #GP");
    /* TSC: the board's clock; TSC_ADJUST is the offset a TSC write moves. */
    uint64_t t0 = x86_tsc(cpu), c0 = pc_clock_ns(pc);
    CHECK(t0 <= c0 + 1000000, "TSC follows the board clock (1 GHz)");
    CHECK(x86_msr_write(cpu, 0x3b, 1000000000000ull), "write IA32_TSC_ADJUST");
    CHECK(x86_tsc(cpu) >= t0 + 1000000000000ull, "TSC_ADJUST moves the TSC");
    CHECK(x86_msr_write(cpu, 0x10, 5), "write IA32_TIME_STAMP_COUNTER");
    CHECK(x86_msr_read(cpu, 0x3b, &v) && v != 1000000000000ull,
          "a TSC write moves TSC_ADJUST as well");
    CHECK(x86_tsc(cpu) < 1000000000ull, "and the TSC restarts near the value written");
}

static void test_resets(pc_board *pc)
{
    (void)pc;
    m.reset_requested = false;
    m.stop = 0;
    outb(0x64, 0xfe);
    CHECK(m.reset_requested, "i8042 command 0xFE resets the machine");
    m.reset_requested = false;
    m.stop = 0;
    outb(0xcf9, 0x02);
    outb(0xcf9, 0x06);
    CHECK(m.reset_requested, "0xCF9 RST_CPU resets the machine");
    m.reset_requested = false;
    m.stop = 0;
    CHECK_EQ(inb(0x80), 0xff, "port 0x80 reads as an idle bus");
}

int main(void)
{
    vm_error err = { { 0 } };
    memset(&m, 0, sizeof m);
    m.cfg.arch = ARCH_X86_64;
    m.cfg.ram_size = 5 * GiB;
    bus_init(&m.bus);
    bus_init(&m.io);
    console_init(&m.con, -1, -1, -1);
    pc_board *pc = x86_pc_board.create(&m, &err);
    if (!CHECK(pc != NULL, "create the pc board")) {
        printf("# %s\n", err.msg);
        return check_done();
    }
    test_map(pc);
    test_pic_path(pc);
    test_ioapic_path(pc);
    test_cpu_hooks(pc);
    test_resets(pc);
    x86_pc_board.destroy(pc);
    bus_destroy(&m.io);
    bus_destroy(&m.bus);
    return check_done();
}
