/*
 * The local APIC in xAPIC mode, one per software CPU.
 *
 * Source: Intel 64 and IA-32 Architectures Software Developer's Manual,
 * vol. 3A, chapter "Advanced Programmable Interrupt Controller (APIC)"
 * (chapter 10 in the 2016-2022 editions, 11 in later ones): "Local APIC
 * Register Address Map" (table 10-1), "Local Vector Table", "Error
 * Handling", "APIC Timer", "Issuing Interprocessor Interrupts",
 * "Determining IPI Destination", "Task and Processor Priorities",
 * "Interrupt Acceptance for Fixed Interrupts", "Spurious Interrupt".
 * MP Specification 1.4, 3.6.2.2 "Virtual Wire Mode" for LINT0 ExtINT.
 *
 * Emulated: ID (8 bits), version 14h with six LVT entries (timer,
 * thermal, performance counter, LINT0, LINT1, error), TPR, PPR, EOI with
 * the broadcast of level-triggered vectors to the IOAPIC, LDR and DFR
 * (flat and cluster models), SVR (software enable, spurious vector,
 * focus bit stored), ISR/TMR/IRR, ESR with the write-to-latch protocol,
 * ICR (fixed, lowest priority, NMI, INIT, start-up; no shorthand, self,
 * all including / excluding self; physical and logical destinations),
 * the timer in one-shot and periodic mode with the divide configuration,
 * its current count derived from the virtual clock; LINT0/LINT1 pins in
 * ExtINT, fixed and NMI modes; the global disable of IA32_APIC_BASE.
 *
 * HW: as QEMU and the PC firmware expect, the bootstrap processor's
 * LINT0 comes out of reset in ExtINT mode, unmasked (virtual wire), so
 * the 8259's INTR reaches the CPU before anyone programs the APIC.
 *
 * HW: the timer counts at 1 GHz before the divider (what QEMU uses: the
 * bus clock is not architectural and guests calibrate it). A periodic
 * timer fires at most once per microsecond of virtual time; a faster
 * guest setting only coalesces interrupts, as a busy CPU would.
 *
 * Not emulated: x2APIC; the TSC-deadline timer mode (not advertised, so
 * LVT timer bit 18 is reserved); relocating the window with
 * IA32_APIC_BASE (UNIMPL: the window stays at FEE00000h); SMI delivery;
 * the remote read (RRD); MSI writes into the window; the thermal and
 * performance-counter interrupts (their LVT entries are only storage);
 * focus processor checking (lowest priority picks the lowest TPR).
 */
#include "hw/intc/apic.h"
#include "hw/machine.h"
#include "softmmu/memory.h"
#include "softmmu/timer.h"

/* Register offsets in the 4 KiB window (SDM table 10-1). */
#define APIC_ID         0x020
#define APIC_VERSION    0x030
#define APIC_TPR        0x080
#define APIC_APR        0x090
#define APIC_PPR        0x0a0
#define APIC_EOI        0x0b0
#define APIC_RRD        0x0c0
#define APIC_LDR        0x0d0
#define APIC_DFR        0x0e0
#define APIC_SVR        0x0f0
#define APIC_ISR        0x100   /* eight registers, 16 bytes apart */
#define APIC_TMR        0x180
#define APIC_IRR        0x200
#define APIC_ESR        0x280
#define APIC_ICR_LO     0x300
#define APIC_ICR_HI     0x310
#define APIC_LVT_TIMER  0x320
#define APIC_LVT_THERMAL 0x330
#define APIC_LVT_PERF   0x340
#define APIC_LVT_LINT0  0x350
#define APIC_LVT_LINT1  0x360
#define APIC_LVT_ERROR  0x370
#define APIC_TMICT      0x380   /* initial count */
#define APIC_TMCCT      0x390   /* current count */
#define APIC_TDCR       0x3e0   /* divide configuration */

/* Version register: version 14h (integrated APIC), Max LVT Entry in
 * bits 23:16 is the number of entries minus one. */
#define APIC_VERSION_VALUE      0x14
#define APIC_LVT_NB             6
#define APIC_VER_MAXLVT_SHIFT   16

/* LVT indices, in register order. */
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR };

/* LVT entry bits */
#define APIC_LVT_VECTOR         0x000000ff
#define APIC_LVT_DELMOD         0x00000700
#define APIC_LVT_DELMOD_SHIFT   8
#define APIC_LVT_DELIVS         0x00001000  /* RO, always idle here */
#define APIC_LVT_POLARITY       0x00002000
#define APIC_LVT_REMOTE_IRR     0x00004000  /* RO */
#define APIC_LVT_LEVEL          0x00008000
#define APIC_LVT_MASKED         0x00010000
#define APIC_LVT_TIMER_PERIODIC 0x00020000

