#!/usr/bin/env bash
# A real live update through KHO with lugate's loader in the middle (docs/live-update.md): a memfd preserved
# through LUO in one kernel comes back byte-exact in the kernel lugate's bzImage64 loader boots.
#
# Guest: the KHO+LUO kernel from scripts/kho-kernel.sh under QEMU TCG, `kho=on liveupdate=on`.
# Host side: the same kernel stamped (`lugate embed`) with a manifest listing the KHO/LUO/memfd
# formats it writes (read from its source) and the table's schema; a handoff table listing those
# formats, sealed (`lugate seal`) to the stamped image with the unstamped kernel as fallback; a
# bundle (`lugate bundle build`) with the table, the target, the stage-2 initramfs and the command
# lines. Stage 1 (first kernel): luo-memfd preserve -> kexec -s -l loader.bzImage --initrd=bundle
# -> kexec -e. The loader checks (the KHO FDT's root compatible is an outgoing format the target
# must revive), writes only inside KHO scratch, forwards the KHO setup_data and boots:
#   scenario allow:    the target; its dmesg shows the KHO data found, the memfd comes back
#                      byte-exact, the table is in setup_data (verdict allowed, booted target)
#   scenario high:     the same with 6 GiB of RAM and 1 GiB pages: KHO's FDT and scratch lie
#                      partly above 4 GiB
#   scenario la57:     the same under 5-level paging (QEMU -cpu max)
#   scenario mismatch: the target changed after sealing; the loader refuses (image-mismatch),
#                      boots the fallback with KHO forwarded, the memfd still byte-exact
#   scenario kho-compat: the target's manifest lacks the KHO format the loader reads from the
#                      KHO FDT (the table does not list it, so the host allows): the loader
#                      refuses (compat-missing), boots the fallback, the memfd still byte-exact
#   scenario memfd-compat: the target's manifest lacks the memfd handler; the table does not list
#                      it either, so the host allows; only the serialized LUO state the loader
#                      reads at the jump names it: the loader refuses (compat-missing, naming
#                      session, token and handler of every memfd), boots the fallback, every
#                      memfd byte-exact
# Stage 1 preserves memfds in two sessions ("lugate-e2e": one; "vm-guest-ram": three). Every
# scenario checks the loader's reading of the LUO state (sessions, files, FLBs); the allowed
# ones' manifests list every handler and FLB string the kernel writes (read from its source).
# Every assertion reads the serial log. Nothing is skipped.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
kho_files=$here/kho
cd "$LUGATE_TOP" || exit 1
: "${E2E_TIMEOUT:=400}"
[ "$E2E_TIMEOUT" -ge 400 ] || E2E_TIMEOUT=400   # two kernels and a loader under TCG
export E2E_TIMEOUT

LUGATE=$E2E_BUILD/lugate
LOADER=$E2E_BUILD/loader.bzImage
LUO_MEMFD=$E2E_BUILD/e2e/luo-memfd
BASE_APPEND="console=ttyS0 panic=-1 kho=on liveupdate=on"
GUID=6b1d2c3e-4f50-4a61-8b72-9c8d7e6f5a4b

abort() { tap_not_ok "$1" "${2:-}"; tap_finish; exit 1; }

e2e_need qemu-system-x86_64 timeout cpio gzip busybox bc sha256sum || abort "e2e tools present" "run scripts/deps.sh e2e"
make -s --no-print-directory BUILD="$BUILD" "$LUGATE" "$LOADER" "$LUO_MEMFD" >&2 || abort "build lugate, loader.bzImage, luo-memfd"
tap_ok "built $LOADER ($(stat -c %s "$LOADER") bytes)"

