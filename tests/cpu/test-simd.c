/*
 * Unit tests of the software CPU's MMX, SSE and SSE2 (target/i386/mmx.c,
 * sse.c and their decode.c cells) on a test bus with 1 MiB of RAM, in
 * flat 32-bit protected mode at ring 0.
 *
 * Each instruction runs on operands set in the CPU state (mostly random
 * from a fixed seed, with special floating-point values mixed in) and its
 * result is compared with what the host's own SSE/MMX computes through
 * the compiler's intrinsics, so the comparison is exact; MXCSR's flags
 * are compared too. Then: x87 state after MMX and EMMS, the faults (#UD
 * without CR4.OSFXSR or with CR0.EM, #NM with CR0.TS, #GP for a
 * misaligned MOVAPS and a bad MXCSR, #XM / #UD for an unmasked SIMD
 * exception), stores that cross into a not-present page (#PF, nothing
 * written), fences, hints and non-temporal stores, FXSAVE/FXRSTOR, CPUID
 * and CR4.
 *
 * Exception vectors are reported by handlers that load the vector into
 * AL and halt.
 */
#include "target/i386/internal.h"
#include "softmmu/memory.h"
#include <emmintrin.h>

#define RAM_SIZE (1 * MiB)
#define CODE 0x7000
#define GDT 0x8100
#define IDT 0x8400
#define HANDLERS 0x6000     /* vector v: mov al,v; hlt; nop at +4v */
#define DATA 0x20000
#define NO_EXC 0xff
/* MXCSR flags and the x87 ES bit, from the SDM */
#define MXCSR_IE_TEST 0x01
#define MXCSR_ZE_TEST 0x04
#define MXCSR_PE_TEST 0x20
#define FSW_ES_TEST 0x80

static MemoryRegion ram_mr, mem_root, io_root;
static X86CPU cpu;

static void put(uint32_t addr, const void *bytes, size_t n)
{
    g_assert_cmpuint(addr + n, <=, RAM_SIZE);
    memcpy(ram_mr.host + addr, bytes, n);
}

static void put32(uint32_t addr, uint32_t v)
{
    put(addr, &v, 4);
}

static void bus_init(void)
{
    static bool done;
    Error *err = NULL;

    if (!done) {
        memory_region_init_container(&mem_root, "memory", UINT64_MAX);
        g_assert_true(memory_region_init_ram(&ram_mr, "ram", RAM_SIZE, &err));
        memory_region_add_subregion(&mem_root, 0, &ram_mr, 0);
        address_space_init(&address_space_memory, &mem_root, "memory");
        memory_region_init_container(&io_root, "io", 0x10000);
        address_space_init(&address_space_io, &io_root, "I/O");
        done = true;
    }
    memset(ram_mr.host, 0, RAM_SIZE);
}

static void flat(SegmentCache *sc, uint16_t sel, unsigned type)
{
    sc->selector = sel;
    sc->base = 0;
    sc->limit = 0xffffffff;
    sc->flags = DESC_P_MASK | DESC_S_MASK | DESC_B_MASK | DESC_G_MASK |
                (type << DESC_TYPE_SHIFT);
}

/* Flat ring-0 protected mode, SSE enabled by the OS (CR4.OSFXSR and
 * OSXMMEXCPT), CR0.MP and NE as an OS sets them. */
static void machine(void)
{
    unsigned v, k;

    bus_init();
    x86_cpu_reset(&cpu);
    put32(GDT + 8, 0x0000ffff);
    put32(GDT + 12, 0x00cf9a00);
    put32(GDT + 16, 0x0000ffff);
    put32(GDT + 20, 0x00cf9200);
    cpu.gdt.base = GDT;
    cpu.gdt.limit = 0x17;
    cpu.idt.base = IDT;
    cpu.idt.limit = 0x7ff;
    for (v = 0; v < 32; v++) {
        uint8_t stub[4] = { 0xb0, v, 0xf4, 0x90 };
        uint32_t off = HANDLERS + 4 * v;
        put(off, stub, 4);
        put32(IDT + v * 8, (0x08 << 16) | (off & 0xffff));
        put32(IDT + v * 8 + 4, (off & 0xffff0000) | (0x8e << 8));
    }
    cpu.cr[0] = CR0_PE | CR0_MP | CR0_NE | CR0_ET;
    cpu.cr[4] = CR4_OSFXSR | CR4_OSXMMEXCPT;
    flat(&cpu.segs[R_CS], 0x08, 0xb);
    for (k = 0; k < 6; k++) {
        if (k != R_CS) {
            flat(&cpu.segs[k], 0x10, 0x3);
        }
    }
    cpu.regs[R_ESP] = 0x9000;
    cpu.rip = CODE;
    x86_cpu_flush_caches(&cpu);
}

/* Runs code (HLT appended) from CODE with the current register state;
 * returns the exception vector taken, or NO_EXC if the code reached its
 * HLT. */
static unsigned run_code(const uint8_t *code, size_t n)
{
    static const uint8_t hlt = 0xf4;

    put(CODE, code, n);
    put(CODE + n, &hlt, 1);
    cpu.rip = CODE;
    cpu.regs[R_ESP] = 0x9000;
    cpu.halted = false;
    g_assert_cmpint(x86_cpu_exec(&cpu, 1000), ==, X86_EXIT_HALTED);
    if (cpu.rip == CODE + n + 1) {
        return NO_EXC;
    }
    g_assert_cmphex(cpu.rip, >=, HANDLERS);
    g_assert_cmphex(cpu.rip, <, HANDLERS + 4 * 32);
    return cpu.regs[R_EAX] & 0xff;
}

/* ---- operands ---- */

static uint32_t rng_state = 12345;

static uint32_t rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 8) ^ (rng_state << 20);
}

static float rnd_float(void)
{
    static const uint32_t special[] = {
        0x00000000, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000,
        0x7fa00000, 0x00000001, 0x807fffff, 0x7f7fffff, 0x3f800000,
    };
    uint32_t r = rnd(), bits;
    float f;

    if (r % 8 == 0) {
        bits = special[(r >> 4) % ARRAY_SIZE(special)];
    } else {
        f = (float)(int32_t)rnd() / (float)(1 + (rnd() & 0xffff));
        memcpy(&bits, &f, 4);
    }
    memcpy(&f, &bits, 4);
    return f;
}

static double rnd_double(void)
{
    static const uint64_t special[] = {
        0, 0x8000000000000000ull, 0x7ff0000000000000ull,
        0x7ff8000000000000ull, 0x7ff4000000000000ull, 1,
        0x7fefffffffffffffull, 0x3ff0000000000000ull,
    };
    uint32_t r = rnd();
    uint64_t bits;
    double d;

    if (r % 8 == 0) {
        bits = special[(r >> 4) % ARRAY_SIZE(special)];
        memcpy(&d, &bits, 8);
        return d;
    }
    return (double)(int32_t)rnd() * 1.000001 / (double)(1 + (rnd() & 0xff));
}

typedef enum { K_INT, K_PS, K_PD } Kind;

static __m128i rnd_vec(Kind k)
{
    union { __m128i v; uint32_t d[4]; float f[4]; double g[2]; } u;
    unsigned j;

    for (j = 0; j < 4; j++) {
        if (k == K_PS) {
            u.f[j] = rnd_float();
        } else {
            u.d[j] = rnd();
            /* small values so saturation and compares both happen */
            if (k == K_INT && (rnd() & 1)) {
                u.d[j] &= 0x80ff80ff;
            }
        }
    }
    if (k == K_PD) {
        u.g[0] = rnd_double();
        u.g[1] = rnd_double();
    }
    return u.v;
}

/* ---- SSE/SSE2 register-register forms against the host ---- */

typedef __m128i RefFn(__m128i a, __m128i b);

#define REF_I(name, expr) \
    static __attribute__((noinline)) __m128i name(__m128i a, __m128i b) \
    { \
        return (expr); \
    }
#define REF_PS(name, fn) \
    REF_I(name, _mm_castps_si128(fn(_mm_castsi128_ps(a), \
                                    _mm_castsi128_ps(b))))
#define REF_PD(name, fn) \
    REF_I(name, _mm_castpd_si128(fn(_mm_castsi128_pd(a), \
                                    _mm_castsi128_pd(b))))
#define REF_PS1(name, fn) REF_I(name, _mm_castps_si128(fn(_mm_castsi128_ps(b))))
#define REF_PD1(name, fn) REF_I(name, _mm_castpd_si128(fn(_mm_castsi128_pd(b))))

