/*
 * The local APIC without a CPU: two APICs on one bus (IDs 0 and 1, the
 * first the BSP), a real IOAPIC delivering to them, the virtual clock
 * in manual mode. Each APIC's CPU outputs are recorded; the "CPU" reads
 * and writes registers through apic_reg_read/write and the MMIO window,
 * and takes interrupts with apic_acknowledge.
 *
 * Checks: reset values and register semantics (read-only and writable
 * bits, DFR, SVR software disable forcing LVT masks, ESR's
 * write-to-latch, reserved registers), priorities (IRR -> ISR, TPR, PPR,
 * EOI order), the EOI broadcast to the IOAPIC for level-triggered
 * vectors only, the timer in one-shot and periodic mode with dividers,
 * IPIs (physical, logical flat and cluster, shorthands, lowest priority,
 * NMI, INIT, SIPI, illegal vectors), LINT0 ExtINT and the global
 * disable, and the state description.
 */
#include "hw/intc/apic.h"
#include "hw/intc/ioapic.h"
#include "hw/machine.h"
#include "softmmu/memory.h"
#include "softmmu/timer.h"

extern const DeviceType apic_type;
extern const DeviceType ioapic_type;
const DeviceType *const device_types[] = { &apic_type, &ioapic_type, NULL };

#define APIC_ID         0x020
#define APIC_VERSION    0x030
#define APIC_TPR        0x080
#define APIC_PPR        0x0a0
#define APIC_EOI        0x0b0
#define APIC_LDR        0x0d0
#define APIC_DFR        0x0e0
#define APIC_SVR        0x0f0
#define APIC_ISR        0x100
#define APIC_TMR        0x180
#define APIC_IRR        0x200
#define APIC_ESR        0x280
#define APIC_ICR_LO     0x300
#define APIC_ICR_HI     0x310
#define APIC_LVT_TIMER  0x320
#define APIC_LVT_LINT0  0x350
#define APIC_LVT_LINT1  0x360
#define APIC_LVT_ERROR  0x370
#define APIC_TMICT      0x380
#define APIC_TMCCT      0x390
#define APIC_TDCR       0x3e0

#define LVT_MASKED      0x10000
#define LVT_PERIODIC    0x20000
#define ICR_LOGICAL     0x800
#define ICR_ASSERT      0x4000
#define ICR_DM(m)       ((m) << 8)
#define ICR_SELF        (1 << 18)
#define ICR_ALL_INCL    (2 << 18)
#define ICR_ALL_EXCL    (3 << 18)

#define IOREGSEL        (IOAPIC_DEFAULT_ADDR + 0x00)
#define IOWIN           (IOAPIC_DEFAULT_ADDR + 0x10)

typedef struct CpuSide {
    bool intr;
    int nmi, init, sipi;
    int sipi_vector;
} CpuSide;

typedef struct Fixture {
    Machine m;
    MemoryRegion mem;
    APICBus *bus;
    Device *apic[2];
    Device *ioapic;
    CpuSide cpu[2];
    int extint_acks;
    int eois;
    uint8_t last_eoi;
} Fixture;

static Fixture *fx;

static void cpu_hook(void *opaque, APICSignal sig, int value)
{
    CpuSide *c = opaque;

    switch (sig) {
    case APIC_SIG_INTR:
        c->intr = value;
        break;
    case APIC_SIG_NMI:
        c->nmi++;
        break;
    case APIC_SIG_INIT:
        c->init++;
        break;
    case APIC_SIG_SIPI:
        c->sipi++;
        c->sipi_vector = value;
        break;
    }
}

static int extint_ack(void *opaque)
{
    fx->extint_acks++;
    return 0x08;        /* what a PIC with base 08h answers for IRQ 0 */
}

static void eoi_spy(void *opaque, uint8_t vector)
{
    fx->eois++;
    fx->last_eoi = vector;
    ioapic_eoi(opaque, vector);
}

static Device *create(const char *type, const char *id, bool bsp, int n)
{
    Error *err = NULL;
    Device *d = device_new(type, &err);

    g_assert_nonnull(d);
    if (id) {
        g_assert_true(device_set_prop(d, "id", id, &err));
        g_assert_true(device_set_prop(d, "bsp", bsp ? "on" : "off", &err));
        apic_attach(d, fx->bus, cpu_hook, &fx->cpu[n]);
    }
    g_assert_true(d->type->realize(d, &fx->m, &err));
    g_assert_null(err);
    d->type->reset(d);
    return d;
}

