/*
 * Block layer unit tests: qcow2 and raw through the driver interface
 * (block_int.h). Every image the tests write is also handed to Debian's
 * "qemu-img check" when it is installed (the oracle for "no corruption,
 * no leak"); reads are compared with a reference copy kept in memory.
 */
#include "block/block_int.h"
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static char *tmpdir;

static char *tmp_path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

/* qemu-img check must report a clean image (exit 0). Skipped without
 * qemu-img. */
static void assert_qemu_check(const char *path)
{
    char *out = NULL, *err = NULL;
    int status;
    const char *argv[] = { "qemu-img", "check", "-U", path, NULL };
    gchar *qemu_img = g_find_program_in_path("qemu-img");

    if (!qemu_img) {
        return;
    }
    g_free(qemu_img);
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL,
                               G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err,
                               &status, NULL));
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_printerr("qemu-img check %s:\n%s%s", path, out, err);
        g_assert_not_reached();
    }
    g_free(out);
    g_free(err);
}

static void create_qcow2(const char *path, uint64_t size, uint32_t cs,
                         int compat, const char *backing,
                         const char *backing_fmt)
{
    BlockCreateOpts o = {
        .size = size, .cluster_size = cs, .compat = compat,
        .backing_file = backing, .backing_fmt = backing_fmt,
    };
    Error *err = NULL;

    g_assert_cmpint(bdrv_create("qcow2", path, &o, &err), ==, 0);
    g_assert_null(err);
}

static BlockDriverState *open_rw(const char *path)
{
    Error *err = NULL;
    BlockDriverState *bs = bdrv_open(path, NULL, BLK_O_RDWR, &err);

    if (!bs) {
        g_printerr("%s\n", err->msg);
    }
    g_assert_nonnull(bs);
    return bs;
}

static void assert_reads(BlockDriverState *bs, const uint8_t *ref,
                         uint64_t size)
{
    uint8_t *buf = g_malloc(size);

    g_assert_cmpint(bdrv_pread(bs, 0, buf, size), ==, 0);
    for (uint64_t i = 0; i < size; i++) {
        if (buf[i] != ref[i]) {
            g_printerr("mismatch at byte %" PRIu64 ": %02x != %02x\n", i,
                       buf[i], ref[i]);
            g_assert_not_reached();
        }
    }
    g_free(buf);
}

/* Random writes of 1 byte to 3 clusters at random offsets. */
static void random_writes(BlockDriverState *bs, uint8_t *ref, uint64_t size,
                          uint32_t cs, int n, GRand *r)
{
    uint8_t *buf = g_malloc(3 * cs + 1);

    for (int i = 0; i < n; i++) {
        uint64_t len = g_rand_int_range(r, 1, 3 * cs + 1);
        uint64_t off = g_rand_int_range(r, 0, size - len + 1);

        for (uint64_t j = 0; j < len; j++) {
            buf[j] = g_rand_int(r);
        }
        g_assert_cmpint(bdrv_pwrite(bs, off, buf, len), ==, 0);
        memcpy(ref + off, buf, len);
    }
    g_free(buf);
}

static void test_rw_cluster_sizes(void)
{
    static const struct { uint32_t cs; uint64_t size; int compat; } cases[] = {
        { 65536, 4 * MiB, 3 },
        { 4096, 2 * MiB, 2 },
        /* 512-byte clusters: many refcount blocks, and the refcount
         * table has to grow past its first cluster. */
        { 512, 12 * MiB, 3 },
    };

    for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
        char *path = tmp_path("rw.qcow2");
        uint64_t size = cases[c].size;
        uint8_t *ref = g_malloc0(size);
        GRand *r = g_rand_new_with_seed(c + 1);
        BlockDriverState *bs;

        create_qcow2(path, size, cases[c].cs, cases[c].compat, NULL, NULL);
        bs = open_rw(path);
        g_assert_cmpuint(bs->total_size, ==, size);
        assert_reads(bs, ref, size);
        random_writes(bs, ref, size, cases[c].cs, 200, r);
        if (cases[c].cs == 512) {
            /* Fill the whole image so the file passes 8 MiB. */
            uint8_t *fill = g_malloc(size);
            memset(fill, 0xa5, size);
            g_assert_cmpint(bdrv_pwrite(bs, 0, fill, size), ==, 0);
            memcpy(ref, fill, size);
            g_free(fill);
        }
        assert_reads(bs, ref, size);
        g_assert_cmpint(bdrv_flush(bs), ==, 0);
        bdrv_close(bs);

        bs = open_rw(path);
        assert_reads(bs, ref, size);
        {
            BdrvCheckResult res;
            g_assert_cmpint(bs->drv->check(bs, &res, 0), ==, 0);
            g_assert_cmpint(res.corruptions, ==, 0);
            g_assert_cmpint(res.leaks, ==, 0);
        }
        bdrv_close(bs);
        assert_qemu_check(path);
        unlink(path);
        g_free(path);
        g_free(ref);
        g_rand_free(r);
    }
}

