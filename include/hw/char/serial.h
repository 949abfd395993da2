/*
 * The 16550A UART core (hw/char/serial.c), for the bus glue that embeds
 * it: isa-serial (hw/char/serial-isa.c) now, PCI or MMIO variants later.
 *
 * The glue calls serial_init() in its realize, maps &s->io (8 ports) where
 * its bus puts it, calls serial_reset() from its reset, and saves the
 * core with vmstate_serial, running serial_post_load() from its own
 * post-load hook.
 */
#ifndef HW_CHAR_SERIAL_H
#define HW_CHAR_SERIAL_H

#include "pcemu/common.h"
#include "hw/irq.h"
#include "hw/core/vmstate.h"
#include "softmmu/memory.h"

typedef struct Chardev Chardev;
typedef struct Timer Timer;

#define UART_FIFO_SIZE      16
#define UART_IO_SIZE        8

/* The PC's COM1-COM4 (IBM PC/AT Technical Reference; COM3/COM4 as
 * QEMU and most BIOSes place them). */
#define SERIAL_ISA_MAX      4
extern const uint16_t serial_isa_iobase[SERIAL_ISA_MAX];
extern const uint8_t serial_isa_irq[SERIAL_ISA_MAX];

typedef struct SerialState {
    /* guest-visible state */
    uint16_t divider;       /* DLM:DLL */
    uint8_t rbr;            /* receive holding register (non-FIFO mode) */
    uint8_t ier;
    uint8_t lcr;
    uint8_t mcr;
    uint8_t lsr;
    uint8_t msr;            /* inputs in bits 7-4, their deltas in 3-0 */
    uint8_t scr;
    uint8_t fcr;            /* FIFO enable, DMA mode, trigger level */
    uint8_t rx_fifo[UART_FIFO_SIZE];
    uint8_t rx_head;        /* index of the oldest byte */
    uint8_t rx_count;
    bool thr_ipending;      /* THRE interrupt not yet acknowledged */
    bool timeout_ipending;  /* character timeout indication */
    int64_t timeout_deadline;   /* CLOCK_VIRTUAL ns, or -1 */

    /* wiring */
    const char *name;       /* for log messages */
    IrqLine irq;
    Chardev *chr;
    Timer *timeout_timer;
    MemoryRegion io;
    uint8_t iir;            /* derived by serial_update_irq */
    int irq_level;          /* last level sent, -1 before the first */
} SerialState;

/* Sets up the timer and the 8-port region and attaches the chardev (may
 * be NULL: output vanishes). Fails if the chardev already has a front
 * end. */
bool serial_init(SerialState *s, const char *name, Chardev *chr,
                 IrqLine irq, Error **errp);
void serial_reset(SerialState *s);
/* Re-derives IIR, the IRQ level and the timeout timer after a load;
 * rejects inconsistent FIFO indices. */
bool serial_post_load(SerialState *s, Error **errp);

extern const VMStateDescription vmstate_serial;

#endif
