/*
 * The QMP protocol, as QEMU speaks it (QEMU's docs/interop/qmp-spec):
 *
 *   server: {"QMP": {"version": {...}, "capabilities": ["oob"]}}
 *   client: {"execute": "qmp_capabilities"}
 *   server: {"return": {}}
 *   client: {"execute": "query-status", "id": 1}
 *   server: {"return": {"status": "running", ...}, "id": 1}
 *   server: {"timestamp": {"seconds": S, "microseconds": U},
 *            "event": "STOP"}
 *
 * Input is a stream of JSON objects, not lines: a message ends where its
 * outermost brace closes. The splitter below tracks strings and nesting
 * to find that point, bounds the message size and depth, and resyncs at
 * the next newline after an oversized message, so no input can make us
 * buffer without limit or recurse deeply. Every malformed message gets an
 * error reply with QEMU's class and text and the monitor carries on.
 */
#include "monitor-internal.h"
#include "softmmu/runstate.h"

#define QMP_VERSION_MAJOR 7
#define QMP_VERSION_MINOR 2
#define QMP_VERSION_MICRO 0

static const char *error_class = "GenericError";

void qmp_error_class(const char *cls)
{
    error_class = cls;
}

static void qmp_send(Monitor *mon, json_t *obj)
{
    size_t flags = JSON_PRESERVE_ORDER | (mon->pretty ? JSON_INDENT(4) : 0);
    char *s = json_dumps(obj, flags);

    if (s) {
        monitor_puts(mon, s);
        monitor_puts(mon, "\n");
        free(s);
    }
}

json_t *qmp_version_json(void);
json_t *qmp_version_json(void)
{
    return json_pack("{s:{s:i,s:i,s:i},s:s}", "qemu",
                     "micro", QMP_VERSION_MICRO, "minor", QMP_VERSION_MINOR,
                     "major", QMP_VERSION_MAJOR,
                     "package", "pcemu " PCEMU_PROJECT_VERSION);
}

static void qmp_greeting(Monitor *mon)
{
    json_t *g = json_pack("{s:{s:o,s:[s]}}", "QMP",
                          "version", qmp_version_json(),
                          "capabilities", "oob");
    qmp_send(mon, g);
    json_decref(g);
}

void qmp_monitor_event(Monitor *mon, int event)
{
    switch (event) {
    case CHR_EVENT_OPENED:
        /* A new client negotiates afresh (QEMU does the same). */
        mon->connected = true;
        mon->negotiated = false;
        mon->oob_enabled = false;
        g_string_truncate(mon->in, 0);
        mon->depth = 0;
        mon->in_string = mon->escape = mon->bare = mon->discard = false;
        qmp_greeting(mon);
        break;
    case CHR_EVENT_CLOSED:
        mon->connected = false;
        mon->negotiated = false;
        break;
    case CHR_EVENT_MUX_IN:
        if (!mon->connected) {
            mon->connected = true;
            qmp_greeting(mon);
        }
        break;
    }
}

static void qmp_reply_error(Monitor *mon, const char *cls, const char *desc,
                            json_t *id)
{
    json_t *r = json_pack("{s:{s:s,s:s}}", "error", "class", cls,
                          "desc", desc);
    if (id) {
        json_object_set(r, "id", id);
    }
    qmp_send(mon, r);
    json_decref(r);
}

static const char *arg_type_name(QmpArgType t)
{
    switch (t) {
    case QARG_STR: return "string";
    case QARG_BOOL: return "boolean";
    case QARG_INT: return "integer";
    case QARG_NUM: return "number";
    case QARG_ARRAY: return "array";
    case QARG_OBJECT: return "object";
    case QARG_ANY: return "any";
    }
    return "?";
}

static bool arg_type_ok(QmpArgType t, json_t *v)
{
    switch (t) {
    case QARG_STR: return json_is_string(v);
    case QARG_BOOL: return json_is_boolean(v);
    case QARG_INT: return json_is_integer(v);
    case QARG_NUM: return json_is_number(v);
    case QARG_ARRAY: return json_is_array(v);
    case QARG_OBJECT: return json_is_object(v);
    case QARG_ANY: return true;
    }
    return false;
}

/* Checks arguments against the table: QEMU's messages for a missing, an
 * unexpected and a mistyped parameter. */
static bool check_args(const QmpCommand *cmd, json_t *args, Error **errp)
{
    const char *key;
    json_t *v;

    for (unsigned i = 0; i < QMP_MAX_ARGS && cmd->args[i].name; i++) {
        const QmpArg *a = &cmd->args[i];

        v = json_object_get(args, a->name);
        if (!v) {
            if (!a->optional) {
                error_setg(errp, "Parameter '%s' is missing", a->name);
                return false;
            }
            continue;
        }
        if (!arg_type_ok(a->type, v)) {
            error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                       a->name, arg_type_name(a->type));
            return false;
        }
    }
    json_object_foreach(args, key, v) {
        bool known = false;

        for (unsigned i = 0; i < QMP_MAX_ARGS && cmd->args[i].name; i++) {
            known |= !strcmp(cmd->args[i].name, key);
        }
        if (!known) {
            error_setg(errp, "Parameter '%s' is unexpected", key);
            return false;
        }
    }
    return true;
}

