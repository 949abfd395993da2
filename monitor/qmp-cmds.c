/*
 * The QMP commands. qmp_commands[] below is the one schema: the
 * dispatcher checks arguments against it, query-commands lists it, the
 * HMP commands call the same functions, and tests/monitor/qmp-test checks
 * that docs/monitor.md documents every entry.
 *
 * Replies follow QEMU's QAPI schema member for member,
 * so clients written for QEMU find what they look for.
 */
#include "monitor-internal.h"
#include "accel/accel.h"
#include "accel/kvm.h"
#include "hw/core/device.h"
#include "hw/input/i8042.h"
#include "hw/input/ps2.h"
#include "hw/machine.h"
#include "hw/pci/pci.h"
#include "softmmu/runstate.h"
#include "softmmu/timer.h"
#include "target/i386/cpu.h"
#include "ui/console.h"
#include <unistd.h>

json_t *qmp_version_json(void);

static ScreendumpFn *screendump_fn;
static void *screendump_opaque;

void monitor_set_screendump_handler(ScreendumpFn *fn, void *opaque)
{
    screendump_fn = fn;
    screendump_opaque = opaque;
}

static const char *jstr(json_t *args, const char *key)
{
    return json_string_value(json_object_get(args, key));
}

/* --- run control ---------------------------------------------------------- */

static json_t *cmd_query_status(Monitor *mon, json_t *args, Error **errp)
{
    return json_pack("{s:s,s:b,s:b}", "status", runstate_name(runstate_get()),
                     "running", runstate_is_running(), "singlestep", 0);
}

bool qmp_stop(Error **errp)
{
    if (runstate_get() == RUN_STATE_PRELAUNCH) {
        /* -S before cont: stays paused; QEMU then just clears autostart. */
        return true;
    }
    if (runstate_is_running()) {
        vm_stop(RUN_STATE_PAUSED);
    }
    return true;
}

bool qmp_cont(Error **errp)
{
    RunState s = runstate_get();

    if (s == RUN_STATE_SHUTDOWN || s == RUN_STATE_INTERNAL_ERROR ||
        s == RUN_STATE_GUEST_PANICKED) {
        error_setg(errp, "Resetting the Virtual Machine is required");
        return false;
    }
    vm_start();
    return true;
}

static json_t *cmd_stop(Monitor *mon, json_t *args, Error **errp)
{
    return qmp_stop(errp) ? json_object() : NULL;
}

static json_t *cmd_cont(Monitor *mon, json_t *args, Error **errp)
{
    return qmp_cont(errp) ? json_object() : NULL;
}

static json_t *cmd_system_reset(Monitor *mon, json_t *args, Error **errp)
{
    system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
    return json_object();
}

static json_t *cmd_system_powerdown(Monitor *mon, json_t *args, Error **errp)
{
    system_powerdown_request();
    return json_object();
}

static json_t *cmd_quit(Monitor *mon, json_t *args, Error **errp)
{
    /* The reply goes out now; SHUTDOWN follows when the main loop acts
     * on the request, then the process exits (flushing the chardevs). */
    system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
    return json_object();
}

/* --- queries ---------------------------------------------------------------- */

static json_t *cmd_query_version(Monitor *mon, json_t *args, Error **errp)
{
    return qmp_version_json();
}

static json_t *cmd_query_commands(Monitor *mon, json_t *args, Error **errp)
{
    json_t *list = json_array();

    json_array_append_new(list, json_pack("{s:s}", "name",
                                          "qmp_capabilities"));
    for (const QmpCommand *c = qmp_commands; c->name; c++) {
        json_array_append_new(list, json_pack("{s:s}", "name", c->name));
    }
    return list;
}

static json_t *cmd_query_events(Monitor *mon, json_t *args, Error **errp)
{
    /* Every event pcemu emits (monitor/qmp.c's runstate hook). */
    return json_pack("[{s:s},{s:s},{s:s},{s:s},{s:s}]", "name", "SHUTDOWN",
                     "name", "POWERDOWN", "name", "RESET", "name", "STOP",
                     "name", "RESUME");
}

