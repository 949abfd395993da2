/*
 * Cirrus Logic CL-GD5446 ("Alpine" family) on PCI: the registers it adds
 * around the VGA core, shared by the device (hw/display/cirrus-vga.c) and
 * its BitBLT engine (hw/display/cirrus-blit.c).
 *
 * Source: Cirrus Logic "CL-GD5446 Technical Reference Manual" (register
 * chapters: sequencer SR6-SR1F, graphics controller GR9-GR3F, CRTC
 * CR19-CR27, the hidden DAC register, the BitBLT engine and its
 * memory-mapped register map). docs/devices/cirrus-vga.md lists the
 * facts this emulation relies on.
 *
 * Locking: the BQL, like every device.
 */
#ifndef HW_DISPLAY_CIRRUS_VGA_H
#define HW_DISPLAY_CIRRUS_VGA_H

#include "hw/display/vga.h"

#define CIRRUS_VRAM_SIZE        (4 * MiB)
#define CIRRUS_ID_CLGD5446      0xb8    /* CR27 and the PCI device ID */

/* --- sequencer extensions ----------------------------------------------- */
#define CIRRUS_SR_NR            0x20
#define CIRRUS_SR6_UNLOCK       0x06    /* write 12h: extensions unlocked */
#define  CIRRUS_SR6_KEY         0x12
#define  CIRRUS_SR6_LOCKED      0x0f    /* what SR6 reads while locked */
#define CIRRUS_SR7_EXT_SEQ      0x07    /* extended sequencer mode */
#define  CIRRUS_SR7_EXTENDED    0x01    /* packed-pixel (linear) modes */
#define  CIRRUS_SR7_DEPTH_MASK  0x0e
#define  CIRRUS_SR7_DEPTH_8     0x00
#define  CIRRUS_SR7_DEPTH_16_2X 0x02    /* 16 bpp, clock doubled */
#define  CIRRUS_SR7_DEPTH_24    0x04
#define  CIRRUS_SR7_DEPTH_16    0x06
#define  CIRRUS_SR7_DEPTH_32    0x08
#define CIRRUS_SR_SCRATCH0      0x09
#define CIRRUS_SR_SCRATCH1      0x0a
#define CIRRUS_SR_DRAM_CTL      0x0f    /* bits 3-4 bus width, 7: 2nd bank */
#define CIRRUS_SR_CURSOR_X      0x10    /* index bits 5-7: X bits 0-2 */
#define CIRRUS_SR_CURSOR_Y      0x11    /* index bits 5-7: Y bits 0-2 */
#define CIRRUS_SR_CURSOR_ATTR   0x12
#define  CIRRUS_CURSOR_ENABLE   0x01
#define  CIRRUS_CURSOR_DAC_EXT  0x02    /* DAC entries 0/0Fh: cursor colours */
#define  CIRRUS_CURSOR_64       0x04    /* 64x64 instead of 32x32 */
#define CIRRUS_SR_CURSOR_ADDR   0x13    /* pattern select */
#define CIRRUS_SR_CONFIG        0x17    /* config readback, MMIO control */
#define  CIRRUS_SR17_MMIO       0x04    /* memory-mapped I/O enable */
#define  CIRRUS_SR17_MMIO_LFB   0x40    /* MMIO at the LFB's end, not B8000h */

