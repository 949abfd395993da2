/*
 * qcow2 internals shared by block/qcow2*.c.
 *
 * Format: QEMU's docs/interop/qcow2.txt ("QCOW2 Image Format"), versions
 * 2 (compat=0.10) and 3 (compat=1.1). All on-disk integers big-endian.
 *
 * Crash safety: metadata caches are write-through, and every allocating
 * write goes refcount update -> guest data -> L2 entry -> freeing the old
 * cluster, so a process killed at any point leaves at worst leaked
 * clusters (which "check -r leaks" reclaims), never a cluster referenced
 * with a refcount of zero. A host crash may reorder writes between two
 * flushes; bdrv_flush() fdatasyncs, so everything flushed survives.
 */
#ifndef BLOCK_QCOW2_H
#define BLOCK_QCOW2_H

#include "block/block_int.h"

#define QCOW_MAGIC 0x514649fbu      /* "QFI\xfb" */

/* Header field offsets (qcow2.txt, "Header"). */
#define QH_MAGIC                    0
#define QH_VERSION                  4
#define QH_BACKING_FILE_OFFSET      8
#define QH_BACKING_FILE_SIZE        16
#define QH_CLUSTER_BITS             20
#define QH_SIZE                     24
#define QH_CRYPT_METHOD             32
#define QH_L1_SIZE                  36
#define QH_L1_TABLE_OFFSET          40
#define QH_REFCOUNT_TABLE_OFFSET    48
#define QH_REFCOUNT_TABLE_CLUSTERS  56
#define QH_NB_SNAPSHOTS             60
#define QH_SNAPSHOTS_OFFSET         64
#define QH_INCOMPATIBLE_FEATURES    72
#define QH_COMPATIBLE_FEATURES      80
#define QH_AUTOCLEAR_FEATURES       88
#define QH_REFCOUNT_ORDER           96
#define QH_HEADER_LENGTH            100
#define QH_COMPRESSION_TYPE         104
#define QCOW2_V2_HEADER_SIZE        72
#define QCOW2_V3_HEADER_SIZE        104

/* Feature bits. */
#define QCOW2_INCOMPAT_DIRTY        (1ull << 0)
#define QCOW2_INCOMPAT_CORRUPT      (1ull << 1)
#define QCOW2_INCOMPAT_DATA_FILE    (1ull << 2)
#define QCOW2_INCOMPAT_COMPRESSION  (1ull << 3)
#define QCOW2_INCOMPAT_EXTL2        (1ull << 4)
#define QCOW2_INCOMPAT_KNOWN        (QCOW2_INCOMPAT_DIRTY | \
                                     QCOW2_INCOMPAT_CORRUPT)
#define QCOW2_COMPAT_LAZY_REFCOUNTS (1ull << 0)

/* Header extension types. */
#define QCOW2_EXT_END               0x00000000u
#define QCOW2_EXT_BACKING_FORMAT    0xe2792acau
#define QCOW2_EXT_FEATURE_TABLE     0x6803f857u
#define QCOW2_EXT_BITMAPS           0x23852875u
#define QCOW2_EXT_CRYPTO            0x0537be77u
#define QCOW2_EXT_DATA_FILE         0x44415441u

/* L1 and L2 entries (qcow2.txt, "Cluster mapping"). */
#define QCOW_OFLAG_COPIED           (1ull << 63)
#define QCOW_OFLAG_COMPRESSED       (1ull << 62)
#define QCOW_OFLAG_ZERO             (1ull << 0)
#define L1E_OFFSET_MASK             0x00fffffffffffe00ull
#define L2E_OFFSET_MASK             0x00fffffffffffe00ull
#define L1E_RESERVED_MASK           0x7f000000000001ffull
#define REFT_OFFSET_MASK            0xfffffffffffffe00ull

/* Limits, as QEMU's, so hostile headers cannot make us allocate wildly. */
#define QCOW2_MIN_CLUSTER_BITS      9
#define QCOW2_MAX_CLUSTER_BITS      21
#define QCOW_MAX_L1_SIZE            (32 * MiB)      /* bytes */
#define QCOW_MAX_REFTABLE_SIZE      (8 * MiB)       /* bytes */
#define QCOW_MAX_SNAPSHOTS          65536
#define QCOW_MAX_SNAPSHOTS_SIZE     (64 * MiB)
#define QCOW2_MAX_SIZE              (1ull << 55)    /* bytes, guest */

