/*
 * The IBM PS/2 mouse with the Microsoft IntelliMouse (wheel, ID 3) and
 * IntelliMouse Explorer (wheel and buttons 4 and 5, ID 4) extensions:
 * device type "ps2-mouse".
 * Source: IBM Personal System/2 Hardware Interface Technical Reference,
 * "Pointing Device": commands, status bytes, data report format, stream
 * and remote modes, scaling; Microsoft IntelliMouse and IntelliMouse
 * Explorer PS/2 interface notes: the sample rate sequences 200, 100, 80
 * (to ID 3) and, from ID 3, 200, 200, 80 (to ID 4), and the fourth
 * packet byte.
 *
 * Emulated: every command (scaling 1:1 and 2:1, resolution, status
 * request, stream/remote mode, read data, wrap mode, ID, sample rate,
 * enable/disable, defaults, resend, reset with AA 00); 3-byte packets,
 * 4-byte packets with the wheel (and buttons 4/5 for ID 4); sign and
 * overflow bits; 2:1 scaling of stream reports.
 *
 * Movement the host reports is added to counters and sent in packets of
 * at most -256..255 counts per axis (wheel -8..7) as the queue has room:
 * nothing is lost to clamping while the guest keeps reading. Only when
 * the counters themselves saturate (PS2_MOUSE_COUNT_MAX, a guest that
 * stopped reading) is movement lost, and the next packet says so with
 * the overflow bits.
 *
 * Not emulated: the sample rate and resolution do not throttle or scale
 * reports (the host sends events as they come, in its own units); a
 * Resend in the middle of a packet resends one byte, not the packet.
 */
#include "hw/input/ps2.h"
#include "hw/input/ps2-int.h"

/* Commands */
#define AUX_CMD_SCALING_11      0xe6
#define AUX_CMD_SCALING_21      0xe7
#define AUX_CMD_SET_RESOLUTION  0xe8
#define AUX_CMD_STATUS_REQUEST  0xe9
#define AUX_CMD_SET_STREAM      0xea
#define AUX_CMD_READ_DATA       0xeb
#define AUX_CMD_RESET_WRAP      0xec
#define AUX_CMD_SET_WRAP        0xee
#define AUX_CMD_SET_REMOTE      0xf0
#define AUX_CMD_GET_ID          0xf2
#define AUX_CMD_SET_SAMPLE_RATE 0xf3
#define AUX_CMD_ENABLE          0xf4
#define AUX_CMD_DISABLE         0xf5
#define AUX_CMD_SET_DEFAULTS    0xf6
#define AUX_CMD_RESEND          0xfe
#define AUX_CMD_RESET           0xff

/* Status byte 1 (status request): mode bits as stored in s->status,
 * buttons as the request reports them */
#define AUX_STATUS_RIGHT        0x01
#define AUX_STATUS_MIDDLE       0x02
#define AUX_STATUS_LEFT         0x04
#define AUX_STATUS_SCALING_21   0x10
#define AUX_STATUS_ENABLED      0x20
#define AUX_STATUS_REMOTE       0x40
#define AUX_STATUS_MODE_MASK    0x70

/* Packet byte 1 */
#define AUX_PKT_LEFT            0x01
#define AUX_PKT_RIGHT           0x02
#define AUX_PKT_MIDDLE          0x04
#define AUX_PKT_ALWAYS1         0x08
#define AUX_PKT_X_SIGN          0x10
#define AUX_PKT_Y_SIGN          0x20
#define AUX_PKT_X_OVERFLOW      0x40
#define AUX_PKT_Y_OVERFLOW      0x80
/* Packet byte 4, IntelliMouse Explorer */
#define AUX_PKT4_Z_MASK         0x0f
#define AUX_PKT4_BUTTON4        0x10
#define AUX_PKT4_BUTTON5        0x20

/* Device IDs */
#define AUX_ID_STANDARD         0x00
#define AUX_ID_INTELLIMOUSE     0x03
#define AUX_ID_EXPLORER         0x04

#define AUX_DEFAULT_RATE        100
#define AUX_DEFAULT_RESOLUTION  2       /* 4 counts/mm */

#define PS2_MOUSE_COUNT_MAX     4096    /* counts held per axis */