static void setup(void)
{
    static MemoryRegion root;

    if (!root.name) {
        memory_region_init_container(&root, "root", UINT64_MAX);
        address_space_init(&address_space_memory, &root, "memory");
        clock_virtual_set_manual();
    }
    if (fx) {
        memory_region_del_subregion(&root, &fx->mem);
        apic_set_current(NULL);
    }
    fx = g_new0(Fixture, 1);
    memory_region_init_container(&fx->mem, "mem", UINT64_MAX);
    memory_region_add_subregion(&root, 0, &fx->mem, 0);
    fx->m.system_memory = &fx->mem;
    fx->bus = apic_bus_new(&fx->mem, extint_ack, NULL);
    fx->apic[0] = create("apic", "0", true, 0);
    fx->apic[1] = create("apic", "1", false, 1);
    fx->ioapic = create("ioapic", NULL, false, 0);
    ioapic_set_deliver(fx->ioapic, apic_bus_deliver, fx->bus);
    apic_bus_set_eoi(fx->bus, eoi_spy, fx->ioapic);
}

static uint32_t rd(int n, uint32_t reg)
{
    return apic_reg_read(fx->apic[n], reg);
}

static void wr(int n, uint32_t reg, uint32_t val)
{
    apic_reg_write(fx->apic[n], reg, val);
}

static void enable(int n)
{
    wr(n, APIC_SVR, 0x1ff);
}

static bool irr(int n, unsigned v)
{
    return rd(n, APIC_IRR + (v / 32) * 16) & (1u << (v % 32));
}

static bool isr(int n, unsigned v)
{
    return rd(n, APIC_ISR + (v / 32) * 16) & (1u << (v % 32));
}

static void ioapic_reg_write(uint8_t reg, uint32_t val)
{
    address_space_st(&address_space_memory, IOREGSEL, reg, 4);
    address_space_st(&address_space_memory, IOWIN, val, 4);
}

static uint32_t ioapic_reg_read(uint8_t reg)
{
    address_space_st(&address_space_memory, IOREGSEL, reg, 4);
    return address_space_ld(&address_space_memory, IOWIN, 4);
}

/* A fixed, edge-triggered message to APIC n. */
static void send_fixed(int n, uint8_t vector, bool level)
{
    apic_bus_deliver(fx->bus, n, vector, IOAPIC_DM_FIXED, false, level);
}

static void test_reset_values(void)
{
    setup();
    g_assert_cmphex(rd(0, APIC_ID), ==, 0x00000000);
    g_assert_cmphex(rd(1, APIC_ID), ==, 0x01000000);
    g_assert_cmphex(rd(0, APIC_VERSION), ==, 0x00050014);
    g_assert_cmphex(rd(0, APIC_SVR), ==, 0xff);
    g_assert_cmphex(rd(0, APIC_DFR), ==, 0xffffffff);
    g_assert_cmphex(rd(0, APIC_LDR), ==, 0);
    g_assert_cmphex(rd(0, APIC_TPR), ==, 0);
    g_assert_cmphex(rd(0, APIC_LVT_TIMER), ==, LVT_MASKED);
    g_assert_cmphex(rd(0, APIC_LVT_LINT1), ==, LVT_MASKED);
    /* The BSP's LINT0 is the virtual wire; an AP's is masked. */
    g_assert_cmphex(rd(0, APIC_LVT_LINT0), ==, 0x700);
    g_assert_cmphex(rd(1, APIC_LVT_LINT0), ==, LVT_MASKED);
    g_assert_cmphex(rd(0, APIC_TMCCT), ==, 0);
    g_assert_false(fx->cpu[0].intr);
}

