/*
 * Segmentation: offset checks against the descriptor cache, segment
 * register loads, far JMP/CALL/RET and IRET.
 *
 * SDM 3A chapters "Protection" (limit, type and privilege checks; call
 * gates; "Calling Procedures Using a Call Gate" and the stack switch) and
 * the pseudo-code of JMP, CALL, RET, IRET, MOV/POP Sreg and LDS in SDM 2.
 * Real mode loads only the base (selector << 4) and keeps the cached
 * limit and attributes ("unreal mode" works as on hardware); virtual-8086
 * mode loads base, a 64 KiB limit and DPL 3 data attributes.
 */
#include "target/i386/internal.h"

#define SEG_TYPE(f)   (((f) >> DESC_TYPE_SHIFT) & 0xf)
#define SEG_DPL(f)    (((f) >> DESC_DPL_SHIFT) & 3)
#define TYPE_CODE     0x8
#define TYPE_CONFORM  0x4     /* code */
#define TYPE_EXPDOWN  0x4     /* data */
#define TYPE_READ     0x2     /* code */
#define TYPE_WRITE    0x2     /* data */
#define TYPE_ACCESSED 0x1

/* System descriptor types */
#define SYS_TSS16_AVAIL 1
#define SYS_LDT         2
#define SYS_TSS16_BUSY  3
#define SYS_CALL16      4
#define SYS_TASK        5
#define SYS_INT16       6
#define SYS_TRAP16      7
#define SYS_TSS32_AVAIL 9
#define SYS_TSS32_BUSY  11
#define SYS_CALL32      12
#define SYS_INT32       14
#define SYS_TRAP32      15

NORETURN static void seg_fault(X86CPU *cpu, int seg, int err)
{
    x86_raise(cpu, seg == R_SS ? EXCP_SS : EXCP_GP, err);
}

void x86_seg_check(X86CPU *cpu, int seg, uint32_t off, unsigned size,
                   bool write)
{
    SegmentCache *sc = &cpu->segs[seg];
    uint32_t last = off + size - 1;
    uint32_t f = sc->flags;

    if (!x86_pe(cpu) || x86_vm86(cpu)) {
        if (last > sc->limit || last < off) {
            seg_fault(cpu, seg, 0);
        }
        return;
    }
    if (!(f & DESC_P_MASK)) {
        seg_fault(cpu, seg, 0);
    }
    if (f & DESC_S_MASK) {
        unsigned type = SEG_TYPE(f);
        if (type & TYPE_CODE) {
            if (write || !(type & TYPE_READ)) {
                seg_fault(cpu, seg, 0);
            }
        } else if (write && !(type & TYPE_WRITE)) {
            seg_fault(cpu, seg, 0);
        }
        if (!(type & TYPE_CODE) && (type & TYPE_EXPDOWN)) {
            uint32_t upper = (f & DESC_B_MASK) ? 0xffffffffu : 0xffff;
            if (off <= sc->limit || last > upper || last < off) {
                seg_fault(cpu, seg, 0);
            }
            return;
        }
    }
    if (last > sc->limit || last < off) {
        seg_fault(cpu, seg, 0);
    }
}

uint32_t x86_ld(X86CPU *cpu, int seg, uint32_t off, unsigned size)
{
    x86_seg_check(cpu, seg, off, size, false);
    return x86_lin_ld(cpu, (uint32_t)cpu->segs[seg].base + off, size, ACC_R,
                      x86_cpl(cpu) == 3);
}

/* A read that a write to the same place follows: checked as a write so
 * that the fault comes before any part of the instruction happened. */
uint32_t x86_ld_rmw(X86CPU *cpu, int seg, uint32_t off, unsigned size)
{
    x86_seg_check(cpu, seg, off, size, true);
    return x86_lin_ld(cpu, (uint32_t)cpu->segs[seg].base + off, size, ACC_W,
                      x86_cpl(cpu) == 3);
}

