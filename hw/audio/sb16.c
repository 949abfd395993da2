/*
 * Creative Sound Blaster 16: the DSP (version 4.05) and the CT1745 mixer.
 *
 * Source: Creative Labs, "Sound Blaster Series Hardware Programming
 * Guide" (DSP I/O ports, "Resetting DSP", "Reading from/Writing to DSP",
 * the DSP command reference, "Mixer chip CT1745" register map and the
 * interrupt status register 82h).
 *
 * Ports (base 220h): +4 mixer address, +5 mixer data, +6 DSP reset, +Ah
 * read data, +Ch write command/data (read: write-buffer status), +Eh
 * read-buffer status (reading acknowledges the 8-bit interrupt), +Fh
 * 16-bit interrupt acknowledge.
 *
 * Emulated: reset and the AAh ready byte, identification (E0h), version
 * (E1h), copyright (E3h), test register (E4h/E8h), speaker on/off and
 * status, time constant (40h) and sample rates (41h/42h), block size
 * (48h), 8-bit single-cycle/auto-init/high-speed DMA playback (14h, 1Ch,
 * 90h, 91h) and recording (24h, 2Ch, 98h, 99h), the SB16 8- and 16-bit
 * commands Bxh/Cxh (mono/stereo, signed/unsigned, single-cycle and
 * auto-init, playback and recording), pause/continue (D0h/D4h/D5h/D6h),
 * exit auto-init (D9h/DAh), continue auto-init (45h/47h), silence (80h),
 * interrupt triggers (F2h/F3h), the CT1745 mixer (volumes honoured:
 * master x voice x output gain, 2 dB steps), the IRQ and DMA select
 * registers 80h/81h (writable, they rewire the card) and 82h.
 *
 * Playback is pulled by the audio core at the programmed rate on the
 * virtual clock (see docs/devices/sb16.md): each pull asserts DREQ and
 * takes exactly the bytes the frames need, counting them against the
 * block; at the block's end the DSP interrupts and, in single-cycle mode,
 * stops. If the DMA channel gives nothing (masked, count exhausted) the
 * audio core plays silence and the block does not advance, as a real
 * card waits for DACK. Recording gets silence from the back end and
 * writes it through DMA at the input rate.
 *
 * HW: on the SB16 the speaker commands do not gate the output (the
 * programming guide: speaker status is kept for compatibility).
 *
 * Not emulated: the OPL3 FM synthesiser (base+0..3, +8/+9 and 388h-38Bh
 * are not claimed, so they read FFh: an FM probe finds no chip), the
 * MPU-401 (330h), ADPCM (16h, 17h, 74h-7Fh; logged), direct DAC/ADC
 * samples (10h is accepted and dropped, 20h reads 80h), MIDI commands,
 * the ASP/CSP, the mixer's tone and input controls (stored only).
 */
#include "audio/audio.h"
#include "hw/core/device.h"
#include "hw/dma/i8237.h"
#include "hw/machine.h"
#include "softmmu/memory.h"
#include "softmmu/timer.h"

/* Port offsets from iobase. The FM ports (+0..+3) are not claimed. */
#define SB_PORT_FIRST       0x4
#define SB_MIXER_ADDR       0x4
#define SB_MIXER_DATA       0x5
#define SB_DSP_RESET        0x6
#define SB_DSP_READ         0xa
#define SB_DSP_WRITE        0xc     /* read: write-buffer status */
#define SB_DSP_RSTATUS      0xe     /* read-buffer status, 8-bit ack */
#define SB_DSP_ACK16        0xf
#define SB_PORT_END         0x10

#define SB_DSP_READY        0xaa
#define SB_VERSION_DEFAULT  0x0405

/* DSP commands (programming guide, DSP command reference). */
#define DSP_DIRECT_DAC      0x10
#define DSP_DMA8_OUT        0x14
#define DSP_ADPCM2_OUT      0x16
#define DSP_ADPCM2_REF_OUT  0x17
#define DSP_DMA8_AI_OUT     0x1c
#define DSP_DIRECT_ADC      0x20
#define DSP_DMA8_IN         0x24
#define DSP_DMA8_AI_IN      0x2c
#define DSP_TIME_CONSTANT   0x40
#define DSP_OUT_RATE        0x41
#define DSP_IN_RATE         0x42
#define DSP_CONT_AI8        0x45
#define DSP_CONT_AI16       0x47
#define DSP_BLOCK_SIZE      0x48
#define DSP_SILENCE         0x80
#define DSP_HS_AI_OUT       0x90
#define DSP_HS_OUT          0x91
#define DSP_HS_AI_IN        0x98
#define DSP_HS_IN           0x99
#define DSP_PROG16          0xb0    /* b0-bf: 16-bit, c0-cf: 8-bit */
#define DSP_PROG8           0xc0
#define  DSP_PROG_IN        0x08
#define  DSP_PROG_AI        0x04
#define  DSP_MODE_SIGNED    0x10
#define  DSP_MODE_STEREO    0x20
#define DSP_PAUSE8          0xd0
#define DSP_SPEAKER_ON      0xd1
#define DSP_SPEAKER_OFF     0xd3
#define DSP_CONT8           0xd4
#define DSP_PAUSE16         0xd5
#define DSP_CONT16          0xd6
#define DSP_SPEAKER_STATUS  0xd8
#define DSP_EXIT_AI16       0xd9
#define DSP_EXIT_AI8        0xda
#define DSP_IDENTIFY        0xe0
#define DSP_VERSION         0xe1
#define DSP_COPYRIGHT       0xe3
#define DSP_WRITE_TEST      0xe4
#define DSP_READ_TEST       0xe8
#define DSP_IRQ8            0xf2
#define DSP_IRQ16           0xf3

