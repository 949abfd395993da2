/*
 * qcow2 cluster mapping: the metadata cache, L1/L2 lookups, guest reads
 * and writes (allocation, copy-on-write from the backing file, from
 * compressed clusters and from clusters shared with internal snapshots),
 * zlib-compressed clusters, discard.
 *
 * Format: qcow2.txt, "Cluster mapping" and "Compressed Clusters
 * Descriptor". An L2 entry is one of: unallocated (0: read the backing
 * file), normal (host offset, COPIED if its refcount is exactly one),
 * zero (v3, bit 0: reads as zeroes; may keep a preallocated host
 * cluster) or compressed (bit 62: host byte offset and sector count).
 */
#include "block/qcow2.h"
#include <unistd.h>
#include <zlib.h>

/* ---- metadata cache: write-through, LRU ---- */

void qcow2_cache_init(Qcow2Cache *c, uint32_t size)
{
    c->nr = QCOW2_CACHE_ENTRIES;
    c->size = size;
    c->data = g_malloc((size_t)size * c->nr);
    memset(c->offset, 0, sizeof(c->offset));
    memset(c->lru, 0, sizeof(c->lru));
    c->tick = 0;
}

void qcow2_cache_destroy(Qcow2Cache *c)
{
    g_free(c->data);
    c->data = NULL;
}

static int cache_slot(Qcow2Cache *c, uint64_t offset)
{
    for (int i = 0; i < c->nr; i++) {
        if (c->offset[i] == offset) {
            return i;
        }
    }
    return -1;
}

static int cache_victim(Qcow2Cache *c)
{
    int best = 0;

    for (int i = 0; i < c->nr; i++) {
        if (!c->offset[i]) {
            return i;
        }
        if (c->lru[i] < c->lru[best]) {
            best = i;
        }
    }
    return best;
}

uint8_t *qcow2_cache_get(BlockDriverState *bs, Qcow2Cache *c,
                         uint64_t offset, int *ret)
{
    int i = cache_slot(c, offset);

    if (i < 0) {
        i = cache_victim(c);
        c->offset[i] = 0;
        *ret = bdrv_file_pread(bs, offset, c->data + (size_t)i * c->size,
                               c->size);
        if (*ret < 0) {
            return NULL;
        }
        c->offset[i] = offset;
    }
    c->lru[i] = ++c->tick;
    *ret = 0;
    return c->data + (size_t)i * c->size;
}

void qcow2_cache_put_new(Qcow2Cache *c, uint64_t offset, const void *buf)
{
    int i = cache_slot(c, offset);

    if (i < 0) {
        i = cache_victim(c);
    }
    memcpy(c->data + (size_t)i * c->size, buf, c->size);
    c->offset[i] = offset;
    c->lru[i] = ++c->tick;
}

void qcow2_cache_discard(Qcow2Cache *c, uint64_t offset)
{
    int i = cache_slot(c, offset);

    if (i >= 0) {
        c->offset[i] = 0;
    }
}

/* ---- table entries ---- */

int qcow2_write_l1_entry(BlockDriverState *bs, uint32_t index)
{
    BDRVQcow2State *s = bs->opaque;
    uint8_t e[8];

    be64_put(e, s->l1_table[index]);
    return bdrv_file_pwrite(bs, s->l1_table_offset + 8ull * index, e, 8);
}

int qcow2_write_l2_entry(BlockDriverState *bs, uint64_t l2_offset,
                         uint32_t index, uint64_t entry)
{
    BDRVQcow2State *s = bs->opaque;
    uint8_t e[8];
    int i = cache_slot(&s->l2_cache, l2_offset);
    int ret;

    be64_put(e, entry);
    ret = bdrv_file_pwrite(bs, l2_offset + 8ull * index, e, 8);
    if (ret < 0) {
        qcow2_cache_discard(&s->l2_cache, l2_offset);
        return ret;
    }
    if (i >= 0) {
        memcpy(s->l2_cache.data + (size_t)i * s->l2_cache.size + 8 * index,
               e, 8);
    }
    return 0;
}

void qcow2_compressed_range(BDRVQcow2State *s, uint64_t l2e,
                            uint64_t *start, uint64_t *bytes)
{
    uint64_t coffset = l2e & s->cluster_offset_mask;
    uint64_t nb_csectors = ((l2e >> s->csize_shift) & s->csize_mask) + 1;

    *start = coffset;
    *bytes = nb_csectors * 512 - (coffset & 511);
}

