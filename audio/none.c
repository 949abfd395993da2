/*
 * The none audio back end: the stream runs on the virtual clock as with
 * any other back end (devices see the same pace and interrupts) and the
 * mixed frames are discarded. Capture gets silence.
 */
#include "audio_int.h"

static bool none_init(AudioBackend *be, Opts *o, Error **errp)
{
    return true;
}

static void none_start(AudioBackend *be)
{
}

static void none_write(AudioBackend *be, const int16_t *buf, size_t n)
{
}

const AudioDriver audio_none_driver = {
    .name = "none",
    .desc = "discard audio, keep the pace",
    .init = none_init,
    .start = none_start,
    .write = none_write,
};
