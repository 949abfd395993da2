/*
 * pmode: from reset into 32-bit protected mode with flat segments (pm.S),
 * some 32-bit code (SIB addressing, a recursive call, memory above
 * 1 MiB with A20 on, REP MOVSD/CMPSD), exceptions through the IDT at
 * CPL 0 (#DE twice, #GP with a selector error code, #UD), a PIT
 * interrupt through the 8259 taken in HLT, ring 3 through SYSEXIT and
 * protection faults from there (IN and CLI at IOPL 0) delivered on the
 * TSS's ring-0 stack; then back to real mode and an INT through the IVT
 * again. Software interrupts in protected mode are in softint.S (see
 * there why). Expected output: pmode.expected.
 */
#include "guest.h"

    .code16
    .text
    .globl start
start:
    cli
    cld
    xor %ax, %ax
    mov %ax, %ss
    mov $RM_STACK, %sp
    mov %ax, %ds
    mov %ax, %es
    call guest_init16
    SAY16 "pmode: start"
    mov $LIN(pm_main), %ebx
    jmp pm_enter

    .code32
pm_main:
    SAY32 "pmode: 32-bit protected mode"
    mov %cs, %ax
    PRINT32 "cs ", 4                    /* 0008 */
    mov %ss, %ax
    PRINT32 "ss ", 4                    /* 0010 */
    mov %cr0, %eax
    and $0x80000001, %eax
    PRINT32 "cr0 pg/pe ", 8             /* 00000001 */

/* --- 32-bit code --- */
    xor %ebx, %ebx
    mov $100, %ecx
1:  mov %ecx, %eax
    mul %ecx
    add %eax, %ebx
    loop 1b
    mov %ebx, %eax
    PRINT32 "sum of squares 1..100 ", 8 /* 338350 = 000529ae */

    mov $0x1000, %eax
    mov $0x20, %ebx
    lea 0x10(%eax,%ebx,4), %eax
    PRINT32 "lea sib ", 8               /* 0x1000 + 0x80 + 0x10 = 00001090 */

    mov $10, %eax
    call factorial
    PRINT32 "factorial 10 ", 8          /* 3628800 = 00375f00 */

    movl $0x11111111, 0x200000
    movl $0x22222222, 0x300000          /* differs from 0x200000 in bit 20 */
    mov 0x200000, %eax
    PRINT32 "a20 on: [0x200000] ", 8    /* 11111111 */

    mov $LIN(0), %esi                   /* the first KiB of the image */
    mov $0x300000, %edi
    mov $256, %ecx
    rep movsl
    mov $LIN(0), %esi
    mov $0x300000, %edi
    mov $256, %ecx
    repe cmpsl
    setz %al
    movzbl %al, %eax
    shl $16, %eax
    mov %cx, %ax
    PRINT32 "movsd+cmpsd zf/ecx ", 8    /* 00010000 */

/* --- exceptions at CPL 0: faults report the faulting instruction --- */
    CATCH 1f
    xor %edx, %edx
    mov $1, %eax
    xor %ecx, %ecx
de_insn:
    div %ecx                            /* #DE: divide by zero */
1:  mov $LIN(de_insn), %eax
    call print_event                    /* 00000000, 00000000, 0008 */

    CATCH 1f
    mov $0x80000000, %eax
    mov $0xffffffff, %edx               /* EDX:EAX = -2^31 */
    mov $-1, %ecx
idiv_insn:
    idiv %ecx                           /* #DE: quotient 2^31 overflows */
1:  mov $LIN(idiv_insn), %eax
    call print_event                    /* 00000000, 00000000, 0008 */

    CATCH 1f
    mov $0x58, %ax                      /* beyond the GDT's limit */
gp_insn:
    mov %ax, %ds                        /* #GP, error code = selector */
1:  mov $LIN(gp_insn), %eax
    call print_event                    /* 000d0058, 00000000, 0008 */
    mov %ds, %ax
    PRINT32 "ds kept ", 4               /* 0010 */

    CATCH 1f
ud_insn:
    ud2                                 /* #UD */
1:  mov $LIN(ud_insn), %eax
    call print_event                    /* 00060000, 00000000, 0008 */


