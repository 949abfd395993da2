/*
 * The VGA core: the registers of IBM's Video Graphics Array and its CPU
 * window onto video memory.
 *
 * Sources: IBM "VGA Technical Reference" (PS/2 Hardware Interface
 * Technical Reference, Video Subsystem: registers, write modes 0-3, read
 * modes 0-1, memory maps); the FreeVGA project's register pages
 * (sequencer, graphics, attribute, CRT controller, DAC operation). The
 * Bochs VBE "DISPI" registers follow Bochs's vbe.h and the behaviour
 * SeaVGABIOS's bochsvga.c and Linux's bochs DRM driver expect.
 *
 * Emulated: miscellaneous output, feature control, input status 0 and 1
 * (retrace bits derived from the virtual clock), sequencer, CRTC with the
 * CR0-CR7 write protect, graphics controller (set/reset, data rotate and
 * function, read map select, write modes 0-3, read modes 0-1, memory map
 * select, bit mask), attribute controller with its index/data flip-flop,
 * the DAC with 6-bit (or VBE 8-bit) palette and separate read/write
 * indices, odd/even and chain-4 CPU addressing, the Bochs VBE registers
 * and banked window.
 *
 * HW: the window decodes only while the misc output register's RAM enable
 * bit is set; it is clear at power-on, so before the VGA BIOS sets a mode
 * A0000h-BFFFFh reads all-ones as an empty PCI bus would.
 *
 * Not emulated: CGA/Hercules compatibility quirks of the monochrome port
 * range beyond register decode, the light pen, the page-select bit of the
 * misc output register in odd/even mode, VBE 4-bpp planar modes.
 *
 * HW: chain-4 and odd/even accesses use the CPU address with its low bits
 * cleared as the plane address (A0 or A1:A0 select the plane), as the
 * hardware does; the renderer reads with the CRTC's matching word or
 * doubleword addressing, so what the guest writes shows where it expects.
 */
#include "hw/display/vga.h"
#include "softmmu/timer.h"

/* --- dirty tracking -------------------------------------------------------- */

void vga_mark_dirty(VGAState *s, uint32_t offset, uint32_t len)
{
    uint32_t first, last;

    if (!len || offset >= s->vram_size) {
        return;
    }
    len = MIN(len, s->vram_size - offset);
    first = offset >> VGA_PAGE_BITS;
    last = (offset + len - 1) >> VGA_PAGE_BITS;
    for (uint32_t p = first; p <= last; p++) {
        s->dirty[p / (8 * sizeof(long))] |= 1UL << (p % (8 * sizeof(long)));
    }
}

/* --- input status 1: the retrace bits guests poll ---------------------------- */

/*
 * A 70 Hz frame of 449 lines (the 400-line modes' timing): lines 400-448
 * are vertical blanking with the sync pulse on lines 412-413; each line's
 * last fifth is horizontal blanking. Guests poll these bits to time
 * palette writes and page flips: because they follow the virtual clock,
 * every polling loop sees both edges and terminates.
 */
#define VGA_FRAME_NS        (NANOSECONDS_PER_SECOND / 70)
#define VGA_FRAME_LINES     449
#define VGA_VBLANK_LINE     400
#define VGA_VSYNC_FIRST     412
#define VGA_VSYNC_LAST      413

uint8_t vga_input_status1(VGAState *s, int64_t now_ns)
{
    int64_t in_frame = now_ns % VGA_FRAME_NS;
    int64_t line_ns = VGA_FRAME_NS / VGA_FRAME_LINES;
    int64_t line = in_frame / line_ns;
    int64_t in_line = in_frame % line_ns;
    uint8_t v = 0;

    if (line >= VGA_VSYNC_FIRST && line <= VGA_VSYNC_LAST) {
        v |= VGA_IS1_VR;
    }
    if (line >= VGA_VBLANK_LINE || in_line >= line_ns * 4 / 5) {
        v |= VGA_IS1_DD;
    }
    return v;
}

/* --- registers ----------------------------------------------------------------- */

/* The CRTC and input status 1 answer at 3Bxh or 3Dxh, as the misc output
 * register's I/O address select says; the other range is not decoded. */
