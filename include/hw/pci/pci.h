/*
 * PCI: a bus of devices with 256-byte configuration spaces, BARs mapped
 * into the machine's memory and I/O spaces when the guest enables them,
 * and INTx pins routed by the board (PIIX3 PIRQ registers).
 *
 * A PCI device's state struct starts with a PCIDevice. Configuration
 * space follows the PCI Local Bus Specification 3.0, chapter 6.
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include "hw/core/device.h"
#include "hw/irq.h"
#include "softmmu/memory.h"

#define PCI_CONFIG_SPACE_SIZE 256
#define PCI_NUM_BARS 6
#define PCI_ROM_SLOT 6
#define PCI_NUM_REGIONS 7

/* Configuration header (type 0), PCI 3.0 section 6.1. */
#define PCI_VENDOR_ID       0x00
#define PCI_DEVICE_ID       0x02
#define PCI_COMMAND         0x04
#define  PCI_COMMAND_IO         0x0001
#define  PCI_COMMAND_MEMORY     0x0002
#define  PCI_COMMAND_MASTER     0x0004
#define  PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS          0x06
#define  PCI_STATUS_INTERRUPT   0x0008
#define  PCI_STATUS_CAP_LIST    0x0010
#define PCI_REVISION_ID     0x08
#define PCI_CLASS_PROG      0x09
#define PCI_CLASS_DEVICE    0x0a
#define PCI_CACHE_LINE_SIZE 0x0c
#define PCI_LATENCY_TIMER   0x0d
#define PCI_HEADER_TYPE     0x0e
#define  PCI_HEADER_TYPE_MULTI_FUNCTION 0x80
#define PCI_BASE_ADDRESS_0  0x10
#define  PCI_BASE_ADDRESS_SPACE_IO  0x01
#define  PCI_BASE_ADDRESS_MEM_TYPE_64 0x04
#define  PCI_BASE_ADDRESS_MEM_PREFETCH 0x08
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID    0x2e
#define  PCI_SUBVENDOR_ID_REDHAT_QUMRANET 0x1af4
#define  PCI_SUBDEVICE_ID_QEMU  0x1100
#define PCI_ROM_ADDRESS     0x30
#define  PCI_ROM_ADDRESS_ENABLE 0x01
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE  0x3c
#define PCI_INTERRUPT_PIN   0x3d

typedef struct PCIDevice PCIDevice;
typedef struct PCIBus PCIBus;

typedef struct PCIBar {
    MemoryRegion *mr;       /* NULL: BAR not implemented */
    uint64_t size;          /* power of two */
    uint8_t type;           /* low bits of the BAR: IO, 64-bit, prefetch */
    uint64_t addr;          /* where it is mapped, or PCI_BAR_UNMAPPED */
} PCIBar;
#define PCI_BAR_UNMAPPED (~0ULL)

/* Identity and callbacks of a PCI device type, beside its DeviceType. */
typedef struct PCIDeviceInfo {
    uint16_t vendor_id, device_id;
    uint8_t revision;
    uint32_t class_code;        /* class << 16 | subclass << 8 | prog-if */
    uint16_t subsystem_vendor_id, subsystem_id;
    bool multifunction;
    /* Optional: device-specific config registers (after the core's
     * handling of the header); addr is the byte offset. */
    uint32_t (*config_read)(PCIDevice *d, uint32_t addr, unsigned len);
    void (*config_write)(PCIDevice *d, uint32_t addr, uint32_t val,
                         unsigned len);
} PCIDeviceInfo;

struct PCIDevice {
    Device dev;
    /* guest-visible state */
    uint8_t config[PCI_CONFIG_SPACE_SIZE];
    /* wiring */
    uint8_t wmask[PCI_CONFIG_SPACE_SIZE];   /* writable bits */
    uint8_t w1cmask[PCI_CONFIG_SPACE_SIZE]; /* write-1-to-clear bits */
    const PCIDeviceInfo *info;
    PCIBus *bus;
    uint8_t devfn;          /* slot << 3 | function */
    int32_t addr_prop;      /* "addr" property (DEFINE_PROP_PCI_DEVFN):
                               -1 = first free slot */
    PCIBar bars[PCI_NUM_REGIONS];
    int irq_level;          /* INTx output as the device drives it */
    bool intx_asserted;     /* irq_level and not INTX_DISABLE */
};

/* The core's handling of a config access; device hooks call these for
 * the registers they do not handle themselves. */
uint32_t pci_default_config_read(PCIDevice *d, uint32_t addr, unsigned len);
void pci_default_config_write(PCIDevice *d, uint32_t addr, uint32_t val,
                              unsigned len);
/* Every PCI device type lists this property first: addr=SLOT[.FN]. */
#define DEFINE_PROP_PCI_ADDR(st) \
    DEFINE_PROP_PCI_DEVFN("addr", st, pci.addr_prop, "PCI slot[.function]")

/* Shared state-description entry for the config space. */
extern const VMStateDescription vmstate_pci_device;
#define VMSTATE_PCI_DEVICE(f, st) \
    VMSTATE_STRUCT(f, st, vmstate_pci_device, PCIDevice)

/* Board side. map_irq gives the PIRQ (0-3) for a device's pin (0 = INTA);
 * set_pirq is called with the OR of all devices' levels on that PIRQ. */
PCIBus *pci_bus_new(MemoryRegion *mem, MemoryRegion *io,
                    int (*map_irq)(PCIDevice *d, int pin),
                    void (*set_pirq)(void *opaque, int pirq, int level),
                    void *opaque);
PCIDevice *pci_bus_find(PCIBus *bus, uint8_t devfn);
/* Every device on the bus, by devfn (for info pci, query-pci). */
PCIDevice *pci_bus_next(PCIBus *bus, PCIDevice *after);

/* Configuration mechanism #1 access (the host bridge calls these). addr
 * is bus:8 devfn:8 reg:8; absent devices read all-ones. */
uint32_t pci_config_read(PCIBus *bus, uint32_t addr, unsigned len);
void pci_config_write(PCIBus *bus, uint32_t addr, uint32_t val,
                      unsigned len);

/* Device side, from realize: plugs d into the bus at its addr property
 * (or the first free slot) and fills the header from d->info. */
bool pci_device_plug(PCIDevice *d, PCIBus *bus, Error **errp);
/* Declares BAR n (size a power of two, >= 16 for memory, >= 4 for IO).
 * The core maps mr where the guest programs it, when decoding is on. */
void pci_register_bar(PCIDevice *d, int n, uint8_t type, MemoryRegion *mr);
/* Sets the device's INTx level (pin from PCI_INTERRUPT_PIN). */
void pci_set_irq(PCIDevice *d, int level);
/* Resets the header's writable part and unmaps the BARs. */
void pci_device_reset(PCIDevice *d);
/* Re-maps BARs from config space after a load. */
void pci_device_update_mappings(PCIDevice *d);
/* Adds a capability at offset (or, if 0, the first run of zero bytes after
 * the header: devices with registers there pass offsets); returns
 * its offset. */
uint8_t pci_add_capability(PCIDevice *d, uint8_t cap_id, uint8_t offset,
                           uint8_t size);
/* DMA from the device's point of view (bus master). */
bool pci_dma_read(PCIDevice *d, uint64_t addr, void *buf, uint64_t len);
bool pci_dma_write(PCIDevice *d, uint64_t addr, const void *buf,
                   uint64_t len);

#define PCI_DEVICE(p) (&(p)->pci)
#define PCI_DEVFN(slot, fn) ((uint8_t)(((slot) << 3) | (fn)))

#endif
