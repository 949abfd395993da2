/*
 * The software CPU's private state and the interfaces between its files
 * (docs/cpu.md has the overview).
 *
 *   decode.c   the opcode maps (one table in the shape of the SDM's
 *              appendix A) and the decoder producing an X86Insn
 *   exec.c     x86_cpu_exec: the fetch/decode/execute loop, interrupts
 *   flags.c    lazy EFLAGS
 *   mmu.c      linear -> physical (paging), the TLB, memory accessors
 *   seg.c      segmentation: descriptor loads, gates, far transfers
 *   excp.c     exceptions and interrupt delivery, task switches
 *   arith.c, string.c, bcd.c, control.c, system.c: the handlers
 *
 * Everything here runs on the vCPU thread with the BQL held.
 */
#ifndef TARGET_I386_INTERNAL_H
#define TARGET_I386_INTERNAL_H

#include <setjmp.h>
#include "target/i386/exec.h"

/* EFLAGS (SDM 1, "EFLAGS Register") */
#define CC_C    0x0001
#define CC_P    0x0004
#define CC_A    0x0010
#define CC_Z    0x0040
#define CC_S    0x0080
#define TF_MASK 0x0100
#define IF_MASK 0x0200
#define DF_MASK 0x0400
#define CC_O    0x0800
#define IOPL_MASK 0x3000
#define IOPL_SHIFT 12
#define NT_MASK 0x4000
#define RF_MASK 0x10000
#define VM_MASK 0x20000
#define AC_MASK 0x40000
#define VIF_MASK 0x80000
#define VIP_MASK 0x100000
#define ID_MASK 0x200000
#define CC_ARITH (CC_C | CC_P | CC_A | CC_Z | CC_S | CC_O)

/* Control registers (SDM 3A, "Control Registers") */
#define CR0_PE (1u << 0)
#define CR0_MP (1u << 1)
#define CR0_EM (1u << 2)
#define CR0_TS (1u << 3)
#define CR0_ET (1u << 4)
#define CR0_NE (1u << 5)
#define CR0_WP (1u << 16)
#define CR0_AM (1u << 18)
#define CR0_NW (1u << 29)
#define CR0_CD (1u << 30)
#define CR0_PG (1u << 31)
#define CR4_VME (1u << 0)
#define CR4_PVI (1u << 1)
#define CR4_TSD (1u << 2)
#define CR4_DE  (1u << 3)
#define CR4_PSE (1u << 4)
#define CR4_PAE (1u << 5)
#define CR4_MCE (1u << 6)
#define CR4_PGE (1u << 7)
#define CR4_PCE (1u << 8)
#define CR4_OSFXSR (1u << 9)
#define CR4_OSXMMEXCPT (1u << 10)
#define EFER_NXE (1u << 11)

/* Exception vectors (SDM 3A, table "Protected-Mode Exceptions and
 * Interrupts") */
enum {
    EXCP_DE = 0, EXCP_DB = 1, EXCP_NMI = 2, EXCP_BP = 3, EXCP_OF = 4,
    EXCP_BR = 5, EXCP_UD = 6, EXCP_NM = 7, EXCP_DF = 8, EXCP_TS = 10,
    EXCP_NP = 11, EXCP_SS = 12, EXCP_GP = 13, EXCP_PF = 14, EXCP_MF = 16,
    EXCP_AC = 17, EXCP_MC = 18, EXCP_XM = 19,
};

/* Lazy flags: which operation last set the arithmetic flags. */
typedef enum CCOp {
    CC_OP_EFLAGS,   /* the flags are in cpu->rflags */
    CC_OP_ADD,      /* src1 + src2 + carry_in */
    CC_OP_SUB,      /* src1 - src2 - carry_in */
    CC_OP_LOGIC,    /* CF = OF = 0, AF = 0 */
    CC_OP_INC,      /* add of 1, CF kept in carry_in */
    CC_OP_DEC,
} CCOp;

/* How an instruction's bytes continue after the opcode (and ModRM). */
enum {
    I_NONE, I_B, I_W, I_V,      /* imm8, imm16, imm16/32 by operand size */
    I_BS,                       /* imm8 sign-extended */
    I_AP,                       /* far pointer: offset (v) then selector */
    I_O,                        /* moffs: address-sized offset */
    I_WB,                       /* ENTER: imm16 then imm8 */
};

