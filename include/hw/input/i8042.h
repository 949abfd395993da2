/*
 * The Intel 8042 keyboard controller of the PC/AT and PS/2, with a PS/2
 * keyboard and a PS/2 mouse attached: device type "i8042", data port
 * 60h, command/status port 64h, ISA IRQ 1 (keyboard) and IRQ 12 (mouse).
 * The board creates it; it also drives the A20 gate and the CPU reset
 * line through its output port.
 *
 * All functions run under the BQL.
 */
#ifndef HW_INPUT_I8042_H
#define HW_INPUT_I8042_H

#include "hw/core/device.h"
#include "hw/irq.h"

/*
 * The A20 gate output (output port bit 1): the board connects it to
 * whatever masks address line 20. The line is set to the current level
 * at once, then again on every output port write (command D1h, DDh,
 * DFh) and at reset (level 1: A20 enabled). The handler must accept
 * repeated levels.
 */
void i8042_connect_a20(Device *i8042, IrqLine a20);
/* The A20 gate as the output port holds it (true: enabled). */
bool i8042_a20_enabled(Device *i8042);

/* The attached devices, for the host input side (ps2.h):
 * ps2_keyboard_put_keycode(i8042_keyboard(d), ...) and
 * ps2_mouse_event(i8042_mouse(d), ...). */
Device *i8042_keyboard(Device *i8042);
Device *i8042_mouse(Device *i8042);

#endif
