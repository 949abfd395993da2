/*
 * The i8259 PIC pair without a machine: a bare Machine with an I/O space
 * and a CPU INTR line, the device realized on it, ports driven through
 * address_space_io, INTA through i8259_acknowledge. Checks the 8259A
 * programming model (ICW1-4, OCW1-3), priorities, EOI forms, rotation,
 * special mask and special fully nested modes, poll, spurious IRQ 7/15,
 * the PIIX3 ELCR, and that the state description round-trips.
 */
#include "hw/intc/i8259.h"
#include "hw/machine.h"
#include "softmmu/memory.h"

extern const DeviceType i8259_type;
const DeviceType *const device_types[] = { &i8259_type, NULL };

#define MASTER_CMD  0x20
#define MASTER_DATA 0x21
#define SLAVE_CMD   0xa0
#define SLAVE_DATA  0xa1
#define ELCR1       0x4d0
#define ELCR2       0x4d1

#define OCW3_READ_IRR   0x0a
#define OCW3_READ_ISR   0x0b
#define OCW3_POLL       0x0c
#define OCW3_SET_SMM    0x68
#define OCW3_CLEAR_SMM  0x48
#define OCW2_EOI        0x20
#define OCW2_SEOI(n)    (0x60 | (n))
#define OCW2_ROT_EOI    0xa0
#define OCW2_SET_PRIO(n) (0xc0 | (n))
#define OCW2_ROT_SEOI(n) (0xe0 | (n))

typedef struct Fixture {
    Machine m;
    MemoryRegion io;
    Device *pic;
    int intr;           /* CPU INTR level as last set */
    int intr_changes;
} Fixture;

static void cpu_intr_set(void *opaque, int n, int level)
{
    Fixture *f = opaque;

    f->intr = level;
    f->intr_changes++;
}

static Fixture *fx;

static void outb(uint16_t port, uint8_t v)
{
    address_space_st(&address_space_io, port, v, 1);
}

static uint8_t inb(uint16_t port)
{
    return address_space_ld(&address_space_io, port, 1);
}

static Device *pic_create(Fixture *f)
{
    Error *err = NULL;
    Device *d = device_new("i8259", &err);

    g_assert_nonnull(d);
    g_assert_true(d->type->realize(d, &f->m, &err));
    g_assert_null(err);
    d->type->reset(d);
    return d;
}

/*
 * Each test gets a fresh PIC in its own I/O container, mapped into the
 * one root that address_space_io was built on (address spaces are set
 * up once per process). The previous test's container is unmapped and
 * leaked with its device: nothing else refers to them.
 */
static void setup(void)
{
    static MemoryRegion root;

    if (!root.name) {
        memory_region_init_container(&root, "io-root", 0x10000);
        address_space_init(&address_space_io, &root, "I/O");
    }
    if (fx) {
        memory_region_del_subregion(&root, &fx->io);
    }
    fx = g_new0(Fixture, 1);
    memory_region_init_container(&fx->io, "io", 0x10000);
    memory_region_add_subregion(&root, 0, &fx->io, 0);
    fx->m.system_io = &fx->io;
    fx->m.cpu_intr = irq_line(cpu_intr_set, fx, 0);
    fx->pic = pic_create(fx);
}

static void irq(int n, int level)
{
    i8259_set_irq(fx->pic, n, level);
}

/* What SeaBIOS and Linux send: edge, cascade, 8086 mode. */
static void pic_init(uint8_t master_base, uint8_t slave_base, uint8_t icw4)
{
    outb(MASTER_CMD, 0x11);
    outb(MASTER_DATA, master_base);
    outb(MASTER_DATA, 0x04);
    outb(MASTER_DATA, icw4);
    outb(SLAVE_CMD, 0x11);
    outb(SLAVE_DATA, slave_base);
    outb(SLAVE_DATA, 0x02);
    outb(SLAVE_DATA, icw4);
}

static uint8_t read_isr(uint16_t cmd)
{
    outb(cmd, OCW3_READ_ISR);
    return inb(cmd);
}

static uint8_t read_irr(uint16_t cmd)
{
    outb(cmd, OCW3_READ_IRR);
    return inb(cmd);
}

static void test_init_sequence(void)
{
    setup();
    outb(MASTER_DATA, 0x5a);
    g_assert_cmphex(inb(MASTER_DATA), ==, 0x5a);
    pic_init(0x08, 0x70, 0x01);
    /* ICW1 clears IMR; OCW1 sets it. */
    g_assert_cmphex(inb(MASTER_DATA), ==, 0x00);
    outb(MASTER_DATA, 0xa5);
    outb(SLAVE_DATA, 0x3c);
    g_assert_cmphex(inb(MASTER_DATA), ==, 0xa5);
    g_assert_cmphex(inb(SLAVE_DATA), ==, 0x3c);
    /* Status read defaults to IRR after ICW1. */
    irq(6, 1);
    outb(MASTER_DATA, 0x00);
    g_assert_cmphex(inb(MASTER_CMD), ==, 0x40);
    g_assert_cmpint(fx->intr, ==, 1);
    /* ICW2's low three bits are not part of the vector in 8086 mode. */
    pic_init(0x0f, 0x77, 0x01);
    irq(6, 0);
    irq(6, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x0e);
}

