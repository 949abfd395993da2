/*
 * The KVM back end through its AccelOps, on a tiny machine built here:
 * 1 MiB of RAM at 0, a 64 KiB ROM at 0xffff0000 aliased at 0xf0000 (as
 * the PC's BIOS), an MMIO page at 0xd0000 over the RAM, and a test port
 * block at 0xf4-0xf7.
 *
 * The BSP's program (below, with its source) does port output and input,
 * a string output (rep outsb, count 4), an MMIO write and read, a write
 * to the ROM alias (which must be dropped), a RAM write (for the dirty
 * log), then enters protected mode and wakes the AP with INIT-SIPI-SIPI
 * through the in-kernel LAPIC; the AP reports on port 0xf7. The test then
 * pauses, reads registers, resets, remaps the MMIO page away, resumes and
 * checks the program runs again from the reset vector on the new map.
 * Last, it points the BSP (through kvm_cpu_synchronize_post) at a loop of
 * port reads and pauses it at random moments: the registers must always
 * show the last value read, i.e. a served IN is completed before the vCPU
 * parks.
 *
 * Skips (exit 77) where /dev/kvm is missing or not accessible.
 */
#include <fcntl.h>
#include <unistd.h>

#include "pcemu/common.h"
#include "accel/accel.h"
#include "accel/kvm.h"
#include "hw/machine.h"
#include "softmmu/main-loop.h"
#include "softmmu/memory.h"
#include "target/i386/cpu.h"

#define RAM_SIZE        (1 * MiB)
#define ROM_BASE        0xffff0000ULL
#define ROM_SIZE        (64 * KiB)
#define ROM_ALIAS_BASE  0xf0000ULL
#define MMIO_BASE       0xd0000ULL
#define TEST_PORT       0xf4
#define BSP_CODE        0x1000
#define BSP_DATA        0x1100
#define AP_CODE         0x3000      /* SIPI vector 3 */
#define DIRTY_ADDR      0x2000

/*
 * At 0x1000, assembled from (GNU as, .code16 then .code32):
 *   mov $0x42,%al; out %al,$0xf4; in $0xf6,%al; out %al,$0xf4
 *   mov $0xf5,%dx; mov $0x1100,%si; mov $4,%cx; cld; rep outsb
 *   mov $0xd000,%ax; mov %ax,%ds; movb $0x5a,0x10; mov 0x20,%al
 *   out %al,$0xf4
 *   mov $0xf000,%ax; mov %ax,%ds; movb $0x11,0xfff0; mov 0xfff0,%al
 *   out %al,$0xf4
 *   xor %ax,%ax; mov %ax,%ds; movb $1,0x2000
 *   cli; lgdtl gdtr; mov %cr0,%eax; or $1,%eax; mov %eax,%cr0
 *   ljmpl $8,$pm32
 * pm32: mov $0x10,%ax; mov %ax,%ds
 *   movl $0x1ff,0xfee000f0          # LAPIC SVR: enable
 *   movl $0,0xfee00310              # ICR high
 *   movl $0x000c4500,0xfee00300     # INIT, all excluding self
 *   movl $0x000c4603,0xfee00300     # SIPI vector 3, twice
 *   movl $0x000c4603,0xfee00300
 *   mov $0xee,%al; out %al,$0xf4
 * 1: hlt; jmp 1b                    # hlt at 0x1090
 * gdt: null, flat code, flat data, marked accessed so that loading
 *   them does not write the GDT (the dirty-log test counts writes)
 * gdtr: .word 23; .long gdt
 */
