/*
 * Intel 82371SB PIIX3, function 1: the IDE interface, at 00:01.1 on the
 * pc board.
 *
 * Follows the "82371FB (PIIX) and 82371SB (PIIX3) PCI ISA IDE Xcelerator"
 * datasheet (IDE interface: PCI configuration registers, bus master IDE
 * I/O registers) and "Programming Interface for Bus Master IDE
 * Controller" (SFF-8038i rev 1.0) for the bus-master engine and its
 * physical region descriptor (PRD) tables.
 *
 * Emulated: the two channels in legacy ("compatibility") mode at the
 * fixed ports 1F0h-1F7h/3F6h (IRQ 14) and 170h-177h/376h (IRQ 15); the
 * bus-master registers behind BMIBA (BAR4, 16 bytes of I/O): command
 * (start, direction), status (active, error, interrupt, drive DMA
 * capable), descriptor table pointer; the PRD walk with every
 * descriptor read through PCI bus-master DMA, which refuses unassigned
 * memory and a disabled bus master.
 * HW (QEMU): the legacy ports decode whatever IDETIM.IDE and PCICMD.IOSE
 * say, as QEMU's PIIX model does; firmware enables both anyway.
 * Not emulated: the timing registers' effect (IDETIM, SIDETIM are stored
 * only), native-PCI mode (the PIIX3 has none), the direction bit of the
 * bus-master command (the drive's command decides, as on QEMU).
 */
#include "hw/ide/internal.h"
#include "block/block.h"
#include "hw/machine.h"
#include "hw/pci/pci.h"
#include "softmmu/memory.h"

/* Identity (datasheet, function 1: VID 8086h, DID 7010h; class 01h IDE,
 * programming interface 80h: bus master, both channels legacy). */
#define PIIX3_IDE_VENDOR_ID     0x8086
#define PIIX3_IDE_DEVICE_ID     0x7010
#define PIIX3_IDE_CLASS         0x010180

/* Configuration registers (datasheet, IDE function). */
#define PIIX_BMIBA              0x20    /* BAR4: bus master base, I/O */
#define PIIX_IDETIM_PRI         0x40    /* 16 bits; bit 15 IDE decode */
#define PIIX_IDETIM_SEC         0x42
#define  PIIX_IDETIM_IDE            0x8000
#define PIIX_SIDETIM            0x44

/* Legacy-mode ports and IRQs (datasheet: compatibility mode). */
static const struct {
    uint16_t cmd, ctl;
    uint8_t irq;
} piix_ide_legacy[IDE_NR_CHANNELS] = {
    { 0x1f0, 0x3f6, 14 },
    { 0x170, 0x376, 15 },
};
#define PIIX_CMD_SIZE           8

/* Bus master IDE I/O registers, per channel (SFF-8038i 3.1). */
#define BM_SIZE                 16
#define BM_CHANNEL_STRIDE       8
#define BM_REG_CMD              0x00
#define BM_REG_STATUS           0x02
#define BM_REG_PRD              0x04    /* 4 bytes, dword aligned */
#define BM_STATUS_W1C           (BM_STATUS_ERROR | BM_STATUS_INT)
#define BM_STATUS_RW            (BM_STATUS_DMA0_CAP | BM_STATUS_DMA1_CAP)

typedef struct PIIX3IDEState {
    PCIDevice pci;

    /* guest-visible state (config space is in pci) */
    IDEChannel ch[IDE_NR_CHANNELS];

    /* wiring */
    MemoryRegion *cmd_io[IDE_NR_CHANNELS];
    MemoryRegion *ctl_io[IDE_NR_CHANNELS];
    MemoryRegion *bm_io;
} PIIX3IDEState;

extern const DeviceType piix3_ide_type;

static PIIX3IDEState *piix_ide_from_device(Device *dev)
{
    assert(dev->type == &piix3_ide_type);
    return container_of(dev, PIIX3IDEState, pci.dev);
}

/* --- bus-master PRD walk ----------------------------------------------------- */

/*
 * A descriptor is two dwords: the physical base (bit 0 zero) and the
 * byte count in bits 15:1 (0 means 64 KiB) with EOT in bit 31
 * (SFF-8038i 1.2). Every guest number is bounded: at most BM_MAX_PRDS
 * descriptors per command, each at most 64 KiB, and every access goes
 * through pci_dma_*, which refuses memory nobody claims.
 */
