/*
 * Runs the SingleStepTests 80286 real-mode vectors (../shared/cpu-tests,
 * README.md there) through the interpreter on a test bus: 16 MiB of flat
 * RAM and an empty I/O space (port reads return all-ones).
 *
 * For each test: load INIT into a fresh real-mode X86CPU and RAM, run
 * until HLT, compare every register and the RAM bytes FINA lists (with
 * the file's RMSK masks on undefined flags, also applied to the FLAGS
 * word an exception pushed). A failure is a regression unless
 * known-differences.txt lists it (file and test index, or file and '*',
 * with a reason). Prints the pass rate per file.
 *
 * Usage: test-moo [-v] [-f FILE-PREFIX] DIR KNOWN-DIFFERENCES
 * Exit status: 0 when every failure is listed, 1 otherwise, 77 (skip)
 * when DIR does not exist.
 */
#include <dirent.h>
#include <zlib.h>
#include "target/i386/exec.h"
#include "softmmu/memory.h"

#define RAM_SIZE (16 * MiB)
#define FLAGS_286_HIGH 0xf000   /* IOPL, NT, bit 15: see README */

enum { M_AX, M_BX, M_CX, M_DX, M_CS, M_SS, M_DS, M_ES, M_SP, M_BP, M_SI,
       M_DI, M_IP, M_FLAGS, M_NREGS };
static const char *const reg_names[M_NREGS] = {
    "ax", "bx", "cx", "dx", "cs", "ss", "ds", "es", "sp", "bp", "si", "di",
    "ip", "flags",
};

typedef struct RamByte {
    uint32_t addr;
    uint8_t val;
} RamByte;

typedef struct MooState {
    uint16_t mask;
    uint16_t regs[M_NREGS];
    GArray *ram;            /* RamByte */
} MooState;

typedef struct Known {
    char *file;
    int index;              /* -1: the whole file */
    uint16_t flags_mask;    /* "flags": bits not compared in this file */
    bool lock;              /* "lock": failing LOCK-prefixed tests */
} Known;

static MemoryRegion ram_mr, mem_root, io_root;
static X86CPU cpu;
static bool verbose;
static GArray *known;

