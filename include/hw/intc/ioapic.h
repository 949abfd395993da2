/*
 * The Intel 82093AA I/O APIC at FEC00000h: device type "ioapic", 24
 * input pins (the GSIs), version 11h (20h with the "version" property,
 * which adds the EOI register at offset 40h).
 *
 * Inputs: ioapic_set_irq, or the type's irq_in lines; pin n is GSI n
 * (the board sends ISA IRQ 0 to pin 2, as the MADT's interrupt source
 * override says). Levels are "asserted" (1) or not: the board has
 * already folded in the wire's polarity, so the RTE polarity bit is
 * stored but does not invert (as in QEMU).
 *
 * Output: interrupt messages go to the delivery hook that the board (and
 * later the local APICs) installs; the local APICs call ioapic_eoi for
 * the EOI broadcast of level-triggered vectors.
 *
 * All functions run under the BQL.
 */
#ifndef HW_INTC_IOAPIC_H
#define HW_INTC_IOAPIC_H

#include "hw/core/device.h"

#define IOAPIC_DEFAULT_ADDR     0xfec00000ULL
#define IOAPIC_NUM_PINS         24

/* Delivery modes of a redirection entry (82093AA, IOREDTBL bits 10:8). */
enum {
    IOAPIC_DM_FIXED = 0,
    IOAPIC_DM_LOWEST_PRIO = 1,
    IOAPIC_DM_SMI = 2,
    IOAPIC_DM_NMI = 4,
    IOAPIC_DM_INIT = 5,
    IOAPIC_DM_EXTINT = 7,
};

/*
 * One interrupt message: dest is the RTE's destination field (bits
 * 63:56; an APIC ID in physical mode, a logical mask when logical),
 * vector the RTE's vector (meaningless for NMI/INIT/ExtINT),
 * delivery_mode one of IOAPIC_DM_*, level true for a level-triggered
 * entry (the receiver must then EOI it through ioapic_eoi).
 */
typedef void IOAPICDeliver(void *opaque, uint32_t dest, uint8_t vector,
                           uint8_t delivery_mode, bool logical, bool level);

/* Installs the hook (NULL: messages are dropped, as with no APIC bus;
 * remote IRR still latches so EOI semantics stay observable). */
void ioapic_set_deliver(Device *ioapic, IOAPICDeliver *fn, void *opaque);

/* Sets input pin n (0-23) to level. opaque is the ioapic Device. */
void ioapic_set_irq(void *opaque, int n, int level);

/* EOI broadcast from a local APIC: clears remote IRR of every
 * level-triggered entry with this vector and re-delivers those whose
 * input is still asserted. */
void ioapic_eoi(Device *ioapic, uint8_t vector);

/* Appends the ID and redirection table for "info ioapic". */
void ioapic_info(Device *ioapic, GString *out);

#endif
