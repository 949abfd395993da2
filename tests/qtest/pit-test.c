/*
 * The 82C54 PIT (40h-43h) and port 61h over the qtest socket, against
 * the virtual clock: counts read in every access mode, latch and
 * read-back status, BCD, modes 0-5 with IRQ 0 edges at the exact CLK,
 * counts written during counting, GATE through port 61h, OUT2 and the
 * refresh toggle, and a register fuzz.
 *
 * Time model under test (82C54 datasheet): a count written at virtual
 * time t reaches the counting element on the next CLK edge, L =
 * floor(t * f) + 1 with f = 1.193182 MHz; CLK edge k is at ceil(k / f).
 */
#include "libqtest.h"

#define PIT_HZ          1193182
#define NS_PER_SEC      1000000000LL

#define PIT_CH0         0x40
#define PIT_CH2         0x42
#define PIT_CTRL        0x43
#define PORT_B          0x61
#define  PORTB_GATE2    0x01
#define  PORTB_REFRESH  0x10
#define  PORTB_OUT2     0x20

#define IRQ0            0

static int64_t tick_of(int64_t ns)
{
    return (__int128)ns * PIT_HZ / NS_PER_SEC;
}

static int64_t ns_of(int64_t tick)
{
    return ((__int128)tick * NS_PER_SEC + PIT_HZ - 1) / PIT_HZ;
}

static QTestState *start(void)
{
    QTestState *s = qtest_init("-m 128");

    qtest_irq_intercept_in(s, "ioapic");
    return s;
}

/* Programs channel ch with control bits ctrl (RW=3) and count n, all at
 * the current virtual time; returns L, the CLK at which CE is loaded. */
static int64_t program(QTestState *s, int ch, uint8_t mode_bits,
                       uint16_t n)
{
    int64_t now = qtest_clock_get(s);

    qtest_outb(s, PIT_CTRL, ch << 6 | 0x30 | mode_bits);
    qtest_outb(s, PIT_CH0 + ch, n & 0xff);
    qtest_outb(s, PIT_CH0 + ch, n >> 8);
    return tick_of(now) + 1;
}

static void at_tick(QTestState *s, int64_t tick)
{
    qtest_clock_set(s, ns_of(tick));
}

static void just_before(QTestState *s, int64_t tick)
{
    qtest_clock_set(s, ns_of(tick) - 1);
}

/* Counter latch command, then LSB and MSB. */
static uint16_t latch_read(QTestState *s, int ch)
{
    uint16_t v;

    qtest_outb(s, PIT_CTRL, ch << 6);
    v = qtest_inb(s, PIT_CH0 + ch);
    return v | qtest_inb(s, PIT_CH0 + ch) << 8;
}

static uint8_t status(QTestState *s, int ch)
{
    qtest_outb(s, PIT_CTRL, 0xc0 | 0x20 | (2 << ch));  /* status only */
    return qtest_inb(s, PIT_CH0 + ch);
}

static bool out2(QTestState *s)
{
    return qtest_inb(s, PORT_B) & PORTB_OUT2;
}

static void test_power_on(void)
{
    QTestState *s = start();
    int64_t t;

    /* As QEMU: channel 0 runs mode 3 with 65536, IRQ 0 at 18.2 Hz. */
    g_assert_cmphex(status(s, 0) & 0x3f, ==, 0x36);
    g_assert_true(qtest_get_irq(s, IRQ0));
    t = qtest_clock_step_next(s);
    g_assert_false(qtest_get_irq(s, IRQ0));
    g_assert_cmpint(tick_of(t), ==, 1 + 32768);
    qtest_quit(s);
}

