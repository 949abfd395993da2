/*
 * String instructions: MOVS, CMPS, STOS, LODS, SCAS, INS, OUTS, with the
 * REP / REPE / REPNE prefixes (SDM 2 "REP/REPE/REPZ/REPNE/REPNZ").
 *
 * The source is DS:(E)SI (segment overridable), the destination
 * ES:(E)DI; the address size picks SI/DI/CX or ESI/EDI/ECX. Every
 * iteration commits its register updates, so a fault in the middle
 * leaves a state from which the instruction restarts, as on hardware.
 * A long REP runs in slices of REP_SLICE iterations and then restarts
 * itself, so interrupts are taken in between.
 */
#include "target/i386/internal.h"
#include "softmmu/memory.h"

#define REP_SLICE 65536

static uint32_t idx(X86CPU *cpu, X86Insn *i, int r)
{
    return i->adsize == 2 ? cpu->regs[r] & 0xffff : (uint32_t)cpu->regs[r];
}

static void idx_step(X86CPU *cpu, X86Insn *i, int r, unsigned size)
{
    uint32_t d = (cpu->rflags & DF_MASK) ? -size : size;

    x86_set_reg(cpu, r, i->adsize, idx(cpu, i, r) + d);
}

static unsigned str_size(X86Insn *i)
{
    return i->op->arg ? 1 : i->opsize;
}

/* Runs one iteration fn at a time under REP. cond: 0 none, else
 * REPE/REPNE termination on ZF (CMPS/SCAS). */
typedef void StrStep(X86CPU *cpu, X86Insn *i, unsigned size);

static void str_run(X86CPU *cpu, X86Insn *i, StrStep *step, bool cmp)
{
    unsigned size = str_size(i), n = 0;

    if (!i->rep) {
        step(cpu, i, size);
        return;
    }
    while (idx(cpu, i, R_ECX) != 0) {
        if (n++ == REP_SLICE) {
            /* Come back to this instruction after pending events. */
            cpu->rip = x86_soft(cpu)->eip_start;
            return;
        }
        step(cpu, i, size);
        x86_set_reg(cpu, R_ECX, i->adsize, idx(cpu, i, R_ECX) - 1);
        if (cmp) {
            bool zf = x86_cc_cond(cpu, 4);
            if ((i->rep == 0xf3 && !zf) || (i->rep == 0xf2 && zf)) {
                break;
            }
        }
    }
}

static void movs_step(X86CPU *cpu, X86Insn *i, unsigned size)
{
    uint32_t v = x86_ld(cpu, i->seg, idx(cpu, i, R_ESI), size);

    x86_st(cpu, R_ES, idx(cpu, i, R_EDI), v, size);
    idx_step(cpu, i, R_ESI, size);
    idx_step(cpu, i, R_EDI, size);
}

static void cmps_step(X86CPU *cpu, X86Insn *i, unsigned size)
{
    uint32_t a = x86_ld(cpu, i->seg, idx(cpu, i, R_ESI), size);
    uint32_t b = x86_ld(cpu, R_ES, idx(cpu, i, R_EDI), size);

    x86_cc_set(cpu, CC_OP_SUB, size, a, b, (a - b) & size_mask(size), 0);
    idx_step(cpu, i, R_ESI, size);
    idx_step(cpu, i, R_EDI, size);
}

static void stos_step(X86CPU *cpu, X86Insn *i, unsigned size)
{
    x86_st(cpu, R_ES, idx(cpu, i, R_EDI), x86_get_reg(cpu, R_EAX, size),
           size);
    idx_step(cpu, i, R_EDI, size);
}

static void lods_step(X86CPU *cpu, X86Insn *i, unsigned size)
{
    x86_set_reg(cpu, R_EAX, size,
                x86_ld(cpu, i->seg, idx(cpu, i, R_ESI), size));
    idx_step(cpu, i, R_ESI, size);
}

static void scas_step(X86CPU *cpu, X86Insn *i, unsigned size)
{
    uint32_t a = x86_get_reg(cpu, R_EAX, size);
    uint32_t b = x86_ld(cpu, R_ES, idx(cpu, i, R_EDI), size);

    x86_cc_set(cpu, CC_OP_SUB, size, a, b, (a - b) & size_mask(size), 0);
    idx_step(cpu, i, R_EDI, size);
}

static void ins_step(X86CPU *cpu, X86Insn *i, unsigned size)
{
    unsigned port = cpu->regs[R_EDX] & 0xffff;
    uint32_t v;

    /* The destination is checked before the port is read. */
    x86_seg_check(cpu, R_ES, idx(cpu, i, R_EDI), size, true);
    v = address_space_ld(&address_space_io, port, size);
    x86_st(cpu, R_ES, idx(cpu, i, R_EDI), v, size);
    idx_step(cpu, i, R_EDI, size);
}

static void outs_step(X86CPU *cpu, X86Insn *i, unsigned size)
{
    unsigned port = cpu->regs[R_EDX] & 0xffff;
    uint32_t v = x86_ld(cpu, i->seg, idx(cpu, i, R_ESI), size);

    address_space_st(&address_space_io, port, v, size);
    idx_step(cpu, i, R_ESI, size);
}

void movs(X86CPU *cpu, X86Insn *i)
{
    str_run(cpu, i, movs_step, false);
}

void cmps(X86CPU *cpu, X86Insn *i)
{
    str_run(cpu, i, cmps_step, true);
}

void stos(X86CPU *cpu, X86Insn *i)
{
    str_run(cpu, i, stos_step, false);
}

void lods(X86CPU *cpu, X86Insn *i)
{
    str_run(cpu, i, lods_step, false);
}

void scas(X86CPU *cpu, X86Insn *i)
{
    str_run(cpu, i, scas_step, true);
}

void ins(X86CPU *cpu, X86Insn *i)
{
    x86_check_io(cpu, cpu->regs[R_EDX] & 0xffff, str_size(i));
    str_run(cpu, i, ins_step, false);
}

void outs(X86CPU *cpu, X86Insn *i)
{
    x86_check_io(cpu, cpu->regs[R_EDX] & 0xffff, str_size(i));
    str_run(cpu, i, outs_step, false);
}
