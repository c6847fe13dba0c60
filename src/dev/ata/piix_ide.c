/* PIIX3 IDE with ATAPI devices. References: Intel 82371FB/SB (PIIX/PIIX3) datasheet
 * §2.3 (IDE configuration: IDETIM 40-43h, SIDETIM 44h, BMIBA 20-23h), §2.7 (bus master
 * IDE registers) and §5.2.2 (bus master operation, PRD format); ATA/ATAPI-6 (T13/1410D)
 * §7 (registers), §8 (commands), §9.8-9.11 (PIO data-in and PACKET protocols) and §9.12
 * (software reset); SFF-8020i for the packet interrupt reason (nsect: CoD, I/O). QEMU's
 * hw/ide was read for what Linux's ata_piix/libata depends on: the signature after SRST,
 * status 0 for an absent slave, the BMDMA interrupt bit set by every channel interrupt,
 * DMA that starts when the host sets Start after writing the command packet. */
#include "dev/ata/piix_ide.h"

#include <string.h>

#include "core/bytes.h"

/* ATA error register. */
#define ATA_ER_ABRT 0x04
/* PACKET interrupt reason in the sector count register. */
#define IR_COD 0x01
#define IR_IO 0x02

enum {
    CMD_DEVICE_RESET = 0x08,
    CMD_EXEC_DIAG = 0x90,
    CMD_PACKET = 0xa0,
    CMD_IDENTIFY_PACKET = 0xa1,
    CMD_STANDBY_IMM = 0xe0,
    CMD_IDLE_IMM = 0xe1,
    CMD_STANDBY = 0xe2,
    CMD_IDLE = 0xe3,
    CMD_CHECK_POWER = 0xe5,
    CMD_SLEEP = 0xe6,
    CMD_IDENTIFY = 0xec,
    CMD_SET_FEATURES = 0xef,
};

/* IDETIM bit 15: IDE decode enable for the channel's legacy ports (PIIX3 §2.3.6). */
#define IDETIM_DECODE 0x8000u

static bool channel_empty(const ide_channel *ch)
{
    return !ch->dev[0].cd && !ch->dev[1].cd;
}

static bool decoding(const ide_channel *ch)
{
    const pci_function *f = &ch->owner->pci;
    return (pci_get_word(f, PCI_COMMAND) & PCI_COMMAND_IO) &&
           (pci_get_word(f, 0x40 + 2 * ch->index) & IDETIM_DECODE);
}

static void update_irq(ide_channel *ch)
{
    int level = ch->intrq && !(ch->ctrl & ATA_CTL_NIEN);
    if (level != ch->irq_level) {
        ch->irq_level = level;
        irq_set(&ch->irq, level);
    }
}

/* The device asserts INTRQ; the PIIX latches it in the bus-master status (§2.7.2 bit 2,
 * "set when the IDE device asserts its interrupt line"). */
static void raise_irq(ide_channel *ch)
{
    ch->intrq = true;
    ch->bm_status |= BM_ST_INTR;
    update_irq(ch);
}

static void lower_irq(ide_channel *ch)
{
    ch->intrq = false;
    update_irq(ch);
}

/* ATA/ATAPI-6 §9.12: after a reset a packet device shows its signature and leaves DRDY
 * clear; an absent device's registers keep an ATA-like signature and status 0. */
static void set_signature(ide_device *d, unsigned unit)
{
    d->nsect = 1;
    d->lbal = 1;
    d->lbam = d->cd ? 0x14 : 0;
    d->lbah = d->cd ? 0xeb : 0;
    d->select = (uint8_t)(unit << 4);
    d->error = d->cd ? 0x01 : 0x00;   /* diagnostic code 01h: no error */
    d->status = 0;
}

static void reset_devices(ide_channel *ch)
{
    for (unsigned i = 0; i < 2; i++) {
        set_signature(&ch->dev[i], i);
        if (ch->dev[i].cd)
            atapi_cdrom_reset(ch->dev[i].cd);
    }
    ch->sel = 0;
    ch->phase = IDE_IDLE;
    ch->atapi_left = 0;
    ch->buf_len = ch->buf_pos = 0;
    lower_irq(ch);
}

static void complete(ide_channel *ch, ide_device *d)
{
    d->status = ATA_ST_DRDY | ATA_ST_DSC;
    ch->phase = IDE_IDLE;
    raise_irq(ch);
}

