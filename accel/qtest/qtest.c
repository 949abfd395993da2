/*
 * The qtest accelerator: a machine with no CPU, driven by a test over a
 * line-based text socket protocol (QEMU's qtest protocol, so QEMU-style
 * clients work). The test reads and writes guest memory and I/O ports,
 * moves the virtual clock by hand and watches the interrupt lines, which
 * tests every device model without any guest code.
 *
 * The protocol and every reply are in docs/qtest-protocol.md. The
 * invariants that make it safe to fuzz:
 * - every line the test sends gets exactly one reply, "OK..." or
 *   "FAIL <reason>"; asynchronous "IRQ raise|lower N" lines may come
 *   before it;
 * - nothing on the wire can crash pcemu or make it allocate without
 *   bound: numbers are checked, access sizes are capped
 *   (QTEST_MAX_ACCESS) and so are lines (QTEST_MAX_LINE).
 *
 * Threads: there are no vCPU threads. The socket is polled by the main
 * loop; commands run on the main loop thread with the BQL held.
 */
#include "pcemu/common.h"
#include "pcemu/opts.h"
#include "accel/accel.h"
#include "accel/qtest.h"
#include "hw/irq.h"
#include "hw/machine.h"
#include "softmmu/main-loop.h"
#include "softmmu/memory.h"
#include "softmmu/runstate.h"
#include "softmmu/timer.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Longest command line accepted; a longer one is dropped whole and
 * answered with one FAIL. Bulk writes larger than about half of it must
 * be split by the client (libqtest does). */
#define QTEST_MAX_LINE      (1 * MiB)
/* Most bytes one read/b64read/memset may touch: bounds the memory a
 * single command can make pcemu allocate. */
#define QTEST_MAX_ACCESS    (64 * MiB)
/* The most words a command has (set_irq_in). */
#define QTEST_MAX_WORDS     5

typedef struct QTestServer {
    bool accel_enabled;         /* qtest_accel_ops.init ran */
    bool connected;
    bool broken;                /* a write failed: tear down when safe */
    int in_fd, out_fd;
    bool out_is_socket;
    QTestOutput *inproc_out;    /* in-process client (fuzzers) */
    void *inproc_opaque;
    int64_t max_clock_step;     /* ns; INT64_MAX but for fuzzers */

    GString *line;              /* the incomplete line received so far */
    bool discarding;            /* it grew past QTEST_MAX_LINE */

    bool intercepting;          /* send IRQ lines */
    int irq_level[MACHINE_NR_GSI];  /* as last reported to the test */

    FILE *log;
    int64_t log_start_us;       /* g_get_monotonic_time() */
} QTestServer;

static QTestServer qts = {
    .in_fd = -1, .out_fd = -1, .max_clock_step = INT64_MAX,
};

/* ---- output ---------------------------------------------------------- */

static void qtest_log(char dir, const char *text, size_t len)
{
    int64_t us;

    if (!qts.log) {
        return;
    }
    us = g_get_monotonic_time() - qts.log_start_us;
    fprintf(qts.log, "[%c +%" PRId64 ".%06" PRId64 "] %.*s\n", dir,
            us / 1000000, us % 1000000, (int)MIN(len, 4096), text);
    fflush(qts.log);
}

/*
 * Writes the whole buffer. The reply must reach the test before the next
 * command makes sense, so this waits for a slow reader (poll) instead of
 * queueing; a test that stopped reading for good has died, and its
 * socket then reports an error here.
 */
static void qtest_write_all(const char *buf, size_t len)
{
    if (qts.inproc_out) {
        qts.inproc_out(buf, len, qts.inproc_opaque);
        return;
    }
    while (len > 0 && !qts.broken) {
        ssize_t n;

        if (qts.out_is_socket) {
            n = send(qts.out_fd, buf, len, MSG_NOSIGNAL);
        } else {
            n = write(qts.out_fd, buf, len);
        }
        if (n > 0) {
            buf += n;
            len -= n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd pfd = { .fd = qts.out_fd, .events = POLLOUT };
            poll(&pfd, 1, -1);
        } else {
            qts.broken = true;
        }
    }
}

