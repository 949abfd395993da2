/*
 * Ensoniq AudioPCI ES1370 (PCI 1274:5000) with its AK4531 codec.
 *
 * Source: Ensoniq "AudioPCI ES1370 Specification" (register map:
 * control 00h, status 04h, UART 08h-09h, memory page 0Ch, codec 10h,
 * serial interface control 20h, sample counters 24h-2Ch, the paged frame
 * registers 30h-3Fh) and the AKM AK4531 datasheet (codec register list).
 *
 * Emulated: DAC1, DAC2 and ADC as PCI bus masters on circular frame
 * buffers in guest memory (address, size in longwords, current longword),
 * sample counters with an interrupt per count and the loop/stop select,
 * pause, formats (8/16-bit, mono/stereo, from the serial interface
 * control register), the rates (DAC1: 5512 << WTSRSEL; DAC2 and ADC:
 * 1411200 / (PCLKDIV + 2)), the status register's interrupt bits,
 * acknowledged by clearing the channel's interrupt enable, and the codec
 * registers (stored; writes complete at once, CSTAT/CBUSY read 0).
 * Playback goes through two audio voices; the ADC records silence from
 * the back end.
 *
 * Not emulated: the UART (reads FFh, logged), the joystick port, the
 * codec's levels (stored, not applied: UNIMPL), P2_ST_INC/P2_END_INC
 * (the 8-bit DAC2 skip counters), memory pages 0Eh/0Fh (UART FIFO).
 */
#include "audio/audio.h"
#include "hw/machine.h"
#include "hw/pci/pci.h"
#include "softmmu/memory.h"

#define ES_VENDOR_ID        0x1274
#define ES_DEVICE_ID        0x5000
#define ES_CLASS            0x040100    /* multimedia audio */
#define ES_IO_SIZE          0x40

/* Registers (offsets in BAR 0). */
#define ES_CONTROL          0x00
#define  CTRL_ADC_STOP      (1u << 31)
#define  CTRL_PCLKDIV_SHIFT 16
#define  CTRL_PCLKDIV_MASK  0x1fff
#define  CTRL_WTSRSEL_SHIFT 12
#define  CTRL_DAC1_EN       (1u << 6)
#define  CTRL_DAC2_EN       (1u << 5)
#define  CTRL_ADC_EN        (1u << 4)
#define  CTRL_UART_EN       (1u << 3)
#define ES_STATUS           0x04
#define  STAT_INTR          (1u << 31)
#define  STAT_DAC1          (1u << 2)
#define  STAT_DAC2          (1u << 1)
#define  STAT_ADC           (1u << 0)
#define ES_UART_DATA        0x08
#define ES_UART_STATUS      0x09
#define ES_MEM_PAGE         0x0c
#define ES_CODEC            0x10
#define ES_SERIAL           0x20
#define  SCTRL_R1_LOOP_SEL  (1u << 15)
#define  SCTRL_P2_LOOP_SEL  (1u << 14)
#define  SCTRL_P1_LOOP_SEL  (1u << 13)
#define  SCTRL_P2_PAUSE     (1u << 12)
#define  SCTRL_P1_PAUSE     (1u << 11)
#define  SCTRL_R1_INT_EN    (1u << 10)
#define  SCTRL_P2_INT_EN    (1u << 9)
#define  SCTRL_P1_INT_EN    (1u << 8)
#define  SCTRL_R1_S_EB      (1u << 5)   /* 16-bit */
#define  SCTRL_R1_S_MB      (1u << 4)   /* stereo */
#define  SCTRL_P2_S_EB      (1u << 3)
#define  SCTRL_P2_S_MB      (1u << 2)
#define  SCTRL_P1_S_EB      (1u << 1)
#define  SCTRL_P1_S_MB      (1u << 0)
#define ES_DAC1_COUNT       0x24
#define ES_DAC2_COUNT       0x28
#define ES_ADC_COUNT        0x2c
#define ES_FRAME_BASE       0x30        /* 30h-3Fh, selected by MEM_PAGE */
#define  PAGE_DAC           0x0c        /* DAC1 30h/34h, DAC2 38h/3Ch */
#define  PAGE_ADC           0x0d        /* ADC 30h/34h */

