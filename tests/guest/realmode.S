/*
 * realmode: real-mode basics straight from reset, with no BIOS.
 * Stack (push/pop order, PUSHA, ENTER/LEAVE), integer arithmetic and
 * flags, string instructions in both directions, segment arithmetic,
 * far calls (direct, through another segment:offset alias, indirect,
 * RETF imm16), and INT/INT3/INTO through IVT entries it sets up.
 * Each result is printed, then a checksum over all of them.
 * Expected output: realmode.expected (values worked out by hand in the
 * comments).
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
    SAY16 "realmode: start"

/* --- stack --- */
    mov $0x1111, %ax
    mov $0x2222, %bx
    push %ax
    push %bx
    pop %ax                             /* last in, first out: 0x2222 */
    pop %bx
    shl $16, %eax
    mov %bx, %ax
    PRINT16 "stack lifo ", 8            /* 22221111 */

    mov %sp, %dx
    pushaw
    mov %sp, VAR_TEST
    popaw
    mov VAR_TEST, %bp
    mov 6(%bp), %cx                     /* the SP PUSHA saved: the old SP */
    sub %dx, %cx
    mov %dx, %ax
    sub %bp, %ax                        /* 8 registers * 2 bytes */
    shl $16, %eax
    mov %cx, %ax
    PRINT16 "pusha depth/saved-sp ", 8  /* 00100000 */

    mov %sp, %dx
    enter $8, $0
    mov %dx, %ax
    sub %sp, %ax                        /* BP (2) + 8 bytes of locals */
    leave
    sub %sp, %dx                        /* LEAVE restores SP: 0 */
    shl $16, %eax
    mov %dx, %ax
    PRINT16 "enter depth/leave ", 8     /* 000a0000 */

/* --- arithmetic --- */
    mov $0xffffffff, %eax
    add $1, %eax                        /* 0, CF = 1 */
    mov $0x10, %eax
    adc $0, %eax
    PRINT16 "add/adc ", 8               /* 00000011 */

    xor %eax, %eax
    sub $1, %eax                        /* borrow: CF = 1 */
    mov $10, %eax
    sbb $5, %eax
    PRINT16 "sub/sbb ", 8               /* 10 - 5 - 1 = 00000004 */

    mov $0x1234, %ax
    mov $0x5678, %bx
    mul %bx                             /* DX:AX */
    shl $16, %edx
    movzwl %ax, %eax
    or %edx, %eax
    PRINT16 "mul16 ", 8                 /* 0x1234 * 0x5678 = 06260060 */

    mov $-3, %ax
    mov $7, %bx
    imul %bx
    shl $16, %edx
    movzwl %ax, %eax
    or %edx, %eax
    PRINT16 "imul16 ", 8                /* -21 in DX:AX = ffffffeb */

    mov $1000, %ecx
    imul $-5, %ecx, %eax
    PRINT16 "imul3 ", 8                 /* -5000 = ffffec78 */

    mov $1, %dx
    xor %ax, %ax
    mov $7, %bx
    div %bx                             /* 65536 / 7 = 9362 r 2 */
    shl $16, %eax
    mov %dx, %ax
    PRINT16 "div16 q/r ", 8             /* 24920002 */

    mov $-100, %ax
    cwd
    mov $7, %bx
    idiv %bx                            /* truncates toward 0: -14 r -2 */
    shl $16, %eax
    mov %dx, %ax
    PRINT16 "idiv16 q/r ", 8            /* fff2fffe */

    mov $0x12, %edx
    mov $0x3456789a, %eax
    mov $0x10000, %ecx
    div %ecx
    PRINT16 "div32 q ", 8               /* 0x123456789a >> 16 = 00123456 */
    mov %edx, %eax
    PRINT16 "div32 r ", 8               /* 0000789a */

/* --- shifts, rotates, bit scans --- */
    mov $0x81, %al
    shl $1, %al                         /* 02, CF = 1 */
    setc %ah
    PRINT16 "shl8 cf/al ", 4            /* 0102 */

    mov $0x8000, %ax
    sar $3, %ax                         /* sign fills: f000 */
    mov $0x8000, %bx
    shr $3, %bx                         /* zero fills: 1000 */
    shl $16, %eax
    mov %bx, %ax
    PRINT16 "sar/shr ", 8               /* f0001000 */

    mov $0x12345678, %eax
    rol $8, %eax
    PRINT16 "rol32 ", 8                 /* 34567812 */

    stc
    mov $0x80000000, %eax
    rcl $1, %eax                        /* CF in -> bit 0, bit 31 -> CF */
    adc %eax, %eax                      /* 1 + 1 + CF */
    PRINT16 "rcl/adc ", 8               /* 00000003 */

    mov $0x11223344, %eax
    mov $0xaabbccdd, %ebx
    shld $8, %ebx, %eax
    PRINT16 "shld ", 8                  /* 223344aa */

    mov $0x00f0, %bx
    bsf %bx, %cx
    bsr %bx, %ax
    shl $8, %ax
    or %cx, %ax
    PRINT16 "bsr/bsf ", 4               /* 0704 */

    mov $0x12345678, %eax
    bswap %eax
    PRINT16 "bswap ", 8                 /* 78563412 */

    movsbw %cs:byte_80, %ax
    shl $16, %eax
    movzbw %cs:byte_80, %ax
    PRINT16 "movsx/movzx ", 8           /* ff800080 */