static void test_out_of_range(void)
{
    char *path = tmp_path("range.qcow2");
    uint8_t buf[512] = { 0 };
    BlockDriverState *bs;

    create_qcow2(path, 1 * MiB, 0, 0, NULL, NULL);
    bs = open_rw(path);
    g_assert_cmpint(bdrv_pread(bs, 1 * MiB - 256, buf, 512), ==, -EINVAL);
    g_assert_cmpint(bdrv_pwrite(bs, 1 * MiB, buf, 1), ==, -EINVAL);
    g_assert_cmpint(bdrv_pwrite(bs, UINT64_MAX - 10, buf, 512), ==,
                    -EINVAL);
    bdrv_close(bs);
    unlink(path);
    g_free(path);
}

static void test_backing(void)
{
    char *base = tmp_path("base.raw");
    char *top = tmp_path("top.qcow2");
    uint64_t size = 1 * MiB;
    uint8_t *ref = g_malloc(size);
    GRand *r = g_rand_new_with_seed(42);
    BlockDriverState *bs;
    BlockCreateOpts o = { .size = size };
    Error *err = NULL;

    for (uint64_t i = 0; i < size; i++) {
        ref[i] = i * 7 + (i >> 9);
    }
    g_assert_cmpint(bdrv_create("raw", base, &o, &err), ==, 0);
    bs = open_rw(base);
    g_assert_cmpint(bdrv_pwrite(bs, 0, ref, size), ==, 0);
    bdrv_close(bs);

    /* Relative to the overlay's directory, as QEMU resolves it. */
    create_qcow2(top, size, 4096, 3, "base.raw", "raw");
    bs = open_rw(top);
    g_assert_nonnull(bs->backing);
    assert_reads(bs, ref, size);
    random_writes(bs, ref, size, 4096, 100, r);
    assert_reads(bs, ref, size);
    /* Discarding over a backing file reads zeroes (v3 zero clusters). */
    g_assert_cmpint(bdrv_pdiscard(bs, 64 * KiB, 64 * KiB), ==, 0);
    memset(ref + 64 * KiB, 0, 64 * KiB);
    assert_reads(bs, ref, size);
    bdrv_close(bs);
    assert_qemu_check(top);

    /* The base is untouched. */
    bs = open_rw(base);
    g_assert_cmpint(bdrv_pread(bs, 0, ref, 16), ==, 0);
    g_assert_cmpint(ref[1], ==, 7);
    bdrv_close(bs);
    unlink(base);
    unlink(top);
    g_free(base);
    g_free(top);
    g_free(ref);
    g_rand_free(r);
}

static void test_backing_loop(void)
{
    char *a = tmp_path("loop-a.qcow2");
    Error *err = NULL;
    BlockDriverState *bs;

    create_qcow2(a, 1 * MiB, 0, 3, NULL, NULL);
    /* Point the image at itself by hand: create refuses to. */
    {
        BlockCreateOpts o = { .size = 1 * MiB, .backing_file = "loop-a.qcow2",
                              .backing_fmt = "qcow2" };
        char *b = tmp_path("loop-b.qcow2");
        g_assert_cmpint(bdrv_create("qcow2", b, &o, &err), ==, 0);
        g_assert_cmpint(rename(b, a), ==, 0);
        g_free(b);
    }
    bs = bdrv_open(a, NULL, BLK_O_NO_LOCK, &err);
    g_assert_null(bs);
    g_assert_nonnull(strstr(err->msg, "backing"));
    error_free(err);
    unlink(a);
    g_free(a);
}

