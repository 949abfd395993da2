/*
 * An IDE channel: two ATA/ATAPI devices behind one task file, as
 * "AT Attachment with Packet Interface - 6" (ATA/ATAPI-6, T13 1410D)
 * describes them: the command block registers (section 7), the protocols
 * (section 9: PIO data-in/out, non-data, DMA, PACKET) and the ATA command
 * set (section 8) of a hard disk. Packet commands are in atapi.c, the
 * PIIX3 function and its bus-master DMA engine in piix.c.
 *
 * Emulated: master/slave selection (writes reach both devices' registers,
 * reads come from the selected one; an absent device 1 reads 00h as
 * ATA-6 9.16 says device 0 answers for it), the HOB bit for LBA48
 * registers, nIEN and SRST, PIO through 16- and 32-bit data port
 * accesses, IDENTIFY DEVICE, READ/WRITE SECTOR(S) (EXT), READ/WRITE
 * MULTIPLE (EXT), SET MULTIPLE MODE, READ/WRITE DMA (EXT), READ VERIFY
 * SECTOR(S) (EXT), FLUSH CACHE (EXT), SET FEATURES (transfer mode, write
 * cache, look-ahead), INITIALIZE DEVICE PARAMETERS, SEEK, RECALIBRATE,
 * CHECK POWER MODE, IDLE/STANDBY (IMMEDIATE), SLEEP, READ NATIVE MAX
 * ADDRESS (EXT), EXECUTE DEVICE DIAGNOSTIC, DEVICE RESET, NOP.
 * Every data request goes to the block layer asynchronously: the device
 * shows BSY until the back end answers, so a slow image never stalls a
 * vCPU.
 * Not emulated: SMART, security, HPA (SET MAX), power-up in standby,
 * TRIM/DSM, tagged queuing (NCQ is SATA's), the timing of a real disk.
 */
#include "hw/ide/internal.h"
#include "block/block.h"

static const char *const ide_kind_name[] = {
    [IDE_NONE] = "none", [IDE_HD] = "hd", [IDE_CD] = "cd",
};

static IDEDrive *ide_selected(IDEChannel *ch)
{
    return &ch->drive[ch->unit & 1];
}

static bool ide_channel_empty(IDEChannel *ch)
{
    return ch->drive[0].kind == IDE_NONE && ch->drive[1].kind == IDE_NONE;
}

uint8_t ide_ready_status(IDEDrive *d)
{
    return ATA_STAT_DRDY | ATA_STAT_DSC;
}

/* --- interrupts ------------------------------------------------------------ */

/*
 * INTRQ is pending from the end of a command (or a DRQ block) until the
 * host reads the status register or writes a command; nIEN stops the
 * device from driving the line. The bus-master status latches a rising
 * edge of the line (SFF-8038i, Interrupt bit) for DMA drivers.
 */
void ide_update_irq(IDEChannel *ch)
{
    int level = ch->irq_pending && !(ch->devctl & ATA_CTL_NIEN);

    irq_set(ch->irq, level);
}

void ide_set_irq(IDEChannel *ch)
{
    ch->irq_pending = true;
    if (!(ch->devctl & ATA_CTL_NIEN)) {
        ch->bm.status |= BM_STATUS_INT;
    }
    ide_update_irq(ch);
}

static void ide_clear_irq(IDEChannel *ch)
{
    ch->irq_pending = false;
    ide_update_irq(ch);
}

/* --- block-layer requests -------------------------------------------------- */

void ide_io_begin(IDEDrive *d, uint32_t sectors)
{
    assert(!d->io_busy);
    d->io_busy = true;
    d->io_cancel = false;
    d->io_sectors = sectors;
    d->status = ATA_STAT_BSY | (d->status & ATA_STAT_DRDY);
}

bool ide_io_end(IDEDrive *d)
{
    bool cancelled = d->io_cancel;

    d->io_busy = false;
    d->io_cancel = false;
    return !cancelled;
}

/* A reset (SRST, system reset) while a request is in flight: the
 * request's completion must not touch the new state, and its buffer must
 * not be reused until the back end let go of it. */
static void ide_io_cancel(IDEDrive *d)
{
    if (d->io_busy) {
        d->io_cancel = true;
        blk_drain(d->blk);
        assert(!d->io_busy);
    }
}

/* --- PIO transfers ----------------------------------------------------------- */

void ide_transfer_start(IDEDrive *d, uint32_t size, IDETransferEnd end)
{
    assert(size <= sizeof(d->io_buffer));
    d->data_pos = 0;
    d->data_end = size;
    d->end_transfer = end;
    d->status |= ATA_STAT_DRQ;
}

void ide_transfer_stop(IDEDrive *d)
{
    d->data_pos = d->data_end = 0;
    d->end_transfer = IDE_END_NONE;
    d->status &= ~ATA_STAT_DRQ;
}

void ide_abort_command(IDEDrive *d)
{
    ide_transfer_stop(d);
    d->dma_pending = false;
    d->dma_cmd = IDE_DMA_NONE;
    d->status = ATA_STAT_DRDY | ATA_STAT_ERR;
    d->error = ATA_ERR_ABRT;
}

static void ide_command_error(IDEDrive *d, uint8_t error)
{
    ide_abort_command(d);
    d->error = error;
    ide_set_irq(d->ch);
}

static void ide_command_ok(IDEDrive *d)
{
    d->status = ide_ready_status(d);
    ide_set_irq(d->ch);
}

/* --- identify ---------------------------------------------------------------- */

/* ATA strings are space padded, two characters per word, first
 * character in the high byte (ATA-6 3.2.8). */
static void ide_put_string(uint16_t *p, const char *s, unsigned words)
{
    size_t len = strlen(s);

    for (unsigned i = 0; i < words * 2; i++) {
        uint8_t c = i < len ? s[i] : ' ';

        if (i & 1) {
            p[i / 2] |= c;
        } else {
            p[i / 2] = c << 8;
        }
    }
}

static void ide_identify_strings(IDEDrive *d, uint16_t *p)
{
    ide_put_string(p + 10, d->serial, 10);
    ide_put_string(p + 23, "2.5+", 4);      /* firmware revision */
    ide_put_string(p + 27, d->model, 20);
}

/* Word 255: signature A5h and a checksum making the 512 bytes sum to 0
 * (ATA-6 8.15.63). */
static void ide_identify_checksum(uint16_t *p)
{
    uint8_t sum = 0;

    p[255] = 0x00a5;
    for (unsigned i = 0; i < 255; i++) {
        sum += (p[i] & 0xff) + (p[i] >> 8);
    }
    sum += 0xa5;
    p[255] |= (uint8_t)-sum << 8;
}

static uint16_t ide_mdma_word(IDEDrive *d)
{
    uint16_t w = 0x07;      /* multiword DMA 0-2 supported */

    if ((d->xfer_mode & 0xf8) == 0x20) {
        w |= 1 << (8 + (d->xfer_mode & 7));
    }
    return w;
}

