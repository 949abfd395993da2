/*
 * The i8259 pair (20h-21h, A0h-A1h) and the PIIX3 ELCR (4D0h-4D1h) over
 * the qtest socket. There is no CPU to run INTA cycles, so the tests use
 * the poll command (an INTA by port read, 8259A datasheet "Poll
 * Command") and read IRR/ISR through OCW3; ISA IRQs are driven as GSIs
 * with set_irq_in. Checks the initialization sequence, masking, EOI
 * forms and priority, the cascade, edge and level triggering through
 * the ELCR, the board's wiring of the PIT to IRQ 0 and of the RTC to
 * IRQ 8, and a register fuzz.
 */
#include "libqtest.h"

#define MASTER_CMD      0x20
#define MASTER_DATA     0x21
#define SLAVE_CMD       0xa0
#define SLAVE_DATA      0xa1
#define ELCR1           0x4d0
#define ELCR2           0x4d1

#define OCW3_READ_IRR   0x0a
#define OCW3_READ_ISR   0x0b
#define OCW3_POLL       0x0c
#define OCW2_EOI        0x20
#define OCW2_SEOI(n)    (0x60 | (n))
#define OCW2_ROT_EOI    0xa0
#define POLL_I          0x80

static QTestState *start(void)
{
    return qtest_init("-m 128");
}

static void irq(QTestState *s, int n, int level)
{
    qtest_set_irq_in(s, "ioapic", "gsi", n, level);
}

/* Edge, cascade, 8086 mode, vectors 08h/70h as the BIOS sets them; the
 * PIT's IRQ 0 masked unless asked for. */
static void pic_init(QTestState *s, uint8_t master_imr)
{
    qtest_outb(s, MASTER_CMD, 0x11);
    qtest_outb(s, MASTER_DATA, 0x08);
    qtest_outb(s, MASTER_DATA, 0x04);
    qtest_outb(s, MASTER_DATA, 0x01);
    qtest_outb(s, SLAVE_CMD, 0x11);
    qtest_outb(s, SLAVE_DATA, 0x70);
    qtest_outb(s, SLAVE_DATA, 0x02);
    qtest_outb(s, SLAVE_DATA, 0x01);
    qtest_outb(s, MASTER_DATA, master_imr);
}

static uint8_t reg(QTestState *s, uint16_t cmd, uint8_t ocw3)
{
    qtest_outb(s, cmd, ocw3);
    return qtest_inb(s, cmd);
}

static uint8_t poll(QTestState *s, uint16_t cmd)
{
    qtest_outb(s, cmd, OCW3_POLL);
    return qtest_inb(s, cmd);
}

static void test_init_and_imr(void)
{
    QTestState *s = start();

    pic_init(s, 0x00);
    g_assert_cmphex(qtest_inb(s, MASTER_DATA), ==, 0x00);
    g_assert_cmphex(qtest_inb(s, SLAVE_DATA), ==, 0x00);
    qtest_outb(s, MASTER_DATA, 0xb8);
    qtest_outb(s, SLAVE_DATA, 0x8f);
    g_assert_cmphex(qtest_inb(s, MASTER_DATA), ==, 0xb8);
    g_assert_cmphex(qtest_inb(s, SLAVE_DATA), ==, 0x8f);
    /* ICW1 clears IMR again. */
    qtest_outb(s, SLAVE_CMD, 0x11);
    qtest_outb(s, SLAVE_DATA, 0x70);
    qtest_outb(s, SLAVE_DATA, 0x02);
    qtest_outb(s, SLAVE_DATA, 0x01);
    g_assert_cmphex(qtest_inb(s, SLAVE_DATA), ==, 0x00);
    g_assert_cmphex(qtest_inb(s, MASTER_DATA), ==, 0xb8);
    /* ELCR: IRQ 0, 1, 2, 8 and 13 are edge only. */
    g_assert_cmphex(qtest_inb(s, ELCR1), ==, 0x00);
    g_assert_cmphex(qtest_inb(s, ELCR2), ==, 0x00);
    qtest_outb(s, ELCR1, 0xff);
    qtest_outb(s, ELCR2, 0xff);
    g_assert_cmphex(qtest_inb(s, ELCR1), ==, 0xf8);
    g_assert_cmphex(qtest_inb(s, ELCR2), ==, 0xde);
    g_assert_cmphex(qtest_inw(s, ELCR1), ==, 0xdef8);
    qtest_quit(s);
}