/* CT1745 mixer registers. */
#define MIX_RESET           0x00
#define MIX_SBPRO_VOICE     0x04
#define MIX_SBPRO_MIC       0x0a
#define MIX_SBPRO_OUTPUT    0x0e
#define  MIX_SBPRO_STEREO   0x02
#define MIX_SBPRO_MASTER    0x22
#define MIX_SBPRO_MIDI      0x26
#define MIX_SBPRO_CD        0x28
#define MIX_SBPRO_LINE      0x2e
#define MIX_MASTER_L        0x30
#define MIX_MASTER_R        0x31
#define MIX_VOICE_L         0x32
#define MIX_VOICE_R         0x33
#define MIX_LAST_LEVEL      0x47    /* 30h-47h: levels, switches, tone */
#define MIX_OUT_GAIN_L      0x41
#define MIX_OUT_GAIN_R      0x42
#define MIX_IRQ_SELECT      0x80
#define MIX_DMA_SELECT      0x81
#define MIX_IRQ_STATUS      0x82
#define  SB_IRQ_8BIT        0x01
#define  SB_IRQ_16BIT       0x02

#define SB_OUTQ_SIZE        64
#define SB_MAX_PARAMS       3

static const char sb_copyright[] =
    "COPYRIGHT (C) CREATIVE TECHNOLOGY LTD, 1992.";

typedef struct SB16State {
    Device dev;

    /* guest-visible state: DSP */
    bool reset_high;
    int16_t cmd;                /* command awaiting parameters, or -1 */
    uint8_t nparams;            /* how many it needs */
    uint8_t nparams_got;
    uint8_t params[SB_MAX_PARAMS];
    uint8_t outq[SB_OUTQ_SIZE];
    uint8_t outq_head, outq_len;
    uint8_t last_read;
    uint8_t test_reg;
    bool speaker;
    uint32_t out_rate, in_rate; /* sample rate (samples/s per channel) */
    bool rate_from_tc;          /* set by time constant: bytes/s */
    uint32_t block_size;        /* 48h: bytes (8-bit) or samples */

    /* the transfer */
    bool dma_active;
    bool dma_input;
    bool dma16;
    bool dma_autoinit;
    bool dma_paused;
    bool dma_exit_ai;           /* stop after this block */
    bool dma_signed;
    bool dma_stereo;
    uint32_t dma_rate;          /* frames/s */
    uint32_t block_bytes;
    uint32_t block_left;
    uint8_t carry[4];           /* bytes of a partial frame */
    uint8_t carry_len;
    int64_t silence_end_ns;     /* 80h: when its IRQ comes, or -1 */

    /* guest-visible state: mixer and interrupts */
    uint8_t mixer_index;
    uint8_t mixer[256];
    uint8_t irq_status;
    uint8_t cur_irq, cur_dma8, cur_dma16;

    /* properties */
    uint16_t iobase;
    uint8_t irq, dma, dma16_prop;
    uint16_t version;
    char *audiodev;

    /* wiring */
    Machine *m;
    IrqLine irq_line;
    AudioBackend *be;
    VoiceOut *voice;
    VoiceIn *vin;
    Timer *silence_timer;
    MemoryRegion io;
    /* the DMA callback's window into the caller's buffer */
    uint8_t *xfer_buf;
    uint32_t xfer_want, xfer_done;
    bool xfer_to_memory;
} SB16State;

static SB16State *sb16_of(Device *dev)
{
    return container_of(dev, SB16State, dev);
}

/* --- interrupts ---------------------------------------------------------- */

static unsigned sb16_gsi(unsigned irq)
{
    return irq == 2 ? 9 : irq;      /* HW: ISA IRQ2 is IRQ9 on the AT */
}

static void sb16_update_irq(SB16State *s)
{
    irq_set(s->irq_line, (s->irq_status & (SB_IRQ_8BIT | SB_IRQ_16BIT))
                         != 0);
}

static void sb16_raise(SB16State *s, uint8_t which)
{
    s->irq_status |= which;
    sb16_update_irq(s);
}

/* --- volume -------------------------------------------------------------- */

static void sb16_update_volume(SB16State *s)
{
    uint32_t gain[2];

    for (int c = 0; c < 2; c++) {
        int master = s->mixer[MIX_MASTER_L + c] >> 3;
        int voice = s->mixer[MIX_VOICE_L + c] >> 3;
        int out = s->mixer[MIX_OUT_GAIN_L + c] >> 6;
        /* CT1745: 32 steps of 2 dB, 31 = 0 dB; output gain x1..x8. */
        gain[c] = audio_gain_db((master - 31) * 2.0 + (voice - 31) * 2.0 +
                                out * 6.0206);
    }
    audio_out_set_volume(s->voice, false, gain[0], gain[1]);
}

