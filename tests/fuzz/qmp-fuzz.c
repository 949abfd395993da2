/*
 * A fuzz target for the QMP server: the input is the byte stream a
 * client sends, fed in pieces to a QMP monitor (monitor/qmp.c: the
 * stream splitter, jansson, the dispatcher, argument checks and every
 * command) on an in-process pc machine. Its only assertion is that
 * nothing crashes, hangs or trips a sanitizer, and that the monitor
 * always answers a final well-formed command.
 *
 * Builds: with clang and libFuzzer, `qmp-fuzz-libfuzzer CORPUS_DIR`;
 * everywhere, `qmp-fuzz FILE...` runs inputs and `qmp-fuzz --random N
 * [SEED]` runs N random inputs made of QMP-ish tokens (meson's "fuzz"
 * suite runs a fixed-seed batch). screendump is refused (an input must
 * not write files), quit and resets stay requests the harness never
 * carries out. PCEMU_FUZZ_LOG=1 prints the server's replies on stderr.
 */
#include "pcemu/common.h"
#include "accel/accel.h"
#include "hw/i386/pc.h"
#include "hw/machine.h"
#include "monitor/monitor-internal.h"
#include "softmmu/main-loop.h"
#include "softmmu/runstate.h"

static bool no_screendump(const char *file, const char *format,
                          void *opaque, Error **errp)
{
    error_setg(errp, "screendump disabled while fuzzing");
    return false;
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
        .ram_size = 16 * MiB, .smp_cpus = 1, .smp_max_cpus = 1,
        .firmware_dirs = fw_dirs,
    };
    Error *err = NULL;
    Machine *m;

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
    vm_start();
    monitor_set_screendump_handler(no_screendump, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool initialized;
    static const char probe[] = "\n{\"execute\":\"query-name\",\"id\":\"z\"}";
    Monitor mon = { .qmp = true };
    size_t off = 0;

    if (!initialized) {
        fuzz_init();
        initialized = true;
    }
    mon.in = g_string_new(NULL);
    mon.line = g_string_new(NULL);
    mon.capture = g_string_new(NULL);
    qmp_monitor_event(&mon, CHR_EVENT_OPENED);
    /* The first byte: negotiate first (to reach the commands) or not,
     * then the stream in pieces of varying size, as reads deliver it. */
    if (size && (data[0] & 1)) {
        static const char cap[] = "{\"execute\":\"qmp_capabilities\"}";
        qmp_monitor_input(&mon, (const uint8_t *)cap, strlen(cap));
    }
    while (off < size) {
        size_t n = MIN(size - off, (size_t)1 + (data[off] % 97));

        qmp_monitor_input(&mon, data + off, n);
        off += n;
        if (mon.capture->len > 1 * MiB) {
            g_string_truncate(mon.capture, 0);
        }
    }
    if (getenv("PCEMU_FUZZ_LOG")) {
        fprintf(stderr, "%s", mon.capture->str);
    }
    /* Close anything left open (a string, then up to the nesting limit),
     * then a good command must be answered. */
    qmp_monitor_input(&mon, (const uint8_t *)"\"\n", 2);
    g_string_truncate(mon.capture, 0);
    qmp_monitor_input(&mon, (const uint8_t *)probe, strlen(probe));
    if (!mon.discard && !strstr(mon.capture->str, "\"id\": \"z\"") &&
        mon.depth == 0 && !mon.in_string && !mon.bare) {
        fprintf(stderr, "qmp-fuzz: no answer to a good command: %s\n",
                mon.capture->str);
        abort();
    }
    g_string_free(mon.in, true);
    g_string_free(mon.line, true);
    g_string_free(mon.capture, true);
    /* Undo what the input asked for, so inputs stay independent. */
    if (!runstate_is_running() && runstate_get() != RUN_STATE_SHUTDOWN) {
        vm_start();
    }
    return 0;
}

#ifndef PCEMU_LIBFUZZER
static const char *const tokens[] = {
    "{", "}", "[", "]", ":", ",", "\"", "\\", " ", "\n", "\"execute\"",
    "\"arguments\"", "\"id\"", "\"exec-oob\"", "\"control\"", "true",
    "false", "null", "0", "-1", "1e999", "18446744073709551616", "\"\\u0000\"",
    "\"qmp_capabilities\"", "\"query-status\"", "\"query-pci\"",
    "\"query-commands\"", "\"qom-list\"", "\"qom-get\"", "\"path\"",
    "\"/machine\"", "\"/machine/i8042.0\"", "\"property\"", "\"type\"",
    "\"send-key\"", "\"keys\"", "\"qcode\"", "\"data\"", "\"a\"",
    "\"hold-time\"", "\"input-send-event\"", "\"events\"", "\"rel\"",
    "\"btn\"", "\"key\"", "\"axis\"", "\"x\"", "\"value\"", "\"down\"",
    "\"human-monitor-command\"", "\"command-line\"", "\"xp /4xw 0\"",
    "\"info pci\"", "\"x /99999xg 0xffffffff\"", "\"info registers -a\"",
    "\"device-list-properties\"", "\"typename\"", "\"isa-serial\"",
    "\"stop\"", "\"cont\"", "\"screendump\"", "\"filename\"", "\xff",
    "\"enable\"", "[\"oob\"]", "\"sendkey ctrl-alt-delete\"",
};

