/*
 * qcow2 internal snapshots: the snapshot table, create, apply (goto),
 * delete, list.
 *
 * Format: qcow2.txt, "Snapshots". A snapshot is a copy of the L1 table
 * whose L2 tables and data clusters gained one reference each; writes to
 * a shared cluster then copy it (qcow2-cluster.c). Table changes go
 * "new table written and synced, header switched, old table freed", so
 * a crash leaves either table and at worst leaked clusters.
 */
#include "block/qcow2.h"
#include <time.h>
#include <unistd.h>

#define SN_HEADER_SIZE 40
#define SN_MAX_EXTRA 1024

void qcow2_free_snapshots(BDRVQcow2State *s)
{
    for (uint32_t i = 0; s->snapshots && i < s->nb_snapshots; i++) {
        g_free(s->snapshots[i].id_str);
        g_free(s->snapshots[i].name);
        g_free(s->snapshots[i].unknown_extra);
    }
    g_free(s->snapshots);
    s->snapshots = NULL;
}

static uint64_t sn_entry_size(const Qcow2Snapshot *sn)
{
    uint64_t n = SN_HEADER_SIZE + sn->extra_data_size + strlen(sn->id_str) +
                 strlen(sn->name);
    return (n + 7) & ~7ull;
}

static uint64_t sn_table_size(BDRVQcow2State *s)
{
    uint64_t n = 0;

    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        n += sn_entry_size(&s->snapshots[i]);
    }
    return n;
}

int qcow2_read_snapshots(BlockDriverState *bs, Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int64_t file_size = bdrv_file_size(bs);
    uint64_t off = s->snapshots_offset, total = 0;
    uint8_t h[SN_HEADER_SIZE];
    int ret;

    s->snapshots = g_new0(Qcow2Snapshot, MAX(s->nb_snapshots, 1));
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        Qcow2Snapshot *sn = &s->snapshots[i];
        uint16_t id_len, name_len;

        ret = bdrv_file_pread(bs, off, h, sizeof(h));
        if (ret < 0) {
            goto io_error;
        }
        sn->l1_table_offset = be64_get(h);
        sn->l1_size = be32_get(h + 8);
        id_len = be16_get(h + 12);
        name_len = be16_get(h + 14);
        sn->date_sec = be32_get(h + 16);
        sn->date_nsec = be32_get(h + 20);
        sn->vm_clock_nsec = be64_get(h + 24);
        sn->vm_state_size = be32_get(h + 32);
        sn->extra_data_size = be32_get(h + 36);
        sn->disk_size = bs->total_size;
        sn->icount = UINT64_MAX;
        sn->id_str = g_malloc0(id_len + 1);
        sn->name = g_malloc0(name_len + 1);
        if (sn->extra_data_size > SN_MAX_EXTRA) {
            error_setg(errp, "%s: snapshot %u has too much extra data (%u "
                       "bytes)", bs->filename, i, sn->extra_data_size);
            return -EFBIG;
        }
        total += SN_HEADER_SIZE + sn->extra_data_size + id_len + name_len;
        total = (total + 7) & ~7ull;
        if (total > QCOW_MAX_SNAPSHOTS_SIZE ||
            s->snapshots_offset + total > (uint64_t)file_size) {
            error_setg(errp, "%s: snapshot table is past the end of the "
                       "file or too large", bs->filename);
            return -EFBIG;
        }
        off += SN_HEADER_SIZE;
        sn->unknown_extra = g_malloc0(MAX(sn->extra_data_size, 1));
        ret = bdrv_file_pread(bs, off, sn->unknown_extra,
                              sn->extra_data_size);
        if (ret < 0) {
            goto io_error;
        }
        if (sn->extra_data_size >= 8) {
            sn->vm_state_size = be64_get(sn->unknown_extra);
        }
        if (sn->extra_data_size >= 16) {
            sn->disk_size = be64_get(sn->unknown_extra + 8);
        }
        if (sn->extra_data_size >= 24) {
            sn->icount = be64_get(sn->unknown_extra + 16);
        }
        off += sn->extra_data_size;
        ret = bdrv_file_pread(bs, off, sn->id_str, id_len);
        if (ret == 0) {
            ret = bdrv_file_pread(bs, off + id_len, sn->name, name_len);
        }
        if (ret < 0) {
            goto io_error;
        }
        off = (off + id_len + name_len + 7) & ~7ull;
        if ((uint64_t)sn->l1_size * 8 > QCOW_MAX_L1_SIZE ||
            (sn->l1_table_offset & (s->cluster_size - 1)) ||
            sn->l1_table_offset + (uint64_t)sn->l1_size * 8 >
            (uint64_t)file_size) {
            error_setg(errp, "%s: snapshot %u's L1 table (offset 0x%"
                       PRIx64 ", %u entries) is invalid", bs->filename, i,
                       sn->l1_table_offset, sn->l1_size);
            return -EINVAL;
        }
        if (sn->disk_size > QCOW2_MAX_SIZE) {
            error_setg(errp, "%s: snapshot %u's disk size is too large",
                       bs->filename, i);
            return -EINVAL;
        }
    }
    return 0;

