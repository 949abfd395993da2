"""A minimal QMP client using only the JSON protocol (no QEMU python
package: Debian 12 does not ship one), and helpers that start pcemu (or
QEMU, for comparison) with a QMP socket. Shared by the tests here."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time

PCEMU = os.environ.get("PCEMU_BINARY", "build/pcemu")


class QMPError(Exception):
    pass


class QMP:
    def __init__(self, path, timeout=10):
        deadline = time.time() + timeout
        self.events = []
        while True:
            # A server has one client at a time: right after the previous
            # client left, a new one may be turned away (EOF); retry.
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.buf = b""
            try:
                self.sock.connect(path)
                self.greeting = self.recv()
                break
            except (FileNotFoundError, ConnectionRefusedError, EOFError,
                    ConnectionResetError):
                self.sock.close()
                if time.time() > deadline:
                    raise
                time.sleep(0.02)

    def send_raw(self, data):
        self.sock.sendall(data)

    def recv_line(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("QMP connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line

    def recv(self):
        return json.loads(self.recv_line())

    def reply(self):
        """The next non-event message; events are kept in self.events."""
        while True:
            msg = self.recv()
            if "event" in msg:
                self.events.append(msg)
                continue
            return msg

    def cmd_raw(self, name, args=None, id=None):
        req = {"execute": name}
        if args is not None:
            req["arguments"] = args
        if id is not None:
            req["id"] = id
        self.send_raw(json.dumps(req).encode() + b"\n")
        return self.reply()

    def cmd(self, name, **args):
        r = self.cmd_raw(name, args or None)
        if "error" in r:
            raise QMPError(f"{name}: {r['error']}")
        return r["return"]

    def negotiate(self):
        return self.cmd("qmp_capabilities")

    def wait_event(self, name, timeout=10):
        deadline = time.time() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e["event"] == name:
                    return self.events.pop(i)
            self.sock.settimeout(max(0.01, deadline - time.time()))
            try:
                msg = self.recv()
            except socket.timeout:
                raise TimeoutError(f"no {name} event")
            finally:
                self.sock.settimeout(10)
            if "event" in msg:
                self.events.append(msg)

    def close(self):
        self.sock.close()


class QTest:
    """Just enough of the qtest protocol to poke ports."""

    def __init__(self, sock):
        self.f = sock.makefile("rwb")

    def cmd(self, line):
        self.f.write(line.encode() + b"\n")
        self.f.flush()
        while True:
            reply = self.f.readline().decode().strip()
            if not reply.startswith("IRQ"):
                break
        if not reply.startswith("OK"):
            raise RuntimeError(f"qtest {line!r}: {reply!r}")
        return reply

    def inb(self, port):
        return int(self.cmd(f"inb {port:#x}").split()[1], 16)

    def inw(self, port):
        return int(self.cmd(f"inw {port:#x}").split()[1], 16)

    def outb(self, port, v):
        self.cmd(f"outb {port:#x} {v:#x}")

    def outw(self, port, v):
        self.cmd(f"outw {port:#x} {v:#x}")

    def outl(self, port, v):
        self.cmd(f"outl {port:#x} {v:#x}")

    def pci_writel(self, devfn, reg, v):
        self.outl(0xcf8, 0x80000000 | devfn << 8 | reg)
        self.outl(0xcfc, v)

    def pci_writeb(self, devfn, reg, v):
        self.outl(0xcf8, 0x80000000 | devfn << 8 | (reg & ~3))
        self.outb(0xcfc + (reg & 3), v)


class VM:
    """pcemu (or another binary) with a QMP socket in a private dir."""

    def __init__(self, args=(), binary=None, qemu=False, stdin=None,
                 qtest=False):
        self.dir = tempfile.mkdtemp(prefix="pcemu-mon-")
        self.sock = os.path.join(self.dir, "qmp.sock")
        self.qtest = None
        args = list(args)
        if qtest:
            # pcemu connects to the test's socket (docs/qtest-protocol.md).
            qpath = os.path.join(self.dir, "qtest.sock")
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(qpath)
            listener.listen(1)
            listener.settimeout(10)
            args += ["-qtest", f"unix:{qpath}"]
        binary = binary or PCEMU
        argv = [binary, "-display", "none",
                "-qmp", f"unix:{self.sock},server=on,wait=off"]
        if qemu:
            # Debian's QEMU has no qtest accelerator: TCG runs SeaBIOS.
            argv += ["-M", "pc", "-accel", "tcg", "-nodefaults"]
        else:
            argv += ["-accel", "qtest", "-serial", "null"]
        self.proc = subprocess.Popen(argv + list(args),
                                     stdin=stdin or subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.qmp = None
        try:
            if qtest:
                conn, _ = listener.accept()
                listener.close()
                self.qtest = QTest(conn)
            self.qmp = QMP(self.sock)
        except Exception:
            self.kill()
            raise

    def wait(self, timeout=10):
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.proc.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        out, err = self.proc.communicate()
        shutil.rmtree(self.dir, ignore_errors=True)
        return self.proc.returncode, err.decode(errors="replace")


class Checker:
    def __init__(self):
        self.failures = 0
        self.count = 0

    def check(self, cond, what):
        self.count += 1
        print(f"{'ok  ' if cond else 'FAIL'} {what}", flush=True)
        if not cond:
            self.failures += 1
        return cond

    def eq(self, got, want, what):
        ok = got == want
        self.check(ok, what if ok else f"{what}: got {got!r}, want {want!r}")
        return ok

    def done(self):
        print(f"{self.count - self.failures}/{self.count} checks passed")
        raise SystemExit(1 if self.failures else 0)