/* Sends one line; text ends with its '\n' (one write, one packet). */
static void qtest_send_line(const char *text, size_t len)
{
    qtest_log('S', text, len - 1);
    qtest_write_all(text, len);
}

/* ---- IRQ interception ------------------------------------------------ */

/* m->gsi_observer: called by the board for every GSI level it sets. Only
 * changes are reported, as QEMU does. */
static void qtest_gsi_observer(int gsi, int level)
{
    char msg[32];
    int n;

    if (!qts.connected || !qts.intercepting ||
        gsi < 0 || gsi >= MACHINE_NR_GSI) {
        return;
    }
    level = !!level;
    if (qts.irq_level[gsi] == level) {
        return;
    }
    qts.irq_level[gsi] = level;
    n = snprintf(msg, sizeof(msg), "IRQ %s %d\n", level ? "raise" : "lower",
                 gsi);
    qtest_send_line(msg, n);
}

/* ---- argument parsing ------------------------------------------------ */

/* The reply of a command, built by the handler: "OK ..." or "FAIL ...". */
typedef GString Reply;

static void reply_fail(Reply *r, const char *fmt, ...) PRINTF_FMT(2, 3);
static void reply_fail(Reply *r, const char *fmt, ...)
{
    va_list ap;

    g_string_assign(r, "FAIL ");
    va_start(ap, fmt);
    g_string_append_vprintf(r, fmt, ap);
    va_end(ap);
}

static bool arg_u64(Reply *r, const char *word, const char *what,
                    uint64_t *out)
{
    if (!parse_uint64(word, out)) {
        /* word comes from the test: quote at most a little of it */
        reply_fail(r, "invalid %s '%.32s'", what, word);
        return false;
    }
    return true;
}

/* A number that must not exceed max. */
static bool arg_max(Reply *r, const char *word, const char *what,
                    uint64_t max, uint64_t *out)
{
    if (!arg_u64(r, word, what, out)) {
        return false;
    }
    if (*out > max) {
        reply_fail(r, "%s 0x%" PRIx64 " out of range (max 0x%" PRIx64 ")",
                   what, *out, max);
        return false;
    }
    return true;
}

/* A guest-physical range [addr, addr + size) that does not wrap. */
static bool arg_range(Reply *r, char **w, uint64_t max_size,
                      uint64_t *addr, uint64_t *size)
{
    if (!arg_u64(r, w[1], "address", addr) ||
        !arg_max(r, w[2], "size", max_size, size)) {
        return false;
    }
    if (*size > 0 && *addr > UINT64_MAX - (*size - 1)) {
        reply_fail(r, "range 0x%" PRIx64 "+0x%" PRIx64 " wraps past 2^64",
                   *addr, *size);
        return false;
    }
    return true;
}

static uint64_t size_mask(unsigned size)
{
    return size == 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
}

static unsigned size_of_suffix(char c)
{
    switch (c) {
    case 'b': return 1;
    case 'w': return 2;
    case 'l': return 4;
    case 'q': return 8;
    }
    return 0;
}

static bool need_machine(Reply *r)
{
    if (!current_machine) {
        reply_fail(r, "no machine yet");
        return false;
    }
    return true;
}

/* ---- commands -------------------------------------------------------- */

/* outb/outw/outl PORT VALUE */
static void cmd_out(Reply *r, char **w, int nw)
{
    unsigned size = size_of_suffix(w[0][3]);
    uint64_t port, val;

    if (!arg_max(r, w[1], "port", 0xffff, &port) ||
        !arg_max(r, w[2], "value", size_mask(size), &val)) {
        return;
    }
    if (port + size > 0x10000) {
        reply_fail(r, "port 0x%" PRIx64 " + %u bytes ends past 0xffff",
                   port, size);
        return;
    }
    address_space_st(&address_space_io, port, val, size);
    g_string_assign(r, "OK");
}