/* Writable bits per LVT entry ("Local Vector Table" figure). */
static const uint32_t apic_lvt_writable[APIC_LVT_NB] = {
    [LVT_TIMER]   = APIC_LVT_VECTOR | APIC_LVT_MASKED |
                    APIC_LVT_TIMER_PERIODIC,
    [LVT_THERMAL] = APIC_LVT_VECTOR | APIC_LVT_DELMOD | APIC_LVT_MASKED,
    [LVT_PERF]    = APIC_LVT_VECTOR | APIC_LVT_DELMOD | APIC_LVT_MASKED,
    [LVT_LINT0]   = APIC_LVT_VECTOR | APIC_LVT_DELMOD | APIC_LVT_POLARITY |
                    APIC_LVT_LEVEL | APIC_LVT_MASKED,
    [LVT_LINT1]   = APIC_LVT_VECTOR | APIC_LVT_DELMOD | APIC_LVT_POLARITY |
                    APIC_LVT_LEVEL | APIC_LVT_MASKED,
    [LVT_ERROR]   = APIC_LVT_VECTOR | APIC_LVT_MASKED,
};

/* Delivery modes (ICR and LVT bits 10:8) */
#define APIC_DM_FIXED       0
#define APIC_DM_LOWEST      1
#define APIC_DM_SMI         2
#define APIC_DM_NMI         4
#define APIC_DM_INIT        5
#define APIC_DM_STARTUP     6
#define APIC_DM_EXTINT      7

/* ICR low dword */
#define APIC_ICR_VECTOR     0x000000ff
#define APIC_ICR_DELMOD_SHIFT 8
#define APIC_ICR_LOGICAL    0x00000800
#define APIC_ICR_DELIVS     0x00001000  /* RO: idle, delivery is instant */
#define APIC_ICR_ASSERT     0x00004000
#define APIC_ICR_LEVEL      0x00008000
#define APIC_ICR_SHORT_SHIFT 18
#define APIC_ICR_WRITABLE   0x000ccfff
enum { SHORT_NONE, SHORT_SELF, SHORT_ALL_INCL, SHORT_ALL_EXCL };

/* SVR */
#define APIC_SVR_VECTOR     0x000000ff
#define APIC_SVR_ENABLE     0x00000100
#define APIC_SVR_FOCUS      0x00000200
#define APIC_SVR_WRITABLE   0x000003ff

/* DFR: model in bits 31:28, the rest reads as ones */
#define APIC_DFR_FLAT       0xf
#define APIC_DFR_CLUSTER    0x0

/* ESR bits */
#define APIC_ESR_SEND_ILLEGAL_VECTOR    0x20
#define APIC_ESR_RECV_ILLEGAL_VECTOR    0x40
#define APIC_ESR_ILLEGAL_ADDRESS        0x80

/* TDCR bits 0, 1, 3 */
#define APIC_TDCR_WRITABLE  0x0b

/* A periodic timer fires at most this often (see the header). */
#define APIC_TIMER_MIN_PERIOD_NS 1000

#define APIC_BUS_MAX        255

typedef struct APICState {
    Device dev;

    /* guest-visible state */
    uint8_t id;             /* ID bits 31:24 */
    uint8_t tpr;
    uint8_t ldr;            /* LDR bits 31:24 */
    uint8_t dfr_model;      /* DFR bits 31:28 */
    uint32_t svr;
    uint32_t isr[8], tmr[8], irr[8];
    uint32_t esr;           /* what ESR reads: latched at the last write */
    uint32_t esr_pending;   /* errors since then */
    uint32_t icr_lo, icr_hi;
    uint32_t lvt[APIC_LVT_NB];
    uint32_t initial_count;
    uint8_t tdcr;
    int64_t count_load_ns;  /* virtual time the initial count was set */
    bool oneshot_done;      /* a one-shot count reached 0 */
    uint8_t lint_level;     /* LINT0 bit 0, LINT1 bit 1 */
    bool extint_msg;        /* an ExtINT message waits for INTA */
    bool global_enabled;    /* IA32_APIC_BASE bit 11 */

    /* properties */
    uint8_t apic_id;        /* power-on ID (the CPU's initial APIC ID) */
    bool bsp;

    /* wiring */
    APICBus *bus;
    APICCpuHook *cpu_hook;
    void *cpu_opaque;
    bool intr_out;          /* last INTR level given to the hook */
    Timer *timer;
} APICState;

struct APICBus {
    APICState *apic[APIC_BUS_MAX];
    unsigned nr;
    MemoryRegion mmio;
    bool mapped;
    int (*extint_ack)(void *opaque);
    void *ext_opaque;
    void (*eoi)(void *opaque, uint8_t vector);
    void *eoi_opaque;
};

/*
 * The APIC whose window this thread sees: the CPU a vCPU thread runs
 * now. Per thread because every CPU sees its own APIC at the same
 * address; this is dispatch context, not device state.
 */
static __thread APICState *apic_current;

static APICState *apic_of(Device *dev)
{
    return container_of(dev, APICState, dev);
}

/* --- vectors and priorities ------------------------------------------- */

static void vec_set(uint32_t *r, unsigned v)
{
    r[v >> 5] |= 1u << (v & 31);
}

static void vec_clear(uint32_t *r, unsigned v)
{
    r[v >> 5] &= ~(1u << (v & 31));
}

static bool vec_test(const uint32_t *r, unsigned v)
{
    return r[v >> 5] & (1u << (v & 31));
}

