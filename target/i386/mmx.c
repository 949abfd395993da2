/*
 * MMX and the packed-integer half of SSE/SSE2 (SDM 1 chapter 9 "MMX
 * Technology", chapters 10-11 for the SSE additions; SDM 2 for each
 * instruction). Every operation is written once over n bytes: n = 8 on
 * MMX registers (no prefix), n = 16 on XMM registers (the 66 prefix,
 * SSE2), which is how SSE2 defines its 128-bit forms.
 *
 * An MMX instruction sets x87 TOP to 0 and every tag to valid; EMMS
 * empties every tag; a write to MMi sets Ri's sign and exponent to all
 * ones (SDM 1, "MMX Instructions and the x87 FPU Tag Word"). The checks
 * before that (CR0.EM, CR0.TS, a pending x87 exception) are in sse.c's
 * simd_mmx_enter.
 */
#include "target/i386/simd.h"

static inline int sat_s8(int v)
{
    return v < -128 ? -128 : v > 127 ? 127 : v;
}

static inline int sat_u8(int v)
{
    return v < 0 ? 0 : v > 255 ? 255 : v;
}

static inline int sat_s16(int v)
{
    return v < -32768 ? -32768 : v > 32767 ? 32767 : v;
}

static inline int sat_u16(int v)
{
    return v < 0 ? 0 : v > 65535 ? 65535 : v;
}

/* ---- element-wise operations ---- */

#define ELEMWISE(name, field, count_div, expr) \
    static void name(Vec *d, const Vec *s, unsigned n) \
    { \
        unsigned k; \
        for (k = 0; k < n / (count_div); k++) { \
            d->field[k] = (expr); \
        } \
    }

ELEMWISE(op_paddb, b, 1, d->b[k] + s->b[k])
ELEMWISE(op_paddw, w, 2, d->w[k] + s->w[k])
ELEMWISE(op_paddd, d, 4, d->d[k] + s->d[k])
ELEMWISE(op_paddq, q, 8, d->q[k] + s->q[k])
ELEMWISE(op_psubb, b, 1, d->b[k] - s->b[k])
ELEMWISE(op_psubw, w, 2, d->w[k] - s->w[k])
ELEMWISE(op_psubd, d, 4, d->d[k] - s->d[k])
ELEMWISE(op_psubq, q, 8, d->q[k] - s->q[k])
ELEMWISE(op_paddsb, sb, 1, sat_s8(d->sb[k] + s->sb[k]))
ELEMWISE(op_paddsw, sw, 2, sat_s16(d->sw[k] + s->sw[k]))
ELEMWISE(op_paddusb, b, 1, sat_u8(d->b[k] + s->b[k]))
ELEMWISE(op_paddusw, w, 2, sat_u16(d->w[k] + s->w[k]))
ELEMWISE(op_psubsb, sb, 1, sat_s8(d->sb[k] - s->sb[k]))
ELEMWISE(op_psubsw, sw, 2, sat_s16(d->sw[k] - s->sw[k]))
ELEMWISE(op_psubusb, b, 1, sat_u8(d->b[k] - s->b[k]))
ELEMWISE(op_psubusw, w, 2, sat_u16(d->w[k] - s->w[k]))
ELEMWISE(op_pcmpeqb, b, 1, d->b[k] == s->b[k] ? 0xff : 0)
ELEMWISE(op_pcmpeqw, w, 2, d->w[k] == s->w[k] ? 0xffff : 0)
ELEMWISE(op_pcmpeqd, d, 4, d->d[k] == s->d[k] ? 0xffffffffu : 0)
ELEMWISE(op_pcmpgtb, b, 1, d->sb[k] > s->sb[k] ? 0xff : 0)
ELEMWISE(op_pcmpgtw, w, 2, d->sw[k] > s->sw[k] ? 0xffff : 0)
ELEMWISE(op_pcmpgtd, d, 4, d->sd[k] > s->sd[k] ? 0xffffffffu : 0)
ELEMWISE(op_pmullw, w, 2, (uint16_t)(d->sw[k] * s->sw[k]))
ELEMWISE(op_pmulhw, w, 2, (uint16_t)((d->sw[k] * s->sw[k]) >> 16))
ELEMWISE(op_pmulhuw, w, 2,
         (uint16_t)(((uint32_t)d->w[k] * s->w[k]) >> 16))
