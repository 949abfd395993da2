/*
 * The qtest protocol itself, on the pc machine: guest RAM reads back what
 * was written at every access size and through every bulk command,
 * unassigned ports and memory read as all-ones, the virtual clock moves
 * only forward and only when told, GSI changes come back as IRQ lines,
 * malformed commands are answered with FAIL, and a protocol fuzz neither
 * crashes nor hangs the emulator.
 */
#include "libqtest.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Plain RAM on any pc machine (above the 1 MiB legacy area, below the
 * default 128 MiB). */
#define RAM_BASE        0x100000ULL
#define RAM_TEST_SIZE   (7 * 1024 * 1024)

/* Nothing decodes these on the pc board without firmware: PCI BARs are
 * all unprogrammed, so the PCI hole and high ports are empty. */
#define UNASSIGNED_PORT 0x2f00
#define UNASSIGNED_MEM  0xd0000000ULL

/* The server's per-command cap on read/b64read/memset sizes. */
#define MAX_ACCESS      (64 * 1024 * 1024)

static QTestState *start(void)
{
    return qtest_init("-m 128");
}

/* ---- memory ---------------------------------------------------------- */

static void test_memory_sizes(void)
{
    QTestState *s = start();
    uint64_t a = RAM_BASE + 0x1000;

    qtest_writeb(s, a, 0x5a);
    g_assert_cmphex(qtest_readb(s, a), ==, 0x5a);
    qtest_writew(s, a, 0xbeef);
    g_assert_cmphex(qtest_readw(s, a), ==, 0xbeef);
    qtest_writel(s, a, 0xdeadbeef);
    g_assert_cmphex(qtest_readl(s, a), ==, 0xdeadbeef);
    qtest_writeq(s, a, 0x0123456789abcdefULL);
    g_assert_cmphex(qtest_readq(s, a), ==, 0x0123456789abcdefULL);

    /* little-endian: the low byte is at the lowest address */
    g_assert_cmphex(qtest_readb(s, a), ==, 0xef);
    g_assert_cmphex(qtest_readb(s, a + 7), ==, 0x01);
    g_assert_cmphex(qtest_readw(s, a + 2), ==, 0x89ab);
    g_assert_cmphex(qtest_readl(s, a + 4), ==, 0x01234567);

    /* a narrow write changes only its bytes */
    qtest_writeb(s, a + 3, 0x00);
    g_assert_cmphex(qtest_readq(s, a), ==, 0x0123456700abcdefULL);

    /* unaligned */
    qtest_writel(s, a + 0x11, 0xa1b2c3d4);
    g_assert_cmphex(qtest_readl(s, a + 0x11), ==, 0xa1b2c3d4);
    g_assert_cmphex(qtest_readb(s, a + 0x11), ==, 0xd4);

    /* the wire formats match QEMU's */
    qtest_writeb(s, a, 0x7);
    {
        char *r = qtest_raw(s, "readb 0x101000");

        g_assert_cmpstr(r, ==, "OK 0x0000000000000007");
        g_free(r);
        r = qtest_raw(s, "writew 0x101000 0x1234");
        g_assert_cmpstr(r, ==, "OK");
        g_free(r);
        r = qtest_raw(s, "read 0x101000 3");
        g_assert_cmpstr(r, ==, "OK 0x3412ab");
        g_free(r);
        r = qtest_raw(s, "endianness");
        g_assert_cmpstr(r, ==, "OK little");
        g_free(r);
    }
    qtest_quit(s);
}

static void fill_pattern(uint8_t *buf, size_t len, uint32_t seed)
{
    GRand *rand = g_rand_new_with_seed(seed);

    for (size_t i = 0; i < len; i++) {
        buf[i] = g_rand_int(rand);
    }
    g_rand_free(rand);
}

