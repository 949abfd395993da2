/*
 * SSE and SSE2 (SDM 1 chapters 10-11; SDM 2 for each instruction): the
 * floating-point instructions on XMM registers, their moves, shuffles
 * and conversions, MXCSR, FXSAVE/FXRSTOR, the fences and hints; and the
 * checks and memory access every MMX/SSE instruction shares.
 *
 * Exactness: every floating-point operation runs on the host's own SSE
 * unit with the guest's MXCSR rounding control, DAZ and FZ loaded and all
 * exceptions masked; the flags it raises are read back. Results, NaN
 * propagation, denormal handling and flags are therefore those of the
 * hardware, bit for bit (RCPPS/RSQRTPS give the host's approximation,
 * which differs between CPU vendors as it does on real machines).
 *
 * Exceptions (SDM 1, "SIMD Floating-Point Exception Conditions"): when a
 * flag the guest has unmasked comes up, the destination is left alone,
 * the flags are set and #XM is raised (#UD without CR4.OSXMMEXCPT). If
 * an unmasked pre-computation exception (invalid, denormal, divide by
 * zero) occurred, only those flags are set, as hardware does not go on
 * to compute; with several elements, the host's flags are those of all
 * elements together (an approximation where hardware would stop earlier
 * in the same instruction).
 */
#include "target/i386/simd.h"

/* Guest floating point is computed by host SSE instructions (inline
 * assembly below) so that it is bit-exact without a software float
 * library; another host architecture needs a softfloat back end here. */
#if !defined(__x86_64__) && !defined(__i386__)
#error "target/i386/sse.c needs an x86 host (it runs guest SSE on host SSE)"
#endif

/* ---- checks ---- */

void simd_mmx_check(X86CPU *cpu)
{
    if (cpu->cr[0] & CR0_EM) {
        x86_ud(cpu);
    }
    if (cpu->cr[0] & CR0_TS) {
        x86_raise(cpu, EXCP_NM, -1);
    }
    /* A pending unmasked x87 exception is reported first (with CR0.NE;
     * without it, hardware signals FERR# and the x87 code owns that). */
    if ((cpu->fsw & FSW_ES) && (cpu->cr[0] & CR0_NE)) {
        x86_raise(cpu, EXCP_MF, -1);
    }
}

void simd_mmx_enter(X86CPU *cpu)
{
    simd_mmx_check(cpu);
    cpu->fsw &= ~FSW_TOP;
    cpu->ftw = 0;                       /* every register valid (00b) */
}

void simd_sse_check(X86CPU *cpu)
{
    if ((cpu->cr[0] & CR0_EM) || !(cpu->cr[4] & CR4_OSFXSR)) {
        x86_ud(cpu);
    }
    if (cpu->cr[0] & CR0_TS) {
        x86_raise(cpu, EXCP_NM, -1);
    }
}

/* ---- memory ---- */

void simd_ld_at(X86CPU *cpu, int seg, uint32_t off, void *buf, unsigned n)
{
    uint32_t lin = (uint32_t)cpu->segs[seg].base + off;
    bool user = x86_cpl(cpu) == 3;
    uint8_t *p = buf;
    unsigned k;

    x86_seg_check(cpu, seg, off, n, false);
    for (k = 0; k + 4 <= n; k += 4) {
        uint32_t v = x86_lin_ld(cpu, lin + k, 4, ACC_R, user);
        memcpy(p + k, &v, 4);
    }
    for (; k < n; k++) {
        p[k] = x86_lin_ld(cpu, lin + k, 1, ACC_R, user);
    }
}

/* A store that spans pages translates each of them for writing first, so
 * that a fault leaves memory untouched (the probe reads one byte). */
void simd_st_at(X86CPU *cpu, int seg, uint32_t off, const void *buf,
                unsigned n)
{
    uint32_t lin = (uint32_t)cpu->segs[seg].base + off;
    bool user = x86_cpl(cpu) == 3;
    const uint8_t *p = buf;
    unsigned k;

    x86_seg_check(cpu, seg, off, n, true);
    if ((lin & 0xfff) + n > 0x1000) {
        uint32_t page = lin & ~0xfffu;
        for (k = 0; k < (((lin & 0xfff) + n + 0xfff) >> 12); k++) {
            uint32_t probe = k ? page + k * 0x1000 : lin;
            x86_lin_ld(cpu, probe, 1, ACC_W, user);
        }
    }
    for (k = 0; k + 4 <= n; k += 4) {
        uint32_t v;
        memcpy(&v, p + k, 4);
        x86_lin_st(cpu, lin + k, v, 4, user);
    }
    for (; k < n; k++) {
        x86_lin_st(cpu, lin + k, p[k], 1, user);
    }
}

