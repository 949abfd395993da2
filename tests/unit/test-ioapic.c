/*
 * The IOAPIC without a machine: a bare Machine with a memory space, the
 * device realized on it, registers through address_space_memory, the
 * delivery hook recording every interrupt message. Checks what qtest
 * cannot see: the messages (destination, vector, delivery and
 * destination mode, trigger) for edge and level entries, masked edges
 * being dropped, the EOI broadcast and re-delivery, the version 20h EOI
 * register, and the state description.
 */
#include "hw/intc/ioapic.h"
#include "hw/machine.h"
#include "softmmu/memory.h"

extern const DeviceType ioapic_type;
const DeviceType *const device_types[] = { &ioapic_type, NULL };

#define IOREGSEL        (IOAPIC_DEFAULT_ADDR + 0x00)
#define IOWIN           (IOAPIC_DEFAULT_ADDR + 0x10)
#define IOAPIC_EOI      (IOAPIC_DEFAULT_ADDR + 0x40)
#define REG_VER         0x01
#define REG_RTE_LO(n)   (0x10 + 2 * (n))
#define REG_RTE_HI(n)   (0x11 + 2 * (n))

#define RTE_DM_LOWEST   0x00000100
#define RTE_DM_NMI      0x00000400
#define RTE_DM_EXTINT   0x00000700
#define RTE_LOGICAL     0x00000800
#define RTE_REMOTE_IRR  0x00004000
#define RTE_LEVEL       0x00008000
#define RTE_MASKED      0x00010000

typedef struct Message {
    uint32_t dest;
    uint8_t vector, mode;
    bool logical, level;
} Message;

typedef struct Fixture {
    Machine m;
    MemoryRegion mem;
    Device *ioapic;
    Message msg[64];
    int nr_msg;
} Fixture;

static Fixture *fx;

static void deliver(void *opaque, uint32_t dest, uint8_t vector,
                    uint8_t delivery_mode, bool logical, bool level)
{
    Fixture *f = opaque;

    g_assert_cmpint(f->nr_msg, <, (int)G_N_ELEMENTS(f->msg));
    f->msg[f->nr_msg++] = (Message) {
        dest, vector, delivery_mode, logical, level
    };
}

static Device *ioapic_create(const char *version, Error **errp)
{
    Device *d = device_new("ioapic", errp);

    g_assert_nonnull(d);
    if (version) {
        g_assert_true(device_set_prop(d, "version", version, errp));
    }
    if (!d->type->realize(d, &fx->m, errp)) {
        return NULL;
    }
    d->type->reset(d);
    ioapic_set_deliver(d, deliver, fx);
    return d;
}

/* A fresh IOAPIC in its own container under the one root of
 * address_space_memory (see test-i8259.c). */
static void setup(const char *version)
{
    static MemoryRegion root;
    Error *err = NULL;

    if (!root.name) {
        memory_region_init_container(&root, "root", UINT64_MAX);
        address_space_init(&address_space_memory, &root, "memory");
    }
    if (fx) {
        memory_region_del_subregion(&root, &fx->mem);
    }
    fx = g_new0(Fixture, 1);
    memory_region_init_container(&fx->mem, "mem", UINT64_MAX);
    memory_region_add_subregion(&root, 0, &fx->mem, 0);
    fx->m.system_memory = &fx->mem;
    fx->ioapic = ioapic_create(version, &err);
    g_assert_null(err);
}

static uint32_t reg_read(uint8_t reg)
{
    address_space_st(&address_space_memory, IOREGSEL, reg, 4);
    return address_space_ld(&address_space_memory, IOWIN, 4);
}

static void reg_write(uint8_t reg, uint32_t val)
{
    address_space_st(&address_space_memory, IOREGSEL, reg, 4);
    address_space_st(&address_space_memory, IOWIN, val, 4);
}

static void pin(int n, int level)
{
    ioapic_set_irq(fx->ioapic, n, level);
}

