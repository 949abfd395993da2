/*
 * System instructions: the 0F 00 / 0F 01 groups (SLDT, STR, LLDT, LTR,
 * VERR, VERW, SGDT, SIDT, LGDT, LIDT, SMSW, LMSW, INVLPG), LAR, LSL,
 * ARPL, CLTS, MOV to and from control and debug registers, INVD, WBINVD,
 * RDMSR/WRMSR, RDTSC, RDPMC, SYSENTER/SYSEXIT, CPUID, UD2.
 *
 * SDM 2 instruction pages; the MSRs are SDM 4 ("Model-Specific
 * Registers", architectural MSRs): TSC, APIC_BASE, SYSENTER_CS/ESP/EIP,
 * PAT, the MTRRs (stored only: memory types do not matter to an
 * interpreter), MISC_ENABLE, EFER (NXE). Others raise #GP(0).
 *
 * CPUID: the accelerator's model table (X86CPU.cpuid) when it set one,
 * else a built-in family-6 GenuineIntel model advertising only what this
 * interpreter implements (no x87, MMX or SSE yet). The TSC counts
 * virtual nanoseconds (1 GHz) from include/softmmu/timer.h.
 */
#include "target/i386/internal.h"
#include "softmmu/timer.h"

#define MSR_IA32_TSC            0x10
#define MSR_IA32_PLATFORM_ID    0x17
#define MSR_IA32_APICBASE       0x1b
#define MSR_IA32_BIOS_UPDT_TRIG 0x79
#define MSR_IA32_BIOS_SIGN_ID   0x8b
#define MSR_MTRRcap             0xfe
#define MSR_IA32_SYSENTER_CS    0x174
#define MSR_IA32_SYSENTER_ESP   0x175
#define MSR_IA32_SYSENTER_EIP   0x176
#define MSR_IA32_MISC_ENABLE    0x1a0
#define MSR_MTRRphysBase0       0x200
#define MSR_MTRRfix64K_00000    0x250
#define MSR_MTRRfix16K_80000    0x258
#define MSR_MTRRfix16K_A0000    0x259
#define MSR_MTRRfix4K_C0000     0x268
#define MSR_IA32_PAT            0x277
#define MSR_MTRRdefType         0x2ff
#define MSR_EFER                0xc0000080

/* CPUID.1:EDX bits (SDM 2 "CPUID", table "Feature Information") */
#define CPUID_PSE   (1u << 3)
#define CPUID_TSC   (1u << 4)
#define CPUID_MSR   (1u << 5)
#define CPUID_PAE   (1u << 6)
#define CPUID_CX8   (1u << 8)
#define CPUID_APIC  (1u << 9)
#define CPUID_SEP   (1u << 11)
#define CPUID_MTRR  (1u << 12)
#define CPUID_PGE   (1u << 13)
#define CPUID_CMOV  (1u << 15)
#define CPUID_PAT   (1u << 16)
#define CPUID_PSE36 (1u << 17)
#define CPUID_CLFSH (1u << 19)
#define CPUID_MMX   (1u << 23)
#define CPUID_FXSR  (1u << 24)
#define CPUID_SSE   (1u << 25)
#define CPUID_SSE2  (1u << 26)
#define CPUID_EXT_NX (1u << 20)

static void need_cpl0(X86CPU *cpu)
{
    if (x86_cpl(cpu) != 0) {
        x86_gp(cpu, 0);
    }
}

static void need_pmode(X86CPU *cpu)
{
    if (!x86_pe(cpu) || x86_vm86(cpu)) {
        x86_ud(cpu);
    }
}

static uint64_t tsc_now(X86CPU *cpu)
{
    return (uint64_t)clock_get_ns(CLOCK_VIRTUAL) + cpu->tsc;
}

