/*
 * qcow2 reference counts: the refcount table and blocks, cluster and byte
 * allocation, reference counting of whole L1 trees for snapshots, and
 * the consistency check (pcemu-img check, and the repair of a dirty
 * image at open).
 *
 * Format: qcow2.txt, "Host cluster management". Every cluster of the
 * file in use (header, tables, data) has a refcount >= 1; an entry of an
 * L1 or L2 table carries COPIED exactly when what it points to has a
 * refcount of one, i.e. may be written in place.
 *
 * A new refcount block for the range of clusters [b * N, (b+1) * N) is
 * placed at the range's own first cluster (free by definition, since no
 * block counted it), so allocating one never needs another allocation.
 */
#include "block/qcow2.h"
#include <unistd.h>

static uint64_t rb_get(BDRVQcow2State *s, const uint8_t *rb, uint64_t idx)
{
    switch (s->refcount_order) {
    case 6: return be64_get(rb + 8 * idx);
    case 5: return be32_get(rb + 4 * idx);
    case 4: return be16_get(rb + 2 * idx);
    case 3: return rb[idx];
    default: {
        int bits = 1 << s->refcount_order;
        uint64_t bit = idx * bits;
        return (rb[bit / 8] >> (bit % 8)) & ((1u << bits) - 1);
    }
    }
}

int qcow2_refcount_init(BlockDriverState *bs, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t bytes = (uint64_t)s->refcount_table_size * 8;
    int ret;

    s->refcount_table = g_malloc(bytes);
    ret = bdrv_file_pread(bs, s->refcount_table_offset, s->refcount_table,
                          bytes);
    if (ret < 0) {
        error_setg(errp, "%s: cannot read the refcount table: %s",
                   bs->filename, strerror(-ret));
        return ret;
    }
    for (uint32_t i = 0; i < s->refcount_table_size; i++) {
        s->refcount_table[i] = be64_get(&s->refcount_table[i]);
    }
    return 0;
}

/* The refcount block covering cluster index ci; NULL and *ret = 0 if it
 * does not exist. */
static uint8_t *get_refblock(BlockDriverState *bs, uint64_t ci,
                             uint64_t *rb_offset, int *ret)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t bi = ci >> s->refcount_block_bits;

    *ret = 0;
    if (bi >= s->refcount_table_size) {
        return NULL;
    }
    *rb_offset = s->refcount_table[bi] & REFT_OFFSET_MASK;
    if (!*rb_offset) {
        return NULL;
    }
    if (*rb_offset & (s->cluster_size - 1)) {
        *ret = qcow2_mark_corrupt(bs, "refcount block offset 0x%" PRIx64
                                  " unaligned", *rb_offset);
        return NULL;
    }
    return qcow2_cache_get(bs, &s->refblock_cache, *rb_offset, ret);
}

int qcow2_get_refcount(BlockDriverState *bs, uint64_t ci, uint64_t *rc)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t rb_offset;
    int ret;
    uint8_t *rb = get_refblock(bs, ci, &rb_offset, &ret);

    *rc = 0;
    if (!rb) {
        return ret;
    }
    *rc = rb_get(s, rb, ci & ((1ull << s->refcount_block_bits) - 1));
    return 0;
}

static int set_refcount(BlockDriverState *bs, uint64_t ci, uint64_t value)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t rb_offset, idx = ci & ((1ull << s->refcount_block_bits) - 1);
    uint8_t e[2];
    int ret;
    uint8_t *rb = get_refblock(bs, ci, &rb_offset, &ret);

    if (!rb) {
        return ret ? ret : qcow2_mark_corrupt(bs, "no refcount block for "
                                              "cluster %" PRIu64, ci);
    }
    assert(s->refcount_order == 4);   /* others are opened read-only */
    be16_put(e, value);
    ret = bdrv_file_pwrite(bs, rb_offset + 2 * idx, e, 2);
    if (ret < 0) {
        qcow2_cache_discard(&s->refblock_cache, rb_offset);
        return ret;
    }
    memcpy(rb + 2 * idx, e, 2);
    if (value == 0) {
        if (ci < s->free_cluster_index) {
            s->free_cluster_index = ci;
        }
        if (s->free_byte_offset &&
            (s->free_byte_offset >> s->cluster_bits) == ci) {
            s->free_byte_offset = 0;
        }
    }
    return 0;
}