static json_t *cmd_query_name(Monitor *mon, json_t *args, Error **errp)
{
    const char *name = current_machine->cfg.name;

    return name ? json_pack("{s:s}", "name", name) : json_object();
}

static json_t *cmd_query_cpus_fast(Monitor *mon, json_t *args, Error **errp)
{
    Machine *m = current_machine;
    json_t *list = json_array();

    for (unsigned i = 0; i < m->nr_cpus; i++) {
        /* -accel qtest counts the CPUs but creates none. */
        unsigned socket = m->cpus ? m->cpus[i]->index : i;
        char *path = g_strdup_printf("/machine/unattached/device[%u]", i);

        /* thread-id: pcemu does not record vCPU thread ids yet; the
         * process id stands in (QEMU's -accel qtest does the same). */
        json_array_append_new(list, json_pack(
            "{s:i,s:s,s:i,s:{s:i,s:i,s:i},s:s}",
            "cpu-index", (int)i, "qom-path", path,
            "thread-id", (int)getpid(),
            "props", "core-id", 0, "thread-id", 0, "socket-id",
            (int)socket,
            "target", "x86_64"));
        g_free(path);
    }
    return list;
}

static json_t *cmd_query_kvm(Monitor *mon, json_t *args, Error **errp)
{
    return json_pack("{s:b,s:b}", "enabled", kvm_enabled(),
                     "present", access("/dev/kvm", R_OK | W_OK) == 0);
}

static json_t *cmd_query_machines(Monitor *mon, json_t *args, Error **errp)
{
    return json_pack("[{s:s,s:s,s:b,s:i,s:b,s:b,s:b,s:s,s:b}]",
                     "name", "pc", "alias", "pc-i440fx",
                     "is-default", 1, "cpu-max", MACHINE_MAX_CPUS,
                     "hotpluggable-cpus", 0, "numa-mem-supported", 0,
                     "deprecated", 0, "default-ram-id", "pc.ram",
                     "acpi", 1);
}

/* Private to softmmu/chardev, read only for "frontend-open". */
#include "softmmu/chardev/char-internal.h"

static json_t *cmd_query_chardev(Monitor *mon, json_t *args, Error **errp)
{
    json_t *list = json_array();

    for (Chardev *c = chardev_first(); c; c = chardev_next(c)) {
        json_array_append_new(list, json_pack("{s:s,s:s,s:b}",
                              "label", chardev_id(c),
                              "filename", chardev_filename(c),
                              "frontend-open", c->fe_attached));
    }
    return list;
}

/* --- PCI ------------------------------------------------------------------ */

const char *pci_class_desc(uint16_t cls);
const char *pci_class_desc(uint16_t cls)
{
    /* PCI Code and ID Assignment Specification, the names QEMU prints. */
    static const struct { uint16_t cls; const char *desc; } names[] = {
        { 0x0100, "SCSI controller" }, { 0x0101, "IDE controller" },
        { 0x0106, "SATA controller" }, { 0x0108, "NVMe controller" },
        { 0x0180, "Storage controller" },
        { 0x0200, "Ethernet controller" }, { 0x0280, "Network controller" },
        { 0x0300, "VGA controller" }, { 0x0380, "Display controller" },
        { 0x0401, "Audio controller" }, { 0x0403, "Audio controller" },
        { 0x0500, "RAM controller" },
        { 0x0600, "Host bridge" }, { 0x0601, "ISA bridge" },
        { 0x0604, "PCI bridge" }, { 0x0680, "Bridge" },
        { 0x0700, "Serial port" }, { 0x0780, "Communication controller" },
        { 0x0880, "System peripheral" },
        { 0x0c03, "USB controller" }, { 0x0c05, "SMBus" },
        { 0x00ff, "Unclassified device" },
    };
    for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
        if (names[i].cls == cls) {
            return names[i].desc;
        }
    }
    return NULL;
}

static uint16_t cfg16(PCIDevice *d, unsigned off)
{
    return d->config[off] | d->config[off + 1] << 8;
}

