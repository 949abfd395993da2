/*
 * The i8042 with its PS/2 keyboard and mouse, without a machine: a bare
 * Machine with an I/O space and GSI lines that record their levels, the
 * controller realized on it, ports driven through address_space_io, keys
 * and mouse motion injected through the host-side API (ps2.h), which the
 * qtest protocol cannot reach. Checks controller commands, IRQ 1/12
 * delivery, scan code sets 1-3 and the 8042 translation, the keyboard
 * buffer overrun, mouse packets, IntelliMouse IDs, the reset and A20
 * lines, the state description, and survives a random register fuzz.
 */
#include "hw/input/i8042.h"
#include "hw/input/ps2.h"
#include "hw/machine.h"
#include "softmmu/memory.h"
#include "softmmu/runstate.h"
#include <linux/input-event-codes.h>

extern const DeviceType i8042_type;
const DeviceType *const device_types[] = {
    &i8042_type, &ps2_kbd_type, &ps2_mouse_type, NULL
};

#define DATA    0x60
#define CMD     0x64

#define STR_OBF     0x01
#define STR_SYS     0x04
#define STR_CMD     0x08
#define STR_AUXDATA 0x20

typedef struct Fixture {
    Machine m;
    MemoryRegion io;
    Device *dev;
    int level[MACHINE_NR_GSI];
    int raises[MACHINE_NR_GSI];     /* 0 -> 1 transitions */
    int a20;
    int resets;
    ShutdownCause reset_cause;
} Fixture;

static Fixture *fx;

/* The machine and run-state hooks the controller calls. */
IrqLine machine_gsi(Machine *m, unsigned n)
{
    assert(n < MACHINE_NR_GSI);
    return m->gsi[n];
}

void system_reset_request(ShutdownCause cause)
{
    fx->resets++;
    fx->reset_cause = cause;
}

static void gsi_set(void *opaque, int n, int level)
{
    Fixture *f = opaque;

    if (level && !f->level[n]) {
        f->raises[n]++;
    }
    f->level[n] = level;
}

static void a20_set(void *opaque, int n, int level)
{
    fx->a20 = level;
}

static void outb(uint16_t port, uint8_t v)
{
    address_space_st(&address_space_io, port, v, 1);
}

static uint8_t inb(uint16_t port)
{
    return address_space_ld(&address_space_io, port, 1);
}

/*
 * Each test gets a fresh controller in its own I/O container, mapped
 * into the one root address_space_io was built on (address spaces are
 * set up once per process). The previous container is unmapped and
 * leaked with its device: nothing else refers to them.
 */
static void setup(void)
{
    static MemoryRegion root;
    Error *err = NULL;

    if (!root.name) {
        memory_region_init_container(&root, "io-root", 0x10000);
        address_space_init(&address_space_io, &root, "I/O");
    }
    if (fx) {
        memory_region_del_subregion(&root, &fx->io);
    }
    fx = g_new0(Fixture, 1);
    memory_region_init_container(&fx->io, "io", 0x10000);
    memory_region_add_subregion(&root, 0, &fx->io, 0);
    fx->m.system_io = &fx->io;
    for (int i = 0; i < MACHINE_NR_GSI; i++) {
        fx->m.gsi[i] = irq_line(gsi_set, fx, i);
    }
    fx->dev = device_new("i8042", &err);
    g_assert_nonnull(fx->dev);
    g_assert_true(fx->dev->type->realize(fx->dev, &fx->m, &err));
    g_assert_null(err);
    fx->dev->type->reset(fx->dev);
    i8042_connect_a20(fx->dev, irq_line(a20_set, fx, 0));
}

static Device *kbd(void)
{
    return i8042_keyboard(fx->dev);
}

static Device *mouse(void)
{
    return i8042_mouse(fx->dev);
}

/* Reads one byte that must be there, and from which port. */
static uint8_t read_byte(bool from_aux)
{
    uint8_t st = inb(CMD);

    g_assert_cmphex(st & STR_OBF, ==, STR_OBF);
    g_assert_cmphex(st & STR_AUXDATA, ==, from_aux ? STR_AUXDATA : 0);
    return inb(DATA);
}

