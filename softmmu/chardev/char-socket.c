/*
 * The socket back end: a stream socket, unix (path=) or TCP (host=,
 * port=), as a server (server=on) or a client (server=off, the default).
 *
 * A server talks to one client at a time. While one is connected, newer
 * ones are accepted and closed at once, so they see the refusal instead
 * of hanging in the backlog. When the client goes away the server
 * listens again. With wait=on (the default for a server, as QEMU)
 * start-up blocks until the first client connects.
 *
 * A client connects once, at start-up; when the server goes away the
 * line stays dead (reconnect= is not supported).
 *
 * Bytes written while no client is connected are dropped, like a UART
 * whose cable is unplugged.
 *
 * telnet=on speaks just enough RFC 854 for "telnet host port" to be a
 * character terminal: the server offers WILL ECHO and WILL SUPPRESS-GO-
 * AHEAD (RFC 857, 858), incoming commands are stripped, IAC BREAK is a
 * serial break, and 0xff data bytes are doubled.
 */
#include "char-internal.h"
#include "softmmu/main-loop.h"
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

/* RFC 854 command bytes */
#define TN_SE       240
#define TN_BREAK    243
#define TN_SB       250
#define TN_WILL     251
#define TN_WONT     252
#define TN_DO       253
#define TN_DONT     254
#define TN_IAC      255
/* options */
#define TN_OPT_ECHO     1       /* RFC 857 */
#define TN_OPT_SGA      3       /* RFC 858 */
#define TN_OPT_LINEMODE 34      /* RFC 1184 */

enum {
    TN_STATE_DATA,
    TN_STATE_CR,        /* after CR: a NUL that follows is padding */
    TN_STATE_IAC,
    TN_STATE_OPTION,    /* after WILL/WONT/DO/DONT */
    TN_STATE_SB,
    TN_STATE_SB_IAC,
};

typedef struct SocketChardev {
    FdChardev fd;           /* the connection, when there is one */
    int listen_fd;          /* server only, else -1 */
    bool listening;         /* listen_fd is polled by the main loop */
    bool server;
    bool is_unix;
    bool nodelay;
    bool telnet;
    bool connected;
    int tn_state;
    char *addr;             /* "unix:/path" or "tcp:host:port" */
    char *unlink_path;      /* our server socket's path, removed at close */
    dev_t unlink_dev;
    ino_t unlink_ino;
} SocketChardev;

static void socket_update_filename(SocketChardev *s, const char *peer)
{
    Chardev *chr = &s->fd.parent;

    if (!s->server) {
        chardev_set_filename(chr, "%s%s", s->connected ? "" :
                             "disconnected:", s->addr);
    } else if (!s->connected) {
        chardev_set_filename(chr, "disconnected:%s,server=on", s->addr);
    } else if (peer) {
        chardev_set_filename(chr, "%s,server=on <-> %s", s->addr, peer);
    } else {
        chardev_set_filename(chr, "%s,server=on", s->addr);
    }
}

/* "host:port" of a socket address, numeric, IPv6 in brackets. */
static char *socket_addr_text(const struct sockaddr *sa, socklen_t len)
{
    char host[NI_MAXHOST], serv[NI_MAXSERV];

    if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        return g_strdup("?");
    }
    return g_strdup_printf(strchr(host, ':') ? "[%s]:%s" : "%s:%s", host,
                           serv);
}

/* ---- telnet ---- */

static void socket_telnet_negotiate(SocketChardev *s)
{
    static const uint8_t offer[] = {
        TN_IAC, TN_WILL, TN_OPT_ECHO,
        TN_IAC, TN_WILL, TN_OPT_SGA,
        TN_IAC, TN_DONT, TN_OPT_LINEMODE,
    };

    fdchr_write(&s->fd.parent, offer, sizeof(offer));
}

