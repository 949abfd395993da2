/*
 * The memory map: a tree of regions rendered into a flat, sorted list of
 * ranges per address space. Rendering happens only when the tree changes
 * (PAM registers, PCI BARs, A20), so an access costs one binary search.
 *
 * Rendering walks the tree from the root; inside a container, children
 * are visited highest priority first (later-added first at equal
 * priority) and each leaf only fills the parts of its window that no
 * earlier region claimed. That is exactly "higher priority wins, then the
 * later one".
 */
#include "softmmu/memory.h"
#include <sys/mman.h>

AddressSpace address_space_memory;
AddressSpace address_space_io;

static AddressSpace *address_spaces[2];
static unsigned nr_address_spaces;
static MemoryListener *listeners;
static unsigned transaction_depth;
static bool update_pending;

static void memory_update(void);

/* What a terminating container's holes render to: reads all-ones, writes
 * dropped, and bulk copies report it as unassigned. */
static MemoryRegion unassigned_region = {
    .name = "unassigned", .kind = MR_IO, .size = UINT64_MAX, .enabled = true,
};

static bool range_unassigned(const FlatRange *r)
{
    return !r || r->mr == &unassigned_region;
}

/* --- region creation ------------------------------------------------ */

static void region_init(MemoryRegion *mr, const char *name,
                        MemoryRegionKind kind, uint64_t size)
{
    memset(mr, 0, sizeof(*mr));
    mr->name = name;
    mr->kind = kind;
    mr->size = size;
    mr->enabled = true;
}

void memory_region_init_container(MemoryRegion *mr, const char *name,
                                  uint64_t size)
{
    region_init(mr, name, MR_CONTAINER, size);
}

static bool region_alloc_host(MemoryRegion *mr, Error **errp)
{
    void *p;

    /* MAP_NORESERVE: "-m 1T" on a small host costs only touched pages. */
    p = mmap(NULL, mr->size, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        error_setg(errp, "cannot reserve %" PRIu64 " MiB of host memory for "
                   "'%s': %s", (uint64_t)(mr->size / MiB), mr->name, strerror(errno));
        return false;
    }
    mr->host = p;
    return true;
}

bool memory_region_init_ram(MemoryRegion *mr, const char *name,
                            uint64_t size, Error **errp)
{
    region_init(mr, name, MR_RAM, size);
    return region_alloc_host(mr, errp);
}

bool memory_region_init_rom(MemoryRegion *mr, const char *name,
                            uint64_t size, Error **errp)
{
    region_init(mr, name, MR_ROM, size);
    mr->readonly = true;
    return region_alloc_host(mr, errp);
}

void memory_region_init_io(MemoryRegion *mr, const char *name,
                           const MemoryRegionOps *ops, void *opaque,
                           uint64_t size)
{
    region_init(mr, name, MR_IO, size);
    mr->ops = ops;
    mr->opaque = opaque;
}

void memory_region_init_alias(MemoryRegion *mr, const char *name,
                              MemoryRegion *orig, uint64_t offset,
                              uint64_t size)
{
    region_init(mr, name, MR_ALIAS, size);
    mr->alias = orig;
    mr->alias_offset = offset;
}

/* --- tree changes ---------------------------------------------------- */

static void memory_changed(void)
{
    update_pending = true;
    if (!transaction_depth) {
        memory_update();
    }
}

void memory_region_add_subregion(MemoryRegion *parent, uint64_t addr,
                                 MemoryRegion *sub, int priority)
{
    assert(parent->kind == MR_CONTAINER);
    assert(!sub->parent);
    sub->parent = parent;
    sub->addr = addr;
    sub->priority = priority;
    parent->subregions = g_renew(MemoryRegion *, parent->subregions,
                                 parent->nr_subregions + 1);
    parent->subregions[parent->nr_subregions++] = sub;
    memory_changed();
}

void memory_region_del_subregion(MemoryRegion *parent, MemoryRegion *sub)
{
    for (unsigned i = 0; i < parent->nr_subregions; i++) {
        if (parent->subregions[i] == sub) {
            memmove(&parent->subregions[i], &parent->subregions[i + 1],
                    (parent->nr_subregions - i - 1) * sizeof(sub));
            parent->nr_subregions--;
            sub->parent = NULL;
            memory_changed();
            return;
        }
    }
    assert(!"memory_region_del_subregion: not a child");
}

