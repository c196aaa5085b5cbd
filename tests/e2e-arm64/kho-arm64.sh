#!/usr/bin/env bash
# `make check-arm64-kho`: build/loader.arm64 in the kexec_file path of the arm64 KHO+LUO kernel
# (scripts/kho-kernel.sh with KHO_ARCH=arm64: linux-source-7.3 cross-built for QEMU virt), with
# upstream's own live-update selftests on both sides of the jump. QEMU virt, -cpu max, TCG.
#
# Stage 1 runs in the KHO kernel: stage 1 of luo_kexec_simple and luo_multi_session (built with
# the tree's nolibc, as tools/testing/selftests/liveupdate/vmtest.sh builds them), then
# kexec_file_load of loader.arm64 with a bundle the real `lugate` CLI built (kho/kexec-file.c;
# Debian 12's kexec-tools cannot call kexec_file_load on arm64). The kernel hands KHO over in
# the DTB (/chosen linux,kho-fdt and linux,kho-scratch); the loader checks and boots the target
# or the fallback, both the same KHO kernel, where stage 2 of both tests must pass.
#
# The loader also reads the LUO state the KHO FDT refers to (boot/luo_outgoing.c, as the x86
# bzImage64 entry does): every case asserts its summary in the serial log, the seven sessions and
# six memfds stage 1 of both selftests leave (their own names and tokens) and LIVEUPDATE_TEST's
# FLBs, each riding all six files.
#
# Cases: allowed (the loader allows, the target boots, both selftests pass stage 2, the lugate
# node and property and KHO's FDT are in the booted kernel's device tree); changed (the target
# changed after sealing: image-mismatch, the fallback boots, and stage 2 still passes: refusing
# lost nothing); memfd-compat (the target's manifest lacks the memfd handler, which neither the
# table nor the host knows of: only the LUO state read at the jump names it, so the loader
# refuses compat-missing for each preserved memfd, by session and token, and the fallback
# boots). Not part of `make check`: building the arm64 kernel takes about 9 minutes
# (docs/kho-kernel.md). A missing tool, package or build fails loudly.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/../e2e/lib.sh"
cd "$LUGATE_TOP" || exit 1

LOADER=$E2E_BUILD/loader.arm64
LUGATE=$E2E_BUILD/lugate
CASES="allowed changed memfd-compat"
CC_A64=aarch64-linux-gnu-gcc
: "${E2E_ARM64_TIMEOUT:=300}"
APPEND="console=ttyAMA0 liveupdate=on panic=-1"

abort() {
  local c
  for c in $CASES; do tap_not_ok "case $c" "$1"; done
  tap_finish
  exit 1
}

# ---- prerequisites ----------------------------------------------------------------------------
e2e_need qemu-system-aarch64 timeout cpio gzip "$CC_A64" make || abort "tools missing (scripts/deps.sh arm64 e2e)"
for f in "$LOADER" "$LUGATE"; do
  [ -s "$f" ] || make -s --no-print-directory "${f#"$LUGATE_TOP"/}" >&2 || abort "cannot build $f"
done
t0=$(date +%s)
kernel=$(KHO_ARCH=arm64 scripts/kho-kernel.sh) || abort "the arm64 KHO kernel cannot be built (scripts/kho-kernel.sh)"
kdir=$(dirname "$kernel")
ksrc=$(sed -n 's/^source=//p' "$kdir/stamp")
kver=$(cat "$kdir/version")
[ -d "$ksrc/tools/include/nolibc" ] || abort "the kernel tree $ksrc is gone (scripts/kho-kernel.sh --refresh)"
busybox=$(scripts/debian-arm64.sh busybox) || abort "busybox-static:arm64 unavailable"
W=$(e2e_workdir kho-arm64) || abort "no work directory"
tap_ok "the arm64 KHO kernel $kver ($(stat -c %s "$kernel") bytes) after $(($(date +%s) - t0)) s"

# ---- upstream's selftests and the kexec_file helper, with nolibc ----------------------------------
st=$ksrc/tools/testing/selftests/liveupdate
# `make headers` and a copy, as scripts/kho-family.sh does (headers_install needs rsync)
make -s -C "$ksrc" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- headers >&2 && mkdir -p "$W/headers" &&
  cp -r "$ksrc/usr/include" "$W/headers/" || abort "make headers in the arm64 tree"
