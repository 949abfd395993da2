/*
 * The MC146818A RTC and CMOS (70h-71h, IRQ 8) over the qtest socket: the
 * clock starts at the host's UTC time and advances with the virtual
 * clock; SET, the divider reset (first update half a second after its
 * release), UIP timing, BCD/binary and 12/24-hour formats, the calendar
 * across month, leap day and century; periodic interrupts at their
 * programmed rates, update-ended and alarm interrupts (with don't-care
 * bytes), register C; CMOS RAM, the NMI bit of the index port; a
 * register fuzz.
 *
 * Time line (datasheet, "Update Cycle", Table 6): releasing the divider
 * reset at virtual time T starts the first update cycle at T + 500 ms;
 * it ends 1984 us later, when the new time is visible and UF/AF are
 * set: E1 = T + 501.984 ms, then every second. UIP is set from 244 us
 * before each cycle to its end.
 */
#include "libqtest.h"

#include <time.h>

#define RTC_INDEX       0x70
#define RTC_DATA        0x71

#define RTC_SECONDS     0x00
#define RTC_SEC_ALARM   0x01
#define RTC_MINUTES     0x02
#define RTC_MIN_ALARM   0x03
#define RTC_HOURS       0x04
#define RTC_HOUR_ALARM  0x05
#define RTC_WDAY        0x06
#define RTC_MDAY        0x07
#define RTC_MONTH       0x08
#define RTC_YEAR        0x09
#define RTC_REG_A       0x0a
#define RTC_REG_B       0x0b
#define RTC_REG_C       0x0c
#define RTC_REG_D       0x0d
#define RTC_CENTURY     0x32

#define REG_A_UIP       0x80
#define REG_A_DV_RESET  0x70
#define REG_A_DV_32K    0x20
#define REG_B_SET       0x80
#define REG_B_PIE       0x40
#define REG_B_AIE       0x20
#define REG_B_UIE       0x10
#define REG_B_DM        0x04
#define REG_B_24H       0x02
#define REG_C_IRQF      0x80
#define REG_C_PF        0x40
#define REG_C_AF        0x20
#define REG_C_UF        0x10

#define IRQ8            8
#define NS_PER_SEC      1000000000LL
#define FIRST_UPDATE_NS (NS_PER_SEC / 2 + 1984000)
#define UIP_WINDOW_NS   (244000 + 1984000)

static QTestState *start(void)
{
    QTestState *s = qtest_init("-m 128");

    qtest_irq_intercept_in(s, "ioapic");
    return s;
}

static uint8_t cmos_read(QTestState *s, uint8_t idx)
{
    qtest_outb(s, RTC_INDEX, idx);
    return qtest_inb(s, RTC_DATA);
}

static void cmos_write(QTestState *s, uint8_t idx, uint8_t val)
{
    qtest_outb(s, RTC_INDEX, idx);
    qtest_outb(s, RTC_DATA, val);
}

static uint8_t bcd(int v)
{
    return (v / 10) << 4 | v % 10;
}

static int unbcd(uint8_t v)
{
    return (v >> 4) * 10 + (v & 15);
}

/* Sets the clock in BCD, 24-hour mode, under SET, and stops the divider
 * so the next start_divider fixes the update phase. */
static void set_time(QTestState *s, int year, int mon, int mday, int hour,
                     int min, int sec)
{
    struct tm tm = {
        .tm_year = year - 1900, .tm_mon = mon - 1, .tm_mday = mday,
        .tm_hour = hour, .tm_min = min, .tm_sec = sec,
    };
    time_t t = timegm(&tm);

    gmtime_r(&t, &tm);
    cmos_write(s, RTC_REG_A, REG_A_DV_RESET);
    cmos_write(s, RTC_REG_B, REG_B_SET | REG_B_24H);
    cmos_write(s, RTC_SECONDS, bcd(sec));
    cmos_write(s, RTC_MINUTES, bcd(min));
    cmos_write(s, RTC_HOURS, bcd(hour));
    cmos_write(s, RTC_WDAY, tm.tm_wday + 1);
    cmos_write(s, RTC_MDAY, bcd(mday));
    cmos_write(s, RTC_MONTH, bcd(mon));
    cmos_write(s, RTC_YEAR, bcd(year % 100));
    cmos_write(s, RTC_CENTURY, bcd(year / 100));
    cmos_write(s, RTC_REG_B, REG_B_24H);
}

