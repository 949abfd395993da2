/*
 * The BlockBackend devices use (include/block/block.h), its asynchronous
 * requests, and the drives of the command line (-drive, -hda, -cdrom,
 * -snapshot).
 *
 * -snapshot: the image is opened read-only under a temporary qcow2
 * overlay (in $TMPDIR, unlinked as soon as it is open) whose backing file
 * is the image; every write lands in the overlay and vanishes at exit.
 */
#include "block/aio.h"
#include "pcemu/opts.h"
#include <unistd.h>

struct BlockBackend {
    char *name;
    BlockDriverState *bs;       /* NULL: no medium */
    bool wce;                   /* write cache enabled */
    bool no_flush;              /* cache=unsafe */
    bool medium_locked;
    bool probed_raw;            /* raw by probing: guard block 0 */
    unsigned in_flight;         /* requests whose callback has not run */
    const BlockDevOps *dev_ops;
    void *dev_opaque;
};

/* ---- open and close ---- */

static BlockDriverState *open_snapshot_overlay(BlockDriverState *base,
                                               Error **errp)
{
    const char *tmpdir = g_get_tmp_dir();
    char *path = g_build_filename(tmpdir, "pcemu-snapshot-XXXXXX", NULL);
    char *abs = g_canonicalize_filename(base->filename, NULL);
    BlockCreateOpts o = {
        .size = base->total_size,
        .backing_file = abs,
        .backing_fmt = base->drv->format_name,
    };
    BlockDriverState *bs = NULL;
    int fd = mkstemp(path);

    if (fd < 0) {
        error_setg(errp, "cannot create a -snapshot overlay in %s: %s",
                   tmpdir, strerror(errno));
        goto out;
    }
    close(fd);
    if (bdrv_create("qcow2", path, &o, errp) < 0) {
        goto out_unlink;
    }
    bs = bdrv_open(path, "qcow2", BLK_O_RDWR | BLK_O_NO_LOCK, errp);
    if (bs) {
        /* The overlay reopened its own backing; use the one we locked. */
        bdrv_close(bs->backing);
        bs->backing = base;
    }
out_unlink:
    unlink(path);
out:
    g_free(path);
    g_free(abs);
    return bs;
}

BlockBackend *blk_new_open(const char *filename, const char *format,
                           unsigned flags, Error **errp)
{
    BlockBackend *blk;
    BlockDriverState *bs;

    if (flags & BLK_O_SNAPSHOT) {
        BlockDriverState *base = bdrv_open(filename, format,
                                           flags & ~(BLK_O_RDWR |
                                                     BLK_O_SNAPSHOT),
                                           errp);
        if (!base) {
            return NULL;
        }
        bs = open_snapshot_overlay(base, errp);
        if (!bs) {
            bdrv_close(base);
            return NULL;
        }
    } else {
        bs = bdrv_open(filename, format, flags, errp);
        if (!bs) {
            return NULL;
        }
    }
    blk = blk_new_empty();
    blk->bs = bs;
    blk->no_flush = flags & BLK_O_NO_FLUSH;
    return blk;
}

BlockBackend *blk_new_empty(void)
{
    BlockBackend *blk = g_new0(BlockBackend, 1);

    blk->wce = true;
    blk->name = g_strdup("");
    return blk;
}

void blk_unref(BlockBackend *blk)
{
    if (!blk) {
        return;
    }
    blk_drain(blk);
    bdrv_close(blk->bs);
    g_free(blk->name);
    g_free(blk);
}

static void blk_set_name(BlockBackend *blk, const char *name)
{
    g_free(blk->name);
    blk->name = g_strdup(name);
}

/* ---- properties ---- */

int64_t blk_getlength(BlockBackend *blk)
{
    return blk->bs ? (int64_t)blk->bs->total_size : 0;
}

uint64_t blk_nb_sectors(BlockBackend *blk)
{
    return (uint64_t)blk_getlength(blk) >> BDRV_SECTOR_BITS;
}

bool blk_is_read_only(BlockBackend *blk)
{
    return !blk->bs || blk->bs->read_only;
}

