/*
 * State descriptions: for each device, the guest-visible fields of its
 * state struct, their types and the version that introduced them. Save and
 * restore (snapshots, migration) walk these tables; nothing else in a
 * device knows about serialisation.
 *
 * Stream of one description: u32 version, then each field present in that
 * version, in table order, big-endian, arrays element by element.
 */
#ifndef HW_CORE_VMSTATE_H
#define HW_CORE_VMSTATE_H

#include "pcemu/common.h"

typedef enum VMStateType {
    VMS_END = 0,
    VMS_BOOL,
    VMS_U8,
    VMS_U16,
    VMS_U32,
    VMS_U64,
    VMS_I32,
    VMS_I64,
    VMS_BUFFER,     /* count raw bytes */
    VMS_STRUCT,     /* count elements of stride bytes, each by sub */
} VMStateType;

typedef struct VMStateDescription VMStateDescription;

typedef struct VMStateField {
    const char *name;
    size_t offset;
    VMStateType type;
    size_t count;       /* array length (1 for a scalar); bytes for BUFFER */
    int version;        /* first version with this field */
    const VMStateDescription *sub;  /* VMS_STRUCT */
    size_t stride;      /* VMS_STRUCT element size */
} VMStateField;

struct VMStateDescription {
    const char *name;
    int version;        /* what we write */
    int min_version;    /* oldest we can read */
    const VMStateField *fields;     /* ends with VMSTATE_END */
    void (*pre_save)(void *opaque);
    /* Re-derives wiring (IRQ levels, timers) from loaded state; returns
     * false with errp set when the state is inconsistent. */
    bool (*post_load)(void *opaque, int version, Error **errp);
};

#define VMSTATE_FIELD_(st, f, t, n, v) \
    { .name = #f, .offset = offsetof(st, f), .type = (t), .count = (n), \
      .version = (v) }

#define VMSTATE_BOOL(f, st)   VMSTATE_FIELD_(st, f, VMS_BOOL, 1, 0)
#define VMSTATE_U8(f, st)     VMSTATE_FIELD_(st, f, VMS_U8, 1, 0)
#define VMSTATE_U16(f, st)    VMSTATE_FIELD_(st, f, VMS_U16, 1, 0)
#define VMSTATE_U32(f, st)    VMSTATE_FIELD_(st, f, VMS_U32, 1, 0)
#define VMSTATE_U64(f, st)    VMSTATE_FIELD_(st, f, VMS_U64, 1, 0)
#define VMSTATE_I32(f, st)    VMSTATE_FIELD_(st, f, VMS_I32, 1, 0)
#define VMSTATE_I64(f, st)    VMSTATE_FIELD_(st, f, VMS_I64, 1, 0)
#define VMSTATE_U8_ARRAY(f, st, n)  VMSTATE_FIELD_(st, f, VMS_U8, n, 0)
#define VMSTATE_U16_ARRAY(f, st, n) VMSTATE_FIELD_(st, f, VMS_U16, n, 0)
#define VMSTATE_U32_ARRAY(f, st, n) VMSTATE_FIELD_(st, f, VMS_U32, n, 0)
#define VMSTATE_U64_ARRAY(f, st, n) VMSTATE_FIELD_(st, f, VMS_U64, n, 0)
#define VMSTATE_I64_ARRAY(f, st, n) VMSTATE_FIELD_(st, f, VMS_I64, n, 0)
#define VMSTATE_BUFFER(f, st)  \
    VMSTATE_FIELD_(st, f, VMS_BUFFER, sizeof(((st *)0)->f), 0)
#define VMSTATE_STRUCT_ARRAY(f, st, n, desc, elemtype) \
    { .name = #f, .offset = offsetof(st, f), .type = VMS_STRUCT, \
      .count = (n), .sub = &(desc), .stride = sizeof(elemtype) }
#define VMSTATE_STRUCT(f, st, desc, elemtype) \
    VMSTATE_STRUCT_ARRAY(f, st, 1, desc, elemtype)
#define VMSTATE_END { .type = VMS_END }

/* Appends the state of opaque to out. */
void vmstate_save(const VMStateDescription *vmsd, void *opaque,
                  GByteArray *out);
/* Loads state from buf[*pos..len), advancing *pos; checks every length
 * against len, runs post_load. On failure returns false, sets errp, and
 * opaque may be partly overwritten (callers load into a copy). */
bool vmstate_load(const VMStateDescription *vmsd, void *opaque,
                  const uint8_t *buf, size_t len, size_t *pos, Error **errp);

#endif
