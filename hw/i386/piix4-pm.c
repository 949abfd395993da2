/*
 * Intel 82371AB PIIX4, function 3: power management (ACPI 1.0 fixed
 * hardware), as the pc machine has it at 00:01.3.
 *
 * Follows the "82371AB PCI-TO-ISA / IDE XCELERATOR (PIIX4)" datasheet
 * (function 3 configuration registers; power management I/O registers)
 * and the ACPI 1.0 specification, chapter 4 (fixed hardware: PM1 event
 * and control blocks, PM timer). Where QEMU's PIIX4 model
 * differs from the datasheet in a way guests and firmware depend on (the
 * GPE0 block at 0xafe0, DEVACTB's APMC_EN preset when there is no SMM,
 * ACPI enable through the APM port), this file does what QEMU does and
 * says so.
 *
 * Emulated: PMBA/PMREGMISC mapping of the 64-byte PM I/O block; PMSTS,
 * PMEN, PMCNTRL (SCI_EN, soft-off through SUS_TYP/SUS_EN), the 24-bit
 * 3.579545 MHz PM timer with its overflow status; the GPE0 block; the APM
 * control/status ports 0xb2/0xb3; the power button; the SCI on ISA IRQ 9
 * (level, active high).
 * Not emulated: SMM and SMI# (pcemu has no SMM: APMC writes other than
 * ACPI enable/disable are logged), the SMBus host controller (its config
 * registers are stored, its I/O is not decoded), suspend to RAM (S3),
 * the PIIX4-specific registers past PMTMR (GPSTS, PCNTRL, GLBSTS, DEVSTS,
 * GLBEN, GLBCTL, DEVCTL, GPIREG, GPOREG: logged, read as all-ones), the
 * device monitors and idle timers of DEVACTx/DEVRESx (stored only).
 */
#include "hw/i386/piix4-pm.h"
#include "hw/pci/pci.h"
#include "hw/machine.h"
#include "softmmu/memory.h"
#include "softmmu/runstate.h"
#include "softmmu/timer.h"

/* Identity (datasheet, function 3: VID 8086h, DID 7113h, RID 03h on PIIX4E,
 * class 068000h "other bridge"). */
#define PIIX4_PM_VENDOR_ID      0x8086
#define PIIX4_PM_DEVICE_ID      0x7113
#define PIIX4_PM_REVISION       0x03
#define PIIX4_PM_CLASS          0x068000

/* --- function 3 configuration registers (datasheet) ----------------------- */
#define PIIX4_PMBA              0x40    /* PM base address, 32 bits */
#define  PIIX4_PMBA_RTE             0x00000001  /* resource type: I/O, RO */
#define  PIIX4_PMBA_BASE_MASK       0x0000ffc0  /* 64-byte aligned */
#define PIIX4_DEVACTB           0x58    /* device activity B, 32 bits */
#define  PIIX4_DEVACTB_APMC_EN      (1u << 25)  /* APMC writes raise SMI# */
#define PIIX4_PMREGMISC         0x80
#define  PIIX4_PMREGMISC_PMIOSE     0x01        /* PM I/O space enable */
#define PIIX4_SMBBA             0x90    /* SMBus base address, 32 bits */
#define  PIIX4_SMBBA_RTE            0x00000001
#define  PIIX4_SMBBA_BASE_MASK      0x0000fff0
#define PIIX4_SMBHSTCFG         0xd2
#define  PIIX4_SMBHSTCFG_HST_EN     0x01        /* SMBus host enable */

