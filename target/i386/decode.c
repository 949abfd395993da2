/*
 * The decoder: prefixes, the one- and two-byte opcode maps, ModRM, SIB,
 * displacement and immediates, into an X86Insn.
 *
 * The maps are SDM 2, appendix A "Opcode Map" (tables, group
 * table A-6), one cell per entry with the SDM's operand notation: E =
 * ModRM r/m, G = ModRM reg, I = immediate, J = relative, O = moffs, S =
 * segment register, Z = register in the opcode's low bits; b = byte, w =
 * word, v = word or dword by operand size, z = word or dword immediate,
 * p = far pointer, M = memory only. The same tables name instructions for
 * the tests and a disassembler.
 *
 * MMX/SSE/SSE2 opcodes whose meaning depends on a 66, F3 or F2 prefix
 * (SDM 2 appendix A's "mandatory prefix" rows) have a P4 cell: four
 * entries for no prefix, 66, F3 and F2, chosen right after the opcode
 * byte; each entry then decodes like any other (ModRM, group,
 * immediate). The handlers are in mmx.c and sse.c (simd.h).
 *
 * Limits (SDM 2 "Instruction Format"): at most 15 bytes (#GP otherwise),
 * the last of several segment overrides wins, LOCK only on the
 * read-modify-write forms with a memory destination (#UD otherwise).
 */
#include "target/i386/internal.h"
#include "target/i386/simd.h"

#define E(f, n, fl, im, a) { f, n, fl, im, a, NULL }
#define G(n, fl, im, grp) { NULL, n, (fl) | X_GROUP | X_MODRM, im, 0, grp }
#define M X_MODRM
#define L X_LOCKOK
#define PFX { NULL, "prefix", X_PREFIX, 0, 0, NULL }
/* An opcode whose meaning depends on a mandatory prefix (SDM 2 appendix
 * A, the SSE rows of table A-3): the cells for no prefix, 66, F3, F2. */
#define P4(n, a, b, c, d) \
    { NULL, n, X_PFXTAB, 0, 0, (const X86OpEntry[4]){ a, b, c, d } }
#define UD_ E(NULL, NULL, 0, 0, 0)

static const X86OpEntry grp1_Eb_Ib[8] = {
    E(alu_Eb_Ib, "add Eb,Ib", L, I_B, 0), E(alu_Eb_Ib, "or Eb,Ib", L, I_B, 1),
    E(alu_Eb_Ib, "adc Eb,Ib", L, I_B, 2), E(alu_Eb_Ib, "sbb Eb,Ib", L, I_B, 3),
    E(alu_Eb_Ib, "and Eb,Ib", L, I_B, 4), E(alu_Eb_Ib, "sub Eb,Ib", L, I_B, 5),
    E(alu_Eb_Ib, "xor Eb,Ib", L, I_B, 6), E(alu_Eb_Ib, "cmp Eb,Ib", 0, I_B, 7),
};
static const X86OpEntry grp1_Ev_Iz[8] = {
    E(alu_Ev_Iz, "add Ev,Iz", L, I_V, 0), E(alu_Ev_Iz, "or Ev,Iz", L, I_V, 1),
    E(alu_Ev_Iz, "adc Ev,Iz", L, I_V, 2), E(alu_Ev_Iz, "sbb Ev,Iz", L, I_V, 3),
    E(alu_Ev_Iz, "and Ev,Iz", L, I_V, 4), E(alu_Ev_Iz, "sub Ev,Iz", L, I_V, 5),
    E(alu_Ev_Iz, "xor Ev,Iz", L, I_V, 6), E(alu_Ev_Iz, "cmp Ev,Iz", 0, I_V, 7),
};
static const X86OpEntry grp1_Ev_Ib[8] = {
    E(alu_Ev_Ib, "add Ev,Ib", L, I_BS, 0), E(alu_Ev_Ib, "or Ev,Ib", L, I_BS, 1),
    E(alu_Ev_Ib, "adc Ev,Ib", L, I_BS, 2), E(alu_Ev_Ib, "sbb Ev,Ib", L, I_BS, 3),
    E(alu_Ev_Ib, "and Ev,Ib", L, I_BS, 4), E(alu_Ev_Ib, "sub Ev,Ib", L, I_BS, 5),
    E(alu_Ev_Ib, "xor Ev,Ib", L, I_BS, 6), E(alu_Ev_Ib, "cmp Ev,Ib", 0, I_BS, 7),
};
static const X86OpEntry grp1a[8] = {
    E(pop_Ev, "pop Ev", 0, I_NONE, 0),
};
static const X86OpEntry grp2_Eb_Ib[8] = {
    E(shift_Eb_Ib, "rol Eb,Ib", 0, I_B, 0), E(shift_Eb_Ib, "ror Eb,Ib", 0, I_B, 1),
    E(shift_Eb_Ib, "rcl Eb,Ib", 0, I_B, 2), E(shift_Eb_Ib, "rcr Eb,Ib", 0, I_B, 3),
    E(shift_Eb_Ib, "shl Eb,Ib", 0, I_B, 4), E(shift_Eb_Ib, "shr Eb,Ib", 0, I_B, 5),
    E(shift_Eb_Ib, "sal Eb,Ib", 0, I_B, 6), E(shift_Eb_Ib, "sar Eb,Ib", 0, I_B, 7),
};
static const X86OpEntry grp2_Ev_Ib[8] = {
    E(shift_Ev_Ib, "rol Ev,Ib", 0, I_B, 0), E(shift_Ev_Ib, "ror Ev,Ib", 0, I_B, 1),
    E(shift_Ev_Ib, "rcl Ev,Ib", 0, I_B, 2), E(shift_Ev_Ib, "rcr Ev,Ib", 0, I_B, 3),
    E(shift_Ev_Ib, "shl Ev,Ib", 0, I_B, 4), E(shift_Ev_Ib, "shr Ev,Ib", 0, I_B, 5),
    E(shift_Ev_Ib, "sal Ev,Ib", 0, I_B, 6), E(shift_Ev_Ib, "sar Ev,Ib", 0, I_B, 7),
};
static const X86OpEntry grp2_Eb_1[8] = {
    E(shift_Eb_1, "rol Eb,1", 0, 0, 0), E(shift_Eb_1, "ror Eb,1", 0, 0, 1),
    E(shift_Eb_1, "rcl Eb,1", 0, 0, 2), E(shift_Eb_1, "rcr Eb,1", 0, 0, 3),
    E(shift_Eb_1, "shl Eb,1", 0, 0, 4), E(shift_Eb_1, "shr Eb,1", 0, 0, 5),
    E(shift_Eb_1, "sal Eb,1", 0, 0, 6), E(shift_Eb_1, "sar Eb,1", 0, 0, 7),
};
static const X86OpEntry grp2_Ev_1[8] = {
    E(shift_Ev_1, "rol Ev,1", 0, 0, 0), E(shift_Ev_1, "ror Ev,1", 0, 0, 1),
    E(shift_Ev_1, "rcl Ev,1", 0, 0, 2), E(shift_Ev_1, "rcr Ev,1", 0, 0, 3),
    E(shift_Ev_1, "shl Ev,1", 0, 0, 4), E(shift_Ev_1, "shr Ev,1", 0, 0, 5),
    E(shift_Ev_1, "sal Ev,1", 0, 0, 6), E(shift_Ev_1, "sar Ev,1", 0, 0, 7),
};
static const X86OpEntry grp2_Eb_CL[8] = {
    E(shift_Eb_CL, "rol Eb,CL", 0, 0, 0), E(shift_Eb_CL, "ror Eb,CL", 0, 0, 1),
    E(shift_Eb_CL, "rcl Eb,CL", 0, 0, 2), E(shift_Eb_CL, "rcr Eb,CL", 0, 0, 3),
    E(shift_Eb_CL, "shl Eb,CL", 0, 0, 4), E(shift_Eb_CL, "shr Eb,CL", 0, 0, 5),
    E(shift_Eb_CL, "sal Eb,CL", 0, 0, 6), E(shift_Eb_CL, "sar Eb,CL", 0, 0, 7),
};
static const X86OpEntry grp2_Ev_CL[8] = {
    E(shift_Ev_CL, "rol Ev,CL", 0, 0, 0), E(shift_Ev_CL, "ror Ev,CL", 0, 0, 1),
    E(shift_Ev_CL, "rcl Ev,CL", 0, 0, 2), E(shift_Ev_CL, "rcr Ev,CL", 0, 0, 3),
    E(shift_Ev_CL, "shl Ev,CL", 0, 0, 4), E(shift_Ev_CL, "shr Ev,CL", 0, 0, 5),
    E(shift_Ev_CL, "sal Ev,CL", 0, 0, 6), E(shift_Ev_CL, "sar Ev,CL", 0, 0, 7),
};
static const X86OpEntry grp3_Eb[8] = {
    E(test_Eb_Ib, "test Eb,Ib", 0, I_B, 1), E(test_Eb_Ib, "test Eb,Ib", 0, I_B, 1),
    E(not_E, "not Eb", L, 0, 1), E(neg_E, "neg Eb", L, 0, 1),
    E(mul_E, "mul Eb", 0, 0, 1), E(imul_E, "imul Eb", 0, 0, 1),
    E(div_E, "div Eb", 0, 0, 1), E(idiv_E, "idiv Eb", 0, 0, 1),
};
static const X86OpEntry grp3_Ev[8] = {
    E(test_Ev_Iz, "test Ev,Iz", 0, I_V, 0), E(test_Ev_Iz, "test Ev,Iz", 0, I_V, 0),
    E(not_E, "not Ev", L, 0, 0), E(neg_E, "neg Ev", L, 0, 0),
    E(mul_E, "mul Ev", 0, 0, 0), E(imul_E, "imul Ev", 0, 0, 0),
    E(div_E, "div Ev", 0, 0, 0), E(idiv_E, "idiv Ev", 0, 0, 0),
};
static const X86OpEntry grp4[8] = {
    E(incdec_Eb, "inc Eb", L, 0, 0), E(incdec_Eb, "dec Eb", L, 0, 1),
};
static const X86OpEntry grp5[8] = {
    E(incdec_Ev, "inc Ev", L, 0, 0), E(incdec_Ev, "dec Ev", L, 0, 1),
    E(call_Ev, "call Ev", 0, 0, 0), E(call_Mp, "call Mp", X_MEMONLY, 0, 0),
    E(jmp_Ev, "jmp Ev", 0, 0, 0), E(jmp_Mp, "jmp Mp", X_MEMONLY, 0, 0),
    E(push_Ev, "push Ev", 0, 0, 0),
};
static const X86OpEntry grp11_Eb[8] = {
    E(mov_Eb_Ib, "mov Eb,Ib", 0, I_B, 0),
};
static const X86OpEntry grp11_Ev[8] = {
    E(mov_Ev_Iz, "mov Ev,Iz", 0, I_V, 0),
};
static const X86OpEntry grp6_t[8] = {
    E(grp6, "sldt Ew", 0, 0, 0), E(grp6, "str Ew", 0, 0, 1),
    E(grp6, "lldt Ew", 0, 0, 2), E(grp6, "ltr Ew", 0, 0, 3),
    E(grp6, "verr Ew", 0, 0, 4), E(grp6, "verw Ew", 0, 0, 5),
};
static const X86OpEntry grp7_t[8] = {
    E(grp7, "sgdt Ms", X_MEMONLY, 0, 0), E(grp7, "sidt Ms", X_MEMONLY, 0, 1),
    E(grp7, "lgdt Ms", X_MEMONLY, 0, 2), E(grp7, "lidt Ms", X_MEMONLY, 0, 3),
    E(grp7, "smsw Ew", 0, 0, 4), E(NULL, NULL, 0, 0, 5),
    E(grp7, "lmsw Ew", 0, 0, 6), E(grp7, "invlpg Mb", X_MEMONLY, 0, 7),
};
static const X86OpEntry grp8[8] = {
    [4] = E(bt_Ev_Ib, "bt Ev,Ib", 0, I_B, 0),
    [5] = E(bt_Ev_Ib, "bts Ev,Ib", L, I_B, 1),
    [6] = E(bt_Ev_Ib, "btr Ev,Ib", L, I_B, 2),
    [7] = E(bt_Ev_Ib, "btc Ev,Ib", L, I_B, 3),
};
static const X86OpEntry grp9[8] = {
    [1] = E(cmpxchg8b_Mq, "cmpxchg8b Mq", X_MEMONLY | L, 0, 0),
};