/* 1: the next descriptor is loaded; 0: the table ended; -1: it lies in
 * memory that refused the read. */
static int bmdma_next_prd(IDEChannel *ch)
{
    BMDMAState *bm = &ch->bm;
    uint8_t prd[8];
    uint32_t addr, len;

    if (bm->cur_last || bm->nr_prds >= BM_MAX_PRDS) {
        return 0;
    }
    if (!pci_dma_read(ch->dma_opaque, bm->cur_prd, prd, sizeof(prd))) {
        return -1;
    }
    addr = prd[0] | prd[1] << 8 | prd[2] << 16 | (uint32_t)prd[3] << 24;
    len = prd[4] | prd[5] << 8 | prd[6] << 16 | (uint32_t)prd[7] << 24;
    bm->cur_addr = addr & ~1u;
    bm->cur_len = len & 0xfffe;
    if (!bm->cur_len) {
        bm->cur_len = 0x10000;
    }
    bm->cur_last = len & BM_PRD_EOT;
    bm->cur_prd += 8;
    bm->nr_prds++;
    return 1;
}

int64_t bmdma_prd_transfer(IDEChannel *ch, uint8_t *buf, uint32_t len,
                           bool to_memory)
{
    BMDMAState *bm = &ch->bm;
    PCIDevice *pci = ch->dma_opaque;
    uint32_t done = 0;

    while (done < len) {
        uint32_t n;
        bool ok;

        if (!bm->cur_len) {
            int r = bmdma_next_prd(ch);

            if (r <= 0) {
                return r < 0 ? -1 : (int64_t)done;
            }
        }
        n = MIN(bm->cur_len, len - done);
        ok = to_memory ? pci_dma_write(pci, bm->cur_addr, buf + done, n)
                       : pci_dma_read(pci, bm->cur_addr, buf + done, n);
        if (!ok) {
            return -1;
        }
        bm->cur_addr += n;
        bm->cur_len -= n;
        done += n;
    }
    return done;
}

bool bmdma_prd_left(IDEChannel *ch)
{
    return ch->bm.cur_len || !ch->bm.cur_last;
}

/* --- bus-master registers ------------------------------------------------------ */

static void bmdma_cmd_write(IDEChannel *ch, uint8_t val)
{
    BMDMAState *bm = &ch->bm;
    bool was_started = bm->cmd & BM_CMD_START;

    bm->cmd = val & (BM_CMD_START | BM_CMD_READ);
    if (!was_started && (val & BM_CMD_START)) {
        /* Start: the walk begins at the table pointer (SFF-8038i 3.1.1). */
        bm->status |= BM_STATUS_ACTIVE;
        bm->cur_prd = bm->prd_addr;
        bm->cur_addr = bm->cur_len = 0;
        bm->cur_last = false;
        bm->nr_prds = 0;
        ide_dma_run(ch);
    } else if (was_started && !(val & BM_CMD_START)) {
        /* Stop: the engine lets go; a drive still waiting for data keeps
         * waiting until the driver resets it. */
        bm->status &= ~BM_STATUS_ACTIVE;
    }
}

static uint8_t bmdma_read_byte(IDEChannel *ch, unsigned reg)
{
    BMDMAState *bm = &ch->bm;

    switch (reg) {
    case BM_REG_CMD:
        return bm->cmd;
    case BM_REG_STATUS:
        return bm->status;
    case BM_REG_PRD ... BM_REG_PRD + 3:
        return bm->prd_addr >> (8 * (reg - BM_REG_PRD));
    default:
        return 0;           /* reserved bytes read as zero */
    }
}

static void bmdma_write_byte(IDEChannel *ch, unsigned reg, uint8_t val)
{
    BMDMAState *bm = &ch->bm;
    unsigned sh;

    switch (reg) {
    case BM_REG_CMD:
        bmdma_cmd_write(ch, val);
        break;
    case BM_REG_STATUS:
        bm->status = (bm->status & ~(val & BM_STATUS_W1C) & ~BM_STATUS_RW) |
                     (val & BM_STATUS_RW);
        break;
    case BM_REG_PRD ... BM_REG_PRD + 3:
        sh = 8 * (reg - BM_REG_PRD);
        bm->prd_addr = (bm->prd_addr & ~(0xffu << sh)) | (uint32_t)val << sh;
        bm->prd_addr &= ~3u;        /* dword aligned */
        break;
    default:
        break;
    }
}