static void test_snapshots(void)
{
    char *path = tmp_path("snap.qcow2");
    uint64_t size = 2 * MiB;
    uint8_t *ref_a = g_malloc0(size), *ref_b;
    GRand *r = g_rand_new_with_seed(7);
    QEMUSnapshotInfo sn = { 0 }, *list;
    Error *err = NULL;
    BlockDriverState *bs;

    create_qcow2(path, size, 4096, 3, NULL, NULL);
    bs = open_rw(path);
    random_writes(bs, ref_a, size, 4096, 100, r);
    strcpy(sn.name, "first");
    g_assert_cmpint(bs->drv->snapshot_create(bs, &sn, &err), ==, 0);
    g_assert_cmpstr(sn.id_str, ==, "1");
    ref_b = g_memdup2(ref_a, size);
    random_writes(bs, ref_b, size, 4096, 100, r);
    assert_reads(bs, ref_b, size);
    bdrv_close(bs);
    assert_qemu_check(path);

    bs = open_rw(path);
    g_assert_cmpint(bs->drv->snapshot_list(bs, &list), ==, 1);
    g_assert_cmpstr(list[0].name, ==, "first");
    g_free(list);
    assert_reads(bs, ref_b, size);
    g_assert_cmpint(bs->drv->snapshot_goto(bs, "first", &err), ==, 0);
    assert_reads(bs, ref_a, size);
    /* Writing after the revert must not change the snapshot. */
    random_writes(bs, ref_b, size, 4096, 20, r);
    memcpy(ref_b, ref_a, size);
    g_assert_cmpint(bs->drv->snapshot_goto(bs, "1", &err), ==, 0);
    assert_reads(bs, ref_a, size);
    bdrv_close(bs);
    assert_qemu_check(path);

    bs = open_rw(path);
    g_assert_cmpint(bs->drv->snapshot_goto(bs, "nope", &err), <, 0);
    error_free(err);
    err = NULL;
    g_assert_cmpint(bs->drv->snapshot_delete(bs, "first", &err), ==, 0);
    g_assert_cmpint(bs->drv->snapshot_list(bs, &list), ==, 0);
    g_free(list);
    random_writes(bs, ref_a, size, 4096, 50, r);
    assert_reads(bs, ref_a, size);
    {
        BdrvCheckResult res;
        g_assert_cmpint(bs->drv->check(bs, &res, 0), ==, 0);
        g_assert_cmpint(res.corruptions + res.leaks, ==, 0);
    }
    bdrv_close(bs);
    assert_qemu_check(path);
    unlink(path);
    g_free(path);
    g_free(ref_a);
    g_free(ref_b);
    g_rand_free(r);
}

static void test_compressed_and_discard(void)
{
    char *path = tmp_path("comp.qcow2");
    uint32_t cs = 65536;
    uint64_t size = 8 * cs;
    uint8_t *ref = g_malloc0(size);
    BlockDriverState *bs;

    create_qcow2(path, size, cs, 3, NULL, NULL);
    bs = open_rw(path);
    for (uint64_t i = 0; i < size; i++) {
        ref[i] = (i / 100) % 7 == 0 ? i : 'x';
    }
    for (uint64_t c = 0; c < 6; c++) {
        g_assert_cmpint(bdrv_pwrite_compressed(bs, c * cs, ref + c * cs, cs),
                        ==, 0);
    }
    memset(ref + 6 * cs, 0, 2 * cs);
    assert_reads(bs, ref, size);
    /* Rewriting part of a compressed cluster decompresses it. */
    memset(ref + cs + 10, 0x11, 100);
    g_assert_cmpint(bdrv_pwrite(bs, cs + 10, ref + cs + 10, 100), ==, 0);
    assert_reads(bs, ref, size);
    /* Discard without a backing file frees the clusters. */
    g_assert_cmpint(bdrv_pdiscard(bs, 2 * cs, 2 * cs), ==, 0);
    memset(ref + 2 * cs, 0, 2 * cs);
    assert_reads(bs, ref, size);
    bdrv_close(bs);
    assert_qemu_check(path);
    bs = open_rw(path);
    assert_reads(bs, ref, size);
    bdrv_close(bs);
    unlink(path);
    g_free(path);
    g_free(ref);
}