void x86_st(X86CPU *cpu, int seg, uint32_t off, uint32_t v, unsigned size)
{
    x86_seg_check(cpu, seg, off, size, true);
    x86_lin_st(cpu, (uint32_t)cpu->segs[seg].base + off, v, size,
               x86_cpl(cpu) == 3);
}

uint8_t x86_fetch8(X86CPU *cpu, uint32_t eip)
{
    SegmentCache *cs = &cpu->segs[R_CS];

    if (eip > cs->limit) {
        x86_gp(cpu, 0);
    }
    return x86_lin_ld(cpu, (uint32_t)cs->base + eip, 1, ACC_X,
                      x86_cpl(cpu) == 3);
}

bool x86_load_desc(X86CPU *cpu, uint16_t sel, uint32_t *lo, uint32_t *hi)
{
    uint32_t base, limit, idx = sel & ~7u;

    if (sel & 4) {
        if (!(cpu->ldt.flags & DESC_P_MASK)) {
            return false;
        }
        base = cpu->ldt.base;
        limit = cpu->ldt.limit;
    } else {
        base = cpu->gdt.base;
        limit = cpu->gdt.limit;
    }
    if (idx + 7 > limit) {
        return false;
    }
    *lo = x86_sys_ld(cpu, base + idx, 4);
    *hi = x86_sys_ld(cpu, base + idx + 4, 4);
    return true;
}

void x86_desc_to_cache(SegmentCache *sc, uint16_t sel, uint32_t lo,
                       uint32_t hi)
{
    uint32_t limit = (lo & 0xffff) | (hi & 0xf0000);

    if (hi & DESC_G_MASK) {
        limit = (limit << 12) | 0xfff;
    }
    sc->selector = sel;
    sc->base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000);
    sc->limit = limit;
    sc->flags = hi & 0x00f0ff00;
}

void x86_set_desc_accessed(X86CPU *cpu, uint16_t sel, uint32_t hi)
{
    uint32_t base = (sel & 4) ? cpu->ldt.base : cpu->gdt.base;

    if (!(hi & (TYPE_ACCESSED << DESC_TYPE_SHIFT))) {
        x86_sys_st(cpu, base + (sel & ~7u) + 4,
                   hi | (TYPE_ACCESSED << DESC_TYPE_SHIFT), 4);
    }
}

void x86_load_seg_real(X86CPU *cpu, int seg, uint16_t sel)
{
    SegmentCache *sc = &cpu->segs[seg];

    sc->selector = sel;
    sc->base = (uint32_t)sel << 4;
    if (x86_vm86(cpu)) {
        sc->limit = 0xffff;
        sc->flags = DESC_P_MASK | DESC_S_MASK | (3 << DESC_DPL_SHIFT) |
                    ((seg == R_CS ? 0xb : 0x3) << DESC_TYPE_SHIFT);
    }
}

/* MOV/POP Sreg, LDS and friends (SDM 2, MOV "Operation"). CS is loaded
 * only by far transfers. */
