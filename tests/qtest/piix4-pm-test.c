/*
 * PIIX4 power management (function 3 at 00:01.3) over the qtest socket:
 * identity and reset values of its configuration space, the PM I/O block
 * placed by PMBA/PMREGMISC, the 3.579545 MHz PM timer against the virtual
 * clock, the timer overflow status and the SCI on IRQ 9, ACPI enable
 * through the APM port, soft-off through SLP_EN, and a register fuzz.
 */
#include "libqtest.h"

#include <string.h>

#define PM_DEVFN            ((1 << 3) | 3)

/* Configuration registers (PIIX4 datasheet 3.4). */
#define PCI_VENDOR_ID       0x00
#define PCI_DEVICE_ID       0x02
#define PCI_STATUS          0x06
#define PCI_REVISION_ID     0x08
#define PCI_CLASS_PROG      0x09
#define PCI_CLASS_DEVICE    0x0a
#define PCI_INTERRUPT_LINE  0x3c
#define PCI_INTERRUPT_PIN   0x3d
#define PMBA                0x40
#define DEVACTB             0x58
#define PMREGMISC           0x80
#define SMBBA               0x90

/* PM I/O registers (ACPI names). */
#define PM1_STS             0x00
#define  TMR_STS                0x0001
#define  PWRBTN_STS             0x0100
#define PM1_EN              0x02
#define  TMR_EN                 0x0001
#define PM1_CNT             0x04
#define  SCI_EN                 0x0001
#define  SLP_TYP_SHIFT          10
#define  SLP_EN                 0x2000
#define PM_TMR              0x08

#define PM_BASE             0xb000
#define PM_BASE2            0xc040
#define GPE0_BASE           0xafe0
#define APMC                0xb2
#define APMS                0xb3
#define SCI_IRQ             9

#define PM_TMR_HZ           3579545ULL
#define NS_PER_SEC          1000000000ULL

static uint64_t ticks_at(int64_t ns)
{
    return (unsigned __int128)ns * PM_TMR_HZ / NS_PER_SEC;
}

/* The first virtual time at which the counter reaches t. */
static int64_t ns_at(uint64_t t)
{
    return ((unsigned __int128)t * NS_PER_SEC + PM_TMR_HZ - 1) / PM_TMR_HZ;
}

static QTestState *start(void)
{
    return qtest_init("-m 128");
}

/* What SeaBIOS does: PMBA, then PMREGMISC.PMIOSE. */
static void pm_enable(QTestState *s, uint16_t base)
{
    qtest_pci_config_writel(s, PM_DEVFN, PMBA, base | 1);
    qtest_pci_config_writeb(s, PM_DEVFN, PMREGMISC, 1);
}

static void test_ids(void)
{
    QTestState *s = start();

    g_assert_cmphex(qtest_pci_config_readw(s, PM_DEVFN, PCI_VENDOR_ID), ==,
                    0x8086);
    g_assert_cmphex(qtest_pci_config_readw(s, PM_DEVFN, PCI_DEVICE_ID), ==,
                    0x7113);
    g_assert_cmphex(qtest_pci_config_readb(s, PM_DEVFN, PCI_REVISION_ID), ==,
                    0x03);
    g_assert_cmphex(qtest_pci_config_readw(s, PM_DEVFN, PCI_CLASS_DEVICE),
                    ==, 0x0680);
    g_assert_cmphex(qtest_pci_config_readb(s, PM_DEVFN, PCI_CLASS_PROG), ==,
                    0x00);
    g_assert_cmphex(qtest_pci_config_readw(s, PM_DEVFN, PCI_STATUS), ==,
                    0x0280);
    g_assert_cmphex(qtest_pci_config_readb(s, PM_DEVFN, PCI_INTERRUPT_PIN),
                    ==, 1);
    g_assert_cmphex(qtest_pci_config_readb(s, PM_DEVFN, PCI_INTERRUPT_LINE),
                    ==, SCI_IRQ);

    /* Reset values: PMBA reads 1 (I/O indicator), PM space off, and
     * DEVACTB.APMC_EN set because there is no SMM. */
    g_assert_cmphex(qtest_pci_config_readl(s, PM_DEVFN, PMBA), ==, 1);
    g_assert_cmphex(qtest_pci_config_readb(s, PM_DEVFN, PMREGMISC), ==, 0);
    g_assert_cmphex(qtest_pci_config_readl(s, PM_DEVFN, DEVACTB), ==,
                    0x02000000);
    g_assert_cmphex(qtest_pci_config_readl(s, PM_DEVFN, SMBBA), ==, 1);
    qtest_quit(s);
}