static void test_edge_ack_eoi(void)
{
    setup();
    pic_init(0x08, 0x70, 0x01);
    g_assert_cmpint(fx->intr, ==, 0);
    irq(1, 1);
    g_assert_cmpint(fx->intr, ==, 1);
    g_assert_true(i8259_intr_pending(fx->pic));
    g_assert_cmphex(read_irr(MASTER_CMD), ==, 0x02);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x09);
    g_assert_cmpint(fx->intr, ==, 0);
    g_assert_cmphex(read_isr(MASTER_CMD), ==, 0x02);
    g_assert_cmphex(read_irr(MASTER_CMD), ==, 0x00);
    /* An edge needs the line to fall and rise again. */
    irq(1, 1);
    outb(MASTER_CMD, OCW2_EOI);
    g_assert_cmphex(read_isr(MASTER_CMD), ==, 0x00);
    g_assert_cmpint(fx->intr, ==, 0);
    irq(1, 0);
    irq(1, 1);
    g_assert_cmpint(fx->intr, ==, 1);
    /* An edge request is latched even if the line falls before INTA. */
    irq(1, 0);
    g_assert_cmpint(fx->intr, ==, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x09);
}

static void test_priority_nesting(void)
{
    setup();
    pic_init(0x08, 0x70, 0x01);
    irq(3, 1);
    irq(1, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x09);
    /* IRQ 3 ranks below the in-service IRQ 1. */
    g_assert_cmpint(fx->intr, ==, 0);
    irq(0, 1);
    g_assert_cmpint(fx->intr, ==, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x08);
    g_assert_cmphex(read_isr(MASTER_CMD), ==, 0x03);
    /* Non-specific EOI ends the highest in service: IRQ 0. */
    outb(MASTER_CMD, OCW2_EOI);
    g_assert_cmphex(read_isr(MASTER_CMD), ==, 0x02);
    g_assert_cmpint(fx->intr, ==, 0);
    outb(MASTER_CMD, OCW2_EOI);
    g_assert_cmpint(fx->intr, ==, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x0b);
    /* Specific EOI. */
    outb(MASTER_CMD, OCW2_SEOI(3));
    g_assert_cmphex(read_isr(MASTER_CMD), ==, 0x00);
}

static void test_masking(void)
{
    setup();
    pic_init(0x08, 0x70, 0x01);
    outb(MASTER_DATA, 0x10);
    irq(4, 1);
    g_assert_cmpint(fx->intr, ==, 0);
    g_assert_cmphex(read_irr(MASTER_CMD), ==, 0x10);
    outb(MASTER_DATA, 0x00);
    g_assert_cmpint(fx->intr, ==, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x0c);
    /* Masking the slave's line on the master hides every slave IRQ. */
    outb(MASTER_CMD, OCW2_EOI);
    outb(MASTER_DATA, 0x04);
    irq(12, 1);
    g_assert_cmpint(fx->intr, ==, 0);
    outb(MASTER_DATA, 0x00);
    g_assert_cmpint(fx->intr, ==, 1);
}

static void test_cascade(void)
{
    setup();
    pic_init(0x08, 0x70, 0x01);
    irq(10, 1);
    g_assert_cmpint(fx->intr, ==, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x72);
    g_assert_cmphex(read_isr(MASTER_CMD), ==, 0x04);
    g_assert_cmphex(read_isr(SLAVE_CMD), ==, 0x04);
    /* Until the master's EOI, nothing below IR2 gets through, but IRQ
     * 0 and 1 do. */
    outb(SLAVE_CMD, OCW2_EOI);
    irq(5, 1);
    g_assert_cmpint(fx->intr, ==, 0);
    irq(1, 1);
    g_assert_cmpint(fx->intr, ==, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x09);
    outb(MASTER_CMD, OCW2_EOI);     /* IRQ 1 */
    outb(MASTER_CMD, OCW2_EOI);     /* IR2 */
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x0d);
    /* IRQ 2 is the cascade, not an input. */
    outb(MASTER_CMD, OCW2_EOI);
    irq(2, 1);
    g_assert_cmphex(read_irr(MASTER_CMD), ==, 0x00);
    g_assert_cmpint(fx->intr, ==, 0);
}

