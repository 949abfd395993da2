/*
 * The Cirrus CL-GD5446 (PCI 1013:00B8) on the pc machine, with no CPU:
 * PCI identity and BARs, the extension unlock and chip ID, the hidden DAC
 * register, banked and linear access, extended modes drawn into a QMP
 * screendump (with the hardware cursor), the BitBLT engine (every ROP,
 * both directions, patterns, colour expansion, system-to-screen) against
 * references computed here, and hostile BitBLTs that must change nothing.
 */
#include "libqtest.h"
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CIRRUS_DEVFN    (2 << 3)
#define LFB_ADDR        0xe0000000u     /* BAR0, 32 MiB */
#define MMIO_ADDR       0xe2000000u     /* BAR1, 4 KiB */
#define ROM_ADDR        0xe2100000u
#define BLT             (MMIO_ADDR + 0x100)
#define VRAM_SIZE       (4u << 20)
#define BLTPORT_ADDR    (LFB_ADDR + (16u << 20))

/* --- helpers ------------------------------------------------------------ */

static void sr_write(QTestState *s, uint8_t i, uint8_t v)
{
    qtest_outb(s, 0x3c4, i);
    qtest_outb(s, 0x3c5, v);
}

static uint8_t sr_read(QTestState *s, uint8_t i)
{
    qtest_outb(s, 0x3c4, i);
    return qtest_inb(s, 0x3c5);
}

static void gr_write(QTestState *s, uint8_t i, uint8_t v)
{
    qtest_outb(s, 0x3ce, i);
    qtest_outb(s, 0x3cf, v);
}

static uint8_t gr_read(QTestState *s, uint8_t i)
{
    qtest_outb(s, 0x3ce, i);
    return qtest_inb(s, 0x3cf);
}

static void cr_write(QTestState *s, uint8_t i, uint8_t v)
{
    qtest_outb(s, 0x3d4, i);
    qtest_outb(s, 0x3d5, v);
}

static uint8_t cr_read(QTestState *s, uint8_t i)
{
    qtest_outb(s, 0x3d4, i);
    return qtest_inb(s, 0x3d5);
}

static void hdr_write(QTestState *s, uint8_t v)
{
    qtest_outb(s, 0x3c6, 0xff);     /* a write resets the read count */
    for (int i = 0; i < 4; i++) {
        qtest_inb(s, 0x3c6);
    }
    qtest_outb(s, 0x3c6, v);
}

static uint32_t bar_size(QTestState *s, int reg, uint32_t type_mask)
{
    uint32_t old = qtest_pci_config_readl(s, CIRRUS_DEVFN, reg), v;

    qtest_pci_config_writel(s, CIRRUS_DEVFN, reg, 0xffffffff);
    v = qtest_pci_config_readl(s, CIRRUS_DEVFN, reg);
    qtest_pci_config_writel(s, CIRRUS_DEVFN, reg, old);
    return ~(v & ~type_mask) + 1;
}

static void map_bars(QTestState *s)
{
    qtest_pci_config_writel(s, CIRRUS_DEVFN, 0x10, LFB_ADDR);
    qtest_pci_config_writel(s, CIRRUS_DEVFN, 0x14, MMIO_ADDR);
    qtest_pci_config_writel(s, CIRRUS_DEVFN, 0x30, ROM_ADDR | 1);
    qtest_pci_config_writew(s, CIRRUS_DEVFN, 0x04, 0x0003);
}

static QTestState *cirrus_start(const char *extra)
{
    QTestState *s = qtest_initf("-M pc -vga cirrus %s", extra ? extra : "");

    map_bars(s);
    qtest_outb(s, 0x3c2, 0x67);             /* colour, RAM enabled */
    sr_write(s, 0x06, 0x12);                /* unlock */
    return s;
}

/* A BitBLT through the memory-mapped registers in BAR1. */
typedef struct Blt {
    uint32_t width, height;     /* bytes, lines */
    uint32_t dpitch, spitch;
    uint32_t daddr, saddr;
    uint8_t mode, rop, modeext, skip;
    uint32_t fg, bg;
} Blt;

static void blt_run(QTestState *s, const Blt *b)
{
    qtest_writel(s, BLT + 0x00, b->bg);
    qtest_writel(s, BLT + 0x04, b->fg);
    qtest_writew(s, BLT + 0x08, b->width - 1);
    qtest_writew(s, BLT + 0x0a, b->height - 1);
    qtest_writew(s, BLT + 0x0c, b->dpitch);
    qtest_writew(s, BLT + 0x0e, b->spitch);
    qtest_writel(s, BLT + 0x10, b->daddr);
    qtest_writel(s, BLT + 0x14, b->saddr);
    qtest_writeb(s, BLT + 0x17, b->skip);
    qtest_writeb(s, BLT + 0x18, b->mode);
    qtest_writeb(s, BLT + 0x1a, b->rop);
    qtest_writeb(s, BLT + 0x1b, b->modeext);
    qtest_writeb(s, BLT + 0x40, 0x02);      /* start */
}

/* Deterministic bytes. */
static void fill_random(uint8_t *buf, size_t n, uint32_t seed)
{
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        buf[i] = seed >> 16;
    }
}

/* The ROPs as the manual's table defines them. */
static uint8_t ref_rop(uint8_t rop, uint8_t sv, uint8_t d)
{
    switch (rop) {
    case 0x00: return 0x00;
    case 0x05: return sv & d;
    case 0x06: return d;
    case 0x09: return sv & ~d;
    case 0x0b: return ~d;
    case 0x0d: return sv;
    case 0x0e: return 0xff;
    case 0x50: return ~sv & d;
    case 0x59: return sv ^ d;
    case 0x6d: return sv | d;
    case 0x90: return ~(sv & d);
    case 0x95: return ~(sv ^ d);
    case 0xad: return sv | ~d;
    case 0xd0: return ~sv;
    case 0xd6: return ~sv | d;
    case 0xda: return ~(sv | d);
    }
    g_assert_not_reached();
}

