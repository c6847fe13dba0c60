/* PCI bus 0 behind an i440FX host bridge, reached through configuration mechanism #1
 * (PCI Local Bus 3.0 §3.2.2.3.2: CONFIG_ADDRESS at 0xCF8, CONFIG_DATA at 0xCFC-0xCFF),
 * as QEMU's "pc" board presents it: 00.0 i440FX host bridge (8086:1237), 01.0 PIIX3 ISA
 * bridge (8086:7000) with the PIRQ route registers 0x60-0x63; devices add functions.
 *
 * A function is a 256-byte configuration space with a mask of writable bits and a mask
 * of write-1-to-clear bits (the status register), up to six BARs and two callbacks (BAR
 * and command changes). BARs are decoded here: the board maps an I/O and a memory
 * "window" on its buses (pci_host_map) and accesses inside them are routed to the BAR
 * whose base covers them when the function's command register enables that space; so a
 * guest moving a BAR needs no bus remapping. Absent functions read all-ones.
 *
 * Left out (none of it is used by Linux on this board): buses other than 0 (no PCI-PCI
 * bridges: reads all-ones), configuration mechanism #2, the i440FX PAM/SMRAM registers
 * (0x59-0x72: stored, no effect — RAM below 1 MiB is plain RAM on this board), the PIIX3
 * reset control register at 0xCF9 (a model of its own: dev/pc/reset_cf9.h, see
 * config_ports_external), expansion ROM BARs (0x30 reads 0), capabilities, INTx pins
 * for added functions (PIIX IDE in compatibility mode uses IRQ14/15). */
#ifndef VM_DEV_PCI_PCI_HOST_H
#define VM_DEV_PCI_PCI_HOST_H

#include "core/types.h"
#include "mem/bus.h"

#define PCI_CONFIG_PORT 0xcf8u     /* 8 ports: CONFIG_ADDRESS 0xCF8, CONFIG_DATA 0xCFC */
#define PCI_CONFIG_PORTS 8u
#define PCI_DEVFN(dev, fn) ((unsigned)(((dev) << 3) | (fn)))
#define PCI_NUM_BARS 6

/* Configuration header offsets (PCI 3.0 §6.1). */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

#define PCI_COMMAND_IO 0x0001
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_MASTER 0x0004

typedef struct pci_function {
    uint8_t cfg[256];
    uint8_t wmask[256];          /* 1 = the guest may write this bit */
    uint8_t w1cmask[256];        /* 1 = writing 1 clears this bit (status errors) */
    struct pci_bar {
        uint32_t size;           /* power of two; 0 = not implemented */
        bool io;                 /* I/O space (else 32-bit non-prefetchable memory) */
        const mmio_ops *ops;     /* offsets relative to the BAR's base */
        void *opaque;
    } bar[PCI_NUM_BARS];
    /* Called after a guest write changed BAR `i` (val = the register as it now reads)
     * or the command register; either may be NULL. */
    void (*bar_changed)(void *opaque, unsigned i, uint32_t val);
    void (*command_changed)(void *opaque, uint16_t old, uint16_t val);
    void *opaque;
} pci_function;

/* A type-0 header with the IDs, class (class << 16 | subclass << 8 | prog-if) and
 * header type (bit 7 = multi-function device); command and status writable as on most
 * devices (I/O, memory, bus master, SERR, ...; status error bits write-1-to-clear).
 * Clears the whole struct, BARs and callbacks included: a model's reset calls this first
 * and then sets its BARs, callbacks and own registers again. */
void pci_function_init(pci_function *f, uint16_t vendor, uint16_t device, uint8_t rev,
                       uint32_t class_code, uint8_t header_type);
/* Implement BAR i of `size` bytes (a power of two, >= 4 for I/O, >= 16 for memory).
 * Sizing works as the spec says: writing all-ones reads back ~(size - 1) | type bits.
 * I/O BARs decode 16 bits (x86 I/O space). */
void pci_function_set_bar(pci_function *f, unsigned i, uint32_t size, bool io,
                          const mmio_ops *ops, void *opaque);
/* The base address BAR i currently holds (type bits masked off). */
uint32_t pci_function_bar_base(const pci_function *f, unsigned i);
/* Set a config byte/word (little-endian) together with its writable-bit mask, for the
 * device models' own registers; read a word/dword. */
void pci_set_byte(pci_function *f, unsigned off, uint8_t v, uint8_t wmask);
void pci_set_word(pci_function *f, unsigned off, uint16_t v, uint16_t wmask);
uint16_t pci_get_word(const pci_function *f, unsigned off);
uint32_t pci_get_long(const pci_function *f, unsigned off);

typedef struct pci_host {
    uint32_t config_address;     /* 0xCF8 latch */
    pci_function *fn[256];       /* bus 0, by devfn */
    pci_function i440fx;         /* 00.0 */
    pci_function piix3_isa;      /* 01.0 */
    uint64_t io_window_base, mem_window_base;
    /* Set before pci_host_map when the board registers pci_host_config_ops itself, as
     * the downstream of dev/pc/reset_cf9.h (0xCF9 shares the CONFIG_ADDRESS dword). */
    bool config_ports_external;
} pci_host;

/* Bus 0 with the host bridge at 00.0 and the PIIX3 ISA bridge at 01.0 (in reset state). */
void pci_host_init(pci_host *h);
/* Power-on values of the config latch and the two built-in functions; added functions
 * are reset by their own models. */
void pci_host_reset(pci_host *h);
/* Add a function at dev (0-31) / fn (0-7). Fails if the slot is taken or out of range. */
bool pci_host_add(pci_host *h, unsigned dev, unsigned fn, pci_function *f, vm_error *err);

/* Configuration cycles on bus 0 (also for firmware-like set-up by the board): off is
 * 0-255, size 1/2/4; an access is cut at the end of its dword. Absent: all-ones. */
uint32_t pci_host_config_read(pci_host *h, unsigned devfn, unsigned off, unsigned size);
void pci_host_config_write(pci_host *h, unsigned devfn, unsigned off, unsigned size,
                           uint32_t val);

/* Register the 0xCF8-0xCFF ports on `io` (unless config_ports_external) and the BAR
 * windows: I/O ports [io_base, io_base + io_size) on `io`, memory [mem_base, mem_base +
 * mem_size) on `mem` (either size may be 0 for none). Accesses in a window that no enabled BAR claims read
 * all-ones and drop writes (master abort). */
bool pci_host_map(pci_host *h, bus *io, uint64_t io_base, uint64_t io_size, bus *mem,
                  uint64_t mem_base, uint64_t mem_size, vm_error *err);

extern const mmio_ops pci_host_config_ops;   /* 8 ports at 0xCF8, opaque = pci_host */
extern const mmio_ops pci_host_io_window_ops;
extern const mmio_ops pci_host_mem_window_ops;

/* PIIX3 PIRQRC[A-D] (82371SB §2.2.10, config 0x60-0x63): the ISA IRQ that PCI interrupt
 * PIRQ0-3 is routed to, or -1 when routing is disabled (bit 7) or the IRQ is reserved. */
int piix3_pirq_route(const pci_host *h, unsigned pirq);

#endif
