/*
 * The PC/AT's ISA DMA: two Intel 8237A controllers (channels 0-3 byte
 * wide, 4-7 word wide; 4 is the cascade) and their page registers.
 *
 * An ISA device claims a channel with a transfer callback and asserts
 * DREQ when it wants data moved. While DREQ is held and the channel is
 * unmasked, the controller calls the callback with the transfer's
 * progress; the callback moves bytes with i8237_read_memory or
 * i8237_write_memory and returns the new progress. At the programmed
 * count the controller sets the channel's TC status bit and either
 * re-loads (auto-initialize) or masks the channel.
 *
 * Everything runs under the BQL. Channels are numbered 0-7 (the ISA
 * numbers) throughout; the machine's controller is found by channel.
 */
#ifndef HW_DMA_I8237_H
#define HW_DMA_I8237_H

#include "hw/core/device.h"

/*
 * Called while the channel may transfer and DREQ or a software request
 * (the guest's request register) is up; a device with nothing to move
 * right now returns pos.
 * pos: bytes of this transfer already done (0 after programming or an
 * auto-initialize); size: bytes of the whole transfer, (count + 1) units
 * of 1 or 2 bytes. Returns the new pos (pos..size); returning pos means
 * "nothing now" and ends this run.
 */
typedef int I8237TransferFn(void *opaque, int channel, int pos, int size);

/* The controller serving ISA channel 0-7 on m, or NULL if the board has
 * none (a user error for devices that need one). */
Device *i8237_find(Machine *m, int channel);

/* Claims a channel for a device; false and errp if it is taken or
 * absent. */
bool i8237_request_channel(Machine *m, int channel, I8237TransferFn *fn,
                           void *opaque, Error **errp);
void i8237_release_channel(Machine *m, int channel);

/* DREQ from the device. Holding it runs the transfer at once (the
 * callback may be called before this returns), and again whenever the
 * guest unmasks the channel. */
void i8237_hold_dreq(Machine *m, int channel);
void i8237_release_dreq(Machine *m, int channel);

/*
 * Copies between guest memory and buf for bytes [pos, pos + len) of the
 * channel's current transfer, following its address register (increment
 * or decrement; the address wraps inside its 64 KiB, or 128 KiB for word
 * channels, as the page register does not count). len is clipped to the
 * programmed size; returns the bytes copied. Unassigned memory reads as
 * all-ones; a verify transfer writes nothing.
 */
int i8237_read_memory(Machine *m, int channel, void *buf, int pos, int len);
int i8237_write_memory(Machine *m, int channel, const void *buf, int pos,
                       int len);

#endif
