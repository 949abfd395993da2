/*
 * The standard VGA with Bochs VBE extensions on PCI: QEMU's "VGA" device
 * (PCI 1234:1111, class 0300h), the adapter `-vga std` and `-device VGA`
 * give and Linux's bochs DRM driver and SeaVGABIOS (vgabios-stdvga.bin)
 * drive.
 *
 * BARs, as QEMU lays them out:
 *   BAR0  video memory as a linear framebuffer (prefetchable, vgamem_mb)
 *   BAR2  4 KiB MMIO: EDID at 000h, VGA ports 3C0h-3DFh at 400h, the DISPI
 *         registers at 500h (16-bit, index * 2), QEMU's extended
 *         registers at 600h (region size; framebuffer byte order)
 *   ROM   vgabios-stdvga.bin from Debian's seabios package, which SeaBIOS
 *         copies to C0000h and runs ("Start SeaVGABIOS")
 * plus the legacy VGA ports, the A0000h window and the DISPI ports
 * 1CEh/1CFh, all in hw/display/vga.c.
 *
 * Not emulated: the EDID blob (reads as zeros, which Linux takes as "no
 * EDID" and falls back to its default modes); big-endian framebuffers
 * (the byte-order register keeps little-endian).
 */
#include "hw/display/vga.h"
#include "hw/machine.h"
#include "hw/pci/pci.h"

#define VGA_PCI_VENDOR_ID       0x1234
#define VGA_PCI_DEVICE_ID       0x1111
#define VGA_PCI_REVISION        0x02
#define VGA_PCI_CLASS           0x030000    /* display, VGA compatible */
#define VGA_PCI_ROMFILE         "vgabios-stdvga.bin"

/* BAR2 layout. */
#define VGA_MMIO_SIZE           0x1000
#define VGA_MMIO_EDID           0x000
#define VGA_MMIO_EDID_SIZE      0x400
#define VGA_MMIO_VGA_IO         0x400       /* ports 3C0h-3DFh */
#define VGA_MMIO_VGA_IO_SIZE    0x20
#define VGA_MMIO_BOCHS          0x500       /* DISPI register n at n * 2 */
#define VGA_MMIO_QEXT           0x600
#define  VGA_QEXT_REG_SIZE      0x00        /* size of the qext region */
#define  VGA_QEXT_REG_BYTEORDER 0x04
#define  VGA_QEXT_LITTLE_ENDIAN 0x1e1e1e1e
#define VGA_QEXT_SIZE           8

typedef struct VGAPCIState {
    PCIDevice pci;
    /* guest-visible state */
    VGAState vga;
    /* wiring */
    uint32_t vgamem_mb;             /* property */
    char *romfile;                  /* property */
    bool mmio_bar;                  /* property "mmio" */
    MemoryRegion mmio;
    MemoryRegion rom;
} VGAPCIState;

static VGAPCIState *vga_pci_from_device(Device *dev)
{
    return container_of(dev, VGAPCIState, pci.dev);
}

/* --- BAR2 ------------------------------------------------------------------ */

static uint64_t vga_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    VGAPCIState *d = opaque;
    VGAState *s = &d->vga;

    if (offset < VGA_MMIO_EDID + VGA_MMIO_EDID_SIZE) {
        return 0;
    }
    if (offset >= VGA_MMIO_VGA_IO &&
        offset < VGA_MMIO_VGA_IO + VGA_MMIO_VGA_IO_SIZE) {
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++) {
            v |= (uint64_t)vga_ioport_read(s, 0x3c0 + offset -
                                           VGA_MMIO_VGA_IO + i) << (8 * i);
        }
        return v;
    }
    if (offset >= VGA_MMIO_BOCHS &&
        offset < VGA_MMIO_BOCHS + 2 * VBE_DISPI_INDEX_NB) {
        s->vbe_index = (offset - VGA_MMIO_BOCHS) / 2;
        return vbe_ioport_read_data(s);
    }
    switch (offset) {
    case VGA_MMIO_QEXT + VGA_QEXT_REG_SIZE:
        return VGA_QEXT_SIZE;
    case VGA_MMIO_QEXT + VGA_QEXT_REG_BYTEORDER:
        return VGA_QEXT_LITTLE_ENDIAN;
    }
    guest_error("VGA: MMIO read at %#" PRIx64, offset);
    return UINT64_MAX >> (64 - 8 * size);
}

