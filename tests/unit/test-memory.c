/*
 * Unit tests of the memory map (softmmu/memory.c): region kinds, overlap
 * rules, aliases, the flat view, single accesses with the valid/impl size
 * rules, bulk copies, transactions and the lazily reserved RAM.
 *
 * Both address spaces are process-wide (the core has exactly two), so each
 * test builds its regions inside a fresh container that it maps at 0 in
 * the system root and removes again at the end.
 */
#include "softmmu/memory.h"
#include <sys/mman.h>
#include <unistd.h>

static MemoryRegion sysmem, sysio;

/* --- helpers ----------------------------------------------------------- */

static MemoryRegion *test_begin(void)
{
    MemoryRegion *c = g_new0(MemoryRegion, 1);

    memory_region_init_container(c, "test", UINT64_MAX);
    memory_region_add_subregion(&sysmem, 0, c, 0);
    return c;
}

static void test_end(MemoryRegion *c)
{
    memory_region_del_subregion(&sysmem, c);
    g_assert_cmpuint(address_space_memory.view.nr, ==, 0);
}

/* RAM filled with tag ^ (offset & 0xff), so a byte tells whose it is. */
static MemoryRegion *ram_new(const char *name, uint64_t size, uint8_t tag)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);
    Error *err = NULL;

    g_assert_true(memory_region_init_ram(mr, name, size, &err));
    g_assert_null(err);
    g_assert_nonnull(mr->host);
    for (uint64_t i = 0; i < size; i++) {
        mr->host[i] = tag ^ (uint8_t)i;
    }
    return mr;
}

static void ram_free(MemoryRegion *mr)
{
    g_assert_null(mr->parent);
    munmap(mr->host, mr->size);
    g_free(mr);
}

static uint8_t tag_byte(uint8_t tag, uint64_t off)
{
    return tag ^ (uint8_t)off;
}

/* An I/O device that behaves like a little memory and logs every call. */
typedef struct IoCall {
    bool write;
    uint64_t off;
    unsigned size;
    uint64_t val;
} IoCall;

typedef struct IoDev {
    uint8_t regs[0x1000];
    IoCall calls[64];
    unsigned n;
} IoDev;

static void io_log(IoDev *d, bool write, uint64_t off, unsigned size,
                   uint64_t val)
{
    g_assert_cmpuint(d->n, <, G_N_ELEMENTS(d->calls));
    d->calls[d->n++] = (IoCall){ write, off, size, val };
}

static uint64_t iodev_read(void *opaque, uint64_t off, unsigned size)
{
    IoDev *d = opaque;
    uint64_t v = 0;

    g_assert_true(size == 1 || size == 2 || size == 4 || size == 8);
    g_assert_cmpuint(off + size, <=, sizeof(d->regs));
    memcpy(&v, d->regs + off, size);
    io_log(d, false, off, size, v);
    return v;
}

static void iodev_write(void *opaque, uint64_t off, uint64_t val,
                        unsigned size)
{
    IoDev *d = opaque;

    g_assert_true(size == 1 || size == 2 || size == 4 || size == 8);
    g_assert_cmpuint(off + size, <=, sizeof(d->regs));
    if (size < 8) {
        g_assert_cmphex(val >> (size * 8), ==, 0);
    }
    memcpy(d->regs + off, &val, size);
    io_log(d, true, off, size, val);
}

static const MemoryRegionOps ops_plain = {
    .read = iodev_read, .write = iodev_write,
};
static const MemoryRegionOps ops_impl1 = {
    .read = iodev_read, .write = iodev_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 1, .impl_max = 1,
};
static const MemoryRegionOps ops_impl4 = {
    .read = iodev_read, .write = iodev_write,
    .valid_min = 1, .valid_max = 4, .impl_min = 4, .impl_max = 4,
};
static const MemoryRegionOps ops_valid2 = {
    .read = iodev_read, .write = iodev_write,
    .valid_min = 2, .valid_max = 2,
};
static const MemoryRegionOps ops_wide = {
    .read = iodev_read, .write = iodev_write,
    .valid_min = 1, .valid_max = 8, .impl_min = 1, .impl_max = 4,
};

static IoDev *iodev_new(void)
{
    IoDev *d = g_new0(IoDev, 1);

    for (unsigned i = 0; i < sizeof(d->regs); i++) {
        d->regs[i] = 0x80 ^ (uint8_t)i;
    }
    return d;
}

static MemoryRegion *io_new(const char *name, const MemoryRegionOps *ops,
                            IoDev *d, uint64_t size)
{
    MemoryRegion *mr = g_new0(MemoryRegion, 1);

    memory_region_init_io(mr, name, ops, d, size);
    return mr;
}

/*
 * The view's invariants: sorted, non-overlapping, non-empty leaf pieces
 * inside their regions, and no two neighbours that could be one piece.
 */
static void check_view(AddressSpace *as)
{
    const FlatView *v = &as->view;

    for (unsigned i = 0; i < v->nr; i++) {
        const FlatRange *r = &v->ranges[i];

        g_assert_cmpuint(r->size, >, 0);
        g_assert_nonnull(r->mr);
        g_assert_true(r->mr->kind == MR_RAM || r->mr->kind == MR_ROM ||
                      r->mr->kind == MR_IO);
        g_assert_cmpuint(r->offset, <, r->mr->size);
        g_assert_cmpuint(r->size, <=, r->mr->size - r->offset);
        g_assert_cmpuint(r->start + r->size - 1, >=, r->start);
        if (i > 0) {
            const FlatRange *p = &v->ranges[i - 1];
            g_assert_cmphex(p->start + p->size, <=, r->start);
            g_assert_false(p->mr == r->mr && p->readonly == r->readonly &&
                           p->start + p->size == r->start &&
                           p->offset + p->size == r->offset);
        }
    }
}

static const MemoryRegion *mr_at(AddressSpace *as, uint64_t addr)
{
    const FlatRange *r = address_space_lookup(as, addr);

    return r ? r->mr : NULL;
}

static uint64_t off_at(AddressSpace *as, uint64_t addr)
{
    const FlatRange *r = address_space_lookup(as, addr);

    g_assert_nonnull(r);
    return r->offset + (addr - r->start);
}

/* --- overlap rules ----------------------------------------------------- */

