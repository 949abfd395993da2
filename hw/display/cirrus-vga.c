/*
 * Cirrus Logic CL-GD5446 on PCI (1013:00B8): QEMU's "cirrus-vga", the
 * adapter of `-vga cirrus`, driven by SeaVGABIOS's vgabios-cirrus.bin,
 * Linux's cirrus DRM and cirrusfb drivers and Windows' Cirrus drivers.
 *
 * Source: Cirrus Logic "CL-GD5446 Technical Reference Manual": the
 * extension unlock (SR6), extended sequencer mode and pixel depth (SR7),
 * DRAM control (SR0F), hardware cursor (SR10-SR13), MMIO control (SR17),
 * bank offsets and mode extensions (GR9-GRB), extended colour registers
 * (GR10-GR15), BitBLT registers (GR20-GR37, hw/display/cirrus-blit.c),
 * extended display controls (CR1A, CR1B, CR1D), the chip ID (CR27), the
 * hidden DAC register (four reads of 3C6h), write modes 4 and 5, the
 * memory-mapped register block and the PCI apertures.
 *
 * The VGA itself is the shared core (hw/display/vga.c): this file sits in
 * front of its ports and its A0000h window, handles the extended indices
 * and passes the rest on. The core keeps SR0-SR4, GR0-GR8, CR0-CR18, the
 * attribute controller and the DAC; the extension registers live here.
 * Standard modes are drawn by the core's renderer; the extended
 * (packed-pixel, SR7 bit 0) modes by the renderer at the end of this file,
 * with the hardware cursor drawn into the frame.
 *
 * PCI resources (as QEMU lays them out):
 *   BAR0  32 MiB prefetchable: video memory (4 MiB) at 0, the same memory
 *         with bytes swapped in 16-bit words at 4 MiB and in 32-bit words
 *         at 8 MiB, the BitBLT data port at 16 MiB; the memory-mapped
 *         registers over the last 256 bytes of the first 4 MiB when SR17
 *         bits 2 and 6 say so.
 *   BAR1  4 KiB MMIO: VGA ports 3C0h-3DFh at 000h, the BitBLT registers
 *         at 100h.
 *   ROM   vgabios-cirrus.bin (Debian's seabios package).
 * plus the legacy VGA ports and the A0000h window.
 *
 * Dirty tracking: video memory is RAM the guest writes without us seeing
 * it (KVM maps BAR0), so the extended-mode renderer compares each line
 * with a copy of what it drew last and redraws only lines that changed.
 *
 * Not emulated: the video (YUV) aperture and capture, the VGA/VESA
 * feature connector, DDC and I2C (SR08), the clock synthesizer (SR0B-SR1F
 * values are kept but do not change timing), interlaced display (CR1A bit
 * 0 is kept; the frame is drawn progressive), write modes 4/5 at 24 and
 * 32 bpp, 8-byte latches (GRB bit 1 addressing is, the latch width is
 * not), the palette's 8-bit mode.
 */
#include "hw/display/cirrus-vga.h"
#include "hw/machine.h"
#include "hw/pci/pci.h"

#define CIRRUS_PCI_VENDOR_ID    0x1013
#define CIRRUS_PCI_DEVICE_ID    CIRRUS_ID_CLGD5446
#define CIRRUS_PCI_CLASS        0x030000
#define CIRRUS_PCI_ROMFILE      "vgabios-cirrus.bin"

/* BAR0 layout. */
#define CIRRUS_LFB_SIZE         (32 * MiB)
#define CIRRUS_LFB_SWAP16       (4 * MiB)
#define CIRRUS_LFB_SWAP32       (8 * MiB)
#define CIRRUS_LFB_BLTPORT      (16 * MiB)
#define CIRRUS_LFB_BLTPORT_SIZE (4 * MiB)
#define CIRRUS_LFB_MMIO         (CIRRUS_VRAM_SIZE - CIRRUS_MMIO_SIZE)

/* BAR1 layout. */
#define CIRRUS_BAR1_SIZE        0x1000
#define CIRRUS_BAR1_VGA         0x000       /* ports 3C0h-3DFh */
#define CIRRUS_BAR1_VGA_SIZE    0x20
#define CIRRUS_BAR1_BLT         0x100

/* The hardware cursor patterns fill the last 16 KiB of video memory. */
#define CIRRUS_CURSOR_AREA      (16 * KiB)

static inline bool cirrus_unlocked(CirrusVGAState *s)
{
    return s->sr[CIRRUS_SR6_UNLOCK] == CIRRUS_SR6_KEY;
}

static inline bool cirrus_extended(CirrusVGAState *s)
{
    return s->sr[CIRRUS_SR7_EXT_SEQ] & CIRRUS_SR7_EXTENDED;
}

/* The MMIO block and the BitBLT data port move with the registers: the
 * regions' enables follow SR17 and the BitBLT state. */
static void cirrus_update_mappings(CirrusVGAState *s)
{
    uint8_t sr17 = s->sr[CIRRUS_SR_CONFIG];

    bool mmio = (sr17 & (CIRRUS_SR17_MMIO | CIRRUS_SR17_MMIO_LFB)) ==
                (CIRRUS_SR17_MMIO | CIRRUS_SR17_MMIO_LFB);

    /* Only on a change: a new view costs KVM slot updates. */
    if (s->lfb_mmio.enabled == mmio && s->lfb_blt.enabled == s->blt_sys_active) {
        return;
    }
    memory_transaction_begin();
    memory_region_set_enabled(&s->lfb_mmio, mmio);
    memory_region_set_enabled(&s->lfb_blt, s->blt_sys_active);
    memory_transaction_commit();
}

/* --- the BitBLT registers ------------------------------------------------- */

static bool cirrus_blt_reg(uint8_t idx)
{
    return (idx >= CIRRUS_GR_BLT_WIDTH && idx <= CIRRUS_GR_BLT_TMASK + 1 &&
            idx != CIRRUS_GR_BLT_STATUS) ||
           idx == VGA_GFX_SR_VALUE || idx == VGA_GFX_SR_ENABLE ||
           (idx >= CIRRUS_GR_BG1 && idx <= CIRRUS_GR_FG1 + 4);
}

/* GR9 and up (and GR0/GR1's full bytes). */
static void cirrus_gr_write(CirrusVGAState *s, uint8_t idx, uint8_t val)
{
    uint8_t old;

    if (s->blt_sys_active && cirrus_blt_reg(idx) && idx > VGA_GFX_SR_ENABLE) {
        guest_error("cirrus: BitBLT register GR%02X written while a "
                    "system-to-screen BitBLT runs", idx);
        return;
    }
    switch (idx) {
    case CIRRUS_GR_BLT_STATUS:
        old = s->gr[idx];
        s->gr[idx] = (old & (CIRRUS_BLT_BUSY | CIRRUS_BLT_PROGRESS)) |
                     (val & (CIRRUS_BLT_START | CIRRUS_BLT_RESET |
                             CIRRUS_BLT_AUTOSTART));
        if (val & CIRRUS_BLT_RESET) {
            cirrus_blt_reset(s);
        } else if ((val & CIRRUS_BLT_START) && !(old & CIRRUS_BLT_START)) {
            cirrus_blt_start(s);
        }
        cirrus_update_mappings(s);
        break;
    case CIRRUS_GR_BLT_DADDR + 2:
        s->gr[idx] = val;
        if (s->gr[CIRRUS_GR_BLT_STATUS] & CIRRUS_BLT_AUTOSTART) {
            cirrus_blt_start(s);
            cirrus_update_mappings(s);
        }
        break;
    case CIRRUS_GR_MODE_EXT:
        s->gr[idx] = val;
        s->vga.full_update = true;
        break;
    case VGA_GFX_SR_VALUE:
    case VGA_GFX_SR_ENABLE:
        /* GR0/GR1 are the VGA's set/reset too: the core takes 4 bits. */
        s->gr[idx] = val;
        s->vga.gr[idx] = val & 0x0f;
        break;
    default:
        s->gr[idx] = val;
        break;
    }
}

