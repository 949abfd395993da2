/*
 * The main loop thread: poll() over the registered file descriptors and a
 * wake-up eventfd, with the timeout of the earliest timer; then fd
 * handlers, expired timers, deferred calls and run-state requests, all
 * under the BQL. The BQL is dropped only while sleeping in poll().
 */
#include "softmmu/main-loop.h"
#include "softmmu/runstate.h"
#include "softmmu/timer.h"
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

static pthread_mutex_t bql = PTHREAD_MUTEX_INITIALIZER;
static __thread bool bql_held;
static int wakeup_fd = -1;

typedef struct FdEntry {
    int fd;
    FdHandler *on_read, *on_write;
    void *opaque;
} FdEntry;

static GArray *fd_entries;          /* of FdEntry */

typedef struct SoonCall {
    void (*fn)(void *opaque);
    void *opaque;
} SoonCall;

static GArray *soon_calls;          /* of SoonCall */

static volatile sig_atomic_t pending_signal;

void bql_lock(void)
{
    assert(!bql_held);
    pthread_mutex_lock(&bql);
    bql_held = true;
}

void bql_unlock(void)
{
    assert(bql_held);
    bql_held = false;
    pthread_mutex_unlock(&bql);
}

bool bql_locked(void)
{
    return bql_held;
}

void main_loop_wakeup(void)
{
    uint64_t one = 1;

    if (wakeup_fd >= 0) {
        /* EAGAIN means the counter is already non-zero: awake anyway. */
        if (write(wakeup_fd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
            abort();
        }
    }
}

static void on_terminate_signal(int sig)
{
    pending_signal = sig;
    main_loop_wakeup();
}

void main_loop_init(void)
{
    struct sigaction sa = { .sa_handler = on_terminate_signal };

    wakeup_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wakeup_fd < 0) {
        fatal("eventfd: %s", strerror(errno));
    }
    fd_entries = g_array_new(false, false, sizeof(FdEntry));
    soon_calls = g_array_new(false, false, sizeof(SoonCall));
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);       /* a closed socket is an EPIPE, not death */
    bql_lock();
}

void main_loop_set_fd_handler(int fd, FdHandler *on_read,
                              FdHandler *on_write, void *opaque)
{
    for (guint i = 0; i < fd_entries->len; i++) {
        FdEntry *e = &g_array_index(fd_entries, FdEntry, i);
        if (e->fd == fd) {
            if (!on_read && !on_write) {
                g_array_remove_index(fd_entries, i);
            } else {
                e->on_read = on_read;
                e->on_write = on_write;
                e->opaque = opaque;
            }
            main_loop_wakeup();
            return;
        }
    }
    if (on_read || on_write) {
        FdEntry e = { fd, on_read, on_write, opaque };
        g_array_append_val(fd_entries, e);
        main_loop_wakeup();
    }
}

void main_loop_call_soon(void (*fn)(void *opaque), void *opaque)
{
    SoonCall c = { fn, opaque };

    g_array_append_val(soon_calls, c);
    main_loop_wakeup();
}

static void run_soon_calls(void)
{
    /* Calls queued by these calls run in the next iteration. */
    guint n = soon_calls->len;

    for (guint i = 0; i < n; i++) {
        SoonCall c = g_array_index(soon_calls, SoonCall, i);
        c.fn(c.opaque);
    }
    g_array_remove_range(soon_calls, 0, n);
}

void main_loop_wait(int timeout_ms)
{
    guint n = fd_entries->len;
    struct pollfd *pfd = g_new(struct pollfd, n + 1);
    FdEntry *snap = g_new(FdEntry, n);
    int64_t deadline = timers_deadline_ns();
    int rc;

    if (soon_calls->len) {
        timeout_ms = 0;
    } else if (deadline >= 0) {
        int64_t ms = (deadline + 999999) / 1000000;
        if (timeout_ms < 0 || ms < timeout_ms) {
            timeout_ms = (int)MIN(ms, INT32_MAX);
        }
    }
    pfd[0].fd = wakeup_fd;
    pfd[0].events = POLLIN;
    for (guint i = 0; i < n; i++) {
        snap[i] = g_array_index(fd_entries, FdEntry, i);
        pfd[i + 1].fd = snap[i].fd;
        pfd[i + 1].events = (snap[i].on_read ? POLLIN : 0) |
                            (snap[i].on_write ? POLLOUT : 0);
    }

    bql_unlock();
    rc = poll(pfd, n + 1, timeout_ms);
    bql_lock();

    if (rc < 0 && errno != EINTR) {
        fatal("poll: %s", strerror(errno));
    }
    if (rc > 0 && (pfd[0].revents & POLLIN)) {
        uint64_t v;
        if (read(wakeup_fd, &v, sizeof(v)) < 0 && errno != EAGAIN) {
            fatal("eventfd read: %s", strerror(errno));
        }
    }
    for (guint i = 0; rc > 0 && i < n; i++) {
        short re = pfd[i + 1].revents;
        FdEntry *cur = NULL;

        if (!re) {
            continue;
        }
        /* A handler may have removed or replaced this fd meanwhile. */
        for (guint j = 0; j < fd_entries->len; j++) {
            FdEntry *e = &g_array_index(fd_entries, FdEntry, j);
            if (e->fd == snap[i].fd && e->opaque == snap[i].opaque) {
                cur = e;
                break;
            }
        }
        if (!cur) {
            continue;
        }
        if ((re & (POLLIN | POLLHUP | POLLERR)) && cur->on_read) {
            FdEntry e = *cur;
            e.on_read(e.opaque);
        } else if ((re & (POLLOUT | POLLERR)) && cur->on_write) {
            FdEntry e = *cur;
            e.on_write(e.opaque);
        }
    }
    g_free(pfd);
    g_free(snap);

    timers_run_expired();
    run_soon_calls();
}

int main_loop_run(void)
{
    int status;

    for (;;) {
        if (pending_signal) {
            fprintf(stderr, "%s: terminating on signal %d\n", error_progname,
                    (int)pending_signal);
            pending_signal = 0;
            system_shutdown_request(SHUTDOWN_CAUSE_HOST_SIGNAL);
        }
        if (runstate_handle_requests(&status)) {
            return status;
        }
        main_loop_wait(-1);
    }
}
