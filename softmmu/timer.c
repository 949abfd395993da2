/*
 * Clocks and timers. Each clock keeps its pending timers in a list sorted
 * by deadline; the main loop sleeps until the earliest one.
 *
 * The virtual clock is host monotonic time minus the time the VM spent
 * stopped, so guest time does not jump across a `stop`/`cont`. Under qtest
 * it is a plain counter that only clock_virtual_advance() moves.
 */
#include "softmmu/timer.h"
#include "softmmu/main-loop.h"
#include <time.h>

struct Timer {
    ClockType clock;
    TimerCb *cb;
    void *opaque;
    int64_t expire;         /* -1 when not pending */
    Timer *next;
};

static Timer *active[CLOCK_MAX];

static bool virtual_running;
static int64_t virtual_offset;      /* monotonic - virtual, while running */
static int64_t virtual_frozen;      /* the value while stopped */
static bool virtual_manual;
static int64_t virtual_manual_ns;

static int64_t host_ns(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return ts.tv_sec * NANOSECONDS_PER_SECOND + ts.tv_nsec;
}

int64_t clock_get_ns(ClockType clock)
{
    switch (clock) {
    case CLOCK_VIRTUAL:
        if (virtual_manual) {
            return virtual_manual_ns;
        }
        if (virtual_running) {
            return host_ns(CLOCK_MONOTONIC) - virtual_offset;
        }
        return virtual_frozen;
    case CLOCK_HOST:
        return host_ns(CLOCK_REALTIME);
    case CLOCK_HOST_MONOTONIC:
        return host_ns(CLOCK_MONOTONIC);
    default:
        abort();
    }
}

void clock_virtual_stop(void)
{
    if (virtual_running) {
        virtual_frozen = clock_get_ns(CLOCK_VIRTUAL);
        virtual_running = false;
    }
}

void clock_virtual_start(void)
{
    if (!virtual_running) {
        virtual_offset = host_ns(CLOCK_MONOTONIC) - virtual_frozen;
        virtual_running = true;
        main_loop_wakeup();
    }
}

bool clock_virtual_running(void)
{
    return virtual_running;
}

void clock_virtual_set_manual(void)
{
    virtual_manual = true;
    virtual_manual_ns = 0;
}

bool clock_virtual_is_manual(void)
{
    return virtual_manual;
}

Timer *timer_new(ClockType clock, TimerCb *cb, void *opaque)
{
    Timer *t = g_new0(Timer, 1);

    assert(clock < CLOCK_MAX);
    t->clock = clock;
    t->cb = cb;
    t->opaque = opaque;
    t->expire = -1;
    return t;
}

void timer_del(Timer *t)
{
    for (Timer **p = &active[t->clock]; *p; p = &(*p)->next) {
        if (*p == t) {
            *p = t->next;
            break;
        }
    }
    t->expire = -1;
    t->next = NULL;
}

void timer_free(Timer *t)
{
    if (t) {
        timer_del(t);
        g_free(t);
    }
}

void timer_mod(Timer *t, int64_t expire_ns)
{
    Timer **p;

    timer_del(t);
    if (expire_ns < 0) {
        expire_ns = 0;
    }
    t->expire = expire_ns;
    for (p = &active[t->clock]; *p && (*p)->expire <= expire_ns;
         p = &(*p)->next) {
    }
    t->next = *p;
    *p = t;
    /* A new earliest deadline: the main loop may be sleeping past it. */
    if (active[t->clock] == t) {
        main_loop_wakeup();
    }
}

bool timer_pending(const Timer *t)
{
    return t->expire >= 0;
}

int64_t timer_expire_time(const Timer *t)
{
    return t->expire;
}

static bool clock_ticks(ClockType c)
{
    return c != CLOCK_VIRTUAL || (virtual_running && !virtual_manual);
}

int64_t timers_deadline_ns(void)
{
    int64_t best = -1;

    for (ClockType c = 0; c < CLOCK_MAX; c++) {
        if (active[c] && clock_ticks(c)) {
            int64_t d = active[c]->expire - clock_get_ns(c);
            if (d < 0) {
                d = 0;
            }
            if (best < 0 || d < best) {
                best = d;
            }
        }
    }
    return best;
}

/* Runs one clock's due timers. A callback may re-arm itself or others. */
static void run_clock(ClockType c)
{
    int64_t now = clock_get_ns(c);

    while (active[c] && active[c]->expire <= now) {
        Timer *t = active[c];
        active[c] = t->next;
        t->next = NULL;
        t->expire = -1;
        t->cb(t->opaque);
    }
}

void timers_run_expired(void)
{
    for (ClockType c = 0; c < CLOCK_MAX; c++) {
        if (clock_ticks(c)) {
            run_clock(c);
        }
    }
}

int64_t clock_virtual_next_deadline(void)
{
    return active[CLOCK_VIRTUAL] ? active[CLOCK_VIRTUAL]->expire : -1;
}

int64_t clock_virtual_advance(int64_t ns)
{
    int64_t step = ns > 0 ? ns : 0;
    /* Saturates: a huge step (qtest's clock_step from a fuzzer) must not
     * wrap time around to negative. */
    int64_t target = step > INT64_MAX - virtual_manual_ns ?
                     INT64_MAX : virtual_manual_ns + step;

    assert(virtual_manual);
    /* Step from deadline to deadline so each callback sees its own time. */
    while (active[CLOCK_VIRTUAL] && active[CLOCK_VIRTUAL]->expire <= target) {
        if (active[CLOCK_VIRTUAL]->expire > virtual_manual_ns) {
            virtual_manual_ns = active[CLOCK_VIRTUAL]->expire;
        }
        run_clock(CLOCK_VIRTUAL);
    }
    virtual_manual_ns = target;
    return virtual_manual_ns;
}
