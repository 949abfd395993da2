/*
 * Intel 82441FX PCI and Memory Controller (PMC), the host bridge of the
 * i440FX chipset. Source: Intel 440FX PCIset datasheet (82441FX PMC and
 * 82442FX DBX), sections 3.2 (configuration mechanism #1) and 3.3 (PCI
 * configuration registers: PAM0-6 at 59h-5Fh, SMRAM at 72h).
 *
 * Emulated: CONFIG_ADDRESS (CF8h) / CONFIG_DATA (CFCh-CFFh), the PAM
 * registers that shadow 0C0000h-0FFFFFh (read/write enables per segment),
 * and the SMRAM register's D_OPEN/D_LCK bits for the 0A0000h-0BFFFFh
 * window. The PIIX3's reset control register (CF9h) sits inside the
 * CF8h-CFBh dword; byte accesses to CF9h are passed to it.
 *
 * Not emulated: SMM (the window opens only through D_OPEN, as QEMU does
 * with smm=off), DRAM timing/row registers (read back what was written),
 * write-only PAM mode (HW: reads would go to PCI; like QEMU we route both
 * directions to PCI, which no firmware relies on), the DBX buffers.
 */
#include "hw/pci/i440fx.h"
#include "hw/machine.h"

#define I440FX_PAM0         0x59
#define I440FX_PAM_COUNT    7
#define  PAM_RE                 0x1     /* per nibble: read enable */
#define  PAM_WE                 0x2     /* per nibble: write enable */
#define I440FX_SMRAM        0x72
#define  SMRAM_C_BASE_SEG       0x02    /* fixed: window at A0000h */
#define  SMRAM_G_SMRAME         0x08
#define  SMRAM_D_LCK            0x10
#define  SMRAM_D_CLS            0x20
#define  SMRAM_D_OPEN           0x40

#define CONFIG_ADDRESS_ENABLE   0x80000000u

/* PAM segments: PAM0 high nibble covers F0000h-FFFFFh (64 KiB); PAM1-6
 * each cover two 16 KiB segments from C0000h to EFFFFh. */
#define PAM_SEGMENTS 13

typedef struct PAMSegment {
    MemoryRegion ram;       /* alias of guest RAM (read-only in RE mode) */
    MemoryRegion pci;       /* alias of PCI space: the ROMs behind */
} PAMSegment;

struct I440FXState {
    PCIDevice pci;
    /* guest-visible state */
    uint32_t config_address;
    uint8_t rcr;            /* PIIX3 reset control (CF9h) */
    /* wiring */
    MemoryRegion conf_io;
    MemoryRegion smram_window;  /* PCI's VGA window over RAM at A0000h */
    PAMSegment pam[PAM_SEGMENTS];
};

static uint64_t pam_seg_start(int i)
{
    return i == 0 ? 0xf0000 : 0xc0000 + (uint64_t)(i - 1) * 0x4000;
}

static uint64_t pam_seg_size(int i)
{
    return i == 0 ? 0x10000 : 0x4000;
}

/* The two attribute bits of segment i from the PAM registers. */
static unsigned pam_seg_attr(const I440FXState *s, int i)
{
    const uint8_t *c = s->pci.config;

    if (i == 0) {
        return (c[I440FX_PAM0] >> 4) & 3;
    }
    return (c[I440FX_PAM0 + 1 + (i - 1) / 2] >> (((i - 1) & 1) * 4)) & 3;
}

/* Re-derives every window from PAM and SMRAM; one memory transaction. */
static void i440fx_update_memory(I440FXState *s)
{
    uint8_t smram = s->pci.config[I440FX_SMRAM];

    memory_transaction_begin();
    for (int i = 0; i < PAM_SEGMENTS; i++) {
        unsigned attr = pam_seg_attr(s, i);
        bool ram = attr & PAM_RE;

        memory_region_set_enabled(&s->pam[i].ram, ram);
        memory_region_set_readonly(&s->pam[i].ram, !(attr & PAM_WE));
        memory_region_set_enabled(&s->pam[i].pci, !ram);
    }
    /* D_OPEN shows the RAM under the VGA window (to copy SMM code). */
    memory_region_set_enabled(&s->smram_window, !(smram & SMRAM_D_OPEN));
    memory_transaction_commit();
}

static void i440fx_config_write(PCIDevice *d, uint32_t addr, uint32_t val,
                                unsigned len)
{
    I440FXState *s = container_of(d, I440FXState, pci);
    uint8_t old_smram = d->config[I440FX_SMRAM];

    pci_default_config_write(d, addr, val, len);
    if (addr <= I440FX_SMRAM && addr + len > I440FX_SMRAM) {
        uint8_t v = d->config[I440FX_SMRAM];
        /* HW: once D_LCK is set, D_OPEN reads 0 and D_LCK sticks until
         * reset (82441FX datasheet, SMRAM register). */
        if (old_smram & SMRAM_D_LCK) {
            v = (v & ~SMRAM_D_OPEN) | SMRAM_D_LCK;
        }
        if (v & SMRAM_D_LCK) {
            v &= ~SMRAM_D_OPEN;
        }
        d->config[I440FX_SMRAM] = (v & ~0x07) | SMRAM_C_BASE_SEG;
    }
    if ((addr < I440FX_PAM0 + I440FX_PAM_COUNT && addr + len > I440FX_PAM0) ||
        (addr <= I440FX_SMRAM && addr + len > I440FX_SMRAM)) {
        i440fx_update_memory(s);
    }
}

