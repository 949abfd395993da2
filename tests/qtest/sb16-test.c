/*
 * Sound Blaster 16 over the qtest socket: DSP reset and version, the
 * mixer, DMA playback through the i8237 into -audiodev wav (the file's
 * samples are the guest's buffer, its length follows the virtual clock
 * exactly), the DSP interrupts and their acknowledgements, and a fuzz of
 * the DSP command stream with hostile DMA programming.
 */
#include "libqtest.h"
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SB        0x220
#define MIX_ADDR  (SB + 0x4)
#define MIX_DATA  (SB + 0x5)
#define DSP_RESET (SB + 0x6)
#define DSP_READ  (SB + 0xa)
#define DSP_WRITE (SB + 0xc)
#define DSP_RSTAT (SB + 0xe)
#define DSP_ACK16 (SB + 0xf)
#define IRQ5      5
#define NS        1000000000LL

#define BUF       0x10000       /* page 1, offset 0 */

typedef struct Wav {
    unsigned rate, channels, bits;
    size_t frames;
    int16_t *data;
} Wav;

static char *wav_path(void)
{
    return g_strdup_printf("%s/sb16-test-%d.wav", g_get_tmp_dir(),
                           (int)getpid());
}

static QTestState *start(const char *wav, const char *extra)
{
    QTestState *s;

    if (wav) {
        s = qtest_initf("-audiodev wav,id=snd0,path=%s "
                        "-device sb16,audiodev=snd0 %s", wav, extra);
    } else {
        s = qtest_initf("-audiodev none,id=snd0 -device sb16,audiodev=snd0 "
                        "%s", extra);
    }
    qtest_irq_intercept_in(s, "ioapic");
    return s;
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static Wav wav_load(const char *path)
{
    gchar *buf;
    gsize len;
    Wav w = { 0 };

    g_assert_true(g_file_get_contents(path, &buf, &len, NULL));
    g_assert_cmpuint(len, >=, 44);
    g_assert_cmpmem(buf, 4, "RIFF", 4);
    g_assert_cmpmem(buf + 8, 8, "WAVEfmt ", 8);
    g_assert_cmpmem(buf + 36, 4, "data", 4);
    g_assert_cmpuint(le32((uint8_t *)buf + 4), ==, len - 8);
    g_assert_cmpuint(le32((uint8_t *)buf + 40), ==, len - 44);
    w.channels = (uint8_t)buf[22];
    w.rate = le32((uint8_t *)buf + 24);
    w.bits = (uint8_t)buf[34];
    g_assert_cmpuint(w.bits, ==, 16);
    w.frames = (len - 44) / (2 * w.channels);
    w.data = g_memdup2(buf + 44, len - 44);
    g_free(buf);
    return w;
}

static void dsp_reset(QTestState *s)
{
    qtest_outb(s, DSP_RESET, 1);
    qtest_outb(s, DSP_RESET, 0);
    g_assert_cmphex(qtest_inb(s, DSP_RSTAT) & 0x80, ==, 0x80);
    g_assert_cmphex(qtest_inb(s, DSP_READ), ==, 0xaa);
}

static void dsp(QTestState *s, uint8_t v)
{
    g_assert_cmphex(qtest_inb(s, DSP_WRITE) & 0x80, ==, 0);
    qtest_outb(s, DSP_WRITE, v);
}

static void mixer_w(QTestState *s, uint8_t reg, uint8_t v)
{
    qtest_outb(s, MIX_ADDR, reg);
    qtest_outb(s, MIX_DATA, v);
}

static uint8_t mixer_r(QTestState *s, uint8_t reg)
{
    qtest_outb(s, MIX_ADDR, reg);
    return qtest_inb(s, MIX_DATA);
}

/* Master and voice at 0 dB: samples reach the back end unchanged. */
static void full_volume(QTestState *s)
{
    mixer_w(s, 0x30, 0xf8);
    mixer_w(s, 0x31, 0xf8);
    mixer_w(s, 0x32, 0xf8);
    mixer_w(s, 0x33, 0xf8);
}

/* Byte channel 1 (mode 0x48: single, read from memory, + autoinit). */
static void dma8_program(QTestState *s, uint32_t addr, uint16_t count,
                         bool autoinit)
{
    qtest_outb(s, 0xd4, 0x00);              /* unmask cascade channel 4 */
    qtest_outb(s, 0x0a, 0x05);              /* mask channel 1 */
    qtest_outb(s, 0x0c, 0x00);              /* clear flip-flop */
    qtest_outb(s, 0x0b, 0x49 | (autoinit ? 0x10 : 0));
    qtest_outb(s, 0x02, addr & 0xff);
    qtest_outb(s, 0x02, (addr >> 8) & 0xff);
    qtest_outb(s, 0x83, addr >> 16);
    qtest_outb(s, 0x03, count & 0xff);
    qtest_outb(s, 0x03, count >> 8);
    qtest_outb(s, 0x0a, 0x01);              /* unmask channel 1 */
}

/* Word channel 5 (page 8Bh; address and count in words). */
static void dma16_program(QTestState *s, uint32_t addr, uint16_t words,
                          bool autoinit)
{
    qtest_outb(s, 0xd4, 0x05);              /* mask channel 5 */
    qtest_outb(s, 0xd8, 0x00);
    qtest_outb(s, 0xd6, 0x49 | (autoinit ? 0x10 : 0));
    qtest_outb(s, 0xc4, (addr >> 1) & 0xff);
    qtest_outb(s, 0xc4, (addr >> 9) & 0xff);
    qtest_outb(s, 0x8b, (addr >> 16) & 0xfe);
    qtest_outb(s, 0xc6, (words - 1) & 0xff);
    qtest_outb(s, 0xc6, (words - 1) >> 8);
    qtest_outb(s, 0xd4, 0x01);              /* unmask channel 5 */
    qtest_outb(s, 0xd4, 0x00);              /* and the cascade */
}

static void set_rate(QTestState *s, unsigned hz)
{
    dsp(s, 0x41);
    dsp(s, hz >> 8);
    dsp(s, hz & 0xff);
}

static void test_reset_version(void)
{
    QTestState *s = start(NULL, "");
    char copyright[64] = "";

    /* Before any reset the read buffer is empty. */
    g_assert_cmphex(qtest_inb(s, DSP_RSTAT) & 0x80, ==, 0);
    dsp_reset(s);
    g_assert_cmphex(qtest_inb(s, DSP_RSTAT) & 0x80, ==, 0);
    dsp(s, 0xe1);
    g_assert_cmphex(qtest_inb(s, DSP_READ), ==, 4);
    g_assert_cmphex(qtest_inb(s, DSP_READ), ==, 5);
    dsp(s, 0xe0);
    dsp(s, 0x5a);
    g_assert_cmphex(qtest_inb(s, DSP_READ), ==, 0xa5);
    dsp(s, 0xe4);
    dsp(s, 0x3c);
    dsp(s, 0xe8);
    g_assert_cmphex(qtest_inb(s, DSP_READ), ==, 0x3c);
    dsp(s, 0xd1);
    dsp(s, 0xd8);
    g_assert_cmphex(qtest_inb(s, DSP_READ), ==, 0xff);
    dsp(s, 0xd3);
    dsp(s, 0xd8);
    g_assert_cmphex(qtest_inb(s, DSP_READ), ==, 0x00);
    dsp(s, 0xe3);
    for (int i = 0; i < 63; i++) {
        copyright[i] = qtest_inb(s, DSP_READ);
        if (!copyright[i]) {
            break;
        }
    }
    g_assert_true(g_str_has_prefix(copyright, "COPYRIGHT (C) CREATIVE"));
    /* The OPL2 FM ports are not claimed: no FM chip answers. */
    g_assert_cmphex(qtest_inb(s, 0x388), ==, 0xff);
    g_assert_cmphex(qtest_inb(s, SB + 0), ==, 0xff);
    qtest_quit(s);
}

static void test_mixer(void)
{
    QTestState *s = start(NULL, "");

    g_assert_cmphex(mixer_r(s, 0x30), ==, 0xc0);
    g_assert_cmphex(mixer_r(s, 0x32), ==, 0xc0);
    mixer_w(s, 0x30, 0xf8);
    g_assert_cmphex(mixer_r(s, 0x30), ==, 0xf8);
    /* The SB Pro register 22h is a view of 30h/31h. */
    g_assert_cmphex(mixer_r(s, 0x22), ==, 0xfc);
    mixer_w(s, 0x22, 0x9a);
    g_assert_cmphex(mixer_r(s, 0x30), ==, 0x98);
    g_assert_cmphex(mixer_r(s, 0x31), ==, 0xa8);
    /* IRQ and DMA settings as the properties say. */
    g_assert_cmphex(mixer_r(s, 0x80), ==, 0x02);            /* IRQ 5 */
    g_assert_cmphex(mixer_r(s, 0x81), ==, 0x22);            /* DMA 1, 5 */
    g_assert_cmphex(mixer_r(s, 0x82) & 3, ==, 0);
    /* Reset brings the levels back. */
    mixer_w(s, 0x00, 0x00);
    g_assert_cmphex(mixer_r(s, 0x30), ==, 0xc0);
    qtest_quit(s);

    s = start(NULL, "-device isa-debugcon,iobase=0x402");
    mixer_w(s, 0x80, 0x04);                                 /* IRQ 7 */
    g_assert_cmphex(mixer_r(s, 0x80), ==, 0x04);
    dsp_reset(s);
    dsp(s, 0xf2);
    g_assert_true(qtest_get_irq(s, 7));
    g_assert_false(qtest_get_irq(s, IRQ5));
    qtest_inb(s, DSP_RSTAT);
    g_assert_false(qtest_get_irq(s, 7));
    qtest_quit(s);
}

static void test_irq_ack(void)
{
    QTestState *s = start(NULL, "");

    dsp_reset(s);
    g_assert_false(qtest_get_irq(s, IRQ5));
    dsp(s, 0xf2);
    g_assert_true(qtest_get_irq(s, IRQ5));
    g_assert_cmphex(mixer_r(s, 0x82) & 3, ==, 1);
    qtest_inb(s, DSP_ACK16);                /* the wrong one: stays */
    g_assert_true(qtest_get_irq(s, IRQ5));
    qtest_inb(s, DSP_RSTAT);
    g_assert_false(qtest_get_irq(s, IRQ5));
    dsp(s, 0xf3);
    g_assert_true(qtest_get_irq(s, IRQ5));
    g_assert_cmphex(mixer_r(s, 0x82) & 3, ==, 2);
    qtest_inb(s, DSP_ACK16);
    g_assert_false(qtest_get_irq(s, IRQ5));
    qtest_quit(s);
}

/* 8-bit single-cycle playback of a known buffer: the WAV holds exactly
 * those samples, the IRQ comes at the end and is acknowledged. */
static void test_dma8_single(void)
{
    char *path = wav_path();
    QTestState *s = start(path, "");
    enum { N = 8000 };
    uint8_t buf[N];
    Wav w;

    for (int i = 0; i < N; i++) {
        buf[i] = (i * 7 + (i >> 5)) & 0xff;
    }
    qtest_bufwrite(s, BUF, buf, N);
    dsp_reset(s);
    full_volume(s);
    dma8_program(s, BUF, N - 1, false);
    set_rate(s, 8000);
    dsp(s, 0xc0);                   /* 8-bit, single-cycle, output */
    dsp(s, 0x00);                   /* mono, unsigned */
    dsp(s, (N - 1) & 0xff);
    dsp(s, (N - 1) >> 8);
    qtest_clock_step(s, NS / 2);
    g_assert_false(qtest_get_irq(s, IRQ5));
    qtest_clock_step(s, NS / 2);
    g_assert_true(qtest_get_irq(s, IRQ5));
    g_assert_cmphex(mixer_r(s, 0x82) & 3, ==, 1);
    /* The DMA controller saw terminal count on channel 1. */
    g_assert_cmphex(qtest_inb(s, 0x08) & 0x02, ==, 0x02);
    qtest_inb(s, DSP_RSTAT);
    g_assert_false(qtest_get_irq(s, IRQ5));
    /* Nothing more plays. */
    qtest_clock_step(s, NS);
    qtest_quit(s);

    w = wav_load(path);
    g_assert_cmpuint(w.rate, ==, 8000);
    g_assert_cmpuint(w.channels, ==, 1);
    g_assert_cmpuint(w.frames, ==, N);
    for (int i = 0; i < N; i++) {
        g_assert_cmpint(w.data[i], ==, ((int)buf[i] - 128) * 256);
    }
    g_free(w.data);
    unlink(path);
    g_free(path);
}

/* Auto-init playback: exactly 5 s of virtual time is 40000 frames at
 * 8 kHz, the buffer repeated with no gap, one IRQ per block. */
static void test_dma8_autoinit_duration(void)
{
    char *path = wav_path();
    QTestState *s = start(path, "");
    enum { N = 6000, BLOCK = 3000 };
    uint8_t buf[N];
    int irqs = 0;
    Wav w;

    for (int i = 0; i < N; i++) {
        buf[i] = 0x80 + ((i % 40) < 20 ? 60 : -60) + (i / 40) % 3;
    }
    qtest_bufwrite(s, BUF, buf, N);
    dsp_reset(s);
    full_volume(s);
    dma8_program(s, BUF, N - 1, true);
    set_rate(s, 8000);
    dsp(s, 0xc6);                   /* 8-bit, auto-init, FIFO, output */
    dsp(s, 0x00);
    dsp(s, (BLOCK - 1) & 0xff);
    dsp(s, (BLOCK - 1) >> 8);
    /* 5 s in 10 ms steps, acknowledging each block's interrupt. */
    for (int t = 0; t < 500; t++) {
        qtest_clock_step(s, NS / 100);
        if (qtest_get_irq(s, IRQ5)) {
            irqs++;
            qtest_inb(s, DSP_RSTAT);
        }
    }
    g_assert_cmpint(irqs, ==, 40000 / BLOCK);
    qtest_quit(s);

    w = wav_load(path);
    g_assert_cmpuint(w.rate, ==, 8000);
    g_assert_cmpuint(w.frames, ==, 40000);
    for (int i = 0; i < 40000; i++) {
        g_assert_cmpint(w.data[i], ==, ((int)buf[i % N] - 128) * 256);
    }
    g_free(w.data);
    unlink(path);
    g_free(path);
}

/* 16-bit signed stereo through word channel 5, then exit auto-init. */
static void test_dma16_stereo(void)
{
    char *path = wav_path();
    QTestState *s = start(path, "");
    enum { FRAMES = 2205, SAMPLES = 2 * FRAMES };
    int16_t buf[SAMPLES];
    Wav w;

    for (int i = 0; i < SAMPLES; i++) {
        buf[i] = (i & 1) ? -i * 13 : i * 11;
    }
    qtest_bufwrite(s, BUF, buf, sizeof(buf));
    dsp_reset(s);
    full_volume(s);
    dma16_program(s, BUF, SAMPLES, true);
    set_rate(s, 22050);
    dsp(s, 0xb6);                   /* 16-bit auto-init output */
    dsp(s, 0x30);                   /* stereo, signed */
    dsp(s, (SAMPLES - 1) & 0xff);
    dsp(s, (SAMPLES - 1) >> 8);
    dsp(s, 0xd9);                   /* exit auto-init after this block */
    qtest_clock_step(s, NS / 5);
    g_assert_true(qtest_get_irq(s, IRQ5));
    g_assert_cmphex(mixer_r(s, 0x82) & 3, ==, 2);
    qtest_inb(s, DSP_ACK16);
    g_assert_false(qtest_get_irq(s, IRQ5));
    qtest_clock_step(s, NS / 5);
    g_assert_false(qtest_get_irq(s, IRQ5));
    qtest_quit(s);

    w = wav_load(path);
    g_assert_cmpuint(w.rate, ==, 22050);
    g_assert_cmpuint(w.channels, ==, 2);
    g_assert_cmpuint(w.frames, ==, FRAMES);
    for (int i = 0; i < SAMPLES; i++) {
        g_assert_cmpint(w.data[i], ==, buf[i]);
    }
    g_free(w.data);
    unlink(path);
    g_free(path);
}

/* The mixer's volume reaches the output: master and voice at their
 * power-on -14 dB each give -28 dB. */
static void test_volume(void)
{
    char *path = wav_path();
    QTestState *s = start(path, "");
    enum { N = 800 };
    uint8_t buf[N];
    Wav w;

    memset(buf, 0xff, N);           /* +127 * 256 */
    qtest_bufwrite(s, BUF, buf, N);
    dsp_reset(s);
    dma8_program(s, BUF, N - 1, false);
    set_rate(s, 8000);
    dsp(s, 0x14);                   /* legacy single-cycle */
    dsp(s, (N - 1) & 0xff);
    dsp(s, (N - 1) >> 8);
    qtest_clock_step(s, NS / 5);
    qtest_quit(s);

    w = wav_load(path);
    g_assert_cmpuint(w.frames, ==, N);
    /* 32512 * 10^(-28/20) = 1294 */
    g_assert_cmpint(w.data[N / 2], >=, 1290);
    g_assert_cmpint(w.data[N / 2], <=, 1298);
    g_free(w.data);
    unlink(path);
    g_free(path);
}

/* Without data from DMA (the channel stays masked) the card waits: no
 * interrupt, silence in the file, nothing stuck. */
static void test_masked_channel(void)
{
    char *path = wav_path();
    QTestState *s = start(path, "");
    Wav w;

    dsp_reset(s);
    full_volume(s);
    dma8_program(s, BUF, 99, false);
    qtest_outb(s, 0x0a, 0x05);      /* mask channel 1 again */
    set_rate(s, 8000);
    dsp(s, 0xc0);
    dsp(s, 0x00);
    dsp(s, 99);
    dsp(s, 0);
    qtest_clock_step(s, NS / 10);
    g_assert_false(qtest_get_irq(s, IRQ5));
    qtest_memset(s, BUF, 0xc0, 100);
    qtest_outb(s, 0x0a, 0x01);      /* unmask: playback goes on */
    qtest_clock_step(s, NS / 10);
    g_assert_true(qtest_get_irq(s, IRQ5));
    qtest_quit(s);

    w = wav_load(path);
    g_assert_cmpuint(w.frames, ==, 800 + 100);
    g_assert_cmpint(w.data[0], ==, 0);
    g_assert_cmpint(w.data[899], ==, 0x40 * 256);
    g_free(w.data);
    unlink(path);
    g_free(path);
}

/* Recording from the null source writes silence into guest memory. */
static void test_record(void)
{
    QTestState *s = start(NULL, "");
    uint8_t got[64];

    qtest_memset(s, BUF, 0x11, sizeof(got));
    dsp_reset(s);
    qtest_outb(s, 0xd4, 0x00);
    qtest_outb(s, 0x0a, 0x05);
    qtest_outb(s, 0x0c, 0x00);
    qtest_outb(s, 0x0b, 0x45);      /* write to memory, channel 1 */
    qtest_outb(s, 0x02, 0x00);
    qtest_outb(s, 0x02, 0x00);
    qtest_outb(s, 0x83, 0x01);
    qtest_outb(s, 0x03, sizeof(got) - 1);
    qtest_outb(s, 0x03, 0);
    qtest_outb(s, 0x0a, 0x01);
    dsp(s, 0x42);
    dsp(s, 8000 >> 8);
    dsp(s, 8000 & 0xff);
    dsp(s, 0xc8);                   /* 8-bit single-cycle input */
    dsp(s, 0x00);
    dsp(s, sizeof(got) - 1);
    dsp(s, 0);
    qtest_clock_step(s, NS / 10);
    g_assert_true(qtest_get_irq(s, IRQ5));
    qtest_memread(s, BUF, got, sizeof(got));
    for (size_t i = 0; i < sizeof(got); i++) {
        g_assert_cmphex(got[i], ==, 0x80);
    }
    qtest_quit(s);
}

/* Hostile programming: random DSP bytes, mixer writes, DMA pointing at
 * the top of the address space and at MMIO, huge counts. The emulator
 * must neither crash nor hang. */
static void test_fuzz(void)
{
    QTestState *s = start(NULL, "");
    GRand *r = g_rand_new_with_seed(1370);

    for (int round = 0; round < 40; round++) {
        dsp_reset(s);
        qtest_outb(s, 0xd4, 0x00);
        qtest_outb(s, 0x0b, 0x59);
        qtest_outb(s, 0x0c, 0);
        qtest_outb(s, 0x02, g_rand_int(r));
        qtest_outb(s, 0x02, g_rand_int(r));
        qtest_outb(s, 0x83, g_rand_int(r));
        qtest_outb(s, 0x03, 0xff);
        qtest_outb(s, 0x03, 0xff);
        qtest_outb(s, 0x0a, 0x01);
        dma16_program(s, 0xfffe0000u & g_rand_int(r), 0xffff, true);
        for (int i = 0; i < 60; i++) {
            uint32_t v = g_rand_int(r);
            switch (v % 4) {
            case 0:
                mixer_w(s, v >> 8, v >> 16);
                break;
            case 1:
                qtest_inb(s, SB + 4 + (v >> 8) % 12);
                break;
            default:
                qtest_outb(s, DSP_WRITE, v >> 8);
                break;
            }
        }
        /* Some real transfers among the noise. */
        set_rate(s, 5000 + g_rand_int_range(r, 0, 40000));
        dsp(s, 0xb0 | (g_rand_int(r) & 0x0f));
        dsp(s, g_rand_int(r));
        dsp(s, 0xff);
        dsp(s, 0xff);
        qtest_clock_step(s, NS / 50);
    }
    g_rand_free(r);
    /* Still answering. */
    dsp_reset(s);
    dsp(s, 0xe1);
    g_assert_cmphex(qtest_inb(s, DSP_READ), ==, 4);
    qtest_quit(s);
}

/* The sdl back end under SDL's dummy audio driver: playback runs to its
 * interrupt and the emulator exits cleanly. Skipped without SDL. */
static void test_sdl_dummy(void)
{
    char *cmd = g_strdup_printf("%s -audiodev help", g_getenv("PCEMU_BINARY"));
    char *out = NULL;
    QTestState *s;

    g_assert_true(g_spawn_command_line_sync(cmd, &out, NULL, NULL, NULL));
    g_free(cmd);
    if (!strstr(out, "sdl")) {
        g_free(out);
        g_test_skip("built without SDL2");
        return;
    }
    g_free(out);
    g_setenv("SDL_AUDIODRIVER", "dummy", true);
    s = qtest_init("-audiodev sdl,id=snd0 -device sb16,audiodev=snd0");
    qtest_irq_intercept_in(s, "ioapic");
    qtest_memset(s, BUF, 0x90, 4000);
    dsp_reset(s);
    dma8_program(s, BUF, 3999, false);
    set_rate(s, 22050);
    dsp(s, 0xc0);
    dsp(s, 0x00);
    dsp(s, (4000 - 1) & 0xff);
    dsp(s, (4000 - 1) >> 8);
    qtest_clock_step(s, NS / 5);
    g_assert_true(qtest_get_irq(s, IRQ5));
    qtest_quit(s);
    g_unsetenv("SDL_AUDIODRIVER");
}

static void test_bad_options(void)
{
    const char *cases[] = {
        "-device sb16",
        "-device sb16,audiodev=nope",
        "-audiodev none,id=a -device sb16,audiodev=a,irq=4",
        "-audiodev none,id=a -device sb16,audiodev=a,dma=2",
        "-audiodev bogus,id=a",
        "-audiodev none",
        "-audiodev none,id=a,path=x.wav",
        "-audiodev wav,id=a,path=/nonexistent/dir/x.wav",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *cmd = g_strdup_printf("%s -M pc -accel qtest -display none "
                                    "-net none %s", g_getenv("PCEMU_BINARY"),
                                    cases[i]);
        char *err = NULL;
        int status = 0;

        g_assert_true(g_spawn_command_line_sync(cmd, NULL, &err, &status,
                                                NULL));
        g_assert_true(WIFEXITED(status));
        g_assert_cmpint(WEXITSTATUS(status), ==, 1);
        /* One clear line. */
        g_assert_nonnull(strchr(err, '\n'));
        g_assert_null(strchr(strchr(err, '\n') + 1, '\n'));
        g_free(err);
        g_free(cmd);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sb16/reset-version", test_reset_version);
    g_test_add_func("/sb16/mixer", test_mixer);
    g_test_add_func("/sb16/irq-ack", test_irq_ack);
    g_test_add_func("/sb16/dma8-single", test_dma8_single);
    g_test_add_func("/sb16/dma8-autoinit-duration",
                   test_dma8_autoinit_duration);
    g_test_add_func("/sb16/dma16-stereo", test_dma16_stereo);
    g_test_add_func("/sb16/volume", test_volume);
    g_test_add_func("/sb16/masked-channel", test_masked_channel);
    g_test_add_func("/sb16/record", test_record);
    g_test_add_func("/sb16/fuzz", test_fuzz);
    g_test_add_func("/sb16/bad-options", test_bad_options);
    g_test_add_func("/sb16/sdl-dummy", test_sdl_dummy);
    return g_test_run();
}