static bool vga_port_decoded(VGAState *s, uint32_t port)
{
    bool color = s->misc_output & VGA_MIS_COLOR;

    if (port >= 0x3b0 && port <= 0x3bf) {
        return !color;
    }
    if (port >= 0x3d0 && port <= 0x3df) {
        return color;
    }
    return true;
}

uint32_t vga_ioport_read(VGAState *s, uint32_t port)
{
    uint32_t v;

    if (!vga_port_decoded(s, port)) {
        return 0xff;
    }
    switch (port) {
    case VGA_ATT_W:
        /* The index, with the palette address source bit. */
        return s->ar_index;
    case VGA_ATT_R:
        v = s->ar_index & 0x1f;
        return v < VGA_ATT_NR ? s->ar[v] : 0xff;
    case VGA_IS0_R:
        /* Switch sense (bit 4) high: a colour monitor is attached. */
        return 0x10;
    case VGA_VSE:
        return s->vse;
    case VGA_SEQ_I:
        return s->sr_index;
    case VGA_SEQ_D:
        if (s->sr_index < VGA_SEQ_NR) {
            return s->sr[s->sr_index];
        }
        guest_error("vga: read of sequencer register %#x", s->sr_index);
        return 0xff;
    case VGA_PEL_MSK:
        return s->dac_mask;
    case VGA_PEL_IR:
        return s->dac_state;
    case VGA_PEL_IW:
        return s->dac_write_index;
    case VGA_PEL_D:
        v = s->palette[s->dac_read_index * 3 + s->dac_sub_index];
        if (++s->dac_sub_index == 3) {
            s->dac_sub_index = 0;
            s->dac_read_index++;
        }
        return v;
    case VGA_FTC_R:
        return s->feature_ctl;
    case VGA_MIS_R:
        return s->misc_output;
    case VGA_GFX_I:
        return s->gr_index;
    case VGA_GFX_D:
        if (s->gr_index < VGA_GFX_NR) {
            return s->gr[s->gr_index];
        }
        guest_error("vga: read of graphics register %#x", s->gr_index);
        return 0xff;
    case VGA_CRT_IM:
    case VGA_CRT_IC:
        return s->cr_index;
    case VGA_CRT_DM:
    case VGA_CRT_DC:
        if (s->cr_index < VGA_CRTC_NR) {
            return s->cr[s->cr_index];
        }
        guest_error("vga: read of CRTC register %#x", s->cr_index);
        return 0xff;
    case VGA_IS1_RM:
    case VGA_IS1_RC:
        /* Reading input status 1 resets the attribute flip-flop. */
        s->ar_flip_flop = 0;
        return vga_input_status1(s, clock_get_ns(CLOCK_VIRTUAL));
    default:
        guest_error("vga: read of unknown port %#x", port);
        return 0xff;
    }
}

