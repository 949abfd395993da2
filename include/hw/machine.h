/*
 * The machine: what the command line asked for, the memory and I/O roots,
 * the devices in creation order, the interrupt routing and the vCPUs.
 * hw/i386/pc.c builds the pc machine; devices see a Machine only to map
 * their regions and take their IRQ lines during realize.
 */
#ifndef HW_MACHINE_H
#define HW_MACHINE_H

#include "pcemu/common.h"
#include "hw/irq.h"
#include "softmmu/memory.h"

typedef struct Device Device;
typedef struct Machine Machine;
typedef struct PCIBus PCIBus;
typedef struct FWCfgState FWCfgState;
typedef struct X86CPU X86CPU;
typedef struct AccelOps AccelOps;
typedef struct Chardev Chardev;

#define MACHINE_NR_GSI 24       /* IOAPIC inputs; 0-15 are the ISA IRQs */
#define MACHINE_MAX_CPUS 288

/* What the user asked for (softmmu/vl.c fills it in). */
typedef struct MachineConfig {
    uint64_t ram_size;          /* bytes */
    unsigned smp_cpus;
    unsigned smp_max_cpus;
    const char *bios;           /* -bios, or NULL for the default */
    const char *const *firmware_dirs;   /* -L dirs then defaults */
    bool nographic;
    const char *name;           /* -name */
    const char *boot_order;     /* "cdn" */
    bool no_reboot;
    bool no_shutdown;
    const char *vga;            /* "std", "cirrus", "none"; NULL: std */
} MachineConfig;

struct Machine {
    MachineConfig cfg;
    const AccelOps *accel;

    MemoryRegion *system_memory;    /* root of address_space_memory */
    MemoryRegion *system_io;        /* root of address_space_io */
    MemoryRegion *pci_memory;       /* PCI memory space (BARs, VGA window) */
    MemoryRegion ram;               /* all guest RAM, one block */
    MemoryRegion ram_below_4g, ram_above_4g;   /* aliases into ram */
    uint64_t below_4g_mem_size, above_4g_mem_size;

    PCIBus *pci_bus;
    FWCfgState *fw_cfg;

    /*
     * Interrupt routing. Devices raise gsi[n]; the board sends the level
     * to the userspace PIC and IOAPIC, or to the in-kernel irqchip when
     * the accelerator has one. gsi_level keeps the current input levels
     * (qtest reports them).
     */
    IrqLine gsi[MACHINE_NR_GSI];
    int gsi_level[MACHINE_NR_GSI];
    /* Set by qtest to watch every GSI change. */
    void (*gsi_observer)(int gsi, int level);
    /* The CPU's INTR input (from the master PIC), for the software CPU. */
    IrqLine cpu_intr;
    Device *pic;        /* userspace i8259 pair, or NULL with KVM's */
    Device *ioapic;     /* userspace IOAPIC, or NULL with KVM's */

    Device *devices;    /* in creation order */
    Device *last_device;
    unsigned nr_serial;

    X86CPU **cpus;
    unsigned nr_cpus;
};

/* The line for GSI n (ISA IRQ n for n < 16). n must be < MACHINE_NR_GSI. */
IrqLine machine_gsi(Machine *m, unsigned n);

/* Realizes dev on the machine and appends it to m->devices. On failure
 * the device is freed and errp says why. */
bool machine_add_device(Machine *m, Device *dev, Error **errp);
/* Creates, configures from "key=val,..." (may be NULL) and realizes. */
Device *machine_create_device(Machine *m, const char *type_name,
                              const char *props, Error **errp);
Device *machine_find_device(Machine *m, const char *id_or_path);
/* Resets every device, in creation order. */
void machine_reset_devices(Machine *m);

/* Firmware lookup: the first of firmware_dirs holding name, as a newly
 * allocated path, or NULL. */
char *machine_find_firmware(const Machine *m, const char *name);

/* The one machine of this process (the main loop, monitors and accels
 * reach it here; devices get it as realize's parameter). */
extern Machine *current_machine;

#endif
