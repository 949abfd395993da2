/*
 * A fuzz target for the sound hardware: the SB16's DSP command stream and
 * mixer, the i8237 DMA controllers behind it, and the ES1370's registers
 * and bus-master rings, all on a pc machine with "-audiodev none". The
 * input is a stream of operations aimed at those ports (plus canned
 * set-ups that make real transfers happen, with fuzzed addresses, counts
 * and formats, and virtual-clock steps that let the audio core pull
 * them), each turned into a qtest command line and run in-process, as
 * tests/fuzz/qtest-fuzz.c does. Its only assertion: nothing crashes,
 * hangs or trips a sanitizer, and the machine still answers.
 *
 * `audio-fuzz FILE...` runs inputs, `audio-fuzz --random N [SEED]` N
 * random ones (meson's "fuzz" suite runs a fixed-seed batch); with clang
 * and libFuzzer, audio-fuzz-libfuzzer is the coverage-guided build.
 * PCEMU_FUZZ_LOG=1 prints the qtest conversation, a script that replays
 * on `pcemu -accel qtest -qtest stdio -audiodev none,id=fz
 * -device sb16,audiodev=fz -device ES1370,audiodev=fz,addr=05.0`.
 */
#include "pcemu/common.h"
#include "accel/accel.h"
#include "accel/qtest.h"
#include "audio/audio.h"
#include "hw/i386/pc.h"
#include "hw/machine.h"
#include "softmmu/main-loop.h"
#include "softmmu/runstate.h"
#include "softmmu/timer.h"

#define FUZZ_RAM_SIZE       (16 * MiB)
#define FUZZ_MAX_STEP_NS    (50 * 1000 * 1000)
#define SB_BASE             0x220
#define ES_DEVFN            (5 << 3)
#define ES_BASE             0xc000

enum {
    OP_DSP, OP_DSP_RESET, OP_MIXER, OP_SB_READ, OP_DMA8, OP_DMA16,
    OP_SB_PLAY, OP_ES_WRITE, OP_ES_READ, OP_ES_PLAY, OP_CLOCK, OP_MEM,
    OP_MAX
};

typedef struct FuzzInput {
    const uint8_t *p, *end;
} FuzzInput;

static bool fuzz_log;
static size_t fuzz_reply_bytes;

static void fuzz_output(const char *buf, size_t len, void *opaque)
{
    fuzz_reply_bytes += len;
    if (fuzz_log) {
        fprintf(stderr, "< %.*s", (int)MIN(len, 200), buf);
    }
}

static void fuzz_cmd(const char *fmt, ...) PRINTF_FMT(1, 2);
static void fuzz_cmd(const char *fmt, ...)
{
    va_list ap;
    GString *line = g_string_new(NULL);

    va_start(ap, fmt);
    g_string_append_vprintf(line, fmt, ap);
    va_end(ap);
    if (fuzz_log) {
        fprintf(stderr, "> %s\n", line->str);
    }
    g_string_append_c(line, '\n');
    qtest_server_feed(line->str, line->len);
    g_string_free(line, true);
    main_loop_wait(0);
}

/* n bytes of operand, little-endian; missing bytes read as 0. */
static uint64_t take(FuzzInput *in, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++) {
        if (in->p < in->end) {
            v |= (uint64_t)*in->p++ << (8 * i);
        }
    }
    return v;
}

static void outb(unsigned port, unsigned v)
{
    fuzz_cmd("outb 0x%x 0x%x", port, v & 0xff);
}

/* A DMA channel and an SB16 transfer that really run: fuzzed buffer
 * address (anywhere in 16 MiB, or beyond), count, mode, rate and DSP
 * command. */
