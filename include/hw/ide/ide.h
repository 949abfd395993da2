/*
 * IDE as the rest of pcemu sees it: the PIIX3 IDE function ("piix3-ide",
 * 00:01.1 on the pc board) and the kinds of device on its channels.
 * Which images sit where comes from softmmu/drive.c (-drive, -hda,
 * -cdrom): the function takes drive_get(IF_IDE, bus, unit) at realize.
 */
#ifndef HW_IDE_IDE_H
#define HW_IDE_IDE_H

#include "pcemu/common.h"

typedef struct BlockBackend BlockBackend;

#define TYPE_PIIX3_IDE "piix3-ide"

#define IDE_NR_CHANNELS 2
#define IDE_NR_UNITS    2       /* master, slave */

typedef enum IDEDriveKind {
    IDE_NONE = 0,
    IDE_HD,                     /* ATA hard disk */
    IDE_CD,                     /* ATAPI CD-ROM, maybe without a disc */
} IDEDriveKind;

#endif