/* 0F 00: arg = ModRM.reg */
void grp6(X86CPU *cpu, X86Insn *i)
{
    uint16_t sel;
    uint32_t lo, hi, type;

    need_pmode(cpu);
    switch (i->op->arg) {
    case 0:     /* SLDT */
        x86_set_E(cpu, i, i->mod == 3 ? i->opsize : 2, cpu->ldt.selector);
        return;
    case 1:     /* STR */
        x86_set_E(cpu, i, i->mod == 3 ? i->opsize : 2, cpu->tr.selector);
        return;
    case 2:     /* LLDT */
        need_cpl0(cpu);
        sel = x86_get_E(cpu, i, 2);
        if ((sel & ~3u) == 0) {
            cpu->ldt.selector = sel;
            cpu->ldt.flags = 0;
            cpu->ldt.base = 0;
            cpu->ldt.limit = 0;
            return;
        }
        if ((sel & 4) || !x86_load_desc(cpu, sel, &lo, &hi) ||
            (hi & DESC_S_MASK) || ((hi >> 8) & 0xf) != 2) {
            x86_gp(cpu, sel & ~3u);
        }
        if (!(hi & DESC_P_MASK)) {
            x86_raise(cpu, EXCP_NP, sel & ~3u);
        }
        x86_desc_to_cache(&cpu->ldt, sel, lo, hi);
        return;
    case 3:     /* LTR */
        need_cpl0(cpu);
        sel = x86_get_E(cpu, i, 2);
        if ((sel & ~3u) == 0 || (sel & 4) ||
            !x86_load_desc(cpu, sel, &lo, &hi)) {
            x86_gp(cpu, sel & ~3u);
        }
        type = (hi >> 8) & 0x1f;
        if (type != 1 && type != 9) {
            x86_gp(cpu, sel & ~3u);
        }
        if (!(hi & DESC_P_MASK)) {
            x86_raise(cpu, EXCP_NP, sel & ~3u);
        }
        hi |= 2u << DESC_TYPE_SHIFT;
        x86_sys_st(cpu, cpu->gdt.base + (sel & ~7u) + 4, hi, 4);
        x86_desc_to_cache(&cpu->tr, sel, lo, hi);
        return;
    case 4:     /* VERR */
    case 5: {   /* VERW */
        bool ok = false;
        unsigned cpl = x86_cpl(cpu), dpl;
        sel = x86_get_E(cpu, i, 2);
        if ((sel & ~3u) != 0 && x86_load_desc(cpu, sel, &lo, &hi) &&
            (hi & DESC_S_MASK)) {
            type = (hi >> 8) & 0xf;
            dpl = (hi >> 13) & 3;
            bool conforming = (type & 0xc) == 0xc;
            if (conforming || (dpl >= cpl && dpl >= (sel & 3u))) {
                ok = i->op->arg == 4 ? (!(type & 8) || (type & 2))
                                     : (!(type & 8) && (type & 2));
            }
        }
        x86_set_eflags(cpu, ok ? CC_Z : 0, CC_Z);
        return;
    }
    default:
        x86_ud(cpu);
    }
}

/* 0F 01: arg = ModRM.reg */
void grp7(X86CPU *cpu, X86Insn *i)
{
    uint32_t ea, base;
    uint16_t limit;
    DescriptorTable *dt;

    switch (i->op->arg) {
    case 0:     /* SGDT */
    case 1:     /* SIDT */
        dt = i->op->arg == 0 ? &cpu->gdt : &cpu->idt;
        ea = x86_ea(cpu, i);
        base = dt->base;
        if (i->opsize == 2) {
            base &= 0xffffff;
        }
        x86_st(cpu, i->seg, ea, dt->limit, 2);
        x86_st(cpu, i->seg, (ea + 2) & size_mask(i->adsize), base, 4);
        return;
    case 2:     /* LGDT */
    case 3:     /* LIDT */
        need_cpl0(cpu);
        dt = i->op->arg == 2 ? &cpu->gdt : &cpu->idt;
        ea = x86_ea(cpu, i);
        limit = x86_ld(cpu, i->seg, ea, 2);
        base = x86_ld(cpu, i->seg, (ea + 2) & size_mask(i->adsize), 4);
        if (i->opsize == 2) {
            base &= 0xffffff;
        }
        dt->limit = limit;
        dt->base = base;
        return;
    case 4:     /* SMSW */
        x86_set_E(cpu, i, i->mod == 3 ? i->opsize : 2, (uint32_t)cpu->cr[0]);
        return;
    case 6: {   /* LMSW: PE may be set, not cleared */
        uint32_t v;
        need_cpl0(cpu);
        v = x86_get_E(cpu, i, 2) & 0xf;
        cpu->cr[0] = (cpu->cr[0] & ~0xeULL) | v | (cpu->cr[0] & CR0_PE);
        return;
    }
    case 7:     /* INVLPG */
        need_cpl0(cpu);
        x86_tlb_flush_page(cpu, (uint32_t)cpu->segs[i->seg].base +
                           x86_ea(cpu, i));
        return;
    default:
        x86_ud(cpu);
    }
}

