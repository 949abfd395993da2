/*
 * System control port B (61h) of the PC/AT, as the PIIX3 implements it
 * ("NMI Status and Control Register"): the PIT channel 2 gate, the
 * speaker data enable, the refresh toggle and channel 2's OUT.
 *
 * Source: Intel 82371FB/82371SB (PIIX/PIIX3) datasheet, NMI status and
 * control register (port 61h): bits 3:0 read/write, bits 7:4 read-only.
 *
 * Emulated: bit 0 (TIM2 gate), bit 1 (speaker data enable), bits 2 and
 * 3 (PCI SERR# / IOCHK# NMI enables, stored), bit 4 (refresh cycle
 * toggle, flips every 15.085 us of virtual time, as the refresh
 * request from PIT channel 1 at its standard count of 18), bit 5 (OUT2).
 *
 * Not emulated: sound (the speaker is OUT2 AND bit 1; the audio back end
 * comes later); the NMI sources of bits 6 and 7 read 0 (no IOCHK#, no
 * SERR# ever happens).
 */
#include "hw/core/device.h"
#include "hw/machine.h"
#include "hw/timer/i8254.h"
#include "softmmu/memory.h"
#include "softmmu/timer.h"

#define PORTB_TIM2_GATE     0x01
#define PORTB_SPKR_DATA     0x02
#define PORTB_SERR_DISABLE  0x04
#define PORTB_IOCHK_DISABLE 0x08
#define PORTB_WRITABLE      0x0f
#define PORTB_REFRESH       0x10
#define PORTB_OUT2          0x20

/* DRAM refresh period of the AT: 18 PIT clocks. */
#define PORTB_REFRESH_NS    15085

typedef struct PCSpkState {
    Device dev;

    /* guest-visible state */
    uint8_t ctrl;           /* bits 3:0 as written */

    /* properties */
    uint16_t iobase;
    char *pit_name;

    /* wiring */
    Device *pit;
    MemoryRegion io;
} PCSpkState;

static PCSpkState *pcspk_of(Device *dev)
{
    return container_of(dev, PCSpkState, dev);
}

static uint64_t pcspk_io_read(void *opaque, uint64_t offset, unsigned size)
{
    PCSpkState *s = opaque;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    uint8_t val = s->ctrl;

    if ((now / PORTB_REFRESH_NS) & 1) {
        val |= PORTB_REFRESH;
    }
    if (s->pit && pit_get_out(s->pit, 2)) {
        val |= PORTB_OUT2;
    }
    return val;
}

static void pcspk_io_write(void *opaque, uint64_t offset, uint64_t value,
                           unsigned size)
{
    PCSpkState *s = opaque;

    s->ctrl = value & PORTB_WRITABLE;
    if (s->pit) {
        pit_set_gate(s->pit, 2, s->ctrl & PORTB_TIM2_GATE);
    }
}

static const MemoryRegionOps pcspk_io_ops = {
    .read = pcspk_io_read,
    .write = pcspk_io_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,
};

static void pcspk_reset(Device *dev)
{
    PCSpkState *s = pcspk_of(dev);

    s->ctrl = 0;
    if (s->pit) {
        pit_set_gate(s->pit, 2, 0);
    }
}

/* The PIT is the one named by the "pit" property, else the machine's
 * first isa-pit (the board creates it first). */
static bool pcspk_realize(Device *dev, Machine *m, Error **errp)
{
    PCSpkState *s = pcspk_of(dev);

    if (s->pit_name) {
        s->pit = machine_find_device(m, s->pit_name);
        if (!s->pit || strcmp(s->pit->type->name, "isa-pit")) {
            error_setg(errp, "isa-pcspk: pit '%s' is not an isa-pit device",
                       s->pit_name);
            return false;
        }
    } else {
        for (Device *d = m->devices; d; d = d->next) {
            if (!strcmp(d->type->name, "isa-pit")) {
                s->pit = d;
                break;
            }
        }
        if (!s->pit) {
            error_setg(errp, "isa-pcspk needs an isa-pit created before it");
            return false;
        }
    }
    memory_region_init_io(&s->io, "pcspk", &pcspk_io_ops, s, 1);
    memory_region_add_subregion(m->system_io, s->iobase, &s->io, 0);
    return true;
}

static bool pcspk_post_load(void *opaque, int version, Error **errp)
{
    PCSpkState *s = opaque;

    if (s->ctrl & ~PORTB_WRITABLE) {
        error_setg(errp, "isa-pcspk: inconsistent port 61h value %02x",
                   s->ctrl);
        return false;
    }
    /* The PIT saves its own GATE; this only agrees with it. */
    pit_set_gate(s->pit, 2, s->ctrl & PORTB_TIM2_GATE);
    return true;
}

static const VMStateField pcspk_fields[] = {
    VMSTATE_U8(ctrl, PCSpkState),
    VMSTATE_END
};

static const VMStateDescription vmstate_pcspk = {
    .name = "pcspk",
    .version = 1,
    .min_version = 1,
    .fields = pcspk_fields,
    .post_load = pcspk_post_load,
};

static const Property pcspk_props[] = {
    DEFINE_PROP_U16("iobase", PCSpkState, iobase, 0x61, "I/O port"),
    DEFINE_PROP_STRING("pit", PCSpkState, pit_name,
                       "id or path of the isa-pit whose channel 2 it gates"),
    DEFINE_PROP_END
};

const DeviceType pcspk_type = {
    .name = "isa-pcspk",
    .desc = "PC speaker / system control port B (61h)",
    .bus = BUS_SYSTEM,
    .state_size = sizeof(PCSpkState),
    .user_creatable = false,
    .realize = pcspk_realize,
    .reset = pcspk_reset,
    .props = pcspk_props,
    .vmsd = &vmstate_pcspk,
};