/* MMX/SSE groups 12-16 (SDM 2 table A-6): shifts by an immediate on an
 * MMX register (no prefix) or an XMM register (66). */
static const X86OpEntry grp12_N[8] = {
    [2] = E(mmx_shift_Nq_Ib, "psrlw Nq,Ib", 0, I_B, PSRLW),
    [4] = E(mmx_shift_Nq_Ib, "psraw Nq,Ib", 0, I_B, PSRAW),
    [6] = E(mmx_shift_Nq_Ib, "psllw Nq,Ib", 0, I_B, PSLLW),
};
static const X86OpEntry grp12_U[8] = {
    [2] = E(sse_shift_Ux_Ib, "psrlw Ux,Ib", 0, I_B, PSRLW),
    [4] = E(sse_shift_Ux_Ib, "psraw Ux,Ib", 0, I_B, PSRAW),
    [6] = E(sse_shift_Ux_Ib, "psllw Ux,Ib", 0, I_B, PSLLW),
};
static const X86OpEntry grp13_N[8] = {
    [2] = E(mmx_shift_Nq_Ib, "psrld Nq,Ib", 0, I_B, PSRLD),
    [4] = E(mmx_shift_Nq_Ib, "psrad Nq,Ib", 0, I_B, PSRAD),
    [6] = E(mmx_shift_Nq_Ib, "pslld Nq,Ib", 0, I_B, PSLLD),
};
static const X86OpEntry grp13_U[8] = {
    [2] = E(sse_shift_Ux_Ib, "psrld Ux,Ib", 0, I_B, PSRLD),
    [4] = E(sse_shift_Ux_Ib, "psrad Ux,Ib", 0, I_B, PSRAD),
    [6] = E(sse_shift_Ux_Ib, "pslld Ux,Ib", 0, I_B, PSLLD),
};
static const X86OpEntry grp14_N[8] = {
    [2] = E(mmx_shift_Nq_Ib, "psrlq Nq,Ib", 0, I_B, PSRLQ),
    [6] = E(mmx_shift_Nq_Ib, "psllq Nq,Ib", 0, I_B, PSLLQ),
};
static const X86OpEntry grp14_U[8] = {
    [2] = E(sse_shift_Ux_Ib, "psrlq Ux,Ib", 0, I_B, PSRLQ),
    [3] = E(sse_shift_dq_Ux_Ib, "psrldq Ux,Ib", 0, I_B, 0),
    [6] = E(sse_shift_Ux_Ib, "psllq Ux,Ib", 0, I_B, PSLLQ),
    [7] = E(sse_shift_dq_Ux_Ib, "pslldq Ux,Ib", 0, I_B, 1),
};
/* Group 15: /0-/3 memory only; /5-/7 fences as register forms, /7
 * CLFLUSH as a memory form (XSAVE & co. are not implemented: #UD). */
