/*
 * The raw format: the image file is the disk, byte for byte. A size that
 * is not a multiple of 512 is kept (reads of the last partial sector by
 * devices come back zero-filled by the BlockBackend's rounding).
 */
#include "block/block_int.h"
#include <fcntl.h>
#include <unistd.h>

static int raw_open(BlockDriverState *bs, Error **errp)
{
    int64_t size = bdrv_file_size(bs);

    if (size < 0) {
        error_setg(errp, "%s: cannot get size: %s", bs->filename,
                   strerror(-size));
        return size;
    }
    bs->total_size = size;
    return 0;
}

static int raw_pread(BlockDriverState *bs, uint64_t offset, void *buf,
                     uint64_t bytes)
{
    return bdrv_file_pread(bs, offset, buf, bytes);
}

static int raw_pwrite(BlockDriverState *bs, uint64_t offset,
                      const void *buf, uint64_t bytes)
{
    return bdrv_file_pwrite(bs, offset, buf, bytes);
}

static int raw_pdiscard(BlockDriverState *bs, uint64_t offset,
                        uint64_t bytes)
{
    /* Best effort: a file system without hole punching keeps the data. */
    fallocate(bs->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset,
              bytes);
    return 0;
}

static int raw_truncate(BlockDriverState *bs, uint64_t size, Error **errp)
{
    if (ftruncate(bs->fd, size) < 0) {
        error_setg(errp, "%s: cannot resize: %s", bs->filename,
                   strerror(errno));
        return -errno;
    }
    bs->total_size = size;
    return 0;
}

static int raw_create(const char *filename, const BlockCreateOpts *o,
                      Error **errp)
{
    int fd;

    if (o->backing_file) {
        error_setg(errp, "%s: raw images have no backing file", filename);
        return -EINVAL;
    }
    fd = open(filename, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        error_setg(errp, "Could not create '%s': %s", filename,
                   strerror(errno));
        return -errno;
    }
    if (ftruncate(fd, o->size) < 0) {
        int ret = -errno;

        error_setg(errp, "Could not resize '%s': %s", filename,
                   strerror(errno));
        close(fd);
        return ret;
    }
    close(fd);
    return 0;
}

const BlockDriver bdrv_raw = {
    .format_name = "raw",
    .open = raw_open,
    .pread = raw_pread,
    .pwrite = raw_pwrite,
    .pdiscard = raw_pdiscard,
    .truncate = raw_truncate,
    .create = raw_create,
};
