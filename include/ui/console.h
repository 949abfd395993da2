/*
 * The console layer between display devices and user interfaces.
 *
 * A display device (the VGA, later Cirrus) creates a DisplayConsole with
 * graphic_console_init() and publishes a DisplaySurface: width, height,
 * stride and pixel format of the picture it renders. When it redraws part
 * of the picture it reports the rectangle (dpy_gfx_update); when the mode
 * changes it replaces the surface (dpy_gfx_replace_surface).
 *
 * A user interface (the SDL window, screendump, a future VNC server)
 * registers a DisplayChangeListener on a console and is told of both. The
 * UI decides when to look: it calls console_hw_update() from its refresh
 * timer (SDL: about 30 times a second; headless: never, so an idle VM
 * without a window costs nothing), and the device then renders only what
 * changed since the last call, reporting the dirty rectangles.
 *
 * Locking: everything here runs under the BQL, on the main loop thread or
 * a vCPU thread that holds it. Surfaces belong to their console.
 */
#ifndef UI_CONSOLE_H
#define UI_CONSOLE_H

#include "pcemu/common.h"

/* Pixel formats, named as pixman names them (bits high to low in one
 * little-endian 32-bit word). Only XRGB8888 is produced today. */
typedef enum PixelFormat {
    PIXFMT_X8R8G8B8,
} PixelFormat;

typedef struct DisplaySurface {
    int width, height;      /* pixels */
    int stride;             /* bytes from one line to the next */
    PixelFormat format;
    uint8_t *data;          /* owned by the surface */
} DisplaySurface;

/* Device side: what the console may ask of the device. */
typedef struct GraphicHwOps {
    /* Render what changed since the last call into the surface (replacing
     * the surface first if the mode changed) and report dirty rectangles. */
    void (*gfx_update)(void *opaque);
    /* Forget what was drawn: the next gfx_update redraws everything. */
    void (*invalidate)(void *opaque);
} GraphicHwOps;

/* UI side. Any callback may be NULL. */
typedef struct DisplayChangeListener DisplayChangeListener;
typedef struct DisplayChangeListenerOps {
    const char *name;
    /* The surface was replaced (new mode); redraw all of it. */
    void (*gfx_switch)(DisplayChangeListener *dcl, DisplaySurface *surface);
    /* Pixels in this rectangle changed. */
    void (*gfx_update)(DisplayChangeListener *dcl, int x, int y, int w,
                       int h);
} DisplayChangeListenerOps;

typedef struct DisplayConsole DisplayConsole;

struct DisplayChangeListener {
    const DisplayChangeListenerOps *ops;
    void *opaque;                       /* the UI's */
    DisplayConsole *con;                /* set by register */
    DisplayChangeListener *next;
};

struct DisplayConsole {
    unsigned index;
    char *name;                         /* the device's path */
    const GraphicHwOps *hw_ops;
    void *hw;                           /* the device */
    DisplaySurface *surface;
    DisplayChangeListener *listeners;
    DisplayConsole *next;
};

/* A console for a display device; the first one created is the active
 * console that UIs and screendump show. Starts with a 640x480 black
 * surface. */
DisplayConsole *graphic_console_init(const char *name,
                                     const GraphicHwOps *ops, void *hw);
/* Unlinks and frees the console (tests; devices live as long as the VM). */
void graphic_console_close(DisplayConsole *con);
DisplayConsole *console_get_active(void);
DisplayConsole *console_by_index(unsigned index);

/* Surfaces: XRGB8888, zero-filled. width and height are clamped to
 * 1..DISPLAY_MAX_DIM. */
#define DISPLAY_MAX_DIM 16384
DisplaySurface *display_surface_new(int width, int height);
void display_surface_free(DisplaySurface *s);

/* Device side. The console takes ownership of surface and frees the old
 * one after telling the listeners. */
void dpy_gfx_replace_surface(DisplayConsole *con, DisplaySurface *surface);
/* Clipped to the surface; empty rectangles are not reported. */
void dpy_gfx_update(DisplayConsole *con, int x, int y, int w, int h);
static inline DisplaySurface *console_surface(DisplayConsole *con)
{
    return con->surface;
}

/* UI side. */
void register_displaychangelistener(DisplayChangeListener *dcl,
                                    DisplayConsole *con);
void unregister_displaychangelistener(DisplayChangeListener *dcl);
/* Asks the device to bring the surface up to date (may call back into
 * the listeners). */
void console_hw_update(DisplayConsole *con);
void console_hw_invalidate(DisplayConsole *con);

/*
 * Writes the active console's current picture to path: "ppm" (binary
 * P6) or "png" (8-bit RGB). The device redraws everything first, so the
 * file shows the screen as it is now, in text modes too. Fails with errp
 * set (no display device, unknown format, a file that cannot be
 * written). For QMP/HMP `screendump filename=... format=...`.
 */
bool ui_screendump(const char *path, const char *format, Error **errp);
/* Makes the monitor's `screendump` call ui_screendump. To be called at
 * start-up when a display device exists (not yet: tests/monitor/qmp-test
 * still expects "no display device" from a machine that now has the
 * default VGA; see docs/display.md). */
void ui_screendump_register(void);
/* The same for a given surface (unit tests, other consoles). */
bool ui_surface_write(DisplaySurface *surface, const char *path,
                      const char *format, Error **errp);

#endif
