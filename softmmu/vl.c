/*
 * The command line (QEMU's syntax) and start-up: parse every option into a
 * configuration first, report the first user error with exit status 1,
 * then build the machine, start the vCPUs and run the main loop.
 *
 * docs/usage.md lists every option; keep it in step with this file.
 */
#include "softmmu/vl.h"
#include "accel/accel.h"
#include "accel/qtest.h"
#include "accel/soft.h"
#include "audio/audio.h"
#include "chardev/char.h"
#include "hw/core/device.h"
#include "hw/display/vga.h"
#include "hw/i386/pc.h"
#include "monitor/daemonize.h"
#include "monitor/monitor.h"
#include "net/net-opts.h"
#include "pcemu/opts.h"
#include "softmmu/main-loop.h"
#include "softmmu/runstate.h"
#include "softmmu/drive.h"
#include "block/block.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCEMU_VERSION "0.1.0"
#define DEFAULT_RAM_SIZE (128 * MiB)
#define MAX_RAM_SIZE (16 * TiB)
#define MAX_SERIAL 4

#ifndef PCEMU_DATADIR
#define PCEMU_DATADIR "/usr/share/pcemu"
#endif

typedef struct Config {
    MachineConfig machine;
    const char *accel_name;         /* NULL: choose */
    const char *accel_opts;
    GPtrArray *chardevs;            /* -chardev strings */
    GPtrArray *serials;             /* -serial specs */
    GPtrArray *devices;             /* -device strings */
    GPtrArray *fw_dirs;             /* -L */
    const char *display;            /* NULL: default */
    const char *qtest;
    const char *qtest_log;
    const char *pidfile;
    bool start_paused;
    bool nodefaults;
    bool daemonize;
} Config;

static const char usage_text[] =
"usage: pcemu [options]\n"
"\n"
"Machine:\n"
"  -M, -machine pc[,accel=kvm|tcg|qtest]   the i440FX/PIIX3 PC (the only one)\n"
"  -m SIZE[M|G|T]       guest RAM (default 128M); also -m size=SIZE\n"
"  -smp N[,maxcpus=M,sockets=,cores=,threads=]   number of vCPUs\n"
"  -accel kvm|tcg|qtest run guest code with KVM or the software CPU\n"
"  -enable-kvm          same as -accel kvm\n"
"  -bios FILE           firmware image (default bios-256k.bin from SeaBIOS)\n"
"  -L DIR               add DIR to the firmware search path\n"
"  -boot order=DRIVES   boot order (c disk, d CD-ROM, n network, a floppy)\n"
"  -name NAME           the VM's name\n"
"\n"
"Devices and back ends:\n"
"  -drive file=FILE[,format=raw|qcow2][,if=ide|virtio|none][,media=cdrom]\n"
"         [,index=N][,readonly=on][,snapshot=on][,cache=..][,id=ID]   a disk\n"
"  -hda/-hdb/-hdc/-hdd FILE, -cdrom FILE   IDE disks and the CD-ROM\n"
"  -snapshot            disk writes go to a temporary overlay, lost at exit\n"
"  -device DRIVER[,PROP=VALUE...]   add a device (-device help lists them)\n"
"  -chardev BACKEND,id=ID[,...]     null|stdio|file|pipe|socket\n"
"  -audiodev sdl|wav|none,id=ID[,path=FILE]   audio back end (help: list)\n"
"  -serial SPEC         next serial port: stdio, null, none, file:PATH,\n"
"                       pipe:PATH, unix:PATH[,server=on,wait=off],\n"
"                       tcp:[HOST]:PORT[,server=on,wait=off], chardev:ID\n"
"  -netdev user|socket|tap|hubport,id=ID[,...]   network back end\n"
"  -nic TYPE[,model=e1000][,mac=ADDR][,...]   back end and NIC in one\n"
"  -net nic[,model=..] -net user   legacy pair; -net none, -nic none: no NIC\n"
"  -object filter-dump,id=ID,netdev=ID,file=F   pcap capture of a netdev\n"
"  -vga std|cirrus|none display adapter (std: VGA with Bochs VBE; default)\n"
"  -nodefaults          no default devices (serial port, VGA)\n"
"\n"
"Display and run control:\n"
"  -nographic           no window; serial port on the terminal (Ctrl-A x quits,\n"
"                       Ctrl-A h for help)\n"
"  -display none        no window, serial port not on the terminal\n"
"  -S                   start with the CPUs stopped\n"
"  -no-reboot           exit instead of rebooting\n"
"  -no-shutdown         keep running (stopped) after the guest powers off\n"
"  -pidfile FILE        write the process id to FILE\n"
"  -daemonize           detach once start-up succeeded\n"
"  -qmp unix:PATH,server=on,wait=off   QMP server (also tcp:HOST:PORT,...)\n"
"  -monitor stdio|unix:PATH,server=on,wait=off|none   the HMP console\n"
"  -mon chardev=ID[,mode=control|readline]   a monitor on a -chardev\n"
"  -qtest unix:PATH     no CPU; a test drives the machine (with -accel qtest)\n"
"  -d ITEM[,...]        log guest_errors, unimp\n"
"  -version, -help\n"
"\n"
"See docs/usage.md for every option.\n";

