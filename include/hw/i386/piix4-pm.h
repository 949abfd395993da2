/*
 * PIIX4 function 3, power management (ACPI): the PCI device "PIIX4_PM"
 * the pc board puts at 00:01.3. See docs/devices/piix4-pm.md.
 */
#ifndef HW_I386_PIIX4_PM_H
#define HW_I386_PIIX4_PM_H

#include "hw/core/device.h"

#define TYPE_PIIX4_PM "PIIX4_PM"

/*
 * The power button was pressed (QMP system_powerdown): sets PWRBTN_STS
 * and raises the SCI if the guest enabled it. pm must be a PIIX4_PM.
 * Main loop thread, BQL held.
 */
void piix4_pm_power_button(Device *pm);

/* The same, in the shape runstate_set_powerdown_handler() takes;
 * opaque is the PIIX4_PM Device. */
void piix4_pm_powerdown_handler(void *opaque);

/*
 * Sets status bit `bit` (0-15) of the GPE0 block and raises the SCI if the
 * guest enabled that event (hotplug controllers use it). BQL held.
 */
void piix4_pm_gpe_set(Device *pm, unsigned bit);

#endif
