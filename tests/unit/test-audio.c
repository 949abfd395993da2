/*
 * Unit tests of the audio core (audio/audio.c) on the manual virtual
 * clock, with a capturing back end: format conversion, the stream's frame
 * count for a given virtual time, resampling between rates, gain, mixing
 * and clipping, underrun padding, and a voice that stops mid-chunk.
 */
#include "audio/audio_int.h"
#include "softmmu/timer.h"

#define NS NANOSECONDS_PER_SECOND

static GArray *captured;        /* int16_t */
static unsigned starts;

static bool cap_init(AudioBackend *be, Opts *o, Error **errp)
{
    return true;
}

static void cap_start(AudioBackend *be)
{
    starts++;
}

static void cap_write(AudioBackend *be, const int16_t *buf, size_t n)
{
    g_array_append_vals(captured, buf, n * be->channels);
}

static const AudioDriver cap_driver = {
    .name = "capture",
    .init = cap_init,
    .start = cap_start,
    .write = cap_write,
};

static int be_count;

static AudioBackend *new_backend(uint32_t fixed_rate, unsigned channels)
{
    char *id = g_strdup_printf("cap%d", be_count++);
    AudioBackend *be = audio_backend_new(id, &cap_driver);

    g_free(id);
    if (fixed_rate) {
        be->rate = fixed_rate;
        be->channels = channels;
        be->format_fixed = true;
    }
    audio_backend_register(be);
    g_array_set_size(captured, 0);
    starts = 0;
    return be;
}

/* A device: a ramp, limit frames then it stops (or underruns). */
typedef struct Src {
    VoiceOut *v;
    AudioSettings as;
    size_t limit;
    size_t given;
    bool stop_at_limit;
    int16_t value;          /* S16 mono constant, or a ramp when 0 */
} Src;

static size_t src_pull(void *opaque, void *buf, size_t frames)
{
    Src *s = opaque;
    size_t n = MIN(frames, s->limit - s->given);
    int16_t *b = buf;

    for (size_t i = 0; i < n; i++) {
        b[i] = s->value ? s->value : (int16_t)(s->given + i);
    }
    s->given += n;
    if (s->given == s->limit && s->stop_at_limit) {
        audio_out_set_active(s->v, false);
    }
    return n;
}

static void src_open(Src *s, AudioBackend *be, uint32_t rate)
{
    s->as = (AudioSettings){ rate, 1, AUDIO_FMT_S16 };
    s->v = audio_open_out(be, "src", &s->as, src_pull, s);
}

static void test_convert(void)
{
    AudioSettings u8 = { 8000, 1, AUDIO_FMT_U8 };
    AudioSettings s8st = { 8000, 2, AUDIO_FMT_S8 };
    AudioSettings u16 = { 8000, 1, AUDIO_FMT_U16 };
    uint8_t in8[] = { 0x00, 0x80, 0xff };
    int8_t ins8[] = { -128, 127 };
    uint8_t in16[] = { 0x00, 0x00, 0xff, 0xff };
    int32_t out[6];

    audio_convert_to_s32(&u8, in8, out, 3);
    g_assert_cmpint(out[0], ==, -32768);
    g_assert_cmpint(out[1], ==, -32768);    /* mono is duplicated */
    g_assert_cmpint(out[2], ==, 0);
    g_assert_cmpint(out[4], ==, 127 * 256);
    audio_convert_to_s32(&s8st, ins8, out, 1);
    g_assert_cmpint(out[0], ==, -32768);
    g_assert_cmpint(out[1], ==, 127 * 256);
    audio_convert_to_s32(&u16, in16, out, 2);
    g_assert_cmpint(out[0], ==, -32768);
    g_assert_cmpint(out[2], ==, 32767);
    g_assert_cmpuint(audio_frame_bytes(&s8st), ==, 2);
    g_assert_cmpuint(audio_gain_db(0), ==, AUDIO_GAIN_UNITY);
    g_assert_cmpuint(audio_gain_db(-6.0206), ==, AUDIO_GAIN_UNITY / 2);
}

/* The stream adopts the first voice's rate; N seconds are N * rate
 * frames, the ramp is continuous. */
static void test_exact_duration(void)
{
    AudioBackend *be = new_backend(0, 0);
    Src s = { .limit = SIZE_MAX };

    src_open(&s, be, 8000);
    audio_out_set_active(s.v, true);
    clock_virtual_advance(5 * NS);
    g_assert_cmpuint(be->rate, ==, 8000);
    g_assert_cmpuint(be->channels, ==, 1);
    g_assert_cmpuint(captured->len, ==, 40000);
    for (guint i = 0; i < captured->len; i++) {
        g_assert_cmpint(g_array_index(captured, int16_t, i), ==, (int16_t)i);
    }
    /* Deactivating between ticks plays up to that instant. */
    clock_virtual_advance(NS / 1000 * 3);
    audio_out_set_active(s.v, false);
    g_assert_cmpuint(captured->len, ==, 40024);
    clock_virtual_advance(NS);
    g_assert_cmpuint(captured->len, ==, 40024);
    audio_close_out(s.v);
}