static uint32_t simd_ea(X86CPU *cpu, X86Insn *i, bool align)
{
    uint32_t ea = x86_ea(cpu, i);

    /* The 16-byte alignment of the aligned forms is checked on the
     * linear address (SDM 2, MOVAPS "Exceptions"). */
    if (align && (((uint32_t)cpu->segs[i->seg].base + ea) & 15)) {
        x86_gp(cpu, 0);
    }
    return ea;
}

void simd_ld(X86CPU *cpu, X86Insn *i, Vec *v, unsigned n, bool align)
{
    uint32_t ea = simd_ea(cpu, i, align);

    memset(v, 0, sizeof(*v));
    simd_ld_at(cpu, i->seg, ea, v, n);
}

void simd_st(X86CPU *cpu, X86Insn *i, const Vec *v, unsigned n, bool align)
{
    simd_st_at(cpu, i->seg, simd_ea(cpu, i, align), v, n);
}

/* W operand of n bytes: an XMM register (whole) or memory (n bytes, the
 * rest zero). */
static void get_W(X86CPU *cpu, X86Insn *i, Vec *v, unsigned n, bool align)
{
    if (i->mod == 3) {
        xmm_get(cpu, i->rm, v);
    } else {
        simd_ld(cpu, i, v, n, align);
    }
}

static void need_reg(X86CPU *cpu, X86Insn *i)
{
    if (i->mod != 3) {
        x86_ud(cpu);
    }
}

/* ---- the host's SSE unit ---- */

typedef float HostVec __attribute__((vector_size(16)));
typedef void HostOp(Vec *d, const Vec *s);

static inline uint32_t host_getcsr(void)
{
    uint32_t v;

    asm volatile("stmxcsr %0" : "=m"(v) : : "memory");
    return v;
}

static inline void host_setcsr(uint32_t v)
{
    asm volatile("ldmxcsr %0" : : "m"(v) : "memory");
}

/* Loads the guest's rounding, DAZ and FZ with every exception masked and
 * no flag set; returns the host's MXCSR to put back. Every operation in
 * between is an asm volatile, which the compiler keeps in order. */
static uint32_t host_begin(X86CPU *cpu)
{
    uint32_t saved = host_getcsr();

    host_setcsr((cpu->mxcsr & (MXCSR_RC | MXCSR_DAZ | MXCSR_FZ)) |
                MXCSR_MASKS);
    return saved;
}

static uint32_t host_end(uint32_t saved)
{
    uint32_t flags = host_getcsr() & MXCSR_FLAGS;

    host_setcsr(saved);
    return flags;
}

/* Accounts the flags an operation raised; an unmasked one faults before
 * the caller writes its destination. */
static void fp_finish(X86CPU *cpu, uint32_t flags)
{
    uint32_t unmasked = flags & ~(cpu->mxcsr >> 7) & MXCSR_FLAGS;

    if (unmasked) {
        if (unmasked & (MXCSR_IE | MXCSR_DE | MXCSR_ZE)) {
            flags &= MXCSR_IE | MXCSR_DE | MXCSR_ZE;
        }
        cpu->mxcsr |= flags;
        x86_raise(cpu, (cpu->cr[4] & CR4_OSXMMEXCPT) ? EXCP_XM : EXCP_UD,
                  -1);
    }
    cpu->mxcsr |= flags;
}

/* d = d op s (or d = op(s) for the one-operand forms), as the host
 * instruction of that name with register operands. */
#define HOST_OP(fn, insn) \
    static void fn(Vec *d, const Vec *s) \
    { \
        HostVec a, b; \
        memcpy(&a, d, 16); \
        memcpy(&b, s, 16); \
        asm volatile(insn " %1, %0" : "+x"(a) : "x"(b)); \
        memcpy(d, &a, 16); \
    }
