/*
 * The i8042 keyboard controller of the pc machine over the qtest socket:
 * controller self test and command byte, the keyboard's reset and
 * commands on IRQ 1, the mouse behind D4h on IRQ 12 with the
 * IntelliMouse handshake, scan code translation of keyboard bytes, the
 * CPU reset through command FEh and the output port, A20 through the
 * output port, and a register fuzz.
 *
 * Key and mouse injection has no qtest command; tests/unit/test-ps2.c
 * covers it on a controller built without a machine.
 */
#include "libqtest.h"

#define DATA            0x60
#define CMD             0x64

#define STR_OBF         0x01
#define STR_SYS         0x04
#define STR_CMD         0x08
#define STR_AUXDATA     0x20

#define KBD_IRQ         1
#define AUX_IRQ         12

static QTestState *start(void)
{
    QTestState *s = qtest_init("-m 32");

    qtest_irq_intercept_in(s, "ioapic");
    return s;
}

/* Reads one byte that must be in the output buffer, from that port. */
static uint8_t read_byte(QTestState *s, bool from_aux)
{
    uint8_t st = qtest_inb(s, CMD);

    g_assert_cmphex(st & STR_OBF, ==, STR_OBF);
    g_assert_cmphex(st & STR_AUXDATA, ==, from_aux ? STR_AUXDATA : 0);
    return qtest_inb(s, DATA);
}

static void expect(QTestState *s, bool from_aux, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        g_assert_cmphex(read_byte(s, from_aux), ==, b[i]);
    }
    g_assert_cmphex(qtest_inb(s, CMD) & STR_OBF, ==, 0);
}

#define EXPECT_KBD(s, ...) do { \
        static const uint8_t b_[] = { __VA_ARGS__ }; \
        expect(s, false, b_, sizeof(b_)); \
    } while (0)
#define EXPECT_AUX(s, ...) do { \
        static const uint8_t b_[] = { __VA_ARGS__ }; \
        expect(s, true, b_, sizeof(b_)); \
    } while (0)

static void write_ctr(QTestState *s, uint8_t v)
{
    qtest_outb(s, CMD, 0x60);
    qtest_outb(s, DATA, v);
}

static uint8_t read_ctr(QTestState *s)
{
    qtest_outb(s, CMD, 0x20);
    return read_byte(s, false);
}

static void aux_write(QTestState *s, uint8_t v)
{
    qtest_outb(s, CMD, 0xd4);
    qtest_outb(s, DATA, v);
}

static void test_self_test(void)
{
    QTestState *s = start();

    g_assert_cmphex(qtest_inb(s, CMD) & STR_OBF, ==, 0);
    qtest_outb(s, CMD, 0xaa);
    g_assert_true(qtest_get_irq(s, KBD_IRQ));
    g_assert_cmphex(read_byte(s, false), ==, 0x55);
    g_assert_false(qtest_get_irq(s, KBD_IRQ));
    g_assert_cmphex(qtest_inb(s, CMD) & (STR_SYS | STR_CMD), ==,
                    STR_SYS | STR_CMD);
    qtest_outb(s, CMD, 0xab);
    g_assert_cmphex(read_byte(s, false), ==, 0x00);
    qtest_outb(s, CMD, 0xa9);
    g_assert_cmphex(read_byte(s, false), ==, 0x00);
    qtest_quit(s);
}

static void test_command_byte(void)
{
    QTestState *s = start();

    g_assert_cmphex(read_ctr(s), ==, 0x43);
    write_ctr(s, 0x74);
    g_assert_cmphex(qtest_inb(s, CMD) & (STR_SYS | STR_CMD), ==, STR_SYS);
    g_assert_cmphex(read_ctr(s), ==, 0x74);
    qtest_outb(s, CMD, 0xae);
    qtest_outb(s, CMD, 0xa8);
    g_assert_cmphex(read_ctr(s), ==, 0x44);
    /* Interrupts off: the reply raises nothing. */
    qtest_outb(s, CMD, 0xaa);
    g_assert_false(qtest_get_irq(s, KBD_IRQ));
    g_assert_cmphex(read_byte(s, false), ==, 0x55);
    qtest_quit(s);
}