# The image is a bzImage64 kexec_file accepts: the setup header's fields.
hdr() { od -An -t"$1" -j "$2" -N "$3" "$LOADER" | tr -d ' '; }
if [ "$(dd if="$LOADER" bs=1 skip=$((0x202)) count=4 2>/dev/null)" = HdrS ] &&
   [ "$(hdr x2 $((0x1fe)) 2)" = aa55 ] && [ "$(hdr x2 $((0x206)) 2)" = 020c ] &&
   [ "$(hdr u1 $((0x211)) 1)" = 1 ] && [ "$(hdr u1 $((0x234)) 1)" = 1 ] &&
   [ "$(hdr x2 $((0x236)) 2)" = 0023 ]; then
  tap_ok "loader.bzImage: HdrS, boot_flag 0xaa55, protocol 2.12, LOADED_HIGH, relocatable, XLF_KERNEL_64|XLF_CAN_BE_LOADED_ABOVE_4G|XLF_5LEVEL"
else tap_not_ok "loader.bzImage setup header"; fi
elf=$E2E_BUILD/loader/loader-bz64.elf
if [ "$(readelf -rW "$elf" | grep -cE 'R_X86_64_' )" = "$(readelf -rW "$elf" | grep -c R_X86_64_RELATIVE)" ] &&
   [ "$(readelf -hW "$elf" | awk '/Type:/{print $2}')" = DYN ]; then
  tap_ok "loader.bzImage is a PIE whose only relocations are R_X86_64_RELATIVE ($(readelf -rW "$elf" | grep -c R_X86_64_RELATIVE), applied by its entry)"
else tap_not_ok "loader.bzImage relocations"; fi

t0=$(date +%s)
kernel=$(e2e_kho_kernel) || abort "KHO+LUO kernel available (scripts/kho-kernel.sh)"
kdir=$(dirname "$kernel")
kver=$(cat "$kdir/version")
tap_ok "KHO+LUO kernel $kver available ($(( $(date +%s) - t0 ))s)"
ksrc=$(sed -n 's/^source=//p' "$kdir/stamp")
kho_compat=$(sed -n 's/^#define KHO_FDT_COMPATIBLE "\(.*\)"/\1/p' "$ksrc/include/linux/kho/abi/kexec_handover.h")
luo_compat=$(sed -n 's/^#define LUO_ABI_COMPATIBLE[[:space:]]*"\(.*\)"/\1/p' "$ksrc/include/linux/kho/abi/luo.h")
memfd_compat=$(sed -n 's/^#define MEMFD_LUO_FH_COMPATIBLE[[:space:]]*"\(.*\)"/\1/p' "$ksrc/include/linux/kho/abi/memfd.h")
[ -n "$kho_compat" ] && [ -n "$luo_compat" ] && [ -n "$memfd_compat" ] ||
  abort "read the KHO/LUO/memfd compatible strings from $ksrc"
flbs=$(e2e_luo_flb_compats "$ksrc" "$kdir/config") || abort "read the FLB compatible strings from $ksrc"
nflb=$(echo "$flbs" | grep -c .)
flb_json=$(echo "$flbs" | sed -n 's/.*/, "&"/p' | tr -d '\n')
tap_ok "kernel source: KHO '$kho_compat', LUO '$luo_compat', memfd '$memfd_compat', $nflb FLB(s)${flbs:+ ($(echo $flbs))}"

work=$(e2e_workdir kho) || abort "create work directory"

# ---- host: manifest, stamp, table, seal ------------------------------------------------------------
cat >"$work/manifest.json" <<JSON
{"release": "$kver",
 "schemas": [{"guid": "$GUID", "min_version": 1, "max_version": 2}],
 "compatible": ["$kho_compat", "$luo_compat", "$memfd_compat"$flb_json]}
JSON
cat >"$work/devices.json" <<JSON
{"release": "$kver", "compatible": ["$luo_compat", "$memfd_compat"],
 "devices": [{"address": "0000:00:03.0", "vendor": "0x1af4", "device": "0x1000", "class": "0x020000",
   "schema": "$GUID", "schema_version": 1, "driver": "virtio-net"}]}