static void test_memory_bulk(void)
{
    QTestState *s = start();
    /* bigger than libqtest's chunks, so the split is exercised */
    size_t len = 600 * 1024 + 3;
    uint8_t *out = g_malloc(len), *in = g_malloc(len);
    uint64_t a = RAM_BASE + 5;

    /* hex write, hex read */
    fill_pattern(out, len, 1);
    qtest_memwrite(s, a, out, len);
    memset(in, 0, len);
    qtest_memread(s, a, in, len);
    g_assert(memcmp(in, out, len) == 0);
    /* ...and the same bytes through base64 and single reads */
    memset(in, 0, len);
    qtest_bufread(s, a, in, len);
    g_assert(memcmp(in, out, len) == 0);
    g_assert_cmphex(qtest_readb(s, a + len - 1), ==, out[len - 1]);

    /* base64 write, hex read */
    fill_pattern(out, len, 2);
    qtest_bufwrite(s, a, out, len);
    qtest_memread(s, a, in, len);
    g_assert(memcmp(in, out, len) == 0);

    /* memset changes exactly its range */
    qtest_memset(s, a + 100, 0xa5, 1000);
    qtest_memread(s, a, in, len);
    for (size_t i = 0; i < len; i++) {
        uint8_t want = (i >= 100 && i < 1100) ? 0xa5 : out[i];

        if (in[i] != want) {
            g_error("byte %zu after memset: 0x%02x, expected 0x%02x", i,
                    in[i], want);
        }
    }

    /* the biggest single access the server takes */
    qtest_memset(s, RAM_BASE, 0x3c, MAX_ACCESS);
    g_assert_cmphex(qtest_readb(s, RAM_BASE + MAX_ACCESS - 1), ==, 0x3c);
    g_assert_cmphex(qtest_readb(s, RAM_BASE + MAX_ACCESS), !=, 0x3c);

    /* zero-length accesses are accepted and do nothing */
    qtest_memwrite(s, a, out, 0);
    {
        char *r = qtest_raw(s, "read 0x100000 0");

        g_assert_cmpstr(r, ==, "OK 0x");
        g_free(r);
        r = qtest_raw(s, "memset 0x100000 0 0x11");
        g_assert_cmpstr(r, ==, "OK");
        g_free(r);
    }
    g_assert_cmphex(qtest_readb(s, RAM_BASE), ==, 0x3c);

    g_free(out);
    g_free(in);
    qtest_quit(s);
}

/* ---- unassigned space ------------------------------------------------ */

static void test_unassigned(void)
{
    QTestState *s = start();

    g_assert_cmphex(qtest_inb(s, UNASSIGNED_PORT), ==, 0xff);
    g_assert_cmphex(qtest_inw(s, UNASSIGNED_PORT), ==, 0xffff);
    g_assert_cmphex(qtest_inl(s, UNASSIGNED_PORT), ==, 0xffffffff);
    /* writes there go nowhere and break nothing */
    qtest_outl(s, UNASSIGNED_PORT, 0x12345678);
    g_assert_cmphex(qtest_inl(s, UNASSIGNED_PORT), ==, 0xffffffff);

    g_assert_cmphex(qtest_readl(s, UNASSIGNED_MEM), ==, 0xffffffff);
    g_assert_cmphex(qtest_readq(s, UNASSIGNED_MEM), ==, UINT64_MAX);
    qtest_writel(s, UNASSIGNED_MEM, 0);
    g_assert_cmphex(qtest_readl(s, UNASSIGNED_MEM), ==, 0xffffffff);
    qtest_quit(s);
}

/* ---- the clock ------------------------------------------------------- */

static void test_clock(void)
{
    QTestState *s = start();
    int64_t t0, t;

    t0 = qtest_clock_get(s);
    g_assert_cmpint(t0, >=, 0);
    /* the clock is manual: host time passing does not move it */
    g_usleep(20 * 1000);
    g_assert_cmpint(qtest_clock_get(s), ==, t0);

    g_assert_cmpint(qtest_clock_step(s, 1000), ==, t0 + 1000);
    g_assert_cmpint(qtest_clock_step(s, 1), ==, t0 + 1001);
    /* never backwards */
    g_assert_cmpint(qtest_clock_set(s, 0), ==, t0 + 1001);
    g_assert_cmpint(qtest_clock_set(s, t0 + 5000000), ==, t0 + 5000000);

    /* to the next deadline: forwards or, with no timer, nowhere */
    t = qtest_clock_step_next(s);
    g_assert_cmpint(t, >=, t0 + 5000000);
    for (int i = 0; i < 20; i++) {
        int64_t next = qtest_clock_step(s, 1000000 + i);

        g_assert_cmpint(next, ==, t + 1000000 + i);
        t = next;
    }
    /* a full virtual second passes and the machine is still there */
    t = qtest_clock_step(s, 1000000000);
    g_assert_cmpint(qtest_clock_get(s), ==, t);
    qtest_quit(s);
}

