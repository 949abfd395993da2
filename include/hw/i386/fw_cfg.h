/*
 * QEMU's firmware configuration interface (fw_cfg), which SeaBIOS reads:
 * selector port 0x510 (16-bit), data port 0x511, DMA address at 0x514
 * (64-bit big-endian). See docs/devices/fw_cfg.md for the layout.
 */
#ifndef HW_I386_FW_CFG_H
#define HW_I386_FW_CFG_H

#include "pcemu/common.h"

typedef struct FWCfgState FWCfgState;
typedef struct Machine Machine;

/* Well-known item keys (QEMU's docs/specs/fw_cfg.rst). */
enum {
    FW_CFG_SIGNATURE    = 0x00,
    FW_CFG_ID           = 0x01,
    FW_CFG_UUID         = 0x02,
    FW_CFG_RAM_SIZE     = 0x03,
    FW_CFG_NOGRAPHIC    = 0x04,
    FW_CFG_NB_CPUS      = 0x05,
    FW_CFG_MACHINE_ID   = 0x06,
    FW_CFG_KERNEL_ADDR  = 0x07,
    FW_CFG_KERNEL_SIZE  = 0x08,
    FW_CFG_KERNEL_CMDLINE = 0x09,
    FW_CFG_INITRD_ADDR  = 0x0a,
    FW_CFG_INITRD_SIZE  = 0x0b,
    FW_CFG_BOOT_DEVICE  = 0x0c,
    FW_CFG_NUMA         = 0x0d,
    FW_CFG_BOOT_MENU    = 0x0e,
    FW_CFG_MAX_CPUS     = 0x0f,
    FW_CFG_KERNEL_ENTRY = 0x10,
    FW_CFG_KERNEL_DATA  = 0x11,
    FW_CFG_INITRD_DATA  = 0x12,
    FW_CFG_CMDLINE_ADDR = 0x13,
    FW_CFG_CMDLINE_SIZE = 0x14,
    FW_CFG_CMDLINE_DATA = 0x15,
    FW_CFG_SETUP_ADDR   = 0x16,
    FW_CFG_SETUP_SIZE   = 0x17,
    FW_CFG_SETUP_DATA   = 0x18,
    FW_CFG_FILE_DIR     = 0x19,
    FW_CFG_FILE_FIRST   = 0x20,
    FW_CFG_ARCH_LOCAL   = 0x8000,
    FW_CFG_ACPI_TABLES  = 0x8000,
    FW_CFG_SMBIOS_ENTRIES = 0x8001,
    FW_CFG_IRQ0_OVERRIDE = 0x8002,
    FW_CFG_E820_TABLE   = 0x8003,
    FW_CFG_HPET         = 0x8004,
};

#define FW_CFG_IO_BASE 0x510
#define FW_CFG_DMA_IO_BASE 0x514
#define FW_CFG_MAX_FILE_PATH 56

/* Creates the device and maps its ports on m's I/O space. */
FWCfgState *fw_cfg_init_io(Machine *m);

/* Items. The data is copied. Adding an existing key replaces it. */
void fw_cfg_add_bytes(FWCfgState *s, uint16_t key, const void *data,
                      uint32_t len);
void fw_cfg_add_i16(FWCfgState *s, uint16_t key, uint16_t value);
void fw_cfg_add_i32(FWCfgState *s, uint16_t key, uint32_t value);
void fw_cfg_add_i64(FWCfgState *s, uint16_t key, uint64_t value);
void fw_cfg_add_string(FWCfgState *s, uint16_t key, const char *str);
/* Named files (listed in FW_CFG_FILE_DIR, sorted by name as QEMU does).
 * Adding an existing name replaces its data. */
void fw_cfg_add_file(FWCfgState *s, const char *name, const void *data,
                     uint32_t len);

#endif
