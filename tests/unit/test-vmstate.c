/*
 * Unit tests of state descriptions (hw/core/vmstate.c): the stream format
 * (u32 version, then the fields big-endian in table order), round trips of
 * every field type, nested structs, versioned fields, hostile streams
 * (truncated at every length, bad versions) and post_load errors.
 */
#include "hw/core/vmstate.h"

typedef struct Inner {
    uint8_t a;
    uint32_t b;
    int64_t c;
} Inner;

typedef struct All {
    bool flag;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    int32_t i32;
    int64_t i64;
    uint8_t buf[5];
    uint8_t a8[3];
    uint16_t a16[3];
    uint32_t a32[2];
    uint64_t a64[2];
    int64_t ai64[2];
    Inner one;
    Inner many[3];
    uint32_t since_v2;      /* new in version 2 */
    Inner inner_v2;         /* new in version 2 */
    /* not saved */
    int post_load_calls;
    int post_load_version;
    int pre_save_calls;
    bool fail_post_load;
} All;

static int inner_post_loads;
static bool inner_fail;

static bool inner_post_load(void *opaque, int version, Error **errp)
{
    Inner *in = opaque;

    inner_post_loads++;
    if (inner_fail && in->a == 0x77) {
        error_setg(errp, "inner a=0x77 is inconsistent");
        return false;
    }
    return true;
}

static const VMStateField inner_fields[] = {
    VMSTATE_U8(a, Inner),
    VMSTATE_U32(b, Inner),
    VMSTATE_I64(c, Inner),
    VMSTATE_END
};

static const VMStateDescription vmstate_inner = {
    .name = "inner",
    .version = 1,
    .min_version = 1,
    .fields = inner_fields,
    .post_load = inner_post_load,
};

static void all_pre_save(void *opaque)
{
    All *s = opaque;

    s->pre_save_calls++;
}

static bool all_post_load(void *opaque, int version, Error **errp)
{
    All *s = opaque;

    s->post_load_calls++;
    s->post_load_version = version;
    if (s->fail_post_load || s->u8 == 0xee) {
        error_setg(errp, "u8 0x%x is out of range", s->u8);
        return false;
    }
    return true;
}

static const VMStateField all_fields[] = {
    VMSTATE_BOOL(flag, All),
    VMSTATE_U8(u8, All),
    VMSTATE_U16(u16, All),
    VMSTATE_U32(u32, All),
    VMSTATE_U64(u64, All),
    VMSTATE_I32(i32, All),
    VMSTATE_I64(i64, All),
    VMSTATE_BUFFER(buf, All),
    VMSTATE_U8_ARRAY(a8, All, 3),
    VMSTATE_U16_ARRAY(a16, All, 3),
    VMSTATE_U32_ARRAY(a32, All, 2),
    VMSTATE_U64_ARRAY(a64, All, 2),
    VMSTATE_I64_ARRAY(ai64, All, 2),
    VMSTATE_STRUCT(one, All, vmstate_inner, Inner),
    VMSTATE_STRUCT_ARRAY(many, All, 3, vmstate_inner, Inner),
    { .name = "since_v2", .offset = offsetof(All, since_v2),
      .type = VMS_U32, .count = 1, .version = 2 },
    { .name = "inner_v2", .offset = offsetof(All, inner_v2),
      .type = VMS_STRUCT, .count = 1, .version = 2, .sub = &vmstate_inner,
      .stride = sizeof(Inner) },
    VMSTATE_END
};

/* What we write today, reading back to version 1. */
static const VMStateDescription vmstate_all = {
    .name = "all",
    .version = 2,
    .min_version = 1,
    .fields = all_fields,
    .pre_save = all_pre_save,
    .post_load = all_post_load,
};

/* The same table as an older build wrote it. */
static const VMStateDescription vmstate_all_v1 = {
    .name = "all",
    .version = 1,
    .min_version = 1,
    .fields = all_fields,
};

/* A newer build that no longer reads version 1. */
static const VMStateDescription vmstate_all_min2 = {
    .name = "all",
    .version = 2,
    .min_version = 2,
    .fields = all_fields,
};

static void inner_fill(Inner *in, int k)
{
    in->a = 0x10 + k;
    in->b = 0xa0b0c0d0u + k;
    in->c = -1000000000000LL * (k + 1);
}

