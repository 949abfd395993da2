/*
 * The VGA core and renderer without a machine: a VGAState built alone,
 * driven through its port and window functions as a guest would, its
 * picture checked pixel by pixel against what the registers say.
 */
#include "hw/display/vga.h"
#include "softmmu/timer.h"
#include "ui/console.h"
#include <unistd.h>
#include <zlib.h>

static void out(VGAState *s, uint32_t port, uint8_t v)
{
    vga_ioport_write(s, port, v);
}

static void seq(VGAState *s, uint8_t i, uint8_t v)
{
    out(s, VGA_SEQ_I, i);
    out(s, VGA_SEQ_D, v);
}

static void gfx(VGAState *s, uint8_t i, uint8_t v)
{
    out(s, VGA_GFX_I, i);
    out(s, VGA_GFX_D, v);
}

static void crt(VGAState *s, uint8_t i, uint8_t v)
{
    out(s, VGA_CRT_IC, i);
    out(s, VGA_CRT_DC, v);
}

static void att(VGAState *s, uint8_t i, uint8_t v)
{
    vga_ioport_read(s, VGA_IS1_RC);         /* flip-flop to index */
    out(s, VGA_ATT_W, i);
    out(s, VGA_ATT_W, v);
}

static void dac(VGAState *s, uint8_t i, uint8_t r, uint8_t g, uint8_t b)
{
    out(s, VGA_PEL_IW, i);
    out(s, VGA_PEL_D, r);
    out(s, VGA_PEL_D, g);
    out(s, VGA_PEL_D, b);
}

static uint32_t rgb6(uint8_t r, uint8_t g, uint8_t b)
{
    return (uint32_t)(r << 2 | r >> 4) << 16 | (g << 2 | g >> 4) << 8 |
           (b << 2 | b >> 4);
}

static VGAState *vga_new(void)
{
    VGAState *s = g_new0(VGAState, 1);
    Error *err = NULL;

    g_assert_true(vga_init(s, "test-vga", 16 * MiB, &err));
    g_assert_null(err);
    return s;
}

static void vga_free(VGAState *s)
{
    graphic_console_close(s->con);
    g_free(s->dirty);
    g_free(s->text_cache);
    g_free(s->vbe_shadow);
    g_free(s);
}

static uint32_t pixel(VGAState *s, int x, int y)
{
    DisplaySurface *surf = console_surface(s->con);

    g_assert_cmpint(x, <, surf->width);
    g_assert_cmpint(y, <, surf->height);
    return ((uint32_t *)(surf->data + y * surf->stride))[x] & 0xffffff;
}

/* A glyph pattern in which every bit matters. */
static uint8_t glyph(unsigned c, unsigned l)
{
    return (uint8_t)(c * 37 + l * 101 + (c ^ l) * 7);
}

/* Mode 3's register values (IBM VGA Technical Reference, BIOS mode table),
 * a font written through plane 2, the 16-colour EGA palette. */
static void set_text_mode(VGAState *s)
{
    static const uint8_t crtc[VGA_CRTC_NR] = {
        0x5f, 0x4f, 0x50, 0x82, 0x55, 0x81, 0xbf, 0x1f, 0x00, 0x4f, 0x0d,
        0x0e, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x1f, 0x96,
        0xb9, 0xa3, 0xff };
    static const uint8_t pal[16] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
                                     0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b,
                                     0x3c, 0x3d, 0x3e, 0x3f };

    out(s, VGA_MIS_W, 0x67);
    seq(s, VGA_SEQ_RESET, 0x01);
    seq(s, VGA_SEQ_CLOCK_MODE, 0x00);       /* 9-dot characters */
    /* Font load: plane 2 only, sequential addressing, A0000h. */
    seq(s, VGA_SEQ_PLANE_WRITE, 0x04);
    seq(s, VGA_SEQ_MEMORY_MODE, 0x06);
    gfx(s, VGA_GFX_MODE, 0x00);
    gfx(s, VGA_GFX_MISC, 0x04);
    gfx(s, VGA_GFX_BIT_MASK, 0xff);
    for (unsigned c = 0; c < 256; c++) {
        for (unsigned l = 0; l < 32; l++) {
            vga_mem_writeb(s, c * 32 + l, glyph(c, l));
        }
    }
    /* Back to text: planes 0 and 1, odd/even, B8000h. */
    seq(s, VGA_SEQ_PLANE_WRITE, 0x03);
    seq(s, VGA_SEQ_CHARACTER_MAP, 0x00);
    seq(s, VGA_SEQ_MEMORY_MODE, 0x02);
    seq(s, VGA_SEQ_RESET, 0x03);
    gfx(s, VGA_GFX_MODE, 0x10);
    gfx(s, VGA_GFX_MISC, 0x0e);
    gfx(s, VGA_GFX_BIT_MASK, 0xff);
    crt(s, VGA_CRTC_V_SYNC_END, 0x0e);      /* unlock CR0-CR7 */
    for (int i = 0; i < VGA_CRTC_NR; i++) {
        crt(s, i, crtc[i]);
    }
    for (int i = 0; i < 16; i++) {
        att(s, i, pal[i]);
    }
    att(s, VGA_ATC_MODE, 0x0c);             /* line graphics, blink */
    att(s, VGA_ATC_PLANE_ENABLE, 0x0f);
    att(s, VGA_ATC_COLOR_PAGE, 0x00);
    vga_ioport_read(s, VGA_IS1_RC);
    out(s, VGA_ATT_W, VGA_AR_ENABLE_DISPLAY);
    for (int i = 0; i < 64; i++) {
        dac(s, i, (i & 4 ? 0x2a : 0) | (i & 32 ? 0x15 : 0),
            (i & 2 ? 0x2a : 0) | (i & 16 ? 0x15 : 0),
            (i & 1 ? 0x2a : 0) | (i & 8 ? 0x15 : 0));
    }
}

static void put_char(VGAState *s, int row, int col, uint8_t c, uint8_t a)
{
    uint32_t off = 0x18000 + (row * 80 + col) * 2;

    vga_mem_writeb(s, off, c);
    vga_mem_writeb(s, off + 1, a);
}

/* The colour the EGA palette and the DAC above give attribute colour i. */
static uint32_t ega(int i)
{
    static const uint8_t pal[16] = { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05,
                                     0x14, 0x07, 0x38, 0x39, 0x3a, 0x3b,
                                     0x3c, 0x3d, 0x3e, 0x3f };
    int d = pal[i];

    return rgb6((d & 4 ? 0x2a : 0) | (d & 32 ? 0x15 : 0),
                (d & 2 ? 0x2a : 0) | (d & 16 ? 0x15 : 0),
                (d & 1 ? 0x2a : 0) | (d & 8 ? 0x15 : 0));
}

