/*
 * The PS/2 keyboard and the PS/2 mouse, as devices behind a keyboard
 * controller (hw/input/i8042.c embeds one of each): device types
 * "ps2-kbd" and "ps2-mouse". Each talks to its controller one byte at a
 * time, as over the real clock/data pair: the controller writes command
 * bytes with ps2_kbd_write()/ps2_mouse_write() and takes the device's
 * output bytes with ps2_kbd_read()/ps2_mouse_read() when its output
 * buffer is free; the device raises its "ready" line when it has queued
 * a byte the controller has not asked for yet.
 *
 * The host side (SDL window, QMP send-key, input-send-event) feeds them
 * with ps2_keyboard_put_keycode() and ps2_mouse_event().
 *
 * Keys are Linux input event codes (KEY_A = 30, <linux/input-event-codes.h>),
 * the numbering evdev, SDL's and QEMU's keymap tables all translate to;
 * ps2_keycode_from_qcode() maps QEMU's QKeyCode names ("a", "ret",
 * "ctrl", "delete", "f1", "esc") onto them for QMP send-key.
 *
 * Typematic repeat is the host UI's job: the host keeps sending "down"
 * events while a key is held (SDL and QMP both do), and the keyboard
 * turns each into a make code. The typematic rate/delay a guest programs
 * (command F3h) is stored and reported only.
 *
 * Every function here runs under the BQL, on the main loop thread or a
 * vCPU thread that holds it.
 */
#ifndef HW_INPUT_PS2_H
#define HW_INPUT_PS2_H

#include "hw/core/device.h"
#include "hw/irq.h"

/*
 * A device's output queue. A real keyboard buffers 16 bytes of scan
 * codes; command responses (ACK, ID, status) must never be lost behind
 * them, so the queue is larger than what scan codes and mouse packets may
 * fill (PS2_DATA_LIMIT) and responses use the headroom.
 */
#define PS2_QUEUE_CAP   32
#define PS2_DATA_LIMIT  16

typedef struct PS2Queue {
    uint8_t data[PS2_QUEUE_CAP];
    uint8_t rptr;               /* index of the oldest byte */
    uint8_t count;              /* bytes queued */
} PS2Queue;

/* Keyboard LEDs (command EDh's parameter). */
#define PS2_KBD_LED_SCROLL  0x01
#define PS2_KBD_LED_NUM     0x02
#define PS2_KBD_LED_CAPS    0x04

typedef struct PS2KbdState {
    Device dev;

    /* --- guest-visible state --- */
    PS2Queue queue;
    uint8_t cmd;            /* command waiting for its parameter, or 0 */
    uint8_t last_sent;      /* the last byte transmitted, for Resend */
    uint8_t scancode_set;   /* 1, 2 or 3 */
    uint8_t leds;           /* PS2_KBD_LED_* */
    uint8_t typematic;      /* F3h's parameter: delay and rate */
    bool scan_enabled;      /* F4h/F5h */
    bool overrun;           /* an overrun code ends the queue */
    uint8_t set3_mode;      /* the key types F7h-FAh chose (set 3) */
    uint8_t modifiers;      /* Shift/Ctrl/Alt held (PrtSc, Pause codes) */

    /* --- wiring --- */
    IrqLine ready;          /* 1 when bytes wait for the controller */
} PS2KbdState;

/* Mouse buttons in ps2_mouse_event()'s mask. */
#define PS2_MOUSE_BUTTON_LEFT   0x01
#define PS2_MOUSE_BUTTON_RIGHT  0x02
#define PS2_MOUSE_BUTTON_MIDDLE 0x04
#define PS2_MOUSE_BUTTON_SIDE   0x08    /* 4th button (Explorer only) */
#define PS2_MOUSE_BUTTON_EXTRA  0x10    /* 5th button (Explorer only) */