static void all_fill(All *s)
{
    memset(s, 0, sizeof(*s));
    s->flag = true;
    s->u8 = 0xfe;
    s->u16 = 0xbeef;
    s->u32 = 0xdeadbeef;
    s->u64 = 0x0123456789abcdefULL;
    s->i32 = -2;
    s->i64 = INT64_MIN + 5;
    memcpy(s->buf, "\x01\x02\x03\x04\x05", 5);
    memcpy(s->a8, "\xaa\xbb\xcc", 3);
    s->a16[0] = 1;
    s->a16[1] = 0x8000;
    s->a16[2] = 0xffff;
    s->a32[0] = 0x80000001u;
    s->a32[1] = 7;
    s->a64[0] = UINT64_MAX;
    s->a64[1] = 1ULL << 63;
    s->ai64[0] = -1;
    s->ai64[1] = INT64_MAX;
    inner_fill(&s->one, 0);
    for (int k = 0; k < 3; k++) {
        inner_fill(&s->many[k], k + 1);
    }
    s->since_v2 = 0x22222222;
    inner_fill(&s->inner_v2, 9);
}

static void inner_check(const Inner *x, const Inner *y)
{
    g_assert_cmphex(x->a, ==, y->a);
    g_assert_cmphex(x->b, ==, y->b);
    g_assert_cmpint(x->c, ==, y->c);
}

/* Every saved field of x equals y's (v2 fields only if with_v2). */
static void all_check(const All *x, const All *y, bool with_v2)
{
    g_assert_cmpint(x->flag, ==, y->flag);
    g_assert_cmphex(x->u8, ==, y->u8);
    g_assert_cmphex(x->u16, ==, y->u16);
    g_assert_cmphex(x->u32, ==, y->u32);
    g_assert_cmphex(x->u64, ==, y->u64);
    g_assert_cmpint(x->i32, ==, y->i32);
    g_assert_cmpint(x->i64, ==, y->i64);
    g_assert_cmpmem(x->buf, 5, y->buf, 5);
    g_assert_cmpmem(x->a8, 3, y->a8, 3);
    g_assert_cmpmem(x->a16, sizeof(x->a16), y->a16, sizeof(y->a16));
    g_assert_cmpmem(x->a32, sizeof(x->a32), y->a32, sizeof(y->a32));
    g_assert_cmpmem(x->a64, sizeof(x->a64), y->a64, sizeof(y->a64));
    g_assert_cmpmem(x->ai64, sizeof(x->ai64), y->ai64, sizeof(y->ai64));
    inner_check(&x->one, &y->one);
    for (int k = 0; k < 3; k++) {
        inner_check(&x->many[k], &y->many[k]);
    }
    if (with_v2) {
        g_assert_cmphex(x->since_v2, ==, y->since_v2);
        inner_check(&x->inner_v2, &y->inner_v2);
    }
}

/* Size of one Inner in the stream: version + a + b + c. */
#define INNER_BYTES (4 + 1 + 4 + 8)
/* Size of All version 1: version, scalars, buffer, arrays, structs. */
#define ALL_V1_BYTES (4 + 1 + 1 + 2 + 4 + 8 + 4 + 8 + 5 + 3 + 6 + 8 + 16 + \
                      16 + 4 * INNER_BYTES)
#define ALL_V2_BYTES (ALL_V1_BYTES + 4 + INNER_BYTES)

static uint64_t be_at(const GByteArray *b, size_t pos, size_t n)
{
    uint64_t v = 0;

    g_assert_cmpuint(pos + n, <=, b->len);
    for (size_t i = 0; i < n; i++) {
        v = v << 8 | b->data[pos + i];
    }
    return v;
}

static void expect_be(const GByteArray *b, size_t *p, size_t n,
                      uint64_t want)
{
    g_assert_cmphex(be_at(b, *p, n), ==, want);
    *p += n;
}

static void test_format(void)
{
    All s;
    GByteArray *b = g_byte_array_new();
    size_t p = 0;

    all_fill(&s);
    vmstate_save(&vmstate_all, &s, b);
    g_assert_cmpint(s.pre_save_calls, ==, 1);
    g_assert_cmpuint(b->len, ==, ALL_V2_BYTES);
    /* The stream, field by field, big-endian. */
    expect_be(b, &p, 4, 2);
    expect_be(b, &p, 1, 1);
    expect_be(b, &p, 1, 0xfe);
    expect_be(b, &p, 2, 0xbeef);
    expect_be(b, &p, 4, 0xdeadbeef);
    expect_be(b, &p, 8, 0x0123456789abcdefULL);
    expect_be(b, &p, 4, 0xfffffffe);
    expect_be(b, &p, 8, 0x8000000000000005ULL);
    g_assert_cmpmem(b->data + p, 5, "\x01\x02\x03\x04\x05", 5);
    p += 5;
    g_assert_cmpmem(b->data + p, 3, "\xaa\xbb\xcc", 3);
    p += 3;
    expect_be(b, &p, 6, 0x00018000ffffULL);
    expect_be(b, &p, 8, 0x8000000100000007ULL);
    p += 16 + 16;
    /* A nested struct: its own version, then its fields. */
    expect_be(b, &p, 4, 1);
    expect_be(b, &p, 1, 0x10);
    expect_be(b, &p, 4, 0xa0b0c0d0);
    p += 8 + 3 * INNER_BYTES;
    g_assert_cmphex(be_at(b, p, 4), ==, 0x22222222);

    /* An older build's stream has no version-2 fields. */
    g_byte_array_set_size(b, 0);
    vmstate_save(&vmstate_all_v1, &s, b);
    g_assert_cmpuint(b->len, ==, ALL_V1_BYTES);
    g_assert_cmphex(be_at(b, 0, 4), ==, 1);
    g_byte_array_free(b, true);
}

