/*
 * Unit tests of the PCI core (hw/pci/pci.c) with a fake device: header
 * fields, BAR sizing and mapping as the guest enables decoding, moves and
 * disables BARs, INTx routing to PIRQs, absent devices, write masks, and
 * BAR mappings restored by a state load.
 *
 * The bus sits on two containers that are the roots of the process's
 * address spaces, so a mapping shows up in address_space_memory/io.
 */
#include "hw/pci/pci.h"

#define FAKE_VENDOR 0x1234
#define FAKE_DEVICE 0x5678

typedef struct FakePCI {
    PCIDevice pci;
    MemoryRegion mmio;      /* BAR 0: 4 KiB memory */
    MemoryRegion io;        /* BAR 1: 32 bytes I/O */
    MemoryRegion mem64;     /* BAR 2+3: 1 MiB 64-bit prefetchable */
    MemoryRegion rom;       /* expansion ROM: 64 KiB */
    uint64_t last_off;
    unsigned reads;
} FakePCI;

static MemoryRegion pci_mem, pci_io;
static PCIBus *bus;
static int pirq_level[4];
static unsigned pirq_calls;

static int fake_map_irq(PCIDevice *d, int pin)
{
    /* As the PIIX3 routes slots: rotate by slot. */
    return ((d->devfn >> 3) + pin) & 3;
}

static void fake_set_pirq(void *opaque, int pirq, int level)
{
    g_assert_true(opaque == &pirq_level);
    g_assert_cmpint(pirq, >=, 0);
    g_assert_cmpint(pirq, <, 4);
    pirq_level[pirq] = level;
    pirq_calls++;
}

static uint64_t fake_read(void *opaque, uint64_t off, unsigned size)
{
    FakePCI *f = opaque;

    f->last_off = off;
    f->reads++;
    return 0xab000000 | off;
}

static void fake_write(void *opaque, uint64_t off, uint64_t v, unsigned size)
{
}

static const MemoryRegionOps fake_ops = {
    .read = fake_read, .write = fake_write,
};

static const PCIDeviceInfo fake_info = {
    .vendor_id = FAKE_VENDOR,
    .device_id = FAKE_DEVICE,
    .revision = 3,
    .class_code = 0x020000,
    .subsystem_vendor_id = 0x1af4,
    .subsystem_id = 0x1100,
};

static const DeviceType fake_type = {
    .name = "fake-pci",
    .bus = BUS_PCI,
    .state_size = sizeof(FakePCI),
};

static FakePCI *fake_plug(int devfn)
{
    FakePCI *f = g_new0(FakePCI, 1);
    Error *err = NULL;

    f->pci.dev.type = &fake_type;
    f->pci.info = &fake_info;
    f->pci.addr_prop = devfn;
    g_assert_true(pci_device_plug(&f->pci, bus, &err));
    g_assert_null(err);
    f->pci.config[PCI_INTERRUPT_PIN] = 1;       /* INTA# */
    memory_region_init_io(&f->mmio, "fake-mmio", &fake_ops, f, 0x1000);
    memory_region_init_io(&f->io, "fake-io", &fake_ops, f, 0x20);
    memory_region_init_io(&f->mem64, "fake-mem64", &fake_ops, f, 0x100000);
    g_assert_true(memory_region_init_rom(&f->rom, "fake-rom", 0x10000,
                                         &err));
    pci_register_bar(&f->pci, 0, 0, &f->mmio);
    pci_register_bar(&f->pci, 1, PCI_BASE_ADDRESS_SPACE_IO, &f->io);
    pci_register_bar(&f->pci, 2, PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &f->mem64);
    pci_register_bar(&f->pci, PCI_ROM_SLOT, 0, &f->rom);
    pci_device_reset(&f->pci);
    return f;
}

/* Each test starts on a bus of its own, with no PIRQ asserted. */
static void bus_fresh(void)
{
    bus = pci_bus_new(&pci_mem, &pci_io, fake_map_irq, fake_set_pirq,
                      &pirq_level);
    memset(pirq_level, 0, sizeof(pirq_level));
    pirq_calls = 0;
}

/* Unplugging is not part of the API: tests remove what they plugged by
 * resetting (which unmaps) and forgetting the device in the bus. */