static void check_cell(VGAState *s, int row, int col, uint8_t c,
                        uint32_t fg, uint32_t bg)
{
    for (int l = 0; l < 16; l++) {
        uint8_t bits = glyph(c, l);
        for (int x = 0; x < 9; x++) {
            bool on = x < 8 ? bits & (0x80 >> x)
                            : (c >= 0xc0 && c <= 0xdf && (bits & 1));
            if (pixel(s, col * 9 + x, row * 16 + l) != (on ? fg : bg)) {
                g_test_message("cell %d,%d char %02x line %d dot %d", row,
                               col, c, l, x);
            }
            g_assert_cmphex(pixel(s, col * 9 + x, row * 16 + l), ==,
                            on ? fg : bg);
        }
    }
}

static void test_text_mode(void)
{
    VGAState *s = vga_new();
    const char *msg = "Hi, VGA!";

    set_text_mode(s);
    for (int i = 0; msg[i]; i++) {
        put_char(s, 2, 10 + i, msg[i], 0x1e);      /* yellow on blue */
    }
    put_char(s, 3, 0, 0xc4, 0x07);                  /* line graphics */
    put_char(s, 3, 1, 0xb0, 0x70);                  /* no 9th column */
    put_char(s, 4, 0, 'B', 0x8f);                   /* blinking */
    crt(s, VGA_CRTC_CURSOR_START, 0x20);            /* cursor off */
    vga_update_display(s);

    g_assert_cmpint(console_surface(s->con)->width, ==, 720);
    g_assert_cmpint(console_surface(s->con)->height, ==, 400);
    for (int i = 0; msg[i]; i++) {
        check_cell(s, 2, 10 + i, msg[i], ega(14), ega(1));
    }
    check_cell(s, 3, 0, 0xc4, ega(7), ega(0));
    check_cell(s, 3, 1, 0xb0, ega(0), ega(7));
    /* Blink phase on at virtual time 0: visible, background 0 (bit 7
     * is blink, not intensity). */
    check_cell(s, 4, 0, 'B', ega(15), ega(0));
    /* Untouched cells show character 0 with attribute 0. */
    check_cell(s, 10, 40, 0, ega(0), ega(0));

    /* A second font map for attribute bit 3 (SR3 map A = 1 at 4000h):
     * zero there, so the cell shows background only. */
    seq(s, VGA_SEQ_CHARACTER_MAP, 0x04);
    vga_update_display(s);
    for (int l = 0; l < 16; l++) {
        for (int x = 0; x < 9; x++) {
            g_assert_cmphex(pixel(s, 90 + x, 32 + l), ==, ega(1));
        }
    }
    /* Attribute 0x07 (bit 3 clear) still uses map B. */
    check_cell(s, 3, 0, 0xc4, ega(7), ega(0));
    vga_free(s);
}

static void test_text_cursor_and_blink(void)
{
    VGAState *s = vga_new();
    int64_t off_phase = 16 * (NANOSECONDS_PER_SECOND / 70);

    set_text_mode(s);
    put_char(s, 0, 0, 'A', 0x8f);
    put_char(s, 0, 5, ' ', 0x07);
    crt(s, VGA_CRTC_CURSOR_START, 0x0d);
    crt(s, VGA_CRTC_CURSOR_END, 0x0e);
    crt(s, VGA_CRTC_CURSOR_HI, 0);
    crt(s, VGA_CRTC_CURSOR_LO, 5);
    vga_update_display(s);
    g_assert_true(vga_cursor_blink_on(clock_get_ns(CLOCK_VIRTUAL)));
    for (int l = 0; l < 16; l++) {
        for (int x = 0; x < 9; x++) {
            uint8_t bits = (l == 13 || l == 14) ? 0xff : glyph(' ', l);
            bool on = x < 8 ? bits & (0x80 >> x) : (l == 13 || l == 14);
            g_assert_cmphex(pixel(s, 45 + x, l), ==, on ? ega(7) : ega(0));
        }
    }
    /* Half a cursor period later the cursor is off; a full blink period
     * later blinking text is hidden. */
    clock_virtual_advance(off_phase);
    g_assert_false(vga_cursor_blink_on(clock_get_ns(CLOCK_VIRTUAL)));
    vga_update_display(s);
    check_cell(s, 0, 5, ' ', ega(7), ega(0));
    clock_virtual_advance(off_phase);
    g_assert_false(vga_char_blink_on(clock_get_ns(CLOCK_VIRTUAL)));
    vga_update_display(s);
    check_cell(s, 0, 0, 'A', ega(0), ega(0));
    clock_virtual_advance(2 * off_phase);
    vga_update_display(s);
    check_cell(s, 0, 0, 'A', ega(15), ega(0));
    vga_free(s);
}

/* --- planar write and read modes ------------------------------------------- */

static void set_planar(VGAState *s)
{
    out(s, VGA_MIS_W, 0xe3);
    seq(s, VGA_SEQ_PLANE_WRITE, 0x0f);
    seq(s, VGA_SEQ_MEMORY_MODE, 0x06);
    gfx(s, VGA_GFX_MISC, 0x05);
    gfx(s, VGA_GFX_MODE, 0x00);
    gfx(s, VGA_GFX_BIT_MASK, 0xff);
    gfx(s, VGA_GFX_SR_ENABLE, 0x00);
    gfx(s, VGA_GFX_DATA_ROTATE, 0x00);
}

static uint8_t plane(VGAState *s, int p, uint32_t off)
{
    gfx(s, VGA_GFX_PLANE_READ, p);
    return vga_mem_readb(s, off);
}

