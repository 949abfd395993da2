/*
 * KVM memory slots: a mirror of address_space_memory's RAM and ROM.
 *
 * The kernel maps guest-physical ranges straight onto our host memory
 * (KVM_SET_USER_MEMORY_REGION, api.rst 4.35); the guest then reads and
 * writes them without exits. Every access outside a slot leaves KVM_RUN
 * as KVM_EXIT_MMIO and goes through address_space_ld/st.
 *
 * A memory listener is told each time the flat view is rebuilt (PAM
 * registers, PCI BARs, SMRAM). We turn the view into the list of slots it
 * wants, one per RAM or ROM flat range, and change only the slots that
 * differ: a slot is never modified in place except for its dirty-log
 * flag, since the kernel cannot change a slot's address, size or
 * read-only flag. ROM and read-only RAM use KVM_MEM_READONLY: reads are
 * direct, guest writes come out as MMIO exits and address_space_st drops
 * them.
 *
 * A slot must start and end on page boundaries, in guest-physical and
 * host addresses alike. A range that is not page-aligned keeps its
 * aligned middle as a slot and leaves the partial pages at its ends to
 * MMIO exits (slow but correct for data; the kernel cannot fetch
 * instructions there, which no firmware does).
 *
 * Removing a slot and adding its replacement are two ioctls: a vCPU
 * running meanwhile that touches the range sees an MMIO exit, and the
 * access is then served from the new view (the exit waits for the BQL,
 * which we hold). Only an instruction fetch from a slot that is being
 * replaced fails, as in QEMU.
 *
 * Not emulated: the coalesced MMIO ring (all MMIO exits are synchronous),
 * the dirty ring (KVM_CAP_DIRTY_LOG_RING); dirty logging uses bitmaps.
 */
#include <sys/ioctl.h>

#include "accel/kvm.h"
#include "accel/kvm/kvm-int.h"
#include "softmmu/main-loop.h"

/* A removed slot's dirty pages, kept for the next kvm_get_dirty_log. */
typedef struct KVMPendingLog {
    uint64_t gpa;
    uint8_t *host;
    uint64_t npages;
    uint64_t *bitmap;
} KVMPendingLog;

static GArray *pending_logs;        /* of KVMPendingLog */
static MemoryListener kvm_memory_listener;

#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a) - 1))
#define ALIGN_UP(x, a)   ALIGN_DOWN((x) + (a) - 1, (a))

/* Physical addresses past this exist on no x86 CPU (52-bit MAXPHYADDR). */
#define KVM_MAX_GPA (1ULL << 52)

static uint64_t slot_bitmap_words(const KVMSlot *s)
{
    uint64_t npages = s->size / KVM_PAGE_SIZE;
    return (npages + 63) / 64;
}

/* Marks every one of a slot's pages dirty, and no bit past them. */
static void slot_bitmap_fill(const KVMSlot *s, uint64_t *bitmap)
{
    uint64_t npages = s->size / KVM_PAGE_SIZE;

    memset(bitmap, 0xff, slot_bitmap_words(s) * sizeof(uint64_t));
    if (npages % 64) {
        bitmap[npages / 64] = (1ULL << (npages % 64)) - 1;
    }
}

static int kvm_set_slot(const KVMSlot *s, bool remove)
{
    struct kvm_userspace_memory_region r = {
        .slot = s->id,
        .flags = remove ? 0 : s->flags,
        .guest_phys_addr = s->gpa,
        .memory_size = remove ? 0 : s->size,
        .userspace_addr = (uintptr_t)s->host,
    };

    return kvm_vm_ioctl(KVM_SET_USER_MEMORY_REGION, &r);
}

#define KVM_NO_SLOT UINT32_MAX

static uint32_t kvm_alloc_slot_id(void)
{
    if (kvm_state.nr_free_ids) {
        return kvm_state.free_ids[--kvm_state.nr_free_ids];
    }
    if (kvm_state.next_id >= (uint32_t)kvm_state.nr_memslots) {
        return KVM_NO_SLOT;
    }
    return kvm_state.next_id++;
}

static void kvm_free_slot_id(uint32_t id)
{
    kvm_state.free_ids = g_renew(uint32_t, kvm_state.free_ids,
                                 kvm_state.nr_free_ids + 1);
    kvm_state.free_ids[kvm_state.nr_free_ids++] = id;
}

/* Reads and clears a slot's dirty bitmap. */
static bool kvm_slot_read_log(const KVMSlot *s, uint64_t *bitmap,
                              Error **errp)
{
    struct kvm_dirty_log log = {
        .slot = s->id,
        .dirty_bitmap = bitmap,
    };

    memset(bitmap, 0, slot_bitmap_words(s) * sizeof(uint64_t));
    if (kvm_vm_ioctl(KVM_GET_DIRTY_LOG, &log) < 0) {
        kvm_err_ioctl(errp, "KVM_GET_DIRTY_LOG");
        return false;
    }
    return true;
}

