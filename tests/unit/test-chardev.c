/*
 * Chardev back ends with the real main loop: file (truncate, append),
 * null and logfile, pipe (FIFOs), unix and TCP sockets as server and
 * client (round trips, flow control by the front end's can_read, one
 * client at a time, back to listening after EOF, wait=on), bounded
 * output that never blocks, the mux and its Ctrl-A escapes, stdio on
 * pipes (EOF does not spin) and on a terminal (raw mode set and
 * restored), the legacy -serial spellings, and the errors of bad specs.
 */
#include "chardev/char.h"
#include "softmmu/main-loop.h"
#include "softmmu/runstate.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

/* ---- a front end that records what it gets ---- */

typedef struct TestFe {
    GByteArray *got;
    int room;               /* bytes it takes before can_read says 0 */
    int opened, closed, breaks, mux_in, mux_out;
} TestFe;

static int fe_can_read(void *opaque)
{
    TestFe *f = opaque;

    return f->room;
}

static void fe_read(void *opaque, const uint8_t *buf, int len)
{
    TestFe *f = opaque;

    g_assert_cmpint(len, <=, f->room);
    g_byte_array_append(f->got, buf, len);
    f->room -= len;
}

static void fe_event(void *opaque, int event)
{
    TestFe *f = opaque;

    switch (event) {
    case CHR_EVENT_OPENED: f->opened++; break;
    case CHR_EVENT_CLOSED: f->closed++; break;
    case CHR_EVENT_BREAK: f->breaks++; break;
    case CHR_EVENT_MUX_IN: f->mux_in++; break;
    case CHR_EVENT_MUX_OUT: f->mux_out++; break;
    }
}

static void fe_init(TestFe *f, int room)
{
    memset(f, 0, sizeof(*f));
    f->got = g_byte_array_new();
    f->room = room;
}

static void fe_attach(Chardev *chr, TestFe *f)
{
    ChardevFrontend fe = {
        .can_read = fe_can_read,
        .read = fe_read,
        .event = fe_event,
        .opaque = f,
    };
    Error *err = NULL;

    g_assert_true(chardev_attach(chr, &fe, &err));
    g_assert_null(err);
}

static bool fe_has(TestFe *f, const char *text)
{
    return f->got->len == strlen(text) &&
           !memcmp(f->got->data, text, f->got->len);
}

/* Runs the main loop until cond holds (5 s at most). */
#define PUMP_UNTIL(cond) \
    do { \
        gint64 end_ = g_get_monotonic_time() + 5 * G_USEC_PER_SEC; \
        while (!(cond) && g_get_monotonic_time() < end_) { \
            main_loop_wait(10); \
        } \
        g_assert_true(cond); \
    } while (0)

static void pump(int iterations)
{
    for (int i = 0; i < iterations; i++) {
        main_loop_wait(1);
    }
}

/* ---- helpers ---- */

static char *tmpdir;

static char *tmp(const char *name)
{
    return g_strdup_printf("%s/%s", tmpdir, name);
}

static Chardev *new_chr(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static Chardev *new_chr(const char *fmt, ...)
{
    va_list ap;
    char *opts;
    Error *err = NULL;
    Chardev *chr;

    va_start(ap, fmt);
    opts = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    chr = chardev_new_from_opts(opts, &err);
    if (!chr) {
        g_error("chardev '%s': %s", opts, err->msg);
    }
    g_free(opts);
    return chr;
}

static void remove_chr(Chardev *chr)
{
    Error *err = NULL;

    chardev_detach(chr);
    g_assert_true(chardev_remove(chr, &err));
}

/* The error text of a spec that must fail; caller frees. */
static char *spec_error(const char *spec, bool legacy)
{
    Error *err = NULL;
    Chardev *chr = legacy ? chardev_new_legacy(spec, "legacy0", &err)
                          : chardev_new_from_opts(spec, &err);
    char *msg;

    g_assert_null(chr);
    g_assert_nonnull(err);
    msg = g_strdup(err->msg);
    error_free(err);
    return msg;
}

#define ASSERT_ERROR(spec, legacy, needle) \
    do { \
        char *m_ = spec_error(spec, legacy); \
        if (!strstr(m_, needle)) { \
            g_error("'%s' gave '%s', expected '%s'", spec, m_, needle); \
        } \
        g_free(m_); \
    } while (0)

static char *file_text(const char *path)
{
    char *text = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

static void read_full(int fd, void *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        ssize_t n;

        /* the main loop may have to run for the bytes to come */
        if (poll(&pfd, 1, 0) == 0) {
            main_loop_wait(10);
            continue;
        }
        n = read(fd, (char *)buf + done, len - done);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
            continue;
        }
        g_assert_cmpint(n, >, 0);
        done += n;
    }
}