static void expect_bytes(bool from_aux, const uint8_t *bytes, size_t n,
                         bool then_empty)
{
    for (size_t i = 0; i < n; i++) {
        g_assert_cmphex(read_byte(from_aux), ==, bytes[i]);
    }
    if (then_empty) {
        g_assert_cmphex(inb(CMD) & STR_OBF, ==, 0);
    }
}

/* These bytes, then nothing. */
#define EXPECT_KBD(...) do { \
        static const uint8_t b_[] = { __VA_ARGS__ }; \
        expect_bytes(false, b_, sizeof(b_), true); \
    } while (0)
#define EXPECT_AUX(...) do { \
        static const uint8_t b_[] = { __VA_ARGS__ }; \
        expect_bytes(true, b_, sizeof(b_), true); \
    } while (0)
/* These bytes, maybe more to come. */
#define EXPECT_KBD_FIRST(...) do { \
        static const uint8_t b_[] = { __VA_ARGS__ }; \
        expect_bytes(false, b_, sizeof(b_), false); \
    } while (0)

static void expect_empty(void)
{
    g_assert_cmphex(inb(CMD) & STR_OBF, ==, 0);
}

static void write_ctr(uint8_t v)
{
    outb(CMD, 0x60);
    outb(DATA, v);
}

static uint8_t read_ctr(void)
{
    outb(CMD, 0x20);
    return read_byte(false);
}

static void aux_write(uint8_t v)
{
    outb(CMD, 0xd4);
    outb(DATA, v);
}

static void key(unsigned code, bool down)
{
    ps2_keyboard_put_keycode(kbd(), code, down);
}

static void tap(unsigned code)
{
    key(code, true);
    key(code, false);
}

static void test_self_test(void)
{
    setup();
    g_assert_cmphex(inb(CMD) & (STR_OBF | STR_SYS), ==, 0);
    outb(CMD, 0xaa);
    g_assert_cmphex(inb(CMD) & STR_CMD, ==, STR_CMD);
    g_assert_cmpint(fx->level[1], ==, 1);
    g_assert_cmphex(read_byte(false), ==, 0x55);
    g_assert_cmpint(fx->level[1], ==, 0);
    g_assert_cmphex(inb(CMD) & STR_SYS, ==, STR_SYS);
    outb(CMD, 0xab);
    g_assert_cmphex(read_byte(false), ==, 0x00);
    outb(CMD, 0xa9);
    g_assert_cmphex(read_byte(false), ==, 0x00);
    outb(CMD, 0xa4);
    g_assert_cmphex(read_byte(false), ==, 0xf1);
    /* The data register keeps its last byte. */
    g_assert_cmphex(inb(DATA), ==, 0xf1);
}

static void test_command_byte(void)
{
    setup();
    g_assert_cmphex(read_ctr(), ==, 0x43);
    write_ctr(0x65);
    g_assert_cmphex(inb(CMD) & (STR_SYS | STR_CMD), ==, STR_SYS);
    g_assert_cmphex(read_ctr(), ==, 0x65);
    write_ctr(0x61);
    g_assert_cmphex(inb(CMD) & STR_SYS, ==, 0);
    /* AD/AE and A7/A8 flip bits 4 and 5. */
    outb(CMD, 0xad);
    outb(CMD, 0xa7);
    g_assert_cmphex(read_ctr(), ==, 0x71);
    outb(CMD, 0xae);
    outb(CMD, 0xa8);
    g_assert_cmphex(read_ctr(), ==, 0x41);
    /* The rest of the RAM is there too. */
    outb(CMD, 0x65);
    outb(DATA, 0x5a);
    outb(CMD, 0x25);
    g_assert_cmphex(read_byte(false), ==, 0x5a);
    /* With interrupts off, a byte raises no IRQ. */
    write_ctr(0x40);
    outb(CMD, 0xaa);
    g_assert_cmpint(fx->level[1], ==, 0);
    g_assert_cmphex(read_byte(false), ==, 0x55);
}

static void test_kbd_reset_irq(void)
{
    setup();
    write_ctr(0x01);                     /* IRQ 1, no translation */
    outb(DATA, 0xff);
    g_assert_cmpint(fx->level[1], ==, 1);
    g_assert_cmpint(fx->raises[1], ==, 1);
    g_assert_cmphex(read_byte(false), ==, 0xfa);
    /* The next byte is a new edge. */
    g_assert_cmpint(fx->level[1], ==, 1);
    g_assert_cmpint(fx->raises[1], ==, 2);
    g_assert_cmphex(read_byte(false), ==, 0xaa);
    g_assert_cmpint(fx->level[1], ==, 0);
    g_assert_cmpint(fx->level[12], ==, 0);
    expect_empty();
}

