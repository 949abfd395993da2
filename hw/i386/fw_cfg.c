/*
 * QEMU's firmware configuration device (fw_cfg), I/O port flavour, as
 * SeaBIOS, OVMF and Linux's qemu_fw_cfg driver read it.
 *
 * Follows QEMU's docs/specs/fw_cfg.rst ("QEMU Firmware Configuration
 * (fw_cfg) Device"): a 16-bit selector at 0x510, a byte-wide data port at
 * 0x511, and the DMA interface whose 64-bit big-endian address register
 * sits at 0x514 (a write to its low half, 0x518, starts the transfer).
 * Items are blobs keyed by 16-bit selectors; named "files" live at keys
 * 0x20 and up, listed in the directory item 0x19 sorted by name.
 * docs/devices/fw_cfg.md lists every item pcemu provides.
 *
 * Emulated: the traditional interface (select, byte reads), the DMA
 * interface (select, read, skip), the DMA signature, write protection.
 * Not emulated: writable items (DMA writes are refused with the error
 * bit; QEMU only makes a few internal files writable), the MMIO flavour
 * used by non-x86 boards, data-port writes (ignored since QEMU 2.4).
 */
#include "hw/i386/fw_cfg.h"
#include "hw/core/device.h"
#include "hw/machine.h"
#include "softmmu/memory.h"

/* Selector register bits (fw_cfg.rst, "Selector (Control) Register"). */
#define FW_CFG_WRITE_CHANNEL    0x4000  /* ignored since QEMU 2.4 */
#define FW_CFG_ENTRY_MASK       0x3fff
/* FW_CFG_ARCH_LOCAL (0x8000) comes from the header. */

/* FW_CFG_ID feature bits. */
#define FW_CFG_VERSION          0x01    /* traditional interface */
#define FW_CFG_VERSION_DMA      0x02    /* DMA interface */

/* FWCfgDmaAccess.control bits (fw_cfg.rst, "Guest-side DMA Interface"). */
#define FW_CFG_DMA_CTL_ERROR    0x01
#define FW_CFG_DMA_CTL_READ     0x02
#define FW_CFG_DMA_CTL_SKIP     0x04
#define FW_CFG_DMA_CTL_SELECT   0x08
#define FW_CFG_DMA_CTL_WRITE    0x10

/* What reading the DMA address register returns: "QEMU CFG". */
static const char fw_cfg_dma_signature[8] = "QEMU CFG";

/* FWCfgDmaAccess: be32 control, be32 length, be64 address. */
#define FW_CFG_DMA_ACCESS_SIZE  16

/* One directory entry: be32 size, be16 select, be16 reserved, name. */
#define FW_CFG_FILE_ENTRY_SIZE  (8 + FW_CFG_MAX_FILE_PATH)

/* Files take keys 0x20..0x3fff. */
#define FW_CFG_MAX_FILES        (FW_CFG_ENTRY_MASK + 1 - FW_CFG_FILE_FIRST)

/* I/O window sizes: selector + data, and the DMA address register. */
#define FW_CFG_CTL_SIZE         2
#define FW_CFG_DMA_SIZE         8

typedef struct FWCfgEntry {
    uint8_t *data;          /* NULL when len is 0 */
    uint32_t len;
} FWCfgEntry;

typedef struct FWCfgFile {
    char name[FW_CFG_MAX_FILE_PATH];
    FWCfgEntry e;
} FWCfgFile;

struct FWCfgState {
    Device dev;

    /* guest-visible state */
    uint16_t cur_key;       /* as the guest wrote it */
    uint32_t cur_offset;    /* next byte of the selected item */
    uint64_t dma_addr;      /* DMA address register, as a number */

    /* wiring: the items are the board's, rebuilt at every start */
    MemoryRegion ctl_io;
    MemoryRegion dma_io;
    FWCfgEntry entries[2][FW_CFG_FILE_FIRST];  /* [arch-local][key] */
    FWCfgFile *files;       /* sorted by name; key 0x20 + index */
    unsigned nr_files;
};