bool blk_is_inserted(BlockBackend *blk)
{
    return blk->bs != NULL;
}

const char *blk_name(BlockBackend *blk)
{
    return blk->name;
}

const char *blk_filename(BlockBackend *blk)
{
    return blk->bs ? blk->bs->filename : NULL;
}

bool blk_enable_write_cache(BlockBackend *blk)
{
    return blk->wce;
}

void blk_set_enable_write_cache(BlockBackend *blk, bool enable)
{
    blk->wce = enable;
}

/* ---- synchronous I/O ---- */

static int blk_check(BlockBackend *blk, int64_t offset, uint64_t bytes)
{
    if (!blk->bs) {
        return -ENOMEDIUM;
    }
    if (offset < 0 || (uint64_t)offset > blk->bs->total_size ||
        bytes > blk->bs->total_size - offset) {
        return -EINVAL;
    }
    return 0;
}

int blk_preadv(BlockBackend *blk, int64_t offset, const struct iovec *iov,
               int iovcnt)
{
    for (int i = 0; i < iovcnt; i++) {
        int ret = blk_check(blk, offset, iov[i].iov_len);

        if (!ret) {
            ret = bdrv_pread(blk->bs, offset, iov[i].iov_base,
                             iov[i].iov_len);
        }
        if (ret < 0) {
            return ret;
        }
        offset += iov[i].iov_len;
    }
    return 0;
}

int blk_pwritev(BlockBackend *blk, int64_t offset, const struct iovec *iov,
                int iovcnt)
{
    /* A guest must not turn a probed raw image into a qcow2 one whose
     * backing file then names any host file (QEMU restricts the same). */
    if (blk->probed_raw && offset == 0 && iovcnt > 0 &&
        iov[0].iov_len >= 4 && !memcmp(iov[0].iov_base, "QFI\xfb", 4)) {
        return -EPERM;
    }
    for (int i = 0; i < iovcnt; i++) {
        int ret = blk_check(blk, offset, iov[i].iov_len);

        if (!ret && blk->bs->read_only) {
            ret = -EROFS;
        }
        if (!ret) {
            ret = bdrv_pwrite(blk->bs, offset, iov[i].iov_base,
                              iov[i].iov_len);
        }
        if (ret < 0) {
            return ret;
        }
        offset += iov[i].iov_len;
    }
    /* Write-through: the write completes only once it is durable. */
    return blk->wce ? 0 : blk_flush(blk);
}

int blk_pread(BlockBackend *blk, int64_t offset, void *buf, size_t bytes)
{
    struct iovec iov = { buf, bytes };

    return blk_preadv(blk, offset, &iov, 1);
}

int blk_pwrite(BlockBackend *blk, int64_t offset, const void *buf,
               size_t bytes)
{
    struct iovec iov = { (void *)buf, bytes };

    return blk_pwritev(blk, offset, &iov, 1);
}

int blk_flush(BlockBackend *blk)
{
    BlockDriverState *bs = blk->bs;

    if (!bs || bs->read_only) {
        return 0;
    }
    /* The overlay of -snapshot is all there is to flush; the chain
     * under a writable image is read-only. */
    return bdrv_flush(bs);
}

int blk_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes)
{
    int ret = blk_check(blk, offset, bytes < 0 ? UINT64_MAX : bytes);

    if (ret < 0) {
        return ret;
    }
    if (blk->bs->read_only) {
        return -EROFS;
    }
    return bdrv_pdiscard(blk->bs, offset, bytes);
}

/* ---- asynchronous I/O ---- */

static int acb_do_read(BlockAIOCB *acb)
{
    return blk_preadv(acb->blk, acb->offset, acb->iov, acb->iovcnt);
}

static int acb_do_write(BlockAIOCB *acb)
{
    return blk_pwritev(acb->blk, acb->offset, acb->iov, acb->iovcnt);
}

static int acb_do_flush(BlockAIOCB *acb)
{
    return blk_flush(acb->blk);
}

