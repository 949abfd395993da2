/*
 * The mux: one back end shared by up to four front ends, typically a
 * serial port and the monitor on stdio ("-serial mon:stdio",
 * -nographic, "-chardev stdio,mux=on,id=c -serial chardev:c -mon c").
 *
 * Output from every front end goes to the back end as it comes. Input
 * goes to the front end with the focus, which the most recently attached
 * front end takes (QEMU's rule: the monitor attaches when the chardev is
 * made, the serial port later, so the guest has the keyboard first).
 *
 * The escape character (Ctrl-A, -echr changes it) followed by:
 *   h or ?  help          x  quit pcemu        b  send a break
 *   c       next front end (guest <-> monitor) t  timestamps (UNIMPL)
 *   s       commit disks (UNIMPL until there is a block layer)
 *   Ctrl-A  a literal Ctrl-A
 * Other keys after the escape are swallowed, as QEMU does.
 *
 * Each front end has a small input buffer so that escapes work while the
 * focused front end is busy; when the buffer is full the back end stops
 * reading until the front end takes bytes again.
 */
#include "char-internal.h"
#include "softmmu/runstate.h"

#define MUX_MAX_FE      4
#define MUX_BUF_SIZE    64

typedef struct MuxChardev {
    Chardev parent;
    Chardev *base;
    ChardevFrontend fes[MUX_MAX_FE];
    int nr_fes;
    int focus;              /* index into fes, -1 while there is none */
    bool got_escape;
    uint8_t buf[MUX_MAX_FE][MUX_BUF_SIZE];
    int buf_len[MUX_MAX_FE];
} MuxChardev;

static int mux_escape_char = 0x01;     /* Ctrl-A */

void chardev_set_escape_char(int c)
{
    mux_escape_char = c & 0xff;
}

static void mux_print(MuxChardev *d, const char *text)
{
    chardev_write(d->base, (const uint8_t *)text, strlen(text));
}

static void mux_send_event(MuxChardev *d, int i, int event)
{
    if (i >= 0 && i < d->nr_fes && d->fes[i].event) {
        d->fes[i].event(d->fes[i].opaque, event);
    }
}

static void mux_print_help(MuxChardev *d)
{
    char esc[8];
    char *text;

    if (mux_escape_char > 0 && mux_escape_char < 27) {
        snprintf(esc, sizeof(esc), "C-%c", 'a' + mux_escape_char - 1);
    } else {
        snprintf(esc, sizeof(esc), "0x%02x", mux_escape_char);
    }
    text = g_strdup_printf(
        "\r\n"
        "%1$s h    print this help\r\n"
        "%1$s x    exit emulator\r\n"
        "%1$s s    save disk data back to file (not yet supported)\r\n"
        "%1$s t    toggle console timestamps (not yet supported)\r\n"
        "%1$s b    send break (magic sysrq)\r\n"
        "%1$s c    switch between console and monitor\r\n"
        "%1$s %1$s  sends %1$s\r\n", esc);
    mux_print(d, text);
    g_free(text);
}

static void mux_set_focus(MuxChardev *d, int focus)
{
    if (focus == d->focus) {
        return;
    }
    mux_send_event(d, d->focus, CHR_EVENT_MUX_OUT);
    d->focus = focus;
    mux_send_event(d, d->focus, CHR_EVENT_MUX_IN);
}

/* Returns true when ch is data for the focused front end. */
static bool mux_proc_byte(MuxChardev *d, uint8_t ch)
{
    if (!d->got_escape) {
        if (ch == mux_escape_char) {
            d->got_escape = true;
            return false;
        }
        return true;
    }
    d->got_escape = false;
    if (ch == mux_escape_char) {
        return true;
    }
    switch (ch) {
    case '?':
    case 'h':
        mux_print_help(d);
        break;
    case 'x':
        mux_print(d, "\r\npcemu: Terminated\r\n");
        system_shutdown_request(SHUTDOWN_CAUSE_HOST_UI);
        break;
    case 'b':
        mux_send_event(d, d->focus, CHR_EVENT_BREAK);
        break;
    case 'c':
        if (d->nr_fes) {
            mux_set_focus(d, (d->focus + 1) % d->nr_fes);
        }
        break;
    case 's':
    case 't':
        /* UNIMPL: disk commit and console timestamps. */
        break;
    default:
        break;
    }
    return false;
}

