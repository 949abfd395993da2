/*
 * 32-bit protected-mode counterparts of lib16.S, for flat segments
 * (DS base 0). Strings are passed as linear addresses: LIN(label).
 * Every routine preserves all registers other than those it returns.
 */
#include "guest.h"

    .code32
    .text

/* Send AL; a newline goes out as CR LF. */
    .globl putc32
putc32:
    push %eax
    cmp $10, %al
    jne 1f
    mov $13, %al
    call uart_tx32
    mov $10, %al
1:  call uart_tx32
    pop %eax
    ret

uart_tx32:
    push %edx
    push %eax
    mov $(COM1 + UART_LSR), %dx
1:  in %dx, %al
    test $UART_LSR_THRE, %al
    jz 1b
    pop %eax
    mov $(COM1 + UART_THR), %dx
    out %al, %dx
    pop %edx
    ret

/* Print the string at linear address ESI. */
    .globl puts32
puts32:
    push %eax
    push %esi
1:  lodsb
    test %al, %al
    jz 2f
    call putc32
    jmp 1b
2:  pop %esi
    pop %eax
    ret

/* Print the low ECX (1..8) hex digits of EAX. */
    .globl puthex32
puthex32:
    pushal
    mov %ecx, %ebx
    mov $8, %cl
    sub %bl, %cl
    shl $2, %cl
    shl %cl, %eax
1:  rol $4, %eax
    push %eax
    and $0x0f, %al
    add $0x30, %al
    cmp $0x39, %al
    jbe 2f
    add $(0x61 - 0x3a), %al
2:  call putc32
    pop %eax
    dec %ebx
    jnz 1b
    popal
    ret

/* "<string at ESI><ECX hex digits of EAX>\n", folded into the checksum. */
    .globl print_val32
print_val32:
    pushal
    call puts32
    call puthex32
    mov %eax, %edx
    mov $10, %al
    call putc32
    cmp $8, %ecx
    jae 1f
    shl $2, %cl
    mov $1, %eax
    shl %cl, %eax
    dec %eax
    and %eax, %edx
1:  mov VAR_CSUM, %eax
    rol $1, %eax
    xor %edx, %eax
    mov %eax, VAR_CSUM
    popal
    ret

    .globl print_csum32
print_csum32:
    pushal
    mov $LIN(msg_csum32), %esi
    call puts32
    mov VAR_CSUM, %eax
    mov $8, %ecx
    call puthex32
    mov $10, %al
    call putc32
    popal
    ret

/* Print "FAIL: <string at ESI>\n" and exit with GUEST_FAIL. */
    .globl fail32
fail32:
    push %esi
    mov $LIN(msg_fail32), %esi
    call puts32
    pop %esi
    call puts32
    mov $10, %al
    call putc32
    mov $GUEST_FAIL, %al
    /* fall through */

/* As guest_exit16. */
    .globl guest_exit32
guest_exit32:
    out %al, $DEBUG_EXIT_PORT
1:  cli
    hlt
    jmp 1b

msg_csum32:   .asciz "checksum "
msg_fail32:   .asciz "FAIL: "
