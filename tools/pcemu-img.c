/*
 * pcemu-img: create, inspect, check, convert, resize and snapshot disk
 * images, with qemu-img's command syntax, output and exit codes
 * (docs/pcemu-img.md), over the same block drivers the emulator uses.
 *
 * Exit codes: 0 success; 1 an error (message on stderr). check: 0 clean,
 * 1 the check could not complete, 2 corruptions, 3 only leaks, 63 the
 * format has no check.
 */
#include "block/block_int.h"
#include "pcemu/opts.h"
#include <getopt.h>
#include <time.h>
#include <unistd.h>

static bool quiet;

static NORETURN void die(const char *fmt, ...) PRINTF_FMT(1, 2);
static void die(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", error_progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(1);
}

static NORETURN void die_err(Error *err)
{
    error_report_err(err);
    exit(1);
}

static void usage(void)
{
    printf("usage: pcemu-img COMMAND [options]\n\n"
           "  create [-q] [-f fmt] [-b backing_file [-F backing_fmt]] "
           "[-o options] filename [size]\n"
           "  info [-f fmt] [--output=human|json] [-U] filename\n"
           "  check [-q] [-f fmt] [--output=human|json] [-r leaks|all] "
           "[-U] filename\n"
           "  convert [-c] [-p] [-q] [-f fmt] [-O output_fmt] [-o options] "
           "filename output_filename\n"
           "  resize [-q] [-f fmt] [--shrink] filename [+|-]size\n"
           "  snapshot [-q] [-l | -a snapshot | -c snapshot | -d snapshot] "
           "filename\n\n"
           "Formats: raw qcow2. Options of -o (qcow2): size, compat "
           "(0.10 or 1.1),\n"
           "backing_file, backing_fmt, cluster_size, lazy_refcounts, "
           "refcount_bits.\n");
}

/* qemu's size_to_str: three significant digits and a binary unit. */
static char *size_to_str(uint64_t v)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
                                         "PiB", "EiB" };
    int i = 0;
    double d = v;

    while (d >= 1024 && i < 6) {
        d /= 1024;
        i++;
    }
    /* 0.3g prints 1000-1023 as 1e+03: use the next unit instead. */
    if (d >= 1000 && i < 6) {
        d /= 1024;
        i++;
    }
    return g_strdup_printf("%0.3g %s", d, units[i]);
}

static BlockDriverState *open_image(const char *filename, const char *fmt,
                                    unsigned flags)
{
    Error *err = NULL;
    BlockDriverState *bs = bdrv_open(filename, fmt, flags, &err);

    if (!bs) {
        die_err(err);
    }
    return bs;
}

/* ---- create ---- */

static void parse_create_opts(const char *str, BlockCreateOpts *o,
                              char **backing, char **backing_fmt)
{
    Error *err = NULL;
    Opts *opts = opts_parse(str, NULL, &err);
    const char *v;

    if (!opts) {
        die_err(err);
    }
    if ((v = opts_get(opts, "size")) && !parse_size(v, 'B', &o->size)) {
        die("Invalid size '%s'", v);
    }
    if ((v = opts_get(opts, "backing_file"))) {
        g_free(*backing);
        *backing = g_strdup(v);
    }
    if ((v = opts_get(opts, "backing_fmt"))) {
        g_free(*backing_fmt);
        *backing_fmt = g_strdup(v);
    }
    if ((v = opts_get(opts, "compat"))) {
        if (!strcmp(v, "0.10") || !strcmp(v, "v2")) {
            o->compat = 2;
        } else if (!strcmp(v, "1.1") || !strcmp(v, "v3")) {
            o->compat = 3;
        } else {
            die("Invalid parameter '%s' for compat (0.10 or 1.1)", v);
        }
    }
    if ((v = opts_get(opts, "cluster_size"))) {
        uint64_t cs;

        if (!parse_size(v, 'B', &cs) || cs > UINT32_MAX) {
            die("Invalid cluster_size '%s'", v);
        }
        o->cluster_size = cs;
    }
    if ((v = opts_get(opts, "refcount_bits"))) {
        o->refcount_bits = atoi(v);
    }
    o->lazy_refcounts = opts_get_bool(opts, "lazy_refcounts", false, &err);
    /* Accepted with their only supported value, as qemu-img prints. */
    if ((v = opts_get(opts, "extended_l2")) && strcmp(v, "off")) {
        die("extended_l2=%s is not supported", v);
    }
    if ((v = opts_get(opts, "compression_type")) && strcmp(v, "zlib")) {
        die("compression_type=%s is not supported (zlib only)", v);
    }
    if ((v = opts_get(opts, "preallocation")) && strcmp(v, "off")) {
        die("preallocation=%s is not supported", v);
    }
    if (err || !opts_check_unused(opts, &err)) {
        die_err(err);
    }
    opts_free(opts);
}

