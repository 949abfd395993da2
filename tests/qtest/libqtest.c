/*
 * The qtest client: starts pcemu with -accel qtest, connected to a unix
 * socket this process listens on, and speaks the protocol of
 * docs/qtest-protocol.md over it.
 *
 * A protocol error, a dead or hung emulator, or an emulator that died
 * from a signal ends the test with a message and the emulator's own
 * output (stdout and stderr, kept in an unlinked temporary file), then
 * abort(): these are test failures, not conditions a test handles.
 *
 * Environment:
 *   PCEMU_BINARY         the emulator to run (meson sets it)
 *   PCEMU_QTEST_LOG      if set, every line sent and received is printed
 *                        on stderr
 *   PCEMU_QTEST_TIMEOUT  seconds to wait for a reply (default 30)
 */
#include "libqtest.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define QTEST_NR_GSI            24      /* IOAPIC inputs */
#define QTEST_CONNECT_TIMEOUT_S 10
#define QTEST_EXIT_TIMEOUT_S    10
/* Chunks that keep each command line well under the server's 1 MiB line
 * limit, and each reply of a bulk read of reasonable size. */
#define QTEST_WRITE_CHUNK       (256 * 1024)
#define QTEST_READ_CHUNK        (1024 * 1024)
#define QTEST_MEMSET_CHUNK      (64 * 1024 * 1024)

struct QTestState {
    pid_t pid;
    int fd;                 /* the qtest connection */
    int out_fd;             /* the emulator's stdout + stderr */
    GString *rx;            /* received, not yet consumed */
    size_t rx_scanned;      /* rx bytes known to hold no '\n' */
    bool irq_intercepted;
    bool irq_level[QTEST_NR_GSI];
    bool exited;            /* reaped; wait_status is valid */
    int wait_status;
    bool status_seen;       /* qtest_wait_exit returned it to the test */
    int expected_status;    /* what qtest_quit accepts (0 by default) */
    bool log;
    int timeout_ms;
};

/* ---- failure --------------------------------------------------------- */

/* Prints what the emulator wrote, indented, so a failure shows why. */
static void qtest_dump_output(QTestState *s)
{
    char buf[4096];
    off_t off = 0;
    ssize_t n;
    bool any = false;

    if (s->out_fd < 0) {
        return;
    }
    while ((n = pread(s->out_fd, buf, sizeof(buf), off)) > 0) {
        if (!any) {
            fprintf(stderr, "---- pcemu output ----\n");
            any = true;
        }
        fwrite(buf, 1, n, stderr);
        off += n;
    }
    if (any) {
        fprintf(stderr, "\n---- end of pcemu output ----\n");
    }
}

static void qtest_describe_status(int status, char *buf, size_t len)
{
    if (WIFEXITED(status)) {
        snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        snprintf(buf, len, "killed by signal %d (%s)%s", WTERMSIG(status),
                 strsignal(WTERMSIG(status)),
                 WCOREDUMP(status) ? ", core dumped" : "");
    } else {
        snprintf(buf, len, "wait status 0x%x", status);
    }
}

static void qtest_fail(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3) G_GNUC_NORETURN;
static void qtest_fail(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    char why[128];

    fprintf(stderr, "libqtest: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    if (s) {
        if (!s->exited && s->pid > 0 &&
            waitpid(s->pid, &s->wait_status, WNOHANG) == s->pid) {
            s->exited = true;
        }
        if (s->exited) {
            qtest_describe_status(s->wait_status, why, sizeof(why));
            fprintf(stderr, "libqtest: pcemu %s\n", why);
        } else if (s->pid > 0) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, NULL, 0);
        }
        qtest_dump_output(s);
    }
    fflush(stderr);
    abort();
}

/* ---- start-up -------------------------------------------------------- */

static bool argv_has(GPtrArray *argv, const char *opt)
{
    for (guint i = 0; i < argv->len; i++) {
        const char *a = g_ptr_array_index(argv, i);

        if (a && !strcmp(a, opt)) {
            return true;
        }
    }
    return false;
}