static const uint8_t bsp_code[] = {
    0xb0, 0x42, 0xe6, 0xf4, 0xe4, 0xf6, 0xe6, 0xf4, 0xba, 0xf5, 0x00, 0xbe,
    0x00, 0x11, 0xb9, 0x04, 0x00, 0xfc, 0xf3, 0x6e, 0xb8, 0x00, 0xd0, 0x8e,
    0xd8, 0xc6, 0x06, 0x10, 0x00, 0x5a, 0xa0, 0x20, 0x00, 0xe6, 0xf4, 0xb8,
    0x00, 0xf0, 0x8e, 0xd8, 0xc6, 0x06, 0xf0, 0xff, 0x11, 0xa0, 0xf0, 0xff,
    0xe6, 0xf4, 0x31, 0xc0, 0x8e, 0xd8, 0xc6, 0x06, 0x00, 0x20, 0x01, 0xfa,
    0x66, 0x0f, 0x01, 0x16, 0xb0, 0x10, 0x0f, 0x20, 0xc0, 0x66, 0x83, 0xc8,
    0x01, 0x0f, 0x22, 0xc0, 0x66, 0xea, 0x54, 0x10, 0x00, 0x00, 0x08, 0x00,
    0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8, 0xc7, 0x05, 0xf0, 0x00, 0xe0, 0xfe,
    0xff, 0x01, 0x00, 0x00, 0xc7, 0x05, 0x10, 0x03, 0xe0, 0xfe, 0x00, 0x00,
    0x00, 0x00, 0xc7, 0x05, 0x00, 0x03, 0xe0, 0xfe, 0x00, 0x45, 0x0c, 0x00,
    0xc7, 0x05, 0x00, 0x03, 0xe0, 0xfe, 0x03, 0x46, 0x0c, 0x00, 0xc7, 0x05,
    0x00, 0x03, 0xe0, 0xfe, 0x03, 0x46, 0x0c, 0x00, 0xb0, 0xee, 0xe6, 0xf4,
    0xf4, 0xeb, 0xfd, 0x8d, 0x74, 0x26, 0x00, 0x90, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x00, 0x00, 0x00, 0x9b, 0xcf, 0x00,
    0xff, 0xff, 0x00, 0x00, 0x00, 0x93, 0xcf, 0x00, 0x17, 0x00, 0x98, 0x10,
    0x00, 0x00,
};
#define BSP_HLT 0x1090

/* At 0x3000: mov $0xa1,%al; out %al,$0xf7; 1: hlt; jmp 1b */
static const uint8_t ap_code[] = { 0xb0, 0xa1, 0xe6, 0xf7, 0xf4, 0xeb, 0xfd };

/* At 0xfffffff0: ljmp $0,$0x1000 */
static const uint8_t reset_vector[] = { 0xea, 0x00, 0x10, 0x00, 0x00 };

static MemoryRegion sys_mem, sys_io, ram, rom, rom_alias, mmio, ports;
static Machine machine;

/* What the guest did, under the BQL. */
static GByteArray *port_f4, *port_f5, *port_f7;
static GArray *mmio_writes;     /* of uint64_t: offset << 32 | value */

static unsigned in_counter;     /* reads of port 0xf5 */

static uint64_t ports_read(void *opaque, uint64_t offset, unsigned size)
{
    switch (offset) {
    case 1:
        return ++in_counter & 0xff;
    case 2:
        return 0x99;
    }
    return 0xff;
}

static void ports_write(void *opaque, uint64_t offset, uint64_t value,
                        unsigned size)
{
    uint8_t b = value;

    switch (offset) {
    case 0: g_byte_array_append(port_f4, &b, 1); break;
    case 1: g_byte_array_append(port_f5, &b, 1); break;
    case 3: g_byte_array_append(port_f7, &b, 1); break;
    }
}

static const MemoryRegionOps ports_ops = {
    .read = ports_read, .write = ports_write,
    .valid_min = 1, .valid_max = 1,
};

static uint64_t mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    return offset == 0x20 ? 0x77 : 0;
}

static void mmio_write(void *opaque, uint64_t offset, uint64_t value,
                       unsigned size)
{
    uint64_t rec = offset << 32 | (uint32_t)value;

    g_array_append_val(mmio_writes, rec);
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read, .write = mmio_write,
    .valid_min = 1, .valid_max = 4,
};

