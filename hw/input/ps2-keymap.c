/*
 * Key tables of the PS/2 keyboard: Linux key code to scan code sets 2
 * and 3, QEMU's QKeyCode names to Linux key codes, and the 8042's set 2
 * to set 1 translation.
 *
 * Sources: IBM Personal System/2 Hardware Interface Technical Reference,
 * "Keyboards (101- and 102-Key)": scan code tables for sets 1, 2, 3;
 * Microsoft "Keyboard Scan Code Specification" rev. 1.3a (2000), which
 * adds the Windows, application, power and multimedia keys (set 2 and
 * set 1 only) and F13-F24; Linux's <linux/input-event-codes.h> for the
 * key numbering.
 *
 * Set 1 is never tabled: the 8042 translation below turns any set 2
 * sequence into the set 1 one (that is how the 8042 makes set 1 out of a
 * set 2 keyboard, and a keyboard in set 1 produces the same bytes).
 */
#include "hw/input/ps2.h"
#include "hw/input/ps2-int.h"
#include <linux/input-event-codes.h>

/* Set 2 codes: the low byte, with 0xE000 for the E0-prefixed keys. */
#define E0(c)   (0xe000 | (c))

typedef struct PS2KeyCodes {
    uint16_t set2;      /* 0: no set 2 code (special keys aside) */
    uint8_t set3;       /* 0: no set 3 code */
} PS2KeyCodes;

/*
 * Indexed by Linux key code. Pause, Print Screen (KEY_SYSRQ) and the two
 * Korean keys send sequences that do not fit a table; ps2-kbd.c builds
 * them, but they are listed so that lookups find a set 3 code.
 */