REF_I(r_paddb, _mm_add_epi8(a, b))
REF_I(r_paddw, _mm_add_epi16(a, b))
REF_I(r_paddd, _mm_add_epi32(a, b))
REF_I(r_paddq, _mm_add_epi64(a, b))
REF_I(r_psubb, _mm_sub_epi8(a, b))
REF_I(r_psubw, _mm_sub_epi16(a, b))
REF_I(r_psubd, _mm_sub_epi32(a, b))
REF_I(r_psubq, _mm_sub_epi64(a, b))
REF_I(r_paddsb, _mm_adds_epi8(a, b))
REF_I(r_paddsw, _mm_adds_epi16(a, b))
REF_I(r_paddusb, _mm_adds_epu8(a, b))
REF_I(r_paddusw, _mm_adds_epu16(a, b))
REF_I(r_psubsb, _mm_subs_epi8(a, b))
REF_I(r_psubsw, _mm_subs_epi16(a, b))
REF_I(r_psubusb, _mm_subs_epu8(a, b))
REF_I(r_psubusw, _mm_subs_epu16(a, b))
REF_I(r_pcmpeqb, _mm_cmpeq_epi8(a, b))
REF_I(r_pcmpeqw, _mm_cmpeq_epi16(a, b))
REF_I(r_pcmpeqd, _mm_cmpeq_epi32(a, b))
REF_I(r_pcmpgtb, _mm_cmpgt_epi8(a, b))
REF_I(r_pcmpgtw, _mm_cmpgt_epi16(a, b))
REF_I(r_pcmpgtd, _mm_cmpgt_epi32(a, b))
REF_I(r_pmullw, _mm_mullo_epi16(a, b))
REF_I(r_pmulhw, _mm_mulhi_epi16(a, b))
REF_I(r_pmulhuw, _mm_mulhi_epu16(a, b))
REF_I(r_pmaddwd, _mm_madd_epi16(a, b))
REF_I(r_pmuludq, _mm_mul_epu32(a, b))
REF_I(r_pand, _mm_and_si128(a, b))
REF_I(r_pandn, _mm_andnot_si128(a, b))
REF_I(r_por, _mm_or_si128(a, b))
REF_I(r_pxor, _mm_xor_si128(a, b))
REF_I(r_pavgb, _mm_avg_epu8(a, b))
REF_I(r_pavgw, _mm_avg_epu16(a, b))
REF_I(r_pminub, _mm_min_epu8(a, b))
REF_I(r_pmaxub, _mm_max_epu8(a, b))
REF_I(r_pminsw, _mm_min_epi16(a, b))
REF_I(r_pmaxsw, _mm_max_epi16(a, b))
REF_I(r_psadbw, _mm_sad_epu8(a, b))
REF_I(r_packsswb, _mm_packs_epi16(a, b))
REF_I(r_packssdw, _mm_packs_epi32(a, b))
REF_I(r_packuswb, _mm_packus_epi16(a, b))
REF_I(r_punpcklbw, _mm_unpacklo_epi8(a, b))
REF_I(r_punpcklwd, _mm_unpacklo_epi16(a, b))
REF_I(r_punpckldq, _mm_unpacklo_epi32(a, b))
REF_I(r_punpcklqdq, _mm_unpacklo_epi64(a, b))
REF_I(r_punpckhbw, _mm_unpackhi_epi8(a, b))
REF_I(r_punpckhwd, _mm_unpackhi_epi16(a, b))
REF_I(r_punpckhdq, _mm_unpackhi_epi32(a, b))
REF_I(r_punpckhqdq, _mm_unpackhi_epi64(a, b))
/* shift counts: the low quadword of b masked small, and the same count
 * given to the host */
REF_I(r_psrlw, _mm_srl_epi16(a, b))
REF_I(r_psrad, _mm_sra_epi32(a, b))
REF_I(r_psllq, _mm_sll_epi64(a, b))
REF_I(r_pshufd, _mm_shuffle_epi32(b, 0x9c))
REF_I(r_pshufhw, _mm_shufflehi_epi16(b, 0x4e))
REF_I(r_pshuflw, _mm_shufflelo_epi16(b, 0xb1))
REF_I(r_psrldq, _mm_srli_si128(a, 5))
REF_I(r_pslldq, _mm_slli_si128(a, 11))
REF_I(r_psrawi, _mm_srai_epi16(a, 9))
REF_I(r_pslldi, _mm_slli_epi32(a, 33))
REF_PS(r_addps, _mm_add_ps)
REF_PS(r_subps, _mm_sub_ps)
REF_PS(r_mulps, _mm_mul_ps)
REF_PS(r_divps, _mm_div_ps)
REF_PS(r_minps, _mm_min_ps)
REF_PS(r_maxps, _mm_max_ps)
REF_PS(r_addss, _mm_add_ss)
REF_PS(r_divss, _mm_div_ss)
REF_PS(r_cmpltps, _mm_cmplt_ps)
REF_PS(r_cmpunordss, _mm_cmpunord_ss)
REF_PS(r_andnps, _mm_andnot_ps)
REF_PS(r_unpcklps, _mm_unpacklo_ps)
REF_PS(r_unpckhps, _mm_unpackhi_ps)
REF_PS1(r_sqrtps, _mm_sqrt_ps)
REF_PS1(r_rcpps, _mm_rcp_ps)
REF_PS1(r_rsqrtps, _mm_rsqrt_ps)
REF_I(r_sqrtss, _mm_castps_si128(_mm_move_ss(_mm_castsi128_ps(a),
                                 _mm_sqrt_ss(_mm_castsi128_ps(b)))))
REF_I(r_shufps, _mm_castps_si128(_mm_shuffle_ps(_mm_castsi128_ps(a),
                                                _mm_castsi128_ps(b), 0x1b)))
REF_PD(r_addpd, _mm_add_pd)
REF_PD(r_subpd, _mm_sub_pd)
REF_PD(r_mulpd, _mm_mul_pd)
REF_PD(r_divpd, _mm_div_pd)
REF_PD(r_maxpd, _mm_max_pd)
REF_PD(r_addsd, _mm_add_sd)
REF_PD(r_minsd, _mm_min_sd)
REF_PD(r_cmplepd, _mm_cmple_pd)
REF_PD(r_cmpneqsd, _mm_cmpneq_sd)
REF_PD(r_unpckhpd, _mm_unpackhi_pd)
REF_PD1(r_sqrtpd, _mm_sqrt_pd)
REF_I(r_sqrtsd, _mm_castpd_si128(_mm_sqrt_sd(_mm_castsi128_pd(a),
                                             _mm_castsi128_pd(b))))
REF_I(r_shufpd, _mm_castpd_si128(_mm_shuffle_pd(_mm_castsi128_pd(a),
                                                _mm_castsi128_pd(b), 2)))
REF_I(r_cvtdq2ps, _mm_castps_si128(_mm_cvtepi32_ps(b)))
REF_I(r_cvtps2dq, _mm_cvtps_epi32(_mm_castsi128_ps(b)))
REF_I(r_cvttps2dq, _mm_cvttps_epi32(_mm_castsi128_ps(b)))
REF_I(r_cvtpd2ps, _mm_castps_si128(_mm_cvtpd_ps(_mm_castsi128_pd(b))))
REF_I(r_cvtps2pd, _mm_castpd_si128(_mm_cvtps_pd(_mm_castsi128_ps(b))))
REF_I(r_cvtdq2pd, _mm_castpd_si128(_mm_cvtepi32_pd(b)))
REF_I(r_cvtpd2dq, _mm_cvtpd_epi32(_mm_castsi128_pd(b)))
REF_I(r_cvttpd2dq, _mm_cvttpd_epi32(_mm_castsi128_pd(b)))
REF_I(r_cvtsd2ss, _mm_castps_si128(_mm_cvtsd_ss(_mm_castsi128_ps(a),
                                                _mm_castsi128_pd(b))))
REF_I(r_cvtss2sd, _mm_castpd_si128(_mm_cvtss_sd(_mm_castsi128_pd(a),
                                                _mm_castsi128_ps(b))))

typedef struct VecCase {
    const char *name;
    uint8_t len;
    uint8_t code[6];        /* op xmm0,xmm1 (ModRM C1) */
    Kind kind;
    RefFn *ref;
    bool small_count;       /* b's low quadword is a shift count */
} VecCase;

#define I66(op) 4, { 0x66, 0x0f, op, 0xc1 }
#define I66B(op, ib) 5, { 0x66, 0x0f, op, 0xc1, ib }
#define IPS(op) 3, { 0x0f, op, 0xc1 }
#define IF3(op) 4, { 0xf3, 0x0f, op, 0xc1 }
#define IF2(op) 4, { 0xf2, 0x0f, op, 0xc1 }

