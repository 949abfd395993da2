/*
 * An x86 vCPU under KVM: its CPUID model, and moving its state between
 * X86CPU and the kernel (KVM_GET/SET_REGS, SREGS, MSRS, XSAVE, XCRS,
 * DEBUGREGS, VCPU_EVENTS, LAPIC, MP_STATE; api.rst 4.x).
 *
 * The CPUID model starts from KVM_GET_SUPPORTED_CPUID (the host CPU less
 * what KVM cannot virtualise, plus KVM's own leaves 0x40000000..) and
 * takes out what needs userspace support pcemu does not have, so a guest
 * never finds a feature that then fails:
 *   - MONITOR/MWAIT (leaf 5), the PMU (leaf 0xa, PDCM), SGX, Intel PT,
 *     AMX, VMX/SVM (no nested state handling), thermal/power MSRs;
 *   - KVM_FEATURE_MSI_EXT_DEST_ID (needs MSI routing with extended
 *     destination IDs) and KVM_FEATURE_MIGRATION_CONTROL (SEV);
 *   - OSXSAVE and OSPKE, which mirror CR4 and read 0 at reset.
 * It adds what describes our machine: the hypervisor bit, the initial
 * APIC ID (leaf 1 EBX[31:24], leaf 0xb EDX), and the topology of -smp N
 * as one package of N single-thread cores (leaf 1 EBX[23:16] and HTT,
 * leaf 4 EAX[31:14], leaf 0xb; on AMD 0x80000008 ECX and CmpLegacy).
 * Vendor, family/model/stepping, cache descriptors and brand string stay
 * the host's: a guest under KVM runs on the host's microarchitecture and
 * should tune for it.
 *
 * Everything here runs on the vCPU's own thread.
 */
#include <sys/ioctl.h>

#include "accel/kvm/kvm-int.h"

/* CPUID bits (SDM vol. 2A, CPUID; AMD APM vol. 3, appendix E). */
#define CPUID_1_EBX_APIC_ID_SHIFT   24
#define CPUID_1_EBX_LOGICAL_SHIFT   16
#define CPUID_1_ECX_MONITOR         (1u << 3)
#define CPUID_1_ECX_DS_CPL          (1u << 4)
#define CPUID_1_ECX_VMX             (1u << 5)
#define CPUID_1_ECX_SMX             (1u << 6)
#define CPUID_1_ECX_EST             (1u << 7)
#define CPUID_1_ECX_TM2             (1u << 8)
#define CPUID_1_ECX_PDCM            (1u << 15)
#define CPUID_1_ECX_OSXSAVE         (1u << 27)
#define CPUID_1_ECX_HYPERVISOR      (1u << 31)
#define CPUID_1_EDX_MTRR            (1u << 12)
#define CPUID_1_EDX_DS              (1u << 21)
#define CPUID_1_EDX_ACPI            (1u << 22)
#define CPUID_1_EDX_HTT             (1u << 28)
#define CPUID_1_EDX_TM              (1u << 29)
#define CPUID_1_EDX_PBE             (1u << 31)
#define CPUID_7_0_EBX_SGX           (1u << 2)
#define CPUID_7_0_EBX_PQM           (1u << 12)
#define CPUID_7_0_EBX_PQE           (1u << 15)
#define CPUID_7_0_EBX_INTEL_PT      (1u << 25)
#define CPUID_7_0_ECX_OSPKE         (1u << 4)
#define CPUID_7_0_ECX_SGX_LC        (1u << 30)
#define CPUID_7_0_EDX_AMX_BF16      (1u << 22)
#define CPUID_7_0_EDX_AMX_TILE      (1u << 24)
#define CPUID_7_0_EDX_AMX_INT8      (1u << 25)
#define CPUID_7_1_EAX_AMX_FP16      (1u << 21)
#define CPUID_7_1_EDX_AMX_COMPLEX   (1u << 8)
#define CPUID_D_XCR0_AMX            ((1u << 17) | (1u << 18))
#define CPUID_B_TYPE_SMT            1
#define CPUID_B_TYPE_CORE           2
#define CPUID_80000001_ECX_CMP_LEG  (1u << 1)
#define CPUID_80000001_ECX_SVM      (1u << 2)
#define CPUID_80000001_ECX_TOPOEXT  (1u << 22)
#define CPUID_80000001_ECX_PERFCTR_CORE (1u << 23)
#define CPUID_80000001_ECX_PERFCTR_NB   (1u << 24)
#define CPUID_80000001_ECX_MWAITX   (1u << 29)

/* KVM's paravirtual feature bits (Documentation/virt/kvm/x86/cpuid.rst). */
#define KVM_CPUID_SIGNATURE_LEAF    0x40000000
#define KVM_CPUID_FEATURES_LEAF     0x40000001
#define KVM_FEATURE_MSI_EXT_DEST_ID_BIT   (1u << 15)
#define KVM_FEATURE_MIGRATION_CONTROL_BIT (1u << 17)

#define VENDOR_INTEL_EBX 0x756e6547     /* "Genu" */
#define VENDOR_AMD_EBX   0x68747541     /* "Auth" */
#define VENDOR_HYGON_EBX 0x6f677948     /* "Hygo" */

