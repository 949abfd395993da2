/*
 * The i440FX host bridge and the PIIX3: configuration mechanism #1, the
 * IDs SeaBIOS looks for, PAM shadowing of C0000h-FFFFFh, the SMRAM
 * window at A0000h, PIRQ routing registers, and the two reset paths
 * (reset control register CF9h, port 92h).
 */
#include "libqtest.h"

#include <string.h>

#define I440FX_DEVFN    0x00
#define PIIX3_DEVFN     0x08
#define PAM0            0x59
#define SMRAM           0x72

static void test_ids(void)
{
    QTestState *s = qtest_init("-M pc");

    g_assert_cmphex(qtest_pci_config_readl(s, I440FX_DEVFN, 0x00), ==,
                    0x12378086);
    g_assert_cmphex(qtest_pci_config_readl(s, I440FX_DEVFN, 0x08) >> 8, ==,
                    0x060000);
    /* Red Hat / QEMU subsystem: SeaBIOS's "Running on QEMU (i440fx)" */
    g_assert_cmphex(qtest_pci_config_readl(s, I440FX_DEVFN, 0x2c), ==,
                    0x11001af4);
    g_assert_cmphex(qtest_pci_config_readl(s, PIIX3_DEVFN, 0x00), ==,
                    0x70008086);
    g_assert_cmphex(qtest_pci_config_readb(s, PIIX3_DEVFN, 0x0e), ==, 0x80);
    g_assert_cmphex(qtest_pci_config_readl(s, PIIX3_DEVFN, 0x08) >> 8, ==,
                    0x060100);
    /* absent slot and absent bus read all-ones */
    g_assert_cmphex(qtest_pci_config_readl(s, 0xf8, 0x00), ==, 0xffffffff);
    qtest_outl(s, 0xcf8, 0x80010000);
    g_assert_cmphex(qtest_inl(s, 0xcfc), ==, 0xffffffff);
    qtest_quit(s);
}

static void test_config_address(void)
{
    QTestState *s = qtest_init("-M pc");

    qtest_outl(s, 0xcf8, 0x80000004);
    g_assert_cmphex(qtest_inl(s, 0xcf8), ==, 0x80000004);
    /* the low two bits are not part of the address */
    qtest_outl(s, 0xcf8, 0x80000003);
    g_assert_cmphex(qtest_inl(s, 0xcf8), ==, 0x80000000);
    /* byte lanes of CONFIG_DATA select bytes of the register */
    qtest_outl(s, 0xcf8, 0x80000000);
    g_assert_cmphex(qtest_inb(s, 0xcfc), ==, 0x86);
    g_assert_cmphex(qtest_inb(s, 0xcfd), ==, 0x80);
    g_assert_cmphex(qtest_inw(s, 0xcfe), ==, 0x1237);
    /* without the enable bit nothing is selected */
    qtest_outl(s, 0xcf8, 0x00000000);
    g_assert_cmphex(qtest_inl(s, 0xcfc), ==, 0xffffffff);
    qtest_quit(s);
}

static void set_pam(QTestState *s, int reg, uint8_t v)
{
    qtest_pci_config_writeb(s, I440FX_DEVFN, reg, v);
}

static void test_pam_bios_segment(void)
{
    QTestState *s = qtest_init("-M pc");
    uint8_t rom[16], top[16], buf[16];

    /* PAM off: F0000h shows the BIOS, the same bytes as below 4 GiB */
    qtest_memread(s, 0xffff0, rom, sizeof(rom));
    qtest_memread(s, 0xfffffff0, top, sizeof(top));
    g_assert(memcmp(rom, top, sizeof(rom)) == 0);
    g_assert_cmphex(rom[0], ==, 0xea);      /* the reset vector's far jmp */

    /* read/write RAM */
    set_pam(s, PAM0, 0x30);
    qtest_writeb(s, 0xffff0, 0xab);
    g_assert_cmphex(qtest_readb(s, 0xffff0), ==, 0xab);
    g_assert_cmphex(qtest_readb(s, 0xfffffff0), ==, 0xea);  /* ROM intact */

    /* read-only RAM: reads RAM, writes dropped */
    set_pam(s, PAM0, 0x10);
    qtest_writeb(s, 0xffff0, 0xcd);
    g_assert_cmphex(qtest_readb(s, 0xffff0), ==, 0xab);

    /* off again: the ROM shows through, RAM keeps its byte */
    set_pam(s, PAM0, 0x00);
    qtest_memread(s, 0xffff0, buf, sizeof(buf));
    g_assert(memcmp(buf, rom, sizeof(buf)) == 0);
    set_pam(s, PAM0, 0x10);
    g_assert_cmphex(qtest_readb(s, 0xffff0), ==, 0xab);
    g_assert_cmphex(qtest_pci_config_readb(s, I440FX_DEVFN, PAM0), ==, 0x10);
    qtest_quit(s);
}