ELEMWISE(op_pand, q, 8, d->q[k] & s->q[k])
ELEMWISE(op_pandn, q, 8, ~d->q[k] & s->q[k])
ELEMWISE(op_por, q, 8, d->q[k] | s->q[k])
ELEMWISE(op_pxor, q, 8, d->q[k] ^ s->q[k])
ELEMWISE(op_pavgb, b, 1, (d->b[k] + s->b[k] + 1) >> 1)
ELEMWISE(op_pavgw, w, 2, (d->w[k] + s->w[k] + 1) >> 1)
ELEMWISE(op_pminub, b, 1, d->b[k] < s->b[k] ? d->b[k] : s->b[k])
ELEMWISE(op_pmaxub, b, 1, d->b[k] > s->b[k] ? d->b[k] : s->b[k])
ELEMWISE(op_pminsw, sw, 2, d->sw[k] < s->sw[k] ? d->sw[k] : s->sw[k])
ELEMWISE(op_pmaxsw, sw, 2, d->sw[k] > s->sw[k] ? d->sw[k] : s->sw[k])
/* The products' sum wraps: 8000h * 8000h twice is 80000000h. */
ELEMWISE(op_pmaddwd, d, 4,
         (uint32_t)((int64_t)d->sw[2 * k] * s->sw[2 * k] +
                    (int64_t)d->sw[2 * k + 1] * s->sw[2 * k + 1]))
ELEMWISE(op_pmuludq, q, 8, (uint64_t)d->d[2 * k] * s->d[2 * k])

/* Shifts by the source's whole low quadword: counts past the element
 * width clear it (logical) or fill it with the sign (arithmetic). */
static uint64_t shift_count(const Vec *s)
{
    return s->q[0];
}

#define SHIFT(name, field, bits, expr_in, expr_out) \
    static void name(Vec *d, const Vec *s, unsigned n) \
    { \
        uint64_t c = shift_count(s); \
        unsigned k; \
        for (k = 0; k < n * 8 / (bits); k++) { \
            d->field[k] = c >= (bits) ? (expr_out) : (expr_in); \
        } \
    }

SHIFT(op_psllw, w, 16, d->w[k] << c, 0)
SHIFT(op_pslld, d, 32, d->d[k] << c, 0)
SHIFT(op_psllq, q, 64, d->q[k] << c, 0)
SHIFT(op_psrlw, w, 16, d->w[k] >> c, 0)
SHIFT(op_psrld, d, 32, d->d[k] >> c, 0)
SHIFT(op_psrlq, q, 64, d->q[k] >> c, 0)
SHIFT(op_psraw, sw, 16, d->sw[k] >> c, d->sw[k] >> 15)
SHIFT(op_psrad, sd, 32, d->sd[k] >> c, d->sd[k] >> 31)

static void op_psadbw(Vec *d, const Vec *s, unsigned n)
{
    unsigned g, k;

    for (g = 0; g < n / 8; g++) {
        unsigned sum = 0;
        for (k = 0; k < 8; k++) {
            int diff = d->b[g * 8 + k] - s->b[g * 8 + k];
            sum += diff < 0 ? -diff : diff;
        }
        d->q[g] = sum;
    }
}

/* ---- interleave and pack ---- */

static void unpack(Vec *d, const Vec *s, unsigned n, unsigned e, bool high)
{
    Vec r;
    unsigned half = n / 2, k, base = high ? half : 0;

    for (k = 0; k < half / e; k++) {
        memcpy(&r.b[2 * k * e], &d->b[base + k * e], e);
        memcpy(&r.b[(2 * k + 1) * e], &s->b[base + k * e], e);
    }
    memcpy(d, &r, n);
}

#define UNPACK(name, e, high) \
    static void name(Vec *d, const Vec *s, unsigned n) \
    { \
        unpack(d, s, n, e, high); \
    }

UNPACK(op_punpcklbw, 1, false)
UNPACK(op_punpcklwd, 2, false)
UNPACK(op_punpckldq, 4, false)
UNPACK(op_punpcklqdq, 8, false)
UNPACK(op_punpckhbw, 1, true)
UNPACK(op_punpckhwd, 2, true)
UNPACK(op_punpckhdq, 4, true)
UNPACK(op_punpckhqdq, 8, true)

/* Destination's elements first, then the source's, each narrowed with
 * saturation. */
