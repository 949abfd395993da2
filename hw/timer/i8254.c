/*
 * Intel 82C54 CHMOS programmable interval timer, the PC/AT's PIT.
 *
 * Source: Intel 82C54 datasheet (order 231244): "Control Word Format",
 * "Read Operations" (counter latch, read-back command, status byte),
 * "Mode Definitions" (modes 0-5), "Operations Common to All Modes"
 * (GATE, counter loading, null count).
 *
 * Emulated: three counters clocked at 1.193182 MHz, all six modes,
 * binary and BCD counting, LSB/MSB/LSB-then-MSB access with separate
 * read and write byte pointers, counter latch and read-back (count and
 * status, null count), GATE (level and edge semantics per mode), mode 2
 * and 3 counts that take effect at the end of the current cycle.
 *
 * Time: nothing ticks. Each counter keeps the CLK number at which its
 * counting element (CE) was loaded and the value loaded; a read derives
 * CE and OUT from CLOCK_VIRTUAL. A timer is armed only for channel 0's
 * next OUT transition, which drives ISA IRQ 0.
 *
 * Not emulated: the CLK input of counters 1 and 2 is the same 1.193182
 * MHz (as on the PC); channel 1's OUT (DRAM refresh request) and channel
 * 2's OUT reach nothing but port 61h. Invalid counts (1 in modes 2 and
 * 3) behave as the formulas give, not as any particular chip.
 */
#include "hw/timer/i8254.h"
#include "hw/irq.h"
#include "hw/machine.h"
#include "softmmu/memory.h"
#include "softmmu/timer.h"

/* Ports, relative to iobase */
#define PIT_COUNTER0        0
#define PIT_COUNTER2        2
#define PIT_CONTROL         3

/* Control word */
#define PIT_CW_SC_SHIFT     6       /* SC1-SC0: counter, or 3 = read-back */
#define PIT_CW_SC_READBACK  3
#define PIT_CW_RW_SHIFT     4       /* RW1-RW0 */
#define PIT_CW_MODE_SHIFT   1       /* M2-M0 */
#define PIT_CW_BCD          0x01
#define PIT_CW_PROGRAM      0x3f    /* what the status byte echoes */
enum {
    PIT_RW_LATCH = 0,       /* counter latch command */
    PIT_RW_LSB = 1,
    PIT_RW_MSB = 2,
    PIT_RW_WORD = 3,        /* LSB then MSB */
};
/* Read-back command */
#define PIT_RB_NOT_COUNT    0x20
#define PIT_RB_NOT_STATUS   0x10
#define PIT_RB_COUNTER(n)   (2 << (n))
/* Status byte */
#define PIT_STATUS_OUT      0x80
#define PIT_STATUS_NULL     0x40

#define PIT_NEVER           INT64_MAX
/* A channel-0 timer running later than this replays no edges: it
 * resynchronises, so a guest-chosen absurd rate cannot keep the main
 * loop replaying history. 10 ms of CLK. */
#define PIT_MAX_LAG         (PIT_FREQ / 100)

typedef struct PITChannel {
    uint8_t ctrl;           /* control word bits 5-0: RW, M, BCD */
    uint16_t cr;            /* count register, as written */
    bool cr_valid;          /* a whole count written since the control word */
    bool write_msb;         /* RW=3: LSB written, MSB next */
    bool read_msb;          /* RW=3: LSB read, MSB next */
    bool count_latched;
    uint16_t ol;            /* output latch */
    bool status_latched;
    uint8_t status;
    bool gate;

    /*
     * The counting element as a function of the CLK number t. From
     * load_tick on, CE counts from n (1..65536, or 1..10000 in BCD);
     * before it OUT is out_pre and CE reads ce_pre. PIT_NEVER: not
     * counting. paused_tick (modes 0 and 4, GATE low) freezes t.
     * reload_tick (modes 2 and 3) is where a count written during
     * counting takes over, as a segment starting at reload_base.
     * cr_load_tick is where CR reaches CE: NULL COUNT until then.
     */
    int64_t load_tick;
    uint32_t n;
    bool out_pre;
    uint16_t ce_pre;
    int64_t paused_tick;
    int64_t reload_tick;
    int64_t reload_base;
    int64_t cr_load_tick;
} PITChannel;

