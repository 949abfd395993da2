/*
 * The pc machine: an i440FX/PIIX3 PC, as QEMU's "pc" (pc-i440fx) machine
 * presents it to firmware and guests. This file is the only place that
 * knows which devices exist, at which ports, on which IRQs; pc_devices
 * below reads like the board's block diagram.
 *
 * Memory map (guest physical):
 *   0 - below_4g           RAM ("ram-below-4g"), with the holes below
 *   0A0000h - 0BFFFFh      VGA window (PCI), RAM when SMRAM D_OPEN
 *   0C0000h - 0FFFFFh      PAM-controlled: RAM, or the ROMs in PCI space
 *                          (the BIOS's last 128 KiB appear at 0E0000h)
 *   below_4g - 4 GiB       PCI hole: BARs, IOAPIC FEC00000h, LAPIC
 *                          FEE00000h, BIOS ROM at 4 GiB - size
 *   4 GiB - ...            the rest of RAM ("ram-above-4g")
 * below_4g is all of RAM up to 3.5 GiB (0xe0000000, as QEMU's pc); with
 * 3.5 GiB or more, 3 GiB below and the rest above 4 GiB.
 */
#include "hw/i386/pc.h"
#include "accel/accel.h"
#include "chardev/char.h"
#include "hw/core/device.h"
#include "hw/i386/fw_cfg.h"
#include "hw/i386/piix4-pm.h"
#include "hw/pci/i440fx.h"
#include "hw/timer/mc146818rtc.h"
#include "softmmu/runstate.h"
#include "target/i386/cpu.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define PC_LOWMEM_LIMIT         0xe0000000ULL
#define PC_LOWMEM_LIMIT_BIG     0xc0000000ULL
#define PC_BIOS_MAX_SIZE        (16 * MiB)
#define PC_ISA_BIOS_MAX_SIZE    (128 * KiB)
#define PC_KVM_IDENTITY_MAP     0xfeffc000ULL   /* reserved for KVM */

typedef struct PCMachine {
    Machine m;
    MemoryRegion system_memory, system_io, pci_memory;
    MemoryRegion bios, isa_bios;
    Device *piix3;
    Device *pm;
    Device *rtc;
} PCMachine;

/*
 * GSI routing: the level goes to the in-kernel irqchip, or to our PIC
 * (ISA IRQs) and IOAPIC. HW: ISA IRQ 0 (the PIT) is wired to IOAPIC pin 2
 * and the PIC's IRQ 2 is the cascade, as the MP/ACPI tables that SeaBIOS
 * builds from fw_cfg's irq0-override say.
 */
static void pc_gsi_handler(void *opaque, int n, int level)
{
    Machine *m = opaque;

    m->gsi_level[n] = level;
    if (m->gsi_observer) {
        m->gsi_observer(n, level);
    }
    if (m->accel->irqchip_in_kernel && m->accel->irqchip_in_kernel()) {
        m->accel->set_gsi(n, level);
        return;
    }
    if (n < 16 && m->pic) {
        irq_set(device_irq_in(m->pic, n), level);
    }
    if (m->ioapic && n != 2) {
        irq_set(device_irq_in(m->ioapic, n == 0 ? 2 : n), level);
    }
}

static void pc_set_pirq(void *opaque, int pirq, int level)
{
    PCMachine *pc = opaque;

    piix3_set_pirq(pc->piix3, pirq, level);
}

/* --- memory ---------------------------------------------------------------- */