static void test_kbd_commands(void)
{
    setup();
    write_ctr(0x00);
    outb(DATA, 0xed);
    outb(DATA, 0x07);
    EXPECT_KBD(0xfa, 0xfa);
    g_assert_cmphex(ps2_keyboard_leds(kbd()), ==, 7);
    outb(DATA, 0xee);
    EXPECT_KBD(0xee);
    outb(DATA, 0xf2);
    EXPECT_KBD(0xfa, 0xab, 0x83);
    outb(DATA, 0xf0);
    outb(DATA, 0x00);
    EXPECT_KBD(0xfa, 0xfa, 0x02);
    outb(DATA, 0xf3);
    outb(DATA, 0x20);
    EXPECT_KBD(0xfa, 0xfa);
    /* A command in place of a parameter cancels the pending one. */
    outb(DATA, 0xed);
    outb(DATA, 0xf4);
    EXPECT_KBD(0xfa, 0xfa);
    g_assert_cmphex(ps2_keyboard_leds(kbd()), ==, 7);
    /* Resend repeats the last byte sent; junk gets Resend. */
    outb(DATA, 0xfe);
    EXPECT_KBD(0xfa);
    outb(DATA, 0x12);
    EXPECT_KBD(0xfe);
    /* Reset clears the LEDs. */
    outb(DATA, 0xff);
    EXPECT_KBD(0xfa, 0xaa);
    g_assert_cmphex(ps2_keyboard_leds(kbd()), ==, 0);
    /* Translated: the ID is AB 41, the set is 41h. */
    write_ctr(0x40);
    outb(DATA, 0xf2);
    EXPECT_KBD(0xfa, 0xab, 0x41);
    outb(DATA, 0xf0);
    outb(DATA, 0x00);
    EXPECT_KBD(0xfa, 0xfa, 0x41);
}

static void test_translation(void)
{
    setup();
    /* Set 2 as the keyboard sends it. */
    write_ctr(0x00);
    tap(KEY_A);
    EXPECT_KBD(0x1c, 0xf0, 0x1c);
    tap(KEY_DELETE);
    EXPECT_KBD(0xe0, 0x71, 0xe0, 0xf0, 0x71);
    tap(KEY_F7);
    EXPECT_KBD(0x83, 0xf0, 0x83);
    /* Through the 8042's translation: set 1. */
    write_ctr(0x40);
    tap(KEY_A);
    EXPECT_KBD(0x1e, 0x9e);
    tap(KEY_DELETE);
    EXPECT_KBD(0xe0, 0x53, 0xe0, 0xd3);
    tap(KEY_F7);
    EXPECT_KBD(0x41, 0xc1);
    tap(KEY_ESC);
    EXPECT_KBD(0x01, 0x81);
    tap(KEY_KPENTER);
    EXPECT_KBD(0xe0, 0x1c, 0xe0, 0x9c);
}

static void test_special_keys(void)
{
    setup();
    write_ctr(0x00);
    tap(KEY_PAUSE);
    EXPECT_KBD(0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77);
    tap(KEY_SYSRQ);
    EXPECT_KBD(0xe0, 0x12, 0xe0, 0x7c, 0xe0, 0xf0, 0x7c, 0xe0, 0xf0, 0x12);
    key(KEY_LEFTCTRL, true);
    tap(KEY_PAUSE);
    key(KEY_LEFTCTRL, false);
    EXPECT_KBD(0x14, 0xe0, 0x7e, 0xe0, 0xf0, 0x7e, 0xf0, 0x14);
    key(KEY_RIGHTALT, true);
    tap(KEY_SYSRQ);
    key(KEY_RIGHTALT, false);
    EXPECT_KBD(0xe0, 0x11, 0x84, 0xf0, 0x84, 0xe0, 0xf0, 0x11);

    write_ctr(0x40);
    tap(KEY_PAUSE);
    EXPECT_KBD(0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5);
    tap(KEY_SYSRQ);
    EXPECT_KBD(0xe0, 0x2a, 0xe0, 0x37, 0xe0, 0xb7, 0xe0, 0xaa);
    key(KEY_LEFTALT, true);
    tap(KEY_SYSRQ);
    key(KEY_LEFTALT, false);
    EXPECT_KBD(0x38, 0x54, 0xd4, 0xb8);
    /* Hangeul: make only. */
    tap(KEY_HANGEUL);
    EXPECT_KBD(0xf2);
    /* A key with no scan code sends nothing. */
    tap(KEY_UNDO);
    expect_empty();
}

