/*
 * MMX, SSE and SSE2 for the software CPU: what mmx.c and sse.c share and
 * the handlers decode.c puts in the 0F map (docs/cpu.md, "MMX and SSE").
 *
 *   mmx.c  the packed-integer instructions, on MMX registers (no prefix)
 *          and on XMM registers (66 prefix) with one implementation per
 *          operation; MOVD/MOVQ, EMMS, the x87 state an MMX instruction
 *          changes
 *   sse.c  the packed and scalar floating-point instructions (computed
 *          by the host's SSE unit, so results and flags are exact),
 *          moves, shuffles, conversions, MXCSR, FXSAVE/FXRSTOR, fences
 *
 * Register state is X86CPU's: MMi is fpregs[i].mant, XMMi is xmm[i],
 * MXCSR is mxcsr.
 */
#ifndef TARGET_I386_SIMD_H
#define TARGET_I386_SIMD_H

#include "target/i386/internal.h"

/* MXCSR (SDM 1, "MXCSR Control and Status Register") */
#define MXCSR_IE    0x0001
#define MXCSR_DE    0x0002
#define MXCSR_ZE    0x0004
#define MXCSR_OE    0x0008
#define MXCSR_UE    0x0010
#define MXCSR_PE    0x0020
#define MXCSR_FLAGS 0x003f
#define MXCSR_DAZ   0x0040
#define MXCSR_MASKS 0x1f80      /* IM DM ZM OM UM PM, flags << 7 */
#define MXCSR_RC    0x6000
#define MXCSR_FZ    0x8000
/* Writable bits, the MXCSR_MASK FXSAVE stores (DAZ supported). */
#define MXCSR_WRITABLE 0xffffu

/* x87 status word bits an MMX instruction touches (SDM 1, "x87 FPU
 * Status Register") */
#define FSW_ES      0x0080
#define FSW_TOP     0x3800

/* One MMX or XMM operand; MMX uses the first 8 bytes. The host is
 * little-endian x86 (sse.c insists), as the guest. */
typedef union Vec {
    uint8_t b[16];
    int8_t sb[16];
    uint16_t w[8];
    int16_t sw[8];
    uint32_t d[4];
    int32_t sd[4];
    uint64_t q[2];
    int64_t sq[2];
} Vec;

/* ---- sse.c: checks and operand access ---- */
/* Fault checks before an instruction touches state (SDM 2, the
 * "Exceptions" tables of each instruction): MMX: CR0.EM #UD, CR0.TS #NM,
 * a pending x87 exception #MF, then the MMX state transition (TOP = 0,
 * every tag valid). SSE/SSE2: CR0.EM or CR4.OSFXSR clear #UD, CR0.TS
 * #NM. */
void simd_mmx_check(X86CPU *cpu);
void simd_mmx_enter(X86CPU *cpu);        /* check, then the transition */
void simd_sse_check(X86CPU *cpu);
/* Memory operand of n bytes (4, 8 or 16) at the ModRM address; align:
 * #GP(0) unless 16-byte aligned. Stores check every page before writing
 * a byte. */
void simd_ld(X86CPU *cpu, X86Insn *i, Vec *v, unsigned n, bool align);
void simd_st(X86CPU *cpu, X86Insn *i, const Vec *v, unsigned n,
             bool align);
void simd_ld_at(X86CPU *cpu, int seg, uint32_t off, void *buf, unsigned n);
void simd_st_at(X86CPU *cpu, int seg, uint32_t off, const void *buf,
                unsigned n);

static inline uint64_t mmx_get(X86CPU *cpu, unsigned r)
{
    return cpu->fpregs[r & 7].mant;
}

/* An MMX write also sets the register's sign and exponent to all ones,
 * so x87 code sees a NaN (SDM 1, "Mapping MMX Registers to x87 FPU
 * Registers"). */
static inline void mmx_set(X86CPU *cpu, unsigned r, uint64_t v)
{
    cpu->fpregs[r & 7].mant = v;
    cpu->fpregs[r & 7].sign_exp = 0xffff;
}

