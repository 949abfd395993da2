/*
 * Device types, creation and properties. A property is a typed field at
 * an offset in the device's state struct; -device key=value text is
 * parsed here, once, for every device.
 */
#include "hw/core/device.h"
#include "chardev/char.h"
#include "pcemu/opts.h"

const DeviceType *device_type_find(const char *name)
{
    for (unsigned i = 0; device_types[i]; i++) {
        if (!strcmp(device_types[i]->name, name)) {
            return device_types[i];
        }
    }
    return NULL;
}

const Property *device_find_prop(const Device *dev, const char *name)
{
    for (const Property *p = dev->type->props; p && p->type != PROP_END;
         p++) {
        if (!strcmp(p->name, name)) {
            return p;
        }
    }
    return NULL;
}

static void prop_set_default(Device *dev, const Property *p)
{
    void *field = (char *)dev + p->offset;

    switch (p->type) {
    case PROP_BOOL: *(bool *)field = p->defval; break;
    case PROP_U8: *(uint8_t *)field = p->defval; break;
    case PROP_U16: *(uint16_t *)field = p->defval; break;
    case PROP_U32: *(uint32_t *)field = p->defval; break;
    case PROP_U64:
    case PROP_SIZE: *(uint64_t *)field = p->defval; break;
    case PROP_STRING:
        *(char **)field = p->defstr ? g_strdup(p->defstr) : NULL;
        break;
    case PROP_CHARDEV: *(Chardev **)field = NULL; break;
    case PROP_PCI_DEVFN: *(int32_t *)field = -1; break;
    case PROP_END: break;
    }
}

/* QEMU's PCI addr=: "SLOT" or "SLOT.FN", hex, slot < 32, fn < 8. */
static bool parse_pci_devfn(const char *s, int32_t *out)
{
    char *end;
    unsigned long slot, fn = 0;

    errno = 0;
    slot = strtoul(s, &end, 16);
    if (errno || end == s || slot > 31) {
        return false;
    }
    if (*end == '.') {
        const char *f = end + 1;
        fn = strtoul(f, &end, 16);
        if (end == f || fn > 7) {
            return false;
        }
    }
    if (*end) {
        return false;
    }
    *out = (int32_t)(slot << 3 | fn);
    return true;
}

Device *device_new(const char *type_name, Error **errp)
{
    const DeviceType *type = device_type_find(type_name);
    Device *dev;

    if (!type) {
        error_setg(errp, "'%s' is not a valid device model name "
                   "(-device help lists them)", type_name);
        return NULL;
    }
    assert(type->state_size >= sizeof(Device));
    dev = g_malloc0(type->state_size);
    dev->type = type;
    for (const Property *p = type->props; p && p->type != PROP_END; p++) {
        prop_set_default(dev, p);
    }
    return dev;
}

static uint64_t prop_max(PropType t)
{
    switch (t) {
    case PROP_BOOL: return 1;
    case PROP_U8: return UINT8_MAX;
    case PROP_U16: return UINT16_MAX;
    case PROP_U32: return UINT32_MAX;
    default: return UINT64_MAX;
    }
}

bool device_set_prop(Device *dev, const char *name, const char *value,
                     Error **errp)
{
    const Property *p = device_find_prop(dev, name);
    void *field;
    uint64_t n = 0;
    bool b;

    if (!p) {
        error_setg(errp, "Property '%s.%s' not found", dev->type->name, name);
        return false;
    }
    field = (char *)dev + p->offset;
    switch (p->type) {
    case PROP_BOOL:
        if (!parse_bool(value, &b)) {
            error_setg(errp, "Property '%s.%s' expects on/off, not '%s'",
                       dev->type->name, name, value);
            return false;
        }
        *(bool *)field = b;
        return true;
    case PROP_STRING:
        g_free(*(char **)field);
        *(char **)field = g_strdup(value);
        return true;
    case PROP_CHARDEV: {
        Chardev *chr = chardev_find(value);
        if (!chr) {
            error_setg(errp, "Property '%s.%s' can't find value '%s' "
                       "(no -chardev with that id)", dev->type->name, name,
                       value);
            return false;
        }
        *(Chardev **)field = chr;
        return true;
    }
    case PROP_PCI_DEVFN:
        if (!parse_pci_devfn(value, (int32_t *)field)) {
            error_setg(errp, "Property '%s.%s' expects a PCI address "
                       "SLOT[.FN] (hex, slot < 0x20, fn < 8), not '%s'",
                       dev->type->name, name, value);
            return false;
        }
        return true;
    case PROP_SIZE:
        if (!parse_size(value, 'B', &n)) {
            error_setg(errp, "Property '%s.%s' expects a size, not '%s'",
                       dev->type->name, name, value);
            return false;
        }
        *(uint64_t *)field = n;
        return true;
    default:
        if (!parse_uint64(value, &n) || n > prop_max(p->type)) {
            error_setg(errp, "Property '%s.%s' expects a number from 0 to "
                       "%" PRIu64 ", not '%s'", dev->type->name, name,
                       prop_max(p->type), value);
            return false;
        }
        switch (p->type) {
        case PROP_U8: *(uint8_t *)field = n; break;
        case PROP_U16: *(uint16_t *)field = n; break;
        case PROP_U32: *(uint32_t *)field = n; break;
        default: *(uint64_t *)field = n; break;
        }
        return true;
    }
}

char *device_get_prop(Device *dev, const Property *p)
{
    void *field = (char *)dev + p->offset;

    switch (p->type) {
    case PROP_BOOL: return g_strdup(*(bool *)field ? "on" : "off");
    case PROP_U8: return g_strdup_printf("%u", *(uint8_t *)field);
    case PROP_U16: return g_strdup_printf("%u", *(uint16_t *)field);
    case PROP_U32: return g_strdup_printf("%u", *(uint32_t *)field);
    case PROP_U64:
    case PROP_SIZE:
        return g_strdup_printf("%" PRIu64, *(uint64_t *)field);
    case PROP_STRING:
        return g_strdup(*(char **)field ? *(char **)field : "");
    case PROP_CHARDEV: {
        Chardev *chr = *(Chardev **)field;
        return g_strdup(chr ? chardev_id(chr) : "");
    }
    case PROP_PCI_DEVFN: {
        int32_t v = *(int32_t *)field;
        return v < 0 ? g_strdup("-1") :
               g_strdup_printf("%02x.%x", v >> 3, v & 7);
    }
    case PROP_END: break;
    }
    return g_strdup("");
}

IrqLine device_irq_in(Device *dev, unsigned n)
{
    assert(dev->type->irq_in && n < dev->type->nr_irq_in);
    return irq_line(dev->type->irq_in, dev, n);
}
