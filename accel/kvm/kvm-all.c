/*
 * The KVM accelerator: the VM, one thread per vCPU, the run loop and the
 * pause protocol (api.rst: "The Definitive KVM API Documentation").
 *
 * Start-up: init opens /dev/kvm, checks the API version and the
 * capabilities we rely on, creates the VM, places the pages the kernel
 * needs for real mode on Intel hosts without unrestricted guest, creates
 * the in-kernel irqchip and PIT, and starts mirroring RAM into memory
 * slots. start_vcpus then starts one thread per vCPU; each thread
 * creates its own vCPU (api.rst asks vCPU ioctls to come from one
 * thread), maps its kvm_run area, installs the CPUID model and the reset
 * state, and parks.
 *
 * Run loop: KVM_RUN until an exit needs us. Port and MMIO exits are
 * dispatched to address_space_io / address_space_memory under the BQL
 * (string I/O repeats `count` times). A triple fault asks the main loop
 * for a reset and parks the vCPU until it comes. An exit we cannot
 * handle prints the reason and the registers and stops the VM
 * (RUN_STATE_INTERNAL_ERROR); the process goes on, so the monitor can
 * still look.
 *
 * Pause protocol. kvm_lock guards every vCPU's park state and work item;
 * vCPU threads wait on vcpu_cond, callers wait on main_cond.
 *   pause: set stop_requested, kick every thread, drop the BQL (a vCPU
 *          may be waiting for it to finish an exit), wait until every
 *          thread has parked, take the BQL again.
 *   kick:  set kvm_run->immediate_exit, then pthread_kill(KVM_SIG_IPI).
 *          The signal is blocked in vCPU threads except inside KVM_RUN
 *          (KVM_SET_SIGNAL_MASK), so it interrupts KVM_RUN and never a
 *          device's system call. The classic race -- the kick lands
 *          after the thread checked stop_requested but before it entered
 *          KVM_RUN -- is closed twice: the thread clears immediate_exit
 *          before it checks the flags under kvm_lock, so a later kick's
 *          immediate_exit = 1 makes KVM_RUN return at once; and a signal
 *          sent meanwhile stays pending and is delivered as soon as
 *          KVM_RUN unblocks it. The thread then takes the signal off
 *          with sigtimedwait (kvm_eat_signals).
 *   park:  a thread parks only between exits. If its last exit was port
 *          I/O or MMIO, the kernel finishes that instruction only on the
 *          next KVM_RUN, so the thread first runs KVM_RUN with
 *          immediate_exit set (which completes it and returns EINTR):
 *          registers read while parked are then consistent.
 *   work:  run_on_vcpu() hands a function to a vCPU's thread (reset,
 *          register transfer) and waits for it.
 * A vCPU thread that calls pause itself (vm_stop from an exit handler)
 * counts as parked while it waits.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "accel/accel.h"
#include "accel/kvm.h"
#include "accel/kvm/kvm-int.h"
#include "hw/machine.h"
#include "pcemu/opts.h"
#include "softmmu/main-loop.h"
#include "softmmu/runstate.h"

KVMState kvm_state = { .fd = -1, .vm_fd = -1 };
static bool kvm_inited;

static pthread_mutex_t kvm_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t vcpu_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t main_cond = PTHREAD_COND_INITIALIZER;
static bool stop_requested = true;      /* vCPUs start paused */
static bool quit_requested;

static __thread KVMVCPU *current_vcpu;

/* kvmclock while paused (see kvm_clock_freeze). */
static struct kvm_clock_data saved_clock;
static bool clock_saved;

/* ---- ioctl helpers ---- */

void kvm_err_ioctl(Error **errp, const char *name)
{
    error_setg(errp, "%s failed: %s", name, strerror(errno));
}

static int kvm_ioctl_retry(int fd, unsigned long req, void *arg)
{
    int ret;

    do {
        ret = ioctl(fd, req, arg);
    } while (ret < 0 && errno == EINTR);
    return ret;
}

int kvm_vm_ioctl(unsigned long req, void *arg)
{
    return kvm_ioctl_retry(kvm_state.vm_fd, req, arg);
}

int kvm_vcpu_ioctl(KVMVCPU *v, unsigned long req, void *arg)
{
    return kvm_ioctl_retry(v->fd, req, arg);
}

int kvm_check_extension(long cap)
{
    int fd = kvm_state.vm_fd >= 0 ? kvm_state.vm_fd : kvm_state.fd;
    int ret = ioctl(fd, KVM_CHECK_EXTENSION, cap);

    return ret < 0 ? 0 : ret;
}

bool kvm_enabled(void)
{
    return kvm_inited;
}

/* ---- init ---- */