static void test_request_service_eoi(void)
{
    QTestState *s = start();

    pic_init(s, 0x01);
    irq(s, 5, 1);
    irq(s, 3, 1);
    g_assert_cmphex(reg(s, MASTER_CMD, OCW3_READ_IRR) & 0x28, ==, 0x28);
    /* IRQ 3 first, and IRQ 5 waits for its EOI. */
    g_assert_cmphex(poll(s, MASTER_CMD), ==, POLL_I | 3);
    g_assert_cmphex(reg(s, MASTER_CMD, OCW3_READ_ISR), ==, 0x08);
    g_assert_cmphex(poll(s, MASTER_CMD), ==, 0x00);
    /* RR=0 keeps the last register selection (ISR). */
    qtest_outb(s, MASTER_CMD, 0x08);
    g_assert_cmphex(qtest_inb(s, MASTER_CMD), ==, 0x08);
    qtest_outb(s, MASTER_CMD, OCW2_SEOI(3));
    g_assert_cmphex(poll(s, MASTER_CMD), ==, POLL_I | 5);
    qtest_outb(s, MASTER_CMD, OCW2_EOI);
    g_assert_cmphex(reg(s, MASTER_CMD, OCW3_READ_ISR), ==, 0x00);
    /* Edge: the same raised line does not request again. */
    g_assert_cmphex(poll(s, MASTER_CMD), ==, 0x00);
    irq(s, 5, 0);
    irq(s, 5, 1);
    /* Masked: in IRR, not serviced. */
    qtest_outb(s, MASTER_DATA, 0x21);
    g_assert_cmphex(reg(s, MASTER_CMD, OCW3_READ_IRR) & 0x20, ==, 0x20);
    g_assert_cmphex(poll(s, MASTER_CMD), ==, 0x00);
    qtest_outb(s, MASTER_DATA, 0x01);
    /* Rotation: after a rotate-on-EOI of IRQ 5, IRQ 6 outranks 4. */
    g_assert_cmphex(poll(s, MASTER_CMD), ==, POLL_I | 5);
    qtest_outb(s, MASTER_CMD, OCW2_ROT_EOI);
    irq(s, 4, 1);
    irq(s, 6, 1);
    g_assert_cmphex(poll(s, MASTER_CMD), ==, POLL_I | 6);
    qtest_quit(s);
}

static void test_cascade(void)
{
    QTestState *s = start();

    pic_init(s, 0x01);
    irq(s, 10, 1);
    g_assert_cmphex(reg(s, SLAVE_CMD, OCW3_READ_IRR), ==, 0x04);
    g_assert_cmphex(reg(s, MASTER_CMD, OCW3_READ_IRR) & 0x04, ==, 0x04);
    g_assert_cmphex(poll(s, MASTER_CMD), ==, POLL_I | 2);
    g_assert_cmphex(poll(s, SLAVE_CMD), ==, POLL_I | 2);
    g_assert_cmphex(reg(s, SLAVE_CMD, OCW3_READ_ISR), ==, 0x04);
    g_assert_cmphex(reg(s, MASTER_CMD, OCW3_READ_ISR), ==, 0x04);
    /* Masking IR2 on the master hides the whole slave. */
    qtest_outb(s, SLAVE_CMD, OCW2_EOI);
    qtest_outb(s, MASTER_CMD, OCW2_EOI);
    qtest_outb(s, MASTER_DATA, 0x05);
    irq(s, 14, 1);
    g_assert_cmphex(poll(s, MASTER_CMD), ==, 0x00);
    qtest_outb(s, MASTER_DATA, 0x01);
    g_assert_cmphex(poll(s, MASTER_CMD), ==, POLL_I | 2);
    g_assert_cmphex(poll(s, SLAVE_CMD), ==, POLL_I | 6);
    qtest_quit(s);
}

