/*
 * Exceptions, interrupt delivery and task switches.
 *
 * SDM 3A chapter "Interrupt and Exception Handling": the real-mode IVT
 * ("Interrupt Vector Table", 4-byte CS:IP entries), the protected-mode
 * IDT with interrupt, trap and task gates, the privilege-level change
 * with a stack switch taken from the TSS, the extra segment pushes when
 * leaving virtual-8086 mode, error codes (EXT bit, IDT bit), and the
 * double-fault rules (table "Conditions for Generating a Double Fault":
 * contributory followed by contributory, page fault followed by
 * contributory or page fault). A fault while delivering a double fault
 * shuts the processor down (X86_EXIT_SHUTDOWN).
 *
 * Task switches follow SDM 3A chapter "Task Management" for 16- and
 * 32-bit TSSs: busy bits, the back link and NT, CR0.TS, the CR3 load.
 *
 * Faults leave EIP (and ESP) at the faulting instruction: x86_raise
 * long-jumps to the loop in exec.c, which restores them and delivers.
 */
#include "target/i386/internal.h"

void x86_raise(X86CPU *cpu, int vec, int errcode)
{
    X86Soft *s = x86_soft(cpu);

    s->last_excp = vec | ((errcode & 0xffff) << 8) |
                   (errcode < 0 ? 0x80000000u : 0);
    longjmp(s->jmp, 1);
}

static void push_on(X86CPU *cpu, SegmentCache *ss, uint32_t *sp,
                    uint32_t v, unsigned size)
{
    uint32_t mask = (ss->flags & DESC_B_MASK) ? 0xffffffffu : 0xffff;
    uint32_t nsp = (*sp - size) & mask;
    bool expdown = (ss->flags & DESC_S_MASK) &&
                   ((ss->flags >> DESC_TYPE_SHIFT) & 0xc) == 0x4;

    if (x86_pe(cpu) && !expdown && nsp + size - 1 > ss->limit) {
        x86_raise(cpu, EXCP_SS, 0);
    } else if (!x86_pe(cpu) && nsp + size - 1 > ss->limit) {
        x86_raise(cpu, EXCP_SS, 0);
    }
    x86_lin_st(cpu, (uint32_t)ss->base + nsp, v, size,
               (ss->selector & 3) == 3 && x86_pe(cpu));
    *sp = (*sp & ~mask) | nsp;
}

static void deliver_real(X86CPU *cpu, int vec, uint32_t next_eip)
{
    uint32_t off = vec * 4u, ent, sp = (uint32_t)cpu->regs[R_ESP];
    SegmentCache ss = cpu->segs[R_SS];

    if (off + 3 > cpu->idt.limit) {
        x86_gp(cpu, off + 2);
    }
    ent = x86_sys_ld(cpu, (uint32_t)cpu->idt.base + off, 4);
    push_on(cpu, &ss, &sp, x86_eflags(cpu), 2);
    push_on(cpu, &ss, &sp, cpu->segs[R_CS].selector, 2);
    push_on(cpu, &ss, &sp, next_eip, 2);
    cpu->regs[R_ESP] = sp;
    x86_load_seg_real(cpu, R_CS, ent >> 16);
    cpu->rip = ent & 0xffff;
    x86_set_eflags(cpu, 0, IF_MASK | TF_MASK | AC_MASK | RF_MASK);
}