json_t *qmp_query_pci_json(void)
{
    Machine *m = current_machine;
    json_t *devs = json_array();

    for (PCIDevice *d = m->pci_bus ? pci_bus_next(m->pci_bus, NULL) : NULL;
         d; d = pci_bus_next(m->pci_bus, d)) {
        uint16_t cls = cfg16(d, PCI_CLASS_DEVICE);
        const char *desc = pci_class_desc(cls);
        json_t *ci = json_pack("{s:i}", "class", cls);
        json_t *regions = json_array();
        json_t *dev;

        if (desc) {
            json_object_set_new(ci, "desc", json_string(desc));
        }
        for (int i = 0; i < PCI_NUM_REGIONS; i++) {
            PCIBar *b = &d->bars[i];
            bool io = b->type & PCI_BASE_ADDRESS_SPACE_IO;
            json_t *r;

            if (!b->mr) {
                continue;
            }
            r = json_pack("{s:i,s:s,s:I,s:I}", "bar", i,
                          "type", io ? "io" : "memory",
                          "address", (json_int_t)b->addr,
                          "size", (json_int_t)b->size);
            if (!io) {
                json_object_set_new(r, "prefetch", json_boolean(
                    b->type & PCI_BASE_ADDRESS_MEM_PREFETCH));
                json_object_set_new(r, "mem_type_64", json_boolean(
                    b->type & PCI_BASE_ADDRESS_MEM_TYPE_64));
            }
            json_array_append_new(regions, r);
        }
        dev = json_pack("{s:i,s:i,s:i,s:o,s:{s:i,s:i,s:i,s:i},s:i,s:s,s:o}",
                        "bus", 0, "slot", d->devfn >> 3,
                        "function", d->devfn & 7, "class_info", ci,
                        "id", "device", cfg16(d, PCI_DEVICE_ID),
                        "vendor", cfg16(d, PCI_VENDOR_ID),
                        "subsystem", cfg16(d, PCI_SUBSYSTEM_ID),
                        "subsystem-vendor",
                        cfg16(d, PCI_SUBSYSTEM_VENDOR_ID),
                        "irq_pin", d->config[PCI_INTERRUPT_PIN],
                        "qdev_id", d->dev.id ? d->dev.id : "",
                        "regions", regions);
        if (d->config[PCI_INTERRUPT_PIN]) {
            json_object_set_new(dev, "irq",
                                json_integer(d->config[PCI_INTERRUPT_LINE]));
        }
        json_array_append_new(devs, dev);
    }
    return json_pack("[{s:i,s:o}]", "bus", 0, "devices", devs);
}

static json_t *cmd_query_pci(Monitor *mon, json_t *args, Error **errp)
{
    return qmp_query_pci_json();
}

/* --- display and input --------------------------------------------------- */

bool qmp_screendump(const char *file, const char *format, Error **errp)
{
    if (!format) {
        format = "ppm";
    }
    if (strcmp(format, "ppm") && strcmp(format, "png")) {
        error_setg(errp, "Parameter 'format' does not accept value '%s'",
                   format);
        return false;
    }
    if (screendump_fn) {
        return screendump_fn(file, format, screendump_opaque, errp);
    }
    /* The display layer's active console (ui/console.h): it reports
     * "no display device" itself under -vga none. */
    return ui_screendump(file, format, errp);
}

static json_t *cmd_screendump(Monitor *mon, json_t *args, Error **errp)
{
    if (json_object_get(args, "device") || json_object_get(args, "head")) {
        /* One display at most: device/head may only name it. */
    }
    return qmp_screendump(jstr(args, "filename"), jstr(args, "format"), errp)
           ? json_object() : NULL;
}

static Device *find_i8042(Error **errp)
{
    for (Device *d = current_machine->devices; d; d = d->next) {
        if (!strcmp(d->type->name, "i8042")) {
            return d;
        }
    }
    error_setg(errp, "no keyboard controller (i8042) in this machine");
    return NULL;
}

typedef struct KeyRelease {
    Device *kbd;
    int keycodes[16];
    unsigned n;
    Timer *timer;
} KeyRelease;

static void release_keys(void *opaque)
{
    KeyRelease *r = opaque;

    /* Released in the opposite order, as QEMU's send-key. */
    for (unsigned i = r->n; i-- > 0;) {
        ps2_keyboard_put_keycode(r->kbd, r->keycodes[i], false);
    }
    timer_free(r->timer);
    g_free(r);
}

