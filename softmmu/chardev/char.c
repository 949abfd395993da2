/*
 * The chardev registry: -chardev option parsing, the legacy -serial
 * spellings, attaching a front end, and the calls that pass bytes between
 * a front end (a UART, a monitor) and its back end.
 *
 * Options common to every back end: id= (required), mux=on (a mux
 * chardev named id over a hidden back end "id-base", as QEMU), logfile=
 * and logappend= (a copy of everything written). The rest belongs to the
 * back end; any option nobody read is an error.
 */
#include "char-internal.h"
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

static Chardev *chardev_list;
static bool chardev_cleaned_up;

static const ChardevDriver *const chardev_drivers[] = {
    &chardev_null_driver,
    &chardev_stdio_driver,
    &chardev_file_driver,
    &chardev_pipe_driver,
    &chardev_socket_driver,
    &chardev_pty_driver,
    &chardev_serial_driver,
    NULL
};

/* Other names QEMU accepts for the same back ends. */
static const struct {
    const char *alias;
    const char *name;
} chardev_aliases[] = {
    { "tty", "serial" },
    { "unix", "socket" },
    { "tcp", "socket" },
    /*
     * UNIMPL: "vc" is QEMU's graphical text console; until the UI has
     * one its bytes go nowhere, which is what a vc nobody looks at does.
     */
    { "vc", "null" },
};

static const ChardevDriver *chardev_driver_find(const char *name)
{
    for (unsigned i = 0; i < ARRAY_SIZE(chardev_aliases); i++) {
        if (!strcmp(name, chardev_aliases[i].alias)) {
            name = chardev_aliases[i].name;
            break;
        }
    }
    for (unsigned i = 0; chardev_drivers[i]; i++) {
        if (!strcmp(chardev_drivers[i]->name, name)) {
            return chardev_drivers[i];
        }
    }
    return NULL;
}

static char *chardev_driver_names(void)
{
    GString *s = g_string_new(NULL);

    for (unsigned i = 0; chardev_drivers[i]; i++) {
        g_string_append_printf(s, "%s%s", i ? ", " : "",
                               chardev_drivers[i]->name);
    }
    return g_string_free(s, false);
}

void chardev_ignore_sigpipe(void)
{
    static bool done;
    struct sigaction sa;

    if (done) {
        return;
    }
    done = true;
    if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = SIG_IGN;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGPIPE, &sa, NULL) < 0) {
            warn_report("chardev: cannot ignore SIGPIPE: %s",
                        strerror(errno));
        }
    }
}

/* ---- back end -> front end ---- */

int chardev_be_can_read(Chardev *chr)
{
    if (!chr->fe_attached || !chr->fe.read) {
        return 0;
    }
    if (!chr->fe.can_read) {
        return 4096;        /* a front end that takes anything */
    }
    return MAX(chr->fe.can_read(chr->fe.opaque), 0);
}

void chardev_be_read(Chardev *chr, const uint8_t *buf, int len)
{
    if (len > 0 && chr->fe_attached && chr->fe.read) {
        chr->fe.read(chr->fe.opaque, buf, len);
    }
}

void chardev_be_event(Chardev *chr, int event)
{
    if (event == CHR_EVENT_OPENED) {
        if (chr->be_open) {
            return;
        }
        chr->be_open = true;
    } else if (event == CHR_EVENT_CLOSED) {
        if (!chr->be_open) {
            return;
        }
        chr->be_open = false;
    }
    if (chr->fe_attached && chr->fe.event) {
        chr->fe.event(chr->fe.opaque, event);
    }
}

