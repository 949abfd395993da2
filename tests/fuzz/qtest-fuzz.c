/*
 * A fuzz target for every device of the pc machine: the input is a
 * stream of small binary operations (port and MMIO accesses, PCI
 * configuration cycles, clock steps, IRQ inputs, bulk DMA-style writes
 * and raw protocol text), each turned into a qtest command line and run
 * in-process by the qtest server (accel/qtest/qtest.c). Like
 * tests/qtest's fuzz, its only assertion is that nothing crashes, hangs
 * or trips a sanitizer.
 *
 * Two builds of this file:
 * - with libFuzzer (clang, -Db_sanitize=address plus
 *   -Dc_args=-fsanitize=fuzzer-no-link: see docs/qtest-protocol.md),
 *   `qtest-fuzz-libfuzzer CORPUS_DIR`;
 * - a plain driver for any compiler: `qtest-fuzz FILE...` runs inputs
 *   (crash reproducers), `qtest-fuzz --random N [SEED]` runs N random
 *   inputs; meson's "fuzz" suite runs a fixed-seed batch.
 * PCEMU_FUZZ_LOG=1 prints every command and reply on stderr: the log of
 * a crashing input is a qtest script that reproduces it on a real pcemu
 * (`pcemu -accel qtest -qtest stdio ...`).
 *
 * The machine is built once; each input starts from a system reset with
 * zeroed RAM, so an input's effect does not depend on the ones before.
 */
#include "pcemu/common.h"
#include "accel/accel.h"
#include "accel/qtest.h"
#include "hw/i386/pc.h"
#include "hw/machine.h"
#include "softmmu/main-loop.h"
#include "softmmu/runstate.h"
#include "softmmu/timer.h"

/* Longest clock step one command may ask for: a second of virtual time
 * is plenty to reach any device deadline and keeps each input fast. */
#define FUZZ_MAX_CLOCK_STEP     NANOSECONDS_PER_SECOND
#define FUZZ_RAM_SIZE           (16 * MiB)

/* Where memory accesses go: an operation picks a window and an offset. */
static const struct {
    uint64_t base, size;
} fuzz_windows[] = {
    { 0x00000000, 0x100000 },       /* low RAM, VGA window, BIOS shadow */
    { 0x00100000, 0x100000 },       /* RAM */
    { 0xe0000000, 0x10000000 },     /* PCI hole: BARs the input programs */
    { 0xfec00000, 0x1000 },         /* IOAPIC */
    { 0xfed00000, 0x1000 },         /* HPET */
    { 0xfee00000, 0x1000 },         /* local APIC */
    { 0xfffc0000, 0x40000 },        /* BIOS ROM */
    { 0x00000000, 0x100000000ULL }, /* all of the 32-bit space */
};

enum {
    OP_OUT, OP_IN, OP_WRITE, OP_READ, OP_CLOCK_STEP, OP_CLOCK_NEXT,
    OP_PCI_WRITE, OP_PCI_READ, OP_RAW, OP_BULK_WRITE, OP_SET_IRQ,
    OP_MEMSET, OP_MAX
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
        if (len > 200) {
            fprintf(stderr, "...\n");
        }
    }
}

/* Runs one protocol line, then whatever the devices deferred. */
static void fuzz_cmd(const char *fmt, ...) PRINTF_FMT(1, 2);
static void fuzz_cmd(const char *fmt, ...)
{
    va_list ap;
    GString *line = g_string_new(NULL);

    va_start(ap, fmt);
    g_string_append_vprintf(line, fmt, ap);
    va_end(ap);
    if (fuzz_log) {
        fprintf(stderr, "> %.*s\n", (int)MIN(line->len, 200), line->str);
    }
    g_string_append_c(line, '\n');
    qtest_server_feed(line->str, line->len);
    g_string_free(line, true);
    main_loop_wait(0);
}

/* Takes n bytes of operand, little-endian; missing bytes read as 0 and
 * end the input. */
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

static const char size_suffix[] = "bwlq";

static uint64_t take_addr(FuzzInput *in)
{
    unsigned w = take(in, 1) % ARRAY_SIZE(fuzz_windows);
    uint64_t off = take(in, 4);

    return fuzz_windows[w].base + off % fuzz_windows[w].size;
}