static void test_priority_overlap(void)
{
    MemoryRegion *c = test_begin();
    MemoryRegion *a = ram_new("a", 0x10000, 0x10);
    MemoryRegion *b = ram_new("b", 0x10000, 0x20);
    MemoryRegion *x = ram_new("x", 0x1000, 0x30);
    MemoryRegion *y = ram_new("y", 0x1000, 0x40);
    MemoryRegion *low = ram_new("low", 0x1000, 0x50);
    AddressSpace *as = &address_space_memory;

    memory_region_add_subregion(c, 0x100000, a, 0);
    memory_region_add_subregion(c, 0x108000, b, 1);     /* higher: wins */
    g_assert_true(mr_at(as, 0x100000) == a);
    g_assert_true(mr_at(as, 0x107fff) == a);
    g_assert_true(mr_at(as, 0x108000) == b);
    g_assert_true(mr_at(as, 0x117fff) == b);
    g_assert_null(mr_at(as, 0x118000));
    g_assert_null(mr_at(as, 0xfffff));
    g_assert_cmphex(off_at(as, 0x108010), ==, 0x10);
    g_assert_cmphex(address_space_ld(as, 0x10800f, 1), ==, tag_byte(0x20, 0xf));
    check_view(as);

    /* Equal priority: the one added later wins, whatever its position. */
    memory_region_add_subregion(c, 0x104000, x, 0);
    memory_region_add_subregion(c, 0x104800, y, 0);
    g_assert_true(mr_at(as, 0x104000) == x);
    g_assert_true(mr_at(as, 0x1047ff) == x);
    g_assert_true(mr_at(as, 0x104800) == y);
    g_assert_true(mr_at(as, 0x105000) == y);
    g_assert_true(mr_at(as, 0x105800) == a);
    /* Lower priority added last still loses. */
    memory_region_add_subregion(c, 0x102000, low, -1);
    g_assert_true(mr_at(as, 0x102000) == a);
    g_assert_cmphex(off_at(as, 0x102000), ==, 0x2000);
    check_view(as);

    /* Disabling reveals what is below; enabling hides it again. */
    memory_region_set_enabled(b, false);
    g_assert_true(mr_at(as, 0x108000) == a);
    g_assert_cmphex(off_at(as, 0x10f000), ==, 0xf000);
    g_assert_null(mr_at(as, 0x110000));
    g_assert_cmphex(address_space_ld(as, 0x110000, 4), ==, 0xffffffff);
    memory_region_set_enabled(x, false);
    memory_region_set_enabled(y, false);
    g_assert_true(mr_at(as, 0x104000) == a);
    g_assert_true(mr_at(as, 0x105000) == a);
    memory_region_set_enabled(a, false);
    g_assert_true(mr_at(as, 0x102000) == low);
    g_assert_null(mr_at(as, 0x104000));
    memory_region_set_enabled(b, true);
    g_assert_true(mr_at(as, 0x108000) == b);
    check_view(as);

    /* Deleting and re-adding puts the region on top of its equals. */
    memory_region_set_enabled(a, true);
    memory_region_set_enabled(x, true);
    memory_region_del_subregion(c, a);
    memory_region_add_subregion(c, 0x100000, a, 0);
    g_assert_true(mr_at(as, 0x104000) == a);

    test_end(c);
}

static void test_nested_containers(void)
{
    MemoryRegion *c = test_begin();
    MemoryRegion *inner = g_new0(MemoryRegion, 1);
    MemoryRegion *r1 = ram_new("r1", 0x1000, 1);
    MemoryRegion *r2 = ram_new("r2", 0x4000, 2);
    MemoryRegion *bg = ram_new("bg", 0x10000, 3);
    AddressSpace *as = &address_space_memory;

    /* inner: [0x200000, 0x204000) with r1 at +0x1000 and r2 clipped. */
    memory_region_init_container(inner, "inner", 0x4000);
    memory_region_add_subregion(inner, 0x1000, r1, 0);
    memory_region_add_subregion(inner, 0x3000, r2, 0);
    memory_region_add_subregion(c, 0x200000, inner, 5);
    memory_region_add_subregion(c, 0x200000, bg, 0);

    /* A container's holes are transparent, even at higher priority. */
    g_assert_true(mr_at(as, 0x200000) == bg);
    g_assert_true(mr_at(as, 0x201000) == r1);
    g_assert_cmphex(off_at(as, 0x201234), ==, 0x234);
    g_assert_true(mr_at(as, 0x202000) == bg);
    g_assert_true(mr_at(as, 0x203000) == r2);
    /* r2 is clipped by its container's size. */
    g_assert_true(mr_at(as, 0x203fff) == r2);
    g_assert_true(mr_at(as, 0x204000) == bg);
    g_assert_cmphex(off_at(as, 0x204000), ==, 0x4000);
    check_view(as);

    /* Moving the container moves its children. */
    memory_region_set_address(inner, 0x208000);
    g_assert_true(mr_at(as, 0x201000) == bg);
    g_assert_true(mr_at(as, 0x209000) == r1);
    g_assert_true(mr_at(as, 0x20b000) == r2);
    g_assert_true(mr_at(as, 0x20c000) == bg);
    /* Disabling a container hides all it holds. */
    memory_region_set_enabled(inner, false);
    g_assert_true(mr_at(as, 0x209000) == bg);
    check_view(as);

    test_end(c);
}

/* --- aliases ----------------------------------------------------------- */

static void test_alias(void)
{
    MemoryRegion *c = test_begin();
    MemoryRegion *t = ram_new("target", 0x4000, 0x60);
    MemoryRegion *al = g_new0(MemoryRegion, 1);
    MemoryRegion *ro = g_new0(MemoryRegion, 1);
    MemoryRegion *below = g_new0(MemoryRegion, 1);
    MemoryRegion *aa = g_new0(MemoryRegion, 1);
    AddressSpace *as = &address_space_memory;

    memory_region_add_subregion(c, 0x300000, t, 0);
    /* target[0x1000, 0x3000) at 0x310000 */
    memory_region_init_alias(al, "al", t, 0x1000, 0x2000);
    memory_region_add_subregion(c, 0x310000, al, 0);
    g_assert_true(mr_at(as, 0x310000) == t);
    g_assert_cmphex(off_at(as, 0x310000), ==, 0x1000);
    g_assert_cmphex(off_at(as, 0x311fff), ==, 0x2fff);
    g_assert_null(mr_at(as, 0x312000));
    g_assert_null(mr_at(as, 0x30ffff));
    g_assert_cmphex(address_space_ld(as, 0x310004, 1), ==,
                    tag_byte(0x60, 0x1004));
    /* Writes through the alias land in the target. */
    address_space_st(as, 0x310010, 0xa5a5, 2);
    g_assert_cmphex(t->host[0x1010], ==, 0xa5);
    g_assert_cmphex(address_space_ld(as, 0x301010, 2), ==, 0xa5a5);

    /* Moving the window. */
    memory_region_set_alias_offset(al, 0x2000);
    g_assert_cmphex(off_at(as, 0x310000), ==, 0x2000);
    /* A window running past the target's end stops at the end. */
    g_assert_true(mr_at(as, 0x311fff) == t);
    g_assert_cmphex(off_at(as, 0x311fff), ==, 0x3fff);
    memory_region_set_alias_offset(al, 0x3000);
    g_assert_true(mr_at(as, 0x310fff) == t);
    g_assert_null(mr_at(as, 0x311000));
    check_view(as);

    /* A read-only alias: reads through it, writes dropped. */
    memory_region_init_alias(ro, "ro", t, 0, 0x1000);
    memory_region_set_readonly(ro, true);
    memory_region_add_subregion(c, 0x320000, ro, 0);
    g_assert_true(address_space_lookup(as, 0x320000)->readonly);
    g_assert_false(address_space_lookup(as, 0x300000)->readonly);
    t->host[0x20] = 0x11;
    g_assert_cmphex(address_space_ld(as, 0x320020, 1), ==, 0x11);
    address_space_st(as, 0x320020, 0x22, 1);
    g_assert_cmphex(t->host[0x20], ==, 0x11);
    g_assert_true(address_space_write(as, 0x320020, "\x33", 1));
    g_assert_cmphex(t->host[0x20], ==, 0x11);
    address_space_st(as, 0x300020, 0x44, 1);        /* direct: writable */
    g_assert_cmphex(t->host[0x20], ==, 0x44);
    /* Writable again. */
    memory_region_set_readonly(ro, false);
    address_space_st(as, 0x320020, 0x55, 1);
    g_assert_cmphex(t->host[0x20], ==, 0x55);

    /*
     * An alias whose target would start below address 0: the alias sits
     * at 0x1000 showing target[0x3000, 0x4000), so target offset 0 is at
     * -0x2000.
     */
    memory_region_init_alias(below, "below", t, 0x3000, 0x1000);
    memory_region_add_subregion(c, 0x1000, below, 0);
    g_assert_null(mr_at(as, 0));
    g_assert_null(mr_at(as, 0xfff));
    g_assert_true(mr_at(as, 0x1000) == t);
    g_assert_cmphex(off_at(as, 0x1000), ==, 0x3000);
    g_assert_cmphex(off_at(as, 0x1fff), ==, 0x3fff);
    g_assert_null(mr_at(as, 0x2000));
    g_assert_cmphex(address_space_ld(as, 0x1abc, 1), ==,
                    tag_byte(0x60, 0x3abc));
    check_view(as);

    /* An alias of an alias, read-only at the outer level only. */
    memory_region_set_alias_offset(al, 0x1000);
    memory_region_init_alias(aa, "aa", al, 0x800, 0x800);
    memory_region_set_readonly(aa, true);
    memory_region_add_subregion(c, 0x330000, aa, 0);
    g_assert_true(mr_at(as, 0x330000) == t);
    g_assert_cmphex(off_at(as, 0x330000), ==, 0x1800);
    g_assert_true(address_space_lookup(as, 0x330000)->readonly);
    g_assert_null(mr_at(as, 0x330800));
    check_view(as);

    test_end(c);
}

