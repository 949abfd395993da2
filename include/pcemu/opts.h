/*
 * QEMU-style option strings: "value,key=val,key2=val2", where ",," is a
 * literal comma, a bare "key" means "key=on" and "nokey" means "key=off"
 * (for the legacy server/nowait flags), and an optional implied key names
 * the first bare value ("-device e1000,..." -> driver=e1000).
 *
 * Every key a caller reads is marked used; opts_check_unused() then turns
 * any key nobody read into "Invalid parameter 'x'", so a typo is an error,
 * never silently ignored.
 */
#ifndef PCEMU_OPTS_H
#define PCEMU_OPTS_H

#include "pcemu/common.h"

typedef struct Opts Opts;

Opts *opts_parse(const char *str, const char *implied_key, Error **errp);
void opts_free(Opts *o);

/* NULL if absent. */
const char *opts_get(Opts *o, const char *key);
bool opts_has(Opts *o, const char *key);
/* "on/off/yes/no/true/false"; def if absent; errp on other text. */
bool opts_get_bool(Opts *o, const char *key, bool def, Error **errp);
/* Decimal or 0x hex. */
uint64_t opts_get_number(Opts *o, const char *key, uint64_t def,
                         Error **errp);
/* With optional k/M/G/T suffix (bytes). */
uint64_t opts_get_size(Opts *o, const char *key, uint64_t def,
                       Error **errp);
/* Visits every key in order (marks all used). */
void opts_foreach(Opts *o, void (*fn)(const char *key, const char *value,
                                      void *opaque), void *opaque);
/* Error "Invalid parameter 'KEY'" for the first key never read. */
bool opts_check_unused(Opts *o, Error **errp);

/*
 * Parses a size: a number with an optional suffix B, K/k, M, G, T, P, E
 * (powers of 1024) and default unit default_suffix (for -m it is 'M').
 * Fractions allowed ("1.5G"). Returns false on malformed text or
 * overflow past 2^64.
 */
bool parse_size(const char *str, char default_suffix, uint64_t *out);
/* Decimal, 0x hex or 0 octal; whole string; false on junk or overflow. */
bool parse_uint64(const char *str, uint64_t *out);
bool parse_bool(const char *str, bool *out);

#endif