static void test_scancode_sets(void)
{
    setup();
    write_ctr(0x00);
    outb(DATA, 0xf0);
    outb(DATA, 0x01);
    EXPECT_KBD(0xfa, 0xfa);
    tap(KEY_A);
    tap(KEY_RIGHTCTRL);
    EXPECT_KBD(0x1e, 0x9e, 0xe0, 0x1d, 0xe0, 0x9d);

    outb(DATA, 0xf0);
    outb(DATA, 0x03);
    EXPECT_KBD(0xfa, 0xfa);
    outb(DATA, 0xf0);
    outb(DATA, 0x00);
    EXPECT_KBD(0xfa, 0xfa, 0x03);
    /* Power-on key types: only the modifiers break. */
    tap(KEY_A);
    tap(KEY_LEFTSHIFT);
    tap(KEY_DELETE);
    EXPECT_KBD(0x1c, 0x12, 0xf0, 0x12, 0x64);
    outb(DATA, 0xf8);                   /* all keys make/break */
    EXPECT_KBD(0xfa);
    tap(KEY_A);
    tap(KEY_F1);
    EXPECT_KBD(0x1c, 0xf0, 0x1c, 0x07, 0xf0, 0x07);
    outb(DATA, 0xf9);                   /* all keys make only */
    EXPECT_KBD(0xfa);
    tap(KEY_LEFTCTRL);
    EXPECT_KBD(0x11);
    /* Per-key lists are acknowledged byte by byte. */
    static const uint8_t list[] = { 0xfc, 0x1c, 0x8b, 0xf4 };
    for (size_t i = 0; i < sizeof(list); i++) {
        outb(DATA, list[i]);
        EXPECT_KBD(0xfa);
    }
    /* Invalid set number: Resend. */
    outb(DATA, 0xf0);
    outb(DATA, 0x07);
    EXPECT_KBD(0xfa, 0xfe);
}

static void test_scanning_and_ports(void)
{
    setup();
    write_ctr(0x01);
    outb(DATA, 0xf5);                   /* default disable */
    EXPECT_KBD(0xfa);
    tap(KEY_A);
    expect_empty();
    outb(DATA, 0xf4);
    EXPECT_KBD(0xfa);
    /* Keyboard port disabled: bytes wait in the keyboard. */
    outb(CMD, 0xad);
    tap(KEY_B);
    expect_empty();
    g_assert_cmpint(fx->level[1], ==, 0);
    outb(CMD, 0xae);
    g_assert_cmpint(fx->level[1], ==, 1);
    EXPECT_KBD(0x32, 0xf0, 0x32);
    /* Writing to the keyboard enables its port (HW). */
    outb(CMD, 0xad);
    outb(DATA, 0xee);
    EXPECT_KBD(0xee);
    g_assert_cmphex(read_ctr(), ==, 0x01);
}

static void test_overrun(void)
{
    setup();
    write_ctr(0x00);
    outb(CMD, 0xad);
    for (int i = 0; i < 20; i++) {
        tap(KEY_A);                     /* 3 bytes each in set 2 */
    }
    outb(CMD, 0xae);
    for (int i = 0; i < 5; i++) {
        EXPECT_KBD_FIRST(0x1c, 0xf0, 0x1c);
    }
    EXPECT_KBD(0x00);
    /* Drained: keys flow again. */
    tap(KEY_A);
    EXPECT_KBD(0x1c, 0xf0, 0x1c);

    /* Translated, the overrun code is FFh. */
    write_ctr(0x40);
    outb(CMD, 0xad);
    for (int i = 0; i < 20; i++) {
        tap(KEY_A);
    }
    outb(CMD, 0xae);
    for (int i = 0; i < 5; i++) {
        EXPECT_KBD_FIRST(0x1e, 0x9e);
    }
    EXPECT_KBD(0xff);
}