static const X86OpEntry grp15_t[8] = {
    [0] = E(grp15, "fxsave M", X_MEMONLY, 0, 0),
    [1] = E(grp15, "fxrstor M", X_MEMONLY, 0, 1),
    [2] = E(grp15, "ldmxcsr Md", X_MEMONLY, 0, 2),
    [3] = E(grp15, "stmxcsr Md", X_MEMONLY, 0, 3),
    [5] = E(grp15, "lfence", 0, 0, 5),
    [6] = E(grp15, "mfence", 0, 0, 6),
    [7] = E(grp15, "sfence / clflush Mb", 0, 0, 7),
};
/* Group 16: PREFETCHNTA/T0/T1/T2; /4-/7 are hint NOPs. */
static const X86OpEntry grp16[8] = {
    E(prefetch, "prefetchnta Mb", 0, 0, 0),
    E(prefetch, "prefetcht0 Mb", 0, 0, 1),
    E(prefetch, "prefetcht1 Mb", 0, 0, 2),
    E(prefetch, "prefetcht2 Mb", 0, 0, 3),
    E(prefetch, "nop Ev", 0, 0, 4), E(prefetch, "nop Ev", 0, 0, 5),
    E(prefetch, "nop Ev", 0, 0, 6), E(prefetch, "nop Ev", 0, 0, 7),
};

#define ALU6(base, n, a) \
    [base + 0] = E(alu_Eb_Gb, n " Eb,Gb", M | L, 0, a), \
    [base + 1] = E(alu_Ev_Gv, n " Ev,Gv", M | L, 0, a), \
    [base + 2] = E(alu_Gb_Eb, n " Gb,Eb", M, 0, a), \
    [base + 3] = E(alu_Gv_Ev, n " Gv,Ev", M, 0, a), \
    [base + 4] = E(alu_AL_Ib, n " AL,Ib", 0, I_B, a), \
    [base + 5] = E(alu_eAX_Iz, n " eAX,Iz", 0, I_V, a)
#define R8(base, f, n, im) \
    [base + 0] = E(f, n, 0, im, 0), [base + 1] = E(f, n, 0, im, 1), \
    [base + 2] = E(f, n, 0, im, 2), [base + 3] = E(f, n, 0, im, 3), \
    [base + 4] = E(f, n, 0, im, 4), [base + 5] = E(f, n, 0, im, 5), \
    [base + 6] = E(f, n, 0, im, 6), [base + 7] = E(f, n, 0, im, 7)
#define R8A(base, f, n, im, a) \
    [base + 0] = E(f, n, 0, im, a + 0), [base + 1] = E(f, n, 0, im, a + 1), \
    [base + 2] = E(f, n, 0, im, a + 2), [base + 3] = E(f, n, 0, im, a + 3), \
    [base + 4] = E(f, n, 0, im, a + 4), [base + 5] = E(f, n, 0, im, a + 5), \
    [base + 6] = E(f, n, 0, im, a + 6), [base + 7] = E(f, n, 0, im, a + 7)
#define C16(base, f, n, fl, im) \
    R8A(base, f, n, im, 0), R8A(base + 8, f, n, im, 8)