static const uint8_t rops[16] = {
    0x00, 0x05, 0x06, 0x09, 0x0b, 0x0d, 0x0e, 0x50,
    0x59, 0x6d, 0x90, 0x95, 0xad, 0xd0, 0xd6, 0xda,
};

/* --- QMP screendump ----------------------------------------------------- */

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

typedef struct Screen {
    QTestState *qts;
    QMP qmp;
    char *dir, *sock, *ppm;
    int width, height;
    uint8_t *data;          /* RGB */
} Screen;

static void screen_start(Screen *sc, const char *extra)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char *greeting, *args;

    sc->dir = g_dir_make_tmp("cirrus-test-XXXXXX", NULL);
    sc->sock = g_build_filename(sc->dir, "qmp.sock", NULL);
    sc->ppm = g_build_filename(sc->dir, "s.ppm", NULL);
    args = g_strdup_printf("-qmp unix:%s,server=on,wait=off %s", sc->sock,
                           extra ? extra : "");
    sc->qts = cirrus_start(args);
    g_free(args);
    sc->qmp.fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_assert_cmpint(sc->qmp.fd, >=, 0);
    g_strlcpy(sa.sun_path, sc->sock, sizeof(sa.sun_path));
    g_assert_cmpint(connect(sc->qmp.fd, (struct sockaddr *)&sa, sizeof(sa)),
                    ==, 0);
    sc->qmp.buf = g_string_new(NULL);
    greeting = qmp_line(&sc->qmp);
    g_assert_nonnull(strstr(greeting, "\"QMP\""));
    g_free(greeting);
    g_free(qmp_cmd(&sc->qmp, "{\"execute\": \"qmp_capabilities\"}\n"));
    sc->data = NULL;
}

static void screen_dump(Screen *sc)
{
    char *cmd = g_strdup_printf("{\"execute\": \"screendump\", "
                                "\"arguments\": {\"filename\": \"%s\"}}\n",
                                sc->ppm);
    char *reply = qmp_cmd(&sc->qmp, cmd), *data, *p;
    gsize len;

    g_assert_nonnull(strstr(reply, "\"return\""));
    g_free(reply);
    g_free(cmd);
    g_assert_true(g_file_get_contents(sc->ppm, &data, &len, NULL));
    g_assert_true(g_str_has_prefix(data, "P6\n"));
    sc->width = strtol(data + 3, &p, 10);
    sc->height = strtol(p, &p, 10);
    g_assert_cmpint(strtol(p, &p, 10), ==, 255);
    p++;
    g_assert_cmpuint(len, ==, (p - data) + (gsize)sc->width * sc->height * 3);
    g_free(sc->data);
    sc->data = g_memdup2(p, (gsize)sc->width * sc->height * 3);
    g_free(data);
    unlink(sc->ppm);
}

static uint32_t screen_px(Screen *sc, int x, int y)
{
    const uint8_t *p = sc->data + ((size_t)y * sc->width + x) * 3;

    g_assert_cmpint(x, <, sc->width);
    g_assert_cmpint(y, <, sc->height);
    return (uint32_t)p[0] << 16 | p[1] << 8 | p[2];
}

static void screen_stop(Screen *sc)
{
    close(sc->qmp.fd);
    g_string_free(sc->qmp.buf, true);
    qtest_quit(sc->qts);
    unlink(sc->sock);
    rmdir(sc->dir);
    g_free(sc->sock);
    g_free(sc->ppm);
    g_free(sc->dir);
    g_free(sc->data);
}

/*
 * An extended mode as the BIOS would set it: 640x480 with CR13 (and CR1B
 * bit 4) giving the pitch in 8-byte units, SR7 the depth, the hidden DAC
 * 5-5-5 or 5-6-5; the attribute controller's display enable.
 */
static void set_mode_640x480(QTestState *s, uint8_t sr7, uint8_t hdr,
                             unsigned bytes_pp)
{
    uint32_t pitch = 640 * bytes_pp / 8;

    cr_write(s, 0x11, 0x00);                /* unlock CR0-7 */
    cr_write(s, 0x01, 79);                  /* 80 clocks: 640 pixels */
    cr_write(s, 0x12, (480 - 1) & 0xff);
    cr_write(s, 0x07, 0x02 | 0x40 * 0);     /* VDE bit 8 */
    cr_write(s, 0x09, 0x00);
    cr_write(s, 0x13, pitch & 0xff);
    cr_write(s, 0x1b, (pitch >> 8) & 1 ? 0x10 : 0x00);
    cr_write(s, 0x0c, 0);
    cr_write(s, 0x0d, 0);
    sr_write(s, 0x07, sr7);
    hdr_write(s, hdr);
    qtest_outb(s, 0x3c6, 0xff);
    qtest_inb(s, 0x3da);
    qtest_outb(s, 0x3c0, 0x20);             /* display on */
}

/* --- tests -------------------------------------------------------------- */

static void test_pci_identity(void)
{
    QTestState *s = qtest_init("-M pc -vga cirrus");

    g_assert_cmphex(qtest_pci_config_readw(s, CIRRUS_DEVFN, 0x00), ==,
                    0x1013);
    g_assert_cmphex(qtest_pci_config_readw(s, CIRRUS_DEVFN, 0x02), ==,
                    0x00b8);
    g_assert_cmphex(qtest_pci_config_readw(s, CIRRUS_DEVFN, 0x0a), ==,
                    0x0300);
    /* BAR0: 32 MiB prefetchable memory; BAR1: 4 KiB; ROM: 64 KiB. */
    g_assert_cmphex(qtest_pci_config_readl(s, CIRRUS_DEVFN, 0x10) & 0xf, ==,
                    0x8);
    g_assert_cmphex(bar_size(s, 0x10, 0xf), ==, 32 << 20);
    g_assert_cmphex(qtest_pci_config_readl(s, CIRRUS_DEVFN, 0x14) & 0xf, ==,
                    0x0);
    g_assert_cmphex(bar_size(s, 0x14, 0xf), ==, 4096);
    g_assert_cmphex(bar_size(s, 0x30, 0x7ff), ==, 64 << 10);
    map_bars(s);
    g_assert_cmphex(qtest_readw(s, ROM_ADDR), ==, 0xaa55);
    qtest_quit(s);
}

