/*
 * The HMP commands, with QEMU's output formats (scripts parse them). They
 * call the same functions as their QMP twins (qmp-cmds.c) where one
 * exists.
 */
#include "monitor-internal.h"
#include "accel/kvm.h"
#include "hw/core/device.h"
#include "hw/input/i8042.h"
#include "hw/machine.h"
#include "hw/pci/pci.h"
#include "softmmu/memory.h"
#include "softmmu/runstate.h"
#include "target/i386/cpu.h"

const char *pci_class_desc(uint16_t cls);

static void hmp_report(Monitor *mon, Error *err)
{
    if (err) {
        monitor_printf(mon, "Error: %s\n", err->msg);
        error_free(err);
    }
}

/* --- run control ---------------------------------------------------------- */

static void hmp_stop(Monitor *mon, const char *args)
{
    Error *err = NULL;

    qmp_stop(&err);
    hmp_report(mon, err);
}

static void hmp_cont(Monitor *mon, const char *args)
{
    Error *err = NULL;

    qmp_cont(&err);
    hmp_report(mon, err);
}

static void hmp_system_reset(Monitor *mon, const char *args)
{
    system_reset_request(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET);
}

static void hmp_system_powerdown(Monitor *mon, const char *args)
{
    system_powerdown_request();
}

static void hmp_quit(Monitor *mon, const char *args)
{
    system_shutdown_request(SHUTDOWN_CAUSE_HOST_QMP_QUIT);
}

static void hmp_screendump(Monitor *mon, const char *args)
{
    gchar **argv = NULL;
    const char *file = NULL, *format = NULL;
    Error *err = NULL;
    int argc = 0;

    if (*args && !g_shell_parse_argv(args, &argc, &argv, NULL)) {
        monitor_printf(mon, "screendump: cannot parse '%s'\n", args);
        return;
    }
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-f") && i + 1 < argc) {
            format = argv[++i];
        } else if (!file) {
            file = argv[i];
        }
    }
    if (!file) {
        monitor_printf(mon, "screendump: a filename is required\n");
    } else {
        qmp_screendump(file, format, &err);
        hmp_report(mon, err);
    }
    g_strfreev(argv);
}

static void hmp_sendkey(Monitor *mon, const char *args)
{
    char *keys = g_strndup(args, strcspn(args, " \t"));
    const char *hold = args + strlen(keys);
    gchar **names;
    Error *err = NULL;
    int hold_ms = -1;

    while (g_ascii_isspace(*hold)) {
        hold++;
    }
    if (*hold) {
        hold_ms = atoi(hold);
    }
    if (!*keys) {
        monitor_printf(mon, "sendkey: which keys? e.g. sendkey "
                       "ctrl-alt-delete\n");
        g_free(keys);
        return;
    }
    /* "ctrl-alt-delete"; a lone "-" is the minus key. */
    names = !strcmp(keys, "-") ? g_strsplit("minus", "-", -1)
                               : g_strsplit(keys, "-", -1);
    qmp_send_keys((const char *const *)names, g_strv_length(names), hold_ms,
                  &err);
    hmp_report(mon, err);
    g_strfreev(names);
    g_free(keys);
}

/* --- memory dumps ----------------------------------------------------------- */

/* x and xp: "/Nfu ADDR", QEMU's layout: a 16-digit address, a colon, then
 * the items, 16 bytes per line (8 for bytes). */