static void records_clear(void)
{
    g_byte_array_set_size(port_f4, 0);
    g_byte_array_set_size(port_f5, 0);
    g_byte_array_set_size(port_f7, 0);
    g_array_set_size(mmio_writes, 0);
}

/* Lets the vCPUs run (they need the BQL for exits) until both have
 * reported or the time is up. */
static bool wait_for_guest(unsigned nr_f4, unsigned nr_f7)
{
    gint64 deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

    while (port_f4->len < nr_f4 || port_f7->len < nr_f7) {
        if (g_get_monotonic_time() > deadline) {
            return false;
        }
        bql_unlock();
        g_usleep(1000);
        bql_lock();
    }
    return true;
}

static void build_machine(void)
{
    Error *err = NULL;

    memory_region_init_container(&sys_mem, "system", UINT64_MAX);
    memory_region_init_container(&sys_io, "io", 64 * KiB);
    g_assert(memory_region_init_ram(&ram, "ram", RAM_SIZE, &err));
    g_assert(memory_region_init_rom(&rom, "bios", ROM_SIZE, &err));
    memory_region_init_alias(&rom_alias, "isa-bios", &rom, 0, ROM_SIZE);
    memory_region_init_io(&mmio, "test-mmio", &mmio_ops, NULL, 4 * KiB);
    memory_region_init_io(&ports, "test-ports", &ports_ops, NULL, 4);

    memcpy(ram.host + BSP_CODE, bsp_code, sizeof(bsp_code));
    memcpy(ram.host + BSP_DATA, "ABCD", 4);
    memcpy(ram.host + AP_CODE, ap_code, sizeof(ap_code));
    memcpy(rom.host + ROM_SIZE - 16, reset_vector, sizeof(reset_vector));

    memory_region_add_subregion(&sys_mem, 0, &ram, 0);
    memory_region_add_subregion(&sys_mem, ROM_BASE, &rom, 0);
    memory_region_add_subregion(&sys_mem, ROM_ALIAS_BASE, &rom_alias, 1);
    memory_region_add_subregion(&sys_mem, MMIO_BASE, &mmio, 1);
    memory_region_add_subregion(&sys_io, TEST_PORT, &ports, 0);
    address_space_init(&address_space_memory, &sys_mem, "memory");
    address_space_init(&address_space_io, &sys_io, "I/O");

    port_f4 = g_byte_array_new();
    port_f5 = g_byte_array_new();
    port_f7 = g_byte_array_new();
    mmio_writes = g_array_new(false, false, sizeof(uint64_t));
}

static const CPUIDEntry *find_cpuid(const X86CPU *cpu, uint32_t fn,
                                    uint32_t index)
{
    for (unsigned i = 0; i < cpu->nr_cpuid; i++) {
        if (cpu->cpuid[i].function == fn && cpu->cpuid[i].index == index) {
            return &cpu->cpuid[i];
        }
    }
    return NULL;
}

static void test_bad_options(void)
{
    Error *err = NULL;

    g_assert_false(kvm_accel_ops.init("kernel-irqchip=off", &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->msg, "kernel-irqchip=off"));
    error_free(err);
    err = NULL;
    g_assert_false(kvm_accel_ops.init("no-such-option=1", &err));
    g_assert_nonnull(err);
    error_free(err);
    g_assert_false(kvm_enabled());
}

static void test_init(void)
{
    Error *err = NULL;

    g_assert_true(kvm_accel_ops.init("kernel-irqchip=on", &err));
    g_assert_null(err);
    g_assert_true(kvm_enabled());
    g_assert_true(kvm_accel_ops.irqchip_in_kernel());
    g_assert_true(kvm_accel_ops.pit_in_kernel());
}

static void test_too_many_vcpus(void)
{
    Machine big = { 0 };
    Error *err = NULL;

    big.nr_cpus = 100000;
    g_assert_false(kvm_accel_ops.start_vcpus(&big, &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->msg, "exceeds"));
    g_assert_null(big.cpus);
    error_free(err);
}

