/*
 * The output queue both PS/2 devices keep: bytes waiting for the
 * controller to clock them in, oldest first. A ring of PS2_QUEUE_CAP
 * bytes; what fills it (scan codes, packets, responses) and when is the
 * devices' business.
 */
#include "hw/input/ps2-int.h"

void ps2_queue_clear(PS2Queue *q)
{
    memset(q, 0, sizeof(*q));
}

unsigned ps2_queue_free(const PS2Queue *q)
{
    return PS2_QUEUE_CAP - q->count;
}

bool ps2_queue_push(PS2Queue *q, uint8_t b)
{
    if (q->count >= PS2_QUEUE_CAP) {
        return false;
    }
    q->data[(q->rptr + q->count) % PS2_QUEUE_CAP] = b;
    q->count++;
    return true;
}

bool ps2_queue_push_all(PS2Queue *q, const uint8_t *b, unsigned len)
{
    if (len > ps2_queue_free(q)) {
        return false;
    }
    for (unsigned i = 0; i < len; i++) {
        ps2_queue_push(q, b[i]);
    }
    return true;
}

int ps2_queue_pop(PS2Queue *q)
{
    uint8_t b;

    if (!q->count) {
        return -1;
    }
    b = q->data[q->rptr];
    q->rptr = (q->rptr + 1) % PS2_QUEUE_CAP;
    q->count--;
    return b;
}

uint8_t ps2_queue_last(const PS2Queue *q)
{
    assert(q->count);
    return q->data[(q->rptr + q->count - 1) % PS2_QUEUE_CAP];
}

static bool ps2_queue_post_load(void *opaque, int version, Error **errp)
{
    PS2Queue *q = opaque;

    if (q->rptr >= PS2_QUEUE_CAP || q->count > PS2_QUEUE_CAP) {
        error_setg(errp, "queue position %u/%u out of range",
                   q->rptr, q->count);
        return false;
    }
    return true;
}

static const VMStateField ps2_queue_fields[] = {
    VMSTATE_BUFFER(data, PS2Queue),
    VMSTATE_U8(rptr, PS2Queue),
    VMSTATE_U8(count, PS2Queue),
    VMSTATE_END
};

const VMStateDescription vmstate_ps2_queue = {
    .name = "ps2-queue",
    .version = 1,
    .min_version = 1,
    .fields = ps2_queue_fields,
    .post_load = ps2_queue_post_load,
};