typedef struct PITState {
    Device dev;

    /* guest-visible state */
    PITChannel ch[3];

    /* properties */
    uint16_t iobase;
    uint8_t irq_num;

    /* wiring */
    IrqLine irq;
    bool irq_level;
    Timer *timer;
    int64_t next_edge;      /* CLK of channel 0's armed transition */
    MemoryRegion io;
} PITState;

static PITState *pit_of(Device *dev)
{
    return container_of(dev, PITState, dev);
}

/* --- time ----------------------------------------------------------------- */

static int64_t muldiv_floor(int64_t a, int64_t b, int64_t c)
{
    __int128 x = (__int128)a * b;
    __int128 q = x / c;

    return (int64_t)(x % c < 0 ? q - 1 : q);
}

/* CLK edges that have happened at or before virtual time ns. */
static int64_t pit_ns_to_tick(int64_t ns)
{
    return muldiv_floor(ns, PIT_FREQ, NANOSECONDS_PER_SECOND);
}

/* The first virtual nanosecond at which CLK edge tick has happened. */
static int64_t pit_tick_to_ns(int64_t tick)
{
    return -muldiv_floor(-tick, NANOSECONDS_PER_SECOND, PIT_FREQ);
}

static int64_t pit_now(void)
{
    return pit_ns_to_tick(clock_get_ns(CLOCK_VIRTUAL));
}

/* --- the counting element ------------------------------------------------- */

static int pit_mode(const PITChannel *c)
{
    int m = (c->ctrl >> PIT_CW_MODE_SHIFT) & 7;

    return m >= 6 ? m - 4 : m;      /* X10 is mode 2, X11 mode 3 */
}

static int pit_rw(const PITChannel *c)
{
    return (c->ctrl >> PIT_CW_RW_SHIFT) & 3;
}

static bool pit_bcd(const PITChannel *c)
{
    return c->ctrl & PIT_CW_BCD;
}

static uint32_t pit_from_bcd(uint16_t v)
{
    /* Non-decimal nibbles count at face value: the datasheet leaves
     * them undefined. */
    return (v >> 12) * 1000 + ((v >> 8) & 15) * 100 + ((v >> 4) & 15) * 10 +
           (v & 15);
}

static uint16_t pit_to_bcd(uint32_t v)
{
    v %= 10000;
    return (v / 1000) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 |
           v % 10;
}

/* CE's value range: 65536 binary, 10000 BCD (a count of 0 is the
 * maximum, 2^16 or 10^4). */
static int64_t pit_modulus(const PITChannel *c)
{
    return pit_bcd(c) ? 10000 : 65536;
}

static uint32_t pit_cr_value(const PITChannel *c)
{
    uint32_t v = pit_bcd(c) ? pit_from_bcd(c->cr) : c->cr;

    return v ? v : pit_modulus(c);
}

static uint32_t pit_wrap(const PITChannel *c, int64_t v)
{
    int64_t m = pit_modulus(c);

    v %= m;
    return v < 0 ? v + m : v;
}

/* CE as the guest reads it. */
static uint16_t pit_encode(const PITChannel *c, uint32_t ce)
{
    return pit_bcd(c) ? pit_to_bcd(ce) : ce;
}

/* Applies a count that was waiting for the end of a mode 2/3 cycle. */
static void pit_sync(PITChannel *c, int64_t t)
{
    if (c->reload_tick != PIT_NEVER && t >= c->reload_tick) {
        c->n = pit_cr_value(c);
        c->load_tick = c->reload_base;
        c->reload_tick = PIT_NEVER;
    }
}

/*
 * OUT and CE at CLK t (82C54 "Mode Definitions"), counting e CLKs after
 * the load:
 *   mode 0, 1: OUT high once CE has reached 0 (e >= n); CE = n - e.
 *   mode 2: period n; OUT low while CE is 1, then CE reloads.
 *   mode 3: period n, OUT high for ceil(n/2) CLKs and low for floor(n/2);
 *           CE counts down by two from n (odd n: n - 1) in each half.
 *   mode 4, 5: OUT low for the one CLK at which CE reaches 0.
 * CE keeps wrapping after terminal count in modes 0, 1, 4, 5.
 */
