/*
 * The 16550A UART (isa-serial) over qtest: reset values, the divisor
 * latch, scratch, loopback with looped modem lines, the receiver FIFO
 * and its overrun, the character timeout on the virtual clock, the IIR
 * priorities, the THRE interrupt on IRQ 4, and real chardevs on both
 * sides: output reaching a file, and input from a socket paced by the
 * FIFO (no byte lost, none reordered) plus a telnet break.
 */
#include "libqtest.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define COM1    0x3f8
#define COM2    0x2f8

#define RBR     0
#define THR     0
#define DLL     0
#define IER     1
#define DLM     1
#define IIR     2
#define FCR     2
#define LCR     3
#define MCR     4
#define LSR     5
#define MSR     6
#define SCR     7

#define LSR_DR      0x01
#define LSR_OE      0x02
#define LSR_BI      0x10
#define LSR_THRE    0x20
#define LSR_TEMT    0x40

#define MCR_DTR     0x01
#define MCR_RTS     0x02
#define MCR_OUT2    0x08
#define MCR_LOOP    0x10

#define IIR_NONE    0x01
#define IIR_RLS     0x06
#define IIR_RDA     0x04
#define IIR_CTI     0x0c
#define IIR_THRE    0x02
#define IIR_MSI     0x00
#define IIR_FIFOS   0xc0

static char *tmp_path(const char *name)
{
    return g_strdup_printf("%s/pcemu-serial-%d-%s", g_get_tmp_dir(),
                           (int)getpid(), name);
}

static QTestState *start_null(void)
{
    return qtest_init("-serial null");
}

static void test_reset_values(void)
{
    QTestState *s = start_null();

    g_assert_cmphex(qtest_inb(s, COM1 + IER), ==, 0x00);
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_NONE);
    g_assert_cmphex(qtest_inb(s, COM1 + LCR), ==, 0x00);
    g_assert_cmphex(qtest_inb(s, COM1 + MCR), ==, MCR_OUT2);
    g_assert_cmphex(qtest_inb(s, COM1 + LSR), ==, LSR_THRE | LSR_TEMT);
    /* a ready line: DCD, DSR, CTS, and no deltas */
    g_assert_cmphex(qtest_inb(s, COM1 + MSR), ==, 0xb0);
    qtest_quit(s);
}

static void test_dlab_and_scratch(void)
{
    QTestState *s = start_null();

    qtest_outb(s, COM1 + LCR, 0x80);
    qtest_outb(s, COM1 + DLL, 0x01);          /* 115200 baud */
    qtest_outb(s, COM1 + DLM, 0x02);
    g_assert_cmphex(qtest_inb(s, COM1 + DLL), ==, 0x01);
    g_assert_cmphex(qtest_inb(s, COM1 + DLM), ==, 0x02);
    qtest_outb(s, COM1 + LCR, 0x03);          /* 8N1, DLAB off */
    g_assert_cmphex(qtest_inb(s, COM1 + LCR), ==, 0x03);
    /* IER is not the divisor's high byte any more, and keeps 4 bits */
    g_assert_cmphex(qtest_inb(s, COM1 + IER), ==, 0x00);
    qtest_outb(s, COM1 + IER, 0xff);
    g_assert_cmphex(qtest_inb(s, COM1 + IER), ==, 0x0f);
    qtest_outb(s, COM1 + IER, 0x00);
    qtest_outb(s, COM1 + LCR, 0x83);
    g_assert_cmphex(qtest_inb(s, COM1 + DLM), ==, 0x02);
    qtest_outb(s, COM1 + LCR, 0x03);

    qtest_outb(s, COM1 + SCR, 0x5a);
    g_assert_cmphex(qtest_inb(s, COM1 + SCR), ==, 0x5a);
    qtest_outb(s, COM1 + SCR, 0xa5);
    g_assert_cmphex(qtest_inb(s, COM1 + SCR), ==, 0xa5);
    qtest_quit(s);
}

static void test_second_port(void)
{
    QTestState *s = qtest_init("-serial null -serial null "
                               "-device isa-serial,iobase=0x3e8,irq=4");

    qtest_outb(s, COM2 + SCR, 0x42);
    g_assert_cmphex(qtest_inb(s, COM2 + SCR), ==, 0x42);
    g_assert_cmphex(qtest_inb(s, COM1 + SCR), ==, 0x00);
    qtest_outb(s, 0x3e8 + SCR, 0x17);
    g_assert_cmphex(qtest_inb(s, 0x3e8 + SCR), ==, 0x17);
    g_assert_cmphex(qtest_inb(s, 0x3e8 + LSR), ==, LSR_THRE | LSR_TEMT);
    qtest_quit(s);
}