nolibc_cc() { "$CC_A64" -static -O2 -nostdinc -nostdlib -I "$W/headers/include" -I "$ksrc/tools/include/nolibc" "$@"; }
for t in luo_kexec_simple luo_multi_session; do
  nolibc_cc -I "$st/lib/include" -o "$W/$t" "$st/$t.c" "$st/lib/lu_utils.c" >&2 || abort "build upstream's $t for arm64"
done
nolibc_cc -o "$W/kexec-file" "$here/kho/kexec-file.c" >&2 || abort "build kho/kexec-file.c for arm64"
tap_ok "luo_kexec_simple, luo_multi_session and kexec-file built for arm64 with the tree's nolibc"

# ---- initramfs images: stage 2 (inside the bundle), stage 1 (with loader and bundle) ---------------
initramfs() {  # initramfs DIR OUT [FILE DEST]...: busybox, init.sh, the tests, extra files
  local dir=$1 out=$2
  shift 2
  mkdir -p "$dir/bin" && cp "$busybox" "$dir/bin/busybox" && cp "$here/kho/init.sh" "$dir/init" &&
    cp "$W/luo_kexec_simple" "$W/luo_multi_session" "$W/kexec-file" "$dir/bin/" || return 1
  while [ $# -ge 2 ]; do cp "$1" "$dir/$2" || return 1; shift 2; done
  chmod 755 "$dir/bin/"* "$dir/init" && (cd "$dir" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
}
initramfs "$W/s2" "$W/stage2.gz" || abort "cannot build the stage-2 initramfs"

# ---- table, manifest, bundles (the real CLI) -------------------------------------------------------
abi() { sed -n "s/^#define $2[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p" "$ksrc/include/linux/kho/abi/$1.h"; }
kho=$(abi kexec_handover KHO_FDT_COMPATIBLE) luo=$(abi luo LUO_ABI_COMPATIBLE) memfd=$(abi memfd MEMFD_LUO_FH_COMPATIBLE)
[ -n "$kho" ] && [ -n "$luo" ] && [ -n "$memfd" ] || abort "read the KHO/LUO/memfd compatible strings from $ksrc"
flbs=$(e2e_luo_flb_compats "$ksrc" "$kdir/config") || abort "read the FLB compatible strings from $ksrc"
nflb=$(echo "$flbs" | grep -c .)
flb_json=$(echo "$flbs" | sed -n 's/.*/, "&"/p' | tr -d '\n')
cat >"$W/devices.json" <<JSON
{ "release": "$kver", "compatible": ["$kho", "$luo"],
  "devices": [ {"address": "0000:00:00.0", "vendor": "0x1b36", "device": "0x0008", "class": "0x060000",
                "schema": "5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "schema_version": 2} ] }
JSON
cat >"$W/target.json" <<JSON
{ "release": "$kver", "compatible": ["$kho", "$luo", "$memfd"$flb_json],
  "schemas": [ {"guid": "5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "min_version": 1, "max_version": 3} ] }
JSON
# the same without the memfd handler: only the LUO state read at the jump says it is needed
sed "s/, \"$memfd\"//" "$W/target.json" >"$W/nomemfd.json"
{ "$LUGATE" handoff build --devices "$W/devices.json" -o "$W/table.bin" &&
  "$LUGATE" embed --manifest "$W/target.json" "$kernel" -o "$W/target.img" &&
  cp "$kernel" "$W/fallback.img" &&
  "$LUGATE" seal --handoff "$W/table.bin" --kernel "$W/target.img" --fallback "$W/fallback.img" -o "$W/sealed.bin" &&
  "$LUGATE" bundle build --table "$W/sealed.bin" --kernel "$W/target.img" --initrd "$W/stage2.gz" \
    --append "$APPEND" --fallback "$W/fallback.img" --fallback-initrd "$W/stage2.gz" \
    --fallback-append "$APPEND" -o "$W/allowed.bundle"; } >&2 || abort "the CLI could not build the bundle"
# changed after sealing: one byte of the target flipped, past its header
cp "$W/target.img" "$W/changed.img" &&
  printf '\x5a' | dd of="$W/changed.img" bs=1 seek=$((1 << 20)) conv=notrunc status=none &&
  "$LUGATE" bundle build --allow-refused-target --table "$W/sealed.bin" --kernel "$W/changed.img" \
    --initrd "$W/stage2.gz" --append "$APPEND" --fallback "$W/fallback.img" --fallback-initrd "$W/stage2.gz" \
    --fallback-append "$APPEND" -o "$W/changed.bundle" >&2 || abort "the CLI could not build the changed bundle"
# the table lists no memfd handler, so the host allows the target that lacks it
{ ! grep -qF "\"$memfd\"" "$W/nomemfd.json" &&
  "$LUGATE" embed --manifest "$W/nomemfd.json" "$kernel" -o "$W/nomemfd.img" &&
  "$LUGATE" seal --handoff "$W/table.bin" --kernel "$W/nomemfd.img" --fallback "$W/fallback.img" -o "$W/sealed-nomemfd.bin" &&
  "$LUGATE" bundle build --table "$W/sealed-nomemfd.bin" --kernel "$W/nomemfd.img" --initrd "$W/stage2.gz" \
    --append "$APPEND" --fallback "$W/fallback.img" --fallback-initrd "$W/stage2.gz" \
    --fallback-append "$APPEND" -o "$W/memfd-compat.bundle"; } >&2 || abort "the CLI could not build the memfd-compat bundle"
tap_ok "table ($kho, $luo), target stamped with a manifest reviving $kho, $luo, $memfd and $nflb FLB(s); a second without $memfd; three bundles built"

# ---- the cases ------------------------------------------------------------------------------------
has() { grep -aqF -- "$2" "$W/$1.log"; }
after_jump() { tr -d '\r' <"$W/$1.log" | awk '/KHO64-STAGE2 kernel=/{n=1} n' | grep -qF -- "$2"; }
# luo_read NAME: the loader's summary of the LUO state stage 1 left, word for word as the x86
# loader logs it: seven sessions and six memfds, named as the selftests name them
# (luo_kexec_simple.c, luo_multi_session.c and lib/lu_utils.c's state sessions), and each FLB
# with every file depending on it. Prints what is missing, nothing if all is there.
luo_read() {
  local line
  tr -d '\r' <"$W/$1.log" | grep -qE "^lugate-loader: LUO: state '$luo' at 0x[0-9a-f]+, live update [0-9]+: 7 session\\(s\\), 6 file\\(s\\), $nflb FLB\\(s\\) \\([0-9]+ linked blocks read\\): every handler and FLB recorded for the check\$" ||
    { echo "no LUO summary with 7 sessions, 6 files, $nflb FLB(s)"; return; }
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    tr -d '\r' <"$W/$1.log" | grep -qxF -- "lugate-loader: LUO: $line" || { echo "no loader line 'LUO: $line'"; return; }
  done <<LINES
session 'kexec_simple_state': 1 file(s): $memfd token 0x3e7
session 'test-session': 1 file(s): $memfd token 0x1a
session 'kexec_multi_state': 1 file(s): $memfd token 0x3e6
session 'multi-test-empty-1': 0 file(s)
session 'multi-test-empty-2': 0 file(s)
session 'multi-test-files-1': 1 file(s): $memfd token 0x1001
session 'multi-test-files-2': 2 file(s): $memfd token 0x2002, $memfd token 0x3003
$(for f in $flbs; do echo "FLB '$f', 6 dependent file(s)"; done)
LINES
  ! has "$1" "reason handover-unreadable" || echo "the loader could not read the LUO state"
}
run_case() {  # run_case NAME: stage 1 with NAME.bundle; the whole serial log in $W/NAME.log
  local t
  initramfs "$W/s1-$1" "$W/stage1-$1.gz" "$LOADER" loader.arm64 "$W/$1.bundle" bundle.bin ||
    { tap_not_ok "case $1" "cannot build its stage-1 initramfs"; return 1; }
  t=$(date +%s.%N)
  timeout --kill-after=5 "$E2E_ARM64_TIMEOUT" qemu-system-aarch64 -M virt -cpu max -accel tcg -m 1G \
    -nographic -no-reboot -net none -kernel "$kernel" -initrd "$W/stage1-$1.gz" -append "$APPEND" \
    </dev/null >"$W/$1.log" 2>&1
  echo "# case $1: QEMU rc=$? in $(echo "$(date +%s.%N) - $t" | bc) s (log $W/$1.log)"
}
check() {  # check NAME WHAT LOADER-LINE...: what a case asserts
  local name=$1 what=$2 want t why=""
  shift 2
  for t in luo_kexec_simple luo_multi_session; do
    has "$name" "KHO64-STAGE1 $t rc=0" || why="${why:-stage 1 of $t did not pass in the KHO kernel}"
  done
  has "$name" "lugate-loader: lugate loader" || why="${why:-the loader did not run (kexec-file: $(grep -a -m1 'kexec-file' "$W/$name.log"))}"
  has "$name" "lugate-loader: KHO: root compatible \"$kho\"" || why="${why:-the loader did not read KHO's root ($kho)}"
  for want in "$@"; do has "$name" "lugate-loader: $want" || why="${why:-no loader line '$want'}"; done
  want=$(luo_read "$name") && [ -z "$want" ] || why="${why:-$want}"
  after_jump "$name" "KHO64-STAGE2 kernel=$kver kho_in=yes" || why="${why:-no stage 2 with KHO in}"
  after_jump "$name" "--- SIMPLE KEXEC TEST PASSED ---" || why="${why:-luo_kexec_simple stage 2 did not pass}"
  after_jump "$name" "--- MULTI-SESSION KEXEC TEST PASSED ---" || why="${why:-luo_multi_session stage 2 did not pass}"
  for t in luo_kexec_simple luo_multi_session; do
    after_jump "$name" "KHO64-STAGE2 $t rc=0" || why="${why:-$t exited non-zero in stage 2}"
  done
  after_jump "$name" "KHO64-STAGE2 chosen lugate,handoff present" || why="${why:-no /chosen lugate,handoff}"
  after_jump "$name" "compatible lugate,handoff-v1" || why="${why:-no lugate-handoff node}"
  after_jump "$name" "KHO64-STAGE2 chosen linux,kho-fdt present" || why="${why:-KHO's FDT was not forwarded}"
  after_jump "$name" "KHO64-STAGE2 done" || why="${why:-stage 2 did not finish}"
  if [ -z "$why" ]; then tap_ok "case $name: $what"; else
    tap_not_ok "case $name: $what" "$why"
    grep -a "lugate-loader\|KHO64\|kexec-file\|Kernel panic" "$W/$name.log" | tail -40 | sed 's/^/#   /' >&2
  fi
}

run_case allowed
check allowed "the loader read the LUO state and allows, the target boots, both selftests pass stage 2" \
  "verdict: ALLOW" "booting the TARGET kernel, table delivered marked allowed"
run_case changed
check changed "the target changed after sealing: the fallback boots, both selftests still pass stage 2" \
  "verdict: REFUSE" "  reason image-mismatch" "booting the FALLBACK kernel, table delivered marked refused"
run_case memfd-compat
check memfd-compat "the target cannot revive the memfds LUO preserved: refused for each, the fallback boots" \
  "verdict: REFUSE" \
  "  reason compat-missing: file-handler format '$memfd' (session 'test-session', token 0x1a) of the outgoing kernel is not revived" \
  "  reason compat-missing: file-handler format '$memfd' (session 'multi-test-files-2', token 0x3003) of the outgoing kernel is not revived" \
  "booting the FALLBACK kernel, table delivered marked refused"
# one reason per preserved memfd, and none of another layer: every other format was revived
n=$(grep -ac "lugate-loader:   reason compat-missing: file-handler format '$memfd' (session '" "$W/memfd-compat.log")
all=$(grep -ac "lugate-loader:   reason " "$W/memfd-compat.log")
if [ "$n" = 6 ] && [ "$all" = 6 ]; then tap_ok "case memfd-compat: six compat-missing reasons, one per memfd LUO preserved, no other"
else tap_not_ok "case memfd-compat: six compat-missing reasons, one per memfd" "$n for $memfd, $all reasons in all"; fi
echo "# kho-arm64: $(($(date +%s) - t0)) s in all"
tap_finish
