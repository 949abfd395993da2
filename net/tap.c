/*
 * `-netdev tap,id=ID,ifname=NAME,script=no,downscript=no`: frames to and
 * from a Linux TAP interface (Documentation/networking/tuntap.rst), one
 * frame per read/write, without the packet-information header
 * (IFF_NO_PI). The interface must exist or the process may create it
 * (CAP_NET_ADMIN); configuring it (addresses, bridge) is the user's
 * business: up/down scripts are not run, so script= must be "no".
 *
 * Back-pressure as in socket.c: reads stop while the NIC is full and
 * resume from its sent callback; a write the tap cannot take now stays
 * queued until the fd is writable.
 */
#include "net/net.h"
#include "pcemu/opts.h"
#include "softmmu/main-loop.h"
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <unistd.h>

typedef struct NetTapState {
    NetClientState nc;
    int fd;
    bool read_stopped;
    bool write_armed;
    uint8_t buf[NET_MAX_FRAME];
} NetTapState;

static void net_tap_on_read(void *opaque);
static void net_tap_on_write(void *opaque);

static void net_tap_update_handlers(NetTapState *s)
{
    main_loop_set_fd_handler(s->fd, s->read_stopped ? NULL : net_tap_on_read,
                             s->write_armed ? net_tap_on_write : NULL, s);
}

static void net_tap_sent(NetClientState *nc)
{
    NetTapState *s = (NetTapState *)nc;

    s->read_stopped = false;
    net_tap_update_handlers(s);
}

static void net_tap_on_read(void *opaque)
{
    NetTapState *s = opaque;
    ssize_t n = read(s->fd, s->buf, sizeof(s->buf));

    if (n > 0 && net_send(&s->nc, s->buf, n, net_tap_sent) == 0) {
        s->read_stopped = true;
        net_tap_update_handlers(s);
    }
}

static void net_tap_on_write(void *opaque)
{
    NetTapState *s = opaque;

    s->write_armed = false;
    net_tap_update_handlers(s);
    net_flush_queued(&s->nc);
}

static ssize_t net_tap_receive(NetClientState *nc, const uint8_t *buf,
                               size_t len)
{
    NetTapState *s = (NetTapState *)nc;

    if (write(s->fd, buf, len) < 0 && errno == EAGAIN) {
        s->write_armed = true;
        net_tap_update_handlers(s);
        return 0;
    }
    return len;                 /* written, or lost as on a wire */
}

static bool net_tap_can_receive(NetClientState *nc)
{
    return !((NetTapState *)nc)->write_armed;
}

static void net_tap_cleanup(NetClientState *nc)
{
    NetTapState *s = (NetTapState *)nc;

    if (s->fd >= 0) {
        main_loop_set_fd_handler(s->fd, NULL, NULL, NULL);
        close(s->fd);
    }
}

static const NetClientInfo net_tap_info = {
    .kind = NET_CLIENT_TAP,
    .type = "tap",
    .size = sizeof(NetTapState),
    .receive = net_tap_receive,
    .can_receive = net_tap_can_receive,
    .cleanup = net_tap_cleanup,
};

NetClientState *net_tap_new(const char *id, Opts *o, NetClientState *peer,
                            Error **errp)
{
    const char *ifname = opts_get(o, "ifname");
    const char *script = opts_get(o, "script");
    const char *downscript = opts_get(o, "downscript");
    struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
    NetTapState *s;
    int fd;

    if (!script || strcmp(script, "no") ||
        (downscript && strcmp(downscript, "no"))) {
        error_setg(errp, "tap: network scripts are not run; configure the "
                   "interface yourself and pass script=no,downscript=no");
        return NULL;
    }
    if (ifname && strlen(ifname) >= IFNAMSIZ) {
        error_setg(errp, "ifname=%s: longer than %d characters", ifname,
                   IFNAMSIZ - 1);
        return NULL;
    }
    fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        error_setg(errp, "tap: could not open /dev/net/tun: %s",
                   strerror(errno));
        return NULL;
    }
    if (ifname) {
        g_strlcpy(ifr.ifr_name, ifname, IFNAMSIZ);
    }
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        error_setg(errp, "tap: could not attach to interface '%s' "
                   "(TUNSETIFF): %s", ifname ? ifname : "tap%d",
                   strerror(errno));
        close(fd);
        return NULL;
    }
    s = (NetTapState *)net_client_new(&net_tap_info, peer, id);
    s->fd = fd;
    net_tap_update_handlers(s);
    return &s->nc;
}