static void pit_eval(const PITChannel *c, int64_t t, bool *out, uint32_t *ce)
{
    int64_t n = c->n;
    int64_t e, p;

    if (c->load_tick == PIT_NEVER || t < c->load_tick) {
        *out = c->out_pre;
        *ce = c->ce_pre;
        return;
    }
    if (c->paused_tick != PIT_NEVER) {
        /* GATE low in modes 0 and 4: CE is loaded, but frozen. */
        t = MAX(MIN(t, c->paused_tick), c->load_tick);
    }
    e = t - c->load_tick;
    switch (pit_mode(c)) {
    case 0:
    case 1:
        *out = e >= n;
        *ce = pit_wrap(c, n - e);
        break;
    case 2:
        p = e % n;
        *out = n - p != 1;
        *ce = pit_wrap(c, n - p);
        break;
    case 3: {
        int64_t high = (n + 1) / 2;

        p = e % n;
        *out = p < high;
        *ce = pit_wrap(c, (n & ~1) - 2 * (p < high ? p : p - high));
        break;
    }
    default:
        *out = e != n;
        *ce = pit_wrap(c, n - e);
        break;
    }
}

static bool pit_out(const PITChannel *c, int64_t t)
{
    bool out;
    uint32_t ce;

    pit_eval(c, t, &out, &ce);
    return out;
}

/* The first CLK after t (t >= load_tick, counting) at which OUT
 * changes, or PIT_NEVER. */
static int64_t pit_edge_after(const PITChannel *c, int64_t t)
{
    int64_t n = c->n;
    int64_t e = t - c->load_tick;
    int64_t p = e % n, base = t - p;

    switch (pit_mode(c)) {
    case 0:
    case 1:
        return e < n ? c->load_tick + n : PIT_NEVER;
    case 2:
        if (n < 2) {
            return PIT_NEVER;
        }
        return p < n - 1 ? base + n - 1 : base + n;
    case 3:
        if (n < 2) {
            return PIT_NEVER;
        }
        return p < (n + 1) / 2 ? base + (n + 1) / 2 : base + n;
    default:
        if (e < n) {
            return c->load_tick + n;
        }
        return e == n ? c->load_tick + n + 1 : PIT_NEVER;
    }
}

static int64_t pit_next_edge(const PITChannel *c, int64_t t)
{
    int64_t edge;

    if (c->paused_tick != PIT_NEVER || c->load_tick == PIT_NEVER) {
        return PIT_NEVER;
    }
    if (t < c->load_tick) {
        edge = pit_out(c, c->load_tick) != pit_out(c, t)
               ? c->load_tick : pit_edge_after(c, c->load_tick);
    } else {
        edge = pit_edge_after(c, t);
    }
    if (c->reload_tick != PIT_NEVER && c->reload_tick > t &&
        c->reload_tick < edge) {
        edge = c->reload_tick;
    }
    return edge;
}

static bool pit_null_count(const PITChannel *c, int64_t t)
{
    return c->cr_load_tick == PIT_NEVER || t < c->cr_load_tick;
}

/* CR goes to CE on the CLK after t. */
static void pit_start(PITChannel *c, int64_t t, bool out_pre,
                      uint32_t ce_pre)
{
    c->out_pre = out_pre;
    c->ce_pre = ce_pre;
    c->n = pit_cr_value(c);
    c->load_tick = t + 1;
    c->cr_load_tick = t + 1;
    c->reload_tick = PIT_NEVER;
    c->paused_tick = PIT_NEVER;
}

/* Modes 2 and 3: a count written while counting is loaded at the end of
 * the current period (mode 2) or half-cycle (mode 3), without
 * disturbing OUT (82C54 "Mode 2", "Mode 3"). */