static void test_mouse_reset_id(void)
{
    setup();
    write_ctr(0x03);
    aux_write(0xff);
    g_assert_cmpint(fx->level[12], ==, 1);
    g_assert_cmpint(fx->level[1], ==, 0);
    EXPECT_AUX(0xfa, 0xaa, 0x00);
    g_assert_cmpint(fx->level[12], ==, 0);
    aux_write(0xf2);
    EXPECT_AUX(0xfa, 0x00);
    /* IntelliMouse: 200, 100, 80. */
    static const uint8_t im[] = { 200, 100, 80 };
    for (int i = 0; i < 3; i++) {
        aux_write(0xf3);
        aux_write(im[i]);
        EXPECT_AUX(0xfa, 0xfa);
    }
    aux_write(0xf2);
    EXPECT_AUX(0xfa, 0x03);
    /* Explorer: then 200, 200, 80. */
    static const uint8_t ex[] = { 200, 200, 80 };
    for (int i = 0; i < 3; i++) {
        aux_write(0xf3);
        aux_write(ex[i]);
        EXPECT_AUX(0xfa, 0xfa);
    }
    aux_write(0xf2);
    EXPECT_AUX(0xfa, 0x04);
    /* Reset goes back to a plain mouse. */
    aux_write(0xff);
    EXPECT_AUX(0xfa, 0xaa, 0x00);
    /* The Explorer sequence alone does nothing. */
    for (int i = 0; i < 3; i++) {
        aux_write(0xf3);
        aux_write(ex[i]);
        EXPECT_AUX(0xfa, 0xfa);
    }
    aux_write(0xf2);
    EXPECT_AUX(0xfa, 0x00);
    /* Bad sample rate: Resend. */
    aux_write(0xf3);
    aux_write(55);
    EXPECT_AUX(0xfa, 0xfe);
}

static void test_mouse_status_modes(void)
{
    setup();
    write_ctr(0x03);
    aux_write(0xe9);
    EXPECT_AUX(0xfa, 0x00, 0x02, 100);
    aux_write(0xe8);
    aux_write(0x03);
    aux_write(0xe7);
    aux_write(0xf4);
    EXPECT_AUX(0xfa, 0xfa, 0xfa, 0xfa);
    ps2_mouse_event(mouse(), 0, 0, 0, PS2_MOUSE_BUTTON_LEFT);
    EXPECT_AUX(0x09, 0x00, 0x00);
    aux_write(0xe9);
    EXPECT_AUX(0xfa, 0x34, 0x03, 100);
    /* Remote mode: nothing until Read Data. */
    aux_write(0xf0);
    EXPECT_AUX(0xfa);
    ps2_mouse_event(mouse(), 5, 0, 0, PS2_MOUSE_BUTTON_LEFT);
    expect_empty();
    aux_write(0xeb);
    EXPECT_AUX(0xfa, 0x09, 0x05, 0x00);   /* no scaling in remote mode */
    aux_write(0xeb);
    EXPECT_AUX(0xfa, 0x09, 0x00, 0x00);
    /* Wrap mode echoes. */
    aux_write(0xee);
    EXPECT_AUX(0xfa);
    aux_write(0x42);
    aux_write(0xf2);
    EXPECT_AUX(0x42, 0xf2);
    aux_write(0xec);
    EXPECT_AUX(0xfa);
    /* Defaults: disabled, stream, 1:1. */
    aux_write(0xf6);
    EXPECT_AUX(0xfa);
    aux_write(0xe9);
    EXPECT_AUX(0xfa, 0x04, 0x02, 100);
}