static void test_alias_of_container(void)
{
    MemoryRegion *c = test_begin();
    MemoryRegion *box = g_new0(MemoryRegion, 1);
    MemoryRegion *r = ram_new("r", 0x1000, 0x70);
    MemoryRegion *w = g_new0(MemoryRegion, 1);
    MemoryRegion *hi = ram_new("hi", 0x100, 0x71);
    AddressSpace *as = &address_space_memory;

    /* box is not mapped itself: it is seen only through the window. */
    memory_region_init_container(box, "box", 0x100000);
    memory_region_add_subregion(box, 0x80000, r, 0);
    memory_region_init_alias(w, "window", box, 0x7f000, 0x3000);
    memory_region_add_subregion(c, 0x400000, w, 0);
    g_assert_null(mr_at(as, 0x400000));
    g_assert_true(mr_at(as, 0x401000) == r);
    g_assert_cmphex(off_at(as, 0x401800), ==, 0x800);
    g_assert_null(mr_at(as, 0x402000));
    /* A higher-priority region over the window wins over what it shows. */
    memory_region_add_subregion(c, 0x401080, hi, 1);
    g_assert_true(mr_at(as, 0x401080) == hi);
    g_assert_true(mr_at(as, 0x401180) == r);
    g_assert_cmphex(off_at(as, 0x401180), ==, 0x180);
    check_view(as);
    test_end(c);
}

/* --- the flat view ------------------------------------------------------ */

static void test_flat_view(void)
{
    MemoryRegion *c = test_begin();
    MemoryRegion *a = ram_new("a", 0x10000, 1);
    IoDev *d = iodev_new();
    MemoryRegion *io = io_new("io", &ops_plain, d, 0x1000);
    MemoryRegion *clip = g_new0(MemoryRegion, 1);
    MemoryRegion *a2 = ram_new("a2", 0x2000, 2);
    MemoryRegion *tail = g_new0(MemoryRegion, 1);
    const FlatView *v = &address_space_memory.view;

    memory_region_add_subregion(c, 0x1000000, a, 0);
    memory_region_add_subregion(c, 0x1004000, io, 1);
    g_assert_cmpuint(v->nr, ==, 3);
    g_assert_cmphex(v->ranges[0].start, ==, 0x1000000);
    g_assert_cmphex(v->ranges[0].size, ==, 0x4000);
    g_assert_true(v->ranges[0].mr == a);
    g_assert_cmphex(v->ranges[0].offset, ==, 0);
    g_assert_cmphex(v->ranges[1].start, ==, 0x1004000);
    g_assert_cmphex(v->ranges[1].size, ==, 0x1000);
    g_assert_true(v->ranges[1].mr == io);
    g_assert_cmphex(v->ranges[2].start, ==, 0x1005000);
    g_assert_cmphex(v->ranges[2].size, ==, 0xb000);
    g_assert_true(v->ranges[2].mr == a);
    g_assert_cmphex(v->ranges[2].offset, ==, 0x5000);
    check_view(&address_space_memory);

    memory_region_set_enabled(io, false);
    g_assert_cmpuint(v->nr, ==, 1);
    g_assert_cmphex(v->ranges[0].size, ==, 0x10000);

    /*
     * One region reached twice, by a clipped container and by an alias of
     * its continuation: the two pieces are neighbours and become one.
     */
    memory_region_init_container(clip, "clip", 0x1000);
    memory_region_add_subregion(clip, 0, a2, 0);
    memory_region_add_subregion(c, 0x2000000, clip, 0);
    memory_region_init_alias(tail, "tail", a2, 0x1000, 0x1000);
    memory_region_add_subregion(c, 0x2001000, tail, 0);
    g_assert_cmpuint(v->nr, ==, 2);
    g_assert_cmphex(v->ranges[1].start, ==, 0x2000000);
    g_assert_cmphex(v->ranges[1].size, ==, 0x2000);
    g_assert_true(v->ranges[1].mr == a2);
    /* ... but not when the offsets do not continue. */
    memory_region_set_alias_offset(tail, 0);
    g_assert_cmpuint(v->nr, ==, 3);
    check_view(&address_space_memory);
    /* ... nor when one piece is read-only. */
    memory_region_set_alias_offset(tail, 0x1000);
    memory_region_set_readonly(tail, true);
    g_assert_cmpuint(v->nr, ==, 3);
    check_view(&address_space_memory);

    test_end(c);
}

/*
 * The rendering against a per-address reference: random trees of regions,
 * containers and aliases, and for every address the region that the rules
 * ("enabled; higher priority, then later-added, wins; containers clip and
 * are transparent; aliases show their target's window") say must answer.
 */
typedef struct RefHit {
    const MemoryRegion *mr;
    uint64_t offset;
    bool readonly;
} RefHit;

