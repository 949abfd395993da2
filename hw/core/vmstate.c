/*
 * Saving and loading a device's state by its description table. The
 * stream is big-endian and carries no field names: a description's
 * version says which fields are present, so a newer pcemu reads an older
 * stream by skipping fields introduced later.
 *
 * Loading treats the stream as hostile: every read is checked against the
 * remaining length; a short or malformed stream is an error, never a
 * crash.
 */
#include "hw/core/vmstate.h"

static size_t type_size(VMStateType t)
{
    switch (t) {
    case VMS_BOOL: case VMS_U8: case VMS_BUFFER: return 1;
    case VMS_U16: return 2;
    case VMS_U32: case VMS_I32: return 4;
    case VMS_U64: case VMS_I64: return 8;
    default: return 0;
    }
}

static void put_be(GByteArray *out, uint64_t v, size_t n)
{
    uint8_t b[8];

    for (size_t i = 0; i < n; i++) {
        b[i] = v >> (8 * (n - 1 - i));
    }
    g_byte_array_append(out, b, n);
}

static uint64_t load_scalar(const void *p, VMStateType t)
{
    switch (t) {
    case VMS_BOOL: return *(const bool *)p;
    case VMS_U8: return *(const uint8_t *)p;
    case VMS_U16: return *(const uint16_t *)p;
    case VMS_U32: return *(const uint32_t *)p;
    case VMS_I32: return (uint32_t)*(const int32_t *)p;
    case VMS_U64: return *(const uint64_t *)p;
    case VMS_I64: return (uint64_t)*(const int64_t *)p;
    default: abort();
    }
}

static void store_scalar(void *p, VMStateType t, uint64_t v)
{
    switch (t) {
    case VMS_BOOL: *(bool *)p = v != 0; break;
    case VMS_U8: *(uint8_t *)p = v; break;
    case VMS_U16: *(uint16_t *)p = v; break;
    case VMS_U32: *(uint32_t *)p = v; break;
    case VMS_I32: *(int32_t *)p = (int32_t)(uint32_t)v; break;
    case VMS_U64: *(uint64_t *)p = v; break;
    case VMS_I64: *(int64_t *)p = (int64_t)v; break;
    default: abort();
    }
}

static size_t scalar_stride(VMStateType t)
{
    switch (t) {
    case VMS_BOOL: return sizeof(bool);
    default: return type_size(t);
    }
}

static void save_fields(const VMStateDescription *vmsd, void *opaque,
                        GByteArray *out)
{
    for (const VMStateField *f = vmsd->fields; f->type != VMS_END; f++) {
        char *base = (char *)opaque + f->offset;

        if (f->version > vmsd->version) {
            continue;
        }
        switch (f->type) {
        case VMS_BUFFER:
            g_byte_array_append(out, (uint8_t *)base, f->count);
            break;
        case VMS_STRUCT:
            for (size_t i = 0; i < f->count; i++) {
                vmstate_save(f->sub, base + i * f->stride, out);
            }
            break;
        default:
            for (size_t i = 0; i < f->count; i++) {
                put_be(out, load_scalar(base + i * scalar_stride(f->type),
                                        f->type), type_size(f->type));
            }
            break;
        }
    }
}

void vmstate_save(const VMStateDescription *vmsd, void *opaque,
                  GByteArray *out)
{
    if (vmsd->pre_save) {
        vmsd->pre_save(opaque);
    }
    put_be(out, vmsd->version, 4);
    save_fields(vmsd, opaque, out);
}

static bool get_be(const uint8_t *buf, size_t len, size_t *pos, size_t n,
                   uint64_t *v)
{
    if (len - *pos < n) {
        return false;
    }
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        *v = (*v << 8) | buf[*pos + i];
    }
    *pos += n;
    return true;
}

bool vmstate_load(const VMStateDescription *vmsd, void *opaque,
                  const uint8_t *buf, size_t len, size_t *pos, Error **errp)
{
    uint64_t version;

    if (*pos > len || !get_be(buf, len, pos, 4, &version)) {
        error_setg(errp, "%s: state truncated", vmsd->name);
        return false;
    }
    if (version > (uint64_t)vmsd->version ||
        version < (uint64_t)vmsd->min_version) {
        error_setg(errp, "%s: state version %" PRIu64 " not supported "
                   "(this build reads %d to %d)", vmsd->name, version,
                   vmsd->min_version, vmsd->version);
        return false;
    }
    for (const VMStateField *f = vmsd->fields; f->type != VMS_END; f++) {
        char *base = (char *)opaque + f->offset;

        if ((uint64_t)f->version > version) {
            continue;
        }
        switch (f->type) {
        case VMS_BUFFER:
            if (len - *pos < f->count) {
                error_setg(errp, "%s.%s: state truncated", vmsd->name,
                           f->name);
                return false;
            }
            memcpy(base, buf + *pos, f->count);
            *pos += f->count;
            break;
        case VMS_STRUCT:
            for (size_t i = 0; i < f->count; i++) {
                if (!vmstate_load(f->sub, base + i * f->stride, buf, len, pos,
                                  errp)) {
                    error_prepend(errp, "%s.%s[%zu]: ", vmsd->name, f->name,
                                  i);
                    return false;
                }
            }
            break;
        default:
            for (size_t i = 0; i < f->count; i++) {
                uint64_t v;
                if (!get_be(buf, len, pos, type_size(f->type), &v)) {
                    error_setg(errp, "%s.%s: state truncated", vmsd->name,
                               f->name);
                    return false;
                }
                store_scalar(base + i * scalar_stride(f->type), f->type, v);
            }
            break;
        }
    }
    if (vmsd->post_load && !vmsd->post_load(opaque, (int)version, errp)) {
        error_prepend(errp, "%s: ", vmsd->name);
        return false;
    }
    return true;
}