static const VecCase vec_cases[] = {
    { "paddb", I66(0xfc), K_INT, r_paddb },
    { "paddw", I66(0xfd), K_INT, r_paddw },
    { "paddd", I66(0xfe), K_INT, r_paddd },
    { "paddq", I66(0xd4), K_INT, r_paddq },
    { "psubb", I66(0xf8), K_INT, r_psubb },
    { "psubw", I66(0xf9), K_INT, r_psubw },
    { "psubd", I66(0xfa), K_INT, r_psubd },
    { "psubq", I66(0xfb), K_INT, r_psubq },
    { "paddsb", I66(0xec), K_INT, r_paddsb },
    { "paddsw", I66(0xed), K_INT, r_paddsw },
    { "paddusb", I66(0xdc), K_INT, r_paddusb },
    { "paddusw", I66(0xdd), K_INT, r_paddusw },
    { "psubsb", I66(0xe8), K_INT, r_psubsb },
    { "psubsw", I66(0xe9), K_INT, r_psubsw },
    { "psubusb", I66(0xd8), K_INT, r_psubusb },
    { "psubusw", I66(0xd9), K_INT, r_psubusw },
    { "pcmpeqb", I66(0x74), K_INT, r_pcmpeqb },
    { "pcmpeqw", I66(0x75), K_INT, r_pcmpeqw },
    { "pcmpeqd", I66(0x76), K_INT, r_pcmpeqd },
    { "pcmpgtb", I66(0x64), K_INT, r_pcmpgtb },
    { "pcmpgtw", I66(0x65), K_INT, r_pcmpgtw },
    { "pcmpgtd", I66(0x66), K_INT, r_pcmpgtd },
    { "pmullw", I66(0xd5), K_INT, r_pmullw },
    { "pmulhw", I66(0xe5), K_INT, r_pmulhw },
    { "pmulhuw", I66(0xe4), K_INT, r_pmulhuw },
    { "pmaddwd", I66(0xf5), K_INT, r_pmaddwd },
    { "pmuludq", I66(0xf4), K_INT, r_pmuludq },
    { "pand", I66(0xdb), K_INT, r_pand },
    { "pandn", I66(0xdf), K_INT, r_pandn },
    { "por", I66(0xeb), K_INT, r_por },
    { "pxor", I66(0xef), K_INT, r_pxor },
    { "pavgb", I66(0xe0), K_INT, r_pavgb },
    { "pavgw", I66(0xe3), K_INT, r_pavgw },
    { "pminub", I66(0xda), K_INT, r_pminub },
    { "pmaxub", I66(0xde), K_INT, r_pmaxub },
    { "pminsw", I66(0xea), K_INT, r_pminsw },
    { "pmaxsw", I66(0xee), K_INT, r_pmaxsw },
    { "psadbw", I66(0xf6), K_INT, r_psadbw },
    { "packsswb", I66(0x63), K_INT, r_packsswb },
    { "packssdw", I66(0x6b), K_INT, r_packssdw },
    { "packuswb", I66(0x67), K_INT, r_packuswb },
    { "punpcklbw", I66(0x60), K_INT, r_punpcklbw },
    { "punpcklwd", I66(0x61), K_INT, r_punpcklwd },
    { "punpckldq", I66(0x62), K_INT, r_punpckldq },
    { "punpcklqdq", I66(0x6c), K_INT, r_punpcklqdq },
    { "punpckhbw", I66(0x68), K_INT, r_punpckhbw },
    { "punpckhwd", I66(0x69), K_INT, r_punpckhwd },
    { "punpckhdq", I66(0x6a), K_INT, r_punpckhdq },
    { "punpckhqdq", I66(0x6d), K_INT, r_punpckhqdq },
    { "psrlw", I66(0xd1), K_INT, r_psrlw, true },
    { "psrad", I66(0xe2), K_INT, r_psrad, true },
    { "psllq", I66(0xf3), K_INT, r_psllq, true },
    { "pshufd", I66B(0x70, 0x9c), K_INT, r_pshufd },
    { "pshufhw", 5, { 0xf3, 0x0f, 0x70, 0xc1, 0x4e }, K_INT, r_pshufhw },
    { "pshuflw", 5, { 0xf2, 0x0f, 0x70, 0xc1, 0xb1 }, K_INT, r_pshuflw },
    { "psrldq 5", 5, { 0x66, 0x0f, 0x73, 0xd8, 5 }, K_INT, r_psrldq },
    { "pslldq 11", 5, { 0x66, 0x0f, 0x73, 0xf8, 11 }, K_INT, r_pslldq },
    { "psraw 9", 5, { 0x66, 0x0f, 0x71, 0xe0, 9 }, K_INT, r_psrawi },
    { "pslld 33", 5, { 0x66, 0x0f, 0x72, 0xf0, 33 }, K_INT, r_pslldi },
    { "addps", IPS(0x58), K_PS, r_addps },
    { "subps", IPS(0x5c), K_PS, r_subps },
    { "mulps", IPS(0x59), K_PS, r_mulps },
    { "divps", IPS(0x5e), K_PS, r_divps },
    { "minps", IPS(0x5d), K_PS, r_minps },
    { "maxps", IPS(0x5f), K_PS, r_maxps },
    { "sqrtps", IPS(0x51), K_PS, r_sqrtps },
    { "rcpps", IPS(0x53), K_PS, r_rcpps },
    { "rsqrtps", IPS(0x52), K_PS, r_rsqrtps },
    { "addss", IF3(0x58), K_PS, r_addss },
    { "divss", IF3(0x5e), K_PS, r_divss },
    { "sqrtss", IF3(0x51), K_PS, r_sqrtss },
    { "cmpltps", 4, { 0x0f, 0xc2, 0xc1, 1 }, K_PS, r_cmpltps },
    { "cmpunordss", 5, { 0xf3, 0x0f, 0xc2, 0xc1, 3 }, K_PS, r_cmpunordss },
    { "andnps", IPS(0x55), K_PS, r_andnps },
    { "unpcklps", IPS(0x14), K_PS, r_unpcklps },
    { "unpckhps", IPS(0x15), K_PS, r_unpckhps },
    { "shufps", 4, { 0x0f, 0xc6, 0xc1, 0x1b }, K_PS, r_shufps },
    { "addpd", I66(0x58), K_PD, r_addpd },
    { "subpd", I66(0x5c), K_PD, r_subpd },
    { "mulpd", I66(0x59), K_PD, r_mulpd },
    { "divpd", I66(0x5e), K_PD, r_divpd },
    { "maxpd", I66(0x5f), K_PD, r_maxpd },
    { "sqrtpd", I66(0x51), K_PD, r_sqrtpd },
    { "addsd", IF2(0x58), K_PD, r_addsd },
    { "minsd", IF2(0x5d), K_PD, r_minsd },
    { "sqrtsd", IF2(0x51), K_PD, r_sqrtsd },
    { "cmplepd", I66B(0xc2, 2), K_PD, r_cmplepd },
    { "cmpneqsd", 5, { 0xf2, 0x0f, 0xc2, 0xc1, 4 }, K_PD, r_cmpneqsd },
    { "unpckhpd", I66(0x15), K_PD, r_unpckhpd },
    { "shufpd", I66B(0xc6, 2), K_PD, r_shufpd },
    { "cvtdq2ps", IPS(0x5b), K_INT, r_cvtdq2ps },
    { "cvtps2dq", I66(0x5b), K_PS, r_cvtps2dq },
    { "cvttps2dq", IF3(0x5b), K_PS, r_cvttps2dq },
    { "cvtpd2ps", I66(0x5a), K_PD, r_cvtpd2ps },
    { "cvtps2pd", IPS(0x5a), K_PS, r_cvtps2pd },
    { "cvtdq2pd", IF3(0xe6), K_INT, r_cvtdq2pd },
    { "cvtpd2dq", IF2(0xe6), K_PD, r_cvtpd2dq },
    { "cvttpd2dq", I66(0xe6), K_PD, r_cvttpd2dq },
    { "cvtsd2ss", IF2(0x5a), K_PD, r_cvtsd2ss },
    { "cvtss2sd", IF3(0x5a), K_PS, r_cvtss2sd },
};

/* Each case on 64 operand pairs under each rounding mode, with and
 * without DAZ/FZ. */
static void test_vec_ops(void)
{
    unsigned c, n, rc;

    machine();
    for (c = 0; c < ARRAY_SIZE(vec_cases); c++) {
        const VecCase *vc = &vec_cases[c];
        for (n = 0; n < 64; n++) {
            __m128i a = rnd_vec(vc->kind), b = rnd_vec(vc->kind), want;
            uint32_t host_csr, guest_flags, want_flags, csr;

            if (vc->small_count) {
                b = _mm_set_epi32(rnd(), rnd(), 0, rnd() % 70);
            }
            /* each rounding mode, with and without DAZ and FZ */
            rc = n % 4;
            csr = 0x1f80 | (rc << 13) | ((n & 4) ? 0x8040 : 0);
            memcpy(cpu.xmm[0], &a, 16);
            memcpy(cpu.xmm[1], &b, 16);
            cpu.mxcsr = csr;
            g_assert_cmphex(run_code(vc->code, vc->len), ==, NO_EXC);
            guest_flags = cpu.mxcsr & 0x3f;

            host_csr = _mm_getcsr();
            _mm_setcsr(csr);
            want = vc->ref(a, b);
            want_flags = _mm_getcsr() & 0x3f;
            _mm_setcsr(host_csr);

            if (memcmp(cpu.xmm[0], &want, 16) || guest_flags != want_flags) {
                uint32_t g[4], w[4], x[4], y[4];
                memcpy(g, cpu.xmm[0], 16);
                memcpy(w, &want, 16);
                memcpy(x, &a, 16);
                memcpy(y, &b, 16);
                g_test_message("%s rc %u: a %08x %08x %08x %08x b %08x "
                               "%08x %08x %08x: got %08x %08x %08x %08x "
                               "flags %02x, want %08x %08x %08x %08x "
                               "flags %02x", vc->name, rc, x[0], x[1],
                               x[2], x[3], y[0], y[1], y[2], y[3], g[0],
                               g[1], g[2], g[3], guest_flags, w[0], w[1],
                               w[2], w[3], want_flags);
            }
            g_assert_cmpmem(cpu.xmm[0], 16, &want, 16);
            g_assert_cmphex(guest_flags, ==, want_flags);
            /* the source register is left alone */
            g_assert_cmpmem(cpu.xmm[1], 16, &b, 16);
        }
    }
}

/* Memory operands: ADDPS xmm0,[eax], MOVUPS, MOVSS/MOVSD to and from
 * memory, MOVLPS/MOVHPS/MOVHLPS/MOVLHPS, MOVQ, MOVD, MOVDQU across a
 * page. */
