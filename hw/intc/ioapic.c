/*
 * Intel 82093AA I/O Advanced Programmable Interrupt Controller.
 *
 * Source: Intel 82093AA I/O APIC datasheet (order 290566), section 3
 * "Register Description": IOREGSEL and IOWIN (memory-mapped, 3.1),
 * IOAPICID, IOAPICVER, IOAPICARB and IOREDTBL[0:23] (indirect, 3.2).
 * The EOI register at offset 40h of version 20h parts comes from the
 * ICH datasheets' I/O APIC chapter.
 *
 * Emulated: 24 pins with edge and level triggering, masking, remote IRR
 * and the EOI broadcast; ID and arbitration ID; version 11h, or 20h with
 * the directed EOI register. Interrupt messages go to a hook (the local
 * APICs, or nothing), synchronously, so Delivery Status always reads
 * idle.
 *
 * Not emulated: the APIC bus and its arbitration (ARB is stored only);
 * pin polarity (stored and read back, not applied: the board hands us
 * "asserted" levels, as QEMU does, because firmware tables on the pc
 * machine may describe PCI pins either way); the PCI-bus message
 * delivery of later parts.
 */
#include "hw/intc/ioapic.h"
#include "hw/machine.h"
#include "softmmu/memory.h"

/* Memory-mapped registers (offsets in the 4 KiB window) */
#define IOAPIC_IOREGSEL         0x00
#define IOAPIC_IOWIN            0x10
#define IOAPIC_EOI              0x40    /* version 20h only */
#define IOAPIC_MMIO_SIZE        0x1000

/* Indirect registers, selected by IOREGSEL */
#define IOAPIC_REG_ID           0x00
#define IOAPIC_REG_VER          0x01
#define IOAPIC_REG_ARB          0x02
#define IOAPIC_REG_REDTBL       0x10    /* two per pin: low, high */

/* IOAPICID, IOAPICARB: bits 27:24 */
#define IOAPIC_ID_SHIFT         24
#define IOAPIC_ID_MASK          0x0f
/* IOAPICVER: maximum redirection entry in bits 23:16 */
#define IOAPIC_VER_MRE_SHIFT    16

/* IOREDTBL entry */
#define IOAPIC_RTE_VECTOR       0x00000000000000ffULL
#define IOAPIC_RTE_DELMOD_SHIFT 8
#define IOAPIC_RTE_DELMOD       0x0000000000000700ULL
#define IOAPIC_RTE_DESTMOD      0x0000000000000800ULL   /* 1 = logical */
#define IOAPIC_RTE_DELIVS       0x0000000000001000ULL   /* RO */
#define IOAPIC_RTE_INTPOL       0x0000000000002000ULL
#define IOAPIC_RTE_REMOTE_IRR   0x0000000000004000ULL   /* RO */
#define IOAPIC_RTE_TRIGGER      0x0000000000008000ULL   /* 1 = level */
#define IOAPIC_RTE_MASK         0x0000000000010000ULL
#define IOAPIC_RTE_DEST_SHIFT   56
#define IOAPIC_RTE_DEST         0xff00000000000000ULL
#define IOAPIC_RTE_WRITABLE     (IOAPIC_RTE_VECTOR | IOAPIC_RTE_DELMOD | \
                                 IOAPIC_RTE_DESTMOD | IOAPIC_RTE_INTPOL | \
                                 IOAPIC_RTE_TRIGGER | IOAPIC_RTE_MASK | \
                                 IOAPIC_RTE_DEST)

typedef struct IOAPICState {
    Device dev;

    /* guest-visible state */
    uint8_t id;             /* IOAPICID bits 27:24 */
    uint8_t arb;            /* IOAPICARB bits 27:24 */
    uint8_t ioregsel;
    uint32_t pin_level;     /* asserted input pins */
    uint64_t rte[IOAPIC_NUM_PINS];

    /* properties */
    uint8_t version;

    /* wiring */
    IOAPICDeliver *deliver;
    void *deliver_opaque;
    MemoryRegion mmio;
} IOAPICState;