static void test_registers(void)
{
    setup();
    wr(0, APIC_ID, 0x05ffffff);
    g_assert_cmphex(rd(0, APIC_ID), ==, 0x05000000);
    wr(0, APIC_VERSION, 0);
    g_assert_cmphex(rd(0, APIC_VERSION), ==, 0x00050014);
    wr(0, APIC_LDR, 0xabcdef12);
    g_assert_cmphex(rd(0, APIC_LDR), ==, 0xab000000);
    wr(0, APIC_DFR, 0x0);
    g_assert_cmphex(rd(0, APIC_DFR), ==, 0x0fffffff);
    wr(0, APIC_TPR, 0x1234);
    g_assert_cmphex(rd(0, APIC_TPR), ==, 0x34);
    wr(0, APIC_ICR_HI, 0x12345678);
    g_assert_cmphex(rd(0, APIC_ICR_HI), ==, 0x12000000);
    wr(0, APIC_TDCR, 0xff);
    g_assert_cmphex(rd(0, APIC_TDCR), ==, 0x0b);

    /* Software-disabled: LVT masks stick. */
    wr(0, APIC_LVT_LINT1, 0x400);
    g_assert_cmphex(rd(0, APIC_LVT_LINT1), ==, LVT_MASKED | 0x400);
    enable(0);
    wr(0, APIC_LVT_LINT1, 0x400);
    g_assert_cmphex(rd(0, APIC_LVT_LINT1), ==, 0x400);
    /* Read-only bits of an LVT entry (delivery status, remote IRR) and
     * the timer's reserved TSC-deadline bit stay clear. */
    wr(0, APIC_LVT_TIMER, 0xffffffff);
    g_assert_cmphex(rd(0, APIC_LVT_TIMER), ==, 0x300ff);
    /* Disabling sets every mask. */
    wr(0, APIC_SVR, 0xff);
    g_assert_cmphex(rd(0, APIC_LVT_LINT1), ==, LVT_MASKED | 0x400);

    /* Through the window: the current CPU's APIC. */
    apic_set_current(fx->apic[1]);
    g_assert_cmphex(address_space_ld(&address_space_memory,
                                     APIC_DEFAULT_ADDR + APIC_ID, 4), ==,
                    0x01000000);
    address_space_st(&address_space_memory,
                     APIC_DEFAULT_ADDR + APIC_TPR, 0x20, 4);
    g_assert_cmphex(rd(1, APIC_TPR), ==, 0x20);
    g_assert_cmphex(address_space_ld(&address_space_memory,
                                     APIC_DEFAULT_ADDR + APIC_ID + 3, 1),
                    ==, 0x01);
    apic_set_current(NULL);
    g_assert_cmphex(address_space_ld(&address_space_memory,
                                     APIC_DEFAULT_ADDR + APIC_ID, 4), ==,
                    0xffffffff);
}

static void test_esr(void)
{
    setup();
    enable(0);
    /* A fixed IPI with a vector below 16 is a send error, not sent. */
    wr(0, APIC_ICR_HI, 0x01000000);
    wr(0, APIC_ICR_LO, 0x05);
    g_assert_false(irr(1, 5));
    g_assert_cmphex(rd(0, APIC_ESR), ==, 0);     /* not latched yet */
    wr(0, APIC_ESR, 0);
    g_assert_cmphex(rd(0, APIC_ESR), ==, 0x20);
    wr(0, APIC_ESR, 0);
    g_assert_cmphex(rd(0, APIC_ESR), ==, 0);
    /* A received illegal vector, with the error interrupt. */
    wr(0, APIC_LVT_ERROR, 0xfe);
    send_fixed(0, 3, false);
    g_assert_true(irr(0, 0xfe));
    g_assert_false(irr(0, 3));
    wr(0, APIC_ESR, 0);
    g_assert_cmphex(rd(0, APIC_ESR), ==, 0x40);
    /* A reserved register reads all-ones and is an error. */
    g_assert_cmphex(rd(0, 0x3f0), ==, 0xffffffff);
    wr(0, APIC_ESR, 0);
    g_assert_cmphex(rd(0, APIC_ESR), ==, 0x80);
}