static void test_adapter_choice(void)
{
    QTestState *s;

    /* The default stays the std VGA; -device cirrus-vga replaces it;
     * -vga none has none. */
    s = qtest_init("-M pc");
    g_assert_cmphex(qtest_pci_config_readw(s, CIRRUS_DEVFN, 0x00), ==,
                    0x1234);
    qtest_quit(s);
    s = qtest_init("-M pc -device cirrus-vga,addr=05.0");
    g_assert_cmphex(qtest_pci_config_readw(s, CIRRUS_DEVFN, 0x00), ==,
                    0xffff);
    g_assert_cmphex(qtest_pci_config_readw(s, 5 << 3, 0x02), ==, 0x00b8);
    qtest_quit(s);
    s = qtest_init("-M pc -vga none");
    g_assert_cmphex(qtest_pci_config_readw(s, CIRRUS_DEVFN, 0x00), ==,
                    0xffff);
    g_assert_cmphex(qtest_inb(s, 0x3cc), ==, 0xff);
    qtest_quit(s);
}

static void test_unlock_and_id(void)
{
    QTestState *s = qtest_init("-M pc -vga cirrus");

    qtest_outb(s, 0x3c2, 0x67);
    /* Locked at reset: SR6 reads 0Fh, extension writes are ignored. */
    g_assert_cmphex(sr_read(s, 0x06), ==, 0x0f);
    gr_write(s, 0x09, 0x55);
    g_assert_cmphex(gr_read(s, 0x09), ==, 0x00);
    sr_write(s, 0x06, 0x12);
    g_assert_cmphex(sr_read(s, 0x06), ==, 0x12);
    gr_write(s, 0x09, 0x55);
    g_assert_cmphex(gr_read(s, 0x09), ==, 0x55);
    /* Chip ID: CL-GD5446. */
    g_assert_cmphex(cr_read(s, 0x27), ==, 0xb8);
    cr_write(s, 0x27, 0x00);
    g_assert_cmphex(cr_read(s, 0x27), ==, 0xb8);
    /* 4 MiB as SeaVGABIOS reads it: SR0F bits 3-4 and 7. */
    g_assert_cmphex(sr_read(s, 0x0f) & 0x98, ==, 0x98);
    /* Full indices: SR index 1Fh, GR index 3Fh, CR index 1Dh. */
    sr_write(s, 0x1e, 0x5a);
    g_assert_cmphex(sr_read(s, 0x1e), ==, 0x5a);
    g_assert_cmphex(qtest_inb(s, 0x3c4), ==, 0x1e);
    gr_write(s, 0x3f, 0xa5);
    g_assert_cmphex(gr_read(s, 0x3f), ==, 0xa5);
    cr_write(s, 0x1d, 0x80);
    g_assert_cmphex(cr_read(s, 0x1d), ==, 0x80);
    /* Standard registers still reach the core. */
    sr_write(s, 0x02, 0x0f);
    g_assert_cmphex(sr_read(s, 0x02), ==, 0x0f);
    /* Relocking. */
    sr_write(s, 0x06, 0x00);
    g_assert_cmphex(sr_read(s, 0x06), ==, 0x0f);
    gr_write(s, 0x09, 0x11);
    g_assert_cmphex(gr_read(s, 0x09), ==, 0x55);

    /* Hidden DAC: the fifth read of 3C6h in a row; a write after four
     * reads. Other accesses reset the count. */
    sr_write(s, 0x06, 0x12);
    qtest_outb(s, 0x3c6, 0xff);
    hdr_write(s, 0xe1);
    g_assert_cmphex(qtest_inb(s, 0x3c6), ==, 0xff);     /* PEL mask */
    for (int i = 0; i < 3; i++) {
        g_assert_cmphex(qtest_inb(s, 0x3c6), ==, 0xff);
    }
    g_assert_cmphex(qtest_inb(s, 0x3c6), ==, 0xe1);
    for (int i = 0; i < 3; i++) {
        qtest_inb(s, 0x3c6);
    }
    qtest_inb(s, 0x3c8);                                /* breaks the run */
    g_assert_cmphex(qtest_inb(s, 0x3c6), ==, 0xff);
    qtest_quit(s);
}

static void test_banked_and_linear(void)
{
    QTestState *s = cirrus_start(NULL);
    uint8_t buf[16];

    sr_write(s, 0x07, 0x01);                /* extended 8 bpp */
    gr_write(s, 0x06, 0x05);                /* A0000h, 64 KiB, graphics */
    gr_write(s, 0x0b, 0x00);                /* single bank, 4 KiB units */
    gr_write(s, 0x09, 0x10);                /* 64 KiB */
    qtest_writel(s, 0xa0010, 0xdeadbeef);
    g_assert_cmphex(qtest_readl(s, LFB_ADDR + 0x10010), ==, 0xdeadbeef);
    g_assert_cmphex(qtest_readl(s, 0xa0010), ==, 0xdeadbeef);
    /* Dual banks, 16 KiB units: A8000h through GRA. */
    gr_write(s, 0x0b, 0x21);
    gr_write(s, 0x0a, 0x40);                /* 1 MiB */
    qtest_writel(s, 0xa8004, 0x12345678);
    g_assert_cmphex(qtest_readl(s, LFB_ADDR + 0x100004), ==, 0x12345678);
    /* Offsets past video memory read FFh and drop writes. */
    gr_write(s, 0x0a, 0xff);                /* 0xff * 16 KiB + 32 KiB... */
    gr_write(s, 0x0b, 0x21);
    qtest_writeb(s, 0xafff0, 0x77);
    g_assert_cmphex(qtest_readb(s, 0xafff0), ==, 0xff);
    /* The byte-swapping apertures. */
    qtest_writel(s, LFB_ADDR + 0x200, 0x11223344);
    g_assert_cmphex(qtest_readl(s, LFB_ADDR + (4 << 20) + 0x200), ==,
                    0x22114433);
    g_assert_cmphex(qtest_readl(s, LFB_ADDR + (8 << 20) + 0x200), ==,
                    0x44332211);
    qtest_writew(s, LFB_ADDR + (4 << 20) + 0x300, 0xaabb);
    g_assert_cmphex(qtest_readw(s, LFB_ADDR + 0x300), ==, 0xbbaa);
    /* Write mode 4 at 8 bpp: set bits draw GR1, clear bits stay. */
    memset(buf, 0x33, sizeof(buf));
    qtest_memwrite(s, LFB_ADDR + 0x400, buf, 8);
    gr_write(s, 0x0b, 0x06);                /* ext write modes, BY8 */
    gr_write(s, 0x09, 0x00);
    gr_write(s, 0x05, 0x04);
    gr_write(s, 0x01, 0xc7);
    sr_write(s, 0x02, 0xff);
    qtest_writeb(s, 0xa0000 + 0x400 / 8, 0xa5);
    qtest_memread(s, LFB_ADDR + 0x400, buf, 8);
    for (int i = 0; i < 8; i++) {
        g_assert_cmphex(buf[i], ==, (0xa5 & (0x80 >> i)) ? 0xc7 : 0x33);
    }
    /* Mode 5: clear bits draw GR0. */
    gr_write(s, 0x05, 0x05);
    gr_write(s, 0x00, 0x19);
    qtest_writeb(s, 0xa0000 + 0x400 / 8, 0x0f);
    qtest_memread(s, LFB_ADDR + 0x400, buf, 8);
    for (int i = 0; i < 8; i++) {
        g_assert_cmphex(buf[i], ==, i < 4 ? 0x19 : 0xc7);
    }
    qtest_quit(s);
}