static uint16_t ide_udma_word(IDEDrive *d)
{
    uint16_t w = 0x3f;      /* Ultra DMA 0-5 supported */

    if ((d->xfer_mode & 0xf8) == 0x40) {
        w |= 1 << (8 + (d->xfer_mode & 7));
    }
    return w;
}

/* IDENTIFY DEVICE data of a hard disk (ATA-6 8.15, table 27). Built
 * little-endian into io_buffer. */
static void ide_identify(IDEDrive *d)
{
    uint16_t p[256] = { 0 };
    uint64_t lba28 = MIN(d->nb_sectors, 0x0fffffffULL);
    uint32_t cur_cap = (uint32_t)d->cylinders * d->heads * d->sectors;

    p[0] = 0x0040;                      /* fixed device */
    p[1] = d->phys_cylinders;
    p[3] = d->phys_heads;
    p[6] = d->phys_sectors;
    ide_identify_strings(d, p);
    p[47] = 0x8000 | IDE_MAX_MULT_SECTORS;
    p[48] = 1;                          /* 32-bit PIO (as QEMU) */
    p[49] = (1 << 11) | (1 << 9) | (1 << 8);    /* IORDY, LBA, DMA */
    p[50] = 0x4000;
    p[51] = 0x200;                      /* PIO timing */
    p[52] = 0x200;
    p[53] = 7;                          /* words 54-58, 64-70, 88 valid */
    p[54] = d->cylinders;
    p[55] = d->heads;
    p[56] = d->sectors;
    p[57] = cur_cap;
    p[58] = cur_cap >> 16;
    if (d->mult_sectors) {
        p[59] = 0x100 | d->mult_sectors;
    }
    p[60] = lba28;
    p[61] = lba28 >> 16;
    p[63] = ide_mdma_word(d);
    p[64] = 0x03;                       /* PIO 3 and 4 */
    p[65] = 120;
    p[66] = 120;
    p[67] = 120;
    p[68] = 120;
    p[80] = 0xf0;                       /* ATA-4 to ATA-7 */
    p[81] = 0x16;
    p[82] = (1 << 14) | (1 << 5);       /* NOP, write cache */
    p[83] = (1 << 14) | (1 << 13) | (1 << 12) | (1 << 10);
                                        /* FLUSH EXT, FLUSH, LBA48 */
    p[84] = 1 << 14;
    p[85] = (1 << 14) | (d->write_cache ? 1 << 5 : 0);
    p[86] = (1 << 13) | (1 << 12) | (1 << 10);
    p[87] = 1 << 14;
    p[88] = ide_udma_word(d);
    p[93] = 1 | (1 << 14) | 0x2000;     /* reset result, 80-wire cable */
    p[100] = d->nb_sectors;
    p[101] = d->nb_sectors >> 16;
    p[102] = d->nb_sectors >> 32;
    p[103] = d->nb_sectors >> 48;
    ide_identify_checksum(p);
    for (unsigned i = 0; i < 256; i++) {
        d->io_buffer[2 * i] = p[i];
        d->io_buffer[2 * i + 1] = p[i] >> 8;
    }
}

/* --- signatures and resets ------------------------------------------------------ */

/* The register contents after a reset or diagnostics, from which hosts
 * tell an ATA device from a packet device (ATA-6 9.12). */
void ide_set_signature(IDEDrive *d)
{
    d->select &= ATA_DEV_DEV;
    d->select |= ATA_DEV_OBS;
    d->nsector = 1;
    d->lbal = 1;
    if (d->kind == IDE_CD) {
        d->lbam = ATAPI_SIG_LBAM;
        d->lbah = ATAPI_SIG_LBAH;
    } else {
        d->lbam = 0;
        d->lbah = 0;
    }
}

/* Power-on or hardware reset of one device. */
static void ide_drive_reset(IDEDrive *d)
{
    ide_io_cancel(d);
    d->feature = d->hob_feature = 0;
    d->hob_nsector = d->hob_lbal = d->hob_lbam = d->hob_lbah = 0;
    d->select = ATA_DEV_OBS | (d->unit ? ATA_DEV_DEV : 0);
    ide_set_signature(d);
    d->error = 0x01;                    /* diagnostics passed */
    d->command = 0;
    d->lba48 = false;
    d->lba = 0;
    d->nsector_left = 0;
    d->req_sectors = 0;
    ide_transfer_stop(d);
    d->dma_cmd = IDE_DMA_NONE;
    d->dma_pending = false;
    d->mult_sectors = IDE_MAX_MULT_SECTORS;
    d->power_mode = ATA_POWER_ACTIVE;
    d->xfer_mode = 0;
    d->cylinders = d->phys_cylinders;
    d->heads = d->phys_heads;
    d->sectors = d->phys_sectors;
    d->write_cache = d->blk ? blk_enable_write_cache(d->blk) : true;
    switch (d->kind) {
    case IDE_HD:
        d->status = ide_ready_status(d);
        break;
    case IDE_CD:
        d->status = 0;                  /* packet devices clear DRDY */
        ide_atapi_reset(d);
        break;
    default:
        d->status = 0;
        d->error = 0;
        break;
    }
}

void ide_channel_reset(IDEChannel *ch)
{
    ch->unit = 0;
    ch->devctl = 0;
    ch->irq_pending = false;
    for (unsigned i = 0; i < IDE_NR_UNITS; i++) {
        ide_drive_reset(&ch->drive[i]);
    }
    memset(&ch->bm, 0, sizeof(ch->bm));
    ide_update_irq(ch);
}

/*
 * Device control: SRST set holds both devices in reset (BSY); clearing
 * it ends the reset with the signatures in the registers (ATA-6 9.2,
 * software reset protocol). Mode settings survive a soft reset unless
 * the host disabled reverting (SET FEATURES 66h), which we treat as
 * always: the transfer mode and cache are kept.
 */
void ide_ctl_write(IDEChannel *ch, uint8_t val)
{
    bool was_reset = ch->devctl & ATA_CTL_SRST;

    if (!was_reset && (val & ATA_CTL_SRST)) {
        for (unsigned i = 0; i < IDE_NR_UNITS; i++) {
            IDEDrive *d = &ch->drive[i];

            if (d->kind == IDE_NONE) {
                continue;
            }
            ide_io_cancel(d);
            ide_transfer_stop(d);
            d->dma_pending = false;
            d->dma_cmd = IDE_DMA_NONE;
            d->status = ATA_STAT_BSY | ATA_STAT_DSC;
        }
    } else if (was_reset && !(val & ATA_CTL_SRST)) {
        for (unsigned i = 0; i < IDE_NR_UNITS; i++) {
            IDEDrive *d = &ch->drive[i];
            uint8_t wc = d->write_cache, xfer = d->xfer_mode;

            if (d->kind == IDE_NONE) {
                continue;
            }
            ide_drive_reset(d);
            d->write_cache = wc;
            d->xfer_mode = xfer;
        }
        ch->unit = 0;
        ch->irq_pending = false;
    }
    ch->devctl = val;
    ide_update_irq(ch);
}

