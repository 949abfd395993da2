/*
 * isa-debug-exit: a port that ends pcemu, for test programs that run
 * without an operating system (kvm-unit-tests, our tests/guest). Same
 * interface as QEMU's: iobase= (default 501h), iosize= (default 2); a
 * write of value v, of any width, at any offset, exits the process with
 * status (v << 1) | 1, so a guest can never fake pcemu's own 0 ("ran
 * normally") or 1 ("failed to start").
 *
 * status-mode=raw (a pcemu extension) makes the status v itself, for
 * harnesses that want the guest's code unchanged. Either way the host
 * keeps only the low 8 bits of an exit status.
 *
 * The exit goes through system_exit_request(): the main loop stops the
 * vCPUs and exits cleanly (terminal restored, files flushed).
 * Reads return 0, as QEMU's.
 */
#include "hw/core/device.h"
#include "hw/machine.h"
#include "softmmu/runstate.h"

typedef struct DebugExitState {
    Device dev;
    /* properties */
    uint32_t iobase;
    uint32_t iosize;
    char *status_mode;
    /* wiring */
    bool raw;
    MemoryRegion io;
} DebugExitState;

static uint64_t debug_exit_io_read(void *opaque, uint64_t offset,
                                   unsigned size)
{
    return 0;
}

static void debug_exit_io_write(void *opaque, uint64_t offset,
                                uint64_t value, unsigned size)
{
    DebugExitState *s = opaque;
    int status = s->raw ? (int)(value & 0xff)
                        : (int)(((value << 1) | 1) & 0xff);

    system_exit_request(status);
}

static const MemoryRegionOps debug_exit_io_ops = {
    .read = debug_exit_io_read,
    .write = debug_exit_io_write,
    .valid_min = 1,
    .valid_max = 4,
    .impl_min = 1,
    .impl_max = 4,      /* outw/outl: the whole value, not its bytes */
};

static bool debug_exit_realize(Device *dev, Machine *m, Error **errp)
{
    DebugExitState *s = container_of(dev, DebugExitState, dev);

    if (!s->status_mode || !strcmp(s->status_mode, "qemu")) {
        s->raw = false;
    } else if (!strcmp(s->status_mode, "raw")) {
        s->raw = true;
    } else {
        error_setg(errp, "status-mode must be 'qemu' "
                   "((v << 1) | 1) or 'raw' (v), not '%s'", s->status_mode);
        return false;
    }
    if (s->iosize == 0 || s->iobase > 0xffff ||
        s->iosize > 0x10000 - s->iobase) {
        error_setg(errp, "ports 0x%x + %u do not fit the "
                   "I/O space", s->iobase, s->iosize);
        return false;
    }
    memory_region_init_io(&s->io, "isa-debug-exit", &debug_exit_io_ops, s,
                          s->iosize);
    memory_region_add_subregion(m->system_io, s->iobase, &s->io, 0);
    return true;
}

static const Property debug_exit_props[] = {
    DEFINE_PROP_U32("iobase", DebugExitState, iobase, 0x501,
                    "first I/O port"),
    DEFINE_PROP_U32("iosize", DebugExitState, iosize, 2,
                    "number of ports"),
    { .name = "status-mode", .type = PROP_STRING,
      .offset = offsetof(DebugExitState, status_mode), .defstr = "qemu",
      .desc = "exit status: qemu = (v << 1) | 1, raw = v" },
    DEFINE_PROP_END
};

static const VMStateField debug_exit_fields[] = {
    VMSTATE_END
};

static const VMStateDescription vmstate_debug_exit = {
    .name = "isa-debug-exit",
    .version = 1,
    .min_version = 1,
    .fields = debug_exit_fields,
};

const DeviceType isa_debug_exit_type = {
    .name = "isa-debug-exit",
    .desc = "exits pcemu with status (v << 1) | 1 when written",
    .bus = BUS_ISA,
    .state_size = sizeof(DebugExitState),
    .user_creatable = true,
    .realize = debug_exit_realize,
    .props = debug_exit_props,
    .vmsd = &vmstate_debug_exit,
};