static const PS2KeyCodes ps2_keys[KEY_MEDIA + 1] = {
    [KEY_ESC]           = { 0x76, 0x08 },
    [KEY_1]             = { 0x16, 0x16 },
    [KEY_2]             = { 0x1e, 0x1e },
    [KEY_3]             = { 0x26, 0x26 },
    [KEY_4]             = { 0x25, 0x25 },
    [KEY_5]             = { 0x2e, 0x2e },
    [KEY_6]             = { 0x36, 0x36 },
    [KEY_7]             = { 0x3d, 0x3d },
    [KEY_8]             = { 0x3e, 0x3e },
    [KEY_9]             = { 0x46, 0x46 },
    [KEY_0]             = { 0x45, 0x45 },
    [KEY_MINUS]         = { 0x4e, 0x4e },
    [KEY_EQUAL]         = { 0x55, 0x55 },
    [KEY_BACKSPACE]     = { 0x66, 0x66 },
    [KEY_TAB]           = { 0x0d, 0x0d },
    [KEY_Q]             = { 0x15, 0x15 },
    [KEY_W]             = { 0x1d, 0x1d },
    [KEY_E]             = { 0x24, 0x24 },
    [KEY_R]             = { 0x2d, 0x2d },
    [KEY_T]             = { 0x2c, 0x2c },
    [KEY_Y]             = { 0x35, 0x35 },
    [KEY_U]             = { 0x3c, 0x3c },
    [KEY_I]             = { 0x43, 0x43 },
    [KEY_O]             = { 0x44, 0x44 },
    [KEY_P]             = { 0x4d, 0x4d },
    [KEY_LEFTBRACE]     = { 0x54, 0x54 },
    [KEY_RIGHTBRACE]    = { 0x5b, 0x5b },
    [KEY_ENTER]         = { 0x5a, 0x5a },
    [KEY_LEFTCTRL]      = { 0x14, 0x11 },
    [KEY_A]             = { 0x1c, 0x1c },
    [KEY_S]             = { 0x1b, 0x1b },
    [KEY_D]             = { 0x23, 0x23 },
    [KEY_F]             = { 0x2b, 0x2b },
    [KEY_G]             = { 0x34, 0x34 },
    [KEY_H]             = { 0x33, 0x33 },
    [KEY_J]             = { 0x3b, 0x3b },
    [KEY_K]             = { 0x42, 0x42 },
    [KEY_L]             = { 0x4b, 0x4b },
    [KEY_SEMICOLON]     = { 0x4c, 0x4c },
    [KEY_APOSTROPHE]    = { 0x52, 0x52 },
    [KEY_GRAVE]         = { 0x0e, 0x0e },
    [KEY_LEFTSHIFT]     = { 0x12, 0x12 },
    [KEY_BACKSLASH]     = { 0x5d, 0x5c },
    [KEY_Z]             = { 0x1a, 0x1a },
    [KEY_X]             = { 0x22, 0x22 },
    [KEY_C]             = { 0x21, 0x21 },
    [KEY_V]             = { 0x2a, 0x2a },
    [KEY_B]             = { 0x32, 0x32 },
    [KEY_N]             = { 0x31, 0x31 },
    [KEY_M]             = { 0x3a, 0x3a },
    [KEY_COMMA]         = { 0x41, 0x41 },
    [KEY_DOT]           = { 0x49, 0x49 },
    [KEY_SLASH]         = { 0x4a, 0x4a },
    [KEY_RIGHTSHIFT]    = { 0x59, 0x59 },
    [KEY_KPASTERISK]    = { 0x7c, 0x7e },
    [KEY_LEFTALT]       = { 0x11, 0x19 },
    [KEY_SPACE]         = { 0x29, 0x29 },
    [KEY_CAPSLOCK]      = { 0x58, 0x14 },
    [KEY_F1]            = { 0x05, 0x07 },
    [KEY_F2]            = { 0x06, 0x0f },
    [KEY_F3]            = { 0x04, 0x17 },
    [KEY_F4]            = { 0x0c, 0x1f },
    [KEY_F5]            = { 0x03, 0x27 },
    [KEY_F6]            = { 0x0b, 0x2f },
    [KEY_F7]            = { 0x83, 0x37 },
    [KEY_F8]            = { 0x0a, 0x3f },
    [KEY_F9]            = { 0x01, 0x47 },
    [KEY_F10]           = { 0x09, 0x4f },
    [KEY_NUMLOCK]       = { 0x77, 0x76 },
    [KEY_SCROLLLOCK]    = { 0x7e, 0x5f },
    [KEY_KP7]           = { 0x6c, 0x6c },
    [KEY_KP8]           = { 0x75, 0x75 },
    [KEY_KP9]           = { 0x7d, 0x7d },
    [KEY_KPMINUS]       = { 0x7b, 0x84 },
    [KEY_KP4]           = { 0x6b, 0x6b },
    [KEY_KP5]           = { 0x73, 0x73 },
    [KEY_KP6]           = { 0x74, 0x74 },
    [KEY_KPPLUS]        = { 0x79, 0x7c },
    [KEY_KP1]           = { 0x69, 0x69 },
    [KEY_KP2]           = { 0x72, 0x72 },
    [KEY_KP3]           = { 0x7a, 0x7a },
    [KEY_KP0]           = { 0x70, 0x70 },
    [KEY_KPDOT]         = { 0x71, 0x71 },
    [KEY_102ND]         = { 0x61, 0x13 },
    [KEY_F11]           = { 0x78, 0x56 },
    [KEY_F12]           = { 0x07, 0x5e },
    [KEY_RO]            = { 0x51, 0 },
    [KEY_KATAKANA]      = { 0x63, 0 },
    [KEY_HIRAGANA]      = { 0x62, 0 },
    [KEY_HENKAN]        = { 0x64, 0x86 },
    [KEY_KATAKANAHIRAGANA] = { 0x13, 0x87 },
    [KEY_MUHENKAN]      = { 0x67, 0x85 },
    [KEY_KPENTER]       = { E0(0x5a), 0x79 },
    [KEY_RIGHTCTRL]     = { E0(0x14), 0x58 },
    [KEY_KPSLASH]       = { E0(0x4a), 0x77 },
    [KEY_SYSRQ]         = { E0(0x7c), 0x57 },   /* Print Screen */
    [KEY_RIGHTALT]      = { E0(0x11), 0x39 },
    [KEY_HOME]          = { E0(0x6c), 0x6e },
    [KEY_UP]            = { E0(0x75), 0x63 },
    [KEY_PAGEUP]        = { E0(0x7d), 0x6f },
    [KEY_LEFT]          = { E0(0x6b), 0x61 },
    [KEY_RIGHT]         = { E0(0x74), 0x6a },
    [KEY_END]           = { E0(0x69), 0x65 },
    [KEY_DOWN]          = { E0(0x72), 0x60 },
    [KEY_PAGEDOWN]      = { E0(0x7a), 0x6d },
    [KEY_INSERT]        = { E0(0x70), 0x67 },
    [KEY_DELETE]        = { E0(0x71), 0x64 },
    [KEY_MUTE]          = { E0(0x23), 0 },
    [KEY_VOLUMEDOWN]    = { E0(0x21), 0 },
    [KEY_VOLUMEUP]      = { E0(0x32), 0 },
    [KEY_POWER]         = { E0(0x37), 0 },
    [KEY_KPEQUAL]       = { 0x0f, 0 },
    [KEY_PAUSE]         = { 0xe1, 0x62 },       /* E1 14 77 E1 F0 14 F0 77 */
    [KEY_KPCOMMA]       = { 0x6d, 0 },
    [KEY_HANGEUL]       = { 0xf2, 0 },          /* make only */
    [KEY_HANJA]         = { 0xf1, 0 },          /* make only */
    [KEY_YEN]           = { 0x6a, 0 },
    [KEY_LEFTMETA]      = { E0(0x1f), 0x8b },
    [KEY_RIGHTMETA]     = { E0(0x27), 0x8c },
    [KEY_COMPOSE]       = { E0(0x2f), 0x8d },   /* the Application key */
    [KEY_STOP]          = { E0(0x28), 0 },
    [KEY_CALC]          = { E0(0x2b), 0 },
    [KEY_SLEEP]         = { E0(0x3f), 0 },
    [KEY_WAKEUP]        = { E0(0x5e), 0 },
    [KEY_MAIL]          = { E0(0x48), 0 },
    [KEY_BOOKMARKS]     = { E0(0x18), 0 },
    [KEY_COMPUTER]      = { E0(0x40), 0 },
    [KEY_BACK]          = { E0(0x38), 0 },
    [KEY_FORWARD]       = { E0(0x30), 0 },
    [KEY_NEXTSONG]      = { E0(0x4d), 0 },
    [KEY_PLAYPAUSE]     = { E0(0x34), 0 },
    [KEY_PREVIOUSSONG]  = { E0(0x15), 0 },
    [KEY_STOPCD]        = { E0(0x3b), 0 },
    [KEY_HOMEPAGE]      = { E0(0x3a), 0 },
    [KEY_REFRESH]       = { E0(0x20), 0 },
    [KEY_F13]           = { 0x08, 0 },
    [KEY_F14]           = { 0x10, 0 },
    [KEY_F15]           = { 0x18, 0 },
    [KEY_F16]           = { 0x20, 0 },
    [KEY_F17]           = { 0x28, 0 },
    [KEY_F18]           = { 0x30, 0 },
    [KEY_F19]           = { 0x38, 0 },
    [KEY_F20]           = { 0x40, 0 },
    [KEY_F21]           = { 0x48, 0 },
    [KEY_F22]           = { 0x50, 0 },
    [KEY_F23]           = { 0x57, 0 },
    [KEY_F24]           = { 0x5f, 0 },
    [KEY_MEDIA]         = { E0(0x50), 0 },
};

