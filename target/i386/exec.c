/*
 * x86_cpu_exec: the interpreter's loop (the contract is exec.h).
 *
 * Each step: take a pending event if one may be taken (NMI; INTR when
 * EFLAGS.IF is set and no STI / MOV SS shadow is active, SDM 3A
 * "Interrupt Handling" and the table of instruction-boundary events),
 * then fetch, decode and execute one instruction. A fault long-jumps
 * back here with the state of the faulting instruction restored (EIP and
 * ESP at its start) and is delivered; a fault while delivering becomes a
 * double fault, and a fault while delivering that a shutdown
 * (X86_EXIT_SHUTDOWN), as on hardware (SDM 3A "Interrupt 8—Double Fault
 * Exception").
 *
 * Single-step (EFLAGS.TF) raises a debug trap after each instruction.
 *
 * Not emulated: debug-register breakpoints (DR0-DR3 are stored only),
 * SMM, the machine-check architecture. UNIMPL: decoded-block caching
 * (each instruction is decoded again when executed; this keeps
 * self-modifying code trivially correct).
 */
#include "target/i386/internal.h"
#include "softmmu/memory.h"

int x86_cpl(X86CPU *cpu)
{
    if (!(cpu->cr[0] & CR0_PE)) {
        return 0;
    }
    if (cpu->rflags & VM_MASK) {
        return 3;
    }
    return cpu->segs[R_CS].selector & 3;
}

bool x86_pe(X86CPU *cpu)
{
    return cpu->cr[0] & CR0_PE;
}

bool x86_vm86(X86CPU *cpu)
{
    return (cpu->cr[0] & CR0_PE) && (cpu->rflags & VM_MASK);
}

uint32_t x86_get_reg(X86CPU *cpu, int r, unsigned size)
{
    switch (size) {
    case 1:
        return r < 4 ? cpu->regs[r] & 0xff : (cpu->regs[r - 4] >> 8) & 0xff;
    case 2:
        return cpu->regs[r] & 0xffff;
    default:
        return (uint32_t)cpu->regs[r];
    }
}

void x86_set_reg(X86CPU *cpu, int r, unsigned size, uint32_t v)
{
    switch (size) {
    case 1:
        if (r < 4) {
            cpu->regs[r] = (cpu->regs[r] & ~0xffULL) | (v & 0xff);
        } else {
            cpu->regs[r - 4] = (cpu->regs[r - 4] & ~0xff00ULL) |
                               ((v & 0xff) << 8);
        }
        break;
    case 2:
        cpu->regs[r] = (cpu->regs[r] & ~0xffffULL) | (v & 0xffff);
        break;
    default:
        cpu->regs[r] = v;
        break;
    }
}

uint32_t x86_ea(X86CPU *cpu, X86Insn *i)
{
    uint32_t a = i->disp;

    if (i->base >= 0) {
        a += (uint32_t)cpu->regs[i->base];
    }
    if (i->index >= 0) {
        a += (uint32_t)cpu->regs[i->index] << i->scale;
    }
    return i->adsize == 2 ? a & 0xffff : a;
}

uint32_t x86_get_E(X86CPU *cpu, X86Insn *i, unsigned size)
{
    if (i->mod == 3) {
        return x86_get_reg(cpu, i->rm, size);
    }
    return x86_ld(cpu, i->seg, x86_ea(cpu, i), size);
}

uint32_t x86_get_E_rmw(X86CPU *cpu, X86Insn *i, unsigned size,
                       uint32_t *ea)
{
    if (i->mod == 3) {
        return x86_get_reg(cpu, i->rm, size);
    }
    *ea = x86_ea(cpu, i);
    return x86_ld_rmw(cpu, i->seg, *ea, size);
}

void x86_set_E_at(X86CPU *cpu, X86Insn *i, unsigned size, uint32_t ea,
                  uint32_t v)
{
    if (i->mod == 3) {
        x86_set_reg(cpu, i->rm, size, v);
    } else {
        x86_st(cpu, i->seg, ea, v, size);
    }
}

void x86_set_E(X86CPU *cpu, X86Insn *i, unsigned size, uint32_t v)
{
    x86_set_E_at(cpu, i, size, i->mod == 3 ? 0 : x86_ea(cpu, i), v);
}

uint32_t x86_sp_mask(X86CPU *cpu)
{
    return (cpu->segs[R_SS].flags & DESC_B_MASK) ? 0xffffffffu : 0xffff;
}

void x86_set_sp(X86CPU *cpu, uint32_t v)
{
    uint32_t mask = x86_sp_mask(cpu);

    cpu->regs[R_ESP] = (uint32_t)((cpu->regs[R_ESP] & ~mask) | (v & mask));
}

