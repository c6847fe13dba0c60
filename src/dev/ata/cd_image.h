/* A read-only CD image file as the medium of an ATAPI drive (--cdrom FILE): the raw
 * 2048-byte-sector ("cooked", ISO 9660) image, read with pread. */
#ifndef VM_DEV_ATA_CD_IMAGE_H
#define VM_DEV_ATA_CD_IMAGE_H

#include "dev/ata/atapi_cdrom.h"

typedef struct cd_image {
    int fd;
    uint64_t size;
} cd_image;

/* Open `path` read-only and fill *media (whose opaque is img). */
bool cd_image_open(cd_image *img, const char *path, cd_media *media, vm_error *err);
void cd_image_close(cd_image *img);

#endif
