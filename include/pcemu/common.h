/*
 * Definitions every pcemu file needs: standard headers, small macros, the
 * Error type for user errors and the rate-limited guest-error log.
 *
 * Three kinds of error (see STYLE.md):
 * - the user's: error_setg() up to the caller, which prints it with
 *   error_report_err() and exits 1 at start-up, or replies in the monitor;
 * - the guest's: guest_error() logs (rate-limited) and the device goes on;
 * - ours: assert(), kept on in release builds.
 */
#ifndef PCEMU_COMMON_H
#define PCEMU_COMMON_H

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#ifdef NDEBUG
#error "pcemu keeps assert() on in every build"
#endif

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#endif
#ifndef MAX
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif
#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))
#define PRINTF_FMT(a, b) __attribute__((format(printf, a, b)))
#define NORETURN __attribute__((noreturn))

#define KiB (1024ULL)
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)
#define TiB (1024ULL * GiB)

/* A user error on its way to whoever reports it. */
typedef struct Error {
    char *msg;
} Error;

/* Sets *errp to a new error (if errp is not NULL and *errp is unset). */
void error_setg(Error **errp, const char *fmt, ...) PRINTF_FMT(2, 3);
/* Adds "prefix: " in front of an error's message. */
void error_prepend(Error **errp, const char *fmt, ...) PRINTF_FMT(2, 3);
/* Moves a local error into errp (or frees it when errp is NULL). */
void error_propagate(Error **errp, Error *local);
void error_free(Error *err);
/* Prints "pcemu: <msg>" on stderr and frees err. */
void error_report_err(Error *err);
/* Prints "pcemu: <msg>" on stderr. */
void error_report(const char *fmt, ...) PRINTF_FMT(1, 2);
void warn_report(const char *fmt, ...) PRINTF_FMT(1, 2);
/* For user errors at start-up: prints the message and exits with 1. */
NORETURN void fatal(const char *fmt, ...) PRINTF_FMT(1, 2);

/*
 * Logs something a guest did wrong or that we do not emulate; never stops
 * the machine. At most a few lines per second are printed, per call site
 * format string, so a hostile guest cannot flood the host's log.
 * Enabled with "-d guest_errors,unimp" (off by default, as QEMU).
 */
enum { LOG_GUEST_ERROR = 1, LOG_UNIMP = 2, LOG_TRACE = 4 };
extern unsigned log_mask;
void log_ratelimited(unsigned kind, const char *fmt, ...) PRINTF_FMT(2, 3);
#define guest_error(...) log_ratelimited(LOG_GUEST_ERROR, __VA_ARGS__)
#define unimp_log(...) log_ratelimited(LOG_UNIMP, __VA_ARGS__)

/* Program name for messages ("pcemu", or the tool's name). */
extern const char *error_progname;

#endif