void x86_push(X86CPU *cpu, unsigned size, uint32_t v)
{
    uint32_t mask = x86_sp_mask(cpu);
    uint32_t sp = ((uint32_t)cpu->regs[R_ESP] - size) & mask;

    x86_st(cpu, R_SS, sp, v, size);
    x86_set_sp(cpu, sp);
}

uint32_t x86_pop(X86CPU *cpu, unsigned size)
{
    uint32_t mask = x86_sp_mask(cpu);
    uint32_t sp = (uint32_t)cpu->regs[R_ESP] & mask;
    uint32_t v = x86_ld(cpu, R_SS, sp, size);

    x86_set_sp(cpu, sp + size);
    return v;
}

void x86_jump(X86CPU *cpu, X86Insn *i, uint32_t target)
{
    if (i->opsize == 2) {
        target &= 0xffff;
    }
    if (target > cpu->segs[R_CS].limit) {
        x86_gp(cpu, 0);
    }
    cpu->rip = target;
}

/* SDM 1 "I/O Permission Bit Map": checked when CPL > IOPL or in
 * virtual-8086 mode; every bit of the accessed ports must be clear. */
void x86_check_io(X86CPU *cpu, unsigned port, unsigned size)
{
    uint32_t iopl = (cpu->rflags & IOPL_MASK) >> IOPL_SHIFT;
    uint32_t base, off, bits;

    if (!x86_pe(cpu) || (!x86_vm86(cpu) && (unsigned)x86_cpl(cpu) <= iopl)) {
        return;
    }
    if (!(cpu->tr.flags & DESC_P_MASK) ||
        ((cpu->tr.flags >> DESC_TYPE_SHIFT) & 0x7) != 3 ||
        !((cpu->tr.flags >> DESC_TYPE_SHIFT) & 8) || cpu->tr.limit < 0x67) {
        x86_gp(cpu, 0);
    }
    base = x86_sys_ld(cpu, cpu->tr.base + 0x66, 2);
    off = base + port / 8;
    if (off + 1 > cpu->tr.limit) {
        x86_gp(cpu, 0);
    }
    bits = x86_sys_ld(cpu, cpu->tr.base + off, 2);
    if ((bits >> (port & 7)) & ((1u << size) - 1)) {
        x86_gp(cpu, 0);
    }
}

static __attribute__((noinline)) X86Soft *soft_get(X86CPU *cpu)
{
    X86Soft *s = cpu->soft;

    if (!s) {
        s = g_new0(X86Soft, 1);
        cpu->soft = s;
        s->cc_op = CC_OP_EFLAGS;
        s->last_excp = -1;
        x86_tlb_flush(cpu, true);
        s->mem_generation = address_space_memory.generation;
    }
    return s;
}

void x86_cpu_flush_caches(X86CPU *cpu)
{
    if (cpu->soft) {
        x86_tlb_flush(cpu, true);
    }
}

static bool contributory(int vec)
{
    return vec == EXCP_DE || (vec >= EXCP_TS && vec <= EXCP_GP);
}

/* Picks what to deliver for the exception x86_raise recorded, given the
 * one being delivered when it happened (-1: none). Returns false on a
 * shutdown (a fault while delivering a double fault). */
static bool pick_exception(X86CPU *cpu, int delivering, int *vec_out,
                           int *err_out)
{
    X86Soft *s = x86_soft(cpu);
    int vec = s->last_excp & 0xff;
    int err = (s->last_excp & 0x80000000u) ? -1
              : (int)((s->last_excp >> 8) & 0xffff);
    bool has_err;

    cpu->rip = s->eip_start;
    cpu->regs[R_ESP] = s->esp_start;
    if (delivering >= 0) {
        if (delivering == EXCP_DF) {
            return false;
        }
        if ((contributory(delivering) && contributory(vec)) ||
            (delivering == EXCP_PF &&
             (contributory(vec) || vec == EXCP_PF))) {
            vec = EXCP_DF;
            err = 0;
        }
    }
    /* Error codes exist only in protected mode, for these vectors. */
    has_err = x86_pe(cpu) &&
              (vec == EXCP_DF || (vec >= EXCP_TS && vec <= EXCP_PF) ||
               vec == EXCP_AC);
    if (!has_err) {
        err = -1;
    } else if (err < 0) {
        err = 0;
    }
    *vec_out = vec;
    *err_out = err;
    return true;
}