uint8_t cirrus_mmio_blt_read(CirrusVGAState *s, uint32_t off)
{
    switch (off) {
    case CIRRUS_MMIO_BLT_BG:
        return s->gr[VGA_GFX_SR_VALUE];
    case CIRRUS_MMIO_BLT_FG:
        return s->gr[VGA_GFX_SR_ENABLE];
    case CIRRUS_MMIO_BLT_BG + 1 ... CIRRUS_MMIO_BLT_BG + 3:
        return s->gr[CIRRUS_GR_BG1 + 2 * (off - CIRRUS_MMIO_BLT_BG - 1)];
    case CIRRUS_MMIO_BLT_FG + 1 ... CIRRUS_MMIO_BLT_FG + 3:
        return s->gr[CIRRUS_GR_FG1 + 2 * (off - CIRRUS_MMIO_BLT_FG - 1)];
    case CIRRUS_MMIO_BLT_WIDTH ... CIRRUS_MMIO_BLT_DADDR + 2:
        return s->gr[CIRRUS_GR_BLT_WIDTH + off - CIRRUS_MMIO_BLT_WIDTH];
    case CIRRUS_MMIO_BLT_SADDR ... CIRRUS_MMIO_BLT_SADDR + 2:
        return s->gr[CIRRUS_GR_BLT_SADDR + off - CIRRUS_MMIO_BLT_SADDR];
    case CIRRUS_MMIO_BLT_DSKIP:
        return s->gr[CIRRUS_GR_BLT_DSKIP];
    case CIRRUS_MMIO_BLT_MODE:
        return s->gr[CIRRUS_GR_BLT_MODE];
    case CIRRUS_MMIO_BLT_ROP:
        return s->gr[CIRRUS_GR_BLT_ROP];
    case CIRRUS_MMIO_BLT_MODEEXT:
        return s->gr[CIRRUS_GR_BLT_MODE_EXT];
    case CIRRUS_MMIO_BLT_TCOLOR ... CIRRUS_MMIO_BLT_TCOLOR + 1:
        return s->gr[CIRRUS_GR_BLT_TCOLOR + off - CIRRUS_MMIO_BLT_TCOLOR];
    case CIRRUS_MMIO_BLT_TMASK ... CIRRUS_MMIO_BLT_TMASK + 1:
        return s->gr[CIRRUS_GR_BLT_TMASK + off - CIRRUS_MMIO_BLT_TMASK];
    case CIRRUS_MMIO_BLT_STATUS:
        return s->gr[CIRRUS_GR_BLT_STATUS];
    default:
        guest_error("cirrus: read of BitBLT MMIO register %#x", off);
        return 0xff;
    }
}

void cirrus_mmio_blt_write(CirrusVGAState *s, uint32_t off, uint8_t val)
{
    switch (off) {
    case CIRRUS_MMIO_BLT_BG:
        cirrus_gr_write(s, VGA_GFX_SR_VALUE, val);
        break;
    case CIRRUS_MMIO_BLT_FG:
        cirrus_gr_write(s, VGA_GFX_SR_ENABLE, val);
        break;
    case CIRRUS_MMIO_BLT_BG + 1 ... CIRRUS_MMIO_BLT_BG + 3:
        cirrus_gr_write(s, CIRRUS_GR_BG1 + 2 * (off - CIRRUS_MMIO_BLT_BG - 1),
                        val);
        break;
    case CIRRUS_MMIO_BLT_FG + 1 ... CIRRUS_MMIO_BLT_FG + 3:
        cirrus_gr_write(s, CIRRUS_GR_FG1 + 2 * (off - CIRRUS_MMIO_BLT_FG - 1),
                        val);
        break;
    case CIRRUS_MMIO_BLT_WIDTH ... CIRRUS_MMIO_BLT_DADDR + 2:
        cirrus_gr_write(s, CIRRUS_GR_BLT_WIDTH + off - CIRRUS_MMIO_BLT_WIDTH,
                        val);
        break;
    case CIRRUS_MMIO_BLT_SADDR ... CIRRUS_MMIO_BLT_SADDR + 2:
        cirrus_gr_write(s, CIRRUS_GR_BLT_SADDR + off - CIRRUS_MMIO_BLT_SADDR,
                        val);
        break;
    case CIRRUS_MMIO_BLT_DSKIP:
        cirrus_gr_write(s, CIRRUS_GR_BLT_DSKIP, val);
        break;
    case CIRRUS_MMIO_BLT_MODE:
        cirrus_gr_write(s, CIRRUS_GR_BLT_MODE, val);
        break;
    case CIRRUS_MMIO_BLT_ROP:
        cirrus_gr_write(s, CIRRUS_GR_BLT_ROP, val);
        break;
    case CIRRUS_MMIO_BLT_MODEEXT:
        cirrus_gr_write(s, CIRRUS_GR_BLT_MODE_EXT, val);
        break;
    case CIRRUS_MMIO_BLT_TCOLOR ... CIRRUS_MMIO_BLT_TCOLOR + 1:
        cirrus_gr_write(s, CIRRUS_GR_BLT_TCOLOR + off - CIRRUS_MMIO_BLT_TCOLOR,
                        val);
        break;
    case CIRRUS_MMIO_BLT_TMASK ... CIRRUS_MMIO_BLT_TMASK + 1:
        cirrus_gr_write(s, CIRRUS_GR_BLT_TMASK + off - CIRRUS_MMIO_BLT_TMASK,
                        val);
        break;
    case CIRRUS_MMIO_BLT_STATUS:
        cirrus_gr_write(s, CIRRUS_GR_BLT_STATUS, val);
        break;
    default:
        guest_error("cirrus: write of BitBLT MMIO register %#x = %#x", off,
                    val);
        break;
    }
}

/* --- ports ------------------------------------------------------------------- */

static bool cirrus_crtc_port(CirrusVGAState *s, uint32_t port)
{
    bool color = s->vga.misc_output & VGA_MIS_COLOR;

    return ((port == VGA_CRT_DM) && !color) || ((port == VGA_CRT_DC) && color);
}

/* Extension registers read while locked: what the guest stored, as the
 * manual only protects them against writes. */
static uint32_t cirrus_sr_read(CirrusVGAState *s)
{
    uint8_t idx = s->sr_index;

    if (idx < VGA_SEQ_NR) {
        return vga_ioport_read(&s->vga, VGA_SEQ_D);
    }
    switch (idx & 0x1f) {
    case CIRRUS_SR_CURSOR_X:
    case CIRRUS_SR_CURSOR_Y:
        return s->sr[idx & 0x1f];
    }
    if (idx >= CIRRUS_SR_NR) {
        guest_error("cirrus: read of sequencer register %#x", idx);
        return 0xff;
    }
    return s->sr[idx];
}

