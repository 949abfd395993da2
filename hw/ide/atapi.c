/*
 * The ATAPI CD-ROM: packet commands carried by the ATA PACKET command,
 * as SFF-8020i rev 2.6 ("ATA Packet Interface for CD-ROMs") and MMC
 * describe them, on 2048-byte blocks of an image (an ISO file).
 *
 * Emulated: IDENTIFY PACKET DEVICE; TEST UNIT READY, REQUEST SENSE,
 * INQUIRY, START STOP UNIT (tray open/close), PREVENT ALLOW MEDIUM
 * REMOVAL, READ CAPACITY, READ(10), READ(12), SEEK(10), READ TOC/PMA/ATIP
 * (formats 0, 1 and 2, LBA or MSF), GET CONFIGURATION (profile list,
 * core, removable medium), GET EVENT STATUS NOTIFICATION (polled, media
 * class), READ DISC INFORMATION, MODE SENSE(10) (pages 01h and 2Ah),
 * MECHANISM STATUS, SET CD SPEED; UNIT ATTENTION after a disc is
 * inserted, NOT READY / MEDIUM NOT PRESENT without one; replies by PIO
 * (in chunks of the host's byte count limit) or bus-master DMA.
 * Not emulated: audio (PLAY, READ SUB-CHANNEL), READ CD, DVD structures,
 * MODE SELECT, writing; commands answer ILLEGAL REQUEST / INVALID
 * COMMAND OPERATION CODE.
 */
#include "hw/ide/internal.h"
#include "block/block.h"

/* Packet commands (SFF-8020i table 9, MMC). */
#define GPCMD_TEST_UNIT_READY           0x00
#define GPCMD_REQUEST_SENSE             0x03
#define GPCMD_INQUIRY                   0x12
#define GPCMD_START_STOP_UNIT           0x1b
#define GPCMD_PREVENT_ALLOW             0x1e
#define GPCMD_READ_CAPACITY             0x25
#define GPCMD_READ_10                   0x28
#define GPCMD_SEEK_10                   0x2b
#define GPCMD_READ_TOC                  0x43
#define GPCMD_GET_CONFIGURATION         0x46
#define GPCMD_GET_EVENT_STATUS          0x4a
#define GPCMD_READ_DISC_INFO            0x51
#define GPCMD_MODE_SENSE_10             0x5a
#define GPCMD_READ_12                   0xa8
#define GPCMD_SET_SPEED                 0xbb
#define GPCMD_MECHANISM_STATUS          0xbd

/* Sense keys and additional sense codes (SFF-8020i table 125). */
#define SENSE_NONE                      0x00
#define SENSE_NOT_READY                 0x02
#define SENSE_MEDIUM_ERROR              0x03
#define SENSE_ILLEGAL_REQUEST           0x05
#define SENSE_UNIT_ATTENTION            0x06
#define SENSE_ABORTED_COMMAND           0x0b
#define ASC_UNRECOVERED_READ            0x11
#define ASC_INVALID_OPCODE              0x20
#define ASC_LBA_OUT_OF_RANGE            0x21
#define ASC_INVALID_FIELD               0x24
#define ASC_SAVING_UNSUPPORTED          0x39
#define ASC_MEDIUM_CHANGED              0x28
#define ASC_MEDIUM_NOT_PRESENT          0x3a
#define ASC_REMOVAL_PREVENTED           0x53

/* GESN media events (MMC: media event descriptor). */
#define MEC_NO_CHANGE                   0
#define MEC_NEW_MEDIA                   2
#define MEC_MEDIA_REMOVAL               3

/* MMC profiles. */
#define MMC_PROFILE_NONE                0x0000
#define MMC_PROFILE_CD_ROM              0x0008
#define MMC_PROFILE_DVD_ROM             0x0010
#define CD_MAX_SECTORS                  (80 * 60 * 75)  /* 80-minute CD */

#define MODE_PAGE_R_W_ERROR             0x01
#define MODE_PAGE_CAPABILITIES          0x2a
#define MODE_PAGE_ALL                   0x3f

/* Largest reply assembled in io_buffer for a non-read command. */
#define ATAPI_MAX_REPLY                 4096