/* Entry flags */
#define X_MODRM   0x01      /* a ModRM byte follows */
#define X_GROUP   0x02      /* ModRM.reg picks an entry of the group */
#define X_PREFIX  0x04
#define X_TWOBYTE 0x08      /* the 0F escape */
#define X_LOCKOK  0x10      /* LOCK allowed (with a memory destination) */
#define X_MEMONLY 0x20      /* mod == 3 is #UD */
#define X_REGONLY 0x40
#define X_PFXTAB  0x80      /* group: 4 entries chosen by the mandatory
                               prefix: none, 66, F3, F2 (SSE) */

struct X86Insn;
typedef void X86Handler(X86CPU *cpu, struct X86Insn *i);

/* One cell of an opcode map. */
typedef struct X86OpEntry {
    X86Handler *fn;         /* NULL: #UD */
    const char *name;       /* SDM mnemonic and operand form */
    uint8_t flags;
    uint8_t imm;
    int8_t arg;             /* ALU op, condition, register... per handler */
    const struct X86OpEntry *group;  /* X_GROUP: 8 entries, X_PFXTAB: 4 */
} X86OpEntry;

/* A decoded instruction. The effective address is kept as its parts and
 * computed at execution, so a record stays valid while registers change. */
typedef struct X86Insn {
    const X86OpEntry *op;
    uint16_t opcode;        /* 0x0Fxx for the two-byte map */
    uint8_t len;
    uint8_t modrm, mod, reg, rm;
    uint8_t opsize, adsize; /* 2 or 4 bytes */
    int8_t seg;             /* segment of the memory operand */
    bool seg_override;
    uint8_t rep;            /* 0, 0xf2, 0xf3 */
    bool lock;
    int8_t base, index;     /* -1 none */
    uint8_t scale;
    uint32_t disp;
    uint32_t imm, imm2;
} X86Insn;

#define TLB_SIZE 256
#define TLB_MMIO 1u         /* tag bit: go through address_space_ld/st */

typedef struct X86TLBEntry {
    uint32_t tag_r, tag_w, tag_x;   /* linear page | flags, ~0 invalid */
    uintptr_t addend;               /* host = linear + addend (RAM) */
    uint64_t phys;                  /* physical page */
    bool global;
} X86TLBEntry;

typedef struct X86Soft {
    /* lazy flags */
    CCOp cc_op;
    uint8_t cc_size;        /* bytes */
    uint32_t cc_src1, cc_src2, cc_res, cc_carry;

    /* instruction in flight */
    uint32_t eip_start;     /* EIP of the current instruction */
    uint32_t esp_start;
    jmp_buf jmp;
    int excp_depth;         /* for double / triple fault */
    int last_excp;
    bool inhibit_irq;       /* STI / MOV SS shadow for one instruction */
    bool nmi_blocked;       /* from NMI delivery to the next IRET */
    bool inhibit_next;
    bool shutdown;
    bool halt_request;
    uint64_t budget, done;

    /* TLBs for supervisor (0) and user (1) accesses */
    X86TLBEntry tlb[2][TLB_SIZE];
    uint64_t mem_generation;

    /* model-specific */
    uint64_t mtrr[32];
    uint64_t mtrr_def_type;
    uint64_t misc_enable;
} X86Soft;

static inline X86Soft *x86_soft(X86CPU *cpu)
{
    return cpu->soft;
}

/* ---- flags.c ---- */
uint32_t x86_eflags(X86CPU *cpu);                   /* materialised */
void x86_set_eflags(X86CPU *cpu, uint32_t val, uint32_t mask);
void x86_cc_set(X86CPU *cpu, CCOp op, unsigned size, uint32_t s1,
                uint32_t s2, uint32_t res, uint32_t carry);
void x86_cc_materialise(X86CPU *cpu);
bool x86_cc_cond(X86CPU *cpu, unsigned cond);       /* Jcc condition 0-15 */
bool x86_cf(X86CPU *cpu);
uint32_t x86_parity(uint32_t v);

/* ---- excp.c ---- */
NORETURN void x86_raise(X86CPU *cpu, int vec, int errcode);
#define x86_gp(cpu, e) x86_raise(cpu, EXCP_GP, (e))
#define x86_ud(cpu) x86_raise(cpu, EXCP_UD, -1)
void x86_deliver(X86CPU *cpu, int vec, bool sw, int errcode,
                 uint32_t next_eip, bool hw);
