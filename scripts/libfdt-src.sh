#!/usr/bin/env bash
# Extract libfdt's sources (scripts/dtc/libfdt/*.c, *.h) from Debian's linux-source-6.1 binary
# package into $BUILD/libfdt-src/, for the freestanding builds (loader, EFI app, freestanding check).
# Debian's libfdt.a is built with the stack protector and needs a hosted libc, so it cannot be
# linked into bare-metal code; its source package is not fetchable here, the kernel source is.
#
# - Cached: a second run with the sources present does nothing (stamp file).
# - Idempotent and atomic: extracts into a temporary folder, then renames.
# - libfdt_env.h is NOT extracted: handoff/freestanding/libfdt_env.h is ours.
# - Nothing is ever copied into the repository (build/ is not tracked).
# Usage: scripts/libfdt-src.sh [OUTDIR]     (default: $BUILD/libfdt-src, BUILD defaults to build)
# Exit 2 with a one-line error if the package cannot be had or does not contain libfdt.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
pkg=${LUGATE_LIBFDT_PKG:-linux-source-6.1}
out=${1:-$top/${BUILD:-build}/libfdt-src}
case "$out" in /*) ;; *) out=$PWD/$out ;; esac   # the download runs in another directory
stamp=$out/.extracted-from
[ -s "$stamp" ] && [ -f "$out/libfdt.h" ] && [ -f "$out/fdt.c" ] && exit 0

die() { echo "libfdt-src.sh: $*" >&2; exit 2; }
mkdir -p "$(dirname "$out")"
work=$(mktemp -d "$(dirname "$out")/.libfdt-src.XXXXXX")
trap 'rm -rf "$work"' EXIT

download() { (cd "$work" && apt-get download "$pkg" >/dev/null 2>"$work/err"); }
if ! download; then
  # package lists may be stale or absent on a fresh machine: refresh once and retry
  apt-get update -qq >/dev/null 2>&1 || true
  download || die "cannot download $pkg: $(tail -1 "$work/err")"
fi
deb=$(ls "$work"/*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || die "apt-get download $pkg left no .deb"
ver=$(dpkg-deb -f "$deb" Version) || die "$deb is not a Debian package"

# The .deb holds usr/src/linux-source-X.Y.tar.xz; stream it and pull out only libfdt.
inner=$(dpkg-deb -c "$deb" | grep -oE '\./usr/src/linux-source-[0-9.]+\.tar\.xz' | head -1)
[ -n "$inner" ] || die "$pkg $ver carries no usr/src/linux-source-*.tar.xz"
top_dir=$(basename "$inner" .tar.xz)
mkdir -p "$work/x"
if ! dpkg-deb --fsys-tarfile "$deb" | tar -xO "$inner" |
     tar -xJ -C "$work/x" --wildcards --no-wildcards-match-slash \
       --exclude="$top_dir/scripts/dtc/libfdt/libfdt_env.h" \
       "$top_dir/scripts/dtc/libfdt/*.c" "$top_dir/scripts/dtc/libfdt/*.h" 2>"$work/err"; then
  die "cannot extract scripts/dtc/libfdt from $pkg $ver: $(tail -1 "$work/err")"
fi
src=$work/x/$top_dir/scripts/dtc/libfdt
[ -f "$src/libfdt.h" ] && [ -f "$src/fdt.c" ] || die "$pkg $ver has no scripts/dtc/libfdt sources"
[ ! -e "$src/libfdt_env.h" ] || die "libfdt_env.h was extracted (it must come from handoff/freestanding/)"
echo "$pkg $ver $top_dir/scripts/dtc/libfdt" >"$src/.extracted-from"

rm -rf "$out"
mv "$src" "$out"
