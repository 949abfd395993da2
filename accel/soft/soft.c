/*
 * The software-CPU accelerator: drives target/i386's interpreter
 * (target/i386/exec.h) for every vCPU, with a local APIC per CPU.
 *
 * One thread runs all vCPUs round-robin (DESIGN.md allows it to start
 * so). It holds the BQL while a vCPU executes, since the interpreter
 * dispatches port and MMIO accesses straight to devices, and drops it
 * between slices. Design notes, the pause protocol and how interrupts
 * flow are in docs/soft-accel.md; in short:
 *
 * Slices. Each vCPU runs for an instruction budget worth at most
 * SOFT_SLICE_NS of host time (from a running estimate of the
 * interpreter's speed), and never past the earliest virtual-timer
 * deadline, so the timers that raise interrupts fire on time.
 *
 * The BQL handoff. The main loop needs the BQL to run timers and fd
 * handlers, but a mutex dropped and retaken at once by a busy thread is
 * rarely won by the waiter. So when a timer is due, or every
 * SOFT_HANDOFF_NS, the vCPU thread queues a call on the main loop
 * (main_loop_call_soon), drops the BQL and waits until that call ran:
 * the main loop has then had the lock for a whole iteration.
 *
 * Idle. When every vCPU is halted (or waits for a SIPI), the thread
 * sleeps on soft_cond without the BQL until something that could wake
 * a CPU happens: an APIC output (INTR, NMI, INIT, SIPI), a pause, a
 * quit. Timers run on the main loop meanwhile; no busy wait.
 *
 * Interrupts. The PIC's INTR drives LINT0 of every APIC (virtual wire,
 * Machine.cpu_intr); the IOAPIC's messages reach the APICs through the
 * APIC bus; an APIC's INTR output sets or clears CPU_INTERRUPT_HARD of
 * its CPU, and the CPU's acknowledge (X86CPU.intr_ack) is
 * apic_acknowledge, which runs the PIC's INTA cycle for ExtINT. INIT
 * and SIPI are handled here, between slices: the interpreter never sees
 * CPU_INTERRUPT_INIT/SIPI.
 *
 * A20. The gate is the OR of the keyboard controller's output port bit
 * (a line we connect) and the PIIX3's port 92h (read between slices:
 * the chipset has no notifier). A change sets X86CPU.a20_disabled and
 * flushes the interpreter's caches, between slices.
 */
#include <pthread.h>

#include "accel/accel.h"
#include "accel/soft.h"
#include "hw/intc/apic.h"
#include "hw/intc/i8259.h"
#include "hw/intc/ioapic.h"
#include "hw/input/i8042.h"
#include "hw/machine.h"
#include "hw/pci/i440fx.h"
#include "pcemu/opts.h"
#include "softmmu/main-loop.h"
#include "softmmu/runstate.h"
#include "softmmu/timer.h"
#include "target/i386/exec.h"

#define SOFT_SLICE_NS       (1000 * 1000)       /* 1 ms per slice at most */
#define SOFT_HANDOFF_NS     (4 * 1000 * 1000)   /* main loop every 4 ms */
#define SOFT_MIN_BUDGET     64
#define SOFT_MAX_BUDGET     (64 * 1000 * 1000)
#define SOFT_INITIAL_IPNS   0.05                /* 50 MIPS, a first guess */

#define MSR_IA32_APICBASE_BSP    (1ULL << 8)
#define MSR_IA32_APICBASE_ENABLE (1ULL << 11)

typedef struct SoftVCPU {
    X86CPU *cpu;
    Device *apic;
    unsigned index;
    /* under the BQL */
    bool wait_sipi;         /* an AP after reset or INIT */
    bool init_pending;
    int sipi_vector;        /* -1: none pending */
    bool shutdown;          /* triple-faulted: waits for the reset */
    bool halt_wait;         /* HLT returned; sleeping until ... */
    uint32_t halt_irq;      /* ... interrupt_request differs from this */
} SoftVCPU;

static struct {
    bool inited;
    Machine *m;
    APICBus *bus;
    SoftVCPU **vcpus;
    unsigned nr;

    /* A20 sources (BQL) */
    Device *piix3;
    bool kbd_a20;
    bool a20_enabled;

    /* the vCPU being executed, or NULL (BQL) */
    SoftVCPU *running;