static void test_sse_moves(void)
{
    static const uint8_t addps_mem[] = { 0x0f, 0x58, 0x00 };
    static const uint8_t movss_ld[] = { 0xf3, 0x0f, 0x10, 0x00 };
    static const uint8_t movsd_st[] = { 0xf2, 0x0f, 0x11, 0x08 };
    static const uint8_t movss_rr[] = { 0xf3, 0x0f, 0x10, 0xc1 };
    static const uint8_t movhps_ld[] = { 0x0f, 0x16, 0x00 };
    static const uint8_t movhlps[] = { 0x0f, 0x12, 0xc1 };
    static const uint8_t movlhps[] = { 0x0f, 0x16, 0xc1 };
    static const uint8_t movhpd_st[] = { 0x66, 0x0f, 0x17, 0x08 };
    static const uint8_t movq_ld[] = { 0xf3, 0x0f, 0x7e, 0x00 };
    static const uint8_t movq_st_rr[] = { 0x66, 0x0f, 0xd6, 0xc8 };
    static const uint8_t movd_ld[] = { 0x66, 0x0f, 0x6e, 0xc3 };
    static const uint8_t movd_st[] = { 0x66, 0x0f, 0x7e, 0xca };
    static const uint8_t movdqu_st[] = { 0xf3, 0x0f, 0x7f, 0x08 };
    static const uint8_t movdqu_ld[] = { 0xf3, 0x0f, 0x6f, 0x10 };
    static const uint8_t movmskps[] = { 0x0f, 0x50, 0xd1 };
    static const float mem[4] = { 1.5f, -2.0f, 3.25f, 1e30f };
    float x[4] = { 1, 2, 3, 4 }, want[4];
    uint32_t w[4];
    unsigned k;

    machine();
    put(DATA, mem, 16);
    memcpy(cpu.xmm[0], x, 16);
    cpu.regs[R_EAX] = DATA;
    g_assert_cmphex(run_code(addps_mem, 3), ==, NO_EXC);
    for (k = 0; k < 4; k++) {
        want[k] = x[k] + mem[k];
    }
    g_assert_cmpmem(cpu.xmm[0], 16, want, 16);

    /* MOVSS from memory clears the rest; between registers keeps it */
    memset(cpu.xmm[0], 0x55, 16);
    cpu.regs[R_EAX] = DATA + 4;
    g_assert_cmphex(run_code(movss_ld, 4), ==, NO_EXC);
    memcpy(w, cpu.xmm[0], 16);
    g_assert_cmphex(w[0], ==, 0xc0000000);
    g_assert_cmphex(w[1] | w[2] | w[3], ==, 0);
    memset(cpu.xmm[0], 0x55, 16);
    memset(cpu.xmm[1], 0x11, 16);
    g_assert_cmphex(run_code(movss_rr, 4), ==, NO_EXC);
    memcpy(w, cpu.xmm[0], 16);
    g_assert_cmphex(w[0], ==, 0x11111111);
    g_assert_cmphex(w[1], ==, 0x55555555);

    /* MOVSD [eax],xmm1 writes 8 bytes only */
    memset(ram_mr.host + DATA, 0xee, 32);
    cpu.regs[R_EAX] = DATA;
    memcpy(cpu.xmm[1], "ABCDEFGHIJKLMNOP", 16);
    g_assert_cmphex(run_code(movsd_st, 4), ==, NO_EXC);
    g_assert_cmpmem(ram_mr.host + DATA, 9, "ABCDEFGH\xee", 9);

    /* MOVHPS xmm0,[eax]; MOVHLPS; MOVLHPS; MOVHPD [eax],xmm1 */
    memcpy(cpu.xmm[0], "0123456789abcdef", 16);
    g_assert_cmphex(run_code(movhps_ld, 3), ==, NO_EXC);
    g_assert_cmpmem(cpu.xmm[0], 16, "01234567ABCDEFGH", 16);
    memcpy(cpu.xmm[1], "ghijklmnopqrstuv", 16);
    g_assert_cmphex(run_code(movhlps, 3), ==, NO_EXC);
    g_assert_cmpmem(cpu.xmm[0], 16, "opqrstuvABCDEFGH", 16);
    g_assert_cmphex(run_code(movlhps, 3), ==, NO_EXC);
    g_assert_cmpmem(cpu.xmm[0], 16, "opqrstuvghijklmn", 16);
    g_assert_cmphex(run_code(movhpd_st, 4), ==, NO_EXC);
    g_assert_cmpmem(ram_mr.host + DATA, 9, "opqrstuv\xee", 9);

    /* MOVQ xmm0,[eax] clears the upper half; MOVQ xmm0,xmm1 too */
    memset(cpu.xmm[0], 0x77, 16);
    g_assert_cmphex(run_code(movq_ld, 4), ==, NO_EXC);
    g_assert_cmpmem(cpu.xmm[0], 16, "opqrstuv\0\0\0\0\0\0\0\0", 16);
    memset(cpu.xmm[0], 0x77, 16);
    g_assert_cmphex(run_code(movq_st_rr, 4), ==, NO_EXC);
    g_assert_cmpmem(cpu.xmm[0], 16, "ghijklmn\0\0\0\0\0\0\0\0", 16);

    /* MOVD xmm0,ebx; MOVD edx,xmm1 */
    cpu.regs[R_EBX] = 0xdeadbeef;
    memset(cpu.xmm[0], 0x77, 16);
    g_assert_cmphex(run_code(movd_ld, 4), ==, NO_EXC);
    g_assert_cmpmem(cpu.xmm[0], 16,
                    "\xef\xbe\xad\xde\0\0\0\0\0\0\0\0\0\0\0\0", 16);
    g_assert_cmphex(run_code(movd_st, 4), ==, NO_EXC);
    g_assert_cmphex(cpu.regs[R_EDX], ==, 0x6a696867);

    /* MOVDQU across a page boundary, both ways */
    cpu.regs[R_EAX] = DATA + 0xff9;
    g_assert_cmphex(run_code(movdqu_st, 4), ==, NO_EXC);
    g_assert_cmpmem(ram_mr.host + DATA + 0xff9, 16, cpu.xmm[1], 16);
    memset(cpu.xmm[2], 0, 16);
    g_assert_cmphex(run_code(movdqu_ld, 4), ==, NO_EXC);
    g_assert_cmpmem(cpu.xmm[2], 16, cpu.xmm[1], 16);

    /* MOVMSKPS edx,xmm1 */
    memcpy(cpu.xmm[1], (uint32_t[4]){ 0x80000000, 1, 0xffffffff, 0 }, 16);
    g_assert_cmphex(run_code(movmskps, 3), ==, NO_EXC);
    g_assert_cmphex(cpu.regs[R_EDX], ==, 5);
}

/* COMISS/UCOMISD flags, scalar conversions with general registers. */
static void test_sse_scalar(void)
{
    static const uint8_t comiss[] = { 0x0f, 0x2f, 0xc1, 0x9c, 0x58 };
    static const uint8_t ucomisd[] = { 0x66, 0x0f, 0x2e, 0xc1, 0x9c, 0x58 };
    static const uint8_t cvtsi2sd[] = { 0xf2, 0x0f, 0x2a, 0xc3 };
    static const uint8_t cvttss2si[] = { 0xf3, 0x0f, 0x2c, 0xc1 };
    static const uint8_t cvtsd2si[] = { 0xf2, 0x0f, 0x2d, 0xc1 };
    static const uint8_t cvtpi2ps[] = { 0x0f, 0x2a, 0xc1 };
    static const uint8_t cvtps2pi[] = { 0x0f, 0x2d, 0xc1 };
    const uint32_t zpc = CC_Z | CC_P | CC_C;
    float f[4] = { 1.0f, 0, 0, 0 }, g[4] = { 2.0f, 0, 0, 0 };
    double d[2] = { 2.5, 0 }, e[2] = { __builtin_nan(""), 0 };
    uint32_t w[4];
    __m128 host;

    machine();
    memcpy(cpu.xmm[0], f, 16);
    memcpy(cpu.xmm[1], g, 16);
    g_assert_cmphex(run_code(comiss, sizeof(comiss)), ==, NO_EXC);
    g_assert_cmphex(cpu.regs[R_EAX] & (zpc | CC_O | CC_S | CC_A), ==, CC_C);
    memcpy(cpu.xmm[0], g, 16);
    g_assert_cmphex(run_code(comiss, sizeof(comiss)), ==, NO_EXC);
    g_assert_cmphex(cpu.regs[R_EAX] & zpc, ==, CC_Z);
    memcpy(cpu.xmm[0], d, 16);
    memcpy(cpu.xmm[1], e, 16);
    cpu.mxcsr = 0x1f80;
    g_assert_cmphex(run_code(ucomisd, sizeof(ucomisd)), ==, NO_EXC);
    g_assert_cmphex(cpu.regs[R_EAX] & zpc, ==, zpc);
    g_assert_cmphex(cpu.mxcsr, ==, 0x1f80);     /* quiet NaN: no #I */

    cpu.regs[R_EBX] = (uint32_t)-7;
    g_assert_cmphex(run_code(cvtsi2sd, 4), ==, NO_EXC);
    memcpy(d, cpu.xmm[0], 16);
    g_assert_true(d[0] == -7.0);

    f[0] = -3.75f;
    memcpy(cpu.xmm[1], f, 16);
    g_assert_cmphex(run_code(cvttss2si, 4), ==, NO_EXC);
    g_assert_cmphex(cpu.regs[R_EAX], ==, (uint32_t)-3);
    g_assert_cmphex(cpu.mxcsr & 0x3f, ==, MXCSR_PE_TEST);

    /* round to nearest even, then down (RC = 01) */
    d[0] = 2.5;
    memcpy(cpu.xmm[1], d, 16);
    cpu.mxcsr = 0x1f80;
    g_assert_cmphex(run_code(cvtsd2si, 4), ==, NO_EXC);
    g_assert_cmphex(cpu.regs[R_EAX], ==, 2);
    d[0] = -2.5;
    memcpy(cpu.xmm[1], d, 16);
    cpu.mxcsr = 0x3f80;
    g_assert_cmphex(run_code(cvtsd2si, 4), ==, NO_EXC);
    g_assert_cmphex(cpu.regs[R_EAX], ==, (uint32_t)-3);
    d[0] = 3e9;                 /* out of range: integer indefinite, #I */
    memcpy(cpu.xmm[1], d, 16);
    cpu.mxcsr = 0x1f80;
    g_assert_cmphex(run_code(cvtsd2si, 4), ==, NO_EXC);
    g_assert_cmphex(cpu.regs[R_EAX], ==, 0x80000000);
    g_assert_cmphex(cpu.mxcsr & 0x3f, ==, MXCSR_IE_TEST);

    /* CVTPI2PS xmm0,mm1 writes the low half only; CVTPS2PI mm0,xmm1 */
    cpu.fpregs[1].mant = ((uint64_t)(uint32_t)-5 << 32) | 16777217;
    memset(cpu.xmm[0], 0x3c, 16);
    cpu.mxcsr = 0x1f80;
    g_assert_cmphex(run_code(cvtpi2ps, 3), ==, NO_EXC);
    host = _mm_cvtepi32_ps(_mm_set_epi32(0, 0, -5, 16777217));
    memcpy(w, cpu.xmm[0], 16);
    g_assert_cmpmem(w, 8, &host, 8);
    g_assert_cmphex(w[2], ==, 0x3c3c3c3c);
    g_assert_cmphex(cpu.mxcsr & 0x3f, ==, MXCSR_PE_TEST);
    f[0] = 7.5f;
    f[1] = -0.5f;
    f[2] = 1e20f;               /* the upper lanes do not take part */
    memcpy(cpu.xmm[1], f, 16);
    cpu.mxcsr = 0x1f80;
    g_assert_cmphex(run_code(cvtps2pi, 3), ==, NO_EXC);
    g_assert_cmphex(cpu.fpregs[0].mant, ==, 8);     /* 7.5 -> 8, -0.5 -> -0 */
    g_assert_cmphex(cpu.mxcsr & 0x3f, ==, MXCSR_PE_TEST);
    g_assert_cmphex(cpu.fpregs[0].sign_exp, ==, 0xffff);
}