/* --- DSP output queue ---------------------------------------------------- */

static void sb16_push(SB16State *s, uint8_t v)
{
    if (s->outq_len == SB_OUTQ_SIZE) {
        guest_error("sb16: DSP output queue overflow");
        return;
    }
    s->outq[(s->outq_head + s->outq_len) % SB_OUTQ_SIZE] = v;
    s->outq_len++;
}

static uint8_t sb16_pop(SB16State *s)
{
    if (s->outq_len) {
        s->last_read = s->outq[s->outq_head];
        s->outq_head = (s->outq_head + 1) % SB_OUTQ_SIZE;
        s->outq_len--;
    }
    return s->last_read;
}

/* --- DMA ----------------------------------------------------------------- */

static int sb16_channel(SB16State *s)
{
    return s->dma16 ? s->cur_dma16 : s->cur_dma8;
}

static int sb16_dma_cb(void *opaque, int channel, int pos, int size)
{
    SB16State *s = opaque;
    int n = MIN((uint32_t)(size - pos), s->xfer_want - s->xfer_done);
    int moved;

    /* Outside a pull (a guest's software request, an unmask) the card
     * has nowhere to put data: it takes nothing. */
    if (!s->xfer_buf || n <= 0) {
        return pos;
    }
    moved = s->xfer_to_memory
            ? i8237_write_memory(s->m, channel, s->xfer_buf + s->xfer_done,
                                 pos, n)
            : i8237_read_memory(s->m, channel, s->xfer_buf + s->xfer_done,
                                pos, n);
    s->xfer_done += moved;
    return pos + moved;
}

static void sb16_voice_update(SB16State *s)
{
    bool run = s->dma_active && !s->dma_paused;

    audio_out_set_active(s->voice, run && !s->dma_input);
    audio_in_set_active(s->vin, run && s->dma_input);
}

static void sb16_dma_stop(SB16State *s)
{
    s->dma_active = false;
    s->carry_len = 0;
    sb16_voice_update(s);
}

/*
 * Moves up to len bytes between buf and the DMA channel, block by block:
 * at each block's end the DSP interrupts and stops or re-loads. Returns
 * the bytes moved; fewer than len when the channel gave no more or the
 * transfer ended.
 */
static uint32_t sb16_dma_move(SB16State *s, uint8_t *buf, uint32_t len,
                              bool to_memory)
{
    uint32_t got = 0;
    int channel = sb16_channel(s);

    while (got < len && s->dma_active) {
        uint32_t n = MIN(len - got, s->block_left);

        s->xfer_buf = buf + got;
        s->xfer_want = n;
        s->xfer_done = 0;
        s->xfer_to_memory = to_memory;
        i8237_hold_dreq(s->m, channel);
        i8237_release_dreq(s->m, channel);
        got += s->xfer_done;
        s->block_left -= s->xfer_done;
        if (s->block_left == 0) {
            sb16_raise(s, s->dma16 ? SB_IRQ_16BIT : SB_IRQ_8BIT);
            if (s->dma_autoinit && !s->dma_exit_ai) {
                s->block_left = s->block_bytes;
            } else {
                s->dma_active = false;
                sb16_voice_update(s);
            }
        } else if (s->xfer_done < n) {
            break;      /* the controller has nothing for us now */
        }
    }
    s->xfer_buf = NULL;
    s->xfer_want = s->xfer_done = 0;
    return got;
}

/* The audio core wants frames frames of playback. */
static size_t sb16_pull(void *opaque, void *buf, size_t frames)
{
    SB16State *s = opaque;
    AudioSettings as = {
        .channels = s->dma_stereo ? 2 : 1,
        .fmt = s->dma16 ? (s->dma_signed ? AUDIO_FMT_S16 : AUDIO_FMT_U16)
                        : (s->dma_signed ? AUDIO_FMT_S8 : AUDIO_FMT_U8),
    };
    unsigned fb = audio_frame_bytes(&as);
    uint8_t *b = buf;
    uint32_t got;

    if (!s->dma_active || s->dma_paused || s->dma_input) {
        return 0;
    }
    memcpy(b, s->carry, s->carry_len);
    got = s->carry_len;
    got += sb16_dma_move(s, b + got, frames * fb - got, false);
    s->carry_len = got % fb;
    memcpy(s->carry, b + got - s->carry_len, s->carry_len);
    return got / fb;
}

/* The back end captured frames frames (silence): record them. */
static void sb16_push_in(void *opaque, const void *buf, size_t frames)
{
    SB16State *s = opaque;
    AudioSettings as = {
        .channels = s->dma_stereo ? 2 : 1,
        .fmt = s->dma16 ? AUDIO_FMT_S16 : AUDIO_FMT_U8,
    };
    uint32_t len = frames * audio_frame_bytes(&as);
    uint8_t *copy;

    if (!s->dma_active || s->dma_paused || !s->dma_input) {
        return;
    }
    /* Silence in the guest's format: 80h for unsigned 8-bit, else 0. */
    copy = g_malloc(len);
    memset(copy, !s->dma16 && !s->dma_signed ? 0x80 : 0, len);
    if (s->dma16 && !s->dma_signed) {
        for (uint32_t i = 0; i + 1 < len; i += 2) {
            copy[i] = 0;
            copy[i + 1] = 0x80;
        }
    }
    sb16_dma_move(s, copy, len, true);
    g_free(copy);
}