/* Strips telnet commands in place; returns the data bytes kept. */
static int socket_telnet_filter(FdChardev *fd, uint8_t *buf, int len)
{
    SocketChardev *s = (SocketChardev *)fd;
    int out = 0;

    for (int i = 0; i < len; i++) {
        uint8_t c = buf[i];

        switch (s->tn_state) {
        case TN_STATE_CR:
            s->tn_state = TN_STATE_DATA;
            if (c == 0) {
                break;          /* NVT "CR NUL" is a bare CR */
            }
            /* fall through */
        case TN_STATE_DATA:
            if (c == TN_IAC) {
                s->tn_state = TN_STATE_IAC;
            } else {
                buf[out++] = c;
                if (c == '\r') {
                    s->tn_state = TN_STATE_CR;
                }
            }
            break;
        case TN_STATE_IAC:
            s->tn_state = TN_STATE_DATA;
            if (c == TN_IAC) {
                buf[out++] = c;
            } else if (c == TN_BREAK) {
                /* Deliver the bytes before the break first. */
                chardev_be_read(&fd->parent, buf, out);
                memmove(buf, buf + out, len - out);
                len -= out;
                i -= out;
                out = 0;
                chardev_be_event(&fd->parent, CHR_EVENT_BREAK);
            } else if (c >= TN_WILL && c <= TN_DONT) {
                s->tn_state = TN_STATE_OPTION;
            } else if (c == TN_SB) {
                s->tn_state = TN_STATE_SB;
            }
            break;
        case TN_STATE_OPTION:
            s->tn_state = TN_STATE_DATA;
            break;
        case TN_STATE_SB:
            if (c == TN_IAC) {
                s->tn_state = TN_STATE_SB_IAC;
            }
            break;
        case TN_STATE_SB_IAC:
            s->tn_state = c == TN_SE ? TN_STATE_DATA : TN_STATE_SB;
            break;
        }
    }
    return out;
}

/* ---- connection ---- */

static void socket_hangup(FdChardev *fd)
{
    SocketChardev *s = (SocketChardev *)fd;

    fdchr_release(fd);
    s->connected = false;
    socket_update_filename(s, NULL);
    chardev_be_event(&fd->parent, CHR_EVENT_CLOSED);
}

static void socket_connected(SocketChardev *s, int cfd, const char *peer)
{
    if (!s->is_unix && s->nodelay) {
        int one = 1;
        if (setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one,
                       sizeof(one)) < 0) {
            warn_report("chardev '%s': TCP_NODELAY: %s", s->fd.parent.id,
                        strerror(errno));
        }
    }
    s->connected = true;
    s->tn_state = TN_STATE_DATA;
    fdchr_set_fds(&s->fd, cfd, cfd, true);
    socket_update_filename(s, peer);
    if (s->telnet) {
        socket_telnet_negotiate(s);
    }
    chardev_be_event(&s->fd.parent, CHR_EVENT_OPENED);
}

/* Accepts one pending client; with block, waits for it. */
static bool socket_accept(SocketChardev *s, bool block)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char *peer = NULL;
    int cfd;

    for (;;) {
        if (block) {
            struct pollfd pfd = { .fd = s->listen_fd, .events = POLLIN };
            if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
                warn_report("chardev '%s': poll: %s", s->fd.parent.id,
                            strerror(errno));
                return false;
            }
        }
        len = sizeof(ss);
        cfd = accept4(s->listen_fd, (struct sockaddr *)&ss, &len,
                      SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (cfd >= 0) {
            break;
        }
        if (errno == EINTR || errno == ECONNABORTED) {
            continue;
        }
        if (!block || (errno != EAGAIN && errno != EWOULDBLOCK)) {
            if (errno != EAGAIN && errno != EWOULDBLOCK) {
                guest_error("chardev '%s': accept: %s", s->fd.parent.id,
                            strerror(errno));
            }
            return false;
        }
    }
    if (s->connected) {
        close(cfd);             /* one client at a time */
        return false;
    }
    if (!s->is_unix) {
        peer = socket_addr_text((struct sockaddr *)&ss, len);
    }
    socket_connected(s, cfd, peer);
    g_free(peer);
    return true;
}

static void socket_accept_cb(void *opaque)
{
    socket_accept(opaque, false);
}

/* ---- opening ---- */

static int socket_unix_addr(struct sockaddr_un *sun, const char *path,
                            Error **errp)
{
    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sun->sun_path)) {
        error_setg(errp, "socket path '%s' is too long (at most %zu bytes)",
                   path, sizeof(sun->sun_path) - 1);
        return -1;
    }
    strcpy(sun->sun_path, path);
    return 0;
}

