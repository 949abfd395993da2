/*
 * The pc machine (i440FX/PIIX3), built from the command line's choices.
 */
#ifndef HW_I386_PC_H
#define HW_I386_PC_H

#include "hw/machine.h"

/* Builds memory, firmware and every on-board device, and the serial
 * ports on the chardevs named by serial_ids (COM1 first). Devices from
 * -device are added by the caller afterwards. The vCPUs are the
 * accelerator's (start_vcpus). Sets current_machine. */
Machine *pc_machine_create(const MachineConfig *cfg, const AccelOps *accel,
                           const char *const *serial_ids, unsigned nr_serial,
                           Error **errp);

#endif
