/*
 * The software-CPU accelerator's run loop, with a stand-in interpreter:
 * this file defines x86_cpu_exec and x86_cpu_flush_caches, so the test
 * checks accel/soft alone (its thread, slices, the BQL handoff, pause,
 * resume, reset, HLT sleeping and waking, interrupt acknowledge through
 * the APIC and the 8259, INIT/SIPI start-up of an AP, triple fault, A20,
 * the exit request) whatever state target/i386 is in.
 *
 * The machine is bare: memory and I/O roots, an i8259 pair, an IOAPIC,
 * two CPUs. The test thread plays the main loop (main_loop_wait).
 */
#include "accel/soft.h"
#include "hw/intc/apic.h"
#include "hw/intc/i8259.h"
#include "hw/intc/ioapic.h"
#include "hw/machine.h"
#include "softmmu/main-loop.h"
#include "softmmu/memory.h"
#include "softmmu/runstate.h"
#include "softmmu/timer.h"
#include "target/i386/exec.h"

enum { MODE_RUN, MODE_HALT, MODE_TRIPLE };

/* What the stand-in does and saw; written with the BQL held. */
static struct {
    int mode[2];
    int calls[2];
    int in_exec;
    int vectors[16];
    int nr_vectors;
    uint64_t last_cs_base[2];
    uint64_t last_rip[2];
    int flushes;
    bool a20_disabled;
} st;

/* ---- the stand-in interpreter ---- */

static void spin_us(int us)
{
    int64_t end = clock_get_ns(CLOCK_HOST_MONOTONIC) + us * 1000;

    while (clock_get_ns(CLOCK_HOST_MONOTONIC) < end) {
        /* a CPU executing */
    }
}

X86ExecExit x86_cpu_exec(X86CPU *cpu, uint64_t max_insns)
{
    unsigned i = cpu->index;
    uint32_t irq;

    g_assert_true(bql_locked());
    g_assert_cmpuint(max_insns, >, 0);
    st.in_exec = 1;
    st.calls[i]++;
    st.last_cs_base[i] = cpu->segs[R_CS].base;
    st.last_rip[i] = cpu->rip;
    st.a20_disabled = cpu->a20_disabled;

    irq = __atomic_load_n(&cpu->interrupt_request, __ATOMIC_SEQ_CST);
    if (irq & CPU_INTERRUPT_HARD) {
        /* IF is always set in this CPU: take it. */
        int v = cpu->intr_ack(cpu->intr_opaque);
        if (st.nr_vectors < 16) {
            st.vectors[st.nr_vectors++] = v;
        }
        cpu->halted = false;
    }
    switch (st.mode[i]) {
    case MODE_HALT:
        cpu->halted = true;
        st.in_exec = 0;
        return X86_EXIT_HALTED;
    case MODE_TRIPLE:
        st.mode[i] = MODE_RUN;
        st.in_exec = 0;
        return X86_EXIT_SHUTDOWN;
    }
    spin_us(50);
    cpu->rip++;
    cpu->icount += max_insns;
    st.in_exec = 0;
    return X86_EXIT_BUDGET;
}

void x86_cpu_flush_caches(X86CPU *cpu)
{
    st.flushes++;
}

/* ---- the machine ---- */

static Machine mach;
static MemoryRegion mem_root, io_root;

static void machine_setup(void)
{
    Error *err = NULL;

    main_loop_init();
    memory_region_init_container(&mem_root, "memory", UINT64_MAX);
    memory_region_init_container(&io_root, "io", 0x10000);
    address_space_init(&address_space_memory, &mem_root, "memory");
    address_space_init(&address_space_io, &io_root, "io");
    mach.system_memory = &mem_root;
    mach.system_io = &io_root;
    mach.cfg.smp_cpus = 2;
    mach.nr_cpus = 2;
    mach.accel = &soft_accel_ops;
    current_machine = &mach;
    mach.pic = machine_create_device(&mach, "i8259", NULL, &err);
    g_assert_nonnull(mach.pic);
    mach.ioapic = machine_create_device(&mach, "ioapic", NULL, &err);
    g_assert_nonnull(mach.ioapic);
}

/* Runs the main loop until cond() or the host time runs out. */
static bool wait_for(bool (*cond)(void), int ms)
{
    int64_t end = clock_get_ns(CLOCK_HOST_MONOTONIC) + ms * 1000000LL;

    while (!cond()) {
        if (clock_get_ns(CLOCK_HOST_MONOTONIC) > end) {
            return false;
        }
        main_loop_wait(1);
    }
    return true;
}

