/*
 * qcow2: the header, opening (every field checked before use), creating,
 * resizing, and the driver table. L1/L2 mapping and guest I/O are in
 * qcow2-cluster.c, refcounts and allocation in qcow2-refcount.c, internal
 * snapshots in qcow2-snapshot.c.
 *
 * Format: QEMU's docs/interop/qcow2.txt, "Header" and "Header
 * extensions". A corrupt or hostile image is refused at open with one
 * message naming the file and the field; damage found later (a table
 * offset that is not cluster-aligned, past the end of the file) fails
 * that request with -EIO and a message, never a crash.
 *
 * Not implemented: encryption, external data files, extended L2 entries,
 * zstd compression, persistent bitmaps (their autoclear bit is cleared
 * on a read-write open, as the spec asks of programs that don't know
 * them), shrinking.
 */
#include "block/qcow2.h"
#include <sys/stat.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

int qcow2_write_header_field(BlockDriverState *bs, int offset,
                             const void *buf, int len)
{
    return bdrv_file_pwrite(bs, offset, buf, len);
}

int qcow2_mark_corrupt(BlockDriverState *bs, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_report("%s: qcow2 image is corrupt: %s (run 'pcemu-img check "
                 "-r all')", bs->filename, msg);
    g_free(msg);
    return -EIO;
}

static int qcow2_probe(const uint8_t *buf, int buf_size)
{
    if (buf_size >= 8 && be32_get(buf) == QCOW_MAGIC &&
        be32_get(buf + 4) >= 2) {
        return 100;
    }
    return 0;
}

/* Checks that a table of size bytes at offset is cluster-aligned and
 * inside the file. */
static bool table_ok(BDRVQcow2State *s, int64_t file_size, uint64_t offset,
                     uint64_t size)
{
    if (offset & (s->cluster_size - 1)) {
        return false;
    }
    if (offset > (uint64_t)file_size || size > (uint64_t)file_size - offset) {
        return false;
    }
    return true;
}

static int qcow2_read_extensions(BlockDriverState *bs, const uint8_t *hdr,
                                 uint64_t end, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t off = s->header_length;

    while (off + 8 <= end) {
        uint32_t type = be32_get(hdr + off);
        uint32_t len = be32_get(hdr + off + 4);

        off += 8;
        if (type == QCOW2_EXT_END) {
            return 0;
        }
        if (len > end - off) {
            error_setg(errp, "%s: header extension 0x%08x has length %u, "
                       "past the end of the header cluster", bs->filename,
                       type, len);
            return -EINVAL;
        }
        switch (type) {
        case QCOW2_EXT_BACKING_FORMAT:
            if (len >= sizeof(bs->backing_format)) {
                error_setg(errp, "%s: backing format name too long (%u "
                           "bytes)", bs->filename, len);
                return -EINVAL;
            }
            memcpy(bs->backing_format, hdr + off, len);
            bs->backing_format[len] = 0;
            break;
        case QCOW2_EXT_CRYPTO:
        case QCOW2_EXT_DATA_FILE:
            error_setg(errp, "%s: header extension 0x%08x (%s) is not "
                       "supported", bs->filename, type,
                       type == QCOW2_EXT_CRYPTO ? "encryption"
                                                : "external data file");
            return -ENOTSUP;
        default:
            /* Feature name table, bitmaps, unknown: safe to ignore. */
            break;
        }
        off += (len + 7) & ~7ull;
    }
    return 0;
}

