/*
 * Linear to physical translation and the TLB.
 *
 * SDM 3A chapter "Paging": 32-bit paging (4 KiB pages, 4 MiB pages with
 * CR4.PSE, PSE-36 high bits), PAE paging (2 MiB / 4 KiB, NX with
 * EFER.NXE); accessed and dirty bits set as the walk goes; CR0.WP;
 * global pages (CR4.PGE) survive a CR3 load. Access rights follow the
 * table "How Paging Determines Access Rights": user accesses need U/S
 * set at every level, writes need R/W at every level (for supervisor
 * writes only when CR0.WP).
 *
 * The TLB is direct-mapped, one per privilege (supervisor, user), with a
 * tag per access kind. A tag is set only once that kind of access was
 * allowed by a walk (a write tag only after the walk set the dirty bit),
 * so a hit needs no further check. RAM pages hold a host addend; ROM and
 * MMIO pages carry TLB_MMIO in the write (or every) tag and go through
 * address_space_ld/st. The chipset's A20 gate masks physical bit 20.
 *
 * Not emulated: PDPTE caching at CR3 load (PDPTEs are read at each walk),
 * the paging-structure caches, PCIDs, protection keys, SMEP/SMAP.
 */
#include "target/i386/internal.h"
#include "softmmu/memory.h"

#define PG_P    (1u << 0)
#define PG_RW   (1u << 1)
#define PG_US   (1u << 2)
#define PG_A    (1u << 5)
#define PG_D    (1u << 6)
#define PG_PS   (1u << 7)
#define PG_G    (1u << 8)
#define PG_NX   (1ULL << 63)
#define PAE_ADDR 0x000ffffffffff000ULL

#define PF_P    1
#define PF_W    2
#define PF_U    4
#define PF_RSVD 8
#define PF_I    16

uint64_t x86_phys_ld(X86CPU *cpu, uint64_t pa, unsigned size)
{
    if (cpu->a20_disabled) {
        pa &= ~(1ULL << 20);
    }
    return address_space_ld(&address_space_memory, pa, size);
}

void x86_phys_st(X86CPU *cpu, uint64_t pa, uint64_t v, unsigned size)
{
    if (cpu->a20_disabled) {
        pa &= ~(1ULL << 20);
    }
    address_space_st(&address_space_memory, pa, v, size);
}

void x86_tlb_flush(X86CPU *cpu, bool global_too)
{
    X86Soft *s = x86_soft(cpu);
    unsigned u, i;

    for (u = 0; u < 2; u++) {
        for (i = 0; i < TLB_SIZE; i++) {
            X86TLBEntry *e = &s->tlb[u][i];
            if (global_too || !e->global) {
                e->tag_r = e->tag_w = e->tag_x = ~0u;
                e->global = false;
            }
        }
    }
}

void x86_tlb_flush_page(X86CPU *cpu, uint32_t lin)
{
    X86Soft *s = x86_soft(cpu);
    unsigned u, idx = (lin >> 12) % TLB_SIZE;

    for (u = 0; u < 2; u++) {
        X86TLBEntry *e = &s->tlb[u][idx];
        e->tag_r = e->tag_w = e->tag_x = ~0u;
        e->global = false;
    }
    /* A 4 MiB / 2 MiB page covers many entries. */
    for (u = 0; u < 2; u++) {
        unsigned i;
        for (i = 0; i < TLB_SIZE; i++) {
            X86TLBEntry *e = &s->tlb[u][i];
            if (((e->tag_r & ~0xfffu) ^ lin) < (4u << 20) ||
                ((e->tag_w & ~0xfffu) ^ lin) < (4u << 20) ||
                ((e->tag_x & ~0xfffu) ^ lin) < (4u << 20)) {
                e->tag_r = e->tag_w = e->tag_x = ~0u;
                e->global = false;
            }
        }
    }
}

NORETURN static void page_fault(X86CPU *cpu, uint32_t lin, uint32_t err)
{
    cpu->cr[2] = lin;
    x86_raise(cpu, EXCP_PF, err);
}

static uint64_t pt_ld(X86CPU *cpu, uint64_t pa, bool pae)
{
    return x86_phys_ld(cpu, pa, pae ? 8 : 4);
}

static void pt_set_bits(X86CPU *cpu, uint64_t pa, uint64_t old,
                        uint64_t bits)
{
    if ((old & bits) != bits) {
        x86_phys_st(cpu, pa, (uint32_t)(old | bits), 4);
    }
}

/* Walks the page tables for an access; returns the physical page address
 * and sets *global. Faults with #PF. */
