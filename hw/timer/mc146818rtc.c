/*
 * Motorola MC146818A real-time clock plus RAM, the PC/AT's RTC and CMOS.
 *
 * Source: Motorola MC146818A datasheet: "Address Map" (time, alarm and
 * calendar bytes, registers A-D), "Time, Calendar and Alarm Locations"
 * (binary/BCD, 12/24-hour, don't-care alarm codes C0h-FFh), "Register
 * A" (UIP, DV2-0, RS3-0; Table 5, periodic rates), "Register B" (SET,
 * PIE, AIE, UIE, SQWE, DM, 24/12, DSE), "Register C" (IRQF, PF, AF, UF),
 * "Register D" (VRT), "Update Cycle" (Table 6: UIP is set 244 us before
 * the 1984 us update cycle), "Interrupts". The century byte at 32h and
 * the NMI mask in bit 7 of port 70h are IBM PC/AT conventions.
 *
 * Emulated: the clock, started from the host's UTC time (as QEMU's
 * -rtc base=utc) and advancing with CLOCK_VIRTUAL; binary and BCD,
 * 12- and 24-hour formats; the SET bit; the divider reset (the first
 * update comes half a second after it is released); UIP; the periodic
 * (every rate of RS3-0 with the 32.768 kHz time base), alarm (with
 * don't-care bytes) and update-ended interrupts and their flags; 128
 * bytes of CMOS, of which the board fills part for the firmware.
 *
 * Time: nothing ticks. The clock is "seconds since 1970" at a
 * divider-chain instant; registers are rendered from it when read, and
 * flags are derived lazily for the time that passed. A timer is armed
 * only for the next enabled interrupt whose flag is still clear.
 *
 * Not emulated: daylight saving (DSE is stored, no adjustment); the
 * square-wave pin (SQWE stored; the PC does not wire SQW); the test
 * divider settings (DV 011, 10x run as the normal time base); time
 * registers are converted when the guest flips DM or 24/12 with SET
 * clear, where the chip would keep the old bytes; lost-tick
 * compensation for guests that count periodic interrupts.
 */
#include "hw/timer/mc146818rtc.h"
#include "hw/irq.h"
#include "hw/machine.h"
#include "softmmu/memory.h"
#include "softmmu/timer.h"

/* Ports, relative to iobase */
#define RTC_INDEX_PORT      0
#define RTC_DATA_PORT       1
#define RTC_INDEX_MASK      0x7f
#define RTC_NMI_DISABLE     0x80

/* Address map */
#define RTC_SECONDS         0x00
#define RTC_SECONDS_ALARM   0x01
#define RTC_MINUTES         0x02
#define RTC_MINUTES_ALARM   0x03
#define RTC_HOURS           0x04
#define RTC_HOURS_ALARM     0x05
#define RTC_DAY_OF_WEEK     0x06
#define RTC_DAY_OF_MONTH    0x07
#define RTC_MONTH           0x08
#define RTC_YEAR            0x09
#define RTC_REG_A           0x0a
#define RTC_REG_B           0x0b
#define RTC_REG_C           0x0c
#define RTC_REG_D           0x0d
#define RTC_CENTURY         0x32    /* IBM PC/AT */
#define RTC_CMOS_SIZE       128

#define RTC_HOURS_PM        0x80    /* 12-hour mode */
#define RTC_ALARM_DONT_CARE 0xc0

/* Register A */
#define REG_A_UIP           0x80
#define REG_A_DV_SHIFT      4
#define REG_A_DV_MASK       0x70
#define REG_A_DV_32KHZ      0x20
#define REG_A_DV_RESET      0x60    /* 11x */
#define REG_A_RS_MASK       0x0f
/* Register B */
#define REG_B_SET           0x80
#define REG_B_PIE           0x40
#define REG_B_AIE           0x20
#define REG_B_UIE           0x10
#define REG_B_SQWE          0x08
#define REG_B_DM            0x04    /* 1: binary */
#define REG_B_24H           0x02
#define REG_B_DSE           0x01
/* Register C */
#define REG_C_IRQF          0x80
#define REG_C_PF            0x40
#define REG_C_AF            0x20
#define REG_C_UF            0x10
#define REG_C_FLAGS         (REG_C_PF | REG_C_AF | REG_C_UF)
/* Register D */
#define REG_D_VRT           0x80