#define ES_CODEC_REGS       0x1a
#define ES_PCLK_HZ          1411200

enum { CH_DAC1, CH_DAC2, CH_ADC, ES_NR_CH };

/* Per channel: its enable, status, interrupt enable, pause, loop select
 * and format bits. */
static const struct {
    uint32_t en, stat, int_en, pause, loop_sel, s_eb, s_mb;
} es_ch[ES_NR_CH] = {
    [CH_DAC1] = { CTRL_DAC1_EN, STAT_DAC1, SCTRL_P1_INT_EN, SCTRL_P1_PAUSE,
                  SCTRL_P1_LOOP_SEL, SCTRL_P1_S_EB, SCTRL_P1_S_MB },
    [CH_DAC2] = { CTRL_DAC2_EN, STAT_DAC2, SCTRL_P2_INT_EN, SCTRL_P2_PAUSE,
                  SCTRL_P2_LOOP_SEL, SCTRL_P2_S_EB, SCTRL_P2_S_MB },
    [CH_ADC] = { CTRL_ADC_EN, STAT_ADC, SCTRL_R1_INT_EN, 0,
                 SCTRL_R1_LOOP_SEL, SCTRL_R1_S_EB, SCTRL_R1_S_MB },
};

typedef struct ESChannel {
    uint32_t frame_addr;
    uint32_t frame_size;    /* low 16: longwords - 1; high 16: current */
    uint32_t count;         /* low 16: samples - 1; high 16: current */
    uint32_t byte_pos;      /* bytes into the frame buffer */
    bool stopped;           /* stop mode reached its count */
} ESChannel;

typedef struct ES1370State {
    PCIDevice pci;

    /* guest-visible state */
    uint32_t ctl;
    uint32_t status;
    uint32_t sctl;
    uint8_t mem_page;
    uint8_t codec[ES_CODEC_REGS];
    ESChannel ch[ES_NR_CH];

    /* properties */
    char *audiodev;

    /* wiring */
    AudioBackend *be;
    VoiceOut *voice[2];
    VoiceIn *vin;
    MemoryRegion io;
} ES1370State;

static ES1370State *es1370_of(Device *dev)
{
    return container_of(dev, ES1370State, pci.dev);
}

static void es1370_update_irq(ES1370State *s)
{
    bool level = s->status & (STAT_DAC1 | STAT_DAC2 | STAT_ADC);

    if (level) {
        s->status |= STAT_INTR;
    } else {
        s->status &= ~STAT_INTR;
    }
    pci_set_irq(&s->pci, level);
}

static AudioSettings es1370_settings(ES1370State *s, int c)
{
    AudioSettings as = {
        .channels = (s->sctl & es_ch[c].s_mb) ? 2 : 1,
        .fmt = (s->sctl & es_ch[c].s_eb) ? AUDIO_FMT_S16 : AUDIO_FMT_U8,
    };
    uint32_t div = (s->ctl >> CTRL_PCLKDIV_SHIFT) & CTRL_PCLKDIV_MASK;

    if (c == CH_DAC1) {
        as.freq = 5512u << ((s->ctl >> CTRL_WTSRSEL_SHIFT) & 3);
    } else {
        as.freq = ES_PCLK_HZ / (div + 2);
    }
    return as;
}

/* Voices follow the control and serial registers. */
static void es1370_update_voices(ES1370State *s)
{
    for (int c = 0; c < ES_NR_CH; c++) {
        AudioSettings as = es1370_settings(s, c);
        bool run = (s->ctl & es_ch[c].en) && !(s->sctl & es_ch[c].pause) &&
                   !s->ch[c].stopped;

        if (c == CH_ADC) {
            audio_in_set_format(s->vin, &as);
            audio_in_set_active(s->vin, run);
        } else {
            audio_out_set_format(s->voice[c], &as);
            audio_out_set_active(s->voice[c], run);
        }
    }
}

/* Moves frames frames between buf and channel c's circular buffer,
 * counting samples; at each count's end interrupts, and in stop mode
 * stops. Returns the frames moved. */
