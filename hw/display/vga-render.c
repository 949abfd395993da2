/*
 * The VGA's picture: what the CRT controller, the attribute controller and
 * the DAC make of video memory, drawn into the console's XRGB8888 surface.
 *
 * Sources: IBM "VGA Technical Reference" and FreeVGA for the CRTC's
 * address generation (byte, word and doubleword modes, CR13 offset, CR09
 * maximum scan line and double scan), the character generator (fonts in
 * plane 2, 32 bytes per character, character map select in SR03, the 9th
 * column for line-graphics characters C0h-DFh), attributes (blink and
 * intensity, cursor CR0A/CR0B/CR0E/CR0F), the attribute controller's
 * palette (AR00-AR0F, AR10 P54S, AR14) and the DAC.
 *
 * Modes drawn: text (any column count, 8/9-dot characters, 1-32 scan
 * lines), 16-colour planar graphics (640x480x16, 320x200x16, ...),
 * 256-colour chain-4 or unchained (320x200x256, mode X), Bochs VBE linear
 * 8/15/16/24/32 bpp.
 *
 * Only what changed is redrawn: text cells against a cache of what each
 * cell showed, graphics lines against the dirty page bitmap the write
 * path keeps, VBE lines against a copy of the last frame (the LFB is RAM
 * the guest writes without us seeing it; KVM's dirty log will replace the
 * comparison). A palette change redraws everything.
 *
 * Also the CGA-compatible modes: 2-bpp shift register interleave (GR05
 * bit 5) and the row-scan-counter bank bits (CR17 bits 0-1) for
 * 320x200x4 and 640x200x2.
 *
 * Not emulated: pel panning, line compare (split screen), underline in
 * monochrome text.
 */
#include "hw/display/vga.h"
#include "softmmu/timer.h"

/* Frame counter phases (70 Hz frames): the cursor toggles every 16
 * frames, blinking characters every 32. */
#define VGA_BLINK_FRAME_NS (NANOSECONDS_PER_SECOND / 70)

bool vga_cursor_blink_on(int64_t now_ns)
{
    return ((now_ns / (16 * VGA_BLINK_FRAME_NS)) & 1) == 0;
}

bool vga_char_blink_on(int64_t now_ns)
{
    return ((now_ns / (32 * VGA_BLINK_FRAME_NS)) & 1) == 0;
}

/* --- colours ---------------------------------------------------------------- */

static uint32_t vga_dac_rgb(VGAState *s, uint8_t index)
{
    const uint8_t *p = s->palette + (index & s->dac_mask) * 3;
    uint32_t r = p[0], g = p[1], b = p[2];

    if (!(s->vbe_regs[VBE_DISPI_INDEX_ENABLE] & VBE_DISPI_8BIT_DAC)) {
        /* 6-bit components scaled to 8 bits. */
        r = (r & 0x3f) << 2 | (r & 0x3f) >> 4;
        g = (g & 0x3f) << 2 | (g & 0x3f) >> 4;
        b = (b & 0x3f) << 2 | (b & 0x3f) >> 4;
    }
    return r << 16 | g << 8 | b;
}

/* A 4-bit attribute colour through the attribute palette to the DAC. */
static uint8_t vga_attr_to_dac(VGAState *s, uint8_t col)
{
    uint8_t v = s->ar[col & 0x0f];
    uint8_t page = s->ar[VGA_ATC_COLOR_PAGE];

    if (s->ar[VGA_ATC_MODE] & VGA_AR10_P54S) {
        v = (v & 0x0f) | (page & 0x03) << 4;
    }
    return (v & 0x3f) | (page & 0x0c) << 4;
}

/* --- CRTC address generation --------------------------------------------------- */

typedef struct VGAGeometry {
    unsigned hde;           /* character clocks per line */
    unsigned vde;           /* scan lines displayed */
    uint32_t start;         /* memory address counter at the top */
    uint32_t offset;        /* MA increment per character row */
    unsigned shift;         /* 0 byte, 1 word, 2 doubleword addressing */
    bool wrap15;            /* word mode: MA bit 15 (else 13) into A0 */
} VGAGeometry;