JSON
"$LUGATE" embed --manifest "$work/manifest.json" "$kernel" -o "$work/target.img" >&2 &&
  "$LUGATE" handoff build --devices "$work/devices.json" -o "$work/table.bin" >&2 &&
  "$LUGATE" seal --handoff "$work/table.bin" --kernel "$work/target.img" --fallback "$kernel" -o "$work/sealed.bin" >&2 ||
  abort "host: embed, handoff build, seal"
"$LUGATE" check --handoff "$work/sealed.bin" --kernel "$work/target.img" >&2 ||
  abort "host: the pre-flight check allows the stamped target"
tap_ok "host: target stamped, table sealed to it (fallback: the unstamped kernel), pre-flight allows"
table_sha=$(sha256sum "$work/sealed.bin" | cut -d' ' -f1)

# ---- initramfs images --------------------------------------------------------------------------
s2=$work/stage2
e2e_initramfs_new "$s2" && e2e_initramfs_add "$s2" "$LUO_MEMFD" bin/luo-memfd 0755 &&
  cat "$kho_files/kho-incoming-init.sh" "$here/loader/guest-check.sh" | e2e_initramfs_init "$s2" &&
  e2e_initramfs_pack "$s2" "$work/stage2.cpio.gz" || abort "build the stage-2 initramfs"

# make_bundle NAME TARGET [TABLE [FLAGS]]: a bundle with TARGET as the kernel; both command lines
# name the delivery record the guest must see. FLAGS: --allow-refused-target for a target the
# loader must refuse (bundle build refuses to pack it otherwise).
make_bundle() {  # make_bundle NAME TARGET [TABLE [FLAGS]]
  local name=$1 target=$2 table=${3:-$work/sealed.bin} flags=${4:-} common
  common="$BASE_APPEND e2e_stage=2 lugate_e2e.table_sha256=$(sha256sum "$table" | cut -d' ' -f1)"
  "$LUGATE" bundle build $flags --table "$table" --kernel "$target" --initrd "$work/stage2.cpio.gz" \
    --append "$common lugate_e2e.expect=allowed,target" \
    --fallback "$kernel" --fallback-initrd "$work/stage2.cpio.gz" \
    --fallback-append "$common lugate_e2e.expect=refused,fallback" -o "$work/$name.bundle" >&2
}
make_stage1() {  # make_stage1 NAME: the first kernel's initramfs carrying loader + bundle NAME
  local d=$work/stage1-$1
  e2e_initramfs_new "$d" && e2e_initramfs_add "$d" "$LUO_MEMFD" bin/luo-memfd 0755 &&
    e2e_initramfs_init "$d" <"$kho_files/kho-outgoing-init.sh" && e2e_initramfs_add_kexec "$d" &&
    e2e_initramfs_add "$d" "$kho_files/e2e-kexec" bin/e2e-kexec 0755 &&
    e2e_initramfs_add "$d" "$LOADER" boot/loader.bzImage &&
    e2e_initramfs_add "$d" "$work/$1.bundle" boot/bundle.bin &&
    e2e_initramfs_pack "$d" "$work/stage1-$1.cpio.gz"
}

check_log() {  # check_log NAME TEXT
  if e2e_log_has "$log" "$2"; then tap_ok "$1"; else tap_not_ok "$1" "no '$2' in $log"; fi
}
check_no() {   # check_no NAME TEXT
  if e2e_log_has "$log" "$2"; then tap_not_ok "$1" "'$2' in $log"; else tap_ok "$1"; fi
}