bool x86_task_switch(X86CPU *cpu, uint16_t sel, int reason, int errcode,
                     uint32_t next_eip);
enum { TS_JMP, TS_CALL, TS_IRET, TS_INT };

/* ---- mmu.c ---- */
enum { ACC_R, ACC_W, ACC_X };
uint32_t x86_lin_ld(X86CPU *cpu, uint32_t lin, unsigned size, int acc,
                    bool user);
void x86_lin_st(X86CPU *cpu, uint32_t lin, uint32_t val, unsigned size,
                bool user);
/* System-structure accesses (descriptor tables, TSS): supervisor. */
uint32_t x86_sys_ld(X86CPU *cpu, uint32_t lin, unsigned size);
void x86_sys_st(X86CPU *cpu, uint32_t lin, uint32_t val, unsigned size);
/* Host pointer of code at lin (execute access, may fault), NULL if the
 * page is not RAM/ROM. Valid until the next TLB change. */
const uint8_t *x86_code_ptr(X86CPU *cpu, uint32_t lin);
void x86_tlb_flush(X86CPU *cpu, bool global_too);
void x86_tlb_flush_page(X86CPU *cpu, uint32_t lin);
uint64_t x86_phys_ld(X86CPU *cpu, uint64_t pa, unsigned size);
void x86_phys_st(X86CPU *cpu, uint64_t pa, uint64_t v, unsigned size);

/* ---- seg.c ---- */
void x86_seg_check(X86CPU *cpu, int seg, uint32_t off, unsigned size,
                   bool write);
uint32_t x86_ld(X86CPU *cpu, int seg, uint32_t off, unsigned size);
void x86_st(X86CPU *cpu, int seg, uint32_t off, uint32_t v, unsigned size);
uint32_t x86_ld_rmw(X86CPU *cpu, int seg, uint32_t off, unsigned size);
uint8_t x86_fetch8(X86CPU *cpu, uint32_t eip);
void x86_load_seg(X86CPU *cpu, int seg, uint16_t sel);
void x86_load_seg_real(X86CPU *cpu, int seg, uint16_t sel);
void x86_far_jump(X86CPU *cpu, uint16_t sel, uint32_t off,
                  uint32_t next_eip);
void x86_far_call(X86CPU *cpu, uint16_t sel, uint32_t off, unsigned opsize,
                  uint32_t next_eip);
void x86_far_ret(X86CPU *cpu, unsigned opsize, uint16_t pop_bytes);
void x86_iret(X86CPU *cpu, unsigned opsize);
bool x86_load_desc(X86CPU *cpu, uint16_t sel, uint32_t *lo, uint32_t *hi);
void x86_desc_to_cache(SegmentCache *sc, uint16_t sel, uint32_t lo,
                       uint32_t hi);
void x86_set_desc_accessed(X86CPU *cpu, uint16_t sel, uint32_t hi);
void x86_update_mode(X86CPU *cpu);

/* ---- decode.c ---- */
void x86_decode(X86CPU *cpu, X86Insn *i);
extern const X86OpEntry x86_map1[256], x86_map2[256];
/* Decodes from a byte buffer without touching a CPU (tests, disasm).
 * Returns the length or 0 when the bytes do not form an instruction. */
int x86_decode_bytes(const uint8_t *buf, unsigned n, bool code32,
                     X86Insn *i);

/* ---- operand access (exec.c) ---- */
uint32_t x86_ea(X86CPU *cpu, X86Insn *i);
uint32_t x86_get_reg(X86CPU *cpu, int r, unsigned size);
void x86_set_reg(X86CPU *cpu, int r, unsigned size, uint32_t v);
uint32_t x86_get_E(X86CPU *cpu, X86Insn *i, unsigned size);
uint32_t x86_get_E_rmw(X86CPU *cpu, X86Insn *i, unsigned size,
                       uint32_t *ea);
void x86_set_E(X86CPU *cpu, X86Insn *i, unsigned size, uint32_t v);
void x86_set_E_at(X86CPU *cpu, X86Insn *i, unsigned size, uint32_t ea,
                  uint32_t v);
