/*
 * An accelerator runs guest code: kvm (vCPU threads on /dev/kvm), tcg
 * (our software CPU, target/i386) or qtest (no CPU at all: a socket
 * protocol pokes the machine). The board asks it a few questions and
 * hands it the vCPUs; it never knows which devices exist.
 */
#ifndef ACCEL_ACCEL_H
#define ACCEL_ACCEL_H

#include "pcemu/common.h"

typedef struct Machine Machine;

typedef struct AccelOps {
    const char *name;
    /* Opens what it needs (/dev/kvm, a socket) before the machine is
     * built. A user error (no /dev/kvm, no permission) sets errp. */
    bool (*init)(const char *opts, Error **errp);
    /* True if PIC, IOAPIC, LAPIC live in the accelerator (KVM's
     * in-kernel irqchip): the board then skips its own. */
    bool (*irqchip_in_kernel)(void);
    /* True if the PIT lives in the accelerator. */
    bool (*pit_in_kernel)(void);
    /* Sets a GSI's level in the in-kernel irqchip. */
    void (*set_gsi)(int gsi, int level);
    /* Creates m->nr_cpus vCPUs (after the memory map and devices exist)
     * and starts their threads, paused. */
    bool (*start_vcpus)(Machine *m, Error **errp);
    /* Stops every vCPU at an instruction boundary and waits until all
     * are stopped. Called with the BQL held; drops it while waiting. */
    void (*pause_vcpus)(void);
    void (*resume_vcpus)(void);
    /* Puts every vCPU in its power-on state (BSP at f000:fff0, APs
     * waiting for SIPI) and resets the in-kernel irqchip and PIT. */
    void (*reset_vcpus)(Machine *m);
    /* Releases everything at exit; vCPUs are paused. */
    void (*shutdown)(void);
} AccelOps;

extern const AccelOps kvm_accel_ops;
extern const AccelOps qtest_accel_ops;

/* True if /dev/kvm can be opened and the host CPU has vmx or svm. */
bool kvm_hardware_backed(void);

#endif
