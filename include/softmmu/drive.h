/*
 * The drives the pc machine has by default, on top of the block layer's
 * drive table (include/block/block.h, which also parses -drive, -hda..,
 * -cdrom). Start-up only, main thread.
 */
#ifndef SOFTMMU_DRIVE_H
#define SOFTMMU_DRIVE_H

#include "pcemu/common.h"

/* Adds QEMU's default empty CD-ROM drive (ide1-cd0, IDE index 2) unless
 * nodefaults or a drive already sits there. Call after the command line
 * is parsed, before drive_init_all(). A failure ends the process with
 * one error line and exit status 1. */
void drive_add_defaults(bool nodefaults);

#endif