/* Creates an image as qemu-img does, printing its "Formatting" line. */
static void do_create(const char *filename, const char *fmt,
                      BlockCreateOpts *o, const char *backing,
                      const char *backing_fmt, bool size_given)
{
    Error *err = NULL;
    GString *line;

    if (backing && strcmp(fmt, "qcow2")) {
        die("%s: backing files need the qcow2 format", filename);
    }
    if (backing) {
        /* The backing file must open (its size and format are needed),
         * resolved against the new image's directory. */
        char *path = bdrv_backing_path(filename, backing);
        BlockDriverState *b = bdrv_open(path, backing_fmt, BLK_O_NO_LOCK,
                                        &err);

        g_free(path);
        if (!b) {
            die_err(err);
        }
        if (!size_given) {
            o->size = b->total_size;
        }
        o->backing_file = backing;
        o->backing_fmt = backing_fmt ? backing_fmt : b->drv->format_name;
        bdrv_close(b);
    } else if (!size_given) {
        die("%s: Image creation needs a size parameter", filename);
    }
    line = g_string_new(NULL);
    g_string_append_printf(line, "Formatting '%s', fmt=%s ", filename, fmt);
    if (!strcmp(fmt, "qcow2")) {
        g_string_append_printf(line, "cluster_size=%u extended_l2=off "
                               "compression_type=zlib size=%" PRIu64,
                               o->cluster_size ? o->cluster_size : 65536,
                               o->size);
        if (o->compat) {
            g_string_append_printf(line, " compat=%s",
                                   o->compat == 2 ? "0.10" : "1.1");
        }
        if (o->backing_file) {
            g_string_append_printf(line, " backing_file=%s backing_fmt=%s",
                                   o->backing_file, o->backing_fmt);
        }
        g_string_append_printf(line, " lazy_refcounts=%s refcount_bits=%d",
                               o->lazy_refcounts ? "on" : "off",
                               o->refcount_bits ? o->refcount_bits : 16);
    } else {
        g_string_append_printf(line, "size=%" PRIu64, o->size);
    }
    if (!quiet) {
        printf("%s\n", line->str);
    }
    g_string_free(line, true);
    if (bdrv_create(fmt, filename, o, &err) < 0) {
        die_err(err);
    }
}

static int img_create(int argc, char **argv)
{
    const char *fmt = "raw";
    char *backing = NULL, *backing_fmt = NULL;
    BlockCreateOpts o = { 0 };
    bool size_given = false;
    int c;

    while ((c = getopt(argc, argv, "+hf:o:b:F:uq")) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'o': parse_create_opts(optarg, &o, &backing, &backing_fmt);
                  size_given |= o.size != 0; break;
        case 'b': backing = g_strdup(optarg); break;
        case 'F': backing_fmt = g_strdup(optarg); break;
        case 'u': break;
        case 'q': quiet = true; break;
        case 'h': usage(); return 0;
        default: return 1;
        }
    }
    if (optind >= argc) {
        die("Expecting image file name");
    }
    if (!bdrv_find_format(fmt)) {
        die("Unknown file format '%s'", fmt);
    }
    if (optind + 1 < argc) {
        if (!parse_size(argv[optind + 1], 'B', &o.size)) {
            die("Invalid image size specified. You may use k, M, G, T, P "
                "or E suffixes for kilobytes, megabytes, gigabytes, "
                "terabytes, petabytes and exabytes.");
        }
        size_given = true;
    }
    if (optind + 2 < argc) {
        die("Unexpected argument: %s", argv[optind + 2]);
    }
    do_create(argv[optind], fmt, &o, backing, backing_fmt, size_given);
    return 0;
}

/* ---- info ---- */

