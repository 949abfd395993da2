/*
 * -audiodev DRIVER,id=ID[,...]: QEMU's syntax for audio back ends.
 *
 *   id=ID                 the name devices give as audiodev=ID (required)
 *   path=FILE             wav: the output file (default pcemu.wav)
 *   timer-period=US       the stream's tick in microseconds (default
 *                         10000; 1000..1000000)
 *   out.frequency=HZ      the output stream's rate (default: the first
 *                         voice's rate)
 *   out.channels=1|2      the output stream's channel count
 *   out.format=s16        the only stream format
 *   in.frequency, in.channels, in.format   accepted for QEMU scripts;
 *                         capture gets silence at the device's own rate
 */
#include "audio_int.h"

static const AudioDriver *const audio_drivers[] = {
#ifdef CONFIG_SDL
    &audio_sdl_driver,
#endif
    &audio_wav_driver,
    &audio_none_driver,
    NULL
};

void audio_print_help(void)
{
    printf("Available audio drivers:\n");
    for (unsigned i = 0; audio_drivers[i]; i++) {
        printf("%-6s %s\n", audio_drivers[i]->name, audio_drivers[i]->desc);
    }
}

static bool audio_parse_stream(AudioBackend *be, Opts *o, Error **errp)
{
    Error *err = NULL;
    uint64_t v;
    const char *fmt;

    if (opts_has(o, "out.frequency")) {
        v = opts_get_number(o, "out.frequency", 44100, &err);
        if (err || v < 1000 || v > 192000) {
            error_free(err);
            error_setg(errp, "out.frequency must be 1000..192000 Hz");
            return false;
        }
        be->rate = v;
        be->format_fixed = true;
    }
    if (opts_has(o, "out.channels")) {
        v = opts_get_number(o, "out.channels", 2, &err);
        if (err || (v != 1 && v != 2)) {
            error_free(err);
            error_setg(errp, "out.channels must be 1 or 2");
            return false;
        }
        be->channels = v;
        be->format_fixed = true;
    }
    for (unsigned i = 0; i < 2; i++) {
        const char *key = i ? "in.format" : "out.format";
        fmt = opts_get(o, key);
        if (fmt && strcmp(fmt, "s16")) {
            error_setg(errp, "%s=%s: only s16 is supported", key, fmt);
            return false;
        }
    }
    if (opts_has(o, "in.frequency")) {
        v = opts_get_number(o, "in.frequency", 44100, &err);
        if (err || v < 1000 || v > 192000) {
            error_free(err);
            error_setg(errp, "in.frequency must be 1000..192000 Hz");
            return false;
        }
    }
    if (opts_has(o, "in.channels")) {
        v = opts_get_number(o, "in.channels", 2, &err);
        if (err || (v != 1 && v != 2)) {
            error_free(err);
            error_setg(errp, "in.channels must be 1 or 2");
            return false;
        }
    }
    if (opts_has(o, "timer-period")) {
        v = opts_get_number(o, "timer-period", 10000, &err);
        if (err || v < 1000 || v > 1000000) {
            error_free(err);
            error_setg(errp, "timer-period must be 1000..1000000 "
                       "microseconds");
            return false;
        }
        be->period_ns = v * 1000;
    }
    return true;
}

bool audio_add_audiodev(const char *optstr, Error **errp)
{
    Opts *o = opts_parse(optstr, "driver", errp);
    const AudioDriver *drv = NULL;
    const char *name, *id;
    AudioBackend *be;

    if (!o) {
        return false;
    }
    name = opts_get(o, "driver");
    id = opts_get(o, "id");
    for (unsigned i = 0; name && audio_drivers[i]; i++) {
        if (!strcmp(audio_drivers[i]->name, name)) {
            drv = audio_drivers[i];
        }
    }
    if (!drv) {
        error_setg(errp, "unknown audio driver '%s' (-audiodev help lists "
                   "them)", name ? name : "");
        goto fail;
    }
    if (!id || !*id) {
        error_setg(errp, "an audiodev needs id=NAME");
        goto fail;
    }
    if (audio_find(id)) {
        error_setg(errp, "duplicate audiodev id '%s'", id);
        goto fail;
    }
    be = audio_backend_new(id, drv);
    if (drv->fixed_format) {
        be->format_fixed = true;
    }
    /* Every key is checked before the driver opens anything (a file). */
    for (unsigned i = 0; drv->keys && drv->keys[i]; i++) {
        opts_get(o, drv->keys[i]);
    }
    if (!audio_parse_stream(be, o, errp) || !opts_check_unused(o, errp) ||
        !drv->init(be, o, errp)) {
        audio_backend_free(be);
        goto fail;
    }
    audio_backend_register(be);
    opts_free(o);
    return true;

fail:
    opts_free(o);
    return false;
}

/* The -audiodev option (softmmu/vl.c): help, or a back end now; a user
 * error ends the process with one line and status 1. */
void audio_parse_option(const char *arg)
{
    Error *err = NULL;

    if (!strcmp(arg, "help")) {
        audio_print_help();
        exit(0);
    }
    if (!audio_add_audiodev(arg, &err)) {
        error_prepend(&err, "-audiodev %s: ", arg);
        error_report_err(err);
        exit(1);
    }
}
