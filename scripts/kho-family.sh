#!/usr/bin/env bash
# Build (once, cached) a family of KHO+LUO kernels from the one source tree of scripts/kho-kernel.sh:
# the base, and variants that each differ from it in exactly one thing, the way upstream bumps an
# ABI between two releases. Prints the family directory on success.
#
# Usage: scripts/kho-family.sh
#   build/kho-kernel/family/<variant>/{bzImage,version,abi} for every variant below, and
#   build/kho-kernel/family/headers/include: the tree's UAPI headers (`make headers`),
#   which the nolibc builds of upstream's liveupdate selftests need;
#   build/kho-kernel/family/stamp (what the cache is keyed by; written last).
# Exit codes: 0 ok, 2 something needed is unavailable or a build failed (one-line error on stderr).
#
# Variants (the header and macro each one changes; the string's trailing number goes up by one):
#   memfd    include/linux/kho/abi/memfd.h           MEMFD_LUO_FH_COMPATIBLE  memfd-v2 -> memfd-v3
#   luo      include/linux/kho/abi/luo.h             LUO_ABI_COMPATIBLE       luo-v5 -> luo-v6
#   kho      include/linux/kho/abi/kexec_handover.h  KHO_FDT_COMPATIBLE       kho-v4 -> kho-v5
#   release  the kernel's SUBLEVEL + 1 (7.3.4 -> 7.3.5): a `stable-next` step, which lugate's
#            default policy allows (docs/policy.md); every ABI string unchanged
# The base is build/kho-kernel/bzImage itself; family/base/ holds its version and abi files.
#
# Why in the base tree and not in copies: Kbuild tracks each object's dependencies (fixdep), so
# patching one header and running `make bzImage` again recompiles only that header's dependents
# and relinks; a copy of the tree at another path rebuilds everything (about 9 minutes here).
# The patched header is restored after each variant (also on failure or interruption, by a trap)
# with a fresh mtime, so the next build recompiles those dependents back. The release variant
# overrides SUBLEVEL on make's command line and leaves the tree's Makefile alone.
#
# Locking: the same flock file as scripts/kho-kernel.sh (build/kho-kernel/.lock), so the base
# build and the family build never run make in the tree at the same time.
set -euo pipefail