static int unix_connect(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    strcpy(sun.sun_path, path);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), ==,
                    0);
    return fd;
}

static int tcp_connect(int port)
{
    struct sockaddr_in sin = {
        .sin_family = AF_INET,
        .sin_port = htons(port),
        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
    };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), ==,
                    0);
    return fd;
}

/* The port at the end of "...:PORT,server=on". */
static int filename_port(Chardev *chr)
{
    const char *f = chardev_filename(chr);
    const char *comma = strchr(f, ',');
    const char *p = comma;

    g_assert_nonnull(comma);
    while (p > f && p[-1] != ':') {
        p--;
    }
    return atoi(p);
}

/* ---- tests ---- */

static void test_null_and_logfile(void)
{
    char *log = tmp("null.log");
    Chardev *chr = new_chr("null,id=null0");
    Chardev *lg = new_chr("null,id=null1,logfile=%s", log);
    char *text;

    g_assert_cmpstr(chardev_filename(chr), ==, "null");
    g_assert_cmpint(chardev_write(chr, (const uint8_t *)"abc", 3), ==, 3);
    g_assert_true(chardev_find("null0") == chr);
    g_assert_cmpstr(chardev_id(chr), ==, "null0");

    chardev_write(lg, (const uint8_t *)"logged", 6);
    text = file_text(log);
    g_assert_cmpstr(text, ==, "logged");
    g_free(text);
    remove_chr(chr);
    remove_chr(lg);
    g_assert_null(chardev_find("null0"));
    g_free(log);
}

static void test_file(void)
{
    char *path = tmp("file.out");
    Chardev *chr;
    char *text;

    chr = new_chr("file,id=file0,path=%s", path);
    g_assert_cmpint(chardev_write(chr, (const uint8_t *)"abc", 3), ==, 3);
    text = file_text(path);
    g_assert_cmpstr(text, ==, "abc");
    g_free(text);
    remove_chr(chr);

    chr = new_chr("file,id=file0,path=%s,append=on", path);
    chardev_write(chr, (const uint8_t *)"def", 3);
    remove_chr(chr);
    text = file_text(path);
    g_assert_cmpstr(text, ==, "abcdef");
    g_free(text);

    chr = new_chr("file,id=file0,path=%s", path);     /* truncates */
    chardev_write(chr, (const uint8_t *)"x", 1);
    remove_chr(chr);
    text = file_text(path);
    g_assert_cmpstr(text, ==, "x");
    g_free(text);
    g_free(path);
}

static void test_bad_specs(void)
{
    char *sock = tmp("no-such.sock");
    char *spec;

    ASSERT_ERROR("bogus,id=b0", false, "unknown backend 'bogus'");
    ASSERT_ERROR("null", false, "'id' is missing");
    ASSERT_ERROR(",id=b0", false, "backend missing");
    ASSERT_ERROR("null,id=0bad", false, "invalid id");
    ASSERT_ERROR("null,id=b0,foo=bar", false, "Invalid parameter 'foo'");
    ASSERT_ERROR("file,id=b0", false, "'path' is missing");
    ASSERT_ERROR("file,id=b0,path=/nonexistent-dir/x", false,
                 "could not open '/nonexistent-dir/x': No such file");
    ASSERT_ERROR("file,id=b0,path=/tmp/x,append=maybe", false,
                 "'append' expects 'on' or 'off'");
    ASSERT_ERROR("pipe,id=b0,path=/nonexistent-dir/p", false,
                 "could not open '/nonexistent-dir/p'");
    ASSERT_ERROR("socket,id=b0", false, "path=");
    ASSERT_ERROR("socket,id=b0,path=/x,port=1", false, "not both");
    ASSERT_ERROR("socket,id=b0,path=/x,server=on,reconnect=1", false,
                 "reconnect");
    spec = g_strdup_printf("socket,id=b0,path=%s", sock);
    ASSERT_ERROR(spec, false, "could not connect to 'unix:");
    g_free(spec);
    ASSERT_ERROR("socket,id=b0,path=/nonexistent-dir/s,server=on,wait=off",
                 false, "could not listen on '/nonexistent-dir/s'");
    spec = g_strdup_printf("socket,id=b0,path=%s/%0200d", tmpdir, 0);
    ASSERT_ERROR(spec, false, "too long");
    g_free(spec);
    g_assert_null(chardev_find("b0"));

    /* the same id twice */
    new_chr("null,id=dup0");
    ASSERT_ERROR("null,id=dup0", false, "duplicate chardev id 'dup0'");
    remove_chr(chardev_find("dup0"));

    /* legacy spellings */
    ASSERT_ERROR("bogus:xyz", true, "unknown backend 'bogus'");
    ASSERT_ERROR("stdiox", true, "unknown backend 'stdiox'");
    ASSERT_ERROR("tcp:4444", true, "expects [HOST]:PORT");
    ASSERT_ERROR("tcp:localhost:", true, "expects [HOST]:PORT");
    ASSERT_ERROR("chardev:nope", true, "no chardev with id 'nope'");
    ASSERT_ERROR("file:/nonexistent-dir/f", true, "could not open");
    /* an unknown option is reported before the socket is even made */
    ASSERT_ERROR("unix:/nonexistent-dir/s,frobnicate=on", true,
                 "Invalid parameter 'frobnicate'");
    ASSERT_ERROR("stdio,id=b0,path=/x", false,
                 "Invalid parameter 'path' for backend 'stdio'");
    g_assert_null(chardev_find("legacy0"));
    g_free(sock);
}