static void deliver_prot(X86CPU *cpu, int vec, bool sw, int errcode,
                         uint32_t next_eip, bool ext)
{
    uint32_t off = vec * 8u, lo, hi, clo, chi, type, dpl, cdpl;
    uint32_t idt_err = off + 2 + (ext ? 1 : 0);
    uint32_t fl = x86_eflags(cpu), cpl = x86_cpl(cpu), eoff;
    uint16_t csel;
    bool vm = fl & VM_MASK;
    unsigned size;
    SegmentCache ss = cpu->segs[R_SS];
    uint32_t sp = (uint32_t)cpu->regs[R_ESP];

    if (off + 7 > cpu->idt.limit) {
        x86_gp(cpu, idt_err);
    }
    lo = x86_sys_ld(cpu, (uint32_t)cpu->idt.base + off, 4);
    hi = x86_sys_ld(cpu, (uint32_t)cpu->idt.base + off + 4, 4);
    type = (hi >> 8) & 0x1f;
    dpl = (hi >> 13) & 3;
    switch (type) {
    case 0x05: case 0x06: case 0x07: case 0x0e: case 0x0f:
        break;
    default:
        x86_gp(cpu, idt_err);
    }
    if (sw && dpl < cpl) {
        x86_gp(cpu, idt_err);
    }
    if (!(hi & DESC_P_MASK)) {
        x86_raise(cpu, EXCP_NP, idt_err);
    }
    if (type == 0x05) {
        x86_task_switch(cpu, lo >> 16, TS_INT, errcode, next_eip);
        return;
    }
    size = (type & 8) ? 4 : 2;
    csel = lo >> 16;
    eoff = (hi & 0xffff0000) | (lo & 0xffff);
    if (size == 2) {
        eoff &= 0xffff;
    }
    if ((csel & ~3u) == 0) {
        x86_gp(cpu, ext ? 1 : 0);
    }
    if (!x86_load_desc(cpu, csel, &clo, &chi)) {
        x86_gp(cpu, (csel & ~3u) + (ext ? 1 : 0));
    }
    cdpl = (chi >> 13) & 3;
    if (!(chi & DESC_S_MASK) || !(chi & (8 << DESC_TYPE_SHIFT)) ||
        cdpl > cpl) {
        x86_gp(cpu, (csel & ~3u) + (ext ? 1 : 0));
    }
    if (!(chi & DESC_P_MASK)) {
        x86_raise(cpu, EXCP_NP, (csel & ~3u) + (ext ? 1 : 0));
    }
    if (!(chi & (4 << DESC_TYPE_SHIFT)) && cdpl < cpl) {
        /* Inner privilege: the stack of level cdpl from the TSS. */
        bool t32 = (cpu->tr.flags >> DESC_TYPE_SHIFT) & 8;
        uint32_t toff = t32 ? cdpl * 8 + 4 : cdpl * 4 + 2;
        uint32_t nsp, slo, shi;
        uint16_t nss;
        SegmentCache newss;
        if (vm && cdpl != 0) {
            x86_gp(cpu, csel & ~3u);
        }
        if (toff + (t32 ? 7 : 3) > cpu->tr.limit) {
            x86_raise(cpu, EXCP_TS, cpu->tr.selector & ~3u);
        }
        nsp = x86_sys_ld(cpu, cpu->tr.base + toff, t32 ? 4 : 2);
        nss = x86_sys_ld(cpu, cpu->tr.base + toff + (t32 ? 4 : 2), 2);
        if ((nss & ~3u) == 0 || !x86_load_desc(cpu, nss, &slo, &shi) ||
            (nss & 3) != cdpl || ((shi >> 13) & 3) != cdpl ||
            !(shi & DESC_S_MASK) || (shi & (8 << DESC_TYPE_SHIFT)) ||
            !(shi & (2 << DESC_TYPE_SHIFT))) {
            x86_raise(cpu, EXCP_TS, (nss & ~3u) + (ext ? 1 : 0));
        }
        if (!(shi & DESC_P_MASK)) {
            x86_raise(cpu, EXCP_SS, (nss & ~3u) + (ext ? 1 : 0));
        }
        x86_desc_to_cache(&newss, nss, slo, shi);
        if (!(shi & DESC_B_MASK)) {
            nsp &= 0xffff;
        }
        if (vm) {
            push_on(cpu, &newss, &nsp, cpu->segs[R_GS].selector, size);
            push_on(cpu, &newss, &nsp, cpu->segs[R_FS].selector, size);
            push_on(cpu, &newss, &nsp, cpu->segs[R_DS].selector, size);
            push_on(cpu, &newss, &nsp, cpu->segs[R_ES].selector, size);
        }
        push_on(cpu, &newss, &nsp, ss.selector, size);
        push_on(cpu, &newss, &nsp, sp, size);
        push_on(cpu, &newss, &nsp, fl, size);
        push_on(cpu, &newss, &nsp, cpu->segs[R_CS].selector, size);
        push_on(cpu, &newss, &nsp, next_eip, size);
        if (errcode >= 0) {
            push_on(cpu, &newss, &nsp, errcode, size);
        }
        x86_set_desc_accessed(cpu, nss, shi);
        newss.flags |= 1 << DESC_TYPE_SHIFT;
        cpu->segs[R_SS] = newss;
        if (vm) {
            static const int segs[] = { R_ES, R_DS, R_FS, R_GS };
            unsigned k;
            for (k = 0; k < 4; k++) {
                cpu->segs[segs[k]].selector = 0;
                cpu->segs[segs[k]].base = 0;
                cpu->segs[segs[k]].limit = 0;
                cpu->segs[segs[k]].flags = 0;
            }
        }
        sp = nsp;
        cpl = cdpl;
    } else {
        if (vm) {
            x86_gp(cpu, csel & ~3u);
        }
        push_on(cpu, &ss, &sp, fl, size);
        push_on(cpu, &ss, &sp, cpu->segs[R_CS].selector, size);
        push_on(cpu, &ss, &sp, next_eip, size);
        if (errcode >= 0) {
            push_on(cpu, &ss, &sp, errcode, size);
        }
    }
    if (!(cpu->segs[R_SS].flags & DESC_B_MASK)) {
        cpu->regs[R_ESP] = (cpu->regs[R_ESP] & ~0xffffULL) | (sp & 0xffff);
    } else {
        cpu->regs[R_ESP] = sp;
    }
    x86_set_desc_accessed(cpu, csel, chi);
    x86_desc_to_cache(&cpu->segs[R_CS], (csel & ~3u) | cpl, clo,
                      chi | (1 << DESC_TYPE_SHIFT));
    cpu->rip = eoff;
    x86_set_eflags(cpu, 0, TF_MASK | NT_MASK | RF_MASK | VM_MASK |
                   ((type & 1) ? 0 : IF_MASK));
}

