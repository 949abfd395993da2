/*
 * National Semiconductor PC16550D UART with FIFOs (the "16550A").
 * Source: PC16550D Universal Asynchronous Receiver/Transmitter with FIFOs,
 * National Semiconductor datasheet (June 1995): section 8 (registers),
 * table II (interrupt control functions), 8.4 (FCR), 8.5 (FIFO interrupt
 * mode: trigger levels and the character timeout), 8.6 (MCR, loopback).
 *
 * Emulated: all registers (RBR/THR, IER, IIR/FCR, LCR, MCR, LSR, MSR,
 * SCR, the divisor latch behind DLAB); the 16-byte receiver FIFO with its
 * trigger levels and the character timeout (four character times at the
 * programmed baud rate, on the virtual clock); the five interrupt sources
 * in priority order with their IIR codes and clearing rules; loopback
 * with the modem control outputs looped to the status inputs and their
 * delta bits; a received break (a NUL with BI).
 *
 * Transmission is instantaneous: a byte written to THR goes to the
 * chardev at once and THR/TSR are empty again before the next register
 * access, so THRE and TEMT always read 1 between writes and the THRE
 * interrupt fires again after each write, which is what polling and
 * interrupt-driven drivers both need. The receiver asks the chardev for
 * no more bytes than the FIFO (or RBR) can hold, so input never overruns.
 *
 * HW differences, as QEMU (guests tested against QEMU rely on them):
 * - OUT2 does not gate the interrupt line (on a PC it does, off-chip);
 * - MCR resets to OUT2 set, and without loopback the modem inputs read as
 *   a ready line (DCD, DSR, CTS);
 * - bytes are sent and received whole whatever the word length in LCR,
 *   so a guest that never programs LCR still prints text.
 *
 * Not emulated: baud-rate timing of transmission, parity/framing errors
 * (nothing produces them), sending a break (LCR bit 6 is stored only),
 * DMA mode signalling (FCR bit 3 stored), host modem lines.
 */
#include "hw/char/serial.h"
#include "chardev/char.h"
#include "softmmu/timer.h"

/* Register offsets; DLAB is LCR bit 7. */
#define UART_RBR    0   /* read, DLAB=0 */
#define UART_THR    0   /* write, DLAB=0 */
#define UART_DLL    0   /* DLAB=1 */
#define UART_IER    1   /* DLAB=0 */
#define UART_DLM    1   /* DLAB=1 */
#define UART_IIR    2   /* read */
#define UART_FCR    2   /* write */
#define UART_LCR    3
#define UART_MCR    4
#define UART_LSR    5
#define UART_MSR    6
#define UART_SCR    7

/* IER */
#define UART_IER_ERBFI  0x01    /* received data available */
#define UART_IER_ETBEI  0x02    /* transmitter holding register empty */
#define UART_IER_ELSI   0x04    /* receiver line status */
#define UART_IER_EDSSI  0x08    /* modem status */
#define UART_IER_MASK   0x0f

/* IIR: bit 0 clear when an interrupt is pending, bits 3-1 its source */
#define UART_IIR_NO_INT 0x01
#define UART_IIR_ID     0x0f
#define UART_IIR_RLS    0x06    /* priority 1: receiver line status */
#define UART_IIR_RDA    0x04    /* priority 2: received data available */
#define UART_IIR_CTI    0x0c    /* priority 2: character timeout */
#define UART_IIR_THRE   0x02    /* priority 3: THR empty */
#define UART_IIR_MSI    0x00    /* priority 4: modem status */
#define UART_IIR_FIFOS  0xc0    /* FIFOs enabled */

/* FCR */
#define UART_FCR_FE     0x01    /* FIFO enable */
#define UART_FCR_RFR    0x02    /* receiver FIFO reset (self-clearing) */
#define UART_FCR_XFR    0x04    /* transmitter FIFO reset (self-clearing) */
#define UART_FCR_DMS    0x08    /* DMA mode select */
#define UART_FCR_RT     0xc0    /* receiver trigger: 1, 4, 8, 14 bytes */

/* LCR */
#define UART_LCR_WLS    0x03    /* word length - 5 */
#define UART_LCR_STB    0x04    /* 2 stop bits (1.5 with 5-bit words) */
#define UART_LCR_PEN    0x08    /* parity enable */
#define UART_LCR_SB     0x40    /* set break */
#define UART_LCR_DLAB   0x80    /* divisor latch access */

