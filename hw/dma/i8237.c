/*
 * Intel 8237A programmable DMA controller, two of them as the PC/AT wires
 * them, with the 74LS612 page registers.
 *
 * Source: Intel 8237A/8237A-4/8237A-5 High Performance Programmable DMA
 * Controller datasheet (registers, Table 2 "Software commands", the mode
 * register, the status register, auto-initialize); the PC/AT wiring as
 * the Intel 82371SB (PIIX3) datasheet, section "DMA Controller",
 * describes it: channels 0-3 byte wide at 00h-0Fh, channels 4-7 word wide
 * at C0h-DFh (registers on even ports, word addressing: the address
 * register counts words, the page register's bit 0 is ignored), page
 * registers 87h/83h/81h/82h (channels 0-3) and 8Fh/8Bh/89h/8Ah (4-7).
 * Channel 4 cascades the first controller: while it is masked the byte
 * channels cannot get the bus.
 *
 * One device is one controller with its block of eight page ports; the
 * board creates two. Every page port of the block (80h-8Fh) is a
 * read/write latch, as on the PIIX3, so port 80h POST codes read back.
 *
 * Transfers are driven by the device (see include/hw/dma/i8237.h): a
 * channel moves data while its DREQ is held, it is unmasked and the
 * controller is enabled; single, block and demand modes therefore behave
 * alike, the device deciding how much it takes per request.
 *
 * Not emulated: memory-to-memory transfers (command bit 0; logged),
 * compressed timing, DREQ/DACK polarity and priority (command bits 3-7,
 * stored), the EISA high page registers (the PIIX3 has none).
 */
#include "hw/dma/i8237.h"
#include "hw/machine.h"
#include "softmmu/memory.h"

/* Registers, by index (the port offset, or offset / 2 on the word
 * controller); datasheet Table 2. */
#define DMA_REG_ADDR0       0x0     /* 0-7: channel n address/count */
#define DMA_REG_STATUS      0x8     /* read */
#define DMA_REG_COMMAND     0x8     /* write */
#define DMA_REG_REQUEST     0x9     /* write */
#define DMA_REG_MASK_SINGLE 0xa     /* write */
#define DMA_REG_MODE        0xb     /* write */
#define DMA_REG_CLEAR_FF    0xc     /* write */
#define DMA_REG_TEMP        0xd     /* read */
#define DMA_REG_MASTER_CLEAR 0xd    /* write */
#define DMA_REG_CLEAR_MASK  0xe     /* write */
#define DMA_REG_MASK_ALL    0xf     /* write; read back as on the PIIX3 */

#define DMA_CMD_MEM_TO_MEM  0x01
#define DMA_CMD_DISABLE     0x04

#define DMA_MODE_CHAN       0x03
#define DMA_MODE_TYPE       0x0c
#define  DMA_MODE_VERIFY    0x00
#define  DMA_MODE_WRITE     0x04    /* device to memory */
#define  DMA_MODE_READ      0x08    /* memory to device */
#define DMA_MODE_AUTOINIT   0x10
#define DMA_MODE_DECREMENT  0x20
#define DMA_MODE_MODE       0xc0
#define  DMA_MODE_CASCADE   0xc0

#define DMA_REQ_SET         0x04
#define DMA_MASK_SET        0x04

#define DMA_NR_PAGE_PORTS   8
/* Which page port of the block belongs to channel 0-3 of a controller. */
static const uint8_t dma_page_port[4] = { 7, 3, 1, 2 };

/* A sanity bound on callback rounds per run; devices bound themselves. */
#define DMA_MAX_ROUNDS      (1 << 20)