void memory_region_set_enabled(MemoryRegion *mr, bool enabled)
{
    if (mr->enabled != enabled) {
        mr->enabled = enabled;
        memory_changed();
    }
}

void memory_region_set_address(MemoryRegion *mr, uint64_t addr)
{
    if (mr->addr != addr) {
        mr->addr = addr;
        memory_changed();
    }
}

void memory_region_set_alias_offset(MemoryRegion *mr, uint64_t offset)
{
    assert(mr->kind == MR_ALIAS);
    if (mr->alias_offset != offset) {
        mr->alias_offset = offset;
        memory_changed();
    }
}

void memory_region_set_readonly(MemoryRegion *mr, bool readonly)
{
    if (mr->readonly != readonly) {
        mr->readonly = readonly;
        memory_changed();
    }
}

void memory_region_set_terminates(MemoryRegion *mr)
{
    assert(mr->kind == MR_CONTAINER);
    mr->terminates = true;
    memory_changed();
}

void memory_transaction_begin(void)
{
    transaction_depth++;
}

void memory_transaction_commit(void)
{
    assert(transaction_depth > 0);
    if (--transaction_depth == 0 && update_pending) {
        memory_update();
    }
}

/* --- rendering ------------------------------------------------------- */

/* Rendering computes in 128 bits: an alias may place its target's start
 * below address 0, and a window may end at 2^64. */
typedef __int128 Addr128;

static int flat_range_cmp(const void *a, const void *b)
{
    const FlatRange *x = a, *y = b;

    return x->start < y->start ? -1 : x->start > y->start;
}

/* Adds the parts of [start, end) that no range of v covers yet; start is
 * at offset leaf_offset of the leaf region. */
static void view_fill_holes(FlatView *v, uint64_t start, uint64_t end,
                            MemoryRegion *leaf, uint64_t leaf_offset,
                            bool readonly)
{
    GArray *pieces = g_array_new(false, false, sizeof(FlatRange));
    uint64_t cursor = start;

    for (unsigned i = 0; i < v->nr && cursor < end; i++) {
        const FlatRange *r = &v->ranges[i];
        uint64_t r_end = r->start + r->size;

        if (r_end <= cursor || r->start >= end) {
            continue;
        }
        if (r->start > cursor) {
            FlatRange p = { cursor, r->start - cursor, leaf,
                            leaf_offset + (cursor - start), readonly };
            g_array_append_val(pieces, p);
        }
        cursor = MAX(cursor, r_end);
    }
    if (cursor < end) {
        FlatRange p = { cursor, end - cursor, leaf,
                        leaf_offset + (cursor - start), readonly };
        g_array_append_val(pieces, p);
    }
    if (pieces->len) {
        v->ranges = g_renew(FlatRange, v->ranges, v->nr + pieces->len);
        memcpy(&v->ranges[v->nr], pieces->data,
               pieces->len * sizeof(FlatRange));
        v->nr += pieces->len;
        qsort(v->ranges, v->nr, sizeof(FlatRange), flat_range_cmp);
    }
    g_array_free(pieces, true);
}

/* Children in rendering order: priority descending, later-added first. */
static int subregion_order(const void *a, const void *b)
{
    const MemoryRegion *x = *(MemoryRegion *const *)a;
    const MemoryRegion *y = *(MemoryRegion *const *)b;

    if (x->priority != y->priority) {
        return x->priority > y->priority ? -1 : 1;
    }
    return 0;
}

/*
 * Renders mr, whose offset 0 sits at absolute address base, clipped to
 * [clip_start, clip_end).
 */
