/*
 * x86 CPU state shared by every accelerator: the power-on/reset state.
 *
 * Intel SDM vol. 3A, "Processor State After Reset" and its table
 * "IA-32 and Intel 64 Processor States Following Power-up, Reset, or
 * INIT" (table 9-1 in older editions, 10-1 in newer): real mode, CS
 * selector f000 with base ffff0000 so the first fetch is at physical
 * fffffff0, EDX holding the processor signature, the caches off
 * (CR0.CD/NW), the FPU present (CR0.ET). MSRs whose reset value is
 * architectural: IA32_APIC_BASE ("Local APIC Status and Location": base
 * fee00000, enabled, BSP flag on the bootstrap processor), IA32_PAT
 * ("Programming the PAT": WB, WT, UC-, UC twice), the TSC (0).
 *
 * The accelerator owns the parts X86CPU does not hold (x87/SSE state,
 * XCR0, local APIC registers) and resets them alongside.
 */
#include "target/i386/cpu.h"

#define CR0_ET_MASK (1ULL << 4)
#define CR0_NW_MASK (1ULL << 29)
#define CR0_CD_MASK (1ULL << 30)

#define EFLAGS_FIXED 0x2ULL           /* bit 1 reads as 1 */

#define DR6_RESET 0xffff0ff0ULL
#define DR7_RESET 0x400ULL

#define MSR_IA32_APICBASE_BSP    (1ULL << 8)
#define MSR_IA32_APICBASE_ENABLE (1ULL << 11)
#define APIC_DEFAULT_ADDRESS     0xfee00000ULL

/* PAT entries 0-7: WB, WT, UC-, UC, WB, WT, UC-, UC. */
#define PAT_RESET 0x0007040600070406ULL

/* Descriptor types (SDM 3A "Code- and Data-Segment Descriptor Types",
 * "System Descriptor Types"). */
#define DESC_TYPE_DATA_RW_ACCESSED   0x3
#define DESC_TYPE_CODE_RX_ACCESSED   0xb
#define DESC_TYPE_LDT                0x2
#define DESC_TYPE_TSS32_BUSY         0xb

/* Used when the accelerator chose no CPUID model: family 6 model 0. */
#define DEFAULT_SIGNATURE 0x00000600

static uint32_t x86_cpu_signature(const X86CPU *cpu)
{
    unsigned i;

    for (i = 0; i < cpu->nr_cpuid; i++) {
        if (cpu->cpuid[i].function == 1) {
            return cpu->cpuid[i].eax;
        }
    }
    return DEFAULT_SIGNATURE;
}

static void seg_reset(SegmentCache *seg, uint16_t selector, uint64_t base,
                      uint32_t flags)
{
    seg->selector = selector;
    seg->base = base;
    seg->limit = 0xffff;
    seg->flags = flags;
}

void x86_cpu_reset(X86CPU *cpu)
{
    const uint32_t data_flags = DESC_P_MASK | DESC_S_MASK |
        (DESC_TYPE_DATA_RW_ACCESSED << DESC_TYPE_SHIFT);
    unsigned i;

    /* The model half (index, apic_id, cpuid) and the wiring survive. */
    memset(cpu->regs, 0, sizeof(cpu->regs));
    cpu->regs[R_EDX] = x86_cpu_signature(cpu);
    cpu->rip = 0xfff0;
    cpu->rflags = EFLAGS_FIXED;

    for (i = 0; i < ARRAY_SIZE(cpu->segs); i++) {
        seg_reset(&cpu->segs[i], 0, 0, data_flags);
    }
    seg_reset(&cpu->segs[R_CS], 0xf000, 0xffff0000,
              DESC_P_MASK | DESC_S_MASK |
              (DESC_TYPE_CODE_RX_ACCESSED << DESC_TYPE_SHIFT));
    seg_reset(&cpu->ldt, 0, 0,
              DESC_P_MASK | (DESC_TYPE_LDT << DESC_TYPE_SHIFT));
    seg_reset(&cpu->tr, 0, 0,
              DESC_P_MASK | (DESC_TYPE_TSS32_BUSY << DESC_TYPE_SHIFT));
    cpu->gdt.base = 0;
    cpu->gdt.limit = 0xffff;
    cpu->idt.base = 0;
    cpu->idt.limit = 0xffff;

    memset(cpu->cr, 0, sizeof(cpu->cr));
    cpu->cr[0] = CR0_CD_MASK | CR0_NW_MASK | CR0_ET_MASK;
    cpu->efer = 0;

    memset(cpu->dr, 0, sizeof(cpu->dr));
    cpu->dr[6] = DR6_RESET;
    cpu->dr[7] = DR7_RESET;

    cpu->apic_base = APIC_DEFAULT_ADDRESS | MSR_IA32_APICBASE_ENABLE;
    if (cpu->index == 0) {
        cpu->apic_base |= MSR_IA32_APICBASE_BSP;
    }
    cpu->tsc = 0;
    cpu->sysenter_cs = cpu->sysenter_esp = cpu->sysenter_eip = 0;
    cpu->star = cpu->lstar = cpu->cstar = cpu->fmask = 0;
    cpu->kernel_gs_base = 0;
    cpu->pat = PAT_RESET;

    /* FPU after RESET (SDM 3A table 9-1): FCW 0040h, FSW 0, all tags
     * empty (11b), registers +0; MXCSR 1F80h. */
    memset(cpu->fpregs, 0, sizeof(cpu->fpregs));
    cpu->fcw = 0x0040;
    cpu->fsw = 0;
    cpu->ftw = 0xffff;
    cpu->fop = 0;
    cpu->fip = cpu->fdp = 0;
    cpu->fcs = cpu->fds = 0;
    memset(cpu->xmm, 0, sizeof(cpu->xmm));
    cpu->mxcsr = 0x1f80;

    /* Application processors wait for INIT/SIPI; the accelerator keeps
     * that wait state itself (KVM's mp_state), so "halted" here only
     * means HLT. */
    cpu->halted = false;
}
