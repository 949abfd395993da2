/*
 * The Intel 8042 keyboard controller as the PC/AT and PS/2 use it, with
 * its PS/2 keyboard and mouse: device type "i8042".
 * Sources: IBM Personal Computer AT Technical Reference (1986), "Keyboard
 * Controller": status register, commands, input and output ports, scan
 * code translation; IBM PS/2 Hardware Interface Technical Reference,
 * "Keyboard and Auxiliary Device Controller": the auxiliary (mouse) port,
 * status bit 5, command byte bits 1 and 5, commands A7h-A9h, D2h-D4h.
 *
 * Emulated: the status register; the command byte and the rest of the
 * controller's 32 bytes of RAM (20h-3Fh read, 60h-7Fh write); the
 * self test (55h) and interface tests (00h); enabling and disabling
 * either port; the input port (C0h); the output port (D0h/D1h) with
 * the reset and A20 lines, A20 commands DDh/DFh, pulses F0h-FFh (FEh is
 * the PC's reset); writes into the output buffer (D2h/D3h) and to the
 * mouse (D4h); set 2 to set 1 translation with the break prefix; the
 * password commands as "no password installed".
 *
 * One byte sits in the output buffer at a time. When it is read (or at
 * once, if the buffer is empty), the controller takes the next byte from
 * the keyboard, then the mouse, unless that port is disabled; so the
 * PS/2 devices keep their bytes in their own queues while the guest is
 * slow or has a port disabled, like the real devices, whose clock the
 * controller holds low. IRQ 1 (keyboard byte) and IRQ 12 (mouse byte)
 * follow the output buffer and the command byte's interrupt enables; a
 * read of port 60h lowers the line before the next byte raises it, so an
 * edge-triggered PIC sees each byte.
 *
 * HW: a controller command's reply overwrites a device byte still in the
 * output buffer (the 8042 firmware's OUT DBB does not wait), so guests
 * disable the ports before such commands, as the AT reference says.
 * HW: writing a keyboard command to port 60h enables the keyboard port
 * (clears command byte bit 4), as real controllers do; drivers that
 * disable the port and talk to the keyboard rely on it.
 *
 * Not emulated: transmission timing (bytes arrive at once), the timeout
 * and parity errors (devices are always attached and answer), the
 * keyboard lock and security (A6h), the diagnostic dump (ACh), polling
 * the input port into the status register (C1h/C2h), the test inputs
 * (E0h); output port bits other than reset and A20 are read back as
 * idle lines and the interrupt outputs.
 */
#include "hw/input/i8042.h"
#include "hw/input/ps2.h"
#include "hw/machine.h"
#include "softmmu/runstate.h"

/* Ports and IRQs: fixed on every PC. */
#define I8042_DATA_PORT         0x60
#define I8042_CMD_PORT          0x64
#define I8042_KBD_IRQ           1
#define I8042_AUX_IRQ           12

/* Status register (port 64h read) */
#define I8042_STR_OBF           0x01    /* output buffer full */
#define I8042_STR_IBF           0x02    /* input buffer full (never: we
                                         * take each byte at once) */
#define I8042_STR_SYS           0x04    /* system flag (command byte bit 2) */
#define I8042_STR_CMD           0x08    /* A2: last write was a command */
#define I8042_STR_KEYLOCK       0x10    /* 1: keyboard not inhibited */
#define I8042_STR_AUXDATA       0x20    /* output buffer holds a mouse byte */
#define I8042_STR_TIMEOUT       0x40
#define I8042_STR_PARITY        0x80

/* Command byte (controller RAM byte 0) */
#define I8042_CTR_KBDINT        0x01    /* IRQ 1 on keyboard bytes */
#define I8042_CTR_AUXINT        0x02    /* IRQ 12 on mouse bytes */
#define I8042_CTR_SYS           0x04    /* system flag */
#define I8042_CTR_IGNKEYLOCK    0x08
#define I8042_CTR_KBDDIS        0x10    /* keyboard clock held: disabled */
#define I8042_CTR_AUXDIS        0x20    /* mouse clock held: disabled */
#define I8042_CTR_XLATE         0x40    /* translate set 2 to set 1 */
/* Power-on value: both interrupts, translation (what a PC keyboard port
 * delivers before firmware touches it). */