static void test_pmba(void)
{
    QTestState *s = start();

    /* Nothing decodes the block before PMIOSE. */
    qtest_pci_config_writel(s, PM_DEVFN, PMBA, PM_BASE);
    g_assert_cmphex(qtest_pci_config_readl(s, PM_DEVFN, PMBA), ==,
                    PM_BASE | 1);
    g_assert_cmphex(qtest_inw(s, PM_BASE + PM1_CNT), ==, 0xffff);

    qtest_pci_config_writeb(s, PM_DEVFN, PMREGMISC, 1);
    g_assert_cmphex(qtest_inw(s, PM_BASE + PM1_CNT), ==, 0);
    g_assert_cmphex(qtest_inw(s, PM_BASE + PM1_EN), ==, 0);

    /* Only bits 15:6 are the base; bit 0 stays 1. */
    qtest_pci_config_writel(s, PM_DEVFN, PMBA, 0xffffffff);
    g_assert_cmphex(qtest_pci_config_readl(s, PM_DEVFN, PMBA), ==, 0xffc1);

    /* Moving the block: the old place is empty, the new one answers. */
    qtest_pci_config_writel(s, PM_DEVFN, PMBA, PM_BASE2);
    g_assert_cmphex(qtest_inw(s, PM_BASE + PM1_CNT), ==, 0xffff);
    qtest_outw(s, PM_BASE2 + PM1_EN, TMR_EN);
    g_assert_cmphex(qtest_inw(s, PM_BASE2 + PM1_EN), ==, TMR_EN);

    /* PMIOSE off: gone, state kept. */
    qtest_pci_config_writeb(s, PM_DEVFN, PMREGMISC, 0);
    g_assert_cmphex(qtest_inw(s, PM_BASE2 + PM1_EN), ==, 0xffff);
    qtest_pci_config_writeb(s, PM_DEVFN, PMREGMISC, 1);
    g_assert_cmphex(qtest_inw(s, PM_BASE2 + PM1_EN), ==, TMR_EN);

    /* Registers past PM_TMR are not emulated: all-ones. */
    g_assert_cmphex(qtest_inl(s, PM_BASE2 + 0x18), ==, 0xffffffff);
    qtest_quit(s);
}

static void test_timer_rate(void)
{
    QTestState *s = start();
    uint32_t t0, t1;
    int64_t now;

    pm_enable(s, PM_BASE);

    now = qtest_clock_get(s);
    t0 = qtest_inl(s, PM_BASE + PM_TMR);
    g_assert_cmphex(t0, ==, ticks_at(now) & 0xffffff);

    /* One second of virtual time is 3579545 counts. */
    now = qtest_clock_step(s, NS_PER_SEC);
    t1 = qtest_inl(s, PM_BASE + PM_TMR);
    g_assert_cmpuint((t1 - t0) & 0xffffff, ==, PM_TMR_HZ);
    g_assert_cmphex(t1, ==, ticks_at(now) & 0xffffff);

    /* Small steps follow the clock exactly. */
    for (int i = 0; i < 10; i++) {
        now = qtest_clock_step(s, 1234567);
        g_assert_cmphex(qtest_inl(s, PM_BASE + PM_TMR), ==,
                        ticks_at(now) & 0xffffff);
    }
    /* A byte and a word read see the same counter. */
    g_assert_cmphex(qtest_inb(s, PM_BASE + PM_TMR), ==, ticks_at(now) & 0xff);
    g_assert_cmphex(qtest_inw(s, PM_BASE + PM_TMR + 1), ==,
                    (ticks_at(now) >> 8) & 0xffff);
    /* Without the clock moving, the counter stands still. */
    g_assert_cmphex(qtest_inl(s, PM_BASE + PM_TMR), ==,
                    qtest_inl(s, PM_BASE + PM_TMR));

    /* It is 24 bits wide and read-only. */
    now = qtest_clock_step(s, 5 * NS_PER_SEC);
    g_assert_cmphex(qtest_inl(s, PM_BASE + PM_TMR) >> 24, ==, 0);
    qtest_outl(s, PM_BASE + PM_TMR, 0);
    g_assert_cmphex(qtest_inl(s, PM_BASE + PM_TMR), ==,
                    ticks_at(now) & 0xffffff);
    qtest_quit(s);
}

