/*
 * The x86 CPU's architectural state, one struct shared by every
 * accelerator: KVM copies it to and from the kernel (KVM_GET/SET_REGS,
 * SREGS, MSRS, ...), the software CPU works on it directly, and snapshots
 * save it. Layout follows the SDM's register names.
 */
#ifndef TARGET_I386_CPU_H
#define TARGET_I386_CPU_H

#include "pcemu/common.h"

enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI,
       R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15 };
enum { R_ES, R_CS, R_SS, R_DS, R_FS, R_GS };

/* A segment register with its hidden descriptor cache. flags holds the
 * descriptor's attribute bits in their descriptor positions (bits 8-23 of
 * the high dword: type, S, DPL, P, AVL, L, D/B, G). */
typedef struct SegmentCache {
    uint16_t selector;
    uint64_t base;
    uint32_t limit;
    uint32_t flags;
} SegmentCache;

#define DESC_TYPE_SHIFT 8
#define DESC_S_MASK     (1u << 12)
#define DESC_DPL_SHIFT  13
#define DESC_P_MASK     (1u << 15)
#define DESC_AVL_MASK   (1u << 20)
#define DESC_L_MASK     (1u << 21)
#define DESC_B_MASK     (1u << 22)
#define DESC_G_MASK     (1u << 23)

typedef struct DescriptorTable {
    uint64_t base;
    uint16_t limit;
} DescriptorTable;

#define CPU_MAX_CPUID 64
typedef struct CPUIDEntry {
    uint32_t function, index, flags;
    uint32_t eax, ebx, ecx, edx;
} CPUIDEntry;

typedef struct X86CPU {
    /* guest-visible state */
    uint64_t regs[16];
    uint64_t rip;
    uint64_t rflags;
    SegmentCache segs[6];
    SegmentCache ldt, tr;
    DescriptorTable gdt, idt;
    uint64_t cr[9];         /* cr0, cr2, cr3, cr4, cr8 used */
    uint64_t efer;
    uint64_t dr[8];
    uint64_t apic_base;
    uint64_t tsc;
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;
    uint64_t star, lstar, cstar, fmask, kernel_gs_base;
    uint64_t pat;
    bool halted;

    /* x87 FPU, MMX and SSE (SDM 1, chapters 8-11), in the shape of the
     * FXSAVE image so KVM's struct kvm_fpu and FXSAVE/FXRSTOR copy it
     * field by field. st[i] is physical register Ri (not ST(i)): the
     * 64-bit significand then the sign and 15-bit exponent; MMX register
     * MMi is the significand of Ri. */
    struct {
        uint64_t mant;
        uint16_t sign_exp;
    } fpregs[8];
    uint16_t fcw, fsw;      /* fsw holds TOP in bits 11-13 */
    uint16_t ftw;           /* full tag word, 2 bits per physical reg */
    uint16_t fop;           /* last non-control opcode (11 bits) */
    uint32_t fip, fdp;      /* last instruction / operand pointers */
    uint16_t fcs, fds;
    uint8_t xmm[16][16];
    uint32_t mxcsr;

    /* model, chosen at creation */
    unsigned index;         /* 0 = bootstrap processor */
    uint32_t apic_id;
    CPUIDEntry cpuid[CPU_MAX_CPUID];
    unsigned nr_cpuid;

    /* software CPU (target/i386/exec.h): pending events, set by other
     * threads with __atomic ops; the INTA hook returns a vector */
    uint32_t interrupt_request;
    uint8_t sipi_vector;
    int (*intr_ack)(void *opaque);
    void *intr_opaque;
    uint64_t icount;            /* instructions executed */
    /* the chipset's A20 gate is off: physical address bit 20 reads as 0
     * (set by the accelerator from port 92h / the keyboard controller,
     * followed by x86_cpu_flush_caches) */
    bool a20_disabled;

    /* wiring: the accelerator's per-vCPU data */
    void *accel;
    void *soft;                 /* the interpreter's private state */
} X86CPU;

/* Power-on state of the SDM's table 9-1: CS f000 base ffff0000, IP fff0,
 * EDX = family/model/stepping signature. */
void x86_cpu_reset(X86CPU *cpu);

#endif