/* --- PM I/O registers at PMBA (datasheet; ACPI names in comments) -------- */
#define PIIX4_PM_IO_SIZE        64
#define PIIX4_PMSTS             0x00    /* PM1a_STS */
#define  PIIX4_PMSTS_TMROF_STS      (1u << 0)   /* TMR_STS */
#define  PIIX4_PMSTS_BM_STS         (1u << 4)
#define  PIIX4_PMSTS_GBL_STS        (1u << 5)
#define  PIIX4_PMSTS_PWRBTN_STS     (1u << 8)
#define  PIIX4_PMSTS_RTC_STS        (1u << 10)
#define  PIIX4_PMSTS_PWRBTNOR_STS   (1u << 11)
#define  PIIX4_PMSTS_WAK_STS        (1u << 15)
#define  PIIX4_PMSTS_MASK           0x8d31
#define PIIX4_PMEN              0x02    /* PM1a_EN */
#define  PIIX4_PMEN_TMROF_EN        (1u << 0)   /* TMR_EN */
#define  PIIX4_PMEN_GBL_EN          (1u << 5)
#define  PIIX4_PMEN_PWRBTN_EN       (1u << 8)
#define  PIIX4_PMEN_RTC_EN          (1u << 10)
#define  PIIX4_PMEN_MASK            0x0521
#define PIIX4_PMCNTRL           0x04    /* PM1a_CNT */
#define  PIIX4_PMCNTRL_SCI_EN       (1u << 0)
#define  PIIX4_PMCNTRL_BRLD_EN_BM   (1u << 1)   /* BM_RLD */
#define  PIIX4_PMCNTRL_GBL_RLS      (1u << 2)
#define  PIIX4_PMCNTRL_SUS_TYP_SHIFT 10         /* SLP_TYP, bits 12:10 */
#define  PIIX4_PMCNTRL_SUS_TYP      (7u << 10)
#define  PIIX4_PMCNTRL_SUS_EN       (1u << 13)  /* SLP_EN, write-only */
#define  PIIX4_PMCNTRL_MASK         0x1c07
#define PIIX4_PMTMR             0x08    /* PM_TMR, 24 bits, read-only */
#define PIIX4_PMTMR_END         0x0c

/* The sleep types QEMU's DSDT gives for PIIX4: \_S5 = 0, \_S3 = 1,
 * \_S4 = 2. Guests write these into SUS_TYP. */
#define PIIX4_SUS_TYP_S5        0
#define PIIX4_SUS_TYP_S3        1
#define PIIX4_SUS_TYP_S4        2

/* PM1 events that raise the SCI when enabled (ACPI 1.0, PM1 events). */
#define PIIX4_PM_SCI_EVENTS     (PIIX4_PMSTS_TMROF_STS | \
                                 PIIX4_PMSTS_GBL_STS | \
                                 PIIX4_PMSTS_PWRBTN_STS | \
                                 PIIX4_PMSTS_RTC_STS)

/* PM timer: 3.579545 MHz (ACPI 1.0, power management timer); the status
 * sets when bit 23 flips. */
#define PIIX4_PM_TMR_HZ         3579545ULL
#define PIIX4_PM_TMR_MASK       0xffffffULL
#define PIIX4_PM_TMR_HALF       0x800000ULL

/* GPE0 block (QEMU's location, not the PIIX4's GPSTS/GPEN): 2 bytes of
 * status then 2 of enable, GPE0_BLK_LEN = 4 as QEMU's FADT says. */
#define PIIX4_GPE0_LEN          4
#define PIIX4_GPE0_STS          0x00
#define PIIX4_GPE0_EN           0x02

/* APM control and status ports (PIIX4 datasheet: APMC, APMS). */
#define PIIX4_APM_BASE          0xb2
#define PIIX4_APMC              0x00
#define PIIX4_APMS              0x01
/* What QEMU's FADT advertises as ACPI_ENABLE / ACPI_DISABLE. */
#define PIIX4_APMC_ACPI_ENABLE  0xf1
#define PIIX4_APMC_ACPI_DISABLE 0xf0

