/*
 * The two hooks the core sources call into the rest of the emulator, for
 * unit tests that link the core alone (tests/unit/meson.build, unit_core):
 * the main loop's wake-up (nothing sleeps in a unit test) and the chardev
 * lookup behind PROP_CHARDEV properties (one chardev, "unit-chr0").
 */
#include "chardev/char.h"
#include "softmmu/main-loop.h"

void main_loop_wakeup(void)
{
}

struct Chardev {
    const char *id;
};

static Chardev unit_chardev = { "unit-chr0" };

Chardev *chardev_find(const char *id)
{
    return !strcmp(id, unit_chardev.id) ? &unit_chardev : NULL;
}

const char *chardev_id(const Chardev *chr)
{
    return chr->id;
}