extern const DeviceType fw_cfg_io_type;

static void fw_cfg_entry_set(FWCfgEntry *e, const void *data, uint32_t len)
{
    g_free(e->data);
    e->data = NULL;
    e->len = len;
    if (len) {
        e->data = g_malloc(len);
        memcpy(e->data, data, len);
    }
}

/* The selected item, or NULL when the key names nothing. */
static const FWCfgEntry *fw_cfg_cur_entry(FWCfgState *s)
{
    unsigned arch = !!(s->cur_key & FW_CFG_ARCH_LOCAL);
    unsigned idx = s->cur_key & FW_CFG_ENTRY_MASK;

    if (idx < FW_CFG_FILE_FIRST) {
        return &s->entries[arch][idx];
    }
    if (!arch && idx - FW_CFG_FILE_FIRST < s->nr_files) {
        return &s->files[idx - FW_CFG_FILE_FIRST].e;
    }
    return NULL;
}

/* Bytes left in the selected item from the current offset. */
static uint32_t fw_cfg_avail(FWCfgState *s, const FWCfgEntry **ep)
{
    const FWCfgEntry *e = fw_cfg_cur_entry(s);

    *ep = e;
    if (!e || !e->data || s->cur_offset >= e->len) {
        return 0;
    }
    return e->len - s->cur_offset;
}

static void fw_cfg_select(FWCfgState *s, uint16_t key)
{
    /* Bit 14 (the old write channel) selects the same item. */
    s->cur_key = key;
    s->cur_offset = 0;
}

/* Past the end, and for unknown keys, the data port reads 0. */
static uint8_t fw_cfg_read_byte(FWCfgState *s)
{
    const FWCfgEntry *e;

    if (!fw_cfg_avail(s, &e)) {
        return 0;
    }
    return e->data[s->cur_offset++];
}

/* --- selector and data ports (0x510, 0x511) ---------------------------- */

/*
 * HW: as in QEMU, the two ports form one window: a 16-bit write at 0x510
 * selects, a byte read at either port returns the next data byte.
 */
static uint64_t fw_cfg_ctl_io_read(void *opaque, uint64_t offset,
                                   unsigned size)
{
    FWCfgState *s = opaque;

    if (size != 1) {
        guest_error("fw_cfg: %u-byte read at 0x%" PRIx64 " not supported",
                    size, FW_CFG_IO_BASE + offset);
        return 0xffff;
    }
    return fw_cfg_read_byte(s);
}

static void fw_cfg_ctl_io_write(void *opaque, uint64_t offset, uint64_t value,
                                unsigned size)
{
    FWCfgState *s = opaque;

    if (size == 2 && offset == 0) {
        fw_cfg_select(s, value);
    } else if (size == 1) {
        /* Items are write-protected (fw_cfg.rst: ignored since v2.4). */
        guest_error("fw_cfg: data port write of 0x%02x to key 0x%04x ignored",
                    (unsigned)value, s->cur_key);
    } else {
        guest_error("fw_cfg: %u-byte write at 0x%" PRIx64 " not supported",
                    size, FW_CFG_IO_BASE + offset);
    }
}

static const MemoryRegionOps fw_cfg_ctl_ops = {
    .read = fw_cfg_ctl_io_read,
    .write = fw_cfg_ctl_io_write,
    .valid_min = 1, .valid_max = 2,
    .impl_min = 1, .impl_max = 2,
};

/* --- DMA (0x514) ------------------------------------------------------- */

static const uint8_t fw_cfg_zeroes[4096];

/*
 * Copies up to len bytes of the selected item to guest memory at addr;
 * the part past the item's end reads as zeroes, as the data port does.
 * Both lengths come from the guest: the copy is bounded by the item, the
 * zero fill goes in page-sized pieces (nothing is allocated), and the
 * first unassigned byte of guest memory stops the transfer.
 */
