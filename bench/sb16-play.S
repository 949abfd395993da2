/*
 * bench/sb16-play.S: a tiny real-mode guest for bench/audio-playback.py.
 * It plays SECONDS seconds of 16-bit stereo sound at 44100 Hz through a
 * Sound Blaster 16 (base 220h, IRQ 5, DMA 5) in auto-init mode from a
 * 64 KiB buffer, halting between the DSP's block interrupts (one per
 * 0.1 s), then prints the interrupt count and exits through
 * isa-debug-exit (0xf4) with GUEST_PASS.
 *
 * With no BIOS nobody has put the local APIC in virtual-wire mode (QEMU
 * resets it with LINT0 masked), so the guest turns the APIC off in
 * IA32_APIC_BASE: the 8259's INTR then reaches the CPU directly.
 *
 * Built by the bench script with the tests/guest helpers (reset.S,
 * lib16.S, guest.ld); the same image runs on pcemu and QEMU.
 */
#include "guest.h"

#ifndef SECONDS
#define SECONDS         5
#endif
#define SB              0x220
/* An even page: word channels ignore the page register's bit 0. */
#define BUF             0x20000
#define RATE            44100
#define BLOCK_SAMPLES   (RATE / 10 * 2)         /* 0.1 s, L and R */
#define IRQ5_VECTOR     (0x08 + 5)

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
    SAY16 "sb16-play: start"
    movw $0, VAR_TEST

    /* Local APIC off (IA32_APIC_BASE bit 11): 8259 INTR to the CPU. */
    mov $0x1b, %ecx
    rdmsr
    and $~0x800, %eax
    wrmsr

    /* 8259 pair: vectors 08h/70h, only IRQ 5 (and the cascade) open. */
    mov $0x11, %al
    out %al, $0x20
    out %al, $0xa0
    mov $0x08, %al
    out %al, $0x21
    mov $0x70, %al
    out %al, $0xa1
    mov $0x04, %al
    out %al, $0x21
    mov $0x02, %al
    out %al, $0xa1
    mov $0x01, %al
    out %al, $0x21
    out %al, $0xa1
    mov $0xdb, %al                      /* IRQ 2 and 5 open */
    out %al, $0x21
    mov $0xff, %al
    out %al, $0xa1
    movw $irq5, IRQ5_VECTOR * 4
    movw $ROM_SEG, IRQ5_VECTOR * 4 + 2

    /* A sawtooth in the 64 KiB buffer. */
    mov $(BUF >> 4), %ax
    mov %ax, %es
    xor %di, %di
    mov $0x8000, %cx
    xor %ax, %ax
1:  stosw
    add $300, %ax
    loop 1b
    xor %ax, %ax
    mov %ax, %es

    /* DSP reset: 1 then 0, then wait for AAh. */
    mov $(SB + 6), %dx
    mov $1, %al
    out %al, %dx
    xor %al, %al
    out %al, %dx
    call dsp_read
    cmp $0xaa, %al
    je 2f
    mov $msg_noreset, %si
    jmp fail16
2:  mov $0xe1, %al
    call dsp_write
    call dsp_read
    mov %al, %ah
    call dsp_read
    PRINT16 "dsp version ", 4

    /* DMA channel 5: single, read, auto-init; word address and count. */
    mov $0x05, %al
    out %al, $0xd4
    xor %al, %al
    out %al, $0xd8
    mov $0x59, %al
    out %al, $0xd6
    xor %al, %al
    out %al, $0xc4
    out %al, $0xc4
    mov $(BUF >> 16), %al
    out %al, $0x8b
    mov $0xff, %al
    out %al, $0xc6
    mov $0x7f, %al
    out %al, $0xc6
    mov $0x01, %al
    out %al, $0xd4
    xor %al, %al
    out %al, $0xd4

    /* SB16: speaker on (older cards gate the DAC with it), 44100 Hz,
     * 16-bit stereo signed auto-init, 0.1 s blocks. */
    mov $0xd1, %al
    call dsp_write
    mov $0x41, %al
    call dsp_write
    mov $(RATE >> 8), %al
    call dsp_write
    mov $(RATE & 0xff), %al
    call dsp_write
    mov $0xb6, %al
    call dsp_write
    mov $0x30, %al
    call dsp_write
    mov $((BLOCK_SAMPLES - 1) & 0xff), %al
    call dsp_write
    mov $((BLOCK_SAMPLES - 1) >> 8), %al
    call dsp_write

    sti
3:  hlt
    cmpw $(SECONDS * 10), VAR_TEST
    jb 3b
    cli
    mov $0xd5, %al                      /* pause 16-bit DMA */
    call dsp_write
    movzwl VAR_TEST, %eax
    PRINT16 "interrupts ", 4
    SAY16 "sb16-play: done"
    mov $GUEST_PASS, %al
    jmp guest_exit16

/* Writes AL to the DSP once it is ready. */
dsp_write:
    push %dx
    push %ax
    mov $(SB + 0xc), %dx
1:  in %dx, %al
    test $0x80, %al
    jnz 1b
    pop %ax
    out %al, %dx
    pop %dx
    ret

/* Reads a DSP byte into AL once one is there. */
dsp_read:
    push %dx
    mov $(SB + 0xe), %dx
1:  in %dx, %al
    test $0x80, %al
    jz 1b
    mov $(SB + 0xa), %dx
    in %dx, %al
    pop %dx
    ret

/* IRQ 5: count, acknowledge the 16-bit interrupt, EOI. */
irq5:
    push %ax
    push %dx
    push %ds
    xor %ax, %ax
    mov %ax, %ds
    incw VAR_TEST
    mov $(SB + 0xf), %dx
    in %dx, %al
    mov $0x20, %al
    out %al, $0x20
    pop %ds
    pop %dx
    pop %ax
    iret

msg_noreset: .asciz "no DSP reset answer"