typedef struct PIIX4PMState {
    PCIDevice pci;

    /* guest-visible state (config space is in pci) */
    uint16_t pmsts;
    uint16_t pmen;
    uint16_t pmcntrl;           /* without SUS_EN, which reads 0 */
    uint64_t tmr_overflow;      /* PM timer count of the next bit-23 flip */
    uint8_t gpe_sts[PIIX4_GPE0_LEN / 2];
    uint8_t gpe_en[PIIX4_GPE0_LEN / 2];
    uint8_t apmc, apms;

    /* wiring */
    uint8_t sci_irq;            /* "sci-irq" property: ISA IRQ */
    uint16_t gpe0_base;         /* "gpe0-base" property: I/O port */
    IrqLine sci;
    Timer *tmr_timer;
    MemoryRegion *io;           /* the PM block, moved by PMBA */
    MemoryRegion *gpe_io;
    MemoryRegion *apm_io;
} PIIX4PMState;

extern const DeviceType piix4_pm_type;

static PIIX4PMState *piix4_pm_from_device(Device *dev)
{
    assert(dev->type == &piix4_pm_type);
    return container_of(dev, PIIX4PMState, pci.dev);
}

/* --- PM timer ------------------------------------------------------------- */

/* Timer counts since virtual time 0; 128 bits: ns * 3.58e6 passes 2^64
 * after 43 minutes. */
static uint64_t piix4_pm_tmr_ticks(int64_t ns)
{
    return (unsigned __int128)ns * PIIX4_PM_TMR_HZ / NANOSECONDS_PER_SECOND;
}

/* The first virtual time at which the count reaches ticks. */
static int64_t piix4_pm_tmr_ns(uint64_t ticks)
{
    unsigned __int128 t = (unsigned __int128)ticks * NANOSECONDS_PER_SECOND;

    t = (t + PIIX4_PM_TMR_HZ - 1) / PIIX4_PM_TMR_HZ;
    return t > INT64_MAX ? INT64_MAX : (int64_t)t;
}

static uint64_t piix4_pm_tmr_next_flip(uint64_t ticks)
{
    return (ticks + PIIX4_PM_TMR_HALF) & ~(PIIX4_PM_TMR_HALF - 1);
}

/*
 * TMROF_STS is set whenever bit 23 of the counter flips, enabled or not.
 * It is derived from the clock when someone looks; the timer only wakes
 * us for the SCI. Returns the current count.
 */
static uint64_t piix4_pm_tmr_sync(PIIX4PMState *s)
{
    uint64_t now = piix4_pm_tmr_ticks(clock_get_ns(CLOCK_VIRTUAL));

    if (now >= s->tmr_overflow) {
        s->pmsts |= PIIX4_PMSTS_TMROF_STS;
        s->tmr_overflow = piix4_pm_tmr_next_flip(now);
    }
    return now;
}

/* --- SCI ------------------------------------------------------------------ */

/*
 * The SCI is a level: any enabled PM1 or GPE0 event with SCI_EN set
 * (ACPI 1.0, PM1_CNT.SCI_EN: when clear, events go to SMI#, which
 * pcemu does not have). Also arms the timer for the next overflow when
 * TMROF_EN wants to hear of it.
 */
static void piix4_pm_update_irq(PIIX4PMState *s)
{
    bool pm1 = s->pmsts & s->pmen & PIIX4_PM_SCI_EVENTS;
    bool gpe = false;
    int level;

    for (unsigned i = 0; i < ARRAY_SIZE(s->gpe_sts); i++) {
        gpe |= s->gpe_sts[i] & s->gpe_en[i];
    }
    level = (s->pmcntrl & PIIX4_PMCNTRL_SCI_EN) && (pm1 || gpe);
    irq_set(s->sci, level);

    if ((s->pmen & PIIX4_PMEN_TMROF_EN) &&
        !(s->pmsts & PIIX4_PMSTS_TMROF_STS)) {
        timer_mod(s->tmr_timer, piix4_pm_tmr_ns(s->tmr_overflow));
    } else {
        timer_del(s->tmr_timer);
    }
}

static void piix4_pm_tmr_cb(void *opaque)
{
    PIIX4PMState *s = opaque;

    piix4_pm_tmr_sync(s);
    piix4_pm_update_irq(s);
}

