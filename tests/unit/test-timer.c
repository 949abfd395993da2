/*
 * Unit tests of clocks and timers (softmmu/timer.c): virtual timers under
 * the manual (qtest) clock fire in deadline order, each at its own time;
 * re-arming, deleting and moving timers; and the running virtual clock
 * freezing across a VM stop.
 *
 * The manual clock cannot be switched off again, so the one test of the
 * host-driven virtual clock runs in a subprocess of its own.
 */
#include "softmmu/timer.h"
#include <time.h>

typedef struct Fired {
    int id;
    int64_t now;
} Fired;

static Fired fired[256];
static unsigned nr_fired;

typedef struct TTimer {
    Timer *t;
    int id;
    int64_t period;         /* re-arm by this much when > 0 */
    int rearm_left;
    struct TTimer *victim;  /* timer_del'd by this one's callback */
    struct TTimer *move;    /* timer_mod'ed by this one's callback */
    int64_t move_to;
} TTimer;

static void ttimer_cb(void *opaque)
{
    TTimer *tt = opaque;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);

    g_assert_cmpuint(nr_fired, <, G_N_ELEMENTS(fired));
    fired[nr_fired++] = (Fired){ tt->id, now };
    /* A timer is no longer pending while its callback runs. */
    g_assert_false(timer_pending(tt->t));
    g_assert_cmpint(timer_expire_time(tt->t), ==, -1);
    if (tt->victim) {
        timer_del(tt->victim->t);
    }
    if (tt->move) {
        timer_mod(tt->move->t, tt->move_to);
    }
    if (tt->period > 0 && tt->rearm_left > 0) {
        tt->rearm_left--;
        timer_mod(tt->t, now + tt->period);
    }
}

static TTimer *ttimer_new(int id)
{
    TTimer *tt = g_new0(TTimer, 1);

    tt->id = id;
    tt->t = timer_new(CLOCK_VIRTUAL, ttimer_cb, tt);
    return tt;
}

static void ttimer_free(TTimer *tt)
{
    timer_free(tt->t);
    g_free(tt);
}

/* Each manual-clock test starts at virtual time 0 with nothing pending. */
static void manual_begin(void)
{
    clock_virtual_set_manual();
    g_assert_true(clock_virtual_is_manual());
    g_assert_cmpint(clock_get_ns(CLOCK_VIRTUAL), ==, 0);
    g_assert_cmpint(clock_virtual_next_deadline(), ==, -1);
    nr_fired = 0;
}

static void test_deadline_order(void)
{
    TTimer *a, *b, *c, *d, *e;

    manual_begin();
    a = ttimer_new(1);
    b = ttimer_new(2);
    c = ttimer_new(3);
    d = ttimer_new(4);
    e = ttimer_new(5);
    timer_mod(a->t, 300);
    timer_mod(b->t, 100);
    timer_mod(c->t, 200);
    timer_mod(d->t, 100);       /* same deadline as b, armed later */
    timer_mod(e->t, 5000);
    g_assert_true(timer_pending(a->t));
    g_assert_cmpint(timer_expire_time(a->t), ==, 300);
    g_assert_cmpint(clock_virtual_next_deadline(), ==, 100);

    g_assert_cmpint(clock_virtual_advance(99), ==, 99);
    g_assert_cmpuint(nr_fired, ==, 0);
    g_assert_cmpint(clock_virtual_advance(51), ==, 150);
    g_assert_cmpint(clock_get_ns(CLOCK_VIRTUAL), ==, 150);
    g_assert_cmpuint(nr_fired, ==, 2);
    g_assert_cmpint(fired[0].id, ==, 2);
    g_assert_cmpint(fired[0].now, ==, 100);
    g_assert_cmpint(fired[1].id, ==, 4);
    g_assert_cmpint(fired[1].now, ==, 100);
    g_assert_cmpint(clock_virtual_next_deadline(), ==, 200);

    /* One long step: each callback still sees its own deadline. */
    g_assert_cmpint(clock_virtual_advance(1000), ==, 1150);
    g_assert_cmpuint(nr_fired, ==, 4);
    g_assert_cmpint(fired[2].id, ==, 3);
    g_assert_cmpint(fired[2].now, ==, 200);
    g_assert_cmpint(fired[3].id, ==, 1);
    g_assert_cmpint(fired[3].now, ==, 300);
    g_assert_false(timer_pending(a->t));
    g_assert_true(timer_pending(e->t));

    /* Exactly at the deadline fires. */
    g_assert_cmpint(clock_virtual_advance(5000 - 1150), ==, 5000);
    g_assert_cmpuint(nr_fired, ==, 5);
    g_assert_cmpint(fired[4].id, ==, 5);
    g_assert_cmpint(fired[4].now, ==, 5000);
    g_assert_cmpint(clock_virtual_next_deadline(), ==, -1);

    /* Time never goes backwards. */
    g_assert_cmpint(clock_virtual_advance(-10), ==, 5000);
    g_assert_cmpint(clock_virtual_advance(0), ==, 5000);

    ttimer_free(a);
    ttimer_free(b);
    ttimer_free(c);
    ttimer_free(d);
    ttimer_free(e);
}