/* ---- MMX ---- */

typedef __m64 MmxRef(__m64 a, __m64 b);

#define REF_M(name, fn) \
    static __attribute__((noinline)) __m64 name(__m64 a, __m64 b) \
    { \
        return fn(a, b); \
    }

REF_M(m_paddsb, _mm_adds_pi8)
REF_M(m_psubusw, _mm_subs_pu16)
REF_M(m_pmaddwd, _mm_madd_pi16)
REF_M(m_pmulhw, _mm_mulhi_pi16)
REF_M(m_packsswb, _mm_packs_pi16)
REF_M(m_packuswb, _mm_packs_pu16)
REF_M(m_packssdw, _mm_packs_pi32)
REF_M(m_punpckhbw, _mm_unpackhi_pi8)
REF_M(m_punpckldq, _mm_unpacklo_pi32)
REF_M(m_pcmpgtw, _mm_cmpgt_pi16)
REF_M(m_pandn, _mm_andnot_si64)
REF_M(m_psraw, _mm_sra_pi16)
REF_M(m_pavgb, _mm_avg_pu8)
REF_M(m_psadbw, _mm_sad_pu8)
REF_M(m_pmaxsw, _mm_max_pi16)
REF_M(m_pminub, _mm_min_pu8)
REF_M(m_pmulhuw, _mm_mulhi_pu16)
REF_M(m_paddq, _mm_add_si64)
REF_M(m_pmuludq, _mm_mul_su32)

static const struct {
    const char *name;
    uint8_t code[3];        /* op mm0,mm1 */
    MmxRef *ref;
    bool small_count;
} mmx_cases[] = {
    { "paddsb", { 0x0f, 0xec, 0xc1 }, m_paddsb },
    { "psubusw", { 0x0f, 0xd9, 0xc1 }, m_psubusw },
    { "pmaddwd", { 0x0f, 0xf5, 0xc1 }, m_pmaddwd },
    { "pmulhw", { 0x0f, 0xe5, 0xc1 }, m_pmulhw },
    { "packsswb", { 0x0f, 0x63, 0xc1 }, m_packsswb },
    { "packuswb", { 0x0f, 0x67, 0xc1 }, m_packuswb },
    { "packssdw", { 0x0f, 0x6b, 0xc1 }, m_packssdw },
    { "punpckhbw", { 0x0f, 0x68, 0xc1 }, m_punpckhbw },
    { "punpckldq", { 0x0f, 0x62, 0xc1 }, m_punpckldq },
    { "pcmpgtw", { 0x0f, 0x65, 0xc1 }, m_pcmpgtw },
    { "pandn", { 0x0f, 0xdf, 0xc1 }, m_pandn },
    { "psraw", { 0x0f, 0xe1, 0xc1 }, m_psraw, true },
    { "pavgb", { 0x0f, 0xe0, 0xc1 }, m_pavgb },
    { "psadbw", { 0x0f, 0xf6, 0xc1 }, m_psadbw },
    { "pmaxsw", { 0x0f, 0xee, 0xc1 }, m_pmaxsw },
    { "pminub", { 0x0f, 0xda, 0xc1 }, m_pminub },
    { "pmulhuw", { 0x0f, 0xe4, 0xc1 }, m_pmulhuw },
    { "paddq", { 0x0f, 0xd4, 0xc1 }, m_paddq },
    { "pmuludq", { 0x0f, 0xf4, 0xc1 }, m_pmuludq },
};

static void test_mmx_ops(void)
{
    unsigned c, n;

    machine();
    for (c = 0; c < ARRAY_SIZE(mmx_cases); c++) {
        for (n = 0; n < 64; n++) {
            uint64_t a = ((uint64_t)rnd() << 32) | rnd();
            uint64_t b = ((uint64_t)rnd() << 32) | (rnd() & 0x80ff80ff);
            __m64 want;

            if (mmx_cases[c].small_count) {
                b = rnd() % 20;
            }
            cpu.fpregs[0].mant = a;
            cpu.fpregs[1].mant = b;
            g_assert_cmphex(run_code(mmx_cases[c].code, 3), ==, NO_EXC);
            want = mmx_cases[c].ref((__m64)a, (__m64)b);
            _mm_empty();
            if (cpu.fpregs[0].mant != (uint64_t)want) {
                g_test_message("%s: %016" PRIx64 ", %016" PRIx64 ": got %016"
                               PRIx64 ", want %016" PRIx64,
                               mmx_cases[c].name, a, b, cpu.fpregs[0].mant,
                               (uint64_t)want);
            }
            g_assert_cmphex(cpu.fpregs[0].mant, ==, (uint64_t)want);
        }
    }
}

/* MMX and the x87 state: TOP 0, all tags valid, written register's
 * exponent all ones; EMMS empties the tags. Plus MOVD/MOVQ, PSHUFW,
 * PINSRW/PEXTRW, PMOVMSKB, MASKMOVQ, MOVQ2DQ/MOVDQ2Q, shifts by an
 * immediate. */