static void memory_dump(Monitor *mon, const char *args, bool physical)
{
    static char last_format = 'x';
    static int last_size = 4;
    char format = last_format;
    int size = last_size, count = 1, line_size, digits = 0;
    bool size_given = false;
    uint64_t addr, len;
    char *end;

    if (*args == '/') {
        args++;
        if (g_ascii_isdigit(*args)) {
            count = strtol(args, &end, 10);
            args = end;
        }
        for (; *args && !g_ascii_isspace(*args); args++) {
            switch (*args) {
            case 'x': case 'd': case 'u': case 'o': case 'c':
                format = *args;
                break;
            case 'b': size = 1; size_given = true; break;
            case 'h': size = 2; size_given = true; break;
            case 'w': size = 4; size_given = true; break;
            case 'g': size = 8; size_given = true; break;
            case 'i':
                monitor_printf(mon, "the 'i' format (disassembly) is not "
                               "supported\n");
                return;
            default:
                monitor_printf(mon, "invalid char in format: '%c'\n", *args);
                return;
            }
        }
        while (g_ascii_isspace(*args)) {
            args++;
        }
    }
    if (format == 'c' && !size_given) {
        size = 1;
    }
    if (!*args) {
        monitor_printf(mon, "%s: an address is required (x /4xw 0x1000)\n",
                       physical ? "xp" : "x");
        return;
    }
    addr = g_ascii_strtoull(args, &end, 0);
    if (end == args || *end) {
        monitor_printf(mon, "invalid address '%s' (a number: 0x1000, "
                       "4096)\n", args);
        return;
    }
    last_format = format;
    last_size = size;
    if (count <= 0) {
        return;
    }
    /* At most 64 KiB: a typo must not print gigabytes. */
    len = MIN((uint64_t)count * size, 64 * KiB);
    switch (format) {
    case 'o': digits = (size * 8 + 2) / 3; break;
    case 'u': case 'd': digits = (size * 8 * 10 + 32) / 33; break;
    case 'x': default: digits = size * 2; break;
    }
    line_size = size == 1 ? 8 : 16;
    while (len > 0) {
        uint8_t buf[16];
        unsigned l = MIN(len, (uint64_t)line_size);

        monitor_printf(mon, "%016" PRIx64 ":", addr);
        if (!address_space_read(&address_space_memory, addr, buf, l)) {
            monitor_printf(mon, " Cannot access memory\n");
            return;
        }
        for (unsigned i = 0; i + size <= l; i += size) {
            uint64_t v = 0;

            for (int b = size - 1; b >= 0; b--) {
                v = v << 8 | buf[i + b];
            }
            switch (format) {
            case 'o': monitor_printf(mon, " %#*" PRIo64, digits, v); break;
            case 'u': monitor_printf(mon, " %*" PRIu64, digits, v); break;
            case 'd':
                monitor_printf(mon, " %*" PRId64, digits,
                               size == 8 ? (int64_t)v :
                               (int64_t)(v << (64 - size * 8)) >>
                                   (64 - size * 8));
                break;
            case 'c':
                if (v >= 32 && v < 127) {
                    monitor_printf(mon, " '%c'", (int)v);
                } else if (v == '\n') {
                    monitor_printf(mon, " '\\n'");
                } else if (v == '\r') {
                    monitor_printf(mon, " '\\r'");
                } else {
                    monitor_printf(mon, " '\\x%02x'", (unsigned)(v & 0xff));
                }
                break;
            default:
                monitor_printf(mon, " 0x%0*" PRIx64, digits, v);
                break;
            }
        }
        monitor_printf(mon, "\n");
        addr += l;
        len -= l;
    }
}

static void hmp_x(Monitor *mon, const char *args)
{
    memory_dump(mon, args, false);
}

static void hmp_xp(Monitor *mon, const char *args)
{
    memory_dump(mon, args, true);
}

/* --- info --------------------------------------------------------------- */

static void info_status(Monitor *mon, const char *args)
{
    RunState s = runstate_get();

    if (s == RUN_STATE_RUNNING) {
        monitor_printf(mon, "VM status: running\n");
    } else if (s == RUN_STATE_PAUSED || s == RUN_STATE_PRELAUNCH) {
        monitor_printf(mon, "VM status: paused%s\n",
                       s == RUN_STATE_PRELAUNCH ? " (prelaunch)" : "");
    } else {
        monitor_printf(mon, "VM status: paused (%s)\n", runstate_name(s));
    }
}

static void info_version(Monitor *mon, const char *args)
{
    monitor_printf(mon, "7.2.0 (pcemu " PCEMU_PROJECT_VERSION ")\n");
}

static void info_name(Monitor *mon, const char *args)
{
    if (current_machine->cfg.name) {
        monitor_printf(mon, "%s\n", current_machine->cfg.name);
    }
}