/* inb/inw/inl PORT -> OK 0xVALUE ("%04x", as QEMU) */
static void cmd_in(Reply *r, char **w, int nw)
{
    unsigned size = size_of_suffix(w[0][2]);
    uint64_t port, val;

    if (!arg_max(r, w[1], "port", 0xffff, &port)) {
        return;
    }
    if (port + size > 0x10000) {
        reply_fail(r, "port 0x%" PRIx64 " + %u bytes ends past 0xffff",
                   port, size);
        return;
    }
    val = address_space_ld(&address_space_io, port, size) & size_mask(size);
    g_string_printf(r, "OK 0x%04" PRIx64, val);
}

/* writeb/w/l/q ADDR VALUE */
static void cmd_write_n(Reply *r, char **w, int nw)
{
    unsigned size = size_of_suffix(w[0][5]);
    uint64_t addr, val;

    if (!arg_u64(r, w[1], "address", &addr) ||
        !arg_max(r, w[2], "value", size_mask(size), &val)) {
        return;
    }
    if (addr > UINT64_MAX - (size - 1)) {
        reply_fail(r, "address 0x%" PRIx64 " + %u wraps past 2^64",
                   addr, size);
        return;
    }
    address_space_st(&address_space_memory, addr, val, size);
    g_string_assign(r, "OK");
}

/* readb/w/l/q ADDR -> OK 0x%016x (as QEMU, whatever the size) */
static void cmd_read_n(Reply *r, char **w, int nw)
{
    unsigned size = size_of_suffix(w[0][4]);
    uint64_t addr, val;

    if (!arg_u64(r, w[1], "address", &addr)) {
        return;
    }
    if (addr > UINT64_MAX - (size - 1)) {
        reply_fail(r, "address 0x%" PRIx64 " + %u wraps past 2^64",
                   addr, size);
        return;
    }
    val = address_space_ld(&address_space_memory, addr, size);
    g_string_printf(r, "OK 0x%016" PRIx64, val & size_mask(size));
}

/* read ADDR SIZE -> OK 0xHEXBYTES (bytes in address order) */
static void cmd_read(Reply *r, char **w, int nw)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t addr, size;
    uint8_t *buf;

    if (!arg_range(r, w, QTEST_MAX_ACCESS, &addr, &size)) {
        return;
    }
    buf = g_malloc(size ? size : 1);
    address_space_read(&address_space_memory, addr, buf, size);
    g_string_set_size(r, 0);
    g_string_set_size(r, 5 + 2 * size);
    memcpy(r->str, "OK 0x", 5);
    for (uint64_t i = 0; i < size; i++) {
        r->str[5 + 2 * i] = hex[buf[i] >> 4];
        r->str[5 + 2 * i + 1] = hex[buf[i] & 0xf];
    }
    g_free(buf);
}