static void test_mode2_rate(void)
{
    QTestState *s = start();
    const int n = 1000;
    int64_t L;

    qtest_clock_step(s, 12345);
    L = program(s, 0, 0x04, n);
    g_assert_true(qtest_get_irq(s, IRQ0));
    at_tick(s, L);
    g_assert_cmpuint(latch_read(s, 0), ==, n);
    at_tick(s, L + 10);
    g_assert_cmpuint(latch_read(s, 0), ==, n - 10);
    /* OUT low for the one CLK where CE is 1, then reload. */
    just_before(s, L + n - 1);
    g_assert_true(qtest_get_irq(s, IRQ0));
    at_tick(s, L + n - 1);
    g_assert_false(qtest_get_irq(s, IRQ0));
    g_assert_cmpuint(latch_read(s, 0), ==, 1);
    at_tick(s, L + n);
    g_assert_true(qtest_get_irq(s, IRQ0));
    g_assert_cmpuint(latch_read(s, 0), ==, n);
    /* Every period, by the timer alone. */
    for (int k = 2; k < 6; k++) {
        int64_t t = qtest_clock_step_next(s);
        g_assert_cmpint(t, ==, ns_of(L + k * n - 1));
        g_assert_false(qtest_get_irq(s, IRQ0));
        t = qtest_clock_step_next(s);
        g_assert_cmpint(t, ==, ns_of(L + k * n));
        g_assert_true(qtest_get_irq(s, IRQ0));
    }
    /* A new count takes over at the end of the current period. */
    at_tick(s, L + 5 * n + 100);
    qtest_outb(s, PIT_CH0, 500 & 0xff);
    qtest_outb(s, PIT_CH0, 500 >> 8);
    g_assert_cmphex(status(s, 0), ==, 0x80 | 0x40 | 0x34);  /* null count */
    just_before(s, L + 6 * n - 1);
    g_assert_true(qtest_get_irq(s, IRQ0));
    at_tick(s, L + 6 * n - 1);
    g_assert_false(qtest_get_irq(s, IRQ0));
    at_tick(s, L + 6 * n);
    g_assert_cmphex(status(s, 0), ==, 0x80 | 0x34);
    g_assert_cmpuint(latch_read(s, 0), ==, 500);
    at_tick(s, L + 6 * n + 499);
    g_assert_false(qtest_get_irq(s, IRQ0));
    qtest_quit(s);
}

static void test_mode0_terminal_count(void)
{
    QTestState *s = start();
    const int n = 100;
    int64_t L;

    qtest_outb(s, PIT_CTRL, 0x30);
    /* OUT low as soon as mode 0 is set; null count until loaded. */
    g_assert_false(qtest_get_irq(s, IRQ0));
    g_assert_cmphex(status(s, 0), ==, 0x40 | 0x30);
    L = program(s, 0, 0x00, n);
    g_assert_cmphex(status(s, 0), ==, 0x40 | 0x30);
    at_tick(s, L);
    g_assert_cmphex(status(s, 0), ==, 0x30);
    just_before(s, L + n);
    g_assert_false(qtest_get_irq(s, IRQ0));
    g_assert_cmpuint(latch_read(s, 0), ==, 1);
    at_tick(s, L + n);
    g_assert_true(qtest_get_irq(s, IRQ0));
    g_assert_cmphex(status(s, 0), ==, 0x80 | 0x30);
    /* CE wraps and keeps counting; OUT stays high. */
    at_tick(s, L + n + 5);
    g_assert_cmpuint(latch_read(s, 0), ==, 65531);
    g_assert_true(qtest_get_irq(s, IRQ0));
    /* The first byte of a new count sets OUT low and stops CE. */
    qtest_outb(s, PIT_CH0, 50);
    g_assert_false(qtest_get_irq(s, IRQ0));
    qtest_clock_step(s, 100000);
    g_assert_cmpuint(latch_read(s, 0), ==, 65531);
    L = tick_of(qtest_clock_get(s)) + 1;
    qtest_outb(s, PIT_CH0, 0);
    at_tick(s, L + 49);
    g_assert_false(qtest_get_irq(s, IRQ0));
    at_tick(s, L + 50);
    g_assert_true(qtest_get_irq(s, IRQ0));
    qtest_quit(s);
}

