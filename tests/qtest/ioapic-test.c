/*
 * The 82093AA IOAPIC at FEC00000h over the qtest socket: IOREGSEL and
 * IOWIN at every access size, the ID, version and arbitration registers,
 * redirection entries (reset value, writable bits), and the remote IRR
 * of level-triggered entries as GSIs rise and fall, with masking. The
 * interrupt messages themselves go to the local APICs, which qtest does
 * not have; tests/unit/test-ioapic.c checks them.
 */
#include "libqtest.h"

#define IOAPIC_BASE     0xfec00000ULL
#define IOREGSEL        (IOAPIC_BASE + 0x00)
#define IOWIN           (IOAPIC_BASE + 0x10)

#define REG_ID          0x00
#define REG_VER         0x01
#define REG_ARB         0x02
#define REG_RTE_LO(n)   (0x10 + 2 * (n))
#define REG_RTE_HI(n)   (0x11 + 2 * (n))

#define RTE_REMOTE_IRR  0x00004000
#define RTE_LEVEL       0x00008000
#define RTE_MASKED      0x00010000

static QTestState *start(void)
{
    return qtest_init("-m 128");
}

static uint32_t ioapic_read(QTestState *s, uint8_t reg)
{
    qtest_writel(s, IOREGSEL, reg);
    return qtest_readl(s, IOWIN);
}

static void ioapic_write(QTestState *s, uint8_t reg, uint32_t val)
{
    qtest_writel(s, IOREGSEL, reg);
    qtest_writel(s, IOWIN, val);
}

static void gsi(QTestState *s, int n, int level)
{
    qtest_set_irq_in(s, "ioapic", "gsi", n, level);
}

static void test_identification(void)
{
    QTestState *s = start();

    g_assert_cmphex(ioapic_read(s, REG_ID), ==, 0x00000000);
    /* Version 11h, maximum redirection entry 23. */
    g_assert_cmphex(ioapic_read(s, REG_VER), ==, 0x00170011);
    g_assert_cmphex(ioapic_read(s, REG_ARB), ==, 0x00000000);
    /* ID bits 27:24 only; the arbitration ID follows it. */
    ioapic_write(s, REG_ID, 0xffffffff);
    g_assert_cmphex(ioapic_read(s, REG_ID), ==, 0x0f000000);
    g_assert_cmphex(ioapic_read(s, REG_ARB), ==, 0x0f000000);
    ioapic_write(s, REG_ID, 0x02000000);
    g_assert_cmphex(ioapic_read(s, REG_ID), ==, 0x02000000);
    /* VER and ARB are read-only. */
    ioapic_write(s, REG_VER, 0);
    ioapic_write(s, REG_ARB, 0);
    g_assert_cmphex(ioapic_read(s, REG_VER), ==, 0x00170011);
    g_assert_cmphex(ioapic_read(s, REG_ARB), ==, 0x02000000);
    /* Unknown registers and offsets read as all-ones. */
    g_assert_cmphex(ioapic_read(s, 0x03), ==, 0xffffffff);
    g_assert_cmphex(ioapic_read(s, 0x40), ==, 0xffffffff);
    g_assert_cmphex(qtest_readl(s, IOAPIC_BASE + 0x20), ==, 0xffffffff);
    qtest_quit(s);
}

static void test_access_sizes(void)
{
    QTestState *s = start();

    /* IOREGSEL is an 8-bit register in a 32-bit slot. */
    qtest_writeb(s, IOREGSEL, REG_VER);
    g_assert_cmphex(qtest_readb(s, IOREGSEL), ==, REG_VER);
    g_assert_cmphex(qtest_readl(s, IOREGSEL), ==, REG_VER);
    g_assert_cmphex(qtest_readb(s, IOWIN), ==, 0x11);
    g_assert_cmphex(qtest_readb(s, IOWIN + 2), ==, 0x17);
    g_assert_cmphex(qtest_readw(s, IOWIN + 2), ==, 0x0017);
    /* A byte write to IOWIN changes that byte of the register. */
    ioapic_write(s, REG_RTE_HI(4), 0x12000000);
    qtest_writel(s, IOREGSEL, REG_RTE_LO(4));
    qtest_writeb(s, IOWIN, 0x42);
    g_assert_cmphex(ioapic_read(s, REG_RTE_LO(4)), ==, RTE_MASKED | 0x42);
    g_assert_cmphex(ioapic_read(s, REG_RTE_HI(4)), ==, 0x12000000);
    /* Bytes 1-3 of IOREGSEL are not part of it. */
    qtest_writel(s, IOREGSEL, 0xabcdef00 | REG_RTE_HI(4));
    g_assert_cmphex(qtest_readl(s, IOREGSEL), ==, REG_RTE_HI(4));
    qtest_writeb(s, IOREGSEL + 1, 0x55);
    g_assert_cmphex(qtest_readl(s, IOREGSEL), ==, REG_RTE_HI(4));
    g_assert_cmphex(qtest_readl(s, IOWIN), ==, 0x12000000);
    qtest_quit(s);
}