static GPtrArray *qtest_build_argv(const char *bin, const char *sock,
                                   const char *extra_args)
{
    GPtrArray *argv = g_ptr_array_new_with_free_func(g_free);
    char **extra = NULL;
    GError *err = NULL;

    if (extra_args && *extra_args &&
        !g_shell_parse_argv(extra_args, NULL, &extra, &err)) {
        if (!g_error_matches(err, G_SHELL_ERROR,
                             G_SHELL_ERROR_EMPTY_STRING)) {
            qtest_fail(NULL, "cannot parse arguments '%s': %s", extra_args,
                       err->message);
        }
        g_clear_error(&err);
    }

    g_ptr_array_add(argv, g_strdup(bin));
    g_ptr_array_add(argv, g_strdup("-accel"));
    g_ptr_array_add(argv, g_strdup("qtest"));
    g_ptr_array_add(argv, g_strdup("-qtest"));
    g_ptr_array_add(argv, g_strdup_printf("unix:%s", sock));
    g_ptr_array_add(argv, g_strdup("-display"));
    g_ptr_array_add(argv, g_strdup("none"));
    g_ptr_array_add(argv, g_strdup("-net"));
    g_ptr_array_add(argv, g_strdup("none"));
    for (char **a = extra; a && *a; a++) {
        g_ptr_array_add(argv, g_strdup(*a));
    }
    /* Keep stdio out of it (a serial port or monitor there would read the
     * test's stdin), unless the test chose its own. A second -serial
     * would add a second port, so only when the test gave none. */
    if (!argv_has(argv, "-serial") && !argv_has(argv, "-nographic")) {
        g_ptr_array_add(argv, g_strdup("-serial"));
        g_ptr_array_add(argv, g_strdup("null"));
    }
    if (!argv_has(argv, "-monitor") && !argv_has(argv, "-nographic")) {
        g_ptr_array_add(argv, g_strdup("-monitor"));
        g_ptr_array_add(argv, g_strdup("none"));
    }
    g_ptr_array_add(argv, NULL);
    g_strfreev(extra);
    return argv;
}

static int qtest_listen(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    g_assert_cmpuint(strlen(path), <, sizeof(addr.sun_path));
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
        listen(fd, 1) < 0) {
        qtest_fail(NULL, "cannot listen on %s: %s", path, strerror(errno));
    }
    return fd;
}

/* Waits for pcemu to connect, failing early if it exits first. */
static int qtest_accept(QTestState *s, int listen_fd)
{
    gint64 deadline = g_get_monotonic_time() +
                      QTEST_CONNECT_TIMEOUT_S * G_USEC_PER_SEC;

    for (;;) {
        struct pollfd pfd = { .fd = listen_fd, .events = POLLIN };
        int fd;

        if (waitpid(s->pid, &s->wait_status, WNOHANG) == s->pid) {
            s->exited = true;
            qtest_fail(s, "pcemu ended before connecting to the qtest "
                       "socket");
        }
        if (g_get_monotonic_time() > deadline) {
            qtest_fail(s, "pcemu did not connect within %d s",
                       QTEST_CONNECT_TIMEOUT_S);
        }
        if (poll(&pfd, 1, 100) <= 0) {
            continue;
        }
        fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (fd >= 0) {
            return fd;
        }
        if (errno != EINTR && errno != EAGAIN) {
            qtest_fail(s, "accept: %s", strerror(errno));
        }
    }
}