#define QCOW2_CACHE_ENTRIES         32

typedef struct Qcow2Cache {
    int nr;
    uint32_t size;              /* bytes per table (one cluster) */
    uint64_t offset[QCOW2_CACHE_ENTRIES];   /* 0: empty slot */
    uint64_t lru[QCOW2_CACHE_ENTRIES];
    uint8_t *data;
    uint64_t tick;
} Qcow2Cache;

typedef struct Qcow2Snapshot {
    uint64_t l1_table_offset;
    uint32_t l1_size;
    char *id_str;
    char *name;
    uint64_t disk_size;
    uint64_t vm_state_size;
    uint32_t date_sec;
    uint32_t date_nsec;
    uint64_t vm_clock_nsec;
    uint64_t icount;
    uint32_t extra_data_size;
    uint8_t *unknown_extra;     /* extra data past what we know, kept */
} Qcow2Snapshot;

typedef struct BDRVQcow2State {
    int version;
    int cluster_bits;
    uint32_t cluster_size;
    int l2_bits;                /* log2 of entries per L2 table */
    uint32_t l2_size;           /* entries per L2 table */
    int csize_shift;            /* compressed-entry sector count shift */
    uint64_t csize_mask;
    uint64_t cluster_offset_mask;   /* compressed host offset bits */

    uint64_t l1_table_offset;
    uint32_t l1_size;
    uint64_t *l1_table;         /* host byte order */

    uint64_t refcount_table_offset;
    uint32_t refcount_table_size;   /* entries in memory */
    uint32_t refcount_table_disk;   /* entries on disk (during growth) */
    uint64_t *refcount_table;
    int refcount_order;
    int refcount_block_bits;    /* log2 of entries per refcount block */
    uint64_t refcount_max;
    bool growing_reftable;

    uint64_t incompatible_features;
    uint64_t compatible_features;
    uint64_t autoclear_features;
    uint32_t header_length;

    uint64_t snapshots_offset;
    uint32_t nb_snapshots;
    Qcow2Snapshot *snapshots;

    uint64_t free_cluster_index;
    uint64_t free_byte_offset;  /* for compressed clusters */

    Qcow2Cache l2_cache;
    Qcow2Cache refblock_cache;

    uint8_t *cluster_data;      /* bounce buffers, one cluster each */
    uint8_t *cluster_data2;
    uint8_t *compressed_buf;    /* two clusters */
    uint64_t decompressed_offset;   /* host offset in cluster_cache, or 0 */
    uint8_t *cluster_cache;
} BDRVQcow2State;

static inline uint64_t be64_get(const void *p)
{
    const uint8_t *b = p;
    return ((uint64_t)b[0] << 56) | ((uint64_t)b[1] << 48) |
           ((uint64_t)b[2] << 40) | ((uint64_t)b[3] << 32) |
           ((uint64_t)b[4] << 24) | ((uint64_t)b[5] << 16) |
           ((uint64_t)b[6] << 8) | b[7];
}
static inline uint32_t be32_get(const void *p)
{
    const uint8_t *b = p;
    return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
           ((uint32_t)b[2] << 8) | b[3];
}
static inline uint16_t be16_get(const void *p)
{
    const uint8_t *b = p;
    return (uint16_t)((b[0] << 8) | b[1]);
}
static inline void be64_put(void *p, uint64_t v)
{
    uint8_t *b = p;
    for (int i = 7; i >= 0; i--, v >>= 8) {
        b[i] = v;
    }
}
static inline void be32_put(void *p, uint32_t v)
{
    uint8_t *b = p;
    for (int i = 3; i >= 0; i--, v >>= 8) {
        b[i] = v;
    }
}
static inline void be16_put(void *p, uint16_t v)
{
    uint8_t *b = p;
    b[0] = v >> 8;
    b[1] = v;
}

static inline int ctz32_safe(uint32_t v)
{
    return v ? __builtin_ctz(v) : 32;
}

static inline uint64_t qcow2_size_to_clusters(BDRVQcow2State *s,
                                              uint64_t size)
{
    return (size + s->cluster_size - 1) >> s->cluster_bits;
}