static IOAPICState *ioapic_of(Device *dev)
{
    return container_of(dev, IOAPICState, dev);
}

/* Sends pin's interrupt message. A level-triggered one sets remote IRR
 * until the EOI with its vector comes back. */
static void ioapic_send(IOAPICState *s, int pin)
{
    uint64_t rte = s->rte[pin];
    bool level = rte & IOAPIC_RTE_TRIGGER;

    if (level) {
        s->rte[pin] |= IOAPIC_RTE_REMOTE_IRR;
    }
    if (s->deliver) {
        s->deliver(s->deliver_opaque, rte >> IOAPIC_RTE_DEST_SHIFT,
                   rte & IOAPIC_RTE_VECTOR,
                   (rte & IOAPIC_RTE_DELMOD) >> IOAPIC_RTE_DELMOD_SHIFT,
                   rte & IOAPIC_RTE_DESTMOD, level);
    }
}

/*
 * A level-triggered pin interrupts while it is asserted, unmasked and
 * not waiting for its EOI (82093AA 3.2.4, Remote IRR and Interrupt
 * Mask). Edge-triggered pins are handled at the edge only: an edge on a
 * masked pin is ignored, not held pending.
 */
static void ioapic_service_level(IOAPICState *s, int pin)
{
    uint64_t rte = s->rte[pin];

    if ((rte & IOAPIC_RTE_TRIGGER) && !(rte & IOAPIC_RTE_MASK) &&
        !(rte & IOAPIC_RTE_REMOTE_IRR) && (s->pin_level & (1u << pin))) {
        ioapic_send(s, pin);
    }
}

void ioapic_set_irq(void *opaque, int n, int level)
{
    IOAPICState *s = ioapic_of(opaque);
    uint32_t mask = 1u << n;
    bool was = s->pin_level & mask;

    assert(n >= 0 && n < IOAPIC_NUM_PINS);
    if (level) {
        s->pin_level |= mask;
    } else {
        s->pin_level &= ~mask;
    }
    if (s->rte[n] & IOAPIC_RTE_TRIGGER) {
        ioapic_service_level(s, n);
    } else if (level && !was && !(s->rte[n] & IOAPIC_RTE_MASK)) {
        ioapic_send(s, n);
    }
}

void ioapic_eoi(Device *dev, uint8_t vector)
{
    IOAPICState *s = ioapic_of(dev);

    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t rte = s->rte[pin];
        if ((rte & IOAPIC_RTE_TRIGGER) && (rte & IOAPIC_RTE_REMOTE_IRR) &&
            (rte & IOAPIC_RTE_VECTOR) == vector) {
            s->rte[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
            ioapic_service_level(s, pin);
        }
    }
}

void ioapic_set_deliver(Device *dev, IOAPICDeliver *fn, void *opaque)
{
    IOAPICState *s = ioapic_of(dev);

    s->deliver = fn;
    s->deliver_opaque = opaque;
}

void ioapic_info(Device *dev, GString *out)
{
    IOAPICState *s = ioapic_of(dev);
    static const char *const dm[8] = {
        "fixed", "lowest", "SMI", "res3", "NMI", "INIT", "res6", "ExtINT"
    };

    g_string_append_printf(out, "ioapic0: ver=0x%x id=0x%02x sel=0x%02x "
                           "(%s)\n", s->version, s->id, s->ioregsel,
                           s->deliver ? "delivering" : "no APIC bus");
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        uint64_t e = s->rte[pin];
        g_string_append_printf(out,
            "  pin %-2d 0x%016" PRIx64 " dest=%u vec=%-3u"
            " %s %s %s %s%s%s\n", pin, e,
            (unsigned)(e >> IOAPIC_RTE_DEST_SHIFT),
            (unsigned)(e & IOAPIC_RTE_VECTOR),
            (e & IOAPIC_RTE_INTPOL) ? "active-lo" : "active-hi",
            (e & IOAPIC_RTE_TRIGGER) ? "level" : "edge ",
            dm[(e & IOAPIC_RTE_DELMOD) >> IOAPIC_RTE_DELMOD_SHIFT],
            (e & IOAPIC_RTE_DESTMOD) ? "logical" : "physical",
            (e & IOAPIC_RTE_MASK) ? " (masked)" : "",
            (e & IOAPIC_RTE_REMOTE_IRR) ? " (IRR)" : "");
    }
}

