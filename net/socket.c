/*
 * `-netdev socket`: frames over a host socket, compatible with QEMU's
 * socket back end so a pcemu guest and a QEMU guest can share a wire.
 *
 *   listen=[HOST]:PORT   TCP server; one peer at a time
 *   connect=HOST:PORT    TCP client
 *   mcast=ADDR:PORT[,localaddr=ADDR]   UDP multicast, one frame a datagram
 *   udp=HOST:PORT,localaddr=HOST:PORT  UDP unicast, one frame a datagram
 *
 * On a stream each frame is preceded by its length as a 32-bit big-endian
 * number (QEMU's format). Reads stop while the NIC has no room (net_send
 * returned 0) and resume from its sent callback; a write the socket
 * cannot take now keeps the frame queued (the receive callback returns
 * 0) until the fd is writable. IPv4 only.
 */
#include "net/net.h"
#include "pcemu/opts.h"
#include "softmmu/main-loop.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

typedef enum SocketMode { SOCK_LISTEN, SOCK_CONNECT, SOCK_MCAST, SOCK_UDP }
    SocketMode;

typedef struct NetSocketState {
    NetClientState nc;
    SocketMode mode;
    int listen_fd;              /* SOCK_LISTEN, -1 otherwise */
    int fd;                     /* data socket, -1 while none */
    struct sockaddr_in dgram_dst;
    bool read_stopped;          /* waiting for the peer's sent callback */
    bool write_armed;           /* waiting for POLLOUT */
    /* stream receive: a length word then the frame */
    uint8_t rbuf[4 + NET_MAX_FRAME];
    size_t rlen;
    /* stream send: the tail of a frame the socket took in part */
    uint8_t *wbuf;
    size_t wlen, woff;
} NetSocketState;

static void net_socket_update_handlers(NetSocketState *s);

static bool parse_host_port(const char *str, bool host_optional,
                            struct sockaddr_in *sa, Error **errp)
{
    const char *colon = str ? strrchr(str, ':') : NULL;
    char *host;
    uint64_t port;

    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    if (!colon || !parse_uint64(colon + 1, &port) || port > 65535) {
        error_setg(errp, "'%s': expected HOST:PORT", str ? str : "");
        return false;
    }
    sa->sin_port = htons(port);
    host = g_strndup(str, colon - str);
    if (!*host) {
        if (!host_optional) {
            error_setg(errp, "'%s': a host is needed before the port", str);
            g_free(host);
            return false;
        }
        sa->sin_addr.s_addr = htonl(INADDR_ANY);
    } else if (!inet_aton(host, &sa->sin_addr)) {
        struct addrinfo hints = { .ai_family = AF_INET }, *res;
        if (getaddrinfo(host, NULL, &hints, &res)) {
            error_setg(errp, "'%s': unknown host '%s'", str, host);
            g_free(host);
            return false;
        }
        sa->sin_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
        freeaddrinfo(res);
    }
    g_free(host);
    return true;
}

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void net_socket_close_data(NetSocketState *s)
{
    if (s->fd >= 0) {
        main_loop_set_fd_handler(s->fd, NULL, NULL, NULL);
        close(s->fd);
        s->fd = -1;
    }
    s->rlen = 0;
    g_free(s->wbuf);
    s->wbuf = NULL;
    s->wlen = s->woff = 0;
    s->write_armed = false;
    net_socket_update_handlers(s);
}

static void net_socket_sent(NetClientState *nc)
{
    NetSocketState *s = (NetSocketState *)nc;

    if (s->read_stopped) {
        s->read_stopped = false;
        net_socket_update_handlers(s);
    }
}

/* Hands a frame from the wire to the NIC; stops reading if it queued. */
static void net_socket_deliver(NetSocketState *s, const uint8_t *buf,
                               size_t len)
{
    if (net_send(&s->nc, buf, len, net_socket_sent) == 0) {
        s->read_stopped = true;
    }
}

static void net_socket_stream_read(NetSocketState *s)
{
    ssize_t n = read(s->fd, s->rbuf + s->rlen, sizeof(s->rbuf) - s->rlen);
    size_t off = 0;

    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        net_socket_close_data(s);
        return;
    }
    if (n < 0) {
        return;
    }
    s->rlen += n;
    while (s->rlen - off >= 4) {
        uint32_t flen = (uint32_t)s->rbuf[off] << 24 |
                        (uint32_t)s->rbuf[off + 1] << 16 |
                        (uint32_t)s->rbuf[off + 2] << 8 | s->rbuf[off + 3];
        if (flen > NET_MAX_FRAME) {
            error_report("-netdev socket,id=%s: frame of %u bytes from the "
                         "peer: closing the connection", s->nc.name, flen);
            net_socket_close_data(s);
            return;
        }
        if (s->rlen - off - 4 < flen) {
            break;
        }
        net_socket_deliver(s, s->rbuf + off + 4, flen);
        off += 4 + flen;
        if (s->fd < 0) {
            return;
        }
    }
    memmove(s->rbuf, s->rbuf + off, s->rlen - off);
    s->rlen -= off;
}

