/*
 * The IDE channel's state description (ide_channel_vmstate): a channel
 * saved in the middle of a PIO transfer loads into a fresh one that goes
 * on with the same data and interrupt level; inconsistent transfer state
 * (a window outside the buffer, an unknown transfer kind, a transfer
 * outside the disk) is refused by the post-load check.
 */
#include "hw/ide/internal.h"
#include "block/block.h"

#include <fcntl.h>
#include <unistd.h>

static int irq_level[2];
static char *img_path;
static BlockBackend *blk;

static void irq_handler(void *opaque, int n, int level)
{
    irq_level[n] = level;
}

static void channel_new(IDEChannel *ch, int n)
{
    Error *err = NULL;

    memset(ch, 0, sizeof(*ch));
    ide_channel_init(ch, 0, irq_line(irq_handler, NULL, n));
    g_assert_true(ide_drive_attach(&ch->drive[0], IDE_HD, blk, &err));
    ide_channel_reset(ch);
}

static void identify(IDEChannel *ch, unsigned words_to_read, uint16_t *out)
{
    ide_cmd_write(ch, ATA_REG_DEVICE, 0, 1);
    ide_cmd_write(ch, ATA_REG_COMMAND, ATA_CMD_IDENTIFY, 1);
    for (unsigned i = 0; i < words_to_read; i++) {
        out[i] = ide_cmd_read(ch, ATA_REG_DATA, 2);
    }
}

static bool save_load(IDEChannel *a, IDEChannel *b, Error **errp)
{
    GByteArray *buf = g_byte_array_new();
    size_t pos = 0;
    bool ok;

    vmstate_save(&ide_channel_vmstate, a, buf);
    ok = vmstate_load(&ide_channel_vmstate, b, buf->data, buf->len, &pos,
                      errp) && ide_channel_post_load(b, errp);
    g_byte_array_free(buf, true);
    return ok;
}

static void test_roundtrip(void)
{
    static IDEChannel a, b;
    uint16_t wa[256], wb[256];
    Error *err = NULL;

    channel_new(&a, 0);
    channel_new(&b, 1);
    identify(&a, 100, wa);
    g_assert_cmpint(irq_level[0], ==, 1);
    g_assert_cmpint(irq_level[1], ==, 0);
    g_assert_true(save_load(&a, &b, &err));
    g_assert_null(err);
    g_assert_cmpint(irq_level[1], ==, 1);       /* the level went out */
    g_assert_cmphex(ide_ctl_read(&b), ==, ide_ctl_read(&a));
    memcpy(wb, wa, sizeof(wa));
    for (unsigned i = 100; i < 256; i++) {
        wa[i] = ide_cmd_read(&a, ATA_REG_DATA, 2);
        wb[i] = ide_cmd_read(&b, ATA_REG_DATA, 2);
    }
    g_assert_cmpmem(wa, sizeof(wa), wb, sizeof(wb));
    g_assert_cmphex(wb[60], ==, 64);            /* 32 KiB image */
    g_assert_cmphex(ide_ctl_read(&b) & ATA_STAT_DRQ, ==, 0);
    /* Reading status acknowledges on the loaded channel too. */
    ide_cmd_read(&b, ATA_REG_STATUS, 1);
    g_assert_cmpint(irq_level[1], ==, 0);
}

static void test_reject(void)
{
    static IDEChannel a, b;
    uint16_t w[8];
    Error *err = NULL;

    channel_new(&a, 0);
    channel_new(&b, 1);
    identify(&a, 8, w);
    a.drive[0].data_end = sizeof(a.drive[0].io_buffer) + 1;
    g_assert_false(save_load(&a, &b, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;

    channel_new(&a, 0);
    a.drive[0].end_transfer = IDE_END_MAX;
    g_assert_false(save_load(&a, &b, &err));
    error_free(err);
    err = NULL;

    channel_new(&a, 0);
    a.drive[0].lba = 60;
    a.drive[0].nsector_left = 10;               /* past sector 63 */
    g_assert_false(save_load(&a, &b, &err));
    error_free(err);
}

int main(int argc, char **argv)
{
    Error *err = NULL;
    int fd, ret;

    g_test_init(&argc, &argv, NULL);
    img_path = g_strdup_printf("%s/pcemu-test-ide-%d.img", g_get_tmp_dir(),
                               (int)getpid());
    fd = open(img_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 32 * 1024), ==, 0);
    close(fd);
    blk = blk_new_open(img_path, "raw", BLK_O_RDWR | BLK_O_NO_LOCK, &err);
    g_assert_nonnull(blk);

    g_test_add_func("/ide/vmstate/roundtrip", test_roundtrip);
    g_test_add_func("/ide/vmstate/reject", test_reject);
    ret = g_test_run();
    unlink(img_path);
    return ret;
}