static void info_kvm(Monitor *mon, const char *args)
{
    monitor_printf(mon, "kvm support: %s\n",
                   kvm_enabled() ? "enabled" : "disabled");
}

static void info_cpus(Monitor *mon, const char *args)
{
    for (unsigned i = 0; i < current_machine->nr_cpus; i++) {
        monitor_printf(mon, "%c CPU #%u: thread_id=%d\n", i == 0 ? '*' : ' ',
                       i, (int)getpid());
    }
}

static void info_chardev(Monitor *mon, const char *args)
{
    for (Chardev *c = chardev_first(); c; c = chardev_next(c)) {
        monitor_printf(mon, "%s: filename=%s\n", chardev_id(c),
                       chardev_filename(c));
    }
}

static void info_mtree(Monitor *mon, const char *args)
{
    GString *out = g_string_new(NULL);

    memory_region_dump_tree(out, &address_space_memory);
    g_string_append_c(out, '\n');
    memory_region_dump_tree(out, &address_space_io);
    monitor_puts(mon, out->str);
    g_string_free(out, true);
}

static void info_pci(Monitor *mon, const char *args)
{
    Machine *m = current_machine;

    for (PCIDevice *d = m->pci_bus ? pci_bus_next(m->pci_bus, NULL) : NULL;
         d; d = pci_bus_next(m->pci_bus, d)) {
        uint8_t *c = d->config;
        uint16_t cls = c[PCI_CLASS_DEVICE] | c[PCI_CLASS_DEVICE + 1] << 8;
        const char *desc = pci_class_desc(cls);

        monitor_printf(mon, "  Bus %2d, device %3d, function %d:\n", 0,
                       d->devfn >> 3, d->devfn & 7);
        if (desc) {
            monitor_printf(mon, "    %s", desc);
        } else {
            monitor_printf(mon, "    Class %04x", cls);
        }
        monitor_printf(mon, ": PCI device %04x:%04x\n",
                       c[0] | c[1] << 8, c[2] | c[3] << 8);
        monitor_printf(mon, "      PCI subsystem %04x:%04x\n",
                       c[PCI_SUBSYSTEM_VENDOR_ID] |
                       c[PCI_SUBSYSTEM_VENDOR_ID + 1] << 8,
                       c[PCI_SUBSYSTEM_ID] | c[PCI_SUBSYSTEM_ID + 1] << 8);
        if (c[PCI_INTERRUPT_PIN]) {
            monitor_printf(mon, "      IRQ %d, pin %c\n",
                           c[PCI_INTERRUPT_LINE],
                           'A' + c[PCI_INTERRUPT_PIN] - 1);
        }
        for (int i = 0; i < PCI_NUM_REGIONS; i++) {
            PCIBar *b = &d->bars[i];
            const char *what;

            if (!b->mr) {
                continue;
            }
            if (b->type & PCI_BASE_ADDRESS_SPACE_IO) {
                what = "I/O";
            } else if (b->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
                what = b->type & PCI_BASE_ADDRESS_MEM_PREFETCH ?
                       "64 bit prefetchable memory" : "64 bit memory";
            } else {
                what = b->type & PCI_BASE_ADDRESS_MEM_PREFETCH ?
                       "32 bit prefetchable memory" : "32 bit memory";
            }
            monitor_printf(mon, "      %s%d: %s at 0x%04" PRIx64
                           " [0x%04" PRIx64 "].\n",
                           i == PCI_ROM_SLOT ? "ROM" : "BAR",
                           i == PCI_ROM_SLOT ? 0 : i, what, b->addr,
                           b->addr + b->size - 1);
        }
        monitor_printf(mon, "      id \"%s\"\n", d->dev.id ? d->dev.id : "");
    }
}