/* --- registers ------------------------------------------------------------ */

static uint32_t ioapic_reg_read(IOAPICState *s, uint8_t reg)
{
    if (reg >= IOAPIC_REG_REDTBL &&
        reg < IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
        int pin = (reg - IOAPIC_REG_REDTBL) >> 1;
        return reg & 1 ? s->rte[pin] >> 32 : (uint32_t)s->rte[pin];
    }
    switch (reg) {
    case IOAPIC_REG_ID:
        return (uint32_t)s->id << IOAPIC_ID_SHIFT;
    case IOAPIC_REG_VER:
        return s->version |
               (uint32_t)(IOAPIC_NUM_PINS - 1) << IOAPIC_VER_MRE_SHIFT;
    case IOAPIC_REG_ARB:
        return (uint32_t)s->arb << IOAPIC_ID_SHIFT;
    default:
        guest_error("ioapic: read of unknown register %02x\n", reg);
        return UINT32_MAX;
    }
}

static void ioapic_rte_write(IOAPICState *s, int pin, bool high,
                             uint32_t val)
{
    uint64_t old = s->rte[pin];
    uint64_t v = high ? (uint64_t)val << 32 | (uint32_t)old
                      : (old & 0xffffffff00000000ULL) | val;

    s->rte[pin] = (old & ~IOAPIC_RTE_WRITABLE) | (v & IOAPIC_RTE_WRITABLE);
    if (!(s->rte[pin] & IOAPIC_RTE_TRIGGER)) {
        /* Remote IRR means nothing for an edge entry; dropping it keeps
         * a later switch back to level from being stuck. */
        s->rte[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
    }
    /* An unmasked level pin that is asserted interrupts now. */
    ioapic_service_level(s, pin);
}

static void ioapic_reg_write(IOAPICState *s, uint8_t reg, uint32_t val)
{
    if (reg >= IOAPIC_REG_REDTBL &&
        reg < IOAPIC_REG_REDTBL + 2 * IOAPIC_NUM_PINS) {
        ioapic_rte_write(s, (reg - IOAPIC_REG_REDTBL) >> 1, reg & 1, val);
        return;
    }
    switch (reg) {
    case IOAPIC_REG_ID:
        /* The arbitration ID is loaded from the ID when it is written
         * (82093AA 3.2.3). */
        s->id = (val >> IOAPIC_ID_SHIFT) & IOAPIC_ID_MASK;
        s->arb = s->id;
        break;
    case IOAPIC_REG_VER:
    case IOAPIC_REG_ARB:
        break;                              /* read-only */
    default:
        guest_error("ioapic: write of unknown register %02x\n", reg);
        break;
    }
}

/*
 * IOREGSEL and IOWIN are 32-bit registers; narrower accesses see or
 * change the addressed bytes of them (a byte write to IOREGSEL is how
 * some guests select a register).
 */
static uint64_t ioapic_mmio_read(void *opaque, uint64_t offset,
                                 unsigned size)
{
    IOAPICState *s = opaque;
    unsigned shift = (offset & 3) * 8;
    uint32_t val;

    switch (offset & ~3ULL) {
    case IOAPIC_IOREGSEL:
        val = s->ioregsel;
        break;
    case IOAPIC_IOWIN:
        val = ioapic_reg_read(s, s->ioregsel);
        break;
    default:
        guest_error("ioapic: read at unknown offset %" PRIx64 "\n", offset);
        return UINT64_MAX;
    }
    val >>= shift;
    return size >= 4 ? val : val & ((1u << (size * 8)) - 1);
}

static void ioapic_mmio_write(void *opaque, uint64_t offset, uint64_t value,
                              unsigned size)
{
    IOAPICState *s = opaque;
    unsigned shift = (offset & 3) * 8;
    uint32_t mask = (size >= 4 ? UINT32_MAX : (1u << (size * 8)) - 1)
                    << shift;
    uint32_t val = (uint32_t)(value << shift) & mask;

    switch (offset & ~3ULL) {
    case IOAPIC_IOREGSEL:
        if (shift == 0) {
            s->ioregsel = val;
        }
        break;
    case IOAPIC_IOWIN:
        if (mask != UINT32_MAX) {
            val |= ioapic_reg_read(s, s->ioregsel) & ~mask;
        }
        ioapic_reg_write(s, s->ioregsel, val);
        break;
    case IOAPIC_EOI:
        if (s->version >= 0x20) {
            ioapic_eoi(DEVICE(s), val >> shift);
            break;
        }
        /* fall through */
    default:
        guest_error("ioapic: write at unknown offset %" PRIx64 "\n",
                    offset);
        break;
    }
}

static const MemoryRegionOps ioapic_mmio_ops = {
    .read = ioapic_mmio_read,
    .write = ioapic_mmio_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 4,
};

/* --- device --------------------------------------------------------------- */

/* RESET: every entry masked (82093AA 3.2.4: mask bit set at reset), ID
 * 0. Pin levels are wires and survive. */
static void ioapic_reset(Device *dev)
{
    IOAPICState *s = ioapic_of(dev);

    s->id = 0;
    s->arb = 0;
    s->ioregsel = 0;
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        s->rte[pin] = IOAPIC_RTE_MASK;
    }
}

