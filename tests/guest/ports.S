/*
 * ports: the board's legacy devices as a real CPU sees them, in real mode
 * with no BIOS: the i440FX/PIIX3 PCI configuration mechanism #1, the
 * 8259 pair (init, IMR, ISR, PIIX3 ELCR masks), the 8254's channel 2
 * behind port 0x61 (read-back status, counting, OUT2), the MC146818 RTC
 * and the CMOS memory-size bytes QEMU's pc board writes, fw_cfg's
 * signatures and items, the 16550's scratch, IIR and loopback, and an
 * unassigned port. Expected output: ports.expected (with -m 16, 1 CPU).
 */
#include "guest.h"

#define PCI_ADDR(bus, dev, fn, reg) \
    (0x80000000 | ((bus) << 16) | ((dev) << 11) | ((fn) << 8) | (reg))

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
    SAY16 "ports: start"

/* --- PCI configuration space (0xcf8 address, 0xcfc data) --- */
    mov $PCI_ADDR(0, 0, 0, 0x00), %eax
    call pci_read
    PRINT16 "pci 00.0 id ", 8           /* i440FX: 8086:1237 = 12378086 */
    mov $PCI_ADDR(0, 0, 0, 0x08), %eax
    call pci_read
    shr $8, %eax
    PRINT16 "pci 00.0 class ", 6        /* host bridge: 060000 */
    mov $PCI_ADDR(0, 1, 0, 0x00), %eax
    call pci_read
    PRINT16 "pci 01.0 id ", 8           /* PIIX3 ISA: 8086:7000 = 70008086 */
    mov $PCI_ADDR(0, 1, 0, 0x08), %eax
    call pci_read
    shr $8, %eax
    PRINT16 "pci 01.0 class ", 6        /* ISA bridge: 060100 */
    mov $PCI_ADDR(0, 31, 0, 0x00), %eax
    call pci_read
    PRINT16 "pci 1f.0 id ", 8           /* nothing there: ffffffff */
    mov $0xcf8, %dx
    in %dx, %eax
    PRINT16 "pci cf8 readback ", 8      /* 8000f800 */

/* --- 8259 pair --- */
    mov $0x11, %al                      /* ICW1: edge, cascade, ICW4 */
    out %al, $0x20
    out %al, $0xa0
    mov $0x08, %al                      /* ICW2: vector base, as a BIOS */
    out %al, $0x21
    mov $0x70, %al
    out %al, $0xa1
    mov $0x04, %al                      /* ICW3: slave on IRQ 2 */
    out %al, $0x21
    mov $0x02, %al
    out %al, $0xa1
    mov $0x01, %al                      /* ICW4: 8086 mode */
    out %al, $0x21
    out %al, $0xa1
    mov $0xfb, %al
    out %al, $0x21
    mov $0xff, %al
    out %al, $0xa1
    in $0x21, %al
    mov %al, %ah
    in $0xa1, %al
    PRINT16 "pic imr master/slave ", 4  /* fbff */
    mov $0x0b, %al                      /* OCW3: read ISR */
    out %al, $0x20
    out %al, $0xa0
    in $0x20, %al
    mov %al, %ah
    in $0xa0, %al
    PRINT16 "pic isr master/slave ", 4  /* 0000 */
    mov $0xff, %al                      /* PIIX3 ELCR: IRQs 0-2, 8 and 13 */
    mov $0x4d0, %dx                     /* can't be level-triggered */
    out %al, %dx
    inc %dx
    out %al, %dx
    in %dx, %al
    mov %al, %ah
    dec %dx
    in %dx, %al
    PRINT16 "elcr mask slave/master ", 4    /* def8 */
    xor %al, %al
    out %al, %dx
    inc %dx
    out %al, %dx