static void test_rearm(void)
{
    TTimer *p, *q;

    manual_begin();
    p = ttimer_new(1);
    q = ttimer_new(2);
    p->period = 100;
    p->rearm_left = 9;
    timer_mod(p->t, 100);
    timer_mod(q->t, 250);
    clock_virtual_advance(2000);
    /* p at 100..1000 (10 times), q at 250, interleaved by time. */
    g_assert_cmpuint(nr_fired, ==, 11);
    for (unsigned i = 0, k = 1; i < nr_fired; i++) {
        if (fired[i].id == 2) {
            g_assert_cmpint(fired[i].now, ==, 250);
            g_assert_cmpint(fired[i - 1].now, ==, 200);
            continue;
        }
        g_assert_cmpint(fired[i].now, ==, 100 * k++);
    }
    g_assert_false(timer_pending(p->t));
    g_assert_cmpint(clock_get_ns(CLOCK_VIRTUAL), ==, 2000);

    /* A callback arming another timer inside the current step: it fires
     * in the same advance, at its own deadline. */
    nr_fired = 0;
    p->period = 0;
    p->move = q;
    p->move_to = 2150;
    timer_mod(p->t, 2100);
    clock_virtual_advance(500);
    g_assert_cmpuint(nr_fired, ==, 2);
    g_assert_cmpint(fired[0].id, ==, 1);
    g_assert_cmpint(fired[0].now, ==, 2100);
    g_assert_cmpint(fired[1].id, ==, 2);
    g_assert_cmpint(fired[1].now, ==, 2150);

    /* Armed in the past: fires at the next advance, even by 0. */
    nr_fired = 0;
    p->move = NULL;
    timer_mod(p->t, 1000);
    g_assert_cmpuint(nr_fired, ==, 0);
    clock_virtual_advance(0);
    g_assert_cmpuint(nr_fired, ==, 1);
    g_assert_cmpint(fired[0].now, ==, 2500);
    /* Even a negative deadline is a pending timer, not "idle" (-1). */
    timer_mod(p->t, -1);
    g_assert_true(timer_pending(p->t));
    g_assert_cmpint(timer_expire_time(p->t), >=, 0);
    clock_virtual_advance(0);
    g_assert_cmpuint(nr_fired, ==, 2);

    ttimer_free(p);
    ttimer_free(q);
}

