/*
 * The VGA core shared by the display adapters (the std VGA with Bochs
 * VBE today, Cirrus CLGD 5446 later): registers, video memory and its
 * CPU window, and the renderer that turns them into a console surface.
 *
 * Register names follow IBM's "VGA Technical Reference" (Personal System/2
 * Hardware Interface Technical Reference, chapter "Video Subsystem") and
 * the FreeVGA project's register pages; the Bochs VBE names follow
 * Bochs's vbe.h (VBE_DISPI_*), the interface SeaVGABIOS and Linux's
 * bochs DRM driver program.
 *
 * Video memory layout: the first 256 KiB hold the four 64 KiB planes
 * interleaved, byte (plane address * 4 + plane), so a plane address reads
 * all four planes from one 32-bit word, as the latches do. Bochs VBE
 * modes use all of video memory as a linear framebuffer.
 *
 * Locking: the BQL, like every device.
 */
#ifndef HW_DISPLAY_VGA_H
#define HW_DISPLAY_VGA_H

#include "hw/core/device.h"
#include "softmmu/memory.h"
#include "ui/console.h"

/* --- I/O ports (relative to 3B0h, the region's base) ------------------- */
#define VGA_IO_BASE         0x3b0
#define VGA_IO_SIZE         0x30
#define VGA_CRT_IM          0x3b4   /* CRTC index, monochrome decode */
#define VGA_CRT_DM          0x3b5
#define VGA_IS1_RM          0x3ba   /* input status 1 / feature ctl (mono) */
#define VGA_ATT_W           0x3c0   /* attribute index/data write */
#define VGA_ATT_R           0x3c1   /* attribute data read */
#define VGA_MIS_W           0x3c2   /* misc output write */
#define VGA_IS0_R           0x3c2   /* input status 0 read */
#define VGA_VSE             0x3c3   /* video subsystem enable */
#define VGA_SEQ_I           0x3c4
#define VGA_SEQ_D           0x3c5
#define VGA_PEL_MSK         0x3c6
#define VGA_PEL_IR          0x3c7   /* DAC read index (w), DAC state (r) */
#define VGA_PEL_IW          0x3c8
#define VGA_PEL_D           0x3c9
#define VGA_FTC_R           0x3ca   /* feature control read */
#define VGA_MIS_R           0x3cc
#define VGA_GFX_I           0x3ce
#define VGA_GFX_D           0x3cf
#define VGA_CRT_IC          0x3d4   /* CRTC index, colour decode */
#define VGA_CRT_DC          0x3d5
#define VGA_IS1_RC          0x3da   /* input status 1 / feature ctl (colour) */

/* Miscellaneous output register */
#define VGA_MIS_COLOR           0x01    /* I/O address select: 3Dx */
#define VGA_MIS_ENB_MEM_ACCESS  0x02
#define VGA_MIS_PAGE_SELECT     0x20    /* odd/even page */

/* Input status 1 */
#define VGA_IS1_DD              0x01    /* display disabled (blanking) */
#define VGA_IS1_VR              0x08    /* vertical retrace */

/* Sequencer */
#define VGA_SEQ_RESET           0x00
#define VGA_SEQ_CLOCK_MODE      0x01
#define  VGA_SR01_CHAR_CLK_8DOTS 0x01
#define  VGA_SR01_DOT_CLK_DIV2  0x08
#define  VGA_SR01_SCREEN_OFF    0x20
#define VGA_SEQ_PLANE_WRITE     0x02    /* map mask */
#define VGA_SEQ_CHARACTER_MAP   0x03
#define VGA_SEQ_MEMORY_MODE     0x04
#define  VGA_SR04_EXT_MEM       0x02
#define  VGA_SR04_SEQ_MODE      0x04    /* 1: odd/even addressing off */
#define  VGA_SR04_CHN_4M        0x08    /* chain 4 */
#define VGA_SEQ_NR              5

/* Graphics controller */
#define VGA_GFX_SR_VALUE        0x00
#define VGA_GFX_SR_ENABLE       0x01
#define VGA_GFX_COMPARE_VALUE   0x02
#define VGA_GFX_DATA_ROTATE     0x03
#define VGA_GFX_PLANE_READ      0x04
#define VGA_GFX_MODE            0x05
#define  VGA_GR05_WRITE_MODE    0x03
#define  VGA_GR05_READ_MODE     0x08
#define  VGA_GR05_HOST_OE       0x10
#define  VGA_GR05_SHIFT_REG     0x20    /* CGA 2-bpp interleave */
#define  VGA_GR05_SHIFT256      0x40    /* 256-colour shift */
#define VGA_GFX_MISC            0x06
#define  VGA_GR06_GRAPHICS_MODE 0x01
#define  VGA_GR06_CHAIN_OE      0x02
#define  VGA_GR06_MEMORY_MAP    0x0c
#define VGA_GFX_COMPARE_MASK    0x07    /* colour don't care */
#define VGA_GFX_BIT_MASK        0x08
#define VGA_GFX_NR              9