uint8_t ide_ctl_read(IDEChannel *ch)
{
    IDEDrive *d = ide_selected(ch);

    /* Alternate status: the status without clearing the interrupt. */
    if (ide_channel_empty(ch) || (ch->unit && d->kind == IDE_NONE)) {
        return 0;
    }
    return d->status;
}

/* --- addressing -------------------------------------------------------------- */

/* The address a command names: LBA28, LBA48 or CHS (ATA-6 6.2). Returns
 * false when a CHS address does not exist in the current geometry. */
static bool ide_get_sector(IDEDrive *d, uint64_t *lba)
{
    if (d->select & ATA_DEV_LBA) {
        if (d->lba48) {
            *lba = (uint64_t)d->hob_lbah << 40 | (uint64_t)d->hob_lbam << 32 |
                   (uint64_t)d->hob_lbal << 24 | (uint64_t)d->lbah << 16 |
                   (uint64_t)d->lbam << 8 | d->lbal;
        } else {
            *lba = (uint64_t)(d->select & ATA_DEV_HEAD_MASK) << 24 |
                   (uint64_t)d->lbah << 16 | (uint64_t)d->lbam << 8 |
                   d->lbal;
        }
        return true;
    }
    uint32_t cyl = d->lbah << 8 | d->lbam;
    uint32_t head = d->select & ATA_DEV_HEAD_MASK;
    uint32_t sect = d->lbal;

    if (!d->heads || !d->sectors || sect == 0 || sect > d->sectors ||
        head >= d->heads) {
        return false;
    }
    *lba = ((uint64_t)cyl * d->heads + head) * d->sectors + sect - 1;
    return true;
}

/* Leaves the address of the last sector moved in the registers, as
 * ATA-6 asks at the end of a command and on an error. */
static void ide_set_sector(IDEDrive *d, uint64_t lba)
{
    if (d->select & ATA_DEV_LBA) {
        if (d->lba48) {
            d->hob_lbah = lba >> 40;
            d->hob_lbam = lba >> 32;
            d->hob_lbal = lba >> 24;
        } else {
            d->select = (d->select & ~ATA_DEV_HEAD_MASK) |
                        ((lba >> 24) & ATA_DEV_HEAD_MASK);
        }
        d->lbah = lba >> 16;
        d->lbam = lba >> 8;
        d->lbal = lba;
    } else if (d->heads && d->sectors) {
        uint64_t cyl = lba / (d->heads * d->sectors);
        uint32_t r = lba % (d->heads * d->sectors);

        d->lbah = cyl >> 8;
        d->lbam = cyl;
        d->select = (d->select & ~ATA_DEV_HEAD_MASK) |
                    ((r / d->sectors) & ATA_DEV_HEAD_MASK);
        d->lbal = r % d->sectors + 1;
    }
}

/* Sector count of the command: 0 means 256 (65536 for EXT commands). */
static uint32_t ide_get_nsector(IDEDrive *d)
{
    if (d->lba48) {
        uint32_t n = d->hob_nsector << 8 | d->nsector;
        return n ? n : 65536;
    }
    return d->nsector ? d->nsector : 256;
}

/* Sets lba and nsector_left for a read/write command; false (with IDNF
 * reported) when any sector lies outside the medium: nothing past the
 * image is ever read or written. */
static bool ide_start_rw(IDEDrive *d)
{
    uint64_t lba;
    uint32_t n = ide_get_nsector(d);

    if (!ide_get_sector(d, &lba) || lba >= d->nb_sectors ||
        n > d->nb_sectors - lba) {
        guest_error("ide: %s: sectors %" PRIu64 "+%u outside the %" PRIu64
                    "-sector medium", d->drive_id, lba, n, d->nb_sectors);
        ide_command_error(d, ATA_ERR_IDNF | ATA_ERR_ABRT);
        return false;
    }
    d->lba = lba;
    d->nsector_left = n;
    return true;
}

/* A back-end error on a read or write: UNC for reads, ABRT as well so
 * hosts that only look at ABRT give up too. */
static void ide_rw_error(IDEDrive *d, bool is_read, int ret)
{
    error_report("ide: %s: %s error at sector %" PRIu64 ": %s",
                 d->drive_id, is_read ? "read" : "write", d->lba,
                 strerror(-ret));
    ide_set_sector(d, d->lba);
    ide_command_error(d, ATA_ERR_ABRT | (is_read ? ATA_ERR_UNC : 0));
}

/* --- PIO read and write ------------------------------------------------------- */

static void ide_sector_read(IDEDrive *d);

/* The shared end of a PIO block's I/O: on success the task file points
 * at the last sector done and n sectors are counted off; false when the
 * request was cancelled or failed (the error is already reported). */
static bool ide_pio_block_done(IDEDrive *d, bool is_read, int ret,
                               uint32_t *n)
{
    *n = d->io_sectors;
    if (!ide_io_end(d)) {
        return false;
    }
    if (ret < 0) {
        ide_rw_error(d, is_read, ret);
        return false;
    }
    ide_set_sector(d, d->lba + *n - 1);
    d->lba += *n;
    d->nsector_left -= *n;
    d->status = ide_ready_status(d);
    return true;
}

static void ide_sector_read_cb(void *opaque, int ret)
{
    IDEDrive *d = opaque;
    uint32_t n;

    if (!ide_pio_block_done(d, true, ret, &n)) {
        return;
    }
    ide_transfer_start(d, n * ATA_SECTOR_SIZE, IDE_END_READ_SECTORS);
    ide_set_irq(d->ch);
}

/* Reads the next DRQ block; the interrupt comes when it is in the
 * buffer (PIO data-in protocol, ATA-6 9.5). */
static void ide_sector_read(IDEDrive *d)
{
    uint32_t n = MIN(d->nsector_left, d->req_sectors);

    ide_transfer_stop(d);
    ide_io_begin(d, n);
    blk_aio_pread(d->blk, (int64_t)(d->lba * ATA_SECTOR_SIZE), d->io_buffer,
                  (size_t)n * ATA_SECTOR_SIZE, ide_sector_read_cb, d);
}

static void ide_sector_write_cb(void *opaque, int ret)
{
    IDEDrive *d = opaque;
    uint32_t n;

    if (!ide_pio_block_done(d, false, ret, &n)) {
        return;
    }
    if (d->nsector_left) {
        ide_transfer_start(d, MIN(d->nsector_left, d->req_sectors) *
                              ATA_SECTOR_SIZE, IDE_END_WRITE_SECTORS);
    }
    ide_set_irq(d->ch);
}

/* A DRQ block arrived: write it, then interrupt (PIO data-out protocol,
 * ATA-6 9.6). */
static void ide_sector_write(IDEDrive *d)
{
    uint32_t n = MIN(d->nsector_left, d->req_sectors);

    ide_transfer_stop(d);
    ide_io_begin(d, n);
    blk_aio_pwrite(d->blk, (int64_t)(d->lba * ATA_SECTOR_SIZE), d->io_buffer,
                   (size_t)n * ATA_SECTOR_SIZE, ide_sector_write_cb, d);
}