static int qcow2_open(BlockDriverState *bs, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t file_size = bdrv_file_size(bs);
    uint8_t *hdr = NULL;
    uint64_t backing_off, l1_needed, size;
    uint32_t backing_len, crypt;
    int ret = -EINVAL;

    if (file_size < 0) {
        error_setg(errp, "%s: cannot get size: %s", bs->filename,
                   strerror(-file_size));
        return file_size;
    }
    if (file_size < QCOW2_V2_HEADER_SIZE) {
        error_setg(errp, "%s: image is truncated: %" PRId64 " bytes is "
                   "less than a qcow2 header", bs->filename, file_size);
        return -EINVAL;
    }
    hdr = g_malloc0(QCOW2_V3_HEADER_SIZE + 8);
    ret = bdrv_file_pread(bs, 0, hdr, QCOW2_V3_HEADER_SIZE + 8);
    if (ret < 0) {
        error_setg(errp, "%s: cannot read the header: %s", bs->filename,
                   strerror(-ret));
        goto fail;
    }
    ret = -EINVAL;
    if (be32_get(hdr + QH_MAGIC) != QCOW_MAGIC) {
        error_setg(errp, "%s: not a qcow2 image (bad magic)", bs->filename);
        goto fail;
    }
    s->version = be32_get(hdr + QH_VERSION);
    if (s->version != 2 && s->version != 3) {
        error_setg(errp, "%s: unsupported qcow2 version %d", bs->filename,
                   s->version);
        ret = -ENOTSUP;
        goto fail;
    }
    s->cluster_bits = be32_get(hdr + QH_CLUSTER_BITS);
    if (s->cluster_bits < QCOW2_MIN_CLUSTER_BITS ||
        s->cluster_bits > QCOW2_MAX_CLUSTER_BITS) {
        error_setg(errp, "%s: cluster_bits %d out of range (%d-%d)",
                   bs->filename, s->cluster_bits, QCOW2_MIN_CLUSTER_BITS,
                   QCOW2_MAX_CLUSTER_BITS);
        goto fail;
    }
    s->cluster_size = 1u << s->cluster_bits;
    s->l2_bits = s->cluster_bits - 3;
    s->l2_size = 1u << s->l2_bits;
    s->csize_shift = 62 - (s->cluster_bits - 8);
    s->csize_mask = (1ull << (s->cluster_bits - 8)) - 1;
    s->cluster_offset_mask = (1ull << s->csize_shift) - 1;

    if (s->version == 2) {
        s->header_length = QCOW2_V2_HEADER_SIZE;
        s->refcount_order = 4;
    } else {
        if (file_size < QCOW2_V3_HEADER_SIZE) {
            error_setg(errp, "%s: image is truncated: %" PRId64 " bytes is "
                       "less than a version 3 header", bs->filename,
                       file_size);
            goto fail;
        }
        s->incompatible_features = be64_get(hdr + QH_INCOMPATIBLE_FEATURES);
        s->compatible_features = be64_get(hdr + QH_COMPATIBLE_FEATURES);
        s->autoclear_features = be64_get(hdr + QH_AUTOCLEAR_FEATURES);
        s->refcount_order = be32_get(hdr + QH_REFCOUNT_ORDER);
        s->header_length = be32_get(hdr + QH_HEADER_LENGTH);
        if (s->header_length < QCOW2_V3_HEADER_SIZE ||
            s->header_length > s->cluster_size) {
            error_setg(errp, "%s: header_length %u out of range (%d to the "
                       "cluster size)", bs->filename, s->header_length,
                       QCOW2_V3_HEADER_SIZE);
            goto fail;
        }
    }
    if (s->incompatible_features & ~QCOW2_INCOMPAT_KNOWN) {
        uint64_t unknown = s->incompatible_features & ~QCOW2_INCOMPAT_KNOWN;
        error_setg(errp, "%s: unsupported qcow2 feature(s): incompatible "
                   "feature bits 0x%" PRIx64 "%s", bs->filename, unknown,
                   unknown & QCOW2_INCOMPAT_COMPRESSION
                   ? " (non-zlib compression)"
                   : unknown & QCOW2_INCOMPAT_DATA_FILE
                   ? " (external data file)"
                   : unknown & QCOW2_INCOMPAT_EXTL2 ? " (extended L2)" : "");
        ret = -ENOTSUP;
        goto fail;
    }
    if ((s->incompatible_features & QCOW2_INCOMPAT_CORRUPT) &&
        !bs->read_only) {
        error_setg(errp, "%s: image is marked corrupt; it can be opened "
                   "read-only, or repaired with 'pcemu-img check -r all'",
                   bs->filename);
        goto fail;
    }
    if (s->refcount_order > 6) {
        error_setg(errp, "%s: refcount_order %d out of range (0-6)",
                   bs->filename, s->refcount_order);
        goto fail;
    }
    if (s->refcount_order != 4 && !bs->read_only) {
        error_setg(errp, "%s: %d-bit refcounts are supported read-only "
                   "(only 16-bit for writing)", bs->filename,
                   1 << s->refcount_order);
        ret = -ENOTSUP;
        goto fail;
    }
    s->refcount_block_bits = s->cluster_bits + 3 - s->refcount_order;
    s->refcount_max = s->refcount_order == 6
                      ? (uint64_t)INT64_MAX
                      : (1ull << (1 << s->refcount_order)) - 1;

    crypt = be32_get(hdr + QH_CRYPT_METHOD);
    if (crypt) {
        error_setg(errp, "%s: encrypted qcow2 images are not supported",
                   bs->filename);
        ret = -ENOTSUP;
        goto fail;
    }
    size = be64_get(hdr + QH_SIZE);
    if (size > QCOW2_MAX_SIZE) {
        error_setg(errp, "%s: image size %" PRIu64 " is too large",
                   bs->filename, size);
        goto fail;
    }
    bs->total_size = size;

    s->l1_size = be32_get(hdr + QH_L1_SIZE);
    s->l1_table_offset = be64_get(hdr + QH_L1_TABLE_OFFSET);
    l1_needed = (size + ((uint64_t)s->cluster_size << s->l2_bits) - 1) >>
                (s->cluster_bits + s->l2_bits);
    if ((uint64_t)s->l1_size * 8 > QCOW_MAX_L1_SIZE) {
        error_setg(errp, "%s: active L1 table too large (%u entries)",
                   bs->filename, s->l1_size);
        ret = -EFBIG;
        goto fail;
    }
    if (s->l1_size < l1_needed) {
        error_setg(errp, "%s: L1 table is too small (%u entries for an "
                   "image that needs %" PRIu64 ")", bs->filename,
                   s->l1_size, l1_needed);
        goto fail;
    }
    if (s->l1_size && !table_ok(s, file_size, s->l1_table_offset,
                                (uint64_t)s->l1_size * 8)) {
        error_setg(errp, "%s: L1 table offset 0x%" PRIx64 " is not cluster "
                   "aligned or is past the end of the file", bs->filename,
                   s->l1_table_offset);
        goto fail;
    }

    s->refcount_table_offset = be64_get(hdr + QH_REFCOUNT_TABLE_OFFSET);
    {
        uint64_t clusters = be32_get(hdr + QH_REFCOUNT_TABLE_CLUSTERS);
        uint64_t bytes = clusters << s->cluster_bits;

        if (bytes > QCOW_MAX_REFTABLE_SIZE) {
            error_setg(errp, "%s: reference count table too large (%" PRIu64
                       " clusters)", bs->filename, clusters);
            goto fail;
        }
        if (!clusters || !table_ok(s, file_size, s->refcount_table_offset,
                                   bytes)) {
            error_setg(errp, "%s: refcount table offset 0x%" PRIx64 " is "
                       "not cluster aligned, is empty or is past the end "
                       "of the file", bs->filename,
                       s->refcount_table_offset);
            goto fail;
        }
        s->refcount_table_size = bytes / 8;
        s->refcount_table_disk = s->refcount_table_size;
    }

    s->nb_snapshots = be32_get(hdr + QH_NB_SNAPSHOTS);
    s->snapshots_offset = be64_get(hdr + QH_SNAPSHOTS_OFFSET);
    if (s->nb_snapshots > QCOW_MAX_SNAPSHOTS) {
        error_setg(errp, "%s: too many snapshots (%u)", bs->filename,
                   s->nb_snapshots);
        goto fail;
    }
    if (s->nb_snapshots &&
        !table_ok(s, file_size, s->snapshots_offset, 40)) {
        error_setg(errp, "%s: snapshot table offset 0x%" PRIx64 " is not "
                   "cluster aligned or is past the end of the file",
                   bs->filename, s->snapshots_offset);
        goto fail;
    }

    /* The header cluster: extensions and the backing file name. */
    g_free(hdr);
    hdr = g_malloc(s->cluster_size);
    ret = bdrv_file_pread(bs, 0, hdr, s->cluster_size);
    if (ret < 0) {
        error_setg(errp, "%s: cannot read the header: %s", bs->filename,
                   strerror(-ret));
        goto fail;
    }
    ret = -EINVAL;
    backing_off = be64_get(hdr + QH_BACKING_FILE_OFFSET);
    backing_len = be32_get(hdr + QH_BACKING_FILE_SIZE);
    if (backing_off) {
        if (backing_len > 1023 || backing_off > s->cluster_size ||
            backing_len > s->cluster_size - backing_off ||
            backing_off < s->header_length) {
            error_setg(errp, "%s: backing file name (offset %" PRIu64
                       ", %u bytes) is not inside the header cluster or "
                       "is too long", bs->filename, backing_off,
                       backing_len);
            goto fail;
        }
        memcpy(bs->backing_file, hdr + backing_off, backing_len);
        bs->backing_file[backing_len] = 0;
        if (strlen(bs->backing_file) != backing_len) {
            error_setg(errp, "%s: backing file name contains a NUL byte",
                       bs->filename);
            goto fail;
        }
    }
    ret = qcow2_read_extensions(bs, hdr, backing_off ? backing_off
                                                     : s->cluster_size,
                                errp);
    if (ret < 0) {
        goto fail;
    }

    /* The active L1 table. */
    s->l1_table = g_new0(uint64_t, MAX(s->l1_size, 1));
    if (s->l1_size) {
        ret = bdrv_file_pread(bs, s->l1_table_offset, s->l1_table,
                              (uint64_t)s->l1_size * 8);
        if (ret < 0) {
            error_setg(errp, "%s: cannot read the L1 table: %s",
                       bs->filename, strerror(-ret));
            goto fail;
        }
        for (uint32_t i = 0; i < s->l1_size; i++) {
            s->l1_table[i] = be64_get(&s->l1_table[i]);
        }
    }
    qcow2_cache_init(&s->l2_cache, s->cluster_size);
    qcow2_cache_init(&s->refblock_cache, s->cluster_size);
    s->cluster_data = g_malloc(s->cluster_size);
    s->cluster_data2 = g_malloc(s->cluster_size);
    s->cluster_cache = g_malloc(s->cluster_size);
    s->compressed_buf = g_malloc(2 * s->cluster_size);

    ret = qcow2_refcount_init(bs, errp);
    if (ret < 0) {
        goto fail;
    }
    ret = qcow2_read_snapshots(bs, errp);
    if (ret < 0) {
        goto fail;
    }

    if (!bs->read_only) {
        /* A dirty image was left with stale refcounts (lazy refcounts,
         * or a crash): rebuild them before we allocate from them. */
        if (s->incompatible_features & QCOW2_INCOMPAT_DIRTY) {
            BdrvCheckResult res = { 0 };
            uint8_t f[8];

            qcow2_check(bs, &res, BDRV_CHECK_FIX_LEAKS |
                                  BDRV_CHECK_FIX_ERRORS);
            s->incompatible_features &= ~QCOW2_INCOMPAT_DIRTY;
            be64_put(f, s->incompatible_features);
            qcow2_write_header_field(bs, QH_INCOMPATIBLE_FEATURES, f, 8);
        }
        if (s->version == 3 && s->autoclear_features) {
            uint8_t f[8] = { 0 };

            s->autoclear_features = 0;
            qcow2_write_header_field(bs, QH_AUTOCLEAR_FEATURES, f, 8);
        }
    }

    g_free(hdr);
    ret = bdrv_open_backing(bs, errp);
    if (ret < 0) {
        goto fail_late;
    }
    return 0;

fail:
    g_free(hdr);
fail_late:
    qcow2_free_snapshots(s);
    g_free(s->l1_table);
    g_free(s->refcount_table);
    qcow2_cache_destroy(&s->l2_cache);
    qcow2_cache_destroy(&s->refblock_cache);
    g_free(s->cluster_data);
    g_free(s->cluster_data2);
    g_free(s->cluster_cache);
    g_free(s->compressed_buf);
    return ret;
}