int qcow2_update_refcount(BlockDriverState *bs, uint64_t offset,
                          uint64_t length, int64_t addend)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t first, last;

    if (!length || !addend) {
        return 0;
    }
    first = offset >> s->cluster_bits;
    last = (offset + length - 1) >> s->cluster_bits;
    for (uint64_t ci = first; ci <= last; ci++) {
        uint64_t rc;
        int ret = qcow2_get_refcount(bs, ci, &rc);

        if (ret < 0) {
            return ret;
        }
        if ((addend < 0 && rc < (uint64_t)-addend) ||
            (addend > 0 && rc + addend > s->refcount_max)) {
            return qcow2_mark_corrupt(bs, "refcount of cluster %" PRIu64
                                      " would %s (%" PRIu64 " %+" PRId64
                                      ")", ci, addend < 0 ? "underflow"
                                                          : "overflow",
                                      rc, addend);
        }
        ret = set_refcount(bs, ci, rc + addend);
        if (ret < 0) {
            return ret;
        }
    }
    return 0;
}

void qcow2_free_clusters(BlockDriverState *bs, uint64_t offset,
                         uint64_t size)
{
    int ret = qcow2_update_refcount(bs, offset, size, -1);

    if (ret < 0) {
        /* A leak at worst; check -r leaks reclaims it. */
        warn_report("%s: could not free clusters at 0x%" PRIx64 ": %s",
                    bs->filename, offset, strerror(-ret));
    }
}

static int grow_refcount_table(BlockDriverState *bs, uint64_t min_entries);

/* Creates refcount block bi at the first cluster it covers. */
static int ensure_refblock(BlockDriverState *bs, uint64_t bi)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t off;
    uint8_t *buf;
    int ret;

    if (bi >= s->refcount_table_size) {
        ret = grow_refcount_table(bs, bi + 1);
        if (ret < 0) {
            return ret;
        }
    }
    if (s->refcount_table[bi]) {
        return 0;
    }
    off = (bi << s->refcount_block_bits) << s->cluster_bits;
    buf = g_malloc0(s->cluster_size);
    be16_put(buf, 1);       /* the block counts itself */
    ret = bdrv_file_pwrite(bs, off, buf, s->cluster_size);
    if (ret == 0) {
        qcow2_cache_put_new(&s->refblock_cache, off, buf);
    }
    g_free(buf);
    if (ret < 0) {
        return ret;
    }
    s->refcount_table[bi] = off;
    if (bi < s->refcount_table_disk) {
        uint8_t e[8];

        be64_put(e, off);
        ret = bdrv_file_pwrite(bs, s->refcount_table_offset + 8 * bi, e, 8);
    }
    return ret;
}

/*
 * A larger refcount table: grow it in memory first (new blocks made while
 * allocating it are recorded there), allocate and write it, then switch
 * the header to it and free the old one.
 */
static int grow_refcount_table(BlockDriverState *bs, uint64_t min_entries)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t per_cluster = s->cluster_size / 8;
    uint64_t old_offset = s->refcount_table_offset;
    uint64_t old_bytes = (uint64_t)s->refcount_table_disk * 8;
    uint64_t n = MAX(min_entries, (uint64_t)s->refcount_table_size * 2);
    uint8_t *buf, hdr[12];
    int64_t new;
    int ret;

    if (s->growing_reftable) {
        return qcow2_mark_corrupt(bs, "refcount table growth recursed");
    }
    n = (n + per_cluster - 1) / per_cluster * per_cluster;
    if (n * 8 > QCOW_MAX_REFTABLE_SIZE) {
        return -EFBIG;
    }
    s->refcount_table = g_renew(uint64_t, s->refcount_table, n);
    memset(s->refcount_table + s->refcount_table_size, 0,
           (n - s->refcount_table_size) * 8);
    s->refcount_table_size = n;
    s->growing_reftable = true;
    new = qcow2_alloc_clusters(bs, n * 8);
    s->growing_reftable = false;
    if (new < 0) {
        return new;
    }
    buf = g_malloc(n * 8);
    for (uint64_t i = 0; i < n; i++) {
        be64_put(buf + 8 * i, s->refcount_table[i]);
    }
    ret = bdrv_file_pwrite(bs, new, buf, n * 8);
    g_free(buf);
    if (ret < 0) {
        return ret;
    }
    if (fdatasync(bs->fd) < 0) {
        return -errno;
    }
    be64_put(hdr, new);
    be32_put(hdr + 8, n / per_cluster);
    ret = qcow2_write_header_field(bs, QH_REFCOUNT_TABLE_OFFSET, hdr, 12);
    if (ret < 0) {
        return ret;
    }
    s->refcount_table_offset = new;
    s->refcount_table_disk = n;
    qcow2_free_clusters(bs, old_offset, old_bytes);
    return 0;
}

