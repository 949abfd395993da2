/*
 * HMP, the human monitor: QEMU's "(qemu) " console. A small line editor
 * (echo, backspace, Ctrl-U; escape sequences such as arrow keys are
 * swallowed), then the command line is split into the command name and
 * the rest, which each command parses itself.
 *
 * The prompt is QEMU's "(qemu) " on purpose: scripts and tools that drive
 * QEMU's monitor wait for exactly that string.
 */
#include "monitor-internal.h"

#define HMP_PROMPT "(qemu) "

static void hmp_prompt(Monitor *mon)
{
    monitor_puts(mon, HMP_PROMPT);
}

static void hmp_banner(Monitor *mon)
{
    if (!mon->banner_done) {
        mon->banner_done = true;
        monitor_printf(mon, "QEMU %s monitor (pcemu " PCEMU_PROJECT_VERSION
                       ") - type 'help' for more information\n",
                       "7.2.0");
    }
}

void hmp_monitor_event(Monitor *mon, int event)
{
    if (mon->is_mux && mon->attaching) {
        return;
    }
    switch (event) {
    case CHR_EVENT_OPENED:
        mon->connected = true;
        g_string_truncate(mon->line, 0);
        mon->esc_state = 0;
        if (mon->is_mux) {
            /* On a shared line the guest has the keyboard first; the
             * banner waits for the first Ctrl-A c. */
            break;
        }
        mon->banner_done = false;
        hmp_banner(mon);
        hmp_prompt(mon);
        break;
    case CHR_EVENT_CLOSED:
        mon->connected = false;
        break;
    case CHR_EVENT_MUX_IN:
        hmp_banner(mon);
        hmp_prompt(mon);
        break;
    }
}

static bool name_matches(const char *names, const char *word)
{
    /* names is "cont|c". */
    gchar **alts = g_strsplit(names, "|", -1);
    bool found = false;

    for (gchar **a = alts; *a; a++) {
        found |= !strcmp(*a, word);
    }
    g_strfreev(alts);
    return found;
}

void hmp_execute(Monitor *mon, const char *line)
{
    const char *p = line, *end;
    char *name;

    while (g_ascii_isspace(*p)) {
        p++;
    }
    if (!*p) {
        return;
    }
    end = p;
    while (*end && !g_ascii_isspace(*end)) {
        end++;
    }
    name = g_strndup(p, end - p);
    while (g_ascii_isspace(*end)) {
        end++;
    }
    for (const HmpCommand *c = hmp_commands; c->name; c++) {
        if (name_matches(c->name, name)) {
            c->fn(mon, end);
            g_free(name);
            return;
        }
    }
    monitor_printf(mon, "unknown command: '%s'\n", name);
    g_free(name);
}

static void hmp_enter(Monitor *mon)
{
    char *line = g_strdup(mon->line->str);

    monitor_puts(mon, "\n");
    g_string_truncate(mon->line, 0);
    hmp_execute(mon, line);
    g_free(line);
    hmp_prompt(mon);
}

void hmp_monitor_input(Monitor *mon, const uint8_t *buf, int len)
{
    for (int i = 0; i < len; i++) {
        uint8_t c = buf[i];
        bool was_cr = mon->last_cr;

        mon->last_cr = false;
        if (mon->esc_state == 1) {
            mon->esc_state = (c == '[' || c == 'O') ? 2 : 0;
            continue;
        }
        if (mon->esc_state == 2) {
            /* ESC [ parameters, ended by a letter or ~. */
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                c == '~') {
                mon->esc_state = 0;
            }
            continue;
        }
        switch (c) {
        case '\r':
            mon->last_cr = true;
            hmp_enter(mon);
            break;
        case '\n':
            if (!was_cr) {
                hmp_enter(mon);
            }
            break;
        case 27:
            mon->esc_state = 1;
            break;
        case 8:
        case 127:
            if (mon->line->len) {
                g_string_truncate(mon->line, mon->line->len - 1);
                monitor_write_raw(mon, "\b \b", 3);
            }
            break;
        case 21:        /* Ctrl-U: kill the line */
            while (mon->line->len) {
                g_string_truncate(mon->line, mon->line->len - 1);
                monitor_write_raw(mon, "\b \b", 3);
            }
            break;
        default:
            if (c < 32 && c != '\t') {
                break;
            }
            if (mon->line->len < HMP_MAX_LINE) {
                g_string_append_c(mon->line, c);
                monitor_write_raw(mon, (const char *)&c, 1);
            }
            break;
        }
    }
}
