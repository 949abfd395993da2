/*
 * The local APIC of each software CPU (xAPIC mode): device type "apic",
 * one per CPU, created by the software-CPU accelerator (accel/soft) when
 * the machine has no in-kernel irqchip. Under KVM the kernel has its
 * own and this one is never created.
 *
 * The APICs of a machine share an APICBus: the "APIC bus" of the SDM,
 * on which IPIs and the IOAPIC's interrupt messages travel, and the one
 * 4 KiB MMIO window at FEE00000h. Every CPU sees its own APIC there, so
 * the window dispatches to the APIC of the CPU running on the calling
 * thread (apic_set_current).
 *
 * Towards its CPU an APIC has four outputs, given to the CPU hook: INTR
 * (a level: an interrupt is deliverable, i.e. above the processor
 * priority, or the PIC's ExtINT is pending), NMI, INIT and SIPI (edges;
 * SIPI carries the start-up vector). The CPU takes an interrupt with
 * apic_acknowledge.
 *
 * All functions run under the BQL.
 */
#ifndef HW_INTC_APIC_H
#define HW_INTC_APIC_H

#include "hw/core/device.h"
#include "softmmu/memory.h"

#define APIC_DEFAULT_ADDR       0xfee00000ULL
#define APIC_MMIO_SIZE          0x1000

typedef struct APICBus APICBus;

typedef enum APICSignal {
    APIC_SIG_INTR,      /* value: new level of the INTR output */
    APIC_SIG_NMI,       /* an NMI edge */
    APIC_SIG_INIT,      /* INIT: the CPU resets and (an AP) waits */
    APIC_SIG_SIPI,      /* start-up IPI, value = vector */
} APICSignal;

typedef void APICCpuHook(void *opaque, APICSignal sig, int value);

/*
 * A bus for the machine's APICs; maps the MMIO window into
 * system_memory (may be NULL: no window, as in tests that call the
 * register functions directly). extint_ack is the PIC's INTA cycle
 * (i8259_acknowledge) that a LINT0 ExtINT acknowledge runs; may be NULL.
 */
APICBus *apic_bus_new(MemoryRegion *system_memory,
                      int (*extint_ack)(void *opaque), void *ext_opaque);
void apic_bus_free(APICBus *bus);

/* Before realize: joins dev to bus and connects its CPU outputs. The
 * bus holds up to 255 APICs. */
void apic_attach(Device *apic, APICBus *bus, APICCpuHook *hook,
                 void *opaque);

/* The APIC that MMIO at FEE00000h reaches from this thread (the vCPU
 * the thread runs now); NULL: none (accesses read all-ones). */
void apic_set_current(Device *apic);

/*
 * The CPU's interrupt acknowledge: the highest-priority deliverable
 * vector moves from IRR to ISR and is returned; for a pending LINT0
 * ExtINT the PIC's vector is returned (bus's extint_ack); with nothing
 * deliverable the spurious vector (SVR bits 7:0), as the SDM's
 * "Spurious Interrupt" describes for a request that went away.
 */
int apic_acknowledge(Device *apic);

/* The INTR output's level (what the hook was last told). */
bool apic_intr_pending(Device *apic);

/* The LINT0/LINT1 input pins (0 or 1). The board's PIC output drives
 * LINT0 of every APIC; LINT1 is NMI on the PC. */
void apic_set_lint(Device *apic, int pin, int level);

/* IA32_APIC_BASE bit 11 (the global enable): with it clear, the APIC
 * is off and LINT0/LINT1 reach the CPU as plain INTR and NMI. */
void apic_set_global_enable(Device *apic, bool enabled);

/* CR8 in 64-bit mode is TPR bits 7:4 (SDM "Task Priority in IA-32e
 * Mode"). */
uint8_t apic_get_tpr(Device *apic);
void apic_set_tpr(Device *apic, uint8_t tpr);

/* The IOAPIC's delivery hook (IOAPICDeliver): an interrupt message to
 * the APICs that dest (and logical) select. opaque is the APICBus. */
void apic_bus_deliver(void *opaque, uint32_t dest, uint8_t vector,
                      uint8_t delivery_mode, bool logical, bool level);
/* Where level-triggered EOIs are broadcast (ioapic_eoi on the IOAPIC). */
void apic_bus_set_eoi(APICBus *bus, void (*eoi)(void *opaque, uint8_t vec),
                      void *opaque);

/* Register access as the CPU's MMIO does it: offset in the 4 KiB
 * window, 32-bit. For tests and the monitor. */
uint32_t apic_reg_read(Device *apic, uint32_t offset);
void apic_reg_write(Device *apic, uint32_t offset, uint32_t val);

/* Appends the registers for "info lapic". */
void apic_info(Device *apic, GString *out);

#endif
