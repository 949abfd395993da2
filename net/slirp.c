/*
 * `-netdev user`: user-mode networking through libslirp (Debian's
 * libslirp). The guest sees a NAT router (10.0.2.2 by default) with DHCP,
 * DNS forwarding (10.0.2.3) and TFTP; its TCP/UDP connections leave
 * through ordinary host sockets, and hostfwd= maps host ports to guest
 * ports.
 *
 * libslirp has no event loop of its own: after anything changes (a frame
 * from the guest, an fd event, a timer), slirp_refresh() asks it which
 * fds it wants (slirp_pollfds_fill) and registers exactly those with the
 * main loop, and arms one host timer for its TCP timers' timeout. An fd
 * event polls all of slirp's fds once without waiting and hands the
 * results to slirp_pollfds_poll. Slirp's time is the host's monotonic
 * clock (TCP timeouts must run while a qtest holds the virtual clock).
 *
 * Frames slirp produces cannot be held back (it calls send_packet from
 * inside its stack), so they are queued for a busy NIC up to
 * NET_QUEUE_MAX; TCP retransmits anything dropped past that.
 */
#include "net/net.h"
#include "pcemu/opts.h"
#include "softmmu/main-loop.h"
#include "softmmu/timer.h"
#include <arpa/inet.h>
#include <poll.h>
#include <slirp/libslirp.h>

typedef struct NetSlirpState {
    NetClientState nc;
    Slirp *slirp;
    Timer *poll_timer;          /* slirp's fill timeout */
    GArray *pollfds;            /* struct pollfd, from the last fill */
    GHashTable *registered;     /* fd -> events registered with main loop */
    bool refresh_pending;
    char *tftp, *bootfile, *hostname, *domainname;
} NetSlirpState;

typedef struct SlirpTimer {
    Timer *timer;
    SlirpTimerCb cb;
    void *cb_opaque;
    NetSlirpState *s;
} SlirpTimer;

static void slirp_refresh(NetSlirpState *s);

/* --- the main-loop glue --------------------------------------------------- */

static int slirp_to_poll(int events)
{
    return (events & SLIRP_POLL_IN ? POLLIN : 0) |
           (events & SLIRP_POLL_OUT ? POLLOUT : 0) |
           (events & SLIRP_POLL_PRI ? POLLPRI : 0) |
           (events & SLIRP_POLL_ERR ? POLLERR : 0) |
           (events & SLIRP_POLL_HUP ? POLLHUP : 0);
}

static int slirp_add_poll_cb(int fd, int events, void *opaque)
{
    NetSlirpState *s = opaque;
    struct pollfd p = { .fd = fd, .events = slirp_to_poll(events) };

    g_array_append_val(s->pollfds, p);
    return s->pollfds->len - 1;
}

static int slirp_get_revents_cb(int idx, void *opaque)
{
    NetSlirpState *s = opaque;
    short re;

    if (idx < 0 || (guint)idx >= s->pollfds->len) {
        return 0;
    }
    re = g_array_index(s->pollfds, struct pollfd, idx).revents;
    return (re & POLLIN ? SLIRP_POLL_IN : 0) |
           (re & POLLOUT ? SLIRP_POLL_OUT : 0) |
           (re & POLLPRI ? SLIRP_POLL_PRI : 0) |
           (re & POLLERR ? SLIRP_POLL_ERR : 0) |
           (re & POLLHUP ? SLIRP_POLL_HUP : 0);
}

static uint32_t slirp_fill(NetSlirpState *s)
{
    uint32_t timeout = UINT32_MAX;

    g_array_set_size(s->pollfds, 0);
    slirp_pollfds_fill(s->slirp, &timeout, slirp_add_poll_cb, s);
    return timeout;
}

/* Any of slirp's fds is ready, or its timeout passed: let it work. */
static void slirp_poll_now(void *opaque)
{
    NetSlirpState *s = opaque;
    int rc;

    slirp_fill(s);
    rc = poll((struct pollfd *)s->pollfds->data, s->pollfds->len, 0);
    slirp_pollfds_poll(s->slirp, rc < 0, slirp_get_revents_cb, s);
    slirp_refresh(s);
}