/* --- PM I/O block --------------------------------------------------------- */

static void piix4_pm_sleep(PIIX4PMState *s, unsigned typ)
{
    switch (typ) {
    case PIIX4_SUS_TYP_S5:
        system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
        break;
    case PIIX4_SUS_TYP_S4:
        /* As QEMU: the guest saved itself, so S4 is a power-off. */
        system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
        break;
    case PIIX4_SUS_TYP_S3:
        unimp_log("piix4-pm: suspend to RAM (S3) ignored");
        break;
    default:
        guest_error("piix4-pm: sleep type %u does not exist", typ);
        break;
    }
}

static void piix4_pm_cntrl_write(PIIX4PMState *s, uint16_t val)
{
    s->pmcntrl = val & PIIX4_PMCNTRL_MASK;
    if (val & PIIX4_PMCNTRL_SUS_EN) {
        piix4_pm_sleep(s, (val & PIIX4_PMCNTRL_SUS_TYP) >>
                       PIIX4_PMCNTRL_SUS_TYP_SHIFT);
    }
}

/*
 * Registers are 16 or 32 bits wide but guests may use any size; accesses
 * are taken byte by byte, with the timer and its status sampled once per
 * access so a 32-bit read of PMTMR is never torn.
 */
static uint64_t piix4_pm_io_read(void *opaque, uint64_t offset, unsigned size)
{
    PIIX4PMState *s = opaque;
    uint16_t old_sts = s->pmsts;
    uint32_t tmr = piix4_pm_tmr_sync(s) & PIIX4_PM_TMR_MASK;
    uint64_t v = 0;
    bool unknown = false;

    /* Guests may read PMTMR as their clock, thousands of times a second:
     * touch the SCI only when the sync set TMROF_STS. */
    if (s->pmsts != old_sts) {
        piix4_pm_update_irq(s);
    }

    for (unsigned i = 0; i < size; i++) {
        uint64_t a = offset + i;
        uint8_t b;

        switch (a) {
        case PIIX4_PMSTS ... PIIX4_PMSTS + 1:
            b = s->pmsts >> (8 * (a - PIIX4_PMSTS));
            break;
        case PIIX4_PMEN ... PIIX4_PMEN + 1:
            b = s->pmen >> (8 * (a - PIIX4_PMEN));
            break;
        case PIIX4_PMCNTRL ... PIIX4_PMCNTRL + 1:
            b = s->pmcntrl >> (8 * (a - PIIX4_PMCNTRL));
            break;
        case PIIX4_PMTMR ... PIIX4_PMTMR_END - 1:
            b = tmr >> (8 * (a - PIIX4_PMTMR));
            break;
        default:
            b = 0xff;
            unknown = true;
            break;
        }
        v |= (uint64_t)b << (8 * i);
    }
    if (unknown) {
        unimp_log("piix4-pm: %u-byte read at PMBA+0x%02" PRIx64,
                  size, offset);
    }
    return v;
}

