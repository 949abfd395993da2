/*
 * Save and restore in the middle of SB16 playback: a pc machine (qtest
 * accelerator, manual virtual clock) plays a ramp through DMA channel 1
 * in auto-init mode into a capturing audio back end; half-way the SB16's
 * and both i8237s' states are saved, the machine is reset (playback
 * stops), the states are loaded back, and playback must go on exactly
 * where it was: the captured samples are the buffer, in order, with no
 * gap or repeat. A stream whose block counter is past its block is
 * refused.
 */
#include "accel/accel.h"
#include "accel/qtest.h"
#include "audio/audio_int.h"
#include "hw/core/device.h"
#include "hw/i386/pc.h"
#include "hw/machine.h"
#include "softmmu/main-loop.h"
#include "softmmu/runstate.h"

#define NS      NANOSECONDS_PER_SECOND
#define BUF     0x10000
#define N       8000

static GArray *captured;

static bool cap_init(AudioBackend *be, Opts *o, Error **errp)
{
    return true;
}

static void cap_start(AudioBackend *be)
{
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

static Machine *m;

static void outb(uint16_t port, uint8_t v)
{
    address_space_st(&address_space_io, port, v, 1);
}

static void machine_up(void)
{
    const char *src = g_getenv("PCEMU_SOURCE_ROOT");
    char *fw = g_build_filename(src ? src : ".", "pc-bios", NULL);
    const char *fw_dirs[] = { fw, "/usr/share/seabios", "/usr/share/qemu",
                              NULL };
    MachineConfig cfg = {
        .ram_size = 16 * MiB,
        .smp_cpus = 1,
        .smp_max_cpus = 1,
        .firmware_dirs = fw_dirs,
    };
    Error *err = NULL;
    AudioBackend *be;

    main_loop_init();
    g_assert_true(qtest_accel_ops.init(NULL, &err));
    be = audio_backend_new("cap", &cap_driver);
    audio_backend_register(be);
    m = pc_machine_create(&cfg, &qtest_accel_ops, NULL, 0, &err);
    g_assert_nonnull(m);
    g_assert_nonnull(machine_create_device(m, "sb16", "audiodev=cap",
                                           &err));
    g_assert_true(qtest_accel_ops.start_vcpus(m, &err));
    machine_reset_devices(m);
    vm_start();
}

static void play_ramp(void)
{
    uint8_t buf[N];

    for (int i = 0; i < N; i++) {
        buf[i] = i * 5 + i / 256;
    }
    address_space_write(&address_space_memory, BUF, buf, N);
    outb(0x226, 1);
    outb(0x226, 0);
    for (int r = 0x30; r < 0x34; r++) {
        outb(0x224, r);
        outb(0x225, 0xf8);          /* 0 dB: samples pass unchanged */
    }
    outb(0xd4, 0x00);
    outb(0x0c, 0);
    outb(0x0b, 0x59);               /* channel 1, read, auto-init */
    outb(0x02, BUF & 0xff);
    outb(0x02, (BUF >> 8) & 0xff);
    outb(0x83, BUF >> 16);
    outb(0x03, (N - 1) & 0xff);
    outb(0x03, (N - 1) >> 8);
    outb(0x0a, 0x01);
    outb(0x22c, 0x41);
    outb(0x22c, 8000 >> 8);
    outb(0x22c, 8000 & 0xff);
    outb(0x22c, 0xc6);
    outb(0x22c, 0x00);
    outb(0x22c, (1500 - 1) & 0xff);
    outb(0x22c, (1500 - 1) >> 8);
}

static void check_ramp(size_t frames)
{
    g_assert_cmpuint(captured->len, ==, frames);
    for (size_t i = 0; i < frames; i++) {
        uint8_t b = (i % N) * 5 + (i % N) / 256;
        g_assert_cmpint(g_array_index(captured, int16_t, i), ==,
                        ((int)b - 128) * 256);
    }
}

static void save_all(GByteArray *out)
{
    for (Device *d = m->devices; d; d = d->next) {
        if (!strcmp(d->type->name, "sb16") ||
            !strcmp(d->type->name, "i8237")) {
            vmstate_save(d->type->vmsd, d, out);
        }
    }
}

static bool load_all(GByteArray *in, Error **errp)
{
    size_t pos = 0;

    for (Device *d = m->devices; d; d = d->next) {
        if (!strcmp(d->type->name, "sb16") ||
            !strcmp(d->type->name, "i8237")) {
            if (!vmstate_load(d->type->vmsd, d, in->data, in->len, &pos,
                              errp)) {
                return false;
            }
        }
    }
    return pos == in->len;
}

static void test_save_restore_mid_playback(void)
{
    GByteArray *saved = g_byte_array_new();
    Error *err = NULL;

    play_ramp();
    /* 0.7 s: in the middle of the DMA buffer and of an SB block. */
    clock_virtual_advance(NS * 7 / 10);
    check_ramp(5600);
    save_all(saved);

    machine_reset_devices(m);
    clock_virtual_advance(NS / 10);
    check_ramp(5600);               /* reset: nothing plays */

    g_assert_true(load_all(saved, &err));
    g_assert_null(err);
    clock_virtual_advance(NS * 8 / 10);
    check_ramp(5600 + 6400);        /* went on from the same sample */
    g_byte_array_free(saved, true);
}

/* The SB16's state with block_left > block_bytes is refused. */
static void test_load_rejects_bad_block(void)
{
    Device *sb = m->devices;
    GByteArray *buf = g_byte_array_new();
    Error *err = NULL;
    size_t pos = 0;
    const VMStateField *f;
    size_t off = 4;                 /* after the version */
    void *copy;

    while (sb && strcmp(sb->type->name, "sb16")) {
        sb = sb->next;
    }
    g_assert_nonnull(sb);
    vmstate_save(sb->type->vmsd, sb, buf);
    /* Find block_left's place in the stream: fields in table order. */
    for (f = sb->type->vmsd->fields; strcmp(f->name, "block_left"); f++) {
        unsigned w = f->type == VMS_BOOL || f->type == VMS_U8 ? 1 :
                     f->type == VMS_U16 ? 2 :
                     f->type == VMS_U32 || f->type == VMS_I32 ? 4 : 8;
        off += w * f->count;
    }
    buf->data[off] = 0xff;          /* big-endian: a huge count */
    copy = g_memdup2(sb, sb->type->state_size);
    g_assert_false(vmstate_load(sb->type->vmsd, copy, buf->data, buf->len,
                                &pos, &err));
    g_assert_nonnull(err);
    error_free(err);
    g_free(copy);
    g_byte_array_free(buf, true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    captured = g_array_new(false, false, sizeof(int16_t));
    machine_up();
    g_test_add_func("/sb16/vmstate/mid-playback",
                    test_save_restore_mid_playback);
    g_test_add_func("/sb16/vmstate/bad-block", test_load_rejects_bad_block);
    return g_test_run();
}
