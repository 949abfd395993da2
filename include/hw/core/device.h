/*
 * The device model: a device type is a name, a state size, realize,
 * reset, properties and a state description. A device's state struct
 * starts with a Device (or a PCIDevice, which starts with one).
 *
 * Types are listed explicitly in hw/core/device-types.c (no constructor
 * magic), so `-device help` and the tests see the same list.
 */
#ifndef HW_CORE_DEVICE_H
#define HW_CORE_DEVICE_H

#include "pcemu/common.h"
#include "hw/core/vmstate.h"
#include "hw/irq.h"

typedef struct Device Device;
typedef struct Machine Machine;

typedef enum PropType {
    PROP_END = 0,
    PROP_BOOL,
    PROP_U8,
    PROP_U16,
    PROP_U32,
    PROP_U64,
    PROP_SIZE,      /* u64 with k/M/G suffixes */
    PROP_STRING,    /* char *, owned by the device */
    PROP_CHARDEV,   /* Chardev *, looked up by id */
    PROP_PCI_DEVFN, /* int32_t: "SLOT[.FN]" in hex as QEMU's addr=; -1 any */
} PropType;

typedef struct Property {
    const char *name;
    PropType type;
    size_t offset;
    uint64_t defval;
    const char *defstr;
    const char *desc;
} Property;

#define PROP_(n, st, f, t, d, h) \
    { .name = (n), .type = (t), .offset = offsetof(st, f), .defval = (d), \
      .desc = (h) }
#define DEFINE_PROP_BOOL(n, st, f, d, h)   PROP_(n, st, f, PROP_BOOL, d, h)
#define DEFINE_PROP_U8(n, st, f, d, h)     PROP_(n, st, f, PROP_U8, d, h)
#define DEFINE_PROP_U16(n, st, f, d, h)    PROP_(n, st, f, PROP_U16, d, h)
#define DEFINE_PROP_U32(n, st, f, d, h)    PROP_(n, st, f, PROP_U32, d, h)
#define DEFINE_PROP_U64(n, st, f, d, h)    PROP_(n, st, f, PROP_U64, d, h)
#define DEFINE_PROP_SIZE(n, st, f, d, h)   PROP_(n, st, f, PROP_SIZE, d, h)
#define DEFINE_PROP_STRING(n, st, f, h) \
    { .name = (n), .type = PROP_STRING, .offset = offsetof(st, f), \
      .desc = (h) }
#define DEFINE_PROP_CHARDEV(n, st, f, h) \
    { .name = (n), .type = PROP_CHARDEV, .offset = offsetof(st, f), \
      .desc = (h) }
#define DEFINE_PROP_PCI_DEVFN(n, st, f, h) \
    { .name = (n), .type = PROP_PCI_DEVFN, .offset = offsetof(st, f), \
      .defval = (uint64_t)-1, .desc = (h) }
#define DEFINE_PROP_END { .type = PROP_END }

typedef enum DeviceBus {
    BUS_SYSTEM,     /* created by the board only */
    BUS_ISA,        /* -device on the PIIX3's ISA bus */
    BUS_PCI,        /* -device on PCI bus 0 */
} DeviceBus;

typedef struct DeviceType {
    const char *name;           /* QEMU's name: "isa-serial", "e1000" */
    const char *desc;           /* one line for -device help */
    DeviceBus bus;
    size_t state_size;
    bool user_creatable;        /* may be named by -device */
    /* Called once, after properties are set: maps regions, claims IRQs
     * (through the machine), opens back ends. A user error (a bad
     * property, a busy port) sets errp and returns false. */
    bool (*realize)(Device *dev, Machine *m, Error **errp);
    /* Back to power-on state; called at machine start and system_reset. */
    void (*reset)(Device *dev);
    const Property *props;
    const VMStateDescription *vmsd;
    /* Input lines (an interrupt controller's pins): the handler gets the
     * Device as opaque; see device_irq_in(). NULL when it has none. */
    IrqHandler irq_in;
    unsigned nr_irq_in;
} DeviceType;

struct Device {
    const DeviceType *type;
    char *id;               /* user's id= or NULL */
    char *path;             /* unique name in the tree: "serial0", "pci0.1.0" */
    bool realized;
    Device *next;           /* machine's list, in creation order */
};

/* All types, for lookups and -device help. */
extern const DeviceType *const device_types[];
const DeviceType *device_type_find(const char *name);

/* A zeroed device of that type with default property values; NULL and
 * errp set if the type is unknown. The machine owns it once added. */
Device *device_new(const char *type_name, Error **errp);
/* Parses value for the named property ("on"/"off", numbers with 0x,
 * sizes with suffixes). */
bool device_set_prop(Device *dev, const char *name, const char *value,
                     Error **errp);
/* Property value as text (for info qtree, qom-get). Caller frees. */
char *device_get_prop(Device *dev, const Property *p);
const Property *device_find_prop(const Device *dev, const char *name);

/* Input line n of dev (n < nr_irq_in). */
IrqLine device_irq_in(Device *dev, unsigned n);

#define DEVICE(p) (&(p)->dev)

#endif