/* --- flags: OF SF ZF AF PF CF (mask 0x8d5) --- */
    mov $0x7f, %al
    add $1, %al                         /* 80: OF SF AF */
    pushf
    pop %ax
    and $0x8d5, %ax
    PRINT16 "flags 7f+1 ", 4            /* 0890 */

    mov $0xff, %al
    add $1, %al                         /* 00: ZF AF PF CF */
    pushf
    pop %ax
    and $0x8d5, %ax
    PRINT16 "flags ff+1 ", 4            /* 0055 */

    xor %al, %al
    sub $1, %al                         /* ff: SF AF PF CF */
    pushf
    pop %ax
    and $0x8d5, %ax
    PRINT16 "flags 0-1 ", 4             /* 0095 */

/*
 * BCD adjusts. Not DAA/AAA/AAS: the Linux KVM instruction emulator, which
 * runs all real-mode code on hosts without VT-x, does not implement them.
 */
    mov $0x47, %al
    sub $0x28, %al                      /* 1f, AF */
    das                                 /* BCD 47 - 28 = 19 */
    movzbl %al, %edx
    shl $16, %edx
    mov $79, %al
    aam                                 /* AH = 7, AL = 9 */
    movzwl %ax, %eax
    or %edx, %eax
    PRINT16 "das/aam ", 8               /* 00190709 */
    aad                                 /* 7 * 10 + 9 = 79 = 4f, AH = 0 */
    PRINT16 "aad ", 4                   /* 004f */

    mov $100, %cx
    xor %ax, %ax
1:  add %cx, %ax
    loop 1b
    PRINT16 "loop sum 1..100 ", 4       /* 5050 = 13ba */

/* --- 16-bit addressing and segments --- */
    mov $0x0100, %bx
    mov $0x0020, %si
    lea 7(%bx,%si), %ax
    shl $16, %eax
    mov $0xfff0, %bx
    lea (%bx,%si), %ax                  /* offsets wrap at 64 KiB */
    PRINT16 "lea16 ", 8                 /* 01270010 */

    mov $0x1000, %ax
    mov %ax, %es
    movw $0xbeef, %es:0x0010            /* linear 0x10010 */
    mov $0x1001, %ax
    mov %ax, %es
    mov %es:0x0000, %ax                 /* the same byte, other segment */
    xor %bx, %bx
    mov %bx, %es
    PRINT16 "segment alias ", 4         /* beef */

/* --- string instructions --- */
    mov $ROM_SEG, %ax
    mov %ax, %ds                        /* DS:SI = the string in the image */
    mov $str_src, %si
    mov $SCRATCH, %di                   /* ES:DI = RAM */
    mov $str_len, %cx
    rep movsb
    mov $str_src, %si
    mov $SCRATCH, %di
    mov $str_len, %cx
    repe cmpsb                          /* all equal: CX 0, ZF 1 */
    setz %al
    movzbl %al, %eax
    shl $16, %eax
    mov %cx, %ax
    PRINT16 "movsb+cmpsb zf/cx ", 8     /* 00010000 */

    movb $0x21, %es:SCRATCH + 5         /* '!' over the space at 5 */
    mov $str_src, %si
    mov $SCRATCH, %di
    mov $str_len, %cx
    repe cmpsb                          /* stops after index 5 */
    mov %cx, %ax
    PRINT16 "cmpsb mismatch cx ", 4     /* 17 - 6 = 000b */

    mov $SCRATCH, %di
    mov $str_len, %cx
    mov $0x74, %al                      /* 't' is at index 7 */
    repne scasb
    mov %di, %ax
    shl $16, %eax
    mov %cx, %ax
    PRINT16 "scasb di/cx ", 8           /* 06080009 */

    mov $0xa55a, %ax
    mov $(SCRATCH + 0x100), %di
    mov $8, %cx
    rep stosw
    xor %bx, %bx
    mov %bx, %ds
    mov $(SCRATCH + 0x100), %si
    mov $8, %cx
    xor %edx, %edx
    xor %eax, %eax
