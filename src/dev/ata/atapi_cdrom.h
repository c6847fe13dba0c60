/* An ATAPI CD-ROM drive's command set (the SCSI/MMC layer, independent of the ATA
 * transport): a read-only 2048-byte-sector medium behind a small read interface, so the
 * drive is tested on memory and runs on an image file (cd_image.h).
 *
 * Commands (SPC-3, MMC-5): TEST UNIT READY, REQUEST SENSE, INQUIRY, READ CAPACITY,
 * READ(10), READ(12), SEEK(10), READ TOC/PMA/ATIP formats 0, 1 and 2 (MSF or LBA), GET
 * CONFIGURATION (profile list with CD-ROM 0x0008, core, morphing, removable medium,
 * random readable, CD read), GET EVENT STATUS NOTIFICATION (polled, media class), MODE
 * SENSE(10) pages 0x01, 0x2A and 0x3F, PREVENT/ALLOW MEDIUM REMOVAL, START STOP UNIT
 * (eject/load of the tray), READ DISC INFORMATION, READ TRACK INFORMATION, MECHANISM
 * STATUS, SET CD SPEED.
 * Anything else is CHECK CONDITION with ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE.
 * Allocation lengths truncate the data; the sense data stays until REQUEST SENSE or the
 * next command. A medium change raises UNIT ATTENTION 28/00 once (not for INQUIRY,
 * REQUEST SENSE and GET EVENT STATUS NOTIFICATION, SPC-3 §5.9.7 / MMC-5 §6.6) and a
 * media event for GET EVENT STATUS NOTIFICATION. Audio, writing, DVD structures and
 * sub-channel reads are not modelled (ILLEGAL REQUEST). */
#ifndef VM_DEV_ATA_ATAPI_CDROM_H
#define VM_DEV_ATA_ATAPI_CDROM_H

#include "core/types.h"

#define CD_SECTOR 2048u
#define ATAPI_CDB_LEN 12u
#define ATAPI_REPLY_MAX 256u      /* the longest non-READ reply we build */

/* SCSI sense keys (SPC-3 §4.5.6). */
#define SENSE_NONE 0x00
#define SENSE_NOT_READY 0x02
#define SENSE_MEDIUM_ERROR 0x03
#define SENSE_ILLEGAL_REQUEST 0x05
#define SENSE_UNIT_ATTENTION 0x06

/* The medium: `size` bytes (a partial last sector reads as zeros past the end); read
 * returns false on a host I/O error (reported to the guest as a MEDIUM ERROR). */
typedef struct cd_media {
    bool (*read)(void *opaque, uint64_t off, void *buf, size_t len);
    uint64_t size;
    void *opaque;
} cd_media;

typedef struct atapi_cdrom {
    cd_media media;
    bool has_media;              /* an image is attached */
    bool tray_open;              /* ejected by START STOP UNIT (the image stays attached) */
    bool locked;                 /* PREVENT MEDIUM REMOVAL */
    bool unit_attention;         /* 28/00 pending */
    uint8_t media_event;         /* pending GESN media event code (MMC-5 Table 154) */
    uint8_t sense_key, asc, ascq;
    /* Data-in of the current command: first `reply` bytes, then sectors from `lba`. */
    uint8_t reply[ATAPI_REPLY_MAX];
    uint32_t reply_len, reply_pos;
    uint64_t lba;                /* next sector of a READ */
    uint64_t read_left;          /* bytes of sector data still to deliver */
    uint8_t sector[CD_SECTOR];
    uint32_t sector_pos;         /* CD_SECTOR = empty */
} atapi_cdrom;

/* An empty drive (no medium, tray closed). */
void atapi_cdrom_init(atapi_cdrom *cd);
/* Insert (or change) the medium; NULL removes it. A change sets UNIT ATTENTION and a
 * new-media / media-removal event. The cd_media is copied. */
void atapi_cdrom_set_media(atapi_cdrom *cd, const cd_media *m);
/* Device reset (ATA SRST / DEVICE RESET): drops the transfer and the sense, keeps the
 * medium, lock and pending events. */
void atapi_cdrom_reset(atapi_cdrom *cd);

/* Execute a 12-byte CDB. true = GOOD with *data_len bytes of data-in to fetch with
 * atapi_cdrom_read_data (0 = none); false = CHECK CONDITION (sense set, no data). */
bool atapi_cdrom_exec(atapi_cdrom *cd, const uint8_t cdb[ATAPI_CDB_LEN], uint64_t *data_len);
/* The next `n` bytes of the data-in (n at most what is left; more reads zeros). false =
 * the medium could not be read: sense is MEDIUM ERROR and the command must end with
 * CHECK CONDITION. */
bool atapi_cdrom_read_data(atapi_cdrom *cd, uint8_t *dst, size_t n);

#endif
