#!/usr/bin/env bash
# Version skew between real kernels: what upstream does when the next kernel bumps one ABI string,
# and what lugate does instead. The kernels are the family of scripts/kho-family.sh (one 7.3 tree:
# the base, and variants each bumping one string as upstream does: memfd-v2 -> memfd-v3,
# luo-v5 -> luo-v6, kho-v4 -> kho-v5, and a release-only step 7.3.4 -> 7.3.5). The outgoing
# kernel is always the base, under QEMU TCG with `kho=on liveupdate=on`; it runs stage 1 of
# upstream's selftests luo_kexec_simple and luo_multi_session (built with nolibc from the tree,
# as upstream's vmtest.sh does) and preserves a memfd with known bytes (luo-memfd). Then:
#
#  plain  (kexec -s, no lugate), one boot per target: base and release: stage 2 passes;
#         memfd: "No registered handler for compatible 'memfd-v2'", /dev/liveupdate fails with
#         EIO, every session and the memfd are gone; luo: "LUO state is incompatible", panic;
#         kho: "disabling KHO revival", a cold boot without any session.
#  load   (`lugate load` in the guest): one boot refuses memfd, luo and kho in turn (exit 1,
#         nothing staged, compat-missing naming the layer and upstream's consequence), then
#         loads the base and jumps: stage 2 passes, so the sessions outlived the refusals; a
#         second boot loads the release step: allowed, stage 2 passes.
#  loader (bundles sealed on the host, no pre-flight in the guest), one boot per bumped target:
#         the loader reads the state the outgoing kernel serialized, refuses, boots the
#         fallback (the base), and stage 2 passes there.
#
# Every assertion reads the serial log, the second kernel's part of it split off at its
# "Linux version" banner. If upstream behaves otherwise than asserted, the failing line says
# what the log showed. docs/live-update.md ("Version skew") holds the matrix this proves.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
cd "$LUGATE_TOP" || exit 1
: "${E2E_TIMEOUT:=400}"
[ "$E2E_TIMEOUT" -ge 400 ] || E2E_TIMEOUT=400
export E2E_TIMEOUT
t_suite=$(date +%s)

LUGATE=$E2E_BUILD/lugate
LOADER=$E2E_BUILD/loader.bzImage
LUO_MEMFD=$E2E_BUILD/e2e/luo-memfd
BASE_APPEND="console=ttyS0 panic=-1 kho=on liveupdate=on"
GUID_IDE=3c1d7a52-8b4e-4f60-9a2d-5e6f708192a3
GUID_VGA=9e2f4b61-0c3d-4e5f-8a9b-0c1d2e3f4a5b
BUMPS="memfd luo kho"

abort() { tap_not_ok "$1" "${2:-}"; tap_finish; exit 1; }
e2e_need qemu-system-x86_64 timeout cpio gzip busybox bc sha256sum kexec gcc || abort "e2e tools present" "run scripts/deps.sh e2e"
make -s --no-print-directory "${LUGATE#"$LUGATE_TOP"/}" "${LUO_MEMFD#"$LUGATE_TOP"/}" "${LOADER#"$LUGATE_TOP"/}" >&2 ||
  abort "build lugate, luo-memfd, loader.bzImage"