static void test_mode3_square_wave(void)
{
    QTestState *s = start();
    int64_t L;

    /* Even count: 500 CLKs high, 500 low, CE down by two. */
    L = program(s, 0, 0x06, 1000);
    at_tick(s, L);
    g_assert_cmpuint(latch_read(s, 0), ==, 1000);
    at_tick(s, L + 1);
    g_assert_cmpuint(latch_read(s, 0), ==, 998);
    just_before(s, L + 500);
    g_assert_true(qtest_get_irq(s, IRQ0));
    g_assert_cmpuint(latch_read(s, 0), ==, 2);
    at_tick(s, L + 500);
    g_assert_false(qtest_get_irq(s, IRQ0));
    g_assert_cmpuint(latch_read(s, 0), ==, 1000);
    at_tick(s, L + 1000);
    g_assert_true(qtest_get_irq(s, IRQ0));

    /* Odd count: (n + 1) / 2 high, (n - 1) / 2 low, CE from n - 1. */
    qtest_clock_step(s, 1000000);
    L = program(s, 0, 0x06, 1001);
    at_tick(s, L);
    g_assert_cmpuint(latch_read(s, 0), ==, 1000);
    just_before(s, L + 501);
    g_assert_true(qtest_get_irq(s, IRQ0));
    at_tick(s, L + 501);
    g_assert_false(qtest_get_irq(s, IRQ0));
    just_before(s, L + 1001);
    g_assert_false(qtest_get_irq(s, IRQ0));
    at_tick(s, L + 1001);
    g_assert_true(qtest_get_irq(s, IRQ0));

    /* A count written in the high half takes over at its end, starting
     * with its own low half. */
    qtest_clock_step(s, 1000000);
    L = program(s, 0, 0x06, 1000);
    at_tick(s, L + 100);
    qtest_outb(s, PIT_CH0, 600 & 0xff);
    qtest_outb(s, PIT_CH0, 600 >> 8);
    just_before(s, L + 500);
    g_assert_true(qtest_get_irq(s, IRQ0));
    at_tick(s, L + 500);
    g_assert_false(qtest_get_irq(s, IRQ0));
    g_assert_cmpuint(latch_read(s, 0), ==, 600);
    just_before(s, L + 800);
    g_assert_false(qtest_get_irq(s, IRQ0));
    at_tick(s, L + 800);
    g_assert_true(qtest_get_irq(s, IRQ0));
    at_tick(s, L + 1100);
    g_assert_false(qtest_get_irq(s, IRQ0));

    /* Mode 3 written as 111b reads back as such in the status. */
    qtest_outb(s, PIT_CTRL, 0x3e);
    g_assert_cmphex(status(s, 0) & 0x3f, ==, 0x3e);
    qtest_quit(s);
}

static void test_mode4_strobe(void)
{
    QTestState *s = start();
    int64_t L = program(s, 0, 0x08, 300);

    g_assert_true(qtest_get_irq(s, IRQ0));
    just_before(s, L + 300);
    g_assert_true(qtest_get_irq(s, IRQ0));
    at_tick(s, L + 300);
    g_assert_false(qtest_get_irq(s, IRQ0));
    at_tick(s, L + 301);
    g_assert_true(qtest_get_irq(s, IRQ0));
    /* One strobe per count, even when CE wraps to it again. */
    at_tick(s, L + 65536 + 300);
    g_assert_true(qtest_get_irq(s, IRQ0));
    g_assert_cmpuint(latch_read(s, 0), ==, 0);
    qtest_quit(s);
}

