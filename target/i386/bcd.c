/*
 * Decimal adjust instructions: DAA, DAS, AAA, AAS, AAM, AAD (SDM 2
 * instruction pages, "Operation"). Flags the SDM leaves undefined (OF
 * for DAA/DAS; SF, ZF, PF for AAA/AAS; OF, AF, CF for AAM/AAD) are
 * computed from the result as 386-class processors do.
 */
#include "target/i386/internal.h"

static void szp(X86CPU *cpu, uint32_t f, uint8_t r)
{
    f &= ~(CC_Z | CC_S | CC_P);
    f |= (r == 0 ? CC_Z : 0) | ((r & 0x80) ? CC_S : 0) | x86_parity(r);
    cpu->rflags = f;
}

void daa(X86CPU *cpu, X86Insn *i)
{
    uint32_t f = x86_eflags(cpu);
    uint8_t al = cpu->regs[R_EAX], old = al;
    bool cf = f & CC_C;

    f &= ~(CC_C | CC_A | CC_O);
    if ((old & 0xf) > 9 || (x86_eflags(cpu) & CC_A)) {
        f |= (al + 6 > 0xff || cf) ? CC_C : 0;
        al += 6;
        f |= CC_A;
    }
    if (old > 0x99 || cf) {
        al += 0x60;
        f |= CC_C;
    }
    f |= ((old ^ al) & al & 0x80) ? CC_O : 0;
    x86_set_reg(cpu, R_EAX, 1, al);
    szp(cpu, f, al);
}

void das(X86CPU *cpu, X86Insn *i)
{
    uint32_t f = x86_eflags(cpu);
    uint8_t al = cpu->regs[R_EAX], old = al;
    bool cf = f & CC_C;

    f &= ~(CC_C | CC_A | CC_O);
    if ((old & 0xf) > 9 || (x86_eflags(cpu) & CC_A)) {
        f |= (al < 6 || cf) ? CC_C : 0;
        al -= 6;
        f |= CC_A;
    }
    if (old > 0x99 || cf) {
        al -= 0x60;
        f |= CC_C;
    }
    f |= ((old ^ al) & old & 0x80) ? CC_O : 0;
    x86_set_reg(cpu, R_EAX, 1, al);
    szp(cpu, f, al);
}

static void aaa_aas(X86CPU *cpu, bool sub)
{
    uint32_t f = x86_eflags(cpu);
    uint16_t ax = cpu->regs[R_EAX];

    if ((ax & 0xf) > 9 || (f & CC_A)) {
        /* SDM 2 AAA: AX += 106h (a carry out of AL reaches AH);
         * AAS: AX -= 6, then AH -= 1. */
        if (sub) {
            ax = (ax - 6) - 0x100;
        } else {
            ax += 0x106;
        }
        f |= CC_A | CC_C;
    } else {
        f &= ~(CC_A | CC_C);
    }
    ax &= 0xff0f;
    x86_set_reg(cpu, R_EAX, 2, ax);
    szp(cpu, f, ax & 0xff);
}

void aaa(X86CPU *cpu, X86Insn *i)
{
    aaa_aas(cpu, false);
}

void aas(X86CPU *cpu, X86Insn *i)
{
    aaa_aas(cpu, true);
}

void aam(X86CPU *cpu, X86Insn *i)
{
    uint8_t base = i->imm, al = cpu->regs[R_EAX];
    uint32_t f = x86_eflags(cpu);

    if (base == 0) {
        x86_raise(cpu, EXCP_DE, -1);
    }
    x86_set_reg(cpu, R_EAX, 2, ((al / base) << 8) | (al % base));
    szp(cpu, f & ~(CC_O | CC_A | CC_C), al % base);
}

void aad(X86CPU *cpu, X86Insn *i)
{
    uint16_t ax = cpu->regs[R_EAX];
    uint8_t al = (ax & 0xff) + ((ax >> 8) * (uint8_t)i->imm);
    uint32_t f = x86_eflags(cpu);

    x86_set_reg(cpu, R_EAX, 2, al);
    szp(cpu, f & ~(CC_O | CC_A | CC_C), al);
}
