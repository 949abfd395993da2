/*
 * The pipe back end: path=P uses the FIFOs P.in (to the guest) and P.out
 * (from the guest) when both exist, else P in both directions. Making
 * the FIFOs (mkfifo) is the user's job, as in QEMU.
 *
 * Both are opened read-write, unlike QEMU's write-only P.out: opening a
 * FIFO that way never blocks start-up waiting for a reader, and because
 * we hold a writer of P.in ourselves, a host writer closing it is not an
 * EOF that would end input for good; the next writer simply goes on.
 */
#include "char-internal.h"
#include <fcntl.h>
#include <unistd.h>

static int pipe_open_one(const char *path)
{
    return open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
}

static bool pipe_open(Chardev *chr, Opts *opts, Error **errp)
{
    FdChardev *s = (FdChardev *)chr;
    const char *path = opts_get(opts, "path");
    char *in_path, *out_path;
    int fd_in, fd_out;

    fdchr_init(s);
    if (!path || !*path) {
        error_setg(errp, "pipe: parameter 'path' is missing "
                   "(-chardev pipe,id=ID,path=PATH)");
        return false;
    }
    in_path = g_strdup_printf("%s.in", path);
    out_path = g_strdup_printf("%s.out", path);
    fd_in = pipe_open_one(in_path);
    fd_out = fd_in >= 0 ? pipe_open_one(out_path) : -1;
    g_free(in_path);
    g_free(out_path);
    if (fd_in < 0 || fd_out < 0) {
        if (fd_in >= 0) {
            close(fd_in);
        }
        fd_in = fd_out = pipe_open_one(path);
        if (fd_in < 0) {
            error_setg(errp, "could not open '%s' (nor '%s.in' and "
                       "'%s.out'): %s", path, path, path, strerror(errno));
            return false;
        }
    }
    chardev_set_filename(chr, "pipe:%s", path);
    fdchr_set_fds(s, fd_in, fd_out, true);
    chr->be_open = true;
    return true;
}

static const char *const pipe_options[] = {
    "path", NULL
};

const ChardevDriver chardev_pipe_driver = {
    .name = "pipe",
    .size = sizeof(FdChardev),
    .options = pipe_options,
    .open = pipe_open,
    .write = fdchr_write,
    .accept_input = fdchr_accept_input,
    .close = fdchr_close,
};
