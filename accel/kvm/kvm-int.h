/*
 * What the files of the KVM back end share among themselves:
 * kvm-all.c (VM, vCPU threads, run loop, pause protocol), kvm-mem.c
 * (memory slots, dirty log), kvm-cpu.c (CPUID model, register and MSR
 * transfer, reset) and kvm-irqchip.c (in-kernel PIC, IOAPIC, PIT, GSI
 * routing). Nothing outside accel/kvm includes this; the public side is
 * include/accel/kvm.h.
 *
 * Reference: the kernel's Documentation/virt/kvm/api.rst ("The Definitive
 * KVM API Documentation").
 */
#ifndef ACCEL_KVM_KVM_INT_H
#define ACCEL_KVM_KVM_INT_H

#include <pthread.h>
#include <linux/kvm.h>

#include "pcemu/common.h"
#include "softmmu/memory.h"
#include "target/i386/cpu.h"

#define KVM_API_VERSION_REQUIRED 12

/*
 * Guest-physical pages that the kernel needs for itself on Intel hosts
 * without "unrestricted guest": the identity-mapped page table used while
 * the guest runs with paging off, and the three-page TSS used to run real
 * mode in vm86. They sit in the 32-bit PCI hole, below the BIOS, where
 * QEMU puts them, so the board's e820 table reserves 0xfeffc000-0xfeffffff.
 */
#define KVM_IDENTITY_MAP_ADDR   0xfeffc000ULL
#define KVM_TSS_ADDR            0xfeffd000ULL
#define KVM_RESERVED_SIZE       0x4000ULL

#define KVM_PAGE_SIZE 4096ULL

/* One memory slot as the kernel holds it. */
typedef struct KVMSlot {
    uint32_t id;            /* KVM slot number */
    uint64_t gpa;
    uint64_t size;          /* bytes; multiple of KVM_PAGE_SIZE */
    uint8_t *host;
    uint32_t flags;         /* KVM_MEM_READONLY, KVM_MEM_LOG_DIRTY_PAGES */
    /* Created while dirty logging was on: the first log reports every
     * page, since whatever the slot shadowed before was not tracked. */
    bool all_dirty;
} KVMSlot;

typedef struct KVMVCPU KVMVCPU;

/* The one VM of this process. Written by init, read-only afterwards,
 * except the slot table (under the BQL). */
typedef struct KVMState {
    int fd;                 /* /dev/kvm */
    int vm_fd;
    int vcpu_mmap_size;
    int max_vcpus;
    int max_vcpu_id;
    int nr_memslots;

    /* optional capabilities */
    bool have_xsave;
    bool have_xcrs;
    bool have_debugregs;
    bool have_vcpu_events;
    bool have_adjust_clock;

    /* what the kernel can virtualise, queried once */
    struct kvm_cpuid2 *supported_cpuid;
    struct kvm_msr_list *msr_list;

    /* memory slots (kvm-mem.c), under the BQL */
    KVMSlot *slots;
    unsigned nr_slots;
    unsigned slots_cap;
    uint32_t *free_ids;     /* recycled slot numbers */
    unsigned nr_free_ids;
    uint32_t next_id;
    bool dirty_tracking;

    /* vCPUs (kvm-all.c) */
    KVMVCPU **vcpus;
    unsigned nr_vcpus;
} KVMState;

extern KVMState kvm_state;

/* Per-vCPU data, X86CPU.accel points here. */
struct KVMVCPU {
    X86CPU *cpu;
    unsigned index;
    int fd;
    struct kvm_run *run;
    pthread_t thread;
    bool thread_started;

    /* Under kvm_lock (kvm-all.c). */
    bool init_done;
    Error *init_err;
    bool parked;            /* waiting in the park loop, not in KVM_RUN */
    bool shutdown;          /* triple fault: waits for reset */
    bool failed;            /* internal error: waits for reset or resume */
    void (*work_fn)(KVMVCPU *v, void *data);
    void *work_data;
    uint64_t work_seq;      /* increments each time a work item is done */

    /* vCPU thread only */
    bool io_pending;        /* last exit was I/O or MMIO: the kernel
                               finishes it on the next KVM_RUN */
};

/* Error helpers: every failing ioctl is named. */
void kvm_err_ioctl(Error **errp, const char *name);
int kvm_vm_ioctl(unsigned long req, void *arg);
int kvm_vcpu_ioctl(KVMVCPU *v, unsigned long req, void *arg);
int kvm_check_extension(long cap);

/* kvm-mem.c */
void kvm_mem_init(void);
/* Mirrors the current view now (idempotent); under the BQL. */
void kvm_mem_sync(void);
void kvm_mem_cleanup(void);

/* kvm-irqchip.c */
bool kvm_irqchip_create(Error **errp);
void kvm_irqchip_reset(void);
void kvm_irqchip_set_gsi(int gsi, int level);

/* kvm-cpu.c; all run on the vCPU's own thread (api.rst asks vCPU ioctls
 * to come from the thread that created the vCPU). */
bool kvm_cpu_init_model(KVMVCPU *v, unsigned nr_cpus, Error **errp);
bool kvm_cpu_reset(KVMVCPU *v, Error **errp);
bool kvm_cpu_get_state(KVMVCPU *v, Error **errp);
bool kvm_cpu_put_state(KVMVCPU *v, Error **errp);
void kvm_cpu_dump_state(KVMVCPU *v, FILE *f);

#endif