static json_t *qmp_capabilities(Monitor *mon, json_t *args, Error **errp)
{
    json_t *enable = json_object_get(args, "enable");
    size_t i;
    json_t *v;
    bool oob = false;

    json_array_foreach(enable, i, v) {
        if (!json_is_string(v)) {
            error_setg(errp, "Invalid parameter type for 'enable[%zu]', "
                       "expected: string", i);
            return NULL;
        }
        if (strcmp(json_string_value(v), "oob")) {
            error_setg(errp, "Parameter 'enable' does not accept value '%s'",
                       json_string_value(v));
            return NULL;
        }
        oob = true;
    }
    mon->negotiated = true;
    mon->oob_enabled = oob;
    return json_object();
}

static const QmpCommand qmp_capabilities_cmd = {
    "qmp_capabilities", qmp_capabilities,
    { { "enable", QARG_ARRAY, true } },
};

/* One complete message. */
static void qmp_dispatch(Monitor *mon, json_t *req)
{
    const QmpCommand *cmd;
    const char *name, *key;
    json_t *id, *args, *exec, *oob, *ret, *v;
    Error *err = NULL;
    bool is_oob;

    if (!json_is_object(req)) {
        qmp_reply_error(mon, "GenericError",
                        "QMP input must be a JSON object", NULL);
        return;
    }
    id = json_object_get(req, "id");
    exec = json_object_get(req, "execute");
    oob = json_object_get(req, "exec-oob");
    json_object_foreach(req, key, v) {
        if (strcmp(key, "execute") && strcmp(key, "exec-oob") &&
            strcmp(key, "arguments") && strcmp(key, "id") &&
            strcmp(key, "control")) {
            char *m = g_strdup_printf("QMP input member '%s' is unexpected",
                                      key);
            qmp_reply_error(mon, "GenericError", m, id);
            g_free(m);
            return;
        }
    }
    if (exec && oob) {
        qmp_reply_error(mon, "GenericError", "QMP input member 'execute' "
                        "and 'exec-oob' are mutually exclusive", id);
        return;
    }
    is_oob = oob != NULL;
    if (is_oob) {
        exec = oob;
    }
    if (!exec) {
        qmp_reply_error(mon, "GenericError",
                        "QMP input lacks member 'execute'", id);
        return;
    }
    if (!json_is_string(exec)) {
        qmp_reply_error(mon, "GenericError", is_oob ?
                        "QMP input member 'exec-oob' must be a string" :
                        "QMP input member 'execute' must be a string", id);
        return;
    }
    if (is_oob && !mon->oob_enabled) {
        /* QEMU's answer until qmp_capabilities enabled "oob". */
        qmp_reply_error(mon, "GenericError",
                        "QMP input member 'exec-oob' is unexpected", id);
        return;
    }
    args = json_object_get(req, "arguments");
    if (args && !json_is_object(args)) {
        qmp_reply_error(mon, "GenericError",
                        "QMP input member 'arguments' must be an object", id);
        return;
    }
    name = json_string_value(exec);
    if (!mon->negotiated) {
        if (strcmp(name, "qmp_capabilities")) {
            qmp_reply_error(mon, "CommandNotFound", "Expecting capabilities "
                            "negotiation with 'qmp_capabilities'", id);
            return;
        }
        cmd = &qmp_capabilities_cmd;
    } else if (!strcmp(name, "qmp_capabilities")) {
        qmp_reply_error(mon, "CommandNotFound", "Capabilities negotiation "
                        "is already complete, command ignored", id);
        return;
    } else if (!(cmd = qmp_find_command(name))) {
        char *m = g_strdup_printf("The command %s has not been found", name);
        qmp_reply_error(mon, "CommandNotFound", m, id);
        g_free(m);
        return;
    }
    if (is_oob && !cmd->allow_oob) {
        char *m = g_strdup_printf("The command %s does not support OOB",
                                  name);
        qmp_reply_error(mon, "GenericError", m, id);
        g_free(m);
        return;
    }
    args = args ? json_incref(args) : json_object();
    error_class = "GenericError";
    if (!check_args(cmd, args, &err)) {
        ret = NULL;
    } else {
        ret = cmd->fn(mon, args, &err);
    }
    json_decref(args);
    if (!ret) {
        assert(err);
        qmp_reply_error(mon, error_class, err->msg, id);
        error_free(err);
        return;
    }
    {
        json_t *r = json_object();

        json_object_set_new(r, "return", ret);
        if (id) {
            json_object_set(r, "id", id);
        }
        qmp_send(mon, r);
        json_decref(r);
    }
}