const X86OpEntry x86_map1[256] = {
    ALU6(0x00, "add", 0),
    [0x06] = E(push_Sw, "push ES", 0, 0, R_ES),
    [0x07] = E(pop_Sw, "pop ES", 0, 0, R_ES),
    ALU6(0x08, "or", 1),
    [0x0e] = E(push_Sw, "push CS", 0, 0, R_CS),
    [0x0f] = { NULL, "2-byte escape", X_TWOBYTE, 0, 0, NULL },
    ALU6(0x10, "adc", 2),
    [0x16] = E(push_Sw, "push SS", 0, 0, R_SS),
    [0x17] = E(pop_Sw, "pop SS", 0, 0, R_SS),
    ALU6(0x18, "sbb", 3),
    [0x1e] = E(push_Sw, "push DS", 0, 0, R_DS),
    [0x1f] = E(pop_Sw, "pop DS", 0, 0, R_DS),
    ALU6(0x20, "and", 4),
    [0x26] = PFX, [0x27] = E(daa, "daa", 0, 0, 0),
    ALU6(0x28, "sub", 5),
    [0x2e] = PFX, [0x2f] = E(das, "das", 0, 0, 0),
    ALU6(0x30, "xor", 6),
    [0x36] = PFX, [0x37] = E(aaa, "aaa", 0, 0, 0),
    ALU6(0x38, "cmp", 7),
    [0x3e] = PFX, [0x3f] = E(aas, "aas", 0, 0, 0),
    R8(0x40, inc_Zv, "inc Zv", 0),
    R8(0x48, dec_Zv, "dec Zv", 0),
    R8(0x50, push_Zv, "push Zv", 0),
    R8(0x58, pop_Zv, "pop Zv", 0),
    [0x60] = E(pusha, "pusha", 0, 0, 0),
    [0x61] = E(popa, "popa", 0, 0, 0),
    [0x62] = E(bound_Gv_Ma, "bound Gv,Ma", M | X_MEMONLY, 0, 0),
    [0x63] = E(arpl_Ew_Gw, "arpl Ew,Gw", M, 0, 0),
    [0x64] = PFX, [0x65] = PFX, [0x66] = PFX, [0x67] = PFX,
    [0x68] = E(push_Iz, "push Iz", 0, I_V, 0),
    [0x69] = E(imul_Gv_Ev_I, "imul Gv,Ev,Iz", M, I_V, 0),
    [0x6a] = E(push_Ib, "push Ib", 0, I_BS, 0),
    [0x6b] = E(imul_Gv_Ev_I, "imul Gv,Ev,Ib", M, I_BS, 0),
    [0x6c] = E(ins, "insb", 0, 0, 1), [0x6d] = E(ins, "insv", 0, 0, 0),
    [0x6e] = E(outs, "outsb", 0, 0, 1), [0x6f] = E(outs, "outsv", 0, 0, 0),
    C16(0x70, jcc_Jb, "jcc Jb", 0, I_BS),
    [0x80] = G("grp1 Eb,Ib", 0, 0, grp1_Eb_Ib),
    [0x81] = G("grp1 Ev,Iz", 0, 0, grp1_Ev_Iz),
    [0x82] = G("grp1 Eb,Ib", 0, 0, grp1_Eb_Ib),
    [0x83] = G("grp1 Ev,Ib", 0, 0, grp1_Ev_Ib),
    [0x84] = E(test_Eb_Gb, "test Eb,Gb", M, 0, 0),
    [0x85] = E(test_Ev_Gv, "test Ev,Gv", M, 0, 0),
    [0x86] = E(xchg_Eb_Gb, "xchg Eb,Gb", M | L, 0, 0),
    [0x87] = E(xchg_Ev_Gv, "xchg Ev,Gv", M | L, 0, 0),
    [0x88] = E(mov_Eb_Gb, "mov Eb,Gb", M, 0, 0),
    [0x89] = E(mov_Ev_Gv, "mov Ev,Gv", M, 0, 0),
    [0x8a] = E(mov_Gb_Eb, "mov Gb,Eb", M, 0, 0),
    [0x8b] = E(mov_Gv_Ev, "mov Gv,Ev", M, 0, 0),
    [0x8c] = E(mov_Ev_Sw, "mov Ev,Sw", M, 0, 0),
    [0x8d] = E(lea_Gv_M, "lea Gv,M", M | X_MEMONLY, 0, 0),
    [0x8e] = E(mov_Sw_Ew, "mov Sw,Ew", M, 0, 0),
    [0x8f] = G("grp1a", 0, 0, grp1a),
    [0x90] = P4("nop", E(nop, "nop", 0, 0, 0), E(nop, "nop", 0, 0, 0),
                E(pause_nop, "pause", 0, 0, 0), E(nop, "nop", 0, 0, 0)),
    [0x91] = E(xchg_Zv_eAX, "xchg Zv,eAX", 0, 0, 1),
    [0x92] = E(xchg_Zv_eAX, "xchg Zv,eAX", 0, 0, 2),
    [0x93] = E(xchg_Zv_eAX, "xchg Zv,eAX", 0, 0, 3),
    [0x94] = E(xchg_Zv_eAX, "xchg Zv,eAX", 0, 0, 4),
    [0x95] = E(xchg_Zv_eAX, "xchg Zv,eAX", 0, 0, 5),
    [0x96] = E(xchg_Zv_eAX, "xchg Zv,eAX", 0, 0, 6),
    [0x97] = E(xchg_Zv_eAX, "xchg Zv,eAX", 0, 0, 7),
    [0x98] = E(cbw, "cbw", 0, 0, 0), [0x99] = E(cwd, "cwd", 0, 0, 0),
    [0x9a] = E(call_Ap, "call Ap", 0, I_AP, 0),
    [0x9b] = E(wait_fwait, "wait", 0, 0, 0),
    [0x9c] = E(pushf, "pushf", 0, 0, 0), [0x9d] = E(popf, "popf", 0, 0, 0),
    [0x9e] = E(sahf, "sahf", 0, 0, 0), [0x9f] = E(lahf, "lahf", 0, 0, 0),
    [0xa0] = E(mov_AL_Ob, "mov AL,Ob", 0, I_O, 0),
    [0xa1] = E(mov_eAX_Ov, "mov eAX,Ov", 0, I_O, 0),
    [0xa2] = E(mov_Ob_AL, "mov Ob,AL", 0, I_O, 0),
    [0xa3] = E(mov_Ov_eAX, "mov Ov,eAX", 0, I_O, 0),
    [0xa4] = E(movs, "movsb", 0, 0, 1), [0xa5] = E(movs, "movsv", 0, 0, 0),
    [0xa6] = E(cmps, "cmpsb", 0, 0, 1), [0xa7] = E(cmps, "cmpsv", 0, 0, 0),
    [0xa8] = E(test_AL_Ib, "test AL,Ib", 0, I_B, 0),
    [0xa9] = E(test_eAX_Iz, "test eAX,Iz", 0, I_V, 0),
    [0xaa] = E(stos, "stosb", 0, 0, 1), [0xab] = E(stos, "stosv", 0, 0, 0),
    [0xac] = E(lods, "lodsb", 0, 0, 1), [0xad] = E(lods, "lodsv", 0, 0, 0),
    [0xae] = E(scas, "scasb", 0, 0, 1), [0xaf] = E(scas, "scasv", 0, 0, 0),
    R8(0xb0, mov_Zb_Ib, "mov Zb,Ib", I_B),
    R8(0xb8, mov_Zv_Iv, "mov Zv,Iv", I_V),
    [0xc0] = G("grp2 Eb,Ib", 0, 0, grp2_Eb_Ib),
    [0xc1] = G("grp2 Ev,Ib", 0, 0, grp2_Ev_Ib),
    [0xc2] = E(ret_near_Iw, "ret Iw", 0, I_W, 0),
    [0xc3] = E(ret_near, "ret", 0, 0, 0),
    [0xc4] = E(les_lds, "les Gz,Mp", M | X_MEMONLY, 0, R_ES),
    [0xc5] = E(les_lds, "lds Gz,Mp", M | X_MEMONLY, 0, R_DS),
    [0xc6] = G("grp11 Eb,Ib", 0, 0, grp11_Eb),
    [0xc7] = G("grp11 Ev,Iz", 0, 0, grp11_Ev),
    [0xc8] = E(enter, "enter Iw,Ib", 0, I_WB, 0),
    [0xc9] = E(leave, "leave", 0, 0, 0),
    [0xca] = E(ret_far_Iw, "retf Iw", 0, I_W, 0),
    [0xcb] = E(ret_far, "retf", 0, 0, 0),
    [0xcc] = E(int3, "int3", 0, 0, 3),
    [0xcd] = E(int_Ib, "int Ib", 0, I_B, 0),
    [0xce] = E(into, "into", 0, 0, 0),
    [0xcf] = E(iret, "iret", 0, 0, 0),
    [0xd0] = G("grp2 Eb,1", 0, 0, grp2_Eb_1),
    [0xd1] = G("grp2 Ev,1", 0, 0, grp2_Ev_1),
    [0xd2] = G("grp2 Eb,CL", 0, 0, grp2_Eb_CL),
    [0xd3] = G("grp2 Ev,CL", 0, 0, grp2_Ev_CL),
    [0xd4] = E(aam, "aam Ib", 0, I_B, 0),
    [0xd5] = E(aad, "aad Ib", 0, I_B, 0),
    [0xd6] = E(salc, "salc", 0, 0, 0),
    [0xd7] = E(xlat, "xlat", 0, 0, 0),
    [0xd8] = E(esc_fpu, "esc 0", M, 0, 0), [0xd9] = E(esc_fpu, "esc 1", M, 0, 1),
    [0xda] = E(esc_fpu, "esc 2", M, 0, 2), [0xdb] = E(esc_fpu, "esc 3", M, 0, 3),
    [0xdc] = E(esc_fpu, "esc 4", M, 0, 4), [0xdd] = E(esc_fpu, "esc 5", M, 0, 5),
    [0xde] = E(esc_fpu, "esc 6", M, 0, 6), [0xdf] = E(esc_fpu, "esc 7", M, 0, 7),
    [0xe0] = E(loop_Jb, "loopnz Jb", 0, I_BS, 0),
    [0xe1] = E(loop_Jb, "loopz Jb", 0, I_BS, 1),
    [0xe2] = E(loop_Jb, "loop Jb", 0, I_BS, 2),
    [0xe3] = E(jcxz_Jb, "jcxz Jb", 0, I_BS, 0),
    [0xe4] = E(in_AL_Ib, "in AL,Ib", 0, I_B, 0),
    [0xe5] = E(in_eAX_Ib, "in eAX,Ib", 0, I_B, 0),
    [0xe6] = E(out_Ib_AL, "out Ib,AL", 0, I_B, 0),
    [0xe7] = E(out_Ib_eAX, "out Ib,eAX", 0, I_B, 0),
    [0xe8] = E(call_Jz, "call Jz", 0, I_V, 0),
    [0xe9] = E(jmp_Jz, "jmp Jz", 0, I_V, 0),
    [0xea] = E(jmp_Ap, "jmp Ap", 0, I_AP, 0),
    [0xeb] = E(jmp_Jb, "jmp Jb", 0, I_BS, 0),
    [0xec] = E(in_AL_DX, "in AL,DX", 0, 0, 0),
    [0xed] = E(in_eAX_DX, "in eAX,DX", 0, 0, 0),
    [0xee] = E(out_DX_AL, "out DX,AL", 0, 0, 0),
    [0xef] = E(out_DX_eAX, "out DX,eAX", 0, 0, 0),
    [0xf0] = PFX,
    [0xf1] = E(int3, "int1", 0, 0, 1),
    [0xf2] = PFX, [0xf3] = PFX,
    [0xf4] = E(hlt, "hlt", 0, 0, 0),
    [0xf5] = E(flagop, "cmc", 0, 0, 0),
    [0xf6] = G("grp3 Eb", 0, 0, grp3_Eb),
    [0xf7] = G("grp3 Ev", 0, 0, grp3_Ev),
    [0xf8] = E(flagop, "clc", 0, 0, 1), [0xf9] = E(flagop, "stc", 0, 0, 2),
    [0xfa] = E(flagop, "cli", 0, 0, 3), [0xfb] = E(flagop, "sti", 0, 0, 4),
    [0xfc] = E(flagop, "cld", 0, 0, 5), [0xfd] = E(flagop, "std", 0, 0, 6),
    [0xfe] = G("grp4", 0, 0, grp4),
    [0xff] = G("grp5", 0, 0, grp5),
};

