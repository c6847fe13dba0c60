/* PIIX3 IDE with an ATAPI CD-ROM, driven through the I/O port bus the way Linux's
 * ata_piix/libata does: signatures after SRST, the absent-slave and empty-channel
 * answers, IDENTIFY (aborted) / IDENTIFY PACKET DEVICE, SET FEATURES, nIEN, PACKET with
 * PIO data-in in DRQ blocks sized by the byte count limit, and bus-master DMA from PRD
 * tables in guest RAM (exact, longer and shorter tables, bad addresses, wrong direction,
 * Start before the packet), then random register garbage. */
#include "dev/ata/piix_ide.h"

#include <stdlib.h>

#include "check.h"

#define NSECT 100u
#define BM 0xc000u

static uint8_t image[NSECT * CD_SECTOR];
static bus io, mem;
static pci_host h;
static piix_ide ide;
static atapi_cdrom cd;
static int irq_level[16], irq_rises[16];

static bool mem_read(void *opaque, uint64_t off, void *buf, size_t len)
{
    if (off + len > sizeof(image))
        return false;
    memcpy(buf, image + off, len);
    return true;
}

static void irq_fn(void *opaque, unsigned irq, int level)
{
    irq_rises[irq] += level && !irq_level[irq];
    irq_level[irq] = level;
}

static uint32_t in(unsigned port, unsigned size)
{
    uint64_t v = 0;
    if (!bus_read(&io, port, size, &v))
        return 0xdeadbeef;
    return (uint32_t)v;
}

static uint8_t inb(unsigned port)
{
    return (uint8_t)in(port, 1);
}

static void out(unsigned port, unsigned size, uint32_t v)
{
    bus_write(&io, port, size, v);
}

static void outb(unsigned port, uint8_t v)
{
    out(port, 1, v);
}

/* The result of a PACKET command run with PIO. */
typedef struct pkt {
    uint8_t status, error, reason;
    uint32_t len;                /* bytes received */
    unsigned blocks, irqs;       /* DRQ data blocks, interrupts seen */
    bool protocol_ok;            /* CoD/IO and byte counts as the protocol says */
} pkt;

static uint8_t rx[1 << 20];

static void send_cdb(const uint8_t *cdb)
{
    for (unsigned i = 0; i < 12; i += 2)
        out(0x1f0, 2, (uint32_t)cdb[i] | (uint32_t)cdb[i + 1] << 8);
}

static pkt packet_pio(const uint8_t *cdb, uint16_t limit, unsigned width)
{
    pkt p = { .protocol_ok = true };
    int rises = irq_rises[14];
    outb(0x1f1, 0);              /* PIO */
    outb(0x1f4, (uint8_t)limit);
    outb(0x1f5, (uint8_t)(limit >> 8));
    outb(0x1f7, 0xa0);
    uint8_t st = inb(0x3f6);
    p.protocol_ok &= (st & (ATA_ST_BSY | ATA_ST_DRQ)) == ATA_ST_DRQ && inb(0x1f2) == 1;
    p.protocol_ok &= irq_rises[14] == rises;   /* no interrupt before the packet */
    send_cdb(cdb);
    for (int guard = 0; guard < 100000; guard++) {
        st = inb(0x1f7);         /* acknowledges the interrupt */
        if (!(st & ATA_ST_DRQ))
            break;
        uint8_t reason = inb(0x1f2);
        uint32_t n = inb(0x1f4) | (uint32_t)inb(0x1f5) << 8;
        p.protocol_ok &= reason == 0x02 && n > 0;
        for (uint32_t i = 0; i < n; i += width) {
            uint32_t v = in(0x1f0, width);
            for (unsigned b = 0; b < width && i + b < n; b++)
                if (p.len + i + b < sizeof(rx))
                    rx[p.len + i + b] = (uint8_t)(v >> (8 * b));
        }
        p.len += n;
        p.blocks++;
    }
    p.status = st;
    p.error = inb(0x1f1);
    p.reason = inb(0x1f2);
    p.irqs = (unsigned)(irq_rises[14] - rises);
    p.protocol_ok &= p.reason == 0x03;
    return p;
}