# run NAME [QEMU ARGS...]: boot the first kernel with stage1-NAME; the log is $work/NAME.log
run() {
  local name=$1
  shift
  log=$work/$name.log
  set -- "$name" "$@"
  e2e_qemu "$log" "$kernel" "$work/stage1-$1.cpio.gz" "$BASE_APPEND" "${@:2}"; rc=$?
  echo "# $1: QEMU rc=$rc in ${E2E_QEMU_SECONDS}s, log $log"
  if [ "$rc" -eq 0 ]; then tap_ok "$1: QEMU finished within ${E2E_TIMEOUT}s (${E2E_QEMU_SECONDS}s)"
  else tap_not_ok "$1: QEMU finished within ${E2E_TIMEOUT}s" "rc=$rc"; e2e_log_tail "$log" 40; fi
  check_log "$1: first kernel preserved the memfd" "LUO-MEMFD: preserved session="
  check_log "$1: kexec -s -l accepted loader.bzImage with the bundle" "E2E-KEXEC-LOADED"
  check_log "$1: the loader started (bzImage64 entry)" "lugate-loader: lugate loader 0.1 entered via bzimage64"
  check_log "$1: the loader found the KHO FDT ('$kho_compat') in setup_data" "root compatible \"$kho_compat\": outgoing KHO format recorded"
  check_log "$1: the loader writes only inside KHO scratch" "lugate-loader: KHO: scratch area ["
  check_log "$1: the bundle's entries verified" "lugate-loader: bundle: kernel,"
  check_no  "$1: no bundle digest mismatch" "DIGEST MISMATCH"
  luo_read "$1"
}
# luo_read NAME: the loader read the LUO state stage 1 left: both sessions with their files'
# handler and tokens, the FLBs the kernel writes.
luo_read() {
  if e2e_log_has_re "$log" "^lugate-loader: LUO: state '$luo_compat' at 0x[0-9a-f]+, live update [0-9]+: 2 session\\(s\\), 4 file\\(s\\), $nflb FLB\\(s\\) \\([0-9]+ linked blocks read\\)"; then
    tap_ok "$1: the loader read the LUO state: 2 sessions, 4 files, $nflb FLB(s)"
  else tap_not_ok "$1: the loader read the LUO state" "no summary line with 2 sessions, 4 files, $nflb FLBs"; fi
  check_log "$1: LUO session lugate-e2e: its memfd's handler and token" "lugate-loader: LUO: session 'lugate-e2e': 1 file(s): $memfd_compat token 0x6c75676174650001"
  check_log "$1: LUO session vm-guest-ram: three memfds, tokens 0x1000.." "lugate-loader: LUO: session 'vm-guest-ram': 3 file(s): $memfd_compat token 0x1000, $memfd_compat token 0x1001, $memfd_compat token 0x1002"
  local f
  for f in $flbs; do check_log "$1: LUO FLB $f read" "lugate-loader: LUO: FLB '$f', 4 dependent file(s)"; done
  check_no "$1: the LUO state was readable" "reason handover-unreadable"
}
# in_scratch NAME: every range the loader logged for the booted kernel ("<label>: <what> at
# [a-b)") lies inside one of the KHO scratch areas it logged.
in_scratch() {
  local areas ranges r a b s e ok bad=""
  areas=$(tr -d '\r' <"$log" | sed -n 's/^lugate-loader: KHO: scratch area \[\(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)).*/\1 \2/p')
  ranges=$(tr -d '\r' <"$log" | sed -n 's/^lugate-loader: \(target\|fallback\): .* at \[\(0x[0-9a-f]*\)-\(0x[0-9a-f]*\))$/\2 \3/p')
  [ -n "$areas" ] && [ "$(echo "$ranges" | wc -l)" -ge 4 ] || { tap_not_ok "$1: placements inside KHO scratch" "no scratch areas or placements logged"; return; }
  while read -r a b; do
    ok=0
    while read -r s e; do
      [ $((a)) -ge $((s)) ] && [ $((b)) -le $((e)) ] && ok=1
    done <<<"$areas"
    [ "$ok" = 1 ] || bad="$bad [$a-$b)"
  done <<<"$ranges"
  if [ -z "$bad" ]; then tap_ok "$1: kernel, initrd, command line, record and zero page all inside KHO scratch ($(echo "$ranges" | wc -l) ranges)"
  else tap_not_ok "$1: placements inside KHO scratch" "outside:$bad"; fi
}
# forwarded NAME: the booted kernel's setup_data chain is the delivery record, then every incoming
# entry the loader logged (KHO's type 10 among them; an RNG seed, type 9, under -cpu max), in order.
forwarded() {
  local in out
  in=$(tr -d '\r' <"$log" | sed -n 's/^lugate-loader: setup_data in: type \([0-9]*\) at .*/\1/p' | while read -r t; do printf '0x%x ' "$t"; done)
  out=$(tr -d '\r' <"$log" | sed -n 's|^LUGATE-E2E setup_data /sys/kernel/boot_params/setup_data/[0-9]* type=\(0x[0-9a-f]*\)$|\1|p' | tr '\n' ' ')
  case "$in" in *0xa*) ;; *) tap_not_ok "$1: setup_data forwarded" "the loader logged no incoming type 10"; return ;; esac
  if [ "$out" = "0x4c554741 $in" ]; then tap_ok "$1: the booted kernel's setup_data: the record, then the incoming entries unchanged in order ($in)"
  else tap_not_ok "$1: setup_data forwarded" "incoming '$in', booted kernel sees '$out'"; fi
}
# after_boot NAME: what the booted kernel must show
after_boot() {
  in_scratch "$1"
  forwarded "$1"
  check_log "$1: booted kernel found the KHO data (not a cold boot)" "KHO: found kexec handover data"
  check_no  "$1: booted kernel did not call the KHO data incompatible" "is incompatible with"
  check_log "$1: booted kernel's LUO retrieved the live update data" "luo: Retrieved live update data"
  check_log "$1: incoming KHO FDT root compatible is '$kho_compat'" "KHO-INFO in fdt compatible=$kho_compat"
  check_log "$1: memfd retrieved, every byte matches, FINISH ok" "LUO-MEMFD: PASS session=lugate-e2e "
  check_log "$1: the second session's three memfds retrieved, every byte matches" "LUO-MEMFD: PASS session=vm-guest-ram files=3 "
  check_no  "$1: no memfd FAIL marker" "LUO-MEMFD: FAIL"
  check_log "$1: the sealed table arrived in setup_data, byte-exact (guest check)" "LUGATE-E2E PASS"
}