static bool ref_resolve(const MemoryRegion *mr, __int128 rel, bool ro,
                        RefHit *hit)
{
    if (!mr->enabled || rel < 0 || rel >= (__int128)mr->size) {
        return false;
    }
    ro |= mr->readonly;
    switch (mr->kind) {
    case MR_ALIAS:
        return ref_resolve(mr->alias, rel + mr->alias_offset, ro, hit);
    case MR_CONTAINER: {
        /* Priority descending; at equal priority the later-added first. */
        const MemoryRegion *best = NULL;
        bool *tried = g_new0(bool, mr->nr_subregions);
        bool found = false;

        for (;;) {
            int bi = -1;
            for (unsigned i = 0; i < mr->nr_subregions; i++) {
                const MemoryRegion *s = mr->subregions[i];
                if (!tried[i] && (bi < 0 || s->priority >= best->priority)) {
                    best = s;
                    bi = i;
                }
            }
            if (bi < 0) {
                break;
            }
            tried[bi] = true;
            if (ref_resolve(best, rel - (__int128)best->addr, ro, hit)) {
                found = true;
                break;
            }
        }
        g_free(tried);
        return found;
    }
    default:
        hit->mr = mr;
        hit->offset = (uint64_t)rel;
        hit->readonly = ro;
        return true;
    }
}

#define MODEL_SPAN 0x10000
#define MODEL_BASE 0x40000000ULL
#define MODEL_MAX 24

static void model_check(MemoryRegion *tree)
{
    AddressSpace *as = &address_space_memory;

    check_view(as);
    /* Every edge is a multiple of 0x10: checking both ends of every
     * 16-byte cell covers every change of owner. */
    for (uint64_t a = 0; a < MODEL_SPAN + 0x100; a += 8) {
        RefHit hit;
        bool want = ref_resolve(tree, (__int128)a, false, &hit);
        const FlatRange *r = address_space_lookup(as, MODEL_BASE + a);

        if (!want) {
            if (r) {
                g_test_message("addr 0x%" PRIx64 ": got %s, want none", a,
                               r->mr->name);
            }
            g_assert_null(r);
            continue;
        }
        if (!r) {
            g_test_message("addr 0x%" PRIx64 ": got none, want %s", a,
                           hit.mr->name);
        }
        g_assert_nonnull(r);
        if (r->mr != hit.mr) {
            g_test_message("addr 0x%" PRIx64 ": got %s, want %s", a,
                           r->mr->name, hit.mr->name);
        }
        g_assert_true(r->mr == hit.mr);
        g_assert_cmphex(r->offset + (MODEL_BASE + a - r->start), ==,
                        hit.offset);
        g_assert_cmpint(r->readonly, ==, hit.readonly);
    }
}

static uint64_t rnd_cell(uint64_t max_cells)
{
    return (uint64_t)g_test_rand_int_range(0, (gint32)max_cells) * 0x10;
}

static void test_flat_view_model(void)
{
    static const char *const names[MODEL_MAX] = {
        "m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10",
        "m11", "m12", "m13", "m14", "m15", "m16", "m17", "m18", "m19",
        "m20", "m21", "m22", "m23",
    };
    unsigned rounds = g_test_slow() ? 2000 : 300;

    for (unsigned round = 0; round < rounds; round++) {
        MemoryRegion *c = test_begin();
        MemoryRegion *tree = g_new0(MemoryRegion, 1);
        MemoryRegion *r[MODEL_MAX];
        MemoryRegion *containers[MODEL_MAX];
        unsigned nc = 0, n = g_test_rand_int_range(1, MODEL_MAX);

        memory_region_init_container(tree, "tree", MODEL_SPAN);
        containers[nc++] = tree;
        for (unsigned i = 0; i < n; i++) {
            MemoryRegion *mr = g_new0(MemoryRegion, 1);
            uint64_t size = rnd_cell(0x400) + 0x10;
            int kind = g_test_rand_int_range(0, 10);
            MemoryRegion *parent = containers[g_test_rand_int_range(0, nc)];

            if (kind < 5 || i == 0) {
                memory_region_init_io(mr, names[i], &ops_plain, NULL, size);
            } else if (kind < 7) {
                memory_region_init_container(mr, names[i], size);
            } else {
                /* An alias of any earlier region but its own ancestors
                 * (those are not yet placed, or are containers above
                 * parent): aim at leaves and aliases only. */
                MemoryRegion *target;
                do {
                    target = r[g_test_rand_int_range(0, i)];
                } while (target->kind == MR_CONTAINER);
                memory_region_init_alias(mr, names[i], target,
                                         rnd_cell(0x200), size);
                mr->readonly = g_test_rand_int_range(0, 4) == 0;
            }
            mr->enabled = g_test_rand_int_range(0, 6) != 0;
            memory_region_add_subregion(parent, rnd_cell(MODEL_SPAN / 0x10),
                                        mr, g_test_rand_int_range(-2, 3));
            if (mr->kind == MR_CONTAINER) {
                containers[nc++] = mr;
            }
            r[i] = mr;
        }
        memory_region_add_subregion(c, MODEL_BASE, tree, 0);
        model_check(tree);

        /* Changes to a live tree. */
        for (unsigned k = 0; k < 4; k++) {
            MemoryRegion *mr = r[g_test_rand_int_range(0, n)];
            switch (g_test_rand_int_range(0, 3)) {
            case 0:
                memory_region_set_enabled(mr, !mr->enabled);
                break;
            case 1:
                memory_region_set_address(mr, rnd_cell(MODEL_SPAN / 0x10));
                break;
            case 2:
                if (mr->kind == MR_ALIAS) {
                    memory_region_set_alias_offset(mr, rnd_cell(0x200));
                } else {
                    memory_region_set_enabled(mr, !mr->enabled);
                }
                break;
            }
            model_check(tree);
        }
        test_end(c);
    }
}

/* --- single accesses ---------------------------------------------------- */

