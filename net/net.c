/*
 * Network clients and the packet queue between peers (include/net/net.h
 * says how back-pressure works). A frame crosses from a sender to its
 * peer's receive callback at once when the peer can take it; otherwise it
 * is copied into the peer's queue, which the peer drains with
 * net_flush_queued() when it has room again.
 */
#include "net/net.h"

typedef struct NetPacket {
    NetClientState *sender;
    NetSentCb *sent_cb;
    size_t len;
    uint8_t data[];
} NetPacket;

static GPtrArray *all_clients;          /* every live NetClientState */
static unsigned next_mac_index;

NetClientState *net_client_new(const NetClientInfo *info,
                               NetClientState *peer, const char *name)
{
    NetClientState *nc;

    assert(info->size >= sizeof(NetClientState));
    nc = g_malloc0(info->size);
    nc->info = info;
    nc->name = g_strdup(name);
    nc->queue = g_queue_new();
    if (peer) {
        assert(!peer->peer);
        nc->peer = peer;
        peer->peer = nc;
    }
    if (!all_clients) {
        all_clients = g_ptr_array_new();
    }
    g_ptr_array_add(all_clients, nc);
    return nc;
}

/* Drops queued frames that nc sent to others (their sender is going). */
static void net_purge_sender(NetClientState *target, NetClientState *sender)
{
    GList *l = target->queue->head;

    while (l) {
        GList *next = l->next;
        NetPacket *p = l->data;
        if (p->sender == sender) {
            g_queue_delete_link(target->queue, l);
            g_free(p);
        }
        l = next;
    }
}

void net_client_free(NetClientState *nc)
{
    if (!nc) {
        return;
    }
    if (nc->info->cleanup) {
        nc->info->cleanup(nc);
    }
    net_dump_free(nc->dump);
    if (nc->peer) {
        net_purge_sender(nc->peer, nc);
        nc->peer->peer = NULL;
    }
    g_queue_free_full(nc->queue, g_free);
    g_ptr_array_remove(all_clients, nc);
    g_free(nc->name);
    g_free(nc);
}

static bool net_can_receive(NetClientState *nc)
{
    return !nc->info->can_receive || nc->info->can_receive(nc);
}

bool net_peer_can_receive(NetClientState *nc)
{
    return nc->peer && g_queue_is_empty(nc->peer->queue) &&
           net_can_receive(nc->peer);
}

static void net_enqueue(NetClientState *to, NetClientState *sender,
                        const uint8_t *buf, size_t len, NetSentCb *sent_cb)
{
    NetPacket *p = g_malloc(sizeof(*p) + len);

    p->sender = sender;
    p->sent_cb = sent_cb;
    p->len = len;
    memcpy(p->data, buf, len);
    g_queue_push_tail(to->queue, p);
}

ssize_t net_send(NetClientState *nc, const uint8_t *buf, size_t len,
                 NetSentCb *sent_cb)
{
    NetClientState *to = nc->peer;

    assert(len <= NET_MAX_FRAME);
    if (!to) {
        return len;                 /* an unplugged cable */
    }
    /* A capture sees the frame as it enters the wire, queued or not. */
    if (nc->dump || to->dump) {
        net_dump_frame(nc->dump ? nc->dump : to->dump, buf, len);
    }
    if (g_queue_is_empty(to->queue) && net_can_receive(to) &&
        to->info->receive(to, buf, len) != 0) {
        return len;
    }
    /* The receiver is busy: keep the frame. A sender that cannot stop is
     * bounded by NET_QUEUE_MAX; one that can is stopped after this one
     * frame, so its queue cannot grow without bound either. */
    if (!sent_cb && g_queue_get_length(to->queue) >= NET_QUEUE_MAX) {
        to->dropped++;
        return len;
    }
    net_enqueue(to, nc, buf, len, sent_cb);
    return 0;
}

void net_flush_queued(NetClientState *nc)
{
    NetPacket *p;

    while ((p = g_queue_peek_head(nc->queue))) {
        if (!net_can_receive(nc) ||
            nc->info->receive(nc, p->data, p->len) == 0) {
            return;
        }
        g_queue_pop_head(nc->queue);
        if (p->sent_cb && p->sender) {
            p->sent_cb(p->sender);
        }
        g_free(p);
    }
}

unsigned net_queue_len(NetClientState *nc)
{
    return g_queue_get_length(nc->queue);
}

/* --- netdevs by id --------------------------------------------------------- */

void net_register_netdev(NetClientState *nc)
{
    nc->is_netdev = true;
}

NetClientState *net_find_netdev(const char *id)
{
    for (guint i = 0; all_clients && i < all_clients->len; i++) {
        NetClientState *nc = g_ptr_array_index(all_clients, i);
        if (nc->is_netdev && nc->name && !strcmp(nc->name, id)) {
            return nc;
        }
    }
    return NULL;
}

void net_cleanup(void)
{
    while (all_clients && all_clients->len) {
        net_client_free(g_ptr_array_index(all_clients, 0));
    }
}

/* --- MAC addresses --------------------------------------------------------- */

bool net_parse_macaddr(const char *str, MACAddr *mac)
{
    for (int i = 0; i < ETH_ALEN; i++) {
        char *end;
        unsigned long v;

        if (!g_ascii_isxdigit(str[0])) {
            return false;
        }
        v = strtoul(str, &end, 16);
        if (v > 0xff || end - str > 2) {
            return false;
        }
        mac->a[i] = v;
        if (i < ETH_ALEN - 1) {
            if (*end != ':' && *end != '-') {
                return false;
            }
            end++;
        }
        str = end;
    }
    return *str == '\0';
}

void net_default_macaddr(MACAddr *mac)
{
    static const uint8_t base[ETH_ALEN] = { 0x52, 0x54, 0x00, 0x12, 0x34,
                                            0x56 };

    memcpy(mac->a, base, ETH_ALEN);
    mac->a[5] = (uint8_t)(base[5] + next_mac_index++);
}

char *net_format_macaddr(const MACAddr *mac)
{
    return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x", mac->a[0],
                           mac->a[1], mac->a[2], mac->a[3], mac->a[4],
                           mac->a[5]);
}

/* --- NICs ------------------------------------------------------------------- */

NetClientState *net_nic_new(const NetClientInfo *info, const char *netdev,
                            const char *name, Error **errp)
{
    NetClientState *peer = NULL;

    if (netdev) {
        peer = net_find_netdev(netdev);
        if (!peer) {
            error_setg(errp, "netdev=%s: no -netdev with that id", netdev);
            return NULL;
        }
        if (peer->peer) {
            error_setg(errp, "netdev=%s: already connected to another NIC",
                       netdev);
            return NULL;
        }
    }
    return net_client_new(info, peer, name);
}

bool net_nic_macaddr(const char *prop, MACAddr *mac, Error **errp)
{
    if (!prop) {
        net_default_macaddr(mac);
        return true;
    }
    if (!net_parse_macaddr(prop, mac)) {
        error_setg(errp, "mac=%s: expected six hex bytes such as "
                   "52:54:00:12:34:56", prop);
        return false;
    }
    if (mac->a[0] & 1) {
        error_setg(errp, "mac=%s: a multicast address cannot be a NIC's "
                   "address (the first byte must be even)", prop);
        return false;
    }
    return true;
}