int64_t qcow2_alloc_clusters(BlockDriverState *bs, uint64_t size)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t n = qcow2_size_to_clusters(s, size);
    uint64_t start, run, first_free;
    bool changed;
    int ret;

    if (!n) {
        return -EINVAL;
    }
    do {
        uint64_t ci = s->free_cluster_index;

        start = ci;
        run = 0;
        first_free = UINT64_MAX;
        while (run < n) {
            uint64_t rc;

            ret = qcow2_get_refcount(bs, ci, &rc);
            if (ret < 0) {
                return ret;
            }
            if (rc) {
                run = 0;
                start = ci + 1;
            } else {
                run++;
                first_free = MIN(first_free, ci);
            }
            ci++;
            if ((ci << s->cluster_bits) > QCOW2_MAX_SIZE * 2) {
                return -ENOSPC;
            }
        }
        changed = false;
        for (uint64_t bi = start >> s->refcount_block_bits;
             bi <= (start + n - 1) >> s->refcount_block_bits; bi++) {
            if (bi >= s->refcount_table_size || !s->refcount_table[bi]) {
                ret = ensure_refblock(bs, bi);
                if (ret < 0) {
                    return ret;
                }
                changed = true;
            }
        }
    } while (changed);

    ret = qcow2_update_refcount(bs, start << s->cluster_bits,
                                n << s->cluster_bits, 1);
    if (ret < 0) {
        return ret;
    }
    /* The next search starts at the first free cluster we saw (a hole
     * too small for this request), or after this allocation. */
    s->free_cluster_index = first_free < start ? first_free : start + n;
    return start << s->cluster_bits;
}

int64_t qcow2_alloc_bytes(BlockDriverState *bs, uint32_t size)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t fbo = s->free_byte_offset;
    uint64_t used = fbo & (s->cluster_size - 1);
    int64_t off;

    assert(size <= s->cluster_size);
    if (!fbo || !used || s->cluster_size - used < size) {
        off = qcow2_alloc_clusters(bs, s->cluster_size);
        if (off < 0) {
            return off;
        }
    } else {
        int ret = qcow2_update_refcount(bs, fbo, 1, 1);

        if (ret < 0) {
            return ret;
        }
        off = fbo;
    }
    s->free_byte_offset = off + size;
    if (!(s->free_byte_offset & (s->cluster_size - 1))) {
        s->free_byte_offset = 0;
    }
    return off;
}

/* ---- whole trees (snapshots) ---- */

static int update_tree_refcount(BlockDriverState *bs, uint64_t *l1,
                                uint32_t l1_size, int addend, bool active)
{
    BDRVQcow2State *s = bs->opaque;
    uint8_t *l2 = g_malloc(s->cluster_size);
    int ret = 0;

    for (uint32_t i = 0; i < l1_size; i++) {
        uint64_t l2_off = l1[i] & L1E_OFFSET_MASK, rc;
        bool l2_changed = false;

        if (!l2_off) {
            continue;
        }
        if (l2_off & (s->cluster_size - 1)) {
            ret = qcow2_mark_corrupt(bs, "L2 table offset unaligned");
            break;
        }
        ret = bdrv_file_pread(bs, l2_off, l2, s->cluster_size);
        if (ret < 0) {
            break;
        }
        ret = qcow2_update_refcount(bs, l2_off, s->cluster_size, addend);
        if (ret < 0) {
            break;
        }
        ret = qcow2_get_refcount(bs, l2_off >> s->cluster_bits, &rc);
        if (ret < 0) {
            break;
        }
        for (uint32_t j = 0; j < s->l2_size; j++) {
            uint64_t e = be64_get(l2 + 8 * j), ne, host, drc;

            if (e & QCOW_OFLAG_COMPRESSED) {
                uint64_t start, bytes;

                qcow2_compressed_range(s, e, &start, &bytes);
                ret = qcow2_update_refcount(bs, start, bytes, addend);
                if (ret < 0) {
                    goto out;
                }
                continue;
            }
            host = e & L2E_OFFSET_MASK;
            if (!host) {
                continue;
            }
            /* Only the first reference of a table shared by two trees
             * counts its data; a table's refcount rises with addend. */
            if (addend) {
                ret = qcow2_update_refcount(bs, host, s->cluster_size,
                                            addend);
                if (ret < 0) {
                    goto out;
                }
            }
            if (active) {
                ret = qcow2_get_refcount(bs, host >> s->cluster_bits, &drc);
                if (ret < 0) {
                    goto out;
                }
                ne = drc == 1 ? e | QCOW_OFLAG_COPIED
                              : e & ~QCOW_OFLAG_COPIED;
                if (ne != e) {
                    be64_put(l2 + 8 * j, ne);
                    l2_changed = true;
                }
            }
        }
        if (l2_changed) {
            ret = bdrv_file_pwrite(bs, l2_off, l2, s->cluster_size);
            if (ret < 0) {
                break;
            }
        }
        qcow2_cache_discard(&s->l2_cache, l2_off);
        if (active) {
            l1[i] = rc == 1 ? l1[i] | QCOW_OFLAG_COPIED
                            : l1[i] & ~QCOW_OFLAG_COPIED;
        }
    }
out:
    g_free(l2);
    return ret;
}