static void test_elcr_level(void)
{
    setup();
    outb(ELCR1, 0xff);
    outb(ELCR2, 0xff);
    g_assert_cmphex(inb(ELCR1), ==, 0xf8);
    g_assert_cmphex(inb(ELCR2), ==, 0xde);
    outb(ELCR1, 0x00);
    outb(ELCR2, 0x08);          /* IRQ 11 level */
    pic_init(0x08, 0x70, 0x01);
    irq(11, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x73);
    outb(SLAVE_CMD, OCW2_EOI);
    outb(MASTER_CMD, OCW2_EOI);
    /* Still asserted: interrupts again. */
    g_assert_cmpint(fx->intr, ==, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x73);
    outb(SLAVE_CMD, OCW2_EOI);
    outb(MASTER_CMD, OCW2_EOI);
    irq(11, 0);
    g_assert_cmphex(read_irr(SLAVE_CMD), ==, 0x00);
    g_assert_cmpint(fx->intr, ==, 1);   /* master IR2 latched the edge */
    /* ...which makes the next INTA a spurious IRQ 15. */
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x77);
    g_assert_cmphex(read_isr(SLAVE_CMD), ==, 0x00);
    g_assert_cmphex(read_isr(MASTER_CMD), ==, 0x04);
    outb(MASTER_CMD, OCW2_EOI);
    /* A level request that goes before INTA: spurious IRQ 7. */
    outb(ELCR1, 0x20);
    irq(5, 1);
    g_assert_cmpint(fx->intr, ==, 1);
    irq(5, 0);
    g_assert_cmpint(fx->intr, ==, 0);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x0f);
    g_assert_cmphex(read_isr(MASTER_CMD), ==, 0x00);
    /* Switching a raised line to level shows it in IRR. */
    irq(6, 1);
    i8259_acknowledge(fx->pic);
    outb(MASTER_CMD, OCW2_EOI);
    g_assert_cmphex(read_irr(MASTER_CMD), ==, 0x00);
    outb(ELCR1, 0x40);
    g_assert_cmphex(read_irr(MASTER_CMD), ==, 0x40);
}

static void test_auto_eoi(void)
{
    setup();
    pic_init(0x08, 0x70, 0x03);
    irq(4, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x0c);
    g_assert_cmphex(read_isr(MASTER_CMD), ==, 0x00);
    irq(5, 1);
    g_assert_cmpint(fx->intr, ==, 1);
    /* Rotate in AEOI mode: the served level becomes the lowest. */
    outb(MASTER_CMD, 0x80);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x0d);
    irq(4, 0);
    irq(4, 1);
    irq(6, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x0e);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x0c);
}

static void test_rotation(void)
{
    setup();
    pic_init(0x08, 0x70, 0x01);
    irq(1, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x09);
    outb(MASTER_CMD, OCW2_ROT_EOI);     /* IRQ 1 lowest now */
    irq(1, 0);
    irq(1, 1);
    irq(4, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x0c);
    /* IRQ 1 ranks below the in-service IRQ 4 now. */
    g_assert_cmpint(fx->intr, ==, 0);
    outb(MASTER_CMD, OCW2_ROT_SEOI(4));  /* IRQ 4 lowest: 5 6 7 0 1 ... */
    g_assert_cmpint(fx->intr, ==, 1);
    irq(0, 1);
    irq(6, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x0e);
    outb(MASTER_CMD, OCW2_EOI);
    /* Set priority: IRQ 0 lowest, so 1 beats 0. */
    outb(MASTER_CMD, OCW2_SET_PRIO(0));
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x09);
    outb(MASTER_CMD, OCW2_EOI);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x08);
}

static void test_special_mask(void)
{
    setup();
    pic_init(0x08, 0x70, 0x01);
    irq(1, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x09);
    irq(5, 1);
    g_assert_cmpint(fx->intr, ==, 0);
    /* The handler of IRQ 1 masks itself and lets lower levels in. */
    outb(MASTER_DATA, 0x02);
    outb(MASTER_CMD, OCW3_SET_SMM);
    g_assert_cmpint(fx->intr, ==, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x0d);
    outb(MASTER_CMD, OCW2_SEOI(5));
    outb(MASTER_CMD, OCW3_CLEAR_SMM);
    irq(5, 0);
    irq(5, 1);
    g_assert_cmpint(fx->intr, ==, 0);   /* IRQ 1 blocks again */
}

