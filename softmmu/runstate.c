/*
 * Run states and requests. Anything may *request* a reset, shutdown,
 * powerdown or exit (a device on a vCPU thread, a signal, the monitor);
 * the main loop carries requests out here, with the vCPUs paused, so no
 * device is reset under a running vCPU.
 */
#include "softmmu/runstate.h"
#include "accel/accel.h"
#include "hw/machine.h"
#include "softmmu/main-loop.h"
#include "softmmu/timer.h"

bool runstate_no_reboot;
bool runstate_no_shutdown;

static RunState current_state = RUN_STATE_PRELAUNCH;
static ShutdownCause reset_requested, shutdown_requested;
static bool powerdown_requested;
static bool exit_requested;
static int exit_status;

typedef struct EventHook {
    RunstateEventHook *fn;
    void *opaque;
} EventHook;

static GArray *event_hooks;
static void (*powerdown_fn)(void *opaque);
static void *powerdown_opaque;

static const char *const runstate_names[RUN_STATE_MAX] = {
    [RUN_STATE_PRELAUNCH] = "prelaunch",
    [RUN_STATE_RUNNING] = "running",
    [RUN_STATE_PAUSED] = "paused",
    [RUN_STATE_SHUTDOWN] = "shutdown",
    [RUN_STATE_INTERNAL_ERROR] = "internal-error",
    [RUN_STATE_GUEST_PANICKED] = "guest-panicked",
};

static const char *const cause_names[SHUTDOWN_CAUSE_MAX] = {
    [SHUTDOWN_CAUSE_NONE] = "none",
    [SHUTDOWN_CAUSE_HOST_ERROR] = "host-error",
    [SHUTDOWN_CAUSE_HOST_QMP_QUIT] = "host-qmp-quit",
    [SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET] = "host-qmp-system-reset",
    [SHUTDOWN_CAUSE_HOST_SIGNAL] = "host-signal",
    [SHUTDOWN_CAUSE_HOST_UI] = "host-ui",
    [SHUTDOWN_CAUSE_GUEST_SHUTDOWN] = "guest-shutdown",
    [SHUTDOWN_CAUSE_GUEST_RESET] = "guest-reset",
    [SHUTDOWN_CAUSE_GUEST_PANIC] = "guest-panic",
    [SHUTDOWN_CAUSE_SUBSYSTEM_RESET] = "subsystem-reset",
};

RunState runstate_get(void)
{
    return current_state;
}

const char *runstate_name(RunState s)
{
    return s < RUN_STATE_MAX ? runstate_names[s] : "unknown";
}

const char *shutdown_cause_name(ShutdownCause c)
{
    return c < SHUTDOWN_CAUSE_MAX ? cause_names[c] : "unknown";
}

bool runstate_is_running(void)
{
    return current_state == RUN_STATE_RUNNING;
}

static bool cause_is_guest(ShutdownCause c)
{
    return c >= SHUTDOWN_CAUSE_GUEST_SHUTDOWN;
}

static void emit(const char *event, ShutdownCause cause)
{
    if (!event_hooks) {
        return;
    }
    for (guint i = 0; i < event_hooks->len; i++) {
        EventHook *h = &g_array_index(event_hooks, EventHook, i);
        h->fn(event, cause_is_guest(cause), cause, h->opaque);
    }
}

void runstate_add_event_hook(RunstateEventHook *hook, void *opaque)
{
    EventHook h = { hook, opaque };

    if (!event_hooks) {
        event_hooks = g_array_new(false, false, sizeof(EventHook));
    }
    g_array_append_val(event_hooks, h);
}

void runstate_set_powerdown_handler(void (*fn)(void *opaque), void *opaque)
{
    powerdown_fn = fn;
    powerdown_opaque = opaque;
}

void vm_start(void)
{
    const AccelOps *accel = current_machine->accel;

    if (current_state == RUN_STATE_RUNNING) {
        return;
    }
    current_state = RUN_STATE_RUNNING;
    clock_virtual_start();
    if (accel->resume_vcpus) {
        accel->resume_vcpus();
    }
    emit("RESUME", SHUTDOWN_CAUSE_NONE);
}

void vm_stop(RunState state)
{
    const AccelOps *accel = current_machine->accel;
    bool was_running = current_state == RUN_STATE_RUNNING;

    current_state = state;
    if (!was_running) {
        return;
    }
    if (accel->pause_vcpus) {
        accel->pause_vcpus();
    }
    clock_virtual_stop();
    emit("STOP", SHUTDOWN_CAUSE_NONE);
}

void system_reset_request(ShutdownCause cause)
{
    /* -no-reboot: a reset ends the VM instead (QEMU's behaviour). */
    if (runstate_no_reboot && cause != SHUTDOWN_CAUSE_SUBSYSTEM_RESET) {
        shutdown_requested = cause;
    } else {
        reset_requested = cause;
    }
    main_loop_wakeup();
}

void system_shutdown_request(ShutdownCause cause)
{
    shutdown_requested = cause;
    main_loop_wakeup();
}

void system_powerdown_request(void)
{
    powerdown_requested = true;
    main_loop_wakeup();
}

void system_exit_request(int status)
{
    exit_status = status;
    __atomic_store_n(&exit_requested, true, __ATOMIC_SEQ_CST);
    main_loop_wakeup();
}

bool runstate_exit_pending(void)
{
    return __atomic_load_n(&exit_requested, __ATOMIC_SEQ_CST);
}

void system_triple_fault(void)
{
    system_reset_request(SHUTDOWN_CAUSE_GUEST_RESET);
}

static void machine_do_reset(ShutdownCause cause)
{
    Machine *m = current_machine;
    const AccelOps *accel = m->accel;
    bool running = current_state == RUN_STATE_RUNNING;

    if (running && accel->pause_vcpus) {
        accel->pause_vcpus();
    }
    machine_reset_devices(m);
    if (accel->reset_vcpus) {
        accel->reset_vcpus(m);
    }
    emit("RESET", cause);
    if (running && accel->resume_vcpus) {
        accel->resume_vcpus();
    }
}

bool runstate_handle_requests(int *status)
{
    if (exit_requested) {
        *status = exit_status;
        return true;
    }
    if (shutdown_requested) {
        ShutdownCause cause = shutdown_requested;

        shutdown_requested = SHUTDOWN_CAUSE_NONE;
        emit("SHUTDOWN", cause);
        /* -no-shutdown keeps the process (and the monitor) alive after a
         * guest power-off; a host request always ends it. */
        if (runstate_no_shutdown && cause_is_guest(cause)) {
            vm_stop(RUN_STATE_SHUTDOWN);
        } else {
            *status = 0;
            return true;
        }
    }
    if (reset_requested) {
        ShutdownCause cause = reset_requested;

        reset_requested = SHUTDOWN_CAUSE_NONE;
        machine_do_reset(cause);
    }
    if (powerdown_requested) {
        powerdown_requested = false;
        emit("POWERDOWN", SHUTDOWN_CAUSE_NONE);
        if (powerdown_fn) {
            powerdown_fn(powerdown_opaque);
        }
    }
    return false;
}