# ---- scenario 1: allow ---------------------------------------------------------------------------
make_bundle allow "$work/target.img" && make_stage1 allow || abort "allow: build bundle and stage-1 initramfs"
run allow
check_log "allow: loader verdict ALLOW" "lugate-loader: verdict: ALLOW $kver -> $kver"
check_log "allow: loader boots the target" "lugate-loader: booting the TARGET kernel, table delivered marked allowed"
after_boot allow
if e2e_log_has_re "$log" "LUGATE-E2E kernel=.* verdict=1 booted=1 .*table_sha256=$table_sha"; then
  tap_ok "allow: delivery record says allowed, target; table sha256 $table_sha"
else tap_not_ok "allow: delivery record verdict/booted/table"; fi

# ---- scenario 1b: 6 GiB, 1 GiB pages: KHO data above 4 GiB ----------------------------------------
# With more RAM, KHO's FDT and scratch areas lie above 4 GiB; the entry maps 512 GiB with 1 GiB
# pages (the CPU has them here), reads there, and still writes only inside scratch below 4 GiB.
make_bundle high "$work/target.img" && make_stage1 high || abort "high: build bundle and stage-1 initramfs"
E2E_MEM=6144 run high -cpu qemu64,+pdpe1gb
check_log "high: the entry mapped 512 GiB with 1 GiB pages" "lugate-loader: bzImage64 entry: identity map up to 0x8000000000"
if e2e_log_has_re "$log" '^lugate-loader: KHO: (FDT at 0x[1-9a-f][0-9a-f]{8,} |scratch area \[0x[1-9a-f][0-9a-f]{8,}-)'; then
  tap_ok "high: KHO data above 4 GiB read (FDT or a scratch area)"
else tap_not_ok "high: KHO data above 4 GiB read" "nothing above 4 GiB logged"; fi
check_log "high: loader verdict ALLOW" "lugate-loader: verdict: ALLOW $kver -> $kver"
after_boot high