static void test_loopback(void)
{
    QTestState *s = start_null();

    qtest_outb(s, COM1 + LCR, 0x03);
    /* Linux's probe: loopback with RTS and OUT2 reads CTS and DCD */
    qtest_outb(s, COM1 + MCR, MCR_LOOP | MCR_OUT2 | MCR_RTS);
    g_assert_cmphex(qtest_inb(s, COM1 + MSR) & 0xf0, ==, 0x90);
    /* ... and the read cleared the delta DSR went down with */
    g_assert_cmphex(qtest_inb(s, COM1 + MSR), ==, 0x90);
    qtest_outb(s, COM1 + MCR, MCR_LOOP | MCR_DTR | 0x04);   /* DTR, OUT1 */
    /* DSR, RI up; CTS, DCD down: DCTS, DDSR, DDCD (TERI is on RI's fall) */
    g_assert_cmphex(qtest_inb(s, COM1 + MSR), ==, 0x60 | 0x0b);
    qtest_outb(s, COM1 + MCR, MCR_LOOP | MCR_DTR);          /* RI falls */
    g_assert_cmphex(qtest_inb(s, COM1 + MSR), ==, 0x20 | 0x04);

    qtest_outb(s, COM1 + THR, 'A');
    g_assert_cmphex(qtest_inb(s, COM1 + LSR), ==,
                    LSR_DR | LSR_THRE | LSR_TEMT);
    g_assert_cmphex(qtest_inb(s, COM1 + RBR), ==, 'A');
    g_assert_cmphex(qtest_inb(s, COM1 + LSR) & LSR_DR, ==, 0);

    /* no FIFO: a second byte before the first is read is an overrun */
    qtest_outb(s, COM1 + THR, 'B');
    qtest_outb(s, COM1 + THR, 'C');
    g_assert_cmphex(qtest_inb(s, COM1 + LSR), ==,
                    LSR_DR | LSR_OE | LSR_THRE | LSR_TEMT);
    g_assert_cmphex(qtest_inb(s, COM1 + LSR) & LSR_OE, ==, 0);
    g_assert_cmphex(qtest_inb(s, COM1 + RBR), ==, 'C');
    qtest_quit(s);
}

static void test_fifo(void)
{
    QTestState *s = start_null();
    int i;

    qtest_outb(s, COM1 + LCR, 0x03);
    qtest_outb(s, COM1 + FCR, 0x07);    /* enable, reset both */
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_FIFOS | IIR_NONE);
    qtest_outb(s, COM1 + MCR, MCR_LOOP);
    for (i = 0; i < 16; i++) {
        qtest_outb(s, COM1 + THR, 0x30 + i);
    }
    g_assert_cmphex(qtest_inb(s, COM1 + LSR) & (LSR_DR | LSR_OE), ==,
                    LSR_DR);
    qtest_outb(s, COM1 + THR, 'X');     /* the 17th: overrun, lost */
    g_assert_cmphex(qtest_inb(s, COM1 + LSR) & (LSR_DR | LSR_OE), ==,
                    LSR_DR | LSR_OE);
    for (i = 0; i < 16; i++) {
        g_assert_cmphex(qtest_inb(s, COM1 + LSR) & LSR_DR, ==, LSR_DR);
        g_assert_cmphex(qtest_inb(s, COM1 + RBR), ==, 0x30 + i);
    }
    g_assert_cmphex(qtest_inb(s, COM1 + LSR) & LSR_DR, ==, 0);

    /* the receiver FIFO reset empties it */
    qtest_outb(s, COM1 + THR, 'Y');
    qtest_outb(s, COM1 + FCR, 0x03);
    g_assert_cmphex(qtest_inb(s, COM1 + LSR) & LSR_DR, ==, 0);

    /* turning the FIFOs off drops the FIFO bits from IIR */
    qtest_outb(s, COM1 + FCR, 0x00);
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_NONE);
    qtest_quit(s);
}