static bool lar_lsl_ok(X86CPU *cpu, uint16_t sel, bool lsl, uint32_t *lo,
                       uint32_t *hi)
{
    unsigned cpl = x86_cpl(cpu), type, dpl;

    if ((sel & ~3u) == 0 || !x86_load_desc(cpu, sel, lo, hi)) {
        return false;
    }
    type = (*hi >> 8) & 0x1f;
    dpl = (*hi >> 13) & 3;
    if (!(*hi & DESC_S_MASK)) {
        static const bool lar_ok[16] = { [1] = 1, [2] = 1, [3] = 1, [4] = 1,
                                         [5] = 1, [9] = 1, [11] = 1,
                                         [12] = 1 };
        static const bool lsl_ok[16] = { [1] = 1, [2] = 1, [3] = 1, [9] = 1,
                                         [11] = 1 };
        if (!(lsl ? lsl_ok : lar_ok)[type & 0xf]) {
            return false;
        }
    } else if ((type & 0x1c) == 0x1c) {
        return true;    /* conforming code: no privilege check */
    }
    return dpl >= cpl && dpl >= (sel & 3u);
}

void lar_Gv_Ew(X86CPU *cpu, X86Insn *i)
{
    uint32_t lo, hi;
    bool ok;

    need_pmode(cpu);
    ok = lar_lsl_ok(cpu, x86_get_E(cpu, i, 2), false, &lo, &hi);
    if (ok) {
        x86_set_reg(cpu, i->reg, i->opsize, hi & 0x00f0ff00);
    }
    x86_set_eflags(cpu, ok ? CC_Z : 0, CC_Z);
}

void lsl_Gv_Ew(X86CPU *cpu, X86Insn *i)
{
    uint32_t lo, hi, limit;
    bool ok;

    need_pmode(cpu);
    ok = lar_lsl_ok(cpu, x86_get_E(cpu, i, 2), true, &lo, &hi);
    if (ok) {
        limit = (lo & 0xffff) | (hi & 0xf0000);
        if (hi & DESC_G_MASK) {
            limit = (limit << 12) | 0xfff;
        }
        x86_set_reg(cpu, i->reg, i->opsize, limit);
    }
    x86_set_eflags(cpu, ok ? CC_Z : 0, CC_Z);
}

void arpl_Ew_Gw(X86CPU *cpu, X86Insn *i)
{
    uint32_t ea = 0, d, s;

    need_pmode(cpu);
    d = x86_get_E_rmw(cpu, i, 2, &ea);
    s = x86_get_reg(cpu, i->reg, 2);
    if ((d & 3) < (s & 3)) {
        x86_set_E_at(cpu, i, 2, ea, (d & ~3u) | (s & 3));
        x86_set_eflags(cpu, CC_Z, CC_Z);
    } else {
        x86_set_E_at(cpu, i, 2, ea, d);
        x86_set_eflags(cpu, 0, CC_Z);
    }
}

void clts(X86CPU *cpu, X86Insn *i)
{
    need_cpl0(cpu);
    cpu->cr[0] &= ~(uint64_t)CR0_TS;
}

void mov_Rd_Cd(X86CPU *cpu, X86Insn *i)
{
    need_cpl0(cpu);
    switch (i->reg) {
    case 0: case 2: case 3: case 4:
        cpu->regs[i->rm] = (uint32_t)cpu->cr[i->reg];
        return;
    default:
        x86_ud(cpu);
    }
}

#define CR4_SUPPORTED (CR4_VME | CR4_PVI | CR4_TSD | CR4_DE | CR4_PSE | \
                       CR4_PAE | CR4_MCE | CR4_PGE | CR4_PCE | \
                       CR4_OSFXSR | CR4_OSXMMEXCPT)