io_error:
    error_setg(errp, "%s: cannot read the snapshot table: %s", bs->filename,
               strerror(-ret));
    return ret;
}

static int write_snapshot_table(BlockDriverState *bs)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t size = sn_table_size(s);
    uint8_t *buf, *p, hdr[12];
    int64_t new = 0;
    int ret;

    buf = g_malloc0(MAX(size, 1));
    p = buf;
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        Qcow2Snapshot *sn = &s->snapshots[i];
        size_t id_len = strlen(sn->id_str), name_len = strlen(sn->name);

        be64_put(p, sn->l1_table_offset);
        be32_put(p + 8, sn->l1_size);
        be16_put(p + 12, id_len);
        be16_put(p + 14, name_len);
        be32_put(p + 16, sn->date_sec);
        be32_put(p + 20, sn->date_nsec);
        be64_put(p + 24, sn->vm_clock_nsec);
        be32_put(p + 32, MIN(sn->vm_state_size, UINT32_MAX));
        be32_put(p + 36, sn->extra_data_size);
        p += SN_HEADER_SIZE;
        memcpy(p, sn->unknown_extra, sn->extra_data_size);
        if (sn->extra_data_size >= 16) {
            be64_put(p, sn->vm_state_size);
            be64_put(p + 8, sn->disk_size);
        }
        p += sn->extra_data_size;
        memcpy(p, sn->id_str, id_len);
        memcpy(p + id_len, sn->name, name_len);
        p += id_len + name_len;
        p = buf + ((p - buf + 7) & ~7);
    }
    if (size) {
        new = qcow2_alloc_clusters(bs, size);
        if (new < 0) {
            g_free(buf);
            return new;
        }
        ret = bdrv_file_pwrite(bs, new, buf, size);
        if (ret < 0) {
            g_free(buf);
            return ret;
        }
    }
    g_free(buf);
    if (fdatasync(bs->fd) < 0) {
        return -errno;
    }
    be32_put(hdr, s->nb_snapshots);
    be64_put(hdr + 4, new);
    ret = qcow2_write_header_field(bs, QH_NB_SNAPSHOTS, hdr, 12);
    if (ret < 0) {
        return ret;
    }
    s->snapshots_offset = new;
    return 0;
}

/* Rewrites the table and frees the old one (old_size bytes). */
static int replace_snapshot_table(BlockDriverState *bs, uint64_t old_size)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t old_offset = s->snapshots_offset;
    int ret = write_snapshot_table(bs);

    if (ret == 0 && old_offset && old_size) {
        qcow2_free_clusters(bs, old_offset, old_size);
    }
    return ret;
}

static int find_snapshot(BDRVQcow2State *s, const char *id_or_name)
{
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        if (!strcmp(s->snapshots[i].id_str, id_or_name)) {
            return i;
        }
    }
    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        if (!strcmp(s->snapshots[i].name, id_or_name)) {
            return i;
        }
    }
    return -1;
}