static void sb16_apply_format(SB16State *s)
{
    AudioSettings as = {
        .freq = s->dma_rate,
        .channels = s->dma_stereo ? 2 : 1,
        .fmt = s->dma16 ? (s->dma_signed ? AUDIO_FMT_S16 : AUDIO_FMT_U16)
                        : (s->dma_signed ? AUDIO_FMT_S8 : AUDIO_FMT_U8),
    };

    if (s->dma_input) {
        audio_in_set_format(s->vin, &as);
    } else {
        audio_out_set_format(s->voice, &as);
    }
}

/* Starts a transfer; units are samples (bytes for 8-bit, words for
 * 16-bit), as the guide counts them. */
static void sb16_dma_start(SB16State *s, bool is16, bool input, bool ai,
                           bool is_signed, bool stereo, uint32_t units)
{
    uint32_t rate = input ? s->in_rate : s->out_rate;

    sb16_dma_stop(s);
    s->dma16 = is16;
    s->dma_input = input;
    s->dma_autoinit = ai;
    s->dma_signed = is_signed;
    s->dma_stereo = stereo;
    s->dma_paused = false;
    s->dma_exit_ai = false;
    /* A time constant counts bytes per second of the interleaved
     * stream; the 41h/42h rates count frames. */
    if (s->rate_from_tc && stereo) {
        rate /= 2;
    }
    s->dma_rate = MAX(rate, 1);
    s->block_bytes = units << is16;
    s->block_left = s->block_bytes;
    s->dma_active = true;
    sb16_apply_format(s);
    sb16_voice_update(s);
}

/* 8-bit legacy commands: unsigned mono, stereo when the SB Pro output
 * register says so. */
static void sb16_dma_start_legacy(SB16State *s, bool input, bool ai,
                                  uint32_t units)
{
    bool stereo = s->mixer[MIX_SBPRO_OUTPUT] & MIX_SBPRO_STEREO;

    sb16_dma_start(s, false, input, ai, false, stereo, units);
}

static void sb16_silence_cb(void *opaque)
{
    SB16State *s = opaque;

    s->silence_end_ns = -1;
    sb16_raise(s, SB_IRQ_8BIT);
}

/* --- DSP commands -------------------------------------------------------- */

static int sb16_cmd_params(uint8_t cmd)
{
    switch (cmd) {
    case DSP_DIRECT_DAC:
    case DSP_TIME_CONSTANT:
    case DSP_IDENTIFY:
    case DSP_WRITE_TEST:
        return 1;
    case DSP_DMA8_OUT:
    case DSP_ADPCM2_OUT:
    case DSP_ADPCM2_REF_OUT:
    case DSP_DMA8_IN:
    case DSP_OUT_RATE:
    case DSP_IN_RATE:
    case DSP_BLOCK_SIZE:
    case DSP_SILENCE:
    case 0x74 ... 0x77:
        return 2;
    case DSP_PROG16 ... DSP_PROG8 + 0xf:
        return 3;
    default:
        return 0;
    }
}

static void sb16_dsp_reset(SB16State *s)
{
    sb16_dma_stop(s);
    s->cmd = -1;
    s->nparams = s->nparams_got = 0;
    s->outq_head = s->outq_len = 0;
    s->speaker = false;
    s->dma_paused = false;
    s->block_left = 0;
    s->silence_end_ns = -1;
    timer_del(s->silence_timer);
    s->irq_status = 0;
    sb16_update_irq(s);
}