/* --- DMA --------------------------------------------------------------------- */

static void ide_dma_step(IDEDrive *d);

static IDEDrive *ide_dma_drive(IDEChannel *ch)
{
    for (unsigned i = 0; i < IDE_NR_UNITS; i++) {
        if (ch->drive[i].dma_pending) {
            return &ch->drive[i];
        }
    }
    return NULL;
}

/* The command's data all moved. */
static void ide_dma_done(IDEDrive *d)
{
    IDEChannel *ch = d->ch;

    d->dma_pending = false;
    d->dma_cmd = IDE_DMA_NONE;
    if (!bmdma_prd_left(ch)) {
        ch->bm.status &= ~BM_STATUS_ACTIVE;
    }
    if (d->kind == IDE_CD) {
        ide_atapi_dma_done(d, true);
        return;
    }
    d->status = ide_ready_status(d);
    ide_set_irq(ch);
}

/*
 * The engine could not finish: the PRD table ended before the data
 * (SFF-8038i: Interrupt 0, Active 0; the command ends without an
 * interrupt and the driver times out) or memory refused an access
 * (Error set, the command aborts with an interrupt).
 */
static void ide_dma_fail(IDEDrive *d, bool mem_error)
{
    IDEChannel *ch = d->ch;

    ch->bm.status &= ~BM_STATUS_ACTIVE;
    d->dma_pending = false;
    d->dma_cmd = IDE_DMA_NONE;
    if (mem_error) {
        guest_error("ide: %s: DMA to or from unassigned memory",
                    d->drive_id);
        ch->bm.status |= BM_STATUS_ERROR;
    } else {
        guest_error("ide: %s: PRD table shorter than the transfer",
                    d->drive_id);
    }
    if (d->kind == IDE_CD) {
        ide_atapi_dma_done(d, false);
        if (!mem_error) {
            ch->irq_pending = false;
            ide_update_irq(ch);
        }
        return;
    }
    if (mem_error) {
        ide_set_sector(d, d->lba);
        ide_command_error(d, ATA_ERR_ABRT);
    } else {
        d->status = ide_ready_status(d);
    }
}

static void ide_dma_read_cb(void *opaque, int ret)
{
    IDEDrive *d = opaque;
    uint32_t n = d->io_sectors;
    uint32_t bytes = n * ATA_SECTOR_SIZE;
    int64_t moved;

    if (!ide_io_end(d)) {
        return;
    }
    if (ret < 0) {
        d->dma_pending = false;
        d->ch->bm.status &= ~BM_STATUS_ACTIVE;
        if (d->kind == IDE_CD) {
            ide_atapi_dma_done(d, false);
        } else {
            ide_rw_error(d, true, ret);
        }
        return;
    }
    d->status &= ~ATA_STAT_BSY;
    d->status |= ATA_STAT_DRQ;
    moved = bmdma_prd_transfer(d->ch, d->io_buffer, bytes, true);
    if (moved < bytes) {
        ide_dma_fail(d, moved < 0);
        return;
    }
    ide_set_sector(d, d->lba + n - 1);
    d->lba += n;
    d->nsector_left -= n;
    ide_dma_step(d);
}

static void ide_dma_write_cb(void *opaque, int ret)
{
    IDEDrive *d = opaque;
    uint32_t n = d->io_sectors;

    if (!ide_io_end(d)) {
        return;
    }
    if (ret < 0) {
        d->dma_pending = false;
        d->ch->bm.status &= ~BM_STATUS_ACTIVE;
        ide_rw_error(d, false, ret);
        return;
    }
    d->status &= ~ATA_STAT_BSY;
    d->status |= ATA_STAT_DRQ;
    ide_set_sector(d, d->lba + n - 1);
    d->lba += n;
    d->nsector_left -= n;
    ide_dma_step(d);
}

/* Moves the next chunk, or ends the command. Runs while the engine is
 * active; when the guest stops the engine mid-command, the drive waits
 * (BSY|DRQ) for it to start again, or for a reset. */
static void ide_dma_step(IDEDrive *d)
{
    IDEChannel *ch = d->ch;
    uint32_t n, bytes;
    int64_t moved;

    if (!(ch->bm.status & BM_STATUS_ACTIVE) ||
        !(ch->bm.cmd & BM_CMD_START)) {
        return;
    }
    switch (d->dma_cmd) {
    case IDE_DMA_READ:
    case IDE_DMA_WRITE:
        if (!d->nsector_left) {
            ide_dma_done(d);
            return;
        }
        n = MIN(d->nsector_left, IDE_BUF_SECTORS);
        bytes = n * ATA_SECTOR_SIZE;
        if (d->dma_cmd == IDE_DMA_READ) {
            ide_io_begin(d, n);
            blk_aio_pread(d->blk, (int64_t)(d->lba * ATA_SECTOR_SIZE),
                          d->io_buffer, bytes, ide_dma_read_cb, d);
            return;
        }
        moved = bmdma_prd_transfer(ch, d->io_buffer, bytes, false);
        if (moved < bytes) {
            ide_dma_fail(d, moved < 0);
            return;
        }
        ide_io_begin(d, n);
        blk_aio_pwrite(d->blk, (int64_t)(d->lba * ATA_SECTOR_SIZE),
                       d->io_buffer, bytes, ide_dma_write_cb, d);
        return;
    case IDE_DMA_ATAPI:
        /* A packet reply already in io_buffer. */
        bytes = d->atapi_buf_len - d->atapi_buf_pos;
        moved = bmdma_prd_transfer(ch, d->io_buffer + d->atapi_buf_pos,
                                   bytes, true);
        if (moved < bytes) {
            ide_dma_fail(d, moved < 0);
            return;
        }
        d->atapi_buf_pos = d->atapi_buf_len;
        ide_dma_done(d);
        return;
    default:
        return;
    }
}

void ide_dma_run(IDEChannel *ch)
{
    IDEDrive *d = ide_dma_drive(ch);

    if (d && !d->io_busy) {
        ide_dma_step(d);
    }
}

/* Starts a DMA command's data phase: the drive asserts DMARQ and waits
 * for the engine (the host may start it before or after the command). */
void ide_dma_start(IDEDrive *d, IDEDMACmd cmd)
{
    d->dma_cmd = cmd;
    d->dma_pending = true;
    d->status = ide_ready_status(d) | ATA_STAT_DRQ | ATA_STAT_BSY;
    ide_dma_run(d->ch);
}

/* --- FLUSH CACHE --------------------------------------------------------------- */

static void ide_flush_cb(void *opaque, int ret)
{
    IDEDrive *d = opaque;

    if (!ide_io_end(d)) {
        return;
    }
    if (ret < 0) {
        error_report("ide: %s: flush failed: %s", d->drive_id,
                     strerror(-ret));
        ide_command_error(d, ATA_ERR_ABRT);
        return;
    }
    ide_command_ok(d);
}

