/*
 * The CL-GD5446's BitBLT engine: rectangle copies inside video memory,
 * 8x8 pattern fills, colour expansion of monochrome bitmaps, and
 * system-to-screen transfers fed through the BitBLT data port.
 *
 * Source: Cirrus Logic "CL-GD5446 Technical Reference Manual", chapter
 * "BitBLT Engine" (GR20-GR37 and their memory-mapped aliases, the BLT
 * mode bits, the 16 raster operations, colour expansion with and without
 * transparency, pattern copy, system-memory source with doubleword-padded
 * lines).
 *
 * The engine works on bytes: every ROP is bitwise, so a copy at 16, 24 or
 * 32 bpp is the same byte operation as at 8 bpp. The depth matters only
 * where a pixel is made from something else (colour expansion: the
 * foreground/background colour bytes; patterns: 8 pixels per line).
 *
 * Guests are hostile: width (13 bits), height (11 bits), pitches (13 bits)
 * and 22-bit addresses can describe a rectangle far outside the 4 MiB of
 * video memory (QEMU's CVE-2014-8106, CVE-2016-9921, CVE-2017-2615,
 * CVE-2017-2620 were all that). Every BitBLT's destination and source
 * extents are computed in 64 bits before it starts; one that leaves video
 * memory is refused with guest_error() and does nothing. Each byte access
 * is checked again as a second line of defence.
 *
 * Not emulated: system-memory destinations (BLT mode bit 1; refused),
 * transparency without colour expansion (GR34-GR37 colour compare; drawn
 * opaque and logged), backward pattern or expansion BitBLTs (refused),
 * the BitBLT's duration: it completes at the write that starts it.
 */
#include "hw/display/cirrus-vga.h"

uint8_t cirrus_rop(uint8_t rop, uint8_t s, uint8_t d)
{
    switch (rop) {
    case CIRRUS_ROP_0:                  return 0;
    case CIRRUS_ROP_SRC_AND_DST:        return s & d;
    case CIRRUS_ROP_DST:                return d;
    case CIRRUS_ROP_SRC_AND_NOTDST:     return s & ~d;
    case CIRRUS_ROP_NOTDST:             return ~d;
    case CIRRUS_ROP_SRC:                return s;
    case CIRRUS_ROP_1:                  return 0xff;
    case CIRRUS_ROP_NOTSRC_AND_DST:     return ~s & d;
    case CIRRUS_ROP_SRC_XOR_DST:        return s ^ d;
    case CIRRUS_ROP_SRC_OR_DST:         return s | d;
    case CIRRUS_ROP_NOTSRC_OR_NOTDST:   return ~s | ~d;
    case CIRRUS_ROP_SRC_XNOR_DST:       return ~(s ^ d);
    case CIRRUS_ROP_SRC_OR_NOTDST:      return s | ~d;
    case CIRRUS_ROP_NOTSRC:             return ~s;
    case CIRRUS_ROP_NOTSRC_OR_DST:      return ~s | d;
    case CIRRUS_ROP_NOTSRC_AND_NOTDST:  return ~s & ~d;
    default:                            return d;
    }
}

bool cirrus_rop_valid(uint8_t rop)
{
    static const uint8_t rops[] = {
        0x00, 0x05, 0x06, 0x09, 0x0b, 0x0d, 0x0e, 0x50,
        0x59, 0x6d, 0x90, 0x95, 0xad, 0xd0, 0xd6, 0xda,
    };

    for (size_t i = 0; i < ARRAY_SIZE(rops); i++) {
        if (rops[i] == rop) {
            return true;
        }
    }
    return false;
}

/* The registers of one BitBLT, decoded. */
typedef struct BltParams {
    uint32_t width;         /* bytes per line */
    uint32_t height;        /* lines */
    int64_t dpitch, spitch; /* negated for backward BitBLTs */
    uint32_t daddr, saddr;
    uint8_t mode, modeext, rop;
    unsigned bpp;           /* bytes per pixel, 1-4 */
    unsigned skip;          /* expansion: pixels skipped at each line's left */
    uint8_t fg[4], bg[4];
} BltParams;