/* b64read ADDR SIZE -> OK BASE64 */
static void cmd_b64read(Reply *r, char **w, int nw)
{
    uint64_t addr, size;
    uint8_t *buf;
    char *enc;

    if (!arg_range(r, w, QTEST_MAX_ACCESS, &addr, &size)) {
        return;
    }
    buf = g_malloc(size ? size : 1);
    address_space_read(&address_space_memory, addr, buf, size);
    enc = g_base64_encode(buf, size);
    g_string_assign(r, "OK ");
    g_string_append(r, enc);
    g_free(enc);
    g_free(buf);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/*
 * write ADDR SIZE 0xHEXBYTES: bytes in address order. Fewer digits than
 * SIZE bytes are padded with zero bytes, as QEMU does; more is an error.
 */
static void cmd_write(Reply *r, char **w, int nw)
{
    uint64_t addr, size;
    const char *data = w[3];
    size_t ndigits;
    uint8_t *buf;

    if (!arg_range(r, w, QTEST_MAX_ACCESS, &addr, &size)) {
        return;
    }
    if (data[0] != '0' || (data[1] != 'x' && data[1] != 'X')) {
        reply_fail(r, "data must begin with 0x");
        return;
    }
    data += 2;
    ndigits = strlen(data);
    if (ndigits % 2 || ndigits / 2 > size) {
        reply_fail(r, "%zu hex digits do not fit %" PRIu64 " bytes",
                   ndigits, size);
        return;
    }
    buf = g_malloc0(size ? size : 1);
    for (size_t i = 0; i < ndigits / 2; i++) {
        int hi = hex_digit(data[2 * i]), lo = hex_digit(data[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            reply_fail(r, "invalid hex digit at byte %zu", i);
            g_free(buf);
            return;
        }
        buf[i] = hi << 4 | lo;
    }
    address_space_write(&address_space_memory, addr, buf, size);
    g_free(buf);
    g_string_assign(r, "OK");
}

/* b64write ADDR SIZE BASE64: the decoded data must be SIZE bytes. */
static void cmd_b64write(Reply *r, char **w, int nw)
{
    uint64_t addr, size;
    const char *data = w[3];
    size_t len = strlen(data);
    gsize out_len;
    guchar *buf;

    if (!arg_range(r, w, QTEST_MAX_ACCESS, &addr, &size)) {
        return;
    }
    /* g_base64_decode skips characters outside the alphabet silently;
     * a test wants to hear that its data was mangled. */
    if (strspn(data, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                     "0123456789+/=") != len) {
        reply_fail(r, "invalid base64 data");
        return;
    }
    buf = g_base64_decode(data, &out_len);
    if (out_len != size) {
        reply_fail(r, "base64 data is %zu bytes, SIZE says %" PRIu64,
                   (size_t)out_len, size);
        g_free(buf);
        return;
    }
    if (size) {
        address_space_write(&address_space_memory, addr, buf, size);
    }
    g_free(buf);
    g_string_assign(r, "OK");
}

/* memset ADDR SIZE VALUE */
static void cmd_memset(Reply *r, char **w, int nw)
{
    uint64_t addr, size, val;
    uint8_t *buf;

    if (!arg_range(r, w, QTEST_MAX_ACCESS, &addr, &size) ||
        !arg_max(r, w[3], "value", 0xff, &val)) {
        return;
    }
    if (size) {
        buf = g_malloc(size);
        memset(buf, (int)val, size);
        address_space_write(&address_space_memory, addr, buf, size);
        g_free(buf);
    }
    g_string_assign(r, "OK");
}

/* Advances the virtual clock by ns (>= 0); timers due run in deadline
 * order and may send IRQ lines before the reply. */
static void clock_reply(Reply *r, int64_t ns)
{
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);

    if (ns > INT64_MAX - now) {
        reply_fail(r, "clock would pass 2^63 ns");
        return;
    }
    if (ns > qts.max_clock_step) {
        reply_fail(r, "clock step of %" PRId64 " ns over this server's "
                   "limit of %" PRId64 " ns", ns, qts.max_clock_step);
        return;
    }
    /* Even a step of 0 runs the timers already due. */
    now = clock_virtual_advance(ns);
    g_string_printf(r, "OK %" PRId64, now);
}

/* clock_step [NS] -> OK TIME; without NS, to the next timer deadline */
static void cmd_clock_step(Reply *r, char **w, int nw)
{
    uint64_t ns;

    if (!clock_virtual_is_manual()) {
        reply_fail(r, "the virtual clock is not under qtest's control");
        return;
    }
    if (nw > 1) {
        if (!arg_max(r, w[1], "ns", INT64_MAX, &ns)) {
            return;
        }
    } else {
        int64_t deadline = clock_virtual_next_deadline();
        int64_t now = clock_get_ns(CLOCK_VIRTUAL);

        /* no timer pending: the clock stays where it is (as QEMU) */
        ns = deadline > now ? (uint64_t)(deadline - now) : 0;
    }
    clock_reply(r, (int64_t)ns);
}

/* clock_set NS -> OK TIME; the clock never goes backwards */
static void cmd_clock_set(Reply *r, char **w, int nw)
{
    uint64_t ns;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);

    if (!clock_virtual_is_manual()) {
        reply_fail(r, "the virtual clock is not under qtest's control");
        return;
    }
    if (!arg_max(r, w[1], "ns", INT64_MAX, &ns)) {
        return;
    }
    clock_reply(r, (int64_t)ns > now ? (int64_t)ns - now : 0);
}

