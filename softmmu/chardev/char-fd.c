/*
 * Non-blocking I/O on host file descriptors, shared by the stdio, file,
 * pipe, socket, pty and serial back ends.
 *
 * Input is polled only while the front end can take bytes: a UART with a
 * full FIFO leaves the bytes in the host's buffer (a pipe, a socket), so
 * nothing is lost and the main loop does not spin. Output never blocks
 * the caller (often a vCPU thread holding the BQL): what the fd cannot
 * take now waits in a bounded buffer that the main loop flushes when the
 * fd becomes writable; past that bound bytes are dropped, as a UART whose
 * line nobody listens to loses them.
 */
#include "char-internal.h"
#include "softmmu/main-loop.h"
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

static void fdchr_update_handlers(FdChardev *s);

bool fdchr_set_nonblock(int fd, Error **errp)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        error_setg(errp, "chardev: cannot make fd %d non-blocking: %s", fd,
                   strerror(errno));
        return false;
    }
    return true;
}

ssize_t fdchr_write_nonblock(int fd, const uint8_t *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = write(fd, buf + done, len - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                break;
            }
            return done ? (ssize_t)done : -1;
        }
        if (n == 0) {
            break;
        }
        done += n;
    }
    return done;
}

static void fdchr_read_cb(void *opaque)
{
    FdChardev *s = opaque;
    Chardev *chr = &s->parent;
    uint8_t buf[4096];
    int room = chardev_be_can_read(chr);
    ssize_t n;

    if (room <= 0 || s->fd_in < 0) {
        fdchr_update_handlers(s);       /* stop polling until accept */
        return;
    }
    do {
        n = read(s->fd_in, buf, MIN((size_t)room, sizeof(buf)));
    } while (n < 0 && errno == EINTR);

    if (n > 0) {
        int len = s->filter_in ? s->filter_in(s, buf, n) : (int)n;
        chardev_be_read(chr, buf, len);
    } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
        /* EOF, or an error such as EIO on a pty whose peer closed. */
        if (s->hangup) {
            s->hangup(s);
            return;         /* the hangup may have released the fds */
        }
        s->in_eof = true;
    }
    fdchr_update_handlers(s);
}

static void fdchr_write_cb(void *opaque)
{
    FdChardev *s = opaque;
    ssize_t n;

    if (s->fd_out >= 0 && s->outbuf->len) {
        n = fdchr_write_nonblock(s->fd_out, s->outbuf->data,
                                 s->outbuf->len);
        if (n < 0) {
            s->out_dead = true;
            g_byte_array_set_size(s->outbuf, 0);
        } else if (n > 0) {
            g_byte_array_remove_range(s->outbuf, 0, n);
        }
    }
    fdchr_update_handlers(s);
}

/*
 * Makes main_loop poll exactly what is wanted now. One fd gets one
 * registration, so when input and output share an fd (a socket) both
 * directions are set in one call.
 */
static void fdchr_update_handlers(FdChardev *s)
{
    bool want_read = s->fd_in >= 0 && !s->in_eof &&
                     chardev_be_can_read(&s->parent) > 0;
    bool want_write = s->fd_out >= 0 && s->outbuf && s->outbuf->len > 0;

    if (s->fd_in >= 0 && s->fd_in == s->fd_out) {
        if (want_read != s->reg_read || want_write != s->reg_write) {
            main_loop_set_fd_handler(s->fd_in,
                                     want_read ? fdchr_read_cb : NULL,
                                     want_write ? fdchr_write_cb : NULL, s);
        }
    } else {
        if (s->fd_in >= 0 && want_read != s->reg_read) {
            main_loop_set_fd_handler(s->fd_in,
                                     want_read ? fdchr_read_cb : NULL,
                                     NULL, s);
        }
        if (s->fd_out >= 0 && want_write != s->reg_write) {
            main_loop_set_fd_handler(s->fd_out, NULL,
                                     want_write ? fdchr_write_cb : NULL, s);
        }
    }
    s->reg_read = want_read;
    s->reg_write = want_write;
}

void fdchr_init(FdChardev *s)
{
    s->fd_in = s->fd_out = -1;
    s->outbuf = g_byte_array_new();
}

void fdchr_set_fds(FdChardev *s, int fd_in, int fd_out, bool close_fds)
{
    assert(s->fd_in < 0 && s->fd_out < 0 && !s->reg_read && !s->reg_write);
    s->fd_in = fd_in;
    s->fd_out = fd_out;
    s->close_fds = close_fds;
    s->in_eof = false;
    s->out_dead = false;
    g_byte_array_set_size(s->outbuf, 0);
    fdchr_update_handlers(s);
}

void fdchr_release(FdChardev *s)
{
    if (s->reg_read || s->reg_write) {
        if (s->fd_in >= 0 && s->fd_in == s->fd_out) {
            main_loop_set_fd_handler(s->fd_in, NULL, NULL, NULL);
        } else {
            if (s->reg_read) {
                main_loop_set_fd_handler(s->fd_in, NULL, NULL, NULL);
            }
            if (s->reg_write) {
                main_loop_set_fd_handler(s->fd_out, NULL, NULL, NULL);
            }
        }
        s->reg_read = s->reg_write = false;
    }
    if (s->close_fds) {
        if (s->fd_in >= 0) {
            close(s->fd_in);
        }
        if (s->fd_out >= 0 && s->fd_out != s->fd_in) {
            close(s->fd_out);
        }
    }
    s->fd_in = s->fd_out = -1;
    if (s->outbuf) {
        g_byte_array_set_size(s->outbuf, 0);
    }
}

void fdchr_flush(FdChardev *s, int timeout_ms)
{
    gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000LL;

    while (s->fd_out >= 0 && !s->out_dead && s->outbuf &&
           s->outbuf->len) {
        struct pollfd pfd = { .fd = s->fd_out, .events = POLLOUT };
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;
        ssize_t n;

        if (left <= 0) {
            break;
        }
        if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) {
            break;
        }
        n = fdchr_write_nonblock(s->fd_out, s->outbuf->data,
                                 s->outbuf->len);
        if (n < 0) {
            break;
        }
        g_byte_array_remove_range(s->outbuf, 0, n);
    }
}

int fdchr_write(Chardev *chr, const uint8_t *buf, int len)
{
    FdChardev *s = (FdChardev *)chr;
    ssize_t n = 0;
    int room;

    if (s->fd_out < 0 || s->out_dead) {
        return 0;
    }
    if (!s->outbuf->len) {
        n = fdchr_write_nonblock(s->fd_out, buf, len);
        if (n < 0) {
            /* EPIPE, EIO: the reader is gone for good. A socket notices
             * through its read side; the others just stop writing. */
            s->out_dead = true;
            return 0;
        }
    }
    room = FDCHR_OUTBUF_MAX - (int)s->outbuf->len;
    if (len - n > room) {
        s->dropped += len - n - room;
    }
    if (len > n && room > 0) {
        g_byte_array_append(s->outbuf, buf + n, MIN(len - n, room));
        n += MIN(len - n, room);
        fdchr_update_handlers(s);
    }
    return n;
}

void fdchr_accept_input(Chardev *chr)
{
    fdchr_update_handlers((FdChardev *)chr);
}

void fdchr_close(Chardev *chr)
{
    FdChardev *s = (FdChardev *)chr;

    fdchr_flush(s, 1000);
    fdchr_release(s);
    if (s->outbuf) {
        g_byte_array_free(s->outbuf, true);
        s->outbuf = NULL;
    }
}