static void net_socket_dgram_read(NetSocketState *s)
{
    ssize_t n = recv(s->fd, s->rbuf, NET_MAX_FRAME, 0);

    if (n > 0) {
        net_socket_deliver(s, s->rbuf, n);
    }
}

static void net_socket_on_read(void *opaque)
{
    NetSocketState *s = opaque;

    if (s->mode == SOCK_MCAST || s->mode == SOCK_UDP) {
        net_socket_dgram_read(s);
    } else {
        net_socket_stream_read(s);
    }
    net_socket_update_handlers(s);
}

static void net_socket_on_write(void *opaque)
{
    NetSocketState *s = opaque;

    if (s->wbuf) {
        ssize_t n = write(s->fd, s->wbuf + s->woff, s->wlen - s->woff);
        if (n < 0 && errno != EAGAIN && errno != EINTR) {
            net_socket_close_data(s);
            return;
        }
        if (n > 0) {
            s->woff += n;
        }
        if (s->woff < s->wlen) {
            return;
        }
        g_free(s->wbuf);
        s->wbuf = NULL;
    }
    s->write_armed = false;
    net_socket_update_handlers(s);
    net_flush_queued(&s->nc);
}

static void net_socket_on_accept(void *opaque)
{
    NetSocketState *s = opaque;
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

    if (fd < 0) {
        return;
    }
    if (s->fd >= 0) {
        close(fd);              /* one peer at a time, as QEMU */
        return;
    }
    s->fd = fd;
    net_socket_update_handlers(s);
}

static void net_socket_update_handlers(NetSocketState *s)
{
    if (s->listen_fd >= 0) {
        main_loop_set_fd_handler(s->listen_fd,
                                 s->fd < 0 ? net_socket_on_accept : NULL,
                                 NULL, s);
    }
    if (s->fd >= 0) {
        main_loop_set_fd_handler(s->fd,
                                 s->read_stopped ? NULL : net_socket_on_read,
                                 s->write_armed ? net_socket_on_write : NULL,
                                 s);
    }
}

static ssize_t net_socket_receive(NetClientState *nc, const uint8_t *buf,
                                  size_t len)
{
    NetSocketState *s = (NetSocketState *)nc;
    ssize_t n;

    if (s->fd < 0) {
        return len;             /* no peer connected: the wire is cut */
    }
    if (s->write_armed) {
        return 0;
    }
    if (s->mode == SOCK_MCAST || s->mode == SOCK_UDP) {
        n = sendto(s->fd, buf, len, 0, (struct sockaddr *)&s->dgram_dst,
                   sizeof(s->dgram_dst));
        if (n < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
            s->write_armed = true;
            net_socket_update_handlers(s);
            return 0;
        }
        return len;             /* sent, or lost as on a real wire */
    }
    /* Stream: length word and frame in one buffer, so a partial write
     * keeps the rest in order. */
    s->wlen = 4 + len;
    s->woff = 0;
    s->wbuf = g_malloc(s->wlen);
    s->wbuf[0] = len >> 24;
    s->wbuf[1] = len >> 16;
    s->wbuf[2] = len >> 8;
    s->wbuf[3] = len;
    memcpy(s->wbuf + 4, buf, len);
    n = write(s->fd, s->wbuf, s->wlen);
    if (n < 0 && errno != EAGAIN && errno != EINTR) {
        net_socket_close_data(s);
        return len;
    }
    if (n == (ssize_t)s->wlen) {
        g_free(s->wbuf);
        s->wbuf = NULL;
        return len;
    }
    s->woff = n > 0 ? n : 0;
    s->write_armed = true;      /* the frame is ours now; send the rest */
    net_socket_update_handlers(s);
    return len;
}

static bool net_socket_can_receive(NetClientState *nc)
{
    return !((NetSocketState *)nc)->write_armed;
}

static void net_socket_cleanup(NetClientState *nc)
{
    NetSocketState *s = (NetSocketState *)nc;

    if (s->fd >= 0) {
        main_loop_set_fd_handler(s->fd, NULL, NULL, NULL);
        close(s->fd);
    }
    if (s->listen_fd >= 0) {
        main_loop_set_fd_handler(s->listen_fd, NULL, NULL, NULL);
        close(s->listen_fd);
    }
    g_free(s->wbuf);
}