static void test_ram_rom_access(void)
{
    MemoryRegion *c = test_begin();
    MemoryRegion *ram = ram_new("ram", 0x1000, 0);
    MemoryRegion *rom = g_new0(MemoryRegion, 1);
    AddressSpace *as = &address_space_memory;
    Error *err = NULL;
    uint8_t img[16];

    memory_region_add_subregion(c, 0x500000, ram, 0);
    address_space_st(as, 0x500100, 0x1122334455667788ULL, 8);
    /* Little-endian, all sizes, aligned or not. */
    g_assert_cmphex(ram->host[0x100], ==, 0x88);
    g_assert_cmphex(ram->host[0x107], ==, 0x11);
    g_assert_cmphex(address_space_ld(as, 0x500100, 8), ==,
                    0x1122334455667788ULL);
    g_assert_cmphex(address_space_ld(as, 0x500100, 4), ==, 0x55667788);
    g_assert_cmphex(address_space_ld(as, 0x500104, 4), ==, 0x11223344);
    g_assert_cmphex(address_space_ld(as, 0x500102, 2), ==, 0x5566);
    g_assert_cmphex(address_space_ld(as, 0x500107, 1), ==, 0x11);
    g_assert_cmphex(address_space_ld(as, 0x500101, 4), ==, 0x44556677);
    g_assert_cmphex(address_space_ld(as, 0x500103, 8) & 0xffffffffffULL, ==,
                    0x1122334455ULL);
    address_space_st(as, 0x500103, 0xabcd, 2);
    g_assert_cmphex(address_space_ld(as, 0x500100, 8), ==,
                    0x112233abcd667788ULL);
    address_space_st(as, 0x500101, 0xdeadbeef, 4);
    g_assert_cmphex(address_space_ld(as, 0x500100, 8), ==,
                    0x112233deadbeef88ULL);
    address_space_st(as, 0x500108, 0x99, 1);
    g_assert_cmphex(ram->host[0x108], ==, 0x99);
    /* A store writes only its own bytes. */
    g_assert_cmphex(ram->host[0x109], ==, tag_byte(0, 0x109));
    g_assert_cmphex(ram->host[0xff], ==, tag_byte(0, 0xff));

    /* ROM: readable, guest writes dropped, firmware loading writes. */
    g_assert_true(memory_region_init_rom(rom, "rom", 0x1000, &err));
    g_assert_null(err);
    memory_region_add_subregion(c, 0x600000, rom, 0);
    for (unsigned i = 0; i < sizeof(img); i++) {
        img[i] = 0xc0 + i;
    }
    g_assert_true(address_space_write_rom(as, 0x600ff8, img, 8));
    g_assert_cmphex(address_space_ld(as, 0x600ff8, 8), ==,
                    0xc7c6c5c4c3c2c1c0ULL);
    for (unsigned size = 1; size <= 8; size *= 2) {
        address_space_st(as, 0x600ff8, 0, size);
        g_assert_cmphex(address_space_ld(as, 0x600ff8, 8), ==,
                        0xc7c6c5c4c3c2c1c0ULL);
    }
    g_assert_true(address_space_write(as, 0x600ff8, "\0\0\0\0", 4));
    g_assert_cmphex(rom->host[0xff8], ==, 0xc0);
    g_assert_true(address_space_lookup(as, 0x600000)->readonly);
    /* Past the ROM's end is a hole: the copy says so. */
    g_assert_false(address_space_write_rom(as, 0x600ffc, img, 8));
    g_assert_cmphex(address_space_ld(as, 0x600ffc, 4), ==, 0xc3c2c1c0);

    /* Unassigned: all-ones of the access size; writes go nowhere. */
    g_assert_cmphex(address_space_ld(as, 0x700000, 1), ==, 0xff);
    g_assert_cmphex(address_space_ld(as, 0x700000, 2), ==, 0xffff);
    g_assert_cmphex(address_space_ld(as, 0x700000, 4), ==, 0xffffffff);
    g_assert_cmphex(address_space_ld(as, 0x700000, 8), ==, UINT64_MAX);
    g_assert_cmphex(address_space_ld(as, UINT64_MAX - 7, 8), ==, UINT64_MAX);
    address_space_st(as, 0x700000, 0, 8);
    address_space_st(as, UINT64_MAX, 0, 1);

    test_end(c);
}

static void test_io_access(void)
{
    MemoryRegion *c = test_begin();
    IoDev *d = iodev_new();
    MemoryRegion *io = io_new("dev", &ops_plain, d, 0x100);
    MemoryRegion *empty = g_new0(MemoryRegion, 1);
    static const MemoryRegionOps ops_none = { 0 };
    AddressSpace *as = &address_space_memory;

    memory_region_add_subregion(c, 0xfee00000, io, 0);
    /* Offsets are relative to the region; default valid sizes 1..4. */
    g_assert_cmphex(address_space_ld(as, 0xfee00010, 4), ==, 0x93929190);
    g_assert_cmpuint(d->n, ==, 1);
    g_assert_false(d->calls[0].write);
    g_assert_cmphex(d->calls[0].off, ==, 0x10);
    g_assert_cmpuint(d->calls[0].size, ==, 4);
    address_space_st(as, 0xfee00022, 0xbeef, 2);
    g_assert_cmpuint(d->n, ==, 2);
    g_assert_true(d->calls[1].write);
    g_assert_cmphex(d->calls[1].off, ==, 0x22);
    g_assert_cmpuint(d->calls[1].size, ==, 2);
    g_assert_cmphex(d->calls[1].val, ==, 0xbeef);
    address_space_st(as, 0xfee00030, 0x5a, 1);
    g_assert_cmphex(d->calls[2].val, ==, 0x5a);
    g_assert_cmpuint(d->calls[2].size, ==, 1);
    /* Wider than valid_max (4 by default): all-ones, no call. */
    g_assert_cmphex(address_space_ld(as, 0xfee00040, 8), ==, UINT64_MAX);
    address_space_st(as, 0xfee00040, 0, 8);
    g_assert_cmpuint(d->n, ==, 3);
    /* Moving the region moves its offsets. */
    memory_region_set_address(io, 0xfed00000);
    g_assert_cmphex(address_space_ld(as, 0xfed00001, 1), ==, 0x81);
    g_assert_cmphex(d->calls[3].off, ==, 1);
    g_assert_cmphex(address_space_ld(as, 0xfee00001, 1), ==, 0xff);
    g_assert_cmpuint(d->n, ==, 4);

    /* A region without callbacks reads all-ones and ignores writes. */
    memory_region_init_io(empty, "empty", &ops_none, NULL, 0x10);
    memory_region_add_subregion(c, 0xfec00000, empty, 0);
    g_assert_cmphex(address_space_ld(as, 0xfec00000, 4), ==, 0xffffffff);
    address_space_st(as, 0xfec00000, 0, 4);

    test_end(c);
}

static void test_straddle(void)
{
    MemoryRegion *c = test_begin();
    MemoryRegion *ram = ram_new("ram", 0x1000, 0);
    IoDev *d = iodev_new();
    MemoryRegion *io = io_new("dev", &ops_plain, d, 0x10);
    AddressSpace *as = &address_space_memory;

    memory_region_add_subregion(c, 0x800000, ram, 0);
    memory_region_add_subregion(c, 0x801000, io, 0);
    ram->host[0xffe] = 0x12;
    ram->host[0xfff] = 0x34;
    /* Two bytes of RAM, then two from the device at offsets 0 and 1. */
    g_assert_cmphex(address_space_ld(as, 0x800ffe, 4), ==, 0x81803412);
    g_assert_cmpuint(d->n, ==, 2);
    g_assert_cmphex(d->calls[0].off, ==, 0);
    g_assert_cmphex(d->calls[1].off, ==, 1);
    address_space_st(as, 0x800fff, 0xaabbccdd, 4);
    g_assert_cmphex(ram->host[0xfff], ==, 0xdd);
    g_assert_cmphex(d->regs[0], ==, 0xcc);
    g_assert_cmphex(d->regs[1], ==, 0xbb);
    g_assert_cmphex(d->regs[2], ==, 0xaa);
    g_assert_cmpuint(d->n, ==, 5);
    /* Off the device's end into a hole: the missing bytes are ones. */
    g_assert_cmphex(address_space_ld(as, 0x80100e, 4), ==, 0xffff8f8e);
    g_assert_cmphex(address_space_ld(as, 0x80100c, 8), ==,
                    0xffffffff8f8e8d8cULL);
    test_end(c);
}