static uint32_t rd32(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

static uint16_t rd16(const uint8_t *p)
{
    return p[0] | (p[1] << 8);
}

static bool gunzip(const char *path, GByteArray *out)
{
    gzFile f = gzopen(path, "rb");
    uint8_t buf[65536];
    int n;

    if (!f) {
        return false;
    }
    while ((n = gzread(f, buf, sizeof(buf))) > 0) {
        g_byte_array_append(out, buf, n);
    }
    gzclose(f);
    return n == 0;
}

/* Parses a REGS + RAM state chunk (INIT/FINA payload). */
static void parse_state(const uint8_t *p, uint32_t len, MooState *st)
{
    const uint8_t *end = p + len;

    st->mask = 0;
    g_array_set_size(st->ram, 0);
    while (p + 8 <= end) {
        uint32_t clen = rd32(p + 4);
        const uint8_t *c = p + 8;
        if (!memcmp(p, "REGS", 4)) {
            unsigned k, n = 0;
            st->mask = rd16(c);
            for (k = 0; k < M_NREGS; k++) {
                if (st->mask & (1u << k)) {
                    st->regs[k] = rd16(c + 2 + 2 * n++);
                }
            }
        } else if (!memcmp(p, "RAM ", 4)) {
            uint32_t k, n = rd32(c);
            for (k = 0; k < n; k++) {
                RamByte b = { rd32(c + 4 + k * 5), c[8 + k * 5] };
                g_array_append_val(st->ram, b);
            }
        }
        p += 8 + clen;
    }
}

static void seg_real(SegmentCache *sc, uint16_t sel, bool code)
{
    sc->selector = sel;
    sc->base = (uint32_t)sel << 4;
    sc->limit = 0xffff;
    sc->flags = DESC_P_MASK | DESC_S_MASK |
                ((code ? 0xb : 0x3) << DESC_TYPE_SHIFT);
}

static void load_cpu(const MooState *in)
{
    const uint16_t *r = in->regs;

    x86_cpu_reset(&cpu);
    cpu.cr[0] = 0x10;
    cpu.regs[R_EAX] = r[M_AX];
    cpu.regs[R_EBX] = r[M_BX];
    cpu.regs[R_ECX] = r[M_CX];
    cpu.regs[R_EDX] = r[M_DX];
    cpu.regs[R_ESP] = r[M_SP];
    cpu.regs[R_EBP] = r[M_BP];
    cpu.regs[R_ESI] = r[M_SI];
    cpu.regs[R_EDI] = r[M_DI];
    cpu.rip = r[M_IP];
    cpu.rflags = (r[M_FLAGS] & ~FLAGS_286_HIGH) | 2;
    seg_real(&cpu.segs[R_CS], r[M_CS], true);
    seg_real(&cpu.segs[R_SS], r[M_SS], false);
    seg_real(&cpu.segs[R_DS], r[M_DS], false);
    seg_real(&cpu.segs[R_ES], r[M_ES], false);
    seg_real(&cpu.segs[R_FS], 0, false);
    seg_real(&cpu.segs[R_GS], 0, false);
    cpu.idt.base = 0;
    cpu.idt.limit = 0x3ff;
    cpu.halted = false;
    x86_cpu_flush_caches(&cpu);
}

static void cpu_regs16(uint16_t *r)
{
    r[M_AX] = cpu.regs[R_EAX];
    r[M_BX] = cpu.regs[R_EBX];
    r[M_CX] = cpu.regs[R_ECX];
    r[M_DX] = cpu.regs[R_EDX];
    r[M_SP] = cpu.regs[R_ESP];
    r[M_BP] = cpu.regs[R_EBP];
    r[M_SI] = cpu.regs[R_ESI];
    r[M_DI] = cpu.regs[R_EDI];
    r[M_IP] = cpu.rip;
    r[M_FLAGS] = cpu.rflags;
    r[M_CS] = cpu.segs[R_CS].selector;
    r[M_SS] = cpu.segs[R_SS].selector;
    r[M_DS] = cpu.segs[R_DS].selector;
    r[M_ES] = cpu.segs[R_ES].selector;
}

static bool is_known(const char *file, int index, const char *name)
{
    guint k;

    for (k = 0; k < known->len; k++) {
        Known *e = &g_array_index(known, Known, k);
        if (e->lock) {
            if (g_str_has_prefix(name, "lock ") || strstr(name, " lock ")) {
                return true;
            }
            continue;
        }
        if (!e->flags_mask && !strcmp(e->file, file) &&
            (e->index < 0 || e->index == index)) {
            return true;
        }
    }
    return false;
}

/* Flag bits the list marks undefined for this file. */
static uint16_t undefined_flags(const char *file)
{
    uint16_t m = 0;
    guint k;

    for (k = 0; k < known->len; k++) {
        Known *e = &g_array_index(known, Known, k);
        if (e->flags_mask && !strcmp(e->file, file)) {
            m |= e->flags_mask;
        }
    }
    return m;
}

/* Runs one test; returns true when it matches. */
static bool run_test(const char *file, uint32_t index, const char *name,
                     const MooState *in, const MooState *fin,
                     const uint16_t *rmsk, bool has_excp, uint32_t excp_addr)
{
    uint16_t want[M_NREGS], got[M_NREGS];
    bool ok = true;
    guint k;
    X86ExecExit ex;

    for (k = 0; k < in->ram->len; k++) {
        RamByte *b = &g_array_index(in->ram, RamByte, k);
        ram_mr.host[b->addr & (RAM_SIZE - 1)] = b->val;
    }
    load_cpu(in);
    ex = x86_cpu_exec(&cpu, 1000);
    if (verbose && has_excp) {
        printf("%s #%u %s: exception, flags pushed at %06x\n", file, index,
               name, excp_addr);
    }
    if (ex != X86_EXIT_HALTED) {
        ok = false;
        if (verbose) {
            printf("%s #%u %s: did not halt (%d)\n", file, index, name, ex);
        }
    }

    memcpy(want, in->regs, sizeof(want));
    for (k = 0; k < M_NREGS; k++) {
        if (fin->mask & (1u << k)) {
            want[k] = fin->regs[k];
        }
    }
    cpu_regs16(got);
    if (has_excp) {
        /* The FLAGS image the 286 pushed sits at SS:SP+4 of the final
         * state (EXCP's address is off by one on odd stacks). */
        excp_addr = ((uint32_t)want[M_SS] << 4) + ((want[M_SP] + 4) & 0xffff);
    }
    for (k = 0; k < M_NREGS; k++) {
        uint16_t m = rmsk[k];
        if (k == M_FLAGS) {
            m &= ~FLAGS_286_HIGH;
        }
        if ((want[k] & m) != (got[k] & m)) {
            ok = false;
            if (verbose) {
                printf("%s #%u %s: %s %04x want %04x (mask %04x)\n", file,
                       index, name, reg_names[k], got[k], want[k], m);
            }
        }
    }
    for (k = 0; k < fin->ram->len; k++) {
        RamByte *b = &g_array_index(fin->ram, RamByte, k);
        uint8_t v = ram_mr.host[b->addr & (RAM_SIZE - 1)];
        uint8_t m = 0xff;
        if (has_excp && b->addr == excp_addr) {
            m = rmsk[M_FLAGS] & 0xff;
        } else if (has_excp && b->addr == excp_addr + 1) {
            m = (rmsk[M_FLAGS] & ~FLAGS_286_HIGH) >> 8;
        }
        if ((v & m) != (b->val & m)) {
            ok = false;
            if (verbose) {
                printf("%s #%u %s: [%06x] %02x want %02x\n", file, index,
                       name, b->addr, v, b->val);
            }
        }
    }

    /* Leave RAM zeroed for the next test. */
    for (k = 0; k < in->ram->len; k++) {
        ram_mr.host[g_array_index(in->ram, RamByte, k).addr &
                    (RAM_SIZE - 1)] = 0;
    }
    for (k = 0; k < fin->ram->len; k++) {
        ram_mr.host[g_array_index(fin->ram, RamByte, k).addr &
                    (RAM_SIZE - 1)] = 0;
    }
    return ok;
}

/* Returns the number of unlisted failures. */
static unsigned run_file(const char *dir, const char *fname,
                         unsigned *total_pass, unsigned *total_run)
{
    char *path = g_build_filename(dir, fname, NULL);
    char *file = g_strndup(fname, strlen(fname) - strlen(".MOO.gz"));
    GByteArray *buf = g_byte_array_new();
    const uint8_t *p, *end;
    uint16_t rmsk[M_NREGS];
    MooState in = { .ram = g_array_new(false, false, sizeof(RamByte)) };
    MooState fin = { .ram = g_array_new(false, false, sizeof(RamByte)) };
    unsigned pass = 0, run = 0, unlisted = 0, k;

    for (k = 0; k < M_NREGS; k++) {
        rmsk[k] = 0xffff;
    }
    rmsk[M_FLAGS] &= ~undefined_flags(file);
    if (!gunzip(path, buf) || buf->len < 8 || memcmp(buf->data, "MOO ", 4)) {
        printf("%s: unreadable\n", path);
        unlisted = 1;
        goto out;
    }
    p = buf->data;
    end = p + buf->len;
    while (p + 8 <= end) {
        uint32_t len = rd32(p + 4);
        const uint8_t *c = p + 8, *cend = c + len;
        if (cend > end) {
            break;
        }
        if (!memcmp(p, "RMSK", 4)) {
            MooState m = { .ram = g_array_new(false, false, sizeof(RamByte)) };
            parse_state(c - 8, len + 8, &m);
            for (k = 0; k < M_NREGS; k++) {
                if (m.mask & (1u << k)) {
                    rmsk[k] = m.regs[k];
                }
            }
            g_array_free(m.ram, true);
        } else if (!memcmp(p, "TEST", 4)) {
            uint32_t index = rd32(c), excp_addr = 0;
            const uint8_t *q = c + 4;
            char name[128] = "";
            bool has_excp = false;
            in.mask = fin.mask = 0;
            g_array_set_size(in.ram, 0);
            g_array_set_size(fin.ram, 0);
            while (q + 8 <= cend) {
                uint32_t sl = rd32(q + 4);
                const uint8_t *s = q + 8;
                if (!memcmp(q, "NAME", 4)) {
                    uint32_t n = MIN(rd32(s), sizeof(name) - 1);
                    memcpy(name, s + 4, n);
                    name[n] = 0;
                } else if (!memcmp(q, "INIT", 4)) {
                    parse_state(s, sl, &in);
                } else if (!memcmp(q, "FINA", 4)) {
                    parse_state(s, sl, &fin);
                } else if (!memcmp(q, "EXCP", 4)) {
                    has_excp = true;
                    excp_addr = rd32(s + 1);
                }
                q += 8 + sl;
            }
            run++;
            if (run_test(file, index, name, &in, &fin, rmsk, has_excp,
                         excp_addr)) {
                pass++;
            } else if (!is_known(file, index, name)) {
                unlisted++;
                if (!verbose && unlisted <= 3) {
                    printf("%s #%u (%s): FAIL (not in the known list)\n",
                           file, index, name);
                }
            }
        }
        p = cend;
    }
    printf("%-8s %4u/%4u passed%s\n", file, pass, run,
           unlisted ? "  REGRESSION" : "");
    *total_pass += pass;
    *total_run += run;
out:
    g_array_free(in.ram, true);
    g_array_free(fin.ram, true);
    g_byte_array_free(buf, true);
    g_free(path);
    g_free(file);
    return unlisted;
}

static void load_known(const char *path)
{
    char *text = NULL, **lines;
    unsigned k;

    known = g_array_new(false, false, sizeof(Known));
    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        printf("warning: no known-differences list at %s\n", path);
        return;
    }
    lines = g_strsplit(text, "\n", -1);
    for (k = 0; lines[k]; k++) {
        Known e;
        if (lines[k][0] == '#' || !lines[k][0]) {
            continue;
        }
        char f0[64], f1[32], f2[32];
        int n = sscanf(lines[k], "%63s %31s %31s", f0, f1, f2);
        if (n >= 2) {
            memset(&e, 0, sizeof(e));
            e.file = g_strdup(f0);
            if (!strcmp(f1, "flags") && n == 3) {
                e.flags_mask = strtoul(f2, NULL, 16);
            } else if (!strcmp(f1, "lock")) {
                e.lock = true;
            }
            e.index = !strcmp(f1, "*") ? -1 : atoi(f1);
            g_array_append_val(known, e);
        }
    }
    g_strfreev(lines);
    g_free(text);
}