static void kvm_slot_remove(unsigned i)
{
    KVMSlot *s = &kvm_state.slots[i];

    if (s->flags & KVM_MEM_LOG_DIRTY_PAGES) {
        /* Keep what the guest wrote since the last log; migration must
         * still send it even though the range is unmapped now. */
        KVMPendingLog p = {
            .gpa = s->gpa,
            .host = s->host,
            .npages = s->size / KVM_PAGE_SIZE,
            .bitmap = g_new0(uint64_t, slot_bitmap_words(s)),
        };
        Error *err = NULL;

        if (s->all_dirty) {
            slot_bitmap_fill(s, p.bitmap);
        } else if (!kvm_slot_read_log(s, p.bitmap, &err)) {
            /* Unknown: report every page rather than lose one. */
            error_free(err);
            slot_bitmap_fill(s, p.bitmap);
        }
        g_array_append_val(pending_logs, p);
    }
    /* Removing a slot we created cannot fail unless our bookkeeping and
     * the kernel's disagree; the guest would then see stale memory. */
    if (kvm_set_slot(s, true) < 0) {
        fatal("KVM_SET_USER_MEMORY_REGION failed: %s (removing slot %u at "
              "0x%" PRIx64 ")", strerror(errno), s->id, s->gpa);
    }
    kvm_free_slot_id(s->id);
    kvm_state.slots[i] = kvm_state.slots[--kvm_state.nr_slots];
}

/*
 * Adding can fail for reasons the guest controls: a PCI BAR with RAM
 * behind it (a frame buffer) placed over the pages the kernel keeps for
 * itself (KVM_IDENTITY_MAP_ADDR), or beyond what the kernel accepts.
 * Then the range simply has no slot: its accesses are MMIO exits, slow
 * but correct, and the host goes on.
 */
static void kvm_slot_add(const KVMSlot *want)
{
    KVMSlot *s;

    if (kvm_state.nr_slots == kvm_state.slots_cap) {
        kvm_state.slots_cap = MAX(16, kvm_state.slots_cap * 2);
        kvm_state.slots = g_renew(KVMSlot, kvm_state.slots,
                                  kvm_state.slots_cap);
    }
    s = &kvm_state.slots[kvm_state.nr_slots];
    *s = *want;
    s->id = kvm_alloc_slot_id();
    if (s->id == KVM_NO_SLOT) {
        guest_error("KVM memory slots exhausted (%d): 0x%" PRIx64 "+0x%"
                    PRIx64 " served by MMIO exits instead",
                    kvm_state.nr_memslots, s->gpa, s->size);
        return;
    }
    if (kvm_state.dirty_tracking && !(s->flags & KVM_MEM_READONLY)) {
        s->flags |= KVM_MEM_LOG_DIRTY_PAGES;
        s->all_dirty = true;
    }
    if (kvm_set_slot(s, false) < 0) {
        guest_error("KVM_SET_USER_MEMORY_REGION failed: %s (gpa 0x%" PRIx64
                    ", size 0x%" PRIx64 "): served by MMIO exits instead",
                    strerror(errno), s->gpa, s->size);
        kvm_free_slot_id(s->id);
        return;
    }
    kvm_state.nr_slots++;
}

/* The slot a flat range wants, or false if it cannot have one. */
static bool kvm_range_to_slot(const FlatRange *fr, KVMSlot *out)
{
    MemoryRegion *mr = fr->mr;
    uint64_t start, end;
    uintptr_t host;

    if (mr->kind != MR_RAM && mr->kind != MR_ROM) {
        return false;
    }
    if (!mr->host || fr->size == 0 || fr->start >= KVM_MAX_GPA ||
        fr->size > KVM_MAX_GPA - fr->start) {
        return false;
    }
    start = ALIGN_UP(fr->start, KVM_PAGE_SIZE);
    end = ALIGN_DOWN(fr->start + fr->size, KVM_PAGE_SIZE);
    if (end <= start) {
        return false;
    }
    host = (uintptr_t)mr->host + fr->offset + (start - fr->start);
    if (host & (KVM_PAGE_SIZE - 1)) {
        /* Host and guest page offsets differ: no slot can map it. */
        return false;
    }
    memset(out, 0, sizeof(*out));
    out->gpa = start;
    out->size = end - start;
    out->host = (uint8_t *)host;
    if (mr->kind == MR_ROM || mr->readonly || fr->readonly) {
        out->flags = KVM_MEM_READONLY;
    }
    return true;
}

static bool kvm_slot_same(const KVMSlot *a, const KVMSlot *b)
{
    return a->gpa == b->gpa && a->size == b->size && a->host == b->host &&
           (a->flags & KVM_MEM_READONLY) == (b->flags & KVM_MEM_READONLY);
}

