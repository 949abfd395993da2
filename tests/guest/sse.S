/*
 * sse: MMX, SSE and SSE2 as an operating system and a user program use
 * them. Ring 0 reads CPUID, clears CR0.EM, sets CR0.MP/NE and then
 * CR4.OSFXSR/OSXMMEXCPT; ring 3 (entered through SYSEXIT, back through
 * the fault that ends each excursion) runs the instructions:
 *
 *   - ADDPS before CR4.OSFXSR is set: #UD; with CR0.TS set: #NM
 *   - a 64-round mix of SSE2 integer operations, sums of square roots in
 *     double precision, packed single arithmetic and conversions under
 *     two rounding modes, COMISS flags, MMX, FXSAVE's MXCSR and abridged
 *     tag word after EMMS; every result is printed
 *   - a misaligned MOVAPS: #GP(0); an unmasked divide by zero: #XM
 *
 * Expected output: sse.expected, made with pcemu -accel tcg and checked
 * against qemu-system-x86_64 -accel tcg, which prints the same but for
 * the last fault: QEMU does not raise #XM for unmasked SIMD exceptions
 * (the next instruction's #GP comes instead). Under KVM without VT-x
 * (kvm_pvm) SSE stays #UD after CR4.OSFXSR is set, so the kvm test runs
 * only on hosts with hardware virtualisation.
 */
#include "guest.h"

#define RES     0x3000          /* results, printed from ring 0 */
#define NRES    32              /* dwords */
#define FXAREA  0x4000          /* 512 bytes, 16-aligned */

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
    SAY16 "sse: start"
    mov $LIN(pm_main), %ebx
    jmp pm_enter

    .code32
pm_main:
    mov $1, %eax
    cpuid
    mov %edx, %eax
    and $0x07800000, %eax
    PRINT32 "cpuid.1 edx mmx/fxsr/sse/sse2 ", 8     /* 07800000 */

    mov %cr0, %eax
    and $0xfffffff3, %eax               /* EM, TS off */
    or $0x22, %eax                      /* MP, NE */
    mov %eax, %cr0

/* --- before the OS enables SSE: #UD; with CR0.TS: #NM --- */
    CATCH 1f
    mov $LIN(user_addps), %ebx
    jmp user_jump
1:  mov $LIN(user_addps), %eax
    call print_event                    /* 00060000, 00000000, 001b */

    mov %cr4, %eax
    or $0x600, %eax                     /* OSFXSR, OSXMMEXCPT */
    mov %eax, %cr4
    mov %cr0, %eax
    or $0x08, %eax                      /* TS */
    mov %eax, %cr0
    CATCH 1f
    mov $LIN(user_addps), %ebx
    jmp user_jump
1:  mov $LIN(user_addps), %eax
    call print_event                    /* 00070000, 00000000, 001b */
    clts

/* --- the computation --- */
    mov $RES, %edi
    mov $NRES, %ecx
    xor %eax, %eax
    rep stosl
    CATCH 1f
    mov $LIN(user_main), %ebx
    jmp user_jump
1:  mov $LIN(user_main_end), %eax
    call print_event                    /* 000d0000, 00000000, 001b */
    xor %ebx, %ebx
2:  mov RES(,%ebx,4), %eax
    PRINT32 "result ", 8
    inc %ebx
    cmp $NRES, %ebx
    jb 2b

/* --- faults from SSE instructions --- */
    CATCH 1f
    mov $LIN(user_misaligned), %ebx
    jmp user_jump
1:  mov $LIN(user_misaligned), %eax
    call print_event                    /* 000d0000, 00000000, 001b */

    CATCH 1f
    mov $LIN(user_xm), %ebx
    jmp user_jump
1:  mov $LIN(xm_insn), %eax
    call print_event                    /* 00130000, 00000000, 001b */
    CATCH 1f
    mov $LIN(user_stmxcsr), %ebx
    jmp user_jump
1:  mov RES, %eax
    PRINT32 "mxcsr after #XM ", 8       /* ZE set, no other new flag */

    call print_csum32
    SAY32 "sse: done"
    mov $GUEST_PASS, %al
    jmp guest_exit32

/* ---- ring 3 ---- */

user_addps:
    addps %xmm1, %xmm0
    cli

user_main:
    /* SSE2 integer: a 64-round mix */
    movdqa LIN(ivec0), %xmm0
    movdqa LIN(ivec1), %xmm1
    mov $64, %ecx