void x86_load_seg(X86CPU *cpu, int seg, uint16_t sel)
{
    uint32_t lo, hi, type, dpl, rpl = sel & 3, cpl;

    if (!x86_pe(cpu) || x86_vm86(cpu)) {
        x86_load_seg_real(cpu, seg, sel);
        return;
    }
    cpl = x86_cpl(cpu);
    if ((sel & ~3u) == 0) {
        if (seg == R_SS) {
            x86_gp(cpu, 0);
        }
        cpu->segs[seg].selector = sel;
        cpu->segs[seg].base = 0;
        cpu->segs[seg].limit = 0;
        cpu->segs[seg].flags = 0;
        return;
    }
    if (!x86_load_desc(cpu, sel, &lo, &hi)) {
        x86_gp(cpu, sel & ~3u);
    }
    if (!(hi & DESC_S_MASK)) {
        x86_gp(cpu, sel & ~3u);
    }
    type = SEG_TYPE(hi);
    dpl = SEG_DPL(hi);
    if (seg == R_SS) {
        if (rpl != cpl || dpl != cpl || (type & TYPE_CODE) ||
            !(type & TYPE_WRITE)) {
            x86_gp(cpu, sel & ~3u);
        }
        if (!(hi & DESC_P_MASK)) {
            x86_raise(cpu, EXCP_SS, sel & ~3u);
        }
    } else {
        if ((type & (TYPE_CODE | TYPE_READ)) == TYPE_CODE) {
            x86_gp(cpu, sel & ~3u);
        }
        if (!((type & TYPE_CODE) && (type & TYPE_CONFORM))) {
            if (rpl > dpl || cpl > dpl) {
                x86_gp(cpu, sel & ~3u);
            }
        }
        if (!(hi & DESC_P_MASK)) {
            x86_raise(cpu, EXCP_NP, sel & ~3u);
        }
    }
    x86_set_desc_accessed(cpu, sel, hi);
    x86_desc_to_cache(&cpu->segs[seg], sel, lo,
                      hi | (TYPE_ACCESSED << DESC_TYPE_SHIFT));
}

/* Loads CS from a code descriptor already checked; the new CPL is rpl. */
static void load_cs(X86CPU *cpu, uint16_t sel, uint32_t lo, uint32_t hi,
                    unsigned cpl)
{
    x86_set_desc_accessed(cpu, sel, hi);
    x86_desc_to_cache(&cpu->segs[R_CS], (sel & ~3u) | cpl, lo,
                      hi | (TYPE_ACCESSED << DESC_TYPE_SHIFT));
}

static void check_code_target(X86CPU *cpu, uint16_t sel, uint32_t hi,
                              unsigned cpl, bool is_call_or_jmp)
{
    unsigned type = SEG_TYPE(hi), dpl = SEG_DPL(hi), rpl = sel & 3;

    if (!(hi & DESC_S_MASK) || !(type & TYPE_CODE)) {
        x86_gp(cpu, sel & ~3u);
    }
    if (type & TYPE_CONFORM) {
        if (dpl > cpl) {
            x86_gp(cpu, sel & ~3u);
        }
    } else if (rpl > cpl || dpl != cpl) {
        x86_gp(cpu, sel & ~3u);
    }
    if (!(hi & DESC_P_MASK)) {
        x86_raise(cpu, EXCP_NP, sel & ~3u);
    }
    (void)is_call_or_jmp;
}

static uint32_t cache_limit(uint32_t lo, uint32_t hi)
{
    uint32_t limit = (lo & 0xffff) | (hi & 0xf0000);

    return (hi & DESC_G_MASK) ? (limit << 12) | 0xfff : limit;
}

/* A far JMP or CALL to a TSS or task gate (SDM 3A "Task Switching"): the
 * checks both share, then the switch; reason is TS_JMP or TS_CALL. */
static void far_task_switch(X86CPU *cpu, uint16_t sel, uint32_t lo,
                            uint32_t hi, unsigned cpl, int reason,
                            uint32_t next_eip)
{
    unsigned dpl = SEG_DPL(hi);

    if (dpl < cpl || dpl < (sel & 3u)) {
        x86_gp(cpu, sel & ~3u);
    }
    if (!(hi & DESC_P_MASK)) {
        x86_raise(cpu, EXCP_NP, sel & ~3u);
    }
    x86_task_switch(cpu, SEG_TYPE(hi) == SYS_TASK ? lo >> 16 : sel, reason,
                    -1, next_eip);
}