static bool pc_memory_init(PCMachine *pc, Error **errp)
{
    Machine *m = &pc->m;
    uint64_t ram = m->cfg.ram_size;
    uint64_t lowmem = ram >= PC_LOWMEM_LIMIT ? PC_LOWMEM_LIMIT_BIG
                                             : PC_LOWMEM_LIMIT;

    memory_region_init_container(&pc->system_memory, "system", UINT64_MAX);
    memory_region_init_container(&pc->system_io, "io", 0x10000);
    memory_region_init_container(&pc->pci_memory, "pci", UINT64_MAX);
    m->system_memory = &pc->system_memory;
    m->system_io = &pc->system_io;
    m->pci_memory = &pc->pci_memory;

    if (!memory_region_init_ram(&m->ram, "pc.ram", ram, errp)) {
        return false;
    }
    m->below_4g_mem_size = MIN(ram, lowmem);
    m->above_4g_mem_size = ram - m->below_4g_mem_size;
    memory_region_init_alias(&m->ram_below_4g, "ram-below-4g", &m->ram, 0,
                             m->below_4g_mem_size);
    memory_region_add_subregion(m->system_memory, 0, &m->ram_below_4g, 0);
    if (m->above_4g_mem_size) {
        memory_region_init_alias(&m->ram_above_4g, "ram-above-4g", &m->ram,
                                 m->below_4g_mem_size, m->above_4g_mem_size);
        memory_region_add_subregion(m->system_memory, 4 * GiB,
                                    &m->ram_above_4g, 0);
    }
    /* Whatever RAM and the chipset do not claim is PCI space, where an
     * access no device claims master-aborts: the VGA window and PAM
     * segments routed to PCI read all-ones, not the RAM beneath. */
    memory_region_set_terminates(&pc->pci_memory);
    memory_region_add_subregion(m->system_memory, 0, &pc->pci_memory, -1);
    address_space_init(&address_space_memory, m->system_memory, "memory");
    address_space_init(&address_space_io, m->system_io, "I/O");
    return true;
}

/* Maps the BIOS image at the top of 4 GiB and its last 128 KiB below
 * 1 MiB, where the reset vector's far jump lands. */
static bool pc_bios_init(PCMachine *pc, Error **errp)
{
    Machine *m = &pc->m;
    const char *name = m->cfg.bios ? m->cfg.bios : "bios-256k.bin";
    char *path = machine_find_firmware(m, name);
    gchar *data = NULL;
    gsize size = 0;
    GError *gerr = NULL;
    uint64_t isa_size;

    if (!path) {
        if (m->cfg.bios) {
            error_setg(errp, "could not find BIOS image '%s'", name);
        } else {
            error_setg(errp, "could not find the BIOS '%s': install Debian's "
                       "'seabios' package (apt-get install seabios) or "
                       "name one with -bios FILE or -L DIR", name);
        }
        return false;
    }
    if (!g_file_get_contents(path, &data, &size, &gerr)) {
        error_setg(errp, "could not read BIOS image '%s': %s", path,
                   gerr->message);
        g_error_free(gerr);
        g_free(path);
        return false;
    }
    if (size == 0 || size % (64 * KiB) || size > PC_BIOS_MAX_SIZE) {
        error_setg(errp, "BIOS image '%s' is %zu bytes: it must be a "
                   "multiple of 64 KiB and at most 16 MiB", path,
                   (size_t)size);
        g_free(data);
        g_free(path);
        return false;
    }
    g_free(path);
    if (!memory_region_init_rom(&pc->bios, "pc.bios", size, errp)) {
        g_free(data);
        return false;
    }
    memcpy(pc->bios.host, data, size);
    g_free(data);
    memory_region_add_subregion(m->system_memory, 4 * GiB - size, &pc->bios,
                                0);
    isa_size = MIN(size, PC_ISA_BIOS_MAX_SIZE);
    memory_region_init_alias(&pc->isa_bios, "isa-bios", &pc->bios,
                             size - isa_size, isa_size);
    memory_region_set_readonly(&pc->isa_bios, true);
    memory_region_add_subregion(m->pci_memory, 1 * MiB - isa_size,
                                &pc->isa_bios, 1);
    return true;
}

/* --- firmware tables -------------------------------------------------------- */

typedef struct __attribute__((packed)) E820Entry {
    uint64_t address;
    uint64_t length;
    uint32_t type;
} E820Entry;

enum { E820_RAM = 1, E820_RESERVED = 2 };