static int acb_do_discard(BlockAIOCB *acb)
{
    return blk_pdiscard(acb->blk, acb->offset, acb->bytes);
}

static BlockAIOCB *blk_aio_new(BlockBackend *blk, int (*fn)(BlockAIOCB *),
                               int64_t offset, const struct iovec *iov,
                               int iovcnt, BlockCompletionFunc *cb,
                               void *opaque)
{
    BlockAIOCB *acb = g_new0(BlockAIOCB, 1);

    acb->blk = blk;
    acb->fn = fn;
    acb->offset = offset;
    if (iovcnt > 0) {
        acb->iov = g_memdup2(iov, sizeof(*iov) * iovcnt);
        acb->iovcnt = iovcnt;
    }
    acb->cb = cb;
    acb->opaque = opaque;
    blk->in_flight++;
    aio_submit(acb);
    return acb;
}

void blk_aio_complete(BlockAIOCB *acb)
{
    acb->blk->in_flight--;
    if (acb->cb) {
        acb->cb(acb->opaque, acb->ret);
    }
    g_free(acb->iov);
    g_free(acb);
}

BlockAIOCB *blk_aio_preadv(BlockBackend *blk, int64_t offset,
                           const struct iovec *iov, int iovcnt,
                           BlockCompletionFunc *cb, void *opaque)
{
    return blk_aio_new(blk, acb_do_read, offset, iov, iovcnt, cb, opaque);
}

BlockAIOCB *blk_aio_pwritev(BlockBackend *blk, int64_t offset,
                            const struct iovec *iov, int iovcnt,
                            BlockCompletionFunc *cb, void *opaque)
{
    return blk_aio_new(blk, acb_do_write, offset, iov, iovcnt, cb, opaque);
}

BlockAIOCB *blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb,
                          void *opaque)
{
    return blk_aio_new(blk, acb_do_flush, 0, NULL, 0, cb, opaque);
}

BlockAIOCB *blk_aio_pdiscard(BlockBackend *blk, int64_t offset,
                             int64_t bytes, BlockCompletionFunc *cb,
                             void *opaque)
{
    BlockAIOCB *acb = g_new0(BlockAIOCB, 1);

    acb->blk = blk;
    acb->fn = acb_do_discard;
    acb->offset = offset;
    acb->bytes = bytes;
    acb->cb = cb;
    acb->opaque = opaque;
    blk->in_flight++;
    aio_submit(acb);
    return acb;
}

BlockAIOCB *blk_aio_pread(BlockBackend *blk, int64_t offset, void *buf,
                          size_t bytes, BlockCompletionFunc *cb,
                          void *opaque)
{
    struct iovec iov = { buf, bytes };

    return blk_aio_preadv(blk, offset, &iov, 1, cb, opaque);
}

BlockAIOCB *blk_aio_pwrite(BlockBackend *blk, int64_t offset,
                           const void *buf, size_t bytes,
                           BlockCompletionFunc *cb, void *opaque)
{
    struct iovec iov = { (void *)buf, bytes };

    return blk_aio_pwritev(blk, offset, &iov, 1, cb, opaque);
}

void blk_drain(BlockBackend *blk)
{
    aio_drain(blk);
}

unsigned blk_in_flight(BlockBackend *blk)
{
    return blk->in_flight;
}

/* ---- removable media ---- */

void blk_set_dev_ops(BlockBackend *blk, const BlockDevOps *ops,
                     void *opaque)
{
    blk->dev_ops = ops;
    blk->dev_opaque = opaque;
}

static void blk_notify_change(BlockBackend *blk, bool load)
{
    if (blk->dev_ops && blk->dev_ops->change_media_cb) {
        blk->dev_ops->change_media_cb(blk->dev_opaque, load);
    }
}

void blk_eject(BlockBackend *blk)
{
    blk_drain(blk);
    if (blk->bs) {
        bdrv_close(blk->bs);
        blk->bs = NULL;
        blk_notify_change(blk, false);
    }
}