/* MCR */
#define UART_MCR_DTR    0x01
#define UART_MCR_RTS    0x02
#define UART_MCR_OUT1   0x04
#define UART_MCR_OUT2   0x08
#define UART_MCR_LOOP   0x10
#define UART_MCR_MASK   0x1f

/* LSR */
#define UART_LSR_DR     0x01    /* data ready */
#define UART_LSR_OE     0x02    /* overrun error */
#define UART_LSR_PE     0x04    /* parity error */
#define UART_LSR_FE     0x08    /* framing error */
#define UART_LSR_BI     0x10    /* break interrupt */
#define UART_LSR_THRE   0x20    /* THR empty */
#define UART_LSR_TEMT   0x40    /* THR and shift register empty */
#define UART_LSR_RXFE   0x80    /* error in receiver FIFO */
#define UART_LSR_INT    (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | \
                         UART_LSR_BI)

/* MSR: inputs in the high nibble, their deltas in the low one */
#define UART_MSR_DCTS   0x01
#define UART_MSR_DDSR   0x02
#define UART_MSR_TERI   0x04    /* RI went from on to off */
#define UART_MSR_DDCD   0x08
#define UART_MSR_CTS    0x10
#define UART_MSR_DSR    0x20
#define UART_MSR_RI     0x40
#define UART_MSR_DCD    0x80
#define UART_MSR_DELTAS 0x0f

/* The PC's UART clock: 1.8432 MHz, divided by 16 x the divisor. */
#define UART_CLOCK_HZ   1843200

const uint16_t serial_isa_iobase[SERIAL_ISA_MAX] = {
    0x3f8, 0x2f8, 0x3e8, 0x2e8
};
const uint8_t serial_isa_irq[SERIAL_ISA_MAX] = { 4, 3, 4, 3 };

static const uint8_t serial_trigger_level[4] = { 1, 4, 8, 14 };

static bool serial_fifo_enabled(const SerialState *s)
{
    return s->fcr & UART_FCR_FE;
}

/* The one place that derives IIR and the IRQ level (table II). */
static void serial_update_irq(SerialState *s)
{
    bool fifo = serial_fifo_enabled(s);
    uint8_t id = UART_IIR_NO_INT;

    if ((s->ier & UART_IER_ELSI) && (s->lsr & UART_LSR_INT)) {
        id = UART_IIR_RLS;
    } else if ((s->ier & UART_IER_ERBFI) && (s->lsr & UART_LSR_DR) &&
               (!fifo || s->rx_count >=
                         serial_trigger_level[s->fcr >> 6])) {
        id = UART_IIR_RDA;
    } else if ((s->ier & UART_IER_ERBFI) && s->timeout_ipending) {
        id = UART_IIR_CTI;
    } else if ((s->ier & UART_IER_ETBEI) && s->thr_ipending) {
        id = UART_IIR_THRE;
    } else if ((s->ier & UART_IER_EDSSI) && (s->msr & UART_MSR_DELTAS)) {
        id = UART_IIR_MSI;
    }
    s->iir = id | (fifo ? UART_IIR_FIFOS : 0);
    /* Only changes go out: with KVM's irqchip each one is an ioctl. */
    if (s->irq_level != (id != UART_IIR_NO_INT)) {
        s->irq_level = id != UART_IIR_NO_INT;
        irq_set(s->irq, s->irq_level);
    }
}

/* ---- modem status ---- */

/* What CTS, DSR, RI and DCD read now. */
static uint8_t serial_modem_inputs(const SerialState *s)
{
    if (s->mcr & UART_MCR_LOOP) {
        /* 8.6: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD inside the chip. */
        return (s->mcr & UART_MCR_RTS ? UART_MSR_CTS : 0) |
               (s->mcr & UART_MCR_DTR ? UART_MSR_DSR : 0) |
               (s->mcr & UART_MCR_OUT1 ? UART_MSR_RI : 0) |
               (s->mcr & UART_MCR_OUT2 ? UART_MSR_DCD : 0);
    }
    return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
}

/* Latches new inputs and the deltas their changes set. */
static void serial_update_msr(SerialState *s)
{
    uint8_t old = s->msr & ~UART_MSR_DELTAS;
    uint8_t now = serial_modem_inputs(s);
    uint8_t changed = old ^ now;
    uint8_t deltas = s->msr & UART_MSR_DELTAS;

    if (changed & UART_MSR_CTS) {
        deltas |= UART_MSR_DCTS;
    }
    if (changed & UART_MSR_DSR) {
        deltas |= UART_MSR_DDSR;
    }
    if (changed & UART_MSR_DCD) {
        deltas |= UART_MSR_DDCD;
    }
    if ((old & UART_MSR_RI) && !(now & UART_MSR_RI)) {
        deltas |= UART_MSR_TERI;    /* trailing edge only */
    }
    s->msr = now | deltas;
}

