/*
 * The file back end: the guest's output appended to, or replacing, a
 * host file (path=, append=on|off). Output only, as QEMU's default.
 */
#include "char-internal.h"
#include <fcntl.h>
#include <unistd.h>

static bool file_open(Chardev *chr, Opts *opts, Error **errp)
{
    FdChardev *s = (FdChardev *)chr;
    Error *err = NULL;
    const char *path = opts_get(opts, "path");
    bool append = opts_get_bool(opts, "append", false, &err);
    int fd;

    fdchr_init(s);
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    if (!path || !*path) {
        error_setg(errp, "file: parameter 'path' is missing "
                   "(-chardev file,id=ID,path=FILE)");
        return false;
    }
    fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
              (append ? O_APPEND : O_TRUNC), 0666);
    if (fd < 0) {
        error_setg(errp, "could not open '%s': %s", path, strerror(errno));
        return false;
    }
    if (!fdchr_set_nonblock(fd, errp)) {
        close(fd);
        return false;
    }
    chardev_set_filename(chr, "file:%s", path);
    fdchr_set_fds(s, -1, fd, true);
    chr->be_open = true;
    return true;
}

static const char *const file_options[] = {
    "path", "append", NULL
};

const ChardevDriver chardev_file_driver = {
    .name = "file",
    .size = sizeof(FdChardev),
    .options = file_options,
    .open = file_open,
    .write = fdchr_write,
    .accept_input = fdchr_accept_input,
    .close = fdchr_close,
};