static void cirrus_sr_write(CirrusVGAState *s, uint8_t val)
{
    uint8_t idx = s->sr_index;

    if (idx < VGA_SEQ_NR) {
        /* The core keeps the VGA's bits; SR2's full byte is the pixel
         * mask of write modes 4 and 5. */
        s->sr[idx] = val;
        vga_ioport_write(&s->vga, VGA_SEQ_D, val);
        return;
    }
    if (idx == CIRRUS_SR6_UNLOCK) {
        s->sr[idx] = (val & 0x17) == CIRRUS_SR6_KEY ? CIRRUS_SR6_KEY
                                                    : CIRRUS_SR6_LOCKED;
        return;
    }
    if (!cirrus_unlocked(s)) {
        return;
    }
    switch (idx & 0x1f) {
    case CIRRUS_SR_CURSOR_X:
        /* Index bits 5-7 are the position's low 3 bits. */
        s->sr[CIRRUS_SR_CURSOR_X] = val;
        s->cursor_x = val << 3 | idx >> 5;
        return;
    case CIRRUS_SR_CURSOR_Y:
        s->sr[CIRRUS_SR_CURSOR_Y] = val;
        s->cursor_y = val << 3 | idx >> 5;
        return;
    }
    if (idx >= CIRRUS_SR_NR) {
        guest_error("cirrus: write of sequencer register %#x = %#x", idx,
                    val);
        return;
    }
    switch (idx) {
    case CIRRUS_SR7_EXT_SEQ:
        s->sr[idx] = val;
        s->vga.full_update = true;
        break;
    case CIRRUS_SR_DRAM_CTL:
        /* Bits 3-4 and 7 report the memory fitted (4 MiB: both set);
         * the rest is DRAM timing. */
        s->sr[idx] = (s->sr[idx] & 0x98) | (val & ~0x98);
        break;
    case CIRRUS_SR_CONFIG:
        /* Bits 3-5 read back the bus type (PCI). */
        s->sr[idx] = (s->sr[idx] & 0x38) | (val & ~0x38);
        cirrus_update_mappings(s);
        break;
    default:
        s->sr[idx] = val;
        break;
    }
}

static uint32_t cirrus_gr_read(CirrusVGAState *s)
{
    uint8_t idx = s->gr_index;

    switch (idx) {
    case VGA_GFX_SR_VALUE:
    case VGA_GFX_SR_ENABLE:
    case VGA_GFX_MODE:
        return s->gr[idx];
    }
    if (idx < VGA_GFX_NR) {
        return vga_ioport_read(&s->vga, VGA_GFX_D);
    }
    if (idx >= CIRRUS_GR_NR) {
        guest_error("cirrus: read of graphics register %#x", idx);
        return 0xff;
    }
    return s->gr[idx];
}

static void cirrus_gr_data_write(CirrusVGAState *s, uint8_t val)
{
    uint8_t idx = s->gr_index;

    if (idx < VGA_GFX_NR) {
        /* The core takes the VGA's bits; the full byte of GR0, GR1 (the
         * BitBLT and write-mode-5/4 colours) and GR5 (write modes 4, 5)
         * is kept here. */
        if (idx == VGA_GFX_SR_VALUE || idx == VGA_GFX_SR_ENABLE ||
            idx == VGA_GFX_MODE) {
            s->gr[idx] = val;
        }
        vga_ioport_write(&s->vga, VGA_GFX_D, val);
        return;
    }
    if (idx >= CIRRUS_GR_NR) {
        guest_error("cirrus: write of graphics register %#x = %#x", idx, val);
        return;
    }
    if (!cirrus_unlocked(s)) {
        return;
    }
    cirrus_gr_write(s, idx, val);
}

static uint32_t cirrus_cr_read(CirrusVGAState *s, uint32_t port)
{
    uint8_t idx = s->vga.cr_index;

    if (idx < VGA_CRTC_NR) {
        return vga_ioport_read(&s->vga, port);
    }
    switch (idx) {
    case 0x22:      /* graphics data latch readback, GR4's plane */
        return (s->vga.latch >> ((s->vga.gr[VGA_GFX_PLANE_READ] & 3) * 8)) &
               0xff;
    case 0x24:      /* attribute controller toggle readback */
        return s->vga.ar_flip_flop ? 0x80 : 0;
    case 0x26:      /* attribute controller index readback */
        return s->vga.ar_index & 0x3f;
    case CIRRUS_CR_ID:
        return CIRRUS_ID_CLGD5446;
    }
    if (idx >= CIRRUS_CR_NR) {
        guest_error("cirrus: read of CRTC register %#x", idx);
        return 0xff;
    }
    return s->cr[idx];
}

static void cirrus_cr_write(CirrusVGAState *s, uint32_t port, uint8_t val)
{
    uint8_t idx = s->vga.cr_index;

    if (idx < VGA_CRTC_NR) {
        vga_ioport_write(&s->vga, port, val);
        return;
    }
    if (idx >= CIRRUS_CR_NR) {
        guest_error("cirrus: write of CRTC register %#x = %#x", idx, val);
        return;
    }
    if (!cirrus_unlocked(s)) {
        return;
    }
    switch (idx) {
    case 0x22:
    case 0x24:
    case 0x25:
    case 0x26:
    case CIRRUS_CR_ID:
        break;      /* read-only */
    default:
        s->cr[idx] = val;
        s->vga.full_update = true;
        break;
    }
}

/* With SR12 bit 1 set, DAC entries 00h and 0Fh are the cursor's
 * background and foreground colours. Returns the colour's 3 bytes, or
 * NULL for an ordinary palette entry. */
static uint8_t *cirrus_ext_dac(CirrusVGAState *s, uint8_t index)
{
    if (!(s->sr[CIRRUS_SR_CURSOR_ATTR] & CIRRUS_CURSOR_DAC_EXT)) {
        return NULL;
    }
    if (index == 0x00) {
        return &s->cursor_palette[0];
    }
    if (index == 0x0f) {
        return &s->cursor_palette[3];
    }
    return NULL;
}

uint32_t cirrus_ioport_read(CirrusVGAState *s, uint32_t port)
{
    VGAState *v = &s->vga;
    uint8_t *ext;
    uint32_t val;

    if (port != VGA_PEL_MSK) {
        s->hdr_reads = 0;
    }
    switch (port) {
    case VGA_SEQ_I:
        return s->sr_index;
    case VGA_SEQ_D:
        return cirrus_sr_read(s);
    case VGA_GFX_I:
        return s->gr_index;
    case VGA_GFX_D:
        return cirrus_gr_read(s);
    case VGA_CRT_DM:
    case VGA_CRT_DC:
        if (!cirrus_crtc_port(s, port)) {
            return 0xff;
        }
        return cirrus_cr_read(s, port);
    case VGA_PEL_MSK:
        /* The fifth read in a row returns the hidden DAC register. */
        if (s->hdr_reads == 4) {
            s->hdr_reads = 0;
            return s->hdr;
        }
        s->hdr_reads++;
        return v->dac_mask;
    case VGA_PEL_D:
        ext = cirrus_ext_dac(s, v->dac_read_index);
        if (!ext) {
            return vga_ioport_read(v, port);
        }
        val = ext[v->dac_sub_index];
        if (++v->dac_sub_index == 3) {
            v->dac_sub_index = 0;
            v->dac_read_index++;
        }
        return val;
    default:
        return vga_ioport_read(v, port);
    }
}