static void test_timer_overflow_sci(void)
{
    QTestState *s = start();
    uint64_t next;
    int64_t now;

    pm_enable(s, PM_BASE);
    qtest_irq_intercept_in(s, "ioapic");

    /* ACPI mode, as an OS enables it through the FADT's SMI_CMD. */
    qtest_outb(s, APMC, 0xf1);
    g_assert_cmphex(qtest_inw(s, PM_BASE + PM1_CNT) & SCI_EN, ==, SCI_EN);
    g_assert_cmphex(qtest_inb(s, APMC), ==, 0xf1);

    qtest_outw(s, PM_BASE + PM1_STS, 0xffff);
    qtest_outw(s, PM_BASE + PM1_EN, TMR_EN);
    g_assert(!qtest_get_irq(s, SCI_IRQ));

    /* The status comes with the next flip of bit 23, not a ns earlier. */
    now = qtest_clock_get(s);
    next = (ticks_at(now) + 0x800000) & ~0x7fffffULL;
    qtest_clock_set(s, ns_at(next) - 1);
    g_assert_cmphex(qtest_inw(s, PM_BASE + PM1_STS) & TMR_STS, ==, 0);
    g_assert(!qtest_get_irq(s, SCI_IRQ));
    qtest_clock_set(s, ns_at(next));
    g_assert(qtest_get_irq(s, SCI_IRQ));
    g_assert_cmphex(qtest_inw(s, PM_BASE + PM1_STS) & TMR_STS, ==, TMR_STS);
    g_assert_cmphex(qtest_inl(s, PM_BASE + PM_TMR) & 0x7fffff, ==, 0);

    /* Write 1 to clear: the SCI goes away, and comes back at the next
     * flip (the timer was re-armed, nobody polls). */
    qtest_outw(s, PM_BASE + PM1_STS, TMR_STS);
    g_assert(!qtest_get_irq(s, SCI_IRQ));
    g_assert_cmphex(qtest_inw(s, PM_BASE + PM1_STS) & TMR_STS, ==, 0);
    qtest_clock_set(s, ns_at(next + 0x800000));
    g_assert(qtest_get_irq(s, SCI_IRQ));
    qtest_outw(s, PM_BASE + PM1_STS, TMR_STS);
    g_assert(!qtest_get_irq(s, SCI_IRQ));

    /* Writing 0 clears nothing. */
    qtest_clock_set(s, ns_at(next + 2 * 0x800000));
    qtest_outw(s, PM_BASE + PM1_STS, 0);
    g_assert(qtest_get_irq(s, SCI_IRQ));

    /* Disabled: the status still sets, the SCI stays low. */
    qtest_outw(s, PM_BASE + PM1_STS, TMR_STS);
    qtest_outw(s, PM_BASE + PM1_EN, 0);
    qtest_clock_set(s, ns_at(next + 3 * 0x800000));
    g_assert(!qtest_get_irq(s, SCI_IRQ));
    g_assert_cmphex(qtest_inw(s, PM_BASE + PM1_STS) & TMR_STS, ==, TMR_STS);
    /* Enabling with the status pending raises it at once. */
    qtest_outb(s, PM_BASE + PM1_EN, TMR_EN);
    g_assert(qtest_get_irq(s, SCI_IRQ));

    /* ACPI disable (SCI_EN off) takes the SCI down; enable restores it. */
    qtest_outb(s, APMC, 0xf0);
    g_assert_cmphex(qtest_inw(s, PM_BASE + PM1_CNT) & SCI_EN, ==, 0);
    g_assert(!qtest_get_irq(s, SCI_IRQ));
    qtest_outb(s, APMC, 0xf1);
    g_assert(qtest_get_irq(s, SCI_IRQ));

    /* A byte write to the high half of PM1_EN keeps the low half. */
    qtest_outb(s, PM_BASE + PM1_EN + 1, 0x01);
    g_assert_cmphex(qtest_inw(s, PM_BASE + PM1_EN), ==, 0x0101);
    qtest_quit(s);
}

