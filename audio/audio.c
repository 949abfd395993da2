/*
 * The audio core: voices, format conversion, resampling, volume, mixing,
 * and the stream clock on virtual time (see include/audio/audio.h and
 * docs/audio.md).
 *
 * One timer per back end runs while any voice is active. At each tick the
 * output stream owes floor((now - epoch) * rate / 1e9) - frames_done
 * frames; the core asks each active voice for the frames that cover that
 * span at the voice's own rate, converts them to signed 32-bit stereo,
 * applies the voice's gain, resamples (sample-and-hold at a 32.32 fixed
 * step; an exact copy when the rates match), mixes, clips to 16 bits and
 * writes the result to the driver.
 *
 * Determinism: everything depends on the virtual times at which the timer
 * runs and on what the devices return, never on the host. An underrun
 * (an active voice returning fewer frames) is padded with silence; when
 * the last voice stops inside a chunk, the chunk ends where that voice's
 * samples ended, so a single transfer of N frames at the stream's rate is
 * exactly N frames of output.
 *
 * UNIMPL: an interpolating resampler (sample-and-hold aliases when the
 * rates differ); capture from a host source (inputs get silence).
 */
#include "audio_int.h"
#include <math.h>

#define AUDIO_CHUNK_FRAMES      1024
#define AUDIO_MIN_FREQ          1000
#define AUDIO_MAX_FREQ          192000
#define AUDIO_MAX_GAIN          (16u * AUDIO_GAIN_UNITY)

struct VoiceOut {
    AudioBackend *be;
    char *name;
    AudioSettings as;
    AudioPullFn *pull;
    void *opaque;
    bool active;
    bool mute;
    uint32_t gain[2];

    /* resampler: input position of the next output frame, Q32, relative
     * to prev (the last input frame consumed) */
    uint64_t frac;
    int32_t prev[2];

    uint8_t *raw;           /* what the device wrote, its format */
    int32_t *conv;          /* the same, s32 stereo */
    size_t cap;             /* frames both hold */
};

struct VoiceIn {
    AudioBackend *be;
    char *name;
    AudioSettings as;
    AudioPushFn *push;
    void *opaque;
    bool active;
    int64_t epoch_ns;
    uint64_t frames_done;
    uint8_t *raw;
    size_t cap;
};

static AudioBackend *backends;

/* --- helpers ------------------------------------------------------------- */

static void audio_sanitize(AudioSettings *as)
{
    as->freq = MIN(MAX(as->freq, AUDIO_MIN_FREQ), AUDIO_MAX_FREQ);
    as->channels = as->channels == 2 ? 2 : 1;
    if (as->fmt > AUDIO_FMT_S16) {
        as->fmt = AUDIO_FMT_S16;
    }
}

unsigned audio_frame_bytes(const AudioSettings *as)
{
    unsigned sample = as->fmt == AUDIO_FMT_U8 || as->fmt == AUDIO_FMT_S8
                      ? 1 : 2;
    return sample * (as->channels == 2 ? 2 : 1);
}

uint32_t audio_gain_db(double db)
{
    double g = AUDIO_GAIN_UNITY * pow(10.0, db / 20.0);

    return g > AUDIO_MAX_GAIN ? AUDIO_MAX_GAIN : (uint32_t)lround(g);
}

static int32_t audio_sample(AudioFormat fmt, const uint8_t *p)
{
    switch (fmt) {
    case AUDIO_FMT_U8:
        return ((int32_t)p[0] - 128) * 256;
    case AUDIO_FMT_S8:
        return (int32_t)(int8_t)p[0] * 256;
    case AUDIO_FMT_U16:
        return (int32_t)(p[0] | p[1] << 8) - 32768;
    case AUDIO_FMT_S16:
    default:
        return (int16_t)(p[0] | p[1] << 8);
    }
}

void audio_convert_to_s32(const AudioSettings *as, const void *in,
                          int32_t *out, size_t n)
{
    const uint8_t *p = in;
    unsigned ss = audio_frame_bytes(as) / (as->channels == 2 ? 2 : 1);

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = audio_sample(as->fmt, p);
        p += ss;
        if (as->channels == 2) {
            out[2 * i + 1] = audio_sample(as->fmt, p);
            p += ss;
        } else {
            out[2 * i + 1] = out[2 * i];
        }
    }
}

