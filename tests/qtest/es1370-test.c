/*
 * Ensoniq ES1370 over the qtest socket: PCI identity, DAC2 playback from
 * a circular buffer in guest memory into -audiodev wav (the file's samples
 * are the buffer's, repeated, for exactly the virtual time played), the
 * sample-count interrupt and its acknowledgement, stop mode, DAC1's rate
 * select, ADC recording of silence, and hostile programming.
 */
#include "libqtest.h"
#include <string.h>
#include <unistd.h>

#define NS          1000000000LL
#define IOBASE      0xc000
#define RING        0x20000
#define GSI         11

#define CTRL        (IOBASE + 0x00)
#define STATUS      (IOBASE + 0x04)
#define MEM_PAGE    (IOBASE + 0x0c)
#define CODEC       (IOBASE + 0x10)
#define SCTRL       (IOBASE + 0x20)
#define DAC1_COUNT  (IOBASE + 0x24)
#define DAC2_COUNT  (IOBASE + 0x28)
#define ADC_COUNT   (IOBASE + 0x2c)
#define FRAME_ADDR2 (IOBASE + 0x38)
#define FRAME_SIZE2 (IOBASE + 0x3c)
#define FRAME_ADDR1 (IOBASE + 0x30)
#define FRAME_SIZE1 (IOBASE + 0x34)

#define CTRL_DAC1_EN    (1u << 6)
#define CTRL_DAC2_EN    (1u << 5)
#define CTRL_ADC_EN     (1u << 4)
#define SCTRL_P2_LOOP   (1u << 14)
#define SCTRL_P2_INT_EN (1u << 9)
#define SCTRL_R1_INT_EN (1u << 10)
#define SCTRL_P2_16_ST  (3u << 2)
#define STAT_INTR       (1u << 31)
#define STAT_DAC2       (1u << 1)
#define STAT_ADC        (1u << 0)

static int devfn;

static char *wav_path(void)
{
    return g_strdup_printf("%s/es1370-test-%d.wav", g_get_tmp_dir(),
                           (int)getpid());
}

static QTestState *start(const char *wav)
{
    QTestState *s;

    if (wav) {
        s = qtest_initf("-audiodev wav,id=a,path=%s -device ES1370,"
                        "audiodev=a", wav);
    } else {
        s = qtest_init("-audiodev none,id=a -device ES1370,audiodev=a");
    }
    devfn = -1;
    for (int d = 0; d < 256; d += 8) {
        if (qtest_pci_config_readl(s, d, 0) == 0x50001274) {
            devfn = d;
        }
    }
    g_assert_cmpint(devfn, >=, 0);
    qtest_pci_config_writel(s, devfn, 0x10, IOBASE);
    qtest_pci_config_writew(s, devfn, 0x04, 0x05);  /* I/O, bus master */
    for (int i = 0; i < 4; i++) {
        qtest_pci_config_writeb(s, 0x08, 0x60 + i, GSI);  /* PIIX3 PIRQs */
    }
    qtest_irq_intercept_in(s, "ioapic");
    return s;
}

static size_t wav_frames(const char *path, int16_t **data, unsigned *rate,
                         unsigned *channels)
{
    gchar *buf;
    gsize len;

    g_assert_true(g_file_get_contents(path, &buf, &len, NULL));
    g_assert_cmpuint(len, >=, 44);
    g_assert_cmpmem(buf, 4, "RIFF", 4);
    *channels = (uint8_t)buf[22];
    *rate = (uint8_t)buf[24] | (uint8_t)buf[25] << 8 |
            (uint8_t)buf[26] << 16;
    g_assert_cmpuint((uint8_t)buf[40] | (uint8_t)buf[41] << 8 |
                     (uint8_t)buf[42] << 16 | (uint32_t)(uint8_t)buf[43] << 24,
                     ==, len - 44);
    *data = g_memdup2(buf + 44, len - 44);
    g_free(buf);
    return (len - 44) / (2 * *channels);
}

