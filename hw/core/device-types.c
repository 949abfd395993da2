/*
 * Every device type pcemu knows, in one explicit list: -device help,
 * device_type_find() and the tests read it. Add a type here when you add
 * its file.
 */
#include "hw/core/device.h"

extern const DeviceType i440fx_type;
extern const DeviceType piix3_type;
extern const DeviceType piix3_ide_type;
extern const DeviceType fw_cfg_io_type;
extern const DeviceType piix4_pm_type;
extern const DeviceType isa_serial_type;
extern const DeviceType isa_debugcon_type;
extern const DeviceType isa_debug_exit_type;
extern const DeviceType i8259_type;
extern const DeviceType ioapic_type;
extern const DeviceType apic_type;
extern const DeviceType pit_type;
extern const DeviceType pcspk_type;
extern const DeviceType mc146818rtc_type;
extern const DeviceType i8042_type;
extern const DeviceType ps2_kbd_type;
extern const DeviceType ps2_mouse_type;
extern const DeviceType e1000_type;
extern const DeviceType rtl8139_type;
extern const DeviceType i8237_type;
extern const DeviceType sb16_type;
extern const DeviceType es1370_type;
extern const DeviceType vga_pci_type;
extern const DeviceType cirrus_vga_type;

const DeviceType *const device_types[] = {
    &i440fx_type,
    &piix3_type,
    &piix3_ide_type,
    &fw_cfg_io_type,
    &piix4_pm_type,
    &isa_serial_type,
    &isa_debugcon_type,
    &isa_debug_exit_type,
    &i8259_type,
    &ioapic_type,
    &apic_type,
    &pit_type,
    &pcspk_type,
    &mc146818rtc_type,
    &i8042_type,
    &ps2_kbd_type,
    &ps2_mouse_type,
    &e1000_type,
    &rtl8139_type,
    &i8237_type,
    &sb16_type,
    &es1370_type,
    &vga_pci_type,
    &cirrus_vga_type,
    NULL
};