void x86_far_jump(X86CPU *cpu, uint16_t sel, uint32_t off,
                  uint32_t next_eip)
{
    uint32_t lo, hi, cpl, type, dpl;

    if (!x86_pe(cpu) || x86_vm86(cpu)) {
        if (off > cpu->segs[R_CS].limit) {
            x86_gp(cpu, 0);
        }
        x86_load_seg_real(cpu, R_CS, sel);
        cpu->rip = off;
        return;
    }
    cpl = x86_cpl(cpu);
    if ((sel & ~3u) == 0 || !x86_load_desc(cpu, sel, &lo, &hi)) {
        x86_gp(cpu, sel & ~3u);
    }
    if (hi & DESC_S_MASK) {
        check_code_target(cpu, sel, hi, cpl, true);
        if (off > cache_limit(lo, hi)) {
            x86_gp(cpu, 0);
        }
        load_cs(cpu, sel, lo, hi, cpl);
        cpu->rip = off;
        return;
    }
    type = SEG_TYPE(hi);
    dpl = SEG_DPL(hi);
    switch (type) {
    case SYS_TSS16_AVAIL:
    case SYS_TSS32_AVAIL:
    case SYS_TASK:
        far_task_switch(cpu, sel, lo, hi, cpl, TS_JMP, next_eip);
        return;
    case SYS_CALL16:
    case SYS_CALL32: {
        uint16_t csel = lo >> 16;
        uint32_t coff = (hi & 0xffff0000) | (lo & 0xffff);
        uint32_t clo, chi;
        if (dpl < cpl || dpl < (sel & 3u)) {
            x86_gp(cpu, sel & ~3u);
        }
        if (!(hi & DESC_P_MASK)) {
            x86_raise(cpu, EXCP_NP, sel & ~3u);
        }
        if (type == SYS_CALL16) {
            coff &= 0xffff;
        }
        if ((csel & ~3u) == 0 || !x86_load_desc(cpu, csel, &clo, &chi)) {
            x86_gp(cpu, csel & ~3u);
        }
        if (!(chi & DESC_S_MASK) || !(SEG_TYPE(chi) & TYPE_CODE) ||
            ((SEG_TYPE(chi) & TYPE_CONFORM) ? SEG_DPL(chi) > cpl
                                            : SEG_DPL(chi) != cpl)) {
            x86_gp(cpu, csel & ~3u);
        }
        if (!(chi & DESC_P_MASK)) {
            x86_raise(cpu, EXCP_NP, csel & ~3u);
        }
        if (coff > cache_limit(clo, chi)) {
            x86_gp(cpu, 0);
        }
        load_cs(cpu, csel, clo, chi, cpl);
        cpu->rip = coff;
        return;
    }
    default:
        x86_gp(cpu, sel & ~3u);
    }
}

/* Stack pointer of privilege level dpl from the current TSS. */
static void tss_stack(X86CPU *cpu, unsigned dpl, uint16_t *ss, uint32_t *sp)
{
    unsigned type = SEG_TYPE(cpu->tr.flags);
    bool t32 = type & 8;
    uint32_t off = t32 ? dpl * 8 + 4 : dpl * 4 + 2;
    unsigned n = t32 ? 8 : 4;

    if (!(cpu->tr.flags & DESC_P_MASK)) {
        x86_raise(cpu, EXCP_TS, cpu->tr.selector & ~3u);
    }
    if (off + n - 1 > cpu->tr.limit) {
        x86_raise(cpu, EXCP_TS, cpu->tr.selector & ~3u);
    }
    if (t32) {
        *sp = x86_sys_ld(cpu, cpu->tr.base + off, 4);
        *ss = x86_sys_ld(cpu, cpu->tr.base + off + 4, 2);
    } else {
        *sp = x86_sys_ld(cpu, cpu->tr.base + off, 2);
        *ss = x86_sys_ld(cpu, cpu->tr.base + off + 2, 2);
    }
}

/* Checks and loads the inner-level stack segment for a privilege change
 * (SDM 3A "Stack Switching"); returns its descriptor. */
