/*
 * Intel 8259A programmable interrupt controller, the PC/AT's cascaded
 * pair, as integrated in the PIIX3 with its edge/level control registers.
 *
 * Sources: Intel 8259A Programmable Interrupt Controller datasheet
 * (order 231468): "Interrupt Sequence", "Programming the 8259A"
 * (ICW1-ICW4, OCW1-OCW3), "Operation of the 8259A" (fully nested,
 * rotation, special mask, poll, cascade, edge/level); Intel
 * 82371FB/82371SB (PIIX/PIIX3) datasheet, "Interrupt Controller
 * Registers" (ELCR1 at 4D0h, ELCR2 at 4D1h; ICW1 LTIM disabled).
 *
 * Emulated: master (IR0-7, ISA IRQ 0-7) and slave (IRQ 8-15) whose INT
 * drives master IR2; the full ICW1-ICW4 / OCW1-OCW3 programming; IRR,
 * ISR, IMR; edge and level triggering per IRQ through the ELCR;
 * normal and auto EOI, specific and non-specific EOI; automatic and
 * specific rotation, set priority; special mask mode; special fully
 * nested mode; poll mode; reading IRR or ISR; spurious IRQ 7/15 when a
 * request goes away before INTA.
 *
 * Not emulated: 8080/8085 mode (ICW4 uPM=0: logged, treated as x86
 * mode); ICW1 LTIM (the PIIX3 ignores it in favour of the ELCR); buffered
 * mode (no effect on a PC); single mode and the slave ID only as stored
 * values: the slave is wired to IR2 and answers there whenever the
 * master's ICW3 says IR2 has a slave.
 */
#include "hw/intc/i8259.h"
#include "hw/irq.h"
#include "hw/machine.h"
#include "softmmu/memory.h"

/* ICW1: even port, D4 = 1 */
#define PIC_ICW1_IC4        0x01    /* ICW4 follows */
#define PIC_ICW1_SNGL       0x02    /* single: no ICW3 */
#define PIC_ICW1_LTIM       0x08    /* level triggered (PIIX3: ignored) */
#define PIC_ICW1_INIT       0x10
/* ICW2: odd port, interrupt vector T7-T3 */
#define PIC_ICW2_VECTOR     0xf8
/* ICW4: odd port */
#define PIC_ICW4_UPM        0x01    /* 8086/8088 mode */
#define PIC_ICW4_AEOI       0x02    /* automatic EOI */
#define PIC_ICW4_SFNM       0x10    /* special fully nested mode */
/* OCW2: even port, D4 = 0, D3 = 0; bits 7-5 are R, SL, EOI */
#define PIC_OCW2_LEVEL      0x07
#define PIC_OCW2_CMD_SHIFT  5
enum {
    PIC_OCW2_ROTATE_AEOI_CLEAR = 0,
    PIC_OCW2_EOI = 1,
    PIC_OCW2_NOP = 2,
    PIC_OCW2_SPECIFIC_EOI = 3,
    PIC_OCW2_ROTATE_AEOI_SET = 4,
    PIC_OCW2_ROTATE_EOI = 5,
    PIC_OCW2_SET_PRIORITY = 6,
    PIC_OCW2_ROTATE_SPECIFIC_EOI = 7,
};
/* OCW3: even port, D4 = 0, D3 = 1 */
#define PIC_OCW3_RIS        0x01    /* read ISR (else IRR) ... */
#define PIC_OCW3_RR         0x02    /* ... if RR is set */
#define PIC_OCW3_P          0x04    /* poll command */
#define PIC_OCW3_SEL        0x08
#define PIC_OCW3_SMM        0x20    /* special mask mode on/off ... */
#define PIC_OCW3_ESMM       0x40    /* ... if ESMM is set */
/* Poll word */
#define PIC_POLL_I          0x80

/* PIIX3 ELCR: IRQ 0, 1, 2 (ELCR1) and 8, 13 (ELCR2) are edge only. */
#define ELCR1_MASK          0xf8
#define ELCR2_MASK          0xde