static void test_edge(void)
{
    setup(NULL);
    reg_write(REG_RTE_HI(5), 0x03000000);
    reg_write(REG_RTE_LO(5), 0x35);
    pin(5, 1);
    g_assert_cmpint(fx->nr_msg, ==, 1);
    g_assert_cmpuint(fx->msg[0].dest, ==, 3);
    g_assert_cmpuint(fx->msg[0].vector, ==, 0x35);
    g_assert_cmpuint(fx->msg[0].mode, ==, IOAPIC_DM_FIXED);
    g_assert_false(fx->msg[0].logical);
    g_assert_false(fx->msg[0].level);
    /* A held line is one edge. */
    pin(5, 1);
    g_assert_cmpint(fx->nr_msg, ==, 1);
    pin(5, 0);
    g_assert_cmpint(fx->nr_msg, ==, 1);
    pin(5, 1);
    g_assert_cmpint(fx->nr_msg, ==, 2);
    /* An edge on a masked pin is dropped, not held pending. */
    pin(5, 0);
    reg_write(REG_RTE_LO(5), RTE_MASKED | 0x35);
    pin(5, 1);
    reg_write(REG_RTE_LO(5), 0x35);
    g_assert_cmpint(fx->nr_msg, ==, 2);
    /* An EOI means nothing to an edge entry. */
    ioapic_eoi(fx->ioapic, 0x35);
    g_assert_cmpint(fx->nr_msg, ==, 2);
}

static void test_level_eoi(void)
{
    setup(NULL);
    reg_write(REG_RTE_HI(9), 0x0f000000);
    reg_write(REG_RTE_LO(9), RTE_LEVEL | RTE_LOGICAL | RTE_DM_LOWEST | 0x44);
    pin(9, 1);
    g_assert_cmpint(fx->nr_msg, ==, 1);
    g_assert_cmpuint(fx->msg[0].dest, ==, 0x0f);
    g_assert_cmpuint(fx->msg[0].vector, ==, 0x44);
    g_assert_cmpuint(fx->msg[0].mode, ==, IOAPIC_DM_LOWEST_PRIO);
    g_assert_true(fx->msg[0].logical);
    g_assert_true(fx->msg[0].level);
    g_assert_cmphex(reg_read(REG_RTE_LO(9)) & RTE_REMOTE_IRR, ==,
                    RTE_REMOTE_IRR);
    /* Waits for its EOI: another vector's EOI does nothing. */
    ioapic_eoi(fx->ioapic, 0x45);
    g_assert_cmpint(fx->nr_msg, ==, 1);
    /* Still asserted at the EOI: sent again. */
    ioapic_eoi(fx->ioapic, 0x44);
    g_assert_cmpint(fx->nr_msg, ==, 2);
    g_assert_cmphex(reg_read(REG_RTE_LO(9)) & RTE_REMOTE_IRR, ==,
                    RTE_REMOTE_IRR);
    /* Deasserted, then EOI: idle. */
    pin(9, 0);
    ioapic_eoi(fx->ioapic, 0x44);
    g_assert_cmpint(fx->nr_msg, ==, 2);
    g_assert_cmphex(reg_read(REG_RTE_LO(9)) & RTE_REMOTE_IRR, ==, 0);
    /* Two pins sharing a vector both get the broadcast. */
    reg_write(REG_RTE_LO(16), RTE_LEVEL | 0x44);
    pin(9, 1);
    pin(16, 1);
    g_assert_cmpint(fx->nr_msg, ==, 4);
    pin(9, 0);
    ioapic_eoi(fx->ioapic, 0x44);
    g_assert_cmpint(fx->nr_msg, ==, 5);
    g_assert_cmphex(reg_read(REG_RTE_LO(9)) & RTE_REMOTE_IRR, ==, 0);
    g_assert_cmphex(reg_read(REG_RTE_LO(16)) & RTE_REMOTE_IRR, ==,
                    RTE_REMOTE_IRR);
    /* Masked level: nothing; unmasking while asserted sends it. */
    reg_write(REG_RTE_LO(20), RTE_MASKED | RTE_LEVEL | 0x60);
    pin(20, 1);
    g_assert_cmpint(fx->nr_msg, ==, 5);
    reg_write(REG_RTE_LO(20), RTE_LEVEL | 0x60);
    g_assert_cmpint(fx->nr_msg, ==, 6);
    g_assert_cmpuint(fx->msg[5].vector, ==, 0x60);
}

