/*
 * isa-serial: the 16550A UART (serial.c) on the ISA bus, as the PC's
 * COM ports. index= picks COM1-COM4's standard port and IRQ (3F8h/IRQ4,
 * 2F8h/IRQ3, 3E8h/IRQ4, 2E8h/IRQ3); iobase= and irq= override them, and
 * a port past COM4 needs both. Without index= the next free one is used,
 * so "-device isa-serial,chardev=c1" after the board's COM1 becomes COM2.
 */
#include "hw/char/serial.h"
#include "hw/core/device.h"
#include "hw/machine.h"

#define ISA_SERIAL_UNSET    UINT32_MAX

typedef struct ISASerialState {
    Device dev;
    /* properties */
    uint32_t index;
    uint32_t iobase;
    uint32_t irq;
    Chardev *chr;
    /* the chip */
    SerialState uart;
} ISASerialState;

static bool isa_serial_realize(Device *dev, Machine *m, Error **errp)
{
    ISASerialState *s = container_of(dev, ISASerialState, dev);
    char *name;

    if (s->index == ISA_SERIAL_UNSET) {
        s->index = m->nr_serial;
    }
    if (s->iobase == ISA_SERIAL_UNSET || s->irq == ISA_SERIAL_UNSET) {
        if (s->index >= SERIAL_ISA_MAX) {
            error_setg(errp, "index %u has no standard I/O port "
                       "and IRQ (COM1-COM4 are 0-3); give iobase= and irq=",
                       s->index);
            return false;
        }
        if (s->iobase == ISA_SERIAL_UNSET) {
            s->iobase = serial_isa_iobase[s->index];
        }
        if (s->irq == ISA_SERIAL_UNSET) {
            s->irq = serial_isa_irq[s->index];
        }
    }
    if (s->iobase > 0x10000 - UART_IO_SIZE) {
        error_setg(errp, "iobase 0x%x is past the I/O space "
                   "(at most 0x%x)", s->iobase, 0x10000 - UART_IO_SIZE);
        return false;
    }
    if (s->irq >= 16) {
        error_setg(errp, "irq %u is not an ISA IRQ (0-15)",
                   s->irq);
        return false;
    }
    name = g_strdup_printf("serial%u", s->index);
    if (!serial_init(&s->uart, name, s->chr, machine_gsi(m, s->irq),
                     errp)) {
        g_free(name);
        return false;
    }
    memory_region_add_subregion(m->system_io, s->iobase, &s->uart.io, 0);
    if (m->nr_serial <= s->index) {
        m->nr_serial = s->index + 1;
    }
    return true;
}

static void isa_serial_reset(Device *dev)
{
    ISASerialState *s = container_of(dev, ISASerialState, dev);

    serial_reset(&s->uart);
}

static const Property isa_serial_props[] = {
    DEFINE_PROP_U32("index", ISASerialState, index, ISA_SERIAL_UNSET,
                    "COM port number from 0 (default: next free)"),
    DEFINE_PROP_U32("iobase", ISASerialState, iobase, ISA_SERIAL_UNSET,
                    "I/O port (default: from index)"),
    DEFINE_PROP_U32("irq", ISASerialState, irq, ISA_SERIAL_UNSET,
                    "ISA IRQ (default: from index)"),
    DEFINE_PROP_CHARDEV("chardev", ISASerialState, chr,
                        "ID of the -chardev for the line"),
    DEFINE_PROP_END
};

static const VMStateField isa_serial_fields[] = {
    VMSTATE_STRUCT(uart, ISASerialState, vmstate_serial, SerialState),
    VMSTATE_END
};

static const VMStateDescription vmstate_isa_serial = {
    .name = "isa-serial",
    .version = 1,
    .min_version = 1,
    .fields = isa_serial_fields,
};

const DeviceType isa_serial_type = {
    .name = "isa-serial",
    .desc = "16550A UART (COM port)",
    .bus = BUS_ISA,
    .state_size = sizeof(ISASerialState),
    .user_creatable = true,
    .realize = isa_serial_realize,
    .reset = isa_serial_reset,
    .props = isa_serial_props,
    .vmsd = &vmstate_isa_serial,
};