static void fake_unplug(FakePCI *f)
{
    pci_device_reset(&f->pci);
    g_assert_null(f->mmio.parent);
    g_assert_null(f->io.parent);
    g_assert_null(f->mem64.parent);
    g_assert_null(f->rom.parent);
}

static uint32_t cfg_addr(PCIDevice *d, uint32_t reg)
{
    return (uint32_t)d->devfn << 8 | reg;
}

static uint32_t cfg_read(PCIDevice *d, uint32_t reg, unsigned len)
{
    return pci_config_read(bus, cfg_addr(d, reg), len);
}

static void cfg_write(PCIDevice *d, uint32_t reg, uint32_t v, unsigned len)
{
    pci_config_write(bus, cfg_addr(d, reg), v, len);
}

static const MemoryRegion *mem_at(uint64_t addr)
{
    const FlatRange *r = address_space_lookup(&address_space_memory, addr);

    return r ? r->mr : NULL;
}

static const MemoryRegion *io_at(uint64_t addr)
{
    const FlatRange *r = address_space_lookup(&address_space_io, addr);

    return r ? r->mr : NULL;
}

/* Is mr anywhere in the view of as? */
static bool mapped(AddressSpace *as, const MemoryRegion *mr)
{
    for (unsigned i = 0; i < as->view.nr; i++) {
        if (as->view.ranges[i].mr == mr) {
            return true;
        }
    }
    return false;
}

static void test_header(void)
{
    FakePCI *f = fake_plug(PCI_DEVFN(3, 0));
    PCIDevice *d = &f->pci;

    g_assert_true(pci_bus_find(bus, PCI_DEVFN(3, 0)) == d);
    g_assert_cmpuint(d->devfn, ==, PCI_DEVFN(3, 0));
    g_assert_cmphex(cfg_read(d, PCI_VENDOR_ID, 2), ==, FAKE_VENDOR);
    g_assert_cmphex(cfg_read(d, PCI_DEVICE_ID, 2), ==, FAKE_DEVICE);
    g_assert_cmphex(cfg_read(d, PCI_VENDOR_ID, 4), ==,
                    FAKE_DEVICE << 16 | FAKE_VENDOR);
    g_assert_cmphex(cfg_read(d, PCI_REVISION_ID, 4), ==, 0x02000003);
    g_assert_cmphex(cfg_read(d, PCI_CLASS_DEVICE, 2), ==, 0x0200);
    g_assert_cmphex(cfg_read(d, PCI_HEADER_TYPE, 1), ==, 0);
    g_assert_cmphex(cfg_read(d, PCI_SUBSYSTEM_VENDOR_ID, 4), ==,
                    0x11001af4);
    g_assert_cmphex(cfg_read(d, PCI_INTERRUPT_PIN, 1), ==, 1);
    /* Byte reads of a word. */
    g_assert_cmphex(cfg_read(d, PCI_VENDOR_ID + 1, 1), ==, FAKE_VENDOR >> 8);
    /* BAR type bits before any write. */
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0, 4), ==, 0);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0 + 4, 4), ==, 1);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0 + 8, 4), ==, 0xc);

    /* The same slot cannot be taken twice; a free slot is found. */
    {
        FakePCI *g = g_new0(FakePCI, 1);
        Error *err = NULL;
        g->pci.dev.type = &fake_type;
        g->pci.info = &fake_info;
        g->pci.addr_prop = PCI_DEVFN(3, 0);
        g_assert_false(pci_device_plug(&g->pci, bus, &err));
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(err->msg, "03.0"));
        error_free(err);
        g_assert_true(pci_bus_find(bus, PCI_DEVFN(3, 0)) == d);
        g_free(g);
    }
    fake_unplug(f);
}

