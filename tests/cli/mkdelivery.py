#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Write a delivery record byte for byte as docs/loader.md "Delivery record" lays it out, the
way the loader hands it to the kernel it boots; for tests and fuzz seeds (no loader needed).

  mkdelivery.py OUT --verdict allowed|refused --booted target|fallback [--flags N]
                [--reasons 1,2,...] [--total N] [--sha HEX|--sha-of FILE] [--table FILE]
"""
import argparse
import hashlib
import struct

VERDICT = {"allowed": 1, "refused": 2}
BOOTED = {"target": 1, "fallback": 2}


def record(verdict=1, booted=1, flags=0, reasons=(), total=None, sha=b"\0" * 32, table=b"",
           version=1, header_size=200):
    reasons = list(reasons)
    total = len(reasons) if total is None else total
    stored = reasons[:32]
    if total > len(stored):
        flags |= 0x02
    head = b"LUGDELIV" + struct.pack("<8I", version, header_size, verdict, booted, flags, len(table),
                                     len(stored), total)
    head += sha + struct.pack("<32I", *(stored + [0] * (32 - len(stored))))
    assert len(head) == 200
    return head + table


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--verdict", default="allowed", choices=VERDICT)
    ap.add_argument("--booted", default="target", choices=BOOTED)
    ap.add_argument("--flags", type=lambda s: int(s, 0), default=0)
    ap.add_argument("--reasons", default="")
    ap.add_argument("--total", type=int)
    ap.add_argument("--sha", default="00" * 32)
    ap.add_argument("--sha-of")
    ap.add_argument("--table")
    a = ap.parse_args()
    sha = bytes.fromhex(a.sha)
    if a.sha_of:
        with open(a.sha_of, "rb") as f:
            sha = hashlib.sha256(f.read()).digest()
    table = b""
    if a.table:
        with open(a.table, "rb") as f:
            table = f.read()
    reasons = [int(x) for x in a.reasons.split(",") if x]
    with open(a.out, "wb") as f:
        f.write(record(VERDICT[a.verdict], BOOTED[a.booted], a.flags, reasons, a.total, sha, table))


if __name__ == "__main__":
    main()