static void sb_play(FuzzInput *in)
{
    bool word = take(in, 1) & 1;
    uint32_t addr = take(in, 3);
    uint16_t count = take(in, 2);
    uint8_t mode = take(in, 1);
    uint16_t rate = take(in, 2);
    uint8_t cmd = take(in, 1);
    uint8_t fmt = take(in, 1);
    uint16_t len = take(in, 2);

    outb(0xd4, 0x00);                       /* cascade */
    if (word) {
        outb(0xd8, 0);
        outb(0xd6, (mode & 0xfc) | 1);      /* channel 5 */
        outb(0xc4, addr >> 1);
        outb(0xc4, addr >> 9);
        outb(0x8b, addr >> 16);
        outb(0xc6, count);
        outb(0xc6, count >> 8);
        outb(0xd4, 0x01);
    } else {
        outb(0x0c, 0);
        outb(0x0b, (mode & 0xfc) | 1);      /* channel 1 */
        outb(0x02, addr);
        outb(0x02, addr >> 8);
        outb(0x83, addr >> 16);
        outb(0x03, count);
        outb(0x03, count >> 8);
        outb(0x0a, 0x01);
    }
    outb(SB_BASE + 0xc, 0x41);
    outb(SB_BASE + 0xc, rate >> 8);
    outb(SB_BASE + 0xc, rate);
    outb(SB_BASE + 0xc, (word ? 0xb0 : 0xc0) | (cmd & 0x0f));
    outb(SB_BASE + 0xc, fmt);
    outb(SB_BASE + 0xc, len);
    outb(SB_BASE + 0xc, len >> 8);
}

/* An ES1370 channel running from a fuzzed ring. */
static void es_play(FuzzInput *in)
{
    unsigned ch = take(in, 1) % 3;
    uint32_t addr = take(in, 4);
    uint32_t size = take(in, 4);
    uint32_t count = take(in, 4);
    uint32_t sctl = take(in, 4);
    uint32_t ctl = take(in, 4);
    static const unsigned page[] = { 0x0c, 0x0c, 0x0d };
    static const unsigned reg[] = { 0x30, 0x38, 0x30 };

    fuzz_cmd("outl 0x%x 0x%x", ES_BASE + 0x0c, page[ch]);
    fuzz_cmd("outl 0x%x 0x%x", ES_BASE + reg[ch], addr);
    fuzz_cmd("outl 0x%x 0x%x", ES_BASE + reg[ch] + 4, size);
    fuzz_cmd("outl 0x%x 0x%x", ES_BASE + 0x24 + 4 * ch, count);
    fuzz_cmd("outl 0x%x 0x%x", ES_BASE + 0x20, sctl);
    fuzz_cmd("outl 0x%x 0x%x", ES_BASE + 0x00, ctl | (0x40 >> ch));
}

static void fuzz_op(FuzzInput *in)
{
    unsigned op = take(in, 1) % OP_MAX;

    switch (op) {
    case OP_DSP:
        outb(SB_BASE + 0xc, take(in, 1));
        break;
    case OP_DSP_RESET:
        outb(SB_BASE + 0x6, 1);
        outb(SB_BASE + 0x6, 0);
        break;
    case OP_MIXER:
        outb(SB_BASE + 0x4, take(in, 1));
        outb(SB_BASE + 0x5, take(in, 1));
        break;
    case OP_SB_READ:
        fuzz_cmd("inb 0x%x", SB_BASE + (unsigned)take(in, 1) % 16);
        break;
    case OP_DMA8: {
        unsigned r = take(in, 1) % 32;
        outb(r < 16 ? r : 0x80 + r - 16, take(in, 1));
        break;
    }
    case OP_DMA16:
        outb(0xc0 + 2 * ((unsigned)take(in, 1) % 16), take(in, 1));
        break;
    case OP_SB_PLAY:
        sb_play(in);
        break;
    case OP_ES_WRITE: {
        unsigned off = take(in, 1) % 0x40;
        unsigned sz = take(in, 1) % 3;
        uint32_t v = take(in, 4);
        fuzz_cmd("out%c 0x%x 0x%x", "bwl"[sz], ES_BASE + off,
                 sz == 0 ? v & 0xff : sz == 1 ? v & 0xffff : v);
        break;
    }
    case OP_ES_READ:
        fuzz_cmd("inl 0x%x", ES_BASE + ((unsigned)take(in, 1) % 0x40 & ~3));
        break;
    case OP_ES_PLAY:
        es_play(in);
        break;
    case OP_CLOCK:
        fuzz_cmd("clock_step %u",
                 (unsigned)(take(in, 4) % FUZZ_MAX_STEP_NS) + 1);
        break;
    case OP_MEM: {
        uint32_t addr = take(in, 3) % (FUZZ_RAM_SIZE - 256);
        fuzz_cmd("memset 0x%x 0x%x 0x%x", addr, (unsigned)take(in, 1),
                 (unsigned)take(in, 1));
        break;
    }
    }
}

