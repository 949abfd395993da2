/*
 * Unit tests of the device model's creation and properties
 * (hw/core/device.c): defaults, parsing of every property type including
 * bad values, reading properties back as text, input IRQ lines.
 *
 * The test brings its own type list (device_types), so it links none of
 * the real devices; unit-stubs.c provides one chardev, "unit-chr0".
 */
#include "hw/core/device.h"
#include "chardev/char.h"

typedef struct FakeState {
    Device dev;
    bool b;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    uint64_t size;
    char *str;
    char *str_default;
    Chardev *chr;
    int32_t addr;
    int irq_seen_n, irq_seen_level;
    Device *irq_seen_dev;
} FakeState;

static const Property fake_props[] = {
    DEFINE_PROP_BOOL("b", FakeState, b, true, "a flag"),
    DEFINE_PROP_U8("u8", FakeState, u8, 7, "a byte"),
    DEFINE_PROP_U16("u16", FakeState, u16, 0x1234, "a word"),
    DEFINE_PROP_U32("u32", FakeState, u32, 0xdeadbeef, "a long"),
    DEFINE_PROP_U64("u64", FakeState, u64, 1ULL << 40, "a quad"),
    DEFINE_PROP_SIZE("size", FakeState, size, 64 * MiB, "a size"),
    DEFINE_PROP_STRING("str", FakeState, str, "a string"),
    { .name = "strdef", .type = PROP_STRING,
      .offset = offsetof(FakeState, str_default), .defstr = "hello",
      .desc = "a string with a default" },
    DEFINE_PROP_CHARDEV("chardev", FakeState, chr, "a back end"),
    DEFINE_PROP_PCI_DEVFN("addr", FakeState, addr, "a PCI address"),
    DEFINE_PROP_END
};

static void fake_irq_in(void *opaque, int n, int level)
{
    FakeState *s = opaque;

    s->irq_seen_dev = opaque;
    s->irq_seen_n = n;
    s->irq_seen_level = level;
}

static const DeviceType fake_type = {
    .name = "fake",
    .desc = "a device with one property of each type",
    .bus = BUS_ISA,
    .state_size = sizeof(FakeState),
    .user_creatable = true,
    .props = fake_props,
    .irq_in = fake_irq_in,
    .nr_irq_in = 3,
};

static const DeviceType bare_type = {
    .name = "bare",
    .desc = "no properties at all",
    .bus = BUS_SYSTEM,
    .state_size = sizeof(Device),
};

const DeviceType *const device_types[] = {
    &fake_type,
    &bare_type,
    NULL
};

static FakeState *fake_new(void)
{
    Error *err = NULL;
    Device *dev = device_new("fake", &err);

    g_assert_null(err);
    g_assert_nonnull(dev);
    g_assert_true(dev->type == &fake_type);
    return container_of(dev, FakeState, dev);
}

static void fake_free(FakeState *s)
{
    g_free(s->str);
    g_free(s->str_default);
    g_free(s);
}

static char *get(FakeState *s, const char *name)
{
    const Property *p = device_find_prop(&s->dev, name);

    g_assert_nonnull(p);
    return device_get_prop(&s->dev, p);
}

static void assert_prop(FakeState *s, const char *name, const char *want)
{
    char *v = get(s, name);

    g_assert_cmpstr(v, ==, want);
    g_free(v);
}

static void set_ok(FakeState *s, const char *name, const char *value)
{
    Error *err = NULL;

    if (!device_set_prop(&s->dev, name, value, &err)) {
        g_test_message("%s=%s: %s", name, value, err->msg);
    }
    g_assert_null(err);
}

/* A refused value: an error naming the property and the value, and the
 * property keeps what it had. */
static void set_bad(FakeState *s, const char *name, const char *value)
{
    Error *err = NULL;
    char *before = get(s, name);

    if (device_set_prop(&s->dev, name, value, &err)) {
        char *now = get(s, name);
        g_test_message("%s=%s accepted as %s", name, value, now);
        g_free(now);
    }
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->msg, name));
    g_assert_nonnull(strstr(err->msg, value));
    error_free(err);
    assert_prop(s, name, before);
    g_free(before);
}