uint16_t ps2_keymap_set2(unsigned keycode)
{
    return keycode < ARRAY_SIZE(ps2_keys) ? ps2_keys[keycode].set2 : 0;
}

uint8_t ps2_keymap_set3(unsigned keycode)
{
    return keycode < ARRAY_SIZE(ps2_keys) ? ps2_keys[keycode].set3 : 0;
}

/*
 * QEMU's QKeyCode names (qapi/ui.json), as QMP send-key and the HMP
 * sendkey command spell them. "menu" and "compose" are both the PC's
 * Application key; "print" and "sysrq" both the Print Screen/SysRq key
 * (with Alt held it sends the SysRq code, so "alt-sysrq-h" works).
 * Names with no PS/2 key ("again", "props", "undo", "front", "copy",
 * "open", "paste", "find", "cut", "help", "lf") map to their Linux codes
 * and are then ignored by the keyboard.
 */
static const struct {
    const char *name;
    uint16_t keycode;
} ps2_qcodes[] = {
    { "shift", KEY_LEFTSHIFT },     { "shift_r", KEY_RIGHTSHIFT },
    { "alt", KEY_LEFTALT },         { "alt_r", KEY_RIGHTALT },
    { "ctrl", KEY_LEFTCTRL },       { "ctrl_r", KEY_RIGHTCTRL },
    { "menu", KEY_COMPOSE },        { "esc", KEY_ESC },
    { "1", KEY_1 }, { "2", KEY_2 }, { "3", KEY_3 }, { "4", KEY_4 },
    { "5", KEY_5 }, { "6", KEY_6 }, { "7", KEY_7 }, { "8", KEY_8 },
    { "9", KEY_9 }, { "0", KEY_0 },
    { "minus", KEY_MINUS },         { "equal", KEY_EQUAL },
    { "backspace", KEY_BACKSPACE }, { "tab", KEY_TAB },
    { "q", KEY_Q }, { "w", KEY_W }, { "e", KEY_E }, { "r", KEY_R },
    { "t", KEY_T }, { "y", KEY_Y }, { "u", KEY_U }, { "i", KEY_I },
    { "o", KEY_O }, { "p", KEY_P },
    { "bracket_left", KEY_LEFTBRACE }, { "bracket_right", KEY_RIGHTBRACE },
    { "ret", KEY_ENTER },
    { "a", KEY_A }, { "s", KEY_S }, { "d", KEY_D }, { "f", KEY_F },
    { "g", KEY_G }, { "h", KEY_H }, { "j", KEY_J }, { "k", KEY_K },
    { "l", KEY_L },
    { "semicolon", KEY_SEMICOLON }, { "apostrophe", KEY_APOSTROPHE },
    { "grave_accent", KEY_GRAVE },  { "backslash", KEY_BACKSLASH },
    { "z", KEY_Z }, { "x", KEY_X }, { "c", KEY_C }, { "v", KEY_V },
    { "b", KEY_B }, { "n", KEY_N }, { "m", KEY_M },
    { "comma", KEY_COMMA },         { "dot", KEY_DOT },
    { "slash", KEY_SLASH },         { "asterisk", KEY_KPASTERISK },
    { "spc", KEY_SPACE },           { "caps_lock", KEY_CAPSLOCK },
    { "f1", KEY_F1 }, { "f2", KEY_F2 }, { "f3", KEY_F3 }, { "f4", KEY_F4 },
    { "f5", KEY_F5 }, { "f6", KEY_F6 }, { "f7", KEY_F7 }, { "f8", KEY_F8 },
    { "f9", KEY_F9 }, { "f10", KEY_F10 },
    { "num_lock", KEY_NUMLOCK },    { "scroll_lock", KEY_SCROLLLOCK },
    { "kp_divide", KEY_KPSLASH },   { "kp_multiply", KEY_KPASTERISK },
    { "kp_subtract", KEY_KPMINUS }, { "kp_add", KEY_KPPLUS },
    { "kp_enter", KEY_KPENTER },    { "kp_decimal", KEY_KPDOT },
    { "sysrq", KEY_SYSRQ },
    { "kp_0", KEY_KP0 }, { "kp_1", KEY_KP1 }, { "kp_2", KEY_KP2 },
    { "kp_3", KEY_KP3 }, { "kp_4", KEY_KP4 }, { "kp_5", KEY_KP5 },
    { "kp_6", KEY_KP6 }, { "kp_7", KEY_KP7 }, { "kp_8", KEY_KP8 },
    { "kp_9", KEY_KP9 },
    { "less", KEY_102ND },
    { "f11", KEY_F11 },             { "f12", KEY_F12 },
    { "print", KEY_SYSRQ },
    { "home", KEY_HOME },           { "pgup", KEY_PAGEUP },
    { "pgdn", KEY_PAGEDOWN },       { "end", KEY_END },
    { "left", KEY_LEFT },           { "up", KEY_UP },
    { "down", KEY_DOWN },           { "right", KEY_RIGHT },
    { "insert", KEY_INSERT },       { "delete", KEY_DELETE },
    { "stop", KEY_STOP },           { "again", KEY_AGAIN },
    { "props", KEY_PROPS },         { "undo", KEY_UNDO },
    { "front", KEY_FRONT },         { "copy", KEY_COPY },
    { "open", KEY_OPEN },           { "paste", KEY_PASTE },
    { "find", KEY_FIND },           { "cut", KEY_CUT },
    { "lf", KEY_LINEFEED },         { "help", KEY_HELP },
    { "meta_l", KEY_LEFTMETA },     { "meta_r", KEY_RIGHTMETA },
    { "compose", KEY_COMPOSE },     { "pause", KEY_PAUSE },
    { "ro", KEY_RO },               { "hiragana", KEY_HIRAGANA },
    { "henkan", KEY_HENKAN },       { "yen", KEY_YEN },
    { "muhenkan", KEY_MUHENKAN },
    { "katakanahiragana", KEY_KATAKANAHIRAGANA },
    { "kp_comma", KEY_KPCOMMA },    { "kp_equals", KEY_KPEQUAL },
    { "power", KEY_POWER },         { "sleep", KEY_SLEEP },
    { "wake", KEY_WAKEUP },
    { "audionext", KEY_NEXTSONG },  { "audioprev", KEY_PREVIOUSSONG },
    { "audiostop", KEY_STOPCD },    { "audioplay", KEY_PLAYPAUSE },
    { "audiomute", KEY_MUTE },      { "volumeup", KEY_VOLUMEUP },
    { "volumedown", KEY_VOLUMEDOWN }, { "mediaselect", KEY_MEDIA },
    { "mail", KEY_MAIL },           { "calculator", KEY_CALC },
    { "computer", KEY_COMPUTER },   { "ac_home", KEY_HOMEPAGE },
    { "ac_back", KEY_BACK },        { "ac_forward", KEY_FORWARD },
    { "ac_refresh", KEY_REFRESH },  { "ac_bookmarks", KEY_BOOKMARKS },
    { "lang1", KEY_HANGEUL },       { "lang2", KEY_HANJA },
    { "f13", KEY_F13 }, { "f14", KEY_F14 }, { "f15", KEY_F15 },
    { "f16", KEY_F16 }, { "f17", KEY_F17 }, { "f18", KEY_F18 },
    { "f19", KEY_F19 }, { "f20", KEY_F20 }, { "f21", KEY_F21 },
    { "f22", KEY_F22 }, { "f23", KEY_F23 }, { "f24", KEY_F24 },
};