/* Highest set vector of a 256-bit register, or -1. */
static int vec_highest(const uint32_t *r)
{
    for (int i = 7; i >= 0; i--) {
        if (r[i]) {
            return i * 32 + 31 - __builtin_clz(r[i]);
        }
    }
    return -1;
}

/* "Processor Priority Register": the TPR, or the class of the highest
 * in-service vector when that is higher. */
static uint8_t apic_ppr(APICState *s)
{
    int isrv = vec_highest(s->isr);
    uint8_t isr_class = isrv < 0 ? 0 : isrv & 0xf0;

    return (s->tpr & 0xf0) >= isr_class ? s->tpr : isr_class;
}

static bool apic_sw_enabled(APICState *s)
{
    return s->svr & APIC_SVR_ENABLE;
}

/* The highest IRR vector the CPU may take now, or -1: its priority
 * class must be above the PPR's ("Interrupt Acceptance for Fixed
 * Interrupts"). */
static int apic_deliverable(APICState *s)
{
    int v;

    if (!s->global_enabled || !apic_sw_enabled(s)) {
        return -1;
    }
    v = vec_highest(s->irr);
    if (v < 0 || (v & 0xf0) <= (apic_ppr(s) & 0xf0)) {
        return -1;
    }
    return v;
}

/* LINT0 reaches the CPU as an 8259 interrupt: always with the APIC
 * globally off, else when LINT0 is an unmasked ExtINT entry. */
static bool apic_extint_pending(APICState *s)
{
    uint32_t lvt = s->lvt[LVT_LINT0];

    if (s->extint_msg) {
        return true;
    }
    if (!(s->lint_level & 1)) {
        return false;
    }
    return !s->global_enabled ||
           (!(lvt & APIC_LVT_MASKED) &&
            ((lvt & APIC_LVT_DELMOD) >> APIC_LVT_DELMOD_SHIFT) ==
            APIC_DM_EXTINT);
}

/* The one place that drives INTR towards the CPU. */
static void apic_update_irq(APICState *s)
{
    bool level = apic_extint_pending(s) || apic_deliverable(s) >= 0;

    if (level != s->intr_out) {
        s->intr_out = level;
        if (s->cpu_hook) {
            s->cpu_hook(s->cpu_opaque, APIC_SIG_INTR, level);
        }
    }
}

static void apic_signal(APICState *s, APICSignal sig, int value)
{
    if (s->cpu_hook) {
        s->cpu_hook(s->cpu_opaque, sig, value);
    }
}

/* --- errors and acceptance --------------------------------------------- */

static void apic_accept(APICState *s, uint8_t vector, bool level);

/* Records an error; the error LVT interrupts when an error bit becomes
 * set ("Error Handling"). */
static void apic_error(APICState *s, uint32_t bits)
{
    uint32_t lvt = s->lvt[LVT_ERROR];
    bool new = bits & ~s->esr_pending;

    s->esr_pending |= bits;
    if (new && !(lvt & APIC_LVT_MASKED) &&
        (lvt & APIC_LVT_VECTOR) >= 16) {
        apic_accept(s, lvt & APIC_LVT_VECTOR, false);
    }
}

/* A fixed interrupt arrives: IRR, and TMR for a level-triggered one. */
static void apic_accept(APICState *s, uint8_t vector, bool level)
{
    if (vector < 16) {
        apic_error(s, APIC_ESR_RECV_ILLEGAL_VECTOR);
        return;
    }
    vec_set(s->irr, vector);
    if (level) {
        vec_set(s->tmr, vector);
    } else {
        vec_clear(s->tmr, vector);
    }
    apic_update_irq(s);
}

/* --- reset --------------------------------------------------------------- */

/* The state after INIT: everything but the ID ("Local APIC State After
 * It Has Been Software Disabled" / "...After Power-Up Reset"; INIT keeps
 * the APIC ID). */
static void apic_init_reset(APICState *s)
{
    s->tpr = 0;
    s->ldr = 0;
    s->dfr_model = APIC_DFR_FLAT;
    s->svr = 0xff;
    memset(s->isr, 0, sizeof(s->isr));
    memset(s->tmr, 0, sizeof(s->tmr));
    memset(s->irr, 0, sizeof(s->irr));
    s->esr = s->esr_pending = 0;
    s->icr_lo = s->icr_hi = 0;
    for (int i = 0; i < APIC_LVT_NB; i++) {
        s->lvt[i] = APIC_LVT_MASKED;
    }
    s->initial_count = 0;
    s->tdcr = 0;
    s->count_load_ns = 0;
    s->oneshot_done = false;
    s->extint_msg = false;
    if (s->timer) {
        timer_del(s->timer);
    }
}

static void apic_reset(Device *dev)
{
    APICState *s = apic_of(dev);

    apic_init_reset(s);
    s->id = s->apic_id;
    s->global_enabled = true;
    if (s->bsp) {
        /* HW: virtual wire through LINT0 (see the header comment). */
        s->lvt[LVT_LINT0] = APIC_DM_EXTINT << APIC_LVT_DELMOD_SHIFT;
    }
    apic_update_irq(s);
}