static void test_new_defaults(void)
{
    FakeState *s = fake_new();
    Error *err = NULL;
    Device *d;

    g_assert_true(s->b);
    g_assert_cmpuint(s->u8, ==, 7);
    g_assert_cmphex(s->u16, ==, 0x1234);
    g_assert_cmphex(s->u32, ==, 0xdeadbeef);
    g_assert_cmphex(s->u64, ==, 1ULL << 40);
    g_assert_cmphex(s->size, ==, 64 * MiB);
    g_assert_null(s->str);
    g_assert_cmpstr(s->str_default, ==, "hello");
    g_assert_null(s->chr);
    g_assert_cmpint(s->addr, ==, -1);
    g_assert_null(s->dev.id);
    g_assert_false(s->dev.realized);
    /* The rest of the state is zeroed. */
    g_assert_cmpint(s->irq_seen_n, ==, 0);
    g_assert_null(s->irq_seen_dev);

    assert_prop(s, "b", "on");
    assert_prop(s, "u8", "7");
    assert_prop(s, "u16", "4660");
    assert_prop(s, "u32", "3735928559");
    assert_prop(s, "u64", "1099511627776");
    assert_prop(s, "size", "67108864");
    assert_prop(s, "str", "");
    assert_prop(s, "strdef", "hello");
    assert_prop(s, "chardev", "");
    assert_prop(s, "addr", "-1");
    g_assert_null(device_find_prop(&s->dev, "nope"));
    fake_free(s);

    /* A type without properties. */
    d = device_new("bare", &err);
    g_assert_null(err);
    g_assert_nonnull(d);
    g_assert_null(device_find_prop(d, "b"));
    g_assert_false(device_set_prop(d, "b", "on", &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_free(d);

    /* Unknown types. */
    g_assert_null(device_new("no-such-device", &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->msg, "no-such-device"));
    error_free(err);
    g_assert_null(device_new("", NULL));
    g_assert_true(device_type_find("fake") == &fake_type);
    g_assert_null(device_type_find("fak"));
}

static void test_set_numbers(void)
{
    FakeState *s = fake_new();

    set_ok(s, "b", "off");
    g_assert_false(s->b);
    assert_prop(s, "b", "off");
    set_ok(s, "b", "on");
    g_assert_true(s->b);
    set_ok(s, "b", "no");
    g_assert_false(s->b);
    set_ok(s, "b", "yes");
    g_assert_true(s->b);
    set_ok(s, "b", "false");
    g_assert_false(s->b);
    set_ok(s, "b", "true");
    g_assert_true(s->b);
    set_bad(s, "b", "maybe");
    set_bad(s, "b", "");
    set_bad(s, "b", "onn");

    set_ok(s, "u8", "255");
    g_assert_cmpuint(s->u8, ==, 255);
    set_ok(s, "u8", "0x10");
    g_assert_cmpuint(s->u8, ==, 16);
    set_ok(s, "u8", "0");
    g_assert_cmpuint(s->u8, ==, 0);
    /* The neighbours are untouched by a narrow store. */
    g_assert_cmphex(s->u16, ==, 0x1234);
    set_bad(s, "u8", "256");
    set_bad(s, "u8", "-1");
    set_bad(s, "u8", "0x100");
    set_bad(s, "u8", "abc");
    set_bad(s, "u8", "1K");
    set_bad(s, "u8", "");

    set_ok(s, "u16", "65535");
    g_assert_cmpuint(s->u16, ==, 65535);
    set_bad(s, "u16", "65536");
    set_ok(s, "u32", "4294967295");
    g_assert_cmpuint(s->u32, ==, UINT32_MAX);
    set_bad(s, "u32", "4294967296");
    set_bad(s, "u32", "0x100000000");
    set_ok(s, "u64", "18446744073709551615");
    g_assert_cmphex(s->u64, ==, UINT64_MAX);
    assert_prop(s, "u64", "18446744073709551615");
    set_ok(s, "u64", "0x8000000000000000");
    g_assert_cmphex(s->u64, ==, 1ULL << 63);
    set_bad(s, "u64", "18446744073709551616");
    set_bad(s, "u64", "-5");
    set_bad(s, "u64", "12 ");

    set_ok(s, "size", "1.5G");
    g_assert_cmphex(s->size, ==, 3 * GiB / 2);
    assert_prop(s, "size", "1610612736");
    set_ok(s, "size", "4096");
    g_assert_cmphex(s->size, ==, 4096);
    set_ok(s, "size", "2k");
    g_assert_cmphex(s->size, ==, 2048);
    set_bad(s, "size", "big");
    set_bad(s, "size", "16E");
    set_bad(s, "size", "-1M");

    /* Unknown property: the error names it and the type. */
    {
        Error *err = NULL;
        g_assert_false(device_set_prop(&s->dev, "colour", "red", &err));
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(err->msg, "colour"));
        g_assert_nonnull(strstr(err->msg, "fake"));
        error_free(err);
        g_assert_false(device_set_prop(&s->dev, "U8", "1", NULL));
    }
    fake_free(s);
}

static void test_set_strings(void)
{
    FakeState *s = fake_new();

    set_ok(s, "str", "some text, with commas");
    g_assert_cmpstr(s->str, ==, "some text, with commas");
    assert_prop(s, "str", "some text, with commas");
    set_ok(s, "str", "");
    g_assert_cmpstr(s->str, ==, "");
    set_ok(s, "strdef", "bye");
    g_assert_cmpstr(s->str_default, ==, "bye");

    set_ok(s, "chardev", "unit-chr0");
    g_assert_nonnull(s->chr);
    g_assert_cmpstr(chardev_id(s->chr), ==, "unit-chr0");
    assert_prop(s, "chardev", "unit-chr0");
    set_bad(s, "chardev", "no-such-chardev");
    g_assert_nonnull(s->chr);
    fake_free(s);
}

static void test_set_pci_addr(void)
{
    FakeState *s = fake_new();

    set_ok(s, "addr", "03.1");
    g_assert_cmphex(s->addr, ==, 0x19);
    assert_prop(s, "addr", "03.1");
    set_ok(s, "addr", "3");
    g_assert_cmphex(s->addr, ==, 0x18);
    assert_prop(s, "addr", "03.0");
    set_ok(s, "addr", "1f.7");
    g_assert_cmphex(s->addr, ==, 0xff);
    set_ok(s, "addr", "1F");
    g_assert_cmphex(s->addr, ==, 0xf8);
    set_ok(s, "addr", "0");
    g_assert_cmphex(s->addr, ==, 0);
    set_ok(s, "addr", "a.2");
    g_assert_cmphex(s->addr, ==, 0x52);
    assert_prop(s, "addr", "0a.2");

    set_bad(s, "addr", "20");
    set_bad(s, "addr", "20.0");
    set_bad(s, "addr", "3.8");
    set_bad(s, "addr", "3.");
    set_bad(s, "addr", ".1");
    set_bad(s, "addr", "");
    set_bad(s, "addr", "g");
    set_bad(s, "addr", "3.1x");
    set_bad(s, "addr", "3.1.1");
    set_bad(s, "addr", "-1");
    set_bad(s, "addr", "3.-1");
    set_bad(s, "addr", "100000000");
    set_bad(s, "addr", "3.100000000");
    g_assert_cmphex(s->addr, ==, 0x52);
    fake_free(s);
}

static void test_irq_in(void)
{
    FakeState *s = fake_new();
    IrqLine l = device_irq_in(&s->dev, 2);

    irq_raise(l);
    g_assert_true(s->irq_seen_dev == &s->dev);
    g_assert_cmpint(s->irq_seen_n, ==, 2);
    g_assert_cmpint(s->irq_seen_level, ==, 1);
    irq_lower(device_irq_in(&s->dev, 0));
    g_assert_cmpint(s->irq_seen_n, ==, 0);
    g_assert_cmpint(s->irq_seen_level, ==, 0);
    fake_free(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/device/new-defaults", test_new_defaults);
    g_test_add_func("/device/set-numbers", test_set_numbers);
    g_test_add_func("/device/set-strings", test_set_strings);
    g_test_add_func("/device/set-pci-addr", test_set_pci_addr);
    g_test_add_func("/device/irq-in", test_irq_in);
    return g_test_run();
}