/* MSRs (SDM vol. 4; KVM's in Documentation/virt/kvm/x86/msr.rst). */
#define MSR_IA32_TSC                0x10
#define MSR_KVM_WALL_CLOCK          0x11
#define MSR_KVM_SYSTEM_TIME         0x12
#define MSR_IA32_FEATURE_CONTROL    0x3a
#define MSR_IA32_TSC_ADJUST         0x3b
#define MSR_IA32_SPEC_CTRL          0x48
#define MSR_IA32_SYSENTER_CS        0x174
#define MSR_IA32_SYSENTER_ESP       0x175
#define MSR_IA32_SYSENTER_EIP       0x176
#define MSR_IA32_MCG_STATUS         0x17a
#define MSR_IA32_MISC_ENABLE        0x1a0
#define MSR_MTRR_PHYS_BASE0         0x200
#define MSR_MTRR_FIX64K_00000       0x250
#define MSR_MTRR_FIX16K_80000       0x258
#define MSR_MTRR_FIX16K_A0000       0x259
#define MSR_MTRR_FIX4K_C0000        0x268
#define MSR_IA32_CR_PAT             0x277
#define MSR_MTRR_DEF_TYPE           0x2ff
#define MSR_IA32_TSC_DEADLINE       0x6e0
#define MSR_IA32_XSS                0xda0
#define MSR_STAR                    0xc0000081
#define MSR_LSTAR                   0xc0000082
#define MSR_CSTAR                   0xc0000083
#define MSR_FMASK                   0xc0000084
#define MSR_KERNEL_GS_BASE          0xc0000102
#define MSR_TSC_AUX                 0xc0000103
#define MSR_KVM_WALL_CLOCK_NEW      0x4b564d00
#define MSR_KVM_SYSTEM_TIME_NEW     0x4b564d01
#define MSR_KVM_ASYNC_PF_EN         0x4b564d02
#define MSR_KVM_STEAL_TIME          0x4b564d03
#define MSR_KVM_PV_EOI_EN           0x4b564d04
#define MSR_KVM_POLL_CONTROL        0x4b564d05
#define MSR_KVM_ASYNC_PF_INT        0x4b564d06
#define MSR_KVM_ASYNC_PF_ACK        0x4b564d07

/* Fast-string operations enabled, as a BIOS leaves it (and QEMU). */
#define MISC_ENABLE_FAST_STRING     (1ULL << 0)
#define KVM_MTRR_VAR_RANGES         8   /* KVM's IA32_MTRRCAP.VCNT */

/* Local APIC registers (SDM vol. 3A, "Local APIC Register Address Map"),
 * byte offsets in struct kvm_lapic_state. */
#define APIC_ID             0x20
#define APIC_LVR            0x30
#define APIC_DFR            0xe0
#define APIC_SVR            0xf0
#define APIC_LVT_CMCI       0x2f0
#define APIC_LVT_TIMER      0x320
#define APIC_LVT_THERMAL    0x330
#define APIC_LVT_PERF       0x340
#define APIC_LVT_LINT0      0x350
#define APIC_LVT_LINT1      0x360
#define APIC_LVT_ERROR      0x370
#define APIC_LVT_MASKED     (1u << 16)
#define APIC_DM_EXTINT      (7u << 8)

/* x87/SSE reset (SDM vol. 1, "FINIT/FNINIT" and "MXCSR"): FCW 037f, all
 * tags empty, MXCSR 1f80. In the XSAVE area (SDM vol. 1, "XSAVE Area"):
 * FCW at byte 0, MXCSR at 24, XSTATE_BV at 512. */
#define FPU_FCW_RESET       0x37f
#define MXCSR_RESET         0x1f80
#define XSAVE_FCW           0
#define XSAVE_MXCSR         24
#define XSAVE_XSTATE_BV     512
#define XSTATE_X87_SSE      0x3
#define XCR0_RESET          0x1     /* x87 only */

/* ---- CPUID model ---- */

static unsigned bits_for(unsigned n)
{
    unsigned b = 0;

    while ((1u << b) < n) {
        b++;
    }
    return b;
}

static bool cpuid_drop_leaf(uint32_t fn)
{
    switch (fn) {
    case 0x5:           /* MONITOR/MWAIT */
    case 0xa:           /* architectural PMU */
    case 0xb:           /* topology: rebuilt below */
    case 0x12:          /* SGX */
    case 0x14:          /* Intel PT */
    case 0x1b:          /* PCONFIG */
    case 0x1d:          /* AMX tiles */
    case 0x1e:          /* AMX TMUL */
    case 0x1f:          /* V2 topology: 0xb says it all */
    case 0x23:          /* architectural PMU extensions */
    case 0x8000000a:    /* SVM */
    case 0x8000001d:    /* AMD cache topology (TOPOEXT) */
    case 0x8000001e:    /* AMD core/node IDs (TOPOEXT) */
    case 0x8000001f:    /* SEV */
    case 0x80000020:    /* AMD platform QoS */
    case 0x80000022:    /* AMD PerfMonV2 */
    case 0x80000026:    /* AMD extended topology */
        return true;
    }
    return false;
}

