/*
 * -daemonize, as QEMU's (os-posix.c there): fork before any thread
 * exists; the parent waits on a pipe for one status byte from the daemon
 * (0: start-up succeeded, so exit 0) or for EOF (the daemon died with its
 * error already printed on the terminal: exit 1). The daemon starts a new
 * session, forks once more so it can never reacquire a controlling
 * terminal, and points stdin/stdout/stderr at /dev/null when start-up is
 * over (os_setup_post).
 *
 * Unlike QEMU, the daemon keeps its working directory, so relative
 * -pidfile and socket paths still name the same files at exit.
 */
#include "monitor/daemonize.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int daemon_pipe = -1;
static bool daemonized;

bool os_is_daemonized(void)
{
    return daemonized;
}

void os_daemonize(void)
{
    int fds[2];
    pid_t pid;

    if (pipe(fds) < 0) {
        fatal("-daemonize: pipe: %s", strerror(errno));
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        fatal("-daemonize: fork: %s", strerror(errno));
    }
    if (pid > 0) {
        uint8_t status;
        ssize_t n;

        close(fds[1]);
        do {
            n = read(fds[0], &status, 1);
        } while (n < 0 && errno == EINTR);
        /* Reap the intermediate child (it exits right after forking). */
        waitpid(pid, NULL, 0);
        _exit(n == 1 && status == 0 ? 0 : 1);
    }
    close(fds[0]);
    if (setsid() < 0) {
        fatal("-daemonize: setsid: %s", strerror(errno));
    }
    pid = fork();
    if (pid < 0) {
        fatal("-daemonize: fork: %s", strerror(errno));
    }
    if (pid > 0) {
        _exit(0);
    }
    umask(027);
    daemonized = true;
    daemon_pipe = fds[1];
    fcntl(daemon_pipe, F_SETFD, FD_CLOEXEC);
}

void os_setup_post(void)
{
    uint8_t ok = 0;
    int fd;
    ssize_t n;

    if (daemon_pipe < 0) {
        return;
    }
    fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        dup2(fd, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        if (fd > 2) {
            close(fd);
        }
    }
    do {
        n = write(daemon_pipe, &ok, 1);
    } while (n < 0 && errno == EINTR);
    close(daemon_pipe);
    daemon_pipe = -1;
}