/* --- timer --------------------------------------------------------------- */

/* TDCR bits 3,1:0: divide by 2, 4, ... 128, or 1 (1011b). */
static unsigned apic_timer_shift(APICState *s)
{
    unsigned v = ((s->tdcr >> 1) & 4) | (s->tdcr & 3);

    return (v + 1) & 7;
}

static bool apic_timer_periodic(APICState *s)
{
    return s->lvt[LVT_TIMER] & APIC_LVT_TIMER_PERIODIC;
}

/* Ticks since the count was loaded. */
static uint64_t apic_timer_elapsed(APICState *s, int64_t now)
{
    int64_t d = now - s->count_load_ns;

    return d > 0 ? (uint64_t)d >> apic_timer_shift(s) : 0;
}

static uint32_t apic_current_count(APICState *s)
{
    uint64_t e;

    if (!s->initial_count || s->oneshot_done) {
        return 0;
    }
    e = apic_timer_elapsed(s, clock_get_ns(CLOCK_VIRTUAL));
    if (apic_timer_periodic(s)) {
        return s->initial_count - e % s->initial_count;
    }
    return e >= s->initial_count ? 0 : s->initial_count - e;
}

/* Arms the timer for the next time the count reaches zero. */
static void apic_timer_arm(APICState *s)
{
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    unsigned shift = apic_timer_shift(s);
    uint64_t period, n, e;
    int64_t expire;

    if (!s->timer) {
        return;
    }
    if (!s->initial_count || s->oneshot_done) {
        timer_del(s->timer);
        return;
    }
    period = (uint64_t)s->initial_count << shift;
    if (!apic_timer_periodic(s)) {
        timer_mod(s->timer, s->count_load_ns + (int64_t)period);
        return;
    }
    /* The first period boundary after now; for a period shorter than
     * the minimum, the first one at least that far away. */
    e = now > s->count_load_ns ? (uint64_t)(now - s->count_load_ns) : 0;
    if (period < APIC_TIMER_MIN_PERIOD_NS) {
        e += APIC_TIMER_MIN_PERIOD_NS;
    }
    n = e / period + 1;
    expire = s->count_load_ns + (int64_t)(period * n);
    timer_mod(s->timer, expire);
}

static void apic_timer_cb(void *opaque)
{
    APICState *s = opaque;
    uint32_t lvt = s->lvt[LVT_TIMER];

    if (!apic_timer_periodic(s)) {
        s->oneshot_done = true;
    }
    if (!(lvt & APIC_LVT_MASKED)) {
        apic_accept(s, lvt & APIC_LVT_VECTOR, false);
    }
    apic_timer_arm(s);
}

/* --- the APIC bus -------------------------------------------------------- */

/* Does s answer to dest ("Determining IPI Destination")? */
static bool apic_match_dest(APICState *s, uint8_t dest, bool logical)
{
    if (!logical) {
        return dest == 0xff || dest == s->id;
    }
    if (s->dfr_model == APIC_DFR_FLAT) {
        return dest & s->ldr;
    }
    if (s->dfr_model == APIC_DFR_CLUSTER) {
        if (dest == 0xff) {
            return true;
        }
        return (dest >> 4) == (s->ldr >> 4) && (dest & s->ldr & 0xf);
    }
    return false;       /* a reserved model matches nothing */
}

/* One message reaching one APIC. */
static void apic_receive(APICState *s, uint8_t mode, uint8_t vector,
                         bool level)
{
    switch (mode) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:
        apic_accept(s, vector, level);
        break;
    case APIC_DM_NMI:
        apic_signal(s, APIC_SIG_NMI, 0);
        break;
    case APIC_DM_INIT:
        apic_init_reset(s);
        apic_update_irq(s);
        apic_signal(s, APIC_SIG_INIT, 0);
        break;
    case APIC_DM_STARTUP:
        apic_signal(s, APIC_SIG_SIPI, vector);
        break;
    case APIC_DM_EXTINT:
        s->extint_msg = true;
        apic_update_irq(s);
        break;
    default:
        unimp_log("apic: delivery mode %u (SMI or reserved) ignored\n",
                  mode);
        break;
    }
}

/*
 * Sends a message to the APICs in `targets` (a bitmap over bus slots).
 * Lowest priority goes to the one with the lowest TPR, the first on ties
 * (the SDM leaves the choice to the chipset).
 */
static void apic_bus_send(APICBus *bus, const bool *targets, uint8_t mode,
                          uint8_t vector, bool level)
{
    if (mode == APIC_DM_LOWEST) {
        APICState *best = NULL;

        for (unsigned i = 0; i < bus->nr; i++) {
            if (targets[i] &&
                (!best || (bus->apic[i]->tpr & 0xf0) < (best->tpr & 0xf0))) {
                best = bus->apic[i];
            }
        }
        if (best) {
            apic_receive(best, mode, vector, level);
        }
        return;
    }
    for (unsigned i = 0; i < bus->nr; i++) {
        if (targets[i]) {
            apic_receive(bus->apic[i], mode, vector, level);
        }
    }
}