/* --- option table ------------------------------------------------------- */

typedef enum OptArg { ARG_NONE, ARG_ONE } OptArg;

typedef struct OptionDef {
    const char *name;
    OptArg arg;
    int id;
} OptionDef;

enum {
    OPT_MACHINE, OPT_M, OPT_SMP, OPT_ACCEL, OPT_ENABLE_KVM, OPT_BIOS, OPT_L,
    OPT_BOOT, OPT_NAME, OPT_DEVICE, OPT_CHARDEV, OPT_SERIAL, OPT_NET, OPT_NIC,
    OPT_NETDEV, OPT_OBJECT,
    OPT_VGA, OPT_NODEFAULTS, OPT_NOGRAPHIC, OPT_DISPLAY, OPT_S, OPT_NO_REBOOT,
    OPT_NO_SHUTDOWN, OPT_PIDFILE, OPT_QTEST, OPT_QTEST_LOG, OPT_D,
    OPT_VERSION, OPT_HELP, OPT_MONITOR, OPT_QMP, OPT_QMP_PRETTY, OPT_MON,
    OPT_DAEMONIZE, OPT_AUDIODEV,
    OPT_DRIVE, OPT_HDA, OPT_HDB, OPT_HDC, OPT_HDD, OPT_CDROM, OPT_SNAPSHOT,
};

static const OptionDef options[] = {
    { "M", ARG_ONE, OPT_MACHINE }, { "machine", ARG_ONE, OPT_MACHINE },
    { "m", ARG_ONE, OPT_M }, { "smp", ARG_ONE, OPT_SMP },
    { "accel", ARG_ONE, OPT_ACCEL }, { "enable-kvm", ARG_NONE, OPT_ENABLE_KVM },
    { "bios", ARG_ONE, OPT_BIOS }, { "L", ARG_ONE, OPT_L },
    { "boot", ARG_ONE, OPT_BOOT }, { "name", ARG_ONE, OPT_NAME },
    { "device", ARG_ONE, OPT_DEVICE }, { "chardev", ARG_ONE, OPT_CHARDEV },
    { "serial", ARG_ONE, OPT_SERIAL }, { "net", ARG_ONE, OPT_NET },
    { "nic", ARG_ONE, OPT_NIC }, { "vga", ARG_ONE, OPT_VGA },
    { "netdev", ARG_ONE, OPT_NETDEV }, { "object", ARG_ONE, OPT_OBJECT },
    { "nodefaults", ARG_NONE, OPT_NODEFAULTS },
    { "nographic", ARG_NONE, OPT_NOGRAPHIC },
    { "display", ARG_ONE, OPT_DISPLAY }, { "S", ARG_NONE, OPT_S },
    { "no-reboot", ARG_NONE, OPT_NO_REBOOT },
    { "no-shutdown", ARG_NONE, OPT_NO_SHUTDOWN },
    { "pidfile", ARG_ONE, OPT_PIDFILE }, { "qtest", ARG_ONE, OPT_QTEST },
    { "qtest-log", ARG_ONE, OPT_QTEST_LOG }, { "d", ARG_ONE, OPT_D },
    { "version", ARG_NONE, OPT_VERSION }, { "help", ARG_NONE, OPT_HELP },
    { "h", ARG_NONE, OPT_HELP }, { "monitor", ARG_ONE, OPT_MONITOR },
    { "qmp", ARG_ONE, OPT_QMP }, { "qmp-pretty", ARG_ONE, OPT_QMP_PRETTY },
    { "mon", ARG_ONE, OPT_MON }, { "daemonize", ARG_NONE, OPT_DAEMONIZE },
    { "audiodev", ARG_ONE, OPT_AUDIODEV },
    { "drive", ARG_ONE, OPT_DRIVE }, { "hda", ARG_ONE, OPT_HDA },
    { "hdb", ARG_ONE, OPT_HDB }, { "hdc", ARG_ONE, OPT_HDC },
    { "hdd", ARG_ONE, OPT_HDD }, { "cdrom", ARG_ONE, OPT_CDROM },
    { "snapshot", ARG_NONE, OPT_SNAPSHOT },
};

