/*
 * The console layer: surfaces that display devices render into, and the
 * listeners (UIs) told when a surface changes. See include/ui/console.h
 * for the contract; this file only keeps the lists and clips rectangles.
 */
#include "ui/console.h"

static DisplayConsole *consoles;
static unsigned next_console_index;

DisplaySurface *display_surface_new(int width, int height)
{
    DisplaySurface *s = g_new0(DisplaySurface, 1);

    s->width = CLAMP(width, 1, DISPLAY_MAX_DIM);
    s->height = CLAMP(height, 1, DISPLAY_MAX_DIM);
    s->stride = s->width * 4;
    s->format = PIXFMT_X8R8G8B8;
    s->data = g_malloc0((size_t)s->stride * s->height);
    return s;
}

void display_surface_free(DisplaySurface *s)
{
    if (s) {
        g_free(s->data);
        g_free(s);
    }
}

DisplayConsole *graphic_console_init(const char *name,
                                     const GraphicHwOps *ops, void *hw)
{
    DisplayConsole *con = g_new0(DisplayConsole, 1);
    DisplayConsole **p = &consoles;

    con->index = next_console_index++;
    con->name = g_strdup(name);
    con->hw_ops = ops;
    con->hw = hw;
    con->surface = display_surface_new(640, 480);
    while (*p) {
        p = &(*p)->next;
    }
    *p = con;
    return con;
}

void graphic_console_close(DisplayConsole *con)
{
    for (DisplayConsole **p = &consoles; *p; p = &(*p)->next) {
        if (*p == con) {
            *p = con->next;
            break;
        }
    }
    for (DisplayChangeListener *l = con->listeners; l; l = l->next) {
        l->con = NULL;
    }
    display_surface_free(con->surface);
    g_free(con->name);
    g_free(con);
}

DisplayConsole *console_get_active(void)
{
    return consoles;
}

DisplayConsole *console_by_index(unsigned index)
{
    for (DisplayConsole *c = consoles; c; c = c->next) {
        if (c->index == index) {
            return c;
        }
    }
    return NULL;
}

void dpy_gfx_replace_surface(DisplayConsole *con, DisplaySurface *surface)
{
    DisplaySurface *old = con->surface;

    con->surface = surface;
    for (DisplayChangeListener *l = con->listeners; l; l = l->next) {
        if (l->ops->gfx_switch) {
            l->ops->gfx_switch(l, surface);
        }
    }
    if (old != surface) {
        display_surface_free(old);
    }
}

void dpy_gfx_update(DisplayConsole *con, int x, int y, int w, int h)
{
    DisplaySurface *s = con->surface;
    int x2 = MIN(x + w, s->width), y2 = MIN(y + h, s->height);

    x = MAX(x, 0);
    y = MAX(y, 0);
    if (x >= x2 || y >= y2) {
        return;
    }
    for (DisplayChangeListener *l = con->listeners; l; l = l->next) {
        if (l->ops->gfx_update) {
            l->ops->gfx_update(l, x, y, x2 - x, y2 - y);
        }
    }
}

void register_displaychangelistener(DisplayChangeListener *dcl,
                                    DisplayConsole *con)
{
    dcl->con = con;
    dcl->next = con->listeners;
    con->listeners = dcl;
    /* A new listener starts from a full picture. */
    if (dcl->ops->gfx_switch) {
        dcl->ops->gfx_switch(dcl, con->surface);
    }
}

void unregister_displaychangelistener(DisplayChangeListener *dcl)
{
    if (!dcl->con) {
        return;
    }
    for (DisplayChangeListener **p = &dcl->con->listeners; *p;
         p = &(*p)->next) {
        if (*p == dcl) {
            *p = dcl->next;
            break;
        }
    }
    dcl->con = NULL;
}

void console_hw_update(DisplayConsole *con)
{
    if (con->hw_ops && con->hw_ops->gfx_update) {
        con->hw_ops->gfx_update(con->hw);
    }
}

void console_hw_invalidate(DisplayConsole *con)
{
    if (con->hw_ops && con->hw_ops->invalidate) {
        con->hw_ops->invalidate(con->hw);
    }
}
