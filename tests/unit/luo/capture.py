#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turn the loader's lugate.luo_dump=1 serial log into a LUO memory vector.

The loader (loader/entry/bzimage64.c) prints the KHO FDT and every range of physical memory
the LUO reader (handoff/luo.c) read, as

    lugate-loader: luo-dump fdt 0x<pa> <len>          (or "range" for what the reader mapped)
    lugate-loader: luo-dump 0x<addr> <up to 32 bytes in hex>

Ranges may repeat or overlap (the reader maps a block's header before the block); every byte
seen twice must agree. The vector is what a test hands the reader in place of memory:

    "LUGLUOV1"                      magic
    u64 fdt_pa, u64 fdt_size        the KHO FDT, which is also one of the ranges
    u32 range_count, u32 0
    range_count times: u64 pa, u64 len, len bytes, zero padding to 8 bytes
    (all little-endian; ranges sorted by address, disjoint)

usage: capture.py SERIAL_LOG OUT.bin
"""
import re
import struct
import sys

HEAD = re.compile(r"lugate-loader: luo-dump (fdt|range) 0x([0-9a-f]+) ([0-9]+)$")
DATA = re.compile(r"lugate-loader: luo-dump 0x([0-9a-f]+) ([0-9a-f]*)$")


def parse(lines):
    mem = {}
    fdt = None
    expect = 0
    for raw in lines:
        line = raw.rstrip("\r\n")
        m = HEAD.search(line)
        if m:
            what, pa, size = m.group(1), int(m.group(2), 16), int(m.group(3))
            if what == "fdt":
                fdt = (pa, size)
            expect += size
            continue
        m = DATA.search(line)
        if not m:
            continue
        addr, hexes = int(m.group(1), 16), m.group(2)
        if len(hexes) % 2 or len(hexes) > 64:
            raise SystemExit(f"capture.py: bad dump line: {line}")
        for i in range(len(hexes) // 2):
            b = int(hexes[2 * i:2 * i + 2], 16)
            a = addr + i
            if mem.setdefault(a, b) != b:
                raise SystemExit(f"capture.py: byte 0x{a:x} dumped twice with different values")
    if fdt is None:
        raise SystemExit("capture.py: no 'luo-dump fdt' line: was the loader run with lugate.luo_dump=1?")
    return fdt, mem


def ranges(mem):
    out = []
    for a in sorted(mem):
        if out and out[-1][0] + len(out[-1][1]) == a:
            out[-1][1].append(mem[a])
        else:
            out.append([a, bytearray([mem[a]])])
    return out


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    with open(sys.argv[1], encoding="latin-1") as f:
        fdt, mem = parse(f)
    rs = ranges(mem)
    blob = bytearray(b"LUGLUOV1")
    blob += struct.pack("<QQII", fdt[0], fdt[1], len(rs), 0)
    for pa, data in rs:
        blob += struct.pack("<QQ", pa, len(data)) + data
        blob += b"\0" * (-len(blob) % 8)
    with open(sys.argv[2], "wb") as f:
        f.write(blob)
    print(f"{sys.argv[2]}: FDT at 0x{fdt[0]:x} ({fdt[1]} bytes), {len(rs)} ranges, "
          f"{sum(len(d) for _, d in rs)} bytes")


if __name__ == "__main__":
    main()