static void test_write_modes(void)
{
    VGAState *s = vga_new();

    set_planar(s);
    /* Mode 0: the byte to every plane the map mask enables. */
    seq(s, VGA_SEQ_PLANE_WRITE, 0x05);
    vga_mem_writeb(s, 0x10, 0x3c);
    g_assert_cmphex(plane(s, 0, 0x10), ==, 0x3c);
    g_assert_cmphex(plane(s, 1, 0x10), ==, 0x00);
    g_assert_cmphex(plane(s, 2, 0x10), ==, 0x3c);
    g_assert_cmphex(plane(s, 3, 0x10), ==, 0x00);
    seq(s, VGA_SEQ_PLANE_WRITE, 0x0f);

    /* Mode 0 with set/reset on planes 0 and 1: they take 0xff/0x00 from
     * the set/reset value, the others the data. */
    gfx(s, VGA_GFX_SR_ENABLE, 0x03);
    gfx(s, VGA_GFX_SR_VALUE, 0x01);
    vga_mem_writeb(s, 0x20, 0x5a);
    g_assert_cmphex(plane(s, 0, 0x20), ==, 0xff);
    g_assert_cmphex(plane(s, 1, 0x20), ==, 0x00);
    g_assert_cmphex(plane(s, 2, 0x20), ==, 0x5a);
    g_assert_cmphex(plane(s, 3, 0x20), ==, 0x5a);
    gfx(s, VGA_GFX_SR_ENABLE, 0x00);

    /* Rotate by 4 and XOR with the latches under a bit mask. */
    vga_mem_readb(s, 0x20);                         /* load latches */
    gfx(s, VGA_GFX_DATA_ROTATE, 0x18 | 4);
    gfx(s, VGA_GFX_BIT_MASK, 0xf0);
    vga_mem_writeb(s, 0x20, 0x0f);                  /* rotated: 0xf0 */
    g_assert_cmphex(plane(s, 0, 0x20), ==, 0x0f);   /* ff ^ f0 */
    g_assert_cmphex(plane(s, 1, 0x20), ==, 0xf0);   /* 00 ^ f0 */
    g_assert_cmphex(plane(s, 2, 0x20), ==, 0xaa);   /* 5a ^ f0 */
    gfx(s, VGA_GFX_DATA_ROTATE, 0x08);              /* AND */
    gfx(s, VGA_GFX_BIT_MASK, 0xff);
    vga_mem_readb(s, 0x20);
    vga_mem_writeb(s, 0x20, 0x3c);
    g_assert_cmphex(plane(s, 0, 0x20), ==, 0x0c);
    g_assert_cmphex(plane(s, 2, 0x20), ==, 0x28);
    gfx(s, VGA_GFX_DATA_ROTATE, 0x10);              /* OR */
    vga_mem_readb(s, 0x20);
    vga_mem_writeb(s, 0x20, 0x01);
    g_assert_cmphex(plane(s, 1, 0x20), ==, 0x31);
    gfx(s, VGA_GFX_DATA_ROTATE, 0x00);

    /* Mode 1: a read then a write copies all four planes. */
    gfx(s, VGA_GFX_MODE, 0x01);
    vga_mem_readb(s, 0x20);
    vga_mem_writeb(s, 0x30, 0x00);
    for (int p = 0; p < 4; p++) {
        g_assert_cmphex(plane(s, p, 0x30), ==, plane(s, p, 0x20));
    }

    /* Mode 2: bits 0-3 of the data fill planes 0-3, under the bit mask. */
    gfx(s, VGA_GFX_MODE, 0x02);
    gfx(s, VGA_GFX_BIT_MASK, 0x81);
    vga_mem_readb(s, 0x40);                         /* latches: zero */
    vga_mem_writeb(s, 0x40, 0x0a);
    g_assert_cmphex(plane(s, 0, 0x40), ==, 0x00);
    g_assert_cmphex(plane(s, 1, 0x40), ==, 0x81);
    g_assert_cmphex(plane(s, 2, 0x40), ==, 0x00);
    g_assert_cmphex(plane(s, 3, 0x40), ==, 0x81);

    /* Mode 3: set/reset colour, the rotated data ANDed into the mask. */
    gfx(s, VGA_GFX_MODE, 0x03);
    gfx(s, VGA_GFX_BIT_MASK, 0x3c);
    gfx(s, VGA_GFX_SR_VALUE, 0x06);
    vga_mem_readb(s, 0x40);
    vga_mem_writeb(s, 0x40, 0xf0);                  /* mask 0x30 */
    g_assert_cmphex(plane(s, 0, 0x40), ==, 0x00);
    g_assert_cmphex(plane(s, 1, 0x40), ==, 0xb1);
    g_assert_cmphex(plane(s, 2, 0x40), ==, 0x30);
    g_assert_cmphex(plane(s, 3, 0x40), ==, 0x81);
    vga_free(s);
}

static void test_read_mode1(void)
{
    VGAState *s = vga_new();

    set_planar(s);
    seq(s, VGA_SEQ_PLANE_WRITE, 0x01);
    vga_mem_writeb(s, 0, 0xf0);
    seq(s, VGA_SEQ_PLANE_WRITE, 0x02);
    vga_mem_writeb(s, 0, 0xcc);
    seq(s, VGA_SEQ_PLANE_WRITE, 0x0f);
    /* Pixel colours (planes 3..0): 0011 0011 0001 0001 0010 0010 0000 0000
     * for bits 7..0. Compare with colour 3, all planes cared for. */
    gfx(s, VGA_GFX_MODE, 0x08);
    gfx(s, VGA_GFX_COMPARE_MASK, 0x0f);
    gfx(s, VGA_GFX_COMPARE_VALUE, 0x03);
    g_assert_cmphex(vga_mem_readb(s, 0), ==, 0xc0);
    gfx(s, VGA_GFX_COMPARE_VALUE, 0x00);
    g_assert_cmphex(vga_mem_readb(s, 0), ==, 0x03);
    /* Plane 1 "don't care": colours 1 and 3 both match 1. */
    gfx(s, VGA_GFX_COMPARE_MASK, 0x0d);
    gfx(s, VGA_GFX_COMPARE_VALUE, 0x01);
    g_assert_cmphex(vga_mem_readb(s, 0), ==, 0xf0);
    vga_free(s);
}

static void test_oddeven_chain4(void)
{
    VGAState *s = vga_new();

    set_planar(s);
    /* Odd/even: A0 picks planes 0/2 or 1/3, at the even plane address. */
    seq(s, VGA_SEQ_MEMORY_MODE, 0x02);
    gfx(s, VGA_GFX_MODE, 0x10);
    vga_mem_writeb(s, 0x100, 0x11);
    vga_mem_writeb(s, 0x101, 0x22);
    g_assert_cmphex(vga_mem_readb(s, 0x100), ==, 0x11);
    g_assert_cmphex(vga_mem_readb(s, 0x101), ==, 0x22);
    g_assert_cmphex(s->vram[0x100 * 4 + 0], ==, 0x11);
    g_assert_cmphex(s->vram[0x100 * 4 + 1], ==, 0x22);
    g_assert_cmphex(s->vram[0x100 * 4 + 2], ==, 0x11);
    g_assert_cmphex(s->vram[0x100 * 4 + 3], ==, 0x22);
    /* Chain 4: A1:A0 pick the plane. */
    seq(s, VGA_SEQ_MEMORY_MODE, 0x0e);
    gfx(s, VGA_GFX_MODE, 0x40);
    for (int i = 0; i < 4; i++) {
        vga_mem_writeb(s, 0x200 + i, 0xa0 + i);
    }
    for (int i = 0; i < 4; i++) {
        g_assert_cmphex(s->vram[0x200 * 4 + i], ==, 0xa0 + i);
        g_assert_cmphex(vga_mem_readb(s, 0x200 + i), ==, 0xa0 + i);
    }
    /* Memory map select: B8000h only; A0000h does not decode. */
    gfx(s, VGA_GFX_MISC, 0x0d);
    g_assert_cmphex(vga_mem_readb(s, 0x200), ==, 0xff);
    g_assert_cmphex(vga_mem_readb(s, 0x18200), ==, 0xa0);
    /* RAM enable off: nothing decodes. */
    out(s, VGA_MIS_W, 0xe1);
    g_assert_cmphex(vga_mem_readb(s, 0x18200), ==, 0xff);
    vga_free(s);
}