static void test_resize(void)
{
    char *path = tmp_path("resize.qcow2");
    uint8_t buf[4096];
    Error *err = NULL;
    BlockDriverState *bs;

    /* 512-byte clusters: 1 MiB -> 64 MiB needs a larger L1 table. */
    create_qcow2(path, 1 * MiB, 512, 3, NULL, NULL);
    bs = open_rw(path);
    memset(buf, 0x33, sizeof(buf));
    g_assert_cmpint(bdrv_pwrite(bs, 1 * MiB - 4096, buf, 4096), ==, 0);
    g_assert_cmpint(bdrv_truncate(bs, 64 * MiB, &err), ==, 0);
    g_assert_cmpint(bdrv_pwrite(bs, 64 * MiB - 4096, buf, 4096), ==, 0);
    g_assert_cmpint(bdrv_truncate(bs, 1 * MiB, &err), <, 0);
    error_free(err);
    bdrv_close(bs);
    assert_qemu_check(path);
    bs = open_rw(path);
    g_assert_cmpuint(bs->total_size, ==, 64 * MiB);
    g_assert_cmpint(bdrv_pread(bs, 1 * MiB - 4096, buf, 4096), ==, 0);
    g_assert_cmpint(buf[4095], ==, 0x33);
    g_assert_cmpint(bdrv_pread(bs, 32 * MiB, buf, 4096), ==, 0);
    g_assert_cmpint(buf[0], ==, 0);
    bdrv_close(bs);
    unlink(path);
    g_free(path);
}

static void test_locking(void)
{
    char *path = tmp_path("lock.qcow2");
    Error *err = NULL;
    BlockDriverState *a, *b;

    create_qcow2(path, 1 * MiB, 0, 3, NULL, NULL);
    a = open_rw(path);
    b = bdrv_open(path, NULL, BLK_O_RDWR, &err);
    g_assert_null(b);
    g_assert_nonnull(strstr(err->msg, "lock"));
    error_free(err);
    err = NULL;
    /* A reader wants a consistent image: refused too, as QEMU's. */
    b = bdrv_open(path, NULL, 0, &err);
    g_assert_null(b);
    error_free(err);
    err = NULL;
    bdrv_close(a);
    b = open_rw(path);
    bdrv_close(b);
    unlink(path);
    g_free(path);
}

/* ---- hostile images ---- */

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
    put_be32(p, v >> 32);
    put_be32(p + 4, v);
}

static uint8_t *read_file(const char *path, size_t *len)
{
    gchar *data;

    g_assert_true(g_file_get_contents(path, &data, len, NULL));
    return (uint8_t *)data;
}

static void expect_refused(const char *path, const uint8_t *img, size_t len,
                           const char *what)
{
    Error *err = NULL;
    BlockDriverState *bs;

    g_assert_true(g_file_set_contents(path, (const char *)img, len, NULL));
    bs = bdrv_open(path, "qcow2", BLK_O_RDWR, &err);
    if (bs) {
        g_printerr("corrupt image accepted: %s\n", what);
        g_assert_not_reached();
    }
    g_assert_nonnull(err);
    /* One message, naming the file. */
    g_assert_nonnull(strstr(err->msg, path));
    g_assert_null(strchr(err->msg, '\n'));
    error_free(err);
}