static void check_new_ss(X86CPU *cpu, uint16_t ss, unsigned dpl,
                         uint32_t *lo, uint32_t *hi, bool ts)
{
    int vec = ts ? EXCP_TS : EXCP_GP;

    if ((ss & ~3u) == 0 || !x86_load_desc(cpu, ss, lo, hi)) {
        x86_raise(cpu, vec, ss & ~3u);
    }
    if ((ss & 3) != dpl || SEG_DPL(*hi) != dpl || !(*hi & DESC_S_MASK) ||
        (SEG_TYPE(*hi) & TYPE_CODE) || !(SEG_TYPE(*hi) & TYPE_WRITE)) {
        x86_raise(cpu, vec, ss & ~3u);
    }
    if (!(*hi & DESC_P_MASK)) {
        x86_raise(cpu, EXCP_SS, ss & ~3u);
    }
}

/* Stack writes against a (new) stack given by its cache, not yet loaded:
 * offsets wrap by the stack's B bit. */
static void stk_st(X86CPU *cpu, SegmentCache *ss, uint32_t *sp, uint32_t v,
                   unsigned size)
{
    uint32_t mask = (ss->flags & DESC_B_MASK) ? 0xffffffffu : 0xffff;
    uint32_t nsp = (*sp - size) & mask;

    if (nsp + size - 1 > ss->limit && !(SEG_TYPE(ss->flags) & TYPE_EXPDOWN)) {
        x86_raise(cpu, EXCP_SS, 0);
    }
    x86_lin_st(cpu, (uint32_t)ss->base + nsp, v, size,
               (ss->selector & 3) == 3);
    *sp = (*sp & ~mask) | nsp;
}

static uint32_t stk_ld(X86CPU *cpu, SegmentCache *ss, uint32_t *sp,
                       unsigned size)
{
    uint32_t mask = (ss->flags & DESC_B_MASK) ? 0xffffffffu : 0xffff;
    uint32_t off = *sp & mask;
    uint32_t v;

    if (off + size - 1 > ss->limit && !(SEG_TYPE(ss->flags) & TYPE_EXPDOWN)) {
        x86_raise(cpu, EXCP_SS, 0);
    }
    v = x86_lin_ld(cpu, (uint32_t)ss->base + off, size, ACC_R,
                   x86_cpl(cpu) == 3);
    *sp = (*sp & ~mask) | ((off + size) & mask);
    return v;
}