static void vga_get_geometry(VGAState *s, VGAGeometry *g)
{
    const uint8_t *cr = s->cr;

    g->hde = cr[VGA_CRTC_H_DISP] + 1;
    g->vde = (cr[VGA_CRTC_V_DISP_END] |
              (cr[VGA_CRTC_OVERFLOW] & 0x02) << 7 |
              (cr[VGA_CRTC_OVERFLOW] & 0x40) << 3) + 1;
    g->start = cr[VGA_CRTC_START_HI] << 8 | cr[VGA_CRTC_START_LO];
    g->offset = cr[VGA_CRTC_OFFSET] * 2;
    if (cr[VGA_CRTC_UNDERLINE] & VGA_CR14_DW) {
        g->shift = 2;
    } else if (cr[VGA_CRTC_MODE] & VGA_CR17_BYTE_MODE) {
        g->shift = 0;
    } else {
        g->shift = 1;
    }
    g->wrap15 = cr[VGA_CRTC_MODE] & VGA_CR17_ADDR_WRAP;
}

/* The plane address the CRTC puts out for memory address counter ma. */
static uint32_t vga_crtc_addr(const VGAGeometry *g, uint32_t ma)
{
    uint32_t a;

    switch (g->shift) {
    case 0:
        a = ma;
        break;
    case 1:
        a = ma << 1 | ((ma >> (g->wrap15 ? 15 : 13)) & 1);
        break;
    default:
        a = ma << 2 | ((ma >> 14) & 3);
        break;
    }
    return a & (VGA_PLANE_SIZE - 1);
}

static inline const uint8_t *vga_plane_ptr(VGAState *s, uint32_t paddr)
{
    return s->vram + (paddr & (VGA_PLANE_SIZE - 1)) * 4;
}

static bool vga_page_dirty(VGAState *s, uint32_t offset)
{
    uint32_t p = offset >> VGA_PAGE_BITS;

    return s->dirty[p / (8 * sizeof(long))] & (1UL << (p % (8 * sizeof(long))));
}

static void vga_clear_dirty(VGAState *s, uint32_t offset, uint32_t len)
{
    uint32_t first = offset >> VGA_PAGE_BITS;
    uint32_t last = (offset + len - 1) >> VGA_PAGE_BITS;

    for (uint32_t p = first; p <= last; p++) {
        s->dirty[p / (8 * sizeof(long))] &= ~(1UL << (p % (8 * sizeof(long))));
    }
}

/* --- surface bookkeeping ------------------------------------------------------- */

/* Makes the surface width x height; a new surface means a full redraw. */
static bool vga_resize(VGAState *s, int mode, int width, int height)
{
    DisplaySurface *surf = console_surface(s->con);

    width = CLAMP(width, 1, DISPLAY_MAX_DIM);
    height = CLAMP(height, 1, DISPLAY_MAX_DIM);
    if (surf->width != width || surf->height != height) {
        dpy_gfx_replace_surface(s->con, display_surface_new(width, height));
        s->full_update = true;
    }
    if (mode != s->last_mode) {
        s->full_update = true;
    }
    s->last_mode = mode;
    s->last_width = width;
    s->last_height = height;
    return s->full_update;
}

static inline uint32_t *surface_line(DisplaySurface *surf, int y)
{
    return (uint32_t *)(surf->data + (size_t)y * surf->stride);
}

/* Collects dirty lines into rectangles for the listeners. */
typedef struct DirtySpan {
    int first;      /* -1: none open */
} DirtySpan;

static void span_line(VGAState *s, DirtySpan *d, int y, bool dirty)
{
    DisplaySurface *surf = console_surface(s->con);

    if (dirty && d->first < 0) {
        d->first = y;
    } else if (!dirty && d->first >= 0) {
        dpy_gfx_update(s->con, 0, d->first, surf->width, y - d->first);
        d->first = -1;
    }
}

/* --- text ------------------------------------------------------------------------- */

static uint32_t vga_font_offset(unsigned map)
{
    return (map & 3) * 0x4000 + (map >> 2) * 0x2000;
}