static void test_start(void)
{
    Error *err = NULL;

    machine.cfg.smp_cpus = 2;
    machine.nr_cpus = 2;
    g_assert_true(kvm_accel_ops.start_vcpus(&machine, &err));
    g_assert_null(err);
    g_assert_cmpuint(machine.nr_cpus, ==, 2);
    g_assert_nonnull(machine.cpus[0]);
    g_assert_nonnull(machine.cpus[1]);
}

static void test_cpuid_model(void)
{
    for (unsigned i = 0; i < 2; i++) {
        const X86CPU *cpu = machine.cpus[i];
        const CPUIDEntry *e1 = find_cpuid(cpu, 1, 0);
        const CPUIDEntry *e0 = find_cpuid(cpu, 0, 0);
        const CPUIDEntry *kvm = find_cpuid(cpu, 0x40000000, 0);

        g_assert_nonnull(e0);
        g_assert_nonnull(e1);
        g_assert_cmphex(e1->ebx >> 24, ==, i);                /* APIC ID */
        g_assert_cmphex((e1->ebx >> 16) & 0xff, ==, 2);      /* logical */
        g_assert_true(e1->ecx & (1u << 31));                  /* hypervisor */
        g_assert_false(e1->ecx & (1u << 3));                  /* MONITOR */
        g_assert_true(e1->edx & (1u << 28));                  /* HTT */
        g_assert_null(find_cpuid(cpu, 0xa, 0));               /* no PMU */
        g_assert_nonnull(kvm);
        g_assert_cmphex(kvm->ebx, ==, 0x4b4d564b);            /* "KVMK" */
        if (e0->eax >= 0xb) {
            const CPUIDEntry *smt = find_cpuid(cpu, 0xb, 0);
            const CPUIDEntry *core = find_cpuid(cpu, 0xb, 1);

            g_assert_nonnull(smt);
            g_assert_nonnull(core);
            g_assert_cmpuint(core->ebx, ==, 2);
            g_assert_cmpuint(core->eax, ==, 1);
            g_assert_cmpuint((core->ecx >> 8) & 0xff, ==, 2);
            g_assert_cmpuint(core->edx, ==, i);
        }
    }
}

static void test_reset_state(void)
{
    Error *err = NULL;

    for (unsigned i = 0; i < 2; i++) {
        X86CPU *cpu = machine.cpus[i];
        const CPUIDEntry *e1 = find_cpuid(cpu, 1, 0);

        memset(cpu->regs, 0xaa, sizeof(cpu->regs));
        g_assert_true(kvm_cpu_synchronize_state(cpu, &err));
        g_assert_null(err);
        g_assert_cmphex(cpu->rip, ==, 0xfff0);
        g_assert_cmphex(cpu->segs[R_CS].selector, ==, 0xf000);
        g_assert_cmphex(cpu->segs[R_CS].base, ==, 0xffff0000);
        g_assert_cmphex(cpu->segs[R_CS].limit, ==, 0xffff);
        g_assert_cmphex(cpu->regs[R_EDX], ==, e1->eax);
        g_assert_cmphex(cpu->regs[R_EAX], ==, 0);
        g_assert_cmphex(cpu->rflags, ==, 2);
        g_assert_cmphex(cpu->cr[0], ==, 0x60000010);
        g_assert_cmphex(cpu->dr[7], ==, 0x400);
        g_assert_cmphex(cpu->apic_base, ==, i == 0 ? 0xfee00900 : 0xfee00800);
        g_assert_cmphex(cpu->pat, ==, 0x0007040600070406ULL);
    }
}

