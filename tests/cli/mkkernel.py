#!/usr/bin/env python3
"""A small bzImage whose gzip payload holds what a kernel compiled with LUO holds: KHO/LUO
version literals, and LUO file handlers and FLBs laid out as 7.3's include/linux/liveupdate.h
lays them out (an ops pointer, char compatible[48], then the private fields, zero until the
kernel registers the struct).

  mkkernel.py OUT [--release R] [--literal kho-v4] [--handler memfd-v2] [--flb NAME] [--padded]
              [--at OFFSET] [--zeros N]

--padded puts each record at an offset that is not a multiple of 8 (no record then)."""
import argparse
import gzip
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz"))
from seeds import tiny_bzimage  # noqa: E402

OPS = struct.pack("<Q", 0xffffffff82a01040)   # a kernel address, as vmlinux links it
MARK = struct.pack("<Q", 0xffffffff81234560)  # the next object: not zero


def record(name, private_zeros):
    c = name.encode()
    assert len(c) < 48
    return OPS + c + bytes(48 - len(c)) + bytes(private_zeros) + MARK


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--release", default="6.1.0-55-amd64")
    ap.add_argument("--literal", action="append", default=[])
    ap.add_argument("--handler", action="append", default=[])
    ap.add_argument("--flb", action="append", default=[])
    ap.add_argument("--padded", action="store_true")
    ap.add_argument("--at", type=int, default=0, help="put the first record at this offset (a multiple of 8)")
    ap.add_argument("--zeros", type=int, default=None, help="private zero bytes of every record")
    a = ap.parse_args()
    plain = bytearray(b"\x7fELF" + bytes(60))
    plain += b"Linux version " + a.release.encode() + b" (lugate test)\0"
    for s in a.literal:
        plain += b"\0" + s.encode() + b"\0"
    if a.at:
        assert a.at % 8 == 0 and a.at >= len(plain) + 8
        plain += b"\x5a" * (a.at - 8 - len(plain))
    for kind, names, zeros in (("handler", a.handler, 32), ("flb", a.flb, 120)):
        if a.zeros is not None:
            zeros = a.zeros
        for n in names:
            while len(plain) % 8:
                plain += b"\x5a"
            if a.padded:
                plain += b"\x5a\x5a\x5a"
            plain += record(n, zeros)
    plain += bytes(64)
    payload = gzip.compress(bytes(plain), mtime=0)
    img = bytearray(tiny_bzimage(version=a.release, payload=payload))
    code = len(img) - 1024
    code += -code % 16
    img += bytes(1024 + code - len(img))
    struct.pack_into("<I", img, 0x1f4, code // 16)           # syssize covers the payload
    open(a.out, "wb").write(img + bytes(-len(img) % 4096 or 0) + bytes(4096))


if __name__ == "__main__":
    main()