static void vga_draw_text(VGAState *s, bool full)
{
    VGAGeometry g;
    DisplaySurface *surf;
    int64_t now = clock_get_ns(CLOCK_VIRTUAL);
    unsigned cw = (s->sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_CHAR_CLK_8DOTS) ? 8
                                                                       : 9;
    unsigned ch = (s->cr[VGA_CRTC_MAX_SCAN] & 0x1f) + 1;
    /* 40-column modes halve the dot clock: each dot is drawn twice. */
    unsigned dw = (s->sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_DOT_CLK_DIV2) ? 2
                                                                      : 1;
    unsigned cols, rows, cells;
    uint8_t sr3 = s->sr[VGA_SEQ_CHARACTER_MAP];
    uint32_t font_a = vga_font_offset((sr3 >> 5 & 1) << 2 | (sr3 >> 2 & 3));
    uint32_t font_b = vga_font_offset((sr3 >> 4 & 1) << 2 | (sr3 & 3));
    uint32_t cursor_ma = s->cr[VGA_CRTC_CURSOR_HI] << 8 |
                         s->cr[VGA_CRTC_CURSOR_LO];
    unsigned cur_start = s->cr[VGA_CRTC_CURSOR_START] & 0x1f;
    unsigned cur_end = s->cr[VGA_CRTC_CURSOR_END] & 0x1f;
    bool cursor_on = !(s->cr[VGA_CRTC_CURSOR_START] & VGA_CR0A_CURSOR_OFF) &&
                     vga_cursor_blink_on(now);
    bool blink_on = vga_char_blink_on(now);
    bool blink_attr = s->ar[VGA_ATC_MODE] & VGA_AR10_BLINK;
    bool line_gfx = s->ar[VGA_ATC_MODE] & VGA_AR10_LINE_GRAPHICS;
    uint32_t colors[16];

    vga_get_geometry(s, &g);
    cols = MIN(g.hde, DISPLAY_MAX_DIM / (cw * dw));
    rows = MAX(g.vde / ch, 1);
    rows = MIN(rows, DISPLAY_MAX_DIM / ch);
    full |= vga_resize(s, VGA_MODE_TEXT, cols * cw * dw, rows * ch);
    surf = console_surface(s->con);
    cells = cols * rows;
    if (s->text_cache_cells != cells) {
        g_free(s->text_cache);
        s->text_cache = g_new(uint32_t, cells);
        s->text_cache_cells = cells;
        full = true;
    }
    for (int i = 0; i < 16; i++) {
        colors[i] = vga_dac_rgb(s, vga_attr_to_dac(s, i));
    }

    for (unsigned r = 0; r < rows; r++) {
        bool row_dirty = false;
        for (unsigned c = 0; c < cols; c++) {
            uint32_t ma = (g.start + r * g.offset + c) & 0xffff;
            const uint8_t *cell = vga_plane_ptr(s, vga_crtc_addr(&g, ma));
            uint8_t chr = cell[0], attr = cell[1];
            bool cur = cursor_on && ma == cursor_ma;
            bool blink_hide = blink_attr && (attr & 0x80) && !blink_on;
            uint32_t key = chr | attr << 8 | cur << 16 | blink_hide << 17;
            uint32_t fg, bg, font;
            uint32_t *cache = &s->text_cache[r * cols + c];

            if (!full && *cache == key) {
                continue;
            }
            *cache = key;
            row_dirty = true;
            font = (attr & 0x08) ? font_a : font_b;
            bg = colors[blink_attr ? (attr >> 4) & 7 : attr >> 4];
            fg = blink_hide ? bg : colors[attr & 0x0f];
            for (unsigned l = 0; l < ch; l++) {
                uint8_t bits = vga_plane_ptr(s, font + chr * 32 + l)[2];
                uint32_t *out = surface_line(surf, r * ch + l) + c * cw * dw;
                uint32_t dst[9];
                bool cur_line = cur && cur_start <= cur_end &&
                                l >= cur_start && l <= cur_end;
                if (cur_line) {
                    bits = 0xff;
                }
                for (int x = 0; x < 8; x++) {
                    dst[x] = (bits & (0x80 >> x)) ? fg : bg;
                }
                if (cw == 9) {
                    /* The 9th dot repeats the 8th for line-graphics
                     * characters (and under the cursor), else it is
                     * background. */
                    bool copy = (line_gfx && chr >= 0xc0 && chr <= 0xdf) ||
                                cur_line;
                    dst[8] = copy && (bits & 1) ? fg : bg;
                }
                for (unsigned x = 0; x < cw * dw; x++) {
                    out[x] = dst[x / dw];
                }
            }
        }
        if (row_dirty) {
            dpy_gfx_update(s->con, 0, r * ch, surf->width, ch);
        }
    }
}

/* --- graphics ---------------------------------------------------------------------- */

/*
 * CRTC mode control bits 0 and 1 (CGA and Hercules compatibility): when
 * clear, bit 0 (1) of the row scan counter replaces address bit 13 (14),
 * so successive scan lines of a character row come from the 8 KiB banks
 * CGA graphics interleave.
 */
static uint32_t vga_cga_addr(VGAState *s, uint32_t a, unsigned rsc)
{
    uint8_t cr17 = s->cr[VGA_CRTC_MODE];

    if (!(cr17 & 0x01)) {
        a = (a & ~0x2000u) | (rsc & 1) << 13;
    }
    if (!(cr17 & 0x02)) {
        a = (a & ~0x4000u) | ((rsc >> 1) & 1) << 14;
    }
    return a;
}