int qcow2_snapshot_create(BlockDriverState *bs, QEMUSnapshotInfo *info,
                          Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t old_size = sn_table_size(s);
    uint64_t l1_bytes = (uint64_t)s->l1_size * 8;
    Qcow2Snapshot sn = { 0 };
    struct timespec ts;
    int64_t l1_off;
    uint8_t *buf;
    int ret;

    if (s->nb_snapshots >= QCOW_MAX_SNAPSHOTS) {
        error_setg(errp, "%s: too many snapshots", bs->filename);
        return -EFBIG;
    }
    if (!info->id_str[0]) {
        unsigned long max = 0;

        for (uint32_t i = 0; i < s->nb_snapshots; i++) {
            max = MAX(max, strtoul(s->snapshots[i].id_str, NULL, 10));
        }
        snprintf(info->id_str, sizeof(info->id_str), "%lu", max + 1);
    }
    if (find_snapshot(s, info->id_str) >= 0 &&
        !strcmp(s->snapshots[find_snapshot(s, info->id_str)].id_str,
                info->id_str)) {
        error_setg(errp, "%s: a snapshot with ID %s exists", bs->filename,
                   info->id_str);
        return -EEXIST;
    }
    if (!info->date_sec) {
        clock_gettime(CLOCK_REALTIME, &ts);
        info->date_sec = ts.tv_sec;
        info->date_nsec = ts.tv_nsec;
    }

    /* The copy of the active L1 table. */
    l1_off = qcow2_alloc_clusters(bs, MAX(l1_bytes, 8));
    if (l1_off < 0) {
        error_setg(errp, "%s: cannot allocate: %s", bs->filename,
                   strerror(-l1_off));
        return l1_off;
    }
    buf = g_malloc0(MAX(l1_bytes, 8));
    for (uint32_t i = 0; i < s->l1_size; i++) {
        be64_put(buf + 8 * i, s->l1_table[i] & ~QCOW_OFLAG_COPIED);
    }
    ret = bdrv_file_pwrite(bs, l1_off, buf, l1_bytes);
    g_free(buf);
    if (ret == 0) {
        ret = qcow2_update_snapshot_refcount(bs, s->l1_table_offset,
                                             s->l1_size, 1);
    }
    if (ret < 0) {
        error_setg(errp, "%s: cannot create the snapshot: %s",
                   bs->filename, strerror(-ret));
        return ret;
    }

    sn.l1_table_offset = l1_off;
    sn.l1_size = s->l1_size;
    sn.id_str = g_strdup(info->id_str);
    sn.name = g_strdup(info->name);
    sn.date_sec = info->date_sec;
    sn.date_nsec = info->date_nsec;
    sn.vm_clock_nsec = info->vm_clock_nsec;
    sn.vm_state_size = info->vm_state_size;
    sn.disk_size = bs->total_size;
    sn.icount = 0;
    sn.extra_data_size = 24;     /* vm state size, disk size, icount */
    sn.unknown_extra = g_malloc0(24);
    s->snapshots = g_renew(Qcow2Snapshot, s->snapshots, s->nb_snapshots + 1);
    s->snapshots[s->nb_snapshots++] = sn;
    ret = replace_snapshot_table(bs, old_size);
    if (ret < 0) {
        error_setg(errp, "%s: cannot write the snapshot table: %s",
                   bs->filename, strerror(-ret));
    }
    return ret;
}

