/* Interrupt routing on the PC board, as on QEMU's "pc": every ISA IRQ line goes to both
 * the 8259A pair and the IOAPIC (ISA IRQ n → IOAPIC pin n, except the PIT's IRQ0 → pin 2,
 * the override an ACPI MADT declares: MP spec 1.4 §5.3 "Default Configurations" wires
 * the 8254 to INTIN2). The master 8259's INTR drives the local APIC's LINT0, which the
 * APIC passes on as ExtINT in virtual-wire mode (MP spec §3.6.2.2); the IOAPIC sends its
 * messages to the local APIC. The CPU sees one INTR pin and NMI, both driven from the
 * local APIC's "attention" line; its INTA cycle is lapic_acknowledge, which asks the 8259
 * for the vector of an ExtINT. */
#include "arch/x86/pc.h"

#define PC_PIT_IOAPIC_PIN 2u

static void isa_irq_set(void *opaque, unsigned irq, int level)
{
    pc_board *pc = opaque;
    i8259_set_irq(&pc->pic, irq, level);
    ioapic_set_irq(&pc->ioapic, irq == 0 ? PC_PIT_IOAPIC_PIN : irq, level);
}

irq_line pc_isa_irq(pc_board *pc, unsigned irq)
{
    return (irq_line){ .set = isa_irq_set, .opaque = pc, .irq = irq };
}

void pc_irq_sync(pc_board *pc)
{
    /* lapic_take_* re-evaluate the attention line, which calls back here. */
    if (pc->irq_sync_busy)
        return;
    pc->irq_sync_busy = true;
    if (lapic_take_nmi(&pc->apic))
        x86_cpu_nmi(&pc->cpu);
    /* One CPU: INIT and SIPI are for application processors (none yet). */
    (void)lapic_take_init(&pc->apic);
    (void)lapic_take_sipi(&pc->apic);
    x86_cpu_set_intr(&pc->cpu, lapic_pending_vector(&pc->apic) >= 0);
    pc->irq_sync_busy = false;
}

static void apic_attention(void *opaque, unsigned irq, int level)
{
    (void)irq;
    (void)level;
    pc_irq_sync(opaque);
}

/* The only APIC is the sender, which has handled itself: IPIs to others go nowhere. */
static void apic_send(void *opaque, lapic *from, const apic_msg *msg)
{
    (void)opaque;
    (void)from;
    (void)msg;
}

static void apic_eoi(void *opaque, int vector)
{
    pc_board *pc = opaque;
    ioapic_eoi(&pc->ioapic, vector);
}

static int apic_extint_ack(void *opaque)
{
    return i8259_acknowledge(&((pc_board *)opaque)->pic);
}

static void ioapic_send(void *opaque, const apic_msg *msg)
{
    pc_board *pc = opaque;
    if (lapic_match_dest(&pc->apic, msg))
        lapic_deliver(&pc->apic, msg);
}

/* The CPU's INTA. */
static int cpu_intr_ack(void *opaque)
{
    pc_board *pc = opaque;
    int v = lapic_acknowledge(&pc->apic);
    pc_irq_sync(pc);
    return v;
}

void pc_irq_init(pc_board *pc)
{
    lapic_wiring w = {
        .opaque = pc,
        .send = apic_send,
        .eoi = apic_eoi,
        .extint_ack = apic_extint_ack,
        .attention = { .set = apic_attention, .opaque = pc, .irq = 0 },
    };
    lapic_init(&pc->apic, 0, true, pc_clock_ns, pc, &w);
    lapic_set_tsc(&pc->apic, pc_tsc, pc, PC_TSC_HZ);
    ioapic_init(&pc->ioapic, 0, ioapic_send, pc);
    i8259_init(&pc->pic, lapic_lint_line(&pc->apic, 0));
    pc->cpu.intr_ack = cpu_intr_ack;
    pc->cpu.intr_opaque = pc;
}