bool blk_change_medium(BlockBackend *blk, const char *filename,
                       const char *format, Error **errp)
{
    BlockDriverState *bs;

    blk_eject(blk);
    bs = bdrv_open(filename, format, 0, errp);
    if (!bs) {
        return false;
    }
    blk->bs = bs;
    blk_notify_change(blk, true);
    return true;
}

void blk_lock_medium(BlockBackend *blk, bool locked)
{
    blk->medium_locked = locked;
}

bool blk_is_medium_locked(BlockBackend *blk)
{
    return blk->medium_locked;
}

/* ---- drives of the command line ---- */

typedef struct DriveOpts {
    DriveInfo info;
    char *file;
    char *format;
    bool read_only;
    int snapshot;               /* -1: follow -snapshot */
    bool wce;
    bool no_flush;
    bool has_file;
} DriveOpts;

static GPtrArray *drives;       /* of DriveOpts */
static bool global_snapshot;

static const char *const if_names[IF_COUNT] = {
    [IF_NONE] = "none", [IF_IDE] = "ide", [IF_VIRTIO] = "virtio",
};

void drive_set_global_snapshot(bool on)
{
    global_snapshot = on;
}

static DriveOpts *drive_find(BlockInterfaceType type, int bus, int unit)
{
    for (guint i = 0; drives && i < drives->len; i++) {
        DriveOpts *d = g_ptr_array_index(drives, i);
        if (d->info.type == type && d->info.bus == bus &&
            d->info.unit == unit) {
            return d;
        }
    }
    return NULL;
}

static bool drive_add(DriveOpts *d, Error **errp)
{
    if (d->info.type != IF_NONE && drive_find(d->info.type, d->info.bus,
                                              d->info.unit)) {
        error_setg(errp, "drive with bus=%d, unit=%d (index=%d) exists",
                   d->info.bus, d->info.unit,
                   d->info.bus * MAX_IDE_DEVS + d->info.unit);
        return false;
    }
    if (!d->info.id) {
        if (d->info.type == IF_IDE) {
            d->info.id = g_strdup_printf("ide%d-%s%d", d->info.bus,
                                         d->info.media == MEDIA_CDROM
                                         ? "cd" : "hd", d->info.unit);
        } else {
            d->info.id = g_strdup_printf("%s%u", if_names[d->info.type],
                                         drives ? drives->len : 0);
        }
    }
    if (drive_get_by_id(d->info.id)) {
        error_setg(errp, "Duplicate ID '%s' for drive", d->info.id);
        return false;
    }
    if (!drives) {
        drives = g_ptr_array_new();
    }
    g_ptr_array_add(drives, d);
    return true;
}

static void drive_opts_free(DriveOpts *d)
{
    g_free(d->info.id);
    g_free(d->file);
    g_free(d->format);
    g_free(d);
}

/* The first free IDE (bus, unit) from index on, as QEMU's if=ide
 * without index=. */
static void drive_pick_ide_slot(DriveOpts *d, int index)
{
    for (int i = index; i < MAX_IDE_BUSES * MAX_IDE_DEVS; i++) {
        if (!drive_find(IF_IDE, i / MAX_IDE_DEVS, i % MAX_IDE_DEVS)) {
            d->info.bus = i / MAX_IDE_DEVS;
            d->info.unit = i % MAX_IDE_DEVS;
            return;
        }
    }
    d->info.bus = MAX_IDE_BUSES;    /* caught by the range check */
}