static void check_first_run(void)
{
    static const uint8_t f4[] = { 0x42, 0x99, 0x77, 0xea, 0xee };
    uint64_t rec;

    g_assert_true(wait_for_guest(sizeof(f4), 1));
    g_assert_cmpmem(port_f4->data, port_f4->len, f4, sizeof(f4));
    g_assert_cmpmem(port_f5->data, port_f5->len, "ABCD", 4);
    g_assert_cmpuint(port_f7->len, ==, 1);
    g_assert_cmphex(port_f7->data[0], ==, 0xa1);
    g_assert_cmpuint(mmio_writes->len, ==, 1);
    rec = g_array_index(mmio_writes, uint64_t, 0);
    g_assert_cmphex(rec, ==, 0x10ULL << 32 | 0x5a);
    /* The write to the ROM alias was dropped. */
    g_assert_cmphex(rom.host[ROM_SIZE - 16], ==, 0xea);
    g_assert_cmphex(ram.host[DIRTY_ADDR], ==, 1);
}

typedef struct DirtyCheck {
    bool seen_slot;
    bool page_dirty;
    bool other_dirty;
} DirtyCheck;

static void dirty_cb(void *opaque, uint64_t gpa, void *host, uint64_t npages,
                     const uint64_t *bitmap)
{
    DirtyCheck *c = opaque;

    if (gpa > DIRTY_ADDR || gpa + npages * 4096 <= DIRTY_ADDR) {
        return;
    }
    c->seen_slot = true;
    g_assert_true((uint8_t *)host == ram.host + gpa);
    for (uint64_t p = 0; p < npages; p++) {
        bool d = bitmap[p / 64] >> (p % 64) & 1;

        if (gpa + p * 4096 == DIRTY_ADDR) {
            c->page_dirty = d;
        } else if (d) {
            c->other_dirty = true;
        }
    }
}

static void test_run(void)
{
    Error *err = NULL;

    g_assert_true(kvm_set_dirty_tracking(true, &err));
    records_clear();
    kvm_accel_ops.resume_vcpus();
    check_first_run();
}

static void test_dirty_log(void)
{
    DirtyCheck c = { 0 };
    Error *err = NULL;

    g_assert_true(kvm_get_dirty_log(dirty_cb, &c, &err));
    g_assert_true(c.seen_slot);
    g_assert_true(c.page_dirty);
    g_assert_false(c.other_dirty);
    /* Reading the log cleared it. */
    memset(&c, 0, sizeof(c));
    g_assert_true(kvm_get_dirty_log(dirty_cb, &c, &err));
    g_assert_true(c.seen_slot);
    g_assert_false(c.page_dirty);
    g_assert_true(kvm_set_dirty_tracking(false, &err));
}

static void test_pause_and_registers(void)
{
    Error *err = NULL;
    X86CPU *bsp = machine.cpus[0], *ap = machine.cpus[1];

    kvm_accel_ops.pause_vcpus();
    g_assert_true(kvm_cpu_synchronize_state(bsp, &err));
    g_assert_true(kvm_cpu_synchronize_state(ap, &err));
    g_assert_null(err);
    /* BSP in its protected-mode hlt loop, AP in its real-mode one. */
    g_assert_true(bsp->cr[0] & 1);
    g_assert_cmphex(bsp->segs[R_CS].selector, ==, 0x08);
    g_assert_cmphex(bsp->rip, >=, BSP_HLT);
    g_assert_cmphex(bsp->rip, <=, BSP_HLT + 1);
    g_assert_cmphex(bsp->regs[R_EAX] & 0xff, ==, 0xee);
    g_assert_cmphex(ap->segs[R_CS].selector, ==, AP_CODE >> 4);
    g_assert_cmphex(ap->segs[R_CS].base, ==, AP_CODE);
    g_assert_cmphex(ap->rip, >=, 4);
    g_assert_cmphex(ap->rip, <=, 5);

    /* Paused means paused: nothing more arrives. */
    records_clear();
    bql_unlock();
    g_usleep(20000);
    bql_lock();
    g_assert_cmpuint(port_f4->len + port_f7->len, ==, 0);
}

