/*
 * Intel 82371SB PIIX3, function 0: the PCI-to-ISA bridge. Source: Intel
 * 82371FB (PIIX) and 82371SB (PIIX3) PCI ISA IDE Xcelerator datasheet,
 * section 2.2 (PCI configuration, PIRQRC[A:D] at 60h-63h) and 2.7 (port
 * 92h).
 *
 * Emulated: PIRQ routing of PCI INTA-D to ISA IRQs (several PIRQs may
 * share an IRQ: the IRQ is the OR of them), port 92h (fast A20 and fast
 * reset). The ELCR (4D0h-4D1h) is modelled with the i8259 pair; the reset
 * control register (CF9h) with the host bridge, whose dword it shares.
 *
 * Not emulated: the IDE (function 1, added by the storage work) and USB
 * (function 2) functions, the ISA DMA controllers (added with the sound
 * work), SMI/APM features, the X-bus chip selects (stored, no effect).
 */
#include "hw/pci/i440fx.h"
#include "hw/machine.h"

#define PIIX3_PIRQRC        0x60    /* A-D at 60h-63h */
#define  PIRQRC_DISABLE         0x80
#define  PIRQRC_IRQ_MASK        0x0f

#define PORT92_FAST_RESET   0x01
#define PORT92_A20          0x02

typedef struct PIIX3State {
    PCIDevice pci;
    /* guest-visible state */
    uint8_t port92;
    int32_t pirq_level[4];
    /* wiring */
    MemoryRegion port92_io;
    Machine *machine;
    int irq_level[16];          /* last level sent to each ISA IRQ */
} PIIX3State;

static PIIX3State *piix3_from_dev(Device *dev)
{
    return container_of(dev, PIIX3State, pci.dev);
}

/* ISA IRQ a PIRQ is routed to, or -1. IRQ 0-2, 8 and 13 are reserved
 * for motherboard devices (datasheet: "IRQ0, 1, 2, 8, 13 reserved"). */
static int pirq_target(const PIIX3State *s, int pirq)
{
    uint8_t r = s->pci.config[PIIX3_PIRQRC + pirq];
    int irq = r & PIRQRC_IRQ_MASK;

    if ((r & PIRQRC_DISABLE) || irq < 3 || irq == 8 || irq == 13) {
        return -1;
    }
    return irq;
}

static void piix3_update_irq(PIIX3State *s)
{
    int level[16] = { 0 };

    for (int p = 0; p < 4; p++) {
        int irq = pirq_target(s, p);
        if (irq >= 0 && s->pirq_level[p]) {
            level[irq] = 1;
        }
    }
    for (int irq = 0; irq < 16; irq++) {
        /* Only IRQs a PIRQ drives or drove: others belong to ISA
         * devices. */
        if (level[irq] != s->irq_level[irq]) {
            s->irq_level[irq] = level[irq];
            irq_set(machine_gsi(s->machine, irq), level[irq]);
        }
    }
}

void piix3_set_pirq(Device *piix3, int pirq, int level)
{
    PIIX3State *s = piix3_from_dev(piix3);

    assert(pirq >= 0 && pirq < 4);
    s->pirq_level[pirq] = level;
    piix3_update_irq(s);
}

int piix3_map_irq(PCIDevice *d, int pin)
{
    /* The i440FX board wiring: INTA of slot s is PIRQ (s - 1) mod 4, each
     * further pin the next PIRQ (QEMU's pc and SeaBIOS agree on this). */
    return (pin + (d->devfn >> 3) - 1) & 3;
}

bool piix3_a20_enabled(Device *piix3)
{
    return piix3_from_dev(piix3)->port92 & PORT92_A20;
}

static void piix3_config_write(PCIDevice *d, uint32_t addr, uint32_t val,
                               unsigned len)
{
    pci_default_config_write(d, addr, val, len);
    if (addr < PIIX3_PIRQRC + 4 && addr + len > PIIX3_PIRQRC) {
        piix3_update_irq(container_of(d, PIIX3State, pci));
    }
}

/* --- port 92h ------------------------------------------------------------ */