static void test_priority(void)
{
    setup();
    /* Software-disabled: accepted, not delivered. */
    send_fixed(0, 0x51, false);
    g_assert_true(irr(0, 0x51));
    g_assert_false(fx->cpu[0].intr);
    enable(0);
    g_assert_true(fx->cpu[0].intr);
    send_fixed(0, 0x32, false);
    send_fixed(0, 0x61, false);
    /* Highest first; PPR follows ISR. */
    g_assert_cmpint(apic_acknowledge(fx->apic[0]), ==, 0x61);
    g_assert_true(isr(0, 0x61));
    g_assert_false(irr(0, 0x61));
    g_assert_cmphex(rd(0, APIC_PPR), ==, 0x60);
    g_assert_false(fx->cpu[0].intr);     /* 0x51 is below class 6 */
    g_assert_cmpint(apic_acknowledge(fx->apic[0]), ==, 0xff); /* spurious */
    wr(0, APIC_EOI, 0);
    g_assert_false(isr(0, 0x61));
    g_assert_true(fx->cpu[0].intr);
    /* TPR holds back class 5 and below. */
    wr(0, APIC_TPR, 0x50);
    g_assert_cmphex(rd(0, APIC_PPR), ==, 0x50);
    g_assert_false(fx->cpu[0].intr);
    apic_set_tpr(fx->apic[0], 0x40);
    g_assert_true(fx->cpu[0].intr);
    g_assert_cmpint(apic_acknowledge(fx->apic[0]), ==, 0x51);
    /* Nested: a higher class interrupts the one in service. */
    g_assert_cmpint(apic_acknowledge(fx->apic[0]), ==, 0xff);
    wr(0, APIC_TPR, 0);
    send_fixed(0, 0x90, false);
    g_assert_cmpint(apic_acknowledge(fx->apic[0]), ==, 0x90);
    /* EOI retires the highest in service first. */
    wr(0, APIC_EOI, 0);
    g_assert_false(isr(0, 0x90));
    g_assert_true(isr(0, 0x51));
    wr(0, APIC_EOI, 0);
    g_assert_false(isr(0, 0x51));
    g_assert_cmpint(apic_acknowledge(fx->apic[0]), ==, 0x32);
    wr(0, APIC_EOI, 0);
    g_assert_false(fx->cpu[0].intr);
    g_assert_cmpint(fx->eois, ==, 0);    /* all edge: no broadcast */
}

static void test_eoi_broadcast(void)
{
    setup();
    enable(1);
    /* IOAPIC pin 9: level, vector 0x49, physical APIC 1. */
    ioapic_reg_write(0x10 + 2 * 9 + 1, 0x01000000);
    ioapic_reg_write(0x10 + 2 * 9, 0x8049);
    ioapic_set_irq(fx->ioapic, 9, 1);
    g_assert_true(irr(1, 0x49));
    g_assert_true(rd(1, APIC_TMR + 0x40 / 32 * 16) & (1u << (0x49 % 32)));
    g_assert_true(fx->cpu[1].intr);
    g_assert_false(fx->cpu[0].intr);
    g_assert_cmpint(apic_acknowledge(fx->apic[1]), ==, 0x49);
    g_assert_true(ioapic_reg_read(0x10 + 2 * 9) & 0x4000);    /* remote IRR */
    /* Still asserted at EOI: remote IRR clears, the message comes again. */
    wr(1, APIC_EOI, 0);
    g_assert_cmpint(fx->eois, ==, 1);
    g_assert_cmpint(fx->last_eoi, ==, 0x49);
    g_assert_true(irr(1, 0x49));
    g_assert_cmpint(apic_acknowledge(fx->apic[1]), ==, 0x49);
    ioapic_set_irq(fx->ioapic, 9, 0);
    wr(1, APIC_EOI, 0);
    g_assert_cmpint(fx->eois, ==, 2);
    g_assert_false(ioapic_reg_read(0x10 + 2 * 9) & 0x4000);
    g_assert_false(irr(1, 0x49));
    /* An edge entry's EOI is not broadcast. */
    ioapic_reg_write(0x10 + 2 * 4 + 1, 0x01000000);
    ioapic_reg_write(0x10 + 2 * 4, 0x0034);
    ioapic_set_irq(fx->ioapic, 4, 1);
    g_assert_cmpint(apic_acknowledge(fx->apic[1]), ==, 0x34);
    wr(1, APIC_EOI, 0);
    g_assert_cmpint(fx->eois, ==, 2);
}