/* Attribute controller */
#define VGA_ATT_PALETTE_NR      16
#define VGA_ATC_MODE            0x10
#define  VGA_AR10_GRAPHICS      0x01
#define  VGA_AR10_LINE_GRAPHICS 0x04    /* 9th column copies C0h-DFh */
#define  VGA_AR10_BLINK         0x08
#define  VGA_AR10_8BIT          0x40
#define  VGA_AR10_P54S          0x80
#define VGA_ATC_OVERSCAN        0x11
#define VGA_ATC_PLANE_ENABLE    0x12
#define VGA_ATC_PEL             0x13    /* horizontal pel panning */
#define VGA_ATC_COLOR_PAGE      0x14
#define VGA_ATT_NR              0x15
#define VGA_AR_ENABLE_DISPLAY   0x20    /* index bit: palette address source */

/* CRT controller */
#define VGA_CRTC_H_DISP         0x01
#define VGA_CRTC_OVERFLOW       0x07
#define VGA_CRTC_MAX_SCAN       0x09
#define  VGA_CR09_DOUBLE_SCAN   0x80
#define VGA_CRTC_CURSOR_START   0x0a
#define  VGA_CR0A_CURSOR_OFF    0x20
#define VGA_CRTC_CURSOR_END     0x0b
#define VGA_CRTC_START_HI       0x0c
#define VGA_CRTC_START_LO       0x0d
#define VGA_CRTC_CURSOR_HI      0x0e
#define VGA_CRTC_CURSOR_LO      0x0f
#define VGA_CRTC_V_SYNC_END     0x11
#define  VGA_CR11_LOCK_CR0_CR7  0x80
#define VGA_CRTC_V_DISP_END     0x12
#define VGA_CRTC_OFFSET         0x13
#define VGA_CRTC_UNDERLINE      0x14
#define  VGA_CR14_DW            0x40    /* doubleword addressing */
#define VGA_CRTC_MODE           0x17
#define  VGA_CR17_ADDR_WRAP     0x20
#define  VGA_CR17_BYTE_MODE     0x40
#define VGA_CRTC_LINE_COMPARE   0x18
#define VGA_CRTC_NR             0x19

/* --- Bochs VBE DISPI interface ----------------------------------------- */
#define VBE_DISPI_IOPORT_INDEX  0x1ce
#define VBE_DISPI_IOPORT_DATA   0x1cf
#define VBE_DISPI_INDEX_ID          0x0
#define VBE_DISPI_INDEX_XRES        0x1
#define VBE_DISPI_INDEX_YRES        0x2
#define VBE_DISPI_INDEX_BPP         0x3
#define VBE_DISPI_INDEX_ENABLE      0x4
#define VBE_DISPI_INDEX_BANK        0x5
#define VBE_DISPI_INDEX_VIRT_WIDTH  0x6
#define VBE_DISPI_INDEX_VIRT_HEIGHT 0x7
#define VBE_DISPI_INDEX_X_OFFSET    0x8
#define VBE_DISPI_INDEX_Y_OFFSET    0x9
#define VBE_DISPI_INDEX_VIDEO_MEMORY_64K 0xa    /* QEMU: read-only */
#define VBE_DISPI_INDEX_NB          0xb
#define VBE_DISPI_ID0               0xb0c0
#define VBE_DISPI_ID5               0xb0c5
#define VBE_DISPI_DISABLED          0x00
#define VBE_DISPI_ENABLED           0x01
#define VBE_DISPI_GETCAPS           0x02
#define VBE_DISPI_8BIT_DAC          0x20
#define VBE_DISPI_LFB_ENABLED       0x40
#define VBE_DISPI_NOCLEARMEM        0x80
#define VBE_DISPI_MAX_XRES          16000
#define VBE_DISPI_MAX_YRES          12000
#define VBE_DISPI_MAX_BPP           32
#define VBE_DISPI_BANK_SIZE         (64 * KiB)

#define VGA_PLANE_SIZE      (64 * KiB)
#define VGA_PAGE_BITS       12      /* dirty tracking granularity: 4 KiB */