/* --- graphics rendering -------------------------------------------------------- */

static void set_mode12(VGAState *s)
{
    static const uint8_t crtc[VGA_CRTC_NR] = {
        0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0x0b, 0x3e, 0x00, 0x40, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0xea, 0x8c, 0xdf, 0x28, 0x00, 0xe7,
        0x04, 0xe3, 0xff };

    set_planar(s);
    seq(s, VGA_SEQ_CLOCK_MODE, 0x01);
    crt(s, VGA_CRTC_V_SYNC_END, 0x00);
    for (int i = 0; i < VGA_CRTC_NR; i++) {
        crt(s, i, crtc[i]);
    }
    for (int i = 0; i < 16; i++) {
        att(s, i, i);
        dac(s, i, i * 4, 63 - i * 4, i & 1 ? 63 : 0);
    }
    att(s, VGA_ATC_MODE, 0x01);
    att(s, VGA_ATC_PLANE_ENABLE, 0x0f);
    vga_ioport_read(s, VGA_IS1_RC);
    out(s, VGA_ATT_W, VGA_AR_ENABLE_DISPLAY);
}

static void test_planar_16(void)
{
    VGAState *s = vga_new();

    set_mode12(s);
    vga_update_display(s);
    g_assert_cmpint(console_surface(s->con)->width, ==, 640);
    g_assert_cmpint(console_surface(s->con)->height, ==, 480);
    /* Write mode 2: one pixel of each colour along line 100. */
    gfx(s, VGA_GFX_MODE, 0x02);
    for (int x = 0; x < 16; x++) {
        gfx(s, VGA_GFX_BIT_MASK, 0x80 >> (x & 7));
        vga_mem_readb(s, 100 * 80 + x / 8);
        vga_mem_writeb(s, 100 * 80 + x / 8, x);
    }
    vga_update_display(s);
    for (int x = 0; x < 16; x++) {
        g_assert_cmphex(pixel(s, x, 100), ==,
                        rgb6(x * 4, 63 - x * 4, x & 1 ? 63 : 0));
    }
    g_assert_cmphex(pixel(s, 16, 100), ==, rgb6(0, 63, 0));
    g_assert_cmphex(pixel(s, 0, 99), ==, rgb6(0, 63, 0));
    /* The attribute palette sits between pixel and DAC. */
    att(s, 5, 9);
    vga_ioport_read(s, VGA_IS1_RC);
    out(s, VGA_ATT_W, VGA_AR_ENABLE_DISPLAY);
    vga_update_display(s);
    g_assert_cmphex(pixel(s, 5, 100), ==, rgb6(36, 27, 63));
    vga_free(s);
}

static void test_chain4_256(void)
{
    static const uint8_t crtc[VGA_CRTC_NR] = {
        0x5f, 0x4f, 0x50, 0x82, 0x54, 0x80, 0xbf, 0x1f, 0x00, 0x41, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x28, 0x40, 0x96,
        0xb9, 0xa3, 0xff };
    VGAState *s = vga_new();

    out(s, VGA_MIS_W, 0x63);
    seq(s, VGA_SEQ_CLOCK_MODE, 0x01);
    seq(s, VGA_SEQ_PLANE_WRITE, 0x0f);
    seq(s, VGA_SEQ_MEMORY_MODE, 0x0e);
    gfx(s, VGA_GFX_MODE, 0x40);
    gfx(s, VGA_GFX_MISC, 0x05);
    gfx(s, VGA_GFX_BIT_MASK, 0xff);
    crt(s, VGA_CRTC_V_SYNC_END, 0x00);
    for (int i = 0; i < VGA_CRTC_NR; i++) {
        crt(s, i, crtc[i]);
    }
    for (int i = 0; i < 16; i++) {
        att(s, i, i);
    }
    att(s, VGA_ATC_MODE, 0x41);
    vga_ioport_read(s, VGA_IS1_RC);
    out(s, VGA_ATT_W, VGA_AR_ENABLE_DISPLAY);
    for (int i = 0; i < 256; i++) {
        dac(s, i, i & 63, (i >> 2) & 63, 63 - (i & 63));
    }
    for (int y = 0; y < 200; y++) {
        for (int x = 0; x < 320; x++) {
            vga_mem_writeb(s, y * 320 + x, (uint8_t)(x + 3 * y));
        }
    }
    vga_update_display(s);
    g_assert_cmpint(console_surface(s->con)->width, ==, 320);
    g_assert_cmpint(console_surface(s->con)->height, ==, 200);
    for (int y = 0; y < 200; y += 7) {
        for (int x = 0; x < 320; x++) {
            uint8_t i = x + 3 * y;
            g_assert_cmphex(pixel(s, x, y), ==,
                            rgb6(i & 63, (i >> 2) & 63, 63 - (i & 63)));
        }
    }
    vga_free(s);
}

