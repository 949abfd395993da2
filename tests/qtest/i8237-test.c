/*
 * The two i8237A DMA controllers over the qtest socket: address and count
 * registers through the byte-pointer flip-flop, word addressing on the
 * second controller, page registers, mask and status registers, master
 * clear, and a memory-to-device transfer seen through SB16 playback
 * (terminal count, auto-initialize, current registers after the run).
 */
#include "libqtest.h"

#define NS 1000000000LL

static uint16_t read16(QTestState *s, uint16_t port)
{
    uint16_t v = qtest_inb(s, port);

    return v | qtest_inb(s, port) << 8;
}

static void write16(QTestState *s, uint16_t port, uint16_t v)
{
    qtest_outb(s, port, v & 0xff);
    qtest_outb(s, port, v >> 8);
}

static void test_registers(void)
{
    QTestState *s = qtest_init("");

    /* Byte controller: channel 2 address and count. */
    qtest_outb(s, 0x0c, 0);
    write16(s, 0x04, 0x1234);
    write16(s, 0x05, 0xbeef);
    qtest_outb(s, 0x0c, 0);
    g_assert_cmphex(read16(s, 0x04), ==, 0x1234);
    g_assert_cmphex(read16(s, 0x05), ==, 0xbeef);
    /* The flip-flop toggles on every byte: without clearing it, an odd
     * number of accesses swaps the halves. */
    qtest_inb(s, 0x04);
    g_assert_cmphex(read16(s, 0x04), ==, 0x3412);
    qtest_outb(s, 0x0c, 0);

    /* Word controller: registers on even ports only. */
    write16(s, 0xc4, 0x4321);       /* channel 5 address */
    g_assert_cmphex(read16(s, 0xc4), ==, 0x4321);
    g_assert_cmphex(qtest_inb(s, 0xc5), ==, 0xff);

    /* Page registers, including the unused ones, read back. */
    for (int p = 0x80; p < 0x90; p++) {
        qtest_outb(s, p, p ^ 0x5a);
    }
    for (int p = 0x80; p < 0x90; p++) {
        g_assert_cmphex(qtest_inb(s, p), ==, p ^ 0x5a);
    }

    /* Masks: all set after reset, single and all-mask writes. */
    g_assert_cmphex(qtest_inb(s, 0x0f) & 0x0f, ==, 0x0f);
    qtest_outb(s, 0x0e, 0);         /* clear all */
    g_assert_cmphex(qtest_inb(s, 0x0f) & 0x0f, ==, 0);
    qtest_outb(s, 0x0a, 0x06);      /* set channel 2 */
    g_assert_cmphex(qtest_inb(s, 0x0f) & 0x0f, ==, 0x04);
    qtest_outb(s, 0x0f, 0x09);
    g_assert_cmphex(qtest_inb(s, 0x0f) & 0x0f, ==, 0x09);
    /* Master clear: masks set, flip-flop cleared, status cleared. */
    qtest_inb(s, 0x04);             /* flip-flop to high */
    qtest_outb(s, 0x0d, 0);
    g_assert_cmphex(qtest_inb(s, 0x0f) & 0x0f, ==, 0x0f);
    g_assert_cmphex(read16(s, 0x04), ==, 0x1234);
    g_assert_cmphex(qtest_inb(s, 0x08) & 0x0f, ==, 0);
    /* Software request shows in the status's request bits. */
    qtest_outb(s, 0x09, 0x06);
    g_assert_cmphex(qtest_inb(s, 0x08) & 0xf0, ==, 0x40);
    qtest_outb(s, 0x09, 0x02);
    g_assert_cmphex(qtest_inb(s, 0x08) & 0xf0, ==, 0);
    qtest_quit(s);
}

/* SB16 playing through channel 1 in auto-init mode: a DMA buffer of 1000
 * bytes, an SB block of 400; after 0.3 s at 5 kHz (1500 bytes) the
 * controller wrapped once (TC set) and its current registers point 500
 * bytes into the buffer. */
static void test_transfer(void)
{
    QTestState *s = qtest_init("-audiodev none,id=a "
                               "-device sb16,audiodev=a");
    uint16_t addr, count;

    qtest_irq_intercept_in(s, "ioapic");
    qtest_memset(s, 0x23400, 0x90, 1000);
    qtest_outb(s, 0x226, 1);
    qtest_outb(s, 0x226, 0);
    g_assert_cmphex(qtest_inb(s, 0x22a), ==, 0xaa);

    qtest_outb(s, 0xd4, 0x00);      /* cascade on */
    qtest_outb(s, 0x0c, 0);
    qtest_outb(s, 0x0b, 0x59);      /* single, read, auto-init, ch 1 */
    write16(s, 0x02, 0x3400);
    qtest_outb(s, 0x83, 0x02);
    write16(s, 0x03, 999);
    qtest_outb(s, 0x0a, 0x01);

    qtest_outb(s, 0x22c, 0x41);
    qtest_outb(s, 0x22c, 5000 >> 8);
    qtest_outb(s, 0x22c, 5000 & 0xff);
    qtest_outb(s, 0x22c, 0xc6);
    qtest_outb(s, 0x22c, 0x00);
    qtest_outb(s, 0x22c, (400 - 1) & 0xff);
    qtest_outb(s, 0x22c, (400 - 1) >> 8);
    qtest_clock_step(s, NS * 3 / 10);
    g_assert_true(qtest_get_irq(s, 5));
    g_assert_cmphex(qtest_inb(s, 0x08) & 0x02, ==, 0x02);   /* TC ch 1 */
    g_assert_cmphex(qtest_inb(s, 0x08) & 0x02, ==, 0);      /* cleared */
    qtest_outb(s, 0x0c, 0);
    addr = read16(s, 0x02);
    count = read16(s, 0x03);
    g_assert_cmphex(addr, ==, 0x3400 + 500);
    g_assert_cmpuint(count, ==, 999 - 500);
    /* Still unmasked: auto-init re-loaded instead of masking. */
    g_assert_cmphex(qtest_inb(s, 0x0f) & 0x02, ==, 0);

    /* Masking the cascade stops the byte controller: the card waits,
     * the address stays. */
    qtest_outb(s, 0xd4, 0x04);
    qtest_clock_step(s, NS / 10);
    qtest_outb(s, 0x0c, 0);
    g_assert_cmphex(read16(s, 0x02), ==, 0x3400 + 500);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/i8237/registers", test_registers);
    g_test_add_func("/i8237/transfer", test_transfer);
    return g_test_run();
}