static bool fw_cfg_dma_read(FWCfgState *s, uint64_t addr, uint32_t len)
{
    const FWCfgEntry *e;
    uint32_t n = MIN(len, fw_cfg_avail(s, &e));

    if (n) {
        if (!address_space_write(&address_space_memory, addr,
                                 e->data + s->cur_offset, n)) {
            return false;
        }
        s->cur_offset += n;
        addr += n;
        len -= n;
    }
    while (len) {
        uint32_t chunk = MIN(len, sizeof(fw_cfg_zeroes));

        if (!address_space_write(&address_space_memory, addr, fw_cfg_zeroes,
                                 chunk)) {
            return false;
        }
        addr += chunk;
        len -= chunk;
    }
    return true;
}

static void fw_cfg_dma_skip(FWCfgState *s, uint32_t len)
{
    const FWCfgEntry *e;

    s->cur_offset += MIN(len, fw_cfg_avail(s, &e));
}

static void fw_cfg_dma_transfer(FWCfgState *s)
{
    uint64_t desc = s->dma_addr;
    uint8_t raw[FW_CFG_DMA_ACCESS_SIZE];
    uint32_t control, len, result = 0;
    uint64_t addr;

    /* fw_cfg.rst: the register is 0 again after an operation. */
    s->dma_addr = 0;

    if (desc > UINT64_MAX - FW_CFG_DMA_ACCESS_SIZE ||
        !address_space_read(&address_space_memory, desc, raw, sizeof(raw))) {
        guest_error("fw_cfg: DMA descriptor at 0x%" PRIx64 " is not in "
                    "guest memory", desc);
        result = FW_CFG_DMA_CTL_ERROR;
        goto done;
    }
    control = (uint32_t)raw[0] << 24 | raw[1] << 16 | raw[2] << 8 | raw[3];
    len = (uint32_t)raw[4] << 24 | raw[5] << 16 | raw[6] << 8 | raw[7];
    addr = 0;
    for (int i = 8; i < 16; i++) {
        addr = addr << 8 | raw[i];
    }

    if (control & FW_CFG_DMA_CTL_SELECT) {
        fw_cfg_select(s, control >> 16);
    }

    if (control & FW_CFG_DMA_CTL_READ) {
        if (len && addr > UINT64_MAX - (len - 1)) {
            guest_error("fw_cfg: DMA read of %" PRIu32 " bytes at 0x%"
                        PRIx64 " wraps around", len, addr);
            result = FW_CFG_DMA_CTL_ERROR;
        } else if (!fw_cfg_dma_read(s, addr, len)) {
            guest_error("fw_cfg: DMA read of %" PRIu32 " bytes to 0x%" PRIx64
                        " leaves guest memory", len, addr);
            result = FW_CFG_DMA_CTL_ERROR;
        }
    } else if (control & FW_CFG_DMA_CTL_WRITE) {
        /* No item is writable: fw_cfg.rst says such writes set ERROR. */
        guest_error("fw_cfg: DMA write to read-only key 0x%04x refused",
                    s->cur_key);
        result = FW_CFG_DMA_CTL_ERROR;
    } else if (control & FW_CFG_DMA_CTL_SKIP) {
        fw_cfg_dma_skip(s, len);
    }

done:
    /* The control field is written back: 0 when done, or ERROR. */
    if (desc <= UINT64_MAX - 4) {
        uint8_t be[4] = { result >> 24, result >> 16, result >> 8, result };

        address_space_write(&address_space_memory, desc, be, sizeof(be));
    }
}

/*
 * The register is big-endian: byte i (port 0x514 + i) is bits
 * 63 - 8i .. 56 - 8i of the address. Any access size works byte by byte;
 * a write that reaches the last byte (the low half at 0x518) starts the
 * transfer, as fw_cfg.rst says.
 */
static uint64_t fw_cfg_dma_io_read(void *opaque, uint64_t offset,
                                   unsigned size)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < size && offset + i < FW_CFG_DMA_SIZE; i++) {
        v |= (uint64_t)(uint8_t)fw_cfg_dma_signature[offset + i] << (8 * i);
    }
    return v;
}