int qcow2_snapshot_goto(BlockDriverState *bs, const char *id_or_name,
                        Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    int i = find_snapshot(s, id_or_name);
    Qcow2Snapshot *sn;
    uint64_t *old_l1;
    uint32_t old_size;
    uint8_t *buf, f[8];
    int ret;

    if (i < 0) {
        error_setg(errp, "%s: no snapshot '%s'", bs->filename, id_or_name);
        return -ENOENT;
    }
    sn = &s->snapshots[i];
    if (sn->l1_size > s->l1_size) {
        ret = qcow2_grow_l1_table(bs, sn->l1_size);
        if (ret < 0) {
            goto fail;
        }
    }
    ret = qcow2_update_snapshot_refcount(bs, sn->l1_table_offset,
                                         sn->l1_size, 1);
    if (ret < 0) {
        goto fail;
    }
    old_l1 = g_memdup2(s->l1_table, (size_t)s->l1_size * 8);
    old_size = s->l1_size;
    buf = g_malloc0((size_t)s->l1_size * 8 + 8);
    ret = bdrv_file_pread(bs, sn->l1_table_offset, buf,
                          (uint64_t)sn->l1_size * 8);
    if (ret == 0) {
        ret = bdrv_file_pwrite(bs, s->l1_table_offset, buf,
                               (uint64_t)s->l1_size * 8);
    }
    if (ret < 0) {
        g_free(buf);
        g_free(old_l1);
        goto fail;
    }
    for (uint32_t j = 0; j < s->l1_size; j++) {
        s->l1_table[j] = be64_get(buf + 8 * j);
    }
    g_free(buf);
    memset(s->l2_cache.offset, 0, sizeof(s->l2_cache.offset));
    s->decompressed_offset = 0;

    /* Drop the references of the tree we left: an L1 table in memory
     * that is not the active one. */
    {
        uint64_t tmp_off;
        int64_t t = qcow2_alloc_clusters(bs, MAX((uint64_t)old_size * 8, 8));

        if (t < 0) {
            g_free(old_l1);
            ret = t;
            goto fail;
        }
        tmp_off = t;
        buf = g_malloc0(MAX((size_t)old_size * 8, 8));
        for (uint32_t j = 0; j < old_size; j++) {
            be64_put(buf + 8 * j, old_l1[j]);
        }
        ret = bdrv_file_pwrite(bs, tmp_off, buf, (uint64_t)old_size * 8);
        g_free(buf);
        g_free(old_l1);
        if (ret == 0) {
            ret = qcow2_update_snapshot_refcount(bs, tmp_off, old_size, -1);
        }
        qcow2_free_clusters(bs, tmp_off, MAX((uint64_t)old_size * 8, 8));
        if (ret < 0) {
            goto fail;
        }
    }
    ret = qcow2_update_snapshot_refcount(bs, s->l1_table_offset,
                                         s->l1_size, 0);
    if (ret < 0) {
        goto fail;
    }
    if (sn->disk_size != bs->total_size) {
        be64_put(f, sn->disk_size);
        ret = qcow2_write_header_field(bs, QH_SIZE, f, 8);
        if (ret < 0) {
            goto fail;
        }
        bs->total_size = sn->disk_size;
    }
    return 0;

fail:
    error_setg(errp, "%s: cannot apply snapshot '%s': %s", bs->filename,
               id_or_name, strerror(-ret));
    return ret;
}

int qcow2_snapshot_delete(BlockDriverState *bs, const char *id_or_name,
                          Error **errp)
{
    BDRVQcow2State *s = bs->opaque;
    uint64_t old_size = sn_table_size(s);
    int i = find_snapshot(s, id_or_name);
    Qcow2Snapshot sn;
    int ret;

    if (i < 0) {
        error_setg(errp, "%s: no snapshot '%s'", bs->filename, id_or_name);
        return -ENOENT;
    }
    sn = s->snapshots[i];
    memmove(&s->snapshots[i], &s->snapshots[i + 1],
            (s->nb_snapshots - i - 1) * sizeof(sn));
    s->nb_snapshots--;
    ret = replace_snapshot_table(bs, old_size);
    if (ret == 0) {
        ret = qcow2_update_snapshot_refcount(bs, sn.l1_table_offset,
                                             sn.l1_size, -1);
    }
    if (ret == 0) {
        qcow2_free_clusters(bs, sn.l1_table_offset,
                            MAX((uint64_t)sn.l1_size * 8, 8));
        ret = qcow2_update_snapshot_refcount(bs, s->l1_table_offset,
                                             s->l1_size, 0);
    }
    g_free(sn.id_str);
    g_free(sn.name);
    g_free(sn.unknown_extra);
    if (ret < 0) {
        error_setg(errp, "%s: cannot delete snapshot '%s': %s",
                   bs->filename, id_or_name, strerror(-ret));
    }
    return ret;
}

int qcow2_snapshot_list(BlockDriverState *bs, QEMUSnapshotInfo **psn)
{
    BDRVQcow2State *s = bs->opaque;
    QEMUSnapshotInfo *l = g_new0(QEMUSnapshotInfo, MAX(s->nb_snapshots, 1));

    for (uint32_t i = 0; i < s->nb_snapshots; i++) {
        Qcow2Snapshot *sn = &s->snapshots[i];

        g_strlcpy(l[i].id_str, sn->id_str, sizeof(l[i].id_str));
        g_strlcpy(l[i].name, sn->name, sizeof(l[i].name));
        l[i].vm_state_size = sn->vm_state_size;
        l[i].date_sec = sn->date_sec;
        l[i].date_nsec = sn->date_nsec;
        l[i].vm_clock_nsec = sn->vm_clock_nsec;
        l[i].icount = sn->icount;
    }
    *psn = l;
    return s->nb_snapshots;
}