typedef struct PS2MouseState {
    Device dev;

    /* --- guest-visible state --- */
    PS2Queue queue;
    uint8_t cmd;            /* command waiting for its parameter, or 0 */
    uint8_t last_sent;      /* the last byte transmitted, for Resend */
    uint8_t status;         /* mode, enable, scaling: as E9h reports */
    uint8_t resolution;     /* 0-3: 1, 2, 4, 8 counts/mm */
    uint8_t sample_rate;    /* reports/s */
    uint8_t id;             /* 0 standard, 3 IntelliMouse, 4 Explorer */
    uint8_t rate_hist[3];   /* the last three sample rates, oldest first */
    bool wrap;              /* wrap (echo) mode */
    int32_t dx, dy, dz;     /* movement not reported yet (PS/2 sense:
                             * y and z grow upwards / away) */
    uint8_t buttons;        /* PS2_MOUSE_BUTTON_* held now */
    uint8_t sent_buttons;   /* ... as the last packet reported them */
    bool overflow_x, overflow_y;    /* movement was lost */

    /* --- wiring --- */
    IrqLine ready;          /* 1 when bytes wait for the controller */
} PS2MouseState;

extern const DeviceType ps2_kbd_type;
extern const DeviceType ps2_mouse_type;
extern const VMStateDescription vmstate_ps2_kbd;
extern const VMStateDescription vmstate_ps2_mouse;

/*
 * Controller side. A controller that embeds the state struct calls
 * ps2_*_init() once (it sets the type so the Device functions below
 * accept it); one made by device_new() needs only ps2_*_connect().
 */
void ps2_kbd_init(PS2KbdState *s, IrqLine ready);
void ps2_mouse_init(PS2MouseState *s, IrqLine ready);
void ps2_kbd_connect(Device *kbd, IrqLine ready);
void ps2_mouse_connect(Device *mouse, IrqLine ready);

/* A byte from the controller: a command or a command's parameter. The
 * responses are queued (and "ready" raised) before this returns. */
void ps2_kbd_write(Device *kbd, uint8_t val);
void ps2_mouse_write(Device *mouse, uint8_t val);
/* Takes the next byte the device transmits (0-255), or -1 when it has
 * none. Never raises "ready" (the caller is asking already). */
int ps2_kbd_read(Device *kbd);
int ps2_mouse_read(Device *mouse);

/*
 * Host side.
 *
 * A key went down or up. keycode is a Linux KEY_* code; keys with no
 * PS/2 scan code are ignored (logged as unimplemented). Nothing is sent
 * while the guest has disabled scanning. When the 16-byte buffer is full
 * the key is dropped and an overrun code (00h; FFh in set 1) is queued.
 */
void ps2_keyboard_put_keycode(Device *kbd, unsigned keycode, bool down);
/* The LEDs the guest lit last (PS2_KBD_LED_*), for the UI to mirror. */
uint8_t ps2_keyboard_leds(Device *kbd);

/*
 * Relative motion and the buttons held now. dx grows to the right and dy
 * downwards (screen coordinates, as SDL reports them); dz is the wheel,
 * positive towards the user ("scroll down"). Movement accumulates until
 * the guest enables reporting in stream mode (or polls in remote mode)
 * and is sent in packets of at most -256..255 counts per axis; the rest
 * follows in the next packets as the controller drains the queue.
 */
void ps2_mouse_event(Device *mouse, int dx, int dy, int dz,
                     unsigned buttons);

/* Key names: QEMU's QKeyCode name to a Linux KEY_* code, -1 if unknown. */
int ps2_keycode_from_qcode(const char *qcode);

/*
 * The 8042's scan code translation (set 2 to set 1) for one byte, without
 * the break prefix handling: the controller and a keyboard in set 1 both
 * use it. F0h (break prefix) must be handled by the caller: it is not
 * passed on, and the next translated byte gets bit 7 set.
 */
uint8_t ps2_set2_to_set1(uint8_t code);

#endif
