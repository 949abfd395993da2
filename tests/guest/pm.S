/*
 * Protected-mode plumbing shared by pmode.S and paging.S: a flat GDT
 * with ring-0 and ring-3 segments and a TSS, the switch from real mode
 * to 32-bit protected mode and back, a way down to ring 3, and an IDT
 * whose gates either "catch" an event the test expects or report it and
 * end the run.
 *
 * Two instructions are avoided on purpose: IRET and INT n at CPL 0. On
 * hosts without VT-x, KVM runs guest ring-0 code through Linux's x86
 * instruction emulator, which implements neither in protected mode (the
 * run stops with "KVM internal error ... emulation failure"). So a caught
 * event returns like longjmp (below), ring 3 is entered with SYSEXIT, and
 * software interrupts are raised from ring 3, which KVM runs natively.
 *
 * Catching: CATCH label (guest.h) stores the resume address and the
 * current ESP in VAR_RESUME / VAR_RESUME_ESP, then the test runs the
 * instruction that should raise the event. The handler records the frame
 * in VAR_EXC_*, counts the event, reloads DS/ES and ESP and jumps to the
 * resume address at CPL 0 (from ring 3 too). With VAR_RESUME = 0 any
 * event is unexpected: it is printed and the run exits with GUEST_EXC.
 */
#include "guest.h"

    .text

/*
 * Descriptors have the accessed bit already set, so the CPU never needs
 * to write it back into this read-only table. (LTR's write of the TSS
 * busy bit is lost, which matters only to a task switch; none is done.)
 */
    .balign 8
gdt:
    .quad 0
    .quad 0x00cf9b000000ffff            /* SEL_CODE32: base 0, 4 GiB, 32-bit */
    .quad 0x00cf93000000ffff            /* SEL_DATA32: base 0, 4 GiB */
    .quad 0x00cffb000000ffff            /* SEL_UCODE32: same, DPL 3 */
    .quad 0x00cff3000000ffff            /* SEL_UDATA32: same, DPL 3 */
    .quad 0x00009b0f0000ffff            /* SEL_CODE16: base 0xf0000, 64 KiB */
    .quad 0x000093000000ffff            /* SEL_DATA16: base 0, 64 KiB */
    .quad 0x0000890018000067            /* SEL_TSS: TSS_BASE, 104 bytes */
gdt_end:
gdt_desc:
    .word gdt_end - gdt - 1
    .long LIN(gdt)
idt_desc:
    .word 256 * 8 - 1
    .long IDT_BASE
ivt_desc:
    .word 0x3ff
    .long 0

/*
 * Jump here (do not call) from real mode with EBX = linear address of
 * the 32-bit code to continue at. Enables A20, loads the GDT, sets
 * CR0.PE, loads flat segments, a stack at PM_STACK, the IDT and the TSS,
 * and points SYSENTER_CS at the ring-0 code segment for SYSEXIT.
 */
    .code16
    .globl pm_enter
pm_enter:
    cli
    in $0x92, %al                       /* fast A20 gate (PS/2 port 92) */
    or $0x02, %al
    and $0xfe, %al                      /* bit 0 would reset the CPU */
    out %al, $0x92
    lgdtl %cs:gdt_desc
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $SEL_CODE32, $LIN(1f)
    .code32
1:  mov $SEL_DATA32, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    mov $PM_STACK, %esp
    cld
    movl $0, VAR_RESUME
    movl $0, VAR_EXC_COUNT
    call idt_init

    mov $TSS_BASE, %edi                 /* all zero but the ring-0 stack */
    mov $(104 / 4), %ecx
    xor %eax, %eax
    rep stosl
    movl $TSS_ESP0, TSS_BASE + 4        /* ESP0 */
    movl $SEL_DATA32, TSS_BASE + 8      /* SS0 */
    movw $104, TSS_BASE + 102           /* I/O map base past the limit: */
    mov $SEL_TSS, %ax                   /* no port is allowed at CPL 3 */
    ltr %ax

    mov $MSR_SYSENTER_CS, %ecx
    mov $SEL_CODE32, %eax
    xor %edx, %edx
    wrmsr
    jmp *%ebx

/*
 * Jump here from 32-bit code (paging off) with BX = offset in ROM_SEG of
 * the real-mode code to continue at. Goes through a 16-bit code segment,
 * as the SDM requires, then clears CR0.PE and reloads real-mode
 * segments (all 0), the stack at RM_STACK and the IVT.
 */
    .globl pm_leave
pm_leave:
    cli
    ljmp $SEL_CODE16, $1f
    .code16
1:  mov $SEL_DATA16, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    mov %cr0, %eax
    and $0xfffffffe, %eax
    mov %eax, %cr0
    ljmp $ROM_SEG, $2f
2:  xor %ax, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    mov $RM_STACK, %sp
    lidtl %cs:ivt_desc
    jmp *%bx

    .code32

/*
 * Run the code at EBX in ring 3 (flat user segments, stack USER_STACK)
 * through SYSEXIT. It must end in an event the caller catches; nothing
 * comes back here.
 */
    .globl user_jump
