#!/usr/bin/env python3
"""SeaBIOS boot to "No bootable device", pcemu side by side with QEMU.

Runs both emulators alternately (pcemu, QEMU, pcemu, ...), N runs each, on
the same command line and firmware:

    BINARY -M pc -m 128 -nographic -net none -accel kvm -no-reboot \\
           -bios /usr/share/seabios/bios-256k.bin

and for each run measures the wall time from starting the process to
"No bootable device" on the serial console, the process's peak resident
set (VmHWM in /proc/PID/status, read just before it is killed) and its
CPU time (user + system, from wait4). Prints every run, the medians and
the ratios pcemu / QEMU (below 1.0: pcemu is faster or smaller).

Figures only: nothing here passes or fails on a time. See bench/README.md.
"""

import argparse
import csv
import os
import platform
import re
import select
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

DONE = b"No bootable device"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def read_vmhwm_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def one_run(binary, emu_args, timeout):
    """Returns a dict: ok, wall_s, rss_kib, cpu_s, note."""
    cmd = [binary] + emu_args
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    fd = proc.stdout.fileno()
    seen = bytearray()
    wall = None
    note = ""
    while True:
        left = start + timeout - time.monotonic()
        if left <= 0:
            note = "no \"%s\" after %g s" % (DONE.decode(), timeout)
            break
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            note = "exited before \"%s\"" % DONE.decode()
            break
        seen += chunk
        if DONE in seen:
            wall = time.monotonic() - start
            break
        del seen[:-len(DONE)]           # keep only what could still match
    rss = read_vmhwm_kib(proc.pid)
    usage = reap(proc)
    proc.stdout.close()
    cpu = usage.ru_utime + usage.ru_stime if usage else None
    if rss is None and usage:
        rss = usage.ru_maxrss           # KiB on Linux
    return {"ok": wall is not None, "wall_s": wall, "rss_kib": rss,
            "cpu_s": cpu, "note": note}


# What SeaBIOS's debug log says about the machine it found, so a reader
# can tell whether the two runs booted comparable machines.
INVENTORY = [
    ("PCI devices", rb"Found (\d+) PCI devices"),
    ("CPUs", rb"Found (\d+) cpu\(s\)"),
    ("VGA BIOS", rb"(Start SeaVGABIOS|No VGA found)"),
    ("ATA controllers", rb"ATA controller (\d)"),
    ("lpt ports", rb"Found (\d+) lpt ports"),
    ("serial ports", rb"Found (\d+) serial ports"),
    ("PS/2 keyboard", rb"PS2 keyboard (initialized)"),
    ("option ROMs at", rb"Running option rom at ([0-9a-f:]+)"),
]


def inventory(binary, emu_args, timeout):
    """One untimed run with SeaBIOS's debug console (port 0x402) in a
    file; returns {item: "value, value"}."""
    with tempfile.TemporaryDirectory(prefix="pcemu-bench-") as tmp:
        log = os.path.join(tmp, "seabios.log")
        args = emu_args + ["-chardev", "file,id=seabioslog,path=" + log,
                           "-device",
                           "isa-debugcon,iobase=0x402,chardev=seabioslog"]
        one_run(binary, args, timeout)
        try:
            with open(log, "rb") as f:
                text = f.read()
        except OSError:
            text = b""
    found = {}
    for item, rx in INVENTORY:
        vals = [m.decode("latin-1") for m in re.findall(rx, text)]
        found[item] = ", ".join(vals) if vals else "-"
    return found


def reap(proc):
    """SIGTERM (SIGKILL after 10 s) and wait; returns the rusage."""
    proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 10
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = status
            return usage
        if time.monotonic() > deadline:
            proc.kill()
            deadline = float("inf")
        time.sleep(0.05)