static void test_timer_oneshot(void)
{
    setup();
    enable(0);
    wr(0, APIC_TDCR, 0x0b);                 /* divide by 1 */
    wr(0, APIC_LVT_TIMER, 0x40);
    wr(0, APIC_TMICT, 1000);
    g_assert_cmpuint(rd(0, APIC_TMICT), ==, 1000);
    g_assert_cmpuint(rd(0, APIC_TMCCT), ==, 1000);
    clock_virtual_advance(400);
    g_assert_cmpuint(rd(0, APIC_TMCCT), ==, 600);
    g_assert_false(irr(0, 0x40));
    clock_virtual_advance(600);
    g_assert_true(irr(0, 0x40));
    g_assert_cmpuint(rd(0, APIC_TMCCT), ==, 0);
    g_assert_cmpint(apic_acknowledge(fx->apic[0]), ==, 0x40);
    wr(0, APIC_EOI, 0);
    clock_virtual_advance(5000);
    g_assert_false(irr(0, 0x40));           /* once only */

    /* Divide by 16 (TDCR 0011b): 100 counts take 1600 ns. */
    wr(0, APIC_TDCR, 0x03);
    wr(0, APIC_TMICT, 100);
    clock_virtual_advance(800);
    g_assert_cmpuint(rd(0, APIC_TMCCT), ==, 50);
    clock_virtual_advance(799);
    g_assert_false(irr(0, 0x40));
    clock_virtual_advance(1);
    g_assert_true(irr(0, 0x40));
    /* Masked: counts, does not interrupt. */
    g_assert_cmpint(apic_acknowledge(fx->apic[0]), ==, 0x40);
    wr(0, APIC_EOI, 0);
    wr(0, APIC_LVT_TIMER, LVT_MASKED | 0x40);
    wr(0, APIC_TMICT, 100);
    clock_virtual_advance(2000);
    g_assert_false(irr(0, 0x40));
    g_assert_cmpuint(rd(0, APIC_TMCCT), ==, 0);
    /* Writing 0 stops a running count. */
    wr(0, APIC_LVT_TIMER, 0x40);
    wr(0, APIC_TMICT, 100);
    wr(0, APIC_TMICT, 0);
    clock_virtual_advance(5000);
    g_assert_false(irr(0, 0x40));
}

static void test_timer_periodic(void)
{
    int fired = 0;

    setup();
    enable(0);
    wr(0, APIC_TDCR, 0x00);                 /* divide by 2 */
    wr(0, APIC_LVT_TIMER, LVT_PERIODIC | 0x41);
    wr(0, APIC_TMICT, 5000);                /* 10 us period */
    for (int i = 0; i < 10; i++) {
        clock_virtual_advance(2500);
        if (irr(0, 0x41)) {
            fired++;
            g_assert_cmpint(apic_acknowledge(fx->apic[0]), ==, 0x41);
            wr(0, APIC_EOI, 0);
        }
    }
    /* 25 us: two periods, then halfway through the third. */
    g_assert_cmpint(fired, ==, 2);
    g_assert_cmpuint(rd(0, APIC_TMCCT), ==, 2500);
    /* Switching to one-shot mid-period: fires at the end, then stops. */
    wr(0, APIC_LVT_TIMER, 0x41);
    clock_virtual_advance(5000);
    g_assert_true(irr(0, 0x41));
    g_assert_cmpint(apic_acknowledge(fx->apic[0]), ==, 0x41);
    wr(0, APIC_EOI, 0);
    clock_virtual_advance(50000);
    g_assert_false(irr(0, 0x41));
    /* A tiny period does not make the timer fire more than once per us. */
    wr(0, APIC_TDCR, 0x0b);
    wr(0, APIC_LVT_TIMER, LVT_PERIODIC | 0x41);
    wr(0, APIC_TMICT, 1);
    clock_virtual_advance(999);
    g_assert_false(irr(0, 0x41));
    clock_virtual_advance(2);
    g_assert_true(irr(0, 0x41));
    wr(0, APIC_TMICT, 0);
}