static void test_cga_320x200x4(void)
{
    static const uint8_t crtc[VGA_CRTC_NR] = {
        0x2d, 0x27, 0x28, 0x90, 0x2b, 0x80, 0xbf, 0x1f, 0x00, 0xc1, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x9c, 0x8e, 0x8f, 0x14, 0x00, 0x96,
        0xb9, 0xa2, 0xff };
    static const uint8_t pal[4] = { 0x00, 0x13, 0x15, 0x17 };
    VGAState *s = vga_new();

    /* Mode 4 (IBM VGA BIOS parameter table): odd/even at B8000h, CGA
     * banks, 2-bpp shift register interleave. */
    out(s, VGA_MIS_W, 0x63);
    seq(s, VGA_SEQ_CLOCK_MODE, 0x09);
    seq(s, VGA_SEQ_PLANE_WRITE, 0x03);
    seq(s, VGA_SEQ_MEMORY_MODE, 0x02);
    gfx(s, VGA_GFX_MODE, 0x30);
    gfx(s, VGA_GFX_MISC, 0x0f);
    gfx(s, VGA_GFX_BIT_MASK, 0xff);
    crt(s, VGA_CRTC_V_SYNC_END, 0x00);
    for (int i = 0; i < VGA_CRTC_NR; i++) {
        crt(s, i, crtc[i]);
    }
    for (int i = 0; i < 4; i++) {
        att(s, i, pal[i]);
    }
    att(s, VGA_ATC_MODE, 0x01);
    att(s, VGA_ATC_PLANE_ENABLE, 0x03);
    vga_ioport_read(s, VGA_IS1_RC);
    out(s, VGA_ATT_W, VGA_AR_ENABLE_DISPLAY);
    for (int i = 0; i < 64; i++) {
        dac(s, i, i, 63 - i, (i * 5) & 63);
    }
    /* CGA layout: even lines from B8000h, odd lines from BA000h. */
    for (int y = 0; y < 200; y++) {
        for (int b = 0; b < 80; b++) {
            vga_mem_writeb(s, 0x18000 + (y & 1) * 0x2000 + (y / 2) * 80 + b,
                           (uint8_t)(y * 7 + b * 13));
        }
    }
    vga_update_display(s);
    g_assert_cmpint(console_surface(s->con)->width, ==, 320);
    g_assert_cmpint(console_surface(s->con)->height, ==, 200);
    for (int y = 0; y < 200; y++) {
        for (int x = 0; x < 320; x++) {
            uint8_t v = (uint8_t)(y * 7 + (x / 4) * 13);
            int d = pal[(v >> (6 - 2 * (x & 3))) & 3];
            g_assert_cmphex(pixel(s, x, y), ==, rgb6(d, 63 - d, (d * 5) & 63));
        }
    }
    vga_free(s);
}

static void test_text_40_columns(void)
{
    VGAState *s = vga_new();

    set_text_mode(s);
    seq(s, VGA_SEQ_CLOCK_MODE, 0x08);       /* 9 dots, dot clock / 2 */
    crt(s, VGA_CRTC_V_SYNC_END, 0x0e);      /* unprotect CR0-CR7 */
    crt(s, 0x01, 0x27);
    crt(s, VGA_CRTC_OFFSET, 0x14);
    crt(s, VGA_CRTC_CURSOR_START, 0x20);
    vga_mem_writeb(s, 0x18000 + (1 * 40 + 3) * 2, 'W');
    vga_mem_writeb(s, 0x18000 + (1 * 40 + 3) * 2 + 1, 0x2e);
    vga_update_display(s);
    g_assert_cmpint(console_surface(s->con)->width, ==, 720);
    g_assert_cmpint(console_surface(s->con)->height, ==, 400);
    for (int l = 0; l < 16; l++) {
        uint8_t bits = glyph('W', l);
        for (int x = 0; x < 9; x++) {
            uint32_t want = x < 8 && (bits & (0x80 >> x)) ? ega(14) : ega(2);
            g_assert_cmphex(pixel(s, 3 * 18 + 2 * x, 16 + l), ==, want);
            g_assert_cmphex(pixel(s, 3 * 18 + 2 * x + 1, 16 + l), ==, want);
        }
    }
    vga_free(s);
}

/* --- registers --------------------------------------------------------------- */

static void test_dac(void)
{
    VGAState *s = vga_new();

    dac(s, 7, 0x3f, 0x7f, 0x15);            /* 6 bits kept */
    dac(s, 8, 1, 2, 3);
    out(s, VGA_PEL_IR, 7);
    g_assert_cmphex(vga_ioport_read(s, VGA_PEL_IR), ==, 3);
    g_assert_cmphex(vga_ioport_read(s, VGA_PEL_D), ==, 0x3f);
    g_assert_cmphex(vga_ioport_read(s, VGA_PEL_D), ==, 0x3f);
    g_assert_cmphex(vga_ioport_read(s, VGA_PEL_D), ==, 0x15);
    /* The read index moved on to 8. */
    g_assert_cmphex(vga_ioport_read(s, VGA_PEL_D), ==, 1);
    g_assert_cmphex(vga_ioport_read(s, VGA_PEL_D), ==, 2);
    g_assert_cmphex(vga_ioport_read(s, VGA_PEL_D), ==, 3);
    g_assert_cmphex(vga_ioport_read(s, VGA_PEL_IW), ==, 9);
    out(s, VGA_PEL_IW, 0);
    g_assert_cmphex(vga_ioport_read(s, VGA_PEL_IR), ==, 0);
    /* A write index of 255 wraps to 0 after the colour. */
    dac(s, 255, 1, 1, 1);
    g_assert_cmphex(vga_ioport_read(s, VGA_PEL_IW), ==, 0);
    vga_free(s);
}

static void test_attribute_flip_flop(void)
{
    VGAState *s = vga_new();

    out(s, VGA_MIS_W, 0x01);                /* input status 1 at 3DAh */
    vga_ioport_read(s, VGA_IS1_RC);
    out(s, VGA_ATT_W, 0x03);
    out(s, VGA_ATT_W, 0x2a);
    out(s, VGA_ATT_W, 0x24);                /* index 4, display on */
    g_assert_cmphex(vga_ioport_read(s, VGA_ATT_W), ==, 0x24);
    out(s, VGA_ATT_W, 0x15);
    out(s, VGA_ATT_W, 0x03);
    g_assert_cmphex(vga_ioport_read(s, VGA_ATT_R), ==, 0x2a);
    out(s, VGA_ATT_W, 0x3f);                /* data for index 3 */
    out(s, VGA_ATT_W, 0x04);
    g_assert_cmphex(vga_ioport_read(s, VGA_ATT_R), ==, 0x15);
    /* Reading input status 1 resets the flip-flop to "index". */
    vga_ioport_read(s, VGA_IS1_RC);
    out(s, VGA_ATT_W, 0x03);
    g_assert_cmphex(vga_ioport_read(s, VGA_ATT_R), ==, 0x3f);
    vga_free(s);
}

