/*
 * The IBM PS/2 keyboard (101/102 keys plus the Windows and multimedia
 * keys), as seen from its controller: device type "ps2-kbd".
 * Source: IBM Personal System/2 Hardware Interface Technical Reference,
 * "Keyboards (101- and 102-Key)": commands from the system, commands to
 * the system, scan code sets 1-3; Microsoft "Keyboard Scan Code
 * Specification" rev. 1.3a for the extra keys and the Print Screen and
 * Pause sequences.
 *
 * Emulated: every command of the reference (LEDs, echo, scan code set
 * get/set, identify AB 83, typematic rate, enable, default-disable,
 * set-default, the set 3 key type commands, resend, reset with its BAT
 * completion code); scan code sets 1, 2 and 3 (set 1 is set 2 put
 * through the 8042 translation, which is what a set 1 keyboard sends);
 * the 16-byte buffer with the overrun code; Print Screen and Pause with
 * their Shift/Ctrl/Alt variants.
 *
 * Typematic repeat is the host's job (see include/hw/input/ps2.h); the
 * rate is stored only. Key types in set 3 are global, not per key: the
 * per-key commands FBh-FDh are acknowledged and their key lists
 * ignored (UNIMPL). At power-on in set 3 only Shift, Ctrl and Alt send
 * break codes (a simplification of the reference's default types;
 * drivers that use set 3 program the types with F8h or FAh anyway).
 *
 * Not emulated: the "fake shift" codes (E0 12 / E0 59) a real keyboard
 * wraps around the navigation keys when Num Lock or Shift is on (guests
 * ignore them), BAT on power-up (nothing is queued until the guest
 * resets the keyboard), transmission timing.
 */
#include "hw/input/ps2.h"
#include "hw/input/ps2-int.h"
#include <linux/input-event-codes.h>

/* Commands from the system */
#define KBD_CMD_SET_LEDS        0xed
#define KBD_CMD_ECHO            0xee
#define KBD_CMD_SCANCODE        0xf0
#define KBD_CMD_GET_ID          0xf2
#define KBD_CMD_TYPEMATIC       0xf3
#define KBD_CMD_ENABLE          0xf4
#define KBD_CMD_DEFAULT_DISABLE 0xf5
#define KBD_CMD_SET_DEFAULT     0xf6
#define KBD_CMD_ALL_TYPEMATIC   0xf7    /* set 3 key types, all keys */
#define KBD_CMD_ALL_MAKE_BREAK  0xf8
#define KBD_CMD_ALL_MAKE        0xf9
#define KBD_CMD_ALL_TMB         0xfa    /* typematic/make/break */
#define KBD_CMD_KEY_TYPEMATIC   0xfb    /* set 3 key types, listed keys */
#define KBD_CMD_KEY_MAKE_BREAK  0xfc
#define KBD_CMD_KEY_MAKE        0xfd
#define KBD_CMD_RESEND          0xfe
#define KBD_CMD_RESET           0xff

/* Commands to the system */
#define KBD_REPLY_ECHO          0xee
#define KBD_ID_1                0xab    /* keyboard ID, first byte */
#define KBD_ID_2                0x83
#define KBD_OVERRUN_SET1        0xff
#define KBD_OVERRUN             0x00    /* sets 2 and 3 */

/* Scan code prefixes */
#define KBD_PREFIX_E0           0xe0
#define KBD_PREFIX_E1           0xe1
#define KBD_PREFIX_BREAK        0xf0

#define KBD_TYPEMATIC_DEFAULT   0x2b    /* 10.9 characters/s, 500 ms */
#define KBD_SET3_DEFAULT        0       /* power-on key types */

/* modifiers: the keys that change what Print Screen and Pause send */
#define KBD_MOD_LSHIFT  0x01
#define KBD_MOD_RSHIFT  0x02
#define KBD_MOD_LCTRL   0x04
#define KBD_MOD_RCTRL   0x08
#define KBD_MOD_LALT    0x10
#define KBD_MOD_RALT    0x20
#define KBD_MOD_SHIFT   (KBD_MOD_LSHIFT | KBD_MOD_RSHIFT)
#define KBD_MOD_CTRL    (KBD_MOD_LCTRL | KBD_MOD_RCTRL)
#define KBD_MOD_ALT     (KBD_MOD_LALT | KBD_MOD_RALT)

