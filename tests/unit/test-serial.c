/*
 * The 16550A's state description (vmstate_serial): a saved UART loads
 * into a fresh one that then reads back the same registers, FIFO bytes
 * and IRQ level; a stream with the FIFO indices out of range (a hostile
 * or corrupt migration) is refused with an error instead of letting the
 * guest index past the FIFO.
 */
#include "hw/char/serial.h"
#include "softmmu/main-loop.h"

#define UART_THR    0
#define UART_IER    1
#define UART_IIR    2
#define UART_FCR    2
#define UART_LCR    3
#define UART_MCR    4
#define UART_LSR    5
#define UART_SCR    7

/* Stream offsets: u32 version, u16 divisor, eight u8 registers, the
 * 16-byte FIFO, then head and count. */
#define STREAM_RX_HEAD  (4 + 2 + 8 + 16)
#define STREAM_RX_COUNT (STREAM_RX_HEAD + 1)

static int irq_level[2];

static void irq_handler(void *opaque, int n, int level)
{
    irq_level[n] = level;
}

static void uart_new(SerialState *s, int n)
{
    Error *err = NULL;

    memset(s, 0, sizeof(*s));
    g_assert_true(serial_init(s, n ? "uart1" : "uart0", NULL,
                              irq_line(irq_handler, NULL, n), &err));
}

static uint8_t rd(SerialState *s, int reg)
{
    return s->io.ops->read(s->io.opaque, reg, 1);
}

static void wr(SerialState *s, int reg, uint8_t v)
{
    s->io.ops->write(s->io.opaque, reg, v, 1);
}

/* A UART mid-conversation: FIFO on, 3 bytes waiting (below the trigger
 * level 4), the THRE interrupt pending and enabled. */
static void uart_program(SerialState *s)
{
    wr(s, UART_LCR, 0x80);
    wr(s, 0, 0x01);
    wr(s, 1, 0x00);
    wr(s, UART_LCR, 0x1b);
    wr(s, UART_FCR, 0x47);
    wr(s, UART_MCR, 0x1b);
    wr(s, UART_THR, 'a');
    wr(s, UART_THR, 'b');
    wr(s, UART_THR, 'c');
    wr(s, UART_SCR, 0x5a);
    wr(s, UART_IER, 0x0f);
}

static void test_roundtrip(void)
{
    SerialState a, b;
    GByteArray *buf = g_byte_array_new();
    Error *err = NULL;
    size_t pos = 0;

    uart_new(&a, 0);
    uart_new(&b, 1);
    uart_program(&a);
    g_assert_cmpint(irq_level[0], ==, 1);
    g_assert_cmpint(irq_level[1], ==, 0);
    vmstate_save(&vmstate_serial, &a, buf);
    g_assert_cmpuint(buf->data[STREAM_RX_COUNT], ==, 3);

    g_assert_true(vmstate_load(&vmstate_serial, &b, buf->data, buf->len,
                               &pos, &err));
    g_assert_null(err);
    g_assert_cmpuint(pos, ==, buf->len);
    /* the loaded level went out on b's line */
    g_assert_cmpint(irq_level[1], ==, 1);
    for (int reg = UART_IER; reg <= UART_SCR; reg++) {
        if (reg != UART_IIR && reg != UART_LSR) {
            g_assert_cmphex(rd(&b, reg), ==, rd(&a, reg));
        }
    }
    g_assert_cmphex(rd(&b, UART_LSR), ==, rd(&a, UART_LSR));
    g_assert_cmphex(rd(&b, UART_IIR), ==, 0xc2);    /* THRE, FIFOs on */
    g_assert_cmphex(rd(&a, UART_IIR), ==, 0xc2);
    for (const char *p = "abc"; *p; p++) {
        g_assert_cmphex(rd(&b, 0), ==, *p);
    }
    g_assert_cmphex(rd(&b, UART_LSR) & 0x01, ==, 0);
    wr(&b, UART_LCR, 0x9b);
    g_assert_cmphex(rd(&b, 0), ==, 0x01);           /* divisor latch */
    g_byte_array_free(buf, true);
}

static void test_reject_bad_fifo(void)
{
    static const struct { int off; uint8_t val; } bad[] = {
        { STREAM_RX_COUNT, 17 },
        { STREAM_RX_COUNT, 0xff },
        { STREAM_RX_HEAD, 16 },
    };

    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        SerialState a, b;
        GByteArray *buf = g_byte_array_new();
        Error *err = NULL;
        size_t pos = 0;

        uart_new(&a, 0);
        uart_new(&b, 1);
        uart_program(&a);
        vmstate_save(&vmstate_serial, &a, buf);
        buf->data[bad[i].off] = bad[i].val;
        g_assert_false(vmstate_load(&vmstate_serial, &b, buf->data,
                                    buf->len, &pos, &err));
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(err->msg, "FIFO"));
        error_free(err);
        g_byte_array_free(buf, true);
    }
}

static void test_truncated(void)
{
    SerialState a, b;
    GByteArray *buf = g_byte_array_new();
    Error *err = NULL;
    size_t pos = 0;

    uart_new(&a, 0);
    uart_new(&b, 1);
    vmstate_save(&vmstate_serial, &a, buf);
    g_assert_false(vmstate_load(&vmstate_serial, &b, buf->data,
                                buf->len - 1, &pos, &err));
    g_assert_nonnull(err);
    error_free(err);
    g_byte_array_free(buf, true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    g_test_add_func("/serial/vmstate/roundtrip", test_roundtrip);
    g_test_add_func("/serial/vmstate/reject-bad-fifo", test_reject_bad_fifo);
    g_test_add_func("/serial/vmstate/truncated", test_truncated);
    return g_test_run();
}