typedef struct I8237State {
    Device dev;

    /* guest-visible state */
    uint16_t base_addr[4];
    uint16_t base_count[4];
    uint32_t pos[4];        /* bytes done in the current transfer */
    uint8_t mode[4];
    uint8_t page[DMA_NR_PAGE_PORTS];
    uint8_t command;
    uint8_t status;         /* TC bits 3:0 */
    uint8_t request;        /* software requests, bits 3:0 */
    uint8_t mask;           /* bits 3:0 */
    uint8_t dreq;           /* device requests, bits 3:0 */
    bool flip_flop;         /* next byte is the high one */

    /* properties */
    uint16_t iobase;
    uint16_t page_base;
    uint8_t dshift;         /* 0: byte channels 0-3, 1: word channels 4-7 */

    /* wiring */
    Machine *machine;
    I8237TransferFn *fn[4];
    void *fn_opaque[4];
    bool running;
    MemoryRegion io;
    MemoryRegion page_io;
} I8237State;

extern const DeviceType i8237_type;

static I8237State *i8237_of(Device *dev)
{
    return container_of(dev, I8237State, dev);
}

Device *i8237_find(Machine *m, int channel)
{
    if (channel < 0 || channel > 7) {
        return NULL;
    }
    for (Device *d = m->devices; d; d = d->next) {
        if (d->type == &i8237_type &&
            i8237_of(d)->dshift == (channel >= 4)) {
            return d;
        }
    }
    return NULL;
}

static uint32_t i8237_size(I8237State *s, int ch)
{
    return ((uint32_t)s->base_count[ch] + 1) << s->dshift;
}

/* The byte controller can use the bus only while the word controller's
 * channel 4 (the cascade) is unmasked. */
static bool i8237_has_bus(I8237State *s)
{
    Device *master;

    if (s->command & DMA_CMD_DISABLE) {
        return false;
    }
    if (s->dshift == 1) {
        return true;
    }
    master = i8237_find(s->machine, 4);
    return !master || !(i8237_of(master)->mask & 1);
}

static void i8237_run_channel(I8237State *s, int ch);

static void i8237_run_all(I8237State *s)
{
    for (int ch = 0; ch < 4; ch++) {
        i8237_run_channel(s, ch);
    }
    /* Unmasking the cascade lets the byte controller go on. */
    if (s->dshift == 1 && !(s->mask & 1)) {
        Device *slave = i8237_find(s->machine, 0);
        if (slave) {
            i8237_run_all(i8237_of(slave));
        }
    }
}

/* Calls the device while it requests and the channel may transfer; at
 * the terminal count sets TC and re-loads or masks (datasheet,
 * "Auto-initialize" and "Status register"). */
static void i8237_run_channel(I8237State *s, int ch)
{
    int channel = ch + 4 * s->dshift;

    if (s->running) {
        return;         /* the loop below sees the new request */
    }
    s->running = true;
    for (unsigned round = 0; round < DMA_MAX_ROUNDS; round++) {
        uint32_t size = i8237_size(s, ch);
        int newpos;

        if (!((s->dreq | s->request) & (1 << ch)) || (s->mask & (1 << ch)) ||
            !s->fn[ch] || !i8237_has_bus(s) ||
            (s->mode[ch] & DMA_MODE_MODE) == DMA_MODE_CASCADE) {
            break;
        }
        newpos = s->fn[ch](s->fn_opaque[ch], channel, s->pos[ch], size);
        if (newpos <= (int)s->pos[ch]) {
            break;
        }
        s->pos[ch] = MIN((uint32_t)newpos, size);
        if (s->pos[ch] == size) {
            s->status |= 1 << ch;
            s->request &= ~(1 << ch);
            s->pos[ch] = 0;
            if (!(s->mode[ch] & DMA_MODE_AUTOINIT)) {
                /* The current registers stay at their end values. */
                s->pos[ch] = size;
                s->mask |= 1 << ch;
                break;
            }
        }
    }
    s->running = false;
}

/* --- the device side -------------------------------------------------- */

static I8237State *i8237_for(Machine *m, int channel)
{
    Device *d = i8237_find(m, channel);

    return d ? i8237_of(d) : NULL;
}

bool i8237_request_channel(Machine *m, int channel, I8237TransferFn *fn,
                           void *opaque, Error **errp)
{
    I8237State *s = i8237_for(m, channel);

    if (!s) {
        error_setg(errp, "ISA DMA channel %d does not exist", channel);
        return false;
    }
    if (channel == 4) {
        error_setg(errp, "ISA DMA channel 4 is the cascade");
        return false;
    }
    if (s->fn[channel & 3]) {
        error_setg(errp, "ISA DMA channel %d is already in use", channel);
        return false;
    }
    s->fn[channel & 3] = fn;
    s->fn_opaque[channel & 3] = opaque;
    return true;
}