/* Packed-integer cells: MMX form without a prefix, XMM form with 66. */
#define PI(c, n, op) \
    [c] = P4(n, E(mmx_Pq_Qq, n " Pq,Qq", M, 0, op), \
             E(sse_Vx_Wx, n " Vx,Wx", M, 0, op), UD_, UD_)
#define PI66(c, n, op) \
    [c] = P4(n, UD_, E(sse_Vx_Wx, n " Vx,Wx", M, 0, op), UD_, UD_)
/* Floating-point arithmetic: ps, pd (66), ss (F3), sd (F2). */
#define FP4(c, n, op) \
    [c] = P4(n, E(fp_Vps_Wps, n "ps Vps,Wps", M, 0, op), \
             E(fp_Vpd_Wpd, n "pd Vpd,Wpd", M, 0, op), \
             E(fp_Vss_Wss, n "ss Vss,Wss", M, 0, op), \
             E(fp_Vsd_Wsd, n "sd Vsd,Wsd", M, 0, op))
#define FP2(c, n, op) \
    [c] = P4(n, E(fp_Vps_Wps, n "ps Vps,Wps", M, 0, op), UD_, \
             E(fp_Vss_Wss, n "ss Vss,Wss", M, 0, op), UD_)
/* Bitwise ps/pd forms are the integer operations on 128 bits. */
#define LOGIC(c, n, op) \
    [c] = P4(n, E(sse_Vx_Wx, n "ps Vps,Wps", M, 0, op), \
             E(sse_Vx_Wx, n "pd Vpd,Wpd", M, 0, op), UD_, UD_)
#define CVT(n, op) E(cvt_Vx_Wx, n, M, 0, op)

#define CMOV(c) [0x40 + c] = E(cmovcc_Gv_Ev, "cmovcc Gv,Ev", M, 0, c)
#define SETCC(c) [0x90 + c] = E(setcc_Eb, "setcc Eb", M, 0, c)