static inline void xmm_get(X86CPU *cpu, unsigned r, Vec *v)
{
    memcpy(v, cpu->xmm[r & 7], 16);
}

static inline void xmm_set(X86CPU *cpu, unsigned r, const Vec *v)
{
    memcpy(cpu->xmm[r & 7], v, 16);
}

/* ---- mmx.c: packed-integer operations on n bytes (8 or 16) ---- */
typedef void VecOp(Vec *d, const Vec *s, unsigned n);
/* The entry arg of mmx_Pq_Qq, sse_Vx_Wx and the shift groups. */
enum {
    PUNPCKLBW, PUNPCKLWD, PUNPCKLDQ, PACKSSWB, PCMPGTB, PCMPGTW, PCMPGTD,
    PACKUSWB, PUNPCKHBW, PUNPCKHWD, PUNPCKHDQ, PACKSSDW, PUNPCKLQDQ,
    PUNPCKHQDQ, PCMPEQB, PCMPEQW, PCMPEQD, PSRLW, PSRLD, PSRLQ, PADDQ,
    PMULLW, PSUBUSB, PSUBUSW, PMINUB, PAND, PADDUSB, PADDUSW, PMAXUB,
    PANDN, PAVGB, PSRAW, PSRAD, PAVGW, PMULHUW, PMULHW, PSUBSB, PSUBSW,
    PMINSW, POR, PADDSB, PADDSW, PMAXSW, PXOR, PSLLW, PSLLD, PSLLQ,
    PMULUDQ, PMADDWD, PSADBW, PSUBB, PSUBW, PSUBD, PSUBQ, PADDB, PADDW,
    PADDD, VEC_NR_OPS
};
extern VecOp *const simd_int_ops[VEC_NR_OPS];

/* Handlers. Names follow the SDM's operand notation: P = MMX register
 * in ModRM.reg, Q = MMX register or memory in ModRM.rm, N = MMX register
 * in ModRM.rm, V/W/U = the same for XMM registers, E/G = general
 * registers, M = memory only; ps/ss/pd/sd/x = the operand's type. */
X86Handler mmx_Pq_Qq, sse_Vx_Wx, mmx_shift_Nq_Ib, sse_shift_Ux_Ib,
    sse_shift_dq_Ux_Ib, movd_Pd_Ed, movd_Ed_Pd, movd_Vd_Ed, movd_Ed_Vd,
    movq_Pq_Qq, movq_Qq_Pq, movdq_Vx_Wx, movdq_Wx_Vx, movq_Vq_Wq,
    movq_Wq_Vq, movq2dq, movdq2q, emms, pshufw, pshufd, pinsrw_Pq,
    pinsrw_Vx, pextrw_Gd_Nq, pextrw_Gd_Ux, pmovmskb_Gd_Nq, pmovmskb_Gd_Ux,
    maskmovq, maskmovdqu, movntq, movnti;
X86Handler fp_Vps_Wps, fp_Vss_Wss, fp_Vpd_Wpd, fp_Vsd_Wsd, cmp_Vx_Wx_Ib,
    comis, movss_Vx_Wx, movss_Wx_Vx, movlps_Vq_Mq, movlps_Mq_Vq,
    movhps_Vq_Mq, movhps_Mq_Vq, movmsk_Gd_Ux, shuf_Vx_Wx_Ib, cvt_Vx_Wx,
    cvtpi_Vx_Qq, cvt_Pq_Wx, cvtsi_Vx_Ed, cvt_Gd_Wx, grp15, pause_nop,
    prefetch;

/* Entry args of fp_*: the arithmetic operation. */
enum { FP_ADD, FP_SUB, FP_MUL, FP_DIV, FP_MIN, FP_MAX, FP_SQRT, FP_RCP,
       FP_RSQRT, FP_NR_OPS };

/* Entry args of cvt_Vx_Wx (register-to-register conversions). */
enum { CVT_DQ2PS, CVT_PS2DQ, CVT_TPS2DQ, CVT_PD2PS, CVT_PS2PD, CVT_SD2SS,
       CVT_SS2SD, CVT_DQ2PD, CVT_PD2DQ, CVT_TPD2DQ };

#endif