/* The PC/AT wiring: the slave's INT is the master's IR2. */
#define PIC_CASCADE_IR      2

enum { PIC_MASTER, PIC_SLAVE };

/* Where the initialization sequence is: after ICW1 the odd port takes
 * ICW2, then ICW3 (cascade mode), then ICW4 (if ICW1 asked for it). */
enum {
    PIC_INIT_DONE = 0,
    PIC_INIT_ICW2,
    PIC_INIT_ICW3,
    PIC_INIT_ICW4,
};

typedef struct PICChip {
    uint8_t irr;            /* interrupt request register */
    uint8_t isr;            /* in-service register */
    uint8_t imr;            /* interrupt mask register (OCW1) */
    uint8_t input;          /* IR pin levels, for edge detection */
    uint8_t elcr;           /* PIIX3 ELCR: 1 = level triggered */
    uint8_t lowest_prio;    /* IR level with the lowest priority */
    uint8_t icw1, icw2, icw3, icw4;
    uint8_t init_state;     /* PIC_INIT_* */
    bool read_isr;          /* OCW3 RR/RIS: even port reads ISR */
    bool poll;              /* OCW3 P: next read is the poll word */
    bool special_mask;      /* OCW3 ESMM/SMM */
    bool rotate_aeoi;       /* OCW2 rotate in automatic EOI mode */
} PICChip;

typedef struct I8259State {
    Device dev;

    /* guest-visible state */
    PICChip chip[2];

    /* properties */
    uint16_t iobase;
    uint16_t slave_iobase;
    uint16_t elcr_addr;

    /* wiring */
    Machine *machine;       /* its cpu_intr is INTR, looked up each time */
    bool intr_level;
    MemoryRegion io_master, io_slave, io_elcr;
} I8259State;

static I8259State *pic_of(Device *dev)
{
    return container_of(dev, I8259State, dev);
}

static const uint8_t pic_elcr_mask[2] = { ELCR1_MASK, ELCR2_MASK };

/* --- priority resolution -------------------------------------------------- */

/* Rank of IR n in the current priority order; 0 is the highest. */
static int pic_rank(const PICChip *c, int n)
{
    return (n - c->lowest_prio - 1) & 7;
}

/* The IR level of highest priority among the bits of mask, or -1. */
static int pic_highest(const PICChip *c, uint8_t mask)
{
    for (int r = 0; r < 8; r++) {
        int n = (c->lowest_prio + 1 + r) & 7;
        if (mask & (1 << n)) {
            return n;
        }
    }
    return -1;
}

static bool pic_is_cascade(const PICChip *c, int which, int n)
{
    return which == PIC_MASTER && n == PIC_CASCADE_IR &&
           !(c->icw1 & PIC_ICW1_SNGL) && (c->icw3 & (1 << n));
}

/*
 * The IR level this chip would interrupt for now, or -1: the highest
 * unmasked request that outranks everything in service. In special mask
 * mode, in-service levels that are masked do not block (8259A datasheet,
 * "Special Mask Mode"). In special fully nested mode the master lets a
 * slave interrupt again while an earlier one of that slave is in service
 * ("Special Fully Nested Mode").
 */
static int pic_pending(const PICChip *c, int which)
{
    uint8_t in_service = c->isr;
    int req = pic_highest(c, c->irr & ~c->imr);
    int cur;

    if (req < 0) {
        return -1;
    }
    if (c->special_mask) {
        in_service &= ~c->imr;
    }
    cur = pic_highest(c, in_service);
    if (cur < 0 || pic_rank(c, req) < pic_rank(c, cur)) {
        return req;
    }
    if (req == cur && (c->icw4 & PIC_ICW4_SFNM) &&
        pic_is_cascade(c, which, req)) {
        return req;
    }
    return -1;
}

/*
 * An IR pin changed. Level-triggered IRR bits follow the pin; an edge
 * request is latched on the rising edge until INTA takes it.
 * HW: a real 8259A drops an edge request whose pin falls before INTA
 * (the CPU then sees IR7); we keep it latched, so a device that pulses
 * its line (irq_pulse) is never lost, as every PC emulator does.
 */
