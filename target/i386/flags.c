/*
 * Lazy EFLAGS (SDM 1, "EFLAGS Register", and appendix A "EFLAGS
 * Cross-Reference"): ADD/SUB/logic/INC/DEC record their operands and
 * result; the six arithmetic flags are computed only when something reads
 * them. Other instructions (shifts, multiplies, BCD) compute their flags
 * directly and leave CC_OP_EFLAGS.
 */
#include "target/i386/internal.h"

uint32_t x86_parity(uint32_t v)
{
    return __builtin_parity(v & 0xff) ? 0 : CC_P;
}

static uint32_t cc_compute(X86Soft *s)
{
    uint32_t mask = size_mask(s->cc_size), sign = sign_bit(s->cc_size);
    uint32_t a = s->cc_src1 & mask, b = s->cc_src2 & mask;
    uint32_t r = s->cc_res & mask;
    uint32_t f = 0;

    switch (s->cc_op) {
    case CC_OP_ADD:
        f |= (s->cc_carry ? r <= a : r < a) ? CC_C : 0;
        f |= ((a ^ r) & (b ^ r) & sign) ? CC_O : 0;
        f |= (a ^ b ^ r) & CC_A;
        break;
    case CC_OP_SUB:
        f |= (s->cc_carry ? a <= b : a < b) ? CC_C : 0;
        f |= ((a ^ b) & (a ^ r) & sign) ? CC_O : 0;
        f |= (a ^ b ^ r) & CC_A;
        break;
    case CC_OP_INC:
        f |= s->cc_carry ? CC_C : 0;
        f |= r == sign ? CC_O : 0;
        f |= (a ^ 1 ^ r) & CC_A;
        break;
    case CC_OP_DEC:
        f |= s->cc_carry ? CC_C : 0;
        f |= r == sign - 1 ? CC_O : 0;
        f |= (a ^ 1 ^ r) & CC_A;
        break;
    case CC_OP_LOGIC:
    default:
        break;
    }
    f |= r == 0 ? CC_Z : 0;
    f |= (r & sign) ? CC_S : 0;
    f |= x86_parity(r);
    return f;
}

void x86_cc_materialise(X86CPU *cpu)
{
    X86Soft *s = x86_soft(cpu);

    if (s->cc_op != CC_OP_EFLAGS) {
        cpu->rflags = (cpu->rflags & ~(uint64_t)CC_ARITH) | cc_compute(s);
        s->cc_op = CC_OP_EFLAGS;
    }
}

uint32_t x86_eflags(X86CPU *cpu)
{
    x86_cc_materialise(cpu);
    return (uint32_t)cpu->rflags;
}

/* Writes the bits of mask; bit 1 always reads 1, bits 3, 5, 15 and 22-31
 * read 0. */
void x86_set_eflags(X86CPU *cpu, uint32_t val, uint32_t mask)
{
    uint32_t f = x86_eflags(cpu);

    f = (f & ~mask) | (val & mask);
    f &= 0x3f7fd5;
    f |= 2;
    cpu->rflags = f;
}

void x86_cc_set(X86CPU *cpu, CCOp op, unsigned size, uint32_t s1,
                uint32_t s2, uint32_t res, uint32_t carry)
{
    X86Soft *s = x86_soft(cpu);

    s->cc_op = op;
    s->cc_size = size;
    s->cc_src1 = s1;
    s->cc_src2 = s2;
    s->cc_res = res;
    s->cc_carry = carry;
}

bool x86_cf(X86CPU *cpu)
{
    X86Soft *s = x86_soft(cpu);

    switch (s->cc_op) {
    case CC_OP_LOGIC:
        return false;
    case CC_OP_INC:
    case CC_OP_DEC:
        return s->cc_carry;
    default:
        return x86_eflags(cpu) & CC_C;
    }
}

/* The condition codes of Jcc/SETcc/CMOVcc (SDM 2, appendix B "Condition
 * Codes"): even numbers are the condition, odd ones its negation. */
bool x86_cc_cond(X86CPU *cpu, unsigned cond)
{
    X86Soft *s = x86_soft(cpu);
    uint32_t f;
    bool r;

    if ((cond >> 1) == 2 && s->cc_op != CC_OP_EFLAGS) {
        r = (s->cc_res & size_mask(s->cc_size)) == 0;
        return r ^ (cond & 1);
    }
    f = x86_eflags(cpu);
    switch (cond >> 1) {
    case 0: r = f & CC_O; break;
    case 1: r = f & CC_C; break;
    case 2: r = f & CC_Z; break;
    case 3: r = f & (CC_C | CC_Z); break;
    case 4: r = f & CC_S; break;
    case 5: r = f & CC_P; break;
    case 6: r = !(f & CC_S) != !(f & CC_O); break;
    default: r = (f & CC_Z) || (!(f & CC_S) != !(f & CC_O)); break;
    }
    return r ^ (cond & 1);
}