    /* instructions per host ns, for the budget (vCPU thread only) */
    double ipns;
    int64_t last_handoff;

    /* soft_lock guards what follows; the thread waits on vcpu_cond,
     * callers on main_cond. Lock order: BQL, then soft_lock. */
    pthread_t thread;
    bool thread_started;
    bool stop_requested;
    bool quit_requested;
    bool parked;
    bool kicked;
    uint64_t handoff_seq, handoff_done;
} soft;

static pthread_mutex_t soft_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t vcpu_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t main_cond = PTHREAD_COND_INITIALIZER;
static __thread bool on_vcpu_thread;

bool soft_enabled(void)
{
    return soft.inited;
}

Device *soft_cpu_apic(X86CPU *cpu)
{
    SoftVCPU *v = cpu ? cpu->accel : NULL;

    return soft.inited && v ? v->apic : NULL;
}

/* ---- waking the vCPU thread ---- */

/* Something a sleeping vCPU may care about happened. Any thread. */
static void soft_kick(void)
{
    pthread_mutex_lock(&soft_lock);
    soft.kicked = true;
    pthread_cond_broadcast(&vcpu_cond);
    pthread_mutex_unlock(&soft_lock);
}

/* Makes x86_cpu_exec return at the next instruction boundary. */
static void soft_exit_request(X86CPU *cpu)
{
    __atomic_or_fetch(&cpu->interrupt_request, CPU_INTERRUPT_EXIT,
                      __ATOMIC_SEQ_CST);
}

/* ---- wiring: APIC outputs, PIC, IOAPIC, A20 ---- */

static void soft_apic_hook(void *opaque, APICSignal sig, int value)
{
    SoftVCPU *v = opaque;
    X86CPU *cpu = v->cpu;

    switch (sig) {
    case APIC_SIG_INTR:
        if (value) {
            __atomic_or_fetch(&cpu->interrupt_request, CPU_INTERRUPT_HARD,
                              __ATOMIC_SEQ_CST);
        } else {
            __atomic_and_fetch(&cpu->interrupt_request, ~CPU_INTERRUPT_HARD,
                               __ATOMIC_SEQ_CST);
        }
        break;
    case APIC_SIG_NMI:
        __atomic_or_fetch(&cpu->interrupt_request, CPU_INTERRUPT_NMI,
                          __ATOMIC_SEQ_CST);
        break;
    case APIC_SIG_INIT:
        /* A SIPI counts only after the INIT before it. */
        v->init_pending = true;
        v->sipi_vector = -1;
        soft_exit_request(cpu);     /* an INIT to itself stops it now */
        break;
    case APIC_SIG_SIPI:
        v->sipi_vector = value & 0xff;
        break;
    }
    soft_kick();
}

static int soft_intr_ack(void *opaque)
{
    SoftVCPU *v = opaque;

    return apic_acknowledge(v->apic);
}

/* Machine.cpu_intr: the 8259's INTR, wired to every LINT0. */
static void soft_pic_intr(void *opaque, int n, int level)
{
    for (unsigned i = 0; i < soft.nr; i++) {
        apic_set_lint(soft.vcpus[i]->apic, 0, level);
    }
}

static int soft_pic_ack(void *opaque)
{
    return i8259_acknowledge(opaque);
}

static void soft_ioapic_eoi(void *opaque, uint8_t vector)
{
    ioapic_eoi(opaque, vector);
}

/* Applies the A20 gate to every CPU if it changed (or force). BQL. */
static void soft_update_a20(bool force)
{
    bool enabled = soft.kbd_a20 ||
                   (soft.piix3 && piix3_a20_enabled(soft.piix3));

    if (enabled == soft.a20_enabled && !force) {
        return;
    }
    soft.a20_enabled = enabled;
    for (unsigned i = 0; i < soft.nr; i++) {
        soft.vcpus[i]->cpu->a20_disabled = !enabled;
        x86_cpu_flush_caches(soft.vcpus[i]->cpu);
    }
}

/* The i8042's A20 output. Applied between slices: if a CPU is running
 * (it wrote the output port), it stops after this instruction. */
static void soft_kbd_a20(void *opaque, int n, int level)
{
    soft.kbd_a20 = level;
    if (soft.running) {
        soft_exit_request(soft.running->cpu);
    } else {
        soft_update_a20(false);
    }
}

