#!/usr/bin/env bash
# Fetch GNU-EFI for aarch64 (Debian 12's gnu-efi, architecture arm64: crt0-efi-aarch64.o,
# elf_aarch64_efi.lds, libefi.a, libgnuefi.a and the headers) and print the directory that holds
# its usr/ tree, by default build/gnu-efi-arm64 (make builds build/lugate-aa64.efi against it;
# mk/46-efi-aa64.mk). The .deb comes through scripts/debian-file.sh's private apt configuration
# under build/apt-arm64/: the machine's architectures are never changed. Cached: a second run
# prints the directory at once. Exit 2 with a one-line error if the package cannot be had.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case "$build" in /*) ;; *) build=$top/$build ;; esac
dir=$build/gnu-efi-arm64
# The whole usr/ tree in one fetch (debian-file.sh moves a directory member into place at once).
"$top/scripts/debian-file.sh" arm64 gnu-efi ./usr "$dir/usr" >/dev/null
for f in usr/lib/crt0-efi-aarch64.o usr/lib/elf_aarch64_efi.lds usr/lib/libefi.a usr/lib/libgnuefi.a \
         usr/include/efi/efi.h usr/include/efi/aarch64/efibind.h; do
  [ -s "$dir/$f" ] || { echo "gnu-efi-arm64.sh: gnu-efi:arm64 has no $f" >&2; exit 2; }
done
echo "$dir"