static void pic_set_input(PICChip *c, int n, int level)
{
    uint8_t mask = 1 << n;

    if (level) {
        if ((c->elcr & mask) || !(c->input & mask)) {
            c->irr |= mask;
        }
        c->input |= mask;
    } else {
        c->input &= ~mask;
        if (c->elcr & mask) {
            c->irr &= ~mask;
        }
    }
}

/* The INTA (or poll) of IR n: ISR bit set unless auto-EOI, edge latch
 * consumed. */
static void pic_intack(PICChip *c, int n)
{
    uint8_t mask = 1 << n;

    if (!(c->elcr & mask)) {
        c->irr &= ~mask;
    }
    if (c->icw4 & PIC_ICW4_AEOI) {
        if (c->rotate_aeoi) {
            c->lowest_prio = n;
        }
    } else {
        c->isr |= mask;
    }
}

/* Derives the slave's INT (master IR2) and the master's INT (the CPU's
 * INTR) from the registers. */
static void pic_update_irq(I8259State *s)
{
    PICChip *master = &s->chip[PIC_MASTER];
    PICChip *slave = &s->chip[PIC_SLAVE];
    bool level;

    pic_set_input(master, PIC_CASCADE_IR,
                  pic_pending(slave, PIC_SLAVE) >= 0);
    level = pic_pending(master, PIC_MASTER) >= 0;
    if (level != s->intr_level) {
        s->intr_level = level;
        irq_set(s->machine->cpu_intr, level);
    }
}

/* --- public interface ----------------------------------------------------- */

void i8259_set_irq(void *opaque, int n, int level)
{
    I8259State *s = pic_of(opaque);

    assert(n >= 0 && n < 16);
    if (n == PIC_CASCADE_IR) {
        /* IR2 of the master is the slave's INT, not an ISA pin. */
        return;
    }
    pic_set_input(&s->chip[n >> 3], n & 7, level != 0);
    pic_update_irq(s);
}

int i8259_acknowledge(Device *dev)
{
    I8259State *s = pic_of(dev);
    PICChip *master = &s->chip[PIC_MASTER];
    PICChip *slave = &s->chip[PIC_SLAVE];
    int irq = pic_pending(master, PIC_MASTER);
    int vector;

    if (irq < 0) {
        /* HW: no request at INTA time: the master answers IR7 without
         * setting ISR (8259A datasheet, "Interrupt Sequence"). */
        vector = (master->icw2 & PIC_ICW2_VECTOR) | 7;
    } else if (pic_is_cascade(master, PIC_MASTER, irq)) {
        int irq2;

        pic_intack(master, irq);
        irq2 = pic_pending(slave, PIC_SLAVE);
        if (irq2 < 0) {
            /* HW: spurious IRQ 15; the master's IR2 stays in service. */
            vector = (slave->icw2 & PIC_ICW2_VECTOR) | 7;
        } else {
            pic_intack(slave, irq2);
            vector = (slave->icw2 & PIC_ICW2_VECTOR) | irq2;
        }
    } else {
        pic_intack(master, irq);
        vector = (master->icw2 & PIC_ICW2_VECTOR) | irq;
    }
    pic_update_irq(s);
    return vector;
}

bool i8259_intr_pending(Device *dev)
{
    return pic_pending(&pic_of(dev)->chip[PIC_MASTER], PIC_MASTER) >= 0;
}

void i8259_info(Device *dev, GString *out)
{
    I8259State *s = pic_of(dev);

    for (int i = 0; i < 2; i++) {
        const PICChip *c = &s->chip[i];
        g_string_append_printf(out,
            "pic%d: irr=%02x imr=%02x isr=%02x hprio=%d irq_base=%02x "
            "rr_sel=%d elcr=%02x fnm=%d\n", i, c->irr, c->imr, c->isr,
            (c->lowest_prio + 1) & 7, c->icw2 & PIC_ICW2_VECTOR,
            c->read_isr, c->elcr, !!(c->icw4 & PIC_ICW4_SFNM));
    }
}