const X86OpEntry x86_map2[256] = {
    [0x00] = G("grp6", 0, 0, grp6_t),
    [0x01] = G("grp7", 0, 0, grp7_t),
    [0x02] = E(lar_Gv_Ew, "lar Gv,Ew", M, 0, 0),
    [0x03] = E(lsl_Gv_Ew, "lsl Gv,Ew", M, 0, 0),
    [0x06] = E(clts, "clts", 0, 0, 0),
    [0x08] = E(invd, "invd", 0, 0, 0),
    [0x09] = E(wbinvd, "wbinvd", 0, 0, 0),
    [0x0b] = E(ud2, "ud2", 0, 0, 0),
    [0x10] = P4("movups", E(movdq_Vx_Wx, "movups Vps,Wps", M, 0, 0),
                E(movdq_Vx_Wx, "movupd Vpd,Wpd", M, 0, 0),
                E(movss_Vx_Wx, "movss Vx,Wss", M, 0, 4),
                E(movss_Vx_Wx, "movsd Vx,Wsd", M, 0, 8)),
    [0x11] = P4("movups", E(movdq_Wx_Vx, "movups Wps,Vps", M, 0, 0),
                E(movdq_Wx_Vx, "movupd Wpd,Vpd", M, 0, 0),
                E(movss_Wx_Vx, "movss Wss,Vss", M, 0, 4),
                E(movss_Wx_Vx, "movsd Wsd,Vsd", M, 0, 8)),
    [0x12] = P4("movlps", E(movlps_Vq_Mq, "movlps Vq,Mq / movhlps", M, 0, 0),
                E(movlps_Vq_Mq, "movlpd Vq,Mq", M, 0, 1), UD_, UD_),
    [0x13] = P4("movlps", E(movlps_Mq_Vq, "movlps Mq,Vq", M, 0, 0),
                E(movlps_Mq_Vq, "movlpd Mq,Vq", M, 0, 1), UD_, UD_),
    [0x14] = P4("unpcklps", E(sse_Vx_Wx, "unpcklps Vx,Wx", M, 0, PUNPCKLDQ),
                E(sse_Vx_Wx, "unpcklpd Vx,Wx", M, 0, PUNPCKLQDQ), UD_, UD_),
    [0x15] = P4("unpckhps", E(sse_Vx_Wx, "unpckhps Vx,Wx", M, 0, PUNPCKHDQ),
                E(sse_Vx_Wx, "unpckhpd Vx,Wx", M, 0, PUNPCKHQDQ), UD_, UD_),
    [0x16] = P4("movhps", E(movhps_Vq_Mq, "movhps Vq,Mq / movlhps", M, 0, 0),
                E(movhps_Vq_Mq, "movhpd Vq,Mq", M, 0, 1), UD_, UD_),
    [0x17] = P4("movhps", E(movhps_Mq_Vq, "movhps Mq,Vq", M, 0, 0),
                E(movhps_Mq_Vq, "movhpd Mq,Vq", M, 0, 1), UD_, UD_),
    [0x18] = G("grp16", 0, 0, grp16),
    [0x1f] = E(nop_Ev, "nop Ev", M, 0, 0),
    [0x20] = E(mov_Rd_Cd, "mov Rd,Cd", M, 0, 0),
    [0x21] = E(mov_Rd_Dd, "mov Rd,Dd", M, 0, 0),
    [0x22] = E(mov_Cd_Rd, "mov Cd,Rd", M, 0, 0),
    [0x23] = E(mov_Dd_Rd, "mov Dd,Rd", M, 0, 0),
    [0x28] = P4("movaps", E(movdq_Vx_Wx, "movaps Vps,Wps", M, 0, 1),
                E(movdq_Vx_Wx, "movapd Vpd,Wpd", M, 0, 1), UD_, UD_),
    [0x29] = P4("movaps", E(movdq_Wx_Vx, "movaps Wps,Vps", M, 0, 1),
                E(movdq_Wx_Vx, "movapd Wpd,Vpd", M, 0, 1), UD_, UD_),
    [0x2a] = P4("cvtpi2ps", E(cvtpi_Vx_Qq, "cvtpi2ps Vps,Qpi", M, 0, 0),
                E(cvtpi_Vx_Qq, "cvtpi2pd Vpd,Qpi", M, 0, 1),
                E(cvtsi_Vx_Ed, "cvtsi2ss Vss,Ed", M, 0, 0),
                E(cvtsi_Vx_Ed, "cvtsi2sd Vsd,Ed", M, 0, 1)),
    [0x2b] = P4("movntps",
                E(movdq_Wx_Vx, "movntps Mps,Vps", M | X_MEMONLY, 0, 1),
                E(movdq_Wx_Vx, "movntpd Mpd,Vpd", M | X_MEMONLY, 0, 1),
                UD_, UD_),
    [0x2c] = P4("cvttps2pi", E(cvt_Pq_Wx, "cvttps2pi Ppi,Wps", M, 0, 1),
                E(cvt_Pq_Wx, "cvttpd2pi Ppi,Wpd", M, 0, 3),
                E(cvt_Gd_Wx, "cvttss2si Gd,Wss", M, 0, 1),
                E(cvt_Gd_Wx, "cvttsd2si Gd,Wsd", M, 0, 3)),
    [0x2d] = P4("cvtps2pi", E(cvt_Pq_Wx, "cvtps2pi Ppi,Wps", M, 0, 0),
                E(cvt_Pq_Wx, "cvtpd2pi Ppi,Wpd", M, 0, 2),
                E(cvt_Gd_Wx, "cvtss2si Gd,Wss", M, 0, 0),
                E(cvt_Gd_Wx, "cvtsd2si Gd,Wsd", M, 0, 2)),
    [0x2e] = P4("ucomiss", E(comis, "ucomiss Vss,Wss", M, 0, 0),
                E(comis, "ucomisd Vsd,Wsd", M, 0, 2), UD_, UD_),
    [0x2f] = P4("comiss", E(comis, "comiss Vss,Wss", M, 0, 1),
                E(comis, "comisd Vsd,Wsd", M, 0, 3), UD_, UD_),
    [0x30] = E(wrmsr, "wrmsr", 0, 0, 0),
    [0x31] = E(rdtsc, "rdtsc", 0, 0, 0),
    [0x32] = E(rdmsr, "rdmsr", 0, 0, 0),
    [0x33] = E(rdpmc, "rdpmc", 0, 0, 0),
    [0x34] = E(sysenter, "sysenter", 0, 0, 0),
    [0x35] = E(sysexit, "sysexit", 0, 0, 0),
    CMOV(0), CMOV(1), CMOV(2), CMOV(3), CMOV(4), CMOV(5), CMOV(6), CMOV(7),
    CMOV(8), CMOV(9), CMOV(10), CMOV(11), CMOV(12), CMOV(13), CMOV(14),
    CMOV(15),
    [0x50] = P4("movmskps", E(movmsk_Gd_Ux, "movmskps Gd,Ups", M, 0, 0),
                E(movmsk_Gd_Ux, "movmskpd Gd,Upd", M, 0, 1), UD_, UD_),
    FP4(0x51, "sqrt", FP_SQRT),
    FP2(0x52, "rsqrt", FP_RSQRT),
    FP2(0x53, "rcp", FP_RCP),
    LOGIC(0x54, "and", PAND),
    LOGIC(0x55, "andn", PANDN),
    LOGIC(0x56, "or", POR),
    LOGIC(0x57, "xor", PXOR),
    FP4(0x58, "add", FP_ADD),
    FP4(0x59, "mul", FP_MUL),
    [0x5a] = P4("cvtps2pd", CVT("cvtps2pd Vpd,Wps", CVT_PS2PD),
                CVT("cvtpd2ps Vps,Wpd", CVT_PD2PS),
                CVT("cvtss2sd Vsd,Wss", CVT_SS2SD),
                CVT("cvtsd2ss Vss,Wsd", CVT_SD2SS)),
    [0x5b] = P4("cvtdq2ps", CVT("cvtdq2ps Vps,Wdq", CVT_DQ2PS),
                CVT("cvtps2dq Vdq,Wps", CVT_PS2DQ),
                CVT("cvttps2dq Vdq,Wps", CVT_TPS2DQ), UD_),
    FP4(0x5c, "sub", FP_SUB),
    FP4(0x5d, "min", FP_MIN),
    FP4(0x5e, "div", FP_DIV),
    FP4(0x5f, "max", FP_MAX),
    PI(0x60, "punpcklbw", PUNPCKLBW),
    PI(0x61, "punpcklwd", PUNPCKLWD),
    PI(0x62, "punpckldq", PUNPCKLDQ),
    PI(0x63, "packsswb", PACKSSWB),
    PI(0x64, "pcmpgtb", PCMPGTB),
    PI(0x65, "pcmpgtw", PCMPGTW),
    PI(0x66, "pcmpgtd", PCMPGTD),
    PI(0x67, "packuswb", PACKUSWB),
    PI(0x68, "punpckhbw", PUNPCKHBW),
    PI(0x69, "punpckhwd", PUNPCKHWD),
    PI(0x6a, "punpckhdq", PUNPCKHDQ),
    PI(0x6b, "packssdw", PACKSSDW),
    PI66(0x6c, "punpcklqdq", PUNPCKLQDQ),
    PI66(0x6d, "punpckhqdq", PUNPCKHQDQ),
    [0x6e] = P4("movd", E(movd_Pd_Ed, "movd Pd,Ed", M, 0, 0),
                E(movd_Vd_Ed, "movd Vd,Ed", M, 0, 0), UD_, UD_),
    [0x6f] = P4("movq", E(movq_Pq_Qq, "movq Pq,Qq", M, 0, 0),
                E(movdq_Vx_Wx, "movdqa Vx,Wx", M, 0, 1),
                E(movdq_Vx_Wx, "movdqu Vx,Wx", M, 0, 0), UD_),
    [0x70] = P4("pshufw", E(pshufw, "pshufw Pq,Qq,Ib", M, I_B, 0),
                E(pshufd, "pshufd Vx,Wx,Ib", M, I_B, 0),
                E(pshufd, "pshufhw Vx,Wx,Ib", M, I_B, 1),
                E(pshufd, "pshuflw Vx,Wx,Ib", M, I_B, 2)),
    [0x71] = P4("grp12", G("grp12 Nq,Ib", 0, 0, grp12_N),
                G("grp12 Ux,Ib", 0, 0, grp12_U), UD_, UD_),
    [0x72] = P4("grp13", G("grp13 Nq,Ib", 0, 0, grp13_N),
                G("grp13 Ux,Ib", 0, 0, grp13_U), UD_, UD_),
    [0x73] = P4("grp14", G("grp14 Nq,Ib", 0, 0, grp14_N),
                G("grp14 Ux,Ib", 0, 0, grp14_U), UD_, UD_),
    PI(0x74, "pcmpeqb", PCMPEQB),
    PI(0x75, "pcmpeqw", PCMPEQW),
    PI(0x76, "pcmpeqd", PCMPEQD),
    [0x77] = P4("emms", E(emms, "emms", 0, 0, 0), UD_, UD_, UD_),
    [0x7e] = P4("movd", E(movd_Ed_Pd, "movd Ed,Pd", M, 0, 0),
                E(movd_Ed_Vd, "movd Ed,Vd", M, 0, 0),
                E(movq_Vq_Wq, "movq Vq,Wq", M, 0, 0), UD_),
    [0x7f] = P4("movq", E(movq_Qq_Pq, "movq Qq,Pq", M, 0, 0),
                E(movdq_Wx_Vx, "movdqa Wx,Vx", M, 0, 1),
                E(movdq_Wx_Vx, "movdqu Wx,Vx", M, 0, 0), UD_),
    C16(0x80, jcc_Jz, "jcc Jz", 0, I_V),
    SETCC(0), SETCC(1), SETCC(2), SETCC(3), SETCC(4), SETCC(5), SETCC(6),
    SETCC(7), SETCC(8), SETCC(9), SETCC(10), SETCC(11), SETCC(12),
    SETCC(13), SETCC(14), SETCC(15),
    [0xa0] = E(push_Sw, "push FS", 0, 0, R_FS),
    [0xa1] = E(pop_Sw, "pop FS", 0, 0, R_FS),
    [0xa2] = E(cpuid, "cpuid", 0, 0, 0),
    [0xa3] = E(bt_Ev_Gv, "bt Ev,Gv", M, 0, 0),
    [0xa4] = E(shld_Ev_Gv, "shld Ev,Gv,Ib", M, I_B, 0),
    [0xa5] = E(shld_Ev_Gv, "shld Ev,Gv,CL", M, 0, 1),
    [0xa8] = E(push_Sw, "push GS", 0, 0, R_GS),
    [0xa9] = E(pop_Sw, "pop GS", 0, 0, R_GS),
    [0xab] = E(bt_Ev_Gv, "bts Ev,Gv", M | L, 0, 1),
    [0xac] = E(shrd_Ev_Gv, "shrd Ev,Gv,Ib", M, I_B, 0),
    [0xad] = E(shrd_Ev_Gv, "shrd Ev,Gv,CL", M, 0, 1),
    [0xae] = G("grp15", 0, 0, grp15_t),
    [0xaf] = E(imul_Gv_Ev, "imul Gv,Ev", M, 0, 0),
    [0xb0] = E(cmpxchg_E_G, "cmpxchg Eb,Gb", M | L, 0, 1),
    [0xb1] = E(cmpxchg_E_G, "cmpxchg Ev,Gv", M | L, 0, 0),
    [0xb2] = E(les_lds, "lss Gz,Mp", M | X_MEMONLY, 0, R_SS),
    [0xb3] = E(bt_Ev_Gv, "btr Ev,Gv", M | L, 0, 2),
    [0xb4] = E(les_lds, "lfs Gz,Mp", M | X_MEMONLY, 0, R_FS),
    [0xb5] = E(les_lds, "lgs Gz,Mp", M | X_MEMONLY, 0, R_GS),
    [0xb6] = E(movzx_Gv_E, "movzx Gv,Eb", M, 0, 1),
    [0xb7] = E(movzx_Gv_E, "movzx Gv,Ew", M, 0, 2),
    [0xba] = G("grp8", 0, 0, grp8),
    [0xbb] = E(bt_Ev_Gv, "btc Ev,Gv", M | L, 0, 3),
    [0xbc] = E(bsf_Gv_Ev, "bsf Gv,Ev", M, 0, 0),
    [0xbd] = E(bsr_Gv_Ev, "bsr Gv,Ev", M, 0, 0),
    [0xbe] = E(movsx_Gv_E, "movsx Gv,Eb", M, 0, 1),
    [0xbf] = E(movsx_Gv_E, "movsx Gv,Ew", M, 0, 2),
    [0xc0] = E(xadd_E_G, "xadd Eb,Gb", M | L, 0, 1),
    [0xc1] = E(xadd_E_G, "xadd Ev,Gv", M | L, 0, 0),
    [0xc2] = P4("cmpps", E(cmp_Vx_Wx_Ib, "cmpps Vps,Wps,Ib", M, I_B, 0),
                E(cmp_Vx_Wx_Ib, "cmppd Vpd,Wpd,Ib", M, I_B, 2),
                E(cmp_Vx_Wx_Ib, "cmpss Vss,Wss,Ib", M, I_B, 1),
                E(cmp_Vx_Wx_Ib, "cmpsd Vsd,Wsd,Ib", M, I_B, 3)),
    [0xc3] = P4("movnti", E(movnti, "movnti My,Gy", M | X_MEMONLY, 0, 0),
                UD_, UD_, UD_),
    [0xc4] = P4("pinsrw", E(pinsrw_Pq, "pinsrw Pq,Ew,Ib", M, I_B, 0),
                E(pinsrw_Vx, "pinsrw Vx,Ew,Ib", M, I_B, 0), UD_, UD_),
    [0xc5] = P4("pextrw", E(pextrw_Gd_Nq, "pextrw Gd,Nq,Ib", M, I_B, 0),
                E(pextrw_Gd_Ux, "pextrw Gd,Ux,Ib", M, I_B, 0), UD_, UD_),
    [0xc6] = P4("shufps", E(shuf_Vx_Wx_Ib, "shufps Vps,Wps,Ib", M, I_B, 0),
                E(shuf_Vx_Wx_Ib, "shufpd Vpd,Wpd,Ib", M, I_B, 1),
                UD_, UD_),
    [0xc7] = G("grp9", 0, 0, grp9),
    R8(0xc8, bswap_Zd, "bswap Zd", 0),
    PI(0xd1, "psrlw", PSRLW),
    PI(0xd2, "psrld", PSRLD),
    PI(0xd3, "psrlq", PSRLQ),
    PI(0xd4, "paddq", PADDQ),
    PI(0xd5, "pmullw", PMULLW),
    [0xd6] = P4("movq", UD_, E(movq_Wq_Vq, "movq Wq,Vq", M, 0, 0),
                E(movq2dq, "movq2dq Vdq,Nq", M, 0, 0),
                E(movdq2q, "movdq2q Pq,Uq", M, 0, 0)),
    [0xd7] = P4("pmovmskb", E(pmovmskb_Gd_Nq, "pmovmskb Gd,Nq", M, 0, 0),
                E(pmovmskb_Gd_Ux, "pmovmskb Gd,Ux", M, 0, 0), UD_, UD_),
    PI(0xd8, "psubusb", PSUBUSB),
    PI(0xd9, "psubusw", PSUBUSW),
    PI(0xda, "pminub", PMINUB),
    PI(0xdb, "pand", PAND),
    PI(0xdc, "paddusb", PADDUSB),
    PI(0xdd, "paddusw", PADDUSW),
    PI(0xde, "pmaxub", PMAXUB),
    PI(0xdf, "pandn", PANDN),
    PI(0xe0, "pavgb", PAVGB),
    PI(0xe1, "psraw", PSRAW),
    PI(0xe2, "psrad", PSRAD),
    PI(0xe3, "pavgw", PAVGW),
    PI(0xe4, "pmulhuw", PMULHUW),
    PI(0xe5, "pmulhw", PMULHW),
    [0xe6] = P4("cvtpd2dq", UD_, CVT("cvttpd2dq Vx,Wpd", CVT_TPD2DQ),
                CVT("cvtdq2pd Vx,Wq", CVT_DQ2PD),
                CVT("cvtpd2dq Vx,Wpd", CVT_PD2DQ)),
    [0xe7] = P4("movntq", E(movntq, "movntq Mq,Pq", M | X_MEMONLY, 0, 0),
                E(movdq_Wx_Vx, "movntdq Mx,Vx", M | X_MEMONLY, 0, 1),
                UD_, UD_),
    PI(0xe8, "psubsb", PSUBSB),
    PI(0xe9, "psubsw", PSUBSW),
    PI(0xea, "pminsw", PMINSW),
    PI(0xeb, "por", POR),
    PI(0xec, "paddsb", PADDSB),
    PI(0xed, "paddsw", PADDSW),
    PI(0xee, "pmaxsw", PMAXSW),
    PI(0xef, "pxor", PXOR),
    PI(0xf1, "psllw", PSLLW),
    PI(0xf2, "pslld", PSLLD),
    PI(0xf3, "psllq", PSLLQ),
    PI(0xf4, "pmuludq", PMULUDQ),
    PI(0xf5, "pmaddwd", PMADDWD),
    PI(0xf6, "psadbw", PSADBW),
    [0xf7] = P4("maskmovq", E(maskmovq, "maskmovq Pq,Nq", M, 0, 0),
                E(maskmovdqu, "maskmovdqu Vdq,Udq", M, 0, 0), UD_, UD_),
    PI(0xf8, "psubb", PSUBB),
    PI(0xf9, "psubw", PSUBW),
    PI(0xfa, "psubd", PSUBD),
    PI(0xfb, "psubq", PSUBQ),
    PI(0xfc, "paddb", PADDB),
    PI(0xfd, "paddw", PADDW),
    PI(0xfe, "paddd", PADDD),
};