static void qcow2_close(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;

    qcow2_free_snapshots(s);
    g_free(s->l1_table);
    g_free(s->refcount_table);
    qcow2_cache_destroy(&s->l2_cache);
    qcow2_cache_destroy(&s->refblock_cache);
    g_free(s->cluster_data);
    g_free(s->cluster_data2);
    g_free(s->cluster_cache);
    g_free(s->compressed_buf);
}

static int qcow2_flush(BlockDriverState *bs)
{
    /* Metadata is written through; block.c fdatasyncs the file. */
    return 0;
}

static int qcow2_get_info(BlockDriverState *bs, BlockDriverInfo *bdi)
{
    BDRVQcow2State *s = bs->opaque;

    bdi->cluster_size = s->cluster_size;
    bdi->is_dirty = s->incompatible_features & QCOW2_INCOMPAT_DIRTY;
    return 0;
}

static void qcow2_info_specific(BlockDriverState *bs, GString *human,
                                GString *json)
{
    BDRVQcow2State *s = bs->opaque;
    bool v3 = s->version == 3;
    bool lazy = s->compatible_features & QCOW2_COMPAT_LAZY_REFCOUNTS;
    bool corrupt = s->incompatible_features & QCOW2_INCOMPAT_CORRUPT;

    g_string_append_printf(human, "    compat: %s\n", v3 ? "1.1" : "0.10");
    g_string_append(human, "    compression type: zlib\n");
    if (v3) {
        g_string_append_printf(human, "    lazy refcounts: %s\n",
                               lazy ? "true" : "false");
    }
    g_string_append_printf(human, "    refcount bits: %d\n",
                           1 << s->refcount_order);
    if (v3) {
        g_string_append_printf(human, "    corrupt: %s\n",
                               corrupt ? "true" : "false");
        g_string_append(human, "    extended l2: false\n");
    }

    g_string_append_printf(json, "\"compat\": \"%s\", "
                           "\"compression-type\": \"zlib\", ",
                           v3 ? "1.1" : "0.10");
    if (v3) {
        g_string_append_printf(json, "\"lazy-refcounts\": %s, ",
                               lazy ? "true" : "false");
    }
    g_string_append_printf(json, "\"refcount-bits\": %d",
                           1 << s->refcount_order);
    if (v3) {
        g_string_append_printf(json, ", \"corrupt\": %s, "
                               "\"extended-l2\": false",
                               corrupt ? "true" : "false");
    }
}