void x86_far_call(X86CPU *cpu, uint16_t sel, uint32_t off, unsigned opsize,
                  uint32_t next_eip)
{
    uint32_t lo, hi, cpl, type, dpl;
    SegmentCache ss = cpu->segs[R_SS];
    uint32_t sp = (uint32_t)cpu->regs[R_ESP];

    if (!x86_pe(cpu) || x86_vm86(cpu)) {
        if (off > cpu->segs[R_CS].limit) {
            x86_gp(cpu, 0);
        }
        x86_push(cpu, opsize, cpu->segs[R_CS].selector);
        x86_push(cpu, opsize, next_eip);
        x86_load_seg_real(cpu, R_CS, sel);
        cpu->rip = off;
        return;
    }
    cpl = x86_cpl(cpu);
    if ((sel & ~3u) == 0 || !x86_load_desc(cpu, sel, &lo, &hi)) {
        x86_gp(cpu, sel & ~3u);
    }
    if (hi & DESC_S_MASK) {
        check_code_target(cpu, sel, hi, cpl, true);
        if (off > cache_limit(lo, hi)) {
            x86_gp(cpu, 0);
        }
        stk_st(cpu, &ss, &sp, cpu->segs[R_CS].selector, opsize);
        stk_st(cpu, &ss, &sp, next_eip, opsize);
        load_cs(cpu, sel, lo, hi, cpl);
        cpu->regs[R_ESP] = sp;
        cpu->rip = off;
        return;
    }
    type = SEG_TYPE(hi);
    dpl = SEG_DPL(hi);
    switch (type) {
    case SYS_TSS16_AVAIL:
    case SYS_TSS32_AVAIL:
    case SYS_TASK:
        far_task_switch(cpu, sel, lo, hi, cpl, TS_CALL, next_eip);
        return;
    case SYS_CALL16:
    case SYS_CALL32: {
        uint16_t csel = lo >> 16;
        uint32_t coff = (hi & 0xffff0000) | (lo & 0xffff);
        unsigned gsize = type == SYS_CALL32 ? 4 : 2;
        unsigned nparams = hi & 0x1f, cdpl, k;
        uint32_t clo, chi;
        if (dpl < cpl || dpl < (sel & 3u)) {
            x86_gp(cpu, sel & ~3u);
        }
        if (!(hi & DESC_P_MASK)) {
            x86_raise(cpu, EXCP_NP, sel & ~3u);
        }
        if (gsize == 2) {
            coff &= 0xffff;
        }
        if ((csel & ~3u) == 0 || !x86_load_desc(cpu, csel, &clo, &chi)) {
            x86_gp(cpu, csel & ~3u);
        }
        cdpl = SEG_DPL(chi);
        if (!(chi & DESC_S_MASK) || !(SEG_TYPE(chi) & TYPE_CODE) ||
            cdpl > cpl) {
            x86_gp(cpu, csel & ~3u);
        }
        if (!(chi & DESC_P_MASK)) {
            x86_raise(cpu, EXCP_NP, csel & ~3u);
        }
        if (coff > cache_limit(clo, chi)) {
            x86_gp(cpu, 0);
        }
        if (!(SEG_TYPE(chi) & TYPE_CONFORM) && cdpl < cpl) {
            /* More privileged: switch to the TSS stack, copy params. */
            uint16_t nss;
            uint32_t nsp, slo, shi;
            uint32_t params[32];
            SegmentCache newss;
            uint32_t osp = sp;
            tss_stack(cpu, cdpl, &nss, &nsp);
            check_new_ss(cpu, nss, cdpl, &slo, &shi, true);
            for (k = 0; k < nparams; k++) {
                uint32_t psp = osp + k * gsize;
                params[k] = stk_ld(cpu, &ss, &psp, gsize);
            }
            x86_desc_to_cache(&newss, nss, slo, shi);
            if (!(shi & DESC_B_MASK)) {
                nsp &= 0xffff;
            }
            stk_st(cpu, &newss, &nsp, ss.selector, gsize);
            stk_st(cpu, &newss, &nsp, osp, gsize);
            for (k = nparams; k-- > 0;) {
                stk_st(cpu, &newss, &nsp, params[k], gsize);
            }
            stk_st(cpu, &newss, &nsp, cpu->segs[R_CS].selector, gsize);
            stk_st(cpu, &newss, &nsp, next_eip, gsize);
            x86_set_desc_accessed(cpu, nss, shi);
            newss.flags |= TYPE_ACCESSED << DESC_TYPE_SHIFT;
            cpu->segs[R_SS] = newss;
            load_cs(cpu, csel, clo, chi, cdpl);
            cpu->regs[R_ESP] = nsp;
        } else {
            stk_st(cpu, &ss, &sp, cpu->segs[R_CS].selector, gsize);
            stk_st(cpu, &ss, &sp, next_eip, gsize);
            load_cs(cpu, csel, clo, chi, cpl);
            cpu->regs[R_ESP] = sp;
        }
        cpu->rip = coff;
        return;
    }
    default:
        x86_gp(cpu, sel & ~3u);
    }
}

/* After a return to an outer level: data segments the new CPL may not
 * use become null (SDM 2, RET "Operation", RETURN-TO-OUTER-PRIVILEGE). */
static void invalidate_segs(X86CPU *cpu, unsigned cpl)
{
    static const int segs[] = { R_ES, R_DS, R_FS, R_GS };
    unsigned k;

    for (k = 0; k < ARRAY_SIZE(segs); k++) {
        SegmentCache *sc = &cpu->segs[segs[k]];
        unsigned type = SEG_TYPE(sc->flags);
        if ((sc->flags & DESC_S_MASK) &&
            (!(type & TYPE_CODE) || !(type & TYPE_CONFORM)) &&
            SEG_DPL(sc->flags) < cpl) {
            sc->selector = 0;
            sc->flags = 0;
        }
    }
}

