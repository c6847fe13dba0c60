/* The PIIX3 IDE function (8086:7010, PCI 00:01.1 on QEMU's "pc" board) in compatibility
 * ("legacy") mode, with ATAPI devices: the primary channel at ports 0x1F0-0x1F7 and 0x3F6
 * on IRQ14, the secondary at 0x170-0x177 and 0x376 on IRQ15, and the bus-master IDE
 * (BMDMA) registers in a 16-byte I/O BAR4 whose PRD tables are read from guest memory.
 *
 * Per channel: the ATA command block with a copy of the task file in each device (host
 * writes reach both devices), device selection, device
 * control (nIEN, SRST), status / alternate status, the signature after reset (packet
 * devices: LBA mid/high 14h/EBh), and these commands for a packet device: IDENTIFY
 * PACKET DEVICE, PACKET (PIO or DMA data-in), IDENTIFY DEVICE (aborted with the signature
 * so the host knows to use the packet set), DEVICE RESET, EXECUTE DEVICE DIAGNOSTIC, SET
 * FEATURES (transfer mode), CHECK POWER MODE and the idle/standby commands; everything
 * else aborts. Every command completes at once (no timing model). Only ATAPI CD-ROMs
 * are attached; an empty channel floats (reads 0xFF) and an absent second device reads
 * status 0, as Linux's ata_sff probing expects.
 *
 * Not modelled: ATA hard disks, LBA48/HOB reads, 32-bit-only access quirks, the PIIX
 * timing registers' effect (IDETIM/SIDETIM are stored; the decode enable bit 15 gates
 * the legacy ports as on the real part), native-PCI mode, DMA data-out (the drive is
 * read-only, so no command writes). */
#ifndef VM_DEV_ATA_PIIX_IDE_H
#define VM_DEV_ATA_PIIX_IDE_H

#include "core/irq.h"
#include "dev/ata/atapi_cdrom.h"
#include "dev/pci/pci_host.h"
#include "mem/bus.h"

#define IDE_PRIMARY_PORT 0x1f0u
#define IDE_PRIMARY_CTL_PORT 0x3f6u
#define IDE_SECONDARY_PORT 0x170u
#define IDE_SECONDARY_CTL_PORT 0x376u
#define IDE_PRIMARY_IRQ 14u
#define IDE_SECONDARY_IRQ 15u
#define IDE_CMD_PORTS 8u
#define IDE_CTL_PORTS 1u
#define PIIX_BMDMA_PORTS 16u
#define PIIX_IDE_DEV 1u            /* PCI device 1 (with the ISA bridge), function 1 */
#define PIIX_IDE_FN 1u
#define PIIX_IDE_BMDMA_BAR 4u

/* ATA status bits (ATA/ATAPI-6 §7.15). */
#define ATA_ST_ERR 0x01
#define ATA_ST_DRQ 0x08
#define ATA_ST_DSC 0x10
#define ATA_ST_DRDY 0x40
#define ATA_ST_BSY 0x80
/* Device control bits. */
#define ATA_CTL_NIEN 0x02
#define ATA_CTL_SRST 0x04
/* Bus-master IDE registers (PIIX3 §2.7.1-2.7.3). */
#define BM_CMD_START 0x01
#define BM_CMD_WRITE 0x08          /* 1 = the bus master writes memory (device → RAM) */
#define BM_ST_ACTIVE 0x01
#define BM_ST_ERROR 0x02
#define BM_ST_INTR 0x04

#define IDE_BUF_SIZE 65536u

typedef struct ide_device {
    atapi_cdrom *cd;               /* NULL = no device */
    uint8_t error, nsect, lbal, lbam, lbah, select, feature;
    uint8_t status;
    uint8_t xfer_mode;             /* SET FEATURES 03h value (0 = default PIO) */
} ide_device;

typedef enum ide_phase {
    IDE_IDLE,
    IDE_PIO_IN,                    /* IDENTIFY data in buf */
    IDE_PACKET_CDB,                /* PACKET: waiting for the 12-byte command packet */
    IDE_ATAPI_PIO,                 /* PACKET data-in, one DRQ block in buf */
    IDE_ATAPI_DMA,                 /* PACKET data-in waiting for / doing bus-master DMA */
} ide_phase;

struct piix_ide;

typedef struct ide_channel {
    struct piix_ide *owner;
    unsigned index;                /* 0 primary, 1 secondary */
    ide_device dev[2];
    unsigned sel;                  /* DEV bit of the device register */
    uint8_t ctrl;                  /* device control register */
    bool intrq;                    /* the selected device's INTRQ is pending */
    int irq_level;
    irq_line irq;
    ide_phase phase;
    unsigned active;               /* the device the phase belongs to */
    uint64_t atapi_left;           /* PACKET data-in not yet moved into buf / by DMA */
    uint32_t buf_len, buf_pos;
    uint8_t bm_cmd, bm_status;
    uint32_t bm_prd;
    uint8_t buf[IDE_BUF_SIZE];
} ide_channel;

typedef struct piix_ide {
    pci_function pci;
    bus *mem;                      /* where the PRD tables and DMA buffers are */
    ide_channel ch[2];
} piix_ide;

/* The function in its reset state, channels wired to irq14 / irq15, nothing attached. */
void piix_ide_init(piix_ide *d, bus *mem, irq_line irq14, irq_line irq15);
/* Attach an ATAPI CD-ROM as channel 0/1, device 0 (master) / 1 (slave). */
void piix_ide_attach_cdrom(piix_ide *d, unsigned channel, unsigned unit, atapi_cdrom *cd);
/* Hardware reset: config space (IDETIM decode enables and I/O space on, as the PC
 * firmware leaves them, BAR4 unassigned), both channels reset with their signatures. */
void piix_ide_reset(piix_ide *d);
/* Add the function at 00:01.1 of `h` and register the legacy ports on `io`. */
bool piix_ide_register(piix_ide *d, pci_host *h, bus *io, vm_error *err);

/* opaque = &d->ch[i]: 8 command-block ports, 1 control port (alternate status/device
 * control). */
extern const mmio_ops piix_ide_cmd_ops;
extern const mmio_ops piix_ide_ctl_ops;
/* opaque = d: the 16 BMDMA ports (primary at +0, secondary at +8), BAR4's ops. */
extern const mmio_ops piix_ide_bmdma_ops;

#endif