static void slirp_refresh(NetSlirpState *s)
{
    GHashTable *now = g_hash_table_new(NULL, NULL);
    GHashTableIter it;
    gpointer key, val;
    uint32_t timeout;

    s->refresh_pending = false;
    timeout = slirp_fill(s);
    for (guint i = 0; i < s->pollfds->len; i++) {
        struct pollfd *p = &g_array_index(s->pollfds, struct pollfd, i);
        int ev = p->events & (POLLIN | POLLPRI | POLLOUT);
        gpointer old = g_hash_table_lookup(s->registered,
                                           GINT_TO_POINTER(p->fd));

        ev |= GPOINTER_TO_INT(g_hash_table_lookup(now,
                                                   GINT_TO_POINTER(p->fd)));
        g_hash_table_insert(now, GINT_TO_POINTER(p->fd), GINT_TO_POINTER(ev));
        if (!old || GPOINTER_TO_INT(old) != (ev | 0x10000)) {
            main_loop_set_fd_handler(p->fd,
                                     ev & (POLLIN | POLLPRI) ?
                                     slirp_poll_now : NULL,
                                     ev & POLLOUT ? slirp_poll_now : NULL, s);
            g_hash_table_insert(s->registered, GINT_TO_POINTER(p->fd),
                                GINT_TO_POINTER(ev | 0x10000));
        }
    }
    /* fds slirp no longer wants (closed sockets) leave the main loop. */
    g_hash_table_iter_init(&it, s->registered);
    while (g_hash_table_iter_next(&it, &key, &val)) {
        if (!g_hash_table_contains(now, key)) {
            main_loop_set_fd_handler(GPOINTER_TO_INT(key), NULL, NULL, NULL);
            g_hash_table_iter_remove(&it);
        }
    }
    g_hash_table_destroy(now);
    if (timeout != UINT32_MAX) {
        timer_mod(s->poll_timer, clock_get_ns(CLOCK_HOST_MONOTONIC) +
                                 (int64_t)timeout * 1000000);
    } else {
        timer_del(s->poll_timer);
    }
}

static void slirp_refresh_soon_cb(void *opaque)
{
    NetSlirpState *s = opaque;

    if (s->refresh_pending) {
        slirp_refresh(s);
    }
}

static void slirp_refresh_soon(NetSlirpState *s)
{
    if (!s->refresh_pending) {
        s->refresh_pending = true;
        main_loop_call_soon(slirp_refresh_soon_cb, s);
    }
}

/* --- libslirp callbacks ------------------------------------------------------ */

static ssize_t slirp_send_packet_cb(const void *buf, size_t len,
                                          void *opaque)
{
    NetSlirpState *s = opaque;

    if (len <= NET_MAX_FRAME) {
        net_send(&s->nc, buf, len, NULL);
    }
    return len;
}

static void slirp_guest_error_cb(const char *msg, void *opaque)
{
    guest_error("slirp: %s", msg);
}

static int64_t slirp_clock_get_ns_cb(void *opaque)
{
    return clock_get_ns(CLOCK_HOST_MONOTONIC);
}

static void slirp_timer_fire(void *opaque)
{
    SlirpTimer *t = opaque;

    t->cb(t->cb_opaque);
    slirp_refresh_soon(t->s);
}

static void *slirp_timer_new_cb(SlirpTimerCb cb, void *cb_opaque,
                                void *opaque)
{
    SlirpTimer *t = g_new0(SlirpTimer, 1);

    t->cb = cb;
    t->cb_opaque = cb_opaque;
    t->s = opaque;
    t->timer = timer_new(CLOCK_HOST_MONOTONIC, slirp_timer_fire, t);
    return t;
}

static void slirp_timer_free_cb(void *timer, void *opaque)
{
    SlirpTimer *t = timer;

    timer_free(t->timer);
    g_free(t);
}

static void slirp_timer_mod_cb(void *timer, int64_t expire_ms, void *opaque)
{
    SlirpTimer *t = timer;

    timer_mod(t->timer, expire_ms * 1000000);
}

static void slirp_register_poll_fd_cb(int fd, void *opaque)
{
    /* Registration follows slirp_pollfds_fill in slirp_refresh. */
}