static uint64_t port92_read(void *opaque, uint64_t off, unsigned size)
{
    PIIX3State *s = opaque;

    return s->port92;
}

static void port92_write(void *opaque, uint64_t off, uint64_t val,
                         unsigned size)
{
    PIIX3State *s = opaque;

    s->port92 = val & (PORT92_A20 | PORT92_FAST_RESET);
    if (val & PORT92_FAST_RESET) {
        /* Fast init: a pulse on the CPU's INIT line. The whole machine
         * resets here, as QEMU does. */
        system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static const MemoryRegionOps port92_ops = {
    .read = port92_read,
    .write = port92_write,
    .valid_min = 1, .valid_max = 1,
};

/* --- device ------------------------------------------------------------- */

static const PCIDeviceInfo piix3_info = {
    .vendor_id = 0x8086,
    .device_id = 0x7000,
    .revision = 0x00,
    .class_code = 0x060100,     /* ISA bridge */
    .multifunction = true,
    .config_write = piix3_config_write,
};

static bool piix3_realize(Device *dev, Machine *m, Error **errp)
{
    PIIX3State *s = piix3_from_dev(dev);

    s->machine = m;
    s->pci.info = &piix3_info;
    s->pci.addr_prop = PCI_DEVFN(1, 0);
    if (!pci_device_plug(&s->pci, m->pci_bus, errp)) {
        return false;
    }
    memory_region_init_io(&s->port92_io, "port92", &port92_ops, s, 1);
    memory_region_add_subregion(m->system_io, 0x92, &s->port92_io, 0);
    return true;
}

static void piix3_reset(Device *dev)
{
    PIIX3State *s = piix3_from_dev(dev);
    uint8_t *c = s->pci.config;

    pci_device_reset(&s->pci);
    /* Power-on values from the datasheet's register table. */
    c[PCI_COMMAND] = 0x07;      /* I/O, memory, bus master */
    c[PCI_STATUS] = 0x00;
    c[PCI_STATUS + 1] = 0x02;   /* DEVSEL medium */
    c[0x4c] = 0x4d;             /* IORT */
    c[0x4e] = 0x03;             /* XBCS */
    memset(c + PIIX3_PIRQRC, PIRQRC_DISABLE, 4);
    c[0x69] = 0x02;             /* TOM */
    c[0x70] = 0x80;             /* MBIRQ0 */
    c[0x76] = 0x0c;             /* MBDMA */
    c[0x77] = 0x0c;
    c[0x80] = 0x00;             /* APICBA */
    c[0x82] = 0x00;             /* DLC */
    c[0xa0] = 0x08;             /* SMICNTL */
    c[0xa8] = 0x0f;             /* SMIREQ */
    memset(s->pirq_level, 0, sizeof(s->pirq_level));
    s->port92 = 0;
    piix3_update_irq(s);
}

static bool piix3_post_load(void *opaque, int version, Error **errp)
{
    PIIX3State *s = opaque;

    for (int p = 0; p < 4; p++) {
        if (s->pirq_level[p] != 0 && s->pirq_level[p] != 1) {
            error_setg(errp, "PIRQ level %d out of range", s->pirq_level[p]);
            return false;
        }
    }
    piix3_update_irq(s);
    return true;
}

static const VMStateField piix3_fields[] = {
    VMSTATE_PCI_DEVICE(pci, PIIX3State),
    VMSTATE_U8(port92, PIIX3State),
    VMSTATE_FIELD_(PIIX3State, pirq_level, VMS_I32, 4, 0),
    VMSTATE_END
};

static const VMStateDescription vmstate_piix3 = {
    .name = "PIIX3",
    .version = 1,
    .min_version = 1,
    .fields = piix3_fields,
    .post_load = piix3_post_load,
};

const DeviceType piix3_type = {
    .name = "PIIX3",
    .desc = "Intel 82371SB PIIX3 PCI-to-ISA bridge",
    .bus = BUS_SYSTEM,
    .state_size = sizeof(PIIX3State),
    .realize = piix3_realize,
    .reset = piix3_reset,
    .vmsd = &vmstate_piix3,
};
