/*
 * The BlockBackend devices use: asynchronous requests completing on the
 * main loop with the BQL, drain, write-through, -snapshot overlays, and
 * the -drive option parser.
 */
#include "block/block_int.h"
#include "softmmu/main-loop.h"
#include <unistd.h>

static char *tmpdir;
static GThread *main_thread;

typedef struct Req {
    int ret;
    bool done;
} Req;

static void req_cb(void *opaque, int ret)
{
    Req *r = opaque;

    /* On the main loop thread, with the BQL, once. */
    g_assert_true(g_thread_self() == main_thread);
    g_assert_true(bql_locked());
    g_assert_false(r->done);
    r->ret = ret;
    r->done = true;
}

static void wait_all(Req *reqs, int n)
{
    for (int spins = 0; spins < 1000; spins++) {
        bool all = true;

        for (int i = 0; i < n; i++) {
            all &= reqs[i].done;
        }
        if (all) {
            return;
        }
        main_loop_wait(10);
    }
    g_assert_not_reached();
}

static char *make_image(const char *name, const char *fmt, uint64_t size)
{
    char *path = g_build_filename(tmpdir, name, NULL);
    BlockCreateOpts o = { .size = size };
    Error *err = NULL;

    g_assert_cmpint(bdrv_create(fmt, path, &o, &err), ==, 0);
    return path;
}

static void test_aio(void)
{
    enum { N = 16, LEN = 12345 };
    char *path = make_image("aio.qcow2", "qcow2", 4 * MiB);
    BlockBackend *blk;
    Error *err = NULL;
    Req w[N] = { 0 }, r[N] = { 0 }, f = { 0 }, bad = { 0 };
    uint8_t *wbuf[N], *rbuf[N];

    blk = blk_new_open(path, NULL, BLK_O_RDWR, &err);
    g_assert_nonnull(blk);
    g_assert_cmpint(blk_getlength(blk), ==, 4 * MiB);
    g_assert_cmpuint(blk_nb_sectors(blk), ==, 8192);
    g_assert_false(blk_is_read_only(blk));
    for (int i = 0; i < N; i++) {
        wbuf[i] = g_malloc(LEN);
        rbuf[i] = g_malloc0(LEN);
        memset(wbuf[i], i + 1, LEN);
        blk_aio_pwrite(blk, (int64_t)i * 200000, wbuf[i], LEN, req_cb, &w[i]);
        /* Never completed inside the submitting call. */
        g_assert_false(w[i].done);
    }
    g_assert_cmpuint(blk_in_flight(blk), ==, N);
    wait_all(w, N);
    g_assert_cmpuint(blk_in_flight(blk), ==, 0);
    blk_aio_flush(blk, req_cb, &f);
    wait_all(&f, 1);
    g_assert_cmpint(f.ret, ==, 0);
    for (int i = 0; i < N; i++) {
        g_assert_cmpint(w[i].ret, ==, 0);
        blk_aio_pread(blk, (int64_t)i * 200000, rbuf[i], LEN, req_cb, &r[i]);
    }
    /* drain runs the callbacks itself. */
    blk_drain(blk);
    for (int i = 0; i < N; i++) {
        g_assert_true(r[i].done);
        g_assert_cmpint(r[i].ret, ==, 0);
        g_assert_cmpmem(rbuf[i], LEN, wbuf[i], LEN);
    }
    blk_aio_pread(blk, 4 * MiB - 100, rbuf[0], 512, req_cb, &bad);
    wait_all(&bad, 1);
    g_assert_cmpint(bad.ret, ==, -EINVAL);

    /* Write-through: still correct, just synced per write. */
    blk_set_enable_write_cache(blk, false);
    g_assert_false(blk_enable_write_cache(blk));
    g_assert_cmpint(blk_write_sectors(blk, 10, wbuf[3], 2), ==, 0);
    g_assert_cmpint(blk_read_sectors(blk, 10, rbuf[0], 2), ==, 0);
    g_assert_cmpmem(rbuf[0], 1024, wbuf[3], 1024);
    blk_unref(blk);
    for (int i = 0; i < N; i++) {
        g_free(wbuf[i]);
        g_free(rbuf[i]);
    }
    unlink(path);
    g_free(path);
}

static void test_snapshot_overlay(void)
{
    char *path = make_image("snap.raw", "raw", 1 * MiB);
    uint8_t buf[512], zero[512] = { 0 };
    Error *err = NULL;
    BlockBackend *blk;

    blk = blk_new_open(path, "raw", BLK_O_RDWR | BLK_O_SNAPSHOT, &err);
    g_assert_nonnull(blk);
    memset(buf, 0xee, sizeof(buf));
    g_assert_cmpint(blk_pwrite(blk, 4096, buf, 512), ==, 0);
    g_assert_cmpint(blk_flush(blk), ==, 0);
    memset(buf, 0, sizeof(buf));
    g_assert_cmpint(blk_pread(blk, 4096, buf, 512), ==, 0);
    g_assert_cmpint(buf[0], ==, 0xee);
    blk_unref(blk);

    /* The image itself never saw the write. */
    blk = blk_new_open(path, "raw", 0, &err);
    g_assert_nonnull(blk);
    g_assert_true(blk_is_read_only(blk));
    g_assert_cmpint(blk_pread(blk, 4096, buf, 512), ==, 0);
    g_assert_cmpmem(buf, 512, zero, 512);
    g_assert_cmpint(blk_pwrite(blk, 0, buf, 512), ==, -EROFS);
    blk_unref(blk);
    unlink(path);
    g_free(path);
}