static void test_pam_16k_segments(void)
{
    QTestState *s = qtest_init("-M pc");

    /* C0000h-C3FFFh and C4000h-C7FFFh are PAM1's two nibbles; nothing
     * is behind them in PCI space (no option ROMs), so they float */
    g_assert_cmphex(qtest_readb(s, 0xc0000), ==, 0xff);
    set_pam(s, PAM0 + 1, 0x03);
    qtest_writeb(s, 0xc0000, 0x11);
    qtest_writeb(s, 0xc4000, 0x22);
    g_assert_cmphex(qtest_readb(s, 0xc0000), ==, 0x11);
    g_assert_cmphex(qtest_readb(s, 0xc3fff + 1 - 1), ==, 0x00);
    g_assert_cmphex(qtest_readb(s, 0xc4000), ==, 0xff);
    set_pam(s, PAM0 + 1, 0x33);
    qtest_writeb(s, 0xc4000, 0x22);
    g_assert_cmphex(qtest_readb(s, 0xc4000), ==, 0x22);
    /* PAM6's high nibble: EC000h-EFFFFh */
    set_pam(s, PAM0 + 6, 0x30);
    qtest_writeb(s, 0xec000, 0x66);
    g_assert_cmphex(qtest_readb(s, 0xec000), ==, 0x66);
    g_assert_cmphex(qtest_readb(s, 0xe8000), !=, 0x66);
    /* only the RE/WE bits are writable */
    set_pam(s, PAM0 + 2, 0xff);
    g_assert_cmphex(qtest_pci_config_readb(s, I440FX_DEVFN, PAM0 + 2), ==,
                    0x33);
    qtest_quit(s);
}

static void test_smram(void)
{
    QTestState *s = qtest_init("-M pc");

    g_assert_cmphex(qtest_pci_config_readb(s, I440FX_DEVFN, SMRAM), ==,
                    0x02);
    /* VGA window: nothing there without a display adapter */
    qtest_writeb(s, 0xa0000, 0x5a);
    g_assert_cmphex(qtest_readb(s, 0xa0000), ==, 0xff);
    /* D_OPEN shows the RAM below */
    qtest_pci_config_writeb(s, I440FX_DEVFN, SMRAM, 0x4a);
    qtest_writeb(s, 0xa0000, 0x5a);
    g_assert_cmphex(qtest_readb(s, 0xa0000), ==, 0x5a);
    qtest_pci_config_writeb(s, I440FX_DEVFN, SMRAM, 0x0a);
    g_assert_cmphex(qtest_readb(s, 0xa0000), ==, 0xff);
    /* D_LCK: D_OPEN can no longer be set, D_LCK sticks */
    qtest_pci_config_writeb(s, I440FX_DEVFN, SMRAM, 0x1a);
    qtest_pci_config_writeb(s, I440FX_DEVFN, SMRAM, 0x4a);
    g_assert_cmphex(qtest_pci_config_readb(s, I440FX_DEVFN, SMRAM), ==,
                    0x1a);
    g_assert_cmphex(qtest_readb(s, 0xa0000), ==, 0xff);
    qtest_quit(s);
}

static void test_pirq_registers(void)
{
    QTestState *s = qtest_init("-M pc");

    for (int i = 0; i < 4; i++) {
        g_assert_cmphex(qtest_pci_config_readb(s, PIIX3_DEVFN, 0x60 + i), ==,
                        0x80);
    }
    qtest_pci_config_writel(s, PIIX3_DEVFN, 0x60, 0x0b0b0a0a);
    g_assert_cmphex(qtest_pci_config_readl(s, PIIX3_DEVFN, 0x60), ==,
                    0x0b0b0a0a);
    qtest_quit(s);
}

static void test_reset_cf9_no_reboot(void)
{
    QTestState *s = qtest_init("-M pc -no-reboot");

    /* SYS_RST alone does nothing; RST_CPU going to 1 resets */
    qtest_outb(s, 0xcf9, 0x02);
    g_assert_cmphex(qtest_inb(s, 0xcf9), ==, 0x02);
    qtest_outb(s, 0xcf9, 0x06);
    g_assert_cmpint(qtest_wait_exit(s), ==, 0);
    qtest_quit(s);
}

static void test_reset_cf9_resets_chipset(void)
{
    QTestState *s = qtest_init("-M pc");

    set_pam(s, PAM0, 0x30);
    qtest_writeb(s, 0xffff0, 0xab);
    qtest_outb(s, 0xcf9, 0x06);
    /* The reset is carried out by the main loop: a following command is
     * answered after it. */
    g_assert_cmphex(qtest_pci_config_readb(s, I440FX_DEVFN, PAM0), ==, 0x00);
    g_assert_cmphex(qtest_readb(s, 0xffff0), ==, 0xea);
    qtest_quit(s);
}

static void test_reset_port92(void)
{
    QTestState *s = qtest_init("-M pc -no-reboot");

    qtest_outb(s, 0x92, 0x02);              /* A20 on, no reset */
    g_assert_cmphex(qtest_inb(s, 0x92), ==, 0x02);
    qtest_outb(s, 0x92, 0x03);
    g_assert_cmpint(qtest_wait_exit(s), ==, 0);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/i440fx/ids", test_ids);
    g_test_add_func("/i440fx/config-address", test_config_address);
    g_test_add_func("/i440fx/pam/bios-segment", test_pam_bios_segment);
    g_test_add_func("/i440fx/pam/16k-segments", test_pam_16k_segments);
    g_test_add_func("/i440fx/smram", test_smram);
    g_test_add_func("/piix3/pirq-registers", test_pirq_registers);
    g_test_add_func("/piix3/reset-cf9-no-reboot", test_reset_cf9_no_reboot);
    g_test_add_func("/piix3/reset-cf9-resets-chipset",
                    test_reset_cf9_resets_chipset);
    g_test_add_func("/piix3/reset-port92", test_reset_port92);
    return g_test_run();
}