bool qmp_send_keys(const char *const *qcodes, unsigned n, int hold_ms,
                   Error **errp)
{
    Device *i8042 = find_i8042(errp);
    KeyRelease *r;

    if (!i8042) {
        return false;
    }
    if (n == 0 || n > ARRAY_SIZE(r->keycodes)) {
        error_setg(errp, "send-key takes 1 to %zu keys",
                   ARRAY_SIZE(r->keycodes));
        return false;
    }
    r = g_new0(KeyRelease, 1);
    r->kbd = i8042_keyboard(i8042);
    for (unsigned i = 0; i < n; i++) {
        int kc = ps2_keycode_from_qcode(qcodes[i]);

        if (kc < 0) {
            error_setg(errp, "Parameter 'data' does not accept value '%s'",
                       qcodes[i]);
            g_free(r);
            return false;
        }
        r->keycodes[r->n++] = kc;
    }
    for (unsigned i = 0; i < r->n; i++) {
        ps2_keyboard_put_keycode(r->kbd, r->keycodes[i], true);
    }
    /* Host time: a paused or qtest machine still gets its key-ups. */
    r->timer = timer_new(CLOCK_HOST_MONOTONIC, release_keys, r);
    timer_mod(r->timer, clock_get_ns(CLOCK_HOST_MONOTONIC) +
              (int64_t)(hold_ms < 0 ? 100 : hold_ms) * 1000000);
    return true;
}

/* A KeyValue: {"type": "qcode", "data": "ctrl"}. */
static const char *key_value_qcode(json_t *kv, const char *what, Error **errp)
{
    const char *type = json_string_value(json_object_get(kv, "type"));
    json_t *data = json_object_get(kv, "data");

    if (!json_is_object(kv) || !type || !data) {
        error_setg(errp, "Parameter '%s' expects a KeyValue object "
                   "{\"type\": \"qcode\", \"data\": NAME}", what);
        return NULL;
    }
    if (!strcmp(type, "number")) {
        error_setg(errp, "%s: key type 'number' is not supported; use "
                   "'qcode'", what);
        return NULL;
    }
    if (strcmp(type, "qcode") || !json_is_string(data)) {
        error_setg(errp, "Invalid parameter type for '%s.data', expected: "
                   "QKeyCode", what);
        return NULL;
    }
    return json_string_value(data);
}

static json_t *cmd_send_key(Monitor *mon, json_t *args, Error **errp)
{
    json_t *keys = json_object_get(args, "keys");
    json_t *hold = json_object_get(args, "hold-time");
    const char *names[16];
    size_t i, n = json_array_size(keys);
    json_t *kv;

    if (n > ARRAY_SIZE(names)) {
        error_setg(errp, "send-key takes at most %zu keys",
                   ARRAY_SIZE(names));
        return NULL;
    }
    json_array_foreach(keys, i, kv) {
        if (!(names[i] = key_value_qcode(kv, "keys", errp))) {
            return NULL;
        }
    }
    if (hold && (json_integer_value(hold) < 0 ||
                 json_integer_value(hold) > 60000)) {
        error_setg(errp, "Parameter 'hold-time' must be 0 to 60000 ms");
        return NULL;
    }
    return qmp_send_keys(names, n, hold ? json_integer_value(hold) : -1,
                         errp) ? json_object() : NULL;
}

