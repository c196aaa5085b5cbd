#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Regenerate the seed inputs in tests/fuzz/corpus/NAME/seed-* (docs/fuzzing.md).

Seeds are real inputs of each parser, made with the CLI itself (build/lugate) from the test
vectors and examples, cut from the first 64 KiB of real Debian kernels
(scripts/debian-kernel.sh), or built here byte by byte where no tool writes that format
(a minimal PE/UKI, ELF64 with a note, arm64 Image, zboot). Every file stays small; the whole corpus
well under a few MiB. Inputs a campaign found (`make fuzz-merge`) sit beside them, unnamed.

Usage: tests/fuzz/seeds.py [NAME...]  (from the top of the tree, after `make`)
       NAMEs: regenerate only those harnesses' seeds (every generator still runs)
"""
import bz2
import glob
import gzip
import json
import lzma
import os
import shutil
import struct
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LUGATE = os.path.join(TOP, os.environ.get("BUILD", "build"), "lugate")
CORPUS = os.path.join(TOP, "tests/fuzz/corpus")
KERNELS = ["6.1.0-55-amd64", "6.1.0-56-amd64"]
TMP = None  # made by main(); the image builders below are also imported by tests/failclosed/
ONLY = None  # main(): the harnesses whose seeds are written (None: all)


def lugate(*args):
    subprocess.run([LUGATE, *args], check=True, stdout=subprocess.DEVNULL)


def put(harness, name, data):
    if ONLY is not None and harness not in ONLY:
        return
    d = os.path.join(CORPUS, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def tmp(name):
    return os.path.join(TMP, name)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    return path


# ---- tables and manifests, through the CLI -----------------------------------------------

def tables_and_manifests():
    for d in sorted(glob.glob("tests/vectors/*/")):
        name = os.path.basename(d.rstrip("/"))
        lugate("handoff", "build", "--devices", d + "devices.json", "-o", tmp(name + ".table"))
        put("table", "vector-" + name, read(tmp(name + ".table")))
        if os.path.exists(d + "manifest.bin"):  # a binary vector no builder writes: as it is
            put("manifest", "vector-" + name, read(d + "manifest.bin"))
            continue
        lugate("manifest", "build", d + "manifest.json", "-o", tmp(name + ".manifest"))
        put("manifest", "vector-" + name, read(tmp(name + ".manifest")))
        put("devices_json", "vector-" + name, read(d + "devices.json"))
        put("manifest_json", "vector-" + name, read(d + "manifest.json"))
        if os.path.exists(d + "policy.conf"):
            put("policy", "vector-" + name, read(d + "policy.conf"))
    for t in ("target-6.1.0-54", "target-6.1.0-56"):
        lugate("manifest", "build", "examples/%s.json" % t, "-o", tmp(t + ".manifest"))
        put("manifest", "example-" + t, read(tmp(t + ".manifest")))
        put("manifest_json", "example-" + t, read("examples/%s.json" % t))
    lugate("handoff", "build", "--devices", "examples/devices.json", "-o", tmp("example.table"))
    put("table", "example", read(tmp("example.table")))
    put("devices_json", "example", read("examples/devices.json"))
    put("policy", "example", read("examples/policy.conf"))
    # a host of 32 functions on 10 cards, as tests/failclosed builds it
    guids = ["5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "2c3e8a4b-9d71-4f0e-a6b2-1d5c7e9f0a3b",
             "8e41f6a2-0b3c-4d5e-9f10-a2b3c4d5e6f7"]
    devs, card, fn = [], 0, 0
    for i in range(32):
        devs.append({"address": "%04x:%02x:00.%x" % (card // 12, 0x17 + 0x11 * (card % 12), fn),
                     "vendor": "0x%04x" % (0x8086 + card % 3), "device": "0x%04x" % (0x1000 + card),
                     "class": "0x%06x" % (0x020000 + card % 3), "schema": guids[card % 3],
                     "schema_version": 1 + card % 3, "driver": ["mlx5_core", "nvme", ""][card % 3]})
        fn += 1
        if fn > card % 8 or fn == 8:
            fn, card = 0, card + 1
    host = json.dumps({"release": "6.1.0-55-amd64", "compatible": ["kho-v1", "luo-v1", "pci-v3"], "devices": devs})
    lugate("handoff", "build", "--devices", write(tmp("host.json"), host), "-o", tmp("host.table"))
    put("table", "host-32-devices", read(tmp("host.table")))
    empty = write(tmp("empty.json"), '{"release": "6.12.5", "devices": []}')
    lugate("handoff", "build", "--devices", empty, "-o", tmp("empty.table"))
    put("table", "no-devices", read(tmp("empty.table")))
    put("devices_json", "no-devices", read(empty))
    put("devices_json", "from-running", json.dumps({"devices": [
        {"address": "3b:00.0", "schema": guids[0], "schema_version": 2}]}).encode())
    put("devices_json", "escapes", b'{"release":"6.1.0-55-amd64","compatible":["kho-v1"],"devices":[{"address":'
        b'"0000:3B:00.7","vendor":5555,"device":"0x101d","class":"131072","schema":"5F0B1C2D-3E4F-4A5B-8C6D-'
        b'7E8F9A0B1C2D","schema_version":"0xffffffff","driver":"a\\u0062c"}]}')


# ---- releases and policies ------------------------------------------------------------------

def releases_and_policies():
    triples = [
        "6.1.0-55-amd64\n6.1.0-56-amd64\n6.1.0-57-amd64", "6.12.5\n6.12.6\n6.13.0",
        "6.13.0-rc3\n6.13.0-rc4\n6.13.0", "7.3.4+deb13-amd64\n7.3.5+deb13-amd64\n7.4.0+deb13-amd64",
        "6.1.0-0.deb11.17-amd64\n6.1.0-0.deb11.18-amd64\n6.1.0-0.deb11.17-amd64",
        "6.12.5-lu1\n6.12.6-lu1\n6.12.5", "6.12.0-00001-gabcdef\n6.12.0-00002-gabcdef\n6.12.0",
        "4294967295.4294967295.4294967295-4294967295-x\n0.0.0\n4294967295.4294967295.4294967295",
        "6.1.0-56-cloud-amd64\n6.1.0-56-amd64\n6.1.0-55-amd64", "6.12.38+deb13-amd64\n6.12.39-amd64\n6..1",
    ]
    for i, t in enumerate(triples):
        put("release", "triple-%d" % i, t.encode())
    put("policy", "default", b"paths = same stable-next\n")
    put("policy", "crlf-comments", b"# fleet policy\r\npaths=minor-next same\r\n\r\n"
        b"allow 6.12.5->6.12.7 # skipped .6\r\n\tallow  6.1.0-55-amd64  ->  6.1.0-58-amd64\n")
    put("policy", "max-allow-lines", ("paths = same\n" + "".join(
        "allow 6.1.%d -> 6.1.%d\n" % (i, i + 2) for i in range(64))).encode())
    put("policy", "errors", b"paths = same\npaths = stable-next\nallow 6.1.0 -> 6.1.0\nfrobnicate\n")


# ---- kernel images ------------------------------------------------------------------------

def debian_kernels():
    out = []
    for k in KERNELS:
        p = subprocess.run(["scripts/debian-kernel.sh", k], check=True, capture_output=True, text=True).stdout.strip()
        out.append((k, read(p)))
    return out


def shrink_bzimage(img, code_size=1024):
    """A real bzImage's setup code and header, with a short protected-mode part and payload."""
    setup_sects = img[0x1f1] or 4
    code_off = (setup_sects + 1) * 512
    b = bytearray(img[:code_off + code_size])
    payload_off = struct.unpack_from("<I", b, 0x248)[0]
    if payload_off >= code_size:
        payload_off = 0x100
        struct.pack_into("<I", b, 0x248, payload_off)
    struct.pack_into("<I", b, 0x1f4, code_size // 16)                   # syssize
    struct.pack_into("<I", b, 0x24c, code_size - payload_off - 64)      # payload_length
    return bytes(b)


def tiny_bzimage(version="6.1.0-56-amd64", payload=b"\xfd7zXZ\x00" + b"\x00" * 58):
    """A bzImage from scratch: boot protocol 2.15, one setup sector, a 512-byte kernel part."""
    b = bytearray(1024 + 512)
    b[0x1f1] = 1
    struct.pack_into("<I", b, 0x1f4, 512 // 16)
    b[0x1fe:0x200] = b"\x55\xaa"
    b[0x200:0x202] = b"\xeb\x66"                                         # header to 0x268
    b[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", b, 0x206, 0x020f)
    struct.pack_into("<H", b, 0x20e, 0x300 - 0x200)                      # kernel_version
    b[0x211] = 1
    struct.pack_into("<I", b, 0x230, 0x200000)
    b[0x234] = 1
    struct.pack_into("<H", b, 0x236, 0x7f)
    struct.pack_into("<I", b, 0x238, 2047)
    struct.pack_into("<I", b, 0x248, 0x40)
    struct.pack_into("<I", b, 0x24c, len(payload))
    struct.pack_into("<Q", b, 0x258, 0x1000000)
    struct.pack_into("<I", b, 0x260, 0x3f98000)
    v = (version + " (debian-kernel@lists.debian.org) #1 SMP\0").encode()
    b[0x300:0x300 + len(v)] = v
    b[1024 + 0x40:1024 + 0x40 + len(payload)] = payload
    return bytes(b)


def pe_image(sections, opt_room=True):
    """A minimal PE32+ image: MZ, PE header, optional header, section table, section data."""
    headers = 0x400
    hdr = bytearray(headers)
    hdr[0:2] = b"MZ"
    struct.pack_into("<I", hdr, 0x3c, 0x40)
    hdr[0x40:0x44] = b"PE\0\0"
    struct.pack_into("<HHIIIHH", hdr, 0x44, 0x8664, len(sections), 0, 0, 0, 240, 0x0206)
    opt = 0x58
    struct.pack_into("<H", hdr, opt, 0x20b)
    struct.pack_into("<II", hdr, opt + 32, 0x1000, 0x200)                # section, file alignment
    struct.pack_into("<I", hdr, opt + 60, headers)                       # SizeOfHeaders
    struct.pack_into("<I", hdr, opt + 108, 16)                           # NumberOfRvaAndSizes
    table = opt + 240
    data = bytearray()
    va = 0x1000
    for i, (name, content) in enumerate(sections):
        raw = headers + len(data)
        s = table + 40 * i
        hdr[s:s + 8] = name.encode().ljust(8, b"\0")
        struct.pack_into("<IIII", hdr, s + 8, len(content), va, (len(content) + 0x1ff) & ~0x1ff, raw)
        struct.pack_into("<I", hdr, s + 36, 0x40000040)
        data += content + b"\0" * (((len(content) + 0x1ff) & ~0x1ff) - len(content))
        va += (len(content) + 0xfff) & ~0xfff
    struct.pack_into("<I", hdr, opt + 56, va)                            # SizeOfImage
    return bytes(hdr + data)


def elf_image(notes, banner=b"Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) #1 SMP\n", room=0):
    """An ELF64 kernel with one PT_NOTE segment holding the given (name, type, desc) notes, and
    `room` free program header slots after its one program header (where embed adds a note)."""
    body = bytearray()
    for name, ntype, desc in notes:
        n = name.encode() + b"\0"
        body += struct.pack("<III", len(n), len(desc), ntype) + n + b"\0" * (-len(n) % 4) + desc + b"\0" * (-len(desc) % 4)
    ehdr = bytearray(64)
    ehdr[0:16] = b"\x7fELF\x02\x01\x01" + b"\0" * 9
    struct.pack_into("<HHIQQQIHHHHHH", ehdr, 16, 2, 62, 1, 0xffffffff81000000, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    at = 120 + 56 * room
    phdr = struct.pack("<IIQQQQQQ", 4, 4, at, 0, 0, len(body), len(body), 4) + b"\0" * (56 * room)
    return bytes(ehdr + phdr + body + banner)


def arm64_image(banner=b"Linux version 6.1.0-56-arm64 (debian-kernel@lists.debian.org) #1 SMP\n"):
    h = bytearray(64)
    struct.pack_into("<IIQQQ", h, 0, 0xfa405a4d, 0x14000000, 0, 0x2000000, 0xa)
    h[0x38:0x3c] = b"ARM\x64"
    return bytes(h + b"\0" * 64 + banner + b"\0" * 16)


def zboot_image(kernel=None):
    """An EFI zboot image as zboot-header.S lays one out: a PE for arm64 whose DOS header says
    "zimg", the payload's offset and size and "gzip", and the Linux PE magic at 0x38."""
    payload = gzip.compress(kernel or arm64_image(), mtime=0)
    img = bytearray(pe_image([(".data", payload)]))
    struct.pack_into("<H", img, 0x44, 0xaa64)
    img[4:8] = b"zimg"
    struct.pack_into("<II", img, 8, 0x400, len(payload))
    img[0x18:0x1d] = b"gzip\0"
    struct.pack_into("<I", img, 0x38, 0x818223cd)
    return bytes(img)


def embed(image, name, manifest="examples/target-6.1.0-56.json"):
    src = write(tmp(name), image)
    lugate("embed", "--manifest", manifest, src, "-o", tmp(name + ".stamped"))
    return read(tmp(name + ".stamped"))


def images():
    lugate("manifest", "build", "examples/target-6.1.0-56.json", "-o", tmp("m56.bin"))
    manifest = read(tmp("m56.bin"))
    kernels = debian_kernels()
    bz = {}
    for k, img in kernels:
        for h in ("image", "image_bzimage", "image_pe", "embed"):
            put(h, "debian-%s-first-64k" % k, img[:65536])
    shrunk = shrink_bzimage(kernels[1][1])
    tiny = tiny_bzimage()
    bz["shrunk-debian-6.1.0-56"] = shrunk
    bz["tiny"] = tiny
    bz["tiny-gzip"] = tiny_bzimage(payload=gzip.compress(b"\0kho-v1\0luo-v1\0" * 4, mtime=0))
    bz["tiny-protocol-2.04"] = tiny[:0x206] + b"\x04\x02" + tiny[0x208:]
    uname = b"6.1.0-56-amd64\n"
    osrel = b'ID=debian\nVERSION_ID="12"\n'
    pe = {
        "uki": pe_image([(".osrel", osrel), (".uname", uname), (".linux", tiny)]),
        "uki-without-uname": pe_image([(".osrel", osrel), (".linux", tiny)]),
        "pe-plain": pe_image([(".text", b"\xc3" * 64), (".data", b"\1" * 32)]),
    }
    elf = {
        "elf-note": elf_image([("GNU", 3, b"\x11" * 20), ("lugate", 1, manifest)]),
        "elf-no-note": elf_image([("Xen", 18, b"\0" * 8)]),
        "elf-room": elf_image([("GNU", 3, b"\x22" * 20)], room=1),
    }
    arm = {"arm64": arm64_image()}
    zboot = {"zboot": zboot_image(),
             "uki-zboot": pe_image([(".uname", b"6.1.0-56-arm64\n"), (".linux", zboot_image())])}
    for name, img in bz.items():
        for h in ("image", "image_bzimage", "embed"):
            put(h, name, img)
        stamped = embed(img, name)
        put("image", name + "-stamped", stamped)
        put("image_bzimage", name + "-stamped", stamped)
        if len(stamped) < 8192:
            put("image_trailer", name + "-stamped", stamped)
    for name, img in pe.items():
        for h in ("image", "image_pe", "embed"):
            put(h, name, img)
        stamped = embed(img, name)
        put("image", name + "-stamped", stamped)
        put("image_pe", name + "-stamped", stamped)
    for name, img in elf.items():
        for h in ("image", "image_elf", "embed"):
            put(h, name, img)
    put("image", "elf-no-note-stamped", embed(elf["elf-no-note"], "elf-no-note"))
    put("image", "elf-room-stamped", embed(elf["elf-room"], "elf-room"))
    put("image_elf", "elf-room-stamped", embed(elf["elf-room"], "elf-room"))
    put("image_trailer", "elf-no-note-stamped", embed(elf["elf-no-note"], "elf-no-note"))
    arm_manifest = json.load(open("examples/target-6.1.0-56.json"))
    arm_manifest["release"] = "6.1.0-56-arm64"
    write(tmp("m56-arm64.json"), json.dumps(arm_manifest))
    for name, img in arm.items():
        for h in ("image", "image_arm64", "embed"):
            put(h, name, img)
        stamped = embed(img, name, tmp("m56-arm64.json"))
        put("image", name + "-stamped", stamped)
        put("image_arm64", name + "-stamped", stamped)
        put("image_trailer", name + "-stamped", stamped)
    for name, img in zboot.items():
        for h in ("image", "image_zboot" if name == "zboot" else "image_pe"):
            put(h, name, img)
    # the bundle: a sealed table, a kernel and a command line (entries are 4 KiB aligned)
    lugate("handoff", "build", "--devices", "examples/devices.json", "-o", tmp("t.bin"))
    lugate("seal", "--handoff", tmp("t.bin"), "--kernel", tmp("tiny-gzip.stamped"), "--fallback",
           write(tmp("fallback"), tiny), "--policy", "examples/policy.conf", "-o", tmp("sealed.bin"))
    put("table", "sealed-with-fallback-and-policy", read(tmp("sealed.bin")))
    lugate("bundle", "build", "--table", tmp("sealed.bin"), "--kernel", tmp("tiny"), "--append",
           "console=ttyS0 quiet", "-o", tmp("b1"))
    put("bundle", "table-kernel-cmdline", read(tmp("b1")))
    lugate("bundle", "build", "--table", tmp("sealed.bin"), "--kernel", tmp("tiny"), "--fallback", tmp("fallback"),
           "--fallback-append", "console=ttyS0", "-o", tmp("b2"))
    put("bundle", "with-fallback", read(tmp("b2")))


# ---- payloads, the KHO/LUO scan, lugate.efi's configuration -----------------------------------

def payloads():
    plain = b"\0Linux\0kho-v1\0luo-v1\0luo-session-v2\0pci-v3\0memfd-v1\0kho-vx\0xluo-v1\0" * 3
    put("kernel_scan", "strings", plain)
    put("kernel_scan", "edge", b"kho-v1" + b"\0pci-v" + b"9" * 60 + b"\0luo-flb-v12")

    def tool(cmd, data):
        return subprocess.run(cmd, input=data, check=True, capture_output=True).stdout

    codecs = [
        (0, gzip.compress(plain, mtime=0)), (1, bz2.compress(plain)), (2, lzma.compress(plain, format=lzma.FORMAT_ALONE)),
        (3, lzma.compress(plain, format=lzma.FORMAT_XZ)), (5, tool(["zstd", "-q", "-c"], plain)),
    ]
    if shutil.which("lz4"):
        codecs.append((4, tool(["lz4", "-l", "-q", "-c"], plain)))
    names = {0: "gzip", 1: "bzip2", 2: "lzma", 3: "xz", 4: "lz4", 5: "zstd"}
    for sel, data in codecs:
        put("decompress", names[sel], bytes([sel]) + data)
        put("decompress", names[sel] + "-cut", bytes([sel]) + data[:len(data) // 2])


def efi_config():
    put("efi_config", "file", b"# lugate.efi\n\nkernel = vmlinuz\r\n  initrd=initrd.img  \ntable =\t\"sealed table.bin\"\n"
        b"fallback = \\boot\\old\ncmdline = console=ttyS0 root=/dev/sda1 # not a comment\n")
    put("efi_config", "problems", b"kernel = a\nbogus = 1\nkernel = b\nkernel vmlinuz\nconfig = other.conf\ntable =\n")
    put("efi_config", "load-options", "\\EFI\\lugate\\lugate.efi table=/t.bin cmdline=\"console=ttyS0 quiet\" "
        "config=\\lugate\\other.conf\0".encode("utf-16-le"))


# ---- the bzImage64 entry: physical memory as kexec_file leaves it ------------------------------

BP_PHYS = 0x1000  # tests/fuzz/fuzz_boot_params.c: the input is memory from 0, boot_params here


def kho_fdt(compat, size=0x400):
    dts = '/dts-v1/;\n/ { compatible = "%s"; preserved-memory-map = /bits/ 64 <0x0>; ' \
          'memblock { compatible = "memblock-v1"; }; };\n' % compat
    out = subprocess.run(["dtc", "-I", "dts", "-O", "dtb", "-S", str(size)], input=dts.encode(),
                         check=True, capture_output=True).stdout
    return out


def boot_params_image(cmdline=b"lugate.debug_exit=1 console=ttyS0", kho=b"kho-v4", bundle=None, ima=True,
                      e820_ext=True, indirect=True, efi=False):
    """A page of low memory, boot_params at BP_PHYS, then what it points at (at BP_PHYS + offset).
    efi: what kexec_file_load leaves on a UEFI host: efi_info ("EL64", an EFI memory map of three
    48-byte descriptors), secure_boot 2 (disabled) and a SETUP_EFI entry."""
    mem = bytearray(0x2000)
    at = lambda off: BP_PHYS + off  # noqa: E731
    bp = bytearray(4096)
    struct.pack_into("<I", bp, 0x202, 0x53726448)                   # "HdrS"
    struct.pack_into("<Q", bp, 0x070, 0xf5a40)                       # acpi_rsdp_addr
    e820 = [(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0x100000, 0x7ff00000, 1)]
    bp[0x1e8] = len(e820)
    for i, (a, n, t) in enumerate(e820):
        struct.pack_into("<QQI", bp, 0x2d0 + 20 * i, a, n, t)
    mem[0x1000:0x1000 + len(cmdline) + 1] = cmdline + b"\0"
    struct.pack_into("<I", bp, 0x228, at(0x1000))                    # cmd_line_ptr
    chain = []                                                       # (offset, type, payload)
    if e820_ext:
        chain.append((0x1100, 1, struct.pack("<QQIQQI", 0x100000000, 0x40000000, 1, 0xfee00000, 0x1000, 2)))
    if kho is not None:
        fdt = kho_fdt(kho.decode())
        scratch = struct.pack("<QQQQ", 0x1000000, 0x4000000, 0, 0)
        mem[0x1300:0x1300 + len(scratch)] = scratch
        mem[0x1400:0x1400 + len(fdt)] = fdt
        chain.append((0x1200, 10, struct.pack("<QQQQ", at(0x1400), len(fdt), at(0x1300), len(scratch))))
    if ima:
        chain.append((0x1280, 8, struct.pack("<QQ", 0x7f000000, 0x2000)))
    if efi:
        memmap = b"".join(struct.pack("<IIQQQQ", t, 0, a, 0xffffffff00000000 | a, n, 0x800000000000000f) + bytes(8)
                          for t, a, n in ((5, 0x7f000000, 0x10), (6, 0x7f010000, 0x20), (11, 0xffc00000, 0x400)))
        mem[0x1800:0x1800 + len(memmap)] = memmap
        struct.pack_into("<4sIIIIIII", bp, 0x1c0, b"EL64", 0x7f9ee018, 48, 1, at(0x1800), len(memmap), 0, 0)
        bp[0x1ec] = 2
        chain.append((0x1d00, 4, struct.pack("<QQQQ", 0x7f52aa18, 0, 0x7f5ebc98, 0x7f520000) + bytes(64)))
    if indirect:
        chain.append((0x12c0, 0x80000001, struct.pack("<IIQQ", 1, 0, 0x100, 0x7e000000)))
    for i, (off, typ, payload) in enumerate(chain):
        nxt = at(chain[i + 1][0]) if i + 1 < len(chain) else 0
        entry = struct.pack("<QII", nxt, typ, len(payload)) + payload
        mem[off:off + len(entry)] = entry
    if chain:
        struct.pack_into("<Q", bp, 0x250, at(chain[0][0]))
    if bundle:
        struct.pack_into("<II", bp, 0x218, at(len(mem)), len(bundle))  # ramdisk_image, ramdisk_size
        mem += bundle
    mem[0:4096] = bp
    return bytes(BP_PHYS) + bytes(mem)


def boot_params():
    bundle = read(tmp("b1"))
    put("boot_params", "kho-bundle", boot_params_image(bundle=bundle))
    put("boot_params", "kho-fallback-bundle", boot_params_image(bundle=read(tmp("b2"))))
    put("boot_params", "kho-no-bundle", boot_params_image())
    put("boot_params", "no-kho", boot_params_image(kho=None, bundle=bundle))
    put("boot_params", "kho-bad-compat", boot_params_image(kho=b"kho v4"))
    put("boot_params", "efi", boot_params_image(efi=True))
    put("boot_params", "bare", boot_params_image(kho=None, ima=False, e820_ext=False, indirect=False, cmdline=b""))
    tree = kho_fdt("kho-v4")
    put("kho", "tree", tree[:tree.find(b"memblock-v1") + 64])
    put("kho", "prefix", tree[:72])
    put("kho", "luo", kho_fdt("luo-v1", size=0))


# ---- the Multiboot entry: boot information as kexec -l (multiboot2-x86) leaves it -------------

MB_INFO_PHYS = 0x10000  # tests/fuzz/fuzz_multiboot.c: INFO_PHYS, where the input's byte 1 lies


def multiboot1_info():
    """Multiboot 1: the info struct, then the command line, modules with their strings, mmap."""
    mem = bytearray(0x400)
    at = lambda off: MB_INFO_PHYS + off  # noqa: E731
    cmd = b"/boot/loader.elf lugate.debug_exit=1\0"
    mem[0x100:0x100 + len(cmd)] = cmd
    mods = [(0x200000, 0x300000, b"/k role=kernel"), (0x300000, 0x301000, b"/t role=table")]
    for i, (start, end, name) in enumerate(mods):
        mem[0x180 + 32 * i:0x180 + 32 * i + len(name) + 1] = name + b"\0"
        struct.pack_into("<IIII", mem, 0x200 + 16 * i, start, end, at(0x180 + 32 * i), 0)
    mmap = b"".join(struct.pack("<IQQI", 20, a, n, t) for a, n, t in
                    [(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0x100000, 0x3ff00000, 1)])
    mem[0x300:0x300 + len(mmap)] = mmap
    struct.pack_into("<IIII", mem, 0, (1 << 0) | (1 << 2) | (1 << 3) | (1 << 6), 639, 0x3fc00, 0)
    struct.pack_into("<III", mem, 16, at(0x100), len(mods), at(0x200))
    struct.pack_into("<II", mem, 44, len(mmap), at(0x300))
    return bytes([0]) + bytes(mem)


def multiboot2_info():
    """Multiboot 2: total size, reserved, then 8-byte aligned tags (cmdline, modules, mmap, end)."""
    def tag(typ, body):
        t = struct.pack("<II", typ, 8 + len(body)) + body
        return t + bytes(-len(t) % 8)
    tags = tag(1, b"/boot/loader.elf lugate.debug_exit=1\0")
    tags += tag(3, struct.pack("<II", 0x200000, 0x300000) + b"/k role=kernel\0")
    tags += tag(3, struct.pack("<II", 0x300000, 0x301000) + b"/t role=table\0")
    tags += tag(6, struct.pack("<II", 24, 0) + b"".join(struct.pack("<QQII", a, n, t, 0) for a, n, t in
                                                      [(0, 0x9fc00, 1), (0x100000, 0x3ff00000, 1)]))
    tags += tag(0, b"")
    return bytes([1]) + struct.pack("<II", 8 + len(tags), 0) + tags


def deliveries():
    """Delivery records as the loader writes them (tests/cli/mkdelivery.py), around the tables
    images() made: allowed with a sealed table, refused ones with reasons, a cut list, no table,
    a corrupt table."""
    sys.path.insert(0, os.path.join(TOP, "tests/cli"))
    from mkdelivery import record
    sealed, plain = read(tmp("sealed.bin")), read(tmp("t.bin"))
    sha = bytes(range(32))
    put("delivery", "allowed-target", record(1, 1, 0, [], None, sha, sealed))
    put("delivery", "refused-fallback", record(2, 2, 0x01, [1, 10], None, sha, sealed))
    put("delivery", "refused-cut", record(2, 2, 0x01, list(range(1, 12)) * 3, 40, sha, sealed))
    put("delivery", "unsealed", record(2, 2, 0x04, [], None, sha, plain))
    put("delivery", "no-table", record(2, 2, 0x28, [], None, sha, b""))
    put("delivery", "corrupt-table", record(2, 2, 0, [11], None, sha, sealed[:-1] + b"x"))


def multiboot():
    put("multiboot", "mb1", multiboot1_info())
    put("multiboot", "mb2", multiboot2_info())
    put("multiboot", "bad-magic", bytes([2]) + multiboot2_info()[1:])


def main():
    global TMP, ONLY
    os.chdir(TOP)
    TMP = tempfile.mkdtemp(prefix="lugate-seeds.")
    if not os.access(LUGATE, os.X_OK):
        sys.exit("seeds.py: %s is not built (make)" % LUGATE)
    ONLY = set(sys.argv[1:]) or None
    for old in glob.glob(os.path.join(CORPUS, "*", "seed-*")):
        if ONLY is None or os.path.basename(os.path.dirname(old)) in ONLY:
            os.remove(old)
    try:
        tables_and_manifests()
        releases_and_policies()
        images()
        payloads()
        efi_config()
        boot_params()
        multiboot()
        deliveries()
    finally:
        shutil.rmtree(TMP, ignore_errors=True)
    total = 0
    for d in sorted(glob.glob(os.path.join(CORPUS, "*"))):
        files = glob.glob(os.path.join(d, "*"))
        size = sum(os.path.getsize(f) for f in files)
        total += size
        print("%-16s %3d files %7d bytes" % (os.path.basename(d), len(files), size))
    print("corpus total: %d KiB" % (total // 1024))


if __name__ == "__main__":
    main()