static void test_mode_screendump(void)
{
    Screen sc;
    QTestState *s;
    static const uint8_t cursor_fg[3] = { 0x00, 0x00, 0x3f };
    static const uint8_t cursor_bg[3] = { 0x00, 0x3f, 0x00 };
    uint8_t pat[256];

    screen_start(&sc, NULL);
    s = sc.qts;

    /* 640x480x16 (5-6-5): a red line 10, a blue pixel at (7, 20). */
    set_mode_640x480(s, 0x17, 0xe1, 2);
    for (int x = 0; x < 640; x++) {
        qtest_writew(s, LFB_ADDR + (10 * 640 + x) * 2, 0xf800);
    }
    qtest_writew(s, LFB_ADDR + (20 * 640 + 7) * 2, 0x001f);
    screen_dump(&sc);
    g_assert_cmpint(sc.width, ==, 640);
    g_assert_cmpint(sc.height, ==, 480);
    for (int x = 0; x < 640; x += 37) {
        g_assert_cmphex(screen_px(&sc, x, 10), ==, 0xff0000);
        g_assert_cmphex(screen_px(&sc, x, 11), ==, 0x000000);
    }
    g_assert_cmphex(screen_px(&sc, 7, 20), ==, 0x0000ff);
    g_assert_cmphex(screen_px(&sc, 8, 20), ==, 0x000000);

    /* A later write shows in the next dump (only changed lines are
     * redrawn; a stale copy would miss it). */
    qtest_writew(s, LFB_ADDR + (300 * 640 + 600) * 2, 0x07e0);
    screen_dump(&sc);
    g_assert_cmphex(screen_px(&sc, 600, 300), ==, 0x00ff00);

    /* 5-5-5 from the hidden DAC: the same word is another colour. */
    hdr_write(s, 0xf0);
    qtest_outb(s, 0x3c6, 0xff);
    screen_dump(&sc);
    /* 0x07e0 in 5-5-5: R 1, G 31, B 0 -> 08 ff 00. */
    g_assert_cmphex(screen_px(&sc, 600, 300), ==, 0x08ff00);
    hdr_write(s, 0xe1);
    qtest_outb(s, 0x3c6, 0xff);

    /* The start address moves the picture: CR0D counts 4 bytes. */
    cr_write(s, 0x0d, 10 * 640 * 2 / 4 & 0xff);
    cr_write(s, 0x0c, (10 * 640 * 2 / 4) >> 8);
    screen_dump(&sc);
    g_assert_cmphex(screen_px(&sc, 0, 0), ==, 0xff0000);
    cr_write(s, 0x0d, 0);
    cr_write(s, 0x0c, 0);

    /* 32x32 hardware cursor at (100, 50): pattern 0 at the end of video
     * memory. Line 0: left 8 pixels foreground (both planes), next 8
     * background (plane 1), next 8 inverted (plane 0). */
    memset(pat, 0, sizeof(pat));
    pat[0] = 0xff;              /* plane 0, line 0 */
    pat[2] = 0xff;
    pat[128] = 0xff;            /* plane 1, line 0 */
    pat[129] = 0xff;
    qtest_memwrite(s, LFB_ADDR + VRAM_SIZE - 16384, pat, sizeof(pat));
    sr_write(s, 0x12, 0x03);    /* enable, DAC access to cursor colours */
    qtest_outb(s, 0x3c8, 0x0f);
    for (int i = 0; i < 3; i++) {
        qtest_outb(s, 0x3c9, cursor_fg[i]);
    }
    qtest_outb(s, 0x3c8, 0x00);
    for (int i = 0; i < 3; i++) {
        qtest_outb(s, 0x3c9, cursor_bg[i]);
    }
    sr_write(s, 0x12, 0x01);    /* enable, palette back */
    sr_write(s, 0x13, 0x00);
    sr_write(s, 0x10 | (100 & 7) << 5, 100 >> 3);
    sr_write(s, 0x11 | (10 & 7) << 5, 10 >> 3);
    screen_dump(&sc);
    g_assert_cmphex(screen_px(&sc, 100, 10), ==, 0x0000ff);    /* fg */
    g_assert_cmphex(screen_px(&sc, 110, 10), ==, 0x00ff00);    /* bg */
    g_assert_cmphex(screen_px(&sc, 118, 10), ==, 0x00ffff);    /* ~red */
    g_assert_cmphex(screen_px(&sc, 130, 10), ==, 0xff0000);    /* screen */
    g_assert_cmphex(screen_px(&sc, 100, 11), ==, 0x000000);    /* clear */
    /* The palette was not written through entries 0 and 0Fh. */
    qtest_outb(s, 0x3c7, 0x0f);
    g_assert_cmphex(qtest_inb(s, 0x3c9), ==, 0x00);

    /* Moving the cursor restores what it covered. */
    sr_write(s, 0x11 | (200 & 7) << 5, 200 >> 3);
    screen_dump(&sc);
    g_assert_cmphex(screen_px(&sc, 110, 10), ==, 0xff0000);
    g_assert_cmphex(screen_px(&sc, 110, 200), ==, 0x00ff00);

    /* 64x64: 16 bytes per line, plane 1 after plane 0's 8; pattern
     * select in 1 KiB steps (SR13 bits 2-5). */
    memset(pat, 0, sizeof(pat));
    pat[7] = 0x01;              /* plane 0, line 0, pixel 63 */
    pat[15] = 0x01;             /* plane 1 */
    qtest_memwrite(s, LFB_ADDR + VRAM_SIZE - 16384 + 4 * 256, pat, 16);
    sr_write(s, 0x13, 0x04);
    sr_write(s, 0x12, 0x05);
    screen_dump(&sc);
    g_assert_cmphex(screen_px(&sc, 100 + 63, 200), ==, 0x0000ff);
    g_assert_cmphex(screen_px(&sc, 100 + 62, 200), ==, 0x000000);
    sr_write(s, 0x12, 0x00);

    /* 8 bpp through the palette, 24 and 32 bpp B, G, R. */
    set_mode_640x480(s, 0x11, 0x00, 1);
    qtest_outb(s, 0x3c8, 0x42);
    qtest_outb(s, 0x3c9, 0x3f);
    qtest_outb(s, 0x3c9, 0x20);
    qtest_outb(s, 0x3c9, 0x00);
    qtest_writeb(s, LFB_ADDR + 5 * 640 + 5, 0x42);
    screen_dump(&sc);
    g_assert_cmphex(screen_px(&sc, 5, 5), ==, 0xff8200);
    set_mode_640x480(s, 0x15, 0xe5, 3);
    qtest_writeb(s, LFB_ADDR + (5 * 640 + 6) * 3 + 0, 0x11);
    qtest_writeb(s, LFB_ADDR + (5 * 640 + 6) * 3 + 1, 0x22);
    qtest_writeb(s, LFB_ADDR + (5 * 640 + 6) * 3 + 2, 0x33);
    screen_dump(&sc);
    g_assert_cmphex(screen_px(&sc, 6, 5), ==, 0x332211);
    set_mode_640x480(s, 0x19, 0xe5, 4);
    qtest_writel(s, LFB_ADDR + (7 * 640 + 9) * 4, 0x00abcdef);
    screen_dump(&sc);
    g_assert_cmphex(screen_px(&sc, 9, 7), ==, 0xabcdef);

    /* Back to a VGA mode: the core's renderer takes over again. */
    sr_write(s, 0x07, 0x00);
    screen_dump(&sc);
    screen_stop(&sc);
}

