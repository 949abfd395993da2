/*
 * Opening images: format probing, the backing chain, image locking, and
 * the locked, range-checked entry points into the format drivers.
 *
 * Image locking follows QEMU's scheme (block/file-posix.c's documented
 * protocol), so pcemu and QEMU processes see each other's locks: open
 * file description (OFD) byte locks, a shared lock on byte 100+bit for
 * each permission held and on byte 200+bit for each permission not
 * shared with others. Permission bits: 0 consistent read, 1 write,
 * 2 write unchanged, 3 resize, 4 graph mod. Before taking them we test
 * that nobody else holds a conflicting byte.
 */
#include "block/block_int.h"
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOCK_PERM_BASE   100
#define LOCK_SHARED_BASE 200
#define PERM_CONSISTENT_READ  (1u << 0)
#define PERM_WRITE            (1u << 1)
#define PERM_WRITE_UNCHANGED  (1u << 2)
#define PERM_RESIZE           (1u << 3)
#define PERM_GRAPH_MOD        (1u << 4)
#define PERM_ALL              0x1f

static const char *const perm_names[] = {
    "consistent read", "write", "write unchanged", "resize",
    "change children",
};

static const BlockDriver *const drivers[] = { &bdrv_qcow2, &bdrv_raw };

const BlockDriver *bdrv_find_format(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(drivers); i++) {
        if (!strcmp(drivers[i]->format_name, name)) {
            return drivers[i];
        }
    }
    return NULL;
}

/* ---- file I/O ---- */

int bdrv_file_pread(BlockDriverState *bs, uint64_t offset, void *buf,
                    uint64_t bytes)
{
    uint8_t *p = buf;

    if (offset > INT64_MAX || bytes > INT64_MAX - offset) {
        return -EINVAL;
    }
    while (bytes) {
        ssize_t n = pread(bs->fd, p, MIN(bytes, (uint64_t)1 << 30), offset);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if (n == 0) {
            memset(p, 0, bytes);    /* past the end of the file */
            return 0;
        }
        p += n;
        offset += n;
        bytes -= n;
    }
    return 0;
}

int bdrv_file_pwrite(BlockDriverState *bs, uint64_t offset, const void *buf,
                     uint64_t bytes)
{
    const uint8_t *p = buf;

    if (offset > INT64_MAX || bytes > INT64_MAX - offset) {
        return -EINVAL;
    }
    while (bytes) {
        ssize_t n = pwrite(bs->fd, p, MIN(bytes, (uint64_t)1 << 30), offset);

        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        p += n;
        offset += n;
        bytes -= n;
    }
    return 0;
}

int64_t bdrv_file_size(BlockDriverState *bs)
{
    struct stat st;

    if (fstat(bs->fd, &st) < 0) {
        return -errno;
    }
    return st.st_size;
}

int64_t bdrv_file_allocated(BlockDriverState *bs)
{
    struct stat st;

    if (fstat(bs->fd, &st) < 0) {
        return -errno;
    }
    return (int64_t)st.st_blocks * 512;
}

/* ---- locking ---- */

static int lock_byte(int fd, int64_t byte, short type)
{
    struct flock fl = {
        .l_whence = SEEK_SET, .l_start = byte, .l_len = 1, .l_type = type,
    };

    return fcntl(fd, F_OFD_SETLK, &fl) < 0 ? -errno : 0;
}

/* True if another open file description holds a lock on byte. */
static bool byte_locked_by_others(int fd, int64_t byte)
{
    struct flock fl = {
        .l_whence = SEEK_SET, .l_start = byte, .l_len = 1,
        .l_type = F_WRLCK,
    };

    if (fcntl(fd, F_OFD_GETLK, &fl) < 0) {
        return false;   /* no OFD locks here: don't lock at all */
    }
    return fl.l_type != F_UNLCK;
}

static bool bdrv_lock_image(BlockDriverState *bs, Error **errp)
{
    /* A device writing the image: consistent read, write and resize;
     * shares only reading and unchanged writes, as QEMU's -drive. A
     * reader shares everything but writes. */
    unsigned perm = PERM_CONSISTENT_READ;
    unsigned shared = PERM_ALL & ~(PERM_WRITE | PERM_RESIZE);

    if (!bs->read_only) {
        perm |= PERM_WRITE | PERM_RESIZE;
    }
    for (int i = 0; i < 5; i++) {
        if ((perm & (1u << i)) &&
            byte_locked_by_others(bs->fd, LOCK_SHARED_BASE + i)) {
            error_setg(errp, "%s: Failed to get \"%s\" lock: is another "
                       "process using the image?", bs->filename,
                       perm_names[i]);
            return false;
        }
        if (!(shared & (1u << i)) &&
            byte_locked_by_others(bs->fd, LOCK_PERM_BASE + i)) {
            error_setg(errp, "%s: Failed to get shared \"%s\" lock: is "
                       "another process using the image?", bs->filename,
                       perm_names[i]);
            return false;
        }
    }
    for (int i = 0; i < 5; i++) {
        if (perm & (1u << i)) {
            lock_byte(bs->fd, LOCK_PERM_BASE + i, F_RDLCK);
        }
        if (!(shared & (1u << i))) {
            lock_byte(bs->fd, LOCK_SHARED_BASE + i, F_RDLCK);
        }
    }
    bs->lock_held = true;
    return true;
}