/* ---- receiver ---- */

/* One character time in ns: start + data + parity + stop bits. */
static int64_t serial_char_ns(const SerialState *s)
{
    int bits = 1 + 5 + (s->lcr & UART_LCR_WLS) +
               (s->lcr & UART_LCR_PEN ? 1 : 0) +
               (s->lcr & UART_LCR_STB ? 2 : 1);
    /* A zero divisor is undefined in the datasheet; take the fastest. */
    int64_t div = s->divider ? s->divider : 1;

    return bits * 16 * div * NANOSECONDS_PER_SECOND / UART_CLOCK_HZ;
}

/*
 * 8.5: the character timeout fires when the FIFO holds data and nothing
 * went in or out of it for four character times; each byte received and
 * each RBR read restarts the count.
 */
static void serial_restart_timeout(SerialState *s)
{
    if (serial_fifo_enabled(s) && s->rx_count) {
        s->timeout_deadline = clock_get_ns(CLOCK_VIRTUAL) +
                              4 * serial_char_ns(s);
        timer_mod(s->timeout_timer, s->timeout_deadline);
    } else {
        s->timeout_deadline = -1;
        timer_del(s->timeout_timer);
    }
}

static void serial_timeout_cb(void *opaque)
{
    SerialState *s = opaque;

    s->timeout_deadline = -1;
    if (serial_fifo_enabled(s) && s->rx_count) {
        s->timeout_ipending = true;
        serial_update_irq(s);
    }
}

static void serial_rx_clear(SerialState *s)
{
    s->rx_head = 0;
    s->rx_count = 0;
    s->timeout_ipending = false;
    s->lsr &= ~(UART_LSR_DR | UART_LSR_RXFE);
    serial_restart_timeout(s);
}

/* A character arrives at the receiver (from the line or looped back). */
static void serial_receive_byte(SerialState *s, uint8_t c, uint8_t errors)
{
    if (serial_fifo_enabled(s)) {
        if (s->rx_count == UART_FIFO_SIZE) {
            /* 8.5: the FIFO keeps its bytes, the new one is lost. */
            s->lsr |= UART_LSR_OE;
        } else {
            s->rx_fifo[(s->rx_head + s->rx_count) % UART_FIFO_SIZE] = c;
            s->rx_count++;
            if (errors) {
                s->lsr |= UART_LSR_RXFE;
            }
        }
        serial_restart_timeout(s);
    } else {
        if (s->lsr & UART_LSR_DR) {
            s->lsr |= UART_LSR_OE;
        }
        s->rbr = c;
    }
    /* UNIMPL: in FIFO mode the datasheet shows BI when the break's NUL
     * reaches the top of the FIFO; it is shown at once here, as QEMU. */
    s->lsr |= UART_LSR_DR | errors;
    serial_update_irq(s);
}

static uint8_t serial_read_rbr(SerialState *s)
{
    uint8_t c = 0;

    if (serial_fifo_enabled(s)) {
        if (s->rx_count) {
            c = s->rx_fifo[s->rx_head];
            s->rx_head = (s->rx_head + 1) % UART_FIFO_SIZE;
            s->rx_count--;
        }
        if (!s->rx_count) {
            s->lsr &= ~(UART_LSR_DR | UART_LSR_RXFE);
        }
        s->timeout_ipending = false;
        serial_restart_timeout(s);
    } else {
        c = s->rbr;
        s->lsr &= ~UART_LSR_DR;
    }
    serial_update_irq(s);
    chardev_accept_input(s->chr);       /* room for one more byte */
    return c;
}

/* ---- transmitter ---- */

static void serial_write_thr(SerialState *s, uint8_t c)
{
    s->thr_ipending = false;
    s->lsr &= ~(UART_LSR_THRE | UART_LSR_TEMT);
    serial_update_irq(s);

    if (s->mcr & UART_MCR_LOOP) {
        /* 8.6: the shift register feeds the receiver; the line idles. */
        serial_receive_byte(s, c, 0);
    } else {
        chardev_write(s->chr, &c, 1);
    }

    /* Sent: THR and the shift register are empty again, and that is a
     * new THRE interrupt (table II: "THR empty"). */
    s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
    s->thr_ipending = true;
    serial_update_irq(s);
}

/* ---- registers ---- */

