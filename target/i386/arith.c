/*
 * Integer arithmetic, logic, shifts, multiply/divide and bit handlers.
 *
 * SDM 2 instruction pages (ADD ... XOR, INC, DEC, NEG, NOT, TEST, the
 * shift/rotate group, MUL, IMUL, DIV, IDIV, BT/BTS/BTR/BTC, BSF/BSR,
 * SHLD/SHRD, XADD, CMPXCHG, CMPXCHG8B, BSWAP, SETcc, CMOVcc, MOVZX,
 * MOVSX, CBW/CWDE, CWD/CDQ). Flags the SDM calls undefined are computed
 * as a 386-class processor does where that is known, else left as
 * computed here (tests/cpu/known-differences.txt lists what differs from
 * the 80286 vectors).
 */
#include "target/i386/internal.h"

enum { ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR,
       ALU_CMP };

static uint32_t alu(X86CPU *cpu, unsigned op, unsigned size, uint32_t a,
                    uint32_t b)
{
    uint32_t m = size_mask(size), r, c;

    a &= m;
    b &= m;
    switch (op) {
    case ALU_ADD:
        r = (a + b) & m;
        x86_cc_set(cpu, CC_OP_ADD, size, a, b, r, 0);
        return r;
    case ALU_OR:
        r = a | b;
        x86_cc_set(cpu, CC_OP_LOGIC, size, a, b, r, 0);
        return r;
    case ALU_ADC:
        c = x86_cf(cpu);
        r = (a + b + c) & m;
        x86_cc_set(cpu, CC_OP_ADD, size, a, b, r, c);
        return r;
    case ALU_SBB:
        c = x86_cf(cpu);
        r = (a - b - c) & m;
        x86_cc_set(cpu, CC_OP_SUB, size, a, b, r, c);
        return r;
    case ALU_AND:
        r = a & b;
        x86_cc_set(cpu, CC_OP_LOGIC, size, a, b, r, 0);
        return r;
    case ALU_XOR:
        r = a ^ b;
        x86_cc_set(cpu, CC_OP_LOGIC, size, a, b, r, 0);
        return r;
    default:    /* SUB, CMP */
        r = (a - b) & m;
        x86_cc_set(cpu, CC_OP_SUB, size, a, b, r, 0);
        return r;
    }
}

static void alu_E(X86CPU *cpu, X86Insn *i, unsigned size, uint32_t b)
{
    unsigned op = i->op->arg;
    uint32_t ea = 0, a;

    if (op == ALU_CMP) {
        alu(cpu, op, size, x86_get_E(cpu, i, size), b);
        return;
    }
    a = x86_get_E_rmw(cpu, i, size, &ea);
    x86_set_E_at(cpu, i, size, ea, alu(cpu, op, size, a, b));
}

static void alu_G(X86CPU *cpu, X86Insn *i, unsigned size)
{
    uint32_t r = alu(cpu, i->op->arg, size, x86_get_reg(cpu, i->reg, size),
                     x86_get_E(cpu, i, size));

    if (i->op->arg != ALU_CMP) {
        x86_set_reg(cpu, i->reg, size, r);
    }
}

static void alu_A(X86CPU *cpu, X86Insn *i, unsigned size)
{
    uint32_t r = alu(cpu, i->op->arg, size, x86_get_reg(cpu, R_EAX, size),
                     i->imm);

    if (i->op->arg != ALU_CMP) {
        x86_set_reg(cpu, R_EAX, size, r);
    }
}

void alu_Eb_Gb(X86CPU *cpu, X86Insn *i)
{
    alu_E(cpu, i, 1, x86_get_reg(cpu, i->reg, 1));
}

void alu_Ev_Gv(X86CPU *cpu, X86Insn *i)
{
    alu_E(cpu, i, i->opsize, x86_get_reg(cpu, i->reg, i->opsize));
}

void alu_Gb_Eb(X86CPU *cpu, X86Insn *i)
{
    alu_G(cpu, i, 1);
}

void alu_Gv_Ev(X86CPU *cpu, X86Insn *i)
{
    alu_G(cpu, i, i->opsize);
}

void alu_AL_Ib(X86CPU *cpu, X86Insn *i)
{
    alu_A(cpu, i, 1);
}

