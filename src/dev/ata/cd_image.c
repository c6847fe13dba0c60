/* Image file backend of the CD-ROM drive. */
#include "dev/ata/cd_image.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static bool image_read(void *opaque, uint64_t off, void *buf, size_t len)
{
    const cd_image *img = opaque;
    uint8_t *p = buf;
    while (len) {
        if (off > (uint64_t)INT64_MAX)
            return false;
        ssize_t n = pread(img->fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)   /* error, or the file shrank under us */
            return false;
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return true;
}

bool cd_image_open(cd_image *img, const char *path, cd_media *media, vm_error *err)
{
    struct stat st;
    img->fd = open(path, O_RDONLY);
    if (img->fd < 0) {
        vm_error_set(err, "%s: %s (CD-ROM image)", path,
                     errno == ENOENT ? "no such file" : strerror(errno));
        return false;
    }
    if (fstat(img->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0) {
        vm_error_set(err, "%s: not a regular file (CD-ROM image)", path);
        close(img->fd);
        img->fd = -1;
        return false;
    }
    img->size = (uint64_t)st.st_size;
    *media = (cd_media){ .read = image_read, .size = img->size, .opaque = img };
    return true;
}

void cd_image_close(cd_image *img)
{
    if (img->fd >= 0)
        close(img->fd);
    img->fd = -1;
}