static uint64_t serial_io_read(void *opaque, uint64_t offset, unsigned size)
{
    SerialState *s = opaque;
    bool dlab = s->lcr & UART_LCR_DLAB;
    uint8_t v;

    switch (offset) {
    case UART_RBR:
        return dlab ? s->divider & 0xff : serial_read_rbr(s);
    case UART_IER:
        return dlab ? s->divider >> 8 : s->ier;
    case UART_IIR:
        v = s->iir;
        /* Table II: reading IIR clears a THRE interrupt it reports. */
        if ((v & UART_IIR_ID) == UART_IIR_THRE) {
            s->thr_ipending = false;
            serial_update_irq(s);
        }
        return v;
    case UART_LCR:
        return s->lcr;
    case UART_MCR:
        return s->mcr;
    case UART_LSR:
        v = s->lsr;
        /* Reading LSR clears the error bits and their interrupt. */
        if (v & (UART_LSR_INT | UART_LSR_RXFE)) {
            s->lsr &= ~(UART_LSR_INT | UART_LSR_RXFE);
            serial_update_irq(s);
        }
        return v;
    case UART_MSR:
        v = s->msr;
        if (v & UART_MSR_DELTAS) {
            s->msr &= ~UART_MSR_DELTAS;
            serial_update_irq(s);
        }
        return v;
    case UART_SCR:
        return s->scr;
    default:
        guest_error("%s: read of offset %" PRIu64, s->name, offset);
        return 0xff;
    }
}

static void serial_write_fcr(SerialState *s, uint8_t v)
{
    /* 8.4: switching the FIFOs on or off empties them. */
    if ((v ^ s->fcr) & UART_FCR_FE) {
        serial_rx_clear(s);
        s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
    }
    if (!(v & UART_FCR_FE)) {
        /* 8.4: FCR0 must be set for the other bits to be written. */
        s->fcr = 0;
    } else {
        if (v & UART_FCR_RFR) {
            serial_rx_clear(s);
        }
        /* XFR: the transmitter FIFO is always empty here already. */
        s->fcr = v & (UART_FCR_FE | UART_FCR_DMS | UART_FCR_RT);
    }
    serial_restart_timeout(s);
    serial_update_irq(s);
    chardev_accept_input(s->chr);
}

static void serial_io_write(void *opaque, uint64_t offset, uint64_t value,
                            unsigned size)
{
    SerialState *s = opaque;
    bool dlab = s->lcr & UART_LCR_DLAB;
    uint8_t v = value;
    uint8_t old;

    switch (offset) {
    case UART_THR:
        if (dlab) {
            s->divider = (s->divider & 0xff00) | v;
        } else {
            serial_write_thr(s, v);
        }
        break;
    case UART_IER:
        if (dlab) {
            s->divider = (s->divider & 0x00ff) | (v << 8);
            break;
        }
        old = s->ier;
        s->ier = v & UART_IER_MASK;
        /*
         * HW: enabling ETBEI while THR is empty raises the THRE interrupt
         * at once, even if an IIR read had cleared it (8250-family
         * behaviour; Linux's IRQ probe and Windows rely on it). Disabling
         * it forgets the pending one.
         */
        if ((old ^ s->ier) & UART_IER_ETBEI) {
            s->thr_ipending = (s->ier & UART_IER_ETBEI) &&
                              (s->lsr & UART_LSR_THRE);
        }
        serial_update_irq(s);
        break;
    case UART_FCR:
        serial_write_fcr(s, v);
        break;
    case UART_LCR:
        /* UNIMPL: LCR_SB (sending a break) has no chardev to go to. */
        s->lcr = v;
        break;
    case UART_MCR:
        old = s->mcr;
        s->mcr = v & UART_MCR_MASK;
        serial_update_msr(s);
        serial_update_irq(s);
        if ((old ^ s->mcr) & UART_MCR_LOOP) {
            chardev_accept_input(s->chr);   /* the line is back (or not) */
        }
        break;
    case UART_LSR:
    case UART_MSR:
        /* Factory test registers on the real chip; writes are ignored. */
        guest_error("%s: write 0x%02x to read-only register %" PRIu64,
                    s->name, v, offset);
        break;
    case UART_SCR:
        s->scr = v;
        break;
    default:
        guest_error("%s: write of offset %" PRIu64, s->name, offset);
        break;
    }
}

static const MemoryRegionOps serial_io_ops = {
    .read = serial_io_read,
    .write = serial_io_write,
    .valid_min = 1,
    .valid_max = 4,
    .impl_min = 1,
    .impl_max = 1,      /* wider accesses touch consecutive registers */
};

/* ---- chardev front end ---- */

