/*
 * Network clients: every NIC and every back end (user, socket, tap,
 * hubport) is a NetClientState; a NIC and its back end are peers, and a
 * frame one sends is delivered to the other's receive callback.
 *
 * Back-pressure: when the receiver cannot take a frame now (its
 * can_receive says no, or receive returns 0), the frame is copied into
 * the receiver's queue and the sender is told to stop (net_send returns
 * 0); it is never dropped. When the receiver is ready again it calls
 * net_flush_queued(), which delivers the queue in order and then calls
 * each sender's sent callback, so a NIC resumes its transmit ring. Only
 * senders that cannot stop (no sent callback: slirp, which produces
 * frames synchronously) see a frame dropped, and only once the queue
 * already holds NET_QUEUE_MAX frames, as a real wire would drop them.
 *
 * Everything here runs on the main loop thread or a vCPU thread holding
 * the BQL; nothing blocks (back ends use non-blocking fds).
 */
#ifndef NET_NET_H
#define NET_NET_H

#include "pcemu/common.h"

#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_ZLEN 60                 /* minimum frame without the FCS */
#define NET_MAX_FRAME 65536         /* largest frame any client handles */
#define NET_QUEUE_MAX 10000         /* frames queued for a non-stopping sender */

typedef struct NetClientState NetClientState;
typedef struct NetDumpState NetDumpState;
typedef struct MACAddr {
    uint8_t a[ETH_ALEN];
} MACAddr;

typedef enum NetClientKind {
    NET_CLIENT_NIC,
    NET_CLIENT_USER,
    NET_CLIENT_SOCKET,
    NET_CLIENT_TAP,
    NET_CLIENT_HUBPORT,
} NetClientKind;

/* Called when a frame this client sent (and that was queued) has been
 * delivered; the sender may transmit again. */
typedef void NetSentCb(NetClientState *sender);

typedef struct NetClientInfo {
    NetClientKind kind;
    const char *type;               /* "nic", "user", "socket", ... */
    size_t size;                    /* state size, >= NetClientState */
    /* Takes one frame: returns len when consumed (delivered or dropped
     * on purpose, e.g. filtered), 0 when it cannot now (the frame is
     * queued; the client calls net_flush_queued later). */
    ssize_t (*receive)(NetClientState *nc, const uint8_t *buf, size_t len);
    /* Optional: false while the client has no room (e.g. a NIC without
     * free receive descriptors). */
    bool (*can_receive)(NetClientState *nc);
    /* Optional: frees what the client owns (fds, timers). */
    void (*cleanup)(NetClientState *nc);
} NetClientInfo;

struct NetClientState {
    const NetClientInfo *info;
    NetClientState *peer;
    char *name;                     /* netdev id, or the NIC's device id */
    bool is_netdev;                 /* created by -netdev/-net, not a NIC */
    void *opaque;                   /* the NIC's device state */
    NetDumpState *dump;             /* -object filter-dump on this netdev */
    GQueue *queue;                  /* NetPacket: frames waiting for us */
    unsigned dropped;               /* frames dropped on a full queue */
};

/* A new client of info->size bytes, zeroed, linked with peer (may be
 * NULL) in both directions. */
NetClientState *net_client_new(const NetClientInfo *info,
                               NetClientState *peer, const char *name);
void net_client_free(NetClientState *nc);

/* Sends a frame from nc to its peer. Returns len if delivered (or
 * dropped because there is no peer or the frame is malformed), 0 if
 * it was queued: then, with sent_cb set, the sender should stop until
 * sent_cb is called. len must be <= NET_MAX_FRAME. */
ssize_t net_send(NetClientState *nc, const uint8_t *buf, size_t len,
                 NetSentCb *sent_cb);
/* Delivers what is queued for nc while it can receive. */
void net_flush_queued(NetClientState *nc);
/* Frames waiting in nc's queue. */
unsigned net_queue_len(NetClientState *nc);
/* True if nc's peer would take a frame now (for back ends deciding
 * whether to read their fd). */
bool net_peer_can_receive(NetClientState *nc);

/* Netdevs (-netdev id=..) by id, for -device NIC,netdev=ID. */
NetClientState *net_find_netdev(const char *id);
void net_register_netdev(NetClientState *nc);
/* Removes every client and frees it (exit, tests). */
void net_cleanup(void);

/* MAC addresses. "52:54:00:12:34:56" form; false on a malformed one. */
bool net_parse_macaddr(const char *str, MACAddr *mac);
/* QEMU's default: 52:54:00:12:34:56 for the first NIC, then :57, ... */
void net_default_macaddr(MACAddr *mac);
char *net_format_macaddr(const MACAddr *mac);

/* A NIC's client, connected to the netdev with id netdev (NULL: none,
 * the cable is unplugged). errp: no such netdev, or it already has a
 * NIC. */
NetClientState *net_nic_new(const NetClientInfo *info, const char *netdev,
                            const char *name, Error **errp);
/* A NIC's mac= property (NULL: the next default address). */
bool net_nic_macaddr(const char *prop, MACAddr *mac, Error **errp);

/* Back ends (net/user, socket, tap, hub). opts is "key=val,..." without the type; they set
 * errp with a user-facing message on a bad option. peer may be NULL. */
typedef struct Opts Opts;
NetClientState *net_user_new(const char *id, Opts *o, NetClientState *peer,
                             Error **errp);
NetClientState *net_socket_new(const char *id, Opts *o,
                               NetClientState *peer, Error **errp);
NetClientState *net_tap_new(const char *id, Opts *o, NetClientState *peer,
                            Error **errp);
NetClientState *net_hubport_new(const char *id, Opts *o,
                                NetClientState *peer, Error **errp);
/* filter-dump (net/dump.c): captures what crosses between nc and its
 * peer into a pcap file; maxlen cuts long frames. */
NetDumpState *net_dump_new(const char *id, NetClientState *nc,
                           const char *path, uint64_t maxlen, Error **errp);
void net_dump_frame(NetDumpState *d, const uint8_t *buf, size_t len);
void net_dump_free(NetDumpState *d);

/* A port on hub hubid (created on first use), for -net's hub 0. */
NetClientState *net_hub_add_port(int hubid, const char *name,
                                 NetClientState *peer);

#endif