/* Releases the divider reset with rate rs; returns E1, the end of the
 * first update cycle. */
static int64_t start_divider(QTestState *s, int rs)
{
    int64_t t = qtest_clock_get(s);

    cmos_write(s, RTC_REG_A, REG_A_DV_32K | rs);
    return t + FIRST_UPDATE_NS;
}

/* The clock as a time_t, read in BCD 24-hour mode. */
static time_t read_time(QTestState *s)
{
    struct tm tm = {
        .tm_sec = unbcd(cmos_read(s, RTC_SECONDS)),
        .tm_min = unbcd(cmos_read(s, RTC_MINUTES)),
        .tm_hour = unbcd(cmos_read(s, RTC_HOURS)),
        .tm_mday = unbcd(cmos_read(s, RTC_MDAY)),
        .tm_mon = unbcd(cmos_read(s, RTC_MONTH)) - 1,
        .tm_year = unbcd(cmos_read(s, RTC_CENTURY)) * 100 +
                   unbcd(cmos_read(s, RTC_YEAR)) - 1900,
    };

    return timegm(&tm);
}

static void test_power_on(void)
{
    QTestState *s = start();
    time_t host = time(NULL);
    time_t rtc = read_time(s);

    g_assert_cmphex(cmos_read(s, RTC_REG_A) & 0x7f, ==, 0x26);
    g_assert_cmphex(cmos_read(s, RTC_REG_B), ==, REG_B_24H);
    g_assert_cmphex(cmos_read(s, RTC_REG_C), ==, 0x00);
    g_assert_cmphex(cmos_read(s, RTC_REG_D), ==, 0x80);
    /* UTC, within the time it took to start the emulator. */
    g_assert_cmpint(rtc, <=, host + 1);
    g_assert_cmpint(rtc, >=, host - 30);
    /* Advances with the virtual clock only. */
    qtest_clock_step(s, 3 * NS_PER_SEC);
    g_assert_cmpint(read_time(s), ==, rtc + 3);
    g_assert_false(qtest_get_irq(s, IRQ8));
    qtest_quit(s);
}