/* --- CF8h-CFFh ------------------------------------------------------------ */

static uint64_t i440fx_conf_read(void *opaque, uint64_t off, unsigned size)
{
    I440FXState *s = opaque;

    if (off < 4) {
        if (off == 1 && size == 1) {
            return s->rcr;
        }
        if (off == 0 && size == 4) {
            return s->config_address;
        }
        return ~0ULL;
    }
    /* CONFIG_DATA: the byte lanes CFCh-CFFh select the register byte. */
    if (!(s->config_address & CONFIG_ADDRESS_ENABLE)) {
        return ~0ULL;
    }
    if ((off & 3) + size > 4) {
        return ~0ULL;
    }
    return pci_config_read(s->pci.bus,
                           (s->config_address & 0x00fffffc) | (off & 3),
                           size);
}

static void i440fx_conf_write(void *opaque, uint64_t off, uint64_t val,
                              unsigned size)
{
    I440FXState *s = opaque;

    if (off < 4) {
        if (off == 1 && size == 1) {
            /* PIIX3 RCR: RST_CPU (bit 2) going to 1 resets the system;
             * SYS_RST (bit 1) selects hard reset, which we always do. */
            bool reset = (val & 0x04) && !(s->rcr & 0x04);
            s->rcr = val & 0x02;
            if (reset) {
                system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
            }
        } else if (off == 0 && size == 4) {
            s->config_address = val & 0x80fffffc;
        }
        return;
    }
    if (!(s->config_address & CONFIG_ADDRESS_ENABLE) ||
        (off & 3) + size > 4) {
        return;
    }
    pci_config_write(s->pci.bus, (s->config_address & 0x00fffffc) | (off & 3),
                     val, size);
}

static const MemoryRegionOps i440fx_conf_ops = {
    .read = i440fx_conf_read,
    .write = i440fx_conf_write,
    .valid_min = 1, .valid_max = 4,
};

/* --- device -------------------------------------------------------------- */

static const PCIDeviceInfo i440fx_info = {
    .vendor_id = 0x8086,
    .device_id = 0x1237,
    .revision = 0x02,
    .class_code = 0x060000,     /* host bridge */
    .config_write = i440fx_config_write,
};

static bool i440fx_realize(Device *dev, Machine *m, Error **errp)
{
    I440FXState *s = container_of(dev, I440FXState, pci.dev);

    s->pci.info = &i440fx_info;
    s->pci.addr_prop = 0;
    if (!pci_device_plug(&s->pci, m->pci_bus, errp)) {
        return false;
    }
    memory_region_init_io(&s->conf_io, "pci-conf", &i440fx_conf_ops, s, 8);
    memory_region_add_subregion(m->system_io, 0xcf8, &s->conf_io, 0);

    /* Above RAM (priority 1): the VGA window and the PAM segments. */
    memory_region_init_alias(&s->smram_window, "smram-window",
                             m->pci_memory, 0xa0000, 0x20000);
    memory_region_add_subregion(m->system_memory, 0xa0000, &s->smram_window,
                                1);
    for (int i = 0; i < PAM_SEGMENTS; i++) {
        uint64_t start = pam_seg_start(i), size = pam_seg_size(i);

        memory_region_init_alias(&s->pam[i].ram, "pam-ram", &m->ram, start,
                                 size);
        memory_region_init_alias(&s->pam[i].pci, "pam-pci", m->pci_memory,
                                 start, size);
        memory_region_add_subregion(m->system_memory, start, &s->pam[i].ram,
                                    1);
        memory_region_add_subregion(m->system_memory, start, &s->pam[i].pci,
                                    1);
    }
    /* Only PAM and SMRAM are writable beyond the header; other chipset
     * registers keep their values (the DRAM setup is fixed). */
    memset(s->pci.wmask + 0x40, 0, PCI_CONFIG_SPACE_SIZE - 0x40);
    memset(s->pci.wmask + I440FX_PAM0, 0x33, I440FX_PAM_COUNT);
    s->pci.wmask[I440FX_SMRAM] = SMRAM_D_OPEN | SMRAM_D_CLS | SMRAM_D_LCK |
                                 SMRAM_G_SMRAME;
    return true;
}

static void i440fx_reset(Device *dev)
{
    I440FXState *s = container_of(dev, I440FXState, pci.dev);

    pci_device_reset(&s->pci);
    memset(s->pci.config + I440FX_PAM0, 0, I440FX_PAM_COUNT);
    s->pci.config[I440FX_SMRAM] = SMRAM_C_BASE_SEG;
    s->config_address = 0;
    s->rcr = 0;
    i440fx_update_memory(s);
}

static bool i440fx_post_load(void *opaque, int version, Error **errp)
{
    i440fx_update_memory(opaque);
    return true;
}

static const VMStateField i440fx_fields[] = {
    VMSTATE_PCI_DEVICE(pci, I440FXState),
    VMSTATE_U32(config_address, I440FXState),
    VMSTATE_U8(rcr, I440FXState),
    VMSTATE_END
};

static const VMStateDescription vmstate_i440fx = {
    .name = "i440FX",
    .version = 1,
    .min_version = 1,
    .fields = i440fx_fields,
    .post_load = i440fx_post_load,
};

const DeviceType i440fx_type = {
    .name = "i440FX",
    .desc = "Intel 82441FX host bridge (PMC)",
    .bus = BUS_SYSTEM,
    .state_size = sizeof(I440FXState),
    .realize = i440fx_realize,
    .reset = i440fx_reset,
    .vmsd = &vmstate_i440fx,
};