static int serial_can_receive(void *opaque)
{
    SerialState *s = opaque;

    if (s->mcr & UART_MCR_LOOP) {
        return 0;       /* 8.6: the serial input is disconnected */
    }
    if (serial_fifo_enabled(s)) {
        return UART_FIFO_SIZE - s->rx_count;
    }
    return s->lsr & UART_LSR_DR ? 0 : 1;
}

static void serial_receive(void *opaque, const uint8_t *buf, int len)
{
    SerialState *s = opaque;

    for (int i = 0; i < len; i++) {
        serial_receive_byte(s, buf[i], 0);
    }
}

static void serial_event(void *opaque, int event)
{
    SerialState *s = opaque;

    if (event == CHR_EVENT_BREAK && !(s->mcr & UART_MCR_LOOP)) {
        serial_receive_byte(s, 0, UART_LSR_BI);
    }
}

/* ---- life cycle ---- */

void serial_reset(SerialState *s)
{
    s->divider = 0x0c;      /* 9600 baud, as a BIOS leaves it */
    s->rbr = 0;
    s->ier = 0;
    s->lcr = 0;
    s->mcr = UART_MCR_OUT2;
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->scr = 0;
    s->fcr = 0;
    s->thr_ipending = false;
    s->msr = 0;
    serial_update_msr(s);
    s->msr &= ~UART_MSR_DELTAS;     /* power-on levels are no change */
    serial_rx_clear(s);
    serial_update_irq(s);
    chardev_accept_input(s->chr);
}

bool serial_init(SerialState *s, const char *name, Chardev *chr,
                 IrqLine irq, Error **errp)
{
    ChardevFrontend fe = {
        .can_read = serial_can_receive,
        .read = serial_receive,
        .event = serial_event,
        .opaque = s,
    };

    s->name = name;
    s->irq = irq;
    s->timeout_deadline = -1;
    s->irq_level = -1;
    s->timeout_timer = timer_new(CLOCK_VIRTUAL, serial_timeout_cb, s);
    memory_region_init_io(&s->io, name, &serial_io_ops, s, UART_IO_SIZE);
    serial_reset(s);
    /* Last: attaching may deliver bytes a mux kept for us. */
    if (chr && !chardev_attach(chr, &fe, errp)) {
        timer_free(s->timeout_timer);
        s->timeout_timer = NULL;
        return false;
    }
    s->chr = chr;
    return true;
}

bool serial_post_load(SerialState *s, Error **errp)
{
    if (s->rx_head >= UART_FIFO_SIZE || s->rx_count > UART_FIFO_SIZE) {
        error_setg(errp, "%s: receiver FIFO head %u / count %u out of "
                   "range", s->name, s->rx_head, s->rx_count);
        return false;
    }
    s->ier &= UART_IER_MASK;
    s->mcr &= UART_MCR_MASK;
    s->fcr &= UART_FCR_FE | UART_FCR_DMS | UART_FCR_RT;
    if (s->timeout_deadline >= 0) {
        timer_mod(s->timeout_timer, s->timeout_deadline);
    } else {
        timer_del(s->timeout_timer);
    }
    s->irq_level = -1;      /* send the loaded level whatever it was */
    serial_update_irq(s);
    chardev_accept_input(s->chr);
    return true;
}

static bool serial_vmstate_post_load(void *opaque, int version, Error **errp)
{
    return serial_post_load(opaque, errp);
}

static const VMStateField serial_fields[] = {
    VMSTATE_U16(divider, SerialState),
    VMSTATE_U8(rbr, SerialState),
    VMSTATE_U8(ier, SerialState),
    VMSTATE_U8(lcr, SerialState),
    VMSTATE_U8(mcr, SerialState),
    VMSTATE_U8(lsr, SerialState),
    VMSTATE_U8(msr, SerialState),
    VMSTATE_U8(scr, SerialState),
    VMSTATE_U8(fcr, SerialState),
    VMSTATE_U8_ARRAY(rx_fifo, SerialState, UART_FIFO_SIZE),
    VMSTATE_U8(rx_head, SerialState),
    VMSTATE_U8(rx_count, SerialState),
    VMSTATE_BOOL(thr_ipending, SerialState),
    VMSTATE_BOOL(timeout_ipending, SerialState),
    VMSTATE_I64(timeout_deadline, SerialState),
    VMSTATE_END
};

const VMStateDescription vmstate_serial = {
    .name = "serial",
    .version = 1,
    .min_version = 1,
    .fields = serial_fields,
    .post_load = serial_vmstate_post_load,
};