/* Delivers vector vec: sw for INT n / INT3 / INTO (gate DPL checked, no
 * EXT bit), errcode < 0 for none, hw for an external interrupt. */
void x86_deliver(X86CPU *cpu, int vec, bool sw, int errcode,
                 uint32_t next_eip, bool hw)
{
    if (!x86_pe(cpu)) {
        deliver_real(cpu, vec, next_eip);
    } else {
        deliver_prot(cpu, vec, sw, errcode, next_eip, !sw);
    }
    (void)hw;
}

/* ---- task switch ---- */

static void tss_load_seg(X86CPU *cpu, int seg, uint16_t sel, bool vm)
{
    uint32_t lo, hi;
    SegmentCache *sc = &cpu->segs[seg];

    if (vm) {
        x86_load_seg_real(cpu, seg, sel);
        return;
    }
    if ((sel & ~3u) == 0) {
        if (seg == R_SS || seg == R_CS) {
            x86_raise(cpu, EXCP_TS, 0);
        }
        sc->selector = sel;
        sc->base = 0;
        sc->limit = 0;
        sc->flags = 0;
        return;
    }
    if (!x86_load_desc(cpu, sel, &lo, &hi) || !(hi & DESC_S_MASK)) {
        x86_raise(cpu, EXCP_TS, sel & ~3u);
    }
    if (!(hi & DESC_P_MASK)) {
        x86_raise(cpu, seg == R_SS ? EXCP_SS : EXCP_NP, sel & ~3u);
    }
    x86_set_desc_accessed(cpu, sel, hi);
    x86_desc_to_cache(sc, sel, lo, hi | (1 << DESC_TYPE_SHIFT));
}