/* The longest sequence: Pause, 8 bytes. */
#define KBD_SEQ_MAX     8

static PS2KbdState *ps2_kbd_from(Device *dev)
{
    assert(dev->type == &ps2_kbd_type);
    return container_of(dev, PS2KbdState, dev);
}

/* Tells the controller there are bytes to clock in. */
static void ps2_kbd_notify(PS2KbdState *s)
{
    if (s->queue.count) {
        irq_raise(s->ready);
    }
}

static void ps2_kbd_reply(PS2KbdState *s, uint8_t b)
{
    if (!ps2_queue_push(&s->queue, b)) {
        guest_error("ps2-kbd: response 0x%02x dropped, output queue full",
                    b);
    }
}

/* Typematic rate and the set 3 key types back to their defaults. */
static void ps2_kbd_set_defaults(PS2KbdState *s)
{
    s->typematic = KBD_TYPEMATIC_DEFAULT;
    s->set3_mode = KBD_SET3_DEFAULT;
}

static void ps2_kbd_reset(Device *dev)
{
    PS2KbdState *s = ps2_kbd_from(dev);

    ps2_queue_clear(&s->queue);
    s->cmd = 0;
    s->last_sent = 0;
    s->scancode_set = 2;
    s->leds = 0;
    s->scan_enabled = true;
    s->overrun = false;
    s->modifiers = 0;
    ps2_kbd_set_defaults(s);
}

/* The parameter byte of a command that takes one. */
static void ps2_kbd_param(PS2KbdState *s, uint8_t val)
{
    switch (s->cmd) {
    case KBD_CMD_SET_LEDS:
        s->leds = val & (PS2_KBD_LED_SCROLL | PS2_KBD_LED_NUM |
                         PS2_KBD_LED_CAPS);
        ps2_kbd_reply(s, PS2_REPLY_ACK);
        s->cmd = 0;
        break;
    case KBD_CMD_SCANCODE:
        s->cmd = 0;
        if (val > 3) {
            ps2_kbd_reply(s, PS2_REPLY_RESEND);
            break;
        }
        ps2_kbd_reply(s, PS2_REPLY_ACK);
        if (val == 0) {
            ps2_kbd_reply(s, s->scancode_set);
        } else {
            s->scancode_set = val;
        }
        break;
    case KBD_CMD_TYPEMATIC:
        s->typematic = val;
        ps2_kbd_reply(s, PS2_REPLY_ACK);
        s->cmd = 0;
        break;
    case KBD_CMD_KEY_TYPEMATIC:
    case KBD_CMD_KEY_MAKE_BREAK:
    case KBD_CMD_KEY_MAKE:
        /* A list of set 3 codes, ended by the next command. */
        unimp_log("ps2-kbd: per-key type 0x%02x for key 0x%02x ignored",
                  s->cmd, val);
        ps2_kbd_reply(s, PS2_REPLY_ACK);
        break;
    default:
        assert(!"ps2-kbd: bad pending command");
    }
}