static void op_packsswb(Vec *d, const Vec *s, unsigned n)
{
    Vec r;
    unsigned k, half = n / 2;

    for (k = 0; k < half; k++) {
        r.sb[k] = sat_s8(d->sw[k]);
        r.sb[half + k] = sat_s8(s->sw[k]);
    }
    memcpy(d, &r, n);
}

static void op_packuswb(Vec *d, const Vec *s, unsigned n)
{
    Vec r;
    unsigned k, half = n / 2;

    for (k = 0; k < half; k++) {
        r.b[k] = sat_u8(d->sw[k]);
        r.b[half + k] = sat_u8(s->sw[k]);
    }
    memcpy(d, &r, n);
}

static void op_packssdw(Vec *d, const Vec *s, unsigned n)
{
    Vec r;
    unsigned k, quarter = n / 4;

    for (k = 0; k < quarter; k++) {
        r.sw[k] = sat_s16(d->sd[k]);
        r.sw[quarter + k] = sat_s16(s->sd[k]);
    }
    memcpy(d, &r, n);
}

VecOp *const simd_int_ops[VEC_NR_OPS] = {
    [PUNPCKLBW] = op_punpcklbw, [PUNPCKLWD] = op_punpcklwd,
    [PUNPCKLDQ] = op_punpckldq, [PACKSSWB] = op_packsswb,
    [PCMPGTB] = op_pcmpgtb, [PCMPGTW] = op_pcmpgtw, [PCMPGTD] = op_pcmpgtd,
    [PACKUSWB] = op_packuswb, [PUNPCKHBW] = op_punpckhbw,
    [PUNPCKHWD] = op_punpckhwd, [PUNPCKHDQ] = op_punpckhdq,
    [PACKSSDW] = op_packssdw, [PUNPCKLQDQ] = op_punpcklqdq,
    [PUNPCKHQDQ] = op_punpckhqdq, [PCMPEQB] = op_pcmpeqb,
    [PCMPEQW] = op_pcmpeqw, [PCMPEQD] = op_pcmpeqd, [PSRLW] = op_psrlw,
    [PSRLD] = op_psrld, [PSRLQ] = op_psrlq, [PADDQ] = op_paddq,
    [PMULLW] = op_pmullw, [PSUBUSB] = op_psubusb, [PSUBUSW] = op_psubusw,
    [PMINUB] = op_pminub, [PAND] = op_pand, [PADDUSB] = op_paddusb,
    [PADDUSW] = op_paddusw, [PMAXUB] = op_pmaxub, [PANDN] = op_pandn,
    [PAVGB] = op_pavgb, [PSRAW] = op_psraw, [PSRAD] = op_psrad,
    [PAVGW] = op_pavgw, [PMULHUW] = op_pmulhuw, [PMULHW] = op_pmulhw,
    [PSUBSB] = op_psubsb, [PSUBSW] = op_psubsw, [PMINSW] = op_pminsw,
    [POR] = op_por, [PADDSB] = op_paddsb, [PADDSW] = op_paddsw,
    [PMAXSW] = op_pmaxsw, [PXOR] = op_pxor, [PSLLW] = op_psllw,
    [PSLLD] = op_pslld, [PSLLQ] = op_psllq, [PMULUDQ] = op_pmuludq,
    [PMADDWD] = op_pmaddwd, [PSADBW] = op_psadbw, [PSUBB] = op_psubb,
    [PSUBW] = op_psubw, [PSUBD] = op_psubd, [PSUBQ] = op_psubq,
    [PADDB] = op_paddb, [PADDW] = op_paddw, [PADDD] = op_paddd,
};

/* ---- operands ---- */

/* Q: MMX register or 64-bit memory. */
static void get_Q(X86CPU *cpu, X86Insn *i, Vec *v)
{
    memset(v, 0, sizeof(*v));
    if (i->mod == 3) {
        v->q[0] = mmx_get(cpu, i->rm);
    } else {
        simd_ld(cpu, i, v, 8, false);
    }
}

/* W: XMM register or 128-bit memory (aligned as the form says). */
static void get_W(X86CPU *cpu, X86Insn *i, Vec *v, bool align)
{
    if (i->mod == 3) {
        xmm_get(cpu, i->rm, v);
    } else {
        simd_ld(cpu, i, v, 16, align);
    }
}

