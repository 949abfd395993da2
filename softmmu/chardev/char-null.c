/*
 * The null back end: output vanishes, input never comes. "vc" (QEMU's
 * graphical text console) maps here until the UI has one.
 */
#include "char-internal.h"

static bool null_open(Chardev *chr, Opts *opts, Error **errp)
{
    chardev_set_filename(chr, "null");
    chr->be_open = true;
    return true;
}

static int null_write(Chardev *chr, const uint8_t *buf, int len)
{
    return len;             /* taken, and gone */
}

const ChardevDriver chardev_null_driver = {
    .name = "null",
    .size = sizeof(Chardev),
    .open = null_open,
    .write = null_write,
};