static void test_access_modes(void)
{
    QTestState *s = start();
    int64_t L;

    /* LSB only: the MSB is zero. */
    L = tick_of(qtest_clock_get(s)) + 1;
    qtest_outb(s, PIT_CTRL, 0x14);
    qtest_outb(s, PIT_CH0, 100);
    at_tick(s, L + 3);
    g_assert_cmpuint(qtest_inb(s, PIT_CH0), ==, 97);
    g_assert_cmpuint(qtest_inb(s, PIT_CH0), ==, 97);
    /* MSB only: the LSB is zero. */
    L = tick_of(qtest_clock_get(s)) + 1;
    qtest_outb(s, PIT_CTRL, 0x24);
    qtest_outb(s, PIT_CH0, 0x02);
    at_tick(s, L + 1);
    g_assert_cmpuint(qtest_inb(s, PIT_CH0), ==, 0x01);     /* 511 */
    /* LSB then MSB of a live count, and a latched one: the second
     * latch before the read is ignored. */
    L = program(s, 0, 0x04, 0x1234);
    at_tick(s, L + 0x34);
    g_assert_cmpuint(qtest_inb(s, PIT_CH0), ==, 0x00);
    g_assert_cmpuint(qtest_inb(s, PIT_CH0), ==, 0x12);
    qtest_outb(s, PIT_CTRL, 0x00);
    at_tick(s, L + 0x35);
    qtest_outb(s, PIT_CTRL, 0x00);
    g_assert_cmpuint(qtest_inb(s, PIT_CH0), ==, 0x00);
    g_assert_cmpuint(qtest_inb(s, PIT_CH0), ==, 0x12);
    /* Read-back: status first, then the count latched with it. */
    qtest_outb(s, PIT_CTRL, 0xc2);
    g_assert_cmphex(qtest_inb(s, PIT_CH0), ==, 0x80 | 0x34);
    g_assert_cmpuint(qtest_inb(s, PIT_CH0), ==, 0xff);
    g_assert_cmpuint(qtest_inb(s, PIT_CH0), ==, 0x11);
    /* BCD: 1000 counts down in decimal. */
    L = tick_of(qtest_clock_get(s)) + 1;
    qtest_outb(s, PIT_CTRL, 0x35);
    qtest_outb(s, PIT_CH0, 0x00);
    qtest_outb(s, PIT_CH0, 0x10);
    at_tick(s, L + 1);
    g_assert_cmphex(latch_read(s, 0), ==, 0x0999);
    at_tick(s, L + 999);
    g_assert_false(qtest_get_irq(s, IRQ0));
    g_assert_cmphex(latch_read(s, 0), ==, 0x0001);
    at_tick(s, L + 1000);
    g_assert_true(qtest_get_irq(s, IRQ0));
    g_assert_cmphex(latch_read(s, 0), ==, 0x1000);
    /* The control port reads as nothing. */
    g_assert_cmphex(qtest_inb(s, PIT_CTRL), ==, 0xff);
    qtest_quit(s);
}

static void test_gate_and_port61(void)
{
    QTestState *s = start();
    int64_t L, t;

    qtest_outb(s, PORT_B, 0x00);
    g_assert_cmphex(qtest_inb(s, PORT_B) & 0x0f, ==, 0x00);
    /* Mode 0 on channel 2 with GATE low: loaded but not counting. */
    L = program(s, 2, 0x00, 100);
    qtest_clock_step(s, 1000000);
    g_assert_false(out2(s));
    g_assert_cmpuint(latch_read(s, 2), ==, 100);
    /* GATE is sampled at each CLK: the first decrement is at the next
     * one, so CE reaches 0 100 CLKs after the one before the rise. */
    t = qtest_clock_get(s);
    qtest_outb(s, PORT_B, PORTB_GATE2);
    g_assert_cmphex(qtest_inb(s, PORT_B) & 0x0f, ==, PORTB_GATE2);
    L = tick_of(t);
    just_before(s, L + 100);
    g_assert_false(out2(s));
    at_tick(s, L + 100);
    g_assert_true(out2(s));

    /* Mode 1: the GATE rising edge triggers a one-shot, OUT low from
     * the next CLK for n CLKs; a retrigger restarts it. */
    qtest_outb(s, PORT_B, 0x00);
    program(s, 2, 0x02, 200);
    g_assert_true(out2(s));
    qtest_clock_step(s, 50000);
    g_assert_true(out2(s));
    t = qtest_clock_get(s);
    qtest_outb(s, PORT_B, PORTB_GATE2);
    L = tick_of(t) + 1;
    just_before(s, L);
    g_assert_true(out2(s));
    at_tick(s, L);
    g_assert_false(out2(s));
    at_tick(s, L + 150);
    qtest_outb(s, PORT_B, 0x00);
    qtest_outb(s, PORT_B, PORTB_GATE2);
    L = L + 151;
    just_before(s, L + 200);
    g_assert_false(out2(s));
    at_tick(s, L + 200);
    g_assert_true(out2(s));

    /* Mode 5: strobe n CLKs after the trigger. */
    qtest_outb(s, PORT_B, 0x00);
    program(s, 2, 0x0a, 50);
    t = qtest_clock_get(s);
    qtest_outb(s, PORT_B, PORTB_GATE2);
    L = tick_of(t) + 1;
    just_before(s, L + 50);
    g_assert_true(out2(s));
    at_tick(s, L + 50);
    g_assert_false(out2(s));
    at_tick(s, L + 51);
    g_assert_true(out2(s));

    /* Mode 3 with GATE low: OUT forced high, CE frozen. */
    L = program(s, 2, 0x06, 1000);
    at_tick(s, L + 600);
    g_assert_false(out2(s));
    qtest_outb(s, PORT_B, 0x00);
    g_assert_true(out2(s));
    g_assert_cmpuint(latch_read(s, 2), ==, 1000 - 200);
    qtest_clock_step(s, 1000000);
    g_assert_cmpuint(latch_read(s, 2), ==, 1000 - 200);
    /* ...and restarts from the count on the rising edge. */
    t = qtest_clock_get(s);
    qtest_outb(s, PORT_B, PORTB_GATE2);
    L = tick_of(t) + 1;
    at_tick(s, L + 2);
    g_assert_cmpuint(latch_read(s, 2), ==, 996);
    at_tick(s, L + 500);
    g_assert_false(out2(s));
    qtest_quit(s);
}