/* The L2 entry for guest offset, 0 if unallocated; *l2_offset gets the
 * table (0 if none). */
static int get_l2_entry(BlockDriverState *bs, uint64_t offset,
                        uint64_t *l2_offset, uint64_t *entry)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l1_index = offset >> (s->cluster_bits + s->l2_bits);
    uint32_t l2_index = (offset >> s->cluster_bits) & (s->l2_size - 1);
    uint8_t *l2;
    int ret;

    *l2_offset = 0;
    *entry = 0;
    if (l1_index >= s->l1_size) {
        return 0;
    }
    *l2_offset = s->l1_table[l1_index] & L1E_OFFSET_MASK;
    if (!*l2_offset) {
        return 0;
    }
    if (*l2_offset & (s->cluster_size - 1)) {
        return qcow2_mark_corrupt(bs, "L2 table offset 0x%" PRIx64
                                  " unaligned (L1 index %" PRIu64 ")",
                                  *l2_offset, l1_index);
    }
    l2 = qcow2_cache_get(bs, &s->l2_cache, *l2_offset, &ret);
    if (!l2) {
        return ret;
    }
    *entry = be64_get(l2 + 8 * l2_index);
    return 0;
}

static bool l2e_is_zero(BDRVQcow2State *s, uint64_t e)
{
    return s->version >= 3 && !(e & QCOW_OFLAG_COMPRESSED) &&
           (e & QCOW_OFLAG_ZERO);
}

/* ---- compressed clusters ---- */

static int decompress_cluster(BlockDriverState *bs, uint64_t l2e)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t coffset, csize;
    z_stream z = { 0 };
    int ret, zr;

    qcow2_compressed_range(s, l2e, &coffset, &csize);
    if (s->decompressed_offset == coffset + 1) {
        return 0;
    }
    ret = bdrv_file_pread(bs, coffset, s->compressed_buf, csize);
    if (ret < 0) {
        return ret;
    }
    if (inflateInit2(&z, -12) != Z_OK) {
        return -ENOMEM;
    }
    z.next_in = s->compressed_buf;
    z.avail_in = csize;
    z.next_out = s->cluster_cache;
    z.avail_out = s->cluster_size;
    zr = inflate(&z, Z_FINISH);
    inflateEnd(&z);
    if ((zr != Z_STREAM_END && zr != Z_BUF_ERROR && zr != Z_OK) ||
        z.avail_out) {
        s->decompressed_offset = 0;
        return qcow2_mark_corrupt(bs, "compressed cluster at 0x%" PRIx64
                                  " does not decompress", coffset);
    }
    s->decompressed_offset = coffset + 1;
    return 0;
}

/* ---- reads ---- */

/* Reads n bytes at in-cluster offset off of the guest cluster whose L2
 * entry is e (guest_off: the guest offset of those bytes). */
static int read_cluster_part(BlockDriverState *bs, uint64_t e,
                             uint64_t guest_off, uint32_t off, void *buf,
                             uint64_t n)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t host;
    int ret;

    if (e & QCOW_OFLAG_COMPRESSED) {
        ret = decompress_cluster(bs, e);
        if (ret < 0) {
            return ret;
        }
        memcpy(buf, s->cluster_cache + off, n);
        return 0;
    }
    if (l2e_is_zero(s, e)) {
        memset(buf, 0, n);
        return 0;
    }
    host = e & L2E_OFFSET_MASK;
    if (!host) {
        return bdrv_read_backing(bs, guest_off, buf, n);
    }
    if (host & (s->cluster_size - 1)) {
        return qcow2_mark_corrupt(bs, "data cluster offset 0x%" PRIx64
                                  " unaligned", host);
    }
    return bdrv_file_pread(bs, host + off, buf, n);
}

int qcow2_pread(BlockDriverState *bs, uint64_t offset, void *buf,
                uint64_t bytes)
{
    BDRVQcow2State *s = bs->opaque;
    uint8_t *p = buf;

    while (bytes) {
        uint32_t off = offset & (s->cluster_size - 1);
        uint64_t n = MIN(bytes, (uint64_t)s->cluster_size - off);
        uint64_t l2_offset, e;
        int ret = get_l2_entry(bs, offset, &l2_offset, &e);

        if (ret == 0) {
            ret = read_cluster_part(bs, e, offset, off, p, n);
        }
        if (ret < 0) {
            return ret;
        }
        p += n;
        offset += n;
        bytes -= n;
    }
    return 0;
}