static void sb16_execute(SB16State *s, uint8_t cmd)
{
    uint8_t *p = s->params;
    uint32_t len16 = (p[0] | p[1] << 8) + 1;

    if (cmd >= DSP_PROG16 && cmd <= DSP_PROG8 + 0xf) {
        uint32_t units = (p[1] | p[2] << 8) + 1;
        if (cmd & 0x01) {
            guest_error("sb16: reserved bit in command %#x", cmd);
        }
        sb16_dma_start(s, cmd < DSP_PROG8, cmd & DSP_PROG_IN,
                       cmd & DSP_PROG_AI, p[0] & DSP_MODE_SIGNED,
                       p[0] & DSP_MODE_STEREO, units);
        return;
    }
    switch (cmd) {
    case DSP_DIRECT_DAC:
        break;      /* UNIMPL: direct samples are dropped */
    case DSP_DMA8_OUT:
        sb16_dma_start_legacy(s, false, false, len16);
        break;
    case DSP_DMA8_IN:
        sb16_dma_start_legacy(s, true, false, len16);
        break;
    case DSP_DMA8_AI_OUT:
    case DSP_HS_AI_OUT:
        sb16_dma_start_legacy(s, false, true, s->block_size);
        break;
    case DSP_HS_OUT:
        sb16_dma_start_legacy(s, false, false, s->block_size);
        break;
    case DSP_DMA8_AI_IN:
    case DSP_HS_AI_IN:
        sb16_dma_start_legacy(s, true, true, s->block_size);
        break;
    case DSP_HS_IN:
        sb16_dma_start_legacy(s, true, false, s->block_size);
        break;
    case DSP_DIRECT_ADC:
        sb16_push(s, 0x80);     /* silence from the null source */
        break;
    case DSP_TIME_CONSTANT:
        s->out_rate = s->in_rate = 1000000 / (256 - p[0]);
        s->rate_from_tc = true;
        break;
    case DSP_OUT_RATE:
    case DSP_IN_RATE: {
        /* The guide's range is 5000-45000 Hz; the core clamps beyond. */
        uint32_t rate = p[0] << 8 | p[1];
        if (cmd == DSP_OUT_RATE) {
            s->out_rate = rate;
        } else {
            s->in_rate = rate;
        }
        s->rate_from_tc = false;
        break;
    }
    case DSP_BLOCK_SIZE:
        s->block_size = len16;
        break;
    case DSP_CONT_AI8:
    case DSP_CONT_AI16:
        s->dma_exit_ai = false;
        break;
    case DSP_SILENCE: {
        uint32_t rate = MAX(s->out_rate, 1);
        s->silence_end_ns = clock_get_ns(CLOCK_VIRTUAL) +
                            (int64_t)len16 * NANOSECONDS_PER_SECOND / rate;
        timer_mod(s->silence_timer, s->silence_end_ns);
        break;
    }
    case DSP_PAUSE8:
    case DSP_PAUSE16:
        s->dma_paused = true;
        sb16_voice_update(s);
        break;
    case DSP_CONT8:
    case DSP_CONT16:
        s->dma_paused = false;
        sb16_voice_update(s);
        break;
    case DSP_SPEAKER_ON:
        s->speaker = true;
        break;
    case DSP_SPEAKER_OFF:
        s->speaker = false;
        break;
    case DSP_SPEAKER_STATUS:
        sb16_push(s, s->speaker ? 0xff : 0x00);
        break;
    case DSP_EXIT_AI16:
    case DSP_EXIT_AI8:
        s->dma_exit_ai = true;
        break;
    case DSP_IDENTIFY:
        sb16_push(s, ~p[0]);
        break;
    case DSP_VERSION:
        sb16_push(s, s->version >> 8);
        sb16_push(s, s->version & 0xff);
        break;
    case DSP_COPYRIGHT:
        for (size_t i = 0; i < sizeof(sb_copyright); i++) {
            sb16_push(s, sb_copyright[i]);
        }
        break;
    case DSP_WRITE_TEST:
        s->test_reg = p[0];
        break;
    case DSP_READ_TEST:
        sb16_push(s, s->test_reg);
        break;
    case DSP_IRQ8:
        sb16_raise(s, SB_IRQ_8BIT);
        break;
    case DSP_IRQ16:
        sb16_raise(s, SB_IRQ_16BIT);
        break;
    case DSP_ADPCM2_OUT:
    case DSP_ADPCM2_REF_OUT:
    case 0x74 ... 0x77:
        unimp_log("sb16: ADPCM command %#x", cmd);
        break;
    default:
        unimp_log("sb16: DSP command %#x", cmd);
        break;
    }
}

static void sb16_dsp_write(SB16State *s, uint8_t v)
{
    if (s->cmd < 0) {
        s->cmd = v;
        s->nparams = sb16_cmd_params(v);
        s->nparams_got = 0;
    } else {
        s->params[s->nparams_got++] = v;
    }
    if (s->nparams_got == s->nparams) {
        uint8_t cmd = s->cmd;
        s->cmd = -1;
        sb16_execute(s, cmd);
    }
}

/* --- mixer --------------------------------------------------------------- */

static void sb16_mixer_reset(SB16State *s)
{
    memset(s->mixer, 0, sizeof(s->mixer));
    /* CT1745 power-on levels: master, voice, MIDI at -14 dB. */
    for (int r = MIX_MASTER_L; r <= 0x35; r++) {
        s->mixer[r] = 0xc0;
    }
    s->mixer[0x3c] = 0x1f;      /* output switches: line, CD, mic on */
    s->mixer[0x3d] = 0x15;      /* input mixer left */
    s->mixer[0x3e] = 0x0b;      /* input mixer right */
    for (int r = 0x44; r <= 0x47; r++) {
        s->mixer[r] = 0x80;     /* treble, bass: flat */
    }
    sb16_update_volume(s);
}

/* SB Pro registers are views of the CT1745's 5-bit levels: the nibble
 * is the level's top 4 bits. */
static uint8_t sb16_sbpro_read(SB16State *s, uint8_t left_reg)
{
    return (s->mixer[left_reg] & 0xf0) | s->mixer[left_reg + 1] >> 4;
}

static void sb16_sbpro_write(SB16State *s, uint8_t left_reg, uint8_t v)
{
    s->mixer[left_reg] = (v & 0xf0) | 0x08;
    s->mixer[left_reg + 1] = (v & 0x0f) << 4 | 0x08;
}