static void fuzz_op(FuzzInput *in)
{
    unsigned op = take(in, 1) % OP_MAX;

    switch (op) {
    case OP_OUT: {
        unsigned sz = take(in, 1) % 3;
        unsigned port = take(in, 2);
        uint32_t val = take(in, 4);

        val &= sz == 0 ? 0xff : sz == 1 ? 0xffff : 0xffffffff;
        fuzz_cmd("out%c 0x%x 0x%x", size_suffix[sz], port, val);
        break;
    }
    case OP_IN: {
        unsigned sz = take(in, 1) % 3;

        fuzz_cmd("in%c 0x%x", size_suffix[sz], (unsigned)take(in, 2));
        break;
    }
    case OP_WRITE: {
        unsigned sz = take(in, 1) % 4;
        uint64_t addr = take_addr(in);
        uint64_t val = take(in, 1u << sz);

        fuzz_cmd("write%c 0x%" PRIx64 " 0x%" PRIx64, size_suffix[sz], addr,
                 val);
        break;
    }
    case OP_READ: {
        unsigned sz = take(in, 1) % 4;

        fuzz_cmd("read%c 0x%" PRIx64, size_suffix[sz], take_addr(in));
        break;
    }
    case OP_CLOCK_STEP:
        fuzz_cmd("clock_step %u", (unsigned)take(in, 4));
        break;
    case OP_CLOCK_NEXT:
        fuzz_cmd("clock_step");
        break;
    case OP_PCI_WRITE:
    case OP_PCI_READ: {
        unsigned devfn = take(in, 1), reg = take(in, 1);
        unsigned sz = take(in, 1) % 3;
        unsigned port = 0xcfc + (reg & (sz == 0 ? 3 : sz == 1 ? 2 : 0));

        /* PCI Local Bus Spec 3.0, 3.2.2.3.2: configuration mechanism #1 */
        fuzz_cmd("outl 0xcf8 0x%x", 0x80000000u | devfn << 8 | (reg & 0xfc));
        if (op == OP_PCI_WRITE) {
            uint32_t val = take(in, 4);

            val &= sz == 0 ? 0xff : sz == 1 ? 0xffff : 0xffffffff;
            fuzz_cmd("out%c 0x%x 0x%x", size_suffix[sz], port, val);
        } else {
            fuzz_cmd("in%c 0x%x", size_suffix[sz], port);
        }
        break;
    }
    case OP_RAW: {
        /* protocol text as it comes: may hold several lines */
        size_t want = take(in, 1);
        size_t len = MIN(want, (size_t)(in->end - in->p));

        if (fuzz_log) {
            fprintf(stderr, "> %.*s\n", (int)len, (const char *)in->p);
        }
        qtest_server_feed(in->p, len);
        qtest_server_feed("\n", 1);
        in->p += len;
        main_loop_wait(0);
        break;
    }
    case OP_BULK_WRITE: {
        uint64_t addr = take_addr(in);
        size_t want = take(in, 1);
        size_t len = MIN(want, (size_t)(in->end - in->p));
        GString *hex = g_string_new(NULL);

        for (size_t i = 0; i < len; i++) {
            g_string_append_printf(hex, "%02x", in->p[i]);
        }
        in->p += len;
        fuzz_cmd("write 0x%" PRIx64 " 0x%zx 0x%s", addr, len, hex->str);
        g_string_free(hex, true);
        break;
    }
    case OP_SET_IRQ: {
        unsigned gsi = take(in, 1) % MACHINE_NR_GSI;

        fuzz_cmd("set_irq_in ioapic unnamed-gpio-in %u %u", gsi,
                 (unsigned)take(in, 1) & 1);
        break;
    }
    case OP_MEMSET: {
        uint64_t addr = take_addr(in);
        unsigned len = take(in, 2);

        fuzz_cmd("memset 0x%" PRIx64 " 0x%x 0x%x", addr, len,
                 (unsigned)take(in, 1));
        break;
    }
    }
}

/* Handles what the last input asked of the run state (reset, guest
 * power-off) and starts the next one from a reset machine. */
static void fuzz_reset(void)
{
    int status;

    system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    for (int i = 0; i < 4 && runstate_handle_requests(&status); i++) {
        /* exit requests are sticky; nothing in this machine makes one */
    }
    memset(current_machine->ram.host, 0, current_machine->cfg.ram_size);
    if (!runstate_is_running()) {
        vm_start();
    }
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
    if (!qtest_accel_ops.init(NULL, &err)) {
        error_report_err(err);
        exit(1);
    }
    m = pc_machine_create(&cfg, &qtest_accel_ops, NULL, 0, &err);
    if (!m || !qtest_accel_ops.start_vcpus(m, &err)) {
        error_report_err(err);
        exit(1);
    }
    /* A guest power-off stops the machine instead of ending the run. */
    runstate_no_shutdown = true;
    vm_start();
    qtest_server_init_inproc(fuzz_output, NULL);
    qtest_server_set_max_clock_step(FUZZ_MAX_CLOCK_STEP);
    /* Exercise the IRQ reporting path too. */
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
    /* Still answering? */
    fuzz_reply_bytes = 0;
    fuzz_cmd("endianness");
    assert(fuzz_reply_bytes == strlen("OK little\n"));
    return 0;
}

#ifndef PCEMU_LIBFUZZER
static int run_file(const char *path)
{
    gchar *data;
    gsize len;
    GError *gerr = NULL;

    if (!g_file_get_contents(path, &data, &len, &gerr)) {
        fprintf(stderr, "qtest-fuzz: %s\n", gerr->message);
        g_error_free(gerr);
        return 1;
    }
    fprintf(stderr, "qtest-fuzz: %s (%zu bytes)\n", path, (size_t)len);
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    g_free(data);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "--random")) {
        unsigned n = strtoul(argv[2], NULL, 0);
        guint32 seed = argc > 3 ? strtoul(argv[3], NULL, 0)
                                : g_random_int();
        GRand *r = g_rand_new_with_seed(seed);

        printf("qtest-fuzz: %u random inputs, seed %u\n", n, seed);
        for (unsigned i = 0; i < n; i++) {
            size_t len = g_rand_int_range(r, 1, 1024);
            uint8_t *buf = g_malloc(len);

            for (size_t j = 0; j < len; j++) {
                buf[j] = g_rand_int(r);
            }
            if (fuzz_log) {
                fprintf(stderr, "==== input %u\n", i);
            }
            LLVMFuzzerTestOneInput(buf, len);
            g_free(buf);
        }
        g_rand_free(r);
        printf("qtest-fuzz: %u inputs ran\n", n);
        return 0;
    }
    if (argc < 2) {
        fprintf(stderr, "usage: qtest-fuzz FILE... | --random N [SEED]\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        if (run_file(argv[i])) {
            return 1;
        }
    }
    return 0;
}
#endif