static void test_access_sizes(void)
{
    MemoryRegion *c = test_begin();
    IoDev *d1 = iodev_new(), *d4 = iodev_new(), *d2 = iodev_new();
    IoDev *dw = iodev_new();
    MemoryRegion *r1 = io_new("impl1", &ops_impl1, d1, 0x100);
    MemoryRegion *r4 = io_new("impl4", &ops_impl4, d4, 0x100);
    MemoryRegion *r2 = io_new("valid2", &ops_valid2, d2, 0x100);
    MemoryRegion *rw = io_new("wide", &ops_wide, dw, 0x100);
    AddressSpace *as = &address_space_memory;

    memory_region_add_subregion(c, 0x900000, r1, 0);
    memory_region_add_subregion(c, 0x901000, r4, 0);
    memory_region_add_subregion(c, 0x902000, r2, 0);
    memory_region_add_subregion(c, 0x903000, rw, 0);

    /* impl_max 1: a 4-byte access is four byte calls, in address order. */
    g_assert_cmphex(address_space_ld(as, 0x900010, 4), ==, 0x93929190);
    g_assert_cmpuint(d1->n, ==, 4);
    for (unsigned i = 0; i < 4; i++) {
        g_assert_cmphex(d1->calls[i].off, ==, 0x10 + i);
        g_assert_cmpuint(d1->calls[i].size, ==, 1);
    }
    address_space_st(as, 0x900020, 0x44332211, 4);
    g_assert_cmpuint(d1->n, ==, 8);
    for (unsigned i = 0; i < 4; i++) {
        g_assert_true(d1->calls[4 + i].write);
        g_assert_cmphex(d1->calls[4 + i].off, ==, 0x20 + i);
        g_assert_cmphex(d1->calls[4 + i].val, ==, 0x11 * (i + 1));
    }
    address_space_st(as, 0x900031, 0xbbaa, 2);
    g_assert_cmpuint(d1->n, ==, 10);
    g_assert_cmphex(d1->regs[0x31], ==, 0xaa);
    g_assert_cmphex(d1->regs[0x32], ==, 0xbb);

    /* impl_min 4: a byte read is a 4-byte read of the aligned word. */
    g_assert_cmphex(address_space_ld(as, 0x901012, 1), ==, 0x92);
    g_assert_cmpuint(d4->n, ==, 1);
    g_assert_cmphex(d4->calls[0].off, ==, 0x10);
    g_assert_cmpuint(d4->calls[0].size, ==, 4);
    g_assert_cmphex(address_space_ld(as, 0x901012, 2), ==, 0x9392);
    g_assert_cmphex(d4->calls[1].off, ==, 0x10);
    /* ... and a byte write a 4-byte write of the shifted value. */
    address_space_st(as, 0x901021, 0x5a, 1);
    g_assert_cmpuint(d4->n, ==, 3);
    g_assert_true(d4->calls[2].write);
    g_assert_cmphex(d4->calls[2].off, ==, 0x20);
    g_assert_cmpuint(d4->calls[2].size, ==, 4);
    g_assert_cmphex(d4->calls[2].val, ==, 0x5a00);
    /* A narrow access crossing an implemented word still gets both
     * words' bytes. */
    g_assert_cmphex(address_space_ld(as, 0x901013, 2), ==, 0x9493);
    d4->n = 0;
    address_space_st(as, 0x901033, 0xbbaa, 2);
    g_assert_cmpuint(d4->n, ==, 2);
    g_assert_cmphex(d4->calls[0].off, ==, 0x30);
    g_assert_cmphex(d4->calls[0].val, ==, 0xaa000000);
    g_assert_cmpuint(d4->calls[0].size, ==, 4);
    g_assert_cmphex(d4->calls[1].off, ==, 0x34);
    g_assert_cmphex(d4->calls[1].val, ==, 0xbb);

    /* valid 2..2: other sizes read all-ones and never reach the device. */
    g_assert_cmphex(address_space_ld(as, 0x902010, 2), ==, 0x9190);
    g_assert_cmpuint(d2->n, ==, 1);
    g_assert_cmphex(address_space_ld(as, 0x902010, 1), ==, 0xff);
    g_assert_cmphex(address_space_ld(as, 0x902010, 4), ==, 0xffffffff);
    address_space_st(as, 0x902010, 0, 1);
    address_space_st(as, 0x902010, 0, 4);
    g_assert_cmpuint(d2->n, ==, 1);
    g_assert_cmphex(d2->regs[0x10], ==, 0x90);

    /* valid up to 8, impl up to 4: an 8-byte access is two 4-byte ones. */
    g_assert_cmphex(address_space_ld(as, 0x903008, 8), ==,
                    0x8f8e8d8c8b8a8988ULL);
    g_assert_cmpuint(dw->n, ==, 2);
    g_assert_cmphex(dw->calls[0].off, ==, 8);
    g_assert_cmpuint(dw->calls[0].size, ==, 4);
    g_assert_cmphex(dw->calls[1].off, ==, 12);
    address_space_st(as, 0x903010, 0x0807060504030201ULL, 8);
    g_assert_cmpuint(dw->n, ==, 4);
    g_assert_cmphex(dw->calls[2].val, ==, 0x04030201);
    g_assert_cmphex(dw->calls[3].val, ==, 0x08070605);
    g_assert_cmphex(dw->calls[3].off, ==, 0x14);
    g_assert_cmphex(address_space_ld(as, 0x903011, 2), ==, 0x0302);
    g_assert_cmpuint(dw->calls[4].size, ==, 2);

    test_end(c);
}

/* --- bulk copies -------------------------------------------------------- */

static void test_bulk(void)
{
    MemoryRegion *c = test_begin();
    MemoryRegion *ram = ram_new("ram", 0x1000, 0x10);
    IoDev *d = iodev_new();
    MemoryRegion *io = io_new("dev", &ops_plain, d, 0x10);
    MemoryRegion *ram2 = ram_new("ram2", 0x1000, 0x20);
    AddressSpace *as = &address_space_memory;
    uint8_t buf[0x3000], src[0x3000];

    /* ram [0xa00000, +0x1000), hole, dev at 0xa01800 (16 bytes), hole,
     * ram2 at 0xa02000. */
    memory_region_add_subregion(c, 0xa00000, ram, 0);
    memory_region_add_subregion(c, 0xa01800, io, 0);
    memory_region_add_subregion(c, 0xa02000, ram2, 0);

    memset(buf, 0, sizeof(buf));
    g_assert_false(address_space_read(as, 0xa00800, buf, 0x2000));
    for (unsigned i = 0; i < 0x2000; i++) {
        uint64_t a = 0xa00800 + i;
        uint8_t want;
        if (a < 0xa01000) {
            want = tag_byte(0x10, a - 0xa00000);
        } else if (a >= 0xa01800 && a < 0xa01810) {
            want = 0x80 ^ (uint8_t)(a - 0xa01800);
        } else if (a >= 0xa02000) {
            want = tag_byte(0x20, a - 0xa02000);
        } else {
            want = 0xff;
        }
        if (buf[i] != want) {
            g_test_message("byte at 0x%" PRIx64, a);
        }
        g_assert_cmphex(buf[i], ==, want);
    }
    g_assert_cmpuint(d->n, >=, 1);
    /* Entirely assigned: true. */
    g_assert_true(address_space_read(as, 0xa00010, buf, 0x100));
    g_assert_true(address_space_read(as, 0xa01800, buf, 0x10));
    g_assert_true(address_space_read(as, 0xa00000, buf, 0));

    for (unsigned i = 0; i < sizeof(src); i++) {
        src[i] = (uint8_t)(i * 13 + 1);
    }
    d->n = 0;
    g_assert_false(address_space_write(as, 0xa00ff0, src, 0x1020));
    g_assert_cmpmem(ram->host + 0xff0, 0x10, src, 0x10);
    g_assert_cmpmem(d->regs, 0x10, src + 0x810, 0x10);
    g_assert_cmpmem(ram2->host, 0x10, src + 0x1010, 0x10);
    g_assert_cmphex(ram2->host[0x10], ==, tag_byte(0x20, 0x10));
    g_assert_cmphex(d->regs[0x10], ==, 0x80 ^ 0x10);
    for (unsigned i = 0; i < d->n; i++) {
        g_assert_true(d->calls[i].write);
        g_assert_cmpuint(d->calls[i].off + d->calls[i].size, <=, 0x10);
    }
    /* Round trip across the boundary RAM -> hole. */
    g_assert_false(address_space_read(as, 0xa00ff0, buf, 0x20));
    g_assert_cmpmem(buf, 0x10, src, 0x10);
    for (unsigned i = 0x10; i < 0x20; i++) {
        g_assert_cmphex(buf[i], ==, 0xff);
    }
    /* All hole. */
    g_assert_false(address_space_read(as, 0xb00000, buf, 0x10));
    g_assert_false(address_space_write(as, 0xb00000, buf, 0x10));
    test_end(c);
}