typedef struct Fetcher {
    X86CPU *cpu;            /* NULL: from buf */
    uint32_t eip;
    const uint8_t *buf;
    unsigned n;
    bool overrun;
} Fetcher;

static uint8_t fetch(Fetcher *f, unsigned pos)
{
    if (pos >= 15) {
        if (f->cpu) {
            x86_gp(f->cpu, 0);
        }
        f->overrun = true;
        return 0;
    }
    if (f->buf && pos < f->n) {
        return f->buf[pos];
    }
    if (f->cpu) {
        uint32_t eip = f->eip + pos;
        if (!(f->cpu->segs[R_CS].flags & DESC_B_MASK)) {
            eip &= 0xffff;
        }
        return x86_fetch8(f->cpu, eip);
    }
    if (pos >= f->n) {
        f->overrun = true;
        return 0;
    }
    return f->buf[pos];
}

static uint32_t fetch_n(Fetcher *f, unsigned *pos, unsigned size)
{
    uint32_t v = 0;
    unsigned k;

    for (k = 0; k < size; k++) {
        v |= (uint32_t)fetch(f, (*pos)++) << (k * 8);
    }
    return v;
}

static const int8_t ea16_base[8] = { R_EBX, R_EBX, R_EBP, R_EBP,
                                     -1, -1, R_EBP, R_EBX };