static void need_reg(X86CPU *cpu, X86Insn *i)
{
    if (i->mod != 3) {
        x86_ud(cpu);
    }
}

/* ---- handlers ---- */

/* op Pq,Qq: the MMX form of an integer operation (entry arg). */
void mmx_Pq_Qq(X86CPU *cpu, X86Insn *i)
{
    Vec d = { .q = { 0, 0 } }, s;

    simd_mmx_enter(cpu);
    get_Q(cpu, i, &s);
    d.q[0] = mmx_get(cpu, i->reg);
    simd_int_ops[i->op->arg](&d, &s, 8);
    mmx_set(cpu, i->reg, d.q[0]);
}

/* op Vx,Wx: the 128-bit form (66 prefix); memory must be aligned. */
void sse_Vx_Wx(X86CPU *cpu, X86Insn *i)
{
    Vec d, s;

    simd_sse_check(cpu);
    get_W(cpu, i, &s, true);
    xmm_get(cpu, i->reg, &d);
    simd_int_ops[i->op->arg](&d, &s, 16);
    xmm_set(cpu, i->reg, &d);
}

/* Groups 12-14: shift Nq (or Ux) by an immediate. */
void mmx_shift_Nq_Ib(X86CPU *cpu, X86Insn *i)
{
    Vec d = { .q = { 0, 0 } }, s = { .q = { i->imm & 0xff, 0 } };

    need_reg(cpu, i);
    simd_mmx_enter(cpu);
    d.q[0] = mmx_get(cpu, i->rm);
    simd_int_ops[i->op->arg](&d, &s, 8);
    mmx_set(cpu, i->rm, d.q[0]);
}

void sse_shift_Ux_Ib(X86CPU *cpu, X86Insn *i)
{
    Vec d, s = { .q = { i->imm & 0xff, 0 } };

    need_reg(cpu, i);
    simd_sse_check(cpu);
    xmm_get(cpu, i->rm, &d);
    simd_int_ops[i->op->arg](&d, &s, 16);
    xmm_set(cpu, i->rm, &d);
}

/* PSRLDQ (arg 0) / PSLLDQ (arg 1): the whole register by bytes. */
void sse_shift_dq_Ux_Ib(X86CPU *cpu, X86Insn *i)
{
    Vec d, r;
    unsigned c = i->imm & 0xff, k;

    need_reg(cpu, i);
    simd_sse_check(cpu);
    xmm_get(cpu, i->rm, &d);
    memset(&r, 0, sizeof(r));
    for (k = 0; k < 16; k++) {
        if (i->op->arg) {
            if (k >= c) {
                r.b[k] = d.b[k - c];
            }
        } else if (k + c < 16) {
            r.b[k] = d.b[k + c];
        }
    }
    xmm_set(cpu, i->rm, &r);
}

void movd_Pd_Ed(X86CPU *cpu, X86Insn *i)
{
    uint32_t v;

    simd_mmx_enter(cpu);
    v = x86_get_E(cpu, i, 4);
    mmx_set(cpu, i->reg, v);
}

void movd_Ed_Pd(X86CPU *cpu, X86Insn *i)
{
    simd_mmx_enter(cpu);
    x86_set_E(cpu, i, 4, (uint32_t)mmx_get(cpu, i->reg));
}

void movd_Vd_Ed(X86CPU *cpu, X86Insn *i)
{
    Vec v = { .q = { 0, 0 } };

    simd_sse_check(cpu);
    v.d[0] = x86_get_E(cpu, i, 4);
    xmm_set(cpu, i->reg, &v);
}

void movd_Ed_Vd(X86CPU *cpu, X86Insn *i)
{
    Vec v;

    simd_sse_check(cpu);
    xmm_get(cpu, i->reg, &v);
    x86_set_E(cpu, i, 4, v.d[0]);
}

void movq_Pq_Qq(X86CPU *cpu, X86Insn *i)
{
    Vec s;

    simd_mmx_enter(cpu);
    get_Q(cpu, i, &s);
    mmx_set(cpu, i->reg, s.q[0]);
}

/* MOVQ Qq,Pq and MOVNTQ Mq,Pq (a non-temporal hint is just a store). */
void movq_Qq_Pq(X86CPU *cpu, X86Insn *i)
{
    Vec v = { .q = { 0, 0 } };

    simd_mmx_enter(cpu);
    v.q[0] = mmx_get(cpu, i->reg);
    if (i->mod == 3) {
        mmx_set(cpu, i->rm, v.q[0]);
    } else {
        simd_st(cpu, i, &v, 8, false);
    }
}

