/*
 * The i440FX host bridge (82441FX PMC) and the PIIX3 ISA bridge: the
 * board creates them first, after the PCI bus.
 */
#ifndef HW_PCI_I440FX_H
#define HW_PCI_I440FX_H

#include "hw/pci/pci.h"
#include "softmmu/runstate.h"

typedef struct I440FXState I440FXState;

extern const DeviceType i440fx_type;
extern const DeviceType piix3_type;

/* PIRQ A-D (0-3) input levels, as the PCI bus ORs its devices' INTx;
 * the PIIX3 routes each to the ISA IRQ its PIRQRC register names. */
void piix3_set_pirq(Device *piix3, int pirq, int level);
/* The i440FX board's swizzle: slot s, pin p (0 = INTA) -> PIRQ. */
int piix3_map_irq(PCIDevice *d, int pin);
/* A20 as the PIIX3's port 92h drives it (1 = enabled). */
bool piix3_a20_enabled(Device *piix3);

#endif
