#!/usr/bin/env python3
"""SB16 playback cost, pcemu side by side with QEMU.

Part 1, both emulators, alternating runs: a tiny real-mode guest
(bench/sb16-play.S, built here with the tests/guest helpers) plays
SECONDS seconds of 16-bit stereo at 44100 Hz through the SB16 in
auto-init mode, halting between block interrupts, then exits through
isa-debug-exit:

    BINARY -M pc -m 16 -nodefaults -display none -accel kvm -no-reboot \\
           -bios sb16-play.bin -device isa-debug-exit,iobase=0xf4,iosize=4 \\
           -audiodev wav,id=snd0,path=TMP.wav -device sb16,audiodev=snd0

Per run: wall time, host CPU (user + system, wait4) per second of guest
audio, and the WAV's frames against SECONDS * 44100.

Part 2, pcemu only (Debian's QEMU has no qtest accelerator): under
`-accel qtest -qtest stdio` the same playback is started and the virtual
clock advanced 1 ms at a time until the WAV file holds data: the added
latency from the guest's DMA to the back end, in virtual time.

Figures only: nothing here passes or fails. See bench/README.md.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RATE = 44100
BUF = 0x100000          # 1 MiB: page 0x10, word address 0
BUF_WORDS = 0x8000      # 64 KiB
BLOCK = 0x2000          # samples per SB16 block (words)


class QTest:
    def __init__(self, binary, wav):
        self.proc = subprocess.Popen(
            [binary, "-M", "pc", "-accel", "qtest", "-qtest", "stdio",
             "-display", "none", "-net", "none",
             "-audiodev", "wav,id=snd0,path=" + wav,
             "-device", "sb16,audiodev=snd0"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, text=True, bufsize=1)

    def cmd(self, line):
        self.proc.stdin.write(line + "\n")
        while True:
            reply = self.proc.stdout.readline()
            if not reply:
                raise RuntimeError("emulator exited")
            if not reply.startswith("IRQ"):
                return reply.strip()

    def outb(self, port, val):
        self.cmd("outb 0x%x 0x%x" % (port, val & 0xff))

    def cpu_s(self):
        with open("/proc/%d/stat" % self.proc.pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def quit(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def wav_frames(path):
    try:
        size = os.path.getsize(path)
    except OSError:
        return 0
    return max(0, size - 44) // 4


def start_playback(q):
    q.cmd("memset 0x%x 0x%x 0x55" % (BUF, BUF_WORDS * 2))
    q.outb(0x226, 1)
    q.outb(0x226, 0)
    q.cmd("inb 0x22a")
    q.outb(0xd4, 0x05)                   # mask channel 5
    q.outb(0xd8, 0)                      # flip-flop
    q.outb(0xd6, 0x59)                   # single, read, auto-init, ch 5
    q.outb(0xc4, 0)
    q.outb(0xc4, 0)
    q.outb(0x8b, BUF >> 16)
    q.outb(0xc6, (BUF_WORDS - 1) & 0xff)
    q.outb(0xc6, (BUF_WORDS - 1) >> 8)
    q.outb(0xd4, 0x01)                   # unmask channel 5
    q.outb(0xd4, 0x00)                   # and the cascade
    for v in (0x41, RATE >> 8, RATE & 0xff, 0xb6, 0x30,
              (BLOCK - 1) & 0xff, (BLOCK - 1) >> 8):
        q.outb(0x22c, v)


def one_run(binary, seconds):
    fd, wav = tempfile.mkstemp(suffix=".wav")
    os.close(fd)
    q = QTest(binary, wav)
    try:
        start_playback(q)
        latency_ms = None
        for ms in range(1, 101):
            q.cmd("clock_step 1000000")
            if wav_frames(wav) > 0:
                latency_ms = ms
                break
        stepped = latency_ms or 100
        cpu0 = q.cpu_s()
        for _ in range(int(seconds * 100) - stepped // 10):
            q.cmd("clock_step 10000000")
            # acknowledge the 16-bit interrupt as a driver would
            q.cmd("inb 0x22f")
        cpu1 = q.cpu_s()
    finally:
        q.quit()
    frames = wav_frames(wav)
    os.unlink(wav)
    return {"cpu_ms_per_s": (cpu1 - cpu0) * 1000 / seconds,
            "frames": frames, "ratio": frames / (seconds * RATE),
            "latency_ms": latency_ms}


def build_guest(tmp, seconds):
    guest = os.path.join(ROOT, "tests", "guest")
    objs = []
    for src in (os.path.join(guest, "reset.S"), os.path.join(guest, "lib16.S"),
                os.path.join(ROOT, "bench", "sb16-play.S")):
        obj = os.path.join(tmp, os.path.basename(src) + ".o")
        subprocess.run(["cc", "-m32", "-c", "-I", guest,
                        "-DSECONDS=%d" % seconds, src, "-o", obj],
                       check=True)
        objs.append(obj)
    elf = os.path.join(tmp, "sb16-play.elf")
    img = os.path.join(tmp, "sb16-play.bin")
    subprocess.run(["ld", "-m", "elf_i386", "--build-id=none", "-T",
                    os.path.join(guest, "guest.ld"), "-o", elf] + objs,
                   check=True)
    subprocess.run(["objcopy", "-O", "binary", elf, img], check=True)
    return img


def guest_run(binary, img, seconds, accel, timeout):
    fd, wav = tempfile.mkstemp(suffix=".wav")
    os.close(fd)
    cmd = [binary, "-M", "pc", "-m", "16", "-nodefaults", "-display", "none",
           "-accel", accel, "-no-reboot", "-bios", img,
           "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
           "-audiodev", "wav,id=snd0,path=" + wav,
           "-device", "sb16,audiodev=snd0"]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    status = None
    while time.monotonic() - start < timeout:
        pid, st, ru = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            status = os.waitstatus_to_exitcode(st)
            break
        time.sleep(0.05)
    wall = time.monotonic() - start
    if status is None:
        proc.kill()
        pid, st, ru = os.wait4(proc.pid, 0)
    frames = wav_frames(wav)
    os.unlink(wav)
    if status != (0x10 << 1 | 1):
        raise RuntimeError("exit status %s" % status)
    return {"wall_s": wall,
            "cpu_ms_per_s": (ru.ru_utime + ru.ru_stime) * 1000 / seconds,
            "frames": frames, "ratio": frames / (seconds * RATE)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=3, help="runs each")
    ap.add_argument("--seconds", type=int, default=10,
                    help="seconds of guest audio per run")
    ap.add_argument("--accel", default="kvm", help="kvm or tcg")
    ap.add_argument("--timeout", type=float, default=300.0)
    ap.add_argument("--pcemu", default=os.path.join(ROOT, "build", "pcemu"))
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--only", choices=["pcemu", "qemu"])
    args = ap.parse_args()

    emus = [("pcemu", args.pcemu), ("qemu", args.qemu)]
    if args.only:
        emus = [e for e in emus if e[0] == args.only]
    results = {name: [] for name, _ in emus}
    with tempfile.TemporaryDirectory() as tmp:
        img = build_guest(tmp, args.seconds)
        print("guest: %d s of 44100 Hz 16-bit stereo, -accel %s"
              % (args.seconds, args.accel))
        print("run  emu       wall s  CPU ms/s audio  WAV frames  ratio")
        for i in range(args.n):
            for name, binary in emus:
                try:
                    r = guest_run(binary, img, args.seconds, args.accel,
                                  args.timeout)
                except (OSError, RuntimeError) as e:
                    print("%-4d %-7s FAILED (%s)" % (i + 1, name, e))
                    continue
                results[name].append(r)
                print("%-4d %-7s %8.2f %15.2f %11d  %.3f" % (
                    i + 1, name, r["wall_s"], r["cpu_ms_per_s"],
                    r["frames"], r["ratio"]))
    if not args.only or args.only == "pcemu":
        try:
            r = one_run(args.pcemu, 1)
            print("pcemu qtest: first WAV data %s ms of virtual time after "
                  "the DSP command; %d frames for 1 s (ratio %.3f)" % (
                      r["latency_ms"] or ">100", r["frames"], r["ratio"]))
        except (OSError, RuntimeError) as e:
            print("pcemu qtest: FAILED (%s)" % e)
    print("medians:")
    med = {}
    for name, rs in results.items():
        if not rs:
            continue
        med[name] = statistics.median(r["cpu_ms_per_s"] for r in rs)
        print("  %-6s CPU %.2f ms per second of audio (%d runs)" %
              (name, med[name], len(rs)))
    if "pcemu" in med and "qemu" in med and med["qemu"] > 0:
        print("ratio pcemu/QEMU CPU: %.2f" % (med["pcemu"] / med["qemu"]))
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