void alu_eAX_Iz(X86CPU *cpu, X86Insn *i)
{
    alu_A(cpu, i, i->opsize);
}

void alu_Eb_Ib(X86CPU *cpu, X86Insn *i)
{
    alu_E(cpu, i, 1, i->imm);
}

void alu_Ev_Iz(X86CPU *cpu, X86Insn *i)
{
    alu_E(cpu, i, i->opsize, i->imm);
}

void alu_Ev_Ib(X86CPU *cpu, X86Insn *i)
{
    alu_E(cpu, i, i->opsize, i->imm);
}

static uint32_t incdec(X86CPU *cpu, bool dec, unsigned size, uint32_t a)
{
    uint32_t cf = x86_cf(cpu);
    uint32_t r = (dec ? a - 1 : a + 1) & size_mask(size);

    x86_cc_set(cpu, dec ? CC_OP_DEC : CC_OP_INC, size, a, 1, r, cf);
    return r;
}

void inc_Zv(X86CPU *cpu, X86Insn *i)
{
    int r = i->opcode & 7;

    x86_set_reg(cpu, r, i->opsize,
                incdec(cpu, false, i->opsize, x86_get_reg(cpu, r, i->opsize)));
}

void dec_Zv(X86CPU *cpu, X86Insn *i)
{
    int r = i->opcode & 7;

    x86_set_reg(cpu, r, i->opsize,
                incdec(cpu, true, i->opsize, x86_get_reg(cpu, r, i->opsize)));
}

void incdec_Eb(X86CPU *cpu, X86Insn *i)
{
    uint32_t ea = 0, a = x86_get_E_rmw(cpu, i, 1, &ea);

    x86_set_E_at(cpu, i, 1, ea, incdec(cpu, i->op->arg, 1, a));
}

void incdec_Ev(X86CPU *cpu, X86Insn *i)
{
    uint32_t ea = 0, a = x86_get_E_rmw(cpu, i, i->opsize, &ea);

    x86_set_E_at(cpu, i, i->opsize, ea, incdec(cpu, i->op->arg, i->opsize, a));
}

static void test(X86CPU *cpu, unsigned size, uint32_t a, uint32_t b)
{
    x86_cc_set(cpu, CC_OP_LOGIC, size, a, b, a & b & size_mask(size), 0);
}

void test_Eb_Gb(X86CPU *cpu, X86Insn *i)
{
    test(cpu, 1, x86_get_E(cpu, i, 1), x86_get_reg(cpu, i->reg, 1));
}

void test_Ev_Gv(X86CPU *cpu, X86Insn *i)
{
    test(cpu, i->opsize, x86_get_E(cpu, i, i->opsize),
         x86_get_reg(cpu, i->reg, i->opsize));
}

void test_AL_Ib(X86CPU *cpu, X86Insn *i)
{
    test(cpu, 1, x86_get_reg(cpu, R_EAX, 1), i->imm);
}

void test_eAX_Iz(X86CPU *cpu, X86Insn *i)
{
    test(cpu, i->opsize, x86_get_reg(cpu, R_EAX, i->opsize), i->imm);
}

void test_Eb_Ib(X86CPU *cpu, X86Insn *i)
{
    test(cpu, 1, x86_get_E(cpu, i, 1), i->imm);
}

void test_Ev_Iz(X86CPU *cpu, X86Insn *i)
{
    test(cpu, i->opsize, x86_get_E(cpu, i, i->opsize), i->imm);
}

/* Group 3: arg 1 = byte form. */
static unsigned g3size(X86Insn *i)
{
    return i->op->arg ? 1 : i->opsize;
}

void not_E(X86CPU *cpu, X86Insn *i)
{
    unsigned size = g3size(i);
    uint32_t ea = 0, a = x86_get_E_rmw(cpu, i, size, &ea);

    x86_set_E_at(cpu, i, size, ea, ~a);
}

void neg_E(X86CPU *cpu, X86Insn *i)
{
    unsigned size = g3size(i);
    uint32_t ea = 0, a = x86_get_E_rmw(cpu, i, size, &ea);

    x86_set_E_at(cpu, i, size, ea, alu(cpu, ALU_SUB, size, 0, a));
}

/* MUL/IMUL set CF = OF; SF, ZF, PF follow the low half of the result as
 * on 386-class processors; AF is cleared. */