static void abort_cmd(ide_channel *ch, ide_device *d)
{
    d->error = ATA_ER_ABRT;
    d->status = ATA_ST_DRDY | ATA_ST_ERR;
    ch->phase = IDE_IDLE;
    raise_irq(ch);
}

/* ATA string: two characters per word, the first in the high byte, space padded. */
static void id_string(uint8_t *id, unsigned word, unsigned words, const char *s)
{
    size_t n = strlen(s);
    for (unsigned i = 0; i < 2 * words; i++)
        id[2 * word + (i ^ 1)] = (uint8_t)(i < n ? s[i] : ' ');
}

static void id_word(uint8_t *id, unsigned word, uint16_t v)
{
    id[2 * word] = (uint8_t)v;
    id[2 * word + 1] = (uint8_t)(v >> 8);
}

/* IDENTIFY PACKET DEVICE data (ATA/ATAPI-6 §8.17, Table 32). */
static void identify_packet(const ide_device *d, uint8_t *id)
{
    memset(id, 0, 512);
    /* Word 0: ATAPI (10b), CD-ROM device type 05h, removable, DRQ within 50 µs of
     * PACKET (10b: no interrupt before the command packet), 12-byte packets. */
    id_word(id, 0, 0x85c0);
    id_string(id, 10, 10, "VMCD0001");
    id_string(id, 23, 4, "1.0");
    id_string(id, 27, 20, "VM CD-ROM");
    id_word(id, 49, 0x0f00);          /* IORDY, IORDY may be disabled, LBA, DMA */
    id_word(id, 53, 0x0006);          /* words 64-70 and 88 valid */
    uint16_t mw = 0x0007, udma = 0x003f;
    if (d->xfer_mode >= 0x20 && d->xfer_mode <= 0x22)
        mw |= (uint16_t)(0x100u << (d->xfer_mode - 0x20));
    if (d->xfer_mode >= 0x40 && d->xfer_mode <= 0x45)
        udma |= (uint16_t)(0x100u << (d->xfer_mode - 0x40));
    id_word(id, 63, mw);              /* multiword DMA 0-2 */
    id_word(id, 64, 0x0003);          /* PIO modes 3 and 4 */
    id_word(id, 65, 120);             /* cycle times, ns */
    id_word(id, 66, 120);
    id_word(id, 67, 120);
    id_word(id, 68, 120);
    id_word(id, 80, 0x00f0);          /* ATA/ATAPI-4 to -7 */
    id_word(id, 82, 0x0210);          /* PACKET and DEVICE RESET command sets */
    id_word(id, 83, 0x4000);
    id_word(id, 84, 0x4000);
    id_word(id, 85, 0x0210);
    id_word(id, 87, 0x4000);
    id_word(id, 88, udma);
}

static void start_pio_in(ide_channel *ch, ide_device *d, uint32_t len)
{
    ch->phase = IDE_PIO_IN;
    ch->active = ch->sel;
    ch->buf_len = len;
    ch->buf_pos = 0;
    d->status = ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ;
    raise_irq(ch);
}

/* End of a PACKET command: I/O and C/D set in the interrupt reason (SFF-8020i §5.13). */
static void packet_done(ide_channel *ch, ide_device *d)
{
    ch->phase = IDE_IDLE;
    ch->atapi_left = 0;
    d->nsect = IR_IO | IR_COD;
    if (d->cd->sense_key) {
        /* The sense key goes to the error register's high nibble (ATA/ATAPI-6 §8.23.7). */
        d->error = (uint8_t)(d->cd->sense_key << 4) | ATA_ER_ABRT;
        d->status = ATA_ST_DRDY | ATA_ST_ERR;
    } else {
        d->error = 0;
        d->status = ATA_ST_DRDY | ATA_ST_DSC;
    }
    raise_irq(ch);
}

/* Move the next DRQ block of PACKET data-in into buf: at most the byte count limit the
 * host put in LBA mid/high (§9.10: an odd limit is rounded down unless it is the end). */
static void packet_pio_block(ide_channel *ch, ide_device *d)
{
    uint32_t limit = (uint32_t)d->lbam | (uint32_t)d->lbah << 8;
    if (limit == 0 || limit == 0xffff)
        limit = 0xfffe;
    if (limit < 2)   /* a 1-byte limit would make empty even blocks */
        limit = 2;
    uint32_t n = ch->atapi_left < limit ? (uint32_t)ch->atapi_left : limit;
    if (n < ch->atapi_left)
        n &= ~1u;
    if (!atapi_cdrom_read_data(d->cd, ch->buf, n)) {
        packet_done(ch, d);
        return;
    }
    ch->atapi_left -= n;
    ch->buf_len = n;
    ch->buf_pos = 0;
    ch->phase = IDE_ATAPI_PIO;
    d->lbam = (uint8_t)n;
    d->lbah = (uint8_t)(n >> 8);
    d->nsect = IR_IO;
    d->status = ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ;
    raise_irq(ch);
}