static uint16_t be16(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static uint32_t atapi_nb_blocks(IDEDrive *d)
{
    return MIN(d->nb_sectors / 4, (uint64_t)UINT32_MAX);
}

static bool atapi_medium_present(IDEDrive *d)
{
    return d->blk && blk_is_inserted(d->blk) && !d->tray_open &&
           atapi_nb_blocks(d) > 0;
}

/* Logical block to minutes/seconds/frames: 75 frames a second, and the
 * first block is at 00:02:00 (SFF-8020i 10.8.10). */
static void lba_to_msf(uint8_t *p, uint32_t lba)
{
    lba += 150;
    p[0] = (lba / 75) / 60;
    p[1] = (lba / 75) % 60;
    p[2] = lba % 75;
}

/* --- identify --------------------------------------------------------------- */

/* IDENTIFY PACKET DEVICE (ATA-6 8.16, packet device words). The strings
 * and checksum are added by core.c. */
void ide_atapi_identify(IDEDrive *d, uint16_t *p)
{
    /* ATAPI, CD-ROM device, removable, 50 us DRQ, 12-byte packets. */
    p[0] = (2 << 14) | (5 << 8) | (1 << 7) | (2 << 5);
    p[48] = 1;
    p[49] = (1 << 11) | (1 << 9) | (1 << 8);    /* IORDY, LBA, DMA */
    p[53] = 7;
    p[62] = 7;
    p[63] = 7 | ((d->xfer_mode & 0xf8) == 0x20 ?
                 1 << (8 + (d->xfer_mode & 7)) : 0);
    p[64] = 3;
    p[65] = 0xb4;
    p[66] = 0xb4;
    p[67] = 0x12c;
    p[68] = 0xb4;
    p[71] = 30;
    p[72] = 30;
    p[80] = 0x1e;                       /* ATAPI-1 to ATAPI-4 */
    p[82] = (1 << 14) | (1 << 9) | (1 << 4);    /* NOP, reset, packet */
    p[83] = 1 << 14;
    p[84] = 1 << 14;
    p[85] = (1 << 14) | (1 << 9) | (1 << 4);
    p[86] = 0;
    p[87] = 1 << 14;
    p[88] = 0x3f | ((d->xfer_mode & 0xf8) == 0x40 ?
                    1 << (8 + (d->xfer_mode & 7)) : 0);
    p[93] = 1 | (1 << 14) | 0x2000;
}

/* --- completion ----------------------------------------------------------------- */

/* The status phase: the command is done (interrupt reason I/O + C/D). */
static void atapi_cmd_ok(IDEDrive *d)
{
    ide_transfer_stop(d);
    d->error = 0;
    d->status = ide_ready_status(d);
    d->nsector = (d->nsector & ~7) | ATAPI_INT_REASON_IO |
                 ATAPI_INT_REASON_CD;
    d->sense_key = SENSE_NONE;
    d->asc = 0;
    ide_set_irq(d->ch);
}

/* CHECK CONDITION: the sense key goes in the error register's high
 * nibble; REQUEST SENSE gives the details (SFF-8020i 7.1). */
static void atapi_cmd_error(IDEDrive *d, uint8_t key, uint8_t asc)
{
    ide_transfer_stop(d);
    d->error = key << 4 | ATA_ERR_ABRT;
    d->status = ATA_STAT_DRDY | ATA_STAT_ERR;
    d->nsector = (d->nsector & ~7) | ATAPI_INT_REASON_IO |
                 ATAPI_INT_REASON_CD;
    d->sense_key = key;
    d->asc = asc;
    d->dma_pending = false;
    d->dma_cmd = IDE_DMA_NONE;
    ide_set_irq(d->ch);
}

static void atapi_refill(IDEDrive *d);

/* Sends the next PIO chunk of the reply: at most the byte count limit
 * the host wrote in LBA mid/high, even when more follows (SFF-8020i
 * 5.1.3). */
static void atapi_send_chunk(IDEDrive *d)
{
    uint32_t left = d->atapi_buf_len - d->atapi_buf_pos;
    uint32_t limit = d->atapi_byte_limit;
    uint32_t size;

    if (!left) {
        if (d->atapi_blocks_left) {
            atapi_refill(d);
        } else {
            atapi_cmd_ok(d);
        }
        return;
    }
    /* 0 and FFFFh are not valid limits; take the largest even one. */
    if (limit == 0 || limit == 0xffff) {
        limit = 0xfffe;
    }
    size = MIN(left, limit);
    if (size < left && (size & 1)) {
        size--;
    }
    if (!size) {
        size = MIN(left, 2u);
    }
    d->lbam = size;
    d->lbah = size >> 8;
    d->nsector = (d->nsector & ~7) | ATAPI_INT_REASON_IO;
    d->status = ide_ready_status(d);
    ide_transfer_stop(d);
    d->data_pos = d->atapi_buf_pos;
    d->data_end = d->atapi_buf_pos + size;
    d->end_transfer = IDE_END_ATAPI_REPLY;
    d->status |= ATA_STAT_DRQ;
    /* The chunk is committed: the next one starts after it. */
    d->atapi_buf_pos += size;
    ide_set_irq(d->ch);
}

void ide_atapi_reply_next(IDEDrive *d)
{
    atapi_send_chunk(d);
}

/* A reply of len bytes is in io_buffer; the host takes at most alloc. */
static void atapi_reply(IDEDrive *d, uint32_t len, uint32_t alloc)
{
    len = MIN(len, alloc);
    if (!len) {
        atapi_cmd_ok(d);
        return;
    }
    d->atapi_buf_pos = 0;
    d->atapi_buf_len = len;
    d->atapi_blocks_left = 0;
    if (d->atapi_dma) {
        ide_dma_start(d, IDE_DMA_ATAPI);
        return;
    }
    atapi_send_chunk(d);
}

void ide_atapi_dma_done(IDEDrive *d, bool ok)
{
    if (ok) {
        atapi_cmd_ok(d);
    } else {
        atapi_cmd_error(d, SENSE_ABORTED_COMMAND, 0);
    }
}

/* --- READ ---------------------------------------------------------------------- */

static void atapi_read_cb(void *opaque, int ret)
{
    IDEDrive *d = opaque;
    uint32_t n = d->io_sectors / 4;

    if (!ide_io_end(d)) {
        return;
    }
    if (ret < 0) {
        error_report("ide: %s: read error at block %u: %s", d->drive_id,
                     d->atapi_lba, strerror(-ret));
        atapi_cmd_error(d, SENSE_MEDIUM_ERROR, ASC_UNRECOVERED_READ);
        return;
    }
    d->atapi_lba += n;
    d->atapi_blocks_left -= n;
    d->atapi_buf_pos = 0;
    d->atapi_buf_len = n * ATAPI_SECTOR_SIZE;
    atapi_send_chunk(d);
}

/* Reads the next run of blocks of a PIO READ into io_buffer. */
static void atapi_refill(IDEDrive *d)
{
    uint32_t n = MIN(d->atapi_blocks_left,
                     (uint32_t)(IDE_BUF_SIZE / ATAPI_SECTOR_SIZE));

    ide_transfer_stop(d);
    ide_io_begin(d, n * 4);
    blk_aio_pread(d->blk, (int64_t)d->atapi_lba * ATAPI_SECTOR_SIZE,
                  d->io_buffer, (size_t)n * ATAPI_SECTOR_SIZE,
                  atapi_read_cb, d);
}

static void atapi_read(IDEDrive *d, uint32_t lba, uint32_t nb)
{
    uint32_t total = atapi_nb_blocks(d);

    if (lba >= total || nb > total - lba) {
        if (nb) {
            atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
            return;
        }
    }
    if (!nb) {
        atapi_cmd_ok(d);
        return;
    }
    if (d->atapi_dma) {
        /* The ATA DMA path moves 512-byte sectors: four per block. */
        d->lba = (uint64_t)lba * 4;
        d->nsector_left = nb * 4;
        ide_dma_start(d, IDE_DMA_READ);
        return;
    }
    d->atapi_lba = lba;
    d->atapi_blocks_left = nb;
    d->atapi_buf_pos = d->atapi_buf_len = 0;
    atapi_refill(d);
}

/* --- replies ------------------------------------------------------------------- */

static uint32_t atapi_request_sense(IDEDrive *d, uint8_t *buf)
{
    memset(buf, 0, 18);
    buf[0] = 0x70;                      /* current error */
    buf[2] = d->sense_key;
    buf[7] = 10;
    buf[12] = d->asc;
    buf[13] = d->asc == ASC_REMOVAL_PREVENTED ? 0x02 : 0;
    d->sense_key = SENSE_NONE;
    d->asc = 0;
    return 18;
}

static uint32_t atapi_inquiry(IDEDrive *d, uint8_t *buf)
{
    memset(buf, 0, 36);
    buf[0] = 0x05;                      /* CD-ROM device */
    buf[1] = 0x80;                      /* removable */
    buf[2] = 0x00;                      /* ANSI version: ATAPI */
    buf[3] = 0x21;                      /* ATAPI version 2, format 1 */
    buf[4] = 31;
    memcpy(buf + 8, "QEMU    ", 8);
    memcpy(buf + 16, "QEMU DVD-ROM    ", 16);
    memcpy(buf + 32, "2.5+", 4);
    return 36;
}

/* READ TOC/PMA/ATIP for a single-session disc with one data track. */
static bool atapi_read_toc(IDEDrive *d, uint8_t *buf, uint32_t *len)
{
    const uint8_t *pk = d->packet;
    bool msf = pk[1] & 2;
    unsigned format = pk[2] & 0xf;
    uint8_t start = pk[6];
    uint32_t total = atapi_nb_blocks(d);
    uint8_t *q;

    /* SFF-8020i put the format in the top bits of byte 9. */
    if (!format) {
        format = pk[9] >> 6;
    }
    switch (format) {
    case 0:
        if (start > 1 && start != 0xaa) {
            return false;
        }
        q = buf + 2;
        *q++ = 1;                       /* first track */
        *q++ = 1;                       /* last track */
        if (start <= 1) {
            *q++ = 0;
            *q++ = 0x14;                /* ADR 1, data track */
            *q++ = 1;
            *q++ = 0;
            if (msf) {
                *q++ = 0;
                lba_to_msf(q, 0);
                q += 3;
            } else {
                put_be32(q, 0);
                q += 4;
            }
        }
        *q++ = 0;
        *q++ = 0x14;
        *q++ = 0xaa;                    /* lead-out */
        *q++ = 0;
        if (msf) {
            *q++ = 0;
            lba_to_msf(q, total);
            q += 3;
        } else {
            put_be32(q, total);
            q += 4;
        }
        *len = q - buf;
        put_be16(buf, *len - 2);
        return true;
    case 1:
        /* Multi-session information: session 1 starts at block 0. */
        memset(buf, 0, 12);
        put_be16(buf, 10);
        buf[2] = 1;
        buf[3] = 1;
        buf[5] = 0x14;
        buf[6] = 1;
        *len = 12;
        return true;
    case 2: {
        /* Raw TOC: points A0h, A1h, A2h and track 1. */
        static const uint8_t points[] = { 0xa0, 0xa1, 0xa2, 0x01 };

        q = buf + 2;
        *q++ = 1;
        *q++ = 1;
        for (unsigned i = 0; i < ARRAY_SIZE(points); i++) {
            memset(q, 0, 11);
            q[0] = 1;                   /* session */
            q[1] = 0x14;
            q[3] = points[i];
            if (points[i] == 0xa0) {
                q[8] = 1;               /* first track; disc type 00h */
            } else if (points[i] == 0xa1) {
                q[8] = 1;               /* last track */
            } else if (msf) {
                lba_to_msf(q + 8, points[i] == 0xa2 ? total : 0);
            } else {
                put_be32(q + 7, points[i] == 0xa2 ? total : 0);
            }
            q += 11;
        }
        *len = q - buf;
        put_be16(buf, *len - 2);
        return true;
    }
    default:
        return false;
    }
}

static uint16_t atapi_current_profile(IDEDrive *d)
{
    if (!atapi_medium_present(d)) {
        return MMC_PROFILE_NONE;
    }
    return atapi_nb_blocks(d) > CD_MAX_SECTORS ? MMC_PROFILE_DVD_ROM
                                               : MMC_PROFILE_CD_ROM;
}

/* GET CONFIGURATION (MMC 6.6): the profile list, the core feature and
 * the removable-medium feature, from the starting feature on. */
static uint32_t atapi_get_configuration(IDEDrive *d, uint8_t *buf)
{
    const uint8_t *pk = d->packet;
    unsigned rt = pk[1] & 3;
    uint16_t start = be16(pk + 2);
    uint16_t cur = atapi_current_profile(d);
    uint8_t *q = buf + 8;

    memset(buf, 0, 64);
    put_be16(buf + 6, cur);
    if (start == 0 || (rt != 2 && start <= 0x0000)) {
        put_be16(q, 0x0000);            /* profile list */
        q[2] = 0x03;                    /* persistent, current */
        q[3] = 8;
        put_be16(q + 4, MMC_PROFILE_DVD_ROM);
        q[6] = cur == MMC_PROFILE_DVD_ROM;
        put_be16(q + 8, MMC_PROFILE_CD_ROM);
        q[10] = cur == MMC_PROFILE_CD_ROM;
        q += 12;
    }
    if ((rt == 2 && start == 0x0001) || (rt != 2 && start <= 0x0001)) {
        put_be16(q, 0x0001);            /* core */
        q[2] = 0x0b;                    /* version 2, persistent, current */
        q[3] = 8;
        put_be32(q + 4, 2);             /* physical interface: ATAPI */
        q[8] = 1;                       /* DBE */
        q += 12;
    }
    if ((rt == 2 && start == 0x0003) || (rt != 2 && start <= 0x0003)) {
        put_be16(q, 0x0003);            /* removable medium */
        q[2] = 0x03;
        q[3] = 4;
        q[4] = 0x29 | (d->tray_locked ? 0x04 : 0);  /* tray, eject, lock */
        q += 8;
    }
    put_be32(buf, q - buf - 4);
    return q - buf;
}

/* GET EVENT STATUS NOTIFICATION, polled, media class only (MMC 6.7). */
static bool atapi_gesn(IDEDrive *d, uint8_t *buf, uint32_t *len)
{
    const uint8_t *pk = d->packet;

    if (!(pk[1] & 1)) {
        return false;                   /* asynchronous: not supported */
    }
    memset(buf, 0, 8);
    buf[3] = 1 << 4;                    /* supported: media class */
    if (pk[4] & (1 << 4)) {
        buf[2] = 4;                     /* media class */
        buf[4] = d->event_status;
        buf[5] = (atapi_medium_present(d) ? 2 : 0) | (d->tray_open ? 1 : 0);
        put_be16(buf, 6);
        d->event_status = MEC_NO_CHANGE;
        *len = 8;
    } else {
        buf[2] = 0x80;                  /* no event available */
        put_be16(buf, 2);
        *len = 4;
    }
    return true;
}

static uint32_t atapi_read_disc_info(IDEDrive *d, uint8_t *buf)
{
    memset(buf, 0, 34);
    put_be16(buf, 32);
    buf[2] = 0x0e;                      /* complete, last session complete */
    buf[3] = 1;                         /* first track */
    buf[4] = 1;                         /* sessions */
    buf[5] = 1;                         /* first track of last session */
    buf[6] = 1;                         /* last track of last session */
    buf[7] = 0x20;                      /* unrestricted use */
    buf[8] = 0x00;                      /* CD-ROM disc */
    return 34;
}

/* MODE SENSE(10): the error recovery and capabilities pages. */
static int atapi_mode_sense(IDEDrive *d, uint8_t *buf, uint32_t *len)
{
    const uint8_t *pk = d->packet;
    unsigned page = pk[2] & 0x3f, pc = pk[2] >> 6;
    uint8_t *q = buf + 8;

    if (pc == 3) {
        return ASC_SAVING_UNSUPPORTED;
    }
    if (page != MODE_PAGE_R_W_ERROR && page != MODE_PAGE_CAPABILITIES &&
        page != MODE_PAGE_ALL) {
        return ASC_INVALID_FIELD;
    }
    memset(buf, 0, 64);
    buf[2] = atapi_medium_present(d) ? 0x01 : 0x70;  /* medium type */
    if (page == MODE_PAGE_R_W_ERROR || page == MODE_PAGE_ALL) {
        q[0] = MODE_PAGE_R_W_ERROR;
        q[1] = 6;
        q[3] = pc == 1 ? 0 : 5;         /* read retry count */
        q += 8;
    }
    if (page == MODE_PAGE_CAPABILITIES || page == MODE_PAGE_ALL) {
        q[0] = MODE_PAGE_CAPABILITIES;
        q[1] = 0x14;
        if (pc != 1) {
            q[2] = 0x3b;                /* reads CD-R/RW, DVD-ROM/R/RAM */
            q[4] = 0x71;                /* audio, composite, multisession */
            q[5] = 0x60;                /* CD-DA commands, accurate */
            q[6] = 0x29 | (d->tray_locked ? 0x02 : 0);
            put_be16(q + 8, 706);       /* max speed, kB/s (4x) */
            put_be16(q + 10, 2);        /* volume levels */
            put_be16(q + 12, 512);      /* buffer size, KiB */
            put_be16(q + 14, 706);      /* current speed */
        }
        q += 22;
    }
    *len = q - buf;
    put_be16(buf, *len - 2);
    return 0;
}

static uint32_t atapi_mechanism_status(IDEDrive *d, uint8_t *buf)
{
    memset(buf, 0, 8);
    buf[1] = d->tray_open ? 0x10 : 0;
    return 8;
}

/* --- dispatch -------------------------------------------------------------------- */

void ide_atapi_start_packet(IDEDrive *d)
{
    /* Features bit 0: the reply goes by DMA (SFF-8020i 7.1.3). */
    d->atapi_dma = d->feature & 1;
    d->atapi_byte_limit = d->lbah << 8 | d->lbam;
    d->nsector = (d->nsector & ~7) | ATAPI_INT_REASON_CD;
    d->status = ide_ready_status(d);
    ide_transfer_start(d, ATAPI_PACKET_SIZE, IDE_END_ATAPI_PACKET);
}

/* Commands that report a pending UNIT ATTENTION only on request
 * (SFF-8020i 9.2.2: INQUIRY and REQUEST SENSE never fail with it). */
static bool atapi_allows_ua(uint8_t op)
{
    return op == GPCMD_INQUIRY || op == GPCMD_REQUEST_SENSE ||
           op == GPCMD_GET_EVENT_STATUS || op == GPCMD_GET_CONFIGURATION;
}

static bool atapi_needs_medium(uint8_t op)
{
    switch (op) {
    case GPCMD_TEST_UNIT_READY:
    case GPCMD_READ_CAPACITY:
    case GPCMD_READ_10:
    case GPCMD_READ_12:
    case GPCMD_SEEK_10:
    case GPCMD_READ_TOC:
    case GPCMD_READ_DISC_INFO:
        return true;
    default:
        return false;
    }
}

void ide_atapi_packet_cmd(IDEDrive *d)
{
    uint8_t *pk = d->packet;
    uint8_t *buf = d->io_buffer;
    uint32_t len = 0;
    int asc;

    memcpy(pk, d->io_buffer, ATAPI_PACKET_SIZE);
    if (d->medium_changed && !atapi_allows_ua(pk[0])) {
        d->medium_changed = false;
        atapi_cmd_error(d, SENSE_UNIT_ATTENTION, ASC_MEDIUM_CHANGED);
        return;
    }
    if (atapi_needs_medium(pk[0]) && !atapi_medium_present(d)) {
        atapi_cmd_error(d, SENSE_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
        return;
    }

    switch (pk[0]) {
    case GPCMD_TEST_UNIT_READY:
    case GPCMD_SEEK_10:
    case GPCMD_SET_SPEED:
        atapi_cmd_ok(d);
        break;
    case GPCMD_REQUEST_SENSE:
        len = atapi_request_sense(d, buf);
        atapi_reply(d, len, pk[4]);
        break;
    case GPCMD_INQUIRY:
        len = atapi_inquiry(d, buf);
        atapi_reply(d, len, pk[4]);
        break;
    case GPCMD_START_STOP_UNIT:
        if (pk[4] & 2) {                /* LoEj */
            bool load = pk[4] & 1;

            if (!load && d->tray_locked) {
                atapi_cmd_error(d, SENSE_NOT_READY, ASC_REMOVAL_PREVENTED);
                break;
            }
            if (load && d->tray_open && d->blk && blk_is_inserted(d->blk)) {
                d->medium_changed = true;
                d->event_status = MEC_NEW_MEDIA;
            } else if (!load && !d->tray_open) {
                d->event_status = MEC_MEDIA_REMOVAL;
            }
            d->tray_open = !load;
        }
        atapi_cmd_ok(d);
        break;
    case GPCMD_PREVENT_ALLOW:
        d->tray_locked = pk[4] & 1;
        if (d->blk) {
            blk_lock_medium(d->blk, d->tray_locked);
        }
        atapi_cmd_ok(d);
        break;
    case GPCMD_READ_CAPACITY:
        put_be32(buf, atapi_nb_blocks(d) - 1);
        put_be32(buf + 4, ATAPI_SECTOR_SIZE);
        atapi_reply(d, 8, 8);
        break;
    case GPCMD_READ_10:
        atapi_read(d, be32(pk + 2), be16(pk + 7));
        break;
    case GPCMD_READ_12:
        atapi_read(d, be32(pk + 2), be32(pk + 6));
        break;
    case GPCMD_READ_TOC:
        if (!atapi_read_toc(d, buf, &len)) {
            atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
            break;
        }
        atapi_reply(d, len, be16(pk + 7));
        break;
    case GPCMD_GET_CONFIGURATION:
        len = atapi_get_configuration(d, buf);
        atapi_reply(d, len, be16(pk + 7));
        break;
    case GPCMD_GET_EVENT_STATUS:
        if (!atapi_gesn(d, buf, &len)) {
            atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
            break;
        }
        atapi_reply(d, len, be16(pk + 7));
        break;
    case GPCMD_READ_DISC_INFO:
        if (pk[1] & 7) {
            atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_FIELD);
            break;
        }
        len = atapi_read_disc_info(d, buf);
        atapi_reply(d, len, be16(pk + 7));
        break;
    case GPCMD_MODE_SENSE_10:
        asc = atapi_mode_sense(d, buf, &len);
        if (asc) {
            atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, asc);
            break;
        }
        atapi_reply(d, len, be16(pk + 7));
        break;
    case GPCMD_MECHANISM_STATUS:
        len = atapi_mechanism_status(d, buf);
        atapi_reply(d, len, be16(pk + 8));
        break;
    default:
        unimp_log("ide: %s: packet command %02xh", d->drive_id, pk[0]);
        atapi_cmd_error(d, SENSE_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
        break;
    }
    assert(len <= ATAPI_MAX_REPLY);
}

/* --- media ------------------------------------------------------------------------ */

void ide_atapi_reset(IDEDrive *d)
{
    /* A reset releases the tray lock (SFF-8020i: PREVENT ALLOW). */
    if (d->tray_locked && d->blk) {
        blk_lock_medium(d->blk, false);
    }
    d->tray_locked = false;
    d->sense_key = SENSE_NONE;
    d->asc = 0;
    d->atapi_dma = false;
    d->atapi_blocks_left = 0;
    d->atapi_buf_pos = d->atapi_buf_len = 0;
    d->atapi_byte_limit = 0;
    memset(d->packet, 0, sizeof(d->packet));
}

/* The back end changed the disc (a monitor's change/eject): the next
 * command sees UNIT ATTENTION, and GESN reports the event. */
void ide_atapi_media_changed(IDEDrive *d, bool load)
{
    d->nb_sectors = load && d->blk ? blk_nb_sectors(d->blk) : 0;
    if (load) {
        d->tray_open = false;
        d->medium_changed = true;
        d->event_status = MEC_NEW_MEDIA;
    } else {
        d->event_status = MEC_MEDIA_REMOVAL;
    }
}