static void pit_schedule_reload(PITChannel *c, int64_t t)
{
    int64_t n = c->n;
    int64_t p = (t - c->load_tick) % n, base = t - p;
    int64_t high = (n + 1) / 2;

    if (pit_mode(c) == 2 || p >= high) {
        c->reload_tick = base + n;
        c->reload_base = base + n;
    } else {
        /* The new count starts with its low half. */
        c->reload_tick = base + high;
        c->reload_base = base + high - (pit_cr_value(c) + 1) / 2;
    }
    c->cr_load_tick = c->reload_tick;
}

/* A whole initial count was written (82C54 "Counter Loading"). */
static void pit_load_cr(PITChannel *c, int64_t t)
{
    bool out;
    uint32_t ce;

    pit_eval(c, t, &out, &ce);
    c->cr_valid = true;
    switch (pit_mode(c)) {
    case 0:
    case 4:
        /* Loaded on the next CLK, even during counting; with GATE low
         * it is loaded but not decremented. CR reaches CE then either
         * way, so NULL COUNT clears on time. */
        pit_start(c, t, pit_mode(c) == 0 ? false : out, ce);
        if (!c->gate) {
            c->paused_tick = t;
        }
        break;
    case 1:
    case 5:
        /* Waits for a trigger; a running one-shot is not disturbed. */
        c->cr_load_tick = PIT_NEVER;
        break;
    default:
        if (!c->gate) {
            c->cr_load_tick = PIT_NEVER;
        } else if (c->load_tick == PIT_NEVER || t < c->load_tick) {
            pit_start(c, t, true, ce);
        } else {
            pit_schedule_reload(c, t);
        }
        break;
    }
}

/* --- channel 0's IRQ ------------------------------------------------------ */

/* Sets IRQ 0 to channel 0's OUT at CLK t and arms the timer for the next
 * transition. */
static void pit_update_irq(PITState *s, int64_t t)
{
    PITChannel *c = &s->ch[0];
    bool out;

    pit_sync(c, t);
    out = pit_out(c, t);
    if (out != s->irq_level) {
        s->irq_level = out;
        irq_set(s->irq, out);
    }
    s->next_edge = pit_next_edge(c, t);
    if (s->next_edge == PIT_NEVER) {
        timer_del(s->timer);
    } else {
        timer_mod(s->timer, pit_tick_to_ns(s->next_edge));
    }
}

/* Evaluates at the edge's own CLK rather than "now", so a late timer
 * still shows every transition in order (bounded by PIT_MAX_LAG). */
static void pit_timer_cb(void *opaque)
{
    PITState *s = opaque;
    int64_t now = pit_now();
    int64_t t = s->next_edge;

    if (t == PIT_NEVER || t > now || now - t > PIT_MAX_LAG) {
        t = now;
    }
    pit_update_irq(s, t);
}

static void pit_changed(PITState *s, PITChannel *c, int64_t t)
{
    if (c == &s->ch[0]) {
        pit_update_irq(s, t);
    }
}

/* --- public interface ----------------------------------------------------- */

int pit_get_out(Device *dev, int channel)
{
    PITState *s = pit_of(dev);
    PITChannel *c = &s->ch[channel];
    int64_t t = pit_now();

    assert(channel >= 0 && channel < 3);
    pit_sync(c, t);
    return pit_out(c, t);
}

/*
 * GATE (82C54 "Gate" table): modes 0 and 4 count only while it is high;
 * in modes 1 and 5 a rising edge (re)triggers; in modes 2 and 3 low
 * stops counting with OUT high, and a rising edge restarts from CR.
 */