void vga_ioport_write(VGAState *s, uint32_t port, uint32_t val)
{
    uint8_t idx;

    val &= 0xff;
    if (!vga_port_decoded(s, port)) {
        return;
    }
    switch (port) {
    case VGA_ATT_W:
        if (!s->ar_flip_flop) {
            s->ar_index = val & 0x3f;
        } else {
            idx = s->ar_index & 0x1f;
            if (idx < VGA_ATC_MODE) {
                s->ar[idx] = val & 0x3f;
            } else if (idx < VGA_ATT_NR) {
                s->ar[idx] = val;
                if (idx == VGA_ATC_PLANE_ENABLE) {
                    s->ar[idx] &= 0x3f;
                } else if (idx == VGA_ATC_PEL || idx == VGA_ATC_COLOR_PAGE) {
                    s->ar[idx] &= 0x0f;
                }
            } else {
                guest_error("vga: write of attribute register %#x", idx);
            }
        }
        s->ar_flip_flop ^= 1;
        break;
    case VGA_MIS_W:
        s->misc_output = val & ~0x10;
        break;
    case VGA_VSE:
        s->vse = val & 1;
        break;
    case VGA_SEQ_I:
        s->sr_index = val & 7;
        break;
    case VGA_SEQ_D:
        if (s->sr_index < VGA_SEQ_NR) {
            static const uint8_t mask[VGA_SEQ_NR] = {
                0x03, 0x3d, 0x0f, 0x3f, 0x0e };
            s->sr[s->sr_index] = val & mask[s->sr_index];
            s->full_update = true;
        } else {
            guest_error("vga: write of sequencer register %#x", s->sr_index);
        }
        break;
    case VGA_PEL_MSK:
        s->dac_mask = val;
        s->full_update = true;
        break;
    case VGA_PEL_IR:
        s->dac_read_index = val;
        s->dac_sub_index = 0;
        s->dac_state = 3;
        break;
    case VGA_PEL_IW:
        s->dac_write_index = val;
        s->dac_sub_index = 0;
        s->dac_state = 0;
        break;
    case VGA_PEL_D:
        /* The three components are collected and stored together. */
        s->dac_cache[s->dac_sub_index] = val;
        if (++s->dac_sub_index == 3) {
            uint8_t m = (s->vbe_regs[VBE_DISPI_INDEX_ENABLE] &
                         VBE_DISPI_8BIT_DAC) ? 0xff : 0x3f;
            for (int i = 0; i < 3; i++) {
                s->palette[s->dac_write_index * 3 + i] = s->dac_cache[i] & m;
            }
            s->dac_sub_index = 0;
            s->dac_write_index++;
        }
        break;
    case VGA_GFX_I:
        s->gr_index = val & 0x0f;
        break;
    case VGA_GFX_D:
        if (s->gr_index < VGA_GFX_NR) {
            static const uint8_t mask[VGA_GFX_NR] = {
                0x0f, 0x0f, 0x0f, 0x1f, 0x03, 0x7b, 0x0f, 0x0f, 0xff };
            s->gr[s->gr_index] = val & mask[s->gr_index];
            s->full_update = true;
        } else {
            guest_error("vga: write of graphics register %#x", s->gr_index);
        }
        break;
    case VGA_CRT_IM:
    case VGA_CRT_IC:
        s->cr_index = val;
        break;
    case VGA_CRT_DM:
    case VGA_CRT_DC:
        idx = s->cr_index;
        if (idx >= VGA_CRTC_NR) {
            guest_error("vga: write of CRTC register %#x", idx);
            break;
        }
        /* CR11 bit 7 protects CR0-CR7, except CR7's line compare bit 8. */
        if ((s->cr[VGA_CRTC_V_SYNC_END] & VGA_CR11_LOCK_CR0_CR7) &&
            idx <= VGA_CRTC_OVERFLOW) {
            if (idx == VGA_CRTC_OVERFLOW) {
                s->cr[idx] = (s->cr[idx] & ~0x10) | (val & 0x10);
            }
            break;
        }
        s->cr[idx] = val;
        if (idx != VGA_CRTC_CURSOR_HI && idx != VGA_CRTC_CURSOR_LO) {
            s->full_update = true;
        }
        break;
    case VGA_IS1_RM:
    case VGA_IS1_RC:
        s->feature_ctl = val & 0x03;
        break;
    default:
        guest_error("vga: write of unknown port %#x = %#x", port, val);
        break;
    }
}

/* --- the CPU's window onto video memory ---------------------------------------- */

/* Offset of a window access inside the selected memory map, or -1 when
 * the map does not decode it (GR6 memory map select). */
static int32_t vga_window_offset(VGAState *s, uint32_t addr)
{
    switch ((s->gr[VGA_GFX_MISC] & VGA_GR06_MEMORY_MAP) >> 2) {
    case 0:             /* A0000h, 128 KiB */
        return addr;
    case 1:             /* A0000h, 64 KiB */
        return addr < 0x10000 ? (int32_t)addr : -1;
    case 2:             /* B0000h, 32 KiB */
        return addr >= 0x10000 && addr < 0x18000 ? (int32_t)addr - 0x10000
                                                  : -1;
    default:            /* B8000h, 32 KiB */
        return addr >= 0x18000 ? (int32_t)addr - 0x18000 : -1;
    }
}

/* The banked VBE window: 64 KiB of linear video memory at A0000h. */
static int64_t vbe_window_offset(VGAState *s, uint32_t addr)
{
    uint64_t off;

    if (addr >= VBE_DISPI_BANK_SIZE) {
        return -1;
    }
    off = (uint64_t)s->vbe_regs[VBE_DISPI_INDEX_BANK] * VBE_DISPI_BANK_SIZE +
          addr;
    return off < s->vram_size ? (int64_t)off : -1;
}