#define I8042_CTR_DEFAULT       (I8042_CTR_KBDINT | I8042_CTR_AUXINT | \
                                 I8042_CTR_XLATE)

/* Commands (port 64h write) */
#define I8042_CMD_READ_RAM      0x20    /* 20h-3Fh: read RAM byte n */
#define I8042_CMD_WRITE_RAM     0x60    /* 60h-7Fh: write RAM byte n */
#define I8042_CMD_PW_TEST       0xa4
#define I8042_CMD_PW_LOAD       0xa5
#define I8042_CMD_PW_ENABLE     0xa6
#define I8042_CMD_AUX_DISABLE   0xa7
#define I8042_CMD_AUX_ENABLE    0xa8
#define I8042_CMD_AUX_TEST      0xa9
#define I8042_CMD_SELF_TEST     0xaa
#define I8042_CMD_KBD_TEST      0xab
#define I8042_CMD_DIAG_DUMP     0xac
#define I8042_CMD_KBD_DISABLE   0xad
#define I8042_CMD_KBD_ENABLE    0xae
#define I8042_CMD_READ_INPUT    0xc0
#define I8042_CMD_READ_OUTPUT   0xd0
#define I8042_CMD_WRITE_OUTPUT  0xd1
#define I8042_CMD_WRITE_KBD_OB  0xd2
#define I8042_CMD_WRITE_AUX_OB  0xd3
#define I8042_CMD_WRITE_AUX     0xd4
#define I8042_CMD_A20_DISABLE   0xdd
#define I8042_CMD_A20_ENABLE    0xdf
#define I8042_CMD_PULSE         0xf0    /* F0h-FFh: pulse output bits 0-3
                                         * where the command's bit is 0 */

/* Replies */
#define I8042_SELF_TEST_OK      0x55
#define I8042_INTERFACE_OK      0x00
#define I8042_PW_NONE           0xf1

/* Input port (C0h) */
#define I8042_IN_NO_JUMPER      0x20    /* manufacturing jumper absent */
#define I8042_IN_KEYLOCK        0x80    /* 1: keyboard not inhibited */
#define I8042_INPUT_PORT        (I8042_IN_KEYLOCK | I8042_IN_NO_JUMPER)

/* Output port (D0h/D1h) */
#define I8042_OUT_RESET         0x01    /* 0: CPU reset asserted */
#define I8042_OUT_A20           0x02    /* A20 gate */
#define I8042_OUT_AUX_DATA      0x04
#define I8042_OUT_AUX_CLOCK     0x08
#define I8042_OUT_IRQ1          0x10
#define I8042_OUT_IRQ12         0x20
#define I8042_OUT_KBD_CLOCK     0x40
#define I8042_OUT_KBD_DATA      0x80
#define I8042_OUT_STORED        (I8042_OUT_RESET | I8042_OUT_A20)
/* Lines that read back high when idle */
#define I8042_OUT_IDLE          (I8042_OUT_AUX_DATA | I8042_OUT_AUX_CLOCK | \
                                 I8042_OUT_KBD_CLOCK | I8042_OUT_KBD_DATA)

#define I8042_RAM_SIZE          32
#define I8042_BREAK_PREFIX      0xf0

typedef struct I8042State {
    Device dev;

    /* --- guest-visible state --- */
    uint8_t status;             /* I8042_STR_*; OBF/AUXDATA with ob */
    uint8_t ram[I8042_RAM_SIZE];    /* ram[0] is the command byte */
    uint8_t outport;            /* I8042_OUT_STORED bits */
    uint8_t ob;                 /* output buffer (kept after a read) */
    uint8_t pending;            /* command waiting for a data byte, or 0 */
    bool xlat_break;            /* translation: F0h seen, next is a break */
    PS2KbdState kbd;
    PS2MouseState mouse;

    /* --- wiring --- */
    MemoryRegion io_data, io_cmd;
    IrqLine irq_kbd, irq_aux;
    IrqLine a20;
} I8042State;

extern const DeviceType i8042_type;

static I8042State *i8042_from(Device *dev)
{
    assert(dev->type == &i8042_type);
    return container_of(dev, I8042State, dev);
}

static uint8_t i8042_ctr(const I8042State *s)
{
    return s->ram[0];
}