static const uint8_t sb16_irq_bits[] = { [2] = 1, [5] = 2, [7] = 4,
                                         [10] = 8 };

static uint8_t sb16_irq_select(SB16State *s)
{
    return s->cur_irq < ARRAY_SIZE(sb16_irq_bits)
           ? sb16_irq_bits[s->cur_irq] : 0;
}

static void sb16_set_irq(SB16State *s, uint8_t irq)
{
    irq_set(s->irq_line, 0);
    s->cur_irq = irq;
    s->irq_line = machine_gsi(s->m, sb16_gsi(irq));
    sb16_update_irq(s);
}

static bool sb16_set_dma(SB16State *s, uint8_t dma8, uint8_t dma16)
{
    Error *err = NULL;

    sb16_dma_stop(s);
    i8237_release_channel(s->m, s->cur_dma8);
    i8237_release_channel(s->m, s->cur_dma16);
    if (!i8237_request_channel(s->m, dma8, sb16_dma_cb, s, &err) ||
        !i8237_request_channel(s->m, dma16, sb16_dma_cb, s, &err)) {
        guest_error("sb16: %s", err->msg);
        error_free(err);
        i8237_release_channel(s->m, dma8);
        /* Back to what worked before. */
        i8237_request_channel(s->m, s->cur_dma8, sb16_dma_cb, s, NULL);
        i8237_request_channel(s->m, s->cur_dma16, sb16_dma_cb, s, NULL);
        return false;
    }
    s->cur_dma8 = dma8;
    s->cur_dma16 = dma16;
    return true;
}

static uint8_t sb16_mixer_read(SB16State *s)
{
    uint8_t r = s->mixer_index;

    switch (r) {
    case MIX_RESET:
        return 0;
    case MIX_SBPRO_VOICE:
        return sb16_sbpro_read(s, MIX_VOICE_L);
    case MIX_SBPRO_MASTER:
        return sb16_sbpro_read(s, MIX_MASTER_L);
    case MIX_SBPRO_MIDI:
        return sb16_sbpro_read(s, 0x34);
    case MIX_SBPRO_CD:
        return sb16_sbpro_read(s, 0x36);
    case MIX_SBPRO_LINE:
        return sb16_sbpro_read(s, 0x38);
    case MIX_SBPRO_MIC:
        return s->mixer[0x3a] >> 5;
    case MIX_SBPRO_OUTPUT:
    case MIX_MASTER_L ... MIX_LAST_LEVEL:
        return s->mixer[r];
    case MIX_IRQ_SELECT:
        return sb16_irq_select(s);
    case MIX_DMA_SELECT:
        return 1 << s->cur_dma8 | 1 << s->cur_dma16;
    case MIX_IRQ_STATUS:
        return s->irq_status;
    default:
        guest_error("sb16: read of mixer register %#x", r);
        return 0xff;
    }
}

static void sb16_mixer_write(SB16State *s, uint8_t v)
{
    uint8_t r = s->mixer_index;

    switch (r) {
    case MIX_RESET:
        sb16_mixer_reset(s);
        return;
    case MIX_SBPRO_VOICE:
        sb16_sbpro_write(s, MIX_VOICE_L, v);
        break;
    case MIX_SBPRO_MASTER:
        sb16_sbpro_write(s, MIX_MASTER_L, v);
        break;
    case MIX_SBPRO_MIDI:
        sb16_sbpro_write(s, 0x34, v);
        break;
    case MIX_SBPRO_CD:
        sb16_sbpro_write(s, 0x36, v);
        break;
    case MIX_SBPRO_LINE:
        sb16_sbpro_write(s, 0x38, v);
        break;
    case MIX_SBPRO_MIC:
        s->mixer[0x3a] = (v & 7) << 5;
        break;
    case MIX_SBPRO_OUTPUT:
    case MIX_MASTER_L ... MIX_LAST_LEVEL:
        s->mixer[r] = v;
        break;
    case MIX_IRQ_SELECT:
        for (unsigned irq = 0; irq < ARRAY_SIZE(sb16_irq_bits); irq++) {
            if (sb16_irq_bits[irq] && v == sb16_irq_bits[irq]) {
                sb16_set_irq(s, irq);
                return;
            }
        }
        guest_error("sb16: IRQ select %#x is not one IRQ", v);
        return;
    case MIX_DMA_SELECT: {
        int d8 = v & 0x01 ? 0 : v & 0x02 ? 1 : v & 0x08 ? 3 : -1;
        int d16 = v & 0x20 ? 5 : v & 0x40 ? 6 : v & 0x80 ? 7 : -1;
        if (d8 < 0 || d16 < 0) {
            guest_error("sb16: DMA select %#x lacks a channel", v);
            return;
        }
        if (d8 != s->cur_dma8 || d16 != s->cur_dma16) {
            sb16_set_dma(s, d8, d16);
        }
        return;
    }
    default:
        guest_error("sb16: write of mixer register %#x", r);
        return;
    }
    sb16_update_volume(s);
}