/* ---- IRQ lines ------------------------------------------------------- */

static void test_irq(void)
{
    QTestState *s = start();
    /* 9-11 are PCI interrupt lines on the pc board; nothing drives them
     * without a guest */
    const int gsi = 10;

    qtest_irq_intercept_in(s, "ioapic");
    g_assert_false(qtest_get_irq(s, gsi));
    qtest_set_irq_in(s, "ioapic", "unnamed-gpio-in", gsi, 1);
    g_assert_true(qtest_get_irq(s, gsi));
    g_assert_false(qtest_get_irq(s, gsi + 1));
    /* a second raise is no change and reports nothing new */
    qtest_set_irq_in(s, "ioapic", "unnamed-gpio-in", gsi, 1);
    g_assert_true(qtest_get_irq(s, gsi));
    qtest_set_irq_in(s, "ioapic", "unnamed-gpio-in", gsi, 0);
    g_assert_false(qtest_get_irq(s, gsi));
    qtest_quit(s);
}

/* ---- malformed commands ---------------------------------------------- */

static void expect_fail(QTestState *s, const char *line)
{
    char *r = qtest_raw(s, line);

    if (!g_str_has_prefix(r, "FAIL")) {
        g_error("'%.60s' answered '%.60s', expected FAIL", line, r);
    }
    g_free(r);
}

static void test_errors(void)
{
    QTestState *s = start();
    char *longline;

    expect_fail(s, "");
    expect_fail(s, "   ");
    expect_fail(s, "nonsense");
    expect_fail(s, "OUTB 0x80 1");          /* names are case-sensitive */
    expect_fail(s, "outb");
    expect_fail(s, "outb 0x80");
    expect_fail(s, "outb 0x80 1 2");
    expect_fail(s, "outb 0x10000 1");       /* past the port space */
    expect_fail(s, "outb 0x80 0x100");      /* value wider than a byte */
    expect_fail(s, "outl 0xfffe 0");        /* ends past 0xffff */
    expect_fail(s, "inb -1");
    expect_fail(s, "inb 0xzz");
    expect_fail(s, "inb 0x");
    expect_fail(s, "readb 99999999999999999999999999");
    expect_fail(s, "readq 0xffffffffffffffff");     /* wraps */
    expect_fail(s, "writeb 0x100000 0x1ff");
    expect_fail(s, "read 0x100000 0x4000001");      /* over the cap */
    expect_fail(s, "read 0x100000 0xffffffffffffffff");
    expect_fail(s, "read 0xfffffffffffffff0 0x20");  /* wraps */
    expect_fail(s, "b64read 0x100000 0x10000000");
    expect_fail(s, "memset 0x100000 0x4000001 0");
    expect_fail(s, "memset 0x100000 16 0x100");
    expect_fail(s, "write 0x100000 2 1234");        /* no 0x */
    expect_fail(s, "write 0x100000 2 0x123456");    /* more than SIZE */
    expect_fail(s, "write 0x100000 2 0x12g4");
    expect_fail(s, "write 0x100000 2 0x123");       /* odd digits */
    expect_fail(s, "b64write 0x100000 4 AAAA");     /* 3 bytes, not 4 */
    expect_fail(s, "b64write 0x100000 3 AA*A");
    expect_fail(s, "clock_step -5");
    expect_fail(s, "clock_step 0x8000000000000000");
    expect_fail(s, "clock_step 1 2");
    expect_fail(s, "clock_set");
    expect_fail(s, "set_irq_in ioapic x 24 1");     /* no GSI 24 */
    expect_fail(s, "set_irq_in ioapic x 1");
    expect_fail(s, "irq_intercept_in");

    /* a line over the 1 MiB bound is dropped whole, with one FAIL */
    longline = g_malloc(2 * 1024 * 1024 + 1);
    memset(longline, 'x', 2 * 1024 * 1024);
    memcpy(longline, "write 0x100000 1 0x", 19);
    longline[2 * 1024 * 1024] = '\0';
    expect_fail(s, longline);
    g_free(longline);

    /* nothing above wrote memory or desynchronised the stream */
    qtest_writel(s, RAM_BASE, 0xcafef00d);
    g_assert_cmphex(qtest_readl(s, RAM_BASE), ==, 0xcafef00d);
    qtest_quit(s);
}

