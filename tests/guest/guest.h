/*
 * Shared definitions for the guest test programs (assembled with
 * gcc -m32 -c, so the C preprocessor runs first).
 *
 * Memory map a program sees (QEMU's -bios convention, which pcemu
 * follows): the 64 KiB image sits at 0xffff0000 and is also visible at
 * 0xf0000-0xfffff. The CPU starts at f000:fff0 with CS.base 0xffff0000;
 * the reset vector does a far jump to f000:start, after which real-mode
 * code runs from the alias below 1 MiB. guest.ld links the image at
 * address 0, so a symbol's value is its offset in segment 0xf000 and
 * LIN(sym) is its linear address, which 32-bit flat code must use for
 * data.
 *
 * RAM used (the runner gives the guest 16 MiB):
 *   0x00000-0x003ff  real-mode IVT
 *   0x00500-0x005ff  VAR_* variables below
 *   0x00600-0x00fff  scratch for the tests
 *   0x01000-0x017ff  IDT (256 gates) while in protected mode
 *   0x01800-0x01867  TSS
 *   0x07c00          real-mode stack top (SS = 0)
 *   0x20000-0x2ffff  page tables (paging.S)
 *   0x70000          ring-3 stack top
 *   0x7f000          ring-0 stack top for events from ring 3 (TSS ESP0)
 *   0x80000          protected-mode stack top
 *   0x200000-       pages the tests map and poke
 */
#ifndef GUEST_H
#define GUEST_H

#define ROM_SEG         0xf000
#define ROM_BASE        0xf0000
#define LIN(sym)        (ROM_BASE + (sym))

#define RM_STACK        0x7c00
#define PM_STACK        0x80000
#define IDT_BASE        0x1000
#define SCRATCH         0x600

/* Variables in RAM (the image itself is read-only). */
#define VAR_CSUM        0x500   /* running checksum of printed values */
#define VAR_RESUME      0x504   /* pm: where a caught exception resumes */
#define VAR_RESUME_ESP  0x508   /*     with this ESP */
#define VAR_EXC_VEC     0x50c   /* pm: vector of the last caught exception */
#define VAR_EXC_ERR     0x510   /*     its error code (0 if none) */
#define VAR_EXC_EIP     0x514   /*     the EIP it pushed */
#define VAR_EXC_CS      0x518   /*     the CS it pushed */
#define VAR_EXC_EFLAGS  0x51c   /*     the EFLAGS it pushed */
#define VAR_EXC_ESP     0x520   /*     from ring 3: the ESP it pushed */
#define VAR_EXC_SS      0x524   /*     from ring 3: the SS it pushed */
#define VAR_EXC_FRAME   0x528   /*     ESP above the frame (TSS ESP0 if
                                       it came from ring 3) */
#define VAR_EXC_CR2     0x52c   /*     CR2 for a #PF */
#define VAR_EXC_COUNT   0x530   /*     how many were caught */
#define VAR_TEST        0x540   /* free for a program's own use */

/*
 * Protected-mode descriptors of pm.S. The order follows SYSENTER/SYSEXIT
 * (ring-3 code and data at SYSENTER_CS + 16 and + 24), which is how the
 * programs get to ring 3 (see pm.S for why not IRET).
 */
#define SEL_CODE32      0x08
#define SEL_DATA32      0x10
#define SEL_UCODE32     0x1b    /* DPL 3, RPL 3 */
#define SEL_UDATA32     0x23    /* DPL 3, RPL 3 */
#define SEL_CODE16      0x28    /* base ROM_BASE, limit 64 KiB: way back */
#define SEL_DATA16      0x30    /* base 0, limit 64 KiB */
#define SEL_TSS         0x38
#define TSS_BASE        0x1800  /* 104 bytes, right after the IDT */
#define TSS_ESP0        0x7f000 /* ring-0 stack for events from ring 3 */
#define USER_STACK      0x70000
#define MSR_SYSENTER_CS 0x174

/* Devices. */
#define COM1            0x3f8
#define UART_THR        0
#define UART_IER        1
#define UART_DLL        0
#define UART_DLM        1
#define UART_FCR        2
#define UART_LCR        3
#define UART_MCR        4
#define UART_LSR        5
#define UART_LCR_DLAB   0x80
#define UART_LSR_THRE   0x20

#define LAPIC_BASE      0xfee00000

/*
 * isa-debug-exit at 0xf4 (-device isa-debug-exit,iobase=0xf4,iosize=4):
 * writing V makes the emulator exit with status (V << 1) | 1. A pass
 * code other than 0 keeps "exit status 1" (a plain emulator error) from
 * ever reading as success.
 */
#define DEBUG_EXIT_PORT 0xf4
#define GUEST_PASS      0x10    /* exit status 33 */
#define GUEST_FAIL      0x11    /* exit status 35: a check failed */
#define GUEST_EXC       0x12    /* exit status 37: unexpected exception */

#ifdef __ASSEMBLER__
/*
 * PRINT16 / PRINT32 "label ", digits: print the label and the low
 * `digits` hex digits of EAX on one line and fold them into the
 * checksum. Only EAX is an input; every register is preserved.
 */
    .macro PRINT16 str, digits=8
    .pushsection .rodata
.Lstr\@: .asciz "\str"
    .popsection
    push %si
    push %cx
    mov $.Lstr\@, %si
    mov $\digits, %cx
    call print_val16
    pop %cx
    pop %si
    .endm

    .macro PRINT32 str, digits=8
    .pushsection .rodata
.Lstr\@: .asciz "\str"
    .popsection
    push %esi
    push %ecx
    mov $LIN(.Lstr\@), %esi
    mov $\digits, %ecx
    call print_val32
    pop %ecx
    pop %esi
    .endm

    /*
     * Catch the next event in protected mode: pm.S's handler resumes at
     * `resume` with this ESP, at CPL 0 (see pm.S).
     */
    .macro CATCH resume
    movl $LIN(\resume), VAR_RESUME
    mov %esp, VAR_RESUME_ESP
    .endm

    /* Print text; SAY16 and SAY32 add a newline. */
    .macro SAYN16 str
    .pushsection .rodata
.Lstr\@: .asciz "\str"
    .popsection
    push %si
    mov $.Lstr\@, %si
    call puts16
    pop %si
    .endm

    .macro SAY16 str
    .pushsection .rodata
.Lstr\@: .asciz "\str\n"
    .popsection
    push %si
    mov $.Lstr\@, %si
    call puts16
    pop %si
    .endm

    .macro SAY32 str
    .pushsection .rodata
.Lstr\@: .asciz "\str\n"
    .popsection
    push %esi
    mov $LIN(.Lstr\@), %esi
    call puts32
    pop %esi
    .endm
#endif

#endif
