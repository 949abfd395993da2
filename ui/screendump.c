/*
 * Screenshots of a console: binary PPM (Netpbm "P6") and PNG (PNG
 * specification, W3C second edition: signature, IHDR, one zlib-compressed
 * IDAT of filter-0 scanlines, IEND; CRC-32 per chunk). PNG is written
 * here with zlib rather than libpng: it is forty lines and one dependency
 * fewer.
 */
#include "ui/console.h"
#include "monitor/monitor.h"
#include <unistd.h>
#include <zlib.h>

/* One RGB line from an XRGB8888 line. */
static void surface_line_rgb(const DisplaySurface *s, int y, uint8_t *out)
{
    const uint8_t *p = s->data + (size_t)y * s->stride;

    for (int x = 0; x < s->width; x++) {
        uint32_t v = (uint32_t)p[4 * x] | (uint32_t)p[4 * x + 1] << 8 |
                     (uint32_t)p[4 * x + 2] << 16;
        out[3 * x] = v >> 16;
        out[3 * x + 1] = v >> 8;
        out[3 * x + 2] = v;
    }
}

static bool write_ppm(const DisplaySurface *s, FILE *f)
{
    uint8_t *line = g_malloc((size_t)s->width * 3);
    bool ok = fprintf(f, "P6\n%d %d\n255\n", s->width, s->height) > 0;

    for (int y = 0; ok && y < s->height; y++) {
        surface_line_rgb(s, y, line);
        ok = fwrite(line, 3, s->width, f) == (size_t)s->width;
    }
    g_free(line);
    return ok;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

static bool png_chunk(FILE *f, const char *type, const uint8_t *data,
                      size_t len)
{
    uint8_t hdr[8], crcb[4];
    uLong crc = crc32(0, (const Bytef *)type, 4);

    if (len) {
        crc = crc32(crc, data, len);
    }
    put_be32(hdr, len);
    memcpy(hdr + 4, type, 4);
    put_be32(crcb, crc);
    return fwrite(hdr, 8, 1, f) == 1 &&
           (!len || fwrite(data, len, 1, f) == 1) &&
           fwrite(crcb, 4, 1, f) == 1;
}

static bool write_png(const DisplaySurface *s, FILE *f)
{
    static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n',
                                    0x1a, '\n' };
    size_t row = (size_t)s->width * 3 + 1;
    size_t raw_len = row * s->height;
    uint8_t *raw = g_malloc(raw_len);
    uLongf z_len = compressBound(raw_len);
    uint8_t *z = g_malloc(z_len);
    uint8_t ihdr[13];
    bool ok;

    for (int y = 0; y < s->height; y++) {
        raw[row * y] = 0;                       /* filter type None */
        surface_line_rgb(s, y, raw + row * y + 1);
    }
    ok = compress2(z, &z_len, raw, raw_len, 6) == Z_OK;
    put_be32(ihdr, s->width);
    put_be32(ihdr + 4, s->height);
    ihdr[8] = 8;        /* bit depth */
    ihdr[9] = 2;        /* colour type: truecolour */
    ihdr[10] = 0;       /* deflate */
    ihdr[11] = 0;       /* adaptive filtering */
    ihdr[12] = 0;       /* no interlace */
    ok = ok && fwrite(sig, 8, 1, f) == 1 &&
         png_chunk(f, "IHDR", ihdr, sizeof(ihdr)) &&
         png_chunk(f, "IDAT", z, z_len) &&
         png_chunk(f, "IEND", NULL, 0);
    g_free(raw);
    g_free(z);
    return ok;
}

bool ui_surface_write(DisplaySurface *surface, const char *path,
                      const char *format, Error **errp)
{
    bool png;
    FILE *f;
    bool ok;

    if (!format || !strcmp(format, "ppm")) {
        png = false;
    } else if (!strcmp(format, "png")) {
        png = true;
    } else {
        error_setg(errp, "screendump: unknown format '%s' (ppm or png)",
                   format);
        return false;
    }
    f = fopen(path, "wb");
    if (!f) {
        error_setg(errp, "screendump: cannot create '%s': %s", path,
                   strerror(errno));
        return false;
    }
    ok = png ? write_png(surface, f) : write_ppm(surface, f);
    if (fclose(f) != 0) {
        ok = false;
    }
    if (!ok) {
        error_setg(errp, "screendump: cannot write '%s': %s", path,
                   strerror(errno ? errno : EIO));
        unlink(path);
    }
    return ok;
}

bool ui_screendump(const char *path, const char *format, Error **errp)
{
    DisplayConsole *con = console_get_active();

    if (!con) {
        error_setg(errp, "screendump: there is no display device (the "
                   "machine runs with -vga none)");
        return false;
    }
    console_hw_invalidate(con);
    console_hw_update(con);
    return ui_surface_write(console_surface(con), path, format, errp);
}

/* QMP/HMP `screendump`: the monitor calls this once a display exists. */
static bool screendump_monitor_hook(const char *filename, const char *format,
                                    void *opaque, Error **errp)
{
    return ui_screendump(filename, format, errp);
}

void ui_screendump_register(void)
{
    monitor_set_screendump_handler(screendump_monitor_hook, NULL);
}