static void pc_fw_cfg_init(PCMachine *pc)
{
    Machine *m = &pc->m;
    FWCfgState *fw = m->fw_cfg;
    E820Entry e820[3];
    unsigned n = 0;
    uint32_t boot_fail_wait = UINT32_MAX;   /* "-boot reboot-timeout=-1" */
    uint64_t *numa;

    fw_cfg_add_i64(fw, FW_CFG_RAM_SIZE, m->cfg.ram_size);
    /* SeaBIOS puts its console on COM1 (sercon) when this is set. */
    fw_cfg_add_i16(fw, FW_CFG_NOGRAPHIC, m->cfg.nographic);
    fw_cfg_add_i16(fw, FW_CFG_NB_CPUS, m->cfg.smp_cpus);
    fw_cfg_add_i16(fw, FW_CFG_MAX_CPUS, m->cfg.smp_max_cpus);
    fw_cfg_add_i16(fw, FW_CFG_BOOT_MENU, 0);
    fw_cfg_add_i32(fw, FW_CFG_IRQ0_OVERRIDE, 1);
    /* NUMA: node count 0, then one u64 per possible CPU. */
    numa = g_new0(uint64_t, 1 + m->cfg.smp_max_cpus);
    fw_cfg_add_bytes(fw, FW_CFG_NUMA, numa,
                     (1 + m->cfg.smp_max_cpus) * sizeof(uint64_t));
    g_free(numa);

    e820[n++] = (E820Entry){ 0, m->below_4g_mem_size, E820_RAM };
    e820[n++] = (E820Entry){ PC_KVM_IDENTITY_MAP, 4 * 4096, E820_RESERVED };
    if (m->above_4g_mem_size) {
        e820[n++] = (E820Entry){ 4 * GiB, m->above_4g_mem_size, E820_RAM };
    }
    fw_cfg_add_file(fw, "etc/e820", e820, n * sizeof(E820Entry));
    fw_cfg_add_file(fw, "etc/boot-fail-wait", &boot_fail_wait, 4);
    fw_cfg_add_file(fw, "bootorder", "", 0);
}

/* CMOS bytes SeaBIOS and older guests read (IBM AT BIOS conventions;
 * 30h-31h and 34h-35h are the classic extended-memory fields, 5Bh-5Dh
 * and 5Fh QEMU's additions for memory above 4 GiB and the CPU count). */
static void pc_cmos_init(PCMachine *pc)
{
    Machine *m = &pc->m;
    Device *rtc = pc->rtc;
    uint64_t ext_kb, above16m, above4g;
    const char *order = m->cfg.boot_order ? m->cfg.boot_order : "cad";
    static const uint8_t boot_code[256] = { ['a'] = 1, ['c'] = 2, ['d'] = 3,
                                            ['n'] = 4 };
    uint8_t b[3] = { 0 };

    rtc_set_cmos(rtc, 0x15, 640 & 0xff);            /* base memory, KiB */
    rtc_set_cmos(rtc, 0x16, 640 >> 8);
    ext_kb = m->below_4g_mem_size > MiB ? (m->below_4g_mem_size - MiB) / KiB
                                        : 0;
    ext_kb = MIN(ext_kb, 0xffff);
    rtc_set_cmos(rtc, 0x17, ext_kb);
    rtc_set_cmos(rtc, 0x18, ext_kb >> 8);
    rtc_set_cmos(rtc, 0x30, ext_kb);
    rtc_set_cmos(rtc, 0x31, ext_kb >> 8);
    above16m = m->below_4g_mem_size > 16 * MiB ?
               (m->below_4g_mem_size - 16 * MiB) / (64 * KiB) : 0;
    above16m = MIN(above16m, 0xffff);
    rtc_set_cmos(rtc, 0x34, above16m);
    rtc_set_cmos(rtc, 0x35, above16m >> 8);
    above4g = m->above_4g_mem_size / (64 * KiB);
    rtc_set_cmos(rtc, 0x5b, above4g);
    rtc_set_cmos(rtc, 0x5c, above4g >> 8);
    rtc_set_cmos(rtc, 0x5d, above4g >> 16);
    rtc_set_cmos(rtc, 0x5f, m->cfg.smp_cpus - 1);
    rtc_set_cmos(rtc, 0x14, 0x06);      /* equipment: FPU, VGA/EGA */
    rtc_set_cmos(rtc, 0x10, 0x00);      /* no floppy drives */
    rtc_set_cmos(rtc, 0x12, 0x00);      /* no IDE disks in CMOS */
    /* Boot order: three nibbles, first device in 3Dh's low nibble. */
    for (unsigned i = 0; i < 3 && order[i]; i++) {
        b[i] = boot_code[(unsigned char)order[i]];
    }
    rtc_set_cmos(rtc, 0x3d, b[1] << 4 | b[0]);
    rtc_set_cmos(rtc, 0x38, b[2] << 4 | 0x01);      /* no floppy sig check */
}