static void info_qtree(Monitor *mon, const char *args)
{
    static const char *const bus_names[] = {
        [BUS_SYSTEM] = "main-system-bus", [BUS_ISA] = "isa.0",
        [BUS_PCI] = "pci.0",
    };

    /* One level per bus: pcemu's devices hang off the system bus, the
     * PCI bus or the PIIX3's ISA bus. */
    for (int bus = BUS_SYSTEM; bus <= BUS_PCI; bus++) {
        monitor_printf(mon, "bus: %s\n", bus_names[bus]);
        monitor_printf(mon, "  type %s\n", bus == BUS_PCI ? "PCI" :
                       bus == BUS_ISA ? "ISA" : "System");
        for (Device *d = current_machine->devices; d; d = d->next) {
            if (d->type->bus != (DeviceBus)bus) {
                continue;
            }
            monitor_printf(mon, "  dev: %s, id \"%s\"\n", d->type->name,
                           d->id ? d->id : "");
            for (const Property *p = d->type->props;
                 p && p->type != PROP_END; p++) {
                char *v = device_get_prop(d, p);

                if (p->type == PROP_STRING || p->type == PROP_CHARDEV) {
                    monitor_printf(mon, "    %s = \"%s\"\n", p->name, v);
                } else {
                    monitor_printf(mon, "    %s = %s\n", p->name, v);
                }
                g_free(v);
            }
        }
    }
}

/* info registers: QEMU's x86_cpu_dump_state layout. */
static void dump_seg(Monitor *mon, const char *name, const SegmentCache *sc,
                     bool lma, bool pe)
{
    static const char *const sys_type[2][16] = {
        { "#00", "TSS16-avl", "LDT", "TSS16-busy", "CallGate16", "TaskGate",
          "IntGate16", "TrapGate16", "#08", "TSS32-avl", "#0A",
          "TSS32-busy", "CallGate32", "#0D", "IntGate32", "TrapGate32" },
        { "#00", "#01", "LDT", "#03", "#04", "#05", "#06", "#07", "#08",
          "TSS64-avl", "#0A", "TSS64-busy", "CallGate64", "#0D",
          "IntGate64", "TrapGate64" },
    };

    if (lma) {
        monitor_printf(mon, "%-3s=%04x %016" PRIx64 " %08x %08x", name,
                       sc->selector, sc->base, sc->limit,
                       sc->flags & 0x00ffff00);
    } else {
        monitor_printf(mon, "%-3s=%04x %08x %08x %08x", name, sc->selector,
                       (uint32_t)sc->base, sc->limit,
                       sc->flags & 0x00ffff00);
    }
    if (pe && (sc->flags & DESC_P_MASK)) {
        unsigned type = (sc->flags >> DESC_TYPE_SHIFT) & 15;

        monitor_printf(mon, " DPL=%d ", (sc->flags >> DESC_DPL_SHIFT) & 3);
        if (sc->flags & DESC_S_MASK) {
            if (type & 8) {
                monitor_printf(mon, (sc->flags & DESC_L_MASK) ? "CS64" :
                               (sc->flags & DESC_B_MASK) ? "CS32" : "CS16");
                monitor_printf(mon, " [%c%c", type & 4 ? 'C' : '-',
                               type & 2 ? 'R' : '-');
            } else {
                monitor_printf(mon, (sc->flags & DESC_B_MASK) ? "DS  "
                                                              : "DS16");
                monitor_printf(mon, " [%c%c", type & 4 ? 'E' : '-',
                               type & 2 ? 'W' : '-');
            }
            monitor_printf(mon, "%c]", type & 1 ? 'A' : '-');
        } else {
            monitor_printf(mon, "%s", sys_type[lma][type]);
        }
    }
    monitor_printf(mon, "\n");
}