void movntq(X86CPU *cpu, X86Insn *i)
{
    movq_Qq_Pq(cpu, i);
}

/* MOVDQA/MOVDQU, MOVAPS/MOVUPS, MOVAPD/MOVUPD, MOVNTDQ/MOVNTPS/MOVNTPD:
 * arg 1 = the aligned form. */
void movdq_Vx_Wx(X86CPU *cpu, X86Insn *i)
{
    Vec v;

    simd_sse_check(cpu);
    get_W(cpu, i, &v, i->op->arg);
    xmm_set(cpu, i->reg, &v);
}

void movdq_Wx_Vx(X86CPU *cpu, X86Insn *i)
{
    Vec v;

    simd_sse_check(cpu);
    xmm_get(cpu, i->reg, &v);
    if (i->mod == 3) {
        xmm_set(cpu, i->rm, &v);
    } else {
        simd_st(cpu, i, &v, 16, i->op->arg);
    }
}

/* MOVQ Vq,Wq (F3 0F 7E): the upper half is cleared. */
void movq_Vq_Wq(X86CPU *cpu, X86Insn *i)
{
    Vec v;

    simd_sse_check(cpu);
    if (i->mod == 3) {
        xmm_get(cpu, i->rm, &v);
    } else {
        simd_ld(cpu, i, &v, 8, false);
    }
    v.q[1] = 0;
    xmm_set(cpu, i->reg, &v);
}

/* MOVQ Wq,Vq (66 0F D6): to a register, its upper half is cleared. */
void movq_Wq_Vq(X86CPU *cpu, X86Insn *i)
{
    Vec v;

    simd_sse_check(cpu);
    xmm_get(cpu, i->reg, &v);
    v.q[1] = 0;
    if (i->mod == 3) {
        xmm_set(cpu, i->rm, &v);
    } else {
        simd_st(cpu, i, &v, 8, false);
    }
}

/* MOVQ2DQ Vdq,Nq (F3 0F D6) */
void movq2dq(X86CPU *cpu, X86Insn *i)
{
    Vec v = { .q = { 0, 0 } };

    need_reg(cpu, i);
    simd_sse_check(cpu);
    simd_mmx_enter(cpu);
    v.q[0] = mmx_get(cpu, i->rm);
    xmm_set(cpu, i->reg, &v);
}

/* MOVDQ2Q Pq,Uq (F2 0F D6) */
void movdq2q(X86CPU *cpu, X86Insn *i)
{
    Vec v;

    need_reg(cpu, i);
    simd_sse_check(cpu);
    simd_mmx_enter(cpu);
    xmm_get(cpu, i->rm, &v);
    mmx_set(cpu, i->reg, v.q[0]);
}

/* EMMS: every x87 tag empty (TOP is left alone). Same checks as an MMX
 * instruction, without the transition. */
void emms(X86CPU *cpu, X86Insn *i)
{
    simd_mmx_check(cpu);
    cpu->ftw = 0xffff;
}

/* PSHUFW Pq,Qq,Ib */
void pshufw(X86CPU *cpu, X86Insn *i)
{
    Vec s, d = { .q = { 0, 0 } };
    unsigned k;

    simd_mmx_enter(cpu);
    get_Q(cpu, i, &s);
    for (k = 0; k < 4; k++) {
        d.w[k] = s.w[(i->imm >> (2 * k)) & 3];
    }
    mmx_set(cpu, i->reg, d.q[0]);
}

/* PSHUFD (arg 0), PSHUFHW (1), PSHUFLW (2) Vx,Wx,Ib */
void pshufd(X86CPU *cpu, X86Insn *i)
{
    Vec s, d;
    unsigned k, sel;

    simd_sse_check(cpu);
    get_W(cpu, i, &s, true);
    d = s;
    for (k = 0; k < 4; k++) {
        sel = (i->imm >> (2 * k)) & 3;
        switch (i->op->arg) {
        case 0:
            d.d[k] = s.d[sel];
            break;
        case 1:
            d.w[4 + k] = s.w[4 + sel];
            break;
        default:
            d.w[k] = s.w[sel];
            break;
        }
    }
    xmm_set(cpu, i->reg, &d);
}