static uint64_t walk(X86CPU *cpu, uint32_t lin, int acc, bool user,
                     bool *global)
{
    bool pae = cpu->cr[4] & CR4_PAE;
    bool nxe = pae && (cpu->efer & EFER_NXE);
    bool wp = cpu->cr[0] & CR0_WP;
    uint32_t err = (acc == ACC_W ? PF_W : 0) | (user ? PF_U : 0) |
                   (acc == ACC_X && nxe ? PF_I : 0);
    uint64_t pde_pa, pte_pa, pde, pte, page, rsvd;
    bool rw = true, us = true, nx = false, big;
    unsigned size_shift;

    if (pae) {
        uint64_t pdpte_pa = (cpu->cr[3] & ~0x1fULL) + ((lin >> 30) * 8);
        uint64_t pdpte = pt_ld(cpu, pdpte_pa, true);
        if (!(pdpte & PG_P)) {
            page_fault(cpu, lin, err);
        }
        if (pdpte & 0x1e6) {
            page_fault(cpu, lin, err | PF_P | PF_RSVD);
        }
        pde_pa = (pdpte & PAE_ADDR) + (((lin >> 21) & 0x1ff) * 8);
        rsvd = nxe ? 0 : PG_NX;
    } else {
        pde_pa = (cpu->cr[3] & ~0xfffULL) + ((lin >> 22) * 4);
        rsvd = 0;
    }
    pde = pt_ld(cpu, pde_pa, pae);
    if (!(pde & PG_P)) {
        page_fault(cpu, lin, err);
    }
    if (pde & rsvd) {
        page_fault(cpu, lin, err | PF_P | PF_RSVD);
    }
    rw &= !!(pde & PG_RW);
    us &= !!(pde & PG_US);
    nx |= nxe && (pde & PG_NX);
    big = (pde & PG_PS) && (pae || (cpu->cr[4] & CR4_PSE));
    if (big) {
        pte = pde;
        pte_pa = pde_pa;
        if (pae) {
            page = (pde & PAE_ADDR & ~0x1fffffULL) | (lin & 0x1ff000);
            size_shift = 21;
        } else {
            /* PSE-36: PDE bits 13-20 are physical bits 32-39. */
            page = (pde & 0xffc00000ULL) | ((pde & 0x1fe000ULL) << 19) |
                   (lin & 0x3ff000);
            size_shift = 22;
        }
    } else {
        pte_pa = pae ? (pde & PAE_ADDR) + (((lin >> 12) & 0x1ff) * 8)
                     : (pde & 0xfffff000ULL) + (((lin >> 12) & 0x3ff) * 4);
        pte = pt_ld(cpu, pte_pa, pae);
        if (!(pte & PG_P)) {
            page_fault(cpu, lin, err);
        }
        if (pte & rsvd) {
            page_fault(cpu, lin, err | PF_P | PF_RSVD);
        }
        rw &= !!(pte & PG_RW);
        us &= !!(pte & PG_US);
        nx |= nxe && (pte & PG_NX);
        page = pae ? (pte & PAE_ADDR) : (pte & 0xfffff000ULL);
        size_shift = 12;
    }
    (void)size_shift;

    if (user && !us) {
        page_fault(cpu, lin, err | PF_P);
    }
    if (acc == ACC_W && !rw && (user || wp)) {
        page_fault(cpu, lin, err | PF_P);
    }
    if (acc == ACC_X && nx) {
        page_fault(cpu, lin, err | PF_P);
    }

    /* Accessed bits on the way down, dirty on the leaf for a write. */
    if (!big) {
        pt_set_bits(cpu, pde_pa, pde, PG_A);
    }
    pt_set_bits(cpu, pte_pa, pte, PG_A | (acc == ACC_W ? PG_D : 0));
    *global = (cpu->cr[4] & CR4_PGE) && (pte & PG_G);
    return page;
}