static void test_absent(void)
{
    FakePCI *f = fake_plug(PCI_DEVFN(3, 0));
    /* Nothing at 1f.7, on bus 1, or past the 256 bytes. */
    g_assert_cmphex(pci_config_read(bus, PCI_DEVFN(31, 7) << 8, 4), ==,
                    0xffffffff);
    g_assert_cmphex(pci_config_read(bus, PCI_DEVFN(31, 7) << 8, 2), ==,
                    0xffff);
    g_assert_cmphex(pci_config_read(bus, PCI_DEVFN(31, 7) << 8 | 3, 1), ==,
                    0xff);
    g_assert_cmphex(pci_config_read(bus, 1 << 16 | PCI_DEVFN(3, 0) << 8, 4),
                    ==, 0xffffffff);
    g_assert_cmphex(pci_config_read(bus, PCI_DEVFN(3, 0) << 8 | 0xfe, 4),
                    ==, 0xffffffff);
    /* Writes there go nowhere. */
    pci_config_write(bus, PCI_DEVFN(31, 7) << 8 | PCI_COMMAND, 0xffff, 2);
    pci_config_write(bus, PCI_DEVFN(3, 0) << 8 | 0xff, 0xffffffff, 4);
    g_assert_null(pci_bus_find(bus, PCI_DEVFN(31, 7)));
    g_assert_cmphex(pci_config_read(bus, PCI_DEVFN(3, 0) << 8 | 0xfc, 4),
                    ==, 0);
    g_assert_cmphex(pci_config_read(bus, PCI_DEVFN(3, 0) << 8, 2), ==,
                    FAKE_VENDOR);
    /* Function 1 of a present slot is absent. */
    g_assert_cmphex(pci_config_read(bus, PCI_DEVFN(3, 1) << 8, 4), ==,
                    0xffffffff);
    g_assert_true(pci_bus_next(bus, NULL) == &f->pci);
    g_assert_null(pci_bus_next(bus, &f->pci));
    fake_unplug(f);
}

static void test_bar_sizing(void)
{
    FakePCI *f = fake_plug(PCI_DEVFN(3, 0));
    PCIDevice *d = &f->pci;

    cfg_write(d, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0, 4), ==, 0xfffff000);
    cfg_write(d, PCI_BASE_ADDRESS_0 + 4, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0 + 4, 4), ==, 0xffffffe1);
    cfg_write(d, PCI_BASE_ADDRESS_0 + 8, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0 + 8, 4), ==, 0xfff0000c);
    cfg_write(d, PCI_BASE_ADDRESS_0 + 12, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0 + 12, 4), ==, 0xffffffff);
    /* Unimplemented BARs read 0. */
    cfg_write(d, PCI_BASE_ADDRESS_0 + 16, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0 + 16, 4), ==, 0);
    cfg_write(d, PCI_BASE_ADDRESS_0 + 20, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0 + 20, 4), ==, 0);
    /* The ROM BAR: address bits and the enable bit. */
    cfg_write(d, PCI_ROM_ADDRESS, 0xfffffffe, 4);
    g_assert_cmphex(cfg_read(d, PCI_ROM_ADDRESS, 4), ==, 0xffff0000);
    cfg_write(d, PCI_ROM_ADDRESS, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(d, PCI_ROM_ADDRESS, 4), ==, 0xffff0001);
    /* Byte-wise sizing works the same. */
    for (unsigned i = 0; i < 4; i++) {
        cfg_write(d, PCI_BASE_ADDRESS_0 + i, 0, 1);
    }
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0, 4), ==, 0);
    for (unsigned i = 0; i < 4; i++) {
        cfg_write(d, PCI_BASE_ADDRESS_0 + i, 0xff, 1);
    }
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0, 4), ==, 0xfffff000);
    /* Nothing was mapped: decoding is off. */
    g_assert_false(mapped(&address_space_memory, &f->mmio));
    g_assert_false(mapped(&address_space_io, &f->io));
    fake_unplug(f);
}