static void test_mmx_state(void)
{
    static const uint8_t movd_paddw[] = {
        0x0f, 0x6e, 0xd3,               /* movd mm2,ebx */
        0x0f, 0xfd, 0xd2,               /* paddw mm2,mm2 */
    };
    static const uint8_t emms[] = { 0x0f, 0x77 };
    static const uint8_t movq_st[] = { 0x0f, 0x7f, 0x10 };  /* [eax],mm2 */
    static const uint8_t movq_ld[] = { 0x0f, 0x6f, 0x18 };  /* mm3,[eax] */
    static const uint8_t pshufw[] = { 0x0f, 0x70, 0xe3, 0x1b };
    static const uint8_t pinsrw[] = { 0x0f, 0xc4, 0xe1, 2 };    /* mm4,ecx */
    static const uint8_t pextrw[] = { 0x0f, 0xc5, 0xd4, 2 };    /* edx,mm4 */
    static const uint8_t pmovmskb[] = { 0x0f, 0xd7, 0xd4 };
    static const uint8_t psllq_imm[] = { 0x0f, 0x73, 0xf4, 8 };
    static const uint8_t maskmovq[] = { 0x0f, 0xf7, 0xd4 };  /* mm2, mm4 */
    static const uint8_t movq2dq[] = { 0xf3, 0x0f, 0xd6, 0xfc };
    static const uint8_t movdq2q[] = { 0xf2, 0x0f, 0xd6, 0xef };
    static const uint8_t movd_st[] = { 0x0f, 0x7e, 0xe6 };   /* esi,mm4 */

    machine();
    cpu.fsw = 5 << 11;
    cpu.ftw = 0xffff;
    cpu.regs[R_EBX] = 0x00030001;
    g_assert_cmphex(run_code(movd_paddw, sizeof(movd_paddw)), ==, NO_EXC);
    g_assert_cmphex(cpu.fpregs[2].mant, ==, 0x00060002);
    g_assert_cmphex(cpu.fpregs[2].sign_exp, ==, 0xffff);
    g_assert_cmphex(cpu.fsw & 0x3800, ==, 0);
    g_assert_cmphex(cpu.ftw, ==, 0);
    g_assert_cmphex(run_code(emms, 2), ==, NO_EXC);
    g_assert_cmphex(cpu.ftw, ==, 0xffff);

    cpu.regs[R_EAX] = DATA;
    cpu.fpregs[2].mant = 0x1122334455667788ull;
    g_assert_cmphex(run_code(movq_st, 3), ==, NO_EXC);
    g_assert_cmpmem(ram_mr.host + DATA, 8,
                    "\x88\x77\x66\x55\x44\x33\x22\x11", 8);
    g_assert_cmphex(run_code(movq_ld, 3), ==, NO_EXC);
    g_assert_cmphex(cpu.fpregs[3].mant, ==, 0x1122334455667788ull);
    g_assert_cmphex(run_code(pshufw, 4), ==, NO_EXC);
    g_assert_cmphex(cpu.fpregs[4].mant, ==, 0x7788556633441122ull);
    cpu.regs[R_ECX] = 0xabcdbeef;
    g_assert_cmphex(run_code(pinsrw, 4), ==, NO_EXC);
    g_assert_cmphex(cpu.fpregs[4].mant, ==, 0x7788beef33441122ull);
    g_assert_cmphex(run_code(pextrw, 4), ==, NO_EXC);
    g_assert_cmphex(cpu.regs[R_EDX], ==, 0xbeef);
    g_assert_cmphex(run_code(pmovmskb, 3), ==, NO_EXC);
    g_assert_cmphex(cpu.regs[R_EDX], ==, 0x70);
    g_assert_cmphex(run_code(psllq_imm, 4), ==, NO_EXC);
    g_assert_cmphex(cpu.fpregs[4].mant, ==, 0x88beef3344112200ull);
    g_assert_cmphex(run_code(movd_st, 3), ==, NO_EXC);
    g_assert_cmphex(cpu.regs[R_ESI], ==, 0x44112200);

    /* MASKMOVQ mm2,mm4: bytes 5, 6, 7 of mask 88be_ef33_4411_2200 */
    memset(ram_mr.host + DATA, 0, 8);
    cpu.regs[R_EDI] = DATA;
    g_assert_cmphex(run_code(maskmovq, 3), ==, NO_EXC);
    g_assert_cmpmem(ram_mr.host + DATA, 8,
                    "\0\0\0\0\0\x33\x22\x11", 8);

    memset(cpu.xmm[7], 0x99, 16);
    g_assert_cmphex(run_code(movq2dq, 4), ==, NO_EXC);
    g_assert_cmpmem(cpu.xmm[7], 16,
                    "\x00\x22\x11\x44\x33\xef\xbe\x88\0\0\0\0\0\0\0\0", 16);
    g_assert_cmphex(run_code(movdq2q, 4), ==, NO_EXC);
    g_assert_cmphex(cpu.fpregs[5].mant, ==, 0x88beef3344112200ull);
}

/* The rest: fences and hints, non-temporal stores, MASKMOVDQU, the
 * MMX <-> double conversions, word and mask moves on XMM registers. */
static void test_misc(void)
{
    static const uint8_t hints[] = {
        0x0f, 0xae, 0xe8,               /* lfence */
        0x0f, 0xae, 0xf0,               /* mfence */
        0x0f, 0xae, 0xf8,               /* sfence */
        0x0f, 0xae, 0x38,               /* clflush [eax] */
        0x0f, 0x18, 0x00,               /* prefetchnta [eax] */
        0x0f, 0x18, 0x08,               /* prefetcht0 [eax] */
        0xf3, 0x90,                     /* pause */
    };
    static const uint8_t movntdq[] = { 0x66, 0x0f, 0xe7, 0x08 };
    static const uint8_t movntpd[] = { 0x66, 0x0f, 0x2b, 0x08 };
    static const uint8_t movnti[] = { 0x0f, 0xc3, 0x18 };
    static const uint8_t movntq[] = { 0x0f, 0xe7, 0x08 };
    static const uint8_t maskmovdqu[] = { 0x66, 0x0f, 0xf7, 0xca };
    static const uint8_t cvtpi2pd[] = { 0x66, 0x0f, 0x2a, 0xc1 };
    static const uint8_t cvtpd2pi[] = { 0x66, 0x0f, 0x2d, 0xc1 };
    static const uint8_t cvttpd2pi[] = { 0x66, 0x0f, 0x2c, 0xc1 };
    static const uint8_t pinsrw_mem[] = { 0x66, 0x0f, 0xc4, 0x00, 5 };
    static const uint8_t pextrw[] = { 0x66, 0x0f, 0xc5, 0xd0, 5 };
    static const uint8_t pmovmskb[] = { 0x66, 0x0f, 0xd7, 0xd1 };
    static const uint8_t movmskpd[] = { 0x66, 0x0f, 0x50, 0xd1 };
    static const uint8_t lock_addps[] = { 0xf0, 0x0f, 0x58, 0x00 };
    static const uint8_t fxsave_reg[] = { 0x0f, 0xae, 0xc0 };
    double d[2] = { -2.5, 1e12 };
    uint8_t mask[16], data[16], want[16];
    unsigned k;

    machine();
    cpu.regs[R_EAX] = DATA;
    g_assert_cmphex(run_code(hints, sizeof(hints)), ==, NO_EXC);
    cpu.cr[4] = 0;                      /* none of these is an SSE op */
    g_assert_cmphex(run_code(hints, sizeof(hints)), ==, NO_EXC);
    cpu.cr[4] = CR4_OSFXSR | CR4_OSXMMEXCPT;

    memcpy(cpu.xmm[1], "0123456789abcdef", 16);
    g_assert_cmphex(run_code(movntdq, 4), ==, NO_EXC);
    g_assert_cmpmem(ram_mr.host + DATA, 16, "0123456789abcdef", 16);
    cpu.regs[R_EAX] = DATA + 4;
    g_assert_cmphex(run_code(movntpd, 4), ==, EXCP_GP);
    cpu.regs[R_EAX] = DATA + 4;
    cpu.regs[R_EBX] = 0x64636261;
    g_assert_cmphex(run_code(movnti, 3), ==, NO_EXC);
    g_assert_cmpmem(ram_mr.host + DATA, 16, "0123abcd89abcdef", 16);
    cpu.fpregs[1].mant = 0x4847464544434241ull;
    cpu.regs[R_EAX] = DATA + 8;
    g_assert_cmphex(run_code(movntq, 3), ==, NO_EXC);
    g_assert_cmpmem(ram_mr.host + DATA, 16, "0123abcdABCDEFGH", 16);

    /* MASKMOVDQU xmm1,xmm2 to DS:EDI */
    for (k = 0; k < 16; k++) {
        mask[k] = (k % 3) ? 0x80 : 0x7f;
        data[k] = 0xc0 + k;
        want[k] = (k % 3) ? data[k] : 0xee;
    }
    memset(ram_mr.host + DATA + 0x100, 0xee, 16);
    memcpy(cpu.xmm[1], data, 16);
    memcpy(cpu.xmm[2], mask, 16);
    cpu.regs[R_EDI] = DATA + 0x100;
    g_assert_cmphex(run_code(maskmovdqu, 4), ==, NO_EXC);
    g_assert_cmpmem(ram_mr.host + DATA + 0x100, 16, want, 16);

    /* CVTPI2PD xmm0,mm1 (an MMX instruction: TOP 0, tags valid) */
    cpu.fpregs[1].mant = ((uint64_t)(uint32_t)-9 << 32) | 123456789;
    cpu.fsw = 3 << 11;
    cpu.ftw = 0xffff;
    g_assert_cmphex(run_code(cvtpi2pd, 4), ==, NO_EXC);
    memcpy(d, cpu.xmm[0], 16);
    g_assert_true(d[0] == 123456789.0 && d[1] == -9.0);
    g_assert_cmphex(cpu.ftw, ==, 0);
    g_assert_cmphex(cpu.fsw & 0x3800, ==, 0);
    /* CVTPD2PI / CVTTPD2PI mm0,xmm1 */
    d[0] = -2.5;
    d[1] = 1e12;
    memcpy(cpu.xmm[1], d, 16);
    cpu.mxcsr = 0x1f80;
    g_assert_cmphex(run_code(cvtpd2pi, 4), ==, NO_EXC);
    g_assert_cmphex(cpu.fpregs[0].mant, ==, 0x80000000fffffffeull);
    g_assert_cmphex(cpu.mxcsr & 0x3f, ==, MXCSR_IE_TEST | MXCSR_PE_TEST);
    d[1] = 7.9;
    memcpy(cpu.xmm[1], d, 16);
    g_assert_cmphex(run_code(cvttpd2pi, 4), ==, NO_EXC);
    g_assert_cmphex(cpu.fpregs[0].mant, ==, 0x00000007fffffffeull);

    /* PINSRW xmm0,[eax],5; PEXTRW edx,xmm0,5; PMOVMSKB; MOVMSKPD */
    cpu.regs[R_EAX] = DATA;
    memset(cpu.xmm[0], 0, 16);
    g_assert_cmphex(run_code(pinsrw_mem, 5), ==, NO_EXC);
    g_assert_cmphex(((uint16_t *)cpu.xmm[0])[5], ==, 0x3130);
    g_assert_cmphex(run_code(pextrw, 5), ==, NO_EXC);
    g_assert_cmphex(cpu.regs[R_EDX], ==, 0x3130);
    memcpy(cpu.xmm[1], mask, 16);
    g_assert_cmphex(run_code(pmovmskb, 4), ==, NO_EXC);
    g_assert_cmphex(cpu.regs[R_EDX], ==, 0x6db6);
    g_assert_cmphex(run_code(movmskpd, 4), ==, NO_EXC);
    g_assert_cmphex(cpu.regs[R_EDX], ==, 1);     /* bytes 7 and 15 */

    /* LOCK and register forms of memory-only cells: #UD */
    g_assert_cmphex(run_code(lock_addps, 4), ==, EXCP_UD);
    g_assert_cmphex(run_code(fxsave_reg, 3), ==, EXCP_UD);
}