/*
 * --- a hardware interrupt through the IDT ---
 * PIT channel 0 (mode 2, about 1 ms) -> 8259 IRQ 0 -> vector 0x20, taken
 * in HLT. As a BIOS does: the 8259s get vectors 0x20 and 0x28, and the
 * local APIC passes the 8259's INTR through LINT0 as ExtINT (after
 * reset every LVT entry is masked, so nothing would arrive).
 */
    movl $0x1ff, LAPIC_BASE + 0xf0      /* SVR: APIC on, spurious 0xff */
    movl $0x700, LAPIC_BASE + 0x350     /* LVT LINT0: ExtINT */
    movl $0x400, LAPIC_BASE + 0x360     /* LVT LINT1: NMI */
    mov $0x11, %al                      /* ICW1: edge, cascade, ICW4 */
    out %al, $0x20
    out %al, $0xa0
    mov $0x20, %al                      /* ICW2: vector base */
    out %al, $0x21
    mov $0x28, %al
    out %al, $0xa1
    mov $0x04, %al                      /* ICW3: slave on IRQ 2 */
    out %al, $0x21
    mov $0x02, %al
    out %al, $0xa1
    mov $0x01, %al                      /* ICW4: 8086 mode */
    out %al, $0x21
    out %al, $0xa1
    mov $0xfe, %al                      /* only IRQ 0 */
    out %al, $0x21
    mov $0xff, %al
    out %al, $0xa1
    mov $0x34, %al                      /* PIT ch 0, lo/hi, mode 2 */
    out %al, $0x43
    mov $(1193 & 0xff), %al
    out %al, $0x40
    mov $(1193 >> 8), %al
    out %al, $0x40

    CATCH 1f
    sti
2:  hlt
after_hlt:
    jmp 2b
1:  mov $LIN(after_hlt), %eax
    call print_event                    /* 00200000, 00000000, 0008 */
    mov VAR_EXC_EFLAGS, %eax
    and $0x200, %eax
    PRINT32 "  eflags.if ", 4           /* 0200 */
    mov $0x0b, %al                      /* OCW3: read ISR */
    out %al, $0x20
    in $0x20, %al
    mov %al, %ah
    mov $0x20, %al                      /* OCW2: non-specific EOI */
    out %al, $0x20
    in $0x20, %al
    PRINT32 "  pic isr before/after eoi ", 4    /* 0100 */
    mov $0xff, %al
    out %al, $0x21                      /* mask the PIT again */

/*
 * --- ring 3: protection faults on the TSS's ring-0 stack ---
 * Each excursion enters ring 3 at one instruction and comes back through
 * the fault it raises. (INT n and INT3 from ring 3 are in softint.S.)
 */
    CATCH 1f
    mov $LIN(user_in), %ebx             /* IOPL 0, no I/O bitmap */
    jmp user_jump
1:  mov $LIN(user_in), %eax
    call print_user_event               /* 000d0000 */

    CATCH 1f
    mov $LIN(user_cli), %ebx            /* IOPL 0 */
    jmp user_jump
1:  mov $LIN(user_cli), %eax
    call print_user_event               /* 000d0000 */

    mov VAR_EXC_COUNT, %eax
    PRINT32 "events caught ", 2         /* 4 + IRQ 0 + 2 from ring 3: 07 */

    mov $rm_again, %bx
    jmp pm_leave

/* Ring-3 code: one fault each. */
user_in:
    in $0x60, %al
user_cli:
    cli

factorial:
    cmp $1, %eax
    jbe 1f
    push %eax
    dec %eax
    call factorial
    pop %ecx
    mul %ecx
1:  ret

/* --- real mode again --- */
    .code16
rm_again:
    SAY16 "pmode: back in real mode"
    mov %cr0, %eax
    and $1, %eax
    PRINT16 "cr0 pe ", 1                /* 0 */
    movw $rm_int40, 0x40 * 4
    movw $ROM_SEG, 0x40 * 4 + 2
    mov $0x41, %ax
    int $0x40                           /* through the IVT again */
    PRINT16 "int40 ax ", 4              /* 0042 */

    call print_csum16
    SAY16 "pmode: done"
    mov $GUEST_PASS, %al
    jmp guest_exit16

rm_int40:
    inc %ax
    iret