static inline uint32_t vga_plane_word(VGAState *s, uint32_t paddr)
{
    uint32_t i = (paddr & (VGA_PLANE_SIZE - 1)) * 4;

    return (uint32_t)s->vram[i] | (uint32_t)s->vram[i + 1] << 8 |
           (uint32_t)s->vram[i + 2] << 16 | (uint32_t)s->vram[i + 3] << 24;
}

uint8_t vga_mem_readb(VGAState *s, uint32_t addr)
{
    int32_t off;
    uint32_t paddr, plane;

    if (vbe_enabled(s)) {
        int64_t o = vbe_window_offset(s, addr);
        return o < 0 ? 0xff : s->vram[o];
    }
    off = vga_window_offset(s, addr);
    if (off < 0 || !(s->misc_output & VGA_MIS_ENB_MEM_ACCESS)) {
        return 0xff;
    }
    if (s->sr[VGA_SEQ_MEMORY_MODE] & VGA_SR04_CHN_4M) {
        plane = off & 3;
        paddr = off & ~3;
    } else if (s->gr[VGA_GFX_MODE] & VGA_GR05_HOST_OE) {
        plane = (s->gr[VGA_GFX_PLANE_READ] & 2) | (off & 1);
        paddr = off & ~1;
    } else {
        plane = s->gr[VGA_GFX_PLANE_READ] & 3;
        paddr = off;
    }
    /* Every read loads the four latches. */
    s->latch = vga_plane_word(s, paddr);
    if (!(s->gr[VGA_GFX_MODE] & VGA_GR05_READ_MODE)) {
        return s->latch >> (plane * 8);
    }
    /* Read mode 1: a 1 where every plane that is not "don't care" matches
     * the colour compare value. */
    {
        uint8_t diff = 0;
        for (int p = 0; p < 4; p++) {
            uint8_t cc = (s->gr[VGA_GFX_COMPARE_VALUE] >> p) & 1 ? 0xff : 0;
            if (s->gr[VGA_GFX_COMPARE_MASK] & (1 << p)) {
                diff |= (uint8_t)(s->latch >> (p * 8)) ^ cc;
            }
        }
        return ~diff;
    }
}

static inline uint32_t expand4(uint8_t bits4)
{
    uint32_t v = 0;

    for (int p = 0; p < 4; p++) {
        if (bits4 & (1 << p)) {
            v |= 0xffu << (p * 8);
        }
    }
    return v;
}

void vga_mem_writeb(VGAState *s, uint32_t addr, uint8_t val)
{
    int32_t off;
    uint32_t paddr, planes, data, mask, i;
    uint8_t rot, bitmask;

    if (vbe_enabled(s)) {
        int64_t o = vbe_window_offset(s, addr);
        if (o >= 0) {
            s->vram[o] = val;
            vga_mark_dirty(s, o, 1);
        }
        return;
    }
    off = vga_window_offset(s, addr);
    if (off < 0 || !(s->misc_output & VGA_MIS_ENB_MEM_ACCESS)) {
        return;
    }
    planes = s->sr[VGA_SEQ_PLANE_WRITE];
    if (s->sr[VGA_SEQ_MEMORY_MODE] & VGA_SR04_CHN_4M) {
        planes &= 1 << (off & 3);
        paddr = off & ~3;
    } else if (!(s->sr[VGA_SEQ_MEMORY_MODE] & VGA_SR04_SEQ_MODE)) {
        /* Odd/even: A0 selects planes 0/2 or 1/3. */
        planes &= (off & 1) ? 0x0a : 0x05;
        paddr = off & ~1;
    } else {
        paddr = off;
    }
    paddr &= VGA_PLANE_SIZE - 1;

    rot = s->gr[VGA_GFX_DATA_ROTATE] & 7;
    bitmask = s->gr[VGA_GFX_BIT_MASK];
    switch (s->gr[VGA_GFX_MODE] & VGA_GR05_WRITE_MODE) {
    case 0:
        val = (uint8_t)((val >> rot) | (val << (8 - rot)));
        data = val * 0x01010101u;
        /* Set/reset replaces the enabled planes' bytes. */
        mask = expand4(s->gr[VGA_GFX_SR_ENABLE]);
        data = (data & ~mask) | (expand4(s->gr[VGA_GFX_SR_VALUE]) & mask);
        break;
    case 1:
        /* The latches are written unchanged. */
        data = s->latch;
        goto store;
    case 2:
        data = expand4(val & 0x0f);
        break;
    default:        /* 3 */
        val = (uint8_t)((val >> rot) | (val << (8 - rot)));
        bitmask &= val;
        data = expand4(s->gr[VGA_GFX_SR_VALUE]);
        break;
    }
    /* Logical function with the latches (GR3 bits 3-4). */
    switch ((s->gr[VGA_GFX_DATA_ROTATE] >> 3) & 3) {
    case 1:
        data &= s->latch;
        break;
    case 2:
        data |= s->latch;
        break;
    case 3:
        data ^= s->latch;
        break;
    }
    mask = bitmask * 0x01010101u;
    data = (data & mask) | (s->latch & ~mask);

store:
    i = paddr * 4;
    for (int p = 0; p < 4; p++) {
        if (planes & (1 << p)) {
            s->vram[i + p] = data >> (p * 8);
        }
    }
    vga_mark_dirty(s, i, 4);
}

