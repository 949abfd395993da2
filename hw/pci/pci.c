/*
 * The PCI bus core: configuration space (PCI Local Bus Specification 3.0,
 * chapter 6), BAR decoding and mapping, INTx routing to the board's PIRQ
 * lines, bus-master DMA.
 *
 * BARs are mapped into the bus's memory or I/O container when the guest
 * enables decoding in PCI_COMMAND and programs an address; an address the
 * guest wrote while sizing (all ones) or one that would wrap is left
 * unmapped, as the address would not decode on real hardware either.
 */
#include "hw/pci/pci.h"

struct PCIBus {
    MemoryRegion *mem, *io;
    PCIDevice *devices[256];
    int (*map_irq)(PCIDevice *d, int pin);
    void (*set_pirq)(void *opaque, int pirq, int level);
    void *opaque;
    int pirq_count[4];          /* devices asserting each PIRQ */
};

static void pci_update_mappings(PCIDevice *d);
static void pci_update_intx(PCIDevice *d);

PCIBus *pci_bus_new(MemoryRegion *mem, MemoryRegion *io,
                    int (*map_irq)(PCIDevice *d, int pin),
                    void (*set_pirq)(void *opaque, int pirq, int level),
                    void *opaque)
{
    PCIBus *bus = g_new0(PCIBus, 1);

    bus->mem = mem;
    bus->io = io;
    bus->map_irq = map_irq;
    bus->set_pirq = set_pirq;
    bus->opaque = opaque;
    return bus;
}

PCIDevice *pci_bus_find(PCIBus *bus, uint8_t devfn)
{
    return bus->devices[devfn];
}

PCIDevice *pci_bus_next(PCIBus *bus, PCIDevice *after)
{
    for (unsigned i = after ? after->devfn + 1u : 0; i < 256; i++) {
        if (bus->devices[i]) {
            return bus->devices[i];
        }
    }
    return NULL;
}

/* --- config space helpers --------------------------------------------- */

