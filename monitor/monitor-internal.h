/*
 * What the monitor files share: the Monitor object (one per -qmp,
 * -monitor or -mon), the QMP command table and the HMP entry points.
 */
#ifndef MONITOR_MONITOR_INTERNAL_H
#define MONITOR_MONITOR_INTERNAL_H

#include <jansson.h>

#include "monitor/monitor.h"
#include "chardev/char.h"

/* Keep in step with project() in meson.build and PCEMU_VERSION in vl.c. */
#define PCEMU_PROJECT_VERSION "0.1.0"

/* Largest QMP message (QEMU allows far more; no command of ours needs
 * more than a few KiB). A longer one is refused and the rest of its line
 * skipped, so a client cannot make us buffer without limit. */
#define QMP_MAX_MESSAGE     (1 * MiB)
#define QMP_MAX_NESTING     1024
/* Longest HMP command line (QEMU's readline buffer). */
#define HMP_MAX_LINE        4095

typedef struct Monitor {
    Chardev *chr;
    bool qmp;
    bool pretty;
    bool is_mux;            /* on a mux: banner on the first Ctrl-A c */
    bool connected;
    bool attaching;         /* inside chardev_attach() */

    /* QMP */
    bool negotiated;        /* qmp_capabilities done */
    bool oob_enabled;
    GString *in;            /* the message being collected */
    int depth;              /* of { and [ in it */
    bool in_string, escape; /* inside "..." / after a backslash */
    bool bare;              /* collecting a token outside any object */
    bool discard;           /* skipping to the end of an oversized line */

    /* HMP */
    GString *line;
    bool banner_done;
    bool last_cr;           /* swallow the \n of \r\n */
    int esc_state;          /* 0, 1 after ESC, 2 in ESC [ ... */
    GString *capture;       /* human-monitor-command collects output */
} Monitor;

/* monitor.c */
void monitor_puts(Monitor *mon, const char *s);
void monitor_printf(Monitor *mon, const char *fmt, ...) PRINTF_FMT(2, 3);
void monitor_write_raw(Monitor *mon, const char *s, size_t len);
extern GPtrArray *monitors;

/* qmp.c */
void qmp_monitor_event(Monitor *mon, int event);
void qmp_monitor_input(Monitor *mon, const uint8_t *buf, int len);
void qmp_setup_events(void);
/* The error class of the next error (default GenericError). */
void qmp_error_class(const char *cls);

/* qmp-cmds.c: the command table, the one list docs/monitor.md,
 * query-commands and both dispatchers follow. */
typedef enum QmpArgType {
    QARG_STR, QARG_BOOL, QARG_INT, QARG_NUM, QARG_ARRAY, QARG_OBJECT,
    QARG_ANY,
} QmpArgType;

typedef struct QmpArg {
    const char *name;
    QmpArgType type;
    bool optional;
} QmpArg;

#define QMP_MAX_ARGS 6

typedef struct QmpCommand {
    const char *name;
    /* Returns a new reference (the "return" value), or NULL with errp
     * set. mon is the calling monitor (NULL from HMP). */
    json_t *(*fn)(Monitor *mon, json_t *args, Error **errp);
    QmpArg args[QMP_MAX_ARGS];
    bool allow_oob;
} QmpCommand;

extern const QmpCommand qmp_commands[];
const QmpCommand *qmp_find_command(const char *name);

/* Shared helpers HMP uses too. */
json_t *qmp_query_pci_json(void);
bool qmp_stop(Error **errp);
bool qmp_cont(Error **errp);
bool qmp_screendump(const char *file, const char *format, Error **errp);
bool qmp_send_keys(const char *const *qcodes, unsigned n, int hold_ms,
                   Error **errp);

/* hmp.c */
void hmp_monitor_event(Monitor *mon, int event);
void hmp_monitor_input(Monitor *mon, const uint8_t *buf, int len);
/* Runs one command line; output goes to mon (or mon->capture). */
void hmp_execute(Monitor *mon, const char *line);
/* The HMP commands (hmp-cmds.c). */
typedef struct HmpCommand {
    const char *name;       /* "cont|c" */
    const char *params;     /* for help: "[-a]", "filename" */
    const char *help;
    void (*fn)(Monitor *mon, const char *args);
} HmpCommand;
extern const HmpCommand hmp_commands[];
extern const HmpCommand hmp_info_commands[];

#endif