static void vga_mmio_write(void *opaque, uint64_t offset, uint64_t value,
                           unsigned size)
{
    VGAPCIState *d = opaque;
    VGAState *s = &d->vga;

    if (offset >= VGA_MMIO_VGA_IO &&
        offset < VGA_MMIO_VGA_IO + VGA_MMIO_VGA_IO_SIZE) {
        for (unsigned i = 0; i < size; i++) {
            vga_ioport_write(s, 0x3c0 + offset - VGA_MMIO_VGA_IO + i,
                             value >> (8 * i));
        }
        return;
    }
    if (offset >= VGA_MMIO_BOCHS &&
        offset < VGA_MMIO_BOCHS + 2 * VBE_DISPI_INDEX_NB) {
        s->vbe_index = (offset - VGA_MMIO_BOCHS) / 2;
        vbe_ioport_write_data(s, value);
        return;
    }
    if (offset == VGA_MMIO_QEXT + VGA_QEXT_REG_BYTEORDER) {
        if (value != VGA_QEXT_LITTLE_ENDIAN) {
            unimp_log("VGA: big-endian framebuffer requested");
        }
        return;
    }
    guest_error("VGA: MMIO write at %#" PRIx64 " = %#" PRIx64, offset,
                value);
}

/*
 * The VGA ports take bytes (a 16-bit write is split into index and data,
 * as the core does), the DISPI registers 16-bit words, the qext registers
 * 32-bit words: the callbacks take what comes, up to 4 bytes.
 */
static const MemoryRegionOps vga_mmio_ops = {
    .read = vga_mmio_read,
    .write = vga_mmio_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 4,
};

/* --- device ---------------------------------------------------------------- */

static const PCIDeviceInfo vga_pci_info = {
    .vendor_id = VGA_PCI_VENDOR_ID,
    .device_id = VGA_PCI_DEVICE_ID,
    .revision = VGA_PCI_REVISION,
    .class_code = VGA_PCI_CLASS,
    .subsystem_vendor_id = PCI_SUBVENDOR_ID_REDHAT_QUMRANET,
    .subsystem_id = PCI_SUBDEVICE_ID_QEMU,
};

extern const DeviceType vga_pci_type;
extern const DeviceType cirrus_vga_type;     /* hw/display/cirrus-vga.c */

/* The option ROM image, its BAR rounded up to a power of two. */
static bool vga_pci_load_rom(VGAPCIState *d, Machine *m, Error **errp)
{
    const char *name = d->romfile ? d->romfile : VGA_PCI_ROMFILE;
    char *path;
    gchar *data = NULL;
    gsize size = 0;
    GError *gerr = NULL;
    uint64_t bar_size = 2 * KiB;

    if (!*name) {
        return true;        /* romfile="": no ROM, as QEMU */
    }
    path = machine_find_firmware(m, name);
    if (!path) {
        error_setg(errp, "could not find the VGA BIOS '%s': install Debian's "
                   "'seabios' package (apt-get install seabios) or name "
                   "one with romfile= or -L DIR", name);
        return false;
    }
    if (!g_file_get_contents(path, &data, &size, &gerr)) {
        error_setg(errp, "could not read VGA BIOS '%s': %s", path,
                   gerr->message);
        g_error_free(gerr);
        g_free(path);
        return false;
    }
    g_free(path);
    if (size == 0 || size > 16 * MiB) {
        error_setg(errp, "VGA BIOS '%s' is %zu bytes: it must be 1 byte to "
                   "16 MiB", name, (size_t)size);
        g_free(data);
        return false;
    }
    while (bar_size < size) {
        bar_size <<= 1;
    }
    if (!memory_region_init_rom(&d->rom, "vga.rom", bar_size, errp)) {
        g_free(data);
        return false;
    }
    memcpy(d->rom.host, data, size);
    g_free(data);
    return true;
}