static void json_string(GString *s, const char *str)
{
    g_string_append_c(s, '"');
    for (const char *p = str; *p; p++) {
        if (*p == '"' || *p == '\\') {
            g_string_append_printf(s, "\\%c", *p);
        } else if ((unsigned char)*p < 0x20) {
            g_string_append_printf(s, "\\u%04x", *p);
        } else {
            g_string_append_c(s, *p);
        }
    }
    g_string_append_c(s, '"');
}

static void snapshot_dump_header(void)
{
    printf("%-10s%-17s%8s%20s%13s%11s\n", "ID", "TAG", "VM SIZE", "DATE",
           "VM CLOCK", "ICOUNT");
}

static void snapshot_dump(const QEMUSnapshotInfo *sn)
{
    char date[32], clock[32], icount[32] = "";
    char *vmsize = size_to_str(sn->vm_state_size);
    time_t t = sn->date_sec;
    struct tm tm;
    uint64_t secs = sn->vm_clock_nsec / 1000000000ull;

    localtime_r(&t, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(clock, sizeof(clock), "%02u:%02u:%02u.%03u",
             (unsigned)(secs / 3600), (unsigned)(secs / 60 % 60),
             (unsigned)(secs % 60),
             (unsigned)(sn->vm_clock_nsec / 1000000 % 1000));
    if (sn->icount != UINT64_MAX) {
        snprintf(icount, sizeof(icount), "%" PRIu64, sn->icount);
    }
    printf("%-9s %-16s %8s%20s%13s%11s\n", sn->id_str, sn->name, vmsize,
           date, clock, icount);
    g_free(vmsize);
}

static int img_info(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'O' },
        { "force-share", no_argument, NULL, 'U' },
        { "backing-chain", no_argument, NULL, 'B' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *output = "human";
    unsigned flags = 0;
    BlockDriverState *bs;
    BlockDriverInfo bdi = { 0 };
    QEMUSnapshotInfo *sns = NULL;
    int nb_sns = 0, c;
    int64_t actual;
    char *vsize, *dsize;

    while ((c = getopt_long(argc, argv, "+hf:U", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'O': output = optarg; break;
        case 'U': flags |= BLK_O_NO_LOCK; break;
        case 'B': break;
        case 'h': usage(); return 0;
        default: return 1;
        }
    }
    if (strcmp(output, "human") && strcmp(output, "json")) {
        die("--output must be used with human or json as argument.");
    }
    if (optind != argc - 1) {
        die("Expecting one image file name");
    }
    bs = open_image(argv[optind], fmt, flags);
    if (bs->drv->get_info) {
        bs->drv->get_info(bs, &bdi);
    }
    if (bs->drv->snapshot_list) {
        nb_sns = bs->drv->snapshot_list(bs, &sns);
    }
    actual = bdrv_file_allocated(bs);

    if (!strcmp(output, "json")) {
        GString *j = g_string_new("{\n");

        if (nb_sns > 0) {
            g_string_append(j, "    \"snapshots\": [\n");
            for (int i = 0; i < nb_sns; i++) {
                g_string_append_printf(j, "        {\n"
                    "            \"icount\": %" PRId64 ",\n"
                    "            \"vm-clock-nsec\": %u,\n"
                    "            \"name\": ", (int64_t)(sns[i].icount ==
                    UINT64_MAX ? 0 : sns[i].icount),
                    (unsigned)(sns[i].vm_clock_nsec % 1000000000ull));
                json_string(j, sns[i].name);
                g_string_append_printf(j, ",\n"
                    "            \"date-sec\": %u,\n"
                    "            \"date-nsec\": %u,\n"
                    "            \"vm-clock-sec\": %" PRIu64 ",\n"
                    "            \"id\": ", sns[i].date_sec,
                    sns[i].date_nsec, (uint64_t)(sns[i].vm_clock_nsec / 1000000000ull));
                json_string(j, sns[i].id_str);
                g_string_append_printf(j, ",\n"
                    "            \"vm-state-size\": %" PRIu64 "\n"
                    "        }%s\n", sns[i].vm_state_size,
                    i + 1 < nb_sns ? "," : "");
            }
            g_string_append(j, "    ],\n");
        }
        if (bs->backing_file[0] && bs->backing_format[0]) {
            g_string_append(j, "    \"backing-filename-format\": ");
            json_string(j, bs->backing_format);
            g_string_append(j, ",\n");
        }
        g_string_append_printf(j, "    \"virtual-size\": %" PRIu64 ",\n"
                               "    \"filename\": ", bs->total_size);
        json_string(j, bs->filename);
        g_string_append(j, ",\n");
        if (bdi.cluster_size) {
            g_string_append_printf(j, "    \"cluster-size\": %u,\n",
                                   bdi.cluster_size);
        }
        g_string_append_printf(j, "    \"format\": \"%s\",\n"
                               "    \"actual-size\": %" PRId64 ",\n",
                               bs->drv->format_name, actual);
        if (bs->drv->info_specific) {
            GString *h = g_string_new(NULL), *d = g_string_new(NULL);
            char **parts;

            bs->drv->info_specific(bs, h, d);
            g_string_append_printf(j, "    \"format-specific\": {\n"
                                   "        \"type\": \"%s\",\n"
                                   "        \"data\": {\n",
                                   bs->drv->format_name);
            parts = g_strsplit(d->str, ", ", -1);
            for (int i = 0; parts[i]; i++) {
                g_string_append_printf(j, "            %s%s\n", parts[i],
                                       parts[i + 1] ? "," : "");
            }
            g_strfreev(parts);
            g_string_append(j, "        }\n    },\n");
            g_string_free(h, true);
            g_string_free(d, true);
        }
        if (bs->backing_file[0]) {
            char *full = bdrv_backing_path(bs->filename, bs->backing_file);

            g_string_append(j, "    \"full-backing-filename\": ");
            json_string(j, full);
            g_string_append(j, ",\n    \"backing-filename\": ");
            json_string(j, bs->backing_file);
            g_string_append(j, ",\n");
            g_free(full);
        }
        g_string_append_printf(j, "    \"dirty-flag\": %s\n}\n",
                               bdi.is_dirty ? "true" : "false");
        fputs(j->str, stdout);
        g_string_free(j, true);
    } else {
        vsize = size_to_str(bs->total_size);
        dsize = size_to_str(actual);
        printf("image: %s\nfile format: %s\nvirtual size: %s (%" PRIu64
               " bytes)\ndisk size: %s\n", bs->filename,
               bs->drv->format_name, vsize, bs->total_size, dsize);
        g_free(vsize);
        g_free(dsize);
        if (bdi.cluster_size) {
            printf("cluster_size: %u\n", bdi.cluster_size);
        }
        if (bs->backing_file[0]) {
            char *full = bdrv_backing_path(bs->filename, bs->backing_file);

            printf("backing file: %s", bs->backing_file);
            if (strcmp(full, bs->backing_file)) {
                printf(" (actual path: %s)", full);
            }
            printf("\n");
            if (bs->backing_format[0]) {
                printf("backing file format: %s\n", bs->backing_format);
            }
            g_free(full);
        }
        if (bdi.is_dirty) {
            printf("cleanly shut down: no\n");
        }
        if (nb_sns > 0) {
            printf("Snapshot list:\n");
            snapshot_dump_header();
            for (int i = 0; i < nb_sns; i++) {
                snapshot_dump(&sns[i]);
            }
        }
        if (bs->drv->info_specific) {
            GString *h = g_string_new(NULL), *d = g_string_new(NULL);

            bs->drv->info_specific(bs, h, d);
            printf("Format specific information:\n%s", h->str);
            g_string_free(h, true);
            g_string_free(d, true);
        }
    }
    g_free(sns);
    bdrv_close(bs);
    return 0;
}

/* ---- check ---- */

static int img_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "output", required_argument, NULL, 'O' },
        { "repair", required_argument, NULL, 'r' },
        { "force-share", no_argument, NULL, 'U' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *output = "human";
    unsigned flags = 0;
    int fix = 0, c, ret;
    BlockDriverState *bs;
    BdrvCheckResult r = { 0 }, first;

    while ((c = getopt_long(argc, argv, "+hf:r:qU", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'O': output = optarg; break;
        case 'r':
            if (!strcmp(optarg, "leaks")) {
                fix = BDRV_CHECK_FIX_LEAKS;
            } else if (!strcmp(optarg, "all")) {
                fix = BDRV_CHECK_FIX_LEAKS | BDRV_CHECK_FIX_ERRORS;
            } else {
                die("Unknown option value for -r (expecting 'leaks' or "
                    "'all'): %s", optarg);
            }
            break;
        case 'q': quiet = true; break;
        case 'U': flags |= BLK_O_NO_LOCK; break;
        case 'h': usage(); return 0;
        default: return 1;
        }
    }
    if (strcmp(output, "human") && strcmp(output, "json")) {
        die("--output must be used with human or json as argument.");
    }
    if (optind != argc - 1) {
        die("Expecting one image file name");
    }
    if (fix) {
        flags |= BLK_O_RDWR;
    }
    bs = open_image(argv[optind], fmt, flags);
    if (!bs->drv->check) {
        if (strcmp(output, "json") || 1) {
            error_report("This image format does not support checks");
        }
        bdrv_close(bs);
        return 63;
    }
    pthread_mutex_lock(&bs->lock);
    ret = bs->drv->check(bs, &r, fix);
    first = r;
    if (ret == 0 && fix && (r.leaks_fixed || r.corruptions_fixed)) {
        /* Report what was repaired, then the state after repair. */
        if (!strcmp(output, "human") && !quiet) {
            printf("The following inconsistencies were found and "
                   "repaired:\n\n    %d leaked clusters\n    %d "
                   "corruptions\n\nDouble checking the fixed image "
                   "now...\n", r.leaks_fixed, r.corruptions_fixed);
        }
        ret = bs->drv->check(bs, &r, 0);
        r.leaks_fixed = first.leaks_fixed;
        r.corruptions_fixed = first.corruptions_fixed;
    }
    pthread_mutex_unlock(&bs->lock);
    if (ret < 0) {
        error_report("Check failed: %s", strerror(-ret));
        bdrv_close(bs);
        return 1;
    }

    if (!strcmp(output, "json")) {
        printf("{\n    \"image-end-offset\": %" PRId64 ",\n"
               "    \"total-clusters\": %" PRIu64 ",\n",
               r.image_end_offset, r.total_clusters);
        printf("    \"check-errors\": %d,\n", r.check_errors);
        /* qemu-img leaves out the counts that are zero. */
        if (r.allocated_clusters) {
            printf("    \"allocated-clusters\": %" PRIu64 ",\n",
                   r.allocated_clusters);
        }
        if (r.fragmented_clusters) {
            printf("    \"fragmented-clusters\": %" PRIu64 ",\n",
                   r.fragmented_clusters);
        }
        if (r.compressed_clusters) {
            printf("    \"compressed-clusters\": %" PRIu64 ",\n",
                   r.compressed_clusters);
        }
        if (r.leaks) {
            printf("    \"leaks\": %d,\n", r.leaks);
        }
        if (r.corruptions) {
            printf("    \"corruptions\": %d,\n", r.corruptions);
        }
        if (r.leaks_fixed) {
            printf("    \"leaks-fixed\": %d,\n", r.leaks_fixed);
        }
        if (r.corruptions_fixed) {
            printf("    \"corruptions-fixed\": %d,\n", r.corruptions_fixed);
        }
        printf("    \"filename\": \"%s\",\n    \"format\": \"%s\"\n}\n",
               bs->filename, bs->drv->format_name);
    } else if (!quiet) {
        if (!r.corruptions && !r.leaks && !r.check_errors) {
            printf("No errors were found on the image.\n");
        } else {
            if (r.corruptions) {
                printf("\n%d errors were found on the image.\n"
                       "Data may be corrupted, or further writes to the "
                       "image may corrupt it.\n", r.corruptions);
            }
            if (r.leaks) {
                printf("\n%d leaked clusters were found on the image.\n"
                       "This means waste of disk space, but no harm to "
                       "data.\n", r.leaks);
            }
            if (r.check_errors) {
                printf("\n%d internal errors have occurred during the "
                       "check.\n", r.check_errors);
            }
        }
        if (r.total_clusters && r.allocated_clusters) {
            printf("%" PRIu64 "/%" PRIu64 " = %0.2f%% allocated, %0.2f%% "
                   "fragmented, %0.2f%% compressed clusters\n",
                   r.allocated_clusters, r.total_clusters,
                   r.allocated_clusters * 100.0 / r.total_clusters,
                   r.fragmented_clusters * 100.0 / r.allocated_clusters,
                   r.compressed_clusters * 100.0 / r.allocated_clusters);
        }
        if (r.image_end_offset) {
            printf("Image end offset: %" PRId64 "\n", r.image_end_offset);
        }
    }
    bdrv_close(bs);
    if (r.check_errors) {
        return 1;
    }
    if (r.corruptions) {
        return 2;
    }
    if (r.leaks) {
        return 3;
    }
    return 0;
}

/* ---- convert ---- */

static void progress(bool on, uint64_t done, uint64_t total)
{
    if (on) {
        printf("    (%3.2f/100%%)\r", total ? done * 100.0 / total : 100.0);
        fflush(stdout);
    }
}

static bool is_zero(const uint8_t *p, size_t n)
{
    return n == 0 || (p[0] == 0 && !memcmp(p, p + 1, n - 1));
}

static int img_convert(int argc, char **argv)
{
    const char *fmt = NULL, *out_fmt = "raw";
    char *backing = NULL, *backing_fmt = NULL;
    bool compress = false, show_progress = false;
    BlockCreateOpts o = { 0 };
    BlockDriverState *src, *dst;
    BlockDriverInfo bdi = { 0 };
    Error *err = NULL;
    uint64_t chunk, size;
    uint8_t *buf;
    int c, ret = 0;

    while ((c = getopt(argc, argv, "+hf:O:o:cpqnU")) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'O': out_fmt = optarg; break;
        case 'o': parse_create_opts(optarg, &o, &backing, &backing_fmt);
                  break;
        case 'c': compress = true; break;
        case 'p': show_progress = true; break;
        case 'q': quiet = true; break;
        case 'U': break;
        case 'n': die("-n is not supported");
        case 'h': usage(); return 0;
        default: return 1;
        }
    }
    if (argc - optind != 2) {
        die("Expecting one source and one output file name");
    }
    if (quiet) {
        show_progress = false;
    }
    if (!bdrv_find_format(out_fmt)) {
        die("Unknown file format '%s'", out_fmt);
    }
    if (compress && strcmp(out_fmt, "qcow2")) {
        die("Compression not supported for this file format");
    }
    if (backing) {
        die("backing_file is not supported by convert");
    }
    src = open_image(argv[optind], fmt, 0);
    size = src->total_size;
    o.size = size;
    {
        bool q = quiet;

        quiet = true;   /* qemu-img convert prints no Formatting line */
        do_create(argv[optind + 1], out_fmt, &o, NULL, NULL, true);
        quiet = q;
    }
    dst = open_image(argv[optind + 1], out_fmt, BLK_O_RDWR);
    if (dst->drv->get_info) {
        dst->drv->get_info(dst, &bdi);
    }
    chunk = bdi.cluster_size ? bdi.cluster_size : 64 * KiB;
    if (!compress) {
        chunk = MAX(chunk, 1 * MiB / chunk * chunk);
    }
    buf = g_malloc(chunk);
    progress(show_progress, 0, size);
    for (uint64_t off = 0; off < size; off += chunk) {
        uint64_t n = MIN(chunk, size - off);

        ret = bdrv_pread(src, off, buf, n);
        if (ret < 0) {
            error_report("error while reading at byte %" PRIu64 ": %s",
                         off, strerror(-ret));
            break;
        }
        /* A new image reads as zeroes: keep zero ranges unallocated. */
        if (!is_zero(buf, n)) {
            if (compress) {
                ret = bdrv_pwrite_compressed(dst, off, buf, n);
            } else {
                ret = bdrv_pwrite(dst, off, buf, n);
            }
            if (ret < 0) {
                error_report("error while writing at byte %" PRIu64 ": %s",
                             off, strerror(-ret));
                break;
            }
        }
        progress(show_progress, off + n, size);
    }
    if (show_progress && ret == 0) {
        printf("\n");
    }
    g_free(buf);
    if (ret == 0) {
        ret = bdrv_flush(dst);
    }
    bdrv_close(dst);
    bdrv_close(src);
    (void)err;
    return ret < 0 ? 1 : 0;
}

/* ---- resize ---- */

static int img_resize(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "shrink", no_argument, NULL, 'S' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *fmt = NULL, *arg;
    bool shrink = false;
    BlockDriverState *bs;
    Error *err = NULL;
    uint64_t n, size;
    int c, sign = 0;

    /* "-1G" must reach us as a size, not an option. */
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && g_ascii_isdigit(argv[i][1])) {
            argv[i][0] = '~';
        }
    }
    while ((c = getopt_long(argc, argv, "+hf:q", longopts, NULL)) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 'q': quiet = true; break;
        case 'S': shrink = true; break;
        case 'h': usage(); return 0;
        default: return 1;
        }
    }
    if (argc - optind != 2) {
        die("Expecting image file name and size");
    }
    arg = argv[optind + 1];
    if (*arg == '+' || *arg == '~') {
        sign = *arg == '+' ? 1 : -1;
        arg++;
    }
    if (!parse_size(arg, 'B', &n)) {
        die("Invalid size specified. You may use k, M, G, T, P or E "
            "suffixes for kilobytes, megabytes, gigabytes, terabytes, "
            "petabytes and exabytes.");
    }
    bs = open_image(argv[optind], fmt, BLK_O_RDWR);
    size = sign > 0 ? bs->total_size + n
         : sign < 0 ? (n > bs->total_size ? 0 : bs->total_size - n) : n;
    if (size < bs->total_size && !shrink) {
        die("Use the --shrink option to perform a shrink operation.");
    }
    if (bdrv_truncate(bs, size, &err) < 0) {
        die_err(err);
    }
    bdrv_close(bs);
    if (!quiet) {
        printf("Image resized.\n");
    }
    return 0;
}

