/*
 * The block layer as devices see it: a BlockBackend is one opened disk
 * image (raw or qcow2, with its backing chain and an optional -snapshot
 * overlay) addressed in bytes. Devices (IDE, virtio-blk) never touch
 * files; they call these functions.
 *
 * Threads and locks:
 * - The synchronous calls (blk_pread ...) run the I/O on the calling
 *   thread and return when it is done. Use them at start-up, in the tool
 *   and in tests; a device must not use them while the guest runs (they
 *   would stall a vCPU or the main loop on a slow disk).
 * - The blk_aio_* calls queue the request to a small pool of worker
 *   threads and return at once. The completion callback runs later on
 *   the main loop thread with the BQL held, never inside the blk_aio_*
 *   call itself. Call them with the BQL held (vCPU or main loop thread).
 * - Requests may complete in any order; a device that needs ordering
 *   (a FLUSH after its writes) waits for the earlier completions first,
 *   as a real disk's queue does.
 *
 * Errors are negative errno values (-EIO, -ENOSPC, -EINVAL for a request
 * outside the image ...), 0 is success.
 */
#ifndef BLOCK_BLOCK_H
#define BLOCK_BLOCK_H

#include "pcemu/common.h"
#include <sys/uio.h>

#define BDRV_SECTOR_BITS 9
#define BDRV_SECTOR_SIZE (1u << BDRV_SECTOR_BITS)

typedef struct BlockBackend BlockBackend;

/* Flags for blk_new_open(). */
#define BLK_O_RDWR      (1u << 0)   /* else read-only */
#define BLK_O_SNAPSHOT  (1u << 1)   /* writes go to a temporary overlay */
#define BLK_O_NO_FLUSH  (1u << 2)   /* cache=unsafe: flushes do nothing */
#define BLK_O_NO_LOCK   (1u << 3)   /* don't take the image lock */

/*
 * Opens filename as format ("raw", "qcow2" or NULL to probe: qcow2 by its
 * magic, else raw, and then a raw image is read-only-safe only if the
 * user named the format, as QEMU warns). Opens the backing chain. On
 * failure returns NULL and errp names the file and the problem.
 * Takes the image lock (shared for read-only, exclusive for read-write).
 */
BlockBackend *blk_new_open(const char *filename, const char *format,
                           unsigned flags, Error **errp);
/* A backend with no medium (an empty CD-ROM drive). */
BlockBackend *blk_new_empty(void);
/* Waits for every request in flight (running their completions), flushes
 * and closes. NULL is a no-op. Main loop thread, BQL held. */
void blk_unref(BlockBackend *blk);

/* Image size in bytes (a multiple of 512 for qcow2; raw may be any);
 * 0 with no medium. */
int64_t blk_getlength(BlockBackend *blk);
/* Size in 512-byte sectors, rounded down. */
uint64_t blk_nb_sectors(BlockBackend *blk);
bool blk_is_read_only(BlockBackend *blk);
/* False for a CD-ROM drive with no disc. */
bool blk_is_inserted(BlockBackend *blk);
/* The -drive id (or "ide0-hd0" style default), for messages. */
const char *blk_name(BlockBackend *blk);
const char *blk_filename(BlockBackend *blk);   /* NULL with no medium */

/*
 * The write cache mode. With the cache enabled (the default, cache=
 * writeback) a write completes once the image file has it (in the host's
 * page cache); the guest's FLUSH makes it durable. With it disabled
 * (cache=writethrough, or a guest turning its disk's cache off) every
 * write is followed by a flush before it completes. Guests toggle it
 * (ATA SET FEATURES 02h/82h, virtio-blk's WCE bit).
 */
bool blk_enable_write_cache(BlockBackend *blk);
void blk_set_enable_write_cache(BlockBackend *blk, bool enable);

/* Synchronous I/O at byte offsets. A request past the end of the image
 * fails with -EINVAL and does nothing. */
int blk_pread(BlockBackend *blk, int64_t offset, void *buf, size_t bytes);
int blk_pwrite(BlockBackend *blk, int64_t offset, const void *buf,
               size_t bytes);
int blk_preadv(BlockBackend *blk, int64_t offset, const struct iovec *iov,
               int iovcnt);
int blk_pwritev(BlockBackend *blk, int64_t offset, const struct iovec *iov,
                int iovcnt);
/* Returns once everything written before is on stable storage (the
 * metadata of every image in the chain written, then fdatasync). */
int blk_flush(BlockBackend *blk);
/* Tells the image the range is unused; reads of it may return zeroes or
 * the old data afterwards (as ATA TRIM without DRAT). */
int blk_pdiscard(BlockBackend *blk, int64_t offset, int64_t bytes);

/* Sector helpers for devices (sector = 512 bytes). */
static inline int blk_read_sectors(BlockBackend *blk, uint64_t sector,
                                   void *buf, unsigned nb_sectors)
{
    return blk_pread(blk, (int64_t)(sector << BDRV_SECTOR_BITS), buf,
                     (size_t)nb_sectors << BDRV_SECTOR_BITS);
}
static inline int blk_write_sectors(BlockBackend *blk, uint64_t sector,
                                    const void *buf, unsigned nb_sectors)
{
    return blk_pwrite(blk, (int64_t)(sector << BDRV_SECTOR_BITS), buf,
                      (size_t)nb_sectors << BDRV_SECTOR_BITS);
}

