#!/usr/bin/env python3
"""Corrupt the table inside a lugate bundle (docs/bundle-format.md) so that the bundle stays
well-formed: flip one byte of the table entry's payload, then rewrite that entry's SHA-256 and
the directory's SHA-256. The loader then opens the bundle, and the table itself is what fails
(the check's table-corrupt), not the bundle's digests.
Usage: corrupt-table.py IN OUT"""
import hashlib
import struct
import sys

TABLE_ROLE = 1
data = bytearray(open(sys.argv[1], "rb").read())
if data[:8] != b"LUGBUNDL":
    sys.exit("corrupt-table.py: not a bundle")
count = struct.unpack_from("<I", data, 16)[0]
for i in range(count):
    at = 64 + 64 * i
    role, _, offset, size = struct.unpack_from("<IIQQ", data, at)
    if role == TABLE_ROLE:
        data[offset + size // 2] ^= 0x5A
        data[at + 32:at + 64] = hashlib.sha256(data[offset:offset + size]).digest()
        break
else:
    sys.exit("corrupt-table.py: the bundle has no table entry")
data[32:64] = hashlib.sha256(data[64:64 + 64 * count]).digest()
open(sys.argv[2], "wb").write(data)