static const struct {
    long cap;
    const char *name;
    const char *why;
} kvm_required_caps[] = {
    { KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY", "guest RAM" },
    { KVM_CAP_READONLY_MEM, "KVM_CAP_READONLY_MEM", "ROM and flash" },
    { KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP", "the in-kernel PIC and IOAPIC" },
    { KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING", "GSI routing" },
    { KVM_CAP_PIT2, "KVM_CAP_PIT2", "the in-kernel PIT" },
    { KVM_CAP_PIT_STATE2, "KVM_CAP_PIT_STATE2", "PIT reset" },
    { KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT", "pausing vCPUs" },
    { KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID", "the CPUID model" },
    { KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE", "SMP start-up" },
    { KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR", "real mode on Intel" },
};

static bool kvm_parse_opts(const char *str, Error **errp)
{
    Opts *o;
    const char *s;
    bool ok = false;

    if (!str || !*str) {
        return true;
    }
    /* What follows "-accel kvm,". */
    o = opts_parse(str, NULL, errp);
    if (!o) {
        return false;
    }
    s = opts_get(o, "kernel-irqchip");
    if (s && strcmp(s, "on") != 0 && strcmp(s, "yes") != 0 &&
        strcmp(s, "true") != 0) {
        error_setg(errp, "kernel-irqchip=%s is not supported: pcemu's KVM "
                   "back end always uses the in-kernel irqchip "
                   "(kernel-irqchip=on)", s);
        goto out;
    }
    ok = opts_check_unused(o, errp);
out:
    opts_free(o);
    return ok;
}

static void kvm_sig_ipi_handler(int sig)
{
    /* Only there to interrupt KVM_RUN (EINTR); immediate_exit, set
     * before the signal is sent, does the rest. */
}

static bool kvm_open_dev(Error **errp)
{
    kvm_state.fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (kvm_state.fd >= 0) {
        return true;
    }
    switch (errno) {
    case EACCES:
    case EPERM:
        error_setg(errp, "Could not access KVM kernel module: %s "
                   "(add your user to the 'kvm' group, which owns "
                   "/dev/kvm, or use -accel tcg)", strerror(errno));
        break;
    case ENOENT:
    case ENODEV:
    case ENXIO:
        error_setg(errp, "Could not access KVM kernel module: %s "
                   "(is the kvm module loaded? use -accel tcg)",
                   strerror(errno));
        break;
    default:
        error_setg(errp, "Could not access KVM kernel module: %s "
                   "(use -accel tcg)", strerror(errno));
    }
    return false;
}

static bool kvm_check_caps(Error **errp)
{
    unsigned i;
    int api = ioctl(kvm_state.fd, KVM_GET_API_VERSION, 0);

    if (api < 0) {
        kvm_err_ioctl(errp, "KVM_GET_API_VERSION");
        return false;
    }
    if (api != KVM_API_VERSION_REQUIRED) {
        error_setg(errp, "KVM API version %d is not supported (pcemu needs "
                   "version %d)", api, KVM_API_VERSION_REQUIRED);
        return false;
    }
    for (i = 0; i < ARRAY_SIZE(kvm_required_caps); i++) {
        if (ioctl(kvm_state.fd, KVM_CHECK_EXTENSION,
                  kvm_required_caps[i].cap) <= 0) {
            error_setg(errp, "KVM lacks the capability %s, needed for %s "
                       "(the host kernel is too old; use -accel tcg)",
                       kvm_required_caps[i].name, kvm_required_caps[i].why);
            return false;
        }
    }
    return true;
}

static bool kvm_query_host(Error **errp)
{
    int nent = 128;

    kvm_state.vcpu_mmap_size = ioctl(kvm_state.fd, KVM_GET_VCPU_MMAP_SIZE,
                                     0);
    if (kvm_state.vcpu_mmap_size < (int)sizeof(struct kvm_run)) {
        kvm_err_ioctl(errp, "KVM_GET_VCPU_MMAP_SIZE");
        return false;
    }
    /* The kernel answers E2BIG until the array is big enough. */
    for (;;) {
        struct kvm_cpuid2 *c = g_malloc0(sizeof(*c) +
                                         nent * sizeof(c->entries[0]));

        c->nent = nent;
        if (ioctl(kvm_state.fd, KVM_GET_SUPPORTED_CPUID, c) == 0) {
            kvm_state.supported_cpuid = c;
            break;
        }
        g_free(c);
        if (errno != E2BIG || nent >= 4096) {
            kvm_err_ioctl(errp, "KVM_GET_SUPPORTED_CPUID");
            return false;
        }
        nent *= 2;
    }
    {
        struct kvm_msr_list probe = { .nmsrs = 0 };
        struct kvm_msr_list *l;

        /* The first call fails with E2BIG and tells the count. */
        if (ioctl(kvm_state.fd, KVM_GET_MSR_INDEX_LIST, &probe) < 0 &&
            errno != E2BIG) {
            kvm_err_ioctl(errp, "KVM_GET_MSR_INDEX_LIST");
            return false;
        }
        l = g_malloc0(sizeof(*l) + probe.nmsrs * sizeof(l->indices[0]));
        l->nmsrs = probe.nmsrs;
        if (ioctl(kvm_state.fd, KVM_GET_MSR_INDEX_LIST, l) < 0) {
            kvm_err_ioctl(errp, "KVM_GET_MSR_INDEX_LIST");
            g_free(l);
            return false;
        }
        kvm_state.msr_list = l;
    }
    return true;
}

static bool kvm_create_vm(Error **errp)
{
    uint64_t identity = KVM_IDENTITY_MAP_ADDR;

    kvm_state.vm_fd = kvm_ioctl_retry(kvm_state.fd, KVM_CREATE_VM, 0);
    if (kvm_state.vm_fd < 0) {
        kvm_err_ioctl(errp, "KVM_CREATE_VM");
        return false;
    }
    kvm_state.max_vcpus = kvm_check_extension(KVM_CAP_MAX_VCPUS);
    if (!kvm_state.max_vcpus) {
        kvm_state.max_vcpus = kvm_check_extension(KVM_CAP_NR_VCPUS);
    }
    if (!kvm_state.max_vcpus) {
        kvm_state.max_vcpus = 4;    /* api.rst: if neither is there */
    }
    kvm_state.max_vcpu_id = kvm_check_extension(KVM_CAP_MAX_VCPU_ID);
    if (!kvm_state.max_vcpu_id) {
        kvm_state.max_vcpu_id = kvm_state.max_vcpus;
    }
    kvm_state.nr_memslots = kvm_check_extension(KVM_CAP_NR_MEMSLOTS);
    if (!kvm_state.nr_memslots) {
        kvm_state.nr_memslots = 32;
    }
    kvm_state.have_xsave = kvm_check_extension(KVM_CAP_XSAVE) > 0;
    kvm_state.have_xcrs = kvm_check_extension(KVM_CAP_XCRS) > 0;
    kvm_state.have_debugregs = kvm_check_extension(KVM_CAP_DEBUGREGS) > 0;
    kvm_state.have_vcpu_events =
        kvm_check_extension(KVM_CAP_VCPU_EVENTS) > 0;
    kvm_state.have_adjust_clock =
        kvm_check_extension(KVM_CAP_ADJUST_CLOCK) > 0;

    /* Before any vCPU exists (api.rst, KVM_SET_IDENTITY_MAP_ADDR). */
    if (kvm_check_extension(KVM_CAP_SET_IDENTITY_MAP_ADDR) &&
        kvm_vm_ioctl(KVM_SET_IDENTITY_MAP_ADDR, &identity) < 0) {
        kvm_err_ioctl(errp, "KVM_SET_IDENTITY_MAP_ADDR");
        return false;
    }
    /* KVM_SET_TSS_ADDR takes the address itself, not a pointer. */
    if (ioctl(kvm_state.vm_fd, KVM_SET_TSS_ADDR,
              (unsigned long)KVM_TSS_ADDR) < 0) {
        kvm_err_ioctl(errp, "KVM_SET_TSS_ADDR");
        return false;
    }
    return true;
}

static void kvm_release(void)
{
    if (kvm_state.vm_fd >= 0) {
        close(kvm_state.vm_fd);
        kvm_state.vm_fd = -1;
    }
    if (kvm_state.fd >= 0) {
        close(kvm_state.fd);
        kvm_state.fd = -1;
    }
    g_free(kvm_state.supported_cpuid);
    g_free(kvm_state.msr_list);
    kvm_state.supported_cpuid = NULL;
    kvm_state.msr_list = NULL;
}

static bool kvm_init(const char *opts, Error **errp)
{
    struct sigaction sa;

    assert(!kvm_inited);
    if (!kvm_parse_opts(opts, errp) || !kvm_open_dev(errp)) {
        return false;
    }
    if (!kvm_check_caps(errp) || !kvm_query_host(errp) ||
        !kvm_create_vm(errp) || !kvm_irqchip_create(errp)) {
        kvm_release();
        return false;
    }

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = kvm_sig_ipi_handler;
    sigemptyset(&sa.sa_mask);
    sigaction(KVM_SIG_IPI, &sa, NULL);

    kvm_mem_init();
    stop_requested = true;
    quit_requested = false;
    kvm_inited = true;
    return true;
}

bool kvm_hardware_backed(void)
{
    char *text = NULL;
    bool vmx = false;
    int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

    if (fd < 0) {
        return false;
    }
    close(fd);
    if (g_file_get_contents("/proc/cpuinfo", &text, NULL, NULL)) {
        char **lines = g_strsplit(text, "\n", -1);
        unsigned i;

        for (i = 0; lines[i] && !vmx; i++) {
            char **words;
            unsigned j;

            if (!g_str_has_prefix(lines[i], "flags")) {
                continue;
            }
            words = g_strsplit_set(lines[i], " \t:", -1);
            for (j = 0; words[j]; j++) {
                if (!strcmp(words[j], "vmx") || !strcmp(words[j], "svm")) {
                    vmx = true;
                }
            }
            g_strfreev(words);
            break;          /* every CPU has the same flags */
        }
        g_strfreev(lines);
        g_free(text);
    }
    return vmx;
}

/* ---- kicking and working on vCPU threads ---- */

/* Called with kvm_lock held. */
static void kvm_kick(KVMVCPU *v)
{
    if (v->run) {
        __atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
    }
    if (v->thread_started && v != current_vcpu) {
        pthread_kill(v->thread, KVM_SIG_IPI);
    }
}

/*
 * Runs fn(v, data) on the thread of each of the n vCPUs, all at once, and
 * waits until every one has done it. If a vCPU may be running, the BQL
 * is dropped while waiting: its thread might be waiting for the BQL to
 * finish an exit before it can look at the work item.
 */
static void run_on_vcpus(KVMVCPU *const *vcpus, unsigned n,
                         void (*fn)(KVMVCPU *v, void *data), void *data)
{
    uint64_t *seq = g_new(uint64_t, n);
    bool had_bql = bql_locked(), drop = false;
    unsigned i;

    pthread_mutex_lock(&kvm_lock);
    for (i = 0; i < n; i++) {
        KVMVCPU *v = vcpus[i];

        if (v != current_vcpu && !(stop_requested && v->parked)) {
            drop = had_bql;
        }
    }
    if (drop) {
        pthread_mutex_unlock(&kvm_lock);
        bql_unlock();
        pthread_mutex_lock(&kvm_lock);
    }
    for (i = 0; i < n; i++) {
        KVMVCPU *v = vcpus[i];

        if (v == current_vcpu) {
            continue;
        }
        while (v->work_fn) {
            pthread_cond_wait(&main_cond, &kvm_lock);
        }
        v->work_fn = fn;
        v->work_data = data;
        seq[i] = v->work_seq;
        kvm_kick(v);
    }
    pthread_cond_broadcast(&vcpu_cond);
    if (current_vcpu) {
        for (i = 0; i < n; i++) {
            if (vcpus[i] == current_vcpu) {
                pthread_mutex_unlock(&kvm_lock);
                fn(current_vcpu, data);
                pthread_mutex_lock(&kvm_lock);
            }
        }
    }
    for (i = 0; i < n; i++) {
        while (vcpus[i] != current_vcpu && vcpus[i]->work_seq == seq[i]) {
            pthread_cond_wait(&main_cond, &kvm_lock);
        }
    }
    pthread_mutex_unlock(&kvm_lock);
    if (drop) {
        bql_lock();
    }
    g_free(seq);
}

static void run_on_vcpu(KVMVCPU *v, void (*fn)(KVMVCPU *v, void *data),
                        void *data)
{
    run_on_vcpus(&v, 1, fn, data);
}

/* ---- exits ---- */

static const char *kvm_exit_name(uint32_t reason)
{
    static const char *const names[] = {
        [KVM_EXIT_UNKNOWN] = "KVM_EXIT_UNKNOWN",
        [KVM_EXIT_EXCEPTION] = "KVM_EXIT_EXCEPTION",
        [KVM_EXIT_IO] = "KVM_EXIT_IO",
        [KVM_EXIT_HYPERCALL] = "KVM_EXIT_HYPERCALL",
        [KVM_EXIT_DEBUG] = "KVM_EXIT_DEBUG",
        [KVM_EXIT_HLT] = "KVM_EXIT_HLT",
        [KVM_EXIT_MMIO] = "KVM_EXIT_MMIO",
        [KVM_EXIT_IRQ_WINDOW_OPEN] = "KVM_EXIT_IRQ_WINDOW_OPEN",
        [KVM_EXIT_SHUTDOWN] = "KVM_EXIT_SHUTDOWN",
        [KVM_EXIT_FAIL_ENTRY] = "KVM_EXIT_FAIL_ENTRY",
        [KVM_EXIT_INTR] = "KVM_EXIT_INTR",
        [KVM_EXIT_SET_TPR] = "KVM_EXIT_SET_TPR",
        [KVM_EXIT_TPR_ACCESS] = "KVM_EXIT_TPR_ACCESS",
        [KVM_EXIT_NMI] = "KVM_EXIT_NMI",
        [KVM_EXIT_INTERNAL_ERROR] = "KVM_EXIT_INTERNAL_ERROR",
        [KVM_EXIT_SYSTEM_EVENT] = "KVM_EXIT_SYSTEM_EVENT",
        [KVM_EXIT_IOAPIC_EOI] = "KVM_EXIT_IOAPIC_EOI",
        [KVM_EXIT_HYPERV] = "KVM_EXIT_HYPERV",
        [KVM_EXIT_X86_RDMSR] = "KVM_EXIT_X86_RDMSR",
        [KVM_EXIT_X86_WRMSR] = "KVM_EXIT_X86_WRMSR",
    };

    if (reason < ARRAY_SIZE(names) && names[reason]) {
        return names[reason];
    }
    return "unknown exit";
}

static void kvm_stop_on_error(void *opaque)
{
    if (runstate_is_running()) {
        vm_stop(RUN_STATE_INTERNAL_ERROR);
    }
}

/*
 * An exit we cannot handle: report it with the registers, park this
 * vCPU and ask the main loop to stop the VM. Never exit(): the user may
 * want to look at the machine from the monitor.
 */
static void PRINTF_FMT(2, 3) kvm_vcpu_fail(KVMVCPU *v, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_report("KVM: vCPU %u: %s", v->index, msg);
    g_free(msg);
    kvm_cpu_dump_state(v, stderr);

    pthread_mutex_lock(&kvm_lock);
    v->failed = true;
    pthread_mutex_unlock(&kvm_lock);
    bql_lock();
    main_loop_call_soon(kvm_stop_on_error, NULL);
    main_loop_wakeup();
    bql_unlock();
}

static void kvm_handle_io(KVMVCPU *v)
{
    struct kvm_run *run = v->run;
    unsigned size = run->io.size, i;
    uint64_t len = (uint64_t)size * run->io.count;
    uint8_t *data;

    /* The kernel keeps these inside the kvm_run mapping; check anyway
     * rather than trust a pointer into our memory. */
    if ((size != 1 && size != 2 && size != 4) ||
        run->io.data_offset > (uint64_t)kvm_state.vcpu_mmap_size ||
        len > kvm_state.vcpu_mmap_size - run->io.data_offset) {
        kvm_vcpu_fail(v, "KVM_EXIT_IO with bad size %u, count %u, offset "
                      "0x%llx", size, run->io.count,
                      (unsigned long long)run->io.data_offset);
        return;
    }
    data = (uint8_t *)run + run->io.data_offset;
    bql_lock();
    for (i = 0; i < run->io.count; i++, data += size) {
        uint64_t val = 0;

        if (run->io.direction == KVM_EXIT_IO_OUT) {
            memcpy(&val, data, size);
            address_space_st(&address_space_io, run->io.port, val, size);
        } else {
            val = address_space_ld(&address_space_io, run->io.port, size);
            memcpy(data, &val, size);
        }
    }
    bql_unlock();
}

static void kvm_handle_mmio(KVMVCPU *v)
{
    struct kvm_run *run = v->run;
    uint64_t addr = run->mmio.phys_addr, val = 0;
    unsigned len = run->mmio.len, i;

    if (len == 0 || len > sizeof(run->mmio.data)) {
        kvm_vcpu_fail(v, "KVM_EXIT_MMIO with bad length %u", len);
        return;
    }
    bql_lock();
    if (len == 1 || len == 2 || len == 4 || len == 8) {
        if (run->mmio.is_write) {
            memcpy(&val, run->mmio.data, len);
            address_space_st(&address_space_memory, addr, val, len);
        } else {
            val = address_space_ld(&address_space_memory, addr, len);
            memcpy(run->mmio.data, &val, len);
        }
    } else {
        /* A piece of an access the kernel split at a page boundary. */
        for (i = 0; i < len; i++) {
            if (run->mmio.is_write) {
                address_space_st(&address_space_memory, addr + i,
                                 run->mmio.data[i], 1);
            } else {
                run->mmio.data[i] =
                    address_space_ld(&address_space_memory, addr + i, 1);
            }
        }
    }
    bql_unlock();
}

static void kvm_handle_system_event(KVMVCPU *v)
{
    switch (v->run->system_event.type) {
    case KVM_SYSTEM_EVENT_SHUTDOWN:
        bql_lock();
        system_shutdown_request(SHUTDOWN_CAUSE_GUEST_SHUTDOWN);
        bql_unlock();
        break;
    case KVM_SYSTEM_EVENT_RESET:
        bql_lock();
        system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
        bql_unlock();
        break;
    default:
        kvm_vcpu_fail(v, "KVM_EXIT_SYSTEM_EVENT of type %u",
                      v->run->system_event.type);
    }
}

/*
 * A kick that reached KVM_RUN made it return EINTR, but the signal is
 * still pending: the kernel blocks it again on the way out (our thread
 * mask), so no handler ran. Take it off, or every later KVM_RUN would
 * return EINTR at once.
 */
static void kvm_eat_signals(void)
{
    static const struct timespec zero = { 0, 0 };
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, KVM_SIG_IPI);
    while (sigtimedwait(&set, NULL, &zero) > 0) {
        /* one more */
    }
}

/* One KVM_RUN and the handling of its exit. */
static void kvm_vcpu_exec(KVMVCPU *v)
{
    struct kvm_run *run = v->run;
    int ret = ioctl(v->fd, KVM_RUN, 0);

    /* Whatever KVM_RUN returned, it finished the previous I/O first. */
    v->io_pending = false;
    if (ret < 0) {
        if (errno == EINTR || errno == EAGAIN) {
            kvm_eat_signals();  /* kicked */
            return;
        }
        kvm_vcpu_fail(v, "KVM_RUN failed: %s", strerror(errno));
        return;
    }
    switch (run->exit_reason) {
    case KVM_EXIT_IO:
        kvm_handle_io(v);
        v->io_pending = true;
        break;
    case KVM_EXIT_MMIO:
        kvm_handle_mmio(v);
        v->io_pending = true;
        break;
    case KVM_EXIT_SHUTDOWN:
        /* Triple fault. The vCPU cannot run again before a reset. */
        pthread_mutex_lock(&kvm_lock);
        v->shutdown = true;
        pthread_mutex_unlock(&kvm_lock);
        bql_lock();
        system_triple_fault();
        main_loop_wakeup();
        bql_unlock();
        break;
    case KVM_EXIT_INTR:
        break;
    case KVM_EXIT_HLT:
        /* Only without an in-kernel LAPIC, which we always have. */
        break;
    case KVM_EXIT_SYSTEM_EVENT:
        kvm_handle_system_event(v);
        break;
    case KVM_EXIT_FAIL_ENTRY:
        kvm_vcpu_fail(v, "KVM_EXIT_FAIL_ENTRY: hardware entry failure "
                      "reason 0x%llx",
                      (unsigned long long)
                      run->fail_entry.hardware_entry_failure_reason);
        break;
    case KVM_EXIT_INTERNAL_ERROR: {
        GString *s = g_string_new(NULL);
        uint32_t i;

        for (i = 0; i < run->internal.ndata &&
                    i < ARRAY_SIZE(run->internal.data); i++) {
            g_string_append_printf(s, " 0x%llx",
                (unsigned long long)run->internal.data[i]);
        }
        kvm_vcpu_fail(v, "KVM_EXIT_INTERNAL_ERROR: suberror %u%s%s%s",
                      run->internal.suberror,
                      run->internal.suberror ==
                          KVM_INTERNAL_ERROR_EMULATION ?
                          " (instruction emulation failed)" : "",
                      s->len ? ", data" : "", s->str);
        g_string_free(s, true);
        break;
    }
    default:
        kvm_vcpu_fail(v, "%s (exit reason %u) is not handled",
                      kvm_exit_name(run->exit_reason), run->exit_reason);
    }
}

/* ---- vCPU threads ---- */

static bool kvm_vcpu_setup(KVMVCPU *v, unsigned nr_cpus, Error **errp)
{
    struct kvm_signal_mask *mask;
    sigset_t set;
    void *run;
    int ret;

    v->fd = kvm_ioctl_retry(kvm_state.vm_fd, KVM_CREATE_VCPU,
                            (void *)(uintptr_t)v->cpu->apic_id);
    if (v->fd < 0) {
        kvm_err_ioctl(errp, "KVM_CREATE_VCPU");
        return false;
    }
    run = mmap(NULL, kvm_state.vcpu_mmap_size, PROT_READ | PROT_WRITE,
               MAP_SHARED, v->fd, 0);
    if (run == MAP_FAILED) {
        error_setg(errp, "mmap of the vCPU %u kvm_run area failed: %s",
                   v->index, strerror(errno));
        return false;
    }
    pthread_mutex_lock(&kvm_lock);
    v->run = run;
    pthread_mutex_unlock(&kvm_lock);

    /* Inside KVM_RUN, everything this thread blocks except the kick.
     * The kernel's sigset is the first 8 bytes of glibc's on x86-64. */
    pthread_sigmask(SIG_BLOCK, NULL, &set);
    sigdelset(&set, KVM_SIG_IPI);
    mask = g_malloc0(sizeof(*mask) + 8);
    mask->len = 8;
    memcpy(mask->sigset, &set, 8);
    ret = kvm_vcpu_ioctl(v, KVM_SET_SIGNAL_MASK, mask);
    g_free(mask);
    if (ret < 0) {
        kvm_err_ioctl(errp, "KVM_SET_SIGNAL_MASK");
        return false;
    }
    return kvm_cpu_init_model(v, nr_cpus, errp) && kvm_cpu_reset(v, errp);
}

typedef struct VCPUStart {
    KVMVCPU *v;
    unsigned nr_cpus;
} VCPUStart;

static void *kvm_vcpu_thread(void *opaque)
{
    VCPUStart *start = opaque;
    KVMVCPU *v = start->v;
    Error *err = NULL;
    bool ok;

    current_vcpu = v;
    ok = kvm_vcpu_setup(v, start->nr_cpus, &err);
    g_free(start);

    pthread_mutex_lock(&kvm_lock);
    v->init_done = true;
    v->init_err = err;
    pthread_cond_broadcast(&main_cond);
    if (!ok) {
        v->parked = true;
        pthread_mutex_unlock(&kvm_lock);
        return NULL;
    }
    for (;;) {
        /* Before the flags are checked: see the pause protocol above. */
        __atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
        while (quit_requested || v->work_fn || stop_requested ||
               v->shutdown || v->failed || runstate_exit_pending()) {
            if (v->io_pending && !quit_requested) {
                pthread_mutex_unlock(&kvm_lock);
                __atomic_store_n(&v->run->immediate_exit, 1,
                                 __ATOMIC_SEQ_CST);
                kvm_vcpu_exec(v);
                pthread_mutex_lock(&kvm_lock);
                continue;
            }
            if (v->work_fn) {
                void (*fn)(KVMVCPU *, void *) = v->work_fn;

                pthread_mutex_unlock(&kvm_lock);
                fn(v, v->work_data);
                pthread_mutex_lock(&kvm_lock);
                v->work_fn = NULL;
                v->work_seq++;
                pthread_cond_broadcast(&main_cond);
                continue;
            }
            if (quit_requested) {
                v->parked = true;
                pthread_cond_broadcast(&main_cond);
                pthread_mutex_unlock(&kvm_lock);
                return NULL;
            }
            if (!v->parked) {
                v->parked = true;
                pthread_cond_broadcast(&main_cond);
            }
            pthread_cond_wait(&vcpu_cond, &kvm_lock);
        }
        v->parked = false;
        pthread_mutex_unlock(&kvm_lock);
        kvm_vcpu_exec(v);
        pthread_mutex_lock(&kvm_lock);
    }
}

/* Called with kvm_lock held. */
static bool kvm_all_parked(void)
{
    unsigned i;

    for (i = 0; i < kvm_state.nr_vcpus; i++) {
        KVMVCPU *v = kvm_state.vcpus[i];

        if (!v->parked && v != current_vcpu) {
            return false;
        }
    }
    return true;
}

/*
 * The guest's paravirtual clock (kvmclock) counts host time. Like our
 * virtual clock it must not advance while the VM is stopped, or a guest
 * resumed after a long pause sees its timers all expired at once (and
 * Linux reports soft lockups). QEMU freezes it the same way.
 */
static void kvm_clock_freeze(void)
{
    if (!kvm_state.have_adjust_clock || clock_saved) {
        return;
    }
    memset(&saved_clock, 0, sizeof(saved_clock));
    if (kvm_vm_ioctl(KVM_GET_CLOCK, &saved_clock) < 0) {
        error_report("KVM_GET_CLOCK failed: %s", strerror(errno));
        return;
    }
    clock_saved = true;
}

static void kvm_clock_thaw(void)
{
    struct kvm_clock_data data = { .clock = saved_clock.clock };

    if (!clock_saved) {
        return;
    }
    clock_saved = false;
    if (kvm_vm_ioctl(KVM_SET_CLOCK, &data) < 0) {
        error_report("KVM_SET_CLOCK failed: %s", strerror(errno));
    }
}

static void kvm_pause_vcpus(void)
{
    bool had_bql = bql_locked();
    unsigned i;

    pthread_mutex_lock(&kvm_lock);
    stop_requested = true;
    for (i = 0; i < kvm_state.nr_vcpus; i++) {
        kvm_kick(kvm_state.vcpus[i]);
    }
    if (had_bql) {
        pthread_mutex_unlock(&kvm_lock);
        bql_unlock();
        pthread_mutex_lock(&kvm_lock);
    }
    if (current_vcpu) {
        current_vcpu->parked = true;
        pthread_cond_broadcast(&main_cond);
    }
    while (!kvm_all_parked()) {
        pthread_cond_wait(&main_cond, &kvm_lock);
    }
    if (current_vcpu) {
        /* It parks for real when its exit handler returns. */
        current_vcpu->parked = false;
    }
    pthread_mutex_unlock(&kvm_lock);
    if (had_bql) {
        bql_lock();
    }
    kvm_clock_freeze();
}

static void kvm_resume_vcpus(void)
{
    unsigned i;

    kvm_clock_thaw();
    pthread_mutex_lock(&kvm_lock);
    stop_requested = false;
    for (i = 0; i < kvm_state.nr_vcpus; i++) {
        /* "cont" after an internal error tries again, as QEMU does; a
         * triple-faulted vCPU waits for the reset. */
        kvm_state.vcpus[i]->failed = false;
    }
    pthread_cond_broadcast(&vcpu_cond);
    pthread_mutex_unlock(&kvm_lock);
}

static void kvm_reset_work(KVMVCPU *v, void *data)
{
    Error *err = NULL;

    if (!kvm_cpu_reset(v, &err)) {
        error_prepend(&err, "vCPU %u reset: ", v->index);
        error_report_err(err);
    }
    pthread_mutex_lock(&kvm_lock);
    v->shutdown = false;
    v->failed = false;
    pthread_mutex_unlock(&kvm_lock);
}

static void kvm_reset_vcpus(Machine *m)
{
    kvm_irqchip_reset();
    run_on_vcpus(kvm_state.vcpus, kvm_state.nr_vcpus, kvm_reset_work, NULL);
}

static void kvm_join_vcpus(void)
{
    bool had_bql = bql_locked();
    unsigned i;

    pthread_mutex_lock(&kvm_lock);
    quit_requested = true;
    for (i = 0; i < kvm_state.nr_vcpus; i++) {
        kvm_kick(kvm_state.vcpus[i]);
    }
    pthread_cond_broadcast(&vcpu_cond);
    pthread_mutex_unlock(&kvm_lock);
    if (had_bql) {
        bql_unlock();
    }
    for (i = 0; i < kvm_state.nr_vcpus; i++) {
        KVMVCPU *v = kvm_state.vcpus[i];

        if (v->thread_started) {
            pthread_join(v->thread, NULL);
            v->thread_started = false;
        }
    }
    if (had_bql) {
        bql_lock();
    }
}

static void kvm_free_vcpus(void)
{
    unsigned i;

    for (i = 0; i < kvm_state.nr_vcpus; i++) {
        KVMVCPU *v = kvm_state.vcpus[i];

        if (v->run) {
            munmap(v->run, kvm_state.vcpu_mmap_size);
        }
        if (v->fd >= 0) {
            close(v->fd);
        }
        error_free(v->init_err);
        v->cpu->accel = NULL;
        g_free(v);
    }
    g_free(kvm_state.vcpus);
    kvm_state.vcpus = NULL;
    kvm_state.nr_vcpus = 0;
}

static bool kvm_start_vcpus(Machine *m, Error **errp)
{
    unsigned nr = m->nr_cpus ? m->nr_cpus : m->cfg.smp_cpus;
    sigset_t all, old;
    Error *err = NULL;
    unsigned i;

    assert(kvm_inited && !kvm_state.nr_vcpus);
    if (nr == 0) {
        nr = 1;
    }
    if (nr > (unsigned)kvm_state.max_vcpus) {
        error_setg(errp, "Number of SMP CPUs requested (%u) exceeds the "
                   "maximum KVM supports on this host (%d)",
                   nr, kvm_state.max_vcpus);
        return false;
    }
    if (nr > (unsigned)kvm_state.max_vcpu_id) {
        error_setg(errp, "Number of SMP CPUs requested (%u) exceeds KVM's "
                   "largest vCPU ID (%d)", nr, kvm_state.max_vcpu_id - 1);
        return false;
    }
    if (!m->cpus) {
        m->cpus = g_new0(X86CPU *, nr);
    }
    m->nr_cpus = nr;
    kvm_state.vcpus = g_new0(KVMVCPU *, nr);
    for (i = 0; i < nr; i++) {
        KVMVCPU *v = g_new0(KVMVCPU, 1);

        if (!m->cpus[i]) {
            m->cpus[i] = g_new0(X86CPU, 1);
        }
        m->cpus[i]->index = i;
        m->cpus[i]->apic_id = i;
        m->cpus[i]->accel = v;
        v->cpu = m->cpus[i];
        v->index = i;
        v->fd = -1;
        kvm_state.vcpus[i] = v;
    }
    kvm_state.nr_vcpus = nr;

    /* The memory map is complete now; make sure the slots mirror it even
     * if no rebuild happened since init. */
    kvm_mem_sync();

    /* Threads start with every signal blocked: the main loop thread gets
     * the process's signals, vCPU threads only their kicks. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    for (i = 0; i < nr; i++) {
        VCPUStart *start = g_new(VCPUStart, 1);
        KVMVCPU *v = kvm_state.vcpus[i];
        int ret;

        start->v = v;
        start->nr_cpus = nr;
        ret = pthread_create(&v->thread, NULL, kvm_vcpu_thread, start);
        if (ret) {
            g_free(start);
            error_setg(&err, "Could not create the thread of vCPU %u: %s",
                       i, strerror(ret));
            pthread_mutex_lock(&kvm_lock);
            v->init_done = true;
            v->parked = true;
            pthread_mutex_unlock(&kvm_lock);
            break;
        }
        v->thread_started = true;
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    pthread_mutex_lock(&kvm_lock);
    for (i = 0; i < nr; i++) {
        KVMVCPU *v = kvm_state.vcpus[i];

        while (v->thread_started && !v->init_done) {
            pthread_cond_wait(&main_cond, &kvm_lock);
        }
        if (!err && v->init_err) {
            err = v->init_err;
            v->init_err = NULL;
            error_prepend(&err, "vCPU %u: ", i);
        }
    }
    pthread_mutex_unlock(&kvm_lock);

    if (err) {
        kvm_join_vcpus();
        kvm_free_vcpus();
        error_propagate(errp, err);
        return false;
    }
    return true;
}

static void kvm_shutdown(void)
{
    if (!kvm_inited) {
        return;
    }
    kvm_join_vcpus();
    kvm_free_vcpus();
    kvm_mem_cleanup();
    kvm_release();
    kvm_inited = false;
}

/* ---- the monitor's and snapshots' view of a vCPU ---- */

typedef struct SyncWork {
    bool put;
    bool ok;
    Error *err;
} SyncWork;

static void kvm_sync_work(KVMVCPU *v, void *data)
{
    SyncWork *w = data;

    w->ok = w->put ? kvm_cpu_put_state(v, &w->err)
                   : kvm_cpu_get_state(v, &w->err);
}

static bool kvm_sync(X86CPU *cpu, bool put, Error **errp)
{
    SyncWork w = { .put = put };

    if (!kvm_inited || !cpu->accel) {
        error_setg(errp, "CPU %u has no KVM vCPU", cpu->index);
        return false;
    }
    run_on_vcpu(cpu->accel, kvm_sync_work, &w);
    error_propagate(errp, w.err);
    return w.ok;
}

bool kvm_cpu_synchronize_state(X86CPU *cpu, Error **errp)
{
    return kvm_sync(cpu, false, errp);
}

bool kvm_cpu_synchronize_post(X86CPU *cpu, Error **errp)
{
    return kvm_sync(cpu, true, errp);
}

/* ---- AccelOps ---- */

static bool kvm_irqchip_in_kernel_op(void)
{
    return true;
}

static bool kvm_pit_in_kernel_op(void)
{
    return true;
}

const AccelOps kvm_accel_ops = {
    .name = "kvm",
    .init = kvm_init,
    .irqchip_in_kernel = kvm_irqchip_in_kernel_op,
    .pit_in_kernel = kvm_pit_in_kernel_op,
    .set_gsi = kvm_irqchip_set_gsi,
    .start_vcpus = kvm_start_vcpus,
    .pause_vcpus = kvm_pause_vcpus,
    .resume_vcpus = kvm_resume_vcpus,
    .reset_vcpus = kvm_reset_vcpus,
    .shutdown = kvm_shutdown,
};