/* --- READ VERIFY ---------------------------------------------------------------- */

static void ide_verify_cb(void *opaque, int ret)
{
    IDEDrive *d = opaque;
    uint32_t n = d->io_sectors;

    if (!ide_io_end(d)) {
        return;
    }
    if (ret < 0) {
        ide_rw_error(d, true, ret);
        return;
    }
    ide_set_sector(d, d->lba + n - 1);
    d->lba += n;
    d->nsector_left -= n;
    if (!d->nsector_left) {
        ide_command_ok(d);
        return;
    }
    n = MIN(d->nsector_left, IDE_BUF_SECTORS);
    ide_io_begin(d, n);
    blk_aio_pread(d->blk, (int64_t)(d->lba * ATA_SECTOR_SIZE), d->io_buffer,
                  (size_t)n * ATA_SECTOR_SIZE, ide_verify_cb, d);
}

/* --- commands ------------------------------------------------------------------- */

static bool ide_cmd_is_lba48(uint8_t cmd)
{
    switch (cmd) {
    case ATA_CMD_READ_SECTORS_EXT:
    case ATA_CMD_READ_DMA_EXT:
    case ATA_CMD_READ_NATIVE_MAX_EXT:
    case ATA_CMD_READ_MULTIPLE_EXT:
    case ATA_CMD_WRITE_SECTORS_EXT:
    case ATA_CMD_WRITE_DMA_EXT:
    case ATA_CMD_WRITE_MULTIPLE_EXT:
    case ATA_CMD_READ_VERIFY_EXT:
    case ATA_CMD_FLUSH_CACHE_EXT:
        return true;
    default:
        return false;
    }
}

static void ide_set_features(IDEDrive *d)
{
    uint8_t mode = d->nsector;

    switch (d->feature) {
    case ATA_SF_WCACHE_ON:
    case ATA_SF_WCACHE_OFF:
        if (d->kind != IDE_HD) {
            ide_command_error(d, ATA_ERR_ABRT);
            return;
        }
        d->write_cache = d->feature == ATA_SF_WCACHE_ON;
        blk_set_enable_write_cache(d->blk, d->write_cache);
        break;
    case ATA_SF_XFER_MODE:
        /* ATA-6 8.37.10: PIO default (00h/01h), PIO flow control 08h+n,
         * multiword DMA 20h+n, Ultra DMA 40h+n. */
        if (mode > 0x01 && !(mode >= 0x08 && mode <= 0x0c) &&
            !(mode >= 0x20 && mode <= 0x22) &&
            !(mode >= 0x40 && mode <= 0x45)) {
            ide_command_error(d, ATA_ERR_ABRT);
            return;
        }
        if (mode >= 0x20) {
            d->xfer_mode = mode;
        }
        break;
    case ATA_SF_RLA_OFF:
    case ATA_SF_RLA_ON:
    case ATA_SF_REVERT_OFF:
    case ATA_SF_REVERT_ON:
        break;
    default:
        unimp_log("ide: %s: SET FEATURES %02xh", d->drive_id, d->feature);
        ide_command_error(d, ATA_ERR_ABRT);
        return;
    }
    ide_command_ok(d);
}

static void ide_exec_diagnostic(IDEChannel *ch)
{
    for (unsigned i = 0; i < IDE_NR_UNITS; i++) {
        IDEDrive *d = &ch->drive[i];

        if (d->kind == IDE_NONE) {
            continue;
        }
        ide_io_cancel(d);
        ide_transfer_stop(d);
        d->dma_pending = false;
        ide_set_signature(d);
        d->error = 0x01;
        d->status = d->kind == IDE_CD ? 0 : ide_ready_status(d);
    }
    ch->unit = 0;
    ide_set_irq(ch);
}

/* Commands a packet device accepts from the ATA set (ATA-6 table: the
 * PACKET command feature set). */
static bool ide_cd_accepts(uint8_t cmd)
{
    switch (cmd) {
    case ATA_CMD_PACKET:
    case ATA_CMD_IDENTIFY_PACKET:
    case ATA_CMD_DEVICE_RESET:
    case ATA_CMD_EXECUTE_DIAGNOSTIC:
    case ATA_CMD_CHECK_POWER_MODE:
    case ATA_CMD_IDLE_IMMEDIATE:
    case ATA_CMD_STANDBY_IMMEDIATE:
    case ATA_CMD_SLEEP:
    case ATA_CMD_SET_FEATURES:
    case ATA_CMD_NOP:
        return true;
    default:
        return false;
    }
}