/* A failed bus-master cycle (PRD or buffer outside RAM, wrong direction): the PIIX sets
 * Error and stops (§2.7.2 bit 1); the device's command is aborted. */
static void dma_fail(ide_channel *ch, ide_device *d)
{
    ch->bm_status = (uint8_t)((ch->bm_status | BM_ST_ERROR) & ~BM_ST_ACTIVE);
    ch->atapi_left = 0;
    ch->phase = IDE_IDLE;
    d->nsect = IR_IO | IR_COD;
    abort_cmd(ch, d);
}

/* Run the PRD table (§5.2.2: 8-byte entries of base, byte count with 0 = 64 KiB, EOT
 * in bit 31 of the second dword) for the pending PACKET data-in. */
static void run_dma(ide_channel *ch)
{
    if (ch->phase != IDE_ATAPI_DMA || !(ch->bm_cmd & BM_CMD_START))
        return;
    ide_device *d = &ch->dev[ch->active];
    bus *mem = ch->owner->mem;
    if (!(ch->bm_cmd & BM_CMD_WRITE) || !mem) {
        dma_fail(ch, d);
        return;
    }
    uint32_t prd = ch->bm_prd;
    for (;;) {
        uint8_t e[8];
        if (!bus_copy_from_ram(mem, prd, e, sizeof(e))) {
            dma_fail(ch, d);
            return;
        }
        uint32_t addr = le32_get(e) & ~1u, count = le32_get(e + 4) & 0xfffe;
        bool eot = e[7] & 0x80;
        if (count == 0)
            count = 0x10000;
        uint32_t n = ch->atapi_left < count ? (uint32_t)ch->atapi_left : count;
        for (uint32_t done = 0; done < n;) {
            uint32_t k = n - done < IDE_BUF_SIZE ? n - done : IDE_BUF_SIZE;
            if (!atapi_cdrom_read_data(d->cd, ch->buf, k)) {
                ch->bm_status &= (uint8_t)~BM_ST_ACTIVE;
                packet_done(ch, d);
                return;
            }
            if (!bus_copy_to_ram(mem, (uint64_t)addr + done, ch->buf, k)) {
                dma_fail(ch, d);
                return;
            }
            done += k;
        }
        ch->atapi_left -= n;
        if (ch->atapi_left == 0) {
            /* §5.2.2: the PRD table ran out with the transfer: Active clears; a table
             * longer than the transfer leaves Active set. Either way the device ends
             * the command with an interrupt. */
            if (eot && n == count)
                ch->bm_status &= (uint8_t)~BM_ST_ACTIVE;
            packet_done(ch, d);
            return;
        }
        if (eot) {
            /* The table is exhausted but the device has more: the bus master stops
             * without an interrupt and the device waits (a new table continues). */
            ch->bm_status &= (uint8_t)~BM_ST_ACTIVE;
            return;
        }
        prd += 8;
    }
}

static void packet_cdb(ide_channel *ch, ide_device *d)
{
    uint64_t len = 0;
    d->status = ATA_ST_DRDY | ATA_ST_BSY;
    if (!atapi_cdrom_exec(d->cd, ch->buf, &len) || len == 0) {
        packet_done(ch, d);
        return;
    }
    ch->atapi_left = len;
    if (d->feature & 0x01) {   /* DMA */
        ch->phase = IDE_ATAPI_DMA;
        d->nsect = IR_IO;
        d->status = ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ;
        run_dma(ch);
        return;
    }
    packet_pio_block(ch, d);
}

static bool set_features(ide_device *d)
{
    switch (d->feature) {
    case 0x03: {               /* set transfer mode (ATA/ATAPI-6 §8.37.10) */
        uint8_t m = d->nsect;
        if (m <= 0x01 || (m >= 0x08 && m <= 0x0c)) {
            d->xfer_mode = 0;
            return true;
        }
        if ((m >= 0x20 && m <= 0x22) || (m >= 0x40 && m <= 0x45)) {
            d->xfer_mode = m;
            return true;
        }
        return false;
    }
    case 0x02: case 0x82:      /* write cache, reverting to defaults: accepted */
    case 0x66: case 0xcc:
    case 0x55: case 0xaa:
        return true;
    }
    return false;
}