static void render(FlatView *v, MemoryRegion *mr, Addr128 base,
                   Addr128 clip_start, Addr128 clip_end, bool readonly)
{
    Addr128 start = MAX(base, clip_start);
    Addr128 end = MIN(base + mr->size, clip_end);

    if (!mr->enabled || start >= end) {
        return;
    }
    readonly |= mr->readonly;
    switch (mr->kind) {
    case MR_ALIAS:
        /* Offset alias_offset of the target appears at base. */
        render(v, mr->alias, base - mr->alias_offset, start, end, readonly);
        break;
    case MR_CONTAINER: {
        unsigned n = mr->nr_subregions;
        MemoryRegion **order = g_new(MemoryRegion *, n);

        /* Reverse insertion order, then a stable sort by priority. */
        for (unsigned i = 0; i < n; i++) {
            order[i] = mr->subregions[n - 1 - i];
        }
        for (unsigned i = 1; i < n; i++) {      /* insertion sort: stable */
            MemoryRegion *x = order[i];
            unsigned j = i;
            while (j > 0 && subregion_order(&order[j - 1], &x) > 0) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = x;
        }
        for (unsigned i = 0; i < n; i++) {
            render(v, order[i], base + order[i]->addr, start, end,
                   readonly);
        }
        g_free(order);
        if (mr->terminates) {
            view_fill_holes(v, (uint64_t)start, (uint64_t)end,
                            &unassigned_region, 0, readonly);
        }
        break;
    }
    case MR_RAM:
    case MR_ROM:
    case MR_IO:
        /* start >= 0 here: clips never go below 0. */
        view_fill_holes(v, (uint64_t)start, (uint64_t)end, mr,
                        (uint64_t)(start - base), readonly);
        break;
    }
}

/* Joins neighbours that continue the same region (fewer KVM slots). */
static void view_simplify(FlatView *v)
{
    unsigned out = 0;

    for (unsigned i = 0; i < v->nr; i++) {
        FlatRange *r = &v->ranges[i];
        if (out > 0) {
            FlatRange *p = &v->ranges[out - 1];
            if (p->mr == r->mr && p->readonly == r->readonly &&
                p->start + p->size == r->start &&
                p->offset + p->size == r->offset) {
                p->size += r->size;
                continue;
            }
        }
        v->ranges[out++] = *r;
    }
    v->nr = out;
}

static void address_space_render(AddressSpace *as)
{
    FlatView v = { NULL, 0 };

    render(&v, as->root, 0, 0, (Addr128)as->root->size, false);
    view_simplify(&v);
    g_free(as->view.ranges);
    as->view = v;
    as->generation++;
}

static void memory_update(void)
{
    update_pending = false;
    for (unsigned i = 0; i < nr_address_spaces; i++) {
        AddressSpace *as = address_spaces[i];
        address_space_render(as);
        for (MemoryListener *l = listeners; l; l = l->next) {
            l->view_changed(l, as, &as->view);
        }
    }
}

void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name)
{
    assert(nr_address_spaces < ARRAY_SIZE(address_spaces));
    as->name = name;
    as->root = root;
    as->view.ranges = NULL;
    as->view.nr = 0;
    address_spaces[nr_address_spaces++] = as;
    address_space_render(as);
}

void memory_listener_register(MemoryListener *l)
{
    l->next = listeners;
    listeners = l;
    for (unsigned i = 0; i < nr_address_spaces; i++) {
        l->view_changed(l, address_spaces[i], &address_spaces[i]->view);
    }
}

void memory_listener_unregister(MemoryListener *l)
{
    for (MemoryListener **p = &listeners; *p; p = &(*p)->next) {
        if (*p == l) {
            *p = l->next;
            return;
        }
    }
}

/* --- accesses -------------------------------------------------------- */

const FlatRange *address_space_lookup(AddressSpace *as, uint64_t addr)
{
    unsigned lo = 0, hi = as->view.nr;

    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        const FlatRange *r = &as->view.ranges[mid];
        if (addr < r->start) {
            hi = mid;
        } else if (addr - r->start >= r->size) {
            lo = mid + 1;
        } else {
            return r;
        }
    }
    return NULL;
}

static unsigned ops_valid_min(const MemoryRegionOps *ops)
{
    return ops->valid_min ? ops->valid_min : 1;
}

static unsigned ops_valid_max(const MemoryRegionOps *ops)
{
    return ops->valid_max ? ops->valid_max : 4;
}

static unsigned ops_impl_min(const MemoryRegionOps *ops)
{
    return ops->impl_min ? ops->impl_min : ops_valid_min(ops);
}

static unsigned ops_impl_max(const MemoryRegionOps *ops)
{
    return ops->impl_max ? ops->impl_max : ops_valid_max(ops);
}