/* ---- writes ---- */

/* The L2 table for l1_index, allocated or copied so it is ours alone
 * (COPIED) and may be changed in place. */
static int get_l2_for_write(BlockDriverState *bs, uint64_t l1_index,
                            uint64_t *l2_offset)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t e, old;
    int64_t new;
    int ret;

    if (l1_index >= s->l1_size) {
        return qcow2_mark_corrupt(bs, "write past the L1 table");
    }
    e = s->l1_table[l1_index];
    old = e & L1E_OFFSET_MASK;
    if (old & (s->cluster_size - 1)) {
        return qcow2_mark_corrupt(bs, "L2 table offset 0x%" PRIx64
                                  " unaligned", old);
    }
    if (old && (e & QCOW_OFLAG_COPIED)) {
        *l2_offset = old;
        return 0;
    }
    if (old) {
        uint8_t *t = qcow2_cache_get(bs, &s->l2_cache, old, &ret);
        if (!t) {
            return ret;
        }
        memcpy(s->cluster_data2, t, s->cluster_size);
    } else {
        memset(s->cluster_data2, 0, s->cluster_size);
    }
    new = qcow2_alloc_clusters(bs, s->cluster_size);
    if (new < 0) {
        return new;
    }
    ret = bdrv_file_pwrite(bs, new, s->cluster_data2, s->cluster_size);
    if (ret < 0) {
        qcow2_free_clusters(bs, new, s->cluster_size);
        return ret;
    }
    qcow2_cache_put_new(&s->l2_cache, new, s->cluster_data2);
    s->l1_table[l1_index] = new | QCOW_OFLAG_COPIED;
    ret = qcow2_write_l1_entry(bs, l1_index);
    if (ret < 0) {
        s->l1_table[l1_index] = e;
        return ret;
    }
    if (old) {
        qcow2_free_clusters(bs, old, s->cluster_size);
    }
    *l2_offset = new;
    return 0;
}

void qcow2_free_l2_entry(BlockDriverState *bs, uint64_t e)
{
    BDRVQcow2State *s = bs->opaque;

    if (e & QCOW_OFLAG_COMPRESSED) {
        uint64_t start, bytes;

        qcow2_compressed_range(s, e, &start, &bytes);
        qcow2_update_refcount(bs, start, bytes, -1);
        if (s->decompressed_offset == start + 1) {
            s->decompressed_offset = 0;
        }
    } else if (e & L2E_OFFSET_MASK) {
        qcow2_free_clusters(bs, e & L2E_OFFSET_MASK, s->cluster_size);
    }
}