static void test_corrupt_headers(void)
{
    char *good = tmp_path("good.qcow2");
    char *bad = tmp_path("bad.qcow2");
    uint8_t *img, *t;
    size_t len;

    create_qcow2(good, 4 * MiB, 0, 3, NULL, NULL);
    img = read_file(good, &len);
    t = g_malloc(len);

#define CASE(what, stmt) do { \
        memcpy(t, img, len); stmt; expect_refused(bad, t, len, what); \
    } while (0)

    expect_refused(bad, img, 50, "truncated header");
    CASE("bad magic", t[0] = 'X');
    CASE("version 4", put_be32(t + 4, 4));
    CASE("cluster_bits 8", put_be32(t + 20, 8));
    CASE("cluster_bits 40", put_be32(t + 20, 40));
    CASE("huge L1 size", put_be32(t + 36, 0x10000000));
    CASE("L1 too small", (put_be32(t + 36, 1), put_be64(t + 24, 1 * TiB)));
    CASE("L1 past EOF", put_be64(t + 40, 1 * TiB));
    CASE("L1 unaligned", put_be64(t + 40, 65536 * 3 + 8));
    CASE("refcount table past EOF", put_be64(t + 48, 1 * TiB));
    CASE("refcount table huge", put_be32(t + 56, 0x100000));
    CASE("refcount table empty", put_be32(t + 56, 0));
    CASE("unknown incompatible bit", t[79] |= 0x80);
    CASE("external data file", t[79] |= 0x04);
    CASE("corrupt bit", t[79] |= 0x02);
    CASE("refcount order 7", put_be32(t + 96, 7));
    CASE("header_length tiny", put_be32(t + 100, 8));
    CASE("encrypted", put_be32(t + 32, 1));
    CASE("snapshots past EOF", (put_be32(t + 60, 1),
                                put_be64(t + 64, 1 * TiB)));
    CASE("too many snapshots", put_be32(t + 60, 0x7fffffff));
    CASE("backing name outside", (put_be64(t + 8, 65530),
                                  put_be32(t + 16, 100)));
    CASE("extension past the cluster", (put_be32(t + 104, 0x12345678),
                                        put_be32(t + 108, 0x7fffffff)));
#undef CASE
    g_free(t);
    g_free(img);
    unlink(good);
    unlink(bad);
    g_free(good);
    g_free(bad);
}

/* Random bytes of the header cluster and of the tables: open, read and
 * write must fail cleanly or work, never crash. */
static void test_fuzz(void)
{
    char *good = tmp_path("fuzz-good.qcow2");
    char *bad = tmp_path("fuzz.qcow2");
    GRand *r = g_rand_new_with_seed(1234);
    uint8_t *img, *t, *buf = g_malloc(64 * KiB);
    size_t len;
    BlockDriverState *bs;
    QEMUSnapshotInfo sn = { 0 };
    Error *err = NULL;

    create_qcow2(good, 1 * MiB, 4096, 3, NULL, NULL);
    bs = open_rw(good);
    memset(buf, 0x5a, 64 * KiB);
    g_assert_cmpint(bdrv_pwrite(bs, 4096, buf, 64 * KiB), ==, 0);
    strcpy(sn.name, "s");
    g_assert_cmpint(bs->drv->snapshot_create(bs, &sn, &err), ==, 0);
    bdrv_close(bs);
    img = read_file(good, &len);
    t = g_malloc(len);

    for (int i = 0; i < 200; i++) {
        int flips = g_rand_int_range(r, 1, 4);

        memcpy(t, img, len);
        for (int f = 0; f < flips; f++) {
            /* Mostly the header, sometimes anywhere in the metadata. */
            size_t pos = g_rand_boolean(r) ? g_rand_int_range(r, 0, 112)
                                           : g_rand_int_range(r, 0,
                                                              MIN(len,
                                                                  8 * 4096));
            t[pos] ^= 1u << g_rand_int_range(r, 0, 8);
        }
        g_assert_true(g_file_set_contents(bad, (char *)t, len, NULL));
        bs = bdrv_open(bad, "qcow2", i % 2 ? BLK_O_RDWR : 0, &err);
        if (!bs) {
            g_assert_nonnull(err);
            error_free(err);
            err = NULL;
            continue;
        }
        for (uint64_t off = 0; off + 64 * KiB <= bs->total_size &&
             off < 1 * MiB; off += 64 * KiB) {
            bdrv_pread(bs, off, buf, 64 * KiB);
        }
        if (!bs->read_only && bs->total_size >= 8192) {
            bdrv_pwrite(bs, 0, buf, 8192);
        }
        bdrv_close(bs);
    }
    g_free(t);
    g_free(img);
    g_free(buf);
    g_rand_free(r);
    unlink(good);
    unlink(bad);
    g_free(good);
    g_free(bad);
}

/* kill -9 in the middle of allocating writes: every write flushed before
 * the kill reads back, and the image has at worst leaks (check exit 0 or
 * 3 from qemu-img, which -r leaks would repair). */
