/*
 * The serial back end ("-chardev serial,path=/dev/ttyS0", "tty", or the
 * legacy "-serial /dev/ttyUSB0"): a host serial port or any other
 * character device, opened read-write. A terminal is put in raw mode;
 * its speed stays what the host set (UNIMPL: following the guest's
 * divisor latch and modem lines, which QEMU does through ioctls).
 */
#include "char-internal.h"
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

static bool serial_open(Chardev *chr, Opts *opts, Error **errp)
{
    FdChardev *s = (FdChardev *)chr;
    const char *path = opts_get(opts, "path");
    struct termios tty;
    int fd;

    fdchr_init(s);
    if (!path || !*path) {
        error_setg(errp, "serial: parameter 'path' is missing "
                   "(-chardev serial,id=ID,path=/dev/ttyS0)");
        return false;
    }
    fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        error_setg(errp, "could not open '%s': %s", path, strerror(errno));
        return false;
    }
    if (isatty(fd) && tcgetattr(fd, &tty) == 0) {
        cfmakeraw(&tty);
        tty.c_cflag |= CLOCAL | CREAD;
        if (tcsetattr(fd, TCSANOW, &tty) < 0) {
            warn_report("serial: tcsetattr '%s': %s", path, strerror(errno));
        }
    }
    chardev_set_filename(chr, "serial:%s", path);
    fdchr_set_fds(s, fd, fd, true);
    chr->be_open = true;
    return true;
}

static const char *const serial_options[] = {
    "path", NULL
};

const ChardevDriver chardev_serial_driver = {
    .name = "serial",
    .size = sizeof(FdChardev),
    .options = serial_options,
    .open = serial_open,
    .write = fdchr_write,
    .accept_input = fdchr_accept_input,
    .close = fdchr_close,
};