static void slirp_notify_cb(void *opaque)
{
    slirp_refresh_soon(opaque);
}

static const SlirpCb slirp_callbacks = {
    .send_packet = slirp_send_packet_cb,
    .guest_error = slirp_guest_error_cb,
    .clock_get_ns = slirp_clock_get_ns_cb,
    .timer_new = slirp_timer_new_cb,
    .timer_free = slirp_timer_free_cb,
    .timer_mod = slirp_timer_mod_cb,
    .register_poll_fd = slirp_register_poll_fd_cb,
    .unregister_poll_fd = slirp_register_poll_fd_cb,
    .notify = slirp_notify_cb,
};

/* --- the client ---------------------------------------------------------- */

static ssize_t net_slirp_receive(NetClientState *nc, const uint8_t *buf,
                                 size_t len)
{
    NetSlirpState *s = (NetSlirpState *)nc;

    slirp_input(s->slirp, buf, len);
    slirp_refresh_soon(s);
    return len;
}

static void net_slirp_cleanup(NetClientState *nc)
{
    NetSlirpState *s = (NetSlirpState *)nc;
    GHashTableIter it;
    gpointer key;

    if (s->registered) {
        g_hash_table_iter_init(&it, s->registered);
        while (g_hash_table_iter_next(&it, &key, NULL)) {
            main_loop_set_fd_handler(GPOINTER_TO_INT(key), NULL, NULL, NULL);
        }
        g_hash_table_destroy(s->registered);
    }
    if (s->slirp) {
        slirp_cleanup(s->slirp);
    }
    if (s->poll_timer) {
        timer_free(s->poll_timer);
    }
    if (s->pollfds) {
        g_array_free(s->pollfds, true);
    }
    g_free(s->tftp);
    g_free(s->bootfile);
    g_free(s->hostname);
    g_free(s->domainname);
}

static const NetClientInfo net_slirp_info = {
    .kind = NET_CLIENT_USER,
    .type = "user",
    .size = sizeof(NetSlirpState),
    .receive = net_slirp_receive,
    .cleanup = net_slirp_cleanup,
};

/* --- options ----------------------------------------------------------------- */

typedef struct SlirpOpts {
    GPtrArray *hostfwd, *guestfwd;
    const char *bad_key;
} SlirpOpts;

static const char *const slirp_keys[] = {
    "type", "id", "net", "host", "dhcpstart", "dns", "restrict",
    "hostname", "domainname", "tftp", "bootfile", "hostfwd", "guestfwd",
    "ipv4", "ipv6", "tftp-server-name", NULL
};

static void slirp_collect_key(const char *key, const char *value,
                              void *opaque)
{
    SlirpOpts *so = opaque;

    if (!strcmp(key, "hostfwd")) {
        g_ptr_array_add(so->hostfwd, (gpointer)value);
    } else if (!strcmp(key, "guestfwd")) {
        g_ptr_array_add(so->guestfwd, (gpointer)value);
    } else if (!so->bad_key && !g_strv_contains(slirp_keys, key)) {
        so->bad_key = key;
    }
}

static bool parse_ip(const char *str, struct in_addr *a)
{
    return str && inet_pton(AF_INET, str, a) == 1;
}

/* "ADDR[/BITS|/MASK]" */
static bool parse_net(const char *str, struct in_addr *net,
                      struct in_addr *mask)
{
    const char *slash = strchr(str, '/');
    char *addr = g_strndup(str, slash ? (size_t)(slash - str) : strlen(str));
    bool ok = parse_ip(addr, net);
    uint64_t bits;

    g_free(addr);
    if (!ok) {
        return false;
    }
    if (!slash) {
        mask->s_addr = htonl(0xffffff00);
    } else if (parse_uint64(slash + 1, &bits)) {
        if (bits < 1 || bits > 30) {
            return false;
        }
        mask->s_addr = htonl(~0u << (32 - bits));
    } else if (!parse_ip(slash + 1, mask)) {
        return false;
    }
    net->s_addr &= mask->s_addr;
    return true;
}