static void test_redirection_table(void)
{
    QTestState *s = start();

    /* RESET: every entry masked, the rest zero. */
    for (int pin = 0; pin < 24; pin++) {
        g_assert_cmphex(ioapic_read(s, REG_RTE_LO(pin)), ==, RTE_MASKED);
        g_assert_cmphex(ioapic_read(s, REG_RTE_HI(pin)), ==, 0);
    }
    /* Writable: vector, delivery mode, destination mode, polarity,
     * trigger, mask, destination; delivery status, remote IRR and the
     * reserved bits read 0. */
    ioapic_write(s, REG_RTE_LO(7), 0xffffffff);
    ioapic_write(s, REG_RTE_HI(7), 0xffffffff);
    g_assert_cmphex(ioapic_read(s, REG_RTE_LO(7)), ==, 0x0001afff);
    g_assert_cmphex(ioapic_read(s, REG_RTE_HI(7)), ==, 0xff000000);
    /* Entries are independent. */
    g_assert_cmphex(ioapic_read(s, REG_RTE_LO(6)), ==, RTE_MASKED);
    g_assert_cmphex(ioapic_read(s, REG_RTE_LO(8)), ==, RTE_MASKED);
    /* Beyond entry 23: unknown. */
    g_assert_cmphex(ioapic_read(s, REG_RTE_LO(24)), ==, 0xffffffff);
    qtest_quit(s);
}

static void test_remote_irr(void)
{
    QTestState *s = start();

    /* Level-triggered, unmasked, vector 40h: an asserted pin is sent and
     * waits for its EOI with remote IRR set. */
    ioapic_write(s, REG_RTE_LO(10), RTE_LEVEL | 0x40);
    g_assert_cmphex(ioapic_read(s, REG_RTE_LO(10)), ==, RTE_LEVEL | 0x40);
    gsi(s, 10, 1);
    g_assert_cmphex(ioapic_read(s, REG_RTE_LO(10)), ==,
                    RTE_LEVEL | RTE_REMOTE_IRR | 0x40);
    /* Deasserting does not end it; only an EOI would. */
    gsi(s, 10, 0);
    g_assert_cmphex(ioapic_read(s, REG_RTE_LO(10)), ==,
                    RTE_LEVEL | RTE_REMOTE_IRR | 0x40);
    /* Remote IRR is read-only... */
    ioapic_write(s, REG_RTE_LO(10), RTE_LEVEL | 0x41);
    g_assert_cmphex(ioapic_read(s, REG_RTE_LO(10)), ==,
                    RTE_LEVEL | RTE_REMOTE_IRR | 0x41);
    /* ...and means nothing once the entry is edge-triggered. */
    ioapic_write(s, REG_RTE_LO(10), 0x41);
    g_assert_cmphex(ioapic_read(s, REG_RTE_LO(10)), ==, 0x41);

    /* Masked: an asserted level is ignored until unmasked. */
    ioapic_write(s, REG_RTE_LO(11), RTE_MASKED | RTE_LEVEL | 0x50);
    gsi(s, 11, 1);
    g_assert_cmphex(ioapic_read(s, REG_RTE_LO(11)), ==,
                    RTE_MASKED | RTE_LEVEL | 0x50);
    ioapic_write(s, REG_RTE_LO(11), RTE_LEVEL | 0x50);
    g_assert_cmphex(ioapic_read(s, REG_RTE_LO(11)), ==,
                    RTE_LEVEL | RTE_REMOTE_IRR | 0x50);

    /* Edge-triggered entries never set it. */
    ioapic_write(s, REG_RTE_LO(12), 0x60);
    gsi(s, 12, 1);
    gsi(s, 12, 0);
    g_assert_cmphex(ioapic_read(s, REG_RTE_LO(12)), ==, 0x60);
    qtest_quit(s);
}

/* The board wires ISA IRQ 0 (the PIT) to pin 2. */
static void test_pit_on_pin2(void)
{
    QTestState *s = start();

    qtest_irq_intercept_in(s, "ioapic");
    ioapic_write(s, REG_RTE_LO(0), RTE_LEVEL | 0x30);
    ioapic_write(s, REG_RTE_LO(2), RTE_LEVEL | 0x30);
    while (!qtest_get_irq(s, 0)) {
        qtest_clock_step_next(s);
    }
    g_assert_cmphex(ioapic_read(s, REG_RTE_LO(2)) & RTE_REMOTE_IRR, ==,
                    RTE_REMOTE_IRR);
    g_assert_cmphex(ioapic_read(s, REG_RTE_LO(0)) & RTE_REMOTE_IRR, ==, 0);
    qtest_quit(s);
}

static void test_fuzz(void)
{
    QTestState *s = start();
    GRand *r = g_rand_new_with_seed(82093);

    for (int i = 0; i < 20000; i++) {
        uint32_t op = g_rand_int(r);
        uint32_t v = g_rand_int(r);

        switch (op & 7) {
        case 0:
            qtest_writeb(s, IOREGSEL, v);
            break;
        case 1:
            qtest_writel(s, IOWIN, v);
            break;
        case 2:
            qtest_readl(s, IOWIN);
            break;
        case 3:
            qtest_writew(s, IOAPIC_BASE + ((op >> 8) & 0xffe), v);
            break;
        case 4:
            qtest_readb(s, IOAPIC_BASE + ((op >> 8) & 0xfff));
            break;
        default:
            gsi(s, (op >> 8) % 24, v & 1);
            break;
        }
    }
    g_rand_free(r);
    g_assert_cmphex(ioapic_read(s, REG_VER), ==, 0x00170011);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ioapic/identification", test_identification);
    g_test_add_func("/ioapic/access-sizes", test_access_sizes);
    g_test_add_func("/ioapic/redirection-table", test_redirection_table);
    g_test_add_func("/ioapic/remote-irr", test_remote_irr);
    g_test_add_func("/ioapic/pit-on-pin2", test_pit_on_pin2);
    g_test_add_func("/ioapic/fuzz", test_fuzz);
    return g_test_run();
}