static void test_poll(void)
{
    setup();
    pic_init(0x08, 0x70, 0x01);
    outb(MASTER_CMD, OCW3_POLL);
    g_assert_cmphex(inb(MASTER_CMD), ==, 0x00);
    irq(3, 1);
    irq(12, 1);
    outb(MASTER_CMD, OCW3_POLL);
    g_assert_cmphex(inb(MASTER_CMD), ==, 0x82);     /* the slave */
    outb(SLAVE_CMD, OCW3_POLL);
    g_assert_cmphex(inb(SLAVE_DATA), ==, 0x84);     /* either port */
    g_assert_cmphex(read_isr(SLAVE_CMD), ==, 0x10);
    /* Poll is one-shot: the next read is a status read again. */
    g_assert_cmphex(inb(MASTER_DATA), ==, 0x00);
    outb(SLAVE_CMD, OCW2_EOI);
    outb(MASTER_CMD, OCW2_EOI);
    outb(MASTER_CMD, OCW3_POLL);
    g_assert_cmphex(inb(MASTER_CMD), ==, 0x83);
}

static void test_sfnm(void)
{
    setup();
    pic_init(0x08, 0x70, 0x01);
    irq(12, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x74);
    irq(9, 1);
    /* Fully nested: the slave's higher IRQ 9 waits for the master. */
    g_assert_cmpint(fx->intr, ==, 0);
    setup();
    pic_init(0x08, 0x70, 0x11);         /* SFNM on both */
    irq(12, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x74);
    irq(9, 1);
    g_assert_cmpint(fx->intr, ==, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x71);
}

static void test_vmstate(void)
{
    GByteArray *buf = g_byte_array_new();
    Device *copy;
    size_t pos = 0;
    Error *err = NULL;

    setup();
    outb(ELCR2, 0x08);
    pic_init(0x20, 0x28, 0x01);
    outb(MASTER_DATA, 0x10);
    irq(3, 1);
    g_assert_cmpint(i8259_acknowledge(fx->pic), ==, 0x23);
    irq(11, 1);
    g_assert_cmpint(fx->intr, ==, 1);
    vmstate_save(fx->pic->type->vmsd, fx->pic, buf);

    copy = pic_create(fx);       /* same ports: maps over the first */
    fx->intr = 0;
    g_assert_true(vmstate_load(copy->type->vmsd, copy, buf->data, buf->len,
                               &pos, &err));
    g_assert_null(err);
    g_assert_cmpuint(pos, ==, buf->len);
    /* post_load re-sent INTR: the slave's IRQ 11 outranks IRQ 3. */
    g_assert_cmpint(fx->intr, ==, 1);
    g_assert_cmphex(inb(MASTER_DATA), ==, 0x10);
    g_assert_cmphex(read_isr(MASTER_CMD), ==, 0x08);
    g_assert_cmpint(i8259_acknowledge(copy), ==, 0x2b);

    /* A corrupt stream is refused, not trusted: the master's
     * lowest_prio (after two version words and five bytes) of 9. */
    pos = 0;
    buf->data[4 + 4 + 5] = 9;
    g_assert_false(vmstate_load(copy->type->vmsd, copy, buf->data,
                                buf->len, &pos, &err));
    g_assert_nonnull(err);
    error_free(err);
    g_byte_array_free(buf, true);
}

/* Whatever a guest writes, nothing breaks and INTA stays in range. */
static void test_fuzz(void)
{
    static const uint16_t ports[] = {
        MASTER_CMD, MASTER_DATA, SLAVE_CMD, SLAVE_DATA, ELCR1, ELCR2
    };
    GRand *r = g_rand_new_with_seed(8259);

    setup();
    for (int i = 0; i < 200000; i++) {
        uint32_t op = g_rand_int(r);
        uint16_t port = ports[op % ARRAY_SIZE(ports)];

        switch ((op >> 8) % 4) {
        case 0:
            outb(port, op >> 16);
            break;
        case 1:
            inb(port);
            break;
        case 2:
            irq((op >> 16) % 16, (op >> 24) & 1);
            break;
        default: {
            int v = i8259_acknowledge(fx->pic);
            g_assert_cmpint(v, >=, 0);
            g_assert_cmpint(v, <=, 255);
            break;
        }
        }
        g_assert_cmpint(fx->intr, ==, i8259_intr_pending(fx->pic));
    }
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/i8259/init-sequence", test_init_sequence);
    g_test_add_func("/i8259/edge-ack-eoi", test_edge_ack_eoi);
    g_test_add_func("/i8259/priority-nesting", test_priority_nesting);
    g_test_add_func("/i8259/masking", test_masking);
    g_test_add_func("/i8259/cascade", test_cascade);
    g_test_add_func("/i8259/elcr-level-spurious", test_elcr_level);
    g_test_add_func("/i8259/auto-eoi", test_auto_eoi);
    g_test_add_func("/i8259/rotation", test_rotation);
    g_test_add_func("/i8259/special-mask", test_special_mask);
    g_test_add_func("/i8259/poll", test_poll);
    g_test_add_func("/i8259/special-fully-nested", test_sfnm);
    g_test_add_func("/i8259/vmstate", test_vmstate);
    g_test_add_func("/i8259/fuzz", test_fuzz);
    return g_test_run();
}