/* Common tail of RET far and IRET in protected mode: CS:EIP already
 * popped (sp past them and any flags); pop_bytes of parameters. */
static void ret_to(X86CPU *cpu, uint16_t csel, uint32_t eip, uint32_t *sp,
                   SegmentCache *ss, unsigned size, uint16_t pop_bytes,
                   bool is_iret, uint32_t new_flags)
{
    uint32_t lo, hi, cpl = x86_cpl(cpu), rpl = csel & 3;

    if ((csel & ~3u) == 0 || !x86_load_desc(cpu, csel, &lo, &hi)) {
        x86_gp(cpu, csel & ~3u);
    }
    if (!(hi & DESC_S_MASK) || !(SEG_TYPE(hi) & TYPE_CODE) || rpl < cpl) {
        x86_gp(cpu, csel & ~3u);
    }
    if ((SEG_TYPE(hi) & TYPE_CONFORM) ? SEG_DPL(hi) > rpl
                                      : SEG_DPL(hi) != rpl) {
        x86_gp(cpu, csel & ~3u);
    }
    if (!(hi & DESC_P_MASK)) {
        x86_raise(cpu, EXCP_NP, csel & ~3u);
    }
    if (eip > cache_limit(lo, hi)) {
        x86_gp(cpu, 0);
    }
    *sp += pop_bytes;
    if (rpl == cpl) {
        load_cs(cpu, csel, lo, hi, rpl);
        cpu->regs[R_ESP] = (ss->flags & DESC_B_MASK) ? *sp
            : ((cpu->regs[R_ESP] & ~0xffffULL) | (*sp & 0xffff));
    } else {
        uint32_t nsp = stk_ld(cpu, ss, sp, size);
        uint16_t nss = stk_ld(cpu, ss, sp, size);
        uint32_t slo, shi;
        SegmentCache newss;
        check_new_ss(cpu, nss, rpl, &slo, &shi, false);
        load_cs(cpu, csel, lo, hi, rpl);
        x86_set_desc_accessed(cpu, nss, shi);
        x86_desc_to_cache(&newss, nss, slo,
                          shi | (TYPE_ACCESSED << DESC_TYPE_SHIFT));
        cpu->segs[R_SS] = newss;
        if (size == 2) {
            nsp &= 0xffff;
        }
        nsp += pop_bytes;
        cpu->regs[R_ESP] = (shi & DESC_B_MASK) ? nsp
            : ((cpu->regs[R_ESP] & ~0xffffULL) | (nsp & 0xffff));
        invalidate_segs(cpu, rpl);
    }
    cpu->rip = eip;
    if (is_iret) {
        uint32_t mask = CC_ARITH | TF_MASK | DF_MASK | NT_MASK | RF_MASK |
                        AC_MASK | ID_MASK;
        if (cpl <= ((x86_eflags(cpu) & IOPL_MASK) >> IOPL_SHIFT)) {
            mask |= IF_MASK;
        }
        if (cpl == 0) {
            mask |= IOPL_MASK | VIF_MASK | VIP_MASK;
        }
        if (size == 2) {
            mask &= 0xffff;
        }
        x86_set_eflags(cpu, new_flags, mask);
    }
}

void x86_far_ret(X86CPU *cpu, unsigned opsize, uint16_t pop_bytes)
{
    SegmentCache ss = cpu->segs[R_SS];
    uint32_t sp = (uint32_t)cpu->regs[R_ESP];
    uint32_t eip, csel;

    eip = stk_ld(cpu, &ss, &sp, opsize);
    csel = stk_ld(cpu, &ss, &sp, opsize) & 0xffff;
    if (!x86_pe(cpu) || x86_vm86(cpu)) {
        if (eip > cpu->segs[R_CS].limit) {
            x86_gp(cpu, 0);
        }
        x86_load_seg_real(cpu, R_CS, csel);
        cpu->rip = eip;
        x86_set_sp(cpu, sp + pop_bytes);
        return;
    }
    ret_to(cpu, csel, eip, &sp, &ss, opsize, pop_bytes, false, 0);
}