/*
 * irq_intercept_in PATH / irq_intercept_out PATH: pcemu's interrupt
 * routing is one set of GSI lines (the IOAPIC inputs; 0-15 are also the
 * ISA IRQs), so whatever PATH names, the test watches those. Lines
 * already high are reported at once, before the OK, so the test's view
 * starts right.
 */
static void cmd_irq_intercept(Reply *r, char **w, int nw)
{
    Machine *m = current_machine;

    if (!need_machine(r)) {
        return;
    }
    if (!qts.intercepting) {
        qts.intercepting = true;
        memset(qts.irq_level, 0, sizeof(qts.irq_level));
        m->gsi_observer = qtest_gsi_observer;
        for (int i = 0; i < MACHINE_NR_GSI; i++) {
            qtest_gsi_observer(i, m->gsi_level[i]);
        }
    }
    g_string_assign(r, "OK");
}

/* set_irq_in PATH NAME N LEVEL: drives GSI N as a device would */
static void cmd_set_irq_in(Reply *r, char **w, int nw)
{
    uint64_t n, level;

    if (!need_machine(r) ||
        !arg_max(r, w[3], "irq", MACHINE_NR_GSI - 1, &n) ||
        !arg_u64(r, w[4], "level", &level)) {
        return;
    }
    irq_set(machine_gsi(current_machine, n), level != 0);
    g_string_assign(r, "OK");
}

static void cmd_endianness(Reply *r, char **w, int nw)
{
    g_string_assign(r, "OK little");
}

typedef struct QTestCommand {
    const char *name;
    int min_args, max_args;     /* words after the command name */
    bool needs_machine;         /* touches memory, ports or devices */
    void (*fn)(Reply *r, char **w, int nw);
} QTestCommand;

static const QTestCommand qtest_commands[] = {
    { "outb",               2, 2, true,  cmd_out },
    { "outw",               2, 2, true,  cmd_out },
    { "outl",               2, 2, true,  cmd_out },
    { "inb",                1, 1, true,  cmd_in },
    { "inw",                1, 1, true,  cmd_in },
    { "inl",                1, 1, true,  cmd_in },
    { "writeb",             2, 2, true,  cmd_write_n },
    { "writew",             2, 2, true,  cmd_write_n },
    { "writel",             2, 2, true,  cmd_write_n },
    { "writeq",             2, 2, true,  cmd_write_n },
    { "readb",              1, 1, true,  cmd_read_n },
    { "readw",              1, 1, true,  cmd_read_n },
    { "readl",              1, 1, true,  cmd_read_n },
    { "readq",              1, 1, true,  cmd_read_n },
    { "read",               2, 2, true,  cmd_read },
    { "write",              3, 3, true,  cmd_write },
    { "b64read",            2, 2, true,  cmd_b64read },
    { "b64write",           3, 3, true,  cmd_b64write },
    { "memset",             3, 3, true,  cmd_memset },
    { "clock_step",         0, 1, true,  cmd_clock_step },
    { "clock_set",          1, 1, true,  cmd_clock_set },
    { "irq_intercept_in",   1, 1, true,  cmd_irq_intercept },
    { "irq_intercept_out",  1, 1, true,  cmd_irq_intercept },
    { "set_irq_in",         4, 4, true,  cmd_set_irq_in },
    { "endianness",         0, 0, false, cmd_endianness },
};

/* Splits line in place into at most max words separated by blanks;
 * returns the count, or max + 1 if there are more. */
static int split_words(char *line, char **w, int max)
{
    int n = 0;
    char *p = line;

    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\r') {
            *p++ = '\0';
        }
        if (!*p) {
            return n;
        }
        if (n == max) {
            return max + 1;
        }
        w[n++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\r') {
            p++;
        }
    }
}