static gint cmp_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    const char *only = NULL, *dir, *list;
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    unsigned unlisted = 0, pass = 0, run = 0, k;
    Error *err = NULL;
    DIR *d;
    struct dirent *de;
    int a = 1;

    for (; a < argc && argv[a][0] == '-'; a++) {
        if (!strcmp(argv[a], "-v")) {
            verbose = true;
        } else if (!strcmp(argv[a], "-f") && a + 1 < argc) {
            only = argv[++a];
        }
    }
    if (argc - a != 2) {
        fprintf(stderr, "usage: test-moo [-v] [-f PREFIX] DIR KNOWN-LIST\n");
        return 2;
    }
    dir = argv[a];
    list = argv[a + 1];
    d = opendir(dir);
    if (!d) {
        printf("SKIP: no test vectors at %s\n", dir);
        return 77;
    }
    while ((de = readdir(d))) {
        if (g_str_has_suffix(de->d_name, ".MOO.gz") &&
            (!only || g_str_has_prefix(de->d_name, only))) {
            g_ptr_array_add(names, g_strdup(de->d_name));
        }
    }
    closedir(d);
    g_ptr_array_sort(names, cmp_names);
    load_known(list);

    memory_region_init_container(&mem_root, "memory", UINT64_MAX);
    if (!memory_region_init_ram(&ram_mr, "ram", RAM_SIZE, &err)) {
        printf("cannot allocate RAM\n");
        return 1;
    }
    memory_region_add_subregion(&mem_root, 0, &ram_mr, 0);
    address_space_init(&address_space_memory, &mem_root, "memory");
    memory_region_init_container(&io_root, "io", 0x10000);
    address_space_init(&address_space_io, &io_root, "I/O");

    for (k = 0; k < names->len; k++) {
        unlisted += run_file(dir, names->pdata[k], &pass, &run);
    }
    printf("total: %u/%u passed (%.2f%%), %u unlisted failures\n", pass, run,
           run ? 100.0 * pass / run : 0.0, unlisted);
    g_ptr_array_free(names, true);
    return unlisted ? 1 : 0;
}