static void test_refresh_toggle(void)
{
    QTestState *s = start();
    int64_t t = qtest_clock_get(s);
    int64_t base = (t / 15085 + 1) * 15085;
    uint8_t first;

    qtest_clock_set(s, base);
    first = qtest_inb(s, PORT_B) & PORTB_REFRESH;
    qtest_clock_set(s, base + 15084);
    g_assert_cmphex(qtest_inb(s, PORT_B) & PORTB_REFRESH, ==, first);
    qtest_clock_set(s, base + 15085);
    g_assert_cmphex(qtest_inb(s, PORT_B) & PORTB_REFRESH, !=, first);
    /* Read-only bits ignore writes. */
    qtest_outb(s, PORT_B, 0xf0);
    g_assert_cmphex(qtest_inb(s, PORT_B) & 0xcf, ==, 0x00);
    qtest_quit(s);
}

/* Whatever a guest writes, the emulator survives and the clock runs. */
static void test_fuzz(void)
{
    QTestState *s = start();
    GRand *r = g_rand_new_with_seed(8254);

    for (int i = 0; i < 20000; i++) {
        uint32_t op = g_rand_int(r);
        uint16_t port = (op & 7) == 7 ? PORT_B : PIT_CH0 + (op & 3);

        if (op & 0x100) {
            qtest_outb(s, port, op >> 16);
        } else {
            qtest_inb(s, port);
        }
        if ((op & 0xe00) == 0) {
            qtest_clock_step(s, (op >> 12) & 0xfffff);
        }
    }
    for (int i = 0; i < 50; i++) {
        qtest_clock_step_next(s);
    }
    g_rand_free(r);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pit/power-on", test_power_on);
    g_test_add_func("/pit/mode2-rate", test_mode2_rate);
    g_test_add_func("/pit/mode0-terminal-count", test_mode0_terminal_count);
    g_test_add_func("/pit/mode3-square-wave", test_mode3_square_wave);
    g_test_add_func("/pit/mode4-strobe", test_mode4_strobe);
    g_test_add_func("/pit/access-modes", test_access_modes);
    g_test_add_func("/pit/gate-port61", test_gate_and_port61);
    g_test_add_func("/pit/refresh-toggle", test_refresh_toggle);
    g_test_add_func("/pit/fuzz", test_fuzz);
    return g_test_run();
}
