/*
 * What the chardev back ends share: the Chardev object, the driver ops a
 * back end implements, and the fd helper (char-fd.c) that every back end
 * built on host file descriptors uses for non-blocking I/O.
 *
 * Private to softmmu/chardev/; front ends see only include/chardev/char.h.
 */
#ifndef SOFTMMU_CHARDEV_CHAR_INTERNAL_H
#define SOFTMMU_CHARDEV_CHAR_INTERNAL_H

#include "chardev/char.h"
#include "pcemu/opts.h"

typedef struct ChardevDriver ChardevDriver;

struct Chardev {
    const ChardevDriver *drv;
    char *id;
    char *filename;         /* QEMU's query-chardev "filename" text */
    ChardevFrontend fe;
    bool fe_attached;
    bool be_open;           /* a peer is there (OPENED sent, no CLOSED) */
    int logfd;              /* logfile=: a copy of the output, or -1 */
    Chardev *next;          /* registry, in creation order */
};

struct ChardevDriver {
    const char *name;       /* -chardev BACKEND */
    size_t size;            /* state size; the state starts with Chardev */
    /* The option names open() reads (NULL-terminated; NULL: none), so a
     * typo is reported before anything is opened or waited for. */
    const char *const *options;
    /* Reads its options (marking them used) and opens the host side. On
     * failure sets errp; close is then still called. */
    bool (*open)(Chardev *chr, Opts *opts, Error **errp);
    /* Non-blocking; returns bytes taken (see chardev_write). */
    int (*write)(Chardev *chr, const uint8_t *buf, int len);
    /* The front end's can_read() may have grown: poll the input again. */
    void (*accept_input)(Chardev *chr);
    /* Only for back ends with several front ends (mux); NULL: one. */
    bool (*attach)(Chardev *chr, const ChardevFrontend *fe, Error **errp);
    void (*detach)(Chardev *chr);
    /* Releases host resources (restores the terminal, unlinks a socket
     * path); must be safe on a half-opened chardev. */
    void (*close)(Chardev *chr);
};

extern const ChardevDriver chardev_null_driver;
extern const ChardevDriver chardev_stdio_driver;
extern const ChardevDriver chardev_file_driver;
extern const ChardevDriver chardev_pipe_driver;
extern const ChardevDriver chardev_socket_driver;
extern const ChardevDriver chardev_pty_driver;
extern const ChardevDriver chardev_serial_driver;
extern const ChardevDriver chardev_mux_driver;

/* Back end -> front end (char.c). Safe when no front end is attached:
 * can_read is then 0 and bytes are dropped. */
int chardev_be_can_read(Chardev *chr);
void chardev_be_read(Chardev *chr, const uint8_t *buf, int len);
/* Tracks be_open: OPENED and CLOSED reach the front end once each. */
void chardev_be_event(Chardev *chr, int event);
void chardev_set_filename(Chardev *chr, const char *fmt, ...)
    PRINTF_FMT(2, 3);

/* A new unregistered chardev of drv, for the mux's hidden base. */
Chardev *chardev_create(const ChardevDriver *drv, const char *id,
                        Opts *opts, Error **errp);
void chardev_destroy(Chardev *chr);

/* Mux: wraps base (its front end becomes the mux). */
bool chardev_mux_set_base(Chardev *mux, Chardev *base, Error **errp);
/* True when no front end uses the mux; *base gets the back end under it
 * (which goes away with it). */
bool chardev_mux_idle(Chardev *mux, Chardev **base);

/*
 * The fd helper. Input: read only while the front end can take bytes;
 * output: written without blocking, what the fd cannot take now waits in
 * a bounded buffer (flushed when the fd is writable) and beyond that is
 * dropped, so a guest writing to a stalled pipe never blocks a vCPU.
 */
#define FDCHR_OUTBUF_MAX (64 * 1024)

typedef struct FdChardev FdChardev;
struct FdChardev {
    Chardev parent;
    int fd_in;              /* -1: no input */
    int fd_out;             /* -1: output dropped; may equal fd_in */
    bool close_fds;         /* false for stdin/stdout */
    bool in_eof;            /* input ended: never poll it again */
    bool out_dead;          /* output failed for good: drop silently */
    bool reg_read, reg_write;   /* what main_loop currently polls */
    GByteArray *outbuf;
    uint64_t dropped;
    /* The input reached EOF or failed; NULL: stop reading. */
    void (*hangup)(FdChardev *s);
    /* Filters received bytes (telnet); NULL: passed as they are. Returns
     * the number of bytes left in buf. */
    int (*filter_in)(FdChardev *s, uint8_t *buf, int len);
};

/* First thing in a back end's open: no fds yet (chardev_create zeroes
 * the state, and 0 is stdin). */
void fdchr_init(FdChardev *s);
/* Starts using fds (already open, made non-blocking here). */
void fdchr_set_fds(FdChardev *s, int fd_in, int fd_out, bool close_fds);
/* Stops polling, drops pending output, closes the fds if owned. */
void fdchr_release(FdChardev *s);
/* Writes pending output, waiting at most timeout_ms (at exit). */
void fdchr_flush(FdChardev *s, int timeout_ms);
int fdchr_write(Chardev *chr, const uint8_t *buf, int len);
void fdchr_accept_input(Chardev *chr);
void fdchr_close(Chardev *chr);
/* Writes buf to fd, the whole of it unless the fd would block or fails;
 * returns bytes written or -1 (errno set) on a hard error. */
ssize_t fdchr_write_nonblock(int fd, const uint8_t *buf, size_t len);
bool fdchr_set_nonblock(int fd, Error **errp);

/* The process ignores SIGPIPE once any chardev exists: a peer closing a
 * pipe or socket must be an error return, not the emulator's death. */
void chardev_ignore_sigpipe(void);

#endif