static json_t *cmd_input_send_event(Monitor *mon, json_t *args, Error **errp)
{
    json_t *events = json_object_get(args, "events");
    Device *i8042 = find_i8042(errp), *kbd, *mouse;
    static const struct { const char *name; unsigned mask; } buttons[] = {
        { "left", PS2_MOUSE_BUTTON_LEFT },
        { "right", PS2_MOUSE_BUTTON_RIGHT },
        { "middle", PS2_MOUSE_BUTTON_MIDDLE },
        { "side", PS2_MOUSE_BUTTON_SIDE },
        { "extra", PS2_MOUSE_BUTTON_EXTRA },
        { "wheel-up", 0 }, { "wheel-down", 0 },
    };
    static unsigned held;       /* buttons down, across commands */
    unsigned new_held = held;
    int dx = 0, dy = 0, dz = 0;
    bool moved = false;
    size_t i;
    json_t *ev;

    if (!i8042) {
        return NULL;
    }
    kbd = i8042_keyboard(i8042);
    mouse = i8042_mouse(i8042);
    /* Validate everything first: a bad event changes nothing. */
    json_array_foreach(events, i, ev) {
        const char *type = json_string_value(json_object_get(ev, "type"));
        json_t *data = json_object_get(ev, "data");

        if (!json_is_object(ev) || !type || !json_is_object(data)) {
            error_setg(errp, "events[%zu]: expected {\"type\": ..., "
                       "\"data\": {...}}", i);
            return NULL;
        }
        if (!strcmp(type, "key")) {
            if (!json_is_boolean(json_object_get(data, "down")) ||
                !key_value_qcode(json_object_get(data, "key"), "key", errp)) {
                if (!*errp) {
                    error_setg(errp, "events[%zu]: key needs 'down' and "
                               "'key'", i);
                }
                return NULL;
            }
            if (ps2_keycode_from_qcode(key_value_qcode(
                    json_object_get(data, "key"), "key", errp)) < 0) {
                error_setg(errp, "events[%zu]: unknown key name", i);
                return NULL;
            }
        } else if (!strcmp(type, "btn")) {
            const char *b = json_string_value(json_object_get(data,
                                                              "button"));
            bool known = false;

            for (unsigned k = 0; b && k < ARRAY_SIZE(buttons); k++) {
                known |= !strcmp(buttons[k].name, b);
            }
            if (!known || !json_is_boolean(json_object_get(data, "down"))) {
                error_setg(errp, "events[%zu]: btn needs 'down' and a "
                           "'button' (left, right, middle, side, extra, "
                           "wheel-up, wheel-down)", i);
                return NULL;
            }
        } else if (!strcmp(type, "rel")) {
            const char *axis = json_string_value(json_object_get(data,
                                                                 "axis"));
            if (!axis || (strcmp(axis, "x") && strcmp(axis, "y")) ||
                !json_is_integer(json_object_get(data, "value"))) {
                error_setg(errp, "events[%zu]: rel needs 'axis' (x or y) "
                           "and an integer 'value'", i);
                return NULL;
            }
        } else if (!strcmp(type, "abs")) {
            error_setg(errp, "events[%zu]: absolute pointer events need a "
                       "tablet, which pcemu does not have (use 'rel')", i);
            return NULL;
        } else {
            error_setg(errp, "events[%zu]: unknown event type '%s'", i, type);
            return NULL;
        }
    }
    json_array_foreach(events, i, ev) {
        const char *type = json_string_value(json_object_get(ev, "type"));
        json_t *data = json_object_get(ev, "data");
        bool down = json_is_true(json_object_get(data, "down"));

        if (!strcmp(type, "key")) {
            const char *q = key_value_qcode(json_object_get(data, "key"),
                                            "key", errp);
            ps2_keyboard_put_keycode(kbd, ps2_keycode_from_qcode(q), down);
        } else if (!strcmp(type, "btn")) {
            const char *b = json_string_value(json_object_get(data,
                                                              "button"));
            moved = true;
            if (!strcmp(b, "wheel-up")) {
                dz -= down;
                continue;
            }
            if (!strcmp(b, "wheel-down")) {
                dz += down;
                continue;
            }
            for (unsigned k = 0; k < ARRAY_SIZE(buttons); k++) {
                if (!strcmp(buttons[k].name, b)) {
                    new_held = down ? new_held | buttons[k].mask
                                    : new_held & ~buttons[k].mask;
                }
            }
        } else if (!strcmp(type, "rel")) {
            int64_t v = json_integer_value(json_object_get(data, "value"));
            int *acc = !strcmp(json_string_value(json_object_get(data,
                                                                 "axis")),
                               "x") ? &dx : &dy;

            v = MAX(-65536, MIN(65536, v));
            *acc += (int)v;
            moved = true;
        }
    }
    if (moved) {
        held = new_held;
        ps2_mouse_event(mouse, dx, dy, dz, held);
    }
    return json_object();
}

/* --- HMP passthrough --------------------------------------------------- */