static void blt_params(CirrusVGAState *s, BltParams *p)
{
    const uint8_t *gr = s->gr;

    p->width = ((gr[CIRRUS_GR_BLT_WIDTH + 1] & 0x1f) << 8 |
                gr[CIRRUS_GR_BLT_WIDTH]) + 1;
    p->height = ((gr[CIRRUS_GR_BLT_HEIGHT + 1] & 0x07) << 8 |
                 gr[CIRRUS_GR_BLT_HEIGHT]) + 1;
    p->dpitch = (gr[CIRRUS_GR_BLT_DPITCH + 1] & 0x1f) << 8 |
                gr[CIRRUS_GR_BLT_DPITCH];
    p->spitch = (gr[CIRRUS_GR_BLT_SPITCH + 1] & 0x1f) << 8 |
                gr[CIRRUS_GR_BLT_SPITCH];
    p->daddr = (gr[CIRRUS_GR_BLT_DADDR + 2] & 0x3f) << 16 |
               gr[CIRRUS_GR_BLT_DADDR + 1] << 8 | gr[CIRRUS_GR_BLT_DADDR];
    p->saddr = (gr[CIRRUS_GR_BLT_SADDR + 2] & 0x3f) << 16 |
               gr[CIRRUS_GR_BLT_SADDR + 1] << 8 | gr[CIRRUS_GR_BLT_SADDR];
    p->mode = gr[CIRRUS_GR_BLT_MODE];
    p->modeext = gr[CIRRUS_GR_BLT_MODE_EXT];
    p->rop = gr[CIRRUS_GR_BLT_ROP];
    p->bpp = 1 + ((p->mode & CIRRUS_BLTMODE_DEPTH_MASK) >> 4);
    p->skip = gr[CIRRUS_GR_BLT_DSKIP] & 0x07;
    if (p->mode & CIRRUS_BLTMODE_BACKWARDS) {
        p->dpitch = -p->dpitch;
        p->spitch = -p->spitch;
    }
    p->bg[0] = gr[VGA_GFX_SR_VALUE];
    p->fg[0] = gr[VGA_GFX_SR_ENABLE];
    for (int i = 1; i < 4; i++) {
        p->bg[i] = gr[CIRRUS_GR_BG1 + 2 * (i - 1)];
        p->fg[i] = gr[CIRRUS_GR_FG1 + 2 * (i - 1)];
    }
}

/* Pixels per line of an expansion: the width register counts bytes. */
static uint32_t blt_pixels(const BltParams *p)
{
    return p->width / p->bpp;
}

/* Source bytes per line a system-to-screen BitBLT takes: doubleword
 * padded, one bit per pixel when expanding. */
static uint32_t blt_sys_line_bytes(const BltParams *p)
{
    uint32_t n = (p->mode & CIRRUS_BLTMODE_EXPAND) ?
                 (blt_pixels(p) + 7) / 8 : p->width;

    return (n + 3) & ~3u;
}

/* Whether [addr + lowest line's start, addr + highest line's end] lies in
 * video memory, for lines pitch apart (negative: going up) of width bytes
 * (going left from addr when backwards). */
static bool blt_extent_ok(CirrusVGAState *s, const char *what, uint32_t addr,
                          int64_t pitch, uint32_t width, uint32_t height,
                          bool backwards)
{
    int64_t first = addr, last = addr + pitch * (int64_t)(height - 1);
    int64_t lo = MIN(first, last), hi = MAX(first, last);

    if (backwards) {
        lo -= width - 1;
    } else {
        hi += width - 1;
    }
    if (lo < 0 || hi >= (int64_t)s->vga.vram_size) {
        guest_error("cirrus: BitBLT %s %#x, pitch %" PRId64 ", %ux%u bytes "
                    "leaves video memory: refused", what, addr, pitch,
                    width, height);
        return false;
    }
    return true;
}

static inline uint8_t vram_get(CirrusVGAState *s, int64_t a)
{
    return a >= 0 && a < s->vga.vram_size ? s->vga.vram[a] : 0xff;
}

static inline void vram_put(CirrusVGAState *s, int64_t a, uint8_t v)
{
    if (a >= 0 && a < s->vga.vram_size) {
        s->vga.vram[a] = v;
    }
}

/* One destination pixel of an expansion or fill: colour c through the
 * ROP, at pixel x of the line starting at d. */
static void blt_put_pixel(CirrusVGAState *s, const BltParams *p, int64_t d,
                          uint32_t x, const uint8_t *c)
{
    for (unsigned i = 0; i < p->bpp; i++) {
        int64_t a = d + (int64_t)x * p->bpp + i;
        vram_put(s, a, cirrus_rop(p->rop, c[i], vram_get(s, a)));
    }
}

/* Line y of a colour expansion whose source bits for this line start at
 * bit 7 of bits[0]. */
