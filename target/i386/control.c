/*
 * Control transfer: Jcc, JMP, CALL, RET (near and far), LOOP, JCXZ,
 * INT n / INT3 / INT1 / INTO, IRET, BOUND, ENTER, LEAVE, HLT.
 *
 * SDM 2 instruction pages. Near targets are checked against the CS limit
 * before anything is pushed, so a fault leaves no trace; far transfers
 * and their protected-mode checks live in seg.c.
 */
#include "target/i386/internal.h"

static uint32_t near_target(X86CPU *cpu, X86Insn *i, uint32_t t)
{
    if (i->opsize == 2) {
        t &= 0xffff;
    }
    if (t > cpu->segs[R_CS].limit) {
        x86_gp(cpu, 0);
    }
    return t;
}

void jcc_Jb(X86CPU *cpu, X86Insn *i)
{
    if (x86_cc_cond(cpu, i->op->arg)) {
        x86_jump(cpu, i, eip32(cpu) + i->imm);
    }
}

void jcc_Jz(X86CPU *cpu, X86Insn *i)
{
    if (x86_cc_cond(cpu, i->op->arg)) {
        x86_jump(cpu, i, eip32(cpu) + i->imm);
    }
}

void jmp_Jb(X86CPU *cpu, X86Insn *i)
{
    x86_jump(cpu, i, eip32(cpu) + i->imm);
}

void jmp_Jz(X86CPU *cpu, X86Insn *i)
{
    x86_jump(cpu, i, eip32(cpu) + i->imm);
}

void call_Jz(X86CPU *cpu, X86Insn *i)
{
    uint32_t t = near_target(cpu, i, eip32(cpu) + i->imm);

    x86_push(cpu, i->opsize, eip32(cpu));
    cpu->rip = t;
}

void jmp_Ev(X86CPU *cpu, X86Insn *i)
{
    x86_jump(cpu, i, x86_get_E(cpu, i, i->opsize));
}

void call_Ev(X86CPU *cpu, X86Insn *i)
{
    uint32_t t = near_target(cpu, i, x86_get_E(cpu, i, i->opsize));

    x86_push(cpu, i->opsize, eip32(cpu));
    cpu->rip = t;
}

void ret_near(X86CPU *cpu, X86Insn *i)
{
    uint32_t sp = (uint32_t)cpu->regs[R_ESP] & x86_sp_mask(cpu);
    uint32_t t = near_target(cpu, i, x86_ld(cpu, R_SS, sp, i->opsize));

    x86_set_sp(cpu, sp + i->opsize);
    cpu->rip = t;
}

void ret_near_Iw(X86CPU *cpu, X86Insn *i)
{
    uint32_t sp = (uint32_t)cpu->regs[R_ESP] & x86_sp_mask(cpu);
    uint32_t t = near_target(cpu, i, x86_ld(cpu, R_SS, sp, i->opsize));

    x86_set_sp(cpu, sp + i->opsize + (i->imm & 0xffff));
    cpu->rip = t;
}

void jmp_Ap(X86CPU *cpu, X86Insn *i)
{
    x86_far_jump(cpu, i->imm2, i->imm, eip32(cpu));
}

void call_Ap(X86CPU *cpu, X86Insn *i)
{
    x86_far_call(cpu, i->imm2, i->imm, i->opsize, eip32(cpu));
}

static void far_ptr(X86CPU *cpu, X86Insn *i, uint16_t *sel, uint32_t *off)
{
    uint32_t ea = x86_ea(cpu, i);

    *off = x86_ld(cpu, i->seg, ea, i->opsize);
    *sel = x86_ld(cpu, i->seg, (ea + i->opsize) &
                  (i->adsize == 2 ? 0xffff : ~0u), 2);
}

void jmp_Mp(X86CPU *cpu, X86Insn *i)
{
    uint16_t sel;
    uint32_t off;

    far_ptr(cpu, i, &sel, &off);
    x86_far_jump(cpu, sel, off, eip32(cpu));
}

void call_Mp(X86CPU *cpu, X86Insn *i)
{
    uint16_t sel;
    uint32_t off;

    far_ptr(cpu, i, &sel, &off);
    x86_far_call(cpu, sel, off, i->opsize, eip32(cpu));
}

void ret_far(X86CPU *cpu, X86Insn *i)
{
    x86_far_ret(cpu, i->opsize, 0);
}

void ret_far_Iw(X86CPU *cpu, X86Insn *i)
{
    x86_far_ret(cpu, i->opsize, i->imm);
}