/* --- graphics controller extensions ------------------------------------- */
#define CIRRUS_GR_NR            0x40
#define CIRRUS_GR_OFFSET0       0x09    /* bank 0 offset */
#define CIRRUS_GR_OFFSET1       0x0a    /* bank 1 offset */
#define CIRRUS_GR_MODE_EXT      0x0b
#define  CIRRUS_GRB_DUAL_BANK   0x01    /* A0000h/A8000h: two 32 KiB banks */
#define  CIRRUS_GRB_BY8         0x02    /* 8-byte addressing */
#define  CIRRUS_GRB_EXT_WRITE   0x04    /* write modes 4 and 5 */
#define  CIRRUS_GRB_BY16        0x10    /* 16-byte (16 bpp) addressing */
#define  CIRRUS_GRB_16K_GRAN    0x20    /* offsets in 16 KiB, not 4 KiB */
#define CIRRUS_GR_BG1           0x10    /* colour bytes 1-3: GR10/12/14 */
#define CIRRUS_GR_FG1           0x11    /* GR11/13/15 */
#define CIRRUS_GR_BLT_WIDTH     0x20    /* 20h-21h: bytes - 1 (13 bits) */
#define CIRRUS_GR_BLT_HEIGHT    0x22    /* 22h-23h: lines - 1 (11 bits) */
#define CIRRUS_GR_BLT_DPITCH    0x24    /* 24h-25h (13 bits) */
#define CIRRUS_GR_BLT_SPITCH    0x26    /* 26h-27h (13 bits) */
#define CIRRUS_GR_BLT_DADDR     0x28    /* 28h-2Ah (22 bits) */
#define CIRRUS_GR_BLT_SADDR     0x2c    /* 2Ch-2Eh (22 bits) */
#define CIRRUS_GR_BLT_DSKIP     0x2f    /* destination left-side clip */
#define CIRRUS_GR_BLT_MODE      0x30
#define  CIRRUS_BLTMODE_BACKWARDS   0x01
#define  CIRRUS_BLTMODE_MEMSYSDEST  0x02
#define  CIRRUS_BLTMODE_MEMSYSSRC   0x04
#define  CIRRUS_BLTMODE_TRANSPARENT 0x08
#define  CIRRUS_BLTMODE_DEPTH_MASK  0x30  /* 8, 16, 24, 32 bpp */
#define  CIRRUS_BLTMODE_PATTERN     0x40
#define  CIRRUS_BLTMODE_EXPAND      0x80
#define CIRRUS_GR_BLT_STATUS    0x31
#define  CIRRUS_BLT_BUSY        0x01
#define  CIRRUS_BLT_START       0x02
#define  CIRRUS_BLT_RESET       0x04
#define  CIRRUS_BLT_PROGRESS    0x08
#define  CIRRUS_BLT_AUTOSTART   0x80
#define CIRRUS_GR_BLT_ROP       0x32
#define CIRRUS_GR_BLT_MODE_EXT  0x33
#define  CIRRUS_BLTEXT_EXPAND_INV   0x02  /* colour expand: invert source */
#define  CIRRUS_BLTEXT_SOLID_FILL   0x04
#define CIRRUS_GR_BLT_TCOLOR    0x34    /* 34h-35h transparent colour */
#define CIRRUS_GR_BLT_TMASK     0x36    /* 36h-37h */

/* --- CRTC extensions ---------------------------------------------------- */
#define CIRRUS_CR_NR            0x40
#define CIRRUS_CR_INTERLACE_END 0x19
#define CIRRUS_CR_MISC_CTL      0x1a    /* bit 0: interlace */
#define CIRRUS_CR_EXT_DISP      0x1b    /* start bits 16/17-18, offset b8 */
#define CIRRUS_CR_EXT_OVERLAY   0x1d    /* bit 7: start address bit 19 */
#define CIRRUS_CR_ID            0x27

/* --- the memory-mapped BitBLT registers (B8000h, BAR1 + 100h) ----------- */
#define CIRRUS_MMIO_BLT_BG      0x00    /* 4 bytes: GR0, GR10, GR12, GR14 */
#define CIRRUS_MMIO_BLT_FG      0x04    /* 4 bytes: GR1, GR11, GR13, GR15 */
#define CIRRUS_MMIO_BLT_WIDTH   0x08
#define CIRRUS_MMIO_BLT_HEIGHT  0x0a
#define CIRRUS_MMIO_BLT_DPITCH  0x0c
#define CIRRUS_MMIO_BLT_SPITCH  0x0e
#define CIRRUS_MMIO_BLT_DADDR   0x10
#define CIRRUS_MMIO_BLT_SADDR   0x14
#define CIRRUS_MMIO_BLT_DSKIP   0x17
#define CIRRUS_MMIO_BLT_MODE    0x18
#define CIRRUS_MMIO_BLT_ROP     0x1a
#define CIRRUS_MMIO_BLT_MODEEXT 0x1b
#define CIRRUS_MMIO_BLT_TCOLOR  0x1c
#define CIRRUS_MMIO_BLT_TMASK   0x20
#define CIRRUS_MMIO_BLT_STATUS  0x40
#define CIRRUS_MMIO_SIZE        0x100

