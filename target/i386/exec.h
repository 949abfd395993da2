/*
 * The software CPU's entry point: the contract between the interpreter
 * (target/i386/) and the accelerator that drives it (accel/soft/).
 *
 * The interpreter executes instructions of one X86CPU against the
 * machine's address spaces (address_space_memory for memory, with RAM
 * reached through host pointers; address_space_io for ports), with the
 * BQL held by the caller for the whole call. It knows nothing of threads,
 * timers or devices: interrupts arrive through X86CPU.interrupt_request
 * and the acknowledge hook.
 */
#ifndef TARGET_I386_EXEC_H
#define TARGET_I386_EXEC_H

#include "target/i386/cpu.h"

/* Bits of X86CPU.interrupt_request (set by other threads with atomics,
 * read by the interpreter at instruction boundaries). */
#define CPU_INTERRUPT_HARD  0x01    /* INTR pin asserted (level) */
#define CPU_INTERRUPT_NMI   0x02    /* NMI edge latched */
#define CPU_INTERRUPT_INIT  0x04    /* INIT (APs; from the LAPIC) */
#define CPU_INTERRUPT_SIPI  0x08    /* startup IPI; vector in sipi_vector */
#define CPU_INTERRUPT_EXIT  0x10    /* return from x86_cpu_exec soon */

typedef enum X86ExecExit {
    X86_EXIT_BUDGET,        /* ran max_insns instructions */
    X86_EXIT_HALTED,        /* HLT with no interrupt deliverable */
    X86_EXIT_REQUEST,       /* CPU_INTERRUPT_EXIT seen */
    X86_EXIT_SHUTDOWN,      /* triple fault: the machine must reset */
    X86_EXIT_WAIT_SIPI,     /* an AP waiting for a startup IPI */
} X86ExecExit;

/*
 * Runs cpu until it has executed max_insns instructions (a REP string
 * instruction may count per iteration), halts, or is asked to stop.
 * Pending interrupts are taken at instruction boundaries honouring
 * EFLAGS.IF and the STI / MOV SS shadow; the vector comes from
 * cpu->intr_ack(cpu->intr_opaque) (the PIC's INTA cycle, or the LAPIC).
 * Adds the executed count to cpu->icount. Call with the BQL held.
 */
X86ExecExit x86_cpu_exec(X86CPU *cpu, uint64_t max_insns);

/* Forgets decoded code and cached translations (the memory map changed,
 * e.g. PAM or A20). Call with the BQL held. */
void x86_cpu_flush_caches(X86CPU *cpu);

#endif