static uint64_t size_mask(unsigned size)
{
    return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* An access the callbacks implement at some size: widened to impl_min
 * (aligned down) or split into impl_max pieces. */
static uint64_t io_read(MemoryRegion *mr, uint64_t off, unsigned size)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned imin = ops_impl_min(ops), imax = ops_impl_max(ops);
    uint64_t v = 0;

    if (!ops->read) {
        return size_mask(size);
    }
    if (size < imin) {
        uint64_t aligned = off & ~(uint64_t)(imin - 1);
        unsigned shift = (off - aligned) * 8;
        if (off - aligned + size > imin) {
            /* Unaligned, into the next implemented word: one byte at a
             * time, each from its own word. */
            for (unsigned i = 0; i < size; i++) {
                v |= io_read(mr, off + i, 1) << (i * 8);
            }
            return v;
        }
        return (ops->read(mr->opaque, aligned, imin) >> shift) &
               size_mask(size);
    }
    if (size <= imax) {
        return ops->read(mr->opaque, off, size) & size_mask(size);
    }
    for (unsigned done = 0; done < size; done += imax) {
        v |= (ops->read(mr->opaque, off + done, imax) & size_mask(imax))
             << (done * 8);
    }
    return v;
}

static void io_write(MemoryRegion *mr, uint64_t off, uint64_t v,
                     unsigned size)
{
    const MemoryRegionOps *ops = mr->ops;
    unsigned imin = ops_impl_min(ops), imax = ops_impl_max(ops);

    if (!ops->write) {
        return;
    }
    if (size < imin) {
        uint64_t aligned = off & ~(uint64_t)(imin - 1);
        unsigned shift = (off - aligned) * 8;
        if (off - aligned + size > imin) {
            for (unsigned i = 0; i < size; i++) {
                io_write(mr, off + i, v >> (i * 8), 1);
            }
            return;
        }
        ops->write(mr->opaque, aligned, (v & size_mask(size)) << shift, imin);
        return;
    }
    if (size <= imax) {
        ops->write(mr->opaque, off, v & size_mask(size), size);
        return;
    }
    for (unsigned done = 0; done < size; done += imax) {
        ops->write(mr->opaque, off + done, (v >> (done * 8)) & size_mask(imax),
                   imax);
    }
}

static bool io_size_valid(const MemoryRegion *mr, unsigned size)
{
    return size >= ops_valid_min(mr->ops) && size <= ops_valid_max(mr->ops);
}

uint64_t address_space_ld(AddressSpace *as, uint64_t addr, unsigned size)
{
    const FlatRange *r = address_space_lookup(as, addr);
    uint64_t off, v = 0;

    assert(size == 1 || size == 2 || size == 4 || size == 8);
    if (range_unassigned(r)) {
        return size_mask(size);
    }
    off = r->offset + (addr - r->start);
    if (addr - r->start + size > r->size) {
        /* Straddles two ranges: byte by byte, as two bus cycles would. */
        for (unsigned i = 0; i < size; i++) {
            v |= address_space_ld(as, addr + i, 1) << (i * 8);
        }
        return v;
    }
    if (r->mr->kind != MR_IO) {
        memcpy(&v, r->mr->host + off, size);
        return v;
    }
    if (!io_size_valid(r->mr, size)) {
        guest_error("%s: %u-byte read at 0x%" PRIx64 " not supported",
                    r->mr->name, size, off);
        return size_mask(size);
    }
    return io_read(r->mr, off, size);
}

void address_space_st(AddressSpace *as, uint64_t addr, uint64_t value,
                      unsigned size)
{
    const FlatRange *r = address_space_lookup(as, addr);
    uint64_t off;

    assert(size == 1 || size == 2 || size == 4 || size == 8);
    if (range_unassigned(r)) {
        return;
    }
    off = r->offset + (addr - r->start);
    if (addr - r->start + size > r->size) {
        for (unsigned i = 0; i < size; i++) {
            address_space_st(as, addr + i, value >> (i * 8), 1);
        }
        return;
    }
    if (r->mr->kind != MR_IO) {
        if (!r->readonly) {
            memcpy(r->mr->host + off, &value, size);
        }
        return;
    }
    if (!io_size_valid(r->mr, size)) {
        guest_error("%s: %u-byte write at 0x%" PRIx64 " not supported",
                    r->mr->name, size, off);
        return;
    }
    io_write(r->mr, off, value, size);
}