/* n frames of silence in the voice's format. */
static void audio_fill_silence(const AudioSettings *as, void *buf, size_t n)
{
    size_t bytes = n * audio_frame_bytes(as);

    switch (as->fmt) {
    case AUDIO_FMT_U8:
        memset(buf, 0x80, bytes);
        break;
    case AUDIO_FMT_U16:
        for (size_t i = 0; i < bytes; i += 2) {
            ((uint8_t *)buf)[i] = 0x00;
            ((uint8_t *)buf)[i + 1] = 0x80;
        }
        break;
    default:
        memset(buf, 0, bytes);
        break;
    }
}

/* floor(ns * rate / 1e9) without overflow. */
static uint64_t audio_frames_at(int64_t ns, uint32_t rate)
{
    if (ns <= 0) {
        return 0;
    }
    return (unsigned __int128)ns * rate / NANOSECONDS_PER_SECOND;
}

/* --- back ends ----------------------------------------------------------- */

AudioBackend *audio_find(const char *id)
{
    for (AudioBackend *be = backends; be; be = be->next) {
        if (id && !strcmp(be->id, id)) {
            return be;
        }
    }
    return NULL;
}

static void audio_timer_cb(void *opaque);

AudioBackend *audio_backend_new(const char *id, const AudioDriver *drv)
{
    AudioBackend *be = g_new0(AudioBackend, 1);

    be->id = g_strdup(id);
    be->drv = drv;
    be->rate = 44100;
    be->channels = 2;
    be->period_ns = 10 * 1000 * 1000;
    be->voices_out = g_ptr_array_new();
    be->voices_in = g_ptr_array_new();
    return be;
}

/* Links a back end created by audio-opts.c into the list; the drivers
 * are finalised at exit (the WAV header's last update). */
void audio_backend_register(AudioBackend *be)
{
    static bool cleanup_registered;
    AudioBackend **p = &backends;

    while (*p) {
        p = &(*p)->next;
    }
    *p = be;
    if (!cleanup_registered) {
        cleanup_registered = true;
        atexit(audio_cleanup_all);
    }
}

void audio_backend_free(AudioBackend *be)
{
    if (be->timer) {
        timer_free(be->timer);
    }
    g_ptr_array_free(be->voices_out, true);
    g_ptr_array_free(be->voices_in, true);
    g_free(be->mix);
    g_free(be->out);
    g_free(be->id);
    g_free(be);
}

void audio_cleanup_all(void)
{
    AudioBackend *be = backends;

    backends = NULL;
    while (be) {
        AudioBackend *next = be->next;
        if (be->drv->fini) {
            be->drv->fini(be);
        }
        /* Voices belong to devices, which outlive this at exit. */
        be = next;
    }
}

static bool audio_any_active(AudioBackend *be, bool *out_active)
{
    bool any = false;

    *out_active = false;
    for (guint i = 0; i < be->voices_out->len; i++) {
        VoiceOut *v = g_ptr_array_index(be->voices_out, i);
        if (v->active) {
            *out_active = any = true;
        }
    }
    for (guint i = 0; i < be->voices_in->len; i++) {
        VoiceIn *v = g_ptr_array_index(be->voices_in, i);
        any |= v->active;
    }
    return any;
}

static void audio_arm(AudioBackend *be)
{
    if (!be->timer) {
        be->timer = timer_new(CLOCK_VIRTUAL, audio_timer_cb, be);
    }
    if (!timer_pending(be->timer)) {
        timer_mod(be->timer, clock_get_ns(CLOCK_VIRTUAL) + be->period_ns);
    }
}

/* The first voice that plays fixes the stream format (unless the user or
 * the driver did); the stream clock starts now. */
static void audio_stream_start(AudioBackend *be, const AudioSettings *as)
{
    if (!be->started) {
        if (!be->format_fixed) {
            be->rate = as->freq;
            be->channels = as->channels;
        }
        be->started = true;
        be->drv->start(be);
    }
    be->running = true;
    be->epoch_ns = clock_get_ns(CLOCK_VIRTUAL);
    be->frames_done = 0;
}

static void audio_stream_stop(AudioBackend *be)
{
    be->running = false;
    if (be->drv->stop) {
        be->drv->stop(be);
    }
}

/* --- output -------------------------------------------------------------- */

static void voice_reserve(VoiceOut *v, size_t frames)
{
    if (frames > v->cap) {
        v->cap = frames;
        v->raw = g_realloc(v->raw, frames * 4);
        v->conv = g_realloc(v->conv, frames * 2 * sizeof(int32_t));
    }
}

/* Pulls what v owes for n output frames and adds it into be->mix.
 * Returns the output frames v covered: n, or fewer if v stopped. */