int qcow2_update_snapshot_refcount(BlockDriverState *bs,
                                   uint64_t l1_offset, uint32_t l1_size,
                                   int addend)
{
    BDRVQcow2State *s = bs->opaque;
    bool active = l1_offset == s->l1_table_offset;
    uint64_t *l1;
    int ret;

    if (active) {
        l1 = s->l1_table;
        l1_size = s->l1_size;
    } else {
        if ((uint64_t)l1_size * 8 > QCOW_MAX_L1_SIZE) {
            return -EINVAL;
        }
        l1 = g_new0(uint64_t, MAX(l1_size, 1));
        ret = bdrv_file_pread(bs, l1_offset, l1, (uint64_t)l1_size * 8);
        if (ret < 0) {
            g_free(l1);
            return ret;
        }
        for (uint32_t i = 0; i < l1_size; i++) {
            l1[i] = be64_get(&l1[i]);
        }
    }
    ret = update_tree_refcount(bs, l1, l1_size, addend, active);
    if (active && ret == 0) {
        uint8_t *buf = g_malloc0(MAX((uint64_t)l1_size * 8, 8));

        for (uint32_t i = 0; i < l1_size; i++) {
            be64_put(buf + 8 * i, l1[i]);
        }
        ret = bdrv_file_pwrite(bs, s->l1_table_offset, buf,
                               (uint64_t)l1_size * 8);
        g_free(buf);
    }
    if (!active) {
        g_free(l1);
    }
    return ret;
}

/* ---- check ---- */

typedef struct CheckState {
    BlockDriverState *bs;
    BdrvCheckResult *res;
    uint32_t *refs;             /* computed refcount per cluster */
    uint64_t nb_clusters;
    uint64_t highest;           /* highest used cluster + 1 */
    uint64_t next_contiguous;   /* where the next data cluster should be */
} CheckState;

static void check_ref(CheckState *c, uint64_t offset, uint64_t size)
{
    BDRVQcow2State *s = c->bs->opaque;
    uint64_t first = offset >> s->cluster_bits;
    uint64_t last = (offset + size - 1) >> s->cluster_bits;

    if (!size) {
        return;
    }
    for (uint64_t ci = first; ci <= last; ci++) {
        if (ci >= c->nb_clusters) {
            fprintf(stderr, "ERROR: cluster %" PRIu64 " (offset 0x%" PRIx64
                    ") is past the end of the image\n", ci,
                    ci << s->cluster_bits);
            c->res->corruptions++;
            return;
        }
        if (c->refs[ci] < UINT32_MAX) {
            c->refs[ci]++;
        }
        c->highest = MAX(c->highest, ci + 1);
    }
}