static void command(ide_channel *ch, uint8_t cmd)
{
    ide_device *d = &ch->dev[ch->sel];
    /* A command for an absent device is not seen by anyone (ATA/ATAPI-6 §9.2). */
    if (!d->cd || (ch->ctrl & ATA_CTL_SRST))
        return;
    lower_irq(ch);
    ch->phase = IDE_IDLE;
    ch->active = ch->sel;
    ch->atapi_left = 0;
    d->error = 0;
    switch (cmd) {
    case CMD_IDENTIFY_PACKET:
        identify_packet(d, ch->buf);
        start_pio_in(ch, d, 512);
        return;
    case CMD_PACKET:
        /* §9.11: no interrupt before the command packet (word 0 bits 6:5 = 10b). */
        ch->phase = IDE_PACKET_CDB;
        ch->buf_len = ATAPI_CDB_LEN;
        ch->buf_pos = 0;
        memset(ch->buf, 0, ATAPI_CDB_LEN);
        d->nsect = IR_COD;
        d->status = ATA_ST_DRDY | ATA_ST_DSC | ATA_ST_DRQ;
        return;
    case CMD_IDENTIFY:
        /* §8.16: a packet device aborts IDENTIFY DEVICE and shows its signature. */
        set_signature(d, ch->sel);
        abort_cmd(ch, d);
        return;
    case CMD_DEVICE_RESET:
        atapi_cdrom_reset(d->cd);
        set_signature(d, ch->sel);
        return;
    case CMD_EXEC_DIAG:
        for (unsigned i = 0; i < 2; i++)
            set_signature(&ch->dev[i], i);
        ch->sel = 0;
        raise_irq(ch);
        return;
    case CMD_SET_FEATURES:
        if (set_features(d))
            complete(ch, d);
        else
            abort_cmd(ch, d);
        return;
    case CMD_CHECK_POWER:
        d->nsect = 0xff;       /* active or idle */
        complete(ch, d);
        return;
    case CMD_STANDBY_IMM: case CMD_IDLE_IMM: case CMD_STANDBY: case CMD_IDLE:
    case CMD_SLEEP:
        complete(ch, d);
        return;
    }
    abort_cmd(ch, d);
}

static void data_read(ide_channel *ch, unsigned size, uint64_t *val)
{
    uint64_t v = 0;
    if (ch->active != ch->sel || (ch->phase != IDE_PIO_IN && ch->phase != IDE_ATAPI_PIO)) {
        *val = 0;
        return;
    }
    for (unsigned i = 0; i < size && ch->buf_pos < ch->buf_len; i++)
        v |= (uint64_t)ch->buf[ch->buf_pos++] << (8 * i);
    *val = v;
    if (ch->buf_pos < ch->buf_len)
        return;
    ide_device *d = &ch->dev[ch->active];
    if (ch->phase == IDE_PIO_IN) {
        ch->phase = IDE_IDLE;
        d->status = ATA_ST_DRDY | ATA_ST_DSC;
    } else if (ch->atapi_left) {
        packet_pio_block(ch, d);
    } else {
        packet_done(ch, d);
    }
}

static void data_write(ide_channel *ch, unsigned size, uint64_t val)
{
    if (ch->phase != IDE_PACKET_CDB || ch->active != ch->sel)
        return;
    for (unsigned i = 0; i < size && ch->buf_pos < ch->buf_len; i++)
        ch->buf[ch->buf_pos++] = (uint8_t)(val >> (8 * i));
    if (ch->buf_pos == ch->buf_len)
        packet_cdb(ch, &ch->dev[ch->active]);
}

static uint8_t status_of(const ide_channel *ch)
{
    const ide_device *d = &ch->dev[ch->sel];
    if (ch->ctrl & ATA_CTL_SRST)
        return ATA_ST_BSY;
    return d->cd ? d->status : 0;
}