/* arg: 0 LOOPNE, 1 LOOPE, 2 LOOP */
void loop_Jb(X86CPU *cpu, X86Insn *i)
{
    uint32_t c = (x86_get_reg(cpu, R_ECX, i->adsize) - 1) &
                 size_mask(i->adsize);
    bool take = c != 0;

    if (i->op->arg == 0) {
        take = take && !x86_cc_cond(cpu, 4);
    } else if (i->op->arg == 1) {
        take = take && x86_cc_cond(cpu, 4);
    }
    if (take) {
        /* The target is checked before ECX changes. */
        uint32_t t = near_target(cpu, i, eip32(cpu) + i->imm);
        x86_set_reg(cpu, R_ECX, i->adsize, c);
        cpu->rip = t;
    } else {
        x86_set_reg(cpu, R_ECX, i->adsize, c);
    }
}

void jcxz_Jb(X86CPU *cpu, X86Insn *i)
{
    if (x86_get_reg(cpu, R_ECX, i->adsize) == 0) {
        x86_jump(cpu, i, eip32(cpu) + i->imm);
    }
}

void int_Ib(X86CPU *cpu, X86Insn *i)
{
    if (x86_vm86(cpu) && ((cpu->rflags & IOPL_MASK) >> IOPL_SHIFT) < 3) {
        x86_gp(cpu, 0);
    }
    x86_deliver(cpu, i->imm & 0xff, true, -1, eip32(cpu), false);
}

/* INT3 (arg 3) is a software interrupt; INT1/ICEBP (arg 1) is delivered
 * like a debug exception, without the gate privilege check. */
void int3(X86CPU *cpu, X86Insn *i)
{
    x86_deliver(cpu, i->op->arg, i->op->arg == 3, -1, eip32(cpu), false);
}

void into(X86CPU *cpu, X86Insn *i)
{
    if (x86_eflags(cpu) & CC_O) {
        x86_deliver(cpu, EXCP_OF, true, -1, eip32(cpu), false);
    }
}

void iret(X86CPU *cpu, X86Insn *i)
{
    x86_iret(cpu, i->opsize);
}

void bound_Gv_Ma(X86CPU *cpu, X86Insn *i)
{
    unsigned size = i->opsize;
    uint32_t ea = x86_ea(cpu, i);
    int32_t lo = sext(x86_ld(cpu, i->seg, ea, size), size);
    int32_t hi = sext(x86_ld(cpu, i->seg, (ea + size) &
                             (i->adsize == 2 ? 0xffff : ~0u), size), size);
    int32_t v = sext(x86_get_reg(cpu, i->reg, size), size);

    if (v < lo || v > hi) {
        x86_raise(cpu, EXCP_BR, -1);
    }
}

void enter(X86CPU *cpu, X86Insn *i)
{
    unsigned size = i->opsize, level = i->imm2 & 31, k;
    uint32_t mask = x86_sp_mask(cpu);
    uint32_t bp = (uint32_t)cpu->regs[R_EBP], frame;

    x86_push(cpu, size, x86_get_reg(cpu, R_EBP, size));
    frame = (uint32_t)cpu->regs[R_ESP] & mask;
    if (level > 0) {
        for (k = 1; k < level; k++) {
            bp = (bp & ~mask) | ((bp - size) & mask);
            x86_push(cpu, size, x86_ld(cpu, R_SS, bp & mask, size));
        }
        x86_push(cpu, size, frame);
    }
    /* Touch the lowest byte of the new frame (faults before EBP). */
    x86_seg_check(cpu, R_SS, ((uint32_t)cpu->regs[R_ESP] - i->imm) & mask,
                  1, true);
    x86_set_reg(cpu, R_EBP, size, frame);
    x86_set_sp(cpu, (uint32_t)cpu->regs[R_ESP] - (i->imm & 0xffff));
}

void leave(X86CPU *cpu, X86Insn *i)
{
    uint32_t mask = x86_sp_mask(cpu);
    uint32_t sp = (uint32_t)cpu->regs[R_EBP] & mask;
    uint32_t v = x86_ld(cpu, R_SS, sp, i->opsize);

    x86_set_sp(cpu, sp + i->opsize);
    x86_set_reg(cpu, R_EBP, i->opsize, v);
}

void hlt(X86CPU *cpu, X86Insn *i)
{
    if (x86_cpl(cpu) != 0) {
        x86_gp(cpu, 0);
    }
    x86_soft(cpu)->halt_request = true;
}
