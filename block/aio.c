/*
 * Asynchronous block I/O: a small pool of worker threads runs requests
 * so that image I/O never blocks a vCPU or the main loop; completions go
 * back to the main loop through an eventfd and run there with the BQL.
 *
 * A request's life: blk_aio_submit() (BQL held) queues it and bumps the
 * backend's in-flight count; a worker pops it, runs the synchronous
 * operation (which takes the image's own lock), and moves it to the done
 * list; the eventfd wakes the main loop, whose handler runs the callback
 * and drops the in-flight count. blk_drain() waits for the workers and
 * runs the pending callbacks itself, so a device reset or close never
 * races a callback.
 */
#include "block/aio.h"
#include "softmmu/main-loop.h"
#include <sys/eventfd.h>
#include <unistd.h>

#define AIO_WORKERS 4

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pool_work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t pool_idle = PTHREAD_COND_INITIALIZER;
static GQueue pending = G_QUEUE_INIT;   /* of BlockAIOCB, not started */
static GQueue done = G_QUEUE_INIT;      /* finished, callback not run */
static unsigned running;
static int done_fd = -1;
static bool pool_started;

static void *aio_worker(void *arg)
{
    pthread_mutex_lock(&pool_lock);
    for (;;) {
        BlockAIOCB *acb;

        while (!(acb = g_queue_pop_head(&pending))) {
            pthread_cond_wait(&pool_work, &pool_lock);
        }
        running++;
        pthread_mutex_unlock(&pool_lock);

        acb->ret = acb->fn(acb);

        pthread_mutex_lock(&pool_lock);
        running--;
        g_queue_push_tail(&done, acb);
        pthread_cond_broadcast(&pool_idle);
        if (done_fd >= 0) {
            uint64_t one = 1;
            if (write(done_fd, &one, sizeof(one)) < 0 && errno != EAGAIN) {
                abort();
            }
        }
    }
    return NULL;
}

/* Runs the callbacks of every finished request (of blk, or all if NULL).
 * BQL held. */
static void aio_run_completions(BlockBackend *blk)
{
    for (;;) {
        BlockAIOCB *acb = NULL;

        pthread_mutex_lock(&pool_lock);
        for (GList *l = done.head; l; l = l->next) {
            BlockAIOCB *a = l->data;
            if (!blk || a->blk == blk) {
                acb = a;
                g_queue_delete_link(&done, l);
                break;
            }
        }
        pthread_mutex_unlock(&pool_lock);
        if (!acb) {
            return;
        }
        blk_aio_complete(acb);
    }
}

static void aio_done_fd_read(void *opaque)
{
    uint64_t n;

    if (read(done_fd, &n, sizeof(n)) < 0 && errno != EAGAIN) {
        return;
    }
    aio_run_completions(NULL);
}

static void aio_pool_start(void)
{
    pthread_attr_t attr;

    pool_started = true;
    done_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (done_fd < 0) {
        fatal("eventfd: %s", strerror(errno));
    }
    main_loop_set_fd_handler(done_fd, aio_done_fd_read, NULL, NULL);
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < AIO_WORKERS; i++) {
        pthread_t t;
        int err = pthread_create(&t, &attr, aio_worker, NULL);

        if (err) {
            fatal("cannot start the block I/O threads: %s", strerror(err));
        }
    }
    pthread_attr_destroy(&attr);
}

void aio_submit(BlockAIOCB *acb)
{
    if (!pool_started) {
        aio_pool_start();
    }
    pthread_mutex_lock(&pool_lock);
    g_queue_push_tail(&pending, acb);
    pthread_cond_signal(&pool_work);
    pthread_mutex_unlock(&pool_lock);
}

static bool blk_busy_locked(BlockBackend *blk)
{
    if (running) {
        /* We don't track which backend a running request belongs to
         * cheaply; waiting for all running requests is correct. */
        return true;
    }
    for (GList *l = pending.head; l; l = l->next) {
        if (((BlockAIOCB *)l->data)->blk == blk) {
            return true;
        }
    }
    return false;
}

void aio_drain(BlockBackend *blk)
{
    if (!pool_started) {
        return;
    }
    pthread_mutex_lock(&pool_lock);
    while (blk_busy_locked(blk)) {
        pthread_cond_wait(&pool_idle, &pool_lock);
    }
    pthread_mutex_unlock(&pool_lock);
    aio_run_completions(blk);
}