/* "[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT" */
static bool slirp_hostfwd(NetSlirpState *s, const char *spec, Error **errp)
{
    char **parts = NULL, **host = NULL, **guest = NULL;
    const char *p = spec;
    struct in_addr haddr = { 0 }, gaddr = { 0 };
    uint64_t hport, gport;
    int is_udp = 0;
    bool ok = false;

    if (g_str_has_prefix(p, "tcp:")) {
        p += 4;
    } else if (g_str_has_prefix(p, "udp:")) {
        p += 4;
        is_udp = 1;
    } else if (*p == ':') {
        p++;
    }
    parts = g_strsplit(p, "-", 2);
    if (g_strv_length(parts) != 2) {
        goto bad;
    }
    host = g_strsplit(parts[0], ":", 2);
    guest = g_strsplit(parts[1], ":", 2);
    if (g_strv_length(host) != 2 || g_strv_length(guest) != 2 ||
        (*host[0] && !parse_ip(host[0], &haddr)) ||
        (*guest[0] && !parse_ip(guest[0], &gaddr)) ||
        !parse_uint64(host[1], &hport) || hport > 65535 ||
        !parse_uint64(guest[1], &gport) || gport == 0 || gport > 65535) {
        goto bad;
    }
    if (slirp_add_hostfwd(s->slirp, is_udp, haddr, hport, gaddr, gport) < 0) {
        error_setg(errp, "hostfwd=%s: could not set up host forwarding "
                   "(is the host port in use?)", spec);
        goto out;
    }
    ok = true;
    goto out;
bad:
    error_setg(errp, "hostfwd=%s: expected [tcp|udp]:[HOSTADDR]:HOSTPORT-"
               "[GUESTADDR]:GUESTPORT", spec);
out:
    g_strfreev(parts);
    g_strfreev(host);
    g_strfreev(guest);
    return ok;
}

/* "[tcp]:SERVER:PORT-cmd:COMMAND" */
static bool slirp_guestfwd(NetSlirpState *s, const char *spec, Error **errp)
{
    const char *p = spec;
    char **parts, **srv;
    struct in_addr addr;
    uint64_t port;
    bool ok = false;

    if (g_str_has_prefix(p, "tcp:")) {
        p += 4;
    } else if (*p == ':') {
        p++;
    }
    parts = g_strsplit(p, "-", 2);
    if (g_strv_length(parts) != 2) {
        error_setg(errp, "guestfwd=%s: expected [tcp]:SERVER:PORT-cmd:"
                   "COMMAND", spec);
        g_strfreev(parts);
        return false;
    }
    srv = g_strsplit(parts[0], ":", 2);
    if (g_strv_length(srv) != 2 || !parse_ip(srv[0], &addr) ||
        !parse_uint64(srv[1], &port) || port == 0 || port > 65535) {
        error_setg(errp, "guestfwd=%s: expected [tcp]:SERVER:PORT-cmd:"
                   "COMMAND", spec);
    } else if (!g_str_has_prefix(parts[1], "cmd:")) {
        error_setg(errp, "guestfwd=%s: only cmd:COMMAND targets are "
                   "supported (a chardev target is not yet)", spec);
    } else if (slirp_add_exec(s->slirp, parts[1] + 4, &addr, port) < 0) {
        error_setg(errp, "guestfwd=%s: could not set up forwarding", spec);
    } else {
        ok = true;
    }
    g_strfreev(srv);
    g_strfreev(parts);
    return ok;
}