void cirrus_ioport_write(CirrusVGAState *s, uint32_t port, uint32_t val)
{
    VGAState *v = &s->vga;
    uint8_t *ext;

    val &= 0xff;
    if (port != VGA_PEL_MSK) {
        s->hdr_reads = 0;
    }
    switch (port) {
    case VGA_SEQ_I:
        s->sr_index = val;
        vga_ioport_write(v, port, val);
        break;
    case VGA_SEQ_D:
        cirrus_sr_write(s, val);
        break;
    case VGA_GFX_I:
        s->gr_index = val;
        vga_ioport_write(v, port, val);
        break;
    case VGA_GFX_D:
        cirrus_gr_data_write(s, val);
        break;
    case VGA_CRT_DM:
    case VGA_CRT_DC:
        if (cirrus_crtc_port(s, port)) {
            cirrus_cr_write(s, port, val);
        }
        break;
    case VGA_PEL_MSK:
        /* After four reads, a write goes to the hidden DAC register. */
        if (s->hdr_reads == 4) {
            s->hdr = val;
            s->hdr_reads = 0;
            v->full_update = true;
        } else {
            s->hdr_reads = 0;
            vga_ioport_write(v, port, val);
        }
        break;
    case VGA_PEL_D:
        ext = cirrus_ext_dac(s, v->dac_write_index);
        if (!ext) {
            vga_ioport_write(v, port, val);
            break;
        }
        ext[v->dac_sub_index] = val & 0x3f;
        if (++v->dac_sub_index == 3) {
            v->dac_sub_index = 0;
            v->dac_write_index++;
        }
        break;
    default:
        vga_ioport_write(v, port, val);
        break;
    }
}

static uint64_t cirrus_io_read(void *opaque, uint64_t offset, unsigned size)
{
    CirrusVGAState *s = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)cirrus_ioport_read(s, VGA_IO_BASE + offset + i) <<
             (8 * i);
    }
    return v;
}

static void cirrus_io_write(void *opaque, uint64_t offset, uint64_t value,
                            unsigned size)
{
    CirrusVGAState *s = opaque;

    for (unsigned i = 0; i < size; i++) {
        cirrus_ioport_write(s, VGA_IO_BASE + offset + i, value >> (8 * i));
    }
}

static const MemoryRegionOps cirrus_io_ops = {
    .read = cirrus_io_read,
    .write = cirrus_io_write,
    .valid_min = 1, .valid_max = 2,
    .impl_min = 1, .impl_max = 2,
};

/* --- the A0000h window ------------------------------------------------------- */

/*
 * Extended modes: two banks (or one 64 KiB bank) of linear video memory,
 * offset by GR9/GRA in 4 KiB or 16 KiB units. Returns the video memory
 * offset of window address addr (A0000h-AFFFFh), or -1.
 */
static int64_t cirrus_bank_offset(CirrusVGAState *s, uint32_t addr)
{
    uint8_t grb = s->gr[CIRRUS_GR_MODE_EXT];
    unsigned bank = 0;
    uint64_t off;

    if (addr >= 0x10000) {
        return -1;
    }
    if (grb & CIRRUS_GRB_DUAL_BANK) {
        bank = addr >> 15;
        addr &= 0x7fff;
    }
    off = s->gr[CIRRUS_GR_OFFSET0 + bank];
    off <<= (grb & CIRRUS_GRB_16K_GRAN) ? 14 : 12;
    /* 8- and 16-byte addressing: each CPU byte covers 8 (16) bytes. */
    if ((grb & (CIRRUS_GRB_BY16 | CIRRUS_GRB_EXT_WRITE)) ==
        (CIRRUS_GRB_BY16 | CIRRUS_GRB_EXT_WRITE)) {
        off += (uint64_t)addr << 4;
    } else if (grb & CIRRUS_GRB_BY8) {
        off += (uint64_t)addr << 3;
    } else {
        off += addr;
    }
    return off < s->vga.vram_size ? (int64_t)off : -1;
}

/* Write modes 4 and 5: each bit of the CPU's byte is a pixel, drawn in
 * the foreground colour (GR1/GR11) where set and, in mode 5, the
 * background (GR0/GR10) where clear; SR2 masks pixels. */
static void cirrus_write_mode45(CirrusVGAState *s, int64_t off, uint8_t val)
{
    unsigned bpp = (s->gr[CIRRUS_GR_MODE_EXT] & CIRRUS_GRB_BY16) ? 2 : 1;
    bool mode5 = (s->gr[VGA_GFX_MODE] & 7) == 5;
    /* At 8 bpp SR2 masks each of the 8 pixels. */
    uint8_t mask = bpp == 1 ? s->sr[VGA_SEQ_PLANE_WRITE] : 0xff;
    uint8_t fg[2] = { s->gr[VGA_GFX_SR_ENABLE], s->gr[CIRRUS_GR_FG1] };
    uint8_t bg[2] = { s->gr[VGA_GFX_SR_VALUE], s->gr[CIRRUS_GR_BG1] };

    for (int x = 0; x < 8; x++) {
        bool on = (val >> (7 - x)) & 1;
        const uint8_t *c = on ? fg : bg;
        if (!(mask & (0x80 >> x)) || (!on && !mode5)) {
            continue;
        }
        for (unsigned b = 0; b < bpp; b++) {
            uint64_t a = off + x * bpp + b;
            if (a < s->vga.vram_size) {
                s->vga.vram[a] = c[b];
            }
        }
    }
    vga_mark_dirty(&s->vga, off, 8 * bpp);
}

static bool cirrus_b8000_mmio(CirrusVGAState *s, uint32_t addr)
{
    return (s->sr[CIRRUS_SR_CONFIG] &
            (CIRRUS_SR17_MMIO | CIRRUS_SR17_MMIO_LFB)) == CIRRUS_SR17_MMIO &&
           addr >= 0x18000 && addr < 0x18000 + CIRRUS_MMIO_SIZE;
}

static uint8_t cirrus_mem_readb(CirrusVGAState *s, uint32_t addr)
{
    int64_t off;

    if (cirrus_b8000_mmio(s, addr)) {
        return cirrus_mmio_blt_read(s, addr - 0x18000);
    }
    if (!cirrus_extended(s)) {
        return vga_mem_readb(&s->vga, addr);
    }
    off = cirrus_bank_offset(s, addr);
    return off < 0 ? 0xff : s->vga.vram[off];
}

static void cirrus_mem_writeb(CirrusVGAState *s, uint32_t addr, uint8_t val)
{
    int64_t off;

    if (cirrus_b8000_mmio(s, addr)) {
        cirrus_mmio_blt_write(s, addr - 0x18000, val);
        return;
    }
    if (s->blt_sys_active && addr < 0x10000) {
        /* The window is the BitBLT data port while one waits. */
        cirrus_blt_data_write(s, val);
        if (!s->blt_sys_active) {
            cirrus_update_mappings(s);
        }
        return;
    }
    if (!cirrus_extended(s)) {
        vga_mem_writeb(&s->vga, addr, val);
        return;
    }
    off = cirrus_bank_offset(s, addr);
    if (off < 0) {
        return;
    }
    if ((s->gr[CIRRUS_GR_MODE_EXT] & CIRRUS_GRB_EXT_WRITE) &&
        ((s->gr[VGA_GFX_MODE] & 7) == 4 || (s->gr[VGA_GFX_MODE] & 7) == 5)) {
        cirrus_write_mode45(s, off, val);
        return;
    }
    s->vga.vram[off] = val;
    vga_mark_dirty(&s->vga, off, 1);
}

static uint64_t cirrus_lowmem_read(void *opaque, uint64_t offset,
                                   unsigned size)
{
    CirrusVGAState *s = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)cirrus_mem_readb(s, offset + i) << (8 * i);
    }
    return v;
}