bool x86_task_switch(X86CPU *cpu, uint16_t sel, int reason, int errcode,
                     uint32_t next_eip)
{
    uint32_t lo, hi, type, old_type, base, limit, fl, old_base;
    uint32_t regs[8], eip, cr3 = 0, ldt;
    uint16_t segs[6];
    bool t32;
    unsigned k;

    if ((sel & 4) || !x86_load_desc(cpu, sel, &lo, &hi)) {
        x86_raise(cpu, EXCP_TS, sel & ~3u);
    }
    type = (hi >> 8) & 0x1f;
    if (reason == TS_IRET ? (type != 3 && type != 11)
                          : (type != 1 && type != 9)) {
        x86_raise(cpu, reason == TS_IRET ? EXCP_TS : EXCP_GP, sel & ~3u);
    }
    if (!(hi & DESC_P_MASK)) {
        x86_raise(cpu, EXCP_NP, sel & ~3u);
    }
    t32 = type & 8;
    base = (lo >> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000);
    limit = (lo & 0xffff) | (hi & 0xf0000);
    if (hi & DESC_G_MASK) {
        limit = (limit << 12) | 0xfff;
    }
    if (limit < (t32 ? 0x67u : 0x2bu)) {
        x86_raise(cpu, EXCP_TS, sel & ~3u);
    }

    /* Read the new task's state first (faults leave the old task). */
    if (t32) {
        cr3 = x86_sys_ld(cpu, base + 0x1c, 4);
        eip = x86_sys_ld(cpu, base + 0x20, 4);
        fl = x86_sys_ld(cpu, base + 0x24, 4);
        for (k = 0; k < 8; k++) {
            regs[k] = x86_sys_ld(cpu, base + 0x28 + k * 4, 4);
        }
        for (k = 0; k < 6; k++) {
            segs[k] = x86_sys_ld(cpu, base + 0x48 + k * 4, 2);
        }
        ldt = x86_sys_ld(cpu, base + 0x60, 2);
    } else {
        eip = x86_sys_ld(cpu, base + 0x0e, 2);
        fl = x86_sys_ld(cpu, base + 0x10, 2);
        for (k = 0; k < 8; k++) {
            regs[k] = x86_sys_ld(cpu, base + 0x12 + k * 2, 2) |
                      (cpu->regs[k] & 0xffff0000u);
        }
        for (k = 0; k < 4; k++) {
            segs[k] = x86_sys_ld(cpu, base + 0x22 + k * 2, 2);
        }
        segs[R_FS] = segs[R_GS] = 0;
        ldt = x86_sys_ld(cpu, base + 0x2a, 2);
    }

    /* Save the old task. */
    old_base = cpu->tr.base;
    old_type = (cpu->tr.flags >> DESC_TYPE_SHIFT) & 0xf;
    {
        uint32_t ofl = x86_eflags(cpu);
        if (reason == TS_IRET) {
            ofl &= ~NT_MASK;
        }
        if (old_type & 8) {
            x86_sys_st(cpu, old_base + 0x20, next_eip, 4);
            x86_sys_st(cpu, old_base + 0x24, ofl, 4);
            for (k = 0; k < 8; k++) {
                x86_sys_st(cpu, old_base + 0x28 + k * 4, cpu->regs[k], 4);
            }
            for (k = 0; k < 6; k++) {
                x86_sys_st(cpu, old_base + 0x48 + k * 4,
                           cpu->segs[k].selector, 2);
            }
        } else {
            x86_sys_st(cpu, old_base + 0x0e, next_eip, 2);
            x86_sys_st(cpu, old_base + 0x10, ofl, 2);
            for (k = 0; k < 8; k++) {
                x86_sys_st(cpu, old_base + 0x12 + k * 2, cpu->regs[k], 2);
            }
            for (k = 0; k < 4; k++) {
                x86_sys_st(cpu, old_base + 0x22 + k * 2,
                           cpu->segs[k].selector, 2);
            }
        }
    }
    if (reason == TS_JMP || reason == TS_IRET) {
        uint32_t ohi;
        uint32_t olo;
        if (x86_load_desc(cpu, cpu->tr.selector, &olo, &ohi)) {
            x86_sys_st(cpu, cpu->gdt.base + (cpu->tr.selector & ~7u) + 4,
                       ohi & ~(2u << DESC_TYPE_SHIFT), 4);
        }
    }
    if (reason == TS_CALL || reason == TS_INT) {
        x86_sys_st(cpu, base, cpu->tr.selector, 2);
        fl |= NT_MASK;
    }
    if (reason != TS_IRET) {
        hi |= 2u << DESC_TYPE_SHIFT;
        x86_sys_st(cpu, cpu->gdt.base + (sel & ~7u) + 4, hi, 4);
    }

    x86_desc_to_cache(&cpu->tr, sel, lo, hi | (2u << DESC_TYPE_SHIFT));
    cpu->cr[0] |= CR0_TS;
    if (t32 && (cpu->cr[0] & CR0_PG)) {
        cpu->cr[3] = cr3;
        x86_tlb_flush(cpu, false);
    }
    for (k = 0; k < 8; k++) {
        cpu->regs[k] = regs[k];
    }
    cpu->rip = eip;
    x86_set_eflags(cpu, fl, 0x3f7fd5);

    /* The LDT, then the segments (SDM 3A "Task Switching", step 12). */
    if ((ldt & ~3u) == 0) {
        cpu->ldt.selector = 0;
        cpu->ldt.flags = 0;
    } else {
        uint32_t llo, lhi;
        if ((ldt & 4) || !x86_load_desc(cpu, ldt, &llo, &lhi) ||
            ((lhi >> 8) & 0x1f) != 2) {
            x86_raise(cpu, EXCP_TS, ldt & ~3u);
        }
        x86_desc_to_cache(&cpu->ldt, ldt, llo, lhi);
    }
    {
        bool vm = fl & VM_MASK;
        for (k = 0; k < 6; k++) {
            tss_load_seg(cpu, k, segs[k], vm);
        }
    }
    if (errcode >= 0) {
        x86_push(cpu, t32 ? 4 : 2, errcode);
    }
    return true;
}