static void mul_flags(X86CPU *cpu, unsigned size, uint32_t low, bool over)
{
    uint32_t f = x86_eflags(cpu) & ~CC_ARITH;

    low &= size_mask(size);
    f |= over ? (CC_C | CC_O) : 0;
    f |= low == 0 ? CC_Z : 0;
    f |= (low & sign_bit(size)) ? CC_S : 0;
    f |= x86_parity(low);
    cpu->rflags = f;
}

void mul_E(X86CPU *cpu, X86Insn *i)
{
    unsigned size = g3size(i);
    uint64_t a = x86_get_reg(cpu, R_EAX, size), b = x86_get_E(cpu, i, size);
    uint64_t r = a * b;

    switch (size) {
    case 1:
        x86_set_reg(cpu, R_EAX, 2, r);
        mul_flags(cpu, 1, r, r >> 8);
        break;
    case 2:
        x86_set_reg(cpu, R_EAX, 2, r);
        x86_set_reg(cpu, R_EDX, 2, r >> 16);
        mul_flags(cpu, 2, r, r >> 16);
        break;
    default:
        x86_set_reg(cpu, R_EAX, 4, r);
        x86_set_reg(cpu, R_EDX, 4, r >> 32);
        mul_flags(cpu, 4, r, r >> 32);
        break;
    }
}

void imul_E(X86CPU *cpu, X86Insn *i)
{
    unsigned size = g3size(i);
    int64_t a = (int32_t)sext(x86_get_reg(cpu, R_EAX, size), size);
    int64_t b = (int32_t)sext(x86_get_E(cpu, i, size), size);
    int64_t r = a * b;

    switch (size) {
    case 1:
        x86_set_reg(cpu, R_EAX, 2, r);
        mul_flags(cpu, 1, r, r != (int8_t)r);
        break;
    case 2:
        x86_set_reg(cpu, R_EAX, 2, r);
        x86_set_reg(cpu, R_EDX, 2, r >> 16);
        mul_flags(cpu, 2, r, r != (int16_t)r);
        break;
    default:
        x86_set_reg(cpu, R_EAX, 4, r);
        x86_set_reg(cpu, R_EDX, 4, (uint64_t)r >> 32);
        mul_flags(cpu, 4, r, r != (int32_t)r);
        break;
    }
}

static void imul_to_reg(X86CPU *cpu, X86Insn *i, int64_t a, int64_t b)
{
    int64_t r = a * b;
    unsigned size = i->opsize;

    x86_set_reg(cpu, i->reg, size, r);
    mul_flags(cpu, size, r, size == 2 ? r != (int16_t)r : r != (int32_t)r);
}

void imul_Gv_Ev_I(X86CPU *cpu, X86Insn *i)
{
    unsigned size = i->opsize;

    imul_to_reg(cpu, i, (int32_t)sext(x86_get_E(cpu, i, size), size),
                (int32_t)sext(i->imm, size));
}

void imul_Gv_Ev(X86CPU *cpu, X86Insn *i)
{
    unsigned size = i->opsize;

    imul_to_reg(cpu, i, (int32_t)sext(x86_get_E(cpu, i, size), size),
                (int32_t)sext(x86_get_reg(cpu, i->reg, size), size));
}

void div_E(X86CPU *cpu, X86Insn *i)
{
    unsigned size = g3size(i);
    uint64_t d = x86_get_E(cpu, i, size), n, q, r;

    if (d == 0) {
        x86_raise(cpu, EXCP_DE, -1);
    }
    switch (size) {
    case 1:
        n = x86_get_reg(cpu, R_EAX, 2);
        q = n / d;
        r = n % d;
        if (q > 0xff) {
            x86_raise(cpu, EXCP_DE, -1);
        }
        x86_set_reg(cpu, R_EAX, 2, (r << 8) | q);
        break;
    case 2:
        n = ((uint64_t)x86_get_reg(cpu, R_EDX, 2) << 16) |
            x86_get_reg(cpu, R_EAX, 2);
        q = n / d;
        r = n % d;
        if (q > 0xffff) {
            x86_raise(cpu, EXCP_DE, -1);
        }
        x86_set_reg(cpu, R_EAX, 2, q);
        x86_set_reg(cpu, R_EDX, 2, r);
        break;
    default:
        n = ((uint64_t)x86_get_reg(cpu, R_EDX, 4) << 32) |
            x86_get_reg(cpu, R_EAX, 4);
        q = n / d;
        r = n % d;
        if (q > 0xffffffffULL) {
            x86_raise(cpu, EXCP_DE, -1);
        }
        x86_set_reg(cpu, R_EAX, 4, q);
        x86_set_reg(cpu, R_EDX, 4, r);
        break;
    }
}