static void test_edge_level(void)
{
    QTestState *s = start();

    pic_init(s, 0x01);
    /* Edge: latched until serviced, even once the line falls. */
    irq(s, 12, 1);
    irq(s, 12, 0);
    g_assert_cmphex(reg(s, SLAVE_CMD, OCW3_READ_IRR), ==, 0x10);
    /* Level: IRR follows the line. */
    qtest_outb(s, ELCR2, 0x08);
    irq(s, 11, 1);
    g_assert_cmphex(reg(s, SLAVE_CMD, OCW3_READ_IRR), ==, 0x18);
    irq(s, 11, 0);
    g_assert_cmphex(reg(s, SLAVE_CMD, OCW3_READ_IRR), ==, 0x10);
    /* ...and requests again after EOI while it stays asserted. */
    irq(s, 11, 1);
    qtest_outb(s, SLAVE_DATA, 0x10);
    g_assert_cmphex(poll(s, MASTER_CMD), ==, POLL_I | 2);
    g_assert_cmphex(poll(s, SLAVE_CMD), ==, POLL_I | 3);
    qtest_outb(s, SLAVE_CMD, OCW2_EOI);
    qtest_outb(s, MASTER_CMD, OCW2_EOI);
    g_assert_cmphex(poll(s, MASTER_CMD), ==, POLL_I | 2);
    g_assert_cmphex(poll(s, SLAVE_CMD), ==, POLL_I | 3);
    qtest_quit(s);
}

/* The board's wiring: PIT OUT0 is IRQ 0, the RTC is IRQ 8. */
static void test_board_wiring(void)
{
    QTestState *s = start();

    qtest_irq_intercept_in(s, "ioapic");
    pic_init(s, 0x00);
    /* ICW1 reset the edge latch: IRQ 0 needs the PIT's next rising
     * edge (mode 3, 65536 counts at reset). */
    g_assert_cmphex(reg(s, MASTER_CMD, OCW3_READ_IRR) & 0x01, ==, 0x00);
    while (!(reg(s, MASTER_CMD, OCW3_READ_IRR) & 0x01)) {
        qtest_clock_step_next(s);
    }
    g_assert_true(qtest_get_irq(s, 0));
    g_assert_cmphex(poll(s, MASTER_CMD), ==, POLL_I | 0);
    /* RTC update-ended interrupt: slave IR0. */
    qtest_outb(s, 0x70, 0x0b);
    qtest_outb(s, 0x71, 0x12);
    qtest_clock_step(s, 1000000000);
    g_assert_true(qtest_get_irq(s, 8));
    g_assert_cmphex(reg(s, SLAVE_CMD, OCW3_READ_IRR) & 0x01, ==, 0x01);
    qtest_quit(s);
}

static void test_fuzz(void)
{
    static const uint16_t ports[] = {
        MASTER_CMD, MASTER_DATA, SLAVE_CMD, SLAVE_DATA, ELCR1, ELCR2
    };
    QTestState *s = start();
    GRand *r = g_rand_new_with_seed(8259);

    for (int i = 0; i < 20000; i++) {
        uint32_t op = g_rand_int(r);
        uint16_t port = ports[(op & 0xff) % G_N_ELEMENTS(ports)];

        switch ((op >> 8) & 3) {
        case 0:
            qtest_outb(s, port, op >> 16);
            break;
        case 1:
            qtest_inb(s, port);
            break;
        default:
            irq(s, (op >> 16) % 16, (op >> 24) & 1);
            break;
        }
    }
    g_rand_free(r);
    pic_init(s, 0x00);
    g_assert_cmphex(qtest_inb(s, MASTER_DATA), ==, 0x00);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pic/init-imr-elcr", test_init_and_imr);
    g_test_add_func("/pic/request-service-eoi", test_request_service_eoi);
    g_test_add_func("/pic/cascade", test_cascade);
    g_test_add_func("/pic/edge-level", test_edge_level);
    g_test_add_func("/pic/board-wiring", test_board_wiring);
    g_test_add_func("/pic/fuzz", test_fuzz);
    return g_test_run();
}
