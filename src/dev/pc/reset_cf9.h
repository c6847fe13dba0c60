/* The Reset Control Register at I/O port 0xCF9 of the PIIX3/PIIX4 south bridges and
 * their ICH successors (ICH10 datasheet §13.7.5 "RST_CNT"): bit 1 SYS_RST chooses a hard
 * (1) or soft (0) reset, bit 2 RST_CPU starts it on a 0 → 1 transition, bit 3 FULL_RST
 * asks for a power cycle. Bit 2 always reads 0 here, so every write with bit 2 set is a
 * transition and resets the whole board (QEMU's pc does the same), which
 * is what Linux's "reboot=pci" writes (0x02 then 0x06/0x0E) and what the FADT's
 * RESET_REG names (ACPI 6.5 §5.2.9: 0xCF9 in system I/O, RESET_VALUE 6). Bits 1 and 3
 * read back; bit 2 reads 0.
 *
 * 0xCF9 lies inside the PCI configuration-address dword at 0xCF8 (PCI 3.0 §3.2.2.3.2):
 * the chipset gives byte accesses to 0xCF9 to this register and everything else to the
 * host bridge. So the board registers reset_cf9_ops on the whole 0xCF8-0xCFF range and
 * gives it the host bridge's ops as `downstream`; the two devices stay independent. */
#ifndef VM_DEV_PC_RESET_CF9_H
#define VM_DEV_PC_RESET_CF9_H

#include "core/types.h"
#include "mem/bus.h"

#define RESET_CF9_PORT 0xcf9u
#define RESET_CF9_RANGE 0xcf8u       /* reset_cf9_ops covers 0xCF8-0xCFF */
#define RESET_CF9_RANGE_PORTS 8u
#define RESET_CF9_SYS_RST 0x02u
#define RESET_CF9_RST_CPU 0x04u
#define RESET_CF9_FULL_RST 0x08u

typedef void (*reset_cf9_fn)(void *opaque);

typedef struct reset_cf9 {
    uint8_t rcr;
    reset_cf9_fn reset;          /* the board's reset request; may be NULL */
    void *reset_opaque;
    const mmio_ops *downstream;  /* the other users of 0xCF8-0xCFF (PCI config), or NULL */
    void *downstream_opaque;
} reset_cf9;

void reset_cf9_init(reset_cf9 *r, reset_cf9_fn reset, void *reset_opaque,
                    const mmio_ops *downstream, void *downstream_opaque);
/* Power-on: the register reads 0. */
void reset_cf9_reset(reset_cf9 *r);

/* 8 ports at 0xCF8: a byte access at offset 1 is the reset control register; the rest
 * goes to `downstream` at the same offset (all-ones / dropped when there is none). */
extern const mmio_ops reset_cf9_ops;

#endif
