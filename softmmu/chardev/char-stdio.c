/*
 * The stdio back end: the guest's line on pcemu's own stdin and stdout.
 *
 * When stdin is the controlling terminal and we are its foreground job,
 * the terminal goes into raw mode (no echo, no line editing, 8 bits) so
 * every key reaches the guest, and comes back as it was at exit, in
 * chardev_cleanup_all(), from an atexit handler, and on fatal signals.
 * With signal=on (the default, as QEMU) Ctrl-C still sends SIGINT to
 * pcemu; signal=off passes it to the guest.
 *
 * When stdin is not a terminal (CI, a pipe, /dev/null) its bytes are fed
 * to the guest until EOF, and then stdin is simply no longer polled: the
 * machine keeps running.
 *
 * The Ctrl-A escapes (x exit, c monitor, b break, h help) belong to the
 * mux (char-mux.c): "-serial mon:stdio", "-chardev stdio,mux=on" and
 * -nographic get them, plain "-serial stdio" does not, as in QEMU.
 */
#include "char-internal.h"
#include <fcntl.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

typedef struct StdioChardev {
    FdChardev fd;
} StdioChardev;

/* Process-wide: there is one stdin. Read by signal handlers. */
static Chardev *stdio_owner;
static struct termios stdio_saved_tty;
static volatile sig_atomic_t stdio_tty_saved;
static int stdio_saved_fl[2] = { -1, -1 };

/* Async-signal-safe: only tcsetattr and fcntl. */
static void stdio_restore_host(void)
{
    if (stdio_tty_saved) {
        tcsetattr(0, TCSANOW, &stdio_saved_tty);
        stdio_tty_saved = 0;
    }
    for (int fd = 0; fd < 2; fd++) {
        if (stdio_saved_fl[fd] >= 0) {
            fcntl(fd, F_SETFL, stdio_saved_fl[fd]);
            stdio_saved_fl[fd] = -1;
        }
    }
}

/*
 * Puts the terminal back and lets the signal do what it would have done.
 * SA_RESETHAND restored the default action: a fault re-executes and dies
 * with a core, an asynchronous signal is raised again on return.
 */
static void stdio_signal_handler(int sig)
{
    int saved_errno = errno;

    stdio_restore_host();
    if (sig != SIGSEGV && sig != SIGBUS && sig != SIGILL && sig != SIGFPE) {
        raise(sig);
    }
    errno = saved_errno;
}

static void stdio_install_signal_handlers(void)
{
    static bool done;
    /* Faults: always. Termination requests: only if nobody (vl.c) has a
     * handler of its own, which then exits through chardev_cleanup_all. */
    static const int faults[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };
    static const int terms[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
    struct sigaction sa, old;

    if (done) {
        return;
    }
    done = true;
    atexit(stdio_restore_host);
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = stdio_signal_handler;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    for (unsigned i = 0; i < ARRAY_SIZE(faults); i++) {
        if (sigaction(faults[i], &sa, NULL) < 0) {
            warn_report("stdio: sigaction(%d): %s", faults[i],
                        strerror(errno));
        }
    }
    for (unsigned i = 0; i < ARRAY_SIZE(terms); i++) {
        if (sigaction(terms[i], NULL, &old) == 0 &&
            old.sa_handler == SIG_DFL &&
            sigaction(terms[i], &sa, NULL) < 0) {
            warn_report("stdio: sigaction(%d): %s", terms[i],
                        strerror(errno));
        }
    }
}

/* Raw mode as QEMU sets it: keys pass unchanged, output still gets
 * "\n" -> "\r\n" (OPOST) so host-side messages stay readable. */
static bool stdio_make_raw(bool allow_signals, Error **errp)
{
    struct termios tty;

    if (tcgetattr(0, &stdio_saved_tty) < 0) {
        error_setg(errp, "stdio: tcgetattr: %s", strerror(errno));
        return false;
    }
    tty = stdio_saved_tty;
    tty.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
                     ICRNL | IXON);
    tty.c_oflag |= OPOST;
    tty.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
    if (!allow_signals) {
        tty.c_lflag &= ~ISIG;
    }
    tty.c_cflag &= ~(CSIZE | PARENB);
    tty.c_cflag |= CS8;
    tty.c_cc[VMIN] = 1;
    tty.c_cc[VTIME] = 0;
    stdio_tty_saved = 1;
    if (tcsetattr(0, TCSANOW, &tty) < 0) {
        stdio_tty_saved = 0;
        error_setg(errp, "stdio: tcsetattr: %s", strerror(errno));
        return false;
    }
    return true;
}

static bool stdio_open(Chardev *chr, Opts *opts, Error **errp)
{
    StdioChardev *s = (StdioChardev *)chr;
    Error *err = NULL;
    bool allow_signals = opts_get_bool(opts, "signal", true, &err);
    int fd_in = -1, fd_out = -1;

    fdchr_init(&s->fd);
    chardev_set_filename(chr, "stdio");
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    if (stdio_owner) {
        error_setg(errp, "stdio is already used by chardev '%s'; only one "
                   "chardev can use it (share it with mux=on or "
                   "-serial mon:stdio)", stdio_owner->id);
        return false;
    }
    stdio_install_signal_handlers();

    for (int fd = 0; fd < 2; fd++) {
        int fl = fcntl(fd, F_GETFL);

        if (fl < 0) {
            continue;           /* closed by whoever started us */
        }
        if (fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
            error_setg(errp, "stdio: cannot make fd %d non-blocking: %s",
                       fd, strerror(errno));
            stdio_restore_host();
            return false;
        }
        stdio_saved_fl[fd] = fl;
        if (fd == 0) {
            fd_in = 0;
        } else {
            fd_out = 1;
        }
    }
    if (fd_in >= 0 && isatty(0)) {
        pid_t fg = tcgetpgrp(0);    /* -1: not our controlling terminal */

        if (fg >= 0 && fg != getpgrp()) {
            /* A background job reading its terminal would be stopped
             * (SIGTTIN) and could not set raw mode: guest output only. */
            warn_report("stdio: pcemu is a background job; not reading the "
                        "terminal");
            fd_in = -1;
        } else if (!stdio_make_raw(allow_signals, errp)) {
            stdio_restore_host();
            return false;
        }
    }
    stdio_owner = chr;
    fdchr_set_fds(&s->fd, fd_in, fd_out, false);
    chr->be_open = true;
    return true;
}

static void stdio_close(Chardev *chr)
{
    fdchr_close(chr);
    if (stdio_owner == chr) {
        stdio_restore_host();
        stdio_owner = NULL;
    }
}

static const char *const stdio_options[] = {
    "signal", NULL
};

const ChardevDriver chardev_stdio_driver = {
    .name = "stdio",
    .size = sizeof(StdioChardev),
    .options = stdio_options,
    .open = stdio_open,
    .write = fdchr_write,
    .accept_input = fdchr_accept_input,
    .close = stdio_close,
};