static void test_round_trip(void)
{
    All s, t;
    GByteArray *b = g_byte_array_new();
    Error *err = NULL;
    size_t pos = 0;

    all_fill(&s);
    vmstate_save(&vmstate_all, &s, b);
    memset(&t, 0, sizeof(t));
    inner_post_loads = 0;
    g_assert_true(vmstate_load(&vmstate_all, &t, b->data, b->len, &pos,
                               &err));
    g_assert_null(err);
    g_assert_cmpuint(pos, ==, b->len);
    all_check(&t, &s, true);
    g_assert_cmpint(t.post_load_calls, ==, 1);
    g_assert_cmpint(t.post_load_version, ==, 2);
    g_assert_cmpint(inner_post_loads, ==, 5);
    g_assert_cmpint(t.pre_save_calls, ==, 0);

    /* Two states back to back: each load advances pos past its own. */
    t.u32 = 42;
    vmstate_save(&vmstate_all, &t, b);
    memset(&s, 0, sizeof(s));
    g_assert_true(vmstate_load(&vmstate_all, &s, b->data, b->len, &pos,
                               &err));
    g_assert_cmpuint(pos, ==, b->len);
    g_assert_cmphex(s.u32, ==, 42);
    g_assert_cmphex(s.u64, ==, 0x0123456789abcdefULL);

    /* A bool stored as any non-zero byte loads as true. */
    pos = 0;
    b->data[4] = 0x5a;
    g_assert_true(vmstate_load(&vmstate_all, &s, b->data, b->len, &pos,
                               &err));
    g_assert_true(s.flag);
    g_assert_cmpint(*(uint8_t *)&s.flag, ==, 1);
    g_byte_array_free(b, true);
}

static void test_versions(void)
{
    All s, t;
    GByteArray *b = g_byte_array_new();
    Error *err = NULL;
    size_t pos = 0;

    /* A version-1 stream: the version-2 fields keep their values. */
    all_fill(&s);
    vmstate_save(&vmstate_all_v1, &s, b);
    memset(&t, 0, sizeof(t));
    t.since_v2 = 0x5555;
    t.inner_v2.b = 0x6666;
    g_assert_true(vmstate_load(&vmstate_all, &t, b->data, b->len, &pos,
                               &err));
    g_assert_null(err);
    g_assert_cmpuint(pos, ==, ALL_V1_BYTES);
    all_check(&t, &s, false);
    g_assert_cmphex(t.since_v2, ==, 0x5555);
    g_assert_cmphex(t.inner_v2.b, ==, 0x6666);
    g_assert_cmpint(t.post_load_version, ==, 1);

    /* ... but a build with min_version 2 refuses it. */
    pos = 0;
    g_assert_false(vmstate_load(&vmstate_all_min2, &t, b->data, b->len, &pos,
                                &err));
    g_assert_nonnull(err);
    g_test_message("%s", err->msg);
    g_assert_nonnull(strstr(err->msg, "all"));
    g_assert_nonnull(strstr(err->msg, "version"));
    error_free(err);
    err = NULL;

    /* A stream from the future (version 3), or version 0, is refused. */
    g_byte_array_set_size(b, 0);
    vmstate_save(&vmstate_all, &s, b);
    for (uint32_t v = 0; v < 8; v++) {
        if (v == 1 || v == 2) {
            continue;
        }
        b->data[0] = v >> 24;
        b->data[1] = v >> 16;
        b->data[2] = v >> 8;
        b->data[3] = v;
        pos = 0;
        memset(&t, 0, sizeof(t));
        g_assert_false(vmstate_load(&vmstate_all, &t, b->data, b->len, &pos,
                                    &err));
        g_assert_nonnull(err);
        error_free(err);
        err = NULL;
        g_assert_cmpint(t.post_load_calls, ==, 0);
    }
    /* Huge versions must not wrap into the accepted range. */
    memset(b->data, 0xff, 4);
    pos = 0;
    g_assert_false(vmstate_load(&vmstate_all, &t, b->data, b->len, &pos,
                                NULL));
    b->data[0] = 0x80;
    b->data[1] = b->data[2] = 0;
    b->data[3] = 2;
    pos = 0;
    g_assert_false(vmstate_load(&vmstate_all, &t, b->data, b->len, &pos,
                                NULL));
    /* A nested struct with a bad version is refused too, and the error
     * says where. */
    b->data[0] = b->data[1] = b->data[2] = 0;
    b->data[3] = 2;
    b->data[ALL_V1_BYTES - 4 * INNER_BYTES + 3] = 9;
    pos = 0;
    g_assert_false(vmstate_load(&vmstate_all, &t, b->data, b->len, &pos,
                                &err));
    g_test_message("%s", err->msg);
    g_assert_nonnull(strstr(err->msg, "one"));
    error_free(err);
    g_byte_array_free(b, true);
}