static void run_ms(int ms)
{
    int64_t end = clock_get_ns(CLOCK_HOST_MONOTONIC) + ms * 1000000LL;

    while (clock_get_ns(CLOCK_HOST_MONOTONIC) < end) {
        main_loop_wait(1);
    }
}

static bool bsp_ran_10(void)
{
    return st.calls[0] >= 10;
}

static int timer_fired;

static void timer_cb(void *opaque)
{
    timer_fired++;
}

static bool timer_done(void)
{
    return timer_fired > 0;
}

static bool got_vector(void)
{
    return st.nr_vectors > 0;
}

static bool ap_ran(void)
{
    return st.calls[1] > 0;
}

/* ---- tests, in order: they share one machine ---- */

static void test_bad_options(void)
{
    Error *err = NULL;

    g_assert_false(soft_accel_ops.init("thread=multi", &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->msg, "thread=multi"));
    error_free(err);
    err = NULL;
    g_assert_false(soft_accel_ops.init("bogus=1", &err));
    g_assert_nonnull(err);
    error_free(err);
    g_assert_false(soft_enabled());
}

static void test_start(void)
{
    Error *err = NULL;

    g_assert_true(soft_accel_ops.init("thread=single,tb-size=64", &err));
    g_assert_null(err);
    g_assert_false(soft_accel_ops.irqchip_in_kernel());
    g_assert_false(soft_accel_ops.pit_in_kernel());
    g_assert_true(soft_accel_ops.start_vcpus(&mach, &err));
    g_assert_null(err);
    g_assert_cmpuint(mach.nr_cpus, ==, 2);
    g_assert_nonnull(soft_cpu_apic(mach.cpus[0]));
    g_assert_nonnull(soft_cpu_apic(mach.cpus[1]));
    /* Power-on state; started paused. */
    g_assert_cmphex(mach.cpus[0]->rip, ==, 0xfff0);
    g_assert_cmphex(mach.cpus[0]->segs[R_CS].base, ==, 0xffff0000);
    run_ms(20);
    g_assert_cmpint(st.calls[0], ==, 0);

    vm_start();
    g_assert_true(wait_for(bsp_ran_10, 5000));
    /* The AP waits for its SIPI. */
    g_assert_cmpint(st.calls[1], ==, 0);
    g_assert_false(st.a20_disabled);
}

/* A busy vCPU must not keep the main loop from its timers. */
static void test_handoff(void)
{
    Timer *t = timer_new(CLOCK_VIRTUAL, timer_cb, NULL);
    int64_t t0 = clock_get_ns(CLOCK_HOST_MONOTONIC);

    timer_mod(t, clock_get_ns(CLOCK_VIRTUAL) + 2000000);
    g_assert_true(wait_for(timer_done, 5000));
    /* Generous: a loaded test machine, but not starvation. */
    g_assert_cmpint(clock_get_ns(CLOCK_HOST_MONOTONIC) - t0, <,
                    500 * 1000000LL);
    timer_free(t);
}

static void test_pause_resume(void)
{
    int calls;

    vm_stop(RUN_STATE_PAUSED);
    g_assert_cmpint(st.in_exec, ==, 0);
    calls = st.calls[0];
    run_ms(30);
    g_assert_cmpint(st.calls[0], ==, calls);
    vm_start();
    g_assert_true(wait_for(bsp_ran_10, 5000));
    calls = st.calls[0];
    run_ms(30);
    g_assert_cmpint(st.calls[0], >, calls);
}

static void test_halt_and_wake(void)
{
    Device *apic = soft_cpu_apic(mach.cpus[0]);
    int calls;

    st.mode[0] = MODE_HALT;
    run_ms(20);
    calls = st.calls[0];
    run_ms(50);
    /* Asleep, not spinning. */
    g_assert_cmpint(st.calls[0], <=, calls + 1);

    /* IOAPIC pin 5 -> vector 35h, physical APIC 0, edge. */
    apic_reg_write(apic, 0xf0, 0x1ff);
    address_space_st(&address_space_memory, IOAPIC_DEFAULT_ADDR,
                     0x10 + 2 * 5, 4);
    address_space_st(&address_space_memory, IOAPIC_DEFAULT_ADDR + 0x10,
                     0x35, 4);
    st.nr_vectors = 0;
    ioapic_set_irq(mach.ioapic, 5, 1);
    g_assert_true(wait_for(got_vector, 5000));
    g_assert_cmpint(st.vectors[0], ==, 0x35);
    apic_reg_write(apic, 0xb0, 0);      /* EOI */
    ioapic_set_irq(mach.ioapic, 5, 0);

    /* The 8259 through LINT0's virtual wire: ICW1-4, base 08h. */
    address_space_st(&address_space_io, 0x20, 0x11, 1);
    address_space_st(&address_space_io, 0x21, 0x08, 1);
    address_space_st(&address_space_io, 0x21, 0x04, 1);
    address_space_st(&address_space_io, 0x21, 0x01, 1);
    address_space_st(&address_space_io, 0x21, 0x00, 1);
    run_ms(10);
    st.nr_vectors = 0;
    i8259_set_irq(mach.pic, 1, 1);
    g_assert_true(wait_for(got_vector, 5000));
    g_assert_cmpint(st.vectors[0], ==, 0x09);
    i8259_set_irq(mach.pic, 1, 0);
    address_space_st(&address_space_io, 0x20, 0x20, 1);     /* EOI */
    st.mode[0] = MODE_RUN;
}