static PS2MouseState *ps2_mouse_from(Device *dev)
{
    assert(dev->type == &ps2_mouse_type);
    return container_of(dev, PS2MouseState, dev);
}

static void ps2_mouse_notify(PS2MouseState *s)
{
    if (s->queue.count) {
        irq_raise(s->ready);
    }
}

static void ps2_mouse_reply(PS2MouseState *s, uint8_t b)
{
    if (!ps2_queue_push(&s->queue, b)) {
        guest_error("ps2-mouse: response 0x%02x dropped, output queue full",
                    b);
    }
}

static bool ps2_mouse_streaming(const PS2MouseState *s)
{
    return (s->status & (AUX_STATUS_REMOTE | AUX_STATUS_ENABLED)) ==
           AUX_STATUS_ENABLED && !s->wrap;
}

static unsigned ps2_mouse_packet_size(const PS2MouseState *s)
{
    return s->id == AUX_ID_STANDARD ? 3 : 4;
}

/* The buttons this mouse's packets can report. */
static uint8_t ps2_mouse_button_mask(const PS2MouseState *s)
{
    return s->id == AUX_ID_EXPLORER ? 0x1f : 0x07;
}

static void ps2_mouse_clear_counters(PS2MouseState *s)
{
    s->dx = s->dy = s->dz = 0;
    s->overflow_x = s->overflow_y = false;
}

/* Sample rate, resolution, scaling, stream mode, reporting off. */
static void ps2_mouse_set_defaults(PS2MouseState *s)
{
    s->status = 0;
    s->sample_rate = AUX_DEFAULT_RATE;
    s->resolution = AUX_DEFAULT_RESOLUTION;
    ps2_mouse_clear_counters(s);
}

static void ps2_mouse_reset(Device *dev)
{
    PS2MouseState *s = ps2_mouse_from(dev);

    ps2_queue_clear(&s->queue);
    s->cmd = 0;
    s->last_sent = 0;
    s->id = AUX_ID_STANDARD;
    memset(s->rate_hist, 0, sizeof(s->rate_hist));
    s->wrap = false;
    s->buttons = s->sent_buttons = 0;
    ps2_mouse_set_defaults(s);
}