/* --- registers ------------------------------------------------------------ */

/* The poll word (OCW3 P): bit 7 set with the highest request's level in
 * bits 2-0, which is acknowledged as by INTA; 0 with no request. */
static uint8_t pic_poll_read(I8259State *s, int which)
{
    PICChip *c = &s->chip[which];
    int irq;

    c->poll = false;
    irq = pic_pending(c, which);
    if (irq < 0) {
        return 0;
    }
    pic_intack(c, irq);
    pic_update_irq(s);
    return PIC_POLL_I | irq;
}

static uint64_t pic_io_read(I8259State *s, int which, uint64_t offset)
{
    PICChip *c = &s->chip[which];

    if (c->poll) {
        return pic_poll_read(s, which);
    }
    if (offset == 0) {
        return c->read_isr ? c->isr : c->irr;
    }
    return c->imr;
}

/* ICW1: starts the initialization sequence (8259A datasheet, "ICW1"):
 * edge sense reset, IMR cleared, IR7 lowest priority, special mask mode
 * off, status read set to IRR, ICW4 functions cleared if IC4 = 0. ISR is
 * cleared too (not in the datasheet's list), as every PC emulator does,
 * so a guest re-initialising after a crash or kexec is not left with a
 * stale in-service level blocking everything below it. */
static void pic_write_icw1(PICChip *c, uint8_t val)
{
    if (val & PIC_ICW1_LTIM) {
        unimp_log("i8259: ICW1 LTIM ignored, the ELCR selects level "
                  "triggering (PIIX3)\n");
    }
    c->icw1 = val;
    c->imr = 0;
    c->isr = 0;
    c->irr = c->input & c->elcr;
    c->lowest_prio = 7;
    c->special_mask = false;
    c->read_isr = false;
    c->poll = false;
    c->rotate_aeoi = false;
    if (!(val & PIC_ICW1_IC4)) {
        c->icw4 = 0;
    }
    c->init_state = PIC_INIT_ICW2;
}

static void pic_write_ocw2(PICChip *c, uint8_t val)
{
    int level = val & PIC_OCW2_LEVEL;
    int n;

    switch (val >> PIC_OCW2_CMD_SHIFT) {
    case PIC_OCW2_ROTATE_AEOI_CLEAR:
        c->rotate_aeoi = false;
        break;
    case PIC_OCW2_ROTATE_AEOI_SET:
        c->rotate_aeoi = true;
        break;
    case PIC_OCW2_EOI:
    case PIC_OCW2_ROTATE_EOI:
        n = pic_highest(c, c->isr);
        if (n >= 0) {
            c->isr &= ~(1 << n);
            if ((val >> PIC_OCW2_CMD_SHIFT) == PIC_OCW2_ROTATE_EOI) {
                c->lowest_prio = n;
            }
        }
        break;
    case PIC_OCW2_SPECIFIC_EOI:
        c->isr &= ~(1 << level);
        break;
    case PIC_OCW2_ROTATE_SPECIFIC_EOI:
        c->isr &= ~(1 << level);
        c->lowest_prio = level;
        break;
    case PIC_OCW2_SET_PRIORITY:
        c->lowest_prio = level;
        break;
    case PIC_OCW2_NOP:
        break;
    }
}

static void pic_write_ocw3(PICChip *c, uint8_t val)
{
    if (val & PIC_OCW3_P) {
        c->poll = true;
    }
    if (val & PIC_OCW3_RR) {
        c->read_isr = val & PIC_OCW3_RIS;
    }
    if (val & PIC_OCW3_ESMM) {
        c->special_mask = val & PIC_OCW3_SMM;
    }
}