static uint64_t vga_lowmem_read(void *opaque, uint64_t offset, unsigned size)
{
    VGAState *s = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)vga_mem_readb(s, offset + i) << (8 * i);
    }
    return v;
}

static void vga_lowmem_write(void *opaque, uint64_t offset, uint64_t value,
                             unsigned size)
{
    VGAState *s = opaque;

    for (unsigned i = 0; i < size; i++) {
        vga_mem_writeb(s, offset + i, value >> (8 * i));
    }
}

static const MemoryRegionOps vga_lowmem_ops = {
    .read = vga_lowmem_read,
    .write = vga_lowmem_write,
    .valid_min = 1, .valid_max = 8,
    .impl_min = 1, .impl_max = 8,
};

static uint64_t vga_io_read(void *opaque, uint64_t offset, unsigned size)
{
    VGAState *s = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)vga_ioport_read(s, VGA_IO_BASE + offset + i) << (8 * i);
    }
    return v;
}

/* A 16-bit OUT writes the index and then the data register, as the
 * hardware's byte lanes do. */
static void vga_io_write(void *opaque, uint64_t offset, uint64_t value,
                         unsigned size)
{
    VGAState *s = opaque;

    for (unsigned i = 0; i < size; i++) {
        vga_ioport_write(s, VGA_IO_BASE + offset + i, value >> (8 * i));
    }
}

static const MemoryRegionOps vga_io_ops = {
    .read = vga_io_read,
    .write = vga_io_write,
    .valid_min = 1, .valid_max = 2,
    .impl_min = 1, .impl_max = 2,
};

/* --- Bochs VBE -------------------------------------------------------------------- */

static unsigned vbe_bytes_pp(unsigned bpp)
{
    return (bpp + 7) / 8;
}

/* Bytes per line, and the start offset, from the VBE registers. */
static uint64_t vbe_line_offset(VGAState *s)
{
    return (uint64_t)s->vbe_regs[VBE_DISPI_INDEX_VIRT_WIDTH] *
           vbe_bytes_pp(s->vbe_regs[VBE_DISPI_INDEX_BPP]);
}

/* After a change of resolution or virtual width: the virtual height is
 * what video memory holds, the offsets stay inside it. */
static void vbe_fixup(VGAState *s)
{
    uint16_t *r = s->vbe_regs;
    uint64_t line = vbe_line_offset(s);
    uint64_t vh = line ? s->vram_size / line : 0;

    r[VBE_DISPI_INDEX_VIRT_HEIGHT] = MIN(vh, 0xffff);
    if (r[VBE_DISPI_INDEX_X_OFFSET] >= r[VBE_DISPI_INDEX_VIRT_WIDTH]) {
        r[VBE_DISPI_INDEX_X_OFFSET] = 0;
    }
    if (r[VBE_DISPI_INDEX_Y_OFFSET] >= r[VBE_DISPI_INDEX_VIRT_HEIGHT]) {
        r[VBE_DISPI_INDEX_Y_OFFSET] = 0;
    }
}

static bool vbe_valid_bpp(unsigned bpp)
{
    return bpp == 8 || bpp == 15 || bpp == 16 || bpp == 24 || bpp == 32;
}