me=kho-family.sh
die() { echo "$me: $*" >&2; exit 2; }
[ $# -eq 0 ] || { echo "$me: no arguments expected (usage: $me)" >&2; exit 64; }

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case "$build" in /*) ;; *) build=$top/$build ;; esac
out=$build/kho-kernel
[ -d "$out" ] && out=$(cd "$out" && pwd -P)   # the real path, as scripts/kho-kernel.sh records it
fam=$out/family

# name | header (relative to the tree) | macro ; the release variant has no header
VARIANTS=(
  "memfd|include/linux/kho/abi/memfd.h|MEMFD_LUO_FH_COMPATIBLE"
  "luo|include/linux/kho/abi/luo.h|LUO_ABI_COMPATIBLE"
  "kho|include/linux/kho/abi/kexec_handover.h|KHO_FDT_COMPATIBLE"
  "release||"
)
ABI_MACROS=(KHO_FDT_COMPATIBLE LUO_ABI_COMPATIBLE MEMFD_LUO_FH_COMPATIBLE)
# Raise when what the script builds changes in a way the variant list does not show.
LAYOUT=1

# The base first (it has its own cache and lock); then its stamp is part of the family's key.
"$top/scripts/kho-kernel.sh" >/dev/null || die "the base kernel (scripts/kho-kernel.sh) is not available"
base_key() { grep -E '^(package|version|options)=' "$out/stamp" | tr '\n' ' '; }
key="base=$(base_key) variants=$(printf '%s\n' "${VARIANTS[@]}" | sha256sum | cut -c1-16) layout=$LAYOUT"

cached() {
  local v
  [ -s "$fam/stamp" ] && grep -qxF "key=$key" "$fam/stamp" || return 1
  for v in base memfd luo kho release; do
    [ -s "$fam/$v/version" ] && [ -s "$fam/$v/abi" ] || return 1
    [ "$v" = base ] || [ -s "$fam/$v/bzImage" ] || return 1
  done
  [ -s "$fam/headers/include/linux/liveupdate.h" ]
}
if cached; then echo "$fam"; exit 0; fi

mkdir -p "$fam" || die "cannot create $fam"
exec 9>"$out/.lock"
flock 9 || die "cannot lock $out/.lock"
# the base may have been rebuilt while we waited: its stamp is the key
key="base=$(base_key) variants=$(printf '%s\n' "${VARIANTS[@]}" | sha256sum | cut -c1-16) layout=$LAYOUT"
if cached; then echo "$fam"; exit 0; fi
[ -s "$out/stamp" ] && [ -s "$out/bzImage" ] || die "no base kernel in $out"

ksrc=$(sed -n 's/^source=//p' "$out/stamp")
[ -f "$ksrc/Makefile" ] && [ -f "$ksrc/.config" ] || die "the base tree $ksrc is missing"
log=$fam/build.log
: >"$log"
kmake() { make -C "$ksrc" ARCH=x86_64 "$@" >>"$log" 2>&1; }

# An interrupted earlier run (SIGKILL, power loss) may have left a patched header behind: its
# pristine copy is kept next to the family until the header is restored.
for f in "$fam"/.orig/*; do
  [ -e "$f" ] || continue
  rel=$(cat "$f.path")
  cp "$f" "$ksrc/$rel" && rm -f "$f" "$f.path" || die "cannot restore $rel from $f"
  echo "$me: restored $rel left patched by an interrupted run" >&2
done
mkdir -p "$fam/.orig"

abi_of() {  # abi_of MACRO: the string the tree's header defines for MACRO
  local h
  case "$1" in
    KHO_FDT_COMPATIBLE) h=kexec_handover.h ;; LUO_ABI_COMPATIBLE) h=luo.h ;;
    MEMFD_LUO_FH_COMPATIBLE) h=memfd.h ;; *) return 1 ;;
  esac
  sed -n "s/^#define $1[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p" "$ksrc/include/linux/kho/abi/$h"
}
bump() {  # bump STRING: the same string with its trailing number plus one (kho-v4 -> kho-v5)
  local n=${1##*[!0-9]}
  [ -n "$n" ] || return 1
  printf '%s%s\n' "${1%"$n"}" "$((n + 1))"
}
abi_file() {  # abi_file DIR: the three ABI strings the tree defines now, one MACRO=STRING a line
  local m s
  for m in "${ABI_MACROS[@]}"; do
    s=$(abi_of "$m"); [ -n "$s" ] || die "no #define $m in $ksrc"
    echo "$m=$s"
  done >"$1/abi"
}
# image_has IMAGE STRING: the decompressed kernel in IMAGE contains STRING. Decompressed once per
# image into family/.vmlinux (grep reads it all: an early exit would make the extractor fail).
image_has() {
  if [ "${vmlinux_of:-}" != "$1" ]; then
    "$ksrc/scripts/extract-vmlinux" "$1" >"$fam/.vmlinux" 2>/dev/null && [ -s "$fam/.vmlinux" ] ||
      die "cannot decompress $1 (scripts/extract-vmlinux)"
    vmlinux_of=$1
  fi
  grep -acF -- "$2" "$fam/.vmlinux" >/dev/null
}

base_release=$(cat "$out/version")
sub=$(sed -n 's/^SUBLEVEL = \([0-9]*\)$/\1/p' "$ksrc/Makefile")
[ -n "$sub" ] || die "no SUBLEVEL in $ksrc/Makefile"

rm -rf "$fam/base" && mkdir -p "$fam/base" && abi_file "$fam/base" && echo "$base_release" >"$fam/base/version"
# The base's own strings are in its image; none of the bumped ones is.
while IFS='=' read -r m s; do
  image_has "$out/bzImage" "$s" || die "the base image lacks its own $m '$s' (extract-vmlinux failed?)"
  image_has "$out/bzImage" "$(bump "$s")" && die "the base image already carries '$(bump "$s")'"
done <"$fam/base/abi"

patched=""   # the header currently patched (relative), restored by restore()
restore() {
  [ -n "$patched" ] || return 0
  local o
  o=$fam/.orig/$(basename "$patched")
  cp "$o" "$ksrc/$patched" && touch "$ksrc/$patched" && rm -f "$o" "$o.path" && patched=""
}
trap 'restore' EXIT
trap 'restore; exit 130' INT TERM HUP

rm -f "$fam/stamp"
t_all=$(date +%s)
times=""
for spec in "${VARIANTS[@]}"; do
  IFS='|' read -r name header macro <<<"$spec"
  d=$fam/$name
  rm -rf "$d" && mkdir -p "$d"
  args=()
  want=""
  if [ -n "$header" ]; then
    old=$(abi_of "$macro"); new=$(bump "$old") || die "cannot bump '$old'"
    o=$fam/.orig/$(basename "$header")
    cp "$ksrc/$header" "$o" && echo "$header" >"$o.path" || die "cannot back up $header"
    patched=$header
    sed -i "s/^\\(#define ${macro}[[:space:]]*\\)\"$old\"/\\1\"$new\"/" "$ksrc/$header"
    [ "$(abi_of "$macro")" = "$new" ] || die "patching $macro in $header failed"
    want=$new
  else
    args=("SUBLEVEL=$((sub + 1))")
  fi
  t0=$(date +%s)
  echo "=== $name ===" >>"$log"
  kmake -j"$(nproc)" "${args[@]}" bzImage || die "$name: kernel build failed (see $log)"
  release=$(make -s --no-print-directory -C "$ksrc" ARCH=x86_64 "${args[@]}" kernelrelease 2>/dev/null)
  cp "$ksrc/arch/x86/boot/bzImage" "$d/bzImage"
  abi_file "$d"
  echo "$release" >"$d/version"
  restore || die "cannot restore $header"
  secs=$(( $(date +%s) - t0 ))
  times="$times $name=$secs"
  # verify: the variant's image carries its bumped string and not the one it replaced; the
  # release variant carries the next release string and the base's ABI strings
  if [ -n "$want" ]; then
    image_has "$d/bzImage" "$want" || die "$name: the built image lacks '$want'"
    image_has "$d/bzImage" "$old" && die "$name: the built image still carries '$old'"
    [ "$release" = "$base_release" ] || die "$name: release '$release', expected '$base_release'"
  else
    [ "$release" != "$base_release" ] || die "release: the release string did not change"
    grep -aqF -- "$release (" "$d/bzImage" || die "release: the image does not name release '$release'"
    cmp -s "$fam/base/abi" "$d/abi" || die "release: ABI strings differ from the base"
    while IFS='=' read -r m s; do
      image_has "$d/bzImage" "$s" || die "release: the image lacks the base's $m '$s'"
    done <"$fam/base/abi"
  fi
  echo "$name: $release, $(tr '\n' ' ' <"$d/abi")(${secs}s)" >&2
done
trap - EXIT INT TERM HUP
rm -f "$fam/.vmlinux"

# The UAPI headers, installed the way upstream's selftests build against them (nolibc programs
# include <linux/liveupdate.h> and <asm/unistd.h> from here). The ABI headers are all restored,
# so these are the base's.
# (`make headers` and a copy: headers_install needs rsync, which the e2e tools do not include)
rm -rf "$fam/headers" && mkdir -p "$fam/headers"
kmake headers || die "make headers failed (see $log)"
cp -r "$ksrc/usr/include" "$fam/headers/" || die "cannot copy the UAPI headers from $ksrc/usr/include"
[ -s "$fam/headers/include/linux/liveupdate.h" ] || die "headers_install gave no linux/liveupdate.h"

printf 'key=%s\nsource=%s\nbuild_seconds=%s\nvariant_seconds=%s\n' \
  "$key" "$ksrc" "$(( $(date +%s) - t_all ))" "${times# }" >"$fam/stamp"
echo "$fam"