static void test_calendar(void)
{
    static const struct {
        int y, mo, d, h, mi, se;
    } cases[] = {
        { 2099, 12, 31, 23, 59, 59 },
        { 2024, 2, 28, 23, 59, 59 },
        { 2023, 2, 28, 23, 59, 59 },
        { 2000, 2, 29, 23, 59, 59 },
        { 2025, 4, 30, 9, 59, 59 },
    };
    QTestState *s = start();

    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        struct tm tm = {
            .tm_year = cases[i].y - 1900, .tm_mon = cases[i].mo - 1,
            .tm_mday = cases[i].d, .tm_hour = cases[i].h,
            .tm_min = cases[i].mi, .tm_sec = cases[i].se,
        };
        time_t t = timegm(&tm), next = t + 1;
        int64_t e1;

        set_time(s, cases[i].y, cases[i].mo, cases[i].d, cases[i].h,
                 cases[i].mi, cases[i].se);
        /* Stopped while the divider is in reset. */
        qtest_clock_step(s, 3 * NS_PER_SEC);
        g_assert_cmpint(read_time(s), ==, t);
        e1 = start_divider(s, 6);
        qtest_clock_set(s, e1 - 1);
        g_assert_cmpint(read_time(s), ==, t);
        qtest_clock_set(s, e1);
        g_assert_cmpint(read_time(s), ==, next);
        gmtime_r(&next, &tm);
        g_assert_cmpint(cmos_read(s, RTC_WDAY), ==, tm.tm_wday + 1);
        g_assert_cmphex(cmos_read(s, RTC_CENTURY), ==,
                        bcd((tm.tm_year + 1900) / 100));
        qtest_clock_set(s, e1 + 10 * NS_PER_SEC);
        g_assert_cmpint(read_time(s), ==, next + 10);
    }
    /* The weekday is the chip's own counter, whatever the date says: 7
     * (Saturday) rolls over to 1 at midnight. */
    set_time(s, 2024, 5, 1, 23, 59, 59);
    cmos_write(s, RTC_REG_B, REG_B_SET | REG_B_24H);
    cmos_write(s, RTC_WDAY, 7);
    cmos_write(s, RTC_REG_B, REG_B_24H);
    {
        int64_t e1 = start_divider(s, 6);
        g_assert_cmpint(cmos_read(s, RTC_WDAY), ==, 7);
        qtest_clock_set(s, e1);
        g_assert_cmpint(cmos_read(s, RTC_WDAY), ==, 1);
        /* Back to 23:59:59 of the new day: it counts on from 1. */
        qtest_clock_set(s, e1 + NS_PER_SEC / 2);
        cmos_write(s, RTC_REG_B, REG_B_SET | REG_B_24H);
        cmos_write(s, RTC_HOURS, 0x23);
        cmos_write(s, RTC_MINUTES, 0x59);
        cmos_write(s, RTC_SECONDS, 0x59);
        cmos_write(s, RTC_REG_B, REG_B_24H);
        qtest_clock_set(s, e1 + NS_PER_SEC);
        g_assert_cmpint(cmos_read(s, RTC_WDAY), ==, 2);
        g_assert_cmphex(cmos_read(s, RTC_MDAY), ==, 0x03);
    }
    /* SET stops updates; clearing it resumes on the divider's phase. */
    set_time(s, 2030, 6, 15, 8, 0, 0);
    {
        int64_t e1 = start_divider(s, 6);
        qtest_clock_set(s, e1 + NS_PER_SEC / 2);
        cmos_write(s, RTC_REG_B, REG_B_SET | REG_B_24H);
        qtest_clock_step(s, 5 * NS_PER_SEC);
        g_assert_cmphex(cmos_read(s, RTC_SECONDS), ==, 0x01);
        cmos_write(s, RTC_SECONDS, 0x30);
        cmos_write(s, RTC_REG_B, REG_B_24H);
        qtest_clock_set(s, e1 + 6 * NS_PER_SEC - 1);
        g_assert_cmphex(cmos_read(s, RTC_SECONDS), ==, 0x30);
        qtest_clock_set(s, e1 + 6 * NS_PER_SEC);
        g_assert_cmphex(cmos_read(s, RTC_SECONDS), ==, 0x31);
    }
    qtest_quit(s);
}

static void test_uip(void)
{
    QTestState *s = start();
    int64_t e1, e2;

    set_time(s, 2024, 1, 1, 0, 0, 0);
    e1 = start_divider(s, 6);
    e2 = e1 + NS_PER_SEC;
    g_assert_false(cmos_read(s, RTC_REG_A) & REG_A_UIP);
    qtest_clock_set(s, e1 - UIP_WINDOW_NS - 1);
    g_assert_false(cmos_read(s, RTC_REG_A) & REG_A_UIP);
    qtest_clock_set(s, e1 - UIP_WINDOW_NS);
    g_assert_true(cmos_read(s, RTC_REG_A) & REG_A_UIP);
    qtest_clock_set(s, e1 - 1);
    g_assert_true(cmos_read(s, RTC_REG_A) & REG_A_UIP);
    qtest_clock_set(s, e1);
    g_assert_false(cmos_read(s, RTC_REG_A) & REG_A_UIP);
    /* UIP is read-only; SET clears it. */
    qtest_clock_set(s, e2 - 1000);
    cmos_write(s, RTC_REG_A, REG_A_DV_32K | 6);
    g_assert_cmphex(cmos_read(s, RTC_REG_A), ==, REG_A_UIP | 0x26);
    cmos_write(s, RTC_REG_B, REG_B_SET | REG_B_24H);
    g_assert_cmphex(cmos_read(s, RTC_REG_A), ==, 0x26);
    cmos_write(s, RTC_REG_B, REG_B_24H);
    g_assert_cmphex(cmos_read(s, RTC_REG_A), ==, REG_A_UIP | 0x26);
    qtest_quit(s);
}