/* Table 6, 32.768 kHz time base. The update cycle ends at the second
 * boundary of our time line; UIP rises t_BUC before it starts. */
#define RTC_BASE_FREQ       32768
#define RTC_UPDATE_CYCLE_NS 1984000     /* t_UC */
#define RTC_UIP_LEAD_NS     244000      /* t_BUC */
#define RTC_UIP_WINDOW_NS   (RTC_UPDATE_CYCLE_NS + RTC_UIP_LEAD_NS)

#define RTC_NEVER           INT64_MAX
#define SECS_PER_DAY        86400

typedef struct RTCState {
    Device dev;

    /* guest-visible state */
    uint8_t cmos[RTC_CMOS_SIZE];    /* time bytes: the last rendered or
                                       written values; C: PF/AF/UF */
    uint8_t index;
    bool nmi_disabled;              /* port 70h bit 7, for the board */
    int64_t chain_base_ns;          /* an update-cycle end (virtual ns) */
    int64_t time_base;              /* clock at chain_base_ns, s since 1970 */
    uint8_t wday_offset;            /* guest's weekday minus the real one */
    int64_t flags_synced_ns;        /* PF/AF/UF derived up to here */

    /* properties */
    uint16_t iobase;
    uint8_t irq_num;
    uint32_t base_year;

    /* wiring */
    IrqLine irq;
    bool irq_level;
    Timer *timer;
    MemoryRegion io;
} RTCState;

static RTCState *rtc_of(Device *dev)
{
    return container_of(dev, RTCState, dev);
}

/* --- arithmetic ----------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    return a - floor_div(a, b) * b;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (m 1-12). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = floor_div(y, 400);
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = floor_div(z, 146097);
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

/* --- register formats ----------------------------------------------------- */

static bool rtc_binary(const RTCState *s)
{
    return s->cmos[RTC_REG_B] & REG_B_DM;
}

static uint8_t rtc_to_reg(const RTCState *s, int v)
{
    if (rtc_binary(s)) {
        return v;
    }
    v %= 100;
    return (v / 10) << 4 | v % 10;
}

/* Non-decimal BCD digits count at face value (the datasheet leaves them
 * undefined). */
static int rtc_from_reg(const RTCState *s, uint8_t v)
{
    return rtc_binary(s) ? v : (v >> 4) * 10 + (v & 15);
}

static uint8_t rtc_hour_to_reg(const RTCState *s, int h)
{
    int h12;

    if (s->cmos[RTC_REG_B] & REG_B_24H) {
        return rtc_to_reg(s, h);
    }
    h12 = h % 12 ? h % 12 : 12;
    return rtc_to_reg(s, h12) | (h >= 12 ? RTC_HOURS_PM : 0);
}

/* 0-23, or -1 for a value no clock reading can have. */
static int rtc_hour_from_reg(const RTCState *s, uint8_t v)
{
    int h;

    if (s->cmos[RTC_REG_B] & REG_B_24H) {
        h = rtc_from_reg(s, v);
        return h < 24 ? h : -1;
    }
    h = rtc_from_reg(s, v & ~RTC_HOURS_PM);
    if (h < 1 || h > 12) {
        return -1;
    }
    return h % 12 + (v & RTC_HOURS_PM ? 12 : 0);
}

/* --- the clock ------------------------------------------------------------ */

static bool rtc_divider_running(const RTCState *s)
{
    return (s->cmos[RTC_REG_A] & REG_A_DV_RESET) != REG_A_DV_RESET;
}

/* Update cycles happen: time advances, UF and AF can be set. */
static bool rtc_updating(const RTCState *s)
{
    return rtc_divider_running(s) && !(s->cmos[RTC_REG_B] & REG_B_SET);
}

/* Update-cycle ends since chain_base_ns, at virtual time t. */
static int64_t rtc_updates_at(const RTCState *s, int64_t t)
{
    return floor_div(t - s->chain_base_ns, NANOSECONDS_PER_SECOND);
}

static int64_t rtc_seconds_at(const RTCState *s, int64_t t)
{
    return s->time_base + rtc_updates_at(s, t);
}