static void test_crash_consistency(void)
{
    char *path = tmp_path("crash.qcow2");
    uint32_t cs = 4096;
    int fds[2];
    pid_t pid;
    uint32_t done = 0, n;
    BlockDriverState *bs;
    uint8_t *buf = g_malloc(cs);

    create_qcow2(path, 8 * MiB, cs, 3, NULL, NULL);
    g_assert_cmpint(pipe(fds), ==, 0);
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        close(fds[0]);
        bs = open_rw(path);
        for (uint32_t i = 0; i < 2048; i++) {
            /* Scattered clusters, so L2 tables are allocated too. */
            uint64_t off = (uint64_t)((i * 1031) % 2048) * cs;

            memset(buf, (i % 250) + 1, cs);
            if (bdrv_pwrite(bs, off, buf, cs) < 0 || bdrv_flush(bs) < 0) {
                _exit(1);
            }
            if (write(fds[1], &i, sizeof(i)) != sizeof(i)) {
                _exit(1);
            }
        }
        _exit(0);
    }
    close(fds[1]);
    while (done < 40 && read(fds[0], &n, sizeof(n)) == sizeof(n)) {
        done = n + 1;
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    /* Writes reported after our last read may have landed too. */
    close(fds[0]);

    bs = open_rw(path);
    for (uint32_t i = 0; i < done; i++) {
        uint64_t off = (uint64_t)((i * 1031) % 2048) * cs;

        g_assert_cmpint(bdrv_pread(bs, off, buf, cs), ==, 0);
        g_assert_cmpint(buf[0], ==, (i % 250) + 1);
        g_assert_cmpint(buf[cs - 1], ==, (i % 250) + 1);
    }
    {
        BdrvCheckResult res;
        g_assert_cmpint(bs->drv->check(bs, &res, 0), ==, 0);
        g_assert_cmpint(res.corruptions, ==, 0);
    }
    bdrv_close(bs);
    unlink(path);
    g_free(path);
    g_free(buf);
}

/* A dirty image (lazy refcounts, or a crash) gets its refcounts rebuilt
 * when opened read-write, and the dirty bit cleared. */
static void test_dirty_repair(void)
{
    char *path = tmp_path("dirty.qcow2");
    uint8_t buf[4096] = { 1 };
    BlockDriverState *bs;
    BdrvCheckResult res;
    FILE *f;
    uint8_t hdr[104], two[2] = { 0, 1 };
    uint64_t rb;

    create_qcow2(path, 1 * MiB, 4096, 3, NULL, NULL);
    bs = open_rw(path);
    g_assert_cmpint(bdrv_pwrite(bs, 0, buf, sizeof(buf)), ==, 0);
    bdrv_close(bs);
    /* A leaked cluster (refcount 1, nothing uses it) and the dirty bit. */
    f = fopen(path, "r+b");
    g_assert_nonnull(f);
    g_assert_cmpint(fread(hdr, 1, sizeof(hdr), f), ==, sizeof(hdr));
    fseek(f, 4096, SEEK_SET);       /* refcount table, entry 0 */
    g_assert_cmpint(fread(buf, 1, 8, f), ==, 8);
    rb = ((uint64_t)buf[4] << 24) | (buf[5] << 16) | (buf[6] << 8) | buf[7];
    fseek(f, rb + 2 * 40, SEEK_SET);
    fwrite(two, 1, 2, f);
    fseek(f, 41 * 4096 - 1, SEEK_SET);     /* the file covers it */
    fwrite(two, 1, 1, f);
    fseek(f, 79, SEEK_SET);
    hdr[79] |= 1;
    fwrite(&hdr[79], 1, 1, f);
    fclose(f);

    bs = bdrv_open(path, NULL, 0, NULL);
    g_assert_nonnull(bs);
    g_assert_cmpint(bs->drv->check(bs, &res, 0), ==, 0);
    g_assert_cmpint(res.leaks, ==, 1);
    bdrv_close(bs);
    bs = open_rw(path);
    g_assert_cmpint(bs->drv->check(bs, &res, 0), ==, 0);
    g_assert_cmpint(res.leaks + res.corruptions, ==, 0);
    bdrv_close(bs);
    assert_qemu_check(path);
    unlink(path);
    g_free(path);
}