static void test_legacy_specs(void)
{
    char *path = tmp("legacy.out");
    char *sock = tmp("legacy.sock");
    char *spec;
    Error *err = NULL;
    Chardev *chr;
    char *text;

    chr = chardev_new_legacy("null", "ser0", &err);
    g_assert_nonnull(chr);
    g_assert_cmpstr(chardev_id(chr), ==, "ser0");
    g_assert_cmpstr(chardev_filename(chr), ==, "null");
    remove_chr(chr);
    for (int i = 0; i < 3; i++) {
        const char *nulls[] = { "none", "vc", "vc:80Cx24C" };
        chr = chardev_new_legacy(nulls[i], "ser0", &err);
        g_assert_nonnull(chr);
        g_assert_cmpint(chardev_write(chr, (const uint8_t *)"x", 1), ==, 1);
        remove_chr(chr);
    }

    spec = g_strdup_printf("file:%s", path);
    chr = chardev_new_legacy(spec, "ser0", &err);
    g_assert_nonnull(chr);
    g_assert_cmpstr(chardev_filename(chr), ==, spec);
    chardev_write(chr, (const uint8_t *)"legacy", 6);
    text = file_text(path);
    g_assert_cmpstr(text, ==, "legacy");
    g_free(text);
    g_free(spec);
    /* chardev:ID names an existing chardev */
    g_assert_true(chardev_new_legacy("chardev:ser0", "ser1", &err) == chr);
    remove_chr(chr);

    spec = g_strdup_printf("unix:%s,server=on,wait=off", sock);
    chr = chardev_new_legacy(spec, "ser0", &err);
    g_assert_nonnull(chr);
    g_free(spec);
    spec = g_strdup_printf("disconnected:unix:%s,server=on", sock);
    g_assert_cmpstr(chardev_filename(chr), ==, spec);
    g_free(spec);
    remove_chr(chr);
    /* the server removed its socket file */
    g_assert_false(g_file_test(sock, G_FILE_TEST_EXISTS));

    /* QEMU's old flag spellings */
    spec = g_strdup_printf("unix:%s,server,nowait", sock);
    chr = chardev_new_legacy(spec, "ser0", &err);
    g_assert_nonnull(chr);
    g_free(spec);
    remove_chr(chr);

    chr = chardev_new_legacy("tcp:127.0.0.1:0,server=on,wait=off,nodelay=on",
                             "ser0", &err);
    g_assert_nonnull(chr);
    g_assert_true(g_str_has_prefix(chardev_filename(chr),
                                   "disconnected:tcp:127.0.0.1:"));
    g_assert_cmpint(filename_port(chr), >, 0);
    remove_chr(chr);
    chr = chardev_new_legacy("tcp:[::1]:0,server,nowait,nodelay", "ser0",
                             &err);
    if (chr) {      /* hosts without IPv6 refuse ::1 */
        g_assert_true(g_str_has_prefix(chardev_filename(chr),
                                       "disconnected:tcp:[::1]:"));
        remove_chr(chr);
    } else {
        error_free(err);
        err = NULL;
    }

    /* mon: makes a mux over the back end */
    chr = chardev_new_legacy("mon:null", "ser0", &err);
    g_assert_nonnull(chr);
    g_assert_cmpstr(chardev_filename(chr), ==, "mux");
    g_assert_nonnull(chardev_find("ser0-base"));
    remove_chr(chr);
    g_assert_null(chardev_find("ser0-base"));

    g_free(path);
    g_free(sock);
}