1:  lodsw                               /* upper half of EAX stays 0 */
    add %eax, %edx
    loop 1b
    mov %edx, %eax
    PRINT16 "stosw/lodsw sum ", 8       /* 8 * 0xa55a = 00052ad0 */

    mov $ROM_SEG, %ax
    mov %ax, %ds
    mov $(str_abcd + 3), %si
    mov $(SCRATCH + 0x120 + 3), %di
    mov $4, %cx
    std                                 /* copy backwards */
    rep movsb
    cld
    xor %ax, %ax
    mov %ax, %ds
    inc %si
    sub $str_abcd, %si                  /* SI ends one below the source */
    mov SCRATCH + 0x120, %eax
    PRINT16 "std movsb ", 8             /* "abcd" = 64636261 */
    mov %si, %ax
    PRINT16 "std si end ", 4            /* 0000 */

/* --- far calls and returns --- */
    lcall $ROM_SEG, $far_getcs
    mov %ax, %bx
    lcall $(ROM_SEG - 0x100), $(far_getcs + 0x1000)  /* same linear address */
    shl $16, %ebx
    mov %ax, %bx
    mov %ebx, %eax
    PRINT16 "lcall cs ", 8              /* f000ef00 */

    movw $far_add, VAR_TEST
    movw $ROM_SEG, VAR_TEST + 2
    mov %sp, %dx
    pushw $0x1234
    pushw $0x4321
    lcallw *VAR_TEST                    /* far pointer in memory */
    sub %sp, %dx                        /* RETF 4 dropped both arguments */
    shl $16, %eax
    mov %dx, %ax
    PRINT16 "lcall* retf4 ", 8          /* 55550000 */

/* --- INT n, INT3, INTO through the IVT --- */
    movw $int40_handler, 0x40 * 4
    movw $ROM_SEG, 0x40 * 4 + 2
    movw $trap_handler, 3 * 4
    movw $ROM_SEG, 3 * 4 + 2
    movw $trap_handler, 4 * 4
    movw $ROM_SEG, 4 * 4 + 2
    movl $0, VAR_TEST + 8               /* trap count */

    pushw $0x0001
    popfw                               /* only CF (and fixed bit 1) */
    mov $0x1234, %ax
    int $0x40
after_int40:
    pushf
    pop %dx
    not %ax                             /* the handler inverted it */
    PRINT16 "int40 ax ", 4              /* 1234 */
    mov VAR_TEST, %eax                  /* handler: IP delta, CS */
    PRINT16 "int40 ip-delta/cs ", 8     /* 0000f000 */
    mov VAR_TEST + 4, %ax
    shl $16, %eax
    mov %dx, %ax
    PRINT16 "int40 flags pushed/after ", 8  /* 00030003 */

    int3
after_int3:
    mov VAR_TEST + 12, %ax
    sub $after_int3, %ax
    PRINT16 "int3 ip-delta ", 4         /* traps return after it: 0000 */

    xor %al, %al
    add $1, %al                         /* OF = 0 */
    into                                /* no trap */
    mov $0x7f, %al
    add $1, %al                         /* OF = 1 */
    into
after_into:
    mov VAR_TEST + 12, %ax
    sub $after_into, %ax
    shl $16, %eax
    mov VAR_TEST + 8, %ax
    PRINT16 "into ip-delta/count ", 8   /* int3 + into = 00000002 */

    call print_csum16
    SAY16 "realmode: done"
    mov $GUEST_PASS, %al
    jmp guest_exit16

/* Far procedures. */
far_getcs:
    mov %cs, %ax
    lret

far_add:
    push %bp
    mov %sp, %bp
    mov 6(%bp), %ax
    add 8(%bp), %ax
    pop %bp
    lret $4

/* INT 0x40: record where it came from, invert AX. */
int40_handler:
    push %bp
    mov %sp, %bp
    push %bx
    mov 2(%bp), %bx                     /* IP */
    sub $after_int40, %bx
    mov %bx, VAR_TEST + 2
    mov 4(%bp), %bx                     /* CS */
    mov %bx, VAR_TEST
    mov 6(%bp), %bx                     /* FLAGS */
    mov %bx, VAR_TEST + 4
    pop %bx
    pop %bp
    not %ax
    iret

/* INT3 and INTO: count and record the return IP. */
trap_handler:
    push %bp
    mov %sp, %bp
    push %ax
    mov 2(%bp), %ax
    mov %ax, VAR_TEST + 12
    incw VAR_TEST + 8
    pop %ax
    pop %bp
    iret

    .section .rodata
byte_80:    .byte 0x80
str_src:    .ascii "pcemu string test"
    .set str_len, . - str_src
str_abcd:   .ascii "abcd"