void pit_set_gate(Device *dev, int channel, int level)
{
    PITState *s = pit_of(dev);
    PITChannel *c = &s->ch[channel];
    int64_t t = pit_now();
    bool out;
    uint32_t ce;

    assert(channel >= 0 && channel < 3);
    level = level != 0;
    if (c->gate == level) {
        return;
    }
    pit_sync(c, t);
    pit_eval(c, t, &out, &ce);
    switch (pit_mode(c)) {
    case 0:
    case 4:
        if (!level) {
            c->paused_tick = t;
        } else if (c->paused_tick != PIT_NEVER) {
            /* GATE is sampled at each CLK: CE decrements again from the
             * CLK after t, as if the stopped stretch never happened. */
            if (c->load_tick == PIT_NEVER || c->load_tick > t) {
                /* not loaded yet: nothing to shift */
            } else if (c->load_tick <= c->paused_tick) {
                c->load_tick += t - c->paused_tick;
            } else {
                c->load_tick = t;
            }
            c->paused_tick = PIT_NEVER;
        }
        break;
    case 1:
    case 5:
        if (level && c->cr_valid) {
            pit_start(c, t, out, ce);
        }
        break;
    default:
        if (!level) {
            c->out_pre = true;
            c->ce_pre = ce;
            c->load_tick = PIT_NEVER;
            if (c->reload_tick != PIT_NEVER) {
                c->reload_tick = PIT_NEVER;
                c->cr_load_tick = PIT_NEVER;
            }
        } else if (c->cr_valid) {
            pit_start(c, t, true, ce);
        }
        break;
    }
    c->gate = level;
    pit_changed(s, c, t);
}

void pit_info(Device *dev, GString *out)
{
    PITState *s = pit_of(dev);
    int64_t t = pit_now();

    for (int i = 0; i < 3; i++) {
        PITChannel *c = &s->ch[i];
        bool o;
        uint32_t ce;

        pit_sync(c, t);
        pit_eval(c, t, &o, &ce);
        g_string_append_printf(out, "pit ch%d: mode=%d rw=%d bcd=%d "
                               "count=%u ce=%u gate=%d out=%d%s\n", i,
                               pit_mode(c), pit_rw(c), pit_bcd(c),
                               c->cr_valid ? pit_cr_value(c) : 0, ce,
                               c->gate, o,
                               c->load_tick == PIT_NEVER ? " (stopped)"
                                                         : "");
    }
}

/* --- registers ------------------------------------------------------------ */

static void pit_latch_count(PITChannel *c, int64_t t)
{
    bool out;
    uint32_t ce;

    if (c->count_latched) {
        return;     /* a second latch before the read is ignored */
    }
    pit_sync(c, t);
    pit_eval(c, t, &out, &ce);
    c->ol = pit_encode(c, ce);
    c->count_latched = true;
}

static void pit_latch_status(PITChannel *c, int64_t t)
{
    if (c->status_latched) {
        return;
    }
    pit_sync(c, t);
    c->status = (pit_out(c, t) ? PIT_STATUS_OUT : 0) |
                (pit_null_count(c, t) ? PIT_STATUS_NULL : 0) |
                (c->ctrl & PIT_CW_PROGRAM);
    c->status_latched = true;
}

static void pit_write_control(PITState *s, uint8_t val, int64_t t)
{
    int sc = val >> PIT_CW_SC_SHIFT;
    PITChannel *c;
    bool out;
    uint32_t ce;

    if (sc == PIT_CW_SC_READBACK) {
        for (int i = 0; i < 3; i++) {
            if (!(val & PIT_RB_COUNTER(i))) {
                continue;
            }
            if (!(val & PIT_RB_NOT_COUNT)) {
                pit_latch_count(&s->ch[i], t);
            }
            if (!(val & PIT_RB_NOT_STATUS)) {
                pit_latch_status(&s->ch[i], t);
            }
        }
        return;
    }
    c = &s->ch[sc];
    if (((val >> PIT_CW_RW_SHIFT) & 3) == PIT_RW_LATCH) {
        pit_latch_count(c, t);
        return;
    }
    /* A control word resets the counter's control logic; OUT goes low in
     * mode 0 and high in the others; CE keeps its (now meaningless)
     * value until a count is written. */
    pit_sync(c, t);
    pit_eval(c, t, &out, &ce);
    c->ctrl = val & PIT_CW_PROGRAM;
    c->cr_valid = false;
    c->write_msb = false;
    c->read_msb = false;
    c->count_latched = false;
    c->status_latched = false;
    c->load_tick = PIT_NEVER;
    c->paused_tick = PIT_NEVER;
    c->reload_tick = PIT_NEVER;
    c->cr_load_tick = PIT_NEVER;
    c->out_pre = pit_mode(c) != 0;
    c->ce_pre = pit_wrap(c, ce);
    pit_changed(s, c, t);
}