static void test_formats(void)
{
    QTestState *s = start();

    set_time(s, 2024, 7, 4, 13, 45, 30);
    start_divider(s, 6);
    g_assert_cmphex(cmos_read(s, RTC_HOURS), ==, 0x13);
    g_assert_cmphex(cmos_read(s, RTC_MINUTES), ==, 0x45);
    /* Binary, 24-hour. */
    cmos_write(s, RTC_REG_B, REG_B_DM | REG_B_24H);
    g_assert_cmpuint(cmos_read(s, RTC_HOURS), ==, 13);
    g_assert_cmpuint(cmos_read(s, RTC_MINUTES), ==, 45);
    g_assert_cmpuint(cmos_read(s, RTC_SECONDS), ==, 30);
    g_assert_cmpuint(cmos_read(s, RTC_YEAR), ==, 24);
    g_assert_cmpuint(cmos_read(s, RTC_CENTURY), ==, 20);
    g_assert_cmpuint(cmos_read(s, RTC_MONTH), ==, 7);
    /* 12-hour: bit 7 is PM. */
    cmos_write(s, RTC_REG_B, REG_B_DM);
    g_assert_cmphex(cmos_read(s, RTC_HOURS), ==, 0x81);
    cmos_write(s, RTC_REG_B, 0);
    g_assert_cmphex(cmos_read(s, RTC_HOURS), ==, 0x81);
    /* Midnight and noon in 12-hour mode are 12. */
    set_time(s, 2024, 7, 4, 0, 10, 0);
    start_divider(s, 6);
    cmos_write(s, RTC_REG_B, 0);
    g_assert_cmphex(cmos_read(s, RTC_HOURS), ==, 0x12);
    set_time(s, 2024, 7, 4, 12, 10, 0);
    start_divider(s, 6);
    cmos_write(s, RTC_REG_B, 0);
    g_assert_cmphex(cmos_read(s, RTC_HOURS), ==, 0x92);
    /* Set in binary 12-hour mode: 11 PM is 23. */
    cmos_write(s, RTC_REG_B, REG_B_SET | REG_B_DM);
    cmos_write(s, RTC_HOURS, 0x80 | 11);
    cmos_write(s, RTC_REG_B, REG_B_DM | REG_B_24H);
    g_assert_cmpuint(cmos_read(s, RTC_HOURS), ==, 23);
    qtest_quit(s);
}

/* The first periodic edge after t, for a divider released at T: the
 * 32.768 kHz chain counts from the same origin as the update cycles. */
static int64_t periodic_edge_after(int64_t T, int64_t t, int64_t cycles)
{
    int64_t origin = T + FIRST_UPDATE_NS - NS_PER_SEC;
    int64_t c = (__int128)(t - origin) * 32768 / NS_PER_SEC;
    int64_t k = (c / cycles + 1) * cycles;

    return origin + ((__int128)k * NS_PER_SEC + 32767) / 32768;
}

/* Counts IRQ 8 edges up to and including to, acknowledging each by reading
 * register C. */
static int count_periodic(QTestState *s, int64_t to)
{
    int n = 0;

    for (;;) {
        int64_t t = qtest_clock_step_next(s);
        if (t > to) {
            break;
        }
        if (qtest_get_irq(s, IRQ8)) {
            g_assert_cmphex(cmos_read(s, RTC_REG_C) & ~REG_C_UF, ==,
                            REG_C_IRQF | REG_C_PF);
            g_assert_false(qtest_get_irq(s, IRQ8));
            n++;
        }
    }
    return n;
}