static void test_trigger_and_timeout(void)
{
    QTestState *s = start_null();

    qtest_outb(s, COM1 + LCR, 0x80);
    qtest_outb(s, COM1 + DLL, 12);      /* 9600 baud: 1.04 ms a char */
    qtest_outb(s, COM1 + DLM, 0);
    qtest_outb(s, COM1 + LCR, 0x03);
    qtest_outb(s, COM1 + FCR, 0x47);    /* trigger level 4 */
    qtest_outb(s, COM1 + MCR, MCR_LOOP);
    qtest_outb(s, COM1 + IER, 0x01);    /* received data only */

    qtest_outb(s, COM1 + THR, 'a');
    qtest_outb(s, COM1 + THR, 'b');
    qtest_outb(s, COM1 + THR, 'c');
    /* below the trigger level: nothing yet */
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_FIFOS | IIR_NONE);
    /* three character times later, still nothing */
    qtest_clock_step(s, 3000000);
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_FIFOS | IIR_NONE);
    /* past four: the character timeout */
    qtest_clock_step(s, 1500000);
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_FIFOS | IIR_CTI);
    /* reading a byte clears it and restarts the count */
    g_assert_cmphex(qtest_inb(s, COM1 + RBR), ==, 'a');
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_FIFOS | IIR_NONE);
    qtest_clock_step(s, 5000000);
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_FIFOS | IIR_CTI);

    /* reaching the trigger level is "data available" at once */
    qtest_outb(s, COM1 + THR, 'd');
    qtest_outb(s, COM1 + THR, 'e');
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_FIFOS | IIR_RDA);
    g_assert_cmphex(qtest_inb(s, COM1 + RBR), ==, 'b');
    /* three left, below 4: back to waiting for the timeout */
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_FIFOS | IIR_NONE);
    qtest_quit(s);
}

static void test_iir_priorities(void)
{
    QTestState *s = start_null();

    qtest_outb(s, COM1 + LCR, 0x03);
    qtest_outb(s, COM1 + MCR, MCR_LOOP | MCR_OUT2 | MCR_RTS);
    qtest_inb(s, COM1 + MSR);                   /* clear the deltas */
    qtest_outb(s, COM1 + IER, 0x0f);
    /* enabling ETBEI with THR empty: THRE at once */
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_THRE);
    /* that read acknowledged it */
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_NONE);

    qtest_outb(s, COM1 + THR, 'x');             /* data + THRE */
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_RDA);
    qtest_outb(s, COM1 + THR, 'y');             /* overrun: line status */
    qtest_outb(s, COM1 + MCR, MCR_LOOP | MCR_OUT2 | MCR_RTS | MCR_DTR);
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_RLS);
    qtest_inb(s, COM1 + LSR);
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_RDA);
    g_assert_cmphex(qtest_inb(s, COM1 + RBR), ==, 'y');
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_THRE);
    /* THRE acknowledged by that read: modem status (DSR rose) is left */
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_MSI);
    g_assert_cmphex(qtest_inb(s, COM1 + MSR), ==, 0xb0 | 0x02);
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_NONE);

    /* masked sources do not show */
    qtest_outb(s, COM1 + IER, 0x00);
    qtest_outb(s, COM1 + THR, 'z');
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_NONE);
    qtest_quit(s);
}

static void test_thre_irq(void)
{
    QTestState *s = start_null();

    qtest_irq_intercept_in(s, "ioapic");
    qtest_outb(s, COM1 + LCR, 0x03);
    g_assert_false(qtest_get_irq(s, 4));
    qtest_outb(s, COM1 + IER, 0x02);
    g_assert_true(qtest_get_irq(s, 4));
    g_assert_cmphex(qtest_inb(s, COM1 + IIR), ==, IIR_THRE);
    g_assert_false(qtest_get_irq(s, 4));
    /* the byte leaves at once and THR is empty again: a new interrupt */
    qtest_outb(s, COM1 + THR, 'q');
    g_assert_true(qtest_get_irq(s, 4));
    qtest_outb(s, COM1 + IER, 0x00);
    g_assert_false(qtest_get_irq(s, 4));
    /* COM2 is on IRQ 3 */
    qtest_quit(s);

    s = qtest_init("-serial null -serial null");
    qtest_irq_intercept_in(s, "ioapic");
    qtest_outb(s, COM2 + IER, 0x02);
    g_assert_true(qtest_get_irq(s, 3));
    g_assert_false(qtest_get_irq(s, 4));
    qtest_quit(s);
}

static char *read_file_when(const char *path, size_t want)
{
    char *text = NULL;
    size_t len = 0;

    for (int i = 0; i < 500; i++) {
        g_free(text);
        text = NULL;
        if (g_file_get_contents(path, &text, &len, NULL) && len >= want) {
            break;
        }
        g_usleep(10000);
    }
    return text;
}