static void test_mouse_packets(void)
{
    setup();
    write_ctr(0x03);
    /* Disabled: motion is dropped. */
    ps2_mouse_event(mouse(), 10, 10, 0, 0);
    expect_empty();
    aux_write(0xf4);
    EXPECT_AUX(0xfa);
    /* Right and up (screen dy < 0 is PS/2 y > 0). */
    ps2_mouse_event(mouse(), 10, -5, 0, PS2_MOUSE_BUTTON_LEFT);
    EXPECT_AUX(0x09, 0x0a, 0x05);
    ps2_mouse_event(mouse(), -3, 4, 0, PS2_MOUSE_BUTTON_RIGHT |
                    PS2_MOUSE_BUTTON_MIDDLE);
    EXPECT_AUX(0x3e, 0xfd, 0xfc);
    /* A large move arrives whole, in steps of at most 255. */
    ps2_mouse_event(mouse(), 600, 0, 0, 0);
    EXPECT_AUX(0x08, 0xff, 0x00, 0x08, 0xff, 0x00, 0x08, 0x5a, 0x00);
    /* Counters saturate: the lost movement is flagged. */
    aux_write(0xf5);
    EXPECT_AUX(0xfa);
    aux_write(0xf0);                     /* remote mode counts */
    EXPECT_AUX(0xfa);
    ps2_mouse_event(mouse(), 100000, 0, 0, 0);
    aux_write(0xeb);
    EXPECT_AUX(0xfa, 0x48, 0xff, 0x00);
    aux_write(0xeb);
    EXPECT_AUX(0xfa, 0x08, 0xff, 0x00);
    /* 2:1 scaling in stream mode. */
    aux_write(0xea);
    aux_write(0xe7);
    aux_write(0xf4);
    EXPECT_AUX(0xfa, 0xfa, 0xfa);
    ps2_mouse_event(mouse(), 3, 0, 0, 0);
    ps2_mouse_event(mouse(), 0, -10, 0, 0);
    EXPECT_AUX(0x08, 0x03, 0x00, 0x08, 0x00, 0x14);
    /* Wheel ignored on a plain mouse. */
    ps2_mouse_event(mouse(), 0, 0, 3, 0);
    expect_empty();
}

static void intellimouse(const uint8_t *rates)
{
    for (int i = 0; i < 3; i++) {
        aux_write(0xf3);
        aux_write(rates[i]);
        EXPECT_AUX(0xfa, 0xfa);
    }
}

static void test_mouse_wheel(void)
{
    static const uint8_t im[] = { 200, 100, 80 };
    static const uint8_t ex[] = { 200, 200, 80 };

    setup();
    write_ctr(0x03);
    intellimouse(im);
    aux_write(0xf4);
    EXPECT_AUX(0xfa);
    ps2_mouse_event(mouse(), 1, 0, -2, 0);
    EXPECT_AUX(0x08, 0x01, 0x00, 0xfe);
    /* More than 8 notches come in two packets. */
    ps2_mouse_event(mouse(), 0, 0, 10, 0);
    EXPECT_AUX(0x08, 0x00, 0x00, 0x07, 0x08, 0x00, 0x00, 0x03);
    intellimouse(ex);
    aux_write(0xf4);
    EXPECT_AUX(0xfa);
    ps2_mouse_event(mouse(), 0, 0, -1, PS2_MOUSE_BUTTON_SIDE |
                    PS2_MOUSE_BUTTON_EXTRA);
    EXPECT_AUX(0x08, 0x00, 0x00, 0x3f);
    ps2_mouse_event(mouse(), 0, 0, 0, 0);
    EXPECT_AUX(0x08, 0x00, 0x00, 0x00);
}

static void test_aux_loopback(void)
{
    setup();
    write_ctr(0x03);
    outb(CMD, 0xd3);
    outb(DATA, 0x5a);
    g_assert_cmpint(fx->level[12], ==, 1);
    g_assert_cmpint(fx->level[1], ==, 0);
    EXPECT_AUX(0x5a);
    outb(CMD, 0xd2);
    outb(DATA, 0xa5);
    g_assert_cmpint(fx->level[1], ==, 1);
    EXPECT_KBD(0xa5);
    /* The mouse port disabled: its bytes wait. */
    outb(CMD, 0xa7);
    aux_write(0xf2);
    expect_empty();
    outb(CMD, 0xa8);
    EXPECT_AUX(0xfa, 0x00);
}