t0=$(date +%s)
kernel=$(e2e_kho_kernel) || abort "KHO+LUO base kernel available (scripts/kho-kernel.sh)"
fam=$("$LUGATE_TOP/scripts/kho-family.sh") || abort "kernel family available (scripts/kho-family.sh)"
tap_ok "kernel family available ($(( $(date +%s) - t0 ))s; built in $(sed -n 's/^build_seconds=//p' "$fam/stamp")s: $(sed -n 's/^variant_seconds=//p' "$fam/stamp"))"
ksrc=$(sed -n 's/^source=//p' "$fam/stamp")
abi() { sed -n "s/^$2=//p" "$fam/$1/abi"; }   # abi VARIANT MACRO
kver=$(cat "$fam/base/version")
kho=$(abi base KHO_FDT_COMPATIBLE); luo=$(abi base LUO_ABI_COMPATIBLE); memfd=$(abi base MEMFD_LUO_FH_COMPATIBLE)
[ -n "$kho" ] && [ -n "$luo" ] && [ -n "$memfd" ] || abort "the base's ABI strings in $fam/base/abi"
# What each variant changed, read back from the family (not assumed here).
declare -A image rel
image[base]=$kernel; rel[base]=$kver
for v in $BUMPS release; do image[$v]=$fam/$v/bzImage; rel[$v]=$(cat "$fam/$v/version"); done
new_memfd=$(abi memfd MEMFD_LUO_FH_COMPATIBLE); new_luo=$(abi luo LUO_ABI_COMPATIBLE); new_kho=$(abi kho KHO_FDT_COMPATIBLE)
if [ "$new_memfd" != "$memfd" ] && [ "$new_luo" != "$luo" ] && [ "$new_kho" != "$kho" ] &&
   [ "$(abi memfd LUO_ABI_COMPATIBLE)$(abi memfd KHO_FDT_COMPATIBLE)" = "$luo$kho" ] &&
   [ "$(abi luo MEMFD_LUO_FH_COMPATIBLE)$(abi luo KHO_FDT_COMPATIBLE)" = "$memfd$kho" ] &&
   [ "$(abi kho MEMFD_LUO_FH_COMPATIBLE)$(abi kho LUO_ABI_COMPATIBLE)" = "$memfd$luo" ] &&
   cmp -s "$fam/base/abi" "$fam/release/abi" && [ "${rel[release]}" != "$kver" ] &&
   [ "${rel[memfd]}${rel[luo]}${rel[kho]}" = "$kver$kver$kver" ]; then
  tap_ok "family: base $kver ($kho, $luo, $memfd); memfd $new_memfd, luo $new_luo, kho $new_kho, release ${rel[release]}; each differs in one thing"
else tap_not_ok "family: each variant differs from the base in exactly one thing"; fi

# FLB strings the kernel's LIVEUPDATE_TEST registers with every file handler: every target revives them.
nflbs=$(sed -n 's/^#define TEST_NFLBS[[:space:]]*\([0-9]*\).*/\1/p' "$ksrc/lib/tests/liveupdate.c")
flb_prefix=$(sed -n 's/^#define LIVEUPDATE_TEST_FLB_COMPATIBLE(i)[[:space:]]*"\([^"]*\)" #i.*/\1/p' "$ksrc/include/linux/kho/abi/luo.h")
[ -n "$nflbs" ] && [ -n "$flb_prefix" ] || abort "read the test FLBs' compatible strings from $ksrc"
flbs=""; for ((i = 0; i < nflbs; i++)); do flbs="$flbs, \"$flb_prefix$i\""; done

W=$(e2e_workdir skew) || abort "work directory"

# ---- upstream's selftests, built with nolibc as tools/testing/selftests/liveupdate/vmtest.sh does
st=$ksrc/tools/testing/selftests/liveupdate
for t in luo_kexec_simple luo_multi_session; do
  gcc -static -O2 -nostdinc -nostdlib -I "$fam/headers/include" -I "$ksrc/tools/include/nolibc" \
    -I "$st/lib/include" -o "$W/$t" "$st/$t.c" "$st/lib/lu_utils.c" >&2 || abort "build upstream's $t with nolibc"
done
tap_ok "upstream's luo_kexec_simple and luo_multi_session built with nolibc against the tree's UAPI headers"

# ---- host: every target stamped with a manifest of what it revives ------------------------------
manifest() {  # manifest VARIANT: its release and its own KHO/LUO/memfd strings, the test FLBs
  cat <<JSON
{"release": "${rel[$1]}", "schemas": [
  {"guid": "$GUID_IDE", "min_version": 1, "max_version": 3},
  {"guid": "$GUID_VGA", "min_version": 1, "max_version": 1}],
 "compatible": ["$(abi "$1" KHO_FDT_COMPATIBLE)", "$(abi "$1" LUO_ABI_COMPATIBLE)", "$(abi "$1" MEMFD_LUO_FH_COMPATIBLE)"$flbs]}
JSON
}
for v in base $BUMPS release; do
  manifest "$v" >"$W/manifest-$v.json" &&
    "$LUGATE" embed --manifest "$W/manifest-$v.json" "${image[$v]}" -o "$W/$v.img" >&2 ||
    abort "host: lugate embed the $v kernel"