static void cirrus_lowmem_write(void *opaque, uint64_t offset, uint64_t value,
                                unsigned size)
{
    CirrusVGAState *s = opaque;

    for (unsigned i = 0; i < size; i++) {
        cirrus_mem_writeb(s, offset + i, value >> (8 * i));
    }
}

static const MemoryRegionOps cirrus_lowmem_ops = {
    .read = cirrus_lowmem_read,
    .write = cirrus_lowmem_write,
    .valid_min = 1, .valid_max = 8,
    .impl_min = 1, .impl_max = 8,
};

/* --- BAR0 apertures ------------------------------------------------------------- */

/* Byte-swapping apertures: byte i of the aperture is byte i ^ 1 (16-bit
 * swap) or i ^ 3 (32-bit swap) of video memory, so a big-endian CPU's
 * word stores land in the little-endian pixel order. */
static uint64_t cirrus_swap_read(CirrusVGAState *s, uint64_t offset,
                                 unsigned size, unsigned x)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        uint64_t a = (offset + i) ^ x;
        v |= (uint64_t)(a < s->vga.vram_size ? s->vga.vram[a] : 0xff) <<
             (8 * i);
    }
    return v;
}

static void cirrus_swap_write(CirrusVGAState *s, uint64_t offset,
                              uint64_t value, unsigned size, unsigned x)
{
    for (unsigned i = 0; i < size; i++) {
        uint64_t a = (offset + i) ^ x;
        if (a < s->vga.vram_size) {
            s->vga.vram[a] = value >> (8 * i);
            vga_mark_dirty(&s->vga, a, 1);
        }
    }
}

static uint64_t cirrus_swap16_read(void *opaque, uint64_t o, unsigned size)
{
    return cirrus_swap_read(opaque, o, size, 1);
}

static void cirrus_swap16_write(void *opaque, uint64_t o, uint64_t v,
                                unsigned size)
{
    cirrus_swap_write(opaque, o, v, size, 1);
}

static uint64_t cirrus_swap32_read(void *opaque, uint64_t o, unsigned size)
{
    return cirrus_swap_read(opaque, o, size, 3);
}

static void cirrus_swap32_write(void *opaque, uint64_t o, uint64_t v,
                                unsigned size)
{
    cirrus_swap_write(opaque, o, v, size, 3);
}

static const MemoryRegionOps cirrus_swap16_ops = {
    .read = cirrus_swap16_read,
    .write = cirrus_swap16_write,
    .valid_min = 1, .valid_max = 8,
    .impl_min = 1, .impl_max = 8,
};

static const MemoryRegionOps cirrus_swap32_ops = {
    .read = cirrus_swap32_read,
    .write = cirrus_swap32_write,
    .valid_min = 1, .valid_max = 8,
    .impl_min = 1, .impl_max = 8,
};

/* The BitBLT data port: the 16 MiB aperture always, and the first 4 MiB
 * of BAR0 while a system-to-screen BitBLT waits (as the chip routes
 * framebuffer writes to it then). Reads of the data port read FFh; reads
 * of the framebuffer read video memory. */
static uint64_t cirrus_bltport_read(void *opaque, uint64_t offset,
                                    unsigned size)
{
    return UINT64_MAX >> (64 - 8 * size);
}

static void cirrus_bltport_write(void *opaque, uint64_t offset,
                                 uint64_t value, unsigned size)
{
    CirrusVGAState *s = opaque;

    for (unsigned i = 0; i < size && s->blt_sys_active; i++) {
        cirrus_blt_data_write(s, value >> (8 * i));
    }
    if (!s->blt_sys_active) {
        cirrus_update_mappings(s);
    }
}

static uint64_t cirrus_lfb_blt_read(void *opaque, uint64_t offset,
                                    unsigned size)
{
    return cirrus_swap_read(opaque, offset, size, 0);
}

static const MemoryRegionOps cirrus_bltport_ops = {
    .read = cirrus_bltport_read,
    .write = cirrus_bltport_write,
    .valid_min = 1, .valid_max = 8,
    .impl_min = 1, .impl_max = 8,
};

static const MemoryRegionOps cirrus_lfb_blt_ops = {
    .read = cirrus_lfb_blt_read,
    .write = cirrus_bltport_write,
    .valid_min = 1, .valid_max = 8,
    .impl_min = 1, .impl_max = 8,
};

static uint64_t cirrus_blt_mmio_read(void *opaque, uint64_t offset,
                                     unsigned size)
{
    CirrusVGAState *s = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        v |= (uint64_t)cirrus_mmio_blt_read(s, offset + i) << (8 * i);
    }
    return v;
}

static void cirrus_blt_mmio_write(void *opaque, uint64_t offset,
                                  uint64_t value, unsigned size)
{
    CirrusVGAState *s = opaque;

    for (unsigned i = 0; i < size; i++) {
        cirrus_mmio_blt_write(s, offset + i, value >> (8 * i));
    }
}

static const MemoryRegionOps cirrus_blt_mmio_ops = {
    .read = cirrus_blt_mmio_read,
    .write = cirrus_blt_mmio_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 4,
};

/* --- BAR1 ---------------------------------------------------------------------- */

static uint64_t cirrus_bar1_read(void *opaque, uint64_t offset, unsigned size)
{
    CirrusVGAState *s = opaque;
    uint64_t v = 0;

    for (unsigned i = 0; i < size; i++) {
        uint64_t o = offset + i;
        uint8_t b;
        if (o < CIRRUS_BAR1_VGA + CIRRUS_BAR1_VGA_SIZE) {
            b = cirrus_ioport_read(s, 0x3c0 + o - CIRRUS_BAR1_VGA);
        } else if (o >= CIRRUS_BAR1_BLT &&
                   o < CIRRUS_BAR1_BLT + CIRRUS_MMIO_SIZE) {
            b = cirrus_mmio_blt_read(s, o - CIRRUS_BAR1_BLT);
        } else {
            guest_error("cirrus: BAR1 read at %#" PRIx64, o);
            b = 0xff;
        }
        v |= (uint64_t)b << (8 * i);
    }
    return v;
}

static void cirrus_bar1_write(void *opaque, uint64_t offset, uint64_t value,
                              unsigned size)
{
    CirrusVGAState *s = opaque;

    for (unsigned i = 0; i < size; i++) {
        uint64_t o = offset + i;
        uint8_t b = value >> (8 * i);
        if (o < CIRRUS_BAR1_VGA + CIRRUS_BAR1_VGA_SIZE) {
            cirrus_ioport_write(s, 0x3c0 + o - CIRRUS_BAR1_VGA, b);
        } else if (o >= CIRRUS_BAR1_BLT &&
                   o < CIRRUS_BAR1_BLT + CIRRUS_MMIO_SIZE) {
            cirrus_mmio_blt_write(s, o - CIRRUS_BAR1_BLT, b);
        } else {
            guest_error("cirrus: BAR1 write at %#" PRIx64 " = %#x", o, b);
        }
    }
}

/* Byte registers: a wider access is split, index before data, as the
 * chip's byte lanes do. */
static const MemoryRegionOps cirrus_bar1_ops = {
    .read = cirrus_bar1_read,
    .write = cirrus_bar1_write,
    .valid_min = 1, .valid_max = 4,
    .impl_min = 1, .impl_max = 4,
};

/* --- the extended modes' picture ------------------------------------------------ */