static const int8_t ea16_index[8] = { R_ESI, R_EDI, R_ESI, R_EDI,
                                      R_ESI, R_EDI, -1, -1 };

static void decode_core(Fetcher *f, bool code32, X86Insn *i)
{
    unsigned pos = 0;
    uint8_t b;
    const X86OpEntry *e;
    bool opsz = false, adsz = false;

    memset(i, 0, sizeof(*i));
    i->seg = R_DS;
    i->base = i->index = -1;
    for (;;) {
        b = fetch(f, pos++);
        switch (b) {
        case 0x26: i->seg = R_ES; i->seg_override = true; continue;
        case 0x2e: i->seg = R_CS; i->seg_override = true; continue;
        case 0x36: i->seg = R_SS; i->seg_override = true; continue;
        case 0x3e: i->seg = R_DS; i->seg_override = true; continue;
        case 0x64: i->seg = R_FS; i->seg_override = true; continue;
        case 0x65: i->seg = R_GS; i->seg_override = true; continue;
        case 0x66: opsz = true; continue;
        case 0x67: adsz = true; continue;
        case 0xf0: i->lock = true; continue;
        case 0xf2: case 0xf3: i->rep = b; continue;
        }
        if (f->overrun) {
            return;
        }
        break;
    }
    i->opsize = (code32 ^ opsz) ? 4 : 2;
    i->adsize = (code32 ^ adsz) ? 4 : 2;
    i->opcode = b;
    e = &x86_map1[b];
    if (e->flags & X_TWOBYTE) {
        b = fetch(f, pos++);
        i->opcode = 0x0f00 | b;
        e = &x86_map2[b];
    }
    if (e->flags & X_PFXTAB) {
        /* A mandatory prefix picks the cell: F2/F3 (the last one) over
         * 66; a 66 used this way does not change the operand size. */
        unsigned p = i->rep == 0xf3 ? 2 : i->rep == 0xf2 ? 3 : opsz;
        if (p == 1) {
            i->opsize = code32 ? 4 : 2;
        }
        e = &e->group[p];
    }
    if (e->flags & X_MODRM) {
        uint8_t m = fetch(f, pos++);
        i->modrm = m;
        i->mod = m >> 6;
        i->reg = (m >> 3) & 7;
        i->rm = m & 7;
        if (i->mod != 3) {
            if (i->adsize == 2) {
                if (i->mod == 0 && i->rm == 6) {
                    i->disp = fetch_n(f, &pos, 2);
                } else {
                    i->base = ea16_base[i->rm];
                    i->index = ea16_index[i->rm];
                    if (i->mod == 1) {
                        i->disp = (uint32_t)(int8_t)fetch(f, pos++);
                    } else if (i->mod == 2) {
                        i->disp = fetch_n(f, &pos, 2);
                    }
                }
            } else {
                uint8_t rm = i->rm;
                if (rm == 4) {
                    uint8_t sib = fetch(f, pos++);
                    unsigned idx = (sib >> 3) & 7;
                    i->scale = sib >> 6;
                    i->index = idx == 4 ? -1 : idx;
                    rm = sib & 7;
                    if (rm == 5 && i->mod == 0) {
                        i->disp = fetch_n(f, &pos, 4);
                    } else {
                        i->base = rm;
                    }
                } else if (rm == 5 && i->mod == 0) {
                    i->disp = fetch_n(f, &pos, 4);
                } else {
                    i->base = rm;
                }
                if (i->mod == 1) {
                    i->disp = (uint32_t)(int8_t)fetch(f, pos++);
                } else if (i->mod == 2) {
                    i->disp = fetch_n(f, &pos, 4);
                }
            }
            if (!i->seg_override &&
                (i->base == R_EBP || i->base == R_ESP)) {
                i->seg = R_SS;
            }
        }
        if (e->flags & X_GROUP) {
            e = &e->group[i->reg];
        }
    }
    i->op = e;
    switch (e->imm) {
    case I_B:
        i->imm = fetch(f, pos++);
        break;
    case I_BS:
        i->imm = (uint32_t)(int8_t)fetch(f, pos++);
        break;
    case I_W:
        i->imm = fetch_n(f, &pos, 2);
        break;
    case I_V:
        i->imm = fetch_n(f, &pos, i->opsize);
        break;
    case I_AP:
        i->imm = fetch_n(f, &pos, i->opsize);
        i->imm2 = fetch_n(f, &pos, 2);
        break;
    case I_O:
        i->disp = fetch_n(f, &pos, i->adsize);
        break;
    case I_WB:
        i->imm = fetch_n(f, &pos, 2);
        i->imm2 = fetch(f, pos++);
        break;
    }
    i->len = pos;
}

void x86_decode(X86CPU *cpu, X86Insn *i)
{
    Fetcher f = { .cpu = cpu, .eip = eip32(cpu) };
    SegmentCache *cs = &cpu->segs[R_CS];
    uint32_t lin = (uint32_t)cs->base + f.eip;

    /* Fast path: the 15 bytes an instruction may span are on one RAM
     * page and inside the CS limit without wrapping; read them through
     * one translation. Otherwise fetch byte by byte (faults then come
     * from the byte that crosses). */
    if ((lin & 0xfff) <= 0x1000 - 15 && f.eip <= cs->limit &&
        cs->limit - f.eip >= 14 &&
        ((cs->flags & DESC_B_MASK) || f.eip <= 0xffff - 14)) {
        f.buf = x86_code_ptr(cpu, lin);
        f.n = f.buf ? 15 : 0;
    }

    decode_core(&f, cpu->segs[R_CS].flags & DESC_B_MASK, i);
}

int x86_decode_bytes(const uint8_t *buf, unsigned n, bool code32,
                     X86Insn *i)
{
    Fetcher f = { .buf = buf, .n = n };

    decode_core(&f, code32, i);
    return f.overrun ? 0 : i->len;
}
