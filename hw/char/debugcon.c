/*
 * isa-debugcon: Bochs' port E9h debug console, also what SeaBIOS writes
 * its log to at port 402h ("-chardev file,id=seabios,path=bios.log
 * -device isa-debugcon,iobase=0x402,chardev=seabios"). Source: the Bochs
 * user manual, "port E9 hack", and QEMU's isa-debugcon.
 *
 * Every byte written goes to the chardev (none: it vanishes). Reads
 * return readback= (default E9h), which is how guests detect the port.
 *
 * Not emulated: nothing; there is nothing else to it.
 */
#include "hw/core/device.h"
#include "hw/machine.h"
#include "chardev/char.h"

typedef struct DebugconState {
    Device dev;
    /* properties */
    uint32_t iobase;
    uint32_t readback;
    Chardev *chr;
    /* wiring */
    MemoryRegion io;
} DebugconState;

static uint64_t debugcon_io_read(void *opaque, uint64_t offset,
                                 unsigned size)
{
    DebugconState *s = opaque;

    return s->readback & 0xff;
}

static void debugcon_io_write(void *opaque, uint64_t offset, uint64_t value,
                              unsigned size)
{
    DebugconState *s = opaque;
    uint8_t c = value;

    chardev_write(s->chr, &c, 1);
}

static const MemoryRegionOps debugcon_io_ops = {
    .read = debugcon_io_read,
    .write = debugcon_io_write,
    .valid_min = 1,
    .valid_max = 4,
    .impl_min = 1,
    .impl_max = 1,
};

static bool debugcon_realize(Device *dev, Machine *m, Error **errp)
{
    DebugconState *s = container_of(dev, DebugconState, dev);
    /* Output only: a front end with no read callback is never fed, but
     * holding the chardev keeps a second device from sharing it. */
    ChardevFrontend fe = { .opaque = s };

    if (s->iobase > 0xffff) {
        error_setg(errp, "iobase 0x%x is past the I/O space",
                   s->iobase);
        return false;
    }
    if (s->chr && !chardev_attach(s->chr, &fe, errp)) {
        return false;
    }
    memory_region_init_io(&s->io, "isa-debugcon", &debugcon_io_ops, s, 1);
    memory_region_add_subregion(m->system_io, s->iobase, &s->io, 0);
    return true;
}

static const Property debugcon_props[] = {
    DEFINE_PROP_U32("iobase", DebugconState, iobase, 0xe9,
                    "I/O port (SeaBIOS logs to 0x402)"),
    DEFINE_PROP_U32("readback", DebugconState, readback, 0xe9,
                    "value a read of the port returns"),
    DEFINE_PROP_CHARDEV("chardev", DebugconState, chr,
                        "ID of the -chardev that gets the bytes"),
    DEFINE_PROP_END
};

/* No guest-visible state: the port is write-only. */
static const VMStateField debugcon_fields[] = {
    VMSTATE_END
};

static const VMStateDescription vmstate_debugcon = {
    .name = "isa-debugcon",
    .version = 1,
    .min_version = 1,
    .fields = debugcon_fields,
};

const DeviceType isa_debugcon_type = {
    .name = "isa-debugcon",
    .desc = "Bochs/QEMU debug console port (0xe9; SeaBIOS: 0x402)",
    .bus = BUS_ISA,
    .state_size = sizeof(DebugconState),
    .user_creatable = true,
    .realize = debugcon_realize,
    .props = debugcon_props,
    .vmsd = &vmstate_debugcon,
};
