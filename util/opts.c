/*
 * QEMU-style "a,b=c,d=e" option strings and the number/size parsers the
 * command line and device properties share.
 */
#include "pcemu/opts.h"
#include <ctype.h>
#include <math.h>

typedef struct OptEntry {
    char *key;
    char *value;
    bool used;
} OptEntry;

struct Opts {
    GPtrArray *entries;     /* of OptEntry */
};

static void opt_entry_free(gpointer p)
{
    OptEntry *e = p;

    g_free(e->key);
    g_free(e->value);
    g_free(e);
}

/* Reads up to an unescaped stop char (',' and, if stop_eq, '='); ",,"
 * stands for ','. Returns the text; *pp points at the stop char or NUL. */
static char *scan_token(const char **pp, bool stop_eq)
{
    GString *s = g_string_new(NULL);
    const char *p = *pp;

    while (*p) {
        if (*p == ',') {
            if (p[1] == ',') {
                g_string_append_c(s, ',');
                p += 2;
                continue;
            }
            break;
        }
        if (stop_eq && *p == '=') {
            break;
        }
        g_string_append_c(s, *p++);
    }
    *pp = p;
    return g_string_free(s, false);
}

static void opts_add(Opts *o, char *key, char *value)
{
    OptEntry *e = g_new0(OptEntry, 1);

    e->key = key;
    e->value = value;
    g_ptr_array_add(o->entries, e);
}

Opts *opts_parse(const char *str, const char *implied_key, Error **errp)
{
    Opts *o = g_new0(Opts, 1);
    const char *p = str ? str : "";
    bool first = true;

    o->entries = g_ptr_array_new_with_free_func(opt_entry_free);
    while (*p) {
        char *key = scan_token(&p, true);

        if (*p == '=') {
            p++;
            if (!*key) {
                error_setg(errp, "Invalid parameter '' in '%s'", str);
                g_free(key);
                opts_free(o);
                return NULL;
            }
            opts_add(o, key, scan_token(&p, false));
        } else if (first && implied_key) {
            opts_add(o, g_strdup(implied_key), key);
        } else if (!*key) {
            g_free(key);        /* empty item, e.g. a trailing comma */
        } else if (g_str_has_prefix(key, "no") && key[2]) {
            opts_add(o, g_strdup(key + 2), g_strdup("off"));
            g_free(key);
        } else {
            opts_add(o, key, g_strdup("on"));
        }
        first = false;
        if (*p == ',') {
            p++;
        }
    }
    return o;
}

void opts_free(Opts *o)
{
    if (o) {
        g_ptr_array_free(o->entries, true);
        g_free(o);
    }
}

/* The last entry for key wins, as in QEMU. */
static OptEntry *opts_find(Opts *o, const char *key)
{
    OptEntry *found = NULL;

    for (guint i = 0; i < o->entries->len; i++) {
        OptEntry *e = g_ptr_array_index(o->entries, i);
        if (!strcmp(e->key, key)) {
            e->used = true;
            found = e;
        }
    }
    return found;
}

const char *opts_get(Opts *o, const char *key)
{
    OptEntry *e = opts_find(o, key);

    return e ? e->value : NULL;
}

bool opts_has(Opts *o, const char *key)
{
    return opts_find(o, key) != NULL;
}

bool opts_get_bool(Opts *o, const char *key, bool def, Error **errp)
{
    const char *v = opts_get(o, key);
    bool b;

    if (!v) {
        return def;
    }
    if (!parse_bool(v, &b)) {
        error_setg(errp, "Parameter '%s' expects 'on' or 'off', not '%s'",
                   key, v);
        return def;
    }
    return b;
}

uint64_t opts_get_number(Opts *o, const char *key, uint64_t def,
                         Error **errp)
{
    const char *v = opts_get(o, key);
    uint64_t n;

    if (!v) {
        return def;
    }
    if (!parse_uint64(v, &n)) {
        error_setg(errp, "Parameter '%s' expects a number, not '%s'", key, v);
        return def;
    }
    return n;
}

uint64_t opts_get_size(Opts *o, const char *key, uint64_t def, Error **errp)
{
    const char *v = opts_get(o, key);
    uint64_t n;

    if (!v) {
        return def;
    }
    if (!parse_size(v, 'B', &n)) {
        error_setg(errp, "Parameter '%s' expects a size (e.g. 64M), not '%s'",
                   key, v);
        return def;
    }
    return n;
}

void opts_foreach(Opts *o, void (*fn)(const char *key, const char *value,
                                      void *opaque), void *opaque)
{
    for (guint i = 0; i < o->entries->len; i++) {
        OptEntry *e = g_ptr_array_index(o->entries, i);
        e->used = true;
        fn(e->key, e->value, opaque);
    }
}

bool opts_check_unused(Opts *o, Error **errp)
{
    for (guint i = 0; i < o->entries->len; i++) {
        OptEntry *e = g_ptr_array_index(o->entries, i);
        if (!e->used) {
            error_setg(errp, "Invalid parameter '%s'", e->key);
            return false;
        }
    }
    return true;
}

bool parse_uint64(const char *str, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (!str || !*str || isspace((unsigned char)*str) || *str == '-') {
        return false;
    }
    errno = 0;
    v = strtoull(str, &end, 0);
    if (errno || *end) {
        return false;
    }
    *out = v;
    return true;
}

bool parse_bool(const char *str, bool *out)
{
    if (!strcmp(str, "on") || !strcmp(str, "yes") || !strcmp(str, "true") ||
        !strcmp(str, "1")) {
        *out = true;
        return true;
    }
    if (!strcmp(str, "off") || !strcmp(str, "no") || !strcmp(str, "false") ||
        !strcmp(str, "0")) {
        *out = false;
        return true;
    }
    return false;
}

static int size_shift(char c)
{
    switch (c) {
    case 'B': case 'b': return 0;
    case 'K': case 'k': return 10;
    case 'M': case 'm': return 20;
    case 'G': case 'g': return 30;
    case 'T': case 't': return 40;
    case 'P': case 'p': return 50;
    case 'E': case 'e': return 60;
    default: return -1;
    }
}

bool parse_size(const char *str, char default_suffix, uint64_t *out)
{
    char *end;
    uint64_t whole;
    double frac = 0;
    int shift;
    const char *p;

    if (!str || !isdigit((unsigned char)*str)) {
        return false;
    }
    errno = 0;
    whole = strtoull(str, &end, 10);
    if (errno) {
        return false;
    }
    p = end;
    if (*p == '.') {
        /* A fraction: "1.5G". Parse digits after the point ourselves so
         * "0x" spellings or exponents are not accepted by accident. */
        double scale = 0.1;
        p++;
        if (!isdigit((unsigned char)*p)) {
            return false;
        }
        while (isdigit((unsigned char)*p)) {
            frac += (*p++ - '0') * scale;
            scale /= 10;
        }
    }
    if (*p) {
        shift = size_shift(*p);
        if (shift < 0 || p[1]) {
            return false;
        }
    } else {
        shift = size_shift(default_suffix);
        assert(shift >= 0);
    }
    if (shift && whole > (UINT64_MAX >> shift)) {
        return false;
    }
    if (!shift && frac) {
        return false;           /* a fraction of a byte */
    }
    *out = (whole << shift) + (uint64_t)(frac * (double)(1ULL << shift));
    if (*out < (whole << shift)) {
        return false;
    }
    return true;
}