/* --- ports --------------------------------------------------------------- */

static uint64_t sb16_io_read(void *opaque, uint64_t offset, unsigned size)
{
    SB16State *s = opaque;

    switch (offset + SB_PORT_FIRST) {
    case SB_MIXER_ADDR:
        return s->mixer_index;
    case SB_MIXER_DATA:
        return sb16_mixer_read(s);
    case SB_DSP_READ:
        return sb16_pop(s);
    case SB_DSP_WRITE:
        return 0x7f;            /* bit 7 clear: ready for a command */
    case SB_DSP_RSTATUS:
        s->irq_status &= ~SB_IRQ_8BIT;
        sb16_update_irq(s);
        return s->outq_len ? 0xff : 0x7f;
    case SB_DSP_ACK16:
        s->irq_status &= ~SB_IRQ_16BIT;
        sb16_update_irq(s);
        return 0xff;
    default:
        return 0xff;            /* reset (write-only), FM mirror */
    }
}

static void sb16_io_write(void *opaque, uint64_t offset, uint64_t value,
                          unsigned size)
{
    SB16State *s = opaque;

    switch (offset + SB_PORT_FIRST) {
    case SB_MIXER_ADDR:
        s->mixer_index = value;
        break;
    case SB_MIXER_DATA:
        sb16_mixer_write(s, value);
        break;
    case SB_DSP_RESET:
        /* The guide: write 1, wait 3 us, write 0; then AAh is ready. */
        if ((value & 1) && !s->reset_high) {
            s->reset_high = true;
        } else if (!(value & 1) && s->reset_high) {
            s->reset_high = false;
            sb16_dsp_reset(s);
            sb16_push(s, SB_DSP_READY);
        }
        break;
    case SB_DSP_WRITE:
        sb16_dsp_write(s, value);
        break;
    default:
        guest_error("sb16: write %#x to port %#x", (unsigned)value,
                    (unsigned)(s->iobase + offset + SB_PORT_FIRST));
        break;
    }
}

static const MemoryRegionOps sb16_io_ops = {
    .read = sb16_io_read,
    .write = sb16_io_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,
};

/* --- device -------------------------------------------------------------- */

static void sb16_reset(Device *dev)
{
    SB16State *s = sb16_of(dev);

    s->reset_high = false;
    sb16_dsp_reset(s);
    s->last_read = 0;
    s->test_reg = 0;
    s->out_rate = s->in_rate = 11025;
    s->rate_from_tc = false;
    s->block_size = 1;
    s->dma16 = s->dma_input = s->dma_autoinit = false;
    s->dma_signed = s->dma_stereo = false;
    s->dma_exit_ai = false;
    s->dma_rate = 11025;
    s->block_bytes = 0;
    s->mixer_index = 0;
    sb16_mixer_reset(s);
    if (s->cur_irq != s->irq) {
        sb16_set_irq(s, s->irq);
    }
    if (s->cur_dma8 != s->dma || s->cur_dma16 != s->dma16_prop) {
        sb16_set_dma(s, s->dma, s->dma16_prop);
    }
}

static bool sb16_realize(Device *dev, Machine *m, Error **errp)
{
    SB16State *s = sb16_of(dev);
    AudioSettings as = { .freq = 11025, .channels = 1, .fmt = AUDIO_FMT_U8 };

    s->m = m;
    if (!s->audiodev) {
        error_setg(errp, "sb16 needs audiodev=ID (e.g. -audiodev none,id=snd0 "
                   "-device sb16,audiodev=snd0)");
        return false;
    }
    s->be = audio_find(s->audiodev);
    if (!s->be) {
        error_setg(errp, "sb16: no -audiodev with id '%s'", s->audiodev);
        return false;
    }
    if (s->irq >= ARRAY_SIZE(sb16_irq_bits) || !sb16_irq_bits[s->irq]) {
        error_setg(errp, "sb16: irq must be 2, 5, 7 or 10");
        return false;
    }
    if (s->dma != 0 && s->dma != 1 && s->dma != 3) {
        error_setg(errp, "sb16: dma must be 0, 1 or 3");
        return false;
    }
    if (s->dma16_prop < 5 || s->dma16_prop > 7) {
        error_setg(errp, "sb16: dma16 must be 5, 6 or 7");
        return false;
    }
    if (!i8237_find(m, s->dma) || !i8237_find(m, s->dma16_prop)) {
        error_setg(errp, "sb16 needs the ISA DMA controllers");
        return false;
    }
    if (!i8237_request_channel(m, s->dma, sb16_dma_cb, s, errp)) {
        error_prepend(errp, "sb16: ");
        return false;
    }
    if (!i8237_request_channel(m, s->dma16_prop, sb16_dma_cb, s, errp)) {
        i8237_release_channel(m, s->dma);
        error_prepend(errp, "sb16: ");
        return false;
    }
    s->cur_dma8 = s->dma;
    s->cur_dma16 = s->dma16_prop;
    s->cur_irq = s->irq;
    s->irq_line = machine_gsi(m, sb16_gsi(s->irq));
    s->voice = audio_open_out(s->be, "sb16", &as, sb16_pull, s);
    s->vin = audio_open_in(s->be, "sb16", &as, sb16_push_in, s);
    s->silence_timer = timer_new(CLOCK_VIRTUAL, sb16_silence_cb, s);
    memory_region_init_io(&s->io, "sb16", &sb16_io_ops, s,
                          SB_PORT_END - SB_PORT_FIRST);
    memory_region_add_subregion(m->system_io, s->iobase + SB_PORT_FIRST,
                                &s->io, 0);
    return true;
}