static void blt_expand_line(CirrusVGAState *s, const BltParams *p, int64_t d,
                            const uint8_t *bits)
{
    uint32_t pixels = blt_pixels(p);
    bool transparent = p->mode & CIRRUS_BLTMODE_TRANSPARENT;
    uint8_t inv = (p->modeext & CIRRUS_BLTEXT_EXPAND_INV) ? 0xff : 0;

    for (uint32_t x = p->skip; x < pixels; x++) {
        bool on = ((bits[x / 8] ^ inv) >> (7 - x % 8)) & 1;
        if (!on && transparent) {
            continue;
        }
        blt_put_pixel(s, p, d, x, on ? p->fg : p->bg);
    }
}

/* Line y of a BitBLT whose source (if any) is in video memory. */
static void blt_vram_line(CirrusVGAState *s, const BltParams *p, uint32_t y)
{
    int64_t d = p->daddr + p->dpitch * y;
    int64_t src = p->saddr + p->spitch * y;

    if ((p->mode & CIRRUS_BLTMODE_EXPAND) &&
        (p->modeext & CIRRUS_BLTEXT_SOLID_FILL)) {
        for (uint32_t x = 0; x < blt_pixels(p); x++) {
            blt_put_pixel(s, p, d, x, p->fg);
        }
    } else if ((p->mode & CIRRUS_BLTMODE_EXPAND) &&
               (p->mode & CIRRUS_BLTMODE_PATTERN)) {
        /* 8 bytes, one per pattern line. */
        uint8_t bits[CIRRUS_BLT_BUF_SIZE / 8 + 1];
        uint8_t row = vram_get(s, (p->saddr & ~7u) + (y & 7));
        for (uint32_t i = 0; i < (blt_pixels(p) + 7) / 8; i++) {
            bits[i] = row;
        }
        blt_expand_line(s, p, d, bits);
    } else if (p->mode & CIRRUS_BLTMODE_EXPAND) {
        /* Consecutive lines of (pixels + 7) / 8 bytes. */
        uint32_t lb = (blt_pixels(p) + 7) / 8;
        uint8_t bits[CIRRUS_BLT_BUF_SIZE / 8 + 1];
        for (uint32_t i = 0; i < lb; i++) {
            bits[i] = vram_get(s, p->saddr + (int64_t)y * lb + i);
        }
        blt_expand_line(s, p, d, bits);
    } else if (p->mode & CIRRUS_BLTMODE_PATTERN) {
        /* 8x8 pixels, 8 * bpp bytes per pattern line. */
        int64_t prow = (p->saddr & ~7u) + (y & 7) * 8 * p->bpp;
        for (uint32_t x = 0; x < p->width; x++) {
            uint32_t px = (x / p->bpp) & 7, b = x % p->bpp;
            uint8_t sv = vram_get(s, prow + px * p->bpp + b);
            vram_put(s, d + x, cirrus_rop(p->rop, sv,
                                          vram_get(s, d + x)));
        }
    } else if (p->mode & CIRRUS_BLTMODE_BACKWARDS) {
        for (uint32_t x = 0; x < p->width; x++) {
            vram_put(s, d - x, cirrus_rop(p->rop, vram_get(s, src - x),
                                          vram_get(s, d - x)));
        }
    } else {
        for (uint32_t x = 0; x < p->width; x++) {
            vram_put(s, d + x, cirrus_rop(p->rop, vram_get(s, src + x),
                                          vram_get(s, d + x)));
        }
    }
}

/* Line y of a system-to-screen BitBLT, from the collected source line. */
static void blt_sys_line(CirrusVGAState *s, const BltParams *p, uint32_t y,
                         const uint8_t *line)
{
    int64_t d = p->daddr + p->dpitch * y;

    if (p->mode & CIRRUS_BLTMODE_EXPAND) {
        blt_expand_line(s, p, d, line);
        return;
    }
    for (uint32_t x = 0; x < p->width; x++) {
        vram_put(s, d + x, cirrus_rop(p->rop, line[x], vram_get(s, d + x)));
    }
}

static void blt_done(CirrusVGAState *s, const BltParams *p)
{
    int64_t first = p->daddr, last = p->daddr + p->dpitch * (p->height - 1);
    int64_t lo = MIN(first, last), hi = MAX(first, last) + p->width;

    if (p->mode & CIRRUS_BLTMODE_BACKWARDS) {
        lo -= p->width;
    }
    lo = MAX(lo, 0);
    if (hi > lo) {
        vga_mark_dirty(&s->vga, lo, hi - lo);
    }
    s->blt_sys_active = false;
    s->gr[CIRRUS_GR_BLT_STATUS] &= ~(CIRRUS_BLT_START | CIRRUS_BLT_BUSY |
                                     CIRRUS_BLT_PROGRESS);
}