static void test_reset_and_remap(void)
{
    static const uint8_t f4[] = { 0x42, 0x99, 0x00, 0xea, 0xee };

    /* vCPUs are paused (previous test). */
    kvm_accel_ops.reset_vcpus(&machine);
    test_reset_state();

    /* Take the MMIO page away: the RAM slot must now cover it. */
    memory_region_set_enabled(&mmio, false);
    records_clear();
    ram.host[MMIO_BASE + 0x10] = 0;
    kvm_accel_ops.resume_vcpus();
    g_assert_true(wait_for_guest(sizeof(f4), 1));
    g_assert_cmpmem(port_f4->data, port_f4->len, f4, sizeof(f4));
    g_assert_cmphex(port_f7->data[0], ==, 0xa1);
    g_assert_cmpuint(mmio_writes->len, ==, 0);
    g_assert_cmphex(ram.host[MMIO_BASE + 0x10], ==, 0x5a);
}

/*
 * At 0x4000, 32-bit: 1: in $0xf5,%al; jmp 1b. Paused at any moment, AL
 * must hold the last value the port returned: an IN whose exit was
 * served but not yet completed by KVM_RUN must be completed before the
 * vCPU parks.
 */
static const uint8_t in_loop[] = { 0xe4, 0xf5, 0xeb, 0xfc };
#define IN_LOOP 0x4000

static void test_pause_completes_io(void)
{
    X86CPU *bsp = machine.cpus[0];
    Error *err = NULL;

    kvm_accel_ops.pause_vcpus();
    g_assert_true(kvm_cpu_synchronize_state(bsp, &err));
    g_assert_true(bsp->halted);
    memcpy(ram.host + IN_LOOP, in_loop, sizeof(in_loop));
    bsp->rip = IN_LOOP;
    bsp->halted = false;
    g_assert_true(kvm_cpu_synchronize_post(bsp, &err));
    g_assert_null(err);
    in_counter = 0;
    for (unsigned i = 0; i < 50; i++) {
        kvm_accel_ops.resume_vcpus();
        bql_unlock();
        g_usleep(g_test_rand_int_range(100, 3000));
        bql_lock();
        kvm_accel_ops.pause_vcpus();
        g_assert_true(kvm_cpu_synchronize_state(bsp, &err));
        g_assert_cmphex(bsp->regs[R_EAX] & 0xff, ==, in_counter & 0xff);
        g_assert_cmphex(bsp->rip, >=, IN_LOOP);
        g_assert_cmphex(bsp->rip, <, IN_LOOP + sizeof(in_loop));
    }
    g_assert_cmpuint(in_counter, >, 0);
}

static void test_shutdown(void)
{
    kvm_accel_ops.shutdown();
    g_assert_false(kvm_enabled());
}

int main(int argc, char **argv)
{
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        printf("SKIP: /dev/kvm: %s\n", strerror(errno));
        return 77;
    }
    close(fd);
    g_test_init(&argc, &argv, NULL);
    /* A hang in the pause protocol must fail the test, not stall CI. */
    alarm(240);
    main_loop_init();
    build_machine();
    current_machine = &machine;
    machine.accel = &kvm_accel_ops;

    g_test_add_func("/kvm/bad-options", test_bad_options);
    g_test_add_func("/kvm/init", test_init);
    g_test_add_func("/kvm/too-many-vcpus", test_too_many_vcpus);
    g_test_add_func("/kvm/start", test_start);
    g_test_add_func("/kvm/cpuid-model", test_cpuid_model);
    g_test_add_func("/kvm/reset-state", test_reset_state);
    g_test_add_func("/kvm/run", test_run);
    g_test_add_func("/kvm/dirty-log", test_dirty_log);
    g_test_add_func("/kvm/pause-and-registers", test_pause_and_registers);
    g_test_add_func("/kvm/reset-and-remap", test_reset_and_remap);
    g_test_add_func("/kvm/pause-completes-io", test_pause_completes_io);
    g_test_add_func("/kvm/shutdown", test_shutdown);
    return g_test_run();
}