static Device *soft_find_device_type(Machine *m, const char *type)
{
    for (Device *d = m->devices; d; d = d->next) {
        if (!strcmp(d->type->name, type)) {
            return d;
        }
    }
    return NULL;
}

/* ---- vCPU state changes ---- */

/* Power-on state: the BSP at the reset vector, APs waiting for SIPI. */
static void soft_cpu_reset(SoftVCPU *v)
{
    X86CPU *cpu = v->cpu;

    x86_cpu_reset(cpu);
    cpu->a20_disabled = !soft.a20_enabled;
    __atomic_store_n(&cpu->interrupt_request,
                     apic_intr_pending(v->apic) ? CPU_INTERRUPT_HARD : 0,
                     __ATOMIC_SEQ_CST);
    v->wait_sipi = !(cpu->apic_base & MSR_IA32_APICBASE_BSP);
    v->init_pending = false;
    v->sipi_vector = -1;
    v->shutdown = false;
    v->halt_wait = false;
    x86_cpu_flush_caches(cpu);
}

/* INIT and SIPI, between slices ("Multiple-Processor Initialization
 * Protocol": INIT puts an AP in wait-for-SIPI, a SIPI starts it at
 * vector * 4096 in real mode; a SIPI not awaited is ignored). */
static void soft_cpu_events(SoftVCPU *v)
{
    X86CPU *cpu = v->cpu;

    if (v->init_pending) {
        bool bsp = cpu->apic_base & MSR_IA32_APICBASE_BSP;
        uint64_t apic_base = cpu->apic_base;
        uint32_t keep = __atomic_load_n(&cpu->interrupt_request,
                                        __ATOMIC_SEQ_CST) &
                        CPU_INTERRUPT_HARD;

        v->init_pending = false;
        x86_cpu_reset(cpu);
        cpu->apic_base = apic_base;     /* INIT leaves the MSR alone */
        cpu->a20_disabled = !soft.a20_enabled;
        __atomic_store_n(&cpu->interrupt_request, keep, __ATOMIC_SEQ_CST);
        v->wait_sipi = !bsp;
        v->halt_wait = false;
        x86_cpu_flush_caches(cpu);
    }
    if (v->sipi_vector >= 0) {
        if (v->wait_sipi) {
            SegmentCache *cs = &cpu->segs[R_CS];

            cs->selector = v->sipi_vector << 8;
            cs->base = (uint64_t)v->sipi_vector << 12;
            cs->limit = 0xffff;
            cpu->rip = 0;
            cpu->halted = false;
            v->wait_sipi = false;
            v->halt_wait = false;
            x86_cpu_flush_caches(cpu);
        }
        v->sipi_vector = -1;
    }
    apic_set_global_enable(v->apic,
                           cpu->apic_base & MSR_IA32_APICBASE_ENABLE);
}

/* ---- the run loop ---- */

/* How many instructions fit before the next deadline (ns, -1 none). */
static uint64_t soft_budget(int64_t deadline)
{
    int64_t ns = SOFT_SLICE_NS / (soft.nr ? soft.nr : 1);
    double n;

    if (deadline >= 0 && deadline < ns) {
        ns = deadline;
    }
    n = soft.ipns * ns;
    if (n < SOFT_MIN_BUDGET) {
        return SOFT_MIN_BUDGET;
    }
    return n > SOFT_MAX_BUDGET ? SOFT_MAX_BUDGET : (uint64_t)n;
}

static bool soft_stop_wanted(void)
{
    return __atomic_load_n(&soft.stop_requested, __ATOMIC_SEQ_CST) ||
           __atomic_load_n(&soft.quit_requested, __ATOMIC_SEQ_CST) ||
           runstate_exit_pending();
}