static void set_word(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static void set_long(uint8_t *p, uint32_t v)
{
    set_word(p, v);
    set_word(p + 2, v >> 16);
}

static uint32_t get_long(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t get_word(const uint8_t *p)
{
    return p[0] | p[1] << 8;
}

static void pci_init_header(PCIDevice *d)
{
    const PCIDeviceInfo *info = d->info;
    uint8_t *c = d->config;

    memset(c, 0, PCI_CONFIG_SPACE_SIZE);
    memset(d->wmask, 0, PCI_CONFIG_SPACE_SIZE);
    memset(d->w1cmask, 0, PCI_CONFIG_SPACE_SIZE);
    set_word(c + PCI_VENDOR_ID, info->vendor_id);
    set_word(c + PCI_DEVICE_ID, info->device_id);
    c[PCI_REVISION_ID] = info->revision;
    c[PCI_CLASS_PROG] = info->class_code & 0xff;
    set_word(c + PCI_CLASS_DEVICE, info->class_code >> 8);
    c[PCI_HEADER_TYPE] = info->multifunction ?
                         PCI_HEADER_TYPE_MULTI_FUNCTION : 0;
    /* Devices without their own subsystem IDs carry QEMU's (Red Hat
     * 1af4, "QEMU virtual machine" 1100): SeaBIOS recognises a QEMU-like
     * board by them on the host bridge and then honours CMOS boot order
     * and fw_cfg. */
    set_word(c + PCI_SUBSYSTEM_VENDOR_ID, info->subsystem_vendor_id ?
             info->subsystem_vendor_id : PCI_SUBVENDOR_ID_REDHAT_QUMRANET);
    set_word(c + PCI_SUBSYSTEM_ID, info->subsystem_vendor_id ?
             info->subsystem_id : PCI_SUBDEVICE_ID_QEMU);
    /* Writable: command (IO, memory, master, parity, SERR, INTx disable),
     * cache line size, latency timer, interrupt line. */
    set_word(d->wmask + PCI_COMMAND, 0x0547);
    set_word(d->w1cmask + PCI_STATUS, 0xf900);  /* error bits */
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_LATENCY_TIMER] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
    /* Device-specific registers are writable unless the device says
     * otherwise (its realize narrows wmask). */
    memset(d->wmask + 0x40, 0xff, PCI_CONFIG_SPACE_SIZE - 0x40);
}

bool pci_device_plug(PCIDevice *d, PCIBus *bus, Error **errp)
{
    int devfn = d->addr_prop;

    assert(d->info);
    if (devfn < 0) {
        /* First free slot from 1 up, function 0; slot 0 is the host
         * bridge's. */
        for (devfn = 8; devfn < 256; devfn += 8) {
            if (!bus->devices[devfn]) {
                break;
            }
        }
        if (devfn >= 256) {
            error_setg(errp, "no free PCI slot for '%s'",
                       d->dev.type->name);
            return false;
        }
    } else if (bus->devices[devfn]) {
        error_setg(errp, "PCI address %02x.%x is already in use by '%s'",
                   devfn >> 3, devfn & 7,
                   bus->devices[devfn]->dev.type->name);
        return false;
    }
    d->bus = bus;
    d->devfn = devfn;
    for (int i = 0; i < PCI_NUM_REGIONS; i++) {
        d->bars[i].addr = PCI_BAR_UNMAPPED;
    }
    pci_init_header(d);
    bus->devices[devfn] = d;
    return true;
}

void pci_register_bar(PCIDevice *d, int n, uint8_t type, MemoryRegion *mr)
{
    PCIBar *bar = &d->bars[n];
    uint64_t size = mr->size;
    int reg = n == PCI_ROM_SLOT ? PCI_ROM_ADDRESS : PCI_BASE_ADDRESS_0 + n * 4;
    uint64_t mask;

    assert(n >= 0 && n < PCI_NUM_REGIONS);
    assert(size && !(size & (size - 1)));
    if (type & PCI_BASE_ADDRESS_SPACE_IO) {
        assert(n != PCI_ROM_SLOT && size >= 4 && size <= 256);
        size = MAX(size, 4);
    } else {
        size = MAX(size, 16);
    }
    bar->mr = mr;
    bar->size = size;
    bar->type = type;
    bar->addr = PCI_BAR_UNMAPPED;
    mask = ~(size - 1);
    if (n == PCI_ROM_SLOT) {
        set_long(d->wmask + reg, (uint32_t)(mask & ~0x7ffULL) |
                 PCI_ROM_ADDRESS_ENABLE);
    } else {
        set_long(d->config + reg, type);
        set_long(d->wmask + reg, (uint32_t)mask &
                 ((type & PCI_BASE_ADDRESS_SPACE_IO) ? ~3u : ~15u));
        if (type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
            assert(n < PCI_NUM_BARS - 1);
            set_long(d->wmask + reg + 4, (uint32_t)(mask >> 32));
        }
    }
}

/* --- BAR decoding -------------------------------------------------------- */

/* The address BAR n decodes at, or PCI_BAR_UNMAPPED. */
static uint64_t pci_bar_address(PCIDevice *d, int n)
{
    PCIBar *bar = &d->bars[n];
    uint16_t cmd = get_word(d->config + PCI_COMMAND);
    uint64_t addr, last, limit;

    if (n == PCI_ROM_SLOT) {
        uint32_t v = get_long(d->config + PCI_ROM_ADDRESS);
        if (!(cmd & PCI_COMMAND_MEMORY) || !(v & PCI_ROM_ADDRESS_ENABLE)) {
            return PCI_BAR_UNMAPPED;
        }
        addr = v & ~(bar->size - 1) & 0xfffff800u;
        limit = UINT32_MAX;
    } else if (bar->type & PCI_BASE_ADDRESS_SPACE_IO) {
        if (!(cmd & PCI_COMMAND_IO)) {
            return PCI_BAR_UNMAPPED;
        }
        addr = get_long(d->config + PCI_BASE_ADDRESS_0 + n * 4) &
               ~(bar->size - 1) & ~3u;
        /* A BAR may end at port 0xffff, so the limit is one past it;
         * all-ones while sizing sets the upper 16 bits and stays out. */
        limit = 0x10000;
    } else {
        if (!(cmd & PCI_COMMAND_MEMORY)) {
            return PCI_BAR_UNMAPPED;
        }
        addr = get_long(d->config + PCI_BASE_ADDRESS_0 + n * 4) & ~15u;
        limit = UINT32_MAX;
        if (bar->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
            addr |= (uint64_t)get_long(d->config + PCI_BASE_ADDRESS_0 +
                                       n * 4 + 4) << 32;
            limit = UINT64_MAX;
        }
        addr &= ~(bar->size - 1);
    }
    last = addr + bar->size - 1;
    /* Zero, wrapping, or touching the top (all-ones while sizing). */
    if (addr == 0 || last < addr || last >= limit) {
        return PCI_BAR_UNMAPPED;
    }
    return addr;
}

static void pci_update_mappings(PCIDevice *d)
{
    memory_transaction_begin();
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        PCIBar *bar = &d->bars[n];
        uint64_t addr;
        MemoryRegion *space;

        if (!bar->mr) {
            continue;
        }
        addr = pci_bar_address(d, n);
        if (addr == bar->addr) {
            continue;
        }
        space = (bar->type & PCI_BASE_ADDRESS_SPACE_IO) ? d->bus->io
                                                        : d->bus->mem;
        if (bar->addr != PCI_BAR_UNMAPPED) {
            memory_region_del_subregion(space, bar->mr);
        }
        bar->addr = addr;
        if (addr != PCI_BAR_UNMAPPED) {
            /* Priority 1: a BAR wins over the container's background. */
            memory_region_add_subregion(space, addr, bar->mr, 1);
        }
    }
    memory_transaction_commit();
}