static size_t es1370_transfer(ES1370State *s, int c, uint8_t *buf,
                              size_t frames, bool to_memory)
{
    ESChannel *ch = &s->ch[c];
    AudioSettings as = es1370_settings(s, c);
    unsigned fb = audio_frame_bytes(&as);
    uint32_t size = ((ch->frame_size & 0xffff) + 1) * 4;
    size_t done = 0;

    while (done < frames && !ch->stopped) {
        uint32_t left = (ch->count >> 16) + 1;
        size_t n = MIN(frames - done, left);
        uint32_t bytes = n * fb, moved = 0;

        while (moved < bytes) {
            uint32_t pos = ch->byte_pos % size;
            uint32_t piece = MIN(bytes - moved, size - pos);
            if (to_memory) {
                pci_dma_write(&s->pci, (uint64_t)ch->frame_addr + pos,
                              buf + done * fb + moved, piece);
            } else {
                pci_dma_read(&s->pci, (uint64_t)ch->frame_addr + pos,
                             buf + done * fb + moved, piece);
            }
            ch->byte_pos = (pos + piece) % size;
            moved += piece;
        }
        ch->frame_size = (ch->frame_size & 0xffff) |
                         (ch->byte_pos / 4) << 16;
        done += n;
        left -= n;
        if (left == 0) {
            /* The count ends: interrupt, reload, or stop. */
            if (s->sctl & es_ch[c].int_en) {
                s->status |= es_ch[c].stat;
                es1370_update_irq(s);
            }
            left = (ch->count & 0xffff) + 1;
            if (s->sctl & es_ch[c].loop_sel) {
                ch->stopped = true;
                es1370_update_voices(s);
            }
        }
        ch->count = (ch->count & 0xffff) | (left - 1) << 16;
    }
    return done;
}

static size_t es1370_pull_dac1(void *opaque, void *buf, size_t frames)
{
    return es1370_transfer(opaque, CH_DAC1, buf, frames, false);
}

static size_t es1370_pull_dac2(void *opaque, void *buf, size_t frames)
{
    return es1370_transfer(opaque, CH_DAC2, buf, frames, false);
}

static void es1370_push_adc(void *opaque, const void *buf, size_t frames)
{
    es1370_transfer(opaque, CH_ADC, (uint8_t *)buf, frames, true);
}

/* --- registers ----------------------------------------------------------- */

static ESChannel *es1370_frame_channel(ES1370State *s, unsigned off,
                                       bool *is_size)
{
    *is_size = off & 4;
    if (s->mem_page == PAGE_DAC) {
        return &s->ch[off < 0x38 ? CH_DAC1 : CH_DAC2];
    }
    if (s->mem_page == PAGE_ADC && off < 0x38) {
        return &s->ch[CH_ADC];
    }
    return NULL;
}

static uint64_t es1370_io_read(void *opaque, uint64_t offset, unsigned size)
{
    ES1370State *s = opaque;
    unsigned shift = (offset & 3) * 8;
    unsigned reg = offset & ~3u;
    uint32_t v;
    bool is_size;
    ESChannel *ch;

    switch (reg) {
    case ES_CONTROL:
        v = s->ctl;
        break;
    case ES_STATUS:
        v = s->status;
        break;
    case ES_MEM_PAGE:
        v = s->mem_page;
        break;
    case ES_CODEC:
        v = 0;          /* write-only; CSTAT/CBUSY never busy */
        break;
    case ES_SERIAL:
        v = s->sctl;
        break;
    case ES_DAC1_COUNT:
    case ES_DAC2_COUNT:
    case ES_ADC_COUNT:
        v = s->ch[(reg - ES_DAC1_COUNT) / 4].count;
        break;
    case ES_FRAME_BASE ... ES_FRAME_BASE + 0xc:
        ch = es1370_frame_channel(s, reg, &is_size);
        if (!ch) {
            unimp_log("es1370: memory page %#x", s->mem_page);
            return ~0ull;
        }
        v = is_size ? ch->frame_size : ch->frame_addr;
        break;
    default:
        unimp_log("es1370: read of %#x (UART, reserved)", (unsigned)offset);
        return ~0ull;
    }
    return (v >> shift) & (size == 4 ? 0xffffffffu : (1u << size * 8) - 1);
}