static void test_socket_unix_server(void)
{
    char *sock = tmp("server.sock");
    Chardev *chr = new_chr("socket,id=us0,path=%s,server=on,wait=off", sock);
    TestFe fe;
    char buf[8] = { 0 };
    int c1, c2;
    ssize_t n;
    gint64 t0;

    fe_init(&fe, 1000);
    fe_attach(chr, &fe);
    g_assert_cmpint(fe.opened, ==, 0);
    /* nobody listening on the line: dropped */
    g_assert_cmpint(chardev_write(chr, (const uint8_t *)"lost", 4), ==, 0);

    c1 = unix_connect(sock);
    PUMP_UNTIL(fe.opened == 1);
    g_assert_true(g_str_has_prefix(chardev_filename(chr), "unix:"));
    g_assert_cmpint(write(c1, "hello", 5), ==, 5);
    PUMP_UNTIL(fe.got->len == 5);
    g_assert_true(fe_has(&fe, "hello"));
    g_assert_cmpint(chardev_write(chr, (const uint8_t *)"world", 5), ==, 5);
    read_full(c1, buf, 5);
    g_assert_cmpstr(buf, ==, "world");

    /* a second client is turned away while the first is connected */
    c2 = unix_connect(sock);
    fcntl(c2, F_SETFL, O_NONBLOCK);
    n = -1;
    for (int i = 0; i < 500 && n != 0; i++) {
        main_loop_wait(10);
        n = read(c2, buf, 1);
    }
    g_assert_cmpint(n, ==, 0);
    close(c2);
    g_assert_cmpint(fe.opened, ==, 1);

    /* flow control: nothing is read while the front end has no room */
    fe.room = 0;
    g_byte_array_set_size(fe.got, 0);
    g_assert_cmpint(write(c1, "abcdef", 6), ==, 6);
    pump(20);
    g_assert_cmpint(fe.got->len, ==, 0);
    /* ... and the socket is not polled meanwhile (no busy loop) */
    t0 = g_get_monotonic_time();
    main_loop_wait(100);
    g_assert_cmpint(g_get_monotonic_time() - t0, >=, 80000);
    fe.room = 4;
    chardev_accept_input(chr);
    PUMP_UNTIL(fe.got->len == 4);
    pump(20);
    g_assert_true(fe_has(&fe, "abcd"));
    fe.room = 100;
    chardev_accept_input(chr);
    PUMP_UNTIL(fe.got->len == 6);
    g_assert_true(fe_has(&fe, "abcdef"));

    /* EOF: back to listening, and a new client is taken */
    close(c1);
    PUMP_UNTIL(fe.closed == 1);
    g_assert_true(g_str_has_prefix(chardev_filename(chr), "disconnected:"));
    g_assert_cmpint(chardev_write(chr, (const uint8_t *)"x", 1), ==, 0);
    c1 = unix_connect(sock);
    PUMP_UNTIL(fe.opened == 2);
    chardev_write(chr, (const uint8_t *)"again", 5);
    memset(buf, 0, sizeof(buf));
    read_full(c1, buf, 5);
    g_assert_cmpstr(buf, ==, "again");
    close(c1);
    PUMP_UNTIL(fe.closed == 2);

    remove_chr(chr);
    g_byte_array_free(fe.got, true);
    g_free(sock);
}