/* A 16-byte store whose second half hits a not-present page: #PF and
 * no byte written; the same load leaves the register alone. */
static void test_page_fault(void)
{
    static const uint8_t movdqu_st[] = { 0xf3, 0x0f, 0x7f, 0x08 };
    static const uint8_t movdqu_ld[] = { 0xf3, 0x0f, 0x6f, 0x00 };
    static const uint8_t movq_st[] = { 0x0f, 0x7f, 0x08 };
    const uint32_t pd = 0x10000, pt = 0x11000;
    unsigned k;

    machine();
    put32(pd, pt | 3);
    for (k = 0; k < 256; k++) {
        put32(pt + 4 * k, k == (DATA >> 12) + 1 ? 0 : (k << 12) | 3);
    }
    cpu.cr[3] = pd;
    cpu.cr[0] |= CR0_PG;
    x86_cpu_flush_caches(&cpu);

    memset(ram_mr.host + DATA + 0xff8, 0xee, 8);
    memset(cpu.xmm[1], 0x11, 16);
    cpu.regs[R_EAX] = DATA + 0xff8;
    g_assert_cmphex(run_code(movdqu_st, 4), ==, EXCP_PF);
    g_assert_cmphex(cpu.cr[2], ==, DATA + 0x1000);
    g_assert_cmpmem(ram_mr.host + DATA + 0xff8, 8,
                    "\xee\xee\xee\xee\xee\xee\xee\xee", 8);
    cpu.fpregs[1].mant = 0x1111111111111111ull;
    cpu.regs[R_EAX] = DATA + 0xffc;
    g_assert_cmphex(run_code(movq_st, 3), ==, EXCP_PF);
    g_assert_cmpmem(ram_mr.host + DATA + 0xff8, 8,
                    "\xee\xee\xee\xee\xee\xee\xee\xee", 8);
    memset(cpu.xmm[0], 0x22, 16);
    cpu.regs[R_EAX] = DATA + 0xff8;
    g_assert_cmphex(run_code(movdqu_ld, 4), ==, EXCP_PF);
    for (k = 0; k < 16; k++) {
        g_assert_cmphex(cpu.xmm[0][k], ==, 0x22);
    }
    /* the page before it works */
    cpu.regs[R_EAX] = DATA + 0xff0;
    g_assert_cmphex(run_code(movdqu_st, 4), ==, NO_EXC);
    g_assert_cmphex(ram_mr.host[DATA + 0xfff], ==, 0x11);
}

/* ---- faults ---- */

static void test_faults(void)
{
    static const uint8_t addps[] = { 0x0f, 0x58, 0xc1 };
    static const uint8_t paddb_mm[] = { 0x0f, 0xfc, 0xc1 };
    static const uint8_t movaps_ld[] = { 0x0f, 0x28, 0x00 };
    static const uint8_t movups_ld[] = { 0x0f, 0x10, 0x00 };
    static const uint8_t movdqa_st[] = { 0x66, 0x0f, 0x7f, 0x00 };
    static const uint8_t paddd_mem[] = { 0x66, 0x0f, 0xfe, 0x00 };
    static const uint8_t ldmxcsr[] = { 0x0f, 0xae, 0x10 };
    static const uint8_t stmxcsr[] = { 0x0f, 0xae, 0x18 };
    static const uint8_t fxsave[] = { 0x0f, 0xae, 0x00 };
    static const uint8_t divps[] = { 0x0f, 0x5e, 0xc1 };
    static const uint8_t emms[] = { 0x0f, 0x77 };
    static const uint8_t f3_paddb[] = { 0xf3, 0x0f, 0xfc, 0xc1 };
    static const uint8_t movhlps_66[] = { 0x66, 0x0f, 0x12, 0xc1 };
    float one[4] = { 1, 1, 1, 1 }, zero[4] = { 1, 0, 1, 1 };

    /* #UD without CR4.OSFXSR (MMX still works); #UD with CR0.EM for both */
    machine();
    cpu.cr[4] = 0;
    g_assert_cmphex(run_code(addps, 3), ==, EXCP_UD);
    g_assert_cmphex(run_code(paddb_mm, 3), ==, NO_EXC);
    g_assert_cmphex(run_code(ldmxcsr, 3), ==, EXCP_UD);
    cpu.cr[4] = CR4_OSFXSR;
    cpu.cr[0] |= CR0_EM;
    g_assert_cmphex(run_code(addps, 3), ==, EXCP_UD);
    g_assert_cmphex(run_code(paddb_mm, 3), ==, EXCP_UD);
    g_assert_cmphex(run_code(emms, 2), ==, EXCP_UD);
    cpu.regs[R_EAX] = DATA;
    g_assert_cmphex(run_code(fxsave, 3), ==, EXCP_NM);

    /* #NM with CR0.TS */
    cpu.cr[0] &= ~CR0_EM;
    cpu.cr[0] |= CR0_TS;
    g_assert_cmphex(run_code(addps, 3), ==, EXCP_NM);
    g_assert_cmphex(run_code(paddb_mm, 3), ==, EXCP_NM);
    g_assert_cmphex(run_code(fxsave, 3), ==, EXCP_NM);
    cpu.cr[0] &= ~CR0_TS;

    /* #MF for a pending x87 exception before an MMX instruction */
    cpu.fsw = FSW_ES_TEST;
    g_assert_cmphex(run_code(paddb_mm, 3), ==, EXCP_MF);
    cpu.fsw = 0;

    /* alignment: MOVAPS, MOVDQA, 128-bit integer operands; MOVUPS not */
    cpu.regs[R_EAX] = DATA + 8;
    g_assert_cmphex(run_code(movaps_ld, 3), ==, EXCP_GP);
    g_assert_cmphex(run_code(movdqa_st, 4), ==, EXCP_GP);
    g_assert_cmphex(run_code(paddd_mem, 4), ==, EXCP_GP);
    g_assert_cmphex(run_code(fxsave, 3), ==, EXCP_GP);
    g_assert_cmphex(run_code(movups_ld, 3), ==, NO_EXC);
    cpu.regs[R_EAX] = DATA + 16;
    g_assert_cmphex(run_code(movaps_ld, 3), ==, NO_EXC);

    /* LDMXCSR: reserved bits #GP(0); STMXCSR reads it back */
    put32(DATA, 0x10000 | 0x1f80);
    cpu.regs[R_EAX] = DATA;
    g_assert_cmphex(run_code(ldmxcsr, 3), ==, EXCP_GP);
    g_assert_cmphex(cpu.mxcsr, ==, 0x1f80);
    put32(DATA, 0x7f40);
    cpu.regs[R_EAX] = DATA;     /* the handler put the vector in AL */
    g_assert_cmphex(run_code(ldmxcsr, 3), ==, NO_EXC);
    g_assert_cmphex(cpu.mxcsr, ==, 0x7f40);
    cpu.regs[R_EAX] = DATA + 4;
    g_assert_cmphex(run_code(stmxcsr, 3), ==, NO_EXC);
    g_assert_cmphex(*(uint32_t *)(ram_mr.host + DATA + 4), ==, 0x7f40);

    /* unmasked divide by zero: #XM (#UD without OSXMMEXCPT), ZE set,
     * destination unchanged */
    cpu.cr[4] = CR4_OSFXSR | CR4_OSXMMEXCPT;
    cpu.mxcsr = 0x1f80 & ~0x200;
    memcpy(cpu.xmm[0], one, 16);
    memcpy(cpu.xmm[1], zero, 16);
    g_assert_cmphex(run_code(divps, 3), ==, EXCP_XM);
    g_assert_cmpmem(cpu.xmm[0], 16, one, 16);
    g_assert_cmphex(cpu.mxcsr & 0x3f, ==, MXCSR_ZE_TEST);
    cpu.cr[4] = CR4_OSFXSR;
    g_assert_cmphex(run_code(divps, 3), ==, EXCP_UD);
    /* masked: infinity and the flag */
    cpu.mxcsr = 0x1f80;
    g_assert_cmphex(run_code(divps, 3), ==, NO_EXC);
    g_assert_cmphex(((uint32_t *)cpu.xmm[0])[1], ==, 0x7f800000);
    g_assert_cmphex(cpu.mxcsr, ==, 0x1f80 | MXCSR_ZE_TEST);

    /* undefined prefix combinations */
    g_assert_cmphex(run_code(f3_paddb, 4), ==, EXCP_UD);
    g_assert_cmphex(run_code(movhlps_66, 4), ==, EXCP_UD);
}

/* ---- FXSAVE / FXRSTOR ---- */