/*
 * Asynchronous I/O. cb(opaque, ret) runs on the main loop with the BQL,
 * ret 0 or -errno. The iovec array is copied; the buffers it points to
 * (guest RAM for DMA) must stay valid until cb runs. Returns a handle
 * that is only good for identifying the request; it is freed after cb.
 */
typedef void BlockCompletionFunc(void *opaque, int ret);
typedef struct BlockAIOCB BlockAIOCB;

BlockAIOCB *blk_aio_preadv(BlockBackend *blk, int64_t offset,
                           const struct iovec *iov, int iovcnt,
                           BlockCompletionFunc *cb, void *opaque);
BlockAIOCB *blk_aio_pwritev(BlockBackend *blk, int64_t offset,
                            const struct iovec *iov, int iovcnt,
                            BlockCompletionFunc *cb, void *opaque);
BlockAIOCB *blk_aio_flush(BlockBackend *blk, BlockCompletionFunc *cb,
                          void *opaque);
BlockAIOCB *blk_aio_pdiscard(BlockBackend *blk, int64_t offset,
                             int64_t bytes, BlockCompletionFunc *cb,
                             void *opaque);
/* Convenience: one contiguous buffer. */
BlockAIOCB *blk_aio_pread(BlockBackend *blk, int64_t offset, void *buf,
                          size_t bytes, BlockCompletionFunc *cb,
                          void *opaque);
BlockAIOCB *blk_aio_pwrite(BlockBackend *blk, int64_t offset,
                           const void *buf, size_t bytes,
                           BlockCompletionFunc *cb, void *opaque);

/*
 * Waits until no request of blk is in flight and runs their completion
 * callbacks (so a device reset can drop its state safely afterwards).
 * Main loop or vCPU thread with the BQL held.
 */
void blk_drain(BlockBackend *blk);
/* Number of requests queued or running, whose callback has not run. */
unsigned blk_in_flight(BlockBackend *blk);

/*
 * Removable media (CD-ROM). A device registers a callback told when the
 * medium changes (eject, insert); load is true after an insert. Called on
 * the main loop with the BQL.
 */
typedef struct BlockDevOps {
    void (*change_media_cb)(void *opaque, bool load);
} BlockDevOps;
void blk_set_dev_ops(BlockBackend *blk, const BlockDevOps *ops,
                     void *opaque);
/* Replaces the medium (waits for requests first); errp on failure, and
 * the drive is then empty. */
bool blk_change_medium(BlockBackend *blk, const char *filename,
                       const char *format, Error **errp);
void blk_eject(BlockBackend *blk);
/* Guest-controlled tray lock (ATAPI PREVENT ALLOW MEDIUM REMOVAL). */
void blk_lock_medium(BlockBackend *blk, bool locked);
bool blk_is_medium_locked(BlockBackend *blk);

/*
 * Drives from the command line (-drive, -hda..-hdd, -cdrom, -snapshot).
 * Parsing only records the options; drive_init_all() opens the images
 * after the whole command line is read (so -snapshot may come after
 * -drive). The board then asks for the drives of each interface.
 *
 * -drive keys: file=, format=raw|qcow2, if=ide|virtio|none, index=,
 * bus=, unit=, media=disk|cdrom, readonly=on|off, snapshot=on|off,
 * cache=writeback|writethrough|none|unsafe|directsync, id=,
 * werror=/rerror= (accepted, only the default "report" behaviour).
 */
typedef enum BlockInterfaceType {
    IF_NONE,
    IF_IDE,
    IF_VIRTIO,
    IF_COUNT,
} BlockInterfaceType;

typedef enum BlockMedia {
    MEDIA_DISK,
    MEDIA_CDROM,
} BlockMedia;

#define MAX_IDE_BUSES 2
#define MAX_IDE_DEVS 2      /* per bus: master (unit 0), slave (unit 1) */

typedef struct DriveInfo {
    char *id;                   /* -drive id=, or a default */
    BlockInterfaceType type;
    int bus, unit;              /* IDE: bus 0/1, unit 0 master 1 slave */
    BlockMedia media;
    BlockBackend *blk;          /* set by drive_init_all(); never NULL then */
    bool claimed;               /* a device uses it */
} DriveInfo;

/* -drive OPTSTR. Returns false with errp on a malformed option. */
bool drive_parse(const char *optstr, Error **errp);
/* -hda/-hdb/-hdc/-hdd (index 0-3) and -cdrom (index 2) */
bool drive_add_legacy(BlockMedia media, int index, const char *file,
                      Error **errp);
/* -snapshot: every drive gets snapshot=on unless it says otherwise. */
void drive_set_global_snapshot(bool on);
/* The command line's entry point: opt is "drive", "hda".."hdd", "cdrom"
 * or "snapshot" (arg NULL); a bad option prints one error and exits 1. */
void drive_parse_option(const char *opt, const char *arg);
/* Opens every drive. Returns false with errp naming the -drive. */
bool drive_init_all(Error **errp);
/* The drive at (type, bus, unit), or NULL. */
DriveInfo *drive_get(BlockInterfaceType type, int bus, int unit);
/* The drive with that id (for -device ...,drive=ID), or NULL. */
DriveInfo *drive_get_by_id(const char *id);
/* Drives of a type that no device claimed, in order; NULL at the end.
 * For if=virtio the board creates one virtio-blk device each. */
DriveInfo *drive_get_next_unclaimed(BlockInterfaceType type);
/* Flushes and closes every drive (at exit). */
void drive_cleanup_all(void);

#endif