static void test_crtc(void)
{
    VGAState *s = vga_new();

    out(s, VGA_MIS_W, 0x01);                /* colour: 3Dxh */
    crt(s, VGA_CRTC_V_SYNC_END, 0x80);      /* protect CR0-CR7 */
    crt(s, 0x01, 0x4f);
    crt(s, VGA_CRTC_OVERFLOW, 0xff);
    out(s, VGA_CRT_IC, 0x01);
    g_assert_cmphex(vga_ioport_read(s, VGA_CRT_DC), ==, 0x00);
    out(s, VGA_CRT_IC, VGA_CRTC_OVERFLOW);
    g_assert_cmphex(vga_ioport_read(s, VGA_CRT_DC), ==, 0x10);
    crt(s, VGA_CRTC_V_SYNC_END, 0x00);
    crt(s, 0x01, 0x4f);
    out(s, VGA_CRT_IC, 0x01);
    g_assert_cmphex(vga_ioport_read(s, VGA_CRT_DC), ==, 0x4f);
    /* The monochrome range is not decoded in colour mode. */
    g_assert_cmphex(vga_ioport_read(s, VGA_CRT_IM), ==, 0xff);
    out(s, VGA_MIS_W, 0x00);
    out(s, VGA_CRT_IM, 0x01);
    g_assert_cmphex(vga_ioport_read(s, VGA_CRT_DM), ==, 0x4f);
    g_assert_cmphex(vga_ioport_read(s, VGA_MIS_R), ==, 0x00);
    /* Out-of-range indices read all-ones. */
    out(s, VGA_CRT_IM, 0x80);
    g_assert_cmphex(vga_ioport_read(s, VGA_CRT_DM), ==, 0xff);
    vga_free(s);
}

static void test_retrace(void)
{
    VGAState *s = vga_new();
    int64_t frame = NANOSECONDS_PER_SECOND / 70;
    int vr = 0, dd = 0, vr_edges = 0;
    uint8_t last = 0;

    /* Sampled across two frames: vertical retrace comes once a frame,
     * display-disabled far more often (every line's blanking). */
    for (int64_t t = 0; t < 2 * frame; t += 1000) {
        uint8_t v = vga_input_status1(s, t);
        vr += !!(v & VGA_IS1_VR);
        dd += !!(v & VGA_IS1_DD);
        if ((v & VGA_IS1_VR) && !(last & VGA_IS1_VR)) {
            vr_edges++;
        }
        /* Retrace always lies inside blanking. */
        g_assert_true(!(v & VGA_IS1_VR) || (v & VGA_IS1_DD));
        last = v;
    }
    g_assert_cmpint(vr_edges, ==, 2);
    g_assert_cmpint(vr, >, 0);
    g_assert_cmpint(dd, >, vr);
    g_assert_cmpint(dd, <, 2 * frame / 1000);
    vga_free(s);
}

/* --- Bochs VBE ---------------------------------------------------------------- */

static void vbe(VGAState *s, uint16_t idx, uint16_t v)
{
    s->vbe_index = idx;
    vbe_ioport_write_data(s, v);
}

static uint16_t vbe_get(VGAState *s, uint16_t idx)
{
    s->vbe_index = idx;
    return vbe_ioport_read_data(s);
}

typedef struct Counter {
    DisplayChangeListener dcl;
    int switches, updates, rows;
    int last_y, last_h;
} Counter;

static void count_switch(DisplayChangeListener *dcl, DisplaySurface *surf)
{
    Counter *c = container_of(dcl, Counter, dcl);

    c->switches++;
}

static void count_update(DisplayChangeListener *dcl, int x, int y, int w,
                         int h)
{
    Counter *c = container_of(dcl, Counter, dcl);

    c->updates++;
    c->rows += h;
    c->last_y = y;
    c->last_h = h;
}

static const DisplayChangeListenerOps count_ops = {
    .name = "counter",
    .gfx_switch = count_switch,
    .gfx_update = count_update,
};

static void test_vbe_modes(void)
{
    VGAState *s = vga_new();
    static const unsigned bpps[] = { 8, 15, 16, 24, 32 };

    g_assert_cmphex(vbe_get(s, VBE_DISPI_INDEX_ID), ==, VBE_DISPI_ID5);
    vbe(s, VBE_DISPI_INDEX_ID, VBE_DISPI_ID0);
    g_assert_cmphex(vbe_get(s, VBE_DISPI_INDEX_ID), ==, VBE_DISPI_ID0);
    vbe(s, VBE_DISPI_INDEX_ID, 0x1234);
    g_assert_cmphex(vbe_get(s, VBE_DISPI_INDEX_ID), ==, VBE_DISPI_ID0);
    g_assert_cmpuint(vbe_get(s, VBE_DISPI_INDEX_VIDEO_MEMORY_64K), ==, 256);
    vbe(s, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_GETCAPS);
    g_assert_cmpuint(vbe_get(s, VBE_DISPI_INDEX_XRES), ==, 16000);
    g_assert_cmpuint(vbe_get(s, VBE_DISPI_INDEX_BPP), ==, 32);
    vbe(s, VBE_DISPI_INDEX_ENABLE, 0);

    for (unsigned i = 0; i < G_N_ELEMENTS(bpps); i++) {
        unsigned bpp = bpps[i], bypp = (bpp + 7) / 8;

        vbe(s, VBE_DISPI_INDEX_ENABLE, 0);
        vbe(s, VBE_DISPI_INDEX_XRES, 64);
        vbe(s, VBE_DISPI_INDEX_YRES, 48);
        vbe(s, VBE_DISPI_INDEX_BPP, bpp);
        vbe(s, VBE_DISPI_INDEX_ENABLE,
            VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED | VBE_DISPI_8BIT_DAC);
        g_assert_true(vbe_enabled(s));
        g_assert_cmpuint(vbe_get(s, VBE_DISPI_INDEX_VIRT_WIDTH), ==, 64);
        g_assert_cmpuint(vbe_get(s, VBE_DISPI_INDEX_VIRT_HEIGHT), ==,
                         MIN(16 * MiB / (64 * bypp), 0xffff));
        dac(s, 0x42, 0x12, 0x34, 0x56);         /* 8-bit DAC */
        /* Pixel (5, 7): pure-ish red-green-blue per format. */
        uint8_t *p = s->vram + 7 * 64 * bypp + 5 * bypp;
        uint32_t want;
        switch (bpp) {
        case 8:
            p[0] = 0x42;
            want = 0x123456;
            break;
        case 15:
            p[0] = 0x1f;                /* blue 31, green 0, red 16 */
            p[1] = 0x40;
            want = 0x8400ff;
            break;
        case 16:
            p[0] = 0xe0;                /* green 63 */
            p[1] = 0x07;
            want = 0x00ff00;
            break;
        default:
            p[0] = 0x11;
            p[1] = 0x22;
            p[2] = 0x33;
            want = 0x332211;
            break;
        }
        vga_update_display(s);
        g_assert_cmpint(console_surface(s->con)->width, ==, 64);
        g_assert_cmpint(console_surface(s->con)->height, ==, 48);
        g_assert_cmphex(pixel(s, 5, 7), ==, want);
        g_assert_cmphex(pixel(s, 4, 7), ==, bpp == 8 ? 0 : 0);
    }
    /* Mode registers are frozen while enabled. */
    vbe(s, VBE_DISPI_INDEX_XRES, 800);
    g_assert_cmpuint(vbe_get(s, VBE_DISPI_INDEX_XRES), ==, 64);
    /* Too big for video memory: refused, stays disabled. */
    vbe(s, VBE_DISPI_INDEX_ENABLE, 0);
    vbe(s, VBE_DISPI_INDEX_XRES, 16000);
    vbe(s, VBE_DISPI_INDEX_YRES, 12000);
    vbe(s, VBE_DISPI_INDEX_BPP, 32);
    vbe(s, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED);
    g_assert_false(vbe_enabled(s));
    vga_free(s);
}