void ps2_kbd_write(Device *dev, uint8_t val)
{
    PS2KbdState *s = ps2_kbd_from(dev);

    /*
     * A parameter never has bit 7 set (LED bits, set number, typematic
     * byte), so such a byte is a new command that cancels the pending
     * one. Key lists (FBh-FDh) hold set 3 codes up to 8Dh and end at the
     * next command (EDh and up).
     */
    if (s->cmd) {
        bool list = s->cmd >= KBD_CMD_KEY_TYPEMATIC;
        if (list ? val < KBD_CMD_SET_LEDS : !(val & 0x80)) {
            ps2_kbd_param(s, val);
            ps2_kbd_notify(s);
            return;
        }
        s->cmd = 0;
    }

    switch (val) {
    case KBD_CMD_SET_LEDS:
    case KBD_CMD_SCANCODE:
    case KBD_CMD_TYPEMATIC:
    case KBD_CMD_KEY_TYPEMATIC:
    case KBD_CMD_KEY_MAKE_BREAK:
    case KBD_CMD_KEY_MAKE:
        ps2_kbd_reply(s, PS2_REPLY_ACK);
        s->cmd = val;
        break;
    case KBD_CMD_ECHO:
        ps2_kbd_reply(s, KBD_REPLY_ECHO);
        break;
    case KBD_CMD_GET_ID:
        ps2_kbd_reply(s, PS2_REPLY_ACK);
        ps2_kbd_reply(s, KBD_ID_1);
        ps2_kbd_reply(s, KBD_ID_2);
        break;
    case KBD_CMD_ENABLE:
        ps2_queue_clear(&s->queue);
        s->overrun = false;
        s->scan_enabled = true;
        ps2_kbd_reply(s, PS2_REPLY_ACK);
        break;
    case KBD_CMD_DEFAULT_DISABLE:
    case KBD_CMD_SET_DEFAULT:
        ps2_queue_clear(&s->queue);
        s->overrun = false;
        ps2_kbd_set_defaults(s);
        s->scan_enabled = val == KBD_CMD_SET_DEFAULT;
        ps2_kbd_reply(s, PS2_REPLY_ACK);
        break;
    case KBD_CMD_ALL_TYPEMATIC:
    case KBD_CMD_ALL_MAKE_BREAK:
    case KBD_CMD_ALL_MAKE:
    case KBD_CMD_ALL_TMB:
        s->set3_mode = val;
        ps2_kbd_reply(s, PS2_REPLY_ACK);
        break;
    case KBD_CMD_RESEND:
        ps2_kbd_reply(s, s->last_sent);
        break;
    case KBD_CMD_RESET: {
        uint8_t mods = s->modifiers;    /* keys still held by the host */

        ps2_kbd_reset(&s->dev);
        s->modifiers = mods;
        ps2_kbd_reply(s, PS2_REPLY_ACK);
        ps2_kbd_reply(s, PS2_REPLY_BAT_OK);
        break;
    }
    default:
        /* The reference: an invalid command is answered with Resend. */
        guest_error("ps2-kbd: unknown command 0x%02x", val);
        ps2_kbd_reply(s, PS2_REPLY_RESEND);
        break;
    }
    ps2_kbd_notify(s);
}

int ps2_kbd_read(Device *dev)
{
    PS2KbdState *s = ps2_kbd_from(dev);
    int b = ps2_queue_pop(&s->queue);

    if (b >= 0) {
        s->last_sent = b;
    }
    return b;
}

static void ps2_kbd_track_modifiers(PS2KbdState *s, unsigned keycode,
                                    bool down)
{
    uint8_t bit;

    switch (keycode) {
    case KEY_LEFTSHIFT: bit = KBD_MOD_LSHIFT; break;
    case KEY_RIGHTSHIFT: bit = KBD_MOD_RSHIFT; break;
    case KEY_LEFTCTRL: bit = KBD_MOD_LCTRL; break;
    case KEY_RIGHTCTRL: bit = KBD_MOD_RCTRL; break;
    case KEY_LEFTALT: bit = KBD_MOD_LALT; break;
    case KEY_RIGHTALT: bit = KBD_MOD_RALT; break;
    default: return;
    }
    if (down) {
        s->modifiers |= bit;
    } else {
        s->modifiers &= ~bit;
    }
}

static unsigned seq_put(uint8_t *seq, unsigned n, const uint8_t *bytes,
                        unsigned len)
{
    memcpy(seq + n, bytes, len);
    return n + len;
}

/*
 * The set 2 bytes of a key event into seq; 0 when the event sends
 * nothing (the break of a make-only key), -1 when the key has no code.
 */
