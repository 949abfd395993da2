/*
 * The PC/AT's pair of Intel 8259A interrupt controllers (master at
 * 20h-21h, slave at A0h-A1h on master IR2) with the PIIX3's edge/level
 * control registers at 4D0h-4D1h: device type "i8259", created by the
 * board when no in-kernel irqchip is used.
 *
 * Its inputs are the ISA IRQs 0-15 (the type's irq_in lines, or
 * i8259_set_irq); IRQ 2 is the internal cascade and is ignored as an
 * input. Its output, the CPU's INTR, goes to Machine.cpu_intr, read at
 * every change (so the CPU may set it after the PIC was created; it then
 * asks i8259_intr_pending() for the current level).
 *
 * All functions run under the BQL; they may be called from a vCPU thread
 * holding it.
 */
#ifndef HW_INTC_I8259_H
#define HW_INTC_I8259_H

#include "hw/core/device.h"

/* Sets ISA IRQ n (0-15) to level (0 or 1). opaque is the i8259 Device;
 * an IrqHandler, so the board can wire it as a line. */
void i8259_set_irq(void *opaque, int n, int level);

/*
 * The CPU's interrupt acknowledge cycle (two INTA pulses): returns the
 * vector (0-255) the PIC pair puts on the bus and moves the request from
 * IRR to ISR (unless auto-EOI). With no request pending it answers the
 * spurious IRQ 7 (or 15) vector without setting an ISR bit, as the 8259A
 * does. INTR is re-evaluated afterwards.
 */
int i8259_acknowledge(Device *pic);

/* The level of INTR: true if the master would interrupt the CPU now. */
bool i8259_intr_pending(Device *pic);

/* Appends a human-readable dump (IRR, ISR, IMR, ELCR, base) for
 * "info pic". */
void i8259_info(Device *pic, GString *out);

#endif