static void test_vbe_dirty_and_bank(void)
{
    VGAState *s = vga_new();
    Counter c = { .dcl.ops = &count_ops };

    register_displaychangelistener(&c.dcl, s->con);
    g_assert_cmpint(c.switches, ==, 1);
    vbe(s, VBE_DISPI_INDEX_XRES, 640);
    vbe(s, VBE_DISPI_INDEX_YRES, 480);
    vbe(s, VBE_DISPI_INDEX_BPP, 32);
    vbe(s, VBE_DISPI_INDEX_ENABLE, VBE_DISPI_ENABLED | VBE_DISPI_LFB_ENABLED);
    vga_update_display(s);
    /* The console starts at 640x480: same size, no new surface, but the
     * new mode is drawn in full. */
    g_assert_cmpint(c.switches, ==, 1);
    g_assert_cmpint(c.rows, ==, 480);
    /* Nothing changed: nothing reported. */
    c.updates = c.rows = 0;
    vga_update_display(s);
    g_assert_cmpint(c.updates, ==, 0);
    /* One pixel through the LFB: its line only. */
    s->vram[(100 * 640 + 3) * 4] = 0xff;
    vga_update_display(s);
    g_assert_cmpint(c.updates, ==, 1);
    g_assert_cmpint(c.last_y, ==, 100);
    g_assert_cmpint(c.last_h, ==, 1);
    g_assert_cmphex(pixel(s, 3, 100), ==, 0x0000ff);
    /* Through the banked window: bank 2 is offset 128 KiB = line 51. */
    vbe(s, VBE_DISPI_INDEX_BANK, 2);
    vga_mem_writeb(s, 8 + 2, 0x77);         /* pixel 2, red byte */
    g_assert_cmphex(vga_mem_readb(s, 10), ==, 0x77);
    c.updates = 0;
    vga_update_display(s);
    g_assert_cmpint(c.updates, ==, 1);
    g_assert_cmpint(c.last_y, ==, 51);
    g_assert_cmphex(pixel(s, 2 + 128 * 1024 / 4 - 51 * 640, 51), ==,
                    0x770000);
    /* Hostile: a bank beyond video memory and the window's end. */
    vbe(s, VBE_DISPI_INDEX_BANK, 0xffff);
    g_assert_cmpuint(vbe_get(s, VBE_DISPI_INDEX_BANK), ==, 0);
    g_assert_cmphex(vga_mem_readb(s, 0x1ffff), ==, 0xff);
    vga_mem_writeb(s, 0x1ffff, 1);
    /* Panning: Y offset moves the picture. */
    vbe(s, VBE_DISPI_INDEX_Y_OFFSET, 1);
    vga_update_display(s);
    g_assert_cmphex(pixel(s, 3, 99), ==, 0x0000ff);
    vbe(s, VBE_DISPI_INDEX_Y_OFFSET, 0xffff);   /* beyond: reset to 0 */
    g_assert_cmpuint(vbe_get(s, VBE_DISPI_INDEX_Y_OFFSET), ==, 0);
    vbe(s, VBE_DISPI_INDEX_VIRT_WIDTH, 0xffff); /* does not fit: refused */
    g_assert_cmpuint(vbe_get(s, VBE_DISPI_INDEX_VIRT_WIDTH), ==, 640);
    vbe(s, VBE_DISPI_INDEX_VIRT_WIDTH, 1024);
    g_assert_cmpuint(vbe_get(s, VBE_DISPI_INDEX_VIRT_HEIGHT), ==, 4096);
    vga_update_display(s);
    unregister_displaychangelistener(&c.dcl);
    vga_free(s);
}

static void test_dirty_planar(void)
{
    VGAState *s = vga_new();
    Counter c = { .dcl.ops = &count_ops };

    set_mode12(s);
    vga_update_display(s);
    register_displaychangelistener(&c.dcl, s->con);
    vga_update_display(s);
    g_assert_cmpint(c.updates, ==, 0);
    /* A write to line 300 marks its page (4 KiB of vram = 1 KiB of plane
     * addresses, about 13 lines): only those lines are redrawn. */
    vga_mem_writeb(s, 300 * 80, 0xff);
    vga_update_display(s);
    g_assert_cmpint(c.updates, ==, 1);
    g_assert_cmpint(c.last_y, <=, 300);
    g_assert_cmpint(c.last_y + c.last_h, >, 300);
    g_assert_cmpint(c.last_h, <=, 14);
    g_assert_cmphex(pixel(s, 0, 300), ==, rgb6(60, 3, 63));
    unregister_displaychangelistener(&c.dcl);
    vga_free(s);
}

