/*
 * Character back ends (-chardev, -serial): where a UART's or a monitor's
 * bytes go. A device (the front end) never knows whether they reach a
 * terminal, a file or a socket.
 *
 * Back ends: null, stdio, file (path=), pipe (path=: PATH.in/PATH.out, or
 * PATH for both), socket (path= unix or host=/port= tcp; server=on
 * wait=off), and the legacy -serial spellings stdio, null, file:PATH,
 * pipe:PATH, unix:PATH[,server=on,wait=off], tcp:[HOST]:PORT[,...],
 * mon:stdio.
 *
 * All functions run under the BQL (on the main loop thread or a vCPU
 * thread holding it).
 */
#ifndef CHARDEV_CHAR_H
#define CHARDEV_CHAR_H

#include "pcemu/common.h"

typedef struct Chardev Chardev;

enum {
    CHR_EVENT_OPENED,   /* a client connected / back end ready */
    CHR_EVENT_CLOSED,   /* the client went away */
    CHR_EVENT_BREAK,    /* serial break (Ctrl-A b on stdio) */
    /* A mux (mon:stdio) gave this front end the keyboard / took it away
     * (Ctrl-A c); the monitor prints its prompt on MUX_IN. */
    CHR_EVENT_MUX_IN,
    CHR_EVENT_MUX_OUT,
};

/* The front end's side: how much it can take now, the bytes, events. */
typedef struct ChardevFrontend {
    int (*can_read)(void *opaque);
    void (*read)(void *opaque, const uint8_t *buf, int len);
    void (*event)(void *opaque, int event);
    void *opaque;
} ChardevFrontend;

/* -chardev BACKEND,id=ID,...  */
Chardev *chardev_new_from_opts(const char *optstr, Error **errp);
/* -serial SPEC: the legacy spellings, given a generated id. */
Chardev *chardev_new_legacy(const char *spec, const char *id, Error **errp);
Chardev *chardev_find(const char *id);
const char *chardev_id(const Chardev *chr);
const char *chardev_filename(const Chardev *chr);  /* for query-chardev */
/* Every chardev in creation order (for info chardev). */
Chardev *chardev_first(void);
Chardev *chardev_next(const Chardev *chr);

/* Attaches the front end; a chardev has at most one, except a mux
 * (mux=on, mon:stdio), which takes up to four; the one attached last gets
 * the input focus and Ctrl-A c cycles it. */
bool chardev_attach(Chardev *chr, const ChardevFrontend *fe, Error **errp);
void chardev_detach(Chardev *chr);

/* Writes without blocking the caller; bytes the back end cannot take now
 * (no client connected, a full socket) are dropped, as a UART whose line
 * is not listening loses them. Returns bytes taken. */
int chardev_write(Chardev *chr, const uint8_t *buf, int len);

/* The front end can take input again (its FIFO drained); the back end
 * resumes reading. */
void chardev_accept_input(Chardev *chr);

/* -echr: the mux escape character (default 0x01, Ctrl-A). */
void chardev_set_escape_char(int c);

/* Closes and forgets a chardev no device uses (chardev-remove; a mux
 * takes its hidden back end with it). Errors if a front end is attached. */
bool chardev_remove(Chardev *chr, Error **errp);

/* Restores terminals etc. at exit. */
void chardev_cleanup_all(void);

#endif