static void test_init_sipi(void)
{
    Device *apic = soft_cpu_apic(mach.cpus[0]);

    /* BSP sends INIT then SIPI 9Ah to APIC 1. */
    apic_reg_write(apic, 0x310, 0x01000000);
    apic_reg_write(apic, 0x300, 0xc500);
    run_ms(10);
    g_assert_cmpint(st.calls[1], ==, 0);
    apic_reg_write(apic, 0x300, 0x4600 | 0x9a);
    g_assert_true(wait_for(ap_ran, 5000));
    g_assert_cmphex(st.last_cs_base[1], ==, 0x9a000);
    g_assert_cmphex(mach.cpus[1]->segs[R_CS].selector, ==, 0x9a00);

    /* INIT and SIPI back to back, before the vCPU thread looks (as
     * SeaBIOS sends them): the SIPI must survive the INIT's handling. */
    vm_stop(RUN_STATE_PAUSED);
    apic_reg_write(apic, 0x300, 0xc500);
    apic_reg_write(apic, 0x300, 0x4600 | 0x9b);
    st.calls[1] = 0;
    vm_start();
    g_assert_true(wait_for(ap_ran, 5000));
    g_assert_cmphex(st.last_cs_base[1], ==, 0x9b000);
}

static void test_reset(void)
{
    int status, calls1;

    vm_stop(RUN_STATE_PAUSED);
    mach.cpus[0]->rip = 0x1234;
    machine_reset_devices(&mach);
    soft_accel_ops.reset_vcpus(&mach);
    g_assert_cmphex(mach.cpus[0]->rip, ==, 0xfff0);
    g_assert_cmphex(mach.cpus[1]->rip, ==, 0xfff0);
    calls1 = st.calls[1];
    vm_start();
    g_assert_true(wait_for(bsp_ran_10, 5000));
    run_ms(20);
    g_assert_cmpint(st.calls[1], ==, calls1);   /* the AP waits again */

    /* A triple fault asks for a reset; the main loop carries it out. */
    st.mode[0] = MODE_TRIPLE;
    run_ms(20);
    mach.cpus[0]->rip = 0x5678;
    g_assert_false(runstate_handle_requests(&status));
    g_assert_cmphex(mach.cpus[0]->rip, ==, 0xfff0);
    g_assert_true(runstate_is_running());
    st.calls[0] = 0;
    g_assert_true(wait_for(bsp_ran_10, 5000));
}

static void test_a20(void)
{
    int flushes = st.flushes;

    /* No i8042 and no PIIX3 on this machine: A20 stays on, and a
     * reset re-applies it with a cache flush. */
    vm_stop(RUN_STATE_PAUSED);
    soft_accel_ops.reset_vcpus(&mach);
    g_assert_cmpint(st.flushes, >, flushes);
    g_assert_false(mach.cpus[0]->a20_disabled);
    vm_start();
}

static void test_exit_request(void)
{
    int calls;

    system_exit_request(3);
    run_ms(20);
    calls = st.calls[0];
    run_ms(30);
    g_assert_cmpint(st.calls[0], ==, calls);
    vm_stop(RUN_STATE_SHUTDOWN);
    soft_accel_ops.shutdown();
    g_assert_false(soft_enabled());
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    machine_setup();
    g_test_add_func("/soft/bad-options", test_bad_options);
    g_test_add_func("/soft/start", test_start);
    g_test_add_func("/soft/handoff", test_handoff);
    g_test_add_func("/soft/pause-resume", test_pause_resume);
    g_test_add_func("/soft/halt-and-wake", test_halt_and_wake);
    g_test_add_func("/soft/init-sipi", test_init_sipi);
    g_test_add_func("/soft/reset", test_reset);
    g_test_add_func("/soft/a20", test_a20);
    g_test_add_func("/soft/exit-request", test_exit_request);
    return g_test_run();
}
