/*
 * Real-mode helpers for the guest programs: COM1 output (polled, so no
 * interrupt controller is needed), hex printing, the running checksum of
 * printed values, and the isa-debug-exit exit.
 *
 * Calling convention: near calls from code in segment ROM_SEG; every
 * routine preserves all registers and flags other than those it returns.
 * Strings are NUL-terminated and addressed through CS (they live in the
 * image); variables are reached with DS set to 0 inside the routine.
 */
#include "guest.h"

    .code16
    .text

/* 16550 at COM1: 115200 8N1, FIFOs on, no interrupts; clears the checksum. */
    .globl guest_init16
guest_init16:
    pushal
    push %ds
    mov $(COM1 + UART_LCR), %dx
    mov $UART_LCR_DLAB, %al
    out %al, %dx
    mov $(COM1 + UART_DLL), %dx
    mov $1, %al                         /* divisor 1: 115200 baud */
    out %al, %dx
    mov $(COM1 + UART_DLM), %dx
    xor %al, %al
    out %al, %dx
    mov $(COM1 + UART_LCR), %dx
    mov $0x03, %al                      /* 8 data bits, no parity, 1 stop */
    out %al, %dx
    mov $(COM1 + UART_IER), %dx
    xor %al, %al
    out %al, %dx
    mov $(COM1 + UART_FCR), %dx
    mov $0x07, %al                      /* enable and clear both FIFOs */
    out %al, %dx
    mov $(COM1 + UART_MCR), %dx
    mov $0x03, %al                      /* DTR, RTS */
    out %al, %dx
    xor %ax, %ax
    mov %ax, %ds
    movl $0, VAR_CSUM
    pop %ds
    popal
    ret

/* Send AL; a newline goes out as CR LF so a terminal shows lines. */
    .globl putc16
putc16:
    push %ax
    cmp $10, %al
    jne 1f
    mov $13, %al
    call uart_tx16
    mov $10, %al
1:  call uart_tx16
    pop %ax
    ret

uart_tx16:
    push %dx
    push %ax
    mov $(COM1 + UART_LSR), %dx
1:  in %dx, %al
    test $UART_LSR_THRE, %al
    jz 1b
    pop %ax
    mov $(COM1 + UART_THR), %dx
    out %al, %dx
    pop %dx
    ret

/* Print the string at CS:SI. */
    .globl puts16
puts16:
    push %ax
    push %si
1:  mov %cs:(%si), %al
    inc %si
    test %al, %al
    jz 2f
    call putc16
    jmp 1b
2:  pop %si
    pop %ax
    ret

/* Print the low CX (1..8) hex digits of EAX. */
    .globl puthex16
puthex16:
    pushal
    mov %cx, %bx
    mov $8, %cl
    sub %bl, %cl
    shl $2, %cl
    shl %cl, %eax                       /* first digit now in bits 31..28 */
1:  rol $4, %eax
    push %eax
    and $0x0f, %al
    add $0x30, %al                      /* '0' */
    cmp $0x39, %al
    jbe 2f
    add $(0x61 - 0x3a), %al             /* 'a' for 10 */
2:  call putc16
    pop %eax
    dec %bx
    jnz 1b
    popal
    ret

/*
 * Print "<string at CS:SI><CX hex digits of EAX>\n" and fold the printed
 * value into the checksum: csum = rol(csum, 1) ^ value.
 */
    .globl print_val16
print_val16:
    pushal
    push %ds
    call puts16
    call puthex16
    mov %eax, %edx
    mov $10, %al
    call putc16
    cmp $8, %cx                         /* keep only the digits printed */
    jae 1f
    shl $2, %cl
    mov $1, %eax
    shl %cl, %eax
    dec %eax
    and %eax, %edx
1:  xor %ax, %ax
    mov %ax, %ds
    mov VAR_CSUM, %eax
    rol $1, %eax
    xor %edx, %eax
    mov %eax, VAR_CSUM
    pop %ds
    popal
    ret

/* Print "checksum XXXXXXXX\n". */
    .globl print_csum16
print_csum16:
    pushal
    push %ds
    xor %ax, %ax
    mov %ax, %ds
    mov VAR_CSUM, %eax
    mov $msg_csum, %si
    call puts16
    mov $8, %cx
    call puthex16
    mov $10, %al
    call putc16
    pop %ds
    popal
    ret

/* Print "FAIL: <string at CS:SI>\n" and exit with GUEST_FAIL. */
    .globl fail16
fail16:
    push %si
    mov $msg_fail, %si
    call puts16
    pop %si
    call puts16
    mov $10, %al
    call putc16
    mov $GUEST_FAIL, %al
    /* fall through */

/*
 * Exit the emulator through isa-debug-exit with code AL; never returns.
 * Without isa-debug-exit the CPU halts and the runner's timeout says so.
 */
    .globl guest_exit16
guest_exit16:
    out %al, $DEBUG_EXIT_PORT
1:  cli
    hlt
    jmp 1b

msg_csum:   .asciz "checksum "
msg_fail:   .asciz "FAIL: "