/* Writes the clock's reading at secs into the time bytes, in the
 * current format. */
static void rtc_render(RTCState *s, int64_t secs)
{
    int64_t days = floor_div(secs, SECS_PER_DAY);
    int64_t tod = secs - days * SECS_PER_DAY;
    int64_t year;
    int mon, mday;

    civil_from_days(days, &year, &mon, &mday);
    s->cmos[RTC_SECONDS] = rtc_to_reg(s, tod % 60);
    s->cmos[RTC_MINUTES] = rtc_to_reg(s, tod / 60 % 60);
    s->cmos[RTC_HOURS] = rtc_hour_to_reg(s, tod / 3600);
    s->cmos[RTC_DAY_OF_WEEK] =
        rtc_to_reg(s, floor_mod(days + 4 + s->wday_offset, 7) + 1);
    s->cmos[RTC_DAY_OF_MONTH] = rtc_to_reg(s, mday);
    s->cmos[RTC_MONTH] = rtc_to_reg(s, mon);
    s->cmos[RTC_YEAR] = rtc_to_reg(s, floor_mod(year - s->base_year, 100));
    s->cmos[RTC_CENTURY] = rtc_to_reg(s, floor_mod(floor_div(year, 100),
                                                   100));
}

/* The clock reading the time bytes hold. Out-of-range fields carry into
 * the next (61 seconds is a minute and one second): the chip's own
 * behaviour there is undefined. The weekday byte is kept as an offset,
 * since the chip counts it independently of the date. */
static int64_t rtc_regs_to_seconds(RTCState *s)
{
    int sec = rtc_from_reg(s, s->cmos[RTC_SECONDS]);
    int min = rtc_from_reg(s, s->cmos[RTC_MINUTES]);
    int mday = rtc_from_reg(s, s->cmos[RTC_DAY_OF_MONTH]);
    int mon0 = rtc_from_reg(s, s->cmos[RTC_MONTH]) - 1;
    int yreg = rtc_from_reg(s, s->cmos[RTC_YEAR]);
    int cent = rtc_from_reg(s, s->cmos[RTC_CENTURY]);
    int hour = rtc_hour_from_reg(s, s->cmos[RTC_HOURS]);
    int64_t year = (int64_t)cent * 100 + floor_mod(s->base_year + yreg, 100);
    int64_t days;

    if (hour < 0) {
        hour = rtc_from_reg(s, s->cmos[RTC_HOURS] & ~RTC_HOURS_PM);
    }
    year += floor_div(mon0, 12);
    days = days_from_civil(year, floor_mod(mon0, 12) + 1, 1) + mday - 1;
    s->wday_offset = floor_mod(rtc_from_reg(s, s->cmos[RTC_DAY_OF_WEEK]) -
                               1 - floor_mod(days + 4, 7), 7);
    return days * SECS_PER_DAY + hour * 3600 + min * 60 + sec;
}

/* Updates stop: the time bytes become the clock. */
static void rtc_freeze(RTCState *s, int64_t now)
{
    rtc_render(s, rtc_seconds_at(s, now));
}

/* Updates resume from what the time bytes say, on the divider chain's
 * phase. */
static void rtc_thaw(RTCState *s, int64_t now)
{
    s->time_base = rtc_regs_to_seconds(s) - rtc_updates_at(s, now);
}

static bool rtc_uip(const RTCState *s, int64_t now)
{
    int64_t phase;

    if (!rtc_updating(s)) {
        return false;       /* SET clears UIP; no updates in reset */
    }
    phase = floor_mod(now - s->chain_base_ns, NANOSECONDS_PER_SECOND);
    return phase >= NANOSECONDS_PER_SECOND - RTC_UIP_WINDOW_NS;
}

/* --- interrupts ----------------------------------------------------------- */

/* Periodic interrupt period in 32.768 kHz cycles (Table 5), 0: none. */
static int64_t rtc_periodic_cycles(const RTCState *s)
{
    int rs = s->cmos[RTC_REG_A] & REG_A_RS_MASK;

    if (!rs) {
        return 0;
    }
    return rs <= 2 ? 1 << (rs + 6) : 1 << (rs - 1);
}