#define CDB(...) ((const uint8_t[12]){ __VA_ARGS__ })

static void put_prd(uint32_t at, uint32_t addr, uint32_t count, bool eot)
{
    uint8_t e[8] = { (uint8_t)addr, (uint8_t)(addr >> 8), (uint8_t)(addr >> 16),
                     (uint8_t)(addr >> 24), (uint8_t)count, (uint8_t)(count >> 8), 0,
                     eot ? 0x80 : 0 };
    bus_copy_to_ram(&mem, at, e, sizeof(e));
}

/* Linux's order for ATAPI DMA: PRD and direction, PACKET + packet, then Start. */
static void dma_packet(const uint8_t *cdb, bool start_first, uint8_t dir)
{
    out(BM + 4, 4, 0x1000);
    outb(BM, dir);
    if (start_first)
        outb(BM, dir | BM_CMD_START);
    outb(0x1f1, 0x01);           /* DMA */
    outb(0x1f4, 0);
    outb(0x1f5, 0x80);
    outb(0x1f7, 0xa0);
    send_cdb(cdb);
    if (!start_first)
        outb(BM, dir | BM_CMD_START);
}

static void dma_end(void)
{
    outb(BM, BM_CMD_WRITE);
    outb(BM + 2, inb(BM + 2));
    (void)inb(0x1f7);
}

static bool ram_is_image(uint32_t ram, uint32_t lba, uint32_t len)
{
    static uint8_t tmp[1 << 17];
    return bus_copy_from_ram(&mem, ram, tmp, len) &&
           !memcmp(tmp, image + (size_t)lba * CD_SECTOR, len);
}