void chardev_set_filename(Chardev *chr, const char *fmt, ...)
{
    va_list ap;

    g_free(chr->filename);
    va_start(ap, fmt);
    chr->filename = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

/* ---- front end API ---- */

bool chardev_attach(Chardev *chr, const ChardevFrontend *fe, Error **errp)
{
    if (chr->drv->attach) {
        return chr->drv->attach(chr, fe, errp);
    }
    if (chr->fe_attached) {
        error_setg(errp, "chardev '%s' is already in use by another device "
                   "(use mux=on to share it)", chr->id);
        return false;
    }
    chr->fe = *fe;
    chr->fe_attached = true;
    if (chr->be_open && fe->event) {
        fe->event(fe->opaque, CHR_EVENT_OPENED);
    }
    chardev_accept_input(chr);
    return true;
}

void chardev_detach(Chardev *chr)
{
    if (chr->drv->detach) {
        chr->drv->detach(chr);
        return;
    }
    memset(&chr->fe, 0, sizeof(chr->fe));
    chr->fe_attached = false;
    chardev_accept_input(chr);      /* can_read is 0 now: stop polling */
}

int chardev_write(Chardev *chr, const uint8_t *buf, int len)
{
    int n;

    if (!chr || len <= 0) {
        return 0;
    }
    n = chr->drv->write ? chr->drv->write(chr, buf, len) : len;
    if (chr->logfd >= 0) {
        /* The log is a regular file: a short write is a full disk. */
        if (fdchr_write_nonblock(chr->logfd, buf, len) != len) {
            warn_report("chardev '%s': logfile write failed, log stopped",
                        chr->id);
            close(chr->logfd);
            chr->logfd = -1;
        }
    }
    return n;
}

void chardev_accept_input(Chardev *chr)
{
    if (chr && chr->drv->accept_input) {
        chr->drv->accept_input(chr);
    }
}

/* ---- registry ---- */

Chardev *chardev_find(const char *id)
{
    for (Chardev *c = chardev_list; c; c = c->next) {
        if (!strcmp(c->id, id)) {
            return c;
        }
    }
    return NULL;
}

const char *chardev_id(const Chardev *chr)
{
    return chr->id;
}

const char *chardev_filename(const Chardev *chr)
{
    return chr->filename ? chr->filename : chr->drv->name;
}

Chardev *chardev_first(void)
{
    return chardev_list;
}

Chardev *chardev_next(const Chardev *chr)
{
    return chr->next;
}

static void chardev_register(Chardev *chr)
{
    Chardev **pp = &chardev_list;

    while (*pp) {
        pp = &(*pp)->next;
    }
    *pp = chr;
}

Chardev *chardev_create(const ChardevDriver *drv, const char *id,
                        Opts *opts, Error **errp)
{
    Chardev *chr;

    assert(drv->size >= sizeof(Chardev));
    chr = g_malloc0(drv->size);
    chr->drv = drv;
    chr->id = g_strdup(id);
    chr->logfd = -1;
    if (drv->open && !drv->open(chr, opts, errp)) {
        chardev_destroy(chr);
        return NULL;
    }
    return chr;
}

void chardev_destroy(Chardev *chr)
{
    if (chr->drv->close) {
        chr->drv->close(chr);
    }
    if (chr->logfd >= 0) {
        close(chr->logfd);
    }
    g_free(chr->id);
    g_free(chr->filename);
    g_free(chr);
}

static bool chardev_id_valid(const char *id)
{
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *p = id; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

/* Options every back end takes, read here. */
static const char *const chardev_common_options[] = {
    "backend", "id", "mux", "logfile", "logappend", NULL
};

static bool option_listed(const char *const *list, const char *key)
{
    for (; list && *list; list++) {
        if (!strcmp(*list, key)) {
            return true;
        }
    }
    return false;
}

typedef struct OptionCheck {
    const ChardevDriver *drv;
    char *bad;
} OptionCheck;

static void check_one_option(const char *key, const char *value,
                             void *opaque)
{
    OptionCheck *c = opaque;

    if (!c->bad && !option_listed(chardev_common_options, key) &&
        !option_listed(c->drv->options, key)) {
        c->bad = g_strdup(key);
    }
}

static bool chardev_check_options(const ChardevDriver *drv, Opts *opts,
                                  const char *id, Error **errp)
{
    OptionCheck c = { .drv = drv };

    opts_foreach(opts, check_one_option, &c);
    if (c.bad) {
        error_setg(errp, "chardev '%s': Invalid parameter '%s' for backend "
                   "'%s'", id, c.bad, drv->name);
        g_free(c.bad);
        return false;
    }
    return true;
}

static bool chardev_open_logfile(Chardev *chr, const char *path,
                                 bool append, Error **errp)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
                  (append ? O_APPEND : O_TRUNC), 0666);

    if (fd < 0) {
        error_setg(errp, "chardev '%s': could not open logfile '%s': %s",
                   chr->id, path, strerror(errno));
        return false;
    }
    chr->logfd = fd;
    return true;
}