static bool take_interrupt(X86CPU *cpu)
{
    X86Soft *s = x86_soft(cpu);
    uint32_t req = __atomic_load_n(&cpu->interrupt_request, __ATOMIC_ACQUIRE);

    if ((req & CPU_INTERRUPT_NMI) && !s->nmi_blocked) {
        /* SDM 3A "NMI Handling While Processing an NMI": further NMIs
         * wait for the next IRET. */
        __atomic_fetch_and(&cpu->interrupt_request, ~CPU_INTERRUPT_NMI,
                           __ATOMIC_ACQ_REL);
        s->nmi_blocked = true;
        cpu->halted = false;
        s->eip_start = eip32(cpu);
        s->esp_start = (uint32_t)cpu->regs[R_ESP];
        x86_deliver(cpu, EXCP_NMI, false, -1, eip32(cpu), true);
        return true;
    }
    if ((req & CPU_INTERRUPT_HARD) && (cpu->rflags & IF_MASK) &&
        cpu->intr_ack) {
        int vec;
        cpu->halted = false;
        vec = cpu->intr_ack(cpu->intr_opaque);
        if (vec < 0) {
            return false;
        }
        x86_cc_materialise(cpu);
        s->eip_start = eip32(cpu);
        s->esp_start = (uint32_t)cpu->regs[R_ESP];
        x86_deliver(cpu, vec & 0xff, false, -1, eip32(cpu), true);
        return true;
    }
    return false;
}

X86ExecExit x86_cpu_exec(X86CPU *cpu, uint64_t max_insns)
{
    X86Soft *s = soft_get(cpu);
    volatile int delivering = -1;
    volatile uint64_t done = 0;
    X86ExecExit ret = X86_EXIT_BUDGET;
    X86Insn insn;

    if (s->mem_generation != address_space_memory.generation) {
        s->mem_generation = address_space_memory.generation;
        x86_tlb_flush(cpu, true);
    }

    if (setjmp(s->jmp)) {
        int vec, err;
        if (!pick_exception(cpu, delivering, &vec, &err)) {
            delivering = -1;
            s->shutdown = true;
            x86_cc_materialise(cpu);
            cpu->icount += done;
            return X86_EXIT_SHUTDOWN;
        }
        /* A fault in here comes back to the setjmp above. */
        delivering = vec;
        x86_deliver(cpu, vec, false, err, s->eip_start, false);
        delivering = -1;
        done++;
    }

    while (done < max_insns) {
        uint32_t req = __atomic_load_n(&cpu->interrupt_request,
                                       __ATOMIC_ACQUIRE);
        bool tf;

        if (req) {
            if (req & CPU_INTERRUPT_EXIT) {
                __atomic_fetch_and(&cpu->interrupt_request,
                                   ~CPU_INTERRUPT_EXIT, __ATOMIC_ACQ_REL);
                ret = X86_EXIT_REQUEST;
                break;
            }
            if (req & CPU_INTERRUPT_INIT) {
                __atomic_fetch_and(&cpu->interrupt_request,
                                   ~CPU_INTERRUPT_INIT, __ATOMIC_ACQ_REL);
                x86_cpu_reset(cpu);
                s->cc_op = CC_OP_EFLAGS;
                x86_tlb_flush(cpu, true);
                ret = X86_EXIT_WAIT_SIPI;
                break;
            }
            if (req & CPU_INTERRUPT_SIPI) {
                __atomic_fetch_and(&cpu->interrupt_request,
                                   ~CPU_INTERRUPT_SIPI, __ATOMIC_ACQ_REL);
                cpu->segs[R_CS].selector = cpu->sipi_vector << 8;
                cpu->segs[R_CS].base = (uint32_t)cpu->sipi_vector << 12;
                cpu->rip = 0;
                cpu->halted = false;
            }
            if (!s->inhibit_irq && take_interrupt(cpu)) {
                done++;
                continue;
            }
        }
        s->inhibit_irq = false;
        if (cpu->halted) {
            ret = X86_EXIT_HALTED;
            break;
        }
        s->eip_start = eip32(cpu);
        s->esp_start = (uint32_t)cpu->regs[R_ESP];
        tf = cpu->rflags & TF_MASK;
        x86_decode(cpu, &insn);
        if (!insn.op->fn || (insn.op->flags & X_PREFIX)) {
            x86_ud(cpu);
        }
        if (insn.mod == 3 && (insn.op->flags & X_MEMONLY)) {
            x86_ud(cpu);
        }
        if (insn.lock && (!(insn.op->flags & X_LOCKOK) || insn.mod == 3)) {
            x86_ud(cpu);
        }
        cpu->rip = (s->eip_start + insn.len) &
                   ((cpu->segs[R_CS].flags & DESC_B_MASK) ? ~0u : 0xffffu);
        insn.op->fn(cpu, &insn);
        done++;
        if (tf) {
            /* Single-step trap after the instruction (SDM 3A "Single-Step
             * Exception Condition"). */
            cpu->dr[6] |= 1 << 14;
            s->eip_start = eip32(cpu);
            s->esp_start = (uint32_t)cpu->regs[R_ESP];
            x86_deliver(cpu, EXCP_DB, false, -1, eip32(cpu), false);
        }
        if (s->halt_request) {
            s->halt_request = false;
            cpu->halted = true;
        }
    }
    x86_cc_materialise(cpu);
    cpu->icount += done;
    return ret;
}