/* Bulk access: whole RAM runs by memcpy, I/O one access of the region's
 * smallest valid size at a time. */
static bool address_space_rw(AddressSpace *as, uint64_t addr, uint8_t *buf,
                             uint64_t len, bool is_write, bool force)
{
    bool ok = true;

    while (len > 0) {
        const FlatRange *r = address_space_lookup(as, addr);
        uint64_t chunk, off;

        if (r && r->mr == &unassigned_region) {
            chunk = MIN(len, r->size - (addr - r->start));
            if (!is_write) {
                memset(buf, 0xff, chunk);
            }
            ok = false;
        } else if (!r) {
            /* Skip to the next range (or the end). */
            const FlatRange *next = NULL;
            for (unsigned i = 0; i < as->view.nr; i++) {
                if (as->view.ranges[i].start > addr) {
                    next = &as->view.ranges[i];
                    break;
                }
            }
            chunk = next ? MIN(len, next->start - addr) : len;
            if (!is_write) {
                memset(buf, 0xff, chunk);
            }
            ok = false;
        } else {
            off = r->offset + (addr - r->start);
            chunk = MIN(len, r->size - (addr - r->start));
            if (r->mr->kind != MR_IO) {
                if (!is_write) {
                    memcpy(buf, r->mr->host + off, chunk);
                } else if (!r->readonly || force) {
                    memcpy(r->mr->host + off, buf, chunk);
                }
            } else {
                /* One access per lookup: the callback may change the map,
                 * which frees the view r points into, and the next bytes
                 * go wherever the map then sends them. */
                unsigned step = ops_valid_min(r->mr->ops);
                uint64_t v = 0;

                chunk = chunk < step ? 1 : step;
                if (is_write) {
                    memcpy(&v, buf, chunk);
                    io_write(r->mr, off, v, chunk);
                } else {
                    v = io_read(r->mr, off, chunk);
                    memcpy(buf, &v, chunk);
                }
            }
        }
        addr += chunk;
        buf += chunk;
        len -= chunk;
    }
    return ok;
}

bool address_space_read(AddressSpace *as, uint64_t addr, void *buf,
                        uint64_t len)
{
    return address_space_rw(as, addr, buf, len, false, false);
}

bool address_space_write(AddressSpace *as, uint64_t addr, const void *buf,
                         uint64_t len)
{
    return address_space_rw(as, addr, (uint8_t *)buf, len, true, false);
}

bool address_space_write_rom(AddressSpace *as, uint64_t addr,
                             const void *buf, uint64_t len)
{
    return address_space_rw(as, addr, (uint8_t *)buf, len, true, true);
}

/* --- info mtree ------------------------------------------------------ */

static const char *kind_name(const MemoryRegion *mr)
{
    switch (mr->kind) {
    case MR_CONTAINER: return "container";
    case MR_RAM: return mr->readonly ? "ram (read-only)" : "ram";
    case MR_ROM: return "rom";
    case MR_IO: return "i/o";
    case MR_ALIAS: return "alias";
    }
    return "?";
}

static void dump_region(GString *out, const MemoryRegion *mr, uint64_t base,
                        int depth)
{
    uint64_t last = mr->size ? base + mr->size - 1 : base;

    g_string_append_printf(out, "%*s%016" PRIx64 "-%016" PRIx64
                           " (prio %d, %s)%s: %s", depth * 2, "", base, last,
                           mr->priority, kind_name(mr),
                           mr->enabled ? "" : " [disabled]", mr->name);
    if (mr->kind == MR_ALIAS) {
        g_string_append_printf(out, " @%s %016" PRIx64 "-%016" PRIx64,
                               mr->alias->name, mr->alias_offset,
                               mr->alias_offset + mr->size - 1);
    }
    g_string_append_c(out, '\n');
    for (unsigned i = 0; i < mr->nr_subregions; i++) {
        const MemoryRegion *sub = mr->subregions[i];
        dump_region(out, sub, base + sub->addr, depth + 1);
    }
}

void memory_region_dump_tree(GString *out, AddressSpace *as)
{
    g_string_append_printf(out, "address-space: %s\n", as->name);
    dump_region(out, as->root, 0, 1);
}