static void test_socket_tcp(void)
{
    Chardev *srv = new_chr("socket,id=ts0,host=127.0.0.1,port=0,server=on,"
                           "wait=off,nodelay=on");
    struct sockaddr_in sin = { .sin_family = AF_INET };
    socklen_t len = sizeof(sin);
    TestFe fe, fe2;
    char buf[8] = { 0 };
    Chardev *cli;
    char *spec;
    int c, lfd, afd;

    fe_init(&fe, 1000);
    fe_attach(srv, &fe);
    c = tcp_connect(filename_port(srv));
    PUMP_UNTIL(fe.opened == 1);
    /* "tcp:127.0.0.1:PORT,server=on <-> 127.0.0.1:PEER" */
    g_assert_nonnull(strstr(chardev_filename(srv), "<-> 127.0.0.1:"));
    g_assert_cmpint(write(c, "tcp", 3), ==, 3);
    PUMP_UNTIL(fe.got->len == 3);
    g_assert_true(fe_has(&fe, "tcp"));
    chardev_write(srv, (const uint8_t *)"pct", 3);
    read_full(c, buf, 3);
    g_assert_cmpstr(buf, ==, "pct");
    close(c);
    PUMP_UNTIL(fe.closed == 1);
    remove_chr(srv);

    /* client mode, to a server of ours */
    lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
    g_assert_cmpint(listen(lfd, 1), ==, 0);
    g_assert_cmpint(getsockname(lfd, (struct sockaddr *)&sin, &len), ==, 0);
    spec = g_strdup_printf("socket,id=tc0,host=127.0.0.1,port=%d",
                           ntohs(sin.sin_port));
    cli = new_chr("%s", spec);
    g_free(spec);
    afd = accept(lfd, NULL, NULL);
    g_assert_cmpint(afd, >=, 0);
    fe_init(&fe2, 1000);
    fe_attach(cli, &fe2);
    g_assert_cmpint(fe2.opened, ==, 1);     /* connected before attach */
    chardev_write(cli, (const uint8_t *)"up", 2);
    memset(buf, 0, sizeof(buf));
    read_full(afd, buf, 2);
    g_assert_cmpstr(buf, ==, "up");
    g_assert_cmpint(write(afd, "down", 4), ==, 4);
    PUMP_UNTIL(fe2.got->len == 4);
    g_assert_true(fe_has(&fe2, "down"));
    /* the server goes away: the line is dead, writes are dropped */
    close(afd);
    PUMP_UNTIL(fe2.closed == 1);
    g_assert_cmpint(chardev_write(cli, (const uint8_t *)"z", 1), ==, 0);
    remove_chr(cli);
    close(lfd);
    g_byte_array_free(fe.got, true);
    g_byte_array_free(fe2.got, true);
}

static void *connect_later(void *opaque)
{
    g_usleep(100000);
    return GINT_TO_POINTER(unix_connect(opaque));
}

static void test_socket_wait(void)
{
    char *sock = tmp("wait.sock");
    pthread_t th;
    void *ret;
    Chardev *chr;
    TestFe fe;
    char buf[4] = { 0 };
    int fd;

    /* the thread connects once the socket exists: bind happens first */
    unlink(sock);
    g_assert_cmpint(pthread_create(&th, NULL, connect_later, sock), ==, 0);
    chr = new_chr("socket,id=ws0,path=%s,server=on", sock);
    pthread_join(th, &ret);
    fd = GPOINTER_TO_INT(ret);
    /* start-up returned with the client already connected */
    g_assert_true(g_str_has_prefix(chardev_filename(chr), "unix:"));
    fe_init(&fe, 1000);
    fe_attach(chr, &fe);
    g_assert_cmpint(fe.opened, ==, 1);
    chardev_write(chr, (const uint8_t *)"hi", 2);
    read_full(fd, buf, 2);
    g_assert_cmpstr(buf, ==, "hi");
    close(fd);
    PUMP_UNTIL(fe.closed == 1);
    remove_chr(chr);
    g_byte_array_free(fe.got, true);
    g_free(sock);
}

static void test_pipe(void)
{
    char *base = tmp("pipe");
    char *in = g_strdup_printf("%s.in", base);
    char *out = g_strdup_printf("%s.out", base);
    char buf[8] = { 0 };
    Chardev *chr;
    TestFe fe;
    int win, rout;

    g_assert_cmpint(mkfifo(in, 0600), ==, 0);
    g_assert_cmpint(mkfifo(out, 0600), ==, 0);
    chr = new_chr("pipe,id=p0,path=%s", base);
    fe_init(&fe, 1000);
    fe_attach(chr, &fe);
    win = open(in, O_WRONLY | O_NONBLOCK);
    rout = open(out, O_RDONLY | O_NONBLOCK);
    g_assert_cmpint(win, >=, 0);
    g_assert_cmpint(rout, >=, 0);

    g_assert_cmpint(write(win, "ping", 4), ==, 4);
    PUMP_UNTIL(fe.got->len == 4);
    g_assert_true(fe_has(&fe, "ping"));
    chardev_write(chr, (const uint8_t *)"pong", 4);
    read_full(rout, buf, 4);
    g_assert_cmpstr(buf, ==, "pong");

    /* the host writer closing is not the end: another one may come */
    close(win);
    pump(5);
    win = open(in, O_WRONLY | O_NONBLOCK);
    g_assert_cmpint(write(win, "!", 1), ==, 1);
    PUMP_UNTIL(fe.got->len == 5);

    close(win);
    close(rout);
    remove_chr(chr);
    unlink(in);
    unlink(out);
    g_byte_array_free(fe.got, true);
    g_free(in);
    g_free(out);
    g_free(base);
}

