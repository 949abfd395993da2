/*
 * What the PS/2 keyboard and mouse share inside hw/input/: the output
 * queue and the key tables. Not for other parts of pcemu.
 */
#ifndef HW_INPUT_PS2_INT_H
#define HW_INPUT_PS2_INT_H

#include "hw/input/ps2.h"

/* Common replies of both devices. */
#define PS2_REPLY_ACK       0xfa
#define PS2_REPLY_RESEND    0xfe
#define PS2_REPLY_ERROR     0xfc
#define PS2_REPLY_BAT_OK    0xaa

extern const VMStateDescription vmstate_ps2_queue;

void ps2_queue_clear(PS2Queue *q);
unsigned ps2_queue_free(const PS2Queue *q);
/* Appends a byte; false (and nothing queued) when the queue is full. */
bool ps2_queue_push(PS2Queue *q, uint8_t b);
/* Appends len bytes, all or none. */
bool ps2_queue_push_all(PS2Queue *q, const uint8_t *b, unsigned len);
/* The oldest byte, removed, or -1 when empty. */
int ps2_queue_pop(PS2Queue *q);
/* The byte pushed last; the queue must not be empty. */
uint8_t ps2_queue_last(const PS2Queue *q);

/* Set 2 code of a Linux key code (E0 keys as 0xE0xx), 0 if none. */
uint16_t ps2_keymap_set2(unsigned keycode);
/* Set 3 code of a Linux key code, 0 if none. */
uint8_t ps2_keymap_set3(unsigned keycode);

#endif