static void test_del_mod(void)
{
    TTimer *a, *b, *c;

    manual_begin();
    a = ttimer_new(1);
    b = ttimer_new(2);
    c = ttimer_new(3);

    /* timer_del: never fires; deleting twice or an idle timer is fine. */
    timer_mod(a->t, 100);
    timer_del(a->t);
    g_assert_false(timer_pending(a->t));
    g_assert_cmpint(timer_expire_time(a->t), ==, -1);
    timer_del(a->t);
    timer_del(b->t);
    clock_virtual_advance(200);
    g_assert_cmpuint(nr_fired, ==, 0);
    g_assert_cmpint(clock_virtual_next_deadline(), ==, -1);

    /* Moving earlier: fires once, at the new time. */
    timer_mod(a->t, 1000);
    timer_mod(a->t, 500);
    g_assert_cmpint(timer_expire_time(a->t), ==, 500);
    g_assert_cmpint(clock_virtual_next_deadline(), ==, 500);
    clock_virtual_advance(1000);
    g_assert_cmpuint(nr_fired, ==, 1);
    g_assert_cmpint(fired[0].now, ==, 500);

    /* Moving later: nothing at the old time, once at the new one. */
    timer_mod(a->t, 1500);
    timer_mod(a->t, 2500);
    clock_virtual_advance(1000);            /* now 2200 */
    g_assert_cmpuint(nr_fired, ==, 1);
    g_assert_true(timer_pending(a->t));
    clock_virtual_advance(1000);
    g_assert_cmpuint(nr_fired, ==, 2);
    g_assert_cmpint(fired[1].now, ==, 2500);

    /* Moving one among others keeps the order right. */
    nr_fired = 0;
    timer_mod(a->t, 3300);
    timer_mod(b->t, 3400);
    timer_mod(c->t, 3500);
    timer_mod(c->t, 3250);
    timer_mod(a->t, 3600);
    clock_virtual_advance(1000);
    g_assert_cmpuint(nr_fired, ==, 3);
    g_assert_cmpint(fired[0].id, ==, 3);
    g_assert_cmpint(fired[1].id, ==, 2);
    g_assert_cmpint(fired[2].id, ==, 1);
    g_assert_cmpint(fired[2].now, ==, 3600);

    /* A callback deleting a timer due later in the same step, and one due
     * at the same time. */
    nr_fired = 0;
    a->victim = b;
    timer_mod(a->t, 4300);
    timer_mod(b->t, 4400);
    timer_mod(c->t, 4300);
    c->victim = NULL;
    clock_virtual_advance(1000);
    g_assert_cmpuint(nr_fired, ==, 2);
    g_assert_cmpint(fired[0].id, ==, 1);
    g_assert_cmpint(fired[1].id, ==, 3);
    a->victim = c;
    nr_fired = 0;
    timer_mod(a->t, 5300);
    timer_mod(c->t, 5300);
    clock_virtual_advance(1000);
    g_assert_cmpuint(nr_fired, ==, 1);
    g_assert_false(timer_pending(c->t));

    /* timer_free of a pending timer unlinks it. */
    timer_mod(b->t, 6500);
    timer_mod(c->t, 6600);
    ttimer_free(b);
    g_assert_cmpint(clock_virtual_next_deadline(), ==, 6600);
    nr_fired = 0;
    clock_virtual_advance(1000);
    g_assert_cmpuint(nr_fired, ==, 1);
    g_assert_cmpint(fired[0].id, ==, 3);

    ttimer_free(a);
    ttimer_free(c);
}

/* Under the manual clock the main loop never runs virtual timers. */
static void test_manual_main_loop(void)
{
    TTimer *a;

    manual_begin();
    a = ttimer_new(1);
    clock_virtual_start();
    timer_mod(a->t, 0);
    g_assert_cmpint(timers_deadline_ns(), ==, -1);
    timers_run_expired();
    g_assert_cmpuint(nr_fired, ==, 0);
    clock_virtual_advance(0);
    g_assert_cmpuint(nr_fired, ==, 1);
    clock_virtual_stop();
    ttimer_free(a);
}

/* Huge steps saturate at the end of time instead of wrapping. */
static void test_advance_saturates(void)
{
    TTimer *a;

    manual_begin();
    a = ttimer_new(1);
    timer_mod(a->t, INT64_MAX - 1);
    g_assert_cmpint(clock_virtual_advance(10), ==, 10);
    g_assert_cmpint(clock_virtual_advance(INT64_MAX), ==, INT64_MAX);
    g_assert_cmpint(clock_get_ns(CLOCK_VIRTUAL), ==, INT64_MAX);
    g_assert_cmpuint(nr_fired, ==, 1);
    g_assert_cmpint(fired[0].now, ==, INT64_MAX - 1);
    g_assert_cmpint(clock_virtual_advance(INT64_MAX), ==, INT64_MAX);
    g_assert_cmpint(clock_virtual_advance(1), ==, INT64_MAX);
    ttimer_free(a);
}

