#!/usr/bin/env python3
"""pcemu-img against Debian's qemu-img, the oracle.

- images pcemu-img creates, converts (also compressed), resizes and
  snapshots pass "qemu-img check" with no errors and hold the same data;
- images qemu-img makes (compat 0.10 and 1.1, compressed clusters,
  backing files, internal snapshots) read back through pcemu's block
  layer byte for byte as "qemu-img convert -O raw" gives them;
- "pcemu-img info/check --output=json" match qemu-img's for the fields
  both have; check's exit codes (0 clean, 2 corrupt, 3 leaks, 63 no
  check) and repairs;
- broken images are refused with one line on stderr and exit status 1.

Exit 77 (skipped) without qemu-img or qemu-io.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile

BUILD = os.environ.get("PCEMU_BUILD_ROOT",
                       os.path.join(os.path.dirname(__file__), "../../build"))
PIMG = os.path.join(BUILD, "pcemu-img")
failures = []


def run(*args, check=True, env=None):
    p = subprocess.run(list(args), capture_output=True, text=True, env=env)
    if check and p.returncode != 0:
        raise SystemExit("FAIL: %s -> %d\n%s%s" % (" ".join(args),
                                                  p.returncode, p.stdout,
                                                  p.stderr))
    return p


def expect(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def qcheck(path, what):
    p = run("qemu-img", "check", path, check=False)
    expect(p.returncode == 0, "qemu-img check clean: " + what +
           ("" if p.returncode == 0 else "\n" + p.stdout + p.stderr))


def raw_of(tool, path, out):
    if tool == "qemu":
        run("qemu-img", "convert", "-O", "raw", path, out)
    else:
        run(PIMG, "convert", "-O", "raw", path, out)
    with open(out, "rb") as f:
        return f.read()


def same_data(path, what):
    d = os.path.dirname(path)
    a = raw_of("qemu", path, os.path.join(d, "q.raw"))
    b = raw_of("pcemu", path, os.path.join(d, "p.raw"))
    expect(a == b, "same data through pcemu as through qemu: " + what)


def qemu_io(path, *cmds, fmt=None):
    args = ["qemu-io"]
    if fmt:
        args += ["-f", fmt]
    for c in cmds:
        args += ["-c", c]
    run(*(args + [path]))


def info_json(tool, path):
    exe = "qemu-img" if tool == "qemu" else PIMG
    return json.loads(run(exe, "info", "--output=json", path).stdout)


def compare_info(path, what):
    q = info_json("qemu", path)
    p = info_json("pcemu", path)
    keys = ["virtual-size", "format", "cluster-size", "dirty-flag",
            "backing-filename", "backing-filename-format",
            "full-backing-filename", "format-specific"]
    diff = [k for k in keys if q.get(k) != p.get(k)]
    qs = [(s["id"], s["name"]) for s in q.get("snapshots", [])]
    ps = [(s["id"], s["name"]) for s in p.get("snapshots", [])]
    if qs != ps:
        diff.append("snapshots")
    expect(not diff, "info --output=json matches qemu-img (%s)%s" %
           (what, "" if not diff else ": differs in " + ", ".join(diff) +
            "\nqemu: %s\npcemu: %s" % (q, p)))


def pattern_writes(path, fmt=None):
    qemu_io(path, "write -P 0x11 0 100k", "write -P 0x22 300k 5k",
            "write -P 0x33 1m 64k", "write -z 1040k 8k",
            "write -P 0x44 2096640 512", fmt=fmt)


def main():
    for tool in ("qemu-img", "qemu-io"):
        if not shutil.which(tool):
            print("SKIP: no " + tool)
            return 77
    d = tempfile.mkdtemp(prefix="pcemu-img-test-")
    try:
        return tests(d)
    finally:
        shutil.rmtree(d)


def tests(d):
    j = lambda n: os.path.join(d, n)

    # --- pcemu-img create, then qemu writes, both agree ---
    for compat, cs in (("1.1", "64k"), ("0.10", "4k"), ("1.1", "512")):
        img = j("c-%s-%s.qcow2" % (compat, cs))
        run(PIMG, "create", "-q", "-f", "qcow2", "-o",
            "compat=%s,cluster_size=%s" % (compat, cs), img, "2M")
        qcheck(img, "created compat=%s cluster_size=%s" % (compat, cs))
        compare_info(img, "created compat=%s cluster_size=%s" % (compat, cs))
        pattern_writes(img)
        same_data(img, "qemu-io writes into a pcemu-img image, " + compat)

    # --- images qemu-img makes ---
    src = j("src.raw")
    with open(src, "wb") as f:
        for i in range(3 * 256):
            blk = bytes([i % 251]) * 2048 + os.urandom(1024) + b"\0" * 1024
            f.write(blk)
    for compat in ("0.10", "1.1"):
        img = j("q-%s.qcow2" % compat)
        run("qemu-img", "convert", "-O", "qcow2", "-o", "compat=" + compat,
            src, img)
        pattern_writes(img)
        same_data(img, "qemu-img image compat=" + compat)
        compare_info(img, "qemu-img image compat=" + compat)
        zimg = j("z-%s.qcow2" % compat)
        run("qemu-img", "convert", "-c", "-O", "qcow2", "-o",
            "compat=" + compat, src, zimg)
        same_data(zimg, "compressed clusters from qemu-img, compat=" + compat)

    # backing chain of both formats, relative names
    os.mkdir(j("sub"))
    run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "../src.raw", "-F",
        "raw", j("sub/mid.qcow2"))
    qemu_io(j("sub/mid.qcow2"), "write -P 0x55 64k 100k")
    run("qemu-img", "create", "-q", "-f", "qcow2", "-b", "mid.qcow2", "-F",
        "qcow2", j("sub/top.qcow2"))
    qemu_io(j("sub/top.qcow2"), "write -P 0x66 100k 3k")
    same_data(j("sub/top.qcow2"), "backing chain qcow2 -> qcow2 -> raw")
    compare_info(j("sub/top.qcow2"), "image with a backing file")

    # internal snapshots made by qemu-img, listed and applied by pcemu-img
    img = j("snap.qcow2")
    run("qemu-img", "create", "-q", "-f", "qcow2", img, "1M")
    qemu_io(img, "write -P 0x77 0 200k")
    run("qemu-img", "snapshot", "-c", "before", img)
    before = raw_of("qemu", img, j("before.raw"))
    qemu_io(img, "write -P 0x78 100k 200k")
    compare_info(img, "image with a snapshot")
    out = run(PIMG, "snapshot", "-l", img).stdout
    qout = run("qemu-img", "snapshot", "-l", img).stdout
    expect(out == qout, "snapshot -l output as qemu-img's")
    run(PIMG, "snapshot", "-a", "before", img)
    qcheck(img, "after pcemu-img snapshot -a")
    expect(raw_of("qemu", img, j("after.raw")) == before,
           "snapshot -a restores the snapshot's data")
    run(PIMG, "snapshot", "-c", "second", img)
    qemu_io(img, "write -P 0x79 0 64k")
    qcheck(img, "after pcemu-img snapshot -c and a write")
    run(PIMG, "snapshot", "-d", "before", img)
    qcheck(img, "after pcemu-img snapshot -d")
    run("qemu-img", "snapshot", "-a", "second", img)
    expect(raw_of("qemu", img, j("second.raw")) == before,
           "a pcemu-img snapshot applied by qemu-img has the data")
    p = run(PIMG, "snapshot", "-a", "nosuch", img, check=False)
    expect(p.returncode == 1, "snapshot -a of a missing snapshot: exit 1")

    # --- pcemu-img convert, plain and compressed ---
    for opts in (["-O", "qcow2"], ["-c", "-O", "qcow2"],
                 ["-O", "qcow2", "-o", "compat=0.10"], ["-O", "raw"]):
        out = j("conv.img")
        run(PIMG, "convert", *(opts + [j("sub/top.qcow2"), out]))
        if "qcow2" in opts:
            qcheck(out, "pcemu-img convert " + " ".join(opts))
        cmp = run("qemu-img", "compare", j("sub/top.qcow2"), out, check=False)
        expect(cmp.returncode == 0, "convert %s keeps the data" %
               " ".join(opts))
    p = run(PIMG, "convert", "-p", "-O", "qcow2", src, j("p.qcow2"))
    expect("(100.00/100%)" in p.stdout, "convert -p shows progress")

    # --- resize ---
    img = j("grow.qcow2")
    run(PIMG, "create", "-q", "-f", "qcow2", img, "1M")
    qemu_io(img, "write -P 0x12 0 1M")
    p = run(PIMG, "resize", img, "+3M")
    expect(p.stdout.strip() == "Image resized.", "resize output")
    qcheck(img, "after resize")
    expect(info_json("qemu", img)["virtual-size"] == 4 << 20,
           "resize +3M gives 4 MiB")
    p = run(PIMG, "resize", img, "1M", check=False)
    expect(p.returncode == 1, "shrinking without --shrink: exit 1")

    # --- check: output, exit codes, repair ---
    img = j("chk.qcow2")
    run("qemu-img", "create", "-q", "-f", "qcow2", img, "1M")
    qemu_io(img, "write -P 1 0 128k")
    q = json.loads(run("qemu-img", "check", "--output=json", img).stdout)
    p = json.loads(run(PIMG, "check", "--output=json", img).stdout)
    keys = ["image-end-offset", "total-clusters", "check-errors",
            "allocated-clusters", "fragmented-clusters", "compressed-clusters",
            "leaks", "corruptions", "format"]
    diff = [k for k in keys if q.get(k) != p.get(k)]
    expect(not diff, "check --output=json matches qemu-img: %s" % diff)
    # A leak: a refcount of 1 for a cluster past the image end.
    with open(img, "r+b") as f:
        hdr = f.read(104)
        cluster_bits = struct.unpack(">I", hdr[20:24])[0]
        rt_off = struct.unpack(">Q", hdr[48:56])[0]
        f.seek(rt_off)
        rb_off = struct.unpack(">Q", f.read(8))[0]
        end = os.path.getsize(img) >> cluster_bits
        f.seek(rb_off + 2 * end)
        f.write(struct.pack(">H", 1))
        f.seek((end + 1) << cluster_bits)
        f.write(b"\0" * 512)        # the leaked cluster exists in the file
    p = run(PIMG, "check", img, check=False)
    expect(p.returncode == 3, "check of a leaking image exits 3 (got %d)" %
           p.returncode)
    p = run(PIMG, "check", "-r", "leaks", img, check=False)
    expect(p.returncode == 0, "check -r leaks repairs (got %d)" %
           p.returncode)
    qcheck(img, "after pcemu-img check -r leaks")
    # A corruption: a data cluster's refcount set to 0.
    with open(img, "r+b") as f:
        f.seek(rb_off + 2 * (end - 1))
        f.write(struct.pack(">H", 0))
    p = run(PIMG, "check", img, check=False)
    expect(p.returncode == 2, "check of a corrupt image exits 2 (got %d)" %
           p.returncode)
    p = run(PIMG, "check", "-r", "all", img, check=False)
    expect(p.returncode == 0, "check -r all repairs (got %d)" % p.returncode)
    qcheck(img, "after pcemu-img check -r all")
    p = run(PIMG, "check", src, check=False)
    expect(p.returncode == 63, "check of a raw image exits 63")

    # --- broken images: one line, exit 1 ---
    good = j("good.qcow2")
    run(PIMG, "create", "-q", "-f", "qcow2", good, "1M")
    with open(good, "rb") as f:
        img = bytearray(f.read())
    cases = {
        "truncated": img[:40],
        "huge L1": img[:36] + struct.pack(">I", 0x40000000) + img[40:],
        "L1 past EOF": img[:40] + struct.pack(">Q", 1 << 40) + img[48:],
        "refcount table past EOF": img[:48] + struct.pack(">Q", 1 << 40) +
                                   img[56:],
        "unknown feature": img[:72] + struct.pack(">Q", 1 << 60) + img[80:],
    }
    for name, data in cases.items():
        bad = j("bad.qcow2")
        with open(bad, "wb") as f:
            f.write(data)
        p = run(PIMG, "info", "-f", "qcow2", bad, check=False)
        lines = p.stderr.strip().split("\n")
        expect(p.returncode == 1 and len(lines) == 1 and bad in lines[0],
               "refused with one line: %s: %s" % (name, p.stderr.strip()))

    # --- locking against QEMU's ---
    img = j("lock.qcow2")
    run(PIMG, "create", "-q", "-f", "qcow2", img, "1M")
    holder = subprocess.Popen(["qemu-io", img], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True)
    try:
        # Its prompt comes once the image is open (probing earlier would
        # race it for the lock).
        import select
        select.select([holder.stdout], [], [], 10)
        p = run(PIMG, "info", img, check=False)
        expect(p.returncode == 1 and "lock" in p.stderr,
               "an image a QEMU process writes is refused")
        p = run(PIMG, "info", "-U", img, check=False)
        expect(p.returncode == 0, "info -U (force share) reads it anyway")
    finally:
        out, err = holder.communicate("quit\n")
        if err:
            print("qemu-io: " + err)

    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