static int qcow2_truncate(BlockDriverState *bs, uint64_t size, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l1_needed;
    uint8_t f[8];
    int ret;

    if (size < bs->total_size) {
        error_setg(errp, "%s: qcow2 images cannot be shrunk (not "
                   "implemented)", bs->filename);
        return -ENOTSUP;
    }
    if (size > QCOW2_MAX_SIZE) {
        error_setg(errp, "%s: size too large", bs->filename);
        return -EFBIG;
    }
    if (size % BDRV_SECTOR_SIZE) {
        error_setg(errp, "%s: size must be a multiple of 512 bytes",
                   bs->filename);
        return -EINVAL;
    }
    l1_needed = (size + ((uint64_t)s->cluster_size << s->l2_bits) - 1) >>
                (s->cluster_bits + s->l2_bits);
    if (l1_needed * 8 > QCOW_MAX_L1_SIZE) {
        error_setg(errp, "%s: size too large for this cluster size",
                   bs->filename);
        return -EFBIG;
    }
    if (l1_needed > s->l1_size) {
        ret = qcow2_grow_l1_table(bs, l1_needed);
        if (ret < 0) {
            error_setg(errp, "%s: cannot grow the L1 table: %s",
                       bs->filename, strerror(-ret));
            return ret;
        }
    }
    be64_put(f, size);
    ret = qcow2_write_header_field(bs, QH_SIZE, f, 8);
    if (ret < 0) {
        error_setg(errp, "%s: cannot write the header: %s", bs->filename,
                   strerror(-ret));
        return ret;
    }
    bs->total_size = size;
    return 0;
}