QTestState *qtest_init(const char *extra_args)
{
    QTestState *s = g_new0(QTestState, 1);
    const char *bin = getenv("PCEMU_BINARY");
    const char *timeout = getenv("PCEMU_QTEST_TIMEOUT");
    GError *err = NULL;
    char *dir, *sock, *out_path;
    GPtrArray *argv;
    int listen_fd;
    pid_t parent = getpid();

    s->fd = -1;
    s->out_fd = -1;
    s->rx = g_string_new(NULL);
    s->log = getenv("PCEMU_QTEST_LOG") != NULL;
    s->timeout_ms = (timeout && atoi(timeout) > 0 ? atoi(timeout) : 30) *
                    1000;
    if (!bin) {
        qtest_fail(NULL, "PCEMU_BINARY is not set: run qtests through "
                   "'meson test', or set it to the pcemu executable");
    }

    dir = g_dir_make_tmp("pcemu-qtest-XXXXXX", &err);
    if (!dir) {
        qtest_fail(NULL, "cannot make a temporary directory: %s",
                   err->message);
    }
    sock = g_build_filename(dir, "qtest.sock", NULL);
    out_path = g_build_filename(dir, "pcemu.out", NULL);
    listen_fd = qtest_listen(sock);
    s->out_fd = open(out_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC,
                     0600);
    if (s->out_fd < 0) {
        qtest_fail(NULL, "%s: %s", out_path, strerror(errno));
    }
    argv = qtest_build_argv(bin, sock, extra_args);
    if (s->log) {
        char *cmd = g_strjoinv(" ", (char **)argv->pdata);

        fprintf(stderr, "[qtest] %s\n", cmd);
        g_free(cmd);
    }

    fflush(NULL);
    s->pid = fork();
    if (s->pid < 0) {
        qtest_fail(NULL, "fork: %s", strerror(errno));
    }
    if (s->pid == 0) {
        int null_fd = open("/dev/null", O_RDONLY);

        /* Die with the test, however it ends. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(1);
        }
        if (null_fd < 0 || dup2(null_fd, 0) < 0 ||
            dup2(s->out_fd, 1) < 0 || dup2(s->out_fd, 2) < 0) {
            _exit(127);
        }
        execv(bin, (char **)argv->pdata);
        fprintf(stderr, "cannot run %s: %s\n", bin, strerror(errno));
        _exit(127);
    }
    g_ptr_array_free(argv, true);

    s->fd = qtest_accept(s, listen_fd);
    /* Nothing is left on disk, even if the test aborts later: the output
     * file lives on through out_fd. */
    close(listen_fd);
    unlink(sock);
    unlink(out_path);
    rmdir(dir);
    g_free(sock);
    g_free(out_path);
    g_free(dir);
    return s;
}

QTestState *qtest_initf(const char *fmt, ...)
{
    va_list ap;
    char *args;
    QTestState *s;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    s = qtest_init(args);
    g_free(args);
    return s;
}

/* Waits up to timeout_s for the emulator to end; true if it did. */
static bool qtest_reap(QTestState *s, int timeout_s)
{
    gint64 deadline = g_get_monotonic_time() + timeout_s * G_USEC_PER_SEC;

    while (!s->exited) {
        pid_t r = waitpid(s->pid, &s->wait_status, WNOHANG);

        if (r == s->pid) {
            s->exited = true;
        } else if (r < 0 && errno != EINTR) {
            qtest_fail(NULL, "waitpid: %s", strerror(errno));
        } else if (g_get_monotonic_time() > deadline) {
            return false;
        } else {
            g_usleep(5000);
        }
    }
    return true;
}

static void qtest_free(QTestState *s)
{
    if (s->fd >= 0) {
        close(s->fd);
    }
    if (s->out_fd >= 0) {
        close(s->out_fd);
    }
    g_string_free(s->rx, true);
    g_free(s);
}

void qtest_quit(QTestState *s)
{
    if (!s->exited) {
        kill(s->pid, SIGTERM);
        if (!qtest_reap(s, QTEST_EXIT_TIMEOUT_S)) {
            qtest_fail(s, "pcemu did not exit within %d s of SIGTERM",
                       QTEST_EXIT_TIMEOUT_S);
        }
    }
    if (WIFSIGNALED(s->wait_status) &&
        WTERMSIG(s->wait_status) != SIGTERM) {
        qtest_fail(s, "pcemu crashed");
    }
    /* SIGTERM ends pcemu with status 0; anything else is an error exit
     * the test did not look at. */
    if (!s->status_seen && WIFEXITED(s->wait_status) &&
        WEXITSTATUS(s->wait_status) != s->expected_status) {
        qtest_fail(s, "pcemu exited with status %d, expected %d",
                   WEXITSTATUS(s->wait_status), s->expected_status);
    }
    if (s->log || g_test_verbose()) {
        qtest_dump_output(s);
    }
    qtest_free(s);
}

int qtest_wait_exit(QTestState *s)
{
    if (!qtest_reap(s, QTEST_EXIT_TIMEOUT_S)) {
        return -1;
    }
    if (WIFSIGNALED(s->wait_status)) {
        qtest_fail(s, "pcemu crashed");
    }
    s->status_seen = true;
    return WEXITSTATUS(s->wait_status);
}

void qtest_set_expected_status(QTestState *s, int status)
{
    s->expected_status = status;
}

/* ---- the wire -------------------------------------------------------- */

static void qtest_send_str(QTestState *s, const char *buf, size_t len)
{
    if (s->log) {
        fprintf(stderr, "[qtest >] %.*s", (int)MIN(len, 200), buf);
        if (len > 200) {
            fprintf(stderr, "... (%zu bytes)\n", len);
        }
    }
    while (len > 0) {
        ssize_t n = send(s->fd, buf, len, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            qtest_fail(s, "sending to pcemu: %s",
                       n < 0 ? strerror(errno) : "connection closed");
        }
        buf += n;
        len -= n;
    }
}

/* The next line from pcemu, without its '\n' (caller frees). */
static char *qtest_recv_line(QTestState *s)
{
    char buf[65536];

    for (;;) {
        char *nl = memchr(s->rx->str + s->rx_scanned, '\n',
                          s->rx->len - s->rx_scanned);
        struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
        ssize_t n;
        int r;

        if (nl) {
            size_t len = nl - s->rx->str;
            char *line = g_strndup(s->rx->str, len);

            g_string_erase(s->rx, 0, len + 1);
            s->rx_scanned = 0;
            if (s->log) {
                fprintf(stderr, "[qtest <] %.*s%s\n", (int)MIN(len, 200),
                        line, len > 200 ? "..." : "");
            }
            return line;
        }
        s->rx_scanned = s->rx->len;

        r = poll(&pfd, 1, s->timeout_ms);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r == 0) {
            qtest_fail(s, "pcemu did not answer within %d s (hung?)",
                       s->timeout_ms / 1000);
        }
        n = recv(s->fd, buf, sizeof(buf), 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            qtest_fail(s, "pcemu closed the qtest connection%s%s",
                       n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
        }
        g_string_append_len(s->rx, buf, n);
    }
}

static void qtest_handle_irq_line(QTestState *s, const char *line)
{
    char *end;
    const char *num;
    unsigned long n;
    bool level;

    if (g_str_has_prefix(line, "IRQ raise ")) {
        level = true;
        num = line + 10;
    } else if (g_str_has_prefix(line, "IRQ lower ")) {
        level = false;
        num = line + 10;
    } else {
        qtest_fail(s, "malformed asynchronous line '%s'", line);
    }
    errno = 0;
    n = strtoul(num, &end, 10);
    if (errno || end == num || *end || n >= QTEST_NR_GSI) {
        qtest_fail(s, "bad IRQ number in '%s'", line);
    }
    s->irq_level[n] = level;
}

/* The reply to the last command; asynchronous IRQ lines before it are
 * taken into irq_level. */
static char *qtest_reply(QTestState *s)
{
    for (;;) {
        char *line = qtest_recv_line(s);

        if (!g_str_has_prefix(line, "IRQ ")) {
            return line;
        }
        qtest_handle_irq_line(s, line);
        g_free(line);
    }
}

char *qtest_raw(QTestState *s, const char *line)
{
    size_t len = strlen(line);
    char *buf;

    /* One line, one reply: a '\n' inside would desynchronise. */
    g_assert(!memchr(line, '\n', len));
    buf = g_malloc(len + 1);
    memcpy(buf, line, len);
    buf[len] = '\n';
    qtest_send_str(s, buf, len + 1);
    g_free(buf);
    return qtest_reply(s);
}

/* Sends a command and returns its reply, which must be OK: the text after
 * "OK " ("" for a bare OK). Caller frees the returned reply line; *args
 * points into it. */
static char *qtest_cmd_ok(QTestState *s, const char **args,
                          const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static char *qtest_cmd_ok(QTestState *s, const char **args,
                          const char *fmt, ...)
{
    va_list ap;
    GString *line = g_string_new(NULL);
    char *reply;

    va_start(ap, fmt);
    g_string_append_vprintf(line, fmt, ap);
    va_end(ap);
    g_string_append_c(line, '\n');
    qtest_send_str(s, line->str, line->len);
    reply = qtest_reply(s);
    if (strcmp(reply, "OK") && !g_str_has_prefix(reply, "OK ")) {
        g_string_truncate(line, MIN(line->len - 1, 200));
        qtest_fail(s, "'%s' failed: %s", line->str, reply);
    }
    g_string_free(line, true);
    if (args) {
        *args = reply[2] ? reply + 3 : reply + 2;
    }
    return reply;
}

/* A command whose reply is "OK <number>". */
static uint64_t qtest_cmd_num(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static uint64_t qtest_cmd_num(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    char *cmd, *reply, *end;
    const char *args;
    uint64_t v;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    reply = qtest_cmd_ok(s, &args, "%s", cmd);
    errno = 0;
    v = g_ascii_strtoull(args, &end, 0);
    if (errno || end == args || *end) {
        qtest_fail(s, "'%s': no number in reply '%s'", cmd, reply);
    }
    g_free(cmd);
    g_free(reply);
    return v;
}

static void qtest_cmd(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
static void qtest_cmd(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    char *cmd;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_free(qtest_cmd_ok(s, NULL, "%s", cmd));
    g_free(cmd);
}

/* ---- ports and memory ------------------------------------------------ */

void qtest_outb(QTestState *s, uint16_t port, uint8_t v)
{
    qtest_cmd(s, "outb 0x%x 0x%x", port, v);
}

void qtest_outw(QTestState *s, uint16_t port, uint16_t v)
{
    qtest_cmd(s, "outw 0x%x 0x%x", port, v);
}

void qtest_outl(QTestState *s, uint16_t port, uint32_t v)
{
    qtest_cmd(s, "outl 0x%x 0x%x", port, v);
}

uint8_t qtest_inb(QTestState *s, uint16_t port)
{
    return qtest_cmd_num(s, "inb 0x%x", port);
}

uint16_t qtest_inw(QTestState *s, uint16_t port)
{
    return qtest_cmd_num(s, "inw 0x%x", port);
}

uint32_t qtest_inl(QTestState *s, uint16_t port)
{
    return qtest_cmd_num(s, "inl 0x%x", port);
}

void qtest_writeb(QTestState *s, uint64_t addr, uint8_t v)
{
    qtest_cmd(s, "writeb 0x%" PRIx64 " 0x%x", addr, v);
}

void qtest_writew(QTestState *s, uint64_t addr, uint16_t v)
{
    qtest_cmd(s, "writew 0x%" PRIx64 " 0x%x", addr, v);
}

void qtest_writel(QTestState *s, uint64_t addr, uint32_t v)
{
    qtest_cmd(s, "writel 0x%" PRIx64 " 0x%x", addr, v);
}

void qtest_writeq(QTestState *s, uint64_t addr, uint64_t v)
{
    qtest_cmd(s, "writeq 0x%" PRIx64 " 0x%" PRIx64, addr, v);
}

uint8_t qtest_readb(QTestState *s, uint64_t addr)
{
    return qtest_cmd_num(s, "readb 0x%" PRIx64, addr);
}

uint16_t qtest_readw(QTestState *s, uint64_t addr)
{
    return qtest_cmd_num(s, "readw 0x%" PRIx64, addr);
}

uint32_t qtest_readl(QTestState *s, uint64_t addr)
{
    return qtest_cmd_num(s, "readl 0x%" PRIx64, addr);
}

uint64_t qtest_readq(QTestState *s, uint64_t addr)
{
    return qtest_cmd_num(s, "readq 0x%" PRIx64, addr);
}

static int hexval(char c)
{
    return g_ascii_xdigit_value(c);
}

void qtest_memread(QTestState *s, uint64_t addr, void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len > 0) {
        size_t n = MIN(len, QTEST_READ_CHUNK);
        const char *hex;
        char *reply = qtest_cmd_ok(s, &hex, "read 0x%" PRIx64 " 0x%zx",
                                   addr, n);

        if (strncmp(hex, "0x", 2) || strlen(hex + 2) != 2 * n) {
            qtest_fail(s, "read of %zu bytes: bad reply '%.40s'", n, reply);
        }
        hex += 2;
        for (size_t i = 0; i < n; i++) {
            int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

            if (hi < 0 || lo < 0) {
                qtest_fail(s, "read: bad hex in reply");
            }
            p[i] = hi << 4 | lo;
        }
        g_free(reply);
        p += n;
        addr += n;
        len -= n;
    }
}

void qtest_memwrite(QTestState *s, uint64_t addr, const void *buf,
                    size_t len)
{
    static const char digits[] = "0123456789abcdef";
    const uint8_t *p = buf;

    while (len > 0) {
        size_t n = MIN(len, QTEST_WRITE_CHUNK);
        GString *line = g_string_sized_new(2 * n + 64);

        g_string_printf(line, "write 0x%" PRIx64 " 0x%zx 0x", addr, n);
        for (size_t i = 0; i < n; i++) {
            g_string_append_c(line, digits[p[i] >> 4]);
            g_string_append_c(line, digits[p[i] & 0xf]);
        }
        qtest_cmd(s, "%s", line->str);
        g_string_free(line, true);
        p += n;
        addr += n;
        len -= n;
    }
}

void qtest_memset(QTestState *s, uint64_t addr, uint8_t v, size_t len)
{
    while (len > 0) {
        size_t n = MIN(len, QTEST_MEMSET_CHUNK);

        qtest_cmd(s, "memset 0x%" PRIx64 " 0x%zx 0x%02x", addr, n, v);
        addr += n;
        len -= n;
    }
}

void qtest_bufread(QTestState *s, uint64_t addr, void *buf, size_t len)
{
    uint8_t *p = buf;

    while (len > 0) {
        size_t n = MIN(len, QTEST_READ_CHUNK);
        const char *b64;
        char *reply = qtest_cmd_ok(s, &b64, "b64read 0x%" PRIx64 " 0x%zx",
                                   addr, n);
        gsize got;
        guchar *data = g_base64_decode(b64, &got);

        if (got != n) {
            qtest_fail(s, "b64read of %zu bytes returned %zu", n,
                       (size_t)got);
        }
        memcpy(p, data, n);
        g_free(data);
        g_free(reply);
        p += n;
        addr += n;
        len -= n;
    }
}

void qtest_bufwrite(QTestState *s, uint64_t addr, const void *buf,
                    size_t len)
{
    const uint8_t *p = buf;

    while (len > 0) {
        size_t n = MIN(len, QTEST_WRITE_CHUNK);
        char *b64 = g_base64_encode(p, n);

        qtest_cmd(s, "b64write 0x%" PRIx64 " 0x%zx %s", addr, n, b64);
        g_free(b64);
        p += n;
        addr += n;
        len -= n;
    }
}

/* ---- clock and IRQs -------------------------------------------------- */

int64_t qtest_clock_step(QTestState *s, int64_t ns)
{
    g_assert_cmpint(ns, >=, 0);
    if (ns == 0) {
        return qtest_clock_step_next(s);
    }
    return qtest_cmd_num(s, "clock_step %" PRId64, ns);
}

int64_t qtest_clock_step_next(QTestState *s)
{
    return qtest_cmd_num(s, "clock_step");
}

int64_t qtest_clock_set(QTestState *s, int64_t ns)
{
    g_assert_cmpint(ns, >=, 0);
    return qtest_cmd_num(s, "clock_set %" PRId64, ns);
}

int64_t qtest_clock_get(QTestState *s)
{
    return qtest_cmd_num(s, "clock_step 0");
}

void qtest_irq_intercept_in(QTestState *s, const char *qom_path)
{
    qtest_cmd(s, "irq_intercept_in %s", qom_path);
    s->irq_intercepted = true;
}

void qtest_irq_intercept_out(QTestState *s, const char *qom_path)
{
    qtest_cmd(s, "irq_intercept_out %s", qom_path);
    s->irq_intercepted = true;
}

bool qtest_get_irq(QTestState *s, int gsi)
{
    g_assert(s->irq_intercepted);
    g_assert_cmpint(gsi, >=, 0);
    g_assert_cmpint(gsi, <, QTEST_NR_GSI);
    /* A command without side effects: every IRQ line pcemu sent before
     * its reply has then been read. */
    qtest_cmd(s, "endianness");
    return s->irq_level[gsi];
}

void qtest_set_irq_in(QTestState *s, const char *qom_path, const char *name,
                      int gsi, int level)
{
    qtest_cmd(s, "set_irq_in %s %s %d %d", qom_path, name, gsi, level);
}

/* ---- PCI configuration, mechanism #1 (PCI Local Bus Spec 3.0, 3.2.2.3.2)
 * ------------------------------------------------------------------- */

#define PCI_CONFIG_ADDRESS  0xcf8
#define PCI_CONFIG_DATA     0xcfc

static void qtest_pci_select(QTestState *s, int devfn, int reg)
{
    g_assert_cmpint(devfn, >=, 0);
    g_assert_cmpint(devfn, <=, 0xff);
    g_assert_cmpint(reg, >=, 0);
    g_assert_cmpint(reg, <=, 0xff);
    qtest_outl(s, PCI_CONFIG_ADDRESS,
               0x80000000u | (uint32_t)devfn << 8 | (reg & 0xfc));
}

uint32_t qtest_pci_config_readl(QTestState *s, int devfn, int reg)
{
    qtest_pci_select(s, devfn, reg);
    return qtest_inl(s, PCI_CONFIG_DATA);
}

uint16_t qtest_pci_config_readw(QTestState *s, int devfn, int reg)
{
    qtest_pci_select(s, devfn, reg);
    return qtest_inw(s, PCI_CONFIG_DATA + (reg & 2));
}

uint8_t qtest_pci_config_readb(QTestState *s, int devfn, int reg)
{
    qtest_pci_select(s, devfn, reg);
    return qtest_inb(s, PCI_CONFIG_DATA + (reg & 3));
}

void qtest_pci_config_writel(QTestState *s, int devfn, int reg, uint32_t v)
{
    qtest_pci_select(s, devfn, reg);
    qtest_outl(s, PCI_CONFIG_DATA, v);
}

void qtest_pci_config_writew(QTestState *s, int devfn, int reg, uint16_t v)
{
    qtest_pci_select(s, devfn, reg);
    qtest_outw(s, PCI_CONFIG_DATA + (reg & 2), v);
}

void qtest_pci_config_writeb(QTestState *s, int devfn, int reg, uint8_t v)
{
    qtest_pci_select(s, devfn, reg);
    qtest_outb(s, PCI_CONFIG_DATA + (reg & 3), v);
}