/*
 * A device whose callback changes the memory map in the middle of a bulk
 * copy (a register that unmaps its own window): the rest of the copy goes
 * where the map now points, and nothing uses the view that was replaced
 * (run under ASan to see a use-after-free there).
 */
typedef struct Remapper {
    MemoryRegion mr;
    uint64_t trigger;       /* the offset whose access unmaps mr */
    unsigned calls;
} Remapper;

static uint64_t remapper_read(void *opaque, uint64_t off, unsigned size)
{
    Remapper *m = opaque;

    m->calls++;
    if (off == m->trigger) {
        memory_region_set_enabled(&m->mr, false);
    }
    return 0xe0 + off;
}

static void remapper_write(void *opaque, uint64_t off, uint64_t v,
                           unsigned size)
{
    remapper_read(opaque, off, size);
}

static const MemoryRegionOps remapper_ops = {
    .read = remapper_read, .write = remapper_write,
};

static void test_bulk_remap(void)
{
    MemoryRegion *c = test_begin();
    MemoryRegion *ram = ram_new("below", 0x1000, 0x30);
    Remapper *m = g_new0(Remapper, 1);
    AddressSpace *as = &address_space_memory;
    uint8_t buf[8];

    memory_region_add_subregion(c, 0xf00000, ram, 0);
    memory_region_init_io(&m->mr, "remapper", &remapper_ops, m, 0x10);
    memory_region_add_subregion(c, 0xf00000, &m->mr, 1);

    m->trigger = 3;
    g_assert_true(address_space_write(as, 0xf00000, "ABCDEFGH", 8));
    g_assert_cmpuint(m->calls, ==, 4);
    g_assert_cmpmem(ram->host, 8, "\x30\x31\x32\x33" "EFGH", 8);

    memory_region_set_enabled(&m->mr, true);
    m->calls = 0;
    m->trigger = 1;
    g_assert_true(address_space_read(as, 0xf00000, buf, 8));
    g_assert_cmpuint(m->calls, ==, 2);
    g_assert_cmpmem(buf, 8, "\xe0\xe1\x32\x33" "EFGH", 8);
    test_end(c);
}

/* --- transactions and listeners -------------------------------------- */

typedef struct CountingListener {
    MemoryListener l;
    unsigned mem_calls, io_calls;
    unsigned last_nr;
} CountingListener;

static void count_view_changed(MemoryListener *l, AddressSpace *as,
                               const FlatView *view)
{
    CountingListener *cl = container_of(l, CountingListener, l);

    if (as == &address_space_memory) {
        cl->mem_calls++;
        cl->last_nr = view->nr;
    } else if (as == &address_space_io) {
        cl->io_calls++;
    }
}

static void test_transactions(void)
{
    MemoryRegion *c = test_begin();
    CountingListener cl = { .l.view_changed = count_view_changed };
    MemoryRegion *r[5];
    uint64_t gen;

    memory_listener_register(&cl.l);
    /* Told about the current views at once. */
    g_assert_cmpuint(cl.mem_calls, ==, 1);
    g_assert_cmpuint(cl.io_calls, ==, 1);

    cl.mem_calls = 0;
    gen = address_space_memory.generation;
    memory_transaction_begin();
    for (unsigned i = 0; i < 5; i++) {
        r[i] = ram_new("r", 0x1000, i);
        memory_region_add_subregion(c, 0xc00000 + i * 0x1000, r[i], 0);
    }
    memory_region_set_enabled(r[0], false);
    memory_region_set_address(r[1], 0xd00000);
    /* Nothing visible yet. */
    g_assert_cmpuint(cl.mem_calls, ==, 0);
    g_assert_null(address_space_lookup(&address_space_memory, 0xc02000));
    g_assert_cmpuint(address_space_memory.generation, ==, gen);
    /* Nested: only the outermost commit rebuilds. */
    memory_transaction_begin();
    memory_region_set_enabled(r[2], false);
    memory_transaction_commit();
    g_assert_cmpuint(cl.mem_calls, ==, 0);
    memory_transaction_commit();
    g_assert_cmpuint(cl.mem_calls, ==, 1);
    g_assert_cmpuint(cl.last_nr, ==, 3);
    g_assert_cmpuint(address_space_memory.generation, ==, gen + 1);
    g_assert_nonnull(address_space_lookup(&address_space_memory, 0xd00000));
    g_assert_null(address_space_lookup(&address_space_memory, 0xc02000));
    g_assert_nonnull(address_space_lookup(&address_space_memory, 0xc03000));

    /* A transaction without changes rebuilds nothing. */
    memory_transaction_begin();
    memory_region_set_enabled(r[3], true);      /* already enabled */
    memory_transaction_commit();
    g_assert_cmpuint(cl.mem_calls, ==, 1);

    /* Outside a transaction, every change rebuilds. */
    memory_region_set_enabled(r[0], true);
    memory_region_set_enabled(r[2], true);
    g_assert_cmpuint(cl.mem_calls, ==, 3);

    memory_listener_unregister(&cl.l);
    memory_region_set_enabled(r[0], false);
    g_assert_cmpuint(cl.mem_calls, ==, 3);
    test_end(c);
    for (unsigned i = 0; i < 5; i++) {
        memory_region_del_subregion(c, r[i]);
        ram_free(r[i]);
    }
}

/* --- info mtree, I/O space, big RAM ------------------------------------ */