/*
 * A new image: header (cluster 0), refcount table (1), one refcount block
 * (2), the L1 table (3...), all with refcount 1. Everything else is
 * allocated on demand.
 */
static int qcow2_create(const char *filename, const BlockCreateOpts *o,
                        Error **errp)
{
    uint32_t cs = o->cluster_size ? o->cluster_size : 65536;
    int cluster_bits = ctz32_safe(cs);
    int version = o->compat ? o->compat : 3;
    uint64_t size = o->size, l1_size, l1_clusters, rpb, meta;
    uint8_t *buf = NULL;
    uint64_t hdr_len, ext_off;
    int fd = -1, ret = -EINVAL;

    if (cs < 512 || cs > 2 * MiB || (cs & (cs - 1))) {
        error_setg(errp, "Cluster size must be a power of two between 512 "
                   "and 2048k");
        return -EINVAL;
    }
    if (o->refcount_bits && o->refcount_bits != 16) {
        error_setg(errp, "refcount_bits=%d is not supported (only 16)",
                   o->refcount_bits);
        return -ENOTSUP;
    }
    if (o->lazy_refcounts && version < 3) {
        error_setg(errp, "Lazy refcounts only supported with compatibility "
                   "level 1.1 and above (use compat=1.1 or greater)");
        return -EINVAL;
    }
    if (o->backing_file && strlen(o->backing_file) > 1023) {
        error_setg(errp, "Backing file name too long");
        return -EINVAL;
    }
    if (o->backing_fmt && strlen(o->backing_fmt) > 15) {
        error_setg(errp, "Backing format name too long");
        return -EINVAL;
    }
    if (size % BDRV_SECTOR_SIZE) {
        size = (size + BDRV_SECTOR_SIZE - 1) & ~(uint64_t)511;
    }
    if (size > QCOW2_MAX_SIZE) {
        error_setg(errp, "Image size too large");
        return -EFBIG;
    }
    l1_size = (size + ((uint64_t)cs << (cluster_bits - 3)) - 1) >>
              (cluster_bits + cluster_bits - 3);
    if (l1_size * 8 > QCOW_MAX_L1_SIZE) {
        error_setg(errp, "Image size too large for cluster size %u", cs);
        return -EFBIG;
    }
    l1_clusters = MAX((l1_size * 8 + cs - 1) / cs, 1);
    rpb = cs / 2;
    meta = 3 + l1_clusters;
    if (meta > rpb) {
        error_setg(errp, "Image size too large for cluster size %u (use a "
                   "larger cluster_size)", cs);
        return -EFBIG;
    }

    buf = g_malloc0(cs);
    hdr_len = version == 3 ? QCOW2_V3_HEADER_SIZE : QCOW2_V2_HEADER_SIZE;
    be32_put(buf + QH_MAGIC, QCOW_MAGIC);
    be32_put(buf + QH_VERSION, version);
    be32_put(buf + QH_CLUSTER_BITS, cluster_bits);
    be64_put(buf + QH_SIZE, size);
    be32_put(buf + QH_L1_SIZE, l1_size);
    be64_put(buf + QH_L1_TABLE_OFFSET, 3ull * cs);
    be64_put(buf + QH_REFCOUNT_TABLE_OFFSET, 1ull * cs);
    be32_put(buf + QH_REFCOUNT_TABLE_CLUSTERS, 1);
    if (version == 3) {
        be64_put(buf + QH_COMPATIBLE_FEATURES,
                 o->lazy_refcounts ? QCOW2_COMPAT_LAZY_REFCOUNTS : 0);
        be32_put(buf + QH_REFCOUNT_ORDER, 4);
        be32_put(buf + QH_HEADER_LENGTH, hdr_len);
    }
    ext_off = hdr_len;
    if (o->backing_file && o->backing_fmt) {
        size_t n = strlen(o->backing_fmt);

        be32_put(buf + ext_off, QCOW2_EXT_BACKING_FORMAT);
        be32_put(buf + ext_off + 4, n);
        memcpy(buf + ext_off + 8, o->backing_fmt, n);
        ext_off += 8 + ((n + 7) & ~7ull);
    }
    ext_off += 8;   /* end-of-extensions marker: zeroes */
    if (o->backing_file) {
        size_t n = strlen(o->backing_file);

        if (ext_off + n > cs) {
            error_setg(errp, "Backing file name too long for cluster size");
            goto out;
        }
        memcpy(buf + ext_off, o->backing_file, n);
        be64_put(buf + QH_BACKING_FILE_OFFSET, ext_off);
        be32_put(buf + QH_BACKING_FILE_SIZE, n);
    }

    fd = open(filename, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        error_setg(errp, "Could not create '%s': %s", filename,
                   strerror(errno));
        ret = -errno;
        goto out;
    }
    if (pwrite(fd, buf, cs, 0) != cs) {
        goto io_error;
    }
    /* Refcount table: one entry, the block at cluster 2. */
    memset(buf, 0, cs);
    be64_put(buf, 2ull * cs);
    if (pwrite(fd, buf, cs, cs) != cs) {
        goto io_error;
    }
    memset(buf, 0, cs);
    for (uint64_t i = 0; i < meta; i++) {
        be16_put(buf + 2 * i, 1);
    }
    if (pwrite(fd, buf, cs, 2ull * cs) != cs) {
        goto io_error;
    }
    /* Zeroed L1 clusters: the file's size covers them. */
    if (ftruncate(fd, meta * cs) < 0) {
        goto io_error;
    }
    ret = 0;
    goto out;

io_error:
    ret = -errno ? -errno : -EIO;
    error_setg(errp, "Could not write '%s': %s", filename, strerror(-ret));
out:
    if (fd >= 0) {
        close(fd);
    }
    g_free(buf);
    return ret;
}

const BlockDriver bdrv_qcow2 = {
    .format_name = "qcow2",
    .instance_size = sizeof(BDRVQcow2State),
    .probe = qcow2_probe,
    .open = qcow2_open,
    .close = qcow2_close,
    .pread = qcow2_pread,
    .pwrite = qcow2_pwrite,
    .pwrite_compressed = qcow2_pwrite_compressed,
    .flush = qcow2_flush,
    .pdiscard = qcow2_pdiscard,
    .block_status = qcow2_block_status,
    .truncate = qcow2_truncate,
    .get_info = qcow2_get_info,
    .create = qcow2_create,
    .check = qcow2_check,
    .snapshot_create = qcow2_snapshot_create,
    .snapshot_goto = qcow2_snapshot_goto,
    .snapshot_delete = qcow2_snapshot_delete,
    .snapshot_list = qcow2_snapshot_list,
    .info_specific = qcow2_info_specific,
};