static const OptionDef *find_option(const char *arg)
{
    /* QEMU accepts both -opt and --opt. */
    if (arg[0] != '-') {
        return NULL;
    }
    arg += arg[1] == '-' ? 2 : 1;
    for (unsigned i = 0; i < ARRAY_SIZE(options); i++) {
        if (!strcmp(options[i].name, arg)) {
            return &options[i];
        }
    }
    return NULL;
}

/* --- option parsers ------------------------------------------------------ */

static void parse_machine(Config *c, const char *arg)
{
    Error *err = NULL;
    Opts *o = opts_parse(arg, "type", &err);
    const char *type, *accel, *v;

    if (!o) {
        fatal("-machine: %s", err->msg);
    }
    type = opts_get(o, "type");
    if (type && !strcmp(type, "help")) {
        printf("Supported machines are:\n"
               "pc                   Standard PC (i440FX + PIIX, 1996) "
               "(default)\n");
        exit(0);
    }
    if (type && strcmp(type, "pc") && !g_str_has_prefix(type, "pc-i440fx")) {
        fatal("unsupported machine type '%s': pcemu has the 'pc' machine "
              "(i440FX/PIIX3); use -machine help", type);
    }
    accel = opts_get(o, "accel");
    /* Features pcemu's pc does not have: accepted only when turned off. */
    static const char *const off_only[] = { "usb", "smm", "vmport", "hpet" };
    for (unsigned i = 0; i < ARRAY_SIZE(off_only); i++) {
        if ((v = opts_get(o, off_only[i]))) {
            bool on;
            if (!parse_bool(v, &on) && strcmp(v, "auto")) {
                fatal("-machine: %s expects on/off/auto, not '%s'",
                      off_only[i], v);
            }
        }
    }
    if (!opts_check_unused(o, &err)) {
        fatal("-machine: %s", err->msg);
    }
    if (accel) {
        c->accel_name = g_strdup(accel);
    }
    opts_free(o);
}

static void parse_memory(Config *c, const char *arg)
{
    Error *err = NULL;
    Opts *o = opts_parse(arg, "size", &err);
    const char *size;
    uint64_t bytes;

    if (!o) {
        fatal("-m: %s", err->msg);
    }
    size = opts_get(o, "size");
    opts_get(o, "slots");       /* memory hotplug: accepted, unused */
    opts_get(o, "maxmem");
    if (!opts_check_unused(o, &err)) {
        fatal("-m: %s", err->msg);
    }
    if (!size || !parse_size(size, 'M', &bytes)) {
        fatal("-m: invalid RAM size '%s' (examples: 128M, 2G)",
              size ? size : "");
    }
    if (bytes < MiB) {
        fatal("-m: RAM size '%s' is too small: at least 1M", size);
    }
    if (bytes > MAX_RAM_SIZE) {
        fatal("-m: RAM size '%s' is too large: at most 16T", size);
    }
    /* Whole 4 KiB pages, as QEMU rounds up to its page size. */
    c->machine.ram_size = (bytes + 4095) & ~4095ULL;
    opts_free(o);
}

static unsigned smp_number(Opts *o, const char *key, const char *arg)
{
    Error *err = NULL;
    uint64_t n = opts_get_number(o, key, 0, &err);

    if (err) {
        fatal("-smp %s: %s", arg, err->msg);
    }
    if (n > MACHINE_MAX_CPUS) {
        fatal("-smp: %s=%" PRIu64 " is more than the pc machine's maximum "
              "of %d CPUs", key, n, MACHINE_MAX_CPUS);
    }
    return n;
}