void i8237_release_channel(Machine *m, int channel)
{
    I8237State *s = i8237_for(m, channel);

    if (s) {
        s->fn[channel & 3] = NULL;
        s->fn_opaque[channel & 3] = NULL;
        s->dreq &= ~(1 << (channel & 3));
    }
}

void i8237_hold_dreq(Machine *m, int channel)
{
    I8237State *s = i8237_for(m, channel);

    if (s) {
        s->dreq |= 1 << (channel & 3);
        i8237_run_channel(s, channel & 3);
    }
}

void i8237_release_dreq(Machine *m, int channel)
{
    I8237State *s = i8237_for(m, channel);

    if (s) {
        s->dreq &= ~(1 << (channel & 3));
    }
}

/* Guest physical address of byte p of the transfer on channel ch. */
static uint64_t i8237_byte_addr(I8237State *s, int ch, uint32_t p)
{
    uint32_t unit = p >> s->dshift;
    uint32_t within = p & ((1u << s->dshift) - 1);
    uint16_t a = (s->mode[ch] & DMA_MODE_DECREMENT)
                 ? s->base_addr[ch] - unit : s->base_addr[ch] + unit;
    uint8_t page = s->page[dma_page_port[ch]];
    uint64_t page_addr = s->dshift ? (uint64_t)(page & 0xfe) << 16
                                   : (uint64_t)page << 16;

    return page_addr | ((uint64_t)a << s->dshift | within);
}

static int i8237_copy(Machine *m, int channel, void *buf, int pos, int len,
                      bool to_memory)
{
    I8237State *s = i8237_for(m, channel);
    int ch = channel & 3;
    uint32_t size, done = 0;
    uint8_t *b = buf;

    if (!s || pos < 0 || len <= 0) {
        return 0;
    }
    size = i8237_size(s, ch);
    if ((uint32_t)pos >= size) {
        return 0;
    }
    len = MIN((uint32_t)len, size - pos);
    if (to_memory && (s->mode[ch] & DMA_MODE_TYPE) == DMA_MODE_VERIFY) {
        return len;     /* verify: the cycles happen, memory is untouched */
    }
    while (done < (uint32_t)len) {
        uint64_t addr = i8237_byte_addr(s, ch, pos + done);
        uint32_t piece = 1;

        if (!(s->mode[ch] & DMA_MODE_DECREMENT)) {
            /* Up to the end of the 64K (128K) window, where it wraps. */
            uint32_t window = 0x10000u << s->dshift;
            uint32_t off = (addr & (window - 1));
            piece = MIN((uint32_t)len - done, window - off);
        }
        if (to_memory) {
            address_space_write(&address_space_memory, addr, b + done, piece);
        } else {
            address_space_read(&address_space_memory, addr, b + done, piece);
        }
        done += piece;
    }
    return len;
}

int i8237_read_memory(Machine *m, int channel, void *buf, int pos, int len)
{
    return i8237_copy(m, channel, buf, pos, len, false);
}

int i8237_write_memory(Machine *m, int channel, const void *buf, int pos,
                       int len)
{
    return i8237_copy(m, channel, (void *)buf, pos, len, true);
}

/* --- registers ----------------------------------------------------------- */

static uint16_t i8237_current(I8237State *s, int ch, bool count)
{
    uint32_t units = s->pos[ch] >> s->dshift;

    if (count) {
        return s->base_count[ch] - units;
    }
    return (s->mode[ch] & DMA_MODE_DECREMENT) ? s->base_addr[ch] - units
                                              : s->base_addr[ch] + units;
}

