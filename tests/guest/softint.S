/*
 * softint: software interrupts in 32-bit protected mode through IDT
 * gates: INT n and INT3 at CPL 0, and from ring 3 INT n and INT3 through
 * DPL-3 gates (a privilege change onto the TSS's ring-0 stack), INTO
 * with OF set, and INT n through a DPL-0 gate, which must raise #GP with
 * the IDT bit in the error code. Expected output: softint.expected.
 *
 * Not run under KVM on hosts without VT-x (like our build machines):
 * there Linux's instruction emulator runs guest ring 0 and does not
 * implement protected-mode INT n (emulation failure), and INT n from
 * ring 3 comes back to the guest as #UD. The expected output was made
 * with qemu-system-x86_64 -accel tcg; on a VT-x host `-accel kvm`
 * gives the same.
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
    SAY16 "softint: start"
    mov $LIN(pm_main), %ebx
    jmp pm_enter

    .code32
pm_main:
/* --- CPL 0 --- */
    CATCH 1f
    int $0x30
after_int30:
1:  mov $LIN(after_int30), %eax
    call print_event                    /* 00300000, 00000000, 0008 */

    CATCH 1f
    int3
after_int3:
1:  mov $LIN(after_int3), %eax
    call print_event                    /* 00030000, 00000000, 0008 */

/* --- ring 3 --- */
    mov $0x31, %eax
    call idt_allow_user
    mov $3, %eax
    call idt_allow_user
    mov $4, %eax
    call idt_allow_user

    CATCH 1f
    mov $LIN(user_int31), %ebx
    jmp user_jump
1:  mov $LIN(user_int31_next), %eax
    call print_user_event               /* 00310000, 00000000 */

    CATCH 1f
    mov $LIN(user_int3), %ebx
    jmp user_jump
1:  mov $LIN(user_int3_next), %eax
    call print_user_event               /* 00030000, 00000000 */

    CATCH 1f
    mov $LIN(user_into), %ebx
    jmp user_jump
1:  mov $LIN(user_into_next), %eax
    call print_user_event               /* 00040000, 00000000 */

    CATCH 1f
    mov $LIN(user_int30), %ebx          /* gate DPL 0 < CPL 3 */
    jmp user_jump
1:  mov $LIN(user_int30), %eax
    call print_user_event               /* #GP(0x30 << 3 | IDT) = 000d0182 */

    mov VAR_EXC_COUNT, %eax
    PRINT32 "events caught ", 2         /* 06 */
    call print_csum32
    SAY32 "softint: done"
    mov $GUEST_PASS, %al
    jmp guest_exit32

/* Ring-3 code: one event each. */
user_int31:
    int $0x31
user_int31_next:
user_int3:
    int3
user_int3_next:
user_into:
    mov $0x7f, %al
    add $1, %al                         /* OF = 1 */
    into
user_into_next:
user_int30:
    int $0x30