static int socket_unix_listen(SocketChardev *s, const char *path,
                              Error **errp)
{
    struct sockaddr_un sun;
    struct stat st;
    int fd;

    if (socket_unix_addr(&sun, path, errp) < 0) {
        return -1;
    }
    /* A stale socket from an earlier run is replaced, anything else is
     * the user's file and stays. */
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            error_setg(errp, "could not listen on '%s': it exists and is not "
                       "a socket", path);
            return -1;
        }
        if (unlink(path) < 0) {
            error_setg(errp, "could not remove old socket '%s': %s", path,
                       strerror(errno));
            return -1;
        }
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg(errp, "socket(AF_UNIX): %s", strerror(errno));
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
        listen(fd, 1) < 0) {
        error_setg(errp, "could not listen on '%s': %s", path,
                   strerror(errno));
        close(fd);
        return -1;
    }
    if (stat(path, &st) == 0) {
        s->unlink_path = g_strdup(path);
        s->unlink_dev = st.st_dev;
        s->unlink_ino = st.st_ino;
    }
    return fd;
}

static int socket_unix_connect(const char *path, Error **errp)
{
    struct sockaddr_un sun;
    int fd;

    if (socket_unix_addr(&sun, path, errp) < 0) {
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg(errp, "socket(AF_UNIX): %s", strerror(errno));
        return -1;
    }
    while (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        if (errno != EINTR) {
            error_setg(errp, "could not connect to 'unix:%s': %s", path,
                       strerror(errno));
            close(fd);
            return -1;
        }
    }
    return fd;
}

/* Listens on or connects to the first address of host:port that works;
 * *local gets the bound address text for a server. */
static int socket_tcp_open(SocketChardev *s, const char *host,
                           const char *port, int family, char **local,
                           Error **errp)
{
    struct addrinfo hints = { 0 }, *res, *ai;
    int fd = -1, rc, err = 0;

    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = s->server ? AI_PASSIVE : AI_ADDRCONFIG;
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        error_setg(errp, "address '%s:%s': %s", host ? host : "", port,
                   rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (s->server) {
            int one = 1;
            if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
                           sizeof(one)) == 0 &&
                bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
                listen(fd, 1) == 0) {
                break;
            }
        } else {
            rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
            while (rc < 0 && errno == EINTR) {
                /* connect goes on in the background; wait for it */
                struct pollfd pfd = { .fd = fd, .events = POLLOUT };
                socklen_t elen = sizeof(err);
                if (poll(&pfd, 1, -1) < 0) {
                    continue;
                }
                if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0) {
                    err = errno;
                }
                errno = err;
                rc = err ? -1 : 0;
            }
            if (rc == 0) {
                break;
            }
        }
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        error_setg(errp, "could not %s 'tcp:%s:%s': %s",
                   s->server ? "listen on" : "connect to", host ? host : "",
                   port, strerror(err));
        return -1;
    }
    if (s->server) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
            error_setg(errp, "getsockname: %s", strerror(errno));
            close(fd);
            return -1;
        }
        *local = socket_addr_text((struct sockaddr *)&ss, len);
    }
    return fd;
}