static void test_reset_and_a20(void)
{
    setup();
    g_assert_cmpint(fx->a20, ==, 1);
    g_assert_true(i8042_a20_enabled(fx->dev));
    outb(CMD, 0xd0);
    g_assert_cmphex(read_byte(false) & 0x03, ==, 0x03);
    outb(CMD, 0xd1);
    outb(DATA, 0xdd);                   /* A20 off, reset line high */
    g_assert_cmpint(fx->a20, ==, 0);
    g_assert_false(i8042_a20_enabled(fx->dev));
    g_assert_cmpint(fx->resets, ==, 0);
    outb(CMD, 0xd0);
    g_assert_cmphex(read_byte(false) & 0x03, ==, 0x01);
    outb(CMD, 0xdf);
    g_assert_cmpint(fx->a20, ==, 1);
    outb(CMD, 0xdd);
    g_assert_cmpint(fx->a20, ==, 0);
    /* Pulses that leave bit 0 alone reset nothing. */
    outb(CMD, 0xff);
    outb(CMD, 0xf1);
    g_assert_cmpint(fx->resets, ==, 0);
    outb(CMD, 0xfe);
    g_assert_cmpint(fx->resets, ==, 1);
    g_assert_cmpint(fx->reset_cause, ==, SHUTDOWN_CAUSE_GUEST_RESET);
    outb(CMD, 0xd1);
    outb(DATA, 0x02);
    g_assert_cmpint(fx->resets, ==, 2);
    /* Device reset: A20 back on. */
    fx->dev->type->reset(fx->dev);
    g_assert_cmpint(fx->a20, ==, 1);
}

static void test_vmstate(void)
{
    GByteArray *buf = g_byte_array_new();
    Device *copy;
    Error *err = NULL;
    size_t pos = 0;

    setup();
    write_ctr(0x03);
    aux_write(0xf4);                /* its ACK fills the output buffer */
    tap(KEY_Q);
    outb(DATA, 0xed);               /* LED parameter pending */
    ps2_mouse_event(mouse(), 7, 0, 0, 0);
    vmstate_save(fx->dev->type->vmsd, fx->dev, buf);

    /* Change the device, load the saved state into a copy of it (as
     * callers do) and put the copy back. */
    copy = g_malloc(fx->dev->type->state_size);
    memcpy(copy, fx->dev, fx->dev->type->state_size);
    outb(DATA, 0x04);
    g_assert_cmphex(ps2_keyboard_leds(kbd()), ==, 0x04);
    g_assert_true(vmstate_load(copy->type->vmsd, copy, buf->data, buf->len,
                               &pos, &err));
    g_assert_null(err);
    g_assert_cmpuint(pos, ==, buf->len);
    memcpy(fx->dev, copy, fx->dev->type->state_size);
    g_assert_cmphex(ps2_keyboard_leds(kbd()), ==, 0);
    g_assert_cmpint(fx->level[12], ==, 1);
    g_assert_cmphex(read_byte(true), ==, 0xfa);
    g_assert_cmphex(read_byte(false), ==, 0x15);
    g_assert_cmphex(read_byte(false), ==, 0xf0);
    g_assert_cmphex(read_byte(false), ==, 0x15);
    g_assert_cmphex(read_byte(false), ==, 0xfa);
    EXPECT_AUX(0x08, 0x07, 0x00);
    outb(DATA, 0x02);               /* the restored pending ED */
    EXPECT_KBD(0xfa);
    g_assert_cmphex(ps2_keyboard_leds(kbd()), ==, 0x02);

    /* Any corrupted byte: refused with an error, or loaded into a state
     * that passed the checks; never a crash. */
    for (size_t i = 0; i < buf->len; i++) {
        GByteArray *bad = g_byte_array_new();

        g_byte_array_append(bad, buf->data, buf->len);
        bad->data[i] = 0xff;
        pos = 0;
        memcpy(copy, fx->dev, fx->dev->type->state_size);
        if (!vmstate_load(copy->type->vmsd, copy, bad->data, bad->len, &pos,
                          &err)) {
            g_assert_nonnull(err);
            error_free(err);
            err = NULL;
        }
        g_byte_array_free(bad, true);
    }
    /* Truncated: refused. */
    pos = 0;
    g_assert_false(vmstate_load(copy->type->vmsd, copy, buf->data,
                                buf->len - 1, &pos, &err));
    g_assert_nonnull(err);
    error_free(err);
    g_free(copy);
    g_byte_array_free(buf, true);
}

