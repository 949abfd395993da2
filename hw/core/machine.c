/*
 * What every machine does with its devices: create them from a type name
 * and "key=val" text, realize them in order, find them, reset them.
 */
#include "hw/machine.h"
#include "hw/core/device.h"
#include "pcemu/opts.h"
#include <unistd.h>

Machine *current_machine;

IrqLine machine_gsi(Machine *m, unsigned n)
{
    assert(n < MACHINE_NR_GSI);
    return m->gsi[n];
}

/* A unique name for the tree: the type name, numbered from 0. */
static char *device_make_path(Machine *m, const Device *dev)
{
    unsigned n = 0;

    for (Device *d = m->devices; d; d = d->next) {
        if (d->type == dev->type) {
            n++;
        }
    }
    return g_strdup_printf("%s.%u", dev->type->name, n);
}

static void device_free(Device *dev)
{
    for (const Property *p = dev->type->props; p && p->type != PROP_END;
         p++) {
        if (p->type == PROP_STRING) {
            g_free(*(char **)((char *)dev + p->offset));
        }
    }
    g_free(dev->id);
    g_free(dev->path);
    g_free(dev);
}

bool machine_add_device(Machine *m, Device *dev, Error **errp)
{
    if (dev->id && machine_find_device(m, dev->id)) {
        error_setg(errp, "Duplicate device ID '%s'", dev->id);
        device_free(dev);
        return false;
    }
    dev->path = device_make_path(m, dev);
    if (dev->type->realize && !dev->type->realize(dev, m, errp)) {
        error_prepend(errp, "%s: ", dev->type->name);
        device_free(dev);
        return false;
    }
    dev->realized = true;
    if (m->last_device) {
        m->last_device->next = dev;
    } else {
        m->devices = dev;
    }
    m->last_device = dev;
    if (dev->type->reset) {
        dev->type->reset(dev);
    }
    return true;
}

typedef struct PropCtx {
    Device *dev;
    Error **errp;
    bool ok;
} PropCtx;

static void set_one_prop(const char *key, const char *value, void *opaque)
{
    PropCtx *ctx = opaque;

    if (!ctx->ok || !strcmp(key, "driver")) {
        return;
    }
    if (!strcmp(key, "id")) {
        g_free(ctx->dev->id);
        ctx->dev->id = g_strdup(value);
        return;
    }
    ctx->ok = device_set_prop(ctx->dev, key, value, ctx->errp);
}

Device *machine_create_device(Machine *m, const char *type_name,
                              const char *props, Error **errp)
{
    Device *dev = device_new(type_name, errp);
    Opts *o;
    PropCtx ctx = { dev, errp, true };

    if (!dev) {
        return NULL;
    }
    if (props && *props) {
        o = opts_parse(props, NULL, errp);
        if (!o) {
            device_free(dev);
            return NULL;
        }
        opts_foreach(o, set_one_prop, &ctx);
        opts_free(o);
        if (!ctx.ok) {
            device_free(dev);
            return NULL;
        }
    }
    return machine_add_device(m, dev, errp) ? dev : NULL;
}

Device *machine_find_device(Machine *m, const char *id_or_path)
{
    for (Device *d = m->devices; d; d = d->next) {
        if ((d->id && !strcmp(d->id, id_or_path)) ||
            !strcmp(d->path, id_or_path)) {
            return d;
        }
    }
    return NULL;
}

void machine_reset_devices(Machine *m)
{
    for (Device *d = m->devices; d; d = d->next) {
        if (d->type->reset) {
            d->type->reset(d);
        }
    }
}

char *machine_find_firmware(const Machine *m, const char *name)
{
    if (strchr(name, '/')) {
        return access(name, R_OK) == 0 ? g_strdup(name) : NULL;
    }
    for (unsigned i = 0; m->cfg.firmware_dirs && m->cfg.firmware_dirs[i];
         i++) {
        char *path = g_build_filename(m->cfg.firmware_dirs[i], name, NULL);
        if (access(path, R_OK) == 0) {
            return path;
        }
        g_free(path);
    }
    return NULL;
}