/* Output to a pipe nobody reads: bounded, never blocking, in order. */
static void test_output_never_blocks(void)
{
    char *base = tmp("stall");
    char *in = g_strdup_printf("%s.in", base);
    char *out = g_strdup_printf("%s.out", base);
    uint8_t chunk[1024];
    size_t taken = 0, got = 0;
    Chardev *chr;
    int rout;

    g_assert_cmpint(mkfifo(in, 0600), ==, 0);
    g_assert_cmpint(mkfifo(out, 0600), ==, 0);
    chr = new_chr("pipe,id=p1,path=%s", base);
    for (int i = 0; i < 512; i++) {
        int n;

        for (size_t j = 0; j < sizeof(chunk); j++) {
            chunk[j] = (uint8_t)((taken + j) % 251);
        }
        n = chardev_write(chr, chunk, sizeof(chunk));
        g_assert_cmpint(n, >=, 0);
        if (n < (int)sizeof(chunk)) {
            taken += n;
            break;
        }
        taken += n;
    }
    /* the pipe's buffer plus ours took some, the rest of 512 KiB not */
    g_assert_cmpuint(taken, >=, 64 * 1024);
    g_assert_cmpuint(taken, <, 512 * 1024);
    g_assert_cmpint(chardev_write(chr, chunk, 1), ==, 0);

    /* a reader comes: everything taken arrives, in order */
    rout = open(out, O_RDONLY | O_NONBLOCK);
    g_assert_cmpint(rout, >=, 0);
    while (got < taken) {
        ssize_t n = read(rout, chunk, sizeof(chunk));

        if (n <= 0) {
            g_assert_true(n < 0 && errno == EAGAIN);
            main_loop_wait(10);
            continue;
        }
        for (ssize_t j = 0; j < n; j++) {
            g_assert_cmpuint(chunk[j], ==, (got + j) % 251);
        }
        got += n;
    }
    pump(5);
    g_assert_cmpint(read(rout, chunk, 1), <, 0);    /* and nothing more */
    close(rout);
    remove_chr(chr);
    unlink(in);
    unlink(out);
    g_free(in);
    g_free(out);
    g_free(base);
}