void mov_Cd_Rd(X86CPU *cpu, X86Insn *i)
{
    uint32_t v = cpu->regs[i->rm], old;

    need_cpl0(cpu);
    switch (i->reg) {
    case 0:
        old = cpu->cr[0];
        if ((v & CR0_PG) && !(v & CR0_PE)) {
            x86_gp(cpu, 0);
        }
        if ((v & CR0_NW) && !(v & CR0_CD)) {
            x86_gp(cpu, 0);
        }
        v |= CR0_ET;
        cpu->cr[0] = v;
        if ((old ^ v) & (CR0_PG | CR0_WP | CR0_PE)) {
            x86_tlb_flush(cpu, true);
        }
        return;
    case 2:
        cpu->cr[2] = v;
        return;
    case 3:
        cpu->cr[3] = v;
        x86_tlb_flush(cpu, false);
        return;
    case 4:
        if (v & ~CR4_SUPPORTED) {
            x86_gp(cpu, 0);
        }
        old = cpu->cr[4];
        cpu->cr[4] = v;
        if ((old ^ v) & (CR4_PGE | CR4_PAE | CR4_PSE)) {
            x86_tlb_flush(cpu, true);
        }
        return;
    default:
        x86_ud(cpu);
    }
}

static unsigned dr_index(X86CPU *cpu, unsigned r)
{
    if (r == 4 || r == 5) {
        if (cpu->cr[4] & CR4_DE) {
            x86_ud(cpu);
        }
        r += 2;
    }
    return r;
}

void mov_Rd_Dd(X86CPU *cpu, X86Insn *i)
{
    need_cpl0(cpu);
    cpu->regs[i->rm] = (uint32_t)cpu->dr[dr_index(cpu, i->reg)];
}

void mov_Dd_Rd(X86CPU *cpu, X86Insn *i)
{
    unsigned r;

    need_cpl0(cpu);
    r = dr_index(cpu, i->reg);
    if (r == 6) {
        cpu->dr[6] = (cpu->regs[i->rm] & 0xe00f) | 0xffff0ff0;
    } else if (r == 7) {
        cpu->dr[7] = ((uint32_t)cpu->regs[i->rm] & ~0xd000u) | 0x400;
    } else {
        cpu->dr[r] = (uint32_t)cpu->regs[i->rm];
    }
    if (r == 7 && (cpu->dr[7] & 0xff)) {
        unimp_log("x86: hardware breakpoints (DR7 %08" PRIx64 ")\n",
                  cpu->dr[7]);
    }
}

void invd(X86CPU *cpu, X86Insn *i)
{
    need_cpl0(cpu);
}

void wbinvd(X86CPU *cpu, X86Insn *i)
{
    need_cpl0(cpu);
}

static uint64_t *mtrr_slot(X86Soft *s, uint32_t msr)
{
    if (msr >= MSR_MTRRphysBase0 && msr < MSR_MTRRphysBase0 + 16) {
        return &s->mtrr[msr - MSR_MTRRphysBase0];
    }
    switch (msr) {
    case MSR_MTRRfix64K_00000: return &s->mtrr[16];
    case MSR_MTRRfix16K_80000: return &s->mtrr[17];
    case MSR_MTRRfix16K_A0000: return &s->mtrr[18];
    case MSR_MTRRdefType: return &s->mtrr_def_type;
    }
    if (msr >= MSR_MTRRfix4K_C0000 && msr < MSR_MTRRfix4K_C0000 + 8) {
        return &s->mtrr[19 + msr - MSR_MTRRfix4K_C0000];
    }
    return NULL;
}

