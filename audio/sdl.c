/*
 * The sdl audio back end: the mixed stream plays through SDL2's audio
 * subsystem (SDL_Init(SDL_INIT_AUDIO) only; no window).
 *
 * The core writes frames on the main loop thread at the virtual clock's
 * pace; SDL's own thread pulls them from a ring buffer of a quarter
 * second. When the ring is empty SDL gets silence; when it is full (the
 * host device runs slower than the virtual clock) new frames are dropped.
 * Neither case changes what the guest sees.
 *
 * The stream takes the rate and channels of the first voice that plays
 * (or out.frequency/out.channels), and SDL converts to whatever the host
 * device wants: its resampler is better than the core's sample-and-hold,
 * which then only serves voices at other rates.
 */
#include "audio_int.h"
#include <SDL.h>

typedef struct SDLOut {
    SDL_AudioDeviceID dev;
    int16_t *ring;          /* frames * channels samples */
    size_t frames;          /* ring capacity in frames */
    size_t head, fill;      /* read position and frames held */
    unsigned channels;
} SDLOut;

static void sdl_callback(void *opaque, Uint8 *stream, int len)
{
    SDLOut *s = opaque;
    size_t want = (size_t)len / (2 * s->channels);
    int16_t *out = (int16_t *)stream;
    size_t n = MIN(want, s->fill);

    for (size_t i = 0; i < n; i++) {
        size_t pos = (s->head + i) % s->frames;
        memcpy(out + i * s->channels, s->ring + pos * s->channels,
               2 * s->channels);
    }
    s->head = (s->head + n) % s->frames;
    s->fill -= n;
    memset(out + n * s->channels, 0, (want - n) * 2 * s->channels);
}

static bool sdl_init(AudioBackend *be, Opts *o, Error **errp)
{
    if (SDL_InitSubSystem(SDL_INIT_AUDIO) != 0) {
        error_setg(errp, "SDL audio could not be initialised: %s "
                   "(try -audiodev wav or none)", SDL_GetError());
        return false;
    }
    be->drv_opaque = g_new0(SDLOut, 1);
    return true;
}

static void sdl_start(AudioBackend *be)
{
    SDLOut *s = be->drv_opaque;
    SDL_AudioSpec want = {
        .freq = be->rate,
        .format = AUDIO_S16SYS,
        .channels = be->channels,
        .samples = 1024,
        .callback = sdl_callback,
        .userdata = s,
    }, have;

    s->channels = be->channels;
    s->frames = be->rate / 4;
    s->ring = g_new0(int16_t, s->frames * s->channels);
    s->dev = SDL_OpenAudioDevice(NULL, 0, &want, &have, 0);
    if (!s->dev) {
        warn_report("audiodev %s: SDL could not open an audio device: %s; "
                    "audio is discarded", be->id, SDL_GetError());
        return;
    }
    SDL_PauseAudioDevice(s->dev, 0);
}

static void sdl_write(AudioBackend *be, const int16_t *buf, size_t n)
{
    SDLOut *s = be->drv_opaque;
    size_t room;

    if (!s->dev) {
        return;
    }
    SDL_LockAudioDevice(s->dev);
    room = s->frames - s->fill;
    n = MIN(n, room);
    for (size_t i = 0; i < n; i++) {
        size_t pos = (s->head + s->fill + i) % s->frames;
        memcpy(s->ring + pos * s->channels, buf + i * s->channels,
               2 * s->channels);
    }
    s->fill += n;
    SDL_UnlockAudioDevice(s->dev);
}

static void sdl_fini(AudioBackend *be)
{
    SDLOut *s = be->drv_opaque;

    if (s->dev) {
        SDL_CloseAudioDevice(s->dev);
    }
    SDL_QuitSubSystem(SDL_INIT_AUDIO);
    g_free(s->ring);
    g_free(s);
    be->drv_opaque = NULL;
}

const AudioDriver audio_sdl_driver = {
    .name = "sdl",
    .desc = "play through SDL2",
    .init = sdl_init,
    .start = sdl_start,
    .write = sdl_write,
    .fini = sdl_fini,
};