typedef struct VGAState {
    /* --- guest-visible state --- */
    uint8_t misc_output;
    uint8_t feature_ctl;
    uint8_t vse;                    /* video subsystem enable (3C3h) */
    uint8_t sr_index;
    uint8_t sr[8];
    uint8_t gr_index;
    uint8_t gr[16];
    uint8_t ar_index;               /* with VGA_AR_ENABLE_DISPLAY */
    uint8_t ar[VGA_ATT_NR];
    uint8_t ar_flip_flop;           /* 0: next 3C0h write is an index */
    uint8_t cr_index;
    uint8_t cr[VGA_CRTC_NR];
    uint8_t dac_state;              /* 0 after a write index, 3 after read */
    uint8_t dac_read_index, dac_write_index, dac_sub_index;
    uint8_t dac_cache[3];           /* colour being written */
    uint8_t dac_mask;
    uint8_t palette[768];           /* 256 entries of R, G, B (6 or 8 bit) */
    uint32_t latch;                 /* plane 0 in bits 0-7, ... */
    uint16_t vbe_index;
    uint16_t vbe_regs[VBE_DISPI_INDEX_NB];

    /* --- wiring --- */
    uint8_t *vram;                  /* vram_size bytes (the RAM region's) */
    uint32_t vram_size;             /* power of two, >= 256 KiB */
    MemoryRegion vram_mr;           /* the linear framebuffer (RAM) */
    MemoryRegion lowmem;            /* A0000h-BFFFFh window (I/O) */
    MemoryRegion io;                /* 3B0h-3DFh */
    MemoryRegion vbe_io;            /* 1CEh-1D1h */
    DisplayConsole *con;
    /* One bit per 4 KiB page of vram, set by every write the device sees.
     * UNIMPL: writes the guest makes straight into the RAM-mapped LFB
     * (KVM, the software CPU's TLB) are not seen: the renderer compares
     * a VBE frame with its copy of the last one (vbe_shadow) until KVM's
     * dirty log (kvm_get_dirty_log) feeds this bitmap. */
    unsigned long *dirty;
    /* What the last render produced, to decide what to redraw. */
    int last_mode;                  /* VGA_MODE_* */
    int last_width, last_height;
    bool full_update;
    uint32_t *text_cache;           /* char | attr << 8 | flags, per cell */
    unsigned text_cache_cells;
    uint8_t last_palette[768];
    uint8_t last_ar[VGA_ATT_NR];
    int last_cursor_offset;
    bool last_cursor_on;
    bool last_blink_on;
    uint8_t *vbe_shadow;            /* the last VBE frame's bytes */
    size_t vbe_shadow_size;
} VGAState;

enum {
    VGA_MODE_NONE,      /* blanked */
    VGA_MODE_TEXT,
    VGA_MODE_GRAPHICS,
    VGA_MODE_VBE,
};

/*
 * Core API (hw/display/vga.c). vga_init allocates vram (size rounded up
 * to a power of two, at least 256 KiB) and the regions; the caller maps
 * them: vga_map_legacy puts the window and the ports into the machine.
 */
bool vga_init(VGAState *s, const char *name, uint32_t vram_size,
              Error **errp);
void vga_map_legacy(VGAState *s, MemoryRegion *pci_memory,
                    MemoryRegion *io);
void vga_reset(VGAState *s);
extern const VMStateDescription vmstate_vga;
bool vga_post_load(VGAState *s, Error **errp);

uint32_t vga_ioport_read(VGAState *s, uint32_t port);
void vga_ioport_write(VGAState *s, uint32_t port, uint32_t val);
uint8_t vga_mem_readb(VGAState *s, uint32_t offset);   /* from A0000h */
void vga_mem_writeb(VGAState *s, uint32_t offset, uint8_t val);
uint16_t vbe_ioport_read_data(VGAState *s);
void vbe_ioport_write_data(VGAState *s, uint16_t val);
void vga_mark_dirty(VGAState *s, uint32_t offset, uint32_t len);
/* Virtual time in ns: input status 1's retrace bits derive from it. */
uint8_t vga_input_status1(VGAState *s, int64_t now_ns);
static inline bool vbe_enabled(const VGAState *s)
{
    return s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_ENABLED;
}

/* Renderer (hw/display/vga-render.c): GraphicHwOps for the console. */
void vga_update_display(void *opaque);
void vga_invalidate_display(void *opaque);
extern const GraphicHwOps vga_graphic_ops;
/* Blink phases at virtual time now_ns: cursor (16 frames per phase) and
 * blinking characters (32 frames), as the VGA's frame counter makes them. */
bool vga_cursor_blink_on(int64_t now_ns);
bool vga_char_blink_on(int64_t now_ns);

/* -vga: QEMU's names. "std" and "none" work; "cirrus" is not built yet.
 * Returns the name for MachineConfig.vga, or exits with one error line. */
const char *vga_parse_option(const char *arg);
/* The VGA the board creates: -vga's choice; else none with -nodefaults
 * or when a -device already names a display adapter; else "std". */
const char *vga_choose_default(const char *vga_opt, bool nodefaults,
                               const char *const *device_args,
                               unsigned nr_device_args);

#endif