static void dump_cpu(Monitor *mon, X86CPU *cpu)
{
    static const char *const seg_names[6] = { "ES", "CS", "SS", "DS", "FS",
                                              "GS" };
    static const char *const r64[16] = { "RAX", "RCX", "RDX", "RBX", "RSP",
        "RBP", "RSI", "RDI", "R8", "R9", "R10", "R11", "R12", "R13", "R14",
        "R15" };
    bool lma = cpu->efer & (1 << 10);
    bool pe = cpu->cr[0] & 1;
    uint64_t fl = cpu->rflags;
    unsigned cpl = pe ? (cpu->segs[R_CS].selector & 3) : 0;
    Device *i8042 = NULL;
    char flags[8];

    for (Device *d = current_machine->devices; d; d = d->next) {
        if (!strcmp(d->type->name, "i8042")) {
            i8042 = d;
        }
    }
    snprintf(flags, sizeof(flags), "%c%c%c%c%c%c%c",
             fl & 0x400 ? 'D' : '-', fl & 0x800 ? 'O' : '-',
             fl & 0x80 ? 'S' : '-', fl & 0x40 ? 'Z' : '-',
             fl & 0x10 ? 'A' : '-', fl & 0x4 ? 'P' : '-',
             fl & 0x1 ? 'C' : '-');
    if (lma) {
        static const int order[16] = { R_EAX, R_EBX, R_ECX, R_EDX, R_ESI,
            R_EDI, R_EBP, R_ESP, 8, 9, 10, 11, 12, 13, 14, 15 };
        for (int i = 0; i < 16; i++) {
            monitor_printf(mon, "%s=%016" PRIx64 "%s", r64[order[i]],
                           cpu->regs[order[i]], i % 4 == 3 ? "\n" : " ");
        }
        monitor_printf(mon, "RIP=%016" PRIx64 " RFL=%08x [%s] CPL=%u II=0 "
                       "A20=%d SMM=0 HLT=%d\n", cpu->rip, (uint32_t)fl, flags,
                       cpl, i8042 ? i8042_a20_enabled(i8042) : 1,
                       cpu->halted);
    } else {
        monitor_printf(mon, "EAX=%08x EBX=%08x ECX=%08x EDX=%08x\n"
                       "ESI=%08x EDI=%08x EBP=%08x ESP=%08x\n",
                       (uint32_t)cpu->regs[R_EAX], (uint32_t)cpu->regs[R_EBX],
                       (uint32_t)cpu->regs[R_ECX], (uint32_t)cpu->regs[R_EDX],
                       (uint32_t)cpu->regs[R_ESI], (uint32_t)cpu->regs[R_EDI],
                       (uint32_t)cpu->regs[R_EBP],
                       (uint32_t)cpu->regs[R_ESP]);
        monitor_printf(mon, "EIP=%08x EFL=%08x [%s] CPL=%u II=0 A20=%d "
                       "SMM=0 HLT=%d\n", (uint32_t)cpu->rip, (uint32_t)fl,
                       flags, cpl, i8042 ? i8042_a20_enabled(i8042) : 1,
                       cpu->halted);
    }
    for (int i = 0; i < 6; i++) {
        dump_seg(mon, seg_names[i], &cpu->segs[i], lma, pe);
    }
    dump_seg(mon, "LDT", &cpu->ldt, lma, pe);
    dump_seg(mon, "TR", &cpu->tr, lma, pe);
    if (lma) {
        monitor_printf(mon, "GDT=     %016" PRIx64 " %08x\n"
                       "IDT=     %016" PRIx64 " %08x\n",
                       cpu->gdt.base, cpu->gdt.limit, cpu->idt.base,
                       cpu->idt.limit);
        monitor_printf(mon, "CR0=%08x CR2=%016" PRIx64 " CR3=%016" PRIx64
                       " CR4=%08x\n", (uint32_t)cpu->cr[0], cpu->cr[2],
                       cpu->cr[3], (uint32_t)cpu->cr[4]);
        for (int i = 0; i < 4; i++) {
            monitor_printf(mon, "DR%d=%016" PRIx64 " ", i, cpu->dr[i]);
        }
        monitor_printf(mon, "\nDR6=%016" PRIx64 " DR7=%016" PRIx64 "\n",
                       cpu->dr[6], cpu->dr[7]);
    } else {
        monitor_printf(mon, "GDT=     %08x %08x\nIDT=     %08x %08x\n",
                       (uint32_t)cpu->gdt.base, cpu->gdt.limit,
                       (uint32_t)cpu->idt.base, cpu->idt.limit);
        monitor_printf(mon, "CR0=%08x CR2=%08x CR3=%08x CR4=%08x\n",
                       (uint32_t)cpu->cr[0], (uint32_t)cpu->cr[2],
                       (uint32_t)cpu->cr[3], (uint32_t)cpu->cr[4]);
        for (int i = 0; i < 4; i++) {
            monitor_printf(mon, "DR%d=%08x ", i, (uint32_t)cpu->dr[i]);
        }
        monitor_printf(mon, "\nDR6=%08x DR7=%08x\n", (uint32_t)cpu->dr[6],
                       (uint32_t)cpu->dr[7]);
    }
    monitor_printf(mon, "EFER=%016" PRIx64 "\n", cpu->efer);
}

