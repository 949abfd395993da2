/*
 * Run states and the requests that change them. Devices and vCPU threads
 * only *request* a reset, shutdown or exit; the main loop carries it out
 * (pause vCPUs, reset devices, resume), so nothing is torn down under a
 * running vCPU. Names follow QEMU's QMP RunState and ShutdownCause.
 */
#ifndef SOFTMMU_RUNSTATE_H
#define SOFTMMU_RUNSTATE_H

#include "pcemu/common.h"

typedef enum RunState {
    RUN_STATE_PRELAUNCH,
    RUN_STATE_RUNNING,
    RUN_STATE_PAUSED,
    RUN_STATE_SHUTDOWN,
    RUN_STATE_INTERNAL_ERROR,
    RUN_STATE_GUEST_PANICKED,
    RUN_STATE_MAX
} RunState;

typedef enum ShutdownCause {
    SHUTDOWN_CAUSE_NONE,
    SHUTDOWN_CAUSE_HOST_ERROR,
    SHUTDOWN_CAUSE_HOST_QMP_QUIT,
    SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET,
    SHUTDOWN_CAUSE_HOST_SIGNAL,
    SHUTDOWN_CAUSE_HOST_UI,
    SHUTDOWN_CAUSE_GUEST_SHUTDOWN,
    SHUTDOWN_CAUSE_GUEST_RESET,
    SHUTDOWN_CAUSE_GUEST_PANIC,
    SHUTDOWN_CAUSE_SUBSYSTEM_RESET,
    SHUTDOWN_CAUSE_MAX
} ShutdownCause;

RunState runstate_get(void);
const char *runstate_name(RunState s);      /* "running", "paused" */
const char *shutdown_cause_name(ShutdownCause c);
bool runstate_is_running(void);

/* Start or resume the vCPUs and the virtual clock (cont). */
void vm_start(void);
/* Pause them (stop). */
void vm_stop(RunState state);

/* Requests, safe from any thread holding the BQL. */
void system_reset_request(ShutdownCause cause);
void system_shutdown_request(ShutdownCause cause);
void system_powerdown_request(void);
/* Ends the process with this exit status (isa-debug-exit). */
void system_exit_request(int status);
/* True once an exit was requested: vCPUs stop running guest code at once
 * (QEMU's isa-debug-exit exits inside the write; no guest instruction
 * after it may run). Safe from any thread, no lock needed. */
bool runstate_exit_pending(void);
/* A guest triple fault: reset, or exit with -no-reboot. */
void system_triple_fault(void);

/* Handles pending requests; the main loop calls it. Returns true when the
 * process should exit, with *status its exit status. */
bool runstate_handle_requests(int *status);

/*
 * Events for the monitors: STOP, RESUME, RESET, SHUTDOWN, POWERDOWN.
 * The hook gets the QMP event name and, for RESET and SHUTDOWN, the cause.
 */
typedef void RunstateEventHook(const char *event, bool guest,
                               ShutdownCause cause, void *opaque);
void runstate_add_event_hook(RunstateEventHook *hook, void *opaque);

/* Callbacks of the powerdown request (the ACPI power button). */
void runstate_set_powerdown_handler(void (*fn)(void *opaque), void *opaque);

/* Options from the command line. */
extern bool runstate_no_reboot;
extern bool runstate_no_shutdown;

#endif
