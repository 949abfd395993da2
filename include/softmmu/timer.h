/*
 * Clocks and timers.
 *
 * CLOCK_VIRTUAL: guest time. Runs only while the VM runs; stops with
 *   `stop`, so devices see no time pass while paused. Under qtest it moves
 *   only when the test says so (clock_step).
 * CLOCK_HOST: the host's wall clock (the RTC's time of day), in ns since
 *   the epoch.
 * CLOCK_HOST_MONOTONIC: host monotonic time that never stops (UI, monitors).
 *
 * Timers fire on the main loop thread with the BQL held. timer_mod and
 * timer_del need the BQL; they may be called from a vCPU thread (holding
 * the BQL), and wake the main loop if the next deadline moved earlier.
 */
#ifndef SOFTMMU_TIMER_H
#define SOFTMMU_TIMER_H

#include "pcemu/common.h"

typedef enum ClockType {
    CLOCK_VIRTUAL,
    CLOCK_HOST,
    CLOCK_HOST_MONOTONIC,
    CLOCK_MAX
} ClockType;

#define NANOSECONDS_PER_SECOND 1000000000LL

typedef struct Timer Timer;
typedef void TimerCb(void *opaque);

int64_t clock_get_ns(ClockType clock);

Timer *timer_new(ClockType clock, TimerCb *cb, void *opaque);
void timer_free(Timer *t);
/* Fires cb once the clock reaches expire_ns (absolute, in that clock). */
void timer_mod(Timer *t, int64_t expire_ns);
void timer_del(Timer *t);
bool timer_pending(const Timer *t);
int64_t timer_expire_time(const Timer *t);   /* -1 when not pending */

/* For the main loop: ns until the earliest pending timer on a running
 * clock (-1: none), and running the expired ones. */
int64_t timers_deadline_ns(void);
void timers_run_expired(void);

/* The virtual clock stops and resumes with the VM (runstate.c). */
void clock_virtual_stop(void);
void clock_virtual_start(void);
bool clock_virtual_running(void);

/* qtest: the virtual clock no longer follows the host; it starts at 0 and
 * moves only by clock_virtual_advance, which also runs the timers that
 * became due, in deadline order. Returns the new time. */
void clock_virtual_set_manual(void);
bool clock_virtual_is_manual(void);
int64_t clock_virtual_advance(int64_t ns);
/* Next pending virtual timer deadline, or -1. */
int64_t clock_virtual_next_deadline(void);

#endif