static int64_t rtc_cycles_at(const RTCState *s, int64_t t)
{
    __int128 x = (__int128)(t - s->chain_base_ns) * RTC_BASE_FREQ;
    __int128 q = x / NANOSECONDS_PER_SECOND;

    return (int64_t)(x % NANOSECONDS_PER_SECOND < 0 ? q - 1 : q);
}

static int64_t rtc_cycles_to_ns(const RTCState *s, int64_t cycles)
{
    __int128 x = (__int128)cycles * NANOSECONDS_PER_SECOND;

    return s->chain_base_ns +
           (int64_t)((x + RTC_BASE_FREQ - 1) / RTC_BASE_FREQ);
}

/* The alarm bytes as 0-59/0-23, -1 for don't care, or false if they
 * can never match a clock reading. */
static bool rtc_alarm_fields(const RTCState *s, int *h, int *m, int *sec)
{
    uint8_t ah = s->cmos[RTC_HOURS_ALARM];
    uint8_t am = s->cmos[RTC_MINUTES_ALARM];
    uint8_t as = s->cmos[RTC_SECONDS_ALARM];

    *h = (ah & RTC_ALARM_DONT_CARE) == RTC_ALARM_DONT_CARE
         ? -1 : rtc_hour_from_reg(s, ah);
    *m = (am & RTC_ALARM_DONT_CARE) == RTC_ALARM_DONT_CARE
         ? -1 : rtc_from_reg(s, am);
    *sec = (as & RTC_ALARM_DONT_CARE) == RTC_ALARM_DONT_CARE
           ? -1 : rtc_from_reg(s, as);
    if ((ah & RTC_ALARM_DONT_CARE) != RTC_ALARM_DONT_CARE && *h < 0) {
        return false;
    }
    return *m < 60 && *sec < 60;
}

/* The first clock reading after secs that matches the alarm, or
 * RTC_NEVER. Jumps field by field, so it ends within a few dozen steps
 * whatever the pattern. */
static int64_t rtc_next_alarm(const RTCState *s, int64_t secs)
{
    int ah, am, as;
    int64_t t = secs + 1;

    if (!rtc_alarm_fields(s, &ah, &am, &as)) {
        return RTC_NEVER;
    }
    for (int i = 0; i < 256; i++) {
        int64_t tod = floor_mod(t, SECS_PER_DAY);
        int h = tod / 3600, m = tod / 60 % 60, sec = tod % 60;

        if (ah >= 0 && h != ah) {
            t += (ah > h ? ah - h : 24 - h + ah) * 3600 - m * 60 - sec;
        } else if (am >= 0 && m != am) {
            t += (am > m ? am - m : 60 - m + am) * 60 - sec;
        } else if (as >= 0 && sec != as) {
            t += as > sec ? as - sec : 60 - sec + as;
        } else {
            return t;
        }
    }
    return RTC_NEVER;
}

/*
 * Sets the flags for the events between the last sync and now: PF at
 * each periodic tap edge (regardless of PIE), UF at the end of each
 * update cycle, AF at an update whose new reading matches the alarm
 * (datasheet, "Interrupts"). Call before changing anything they depend
 * on, so each stretch of time is judged with its own settings.
 */
static void rtc_sync_flags(RTCState *s, int64_t now)
{
    int64_t last = s->flags_synced_ns;
    int64_t period = rtc_periodic_cycles(s);

    if (now <= last) {
        return;
    }
    if (rtc_divider_running(s) && period &&
        floor_div(rtc_cycles_at(s, now), period) >
        floor_div(rtc_cycles_at(s, last), period)) {
        s->cmos[RTC_REG_C] |= REG_C_PF;
    }
    if (rtc_updating(s)) {
        int64_t from = rtc_seconds_at(s, last);
        int64_t to = rtc_seconds_at(s, now);
        if (to > from) {
            s->cmos[RTC_REG_C] |= REG_C_UF;
            if (rtc_next_alarm(s, from) <= to) {
                s->cmos[RTC_REG_C] |= REG_C_AF;
            }
        }
    }
    s->flags_synced_ns = now;
}

static bool rtc_irqf(const RTCState *s)
{
    uint8_t b = s->cmos[RTC_REG_B], c = s->cmos[RTC_REG_C];

    return ((c & REG_C_PF) && (b & REG_B_PIE)) ||
           ((c & REG_C_AF) && (b & REG_B_AIE)) ||
           ((c & REG_C_UF) && (b & REG_B_UIE));
}