static void vga_draw_graphics(VGAState *s, bool full)
{
    VGAGeometry g;
    DisplaySurface *surf;
    bool c256 = s->gr[VGA_GFX_MODE] & VGA_GR05_SHIFT256;
    bool cga2 = !c256 && (s->gr[VGA_GFX_MODE] & VGA_GR05_SHIFT_REG);
    unsigned scan_lines = (s->cr[VGA_CRTC_MAX_SCAN] & 0x1f) + 1;
    bool cga_banks = (s->cr[VGA_CRTC_MODE] & 0x03) != 0x03;
    unsigned repeat = s->cr[VGA_CRTC_MAX_SCAN] & VGA_CR09_DOUBLE_SCAN ? 2 : 1;
    unsigned width, height;
    uint8_t plane_enable = s->ar[VGA_ATC_PLANE_ENABLE] & 0x0f;
    uint32_t colors[256];
    DirtySpan span = { -1 };

    vga_get_geometry(s, &g);
    /* Scan lines of one character row repeat the same memory unless the
     * CGA bank bits take the row scan counter: then each is its own. */
    if (!cga_banks) {
        repeat *= scan_lines;
    }
    width = c256 ? g.hde * 4 : g.hde * 8;
    height = MAX(g.vde / repeat, 1);
    width = MIN(width, DISPLAY_MAX_DIM);
    height = MIN(height, DISPLAY_MAX_DIM);
    full |= vga_resize(s, VGA_MODE_GRAPHICS, width, height);
    surf = console_surface(s->con);
    if (c256) {
        for (int i = 0; i < 256; i++) {
            colors[i] = vga_dac_rgb(s, i);
        }
    } else {
        for (int i = 0; i < 16; i++) {
            colors[i] = vga_dac_rgb(s, vga_attr_to_dac(s, i & plane_enable));
        }
    }

    for (unsigned y = 0; y < height; y++) {
        unsigned row = cga_banks ? y / scan_lines : y;
        unsigned rsc = cga_banks ? y % scan_lines : 0;
        uint32_t ma = g.start + row * g.offset;
        unsigned clocks = c256 ? width / 4 : width / 8;
        bool dirty = full;
        uint32_t *dst = surface_line(surf, y);

        for (unsigned k = 0; !dirty && k < clocks; k++) {
            uint32_t a = vga_cga_addr(s, vga_crtc_addr(&g, (ma + k) & 0xffff),
                                      rsc);
            dirty = vga_page_dirty(s, (a & (VGA_PLANE_SIZE - 1)) * 4);
        }
        span_line(s, &span, y, dirty);
        if (!dirty) {
            continue;
        }
        for (unsigned k = 0; k < clocks; k++) {
            const uint8_t *p = vga_plane_ptr(s,
                vga_cga_addr(s, vga_crtc_addr(&g, (ma + k) & 0xffff), rsc));
            if (c256) {
                for (int i = 0; i < 4; i++) {
                    dst[k * 4 + i] = colors[p[i]];
                }
            } else if (cga2) {
                /* Shift register interleave: 2-bit pixels, four from the
                 * even plane's byte, then four from the odd plane's;
                 * planes 2 and 3 give bits 2 and 3. */
                for (int i = 0; i < 8; i++) {
                    unsigned sh = 6 - 2 * (i & 3), odd = i >> 2;
                    uint8_t col = ((p[odd] >> sh) & 3) |
                                  ((p[2 + odd] >> sh) & 3) << 2;
                    dst[k * 8 + i] = colors[col];
                }
            } else {
                for (int bit = 0; bit < 8; bit++) {
                    unsigned sh = 7 - bit;
                    uint8_t col = ((p[0] >> sh) & 1) | ((p[1] >> sh) & 1) << 1 |
                                  ((p[2] >> sh) & 1) << 2 |
                                  ((p[3] >> sh) & 1) << 3;
                    dst[k * 8 + bit] = colors[col];
                }
            }
        }
    }
    span_line(s, &span, height, false);
    vga_clear_dirty(s, 0, 4 * VGA_PLANE_SIZE);
}

/* --- Bochs VBE ------------------------------------------------------------------------ */