static void test_pci_id(void)
{
    QTestState *s = start(NULL);

    g_assert_cmphex(qtest_pci_config_readl(s, devfn, 0x08) >> 8, ==,
                    0x040100);
    g_assert_cmphex(qtest_pci_config_readb(s, devfn, 0x3d), ==, 1);
    /* BAR 0 is 64 bytes of I/O. */
    qtest_pci_config_writel(s, devfn, 0x10, 0xffffffff);
    g_assert_cmphex(qtest_pci_config_readl(s, devfn, 0x10), ==, 0xffffffc1);
    qtest_pci_config_writel(s, devfn, 0x10, IOBASE);
    /* Frame registers through the memory page. */
    qtest_outl(s, MEM_PAGE, 0x0c);
    qtest_outl(s, FRAME_ADDR2, 0x12345678);
    qtest_outl(s, MEM_PAGE, 0x0d);
    qtest_outl(s, FRAME_ADDR1, 0x0badf00d);     /* the ADC's */
    g_assert_cmphex(qtest_inl(s, FRAME_ADDR1), ==, 0x0badf00d);
    qtest_outl(s, MEM_PAGE, 0x0c);
    g_assert_cmphex(qtest_inl(s, FRAME_ADDR2), ==, 0x12345678);
    g_assert_cmphex(qtest_inl(s, FRAME_ADDR1), ==, 0);
    g_assert_cmphex(qtest_inb(s, MEM_PAGE), ==, 0x0c);
    qtest_outw(s, CODEC, 0x0000);               /* codec writes accepted */
    qtest_quit(s);
}

/* DAC2 at 22050 Hz, 16-bit stereo, a 1024-frame ring, an interrupt every
 * 512 frames; 0.1 s of virtual time is exactly 2205 frames. */
static void test_dac2_loop(void)
{
    char *path = wav_path();
    QTestState *s = start(path);
    enum { RING_FRAMES = 1024 };
    int16_t ring[2 * RING_FRAMES];
    int16_t *w;
    unsigned rate, chans;
    size_t n;

    for (int i = 0; i < 2 * RING_FRAMES; i++) {
        ring[i] = (i & 1) ? i * 3 - 3000 : 2000 - i * 5;
    }
    qtest_bufwrite(s, RING, ring, sizeof(ring));
    qtest_outl(s, MEM_PAGE, 0x0c);
    qtest_outl(s, FRAME_ADDR2, RING);
    qtest_outl(s, FRAME_SIZE2, RING_FRAMES - 1);    /* longwords - 1 */
    qtest_outl(s, DAC2_COUNT, 512 - 1);
    qtest_outl(s, SCTRL, SCTRL_P2_16_ST | SCTRL_P2_INT_EN);
    qtest_outl(s, CTRL, (62u << 16) | CTRL_DAC2_EN);    /* 1411200/64 */
    qtest_clock_step(s, NS / 50);       /* 441 frames: no count yet */
    g_assert_false(qtest_get_irq(s, GSI));
    qtest_clock_step(s, NS / 50);       /* 882 */
    g_assert_true(qtest_get_irq(s, GSI));
    g_assert_cmphex(qtest_inl(s, STATUS), ==, STAT_INTR | STAT_DAC2);
    /* Current count: 512 - (882 - 512) - 1; current longword 882. */
    g_assert_cmpuint(qtest_inl(s, DAC2_COUNT) >> 16, ==, 512 - 370 - 1);
    g_assert_cmpuint(qtest_inl(s, FRAME_SIZE2) >> 16, ==, 882);
    /* Acknowledge: clear and set the interrupt enable. */
    qtest_outl(s, SCTRL, SCTRL_P2_16_ST);
    g_assert_false(qtest_get_irq(s, GSI));
    g_assert_cmphex(qtest_inl(s, STATUS), ==, 0);
    qtest_outl(s, SCTRL, SCTRL_P2_16_ST | SCTRL_P2_INT_EN);
    qtest_clock_step(s, NS / 10 - 2 * NS / 50);
    qtest_outl(s, CTRL, 62u << 16);     /* DAC2 off: the stream ends */
    qtest_clock_step(s, NS / 10);
    qtest_quit(s);

    n = wav_frames(path, &w, &rate, &chans);
    g_assert_cmpuint(rate, ==, 22050);
    g_assert_cmpuint(chans, ==, 2);
    g_assert_cmpuint(n, ==, 2205);
    for (size_t i = 0; i < 2 * n; i++) {
        g_assert_cmpint(w[i], ==, ring[i % (2 * RING_FRAMES)]);
    }
    g_free(w);
    unlink(path);
    g_free(path);
}

