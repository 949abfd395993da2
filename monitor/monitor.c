/*
 * Monitor instances: each -qmp, -monitor and -mon makes one Monitor, the
 * front end of a chardev, speaking QMP (mode=control) or HMP
 * (mode=readline). Options are recorded while the command line is parsed
 * and the monitors created by monitor_init_all(), once the -chardevs
 * exist and before the board attaches its serial ports.
 */
#include "monitor-internal.h"
#include "pcemu/opts.h"
/* Private to softmmu/chardev, read only to tell a mux (a public
 * chardev_is_mux() would be better). */
#include "softmmu/chardev/char-internal.h"

GPtrArray *monitors;

typedef struct MonitorOpt {
    char *spec;             /* legacy chardev spec, or NULL */
    char *chardev_id;       /* -mon chardev=ID, or NULL */
    bool qmp;
    bool pretty;
} MonitorOpt;

static GPtrArray *monitor_opts;
static bool default_monitor = true;
static unsigned compat_id;

static void record(const char *spec, const char *chardev_id, bool qmp,
                   bool pretty)
{
    MonitorOpt *o = g_new0(MonitorOpt, 1);

    o->spec = g_strdup(spec);
    o->chardev_id = g_strdup(chardev_id);
    o->qmp = qmp;
    o->pretty = pretty;
    if (!monitor_opts) {
        monitor_opts = g_ptr_array_new();
    }
    g_ptr_array_add(monitor_opts, o);
}

void monitor_parse_qmp(const char *spec, bool pretty)
{
    default_monitor = false;
    if (!strcmp(spec, "none")) {
        return;
    }
    record(spec, NULL, true, pretty);
}

void monitor_parse_monitor(const char *spec)
{
    default_monitor = false;
    if (!strcmp(spec, "none")) {
        return;
    }
    /* "-monitor mon:stdio" is "-monitor stdio" shared through a mux. */
    record(spec, NULL, false, false);
}

void monitor_parse_mon(const char *optstr)
{
    Error *err = NULL;
    Opts *o = opts_parse(optstr, "chardev", &err);
    const char *chr, *mode;
    bool pretty;

    if (!o) {
        fatal("-mon %s: %s", optstr, err->msg);
    }
    default_monitor = false;
    chr = opts_get(o, "chardev");
    mode = opts_get(o, "mode");
    pretty = opts_get_bool(o, "pretty", false, &err);
    if (err) {
        fatal("-mon %s: pretty: %s", optstr, err->msg);
    }
    if (!opts_check_unused(o, &err)) {
        fatal("-mon %s: %s", optstr, err->msg);
    }
    if (!chr) {
        fatal("-mon %s: chardev=ID is required", optstr);
    }
    if (mode && strcmp(mode, "control") && strcmp(mode, "readline")) {
        fatal("-mon %s: mode must be 'control' (QMP) or 'readline' (HMP), "
              "not '%s'", optstr, mode);
    }
    if (pretty && !(mode && !strcmp(mode, "control"))) {
        fatal("-mon %s: pretty=on is only for mode=control", optstr);
    }
    record(NULL, chr, mode && !strcmp(mode, "control"), pretty);
    opts_free(o);
}

bool monitor_default_wanted(void)
{
    return default_monitor;
}

bool monitor_uses_stdio(void)
{
    for (guint i = 0; monitor_opts && i < monitor_opts->len; i++) {
        MonitorOpt *o = g_ptr_array_index(monitor_opts, i);

        if (o->spec && (!strcmp(o->spec, "stdio") ||
                        !strcmp(o->spec, "mon:stdio"))) {
            return true;
        }
    }
    return false;
}

/* --- output ----------------------------------------------------------- */

void monitor_write_raw(Monitor *mon, const char *s, size_t len)
{
    if (mon->capture) {
        g_string_append_len(mon->capture, s, len);
        return;
    }
    /* Never blocks: a client that does not read loses output beyond the
     * chardev's buffer, as QEMU drops it past its own limit. */
    while (len > 0) {
        int n = chardev_write(mon->chr, (const uint8_t *)s,
                              MIN(len, (size_t)INT_MAX));
        if (n <= 0) {
            break;
        }
        s += n;
        len -= n;
    }
}