static void test_rops(void)
{
    QTestState *s = cirrus_start(NULL);
    enum { W = 24, H = 5, DP = 64, SP = 48 };
    uint8_t src[SP * H], dst[DP * H], got[DP * H];

    fill_random(src, sizeof(src), 1);
    fill_random(dst, sizeof(dst), 2);
    for (int r = 0; r < 16; r++) {
        Blt b = { .width = W, .height = H, .dpitch = DP, .spitch = SP,
                  .daddr = 0x10000, .saddr = 0x20000, .rop = rops[r] };
        qtest_memwrite(s, LFB_ADDR + 0x20000, src, sizeof(src));
        qtest_memwrite(s, LFB_ADDR + 0x10000, dst, sizeof(dst));
        blt_run(s, &b);
        g_assert_cmphex(qtest_readb(s, BLT + 0x40) & 0x03, ==, 0);
        qtest_memread(s, LFB_ADDR + 0x10000, got, sizeof(got));
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < DP; x++) {
                uint8_t d = dst[y * DP + x];
                uint8_t want = x < W ? ref_rop(rops[r], src[y * SP + x], d)
                                     : d;
                if (got[y * DP + x] != want) {
                    g_error("ROP %#x at (%d, %d): got %#x want %#x", rops[r],
                            x, y, got[y * DP + x], want);
                }
            }
        }
    }
    /* An unknown ROP is refused: nothing changes. */
    {
        Blt b = { .width = W, .height = H, .dpitch = DP, .spitch = SP,
                  .daddr = 0x10000, .saddr = 0x20000, .rop = 0x42 };
        qtest_memwrite(s, LFB_ADDR + 0x10000, dst, sizeof(dst));
        blt_run(s, &b);
        qtest_memread(s, LFB_ADDR + 0x10000, got, sizeof(got));
        g_assert_cmpmem(got, sizeof(got), dst, sizeof(dst));
    }
    /* The same BitBLT programmed through the GR ports. */
    qtest_memwrite(s, LFB_ADDR + 0x20000, src, sizeof(src));
    qtest_memwrite(s, LFB_ADDR + 0x10000, dst, sizeof(dst));
    gr_write(s, 0x20, W - 1);
    gr_write(s, 0x21, 0);
    gr_write(s, 0x22, H - 1);
    gr_write(s, 0x23, 0);
    gr_write(s, 0x24, DP);
    gr_write(s, 0x25, 0);
    gr_write(s, 0x26, SP);
    gr_write(s, 0x27, 0);
    gr_write(s, 0x28, 0x00);
    gr_write(s, 0x29, 0x00);
    gr_write(s, 0x2a, 0x01);
    gr_write(s, 0x2c, 0x00);
    gr_write(s, 0x2d, 0x00);
    gr_write(s, 0x2e, 0x02);
    gr_write(s, 0x30, 0x00);
    gr_write(s, 0x32, 0x59);
    gr_write(s, 0x31, 0x02);
    qtest_memread(s, LFB_ADDR + 0x10000, got, sizeof(got));
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            g_assert_cmphex(got[y * DP + x], ==,
                            (uint8_t)(src[y * SP + x] ^ dst[y * DP + x]));
        }
    }
    qtest_quit(s);
}