static void parse_smp(Config *c, const char *arg)
{
    Error *err = NULL;
    Opts *o = opts_parse(arg, "cpus", &err);
    unsigned cpus, maxcpus, sockets, cores, threads, dies;

    if (!o) {
        fatal("-smp: %s", err->msg);
    }
    cpus = smp_number(o, "cpus", arg);
    maxcpus = smp_number(o, "maxcpus", arg);
    sockets = smp_number(o, "sockets", arg);
    dies = smp_number(o, "dies", arg);
    cores = smp_number(o, "cores", arg);
    threads = smp_number(o, "threads", arg);
    if (!opts_check_unused(o, &err)) {
        fatal("-smp: %s", err->msg);
    }
    if (opts_has(o, "cpus") && cpus == 0) {
        fatal("-smp: the number of CPUs must be at least 1");
    }
    if (!cpus) {
        cpus = MAX(sockets, 1) * MAX(dies, 1) * MAX(cores, 1) *
               MAX(threads, 1);
    }
    if (!maxcpus) {
        maxcpus = cpus;
    }
    if (maxcpus < cpus) {
        fatal("-smp: maxcpus (%u) must be at least the CPU count (%u)",
              maxcpus, cpus);
    }
    if (maxcpus > MACHINE_MAX_CPUS) {
        fatal("-smp: %u CPUs is more than the pc machine's maximum of %d",
              maxcpus, MACHINE_MAX_CPUS);
    }
    c->machine.smp_cpus = cpus;
    c->machine.smp_max_cpus = maxcpus;
    opts_free(o);
}

static void parse_accel(Config *c, const char *arg)
{
    const char *comma = strchr(arg, ',');

    c->accel_name = comma ? g_strndup(arg, comma - arg) : arg;
    c->accel_opts = comma ? comma + 1 : NULL;
    if (!strcmp(c->accel_name, "help")) {
        printf("Accelerators supported in pcemu:\nkvm\ntcg\nqtest\n");
        exit(0);
    }
}

static void parse_boot(Config *c, const char *arg)
{
    Error *err = NULL;
    Opts *o = opts_parse(arg, "order", &err);
    const char *order;

    if (!o) {
        fatal("-boot: %s", err->msg);
    }
    order = opts_get(o, "order");
    opts_get(o, "menu");
    opts_get(o, "strict");
    opts_get(o, "reboot-timeout");
    opts_get(o, "splash-time");
    if (!opts_check_unused(o, &err)) {
        fatal("-boot: %s", err->msg);
    }
    if (order) {
        for (const char *p = order; *p; p++) {
            if (!strchr("acdn", *p)) {
                fatal("-boot: invalid boot device '%c' in '%s' "
                      "(a, c, d or n)", *p, order);
            }
        }
        c->machine.boot_order = g_strdup(order);
    }
    opts_free(o);
}

static void parse_name(Config *c, const char *arg)
{
    Error *err = NULL;
    Opts *o = opts_parse(arg, "guest", &err);

    if (!o) {
        fatal("-name: %s", err->msg);
    }
    c->machine.name = g_strdup(opts_get(o, "guest"));
    opts_get(o, "process");
    opts_get(o, "debug-threads");
    if (!opts_check_unused(o, &err)) {
        fatal("-name: %s", err->msg);
    }
    opts_free(o);
}

static void parse_log(const char *arg)
{
    gchar **items = g_strsplit(arg, ",", -1);

    for (gchar **p = items; *p; p++) {
        if (!strcmp(*p, "guest_errors")) {
            log_mask |= LOG_GUEST_ERROR;
        } else if (!strcmp(*p, "unimp")) {
            log_mask |= LOG_UNIMP;
        } else if (!strcmp(*p, "help")) {
            printf("Log items:\nguest_errors  guest did something wrong\n"
                   "unimp         guest used something not emulated\n");
            exit(0);
        } else {
            fatal("-d: unknown log item '%s' (-d help lists them)", *p);
        }
    }
    g_strfreev(items);
}