static void check_l1_tree(CheckState *c, uint64_t l1_offset,
                          uint32_t l1_size, bool active)
{
    BDRVQcow2State *s = c->bs->opaque;
    uint64_t *l1 = g_new0(uint64_t, MAX(l1_size, 1));
    uint8_t *l2 = g_malloc(s->cluster_size);

    check_ref(c, l1_offset, (uint64_t)l1_size * 8);
    if (bdrv_file_pread(c->bs, l1_offset, l1, (uint64_t)l1_size * 8) < 0) {
        c->res->check_errors++;
        goto out;
    }
    for (uint32_t i = 0; i < l1_size; i++) {
        uint64_t l2_off = be64_get(&l1[i]) & L1E_OFFSET_MASK;

        if (!l2_off) {
            continue;
        }
        if (l2_off & (s->cluster_size - 1)) {
            fprintf(stderr, "ERROR l2_offset=%" PRIx64 ": Table is not "
                    "cluster aligned; L1 entry corrupted\n", l2_off);
            c->res->corruptions++;
            continue;
        }
        check_ref(c, l2_off, s->cluster_size);
        if (bdrv_file_pread(c->bs, l2_off, l2, s->cluster_size) < 0) {
            c->res->check_errors++;
            continue;
        }
        for (uint32_t j = 0; j < s->l2_size; j++) {
            uint64_t e = be64_get(l2 + 8 * j), host;

            if (e & QCOW_OFLAG_COMPRESSED) {
                uint64_t start, bytes;

                qcow2_compressed_range(s, e, &start, &bytes);
                check_ref(c, start, bytes);
                if (active) {
                    /* Fragmented by nature, as qemu-img counts them. */
                    c->res->allocated_clusters++;
                    c->res->compressed_clusters++;
                    c->res->fragmented_clusters++;
                }
                continue;
            }
            host = e & L2E_OFFSET_MASK;
            if (active && host) {
                c->res->allocated_clusters++;
                if (c->next_contiguous && host != c->next_contiguous) {
                    c->res->fragmented_clusters++;
                }
                c->next_contiguous = host + s->cluster_size;
            }
            if (!host) {
                continue;
            }
            if (host & (s->cluster_size - 1)) {
                fprintf(stderr, "ERROR offset=%" PRIx64 ": Cluster is not "
                        "properly aligned; L2 entry corrupted.\n", host);
                c->res->corruptions++;
                continue;
            }
            check_ref(c, host, s->cluster_size);
        }
    }
out:
    g_free(l1);
    g_free(l2);
}

/* COPIED flags of the active tree against the computed refcounts. */
static void check_copied(CheckState *c, int fix)
{
    BlockDriverState *bs = c->bs;
    BDRVQcow2State *s = bs->opaque;
    uint8_t *l2 = g_malloc(s->cluster_size);

    for (uint32_t i = 0; i < s->l1_size; i++) {
        uint64_t l1e = s->l1_table[i];
        uint64_t l2_off = l1e & L1E_OFFSET_MASK, rc;
        bool l2_dirty = false;

        if (!l2_off || (l2_off & (s->cluster_size - 1)) ||
            (l2_off >> s->cluster_bits) >= c->nb_clusters) {
            continue;
        }
        rc = c->refs[l2_off >> s->cluster_bits];
        if ((rc == 1) != !!(l1e & QCOW_OFLAG_COPIED)) {
            fprintf(stderr, "%s OFLAG_COPIED L2 cluster: l1_index=%u "
                    "l1_entry=%" PRIx64 " refcount=%" PRIu64 "\n",
                    fix & BDRV_CHECK_FIX_ERRORS ? "Repairing" : "ERROR", i,
                    l1e, rc);
            if (fix & BDRV_CHECK_FIX_ERRORS) {
                s->l1_table[i] = rc == 1 ? l1e | QCOW_OFLAG_COPIED
                                         : l1e & ~QCOW_OFLAG_COPIED;
                if (qcow2_write_l1_entry(bs, i) == 0) {
                    c->res->corruptions_fixed++;
                }
            } else {
                c->res->corruptions++;
            }
        }
        if (bdrv_file_pread(bs, l2_off, l2, s->cluster_size) < 0) {
            continue;
        }
        for (uint32_t j = 0; j < s->l2_size; j++) {
            uint64_t e = be64_get(l2 + 8 * j);
            uint64_t host = e & L2E_OFFSET_MASK, drc;

            if ((e & QCOW_OFLAG_COMPRESSED) || !host ||
                (host & (s->cluster_size - 1)) ||
                (host >> s->cluster_bits) >= c->nb_clusters) {
                continue;
            }
            drc = c->refs[host >> s->cluster_bits];
            if ((drc == 1) != !!(e & QCOW_OFLAG_COPIED)) {
                fprintf(stderr, "%s OFLAG_COPIED data cluster: l2_entry=%"
                        PRIx64 " refcount=%" PRIu64 "\n",
                        fix & BDRV_CHECK_FIX_ERRORS && rc == 1
                        ? "Repairing" : "ERROR", e, drc);
                if ((fix & BDRV_CHECK_FIX_ERRORS) && rc == 1) {
                    be64_put(l2 + 8 * j, drc == 1 ? e | QCOW_OFLAG_COPIED
                                                  : e & ~QCOW_OFLAG_COPIED);
                    l2_dirty = true;
                    c->res->corruptions_fixed++;
                } else {
                    c->res->corruptions++;
                }
            }
        }
        if (l2_dirty) {
            bdrv_file_pwrite(bs, l2_off, l2, s->cluster_size);
            qcow2_cache_discard(&s->l2_cache, l2_off);
        }
    }
    g_free(l2);
}