done
tap_ok "host: every family member stamped with a manifest of its own strings"

# ---- stage 2, and the loader column's bundles -----------------------------------------------------
s2=$W/s2
{ e2e_initramfs_new "$s2" && e2e_initramfs_add "$s2" "$LUO_MEMFD" bin/luo-memfd 0755 &&
  e2e_initramfs_add "$s2" "$W/luo_kexec_simple" bin/luo_kexec_simple 0755 &&
  e2e_initramfs_add "$s2" "$W/luo_multi_session" bin/luo_multi_session 0755 &&
  e2e_initramfs_init "$s2" <"$here/skew/skew-incoming-init.sh" &&
  e2e_initramfs_pack "$s2" "$W/stage2.gz"; } >&2 || abort "build the stage-2 initramfs"

# The host seals each bumped target with a table that lists no outgoing format, as a host
# without the pre-flight would: only the loader, reading the KHO FDT and LUO's serialized state
# at the jump, can tell.
cat >"$W/devices-host.json" <<JSON
{"release": "$kver", "devices": [
  {"address": "0000:00:01.1", "vendor": "0x8086", "device": "0x7010", "class": "0x010180",
   "schema": "$GUID_IDE", "schema_version": 2},
  {"address": "0000:00:02.0", "vendor": "0x1234", "device": "0x1111", "class": "0x030000",
   "schema": "$GUID_VGA", "schema_version": 1}]}
JSON
# the guest's device list: `handoff build --from-running` takes the release and formats itself
cat >"$W/devices-guest.json" <<JSON
{"devices": [
  {"address": "0000:00:01.1", "schema": "$GUID_IDE", "schema_version": 2},
  {"address": "0000:00:02.0", "schema": "$GUID_VGA", "schema_version": 1}]}
JSON
"$LUGATE" handoff build --devices "$W/devices-host.json" -o "$W/table-host.bin" >&2 || abort "host: handoff build"
for v in $BUMPS; do
  common="$BASE_APPEND e2e_stage=2"
  "$LUGATE" seal --handoff "$W/table-host.bin" --kernel "$W/$v.img" --fallback "$kernel" -o "$W/sealed-$v.bin" >&2 &&
    "$LUGATE" bundle build --table "$W/sealed-$v.bin" --kernel "$W/$v.img" --initrd "$W/stage2.gz" \
      --append "$common" --fallback "$kernel" --fallback-initrd "$W/stage2.gz" \
      --fallback-append "$common" -o "$W/bundle-$v.bin" >&2 ||
    abort "host: seal and bundle the $v target (the host, without the pre-flight, allows it)"
done
tap_ok "host: the memfd, luo and kho targets sealed and bundled without a pre-flight (the host allows each)"

# ---- stage 1: one initramfs for every case, the command line picks the case ---------------------
s1=$W/s1
{ e2e_initramfs_new "$s1" &&
  make -s --no-print-directory install DESTDIR="$s1" PREFIX=/usr >&2 &&
  e2e_initramfs_add_elf "$s1" "$LUGATE" /usr/sbin/lugate && e2e_initramfs_add_kexec "$s1" &&
  e2e_initramfs_add "$s1" "$LUO_MEMFD" bin/luo-memfd 0755 &&
  e2e_initramfs_add "$s1" "$W/luo_kexec_simple" bin/luo_kexec_simple 0755 &&
  e2e_initramfs_add "$s1" "$W/luo_multi_session" bin/luo_multi_session 0755 &&
  e2e_initramfs_add "$s1" "$here/skew/jump.sh" etc/skew/jump.sh &&
  ln -s vmlinuz-base "$s1/boot/vmlinuz-$kver" && ln -s vmlinuz-base "$s1/boot/vmlinuz-current" &&
  e2e_initramfs_add "$s1" "$W/stage2.gz" boot/stage2.gz &&
  ln -s stage2.gz "$s1/boot/initrd.img-next" && ln -s stage2.gz "$s1/boot/initrd.img-current" &&
  e2e_initramfs_add "$s1" "$LOADER" boot/loader.bzImage &&
  e2e_initramfs_add "$s1" "$W/devices-guest.json" etc/lugate/devices.json &&
  e2e_initramfs_init "$s1" <"$here/skew/skew-outgoing-init.sh"; } >&2 || abort "build the stage-1 initramfs"