static void test_fxsave(void)
{
    static const uint8_t fxsave[] = { 0x0f, 0xae, 0x00 };
    static const uint8_t fxrstor[] = { 0x0f, 0xae, 0x08 };
    X86CPU saved;
    uint8_t *img = ram_mr.host + DATA;
    unsigned k;

    machine();
    for (k = 0; k < 8; k++) {
        cpu.fpregs[k].mant = 0x8000000000000000ull | (k * 0x111);
        cpu.fpregs[k].sign_exp = 0x3fff + k;
        memset(cpu.xmm[k], 0xa0 + k, 16);
    }
    cpu.fpregs[6].mant = 0;                 /* zero */
    cpu.fpregs[6].sign_exp = 0x8000;
    cpu.fpregs[7].sign_exp = 0x7fff;        /* special */
    cpu.fcw = 0x037f;
    cpu.fsw = (5 << 11) | 0x0041;
    /* R0 empty, R1 valid, R2 zero, R3 special, R4-R7 as tagged */
    cpu.ftw = 3 | (0 << 2) | (1 << 4) | (2 << 6) | (3 << 8) | (0 << 10) |
              (1 << 12) | (2 << 14);
    cpu.fop = 0x7ed;
    cpu.fip = 0x12345678;
    cpu.fcs = 0x08;
    cpu.fdp = 0x9abcdef0;
    cpu.fds = 0x10;
    cpu.mxcsr = 0x1fa5;
    memset(img + 464, 0x5a, 48);            /* software's: untouched */
    cpu.regs[R_EAX] = DATA;
    g_assert_cmphex(run_code(fxsave, 3), ==, NO_EXC);

    g_assert_cmphex(*(uint16_t *)(img + 0), ==, 0x037f);
    g_assert_cmphex(*(uint16_t *)(img + 2), ==, (5 << 11) | 0x41);
    g_assert_cmphex(img[4], ==, 0xee);      /* abridged: R0, R4 empty */
    g_assert_cmphex(*(uint16_t *)(img + 6), ==, 0x7ed);
    g_assert_cmphex(*(uint32_t *)(img + 8), ==, 0x12345678);
    g_assert_cmphex(*(uint16_t *)(img + 12), ==, 0x08);
    g_assert_cmphex(*(uint32_t *)(img + 16), ==, 0x9abcdef0);
    g_assert_cmphex(*(uint16_t *)(img + 20), ==, 0x10);
    g_assert_cmphex(*(uint32_t *)(img + 24), ==, 0x1fa5);
    g_assert_cmphex(*(uint32_t *)(img + 28), ==, 0xffff);
    /* ST(0) is physical R5 (TOP = 5), ST(3) is R0 */
    g_assert_cmphex(*(uint64_t *)(img + 32), ==, cpu.fpregs[5].mant);
    g_assert_cmphex(*(uint16_t *)(img + 40), ==, 0x3fff + 5);
    g_assert_cmphex(*(uint64_t *)(img + 32 + 3 * 16), ==,
                    cpu.fpregs[0].mant);
    g_assert_cmphex(img[160], ==, 0xa0);
    g_assert_cmphex(img[160 + 7 * 16 + 15], ==, 0xa7);
    g_assert_cmphex(img[464], ==, 0x5a);

    /* restore into a scrambled state */
    saved = cpu;
    memset(cpu.fpregs, 0x33, sizeof(cpu.fpregs));
    memset(cpu.xmm, 0x44, sizeof(cpu.xmm));
    cpu.fcw = cpu.fsw = cpu.ftw = cpu.fop = 0;
    cpu.fip = cpu.fdp = 0;
    cpu.mxcsr = 0x1f80;
    g_assert_cmphex(run_code(fxrstor, 3), ==, NO_EXC);
    for (k = 0; k < 8; k++) {
        g_assert_cmphex(cpu.fpregs[k].mant, ==, saved.fpregs[k].mant);
        g_assert_cmphex(cpu.fpregs[k].sign_exp, ==,
                        saved.fpregs[k].sign_exp);
    }
    g_assert_cmpmem(cpu.xmm, 8 * 16, saved.xmm, 8 * 16);
    g_assert_cmphex(cpu.fcw, ==, saved.fcw);
    g_assert_cmphex(cpu.fsw, ==, saved.fsw);
    /* the full tags come back from the registers' contents (R4's tag was
     * empty, R5 valid, R6 zero, R7 special) */
    g_assert_cmphex(cpu.ftw, ==, 3 | (0 << 2) | (0 << 4) | (0 << 6) |
                    (3 << 8) | (0 << 10) | (1 << 12) | (2 << 14));
    g_assert_cmphex(cpu.fop, ==, 0x7ed);
    g_assert_cmphex(cpu.fip, ==, 0x12345678);
    g_assert_cmphex(cpu.fdp, ==, 0x9abcdef0);
    g_assert_cmphex(cpu.fcs, ==, 0x08);
    g_assert_cmphex(cpu.fds, ==, 0x10);
    g_assert_cmphex(cpu.mxcsr, ==, 0x1fa5);

    /* a reserved MXCSR bit in the image: #GP(0), nothing restored */
    *(uint32_t *)(img + 24) = 0x80001f80;
    cpu.fcw = 0x1234;
    g_assert_cmphex(run_code(fxrstor, 3), ==, EXCP_GP);
    g_assert_cmphex(cpu.fcw, ==, 0x1234);
}

/* ---- decoder, CPUID, CR4 ---- */

static void test_decode(void)
{
    static const struct {
        uint8_t len;
        uint8_t b[8];
        bool code32;
        const char *name;
        uint8_t opsize;
    } cases[] = {
        { 4, { 0x66, 0x0f, 0x58, 0xc1 }, true, "addpd Vpd,Wpd", 4 },
        { 4, { 0x66, 0x0f, 0x58, 0xc1 }, false, "addpd Vpd,Wpd", 2 },
        { 4, { 0xf3, 0x0f, 0x58, 0xc1 }, true, "addss Vss,Wss", 4 },
        /* F2 selects; the 66 it overrides stays an operand-size prefix */
        { 5, { 0x66, 0xf2, 0x0f, 0x58, 0xc1 }, true, "addsd Vsd,Wsd", 2 },
        { 3, { 0x0f, 0x58, 0xc1 }, true, "addps Vps,Wps", 4 },
        { 7, { 0x66, 0x0f, 0x70, 0x44, 0x24, 1, 5 }, true,
          "pshufd Vx,Wx,Ib", 4 },
        { 5, { 0x66, 0x0f, 0x73, 0xfb, 3 }, true, "pslldq Ux,Ib", 4 },
        { 4, { 0x0f, 0x71, 0xd0, 3 }, true, "psrlw Nq,Ib", 4 },
        { 7, { 0x0f, 0xae, 0x05, 0, 0, 1, 0 }, true, "fxsave M", 4 },
        { 3, { 0x0f, 0xae, 0xf8 }, true, "sfence / clflush Mb", 4 },
        { 2, { 0xf3, 0x90 }, true, "pause", 4 },
        { 4, { 0xf3, 0x0f, 0x7e, 0xc1 }, true, "movq Vq,Wq", 4 },
        { 4, { 0xf2, 0x0f, 0xd6, 0xc1 }, true, "movdq2q Pq,Uq", 4 },
    };
    unsigned k;

    for (k = 0; k < ARRAY_SIZE(cases); k++) {
        X86Insn i;
        int n = x86_decode_bytes(cases[k].b, cases[k].len, cases[k].code32,
                                 &i);
        g_assert_cmpint(n, ==, cases[k].len);
        if (cases[k].name) {
            g_assert_cmpstr(i.op->name, ==, cases[k].name);
        }
        g_assert_cmpint(i.opsize, ==, cases[k].opsize);
    }
    /* every prefix-table cell with a handler is named */
    for (k = 0; k < 2 * 256; k++) {
        const X86OpEntry *e = k < 256 ? &x86_map1[k] : &x86_map2[k - 256];
        unsigned p;
        if (!(e->flags & X_PFXTAB)) {
            continue;
        }
        g_assert_nonnull(e->group);
        for (p = 0; p < 4; p++) {
            if (e->group[p].fn || (e->group[p].flags & X_GROUP)) {
                g_assert_nonnull(e->group[p].name);
            }
        }
    }
}

static void test_cpuid_cr4(void)
{
    static const uint8_t code[] = {
        0xb8, 0x01, 0, 0, 0,            /* mov eax,1 */
        0x0f, 0xa2,                     /* cpuid */
        0xb8, 0x00, 0x06, 0, 0,         /* mov eax,600h */
        0x0f, 0x22, 0xe0,               /* mov cr4,eax */
    };

    machine();
    cpu.nr_cpuid = 0;
    cpu.cr[4] = 0;
    g_assert_cmphex(run_code(code, sizeof(code)), ==, NO_EXC);
    g_assert_cmphex(cpu.regs[R_EDX] & 0x07880000, ==, 0x07880000);
    g_assert_cmphex((cpu.regs[R_EBX] >> 8) & 0xff, ==, 8);
    g_assert_cmphex(cpu.cr[4], ==, CR4_OSFXSR | CR4_OSXMMEXCPT);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cpu/simd/decode", test_decode);
    g_test_add_func("/cpu/simd/cpuid-cr4", test_cpuid_cr4);
    g_test_add_func("/cpu/simd/sse-sse2-vs-host", test_vec_ops);
    g_test_add_func("/cpu/simd/sse-moves", test_sse_moves);
    g_test_add_func("/cpu/simd/sse-scalar", test_sse_scalar);
    g_test_add_func("/cpu/simd/mmx-vs-host", test_mmx_ops);
    g_test_add_func("/cpu/simd/mmx-state", test_mmx_state);
    g_test_add_func("/cpu/simd/misc", test_misc);
    g_test_add_func("/cpu/simd/page-fault", test_page_fault);
    g_test_add_func("/cpu/simd/faults", test_faults);
    g_test_add_func("/cpu/simd/fxsave-fxrstor", test_fxsave);
    return g_test_run();
}
