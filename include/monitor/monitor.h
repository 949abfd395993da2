/*
 * The monitors: QMP (QEMU's JSON machine protocol) and HMP (the "(qemu) "
 * text console), each attached to a chardev. Both run on the main loop
 * thread with the BQL and never block the vCPUs. docs/monitor.md lists
 * every command and option.
 *
 * Start-up order (softmmu/vl.c): the -qmp/-monitor/-mon parsers only
 * record their arguments; monitor_init_all() creates the monitors once
 * the -chardevs exist and before the board attaches its serial ports, so
 * a monitor sharing a mux (mon:stdio) attaches first and the guest gets
 * the keyboard, as in QEMU.
 */
#ifndef MONITOR_MONITOR_H
#define MONITOR_MONITOR_H

#include "pcemu/common.h"

/* -qmp SPEC, -qmp-pretty SPEC, -monitor SPEC, -mon OPTS: record the
 * option; a malformed one is a fatal user error. */
void monitor_parse_qmp(const char *spec, bool pretty);
void monitor_parse_monitor(const char *spec);
void monitor_parse_mon(const char *opts);
/* False once any of the options above was given (QEMU's
 * default_monitor): -nographic then puts the serial port alone on stdio
 * instead of sharing it with a monitor through "mon:stdio". */
bool monitor_default_wanted(void);
/* True if a monitor option asked for the terminal (for -daemonize). */
bool monitor_uses_stdio(void);

/* Creates every recorded monitor (opening its chardev). */
bool monitor_init_all(Error **errp);
/* An HMP monitor on the mux of a "-serial mon:SPEC" (chardev id). */
bool monitor_attach_serial_mux(const char *chardev_id, Error **errp);

/*
 * The screendump hook: a display registers fn, which writes the screen
 * to filename in format ("ppm" or "png"); until one does, screendump
 * answers "no display device".
 */
typedef bool ScreendumpFn(const char *filename, const char *format,
                          void *opaque, Error **errp);
void monitor_set_screendump_handler(ScreendumpFn *fn, void *opaque);

/* Sends an event to every QMP monitor past capabilities negotiation.
 * data may be NULL (no "data" member); the reference is taken. */
typedef struct json_t json_t;
void qmp_event_send(const char *name, json_t *data);

#endif
