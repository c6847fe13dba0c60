/* ATAPI CD-ROM command set. References: SCSI Primary Commands-3 (SPC-3: INQUIRY §6.4,
 * REQUEST SENSE §6.27 and fixed sense data §4.5.3, TEST UNIT READY §6.33, PREVENT ALLOW
 * MEDIUM REMOVAL §6.13, MODE SENSE(10) §6.10), SCSI Block Commands (READ CAPACITY(10),
 * READ(10), READ(12), SEEK(10), START STOP UNIT) and MMC-5 (READ TOC/PMA/ATIP §6.32, GET
 * CONFIGURATION §6.6 and the features of §5.3, GET EVENT STATUS NOTIFICATION §6.7, READ
 * DISC INFORMATION §6.26, MECHANISM STATUS §6.11, SET CD SPEED §6.38, the capabilities
 * mode page §7.8 of MMC-3). Linux's sr/cdrom drivers and udev's cdrom_id probe with
 * these; like QEMU's drive we report a single-session, single-track data CD. */
#include "dev/ata/atapi_cdrom.h"

#include <string.h>

/* Operation codes. */
enum {
    OP_TEST_UNIT_READY = 0x00,
    OP_REQUEST_SENSE = 0x03,
    OP_INQUIRY = 0x12,
    OP_START_STOP_UNIT = 0x1b,
    OP_PREVENT_ALLOW = 0x1e,
    OP_READ_CAPACITY = 0x25,
    OP_READ10 = 0x28,
    OP_SEEK10 = 0x2b,
    OP_READ_TOC = 0x43,
    OP_GET_CONFIGURATION = 0x46,
    OP_GESN = 0x4a,
    OP_READ_DISC_INFO = 0x51,
    OP_READ_TRACK_INFO = 0x52,
    OP_MODE_SENSE10 = 0x5a,
    OP_READ12 = 0xa8,
    OP_SET_CD_SPEED = 0xbb,
    OP_MECHANISM_STATUS = 0xbd,
};

/* Additional sense codes (SPC-3 Annex D). */
#define ASC_INVALID_OPCODE 0x20
#define ASC_LBA_OUT_OF_RANGE 0x21
#define ASC_INVALID_FIELD 0x24
#define ASC_MEDIUM_CHANGED 0x28
#define ASC_SAVING_NOT_SUPPORTED 0x39
#define ASC_NO_MEDIUM 0x3a
#define ASC_REMOVAL_PREVENTED 0x53
#define ASC_UNRECOVERED_READ 0x11

/* GESN media event codes (MMC-5 §6.7.2.5). */
#define EV_NEW_MEDIA 2
#define EV_MEDIA_REMOVAL 3

#define PROFILE_CDROM 0x0008

static void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