int main(void)
{
    vm_error err;
    for (size_t i = 0; i < sizeof(image); i++)
        image[i] = (uint8_t)(i ^ (i >> 11) * 37);
    bus_init(&io);
    bus_init(&mem);
    CHECK(bus_add_ram(&mem, 0, 1 * MiB, "ram", &err), "RAM");
    pci_host_init(&h);
    CHECK(pci_host_map(&h, &io, 0x1000, 0xf000, &mem, 0, 0, &err), "PCI mapped");
    piix_ide_init(&ide, &mem, (irq_line){ .set = irq_fn, .irq = 14 },
                  (irq_line){ .set = irq_fn, .irq = 15 });
    CHECK(piix_ide_register(&ide, &h, &io, &err), "IDE registered");
    atapi_cdrom_init(&cd);
    cd_media m = { .read = mem_read, .size = sizeof(image) };
    atapi_cdrom_set_media(&cd, &m);
    piix_ide_attach_cdrom(&ide, 0, 0, &cd);
    piix_ide_reset(&ide);

    /* Signatures and presence. */
    CHECK(inb(0x1f2) == 1 && inb(0x1f3) == 1 && inb(0x1f4) == 0x14 && inb(0x1f5) == 0xeb,
          "master: ATAPI signature 01/01/14/EB");
    CHECK_EQ(inb(0x1f1), 0x01, "master: diagnostic code 01h");
    CHECK_EQ(inb(0x1f7), 0x00, "master: status 0 after reset (packet device: no DRDY)");
    CHECK(inb(0x177) == 0xff && inb(0x171) == 0xff && inb(0x376) == 0xff,
          "empty secondary channel floats");
    outb(0x1f6, 0xb0);
    CHECK(inb(0x1f7) == 0 && inb(0x3f6) == 0, "absent slave: status 0");
    CHECK(inb(0x1f4) == 0 && inb(0x1f5) == 0, "absent slave: no ATAPI signature");
    outb(0x1f2, 0x55);
    outb(0x1f3, 0xaa);
    CHECK(inb(0x1f2) == 0x55 && inb(0x1f3) == 0xaa, "task file latched in both devices");
    outb(0x1f7, 0xa1);
    CHECK(inb(0x1f7) == 0 && !irq_level[14], "command to the absent slave: ignored");
    outb(0x1f6, 0xa0);
    CHECK(inb(0x1f2) == 0x55, "master saw the same writes");

    /* Software reset (ata_bus_softreset). */
    outb(0x3f6, ATA_CTL_NIEN | ATA_CTL_SRST);
    CHECK(inb(0x3f6) & ATA_ST_BSY, "BSY while SRST is set");
    outb(0x3f6, ATA_CTL_NIEN);
    CHECK(inb(0x1f4) == 0x14 && inb(0x1f5) == 0xeb && inb(0x1f2) == 1,
          "signature back after SRST");
    CHECK(!irq_level[14], "no interrupt from SRST");
    outb(0x3f6, 0);

    /* IDENTIFY DEVICE is aborted by a packet device. */
    outb(0x1f7, 0xec);
    CHECK(irq_level[14], "IDENTIFY DEVICE: interrupt");
    CHECK(inb(0x3f6) == (ATA_ST_DRDY | ATA_ST_ERR) && inb(0x1f1) == 0x04,
          "IDENTIFY DEVICE aborted");
    CHECK(inb(0x1f4) == 0x14 && inb(0x1f5) == 0xeb, "... with the signature");
    CHECK(irq_level[14], "alternate status does not acknowledge");
    (void)inb(0x1f7);
    CHECK(!irq_level[14], "status read acknowledges");

    /* IDENTIFY PACKET DEVICE. */
    outb(0x1f7, 0xa1);
    CHECK(irq_level[14] && (inb(0x1f7) & ATA_ST_DRQ), "IDENTIFY PACKET: DRQ and interrupt");
    uint16_t id[256];
    for (unsigned i = 0; i < 256; i++)
        id[i] = (uint16_t)in(0x1f0, 2);
    CHECK_EQ(id[0], 0x85c0, "word 0: ATAPI CD-ROM, removable, 12-byte packets");
    CHECK(id[27] == ('V' << 8 | 'M') && id[28] == (' ' << 8 | 'C'), "model string byte order");
    CHECK((id[49] & 0x0300) == 0x0300 && id[63] == 0x0007 && id[53] == 6, "LBA, DMA, MWDMA0-2");
    CHECK_EQ(inb(0x1f7), ATA_ST_DRDY | ATA_ST_DSC, "data drained: DRQ clear");
    CHECK_EQ(in(0x1f0, 2), 0, "data port idle reads 0");

    /* SET FEATURES, CHECK POWER MODE, an unknown command, nIEN. */
    outb(0x1f1, 0x03);
    outb(0x1f2, 0x22);
    outb(0x1f7, 0xef);
    CHECK(inb(0x1f7) == (ATA_ST_DRDY | ATA_ST_DSC), "SET FEATURES MWDMA2");
    outb(0x1f7, 0xa1);
    for (unsigned i = 0; i < 256; i++)
        id[i] = (uint16_t)in(0x1f0, 2);
    CHECK_EQ(id[63], 0x0407, "IDENTIFY shows MWDMA2 selected");
    outb(0x1f1, 0x03);
    outb(0x1f2, 0x30);
    outb(0x1f7, 0xef);
    CHECK(inb(0x1f7) & ATA_ST_ERR, "SET FEATURES with a bad mode: aborted");
    outb(0x1f7, 0xe5);
    CHECK(inb(0x1f2) == 0xff && !(inb(0x1f7) & ATA_ST_ERR), "CHECK POWER MODE: active");
    outb(0x1f7, 0xc8);
    CHECK(inb(0x1f1) == 0x04 && (inb(0x1f7) & ATA_ST_ERR), "READ DMA: aborted");
    outb(0x3f6, ATA_CTL_NIEN);
    int r = irq_rises[14];
    outb(0x1f7, 0xe5);
    CHECK(irq_rises[14] == r && !irq_level[14], "nIEN: no interrupt");
    outb(0x3f6, 0);
    CHECK(irq_level[14], "clearing nIEN shows the pending interrupt");
    (void)inb(0x1f7);
    outb(0x1f7, 0x90);
    CHECK(irq_level[14] && inb(0x1f1) == 1 && inb(0x1f4) == 0x14, "EXECUTE DEVICE DIAGNOSTIC");
    (void)inb(0x1f7);

    /* PACKET with PIO. */
    pkt p = packet_pio(CDB(0x00), 0x8000, 2);
    CHECK(p.protocol_ok && (p.status & ATA_ST_ERR) && p.error == 0x64 && p.len == 0,
          "TUR after insertion: UNIT ATTENTION in the error register");
    p = packet_pio(CDB(0x03, 0, 0, 0, 18), 0x8000, 2);
    CHECK(p.protocol_ok && !(p.status & ATA_ST_ERR) && p.len == 18 && rx[2] == 6 &&
              rx[12] == 0x28,
          "REQUEST SENSE over PIO: 06/28");
    CHECK_EQ(p.irqs, 2, "one interrupt for the data, one for the end");
    p = packet_pio(CDB(0x00), 0x8000, 2);
    CHECK(p.protocol_ok && p.status == (ATA_ST_DRDY | ATA_ST_DSC) && p.irqs == 1, "TUR: good");
    p = packet_pio(CDB(0x28, 0, 0, 0, 0, 3, 0, 0, 40), 0x8000, 2);
    CHECK(p.protocol_ok && p.len == 40 * CD_SECTOR && p.blocks == 3 && p.irqs == 4,
          "READ(10) 40 sectors: three DRQ blocks of at most 32 KiB");
    CHECK(!memcmp(rx, image + 3 * CD_SECTOR, 40 * CD_SECTOR), "READ(10) data");
    p = packet_pio(CDB(0x28, 0, 0, 0, 0, 9, 0, 0, 1), 2047, 2);
    CHECK(p.protocol_ok && p.len == 2048 && p.blocks == 2 &&
              !memcmp(rx, image + 9 * CD_SECTOR, CD_SECTOR),
          "odd byte count limit: even blocks (2046 + 2)");
    p = packet_pio(CDB(0x12, 0, 0, 0, 36), 1, 2);
    CHECK(p.protocol_ok && p.len == 36 && p.blocks == 18 && rx[0] == 0x05,
          "byte count limit 1: 2-byte blocks");
    p = packet_pio(CDB(0xa8, 0, 0, 0, 0, 10, 0, 0, 0, 33), 0, 4);
    CHECK(p.protocol_ok && p.len == 33 * CD_SECTOR && p.blocks == 2 &&
              !memcmp(rx, image + 10 * CD_SECTOR, 33 * CD_SECTOR),
          "READ(12), limit 0 taken as FFFEh, 32-bit data port");
    p = packet_pio(CDB(0x28, 0, 0, 0, 0, 99, 0, 0, 2), 0x8000, 2);
    CHECK(p.protocol_ok && (p.status & ATA_ST_ERR) && p.error == 0x54 && p.len == 0,
          "READ past the end: ILLEGAL REQUEST");
    p = packet_pio(CDB(0x03, 0, 0, 0, 18), 0x8000, 2);
    CHECK(p.len == 18 && rx[2] == 5 && rx[12] == 0x21, "sense: LBA out of range");
    p = packet_pio(CDB(0x03, 0, 0, 0, 8), 0x8000, 2);
    CHECK(p.len == 8, "REQUEST SENSE with a short allocation length");
    p = packet_pio(CDB(0x43, 2, 0, 0, 0, 0, 0, 0, 12), 0x8000, 2);
    CHECK(p.len == 12 && rx[1] == 18, "READ TOC truncated to 12 bytes");
    p = packet_pio(CDB(0xee), 0x8000, 2);
    CHECK((p.status & ATA_ST_ERR) && p.error == 0x54, "unknown opcode: ILLEGAL REQUEST");

    /* Bus-master DMA. */
    pci_host_config_write(&h, PCI_DEVFN(1, 1), 0x20, 4, BM);
    pci_host_config_write(&h, PCI_DEVFN(1, 1), PCI_COMMAND, 2,
                          PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    CHECK_EQ(inb(BM + 2) & 0x61, 0x20, "BMDMA status: drive 0 DMA capable, idle");
    CHECK(inb(BM + 2) & BM_ST_INTR, "PIO interrupts also latched in the BMDMA status");
    outb(BM + 2, inb(BM + 2));   /* ata_bmdma_irq_clear */
    CHECK_EQ(inb(BM + 2), 0x20, "Interrupt is write-1-to-clear, DMA capable read/write");
    put_prd(0x1000, 0x10000, 0x1000, false);
    put_prd(0x1008, 0x20000, 0x0800, true);
    r = irq_rises[14];
    dma_packet(CDB(0x28, 0, 0, 0, 0, 20, 0, 0, 3), false, BM_CMD_WRITE);
    CHECK((inb(BM + 2) & 7) == BM_ST_INTR && irq_rises[14] == r + 1,
          "exact PRD table: Interrupt set, Active clear, one interrupt");
    CHECK(inb(0x1f7) == (ATA_ST_DRDY | ATA_ST_DSC) && inb(0x1f2) == 3, "ATA status: done");
    CHECK(ram_is_image(0x10000, 20, 4096) && ram_is_image(0x20000, 22, 2048),
          "DMA data scattered to both PRD buffers");
    dma_end();
    CHECK_EQ(inb(BM + 2) & 7, 0, "Interrupt cleared by writing 1");

    put_prd(0x1000, 0x30000, 0x0000, true);   /* 64 KiB */
    dma_packet(CDB(0x28, 0, 0, 0, 0, 30, 0, 0, 2), false, BM_CMD_WRITE);
    CHECK((inb(BM + 2) & 7) == (BM_ST_INTR | BM_ST_ACTIVE) && ram_is_image(0x30000, 30, 4096),
          "PRD longer than the transfer: Active stays set with Interrupt");
    dma_end();

    put_prd(0x1000, 0x40000, 0x0800, true);
    r = irq_rises[14];
    dma_packet(CDB(0x28, 0, 0, 0, 0, 40, 0, 0, 3), false, BM_CMD_WRITE);
    CHECK((inb(BM + 2) & 7) == 0 && irq_rises[14] == r && (inb(0x3f6) & ATA_ST_DRQ),
          "PRD table shorter: bus master stops, no interrupt, device waits");
    outb(BM, BM_CMD_WRITE);
    put_prd(0x1000, 0x40800, 0x1000, true);
    outb(BM, BM_CMD_WRITE | BM_CMD_START);
    CHECK((inb(BM + 2) & 7) == BM_ST_INTR && irq_rises[14] == r + 1 &&
              ram_is_image(0x40000, 40, 3 * 2048),
          "a second table finishes the transfer");
    dma_end();

    put_prd(0x1000, 0x50000, 0x0800, true);
    dma_packet(CDB(0x28, 0, 0, 0, 0, 50, 0, 0, 1), true, BM_CMD_WRITE);
    CHECK((inb(BM + 2) & 7) == BM_ST_INTR && ram_is_image(0x50000, 50, 2048),
          "Start before the packet: runs when the data is ready");
    dma_end();

    put_prd(0x1000, 0xf0000000u, 0x0800, true);
    r = irq_rises[14];
    dma_packet(CDB(0x28, 0, 0, 0, 0, 50, 0, 0, 1), false, BM_CMD_WRITE);
    CHECK((inb(BM + 2) & 7) == (BM_ST_INTR | BM_ST_ERROR) && (inb(0x3f6) & ATA_ST_ERR) &&
              irq_rises[14] == r + 1,
          "buffer outside RAM: bus master error, command aborted");
    dma_end();
    out(BM + 4, 4, 0xfff00000u);
    outb(BM, BM_CMD_WRITE);
    outb(0x1f1, 0x01);
    outb(0x1f7, 0xa0);
    send_cdb(CDB(0x28, 0, 0, 0, 0, 50, 0, 0, 1));
    outb(BM, BM_CMD_WRITE | BM_CMD_START);
    CHECK((inb(BM + 2) & BM_ST_ERROR) && (inb(0x3f6) & ATA_ST_ERR),
          "PRD table outside RAM: error");
    dma_end();
    put_prd(0x1000, 0x50000, 0x0800, true);
    dma_packet(CDB(0x28, 0, 0, 0, 0, 50, 0, 0, 1), false, 0);
    CHECK((inb(BM + 2) & BM_ST_ERROR) && (inb(0x3f6) & ATA_ST_ERR),
          "bus master reading memory for a data-in command: error");
    dma_end();
    r = irq_rises[14];
    dma_packet(CDB(0x00), false, BM_CMD_WRITE);
    CHECK(irq_rises[14] == r + 1 && inb(0x1f7) == (ATA_ST_DRDY | ATA_ST_DSC),
          "DMA PACKET without data completes at once");
    dma_end();
    dma_packet(CDB(0x28, 0, 0, 0, 0, 200, 0, 0, 1), false, BM_CMD_WRITE);
    CHECK((inb(0x1f7) & ATA_ST_ERR) && inb(0x1f1) == 0x54, "DMA READ of a bad LBA: CHECK");
    dma_end();
    p = packet_pio(CDB(0x25), 0x8000, 2);
    CHECK(p.len == 8 && rx[3] == NSECT - 1, "PIO still fine after the DMA errors");

    /* Decode enable off: the channel disappears. */
    pci_host_config_write(&h, PCI_DEVFN(1, 1), 0x41, 1, 0x00);
    CHECK(inb(0x1f7) == 0xff && inb(0x3f6) == 0xff, "IDETIM decode disabled: ports float");
    pci_host_config_write(&h, PCI_DEVFN(1, 1), 0x41, 1, 0x80);

    /* Garbage. */
    srand(7);
    static const unsigned ports[] = { 0x1f0, 0x1f1, 0x1f2, 0x1f3, 0x1f4, 0x1f5, 0x1f6, 0x1f7,
                                      0x3f6, 0x170, 0x177, 0x376, BM, BM + 2, BM + 4, BM + 8,
                                      BM + 10, BM + 12 };
    for (int i = 0; i < 500000; i++) {
        unsigned port = ports[(unsigned)rand() % (sizeof(ports) / sizeof(ports[0]))];
        unsigned size = 1u << ((unsigned)rand() % 3);
        uint32_t v = (uint32_t)rand() ^ (uint32_t)rand() << 16;
        if (port == 0x1f7 && (rand() & 1))
            v = (uint32_t)((const uint8_t[]){ 0xa0, 0xa1, 0xec, 0x08, 0x90, 0xef })[rand() % 6];
        if ((port == BM + 4 || port == BM + 12) && (rand() & 1))
            v &= 0xffff;   /* a PRD table inside RAM */
        if (rand() & 1)
            out(port, size, v);
        else
            (void)in(port, size);
        if ((i & 0xffff) == 0)
            for (unsigned a = 0; a < 0x10000; a += 8)
                put_prd(a, (uint32_t)rand() & 0xfffff, (uint32_t)rand(), rand() & 1);
    }
    CHECK(true, "500000 random port accesses");
    outb(BM, 0);
    outb(0x3f6, ATA_CTL_SRST);
    outb(0x3f6, 0);
    outb(0x1f6, 0xa0);
    outb(0x1f7, 0xa1);
    for (unsigned i = 0; i < 256; i++)
        id[i] = (uint16_t)in(0x1f0, 2);
    CHECK_EQ(id[0], 0x85c0, "SRST recovers the drive after the garbage");
    bus_destroy(&io);
    bus_destroy(&mem);
    return check_done();
}