static void ide_exec_cmd(IDEChannel *ch, uint8_t cmd)
{
    IDEDrive *d = ide_selected(ch);
    uint64_t max;

    if (d->kind == IDE_NONE) {
        return;                 /* nobody there to take it */
    }
    /* Only DEVICE RESET reaches a busy packet device (ATA-6 8.10);
     * everything else written while BSY or DRQ is ignored. */
    if (d->status & (ATA_STAT_BSY | ATA_STAT_DRQ)) {
        if (!(cmd == ATA_CMD_DEVICE_RESET && d->kind == IDE_CD)) {
            guest_error("ide: %s: command %02xh while busy", d->drive_id,
                        cmd);
            return;
        }
    }
    ide_clear_irq(ch);
    d->command = cmd;
    d->lba48 = ide_cmd_is_lba48(cmd);
    d->error = 0;

    if (d->kind == IDE_CD && !ide_cd_accepts(cmd)) {
        /* ATA-6: a packet device aborts IDENTIFY DEVICE and READ
         * SECTOR(S) with its signature in the registers, so that old
         * drivers find out what it is. */
        if (cmd == ATA_CMD_IDENTIFY || cmd == ATA_CMD_READ_SECTORS ||
            cmd == ATA_CMD_READ_SECTORS_NORETRY) {
            ide_set_signature(d);
        }
        ide_command_error(d, ATA_ERR_ABRT);
        return;
    }

    switch (cmd) {
    case ATA_CMD_IDENTIFY:
        ide_identify(d);
        d->status = ide_ready_status(d);
        ide_transfer_start(d, ATA_SECTOR_SIZE, IDE_END_STOP);
        ide_set_irq(ch);
        break;
    case ATA_CMD_IDENTIFY_PACKET:
        if (d->kind != IDE_CD) {
            ide_command_error(d, ATA_ERR_ABRT);
            break;
        }
        {
            uint16_t p[256] = { 0 };

            ide_atapi_identify(d, p);
            ide_identify_strings(d, p);
            ide_identify_checksum(p);
            for (unsigned i = 0; i < 256; i++) {
                d->io_buffer[2 * i] = p[i];
                d->io_buffer[2 * i + 1] = p[i] >> 8;
            }
        }
        d->status = ide_ready_status(d);
        ide_transfer_start(d, ATA_SECTOR_SIZE, IDE_END_STOP);
        ide_set_irq(ch);
        break;
    case ATA_CMD_PACKET:
        ide_atapi_start_packet(d);
        break;

    case ATA_CMD_READ_SECTORS:
    case ATA_CMD_READ_SECTORS_NORETRY:
    case ATA_CMD_READ_SECTORS_EXT:
    case ATA_CMD_READ_MULTIPLE:
    case ATA_CMD_READ_MULTIPLE_EXT:
        if ((cmd == ATA_CMD_READ_MULTIPLE ||
             cmd == ATA_CMD_READ_MULTIPLE_EXT) && !d->mult_sectors) {
            ide_command_error(d, ATA_ERR_ABRT);
            break;
        }
        if (!ide_start_rw(d)) {
            break;
        }
        d->req_sectors = (cmd == ATA_CMD_READ_MULTIPLE ||
                          cmd == ATA_CMD_READ_MULTIPLE_EXT)
                         ? d->mult_sectors : 1;
        ide_sector_read(d);
        break;

    case ATA_CMD_WRITE_SECTORS:
    case ATA_CMD_WRITE_SECTORS_NORETRY:
    case ATA_CMD_WRITE_SECTORS_EXT:
    case ATA_CMD_WRITE_MULTIPLE:
    case ATA_CMD_WRITE_MULTIPLE_EXT:
        if (((cmd == ATA_CMD_WRITE_MULTIPLE ||
              cmd == ATA_CMD_WRITE_MULTIPLE_EXT) && !d->mult_sectors) ||
            blk_is_read_only(d->blk)) {
            ide_command_error(d, ATA_ERR_ABRT);
            break;
        }
        if (!ide_start_rw(d)) {
            break;
        }
        d->req_sectors = (cmd == ATA_CMD_WRITE_MULTIPLE ||
                          cmd == ATA_CMD_WRITE_MULTIPLE_EXT)
                         ? d->mult_sectors : 1;
        d->status = ide_ready_status(d);
        ide_transfer_start(d, MIN(d->nsector_left, d->req_sectors) *
                              ATA_SECTOR_SIZE, IDE_END_WRITE_SECTORS);
        break;

    case ATA_CMD_READ_DMA:
    case ATA_CMD_READ_DMA_NORETRY:
    case ATA_CMD_READ_DMA_EXT:
        if (ide_start_rw(d)) {
            ide_dma_start(d, IDE_DMA_READ);
        }
        break;
    case ATA_CMD_WRITE_DMA:
    case ATA_CMD_WRITE_DMA_NORETRY:
    case ATA_CMD_WRITE_DMA_EXT:
        if (blk_is_read_only(d->blk)) {
            ide_command_error(d, ATA_ERR_ABRT);
            break;
        }
        if (ide_start_rw(d)) {
            ide_dma_start(d, IDE_DMA_WRITE);
        }
        break;

    case ATA_CMD_READ_VERIFY:
    case ATA_CMD_READ_VERIFY_NORETRY:
    case ATA_CMD_READ_VERIFY_EXT:
        /* Reads the sectors (so a bad image reports UNC) without
         * sending them. */
        if (ide_start_rw(d)) {
            uint32_t n = MIN(d->nsector_left, IDE_BUF_SECTORS);

            ide_io_begin(d, n);
            blk_aio_pread(d->blk, (int64_t)(d->lba * ATA_SECTOR_SIZE),
                          d->io_buffer, (size_t)n * ATA_SECTOR_SIZE,
                          ide_verify_cb, d);
        }
        break;

    case ATA_CMD_SET_MULTIPLE:
        /* Powers of two up to IDENTIFY word 47's maximum; 0 turns
         * multiple mode off. */
        if (d->nsector > IDE_MAX_MULT_SECTORS ||
            (d->nsector & (d->nsector - 1))) {
            ide_command_error(d, ATA_ERR_ABRT);
            break;
        }
        d->mult_sectors = d->nsector;
        ide_command_ok(d);
        break;

    case ATA_CMD_FLUSH_CACHE:
    case ATA_CMD_FLUSH_CACHE_EXT:
        /* Completes only once the block layer says the data is on
         * stable storage. */
        ide_io_begin(d, 0);
        blk_aio_flush(d->blk, ide_flush_cb, d);
        break;

    case ATA_CMD_SET_FEATURES:
        ide_set_features(d);
        break;

    case ATA_CMD_INITIALIZE_PARAMS:
        /* The logical geometry CHS addressing uses from now on
         * (ATA-6 8.16). */
        if (!d->nsector) {
            ide_command_error(d, ATA_ERR_ABRT);
            break;
        }
        d->heads = (d->select & ATA_DEV_HEAD_MASK) + 1;
        d->sectors = d->nsector;
        d->cylinders = MIN(d->nb_sectors / (d->heads * d->sectors),
                           (uint64_t)65535);
        ide_command_ok(d);
        break;

    case ATA_CMD_SEEK:
        {
            uint64_t lba;

            d->lba48 = false;
            if (!ide_get_sector(d, &lba) || lba >= d->nb_sectors) {
                ide_command_error(d, ATA_ERR_IDNF | ATA_ERR_ABRT);
                break;
            }
        }
        ide_command_ok(d);
        break;

    case ATA_CMD_READ_NATIVE_MAX:
    case ATA_CMD_READ_NATIVE_MAX_EXT:
        max = d->nb_sectors ? d->nb_sectors - 1 : 0;
        if (!d->lba48) {
            max = MIN(max, 0x0fffffffULL);
        }
        d->select |= ATA_DEV_LBA;
        ide_set_sector(d, max);
        ide_command_ok(d);
        break;

    case ATA_CMD_CHECK_POWER_MODE:
        d->nsector = d->power_mode;
        ide_command_ok(d);
        break;
    case ATA_CMD_STANDBY:
    case ATA_CMD_STANDBY_IMMEDIATE:
    case ATA_CMD_SLEEP:
        d->power_mode = ATA_POWER_STANDBY;
        ide_command_ok(d);
        break;
    case ATA_CMD_IDLE:
    case ATA_CMD_IDLE_IMMEDIATE:
        d->power_mode = ATA_POWER_IDLE;
        ide_command_ok(d);
        break;

    case ATA_CMD_EXECUTE_DIAGNOSTIC:
        ide_exec_diagnostic(ch);
        break;

    case ATA_CMD_DEVICE_RESET:
        if (d->kind != IDE_CD) {
            ide_command_error(d, ATA_ERR_ABRT);
            break;
        }
        /* ATA-6 8.10: no interrupt; the signature is in the registers. */
        ide_io_cancel(d);
        ide_transfer_stop(d);
        d->dma_pending = false;
        d->dma_cmd = IDE_DMA_NONE;
        ide_set_signature(d);
        d->error = 0x01;
        d->status = 0;
        ide_atapi_reset(d);
        break;

    case ATA_CMD_NOP:
        /* ATA-6 8.18: NOP always aborts. */
        ide_command_error(d, ATA_ERR_ABRT);
        break;

    default:
        if (cmd >= ATA_CMD_RECALIBRATE && cmd <= ATA_CMD_RECALIBRATE + 0xf) {
            d->lbam = d->lbah = 0;
            ide_command_ok(d);
            break;
        }
        unimp_log("ide: %s: command %02xh", d->drive_id, cmd);
        ide_command_error(d, ATA_ERR_ABRT);
        break;
    }
}