static void test_empty_and_eject(void)
{
    BlockBackend *blk = blk_new_empty();
    char *path = make_image("cd.raw", "raw", 64 * KiB);
    Error *err = NULL;
    uint8_t buf[512];

    g_assert_false(blk_is_inserted(blk));
    g_assert_cmpint(blk_pread(blk, 0, buf, 512), ==, -ENOMEDIUM);
    g_assert_true(blk_change_medium(blk, path, "raw", &err));
    g_assert_true(blk_is_inserted(blk));
    g_assert_true(blk_is_read_only(blk));
    g_assert_cmpint(blk_pread(blk, 0, buf, 512), ==, 0);
    blk_eject(blk);
    g_assert_false(blk_is_inserted(blk));
    blk_unref(blk);
    unlink(path);
    g_free(path);
}

static void test_drive_options(void)
{
    char *path = make_image("d.qcow2", "qcow2", 1 * MiB);
    char *path2 = make_image("v.raw", "raw", 1 * MiB);
    char *opt;
    Error *err = NULL;
    DriveInfo *d;
    static const char *const bad[] = {
        "file=x,format=vmdk", "file=x,if=scsi", "file=x,index=4",
        "file=x,bus=2", "file=x,media=tape", "file=x,cache=bogus",
        "file=x,bogus=1", "if=ide", "file=x,werror=stop",
    };

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        g_assert_false(drive_parse(bad[i], &err));
        g_assert_nonnull(err);
        error_free(err);
        err = NULL;
    }
    opt = g_strdup_printf("file=%s,format=qcow2,if=ide,index=1,id=disk1",
                          path);
    g_assert_true(drive_parse(opt, &err));
    g_assert_false(drive_parse(opt, &err));  /* same slot */
    error_free(err);
    err = NULL;
    g_assert_true(drive_parse("if=ide,media=cdrom", &err));
    g_free(opt);
    /* A second user of the same image: the lock refuses it. */
    opt = g_strdup_printf("file=%s,if=virtio,id=v0,snapshot=on", path);
    g_assert_true(drive_parse(opt, &err));
    g_assert_false(drive_init_all(&err));
    g_assert_nonnull(strstr(err->msg, "lock"));
    error_free(err);
    err = NULL;
    drive_cleanup_all();
    g_free(opt);
    opt = g_strdup_printf("file=%s,format=qcow2,if=ide,index=1,id=disk1",
                          path);
    g_assert_true(drive_parse(opt, &err));
    g_assert_true(drive_parse("if=ide,media=cdrom", &err));
    g_free(opt);
    opt = g_strdup_printf("file=%s,if=virtio,id=v0,snapshot=on", path2);
    g_assert_true(drive_parse(opt, &err));
    if (!drive_init_all(&err)) {
        g_printerr("%s\n", err->msg);
        g_assert_not_reached();
    }

    d = drive_get(IF_IDE, 0, 1);
    g_assert_nonnull(d);
    g_assert_cmpstr(d->id, ==, "disk1");
    g_assert_true(drive_get_by_id("disk1") == d);
    g_assert_cmpint(blk_getlength(d->blk), ==, 1 * MiB);
    g_assert_cmpstr(blk_name(d->blk), ==, "disk1");
    d = drive_get(IF_IDE, 0, 0);     /* the first free slot */
    g_assert_nonnull(d);
    g_assert_cmpint(d->media, ==, MEDIA_CDROM);
    g_assert_false(blk_is_inserted(d->blk));
    d = drive_get_next_unclaimed(IF_VIRTIO);
    g_assert_nonnull(d);
    g_assert_cmpstr(d->id, ==, "v0");
    d->claimed = true;
    g_assert_null(drive_get_next_unclaimed(IF_VIRTIO));
    drive_cleanup_all();
    g_assert_null(drive_get_by_id("disk1"));
    unlink(path);
    unlink(path2);
    g_free(path);
    g_free(path2);
    g_free(opt);
}

static void test_probed_raw_guard(void)
{
    char *path = make_image("probed.raw", "raw", 64 * KiB);
    char *opt = g_strdup_printf("file=%s,if=none,id=p0", path);
    uint8_t buf[512] = { 'Q', 'F', 'I', 0xfb };
    Error *err = NULL;
    BlockBackend *blk;

    g_assert_true(drive_parse(opt, &err));
    g_assert_true(drive_init_all(&err));
    blk = drive_get_by_id("p0")->blk;
    /* A qcow2 header into sector 0 of a probed raw image: refused. */
    g_assert_cmpint(blk_pwrite(blk, 0, buf, 512), ==, -EPERM);
    g_assert_cmpint(blk_pwrite(blk, 512, buf, 512), ==, 0);
    buf[0] = 0;
    g_assert_cmpint(blk_pwrite(blk, 0, buf, 512), ==, 0);
    drive_cleanup_all();
    unlink(path);
    g_free(path);
    g_free(opt);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    main_thread = g_thread_self();
    tmpdir = g_dir_make_tmp("pcemu-blk-XXXXXX", NULL);
    g_test_add_func("/block-backend/aio", test_aio);
    g_test_add_func("/block-backend/snapshot-overlay", test_snapshot_overlay);
    g_test_add_func("/block-backend/empty-and-eject", test_empty_and_eject);
    g_test_add_func("/block-backend/drive-options", test_drive_options);
    g_test_add_func("/block-backend/probed-raw-guard",
                    test_probed_raw_guard);
    ret = g_test_run();
    rmdir(tmpdir);
    return ret;
}