void apic_bus_deliver(void *opaque, uint32_t dest, uint8_t vector,
                      uint8_t delivery_mode, bool logical, bool level)
{
    APICBus *bus = opaque;
    bool targets[APIC_BUS_MAX];

    for (unsigned i = 0; i < bus->nr; i++) {
        targets[i] = apic_match_dest(bus->apic[i], dest & 0xff, logical);
    }
    apic_bus_send(bus, targets, delivery_mode & 7, vector, level);
}

/* The ICR's low dword was written: send the IPI. */
static void apic_send_ipi(APICState *s)
{
    APICBus *bus = s->bus;
    uint8_t vector = s->icr_lo & APIC_ICR_VECTOR;
    uint8_t mode = (s->icr_lo >> APIC_ICR_DELMOD_SHIFT) & 7;
    unsigned shorthand = (s->icr_lo >> APIC_ICR_SHORT_SHIFT) & 3;
    bool logical = s->icr_lo & APIC_ICR_LOGICAL;
    bool level = s->icr_lo & APIC_ICR_LEVEL;
    bool targets[APIC_BUS_MAX];

    if (mode == APIC_DM_INIT && level && !(s->icr_lo & APIC_ICR_ASSERT)) {
        /* INIT level de-assert: only arbitration IDs on P6; nothing on
         * the xAPIC. */
        return;
    }
    if ((mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST) && vector < 16) {
        apic_error(s, APIC_ESR_SEND_ILLEGAL_VECTOR);
        return;
    }
    if (mode == APIC_DM_EXTINT || mode == APIC_DM_SMI || mode == 3) {
        guest_error("apic: IPI with delivery mode %u ignored\n", mode);
        return;
    }
    for (unsigned i = 0; i < bus->nr; i++) {
        APICState *t = bus->apic[i];

        switch (shorthand) {
        case SHORT_NONE:
            targets[i] = apic_match_dest(t, s->icr_hi >> 24, logical);
            break;
        case SHORT_SELF:
            targets[i] = t == s;
            break;
        case SHORT_ALL_INCL:
            targets[i] = true;
            break;
        default:
            targets[i] = t != s;
            break;
        }
    }
    /* IPIs are level-triggered only for INIT; a fixed IPI is an edge. */
    apic_bus_send(bus, targets, mode, vector, false);
}

/* --- CPU side ------------------------------------------------------------ */

int apic_acknowledge(Device *dev)
{
    APICState *s = apic_of(dev);
    int v = apic_deliverable(s);

    if (v >= 0) {
        vec_clear(s->irr, v);
        vec_set(s->isr, v);
        apic_update_irq(s);
        return v;
    }
    if (apic_extint_pending(s)) {
        s->extint_msg = false;
        v = s->bus && s->bus->extint_ack ?
            s->bus->extint_ack(s->bus->ext_opaque) : s->svr & 0xff;
        apic_update_irq(s);
        return v;
    }
    return s->svr & APIC_SVR_VECTOR;
}

bool apic_intr_pending(Device *dev)
{
    return apic_of(dev)->intr_out;
}

void apic_set_lint(Device *dev, int pin, int level)
{
    APICState *s = apic_of(dev);
    uint8_t bit = 1u << (pin & 1);
    bool rising = level && !(s->lint_level & bit);
    uint32_t lvt = s->lvt[pin ? LVT_LINT1 : LVT_LINT0];
    uint8_t mode = (lvt & APIC_LVT_DELMOD) >> APIC_LVT_DELMOD_SHIFT;

    assert(pin == 0 || pin == 1);
    if (level) {
        s->lint_level |= bit;
    } else {
        s->lint_level &= ~bit;
    }
    if (!s->global_enabled) {
        /* The pins are INTR and NMI themselves. */
        if (pin == 1 && rising) {
            apic_signal(s, APIC_SIG_NMI, 0);
        }
        apic_update_irq(s);
        return;
    }
    if (rising && !(lvt & APIC_LVT_MASKED)) {
        switch (mode) {
        case APIC_DM_FIXED:
            /* UNIMPL: level-triggered LINT with remote IRR; an edge
             * raises the vector once. */
            apic_accept(s, lvt & APIC_LVT_VECTOR, false);
            break;
        case APIC_DM_NMI:
            apic_signal(s, APIC_SIG_NMI, 0);
            break;
        case APIC_DM_INIT:
            apic_receive(s, APIC_DM_INIT, 0, false);
            break;
        case APIC_DM_EXTINT:
            break;              /* a level; apic_update_irq follows it */
        default:
            unimp_log("apic: LINT%d delivery mode %u ignored\n", pin,
                      mode);
            break;
        }
    }
    apic_update_irq(s);
}

void apic_set_global_enable(Device *dev, bool enabled)
{
    APICState *s = apic_of(dev);

    if (s->global_enabled == enabled) {
        return;
    }
    s->global_enabled = enabled;
    if (!enabled) {
        /* Disabling it through IA32_APIC_BASE puts it in its power-up
         * state ("Enabling or Disabling the Local APIC"). */
        apic_init_reset(s);
    }
    apic_update_irq(s);
}

