/*
 * Inside the block layer: a BlockDriverState is one image file opened
 * with one format driver, maybe with a backing image under it. Drivers
 * (block/raw.c, block/qcow2*.c) implement BlockDriver; block/block.c
 * opens files, probes formats, takes the image locks and walks the
 * backing chain. Used by the BlockBackend, pcemu-img and the unit tests;
 * devices use block.h only.
 *
 * Every driver call is made with bs->lock held (block.c takes it), so a
 * driver sees one request at a time per image; the worker threads of
 * block/aio.c may run requests of different images in parallel.
 */
#ifndef BLOCK_BLOCK_INT_H
#define BLOCK_BLOCK_INT_H

#include "block/block.h"
#include <pthread.h>

typedef struct BlockDriver BlockDriver;
typedef struct BlockDriverState BlockDriverState;

/* The deepest backing chain we open (QEMU has no fixed limit; a loop or
 * a hostile chain must not exhaust the stack or the fd table). */
#define BDRV_MAX_BACKING_DEPTH 16

/* Flags of bdrv_open() (the BLK_O_* of block.h plus these). */
#define BDRV_O_PROBE_RAW_OK (1u << 8)   /* no warning when probing raw */

typedef struct BlockDriverInfo {
    uint32_t cluster_size;      /* 0 if the format has none */
    bool is_dirty;
} BlockDriverInfo;

typedef struct BdrvCheckResult {
    int corruptions;
    int leaks;
    int check_errors;
    int corruptions_fixed;
    int leaks_fixed;
    uint64_t allocated_clusters;
    uint64_t total_clusters;
    uint64_t fragmented_clusters;
    uint64_t compressed_clusters;
    int64_t image_end_offset;
} BdrvCheckResult;

typedef struct QEMUSnapshotInfo {
    char id_str[128];
    char name[256];
    uint64_t vm_state_size;
    uint32_t date_sec;
    uint32_t date_nsec;
    uint64_t vm_clock_nsec;
    uint64_t icount;            /* UINT64_MAX if unknown */
} QEMUSnapshotInfo;

/* Options of bdrv_create(), from "-o" and the tool's arguments. */
typedef struct BlockCreateOpts {
    uint64_t size;
    const char *backing_file;
    const char *backing_fmt;
    int compat;                 /* 0: default (v3), 2 for 0.10, 3 for 1.1 */
    uint32_t cluster_size;      /* 0: default 64 KiB */
    int refcount_bits;          /* 0: default 16 */
    bool lazy_refcounts;
} BlockCreateOpts;

#define BDRV_CHECK_FIX_LEAKS  1
#define BDRV_CHECK_FIX_ERRORS 2

struct BlockDriver {
    const char *format_name;
    size_t instance_size;
    /* Score 0-100 that buf (the file's first bytes) is this format. */
    int (*probe)(const uint8_t *buf, int buf_size);
    /* bs->file_fd, filename, read_only are set; errp on failure. The
     * driver opens bs->backing itself with bdrv_open_backing(). */
    int (*open)(BlockDriverState *bs, Error **errp);
    void (*close)(BlockDriverState *bs);
    int (*pread)(BlockDriverState *bs, uint64_t offset, void *buf,
                 uint64_t bytes);
    int (*pwrite)(BlockDriverState *bs, uint64_t offset, const void *buf,
                  uint64_t bytes);
    /* One whole cluster at a cluster-aligned offset (or the image's last,
     * short cluster); NULL if the format cannot compress. */
    int (*pwrite_compressed)(BlockDriverState *bs, uint64_t offset,
                             const void *buf, uint64_t bytes);
    /* Writes metadata to the file (no fdatasync: block.c does that). */
    int (*flush)(BlockDriverState *bs);
    int (*pdiscard)(BlockDriverState *bs, uint64_t offset, uint64_t bytes);
    /* Whether [offset, offset+bytes) is allocated in this image (not its
     * backing); *pnum gets how many bytes from offset share the answer.
     * Returns 1 allocated, 0 not, 2 reads as zeroes here, or -errno. */
    int (*block_status)(BlockDriverState *bs, uint64_t offset,
                        uint64_t bytes, uint64_t *pnum);
    int (*truncate)(BlockDriverState *bs, uint64_t size, Error **errp);
    int (*get_info)(BlockDriverState *bs, BlockDriverInfo *bdi);
    int (*create)(const char *filename, const BlockCreateOpts *o,
                  Error **errp);
    int (*check)(BlockDriverState *bs, BdrvCheckResult *res, int fix);
    /* Snapshots; id_or_name matches the id first, then the name. */
    int (*snapshot_create)(BlockDriverState *bs, QEMUSnapshotInfo *sn,
                           Error **errp);
    int (*snapshot_goto)(BlockDriverState *bs, const char *id_or_name,
                         Error **errp);
    int (*snapshot_delete)(BlockDriverState *bs, const char *id_or_name,
                           Error **errp);
    int (*snapshot_list)(BlockDriverState *bs, QEMUSnapshotInfo **psn);
    /* Extra lines for "pcemu-img info" ("compat", "lazy refcounts"...),
     * into a JSON-ish key list: each call adds key/value pairs. */
    void (*info_specific)(BlockDriverState *bs, GString *human,
                          GString *json);
};