/* Each input starts from a reset machine with zeroed RAM and the ES1370
 * decoding I/O at ES_BASE with bus mastering on. */
static void fuzz_reset(void)
{
    int status;

    system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    for (int i = 0; i < 4 && runstate_handle_requests(&status); i++) {
    }
    memset(current_machine->ram.host, 0, current_machine->cfg.ram_size);
    if (!runstate_is_running()) {
        vm_start();
    }
    fuzz_cmd("outl 0xcf8 0x%x", 0x80000000u | ES_DEVFN << 8 | 0x10);
    fuzz_cmd("outl 0xcfc 0x%x", ES_BASE);
    fuzz_cmd("outl 0xcf8 0x%x", 0x80000000u | ES_DEVFN << 8 | 0x04);
    fuzz_cmd("outw 0xcfc 0x5");
}

static void fuzz_init(void)
{
    static const char *const fw_dirs[] = {
#ifdef FUZZ_FW_DIR
        FUZZ_FW_DIR,
#endif
        "/usr/share/seabios", "/usr/share/qemu", NULL
    };
    MachineConfig cfg = {
        .ram_size = FUZZ_RAM_SIZE,
        .smp_cpus = 1,
        .smp_max_cpus = 1,
        .firmware_dirs = fw_dirs,
        .no_shutdown = true,
    };
    Error *err = NULL;
    Machine *m;

    fuzz_log = getenv("PCEMU_FUZZ_LOG") != NULL;
    main_loop_init();
    if (!qtest_accel_ops.init(NULL, &err) ||
        !audio_add_audiodev("none,id=fz", &err)) {
        error_report_err(err);
        exit(1);
    }
    m = pc_machine_create(&cfg, &qtest_accel_ops, NULL, 0, &err);
    if (!m || !machine_create_device(m, "sb16", "audiodev=fz", &err) ||
        !machine_create_device(m, "ES1370", "audiodev=fz,addr=05.0",
                               &err) ||
        !qtest_accel_ops.start_vcpus(m, &err)) {
        error_report_err(err);
        exit(1);
    }
    runstate_no_shutdown = true;
    vm_start();
    qtest_server_init_inproc(fuzz_output, NULL);
    qtest_server_set_max_clock_step(FUZZ_MAX_STEP_NS);
    fuzz_cmd("irq_intercept_in ioapic");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool initialized;
    FuzzInput in = { data, data + size };

    if (!initialized) {
        fuzz_init();
        initialized = true;
    }
    fuzz_reset();
    while (in.p < in.end) {
        fuzz_op(&in);
    }
    fuzz_reply_bytes = 0;
    fuzz_cmd("endianness");
    assert(fuzz_reply_bytes == strlen("OK little\n"));
    return 0;
}

#ifndef PCEMU_LIBFUZZER
int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "--random")) {
        unsigned n = strtoul(argv[2], NULL, 0);
        guint32 seed = argc > 3 ? strtoul(argv[3], NULL, 0)
                                : g_random_int();
        GRand *r = g_rand_new_with_seed(seed);

        printf("audio-fuzz: %u random inputs, seed %u\n", n, seed);
        for (unsigned i = 0; i < n; i++) {
            size_t len = g_rand_int_range(r, 1, 512);
            uint8_t *buf = g_malloc(len);

            for (size_t j = 0; j < len; j++) {
                buf[j] = g_rand_int(r);
            }
            LLVMFuzzerTestOneInput(buf, len);
            g_free(buf);
        }
        g_rand_free(r);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        gchar *data;
        gsize len;

        if (!g_file_get_contents(argv[i], &data, &len, NULL)) {
            fprintf(stderr, "audio-fuzz: cannot read %s\n", argv[i]);
            return 1;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)data, len);
        g_free(data);
    }
    return 0;
}
#endif