# Every case takes the stamped images: the manifest is a trailer past the end of the bzImage,
# which kexec_file_load ignores, and one copy of each kernel keeps the initramfs small.
for v in base $BUMPS release; do
  e2e_initramfs_add "$s1" "$W/$v.img" "boot/vmlinuz-$v" || abort "stage-1 initramfs: the $v kernel"
done
for v in $BUMPS; do e2e_initramfs_add "$s1" "$W/bundle-$v.bin" "boot/bundle-$v.bin" || abort "stage-1 initramfs: bundle $v"; done
e2e_initramfs_pack "$s1" "$W/stage1.gz" || abort "pack the stage-1 initramfs"
[ -s "$s1/usr/lib/lugate/loader.bzImage" ] || abort "make install put the loader at /usr/lib/lugate/loader.bzImage"
tap_ok "stage-1 initramfs: $(( $(stat -c %s "$W/stage1.gz") / 1024 )) KiB"

# ---- assertions -----------------------------------------------------------------------------------
# $log is the whole serial log of the case, $log2 the part after the last kernel banner: what the
# kernel that came up after the hand-over printed.
has()   { if e2e_log_has "$1" "$3"; then tap_ok "$2"; else tap_not_ok "$2" "no '$3' in $1"; fi; }
hasre() { if e2e_log_has_re "$1" "$3"; then tap_ok "$2"; else tap_not_ok "$2" "no line matching '$3' in $1"; fi; }
hasnt() { if e2e_log_has "$1" "$3"; then tap_not_ok "$2" "'$3' in $1"; else tap_ok "$2"; fi; }
saw()   { tr -d '\r#' <"$1" | grep -m1 -E -- "$2" | cut -c1-160; }   # saw LOG REGEX: the first line matching (without '#', which TAP would read as a directive)
boot() {  # boot NAME APPEND: the base kernel with the stage-1 initramfs
  log=$W/$1.log; log2=$W/$1.after.log
  e2e_qemu "$log" "$kernel" "$W/stage1.gz" "$BASE_APPEND $2"; local rc=$?
  echo "# $1: QEMU rc=$rc in ${E2E_QEMU_SECONDS}s, log $log"
  BOOT_SECONDS="$BOOT_SECONDS $1=${E2E_QEMU_SECONDS}"
  tr -d '\r' <"$log" | awk '/Linux version /{n++; buf=""} {if (n >= 2) print}' >"$log2"
  if [ "$rc" -eq 0 ]; then tap_ok "$1: QEMU finished within ${E2E_TIMEOUT}s (${E2E_QEMU_SECONDS}s)"
  else tap_not_ok "$1: QEMU finished within ${E2E_TIMEOUT}s" "rc=$rc"; e2e_log_tail "$log" 40; fi
  has "$log" "$1: stage 1 of luo_kexec_simple passed in the base kernel" "SKEW-STAGE1 luo_kexec_simple rc=0"
  has "$log" "$1: stage 1 of luo_multi_session passed in the base kernel" "SKEW-STAGE1 luo_multi_session rc=0"
  has "$log" "$1: the base kernel preserved the memfd" "LUO-MEMFD: preserved session="
}
stage2_passes() {  # stage2_passes NAME: in the kernel after the hand-over, every test passed
  has "$log2" "$1: stage 2 of luo_kexec_simple passed" "--- SIMPLE KEXEC TEST PASSED ---"
  has "$log2" "$1: stage 2 of luo_multi_session passed" "--- MULTI-SESSION KEXEC TEST PASSED ---"
  has "$log2" "$1: luo_kexec_simple exited 0" "SKEW-STAGE2 luo_kexec_simple rc=0"
  has "$log2" "$1: luo_multi_session exited 0" "SKEW-STAGE2 luo_multi_session rc=0"
  has "$log2" "$1: the memfd came back, every byte, FINISH ok" "LUO-MEMFD: PASS session="
  hasnt "$log2" "$1: no test skipped" "# SKIP"
}
# stage2_lost NAME: the tests ran in the next kernel and every session was gone. A selftest's
# "SKIP Failed to open /dev/liveupdate" is that loss, and is asserted as one.
stage2_lost() {
  has "$log2" "$1: stage 2 ran in the next kernel" "SKEW-STAGE2 kernel="
  for t in luo_kexec_simple luo_multi_session; do
    if e2e_log_has_re "$log2" "^SKEW-STAGE2 $t rc=[1-9]"; then
      tap_ok "$1: stage 2 of $t did not pass (it said: $(test_out "$t" | grep -m1 -E "^(1\.\.0|Bail out!|not ok)" | cut -c1-120); $(saw "$log2" "^SKEW-STAGE2 $t rc="))"
    else tap_not_ok "$1: stage 2 of $t fails" "saw: $(saw "$log2" "^SKEW-STAGE2 $t rc=")"; fi
  done
  hasnt "$log2" "$1: no selftest reported PASSED" "KEXEC TEST PASSED ---"
  has "$log2" "$1: the memfd is gone (luo-memfd verify fails)" "LUO-MEMFD: FAIL"
  hasnt "$log2" "$1: the memfd did not come back" "LUO-MEMFD: PASS"
}
# test_out TEST: what TEST printed in stage 2 (the lines before its "rc=" marker), without '#'
test_out() {
  tr -d '\r#' <"$log2" | awk -v m="SKEW-STAGE2 $1 rc=" \
    '/^SKEW-STAGE2 / { if (index($0, m) == 1) { printf "%s", buf; exit } buf = ""; next } { buf = buf $0 "\n" }'
}
BOOT_SECONDS=""