/* Hands buffered input to the focused front end, as much as it takes. */
static void mux_flush(MuxChardev *d)
{
    int f = d->focus;
    ChardevFrontend *fe;

    if (f < 0) {
        return;
    }
    fe = &d->fes[f];
    while (d->buf_len[f] > 0 && fe->read) {
        int n = fe->can_read ? fe->can_read(fe->opaque) : d->buf_len[f];

        if (n <= 0) {
            break;
        }
        n = MIN(n, d->buf_len[f]);
        fe->read(fe->opaque, d->buf[f], n);
        memmove(d->buf[f], d->buf[f] + n, d->buf_len[f] - n);
        d->buf_len[f] -= n;
    }
}

/* ---- the mux as its back end's front end ---- */

static int mux_base_can_read(void *opaque)
{
    MuxChardev *d = opaque;

    if (d->focus < 0) {
        return 0;
    }
    return MUX_BUF_SIZE - d->buf_len[d->focus];
}

static void mux_base_read(void *opaque, const uint8_t *buf, int len)
{
    MuxChardev *d = opaque;

    for (int i = 0; i < len; i++) {
        int f;

        if (!mux_proc_byte(d, buf[i])) {
            continue;
        }
        f = d->focus;
        /* A focus switch mid-buffer may leave the new one full: drop. */
        if (f >= 0 && d->buf_len[f] < MUX_BUF_SIZE) {
            d->buf[f][d->buf_len[f]++] = buf[i];
        }
    }
    mux_flush(d);
}

static void mux_base_event(void *opaque, int event)
{
    MuxChardev *d = opaque;

    switch (event) {
    case CHR_EVENT_OPENED:
    case CHR_EVENT_CLOSED:
        d->parent.be_open = event == CHR_EVENT_OPENED;
        for (int i = 0; i < d->nr_fes; i++) {
            mux_send_event(d, i, event);
        }
        break;
    default:
        mux_send_event(d, d->focus, event);
        break;
    }
}

bool chardev_mux_set_base(Chardev *mux, Chardev *base, Error **errp)
{
    MuxChardev *d = (MuxChardev *)mux;
    ChardevFrontend fe = {
        .can_read = mux_base_can_read,
        .read = mux_base_read,
        .event = mux_base_event,
        .opaque = d,
    };

    assert(mux->drv == &chardev_mux_driver && !d->base);
    if (!chardev_attach(base, &fe, errp)) {
        return false;
    }
    d->base = base;
    d->parent.be_open = base->be_open;
    return true;
}

bool chardev_mux_idle(Chardev *mux, Chardev **base)
{
    MuxChardev *d = (MuxChardev *)mux;

    *base = d->base;
    return d->nr_fes == 0;
}

/* ---- the mux's own front ends ---- */

static bool mux_open(Chardev *chr, Opts *opts, Error **errp)
{
    MuxChardev *d = (MuxChardev *)chr;

    d->focus = -1;
    return true;
}

static bool mux_attach(Chardev *chr, const ChardevFrontend *fe,
                       Error **errp)
{
    MuxChardev *d = (MuxChardev *)chr;
    int i;

    if (d->nr_fes == MUX_MAX_FE) {
        error_setg(errp, "chardev '%s' is already shared by %d devices, the "
                   "most a mux takes", chr->id, MUX_MAX_FE);
        return false;
    }
    i = d->nr_fes++;
    d->fes[i] = *fe;
    d->buf_len[i] = 0;
    if (chr->be_open && fe->event) {
        fe->event(fe->opaque, CHR_EVENT_OPENED);
    }
    mux_set_focus(d, i);
    chardev_accept_input(chr);
    return true;
}

static void mux_detach(Chardev *chr)
{
    MuxChardev *d = (MuxChardev *)chr;

    d->nr_fes = 0;
    d->focus = -1;
    chardev_accept_input(chr);
}

static int mux_write(Chardev *chr, const uint8_t *buf, int len)
{
    MuxChardev *d = (MuxChardev *)chr;

    return d->base ? chardev_write(d->base, buf, len) : 0;
}

static void mux_accept_input(Chardev *chr)
{
    MuxChardev *d = (MuxChardev *)chr;

    mux_flush(d);
    if (d->base) {
        chardev_accept_input(d->base);
    }
}

static void mux_close(Chardev *chr)
{
    MuxChardev *d = (MuxChardev *)chr;

    if (d->base) {
        chardev_detach(d->base);
        d->base = NULL;
    }
}

const ChardevDriver chardev_mux_driver = {
    .name = "mux",
    .size = sizeof(MuxChardev),
    .open = mux_open,
    .write = mux_write,
    .accept_input = mux_accept_input,
    .attach = mux_attach,
    .detach = mux_detach,
    .close = mux_close,
};
