#!/usr/bin/env bash
# Fetch one file out of a Debian package of any architecture, and print where it was put.
# Usage: scripts/debian-file.sh ARCH PACKAGE MEMBER OUT
#   e.g. scripts/debian-file.sh arm64 systemd-boot-efi ./usr/lib/systemd/boot/efi/linuxaa64.efi.stub build/stub
# OUT is the cache: when it exists the script prints it at once. The file arrives by one rename
# from a private directory beside OUT, so two fetches at once both succeed and neither sees a
# partial file.
#
# Why a private apt configuration: a package of another architecture than the machine's is in
# none of the machine's package lists, and adding the architecture (dpkg --add-architecture)
# would change the system. The lists live under build/apt-ARCH/, fed by the same mirrors, suites
# and keyrings the machine's apt sources name (read at run time, never written into the
# repository), with APT::Architecture set to ARCH; the system's apt state is untouched.
# Exit codes: 0 ok, 2 the package or file cannot be had (one-line error on stderr), 64 bad usage.
set -euo pipefail
me=debian-file.sh
die() { echo "$me: $*" >&2; exit 2; }
[ $# -eq 4 ] || { echo "usage: $me ARCH PACKAGE MEMBER OUT" >&2; exit 64; }
arch=$1 pkg=$2 member=$3 out=$4
case "$arch" in *[!a-z0-9]*|"") echo "$me: bad architecture '$arch'" >&2; exit 64 ;; esac
[ -s "$out" ] && { echo "$out"; exit 0; }
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case "$build" in /*) ;; *) build=$top/$build ;; esac
for tool in apt-get dpkg-deb tar flock; do command -v "$tool" >/dev/null || die "$tool not found"; done

# shellcheck source=scripts/lib/apt-sources.sh
. "$top/scripts/lib/apt-sources.sh"
mkdir -p "$(dirname "$out")"
apt_private "$arch"

work=$(mktemp -d "$(dirname "$out")/.dl.XXXXXX"); trap 'rm -rf "$work"' EXIT
fetch() { (cd "$work" && apt-get "${APT_OPTS[@]}" -qq download "$pkg" >/dev/null 2>"$work/err"); }
if ! fetch; then
  # the private lists are absent on a fresh machine, or stale: refresh once and retry
  apt-get "${APT_OPTS[@]}" -qq update >"$aptdir/update.log" 2>&1 || die "apt-get update for $arch failed (see $aptdir/update.log)"
  fetch || die "cannot download $pkg for $arch: $(tail -1 "$work/err")"
fi
debs=("$work"/*.deb)
[ -f "${debs[0]}" ] || die "apt-get download $pkg produced no .deb"
dpkg-deb --fsys-tarfile "${debs[0]}" | tar -x -C "$work" "$member" 2>"$work/err" ||
  die "$pkg has no $member"
mv "$work/$member" "$out"
echo "$out"