/* SeaBIOS's keyboard probe: reset, then enable scanning. */
static void test_kbd_reset(void)
{
    QTestState *s = start();

    write_ctr(s, 0x01);                 /* IRQ 1, no translation */
    qtest_outb(s, DATA, 0xff);
    g_assert_true(qtest_get_irq(s, KBD_IRQ));
    g_assert_false(qtest_get_irq(s, AUX_IRQ));
    g_assert_cmphex(read_byte(s, false), ==, 0xfa);
    g_assert_true(qtest_get_irq(s, KBD_IRQ));
    g_assert_cmphex(read_byte(s, false), ==, 0xaa);
    g_assert_false(qtest_get_irq(s, KBD_IRQ));
    qtest_outb(s, DATA, 0xf4);
    EXPECT_KBD(s, 0xfa);
    /* No IRQ with the keyboard interrupt disabled. */
    write_ctr(s, 0x00);
    qtest_outb(s, DATA, 0xff);
    g_assert_false(qtest_get_irq(s, KBD_IRQ));
    EXPECT_KBD(s, 0xfa, 0xaa);
    qtest_quit(s);
}

static void test_kbd_commands(void)
{
    QTestState *s = start();

    write_ctr(s, 0x00);
    qtest_outb(s, DATA, 0xed);          /* LEDs */
    qtest_outb(s, DATA, 0x07);
    EXPECT_KBD(s, 0xfa, 0xfa);
    qtest_outb(s, DATA, 0xee);          /* echo */
    EXPECT_KBD(s, 0xee);
    qtest_outb(s, DATA, 0xf0);          /* scan code set: get */
    qtest_outb(s, DATA, 0x00);
    EXPECT_KBD(s, 0xfa, 0xfa, 0x02);
    qtest_outb(s, DATA, 0xf3);          /* typematic */
    qtest_outb(s, DATA, 0x2b);
    EXPECT_KBD(s, 0xfa, 0xfa);
    qtest_outb(s, DATA, 0x55);          /* not a command: Resend */
    EXPECT_KBD(s, 0xfe);
    qtest_quit(s);
}

/* The same keyboard bytes with the 8042's translation off and on. */
static void test_translation(void)
{
    QTestState *s = start();

    write_ctr(s, 0x00);
    qtest_outb(s, DATA, 0xf2);
    EXPECT_KBD(s, 0xfa, 0xab, 0x83);
    qtest_outb(s, DATA, 0xf0);
    qtest_outb(s, DATA, 0x00);
    EXPECT_KBD(s, 0xfa, 0xfa, 0x02);

    write_ctr(s, 0x40);
    qtest_outb(s, DATA, 0xf2);
    EXPECT_KBD(s, 0xfa, 0xab, 0x41);
    qtest_outb(s, DATA, 0xf0);
    qtest_outb(s, DATA, 0x00);
    EXPECT_KBD(s, 0xfa, 0xfa, 0x41);
    qtest_quit(s);
}

static void test_mouse(void)
{
    static const uint8_t intellimouse[] = { 200, 100, 80 };
    static const uint8_t explorer[] = { 200, 200, 80 };
    QTestState *s = start();

    write_ctr(s, 0x03);
    aux_write(s, 0xff);
    g_assert_true(qtest_get_irq(s, AUX_IRQ));
    g_assert_false(qtest_get_irq(s, KBD_IRQ));
    EXPECT_AUX(s, 0xfa, 0xaa, 0x00);
    g_assert_false(qtest_get_irq(s, AUX_IRQ));
    aux_write(s, 0xf2);
    EXPECT_AUX(s, 0xfa, 0x00);
    for (int i = 0; i < 3; i++) {
        aux_write(s, 0xf3);
        aux_write(s, intellimouse[i]);
        EXPECT_AUX(s, 0xfa, 0xfa);
    }
    aux_write(s, 0xf2);
    EXPECT_AUX(s, 0xfa, 0x03);
    for (int i = 0; i < 3; i++) {
        aux_write(s, 0xf3);
        aux_write(s, explorer[i]);
        EXPECT_AUX(s, 0xfa, 0xfa);
    }
    aux_write(s, 0xf2);
    EXPECT_AUX(s, 0xfa, 0x04);
    aux_write(s, 0xe9);                 /* status: stream, off, 1:1 */
    EXPECT_AUX(s, 0xfa, 0x00, 0x02, 80);
    /* The controller's loopback into the mouse buffer. */
    qtest_outb(s, CMD, 0xd3);
    qtest_outb(s, DATA, 0x5a);
    g_assert_true(qtest_get_irq(s, AUX_IRQ));
    EXPECT_AUX(s, 0x5a);
    /* IRQ 12 disabled. */
    write_ctr(s, 0x01);
    aux_write(s, 0xf2);
    g_assert_false(qtest_get_irq(s, AUX_IRQ));
    EXPECT_AUX(s, 0xfa, 0x04);
    qtest_quit(s);
}