static void test_ipi(void)
{
    setup();
    enable(0);
    enable(1);
    /* Physical. */
    wr(0, APIC_ICR_HI, 0x01000000);
    wr(0, APIC_ICR_LO, 0x40);
    g_assert_true(irr(1, 0x40));
    g_assert_false(irr(0, 0x40));
    g_assert_true(fx->cpu[1].intr);
    g_assert_cmphex(rd(0, APIC_ICR_LO) & 0x1000, ==, 0);  /* idle */
    /* Logical, flat model. */
    wr(1, APIC_LDR, 0x02000000);
    wr(0, APIC_LDR, 0x01000000);
    wr(0, APIC_ICR_HI, 0x02000000);
    wr(0, APIC_ICR_LO, ICR_LOGICAL | 0x41);
    g_assert_true(irr(1, 0x41));
    g_assert_false(irr(0, 0x41));
    wr(0, APIC_ICR_HI, 0x03000000);
    wr(0, APIC_ICR_LO, ICR_LOGICAL | 0x42);
    g_assert_true(irr(0, 0x42) && irr(1, 0x42));
    /* Logical, cluster model: cluster 1, member bit 2. */
    wr(0, APIC_DFR, 0x0fffffff);
    wr(1, APIC_DFR, 0x0fffffff);
    wr(1, APIC_LDR, 0x12000000);
    wr(0, APIC_LDR, 0x22000000);
    wr(0, APIC_ICR_HI, 0x1f000000);
    wr(0, APIC_ICR_LO, ICR_LOGICAL | 0x43);
    g_assert_true(irr(1, 0x43));
    g_assert_false(irr(0, 0x43));
    /* Shorthands. */
    wr(0, APIC_ICR_LO, ICR_SELF | 0x44);
    g_assert_true(irr(0, 0x44));
    g_assert_false(irr(1, 0x44));
    wr(0, APIC_ICR_LO, ICR_ALL_EXCL | 0x45);
    g_assert_false(irr(0, 0x45));
    g_assert_true(irr(1, 0x45));
    wr(1, APIC_ICR_LO, ICR_ALL_INCL | 0x46);
    g_assert_true(irr(0, 0x46) && irr(1, 0x46));
    /* Physical broadcast. */
    wr(1, APIC_ICR_HI, 0xff000000);
    wr(1, APIC_ICR_LO, 0x47);
    g_assert_true(irr(0, 0x47) && irr(1, 0x47));
    /* Lowest priority: the lower TPR wins. */
    wr(0, APIC_TPR, 0x30);
    wr(1, APIC_TPR, 0x10);
    wr(0, APIC_ICR_LO, ICR_ALL_INCL | ICR_DM(1) | 0x48);
    g_assert_true(irr(1, 0x48));
    g_assert_false(irr(0, 0x48));
    /* NMI. */
    wr(0, APIC_ICR_HI, 0x01000000);
    wr(0, APIC_ICR_LO, ICR_DM(4));
    g_assert_cmpint(fx->cpu[1].nmi, ==, 1);
    g_assert_cmpint(fx->cpu[0].nmi, ==, 0);
}

static void test_init_sipi(void)
{
    setup();
    enable(0);
    enable(1);
    send_fixed(1, 0x60, false);
    wr(1, APIC_LDR, 0x04000000);
    /* INIT, the way an OS sends it: level, assert; then de-assert. */
    wr(0, APIC_ICR_HI, 0x01000000);
    wr(0, APIC_ICR_LO, ICR_DM(5) | ICR_ASSERT | 0x8000);
    g_assert_cmpint(fx->cpu[1].init, ==, 1);
    wr(0, APIC_ICR_LO, ICR_DM(5) | 0x8000);
    g_assert_cmpint(fx->cpu[1].init, ==, 1);
    /* INIT reset the target APIC (not its ID). */
    g_assert_false(irr(1, 0x60));
    g_assert_cmphex(rd(1, APIC_SVR), ==, 0xff);
    g_assert_cmphex(rd(1, APIC_LDR), ==, 0);
    g_assert_cmphex(rd(1, APIC_ID), ==, 0x01000000);
    g_assert_false(fx->cpu[1].intr);
    /* Start-up with vector 9Ah: the CPU hook gets it. */
    wr(0, APIC_ICR_LO, ICR_DM(6) | ICR_ASSERT | 0x9a);
    g_assert_cmpint(fx->cpu[1].sipi, ==, 1);
    g_assert_cmphex(fx->cpu[1].sipi_vector, ==, 0x9a);
    g_assert_cmpint(fx->cpu[0].sipi, ==, 0);
}