static void test_periodic(void)
{
    static const struct {
        int rs;
        int64_t cycles;     /* of 32.768 kHz */
        int64_t window_ns;
        int expect;
    } rates[] = {
        { 15, 16384, 2 * NS_PER_SEC, 4 },       /* 2 Hz */
        { 6, 32, NS_PER_SEC, 1024 },
        { 1, 128, NS_PER_SEC / 2, 128 },        /* 256 Hz, as RS=8 */
        { 2, 256, NS_PER_SEC / 2, 64 },
        { 3, 4, NS_PER_SEC / 8, 1024 },         /* 8192 Hz */
        { 10, 512, NS_PER_SEC, 64 },
    };
    QTestState *s = start();

    for (unsigned i = 0; i < G_N_ELEMENTS(rates); i++) {
        int64_t T, edge;

        cmos_write(s, RTC_REG_A, REG_A_DV_RESET);
        cmos_write(s, RTC_REG_B, REG_B_24H);
        cmos_read(s, RTC_REG_C);
        T = qtest_clock_get(s);
        start_divider(s, rates[i].rs);
        cmos_write(s, RTC_REG_B, REG_B_PIE | REG_B_24H);
        edge = periodic_edge_after(T, T, rates[i].cycles);
        qtest_clock_set(s, edge - 1);
        g_assert_false(qtest_get_irq(s, IRQ8));
        qtest_clock_set(s, edge);
        g_assert_true(qtest_get_irq(s, IRQ8));
        g_assert_cmphex(cmos_read(s, RTC_REG_C), ==, REG_C_IRQF | REG_C_PF);
        g_assert_false(qtest_get_irq(s, IRQ8));
        g_assert_cmpint(count_periodic(s, edge + rates[i].window_ns), ==,
                        rates[i].expect);
    }
    /* RS = 0: no periodic interrupt at all. */
    cmos_write(s, RTC_REG_A, REG_A_DV_32K);
    cmos_read(s, RTC_REG_C);
    qtest_clock_step(s, NS_PER_SEC);
    g_assert_false(qtest_get_irq(s, IRQ8));
    g_assert_cmphex(cmos_read(s, RTC_REG_C) & REG_C_PF, ==, 0);
    qtest_quit(s);
}

static void test_update_ended(void)
{
    QTestState *s = start();
    int64_t e1;

    set_time(s, 2024, 1, 1, 0, 0, 0);
    e1 = start_divider(s, 0);
    cmos_write(s, RTC_REG_B, REG_B_UIE | REG_B_24H);
    for (int k = 0; k < 3; k++) {
        qtest_clock_set(s, e1 + k * NS_PER_SEC - 1);
        g_assert_false(qtest_get_irq(s, IRQ8));
        qtest_clock_set(s, e1 + k * NS_PER_SEC);
        g_assert_true(qtest_get_irq(s, IRQ8));
        g_assert_cmphex(cmos_read(s, RTC_REG_C), ==, REG_C_IRQF | REG_C_UF);
        g_assert_false(qtest_get_irq(s, IRQ8));
        g_assert_cmphex(cmos_read(s, RTC_SECONDS), ==, bcd(k + 1));
    }
    /* SET going high clears UIE. */
    cmos_write(s, RTC_REG_B, REG_B_SET | REG_B_UIE | REG_B_24H);
    g_assert_cmphex(cmos_read(s, RTC_REG_B), ==, REG_B_SET | REG_B_24H);
    qtest_clock_step(s, 3 * NS_PER_SEC);
    g_assert_false(qtest_get_irq(s, IRQ8));
    g_assert_cmphex(cmos_read(s, RTC_REG_C), ==, 0);
    /* Flags are set with the interrupt disabled too, without IRQF. */
    cmos_write(s, RTC_REG_B, REG_B_24H);
    cmos_write(s, RTC_REG_A, REG_A_DV_32K | 6);
    qtest_clock_step(s, 2 * NS_PER_SEC);
    g_assert_false(qtest_get_irq(s, IRQ8));
    g_assert_cmphex(cmos_read(s, RTC_REG_C), ==, REG_C_PF | REG_C_UF);
    g_assert_cmphex(cmos_read(s, RTC_REG_C), ==, 0);
    /* Enabling an interrupt whose flag is set raises IRQ 8 at once. */
    qtest_clock_step(s, NS_PER_SEC);
    cmos_write(s, RTC_REG_B, REG_B_UIE | REG_B_24H);
    g_assert_true(qtest_get_irq(s, IRQ8));
    qtest_quit(s);
}