static uint64_t i8237_io_read(void *opaque, uint64_t offset, unsigned size)
{
    I8237State *s = opaque;
    unsigned reg = offset >> s->dshift;
    uint8_t val;

    if (offset & ((1u << s->dshift) - 1)) {
        guest_error("i8237: read of odd port %#x",
                    (unsigned)(s->iobase + offset));
        return 0xff;
    }
    switch (reg) {
    case DMA_REG_ADDR0 ... DMA_REG_ADDR0 + 7: {
        uint16_t v = i8237_current(s, reg >> 1, reg & 1);
        val = s->flip_flop ? v >> 8 : v & 0xff;
        s->flip_flop = !s->flip_flop;
        return val;
    }
    case DMA_REG_STATUS:
        val = (s->status & 0x0f) | ((s->dreq | s->request) & 0x0f) << 4;
        s->status &= ~0x0f;     /* TC bits clear when read */
        return val;
    case DMA_REG_TEMP:
        return 0;               /* only memory-to-memory fills it */
    case DMA_REG_MASK_ALL:
        return 0xf0 | s->mask;
    default:
        guest_error("i8237: read of write-only register %#x", reg);
        return 0xff;
    }
}

static void i8237_write_byte(uint16_t *r, bool high, uint8_t v)
{
    *r = high ? (*r & 0x00ff) | v << 8 : (*r & 0xff00) | v;
}

static void i8237_io_write(void *opaque, uint64_t offset, uint64_t value,
                           unsigned size)
{
    I8237State *s = opaque;
    unsigned reg = offset >> s->dshift;
    int ch = value & DMA_MODE_CHAN;

    if (offset & ((1u << s->dshift) - 1)) {
        guest_error("i8237: write of odd port %#x",
                    (unsigned)(s->iobase + offset));
        return;
    }
    switch (reg) {
    case DMA_REG_ADDR0 ... DMA_REG_ADDR0 + 7:
        /* Writing base and current together starts a new transfer. */
        i8237_write_byte((reg & 1) ? &s->base_count[reg >> 1]
                                   : &s->base_addr[reg >> 1],
                         s->flip_flop, value);
        s->pos[reg >> 1] = 0;
        s->flip_flop = !s->flip_flop;
        break;
    case DMA_REG_COMMAND:
        if (value & DMA_CMD_MEM_TO_MEM) {
            unimp_log("i8237: memory-to-memory transfers");
        }
        s->command = value;
        i8237_run_all(s);
        break;
    case DMA_REG_REQUEST:
        if (value & DMA_REQ_SET) {
            s->request |= 1 << ch;
            i8237_run_channel(s, ch);
        } else {
            s->request &= ~(1 << ch);
        }
        break;
    case DMA_REG_MASK_SINGLE:
        if (value & DMA_MASK_SET) {
            s->mask |= 1 << ch;
        } else {
            s->mask &= ~(1 << ch);
            i8237_run_all(s);
        }
        break;
    case DMA_REG_MODE:
        if ((value & DMA_MODE_TYPE) == DMA_MODE_TYPE &&
            (value & DMA_MODE_MODE) != DMA_MODE_CASCADE) {
            guest_error("i8237: illegal transfer type in mode %#x",
                        (unsigned)value);
        }
        s->mode[ch] = value;
        break;
    case DMA_REG_CLEAR_FF:
        s->flip_flop = false;
        break;
    case DMA_REG_MASTER_CLEAR:
        s->command = 0;
        s->status = 0;
        s->request = 0;
        s->flip_flop = false;
        s->mask = 0x0f;
        break;
    case DMA_REG_CLEAR_MASK:
        s->mask = 0;
        i8237_run_all(s);
        break;
    case DMA_REG_MASK_ALL:
        s->mask = value & 0x0f;
        i8237_run_all(s);
        break;
    }
}

static const MemoryRegionOps i8237_io_ops = {
    .read = i8237_io_read,
    .write = i8237_io_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,
};

static uint64_t i8237_page_read(void *opaque, uint64_t offset, unsigned size)
{
    I8237State *s = opaque;

    return s->page[offset & (DMA_NR_PAGE_PORTS - 1)];
}

static void i8237_page_write(void *opaque, uint64_t offset, uint64_t value,
                             unsigned size)
{
    I8237State *s = opaque;

    s->page[offset & (DMA_NR_PAGE_PORTS - 1)] = value;
}

