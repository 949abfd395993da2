/*
 * The software-CPU accelerator ("-accel tcg", also "-accel soft"): one
 * thread runs every vCPU of target/i386's interpreter round-robin, with
 * a local APIC per CPU (hw/intc/apic.c). See docs/soft-accel.md.
 */
#ifndef ACCEL_SOFT_H
#define ACCEL_SOFT_H

#include "accel/accel.h"

typedef struct Device Device;
typedef struct X86CPU X86CPU;

extern const AccelOps soft_accel_ops;

/* True once soft_accel_ops.init ran (and until shutdown). */
bool soft_enabled(void);

/* The local APIC of cpu (NULL before start_vcpus), for the monitor
 * ("info lapic") and the interpreter's CR8 / IA32_APIC_BASE. Call with
 * the BQL held. */
Device *soft_cpu_apic(X86CPU *cpu);

#endif