/*
 * --- 8254 channel 2, gated by port 0x61 bit 0, OUT2 on bit 5 ---
 * The way Linux calibrates the TSC: gate on, then mode 0, which counts
 * from the load. (Neither QEMU's 8254 nor KVM's stops mode 0 while the
 * gate is low, so nothing here depends on that.) Only what a delay of
 * the vCPU thread cannot change is checked.
 */
    in $0x61, %al
    and $0xfd, %al                      /* speaker data off */
    or $0x01, %al                       /* gate on */
    out %al, $0x61
    mov $0xb0, %al                      /* ch 2, lo/hi byte, mode 0 */
    out %al, $0x43
    mov $0xff, %al                      /* count 0xffff: about 55 ms */
    out %al, $0x42
    out %al, $0x42
    mov $0xe8, %al                      /* read-back: status of ch 2 */
    out %al, $0x43
    in $0x42, %al
    and $0x3f, %al                      /* not OUT and null count */
    PRINT16 "pit ch2 status ", 2        /* lo/hi, mode 0, binary: 30 */
    call pit_ch2_latch
    mov %ax, %bx
    mov $16, %cx                        /* let some ticks pass */
1:  in $0x61, %al
    loop 1b
    call pit_ch2_latch
    cmp %bx, %ax                        /* it moved (mode 0 wraps at 0, */
    setne %al                           /* so not "down": a host may */
    PRINT16 "pit ch2 counting ", 1      /* pause us that long): 1 */
    mov $0x200000, %ecx                 /* bound, not a delay */
1:  in $0x61, %al
    test $0x20, %al
    jnz 2f
    addr32 loop 1b
2:  and $0x20, %al
    PRINT16 "pit out2 at terminal count ", 2    /* 20 */
    in $0x61, %al
    and $0xfc, %al                      /* gate off */
    out %al, $0x61

/* --- RTC and CMOS --- */
    mov $0x0a, %al
    call cmos_read
    and $0x7f, %al                      /* UIP is set while it updates */
    PRINT16 "rtc status a ", 2          /* 32.768 kHz, 1024 Hz: 26 */
    mov $0x0b, %al
    call cmos_read
    PRINT16 "rtc status b ", 2          /* 24-hour, BCD: 02 */
    mov $0x0d, %al
    call cmos_read
    PRINT16 "rtc status d ", 2          /* RAM and time valid: 80 */
    xor %dx, %dx                        /* seconds, minutes, hours in BCD */
    mov $0x00, %al
    call cmos_read
    call check_bcd
    mov $0x02, %al
    call cmos_read
    call check_bcd
    mov $0x04, %al
    call cmos_read
    call check_bcd
    mov %dx, %ax
    PRINT16 "rtc time digits not bcd ", 1   /* 0 */
    mov $0x16, %al
    call cmos_read16
    PRINT16 "cmos base memory kb ", 4   /* 640 = 0280 */
    mov $0x18, %al
    call cmos_read16
    PRINT16 "cmos extended memory kb ", 4   /* 16 MiB - 1 MiB = 3c00 */
    mov $0x31, %al
    call cmos_read16
    PRINT16 "cmos extended memory kb (30) ", 4  /* 3c00 */
    mov $0x35, %al
    call cmos_read16
    PRINT16 "cmos memory above 16m/64k ", 4 /* 0000 */
    mov $0x5f, %al
    call cmos_read
    PRINT16 "cmos cpus-1 ", 2           /* 00 */

/* --- fw_cfg: selector 0x510 (16-bit), data 0x511, DMA 0x514 --- */
    mov $0x0000, %ax                    /* FW_CFG_SIGNATURE */
    call fw_cfg_select
    mov $0x511, %dx
    mov $4, %cx
    SAYN16 "fw_cfg signature "
1:  in %dx, %al
    call putc16
    loop 1b
    mov $10, %al
    call putc16                         /* QEMU */
    mov $0x0001, %ax                    /* FW_CFG_ID */
    call fw_cfg_select
    call fw_cfg_read32
    PRINT16 "fw_cfg id ", 8             /* traditional + DMA: 00000003 */
    mov $0x0003, %ax                    /* FW_CFG_RAM_SIZE, 64-bit LE */
    call fw_cfg_select
    call fw_cfg_read32
    PRINT16 "fw_cfg ram size lo ", 8    /* 01000000 */
    call fw_cfg_read32
    PRINT16 "fw_cfg ram size hi ", 8    /* 00000000 */
    mov $0x0005, %ax                    /* FW_CFG_NB_CPUS */
    call fw_cfg_select
    call fw_cfg_read32
    PRINT16 "fw_cfg nb cpus ", 4        /* 0001 */
    mov $0x514, %dx                     /* reads give "QEMU CFG" */
    mov $8, %cx
    SAYN16 "fw_cfg dma signature "