static const MemoryRegionOps i8237_page_ops = {
    .read = i8237_page_read,
    .write = i8237_page_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,
};

static void i8237_reset(Device *dev)
{
    I8237State *s = i8237_of(dev);

    memset(s->base_addr, 0, sizeof(s->base_addr));
    memset(s->base_count, 0, sizeof(s->base_count));
    memset(s->pos, 0, sizeof(s->pos));
    memset(s->mode, 0, sizeof(s->mode));
    memset(s->page, 0, sizeof(s->page));
    s->command = 0;
    s->status = 0;
    s->request = 0;
    s->mask = 0x0f;
    s->flip_flop = false;
    /* dreq is the devices' output; they reset their own. */
}

static bool i8237_realize(Device *dev, Machine *m, Error **errp)
{
    I8237State *s = i8237_of(dev);

    if (s->dshift > 1) {
        error_setg(errp, "i8237: dshift must be 0 (byte) or 1 (word)");
        return false;
    }
    if (i8237_find(m, s->dshift * 4)) {
        error_setg(errp, "i8237: the machine already has a %s controller",
                   s->dshift ? "word" : "byte");
        return false;
    }
    s->machine = m;
    memory_region_init_io(&s->io, s->dshift ? "dma-word" : "dma-byte",
                          &i8237_io_ops, s, 16u << s->dshift);
    memory_region_add_subregion(m->system_io, s->iobase, &s->io, 0);
    memory_region_init_io(&s->page_io, s->dshift ? "dma-page-word"
                                                 : "dma-page-byte",
                          &i8237_page_ops, s, DMA_NR_PAGE_PORTS);
    memory_region_add_subregion(m->system_io, s->page_base, &s->page_io, 0);
    return true;
}

static bool i8237_post_load(void *opaque, int version, Error **errp)
{
    I8237State *s = opaque;

    for (int ch = 0; ch < 4; ch++) {
        if (s->pos[ch] > i8237_size(s, ch)) {
            error_setg(errp, "i8237: channel %d position %u past its count",
                       ch, s->pos[ch]);
            return false;
        }
    }
    s->mask &= 0x0f;
    s->status &= 0x0f;
    s->request &= 0x0f;
    s->dreq &= 0x0f;
    return true;
}

static const VMStateField i8237_fields[] = {
    VMSTATE_U16_ARRAY(base_addr, I8237State, 4),
    VMSTATE_U16_ARRAY(base_count, I8237State, 4),
    VMSTATE_U32_ARRAY(pos, I8237State, 4),
    VMSTATE_U8_ARRAY(mode, I8237State, 4),
    VMSTATE_U8_ARRAY(page, I8237State, DMA_NR_PAGE_PORTS),
    VMSTATE_U8(command, I8237State),
    VMSTATE_U8(status, I8237State),
    VMSTATE_U8(request, I8237State),
    VMSTATE_U8(mask, I8237State),
    VMSTATE_U8(dreq, I8237State),
    VMSTATE_BOOL(flip_flop, I8237State),
    VMSTATE_END
};

static const VMStateDescription vmstate_i8237 = {
    .name = "i8237",
    .version = 1,
    .min_version = 1,
    .fields = i8237_fields,
    .post_load = i8237_post_load,
};

static const Property i8237_props[] = {
    DEFINE_PROP_U16("iobase", I8237State, iobase, 0x00, "register ports"),
    DEFINE_PROP_U16("page-base", I8237State, page_base, 0x80,
                    "first of the 8 page register ports"),
    DEFINE_PROP_U8("dshift", I8237State, dshift, 0,
                   "0: byte channels 0-3; 1: word channels 4-7"),
    DEFINE_PROP_END
};

const DeviceType i8237_type = {
    .name = "i8237",
    .desc = "Intel 8237A ISA DMA controller with page registers",
    .bus = BUS_SYSTEM,
    .state_size = sizeof(I8237State),
    .user_creatable = false,
    .realize = i8237_realize,
    .reset = i8237_reset,
    .props = i8237_props,
    .vmsd = &vmstate_i8237,
};