static void test_output_port(void)
{
    QTestState *s = start();

    qtest_outb(s, CMD, 0xd0);
    g_assert_cmphex(read_byte(s, false) & 0x03, ==, 0x03);
    qtest_outb(s, CMD, 0xd1);
    qtest_outb(s, DATA, 0xdd);          /* A20 off */
    qtest_outb(s, CMD, 0xd0);
    g_assert_cmphex(read_byte(s, false) & 0x03, ==, 0x01);
    qtest_outb(s, CMD, 0xdf);           /* A20 on */
    qtest_outb(s, CMD, 0xd0);
    g_assert_cmphex(read_byte(s, false) & 0x03, ==, 0x03);
    qtest_quit(s);
}

/* With -no-reboot a guest reset ends pcemu with status 0. */
static void test_reset_pulse(void)
{
    QTestState *s = qtest_init("-m 32 -no-reboot");

    qtest_outb(s, CMD, 0xff);           /* pulses nothing */
    g_assert_cmphex(qtest_inb(s, CMD) & STR_OBF, ==, 0);
    qtest_outb(s, CMD, 0xfe);
    g_assert_cmpint(qtest_wait_exit(s), ==, 0);
    qtest_quit(s);
}

static void test_reset_outport(void)
{
    QTestState *s = qtest_init("-m 32 -no-reboot");

    qtest_outb(s, CMD, 0xd1);
    qtest_outb(s, DATA, 0xde);          /* bit 0 clear: reset */
    g_assert_cmpint(qtest_wait_exit(s), ==, 0);
    qtest_quit(s);
}

/* Without -no-reboot the machine resets: the controller is back to its
 * power-on command byte. */
static void test_reset_reboots(void)
{
    QTestState *s = start();
    uint8_t ctr = 0;

    write_ctr(s, 0x00);
    qtest_outb(s, CMD, 0xfe);
    for (int i = 0; i < 1000 && ctr != 0x43; i++) {
        ctr = read_ctr(s);
    }
    g_assert_cmphex(ctr, ==, 0x43);
    qtest_quit(s);
}

/* Random accesses: only "did not crash or hang". Reset pulses and the
 * output port are left out (they would end or reset the machine). */
static void test_fuzz(void)
{
    QTestState *s = start();
    GRand *r = g_rand_new_with_seed(0x8042);

    for (int i = 0; i < 4000; i++) {
        uint8_t v = g_rand_int(r);

        switch (g_rand_int_range(r, 0, 4)) {
        case 0:
            if (v == 0xd1 || (v >= 0xf0 && !(v & 1))) {
                v = 0xaa;
            }
            qtest_outb(s, CMD, v);
            break;
        case 1:
            qtest_outb(s, DATA, v);
            break;
        case 2:
            qtest_inb(s, DATA);
            break;
        default:
            qtest_inb(s, CMD);
            break;
        }
    }
    g_rand_free(r);
    /* Still answering. */
    qtest_outb(s, CMD, 0xaa);
    g_assert_cmphex(qtest_inb(s, DATA), ==, 0x55);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/i8042/self-test", test_self_test);
    g_test_add_func("/i8042/command-byte", test_command_byte);
    g_test_add_func("/i8042/kbd/reset", test_kbd_reset);
    g_test_add_func("/i8042/kbd/commands", test_kbd_commands);
    g_test_add_func("/i8042/kbd/translation", test_translation);
    g_test_add_func("/i8042/mouse", test_mouse);
    g_test_add_func("/i8042/output-port", test_output_port);
    g_test_add_func("/i8042/reset/pulse", test_reset_pulse);
    g_test_add_func("/i8042/reset/output-port", test_reset_outport);
    g_test_add_func("/i8042/reset/reboots", test_reset_reboots);
    g_test_add_func("/i8042/fuzz", test_fuzz);
    return g_test_run();
}