static int ps2_kbd_set2_seq(PS2KbdState *s, unsigned keycode, bool down,
                            uint8_t *seq)
{
    static const uint8_t pause[] = { 0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14,
                                     0xf0, 0x77 };
    static const uint8_t ctrl_break[] = { 0xe0, 0x7e, 0xe0, 0xf0, 0x7e };
    static const uint8_t prtsc_make[] = { 0xe0, 0x12, 0xe0, 0x7c };
    static const uint8_t prtsc_break[] = { 0xe0, 0xf0, 0x7c, 0xe0, 0xf0,
                                           0x12 };
    uint16_t code = ps2_keymap_set2(keycode);
    int n = 0;

    switch (keycode) {
    case KEY_PAUSE:
        /* Make only: the whole press-and-release in one go. With Ctrl
         * held the key is Break. */
        if (!down) {
            return 0;
        }
        if (s->modifiers & KBD_MOD_CTRL) {
            return seq_put(seq, 0, ctrl_break, sizeof(ctrl_break));
        }
        return seq_put(seq, 0, pause, sizeof(pause));
    case KEY_SYSRQ:
        /* Alt+Print Screen is SysRq (84h); with Shift or Ctrl the key
         * sends E0 7C alone; on its own it comes with a fake Shift. */
        if (s->modifiers & KBD_MOD_ALT) {
            if (!down) {
                seq[n++] = KBD_PREFIX_BREAK;
            }
            seq[n++] = 0x84;
            return n;
        }
        if (s->modifiers & (KBD_MOD_SHIFT | KBD_MOD_CTRL)) {
            break;
        }
        return down ? seq_put(seq, 0, prtsc_make, sizeof(prtsc_make))
                    : seq_put(seq, 0, prtsc_break, sizeof(prtsc_break));
    case KEY_HANGEUL:
    case KEY_HANJA:
        /* Make only, no break code at all. */
        if (!down) {
            return 0;
        }
        seq[0] = code;
        return 1;
    }
    if (!code) {
        return -1;
    }
    if (code & 0xff00) {
        seq[n++] = KBD_PREFIX_E0;
    }
    if (!down) {
        seq[n++] = KBD_PREFIX_BREAK;
    }
    seq[n++] = code & 0xff;
    return n;
}

/* Whether a key sends a break code in set 3 with the current types. */
static bool ps2_kbd_set3_breaks(PS2KbdState *s, unsigned keycode)
{
    switch (s->set3_mode) {
    case KBD_CMD_ALL_MAKE_BREAK:
    case KBD_CMD_ALL_TMB:
        return true;
    case KBD_CMD_ALL_TYPEMATIC:
    case KBD_CMD_ALL_MAKE:
        return false;
    default:
        switch (keycode) {
        case KEY_LEFTSHIFT: case KEY_RIGHTSHIFT:
        case KEY_LEFTCTRL: case KEY_RIGHTCTRL:
        case KEY_LEFTALT: case KEY_RIGHTALT:
            return true;
        default:
            return false;
        }
    }
}

static int ps2_kbd_set3_seq(PS2KbdState *s, unsigned keycode, bool down,
                            uint8_t *seq)
{
    uint8_t code = ps2_keymap_set3(keycode);

    if (!code) {
        return -1;
    }
    if (down) {
        seq[0] = code;
        return 1;
    }
    if (!ps2_kbd_set3_breaks(s, keycode)) {
        return 0;
    }
    seq[0] = KBD_PREFIX_BREAK;
    seq[1] = code;
    return 2;
}

/* Set 2 bytes to set 1 in place, as the 8042 translates them. */
static unsigned ps2_kbd_to_set1(uint8_t *seq, unsigned n)
{
    unsigned out = 0;
    bool brk = false;

    for (unsigned i = 0; i < n; i++) {
        if (seq[i] == KBD_PREFIX_BREAK) {
            brk = true;
            continue;
        }
        seq[out++] = ps2_set2_to_set1(seq[i]) | (brk ? 0x80 : 0);
        brk = false;
    }
    return out;
}

/*
 * A key's bytes go in whole or not at all. The reference keeps the last
 * place of the 16-byte buffer for the overrun code: when a key does not
 * fit, it is lost and the overrun code is queued once.
 */
static void ps2_kbd_queue_key(PS2KbdState *s, const uint8_t *seq,
                              unsigned n)
{
    if (s->queue.count + n <= PS2_DATA_LIMIT - 1) {
        ps2_queue_push_all(&s->queue, seq, n);
        s->overrun = false;
    } else if (!s->overrun) {
        ps2_queue_push(&s->queue, s->scancode_set == 1 ? KBD_OVERRUN_SET1
                                                       : KBD_OVERRUN);
        s->overrun = true;
    }
}

