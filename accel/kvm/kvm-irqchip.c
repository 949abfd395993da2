/*
 * KVM's in-kernel interrupt controllers and timer: the 8259A pair
 * (ports 0x20-0x21, 0xa0-0xa1, ELCR 0x4d0-0x4d1), the 82093AA IOAPIC
 * (0xfec00000), one local APIC per vCPU (created with it) and the 8254
 * PIT (ports 0x40-0x43, and 0x61 with KVM_PIT_SPEAKER_DUMMY). With them
 * the kernel delivers interrupts without leaving guest mode; the board
 * skips its own models and sends device GSIs here (set_gsi).
 *
 * GSI routing follows the PC's ACPI tables (and QEMU): GSI 0..15 are the
 * ISA IRQs on both 8259s and the IOAPIC, except that ISA IRQ 0 (the PIT)
 * reaches IOAPIC pin 2 (the MADT's interrupt source override 0 -> 2) and
 * GSI 2, the 8259 cascade, reaches nothing; GSI 16..23 are the IOAPIC's
 * PCI pins. The kernel's default table would send IRQ 0 to pin 0, where
 * no OS looks for the timer.
 *
 * Reset puts the chips in their power-on state: 8259 IMR, IRR, ISR 0 and
 * the ELCR 0 (PIIX3 datasheet 4.1.x ELCR1/2 default 00h), every IOAPIC
 * entry masked at base 0xfec00000 with ID 0 (82093AA datasheet 3.2), the
 * PIT counters never programmed (the kernel's own power-on state: mode
 * "none", no timer armed, gates of counters 0 and 1 high).
 *
 * Not emulated: the HPET's legacy replacement mode (the board's HPET
 * would need KVM_PIT_FLAGS_HPET_LEGACY), MSI routing (KVM_SIGNAL_MSI;
 * added with the first MSI-capable device), split irqchip.
 */
#include <sys/ioctl.h>

#include "accel/kvm/kvm-int.h"

#define KVM_IOAPIC_BASE 0xfec00000ULL
#define IOAPIC_REDIR_MASKED (1ULL << 16)

static void kvm_add_route(struct kvm_irq_routing *r, uint32_t gsi,
                          uint32_t chip, uint32_t pin)
{
    struct kvm_irq_routing_entry *e = &r->entries[r->nr++];

    memset(e, 0, sizeof(*e));
    e->gsi = gsi;
    e->type = KVM_IRQ_ROUTING_IRQCHIP;
    e->u.irqchip.irqchip = chip;
    e->u.irqchip.pin = pin;
}

static bool kvm_irqchip_set_routing(Error **errp)
{
    struct kvm_irq_routing *r;
    uint32_t gsi;
    int ret;

    r = g_malloc0(sizeof(*r) + 48 * sizeof(r->entries[0]));
    for (gsi = 0; gsi < 16; gsi++) {
        if (gsi == 2) {
            continue;
        }
        kvm_add_route(r, gsi, gsi < 8 ? KVM_IRQCHIP_PIC_MASTER
                                      : KVM_IRQCHIP_PIC_SLAVE, gsi % 8);
    }
    for (gsi = 0; gsi < KVM_IOAPIC_NUM_PINS; gsi++) {
        if (gsi == 0) {
            kvm_add_route(r, 0, KVM_IRQCHIP_IOAPIC, 2);
        } else if (gsi != 2) {
            kvm_add_route(r, gsi, KVM_IRQCHIP_IOAPIC, gsi);
        }
    }
    ret = kvm_vm_ioctl(KVM_SET_GSI_ROUTING, r);
    g_free(r);
    if (ret < 0) {
        kvm_err_ioctl(errp, "KVM_SET_GSI_ROUTING");
        return false;
    }
    return true;
}

bool kvm_irqchip_create(Error **errp)
{
    struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };

    if (kvm_vm_ioctl(KVM_CREATE_IRQCHIP, NULL) < 0) {
        kvm_err_ioctl(errp, "KVM_CREATE_IRQCHIP");
        return false;
    }
    if (kvm_vm_ioctl(KVM_CREATE_PIT2, &pit) < 0) {
        kvm_err_ioctl(errp, "KVM_CREATE_PIT2");
        return false;
    }
    return kvm_irqchip_set_routing(errp);
}

void kvm_irqchip_set_gsi(int gsi, int level)
{
    struct kvm_irq_level irq = { .irq = gsi, .level = level };

    /* The board only has GSIs 0..23; anything else is our bug. */
    assert(gsi >= 0 && gsi < KVM_IOAPIC_NUM_PINS);
    if (kvm_vm_ioctl(KVM_IRQ_LINE, &irq) < 0) {
        error_report("KVM_IRQ_LINE failed: %s (GSI %d, level %d)",
                     strerror(errno), gsi, level);
    }
}

static void kvm_reset_pic(uint32_t chip_id)
{
    struct kvm_irqchip chip = { .chip_id = chip_id };
    struct kvm_pic_state *pic = &chip.chip.pic;
    uint8_t elcr_mask;

    if (kvm_vm_ioctl(KVM_GET_IRQCHIP, &chip) < 0) {
        error_report("KVM_GET_IRQCHIP failed: %s (PIC %u)",
                     strerror(errno), chip_id);
        return;
    }
    /* Which inputs may be level-triggered is wiring, not state. */
    elcr_mask = pic->elcr_mask;
    memset(pic, 0, sizeof(*pic));
    pic->elcr_mask = elcr_mask;
    if (kvm_vm_ioctl(KVM_SET_IRQCHIP, &chip) < 0) {
        error_report("KVM_SET_IRQCHIP failed: %s (PIC %u)",
                     strerror(errno), chip_id);
    }
}

static void kvm_reset_ioapic(void)
{
    struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };
    struct kvm_ioapic_state *io = &chip.chip.ioapic;
    unsigned i;

    io->base_address = KVM_IOAPIC_BASE;
    for (i = 0; i < KVM_IOAPIC_NUM_PINS; i++) {
        io->redirtbl[i].bits = IOAPIC_REDIR_MASKED;
    }
    if (kvm_vm_ioctl(KVM_SET_IRQCHIP, &chip) < 0) {
        error_report("KVM_SET_IRQCHIP failed: %s (IOAPIC)", strerror(errno));
    }
}

static void kvm_reset_pit(void)
{
    struct kvm_pit_state2 pit;
    unsigned i;

    memset(&pit, 0, sizeof(pit));
    for (i = 0; i < 3; i++) {
        /* 0xff is the kernel's "mode not yet programmed": loading the
         * (zero) count then arms no timer. GATE0/1 are tied high on the
         * PC; GATE2 is port 0x61 bit 0, which resets to 0. */
        pit.channels[i].mode = 0xff;
        pit.channels[i].gate = i != 2;
    }
    if (kvm_vm_ioctl(KVM_SET_PIT2, &pit) < 0) {
        error_report("KVM_SET_PIT2 failed: %s", strerror(errno));
    }
}

/* Errors here are reported but not fatal: a reset request cannot fail,
 * and the kernel refuses these only if our structures are wrong. */
void kvm_irqchip_reset(void)
{
    kvm_reset_pic(KVM_IRQCHIP_PIC_MASTER);
    kvm_reset_pic(KVM_IRQCHIP_PIC_SLAVE);
    kvm_reset_ioapic();
    kvm_reset_pit();
}