/* ---- fuzz ------------------------------------------------------------ */

static const char *const fuzz_words[] = {
    "", "0", "1", "-1", "0x", "0x0", "08", "0b101", "1e6", "+7", "0x-1",
    "18446744073709551615", "18446744073709551616", "0xffffffffffffffff",
    "0x10000000000000000", "9223372036854775807", "9223372036854775808",
    "0x4000000", "0x4000001", "0x7fffffff", "0xffffffff", "0x100000",
    "0xfee00000", "0xfec00000", "0xfed00000", "0xffff", "0x10000",
    "AAAA", "====", "0xzz", "\t", "\r", "ioapic", "%s%n%x", "\xff\xfe",
};

static const char *fuzz_word(GRand *r, GString *tmp)
{
    switch (g_rand_int_range(r, 0, 4)) {
    case 0:
        return fuzz_words[g_rand_int_range(r, 0, G_N_ELEMENTS(fuzz_words))];
    case 1:
        g_string_printf(tmp, "0x%" G_GINT64_MODIFIER "x",
                        (guint64)g_rand_int(r) << 32 | g_rand_int(r));
        return tmp->str;
    case 2:
        g_string_printf(tmp, "%u", g_rand_int_range(r, 0, 70000));
        return tmp->str;
    default:
        /* up to 40 random hex digits: mostly past 64 bits */
        g_string_assign(tmp, "0x");
        for (int i = g_rand_int_range(r, 1, 41); i > 0; i--) {
            g_string_append_c(tmp, "0123456789abcdef"[g_rand_int(r) & 15]);
        }
        return tmp->str;
    }
}

/* Random bytes except '\n' (one line) and NUL (C string). */
static void fuzz_garbage(GRand *r, GString *line)
{
    for (int i = g_rand_int_range(r, 0, 200); i > 0; i--) {
        char c = g_rand_int_range(r, 1, 256);

        g_string_append_c(line, c == '\n' ? ' ' : c);
    }
}

/*
 * A known command with random words, usually as many as it takes.
 * Commands that change state are kept where they cannot end the machine
 * on purpose: memory writes go to RAM, port writes to an unassigned
 * port, and clock values are small or invalid (a valid step of years
 * would only make the test slow).
 */
typedef enum { F_READ, F_BULKREAD, F_OUT, F_WRITE, F_BULKWRITE, F_CLOCK,
               F_OTHER } FuzzKind;

static const struct {
    const char *name;
    int nargs;
    FuzzKind kind;
} fuzz_cmds[] = {
    { "inb", 1, F_READ }, { "inw", 1, F_READ }, { "inl", 1, F_READ },
    { "readb", 1, F_READ }, { "readw", 1, F_READ }, { "readl", 1, F_READ },
    { "readq", 1, F_READ }, { "read", 2, F_BULKREAD },
    { "b64read", 2, F_BULKREAD },
    { "outb", 2, F_OUT }, { "outw", 2, F_OUT }, { "outl", 2, F_OUT },
    { "writeb", 2, F_WRITE }, { "writew", 2, F_WRITE },
    { "writel", 2, F_WRITE }, { "writeq", 2, F_WRITE },
    { "write", 3, F_BULKWRITE }, { "b64write", 3, F_BULKWRITE },
    { "memset", 3, F_BULKWRITE },
    { "clock_step", 1, F_CLOCK }, { "clock_set", 1, F_CLOCK },
    { "endianness", 0, F_OTHER }, { "irq_intercept_in", 1, F_OTHER },
    { "irq_intercept_out", 1, F_OTHER }, { "set_irq_in", 4, F_OTHER },
};

