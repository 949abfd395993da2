/*
 * The memory map: regions (RAM, ROM, MMIO callbacks, aliases, containers)
 * placed in a tree with priorities, and address spaces whose flat, sorted
 * view is rebuilt only when the tree changes.
 *
 * The same machinery serves guest physical memory and the 64 KiB I/O port
 * space (address_space_memory, address_space_io).
 *
 * Locking: the tree, the views and every callback run under the BQL
 * (main-loop.h). RAM pointers stay valid for the machine's lifetime.
 */
#ifndef SOFTMMU_MEMORY_H
#define SOFTMMU_MEMORY_H

#include "pcemu/common.h"

typedef struct MemoryRegion MemoryRegion;
typedef struct AddressSpace AddressSpace;

/*
 * Callbacks of an I/O region. offset is relative to the region's start;
 * size is 1, 2, 4 or 8 bytes; values are little-endian numbers.
 *
 * valid_min/max: sizes a guest may use (others read all-ones, writes are
 * dropped). impl_min/max: sizes the callbacks implement; the core splits a
 * wider access, or widens a narrower one (read-modify-write is NOT done:
 * a narrow write is passed as a wider write of the shifted value only when
 * impl_min allows it, so set impl_min = 1 unless the device truly needs
 * whole registers). Zero means: valid 1..4, impl = valid.
 */
typedef struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value,
                  unsigned size);
    unsigned valid_min, valid_max;
    unsigned impl_min, impl_max;
} MemoryRegionOps;

typedef enum MemoryRegionKind {
    MR_CONTAINER,   /* holds subregions; holes are unassigned */
    MR_RAM,         /* host memory, guest read/write */
    MR_ROM,         /* host memory, guest writes dropped */
    MR_IO,          /* callbacks */
    MR_ALIAS,       /* a window onto part of another region */
} MemoryRegionKind;

struct MemoryRegion {
    const char *name;
    MemoryRegionKind kind;
    uint64_t size;

    uint8_t *host;                  /* MR_RAM, MR_ROM */
    const MemoryRegionOps *ops;     /* MR_IO */
    void *opaque;
    MemoryRegion *alias;            /* MR_ALIAS */
    uint64_t alias_offset;
    bool readonly;                  /* MR_RAM/MR_ALIAS: guest writes dropped */
    bool terminates;                /* MR_CONTAINER: see set_terminates */

    /* placement in the parent */
    MemoryRegion *parent;
    uint64_t addr;
    int priority;
    bool enabled;

    /* MR_CONTAINER: children, in insertion order */
    MemoryRegion **subregions;
    unsigned nr_subregions;
};

/* One piece of an address space's flat view: [start, start + size) maps
 * to offset within the leaf region mr (RAM, ROM or IO, never an alias). */
typedef struct FlatRange {
    uint64_t start;
    uint64_t size;
    MemoryRegion *mr;
    uint64_t offset;
    bool readonly;
} FlatRange;

typedef struct FlatView {
    FlatRange *ranges;   /* sorted by start, non-overlapping */
    unsigned nr;
} FlatView;

/* Told after an address space's view was rebuilt; compares with what it
 * mirrored before (KVM memory slots, the software TLB). Runs under BQL. */
typedef struct MemoryListener {
    void (*view_changed)(struct MemoryListener *l, AddressSpace *as,
                         const FlatView *view);
    struct MemoryListener *next;
} MemoryListener;

struct AddressSpace {
    const char *name;
    MemoryRegion *root;
    FlatView view;
    uint64_t generation;   /* increments on every rebuild */
};

extern AddressSpace address_space_memory;
extern AddressSpace address_space_io;

void memory_region_init_container(MemoryRegion *mr, const char *name,
                                  uint64_t size);
/* Reserves size bytes lazily (MAP_NORESERVE): only touched pages cost
 * memory. Returns false and sets errp if the host refuses the mapping. */
bool memory_region_init_ram(MemoryRegion *mr, const char *name,
                            uint64_t size, Error **errp);
bool memory_region_init_rom(MemoryRegion *mr, const char *name,
                            uint64_t size, Error **errp);
void memory_region_init_io(MemoryRegion *mr, const char *name,
                           const MemoryRegionOps *ops, void *opaque,
                           uint64_t size);
void memory_region_init_alias(MemoryRegion *mr, const char *name,
                              MemoryRegion *orig, uint64_t offset,
                              uint64_t size);

/* Places sub at addr inside parent. Where regions overlap, the higher
 * priority wins; at equal priority, the one added later. */
void memory_region_add_subregion(MemoryRegion *parent, uint64_t addr,
                                 MemoryRegion *sub, int priority);
void memory_region_del_subregion(MemoryRegion *parent, MemoryRegion *sub);
void memory_region_set_enabled(MemoryRegion *mr, bool enabled);
void memory_region_set_address(MemoryRegion *mr, uint64_t addr);
void memory_region_set_alias_offset(MemoryRegion *mr, uint64_t offset);
void memory_region_set_readonly(MemoryRegion *mr, bool readonly);
/* A container whose holes are unassigned space that hides what lies below
 * it: a bus where an access nobody claims master-aborts (reads all-ones)
 * rather than falling through to a lower-priority region. */
void memory_region_set_terminates(MemoryRegion *mr);

/* Batches changes: views are rebuilt once, at the outermost commit. */
void memory_transaction_begin(void);
void memory_transaction_commit(void);

void address_space_init(AddressSpace *as, MemoryRegion *root,
                        const char *name);
void memory_listener_register(MemoryListener *l);
void memory_listener_unregister(MemoryListener *l);

/* The flat range holding addr, or NULL for unassigned. */
const FlatRange *address_space_lookup(AddressSpace *as, uint64_t addr);

/* One access of 1, 2, 4 or 8 bytes, as a CPU makes it. Unassigned reads
 * return all-ones, unassigned writes are dropped. */
uint64_t address_space_ld(AddressSpace *as, uint64_t addr, unsigned size);
void address_space_st(AddressSpace *as, uint64_t addr, uint64_t value,
                      unsigned size);

/* Bulk copies, as DMA makes them; crossing region boundaries is fine.
 * Return false if any part was unassigned (that part reads all-ones). */
bool address_space_read(AddressSpace *as, uint64_t addr, void *buf,
                        uint64_t len);
bool address_space_write(AddressSpace *as, uint64_t addr, const void *buf,
                         uint64_t len);

/* Writes into ROM too (firmware loading, qtest); not for guests. */
bool address_space_write_rom(AddressSpace *as, uint64_t addr,
                             const void *buf, uint64_t len);

/* "info mtree" text of an address space's tree. */
void memory_region_dump_tree(GString *out, AddressSpace *as);

#endif