static uint32_t get16(const uint8_t *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t get32(const uint8_t *p)
{
    return get16(p) << 16 | get16(p + 2);
}

static bool check(atapi_cdrom *cd, uint8_t key, uint8_t asc, uint8_t ascq)
{
    cd->sense_key = key;
    cd->asc = asc;
    cd->ascq = ascq;
    return false;
}

static bool present(const atapi_cdrom *cd)
{
    return cd->has_media && !cd->tray_open;
}

/* MMC-5 §4.1.6: NOT READY / MEDIUM NOT PRESENT, ASCQ 1 = tray closed, 2 = tray open. */
static bool need_medium(atapi_cdrom *cd)
{
    if (present(cd))
        return true;
    return check(cd, SENSE_NOT_READY, ASC_NO_MEDIUM, cd->tray_open ? 2 : 1);
}

static uint64_t sectors(const atapi_cdrom *cd)
{
    return cd->media.size / CD_SECTOR + (cd->media.size % CD_SECTOR != 0);
}

/* Data-in of `len` bytes already built in cd->reply, cut to the allocation length. */
static bool reply(atapi_cdrom *cd, uint32_t len, uint32_t alloc, uint64_t *data_len)
{
    if (len > ATAPI_REPLY_MAX)
        len = ATAPI_REPLY_MAX;
    cd->reply_len = len < alloc ? len : alloc;
    *data_len = cd->reply_len;
    return true;
}

/* A TOC address: LBA, or MSF with the 2-second (150-frame) pregap of MMC-5 §6.32.2. */
static void put_addr(uint8_t *p, uint64_t lba, bool msf)
{
    if (!msf) {
        put32(p, lba > 0xffffffffu ? 0xffffffffu : (uint32_t)lba);
        return;
    }
    uint64_t f = lba + 150;
    if (f > 255ull * 60 * 75)   /* beyond what a minute byte holds: saturate */
        f = 255ull * 60 * 75;
    p[0] = 0;
    p[1] = (uint8_t)(f / (60 * 75));
    p[2] = (uint8_t)(f / 75 % 60);
    p[3] = (uint8_t)(f % 75);
}

static bool inquiry(atapi_cdrom *cd, const uint8_t *cdb, uint64_t *data_len)
{
    uint8_t *r = cd->reply;
    uint32_t alloc = get16(cdb + 3);
    if (cdb[1] & 0x01) {
        /* SPC-3 §7.6: the supported-pages and unit serial number VPD pages, which
         * Linux asks for once libata reports the device as SPC-3. */
        if (cdb[2] == 0x00) {
            r[0] = 0x05;
            r[3] = 2;
            r[5] = 0x80;
            return reply(cd, 6, alloc, data_len);
        }
        if (cdb[2] == 0x80) {
            r[0] = 0x05;
            r[1] = 0x80;
            r[3] = 8;
            memcpy(r + 4, "VMCD0001", 8);
            return reply(cd, 12, alloc, data_len);
        }
        return check(cd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
    }
    if (cdb[2] != 0)
        return check(cd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
    r[0] = 0x05;           /* CD/DVD device */
    r[1] = 0x80;           /* removable */
    r[2] = 0x05;           /* SPC-3 */
    r[3] = 0x02;           /* response data format 2 */
    r[4] = 36 - 5;
    memcpy(r + 8, "VM      ", 8);
    memcpy(r + 16, "VM CD-ROM       ", 16);
    memcpy(r + 32, "1.0 ", 4);
    return reply(cd, 36, alloc, data_len);
}

static bool request_sense(atapi_cdrom *cd, const uint8_t *cdb, uint64_t *data_len)
{
    uint8_t *r = cd->reply;
    r[0] = 0x70;           /* current error, fixed format (SPC-3 §4.5.3) */
    r[2] = cd->sense_key;
    r[7] = 18 - 8;
    r[12] = cd->asc;
    r[13] = cd->ascq;
    cd->sense_key = cd->asc = cd->ascq = 0;
    return reply(cd, 18, cdb[4], data_len);
}

static bool read_capacity(atapi_cdrom *cd, uint64_t *data_len)
{
    if (!need_medium(cd))
        return false;
    uint64_t n = sectors(cd);
    uint64_t last = n ? n - 1 : 0;
    put32(cd->reply, last > 0xffffffffu ? 0xffffffffu : (uint32_t)last);
    put32(cd->reply + 4, CD_SECTOR);
    return reply(cd, 8, 8, data_len);
}

static bool read_sectors(atapi_cdrom *cd, uint64_t lba, uint64_t count, uint64_t *data_len)
{
    if (!need_medium(cd))
        return false;
    if (lba + count > sectors(cd))
        return check(cd, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
    cd->lba = lba;
    cd->read_left = count * CD_SECTOR;
    *data_len = cd->read_left;
    return true;
}

static bool read_toc(atapi_cdrom *cd, const uint8_t *cdb, uint64_t *data_len)
{
    if (!need_medium(cd))
        return false;
    bool msf = cdb[1] & 0x02;
    unsigned format = cdb[2] & 0x0f;
    /* MMC-5 §6.32.2.2: older drives took the format from bits 7-6 of byte 9, which
     * Linux's sr_vendor.c still uses to ask for the session info. */
    if (format == 0)
        format = cdb[9] >> 6;
    unsigned track = cdb[6];
    uint32_t alloc = get16(cdb + 7);
    uint64_t leadout = sectors(cd);
    uint8_t *r = cd->reply;
    uint32_t len;
    switch (format) {
    case 0:
        if (track > 1 && track != 0xaa)
            return check(cd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        r[2] = 1;
        r[3] = 1;
        len = 4;
        if (track <= 1) {
            r[len + 1] = 0x14;   /* ADR 1 (Q sub-channel position), control 4 (data) */
            r[len + 2] = 1;
            put_addr(r + len + 4, 0, msf);
            len += 8;
        }
        r[len + 1] = 0x14;
        r[len + 2] = 0xaa;       /* lead-out */
        put_addr(r + len + 4, leadout, msf);
        len += 8;
        break;
    case 1:                      /* session info: the first track of the last session */
        r[2] = 1;
        r[3] = 1;
        r[5] = 0x14;
        r[6] = 1;
        put_addr(r + 8, 0, msf);
        len = 12;
        break;
    case 2: {                    /* raw TOC: points A0, A1, A2 and track 1, in MSF */
        static const uint8_t points[] = { 0xa0, 0xa1, 0xa2, 0x01 };
        r[2] = 1;
        r[3] = 1;
        len = 4;
        for (unsigned i = 0; i < 4; i++, len += 11) {
            uint8_t *d = r + len;
            uint8_t pmsf[4];
            d[0] = 1;            /* session */
            d[1] = 0x14;
            d[3] = points[i];
            if (points[i] == 0xa0) {
                d[8] = 1;        /* first track; PSEC = 0: CD-DA or CD-ROM disc */
            } else if (points[i] == 0xa1) {
                d[8] = 1;        /* last track */
            } else {
                put_addr(pmsf, points[i] == 0xa2 ? leadout : 0, true);
                memcpy(d + 8, pmsf + 1, 3);
            }
        }
        break;
    }
    default:
        return check(cd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
    }
    put16(r, len - 2);
    return reply(cd, len, alloc, data_len);
}

/* One feature descriptor (MMC-5 §5.2.2) at p; returns its length, 0 if not listed. */
static uint32_t feature(const atapi_cdrom *cd, unsigned code, uint8_t *p)
{
    bool cur = present(cd);
    put16(p, code);
    switch (code) {
    case 0x0000:                 /* Profile List: only CD-ROM */
        p[2] = 0x03;             /* persistent, current */
        p[3] = 4;
        put16(p + 4, PROFILE_CDROM);
        p[6] = cur ? 0x01 : 0x00;
        return 8;
    case 0x0001:                 /* Core, version 1: ATAPI interface */
        p[2] = 0x04 | 0x03;
        p[3] = 8;
        put32(p + 4, 0x00000002);
        return 12;
    case 0x0002:                 /* Morphing: OCEvent (we answer polled GESN only) */
        p[2] = 0x04 | 0x03;
        p[3] = 4;
        p[4] = 0x02;
        return 8;
    case 0x0003:                 /* Removable Medium: tray, load, eject, lock */
        p[2] = 0x03;
        p[3] = 4;
        p[4] = 0x20 | 0x10 | 0x08 | 0x01;
        return 8;
    case 0x0010:                 /* Random Readable: 2048-byte blocks */
        p[2] = cur ? 0x01 : 0x00;
        p[3] = 8;
        put32(p + 4, CD_SECTOR);
        put16(p + 8, 1);
        return 12;
    case 0x001e:                 /* CD Read */
        p[2] = cur ? 0x01 : 0x00;
        p[3] = 4;
        return 8;
    }
    return 0;
}

static bool get_configuration(atapi_cdrom *cd, const uint8_t *cdb, uint64_t *data_len)
{
    static const unsigned codes[] = { 0x0000, 0x0001, 0x0002, 0x0003, 0x0010, 0x001e };
    unsigned rt = cdb[1] & 0x03, start = get16(cdb + 2);
    uint8_t *r = cd->reply;
    if (rt == 3)
        return check(cd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
    put16(r + 6, present(cd) ? PROFILE_CDROM : 0);
    uint32_t len = 8;
    for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        uint8_t *p = r + len;
        if (codes[i] < start || (rt == 2 && codes[i] != start))
            continue;
        uint32_t n = feature(cd, codes[i], p);
        if (rt == 1 && !(p[2] & 0x01)) {   /* current features only */
            memset(p, 0, n);
            continue;
        }
        len += n;
    }
    put32(r, len - 4);
    return reply(cd, len, get16(cdb + 7), data_len);
}

static bool event_status(atapi_cdrom *cd, const uint8_t *cdb, uint64_t *data_len)
{
    uint8_t *r = cd->reply;
    /* MMC-5 §6.7.1: asynchronous notification is not supported, so Polled must be 1. */
    if (!(cdb[1] & 0x01))
        return check(cd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
    r[3] = 0x10;                 /* supported classes: media */
    if (!(cdb[4] & 0x10)) {
        put16(r, 2);
        r[2] = 0x80;             /* NEA: no event of the requested classes */
        return reply(cd, 4, get16(cdb + 7), data_len);
    }
    put16(r, 6);
    r[2] = 0x04;                 /* media class */
    r[4] = cd->media_event;
    r[5] = (uint8_t)((present(cd) ? 0x02 : 0) | (cd->tray_open ? 0x01 : 0));
    cd->media_event = 0;
    return reply(cd, 8, get16(cdb + 7), data_len);
}

static uint32_t page_error_recovery(uint8_t *p, bool changeable)
{
    p[0] = 0x01;
    p[1] = 0x0a;
    if (!changeable)
        p[3] = 5;                /* read retry count */
    return 12;
}

static uint32_t page_capabilities(const atapi_cdrom *cd, uint8_t *p, bool changeable)
{
    p[0] = 0x2a;
    p[1] = 0x14;
    if (changeable)
        return 22;
    p[4] = 0x40;                 /* multi-session (isofs reads the last session) */
    /* Linux's sr reads the lock/eject bits and the loading mechanism (tray) from here. */
    p[6] = (uint8_t)(0x20 | 0x08 | 0x01 | (cd->locked ? 0x02 : 0));
    put16(p + 8, 706);           /* maximum speed 4x, kB/s */
    put16(p + 12, 512);          /* buffer size, KiB */
    put16(p + 14, 706);          /* current speed */
    return 22;
}

static bool mode_sense(atapi_cdrom *cd, const uint8_t *cdb, uint64_t *data_len)
{
    unsigned page = cdb[2] & 0x3f, pc = cdb[2] >> 6;
    uint8_t *r = cd->reply;
    if (pc == 3)
        return check(cd, SENSE_ILLEGAL_REQUEST, ASC_SAVING_NOT_SUPPORTED, 0);
    if (cdb[3] != 0 || (page != 0x01 && page != 0x2a && page != 0x3f))
        return check(cd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
    uint32_t len = 8;            /* header, no block descriptors */
    if (page == 0x01 || page == 0x3f)
        len += page_error_recovery(r + len, pc == 1);
    if (page == 0x2a || page == 0x3f)
        len += page_capabilities(cd, r + len, pc == 1);
    put16(r, len - 2);
    return reply(cd, len, get16(cdb + 7), data_len);
}

static bool start_stop(atapi_cdrom *cd, const uint8_t *cdb)
{
    bool loej = cdb[4] & 0x02, start = cdb[4] & 0x01;
    if ((cdb[4] >> 4) != 0 || !loej)   /* power conditions / spin up-down: nothing to do */
        return true;
    if (start) {
        if (cd->tray_open) {
            cd->tray_open = false;
            if (cd->has_media) {
                cd->media_event = EV_NEW_MEDIA;
                cd->unit_attention = true;
            }
        }
        return true;
    }
    if (cd->locked)
        return check(cd, SENSE_ILLEGAL_REQUEST, ASC_REMOVAL_PREVENTED, 2);
    if (!cd->tray_open && cd->has_media)
        cd->media_event = EV_MEDIA_REMOVAL;
    cd->tray_open = true;
    return true;
}

static bool disc_info(atapi_cdrom *cd, const uint8_t *cdb, uint64_t *data_len)
{
    if (!need_medium(cd))
        return false;
    if ((cdb[1] & 0x07) != 0)    /* only the standard disc information block */
        return check(cd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
    uint8_t *r = cd->reply;
    put16(r, 32);
    r[2] = 0x0e;                 /* last session complete, disc complete (not erasable) */
    r[3] = 1;                    /* first track */
    r[4] = 1;                    /* sessions */
    r[5] = 1;                    /* first track in last session */
    r[6] = 1;                    /* last track in last session */
    r[8] = 0x00;                 /* CD-DA or CD-ROM */
    put32(r + 16, 0xffffffffu);  /* no next session: lead-in and lead-out unknown */
    put32(r + 20, 0xffffffffu);
    return reply(cd, 34, get16(cdb + 7), data_len);
}

/* MMC-5 §6.27: Linux's cdrom_get_last_written asks for the track holding an LBA. */
static bool track_info(atapi_cdrom *cd, const uint8_t *cdb, uint64_t *data_len)
{
    if (!need_medium(cd))
        return false;
    uint32_t addr = get32(cdb + 2);
    uint64_t n = sectors(cd);
    switch (cdb[1] & 0x03) {
    case 0:                      /* LBA */
        if (addr >= n)
            return check(cd, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
        break;
    case 1:                      /* track number */
    case 2:                      /* session number */
        if (addr != 1)
            return check(cd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
        break;
    default:
        return check(cd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD, 0);
    }
    uint8_t *r = cd->reply;
    uint32_t size = n > 0xffffffffu ? 0xffffffffu : (uint32_t)n;
    put16(r, 34);
    r[2] = 1;                    /* track */
    r[3] = 1;                    /* session */
    r[5] = 0x04;                 /* data track, recorded uninterrupted */
    r[6] = 0x01;                 /* data mode 1 */
    put32(r + 24, size);         /* track size */
    put32(r + 28, size ? size - 1 : 0);   /* last recorded address */
    return reply(cd, 36, get16(cdb + 7), data_len);
}

static bool mechanism_status(atapi_cdrom *cd, const uint8_t *cdb, uint64_t *data_len)
{
    uint8_t *r = cd->reply;
    r[1] = cd->tray_open ? 0x10 : 0x00;   /* mechanism idle, door open bit */
    return reply(cd, 8, get16(cdb + 8), data_len);
}

bool atapi_cdrom_exec(atapi_cdrom *cd, const uint8_t cdb[ATAPI_CDB_LEN], uint64_t *data_len)
{
    uint8_t op = cdb[0];
    memset(cd->reply, 0, sizeof(cd->reply));
    cd->reply_len = cd->reply_pos = 0;
    cd->read_left = 0;
    cd->sector_pos = CD_SECTOR;
    *data_len = 0;
    /* SPC-3 §5.9.7 and MMC-5 §6.7: a pending unit attention fails any command except
     * these three, and is reported once. */
    if (op != OP_INQUIRY && op != OP_REQUEST_SENSE && op != OP_GESN && cd->unit_attention) {
        cd->unit_attention = false;
        return check(cd, SENSE_UNIT_ATTENTION, ASC_MEDIUM_CHANGED, 0);
    }
    if (op != OP_REQUEST_SENSE)
        cd->sense_key = cd->asc = cd->ascq = 0;
    switch (op) {
    case OP_TEST_UNIT_READY:
        return need_medium(cd);
    case OP_REQUEST_SENSE:
        return request_sense(cd, cdb, data_len);
    case OP_INQUIRY:
        return inquiry(cd, cdb, data_len);
    case OP_START_STOP_UNIT:
        return start_stop(cd, cdb);
    case OP_PREVENT_ALLOW:
        cd->locked = cdb[4] & 0x01;
        return true;
    case OP_READ_CAPACITY:
        return read_capacity(cd, data_len);
    case OP_READ10:
        return read_sectors(cd, get32(cdb + 2), get16(cdb + 7), data_len);
    case OP_READ12:
        return read_sectors(cd, get32(cdb + 2), get32(cdb + 6), data_len);
    case OP_SEEK10:
        if (!need_medium(cd))
            return false;
        if (get32(cdb + 2) >= sectors(cd))
            return check(cd, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE, 0);
        return true;
    case OP_READ_TOC:
        return read_toc(cd, cdb, data_len);
    case OP_GET_CONFIGURATION:
        return get_configuration(cd, cdb, data_len);
    case OP_GESN:
        return event_status(cd, cdb, data_len);
    case OP_READ_DISC_INFO:
        return disc_info(cd, cdb, data_len);
    case OP_READ_TRACK_INFO:
        return track_info(cd, cdb, data_len);
    case OP_MODE_SENSE10:
        return mode_sense(cd, cdb, data_len);
    case OP_SET_CD_SPEED:
        return true;
    case OP_MECHANISM_STATUS:
        return mechanism_status(cd, cdb, data_len);
    }
    return check(cd, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE, 0);
}

/* Fill cd->sector with sector cd->lba; the part past the end of the image reads 0. */
static bool load_sector(atapi_cdrom *cd)
{
    uint64_t off = cd->lba * CD_SECTOR;
    uint64_t avail = cd->media.size > off ? cd->media.size - off : 0;
    size_t n = avail < CD_SECTOR ? (size_t)avail : CD_SECTOR;
    memset(cd->sector, 0, sizeof(cd->sector));
    if (n && !cd->media.read(cd->media.opaque, off, cd->sector, n))
        return false;
    cd->lba++;
    cd->sector_pos = 0;
    return true;
}

bool atapi_cdrom_read_data(atapi_cdrom *cd, uint8_t *dst, size_t n)
{
    while (n) {
        size_t k;
        if (cd->reply_pos < cd->reply_len) {
            k = cd->reply_len - cd->reply_pos;
            k = k < n ? k : n;
            memcpy(dst, cd->reply + cd->reply_pos, k);
            cd->reply_pos += (uint32_t)k;
        } else if (cd->read_left) {
            if (cd->sector_pos == CD_SECTOR && (!present(cd) || !load_sector(cd))) {
                cd->read_left = 0;
                check(cd, SENSE_MEDIUM_ERROR, ASC_UNRECOVERED_READ, 0);
                return false;
            }
            k = CD_SECTOR - cd->sector_pos;
            k = k < n ? k : n;
            k = k < cd->read_left ? k : (size_t)cd->read_left;
            memcpy(dst, cd->sector + cd->sector_pos, k);
            cd->sector_pos += (uint32_t)k;
            cd->read_left -= k;
        } else {
            memset(dst, 0, n);
            return true;
        }
        dst += k;
        n -= k;
    }
    return true;
}

void atapi_cdrom_reset(atapi_cdrom *cd)
{
    cd->reply_len = cd->reply_pos = 0;
    cd->read_left = 0;
    cd->sector_pos = CD_SECTOR;
    cd->sense_key = cd->asc = cd->ascq = 0;
}

void atapi_cdrom_set_media(atapi_cdrom *cd, const cd_media *m)
{
    bool had = present(cd);
    cd->has_media = m != NULL;
    if (m)
        cd->media = *m;
    else
        memset(&cd->media, 0, sizeof(cd->media));
    cd->tray_open = false;
    cd->unit_attention = true;
    cd->media_event = m ? EV_NEW_MEDIA : (had ? EV_MEDIA_REMOVAL : 0);
    cd->read_left = 0;
}

void atapi_cdrom_init(atapi_cdrom *cd)
{
    memset(cd, 0, sizeof(*cd));
    cd->sector_pos = CD_SECTOR;
}