static void fw_cfg_dma_io_write(void *opaque, uint64_t offset, uint64_t value,
                                unsigned size)
{
    FWCfgState *s = opaque;
    bool start = false;

    for (unsigned i = 0; i < size && offset + i < FW_CFG_DMA_SIZE; i++) {
        unsigned shift = 56 - 8 * (offset + i);

        s->dma_addr &= ~(0xffULL << shift);
        s->dma_addr |= ((value >> (8 * i)) & 0xff) << shift;
        start |= offset + i == FW_CFG_DMA_SIZE - 1;
    }
    if (start) {
        fw_cfg_dma_transfer(s);
    }
}

static const MemoryRegionOps fw_cfg_dma_ops = {
    .read = fw_cfg_dma_io_read,
    .write = fw_cfg_dma_io_write,
    .valid_min = 1, .valid_max = 8,
    .impl_min = 1, .impl_max = 8,
};

/* --- items ------------------------------------------------------------- */

void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, const void *data,
                      uint32_t len)
{
    unsigned idx = key & FW_CFG_ENTRY_MASK;

    /* Files have their own call; the write channel is no key. */
    assert(idx < FW_CFG_FILE_FIRST && idx != FW_CFG_FILE_DIR);
    assert(!(key & FW_CFG_WRITE_CHANNEL));
    fw_cfg_entry_set(&s->entries[!!(key & FW_CFG_ARCH_LOCAL)][idx], data, len);
}

/* Numbers are little-endian (fw_cfg.rst: FW_CFG_ID is "32-bit LE"). */
void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t value)
{
    uint8_t b[2] = { value, value >> 8 };

    fw_cfg_add_bytes(s, key, b, sizeof(b));
}

void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t value)
{
    uint8_t b[4];

    for (int i = 0; i < 4; i++) {
        b[i] = value >> (8 * i);
    }
    fw_cfg_add_bytes(s, key, b, sizeof(b));
}

void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t value)
{
    uint8_t b[8];

    for (int i = 0; i < 8; i++) {
        b[i] = value >> (8 * i);
    }
    fw_cfg_add_bytes(s, key, b, sizeof(b));
}

/* With its NUL, as QEMU does. */
void fw_cfg_add_string(FWCfgState *s, uint16_t key, const char *str)
{
    fw_cfg_add_bytes(s, key, str, strlen(str) + 1);
}

/* Rebuilds item 0x19 from the sorted file list. */
static void fw_cfg_update_dir(FWCfgState *s)
{
    uint32_t len = 4 + s->nr_files * FW_CFG_FILE_ENTRY_SIZE;
    uint8_t *dir = g_malloc0(len);

    dir[0] = s->nr_files >> 24;
    dir[1] = s->nr_files >> 16;
    dir[2] = s->nr_files >> 8;
    dir[3] = s->nr_files;
    for (unsigned i = 0; i < s->nr_files; i++) {
        uint8_t *ent = dir + 4 + i * FW_CFG_FILE_ENTRY_SIZE;
        uint32_t size = s->files[i].e.len;
        uint16_t select = FW_CFG_FILE_FIRST + i;

        ent[0] = size >> 24;
        ent[1] = size >> 16;
        ent[2] = size >> 8;
        ent[3] = size;
        ent[4] = select >> 8;
        ent[5] = select;
        memcpy(ent + 8, s->files[i].name, FW_CFG_MAX_FILE_PATH);
    }
    fw_cfg_entry_set(&s->entries[0][FW_CFG_FILE_DIR], dir, len);
    g_free(dir);
}

/*
 * Keys follow the sorted order, as in QEMU (non-legacy order): adding a
 * file moves the keys of the files after it. Boards add their files
 * before the guest runs.
 */