static void test_mux(void)
{
    char *base = tmp("mux");
    char *in = g_strdup_printf("%s.in", base);
    char *out = g_strdup_printf("%s.out", base);
    Chardev *chr;
    TestFe a, b, extra[3];
    Error *err = NULL;
    ChardevFrontend dummy = { 0 };
    GString *seen = g_string_new(NULL);
    char buf[512];
    int win, rout, status;

    g_assert_cmpint(mkfifo(in, 0600), ==, 0);
    g_assert_cmpint(mkfifo(out, 0600), ==, 0);
    chr = new_chr("pipe,id=mx,path=%s,mux=on", base);
    g_assert_nonnull(chardev_find("mx-base"));
    win = open(in, O_WRONLY | O_NONBLOCK);
    rout = open(out, O_RDONLY | O_NONBLOCK);

    fe_init(&a, 1000);
    fe_init(&b, 1000);
    fe_attach(chr, &a);                 /* e.g. the monitor */
    fe_attach(chr, &b);                 /* the serial port: the focus */
    g_assert_cmpint(b.mux_in, ==, 1);
    g_assert_cmpint(a.mux_out, ==, 1);
    g_assert_cmpint(a.opened, ==, 1);
    g_assert_cmpint(b.opened, ==, 1);

    g_assert_cmpint(write(win, "x", 1), ==, 1);
    PUMP_UNTIL(b.got->len == 1);
    g_assert_cmpint(a.got->len, ==, 0);

    /* Ctrl-A c: the focus moves */
    g_assert_cmpint(write(win, "\001cy", 3), ==, 3);
    PUMP_UNTIL(a.got->len == 1);
    g_assert_true(fe_has(&a, "y"));
    g_assert_cmpint(b.mux_out, ==, 1);
    g_assert_cmpint(a.mux_in, ==, 2);
    /* Ctrl-A Ctrl-A is a Ctrl-A; Ctrl-A b a break; others are eaten */
    g_assert_cmpint(write(win, "\001\001\001b\001zq", 7), ==, 7);
    PUMP_UNTIL(a.got->len == 3);
    g_assert_true(fe_has(&a, "y\001q"));
    g_assert_cmpint(a.breaks, ==, 1);
    g_assert_cmpint(b.breaks, ==, 0);
    g_assert_true(fe_has(&b, "x"));

    /* output from both front ends, and the help text */
    chardev_write(chr, (const uint8_t *)"[a]", 3);
    g_assert_cmpint(write(win, "\001h", 2), ==, 2);
    while (!strstr(seen->str, "exit emulator")) {
        ssize_t n = read(rout, buf, sizeof(buf) - 1);
        if (n > 0) {
            g_string_append_len(seen, buf, n);
        } else {
            main_loop_wait(10);
        }
    }
    g_assert_true(g_str_has_prefix(seen->str, "[a]"));
    g_assert_nonnull(strstr(seen->str, "C-a c"));

    /* a busy focused front end: bytes wait, escapes still work */
    a.room = 0;
    g_assert_cmpint(write(win, "123", 3), ==, 3);
    pump(10);
    g_assert_cmpint(a.got->len, ==, 3);
    g_assert_cmpint(write(win, "\001b", 2), ==, 2);
    PUMP_UNTIL(a.breaks == 2);
    a.room = 100;
    chardev_accept_input(chr);
    g_assert_true(fe_has(&a, "y\001q123"));

    /* Ctrl-A x asks for the process to end */
    g_assert_false(runstate_handle_requests(&status));
    g_assert_cmpint(write(win, "\001x", 2), ==, 2);
    pump(10);
    g_assert_true(runstate_handle_requests(&status));
    g_assert_cmpint(status, ==, 0);

    /* up to four front ends; busy while attached */
    for (int i = 0; i < 2; i++) {
        fe_init(&extra[i], 0);
        fe_attach(chr, &extra[i]);
    }
    g_assert_false(chardev_attach(chr, &dummy, &err));
    g_assert_nonnull(strstr(err->msg, "already shared"));
    error_free(err);
    err = NULL;
    g_assert_false(chardev_remove(chr, &err));
    g_assert_nonnull(strstr(err->msg, "busy"));
    error_free(err);
    err = NULL;
    /* nor can the hidden back end be taken or removed */
    g_assert_false(chardev_attach(chardev_find("mx-base"), &dummy, &err));
    error_free(err);
    err = NULL;
    g_assert_false(chardev_remove(chardev_find("mx-base"), &err));
    error_free(err);

    remove_chr(chr);
    g_assert_null(chardev_find("mx-base"));
    close(win);
    close(rout);
    unlink(in);
    unlink(out);
    g_string_free(seen, true);
    g_byte_array_free(a.got, true);
    g_byte_array_free(b.got, true);
    for (int i = 0; i < 2; i++) {
        g_byte_array_free(extra[i].got, true);
    }
    g_free(in);
    g_free(out);
    g_free(base);
}

/* stdio, with fds 0 and 1 swapped for pipes for the test's duration. */
static void test_stdio_pipes(void)
{
    int saved0 = dup(0), saved1 = dup(1);
    int pin[2], pout[2];
    Chardev *chr;
    TestFe fe;
    Error *err = NULL;
    char buf[8] = { 0 };
    gint64 t0;

    g_assert_cmpint(pipe(pin), ==, 0);
    g_assert_cmpint(pipe(pout), ==, 0);
    g_assert_cmpint(dup2(pin[0], 0), ==, 0);
    g_assert_cmpint(dup2(pout[1], 1), ==, 1);
    close(pin[0]);
    close(pout[1]);

    chr = new_chr("stdio,id=st0");
    g_assert_cmpstr(chardev_filename(chr), ==, "stdio");
    g_assert_true(fcntl(0, F_GETFL) & O_NONBLOCK);
    /* one stdio only */
    g_assert_null(chardev_new_from_opts("stdio,id=st1", &err));
    g_assert_nonnull(strstr(err->msg, "already used by chardev 'st0'"));
    error_free(err);

    fe_init(&fe, 1000);
    fe_attach(chr, &fe);
    g_assert_cmpint(write(pin[1], "in", 2), ==, 2);
    PUMP_UNTIL(fe.got->len == 2);
    g_assert_true(fe_has(&fe, "in"));
    chardev_write(chr, (const uint8_t *)"out", 3);
    read_full(pout[0], buf, 3);
    g_assert_cmpstr(buf, ==, "out");

    /* EOF on stdin: the machine goes on, and the loop does not spin */
    close(pin[1]);
    pump(3);
    t0 = g_get_monotonic_time();
    main_loop_wait(100);
    g_assert_cmpint(g_get_monotonic_time() - t0, >=, 80000);
    chardev_write(chr, (const uint8_t *)"still", 5);
    memset(buf, 0, sizeof(buf));
    read_full(pout[0], buf, 5);
    g_assert_cmpstr(buf, ==, "still");

    remove_chr(chr);
    /* the flags are back as they were */
    g_assert_false(fcntl(0, F_GETFL) & O_NONBLOCK);
    g_assert_false(fcntl(1, F_GETFL) & O_NONBLOCK);
    dup2(saved0, 0);
    dup2(saved1, 1);
    close(saved0);
    close(saved1);
    close(pout[0]);
    g_byte_array_free(fe.got, true);
}

