/*
 * The main loop: one thread that polls file descriptors, runs expired
 * timers and deferred calls, and acts on run-state requests. Device
 * emulation runs under one global lock, the BQL; vCPU threads take it to
 * dispatch an access to a device.
 */
#ifndef SOFTMMU_MAIN_LOOP_H
#define SOFTMMU_MAIN_LOOP_H

#include "pcemu/common.h"

void bql_lock(void);
void bql_unlock(void);
bool bql_locked(void);          /* by this thread */

/* Handlers run on the main loop thread with the BQL held. Passing NULL
 * for both removes the fd. May be called from any thread holding the
 * BQL. */
typedef void FdHandler(void *opaque);
void main_loop_set_fd_handler(int fd, FdHandler *on_read,
                              FdHandler *on_write, void *opaque);

/* Runs fn(opaque) once on the main loop thread, soon, with the BQL. Safe
 * from any thread holding the BQL (vCPU threads use it to defer work). */
void main_loop_call_soon(void (*fn)(void *opaque), void *opaque);

/* Wakes the main loop from poll(); safe from any thread, any lock, and
 * from signal handlers. */
void main_loop_wakeup(void);

/* Sets up the lock and the wake-up fd; call once, first. Takes the BQL
 * for the calling (main) thread. */
void main_loop_init(void);
/* Runs until runstate.c says the process should exit; returns the
 * process's exit status. */
int main_loop_run(void);
/* One iteration, waiting at most timeout_ms (-1 forever). For tests. */
void main_loop_wait(int timeout_ms);

#endif
