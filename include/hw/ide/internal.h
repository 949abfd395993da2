/*
 * IDE internals shared by hw/ide/core.c (the ATA register file and
 * command set), hw/ide/atapi.c (the CD-ROM's packet commands) and
 * hw/ide/piix.c (the PIIX3 function and its bus-master DMA engine).
 *
 * Names follow ATA/ATAPI-6 (T13 1410D) for the task file and commands,
 * SFF-8020i / MMC for packet commands and SFF-8038i for bus-master IDE.
 */
#ifndef HW_IDE_INTERNAL_H
#define HW_IDE_INTERNAL_H

#include "pcemu/common.h"
#include "hw/irq.h"
#include "hw/core/vmstate.h"
#include "hw/ide/ide.h"

/* --- task file (ATA-6 section 7), offsets in the command block ---------- */
#define ATA_REG_DATA            0
#define ATA_REG_ERROR           1       /* read */
#define ATA_REG_FEATURE         1       /* write */
#define ATA_REG_NSECTOR         2
#define ATA_REG_LBAL            3       /* sector number */
#define ATA_REG_LBAM            4       /* cylinder low */
#define ATA_REG_LBAH            5       /* cylinder high */
#define ATA_REG_DEVICE          6       /* device/head */
#define ATA_REG_STATUS          7       /* read */
#define ATA_REG_COMMAND         7       /* write */

/* Status register (ATA-6 7.15). */
#define ATA_STAT_ERR            0x01
#define ATA_STAT_DRQ            0x08
#define ATA_STAT_DSC            0x10    /* seek complete (obsolete, set) */
#define ATA_STAT_DF             0x20
#define ATA_STAT_DRDY           0x40
#define ATA_STAT_BSY            0x80

/* Error register (ATA-6 7.9). */
#define ATA_ERR_AMNF            0x01
#define ATA_ERR_ABRT            0x04
#define ATA_ERR_MCR             0x08
#define ATA_ERR_IDNF            0x10
#define ATA_ERR_MC              0x20
#define ATA_ERR_UNC             0x40

/* Device/head register (ATA-6 7.8). */
#define ATA_DEV_HEAD_MASK       0x0f
#define ATA_DEV_DEV             0x10    /* 1 = device 1 (slave) */
#define ATA_DEV_LBA             0x40
#define ATA_DEV_OBS             0xa0    /* bits 7 and 5, obsolete, read 1 */

/* Device control register (ATA-6 7.7). */
#define ATA_CTL_NIEN            0x02
#define ATA_CTL_SRST            0x04
#define ATA_CTL_HOB             0x80