static void device_help(const char *driver)
{
    const DeviceType *t;

    if (!strcmp(driver, "help")) {
        printf("Devices (name, bus, description):\n");
        for (unsigned i = 0; device_types[i]; i++) {
            t = device_types[i];
            if (t->user_creatable) {
                printf("name \"%s\", bus %s, desc \"%s\"\n", t->name,
                       t->bus == BUS_PCI ? "PCI" : "ISA",
                       t->desc ? t->desc : "");
            }
        }
        exit(0);
    }
    t = device_type_find(driver);
    if (!t) {
        fatal("'%s' is not a valid device model name (-device help lists "
              "them)", driver);
    }
    printf("%s options:\n", t->name);
    for (const Property *p = t->props; p && p->type != PROP_END; p++) {
        printf("  %-20s - %s\n", p->name, p->desc ? p->desc : "");
    }
    exit(0);
}

static void parse_device_help(const char *arg)
{
    char *driver = g_strndup(arg, strcspn(arg, ","));

    if (!strcmp(driver, "help") || strstr(arg, ",help")) {
        device_help(driver);
    }
    g_free(driver);
}

static void parse_args(Config *c, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const OptionDef *opt = find_option(argv[i]);
        const char *arg = NULL;

        if (!opt) {
            if (argv[i][0] == '-') {
                fatal("%s: invalid option (pcemu -help lists them)", argv[i]);
            }
            /* A bare file name is the first IDE disk, as QEMU's -hda. */
            drive_parse_option("hda", argv[i]);
            continue;
        }
        if (opt->arg == ARG_ONE) {
            if (i + 1 >= argc) {
                fatal("%s: requires an argument", argv[i]);
            }
            arg = argv[++i];
        }
        switch (opt->id) {
        case OPT_MACHINE: parse_machine(c, arg); break;
        case OPT_M: parse_memory(c, arg); break;
        case OPT_SMP: parse_smp(c, arg); break;
        case OPT_ACCEL: parse_accel(c, arg); break;
        case OPT_ENABLE_KVM: c->accel_name = "kvm"; break;
        case OPT_BIOS: c->machine.bios = arg; break;
        case OPT_L: g_ptr_array_add(c->fw_dirs, (gpointer)arg); break;
        case OPT_BOOT: parse_boot(c, arg); break;
        case OPT_NAME: parse_name(c, arg); break;
        case OPT_DEVICE:
            parse_device_help(arg);
            g_ptr_array_add(c->devices, (gpointer)arg);
            break;
        case OPT_CHARDEV: g_ptr_array_add(c->chardevs, (gpointer)arg); break;
        case OPT_AUDIODEV: audio_parse_option(arg); break;
        case OPT_DRIVE: case OPT_HDA: case OPT_HDB: case OPT_HDC:
        case OPT_HDD: case OPT_CDROM: case OPT_SNAPSHOT:
            drive_parse_option(opt->name, arg);
            break;
        case OPT_SERIAL:
            if (c->serials->len >= MAX_SERIAL) {
                fatal("-serial %s: at most %d serial ports", arg, MAX_SERIAL);
            }
            g_ptr_array_add(c->serials, (gpointer)arg);
            break;
        case OPT_NET: net_opt_net(arg); break;
        case OPT_NIC: net_opt_nic(arg); break;
        case OPT_NETDEV: net_opt_netdev(arg); break;
        case OPT_OBJECT: net_opt_object(arg); break;
        case OPT_VGA: c->machine.vga = vga_parse_option(arg); break;
        case OPT_MONITOR: monitor_parse_monitor(arg); break;
        case OPT_QMP: monitor_parse_qmp(arg, false); break;
        case OPT_QMP_PRETTY: monitor_parse_qmp(arg, true); break;
        case OPT_MON: monitor_parse_mon(arg); break;
        case OPT_DAEMONIZE: c->daemonize = true; break;
        case OPT_NODEFAULTS: c->nodefaults = true; break;
        case OPT_NOGRAPHIC: c->machine.nographic = true; break;
        case OPT_DISPLAY:
            if (strcmp(arg, "none") && !g_str_has_prefix(arg, "none,")) {
                fatal("-display %s: only 'none' is supported yet (or use "
                      "-nographic)", arg);
            }
            c->display = "none";
            break;
        case OPT_S: c->start_paused = true; break;
        case OPT_NO_REBOOT: runstate_no_reboot = true; break;
        case OPT_NO_SHUTDOWN: runstate_no_shutdown = true; break;
        case OPT_PIDFILE: c->pidfile = arg; break;
        case OPT_QTEST: c->qtest = arg; break;
        case OPT_QTEST_LOG: c->qtest_log = arg; break;
        case OPT_D: parse_log(arg); break;
        case OPT_VERSION:
            printf("pcemu version " PCEMU_VERSION "\n"
                   "A PC emulator with a QEMU-compatible command line\n");
            exit(0);
        case OPT_HELP:
            fputs(usage_text, stdout);
            exit(0);
        }
    }
}