void x86_push(X86CPU *cpu, unsigned size, uint32_t v);
uint32_t x86_pop(X86CPU *cpu, unsigned size);
uint32_t x86_sp_mask(X86CPU *cpu);
void x86_set_sp(X86CPU *cpu, uint32_t v);
void x86_jump(X86CPU *cpu, X86Insn *i, uint32_t target);
int x86_cpl(X86CPU *cpu);
bool x86_pe(X86CPU *cpu);
bool x86_vm86(X86CPU *cpu);
void x86_check_io(X86CPU *cpu, unsigned port, unsigned size);

static inline uint32_t size_mask(unsigned size)
{
    return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

static inline uint32_t sign_bit(unsigned size)
{
    return 1u << (size * 8 - 1);
}

static inline uint32_t sext(uint32_t v, unsigned size)
{
    return size == 1 ? (uint32_t)(int8_t)v :
           size == 2 ? (uint32_t)(int16_t)v : v;
}

static inline uint32_t eip32(X86CPU *cpu)
{
    return (uint32_t)cpu->rip;
}

/* Handlers, by file. */
X86Handler alu_Eb_Gb, alu_Ev_Gv, alu_Gb_Eb, alu_Gv_Ev, alu_AL_Ib, alu_eAX_Iz,
    alu_Eb_Ib, alu_Ev_Iz, alu_Ev_Ib, inc_Zv, dec_Zv, incdec_Eb, incdec_Ev,
    test_Eb_Gb, test_Ev_Gv, test_AL_Ib, test_eAX_Iz, test_Eb_Ib, test_Ev_Iz,
    not_E, neg_E, mul_E, imul_E, div_E, idiv_E, imul_Gv_Ev_I, imul_Gv_Ev,
    shift_Eb_Ib, shift_Ev_Ib, shift_Eb_1, shift_Ev_1, shift_Eb_CL,
    shift_Ev_CL, shld_Ev_Gv, shrd_Ev_Gv, bt_Ev_Gv, bt_Ev_Ib, bsf_Gv_Ev,
    bsr_Gv_Ev, xadd_E_G, cmpxchg_E_G, cmpxchg8b_Mq, bswap_Zd, setcc_Eb,
    cmovcc_Gv_Ev, movzx_Gv_E, movsx_Gv_E, cbw, cwd, salc;
X86Handler movs, cmps, stos, lods, scas, ins, outs;
X86Handler daa, das, aaa, aas, aam, aad;
X86Handler jcc_Jb, jcc_Jz, jmp_Jb, jmp_Jz, call_Jz, ret_near, ret_near_Iw,
    jmp_Ap, call_Ap, ret_far, ret_far_Iw, jmp_Ev, call_Ev, jmp_Mp, call_Mp,
    loop_Jb, jcxz_Jb, int_Ib, int3, into, iret, bound_Gv_Ma, enter, leave,
    hlt;
X86Handler mov_Eb_Gb, mov_Ev_Gv, mov_Gb_Eb, mov_Gv_Ev, mov_Ev_Sw, mov_Sw_Ew,
    lea_Gv_M, mov_AL_Ob, mov_eAX_Ov, mov_Ob_AL, mov_Ov_eAX, mov_Zb_Ib,
    mov_Zv_Iv, mov_Eb_Ib, mov_Ev_Iz, xchg_Eb_Gb, xchg_Ev_Gv, xchg_Zv_eAX,
    push_Zv, pop_Zv, push_Sw, pop_Sw, push_Iz, push_Ib, push_Ev, pop_Ev,
    pusha, popa, pushf, popf, sahf, lahf, xlat, les_lds, in_AL_Ib,
    in_eAX_Ib, out_Ib_AL, out_Ib_eAX, in_AL_DX, in_eAX_DX, out_DX_AL,
    out_DX_eAX, nop, flagop, esc_fpu, wait_fwait;
X86Handler grp6, grp7, lar_Gv_Ew, lsl_Gv_Ew, clts, mov_Rd_Cd, mov_Cd_Rd,
    mov_Rd_Dd, mov_Dd_Rd, invd, wbinvd, wrmsr, rdmsr, rdtsc, rdpmc,
    sysenter, sysexit, cpuid, arpl_Ew_Gw, ud2, invlpg_M, nop_Ev, cmov_dummy;

#endif