/* Runs one slice of v. Returns true if it executed anything. */
static bool soft_run_vcpu(SoftVCPU *v)
{
    X86CPU *cpu = v->cpu;
    uint32_t irq;
    uint64_t budget, icount0;
    int64_t t0, dt;
    X86ExecExit r;

    soft_cpu_events(v);
    if (v->shutdown || v->wait_sipi) {
        return false;
    }
    irq = __atomic_load_n(&cpu->interrupt_request, __ATOMIC_SEQ_CST) &
          ~CPU_INTERRUPT_EXIT;
    if (v->halt_wait && irq == v->halt_irq) {
        return false;       /* still halted: nothing new to wake it */
    }
    v->halt_wait = false;

    budget = soft_budget(timers_deadline_ns());
    icount0 = cpu->icount;
    t0 = clock_get_ns(CLOCK_HOST_MONOTONIC);
    soft.running = v;
    apic_set_current(v->apic);
    r = x86_cpu_exec(cpu, budget);
    apic_set_current(NULL);
    soft.running = NULL;
    __atomic_and_fetch(&cpu->interrupt_request, ~CPU_INTERRUPT_EXIT,
                       __ATOMIC_SEQ_CST);
    dt = clock_get_ns(CLOCK_HOST_MONOTONIC) - t0;
    if (dt > 50 * 1000 && cpu->icount - icount0 > SOFT_MIN_BUDGET) {
        double rate = (double)(cpu->icount - icount0) / dt;
        soft.ipns = 0.75 * soft.ipns + 0.25 * rate;
    }

    switch (r) {
    case X86_EXIT_HALTED:
        v->halt_wait = true;
        v->halt_irq = __atomic_load_n(&cpu->interrupt_request,
                                      __ATOMIC_SEQ_CST) &
                      ~CPU_INTERRUPT_EXIT;
        break;
    case X86_EXIT_SHUTDOWN:
        v->shutdown = true;
        system_triple_fault();
        break;
    case X86_EXIT_WAIT_SIPI:
        v->wait_sipi = true;
        break;
    case X86_EXIT_BUDGET:
    case X86_EXIT_REQUEST:
        break;
    }
    soft_update_a20(false);
    return cpu->icount != icount0 || r == X86_EXIT_BUDGET ||
           r == X86_EXIT_REQUEST;
}

/* One round over every vCPU, with the BQL. Returns true if none ran. */
static bool soft_run_round(void)
{
    bool ran = false;

    soft_update_a20(false);
    for (unsigned i = 0; i < soft.nr; i++) {
        if (soft_stop_wanted() || timers_deadline_ns() == 0) {
            return false;   /* not idle: the caller must look */
        }
        ran |= soft_run_vcpu(soft.vcpus[i]);
    }
    return !ran;
}

static void soft_handoff_cb(void *opaque)
{
    uint64_t seq = (uintptr_t)opaque;

    pthread_mutex_lock(&soft_lock);
    if (seq > soft.handoff_done) {
        soft.handoff_done = seq;
    }
    pthread_cond_broadcast(&vcpu_cond);
    pthread_mutex_unlock(&soft_lock);
}

/* Gives the BQL to the main loop for one iteration (see the top). Called
 * with the BQL; returns without it. */
static void soft_handoff(void)
{
    uint64_t seq;

    pthread_mutex_lock(&soft_lock);
    seq = ++soft.handoff_seq;
    pthread_mutex_unlock(&soft_lock);
    main_loop_call_soon(soft_handoff_cb, (void *)(uintptr_t)seq);
    bql_unlock();
    pthread_mutex_lock(&soft_lock);
    while (soft.handoff_done < seq && !soft.stop_requested &&
           !soft.quit_requested) {
        pthread_cond_wait(&vcpu_cond, &soft_lock);
    }
    pthread_mutex_unlock(&soft_lock);
    soft.last_handoff = clock_get_ns(CLOCK_HOST_MONOTONIC);
}

static void *soft_vcpu_thread(void *opaque)
{
    on_vcpu_thread = true;
    pthread_mutex_lock(&soft_lock);
    for (;;) {
        bool idle;
        int64_t now;

        while (soft.quit_requested || soft.stop_requested ||
               runstate_exit_pending()) {
            if (!soft.parked) {
                soft.parked = true;
                pthread_cond_broadcast(&main_cond);
            }
            if (soft.quit_requested) {
                pthread_mutex_unlock(&soft_lock);
                return NULL;
            }
            pthread_cond_wait(&vcpu_cond, &soft_lock);
        }
        soft.parked = false;
        soft.kicked = false;
        pthread_mutex_unlock(&soft_lock);

        bql_lock();
        idle = soft_run_round();
        now = clock_get_ns(CLOCK_HOST_MONOTONIC);
        if (!idle && (timers_deadline_ns() == 0 ||
                      now - soft.last_handoff >= SOFT_HANDOFF_NS)) {
            soft_handoff();
        } else {
            bql_unlock();
        }

        pthread_mutex_lock(&soft_lock);
        if (idle) {
            /* Every CPU halted: sleep until an APIC output or a state
             * change kicks us; the main loop runs the timers. */
            while (!soft.kicked && !soft.stop_requested &&
                   !soft.quit_requested && !runstate_exit_pending()) {
                pthread_cond_wait(&vcpu_cond, &soft_lock);
            }
        }
    }
}