void idiv_E(X86CPU *cpu, X86Insn *i)
{
    unsigned size = g3size(i);
    int64_t d = (int32_t)sext(x86_get_E(cpu, i, size), size), n, q, r;

    if (d == 0) {
        x86_raise(cpu, EXCP_DE, -1);
    }
    switch (size) {
    case 1:
        n = (int16_t)x86_get_reg(cpu, R_EAX, 2);
        q = n / d;
        r = n % d;
        if (q != (int8_t)q) {
            x86_raise(cpu, EXCP_DE, -1);
        }
        x86_set_reg(cpu, R_EAX, 2, ((r & 0xff) << 8) | (q & 0xff));
        break;
    case 2:
        n = (int32_t)((x86_get_reg(cpu, R_EDX, 2) << 16) |
                      x86_get_reg(cpu, R_EAX, 2));
        q = n / d;
        r = n % d;
        if (q != (int16_t)q) {
            x86_raise(cpu, EXCP_DE, -1);
        }
        x86_set_reg(cpu, R_EAX, 2, q);
        x86_set_reg(cpu, R_EDX, 2, r);
        break;
    default:
        n = (int64_t)(((uint64_t)x86_get_reg(cpu, R_EDX, 4) << 32) |
                      x86_get_reg(cpu, R_EAX, 4));
        if (n == INT64_MIN && d == -1) {
            x86_raise(cpu, EXCP_DE, -1);
        }
        q = n / d;
        r = n % d;
        if (q != (int32_t)q) {
            x86_raise(cpu, EXCP_DE, -1);
        }
        x86_set_reg(cpu, R_EAX, 4, q);
        x86_set_reg(cpu, R_EDX, 4, r);
        break;
    }
}

/* ---- shifts and rotates (SDM 2 "RCL/RCR/ROL/ROR", "SAL/SAR/SHL/SHR") */

enum { SH_ROL, SH_ROR, SH_RCL, SH_RCR, SH_SHL, SH_SHR, SH_SAL, SH_SAR };