static void sleep_ms(int ms)
{
    struct timespec ts = { 0, ms * 1000000L };

    while (nanosleep(&ts, &ts) < 0) {
    }
}

static void real_clock_stop_start(void)
{
    TTimer *a;
    int64_t t0, t1, t2, t3, t4, d, dl;

    g_assert_false(clock_virtual_is_manual());
    clock_virtual_start();
    g_assert_true(clock_virtual_running());
    t0 = clock_get_ns(CLOCK_VIRTUAL);
    sleep_ms(10);
    t1 = clock_get_ns(CLOCK_VIRTUAL);
    g_assert_cmpint(t1 - t0, >=, 10 * 1000000);

    clock_virtual_stop();
    g_assert_false(clock_virtual_running());
    t2 = clock_get_ns(CLOCK_VIRTUAL);
    g_assert_cmpint(t2, >=, t1);
    sleep_ms(20);
    t3 = clock_get_ns(CLOCK_VIRTUAL);
    g_assert_cmpint(t3, ==, t2);           /* frozen */

    /* A due virtual timer waits while the clock is stopped. */
    nr_fired = 0;
    a = ttimer_new(1);
    timer_mod(a->t, t2 - 1);
    g_assert_cmpint(timers_deadline_ns(), ==, -1);
    timers_run_expired();
    g_assert_cmpuint(nr_fired, ==, 0);

    clock_virtual_start();
    t4 = clock_get_ns(CLOCK_VIRTUAL);
    g_assert_cmpint(t4, >=, t2);
    g_assert_cmpint(t4 - t2, <, 5 * 1000000);   /* the 20 ms did not count */
    g_assert_cmpint(timers_deadline_ns(), ==, 0);
    timers_run_expired();
    g_assert_cmpuint(nr_fired, ==, 1);

    /* The deadline of a future timer is its distance from now. */
    dl = clock_get_ns(CLOCK_VIRTUAL) + 50 * 1000000;
    timer_mod(a->t, dl);
    d = timers_deadline_ns();
    g_assert_cmpint(d, >, 40 * 1000000);
    g_assert_cmpint(d, <=, 50 * 1000000);
    timers_run_expired();
    g_assert_cmpuint(nr_fired, ==, 1);
    sleep_ms(60);
    timers_run_expired();
    g_assert_cmpuint(nr_fired, ==, 2);
    g_assert_cmpint(fired[1].now, >=, dl);

    /* Stopping twice or starting twice changes nothing. */
    clock_virtual_stop();
    t2 = clock_get_ns(CLOCK_VIRTUAL);
    clock_virtual_stop();
    sleep_ms(5);
    g_assert_cmpint(clock_get_ns(CLOCK_VIRTUAL), ==, t2);
    clock_virtual_start();
    clock_virtual_start();
    g_assert_cmpint(clock_get_ns(CLOCK_VIRTUAL) - t2, <, 5 * 1000000);
    ttimer_free(a);
}

static void test_real_clock(void)
{
    if (g_test_subprocess()) {
        real_clock_stop_start();
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_passed();
}

static void test_host_clocks(void)
{
    int64_t a = clock_get_ns(CLOCK_HOST_MONOTONIC);
    int64_t b = clock_get_ns(CLOCK_HOST_MONOTONIC);

    g_assert_cmpint(b, >=, a);
    /* CLOCK_HOST is wall-clock time since the epoch: after 2020. */
    g_assert_cmpint(clock_get_ns(CLOCK_HOST), >,
                    (int64_t)1577836800 * NANOSECONDS_PER_SECOND);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/timer/real-clock-stop-start", test_real_clock);
    g_test_add_func("/timer/host-clocks", test_host_clocks);
    g_test_add_func("/timer/deadline-order", test_deadline_order);
    g_test_add_func("/timer/rearm", test_rearm);
    g_test_add_func("/timer/del-mod", test_del_mod);
    g_test_add_func("/timer/manual-main-loop", test_manual_main_loop);
    g_test_add_func("/timer/advance-saturates", test_advance_saturates);
    return g_test_run();
}