/* Commands (ATA-6 section 8 and the command table in annex). */
#define ATA_CMD_NOP                     0x00
#define ATA_CMD_DEVICE_RESET            0x08
#define ATA_CMD_RECALIBRATE             0x10    /* 10h-1Fh, obsolete */
#define ATA_CMD_READ_SECTORS            0x20
#define ATA_CMD_READ_SECTORS_NORETRY    0x21
#define ATA_CMD_READ_SECTORS_EXT        0x24
#define ATA_CMD_READ_DMA_EXT            0x25
#define ATA_CMD_READ_NATIVE_MAX_EXT     0x27
#define ATA_CMD_READ_MULTIPLE_EXT       0x29
#define ATA_CMD_WRITE_SECTORS           0x30
#define ATA_CMD_WRITE_SECTORS_NORETRY   0x31
#define ATA_CMD_WRITE_SECTORS_EXT       0x34
#define ATA_CMD_WRITE_DMA_EXT           0x35
#define ATA_CMD_WRITE_MULTIPLE_EXT      0x39
#define ATA_CMD_READ_VERIFY             0x40
#define ATA_CMD_READ_VERIFY_NORETRY     0x41
#define ATA_CMD_READ_VERIFY_EXT         0x42
#define ATA_CMD_SEEK                    0x70
#define ATA_CMD_EXECUTE_DIAGNOSTIC      0x90
#define ATA_CMD_INITIALIZE_PARAMS       0x91
#define ATA_CMD_PACKET                  0xa0
#define ATA_CMD_IDENTIFY_PACKET         0xa1
#define ATA_CMD_READ_MULTIPLE           0xc4
#define ATA_CMD_WRITE_MULTIPLE          0xc5
#define ATA_CMD_SET_MULTIPLE            0xc6
#define ATA_CMD_READ_DMA                0xc8
#define ATA_CMD_READ_DMA_NORETRY        0xc9
#define ATA_CMD_WRITE_DMA               0xca
#define ATA_CMD_WRITE_DMA_NORETRY       0xcb
#define ATA_CMD_STANDBY_IMMEDIATE       0xe0
#define ATA_CMD_IDLE_IMMEDIATE          0xe1
#define ATA_CMD_STANDBY                 0xe2
#define ATA_CMD_IDLE                    0xe3
#define ATA_CMD_CHECK_POWER_MODE        0xe5
#define ATA_CMD_SLEEP                   0xe6
#define ATA_CMD_FLUSH_CACHE             0xe7
#define ATA_CMD_FLUSH_CACHE_EXT         0xea
#define ATA_CMD_IDENTIFY                0xec
#define ATA_CMD_SET_FEATURES            0xef
#define ATA_CMD_READ_NATIVE_MAX         0xf8

/* SET FEATURES subcommands (ATA-6 8.37). */
#define ATA_SF_WCACHE_ON        0x02
#define ATA_SF_XFER_MODE        0x03
#define ATA_SF_RLA_OFF          0x55
#define ATA_SF_WCACHE_OFF       0x82
#define ATA_SF_RLA_ON           0xaa
#define ATA_SF_REVERT_OFF       0x66
#define ATA_SF_REVERT_ON        0xcc

/* CHECK POWER MODE results in the sector count (ATA-6 8.6). */
#define ATA_POWER_STANDBY       0x00
#define ATA_POWER_IDLE          0x80
#define ATA_POWER_ACTIVE        0xff

/* Signatures after reset/diagnostics (ATA-6 9.12). */
#define ATAPI_SIG_LBAM          0x14
#define ATAPI_SIG_LBAH          0xeb

/* ATAPI interrupt reason, in the sector count register (SFF-8020i 5.14). */
#define ATAPI_INT_REASON_CD     0x01    /* 1 = command packet */
#define ATAPI_INT_REASON_IO     0x02    /* 1 = to the host */

#define ATA_SECTOR_SIZE         512
#define ATAPI_SECTOR_SIZE       2048
#define ATAPI_PACKET_SIZE       12

/* Largest run of sectors moved per block-layer request, and the data
 * buffer: READ/WRITE MULTIPLE blocks are at most this many sectors. */
#define IDE_BUF_SECTORS         256
#define IDE_BUF_SIZE            (IDE_BUF_SECTORS * ATA_SECTOR_SIZE)
#define IDE_MAX_MULT_SECTORS    16

/* What the data port does when the current PIO block is done. An enum
 * (not a function pointer) so that it is saved with the state. */
typedef enum IDETransferEnd {
    IDE_END_NONE = 0,
    IDE_END_STOP,               /* transfer done: idle, no more data */
    IDE_END_READ_SECTORS,       /* next block of a PIO read */
    IDE_END_WRITE_SECTORS,      /* write the block, ask for the next */
    IDE_END_ATAPI_PACKET,       /* the 12 command bytes arrived */
    IDE_END_ATAPI_REPLY,        /* next chunk of a packet reply */
    IDE_END_MAX,
} IDETransferEnd;

/* What the bus-master engine does with the drive's data. */
typedef enum IDEDMACmd {
    IDE_DMA_NONE = 0,
    IDE_DMA_READ,               /* disk to memory */
    IDE_DMA_WRITE,              /* memory to disk */
    IDE_DMA_ATAPI,              /* packet reply to memory */
    IDE_DMA_MAX,
} IDEDMACmd;