uint16_t vbe_ioport_read_data(VGAState *s)
{
    uint16_t idx = s->vbe_index;

    if (idx >= VBE_DISPI_INDEX_NB) {
        guest_error("vbe: read of DISPI register %#x", idx);
        return 0xffff;
    }
    if (s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_GETCAPS) {
        switch (idx) {
        case VBE_DISPI_INDEX_XRES:
            return VBE_DISPI_MAX_XRES;
        case VBE_DISPI_INDEX_YRES:
            return VBE_DISPI_MAX_YRES;
        case VBE_DISPI_INDEX_BPP:
            return VBE_DISPI_MAX_BPP;
        }
    }
    if (idx == VBE_DISPI_INDEX_VIDEO_MEMORY_64K) {
        return s->vram_size / VBE_DISPI_BANK_SIZE;
    }
    return s->vbe_regs[idx];
}

static void vbe_enable(VGAState *s, uint16_t val)
{
    uint16_t *r = s->vbe_regs;
    unsigned bpp = r[VBE_DISPI_INDEX_BPP];
    uint64_t line, size;

    if (!vbe_valid_bpp(bpp) || !r[VBE_DISPI_INDEX_XRES] ||
        !r[VBE_DISPI_INDEX_YRES]) {
        guest_error("vbe: enable with %ux%ux%u refused",
                    r[VBE_DISPI_INDEX_XRES], r[VBE_DISPI_INDEX_YRES], bpp);
        return;
    }
    line = (uint64_t)r[VBE_DISPI_INDEX_XRES] * vbe_bytes_pp(bpp);
    size = line * r[VBE_DISPI_INDEX_YRES];
    if (size > s->vram_size) {
        guest_error("vbe: %ux%ux%u needs %" PRIu64 " bytes of %u",
                    r[VBE_DISPI_INDEX_XRES], r[VBE_DISPI_INDEX_YRES], bpp,
                    size, s->vram_size);
        return;
    }
    r[VBE_DISPI_INDEX_VIRT_WIDTH] = r[VBE_DISPI_INDEX_XRES];
    r[VBE_DISPI_INDEX_X_OFFSET] = 0;
    r[VBE_DISPI_INDEX_Y_OFFSET] = 0;
    r[VBE_DISPI_INDEX_BANK] = 0;
    r[VBE_DISPI_INDEX_ENABLE] = val;
    vbe_fixup(s);
    if (!(val & VBE_DISPI_NOCLEARMEM)) {
        memset(s->vram, 0, size);
        vga_mark_dirty(s, 0, size);
    }
    /* The VGA side is put in graphics mode with the A0000h 64 KiB map,
     * so legacy register readers see a graphics mode. */
    s->gr[VGA_GFX_MISC] = (s->gr[VGA_GFX_MISC] & ~VGA_GR06_MEMORY_MAP) |
                          (1 << 2) | VGA_GR06_GRAPHICS_MODE;
    s->full_update = true;
}