static void test_alarm(void)
{
    QTestState *s = start();
    int64_t e1;

    /* 12:00:05, five updates after 12:00:00. */
    set_time(s, 2024, 3, 10, 12, 0, 0);
    cmos_write(s, RTC_HOUR_ALARM, 0x12);
    cmos_write(s, RTC_MIN_ALARM, 0x00);
    cmos_write(s, RTC_SEC_ALARM, 0x05);
    e1 = start_divider(s, 0);
    cmos_write(s, RTC_REG_B, REG_B_AIE | REG_B_24H);
    qtest_clock_set(s, e1 + 4 * NS_PER_SEC - 1);
    g_assert_false(qtest_get_irq(s, IRQ8));
    qtest_clock_set(s, e1 + 4 * NS_PER_SEC);
    g_assert_true(qtest_get_irq(s, IRQ8));
    g_assert_cmphex(cmos_read(s, RTC_SECONDS), ==, 0x05);
    g_assert_cmphex(cmos_read(s, RTC_REG_C), ==,
                    REG_C_IRQF | REG_C_AF | REG_C_UF);
    /* Once a day only. */
    qtest_clock_step(s, 10 * NS_PER_SEC);
    g_assert_false(qtest_get_irq(s, IRQ8));

    /* Don't-care seconds: every second of minute 01. */
    set_time(s, 2024, 3, 10, 12, 0, 58);
    cmos_write(s, RTC_SEC_ALARM, 0xc0);
    cmos_write(s, RTC_MIN_ALARM, 0x01);
    e1 = start_divider(s, 0);
    cmos_read(s, RTC_REG_C);
    cmos_write(s, RTC_REG_B, REG_B_AIE | REG_B_24H);
    qtest_clock_set(s, e1);                     /* 12:00:59 */
    g_assert_false(qtest_get_irq(s, IRQ8));
    qtest_clock_set(s, e1 + NS_PER_SEC);        /* 12:01:00 */
    g_assert_true(qtest_get_irq(s, IRQ8));
    cmos_read(s, RTC_REG_C);
    qtest_clock_set(s, e1 + 2 * NS_PER_SEC);    /* 12:01:01 */
    g_assert_true(qtest_get_irq(s, IRQ8));
    cmos_read(s, RTC_REG_C);

    /* Alarm passed while the flag was pending is still flagged; in
     * binary mode with every byte don't-care, every second. */
    cmos_write(s, RTC_REG_B, REG_B_SET | REG_B_DM | REG_B_24H);
    cmos_write(s, RTC_SEC_ALARM, 0xff);
    cmos_write(s, RTC_MIN_ALARM, 0xff);
    cmos_write(s, RTC_HOUR_ALARM, 0xff);
    cmos_write(s, RTC_SECONDS, 10);
    cmos_write(s, RTC_REG_B, REG_B_AIE | REG_B_DM | REG_B_24H);
    cmos_read(s, RTC_REG_C);
    qtest_clock_step(s, NS_PER_SEC);
    g_assert_true(qtest_get_irq(s, IRQ8));
    g_assert_cmphex(cmos_read(s, RTC_REG_C) & REG_C_AF, ==, REG_C_AF);

    /* A binary alarm byte, hours in 12-hour mode: 1 PM. */
    cmos_write(s, RTC_REG_B, REG_B_SET | REG_B_DM);
    cmos_write(s, RTC_HOURS, 0x80 | 12);        /* 12:59:59 PM */
    cmos_write(s, RTC_MINUTES, 59);
    cmos_write(s, RTC_SECONDS, 59);
    cmos_write(s, RTC_HOUR_ALARM, 0x80 | 1);
    cmos_write(s, RTC_MIN_ALARM, 0);
    cmos_write(s, RTC_SEC_ALARM, 0);
    cmos_write(s, RTC_REG_A, REG_A_DV_RESET);
    cmos_write(s, RTC_REG_B, REG_B_AIE | REG_B_DM);
    cmos_read(s, RTC_REG_C);
    e1 = start_divider(s, 0);
    qtest_clock_set(s, e1 - 1);
    g_assert_false(qtest_get_irq(s, IRQ8));
    qtest_clock_set(s, e1);
    g_assert_true(qtest_get_irq(s, IRQ8));
    g_assert_cmphex(cmos_read(s, RTC_HOURS), ==, 0x81);
    qtest_quit(s);
}

