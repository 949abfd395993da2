/*
 * The Intel 82C54 programmable interval timer at 40h-43h: device type
 * "isa-pit". Channel 0's OUT drives ISA IRQ 0, channel 1 is the (idle)
 * DRAM refresh timer, channel 2 feeds the speaker and is gated by bit 0
 * of port 61h (see hw/audio/pcspk.c).
 *
 * Time is CLOCK_VIRTUAL at PIT_FREQ Hz. All functions run under the BQL.
 */
#ifndef HW_TIMER_I8254_H
#define HW_TIMER_I8254_H

#include "hw/core/device.h"

#define PIT_FREQ 1193182    /* Hz: 14.31818 MHz / 12 */

/* The current level (0 or 1) of channel's OUT pin (channel 0-2). */
int pit_get_out(Device *pit, int channel);

/* Drives channel's GATE input (0 or 1). Channels 0 and 1 are tied high
 * on the PC; channel 2's gate is port 61h bit 0. */
void pit_set_gate(Device *pit, int channel, int level);

/* Appends each channel's mode, count and OUT level for "info pit". */
void pit_info(Device *pit, GString *out);

#endif