static uint64_t rng_state;

static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return rng_state >> 33;
}

static const char *const commands[] = {
    "query-status", "query-version", "query-commands", "query-name",
    "query-cpus-fast", "query-kvm", "query-machines", "query-chardev",
    "query-pci", "stop", "cont", "system_powerdown", "send-key",
    "input-send-event", "human-monitor-command", "qom-list", "qom-get",
    "device-list-properties", "screendump", "qmp_capabilities", "nosuch",
};
static const char *const keys[] = {
    "path", "property", "typename", "keys", "hold-time", "events",
    "command-line", "cpu-index", "filename", "format", "enable", "type",
    "data", "down", "key", "button", "axis", "value", "x",
};
static const char *const scalars[] = {
    "\"/machine\"", "\"/machine/i8042.0\"", "\"/machine/peripheral\"",
    "\"/\"", "\"type\"", "\"iobase\"", "\"realized\"",
    "\"isa-serial\"", "\"i8042\"", "\"qcode\"", "\"number\"",
    "\"ctrl\"", "\"a\"", "\"left\"", "\"wheel-up\"", "\"rel\"",
    "\"abs\"", "\"key\"", "\"btn\"", "\"x\"", "\"y\"", "true",
    "false", "null", "0", "-1", "65536", "9223372036854775807", "1.5",
    "\"info pci\"", "\"info qtree\"", "\"info mtree\"",
    "\"xp /16xg 0xfffffff0\"", "\"x /3c 0xffff0\"", "\"info registers\"",
    "\"sendkey ctrl-alt-delete 10\"", "\"help\"", "\"oob\"", "\"\"",
};

/* A random JSON value of the QMP argument kind, depth-limited. */
static void random_value(GString *s, int depth, bool object)
{
    unsigned k = object ? 2 : rnd() % (depth > 3 ? 1 : 4);

    if (k == 0) {
        g_string_append(s, scalars[rnd() % ARRAY_SIZE(scalars)]);
    } else if (k == 1) {
        unsigned n = rnd() % 4;

        g_string_append_c(s, '[');
        for (unsigned i = 0; i < n; i++) {
            g_string_append(s, i ? "," : "");
            random_value(s, depth + 1, false);
        }
        g_string_append_c(s, ']');
    } else {
        unsigned n = rnd() % 4;

        g_string_append_c(s, '{');
        for (unsigned i = 0; i < n; i++) {
            g_string_append_printf(s, "%s\"%s\":", i ? "," : "",
                                   keys[rnd() % ARRAY_SIZE(keys)]);
            random_value(s, depth + 1, false);
        }
        g_string_append_c(s, '}');
    }
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "--random")) {
        long n = atol(argv[2]);

        rng_state = argc >= 4 ? strtoull(argv[3], NULL, 0) : 1;
        for (long i = 0; i < n; i++) {
            GString *s = g_string_new(NULL);
            unsigned len = rnd() % 60;

            g_string_append_c(s, rnd() & 0xff);
            if (i % 2) {
                /* Well-formed commands with random arguments. */
                unsigned cmds = 1 + rnd() % 4;

                for (unsigned k = 0; k < cmds; k++) {
                    g_string_append_printf(s, "{\"execute\":\"%s\","
                                           "\"arguments\":",
                                           commands[rnd() %
                                                    ARRAY_SIZE(commands)]);
                    random_value(s, 1, rnd() % 8 != 0);
                    g_string_append(s, "}\n");
                }
                len = 0;
            }
            for (unsigned k = 0; k < len; k++) {
                if (rnd() % 8 == 0) {
                    g_string_append_c(s, rnd() & 0xff);
                } else {
                    g_string_append(s, tokens[rnd() % ARRAY_SIZE(tokens)]);
                }
            }
            LLVMFuzzerTestOneInput((const uint8_t *)s->str, s->len);
            g_string_free(s, true);
        }
        printf("qmp-fuzz: %ld random inputs, no crash\n", n);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        gchar *buf;
        gsize len;

        if (!g_file_get_contents(argv[i], &buf, &len, NULL)) {
            fprintf(stderr, "qmp-fuzz: cannot read %s\n", argv[i]);
            return 1;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
        g_free(buf);
    }
    return 0;
}
#endif
