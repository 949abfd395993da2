/*
 * User errors: built up with error_setg()/error_prepend(), reported once
 * by whoever is at the top (start-up code, the monitor).
 */
#include "pcemu/common.h"

const char *error_progname = "pcemu";

void error_setg(Error **errp, const char *fmt, ...)
{
    va_list ap;

    if (!errp || *errp) {
        return;
    }
    va_start(ap, fmt);
    *errp = g_new0(Error, 1);
    (*errp)->msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

void error_prepend(Error **errp, const char *fmt, ...)
{
    va_list ap;
    char *prefix, *msg;

    if (!errp || !*errp) {
        return;
    }
    va_start(ap, fmt);
    prefix = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    msg = g_strconcat(prefix, (*errp)->msg, NULL);
    g_free(prefix);
    g_free((*errp)->msg);
    (*errp)->msg = msg;
}

void error_propagate(Error **errp, Error *local)
{
    if (!local) {
        return;
    }
    if (errp && !*errp) {
        *errp = local;
    } else {
        error_free(local);
    }
}

void error_free(Error *err)
{
    if (err) {
        g_free(err->msg);
        g_free(err);
    }
}

void error_report_err(Error *err)
{
    error_report("%s", err->msg);
    error_free(err);
}

/* "pcemu: [prefix]message\n" on stderr. */
static void vreport(const char *prefix, const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: %s", error_progname, prefix);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void error_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("", fmt, ap);
    va_end(ap);
}

void warn_report(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("warning: ", fmt, ap);
    va_end(ap);
}

void fatal(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vreport("", fmt, ap);
    va_end(ap);
    exit(1);
}
