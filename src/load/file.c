#include "load/loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool file_read(const char *path, file_buf *out, vm_error *err)
{
    memset(out, 0, sizeof *out);
    out->path = path;
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        vm_error_set(err, "%s: %s", path,
                     errno == ENOENT ? "no such file" : strerror(errno));
        return false;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        vm_error_set(err, "%s: not a regular file", path);
        close(fd);
        return false;
    }
    if (st.st_size == 0) {
        vm_error_set(err, "%s: file is empty", path);
        close(fd);
        return false;
    }
    size_t size = (size_t)st.st_size;
    uint8_t *data = malloc(size);
    if (!data) {
        vm_error_set(err, "%s: out of memory reading %zu bytes", path, size);
        close(fd);
        return false;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, data + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            vm_error_set(err, "%s: read error: %s", path, n < 0 ? strerror(errno) : "short read");
            free(data);
            close(fd);
            return false;
        }
        got += (size_t)n;
    }
    close(fd);
    out->data = data;
    out->size = size;
    return true;
}

void file_free(file_buf *f)
{
    free(f->data);
    f->data = NULL;
    f->size = 0;
}

bool load_blob(bus *b, const file_buf *f, gpa_t addr, vm_error *err)
{
    if (!bus_copy_to_ram(b, addr, f->data, f->size)) {
        vm_error_set(err, "%s: %zu bytes do not fit in guest RAM at 0x%llx", f->path, f->size,
                     (unsigned long long)addr);
        return false;
    }
    return true;
}

bool load_raw(bus *b, const file_buf *f, gpa_t addr, loaded_image *out, vm_error *err)
{
    const bus_region *ram = bus_find(b, addr, 1);
    if (ram && ram->host && f->size > ram->size - (addr - ram->base)) {
        vm_error_set(err, "%s: image of %zu bytes is larger than guest RAM (%llu MiB)", f->path,
                     f->size, (unsigned long long)(ram->size / MiB));
        return false;
    }
    if (!load_blob(b, f, addr, err))
        return false;
    memset(out, 0, sizeof *out);
    out->format = IMG_RAW;
    out->entry = addr;
    out->low = addr;
    out->high = addr + f->size;
    return true;
}