/* ---- AccelOps ---- */

static bool soft_init(const char *opts, Error **errp)
{
    Opts *o;
    const char *s;
    bool ok;

    if (opts && *opts) {
        /* What follows "-accel tcg,". QEMU's tb-size sizes a
         * translation cache we do not have yet: accepted, ignored. */
        o = opts_parse(opts, NULL, errp);
        if (!o) {
            return false;
        }
        s = opts_get(o, "thread");
        if (s && strcmp(s, "single") != 0) {
            error_setg(errp, "-accel tcg,thread=%s is not supported: one "
                       "thread runs every vCPU (thread=single)", s);
            opts_free(o);
            return false;
        }
        opts_get(o, "tb-size");
        ok = opts_check_unused(o, errp);
        opts_free(o);
        if (!ok) {
            return false;
        }
    }
    memset(&soft, 0, sizeof(soft));
    soft.stop_requested = true;         /* vCPUs start paused */
    soft.parked = true;
    soft.ipns = SOFT_INITIAL_IPNS;
    soft.a20_enabled = true;
    soft.inited = true;
    return true;
}

static bool soft_false(void)
{
    return false;
}

static bool soft_start_vcpus(Machine *m, Error **errp)
{
    unsigned nr = m->nr_cpus ? m->nr_cpus : m->cfg.smp_cpus;
    Device *kbd;
    int ret;

    assert(soft.inited && !soft.nr);
    if (nr == 0) {
        nr = 1;
    }
    if (nr > 255) {
        error_setg(errp, "Number of SMP CPUs requested (%u) exceeds the "
                   "255 the software CPU's xAPIC can address", nr);
        return false;
    }
    soft.m = m;
    soft.bus = apic_bus_new(m->system_memory, m->pic ? soft_pic_ack : NULL,
                            m->pic);
    if (!m->cpus) {
        m->cpus = g_new0(X86CPU *, nr);
    }
    m->nr_cpus = nr;
    soft.vcpus = g_new0(SoftVCPU *, nr);
    for (unsigned i = 0; i < nr; i++) {
        SoftVCPU *v = g_new0(SoftVCPU, 1);
        X86CPU *cpu;
        char val[16];
        Device *apic = device_new("apic", errp);

        if (!apic) {
            return false;
        }
        if (!m->cpus[i]) {
            m->cpus[i] = g_new0(X86CPU, 1);
        }
        cpu = m->cpus[i];
        cpu->index = i;
        cpu->apic_id = i;
        cpu->accel = v;
        cpu->intr_ack = soft_intr_ack;
        cpu->intr_opaque = v;
        v->cpu = cpu;
        v->index = i;
        snprintf(val, sizeof(val), "%u", i);
        if (!device_set_prop(apic, "id", val, errp) ||
            !device_set_prop(apic, "bsp", i == 0 ? "on" : "off", errp)) {
            return false;
        }
        apic_attach(apic, soft.bus, soft_apic_hook, v);
        if (!machine_add_device(m, apic, errp)) {
            return false;
        }
        v->apic = apic;
        soft.vcpus[i] = v;
        soft.nr = i + 1;
    }

    /* Interrupt wiring: PIC -> LINT0, IOAPIC -> APIC bus, EOI back. */
    m->cpu_intr = irq_line(soft_pic_intr, NULL, 0);
    if (m->pic) {
        soft_pic_intr(NULL, 0, i8259_intr_pending(m->pic));
    }
    if (m->ioapic) {
        ioapic_set_deliver(m->ioapic, apic_bus_deliver, soft.bus);
        apic_bus_set_eoi(soft.bus, soft_ioapic_eoi, m->ioapic);
    }
    soft.piix3 = soft_find_device_type(m, "PIIX3");
    soft.kbd_a20 = false;
    kbd = soft_find_device_type(m, "i8042");
    if (kbd) {
        i8042_connect_a20(kbd, irq_line(soft_kbd_a20, NULL, 0));
    } else {
        soft.kbd_a20 = true;        /* no gate: A20 always on */
    }
    for (unsigned i = 0; i < nr; i++) {
        soft_cpu_reset(soft.vcpus[i]);
    }
    soft_update_a20(true);

    ret = pthread_create(&soft.thread, NULL, soft_vcpu_thread, NULL);
    if (ret) {
        error_setg(errp, "Could not create the vCPU thread: %s",
                   strerror(ret));
        return false;
    }
    soft.thread_started = true;
    return true;
}