static bool cmd_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    ide_channel *ch = opaque;
    if (!decoding(ch) || channel_empty(ch)) {   /* nothing drives the bus */
        *val = size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
        return true;
    }
    const ide_device *d = &ch->dev[ch->sel];
    uint8_t v = 0;
    switch (off) {
    case 0:
        data_read(ch, size, val);
        return true;
    case 1: v = d->error; break;
    case 2: v = d->nsect; break;
    case 3: v = d->lbal; break;
    case 4: v = d->lbam; break;
    case 5: v = d->lbah; break;
    case 6: v = (uint8_t)(d->select | 0xa0); break;
    case 7:
        v = status_of(ch);
        lower_irq(ch);   /* reading Status acknowledges INTRQ (§7.15) */
        break;
    default:
        v = 0xff;
    }
    *val = v;
    return true;
}

static bool cmd_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    ide_channel *ch = opaque;
    if (!decoding(ch))
        return true;
    uint8_t v = (uint8_t)val;
    for (unsigned i = 0; i < 2 && off >= 1 && off <= 6; i++) {
        ide_device *d = &ch->dev[i];
        switch (off) {
        case 1: d->feature = v; break;
        case 2: d->nsect = v; break;
        case 3: d->lbal = v; break;
        case 4: d->lbam = v; break;
        case 5: d->lbah = v; break;
        case 6: d->select = v & 0x5f; break;
        }
    }
    if (off == 0)
        data_write(ch, size, val);
    else if (off == 6) {
        ch->sel = (v >> 4) & 1;
        update_irq(ch);
    } else if (off == 7)
        command(ch, v);
    return true;
}

static bool ctl_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    ide_channel *ch = opaque;
    if (off != 0 || !decoding(ch) || channel_empty(ch)) {
        *val = 0xff;
        return true;
    }
    *val = status_of(ch);   /* alternate status: no interrupt acknowledge */
    return true;
}

static bool ctl_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    ide_channel *ch = opaque;
    if (off != 0 || !decoding(ch))
        return true;
    uint8_t old = ch->ctrl, v = (uint8_t)val;
    ch->ctrl = v & (ATA_CTL_NIEN | ATA_CTL_SRST | 0x80);
    if ((v & ATA_CTL_SRST) && !(old & ATA_CTL_SRST)) {
        ch->phase = IDE_IDLE;
        ch->atapi_left = 0;
        lower_irq(ch);
    } else if (!(v & ATA_CTL_SRST) && (old & ATA_CTL_SRST)) {
        reset_devices(ch);   /* §9.12: the reset completes when SRST is cleared */
    }
    update_irq(ch);
    return true;
}

const mmio_ops piix_ide_cmd_ops = { .read = cmd_read, .write = cmd_write };
const mmio_ops piix_ide_ctl_ops = { .read = ctl_read, .write = ctl_write };

static uint8_t bm_read8(ide_channel *ch, unsigned reg)
{
    switch (reg) {
    case 0: return ch->bm_cmd;
    case 2: return ch->bm_status;
    case 4: case 5: case 6: case 7: return (uint8_t)(ch->bm_prd >> (8 * (reg - 4)));
    }
    return 0;
}

static void bm_write8(ide_channel *ch, unsigned reg, uint8_t v)
{
    switch (reg) {
    case 0: {
        uint8_t old = ch->bm_cmd;
        ch->bm_cmd = v & (BM_CMD_START | BM_CMD_WRITE);
        if ((v & BM_CMD_START) && !(old & BM_CMD_START)) {
            ch->bm_status |= BM_ST_ACTIVE;
            run_dma(ch);
        } else if (!(v & BM_CMD_START)) {
            /* §2.7.1: clearing Start halts the bus master; state is lost. */
            ch->bm_status &= (uint8_t)~BM_ST_ACTIVE;
        }
        return;
    }
    case 2:
        /* Bits 6:5 drive DMA capable (read/write), 2:1 write-1-to-clear. */
        ch->bm_status = (uint8_t)((ch->bm_status & ~0x60 & ~(v & 0x06)) | (v & 0x60));
        return;
    case 4: case 5: case 6: case 7: {
        unsigned sh = 8 * (reg - 4);
        ch->bm_prd = (ch->bm_prd & ~(0xffu << sh)) | (uint32_t)v << sh;
        ch->bm_prd &= ~3u;   /* the table is dword aligned */
        return;
    }
    }
}

static bool bm_read(void *opaque, uint64_t off, unsigned size, uint64_t *val)
{
    piix_ide *d = opaque;
    uint64_t v = 0;
    for (unsigned i = 0; i < size && i < 8; i++) {
        uint64_t p = off + i;
        uint8_t b = p < PIIX_BMDMA_PORTS ? bm_read8(&d->ch[p >> 3], (unsigned)(p & 7)) : 0xff;
        v |= (uint64_t)b << (8 * i);
    }
    *val = v;
    return true;
}