typedef struct CirrusMode {
    unsigned width, height;
    unsigned depth;         /* 8, 15, 16, 24, 32 */
    unsigned bytes_pp;
    uint32_t pitch;         /* bytes per line */
    uint32_t start;         /* byte offset of the top-left pixel */
} CirrusMode;

static void cirrus_get_mode(CirrusVGAState *s, CirrusMode *m)
{
    const uint8_t *cr = s->vga.cr;

    m->width = (cr[VGA_CRTC_H_DISP] + 1) * 8;
    m->height = (cr[VGA_CRTC_V_DISP_END] |
                 (cr[VGA_CRTC_OVERFLOW] & 0x02) << 7 |
                 (cr[VGA_CRTC_OVERFLOW] & 0x40) << 3) + 1;
    if (cr[VGA_CRTC_MAX_SCAN] & VGA_CR09_DOUBLE_SCAN) {
        m->height = MAX(m->height / 2, 1);
    }
    switch (s->sr[CIRRUS_SR7_EXT_SEQ] & CIRRUS_SR7_DEPTH_MASK) {
    case CIRRUS_SR7_DEPTH_16_2X:
    case CIRRUS_SR7_DEPTH_16:
        /* The hidden DAC register tells 5-5-5 from 5-6-5. */
        m->depth = (s->hdr & 0x0f) == 1 ? 16 : 15;
        m->bytes_pp = 2;
        break;
    case CIRRUS_SR7_DEPTH_24:
        m->depth = 24;
        m->bytes_pp = 3;
        break;
    case CIRRUS_SR7_DEPTH_32:
        m->depth = 32;
        m->bytes_pp = 4;
        break;
    default:
        m->depth = 8;
        m->bytes_pp = 1;
        break;
    }
    /* CR13 with CR1B bit 4 as bit 8, in units of 8 bytes; the start
     * address (CR0C, CR0D, CR1B bits 0, 2-3, CR1D bit 7) in 4 bytes. */
    m->pitch = (cr[VGA_CRTC_OFFSET] |
                (s->cr[CIRRUS_CR_EXT_DISP] & 0x10) << 4) * 8;
    m->start = ((uint32_t)cr[VGA_CRTC_START_HI] << 8 |
                cr[VGA_CRTC_START_LO] |
                (s->cr[CIRRUS_CR_EXT_DISP] & 0x01) << 16 |
                (s->cr[CIRRUS_CR_EXT_DISP] & 0x0c) << 15 |
                (s->cr[CIRRUS_CR_EXT_OVERLAY] & 0x80) << 12) * 4;
    m->width = MIN(m->width, DISPLAY_MAX_DIM);
    m->height = MIN(m->height, DISPLAY_MAX_DIM);
}

static inline uint32_t cirrus_scale6(const uint8_t *p)
{
    uint32_t r = p[0] & 0x3f, g = p[1] & 0x3f, b = p[2] & 0x3f;

    return (r << 2 | r >> 4) << 16 | (g << 2 | g >> 4) << 8 | (b << 2 | b >> 4);
}

static void cirrus_convert_line(const CirrusMode *m, const uint8_t *src,
                                uint32_t *dst, const uint32_t *colors)
{
    uint32_t v, r, g, b;

    for (unsigned x = 0; x < m->width; x++) {
        const uint8_t *p = src + x * m->bytes_pp;
        switch (m->depth) {
        case 8:
            dst[x] = colors[p[0]];
            break;
        case 15:
            v = p[0] | p[1] << 8;
            r = (v >> 10) & 0x1f;
            g = (v >> 5) & 0x1f;
            b = v & 0x1f;
            dst[x] = (r << 3 | r >> 2) << 16 | (g << 3 | g >> 2) << 8 |
                     (b << 3 | b >> 2);
            break;
        case 16:
            v = p[0] | p[1] << 8;
            r = (v >> 11) & 0x1f;
            g = (v >> 5) & 0x3f;
            b = v & 0x1f;
            dst[x] = (r << 3 | r >> 2) << 16 | (g << 2 | g >> 4) << 8 |
                     (b << 3 | b >> 2);
            break;
        default:        /* 24 and 32: B, G, R (, X) */
            dst[x] = (uint32_t)p[2] << 16 | p[1] << 8 | p[0];
            break;
        }
    }
}

static unsigned cirrus_cursor_size(CirrusVGAState *s)
{
    uint8_t a = s->sr[CIRRUS_SR_CURSOR_ATTR];

    if (!(a & CIRRUS_CURSOR_ENABLE)) {
        return 0;
    }
    return (a & CIRRUS_CURSOR_64) ? 64 : 32;
}

/*
 * The hardware cursor over line y of the frame: two bit planes per
 * pattern line. 32x32: plane 0 at 4 bytes per line, plane 1 128 bytes
 * later; 64x64: 16 bytes per line, plane 0 then plane 1. Plane bits
 * (1, 0): 00 transparent, 01 the screen inverted, 10 the background
 * colour, 11 the foreground colour.
 */
static void cirrus_cursor_line(CirrusVGAState *s, unsigned size, unsigned y,
                               uint32_t *dst, unsigned width)
{
    uint32_t base = s->vga.vram_size - CIRRUS_CURSOR_AREA;
    uint8_t sel = s->sr[CIRRUS_SR_CURSOR_ADDR];
    unsigned row = y - s->cursor_y;
    uint32_t bg = cirrus_scale6(&s->cursor_palette[0]);
    uint32_t fg = cirrus_scale6(&s->cursor_palette[3]);
    const uint8_t *p0, *p1;

    if (size == 32) {
        base += (sel & 0x3f) * 256;
        p0 = s->vga.vram + base + row * 4;
        p1 = p0 + 128;
    } else {
        base += (sel & 0x3c) * 256;
        p0 = s->vga.vram + base + row * 16;
        p1 = p0 + 8;
    }
    for (unsigned x = 0; x < size; x++) {
        unsigned sx = s->cursor_x + x;
        unsigned b0 = (p0[x / 8] >> (7 - x % 8)) & 1;
        unsigned b1 = (p1[x / 8] >> (7 - x % 8)) & 1;
        if (sx >= width) {
            break;
        }
        switch (b1 << 1 | b0) {
        case 1:
            dst[sx] ^= 0x00ffffff;
            break;
        case 2:
            dst[sx] = bg;
            break;
        case 3:
            dst[sx] = fg;
            break;
        }
    }
}