/* Writes n bytes at guest offset, all inside one cluster. */
static int write_cluster(BlockDriverState *bs, uint64_t offset,
                         const uint8_t *buf, uint64_t n)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l1_index = offset >> (s->cluster_bits + s->l2_bits);
    uint32_t l2_index = (offset >> s->cluster_bits) & (s->l2_size - 1);
    uint32_t off = offset & (s->cluster_size - 1);
    uint64_t cluster_off = offset - off;
    uint64_t l2_offset, e, host;
    const uint8_t *data;
    uint8_t *l2;
    int64_t new;
    int ret;

    ret = get_l2_for_write(bs, l1_index, &l2_offset);
    if (ret < 0) {
        return ret;
    }
    l2 = qcow2_cache_get(bs, &s->l2_cache, l2_offset, &ret);
    if (!l2) {
        return ret;
    }
    e = be64_get(l2 + 8 * l2_index);
    host = e & L2E_OFFSET_MASK;

    if (!(e & QCOW_OFLAG_COMPRESSED) && host && (e & QCOW_OFLAG_COPIED)) {
        if (host & (s->cluster_size - 1)) {
            return qcow2_mark_corrupt(bs, "data cluster offset 0x%" PRIx64
                                      " unaligned", host);
        }
        /* A hostile image must not make us write far past its end. */
        if ((int64_t)host >= bdrv_file_size(bs)) {
            return qcow2_mark_corrupt(bs, "data cluster offset 0x%" PRIx64
                                      " is past the end of the file", host);
        }
        if (!l2e_is_zero(s, e)) {
            return bdrv_file_pwrite(bs, host + off, buf, n);
        }
        /* A preallocated zero cluster of ours: fill it, then map it. */
        memset(s->cluster_data, 0, s->cluster_size);
        memcpy(s->cluster_data + off, buf, n);
        ret = bdrv_file_pwrite(bs, host, s->cluster_data, s->cluster_size);
        if (ret < 0) {
            return ret;
        }
        return qcow2_write_l2_entry(bs, l2_offset, l2_index,
                                    host | QCOW_OFLAG_COPIED);
    }

    /* A new cluster: the old contents (backing file, zeroes, compressed
     * data or a cluster shared with a snapshot) around the new bytes. */
    if (n == s->cluster_size) {
        data = buf;
    } else {
        ret = read_cluster_part(bs, e, cluster_off, 0, s->cluster_data,
                                s->cluster_size);
        if (ret < 0) {
            return ret;
        }
        memcpy(s->cluster_data + off, buf, n);
        data = s->cluster_data;
    }
    new = qcow2_alloc_clusters(bs, s->cluster_size);
    if (new < 0) {
        return new;
    }
    ret = bdrv_file_pwrite(bs, new, data, s->cluster_size);
    if (ret == 0) {
        ret = qcow2_write_l2_entry(bs, l2_offset, l2_index,
                                   new | QCOW_OFLAG_COPIED);
    }
    if (ret < 0) {
        qcow2_free_clusters(bs, new, s->cluster_size);
        return ret;
    }
    qcow2_free_l2_entry(bs, e);
    return 0;
}

int qcow2_pwrite(BlockDriverState *bs, uint64_t offset, const void *buf,
                 uint64_t bytes)
{
    BDRVQcow2State *s = bs->opaque;
    const uint8_t *p = buf;

    while (bytes) {
        uint32_t off = offset & (s->cluster_size - 1);
        uint64_t n = MIN(bytes, (uint64_t)s->cluster_size - off);
        int ret = write_cluster(bs, offset, p, n);

        if (ret < 0) {
            return ret;
        }
        p += n;
        offset += n;
        bytes -= n;
    }
    return 0;
}

/* One whole cluster, deflated (raw deflate, 4 KiB window, as QEMU), or
 * written normally if it does not shrink. */
int qcow2_pwrite_compressed(BlockDriverState *bs, uint64_t offset,
                            const void *buf, uint64_t bytes)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t l1_index = offset >> (s->cluster_bits + s->l2_bits);
    uint32_t l2_index = (offset >> s->cluster_bits) & (s->l2_size - 1);
    uint64_t l2_offset, e, nb_csectors, out_len;
    z_stream z = { 0 };
    uint8_t *l2;
    int64_t coff;
    int ret, zr;

    if ((offset & (s->cluster_size - 1)) ||
        (bytes != s->cluster_size && offset + bytes != bs->total_size) ||
        bytes > s->cluster_size) {
        return -EINVAL;
    }
    memset(s->cluster_data, 0, s->cluster_size);
    memcpy(s->cluster_data, buf, bytes);
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -12, 9,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        return -ENOMEM;
    }
    z.next_in = s->cluster_data;
    z.avail_in = s->cluster_size;
    z.next_out = s->compressed_buf;
    z.avail_out = s->cluster_size - 1;
    zr = deflate(&z, Z_FINISH);
    out_len = s->cluster_size - 1 - z.avail_out;
    deflateEnd(&z);
    if (zr != Z_STREAM_END) {
        return qcow2_pwrite(bs, offset, buf, bytes);
    }

    ret = get_l2_for_write(bs, l1_index, &l2_offset);
    if (ret < 0) {
        return ret;
    }
    l2 = qcow2_cache_get(bs, &s->l2_cache, l2_offset, &ret);
    if (!l2) {
        return ret;
    }
    e = be64_get(l2 + 8 * l2_index);
    coff = qcow2_alloc_bytes(bs, out_len);
    if (coff < 0) {
        return coff;
    }
    ret = bdrv_file_pwrite(bs, coff, s->compressed_buf, out_len);
    if (ret < 0) {
        return ret;
    }
    nb_csectors = ((coff + out_len - 1) >> 9) - ((uint64_t)coff >> 9);
    ret = qcow2_write_l2_entry(bs, l2_offset, l2_index,
                               QCOW_OFLAG_COMPRESSED |
                               (nb_csectors << s->csize_shift) | coff);
    if (ret < 0) {
        return ret;
    }
    qcow2_free_l2_entry(bs, e);
    return 0;
}

