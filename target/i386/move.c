/*
 * Data movement and small state handlers: MOV (all forms), LEA, XCHG,
 * PUSH/POP (registers, segments, immediates, memory), PUSHA/POPA,
 * PUSHF/POPF, SAHF/LAHF, XLAT, LDS/LES/LSS/LFS/LGS, IN/OUT, NOP, the
 * flag instructions (CMC, CLC, STC, CLI, STI, CLD, STD), and the x87
 * escape when no FPU is emulated (SDM 2 instruction pages).
 *
 * IOPL-sensitive instructions (CLI, STI, PUSHF/POPF in virtual-8086
 * mode, IN/OUT) follow SDM 3A "I/O Privilege Level" and "Virtual-8086
 * mode: IOPL-sensitive instructions".
 */
#include "target/i386/internal.h"
#include "softmmu/memory.h"

void mov_Eb_Gb(X86CPU *cpu, X86Insn *i)
{
    x86_set_E(cpu, i, 1, x86_get_reg(cpu, i->reg, 1));
}

void mov_Ev_Gv(X86CPU *cpu, X86Insn *i)
{
    x86_set_E(cpu, i, i->opsize, x86_get_reg(cpu, i->reg, i->opsize));
}

void mov_Gb_Eb(X86CPU *cpu, X86Insn *i)
{
    x86_set_reg(cpu, i->reg, 1, x86_get_E(cpu, i, 1));
}

void mov_Gv_Ev(X86CPU *cpu, X86Insn *i)
{
    x86_set_reg(cpu, i->reg, i->opsize, x86_get_E(cpu, i, i->opsize));
}

void mov_Ev_Sw(X86CPU *cpu, X86Insn *i)
{
    if (i->reg > R_GS) {
        x86_ud(cpu);
    }
    if (i->mod == 3) {
        x86_set_reg(cpu, i->rm, i->opsize, cpu->segs[i->reg].selector);
    } else {
        x86_set_E(cpu, i, 2, cpu->segs[i->reg].selector);
    }
}

void mov_Sw_Ew(X86CPU *cpu, X86Insn *i)
{
    if (i->reg > R_GS || i->reg == R_CS) {
        x86_ud(cpu);
    }
    x86_load_seg(cpu, i->reg, x86_get_E(cpu, i, 2));
    if (i->reg == R_SS) {
        x86_soft(cpu)->inhibit_irq = true;
    }
}

void lea_Gv_M(X86CPU *cpu, X86Insn *i)
{
    x86_set_reg(cpu, i->reg, i->opsize, x86_ea(cpu, i));
}

void mov_AL_Ob(X86CPU *cpu, X86Insn *i)
{
    x86_set_reg(cpu, R_EAX, 1, x86_ld(cpu, i->seg, i->disp, 1));
}

void mov_eAX_Ov(X86CPU *cpu, X86Insn *i)
{
    x86_set_reg(cpu, R_EAX, i->opsize,
                x86_ld(cpu, i->seg, i->disp, i->opsize));
}

void mov_Ob_AL(X86CPU *cpu, X86Insn *i)
{
    x86_st(cpu, i->seg, i->disp, x86_get_reg(cpu, R_EAX, 1), 1);
}

void mov_Ov_eAX(X86CPU *cpu, X86Insn *i)
{
    x86_st(cpu, i->seg, i->disp, x86_get_reg(cpu, R_EAX, i->opsize),
           i->opsize);
}

void mov_Zb_Ib(X86CPU *cpu, X86Insn *i)
{
    x86_set_reg(cpu, i->op->arg, 1, i->imm);
}

void mov_Zv_Iv(X86CPU *cpu, X86Insn *i)
{
    x86_set_reg(cpu, i->op->arg, i->opsize, i->imm);
}

void mov_Eb_Ib(X86CPU *cpu, X86Insn *i)
{
    x86_set_E(cpu, i, 1, i->imm);
}

void mov_Ev_Iz(X86CPU *cpu, X86Insn *i)
{
    x86_set_E(cpu, i, i->opsize, i->imm);
}

void xchg_Eb_Gb(X86CPU *cpu, X86Insn *i)
{
    uint32_t ea = 0, a = x86_get_E_rmw(cpu, i, 1, &ea);

    x86_set_E_at(cpu, i, 1, ea, x86_get_reg(cpu, i->reg, 1));
    x86_set_reg(cpu, i->reg, 1, a);
}

void xchg_Ev_Gv(X86CPU *cpu, X86Insn *i)
{
    uint32_t ea = 0, a = x86_get_E_rmw(cpu, i, i->opsize, &ea);

    x86_set_E_at(cpu, i, i->opsize, ea, x86_get_reg(cpu, i->reg, i->opsize));
    x86_set_reg(cpu, i->reg, i->opsize, a);
}

void xchg_Zv_eAX(X86CPU *cpu, X86Insn *i)
{
    int r = i->op->arg;
    uint32_t a = x86_get_reg(cpu, R_EAX, i->opsize);

    x86_set_reg(cpu, R_EAX, i->opsize, x86_get_reg(cpu, r, i->opsize));
    x86_set_reg(cpu, r, i->opsize, a);
}