static size_t voice_mix(AudioBackend *be, VoiceOut *v, size_t n)
{
    AudioSettings as = v->as;       /* the callback may change v->as */
    bool same_rate = as.freq == be->rate;
    uint64_t step = ((uint64_t)as.freq << 32) / be->rate;
    size_t m, got, k;
    int32_t *mix = be->mix;

    m = same_rate ? n : (size_t)((v->frac + n * step) >> 32);
    voice_reserve(v, m + 1);
    got = m ? v->pull(v->opaque, v->raw, m) : 0;
    if (got > m) {
        got = m;
    }
    if (v->active && got < m) {
        /* Underrun: the device had nothing; play silence for the gap. */
        audio_fill_silence(&as, v->raw + got * audio_frame_bytes(&as),
                           m - got);
        got = m;
    }
    audio_convert_to_s32(&as, v->raw, v->conv, got);
    for (size_t i = 0; i < got; i++) {
        int64_t l = v->mute ? 0 : (int64_t)v->conv[2 * i] * v->gain[0];
        int64_t r = v->mute ? 0 : (int64_t)v->conv[2 * i + 1] * v->gain[1];
        v->conv[2 * i] = (int32_t)(l >> 16);
        v->conv[2 * i + 1] = (int32_t)(r >> 16);
    }
    if (same_rate) {
        for (size_t i = 0; i < 2 * got; i++) {
            mix[i] += v->conv[i];
        }
        return got;
    }
    for (k = 0; k < n; k++) {
        size_t idx = (size_t)((v->frac + (k + 1) * step) >> 32);
        const int32_t *f;

        if (idx > got) {
            break;          /* the voice stopped here */
        }
        f = idx ? &v->conv[2 * (idx - 1)] : v->prev;
        mix[2 * k] += f[0];
        mix[2 * k + 1] += f[1];
    }
    v->frac = v->frac + n * step - ((uint64_t)m << 32);
    if (got) {
        v->prev[0] = v->conv[2 * (got - 1)];
        v->prev[1] = v->conv[2 * (got - 1) + 1];
    }
    return k;
}

static void audio_run_out(AudioBackend *be, int64_t now)
{
    uint64_t due = audio_frames_at(now - be->epoch_ns, be->rate);

    be->in_run = true;
    while (be->running && be->frames_done < due) {
        size_t n = MIN(due - be->frames_done, AUDIO_CHUNK_FRAMES);
        size_t covered = 0;
        bool still_active = false;

        if (n > be->buf_frames) {
            be->buf_frames = n;
            be->mix = g_realloc(be->mix, n * 2 * sizeof(int32_t));
            be->out = g_realloc(be->out, n * 2 * sizeof(int16_t));
        }
        memset(be->mix, 0, n * 2 * sizeof(int32_t));
        for (guint i = 0; i < be->voices_out->len; i++) {
            VoiceOut *v = g_ptr_array_index(be->voices_out, i);
            size_t c;

            if (!v->active) {
                continue;
            }
            c = voice_mix(be, v, n);
            if (v->active) {
                still_active = true;
                c = n;
            }
            covered = MAX(covered, c);
        }
        if (!still_active) {
            n = covered;
        }
        for (size_t i = 0; i < n; i++) {
            int32_t l = MIN(MAX(be->mix[2 * i], -32768), 32767);
            int32_t r = MIN(MAX(be->mix[2 * i + 1], -32768), 32767);
            if (be->channels == 2) {
                be->out[2 * i] = l;
                be->out[2 * i + 1] = r;
            } else {
                be->out[i] = (l + r) / 2;
            }
        }
        if (n) {
            be->drv->write(be, be->out, n);
            be->frames_done += n;
        }
        if (!still_active) {
            audio_stream_stop(be);
        }
    }
    be->in_run = false;
}

/* A device changes a voice between ticks: the stream first plays up to
 * now with the old state, so the change takes effect at this instant. */
static void audio_catch_up(AudioBackend *be)
{
    if (be->running && !be->in_run) {
        audio_run_out(be, clock_get_ns(CLOCK_VIRTUAL));
    }
}

/* --- input --------------------------------------------------------------- */

static void audio_run_in(AudioBackend *be, int64_t now)
{
    for (guint i = 0; i < be->voices_in->len; i++) {
        VoiceIn *v = g_ptr_array_index(be->voices_in, i);
        uint64_t due;

        if (!v->active) {
            continue;
        }
        due = audio_frames_at(now - v->epoch_ns, v->as.freq);
        while (v->active && v->frames_done < due) {
            size_t n = MIN(due - v->frames_done, AUDIO_CHUNK_FRAMES);
            AudioSettings as = v->as;

            if (n > v->cap) {
                v->cap = n;
                v->raw = g_realloc(v->raw, n * 4);
            }
            audio_fill_silence(&as, v->raw, n);
            v->frames_done += n;
            v->push(v->opaque, v->raw, n);
        }
    }
}