1:  in %dx, %al
    call putc16
    inc %dx
    loop 1b
    mov $10, %al
    call putc16

/* --- 16550 at COM1 --- */
    mov $(COM1 + 7), %dx                /* scratch register */
    mov $0x5a, %al
    out %al, %dx
    in %dx, %al
    PRINT16 "uart scratch ", 2          /* 5a */
    mov $(COM1 + 2), %dx
    in %dx, %al
    PRINT16 "uart iir ", 2              /* FIFOs on, no interrupt: c1 */
    mov $(COM1 + UART_MCR), %dx         /* (nothing can be printed */
    mov $0x1f, %al                      /* while in loopback) */
    out %al, %dx                        /* loopback, OUT2 OUT1 RTS DTR */
    mov $(COM1 + 6), %dx
    in %dx, %al                         /* MSR: DCD RI DSR CTS from MCR */
    and $0xf0, %al
    mov %al, %bl
    mov $COM1, %dx
    mov $0x42, %al
    out %al, %dx                        /* looped back, not sent */
    mov $(COM1 + UART_LSR), %dx
    mov $0x10000, %ecx
1:  in %dx, %al
    test $0x01, %al                     /* data ready */
    jnz 2f
    addr32 loop 1b
2:  mov $COM1, %dx
    in %dx, %al
    mov %al, %bh
    mov $(COM1 + UART_MCR), %dx
    mov $0x03, %al
    out %al, %dx
    mov %bl, %al
    PRINT16 "uart loopback msr ", 2     /* f0 */
    mov %bh, %al
    PRINT16 "uart loopback rbr ", 2     /* 42 */

/* --- nothing decodes this port --- */
    mov $0x2e0, %dx
    in %dx, %al
    PRINT16 "unassigned port ", 2       /* ff */

    call print_csum16
    SAY16 "ports: done"
    mov $GUEST_PASS, %al
    jmp guest_exit16

/* EAX = configuration address; returns the dword in EAX. */
pci_read:
    push %dx
    mov $0xcf8, %dx
    out %eax, %dx
    mov $0xcfc, %dx
    in %dx, %eax
    pop %dx
    ret

/* Latch and read channel 2's count into AX. */
pit_ch2_latch:
    mov $0x80, %al                      /* counter latch, ch 2 */
    out %al, $0x43
    in $0x42, %al
    mov %al, %ah
    in $0x42, %al
    xchg %al, %ah
    ret

/* AL = CMOS index; returns the byte in AL, the rest of EAX 0. */
cmos_read:
    out %al, $0x70
    in $0x71, %al
    movzbl %al, %eax
    ret

/* AL = index of a high byte; returns (high << 8 | next lower) in EAX. */
cmos_read16:
    push %bx
    mov %al, %bl
    call cmos_read
    mov %al, %bh
    mov %bl, %al
    dec %al
    call cmos_read
    mov %bh, %ah
    pop %bx
    ret

/* Count BCD digits above 9 in AL into DX. */
check_bcd:
    push %ax
    mov %al, %ah
    and $0x0f, %al
    cmp $9, %al
    jbe 1f
    inc %dx
1:  shr $4, %ah
    cmp $9, %ah
    jbe 2f
    inc %dx
2:  pop %ax
    ret

fw_cfg_select:
    push %dx
    mov $0x510, %dx
    out %ax, %dx
    pop %dx
    ret

/* The next 4 bytes of the selected item, little-endian, into EAX. */
fw_cfg_read32:
    push %cx
    push %dx
    mov $0x511, %dx
    mov $4, %cx
1:  in %dx, %al
    ror $8, %eax
    loop 1b
    pop %dx
    pop %cx
    ret