static void info_registers(Monitor *mon, const char *args)
{
    Machine *m = current_machine;
    bool all = !strcmp(args, "-a");

    if (!m->nr_cpus || !m->cpus) {
        monitor_printf(mon, "No CPU available (this machine has none: "
                       "-accel qtest)\n");
        return;
    }
    for (unsigned i = 0; i < (all ? m->nr_cpus : 1); i++) {
        Error *err = NULL;

        if (kvm_enabled() && !kvm_cpu_synchronize_state(m->cpus[i], &err)) {
            hmp_report(mon, err);
            return;
        }
        if (all) {
            monitor_printf(mon, "\nCPU#%u\n", i);
        }
        dump_cpu(mon, m->cpus[i]);
    }
}

const HmpCommand hmp_info_commands[] = {
    { "status", "", "show the current VM status (running|paused)",
      info_status },
    { "registers", "[-a]", "show the cpu registers (-a: all CPUs)",
      info_registers },
    { "mtree", "", "show the memory tree", info_mtree },
    { "pci", "", "show PCI info", info_pci },
    { "qtree", "", "show device tree", info_qtree },
    { "chardev", "", "show the character devices", info_chardev },
    { "version", "", "show the version of QEMU (pcemu)", info_version },
    { "name", "", "show the current VM name", info_name },
    { "kvm", "", "show KVM information", info_kvm },
    { "cpus", "", "show infos for each CPU", info_cpus },
    { NULL },
};

static void hmp_info(Monitor *mon, const char *args)
{
    char *item = g_strndup(args, strcspn(args, " \t"));
    const char *rest = args + strlen(item);

    while (g_ascii_isspace(*rest)) {
        rest++;
    }
    if (!*item) {
        for (const HmpCommand *c = hmp_info_commands; c->name; c++) {
            monitor_printf(mon, "info %s%s%s -- %s\n", c->name,
                           *c->params ? " " : "", c->params, c->help);
        }
        g_free(item);
        return;
    }
    for (const HmpCommand *c = hmp_info_commands; c->name; c++) {
        if (!strcmp(c->name, item)) {
            c->fn(mon, rest);
            g_free(item);
            return;
        }
    }
    monitor_printf(mon, "unknown info command: '%s' (info lists them)\n",
                   item);
    g_free(item);
}

static void hmp_help(Monitor *mon, const char *args)
{
    if (!strcmp(args, "info")) {
        hmp_info(mon, "");
        return;
    }
    for (const HmpCommand *c = hmp_commands; c->name; c++) {
        monitor_printf(mon, "%s%s%s -- %s\n", c->name, *c->params ? " " : "",
                       c->params, c->help);
    }
}

const HmpCommand hmp_commands[] = {
    { "help|?", "[cmd]", "show the help", hmp_help },
    { "info", "[subcommand]", "show various information about the system "
      "state", hmp_info },
    { "stop|s", "", "stop emulation", hmp_stop },
    { "cont|c", "", "resume emulation", hmp_cont },
    { "system_reset", "", "reset the system", hmp_system_reset },
    { "system_powerdown", "", "send system power down event (ACPI power "
      "button)", hmp_system_powerdown },
    { "quit|q", "", "quit the emulator", hmp_quit },
    { "screendump", "filename [-f ppm|png]", "save screen to a file",
      hmp_screendump },
    { "sendkey", "keys [hold_ms]", "send keys to the VM (e.g. 'sendkey "
      "ctrl-alt-delete', default hold time 100 ms)", hmp_sendkey },
    { "x", "/fmt addr", "virtual memory dump starting at 'addr' (pcemu: "
      "no MMU walk yet, virtual is physical)", hmp_x },
    { "xp", "/fmt addr", "physical memory dump starting at 'addr'",
      hmp_xp },
    { NULL },
};