static void audio_timer_cb(void *opaque)
{
    AudioBackend *be = opaque;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    bool out_active;

    if (be->running) {
        audio_run_out(be, now);
    }
    audio_run_in(be, now);
    if (audio_any_active(be, &out_active)) {
        if (out_active && !be->running) {
            /* A voice started during this tick, after the stream ended. */
            for (guint i = 0; i < be->voices_out->len; i++) {
                VoiceOut *v = g_ptr_array_index(be->voices_out, i);
                if (v->active) {
                    audio_stream_start(be, &v->as);
                    break;
                }
            }
        }
        timer_mod(be->timer, now + be->period_ns);
    }
}

/* --- voices -------------------------------------------------------------- */

VoiceOut *audio_open_out(AudioBackend *be, const char *name,
                         const AudioSettings *as, AudioPullFn *pull,
                         void *opaque)
{
    VoiceOut *v = g_new0(VoiceOut, 1);

    v->be = be;
    v->name = g_strdup(name);
    v->as = *as;
    audio_sanitize(&v->as);
    v->pull = pull;
    v->opaque = opaque;
    v->gain[0] = v->gain[1] = AUDIO_GAIN_UNITY;
    g_ptr_array_add(be->voices_out, v);
    return v;
}

void audio_close_out(VoiceOut *v)
{
    if (!v) {
        return;
    }
    audio_out_set_active(v, false);
    g_ptr_array_remove(v->be->voices_out, v);
    g_free(v->raw);
    g_free(v->conv);
    g_free(v->name);
    g_free(v);
}

void audio_out_set_format(VoiceOut *v, const AudioSettings *as)
{
    AudioSettings n = *as;

    audio_sanitize(&n);
    if (v->active) {
        audio_catch_up(v->be);
    }
    if (n.freq != v->as.freq) {
        v->frac = 0;
    }
    v->as = n;
}

void audio_out_set_active(VoiceOut *v, bool on)
{
    AudioBackend *be = v->be;

    bool out_active;

    if (v->active == on) {
        return;
    }
    audio_catch_up(be);
    v->active = on;
    if (on) {
        v->frac = 0;
        v->prev[0] = v->prev[1] = 0;
        if (!be->running) {
            audio_stream_start(be, &v->as);
        }
        audio_arm(be);
    } else if (be->running && !be->in_run) {
        audio_any_active(be, &out_active);
        if (!out_active) {
            audio_stream_stop(be);
        }
    }
}

bool audio_out_is_active(const VoiceOut *v)
{
    return v->active;
}

void audio_out_set_volume(VoiceOut *v, bool mute, uint32_t left,
                          uint32_t right)
{
    v->mute = mute;
    v->gain[0] = MIN(left, AUDIO_MAX_GAIN);
    v->gain[1] = MIN(right, AUDIO_MAX_GAIN);
}

VoiceIn *audio_open_in(AudioBackend *be, const char *name,
                       const AudioSettings *as, AudioPushFn *push,
                       void *opaque)
{
    VoiceIn *v = g_new0(VoiceIn, 1);

    v->be = be;
    v->name = g_strdup(name);
    v->as = *as;
    audio_sanitize(&v->as);
    v->push = push;
    v->opaque = opaque;
    g_ptr_array_add(be->voices_in, v);
    return v;
}

void audio_close_in(VoiceIn *v)
{
    if (!v) {
        return;
    }
    g_ptr_array_remove(v->be->voices_in, v);
    g_free(v->raw);
    g_free(v->name);
    g_free(v);
}

void audio_in_set_format(VoiceIn *v, const AudioSettings *as)
{
    AudioSettings n = *as;

    audio_sanitize(&n);
    if (n.freq != v->as.freq && v->active) {
        /* Restart the capture clock at the new rate. */
        v->epoch_ns = clock_get_ns(CLOCK_VIRTUAL);
        v->frames_done = 0;
    }
    v->as = n;
}

void audio_in_set_active(VoiceIn *v, bool on)
{
    if (v->active == on) {
        return;
    }
    v->active = on;
    if (on) {
        v->epoch_ns = clock_get_ns(CLOCK_VIRTUAL);
        v->frames_done = 0;
        audio_arm(v->be);
    }
}