/* The 16 raster operations (GR32), in the manual's table. */
#define CIRRUS_ROP_0                0x00
#define CIRRUS_ROP_SRC_AND_DST      0x05
#define CIRRUS_ROP_DST              0x06
#define CIRRUS_ROP_SRC_AND_NOTDST   0x09
#define CIRRUS_ROP_NOTDST           0x0b
#define CIRRUS_ROP_SRC              0x0d
#define CIRRUS_ROP_1                0x0e
#define CIRRUS_ROP_NOTSRC_AND_DST   0x50
#define CIRRUS_ROP_SRC_XOR_DST      0x59
#define CIRRUS_ROP_SRC_OR_DST       0x6d
#define CIRRUS_ROP_NOTSRC_OR_NOTDST 0x90
#define CIRRUS_ROP_SRC_XNOR_DST     0x95
#define CIRRUS_ROP_SRC_OR_NOTDST    0xad
#define CIRRUS_ROP_NOTSRC           0xd0
#define CIRRUS_ROP_NOTSRC_OR_DST    0xd6
#define CIRRUS_ROP_NOTSRC_AND_NOTDST 0xda

/* The longest source line a system-to-screen BitBLT collects: 13-bit
 * width in bytes, padded to a doubleword. */
#define CIRRUS_BLT_BUF_SIZE     (8 * KiB + 4)

typedef struct CirrusVGAState {
    /* --- guest-visible state --- */
    VGAState vga;                   /* SR0-4, GR0-8, CR0-18, AR, DAC, ... */
    uint8_t sr_index;               /* the full index (the core keeps 3 bits) */
    uint8_t sr[CIRRUS_SR_NR];       /* extended part; 0-4 live in vga.sr */
    uint8_t gr_index;
    uint8_t gr[CIRRUS_GR_NR];       /* GR0/GR1/GR5 all 8 bits, GR9 on */
    uint8_t cr[CIRRUS_CR_NR];       /* CR19 on */
    uint8_t hdr;                    /* hidden DAC register */
    uint8_t hdr_reads;              /* consecutive reads of 3C6h */
    uint16_t cursor_x, cursor_y;    /* 11 bits each */
    uint8_t cursor_palette[6];      /* background R, G, B; foreground */
    /* A system-to-screen BitBLT waiting for its source data. */
    bool blt_sys_active;
    uint32_t blt_line_bytes;        /* source bytes per line (padded) */
    uint32_t blt_buf_used;
    uint32_t blt_line;              /* lines done */
    uint8_t blt_buf[CIRRUS_BLT_BUF_SIZE];

    /* --- wiring --- */
    MemoryRegion lowmem;            /* A0000h-BFFFFh */
    MemoryRegion io;                /* 3B0h-3DFh */
    MemoryRegion lfb;               /* BAR0 container, 32 MiB */
    MemoryRegion lfb_mmio;          /* the MMIO block at the end of 4 MiB */
    MemoryRegion lfb_blt;           /* BitBLT data port over the LFB */
    MemoryRegion swap16, swap32;    /* byte-swapping apertures */
    MemoryRegion bltport;           /* 16 MiB: the BitBLT data aperture */
    MemoryRegion mmio;              /* BAR1 */
    /* Renderer: what the last extended frame showed. */
    bool ext_shown;
    uint8_t *shadow;
    size_t shadow_size;
    int last_cx, last_cy, last_csize; /* cursor rectangle drawn; size 0 */
} CirrusVGAState;

/* hw/display/cirrus-vga.c: the chip without its PCI wrapper (tests). */
bool cirrus_init(CirrusVGAState *s, const char *name, Error **errp);
void cirrus_reset(CirrusVGAState *s);
extern const VMStateDescription vmstate_cirrus;
bool cirrus_post_load(CirrusVGAState *s, Error **errp);
uint32_t cirrus_ioport_read(CirrusVGAState *s, uint32_t port);
void cirrus_ioport_write(CirrusVGAState *s, uint32_t port, uint32_t val);
uint8_t cirrus_mmio_blt_read(CirrusVGAState *s, uint32_t offset);
void cirrus_mmio_blt_write(CirrusVGAState *s, uint32_t offset, uint8_t val);
extern const GraphicHwOps cirrus_graphic_ops;

/* hw/display/cirrus-blit.c */
void cirrus_blt_start(CirrusVGAState *s);
void cirrus_blt_reset(CirrusVGAState *s);
/* One byte of a system-to-screen BitBLT's source (the data port). */
void cirrus_blt_data_write(CirrusVGAState *s, uint8_t val);
uint8_t cirrus_rop(uint8_t rop, uint8_t src, uint8_t dst);
bool cirrus_rop_valid(uint8_t rop);

#endif