static uint64_t bmdma_io_read(void *opaque, uint64_t offset, unsigned size)
{
    PIIX3IDEState *s = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size && offset + i < BM_SIZE; i++) {
        uint64_t a = offset + i;
        IDEChannel *ch = &s->ch[a / BM_CHANNEL_STRIDE];

        v |= (uint64_t)bmdma_read_byte(ch, a % BM_CHANNEL_STRIDE) << (8 * i);
    }
    return v;
}

static void bmdma_io_write(void *opaque, uint64_t offset, uint64_t value,
                           unsigned size)
{
    PIIX3IDEState *s = opaque;

    for (unsigned i = 0; i < size && offset + i < BM_SIZE; i++) {
        uint64_t a = offset + i;
        IDEChannel *ch = &s->ch[a / BM_CHANNEL_STRIDE];

        bmdma_write_byte(ch, a % BM_CHANNEL_STRIDE, value >> (8 * i));
    }
}

static const MemoryRegionOps bmdma_io_ops = {
    .read = bmdma_io_read,
    .write = bmdma_io_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 4,
};

/* --- legacy task-file ports ------------------------------------------------------ */

/* The data register takes 16- and 32-bit accesses as one transfer; the
 * others are bytes, so a wider access there is taken byte by byte. */
static uint64_t piix_ide_cmd_read(void *opaque, uint64_t offset,
                                  unsigned size)
{
    IDEChannel *ch = opaque;
    uint64_t v = 0;

    if (offset == ATA_REG_DATA) {
        return ide_cmd_read(ch, ATA_REG_DATA, size);
    }
    for (unsigned i = 0; i < size && offset + i < PIIX_CMD_SIZE; i++) {
        v |= (uint64_t)(ide_cmd_read(ch, offset + i, 1) & 0xff) << (8 * i);
    }
    return v;
}

static void piix_ide_cmd_write(void *opaque, uint64_t offset, uint64_t value,
                               unsigned size)
{
    IDEChannel *ch = opaque;

    if (offset == ATA_REG_DATA) {
        ide_cmd_write(ch, ATA_REG_DATA, value, size);
        return;
    }
    for (unsigned i = 0; i < size && offset + i < PIIX_CMD_SIZE; i++) {
        ide_cmd_write(ch, offset + i, (value >> (8 * i)) & 0xff, 1);
    }
}

static const MemoryRegionOps piix_ide_cmd_ops = {
    .read = piix_ide_cmd_read,
    .write = piix_ide_cmd_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 4,
};

static uint64_t piix_ide_ctl_read(void *opaque, uint64_t offset,
                                  unsigned size)
{
    return ide_ctl_read(opaque);
}

static void piix_ide_ctl_write(void *opaque, uint64_t offset, uint64_t value,
                               unsigned size)
{
    ide_ctl_write(opaque, value);
}

static const MemoryRegionOps piix_ide_ctl_ops = {
    .read = piix_ide_ctl_read,
    .write = piix_ide_ctl_write,
    .valid_min = 1, .valid_max = 1,
    .impl_min = 1, .impl_max = 1,
};

/* --- device ---------------------------------------------------------------------- */

static const PCIDeviceInfo piix3_ide_info = {
    .vendor_id = PIIX3_IDE_VENDOR_ID,
    .device_id = PIIX3_IDE_DEVICE_ID,
    .class_code = PIIX3_IDE_CLASS,
};

static void piix_ide_media_changed(void *opaque, bool load)
{
    ide_atapi_media_changed(opaque, load);
}

static const BlockDevOps piix_ide_cd_ops = {
    .change_media_cb = piix_ide_media_changed,
};

static void piix_ide_reset(Device *dev)
{
    PIIX3IDEState *s = piix_ide_from_device(dev);
    uint8_t *c = s->pci.config;

    pci_device_reset(&s->pci);
    /* Status: fast back-to-back capable, medium DEVSEL timing (RO). */
    c[PCI_STATUS] = 0x80;
    c[PCI_STATUS + 1] = 0x02;
    memset(c + 0x40, 0, PCI_CONFIG_SPACE_SIZE - 0x40);
    for (unsigned i = 0; i < IDE_NR_CHANNELS; i++) {
        ide_channel_reset(&s->ch[i]);
        /* Both drives may do DMA (SFF-8038i: set by the BIOS; QEMU's
         * firmware leaves them as the controller comes up). */
        s->ch[i].bm.status = 0;
    }
}