# ---- scenario 1c: 5-level paging --------------------------------------------------------------------
# QEMU's "max" CPU has LA57: the first kernel runs 5-level paging, so kexec_file accepts the loader
# only for its XLF_5LEVEL; the entry puts its map behind a PML5 and enters the target (XLF_5LEVEL).
make_bundle la57 "$work/target.img" && make_stage1 la57 || abort "la57: build bundle and stage-1 initramfs"
E2E_MEM=2048 run la57 -cpu max
check_log "la57: the entry found 5-level paging on" "lugate-loader: bzImage64 entry: 5-level paging (CR4.LA57) is on"
check_log "la57: loader verdict ALLOW" "lugate-loader: verdict: ALLOW $kver -> $kver"
after_boot la57

# ---- scenario 3: target changed after sealing -> the loader refuses -> fallback -----------------
cp "$work/target.img" "$work/changed.img"
printf 'X' | dd of="$work/changed.img" bs=1 seek=$(( $(stat -c %s "$work/changed.img") / 2 )) conv=notrunc 2>/dev/null
if make_bundle mismatch "$work/changed.img" 2>/dev/null; then
  tap_not_ok "mismatch: bundle build refuses a changed target without --allow-refused-target" "it built the bundle"
else tap_ok "mismatch: bundle build refuses a changed target without --allow-refused-target"; fi
make_bundle mismatch "$work/changed.img" "$work/sealed.bin" --allow-refused-target && make_stage1 mismatch ||
  abort "mismatch: build bundle and stage-1 initramfs"
run mismatch
check_log "mismatch: loader refuses with image-mismatch" "lugate-loader:   reason image-mismatch:"
check_log "mismatch: fallback matches its sealed hash" "lugate-loader: fallback: matches the fallback hash sealed in the table"
check_log "mismatch: loader boots the fallback" "lugate-loader: booting the FALLBACK kernel, table delivered marked refused"
after_boot mismatch
if e2e_log_has_re "$log" "LUGATE-E2E kernel=.* verdict=2 booted=2 .*reasons=10 "; then
  tap_ok "mismatch: delivery record says refused, fallback, reason 10 (image-mismatch)"
else tap_not_ok "mismatch: delivery record verdict/booted/reasons"; fi

# ---- scenario 4: the target cannot revive the KHO format the outgoing kernel used ----------------
# The table (as the host recorded it) lists only LUO and memfd, so the host's pre-flight allows a
# target whose manifest lacks KHO's format; only the loader sees the KHO FDT's root compatible at
# the jump, and refuses (compat-missing), then boots the fallback with KHO forwarded.
cat >"$work/manifest-nokho.json" <<JSON
{"release": "$kver",
 "schemas": [{"guid": "$GUID", "min_version": 1, "max_version": 2}],
 "compatible": ["$luo_compat", "$memfd_compat"$flb_json]}
JSON
"$LUGATE" embed --manifest "$work/manifest-nokho.json" "$kernel" -o "$work/target-nokho.img" >&2 &&
  "$LUGATE" seal --handoff "$work/table.bin" --kernel "$work/target-nokho.img" --fallback "$kernel" -o "$work/sealed-nokho.bin" >&2 &&
  "$LUGATE" check --handoff "$work/sealed-nokho.bin" --kernel "$work/target-nokho.img" >&2 ||
  abort "kho-compat: host embed/seal/check of a target without '$kho_compat'"
tap_ok "kho-compat: host pre-flight allows a target lacking '$kho_compat' (the table does not list it)"
make_bundle kho-compat "$work/target-nokho.img" "$work/sealed-nokho.bin" && make_stage1 kho-compat ||
  abort "kho-compat: build bundle and stage-1 initramfs"