# ---- column 1: plain kexec -s, no lugate ----------------------------------------------------------
for v in base release; do
  boot "plain-$v" "e2e_mode=plain e2e_target=$v"
  has "$log" "plain-$v: kexec -s loaded the $v kernel" "SKEW-KEXEC-LOADED plain $v"
  has "$log2" "plain-$v: the next kernel is ${rel[$v]}" "SKEW-STAGE2 kernel=${rel[$v]}"
  has "$log2" "plain-$v: the next kernel found the KHO data" "KHO: found kexec handover data"
  stage2_passes "plain-$v"
done

boot plain-memfd "e2e_mode=plain e2e_target=memfd"
has "$log2" "plain-memfd: the next kernel found the KHO data and LUO's state" "luo: Retrieved live update data"
has "$log2" "plain-memfd: the next kernel: No registered handler for compatible '$memfd'" "No registered handler for compatible '$memfd'"
hasre "$log2" "plain-memfd: opening /dev/liveupdate fails with EIO" "^SKEW-STAGE2 liveupdate-open failed: .*(I/O error|Input/output error)"
stage2_lost plain-memfd

boot plain-luo "e2e_mode=plain e2e_target=luo"
has "$log2" "plain-luo: the next kernel: LUO state is incompatible with '$new_luo'" "LUO state is incompatible with '$new_luo'"
hasre "$log2" "plain-luo: the next kernel panics" "Kernel panic - not syncing: The incoming tree failed to initialize properly"
hasnt "$log2" "plain-luo: no init ran after the panic" "SKEW-STAGE2 kernel="

boot plain-kho "e2e_mode=plain e2e_target=kho"
has "$log2" "plain-kho: the next kernel: handover FDT is incompatible with '$new_kho'" "is incompatible with '$new_kho'"
has "$log2" "plain-kho: the next kernel: disabling KHO revival (a cold boot)" "disabling KHO revival"
hasnt "$log2" "plain-kho: no KHO data found" "KHO: found kexec handover data"
hasnt "$log2" "plain-kho: LUO retrieved nothing" "luo: Retrieved live update data"
stage2_lost plain-kho

# ---- column 2: lugate load in the guest -----------------------------------------------------------
boot load-base "e2e_mode=load e2e_target=base e2e_refuse=memfd,luo,kho"
has "$log" "load: handoff build --from-running succeeded" "SKEW-ADMIN exit 0: lugate handoff"
for v in $BUMPS; do
  has "$log" "load-$v: lugate load refused (exit 1), nothing staged" "SKEW-LOAD target=$v exit=1 kexec_loaded=0"