static void test_qcodes(void)
{
    static const char *const with_codes[] = {
        "a", "ret", "ctrl", "alt", "delete", "esc", "f1", "f12", "spc",
        "shift_r", "kp_enter", "print", "pause", "meta_l", "menu",
    };

    g_assert_cmpint(ps2_keycode_from_qcode("a"), ==, KEY_A);
    g_assert_cmpint(ps2_keycode_from_qcode("ret"), ==, KEY_ENTER);
    g_assert_cmpint(ps2_keycode_from_qcode("ctrl"), ==, KEY_LEFTCTRL);
    g_assert_cmpint(ps2_keycode_from_qcode("f12"), ==, KEY_F12);
    g_assert_cmpint(ps2_keycode_from_qcode("kp_divide"), ==, KEY_KPSLASH);
    g_assert_cmpint(ps2_keycode_from_qcode("no_such_key"), ==, -1);

    /* Each of these sends something in every set. */
    setup();
    write_ctr(0x00);
    for (int set = 1; set <= 3; set++) {
        outb(DATA, 0xf0);
        outb(DATA, set);
        EXPECT_KBD(0xfa, 0xfa);
        for (size_t i = 0; i < ARRAY_SIZE(with_codes); i++) {
            int code = ps2_keycode_from_qcode(with_codes[i]);
            g_assert_cmpint(code, >, 0);
            key(code, true);
            g_assert_cmphex(inb(CMD) & STR_OBF, ==, STR_OBF);
            while (inb(CMD) & STR_OBF) {
                inb(DATA);
            }
            key(code, false);
            while (inb(CMD) & STR_OBF) {
                inb(DATA);
            }
        }
    }
}

static void test_set2_to_set1(void)
{
    bool seen[128] = { false };

    /* 01h-7Fh is a permutation; 00h is the overrun code. */
    for (int c = 1; c < 128; c++) {
        uint8_t t = ps2_set2_to_set1(c);
        g_assert_cmpuint(t, <, 128);
        g_assert_false(seen[t]);
        seen[t] = true;
    }
    g_assert_cmphex(ps2_set2_to_set1(0x00), ==, 0xff);
    g_assert_cmphex(ps2_set2_to_set1(0x83), ==, 0x41);
    g_assert_cmphex(ps2_set2_to_set1(0xfa), ==, 0xfa);
    g_assert_cmphex(ps2_set2_to_set1(0xe0), ==, 0xe0);
}

/* Random port accesses and host events: only "did not crash or hang",
 * plus the queues staying in bounds. */
static void test_fuzz(void)
{
    GRand *r = g_rand_new_with_seed(0x8042);

    setup();
    for (int i = 0; i < 200000; i++) {
        uint32_t op = g_rand_int_range(r, 0, 8);
        uint8_t v = g_rand_int(r);

        switch (op) {
        case 0: outb(CMD, v); break;
        case 1: case 2: outb(DATA, v); break;
        case 3: inb(DATA); break;
        case 4: inb(CMD); break;
        case 5: key(g_rand_int_range(r, 0, 300), v & 1); break;
        case 6:
            ps2_mouse_event(mouse(), g_rand_int_range(r, -70000, 70000),
                            g_rand_int_range(r, -70000, 70000),
                            g_rand_int_range(r, -20, 20), v);
            break;
        case 7:
            aux_write(v);
            break;
        }
    }
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ps2/i8042/self-test", test_self_test);
    g_test_add_func("/ps2/i8042/command-byte", test_command_byte);
    g_test_add_func("/ps2/i8042/aux-loopback", test_aux_loopback);
    g_test_add_func("/ps2/i8042/reset-a20", test_reset_and_a20);
    g_test_add_func("/ps2/kbd/reset-irq", test_kbd_reset_irq);
    g_test_add_func("/ps2/kbd/commands", test_kbd_commands);
    g_test_add_func("/ps2/kbd/translation", test_translation);
    g_test_add_func("/ps2/kbd/special-keys", test_special_keys);
    g_test_add_func("/ps2/kbd/scancode-sets", test_scancode_sets);
    g_test_add_func("/ps2/kbd/scanning-ports", test_scanning_and_ports);
    g_test_add_func("/ps2/kbd/overrun", test_overrun);
    g_test_add_func("/ps2/kbd/qcodes", test_qcodes);
    g_test_add_func("/ps2/kbd/set2-to-set1", test_set2_to_set1);
    g_test_add_func("/ps2/mouse/reset-id", test_mouse_reset_id);
    g_test_add_func("/ps2/mouse/status-modes", test_mouse_status_modes);
    g_test_add_func("/ps2/mouse/packets", test_mouse_packets);
    g_test_add_func("/ps2/mouse/wheel", test_mouse_wheel);
    g_test_add_func("/ps2/vmstate", test_vmstate);
    g_test_add_func("/ps2/fuzz", test_fuzz);
    return g_test_run();
}