static uint32_t shift(X86CPU *cpu, unsigned op, unsigned size, uint32_t v,
                      unsigned count)
{
    unsigned bits = size * 8;
    uint32_t m = size_mask(size), sb = sign_bit(size);
    uint32_t f, r = v & m, cf, of;
    uint64_t w;

    count &= 0x1f;
    if (count == 0) {
        return r;
    }
    f = x86_eflags(cpu);
    cf = f & CC_C;
    of = f & CC_O;
    v &= m;
    switch (op) {
    case SH_ROL: {
        unsigned c = count % bits;
        r = c ? ((v << c) | (v >> (bits - c))) & m : v;
        cf = r & 1;
        of = (!!(r & sb) ^ cf) ? CC_O : 0;
        f = (f & ~(CC_C | CC_O)) | (cf ? CC_C : 0) | of;
        cpu->rflags = f;
        return r;
    }
    case SH_ROR: {
        unsigned c = count % bits;
        r = c ? ((v >> c) | (v << (bits - c))) & m : v;
        cf = !!(r & sb);
        of = (!!(r & sb) ^ !!(r & (sb >> 1))) ? CC_O : 0;
        f = (f & ~(CC_C | CC_O)) | (cf ? CC_C : 0) | of;
        cpu->rflags = f;
        return r;
    }
    case SH_RCL: {
        unsigned c = size == 4 ? count : count % (bits + 1);
        uint64_t x = ((uint64_t)(cf ? 1 : 0) << bits) | v;
        unsigned k;
        for (k = 0; k < c; k++) {
            x = ((x << 1) | (x >> bits)) & ((2ULL << bits) - 1);
        }
        r = x & m;
        cf = (x >> bits) & 1;
        of = (!!(r & sb) ^ cf) ? CC_O : 0;
        if (c == 0) {
            return r;
        }
        cpu->rflags = (f & ~(CC_C | CC_O)) | (cf ? CC_C : 0) | of;
        return r;
    }
    case SH_RCR: {
        unsigned c = size == 4 ? count : count % (bits + 1);
        uint64_t x = ((uint64_t)(cf ? 1 : 0) << bits) | v;
        unsigned k;
        if (c == 0) {
            return r;
        }
        of = (!!(v & sb) ^ !!cf) ? CC_O : 0;
        for (k = 0; k < c; k++) {
            x = ((x >> 1) | ((x & 1) << bits)) & ((2ULL << bits) - 1);
        }
        r = x & m;
        cf = (x >> bits) & 1;
        /* HW: OF from the last step: the two top bits of the result. */
        of = (!!(r & sb) ^ !!(r & (sb >> 1))) ? CC_O : 0;
        cpu->rflags = (f & ~(CC_C | CC_O)) | (cf ? CC_C : 0) | of;
        return r;
    }
    case SH_SHL:
    case SH_SAL:
        w = (uint64_t)v << count;
        r = w & m;
        cf = (w >> bits) & 1;
        of = (!!(r & sb) ^ cf) ? CC_O : 0;
        break;
    case SH_SHR:
        w = count > 32 ? 0 : ((uint64_t)v << 1) >> count;
        cf = w & 1;
        r = (w >> 1) & m;
        of = (v & sb) ? CC_O : 0;
        break;
    default: {  /* SAR */
        int64_t sv = (int32_t)sext(v, size);
        unsigned c = count > bits ? bits : count;
        cf = (sv >> (c - 1)) & 1;
        r = (uint32_t)(sv >> c) & m;
        of = 0;
        break;
    }
    }
    f &= ~CC_ARITH;
    f |= (cf ? CC_C : 0) | of | (r == 0 ? CC_Z : 0) | ((r & sb) ? CC_S : 0) |
         x86_parity(r);
    cpu->rflags = f;
    return r;
}

static void shift_E(X86CPU *cpu, X86Insn *i, unsigned size, unsigned count)
{
    uint32_t ea = 0, a = x86_get_E_rmw(cpu, i, size, &ea);

    x86_set_E_at(cpu, i, size, ea, shift(cpu, i->op->arg, size, a, count));
}

void shift_Eb_Ib(X86CPU *cpu, X86Insn *i)
{
    shift_E(cpu, i, 1, i->imm);
}

void shift_Ev_Ib(X86CPU *cpu, X86Insn *i)
{
    shift_E(cpu, i, i->opsize, i->imm);
}

void shift_Eb_1(X86CPU *cpu, X86Insn *i)
{
    shift_E(cpu, i, 1, 1);
}

void shift_Ev_1(X86CPU *cpu, X86Insn *i)
{
    shift_E(cpu, i, i->opsize, 1);
}

void shift_Eb_CL(X86CPU *cpu, X86Insn *i)
{
    shift_E(cpu, i, 1, cpu->regs[R_ECX] & 0xff);
}

void shift_Ev_CL(X86CPU *cpu, X86Insn *i)
{
    shift_E(cpu, i, i->opsize, cpu->regs[R_ECX] & 0xff);
}

/* SHLD/SHRD: arg 1 = count in CL. A 16-bit count above 16 gives an
 * undefined result; this shifts through a 32-bit window as 386s do. */
static void shxd(X86CPU *cpu, X86Insn *i, bool left)
{
    unsigned size = i->opsize, bits = size * 8;
    unsigned count = (i->op->arg ? cpu->regs[R_ECX] : i->imm) & 0x1f;
    uint32_t ea = 0, a = x86_get_E_rmw(cpu, i, size, &ea);
    uint32_t b = x86_get_reg(cpu, i->reg, size);
    uint32_t m = size_mask(size), sb = sign_bit(size), r, cf, f;
    uint64_t x;

    if (count == 0) {
        x86_set_E_at(cpu, i, size, ea, a);
        return;
    }
    if (left) {
        x = size == 4 ? ((uint64_t)a << 32) | b
                      : ((uint64_t)a << 48) | ((uint64_t)b << 32) |
                        ((uint64_t)a << 16);
        x <<= count - 1;
        cf = (x >> 63) & 1;
        x <<= 1;
        r = (x >> (64 - bits)) & m;
    } else {
        x = size == 4 ? ((uint64_t)b << 32) | a
                      : ((uint64_t)a << 32) | ((uint64_t)b << 16) | a;
        x >>= count - 1;
        cf = x & 1;
        x >>= 1;
        r = x & m;
    }
    f = x86_eflags(cpu) & ~CC_ARITH;
    f |= (cf ? CC_C : 0) | (((r ^ a) & sb) ? CC_O : 0) |
         (r == 0 ? CC_Z : 0) | ((r & sb) ? CC_S : 0) | x86_parity(r);
    cpu->rflags = f;
    (void)bits;
    x86_set_E_at(cpu, i, size, ea, r);
}

