/*
 * -netdev, -nic and -net (include/net/net-opts.h). Options are checked
 * when parsed and acted on in net_init_clients(), once the machine
 * exists: netdevs first, then the legacy hub 0 back ends, then NICs in
 * command-line order, then the default NIC.
 */
#include "net/net-opts.h"
#include "hw/core/device.h"
#include "hw/machine.h"
#include "net/net.h"
#include "pcemu/opts.h"

#define NET_DEFAULT_MODEL "e1000"

typedef enum NetOptKind { NET_OPT_NETDEV, NET_OPT_NIC, NET_OPT_NET } NetOptKind;

typedef struct NetOpt {
    NetOptKind kind;
    const char *arg;
} NetOpt;

static GArray *net_opts;            /* of NetOpt, in command-line order */
static GPtrArray *net_objects;      /* -object filter-dump strings */
static bool net_none;               /* -net none / -nic none */
static bool net_any;                /* any -net/-nic/-netdev given */

static const char *const net_opt_names[] = { "netdev", "nic", "net" };

typedef NetClientState *NetBackendNew(const char *id, Opts *o,
                                      NetClientState *peer, Error **errp);

static NetBackendNew *net_backend_find(const char *type)
{
    if (!strcmp(type, "user")) {
        return net_user_new;
    } else if (!strcmp(type, "socket")) {
        return net_socket_new;
    } else if (!strcmp(type, "tap")) {
        return net_tap_new;
    } else if (!strcmp(type, "hubport")) {
        return net_hubport_new;
    }
    return NULL;
}

static void net_opt_add(NetOptKind kind, const char *arg)
{
    NetOpt o = { kind, arg };
    Error *err = NULL;
    Opts *opts;
    const char *type;

    net_any = true;
    if (!strcmp(arg, "none") && kind != NET_OPT_NETDEV) {
        net_none = true;
        return;
    }
    opts = opts_parse(arg, "type", &err);
    if (!opts) {
        fatal("-%s %s: %s", net_opt_names[kind], arg, err->msg);
    }
    type = opts_get(opts, "type");
    if (!type) {
        fatal("-%s %s: the back-end type must come first (user, socket, "
              "tap, hubport)", net_opt_names[kind], arg);
    }
    if (!(kind == NET_OPT_NET && !strcmp(type, "nic")) &&
        !net_backend_find(type)) {
        fatal("-%s %s: unknown network back end '%s' (user, socket, tap, "
              "hubport)", net_opt_names[kind], arg, type);
    }
    if (kind == NET_OPT_NETDEV && !opts_get(opts, "id")) {
        fatal("-netdev %s: an id= is needed (-device ...,netdev=ID names "
              "it)", arg);
    }
    if (kind == NET_OPT_NIC && !strcmp(type, "hubport")) {
        fatal("-nic %s: hubport is for -netdev", arg);
    }
    opts_free(opts);
    if (!net_opts) {
        net_opts = g_array_new(false, false, sizeof(NetOpt));
    }
    g_array_append_val(net_opts, o);
}

void net_opt_netdev(const char *arg)
{
    net_opt_add(NET_OPT_NETDEV, arg);
}

void net_opt_nic(const char *arg)
{
    net_opt_add(NET_OPT_NIC, arg);
}

void net_opt_net(const char *arg)
{
    net_opt_add(NET_OPT_NET, arg);
}

void net_opt_object(const char *arg)
{
    Error *err = NULL;
    Opts *o = opts_parse(arg, "qom-type", &err);
    const char *type;

    if (!o) {
        fatal("-object %s: %s", arg, err->msg);
    }
    type = opts_get(o, "qom-type");
    if (!type || strcmp(type, "filter-dump")) {
        fatal("-object %s: unknown object type '%s' (pcemu has "
              "filter-dump)", arg, type ? type : "");
    }
    if (!opts_get(o, "id") || !opts_get(o, "netdev") ||
        !opts_get(o, "file")) {
        fatal("-object %s: filter-dump needs id=, netdev= and file=", arg);
    }
    opts_free(o);
    if (!net_objects) {
        net_objects = g_ptr_array_new();
    }
    g_ptr_array_add(net_objects, (gpointer)arg);
}