static bool socket_open(Chardev *chr, Opts *opts, Error **errp)
{
    SocketChardev *s = (SocketChardev *)chr;
    Error *err = NULL;
    const char *path = opts_get(opts, "path");
    const char *host = opts_get(opts, "host");
    const char *port = opts_get(opts, "port");
    bool wait, ipv4, ipv6;
    int family = AF_UNSPEC;
    int fd;

    fdchr_init(&s->fd);
    s->listen_fd = -1;
    s->fd.hangup = socket_hangup;
    s->server = opts_get_bool(opts, "server", false, &err);
    wait = opts_get_bool(opts, "wait", true, &err);
    /* Bare "nodelay" parses as delay=off; nodelay=on is QEMU's spelling. */
    s->nodelay = opts_get_bool(opts, "nodelay", false, &err) ||
                 !opts_get_bool(opts, "delay", true, &err);
    s->telnet = opts_get_bool(opts, "telnet", false, &err);
    ipv4 = opts_get_bool(opts, "ipv4", false, &err);
    ipv6 = opts_get_bool(opts, "ipv6", false, &err);
    if (err) {
        error_propagate(errp, err);
        return false;
    }
    if (opts_has(opts, "reconnect") || opts_has(opts, "reconnect-ms")) {
        error_setg(errp, "socket: reconnect is not supported");
        return false;
    }
    if (ipv4 != ipv6) {
        family = ipv4 ? AF_INET : AF_INET6;
    }
    if (s->telnet) {
        s->fd.filter_in = socket_telnet_filter;
    }

    if (path && (host || port)) {
        error_setg(errp, "socket: give either path= (unix) or host=/port= "
                   "(tcp), not both");
        return false;
    }
    if (path) {
        if (!*path) {
            error_setg(errp, "socket: path= is empty");
            return false;
        }
        s->is_unix = true;
        s->addr = g_strdup_printf("unix:%s", path);
        fd = s->server ? socket_unix_listen(s, path, errp)
                       : socket_unix_connect(path, errp);
    } else if (port && *port) {
        char *local = NULL;

        if (host && !*host) {
            host = NULL;        /* "tcp::4444": any address / localhost */
        }
        if (!s->server && !host) {
            host = "localhost";
        }
        fd = socket_tcp_open(s, host, port, family, &local, errp);
        s->addr = g_strdup_printf("%s:%s", s->telnet ? "telnet" : "tcp",
                                  local ? local : "");
        if (!local) {
            g_free(s->addr);
            s->addr = g_strdup_printf("%s:%s:%s", s->telnet ? "telnet" :
                                      "tcp", host, port);
        }
        g_free(local);
    } else {
        error_setg(errp, "socket: give path= for a unix socket or "
                   "host=/port= for TCP");
        return false;
    }
    if (fd < 0) {
        return false;
    }

    if (!s->server) {
        if (!fdchr_set_nonblock(fd, errp)) {
            close(fd);
            return false;
        }
        socket_connected(s, fd, NULL);
        return true;
    }
    s->listen_fd = fd;
    if (!fdchr_set_nonblock(fd, errp)) {
        return false;
    }
    socket_update_filename(s, NULL);
    if (wait) {
        fprintf(stderr, "%s: info: pcemu waiting for connection on: %s\n",
                error_progname, chr->filename);
        fflush(stderr);
        if (!socket_accept(s, true)) {
            error_setg(errp, "chardev '%s': no client connected", chr->id);
            return false;
        }
    }
    main_loop_set_fd_handler(s->listen_fd, socket_accept_cb, NULL, s);
    s->listening = true;
    return true;
}

static int socket_write(Chardev *chr, const uint8_t *buf, int len)
{
    SocketChardev *s = (SocketChardev *)chr;
    GByteArray *esc;
    int n, taken = 0;

    if (!s->telnet || !memchr(buf, TN_IAC, len)) {
        return fdchr_write(chr, buf, len);
    }
    esc = g_byte_array_sized_new(len * 2);
    for (int i = 0; i < len; i++) {
        g_byte_array_append(esc, &buf[i], 1);
        if (buf[i] == TN_IAC) {
            g_byte_array_append(esc, &buf[i], 1);
        }
    }
    n = fdchr_write(chr, esc->data, esc->len);
    /* Count the source bytes that went out whole. */
    for (int i = 0, o = 0; i < len && o < n; i++) {
        o += buf[i] == TN_IAC ? 2 : 1;
        taken += o <= n;
    }
    g_byte_array_free(esc, true);
    return taken;
}

static void socket_close(Chardev *chr)
{
    SocketChardev *s = (SocketChardev *)chr;
    struct stat st;

    fdchr_close(chr);
    s->connected = false;
    if (s->listening) {
        main_loop_set_fd_handler(s->listen_fd, NULL, NULL, NULL);
        s->listening = false;
    }
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
        s->listen_fd = -1;
    }
    /* Remove the socket file only if it is still the one we made. */
    if (s->unlink_path && stat(s->unlink_path, &st) == 0 &&
        st.st_dev == s->unlink_dev && st.st_ino == s->unlink_ino) {
        unlink(s->unlink_path);
    }
    g_free(s->unlink_path);
    s->unlink_path = NULL;
    g_free(s->addr);
    s->addr = NULL;
}

static const char *const socket_options[] = {
    "path", "host", "port", "server", "wait", "nodelay", "delay",
    "telnet", "ipv4", "ipv6", "reconnect", "reconnect-ms", NULL
};

const ChardevDriver chardev_socket_driver = {
    .name = "socket",
    .size = sizeof(SocketChardev),
    .options = socket_options,
    .open = socket_open,
    .write = socket_write,
    .accept_input = fdchr_accept_input,
    .close = socket_close,
};