uint8_t apic_get_tpr(Device *dev)
{
    return apic_of(dev)->tpr;
}

void apic_set_tpr(Device *dev, uint8_t tpr)
{
    APICState *s = apic_of(dev);

    s->tpr = tpr;
    apic_update_irq(s);
}

/* --- registers ----------------------------------------------------------- */

static void apic_eoi(APICState *s)
{
    int v = vec_highest(s->isr);

    if (v < 0) {
        return;
    }
    vec_clear(s->isr, v);
    if (vec_test(s->tmr, v)) {
        vec_clear(s->tmr, v);
        if (s->bus && s->bus->eoi) {
            s->bus->eoi(s->bus->eoi_opaque, v);
        }
    }
    apic_update_irq(s);
}

uint32_t apic_reg_read(Device *dev, uint32_t offset)
{
    APICState *s = apic_of(dev);
    uint32_t reg = offset & 0xff0;

    if (reg >= APIC_ISR && reg < APIC_ISR + 0x80) {
        return s->isr[(reg - APIC_ISR) >> 4];
    }
    if (reg >= APIC_TMR && reg < APIC_TMR + 0x80) {
        return s->tmr[(reg - APIC_TMR) >> 4];
    }
    if (reg >= APIC_IRR && reg < APIC_IRR + 0x80) {
        return s->irr[(reg - APIC_IRR) >> 4];
    }
    if (reg >= APIC_LVT_TIMER && reg <= APIC_LVT_ERROR) {
        return s->lvt[(reg - APIC_LVT_TIMER) >> 4];
    }
    switch (reg) {
    case APIC_ID:
        return (uint32_t)s->id << 24;
    case APIC_VERSION:
        return APIC_VERSION_VALUE |
               (APIC_LVT_NB - 1) << APIC_VER_MAXLVT_SHIFT;
    case APIC_TPR:
        return s->tpr;
    case APIC_APR:
        return 0;           /* not on the xAPIC; reads as 0 */
    case APIC_PPR:
        return apic_ppr(s);
    case APIC_EOI:
    case APIC_RRD:
        return 0;
    case APIC_LDR:
        return (uint32_t)s->ldr << 24;
    case APIC_DFR:
        return (uint32_t)s->dfr_model << 28 | 0x0fffffff;
    case APIC_SVR:
        return s->svr;
    case APIC_ESR:
        return s->esr;
    case APIC_ICR_LO:
        return s->icr_lo;
    case APIC_ICR_HI:
        return s->icr_hi;
    case APIC_TMICT:
        return s->initial_count;
    case APIC_TMCCT:
        return apic_current_count(s);
    case APIC_TDCR:
        return s->tdcr;
    default:
        guest_error("apic: read of reserved register %03x\n", reg);
        apic_error(s, APIC_ESR_ILLEGAL_ADDRESS);
        return UINT32_MAX;
    }
}

/* Moves the load time so that the current count reads cur now: how a
 * divider or mode change keeps the count where it was. */
static void apic_timer_rebase(APICState *s, uint32_t cur)
{
    uint64_t gone = (uint64_t)(s->initial_count - cur) <<
                    apic_timer_shift(s);

    s->count_load_ns = clock_get_ns(CLOCK_VIRTUAL) - (int64_t)gone;
}

static void apic_lvt_write(APICState *s, unsigned n, uint32_t val)
{
    uint32_t old = s->lvt[n];
    uint32_t cur = n == LVT_TIMER ? apic_current_count(s) : 0;

    s->lvt[n] = (old & ~apic_lvt_writable[n]) |
                (val & apic_lvt_writable[n]);
    if (!apic_sw_enabled(s)) {
        /* "The mask bits ... are set and cannot be cleared" while the
         * APIC is software-disabled. */
        s->lvt[n] |= APIC_LVT_MASKED;
    }
    if (n == LVT_TIMER &&
        ((old ^ s->lvt[n]) & APIC_LVT_TIMER_PERIODIC)) {
        /* A mode change goes on counting from the current count; a
         * one-shot count that ended stays at 0. */
        if (s->initial_count && !s->oneshot_done && cur) {
            apic_timer_rebase(s, cur);
        }
        apic_timer_arm(s);
    }
    if (n == LVT_LINT0 || n == LVT_LINT1) {
        /* ExtINT follows the LINT0 level; unmasking may expose it. */
        apic_update_irq(s);
    }
}