void rdmsr(X86CPU *cpu, X86Insn *i)
{
    X86Soft *s = x86_soft(cpu);
    uint32_t msr = cpu->regs[R_ECX];
    uint64_t v, *slot;

    need_cpl0(cpu);
    switch (msr) {
    case MSR_IA32_TSC: v = tsc_now(cpu); break;
    case MSR_IA32_PLATFORM_ID: v = 0; break;
    case MSR_IA32_APICBASE: v = cpu->apic_base; break;
    case MSR_IA32_BIOS_SIGN_ID: v = 0; break;
    case MSR_MTRRcap: v = 0x508; break;    /* 8 variable, fixed, WC */
    case MSR_IA32_SYSENTER_CS: v = cpu->sysenter_cs; break;
    case MSR_IA32_SYSENTER_ESP: v = cpu->sysenter_esp; break;
    case MSR_IA32_SYSENTER_EIP: v = cpu->sysenter_eip; break;
    case MSR_IA32_MISC_ENABLE: v = s->misc_enable | 1; break;
    case MSR_IA32_PAT: v = cpu->pat; break;
    case MSR_EFER: v = cpu->efer; break;
    default:
        slot = mtrr_slot(s, msr);
        if (!slot) {
            guest_error("x86: rdmsr of unknown MSR %#x\n", msr);
            x86_gp(cpu, 0);
        }
        v = *slot;
    }
    cpu->regs[R_EAX] = (uint32_t)v;
    cpu->regs[R_EDX] = (uint32_t)(v >> 32);
}

void wrmsr(X86CPU *cpu, X86Insn *i)
{
    X86Soft *s = x86_soft(cpu);
    uint32_t msr = cpu->regs[R_ECX];
    uint64_t v = ((uint64_t)(uint32_t)cpu->regs[R_EDX] << 32) |
                 (uint32_t)cpu->regs[R_EAX], *slot;

    need_cpl0(cpu);
    switch (msr) {
    case MSR_IA32_TSC:
        cpu->tsc = v - (uint64_t)clock_get_ns(CLOCK_VIRTUAL);
        return;
    case MSR_IA32_APICBASE:
        /* The LAPIC (accel/soft) reads apic_base when it needs it. */
        cpu->apic_base = (v & 0xfffff900ULL) | (cpu->apic_base & 0x100);
        return;
    case MSR_IA32_BIOS_UPDT_TRIG:
    case MSR_IA32_BIOS_SIGN_ID:
        return;
    case MSR_IA32_SYSENTER_CS: cpu->sysenter_cs = v & 0xffff; return;
    case MSR_IA32_SYSENTER_ESP: cpu->sysenter_esp = (uint32_t)v; return;
    case MSR_IA32_SYSENTER_EIP: cpu->sysenter_eip = (uint32_t)v; return;
    case MSR_IA32_MISC_ENABLE: s->misc_enable = v; return;
    case MSR_IA32_PAT: cpu->pat = v; return;
    case MSR_EFER:
        if (v & ~(uint64_t)EFER_NXE) {
            x86_gp(cpu, 0);
        }
        cpu->efer = v;
        x86_tlb_flush(cpu, true);
        return;
    default:
        slot = mtrr_slot(s, msr);
        if (!slot) {
            guest_error("x86: wrmsr of unknown MSR %#x\n", msr);
            x86_gp(cpu, 0);
        }
        *slot = v;
    }
}

void rdtsc(X86CPU *cpu, X86Insn *i)
{
    uint64_t v;

    if ((cpu->cr[4] & CR4_TSD) && x86_cpl(cpu) != 0) {
        x86_gp(cpu, 0);
    }
    v = tsc_now(cpu);
    cpu->regs[R_EAX] = (uint32_t)v;
    cpu->regs[R_EDX] = (uint32_t)(v >> 32);
}

void rdpmc(X86CPU *cpu, X86Insn *i)
{
    if (!(cpu->cr[4] & CR4_PCE) && x86_cpl(cpu) != 0) {
        x86_gp(cpu, 0);
    }
    if (cpu->regs[R_ECX] > 1) {
        x86_gp(cpu, 0);
    }
    cpu->regs[R_EAX] = cpu->regs[R_EDX] = 0;
}

static void flat_seg(SegmentCache *sc, uint16_t sel, bool code, unsigned dpl)
{
    sc->selector = sel;
    sc->base = 0;
    sc->limit = 0xffffffff;
    sc->flags = DESC_P_MASK | DESC_S_MASK | DESC_B_MASK | DESC_G_MASK |
                (dpl << DESC_DPL_SHIFT) |
                ((code ? 0xb : 0x3) << DESC_TYPE_SHIFT);
}