static void qtest_process_line(char *line, size_t len, Reply *r)
{
    char *w[QTEST_MAX_WORDS + 1] = { NULL };
    const QTestCommand *cmd = NULL;
    int nw;

    if (memchr(line, '\0', len)) {
        reply_fail(r, "NUL byte in command");
        return;
    }
    nw = split_words(line, w, QTEST_MAX_WORDS);
    if (nw == 0) {
        reply_fail(r, "empty command");
        return;
    }
    for (size_t i = 0; i < ARRAY_SIZE(qtest_commands); i++) {
        if (!strcmp(w[0], qtest_commands[i].name)) {
            cmd = &qtest_commands[i];
            break;
        }
    }
    if (!cmd) {
        reply_fail(r, "Unknown command '%.32s'", w[0]);
        return;
    }
    if (nw - 1 < cmd->min_args || nw - 1 > cmd->max_args) {
        if (cmd->min_args == cmd->max_args) {
            reply_fail(r, "%s takes %d argument(s)", cmd->name,
                       cmd->min_args);
        } else {
            reply_fail(r, "%s takes %d to %d arguments", cmd->name,
                       cmd->min_args, cmd->max_args);
        }
        return;
    }
    if (cmd->needs_machine && !need_machine(r)) {
        return;
    }
    g_string_assign(r, "FAIL internal: no reply");
    cmd->fn(r, w, nw);
}

/* ---- the connection -------------------------------------------------- */

static void qtest_close(void)
{
    if (!qts.connected) {
        return;
    }
    if (qts.in_fd >= 0) {
        main_loop_set_fd_handler(qts.in_fd, NULL, NULL, NULL);
    }
    if (qts.in_fd > 2) {
        close(qts.in_fd);
    }
    if (qts.out_fd > 2 && qts.out_fd != qts.in_fd) {
        close(qts.out_fd);
    }
    qts.in_fd = qts.out_fd = -1;
    qts.connected = false;
    qts.intercepting = false;
    qts.inproc_out = NULL;
    if (current_machine && current_machine->gsi_observer ==
        qtest_gsi_observer) {
        current_machine->gsi_observer = NULL;
    }
    g_string_free(qts.line, true);
    qts.line = NULL;
}

/* Runs one complete line (qts.line, without '\n') and replies. */
static void qtest_run_line(void)
{
    Reply *r = g_string_new(NULL);

    if (qts.discarding) {
        qtest_log('R', "<line too long>", 15);
        reply_fail(r, "line too long (max %llu bytes)",
                   (unsigned long long)QTEST_MAX_LINE);
        qts.discarding = false;
    } else {
        qtest_log('R', qts.line->str, qts.line->len);
        qtest_process_line(qts.line->str, qts.line->len, r);
    }
    g_string_set_size(qts.line, 0);
    g_string_append_c(r, '\n');
    qtest_send_line(r->str, r->len);
    g_string_free(r, true);
}

/* Takes bytes from the client: runs each complete line, keeps the rest. */
static void qtest_feed(const char *p, size_t n)
{
    const char *end = p + n;

    while (p < end && !qts.broken) {
        const char *nl = memchr(p, '\n', end - p);
        size_t chunk = (nl ? nl : end) - p;

        if (!qts.discarding) {
            if (qts.line->len + chunk > QTEST_MAX_LINE) {
                qts.discarding = true;
                g_string_set_size(qts.line, 0);
            } else {
                g_string_append_len(qts.line, p, chunk);
            }
        }
        if (!nl) {
            break;
        }
        p = nl + 1;
        qtest_run_line();
    }
}

static void qtest_read_cb(void *opaque)
{
    char buf[65536];
    ssize_t n;

    if (qts.out_is_socket) {
        n = recv(qts.in_fd, buf, sizeof(buf), MSG_DONTWAIT);
    } else {
        n = read(qts.in_fd, buf, sizeof(buf));
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) {
        return;
    }
    if (n <= 0) {
        /* The test is gone: so is the reason to run. */
        qtest_close();
        system_exit_request(0);
        return;
    }
    qtest_feed(buf, n);
    if (qts.broken) {
        qtest_close();
        system_exit_request(0);
    }
}