void apic_reg_write(Device *dev, uint32_t offset, uint32_t val)
{
    APICState *s = apic_of(dev);
    uint32_t reg = offset & 0xff0;

    if (reg >= APIC_LVT_TIMER && reg <= APIC_LVT_ERROR) {
        apic_lvt_write(s, (reg - APIC_LVT_TIMER) >> 4, val);
        return;
    }
    if (reg >= APIC_ISR && reg < APIC_IRR + 0x80) {
        return;                 /* ISR, TMR, IRR are read-only */
    }
    switch (reg) {
    case APIC_ID:
        s->id = val >> 24;
        break;
    case APIC_VERSION:
    case APIC_APR:
    case APIC_PPR:
    case APIC_RRD:
    case APIC_TMCCT:
        break;                  /* read-only */
    case APIC_TPR:
        s->tpr = val & 0xff;
        apic_update_irq(s);
        break;
    case APIC_EOI:
        apic_eoi(s);
        break;
    case APIC_LDR:
        s->ldr = val >> 24;
        break;
    case APIC_DFR:
        s->dfr_model = val >> 28;
        break;
    case APIC_SVR:
        s->svr = val & APIC_SVR_WRITABLE;
        if (!apic_sw_enabled(s)) {
            for (int i = 0; i < APIC_LVT_NB; i++) {
                s->lvt[i] |= APIC_LVT_MASKED;
            }
        }
        apic_update_irq(s);
        break;
    case APIC_ESR:
        /* A write latches the errors seen since the last one. */
        s->esr = s->esr_pending;
        s->esr_pending = 0;
        break;
    case APIC_ICR_LO:
        s->icr_lo = val & APIC_ICR_WRITABLE;
        apic_send_ipi(s);
        break;
    case APIC_ICR_HI:
        s->icr_hi = val & 0xff000000;
        break;
    case APIC_TMICT:
        s->initial_count = val;
        s->count_load_ns = clock_get_ns(CLOCK_VIRTUAL);
        s->oneshot_done = false;
        apic_timer_arm(s);
        break;
    case APIC_TDCR: {
        /* The count goes on from where it is, at the new rate. */
        uint32_t cur = apic_current_count(s);

        s->tdcr = val & APIC_TDCR_WRITABLE;
        if (s->initial_count && !s->oneshot_done && cur) {
            apic_timer_rebase(s, cur);
            apic_timer_arm(s);
        }
        break;
    }
    default:
        guest_error("apic: write of reserved register %03x\n", reg);
        apic_error(s, APIC_ESR_ILLEGAL_ADDRESS);
        break;
    }
}

/*
 * The window: registers are 32 bits wide at 16-byte boundaries. The SDM
 * asks for aligned 32-bit accesses; narrower reads see the addressed
 * bytes, narrower or misaligned writes are ignored (logged).
 */
static uint64_t apic_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    APICState *s = apic_current;
    uint32_t val;

    if (!s) {
        guest_error("apic: read at %" PRIx64 " with no CPU\n", offset);
        return UINT64_MAX;
    }
    if ((offset & 0xf) + size > 4) {
        return 0;               /* the reserved 12 bytes of each slot */
    }
    val = apic_reg_read(DEVICE(s), offset) >> ((offset & 3) * 8);
    return size >= 4 ? val : val & ((1u << (size * 8)) - 1);
}

static void apic_mmio_write(void *opaque, uint64_t offset, uint64_t value,
                            unsigned size)
{
    APICState *s = apic_current;

    if (!s) {
        guest_error("apic: write at %" PRIx64 " with no CPU\n", offset);
        return;
    }
    if (size != 4 || (offset & 0xf)) {
        guest_error("apic: %u-byte write at %" PRIx64 " ignored\n", size,
                    offset);
        return;
    }
    apic_reg_write(DEVICE(s), offset, value);
}

static const MemoryRegionOps apic_mmio_ops = {
    .read = apic_mmio_read,
    .write = apic_mmio_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 4,
};

void apic_set_current(Device *dev)
{
    apic_current = dev ? apic_of(dev) : NULL;
}

APICBus *apic_bus_new(MemoryRegion *system_memory,
                      int (*extint_ack)(void *opaque), void *ext_opaque)
{
    APICBus *bus = g_new0(APICBus, 1);

    bus->extint_ack = extint_ack;
    bus->ext_opaque = ext_opaque;
    memory_region_init_io(&bus->mmio, "apic", &apic_mmio_ops, bus,
                          APIC_MMIO_SIZE);
    if (system_memory) {
        /* Above the PCI window: the CPU sees its APIC first. */
        memory_region_add_subregion(system_memory, APIC_DEFAULT_ADDR,
                                    &bus->mmio, 2);
        bus->mapped = true;
    }
    return bus;
}

void apic_bus_free(APICBus *bus)
{
    /* The region stays mapped until the machine goes away, like every
     * device region; the APICs are the machine's. */
    (void)bus;
}

void apic_bus_set_eoi(APICBus *bus, void (*eoi)(void *opaque, uint8_t vec),
                      void *opaque)
{
    bus->eoi = eoi;
    bus->eoi_opaque = opaque;
}

void apic_attach(Device *dev, APICBus *bus, APICCpuHook *hook, void *opaque)
{
    APICState *s = apic_of(dev);

    s->bus = bus;
    s->cpu_hook = hook;
    s->cpu_opaque = opaque;
}