Chardev *chardev_new_from_opts(const char *optstr, Error **errp)
{
    Error *err = NULL;
    const ChardevDriver *drv;
    Opts *opts;
    const char *backend, *id, *logfile;
    bool mux, logappend;
    Chardev *chr = NULL, *base = NULL;
    char *base_id = NULL;

    opts = opts_parse(optstr, "backend", errp);
    if (!opts) {
        return NULL;
    }
    backend = opts_get(opts, "backend");
    id = opts_get(opts, "id");
    mux = opts_get_bool(opts, "mux", false, &err);
    logfile = opts_get(opts, "logfile");
    logappend = opts_get_bool(opts, "logappend", false, &err);
    if (err) {
        goto fail;
    }
    if (!backend || !*backend) {
        error_setg(&err, "chardev: backend missing (-chardev BACKEND,id=ID)");
        goto fail;
    }
    drv = chardev_driver_find(backend);
    if (!drv) {
        char *names = chardev_driver_names();
        error_setg(&err, "chardev: unknown backend '%s' (known: %s)",
                   backend, names);
        g_free(names);
        goto fail;
    }
    if (!id) {
        error_setg(&err, "chardev: parameter 'id' is missing");
        goto fail;
    }
    if (!chardev_id_valid(id)) {
        error_setg(&err, "chardev: invalid id '%s' (a letter, then letters, "
                   "digits, '-', '.', '_')", id);
        goto fail;
    }
    base_id = mux ? g_strdup_printf("%s-base", id) : g_strdup(id);
    if (chardev_find(id) || chardev_find(base_id)) {
        error_setg(&err, "chardev: duplicate chardev id '%s'",
                   chardev_find(id) ? id : base_id);
        goto fail;
    }
    if (!chardev_check_options(drv, opts, id, &err)) {
        goto fail;
    }
    chardev_ignore_sigpipe();
    base = chardev_create(drv, base_id, opts, &err);
    if (!base) {
        goto fail;
    }
    if (logfile && !chardev_open_logfile(base, logfile, logappend, &err)) {
        goto fail;
    }
    if (mux) {
        chr = chardev_create(&chardev_mux_driver, id, NULL, &err);
        if (!chr || !chardev_mux_set_base(chr, base, &err)) {
            goto fail;
        }
        chardev_register(base);
    } else {
        chr = base;
    }
    chardev_register(chr);
    opts_free(opts);
    g_free(base_id);
    return chr;

fail:
    if (chr && chr != base) {
        chardev_destroy(chr);
    }
    if (base) {
        chardev_destroy(base);
    }
    error_propagate(errp, err);
    opts_free(opts);
    g_free(base_id);
    return NULL;
}

/* Appends text with ',' doubled, so a path may hold commas. */
static void append_escaped(GString *s, const char *text)
{
    for (; *text; text++) {
        if (*text == ',') {
            g_string_append_c(s, ',');
        }
        g_string_append_c(s, *text);
    }
}

/* "tcp:[HOST]:PORT[,opts]" and "telnet:..." after the prefix. */
static bool legacy_parse_tcp(GString *out, const char *p, bool telnet,
                             Error **errp)
{
    const char *comma = strchr(p, ',');
    char *hostport = comma ? g_strndup(p, comma - p) : g_strdup(p);
    char *colon = strrchr(hostport, ':');
    char *host;

    if (!colon || !colon[1]) {
        error_setg(errp, "chardev: '%s' expects [HOST]:PORT",
                   telnet ? "telnet:" : "tcp:");
        g_free(hostport);
        return false;
    }
    *colon = '\0';
    host = hostport;
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        host[strlen(host) - 1] = '\0';      /* [::1]:4444 */
        host++;
    }
    g_string_append(out, "socket");
    if (*host) {
        g_string_append(out, ",host=");
        append_escaped(out, host);
    }
    g_string_append(out, ",port=");
    append_escaped(out, colon + 1);
    if (telnet) {
        g_string_append(out, ",telnet=on");
    }
    if (comma) {
        g_string_append(out, comma);
    }
    g_free(hostport);
    return true;
}