static bool piix_ide_realize(Device *dev, Machine *m, Error **errp)
{
    PIIX3IDEState *s = piix_ide_from_device(dev);
    uint8_t *w = s->pci.wmask;

    s->pci.info = &piix3_ide_info;
    if (!pci_device_plug(&s->pci, m->pci_bus, errp)) {
        return false;
    }
    /* Only the timing registers are writable past the header. */
    memset(w + 0x40, 0, PCI_CONFIG_SPACE_SIZE - 0x40);
    memset(w + PIIX_IDETIM_PRI, 0xff, 4);
    w[PIIX_SIDETIM] = 0xff;

    for (unsigned i = 0; i < IDE_NR_CHANNELS; i++) {
        IDEChannel *ch = &s->ch[i];

        ide_channel_init(ch, i, machine_gsi(m, piix_ide_legacy[i].irq));
        ch->dma_opaque = &s->pci;
        for (unsigned u = 0; u < IDE_NR_UNITS; u++) {
            DriveInfo *di = drive_get(IF_IDE, i, u);
            IDEDriveKind kind;

            if (!di) {
                continue;
            }
            kind = di->media == MEDIA_CDROM ? IDE_CD : IDE_HD;
            if (!ide_drive_attach(&ch->drive[u], kind, di->blk, errp)) {
                return false;
            }
            di->claimed = true;
            if (kind == IDE_CD && di->blk) {
                blk_set_dev_ops(di->blk, &piix_ide_cd_ops, &ch->drive[u]);
            }
        }
    }

    s->bm_io = g_new0(MemoryRegion, 1);
    memory_region_init_io(s->bm_io, "piix-bmdma", &bmdma_io_ops, s, BM_SIZE);
    pci_register_bar(&s->pci, 4, PCI_BASE_ADDRESS_SPACE_IO, s->bm_io);

    memory_transaction_begin();
    for (unsigned i = 0; i < IDE_NR_CHANNELS; i++) {
        s->cmd_io[i] = g_new0(MemoryRegion, 1);
        s->ctl_io[i] = g_new0(MemoryRegion, 1);
        memory_region_init_io(s->cmd_io[i], i ? "ide1-cmd" : "ide0-cmd",
                              &piix_ide_cmd_ops, &s->ch[i], PIIX_CMD_SIZE);
        memory_region_init_io(s->ctl_io[i], i ? "ide1-ctl" : "ide0-ctl",
                              &piix_ide_ctl_ops, &s->ch[i], 1);
        memory_region_add_subregion(m->system_io, piix_ide_legacy[i].cmd,
                                    s->cmd_io[i], 0);
        memory_region_add_subregion(m->system_io, piix_ide_legacy[i].ctl,
                                    s->ctl_io[i], 0);
    }
    memory_transaction_commit();
    return true;
}

static bool piix_ide_post_load(void *opaque, int version, Error **errp)
{
    PIIX3IDEState *s = opaque;

    for (unsigned i = 0; i < IDE_NR_CHANNELS; i++) {
        if (!ide_channel_post_load(&s->ch[i], errp)) {
            return false;
        }
    }
    return true;
}

static const VMStateField piix_ide_vmstate_fields[] = {
    VMSTATE_PCI_DEVICE(pci, PIIX3IDEState),
    VMSTATE_STRUCT_ARRAY(ch, PIIX3IDEState, IDE_NR_CHANNELS,
                         ide_channel_vmstate, IDEChannel),
    VMSTATE_END
};

static const VMStateDescription piix_ide_vmstate = {
    .name = "piix3-ide",
    .version = 1,
    .min_version = 1,
    .fields = piix_ide_vmstate_fields,
    .post_load = piix_ide_post_load,
};

static const Property piix_ide_props[] = {
    DEFINE_PROP_PCI_ADDR(PIIX3IDEState),
    DEFINE_PROP_END
};

const DeviceType piix3_ide_type = {
    .name = TYPE_PIIX3_IDE,
    .desc = "Intel 82371SB PIIX3 IDE interface",
    .bus = BUS_PCI,
    .state_size = sizeof(PIIX3IDEState),
    .user_creatable = false,
    .realize = piix_ide_realize,
    .reset = piix_ide_reset,
    .props = piix_ide_props,
    .vmsd = &piix_ide_vmstate,
};