static json_t *cmd_human_monitor_command(Monitor *mon, json_t *args,
                                         Error **errp)
{
    Monitor hmp = { .chr = NULL, .qmp = false };
    json_t *ret;
    json_t *ci = json_object_get(args, "cpu-index");

    if (ci && (json_integer_value(ci) < 0 ||
               json_integer_value(ci) >= current_machine->nr_cpus)) {
        error_setg(errp, "Parameter 'cpu-index' expects a CPU index");
        return NULL;
    }
    hmp.capture = g_string_new(NULL);
    hmp.line = g_string_new(NULL);
    hmp_execute(&hmp, jstr(args, "command-line"));
    ret = json_stringn(hmp.capture->str, hmp.capture->len);
    g_string_free(hmp.capture, true);
    g_string_free(hmp.line, true);
    return ret;
}

/* --- QOM: the device tree ---------------------------------------------- */

/*
 * Paths: "/" holds "machine"; "/machine" holds every device by its path
 * name ("i8042.0", "serial-isa.0") and "peripheral", which holds the
 * devices with an id= by that id, as QEMU's /machine/peripheral/ID.
 */
static Device *qom_resolve_device(const char *path, bool *is_root,
                                  bool *is_machine, bool *is_periph)
{
    Machine *m = current_machine;

    *is_root = *is_machine = *is_periph = false;
    if (!strcmp(path, "/") || !strcmp(path, "")) {
        *is_root = true;
        return NULL;
    }
    if (!strcmp(path, "/machine")) {
        *is_machine = true;
        return NULL;
    }
    if (!strcmp(path, "/machine/peripheral")) {
        *is_periph = true;
        return NULL;
    }
    if (g_str_has_prefix(path, "/machine/peripheral/")) {
        const char *id = path + strlen("/machine/peripheral/");

        for (Device *d = m->devices; d; d = d->next) {
            if (d->id && !strcmp(d->id, id)) {
                return d;
            }
        }
        return NULL;
    }
    if (g_str_has_prefix(path, "/machine/")) {
        const char *name = path + strlen("/machine/");

        for (Device *d = m->devices; d; d = d->next) {
            if (!strcmp(d->path, name)) {
                return d;
            }
        }
    }
    return NULL;
}

static const char *prop_type_name(PropType t)
{
    switch (t) {
    case PROP_BOOL: return "bool";
    case PROP_U8: return "uint8";
    case PROP_U16: return "uint16";
    case PROP_U32: return "uint32";
    case PROP_U64: return "uint64";
    case PROP_SIZE: return "size";
    case PROP_STRING: return "str";
    case PROP_CHARDEV: return "str";
    case PROP_PCI_DEVFN: return "int32";
    case PROP_END: break;
    }
    return "?";
}

static json_t *qom_entry(const char *name, const char *type)
{
    return json_pack("{s:s,s:s}", "name", name, "type", type);
}

static json_t *cmd_qom_list(Monitor *mon, json_t *args, Error **errp)
{
    const char *path = jstr(args, "path");
    bool root, machine, periph;
    Device *d = qom_resolve_device(path, &root, &machine, &periph);
    json_t *list = json_array();

    json_array_append_new(list, qom_entry("type", "string"));
    if (root) {
        json_array_append_new(list, qom_entry("machine",
                                              "child<pc-i440fx-machine>"));
    } else if (machine || periph) {
        if (machine) {
            json_array_append_new(list, qom_entry("peripheral",
                                                  "child<container>"));
        }
        for (Device *x = current_machine->devices; x; x = x->next) {
            char *t = g_strdup_printf("child<%s>", x->type->name);

            if (machine) {
                json_array_append_new(list, qom_entry(x->path, t));
            } else if (x->id) {
                json_array_append_new(list, qom_entry(x->id, t));
            }
            g_free(t);
        }
    } else if (d) {
        json_array_append_new(list, qom_entry("realized", "bool"));
        for (const Property *p = d->type->props; p && p->type != PROP_END;
             p++) {
            json_array_append_new(list, qom_entry(p->name,
                                                  prop_type_name(p->type)));
        }
    } else {
        json_decref(list);
        qmp_error_class("DeviceNotFound");
        error_setg(errp, "Device '%s' not found", path);
        return NULL;
    }
    return list;
}