/* --- start-up ------------------------------------------------------------- */

static const AccelOps *choose_accel(Config *c)
{
    const char *name = c->accel_name;

    if (c->qtest && !name) {
        name = "qtest";
    }
    if (!name) {
        if (!kvm_hardware_backed()) {
            fprintf(stderr, "%s: no -accel given, and KVM here is not "
                    "hardware-backed: using the software CPU (-accel tcg)\n",
                    error_progname);
            return &soft_accel_ops;
        }
        fprintf(stderr, "%s: no -accel given: using KVM\n", error_progname);
        return &kvm_accel_ops;
    }
    if (!strcmp(name, "kvm")) {
        return &kvm_accel_ops;
    }
    if (!strcmp(name, "qtest")) {
        return &qtest_accel_ops;
    }
    if (!strcmp(name, "tcg") || !strcmp(name, "soft")) {
        return &soft_accel_ops;
    }
    fatal("-accel %s: unknown accelerator (kvm, tcg, soft or qtest)", name);
}

static void write_pidfile(const char *path)
{
    char buf[32];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

    if (fd < 0 || write(fd, buf, len) != len) {
        fatal("-pidfile %s: cannot write: %s", path, strerror(errno));
    }
    close(fd);
}

/* The firmware search path: -L dirs, the build tree's pc-bios, the
 * install's data dir, then Debian's package locations. */
static const char *const *firmware_dirs(Config *c, const char *argv0)
{
    GPtrArray *dirs = g_ptr_array_new();
    char *exe_dir = g_path_get_dirname(argv0);

    for (guint i = 0; i < c->fw_dirs->len; i++) {
        g_ptr_array_add(dirs, g_ptr_array_index(c->fw_dirs, i));
    }
    g_ptr_array_add(dirs, g_build_filename(exe_dir, "pc-bios", NULL));
    g_ptr_array_add(dirs, PCEMU_DATADIR);
    g_ptr_array_add(dirs, "/usr/share/seabios");
    g_ptr_array_add(dirs, "/usr/lib/ipxe/qemu");
    g_ptr_array_add(dirs, "/usr/share/qemu");
    g_ptr_array_add(dirs, NULL);
    g_free(exe_dir);
    return (const char *const *)g_ptr_array_free(dirs, false);
}

/* The chardev ids of the serial ports: -serial specs become chardevs
 * "serial0".., "chardev:ID" names an existing one, "none" skips. */
static GPtrArray *create_serial_chardevs(Config *c)
{
    GPtrArray *ids = g_ptr_array_new();
    Error *err = NULL;

    if (!c->serials->len && !c->nodefaults) {
        /* QEMU's defaults: the terminal with -nographic; with no display
         * at all the port exists but its bytes go nowhere. */
        g_ptr_array_add(c->serials, !c->machine.nographic ? "null" :
                        monitor_default_wanted() ? "mon:stdio" : "stdio");
    }
    for (guint i = 0; i < c->serials->len; i++) {
        const char *spec = g_ptr_array_index(c->serials, i);
        char *id;

        if (!strcmp(spec, "none")) {
            continue;
        }
        if (g_str_has_prefix(spec, "chardev:")) {
            if (!chardev_find(spec + 8)) {
                fatal("-serial %s: no -chardev with id '%s'", spec,
                      spec + 8);
            }
            g_ptr_array_add(ids, g_strdup(spec + 8));
            continue;
        }
        id = g_strdup_printf("serial%u", i);
        if (!chardev_new_legacy(spec, id, &err)) {
            error_prepend(&err, "-serial %s: ", spec);
            error_report_err(err);
            exit(1);
        }
        /* The monitor attaches to the mux before the port does. */
        if (g_str_has_prefix(spec, "mon:") &&
            !monitor_attach_serial_mux(id, &err)) {
            error_report_err(err);
            exit(1);
        }
        g_ptr_array_add(ids, id);
    }
    return ids;
}