run kho-compat
check_log "kho-compat: loader refuses: compat-missing '$kho_compat'" "lugate-loader:   reason compat-missing: kho format '$kho_compat' of the outgoing kernel is not revived by the target: KHO revival is disabled"
check_log "kho-compat: loader boots the fallback" "lugate-loader: booting the FALLBACK kernel, table delivered marked refused"
after_boot kho-compat
if e2e_log_has_re "$log" "LUGATE-E2E kernel=.* verdict=2 booted=2 .*reasons=8 "; then
  tap_ok "kho-compat: delivery record says refused, fallback, reason 8 (compat-missing)"
else tap_not_ok "kho-compat: delivery record verdict/booted/reasons"; fi

# ---- scenario 5: the target has no handler for the memfds the outgoing kernel serialized --------
# The table lists only LUO's format, and the target's manifest revives KHO, LUO and the FLBs but
# not the memfd handler: the host's pre-flight allows. Only at the jump does the serialized LUO
# state show memfd-v2 files in both sessions: the loader refuses, naming each file's session,
# token and handler (upstream would lose every session: "No registered handler"), and boots the
# fallback, which revives them all.
cat >"$work/manifest-nomemfd.json" <<JSON
{"release": "$kver",
 "schemas": [{"guid": "$GUID", "min_version": 1, "max_version": 2}],
 "compatible": ["$kho_compat", "$luo_compat"$flb_json]}
JSON
cat >"$work/devices-nomemfd.json" <<JSON
{"release": "$kver", "compatible": ["$luo_compat"],
 "devices": [{"address": "0000:00:03.0", "vendor": "0x1af4", "device": "0x1000", "class": "0x020000",
   "schema": "$GUID", "schema_version": 1, "driver": "virtio-net"}]}
JSON
"$LUGATE" embed --manifest "$work/manifest-nomemfd.json" "$kernel" -o "$work/target-nomemfd.img" >&2 &&
  "$LUGATE" handoff build --devices "$work/devices-nomemfd.json" -o "$work/table-nomemfd.bin" >&2 &&
  "$LUGATE" seal --handoff "$work/table-nomemfd.bin" --kernel "$work/target-nomemfd.img" --fallback "$kernel" -o "$work/sealed-nomemfd.bin" >&2 &&
  "$LUGATE" check --handoff "$work/sealed-nomemfd.bin" --kernel "$work/target-nomemfd.img" >&2 ||
  abort "memfd-compat: host embed/seal/check of a target without '$memfd_compat'"
tap_ok "memfd-compat: host pre-flight allows a target lacking '$memfd_compat' (the table does not list it)"
make_bundle memfd-compat "$work/target-nomemfd.img" "$work/sealed-nomemfd.bin" && make_stage1 memfd-compat ||
  abort "memfd-compat: build bundle and stage-1 initramfs"
run memfd-compat
consequence="the next kernel has no handler for it, so restoring the sessions fails"
check_log "memfd-compat: loader refuses: session lugate-e2e, token 0x6c75676174650001, handler '$memfd_compat'" \
  "lugate-loader:   reason compat-missing: file-handler format '$memfd_compat' (session 'lugate-e2e', token 0x6c75676174650001) of the outgoing kernel is not revived by the target: $consequence"
for t in 1000 1001 1002; do
  check_log "memfd-compat: loader refuses: session vm-guest-ram, token 0x$t, handler '$memfd_compat'" \
    "lugate-loader:   reason compat-missing: file-handler format '$memfd_compat' (session 'vm-guest-ram', token 0x$t) of the outgoing kernel"
done
check_no  "memfd-compat: no other layer refused" "reason compat-missing: kho format"
check_log "memfd-compat: loader boots the fallback" "lugate-loader: booting the FALLBACK kernel, table delivered marked refused"
after_boot memfd-compat
if e2e_log_has_re "$log" "LUGATE-E2E kernel=.* verdict=2 booted=2 .*reasons=8,8,8,8 "; then
  tap_ok "memfd-compat: delivery record says refused, fallback, four compat-missing reasons (one per memfd)"
else tap_not_ok "memfd-compat: delivery record verdict/booted/reasons"; fi

tap_finish