static void pic_write_odd(PICChip *c, uint8_t val)
{
    switch (c->init_state) {
    case PIC_INIT_DONE:
        c->imr = val;                       /* OCW1 */
        break;
    case PIC_INIT_ICW2:
        c->icw2 = val;
        if (!(c->icw1 & PIC_ICW1_SNGL)) {
            c->init_state = PIC_INIT_ICW3;
        } else if (c->icw1 & PIC_ICW1_IC4) {
            c->init_state = PIC_INIT_ICW4;
        } else {
            c->init_state = PIC_INIT_DONE;
        }
        break;
    case PIC_INIT_ICW3:
        c->icw3 = val;
        c->init_state = (c->icw1 & PIC_ICW1_IC4) ? PIC_INIT_ICW4
                                                 : PIC_INIT_DONE;
        break;
    case PIC_INIT_ICW4:
        if (!(val & PIC_ICW4_UPM)) {
            unimp_log("i8259: ICW4 8080/8085 mode, using 8086 mode\n");
        }
        c->icw4 = val;
        c->init_state = PIC_INIT_DONE;
        break;
    }
}

static void pic_io_write(I8259State *s, int which, uint64_t offset,
                         uint64_t value)
{
    PICChip *c = &s->chip[which];
    uint8_t val = value;

    if (offset == 1) {
        pic_write_odd(c, val);
    } else if (val & PIC_ICW1_INIT) {
        pic_write_icw1(c, val);
    } else if (val & PIC_OCW3_SEL) {
        pic_write_ocw3(c, val);
    } else {
        pic_write_ocw2(c, val);
    }
    pic_update_irq(s);
}

static uint64_t pic_master_read(void *opaque, uint64_t offset, unsigned size)
{
    return pic_io_read(opaque, PIC_MASTER, offset);
}

static void pic_master_write(void *opaque, uint64_t offset, uint64_t value,
                             unsigned size)
{
    pic_io_write(opaque, PIC_MASTER, offset, value);
}

static uint64_t pic_slave_read(void *opaque, uint64_t offset, unsigned size)
{
    return pic_io_read(opaque, PIC_SLAVE, offset);
}

static void pic_slave_write(void *opaque, uint64_t offset, uint64_t value,
                            unsigned size)
{
    pic_io_write(opaque, PIC_SLAVE, offset, value);
}

/* ELCR1 (4D0h) and ELCR2 (4D1h), PIIX3 datasheet. */
static uint64_t elcr_io_read(void *opaque, uint64_t offset, unsigned size)
{
    I8259State *s = opaque;

    return s->chip[offset & 1].elcr;
}

static void elcr_io_write(void *opaque, uint64_t offset, uint64_t value,
                          unsigned size)
{
    I8259State *s = opaque;
    PICChip *c = &s->chip[offset & 1];
    uint8_t old = c->elcr;

    c->elcr = value & pic_elcr_mask[offset & 1];
    /* Level inputs show their pin; one that became edge needs a new
     * rising edge. */
    c->irr &= ~(old & ~c->elcr);
    c->irr = (c->irr & ~c->elcr) | (c->input & c->elcr);
    pic_update_irq(s);
}

static const MemoryRegionOps pic_master_ops = {
    .read = pic_master_read,
    .write = pic_master_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,
};

static const MemoryRegionOps pic_slave_ops = {
    .read = pic_slave_read,
    .write = pic_slave_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,
};

static const MemoryRegionOps elcr_ops = {
    .read = elcr_io_read,
    .write = elcr_io_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 1,
};

/* --- device --------------------------------------------------------------- */

/*
 * Power-on state. The 8259A has no reset pin: software must send the
 * ICWs; until then the chips are idle with every IR unmasked, vector
 * base 0 and the master's ICW3 naming the slave on IR2. The ELCRs reset
 * to 0 (all edge). Pin levels are wires, not chip state: they are kept,
 * so a device that holds its line up across the reset is not forgotten.
 */
static void pic_reset(Device *dev)
{
    I8259State *s = pic_of(dev);

    for (int i = 0; i < 2; i++) {
        PICChip *c = &s->chip[i];
        uint8_t input = c->input;

        memset(c, 0, sizeof(*c));
        c->input = input;
        c->lowest_prio = 7;
        c->icw3 = i == PIC_MASTER ? 1 << PIC_CASCADE_IR : PIC_CASCADE_IR;
        c->icw4 = PIC_ICW4_UPM;
    }
    pic_update_irq(s);
}