/* The virtual time of the next event that would raise IRQF, or
 * RTC_NEVER: only enabled interrupts whose flag is still clear count. */
static int64_t rtc_next_event(const RTCState *s, int64_t now)
{
    uint8_t b = s->cmos[RTC_REG_B], c = s->cmos[RTC_REG_C];
    int64_t period = rtc_periodic_cycles(s);
    int64_t next = RTC_NEVER;

    if (!rtc_divider_running(s)) {
        return RTC_NEVER;
    }
    if ((b & REG_B_PIE) && !(c & REG_C_PF) && period) {
        int64_t k = floor_div(rtc_cycles_at(s, now), period) + 1;
        next = MIN(next, rtc_cycles_to_ns(s, k * period));
    }
    if (rtc_updating(s)) {
        int64_t k = rtc_updates_at(s, now);
        if ((b & REG_B_UIE) && !(c & REG_C_UF)) {
            next = MIN(next, s->chain_base_ns +
                             (k + 1) * NANOSECONDS_PER_SECOND);
        }
        if ((b & REG_B_AIE) && !(c & REG_C_AF)) {
            int64_t a = rtc_next_alarm(s, s->time_base + k);
            if (a != RTC_NEVER) {
                next = MIN(next, s->chain_base_ns + (a - s->time_base) *
                                 NANOSECONDS_PER_SECOND);
            }
        }
    }
    return next;
}

/* IRQ 8 follows IRQF; the timer waits for the next event that could
 * change it. */
static void rtc_update_irq(RTCState *s, int64_t now)
{
    bool level = rtc_irqf(s);
    int64_t next;

    if (level != s->irq_level) {
        s->irq_level = level;
        irq_set(s->irq, level);
    }
    next = level ? RTC_NEVER : rtc_next_event(s, now);
    if (next == RTC_NEVER) {
        timer_del(s->timer);
    } else {
        timer_mod(s->timer, next);
    }
}

static void rtc_timer_cb(void *opaque)
{
    RTCState *s = opaque;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);

    rtc_sync_flags(s, now);
    rtc_update_irq(s, now);
}

/* --- registers ------------------------------------------------------------ */

static bool rtc_is_time_byte(int addr)
{
    switch (addr) {
    case RTC_SECONDS:
    case RTC_MINUTES:
    case RTC_HOURS:
    case RTC_DAY_OF_WEEK:
    case RTC_DAY_OF_MONTH:
    case RTC_MONTH:
    case RTC_YEAR:
    case RTC_CENTURY:
        return true;
    default:
        return false;
    }
}

/* A CMOS byte as read, without side effects. */
static uint8_t rtc_peek(RTCState *s, int addr, int64_t now)
{
    if (rtc_is_time_byte(addr)) {
        if (rtc_updating(s)) {
            rtc_render(s, rtc_seconds_at(s, now));
        }
        return s->cmos[addr];
    }
    switch (addr) {
    case RTC_REG_A:
        return (s->cmos[RTC_REG_A] & ~REG_A_UIP) |
               (rtc_uip(s, now) ? REG_A_UIP : 0);
    case RTC_REG_C:
        rtc_sync_flags(s, now);
        rtc_update_irq(s, now);
        return (s->cmos[RTC_REG_C] & REG_C_FLAGS) |
               (rtc_irqf(s) ? REG_C_IRQF : 0);
    case RTC_REG_D:
        return REG_D_VRT;   /* the battery is always good */
    default:
        return s->cmos[addr];
    }
}

static uint8_t rtc_read(RTCState *s, int addr, int64_t now)
{
    uint8_t val = rtc_peek(s, addr, now);

    if (addr == RTC_REG_C) {
        /* Reading C clears every flag and so IRQF. */
        s->cmos[RTC_REG_C] = 0;
        rtc_update_irq(s, now);
    }
    return val;
}