void fw_cfg_add_file(FWCfgState *s, const char *name, const void *data,
                     uint32_t len)
{
    unsigned i;

    /* Names come from the board or an already-checked option. */
    assert(strlen(name) < FW_CFG_MAX_FILE_PATH);

    for (i = 0; i < s->nr_files; i++) {
        int cmp = strcmp(name, s->files[i].name);

        if (cmp == 0) {
            fw_cfg_entry_set(&s->files[i].e, data, len);
            fw_cfg_update_dir(s);
            return;
        }
        if (cmp < 0) {
            break;
        }
    }
    assert(s->nr_files < FW_CFG_MAX_FILES);
    s->files = g_renew(FWCfgFile, s->files, s->nr_files + 1);
    memmove(&s->files[i + 1], &s->files[i],
            (s->nr_files - i) * sizeof(FWCfgFile));
    memset(&s->files[i], 0, sizeof(FWCfgFile));
    strcpy(s->files[i].name, name);
    fw_cfg_entry_set(&s->files[i].e, data, len);
    s->nr_files++;
    fw_cfg_update_dir(s);
}

/* --- device ------------------------------------------------------------ */

static bool fw_cfg_realize(Device *dev, Machine *m, Error **errp)
{
    FWCfgState *s = container_of(dev, FWCfgState, dev);

    memory_region_init_io(&s->ctl_io, "fw_cfg", &fw_cfg_ctl_ops, s,
                          FW_CFG_CTL_SIZE);
    memory_region_init_io(&s->dma_io, "fw_cfg-dma", &fw_cfg_dma_ops, s,
                          FW_CFG_DMA_SIZE);
    memory_transaction_begin();
    memory_region_add_subregion(m->system_io, FW_CFG_IO_BASE, &s->ctl_io, 0);
    memory_region_add_subregion(m->system_io, FW_CFG_DMA_IO_BASE, &s->dma_io,
                                0);
    memory_transaction_commit();

    fw_cfg_add_bytes(s, FW_CFG_SIGNATURE, "QEMU", 4);
    fw_cfg_add_i32(s, FW_CFG_ID, FW_CFG_VERSION | FW_CFG_VERSION_DMA);
    /* As QEMU: the UUID item always exists (zero without -uuid). */
    fw_cfg_add_bytes(s, FW_CFG_UUID, fw_cfg_zeroes, 16);
    fw_cfg_update_dir(s);
    return true;
}

/* As QEMU: the signature is selected, the DMA register is 0. */
static void fw_cfg_reset(Device *dev)
{
    FWCfgState *s = container_of(dev, FWCfgState, dev);

    fw_cfg_select(s, FW_CFG_SIGNATURE);
    s->dma_addr = 0;
}

FWCfgState *fw_cfg_init_io(Machine *m)
{
    Error *err = NULL;
    Device *dev = device_new(fw_cfg_io_type.name, &err);

    if (!dev || !machine_add_device(m, dev, &err)) {
        /* Ours: the type is listed and realize cannot fail. */
        error_report_err(err);
        abort();
    }
    m->fw_cfg = container_of(dev, FWCfgState, dev);
    return m->fw_cfg;
}

static const VMStateField fw_cfg_vmstate_fields[] = {
    VMSTATE_U16(cur_key, FWCfgState),
    VMSTATE_U32(cur_offset, FWCfgState),
    VMSTATE_U64(dma_addr, FWCfgState),
    VMSTATE_END
};

/* Any key and offset are harmless: unknown keys and offsets read 0. */
static const VMStateDescription fw_cfg_vmstate = {
    .name = "fw_cfg",
    .version = 1,
    .min_version = 1,
    .fields = fw_cfg_vmstate_fields,
};

const DeviceType fw_cfg_io_type = {
    .name = "fw_cfg_io",
    .desc = "QEMU firmware configuration interface (ports 0x510-0x51b)",
    .bus = BUS_SYSTEM,
    .state_size = sizeof(FWCfgState),
    .user_creatable = false,
    .realize = fw_cfg_realize,
    .reset = fw_cfg_reset,
    .vmsd = &fw_cfg_vmstate,
};
