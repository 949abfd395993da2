/*
 * An IRQ line: who to tell (handler, opaque) and which input (n), as a
 * value. A device keeps the lines it drives in its state's wiring half;
 * the board fills them in before the device is realized. A line with no
 * handler is unconnected and setting it does nothing.
 *
 * Levels are 0 or 1. Handlers run under the BQL.
 */
#ifndef HW_IRQ_H
#define HW_IRQ_H

typedef void (*IrqHandler)(void *opaque, int n, int level);

typedef struct IrqLine {
    IrqHandler handler;
    void *opaque;
    int n;
} IrqLine;

static inline IrqLine irq_line(IrqHandler handler, void *opaque, int n)
{
    IrqLine l = { handler, opaque, n };
    return l;
}

static inline void irq_set(IrqLine l, int level)
{
    if (l.handler) {
        l.handler(l.opaque, l.n, level);
    }
}

static inline void irq_raise(IrqLine l) { irq_set(l, 1); }
static inline void irq_lower(IrqLine l) { irq_set(l, 0); }

/* An edge-triggered pulse: raise then lower. */
static inline void irq_pulse(IrqLine l)
{
    irq_set(l, 1);
    irq_set(l, 0);
}

#endif