static void rtc_write_reg_a(RTCState *s, uint8_t val, int64_t now)
{
    bool was_running = rtc_divider_running(s);
    bool was_updating = rtc_updating(s);

    if (was_updating && (val & REG_A_DV_RESET) == REG_A_DV_RESET) {
        rtc_freeze(s, now);
    }
    s->cmos[RTC_REG_A] = val & ~REG_A_UIP;
    if (!was_running && rtc_divider_running(s)) {
        /* The first update cycle begins half a second after the
         * divider reset is removed. */
        s->chain_base_ns = now + NANOSECONDS_PER_SECOND / 2 +
                           RTC_UPDATE_CYCLE_NS - NANOSECONDS_PER_SECOND;
        if (rtc_updating(s)) {
            rtc_thaw(s, now);
        }
    }
    if ((val & REG_A_DV_MASK) != REG_A_DV_32KHZ &&
        (val & REG_A_DV_RESET) != REG_A_DV_RESET) {
        unimp_log("mc146818rtc: divider select %x treated as 32.768 kHz\n",
                  (val & REG_A_DV_MASK) >> REG_A_DV_SHIFT);
    }
}

static void rtc_write_reg_b(RTCState *s, uint8_t val, int64_t now)
{
    uint8_t old = s->cmos[RTC_REG_B];

    /* Both conversions use the format in effect before this write: the
     * one the bytes were rendered in, or written in under SET. */
    if (val & REG_B_SET) {
        val &= ~REG_B_UIE;      /* SET going high clears UIE */
        if (!(old & REG_B_SET) && rtc_divider_running(s)) {
            rtc_freeze(s, now);
        }
    } else if ((old & REG_B_SET) && rtc_divider_running(s)) {
        rtc_thaw(s, now);
    }
    s->cmos[RTC_REG_B] = val;
    if (val & REG_B_DSE) {
        unimp_log("mc146818rtc: daylight saving (DSE) not emulated\n");
    }
}

static void rtc_write(RTCState *s, int addr, uint8_t val, int64_t now)
{
    rtc_sync_flags(s, now);
    if (rtc_is_time_byte(addr)) {
        if (rtc_updating(s)) {
            /* The chip lets software change a running clock; the rest
             * of the reading stays as it is now. */
            rtc_render(s, rtc_seconds_at(s, now));
            s->cmos[addr] = val;
            rtc_thaw(s, now);
        } else {
            s->cmos[addr] = val;
        }
    } else {
        switch (addr) {
        case RTC_REG_A:
            rtc_write_reg_a(s, val, now);
            break;
        case RTC_REG_B:
            rtc_write_reg_b(s, val, now);
            break;
        case RTC_REG_C:
        case RTC_REG_D:
            break;              /* read-only */
        default:
            s->cmos[addr] = val;
            break;
        }
    }
    rtc_update_irq(s, now);
}

static uint64_t rtc_io_read(void *opaque, uint64_t offset, unsigned size)
{
    RTCState *s = opaque;

    if (offset == RTC_INDEX_PORT) {
        return 0xff;            /* write-only on the PC/AT */
    }
    return rtc_read(s, s->index, clock_get_ns(CLOCK_VIRTUAL));
}

static void rtc_io_write(void *opaque, uint64_t offset, uint64_t value,
                         unsigned size)
{
    RTCState *s = opaque;

    if (offset == RTC_INDEX_PORT) {
        s->index = value & RTC_INDEX_MASK;
        s->nmi_disabled = value & RTC_NMI_DISABLE;
        return;
    }
    rtc_write(s, s->index, value, clock_get_ns(CLOCK_VIRTUAL));
}

static const MemoryRegionOps rtc_io_ops = {
    .read = rtc_io_read,
    .write = rtc_io_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,
};

/* --- public interface ----------------------------------------------------- */

void rtc_set_cmos(Device *dev, int addr, uint8_t val)
{
    assert(addr >= 0 && addr < RTC_CMOS_SIZE);
    rtc_write(rtc_of(dev), addr, val, clock_get_ns(CLOCK_VIRTUAL));
}

uint8_t rtc_get_cmos(Device *dev, int addr)
{
    assert(addr >= 0 && addr < RTC_CMOS_SIZE);
    return rtc_peek(rtc_of(dev), addr, clock_get_ns(CLOCK_VIRTUAL));
}

/* --- device --------------------------------------------------------------- */