static void piix4_pm_io_write(void *opaque, uint64_t offset, uint64_t value,
                              unsigned size)
{
    PIIX4PMState *s = opaque;
    uint16_t sts_clear = 0, en = s->pmen, cntrl = s->pmcntrl;
    bool cntrl_written = false, unknown = false, tmr = false;

    for (unsigned i = 0; i < size; i++) {
        uint64_t a = offset + i;
        uint16_t b = (value >> (8 * i)) & 0xff;
        unsigned sh;

        switch (a) {
        case PIIX4_PMSTS ... PIIX4_PMSTS + 1:
            sts_clear |= b << (8 * (a - PIIX4_PMSTS));
            break;
        case PIIX4_PMEN ... PIIX4_PMEN + 1:
            sh = 8 * (a - PIIX4_PMEN);
            en = (en & ~(0xff << sh)) | b << sh;
            break;
        case PIIX4_PMCNTRL ... PIIX4_PMCNTRL + 1:
            sh = 8 * (a - PIIX4_PMCNTRL);
            cntrl = (cntrl & ~(0xff << sh)) | b << sh;
            cntrl_written = true;
            break;
        case PIIX4_PMTMR ... PIIX4_PMTMR_END - 1:
            tmr = true;
            break;
        default:
            unknown = true;
            break;
        }
    }
    if (tmr) {
        guest_error("piix4-pm: PMTMR is read-only");
    }
    if (unknown) {
        unimp_log("piix4-pm: %u-byte write of 0x%" PRIx64
                  " at PMBA+0x%02" PRIx64, size, value, offset);
    }

    /* Status bits are write-1-to-clear; a timer overflow that happened
     * before this write is cleared by it too, as on hardware. */
    piix4_pm_tmr_sync(s);
    s->pmsts &= ~(sts_clear & PIIX4_PMSTS_MASK);
    s->pmen = en & PIIX4_PMEN_MASK;
    if (cntrl_written) {
        piix4_pm_cntrl_write(s, cntrl);
    }
    piix4_pm_update_irq(s);
}

static const MemoryRegionOps piix4_pm_io_ops = {
    .read = piix4_pm_io_read,
    .write = piix4_pm_io_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 4,
};

/* --- GPE0 block ----------------------------------------------------------- */

static uint64_t piix4_pm_gpe_read(void *opaque, uint64_t offset,
                                  unsigned size)
{
    PIIX4PMState *s = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size && offset + i < PIIX4_GPE0_LEN; i++) {
        uint64_t a = offset + i;
        uint8_t b = a < PIIX4_GPE0_EN ? s->gpe_sts[a - PIIX4_GPE0_STS]
                                      : s->gpe_en[a - PIIX4_GPE0_EN];

        v |= (uint64_t)b << (8 * i);
    }
    return v;
}

static void piix4_pm_gpe_write(void *opaque, uint64_t offset, uint64_t value,
                               unsigned size)
{
    PIIX4PMState *s = opaque;

    for (unsigned i = 0; i < size && offset + i < PIIX4_GPE0_LEN; i++) {
        uint64_t a = offset + i;
        uint8_t b = value >> (8 * i);

        if (a < PIIX4_GPE0_EN) {
            s->gpe_sts[a - PIIX4_GPE0_STS] &= ~b;   /* write 1 to clear */
        } else {
            s->gpe_en[a - PIIX4_GPE0_EN] = b;
        }
    }
    piix4_pm_update_irq(s);
}

static const MemoryRegionOps piix4_pm_gpe_ops = {
    .read = piix4_pm_gpe_read,
    .write = piix4_pm_gpe_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 4,
};

/* --- APM ports ------------------------------------------------------------ */

static uint64_t piix4_pm_apm_read(void *opaque, uint64_t offset,
                                  unsigned size)
{
    PIIX4PMState *s = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size && offset + i < 2; i++) {
        v |= (uint64_t)(offset + i == PIIX4_APMC ? s->apmc : s->apms)
             << (8 * i);
    }
    return v;
}

/*
 * On hardware an APMC write raises SMI# (when DEVACTB.APMC_EN) and the
 * SMM handler switches ACPI mode. pcemu has no SMM, so, as QEMU, the
 * ACPI enable/disable commands set or clear SCI_EN here directly.
 */
static void piix4_pm_apmc_write(PIIX4PMState *s, uint8_t val)
{
    uint32_t devactb = s->pci.config[PIIX4_DEVACTB] |
                       s->pci.config[PIIX4_DEVACTB + 1] << 8 |
                       s->pci.config[PIIX4_DEVACTB + 2] << 16 |
                       (uint32_t)s->pci.config[PIIX4_DEVACTB + 3] << 24;

    s->apmc = val;
    if (val == PIIX4_APMC_ACPI_ENABLE) {
        s->pmcntrl |= PIIX4_PMCNTRL_SCI_EN;
    } else if (val == PIIX4_APMC_ACPI_DISABLE) {
        s->pmcntrl &= ~PIIX4_PMCNTRL_SCI_EN;
    } else if (devactb & PIIX4_DEVACTB_APMC_EN) {
        unimp_log("piix4-pm: APM command 0x%02x would raise SMI#",
                  val);
    }
    piix4_pm_update_irq(s);
}