void vbe_ioport_write_data(VGAState *s, uint16_t val)
{
    uint16_t idx = s->vbe_index;
    uint16_t *r = s->vbe_regs;

    if (idx >= VBE_DISPI_INDEX_NB) {
        guest_error("vbe: write of DISPI register %#x = %#x", idx, val);
        return;
    }
    switch (idx) {
    case VBE_DISPI_INDEX_ID:
        if (val >= VBE_DISPI_ID0 && val <= VBE_DISPI_ID5) {
            r[idx] = val;
        }
        break;
    case VBE_DISPI_INDEX_XRES:
    case VBE_DISPI_INDEX_YRES:
    case VBE_DISPI_INDEX_BPP:
        /* The mode changes only while the interface is disabled. */
        if (vbe_enabled(s)) {
            guest_error("vbe: mode register %u written while enabled", idx);
            break;
        }
        if (idx == VBE_DISPI_INDEX_BPP) {
            if (val == 0) {
                val = 8;
            }
            if (!vbe_valid_bpp(val)) {
                guest_error("vbe: %u bits per pixel unsupported", val);
                break;
            }
        } else if (val > (idx == VBE_DISPI_INDEX_XRES ? VBE_DISPI_MAX_XRES
                                                       : VBE_DISPI_MAX_YRES)) {
            guest_error("vbe: resolution %u too large", val);
            break;
        }
        r[idx] = val;
        break;
    case VBE_DISPI_INDEX_ENABLE:
        if ((val & VBE_DISPI_ENABLED) && !vbe_enabled(s)) {
            vbe_enable(s, val);
        } else if (!(val & VBE_DISPI_ENABLED)) {
            r[idx] = val;
            s->full_update = true;
        } else {
            /* Already enabled: only the flags that are not the mode. */
            r[idx] = val;
        }
        break;
    case VBE_DISPI_INDEX_BANK:
        if ((uint64_t)val * VBE_DISPI_BANK_SIZE >= s->vram_size) {
            guest_error("vbe: bank %u beyond video memory", val);
            val = 0;
        }
        r[idx] = val;
        break;
    case VBE_DISPI_INDEX_VIRT_WIDTH:
        if (val < r[VBE_DISPI_INDEX_XRES] ||
            (uint64_t)val * vbe_bytes_pp(r[VBE_DISPI_INDEX_BPP]) *
            r[VBE_DISPI_INDEX_YRES] > s->vram_size) {
            guest_error("vbe: virtual width %u refused", val);
            break;
        }
        r[idx] = val;
        vbe_fixup(s);
        s->full_update = true;
        break;
    case VBE_DISPI_INDEX_X_OFFSET:
    case VBE_DISPI_INDEX_Y_OFFSET:
        r[idx] = val;
        vbe_fixup(s);
        s->full_update = true;
        break;
    default:
        /* VIRT_HEIGHT and VIDEO_MEMORY_64K are derived. */
        break;
    }
}

static uint64_t vbe_io_read(void *opaque, uint64_t offset, unsigned size)
{
    VGAState *s = opaque;

    return offset == 0 ? s->vbe_index : vbe_ioport_read_data(s);
}

static void vbe_io_write(void *opaque, uint64_t offset, uint64_t value,
                         unsigned size)
{
    VGAState *s = opaque;

    if (offset == 0) {
        s->vbe_index = value;
    } else {
        vbe_ioport_write_data(s, value);
    }
}

/* 1CEh index, 1CFh data (and 1D0h, the data port of non-x86 Bochs). */
static const MemoryRegionOps vbe_io_ops = {
    .read = vbe_io_read,
    .write = vbe_io_write,
    .valid_min = 1, .valid_max = 2,
    .impl_min = 2, .impl_max = 2,
};

/* --- life cycle ------------------------------------------------------------------- */

bool vga_init(VGAState *s, const char *name, uint32_t vram_size,
              Error **errp)
{
    uint32_t size = 256 * KiB;
    char *rname;
    bool ok;

    while (size < vram_size) {
        size <<= 1;
    }
    s->vram_size = size;
    rname = g_strdup_printf("%s.vram", name);
    ok = memory_region_init_ram(&s->vram_mr, rname, size, errp);
    if (!ok) {
        g_free(rname);
        return false;
    }
    s->vram = s->vram_mr.host;
    s->dirty = g_new0(unsigned long,
                      ((size >> VGA_PAGE_BITS) + 8 * sizeof(long) - 1) /
                      (8 * sizeof(long)));
    memory_region_init_io(&s->lowmem, "vga-lowmem", &vga_lowmem_ops, s,
                          128 * KiB);
    memory_region_init_io(&s->io, "vga", &vga_io_ops, s, VGA_IO_SIZE);
    memory_region_init_io(&s->vbe_io, "vbe", &vbe_io_ops, s, 4);
    s->con = graphic_console_init(name, &vga_graphic_ops, s);
    vga_reset(s);
    return true;
}

void vga_map_legacy(VGAState *s, MemoryRegion *pci_memory, MemoryRegion *io)
{
    /* Priority 1 over the PCI space's master-abort, as the pc board's
     * other legacy windows. */
    memory_region_add_subregion(pci_memory, 0xa0000, &s->lowmem, 1);
    memory_region_add_subregion(io, VGA_IO_BASE, &s->io, 0);
    memory_region_add_subregion(io, VBE_DISPI_IOPORT_INDEX, &s->vbe_io, 0);
}