static void cpuid_shape(struct kvm_cpuid_entry2 *e, uint32_t vendor,
                        uint32_t apic_id, unsigned nr_cpus)
{
    unsigned core_bits = bits_for(nr_cpus);
    unsigned addressable = MIN(1u << core_bits, 255u);

    switch (e->function) {
    case 1:
        e->ebx &= 0x0000ffff;       /* keep CLFLUSH size, brand index */
        e->ebx |= (apic_id & 0xff) << CPUID_1_EBX_APIC_ID_SHIFT;
        e->edx &= ~(CPUID_1_EDX_HTT | CPUID_1_EDX_DS | CPUID_1_EDX_ACPI |
                    CPUID_1_EDX_TM | CPUID_1_EDX_PBE);
        if (nr_cpus > 1) {
            e->ebx |= addressable << CPUID_1_EBX_LOGICAL_SHIFT;
            e->edx |= CPUID_1_EDX_HTT;
        }
        e->ecx &= ~(CPUID_1_ECX_MONITOR | CPUID_1_ECX_DS_CPL |
                    CPUID_1_ECX_VMX | CPUID_1_ECX_SMX | CPUID_1_ECX_EST |
                    CPUID_1_ECX_TM2 | CPUID_1_ECX_PDCM |
                    CPUID_1_ECX_OSXSAVE);
        e->ecx |= CPUID_1_ECX_HYPERVISOR;
        break;
    case 4:
        if ((e->eax & 0x1f) == 0) {
            break;                  /* no more caches */
        }
        e->eax &= 0x3fff;
        /* EAX[31:26]: cores per package - 1 (6 bits); EAX[25:14]:
         * logical processors sharing this cache - 1. L1 and L2 are per
         * core, the last level is shared by the package. */
        e->eax |= MIN((1u << core_bits) - 1, 63u) << 26;
        if (((e->eax >> 5) & 7) >= 3) {
            e->eax |= ((1u << core_bits) - 1) << 14;
        }
        break;
    case 7:
        if (e->index == 0) {
            e->ebx &= ~(CPUID_7_0_EBX_SGX | CPUID_7_0_EBX_PQM |
                        CPUID_7_0_EBX_PQE | CPUID_7_0_EBX_INTEL_PT);
            e->ecx &= ~(CPUID_7_0_ECX_OSPKE | CPUID_7_0_ECX_SGX_LC);
            e->edx &= ~(CPUID_7_0_EDX_AMX_BF16 | CPUID_7_0_EDX_AMX_TILE |
                        CPUID_7_0_EDX_AMX_INT8);
        } else if (e->index == 1) {
            e->eax &= ~CPUID_7_1_EAX_AMX_FP16;
            e->edx &= ~CPUID_7_1_EDX_AMX_COMPLEX;
        }
        break;
    case 0xd:
        if (e->index == 0) {
            e->eax &= ~CPUID_D_XCR0_AMX;
        }
        break;
    case KVM_CPUID_FEATURES_LEAF:
        e->eax &= ~(KVM_FEATURE_MSI_EXT_DEST_ID_BIT |
                    KVM_FEATURE_MIGRATION_CONTROL_BIT);
        break;
    case 0x80000001:
        e->ecx &= ~(CPUID_80000001_ECX_SVM | CPUID_80000001_ECX_TOPOEXT |
                    CPUID_80000001_ECX_PERFCTR_CORE |
                    CPUID_80000001_ECX_PERFCTR_NB |
                    CPUID_80000001_ECX_MWAITX | CPUID_80000001_ECX_CMP_LEG);
        if (vendor != VENDOR_INTEL_EBX && nr_cpus > 1) {
            e->ecx |= CPUID_80000001_ECX_CMP_LEG;
        }
        break;
    case 0x80000008:
        if (vendor != VENDOR_INTEL_EBX) {
            /* ECX[15:12] ApicIdSize, ECX[7:0] NC = cores - 1. */
            e->ecx &= ~0xf0ffu;
            e->ecx |= (core_bits << 12) | (MIN(nr_cpus, 256u) - 1);
        }
        break;
    }
}

static bool cpuid_entry_is_zero(const struct kvm_cpuid_entry2 *e)
{
    return !e->eax && !e->ebx && !e->ecx && !e->edx;
}