/* -object filter-dump,id=,netdev=,file=[,maxlen=][,queue=all] */
static bool net_init_dump(const char *arg, Error **errp)
{
    Opts *o = opts_parse(arg, "qom-type", errp);
    const char *netdev, *queue, *id, *file;
    NetClientState *nc;
    uint64_t maxlen;
    Error *lerr = NULL;
    bool ok = false;

    if (!o) {
        return false;
    }
    opts_get(o, "qom-type");
    netdev = opts_get(o, "netdev");
    queue = opts_get(o, "queue");
    id = opts_get(o, "id");
    file = opts_get(o, "file");
    maxlen = opts_get_size(o, "maxlen", 65535, &lerr);
    if (lerr) {
        error_propagate(errp, lerr);
    } else if (queue && strcmp(queue, "all")) {
        error_setg(errp, "queue=%s: only queue=all (both directions)",
                   queue);
    } else if (!(nc = net_find_netdev(netdev))) {
        error_setg(errp, "netdev=%s: no -netdev with that id", netdev);
    } else if (opts_check_unused(o, errp)) {
        ok = net_dump_new(id, nc, file, maxlen, errp) != NULL;
    }
    opts_free(o);
    return ok;
}

void net_opts_reset(void)
{
    if (net_opts) {
        g_array_set_size(net_opts, 0);
    }
    net_none = net_any = false;
}

/* Creates a back end from opts ("type" and "id" already in it). */
static NetClientState *net_backend_create(Opts *o, const char *id,
                                          NetClientState *peer, Error **errp)
{
    NetBackendNew *fn = net_backend_find(opts_get(o, "type"));
    NetClientState *nc;

    if (id && net_find_netdev(id)) {
        error_setg(errp, "id=%s: a netdev with this id already exists", id);
        return NULL;
    }
    nc = fn(id, o, peer, errp);
    if (nc && !opts_check_unused(o, errp)) {
        return NULL;
    }
    if (nc) {
        net_register_netdev(nc);
    }
    return nc;
}

/* The NIC device model with netdev= and mac=. */
static bool net_create_nic(Machine *m, const char *model, const char *netdev,
                           const char *mac, const char *devid, Error **errp)
{
    GString *props = g_string_new(NULL);
    const DeviceType *t = device_type_find(model);
    bool ok;

    if (!strcmp(model, "help")) {
        printf("Available NIC models:\n" NET_DEFAULT_MODEL "\n");
        exit(0);
    }
    if (!t || t->bus != BUS_PCI) {
        error_setg(errp, "model=%s: unknown NIC model (try model=help)",
                   model);
        g_string_free(props, true);
        return false;
    }
    g_string_append_printf(props, "netdev=%s", netdev);
    if (mac) {
        g_string_append_printf(props, ",mac=%s", mac);
    }
    if (devid) {
        g_string_append_printf(props, ",id=%s", devid);
    }
    ok = machine_create_device(m, model, props->str, errp) != NULL;
    g_string_free(props, true);
    return ok;
}

static unsigned nic_counter;

typedef struct NicSplit {
    GString *backend;           /* the back end's options, re-quoted */
    char *model, *mac, *id;
} NicSplit;

static void nic_split_key(const char *key, const char *value, void *opaque)
{
    NicSplit *ns = opaque;
    char **quoted;

    if (!strcmp(key, "model")) {
        g_free(ns->model);
        ns->model = g_strdup(value);
        return;
    }
    if (!strcmp(key, "mac")) {
        g_free(ns->mac);
        ns->mac = g_strdup(value);
        return;
    }
    if (!strcmp(key, "id")) {
        g_free(ns->id);
        ns->id = g_strdup(value);
        return;
    }
    if (!strcmp(key, "type")) {
        g_string_prepend(ns->backend, value);
        return;
    }
    /* A comma inside a value is written ",," (pcemu/opts.h). */
    quoted = g_strsplit(value, ",", -1);
    g_string_append_printf(ns->backend, ",%s=", key);
    for (int i = 0; quoted[i]; i++) {
        g_string_append_printf(ns->backend, i ? ",,%s" : "%s", quoted[i]);
    }
    g_strfreev(quoted);
}