static void cirrus_draw_extended(CirrusVGAState *s, bool full)
{
    VGAState *v = &s->vga;
    CirrusMode m;
    DisplaySurface *surf = console_surface(v->con);
    uint32_t colors[256];
    uint64_t row_bytes;
    unsigned csize = cirrus_cursor_size(s);
    int first_dirty = -1;
    bool blank = !(v->ar_index & VGA_AR_ENABLE_DISPLAY) ||
                 (v->sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_SCREEN_OFF);

    cirrus_get_mode(s, &m);
    if (surf->width != (int)m.width || surf->height != (int)m.height) {
        dpy_gfx_replace_surface(v->con,
                                display_surface_new(m.width, m.height));
        surf = console_surface(v->con);
        full = true;
    }
    row_bytes = (uint64_t)m.width * m.bytes_pp;
    if (s->shadow_size != row_bytes * m.height) {
        g_free(s->shadow);
        s->shadow_size = row_bytes * m.height;
        s->shadow = g_malloc0(s->shadow_size);
        full = true;
    }
    for (int i = 0; i < 256; i++) {
        colors[i] = cirrus_scale6(v->palette + (i & v->dac_mask) * 3);
    }
    for (unsigned y = 0; y < m.height; y++) {
        uint64_t off = m.start + (uint64_t)y * m.pitch;
        uint32_t *dst = (uint32_t *)(surf->data + (size_t)y * surf->stride);
        uint8_t *shadow = s->shadow + y * row_bytes;
        bool in_cursor = csize && y >= s->cursor_y && y < s->cursor_y + csize;
        bool was_cursor = s->last_csize && (int)y >= s->last_cy &&
                          (int)y < s->last_cy + s->last_csize;
        bool dirty = full || in_cursor || was_cursor;

        if (blank || off + row_bytes > v->vram_size) {
            /* Blanked, or panned past the end of video memory. */
            if (dirty) {
                memset(dst, 0, surf->width * 4);
            }
        } else {
            const uint8_t *src = v->vram + off;
            if (dirty || memcmp(shadow, src, row_bytes)) {
                dirty = true;
                memcpy(shadow, src, row_bytes);
                cirrus_convert_line(&m, src, dst, colors);
                if (in_cursor && !blank) {
                    cirrus_cursor_line(s, csize, y, dst, m.width);
                }
            }
        }
        if (dirty && first_dirty < 0) {
            first_dirty = y;
        } else if (!dirty && first_dirty >= 0) {
            dpy_gfx_update(v->con, 0, first_dirty, surf->width,
                           y - first_dirty);
            first_dirty = -1;
        }
    }
    if (first_dirty >= 0) {
        dpy_gfx_update(v->con, 0, first_dirty, surf->width,
                       m.height - first_dirty);
    }
    s->last_csize = csize;
    s->last_cx = s->cursor_x;
    s->last_cy = s->cursor_y;
}

static void cirrus_update_display(void *opaque)
{
    CirrusVGAState *s = opaque;
    VGAState *v = &s->vga;
    bool full = v->full_update;

    if (!cirrus_extended(s)) {
        if (s->ext_shown) {
            /* Back to a VGA mode: the core redraws everything. */
            s->ext_shown = false;
            v->full_update = true;
            v->last_mode = VGA_MODE_NONE;
        }
        vga_update_display(v);
        return;
    }
    if (!s->ext_shown) {
        s->ext_shown = true;
        full = true;
    }
    if (memcmp(v->last_palette, v->palette, sizeof(v->palette))) {
        memcpy(v->last_palette, v->palette, sizeof(v->palette));
        full = true;
    }
    v->full_update = false;
    cirrus_draw_extended(s, full);
}

static void cirrus_invalidate_display(void *opaque)
{
    CirrusVGAState *s = opaque;

    s->vga.full_update = true;
}

const GraphicHwOps cirrus_graphic_ops = {
    .gfx_update = cirrus_update_display,
    .invalidate = cirrus_invalidate_display,
};

/* --- life cycle -------------------------------------------------------------------- */

bool cirrus_init(CirrusVGAState *s, const char *name, Error **errp)
{
    if (!vga_init(&s->vga, name, CIRRUS_VRAM_SIZE, errp)) {
        return false;
    }
    /* The console shows what this file draws: the core's renderer runs
     * from here in the standard modes. */
    s->vga.con->hw_ops = &cirrus_graphic_ops;
    s->vga.con->hw = s;

    memory_region_init_io(&s->lowmem, "cirrus-lowmem", &cirrus_lowmem_ops, s,
                          128 * KiB);
    memory_region_init_io(&s->io, "cirrus", &cirrus_io_ops, s, VGA_IO_SIZE);
    memory_region_init_container(&s->lfb, "cirrus.lfb", CIRRUS_LFB_SIZE);
    memory_region_add_subregion(&s->lfb, 0, &s->vga.vram_mr, 0);
    memory_region_init_io(&s->lfb_mmio, "cirrus.lfb-mmio",
                          &cirrus_blt_mmio_ops, s, CIRRUS_MMIO_SIZE);
    memory_region_add_subregion(&s->lfb, CIRRUS_LFB_MMIO, &s->lfb_mmio, 1);
    memory_region_init_io(&s->lfb_blt, "cirrus.lfb-bitblt",
                          &cirrus_lfb_blt_ops, s, CIRRUS_VRAM_SIZE);
    memory_region_add_subregion(&s->lfb, 0, &s->lfb_blt, 2);
    memory_region_init_io(&s->swap16, "cirrus.lfb-swap16",
                          &cirrus_swap16_ops, s, CIRRUS_VRAM_SIZE);
    memory_region_add_subregion(&s->lfb, CIRRUS_LFB_SWAP16, &s->swap16, 0);
    memory_region_init_io(&s->swap32, "cirrus.lfb-swap32",
                          &cirrus_swap32_ops, s, CIRRUS_VRAM_SIZE);
    memory_region_add_subregion(&s->lfb, CIRRUS_LFB_SWAP32, &s->swap32, 0);
    memory_region_init_io(&s->bltport, "cirrus.bitblt-port",
                          &cirrus_bltport_ops, s, CIRRUS_LFB_BLTPORT_SIZE);
    memory_region_add_subregion(&s->lfb, CIRRUS_LFB_BLTPORT, &s->bltport, 0);
    memory_region_init_io(&s->mmio, "cirrus.mmio", &cirrus_bar1_ops, s,
                          CIRRUS_BAR1_SIZE);
    cirrus_reset(s);
    return true;
}

void cirrus_reset(CirrusVGAState *s)
{
    vga_reset(&s->vga);
    s->sr_index = 0;
    memset(s->sr, 0, sizeof(s->sr));
    s->sr[CIRRUS_SR6_UNLOCK] = CIRRUS_SR6_LOCKED;
    /* 4 MiB: 32-bit DRAM data bus (bits 3-4) and the second bank (7). */
    s->sr[CIRRUS_SR_DRAM_CTL] = 0x98;
    /* PCI bus (bits 3-5). */
    s->sr[CIRRUS_SR_CONFIG] = 0x38;
    s->gr_index = 0;
    memset(s->gr, 0, sizeof(s->gr));
    memset(s->cr, 0, sizeof(s->cr));
    s->hdr = 0;
    s->hdr_reads = 0;
    s->cursor_x = 0;
    s->cursor_y = 0;
    memset(s->cursor_palette, 0, sizeof(s->cursor_palette));
    cirrus_blt_reset(s);
    s->ext_shown = false;
    s->last_csize = 0;
    cirrus_update_mappings(s);
}

bool cirrus_post_load(CirrusVGAState *s, Error **errp)
{
    if (!vga_post_load(&s->vga, errp)) {
        return false;
    }
    if (s->blt_sys_active &&
        (s->blt_line_bytes == 0 || s->blt_line_bytes > CIRRUS_BLT_BUF_SIZE ||
         s->blt_buf_used >= s->blt_line_bytes)) {
        error_setg(errp, "cirrus: BitBLT line of %u bytes (%u collected)",
                   s->blt_line_bytes, s->blt_buf_used);
        return false;
    }
    if (!s->blt_sys_active) {
        s->blt_buf_used = 0;
    }
    s->cursor_x &= 0x7ff;
    s->cursor_y &= 0x7ff;
    s->sr[CIRRUS_SR6_UNLOCK] = s->sr[CIRRUS_SR6_UNLOCK] == CIRRUS_SR6_KEY ?
                               CIRRUS_SR6_KEY : CIRRUS_SR6_LOCKED;
    s->ext_shown = !cirrus_extended(s);     /* forces a full redraw */
    s->vga.full_update = true;
    cirrus_update_mappings(s);
    return true;
}

