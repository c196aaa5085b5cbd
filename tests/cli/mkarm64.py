#!/usr/bin/env python3
"""arm64 test images made from a real arm64 Image (tests/cli/suite-arm64.sh).

  mkarm64.py zboot IMAGE OUT gzip|zstd   an EFI zboot image around IMAGE, laid out as the kernel's
                                         drivers/firmware/efi/libstub/zboot-header.S lays one out:
                                         "MZ", "zimg", payload offset and size, the compression's
                                         name, the Linux PE magic at 0x38, a PE header for arm64
                                         and one section holding the compressed payload. There
                                         is no decompressor code in it: it parses, it does not boot.
  mkarm64.py pagesize IMAGE OUT 4096|16384|65536
                                         IMAGE with the header's page-size flag (bits 1-2) changed.
"""
import struct
import subprocess
import sys

PAGE_FLAG = {4096: 1, 16384: 2, 65536: 3}


def compress(data, method):
    if method == "gzip":  # gzip's own trailer carries the size: nothing is appended
        return subprocess.run(["gzip", "-1", "-n", "-c"], input=data, capture_output=True, check=True).stdout, b""
    if method == "zstd":  # the kernel appends the uncompressed size, outside the payload's size
        out = subprocess.run(["zstd", "-1", "-q", "-c"], input=data, capture_output=True, check=True).stdout
        return out, struct.pack("<I", len(data))
    raise SystemExit("mkarm64.py: compression is gzip or zstd")


def zboot(image, method):
    payload, size_tail = compress(image, method)
    pe_off, opt_size, file_align = 0x40, 0xF0, 0x200
    headers = pe_off + 4 + 20 + opt_size + 40
    off = (headers + file_align - 1) // file_align * file_align
    raw = len(payload) + len(size_tail)
    raw_size = (raw + file_align - 1) // file_align * file_align
    dos = b"MZ\0\0" + b"zimg" + struct.pack("<II", off, len(payload)) + bytes(8)
    dos += method.encode() + b"\0"
    dos = dos.ljust(0x38, b"\0") + struct.pack("<II", 0x818223CD, pe_off)
    coff = struct.pack("<HHIIIHH", 0xAA64, 1, 0, 0, 0, opt_size, 0x0206)
    opt = bytearray(opt_size)
    struct.pack_into("<HBBIIIII", opt, 0, 0x20B, 0, 0, raw_size, 0, 0, off, off)
    struct.pack_into("<II", opt, 32, file_align, file_align)          # section, file alignment
    struct.pack_into("<II", opt, 56, off + raw_size, off)             # SizeOfImage, SizeOfHeaders
    struct.pack_into("<H", opt, 68, 10)                               # an EFI application
    struct.pack_into("<I", opt, 108, 16)                              # NumberOfRvaAndSizes
    opt = bytes(opt)
    sec = struct.pack("<8sIIIIIIHHI", b".data", raw, off, raw_size, off, 0, 0, 0, 0, 0xC0000040)
    head = (dos + b"PE\0\0" + coff + opt + sec).ljust(off, b"\0")
    return head + (payload + size_tail).ljust(raw_size, b"\0")


def pagesize(image, size):
    flags = struct.unpack_from("<Q", image, 24)[0]
    flags = (flags & ~6) | (PAGE_FLAG[size] << 1)
    return image[:24] + struct.pack("<Q", flags) + image[32:]


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("zboot", "pagesize"):
        raise SystemExit(__doc__)
    with open(sys.argv[2], "rb") as f:
        image = f.read()
    if image[0x38:0x3C] != b"ARM\x64":
        raise SystemExit("mkarm64.py: %s is not an arm64 Image" % sys.argv[2])
    out = zboot(image, sys.argv[4]) if sys.argv[1] == "zboot" else pagesize(image, int(sys.argv[4]))
    with open(sys.argv[3], "wb") as f:
        f.write(out)


main()