void apic_info(Device *dev, GString *out)
{
    APICState *s = apic_of(dev);
    static const char *const names[APIC_LVT_NB] = {
        "timer", "thermal", "perf", "LINT0", "LINT1", "error"
    };

    g_string_append_printf(out, "apic%u: id=%u %s%s tpr=%02x ppr=%02x "
                           "svr=%03x ldr=%02x dfr=%x esr=%02x "
                           "icr=%08x:%08x\n", s->apic_id, s->id,
                           s->global_enabled ? "" : "(globally off) ",
                           apic_sw_enabled(s) ? "enabled" : "sw-disabled",
                           s->tpr, apic_ppr(s), s->svr, s->ldr,
                           s->dfr_model, s->esr, s->icr_hi, s->icr_lo);
    for (int i = 0; i < APIC_LVT_NB; i++) {
        g_string_append_printf(out, "  LVT %-7s %08x\n", names[i],
                               s->lvt[i]);
    }
    g_string_append(out, "  IRR");
    for (int i = 7; i >= 0; i--) {
        g_string_append_printf(out, " %08x", s->irr[i]);
    }
    g_string_append(out, "\n  ISR");
    for (int i = 7; i >= 0; i--) {
        g_string_append_printf(out, " %08x", s->isr[i]);
    }
    g_string_append_printf(out, "\n  timer initial=%u current=%u "
                           "divide-shift=%u %s\n", s->initial_count,
                           apic_current_count(s), apic_timer_shift(s),
                           apic_timer_periodic(s) ? "periodic" :
                           "one-shot");
}

/* --- device --------------------------------------------------------------- */

static bool apic_realize(Device *dev, Machine *m, Error **errp)
{
    APICState *s = apic_of(dev);

    if (!s->bus) {
        error_setg(errp, "apic: created by the software CPU only (no APIC "
                   "bus)");
        return false;
    }
    if (s->bus->nr >= APIC_BUS_MAX) {
        error_setg(errp, "apic: at most %d local APICs", APIC_BUS_MAX);
        return false;
    }
    for (unsigned i = 0; i < s->bus->nr; i++) {
        if (s->bus->apic[i]->apic_id == s->apic_id) {
            error_setg(errp, "apic: APIC ID %u is used twice", s->apic_id);
            return false;
        }
    }
    s->timer = timer_new(CLOCK_VIRTUAL, apic_timer_cb, s);
    s->bus->apic[s->bus->nr++] = s;
    return true;
}

static bool apic_post_load(void *opaque, int version, Error **errp)
{
    APICState *s = opaque;

    if (s->tdcr & ~APIC_TDCR_WRITABLE || s->lint_level > 3) {
        error_setg(errp, "apic: inconsistent state (tdcr %x, lint %x)",
                   s->tdcr, s->lint_level);
        return false;
    }
    for (int i = 0; i < APIC_LVT_NB; i++) {
        s->lvt[i] &= apic_lvt_writable[i];
    }
    s->svr &= APIC_SVR_WRITABLE;
    s->icr_lo &= APIC_ICR_WRITABLE;
    s->icr_hi &= 0xff000000;
    s->intr_out = !apic_extint_pending(s) && apic_deliverable(s) < 0;
    apic_update_irq(s);             /* forces the hook with the level */
    apic_timer_arm(s);
    return true;
}

static const VMStateField apic_fields[] = {
    VMSTATE_U8(id, APICState),
    VMSTATE_U8(tpr, APICState),
    VMSTATE_U8(ldr, APICState),
    VMSTATE_U8(dfr_model, APICState),
    VMSTATE_U32(svr, APICState),
    VMSTATE_U32_ARRAY(isr, APICState, 8),
    VMSTATE_U32_ARRAY(tmr, APICState, 8),
    VMSTATE_U32_ARRAY(irr, APICState, 8),
    VMSTATE_U32(esr, APICState),
    VMSTATE_U32(esr_pending, APICState),
    VMSTATE_U32(icr_lo, APICState),
    VMSTATE_U32(icr_hi, APICState),
    VMSTATE_U32_ARRAY(lvt, APICState, APIC_LVT_NB),
    VMSTATE_U32(initial_count, APICState),
    VMSTATE_U8(tdcr, APICState),
    VMSTATE_I64(count_load_ns, APICState),
    VMSTATE_BOOL(oneshot_done, APICState),
    VMSTATE_U8(lint_level, APICState),
    VMSTATE_BOOL(extint_msg, APICState),
    VMSTATE_BOOL(global_enabled, APICState),
    VMSTATE_END
};

static const VMStateDescription vmstate_apic = {
    .name = "apic",
    .version = 1,
    .min_version = 1,
    .fields = apic_fields,
    .post_load = apic_post_load,
};

static const Property apic_props[] = {
    DEFINE_PROP_U8("id", APICState, apic_id, 0,
                   "initial APIC ID (the CPU's)"),
    DEFINE_PROP_BOOL("bsp", APICState, bsp, false,
                     "bootstrap processor's APIC (LINT0 virtual wire)"),
    DEFINE_PROP_END
};

const DeviceType apic_type = {
    .name = "apic",
    .desc = "local APIC (xAPIC) of a software CPU",
    .bus = BUS_SYSTEM,
    .state_size = sizeof(APICState),
    .user_creatable = false,
    .realize = apic_realize,
    .reset = apic_reset,
    .props = apic_props,
    .vmsd = &vmstate_apic,
};