typedef struct IDEChannel IDEChannel;

/* One device on a channel: a hard disk, a CD-ROM, or nothing. */
typedef struct IDEDrive {
    /* guest-visible state */
    uint8_t feature, nsector, lbal, lbam, lbah;
    uint8_t hob_feature, hob_nsector, hob_lbal, hob_lbam, hob_lbah;
    uint8_t select;             /* device/head as last written */
    uint8_t status, error;
    uint8_t command;            /* the command in progress */
    uint8_t mult_sectors;       /* SET MULTIPLE MODE; 0 = disabled */
    uint8_t power_mode;         /* ATA_POWER_* */
    bool lba48;                 /* the current command is an EXT one */
    bool write_cache;           /* SET FEATURES 02h/82h */
    uint8_t xfer_mode;          /* SET FEATURES 03h value */
    uint16_t cylinders, heads, sectors;   /* current logical CHS */
    uint64_t lba;               /* next sector of the command */
    uint32_t nsector_left;      /* sectors still to move */
    uint32_t req_sectors;       /* sectors per PIO block */
    uint32_t data_pos, data_end;    /* PIO window in io_buffer */
    uint8_t end_transfer;       /* IDETransferEnd */
    uint8_t dma_cmd;            /* IDEDMACmd */
    bool dma_pending;           /* command waits for the BM engine */
    /* ATAPI */
    uint8_t sense_key, asc;
    bool medium_changed;        /* UNIT ATTENTION pending */
    bool tray_open, tray_locked;
    uint8_t event_status;       /* GESN media event pending */
    uint8_t packet[ATAPI_PACKET_SIZE];  /* the command in progress */
    uint32_t atapi_lba;         /* next 2048-byte block of a READ */
    uint32_t atapi_blocks_left; /* blocks of a READ not yet in io_buffer */
    uint32_t atapi_buf_pos;     /* next reply byte in io_buffer */
    uint32_t atapi_buf_len;     /* reply bytes in io_buffer */
    uint32_t atapi_byte_limit;  /* PIO bytes per DRQ (LBA mid/high) */
    bool atapi_dma;             /* the reply goes by DMA */
    uint8_t io_buffer[IDE_BUF_SIZE + 4];

    /* wiring */
    IDEChannel *ch;
    unsigned unit;              /* 0 master, 1 slave */
    IDEDriveKind kind;
    BlockBackend *blk;          /* NULL: absent, or a CD-ROM with no disc */
    uint64_t nb_sectors;        /* 512-byte sectors of the medium */
    uint16_t phys_cylinders, phys_heads, phys_sectors;
    char serial[21];
    char model[41];
    char drive_id[32];          /* for messages: "ide0-hd0" */
    /* A block-layer request in flight (its completion runs later on the
     * main loop); io_cancel makes that completion a no-op after a reset.
     * Saving the state first drains the back ends, so none of this is
     * guest-visible state. */
    bool io_busy, io_cancel;
    uint32_t io_sectors;        /* sectors of the request in flight */
} IDEDrive;

/* Bus-master IDE, one per channel (SFF-8038i). */
typedef struct BMDMAState {
    /* guest-visible state */
    uint8_t cmd, status;
    uint32_t prd_addr;          /* descriptor table pointer */
    /* the walk in progress */
    uint32_t cur_prd;           /* next descriptor to fetch */
    uint32_t cur_addr, cur_len; /* what is left of the current one */
    bool cur_last;              /* the current one had EOT */
    uint32_t nr_prds;           /* descriptors fetched this command */
} BMDMAState;

struct IDEChannel {
    /* guest-visible state */
    IDEDrive drive[2];
    uint8_t unit;               /* selected device */
    uint8_t devctl;             /* device control register */
    bool irq_pending;           /* INTRQ before nIEN masking */
    BMDMAState bm;

