/*
 * Fuzz target for the qcow2 parser and metadata walkers: the input is an
 * image file. It is opened (read-only, then read-write on the same
 * bytes), read, checked, listed and written a little; the only assertion
 * is that nothing crashes, hangs or reads outside its buffers (run under
 * ASan for that).
 *
 * Plain build: "qcow2-fuzz --random N SEED" mutates a valid image (with
 * data, a snapshot and a compressed cluster) N times, in the 'fuzz'
 * suite. With clang, qcow2-fuzz-libfuzzer is the coverage-guided target.
 */
#include "block/block_int.h"
#include <fcntl.h>
#include <unistd.h>

static char *img_path;

static void exercise(const uint8_t *data, size_t size)
{
    BlockDriverState *bs;
    Error *err = NULL;
    uint8_t *buf = g_malloc(64 * KiB);
    int fd = open(img_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

    if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
        abort();
    }
    close(fd);
    for (int rw = 0; rw < 2; rw++) {
        bs = bdrv_open(img_path, "qcow2",
                       BLK_O_NO_LOCK | (rw ? BLK_O_RDWR : 0), &err);
        if (!bs) {
            error_free(err);
            err = NULL;
            continue;
        }
        for (uint64_t off = 0; off < MIN(bs->total_size, 4 * MiB);
             off += 64 * KiB) {
            bdrv_pread(bs, off, buf, MIN(64 * KiB, bs->total_size - off));
        }
        if (rw && bs->total_size >= 3 * 4096) {
            memset(buf, 0x5a, 4096);
            bdrv_pwrite(bs, 4096 - 100, buf, 4096);
            bdrv_pdiscard(bs, 0, 4096);
        } else if (!rw) {
            QEMUSnapshotInfo *sns = NULL;
            BdrvCheckResult res;

            bs->drv->snapshot_list(bs, &sns);
            g_free(sns);
            bs->drv->check(bs, &res, 0);
        }
        bdrv_close(bs);
    }
    g_free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!img_path) {
        img_path = g_build_filename(g_get_tmp_dir(), "pcemu-qcow2-fuzz.img",
                                    NULL);
        log_mask = 0;
    }
    if (size <= 4 * MiB) {
        exercise(data, size);
    }
    return 0;
}

#ifndef PCEMU_LIBFUZZER
/* A template: 4 KiB clusters, data, a compressed cluster, a snapshot. */
static uint8_t *make_template(size_t *len)
{
    char *path = g_build_filename(g_get_tmp_dir(), "pcemu-qcow2-tmpl.img",
                                  NULL);
    BlockCreateOpts o = { .size = 1 * MiB, .cluster_size = 4096 };
    BlockDriverState *bs;
    QEMUSnapshotInfo sn = { 0 };
    Error *err = NULL;
    uint8_t buf[4096];
    gchar *data;

    if (bdrv_create("qcow2", path, &o, &err) < 0) {
        error_report_err(err);
        exit(1);
    }
    bs = bdrv_open(path, NULL, BLK_O_RDWR | BLK_O_NO_LOCK, &err);
    if (!bs) {
        error_report_err(err);
        exit(1);
    }
    memset(buf, 'a', sizeof(buf));
    bdrv_pwrite(bs, 8192, buf, sizeof(buf));
    bdrv_pwrite_compressed(bs, 65536, buf, sizeof(buf));
    strcpy(sn.name, "s");
    bs->drv->snapshot_create(bs, &sn, &err);
    memset(buf, 'b', sizeof(buf));
    bdrv_pwrite(bs, 8192 + 100, buf, 200);
    bdrv_close(bs);
    if (!g_file_get_contents(path, &data, len, NULL)) {
        exit(1);
    }
    unlink(path);
    g_free(path);
    return (uint8_t *)data;
}

int main(int argc, char **argv)
{
    unsigned n = 100, seed = 1;
    size_t len;
    uint8_t *tmpl, *t;
    GRand *r;

    if (argc >= 4 && !strcmp(argv[1], "--random")) {
        n = atoi(argv[2]);
        seed = atoi(argv[3]);
    }
    /* The template's corruptions are reported on stderr: expected. */
    tmpl = make_template(&len);
    t = g_malloc(len);
    r = g_rand_new_with_seed(seed);
    for (unsigned i = 0; i < n; i++) {
        int flips = g_rand_int_range(r, 1, 6);

        memcpy(t, tmpl, len);
        for (int f = 0; f < flips; f++) {
            size_t pos = g_rand_int_range(r, 0, 4) == 0
                         ? g_rand_int_range(r, 0, len)
                         : g_rand_int_range(r, 0, MIN(len, 24 * 4096));
            if (g_rand_boolean(r)) {
                t[pos] ^= 1u << g_rand_int_range(r, 0, 8);
            } else {
                t[pos] = g_rand_int(r);
            }
        }
        LLVMFuzzerTestOneInput(t, g_rand_int_range(r, 0, 8) == 0
                                  ? g_rand_int_range(r, 0, len) : len);
    }
    unlink(img_path);
    printf("qcow2-fuzz: %u images, no crash\n", n);
    g_free(t);
    g_free(tmpl);
    g_rand_free(r);
    return 0;
}
#endif