static void i8042_update_irq(I8042State *s)
{
    bool full = s->status & I8042_STR_OBF;
    bool aux = s->status & I8042_STR_AUXDATA;

    irq_set(s->irq_kbd, full && !aux && (i8042_ctr(s) & I8042_CTR_KBDINT));
    irq_set(s->irq_aux, full && aux && (i8042_ctr(s) & I8042_CTR_AUXINT));
}

/* Puts a byte in the output buffer, overwriting what is there. */
static void i8042_put_ob(I8042State *s, uint8_t b, bool aux)
{
    s->ob = b;
    s->status |= I8042_STR_OBF;
    if (aux) {
        s->status |= I8042_STR_AUXDATA;
    } else {
        s->status &= ~I8042_STR_AUXDATA;
    }
    i8042_update_irq(s);
}

/* Fills an empty output buffer from the keyboard, then the mouse. */
static void i8042_refill(I8042State *s)
{
    int b;

    if (s->status & I8042_STR_OBF) {
        return;
    }
    if (!(i8042_ctr(s) & I8042_CTR_KBDDIS)) {
        while ((b = ps2_kbd_read(&s->kbd.dev)) >= 0) {
            if (i8042_ctr(s) & I8042_CTR_XLATE) {
                /* The break prefix is swallowed and sets bit 7 of the
                 * next translated code. */
                if (b == I8042_BREAK_PREFIX) {
                    s->xlat_break = true;
                    continue;
                }
                b = ps2_set2_to_set1(b) | (s->xlat_break ? 0x80 : 0);
                s->xlat_break = false;
            }
            i8042_put_ob(s, b, false);
            return;
        }
    }
    if (!(i8042_ctr(s) & I8042_CTR_AUXDIS)) {
        b = ps2_mouse_read(&s->mouse.dev);
        if (b >= 0) {
            i8042_put_ob(s, b, true);
        }
    }
}

/* A PS/2 device queued bytes. */
static void i8042_ps2_ready(void *opaque, int n, int level)
{
    if (level) {
        i8042_refill(opaque);
    }
}

static void i8042_set_ctr(I8042State *s, uint8_t val)
{
    s->ram[0] = val;
    if (val & I8042_CTR_SYS) {
        s->status |= I8042_STR_SYS;
    } else {
        s->status &= ~I8042_STR_SYS;
    }
    i8042_update_irq(s);
    i8042_refill(s);
}

static void i8042_write_outport(I8042State *s, uint8_t val)
{
    s->outport = val & I8042_OUT_STORED;
    irq_set(s->a20, !!(s->outport & I8042_OUT_A20));
    if (!(val & I8042_OUT_RESET)) {
        system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
    }
}

static uint8_t i8042_read_outport(const I8042State *s)
{
    bool full = s->status & I8042_STR_OBF;
    bool aux = s->status & I8042_STR_AUXDATA;

    return s->outport | I8042_OUT_IDLE |
           (full && !aux ? I8042_OUT_IRQ1 : 0) |
           (full && aux ? I8042_OUT_IRQ12 : 0);
}