static bool sb16_post_load(void *opaque, int version, Error **errp)
{
    SB16State *s = opaque;

    if (s->outq_head >= SB_OUTQ_SIZE || s->outq_len > SB_OUTQ_SIZE ||
        s->nparams > SB_MAX_PARAMS || s->nparams_got > s->nparams ||
        s->carry_len >= sizeof(s->carry) ||
        s->block_left > s->block_bytes ||
        s->cur_irq >= ARRAY_SIZE(sb16_irq_bits) ||
        !sb16_irq_bits[s->cur_irq]) {
        error_setg(errp, "sb16: inconsistent DSP state");
        return false;
    }
    s->irq_line = machine_gsi(s->m, sb16_gsi(s->cur_irq));
    sb16_update_irq(s);
    sb16_update_volume(s);
    sb16_apply_format(s);
    sb16_voice_update(s);
    if (s->silence_end_ns >= 0) {
        timer_mod(s->silence_timer, s->silence_end_ns);
    } else {
        timer_del(s->silence_timer);
    }
    return true;
}

static const VMStateField sb16_fields[] = {
    VMSTATE_BOOL(reset_high, SB16State),
    VMSTATE_U16(cmd, SB16State),
    VMSTATE_U8(nparams, SB16State),
    VMSTATE_U8(nparams_got, SB16State),
    VMSTATE_U8_ARRAY(params, SB16State, SB_MAX_PARAMS),
    VMSTATE_U8_ARRAY(outq, SB16State, SB_OUTQ_SIZE),
    VMSTATE_U8(outq_head, SB16State),
    VMSTATE_U8(outq_len, SB16State),
    VMSTATE_U8(last_read, SB16State),
    VMSTATE_U8(test_reg, SB16State),
    VMSTATE_BOOL(speaker, SB16State),
    VMSTATE_U32(out_rate, SB16State),
    VMSTATE_U32(in_rate, SB16State),
    VMSTATE_BOOL(rate_from_tc, SB16State),
    VMSTATE_U32(block_size, SB16State),
    VMSTATE_BOOL(dma_active, SB16State),
    VMSTATE_BOOL(dma_input, SB16State),
    VMSTATE_BOOL(dma16, SB16State),
    VMSTATE_BOOL(dma_autoinit, SB16State),
    VMSTATE_BOOL(dma_paused, SB16State),
    VMSTATE_BOOL(dma_exit_ai, SB16State),
    VMSTATE_BOOL(dma_signed, SB16State),
    VMSTATE_BOOL(dma_stereo, SB16State),
    VMSTATE_U32(dma_rate, SB16State),
    VMSTATE_U32(block_bytes, SB16State),
    VMSTATE_U32(block_left, SB16State),
    VMSTATE_U8_ARRAY(carry, SB16State, 4),
    VMSTATE_U8(carry_len, SB16State),
    VMSTATE_I64(silence_end_ns, SB16State),
    VMSTATE_U8(mixer_index, SB16State),
    VMSTATE_U8_ARRAY(mixer, SB16State, 256),
    VMSTATE_U8(irq_status, SB16State),
    VMSTATE_U8(cur_irq, SB16State),
    VMSTATE_U8(cur_dma8, SB16State),
    VMSTATE_U8(cur_dma16, SB16State),
    VMSTATE_END
};

static const VMStateDescription vmstate_sb16 = {
    .name = "sb16",
    .version = 1,
    .min_version = 1,
    .fields = sb16_fields,
    .post_load = sb16_post_load,
};

static const Property sb16_props[] = {
    DEFINE_PROP_U16("iobase", SB16State, iobase, 0x220, "I/O base"),
    DEFINE_PROP_U8("irq", SB16State, irq, 5, "IRQ: 2, 5, 7 or 10"),
    DEFINE_PROP_U8("dma", SB16State, dma, 1, "8-bit DMA: 0, 1 or 3"),
    DEFINE_PROP_U8("dma16", SB16State, dma16_prop, 5,
                   "16-bit DMA: 5, 6 or 7"),
    DEFINE_PROP_U16("version", SB16State, version, SB_VERSION_DEFAULT,
                    "DSP version (E1h)"),
    DEFINE_PROP_STRING("audiodev", SB16State, audiodev,
                       "the -audiodev id to play through"),
    DEFINE_PROP_END
};

const DeviceType sb16_type = {
    .name = "sb16",
    .desc = "Creative Sound Blaster 16",
    .bus = BUS_ISA,
    .state_size = sizeof(SB16State),
    .user_creatable = true,
    .realize = sb16_realize,
    .reset = sb16_reset,
    .props = sb16_props,
    .vmsd = &vmstate_sb16,
};