struct BlockDriverState {
    const BlockDriver *drv;
    void *opaque;               /* the driver's state, instance_size */
    char *filename;             /* as given (for messages) */
    char *exact_filename;       /* resolved path */
    int fd;                     /* the image file */
    bool read_only;
    unsigned open_flags;
    uint64_t total_size;        /* guest-visible size in bytes */
    BlockDriverState *backing;  /* NULL if none */
    char backing_file[1024];    /* as stored in the image */
    char backing_format[16];
    int depth;                  /* 0 for the top image */
    pthread_mutex_t lock;       /* held around every driver call */
    bool lock_held;             /* image lock bytes taken */
};

extern const BlockDriver bdrv_raw;
extern const BlockDriver bdrv_qcow2;

const BlockDriver *bdrv_find_format(const char *name);

/* Opens an image (see blk_new_open for format and flags). */
BlockDriverState *bdrv_open(const char *filename, const char *format,
                            unsigned flags, Error **errp);
/* For drivers: opens bs->backing_file (relative to bs's directory) with
 * bs->backing_format or probing, read-only. */
int bdrv_open_backing(BlockDriverState *bs, Error **errp);
/* Flushes and closes bs and its backing chain. */
void bdrv_close(BlockDriverState *bs);
/* Resolves a backing file name against the image's directory. */
char *bdrv_backing_path(const char *image, const char *backing);

/* Locked entry points (used by the BlockBackend and the tool). Requests
 * are checked against bs->total_size here; drivers may trust them. */
int bdrv_pread(BlockDriverState *bs, uint64_t offset, void *buf,
               uint64_t bytes);
int bdrv_pwrite(BlockDriverState *bs, uint64_t offset, const void *buf,
                uint64_t bytes);
int bdrv_pwrite_compressed(BlockDriverState *bs, uint64_t offset,
                           const void *buf, uint64_t bytes);
int bdrv_flush(BlockDriverState *bs);
int bdrv_pdiscard(BlockDriverState *bs, uint64_t offset, uint64_t bytes);
int bdrv_block_status(BlockDriverState *bs, uint64_t offset, uint64_t bytes,
                      uint64_t *pnum);
int bdrv_truncate(BlockDriverState *bs, uint64_t size, Error **errp);
int bdrv_create(const char *format, const char *filename,
                const BlockCreateOpts *o, Error **errp);

/* Reads from the backing image for the driver: zeroes past its end or
 * with no backing. */
int bdrv_read_backing(BlockDriverState *bs, uint64_t offset, void *buf,
                      uint64_t bytes);

/* Whole-buffer file I/O on bs->fd: retries short transfers and EINTR;
 * reads past the end of the file give zeroes. 0 or -errno. */
int bdrv_file_pread(BlockDriverState *bs, uint64_t offset, void *buf,
                    uint64_t bytes);
int bdrv_file_pwrite(BlockDriverState *bs, uint64_t offset, const void *buf,
                     uint64_t bytes);
int64_t bdrv_file_size(BlockDriverState *bs);
/* Bytes the file occupies on the host (st_blocks * 512). */
int64_t bdrv_file_allocated(BlockDriverState *bs);

#endif