static void i8042_command(I8042State *s, uint8_t val)
{
    s->status |= I8042_STR_CMD;
    s->pending = 0;

    if (val >= I8042_CMD_READ_RAM && val < I8042_CMD_READ_RAM + 0x20) {
        i8042_put_ob(s, s->ram[val & (I8042_RAM_SIZE - 1)], false);
        return;
    }
    if (val >= I8042_CMD_WRITE_RAM && val < I8042_CMD_WRITE_RAM + 0x20) {
        s->pending = val;
        return;
    }
    if (val >= I8042_CMD_PULSE) {
        /* Bit 0 low pulses the reset line; pulsing A20 or the other
         * lines for 6 us changes nothing that stays. */
        if (!(val & I8042_OUT_RESET)) {
            system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        }
        return;
    }

    switch (val) {
    case I8042_CMD_PW_TEST:
        i8042_put_ob(s, I8042_PW_NONE, false);
        break;
    case I8042_CMD_PW_LOAD:
    case I8042_CMD_WRITE_OUTPUT:
    case I8042_CMD_WRITE_KBD_OB:
    case I8042_CMD_WRITE_AUX_OB:
    case I8042_CMD_WRITE_AUX:
        s->pending = val;
        break;
    case I8042_CMD_AUX_DISABLE:
        i8042_set_ctr(s, i8042_ctr(s) | I8042_CTR_AUXDIS);
        break;
    case I8042_CMD_AUX_ENABLE:
        i8042_set_ctr(s, i8042_ctr(s) & ~I8042_CTR_AUXDIS);
        break;
    case I8042_CMD_AUX_TEST:
    case I8042_CMD_KBD_TEST:
        i8042_put_ob(s, I8042_INTERFACE_OK, false);
        break;
    case I8042_CMD_SELF_TEST:
        s->status |= I8042_STR_SYS;
        i8042_put_ob(s, I8042_SELF_TEST_OK, false);
        break;
    case I8042_CMD_KBD_DISABLE:
        i8042_set_ctr(s, i8042_ctr(s) | I8042_CTR_KBDDIS);
        break;
    case I8042_CMD_KBD_ENABLE:
        i8042_set_ctr(s, i8042_ctr(s) & ~I8042_CTR_KBDDIS);
        break;
    case I8042_CMD_READ_INPUT:
        i8042_put_ob(s, I8042_INPUT_PORT, false);
        break;
    case I8042_CMD_READ_OUTPUT:
        i8042_put_ob(s, i8042_read_outport(s), false);
        break;
    case I8042_CMD_A20_DISABLE:
        i8042_write_outport(s, s->outport & ~I8042_OUT_A20);
        break;
    case I8042_CMD_A20_ENABLE:
        i8042_write_outport(s, s->outport | I8042_OUT_A20);
        break;
    case I8042_CMD_PW_ENABLE:
    case I8042_CMD_DIAG_DUMP:
        unimp_log("i8042: command 0x%02x not emulated", val);
        break;
    default:
        guest_error("i8042: unknown command 0x%02x", val);
        break;
    }
}

static void i8042_data_write(I8042State *s, uint8_t val)
{
    uint8_t cmd = s->pending;

    s->status &= ~I8042_STR_CMD;
    s->pending = 0;

    if (cmd >= I8042_CMD_WRITE_RAM && cmd < I8042_CMD_WRITE_RAM + 0x20) {
        unsigned idx = cmd & (I8042_RAM_SIZE - 1);

        if (idx == 0) {
            i8042_set_ctr(s, val);
        } else {
            s->ram[idx] = val;
        }
        return;
    }
    switch (cmd) {
    case 0:
        /* HW: talking to the keyboard enables its port. */
        s->ram[0] &= ~I8042_CTR_KBDDIS;
        ps2_kbd_write(&s->kbd.dev, val);
        i8042_refill(s);
        break;
    case I8042_CMD_PW_LOAD:
        /* The password's scan codes, up to a 00h; none is kept. */
        if (val) {
            s->pending = cmd;
        }
        break;
    case I8042_CMD_WRITE_OUTPUT:
        i8042_write_outport(s, val);
        break;
    case I8042_CMD_WRITE_KBD_OB:
        i8042_put_ob(s, val, false);
        break;
    case I8042_CMD_WRITE_AUX_OB:
        i8042_put_ob(s, val, true);
        break;
    case I8042_CMD_WRITE_AUX:
        ps2_mouse_write(&s->mouse.dev, val);
        i8042_refill(s);
        break;
    default:
        assert(!"i8042: bad pending command");
    }
}

static uint64_t i8042_data_read(void *opaque, uint64_t offset, unsigned size)
{
    I8042State *s = opaque;
    uint8_t val = s->ob;

    /* The buffer keeps its last byte: reading again returns it. */
    s->status &= ~(I8042_STR_OBF | I8042_STR_AUXDATA);
    i8042_update_irq(s);
    i8042_refill(s);
    return val;
}

static void i8042_data_io_write(void *opaque, uint64_t offset,
                                uint64_t value, unsigned size)
{
    i8042_data_write(opaque, value);
}

static uint64_t i8042_status_read(void *opaque, uint64_t offset,
                                  unsigned size)
{
    I8042State *s = opaque;

    return s->status;
}

static void i8042_cmd_io_write(void *opaque, uint64_t offset, uint64_t value,
                               unsigned size)
{
    i8042_command(opaque, value);
}

/* Each port is one byte register; wider accesses read all-ones. */
static const MemoryRegionOps i8042_data_ops = {
    .read = i8042_data_read,
    .write = i8042_data_io_write,
    .valid_min = 1,
    .valid_max = 1,
};

