/*
 * The pc machine's default drive, as QEMU's: an empty CD-ROM drive at
 * ide1-cd0 (IDE index 2) unless -nodefaults or the user put a drive
 * there. SeaBIOS then tries it ("Booting from DVD/CD... Boot failed:
 * Could not read from CDROM (code 0003)") as it does on QEMU.
 * The drive options themselves are parsed by the block layer.
 */
#include "softmmu/drive.h"
#include "block/block.h"

void drive_add_defaults(bool nodefaults)
{
    Error *err = NULL;

    if (nodefaults || drive_get(IF_IDE, 1, 0)) {
        return;
    }
    if (!drive_add_legacy(MEDIA_CDROM, 2, "", &err)) {
        error_report_err(err);
        exit(1);
    }
}