static void fuzz_command(GRand *r, GString *line)
{
    int c = g_rand_int_range(r, 0, G_N_ELEMENTS(fuzz_cmds));
    FuzzKind kind = fuzz_cmds[c].kind;
    GString *tmp = g_string_new(NULL);
    int nargs = g_rand_int_range(r, 0, 4) ? fuzz_cmds[c].nargs
                                          : g_rand_int_range(r, 0, 6);

    g_string_append(line, fuzz_cmds[c].name);
    for (int i = 0; i < nargs; i++) {
        const char *w = fuzz_word(r, tmp);
        bool valid = g_rand_int_range(r, 0, 4) != 0;

        if (i == 0 && kind == F_OUT) {
            w = valid ? "0x2f00" : "0xzz";
        } else if (i == 0 && kind == F_CLOCK) {
            g_string_printf(tmp, "%u", g_rand_int_range(r, 0, 1000000));
            w = valid ? tmp->str : "0x8000000000000000";
        } else if (i == 0 && (kind == F_WRITE || kind == F_BULKWRITE)) {
            g_string_printf(tmp, "0x%x",
                            0x100000 + g_rand_int_range(r, 0, 0x100000));
            w = valid ? tmp->str : "0xffffffffffff";
        } else if (i == 1 && kind == F_BULKREAD) {
            /* random addresses, but never 64 MiB of MMIO: bounded, yet
             * needlessly slow */
            g_string_printf(tmp, "%u", g_rand_int_range(r, 0, 4097));
            w = valid ? tmp->str : "0x4000001";
        } else if (i == 1 && kind == F_BULKWRITE) {
            g_string_printf(tmp, "%u", g_rand_int_range(r, 0, 65536));
            w = valid ? tmp->str : "0x4000001";
        } else if (i == 2 && kind == F_BULKWRITE && valid) {
            /* data of a plausible shape, not always of the right size */
            int n = g_rand_int_range(r, 0, 64);

            if (!strcmp(fuzz_cmds[c].name, "write")) {
                g_string_assign(tmp, "0x");
                for (int j = 0; j < 2 * n; j++) {
                    g_string_append_c(tmp,
                                      "0123456789abcdef"[g_rand_int(r) & 15]);
                }
            } else if (!strcmp(fuzz_cmds[c].name, "b64write")) {
                g_string_truncate(tmp, 0);
                for (int j = 0; j < 4 * n; j++) {
                    g_string_append_c(tmp, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef"
                                           "ghijklmnopqrstuvwxyz0123456789+/"
                                           [g_rand_int(r) & 63]);
                }
            } else {
                g_string_printf(tmp, "0x%x", g_rand_int_range(r, 0, 256));
            }
            w = tmp->str;
        } else if (i >= 2 && kind == F_OTHER && valid) {
            g_string_printf(tmp, "%u", g_rand_int_range(r, 0, 26));
            w = tmp->str;
        }
        g_string_append_printf(line, " %s", w);
    }
    g_string_free(tmp, true);
}