static void test_output_to_file(void)
{
    char *path = tmp_path("out");
    char *p2 = tmp_path("out2");
    const char *msg = "hello, world\r\n";
    QTestState *s;
    char *text;

    s = qtest_initf("-chardev file,id=c0,path=%s -serial chardev:c0", path);
    qtest_outb(s, COM1 + LCR, 0x03);
    for (const char *p = msg; *p; p++) {
        while (!(qtest_inb(s, COM1 + LSR) & LSR_THRE)) {
            ;
        }
        qtest_outb(s, COM1 + THR, *p);
    }
    /* loopback output stays inside the chip */
    qtest_outb(s, COM1 + MCR, MCR_LOOP);
    qtest_outb(s, COM1 + THR, '!');
    text = read_file_when(path, strlen(msg));
    g_assert_cmpstr(text, ==, msg);
    g_free(text);
    qtest_quit(s);

    /* the legacy spelling, on the second port */
    s = qtest_initf("-serial null -serial file:%s", p2);
    qtest_outb(s, COM2 + THR, 'Z');
    text = read_file_when(p2, 1);
    g_assert_cmpstr(text, ==, "Z");
    g_free(text);
    qtest_quit(s);

    unlink(path);
    unlink(p2);
    g_free(path);
    g_free(p2);
}

static int connect_unix(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(strlen(path), <, sizeof(sun.sun_path));
    strcpy(sun.sun_path, path);
    /* the server is listening once qtest_init returned */
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), ==,
                    0);
    return fd;
}

static void read_full(int fd, void *buf, size_t len)
{
    size_t done = 0;

    while (done < len) {
        ssize_t n = read(fd, (char *)buf + done, len - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        g_assert_cmpint(n, >, 0);
        done += n;
    }
}

/* Every LSR value wait_dr saw, ORed: reading LSR clears its error bits,
 * so a test looking for one must look at every read. */
static uint8_t lsr_seen;

/* Polls LSR until data is ready (the main loop needs a few turns to move
 * bytes from the socket into the FIFO). */
static bool wait_dr(QTestState *s)
{
    for (int i = 0; i < 2000; i++) {
        uint8_t lsr = qtest_inb(s, COM1 + LSR);

        lsr_seen |= lsr;
        if (lsr & LSR_DR) {
            return true;
        }
        g_usleep(1000);
    }
    return false;
}

static void test_input_from_socket(void)
{
    char *path = tmp_path("sock");
    uint8_t sent[100], got[100];
    char back[4] = { 0 };
    QTestState *s;
    int fd, i;

    s = qtest_initf("-chardev socket,id=c0,path=%s,server=on,wait=off "
                    "-serial chardev:c0", path);
    fd = connect_unix(path);
    qtest_outb(s, COM1 + LCR, 0x03);
    qtest_outb(s, COM1 + FCR, 0x01);

    /* 100 bytes into a 16-byte FIFO: the chardev waits for room, so all
     * arrive, in order, with no overrun */
    for (i = 0; i < 100; i++) {
        sent[i] = (uint8_t)(i * 7 + 1);
    }
    g_assert_cmpint(write(fd, sent, sizeof(sent)), ==, sizeof(sent));
    lsr_seen = 0;
    for (i = 0; i < 100; i++) {
        g_assert_true(wait_dr(s));
        got[i] = qtest_inb(s, COM1 + RBR);
    }
    g_assert_cmphex(lsr_seen & LSR_OE, ==, 0);
    g_assert_cmpmem(got, sizeof(got), sent, sizeof(sent));

    /* and the other way */
    qtest_outb(s, COM1 + THR, 'o');
    qtest_outb(s, COM1 + THR, 'k');
    read_full(fd, back, 2);
    g_assert_cmpstr(back, ==, "ok");
    close(fd);
    qtest_quit(s);
    g_free(path);
}

static void test_telnet_break(void)
{
    char *path = tmp_path("tn");
    static const uint8_t brk[] = { 'a', 0xff, 0xf3, 'b', 0xff, 0xff };
    static const uint8_t expect[] = { 'a', 0, 'b', 0xff };
    uint8_t nego[9], got[4];
    QTestState *s;
    int fd;

    s = qtest_initf("-chardev socket,id=c0,path=%s,server=on,wait=off,"
                    "telnet=on -serial chardev:c0", path);
    fd = connect_unix(path);
    /* the server's offer: WILL ECHO, WILL SGA, DONT LINEMODE */
    read_full(fd, nego, sizeof(nego));
    g_assert_cmphex(nego[0], ==, 0xff);
    g_assert_cmphex(nego[1], ==, 0xfb);
    qtest_outb(s, COM1 + LCR, 0x03);
    qtest_outb(s, COM1 + FCR, 0x01);
    g_assert_cmpint(write(fd, brk, sizeof(brk)), ==, sizeof(brk));
    /* 'a', the break's NUL (with BI), 'b', a data 0xff */
    lsr_seen = 0;
    for (int i = 0; i < 4; i++) {
        g_assert_true(wait_dr(s));
        got[i] = qtest_inb(s, COM1 + RBR);
    }
    g_assert_cmpmem(got, 4, expect, 4);
    g_assert_cmphex(lsr_seen & LSR_BI, ==, LSR_BI);
    g_assert_cmphex(qtest_inb(s, COM1 + LSR) & (LSR_DR | LSR_BI), ==, 0);
    close(fd);
    qtest_quit(s);
    g_free(path);
}

/* Random register traffic on both ports, with loopback, FIFO and DLAB
 * toggled along the way and the clock moving: the only assertion is
 * that pcemu neither crashes nor hangs (qtest_quit checks). */
static void test_register_fuzz(void)
{
    QTestState *s = qtest_init("-serial null -serial null");
    GRand *r = g_rand_new_with_seed(0x16550a);

    qtest_irq_intercept_in(s, "ioapic");
    for (int i = 0; i < 20000; i++) {
        uint16_t base = g_rand_boolean(r) ? COM1 : COM2;
        uint16_t port = base + g_rand_int_range(r, 0, 8);

        switch (g_rand_int_range(r, 0, 8)) {
        case 0:
            qtest_clock_step(s, g_rand_int_range(r, 0, 10000000));
            break;
        case 1:
            qtest_outw(s, port, g_rand_int(r));
            break;
        case 2:
            qtest_inl(s, base);
            break;
        case 3:
        case 4:
            qtest_outb(s, port, g_rand_int(r));
            break;
        default:
            qtest_inb(s, port);
            break;
        }
    }
    /* still answering, and the registers still make sense */
    qtest_outb(s, COM1 + LCR, 0x03);
    qtest_outb(s, COM1 + SCR, 0x77);
    g_assert_cmphex(qtest_inb(s, COM1 + SCR), ==, 0x77);
    g_rand_free(r);
    qtest_quit(s);
}

/* Runs pcemu with args that must stop it at start-up: exit status 1 and
 * a message naming the problem on stderr. */
static void expect_startup_error(const char *args, const char *needle)
{
    const char *bin = g_getenv("PCEMU_BINARY");
    char *cmd, *err = NULL;
    int status;

    g_assert_nonnull(bin);
    cmd = g_strdup_printf("%s -accel qtest -display none %s", bin, args);
    g_assert_true(g_spawn_command_line_sync(cmd, NULL, &err, &status, NULL));
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 1);
    if (!strstr(err, needle)) {
        g_error("'%s' said '%s', expected '%s'", cmd, err, needle);
    }
    g_free(err);
    g_free(cmd);
}