/* Overlapping copies: forward when the destination is before the source,
 * backward (addresses of the last byte, pitches going up) when after. */
static void test_directions(void)
{
    QTestState *s = cirrus_start(NULL);
    enum { W = 40, H = 6, P = 64, SHIFT = 2 * P + 3 };
    uint8_t mem[P * (H + 4)], want[P * (H + 4)], got[P * (H + 4)];
    uint32_t base = 0x30000;

    /* Forward: destination two lines and 3 bytes before the source. */
    fill_random(mem, sizeof(mem), 3);
    qtest_memwrite(s, LFB_ADDR + base, mem, sizeof(mem));
    memcpy(want, mem, sizeof(mem));
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            want[y * P + x] = want[SHIFT + y * P + x];
        }
    }
    {
        Blt b = { .width = W, .height = H, .dpitch = P, .spitch = P,
                  .daddr = base, .saddr = base + SHIFT, .rop = 0x0d };
        blt_run(s, &b);
    }
    qtest_memread(s, LFB_ADDR + base, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), want, sizeof(want));

    /* Backward: destination after the source, overlapping; done from the
     * last byte, so the source is read before it is overwritten. */
    fill_random(mem, sizeof(mem), 4);
    qtest_memwrite(s, LFB_ADDR + base, mem, sizeof(mem));
    memcpy(want, mem, sizeof(mem));
    for (int y = H - 1; y >= 0; y--) {
        for (int x = W - 1; x >= 0; x--) {
            want[SHIFT + y * P + x] = want[y * P + x];
        }
    }
    {
        Blt b = { .width = W, .height = H, .dpitch = P, .spitch = P,
                  .daddr = base + SHIFT + (H - 1) * P + W - 1,
                  .saddr = base + (H - 1) * P + W - 1,
                  .mode = 0x01, .rop = 0x0d };
        blt_run(s, &b);
    }
    qtest_memread(s, LFB_ADDR + base, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), want, sizeof(want));
    qtest_quit(s);
}

static void test_pattern_and_expand(void)
{
    QTestState *s = cirrus_start(NULL);
    uint8_t pat[8 * 8 * 4], bits[64], got[64 * 12];

    /* 8x8 pattern at 16 bpp: pixel (x, y) of the rectangle is pattern
     * pixel (x % 8, y % 8). */
    fill_random(pat, sizeof(pat), 5);
    qtest_memwrite(s, LFB_ADDR + 0x40000, pat, 8 * 8 * 2);
    {
        Blt b = { .width = 20 * 2, .height = 12, .dpitch = 64,
                  .daddr = 0x50000, .saddr = 0x40000, .mode = 0x40 | 0x10,
                  .rop = 0x0d };
        qtest_memset(s, LFB_ADDR + 0x50000, 0, sizeof(got));
        blt_run(s, &b);
        qtest_memread(s, LFB_ADDR + 0x50000, got, sizeof(got));
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 40; x++) {
                g_assert_cmphex(got[y * 64 + x], ==,
                                pat[(y % 8) * 16 + (x / 2 % 8) * 2 + x % 2]);
            }
            g_assert_cmphex(got[y * 64 + 40], ==, 0);
        }
    }

    /* Colour expansion from video memory at 32 bpp: opaque, then with
     * transparency (clear bits keep the destination), then inverted. */
    for (int i = 0; i < 64; i++) {
        bits[i] = 0x5a ^ (i * 0x11);
    }
    qtest_memwrite(s, LFB_ADDR + 0x60000, bits, sizeof(bits));
    for (int variant = 0; variant < 3; variant++) {
        enum { PIX = 12, LINES = 3 };
        uint8_t mode = 0x80 | 0x30 | (variant ? 0x08 : 0);
        uint8_t ext = variant == 2 ? 0x02 : 0;
        Blt b = { .width = PIX * 4, .height = LINES, .dpitch = 64,
                  .daddr = 0x70000, .saddr = 0x60000, .mode = mode,
                  .modeext = ext, .rop = 0x0d, .fg = 0x00112233,
                  .bg = 0x00a0b0c0 };
        uint32_t px[64 * LINES / 4];
        qtest_memset(s, LFB_ADDR + 0x70000, 0xee, 64 * LINES);
        blt_run(s, &b);
        qtest_memread(s, LFB_ADDR + 0x70000, px, sizeof(px));
        for (int y = 0; y < LINES; y++) {
            /* Lines are (12 + 7) / 8 = 2 bytes apart in the source. */
            for (int x = 0; x < PIX; x++) {
                uint8_t byte = bits[y * 2 + x / 8] ^ (variant == 2 ? 0xff : 0);
                bool on = (byte >> (7 - x % 8)) & 1;
                uint32_t want = on ? b.fg : variant ? 0xeeeeeeee : b.bg;
                g_assert_cmphex(px[y * 16 + x], ==, want);
            }
            g_assert_cmphex(px[y * 16 + PIX], ==, 0xeeeeeeee);
        }
    }

    /* Pattern colour expansion at 8 bpp: 8 bytes, one per line. */
    qtest_memwrite(s, LFB_ADDR + 0x61000, "\x81\x42\x24\x18\x18\x24\x42\x81",
                   8);
    {
        Blt b = { .width = 16, .height = 10, .dpitch = 16,
                  .daddr = 0x71000, .saddr = 0x61000, .mode = 0xc0,
                  .rop = 0x0d, .fg = 0x77, .bg = 0x11 };
        static const uint8_t rows[8] = { 0x81, 0x42, 0x24, 0x18, 0x18, 0x24,
                                         0x42, 0x81 };
        blt_run(s, &b);
        qtest_memread(s, LFB_ADDR + 0x71000, got, 160);
        for (int y = 0; y < 10; y++) {
            for (int x = 0; x < 16; x++) {
                bool on = (rows[y % 8] >> (7 - x % 8)) & 1;
                g_assert_cmphex(got[y * 16 + x], ==, on ? 0x77 : 0x11);
            }
        }
    }

    /* Solid fill at 24 bpp with XOR. */
    qtest_memset(s, LFB_ADDR + 0x72000, 0x0f, 30 * 2);
    {
        Blt b = { .width = 30, .height = 2, .dpitch = 30, .daddr = 0x72000,
                  .saddr = 0, .mode = 0xc0 | 0x20, .modeext = 0x04,
                  .rop = 0x59, .fg = 0x00f0e0d0 };
        static const uint8_t c[3] = { 0xd0, 0xe0, 0xf0 };
        blt_run(s, &b);
        qtest_memread(s, LFB_ADDR + 0x72000, got, 60);
        for (int i = 0; i < 60; i++) {
            g_assert_cmphex(got[i], ==, (uint8_t)(c[i % 3] ^ 0x0f));
        }
    }
    qtest_quit(s);
}