static void test_delivery_modes(void)
{
    setup(NULL);
    reg_write(REG_RTE_LO(1), RTE_DM_NMI);
    reg_write(REG_RTE_LO(2), RTE_DM_EXTINT);
    pin(1, 1);
    pin(2, 1);
    g_assert_cmpint(fx->nr_msg, ==, 2);
    g_assert_cmpuint(fx->msg[0].mode, ==, IOAPIC_DM_NMI);
    g_assert_cmpuint(fx->msg[1].mode, ==, IOAPIC_DM_EXTINT);
    /* Without a hook, nothing is sent but remote IRR still works. */
    ioapic_set_deliver(fx->ioapic, NULL, NULL);
    reg_write(REG_RTE_LO(3), RTE_LEVEL | 0x70);
    pin(3, 1);
    g_assert_cmpint(fx->nr_msg, ==, 2);
    g_assert_cmphex(reg_read(REG_RTE_LO(3)) & RTE_REMOTE_IRR, ==,
                    RTE_REMOTE_IRR);
}

static void test_version_20(void)
{
    Error *err = NULL;

    setup("0x20");
    g_assert_cmphex(reg_read(REG_VER), ==, 0x00170020);
    reg_write(REG_RTE_LO(4), RTE_LEVEL | 0x51);
    pin(4, 1);
    g_assert_cmpint(fx->nr_msg, ==, 1);
    pin(4, 0);
    /* The directed EOI register. */
    address_space_st(&address_space_memory, IOAPIC_EOI, 0x51, 4);
    g_assert_cmphex(reg_read(REG_RTE_LO(4)), ==, RTE_LEVEL | 0x51);

    /* Version 11h has no such register. */
    setup(NULL);
    reg_write(REG_RTE_LO(4), RTE_LEVEL | 0x51);
    pin(4, 1);
    pin(4, 0);
    address_space_st(&address_space_memory, IOAPIC_EOI, 0x51, 4);
    g_assert_cmphex(reg_read(REG_RTE_LO(4)), ==,
                    RTE_REMOTE_IRR | RTE_LEVEL | 0x51);

    g_assert_null(ioapic_create("0x13", &err));
    g_assert_nonnull(err);
    error_free(err);
}

static void test_vmstate(void)
{
    GByteArray *buf = g_byte_array_new();
    Device *first;
    size_t pos = 0;
    Error *err = NULL;

    setup(NULL);
    reg_write(0x00, 0x05000000);
    reg_write(REG_RTE_HI(7), 0x80000000);
    reg_write(REG_RTE_LO(7), RTE_LEVEL | 0x77);
    pin(7, 1);
    pin(8, 1);
    first = fx->ioapic;
    vmstate_save(first->type->vmsd, first, buf);

    setup(NULL);
    g_assert_true(vmstate_load(fx->ioapic->type->vmsd, fx->ioapic,
                               buf->data, buf->len, &pos, &err));
    g_assert_null(err);
    g_assert_cmphex(reg_read(0x00), ==, 0x05000000);
    g_assert_cmphex(reg_read(REG_RTE_HI(7)), ==, 0x80000000);
    g_assert_cmphex(reg_read(REG_RTE_LO(7)), ==,
                    RTE_REMOTE_IRR | RTE_LEVEL | 0x77);
    /* The pin levels came along: EOI re-sends the still-high pin 7. */
    ioapic_eoi(fx->ioapic, 0x77);
    g_assert_cmpint(fx->nr_msg, ==, 1);
    g_assert_cmpuint(fx->msg[0].dest, ==, 0x80);

    /* An ID that does not fit in four bits is refused. */
    buf->data[4] = 0x10;
    pos = 0;
    g_assert_false(vmstate_load(fx->ioapic->type->vmsd, fx->ioapic,
                                buf->data, buf->len, &pos, &err));
    g_assert_nonnull(err);
    error_free(err);
    g_byte_array_free(buf, true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ioapic/edge", test_edge);
    g_test_add_func("/ioapic/level-eoi", test_level_eoi);
    g_test_add_func("/ioapic/delivery-modes", test_delivery_modes);
    g_test_add_func("/ioapic/version-20", test_version_20);
    g_test_add_func("/ioapic/vmstate", test_vmstate);
    return g_test_run();
}