/* Stop mode: 300 frames of 8-bit mono, then the channel stops. */
static void test_dac2_stop(void)
{
    char *path = wav_path();
    QTestState *s = start(path);
    uint8_t ring[400];
    int16_t *w;
    unsigned rate, chans;
    size_t n;

    for (int i = 0; i < 400; i++) {
        ring[i] = i * 3;
    }
    qtest_bufwrite(s, RING, ring, sizeof(ring));
    qtest_outl(s, MEM_PAGE, 0x0c);
    qtest_outl(s, FRAME_ADDR2, RING);
    qtest_outl(s, FRAME_SIZE2, 400 / 4 - 1);
    qtest_outl(s, DAC2_COUNT, 300 - 1);
    qtest_outl(s, SCTRL, SCTRL_P2_LOOP | SCTRL_P2_INT_EN);
    qtest_outl(s, CTRL, (126u << 16) | CTRL_DAC2_EN);   /* 11025 Hz */
    qtest_clock_step(s, NS / 5);
    g_assert_true(qtest_get_irq(s, GSI));
    qtest_quit(s);

    n = wav_frames(path, &w, &rate, &chans);
    g_assert_cmpuint(rate, ==, 11025);
    g_assert_cmpuint(chans, ==, 1);
    g_assert_cmpuint(n, ==, 300);
    for (size_t i = 0; i < n; i++) {
        g_assert_cmpint(w[i], ==, ((int)ring[i] - 128) * 256);
    }
    g_free(w);
    unlink(path);
    g_free(path);
}

/* The ADC records silence from the back end into its ring. */
static void test_adc(void)
{
    QTestState *s = start(NULL);
    uint8_t got[256];

    qtest_memset(s, RING, 0x33, sizeof(got));
    qtest_outl(s, MEM_PAGE, 0x0d);
    qtest_outl(s, FRAME_ADDR1, RING);
    qtest_outl(s, FRAME_SIZE1, sizeof(got) / 4 - 1);
    qtest_outl(s, ADC_COUNT, 100 - 1);
    qtest_outl(s, SCTRL, SCTRL_R1_INT_EN);          /* 8-bit mono */
    qtest_outl(s, CTRL, (174u << 16) | CTRL_ADC_EN);
    qtest_clock_step(s, NS / 50);                   /* 160 frames at 8018 Hz */
    g_assert_cmphex(qtest_inl(s, STATUS) & STAT_ADC, ==, STAT_ADC);
    qtest_memread(s, RING, got, sizeof(got));
    for (int i = 0; i < 160; i++) {
        g_assert_cmphex(got[i], ==, 0x80);
    }
    g_assert_cmphex(got[200], ==, 0x33);
    qtest_quit(s);
}

/* Hostile programming: rings at the top of memory, in MMIO, maximal
 * sizes and counts, random register values. */
static void test_fuzz(void)
{
    QTestState *s = start(NULL);
    GRand *r = g_rand_new_with_seed(1370);

    for (int round = 0; round < 100; round++) {
        uint32_t v = g_rand_int(r);
        unsigned off = g_rand_int_range(r, 0, 0x40);

        switch (g_rand_int_range(r, 0, 4)) {
        case 0:
            qtest_outl(s, IOBASE + (off & ~3), v);
            break;
        case 1:
            qtest_outb(s, IOBASE + off, v);
            break;
        case 2:
            qtest_inl(s, IOBASE + (off & ~3));
            break;
        default:
            qtest_outl(s, MEM_PAGE, 0x0c + (v & 1));
            qtest_outl(s, IOBASE + 0x30 + (off & 0xc),
                       (off & 4) ? 0xffff : 0xfffffff0);
            break;
        }
        if (round % 10 == 0) {
            qtest_outl(s, CTRL, CTRL_DAC1_EN | CTRL_DAC2_EN | CTRL_ADC_EN);
            qtest_clock_step(s, NS / 20);
        }
    }
    g_rand_free(r);
    qtest_outl(s, MEM_PAGE, 0x0c);
    qtest_outl(s, FRAME_ADDR2, 0x1234);
    g_assert_cmphex(qtest_inl(s, FRAME_ADDR2), ==, 0x1234);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/es1370/pci-id", test_pci_id);
    g_test_add_func("/es1370/dac2-loop", test_dac2_loop);
    g_test_add_func("/es1370/dac2-stop", test_dac2_stop);
    g_test_add_func("/es1370/adc", test_adc);
    g_test_add_func("/es1370/fuzz", test_fuzz);
    return g_test_run();
}