static void test_system_to_screen(void)
{
    QTestState *s = cirrus_start(NULL);
    uint8_t src[8 * 4], got[32 * 4];

    /* Plain: 6-byte lines, padded to 8 on the way in; through the data
     * port aperture (BAR0 + 16 MiB). */
    fill_random(src, sizeof(src), 7);
    qtest_memset(s, LFB_ADDR + 0x80000, 0, sizeof(got));
    {
        Blt b = { .width = 6, .height = 4, .dpitch = 32,
                  .daddr = 0x80000, .mode = 0x04, .rop = 0x0d };
        blt_run(s, &b);
        g_assert_cmphex(qtest_readb(s, BLT + 0x40) & 0x01, ==, 0x01);
        for (int i = 0; i < 8 * 4; i += 4) {
            qtest_writel(s, BLTPORT_ADDR, src[i] | src[i + 1] << 8 |
                         src[i + 2] << 16 | (uint32_t)src[i + 3] << 24);
        }
        g_assert_cmphex(qtest_readb(s, BLT + 0x40) & 0x01, ==, 0x00);
        qtest_memread(s, LFB_ADDR + 0x80000, got, sizeof(got));
        for (int y = 0; y < 4; y++) {
            g_assert_cmpmem(got + y * 32, 6, src + y * 8, 6);
            g_assert_cmphex(got[y * 32 + 6], ==, 0);
        }
    }

    /* Colour expansion at 16 bpp, 10 pixels (2 bytes, padded to 4) a
     * line, through the framebuffer itself, which is the data port while
     * the BitBLT waits. */
    {
        Blt b = { .width = 20, .height = 3, .dpitch = 32,
                  .daddr = 0x81000, .mode = 0x04 | 0x80 | 0x10,
                  .rop = 0x0d, .fg = 0xbeef, .bg = 0x1234 };
        static const uint8_t lines[3][2] = { { 0xf0, 0x40 }, { 0x0f, 0x80 },
                                             { 0xaa, 0xc0 } };
        uint16_t px[16 * 3];
        blt_run(s, &b);
        for (int y = 0; y < 3; y++) {
            qtest_writel(s, LFB_ADDR, lines[y][0] | lines[y][1] << 8);
        }
        /* Done: the framebuffer is memory again. */
        qtest_writeb(s, LFB_ADDR + 0x82000, 0x5c);
        g_assert_cmphex(qtest_readb(s, LFB_ADDR + 0x82000), ==, 0x5c);
        qtest_memread(s, LFB_ADDR + 0x81000, px, sizeof(px));
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 10; x++) {
                bool on = (lines[y][x / 8] >> (7 - x % 8)) & 1;
                g_assert_cmphex(px[y * 16 + x], ==, on ? 0xbeef : 0x1234);
            }
        }
    }

    /* Through the A0000h window. */
    sr_write(s, 0x07, 0x01);
    {
        Blt b = { .width = 4, .height = 2, .dpitch = 4, .daddr = 0x83000,
                  .mode = 0x04, .rop = 0x0d };
        blt_run(s, &b);
        qtest_writel(s, 0xa0000, 0x44332211);
        qtest_writel(s, 0xa0000, 0x88776655);
        g_assert_cmphex(qtest_readl(s, LFB_ADDR + 0x83000), ==, 0x44332211);
        g_assert_cmphex(qtest_readl(s, LFB_ADDR + 0x83004), ==, 0x88776655);
    }
    qtest_quit(s);
}

/* Hostile BitBLTs are refused: video memory keeps its sentinels, guest
 * RAM and the ROM are untouched, the emulator lives. */