static bool bm_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
    piix_ide *d = opaque;
    /* PRD address bytes first and the command byte last, so that a dword write that
     * sets both (not done by drivers, but legal) starts with the new table. */
    for (unsigned i = size < 8 ? size : 8; i-- > 0;) {
        uint64_t p = off + i;
        if (p < PIIX_BMDMA_PORTS)
            bm_write8(&d->ch[p >> 3], (unsigned)(p & 7), (uint8_t)(val >> (8 * i)));
    }
    return true;
}

const mmio_ops piix_ide_bmdma_ops = { .read = bm_read, .write = bm_write };

void piix_ide_reset(piix_ide *d)
{
    pci_function *f = &d->pci;
    pci_function_init(f, 0x8086, 0x7010, 0x00, 0x010180, 0x00);
    /* §2.3.2: only I/O space and bus master can be enabled. IOSE is set as the PC
     * firmware leaves it, so a guest booted without firmware reaches the ports. */
    pci_set_word(f, PCI_COMMAND, PCI_COMMAND_IO, PCI_COMMAND_IO | PCI_COMMAND_MASTER);
    pci_set_word(f, PCI_STATUS, 0x0280, 0);
    f->w1cmask[PCI_STATUS + 1] = 0x38;   /* signalled/received aborts */
    pci_function_set_bar(f, PIIX_IDE_BMDMA_BAR, PIIX_BMDMA_PORTS, true, &piix_ide_bmdma_ops, d);
    /* IDETIM (40-43h) with the decode enable bit as firmware sets it (SeaBIOS writes
     * 8000h; the power-on value is 0), SIDETIM (44h). */
    pci_set_word(f, 0x40, IDETIM_DECODE, 0xf3ff);   /* bits 11:10 reserved */
    pci_set_word(f, 0x42, IDETIM_DECODE, 0xf3ff);
    pci_set_byte(f, 0x44, 0, 0xff);
    for (unsigned i = 0; i < 2; i++) {
        ide_channel *ch = &d->ch[i];
        ch->ctrl = 0;
        ch->bm_cmd = 0;
        /* Bits 6:5 "drive DMA capable" are set by firmware for the drives it found. */
        ch->bm_status = (uint8_t)((ch->dev[0].cd ? 0x20 : 0) | (ch->dev[1].cd ? 0x40 : 0));
        ch->bm_prd = 0;
        for (unsigned u = 0; u < 2; u++) {
            ch->dev[u].xfer_mode = 0;
            ch->dev[u].feature = 0;
        }
        reset_devices(ch);
    }
}

void piix_ide_init(piix_ide *d, bus *mem, irq_line irq14, irq_line irq15)
{
    memset(d, 0, sizeof(*d));
    d->mem = mem;
    for (unsigned i = 0; i < 2; i++) {
        d->ch[i].owner = d;
        d->ch[i].index = i;
    }
    d->ch[0].irq = irq14;
    d->ch[1].irq = irq15;
    piix_ide_reset(d);
}

void piix_ide_attach_cdrom(piix_ide *d, unsigned channel, unsigned unit, atapi_cdrom *cd)
{
    if (channel > 1 || unit > 1)
        return;
    ide_channel *ch = &d->ch[channel];
    ch->dev[unit].cd = cd;
    set_signature(&ch->dev[unit], unit);
    ch->bm_status |= (uint8_t)(0x20u << unit);
}

bool piix_ide_register(piix_ide *d, pci_host *h, bus *io, vm_error *err)
{
    return pci_host_add(h, PIIX_IDE_DEV, PIIX_IDE_FN, &d->pci, err) &&
           bus_add_mmio(io, IDE_PRIMARY_PORT, IDE_CMD_PORTS, &piix_ide_cmd_ops, &d->ch[0],
                        "ide0", err) &&
           bus_add_mmio(io, IDE_PRIMARY_CTL_PORT, IDE_CTL_PORTS, &piix_ide_ctl_ops, &d->ch[0],
                        "ide0-ctl", err) &&
           bus_add_mmio(io, IDE_SECONDARY_PORT, IDE_CMD_PORTS, &piix_ide_cmd_ops, &d->ch[1],
                        "ide1", err) &&
           bus_add_mmio(io, IDE_SECONDARY_CTL_PORT, IDE_CTL_PORTS, &piix_ide_ctl_ops,
                        &d->ch[1], "ide1-ctl", err);
}