/* ---- snapshot ---- */

static int img_snapshot(int argc, char **argv)
{
    char action = 0;
    const char *name = NULL;
    BlockDriverState *bs;
    Error *err = NULL;
    int c, ret = 0;

    while ((c = getopt(argc, argv, "+hla:c:d:qU")) != -1) {
        switch (c) {
        case 'l': case 'a': case 'c': case 'd':
            if (action) {
                die("Cannot mix '-l', '-a', '-c', '-d'");
            }
            action = c;
            name = optarg;
            break;
        case 'q': quiet = true; break;
        case 'U': break;
        case 'h': usage(); return 0;
        default: return 1;
        }
    }
    if (optind != argc - 1) {
        die("Expecting one image file name");
    }
    if (!action) {
        action = 'l';
    }
    bs = open_image(argv[optind], NULL, action == 'l' ? 0 : BLK_O_RDWR);
    if (!bs->drv->snapshot_list) {
        die("%s: this image format does not support snapshots",
            bs->filename);
    }
    pthread_mutex_lock(&bs->lock);
    switch (action) {
    case 'l': {
        QEMUSnapshotInfo *sns;
        int n = bs->drv->snapshot_list(bs, &sns);

        if (n > 0) {
            printf("Snapshot list:\n");
            snapshot_dump_header();
            for (int i = 0; i < n; i++) {
                snapshot_dump(&sns[i]);
            }
        }
        g_free(sns);
        break;
    }
    case 'c': {
        QEMUSnapshotInfo sn = { 0 };

        g_strlcpy(sn.name, name, sizeof(sn.name));
        ret = bs->drv->snapshot_create(bs, &sn, &err);
        break;
    }
    case 'a':
        ret = bs->drv->snapshot_goto(bs, name, &err);
        break;
    case 'd':
        ret = bs->drv->snapshot_delete(bs, name, &err);
        break;
    }
    pthread_mutex_unlock(&bs->lock);
    bdrv_close(bs);
    if (ret < 0) {
        die_err(err);
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        int (*fn)(int argc, char **argv);
    } cmds[] = {
        { "create", img_create }, { "info", img_info },
        { "check", img_check }, { "convert", img_convert },
        { "resize", img_resize }, { "snapshot", img_snapshot },
    };

    error_progname = "pcemu-img";
    if (argc < 2) {
        die("Not enough arguments\nTry 'pcemu-img --help' for more "
            "information");
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage();
        return 0;
    }
    if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
        printf("pcemu-img version 0.1.0\n");
        return 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
        if (!strcmp(argv[1], cmds[i].name)) {
            return cmds[i].fn(argc - 1, argv + 1);
        }
    }
    die("Command not found: %s", argv[1]);
}