static void test_lint(void)
{
    setup();
    /* Virtual wire: LINT0 ExtINT on the BSP, even software-disabled. */
    apic_set_lint(fx->apic[0], 0, 1);
    apic_set_lint(fx->apic[1], 0, 1);
    g_assert_true(fx->cpu[0].intr);
    g_assert_false(fx->cpu[1].intr);
    g_assert_cmpint(apic_acknowledge(fx->apic[0]), ==, 0x08);
    g_assert_cmpint(fx->extint_acks, ==, 1);
    apic_set_lint(fx->apic[0], 0, 0);
    g_assert_false(fx->cpu[0].intr);
    /* APIC interrupts are taken before the PIC's. */
    enable(0);
    send_fixed(0, 0x70, false);
    apic_set_lint(fx->apic[0], 0, 1);
    g_assert_cmpint(apic_acknowledge(fx->apic[0]), ==, 0x70);
    g_assert_cmpint(apic_acknowledge(fx->apic[0]), ==, 0x08);
    wr(0, APIC_EOI, 0);
    /* Masked: the PIC no longer reaches the CPU. */
    wr(0, APIC_LVT_LINT0, LVT_MASKED | 0x700);
    g_assert_false(fx->cpu[0].intr);
    /* Globally disabled: LINT0 is INTR, LINT1 is NMI. */
    apic_set_global_enable(fx->apic[0], false);
    g_assert_true(fx->cpu[0].intr);
    apic_set_lint(fx->apic[0], 1, 1);
    g_assert_cmpint(fx->cpu[0].nmi, ==, 1);
    apic_set_lint(fx->apic[0], 1, 0);
    apic_set_global_enable(fx->apic[0], true);
    /* LINT1 programmed as NMI: an edge. */
    enable(0);
    wr(0, APIC_LVT_LINT1, 0x400);
    apic_set_lint(fx->apic[0], 1, 1);
    apic_set_lint(fx->apic[0], 1, 1);
    g_assert_cmpint(fx->cpu[0].nmi, ==, 2);
    /* LINT0 in fixed mode raises its vector on the edge. */
    apic_set_lint(fx->apic[0], 0, 0);
    wr(0, APIC_LVT_LINT0, 0x55);
    apic_set_lint(fx->apic[0], 0, 1);
    g_assert_true(irr(0, 0x55));
}

static void test_vmstate(void)
{
    GByteArray *buf = g_byte_array_new();
    Device *d;
    Error *err = NULL;
    size_t pos = 0;

    setup();
    enable(0);
    wr(0, APIC_TPR, 0x20);
    wr(0, APIC_LDR, 0x01000000);
    wr(0, APIC_LVT_TIMER, LVT_PERIODIC | 0x41);
    wr(0, APIC_TDCR, 0x0b);
    wr(0, APIC_TMICT, 10000);
    send_fixed(0, 0x80, true);
    clock_virtual_advance(3000);
    vmstate_save(fx->apic[0]->type->vmsd, fx->apic[0], buf);

    /* Into APIC 1 (a different CPU, same registers). */
    d = fx->apic[1];
    g_assert_true(vmstate_load(d->type->vmsd, d, buf->data, buf->len, &pos,
                               &err));
    g_assert_null(err);
    g_assert_cmpuint(pos, ==, buf->len);
    g_assert_cmphex(rd(1, APIC_TPR), ==, 0x20);
    g_assert_cmphex(rd(1, APIC_LDR), ==, 0x01000000);
    g_assert_true(irr(1, 0x80));
    g_assert_true(fx->cpu[1].intr);
    g_assert_cmpuint(rd(1, APIC_TMCCT), ==, 7000);
    clock_virtual_advance(7000);            /* the timer was re-armed */
    g_assert_true(irr(1, 0x41));

    /* Truncated input fails cleanly. */
    pos = 0;
    g_assert_false(vmstate_load(d->type->vmsd, d, buf->data, 5, &pos,
                                &err));
    g_assert_nonnull(err);
    error_free(err);
    g_byte_array_free(buf, true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/apic/reset-values", test_reset_values);
    g_test_add_func("/apic/registers", test_registers);
    g_test_add_func("/apic/esr", test_esr);
    g_test_add_func("/apic/priority", test_priority);
    g_test_add_func("/apic/eoi-broadcast", test_eoi_broadcast);
    g_test_add_func("/apic/timer-oneshot", test_timer_oneshot);
    g_test_add_func("/apic/timer-periodic", test_timer_periodic);
    g_test_add_func("/apic/ipi", test_ipi);
    g_test_add_func("/apic/init-sipi", test_init_sipi);
    g_test_add_func("/apic/lint", test_lint);
    g_test_add_func("/apic/vmstate", test_vmstate);
    return g_test_run();
}