static const VMStateField cirrus_fields[] = {
    VMSTATE_STRUCT(vga, CirrusVGAState, vmstate_vga, VGAState),
    VMSTATE_U8(sr_index, CirrusVGAState),
    VMSTATE_U8_ARRAY(sr, CirrusVGAState, CIRRUS_SR_NR),
    VMSTATE_U8(gr_index, CirrusVGAState),
    VMSTATE_U8_ARRAY(gr, CirrusVGAState, CIRRUS_GR_NR),
    VMSTATE_U8_ARRAY(cr, CirrusVGAState, CIRRUS_CR_NR),
    VMSTATE_U8(hdr, CirrusVGAState),
    VMSTATE_U8(hdr_reads, CirrusVGAState),
    VMSTATE_U16(cursor_x, CirrusVGAState),
    VMSTATE_U16(cursor_y, CirrusVGAState),
    VMSTATE_U8_ARRAY(cursor_palette, CirrusVGAState, 6),
    VMSTATE_BOOL(blt_sys_active, CirrusVGAState),
    VMSTATE_U32(blt_line_bytes, CirrusVGAState),
    VMSTATE_U32(blt_buf_used, CirrusVGAState),
    VMSTATE_U32(blt_line, CirrusVGAState),
    VMSTATE_U8_ARRAY(blt_buf, CirrusVGAState, CIRRUS_BLT_BUF_SIZE),
    VMSTATE_END
};

const VMStateDescription vmstate_cirrus = {
    .name = "cirrus_vga",
    .version = 1,
    .min_version = 1,
    .fields = cirrus_fields,
};

/* --- the PCI device ------------------------------------------------------------------ */

typedef struct CirrusPCIState {
    PCIDevice pci;
    /* guest-visible state */
    CirrusVGAState cirrus;
    /* wiring */
    char *romfile;                  /* property */
    MemoryRegion rom;
} CirrusPCIState;

extern const DeviceType cirrus_vga_type;
extern const DeviceType vga_pci_type;

static CirrusPCIState *cirrus_pci_from_device(Device *dev)
{
    return container_of(dev, CirrusPCIState, pci.dev);
}

static const PCIDeviceInfo cirrus_pci_info = {
    .vendor_id = CIRRUS_PCI_VENDOR_ID,
    .device_id = CIRRUS_PCI_DEVICE_ID,
    .class_code = CIRRUS_PCI_CLASS,
    .subsystem_vendor_id = PCI_SUBVENDOR_ID_REDHAT_QUMRANET,
    .subsystem_id = PCI_SUBDEVICE_ID_QEMU,
};

static bool cirrus_pci_load_rom(CirrusPCIState *d, Machine *m, Error **errp)
{
    const char *name = d->romfile ? d->romfile : CIRRUS_PCI_ROMFILE;
    char *path;
    gchar *data = NULL;
    gsize size = 0;
    GError *gerr = NULL;
    uint64_t bar_size = 2 * KiB;

    if (!*name) {
        return true;        /* romfile="": no ROM */
    }
    path = machine_find_firmware(m, name);
    if (!path) {
        error_setg(errp, "could not find the Cirrus VGA BIOS '%s': install "
                   "Debian's 'seabios' package (apt-get install seabios) or "
                   "name one with romfile= or -L DIR", name);
        return false;
    }
    if (!g_file_get_contents(path, &data, &size, &gerr)) {
        error_setg(errp, "could not read Cirrus VGA BIOS '%s': %s", path,
                   gerr->message);
        g_error_free(gerr);
        g_free(path);
        return false;
    }
    g_free(path);
    if (size == 0 || size > 16 * MiB) {
        error_setg(errp, "Cirrus VGA BIOS '%s' is %zu bytes: it must be 1 "
                   "byte to 16 MiB", name, (size_t)size);
        g_free(data);
        return false;
    }
    while (bar_size < size) {
        bar_size <<= 1;
    }
    if (!memory_region_init_rom(&d->rom, "cirrus-vga.rom", bar_size, errp)) {
        g_free(data);
        return false;
    }
    memcpy(d->rom.host, data, size);
    g_free(data);
    return true;
}

static bool cirrus_pci_realize(Device *dev, Machine *m, Error **errp)
{
    CirrusPCIState *d = cirrus_pci_from_device(dev);
    CirrusVGAState *s = &d->cirrus;

    /* The legacy ports and window exist once per machine. */
    for (Device *o = m->devices; o; o = o->next) {
        if (o->type == &cirrus_vga_type || o->type == &vga_pci_type) {
            error_setg(errp, "only one VGA adapter fits a machine (%s has "
                       "the legacy ports; use -vga none to add your own)",
                       o->id ? o->id : o->path);
            return false;
        }
    }
    if (!cirrus_pci_load_rom(d, m, errp)) {
        return false;
    }
    d->pci.info = &cirrus_pci_info;
    if (!pci_device_plug(&d->pci, m->pci_bus, errp) ||
        !cirrus_init(s, dev->path, errp)) {
        return false;
    }
    /* Priority 1 over the PCI space's master abort, as the std VGA. */
    memory_region_add_subregion(m->pci_memory, 0xa0000, &s->lowmem, 1);
    memory_region_add_subregion(m->system_io, VGA_IO_BASE, &s->io, 0);
    pci_register_bar(&d->pci, 0, PCI_BASE_ADDRESS_MEM_PREFETCH, &s->lfb);
    pci_register_bar(&d->pci, 1, 0, &s->mmio);
    if (d->rom.size) {
        pci_register_bar(&d->pci, PCI_ROM_SLOT, 0, &d->rom);
    }
    return true;
}

static void cirrus_pci_reset(Device *dev)
{
    CirrusPCIState *d = cirrus_pci_from_device(dev);

    pci_device_reset(&d->pci);
    cirrus_reset(&d->cirrus);
}

static bool cirrus_pci_post_load(void *opaque, int version, Error **errp)
{
    CirrusPCIState *d = opaque;

    pci_device_update_mappings(&d->pci);
    return cirrus_post_load(&d->cirrus, errp);
}

static const VMStateField cirrus_pci_fields[] = {
    VMSTATE_PCI_DEVICE(pci, CirrusPCIState),
    VMSTATE_STRUCT(cirrus, CirrusPCIState, vmstate_cirrus, CirrusVGAState),
    VMSTATE_END
};

static const VMStateDescription vmstate_cirrus_pci = {
    .name = "cirrus-vga",
    .version = 1,
    .min_version = 1,
    .fields = cirrus_pci_fields,
    .post_load = cirrus_pci_post_load,
};

static const Property cirrus_pci_props[] = {
    DEFINE_PROP_PCI_ADDR(CirrusPCIState),
    DEFINE_PROP_STRING("romfile", CirrusPCIState, romfile,
                       "option ROM image (default vgabios-cirrus.bin; "
                       "empty: none)"),
    DEFINE_PROP_END
};

const DeviceType cirrus_vga_type = {
    .name = "cirrus-vga",
    .desc = "Cirrus Logic CL-GD5446 (PCI 1013:00b8)",
    .bus = BUS_PCI,
    .state_size = sizeof(CirrusPCIState),
    .user_creatable = true,
    .realize = cirrus_pci_realize,
    .reset = cirrus_pci_reset,
    .props = cirrus_pci_props,
    .vmsd = &vmstate_cirrus_pci,
};