static void piix4_pm_apm_write(void *opaque, uint64_t offset, uint64_t value,
                               unsigned size)
{
    PIIX4PMState *s = opaque;

    for (unsigned i = 0; i < size && offset + i < 2; i++) {
        uint8_t b = value >> (8 * i);

        if (offset + i == PIIX4_APMC) {
            piix4_pm_apmc_write(s, b);
        } else {
            s->apms = b;
        }
    }
}

static const MemoryRegionOps piix4_pm_apm_ops = {
    .read = piix4_pm_apm_read,
    .write = piix4_pm_apm_write,
    .valid_min = 1, .valid_max = 2,
    .impl_min = 1, .impl_max = 2,
};

/* --- configuration space -------------------------------------------------- */

static uint32_t piix4_pm_config_get32(PIIX4PMState *s, unsigned reg)
{
    const uint8_t *c = s->pci.config;

    return c[reg] | c[reg + 1] << 8 | c[reg + 2] << 16 |
           (uint32_t)c[reg + 3] << 24;
}

static void piix4_pm_config_set32(PIIX4PMState *s, unsigned reg, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        s->pci.config[reg + i] = v >> (8 * i);
    }
}

/* PMBA and PMREGMISC.PMIOSE place the PM block. */
static void piix4_pm_io_space_update(PIIX4PMState *s)
{
    uint32_t base = piix4_pm_config_get32(s, PIIX4_PMBA) &
                    PIIX4_PMBA_BASE_MASK;
    bool on = s->pci.config[PIIX4_PMREGMISC] & PIIX4_PMREGMISC_PMIOSE;

    memory_transaction_begin();
    memory_region_set_address(s->io, base);
    memory_region_set_enabled(s->io, on);
    memory_transaction_commit();
}

static bool ranges_overlap(uint32_t a, unsigned alen, uint32_t b,
                           unsigned blen)
{
    return a < b + blen && b < a + alen;
}

/* The core stores the bytes through wmask; then the registers with side
 * effects act. */
static void piix4_pm_config_write(PCIDevice *d, uint32_t addr, uint32_t val,
                                  unsigned len)
{
    PIIX4PMState *s = container_of(d, PIIX4PMState, pci);

    pci_default_config_write(d, addr, val, len);

    if (ranges_overlap(addr, len, PIIX4_PMBA, 4) ||
        ranges_overlap(addr, len, PIIX4_PMREGMISC, 1)) {
        piix4_pm_io_space_update(s);
    }
    if (ranges_overlap(addr, len, PIIX4_SMBHSTCFG, 1) &&
        (d->config[PIIX4_SMBHSTCFG] & PIIX4_SMBHSTCFG_HST_EN)) {
        unimp_log("piix4-pm: SMBus host controller enabled at 0x%04x",
                  piix4_pm_config_get32(s, PIIX4_SMBBA) &
                  PIIX4_SMBBA_BASE_MASK);
    }
}

static const PCIDeviceInfo piix4_pm_info = {
    .vendor_id = PIIX4_PM_VENDOR_ID,
    .device_id = PIIX4_PM_DEVICE_ID,
    .revision = PIIX4_PM_REVISION,
    .class_code = PIIX4_PM_CLASS,
    .config_write = piix4_pm_config_write,
};