static void test_bar_mapping(void)
{
    FakePCI *f = fake_plug(PCI_DEVFN(3, 0));
    PCIDevice *d = &f->pci;

    cfg_write(d, PCI_BASE_ADDRESS_0, 0xfebf0000, 4);
    cfg_write(d, PCI_BASE_ADDRESS_0 + 4, 0xc001, 4);
    cfg_write(d, PCI_BASE_ADDRESS_0 + 8, 0, 4);
    cfg_write(d, PCI_BASE_ADDRESS_0 + 12, 0x8, 4);
    cfg_write(d, PCI_ROM_ADDRESS, 0xfeb00000 | PCI_ROM_ADDRESS_ENABLE, 4);
    /* Programmed but not enabled: nothing decodes. */
    g_assert_null(mem_at(0xfebf0000));
    g_assert_null(io_at(0xc000));
    g_assert_null(mem_at(0x800000000ULL));
    g_assert_null(mem_at(0xfeb00000));
    g_assert_cmphex(address_space_ld(&address_space_memory, 0xfebf0010, 4),
                    ==, 0xffffffff);
    g_assert_cmpuint(f->reads, ==, 0);

    /* Memory decoding on: memory BARs and the ROM, not the I/O BAR. */
    cfg_write(d, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_true(mem_at(0xfebf0000) == &f->mmio);
    g_assert_true(mem_at(0xfebf0fff) == &f->mmio);
    g_assert_null(mem_at(0xfebf1000));
    g_assert_null(io_at(0xc000));
    g_assert_true(mem_at(0x800000000ULL) == &f->mem64);
    g_assert_true(mem_at(0x8000fffffULL) == &f->mem64);
    g_assert_true(mem_at(0xfeb00000) == &f->rom);
    g_assert_true(mem_at(0xfeb0ffff) == &f->rom);
    g_assert_cmphex(address_space_ld(&address_space_memory, 0xfebf0010, 4),
                    ==, 0xab000010);
    g_assert_cmphex(f->last_off, ==, 0x10);
    g_assert_cmphex(address_space_ld(&address_space_memory,
                                     0x800000123ULL, 1), ==, 0x23);
    g_assert_cmphex(f->last_off, ==, 0x123);

    /* I/O decoding on as well. */
    cfg_write(d, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO, 2);
    g_assert_true(io_at(0xc000) == &f->io);
    g_assert_true(io_at(0xc01f) == &f->io);
    g_assert_null(io_at(0xc020));
    g_assert_cmphex(address_space_ld(&address_space_io, 0xc004, 1), ==, 0x04);
    g_assert_cmphex(f->last_off, ==, 4);

    /* Moving BARs while decoding. */
    cfg_write(d, PCI_BASE_ADDRESS_0, 0xfebe0000, 4);
    g_assert_null(mem_at(0xfebf0000));
    g_assert_true(mem_at(0xfebe0000) == &f->mmio);
    cfg_write(d, PCI_BASE_ADDRESS_0 + 4, 0xd000, 2);
    g_assert_null(io_at(0xc000));
    g_assert_true(io_at(0xd000) == &f->io);
    cfg_write(d, PCI_BASE_ADDRESS_0 + 12, 0x1, 4);
    g_assert_null(mem_at(0x800000000ULL));
    g_assert_true(mem_at(0x100000000ULL) == &f->mem64);
    /* Only the size's bits count: low bits of an unaligned address. */
    cfg_write(d, PCI_BASE_ADDRESS_0, 0xfebe0800, 4);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0, 4), ==, 0xfebe0000);
    g_assert_true(mem_at(0xfebe0000) == &f->mmio);
    /* The ROM's enable bit. */
    cfg_write(d, PCI_ROM_ADDRESS, 0xfeb00000, 4);
    g_assert_null(mem_at(0xfeb00000));
    cfg_write(d, PCI_ROM_ADDRESS, 0xfea00001, 4);
    g_assert_true(mem_at(0xfea00000) == &f->rom);

    /* Sizing with decoding on: all-ones never maps anything. */
    cfg_write(d, PCI_BASE_ADDRESS_0, 0xffffffff, 4);
    g_assert_false(mapped(&address_space_memory, &f->mmio));
    g_assert_null(mem_at(0xfffff000));
    cfg_write(d, PCI_BASE_ADDRESS_0 + 4, 0xffffffff, 4);
    g_assert_false(mapped(&address_space_io, &f->io));
    cfg_write(d, PCI_BASE_ADDRESS_0 + 8, 0xffffffff, 4);
    cfg_write(d, PCI_BASE_ADDRESS_0 + 12, 0xffffffff, 4);
    g_assert_false(mapped(&address_space_memory, &f->mem64));
    cfg_write(d, PCI_ROM_ADDRESS, 0xffffffff, 4);
    g_assert_false(mapped(&address_space_memory, &f->rom));
    /* ... and restoring maps it back. */
    cfg_write(d, PCI_BASE_ADDRESS_0, 0xfebf0000, 4);
    g_assert_true(mem_at(0xfebf0000) == &f->mmio);
    /* Address 0 does not decode. */
    cfg_write(d, PCI_BASE_ADDRESS_0, 0, 4);
    g_assert_false(mapped(&address_space_memory, &f->mmio));
    cfg_write(d, PCI_BASE_ADDRESS_0, 0xfebf0000, 4);

    /* Decoding off again unmaps everything. */
    cfg_write(d, PCI_COMMAND, 0, 2);
    g_assert_false(mapped(&address_space_memory, &f->mmio));
    g_assert_false(mapped(&address_space_io, &f->io));
    g_assert_false(mapped(&address_space_memory, &f->mem64));
    g_assert_false(mapped(&address_space_memory, &f->rom));
    /* Reset unmaps and clears the BARs. */
    cfg_write(d, PCI_COMMAND, PCI_COMMAND_MEMORY, 2);
    g_assert_true(mapped(&address_space_memory, &f->mmio));
    pci_device_reset(d);
    g_assert_false(mapped(&address_space_memory, &f->mmio));
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0, 4), ==, 0);
    g_assert_cmphex(cfg_read(d, PCI_BASE_ADDRESS_0 + 4, 4), ==, 1);
    g_assert_cmphex(cfg_read(d, PCI_COMMAND, 2), ==, 0);
    fake_unplug(f);
}