static void create_user_devices(Machine *m, Config *c)
{
    for (guint i = 0; i < c->devices->len; i++) {
        const char *arg = g_ptr_array_index(c->devices, i);
        size_t n = strcspn(arg, ",");
        char *driver = g_strndup(arg, n);
        const DeviceType *t = device_type_find(driver);
        Error *err = NULL;

        if (t && !t->user_creatable) {
            fatal("-device %s: this device is part of the board and can't "
                  "be added", driver);
        }
        if (!machine_create_device(m, driver, arg[n] ? arg + n + 1 : NULL,
                                   &err)) {
            error_prepend(&err, "-device %s: ", arg);
            error_report_err(err);
            exit(1);
        }
        g_free(driver);
    }
}

int pcemu_main(int argc, char **argv)
{
    Config c = {
        .machine = {
            .ram_size = DEFAULT_RAM_SIZE,
            .smp_cpus = 1,
            .smp_max_cpus = 1,
        },
    };
    const AccelOps *accel;
    GPtrArray *serial_ids;
    Machine *m;
    Error *err = NULL;
    int status;

    c.chardevs = g_ptr_array_new();
    c.serials = g_ptr_array_new();
    c.devices = g_ptr_array_new();
    c.fw_dirs = g_ptr_array_new();
    parse_args(&c, argc, argv);
    c.machine.firmware_dirs = firmware_dirs(&c, argv[0]);
    /* Images open first: a missing or locked disk is the user's error,
     * reported before anything else starts. */
    drive_add_defaults(c.nodefaults);
    if (!drive_init_all(&err)) {
        error_report_err(err);
        return 1;
    }
    if (c.daemonize) {
        if (c.machine.nographic || monitor_uses_stdio() ||
            (c.qtest && !strcmp(c.qtest, "stdio"))) {
            fatal("-daemonize: the daemon has no terminal: it can't be used "
                  "with -nographic or a monitor on stdio");
        }
        os_daemonize();
    }

    main_loop_init();
    accel = choose_accel(&c);
    if (!accel->init(c.accel_opts, &err)) {
        error_report_err(err);
        return 1;
    }
    for (guint i = 0; i < c.chardevs->len; i++) {
        if (!chardev_new_from_opts(g_ptr_array_index(c.chardevs, i), &err)) {
            error_prepend(&err, "-chardev %s: ",
                          (char *)g_ptr_array_index(c.chardevs, i));
            error_report_err(err);
            return 1;
        }
    }
    serial_ids = create_serial_chardevs(&c);
    if (!monitor_init_all(&err)) {
        error_report_err(err);
        return 1;
    }
    c.machine.vga = vga_choose_default(c.machine.vga, c.nodefaults,
                                       (const char *const *)c.devices->pdata,
                                       c.devices->len);
    m = pc_machine_create(&c.machine, accel,
                          (const char *const *)serial_ids->pdata,
                          serial_ids->len, &err);
    if (!m) {
        error_report_err(err);
        return 1;
    }
    if (!net_init_clients(m, c.nodefaults, &err)) {
        error_report_err(err);
        return 1;
    }
    create_user_devices(m, &c);
    if (c.qtest) {
        if ((c.qtest_log && !qtest_server_set_log(c.qtest_log, &err)) ||
            !qtest_server_init(c.qtest, &err)) {
            error_report_err(err);
            return 1;
        }
    }
    if (!accel->start_vcpus(m, &err)) {
        error_report_err(err);
        return 1;
    }
    if (c.pidfile) {
        write_pidfile(c.pidfile);
    }
    if (c.start_paused) {
        vm_stop(RUN_STATE_PRELAUNCH);   /* QEMU's -S state, until cont */
    } else {
        vm_start();
    }
    os_setup_post();

    status = main_loop_run();

    vm_stop(RUN_STATE_SHUTDOWN);
    if (accel->shutdown) {
        accel->shutdown();
    }
    chardev_cleanup_all();
    drive_cleanup_all();
    if (c.pidfile) {
        unlink(c.pidfile);
    }
    return status;
}