done
# the refusals in order memfd, luo, kho: the reason of each, in the order lugate printed them
refusal() { tr -d '\r' <"$log" | awk -v t="/boot/vmlinuz-$1" '$0 ~ "^SKEW-ADMIN [$] lugate load --kernel " t " " {on=1; next} /^SKEW-LOAD /{on=0} on' >"$W/refusal-$1.txt"; }
for v in $BUMPS; do refusal "$v"; done
hasre "$W/refusal-memfd.txt" "load-memfd: refused, compat-missing naming the file-handler layer and '$memfd' and the consequence" \
  "compat-missing: file-handler format '$memfd'.* is not revived by the target: the next kernel has no handler for it, so restoring the sessions fails, /dev/liveupdate returns -EIO and every session is lost"
hasre "$W/refusal-luo.txt" "load-luo: refused, compat-missing naming the luo layer and '$luo' and the consequence (a panic)" \
  "compat-missing: luo format '$luo' of the outgoing kernel is not revived by the target: LUO cannot restore its state, so the next kernel panics"
hasre "$W/refusal-kho.txt" "load-kho: refused, compat-missing naming the kho layer and '$kho' and the consequence (a cold boot)" \
  "compat-missing: kho format '$kho' of the outgoing kernel is not revived by the target: KHO revival is disabled, so the next kernel boots cold"
for v in $BUMPS; do
  if grep -qE "^refuse: $kver -> $kver, [0-9]+ reasons?" "$W/refusal-$v.txt" && ! grep -q 'lugate-loader:' "$W/refusal-$v.txt"; then
    tap_ok "load-$v: refused before the jump (reasons: $(grep -cE '^  [a-z-]+: ' "$W/refusal-$v.txt")), the loader never ran"
  else tap_not_ok "load-$v: the refusal line 'refuse: $kver -> $kver, N reasons'" "saw: $(head -c 300 "$W/refusal-$v.txt" | tr '\n' '|')"; fi
done
has "$log" "load-base: after three refusals, lugate load allowed the base and staged it" "SKEW-LOAD target=base exit=0 kexec_loaded=1"
has "$log" "load-base: the loader allowed" "lugate-loader: verdict: ALLOW $kver -> $kver"
has "$log2" "load-base: the next kernel found the KHO data" "KHO: found kexec handover data"
stage2_passes "load-base (the sessions outlived three refused loads)"

boot load-release "e2e_mode=load e2e_target=release"
has "$log" "load-release: lugate allowed $kver -> ${rel[release]} as stable-next" "allow: $kver -> ${rel[release]} (stable-next)"
has "$log" "load-release: staged" "SKEW-LOAD target=release exit=0 kexec_loaded=1"
has "$log" "load-release: the loader allowed" "lugate-loader: verdict: ALLOW $kver -> ${rel[release]}"
has "$log2" "load-release: the next kernel is ${rel[release]}" "SKEW-STAGE2 kernel=${rel[release]}"
stage2_passes "load-release"

# ---- column 3: the loader as the last guard -------------------------------------------------------
declare -A loader_reason=(
  [memfd]="lugate-loader:   reason compat-missing: file-handler format '$memfd' \\(session '[^']+', token 0x[0-9a-f]+\\) of the outgoing kernel is not revived by the target"
  [luo]="lugate-loader:   reason compat-missing: luo format '$luo' of the outgoing kernel is not revived by the target"
  [kho]="lugate-loader:   reason compat-missing: kho format '$kho' of the outgoing kernel is not revived by the target"
)
for v in $BUMPS; do
  boot "loader-$v" "e2e_mode=loader e2e_target=$v"
  has "$log" "loader-$v: kexec -s loaded the loader with the host-sealed bundle" "SKEW-KEXEC-LOADED loader $v"
  hasre "$log" "loader-$v: the loader refused, compat-missing naming the $v layer" "${loader_reason[$v]}"
  has "$log" "loader-$v: the loader booted the fallback" "lugate-loader: booting the FALLBACK kernel, table delivered marked refused"
  has "$log2" "loader-$v: the fallback found the KHO data" "KHO: found kexec handover data"
  has "$log2" "loader-$v: the fallback is the base ($kver)" "SKEW-STAGE2 kernel=$kver"
  hasnt "$log2" "loader-$v: no handler missing in the fallback" "No registered handler"
  stage2_passes "loader-$v"
done

echo "# suite-skew: $(( $(date +%s) - t_suite ))s in all; boots:$BOOT_SECONDS"
tap_finish