void shld_Ev_Gv(X86CPU *cpu, X86Insn *i)
{
    shxd(cpu, i, true);
}

void shrd_Ev_Gv(X86CPU *cpu, X86Insn *i)
{
    shxd(cpu, i, false);
}

/* ---- bit operations: arg 0 BT, 1 BTS, 2 BTR, 3 BTC ---- */

static void bt_common(X86CPU *cpu, X86Insn *i, int32_t bit, bool reg_form)
{
    unsigned size = i->opsize, bits = size * 8, op = i->op->arg;
    uint32_t ea = 0, v, mask, f;

    if (i->mod == 3) {
        v = x86_get_reg(cpu, i->rm, size);
        mask = 1u << (bit & (bits - 1));
    } else {
        ea = x86_ea(cpu, i);
        if (reg_form) {
            /* The bit offset of the register form reaches memory beyond
             * the operand, signed (SDM 2 "BT"). */
            int32_t sbit = size == 2 ? (int16_t)bit : bit;
            ea += (uint32_t)((sbit >> (size == 2 ? 4 : 5)) * (int32_t)size);
            if (i->adsize == 2) {
                ea &= 0xffff;
            }
        }
        mask = 1u << (bit & (bits - 1));
        v = op ? x86_ld_rmw(cpu, i->seg, ea, size)
               : x86_ld(cpu, i->seg, ea, size);
    }
    f = x86_eflags(cpu) & ~CC_C;
    cpu->rflags = f | ((v & mask) ? CC_C : 0);
    switch (op) {
    case 0:
        return;
    case 1:
        v |= mask;
        break;
    case 2:
        v &= ~mask;
        break;
    default:
        v ^= mask;
        break;
    }
    if (i->mod == 3) {
        x86_set_reg(cpu, i->rm, size, v);
    } else {
        x86_st(cpu, i->seg, ea, v, size);
    }
}

void bt_Ev_Gv(X86CPU *cpu, X86Insn *i)
{
    bt_common(cpu, i, x86_get_reg(cpu, i->reg, i->opsize), true);
}

void bt_Ev_Ib(X86CPU *cpu, X86Insn *i)
{
    bt_common(cpu, i, i->imm & 0xff, false);
}

void bsf_Gv_Ev(X86CPU *cpu, X86Insn *i)
{
    uint32_t v = x86_get_E(cpu, i, i->opsize);
    uint32_t f = x86_eflags(cpu) & ~CC_Z;

    if (!v) {
        cpu->rflags = f | CC_Z;
        return;
    }
    cpu->rflags = f;
    x86_set_reg(cpu, i->reg, i->opsize, __builtin_ctz(v));
}

void bsr_Gv_Ev(X86CPU *cpu, X86Insn *i)
{
    uint32_t v = x86_get_E(cpu, i, i->opsize);
    uint32_t f = x86_eflags(cpu) & ~CC_Z;

    if (!v) {
        cpu->rflags = f | CC_Z;
        return;
    }
    cpu->rflags = f;
    x86_set_reg(cpu, i->reg, i->opsize, 31 - __builtin_clz(v));
}

/* arg 1 = byte form */
void xadd_E_G(X86CPU *cpu, X86Insn *i)
{
    unsigned size = i->op->arg ? 1 : i->opsize;
    uint32_t ea = 0, a = x86_get_E_rmw(cpu, i, size, &ea);
    uint32_t b = x86_get_reg(cpu, i->reg, size);
    uint32_t r = alu(cpu, ALU_ADD, size, a, b);

    x86_set_E_at(cpu, i, size, ea, r);
    x86_set_reg(cpu, i->reg, size, a);
}