static bool vga_pci_realize(Device *dev, Machine *m, Error **errp)
{
    VGAPCIState *d = vga_pci_from_device(dev);
    uint32_t mb = d->vgamem_mb;

    /* The legacy ports and window exist once per machine. */
    for (Device *o = m->devices; o; o = o->next) {
        if (o->type == &vga_pci_type || o->type == &cirrus_vga_type) {
            error_setg(errp, "only one VGA adapter fits a machine (%s has "
                       "the legacy ports; use -vga none to add your own)",
                       o->id ? o->id : o->path);
            return false;
        }
    }
    if (mb < 1 || mb > 256 || (mb & (mb - 1))) {
        error_setg(errp, "vgamem_mb=%u: video memory must be a power of "
                   "two from 1 to 256 MiB", mb);
        return false;
    }
    if (!vga_pci_load_rom(d, m, errp)) {
        return false;
    }
    d->pci.info = &vga_pci_info;
    if (!pci_device_plug(&d->pci, m->pci_bus, errp) ||
        !vga_init(&d->vga, dev->path, mb * MiB, errp)) {
        return false;
    }
    vga_map_legacy(&d->vga, m->pci_memory, m->system_io);
    pci_register_bar(&d->pci, 0, PCI_BASE_ADDRESS_MEM_PREFETCH,
                     &d->vga.vram_mr);
    if (d->mmio_bar) {
        memory_region_init_io(&d->mmio, "vga.mmio", &vga_mmio_ops, d,
                              VGA_MMIO_SIZE);
        pci_register_bar(&d->pci, 2, 0, &d->mmio);
    }
    if (d->rom.size) {
        pci_register_bar(&d->pci, PCI_ROM_SLOT, 0, &d->rom);
    }
    return true;
}

static void vga_pci_reset(Device *dev)
{
    VGAPCIState *d = vga_pci_from_device(dev);

    pci_device_reset(&d->pci);
    vga_reset(&d->vga);
}

static bool vga_pci_post_load(void *opaque, int version, Error **errp)
{
    VGAPCIState *d = opaque;

    pci_device_update_mappings(&d->pci);
    return vga_post_load(&d->vga, errp);
}

static const VMStateField vga_pci_fields[] = {
    VMSTATE_PCI_DEVICE(pci, VGAPCIState),
    VMSTATE_STRUCT(vga, VGAPCIState, vmstate_vga, VGAState),
    VMSTATE_END
};

static const VMStateDescription vmstate_vga_pci = {
    .name = "VGA",
    .version = 1,
    .min_version = 1,
    .fields = vga_pci_fields,
    .post_load = vga_pci_post_load,
};

static const Property vga_pci_props[] = {
    DEFINE_PROP_PCI_ADDR(VGAPCIState),
    DEFINE_PROP_U32("vgamem_mb", VGAPCIState, vgamem_mb, 16,
                    "video memory in MiB (power of two, 1-256)"),
    DEFINE_PROP_STRING("romfile", VGAPCIState, romfile,
                       "option ROM image (default vgabios-stdvga.bin; "
                       "empty: none)"),
    DEFINE_PROP_BOOL("mmio", VGAPCIState, mmio_bar, true,
                     "the MMIO BAR2 with the VGA and DISPI registers"),
    DEFINE_PROP_END
};

const DeviceType vga_pci_type = {
    .name = "VGA",
    .desc = "standard VGA with Bochs VBE extensions (PCI 1234:1111)",
    .bus = BUS_PCI,
    .state_size = sizeof(VGAPCIState),
    .user_creatable = true,
    .realize = vga_pci_realize,
    .reset = vga_pci_reset,
    .props = vga_pci_props,
    .vmsd = &vmstate_vga_pci,
};

/* --- -vga ---------------------------------------------------------------------- */

const char *vga_parse_option(const char *arg)
{
    if (!strcmp(arg, "std") || !strcmp(arg, "none") ||
        !strcmp(arg, "cirrus")) {
        return arg;
    }
    if (!strcmp(arg, "help")) {
        printf("std      standard VGA with Bochs VBE extensions "
               "(-device VGA)\n"
               "none     no display adapter\n"
               "cirrus   Cirrus Logic CL-GD5446 (-device cirrus-vga)\n");
        exit(0);
    }
    fatal("-vga %s: unknown or unsupported display adapter (std, cirrus or "
          "none; -vga help lists them)", arg);
}

const char *vga_choose_default(const char *vga_opt, bool nodefaults,
                               const char *const *device_args,
                               unsigned nr_device_args)
{
    if (vga_opt) {
        return vga_opt;
    }
    if (nodefaults) {
        return "none";
    }
    /* As QEMU: a -device that is a display adapter replaces the default. */
    for (unsigned i = 0; i < nr_device_args; i++) {
        const char *a = device_args[i];
        size_t n = strcspn(a, ",");
        if (n == strlen(vga_pci_type.name) &&
            !strncmp(a, vga_pci_type.name, n)) {
            return "none";
        }
        if (n == strlen(cirrus_vga_type.name) &&
            !strncmp(a, cirrus_vga_type.name, n)) {
            return "none";
        }
    }
    return "std";
}