static int cpuid_cmp(const void *a, const void *b)
{
    const struct kvm_cpuid_entry2 *x = a, *y = b;

    if (x->function != y->function) {
        return x->function < y->function ? -1 : 1;
    }
    return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Leaf 0xb (SDM vol. 2A, CPUID "Extended Topology Enumeration Leaf"):
 * subleaf 0 is the SMT level (one thread per core, no APIC ID bits),
 * subleaf 1 the core level (N cores, ceil(log2 N) APIC ID bits), subleaf
 * 2 the "invalid" level that ends the list. EDX is the x2APIC ID.
 */
static unsigned cpuid_add_topology(struct kvm_cpuid_entry2 *out,
                                   uint32_t apic_id, unsigned nr_cpus)
{
    unsigned i;

    for (i = 0; i < 3; i++) {
        memset(&out[i], 0, sizeof(out[i]));
        out[i].function = 0xb;
        out[i].index = i;
        out[i].flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
        out[i].ecx = i;
        out[i].edx = apic_id;
    }
    out[0].eax = 0;
    out[0].ebx = 1;
    out[0].ecx |= CPUID_B_TYPE_SMT << 8;
    out[1].eax = bits_for(nr_cpus);
    out[1].ebx = nr_cpus;
    out[1].ecx |= CPUID_B_TYPE_CORE << 8;
    return 3;
}

bool kvm_cpu_init_model(KVMVCPU *v, unsigned nr_cpus, Error **errp)
{
    const struct kvm_cpuid2 *sup = kvm_state.supported_cpuid;
    X86CPU *cpu = v->cpu;
    struct kvm_cpuid2 *model;
    uint32_t vendor = 0, max_basic = 0;
    unsigned i, n = 0;
    int ret;

    model = g_malloc0(sizeof(*model) +
                      (sup->nent + 3) * sizeof(model->entries[0]));
    for (i = 0; i < sup->nent; i++) {
        if (sup->entries[i].function == 0) {
            vendor = sup->entries[i].ebx;
            max_basic = sup->entries[i].eax;
        }
    }
    for (i = 0; i < sup->nent; i++) {
        struct kvm_cpuid_entry2 e = sup->entries[i];

        if (cpuid_drop_leaf(e.function) ||
            (e.function == 0xd && (e.index == 17 || e.index == 18))) {
            continue;
        }
        cpuid_shape(&e, vendor, cpu->apic_id, nr_cpus);
        /* A zero entry reads the same as a missing one. */
        if (cpuid_entry_is_zero(&e)) {
            continue;
        }
        model->entries[n++] = e;
    }
    if (max_basic >= 0xb) {
        n += cpuid_add_topology(&model->entries[n], cpu->apic_id, nr_cpus);
    }
    qsort(model->entries, n, sizeof(model->entries[0]), cpuid_cmp);
    model->nent = n;

    ret = kvm_vcpu_ioctl(v, KVM_SET_CPUID2, model);
    if (ret < 0) {
        kvm_err_ioctl(errp, "KVM_SET_CPUID2");
        g_free(model);
        return false;
    }

    /* X86CPU keeps a copy for `info cpuid`-like users and for reset's
     * EDX signature. It holds CPU_MAX_CPUID entries: in a model that big
     * (never seen so far) the last extended leaves are left out of the
     * copy only, the guest still sees them. */
    cpu->nr_cpuid = MIN(n, (unsigned)CPU_MAX_CPUID);
    if (n > CPU_MAX_CPUID && v->index == 0) {
        warn_report("KVM CPUID model has %u entries; X86CPU keeps %d",
                    n, CPU_MAX_CPUID);
    }
    for (i = 0; i < cpu->nr_cpuid; i++) {
        const struct kvm_cpuid_entry2 *e = &model->entries[i];

        cpu->cpuid[i] = (CPUIDEntry) {
            .function = e->function, .index = e->index, .flags = e->flags,
            .eax = e->eax, .ebx = e->ebx, .ecx = e->ecx, .edx = e->edx,
        };
    }
    g_free(model);
    return true;
}

/* ---- MSRs ---- */

static bool kvm_msr_listed(uint32_t index)
{
    const struct kvm_msr_list *l = kvm_state.msr_list;
    uint32_t i;

    for (i = 0; l && i < l->nmsrs; i++) {
        if (l->indices[i] == index) {
            return true;
        }
    }
    return false;
}

static bool cpu_has_cpuid_bit(const X86CPU *cpu, uint32_t fn, int reg,
                              uint32_t bit)
{
    unsigned i;

    for (i = 0; i < cpu->nr_cpuid; i++) {
        if (cpu->cpuid[i].function == fn && cpu->cpuid[i].index == 0) {
            uint32_t r[4] = { cpu->cpuid[i].eax, cpu->cpuid[i].ebx,
                              cpu->cpuid[i].ecx, cpu->cpuid[i].edx };
            return r[reg] & bit;
        }
    }
    return false;
}

typedef struct MSRBuf {
    struct kvm_msrs *msrs;
    unsigned cap;
} MSRBuf;

static void msr_add(MSRBuf *b, uint32_t index, uint64_t data)
{
    if (!b->msrs) {
        b->cap = 32;
        b->msrs = g_malloc0(sizeof(*b->msrs) +
                            b->cap * sizeof(b->msrs->entries[0]));
    } else if (b->msrs->nmsrs == b->cap) {
        b->cap *= 2;
        b->msrs = g_realloc(b->msrs, sizeof(*b->msrs) +
                            b->cap * sizeof(b->msrs->entries[0]));
    }
    b->msrs->entries[b->msrs->nmsrs] = (struct kvm_msr_entry) {
        .index = index, .data = data,
    };
    b->msrs->nmsrs++;
}

static void msr_add_if_listed(MSRBuf *b, uint32_t index, uint64_t data)
{
    if (kvm_msr_listed(index)) {
        msr_add(b, index, data);
    }
}

/*
 * KVM_SET_MSRS stops at the first MSR it refuses and returns how many it
 * set. A refusal means our model and the kernel disagree about a
 * feature; the vCPU still works, so we warn (once, from vCPU 0) and go
 * on with the rest.
 */
static bool kvm_put_msr_buf(KVMVCPU *v, MSRBuf *b, Error **errp)
{
    struct kvm_msrs *m = b->msrs;
    static bool warned;

    while (m && m->nmsrs) {
        int ret = kvm_vcpu_ioctl(v, KVM_SET_MSRS, m);

        if (ret < 0) {
            kvm_err_ioctl(errp, "KVM_SET_MSRS");
            return false;
        }
        if ((unsigned)ret >= m->nmsrs) {
            break;
        }
        if (v->index == 0 && !warned) {
            warn_report("KVM_SET_MSRS: the kernel refused MSR 0x%x",
                        m->entries[ret].index);
            warned = true;
        }
        /* Go on after the refused one. */
        m->nmsrs -= ret + 1;
        memmove(m->entries, m->entries + ret + 1,
                m->nmsrs * sizeof(m->entries[0]));
    }
    return true;
}

static void kvm_cpu_add_state_msrs(const X86CPU *cpu, MSRBuf *b)
{
    msr_add(b, MSR_IA32_TSC, cpu->tsc);
    msr_add(b, MSR_IA32_SYSENTER_CS, cpu->sysenter_cs);
    msr_add(b, MSR_IA32_SYSENTER_ESP, cpu->sysenter_esp);
    msr_add(b, MSR_IA32_SYSENTER_EIP, cpu->sysenter_eip);
    msr_add(b, MSR_IA32_CR_PAT, cpu->pat);
    msr_add_if_listed(b, MSR_STAR, cpu->star);
    msr_add_if_listed(b, MSR_LSTAR, cpu->lstar);
    msr_add_if_listed(b, MSR_CSTAR, cpu->cstar);
    msr_add_if_listed(b, MSR_FMASK, cpu->fmask);
    msr_add_if_listed(b, MSR_KERNEL_GS_BASE, cpu->kernel_gs_base);
}

/* MSRs X86CPU does not hold, at their reset values. The paravirtual
 * ones matter most: a rebooted guest must not find kvmclock, steal time
 * or async page faults still writing into its memory. */
static void kvm_cpu_add_reset_msrs(const X86CPU *cpu, MSRBuf *b)
{
    unsigned i;

    msr_add(b, MSR_IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRING);
    msr_add_if_listed(b, MSR_IA32_TSC_ADJUST, 0);
    msr_add_if_listed(b, MSR_IA32_SPEC_CTRL, 0);
    msr_add_if_listed(b, MSR_IA32_FEATURE_CONTROL, 0);
    msr_add_if_listed(b, MSR_IA32_MCG_STATUS, 0);
    msr_add_if_listed(b, MSR_IA32_TSC_DEADLINE, 0);
    msr_add_if_listed(b, MSR_IA32_XSS, 0);
    msr_add_if_listed(b, MSR_TSC_AUX, 0);
    msr_add_if_listed(b, MSR_KVM_WALL_CLOCK, 0);
    msr_add_if_listed(b, MSR_KVM_SYSTEM_TIME, 0);
    msr_add_if_listed(b, MSR_KVM_WALL_CLOCK_NEW, 0);
    msr_add_if_listed(b, MSR_KVM_SYSTEM_TIME_NEW, 0);
    msr_add_if_listed(b, MSR_KVM_ASYNC_PF_EN, 0);
    msr_add_if_listed(b, MSR_KVM_ASYNC_PF_INT, 0);
    msr_add_if_listed(b, MSR_KVM_ASYNC_PF_ACK, 0);
    msr_add_if_listed(b, MSR_KVM_STEAL_TIME, 0);
    msr_add_if_listed(b, MSR_KVM_PV_EOI_EN, 0);
    /* Documented reset value 1: the guest may poll when idle. */
    msr_add_if_listed(b, MSR_KVM_POLL_CONTROL, 1);

    /* MTRRs (SDM vol. 3A, "MTRR Considerations in Reset"): all ranges
     * off, default type UC with MTRRs disabled. */
    if (cpu_has_cpuid_bit(cpu, 1, 3, CPUID_1_EDX_MTRR)) {
        msr_add(b, MSR_MTRR_DEF_TYPE, 0);
        msr_add(b, MSR_MTRR_FIX64K_00000, 0);
        msr_add(b, MSR_MTRR_FIX16K_80000, 0);
        msr_add(b, MSR_MTRR_FIX16K_A0000, 0);
        for (i = 0; i < 8; i++) {
            msr_add(b, MSR_MTRR_FIX4K_C0000 + i, 0);
        }
        for (i = 0; i < 2 * KVM_MTRR_VAR_RANGES; i++) {
            msr_add(b, MSR_MTRR_PHYS_BASE0 + i, 0);
        }
    }
}

/* ---- registers ---- */

static void seg_to_kvm(const SegmentCache *s, struct kvm_segment *k)
{
    memset(k, 0, sizeof(*k));
    k->base = s->base;
    k->limit = s->limit;
    k->selector = s->selector;
    k->type = (s->flags >> DESC_TYPE_SHIFT) & 0xf;
    k->s = !!(s->flags & DESC_S_MASK);
    k->dpl = (s->flags >> DESC_DPL_SHIFT) & 3;
    k->present = !!(s->flags & DESC_P_MASK);
    k->avl = !!(s->flags & DESC_AVL_MASK);
    k->l = !!(s->flags & DESC_L_MASK);
    k->db = !!(s->flags & DESC_B_MASK);
    k->g = !!(s->flags & DESC_G_MASK);
    k->unusable = !k->present;
}

static void seg_from_kvm(const struct kvm_segment *k, SegmentCache *s)
{
    s->base = k->base;
    s->limit = k->limit;
    s->selector = k->selector;
    s->flags = ((uint32_t)k->type << DESC_TYPE_SHIFT) |
               (k->s ? DESC_S_MASK : 0) |
               ((uint32_t)k->dpl << DESC_DPL_SHIFT) |
               (k->present && !k->unusable ? DESC_P_MASK : 0) |
               (k->avl ? DESC_AVL_MASK : 0) |
               (k->l ? DESC_L_MASK : 0) |
               (k->db ? DESC_B_MASK : 0) |
               (k->g ? DESC_G_MASK : 0);
}

static bool kvm_put_regs(KVMVCPU *v, Error **errp)
{
    const X86CPU *cpu = v->cpu;
    struct kvm_regs r = {
        .rax = cpu->regs[R_EAX], .rbx = cpu->regs[R_EBX],
        .rcx = cpu->regs[R_ECX], .rdx = cpu->regs[R_EDX],
        .rsi = cpu->regs[R_ESI], .rdi = cpu->regs[R_EDI],
        .rsp = cpu->regs[R_ESP], .rbp = cpu->regs[R_EBP],
        .r8 = cpu->regs[R_R8], .r9 = cpu->regs[R_R9],
        .r10 = cpu->regs[R_R10], .r11 = cpu->regs[R_R11],
        .r12 = cpu->regs[R_R12], .r13 = cpu->regs[R_R13],
        .r14 = cpu->regs[R_R14], .r15 = cpu->regs[R_R15],
        .rip = cpu->rip, .rflags = cpu->rflags,
    };

    if (kvm_vcpu_ioctl(v, KVM_SET_REGS, &r) < 0) {
        kvm_err_ioctl(errp, "KVM_SET_REGS");
        return false;
    }
    return true;
}

static bool kvm_put_sregs(KVMVCPU *v, Error **errp)
{
    const X86CPU *cpu = v->cpu;
    struct kvm_sregs s;

    memset(&s, 0, sizeof(s));
    seg_to_kvm(&cpu->segs[R_CS], &s.cs);
    seg_to_kvm(&cpu->segs[R_DS], &s.ds);
    seg_to_kvm(&cpu->segs[R_ES], &s.es);
    seg_to_kvm(&cpu->segs[R_FS], &s.fs);
    seg_to_kvm(&cpu->segs[R_GS], &s.gs);
    seg_to_kvm(&cpu->segs[R_SS], &s.ss);
    seg_to_kvm(&cpu->tr, &s.tr);
    seg_to_kvm(&cpu->ldt, &s.ldt);
    s.gdt.base = cpu->gdt.base;
    s.gdt.limit = cpu->gdt.limit;
    s.idt.base = cpu->idt.base;
    s.idt.limit = cpu->idt.limit;
    s.cr0 = cpu->cr[0];
    s.cr2 = cpu->cr[2];
    s.cr3 = cpu->cr[3];
    s.cr4 = cpu->cr[4];
    s.cr8 = cpu->cr[8];
    s.efer = cpu->efer;
    s.apic_base = cpu->apic_base;
    if (kvm_vcpu_ioctl(v, KVM_SET_SREGS, &s) < 0) {
        kvm_err_ioctl(errp, "KVM_SET_SREGS");
        return false;
    }
    return true;
}

static bool kvm_put_debugregs(KVMVCPU *v, Error **errp)
{
    const X86CPU *cpu = v->cpu;
    struct kvm_debugregs d;
    unsigned i;

    if (!kvm_state.have_debugregs) {
        return true;
    }
    memset(&d, 0, sizeof(d));
    for (i = 0; i < 4; i++) {
        d.db[i] = cpu->dr[i];
    }
    d.dr6 = cpu->dr[6];
    d.dr7 = cpu->dr[7];
    if (kvm_vcpu_ioctl(v, KVM_SET_DEBUGREGS, &d) < 0) {
        kvm_err_ioctl(errp, "KVM_SET_DEBUGREGS");
        return false;
    }
    return true;
}

/*
 * X86CPU.halted says HLT or not. A vCPU waiting for INIT or SIPI has no
 * X86CPU equivalent and keeps its state; between running and halted we
 * follow X86CPU (so a debugger or a loaded state can wake a halted CPU).
 */
static bool kvm_put_halted(KVMVCPU *v, Error **errp)
{
    struct kvm_mp_state mp;
    uint32_t want = v->cpu->halted ? KVM_MP_STATE_HALTED
                                   : KVM_MP_STATE_RUNNABLE;

    if (kvm_vcpu_ioctl(v, KVM_GET_MP_STATE, &mp) < 0) {
        kvm_err_ioctl(errp, "KVM_GET_MP_STATE");
        return false;
    }
    if ((mp.mp_state != KVM_MP_STATE_RUNNABLE &&
         mp.mp_state != KVM_MP_STATE_HALTED) || mp.mp_state == want) {
        return true;
    }
    mp.mp_state = want;
    if (kvm_vcpu_ioctl(v, KVM_SET_MP_STATE, &mp) < 0) {
        kvm_err_ioctl(errp, "KVM_SET_MP_STATE");
        return false;
    }
    return true;
}

bool kvm_cpu_put_state(KVMVCPU *v, Error **errp)
{
    MSRBuf b = { 0 };
    bool ok;

    if (!kvm_put_regs(v, errp) || !kvm_put_sregs(v, errp)) {
        return false;
    }
    kvm_cpu_add_state_msrs(v->cpu, &b);
    ok = kvm_put_msr_buf(v, &b, errp);
    g_free(b.msrs);
    return ok && kvm_put_debugregs(v, errp) && kvm_put_halted(v, errp);
}

bool kvm_cpu_get_state(KVMVCPU *v, Error **errp)
{
    X86CPU *cpu = v->cpu;
    struct kvm_regs r;
    struct kvm_sregs s;
    struct kvm_mp_state mp;
    MSRBuf b = { 0 };
    unsigned i;
    int ret;

    if (kvm_vcpu_ioctl(v, KVM_GET_REGS, &r) < 0) {
        kvm_err_ioctl(errp, "KVM_GET_REGS");
        return false;
    }
    cpu->regs[R_EAX] = r.rax; cpu->regs[R_EBX] = r.rbx;
    cpu->regs[R_ECX] = r.rcx; cpu->regs[R_EDX] = r.rdx;
    cpu->regs[R_ESI] = r.rsi; cpu->regs[R_EDI] = r.rdi;
    cpu->regs[R_ESP] = r.rsp; cpu->regs[R_EBP] = r.rbp;
    cpu->regs[R_R8] = r.r8;   cpu->regs[R_R9] = r.r9;
    cpu->regs[R_R10] = r.r10; cpu->regs[R_R11] = r.r11;
    cpu->regs[R_R12] = r.r12; cpu->regs[R_R13] = r.r13;
    cpu->regs[R_R14] = r.r14; cpu->regs[R_R15] = r.r15;
    cpu->rip = r.rip;
    cpu->rflags = r.rflags;

    if (kvm_vcpu_ioctl(v, KVM_GET_SREGS, &s) < 0) {
        kvm_err_ioctl(errp, "KVM_GET_SREGS");
        return false;
    }
    seg_from_kvm(&s.cs, &cpu->segs[R_CS]);
    seg_from_kvm(&s.ds, &cpu->segs[R_DS]);
    seg_from_kvm(&s.es, &cpu->segs[R_ES]);
    seg_from_kvm(&s.fs, &cpu->segs[R_FS]);
    seg_from_kvm(&s.gs, &cpu->segs[R_GS]);
    seg_from_kvm(&s.ss, &cpu->segs[R_SS]);
    seg_from_kvm(&s.tr, &cpu->tr);
    seg_from_kvm(&s.ldt, &cpu->ldt);
    cpu->gdt.base = s.gdt.base;
    cpu->gdt.limit = s.gdt.limit;
    cpu->idt.base = s.idt.base;
    cpu->idt.limit = s.idt.limit;
    cpu->cr[0] = s.cr0;
    cpu->cr[2] = s.cr2;
    cpu->cr[3] = s.cr3;
    cpu->cr[4] = s.cr4;
    cpu->cr[8] = s.cr8;
    cpu->efer = s.efer;
    cpu->apic_base = s.apic_base;

    if (kvm_state.have_debugregs) {
        struct kvm_debugregs d;

        if (kvm_vcpu_ioctl(v, KVM_GET_DEBUGREGS, &d) < 0) {
            kvm_err_ioctl(errp, "KVM_GET_DEBUGREGS");
            return false;
        }
        for (i = 0; i < 4; i++) {
            cpu->dr[i] = d.db[i];
        }
        cpu->dr[6] = d.dr6;
        cpu->dr[7] = d.dr7;
    }

    kvm_cpu_add_state_msrs(cpu, &b);
    ret = kvm_vcpu_ioctl(v, KVM_GET_MSRS, b.msrs);
    if (ret < 0) {
        kvm_err_ioctl(errp, "KVM_GET_MSRS");
        g_free(b.msrs);
        return false;
    }
    for (i = 0; i < (unsigned)ret; i++) {
        uint64_t d = b.msrs->entries[i].data;

        switch (b.msrs->entries[i].index) {
        case MSR_IA32_TSC:          cpu->tsc = d; break;
        case MSR_IA32_SYSENTER_CS:  cpu->sysenter_cs = d; break;
        case MSR_IA32_SYSENTER_ESP: cpu->sysenter_esp = d; break;
        case MSR_IA32_SYSENTER_EIP: cpu->sysenter_eip = d; break;
        case MSR_IA32_CR_PAT:       cpu->pat = d; break;
        case MSR_STAR:              cpu->star = d; break;
        case MSR_LSTAR:             cpu->lstar = d; break;
        case MSR_CSTAR:             cpu->cstar = d; break;
        case MSR_FMASK:             cpu->fmask = d; break;
        case MSR_KERNEL_GS_BASE:    cpu->kernel_gs_base = d; break;
        }
    }
    g_free(b.msrs);

    if (kvm_vcpu_ioctl(v, KVM_GET_MP_STATE, &mp) < 0) {
        kvm_err_ioctl(errp, "KVM_GET_MP_STATE");
        return false;
    }
    cpu->halted = mp.mp_state == KVM_MP_STATE_HALTED;
    return true;
}

/* ---- reset of what X86CPU does not hold ---- */

static bool kvm_reset_fpu(KVMVCPU *v, Error **errp)
{
    if (kvm_state.have_xsave) {
        int size = MAX((int)sizeof(struct kvm_xsave),
                       kvm_check_extension(KVM_CAP_XSAVE2));
        uint8_t *area = g_malloc0(size);
        uint16_t fcw = FPU_FCW_RESET;
        uint32_t mxcsr = MXCSR_RESET;
        uint64_t bv = XSTATE_X87_SSE;
        int ret;

        memcpy(area + XSAVE_FCW, &fcw, sizeof(fcw));
        memcpy(area + XSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
        memcpy(area + XSAVE_XSTATE_BV, &bv, sizeof(bv));
        ret = kvm_vcpu_ioctl(v, KVM_SET_XSAVE, area);
        g_free(area);
        if (ret < 0) {
            kvm_err_ioctl(errp, "KVM_SET_XSAVE");
            return false;
        }
    } else {
        struct kvm_fpu fpu;

        memset(&fpu, 0, sizeof(fpu));
        fpu.fcw = FPU_FCW_RESET;
        fpu.mxcsr = MXCSR_RESET;
        if (kvm_vcpu_ioctl(v, KVM_SET_FPU, &fpu) < 0) {
            kvm_err_ioctl(errp, "KVM_SET_FPU");
            return false;
        }
    }
    if (kvm_state.have_xcrs) {
        struct kvm_xcrs x;

        memset(&x, 0, sizeof(x));
        x.nr_xcrs = 1;
        x.xcrs[0].xcr = 0;
        x.xcrs[0].value = XCR0_RESET;
        if (kvm_vcpu_ioctl(v, KVM_SET_XCRS, &x) < 0) {
            kvm_err_ioctl(errp, "KVM_SET_XCRS");
            return false;
        }
    }
    return true;
}

/*
 * Local APIC after reset (SDM vol. 3A, "Local APIC State After Power-Up
 * or Reset"): IRR, ISR, TMR, ICR, LDR, TPR, timer counts and divide 0,
 * DFR all ones, SVR 0xff (software-disabled), every LVT masked. The
 * version register is the kernel's, so we read before we write.
 *
 * The BSP's LINT0 is left unmasked in ExtINT mode, as every PC BIOS
 * programs it and QEMU resets it, so that 8259 interrupts reach a guest
 * started without a BIOS.
 */
static bool kvm_reset_lapic(KVMVCPU *v, Error **errp)
{
    static const uint32_t lvts[] = {
        APIC_LVT_CMCI, APIC_LVT_TIMER, APIC_LVT_THERMAL, APIC_LVT_PERF,
        APIC_LVT_LINT0, APIC_LVT_LINT1, APIC_LVT_ERROR,
    };
    struct kvm_lapic_state *l = g_new0(struct kvm_lapic_state, 1);
    uint32_t lvr, val;
    unsigned i;
    bool ok = false;

    if (kvm_vcpu_ioctl(v, KVM_GET_LAPIC, l) < 0) {
        kvm_err_ioctl(errp, "KVM_GET_LAPIC");
        goto out;
    }
    memcpy(&lvr, l->regs + APIC_LVR, 4);
    memset(l->regs, 0, sizeof(l->regs));
    memcpy(l->regs + APIC_LVR, &lvr, 4);
    val = (v->cpu->apic_id & 0xff) << 24;
    memcpy(l->regs + APIC_ID, &val, 4);
    val = 0xffffffff;
    memcpy(l->regs + APIC_DFR, &val, 4);
    val = 0xff;
    memcpy(l->regs + APIC_SVR, &val, 4);
    for (i = 0; i < ARRAY_SIZE(lvts); i++) {
        val = APIC_LVT_MASKED;
        if (lvts[i] == APIC_LVT_LINT0 && v->index == 0) {
            val = APIC_DM_EXTINT;
        }
        memcpy(l->regs + lvts[i], &val, 4);
    }
    if (kvm_vcpu_ioctl(v, KVM_SET_LAPIC, l) < 0) {
        kvm_err_ioctl(errp, "KVM_SET_LAPIC");
        goto out;
    }
    ok = true;
out:
    g_free(l);
    return ok;
}

bool kvm_cpu_reset(KVMVCPU *v, Error **errp)
{
    X86CPU *cpu = v->cpu;
    struct kvm_mp_state mp;
    MSRBuf b = { 0 };
    bool ok;

    x86_cpu_reset(cpu);
    /* Order as the kernel wants it: APIC base (in SREGS) before the
     * LAPIC registers, MSRs after CPUID (set at creation), MP state
     * last. */
    if (!kvm_put_regs(v, errp) || !kvm_reset_fpu(v, errp) ||
        !kvm_put_sregs(v, errp)) {
        return false;
    }
    kvm_cpu_add_state_msrs(cpu, &b);
    kvm_cpu_add_reset_msrs(cpu, &b);
    ok = kvm_put_msr_buf(v, &b, errp);
    g_free(b.msrs);
    if (!ok || !kvm_put_debugregs(v, errp) || !kvm_reset_lapic(v, errp)) {
        return false;
    }
    if (kvm_state.have_vcpu_events) {
        struct kvm_vcpu_events ev;

        /* No pending exception, interrupt, NMI or SIPI; no shadow. */
        memset(&ev, 0, sizeof(ev));
        ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING |
                   KVM_VCPUEVENT_VALID_SIPI_VECTOR |
                   KVM_VCPUEVENT_VALID_SHADOW;
        if (kvm_vcpu_ioctl(v, KVM_SET_VCPU_EVENTS, &ev) < 0) {
            kvm_err_ioctl(errp, "KVM_SET_VCPU_EVENTS");
            return false;
        }
    }
    /* The BSP runs; application processors wait for INIT and SIPI,
     * which the in-kernel LAPIC delivers. */
    mp.mp_state = v->index == 0 ? KVM_MP_STATE_RUNNABLE
                                : KVM_MP_STATE_UNINITIALIZED;
    if (kvm_vcpu_ioctl(v, KVM_SET_MP_STATE, &mp) < 0) {
        kvm_err_ioctl(errp, "KVM_SET_MP_STATE");
        return false;
    }
    return true;
}

/* ---- diagnostics ---- */

static void dump_seg(FILE *f, const char *name, const struct kvm_segment *s)
{
    fprintf(f, "%-3s=%04x %016" PRIx64 " %08x type=%x s=%d dpl=%d p=%d "
            "db=%d l=%d g=%d%s\n", name, s->selector, (uint64_t)s->base,
            s->limit, s->type, s->s, s->dpl, s->present, s->db, s->l, s->g,
            s->unusable ? " unusable" : "");
}

/* Registers straight from the kernel, for internal-error reports. */
void kvm_cpu_dump_state(KVMVCPU *v, FILE *f)
{
    struct kvm_regs r;
    struct kvm_sregs s;

    if (kvm_vcpu_ioctl(v, KVM_GET_REGS, &r) < 0) {
        fprintf(f, "KVM_GET_REGS failed: %s\n", strerror(errno));
        return;
    }
    fprintf(f, "RAX=%016llx RBX=%016llx RCX=%016llx RDX=%016llx\n"
            "RSI=%016llx RDI=%016llx RBP=%016llx RSP=%016llx\n"
            "R8 =%016llx R9 =%016llx R10=%016llx R11=%016llx\n"
            "R12=%016llx R13=%016llx R14=%016llx R15=%016llx\n"
            "RIP=%016llx RFL=%08llx\n",
            r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, r.rsp,
            r.r8, r.r9, r.r10, r.r11, r.r12, r.r13, r.r14, r.r15,
            r.rip, r.rflags);
    if (kvm_vcpu_ioctl(v, KVM_GET_SREGS, &s) < 0) {
        fprintf(f, "KVM_GET_SREGS failed: %s\n", strerror(errno));
        return;
    }
    dump_seg(f, "ES", &s.es);
    dump_seg(f, "CS", &s.cs);
    dump_seg(f, "SS", &s.ss);
    dump_seg(f, "DS", &s.ds);
    dump_seg(f, "FS", &s.fs);
    dump_seg(f, "GS", &s.gs);
    dump_seg(f, "LDT", &s.ldt);
    dump_seg(f, "TR", &s.tr);
    fprintf(f, "GDT=%016llx %04x IDT=%016llx %04x\n"
            "CR0=%08llx CR2=%016llx CR3=%016llx CR4=%08llx CR8=%llx\n"
            "EFER=%016llx APIC_BASE=%016llx\n",
            s.gdt.base, s.gdt.limit, s.idt.base, s.idt.limit,
            s.cr0, s.cr2, s.cr3, s.cr4, s.cr8, s.efer, s.apic_base);
}
