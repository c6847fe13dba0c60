/* An interrupt line from a device to an interrupt controller. The device only knows the
 * line; the board decides where it goes. */
#ifndef VM_CORE_IRQ_H
#define VM_CORE_IRQ_H

typedef struct irq_line {
    void (*set)(void *opaque, unsigned irq, int level);
    void *opaque;
    unsigned irq;
} irq_line;

static inline void irq_set(const irq_line *line, int level)
{
    if (line && line->set)
        line->set(line->opaque, line->irq, level);
}

#endif
