/* The image-file medium: a temporary file read through the CD-ROM command set; a missing
 * file and a directory are refused with an error message. */
#include "dev/ata/cd_image.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"

int main(void)
{
    char path[] = "/tmp/vm-cdimg-XXXXXX";
    int fd = mkstemp(path);
    if (!CHECK(fd >= 0, "temporary image"))
        return check_done();
    static uint8_t img[5 * CD_SECTOR + 512];
    for (size_t i = 0; i < sizeof(img); i++)
        img[i] = (uint8_t)(i * 13 + 1);
    CHECK(write(fd, img, sizeof(img)) == (ssize_t)sizeof(img), "image written");
    close(fd);

    cd_image ci;
    cd_media m;
    vm_error err = { { 0 } };
    CHECK(cd_image_open(&ci, path, &m, &err), "image opened");
    CHECK_EQ(m.size, sizeof(img), "size from the file");
    static atapi_cdrom cd;
    atapi_cdrom_init(&cd);
    atapi_cdrom_set_media(&cd, &m);
    uint8_t cdb[12] = { 0x25 };
    uint64_t len = 0;
    static uint8_t buf[6 * CD_SECTOR];
    CHECK(!atapi_cdrom_exec(&cd, cdb, &len), "unit attention first");
    CHECK(atapi_cdrom_exec(&cd, cdb, &len) && atapi_cdrom_read_data(&cd, buf, 8) &&
              buf[3] == 5,
          "READ CAPACITY: 6 sectors (last one partial)");
    uint8_t rd[12] = { 0x28, 0, 0, 0, 0, 4, 0, 0, 2 };
    CHECK(atapi_cdrom_exec(&cd, rd, &len) && len == 2 * CD_SECTOR &&
              atapi_cdrom_read_data(&cd, buf, (size_t)len),
          "READ(10) of the last two sectors");
    CHECK(!memcmp(buf, img + 4 * CD_SECTOR, CD_SECTOR + 512) && buf[CD_SECTOR + 512] == 0 &&
              buf[2 * CD_SECTOR - 1] == 0,
          "file data, then zeros past its end");
    cd_image_close(&ci);
    unlink(path);

    CHECK(!cd_image_open(&ci, path, &m, &err), "a missing file is refused");
    CHECK_STR(err.msg, path, "the message names the file");
    CHECK(!cd_image_open(&ci, "/tmp", &m, &err), "a directory is refused");
    CHECK_STR(err.msg, "not a regular file", "... as not a regular file");
    return check_done();
}