static inline uint64_t qcow2_start_of_cluster(BDRVQcow2State *s,
                                              uint64_t offset)
{
    return offset & ~(uint64_t)(s->cluster_size - 1);
}

/* qcow2.c */
int qcow2_write_header_field(BlockDriverState *bs, int offset,
                             const void *buf, int len);
int qcow2_mark_corrupt(BlockDriverState *bs, const char *fmt, ...)
    PRINTF_FMT(2, 3);

/* qcow2-cache (in qcow2-cluster.c) */
void qcow2_cache_init(Qcow2Cache *c, uint32_t size);
void qcow2_cache_destroy(Qcow2Cache *c);
/* A cached copy of the table at offset; NULL with *ret on error. */
uint8_t *qcow2_cache_get(BlockDriverState *bs, Qcow2Cache *c,
                         uint64_t offset, int *ret);
/* Puts a freshly written table in the cache. */
void qcow2_cache_put_new(Qcow2Cache *c, uint64_t offset, const void *buf);
void qcow2_cache_discard(Qcow2Cache *c, uint64_t offset);

/* qcow2-cluster.c */
int qcow2_pread(BlockDriverState *bs, uint64_t offset, void *buf,
                uint64_t bytes);
int qcow2_pwrite(BlockDriverState *bs, uint64_t offset, const void *buf,
                 uint64_t bytes);
int qcow2_pwrite_compressed(BlockDriverState *bs, uint64_t offset,
                            const void *buf, uint64_t bytes);
int qcow2_pdiscard(BlockDriverState *bs, uint64_t offset, uint64_t bytes);
int qcow2_block_status(BlockDriverState *bs, uint64_t offset,
                       uint64_t bytes, uint64_t *pnum);
int qcow2_grow_l1_table(BlockDriverState *bs, uint64_t min_size);
int qcow2_write_l1_entry(BlockDriverState *bs, uint32_t index);
int qcow2_write_l2_entry(BlockDriverState *bs, uint64_t l2_offset,
                         uint32_t index, uint64_t entry);
/* Host clusters a compressed L2 entry occupies: [*start, *end). */
void qcow2_compressed_range(BDRVQcow2State *s, uint64_t l2e,
                            uint64_t *start, uint64_t *bytes);

/* qcow2-refcount.c */
int qcow2_refcount_init(BlockDriverState *bs, Error **errp);
int qcow2_get_refcount(BlockDriverState *bs, uint64_t cluster_index,
                       uint64_t *refcount);
/* Adds addend to the refcount of every cluster of [offset, offset+len). */
int qcow2_update_refcount(BlockDriverState *bs, uint64_t offset,
                          uint64_t length, int64_t addend);
/* Allocates size bytes of contiguous new clusters; byte offset or -errno.*/
int64_t qcow2_alloc_clusters(BlockDriverState *bs, uint64_t size);
/* Bytes inside a shared cluster for compressed data; offset or -errno. */
int64_t qcow2_alloc_bytes(BlockDriverState *bs, uint32_t size);
void qcow2_free_clusters(BlockDriverState *bs, uint64_t offset,
                         uint64_t size);
/* Frees what an L2 entry points to (normal or compressed). */
void qcow2_free_l2_entry(BlockDriverState *bs, uint64_t l2e);
/* Adds addend to every L2 table and data cluster under an L1 table, and
 * then recomputes the COPIED flags if it is the active table. */
int qcow2_update_snapshot_refcount(BlockDriverState *bs,
                                   uint64_t l1_offset, uint32_t l1_size,
                                   int addend);
int qcow2_check(BlockDriverState *bs, BdrvCheckResult *res, int fix);

/* qcow2-snapshot.c */
int qcow2_read_snapshots(BlockDriverState *bs, Error **errp);
void qcow2_free_snapshots(BDRVQcow2State *s);
int qcow2_snapshot_create(BlockDriverState *bs, QEMUSnapshotInfo *sn,
                          Error **errp);
int qcow2_snapshot_goto(BlockDriverState *bs, const char *id_or_name,
                        Error **errp);
int qcow2_snapshot_delete(BlockDriverState *bs, const char *id_or_name,
                          Error **errp);
int qcow2_snapshot_list(BlockDriverState *bs, QEMUSnapshotInfo **psn);

#endif