    /* wiring */
    unsigned index;             /* 0 primary, 1 secondary */
    IrqLine irq;
    void *dma_opaque;           /* the PCIDevice that masters the bus */
};

/* core.c */
void ide_channel_init(IDEChannel *ch, unsigned index, IrqLine irq);
bool ide_drive_attach(IDEDrive *d, IDEDriveKind kind, BlockBackend *blk,
                      Error **errp);
void ide_channel_reset(IDEChannel *ch);
uint32_t ide_cmd_read(IDEChannel *ch, unsigned reg, unsigned size);
void ide_cmd_write(IDEChannel *ch, unsigned reg, uint32_t val,
                   unsigned size);
uint8_t ide_ctl_read(IDEChannel *ch);
void ide_ctl_write(IDEChannel *ch, uint8_t val);
void ide_update_irq(IDEChannel *ch);
void ide_set_irq(IDEChannel *ch);
void ide_abort_command(IDEDrive *d);
void ide_transfer_start(IDEDrive *d, uint32_t size, IDETransferEnd end);
void ide_transfer_stop(IDEDrive *d);
/* A DMA command's data phase: waits for the bus-master engine. */
void ide_dma_start(IDEDrive *d, IDEDMACmd cmd);
/* The BM engine was started, or the drive's DMA command is ready. */
void ide_dma_run(IDEChannel *ch);
bool ide_channel_post_load(IDEChannel *ch, Error **errp);
extern const VMStateDescription ide_channel_vmstate;

/* Reads or writes whole sectors of the medium; false on an error of the
 * back end (the caller reports it to the guest). */
bool ide_blk_read(IDEDrive *d, uint64_t offset, void *buf, size_t len);
bool ide_blk_write(IDEDrive *d, uint64_t offset, const void *buf,
                   size_t len);

/* Starts (or ends) a block-layer request of d; the completion calls
 * ide_io_end() first and returns if it says false (cancelled). */
void ide_io_begin(IDEDrive *d, uint32_t sectors);
bool ide_io_end(IDEDrive *d);
void ide_set_signature(IDEDrive *d);
uint8_t ide_ready_status(IDEDrive *d);

/* atapi.c */
void ide_atapi_identify(IDEDrive *d, uint16_t *p);
void ide_atapi_start_packet(IDEDrive *d);   /* PACKET command written */
void ide_atapi_packet_cmd(IDEDrive *d);     /* the packet has arrived */
void ide_atapi_reply_next(IDEDrive *d);     /* PIO chunk consumed */
/* A DMA reply ended: all sent, or the DMA engine failed. */
void ide_atapi_dma_done(IDEDrive *d, bool ok);
void ide_atapi_reset(IDEDrive *d);
void ide_atapi_media_changed(IDEDrive *d, bool load);

/* piix.c: moves len bytes between buf and the memory the channel's PRD
 * table describes. Returns the bytes moved: less than len when the
 * table ended first, -1 when memory refused an access (the BM error). */
int64_t bmdma_prd_transfer(IDEChannel *ch, uint8_t *buf, uint32_t len,
                           bool to_memory);
/* The table has room left after the transfer (Active stays set). */
bool bmdma_prd_left(IDEChannel *ch);

/* BMIDE (piix.c) */
#define BM_CMD_START            0x01
#define BM_CMD_READ             0x08    /* 1 = bus master writes memory */
#define BM_STATUS_ACTIVE        0x01
#define BM_STATUS_ERROR         0x02
#define BM_STATUS_INT           0x04
#define BM_STATUS_DMA0_CAP      0x20
#define BM_STATUS_DMA1_CAP      0x40
#define BM_STATUS_SIMPLEX       0x80
#define BM_PRD_EOT              0x80000000u
/* Descriptors walked per command at most: a 64 KiB table (SFF-8038i:
 * the table may not cross a 64 KiB boundary). */
#define BM_MAX_PRDS             8192

#endif