static bool pic_realize(Device *dev, Machine *m, Error **errp)
{
    I8259State *s = pic_of(dev);

    s->machine = m;
    memory_region_init_io(&s->io_master, "pic-master", &pic_master_ops, s,
                          2);
    memory_region_init_io(&s->io_slave, "pic-slave", &pic_slave_ops, s, 2);
    memory_region_init_io(&s->io_elcr, "elcr", &elcr_ops, s, 2);
    memory_region_add_subregion(m->system_io, s->iobase, &s->io_master, 0);
    memory_region_add_subregion(m->system_io, s->slave_iobase, &s->io_slave,
                                0);
    memory_region_add_subregion(m->system_io, s->elcr_addr, &s->io_elcr, 0);
    return true;
}

static bool pic_post_load(void *opaque, int version, Error **errp)
{
    I8259State *s = opaque;

    for (int i = 0; i < 2; i++) {
        PICChip *c = &s->chip[i];
        if (c->init_state > PIC_INIT_ICW4 || c->lowest_prio > 7 ||
            (c->elcr & ~pic_elcr_mask[i])) {
            error_setg(errp, "i8259: inconsistent state for PIC %d "
                       "(init_state %u, lowest priority %u, ELCR %02x)",
                       i, c->init_state, c->lowest_prio, c->elcr);
            return false;
        }
    }
    /* The INTR level is re-sent even if unchanged: the CPU side may be
     * loading from a state where it was different. */
    s->intr_level = !i8259_intr_pending(DEVICE(s));
    pic_update_irq(s);
    return true;
}

static const VMStateField pic_chip_fields[] = {
    VMSTATE_U8(irr, PICChip),
    VMSTATE_U8(isr, PICChip),
    VMSTATE_U8(imr, PICChip),
    VMSTATE_U8(input, PICChip),
    VMSTATE_U8(elcr, PICChip),
    VMSTATE_U8(lowest_prio, PICChip),
    VMSTATE_U8(icw1, PICChip),
    VMSTATE_U8(icw2, PICChip),
    VMSTATE_U8(icw3, PICChip),
    VMSTATE_U8(icw4, PICChip),
    VMSTATE_U8(init_state, PICChip),
    VMSTATE_BOOL(read_isr, PICChip),
    VMSTATE_BOOL(poll, PICChip),
    VMSTATE_BOOL(special_mask, PICChip),
    VMSTATE_BOOL(rotate_aeoi, PICChip),
    VMSTATE_END
};

static const VMStateDescription vmstate_pic_chip = {
    .name = "i8259-chip",
    .version = 1,
    .min_version = 1,
    .fields = pic_chip_fields,
};

static const VMStateField pic_fields[] = {
    VMSTATE_STRUCT_ARRAY(chip, I8259State, 2, vmstate_pic_chip, PICChip),
    VMSTATE_END
};

static const VMStateDescription vmstate_i8259 = {
    .name = "i8259",
    .version = 1,
    .min_version = 1,
    .fields = pic_fields,
    .post_load = pic_post_load,
};

static const Property pic_props[] = {
    DEFINE_PROP_U16("iobase", I8259State, iobase, 0x20,
                    "master's I/O base"),
    DEFINE_PROP_U16("slave_iobase", I8259State, slave_iobase, 0xa0,
                    "slave's I/O base"),
    DEFINE_PROP_U16("elcr_addr", I8259State, elcr_addr, 0x4d0,
                    "I/O address of ELCR1 (ELCR2 follows)"),
    DEFINE_PROP_END
};

const DeviceType i8259_type = {
    .name = "i8259",
    .desc = "Intel 8259A PIC pair (PIIX3), with ELCR",
    .bus = BUS_SYSTEM,
    .state_size = sizeof(I8259State),
    .user_creatable = false,
    .realize = pic_realize,
    .reset = pic_reset,
    .props = pic_props,
    .vmsd = &vmstate_i8259,
    .irq_in = i8259_set_irq,
    .nr_irq_in = 16,
};