/* ---- discard and status ---- */

int qcow2_pdiscard(BlockDriverState *bs, uint64_t offset, uint64_t bytes)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t end = offset + bytes;
    uint64_t c = (offset + s->cluster_size - 1) &
                 ~(uint64_t)(s->cluster_size - 1);

    /* Whole clusters only; the image's last cluster counts as whole. */
    for (; c < end; c += s->cluster_size) {
        uint64_t l1_index = c >> (s->cluster_bits + s->l2_bits);
        uint32_t l2_index = (c >> s->cluster_bits) & (s->l2_size - 1);
        uint64_t l2_offset, e, new_e;
        int ret;

        if (c + s->cluster_size > end && end != bs->total_size) {
            break;
        }
        if (l1_index >= s->l1_size ||
            !(s->l1_table[l1_index] & QCOW_OFLAG_COPIED)) {
            continue;   /* no table, or one shared with a snapshot */
        }
        ret = get_l2_entry(bs, c, &l2_offset, &e);
        if (ret < 0) {
            return ret;
        }
        if (bs->backing) {
            if (s->version < 3) {
                continue;   /* v2 cannot say "zero over a backing file" */
            }
            new_e = QCOW_OFLAG_ZERO;
        } else {
            new_e = 0;
        }
        if (e == new_e) {
            continue;
        }
        ret = qcow2_write_l2_entry(bs, l2_offset, l2_index, new_e);
        if (ret < 0) {
            return ret;
        }
        qcow2_free_l2_entry(bs, e);
    }
    return 0;
}

int qcow2_block_status(BlockDriverState *bs, uint64_t offset,
                       uint64_t bytes, uint64_t *pnum)
{
    BDRVQcow2State *s = bs->opaque;
    uint32_t off = offset & (s->cluster_size - 1);
    uint64_t l2_offset, e;
    int ret = get_l2_entry(bs, offset, &l2_offset, &e);

    if (ret < 0) {
        return ret;
    }
    *pnum = MIN(bytes, (uint64_t)s->cluster_size - off);
    if (l2e_is_zero(s, e)) {
        return 2;
    }
    return (e & QCOW_OFLAG_COMPRESSED) || (e & L2E_OFFSET_MASK) ? 1 : 0;
}

/* ---- L1 growth (resize) ---- */

int qcow2_grow_l1_table(BlockDriverState *bs, uint64_t min_size)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t bytes = min_size * 8;
    uint64_t alloc = (bytes + s->cluster_size - 1) &
                     ~(uint64_t)(s->cluster_size - 1);
    uint8_t *buf = g_malloc0(alloc);
    uint8_t hdr[12];
    uint64_t old_offset = s->l1_table_offset;
    uint64_t old_bytes = (uint64_t)s->l1_size * 8;
    int64_t new;
    int ret;

    for (uint32_t i = 0; i < s->l1_size; i++) {
        be64_put(buf + 8 * i, s->l1_table[i]);
    }
    new = qcow2_alloc_clusters(bs, alloc);
    if (new < 0) {
        g_free(buf);
        return new;
    }
    ret = bdrv_file_pwrite(bs, new, buf, alloc);
    g_free(buf);
    if (ret < 0) {
        qcow2_free_clusters(bs, new, alloc);
        return ret;
    }
    if (fdatasync(bs->fd) < 0) {
        return -errno;
    }
    be32_put(hdr, min_size);
    be64_put(hdr + 4, new);
    ret = qcow2_write_header_field(bs, QH_L1_SIZE, hdr, 12);
    if (ret < 0) {
        qcow2_free_clusters(bs, new, alloc);
        return ret;
    }
    s->l1_table = g_renew(uint64_t, s->l1_table, min_size);
    memset(s->l1_table + s->l1_size, 0, (min_size - s->l1_size) * 8);
    s->l1_size = min_size;
    s->l1_table_offset = new;
    if (old_bytes) {
        qcow2_free_clusters(bs, old_offset, old_bytes);
    }
    return 0;
}