static int clamp_int(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* 2:1 scaling (reference, "Scaling"): small moves as they are, larger
 * ones doubled. */
static int ps2_mouse_scale(int d)
{
    static const int small[6] = { 0, 1, 1, 3, 6, 9 };
    int mag = d < 0 ? -d : d;
    int r = mag < 6 ? small[mag] : 2 * mag;

    return d < 0 ? -r : r;
}

/* Queues one packet from the counters; in stream mode with 2:1 scaling
 * the movement is scaled. */
static void ps2_mouse_send_packet(PS2MouseState *s, bool scale)
{
    uint8_t pkt[4];
    int dx = clamp_int(s->dx, -256, 255);
    int dy = clamp_int(s->dy, -256, 255);
    int dz = clamp_int(s->dz, -8, 7);
    bool ox = s->overflow_x, oy = s->overflow_y;

    s->dx -= dx;
    s->dy -= dy;
    if (scale && (s->status & AUX_STATUS_SCALING_21)) {
        dx = ps2_mouse_scale(dx);
        dy = ps2_mouse_scale(dy);
        if (dx < -256 || dx > 255) {
            dx = clamp_int(dx, -256, 255);
            ox = true;
        }
        if (dy < -256 || dy > 255) {
            dy = clamp_int(dy, -256, 255);
            oy = true;
        }
    }
    pkt[0] = AUX_PKT_ALWAYS1 |
             (s->buttons & (AUX_PKT_LEFT | AUX_PKT_RIGHT | AUX_PKT_MIDDLE)) |
             (dx < 0 ? AUX_PKT_X_SIGN : 0) | (dy < 0 ? AUX_PKT_Y_SIGN : 0) |
             (ox ? AUX_PKT_X_OVERFLOW : 0) | (oy ? AUX_PKT_Y_OVERFLOW : 0);
    pkt[1] = dx & 0xff;
    pkt[2] = dy & 0xff;
    switch (s->id) {
    case AUX_ID_INTELLIMOUSE:
        pkt[3] = dz & 0xff;
        s->dz -= dz;
        break;
    case AUX_ID_EXPLORER:
        pkt[3] = (dz & AUX_PKT4_Z_MASK) |
                 (s->buttons & PS2_MOUSE_BUTTON_SIDE ? AUX_PKT4_BUTTON4 : 0) |
                 (s->buttons & PS2_MOUSE_BUTTON_EXTRA ? AUX_PKT4_BUTTON5 : 0);
        s->dz -= dz;
        break;
    default:
        s->dz = 0;
        break;
    }
    s->overflow_x = s->overflow_y = false;
    s->sent_buttons = s->buttons;
    if (!ps2_queue_push_all(&s->queue, pkt, ps2_mouse_packet_size(s))) {
        guest_error("ps2-mouse: packet dropped, output queue full");
    }
}

static bool ps2_mouse_has_report(const PS2MouseState *s)
{
    uint8_t mask = ps2_mouse_button_mask(s);

    return s->dx || s->dy || (s->dz && s->id != AUX_ID_STANDARD) ||
           s->overflow_x || s->overflow_y ||
           (s->buttons & mask) != (s->sent_buttons & mask);
}

/* Stream mode: as many packets as the data part of the queue holds. */
static void ps2_mouse_flush(PS2MouseState *s)
{
    unsigned size = ps2_mouse_packet_size(s);

    if (!ps2_mouse_streaming(s)) {
        return;
    }
    while (ps2_mouse_has_report(s) &&
           s->queue.count + size <= PS2_DATA_LIMIT) {
        ps2_mouse_send_packet(s, true);
    }
}

/* The IntelliMouse handshakes: three sample rates in a row. */
static void ps2_mouse_detect_id(PS2MouseState *s, uint8_t rate)
{
    uint8_t *h = s->rate_hist;

    h[0] = h[1];
    h[1] = h[2];
    h[2] = rate;
    if (h[0] == 200 && h[1] == 100 && h[2] == 80 &&
        s->id == AUX_ID_STANDARD) {
        s->id = AUX_ID_INTELLIMOUSE;
    } else if (h[0] == 200 && h[1] == 200 && h[2] == 80 &&
               s->id == AUX_ID_INTELLIMOUSE) {
        s->id = AUX_ID_EXPLORER;
    }
}

static void ps2_mouse_param(PS2MouseState *s, uint8_t val)
{
    uint8_t cmd = s->cmd;

    s->cmd = 0;
    switch (cmd) {
    case AUX_CMD_SET_RESOLUTION:
        if (val > 3) {
            ps2_mouse_reply(s, PS2_REPLY_RESEND);
            return;
        }
        s->resolution = val;
        ps2_mouse_clear_counters(s);
        break;
    case AUX_CMD_SET_SAMPLE_RATE:
        switch (val) {
        case 10: case 20: case 40: case 60: case 80: case 100: case 200:
            break;
        default:
            guest_error("ps2-mouse: invalid sample rate %u", val);
            ps2_mouse_reply(s, PS2_REPLY_RESEND);
            return;
        }
        s->sample_rate = val;
        ps2_mouse_detect_id(s, val);
        break;
    default:
        assert(!"ps2-mouse: bad pending command");
    }
    ps2_mouse_reply(s, PS2_REPLY_ACK);
}

static uint8_t ps2_mouse_status_byte(const PS2MouseState *s)
{
    return s->status |
           (s->buttons & PS2_MOUSE_BUTTON_LEFT ? AUX_STATUS_LEFT : 0) |
           (s->buttons & PS2_MOUSE_BUTTON_MIDDLE ? AUX_STATUS_MIDDLE : 0) |
           (s->buttons & PS2_MOUSE_BUTTON_RIGHT ? AUX_STATUS_RIGHT : 0);
}

static void ps2_mouse_command(PS2MouseState *s, uint8_t val)
{
    switch (val) {
    case AUX_CMD_SCALING_11:
        s->status &= ~AUX_STATUS_SCALING_21;
        break;
    case AUX_CMD_SCALING_21:
        s->status |= AUX_STATUS_SCALING_21;
        break;
    case AUX_CMD_SET_RESOLUTION:
    case AUX_CMD_SET_SAMPLE_RATE:
        s->cmd = val;
        break;
    case AUX_CMD_STATUS_REQUEST:
        ps2_mouse_reply(s, PS2_REPLY_ACK);
        ps2_mouse_reply(s, ps2_mouse_status_byte(s));
        ps2_mouse_reply(s, s->resolution);
        ps2_mouse_reply(s, s->sample_rate);
        return;
    case AUX_CMD_SET_STREAM:
        s->status &= ~AUX_STATUS_REMOTE;
        ps2_mouse_clear_counters(s);
        break;
    case AUX_CMD_READ_DATA:
        ps2_mouse_reply(s, PS2_REPLY_ACK);
        ps2_mouse_send_packet(s, false);
        return;
    case AUX_CMD_RESET_WRAP:
        s->wrap = false;
        ps2_mouse_clear_counters(s);
        break;
    case AUX_CMD_SET_WRAP:
        s->wrap = true;
        ps2_mouse_clear_counters(s);
        break;
    case AUX_CMD_SET_REMOTE:
        s->status |= AUX_STATUS_REMOTE;
        ps2_mouse_clear_counters(s);
        break;
    case AUX_CMD_GET_ID:
        ps2_mouse_reply(s, PS2_REPLY_ACK);
        ps2_mouse_reply(s, s->id);
        return;
    case AUX_CMD_ENABLE:
        s->status |= AUX_STATUS_ENABLED;
        ps2_mouse_clear_counters(s);
        break;
    case AUX_CMD_DISABLE:
        s->status &= ~AUX_STATUS_ENABLED;
        ps2_mouse_clear_counters(s);
        break;
    case AUX_CMD_SET_DEFAULTS:
        ps2_mouse_set_defaults(s);
        break;
    case AUX_CMD_RESEND:
        ps2_mouse_reply(s, s->last_sent);
        return;
    case AUX_CMD_RESET: {
        uint8_t held = s->buttons;      /* still held on the host */

        ps2_mouse_reset(&s->dev);
        s->buttons = s->sent_buttons = held;
        ps2_mouse_reply(s, PS2_REPLY_ACK);
        ps2_mouse_reply(s, PS2_REPLY_BAT_OK);
        ps2_mouse_reply(s, s->id);
        return;
    }
    default:
        guest_error("ps2-mouse: unknown command 0x%02x", val);
        ps2_mouse_reply(s, PS2_REPLY_RESEND);
        return;
    }
    ps2_mouse_reply(s, PS2_REPLY_ACK);
}

void ps2_mouse_write(Device *dev, uint8_t val)
{
    PS2MouseState *s = ps2_mouse_from(dev);

    if (s->cmd) {
        ps2_mouse_param(s, val);
    } else if (s->wrap && val != AUX_CMD_RESET_WRAP &&
               val != AUX_CMD_RESET) {
        /* Wrap mode: everything else comes straight back. */
        ps2_mouse_reply(s, val);
    } else {
        /* Packets already queued still go out before the reply; drivers
         * disable streaming first and skip what arrives before the ACK. */
        ps2_mouse_command(s, val);
    }
    ps2_mouse_notify(s);
}

int ps2_mouse_read(Device *dev)
{
    PS2MouseState *s = ps2_mouse_from(dev);
    int b = ps2_queue_pop(&s->queue);

    if (b >= 0) {
        s->last_sent = b;
        /* Room again: the rest of the movement follows. */
        ps2_mouse_flush(s);
    }
    return b;
}

/* Adds host movement to a counter; what does not fit is lost. */
static void ps2_mouse_count(int32_t *counter, int delta, bool *overflow)
{
    int64_t v = (int64_t)*counter + delta;

    if (v > PS2_MOUSE_COUNT_MAX || v < -PS2_MOUSE_COUNT_MAX) {
        v = v > 0 ? PS2_MOUSE_COUNT_MAX : -PS2_MOUSE_COUNT_MAX;
        if (overflow) {
            *overflow = true;
        }
    }
    *counter = v;
}

void ps2_mouse_event(Device *dev, int dx, int dy, int dz, unsigned buttons)
{
    PS2MouseState *s = ps2_mouse_from(dev);

    s->buttons = buttons & (PS2_MOUSE_BUTTON_LEFT | PS2_MOUSE_BUTTON_RIGHT |
                            PS2_MOUSE_BUTTON_MIDDLE | PS2_MOUSE_BUTTON_SIDE |
                            PS2_MOUSE_BUTTON_EXTRA);
    /* Stream mode with reporting off and wrap mode: movement is not
     * counted (remote mode counts it until the guest reads). */
    if (s->wrap || !(s->status & (AUX_STATUS_REMOTE | AUX_STATUS_ENABLED))) {
        s->sent_buttons = s->buttons;
        return;
    }
    ps2_mouse_count(&s->dx, dx, &s->overflow_x);
    ps2_mouse_count(&s->dy, -dy, &s->overflow_y);    /* PS/2: up is + */
    if (s->id != AUX_ID_STANDARD) {
        ps2_mouse_count(&s->dz, dz, NULL);
    }
    ps2_mouse_flush(s);
    ps2_mouse_notify(s);
}

void ps2_mouse_init(PS2MouseState *s, IrqLine ready)
{
    s->dev.type = &ps2_mouse_type;
    s->ready = ready;
}

void ps2_mouse_connect(Device *dev, IrqLine ready)
{
    ps2_mouse_from(dev)->ready = ready;
}

static bool ps2_mouse_post_load(void *opaque, int version, Error **errp)
{
    PS2MouseState *s = opaque;

    if (s->cmd && s->cmd != AUX_CMD_SET_RESOLUTION &&
        s->cmd != AUX_CMD_SET_SAMPLE_RATE) {
        error_setg(errp, "pending command 0x%02x invalid", s->cmd);
        return false;
    }
    if (s->id != AUX_ID_STANDARD && s->id != AUX_ID_INTELLIMOUSE &&
        s->id != AUX_ID_EXPLORER) {
        error_setg(errp, "device ID %u invalid", s->id);
        return false;
    }
    if (s->resolution > 3 || (s->status & ~AUX_STATUS_MODE_MASK)) {
        error_setg(errp, "resolution %u / status 0x%02x invalid",
                   s->resolution, s->status);
        return false;
    }
    if (s->dx < -PS2_MOUSE_COUNT_MAX || s->dx > PS2_MOUSE_COUNT_MAX ||
        s->dy < -PS2_MOUSE_COUNT_MAX || s->dy > PS2_MOUSE_COUNT_MAX ||
        s->dz < -PS2_MOUSE_COUNT_MAX || s->dz > PS2_MOUSE_COUNT_MAX) {
        error_setg(errp, "movement counters out of range");
        return false;
    }
    s->buttons &= 0x1f;
    s->sent_buttons &= 0x1f;
    return true;
}

static const VMStateField ps2_mouse_fields[] = {
    VMSTATE_STRUCT(queue, PS2MouseState, vmstate_ps2_queue, PS2Queue),
    VMSTATE_U8(cmd, PS2MouseState),
    VMSTATE_U8(last_sent, PS2MouseState),
    VMSTATE_U8(status, PS2MouseState),
    VMSTATE_U8(resolution, PS2MouseState),
    VMSTATE_U8(sample_rate, PS2MouseState),
    VMSTATE_U8(id, PS2MouseState),
    VMSTATE_U8_ARRAY(rate_hist, PS2MouseState, 3),
    VMSTATE_BOOL(wrap, PS2MouseState),
    VMSTATE_I32(dx, PS2MouseState),
    VMSTATE_I32(dy, PS2MouseState),
    VMSTATE_I32(dz, PS2MouseState),
    VMSTATE_U8(buttons, PS2MouseState),
    VMSTATE_U8(sent_buttons, PS2MouseState),
    VMSTATE_BOOL(overflow_x, PS2MouseState),
    VMSTATE_BOOL(overflow_y, PS2MouseState),
    VMSTATE_END
};

const VMStateDescription vmstate_ps2_mouse = {
    .name = "ps2-mouse",
    .version = 1,
    .min_version = 1,
    .fields = ps2_mouse_fields,
    .post_load = ps2_mouse_post_load,
};

const DeviceType ps2_mouse_type = {
    .name = "ps2-mouse",
    .desc = "PS/2 mouse with IntelliMouse extensions (part of the i8042)",
    .bus = BUS_SYSTEM,
    .state_size = sizeof(PS2MouseState),
    .user_creatable = false,
    .reset = ps2_mouse_reset,
    .vmsd = &vmstate_ps2_mouse,
};