static void test_dump_tree(void)
{
    MemoryRegion *c = test_begin();
    MemoryRegion *ram = ram_new("test-dump-ram", 0x1000, 0);
    MemoryRegion *al = g_new0(MemoryRegion, 1);
    MemoryRegion *off = ram_new("test-dump-off", 0x1000, 0);
    GString *s = g_string_new(NULL);

    memory_region_add_subregion(c, 0xe00000, ram, 0);
    memory_region_init_alias(al, "test-dump-alias", ram, 0x800, 0x800);
    memory_region_add_subregion(c, 0xe10000, al, 2);
    memory_region_add_subregion(c, 0xe20000, off, 0);
    memory_region_set_enabled(off, false);
    memory_region_dump_tree(s, &address_space_memory);
    g_test_message("%s", s->str);
    g_assert_nonnull(strstr(s->str, "system"));
    g_assert_nonnull(strstr(s->str, "test-dump-ram"));
    g_assert_nonnull(strstr(s->str, "test-dump-alias"));
    g_assert_nonnull(strstr(s->str, "0000000000e10000"));
    g_assert_nonnull(strstr(s->str, "0000000000e00fff"));
    g_assert_nonnull(strstr(s->str, "@test-dump-ram"));
    g_assert_nonnull(strstr(s->str, "test-dump-off"));
    g_assert_nonnull(strstr(s->str, "disabled"));
    g_string_free(s, true);
    test_end(c);
}

static void test_io_space(void)
{
    IoDev *d = iodev_new();
    MemoryRegion *kbd = io_new("kbd", &ops_plain, d, 1);
    MemoryRegion *top = io_new("top", &ops_plain, d, 0x20);
    MemoryRegion *bg = io_new("bg", &ops_plain, d, 3);
    MemoryRegion *one = io_new("one", &ops_plain, d, 1);
    AddressSpace *as = &address_space_io;

    g_assert_cmphex(sysio.size, ==, 0x10000);
    memory_region_add_subregion(&sysio, 0x60, kbd, 0);
    g_assert_cmphex(address_space_ld(as, 0x60, 1), ==, 0x80);
    g_assert_cmphex(d->calls[0].off, ==, 0);
    /* Word access at 0x60: the second byte is unassigned. */
    g_assert_cmphex(address_space_ld(as, 0x60, 2), ==, 0xff80);
    address_space_st(as, 0x60, 0x12, 1);
    g_assert_cmphex(d->regs[0], ==, 0x12);

    /* A region past the 64 KiB end is clipped to it. */
    memory_region_add_subregion(&sysio, 0xfff0, top, 0);
    g_assert_true(mr_at(as, 0xffff) == top);
    g_assert_null(mr_at(as, 0x10000));
    g_assert_cmphex(as->view.ranges[as->view.nr - 1].start +
                    as->view.ranges[as->view.nr - 1].size, ==, 0x10000);
    g_assert_cmphex(address_space_ld(as, 0x10000, 4), ==, 0xffffffff);
    g_assert_cmphex(address_space_ld(as, 0xfffe, 4), ==, 0xffff8f8e);
    check_view(as);
    memory_region_del_subregion(&sysio, kbd);
    memory_region_del_subregion(&sysio, top);
    g_assert_cmpuint(as->view.nr, ==, 0);

    /* Byte-sized pieces: a one-port region over a wider one leaves
     * one-byte pieces of the wider one on both sides. */
    memory_region_add_subregion(&sysio, 0x70, bg, 0);
    memory_region_add_subregion(&sysio, 0x71, one, 1);
    g_assert_true(mr_at(as, 0x70) == bg);
    g_assert_true(mr_at(as, 0x71) == one);
    g_assert_true(mr_at(as, 0x72) == bg);
    g_assert_cmphex(off_at(as, 0x72), ==, 2);
    g_assert_cmpuint(as->view.nr, ==, 3);
    check_view(as);
    memory_region_del_subregion(&sysio, bg);
    memory_region_del_subregion(&sysio, one);
}

static uint64_t rss_bytes(void)
{
    unsigned long size, resident;
    FILE *f = fopen("/proc/self/statm", "r");

    g_assert_nonnull(f);
    g_assert_cmpint(fscanf(f, "%lu %lu", &size, &resident), ==, 2);
    fclose(f);
    return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

static int overcommit_mode(void)
{
    int mode = -1;
    FILE *f = fopen("/proc/sys/vm/overcommit_memory", "r");

    if (f) {
        if (fscanf(f, "%d", &mode) != 1) {
            mode = -1;
        }
        fclose(f);
    }
    return mode;
}

static void test_big_ram(void)
{
    MemoryRegion *c = test_begin();
    MemoryRegion *big = g_new0(MemoryRegion, 1);
    Error *err = NULL;
    uint64_t page = sysconf(_SC_PAGESIZE);
    uint64_t rss0 = rss_bytes(), where = 0x123456789000ULL % TiB;
    unsigned char vec[4];

    if (!memory_region_init_ram(big, "big", TiB, &err)) {
        /* Only a host with strict overcommit accounting (mode 2) may
         * refuse a lazy reservation; it must say so clearly. */
        g_assert_nonnull(err);
        g_test_message("%s", err->msg);
        g_assert_true(overcommit_mode() == 2);
        g_assert_nonnull(strstr(err->msg, "big"));
        g_test_skip(err->msg);
        error_free(err);
        test_end(c);
        return;
    }
    memory_region_add_subregion(c, 0x10000000000ULL, big, 0);
    g_assert_true(mr_at(&address_space_memory, 0x1ffffffffffULL) == big);
    address_space_st(&address_space_memory, 0x10000000000ULL + where,
                     0x0123456789abcdefULL, 8);
    address_space_st(&address_space_memory, 0x1fffffffff8ULL, 42, 8);
    g_assert_cmphex(address_space_ld(&address_space_memory,
                                     0x10000000000ULL + where, 8), ==,
                    0x0123456789abcdefULL);
    g_assert_cmphex(big->host[TiB - 8], ==, 42);

    /* Only the touched pages are resident. */
    g_assert_cmpint(mincore(big->host + where, page, vec), ==, 0);
    g_assert_true(vec[0] & 1);
    g_assert_cmpint(mincore(big->host + TiB / 2, page, vec), ==, 0);
    g_assert_false(vec[0] & 1);
    g_assert_cmpuint(rss_bytes(), <, rss0 + 64 * MiB);

    test_end(c);
    munmap(big->host, big->size);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    memory_region_init_container(&sysmem, "system", UINT64_MAX);
    address_space_init(&address_space_memory, &sysmem, "memory");
    memory_region_init_container(&sysio, "io", 0x10000);
    address_space_init(&address_space_io, &sysio, "I/O");

    g_test_add_func("/memory/priority-overlap", test_priority_overlap);
    g_test_add_func("/memory/nested-containers", test_nested_containers);
    g_test_add_func("/memory/alias", test_alias);
    g_test_add_func("/memory/alias-of-container", test_alias_of_container);
    g_test_add_func("/memory/flat-view", test_flat_view);
    g_test_add_func("/memory/flat-view-model", test_flat_view_model);
    g_test_add_func("/memory/ram-rom-access", test_ram_rom_access);
    g_test_add_func("/memory/io-access", test_io_access);
    g_test_add_func("/memory/straddle", test_straddle);
    g_test_add_func("/memory/access-sizes", test_access_sizes);
    g_test_add_func("/memory/bulk", test_bulk);
    g_test_add_func("/memory/bulk-remap", test_bulk_remap);
    g_test_add_func("/memory/transactions", test_transactions);
    g_test_add_func("/memory/dump-tree", test_dump_tree);
    g_test_add_func("/memory/io-space", test_io_space);
    g_test_add_func("/memory/big-ram", test_big_ram);
    return g_test_run();
}