/* Text as QEMU's monitors send it: every "\n" becomes "\r\n" (QMP and
 * HMP alike, and HMP output captured for human-monitor-command too; a raw
 * terminal needs the CR). */
void monitor_puts(Monitor *mon, const char *s)
{
    GString *out;

    out = g_string_sized_new(strlen(s) + 16);
    for (; *s; s++) {
        if (*s == '\n') {
            g_string_append_c(out, '\r');
        }
        g_string_append_c(out, *s);
    }
    monitor_write_raw(mon, out->str, out->len);
    g_string_free(out, true);
}

void monitor_printf(Monitor *mon, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    monitor_puts(mon, s);
    g_free(s);
}

/* --- the chardev front end --------------------------------------------- */

static int monitor_can_read(void *opaque)
{
    /* Commands run to completion on this thread, so a slice of input at
     * a time is all the flow control needed. */
    return 4096;
}

static void monitor_read(void *opaque, const uint8_t *buf, int len)
{
    Monitor *mon = opaque;

    if (mon->qmp) {
        qmp_monitor_input(mon, buf, len);
    } else {
        hmp_monitor_input(mon, buf, len);
    }
}

static void monitor_event(void *opaque, int event)
{
    Monitor *mon = opaque;

    if (mon->qmp) {
        qmp_monitor_event(mon, event);
    } else {
        hmp_monitor_event(mon, event);
    }
}

static Monitor *monitor_new(Chardev *chr, bool qmp, bool pretty,
                            Error **errp)
{
    Monitor *mon = g_new0(Monitor, 1);
    bool ok;
    ChardevFrontend fe = {
        .can_read = monitor_can_read,
        .read = monitor_read,
        .event = monitor_event,
        .opaque = mon,
    };

    mon->chr = chr;
    mon->qmp = qmp;
    mon->pretty = pretty;
    mon->is_mux = chr->drv == &chardev_mux_driver;
    mon->in = g_string_new(NULL);
    mon->line = g_string_new(NULL);
    if (!monitors) {
        monitors = g_ptr_array_new();
        qmp_setup_events();
    }
    g_ptr_array_add(monitors, mon);
    /* A mux gives its first front end the focus at once; the serial
     * port attaching next takes it, and the monitor stays quiet until
     * the user's first Ctrl-A c, as QEMU's. */
    mon->attaching = true;
    ok = chardev_attach(chr, &fe, errp);
    mon->attaching = false;
    if (!ok) {
        g_ptr_array_remove(monitors, mon);
        g_string_free(mon->in, true);
        g_string_free(mon->line, true);
        g_free(mon);
        return NULL;
    }
    return mon;
}

bool monitor_init_all(Error **errp)
{
    for (guint i = 0; monitor_opts && i < monitor_opts->len; i++) {
        MonitorOpt *o = g_ptr_array_index(monitor_opts, i);
        const char *what = o->qmp ? "-qmp" : "-monitor";
        Chardev *chr;

        if (o->spec) {
            char *id = g_strdup_printf("compat_monitor%u", compat_id++);

            chr = chardev_new_legacy(o->spec, id, errp);
            g_free(id);
            if (!chr) {
                error_prepend(errp, "%s %s: ", what, o->spec);
                return false;
            }
        } else {
            chr = chardev_find(o->chardev_id);
            if (!chr) {
                error_setg(errp, "-mon chardev=%s: no -chardev with id '%s'",
                           o->chardev_id, o->chardev_id);
                return false;
            }
            what = "-mon";
        }
        if (!monitor_new(chr, o->qmp, o->pretty, errp)) {
            error_prepend(errp, "%s %s: ", what,
                          o->spec ? o->spec : o->chardev_id);
            return false;
        }
    }
    return true;
}

bool monitor_attach_serial_mux(const char *chardev_id, Error **errp)
{
    Chardev *chr = chardev_find(chardev_id);

    if (!chr) {
        error_setg(errp, "no chardev '%s' for the monitor", chardev_id);
        return false;
    }
    return monitor_new(chr, false, false, errp) != NULL;
}