static void pc_powerdown(void *opaque)
{
    PCMachine *pc = opaque;

    piix4_pm_power_button(pc->pm);
}

/* --- the board --------------------------------------------------------------- */

Machine *pc_machine_create(const MachineConfig *cfg, const AccelOps *accel,
                           const char *const *serial_ids, unsigned nr_serial,
                           Error **errp)
{
    PCMachine *pc = g_new0(PCMachine, 1);
    Machine *m = &pc->m;
    bool kernel_irqchip = accel->irqchip_in_kernel &&
                          accel->irqchip_in_kernel();
    bool kernel_pit = accel->pit_in_kernel && accel->pit_in_kernel();

    m->cfg = *cfg;
    m->accel = accel;
    m->nr_cpus = cfg->smp_cpus;
    current_machine = m;
    for (unsigned i = 0; i < MACHINE_NR_GSI; i++) {
        m->gsi[i] = irq_line(pc_gsi_handler, m, i);
    }

    if (!pc_memory_init(pc, errp) || !pc_bios_init(pc, errp)) {
        return NULL;
    }
    m->pci_bus = pci_bus_new(m->pci_memory, m->system_io, piix3_map_irq,
                             pc_set_pirq, pc);

    /* The block diagram, in creation order. */
    if (!kernel_irqchip) {
        if (!(m->pic = machine_create_device(m, "i8259", NULL, errp)) ||
            !(m->ioapic = machine_create_device(m, "ioapic", NULL, errp))) {
            return NULL;
        }
    }
    if (!machine_create_device(m, "i440FX", NULL, errp) ||                     /* 00.0 */
        !(pc->piix3 = machine_create_device(m, "PIIX3", NULL, errp)) ||        /* 01.0 */
        !machine_create_device(m, "piix3-ide", "addr=01.1", errp) ||          /* 01.1, IRQ14/15 */
        !(pc->pm = machine_create_device(m, "PIIX4_PM", "addr=01.3", errp))) {
        return NULL;
    }
    if ((!cfg->vga || !strcmp(cfg->vga, "std")) &&                            /* 02.0 */
        !machine_create_device(m, "VGA", "addr=02.0", errp)) {
        return NULL;
    }
    if (cfg->vga && !strcmp(cfg->vga, "cirrus") &&                           /* 02.0 */
        !machine_create_device(m, "cirrus-vga", "addr=02.0", errp)) {
        return NULL;
    }
    if (!machine_create_device(m, "i8237",                          /* 00h, 80h: DMA 0-3 */
                               "iobase=0x00,page-base=0x80,dshift=0", errp) ||
        !machine_create_device(m, "i8237",                          /* C0h, 88h: DMA 4-7 */
                               "iobase=0xc0,page-base=0x88,dshift=1", errp)) {
        return NULL;
    }
    if (!kernel_pit) {
        if (!machine_create_device(m, "isa-pit", NULL, errp) ||                /* 40h, IRQ0 */
            !machine_create_device(m, "isa-pcspk", NULL, errp)) {              /* 61h */
            return NULL;
        }
    }
    if (!(pc->rtc = machine_create_device(m, "mc146818rtc", NULL, errp)) ||   /* 70h, IRQ8 */
        !machine_create_device(m, "i8042", NULL, errp)) {                      /* 60h, IRQ1/12 */
        return NULL;
    }
    m->fw_cfg = fw_cfg_init_io(m);                              /* 510h */
    for (unsigned i = 0; i < nr_serial; i++) {          /* 3F8h/IRQ4, ... */
        char *props = g_strdup_printf("index=%u,chardev=%s", i,
                                      serial_ids[i]);
        Device *d = machine_create_device(m, "isa-serial", props, errp);
        g_free(props);
        if (!d) {
            return NULL;
        }
    }
    m->nr_serial = nr_serial;

    pc_fw_cfg_init(pc);
    pc_cmos_init(pc);
    runstate_set_powerdown_handler(pc_powerdown, pc);
    return m;
}