static X86TLBEntry *tlb_fill(X86CPU *cpu, uint32_t lin, int acc, bool user)
{
    X86Soft *s = x86_soft(cpu);
    uint32_t vpage = lin & ~0xfffu;
    X86TLBEntry *e = &s->tlb[user][(lin >> 12) % TLB_SIZE];
    bool global = false, paging = cpu->cr[0] & CR0_PG;
    uint64_t page;
    const FlatRange *fr;
    uint32_t flag = 0, wflag = 0;

    if (paging) {
        page = walk(cpu, lin, acc, user, &global);
    } else {
        page = vpage;
    }
    if (cpu->a20_disabled) {
        page &= ~(1ULL << 20);
    }

    fr = address_space_lookup(&address_space_memory, page);
    if (fr && fr->mr->host && fr->start <= page &&
        page + 4096 <= fr->start + fr->size) {
        e->addend = (uintptr_t)(fr->mr->host + fr->offset +
                                (page - fr->start)) - vpage;
        if (fr->readonly || fr->mr->kind != MR_RAM) {
            wflag = TLB_MMIO;
        }
    } else {
        flag = wflag = TLB_MMIO;
        e->addend = 0;
    }

    if ((e->tag_r & ~0xfffu) != vpage || (e->tag_r == ~0u)) {
        e->tag_r = e->tag_w = e->tag_x = ~0u;
    }
    e->phys = page;
    e->global = global;
    /* Without paging every access kind is allowed at once; with paging a
     * write tag needs the dirty bit the write walk just set. */
    if (!paging || acc == ACC_W) {
        e->tag_r = e->tag_x = vpage | flag;
        e->tag_w = vpage | wflag;
        if (paging) {
            /* The write walk did not check NX. */
            e->tag_x = ~0u;
        }
    } else if (acc == ACC_R) {
        e->tag_r = vpage | flag;
    } else {
        e->tag_x = vpage | flag;
        e->tag_r = vpage | flag;
    }
    return e;
}

static inline uint32_t tlb_tag(X86TLBEntry *e, int acc)
{
    return acc == ACC_W ? e->tag_w : acc == ACC_X ? e->tag_x : e->tag_r;
}

/* The host pointer of a byte, or NULL for MMIO (then *pa is set). */
static uint8_t *translate(X86CPU *cpu, uint32_t lin, int acc, bool user,
                          uint64_t *pa)
{
    X86Soft *s = x86_soft(cpu);
    X86TLBEntry *e = &s->tlb[user][(lin >> 12) % TLB_SIZE];
    uint32_t tag = tlb_tag(e, acc);

    if ((tag & ~0xfffu) != (lin & ~0xfffu) || tag == ~0u) {
        e = tlb_fill(cpu, lin, acc, user);
        tag = tlb_tag(e, acc);
    }
    if (tag & TLB_MMIO) {
        *pa = e->phys | (lin & 0xfff);
        return NULL;
    }
    return (uint8_t *)(e->addend + lin);
}

const uint8_t *x86_code_ptr(X86CPU *cpu, uint32_t lin)
{
    uint64_t pa;

    return translate(cpu, lin, ACC_X, x86_cpl(cpu) == 3, &pa);
}

uint32_t x86_lin_ld(X86CPU *cpu, uint32_t lin, unsigned size, int acc,
                    bool user)
{
    uint64_t pa;
    uint8_t *p;

    if (((lin & 0xfff) + size) > 0x1000) {
        uint32_t v = 0;
        unsigned k;
        /* HW: both pages are checked before the access completes. */
        translate(cpu, lin, acc, user, &pa);
        translate(cpu, lin + size - 1, acc, user, &pa);
        for (k = 0; k < size; k++) {
            v |= x86_lin_ld(cpu, lin + k, 1, acc, user) << (k * 8);
        }
        return v;
    }
    p = translate(cpu, lin, acc, user, &pa);
    if (!p) {
        return (uint32_t)x86_phys_ld(cpu, pa, size);
    }
    switch (size) {
    case 1:
        return *p;
    case 2: {
        uint16_t v;
        memcpy(&v, p, 2);
        return v;
    }
    default: {
        uint32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    }
}

void x86_lin_st(X86CPU *cpu, uint32_t lin, uint32_t val, unsigned size,
                bool user)
{
    uint64_t pa;
    uint8_t *p;

    if (((lin & 0xfff) + size) > 0x1000) {
        unsigned k;
        translate(cpu, lin, ACC_W, user, &pa);
        translate(cpu, lin + size - 1, ACC_W, user, &pa);
        for (k = 0; k < size; k++) {
            x86_lin_st(cpu, lin + k, val >> (k * 8), 1, user);
        }
        return;
    }
    p = translate(cpu, lin, ACC_W, user, &pa);
    if (!p) {
        x86_phys_st(cpu, pa, val, size);
        return;
    }
    memcpy(p, &val, size);
}

uint32_t x86_sys_ld(X86CPU *cpu, uint32_t lin, unsigned size)
{
    return x86_lin_ld(cpu, lin, size, ACC_R, false);
}

void x86_sys_st(X86CPU *cpu, uint32_t lin, uint32_t val, unsigned size)
{
    x86_lin_st(cpu, lin, val, size, false);
}