void push_Zv(X86CPU *cpu, X86Insn *i)
{
    /* 286 and later push the value SP had before the push. */
    x86_push(cpu, i->opsize, x86_get_reg(cpu, i->opcode & 7, i->opsize));
}

void pop_Zv(X86CPU *cpu, X86Insn *i)
{
    uint32_t v = x86_pop(cpu, i->opsize);

    x86_set_reg(cpu, i->opcode & 7, i->opsize, v);
}

void push_Sw(X86CPU *cpu, X86Insn *i)
{
    uint32_t mask = x86_sp_mask(cpu);
    uint32_t sp = ((uint32_t)cpu->regs[R_ESP] - i->opsize) & mask;

    /* HW: a 32-bit push of a segment register writes only the low word
     * (Intel P6 and later). */
    x86_seg_check(cpu, R_SS, sp, i->opsize, true);
    x86_st(cpu, R_SS, sp, cpu->segs[i->op->arg].selector, 2);
    x86_set_sp(cpu, sp);
}

void pop_Sw(X86CPU *cpu, X86Insn *i)
{
    uint32_t mask = x86_sp_mask(cpu);
    uint32_t sp = (uint32_t)cpu->regs[R_ESP] & mask;
    uint16_t v = x86_ld(cpu, R_SS, sp, i->opsize);

    x86_load_seg(cpu, i->op->arg, v);
    x86_set_sp(cpu, sp + i->opsize);
    if (i->op->arg == R_SS) {
        x86_soft(cpu)->inhibit_irq = true;
    }
}

void push_Iz(X86CPU *cpu, X86Insn *i)
{
    x86_push(cpu, i->opsize, i->imm);
}

void push_Ib(X86CPU *cpu, X86Insn *i)
{
    x86_push(cpu, i->opsize, i->imm);
}

void push_Ev(X86CPU *cpu, X86Insn *i)
{
    x86_push(cpu, i->opsize, x86_get_E(cpu, i, i->opsize));
}

void pop_Ev(X86CPU *cpu, X86Insn *i)
{
    /* The address is computed with ESP after the pop (SDM 2 "POP"). */
    uint32_t v = x86_pop(cpu, i->opsize);

    x86_set_E(cpu, i, i->opsize, v);
}

void pusha(X86CPU *cpu, X86Insn *i)
{
    unsigned size = i->opsize, r;
    uint32_t sp = x86_get_reg(cpu, R_ESP, size);

    for (r = R_EAX; r <= R_EDI; r++) {
        x86_push(cpu, size, r == R_ESP ? sp : x86_get_reg(cpu, r, size));
    }
}

void popa(X86CPU *cpu, X86Insn *i)
{
    unsigned size = i->opsize;
    int r;

    for (r = R_EDI; r >= R_EAX; r--) {
        uint32_t v = x86_pop(cpu, size);
        if (r != R_ESP) {
            x86_set_reg(cpu, r, size, v);
        }
    }
}

static bool vm86_iopl_low(X86CPU *cpu)
{
    return x86_vm86(cpu) && ((cpu->rflags & IOPL_MASK) >> IOPL_SHIFT) < 3;
}

void pushf(X86CPU *cpu, X86Insn *i)
{
    if (vm86_iopl_low(cpu)) {
        x86_gp(cpu, 0);
    }
    /* VM and RF read as 0 in the pushed image. */
    x86_push(cpu, i->opsize, x86_eflags(cpu) & ~(VM_MASK | RF_MASK));
}

void popf(X86CPU *cpu, X86Insn *i)
{
    uint32_t mask = CC_ARITH | TF_MASK | DF_MASK | NT_MASK | AC_MASK |
                    ID_MASK | IF_MASK | IOPL_MASK;
    uint32_t iopl = (cpu->rflags & IOPL_MASK) >> IOPL_SHIFT;
    uint32_t v;

    if (vm86_iopl_low(cpu)) {
        x86_gp(cpu, 0);
    }
    v = x86_pop(cpu, i->opsize);
    if (x86_pe(cpu)) {
        if (x86_vm86(cpu) || x86_cpl(cpu) > 0) {
            mask &= ~IOPL_MASK;
        }
        if (!x86_vm86(cpu) && (unsigned)x86_cpl(cpu) > iopl) {
            mask &= ~IF_MASK;
        }
    }
    if (i->opsize == 2) {
        mask &= 0xffff;
    }
    x86_set_eflags(cpu, v, mask);
}

void sahf(X86CPU *cpu, X86Insn *i)
{
    x86_set_eflags(cpu, (cpu->regs[R_EAX] >> 8) & 0xff,
                   CC_S | CC_Z | CC_A | CC_P | CC_C);
}

void lahf(X86CPU *cpu, X86Insn *i)
{
    x86_set_reg(cpu, 4, 1, (x86_eflags(cpu) & 0xd5) | 2);
}

