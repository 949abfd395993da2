/*
 * Inside audio/: the back-end driver interface and the back end's state.
 * Devices use include/audio/audio.h only.
 */
#ifndef AUDIO_AUDIO_INT_H
#define AUDIO_AUDIO_INT_H

#include "audio/audio.h"
#include "pcemu/opts.h"
#include "softmmu/timer.h"

typedef struct AudioDriver {
    const char *name;
    const char *desc;
    const char *const *keys;    /* the driver's own option keys */
    /* Reads the driver's own options (path=) from o and opens what it
     * needs; a user error sets errp. Sets be->drv_opaque. */
    bool (*init)(AudioBackend *be, Opts *o, Error **errp);
    /* The stream's format is fixed from here on (be->rate, be->channels,
     * signed 16-bit). Called before the first write. */
    void (*start)(AudioBackend *be);
    /* n frames of interleaved S16 at be->rate/be->channels. */
    void (*write)(AudioBackend *be, const int16_t *buf, size_t n);
    /* The stream stopped (no active voice). Optional. */
    void (*stop)(AudioBackend *be);
    /* Process exit: flush and close. Optional. */
    void (*fini)(AudioBackend *be);
    /* A driver with a fixed stream format sets this; otherwise the
     * stream takes the rate and channels of the first voice that plays. */
    bool fixed_format;
} AudioDriver;

struct AudioBackend {
    char *id;
    const AudioDriver *drv;
    void *drv_opaque;

    /* Stream format; frozen once `started` (the first write). */
    uint32_t rate;
    unsigned channels;
    bool format_fixed;      /* out.frequency given, or the driver's own */
    bool started;

    /* Stream clock: frames due = (now - epoch) * rate / 1e9. */
    bool running;
    bool in_run;            /* inside audio_run_out (device callbacks) */
    int64_t epoch_ns;
    uint64_t frames_done;
    int64_t period_ns;
    Timer *timer;

    GPtrArray *voices_out;
    GPtrArray *voices_in;

    int32_t *mix;           /* n * 2 samples */
    int16_t *out;
    size_t buf_frames;

    AudioBackend *next;
};

extern const AudioDriver audio_wav_driver;
extern const AudioDriver audio_none_driver;
#ifdef CONFIG_SDL
extern const AudioDriver audio_sdl_driver;
#endif

/* audio.c, for audio-opts.c */
AudioBackend *audio_backend_new(const char *id, const AudioDriver *drv);
void audio_backend_free(AudioBackend *be);
void audio_backend_register(AudioBackend *be);

#endif
