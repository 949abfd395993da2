/*
 * The KVM accelerator's public side, beyond its AccelOps (accel.h):
 * reading a vCPU's registers for the monitor and snapshots, and the dirty
 * log that live migration uses.
 *
 * The back end runs one thread per vCPU. It kicks threads out of KVM_RUN
 * with SIGUSR1 (KVM_SIG_IPI); nothing else in pcemu may use that signal.
 */
#ifndef ACCEL_KVM_H
#define ACCEL_KVM_H

#include <signal.h>

#include "pcemu/common.h"

typedef struct X86CPU X86CPU;

#define KVM_SIG_IPI SIGUSR1

/* True once kvm_accel_ops.init succeeded in this process. */
bool kvm_enabled(void);

/*
 * Copies a vCPU's state out of the kernel into its X86CPU (registers,
 * segments, control and debug registers, the MSRs X86CPU holds), or
 * back. Runs the transfer on the vCPU's thread and waits for it, so the
 * vCPU should be paused (otherwise the snapshot is of some moment while
 * it runs). Call with the BQL held, from the main loop thread; the BQL is
 * released while waiting. Returns false and sets errp if an ioctl fails.
 */
bool kvm_cpu_synchronize_state(X86CPU *cpu, Error **errp);
bool kvm_cpu_synchronize_post(X86CPU *cpu, Error **errp);

/*
 * Dirty-page logging for live migration. While on, the kernel records
 * every guest write to writable RAM slots (KVM_MEM_LOG_DIRTY_PAGES).
 * kvm_get_dirty_log() hands each tracked slot's pages written since the
 * previous call to fn and forgets them: bit n of bitmap (64-bit words,
 * little-endian bit order) is the page at gpa + n * 4096, whose host
 * address is host + n * 4096. Slots the memory map removed meanwhile are
 * reported too (their log is read just before removal); slots it added
 * report every page once. Both take the BQL (call with it held).
 */
typedef void KVMDirtyFn(void *opaque, uint64_t gpa, void *host,
                        uint64_t npages, const uint64_t *bitmap);
bool kvm_set_dirty_tracking(bool on, Error **errp);
bool kvm_get_dirty_log(KVMDirtyFn *fn, void *opaque, Error **errp);

#endif