static void pit_write_counter(PITState *s, PITChannel *c, uint8_t val,
                              int64_t t)
{
    pit_sync(c, t);
    switch (pit_rw(c)) {
    case PIT_RW_LSB:
        c->cr = val;
        break;
    case PIT_RW_MSB:
        c->cr = val << 8;
        break;
    default:
        if (!c->write_msb) {
            c->cr = (c->cr & 0xff00) | val;
            c->write_msb = true;
            if (pit_mode(c) == 0) {
                /* Mode 0: the first byte stops counting and sets OUT
                 * low at once. */
                bool out;
                uint32_t ce;

                pit_eval(c, t, &out, &ce);
                c->ce_pre = ce;
                c->out_pre = false;
                c->load_tick = PIT_NEVER;
                c->paused_tick = PIT_NEVER;
                c->cr_load_tick = PIT_NEVER;
                pit_changed(s, c, t);
            }
            return;
        }
        c->cr = (c->cr & 0x00ff) | val << 8;
        c->write_msb = false;
        break;
    }
    pit_load_cr(c, t);
    pit_changed(s, c, t);
}

static uint8_t pit_read_counter(PITChannel *c, int64_t t)
{
    uint16_t val;
    uint8_t ret;

    if (c->status_latched) {
        /* The status comes first when both are latched. */
        c->status_latched = false;
        return c->status;
    }
    if (c->count_latched) {
        val = c->ol;
    } else {
        bool out;
        uint32_t ce;

        pit_sync(c, t);
        pit_eval(c, t, &out, &ce);
        val = pit_encode(c, ce);
    }
    switch (pit_rw(c)) {
    case PIT_RW_LSB:
        ret = val;
        c->count_latched = false;
        break;
    case PIT_RW_MSB:
        ret = val >> 8;
        c->count_latched = false;
        break;
    default:
        if (!c->read_msb) {
            ret = val;
            c->read_msb = true;
        } else {
            ret = val >> 8;
            c->read_msb = false;
            c->count_latched = false;
        }
        break;
    }
    return ret;
}

static uint64_t pit_io_read(void *opaque, uint64_t offset, unsigned size)
{
    PITState *s = opaque;

    if (offset > PIT_COUNTER2) {
        return 0xff;        /* the control port reads as no-operation */
    }
    return pit_read_counter(&s->ch[offset], pit_now());
}

static void pit_io_write(void *opaque, uint64_t offset, uint64_t value,
                         unsigned size)
{
    PITState *s = opaque;
    int64_t t = pit_now();

    if (offset == PIT_CONTROL) {
        pit_write_control(s, value, t);
    } else {
        pit_write_counter(s, &s->ch[offset], value, t);
    }
}

static const MemoryRegionOps pit_io_ops = {
    .read = pit_io_read,
    .write = pit_io_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,
};

/* --- device --------------------------------------------------------------- */

/*
 * The 82C54's state after power-up is undefined. As QEMU's PIT (which
 * guests have met for twenty years), every counter starts in mode 3,
 * LSB-then-MSB, with count 0 (65536): channel 0 ticks IRQ 0 at 18.2 Hz
 * before firmware programs it. GATE 0 and 1 are tied high; GATE 2 is
 * port 61h bit 0, low after reset.
 */
static void pit_reset(Device *dev)
{
    PITState *s = pit_of(dev);
    int64_t t = pit_now();

    for (int i = 0; i < 3; i++) {
        PITChannel *c = &s->ch[i];

        memset(c, 0, sizeof(*c));
        c->ctrl = PIT_RW_WORD << PIT_CW_RW_SHIFT | 3 << PIT_CW_MODE_SHIFT;
        c->gate = i != 2;
        c->cr_valid = true;
        c->load_tick = PIT_NEVER;
        c->paused_tick = PIT_NEVER;
        c->reload_tick = PIT_NEVER;
        c->cr_load_tick = PIT_NEVER;
        c->out_pre = true;
        pit_load_cr(c, t);
    }
    pit_update_irq(s, t);
}