static const MemoryRegionOps i8042_cmd_ops = {
    .read = i8042_status_read,
    .write = i8042_cmd_io_write,
    .valid_min = 1,
    .valid_max = 1,
};

static void i8042_reset(Device *dev)
{
    I8042State *s = i8042_from(dev);

    s->status = I8042_STR_KEYLOCK;
    memset(s->ram, 0, sizeof(s->ram));
    s->ram[0] = I8042_CTR_DEFAULT;
    s->outport = I8042_OUT_RESET | I8042_OUT_A20;
    s->ob = 0;
    s->pending = 0;
    s->xlat_break = false;
    s->kbd.dev.type->reset(&s->kbd.dev);
    s->mouse.dev.type->reset(&s->mouse.dev);
    i8042_update_irq(s);
    irq_set(s->a20, 1);
}

static bool i8042_realize(Device *dev, Machine *m, Error **errp)
{
    I8042State *s = i8042_from(dev);

    ps2_kbd_init(&s->kbd, irq_line(i8042_ps2_ready, s, 0));
    ps2_mouse_init(&s->mouse, irq_line(i8042_ps2_ready, s, 1));
    s->irq_kbd = machine_gsi(m, I8042_KBD_IRQ);
    s->irq_aux = machine_gsi(m, I8042_AUX_IRQ);
    memory_region_init_io(&s->io_data, "i8042-data", &i8042_data_ops, s, 1);
    memory_region_init_io(&s->io_cmd, "i8042-cmd", &i8042_cmd_ops, s, 1);
    memory_region_add_subregion(m->system_io, I8042_DATA_PORT, &s->io_data,
                                0);
    memory_region_add_subregion(m->system_io, I8042_CMD_PORT, &s->io_cmd,
                                0);
    return true;
}

void i8042_connect_a20(Device *dev, IrqLine a20)
{
    I8042State *s = i8042_from(dev);

    s->a20 = a20;
    irq_set(s->a20, !!(s->outport & I8042_OUT_A20));
}

bool i8042_a20_enabled(Device *dev)
{
    return i8042_from(dev)->outport & I8042_OUT_A20;
}

Device *i8042_keyboard(Device *dev)
{
    return &i8042_from(dev)->kbd.dev;
}

Device *i8042_mouse(Device *dev)
{
    return &i8042_from(dev)->mouse.dev;
}

static bool i8042_post_load(void *opaque, int version, Error **errp)
{
    I8042State *s = opaque;
    uint8_t p = s->pending;

    if (p && !(p >= I8042_CMD_WRITE_RAM && p < I8042_CMD_WRITE_RAM + 0x20) &&
        p != I8042_CMD_PW_LOAD && p != I8042_CMD_WRITE_OUTPUT &&
        p != I8042_CMD_WRITE_KBD_OB && p != I8042_CMD_WRITE_AUX_OB &&
        p != I8042_CMD_WRITE_AUX) {
        error_setg(errp, "pending command 0x%02x invalid", p);
        return false;
    }
    s->status &= ~I8042_STR_IBF;
    s->outport &= I8042_OUT_STORED;
    i8042_update_irq(s);
    irq_set(s->a20, !!(s->outport & I8042_OUT_A20));
    i8042_refill(s);
    return true;
}

static const VMStateField i8042_fields[] = {
    VMSTATE_U8(status, I8042State),
    VMSTATE_BUFFER(ram, I8042State),
    VMSTATE_U8(outport, I8042State),
    VMSTATE_U8(ob, I8042State),
    VMSTATE_U8(pending, I8042State),
    VMSTATE_BOOL(xlat_break, I8042State),
    VMSTATE_STRUCT(kbd, I8042State, vmstate_ps2_kbd, PS2KbdState),
    VMSTATE_STRUCT(mouse, I8042State, vmstate_ps2_mouse, PS2MouseState),
    VMSTATE_END
};

static const VMStateDescription vmstate_i8042 = {
    .name = "i8042",
    .version = 1,
    .min_version = 1,
    .fields = i8042_fields,
    .post_load = i8042_post_load,
};

const DeviceType i8042_type = {
    .name = "i8042",
    .desc = "Intel 8042 keyboard controller with PS/2 keyboard and mouse",
    .bus = BUS_ISA,
    .state_size = sizeof(I8042State),
    .user_creatable = false,
    .realize = i8042_realize,
    .reset = i8042_reset,
    .vmsd = &vmstate_i8042,
};