int qcow2_check(BlockDriverState *bs, BdrvCheckResult *res, int fix)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t file_size = bdrv_file_size(bs);
    CheckState c = { .bs = bs, .res = res };

    memset(res, 0, sizeof(*res));
    if (file_size < 0) {
        res->check_errors++;
        return file_size;
    }
    c.nb_clusters = qcow2_size_to_clusters(s, file_size);
    c.refs = g_new0(uint32_t, MAX(c.nb_clusters, 1));
    res->total_clusters = qcow2_size_to_clusters(s, bs->total_size);

    check_ref(&c, 0, s->cluster_size);
    check_l1_tree(&c, s->l1_table_offset, s->l1_size, true);
    if (s->nb_snapshots) {
        uint64_t table_end = 0;

        for (uint32_t i = 0; i < s->nb_snapshots; i++) {
            Qcow2Snapshot *sn = &s->snapshots[i];

            check_l1_tree(&c, sn->l1_table_offset, sn->l1_size, false);
        }
        /* The table's size: re-derive it as it was read. */
        for (uint32_t i = 0; i < s->nb_snapshots; i++) {
            Qcow2Snapshot *sn = &s->snapshots[i];
            table_end += 40 + sn->extra_data_size + strlen(sn->id_str) +
                         strlen(sn->name);
            table_end = (table_end + 7) & ~7ull;
        }
        check_ref(&c, s->snapshots_offset, table_end);
    }
    check_ref(&c, s->refcount_table_offset,
              (uint64_t)s->refcount_table_disk * 8);
    for (uint32_t i = 0; i < s->refcount_table_size; i++) {
        uint64_t off = s->refcount_table[i] & REFT_OFFSET_MASK;

        if (!off) {
            continue;
        }
        if (off & (s->cluster_size - 1)) {
            fprintf(stderr, "ERROR refcount block %u is not cluster "
                    "aligned; refcount table entry corrupted\n", i);
            res->corruptions++;
            continue;
        }
        if ((off >> s->cluster_bits) >= c.nb_clusters) {
            fprintf(stderr, "ERROR refcount block %u is outside image\n", i);
            res->corruptions++;
            continue;
        }
        check_ref(&c, off, s->cluster_size);
    }

    /* Compare with what the image says. */
    for (uint64_t ci = 0; ci < c.nb_clusters; ci++) {
        uint64_t disk;
        int ret = qcow2_get_refcount(bs, ci, &disk);

        if (ret < 0) {
            res->check_errors++;
            continue;
        }
        if (disk == c.refs[ci]) {
            continue;
        }
        if (disk > c.refs[ci]) {
            bool fixit = fix & BDRV_CHECK_FIX_LEAKS;

            fprintf(stderr, "%s cluster %" PRIu64 " refcount=%" PRIu64
                    " reference=%u\n", fixit ? "Repairing" : "Leaked",
                    ci, disk, c.refs[ci]);
            if (fixit && set_refcount(bs, ci, c.refs[ci]) == 0) {
                res->leaks_fixed++;
            } else {
                res->leaks++;
            }
        } else {
            bool fixit = fix & BDRV_CHECK_FIX_ERRORS;

            fprintf(stderr, "%s cluster %" PRIu64 " refcount=%" PRIu64
                    " reference=%u\n", fixit ? "Repairing" : "ERROR",
                    ci, disk, c.refs[ci]);
            if (fixit && c.refs[ci] <= s->refcount_max &&
                set_refcount(bs, ci, c.refs[ci]) == 0) {
                res->corruptions_fixed++;
            } else {
                res->corruptions++;
            }
        }
    }
    check_copied(&c, fix);
    res->image_end_offset = c.highest << s->cluster_bits;
    g_free(c.refs);
    s->free_cluster_index = 0;
    return 0;
}