static void test_hostile(void)
{
    QTestState *s = cirrus_start(NULL);
    static const uint32_t probes[] = {
        0x0, 0x1000, 0x10000, 0x3ff000, 0x3ffff0, VRAM_SIZE - 4,
    };
    uint8_t ram[256], ram2[256];
    Blt bad[] = {
        /* Width and height to the registers' maximum from near the end. */
        { .width = 8192, .height = 2048, .dpitch = 8191, .spitch = 8191,
          .daddr = 0x3f0000, .saddr = 0, .rop = 0x0d },
        /* Source past the end. */
        { .width = 64, .height = 16, .dpitch = 64, .spitch = 8000,
          .daddr = 0, .saddr = 0x3fe000, .rop = 0x0d },
        /* Backward with lines going up past address 0. */
        { .width = 64, .height = 100, .dpitch = 4096, .spitch = 64,
          .daddr = 0x1000, .saddr = 0x200000, .mode = 0x01, .rop = 0x0d },
        /* Backward: width alone crosses the start. */
        { .width = 256, .height = 1, .dpitch = 0, .spitch = 0,
          .daddr = 0x10, .saddr = 0x2000, .mode = 0x01, .rop = 0x0d },
        /* Destination (last byte of the 22 bits) plus width. */
        { .width = 2, .height = 1, .dpitch = 0, .spitch = 0,
          .daddr = 0x3fffff, .saddr = 0, .rop = 0x0e },
        /* Colour expansion whose source runs off the end. */
        { .width = 8192, .height = 2048, .dpitch = 0, .daddr = 0,
          .saddr = 0x3fff00, .mode = 0x80, .rop = 0x0d },
        /* Pattern at the very end. */
        { .width = 16, .height = 1, .dpitch = 0, .daddr = 0,
          .saddr = 0x3ffffc, .mode = 0x40 | 0x30, .rop = 0x0d },
        /* System-to-screen with a destination past the end. */
        { .width = 8192, .height = 2048, .dpitch = 8191, .daddr = 0x300000,
          .mode = 0x04, .rop = 0x0d },
    };

    fill_random(ram, sizeof(ram), 9);
    qtest_memwrite(s, 0x100000, ram, sizeof(ram));
    for (size_t i = 0; i < G_N_ELEMENTS(probes); i++) {
        qtest_writel(s, LFB_ADDR + probes[i], 0xc0ffee00 + i);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        blt_run(s, &bad[i]);
        g_assert_cmphex(qtest_readb(s, BLT + 0x40) & 0x03, ==, 0);
        /* A refused system-to-screen BitBLT takes no data: this write
         * lands in the framebuffer. */
        qtest_writel(s, LFB_ADDR + 0x1000, 0xc0ffee01);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(probes); i++) {
        g_assert_cmphex(qtest_readl(s, LFB_ADDR + probes[i]), ==,
                        0xc0ffee00 + i);
    }
    qtest_memread(s, 0x100000, ram2, sizeof(ram2));
    g_assert_cmpmem(ram, sizeof(ram), ram2, sizeof(ram2));
    g_assert_cmphex(qtest_readw(s, ROM_ADDR), ==, 0xaa55);

    /* A system-to-screen BitBLT in flight: its registers cannot be
     * rewritten to move the rest of it outside video memory. */
    {
        Blt b = { .width = 4, .height = 2, .dpitch = 4, .daddr = 0x3ffff8,
                  .mode = 0x04, .rop = 0x0d };
        blt_run(s, &b);
        qtest_writew(s, BLT + 0x0c, 0x1fff);    /* dest pitch: ignored */
        qtest_writel(s, BLT + 0x10, 0x3fffff);  /* dest: ignored */
        qtest_writel(s, BLTPORT_ADDR, 0x04030201);
        qtest_writel(s, BLTPORT_ADDR, 0x08070605);
        g_assert_cmphex(qtest_readl(s, LFB_ADDR + 0x3ffff8), ==, 0x04030201);
        g_assert_cmphex(qtest_readl(s, LFB_ADDR + 0x3ffffc), ==, 0x08070605);
    }
    /* Reset (GR31 bit 2) abandons one. */
    {
        Blt b = { .width = 4, .height = 2, .dpitch = 4, .daddr = 0x2000,
                  .mode = 0x04, .rop = 0x0d };
        blt_run(s, &b);
        qtest_writeb(s, BLT + 0x40, 0x04);
        qtest_writeb(s, BLT + 0x40, 0x00);
        g_assert_cmphex(qtest_readb(s, BLT + 0x40) & 0x01, ==, 0);
        qtest_writel(s, LFB_ADDR + 0x2000, 0x12121212);
        g_assert_cmphex(qtest_readl(s, LFB_ADDR + 0x2000), ==, 0x12121212);
    }
    g_assert_cmphex(qtest_pci_config_readw(s, CIRRUS_DEVFN, 0x02), ==,
                    0x00b8);
    qtest_quit(s);
}

static void test_mmio_apertures(void)
{
    QTestState *s = cirrus_start(NULL);

    /* BAR1: VGA ports at 000h (3C0h + n). */
    g_assert_cmphex(qtest_readb(s, MMIO_ADDR + 0x0c), ==, 0x67);
    qtest_writeb(s, MMIO_ADDR + 0x04, 0x06);
    g_assert_cmphex(qtest_readb(s, MMIO_ADDR + 0x05), ==, 0x12);
    /* BitBLT registers mirror the GR registers. */
    qtest_writew(s, BLT + 0x08, 0x1234);
    g_assert_cmphex(gr_read(s, 0x20), ==, 0x34);
    g_assert_cmphex(gr_read(s, 0x21), ==, 0x12);
    /* B8000h while SR17 bit 2 is set (bit 6 clear). */
    qtest_writeb(s, 0xb8000 + 0x1a, 0x11);
    g_assert_cmphex(gr_read(s, 0x32), ==, 0x00);
    sr_write(s, 0x17, sr_read(s, 0x17) | 0x04);
    qtest_writeb(s, 0xb8000 + 0x1a, 0x6d);
    g_assert_cmphex(gr_read(s, 0x32), ==, 0x6d);
    /* With bit 6: at the end of the first 4 MiB of BAR0. */
    sr_write(s, 0x17, sr_read(s, 0x17) | 0x40);
    qtest_writeb(s, LFB_ADDR + VRAM_SIZE - 256 + 0x1a, 0x95);
    g_assert_cmphex(gr_read(s, 0x32), ==, 0x95);
    sr_write(s, 0x17, sr_read(s, 0x17) & ~0x44);
    qtest_writeb(s, LFB_ADDR + VRAM_SIZE - 256 + 0x1a, 0x33);
    g_assert_cmphex(qtest_readb(s, LFB_ADDR + VRAM_SIZE - 256 + 0x1a), ==,
                    0x33);
    g_assert_cmphex(gr_read(s, 0x32), ==, 0x95);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cirrus/pci-identity", test_pci_identity);
    g_test_add_func("/cirrus/adapter-choice", test_adapter_choice);
    g_test_add_func("/cirrus/unlock-and-id", test_unlock_and_id);
    g_test_add_func("/cirrus/banked-and-linear", test_banked_and_linear);
    g_test_add_func("/cirrus/mode-screendump", test_mode_screendump);
    g_test_add_func("/cirrus/rops", test_rops);
    g_test_add_func("/cirrus/directions", test_directions);
    g_test_add_func("/cirrus/pattern-and-expand", test_pattern_and_expand);
    g_test_add_func("/cirrus/system-to-screen", test_system_to_screen);
    g_test_add_func("/cirrus/hostile", test_hostile);
    g_test_add_func("/cirrus/mmio-apertures", test_mmio_apertures);
    return g_test_run();
}