static json_t *cmd_qom_get(Monitor *mon, json_t *args, Error **errp)
{
    const char *path = jstr(args, "path"), *prop = jstr(args, "property");
    bool root, machine, periph;
    Device *d = qom_resolve_device(path, &root, &machine, &periph);
    const Property *p;
    char *text;
    json_t *ret;

    if (!d && !root && !machine && !periph) {
        qmp_error_class("DeviceNotFound");
        error_setg(errp, "Device '%s' not found", path);
        return NULL;
    }
    if (!strcmp(prop, "type")) {
        return json_string(d ? d->type->name : machine ? "pc-i440fx-machine"
                                                       : "container");
    }
    if (d && !strcmp(prop, "realized")) {
        return json_boolean(d->realized);
    }
    p = d ? device_find_prop(d, prop) : NULL;
    if (!p) {
        error_setg(errp, "Property '%s' not found", prop);
        return NULL;
    }
    text = device_get_prop(d, p);
    switch (p->type) {
    case PROP_BOOL:
        ret = json_boolean(!strcmp(text, "on"));
        break;
    case PROP_U8:
    case PROP_U16:
    case PROP_U32:
    case PROP_U64:
    case PROP_SIZE:
        ret = json_integer((json_int_t)g_ascii_strtoull(text, NULL, 10));
        break;
    default:
        ret = json_string(text);
        break;
    }
    g_free(text);
    return ret;
}

static json_t *cmd_device_list_properties(Monitor *mon, json_t *args,
                                          Error **errp)
{
    const char *name = jstr(args, "typename");
    const DeviceType *t = device_type_find(name);
    json_t *list;

    if (!t) {
        qmp_error_class("DeviceNotFound");
        error_setg(errp, "Device '%s' not found", name);
        return NULL;
    }
    list = json_array();
    for (const Property *p = t->props; p && p->type != PROP_END; p++) {
        json_t *e = json_pack("{s:s,s:s}", "name", p->name,
                              "type", prop_type_name(p->type));

        if (p->desc) {
            json_object_set_new(e, "description", json_string(p->desc));
        }
        json_array_append_new(list, e);
    }
    return list;
}

/* --- the table ------------------------------------------------------------ */

const QmpCommand qmp_commands[] = {
    { "query-status", cmd_query_status },
    { "query-version", cmd_query_version },
    { "query-commands", cmd_query_commands },
    { "query-name", cmd_query_name },
    { "query-events", cmd_query_events },
    { "query-cpus-fast", cmd_query_cpus_fast },
    { "query-kvm", cmd_query_kvm },
    { "query-machines", cmd_query_machines,
      { { "compat-props", QARG_BOOL, true } } },
    { "query-chardev", cmd_query_chardev },
    { "query-pci", cmd_query_pci },
    { "stop", cmd_stop },
    { "cont", cmd_cont },
    { "system_reset", cmd_system_reset },
    { "system_powerdown", cmd_system_powerdown },
    { "quit", cmd_quit },
    { "screendump", cmd_screendump,
      { { "filename", QARG_STR }, { "device", QARG_STR, true },
        { "head", QARG_INT, true }, { "format", QARG_STR, true } } },
    { "send-key", cmd_send_key,
      { { "keys", QARG_ARRAY }, { "hold-time", QARG_INT, true } } },
    { "input-send-event", cmd_input_send_event,
      { { "events", QARG_ARRAY }, { "device", QARG_STR, true },
        { "head", QARG_INT, true } } },
    { "human-monitor-command", cmd_human_monitor_command,
      { { "command-line", QARG_STR }, { "cpu-index", QARG_INT, true } } },
    { "qom-list", cmd_qom_list, { { "path", QARG_STR } } },
    { "qom-get", cmd_qom_get,
      { { "path", QARG_STR }, { "property", QARG_STR } } },
    { "device-list-properties", cmd_device_list_properties,
      { { "typename", QARG_STR } } },
    { NULL },
};

const QmpCommand *qmp_find_command(const char *name)
{
    for (const QmpCommand *c = qmp_commands; c->name; c++) {
        if (!strcmp(c->name, name)) {
            return c;
        }
    }
    return NULL;
}