/* stdio on a terminal: raw while open, restored after. */
static void test_stdio_tty(void)
{
    int saved0 = dup(0);
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    struct termios t;
    Chardev *chr;
    TestFe fe;
    int slave;

    g_assert_cmpint(master, >=, 0);
    g_assert_cmpint(grantpt(master), ==, 0);
    g_assert_cmpint(unlockpt(master), ==, 0);
    slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    g_assert_cmpint(slave, >=, 0);
    g_assert_cmpint(dup2(slave, 0), ==, 0);
    tcgetattr(0, &t);
    g_assert_true(t.c_lflag & ICANON);
    g_assert_true(t.c_lflag & ECHO);

    chr = new_chr("stdio,id=tty0,signal=off");
    tcgetattr(0, &t);
    g_assert_false(t.c_lflag & (ICANON | ECHO | ISIG));
    g_assert_false(t.c_iflag & ICRNL);
    fe_init(&fe, 1000);
    fe_attach(chr, &fe);
    /* a key arrives as it is, CR not turned into LF */
    g_assert_cmpint(write(master, "k\r", 2), ==, 2);
    PUMP_UNTIL(fe.got->len == 2);
    g_assert_true(fe_has(&fe, "k\r"));
    remove_chr(chr);
    tcgetattr(0, &t);
    g_assert_true(t.c_lflag & ICANON);
    g_assert_true(t.c_lflag & ECHO);
    g_assert_true(t.c_lflag & ISIG);

    /* signal=on (the default) keeps Ctrl-C a signal */
    chr = new_chr("stdio,id=tty1");
    tcgetattr(0, &t);
    g_assert_true(t.c_lflag & ISIG);
    g_assert_false(t.c_lflag & ICANON);
    /* chardev_cleanup_all restores it too (pcemu's exit path) */
    chardev_cleanup_all();
    tcgetattr(0, &t);
    g_assert_true(t.c_lflag & ICANON);

    dup2(saved0, 0);
    close(saved0);
    close(slave);
    close(master);
    g_byte_array_free(fe.got, true);
}

int main(int argc, char **argv)
{
    int rc;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("pcemu-chardev-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    main_loop_init();

    g_test_add_func("/chardev/null-logfile", test_null_and_logfile);
    g_test_add_func("/chardev/file", test_file);
    g_test_add_func("/chardev/bad-specs", test_bad_specs);
    g_test_add_func("/chardev/legacy-specs", test_legacy_specs);
    g_test_add_func("/chardev/socket-unix-server", test_socket_unix_server);
    g_test_add_func("/chardev/socket-tcp", test_socket_tcp);
    g_test_add_func("/chardev/socket-wait", test_socket_wait);
    g_test_add_func("/chardev/pipe", test_pipe);
    g_test_add_func("/chardev/output-never-blocks",
                    test_output_never_blocks);
    g_test_add_func("/chardev/mux", test_mux);
    g_test_add_func("/chardev/stdio-pipes", test_stdio_pipes);
    /* last: it ends with chardev_cleanup_all() */
    g_test_add_func("/chardev/stdio-tty", test_stdio_tty);
    rc = g_test_run();

    /* whatever a failed test left behind */
    {
        GDir *d = g_dir_open(tmpdir, 0, NULL);
        const char *name;

        while (d && (name = g_dir_read_name(d))) {
            char *p = g_build_filename(tmpdir, name, NULL);
            unlink(p);
            g_free(p);
        }
        if (d) {
            g_dir_close(d);
        }
        rmdir(tmpdir);
    }
    return rc;
}
