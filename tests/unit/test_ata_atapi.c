/* The ATAPI CD-ROM command set on a memory-backed medium: every command, sense data for
 * bad LBAs, unknown opcodes and missing media, allocation-length truncation, unit
 * attention and media events on change/eject, and a failing backend (medium error). */
#include "dev/ata/atapi_cdrom.h"

#include <stdlib.h>

#include "check.h"

#define NSECT 300u

static uint8_t image[NSECT * CD_SECTOR];
static bool fail_reads;

static bool mem_read(void *opaque, uint64_t off, void *buf, size_t len)
{
    if (fail_reads || off + len > sizeof(image))
        return false;
    memcpy(buf, image + off, len);
    return true;
}

static atapi_cdrom cd;
static uint8_t data[1 << 20];
static uint64_t dlen;

/* Run a CDB given as up to 12 bytes; fetch all data-in into `data`. */
static bool run(const uint8_t *c, size_t n)
{
    uint8_t cdb[12] = { 0 };
    memcpy(cdb, c, n < 12 ? n : 12);
    memset(data, 0xcc, sizeof(data));
    bool ok = atapi_cdrom_exec(&cd, cdb, &dlen);
    if (ok && dlen && dlen <= sizeof(data))
        ok = atapi_cdrom_read_data(&cd, data, (size_t)dlen);
    return ok;
}

#define RUN(...) run((const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

static bool sense_is(uint8_t key, uint8_t asc, uint8_t ascq)
{
    return cd.sense_key == key && cd.asc == asc && cd.ascq == ascq;
}

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)be16(p) << 16 | be16(p + 2);
}

