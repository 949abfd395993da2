/*
 * Hubs: `-netdev hubport,id=ID,hubid=N` and the hub 0 that QEMU's legacy
 * `-net nic -net user` pair shares. A frame that arrives on one port
 * (from that port's peer) goes out of every other port, as a repeater.
 *
 * Back-pressure: a port takes a frame while any other port's peer can;
 * a busy peer has the frame queued for it by net_send, and when it
 * flushes, the hub's ports do not need to know.
 */
#include "net/net.h"
#include "pcemu/opts.h"

#define NET_HUB_MAX_ID 0xffff

typedef struct NetHub NetHub;

typedef struct NetHubPort {
    NetClientState nc;
    NetHub *hub;
} NetHubPort;

struct NetHub {
    int id;
    GPtrArray *ports;
};

static GPtrArray *hubs;

static NetHub *net_hub_find(int id, bool create)
{
    NetHub *h;

    for (guint i = 0; hubs && i < hubs->len; i++) {
        h = g_ptr_array_index(hubs, i);
        if (h->id == id) {
            return h;
        }
    }
    if (!create) {
        return NULL;
    }
    if (!hubs) {
        hubs = g_ptr_array_new();
    }
    h = g_new0(NetHub, 1);
    h->id = id;
    h->ports = g_ptr_array_new();
    g_ptr_array_add(hubs, h);
    return h;
}

static ssize_t net_hub_port_receive(NetClientState *nc, const uint8_t *buf,
                                    size_t len)
{
    NetHubPort *port = (NetHubPort *)nc;
    GPtrArray *ports = port->hub->ports;

    for (guint i = 0; i < ports->len; i++) {
        NetHubPort *out = g_ptr_array_index(ports, i);
        if (out != port) {
            net_send(&out->nc, buf, len, NULL);
        }
    }
    return len;
}

static bool net_hub_port_can_receive(NetClientState *nc)
{
    NetHubPort *port = (NetHubPort *)nc;
    GPtrArray *ports = port->hub->ports;

    for (guint i = 0; i < ports->len; i++) {
        NetHubPort *out = g_ptr_array_index(ports, i);
        if (out != port && net_peer_can_receive(&out->nc)) {
            return true;
        }
    }
    return false;
}

static void net_hub_port_cleanup(NetClientState *nc)
{
    NetHubPort *port = (NetHubPort *)nc;

    g_ptr_array_remove(port->hub->ports, port);
}

static const NetClientInfo net_hub_port_info = {
    .kind = NET_CLIENT_HUBPORT,
    .type = "hubport",
    .size = sizeof(NetHubPort),
    .receive = net_hub_port_receive,
    .can_receive = net_hub_port_can_receive,
    .cleanup = net_hub_port_cleanup,
};

NetClientState *net_hub_add_port(int hubid, const char *name,
                                 NetClientState *peer)
{
    NetHub *hub = net_hub_find(hubid, true);
    NetHubPort *port;
    char *auto_name = NULL;

    if (!name) {
        auto_name = g_strdup_printf("hub%dport%u", hubid, hub->ports->len);
        name = auto_name;
    }
    port = (NetHubPort *)net_client_new(&net_hub_port_info, peer, name);
    port->hub = hub;
    g_ptr_array_add(hub->ports, port);
    g_free(auto_name);
    return &port->nc;
}

NetClientState *net_hubport_new(const char *id, Opts *o,
                                NetClientState *peer, Error **errp)
{
    Error *err = NULL;
    uint64_t hubid;

    if (!opts_has(o, "hubid")) {
        error_setg(errp, "hubport needs hubid=N");
        return NULL;
    }
    hubid = opts_get_number(o, "hubid", 0, &err);
    if (err || hubid > NET_HUB_MAX_ID) {
        error_free(err);
        error_setg(errp, "hubid=%s: a number from 0 to %d",
                   opts_get(o, "hubid"), NET_HUB_MAX_ID);
        return NULL;
    }
    return net_hub_add_port(hubid, id, peer);
}