NetClientState *net_user_new(const char *id, Opts *o, NetClientState *peer,
                             Error **errp)
{
    SlirpConfig cfg = { .version = 4, .in_enabled = true,
                        .vprefix_len = 64 };
    SlirpOpts so = { g_ptr_array_new(), g_ptr_array_new(), NULL };
    struct in_addr net, mask;
    NetSlirpState *s = NULL;
    Error *err = NULL;
    const char *v;
    bool restricted, ipv6;

    opts_foreach(o, slirp_collect_key, &so);
    if (so.bad_key) {
        error_setg(errp, "Invalid parameter '%s'", so.bad_key);
        goto fail;
    }
    if (!parse_net(v = opts_get(o, "net") ? opts_get(o, "net") : "10.0.2.0",
                   &net, &mask)) {
        error_setg(errp, "net=%s: expected ADDR[/BITS] such as 10.0.2.0/24",
                   v);
        goto fail;
    }
    cfg.vnetwork = net;
    cfg.vnetmask = mask;
    cfg.vhost.s_addr = net.s_addr | htonl(2);
    cfg.vdhcp_start.s_addr = net.s_addr | htonl(15);
    cfg.vnameserver.s_addr = net.s_addr | htonl(3);
    if (((v = opts_get(o, "host")) && !parse_ip(v, &cfg.vhost)) ||
        ((v = opts_get(o, "dhcpstart")) && !parse_ip(v, &cfg.vdhcp_start)) ||
        ((v = opts_get(o, "dns")) && !parse_ip(v, &cfg.vnameserver))) {
        error_setg(errp, "'%s': not an IPv4 address", v);
        goto fail;
    }
    if ((cfg.vhost.s_addr & mask.s_addr) != net.s_addr ||
        (cfg.vdhcp_start.s_addr & mask.s_addr) != net.s_addr ||
        (cfg.vnameserver.s_addr & mask.s_addr) != net.s_addr) {
        error_setg(errp, "host=, dhcpstart= and dns= must be inside net=");
        goto fail;
    }
    v = opts_get(o, "restrict");
    if (v && (!strcmp(v, "y") || !strcmp(v, "yes"))) {
        restricted = true;
    } else if (v && (!strcmp(v, "n") || !strcmp(v, "no"))) {
        restricted = false;
    } else {
        restricted = opts_get_bool(o, "restrict", false, &err);
    }
    cfg.in_enabled = opts_get_bool(o, "ipv4", true, &err);
    ipv6 = opts_get_bool(o, "ipv6", true, &err);
    if (err) {
        error_propagate(errp, err);
        goto fail;
    }
    cfg.restricted = restricted;
    cfg.in6_enabled = ipv6;
    inet_pton(AF_INET6, "fec0::", &cfg.vprefix_addr6);
    inet_pton(AF_INET6, "fec0::2", &cfg.vhost6);
    inet_pton(AF_INET6, "fec0::3", &cfg.vnameserver6);

    s = (NetSlirpState *)net_client_new(&net_slirp_info, peer, id);
    s->tftp = g_strdup(opts_get(o, "tftp"));
    s->bootfile = g_strdup(opts_get(o, "bootfile"));
    s->hostname = g_strdup(opts_get(o, "hostname"));
    s->domainname = g_strdup(opts_get(o, "domainname"));
    cfg.tftp_path = s->tftp;
    cfg.bootfile = s->bootfile;
    cfg.vhostname = s->hostname;
    cfg.vdomainname = s->domainname;
    cfg.tftp_server_name = opts_get(o, "tftp-server-name");
    if (s->tftp && !g_file_test(s->tftp, G_FILE_TEST_IS_DIR)) {
        error_setg(errp, "tftp=%s: not a directory", s->tftp);
        goto fail;
    }
    s->pollfds = g_array_new(false, false, sizeof(struct pollfd));
    s->registered = g_hash_table_new(NULL, NULL);
    s->poll_timer = timer_new(CLOCK_HOST_MONOTONIC, slirp_poll_now, s);
    s->slirp = slirp_new(&cfg, &slirp_callbacks, s);
    if (!s->slirp) {
        error_setg(errp, "libslirp refused this configuration");
        goto fail;
    }
    for (guint i = 0; i < so.hostfwd->len; i++) {
        if (!slirp_hostfwd(s, g_ptr_array_index(so.hostfwd, i), errp)) {
            goto fail;
        }
    }
    for (guint i = 0; i < so.guestfwd->len; i++) {
        if (!slirp_guestfwd(s, g_ptr_array_index(so.guestfwd, i), errp)) {
            goto fail;
        }
    }
    slirp_refresh(s);
    g_ptr_array_free(so.hostfwd, true);
    g_ptr_array_free(so.guestfwd, true);
    return &s->nc;

fail:
    if (s) {
        net_client_free(&s->nc);
    }
    g_ptr_array_free(so.hostfwd, true);
    g_ptr_array_free(so.guestfwd, true);
    return NULL;
}