void pinsrw_Pq(X86CPU *cpu, X86Insn *i)
{
    uint64_t v;
    uint32_t w;
    unsigned sh = (i->imm & 3) * 16;

    simd_mmx_enter(cpu);
    w = x86_get_E(cpu, i, 2) & 0xffff;
    v = mmx_get(cpu, i->reg);
    v = (v & ~(0xffffull << sh)) | ((uint64_t)w << sh);
    mmx_set(cpu, i->reg, v);
}

void pinsrw_Vx(X86CPU *cpu, X86Insn *i)
{
    Vec v;
    uint32_t w;

    simd_sse_check(cpu);
    w = x86_get_E(cpu, i, 2);
    xmm_get(cpu, i->reg, &v);
    v.w[i->imm & 7] = w;
    xmm_set(cpu, i->reg, &v);
}

void pextrw_Gd_Nq(X86CPU *cpu, X86Insn *i)
{
    need_reg(cpu, i);
    simd_mmx_enter(cpu);
    x86_set_reg(cpu, i->reg, 4,
                (mmx_get(cpu, i->rm) >> ((i->imm & 3) * 16)) & 0xffff);
}

void pextrw_Gd_Ux(X86CPU *cpu, X86Insn *i)
{
    Vec v;

    need_reg(cpu, i);
    simd_sse_check(cpu);
    xmm_get(cpu, i->rm, &v);
    x86_set_reg(cpu, i->reg, 4, v.w[i->imm & 7]);
}

static uint32_t byte_signs(const Vec *v, unsigned n)
{
    uint32_t m = 0;
    unsigned k;

    for (k = 0; k < n; k++) {
        m |= (uint32_t)(v->b[k] >> 7) << k;
    }
    return m;
}

void pmovmskb_Gd_Nq(X86CPU *cpu, X86Insn *i)
{
    Vec v = { .q = { 0, 0 } };

    need_reg(cpu, i);
    simd_mmx_enter(cpu);
    v.q[0] = mmx_get(cpu, i->rm);
    x86_set_reg(cpu, i->reg, 4, byte_signs(&v, 8));
}

void pmovmskb_Gd_Ux(X86CPU *cpu, X86Insn *i)
{
    Vec v;

    need_reg(cpu, i);
    simd_sse_check(cpu);
    xmm_get(cpu, i->rm, &v);
    x86_set_reg(cpu, i->reg, 4, byte_signs(&v, 16));
}

/* MASKMOVQ / MASKMOVDQU: the bytes of reg whose mask byte (rm) has its
 * top bit set go to DS:(E)DI (segment override allowed). Each byte is a
 * separate store, so a fault part-way may leave earlier bytes written,
 * which the SDM allows for this instruction. */
static void maskmov(X86CPU *cpu, X86Insn *i, const Vec *data,
                    const Vec *mask, unsigned n)
{
    uint32_t di = (uint32_t)cpu->regs[R_EDI];
    unsigned k;

    if (i->adsize == 2) {
        di &= 0xffff;
    }
    for (k = 0; k < n; k++) {
        if (mask->b[k] & 0x80) {
            uint32_t off = di + k;
            if (i->adsize == 2) {
                off &= 0xffff;
            }
            x86_st(cpu, i->seg, off, data->b[k], 1);
        }
    }
}

void maskmovq(X86CPU *cpu, X86Insn *i)
{
    Vec d = { .q = { 0, 0 } }, m = { .q = { 0, 0 } };

    need_reg(cpu, i);
    simd_mmx_enter(cpu);
    d.q[0] = mmx_get(cpu, i->reg);
    m.q[0] = mmx_get(cpu, i->rm);
    maskmov(cpu, i, &d, &m, 8);
}

void maskmovdqu(X86CPU *cpu, X86Insn *i)
{
    Vec d, m;

    need_reg(cpu, i);
    simd_sse_check(cpu);
    xmm_get(cpu, i->reg, &d);
    xmm_get(cpu, i->rm, &m);
    maskmov(cpu, i, &d, &m, 16);
}

/* MOVNTI My,Gy: a plain store (SSE2, but on general registers: none of
 * the CR0/CR4 checks apply). */
void movnti(X86CPU *cpu, X86Insn *i)
{
    x86_set_E(cpu, i, 4, x86_get_reg(cpu, i->reg, 4));
}