/* A voice that stops after N frames leaves exactly N frames; an underrun
 * is padded with silence and counts as time. */
static void test_stop_and_underrun(void)
{
    AudioBackend *be = new_backend(0, 0);
    Src s = { .limit = 1234, .stop_at_limit = true };
    Src u = { .limit = 100, .value = 1000 };

    src_open(&s, be, 11025);
    audio_out_set_active(s.v, true);
    clock_virtual_advance(NS);
    g_assert_cmpuint(captured->len, ==, 1234);
    audio_close_out(s.v);

    g_array_set_size(captured, 0);
    src_open(&u, be, 11025);
    audio_out_set_active(u.v, true);
    clock_virtual_advance(NS / 10);
    g_assert_cmpuint(captured->len, ==, 1102);
    g_assert_cmpint(g_array_index(captured, int16_t, 99), ==, 1000);
    g_assert_cmpint(g_array_index(captured, int16_t, 100), ==, 0);
    g_assert_cmpint(g_array_index(captured, int16_t, 1101), ==, 0);
    audio_out_set_active(u.v, false);
    audio_close_out(u.v);
}

/* A fixed 44100 Hz stereo stream: an 11025 Hz voice is held four frames
 * per input frame, gain halves one side, two voices add and clip, mute
 * silences. */
static void test_resample_mix(void)
{
    AudioBackend *be = new_backend(44100, 2);
    Src a = { .limit = SIZE_MAX };
    Src b = { .limit = SIZE_MAX, .value = 30000 };

    src_open(&a, be, 11025);
    audio_out_set_volume(a.v, false, AUDIO_GAIN_UNITY / 2,
                         AUDIO_GAIN_UNITY);
    audio_out_set_active(a.v, true);
    clock_virtual_advance(NS / 10);
    g_assert_cmpuint(captured->len, ==, 2 * 4410);
    g_assert_cmpuint(a.given, ==, 1102);
    /* Output frame f holds input frame (f + 1) / 4 - 1: sample-and-hold
     * with the previous frame (silence at first) until the next one is
     * due. */
    for (guint f = 0; f < 4408; f++) {
        int16_t in = f < 3 ? 0 : (f + 1) / 4 - 1;
        g_assert_cmpint(g_array_index(captured, int16_t, 2 * f), ==,
                        in / 2);
        g_assert_cmpint(g_array_index(captured, int16_t, 2 * f + 1), ==,
                        in);
    }
    src_open(&b, be, 44100);
    audio_out_set_active(b.v, true);
    audio_out_set_volume(a.v, false, 40 * AUDIO_GAIN_UNITY,
                         AUDIO_GAIN_UNITY);
    g_array_set_size(captured, 0);
    clock_virtual_advance(NS / 100);
    g_assert_cmpuint(captured->len, ==, 2 * 441);
    /* Left: the ramp (> 1102) at 16x clipped with 30000 added. */
    g_assert_cmpint(g_array_index(captured, int16_t, 880), ==, 32767);
    audio_out_set_volume(a.v, true, 0, 0);
    g_array_set_size(captured, 0);
    clock_virtual_advance(NS / 100);
    g_assert_cmpint(g_array_index(captured, int16_t, 100), ==, 30000);
    audio_out_set_active(a.v, false);
    audio_out_set_active(b.v, false);
    audio_close_out(a.v);
    audio_close_out(b.v);
}

static void test_options(void)
{
    Error *err = NULL;

    g_assert_true(audio_add_audiodev("none,id=n1,out.frequency=22050,"
                                     "timer-period=5000", &err));
    g_assert_null(err);
    g_assert_nonnull(audio_find("n1"));
    g_assert_cmpuint(audio_find("n1")->rate, ==, 22050);
    g_assert_false(audio_add_audiodev("none,id=n1", &err));
    g_assert_nonnull(strstr(err->msg, "duplicate"));
    error_free(err);
    err = NULL;
    g_assert_false(audio_add_audiodev("none,id=n2,bogus=1", &err));
    error_free(err);
    err = NULL;
    g_assert_false(audio_add_audiodev("wav,id=n3,out.channels=3", &err));
    error_free(err);
    err = NULL;
    g_assert_false(audio_add_audiodev("none,id=n4,path=x", &err));
    error_free(err);
    err = NULL;
    g_assert_false(audio_add_audiodev("nosuch,id=n5", &err));
    error_free(err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    clock_virtual_set_manual();
    captured = g_array_new(false, false, sizeof(int16_t));
    g_test_add_func("/audio/convert", test_convert);
    g_test_add_func("/audio/exact-duration", test_exact_duration);
    g_test_add_func("/audio/stop-and-underrun", test_stop_and_underrun);
    g_test_add_func("/audio/resample-mix", test_resample_mix);
    g_test_add_func("/audio/options", test_options);
    return g_test_run();
}