/* --- the data port ------------------------------------------------------------- */

/* The current DRQ block was all moved: what the command does next. */
static void ide_transfer_end(IDEDrive *d)
{
    IDETransferEnd end = d->end_transfer;

    ide_transfer_stop(d);
    switch (end) {
    case IDE_END_READ_SECTORS:
        if (d->nsector_left) {
            ide_sector_read(d);
        }
        break;
    case IDE_END_WRITE_SECTORS:
        ide_sector_write(d);
        break;
    case IDE_END_ATAPI_PACKET:
        ide_atapi_packet_cmd(d);
        break;
    case IDE_END_ATAPI_REPLY:
        ide_atapi_reply_next(d);
        break;
    default:
        break;
    }
}

static uint32_t ide_data_read(IDEChannel *ch, unsigned size)
{
    IDEDrive *d = ide_selected(ch);
    uint32_t v = 0;

    if (!(d->status & ATA_STAT_DRQ) || d->data_pos >= d->data_end) {
        return 0;
    }
    for (unsigned i = 0; i < size && d->data_pos < d->data_end; i++) {
        v |= (uint32_t)d->io_buffer[d->data_pos++] << (8 * i);
    }
    if (d->data_pos >= d->data_end) {
        ide_transfer_end(d);
    }
    return v;
}

static void ide_data_write(IDEChannel *ch, uint32_t val, unsigned size)
{
    IDEDrive *d = ide_selected(ch);

    if (!(d->status & ATA_STAT_DRQ) || d->data_pos >= d->data_end) {
        return;
    }
    for (unsigned i = 0; i < size && d->data_pos < d->data_end; i++) {
        d->io_buffer[d->data_pos++] = val >> (8 * i);
    }
    if (d->data_pos >= d->data_end) {
        ide_transfer_end(d);
    }
}

/* --- command block registers ---------------------------------------------------- */

uint32_t ide_cmd_read(IDEChannel *ch, unsigned reg, unsigned size)
{
    IDEDrive *d = ide_selected(ch);
    bool hob = ch->devctl & ATA_CTL_HOB;
    bool absent = ide_channel_empty(ch) ||
                  (ch->unit && d->kind == IDE_NONE);

    if (reg == ATA_REG_DATA) {
        return absent ? 0 : ide_data_read(ch, size);
    }
    if (absent) {
        return 0;
    }
    switch (reg) {
    case ATA_REG_ERROR:
        return hob ? d->hob_feature : d->error;
    case ATA_REG_NSECTOR:
        return hob ? d->hob_nsector : d->nsector;
    case ATA_REG_LBAL:
        return hob ? d->hob_lbal : d->lbal;
    case ATA_REG_LBAM:
        return hob ? d->hob_lbam : d->lbam;
    case ATA_REG_LBAH:
        return hob ? d->hob_lbah : d->lbah;
    case ATA_REG_DEVICE:
        return d->select;
    case ATA_REG_STATUS:
        ide_clear_irq(ch);
        return d->status;
    default:
        return 0xff;
    }
}

/* Both devices latch every register write (ATA-6 7.1); the previous
 * value moves to the HOB half of the 48-bit registers. */
static void ide_latch(IDEChannel *ch, unsigned reg, uint8_t val)
{
    for (unsigned i = 0; i < IDE_NR_UNITS; i++) {
        IDEDrive *d = &ch->drive[i];

        switch (reg) {
        case ATA_REG_FEATURE:
            d->hob_feature = d->feature;
            d->feature = val;
            break;
        case ATA_REG_NSECTOR:
            d->hob_nsector = d->nsector;
            d->nsector = val;
            break;
        case ATA_REG_LBAL:
            d->hob_lbal = d->lbal;
            d->lbal = val;
            break;
        case ATA_REG_LBAM:
            d->hob_lbam = d->lbam;
            d->lbam = val;
            break;
        case ATA_REG_LBAH:
            d->hob_lbah = d->lbah;
            d->lbah = val;
            break;
        case ATA_REG_DEVICE:
            d->select = val | ATA_DEV_OBS;
            break;
        }
    }
}

void ide_cmd_write(IDEChannel *ch, unsigned reg, uint32_t val, unsigned size)
{
    if (reg == ATA_REG_DATA) {
        ide_data_write(ch, val, size);
        return;
    }
    switch (reg) {
    case ATA_REG_FEATURE:
    case ATA_REG_NSECTOR:
    case ATA_REG_LBAL:
    case ATA_REG_LBAM:
    case ATA_REG_LBAH:
        /* Writing a register clears HOB (ATA-6 7.7). */
        ch->devctl &= ~ATA_CTL_HOB;
        ide_latch(ch, reg, val);
        break;
    case ATA_REG_DEVICE:
        ch->devctl &= ~ATA_CTL_HOB;
        ide_latch(ch, reg, val);
        ch->unit = (val & ATA_DEV_DEV) ? 1 : 0;
        break;
    case ATA_REG_COMMAND:
        if (ch->devctl & ATA_CTL_SRST) {
            break;              /* in reset: nobody listens */
        }
        ide_exec_cmd(ch, val);
        break;
    }
}

/* --- set-up ---------------------------------------------------------------------- */

void ide_channel_init(IDEChannel *ch, unsigned index, IrqLine irq)
{
    ch->index = index;
    ch->irq = irq;
    for (unsigned i = 0; i < IDE_NR_UNITS; i++) {
        IDEDrive *d = &ch->drive[i];

        d->ch = ch;
        d->unit = i;
        d->kind = IDE_NONE;
        snprintf(d->drive_id, sizeof(d->drive_id), "ide%u-%s%u", index,
                 "none", i);
    }
}

/* The geometry a disk reports in IDENTIFY words 1-6: 16 heads, 63
 * sectors per track and as many cylinders as fit, at most 16383 (the
 * ATA limit for CHS; larger disks are reached by LBA). */
static void ide_guess_geometry(IDEDrive *d)
{
    uint64_t cyls = d->nb_sectors / (16 * 63);

    d->phys_heads = 16;
    d->phys_sectors = 63;
    d->phys_cylinders = MAX(MIN(cyls, (uint64_t)16383), (uint64_t)2);
}