static void kvm_view_changed(MemoryListener *l, AddressSpace *as,
                             const FlatView *view)
{
    KVMSlot *want;
    bool *kept;
    unsigned nr_want = 0, i, j;

    if (as != &address_space_memory) {
        return;
    }
    want = g_new(KVMSlot, view->nr ? view->nr : 1);
    for (i = 0; i < view->nr; i++) {
        if (kvm_range_to_slot(&view->ranges[i], &want[nr_want])) {
            nr_want++;
        }
    }
    kept = g_new0(bool, nr_want ? nr_want : 1);

    /* Remove every slot the new view does not want exactly; removals
     * first, since the kernel refuses overlapping slots. */
    for (i = 0; i < kvm_state.nr_slots;) {
        bool found = false;

        for (j = 0; j < nr_want; j++) {
            if (!kept[j] && kvm_slot_same(&kvm_state.slots[i], &want[j])) {
                kept[j] = true;
                found = true;
                break;
            }
        }
        if (found) {
            i++;
        } else {
            kvm_slot_remove(i);     /* moves the last slot into i */
        }
    }
    for (j = 0; j < nr_want; j++) {
        if (!kept[j]) {
            kvm_slot_add(&want[j]);
        }
    }
    g_free(kept);
    g_free(want);
}

void kvm_mem_sync(void)
{
    kvm_view_changed(&kvm_memory_listener, &address_space_memory,
                     &address_space_memory.view);
}

void kvm_mem_init(void)
{
    pending_logs = g_array_new(false, false, sizeof(KVMPendingLog));
    kvm_memory_listener.view_changed = kvm_view_changed;
    memory_listener_register(&kvm_memory_listener);
    /* The listener is told about later rebuilds only: mirror what is
     * there already (usually empty at this point). */
    kvm_mem_sync();
}

void kvm_mem_cleanup(void)
{
    unsigned i;

    memory_listener_unregister(&kvm_memory_listener);
    if (pending_logs) {
        for (i = 0; i < pending_logs->len; i++) {
            g_free(g_array_index(pending_logs, KVMPendingLog, i).bitmap);
        }
        g_array_free(pending_logs, true);
        pending_logs = NULL;
    }
    g_free(kvm_state.slots);
    g_free(kvm_state.free_ids);
    kvm_state.slots = NULL;
    kvm_state.free_ids = NULL;
    kvm_state.nr_slots = kvm_state.slots_cap = kvm_state.nr_free_ids = 0;
}

bool kvm_set_dirty_tracking(bool on, Error **errp)
{
    unsigned i;

    assert(bql_locked());
    if (kvm_state.vm_fd < 0) {
        error_setg(errp, "KVM is not initialised");
        return false;
    }
    kvm_state.dirty_tracking = on;
    for (i = 0; i < kvm_state.nr_slots; i++) {
        KVMSlot *s = &kvm_state.slots[i];
        uint32_t flags = s->flags & ~KVM_MEM_LOG_DIRTY_PAGES;
        struct kvm_userspace_memory_region r;

        if (on && !(s->flags & KVM_MEM_READONLY)) {
            flags |= KVM_MEM_LOG_DIRTY_PAGES;
        }
        if (flags == s->flags) {
            continue;
        }
        /* Changing only KVM_MEM_LOG_DIRTY_PAGES is allowed in place. */
        r = (struct kvm_userspace_memory_region) {
            .slot = s->id,
            .flags = flags,
            .guest_phys_addr = s->gpa,
            .memory_size = s->size,
            .userspace_addr = (uintptr_t)s->host,
        };
        if (kvm_vm_ioctl(KVM_SET_USER_MEMORY_REGION, &r) < 0) {
            kvm_err_ioctl(errp, "KVM_SET_USER_MEMORY_REGION");
            return false;
        }
        s->flags = flags;
        s->all_dirty = false;
    }
    return true;
}

bool kvm_get_dirty_log(KVMDirtyFn *fn, void *opaque, Error **errp)
{
    unsigned i;

    assert(bql_locked());
    if (kvm_state.vm_fd < 0) {
        error_setg(errp, "KVM is not initialised");
        return false;
    }
    for (i = 0; pending_logs && i < pending_logs->len; i++) {
        KVMPendingLog *p = &g_array_index(pending_logs, KVMPendingLog, i);

        fn(opaque, p->gpa, p->host, p->npages, p->bitmap);
        g_free(p->bitmap);
    }
    if (pending_logs) {
        g_array_set_size(pending_logs, 0);
    }
    for (i = 0; i < kvm_state.nr_slots; i++) {
        KVMSlot *s = &kvm_state.slots[i];
        uint64_t *bitmap;

        if (!(s->flags & KVM_MEM_LOG_DIRTY_PAGES)) {
            continue;
        }
        bitmap = g_new0(uint64_t, slot_bitmap_words(s));
        if (!kvm_slot_read_log(s, bitmap, errp)) {
            g_free(bitmap);
            return false;
        }
        if (s->all_dirty) {
            slot_bitmap_fill(s, bitmap);
            s->all_dirty = false;
        }
        fn(opaque, s->gpa, s->host, s->size / KVM_PAGE_SIZE, bitmap);
        g_free(bitmap);
    }
    return true;
}