int ps2_keycode_from_qcode(const char *qcode)
{
    for (size_t i = 0; i < ARRAY_SIZE(ps2_qcodes); i++) {
        if (!strcmp(ps2_qcodes[i].name, qcode)) {
            return ps2_qcodes[i].keycode;
        }
    }
    return -1;
}

/*
 * The 8042's translation of scan code set 2 into set 1 (IBM PS/2
 * Keyboard and Auxiliary Device Controller, "scan code translation"):
 * a permutation of 01h-7Fh, 00h (overrun) to FFh, F7's 83h to 41h and
 * SysRq's 84h to 54h; all other bytes pass unchanged (E0h, E1h, ACK FAh,
 * BAT AAh, ...).
 */
static const uint8_t ps2_xlat_table[128] = {
    0xff, 0x43, 0x41, 0x3f, 0x3d, 0x3b, 0x3c, 0x58,
    0x64, 0x44, 0x42, 0x40, 0x3e, 0x0f, 0x29, 0x59,
    0x65, 0x38, 0x2a, 0x70, 0x1d, 0x10, 0x02, 0x5a,
    0x66, 0x71, 0x2c, 0x1f, 0x1e, 0x11, 0x03, 0x5b,
    0x67, 0x2e, 0x2d, 0x20, 0x12, 0x05, 0x04, 0x5c,
    0x68, 0x39, 0x2f, 0x21, 0x14, 0x13, 0x06, 0x5d,
    0x69, 0x31, 0x30, 0x23, 0x22, 0x15, 0x07, 0x5e,
    0x6a, 0x72, 0x32, 0x24, 0x16, 0x08, 0x09, 0x5f,
    0x6b, 0x33, 0x25, 0x17, 0x18, 0x0b, 0x0a, 0x60,
    0x6c, 0x34, 0x35, 0x26, 0x27, 0x19, 0x0c, 0x61,
    0x6d, 0x73, 0x28, 0x74, 0x1a, 0x0d, 0x62, 0x6e,
    0x3a, 0x36, 0x1c, 0x1b, 0x75, 0x2b, 0x63, 0x76,
    0x55, 0x56, 0x77, 0x78, 0x79, 0x7a, 0x0e, 0x7b,
    0x7c, 0x4f, 0x7d, 0x4b, 0x47, 0x7e, 0x7f, 0x6f,
    0x52, 0x53, 0x50, 0x4c, 0x4d, 0x48, 0x01, 0x45,
    0x57, 0x4e, 0x51, 0x4a, 0x37, 0x49, 0x46, 0x54,
};

uint8_t ps2_set2_to_set1(uint8_t code)
{
    if (code < 0x80) {
        return ps2_xlat_table[code];
    }
    switch (code) {
    case 0x83:
        return 0x41;
    case 0x84:
        return 0x54;
    default:
        return code;
    }
}