static void test_cmos_ram(void)
{
    QTestState *s = start();

    /* What the board stored for firmware: memory above 16 MiB in 64 KiB
     * units, (128 - 16) MiB. */
    g_assert_cmphex(cmos_read(s, 0x34), ==, 0x00);
    g_assert_cmphex(cmos_read(s, 0x35), ==, 0x07);
    for (int i = 0x38; i < 0x80; i++) {
        if (i == 0x5b || i == 0x5c || i == 0x5d || i == 0x5f) {
            continue;
        }
        cmos_write(s, i, i ^ 0xa5);
    }
    for (int i = 0x38; i < 0x80; i++) {
        if (i == 0x5b || i == 0x5c || i == 0x5d || i == 0x5f) {
            continue;
        }
        /* Bit 7 of the index is the NMI mask, not an address bit. */
        qtest_outb(s, RTC_INDEX, 0x80 | i);
        g_assert_cmphex(qtest_inb(s, RTC_DATA), ==, i ^ 0xa5);
    }
    /* D is read-only and always valid; the index port is write-only. */
    cmos_write(s, RTC_REG_D, 0x00);
    g_assert_cmphex(cmos_read(s, RTC_REG_D), ==, 0x80);
    g_assert_cmphex(qtest_inb(s, RTC_INDEX), ==, 0xff);
    qtest_quit(s);
}

static void test_fuzz(void)
{
    QTestState *s = start();
    GRand *r = g_rand_new_with_seed(146818);

    for (int i = 0; i < 20000; i++) {
        uint32_t op = g_rand_int(r);
        uint8_t idx = (op >> 8) & 0x0f;

        if (op & 0x10000) {
            idx = (op >> 8) & 0xff;
        }
        qtest_outb(s, RTC_INDEX, idx);
        if (op & 1) {
            qtest_outb(s, RTC_DATA, op >> 24);
        } else {
            qtest_inb(s, RTC_DATA);
        }
        if ((op & 0x0e) == 0) {
            qtest_clock_step(s, (op >> 20) * 1000);
        }
    }
    for (int i = 0; i < 20; i++) {
        qtest_clock_step_next(s);
    }
    g_assert_cmphex(cmos_read(s, RTC_REG_D), ==, 0x80);
    g_rand_free(r);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtc/power-on", test_power_on);
    g_test_add_func("/rtc/calendar", test_calendar);
    g_test_add_func("/rtc/uip", test_uip);
    g_test_add_func("/rtc/formats", test_formats);
    g_test_add_func("/rtc/periodic", test_periodic);
    g_test_add_func("/rtc/update-ended", test_update_ended);
    g_test_add_func("/rtc/alarm", test_alarm);
    g_test_add_func("/rtc/cmos-ram", test_cmos_ram);
    g_test_add_func("/rtc/fuzz", test_fuzz);
    return g_test_run();
}