static const NetClientInfo net_socket_info = {
    .kind = NET_CLIENT_SOCKET,
    .type = "socket",
    .size = sizeof(NetSocketState),
    .receive = net_socket_receive,
    .can_receive = net_socket_can_receive,
    .cleanup = net_socket_cleanup,
};

static int net_socket_open_listen(const char *spec, Error **errp)
{
    struct sockaddr_in sa;
    int fd, one = 1;

    if (!parse_host_port(spec, true, &sa, errp)) {
        return -1;
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        listen(fd, 1) < 0) {
        error_setg(errp, "listen=%s: %s", spec, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    return fd;
}

static int net_socket_open_connect(const char *spec, Error **errp)
{
    struct sockaddr_in sa;
    int fd;

    if (!parse_host_port(spec, false, &sa, errp)) {
        return -1;
    }
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    /* Blocking connect at start-up, as QEMU: the user asked for a peer
     * that should already listen. */
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        error_setg(errp, "connect=%s: %s", spec, strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    set_nonblock(fd);
    return fd;
}

static int net_socket_open_dgram(struct sockaddr_in *dst, Opts *o,
                                 Error **errp)
{
    const char *mcast = opts_get(o, "mcast");
    const char *udp = opts_get(o, "udp");
    const char *local = opts_get(o, "localaddr");
    struct sockaddr_in bind_sa;
    int fd, one = 1;

    if (!parse_host_port(mcast ? mcast : udp, false, dst, errp)) {
        return -1;
    }
    fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        error_setg(errp, "socket: %s", strerror(errno));
        return -1;
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (mcast) {
        struct ip_mreq mreq = { .imr_multiaddr = dst->sin_addr };
        unsigned char loop = 1;

        if (!IN_MULTICAST(ntohl(dst->sin_addr.s_addr))) {
            error_setg(errp, "mcast=%s: not a multicast address (224.0.0.0 "
                       "to 239.255.255.255)", mcast);
            close(fd);
            return -1;
        }
        bind_sa = *dst;
        mreq.imr_interface.s_addr = htonl(INADDR_ANY);
        if (local && !inet_aton(local, &mreq.imr_interface)) {
            error_setg(errp, "localaddr=%s: not an IPv4 address", local);
            close(fd);
            return -1;
        }
        if (local) {
            setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq.imr_interface,
                       sizeof(mreq.imr_interface));
        }
        if (bind(fd, (struct sockaddr *)&bind_sa, sizeof(bind_sa)) < 0 ||
            setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq,
                       sizeof(mreq)) < 0) {
            error_setg(errp, "mcast=%s: %s", mcast, strerror(errno));
            close(fd);
            return -1;
        }
        /* Other guests on this host hear us too. */
        setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop));
        return fd;
    }
    if (!local) {
        error_setg(errp, "udp=%s needs localaddr=HOST:PORT", udp);
        close(fd);
        return -1;
    }
    if (!parse_host_port(local, false, &bind_sa, errp)) {
        close(fd);
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&bind_sa, sizeof(bind_sa)) < 0) {
        error_setg(errp, "localaddr=%s: %s", local, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

NetClientState *net_socket_new(const char *id, Opts *o,
                               NetClientState *peer, Error **errp)
{
    const char *listen_spec = opts_get(o, "listen");
    const char *connect_spec = opts_get(o, "connect");
    bool mcast = opts_has(o, "mcast"), udp = opts_has(o, "udp");
    int modes = !!listen_spec + !!connect_spec + mcast + udp;
    NetSocketState *s;
    int fd = -1, listen_fd = -1;
    SocketMode mode;
    struct sockaddr_in dst = { 0 };

    if (modes != 1) {
        error_setg(errp, "socket needs exactly one of listen=, connect=, "
                   "mcast= or udp=");
        return NULL;
    }
    if (listen_spec) {
        mode = SOCK_LISTEN;
        listen_fd = net_socket_open_listen(listen_spec, errp);
        if (listen_fd < 0) {
            return NULL;
        }
    } else if (connect_spec) {
        mode = SOCK_CONNECT;
        fd = net_socket_open_connect(connect_spec, errp);
    } else {
        mode = mcast ? SOCK_MCAST : SOCK_UDP;
        fd = net_socket_open_dgram(&dst, o, errp);
    }
    if (listen_fd < 0 && fd < 0) {
        return NULL;
    }
    s = (NetSocketState *)net_client_new(&net_socket_info, peer, id);
    s->mode = mode;
    s->fd = fd;
    s->listen_fd = listen_fd;
    if (mode == SOCK_MCAST || mode == SOCK_UDP) {
        s->dgram_dst = dst;
    }
    net_socket_update_handlers(s);
    return &s->nc;
}