/* The RESET pin (datasheet, "RESET"): clears PIE, AIE, UIE, SQWE and
 * the flags; the clock, the divider and the RAM are battery-backed and
 * stay as they are. */
static void rtc_reset(Device *dev)
{
    RTCState *s = rtc_of(dev);
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);

    s->cmos[RTC_REG_B] &= ~(REG_B_PIE | REG_B_AIE | REG_B_UIE | REG_B_SQWE);
    s->cmos[RTC_REG_C] = 0;
    s->flags_synced_ns = now;
    rtc_update_irq(s, now);
}

/* Power-on: the host's UTC time on the host's second boundaries, 32.768
 * kHz divider with 1024 Hz periodic rate (26h), BCD, 24-hour (02h). */
static bool rtc_realize(Device *dev, Machine *m, Error **errp)
{
    RTCState *s = rtc_of(dev);
    int64_t host = clock_get_ns(CLOCK_HOST);
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);

    if (s->irq_num >= 16) {
        error_setg(errp, "mc146818rtc: irq %u is not an ISA IRQ (0-15)",
                   s->irq_num);
        return false;
    }
    if (s->base_year > 9999) {
        error_setg(errp, "mc146818rtc: base_year %u is out of range "
                   "(0-9999)", s->base_year);
        return false;
    }
    s->irq = machine_gsi(m, s->irq_num);
    s->timer = timer_new(CLOCK_VIRTUAL, rtc_timer_cb, s);
    s->cmos[RTC_REG_A] = REG_A_DV_32KHZ | 6;
    s->cmos[RTC_REG_B] = REG_B_24H;
    s->time_base = floor_div(host, NANOSECONDS_PER_SECOND);
    s->chain_base_ns = now - floor_mod(host, NANOSECONDS_PER_SECOND);
    s->flags_synced_ns = now;
    rtc_render(s, s->time_base);
    memory_region_init_io(&s->io, "rtc", &rtc_io_ops, s, 2);
    memory_region_add_subregion(m->system_io, s->iobase, &s->io, 0);
    return true;
}

static bool rtc_post_load(void *opaque, int version, Error **errp)
{
    RTCState *s = opaque;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);

    if (s->index >= RTC_CMOS_SIZE || s->wday_offset >= 7 ||
        (s->cmos[RTC_REG_C] & ~REG_C_FLAGS)) {
        error_setg(errp, "mc146818rtc: inconsistent state (index %u, "
                   "register C %02x)", s->index, s->cmos[RTC_REG_C]);
        return false;
    }
    s->cmos[RTC_REG_A] &= ~REG_A_UIP;
    s->irq_level = !rtc_irqf(s);    /* re-send IRQ 8 */
    rtc_sync_flags(s, now);
    rtc_update_irq(s, now);
    return true;
}

static const VMStateField rtc_fields[] = {
    VMSTATE_BUFFER(cmos, RTCState),
    VMSTATE_U8(index, RTCState),
    VMSTATE_BOOL(nmi_disabled, RTCState),
    VMSTATE_I64(chain_base_ns, RTCState),
    VMSTATE_I64(time_base, RTCState),
    VMSTATE_U8(wday_offset, RTCState),
    VMSTATE_I64(flags_synced_ns, RTCState),
    VMSTATE_END
};

static const VMStateDescription vmstate_rtc = {
    .name = "mc146818rtc",
    .version = 1,
    .min_version = 1,
    .fields = rtc_fields,
    .post_load = rtc_post_load,
};

static const Property rtc_props[] = {
    DEFINE_PROP_U16("iobase", RTCState, iobase, 0x70, "I/O base"),
    DEFINE_PROP_U8("irq", RTCState, irq_num, 8, "ISA IRQ"),
    DEFINE_PROP_U32("base_year", RTCState, base_year, 2000,
                    "year that the year byte counts from"),
    DEFINE_PROP_END
};

const DeviceType mc146818rtc_type = {
    .name = "mc146818rtc",
    .desc = "Motorola MC146818A RTC and CMOS RAM",
    .bus = BUS_SYSTEM,
    .state_size = sizeof(RTCState),
    .user_creatable = false,
    .realize = rtc_realize,
    .reset = rtc_reset,
    .props = rtc_props,
    .vmsd = &vmstate_rtc,
};
