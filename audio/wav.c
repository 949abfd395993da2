/*
 * The wav audio back end: the mixed stream as a RIFF/WAVE file of signed
 * 16-bit PCM (Microsoft "Multimedia Programming Interface and Data
 * Specifications 1.0", WAVE format, WAVE_FORMAT_PCM).
 *
 * The stream's rate and channel count are those of the first voice that
 * plays (or out.frequency/out.channels), so a device's samples reach the
 * file unchanged. The header's sizes are rewritten after every write and
 * at exit, so the file is a valid WAV even if the process is killed.
 * Past 4 GiB (the format's limit) further audio is dropped.
 */
#include "audio_int.h"

#define WAV_HEADER_SIZE     44
#define WAV_MAX_DATA        (0xffffffffu - WAV_HEADER_SIZE)

typedef struct WavOut {
    FILE *f;
    char *path;
    uint32_t data_bytes;
    bool full;
} WavOut;

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}

static void wav_write_header(AudioBackend *be)
{
    WavOut *w = be->drv_opaque;
    uint8_t h[WAV_HEADER_SIZE];
    unsigned block = 2 * be->channels;

    memcpy(h, "RIFF", 4);
    put_le32(h + 4, WAV_HEADER_SIZE - 8 + w->data_bytes);
    memcpy(h + 8, "WAVEfmt ", 8);
    put_le32(h + 16, 16);                   /* fmt chunk size */
    put_le16(h + 20, 1);                    /* WAVE_FORMAT_PCM */
    put_le16(h + 22, be->channels);
    put_le32(h + 24, be->rate);
    put_le32(h + 28, be->rate * block);     /* bytes per second */
    put_le16(h + 32, block);
    put_le16(h + 34, 16);                   /* bits per sample */
    memcpy(h + 36, "data", 4);
    put_le32(h + 40, w->data_bytes);

    if (fseek(w->f, 0, SEEK_SET) != 0 ||
        fwrite(h, 1, sizeof(h), w->f) != sizeof(h) ||
        fseek(w->f, 0, SEEK_END) != 0 || fflush(w->f) != 0) {
        warn_report("audiodev %s: cannot write %s: %s", be->id, w->path,
                    strerror(errno));
    }
}

static bool wav_init(AudioBackend *be, Opts *o, Error **errp)
{
    const char *path = opts_get(o, "path");
    WavOut *w = g_new0(WavOut, 1);

    w->path = g_strdup(path ? path : "pcemu.wav");
    w->f = fopen(w->path, "wb");
    if (!w->f) {
        error_setg(errp, "cannot create WAV file '%s': %s", w->path,
                   strerror(errno));
        g_free(w->path);
        g_free(w);
        return false;
    }
    be->drv_opaque = w;
    wav_write_header(be);
    return true;
}

static void wav_start(AudioBackend *be)
{
    wav_write_header(be);
}

static void wav_write(AudioBackend *be, const int16_t *buf, size_t n)
{
    WavOut *w = be->drv_opaque;
    size_t bytes = n * 2 * be->channels;
    uint8_t le[4096];
    size_t done = 0;

    if (w->full) {
        return;
    }
    if (bytes > WAV_MAX_DATA - w->data_bytes) {
        warn_report("audiodev %s: %s reached the WAV size limit; "
                    "further audio is dropped", be->id, w->path);
        w->full = true;
        return;
    }
    /* Samples in the file are little-endian whatever the host. */
    while (done < bytes) {
        size_t chunk = MIN(bytes - done, sizeof(le));
        for (size_t i = 0; i < chunk; i += 2) {
            put_le16(le + i, (uint16_t)buf[(done + i) / 2]);
        }
        if (fwrite(le, 1, chunk, w->f) != chunk) {
            warn_report("audiodev %s: cannot write %s: %s", be->id,
                        w->path, strerror(errno));
            w->full = true;
            return;
        }
        done += chunk;
    }
    w->data_bytes += bytes;
    wav_write_header(be);
}

static void wav_fini(AudioBackend *be)
{
    WavOut *w = be->drv_opaque;

    wav_write_header(be);
    fclose(w->f);
    g_free(w->path);
    g_free(w);
    be->drv_opaque = NULL;
}

static const char *const wav_keys[] = { "path", NULL };

const AudioDriver audio_wav_driver = {
    .name = "wav",
    .keys = wav_keys,
    .desc = "write a WAV file (path=FILE, default pcemu.wav)",
    .init = wav_init,
    .start = wav_start,
    .write = wav_write,
    .fini = wav_fini,
};