#define HOST_OP4(op) \
    HOST_OP(h_##op##ps, #op "ps") HOST_OP(h_##op##ss, #op "ss") \
    HOST_OP(h_##op##pd, #op "pd") HOST_OP(h_##op##sd, #op "sd")

HOST_OP4(add)
HOST_OP4(sub)
HOST_OP4(mul)
HOST_OP4(div)
HOST_OP4(min)
HOST_OP4(max)
HOST_OP4(sqrt)
HOST_OP(h_rcpps, "rcpps")
HOST_OP(h_rcpss, "rcpss")
HOST_OP(h_rsqrtps, "rsqrtps")
HOST_OP(h_rsqrtss, "rsqrtss")
HOST_OP(h_cvtdq2ps, "cvtdq2ps")
HOST_OP(h_cvtps2dq, "cvtps2dq")
HOST_OP(h_cvttps2dq, "cvttps2dq")
HOST_OP(h_cvtpd2ps, "cvtpd2ps")
HOST_OP(h_cvtps2pd, "cvtps2pd")
HOST_OP(h_cvtsd2ss, "cvtsd2ss")
HOST_OP(h_cvtss2sd, "cvtss2sd")
HOST_OP(h_cvtdq2pd, "cvtdq2pd")
HOST_OP(h_cvtpd2dq, "cvtpd2dq")
HOST_OP(h_cvttpd2dq, "cvttpd2dq")

/* CMPccPS and friends: the predicate (imm8 bits 0-2) must be an
 * immediate of the host instruction. */
#define CMP_CASE(insn, k) \
    case k: \
        asm volatile(insn " $" #k ", %1, %0" : "+x"(a) : "x"(b)); \
        break;
#define HOST_CMP(fn, insn) \
    static void fn(Vec *d, const Vec *s, unsigned pred) \
    { \
        HostVec a, b; \
        memcpy(&a, d, 16); \
        memcpy(&b, s, 16); \
        switch (pred & 7) { \
        CMP_CASE(insn, 0) CMP_CASE(insn, 1) CMP_CASE(insn, 2) \
        CMP_CASE(insn, 3) CMP_CASE(insn, 4) CMP_CASE(insn, 5) \
        CMP_CASE(insn, 6) CMP_CASE(insn, 7) \
        } \
        memcpy(d, &a, 16); \
    }

HOST_CMP(h_cmpps, "cmpps")
HOST_CMP(h_cmppd, "cmppd")
HOST_CMP(h_cmpss, "cmpss")
HOST_CMP(h_cmpsd, "cmpsd")

/* ---- arithmetic ---- */

enum { T_PS, T_SS, T_PD, T_SD };

static void fp_op(X86CPU *cpu, X86Insn *i, unsigned type)
{
    static HostOp *const ops[4][FP_NR_OPS] = {
        [T_PS] = { h_addps, h_subps, h_mulps, h_divps, h_minps, h_maxps,
                   h_sqrtps, h_rcpps, h_rsqrtps },
        [T_SS] = { h_addss, h_subss, h_mulss, h_divss, h_minss, h_maxss,
                   h_sqrtss, h_rcpss, h_rsqrtss },
        [T_PD] = { h_addpd, h_subpd, h_mulpd, h_divpd, h_minpd, h_maxpd,
                   h_sqrtpd },
        [T_SD] = { h_addsd, h_subsd, h_mulsd, h_divsd, h_minsd, h_maxsd,
                   h_sqrtsd },
    };
    static const uint8_t msize[4] = { 16, 4, 16, 8 };
    HostOp *fn = (unsigned)i->op->arg < FP_NR_OPS ?
                 ops[type][i->op->arg] : NULL;
    Vec d, s;
    uint32_t saved;

    if (!fn) {
        x86_ud(cpu);
    }
    simd_sse_check(cpu);
    get_W(cpu, i, &s, msize[type], msize[type] == 16);
    xmm_get(cpu, i->reg, &d);
    saved = host_begin(cpu);
    fn(&d, &s);
    fp_finish(cpu, host_end(saved));
    xmm_set(cpu, i->reg, &d);
}

void fp_Vps_Wps(X86CPU *cpu, X86Insn *i)
{
    fp_op(cpu, i, T_PS);
}

void fp_Vss_Wss(X86CPU *cpu, X86Insn *i)
{
    fp_op(cpu, i, T_SS);
}

void fp_Vpd_Wpd(X86CPU *cpu, X86Insn *i)
{
    fp_op(cpu, i, T_PD);
}

void fp_Vsd_Wsd(X86CPU *cpu, X86Insn *i)
{
    fp_op(cpu, i, T_SD);
}

/* CMPPS/CMPPD/CMPSS/CMPSD Vx,Wx,Ib: arg is the type. */
void cmp_Vx_Wx_Ib(X86CPU *cpu, X86Insn *i)
{
    static void (*const ops[4])(Vec *, const Vec *, unsigned) = {
        h_cmpps, h_cmpss, h_cmppd, h_cmpsd,
    };
    static const uint8_t msize[4] = { 16, 4, 16, 8 };
    unsigned type = i->op->arg & 3;
    Vec d, s;
    uint32_t saved;

    simd_sse_check(cpu);
    get_W(cpu, i, &s, msize[type], msize[type] == 16);
    xmm_get(cpu, i->reg, &d);
    saved = host_begin(cpu);
    ops[type](&d, &s, i->imm);
    fp_finish(cpu, host_end(saved));
    xmm_set(cpu, i->reg, &d);
}

/* UCOMISS (arg 0), COMISS (1), UCOMISD (2), COMISD (3): ZF PF CF from
 * the comparison, OF SF AF cleared. */
void comis(X86CPU *cpu, X86Insn *i)
{
    unsigned arg = i->op->arg & 3;
    Vec d, s;
    HostVec a, b;
    uint8_t z = 0, p = 0, c = 0;
    uint32_t saved;

    simd_sse_check(cpu);
    get_W(cpu, i, &s, arg < 2 ? 4 : 8, false);
    xmm_get(cpu, i->reg, &d);
    memcpy(&a, &d, 16);
    memcpy(&b, &s, 16);
    saved = host_begin(cpu);
    switch (arg) {
    case 0:
        asm volatile("ucomiss %4, %3; setz %0; setp %1; setc %2"
                     : "=q"(z), "=q"(p), "=q"(c) : "x"(a), "x"(b));
        break;
    case 1:
        asm volatile("comiss %4, %3; setz %0; setp %1; setc %2"
                     : "=q"(z), "=q"(p), "=q"(c) : "x"(a), "x"(b));
        break;
    case 2:
        asm volatile("ucomisd %4, %3; setz %0; setp %1; setc %2"
                     : "=q"(z), "=q"(p), "=q"(c) : "x"(a), "x"(b));
        break;
    default:
        asm volatile("comisd %4, %3; setz %0; setp %1; setc %2"
                     : "=q"(z), "=q"(p), "=q"(c) : "x"(a), "x"(b));
        break;
    }
    fp_finish(cpu, host_end(saved));
    x86_set_eflags(cpu, (z ? CC_Z : 0) | (p ? CC_P : 0) | (c ? CC_C : 0),
                   CC_ARITH);
}

/* ---- moves ---- */

/* MOVSS (arg 4) / MOVSD (arg 8) Vx,Wx: from memory the rest is cleared,
 * between registers it is kept. */
void movss_Vx_Wx(X86CPU *cpu, X86Insn *i)
{
    unsigned n = i->op->arg;
    Vec d, s;

    simd_sse_check(cpu);
    if (i->mod == 3) {
        xmm_get(cpu, i->rm, &s);
        xmm_get(cpu, i->reg, &d);
        memcpy(&d, &s, n);
    } else {
        simd_ld(cpu, i, &d, n, false);
    }
    xmm_set(cpu, i->reg, &d);
}

void movss_Wx_Vx(X86CPU *cpu, X86Insn *i)
{
    unsigned n = i->op->arg;
    Vec d, s;

    simd_sse_check(cpu);
    xmm_get(cpu, i->reg, &s);
    if (i->mod == 3) {
        xmm_get(cpu, i->rm, &d);
        memcpy(&d, &s, n);
        xmm_set(cpu, i->rm, &d);
    } else {
        simd_st(cpu, i, &s, n, false);
    }
}

/* MOVLPS/MOVLPD Vq,Mq; between registers (no prefix) MOVHLPS. */
void movlps_Vq_Mq(X86CPU *cpu, X86Insn *i)
{
    Vec d, s;

    simd_sse_check(cpu);
    xmm_get(cpu, i->reg, &d);
    if (i->mod == 3) {
        if (i->op->arg) {
            x86_ud(cpu);
        }
        xmm_get(cpu, i->rm, &s);
        d.q[0] = s.q[1];
    } else {
        simd_ld(cpu, i, &s, 8, false);
        d.q[0] = s.q[0];
    }
    xmm_set(cpu, i->reg, &d);
}

/* MOVLPS/MOVLPD Mq,Vq and MOVHPS/MOVHPD Mq,Vq (arg: which half). */
static void store_half(X86CPU *cpu, X86Insn *i, unsigned half)
{
    Vec s, m = { .q = { 0, 0 } };

    if (i->mod == 3) {
        x86_ud(cpu);
    }
    simd_sse_check(cpu);
    xmm_get(cpu, i->reg, &s);
    m.q[0] = s.q[half];
    simd_st(cpu, i, &m, 8, false);
}

void movlps_Mq_Vq(X86CPU *cpu, X86Insn *i)
{
    store_half(cpu, i, 0);
}

void movhps_Mq_Vq(X86CPU *cpu, X86Insn *i)
{
    store_half(cpu, i, 1);
}

/* MOVHPS/MOVHPD Vq,Mq; between registers (no prefix) MOVLHPS. */
void movhps_Vq_Mq(X86CPU *cpu, X86Insn *i)
{
    Vec d, s;

    simd_sse_check(cpu);
    xmm_get(cpu, i->reg, &d);
    if (i->mod == 3) {
        if (i->op->arg) {
            x86_ud(cpu);
        }
        xmm_get(cpu, i->rm, &s);
    } else {
        simd_ld(cpu, i, &s, 8, false);
    }
    d.q[1] = s.q[0];
    xmm_set(cpu, i->reg, &d);
}

/* MOVMSKPS (arg 0) / MOVMSKPD (arg 1) Gd,Ux: the sign bits. */
void movmsk_Gd_Ux(X86CPU *cpu, X86Insn *i)
{
    Vec s;
    uint32_t m = 0;
    unsigned k;

    need_reg(cpu, i);
    simd_sse_check(cpu);
    xmm_get(cpu, i->rm, &s);
    if (i->op->arg) {
        m = (s.q[0] >> 63) | ((s.q[1] >> 63) << 1);
    } else {
        for (k = 0; k < 4; k++) {
            m |= (s.d[k] >> 31) << k;
        }
    }
    x86_set_reg(cpu, i->reg, 4, m);
}

/* SHUFPS (arg 0) / SHUFPD (arg 1) Vx,Wx,Ib: the low half of the result
 * from the destination, the high half from the source. */
void shuf_Vx_Wx_Ib(X86CPU *cpu, X86Insn *i)
{
    Vec d, s, r;
    unsigned imm = i->imm;

    simd_sse_check(cpu);
    get_W(cpu, i, &s, 16, true);
    xmm_get(cpu, i->reg, &d);
    if (i->op->arg) {
        r.q[0] = d.q[imm & 1];
        r.q[1] = s.q[(imm >> 1) & 1];
    } else {
        r.d[0] = d.d[imm & 3];
        r.d[1] = d.d[(imm >> 2) & 3];
        r.d[2] = s.d[(imm >> 4) & 3];
        r.d[3] = s.d[(imm >> 6) & 3];
    }
    xmm_set(cpu, i->reg, &r);
}

/* ---- conversions ---- */

/* XMM to XMM conversions (arg CVT_*), with the memory size of each. */
void cvt_Vx_Wx(X86CPU *cpu, X86Insn *i)
{
    static HostOp *const ops[] = {
        [CVT_DQ2PS] = h_cvtdq2ps, [CVT_PS2DQ] = h_cvtps2dq,
        [CVT_TPS2DQ] = h_cvttps2dq, [CVT_PD2PS] = h_cvtpd2ps,
        [CVT_PS2PD] = h_cvtps2pd, [CVT_SD2SS] = h_cvtsd2ss,
        [CVT_SS2SD] = h_cvtss2sd, [CVT_DQ2PD] = h_cvtdq2pd,
        [CVT_PD2DQ] = h_cvtpd2dq, [CVT_TPD2DQ] = h_cvttpd2dq,
    };
    static const uint8_t msize[] = {
        [CVT_DQ2PS] = 16, [CVT_PS2DQ] = 16, [CVT_TPS2DQ] = 16,
        [CVT_PD2PS] = 16, [CVT_PS2PD] = 8, [CVT_SD2SS] = 8,
        [CVT_SS2SD] = 4, [CVT_DQ2PD] = 8, [CVT_PD2DQ] = 16,
        [CVT_TPD2DQ] = 16,
    };
    unsigned op = i->op->arg;
    Vec d, s;
    uint32_t saved;

    if (op >= ARRAY_SIZE(ops)) {
        x86_ud(cpu);
    }
    simd_sse_check(cpu);
    get_W(cpu, i, &s, msize[op], msize[op] == 16);
    xmm_get(cpu, i->reg, &d);
    saved = host_begin(cpu);
    ops[op](&d, &s);
    fp_finish(cpu, host_end(saved));
    xmm_set(cpu, i->reg, &d);
}

/* CVTPI2PS (arg 0) / CVTPI2PD (arg 1) Vx,Qq: an MMX register source is
 * an MMX instruction (x87 transition), a memory one is not. CVTPI2PS
 * writes the low half only. */
void cvtpi_Vx_Qq(X86CPU *cpu, X86Insn *i)
{
    Vec d, s = { .q = { 0, 0 } }, t;
    uint32_t saved;

    simd_sse_check(cpu);
    if (i->mod == 3) {
        simd_mmx_enter(cpu);
        s.q[0] = mmx_get(cpu, i->rm);
    } else {
        simd_ld(cpu, i, &s, 8, false);
    }
    xmm_get(cpu, i->reg, &d);
    t = d;
    saved = host_begin(cpu);
    if (i->op->arg) {
        h_cvtdq2pd(&t, &s);
    } else {
        h_cvtdq2ps(&t, &s);     /* lanes 2-3 convert 0: no flags */
    }
    fp_finish(cpu, host_end(saved));
    if (i->op->arg) {
        d = t;
    } else {
        d.q[0] = t.q[0];
    }
    xmm_set(cpu, i->reg, &d);
}

/* CVTPS2PI (0), CVTTPS2PI (1), CVTPD2PI (2), CVTTPD2PI (3) Pq,Wx. */
void cvt_Pq_Wx(X86CPU *cpu, X86Insn *i)
{
    static HostOp *const ops[4] = {
        h_cvtps2dq, h_cvttps2dq, h_cvtpd2dq, h_cvttpd2dq,
    };
    unsigned op = i->op->arg & 3;
    Vec s, t = { .q = { 0, 0 } };
    uint32_t saved;

    simd_sse_check(cpu);
    simd_mmx_check(cpu);
    get_W(cpu, i, &s, op < 2 ? 8 : 16, op >= 2);
    if (op < 2) {
        s.q[1] = 0;             /* only two singles convert */
    }
    saved = host_begin(cpu);
    ops[op](&t, &s);
    fp_finish(cpu, host_end(saved));
    simd_mmx_enter(cpu);
    mmx_set(cpu, i->reg, t.q[0]);
}

/* CVTSI2SS (arg 0) / CVTSI2SD (arg 1) Vx,Ed */
void cvtsi_Vx_Ed(X86CPU *cpu, X86Insn *i)
{
    Vec d;
    HostVec a;
    int32_t v;
    uint32_t saved;

    simd_sse_check(cpu);
    v = (int32_t)x86_get_E(cpu, i, 4);
    xmm_get(cpu, i->reg, &d);
    memcpy(&a, &d, 16);
    saved = host_begin(cpu);
    if (i->op->arg) {
        asm volatile("cvtsi2sdl %1, %0" : "+x"(a) : "r"(v));
    } else {
        asm volatile("cvtsi2ssl %1, %0" : "+x"(a) : "r"(v));
    }
    fp_finish(cpu, host_end(saved));
    memcpy(&d, &a, 16);
    xmm_set(cpu, i->reg, &d);
}

/* CVTSS2SI (0), CVTTSS2SI (1), CVTSD2SI (2), CVTTSD2SI (3) Gd,Wx */
void cvt_Gd_Wx(X86CPU *cpu, X86Insn *i)
{
    unsigned op = i->op->arg & 3;
    Vec s;
    HostVec b;
    int32_t r = 0;
    uint32_t saved;

    simd_sse_check(cpu);
    get_W(cpu, i, &s, op < 2 ? 4 : 8, false);
    memcpy(&b, &s, 16);
    saved = host_begin(cpu);
    switch (op) {
    case 0:
        asm volatile("cvtss2si %1, %0" : "=r"(r) : "x"(b));
        break;
    case 1:
        asm volatile("cvttss2si %1, %0" : "=r"(r) : "x"(b));
        break;
    case 2:
        asm volatile("cvtsd2si %1, %0" : "=r"(r) : "x"(b));
        break;
    default:
        asm volatile("cvttsd2si %1, %0" : "=r"(r) : "x"(b));
        break;
    }
    fp_finish(cpu, host_end(saved));
    x86_set_reg(cpu, i->reg, 4, (uint32_t)r);
}

/* ---- FXSAVE / FXRSTOR (SDM 2 "FXSAVE", the 32-bit layout) ---- */

enum {
    FX_FCW = 0, FX_FSW = 2, FX_FTW = 4, FX_FOP = 6, FX_FIP = 8,
    FX_FCS = 12, FX_FDP = 16, FX_FDS = 20, FX_MXCSR = 24,
    FX_MXCSR_MASK = 28, FX_ST0 = 32, FX_XMM0 = 160,
    FX_USED = 288,      /* 288-511: reserved and software's, untouched */
    FX_SIZE = 512,
};

/* The full tag of a register that is not empty (SDM 1, "x87 FPU Tag
 * Word"): valid 00b, zero 01b, special (NaN, infinity, denormal,
 * unnormal) 10b. */
static unsigned fp_tag(uint64_t mant, uint16_t sign_exp)
{
    unsigned exp = sign_exp & 0x7fff;

    if (exp == 0x7fff) {
        return 2;
    }
    if (exp == 0) {
        return mant ? 2 : 1;
    }
    return (mant >> 63) ? 0 : 2;
}

static uint32_t fx_area(X86CPU *cpu, X86Insn *i)
{
    /* FXSAVE/FXRSTOR: CR0.EM or CR0.TS give #NM, not #UD. */
    if (cpu->cr[0] & (CR0_EM | CR0_TS)) {
        x86_raise(cpu, EXCP_NM, -1);
    }
    return simd_ea(cpu, i, true);
}

static void put16(uint8_t *p, unsigned off, uint16_t v)
{
    memcpy(p + off, &v, 2);
}

static void put32(uint8_t *p, unsigned off, uint32_t v)
{
    memcpy(p + off, &v, 4);
}

static uint16_t get16(const uint8_t *p, unsigned off)
{
    uint16_t v;

    memcpy(&v, p + off, 2);
    return v;
}

static uint32_t get32(const uint8_t *p, unsigned off)
{
    uint32_t v;

    memcpy(&v, p + off, 4);
    return v;
}

static void fxsave(X86CPU *cpu, X86Insn *i)
{
    uint8_t img[FX_USED];
    uint32_t ea = fx_area(cpu, i);
    unsigned top = (cpu->fsw >> 11) & 7, k;
    uint8_t abridged = 0;

    memset(img, 0, sizeof(img));
    for (k = 0; k < 8; k++) {
        if (((cpu->ftw >> (2 * k)) & 3) != 3) {
            abridged |= 1 << k;
        }
    }
    put16(img, FX_FCW, cpu->fcw);
    put16(img, FX_FSW, cpu->fsw);
    img[FX_FTW] = abridged;
    put16(img, FX_FOP, cpu->fop & 0x7ff);
    put32(img, FX_FIP, cpu->fip);
    put16(img, FX_FCS, cpu->fcs);
    put32(img, FX_FDP, cpu->fdp);
    put16(img, FX_FDS, cpu->fds);
    put32(img, FX_MXCSR, cpu->mxcsr);
    put32(img, FX_MXCSR_MASK, MXCSR_WRITABLE);
    /* Stack order: slot k is ST(k), physical register TOP + k. */
    for (k = 0; k < 8; k++) {
        unsigned r = (top + k) & 7;
        memcpy(img + FX_ST0 + 16 * k, &cpu->fpregs[r].mant, 8);
        put16(img, FX_ST0 + 16 * k + 8, cpu->fpregs[r].sign_exp);
    }
    memcpy(img + FX_XMM0, cpu->xmm, 8 * 16);
    /* The whole 512-byte area must be writable. */
    x86_seg_check(cpu, i->seg, ea, FX_SIZE, true);
    simd_st_at(cpu, i->seg, ea, img, FX_USED);
}

static void fxrstor(X86CPU *cpu, X86Insn *i)
{
    uint8_t img[FX_USED];
    uint32_t ea = fx_area(cpu, i), mxcsr;
    unsigned top, k;
    uint8_t abridged;
    uint16_t ftw = 0;

    x86_seg_check(cpu, i->seg, ea, FX_SIZE, false);
    simd_ld_at(cpu, i->seg, ea, img, FX_USED);
    mxcsr = get32(img, FX_MXCSR);
    if (mxcsr & ~MXCSR_WRITABLE) {
        x86_gp(cpu, 0);
    }
    cpu->fcw = get16(img, FX_FCW);
    cpu->fsw = get16(img, FX_FSW);
    cpu->fop = get16(img, FX_FOP) & 0x7ff;
    cpu->fip = get32(img, FX_FIP);
    cpu->fcs = get16(img, FX_FCS);
    cpu->fdp = get32(img, FX_FDP);
    cpu->fds = get16(img, FX_FDS);
    cpu->mxcsr = mxcsr;
    top = (cpu->fsw >> 11) & 7;
    for (k = 0; k < 8; k++) {
        unsigned r = (top + k) & 7;
        memcpy(&cpu->fpregs[r].mant, img + FX_ST0 + 16 * k, 8);
        cpu->fpregs[r].sign_exp = get16(img, FX_ST0 + 16 * k + 8);
    }
    abridged = img[FX_FTW];
    for (k = 0; k < 8; k++) {
        unsigned tag = (abridged >> k) & 1 ?
            fp_tag(cpu->fpregs[k].mant, cpu->fpregs[k].sign_exp) : 3;
        ftw |= tag << (2 * k);
    }
    cpu->ftw = ftw;
    memcpy(cpu->xmm, img + FX_XMM0, 8 * 16);
}

/* Group 15 (0F AE), arg = ModRM.reg: FXSAVE, FXRSTOR, LDMXCSR, STMXCSR,
 * and LFENCE, MFENCE, SFENCE (register forms) / CLFLUSH (memory form of
 * /7). XSAVE and friends (memory forms of /4-/6) are #UD. */
void grp15(X86CPU *cpu, X86Insn *i)
{
    uint32_t v;

    switch (i->op->arg) {
    case 0:
        fxsave(cpu, i);
        return;
    case 1:
        fxrstor(cpu, i);
        return;
    case 2:
        simd_sse_check(cpu);
        simd_ld_at(cpu, i->seg, x86_ea(cpu, i), &v, 4);
        if (v & ~MXCSR_WRITABLE) {
            x86_gp(cpu, 0);
        }
        cpu->mxcsr = v;
        return;
    case 3:
        simd_sse_check(cpu);
        v = cpu->mxcsr;
        simd_st_at(cpu, i->seg, x86_ea(cpu, i), &v, 4);
        return;
    case 5:
    case 6:
        if (i->mod != 3) {
            x86_ud(cpu);
        }
        /* Each vCPU runs with the BQL held; this only orders the host
         * side for any device thread sharing guest memory. */
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        return;
    case 7:
        if (i->mod == 3) {
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
            return;
        }
        /* CLFLUSH: no cache to flush; it faults as a byte read would. */
        x86_ld(cpu, i->seg, x86_ea(cpu, i), 1);
        return;
    default:
        x86_ud(cpu);
    }
}

/* PAUSE (F3 90) is a NOP with a spin-loop hint. */
void pause_nop(X86CPU *cpu, X86Insn *i)
{
}

/* PREFETCHh (0F 18 /0-/3) and the reserved hint NOPs /4-/7: no cache. */
void prefetch(X86CPU *cpu, X86Insn *i)
{
}