Chardev *chardev_new_legacy(const char *spec, const char *id, Error **errp)
{
    GString *s = g_string_new(NULL);
    const char *p = spec;
    bool mux = false;
    Chardev *chr = NULL;

    if (g_str_has_prefix(p, "mon:")) {
        /* The monitor shares the line through a mux; vl.c attaches it. */
        mux = true;
        p += 4;
    }
    if (g_str_has_prefix(p, "chardev:")) {
        if (mux) {
            error_setg(errp, "chardev: 'mon:chardev:ID' is not supported; "
                       "create the chardev with mux=on");
            goto out;
        }
        chr = chardev_find(p + 8);
        if (!chr) {
            error_setg(errp, "chardev: no chardev with id '%s' "
                       "(add -chardev ...,id=%s first)", p + 8, p + 8);
        }
        goto out;
    }

    if (!strcmp(p, "null") || !strcmp(p, "none") || !strcmp(p, "stdio") ||
        !strcmp(p, "pty") || !strcmp(p, "vc") || g_str_has_prefix(p, "vc:")) {
        /* vc:80Cx24C's geometry is for a console we do not have yet. */
        g_string_append(s, g_str_has_prefix(p, "vc") ? "vc" :
                        !strcmp(p, "none") ? "null" : p);
    } else if (g_str_has_prefix(p, "file:") && p[5]) {
        g_string_append(s, "file,path=");
        append_escaped(s, p + 5);
    } else if (g_str_has_prefix(p, "pipe:") && p[5]) {
        g_string_append(s, "pipe,path=");
        append_escaped(s, p + 5);
    } else if (g_str_has_prefix(p, "unix:") && p[5]) {
        /* Options follow the path: unix:PATH,server=on,wait=off */
        g_string_append(s, "socket,path=");
        g_string_append(s, p + 5);
    } else if (g_str_has_prefix(p, "tcp:")) {
        if (!legacy_parse_tcp(s, p + 4, false, errp)) {
            goto out;
        }
    } else if (g_str_has_prefix(p, "telnet:")) {
        if (!legacy_parse_tcp(s, p + 7, true, errp)) {
            goto out;
        }
    } else if (g_str_has_prefix(p, "/dev/")) {
        g_string_append(s, "serial,path=");
        append_escaped(s, p);
    } else {
        size_t n = strcspn(p, ":,");
        error_setg(errp, "chardev: unknown backend '%.*s' in '%s' (use "
                   "stdio, null, file:PATH, pipe:PATH, unix:PATH, "
                   "tcp:[HOST]:PORT, telnet:[HOST]:PORT, pty, /dev/TTY, "
                   "mon:stdio or chardev:ID)", (int)n, p, spec);
        goto out;
    }
    g_string_append(s, ",id=");
    g_string_append(s, id);
    if (mux) {
        g_string_append(s, ",mux=on");
    }
    chr = chardev_new_from_opts(s->str, errp);

out:
    g_string_free(s, true);
    return chr;
}

bool chardev_remove(Chardev *chr, Error **errp)
{
    Chardev *base = NULL, **pp;

    if (chr->fe_attached) {
        error_setg(errp, "chardev '%s' is busy (a device uses it)", chr->id);
        return false;
    }
    if (chr->drv == &chardev_mux_driver) {
        if (!chardev_mux_idle(chr, &base)) {
            error_setg(errp, "chardev '%s' is busy (a device uses it)",
                       chr->id);
            return false;
        }
    }
    for (pp = &chardev_list; *pp; pp = &(*pp)->next) {
        if (*pp == chr) {
            *pp = chr->next;
            break;
        }
    }
    chardev_destroy(chr);
    if (base) {
        for (pp = &chardev_list; *pp; pp = &(*pp)->next) {
            if (*pp == base) {
                *pp = base->next;
                break;
            }
        }
        chardev_destroy(base);
    }
    return true;
}

void chardev_cleanup_all(void)
{
    GPtrArray *all;

    if (chardev_cleaned_up) {
        return;
    }
    chardev_cleaned_up = true;
    /* Newest first: a mux goes before the back end under it. */
    all = g_ptr_array_new();
    for (Chardev *c = chardev_list; c; c = c->next) {
        g_ptr_array_add(all, c);
    }
    for (guint i = all->len; i-- > 0;) {
        Chardev *c = g_ptr_array_index(all, i);
        if (c->drv->close) {
            c->drv->close(c);
        }
        if (c->logfd >= 0) {
            close(c->logfd);
            c->logfd = -1;
        }
    }
    g_ptr_array_free(all, true);
}