static bool ioapic_realize(Device *dev, Machine *m, Error **errp)
{
    IOAPICState *s = ioapic_of(dev);

    if (s->version != 0x11 && s->version != 0x20) {
        error_setg(errp, "ioapic: version 0x%x is not supported "
                   "(use 0x11 or 0x20)", s->version);
        return false;
    }
    memory_region_init_io(&s->mmio, "ioapic", &ioapic_mmio_ops, s,
                          IOAPIC_MMIO_SIZE);
    memory_region_add_subregion(m->system_memory, IOAPIC_DEFAULT_ADDR,
                                &s->mmio, 1);
    return true;
}

static bool ioapic_post_load(void *opaque, int version, Error **errp)
{
    IOAPICState *s = opaque;

    if (s->id > IOAPIC_ID_MASK || s->arb > IOAPIC_ID_MASK ||
        (s->pin_level >> IOAPIC_NUM_PINS)) {
        error_setg(errp, "ioapic: inconsistent state (id %u, arb %u, "
                   "pins %08x)", s->id, s->arb, s->pin_level);
        return false;
    }
    for (int pin = 0; pin < IOAPIC_NUM_PINS; pin++) {
        s->rte[pin] &= IOAPIC_RTE_WRITABLE | IOAPIC_RTE_REMOTE_IRR;
    }
    return true;
}

static const VMStateField ioapic_fields[] = {
    VMSTATE_U8(id, IOAPICState),
    VMSTATE_U8(arb, IOAPICState),
    VMSTATE_U8(ioregsel, IOAPICState),
    VMSTATE_U32(pin_level, IOAPICState),
    VMSTATE_U64_ARRAY(rte, IOAPICState, IOAPIC_NUM_PINS),
    VMSTATE_END
};

static const VMStateDescription vmstate_ioapic = {
    .name = "ioapic",
    .version = 1,
    .min_version = 1,
    .fields = ioapic_fields,
    .post_load = ioapic_post_load,
};

static const Property ioapic_props[] = {
    DEFINE_PROP_U8("version", IOAPICState, version, 0x11,
                   "IOAPICVER version: 0x11 (82093AA) or 0x20 (with EOI "
                   "register)"),
    DEFINE_PROP_END
};

const DeviceType ioapic_type = {
    .name = "ioapic",
    .desc = "Intel 82093AA I/O APIC",
    .bus = BUS_SYSTEM,
    .state_size = sizeof(IOAPICState),
    .user_creatable = false,
    .realize = ioapic_realize,
    .reset = ioapic_reset,
    .props = ioapic_props,
    .vmsd = &vmstate_ioapic,
    .irq_in = ioapic_set_irq,
    .nr_irq_in = IOAPIC_NUM_PINS,
};