/* -nic TYPE,model=,mac=,id=...: a back end and its NIC. */
static bool net_init_nic(Machine *m, const char *arg, Error **errp)
{
    Opts *o = opts_parse(arg, "type", errp);
    NicSplit ns = { g_string_new(NULL), NULL, NULL, NULL };
    Opts *bo = NULL;
    bool ok = false;

    if (!o) {
        g_string_free(ns.backend, true);
        return false;
    }
    opts_foreach(o, nic_split_key, &ns);
    if (!ns.id) {
        ns.id = g_strdup_printf("__org.qemu.nic%u", nic_counter++);
    }
    bo = opts_parse(ns.backend->str, "type", errp);
    if (bo && net_backend_create(bo, ns.id, NULL, errp)) {
        ok = net_create_nic(m, ns.model ? ns.model : NET_DEFAULT_MODEL,
                            ns.id, ns.mac, NULL, errp);
    }
    opts_free(bo);
    opts_free(o);
    g_string_free(ns.backend, true);
    g_free(ns.model);
    g_free(ns.mac);
    g_free(ns.id);
    return ok;
}

/* -net nic,... : a NIC on hub 0 (or on netdev=ID). */
static bool net_init_net_nic(Machine *m, Opts *o, Error **errp)
{
    const char *model = opts_get(o, "model");
    const char *mac = opts_get(o, "macaddr");
    const char *netdev = opts_get(o, "netdev");
    const char *name = opts_get(o, "name");
    char *port_name = NULL;
    bool ok;

    opts_get(o, "id");
    opts_get(o, "type");
    if (opts_has(o, "vlan")) {
        error_setg(errp, "vlan= is gone (as in QEMU): use -netdev hubport");
        return false;
    }
    if (!opts_check_unused(o, errp)) {
        return false;
    }
    if (!netdev) {
        NetClientState *port = net_hub_add_port(0, NULL, NULL);
        net_register_netdev(port);
        port_name = g_strdup(port->name);
        netdev = port_name;
    }
    ok = net_create_nic(m, model ? model : NET_DEFAULT_MODEL, netdev, mac,
                        name, errp);
    g_free(port_name);
    return ok;
}

/* -net TYPE,... : a back end on hub 0. */
static bool net_init_net_backend(Opts *o, Error **errp)
{
    NetClientState *port = net_hub_add_port(0, NULL, NULL);
    const char *id = opts_get(o, "id");
    char *name;
    NetClientState *nc;

    if (!id) {
        id = opts_get(o, "name");
    }
    name = id ? g_strdup(id) : g_strdup_printf("%s.%s", opts_get(o, "type"),
                                                port->name);
    nc = net_backend_create(o, name, port, errp);
    g_free(name);
    return nc != NULL;
}

bool net_init_clients(Machine *m, bool nodefaults, Error **errp)
{
    guint n = net_opts ? net_opts->len : 0;

    /* netdevs, then the legacy back ends, then the NICs that use them. */
    for (int pass = 0; pass < 3; pass++) {
        for (guint i = 0; i < n; i++) {
            NetOpt *no = &g_array_index(net_opts, NetOpt, i);
            Opts *o;
            bool ok = true, is_nic;

            if ((pass == 0) != (no->kind == NET_OPT_NETDEV)) {
                continue;
            }
            if (no->kind == NET_OPT_NIC) {
                if (pass == 2 && !net_init_nic(m, no->arg, errp)) {
                    goto fail;
                }
                continue;
            }
            o = opts_parse(no->arg, "type", errp);
            if (!o) {
                goto fail;
            }
            is_nic = !strcmp(opts_get(o, "type"), "nic");
            if (pass == 0) {
                ok = net_backend_create(o, opts_get(o, "id"), NULL, errp);
            } else if (pass == 1 && !is_nic) {
                ok = net_init_net_backend(o, errp);
            } else if (pass == 2 && is_nic) {
                ok = net_init_net_nic(m, o, errp);
            }
            opts_free(o);
            if (!ok) {
                goto fail;
            }
            continue;
fail:
            error_prepend(errp, "-%s %s: ", net_opt_names[no->kind], no->arg);
            return false;
        }
    }
    for (guint i = 0; net_objects && i < net_objects->len; i++) {
        const char *arg = g_ptr_array_index(net_objects, i);
        if (!net_init_dump(arg, errp)) {
            error_prepend(errp, "-object %s: ", arg);
            return false;
        }
    }
    if (!net_any && !net_none && !nodefaults) {
        /* QEMU's default for the pc: -net nic -net user. */
        Opts *o = opts_parse("user", "type", errp);
        bool ok = o && net_init_net_backend(o, errp);

        opts_free(o);
        o = ok ? opts_parse("nic", "type", errp) : NULL;
        ok = o && net_init_net_nic(m, o, errp);
        opts_free(o);
        if (!ok) {
            error_prepend(errp, "the default NIC (-net nic -net user; "
                          "-net none removes it): ");
            return false;
        }
    }
    return true;
}