def version_of(binary):
    try:
        out = subprocess.run([binary, "--version"], capture_output=True,
                             text=True, timeout=10).stdout
        return out.splitlines()[0] if out else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def kvm_kind():
    have = lambda m: os.path.isdir("/sys/module/" + m)
    for m, what in (("kvm_intel", "VT-x"), ("kvm_amd", "AMD-V"),
                    ("kvm_pvm", "no VT-x: kvm_pvm emulates ring 0")):
        if have(m):
            return "%s (%s)" % (m, what)
    return "unknown"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def fmt(v, spec):
    return format(v, spec) if v is not None else "-"


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    ap.add_argument("-n", "--runs", type=int, default=5,
                    help="runs of each emulator (default 5)")
    ap.add_argument("--pcemu", default=os.environ.get("PCEMU_BINARY")
                    or os.path.join(ROOT, "build", "pcemu"),
                    help="pcemu binary (default $PCEMU_BINARY or build/pcemu)")
    ap.add_argument("--qemu", default="qemu-system-x86_64",
                    help="QEMU binary (default qemu-system-x86_64)")
    ap.add_argument("--only", choices=["pcemu", "qemu"],
                    help="run just one of them")
    ap.add_argument("--bios", default="/usr/share/seabios/bios-256k.bin")
    ap.add_argument("-m", "--memory", default="128")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--accel", default="kvm")
    ap.add_argument("--timeout", type=float, default=300.0,
                    help="seconds before a run counts as failed")
    ap.add_argument("--no-inventory", action="store_true",
                    help="skip the extra run that lists what SeaBIOS found")
    ap.add_argument("--csv", help="also write every run to this CSV file")
    args = ap.parse_args()

    emu_args = ["-M", "pc", "-m", args.memory, "-nographic", "-net", "none",
                "-accel", args.accel, "-no-reboot", "-bios", args.bios]
    if args.smp != 1:
        emu_args += ["-smp", str(args.smp)]
    emus = [("pcemu", args.pcemu), ("qemu", args.qemu)]
    if args.only:
        emus = [e for e in emus if e[0] == args.only]
    for name, binary in emus:
        if not shutil.which(binary):
            sys.exit("%s: %s is not an executable (build it, or pass --%s)"
                     % (name, binary, name))

    print("host:    %s, %d CPUs, Linux %s, KVM %s"
          % (cpu_model(), os.cpu_count(), platform.release(), kvm_kind()))
    for name, binary in emus:
        print("%-8s %s: %s" % (name + ":", binary, version_of(binary)))
    print("command: BINARY " + " ".join(emu_args))
    print("runs:    %d each, alternating\n" % args.runs)

    rows = []
    print("%-4s %-6s %9s %12s %9s" % ("run", "emu", "wall s", "peak RSS MiB",
                                      "CPU s"))
    for i in range(1, args.runs + 1):
        for name, binary in emus:
            r = one_run(binary, emu_args, args.timeout)
            r.update(run=i, emu=name)
            rows.append(r)
            rss_mib = r["rss_kib"] / 1024 if r["rss_kib"] else None
            print("%-4d %-6s %9s %12s %9s %s" % (
                i, name, fmt(r["wall_s"], ".2f"), fmt(rss_mib, ".1f"),
                fmt(r["cpu_s"], ".2f"), "FAILED: " + r["note"]
                if not r["ok"] else ""), flush=True)

    medians = {}
    print("\nmedians over successful runs:")
    for name, _ in emus:
        ok = [r for r in rows if r["emu"] == name and r["ok"]]
        if not ok:
            print("  %-6s no successful run" % name)
            continue
        m = {k: statistics.median(r[k] for r in ok if r[k] is not None)
             for k in ("wall_s", "rss_kib", "cpu_s")}
        medians[name] = m
        print("  %-6s wall %.2f s, peak RSS %.1f MiB, CPU %.2f s (%d/%d runs)"
              % (name, m["wall_s"], m["rss_kib"] / 1024, m["cpu_s"],
                 len(ok), args.runs))
    if len(medians) == 2:
        p, q = medians["pcemu"], medians["qemu"]
        print("ratios pcemu/QEMU: wall %.2f, peak RSS %.2f, CPU %.2f"
              % (p["wall_s"] / q["wall_s"], p["rss_kib"] / q["rss_kib"],
                 p["cpu_s"] / q["cpu_s"]))

    if not args.no_inventory:
        print("\nthe machine SeaBIOS found (one extra run each, with its "
              "debug log):")
        found = {name: inventory(binary, emu_args, args.timeout)
                 for name, binary in emus}
        print("  %-16s " % "" + "".join("%-28s" % n for n, _ in emus))
        for item, _ in INVENTORY:
            print("  %-16s " % item +
                  "".join("%-28s" % found[n][item][:27] for n, _ in emus))

    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["run", "emu", "ok", "wall_s",
                                              "rss_kib", "cpu_s", "note"])
            w.writeheader()
            w.writerows(rows)
    return 0 if all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