static void test_apm_gpe(void)
{
    QTestState *s = start();

    qtest_outb(s, APMS, 0x5a);
    g_assert_cmphex(qtest_inb(s, APMS), ==, 0x5a);
    qtest_outb(s, APMC, 0x12);
    g_assert_cmphex(qtest_inb(s, APMC), ==, 0x12);
    g_assert_cmphex(qtest_inw(s, APMC), ==, 0x5a12);

    /* GPE0: 2 status bytes (nothing pending), 2 enable bytes. */
    g_assert_cmphex(qtest_inl(s, GPE0_BASE), ==, 0);
    qtest_outw(s, GPE0_BASE + 2, 0xffff);
    g_assert_cmphex(qtest_inw(s, GPE0_BASE + 2), ==, 0xffff);
    qtest_outw(s, GPE0_BASE, 0xffff);
    g_assert_cmphex(qtest_inw(s, GPE0_BASE), ==, 0);
    qtest_quit(s);
}

static void test_power_button(void)
{
    g_test_skip("system_powerdown needs the QMP monitor");
}

static void test_soft_off(void)
{
    QTestState *s = start();

    pm_enable(s, PM_BASE);
    /* S3 is not emulated: the machine keeps running. */
    qtest_outw(s, PM_BASE + PM1_CNT, 1 << SLP_TYP_SHIFT | SLP_EN);
    g_assert_cmphex(qtest_inw(s, PM_BASE + PM1_CNT), ==, 1 << SLP_TYP_SHIFT);

    /* \_S5 is SLP_TYP 0: power off, exit status 0. */
    qtest_outw(s, PM_BASE + PM1_CNT, 0 << SLP_TYP_SHIFT | SLP_EN);
    g_assert_cmpint(qtest_wait_exit(s), ==, 0);
    qtest_quit(s);
}

/* Random accesses to every register: only "did not crash or hang". The
 * writes leave SLP_EN alone (it would end the test) and the base
 * registers (a PM block over 0xcf8 would hide the config ports). */
static void test_fuzz(void)
{
    QTestState *s = start();
    GRand *r = g_rand_new_with_seed(0x82371ab);

    pm_enable(s, PM_BASE);
    for (int i = 0; i < 2000; i++) {
        unsigned size = 1u << g_rand_int_range(r, 0, 3);
        unsigned off = g_rand_int_range(r, 0, 64);
        uint32_t v = g_rand_int(r);

        switch (g_rand_int_range(r, 0, 6)) {
        case 0:
            if (off <= PM1_CNT + 1 && off + size > PM1_CNT + 1) {
                v &= ~((uint32_t)(SLP_EN >> 8) << (8 * (PM1_CNT + 1 - off)));
            }
            if (size == 1) {
                qtest_outb(s, PM_BASE + off, v);
            } else if (size == 2) {
                qtest_outw(s, PM_BASE + off, v);
            } else {
                qtest_outl(s, PM_BASE + off, v);
            }
            break;
        case 1:
            if (size == 1) {
                qtest_inb(s, PM_BASE + off);
            } else if (size == 2) {
                qtest_inw(s, PM_BASE + off);
            } else {
                qtest_inl(s, PM_BASE + off);
            }
            break;
        case 2: {
            unsigned reg = 0x40 + g_rand_int_range(r, 0, 0xc0);

            if ((reg >= PMBA && reg < PMBA + 4) || reg == PMREGMISC) {
                break;
            }
            qtest_pci_config_writeb(s, PM_DEVFN, reg, v);
            break;
        }
        case 3:
            qtest_outb(s, GPE0_BASE + (off & 3), v);
            break;
        case 4:
            if ((v & 0xff) != 0xf0 && (v & 0xff) != 0xf1) {
                qtest_outb(s, APMC + (off & 1), v);
            }
            break;
        default:
            qtest_clock_step(s, g_rand_int(r) & 0xfffffff);
            break;
        }
    }
    g_rand_free(r);
    g_assert_cmphex(qtest_pci_config_readw(s, PM_DEVFN, PCI_DEVICE_ID), ==,
                    0x7113);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/piix4-pm/ids", test_ids);
    g_test_add_func("/piix4-pm/pmba", test_pmba);
    g_test_add_func("/piix4-pm/timer/rate", test_timer_rate);
    g_test_add_func("/piix4-pm/timer/overflow-sci", test_timer_overflow_sci);
    g_test_add_func("/piix4-pm/apm-gpe", test_apm_gpe);
    g_test_add_func("/piix4-pm/power-button", test_power_button);
    g_test_add_func("/piix4-pm/soft-off", test_soft_off);
    g_test_add_func("/piix4-pm/fuzz", test_fuzz);
    return g_test_run();
}