/* Writable bits of the function-specific registers. */
static void piix4_pm_init_wmask(PIIX4PMState *s)
{
    uint8_t *w = s->pci.wmask;

    /* The core made 0x40-0xff writable: as QEMU, the registers pcemu
     * only stores (DEVACTx, DEVRESx, ...) take whatever the guest writes;
     * the base address registers have read-only low bits. */
    for (int i = 0; i < 4; i++) {
        w[PIIX4_PMBA + i] = PIIX4_PMBA_BASE_MASK >> (8 * i);
        w[PIIX4_SMBBA + i] = PIIX4_SMBBA_BASE_MASK >> (8 * i);
    }
    w[PIIX4_PMREGMISC] = PIIX4_PMREGMISC_PMIOSE;
}

/* --- device --------------------------------------------------------------- */

static void piix4_pm_reset(Device *dev)
{
    PIIX4PMState *s = piix4_pm_from_device(dev);
    uint8_t *c = s->pci.config;

    pci_device_reset(&s->pci);
    /* Status: fast back-to-back capable, medium DEVSEL timing (RO). */
    c[PCI_STATUS] = 0x80;
    c[PCI_STATUS + 1] = 0x02;
    memset(c + 0x40, 0, PCI_CONFIG_SPACE_SIZE - 0x40);
    piix4_pm_config_set32(s, PIIX4_PMBA, PIIX4_PMBA_RTE);
    piix4_pm_config_set32(s, PIIX4_SMBBA, PIIX4_SMBBA_RTE);
    /*
     * HW (QEMU): APMC_EN preset because there is no SMM. SeaBIOS reads it
     * as "SMM already set up" and skips its SMM relocation handshake,
     * which would wait forever for an SMI that never comes.
     */
    piix4_pm_config_set32(s, PIIX4_DEVACTB, PIIX4_DEVACTB_APMC_EN);
    c[PCI_INTERRUPT_LINE] = s->sci_irq;

    s->pmsts = 0;
    s->pmen = 0;
    s->pmcntrl = 0;
    s->tmr_overflow = piix4_pm_tmr_next_flip(
        piix4_pm_tmr_ticks(clock_get_ns(CLOCK_VIRTUAL)));
    memset(s->gpe_sts, 0, sizeof(s->gpe_sts));
    memset(s->gpe_en, 0, sizeof(s->gpe_en));
    s->apmc = 0;
    s->apms = 0;

    piix4_pm_io_space_update(s);
    piix4_pm_update_irq(s);
}

static bool piix4_pm_realize(Device *dev, Machine *m, Error **errp)
{
    PIIX4PMState *s = piix4_pm_from_device(dev);
    uint8_t *c = s->pci.config;

    if (s->sci_irq >= 16 || s->sci_irq == 2) {
        error_setg(errp, "PIIX4_PM: sci-irq=%u is not a usable ISA IRQ",
                   s->sci_irq);
        return false;
    }
    if (s->gpe0_base > 0x10000 - PIIX4_GPE0_LEN) {
        error_setg(errp, "PIIX4_PM: gpe0-base=0x%x leaves the I/O space",
                   s->gpe0_base);
        return false;
    }

    s->pci.info = &piix4_pm_info;
    if (!pci_device_plug(&s->pci, m->pci_bus, errp)) {
        return false;
    }
    c[PCI_INTERRUPT_PIN] = 1;   /* INTA, never driven: the SCI is IRQ 9 */
    piix4_pm_init_wmask(s);

    s->sci = machine_gsi(m, s->sci_irq);
    s->tmr_timer = timer_new(CLOCK_VIRTUAL, piix4_pm_tmr_cb, s);

    /* Regions are allocated apart so that state copies (snapshot load)
     * never hold a region the tree points into. */
    s->io = g_new0(MemoryRegion, 1);
    s->gpe_io = g_new0(MemoryRegion, 1);
    s->apm_io = g_new0(MemoryRegion, 1);
    memory_region_init_io(s->io, "piix4-pm", &piix4_pm_io_ops, s,
                          PIIX4_PM_IO_SIZE);
    memory_region_init_io(s->gpe_io, "piix4-pm-gpe0", &piix4_pm_gpe_ops, s,
                          PIIX4_GPE0_LEN);
    memory_region_init_io(s->apm_io, "piix4-pm-apm", &piix4_pm_apm_ops, s, 2);
    memory_transaction_begin();
    memory_region_add_subregion(m->system_io, 0, s->io, 0);
    memory_region_set_enabled(s->io, false);
    memory_region_add_subregion(m->system_io, s->gpe0_base, s->gpe_io, 0);
    memory_region_add_subregion(m->system_io, PIIX4_APM_BASE, s->apm_io, 0);
    memory_transaction_commit();
    return true;
}

