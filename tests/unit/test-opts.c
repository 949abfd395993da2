/*
 * Unit tests of option strings and number parsing (util/opts.c): implied
 * keys, ",," escapes, bare and "no" flags, unused-key errors, typed
 * getters, parse_size and parse_uint64 at their edges.
 */
#include "pcemu/opts.h"

static Opts *parse_ok(const char *str, const char *implied)
{
    Error *err = NULL;
    Opts *o = opts_parse(str, implied, &err);

    g_assert_null(err);
    g_assert_nonnull(o);
    return o;
}

static void test_parse_basic(void)
{
    Opts *o = parse_ok("e1000,mac=52:54:00:12:34:56,id=net0", "driver");
    Error *err = NULL;

    g_assert_cmpstr(opts_get(o, "driver"), ==, "e1000");
    g_assert_cmpstr(opts_get(o, "mac"), ==, "52:54:00:12:34:56");
    g_assert_cmpstr(opts_get(o, "id"), ==, "net0");
    g_assert_null(opts_get(o, "netdev"));
    g_assert_false(opts_has(o, "netdev"));
    g_assert_true(opts_has(o, "id"));
    g_assert_true(opts_check_unused(o, &err));
    g_assert_null(err);
    opts_free(o);

    /* The implied key is only for a first bare value. */
    o = parse_ok("driver=isa-serial,id=s0", "driver");
    g_assert_cmpstr(opts_get(o, "driver"), ==, "isa-serial");
    opts_free(o);

    /* Without an implied key, a first bare word is a flag. */
    o = parse_ok("foo,bar=1", NULL);
    g_assert_cmpstr(opts_get(o, "foo"), ==, "on");
    opts_free(o);

    /* '=' inside a value is part of it; empty values are values. */
    o = parse_ok("append=console=ttyS0 root=/dev/sda,initrd=", NULL);
    g_assert_cmpstr(opts_get(o, "append"), ==, "console=ttyS0 root=/dev/sda");
    g_assert_cmpstr(opts_get(o, "initrd"), ==, "");
    opts_free(o);

    /* The last of repeated keys wins. */
    o = parse_ok("a=1,a=2", NULL);
    g_assert_cmpstr(opts_get(o, "a"), ==, "2");
    g_assert_true(opts_check_unused(o, NULL));
    opts_free(o);

    /* Empty strings and trailing commas. */
    o = parse_ok("", "driver");
    g_assert_null(opts_get(o, "driver"));
    g_assert_true(opts_check_unused(o, NULL));
    opts_free(o);
    o = parse_ok(NULL, NULL);
    opts_free(o);
    o = parse_ok("a=1,", NULL);
    g_assert_cmpstr(opts_get(o, "a"), ==, "1");
    g_assert_true(opts_check_unused(o, NULL));
    opts_free(o);

    /* A key must not be empty. */
    g_assert_null(opts_parse("=x", NULL, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_assert_null(opts_parse("a=1,=x", "driver", &err));
    g_assert_nonnull(err);
    error_free(err);
}

static void test_parse_escapes(void)
{
    Opts *o = parse_ok("file,path=/tmp/a,,b,,,,c,id=x", "backend");

    g_assert_cmpstr(opts_get(o, "backend"), ==, "file");
    g_assert_cmpstr(opts_get(o, "path"), ==, "/tmp/a,b,,c");
    g_assert_cmpstr(opts_get(o, "id"), ==, "x");
    opts_free(o);

    /* In the implied value and in keys too. */
    o = parse_ok("we,,ird,k,,ey=v", "driver");
    g_assert_cmpstr(opts_get(o, "driver"), ==, "we,ird");
    g_assert_cmpstr(opts_get(o, "k,ey"), ==, "v");
    opts_free(o);

    /* A value ending in an escaped comma. */
    o = parse_ok("a=x,,,b=y", NULL);
    g_assert_cmpstr(opts_get(o, "a"), ==, "x,");
    g_assert_cmpstr(opts_get(o, "b"), ==, "y");
    opts_free(o);
}

static void test_parse_flags(void)
{
    Opts *o = parse_ok("socket,id=c0,path=/tmp/s,server,nowait", "backend");
    Error *err = NULL;

    g_assert_cmpstr(opts_get(o, "backend"), ==, "socket");
    g_assert_cmpstr(opts_get(o, "server"), ==, "on");
    g_assert_cmpstr(opts_get(o, "wait"), ==, "off");
    g_assert_true(opts_get_bool(o, "server", false, &err));
    g_assert_false(opts_get_bool(o, "wait", true, &err));
    g_assert_null(err);
    g_assert_false(opts_has(o, "nowait"));
    opts_free(o);

    /* "no" alone is a flag called "no". */
    o = parse_ok("x=1,no", NULL);
    g_assert_cmpstr(opts_get(o, "no"), ==, "on");
    opts_free(o);

    /* Explicit values are never rewritten. */
    o = parse_ok("nodelay=on", NULL);
    g_assert_cmpstr(opts_get(o, "nodelay"), ==, "on");
    opts_free(o);
}

static void visit_append(const char *key, const char *value, void *opaque)
{
    g_string_append_printf(opaque, "%s=%s;", key, value);
}

static void test_unused(void)
{
    Opts *o = parse_ok("e1000,id=n0,mac=x,bogus=1,flag", "driver");
    GString *s = g_string_new(NULL);
    Error *err = NULL;

    g_assert_cmpstr(opts_get(o, "driver"), ==, "e1000");
    g_assert_cmpstr(opts_get(o, "id"), ==, "n0");
    g_assert_true(opts_has(o, "mac"));
    g_assert_false(opts_check_unused(o, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(err->msg, ==, "Invalid parameter 'bogus'");
    error_free(err);
    err = NULL;
    opts_get(o, "bogus");
    g_assert_false(opts_check_unused(o, &err));
    g_assert_cmpstr(err->msg, ==, "Invalid parameter 'flag'");
    error_free(err);
    err = NULL;
    g_assert_true(opts_get_bool(o, "flag", false, NULL));
    g_assert_true(opts_check_unused(o, &err));
    g_assert_null(err);
    opts_free(o);

    /* opts_foreach visits in order and marks everything used. */
    o = parse_ok("b=2,a=1,c", NULL);
    opts_foreach(o, visit_append, s);
    g_assert_cmpstr(s->str, ==, "b=2;a=1;c=on;");
    g_string_free(s, true);
    g_assert_true(opts_check_unused(o, NULL));
    opts_free(o);
}

static void test_getters(void)
{
    Opts *o = parse_ok("n=0x10,d=42,o=010,bad=4x,s=64M,s2=1.5G,b=yes,"
                       "bb=maybe,big=18446744073709551616", NULL);
    Error *err = NULL;

    g_assert_cmpuint(opts_get_number(o, "n", 7, &err), ==, 16);
    g_assert_cmpuint(opts_get_number(o, "d", 7, &err), ==, 42);
    g_assert_cmpuint(opts_get_number(o, "o", 7, &err), ==, 8);
    g_assert_cmpuint(opts_get_number(o, "absent", 7, &err), ==, 7);
    g_assert_cmpuint(opts_get_size(o, "s", 0, &err), ==, 64 * MiB);
    g_assert_cmpuint(opts_get_size(o, "s2", 0, &err), ==, 3 * GiB / 2);
    g_assert_cmpuint(opts_get_size(o, "d", 0, &err), ==, 42);
    g_assert_cmpuint(opts_get_size(o, "absent", 5, &err), ==, 5);
    g_assert_true(opts_get_bool(o, "b", false, &err));
    g_assert_true(opts_get_bool(o, "absent", true, &err));
    g_assert_null(err);

    g_assert_cmpuint(opts_get_number(o, "bad", 7, &err), ==, 7);
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->msg, "bad"));
    g_assert_nonnull(strstr(err->msg, "4x"));
    error_free(err);
    err = NULL;
    g_assert_cmpuint(opts_get_number(o, "big", 7, &err), ==, 7);
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_assert_cmpuint(opts_get_size(o, "bad", 9, &err), ==, 9);
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_assert_false(opts_get_bool(o, "bb", false, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->msg, "maybe"));
    error_free(err);
    opts_free(o);
}

static void size_ok(const char *s, char def, uint64_t want)
{
    uint64_t v = 0xdeadbeef;

    if (!parse_size(s, def, &v)) {
        g_test_message("parse_size(\"%s\", '%c') refused", s, def);
    }
    g_assert_true(parse_size(s, def, &v));
    if (v != want) {
        g_test_message("parse_size(\"%s\", '%c')", s, def);
    }
    g_assert_cmphex(v, ==, want);
}

static void size_bad(const char *s, char def)
{
    uint64_t v = 0xdeadbeef;

    if (parse_size(s, def, &v)) {
        g_test_message("parse_size(\"%s\", '%c') accepted: 0x%" PRIx64,
                       s, def, v);
    }
    g_assert_false(parse_size(s, def, &v));
}

static void test_parse_size(void)
{
    size_ok("0", 'B', 0);
    size_ok("1", 'B', 1);
    size_ok("1", 'M', MiB);
    size_ok("512", 'M', 512 * MiB);
    size_ok("1B", 'M', 1);
    size_ok("1k", 'B', KiB);
    size_ok("1K", 'B', KiB);
    size_ok("3M", 'B', 3 * MiB);
    size_ok("3m", 'B', 3 * MiB);
    size_ok("2G", 'M', 2 * GiB);
    size_ok("1T", 'B', TiB);
    size_ok("1P", 'B', 1024 * TiB);
    size_ok("1E", 'B', 1ULL << 60);
    size_ok("15E", 'B', 15ULL << 60);
    size_ok("1.5G", 'B', 3 * GiB / 2);
    size_ok("0.5K", 'B', 512);
    size_ok("1.5", 'M', 3 * MiB / 2);
    size_ok("0.25M", 'B', 256 * KiB);
    size_ok("99999999G", 'B', 99999999ULL << 30);
    size_ok("17179869183G", 'B', 17179869183ULL << 30);
    size_ok("18446744073709551615", 'B', UINT64_MAX);
    size_ok("15.5E", 'B', 31ULL << 59);

    size_bad("", 'B');
    size_bad("K", 'B');
    size_bad("-1", 'B');
    size_bad("-1K", 'B');
    size_bad(" 1", 'B');
    size_bad("1 ", 'B');
    size_bad("1x", 'B');
    size_bad("0x10", 'B');
    size_bad("1KB", 'B');
    size_bad("1.", 'M');
    size_bad("1.K", 'B');
    size_bad(".5K", 'B');
    size_bad("1.5", 'B');          /* a fraction of a byte */
    size_bad("1.5B", 'M');
    size_bad("1e3", 'B');
    size_bad("16E", 'B');
    size_bad("17179869184G", 'B');
    size_bad("18446744073709551616", 'B');
    size_bad("99999999999E", 'B');
    size_bad("15.99999999999999999999E", 'B');
    size_bad("16.0E", 'B');
    size_bad("1.5.5G", 'B');
    size_bad("1G1", 'B');
}

static void u64_ok(const char *s, uint64_t want)
{
    uint64_t v = 0xdeadbeef;

    g_assert_true(parse_uint64(s, &v));
    g_assert_cmphex(v, ==, want);
}

static void u64_bad(const char *s)
{
    uint64_t v = 0xdeadbeef;

    if (parse_uint64(s, &v)) {
        g_test_message("parse_uint64(\"%s\") accepted: 0x%" PRIx64, s, v);
    }
    g_assert_false(parse_uint64(s, &v));
    g_assert_cmphex(v, ==, 0xdeadbeef);
}

static void test_parse_uint64(void)
{
    bool b;

    u64_ok("0", 0);
    u64_ok("42", 42);
    u64_ok("0x10", 16);
    u64_ok("0X1f", 31);
    u64_ok("010", 8);
    u64_ok("00", 0);
    u64_ok("18446744073709551615", UINT64_MAX);
    u64_ok("0xffffffffffffffff", UINT64_MAX);
    u64_ok("01777777777777777777777", UINT64_MAX);

    u64_bad("");
    u64_bad("-1");
    u64_bad("-0");
    u64_bad(" 1");
    u64_bad("1 ");
    u64_bad("1a");
    u64_bad("0x");
    u64_bad("0xg");
    u64_bad("08");
    u64_bad("1.0");
    u64_bad("1K");
    u64_bad("18446744073709551616");
    u64_bad("0x10000000000000000");
    u64_bad("99999999999999999999999");

    g_assert_true(parse_bool("on", &b) && b);
    g_assert_true(parse_bool("yes", &b) && b);
    g_assert_true(parse_bool("true", &b) && b);
    g_assert_true(parse_bool("off", &b) && !b);
    g_assert_true(parse_bool("no", &b) && !b);
    g_assert_true(parse_bool("false", &b) && !b);
    g_assert_false(parse_bool("", &b));
    g_assert_false(parse_bool("onn", &b));
    g_assert_false(parse_bool("2", &b));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/opts/parse-basic", test_parse_basic);
    g_test_add_func("/opts/parse-escapes", test_parse_escapes);
    g_test_add_func("/opts/parse-flags", test_parse_flags);
    g_test_add_func("/opts/unused", test_unused);
    g_test_add_func("/opts/getters", test_getters);
    g_test_add_func("/opts/parse-size", test_parse_size);
    g_test_add_func("/opts/parse-uint64", test_parse_uint64);
    return g_test_run();
}