void ps2_keyboard_put_keycode(Device *dev, unsigned keycode, bool down)
{
    PS2KbdState *s = ps2_kbd_from(dev);
    uint8_t seq[KBD_SEQ_MAX];
    int n;

    ps2_kbd_track_modifiers(s, keycode, down);
    if (!s->scan_enabled) {
        return;
    }
    if (s->scancode_set == 3) {
        n = ps2_kbd_set3_seq(s, keycode, down, seq);
    } else {
        n = ps2_kbd_set2_seq(s, keycode, down, seq);
        if (n > 0 && s->scancode_set == 1) {
            n = ps2_kbd_to_set1(seq, n);
        }
    }
    if (n < 0) {
        unimp_log("ps2-kbd: key %u has no scan code in set %u", keycode,
                  s->scancode_set);
        return;
    }
    if (n > 0) {
        ps2_kbd_queue_key(s, seq, n);
        ps2_kbd_notify(s);
    }
}

uint8_t ps2_keyboard_leds(Device *dev)
{
    return ps2_kbd_from(dev)->leds;
}

void ps2_kbd_init(PS2KbdState *s, IrqLine ready)
{
    s->dev.type = &ps2_kbd_type;
    s->ready = ready;
}

void ps2_kbd_connect(Device *dev, IrqLine ready)
{
    ps2_kbd_from(dev)->ready = ready;
}

static bool ps2_kbd_post_load(void *opaque, int version, Error **errp)
{
    PS2KbdState *s = opaque;

    if (s->scancode_set < 1 || s->scancode_set > 3) {
        error_setg(errp, "scan code set %u out of range", s->scancode_set);
        return false;
    }
    switch (s->cmd) {
    case 0:
    case KBD_CMD_SET_LEDS:
    case KBD_CMD_SCANCODE:
    case KBD_CMD_TYPEMATIC:
    case KBD_CMD_KEY_TYPEMATIC:
    case KBD_CMD_KEY_MAKE_BREAK:
    case KBD_CMD_KEY_MAKE:
        break;
    default:
        error_setg(errp, "pending command 0x%02x invalid", s->cmd);
        return false;
    }
    if (s->set3_mode != KBD_SET3_DEFAULT &&
        (s->set3_mode < KBD_CMD_ALL_TYPEMATIC ||
         s->set3_mode > KBD_CMD_ALL_TMB)) {
        error_setg(errp, "set 3 key type 0x%02x invalid", s->set3_mode);
        return false;
    }
    s->leds &= PS2_KBD_LED_SCROLL | PS2_KBD_LED_NUM | PS2_KBD_LED_CAPS;
    return true;
}

static const VMStateField ps2_kbd_fields[] = {
    VMSTATE_STRUCT(queue, PS2KbdState, vmstate_ps2_queue, PS2Queue),
    VMSTATE_U8(cmd, PS2KbdState),
    VMSTATE_U8(last_sent, PS2KbdState),
    VMSTATE_U8(scancode_set, PS2KbdState),
    VMSTATE_U8(leds, PS2KbdState),
    VMSTATE_U8(typematic, PS2KbdState),
    VMSTATE_BOOL(scan_enabled, PS2KbdState),
    VMSTATE_BOOL(overrun, PS2KbdState),
    VMSTATE_U8(set3_mode, PS2KbdState),
    VMSTATE_U8(modifiers, PS2KbdState),
    VMSTATE_END
};

const VMStateDescription vmstate_ps2_kbd = {
    .name = "ps2-kbd",
    .version = 1,
    .min_version = 1,
    .fields = ps2_kbd_fields,
    .post_load = ps2_kbd_post_load,
};

const DeviceType ps2_kbd_type = {
    .name = "ps2-kbd",
    .desc = "PS/2 keyboard (part of the i8042)",
    .bus = BUS_SYSTEM,
    .state_size = sizeof(PS2KbdState),
    .user_creatable = false,
    .reset = ps2_kbd_reset,
    .vmsd = &vmstate_ps2_kbd,
};