static uint32_t es1370_merge(uint32_t old, uint64_t offset, uint64_t value,
                             unsigned size)
{
    unsigned shift = (offset & 3) * 8;
    uint32_t mask = (size == 4 ? 0xffffffffu : (1u << size * 8) - 1)
                    << shift;

    return (old & ~mask) | ((uint32_t)value << shift & mask);
}

static void es1370_io_write(void *opaque, uint64_t offset, uint64_t value,
                            unsigned size)
{
    ES1370State *s = opaque;
    unsigned reg = offset & ~3u;
    uint32_t old, v;
    bool is_size;
    ESChannel *ch;

    switch (reg) {
    case ES_CONTROL:
        old = s->ctl;
        s->ctl = es1370_merge(s->ctl, offset, value, size);
        for (int c = 0; c < ES_NR_CH; c++) {
            if ((s->ctl & es_ch[c].en) && !(old & es_ch[c].en)) {
                /* Enabling starts from the buffer's beginning. */
                s->ch[c].byte_pos = 0;
                s->ch[c].frame_size &= 0xffff;
                s->ch[c].stopped = false;
            }
        }
        es1370_update_voices(s);
        break;
    case ES_STATUS:
        break;          /* read-only */
    case ES_MEM_PAGE:
        if (offset == ES_MEM_PAGE) {
            s->mem_page = value & 0x0f;
        }
        break;
    case ES_CODEC:
        v = es1370_merge(0, offset, value, size);
        if (((v >> 8) & 0xff) < ES_CODEC_REGS) {
            s->codec[(v >> 8) & 0xff] = v & 0xff;
        } else {
            guest_error("es1370: codec register %#x", (v >> 8) & 0xff);
        }
        break;
    case ES_SERIAL:
        s->sctl = es1370_merge(s->sctl, offset, value, size);
        for (int c = 0; c < ES_NR_CH; c++) {
            /* Clearing an interrupt enable acknowledges the interrupt. */
            if (!(s->sctl & es_ch[c].int_en)) {
                s->status &= ~es_ch[c].stat;
            }
        }
        es1370_update_irq(s);
        es1370_update_voices(s);
        break;
    case ES_DAC1_COUNT:
    case ES_DAC2_COUNT:
    case ES_ADC_COUNT:
        ch = &s->ch[(reg - ES_DAC1_COUNT) / 4];
        /* Writing the count loads the current counter as well. */
        v = es1370_merge(ch->count, offset, value, size) & 0xffff;
        ch->count = v | v << 16;
        break;
    case ES_FRAME_BASE ... ES_FRAME_BASE + 0xc:
        ch = es1370_frame_channel(s, reg, &is_size);
        if (!ch) {
            unimp_log("es1370: memory page %#x", s->mem_page);
            break;
        }
        if (is_size) {
            ch->frame_size = es1370_merge(ch->frame_size, offset, value,
                                          size);
            ch->byte_pos = (ch->frame_size >> 16) * 4 %
                           (((ch->frame_size & 0xffff) + 1) * 4);
        } else {
            ch->frame_addr = es1370_merge(ch->frame_addr, offset, value,
                                          size);
        }
        break;
    default:
        unimp_log("es1370: write of %#x (UART, reserved)",
                  (unsigned)offset);
        break;
    }
}

static const MemoryRegionOps es1370_io_ops = {
    .read = es1370_io_read,
    .write = es1370_io_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 4,
};

/* --- device -------------------------------------------------------------- */

static void es1370_reset(Device *dev)
{
    ES1370State *s = es1370_of(dev);

    pci_device_reset(&s->pci);
    s->ctl = 1;                 /* SERR_DIS, as the specification */
    s->status = 0;
    s->sctl = 0;
    s->mem_page = 0;
    memset(s->codec, 0, sizeof(s->codec));
    memset(s->ch, 0, sizeof(s->ch));
    es1370_update_irq(s);
    es1370_update_voices(s);
}

static const PCIDeviceInfo es1370_pci_info = {
    .vendor_id = ES_VENDOR_ID,
    .device_id = ES_DEVICE_ID,
    .class_code = ES_CLASS,
    .subsystem_vendor_id = PCI_SUBVENDOR_ID_REDHAT_QUMRANET,
    .subsystem_id = PCI_SUBDEVICE_ID_QEMU,
};