void pci_device_update_mappings(PCIDevice *d)
{
    pci_update_mappings(d);
    pci_update_intx(d);
}

/* --- config access --------------------------------------------------------- */

uint32_t pci_default_config_read(PCIDevice *d, uint32_t addr, unsigned len)
{
    uint32_t v = 0;

    for (unsigned i = 0; i < len; i++) {
        v |= (uint32_t)d->config[addr + i] << (8 * i);
    }
    return v;
}

static bool ranges_overlap(uint32_t a, unsigned alen, uint32_t b,
                           unsigned blen)
{
    return a < b + blen && b < a + alen;
}

void pci_default_config_write(PCIDevice *d, uint32_t addr, uint32_t val,
                              unsigned len)
{
    for (unsigned i = 0; i < len; i++) {
        uint8_t b = val >> (8 * i);
        uint8_t wm = d->wmask[addr + i], w1c = d->w1cmask[addr + i];
        uint8_t *c = &d->config[addr + i];

        *c = (*c & ~wm) | (b & wm);
        *c &= ~(b & w1c);
    }
    if (ranges_overlap(addr, len, PCI_BASE_ADDRESS_0, 24) ||
        ranges_overlap(addr, len, PCI_ROM_ADDRESS, 4) ||
        ranges_overlap(addr, len, PCI_COMMAND, 2)) {
        pci_update_mappings(d);
    }
    if (ranges_overlap(addr, len, PCI_COMMAND, 2)) {
        pci_update_intx(d);
    }
}

static PCIDevice *config_target(PCIBus *bus, uint32_t addr, unsigned len,
                                uint32_t *reg)
{
    unsigned busno = (addr >> 16) & 0xff;

    *reg = addr & 0xff;
    if (busno != 0 || *reg + len > PCI_CONFIG_SPACE_SIZE) {
        return NULL;
    }
    return bus->devices[(addr >> 8) & 0xff];
}

uint32_t pci_config_read(PCIBus *bus, uint32_t addr, unsigned len)
{
    uint32_t reg;
    PCIDevice *d = config_target(bus, addr, len, &reg);

    if (!d) {
        return len == 4 ? 0xffffffffu : (1u << (8 * len)) - 1;
    }
    if (d->info->config_read) {
        return d->info->config_read(d, reg, len);
    }
    return pci_default_config_read(d, reg, len);
}

void pci_config_write(PCIBus *bus, uint32_t addr, uint32_t val, unsigned len)
{
    uint32_t reg;
    PCIDevice *d = config_target(bus, addr, len, &reg);

    if (!d) {
        return;
    }
    if (d->info->config_write) {
        d->info->config_write(d, reg, val, len);
    } else {
        pci_default_config_write(d, reg, val, len);
    }
}

/* --- INTx ------------------------------------------------------------------ */