static void test_truncated(void)
{
    All s, t;
    GByteArray *b = g_byte_array_new();

    all_fill(&s);
    vmstate_save(&vmstate_all, &s, b);
    /* Every proper prefix is an error, never a crash or an over-read (the
     * prefix is copied into a buffer of exactly that length, so tools like
     * valgrind or ASan see any read past it). */
    for (size_t len = 0; len < b->len; len++) {
        uint8_t *copy = g_malloc(len ? len : 1);
        Error *err = NULL;
        size_t pos = 0;

        memcpy(copy, b->data, len);
        memset(&t, 0, sizeof(t));
        g_assert_false(vmstate_load(&vmstate_all, &t, copy, len, &pos,
                                    &err));
        g_assert_nonnull(err);
        g_assert_nonnull(err->msg);
        g_assert_cmpuint(pos, <=, len);
        g_assert_cmpint(t.post_load_calls, ==, 0);
        error_free(err);
        g_free(copy);
    }
    /* Truncating a version-1 stream works the same. */
    g_byte_array_set_size(b, 0);
    vmstate_save(&vmstate_all_v1, &s, b);
    for (size_t len = 0; len < b->len; len++) {
        size_t pos = 0;
        g_assert_false(vmstate_load(&vmstate_all, &t, b->data, len, &pos,
                                    NULL));
    }
    /* pos already past the end (of an exactly sized buffer). */
    {
        size_t len = 8, pos = len + 1;
        uint8_t *copy = g_malloc(len);
        Error *err = NULL;

        memcpy(copy, b->data, len);
        g_assert_false(vmstate_load(&vmstate_all, &t, copy, len, &pos, &err));
        g_assert_nonnull(err);
        error_free(err);
        g_free(copy);
    }
    g_byte_array_free(b, true);
}

static void test_post_load_error(void)
{
    All s, t;
    GByteArray *b = g_byte_array_new();
    Error *err = NULL;
    size_t pos = 0;

    all_fill(&s);
    s.u8 = 0xee;                /* all_post_load rejects it */
    vmstate_save(&vmstate_all, &s, b);
    memset(&t, 0, sizeof(t));
    g_assert_false(vmstate_load(&vmstate_all, &t, b->data, b->len, &pos,
                                &err));
    g_assert_nonnull(err);
    g_test_message("%s", err->msg);
    g_assert_nonnull(strstr(err->msg, "u8 0xee is out of range"));
    g_assert_nonnull(strstr(err->msg, "all"));
    g_assert_cmpint(t.post_load_calls, ==, 1);
    error_free(err);
    err = NULL;

    /* Without an errp: still false, no crash. */
    pos = 0;
    g_assert_false(vmstate_load(&vmstate_all, &t, b->data, b->len, &pos,
                                NULL));

    /* A nested struct's post_load failure fails the whole load. */
    all_fill(&s);
    s.many[1].a = 0x77;
    g_byte_array_set_size(b, 0);
    vmstate_save(&vmstate_all, &s, b);
    inner_fail = true;
    pos = 0;
    memset(&t, 0, sizeof(t));
    g_assert_false(vmstate_load(&vmstate_all, &t, b->data, b->len, &pos,
                                &err));
    inner_fail = false;
    g_assert_nonnull(err);
    g_test_message("%s", err->msg);
    g_assert_nonnull(strstr(err->msg, "inner a=0x77 is inconsistent"));
    g_assert_nonnull(strstr(err->msg, "many"));
    g_assert_cmpint(t.post_load_calls, ==, 0);
    error_free(err);
    g_byte_array_free(b, true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmstate/format", test_format);
    g_test_add_func("/vmstate/round-trip", test_round_trip);
    g_test_add_func("/vmstate/versions", test_versions);
    g_test_add_func("/vmstate/truncated", test_truncated);
    g_test_add_func("/vmstate/post-load-error", test_post_load_error);
    return g_test_run();
}