static bool es1370_realize(Device *dev, Machine *m, Error **errp)
{
    ES1370State *s = es1370_of(dev);
    AudioSettings as = { .freq = 44100, .channels = 2,
                         .fmt = AUDIO_FMT_S16 };

    if (!s->audiodev) {
        error_setg(errp, "ES1370 needs audiodev=ID (e.g. -audiodev "
                   "none,id=snd0 -device ES1370,audiodev=snd0)");
        return false;
    }
    s->be = audio_find(s->audiodev);
    if (!s->be) {
        error_setg(errp, "ES1370: no -audiodev with id '%s'", s->audiodev);
        return false;
    }
    s->pci.info = &es1370_pci_info;
    if (!pci_device_plug(&s->pci, m->pci_bus, errp)) {
        return false;
    }
    s->pci.config[PCI_INTERRUPT_PIN] = 1;   /* INTA */
    memory_region_init_io(&s->io, "es1370", &es1370_io_ops, s, ES_IO_SIZE);
    pci_register_bar(&s->pci, 0, PCI_BASE_ADDRESS_SPACE_IO, &s->io);
    s->voice[CH_DAC1] = audio_open_out(s->be, "es1370.dac1", &as,
                                       es1370_pull_dac1, s);
    s->voice[CH_DAC2] = audio_open_out(s->be, "es1370.dac2", &as,
                                       es1370_pull_dac2, s);
    s->vin = audio_open_in(s->be, "es1370.adc", &as, es1370_push_adc, s);
    return true;
}

static bool es1370_post_load(void *opaque, int version, Error **errp)
{
    ES1370State *s = opaque;

    for (int c = 0; c < ES_NR_CH; c++) {
        if (s->ch[c].byte_pos >= ((s->ch[c].frame_size & 0xffff) + 1) * 4) {
            error_setg(errp, "ES1370: channel %d position past its buffer",
                       c);
            return false;
        }
    }
    pci_device_update_mappings(&s->pci);
    es1370_update_irq(s);
    es1370_update_voices(s);
    return true;
}

static const VMStateField es1370_channel_fields[] = {
    VMSTATE_U32(frame_addr, ESChannel),
    VMSTATE_U32(frame_size, ESChannel),
    VMSTATE_U32(count, ESChannel),
    VMSTATE_U32(byte_pos, ESChannel),
    VMSTATE_BOOL(stopped, ESChannel),
    VMSTATE_END
};

static const VMStateDescription vmstate_es1370_channel = {
    .name = "es1370-channel",
    .version = 1,
    .min_version = 1,
    .fields = es1370_channel_fields,
};

static const VMStateField es1370_fields[] = {
    VMSTATE_PCI_DEVICE(pci, ES1370State),
    VMSTATE_U32(ctl, ES1370State),
    VMSTATE_U32(status, ES1370State),
    VMSTATE_U32(sctl, ES1370State),
    VMSTATE_U8(mem_page, ES1370State),
    VMSTATE_U8_ARRAY(codec, ES1370State, ES_CODEC_REGS),
    VMSTATE_STRUCT_ARRAY(ch, ES1370State, ES_NR_CH, vmstate_es1370_channel,
                         ESChannel),
    VMSTATE_END
};

static const VMStateDescription vmstate_es1370 = {
    .name = "es1370",
    .version = 1,
    .min_version = 1,
    .fields = es1370_fields,
    .post_load = es1370_post_load,
};

static const Property es1370_props[] = {
    DEFINE_PROP_PCI_ADDR(ES1370State),
    DEFINE_PROP_STRING("audiodev", ES1370State, audiodev,
                       "the -audiodev id to play through"),
    DEFINE_PROP_END
};

const DeviceType es1370_type = {
    .name = "ES1370",
    .desc = "Ensoniq AudioPCI ES1370",
    .bus = BUS_PCI,
    .state_size = sizeof(ES1370State),
    .user_creatable = true,
    .realize = es1370_realize,
    .reset = es1370_reset,
    .props = es1370_props,
    .vmsd = &vmstate_es1370,
};