1:  movdqa %xmm0, %xmm2
    paddw %xmm1, %xmm0
    pmullw %xmm2, %xmm1
    pshufd $0x39, %xmm0, %xmm0
    pxor %xmm2, %xmm1
    movdqa %xmm1, %xmm3
    psrlq $7, %xmm3
    paddq %xmm3, %xmm0
    pmaddwd %xmm1, %xmm2
    paddd %xmm2, %xmm0
    punpcklbw %xmm1, %xmm3
    psadbw %xmm3, %xmm2
    paddq %xmm2, %xmm1
    pcmpgtb %xmm0, %xmm3
    psubb %xmm3, %xmm1
    pmuludq %xmm0, %xmm3
    paddsw %xmm3, %xmm1
    packuswb %xmm0, %xmm3
    pavgb %xmm3, %xmm1
    pslldq $3, %xmm3
    por %xmm3, %xmm0
    loop 1b
    movdqu %xmm0, RES + 0
    movdqu %xmm1, RES + 16

    /* double: the sum of sqrt(i), i = 1..100 */
    xorpd %xmm0, %xmm0
    mov $1, %ecx
2:  cvtsi2sd %ecx, %xmm1
    sqrtsd %xmm1, %xmm1
    addsd %xmm1, %xmm0
    inc %ecx
    cmp $100, %ecx
    jbe 2b
    movsd %xmm0, RES + 32
    cvttsd2si %xmm0, %eax
    mov %eax, RES + 40

    /* single, packed: (a * b + c) / d, converted, squared in double */
    movaps LIN(fvec0), %xmm2
    mulps LIN(fvec1), %xmm2
    addps LIN(fvec2), %xmm2
    divps LIN(fvec3), %xmm2
    movups %xmm2, RES + 44
    cvtps2dq %xmm2, %xmm4
    movdqu %xmm4, RES + 60
    cvtps2pd %xmm2, %xmm5
    mulpd %xmm5, %xmm5
    cvtpd2ps %xmm5, %xmm6
    sqrtps %xmm2, %xmm3                 /* a NaN for the negative lane */
    shufps $0x4e, %xmm2, %xmm6
    maxps %xmm3, %xmm6
    movups %xmm6, RES + 76
    comiss LIN(fvec1), %xmm2
    pushf
    pop %eax
    and $0x8d5, %eax
    mov %eax, RES + 92

    /* MMX */
    movq LIN(ivec0), %mm0
    movq LIN(ivec1), %mm1
    paddusb %mm1, %mm0
    pmaddwd %mm0, %mm1
    packsswb %mm0, %mm1
    psllq $3, %mm1
    pshufw $0x1b, %mm1, %mm2
    pxor %mm2, %mm1
    movq %mm1, RES + 96
    emms

    /* FXSAVE after EMMS: every tag empty, MXCSR with the flags so far */
    fxsave FXAREA
    mov FXAREA + 24, %eax
    mov %eax, RES + 104
    movzbl FXAREA + 4, %eax
    mov %eax, RES + 108

    /* round toward zero, then down */
    ldmxcsr LIN(mxcsr_rz)
    cvtsd2si %xmm0, %eax
    mov %eax, RES + 112
    movaps LIN(fvec0), %xmm2
    divps LIN(fvec3), %xmm2
    movd %xmm2, RES + 116
    ldmxcsr LIN(mxcsr_rd)
    movaps LIN(fvec0), %xmm2
    divps LIN(fvec3), %xmm2
    movd %xmm2, RES + 120
    stmxcsr RES + 124
user_main_end:
    cli

user_misaligned:
    movaps LIN(fvec0) + 4, %xmm0
    cli

user_xm:
    ldmxcsr LIN(mxcsr_zm_off)
    movaps LIN(fvec0), %xmm0
    xorps %xmm1, %xmm1
xm_insn:
    divps %xmm1, %xmm0
    cli

user_stmxcsr:
    stmxcsr RES
    cli

    .balign 16
ivec0:  .long 0x01234567, 0x89abcdef, 0xfedcba98, 0x76543210
ivec1:  .long 0x0f1e2d3c, 0x4b5a6978, 0x8796a5b4, 0xc3d2e1f0
fvec0:  .float 1.5, -2.25, 3.0e10, 0.1
fvec1:  .float 3.0, 7.0, -1.0e-3, 10.0
fvec2:  .float 0.5, 1.0e-7, 2.0, -100.0
fvec3:  .float 3.0, -7.0, 1.0e-20, 3.0
mxcsr_rz:       .long 0x7f80
mxcsr_rd:       .long 0x3f80
mxcsr_zm_off:   .long 0x1d80        /* divide-by-zero unmasked */
