/*
 * Audio: the layer between sound devices and audio back ends.
 *
 * A back end is one -audiodev (sdl, wav, none). A device opens voices on
 * it: an output voice has a rate, a channel count and a sample format, and
 * the audio core pulls the device's samples through a callback at the
 * voice's rate on the virtual clock; an input voice is pushed captured
 * samples the same way. The core converts formats, resamples each voice
 * to the back end's stream, applies the voice's volume, mixes, clips to
 * signed 16 bits and hands the result to the back end.
 *
 * Timing: while at least one voice is active, a timer on CLOCK_VIRTUAL
 * (every timer-period, 10 ms by default) produces exactly
 * floor(elapsed_ns * rate / 1e9) frames since the stream started, so the
 * amount of sound depends only on virtual time, never on host speed.
 * When the last voice stops, the stream stops; the next activation starts
 * it anew. See docs/audio.md.
 *
 * Locking: every function here runs under the BQL (device callbacks, the
 * audio timer). Callbacks run on the main loop thread.
 */
#ifndef AUDIO_AUDIO_H
#define AUDIO_AUDIO_H

#include "pcemu/common.h"

typedef enum AudioFormat {
    AUDIO_FMT_U8,
    AUDIO_FMT_S8,
    AUDIO_FMT_U16,      /* little-endian */
    AUDIO_FMT_S16,      /* little-endian */
} AudioFormat;

typedef struct AudioSettings {
    uint32_t freq;      /* frames per second; clamped to 1000..192000 */
    unsigned channels;  /* 1 or 2 (interleaved L, R) */
    AudioFormat fmt;
} AudioSettings;

typedef struct AudioBackend AudioBackend;
typedef struct VoiceOut VoiceOut;
typedef struct VoiceIn VoiceIn;

/* 0 dB as a voice gain (Q16). */
#define AUDIO_GAIN_UNITY 65536u

/*
 * Output: fill buf with up to frames frames in the voice's current format
 * and return how many were written. Returning fewer while the voice stays
 * active is an underrun: the core pads with silence (deterministically,
 * the padding counts as played time). The callback may change the voice's
 * format or deactivate it (the end of a single-cycle transfer); frames
 * after a deactivation are not played.
 */
typedef size_t AudioPullFn(void *opaque, void *buf, size_t frames);
/* Input: frames captured frames in the voice's format are in buf. */
typedef void AudioPushFn(void *opaque, const void *buf, size_t frames);

/* The back end with that -audiodev id, or NULL. */
AudioBackend *audio_find(const char *id);

/* Opens an inactive voice. name is for messages. Never fails. */
VoiceOut *audio_open_out(AudioBackend *be, const char *name,
                         const AudioSettings *as, AudioPullFn *pull,
                         void *opaque);
void audio_close_out(VoiceOut *v);
/* May be called at any time, also from the pull callback. */
void audio_out_set_format(VoiceOut *v, const AudioSettings *as);
void audio_out_set_active(VoiceOut *v, bool on);
bool audio_out_is_active(const VoiceOut *v);
/* Gains are Q16 (AUDIO_GAIN_UNITY = 0 dB, at most 16x). */
void audio_out_set_volume(VoiceOut *v, bool mute, uint32_t left,
                          uint32_t right);

/* Capture from the back end's source (silence for every back end now). */
VoiceIn *audio_open_in(AudioBackend *be, const char *name,
                       const AudioSettings *as, AudioPushFn *push,
                       void *opaque);
void audio_close_in(VoiceIn *v);
void audio_in_set_format(VoiceIn *v, const AudioSettings *as);
void audio_in_set_active(VoiceIn *v, bool on);

/* Bytes per frame of a format and channel count. */
unsigned audio_frame_bytes(const AudioSettings *as);
/* A gain in Q16 from decibels (0 dB is exactly AUDIO_GAIN_UNITY). */
uint32_t audio_gain_db(double db);

/* Command line: parses one -audiodev string and creates the back end
 * (opens the WAV file, initialises SDL). A user error sets errp. */
bool audio_add_audiodev(const char *optstr, Error **errp);
/* The -audiodev option: "help", or a back end; exits 1 on a user
 * error (one line). */
void audio_parse_option(const char *arg);
/* -audiodev help text. */
void audio_print_help(void);
/* Stops every back end (final WAV header); registered with atexit. */
void audio_cleanup_all(void);

/* Conversion, for tests and back ends: n frames of fmt/channels to
 * signed 32-bit samples in the 16-bit range, two per frame (mono is
 * duplicated). */
void audio_convert_to_s32(const AudioSettings *as, const void *in,
                          int32_t *out, size_t n);

#endif