static void test_io_bar_top(void)
{
    FakePCI *f = fake_plug(PCI_DEVFN(3, 0));
    PCIDevice *d = &f->pci;

    /* The last 32 bytes of the 64 KiB I/O space are a valid place. */
    cfg_write(d, PCI_BASE_ADDRESS_0 + 4, 0xffe1, 4);
    cfg_write(d, PCI_COMMAND, PCI_COMMAND_IO, 2);
    g_assert_true(io_at(0xffe0) == &f->io);
    g_assert_true(io_at(0xffff) == &f->io);
    /* Past it, nothing. */
    cfg_write(d, PCI_BASE_ADDRESS_0 + 4, 0x10001, 4);
    g_assert_false(mapped(&address_space_io, &f->io));
    fake_unplug(f);
}

static void test_config_masks(void)
{
    FakePCI *f = fake_plug(PCI_DEVFN(3, 0));
    PCIDevice *d = &f->pci;

    /* Read-only identity. */
    cfg_write(d, PCI_VENDOR_ID, 0xffffffff, 4);
    g_assert_cmphex(cfg_read(d, PCI_VENDOR_ID, 4), ==,
                    FAKE_DEVICE << 16 | FAKE_VENDOR);
    cfg_write(d, PCI_REVISION_ID, 0, 4);
    g_assert_cmphex(cfg_read(d, PCI_REVISION_ID, 4), ==, 0x02000003);
    cfg_write(d, PCI_INTERRUPT_PIN, 4, 1);
    g_assert_cmphex(cfg_read(d, PCI_INTERRUPT_PIN, 1), ==, 1);
    /* Command: only the implemented bits stick. */
    cfg_write(d, PCI_COMMAND, 0xffff, 2);
    g_assert_cmphex(cfg_read(d, PCI_COMMAND, 2), ==, 0x0547);
    cfg_write(d, PCI_COMMAND, 0, 2);
    g_assert_cmphex(cfg_read(d, PCI_COMMAND, 2), ==, 0);
    /* Writable bytes. */
    cfg_write(d, PCI_INTERRUPT_LINE, 0x0b, 1);
    g_assert_cmphex(cfg_read(d, PCI_INTERRUPT_LINE, 1), ==, 0x0b);
    cfg_write(d, PCI_CACHE_LINE_SIZE, 0x4010, 2);
    g_assert_cmphex(cfg_read(d, PCI_CACHE_LINE_SIZE, 2), ==, 0x4010);
    cfg_write(d, 0x40, 0x12345678, 4);
    g_assert_cmphex(cfg_read(d, 0x40, 4), ==, 0x12345678);
    cfg_write(d, 0xfc, 0xcafef00d, 4);
    g_assert_cmphex(cfg_read(d, 0xfc, 4), ==, 0xcafef00d);
    /* Status: error bits are write-1-to-clear, the rest read-only. */
    d->config[PCI_STATUS + 1] = 0xf9;
    d->config[PCI_STATUS] = PCI_STATUS_CAP_LIST;
    cfg_write(d, PCI_STATUS, 0x0000, 2);
    g_assert_cmphex(cfg_read(d, PCI_STATUS, 2), ==, 0xf910);
    cfg_write(d, PCI_STATUS, 0x8100, 2);
    g_assert_cmphex(cfg_read(d, PCI_STATUS, 2), ==, 0x7810);
    cfg_write(d, PCI_STATUS, 0xffff, 2);
    g_assert_cmphex(cfg_read(d, PCI_STATUS, 2), ==, 0x0010);
    /* A 4-byte write at COMMAND clears status bits in the same go. */
    d->config[PCI_STATUS + 1] = 0x80;
    cfg_write(d, PCI_COMMAND, 0x80000004, 4);
    g_assert_cmphex(cfg_read(d, PCI_COMMAND, 4), ==, 0x00100004);
    /* A device narrows the writable area. */
    d->wmask[0x44] = 0x0f;
    cfg_write(d, 0x44, 0xff, 1);
    g_assert_cmphex(cfg_read(d, 0x44, 1), ==, 0x0f);
    fake_unplug(f);
}

