/*
 * -daemonize, as QEMU's: the process forks before any thread exists, the
 * parent waits until the child reports that start-up succeeded (then it
 * exits 0) or the child dies with its error already printed on the
 * terminal (then it exits 1). The child leaves the terminal's session and
 * points stdio at /dev/null once start-up is over.
 */
#ifndef MONITOR_DAEMONIZE_H
#define MONITOR_DAEMONIZE_H

#include "pcemu/common.h"

/* Forks; returns in the daemon only. Call before any thread starts. */
void os_daemonize(void);
/* Start-up is over: detach stdio, release the waiting parent. No-op
 * without -daemonize. */
void os_setup_post(void);
bool os_is_daemonized(void);

#endif