void xlat(X86CPU *cpu, X86Insn *i)
{
    uint32_t a = x86_get_reg(cpu, R_EBX, i->adsize) +
                 (cpu->regs[R_EAX] & 0xff);

    x86_set_reg(cpu, R_EAX, 1,
                x86_ld(cpu, i->seg, a & size_mask(i->adsize), 1));
}

void les_lds(X86CPU *cpu, X86Insn *i)
{
    uint32_t ea = x86_ea(cpu, i);
    uint32_t off = x86_ld(cpu, i->seg, ea, i->opsize);
    uint16_t sel = x86_ld(cpu, i->seg, (ea + i->opsize) &
                          size_mask(i->adsize), 2);

    x86_load_seg(cpu, i->op->arg, sel);
    x86_set_reg(cpu, i->reg, i->opsize, off);
    if (i->op->arg == R_SS) {
        x86_soft(cpu)->inhibit_irq = true;
    }
}

static uint32_t port_in(X86CPU *cpu, unsigned port, unsigned size)
{
    x86_check_io(cpu, port, size);
    return (uint32_t)address_space_ld(&address_space_io, port, size);
}

static void port_out(X86CPU *cpu, unsigned port, uint32_t v, unsigned size)
{
    x86_check_io(cpu, port, size);
    address_space_st(&address_space_io, port, v, size);
}

void in_AL_Ib(X86CPU *cpu, X86Insn *i)
{
    x86_set_reg(cpu, R_EAX, 1, port_in(cpu, i->imm & 0xff, 1));
}

void in_eAX_Ib(X86CPU *cpu, X86Insn *i)
{
    x86_set_reg(cpu, R_EAX, i->opsize,
                port_in(cpu, i->imm & 0xff, i->opsize));
}

void out_Ib_AL(X86CPU *cpu, X86Insn *i)
{
    port_out(cpu, i->imm & 0xff, cpu->regs[R_EAX], 1);
}

void out_Ib_eAX(X86CPU *cpu, X86Insn *i)
{
    port_out(cpu, i->imm & 0xff, cpu->regs[R_EAX], i->opsize);
}

void in_AL_DX(X86CPU *cpu, X86Insn *i)
{
    x86_set_reg(cpu, R_EAX, 1, port_in(cpu, cpu->regs[R_EDX] & 0xffff, 1));
}

void in_eAX_DX(X86CPU *cpu, X86Insn *i)
{
    x86_set_reg(cpu, R_EAX, i->opsize,
                port_in(cpu, cpu->regs[R_EDX] & 0xffff, i->opsize));
}

void out_DX_AL(X86CPU *cpu, X86Insn *i)
{
    port_out(cpu, cpu->regs[R_EDX] & 0xffff, cpu->regs[R_EAX], 1);
}

void out_DX_eAX(X86CPU *cpu, X86Insn *i)
{
    port_out(cpu, cpu->regs[R_EDX] & 0xffff, cpu->regs[R_EAX], i->opsize);
}

void nop(X86CPU *cpu, X86Insn *i)
{
}

/* arg: 0 CMC, 1 CLC, 2 STC, 3 CLI, 4 STI, 5 CLD, 6 STD */
void flagop(X86CPU *cpu, X86Insn *i)
{
    uint32_t f = x86_eflags(cpu);
    uint32_t iopl = (f & IOPL_MASK) >> IOPL_SHIFT;

    switch (i->op->arg) {
    case 0:
        f ^= CC_C;
        break;
    case 1:
        f &= ~CC_C;
        break;
    case 2:
        f |= CC_C;
        break;
    case 3:
    case 4:
        if (x86_pe(cpu) && (x86_vm86(cpu) ? iopl < 3
                                          : (unsigned)x86_cpl(cpu) > iopl)) {
            x86_gp(cpu, 0);
        }
        if (i->op->arg == 3) {
            f &= ~IF_MASK;
        } else {
            if (!(f & IF_MASK)) {
                /* STI shadow: no interrupt before the next instruction
                 * completes. */
                x86_soft(cpu)->inhibit_irq = true;
            }
            f |= IF_MASK;
        }
        break;
    case 5:
        f &= ~DF_MASK;
        break;
    default:
        f |= DF_MASK;
        break;
    }
    cpu->rflags = f;
}

/* UNIMPL: the x87 FPU. With CR0.EM or CR0.TS set the escape raises #NM
 * (SDM 3A "Interrupt 7"); otherwise it behaves as with no coprocessor
 * attached: the operand is decoded and nothing happens. */
void esc_fpu(X86CPU *cpu, X86Insn *i)
{
    if (cpu->cr[0] & (CR0_EM | CR0_TS)) {
        x86_raise(cpu, EXCP_NM, -1);
    }
}

void wait_fwait(X86CPU *cpu, X86Insn *i)
{
    if ((cpu->cr[0] & (CR0_MP | CR0_TS)) == (CR0_MP | CR0_TS)) {
        x86_raise(cpu, EXCP_NM, -1);
    }
}