static void vga_draw_vbe(VGAState *s, bool full)
{
    const uint16_t *r = s->vbe_regs;
    unsigned width = r[VBE_DISPI_INDEX_XRES], height = r[VBE_DISPI_INDEX_YRES];
    unsigned bpp = r[VBE_DISPI_INDEX_BPP];
    unsigned bytes_pp = (bpp + 7) / 8;
    uint64_t line = (uint64_t)r[VBE_DISPI_INDEX_VIRT_WIDTH] * bytes_pp;
    uint64_t start = r[VBE_DISPI_INDEX_Y_OFFSET] * line +
                     (uint64_t)r[VBE_DISPI_INDEX_X_OFFSET] * bytes_pp;
    uint64_t row_bytes = (uint64_t)width * bytes_pp;
    DisplaySurface *surf;
    DirtySpan span = { -1 };
    uint32_t colors[256];

    full |= vga_resize(s, VGA_MODE_VBE, width, height);
    surf = console_surface(s->con);
    if (s->vbe_shadow_size != row_bytes * surf->height) {
        g_free(s->vbe_shadow);
        s->vbe_shadow_size = row_bytes * surf->height;
        s->vbe_shadow = g_malloc(s->vbe_shadow_size);
        full = true;
    }
    if (bpp == 8) {
        for (int i = 0; i < 256; i++) {
            colors[i] = vga_dac_rgb(s, i);
        }
    }
    for (unsigned y = 0; y < (unsigned)surf->height; y++) {
        uint64_t off = start + y * line;
        const uint8_t *src;
        uint32_t *dst = surface_line(surf, y);

        if (off + row_bytes > s->vram_size) {
            /* The guest panned past the end of video memory. */
            span_line(s, &span, y, full);
            if (full) {
                memset(dst, 0, surf->width * 4);
            }
            continue;
        }
        src = s->vram + off;
        if (!full && !memcmp(s->vbe_shadow + y * row_bytes, src, row_bytes)) {
            span_line(s, &span, y, false);
            continue;
        }
        memcpy(s->vbe_shadow + y * row_bytes, src, row_bytes);
        span_line(s, &span, y, true);
        for (unsigned x = 0; x < (unsigned)surf->width; x++) {
            const uint8_t *p = src + x * bytes_pp;
            uint32_t v, rr, gg, bb;
            switch (bpp) {
            case 8:
                dst[x] = colors[p[0]];
                break;
            case 15:
                v = p[0] | p[1] << 8;
                rr = (v >> 10) & 0x1f;
                gg = (v >> 5) & 0x1f;
                bb = v & 0x1f;
                dst[x] = (rr << 3 | rr >> 2) << 16 | (gg << 3 | gg >> 2) << 8 |
                         (bb << 3 | bb >> 2);
                break;
            case 16:
                v = p[0] | p[1] << 8;
                rr = (v >> 11) & 0x1f;
                gg = (v >> 5) & 0x3f;
                bb = v & 0x1f;
                dst[x] = (rr << 3 | rr >> 2) << 16 | (gg << 2 | gg >> 4) << 8 |
                         (bb << 3 | bb >> 2);
                break;
            default:        /* 24 and 32: B, G, R (, X) */
                dst[x] = (uint32_t)p[2] << 16 | p[1] << 8 | p[0];
                break;
            }
        }
    }
    span_line(s, &span, surf->height, false);
}

/* --- entry points ------------------------------------------------------------------- */

static void vga_draw_blank(VGAState *s, bool full)
{
    DisplaySurface *surf;
    int w = s->last_width > 0 ? s->last_width : 640;
    int h = s->last_height > 0 ? s->last_height : 480;

    full |= vga_resize(s, VGA_MODE_NONE, w, h);
    if (full) {
        surf = console_surface(s->con);
        memset(surf->data, 0, (size_t)surf->stride * surf->height);
        dpy_gfx_update(s->con, 0, 0, surf->width, surf->height);
    }
}

void vga_update_display(void *opaque)
{
    VGAState *s = opaque;
    bool full = s->full_update;

    /* A palette change recolours everything already drawn. */
    if (memcmp(s->last_palette, s->palette, sizeof(s->palette)) ||
        memcmp(s->last_ar, s->ar, sizeof(s->ar))) {
        memcpy(s->last_palette, s->palette, sizeof(s->palette));
        memcpy(s->last_ar, s->ar, sizeof(s->ar));
        full = true;
    }
    s->full_update = false;
    if (vbe_enabled(s)) {
        vga_draw_vbe(s, full);
    } else if (!(s->ar_index & VGA_AR_ENABLE_DISPLAY) ||
               (s->sr[VGA_SEQ_CLOCK_MODE] & VGA_SR01_SCREEN_OFF)) {
        vga_draw_blank(s, full);
    } else if (s->gr[VGA_GFX_MISC] & VGA_GR06_GRAPHICS_MODE) {
        vga_draw_graphics(s, full);
    } else {
        vga_draw_text(s, full);
    }
    s->full_update = false;
}

void vga_invalidate_display(void *opaque)
{
    VGAState *s = opaque;

    s->full_update = true;
}

const GraphicHwOps vga_graphic_ops = {
    .gfx_update = vga_update_display,
    .invalidate = vga_invalidate_display,
};