bool ide_drive_attach(IDEDrive *d, IDEDriveKind kind, BlockBackend *blk,
                      Error **errp)
{
    IDEChannel *ch = d->ch;
    unsigned nr = ch->index * 2 + d->unit;

    d->kind = kind;
    d->blk = blk;
    snprintf(d->drive_id, sizeof(d->drive_id), "ide%u-%s%u", ch->index,
             ide_kind_name[kind], d->unit);
    /* QEMU's strings, so guests and firmware print what they would on
     * QEMU ("QEMU HARDDISK", serial QM0000n). */
    snprintf(d->serial, sizeof(d->serial), "QM%05u", nr + 1);
    if (kind == IDE_HD) {
        int64_t len;

        if (!blk || !blk_is_inserted(blk)) {
            error_setg(errp, "IDE disk %s needs an image", d->drive_id);
            return false;
        }
        len = blk_getlength(blk);
        if (len < ATA_SECTOR_SIZE) {
            error_setg(errp, "image '%s' is too small for an IDE disk "
                       "(%" PRId64 " bytes; at least one 512-byte sector)",
                       blk_filename(blk) ? blk_filename(blk) : "",
                       len);
            return false;
        }
        d->nb_sectors = (uint64_t)len / ATA_SECTOR_SIZE;
        snprintf(d->model, sizeof(d->model), "QEMU HARDDISK");
        ide_guess_geometry(d);
    } else if (kind == IDE_CD) {
        snprintf(d->model, sizeof(d->model), "QEMU DVD-ROM");
        d->nb_sectors = blk && blk_is_inserted(blk) ? blk_nb_sectors(blk)
                                                    : 0;
    }
    return true;
}

/* --- state --------------------------------------------------------------------- */

bool ide_channel_post_load(IDEChannel *ch, Error **errp)
{
    ch->unit &= 1;
    for (unsigned i = 0; i < IDE_NR_UNITS; i++) {
        IDEDrive *d = &ch->drive[i];

        if (d->data_pos > d->data_end || d->data_end > sizeof(d->io_buffer) ||
            d->end_transfer >= IDE_END_MAX || d->dma_cmd >= IDE_DMA_MAX ||
            d->atapi_buf_pos > d->atapi_buf_len ||
            d->atapi_buf_len > sizeof(d->io_buffer) ||
            d->req_sectors > IDE_BUF_SECTORS ||
            d->mult_sectors > IDE_MAX_MULT_SECTORS) {
            error_setg(errp, "ide: %s: inconsistent transfer state",
                       d->drive_id);
            return false;
        }
        if (d->kind == IDE_HD && (d->lba > d->nb_sectors ||
                                  d->nsector_left > d->nb_sectors - d->lba)) {
            error_setg(errp, "ide: %s: transfer outside the disk",
                       d->drive_id);
            return false;
        }
        d->io_busy = d->io_cancel = false;
        if (d->status & ATA_STAT_BSY && !d->dma_pending) {
            /* Saved with a request in flight: that request is gone.
             * Abort the command; the driver retries. */
            ide_abort_command(d);
            ch->irq_pending = true;
        }
    }
    ide_update_irq(ch);
    return true;
}

static const VMStateField ide_drive_vmstate_fields[] = {
    VMSTATE_U8(feature, IDEDrive),
    VMSTATE_U8(nsector, IDEDrive),
    VMSTATE_U8(lbal, IDEDrive),
    VMSTATE_U8(lbam, IDEDrive),
    VMSTATE_U8(lbah, IDEDrive),
    VMSTATE_U8(hob_feature, IDEDrive),
    VMSTATE_U8(hob_nsector, IDEDrive),
    VMSTATE_U8(hob_lbal, IDEDrive),
    VMSTATE_U8(hob_lbam, IDEDrive),
    VMSTATE_U8(hob_lbah, IDEDrive),
    VMSTATE_U8(select, IDEDrive),
    VMSTATE_U8(status, IDEDrive),
    VMSTATE_U8(error, IDEDrive),
    VMSTATE_U8(command, IDEDrive),
    VMSTATE_U8(mult_sectors, IDEDrive),
    VMSTATE_U8(power_mode, IDEDrive),
    VMSTATE_BOOL(lba48, IDEDrive),
    VMSTATE_BOOL(write_cache, IDEDrive),
    VMSTATE_U8(xfer_mode, IDEDrive),
    VMSTATE_U16(cylinders, IDEDrive),
    VMSTATE_U16(heads, IDEDrive),
    VMSTATE_U16(sectors, IDEDrive),
    VMSTATE_U64(lba, IDEDrive),
    VMSTATE_U32(nsector_left, IDEDrive),
    VMSTATE_U32(req_sectors, IDEDrive),
    VMSTATE_U32(data_pos, IDEDrive),
    VMSTATE_U32(data_end, IDEDrive),
    VMSTATE_U8(end_transfer, IDEDrive),
    VMSTATE_U8(dma_cmd, IDEDrive),
    VMSTATE_BOOL(dma_pending, IDEDrive),
    VMSTATE_U8(sense_key, IDEDrive),
    VMSTATE_U8(asc, IDEDrive),
    VMSTATE_BOOL(medium_changed, IDEDrive),
    VMSTATE_BOOL(tray_open, IDEDrive),
    VMSTATE_BOOL(tray_locked, IDEDrive),
    VMSTATE_U8(event_status, IDEDrive),
    VMSTATE_U8_ARRAY(packet, IDEDrive, ATAPI_PACKET_SIZE),
    VMSTATE_U32(atapi_lba, IDEDrive),
    VMSTATE_U32(atapi_blocks_left, IDEDrive),
    VMSTATE_U32(atapi_buf_pos, IDEDrive),
    VMSTATE_U32(atapi_buf_len, IDEDrive),
    VMSTATE_U32(atapi_byte_limit, IDEDrive),
    VMSTATE_BOOL(atapi_dma, IDEDrive),
    VMSTATE_BUFFER(io_buffer, IDEDrive),
    VMSTATE_END
};

static const VMStateDescription ide_drive_vmstate = {
    .name = "ide_drive",
    .version = 1,
    .min_version = 1,
    .fields = ide_drive_vmstate_fields,
};

static const VMStateField bmdma_vmstate_fields[] = {
    VMSTATE_U8(cmd, BMDMAState),
    VMSTATE_U8(status, BMDMAState),
    VMSTATE_U32(prd_addr, BMDMAState),
    VMSTATE_U32(cur_prd, BMDMAState),
    VMSTATE_U32(cur_addr, BMDMAState),
    VMSTATE_U32(cur_len, BMDMAState),
    VMSTATE_BOOL(cur_last, BMDMAState),
    VMSTATE_U32(nr_prds, BMDMAState),
    VMSTATE_END
};

static const VMStateDescription bmdma_vmstate = {
    .name = "bmdma",
    .version = 1,
    .min_version = 1,
    .fields = bmdma_vmstate_fields,
};

static const VMStateField ide_channel_vmstate_fields[] = {
    VMSTATE_STRUCT_ARRAY(drive, IDEChannel, IDE_NR_UNITS, ide_drive_vmstate,
                         IDEDrive),
    VMSTATE_U8(unit, IDEChannel),
    VMSTATE_U8(devctl, IDEChannel),
    VMSTATE_BOOL(irq_pending, IDEChannel),
    VMSTATE_STRUCT(bm, IDEChannel, bmdma_vmstate, BMDMAState),
    VMSTATE_END
};

const VMStateDescription ide_channel_vmstate = {
    .name = "ide_channel",
    .version = 1,
    .min_version = 1,
    .fields = ide_channel_vmstate_fields,
};