static bool pit_realize(Device *dev, Machine *m, Error **errp)
{
    PITState *s = pit_of(dev);

    if (s->irq_num >= 16) {
        error_setg(errp, "isa-pit: irq %u is not an ISA IRQ (0-15)",
                   s->irq_num);
        return false;
    }
    s->irq = machine_gsi(m, s->irq_num);
    s->timer = timer_new(CLOCK_VIRTUAL, pit_timer_cb, s);
    s->next_edge = PIT_NEVER;
    memory_region_init_io(&s->io, "pit", &pit_io_ops, s, 4);
    memory_region_add_subregion(m->system_io, s->iobase, &s->io, 0);
    return true;
}

static bool pit_post_load(void *opaque, int version, Error **errp)
{
    PITState *s = opaque;

    for (int i = 0; i < 3; i++) {
        PITChannel *c = &s->ch[i];
        int rw = pit_rw(c);

        bool counting = c->load_tick != PIT_NEVER ||
                        c->reload_tick != PIT_NEVER;

        if ((c->ctrl & ~PIT_CW_PROGRAM) || rw == PIT_RW_LATCH ||
            (counting && (c->n < 1 || c->n > 65536))) {
            error_setg(errp, "isa-pit: inconsistent state for channel %d "
                       "(control %02x, count %u)", i, c->ctrl, c->n);
            return false;
        }
    }
    /* Re-send IRQ 0 even if unchanged, then re-arm. */
    s->irq_level = !pit_out(&s->ch[0], pit_now());
    pit_update_irq(s, pit_now());
    return true;
}

static const VMStateField pit_channel_fields[] = {
    VMSTATE_U8(ctrl, PITChannel),
    VMSTATE_U16(cr, PITChannel),
    VMSTATE_BOOL(cr_valid, PITChannel),
    VMSTATE_BOOL(write_msb, PITChannel),
    VMSTATE_BOOL(read_msb, PITChannel),
    VMSTATE_BOOL(count_latched, PITChannel),
    VMSTATE_U16(ol, PITChannel),
    VMSTATE_BOOL(status_latched, PITChannel),
    VMSTATE_U8(status, PITChannel),
    VMSTATE_BOOL(gate, PITChannel),
    VMSTATE_I64(load_tick, PITChannel),
    VMSTATE_U32(n, PITChannel),
    VMSTATE_BOOL(out_pre, PITChannel),
    VMSTATE_U16(ce_pre, PITChannel),
    VMSTATE_I64(paused_tick, PITChannel),
    VMSTATE_I64(reload_tick, PITChannel),
    VMSTATE_I64(reload_base, PITChannel),
    VMSTATE_I64(cr_load_tick, PITChannel),
    VMSTATE_END
};

static const VMStateDescription vmstate_pit_channel = {
    .name = "i8254-channel",
    .version = 1,
    .min_version = 1,
    .fields = pit_channel_fields,
};

static const VMStateField pit_fields[] = {
    VMSTATE_STRUCT_ARRAY(ch, PITState, 3, vmstate_pit_channel, PITChannel),
    VMSTATE_END
};

static const VMStateDescription vmstate_pit = {
    .name = "i8254",
    .version = 1,
    .min_version = 1,
    .fields = pit_fields,
    .post_load = pit_post_load,
};

static const Property pit_props[] = {
    DEFINE_PROP_U16("iobase", PITState, iobase, 0x40, "I/O base"),
    DEFINE_PROP_U8("irq", PITState, irq_num, 0, "ISA IRQ of channel 0"),
    DEFINE_PROP_END
};

const DeviceType pit_type = {
    .name = "isa-pit",
    .desc = "Intel 82C54 programmable interval timer",
    .bus = BUS_SYSTEM,
    .state_size = sizeof(PITState),
    .user_creatable = false,
    .realize = pit_realize,
    .reset = pit_reset,
    .props = pit_props,
    .vmsd = &vmstate_pit,
};