void vga_reset(VGAState *s)
{
    s->misc_output = 0;
    s->feature_ctl = 0;
    s->vse = 0;
    s->sr_index = 0;
    memset(s->sr, 0, sizeof(s->sr));
    s->gr_index = 0;
    memset(s->gr, 0, sizeof(s->gr));
    s->ar_index = 0;
    memset(s->ar, 0, sizeof(s->ar));
    s->ar_flip_flop = 0;
    s->cr_index = 0;
    memset(s->cr, 0, sizeof(s->cr));
    s->dac_state = 0;
    s->dac_read_index = 0;
    s->dac_write_index = 0;
    s->dac_sub_index = 0;
    memset(s->dac_cache, 0, sizeof(s->dac_cache));
    s->dac_mask = 0xff;
    memset(s->palette, 0, sizeof(s->palette));
    s->latch = 0;
    s->vbe_index = 0;
    memset(s->vbe_regs, 0, sizeof(s->vbe_regs));
    s->vbe_regs[VBE_DISPI_INDEX_ID] = VBE_DISPI_ID5;
    s->vbe_regs[VBE_DISPI_INDEX_BPP] = 8;
    s->full_update = true;
}

bool vga_post_load(VGAState *s, Error **errp)
{
    uint16_t *r = s->vbe_regs;

    if (vbe_enabled(s) &&
        (!vbe_valid_bpp(r[VBE_DISPI_INDEX_BPP]) ||
         r[VBE_DISPI_INDEX_VIRT_WIDTH] < r[VBE_DISPI_INDEX_XRES] ||
         vbe_line_offset(s) * r[VBE_DISPI_INDEX_YRES] > s->vram_size)) {
        error_setg(errp, "vga: VBE mode %ux%ux%u does not fit video memory",
                   r[VBE_DISPI_INDEX_XRES], r[VBE_DISPI_INDEX_YRES],
                   r[VBE_DISPI_INDEX_BPP]);
        return false;
    }
    if ((uint64_t)r[VBE_DISPI_INDEX_BANK] * VBE_DISPI_BANK_SIZE >=
        s->vram_size) {
        error_setg(errp, "vga: VBE bank %u beyond video memory",
                   r[VBE_DISPI_INDEX_BANK]);
        return false;
    }
    s->sr_index &= 7;
    s->gr_index &= 0x0f;
    s->ar_flip_flop &= 1;
    if (s->dac_sub_index > 2) {
        error_setg(errp, "vga: DAC component index %u", s->dac_sub_index);
        return false;
    }
    s->full_update = true;
    return true;
}

/*
 * Video memory itself is a RAM region: it is saved with the machine's
 * RAM, not in this description.
 */
static const VMStateField vga_fields[] = {
    VMSTATE_U8(misc_output, VGAState),
    VMSTATE_U8(feature_ctl, VGAState),
    VMSTATE_U8(vse, VGAState),
    VMSTATE_U8(sr_index, VGAState),
    VMSTATE_U8_ARRAY(sr, VGAState, 8),
    VMSTATE_U8(gr_index, VGAState),
    VMSTATE_U8_ARRAY(gr, VGAState, 16),
    VMSTATE_U8(ar_index, VGAState),
    VMSTATE_U8_ARRAY(ar, VGAState, VGA_ATT_NR),
    VMSTATE_U8(ar_flip_flop, VGAState),
    VMSTATE_U8(cr_index, VGAState),
    VMSTATE_U8_ARRAY(cr, VGAState, VGA_CRTC_NR),
    VMSTATE_U8(dac_state, VGAState),
    VMSTATE_U8(dac_read_index, VGAState),
    VMSTATE_U8(dac_write_index, VGAState),
    VMSTATE_U8(dac_sub_index, VGAState),
    VMSTATE_U8_ARRAY(dac_cache, VGAState, 3),
    VMSTATE_U8(dac_mask, VGAState),
    VMSTATE_U8_ARRAY(palette, VGAState, 768),
    VMSTATE_U32(latch, VGAState),
    VMSTATE_U16(vbe_index, VGAState),
    VMSTATE_U16_ARRAY(vbe_regs, VGAState, VBE_DISPI_INDEX_NB),
    VMSTATE_END
};

const VMStateDescription vmstate_vga = {
    .name = "vga",
    .version = 1,
    .min_version = 1,
    .fields = vga_fields,
};