bool drive_parse(const char *optstr, Error **errp)
{
    Opts *o = opts_parse(optstr, NULL, errp);
    DriveOpts *d;
    const char *v;
    Error *err = NULL;
    int64_t index = -1;
    bool ok = false;

    if (!o) {
        return false;
    }
    d = g_new0(DriveOpts, 1);
    d->info.type = IF_IDE;
    d->snapshot = -1;
    d->wce = true;
    if ((v = opts_get(o, "file"))) {
        d->file = g_strdup(v);
        d->has_file = *v != 0;
    }
    if ((v = opts_get(o, "format"))) {
        if (!bdrv_find_format(v)) {
            error_setg(&err, "Unknown driver '%s' (raw or qcow2)", v);
            goto out;
        }
        d->format = g_strdup(v);
    }
    if ((v = opts_get(o, "if"))) {
        int t;
        for (t = 0; t < IF_COUNT && strcmp(v, if_names[t]); t++) {
        }
        if (t == IF_COUNT) {
            error_setg(&err, "unsupported bus type '%s' (ide, virtio or "
                       "none)", v);
            goto out;
        }
        d->info.type = t;
    }
    if ((v = opts_get(o, "media"))) {
        if (!strcmp(v, "cdrom")) {
            d->info.media = MEDIA_CDROM;
            d->read_only = true;
        } else if (strcmp(v, "disk")) {
            error_setg(&err, "'%s' invalid media (disk or cdrom)", v);
            goto out;
        }
    }
    if ((v = opts_get(o, "id"))) {
        d->info.id = g_strdup(v);
    }
    d->read_only = opts_get_bool(o, "readonly", d->read_only, &err);
    if (opts_has(o, "snapshot")) {
        d->snapshot = opts_get_bool(o, "snapshot", false, &err);
    }
    if ((v = opts_get(o, "cache"))) {
        if (!strcmp(v, "writethrough") || !strcmp(v, "directsync")) {
            d->wce = false;
        } else if (!strcmp(v, "unsafe")) {
            d->no_flush = true;
        } else if (strcmp(v, "writeback") && strcmp(v, "none")) {
            error_setg(&err, "invalid cache option '%s'", v);
            goto out;
        }
    }
    for (int i = 0; i < 2; i++) {
        const char *k = i ? "rerror" : "werror";
        if ((v = opts_get(o, k)) && strcmp(v, "report")) {
            error_setg(&err, "%s=%s is not supported (only 'report')", k,
                       v);
            goto out;
        }
    }
    if (opts_has(o, "index")) {
        index = opts_get_number(o, "index", 0, &err);
    }
    if (opts_has(o, "bus")) {
        d->info.bus = opts_get_number(o, "bus", 0, &err);
    }
    if (opts_has(o, "unit")) {
        d->info.unit = opts_get_number(o, "unit", 0, &err);
    }
    if (err || !opts_check_unused(o, &err)) {
        goto out;
    }
    if (d->info.media == MEDIA_CDROM && d->info.type != IF_IDE &&
        d->info.type != IF_NONE) {
        error_setg(&err, "media=cdrom needs if=ide");
        goto out;
    }
    if (!d->has_file && d->info.media != MEDIA_CDROM) {
        error_setg(&err, "a disk drive needs file=");
        goto out;
    }
    if (d->info.type == IF_IDE) {
        if (index >= 0 && (opts_has(o, "bus") || opts_has(o, "unit"))) {
            error_setg(&err, "index cannot be used with bus and unit");
            goto out;
        }
        if (index >= 0) {
            d->info.bus = index / MAX_IDE_DEVS;
            d->info.unit = index % MAX_IDE_DEVS;
        } else if (!opts_has(o, "bus") && !opts_has(o, "unit")) {
            drive_pick_ide_slot(d, 0);
        }
        if (d->info.bus < 0 || d->info.bus >= MAX_IDE_BUSES ||
            d->info.unit < 0 || d->info.unit >= MAX_IDE_DEVS) {
            error_setg(&err, "IDE has %d buses of %d units (index 0-%d)",
                       MAX_IDE_BUSES, MAX_IDE_DEVS,
                       MAX_IDE_BUSES * MAX_IDE_DEVS - 1);
            goto out;
        }
    } else if (d->info.type == IF_VIRTIO) {
        d->info.bus = 0;
        d->info.unit = index >= 0 ? index : (drives ? drives->len : 0);
    }
    ok = drive_add(d, &err);

out:
    opts_free(o);
    if (!ok) {
        error_propagate(errp, err);
        drive_opts_free(d);
    }
    return ok;
}