static void pci_update_intx(PCIDevice *d)
{
    uint16_t cmd = get_word(d->config + PCI_COMMAND);
    bool assert_now = d->irq_level && !(cmd & PCI_COMMAND_INTX_DISABLE);
    int pin = d->config[PCI_INTERRUPT_PIN];
    int pirq;

    if (assert_now == d->intx_asserted || pin < 1 || pin > 4) {
        d->intx_asserted = assert_now && pin >= 1 && pin <= 4;
        return;
    }
    d->intx_asserted = assert_now;
    pirq = d->bus->map_irq(d, pin - 1);
    assert(pirq >= 0 && pirq < 4);
    d->bus->pirq_count[pirq] += assert_now ? 1 : -1;
    d->bus->set_pirq(d->bus->opaque, pirq, d->bus->pirq_count[pirq] > 0);
}

void pci_set_irq(PCIDevice *d, int level)
{
    level = level != 0;
    if (level) {
        d->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
    } else {
        d->config[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
    }
    d->irq_level = level;
    pci_update_intx(d);
}

void pci_device_reset(PCIDevice *d)
{
    pci_set_irq(d, 0);
    /* Power-on: decoding off, BARs and writable registers zero. */
    set_word(d->config + PCI_COMMAND, 0);
    /* Status: error bits (write-1-to-clear) clear; read-only bits such
     * as DEVSEL timing and the capability list stay. */
    set_word(d->config + PCI_STATUS, get_word(d->config + PCI_STATUS) &
             ~get_word(d->w1cmask + PCI_STATUS));
    d->config[PCI_CACHE_LINE_SIZE] = 0;
    d->config[PCI_LATENCY_TIMER] = 0;
    d->config[PCI_INTERRUPT_LINE] = 0;
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        int reg = n == PCI_ROM_SLOT ? PCI_ROM_ADDRESS
                                    : PCI_BASE_ADDRESS_0 + n * 4;
        if (!d->bars[n].mr) {
            continue;
        }
        set_long(d->config + reg, n == PCI_ROM_SLOT ? 0 : d->bars[n].type);
        if (d->bars[n].type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
            set_long(d->config + reg + 4, 0);
        }
    }
    pci_update_mappings(d);
}

uint8_t pci_add_capability(PCIDevice *d, uint8_t cap_id, uint8_t offset,
                           uint8_t size)
{
    if (!offset) {
        /* The first run of size unused bytes after the header. */
        unsigned run = 0;
        for (unsigned i = 0x40; i < PCI_CONFIG_SPACE_SIZE; i++) {
            bool used = d->config[i] != 0;
            run = used ? 0 : run + 1;
            if (run == size) {
                offset = (i + 1 - size + 3) & ~3u;
                break;
            }
        }
        assert(offset && offset + size <= PCI_CONFIG_SPACE_SIZE);
    }
    d->config[offset] = cap_id;
    d->config[offset + 1] = d->config[PCI_CAPABILITY_LIST];
    d->config[PCI_CAPABILITY_LIST] = offset;
    d->config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
    return offset;
}

/* --- DMA ------------------------------------------------------------------- */

static bool pci_master_enabled(PCIDevice *d)
{
    return get_word(d->config + PCI_COMMAND) & PCI_COMMAND_MASTER;
}

bool pci_dma_read(PCIDevice *d, uint64_t addr, void *buf, uint64_t len)
{
    if (!pci_master_enabled(d)) {
        memset(buf, 0xff, len);
        return false;
    }
    return address_space_read(&address_space_memory, addr, buf, len);
}

bool pci_dma_write(PCIDevice *d, uint64_t addr, const void *buf,
                   uint64_t len)
{
    if (!pci_master_enabled(d)) {
        return false;
    }
    return address_space_write(&address_space_memory, addr, buf, len);
}

/* --- state ----------------------------------------------------------------- */

static bool pci_post_load(void *opaque, int version, Error **errp)
{
    pci_device_update_mappings(opaque);
    return true;
}

static const VMStateField pci_device_fields[] = {
    VMSTATE_BUFFER(config, PCIDevice),
    VMSTATE_I32(irq_level, PCIDevice),
    VMSTATE_END
};

const VMStateDescription vmstate_pci_device = {
    .name = "PCIDevice",
    .version = 1,
    .min_version = 1,
    .fields = pci_device_fields,
    .post_load = pci_post_load,
};