/* ---- open and close ---- */

char *bdrv_backing_path(const char *image, const char *backing)
{
    char *dir, *path;

    if (g_path_is_absolute(backing)) {
        return g_strdup(backing);
    }
    dir = g_path_get_dirname(image);
    path = g_build_filename(dir, backing, NULL);
    g_free(dir);
    return path;
}

static const BlockDriver *bdrv_probe(BlockDriverState *bs)
{
    uint8_t buf[512];
    const BlockDriver *best = &bdrv_raw;
    int best_score = 0;

    if (bdrv_file_pread(bs, 0, buf, sizeof(buf)) < 0) {
        return &bdrv_raw;
    }
    for (size_t i = 0; i < ARRAY_SIZE(drivers); i++) {
        int score = drivers[i]->probe ? drivers[i]->probe(buf, sizeof(buf))
                                      : 0;

        if (score > best_score) {
            best_score = score;
            best = drivers[i];
        }
    }
    return best;
}

static BlockDriverState *bdrv_open_depth(const char *filename,
                                         const char *format, unsigned flags,
                                         int depth, Error **errp)
{
    BlockDriverState *bs;
    const BlockDriver *drv = NULL;
    int ret;

    if (depth > BDRV_MAX_BACKING_DEPTH) {
        error_setg(errp, "%s: backing chain deeper than %d images (a "
                   "backing file loop?)", filename, BDRV_MAX_BACKING_DEPTH);
        return NULL;
    }
    if (format && !(drv = bdrv_find_format(format))) {
        error_setg(errp, "Unknown driver '%s' (raw or qcow2)", format);
        return NULL;
    }
    bs = g_new0(BlockDriverState, 1);
    bs->filename = g_strdup(filename);
    bs->exact_filename = g_strdup(filename);
    bs->read_only = !(flags & BLK_O_RDWR);
    bs->open_flags = flags;
    bs->depth = depth;
    pthread_mutex_init(&bs->lock, NULL);
    bs->fd = open(filename, (bs->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (bs->fd < 0) {
        error_setg(errp, "Could not open '%s': %s", filename,
                   strerror(errno));
        goto fail;
    }
    if (!(flags & BLK_O_NO_LOCK) && !bdrv_lock_image(bs, errp)) {
        goto fail;
    }
    if (!drv) {
        drv = bdrv_probe(bs);
    }
    bs->drv = drv;
    bs->opaque = g_malloc0(drv->instance_size ? drv->instance_size : 1);
    ret = drv->open(bs, errp);
    if (ret < 0) {
        g_free(bs->opaque);
        bs->opaque = NULL;
        goto fail;
    }
    return bs;

fail:
    if (bs->fd >= 0) {
        close(bs->fd);
    }
    g_free(bs->filename);
    g_free(bs->exact_filename);
    g_free(bs);
    return NULL;
}

BlockDriverState *bdrv_open(const char *filename, const char *format,
                            unsigned flags, Error **errp)
{
    return bdrv_open_depth(filename, format, flags, 0, errp);
}

int bdrv_open_backing(BlockDriverState *bs, Error **errp)
{
    char *path;
    Error *err = NULL;

    if (!bs->backing_file[0]) {
        return 0;
    }
    path = bdrv_backing_path(bs->filename, bs->backing_file);
    bs->backing = bdrv_open_depth(path, bs->backing_format[0]
                                        ? bs->backing_format : NULL,
                                  BLK_O_NO_LOCK * !!(bs->open_flags &
                                                     BLK_O_NO_LOCK),
                                  bs->depth + 1, &err);
    g_free(path);
    if (!bs->backing) {
        error_propagate(errp, err);
        error_prepend(errp, "Could not open backing file of %s: ",
                      bs->filename);
        return -EINVAL;
    }
    return 0;
}

void bdrv_close(BlockDriverState *bs)
{
    if (!bs) {
        return;
    }
    if (!bs->read_only) {
        bdrv_flush(bs);
    }
    if (bs->drv->close) {
        bs->drv->close(bs);
    }
    bdrv_close(bs->backing);
    close(bs->fd);      /* drops the OFD locks */
    pthread_mutex_destroy(&bs->lock);
    g_free(bs->opaque);
    g_free(bs->filename);
    g_free(bs->exact_filename);
    g_free(bs);
}

/* ---- locked entry points ---- */

static int check_range(BlockDriverState *bs, uint64_t offset, uint64_t bytes)
{
    if (offset > bs->total_size || bytes > bs->total_size - offset) {
        return -EINVAL;
    }
    return 0;
}

int bdrv_pread(BlockDriverState *bs, uint64_t offset, void *buf,
               uint64_t bytes)
{
    int ret = check_range(bs, offset, bytes);

    if (ret < 0 || !bytes) {
        return ret;
    }
    pthread_mutex_lock(&bs->lock);
    ret = bs->drv->pread(bs, offset, buf, bytes);
    pthread_mutex_unlock(&bs->lock);
    return ret;
}

int bdrv_pwrite(BlockDriverState *bs, uint64_t offset, const void *buf,
                uint64_t bytes)
{
    int ret = check_range(bs, offset, bytes);

    if (ret < 0 || !bytes) {
        return ret;
    }
    if (bs->read_only) {
        return -EROFS;
    }
    pthread_mutex_lock(&bs->lock);
    ret = bs->drv->pwrite(bs, offset, buf, bytes);
    pthread_mutex_unlock(&bs->lock);
    return ret;
}

int bdrv_pwrite_compressed(BlockDriverState *bs, uint64_t offset,
                           const void *buf, uint64_t bytes)
{
    int ret = check_range(bs, offset, bytes);

    if (ret < 0) {
        return ret;
    }
    if (bs->read_only) {
        return -EROFS;
    }
    if (!bs->drv->pwrite_compressed) {
        return -ENOTSUP;
    }
    pthread_mutex_lock(&bs->lock);
    ret = bs->drv->pwrite_compressed(bs, offset, buf, bytes);
    pthread_mutex_unlock(&bs->lock);
    return ret;
}

int bdrv_flush(BlockDriverState *bs)
{
    int ret = 0;

    if (bs->read_only) {
        return 0;
    }
    pthread_mutex_lock(&bs->lock);
    if (bs->drv->flush) {
        ret = bs->drv->flush(bs);
    }
    /* cache=unsafe skips only the host sync, never our own metadata. */
    if (ret == 0 && !(bs->open_flags & BLK_O_NO_FLUSH) &&
        fdatasync(bs->fd) < 0) {
        ret = -errno;
    }
    pthread_mutex_unlock(&bs->lock);
    return ret;
}

int bdrv_pdiscard(BlockDriverState *bs, uint64_t offset, uint64_t bytes)
{
    int ret = check_range(bs, offset, bytes);

    if (ret < 0 || !bytes || !bs->drv->pdiscard) {
        return ret;
    }
    if (bs->read_only) {
        return -EROFS;
    }
    pthread_mutex_lock(&bs->lock);
    ret = bs->drv->pdiscard(bs, offset, bytes);
    pthread_mutex_unlock(&bs->lock);
    return ret;
}

int bdrv_block_status(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                      uint64_t *pnum)
{
    int ret = check_range(bs, offset, bytes);

    if (ret < 0) {
        return ret;
    }
    if (!bs->drv->block_status) {
        *pnum = bytes;
        return 1;
    }
    pthread_mutex_lock(&bs->lock);
    ret = bs->drv->block_status(bs, offset, bytes, pnum);
    pthread_mutex_unlock(&bs->lock);
    return ret;
}

int bdrv_truncate(BlockDriverState *bs, uint64_t size, Error **errp)
{
    int ret;

    if (bs->read_only) {
        error_setg(errp, "%s: image is read-only", bs->filename);
        return -EROFS;
    }
    if (!bs->drv->truncate) {
        error_setg(errp, "%s: this format cannot be resized",
                   bs->filename);
        return -ENOTSUP;
    }
    pthread_mutex_lock(&bs->lock);
    ret = bs->drv->truncate(bs, size, errp);
    pthread_mutex_unlock(&bs->lock);
    return ret;
}

int bdrv_create(const char *format, const char *filename,
                const BlockCreateOpts *o, Error **errp)
{
    const BlockDriver *drv = bdrv_find_format(format);

    if (!drv) {
        error_setg(errp, "Unknown file format '%s'", format);
        return -EINVAL;
    }
    return drv->create(filename, o, errp);
}

int bdrv_read_backing(BlockDriverState *bs, uint64_t offset, void *buf,
                      uint64_t bytes)
{
    uint64_t n = 0;

    if (bs->backing && offset < bs->backing->total_size) {
        n = MIN(bytes, bs->backing->total_size - offset);
        int ret = bdrv_pread(bs->backing, offset, buf, n);

        if (ret < 0) {
            return ret;
        }
    }
    memset((uint8_t *)buf + n, 0, bytes - n);
    return 0;
}