void cirrus_blt_reset(CirrusVGAState *s)
{
    s->blt_sys_active = false;
    s->blt_buf_used = 0;
    s->blt_line = 0;
    s->blt_line_bytes = 0;
    s->gr[CIRRUS_GR_BLT_STATUS] &= ~(CIRRUS_BLT_START | CIRRUS_BLT_BUSY |
                                     CIRRUS_BLT_PROGRESS);
}

static void blt_refuse(CirrusVGAState *s)
{
    cirrus_blt_reset(s);
}

void cirrus_blt_start(CirrusVGAState *s)
{
    BltParams p;
    bool backwards, expand, pattern;

    blt_params(s, &p);
    backwards = p.mode & CIRRUS_BLTMODE_BACKWARDS;
    expand = p.mode & CIRRUS_BLTMODE_EXPAND;
    pattern = p.mode & CIRRUS_BLTMODE_PATTERN;

    if (!cirrus_rop_valid(p.rop)) {
        guest_error("cirrus: BitBLT with unknown ROP %#x: refused", p.rop);
        blt_refuse(s);
        return;
    }
    if (p.mode & CIRRUS_BLTMODE_MEMSYSDEST) {
        unimp_log("cirrus: BitBLT to system memory: refused");
        blt_refuse(s);
        return;
    }
    if (backwards && (expand || pattern ||
                      (p.mode & CIRRUS_BLTMODE_MEMSYSSRC))) {
        guest_error("cirrus: backward BitBLT with mode %#x: refused", p.mode);
        blt_refuse(s);
        return;
    }
    if ((p.mode & CIRRUS_BLTMODE_TRANSPARENT) && !expand) {
        unimp_log("cirrus: transparency without colour expansion is "
                  "drawn opaque");
    }
    if (expand && blt_pixels(&p) == 0) {
        guest_error("cirrus: expansion BitBLT narrower than a pixel");
        blt_refuse(s);
        return;
    }
    if (!blt_extent_ok(s, "destination", p.daddr, p.dpitch, p.width,
                       p.height, backwards)) {
        blt_refuse(s);
        return;
    }

    if (p.mode & CIRRUS_BLTMODE_MEMSYSSRC) {
        /* The source arrives through the data port, a line at a time. */
        if (pattern) {
            guest_error("cirrus: pattern BitBLT from system memory: "
                        "refused");
            blt_refuse(s);
            return;
        }
        s->blt_line_bytes = blt_sys_line_bytes(&p);
        s->blt_buf_used = 0;
        s->blt_line = 0;
        s->blt_sys_active = true;
        s->gr[CIRRUS_GR_BLT_STATUS] |= CIRRUS_BLT_BUSY | CIRRUS_BLT_PROGRESS;
        return;
    }

    /* Source extents in video memory. */
    if (expand && (p.modeext & CIRRUS_BLTEXT_SOLID_FILL)) {
        /* No source. */
    } else if (pattern) {
        uint32_t size = expand ? 8 : 64 * p.bpp;
        if (!blt_extent_ok(s, "pattern", p.saddr & ~7u, size, size, 1,
                           false)) {
            blt_refuse(s);
            return;
        }
    } else if (expand) {
        uint32_t lb = (blt_pixels(&p) + 7) / 8;
        if (!blt_extent_ok(s, "source", p.saddr, lb, lb, p.height, false)) {
            blt_refuse(s);
            return;
        }
    } else if (!blt_extent_ok(s, "source", p.saddr, p.spitch, p.width,
                              p.height, backwards)) {
        blt_refuse(s);
        return;
    }
    for (uint32_t y = 0; y < p.height; y++) {
        blt_vram_line(s, &p, y);
    }
    blt_done(s, &p);
}

void cirrus_blt_data_write(CirrusVGAState *s, uint8_t val)
{
    BltParams p;

    if (!s->blt_sys_active) {
        return;
    }
    if (s->blt_line_bytes == 0 || s->blt_line_bytes > CIRRUS_BLT_BUF_SIZE) {
        /* Only a bad migration stream gets here. */
        cirrus_blt_reset(s);
        return;
    }
    s->blt_buf[s->blt_buf_used++] = val;
    if (s->blt_buf_used < s->blt_line_bytes) {
        return;
    }
    s->blt_buf_used = 0;
    blt_params(s, &p);
    blt_sys_line(s, &p, s->blt_line, s->blt_buf);
    if (++s->blt_line >= p.height) {
        blt_done(s, &p);
    }
}