static void qmp_parse_and_dispatch(Monitor *mon, const char *s, size_t len)
{
    json_error_t jerr;
    json_t *req = json_loadb(s, len, JSON_DECODE_ANY, &jerr);

    if (!req) {
        /* A bare word is QEMU's "invalid keyword"; otherwise jansson's
         * description of what it choked on. */
        char *m = g_ascii_isalpha(s[0]) && !strpbrk(s, "{[\"") ?
                  g_strdup_printf("JSON parse error, invalid keyword '%.*s'",
                                  (int)MIN(len, 64), s) :
                  g_strdup_printf("JSON parse error, %s", jerr.text);
        qmp_reply_error(mon, "GenericError", m, NULL);
        g_free(m);
        return;
    }
    qmp_dispatch(mon, req);
    json_decref(req);
}

static void reset_splitter(Monitor *mon)
{
    g_string_truncate(mon->in, 0);
    mon->depth = 0;
    mon->in_string = mon->escape = mon->bare = false;
}

static void too_long(Monitor *mon, const char *what)
{
    qmp_reply_error(mon, "GenericError", what, NULL);
    reset_splitter(mon);
    mon->discard = true;
}

void qmp_monitor_input(Monitor *mon, const uint8_t *buf, int len)
{
    for (int i = 0; i < len; i++) {
        char c = buf[i];

        if (mon->discard) {
            mon->discard = c != '\n';
            continue;
        }
        if (mon->bare) {
            /* A token outside any object ("garbage", "42"): ends at
             * white space or the start of an object. */
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
                c == '{' || c == '[') {
                qmp_parse_and_dispatch(mon, mon->in->str, mon->in->len);
                reset_splitter(mon);
                if (c != '{' && c != '[') {
                    continue;
                }
            } else {
                g_string_append_c(mon->in, c);
                if (mon->in->len > QMP_MAX_MESSAGE) {
                    too_long(mon, "JSON token too long");
                }
                continue;
            }
        }
        if (mon->depth == 0) {
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                continue;
            }
            g_string_append_c(mon->in, c);
            if (c == '{' || c == '[') {
                mon->depth = 1;
            } else {
                mon->bare = true;
            }
            continue;
        }
        g_string_append_c(mon->in, c);
        if (mon->in->len > QMP_MAX_MESSAGE) {
            too_long(mon, "JSON message too long (the limit is 1 MiB)");
            continue;
        }
        if (mon->in_string) {
            if (mon->escape) {
                mon->escape = false;
            } else if (c == '\\') {
                mon->escape = true;
            } else if (c == '"') {
                mon->in_string = false;
            }
            continue;
        }
        switch (c) {
        case '"':
            mon->in_string = true;
            break;
        case '{':
        case '[':
            if (++mon->depth > QMP_MAX_NESTING) {
                too_long(mon, "JSON nesting too deep");
            }
            break;
        case '}':
        case ']':
            if (--mon->depth == 0) {
                GString *msg = mon->in;

                /* Dispatch may write to this monitor and, through quit or
                 * a disconnect, reset it; work on a private copy. */
                mon->in = g_string_new(NULL);
                reset_splitter(mon);
                qmp_parse_and_dispatch(mon, msg->str, msg->len);
                g_string_free(msg, true);
            }
            break;
        }
    }
}

/* --- events -------------------------------------------------------------- */

void qmp_event_send(const char *name, json_t *data)
{
    gint64 now = g_get_real_time();
    json_t *ev = json_pack("{s:{s:I,s:I},s:s}", "timestamp",
                           "seconds", (json_int_t)(now / G_USEC_PER_SEC),
                           "microseconds",
                           (json_int_t)(now % G_USEC_PER_SEC),
                           "event", name);

    if (data) {
        json_object_set_new(ev, "data", data);
    }
    for (guint i = 0; monitors && i < monitors->len; i++) {
        Monitor *mon = g_ptr_array_index(monitors, i);

        if (mon->qmp && mon->negotiated) {
            qmp_send(mon, ev);
        }
    }
    json_decref(ev);
}

static void runstate_event(const char *event, bool guest, ShutdownCause cause,
                           void *opaque)
{
    static bool exiting;
    json_t *data = NULL;

    /* A SHUTDOWN that ends the process is the last event, as in QEMU,
     * which stops the vCPUs at exit without a STOP event. */
    if (exiting) {
        return;
    }
    if (!strcmp(event, "SHUTDOWN") && !(guest && runstate_no_shutdown)) {
        exiting = true;
    }
    if (!strcmp(event, "SHUTDOWN") || !strcmp(event, "RESET")) {
        data = json_pack("{s:b,s:s}", "guest", guest,
                         "reason", shutdown_cause_name(cause));
    }
    /* A reset of a powered-off VM (-no-shutdown) makes it startable
     * again, as QEMU's (runstate.c would be the better home for this). */
    if (!strcmp(event, "RESET") &&
        (runstate_get() == RUN_STATE_SHUTDOWN ||
         runstate_get() == RUN_STATE_INTERNAL_ERROR ||
         runstate_get() == RUN_STATE_GUEST_PANICKED)) {
        vm_stop(RUN_STATE_PRELAUNCH);
    }
    qmp_event_send(event, data);
}

void qmp_setup_events(void)
{
    runstate_add_event_hook(runstate_event, NULL);
}