/* SYSENTER/SYSEXIT (SDM 2): flat segments derived from SYSENTER_CS. */
void sysenter(X86CPU *cpu, X86Insn *i)
{
    uint16_t cs = cpu->sysenter_cs;

    if (!x86_pe(cpu) || (cs & ~3u) == 0) {
        x86_gp(cpu, 0);
    }
    x86_set_eflags(cpu, 0, VM_MASK | IF_MASK | RF_MASK);
    flat_seg(&cpu->segs[R_CS], cs & ~3u, true, 0);
    flat_seg(&cpu->segs[R_SS], (cs & ~3u) + 8, false, 0);
    cpu->regs[R_ESP] = (uint32_t)cpu->sysenter_esp;
    cpu->rip = (uint32_t)cpu->sysenter_eip;
}

void sysexit(X86CPU *cpu, X86Insn *i)
{
    uint16_t cs = cpu->sysenter_cs;

    if (!x86_pe(cpu) || x86_vm86(cpu) || (cs & ~3u) == 0 ||
        x86_cpl(cpu) != 0) {
        x86_gp(cpu, 0);
    }
    flat_seg(&cpu->segs[R_CS], ((cs & ~3u) + 16) | 3, true, 3);
    flat_seg(&cpu->segs[R_SS], ((cs & ~3u) + 24) | 3, false, 3);
    cpu->regs[R_ESP] = (uint32_t)cpu->regs[R_ECX];
    cpu->rip = (uint32_t)cpu->regs[R_EDX];
}

static void cpuid_builtin(X86CPU *cpu, uint32_t leaf, uint32_t r[4])
{
    static const char brand[48] = "pcemu software CPU";

    memset(r, 0, 16);
    switch (leaf) {
    case 0:
        r[0] = 2;
        memcpy(&r[1], "Genu", 4);
        memcpy(&r[3], "ineI", 4);
        memcpy(&r[2], "ntel", 4);
        break;
    case 1:
        r[0] = 0x00000663;      /* family 6, model 6, stepping 3 */
        /* EBX 15:8: CLFLUSH line size in 8-byte units (64 bytes) */
        r[1] = (cpu->apic_id << 24) | (1 << 16) | (8 << 8);
        r[3] = CPUID_PSE | CPUID_TSC | CPUID_MSR | CPUID_PAE | CPUID_CX8 |
               CPUID_APIC | CPUID_SEP | CPUID_MTRR | CPUID_PGE | CPUID_CMOV |
               CPUID_PAT | CPUID_PSE36 | CPUID_CLFSH | CPUID_MMX |
               CPUID_FXSR | CPUID_SSE | CPUID_SSE2;
        break;
    case 2:
        r[0] = 0x00000001;      /* no cache descriptors */
        break;
    case 0x80000000:
        r[0] = 0x80000004;
        break;
    case 0x80000001:
        r[3] = CPUID_EXT_NX;
        break;
    case 0x80000002:
    case 0x80000003:
    case 0x80000004:
        memcpy(r, brand + (leaf - 0x80000002) * 16, 16);
        break;
    default:
        if (leaf < 0x80000000) {
            cpuid_builtin(cpu, 2, r);
        }
        break;
    }
}

void cpuid(X86CPU *cpu, X86Insn *i)
{
    uint32_t leaf = cpu->regs[R_EAX], sub = cpu->regs[R_ECX], r[4];
    unsigned k;

    if (cpu->nr_cpuid) {
        memset(r, 0, sizeof(r));
        for (k = 0; k < cpu->nr_cpuid; k++) {
            CPUIDEntry *e = &cpu->cpuid[k];
            if (e->function == leaf && (!(e->flags & 1) || e->index == sub)) {
                r[0] = e->eax;
                r[1] = e->ebx;
                r[2] = e->ecx;
                r[3] = e->edx;
                break;
            }
        }
    } else {
        cpuid_builtin(cpu, leaf, r);
    }
    cpu->regs[R_EAX] = r[0];
    cpu->regs[R_EBX] = r[1];
    cpu->regs[R_ECX] = r[2];
    cpu->regs[R_EDX] = r[3];
}

void ud2(X86CPU *cpu, X86Insn *i)
{
    x86_ud(cpu);
}

void nop_Ev(X86CPU *cpu, X86Insn *i)
{
}