void cmpxchg_E_G(X86CPU *cpu, X86Insn *i)
{
    unsigned size = i->op->arg ? 1 : i->opsize;
    uint32_t ea = 0, d = x86_get_E_rmw(cpu, i, size, &ea);
    uint32_t acc = x86_get_reg(cpu, R_EAX, size);

    alu(cpu, ALU_CMP, size, acc, d);
    if ((acc & size_mask(size)) == (d & size_mask(size))) {
        x86_set_E_at(cpu, i, size, ea, x86_get_reg(cpu, i->reg, size));
    } else {
        /* HW: the destination is written back even when unequal. */
        x86_set_E_at(cpu, i, size, ea, d);
        x86_set_reg(cpu, R_EAX, size, d);
    }
}

void cmpxchg8b_Mq(X86CPU *cpu, X86Insn *i)
{
    uint32_t ea = x86_ea(cpu, i);
    uint32_t lo = x86_ld_rmw(cpu, i->seg, ea, 4);
    uint32_t hi = x86_ld_rmw(cpu, i->seg, (ea + 4) &
                             (i->adsize == 2 ? 0xffff : ~0u), 4);
    uint32_t f = x86_eflags(cpu) & ~CC_Z;

    if (lo == (uint32_t)cpu->regs[R_EAX] && hi == (uint32_t)cpu->regs[R_EDX]) {
        x86_st(cpu, i->seg, ea, cpu->regs[R_EBX], 4);
        x86_st(cpu, i->seg, (ea + 4) & (i->adsize == 2 ? 0xffff : ~0u),
               cpu->regs[R_ECX], 4);
        cpu->rflags = f | CC_Z;
    } else {
        x86_st(cpu, i->seg, ea, lo, 4);
        x86_st(cpu, i->seg, (ea + 4) & (i->adsize == 2 ? 0xffff : ~0u),
               hi, 4);
        cpu->regs[R_EAX] = lo;
        cpu->regs[R_EDX] = hi;
        cpu->rflags = f;
    }
}

void bswap_Zd(X86CPU *cpu, X86Insn *i)
{
    int r = i->opcode & 7;

    if (i->opsize == 2) {
        /* Undefined; 486 and later clear the low word. */
        x86_set_reg(cpu, r, 2, 0);
        return;
    }
    cpu->regs[r] = __builtin_bswap32((uint32_t)cpu->regs[r]);
}

void setcc_Eb(X86CPU *cpu, X86Insn *i)
{
    x86_set_E(cpu, i, 1, x86_cc_cond(cpu, i->op->arg));
}

void cmovcc_Gv_Ev(X86CPU *cpu, X86Insn *i)
{
    uint32_t v = x86_get_E(cpu, i, i->opsize);

    if (x86_cc_cond(cpu, i->op->arg)) {
        x86_set_reg(cpu, i->reg, i->opsize, v);
    }
}

void movzx_Gv_E(X86CPU *cpu, X86Insn *i)
{
    x86_set_reg(cpu, i->reg, i->opsize, x86_get_E(cpu, i, i->op->arg));
}

void movsx_Gv_E(X86CPU *cpu, X86Insn *i)
{
    x86_set_reg(cpu, i->reg, i->opsize,
                sext(x86_get_E(cpu, i, i->op->arg), i->op->arg));
}

void cbw(X86CPU *cpu, X86Insn *i)
{
    if (i->opsize == 2) {
        x86_set_reg(cpu, R_EAX, 2, sext(cpu->regs[R_EAX] & 0xff, 1));
    } else {
        x86_set_reg(cpu, R_EAX, 4, sext(cpu->regs[R_EAX] & 0xffff, 2));
    }
}

void cwd(X86CPU *cpu, X86Insn *i)
{
    if (i->opsize == 2) {
        x86_set_reg(cpu, R_EDX, 2, (cpu->regs[R_EAX] & 0x8000) ? 0xffff : 0);
    } else {
        x86_set_reg(cpu, R_EDX, 4,
                    (cpu->regs[R_EAX] & 0x80000000u) ? 0xffffffffu : 0);
    }
}

/* Undocumented SALC (D6): AL = CF ? FF : 00. */
void salc(X86CPU *cpu, X86Insn *i)
{
    x86_set_reg(cpu, R_EAX, 1, x86_cf(cpu) ? 0xff : 0);
}