static int qtest_connect_unix(const char *path, Error **errp)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (!*path) {
        error_setg(errp, "-qtest unix: needs a socket path");
        return -1;
    }
    if (strlen(path) >= sizeof(addr.sun_path)) {
        error_setg(errp, "-qtest unix:%s: path longer than %zu bytes",
                   path, sizeof(addr.sun_path) - 1);
        return -1;
    }
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg(errp, "-qtest: socket: %s", strerror(errno));
        return -1;
    }
    while (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        if (errno == EINTR) {
            continue;
        }
        error_setg(errp, "-qtest unix:%s: cannot connect: %s "
                   "(a qtest client must be listening there)",
                   path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

bool qtest_server_init(const char *spec, Error **errp)
{
    if (qts.connected) {
        error_setg(errp, "-qtest given twice");
        return false;
    }
    if (!strncmp(spec, "unix:", 5)) {
        int fd = qtest_connect_unix(spec + 5, errp);

        if (fd < 0) {
            return false;
        }
        qts.in_fd = qts.out_fd = fd;
        qts.out_is_socket = true;
    } else if (!strcmp(spec, "stdio")) {
        qts.in_fd = 0;
        qts.out_fd = 1;
        qts.out_is_socket = false;
    } else {
        error_setg(errp, "-qtest %s: unsupported; use unix:PATH or stdio",
                   spec);
        return false;
    }
    qts.connected = true;
    qts.broken = false;
    qts.discarding = false;
    qts.line = g_string_new(NULL);
    qts.log_start_us = g_get_monotonic_time();
    main_loop_set_fd_handler(qts.in_fd, qtest_read_cb, NULL, NULL);
    return true;
}

void qtest_server_init_inproc(QTestOutput *out, void *opaque)
{
    assert(!qts.connected);
    qts.inproc_out = out;
    qts.inproc_opaque = opaque;
    qts.connected = true;
    qts.broken = false;
    qts.discarding = false;
    qts.line = g_string_new(NULL);
    qts.log_start_us = g_get_monotonic_time();
}

void qtest_server_feed(const void *buf, size_t len)
{
    assert(qts.connected && qts.inproc_out);
    qtest_feed(buf, len);
}

void qtest_server_set_max_clock_step(int64_t ns)
{
    qts.max_clock_step = ns > 0 ? ns : 0;
}

bool qtest_server_set_log(const char *path, Error **errp)
{
    FILE *f = fopen(path, "a");

    if (!f) {
        error_setg(errp, "-qtest-log %s: %s", path, strerror(errno));
        return false;
    }
    if (qts.log) {
        fclose(qts.log);
    }
    qts.log = f;
    return true;
}

bool qtest_enabled(void)
{
    return qts.accel_enabled;
}

/* ---- the accelerator ------------------------------------------------- */

static bool qtest_accel_init(const char *opts, Error **errp)
{
    qts.accel_enabled = true;
    /* Time moves only when the test says so: clock_step, clock_set. */
    clock_virtual_set_manual();
    return true;
}

/* The board builds its own PIC, IOAPIC and PIT: they are what qtest
 * tests. */
static bool qtest_irqchip_in_kernel(void)
{
    return false;
}

static bool qtest_pit_in_kernel(void)
{
    return false;
}

/* Never called: there is no in-kernel irqchip. */
static void qtest_set_gsi(int gsi, int level)
{
}

/* No CPU: the test plays its part. */
static bool qtest_start_vcpus(Machine *m, Error **errp)
{
    return true;
}

static void qtest_pause_vcpus(void)
{
}

static void qtest_resume_vcpus(void)
{
}

static void qtest_reset_vcpus(Machine *m)
{
}

static void qtest_accel_shutdown(void)
{
    qtest_close();
    if (qts.log) {
        fclose(qts.log);
        qts.log = NULL;
    }
}

const AccelOps qtest_accel_ops = {
    .name = "qtest",
    .init = qtest_accel_init,
    .irqchip_in_kernel = qtest_irqchip_in_kernel,
    .pit_in_kernel = qtest_pit_in_kernel,
    .set_gsi = qtest_set_gsi,
    .start_vcpus = qtest_start_vcpus,
    .pause_vcpus = qtest_pause_vcpus,
    .resume_vcpus = qtest_resume_vcpus,
    .reset_vcpus = qtest_reset_vcpus,
    .shutdown = qtest_accel_shutdown,
};
