/*
 * paging: 32-bit paging with 4 KiB pages. Identity-maps the first 4 MiB
 * (the code, stack and tables live there) and maps the next 4 MiB
 * (linear 0x400000-) onto physical 0x200000- page by page, then checks
 * the translation, the accessed and dirty bits the CPU sets, a remap
 * with INVLPG, a #PF on a not-present page (CR2 and error code; the test
 * maps the page and runs the store again), and a #PF on a write to a
 * read-only page with CR0.WP set. Expected output: paging.expected.
 */
#include "guest.h"

#define PD              0x20000         /* page directory */
#define PT0             0x21000         /* identity: linear 0-4 MiB */
#define PT1             0x22000         /* linear 4-8 MiB */
#define PTE_P           0x001
#define PTE_RW          0x002
#define PTE_A           0x020
#define PTE_D           0x040
#define CR0_WP          0x00010000
#define CR0_PG          0x80000000
#define CR0_CD          0x40000000
#define CR0_NW          0x20000000
#define WINDOW          0x400000        /* linear base PT1 maps */
#define BACKING         0x200000        /* where its pages usually go */

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
    SAY16 "paging: start"
    mov $LIN(pm_main), %ebx
    jmp pm_enter

    .code32
pm_main:
    mov $PD, %edi                       /* PD, PT0, PT1 all empty */
    mov $(3 * 1024), %ecx
    xor %eax, %eax
    rep stosl
    mov $PT0, %edi                      /* PT0[i] = i << 12: identity */
    mov $(PTE_P | PTE_RW), %eax
    mov $1024, %ecx
1:  stosl
    add $0x1000, %eax
    loop 1b
    movl $(PT0 | PTE_P | PTE_RW), PD
    movl $(PT1 | PTE_P | PTE_RW), PD + 4
    movl $(BACKING | PTE_P | PTE_RW), PT1   /* only page 0 of the window */

    mov $PD, %eax
    mov %eax, %cr3
    mov %cr0, %eax
    and $~(CR0_CD | CR0_NW), %eax       /* caches on, as an OS does */
    or $CR0_PG, %eax
    mov %eax, %cr0
    mov %cr0, %eax
    and $CR0_PG, %eax
    PRINT32 "cr0.pg ", 8                /* 80000000 */

/* --- translation, accessed and dirty bits --- */
    movl $0xcafef00d, WINDOW + 0x10
    mov BACKING + 0x10, %eax            /* the same byte, through PT0 */
    PRINT32 "window -> backing ", 8     /* cafef00d */
    mov PT1, %eax
    and $0xfff, %eax
    PRINT32 "pte after write ", 3       /* D A RW P = 063 */
    mov PD + 4, %eax
    and $0xfff, %eax
    PRINT32 "pde after use ", 3         /* A RW P = 023 */
    mov PT0 + 4 * 0x3ff, %eax           /* 0x3ff000: never touched */
    and $0xfff, %eax
    PRINT32 "pte untouched ", 3         /* 003 */

/* --- remap the page; INVLPG drops the old translation --- */
    movl $0x11223344, BACKING + 0x1000 + 0x10
    movl $(BACKING + 0x1000 | PTE_P | PTE_RW), PT1
    invlpg WINDOW
    mov WINDOW + 0x10, %eax
    PRINT32 "after remap ", 8           /* 11223344 */

/* --- #PF: write to a not-present page --- */
    CATCH 1f
store_np:
    movl $0x55aa55aa, WINDOW + 0x2234   /* page 2 of the window: absent */
    jmp no_fault
1:  mov $LIN(store_np), %eax
    call print_event                    /* 000e0002 (write, not present) */
    mov VAR_EXC_CR2, %eax
    PRINT32 "  cr2 ", 8                 /* 00402234 */
    movl $(BACKING + 0x2000 | PTE_P | PTE_RW), PT1 + 2 * 4
    movl $0x55aa55aa, WINDOW + 0x2234   /* the same store, now mapped */
    mov BACKING + 0x2234, %eax
    PRINT32 "store after mapping ", 8   /* 55aa55aa */

/* --- #PF: write to a read-only page, CR0.WP set --- */
    movl $(BACKING + 0x3000 | PTE_P), PT1 + 3 * 4
    mov %cr0, %eax
    or $CR0_WP, %eax
    mov %eax, %cr0
    mov WINDOW + 0x3000, %eax           /* reading is allowed */
    CATCH 1f
store_ro:
    movl $0x12345678, WINDOW + 0x3008
    jmp no_fault
1:  mov $LIN(store_ro), %eax
    call print_event                    /* 000e0003 (write, protection) */
    mov VAR_EXC_CR2, %eax
    PRINT32 "  cr2 ", 8                 /* 00403008 */
    mov PT1 + 3 * 4, %eax
    and $0xfff, %eax
    PRINT32 "  pte ", 3                 /* A P = 021 */

    mov VAR_EXC_COUNT, %eax
    PRINT32 "page faults ", 2           /* 02 */
    call print_csum32
    SAY32 "paging: done"
    mov $GUEST_PASS, %al
    jmp guest_exit32

no_fault:
    mov $LIN(msg_no_fault), %esi
    jmp fail32

msg_no_fault: .asciz "the store did not fault"