/* A refcount at its maximum (16 bits) can't be raised: the snapshot that
 * would need it fails with a message, nothing crashes. */
static void test_refcount_overflow(void)
{
    char *path = tmp_path("ovf.qcow2");
    uint8_t buf[4096] = { 9 }, ff[2] = { 0xff, 0xff }, e[8];
    QEMUSnapshotInfo sn = { 0 };
    BlockDriverState *bs;
    Error *err = NULL;
    uint64_t rb;
    FILE *f;

    create_qcow2(path, 1 * MiB, 4096, 3, NULL, NULL);
    bs = open_rw(path);
    g_assert_cmpint(bdrv_pwrite(bs, 0, buf, sizeof(buf)), ==, 0);
    bdrv_close(bs);
    /* Clusters: 0 header, 1 refcount table, 2 block, 3 L1, 4 L2, 5 data. */
    f = fopen(path, "r+b");
    g_assert_nonnull(f);
    fseek(f, 4096, SEEK_SET);
    g_assert_cmpint(fread(e, 1, 8, f), ==, 8);
    rb = ((uint64_t)e[4] << 24) | (e[5] << 16) | (e[6] << 8) | e[7];
    fseek(f, rb + 2 * 5, SEEK_SET);
    fwrite(ff, 1, 2, f);
    fclose(f);

    bs = open_rw(path);
    strcpy(sn.name, "s");
    g_assert_cmpint(bs->drv->snapshot_create(bs, &sn, &err), <, 0);
    g_assert_nonnull(err);
    error_free(err);
    /* Reads still work. */
    memset(buf, 0, sizeof(buf));
    g_assert_cmpint(bdrv_pread(bs, 0, buf, sizeof(buf)), ==, 0);
    g_assert_cmpint(buf[0], ==, 9);
    bdrv_close(bs);
    unlink(path);
    g_free(path);
}

static void test_raw(void)
{
    char *path = tmp_path("r.raw");
    BlockCreateOpts o = { .size = 1 * MiB + 100 };
    Error *err = NULL;
    uint8_t buf[1024];
    BlockDriverState *bs;

    g_assert_cmpint(bdrv_create("raw", path, &o, &err), ==, 0);
    bs = open_rw(path);
    g_assert_true(bs->drv == &bdrv_raw);
    g_assert_cmpuint(bs->total_size, ==, 1 * MiB + 100);
    memset(buf, 0x77, sizeof(buf));
    g_assert_cmpint(bdrv_pwrite(bs, 1 * MiB - 924, buf, 1024), ==, 0);
    memset(buf, 0, sizeof(buf));
    g_assert_cmpint(bdrv_pread(bs, 1 * MiB - 924, buf, 1024), ==, 0);
    g_assert_cmpint(buf[1023], ==, 0x77);
    g_assert_cmpint(bdrv_pread(bs, 1 * MiB, buf, 1024), ==, -EINVAL);
    g_assert_cmpint(bdrv_flush(bs), ==, 0);
    bdrv_close(bs);
    unlink(path);
    g_free(path);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("pcemu-block-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    g_test_add_func("/block/raw", test_raw);
    g_test_add_func("/block/qcow2/rw", test_rw_cluster_sizes);
    g_test_add_func("/block/qcow2/out-of-range", test_out_of_range);
    g_test_add_func("/block/qcow2/backing", test_backing);
    g_test_add_func("/block/qcow2/backing-loop", test_backing_loop);
    g_test_add_func("/block/qcow2/snapshots", test_snapshots);
    g_test_add_func("/block/qcow2/compressed-discard",
                    test_compressed_and_discard);
    g_test_add_func("/block/qcow2/resize", test_resize);
    g_test_add_func("/block/locking", test_locking);
    g_test_add_func("/block/qcow2/corrupt-headers", test_corrupt_headers);
    g_test_add_func("/block/qcow2/fuzz", test_fuzz);
    g_test_add_func("/block/qcow2/crash-consistency",
                    test_crash_consistency);
    g_test_add_func("/block/qcow2/dirty-repair", test_dirty_repair);
    g_test_add_func("/block/qcow2/refcount-overflow",
                    test_refcount_overflow);
    ret = g_test_run();
    rmdir(tmpdir);
    return ret;
}