static void test_bad_options(void)
{
    expect_startup_error("-serial bogus:x", "unknown backend 'bogus'");
    expect_startup_error("-serial file:/nonexistent-dir/x",
                         "could not open '/nonexistent-dir/x'");
    expect_startup_error("-device isa-serial,index=7",
                         "index 7 has no standard I/O port");
    expect_startup_error("-device isa-serial,iobase=0x100,irq=16",
                         "irq 16 is not an ISA IRQ");
    expect_startup_error("-device isa-serial,iobase=0xfffc,irq=3",
                         "past the I/O space");
    expect_startup_error("-chardev null,id=c -device isa-serial,chardev=c "
                         "-device isa-serial,chardev=c",
                         "chardev 'c' is already in use");
    expect_startup_error("-chardev socket,id=s,path=/nonexistent-dir/s,"
                         "server=on,wait=off,bogus=1",
                         "Invalid parameter 'bogus'");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/serial/reset-values", test_reset_values);
    g_test_add_func("/serial/dlab-scratch", test_dlab_and_scratch);
    g_test_add_func("/serial/second-port", test_second_port);
    g_test_add_func("/serial/loopback", test_loopback);
    g_test_add_func("/serial/fifo", test_fifo);
    g_test_add_func("/serial/trigger-timeout", test_trigger_and_timeout);
    g_test_add_func("/serial/iir-priorities", test_iir_priorities);
    g_test_add_func("/serial/thre-irq", test_thre_irq);
    g_test_add_func("/serial/output-file", test_output_to_file);
    g_test_add_func("/serial/input-socket", test_input_from_socket);
    g_test_add_func("/serial/telnet-break", test_telnet_break);
    g_test_add_func("/serial/bad-options", test_bad_options);
    g_test_add_func("/serial/register-fuzz", test_register_fuzz);
    return g_test_run();
}