static void test_fuzz(void)
{
    QTestState *s = start();
    GRand *r = g_rand_new_with_seed(g_test_rand_int());
    GString *line = g_string_new(NULL);
    int lines = g_test_slow() ? 20000 : 3000;

    for (int i = 0; i < lines; i++) {
        char *reply;

        g_string_truncate(line, 0);
        switch (g_rand_int_range(r, 0, 10)) {
        case 0:
            fuzz_garbage(r, line);
            break;
        case 1:
            /* a valid command with garbage glued on */
            fuzz_command(r, line);
            fuzz_garbage(r, line);
            break;
        case 2:
            if (g_rand_int_range(r, 0, 20) == 0) {
                /* past the line bound */
                g_string_set_size(line, 1024 * 1024 +
                                  g_rand_int_range(r, 0, 4096));
                memset(line->str, 'a' + i % 26, line->len);
                break;
            }
            /* fall through */
        default:
            fuzz_command(r, line);
            break;
        }
        reply = qtest_raw(s, line->str);
        /* one line, one reply, always OK or FAIL */
        if (!g_str_has_prefix(reply, "OK") &&
            !g_str_has_prefix(reply, "FAIL")) {
            g_error("'%.80s' got reply '%.80s'", line->str, reply);
        }
        g_free(reply);
    }

    /* still alive and answering, memory still works */
    {
        char *reply = qtest_raw(s, "endianness");

        g_assert_cmpstr(reply, ==, "OK little");
        g_free(reply);
    }
    qtest_writeq(s, RAM_BASE + 8, 0x1122334455667788ULL);
    g_assert_cmphex(qtest_readq(s, RAM_BASE + 8), ==, 0x1122334455667788ULL);

    g_string_free(line, true);
    g_rand_free(r);
    qtest_quit(s);
}

/* ---- -qtest stdio, and exit when the client goes ----------------------- */

/*
 * Runs pcemu with -qtest stdio on a pipe holding script, and returns what
 * it printed on stdout. The pipe's end is the client leaving: pcemu must
 * then exit on its own, with status 0.
 */
static char *run_stdio(const char *script)
{
    const char *bin = g_getenv("PCEMU_BINARY");
    char *argv[] = {
        (char *)bin, "-accel", "qtest", "-qtest", "stdio", "-display",
        "none", "-serial", "null", "-monitor", "none", "-net", "none", NULL,
    };
    char *out = NULL;
    char *err = NULL;
    int in_fd, status;
    GPid pid;
    GError *gerr = NULL;
    int out_fd, err_fd;
    GString *got = g_string_new(NULL);
    char buf[4096];
    ssize_t n;

    g_assert_nonnull(bin);
    if (!g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                  NULL, NULL, &pid, &in_fd, &out_fd, &err_fd,
                                  &gerr)) {
        g_error("cannot run %s: %s", bin, gerr->message);
    }
    g_assert_cmpint(write(in_fd, script, strlen(script)), ==,
                    (ssize_t)strlen(script));
    close(in_fd);
    while ((n = read(out_fd, buf, sizeof(buf))) > 0) {
        g_string_append_len(got, buf, n);
    }
    close(out_fd);
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        GString *e = g_string_new(NULL);

        while ((n = read(err_fd, buf, sizeof(buf))) > 0) {
            g_string_append_len(e, buf, n);
        }
        err = g_string_free(e, false);
        g_error("pcemu -qtest stdio: wait status 0x%x; stderr:\n%s", status,
                err);
    }
    close(err_fd);
    g_spawn_close_pid(pid);
    out = g_string_free(got, false);
    return out;
}

static void test_stdio(void)
{
    char *out = run_stdio("endianness\n"
                          "writel 0x100000 0xdeadbeef\n"
                          "read 0x100000 4\n"
                          "b64read 0x100000 4\n"
                          "clock_step 1000\n"
                          "nonsense\n");

    g_assert_cmpstr(out, ==, "OK little\n"
                             "OK\n"
                             "OK 0xefbeadde\n"
                             "OK 776t3g==\n"
                             "OK 1000\n"
                             "FAIL Unknown command 'nonsense'\n");
    g_free(out);
    /* a last line without '\n' is not a command */
    out = run_stdio("endianness\nendianness");
    g_assert_cmpstr(out, ==, "OK little\n");
    g_free(out);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/machine/memory/sizes", test_memory_sizes);
    g_test_add_func("/machine/memory/bulk", test_memory_bulk);
    g_test_add_func("/machine/unassigned", test_unassigned);
    g_test_add_func("/machine/clock", test_clock);
    g_test_add_func("/machine/irq", test_irq);
    g_test_add_func("/machine/protocol/errors", test_errors);
    g_test_add_func("/machine/protocol/fuzz", test_fuzz);
    g_test_add_func("/machine/protocol/stdio", test_stdio);
    return g_test_run();
}
