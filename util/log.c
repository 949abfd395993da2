/*
 * The guest-error and unimplemented-feature log (-d guest_errors,unimp).
 * Rate-limited per format string: a guest that hammers a bad register gets
 * a few lines a second, then a count of what was suppressed.
 */
#include "pcemu/common.h"
#include <pthread.h>
#include <time.h>

unsigned log_mask;

#define LOG_BURST 5             /* lines per site per second */

typedef struct LogSite {
    const char *fmt;
    time_t second;
    unsigned printed, suppressed;
} LogSite;

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static GHashTable *log_sites;

void log_ratelimited(unsigned kind, const char *fmt, ...)
{
    va_list ap;
    LogSite *site;
    time_t now = time(NULL);
    bool print;

    if (!(log_mask & kind)) {
        return;
    }
    pthread_mutex_lock(&log_lock);
    if (!log_sites) {
        log_sites = g_hash_table_new(g_direct_hash, g_direct_equal);
    }
    site = g_hash_table_lookup(log_sites, fmt);
    if (!site) {
        site = g_new0(LogSite, 1);
        site->fmt = fmt;
        g_hash_table_insert(log_sites, (gpointer)fmt, site);
    }
    if (site->second != now) {
        if (site->suppressed) {
            fprintf(stderr, "%s: (%u similar messages suppressed)\n",
                    error_progname, site->suppressed);
        }
        site->second = now;
        site->printed = site->suppressed = 0;
    }
    print = site->printed < LOG_BURST;
    if (print) {
        site->printed++;
    } else {
        site->suppressed++;
    }
    pthread_mutex_unlock(&log_lock);
    if (!print) {
        return;
    }
    fprintf(stderr, "%s: %s", error_progname,
            kind == LOG_UNIMP ? "unimplemented: " :
            kind == LOG_GUEST_ERROR ? "guest error: " : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    /* Callers may or may not end their format with a newline. */
    if (!*fmt || fmt[strlen(fmt) - 1] != '\n') {
        fputc('\n', stderr);
    }
}