user_jump:
    mov $SEL_UDATA32, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ebx, %edx                      /* SYSEXIT: EIP = EDX, ESP = ECX */
    mov $USER_STACK, %ecx
    sysexit

/* Point IDT gate EAX at handler EBX (32-bit interrupt gate, DPL 0). */
    .globl idt_set_gate
idt_set_gate:
    push %ecx
    push %edx
    lea IDT_BASE(,%eax,8), %edx
    mov %ebx, %ecx
    and $0x0000ffff, %ecx
    or $(SEL_CODE32 << 16), %ecx
    mov %ecx, (%edx)
    mov %ebx, %ecx
    and $0xffff0000, %ecx
    or $0x8e00, %ecx                    /* P, DPL 0, 32-bit interrupt gate */
    mov %ecx, 4(%edx)
    pop %edx
    pop %ecx
    ret

/* Let ring 3 raise vector EAX with INT n (gate DPL 3). */
    .globl idt_allow_user
idt_allow_user:
    orb $0x60, IDT_BASE + 5(,%eax,8)
    ret

/*
 * Gates 0-31 and 0x30-0x3f get their own stub (so the vector is known);
 * the rest share one that reports "vector 00000100".
 */
idt_init:
    pushal
    xor %eax, %eax
1:  mov $LIN(exc_stub_other), %ebx
    cmp $0x40, %eax
    jae 2f
    mov %eax, %ebx
    shl $4, %ebx
    add $LIN(exc_stubs), %ebx
2:  call idt_set_gate
    inc %eax
    cmp $256, %eax
    jb 1b
    lidt LIN(idt_desc)
    popal
    ret

/*
 * One 16-byte stub per vector 0-0x3f: push a 0 error code where the CPU
 * pushes none, then the vector, so exc_common sees one frame layout.
 */
    .balign 16
exc_stubs:
    .set vec, 0
    .rept 0x40
    .balign 16
    /* #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX push one */
    .if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || \
        (vec == 21) || (vec == 29) || (vec == 30)
    .else
    pushl $0
    .endif
    pushl $vec
    jmp exc_common
    .set vec, vec + 1
    .endr

exc_stub_other:
    pushl $0
    pushl $0x100
    /* fall through */

/* Frame: vector, error code, EIP, CS, EFLAGS [, ESP, SS from ring 3]. */
exc_common:
    cld
    push %ss                            /* the flat ring-0 data segment */
    pop %ds
    push %ss
    pop %es
    cmpl $0, VAR_RESUME
    je exc_unexpected
    popl VAR_EXC_VEC
    popl VAR_EXC_ERR
    popl VAR_EXC_EIP
    popl VAR_EXC_CS
    popl VAR_EXC_EFLAGS
    movl $0, VAR_EXC_ESP
    movl $0, VAR_EXC_SS
    testb $3, VAR_EXC_CS
    jz 1f
    popl VAR_EXC_ESP
    popl VAR_EXC_SS
1:  mov %esp, VAR_EXC_FRAME
    movl $0, VAR_EXC_CR2
    cmpl $14, VAR_EXC_VEC
    jne 2f
    mov %cr2, %eax
    mov %eax, VAR_EXC_CR2
2:  incl VAR_EXC_COUNT
    mov VAR_RESUME_ESP, %esp
    pushl VAR_RESUME
    movl $0, VAR_RESUME
    ret

/*
 * Print the event last caught: vector and error code, the pushed EIP
 * relative to EAX (the instruction expected to fault or, for a trap,
 * the one after it), and the pushed CS.
 */
    .globl print_event
print_event:
    push %eax
    mov VAR_EXC_VEC, %eax
    shl $16, %eax
    or VAR_EXC_ERR, %eax
    PRINT32 "event vector/error ", 8
    pop %eax
    neg %eax
    add VAR_EXC_EIP, %eax
    PRINT32 "  eip-delta ", 8
    mov VAR_EXC_CS, %eax
    PRINT32 "  cs ", 4
    ret

/*
 * The same for an event from ring 3, plus the user stack the CPU pushed
 * and where the frame sat: it must have been built on the TSS's ESP0.
 */
    .globl print_user_event
print_user_event:
    call print_event
    mov VAR_EXC_SS, %eax
    PRINT32 "  ss ", 4
    mov VAR_EXC_ESP, %eax
    PRINT32 "  esp ", 8
    mov VAR_EXC_FRAME, %eax
    sub $TSS_ESP0, %eax
    PRINT32 "  frame-esp0 ", 8
    ret

exc_unexpected:
    mov $LIN(msg_unexp), %esi
    mov (%esp), %eax
    mov $8, %ecx
    call puts32
    call puthex32
    mov $LIN(msg_error), %esi
    mov 4(%esp), %eax
    call puts32
    call puthex32
    mov $LIN(msg_eip), %esi
    mov 8(%esp), %eax
    call puts32
    call puthex32
    mov $10, %al
    call putc32
    mov $GUEST_EXC, %al
    jmp guest_exit32

msg_unexp:  .asciz "unexpected exception: vector "
msg_error:  .asciz " error "
msg_eip:    .asciz " eip "