int main(void)
{
    for (size_t i = 0; i < sizeof(image); i++)
        image[i] = (uint8_t)(i * 7 + i / CD_SECTOR);
    cd_media m = { .read = mem_read, .size = sizeof(image), .opaque = NULL };
    atapi_cdrom_init(&cd);

    /* Empty drive. */
    CHECK(!RUN(0x00), "TUR without medium: CHECK CONDITION");
    CHECK(sense_is(SENSE_NOT_READY, 0x3a, 0x01), "sense: medium not present, tray closed");
    CHECK(RUN(0x03, 0, 0, 0, 18) && dlen == 18 && data[0] == 0x70 && data[2] == 2 &&
              data[12] == 0x3a && data[7] == 10,
          "REQUEST SENSE returns fixed-format NOT READY / 3A");
    CHECK(RUN(0x03, 0, 0, 0, 18) && data[2] == 0 && data[12] == 0,
          "sense is cleared once reported");
    CHECK(!RUN(0x25) && sense_is(2, 0x3a, 1), "READ CAPACITY without medium");
    CHECK(!RUN(0x28, 0, 0, 0, 0, 0, 0, 0, 1) && sense_is(2, 0x3a, 1), "READ(10) without medium");
    CHECK(RUN(0x46, 0, 0, 0, 0, 0, 0, 0, 255) && be16(data + 6) == 0,
          "GET CONFIGURATION: no current profile without medium");

    /* Insert: unit attention once, then ready; media event once. */
    atapi_cdrom_set_media(&cd, &m);
    CHECK(RUN(0x12, 0, 0, 0, 36) && dlen == 36, "INQUIRY is not blocked by unit attention");
    CHECK(data[0] == 0x05 && data[1] == 0x80 && !memcmp(data + 16, "VM CD-ROM", 9),
          "INQUIRY: removable CD/DVD device, product id");
    CHECK(RUN(0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8) && dlen == 8 && data[2] == 4 && data[4] == 2 &&
              data[5] == 2,
          "GESN: new media event, media present (not blocked by UA)");
    CHECK(RUN(0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8) && data[4] == 0, "GESN: the event is reported once");
    CHECK(!RUN(0x00) && sense_is(SENSE_UNIT_ATTENTION, 0x28, 0), "TUR: UNIT ATTENTION 28/00");
    CHECK(RUN(0x00), "TUR: ready after the unit attention");

    /* READ CAPACITY, READ(10), READ(12). */
    CHECK(RUN(0x25) && dlen == 8 && be32(data) == NSECT - 1 && be32(data + 4) == 2048,
          "READ CAPACITY: last LBA and 2048-byte blocks");
    CHECK(RUN(0x28, 0, 0, 0, 0, 5, 0, 0, 2) && dlen == 2 * CD_SECTOR &&
              !memcmp(data, image + 5 * CD_SECTOR, 2 * CD_SECTOR),
          "READ(10) of LBA 5-6");
    CHECK(RUN(0xa8, 0, 0, 0, 0x01, 0x2b, 0, 0, 0, 1) && dlen == CD_SECTOR &&
              !memcmp(data, image + 299 * CD_SECTOR, CD_SECTOR),
          "READ(12) of the last sector");
    CHECK(RUN(0x28, 0, 0, 0, 0, 0, 0, 0, 0) && dlen == 0, "READ(10) of 0 blocks: GOOD, no data");
    CHECK(!RUN(0x28, 0, 0, 0, 0x01, 0x2c, 0, 0, 1) && sense_is(5, 0x21, 0),
          "READ(10) at LBA = capacity: LBA out of range");
    CHECK(!RUN(0x28, 0, 0, 0, 0x01, 0x2b, 0, 0, 2) && sense_is(5, 0x21, 0),
          "READ(10) running past the end: LBA out of range");
    CHECK(!RUN(0xa8, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff) && sense_is(5, 0x21, 0),
          "READ(12) with huge LBA and count: no overflow, out of range");
    CHECK(RUN(0x2b, 0, 0, 0, 0, 10) && !RUN(0x2b, 0, 0, 0, 0x01, 0x2c) && sense_is(5, 0x21, 0),
          "SEEK(10) inside and past the end");

    /* Streaming read in odd pieces. */
    {
        uint8_t cdb[12] = { 0x28, 0, 0, 0, 0, 7, 0, 0, 3 };
        CHECK(atapi_cdrom_exec(&cd, cdb, &dlen) && dlen == 3 * CD_SECTOR, "READ 3 blocks");
        size_t got = 0;
        bool ok = true;
        while (got < dlen) {
            size_t k = (got % 3 == 0) ? 1000 : 777;
            if (k > dlen - got)
                k = (size_t)(dlen - got);
            ok &= atapi_cdrom_read_data(&cd, data + got, k);
            got += k;
        }
        CHECK(ok && !memcmp(data, image + 7 * CD_SECTOR, 3 * CD_SECTOR),
              "data arrives intact in odd-sized pieces");
    }

    /* READ TOC. */
    CHECK(RUN(0x43, 0, 0, 0, 0, 0, 0, 0, 100) && dlen == 20 && be16(data) == 18 &&
              data[2] == 1 && data[3] == 1,
          "TOC format 0: first/last track 1, two descriptors");
    CHECK(data[5] == 0x14 && data[6] == 1 && be32(data + 8) == 0 && data[14] == 0xaa &&
              be32(data + 16) == NSECT,
          "TOC format 0 LBA: data track 1 at 0, lead-out at the capacity");
    CHECK(RUN(0x43, 2, 0, 0, 0, 0, 0, 0, 100) && data[9] == 0 && data[10] == 2 &&
              data[11] == 0 && data[17] == 0 && data[18] == 6 && data[19] == 0,
          "TOC format 0 MSF: 00:02:00 and 00:06:00 (300+150 frames)");
    CHECK(RUN(0x43, 0, 0, 0, 0, 0, 0xaa, 0, 100) && dlen == 12 && data[6] == 0xaa,
          "TOC from track AAh: the lead-out only");
    CHECK(!RUN(0x43, 0, 0, 0, 0, 0, 2, 0, 100) && sense_is(5, 0x24, 0),
          "TOC from track 2: invalid field");
    CHECK(RUN(0x43, 0, 1, 0, 0, 0, 0, 0, 12) && dlen == 12 && be16(data) == 10 &&
              data[6] == 1 && be32(data + 8) == 0,
          "TOC format 1: session info");
    CHECK(RUN(0x43, 0, 0, 0, 0, 0, 0, 0, 12, 0x40) && dlen == 12 && be16(data) == 10,
          "TOC format 1 via the old byte-9 field (Linux sr_vendor)");
    CHECK(RUN(0x43, 0, 2, 0, 0, 0, 0, 0, 100) && dlen == 48 && data[7] == 0xa0 &&
              data[18] == 0xa1 && data[29] == 0xa2 && data[34] == 0 && data[35] == 6 && data[36] == 0,
          "TOC format 2: A0/A1/A2 points, lead-out MSF");
    CHECK(!RUN(0x43, 0, 5, 0, 0, 0, 0, 0, 100) && sense_is(5, 0x24, 0),
          "TOC format 5: invalid field");
    CHECK(RUN(0x43, 0, 0, 0, 0, 0, 0, 0, 4) && dlen == 4 && be16(data) == 18 &&
              data[4] == 0xcc,
          "TOC with allocation length 4: header only, full length reported");

    /* GET CONFIGURATION. */
    CHECK(RUN(0x46, 0, 0, 0, 0, 0, 0, 0, 255) && be16(data + 6) == 0x0008,
          "GET CONFIGURATION: current profile CD-ROM");
    {
        uint32_t total = be32(data) + 4;
        CHECK(total == dlen && total == 64, "GET CONFIGURATION: six features, 64 bytes");
        CHECK(be16(data + 8) == 0 && be16(data + 12) == 8 && data[14] == 1,
              "profile list: CD-ROM, current");
        CHECK(be16(data + 16) == 1 && be32(data + 20) == 2, "core feature: ATAPI");
        CHECK(be16(data + 28) == 2 && be16(data + 36) == 3 && (data[40] & 0x08),
              "morphing and removable medium (eject) features");
    }
    CHECK(RUN(0x46, 2, 0, 3, 0, 0, 0, 0, 255) && dlen == 16 && be16(data + 8) == 3,
          "RT=2: only the requested feature");
    CHECK(RUN(0x46, 0, 0, 0x10, 0, 0, 0, 0, 255) && dlen == 28 && be16(data + 8) == 0x10,
          "starting feature 0x10: later features only");
    CHECK(RUN(0x46, 0, 0, 0, 0, 0, 0, 0, 8) && dlen == 8 && be32(data) == 60,
          "allocation length 8: header with the full length");
    CHECK(!RUN(0x46, 3) && sense_is(5, 0x24, 0), "RT=3: invalid field");

    /* GESN. */
    CHECK(!RUN(0x4a, 0, 0, 0, 0x10, 0, 0, 0, 8) && sense_is(5, 0x24, 0),
          "GESN asynchronous: invalid field");
    CHECK(RUN(0x4a, 1, 0, 0, 0x02, 0, 0, 0, 8) && dlen == 4 && data[2] == 0x80 && data[3] == 0x10,
          "GESN for an unsupported class: NEA");

    /* MODE SENSE(10). */
    CHECK(RUN(0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 128) && dlen == 30 && be16(data) == 28 &&
              data[8] == 0x2a && data[9] == 0x14,
          "MODE SENSE capabilities page");
    CHECK((data[8 + 6] & 0x08) && (data[8 + 6] >> 5) == 1 && !(data[8 + 2] & 0x08),
          "capabilities: eject, tray loader, no DVD read");
    CHECK(RUN(0x5a, 0, 0x01, 0, 0, 0, 0, 0, 128) && dlen == 20 && data[8] == 0x01,
          "MODE SENSE error recovery page");
    CHECK(RUN(0x5a, 0, 0x3f, 0, 0, 0, 0, 0, 128) && dlen == 42 && data[20] == 0x2a,
          "MODE SENSE all pages");
    CHECK(RUN(0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 16) && dlen == 16 && be16(data) == 28,
          "MODE SENSE short allocation length truncates");
    CHECK(!RUN(0x5a, 0, 0x05, 0, 0, 0, 0, 0, 128) && sense_is(5, 0x24, 0),
          "MODE SENSE unknown page: invalid field");
    CHECK(!RUN(0x5a, 0, 0xea, 0, 0, 0, 0, 0, 128) && sense_is(5, 0x39, 0),
          "MODE SENSE saved values: saving not supported");

    /* READ DISC INFORMATION, MECHANISM STATUS, SET CD SPEED. */
    CHECK(RUN(0x51, 0, 0, 0, 0, 0, 0, 0, 34) && dlen == 34 && be16(data) == 32 &&
              (data[2] & 3) == 2 && data[3] == 1,
          "READ DISC INFORMATION: complete disc, track 1");
    CHECK(RUN(0x51, 0, 0, 0, 0, 0, 0, 0, 2) && dlen == 2, "READ DISC INFORMATION truncated");
    CHECK(!RUN(0x51, 1, 0, 0, 0, 0, 0, 0, 34) && sense_is(5, 0x24, 0),
          "READ DISC INFORMATION data type 1: invalid field");
    CHECK(RUN(0x52, 0, 0, 0, 0, 42, 0, 0, 36) && dlen == 36 && data[2] == 1 &&
              be32(data + 24) == NSECT && be32(data + 28) == NSECT - 1,
          "READ TRACK INFORMATION by LBA: track 1, size, last recorded address");
    CHECK(RUN(0x52, 1, 0, 0, 0, 1, 0, 0, 8) && dlen == 8, "... by track number, truncated");
    CHECK(!RUN(0x52, 1, 0, 0, 0, 2, 0, 0, 36) && sense_is(5, 0x24, 0), "track 2: invalid field");
    CHECK(!RUN(0x52, 0, 0, 0, 0x01, 0x2c, 0, 0, 36) && sense_is(5, 0x21, 0),
          "LBA past the end: out of range");
    CHECK(RUN(0xbd, 0, 0, 0, 0, 0, 0, 0, 0, 8) && dlen == 8 && data[1] == 0,
          "MECHANISM STATUS: idle, door closed");
    CHECK(RUN(0xbb, 0, 0xff, 0xff, 0xff, 0xff), "SET CD SPEED");

    /* Unknown opcode, VPD. */
    CHECK(!RUN(0xff) && sense_is(5, 0x20, 0), "unknown opcode: invalid command operation code");
    CHECK(!RUN(0x2a, 0, 0, 0, 0, 0, 0, 0, 1) && sense_is(5, 0x20, 0), "WRITE(10): invalid opcode");
    CHECK(RUN(0x12, 1, 0x80, 0, 255) && dlen == 12 && !memcmp(data + 4, "VMCD0001", 8),
          "INQUIRY VPD serial number page");
    CHECK(!RUN(0x12, 1, 0x83, 0, 255) && sense_is(5, 0x24, 0), "INQUIRY VPD 83h: invalid field");
    CHECK(RUN(0x12, 0, 0, 0, 5) && dlen == 5 && data[5] == 0xcc, "INQUIRY truncated to 5 bytes");

    /* Lock, eject, load. */
    CHECK(RUN(0x1e, 0, 0, 0, 1), "PREVENT MEDIUM REMOVAL");
    CHECK(RUN(0x5a, 0, 0x2a, 0, 0, 0, 0, 0, 128) && (data[8 + 6] & 0x02), "lock state reported");
    CHECK(!RUN(0x1b, 0, 0, 0, 0x02) && sense_is(5, 0x53, 2), "eject while locked: refused");
    CHECK(RUN(0x00), "medium still there");
    CHECK(RUN(0x1e, 0, 0, 0, 0) && RUN(0x1b, 0, 0, 0, 0x02), "ALLOW, then eject");
    CHECK(!RUN(0x00) && sense_is(2, 0x3a, 2), "tray open: medium not present");
    CHECK(RUN(0x4a, 1, 0, 0, 0x10, 0, 0, 0, 8) && data[4] == 3 && data[5] == 1,
          "GESN: media removal, tray open");
    CHECK(RUN(0xbd, 0, 0, 0, 0, 0, 0, 0, 0, 8) && data[1] == 0x10, "MECHANISM STATUS: door open");
    CHECK(RUN(0x1b, 0, 0, 0, 0x03), "load (close the tray)");
    CHECK(!RUN(0x25) && sense_is(6, 0x28, 0), "unit attention after the load");
    CHECK(RUN(0x25) && be32(data) == NSECT - 1, "readable again");
    CHECK(RUN(0x1b, 0, 0, 0, 0x01), "START without LoEj: nothing to do");

    /* Backend failure mid-transfer. */
    {
        uint8_t cdb[12] = { 0x28, 0, 0, 0, 0, 1, 0, 0, 2 };
        CHECK(atapi_cdrom_exec(&cd, cdb, &dlen), "READ starts");
        fail_reads = true;
        CHECK(!atapi_cdrom_read_data(&cd, data, 100) && sense_is(3, 0x11, 0),
              "host read error: MEDIUM ERROR 11/00");
        fail_reads = false;
    }

    /* A partial last sector reads as zeros past the end. */
    {
        cd_media small = { .read = mem_read, .size = CD_SECTOR + 100, .opaque = NULL };
        atapi_cdrom_set_media(&cd, &small);
        RUN(0x00);
        CHECK(RUN(0x25) && be32(data) == 1, "1.05-sector image: two sectors");
        CHECK(RUN(0x28, 0, 0, 0, 0, 1, 0, 0, 1) && !memcmp(data, image + CD_SECTOR, 100) &&
                  data[100] == 0 && data[2047] == 0,
              "tail of the last sector is zero");
        atapi_cdrom_set_media(&cd, NULL);
        CHECK(!RUN(0x00) && sense_is(6, 0x28, 0), "removal: unit attention");
        CHECK(!RUN(0x00) && sense_is(2, 0x3a, 1), "then no medium");
    }

    /* Random CDBs: no crash, no out-of-range data lengths, sense consistent. */
    atapi_cdrom_set_media(&cd, &m);
    srand(1);
    bool sane = true;
    for (int i = 0; i < 200000; i++) {
        uint8_t cdb[12];
        static const uint8_t ops[] = { 0x00, 0x03, 0x12, 0x1b, 0x1e, 0x25, 0x28, 0x2b, 0x43,
                                       0x46, 0x4a, 0x51, 0x52, 0x5a, 0xa8, 0xbb, 0xbd };
        for (int j = 0; j < 12; j++)
            cdb[j] = (uint8_t)rand();
        if (i & 1)
            cdb[0] = ops[(unsigned)rand() % sizeof(ops)];
        if (cdb[0] == 0x1b)
            cdb[4] |= 0x01;   /* keep the tray closed mostly */
        uint64_t n = 0;
        bool ok = atapi_cdrom_exec(&cd, cdb, &n);
        if (!ok)
            sane &= n == 0 && cd.sense_key != 0;
        else if (cdb[0] != 0x28 && cdb[0] != 0xa8)
            sane &= n <= ATAPI_REPLY_MAX;
        else
            sane &= n <= (uint64_t)NSECT * CD_SECTOR;
        size_t k = n < 5000 ? (size_t)n : 5000;
        if (k)
            atapi_cdrom_read_data(&cd, data, k);
    }
    CHECK(sane, "200000 random CDBs: sane results");
    return check_done();
}