/* --- screendump -------------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static void test_screendump_files(void)
{
    VGAState *s = vga_new();
    char *dir = g_dir_make_tmp("vga-test-XXXXXX", NULL);
    char *ppm = g_build_filename(dir, "s.ppm", NULL);
    char *png = g_build_filename(dir, "s.png", NULL);
    gchar *buf;
    gsize len;
    Error *err = NULL;
    DisplaySurface *surf;
    uint8_t *raw;
    uLongf raw_len;
    size_t pos, idat_len = 0;
    uint8_t *idat = NULL;

    set_text_mode(s);
    put_char(s, 0, 0, 'X', 0x4e);
    vga_update_display(s);
    surf = console_surface(s->con);

    g_assert_true(ui_surface_write(surf, ppm, "ppm", &err));
    g_assert_true(g_file_get_contents(ppm, &buf, &len, NULL));
    g_assert_true(g_str_has_prefix(buf, "P6\n720 400\n255\n"));
    g_assert_cmpuint(len, ==, 15 + 720 * 400 * 3);
    for (int y = 0; y < 400; y += 3) {
        for (int x = 0; x < 720; x += 5) {
            const uint8_t *p = (uint8_t *)buf + 15 + (y * 720 + x) * 3;
            g_assert_cmphex((uint32_t)p[0] << 16 | p[1] << 8 | p[2], ==,
                            pixel(s, x, y));
        }
    }
    g_free(buf);

    g_assert_true(ui_surface_write(surf, png, "png", &err));
    g_assert_true(g_file_get_contents(png, &buf, &len, NULL));
    g_assert_cmpmem(buf, 8, "\x89PNG\r\n\x1a\n", 8);
    /* Walk the chunks, checking each CRC, collecting IDAT. */
    for (pos = 8; pos + 12 <= len;) {
        const uint8_t *b = (uint8_t *)buf + pos;
        uint32_t clen = be32(b);
        g_assert_cmpuint(pos + 12 + clen, <=, len);
        g_assert_cmphex(crc32(crc32(0, b + 4, 4), b + 8, clen), ==,
                        be32(b + 8 + clen));
        if (!memcmp(b + 4, "IHDR", 4)) {
            g_assert_cmpuint(be32(b + 8), ==, 720);
            g_assert_cmpuint(be32(b + 12), ==, 400);
        } else if (!memcmp(b + 4, "IDAT", 4)) {
            idat = g_realloc(idat, idat_len + clen);
            memcpy(idat + idat_len, b + 8, clen);
            idat_len += clen;
        }
        pos += 12 + clen;
        if (!memcmp(b + 4, "IEND", 4)) {
            break;
        }
    }
    g_assert_cmpuint(pos, ==, len);
    raw_len = 400 * (720 * 3 + 1);
    raw = g_malloc(raw_len);
    g_assert_cmpint(uncompress(raw, &raw_len, idat, idat_len), ==, Z_OK);
    g_assert_cmpuint(raw_len, ==, 400 * (720 * 3 + 1));
    for (int y = 0; y < 400; y++) {
        const uint8_t *row = raw + y * (720 * 3 + 1);
        g_assert_cmpuint(row[0], ==, 0);
        for (int x = 0; x < 720; x += 7) {
            const uint8_t *p = row + 1 + x * 3;
            g_assert_cmphex((uint32_t)p[0] << 16 | p[1] << 8 | p[2], ==,
                            pixel(s, x, y));
        }
    }
    g_free(raw);
    g_free(idat);
    g_free(buf);

    g_assert_false(ui_surface_write(surf, ppm, "bmp", &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_assert_false(ui_surface_write(surf, "/nonexistent-dir/x.ppm", "ppm",
                                    &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;

    /* ui_screendump uses the active console: this VGA's. */
    g_assert_true(console_get_active() == s->con);
    g_assert_true(ui_screendump(ppm, NULL, &err));
    unlink(ppm);
    unlink(png);
    rmdir(dir);
    g_free(ppm);
    g_free(png);
    g_free(dir);
    vga_free(s);
    g_assert_null(console_get_active());
    g_assert_false(ui_screendump("/tmp/never", "ppm", &err));
    g_assert_nonnull(err);
    error_free(err);
}

/* --- state description --------------------------------------------------------- */

static void test_vmstate(void)
{
    VGAState *a = vga_new(), *b = vga_new();
    GByteArray *buf = g_byte_array_new();
    size_t pos = 0;
    Error *err = NULL;

    set_text_mode(a);
    vbe(a, VBE_DISPI_INDEX_XRES, 320);
    vmstate_save(&vmstate_vga, a, buf);
    g_assert_true(vmstate_load(&vmstate_vga, b, buf->data, buf->len, &pos,
                               &err));
    g_assert_true(vga_post_load(b, &err));
    g_assert_cmpmem(a->cr, sizeof(a->cr), b->cr, sizeof(b->cr));
    g_assert_cmpmem(a->palette, 768, b->palette, 768);
    g_assert_cmpuint(b->vbe_regs[VBE_DISPI_INDEX_XRES], ==, 320);
    /* A VBE mode that does not fit video memory is rejected. */
    b->vbe_regs[VBE_DISPI_INDEX_ENABLE] = VBE_DISPI_ENABLED;
    b->vbe_regs[VBE_DISPI_INDEX_XRES] = 16000;
    b->vbe_regs[VBE_DISPI_INDEX_VIRT_WIDTH] = 16000;
    b->vbe_regs[VBE_DISPI_INDEX_YRES] = 12000;
    b->vbe_regs[VBE_DISPI_INDEX_BPP] = 32;
    g_assert_false(vga_post_load(b, &err));
    g_assert_nonnull(err);
    error_free(err);
    g_byte_array_free(buf, true);
    vga_free(a);
    vga_free(b);
}

/* Random register and window traffic must never crash the renderer. */
static void test_hostile_registers(void)
{
    VGAState *s = vga_new();

    for (int round = 0; round < 300; round++) {
        for (int i = 0; i < 50; i++) {
            uint32_t port = 0x3b0 + g_test_rand_int_range(0, 0x30);
            vga_ioport_write(s, port, g_test_rand_int_range(0, 256));
            vga_ioport_read(s, 0x3b0 + g_test_rand_int_range(0, 0x30));
            vga_mem_writeb(s, g_test_rand_int_range(0, 0x20000),
                           g_test_rand_int_range(0, 256));
            vbe(s, g_test_rand_int_range(0, 16),
                g_test_rand_int_range(0, 0x10000));
        }
        vga_ioport_read(s, VGA_IS1_RC);
        out(s, VGA_ATT_W, VGA_AR_ENABLE_DISPLAY);
        vga_update_display(s);
    }
    vga_free(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    clock_virtual_set_manual();
    g_test_add_func("/vga/text", test_text_mode);
    g_test_add_func("/vga/text-cursor-blink", test_text_cursor_and_blink);
    g_test_add_func("/vga/write-modes", test_write_modes);
    g_test_add_func("/vga/read-mode1", test_read_mode1);
    g_test_add_func("/vga/odd-even-chain4", test_oddeven_chain4);
    g_test_add_func("/vga/planar-16", test_planar_16);
    g_test_add_func("/vga/chain4-256", test_chain4_256);
    g_test_add_func("/vga/cga-320x200x4", test_cga_320x200x4);
    g_test_add_func("/vga/text-40-columns", test_text_40_columns);
    g_test_add_func("/vga/dac", test_dac);
    g_test_add_func("/vga/attribute-flip-flop", test_attribute_flip_flop);
    g_test_add_func("/vga/crtc", test_crtc);
    g_test_add_func("/vga/retrace", test_retrace);
    g_test_add_func("/vga/vbe-modes", test_vbe_modes);
    g_test_add_func("/vga/vbe-dirty-bank", test_vbe_dirty_and_bank);
    g_test_add_func("/vga/dirty-planar", test_dirty_planar);
    g_test_add_func("/vga/screendump", test_screendump_files);
    g_test_add_func("/vga/vmstate", test_vmstate);
    g_test_add_func("/vga/hostile", test_hostile_registers);
    return g_test_run();
}
