/*
 * The pty back end: a new pseudo-terminal whose slave side (/dev/pts/N)
 * the user opens with screen, minicom or picocom. Its name is printed at
 * start-up, as QEMU does, and is the chardev's filename ("pty:/dev/pts/N").
 *
 * We keep a slave descriptor open ourselves: without one, reading the
 * master fails with EIO until somebody opens the slave, and output
 * written before that would be lost. With it, the line is always there.
 */
#include "char-internal.h"
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

typedef struct PtyChardev {
    FdChardev fd;
    int slave_fd;
} PtyChardev;

static bool pty_open(Chardev *chr, Opts *opts, Error **errp)
{
    PtyChardev *s = (PtyChardev *)chr;
    struct termios tty;
    const char *name;
    int master;

    fdchr_init(&s->fd);
    s->slave_fd = -1;
    master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
        !(name = ptsname(master))) {
        error_setg(errp, "pty: cannot create a pseudo-terminal: %s",
                   strerror(errno));
        if (master >= 0) {
            close(master);
        }
        return false;
    }
    s->slave_fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (s->slave_fd < 0) {
        error_setg(errp, "pty: cannot open '%s': %s", name, strerror(errno));
        close(master);
        return false;
    }
    /* A serial line carries bytes, not lines: no echo, no CR mapping. */
    if (tcgetattr(s->slave_fd, &tty) == 0) {
        cfmakeraw(&tty);
        if (tcsetattr(s->slave_fd, TCSANOW, &tty) < 0) {
            warn_report("pty: tcsetattr '%s': %s", name, strerror(errno));
        }
    }
    if (!fdchr_set_nonblock(master, errp)) {
        close(master);
        return false;
    }
    chardev_set_filename(chr, "pty:%s", name);
    fprintf(stderr, "char device redirected to %s (label %s)\n", name,
            chr->id);
    fdchr_set_fds(&s->fd, master, master, true);
    chr->be_open = true;
    return true;
}

static void pty_close(Chardev *chr)
{
    PtyChardev *s = (PtyChardev *)chr;

    fdchr_release(&s->fd);      /* no flush: nobody may ever read it */
    if (s->fd.outbuf) {
        g_byte_array_free(s->fd.outbuf, true);
        s->fd.outbuf = NULL;
    }
    if (s->slave_fd >= 0) {
        close(s->slave_fd);
        s->slave_fd = -1;
    }
}

const ChardevDriver chardev_pty_driver = {
    .name = "pty",
    .size = sizeof(PtyChardev),
    .open = pty_open,
    .write = fdchr_write,
    .accept_input = fdchr_accept_input,
    .close = pty_close,
};