void x86_iret(X86CPU *cpu, unsigned opsize)
{
    SegmentCache ss = cpu->segs[R_SS];
    uint32_t sp = (uint32_t)cpu->regs[R_ESP];
    uint32_t eip, csel, fl, cur = x86_eflags(cpu);

    x86_soft(cpu)->nmi_blocked = false;
    if (!x86_pe(cpu)) {
        eip = stk_ld(cpu, &ss, &sp, opsize);
        csel = stk_ld(cpu, &ss, &sp, opsize) & 0xffff;
        fl = stk_ld(cpu, &ss, &sp, opsize);
        if (eip > cpu->segs[R_CS].limit) {
            x86_gp(cpu, 0);
        }
        x86_load_seg_real(cpu, R_CS, csel);
        cpu->rip = eip;
        x86_set_sp(cpu, sp);
        x86_set_eflags(cpu, fl, opsize == 4 ? 0x257fd5 : 0x7fd5);
        return;
    }
    if (x86_vm86(cpu)) {
        /* SDM 2 IRET: in virtual-8086 mode only with IOPL 3 (VME's
         * virtual interrupt flag is not emulated). */
        if (((cur & IOPL_MASK) >> IOPL_SHIFT) != 3) {
            x86_gp(cpu, 0);
        }
        eip = stk_ld(cpu, &ss, &sp, opsize);
        csel = stk_ld(cpu, &ss, &sp, opsize) & 0xffff;
        fl = stk_ld(cpu, &ss, &sp, opsize);
        x86_load_seg_real(cpu, R_CS, csel);
        cpu->rip = opsize == 2 ? eip & 0xffff : eip;
        x86_set_sp(cpu, sp);
        x86_set_eflags(cpu, fl, (opsize == 4 ? 0x254dd5 : 0x4dd5) &
                       ~IOPL_MASK);
        return;
    }
    if (cur & NT_MASK) {
        uint16_t back = x86_sys_ld(cpu, cpu->tr.base, 2);
        if (back & 4) {
            x86_raise(cpu, EXCP_TS, back & ~3u);
        }
        x86_task_switch(cpu, back, TS_IRET, -1, eip32(cpu));
        return;
    }
    eip = stk_ld(cpu, &ss, &sp, opsize);
    csel = stk_ld(cpu, &ss, &sp, opsize) & 0xffff;
    fl = stk_ld(cpu, &ss, &sp, opsize);
    if (opsize == 4 && (fl & VM_MASK) && x86_cpl(cpu) == 0) {
        /* Return to virtual-8086 mode (SDM 2, IRET
         * RETURN-TO-VIRTUAL-8086-MODE). */
        uint32_t nsp = stk_ld(cpu, &ss, &sp, 4);
        uint16_t nss = stk_ld(cpu, &ss, &sp, 4);
        uint16_t es = stk_ld(cpu, &ss, &sp, 4);
        uint16_t ds = stk_ld(cpu, &ss, &sp, 4);
        uint16_t fs = stk_ld(cpu, &ss, &sp, 4);
        uint16_t gs = stk_ld(cpu, &ss, &sp, 4);
        x86_set_eflags(cpu, fl, 0x3f7fd5);
        x86_load_seg_real(cpu, R_CS, csel);
        x86_load_seg_real(cpu, R_SS, nss);
        x86_load_seg_real(cpu, R_ES, es);
        x86_load_seg_real(cpu, R_DS, ds);
        x86_load_seg_real(cpu, R_FS, fs);
        x86_load_seg_real(cpu, R_GS, gs);
        cpu->regs[R_ESP] = nsp;
        cpu->rip = eip & 0xffff;
        return;
    }
    ret_to(cpu, csel, eip, &sp, &ss, opsize, 0, true, fl);
}

void x86_update_mode(X86CPU *cpu)
{
    /* Modes are derived from CR0, EFLAGS.VM and CS at each use. */
    (void)cpu;
}