/*
 * Stops the vCPU thread outside x86_cpu_exec and waits until it parked.
 * While the caller holds the BQL the thread cannot be inside
 * x86_cpu_exec (it runs guest code with the BQL), so dropping the BQL
 * and waiting is enough; the thread sees stop_requested before its next
 * slice. A call from the vCPU thread itself (a device callback inside a
 * slice) only ends the slice: the thread parks when it returns.
 */
static void soft_pause_vcpus(void)
{
    bool had_bql = bql_locked();

    pthread_mutex_lock(&soft_lock);
    __atomic_store_n(&soft.stop_requested, true, __ATOMIC_SEQ_CST);
    pthread_cond_broadcast(&vcpu_cond);
    if (!soft.thread_started) {
        pthread_mutex_unlock(&soft_lock);
        return;
    }
    if (on_vcpu_thread) {
        if (soft.running) {
            soft_exit_request(soft.running->cpu);
        }
        pthread_mutex_unlock(&soft_lock);
        return;
    }
    if (had_bql) {
        pthread_mutex_unlock(&soft_lock);
        bql_unlock();
        pthread_mutex_lock(&soft_lock);
    }
    while (!soft.parked) {
        pthread_cond_wait(&main_cond, &soft_lock);
    }
    pthread_mutex_unlock(&soft_lock);
    if (had_bql) {
        bql_lock();
    }
}

static void soft_resume_vcpus(void)
{
    pthread_mutex_lock(&soft_lock);
    __atomic_store_n(&soft.stop_requested, false, __ATOMIC_SEQ_CST);
    pthread_cond_broadcast(&vcpu_cond);
    pthread_mutex_unlock(&soft_lock);
}

/* With the BQL, after machine_reset_devices (the APICs are reset). */
static void soft_reset_vcpus(Machine *m)
{
    for (unsigned i = 0; i < soft.nr; i++) {
        soft_cpu_reset(soft.vcpus[i]);
    }
    soft_update_a20(true);
    soft_kick();
}

static void soft_shutdown(void)
{
    bool had_bql = bql_locked();

    if (!soft.inited) {
        return;
    }
    if (soft.thread_started) {
        pthread_mutex_lock(&soft_lock);
        __atomic_store_n(&soft.quit_requested, true, __ATOMIC_SEQ_CST);
        pthread_cond_broadcast(&vcpu_cond);
        pthread_mutex_unlock(&soft_lock);
        if (had_bql) {
            bql_unlock();
        }
        pthread_join(soft.thread, NULL);
        if (had_bql) {
            bql_lock();
        }
        soft.thread_started = false;
    }
    if (soft.m) {
        soft.m->cpu_intr = irq_line(NULL, NULL, 0);
        if (soft.m->ioapic) {
            ioapic_set_deliver(soft.m->ioapic, NULL, NULL);
        }
    }
    for (unsigned i = 0; i < soft.nr; i++) {
        apic_attach(soft.vcpus[i]->apic, soft.bus, NULL, NULL);
        soft.vcpus[i]->cpu->accel = NULL;
        soft.vcpus[i]->cpu->intr_ack = NULL;
        g_free(soft.vcpus[i]);
    }
    g_free(soft.vcpus);
    soft.vcpus = NULL;
    soft.nr = 0;
    /* The APICs stay in the machine's device list, the bus with them. */
    soft.inited = false;
}

const AccelOps soft_accel_ops = {
    .name = "tcg",
    .init = soft_init,
    .irqchip_in_kernel = soft_false,
    .pit_in_kernel = soft_false,
    .start_vcpus = soft_start_vcpus,
    .pause_vcpus = soft_pause_vcpus,
    .resume_vcpus = soft_resume_vcpus,
    .reset_vcpus = soft_reset_vcpus,
    .shutdown = soft_shutdown,
};