static void test_intx(void)
{
    /* Slot 3 INTA and slot 7 INTA both land on PIRQ 3; slot 4 on 0. */
    FakePCI *f = fake_plug(PCI_DEVFN(3, 0));
    FakePCI *g = fake_plug(PCI_DEVFN(7, 0));
    FakePCI *h = fake_plug(PCI_DEVFN(4, 0));
    PCIDevice *a = &f->pci, *b = &g->pci, *c = &h->pci;

    memset(pirq_level, 0, sizeof(pirq_level));
    pci_set_irq(a, 1);
    g_assert_cmpint(pirq_level[3], ==, 1);
    g_assert_cmpint(pirq_level[0], ==, 0);
    g_assert_true(cfg_read(a, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    g_assert_false(cfg_read(b, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    pci_set_irq(c, 1);
    g_assert_cmpint(pirq_level[0], ==, 1);
    pci_set_irq(c, 0);
    g_assert_cmpint(pirq_level[0], ==, 0);

    /* Two devices on one PIRQ: the line is their OR. */
    pci_set_irq(b, 1);
    g_assert_cmpint(pirq_level[3], ==, 1);
    pci_set_irq(a, 0);
    g_assert_cmpint(pirq_level[3], ==, 1);
    g_assert_false(cfg_read(a, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    pci_set_irq(b, 0);
    g_assert_cmpint(pirq_level[3], ==, 0);
    /* Repeating a level changes nothing. */
    pci_set_irq(a, 1);
    pci_set_irq(a, 1);
    pci_set_irq(b, 1);
    pci_set_irq(b, 0);
    g_assert_cmpint(pirq_level[3], ==, 1);
    pci_set_irq(a, 0);
    g_assert_cmpint(pirq_level[3], ==, 0);
    pci_set_irq(a, 0);
    pci_set_irq(b, 1);
    g_assert_cmpint(pirq_level[3], ==, 1);
    pci_set_irq(b, 0);
    g_assert_cmpint(pirq_level[3], ==, 0);

    /* INTX_DISABLE masks the pin; the status bit still shows the
     * device's request. */
    pci_set_irq(a, 1);
    g_assert_cmpint(pirq_level[3], ==, 1);
    cfg_write(a, PCI_COMMAND, PCI_COMMAND_INTX_DISABLE, 2);
    g_assert_cmpint(pirq_level[3], ==, 0);
    g_assert_true(cfg_read(a, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT);
    pci_set_irq(a, 0);
    pci_set_irq(a, 1);
    g_assert_cmpint(pirq_level[3], ==, 0);
    /* ... the other device on the PIRQ is not masked. */
    pci_set_irq(b, 1);
    g_assert_cmpint(pirq_level[3], ==, 1);
    pci_set_irq(b, 0);
    g_assert_cmpint(pirq_level[3], ==, 0);
    cfg_write(a, PCI_COMMAND, 0, 2);
    g_assert_cmpint(pirq_level[3], ==, 1);
    /* Reset drops the line. */
    pci_device_reset(a);
    g_assert_cmpint(pirq_level[3], ==, 0);

    /* A device with no interrupt pin never touches a PIRQ. */
    c->config[PCI_INTERRUPT_PIN] = 0;
    pirq_calls = 0;
    pci_set_irq(c, 1);
    pci_set_irq(c, 0);
    g_assert_cmpuint(pirq_calls, ==, 0);
    c->config[PCI_INTERRUPT_PIN] = 1;

    /* INTB of slot 3 goes to PIRQ 0. */
    a->config[PCI_INTERRUPT_PIN] = 2;
    pci_set_irq(a, 1);
    g_assert_cmpint(pirq_level[0], ==, 1);
    pci_set_irq(a, 0);
    g_assert_cmpint(pirq_level[0], ==, 0);
    a->config[PCI_INTERRUPT_PIN] = 1;

    fake_unplug(f);
    fake_unplug(g);
    fake_unplug(h);
}

static void test_state_load(void)
{
    FakePCI *f = fake_plug(PCI_DEVFN(3, 0));
    PCIDevice *d = &f->pci;
    GByteArray *b = g_byte_array_new();
    Error *err = NULL;
    size_t pos = 0;

    cfg_write(d, PCI_BASE_ADDRESS_0, 0xfebf0000, 4);
    cfg_write(d, PCI_BASE_ADDRESS_0 + 4, 0xc001, 4);
    cfg_write(d, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_IO, 2);
    pci_set_irq(d, 1);
    g_assert_cmpint(pirq_level[3], ==, 1);
    vmstate_save(&vmstate_pci_device, d, b);

    pci_device_reset(d);
    g_assert_false(mapped(&address_space_memory, &f->mmio));
    g_assert_cmpint(pirq_level[3], ==, 0);

    g_assert_true(vmstate_load(&vmstate_pci_device, d, b->data, b->len,
                               &pos, &err));
    g_assert_null(err);
    g_assert_true(mem_at(0xfebf0000) == &f->mmio);
    g_assert_true(io_at(0xc000) == &f->io);
    g_assert_cmpint(pirq_level[3], ==, 1);
    pci_set_irq(d, 0);
    g_assert_cmpint(pirq_level[3], ==, 0);
    g_byte_array_free(b, true);
    fake_unplug(f);
}

static void test_dma(void)
{
    FakePCI *f = fake_plug(PCI_DEVFN(3, 0));
    PCIDevice *d = &f->pci;
    MemoryRegion *ram = g_new0(MemoryRegion, 1);
    uint8_t buf[8];

    g_assert_true(memory_region_init_ram(ram, "ram", 0x10000, NULL));
    memcpy(ram->host + 0x100, "abcdefgh", 8);
    memory_region_add_subregion(&pci_mem, 0, ram, 0);
    /* Not a bus master: reads all-ones, writes dropped. */
    g_assert_false(pci_dma_read(d, 0x100, buf, 8));
    g_assert_cmpmem(buf, 8, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
    g_assert_false(pci_dma_write(d, 0x100, "ABCDEFGH", 8));
    g_assert_cmpmem(ram->host + 0x100, 8, "abcdefgh", 8);
    cfg_write(d, PCI_COMMAND, PCI_COMMAND_MASTER, 2);
    g_assert_true(pci_dma_read(d, 0x100, buf, 8));
    g_assert_cmpmem(buf, 8, "abcdefgh", 8);
    g_assert_true(pci_dma_write(d, 0x100, "ABCDEFGH", 8));
    g_assert_cmpmem(ram->host + 0x100, 8, "ABCDEFGH", 8);
    memory_region_del_subregion(&pci_mem, ram);
    fake_unplug(f);
}

typedef void TestFn(void);

static void run_on_fresh_bus(gconstpointer data)
{
    TestFn *fn = (TestFn *)data;

    bus_fresh();
    fn();
}

static void add_test(const char *path, TestFn *fn)
{
    g_test_add_data_func(path, (gconstpointer)fn, run_on_fresh_bus);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    memory_region_init_container(&pci_mem, "pci-memory", UINT64_MAX);
    address_space_init(&address_space_memory, &pci_mem, "memory");
    memory_region_init_container(&pci_io, "pci-io", 0x10000);
    address_space_init(&address_space_io, &pci_io, "I/O");

    add_test("/pci/header", test_header);
    add_test("/pci/absent", test_absent);
    add_test("/pci/bar-sizing", test_bar_sizing);
    add_test("/pci/bar-mapping", test_bar_mapping);
    add_test("/pci/io-bar-top", test_io_bar_top);
    add_test("/pci/config-masks", test_config_masks);
    add_test("/pci/intx", test_intx);
    add_test("/pci/state-load", test_state_load);
    add_test("/pci/dma", test_dma);
    return g_test_run();
}
