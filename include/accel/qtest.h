/*
 * The qtest server: the socket through which a test drives a machine that
 * has no CPU (-accel qtest). The command line code calls these; the wire
 * protocol is described in docs/qtest-protocol.md.
 */
#ifndef ACCEL_QTEST_H
#define ACCEL_QTEST_H

#include "pcemu/common.h"

/*
 * -qtest SPEC: "unix:PATH" connects to a test listening on the unix
 * socket PATH (the test is the server, pcemu the client, as with QEMU's
 * libqtest); "stdio" reads commands from stdin and replies on stdout.
 * Call once, after main_loop_init() and before the main loop runs;
 * commands are processed from the main loop with the BQL held, and only
 * once a machine exists. When the connection closes pcemu exits (status
 * 0), so a test that dies never leaves an emulator behind.
 * A user error (bad spec, nobody listening) sets errp.
 */
bool qtest_server_init(const char *spec, Error **errp);

/* -qtest-log PATH: logs every command and reply, with timestamps, to PATH
 * ("/dev/stderr" works). Call before qtest_server_init. */
bool qtest_server_set_log(const char *path, Error **errp);

/*
 * In-process clients (fuzzers, tests/fuzz/qtest-fuzz.c): instead of a
 * socket, replies and IRQ lines go to out(buf, len, opaque), whole lines
 * with their '\n', and qtest_server_feed() passes the client's bytes;
 * each complete line runs at once, a partial one waits for the rest.
 * Main loop thread, BQL held.
 */
typedef void QTestOutput(const char *buf, size_t len, void *opaque);
void qtest_server_init_inproc(QTestOutput *out, void *opaque);
void qtest_server_feed(const void *buf, size_t len);
/* Refuses clock steps longer than ns with FAIL, so that a fuzzer's
 * "clock_step <centuries>" cannot run periodic timers for ever. */
void qtest_server_set_max_clock_step(int64_t ns);

/* True once the qtest accelerator was initialised (no vCPUs exist). */
bool qtest_enabled(void);

#endif