bool drive_add_legacy(BlockMedia media, int index, const char *file,
                      Error **errp)
{
    DriveOpts *d = g_new0(DriveOpts, 1);

    d->info.type = IF_IDE;
    d->info.media = media;
    d->info.bus = index / MAX_IDE_DEVS;
    d->info.unit = index % MAX_IDE_DEVS;
    d->snapshot = -1;
    d->wce = true;
    d->file = g_strdup(file);
    d->has_file = *file != 0;
    d->read_only = media == MEDIA_CDROM;
    if (!drive_add(d, errp)) {
        drive_opts_free(d);
        return false;
    }
    return true;
}

void drive_parse_option(const char *opt, const char *arg)
{
    Error *err = NULL;
    bool ok;

    if (!strcmp(opt, "snapshot")) {
        drive_set_global_snapshot(true);
        return;
    }
    if (!strcmp(opt, "drive")) {
        ok = drive_parse(arg, &err);
    } else if (!strcmp(opt, "cdrom")) {
        ok = drive_add_legacy(MEDIA_CDROM, 2, arg, &err);
    } else {
        assert(g_str_has_prefix(opt, "hd") && opt[2] >= 'a' &&
               opt[2] <= 'd');
        ok = drive_add_legacy(MEDIA_DISK, opt[2] - 'a', arg, &err);
    }
    if (!ok) {
        error_prepend(&err, "-%s %s: ", opt, arg);
        error_report_err(err);
        exit(1);
    }
}

bool drive_init_all(Error **errp)
{
    for (guint i = 0; drives && i < drives->len; i++) {
        DriveOpts *d = g_ptr_array_index(drives, i);
        bool snap = d->snapshot < 0 ? global_snapshot : d->snapshot;
        unsigned flags = 0;

        if (d->info.blk) {
            continue;
        }
        if (!d->has_file) {
            d->info.blk = blk_new_empty();
        } else {
            if (!d->read_only) {
                flags |= BLK_O_RDWR;
            }
            if (snap && !d->read_only) {
                flags |= BLK_O_SNAPSHOT;
            }
            if (d->no_flush) {
                flags |= BLK_O_NO_FLUSH;
            }
            d->info.blk = blk_new_open(d->file, d->format, flags, errp);
            if (!d->info.blk) {
                error_prepend(errp, "-drive %s: ", d->info.id);
                return false;
            }
            if (!d->format && !(flags & BLK_O_SNAPSHOT) &&
                d->info.blk->bs->drv == &bdrv_raw) {
                d->info.blk->probed_raw = true;
                warn_report("Image format was not specified for '%s' and "
                            "probing guessed raw: writes of a qcow2 header "
                            "to sector 0 will be refused; specify "
                            "format=raw to remove the restriction",
                            d->file);
            }
        }
        blk_set_name(d->info.blk, d->info.id);
        blk_set_enable_write_cache(d->info.blk, d->wce);
    }
    return true;
}

DriveInfo *drive_get(BlockInterfaceType type, int bus, int unit)
{
    DriveOpts *d = drive_find(type, bus, unit);

    return d ? &d->info : NULL;
}

DriveInfo *drive_get_by_id(const char *id)
{
    for (guint i = 0; drives && i < drives->len; i++) {
        DriveOpts *d = g_ptr_array_index(drives, i);
        if (d->info.id && !strcmp(d->info.id, id)) {
            return &d->info;
        }
    }
    return NULL;
}

DriveInfo *drive_get_next_unclaimed(BlockInterfaceType type)
{
    for (guint i = 0; drives && i < drives->len; i++) {
        DriveOpts *d = g_ptr_array_index(drives, i);
        if (d->info.type == type && !d->info.claimed) {
            return &d->info;
        }
    }
    return NULL;
}

void drive_cleanup_all(void)
{
    for (guint i = 0; drives && i < drives->len; i++) {
        DriveOpts *d = g_ptr_array_index(drives, i);
        blk_unref(d->info.blk);
        drive_opts_free(d);
    }
    if (drives) {
        g_ptr_array_free(drives, true);
        drives = NULL;
    }
}