void piix4_pm_power_button(Device *pm)
{
    PIIX4PMState *s = piix4_pm_from_device(pm);

    /* ACPI fixed power button: the status is set whether enabled or
     * not; PWRBTN_EN only gates the SCI. */
    s->pmsts |= PIIX4_PMSTS_PWRBTN_STS;
    piix4_pm_update_irq(s);
}

void piix4_pm_powerdown_handler(void *opaque)
{
    piix4_pm_power_button(opaque);
}

void piix4_pm_gpe_set(Device *pm, unsigned bit)
{
    PIIX4PMState *s = piix4_pm_from_device(pm);

    assert(bit < 8 * sizeof(s->gpe_sts));
    s->gpe_sts[bit / 8] |= 1u << (bit % 8);
    piix4_pm_update_irq(s);
}

static bool piix4_pm_post_load(void *opaque, int version, Error **errp)
{
    PIIX4PMState *s = opaque;

    if (s->tmr_overflow & (PIIX4_PM_TMR_HALF - 1)) {
        error_setg(errp, "PIIX4_PM: PM timer overflow point 0x%" PRIx64
                   " is not a bit-23 boundary", s->tmr_overflow);
        return false;
    }
    s->pmsts &= PIIX4_PMSTS_MASK;
    s->pmen &= PIIX4_PMEN_MASK;
    s->pmcntrl &= PIIX4_PMCNTRL_MASK;
    piix4_pm_io_space_update(s);
    piix4_pm_update_irq(s);
    return true;
}

static const VMStateField piix4_pm_vmstate_fields[] = {
    VMSTATE_PCI_DEVICE(pci, PIIX4PMState),
    VMSTATE_U16(pmsts, PIIX4PMState),
    VMSTATE_U16(pmen, PIIX4PMState),
    VMSTATE_U16(pmcntrl, PIIX4PMState),
    VMSTATE_U64(tmr_overflow, PIIX4PMState),
    VMSTATE_U8_ARRAY(gpe_sts, PIIX4PMState, PIIX4_GPE0_LEN / 2),
    VMSTATE_U8_ARRAY(gpe_en, PIIX4PMState, PIIX4_GPE0_LEN / 2),
    VMSTATE_U8(apmc, PIIX4PMState),
    VMSTATE_U8(apms, PIIX4PMState),
    VMSTATE_END
};

static const VMStateDescription piix4_pm_vmstate = {
    .name = "piix4_pm",
    .version = 1,
    .min_version = 1,
    .fields = piix4_pm_vmstate_fields,
    .post_load = piix4_pm_post_load,
};

static const Property piix4_pm_props[] = {
    DEFINE_PROP_PCI_ADDR(PIIX4PMState),
    DEFINE_PROP_U8("sci-irq", PIIX4PMState, sci_irq, 9,
                   "ISA IRQ of the SCI"),
    DEFINE_PROP_U16("gpe0-base", PIIX4PMState, gpe0_base, 0xafe0,
                    "I/O port of the GPE0 block"),
    DEFINE_PROP_END
};

const DeviceType piix4_pm_type = {
    .name = TYPE_PIIX4_PM,
    .desc = "Intel 82371AB PIIX4 power management (ACPI)",
    .bus = BUS_PCI,
    .state_size = sizeof(PIIX4PMState),
    .user_creatable = false,
    .realize = piix4_pm_realize,
    .reset = piix4_pm_reset,
    .props = piix4_pm_props,
    .vmsd = &piix4_pm_vmstate,
};
