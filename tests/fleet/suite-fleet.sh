#!/usr/bin/env bash
# on demand: make check-fleet
# `make check-fleet` (not part of make check: three TCG guests take tens of minutes): the
# playbook lugate.live_update.live_update rolls out over three real Debian 12 guests g1 g2 g3 at
# once (tests/fleet/lib-guest.sh; each its own QEMU, forwarded SSH port and initramfs root),
# driven by ansible-playbook over SSH:
#   c) g3's target lacks a schema its device needs: the pre-flight refuses on g3, and since it
#      runs on every host before any wave, nothing is staged on any host;
#   d) --check on all three changes nothing on any host, and the report says would-update;
#   a) all three compatible: waves of one, each host ends on the target with `lugate status` 0;
#   b) (fresh guests) g2's target changes after lugate_load sealed it, so its loader boots the
#      fallback: the rollout stops after g2, and g3 is never touched.
# Each scenario's fleet report (report.json, report.md, the textfiles) must say what happened.
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}"
. tests/fleet/lib-guest.sh
P=${FLEET_PORT:-10331}
P1=$P P2=$((P + 1)) P3=$((P + 2))
# one QEMU lives through several scenarios (c, d and a on the first boot)
export FLEET_GUEST_TIMEOUT=${FLEET_GUEST_TIMEOUT:-3600}
t0=$(date +%s)
G=$E2E_BUILD/fleet/fleet
fleet_prepare "$G" || exit 1
# g3's own /boot for (c): the same target stamped with the first UART's schema only
fleet_guest_variant g3-refuse "{\"guid\": \"$GUID_SER1\", \"min_version\": 1, \"max_version\": 3}" ||
  { echo "not ok - g3's refusing target cannot be built"; exit 1; }
echo "# images ready after $(($(date +%s) - t0)) s"
trap 'fleet_guest_stop g1; fleet_guest_stop g2; fleet_guest_stop g3; rm -rf "$T_TMP"' EXIT

up() {  # up NAME:PORT[:INITRD]...: boot them, or end the suite
  local t
  t=$(date +%s)
  if fleet_guests_up 600 "$@"; then echo "ok - ${*%%:*} answer SSH ($(($(date +%s) - t)) s)"
  else echo "not ok - guests $* answer SSH"; exit 1; fi
}
fleet_state() { local p; for p in $P1 $P2 $P3; do echo "== $p"; fleet_guest_state "$p"; done; }
untouched() {  # untouched PORT: still on the outgoing kernel, nothing staged, no lugate runtime folder
  gssh "$1" "test \"\$(uname -r)\" = $OUTGOING_REL && test \"\$(cat /sys/kernel/kexec_loaded)\" = 0 && ! test -e /run/lugate"
}
on_target() {  # on_target PORT: runs the target and `lugate status` exits 0
  gssh "$1" "test \"\$(uname -r)\" = $TARGET_REL && lugate status >/dev/null"
}
report_has() {  # report_has RUN EXPR: EXPR over r (report.json of RUN) and h (its hosts by name)
  "$FLEET_PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); h={x["host"]: x for x in r["hosts"]}; sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' \
    "$G/reports/$1/report.json" "$2"
}
prom_has() {  # prom_has RUN HOST LINE...: each LINE is in HOST's textfile
  local f=$G/reports/$1/textfile/$2.prom l; shift 2
  for l in "$@"; do grep -qxF -- "$l" "$f" || return 1; done
}
waves() {  # waves: the hosts of each phase-2 play (one wave) of the last run, in order, e.g. "g1 g2"
  "$FLEET_PY" -c '
import re, sys
chunks = open(sys.argv[1]).read().split("PLAY [Live update, phase 2")[1:]
print(" ".join(",".join(sorted(set(re.findall(r"^(?:ok|changed|failed|fatal|skipping): \[(g\d)", c, re.M)))) for c in chunks))' "$OUT"
}
pb() {  # pb NAME RC RUN [ansible-playbook options]: one run, timed
  local name=$1 rc=$2 run=$3 t; shift 3
  t=$(date +%s)
  expect "$name" "$rc" "${PB[@]}" -e "lugate_run=$run" "$@"
  cp "$OUT" "$G/$run.out"
  echo "# $run run: $(($(date +%s) - t)) s"
}
A="$OUTGOING_REL" Z="$TARGET_REL"
rm -rf "$G/reports" "$G/inv" "$G/inv-changed"
mkdir -p "$G/inv" "$G/inv-changed/host_vars"
fleet_inventory "$G/inv/hosts.ini" "g1:$P1" "g2:$P2" "g3:$P3"
cp "$G/inv/hosts.ini" "$G/inv-changed/hosts.ini"
# g2 in (b): once lugate_load sealed the table to the target, one byte of the image changes (as a
# package upgrade would rewrite it) and the kexec command lugate ran is run again as it reported
# it, so the staged loader holds an image the sealed table does not name; then systemd's kexec.
cat >"$G/inv-changed/host_vars/g2.yml" <<'YAML'
fleet_change_target: |
  s=$(stat -c %s "$0")
  printf X | dd of="$0" bs=1 seek=$((s / 2)) conv=notrunc 2>/dev/null
  "$@"
  exec systemctl kexec
lugate_kexec_command: "{{ ['/bin/sh', '-ec', fleet_change_target, lugate_target_kernel] + lugate_loaded.kexec_command }}"
YAML
fleet_playbook "$G/inv/hosts.ini" "$G/reports"

# ---- c: g3's pre-flight refuses, nothing is staged anywhere --------------------------------------
up "g1:$P1" "g2:$P2" "g3:$P3:$G/g3-refuse.img"
before=$(fleet_state)
pb "c: the playbook stops at g3's pre-flight" 2 refuse
check "c: no host changed (kernel, kexec_loaded, /run/lugate, /var/lib/lugate)" test "$(fleet_state)" = "$before"
for p in $P1 $P2 $P3; do check "c: the guest on port $p runs $A, nothing staged, no /run/lugate" untouched "$p"; done
check "c: no wave ran" test -z "$(waves)"
check "c: the report: g3 refused for the missing schema, g1 g2 allowed and untouched, stopped by g3" report_has refuse \
  'h["g3"]["verdict"] == "refuse" and h["g3"]["outcome"] == "refused" and any("schema-missing" in x and "'"$GUID_SER2"'" in x for x in h["g3"]["reasons"])
   and all(h[n]["verdict"] == "allow" and h[n]["outcome"] == "untouched" and h[n]["staged_id"] is None for n in ("g1", "g2"))
   and r["stopped_by"] == ["g3"] and r["summary"]["refused"] == 1 and r["summary"]["untouched"] == 2'
check "c: report.md: g3's row names schema-missing" grep -qE "^\| g3 \| refuse \| refused \| schema-missing: [^|]*${GUID_SER2}[^|]* \| 2 \| $A \| $A \|\$" "$G/reports/refuse/report.md"
check "c: g3's textfile: pre-flight not allowed, 1 reason, failed" prom_has refuse g3 \
  "lugate_preflight_allowed{target=\"$Z\"} 0" "lugate_preflight_reasons{target=\"$Z\"} 1" "lugate_last_update_failed 1" "lugate_update_staged 0"
check "c: g1's textfile: allowed, nothing staged" prom_has refuse g1 "lugate_preflight_allowed{target=\"$Z\"} 1" "lugate_update_staged 0"

# g3 again, with the common target
fleet_guest_stop g3
up "g3:$P3"

# ---- d: --check on the whole playbook changes nothing ----------------------------------------
before=$(fleet_state)
pb "d: ansible-playbook --check on the three guests" 0 check --check
check "d: no host changed (kernel, kexec_loaded, /run/lugate, /var/lib/lugate)" test "$(fleet_state)" = "$before"
for p in $P1 $P2 $P3; do check "d: the guest on port $p runs $A, nothing staged, no /run/lugate" untouched "$p"; done
check "d: the report: check mode, all three allowed and would-update on $A" report_has check \
  'r["check_mode"] and r["stopped_by"] == [] and r["summary"]["would-update"] == 3
   and all(x["verdict"] == "allow" and x["outcome"] == "would-update" and x["kernel_ended_on"] == "'"$A"'" for x in r["hosts"])'

# ---- a: all three compatible, waves of one ------------------------------------------------------
pb "a: the playbook updates the three guests" 0 all
check "a: three waves of one host each, in order: g1 g2 g3" test "$(waves)" = "g1 g2 g3"
for p in $P1 $P2 $P3; do check "a: the guest on port $p runs $Z and lugate status exits 0" on_target "$p"; done
check "a: the report: all three allow, updated, booted target, ended on $Z, none stopped" report_has all \
  'not r["check_mode"] and r["stopped_by"] == [] and r["summary"]["updated"] == 3 and sorted(h) == ["g1", "g2", "g3"]
   and all(x["verdict"] == "allow" and x["outcome"] == "updated" and x["booted"] == "target" and x["reasons"] == []
           and x["kernel_before"] == "'"$A"'" and x["kernel_ended_on"] == "'"$Z"'" and len(x["staged_id"]) == 64 for x in r["hosts"])'
for n in g1 g2 g3; do
  check "a: report.md has $n's row: allow, updated, $A to $Z" grep -qx "| $n | allow | updated | - | 2 | $A | $Z |" "$G/reports/all/report.md"
  check "a: $n's textfile: target booted, no fallback, not failed, runs $Z" prom_has all "$n" \
    "lugate_last_update_target 1" "lugate_last_update_fallback 0" "lugate_last_update_failed 0" "lugate_kernel_info{release=\"$Z\"} 1"
done

# ---- b: g2's target changed after sealing: its loader boots the fallback, g3 is never touched -----
fleet_guest_stop g1; fleet_guest_stop g2; fleet_guest_stop g3
up "g1:$P1" "g2:$P2" "g3:$P3"
fleet_playbook "$G/inv-changed/hosts.ini" "$G/reports"
pb "b: the playbook stops after g2's fallback" 2 changed
check "b: two waves ran, g1 then g2; g3's never did" test "$(waves)" = "g1 g2"
check "b: g1 runs $Z and lugate status exits 0" on_target "$P1"
check "b: g2 runs the fallback $A" test "$(gssh "$P2" uname -r)" = "$A"
check "b: lugate status on g2 fails and says the fallback booted" gssh "$P2" '! lugate status >/tmp/st 2>&1 && grep -qi fallback /tmp/st'
check "b: g3 runs $A, nothing staged (kexec_loaded 0), no /run/lugate" untouched "$P3"
check "b: the report: g1 updated, g2 fallback for image-mismatch, g3 untouched, stopped by g2" report_has changed \
  'h["g1"]["outcome"] == "updated" and h["g2"]["outcome"] == "fallback" and h["g2"]["booted"] == "fallback"
   and h["g2"]["kernel_ended_on"] == "'"$A"'" and any("image-mismatch" in x for x in h["g2"]["reasons"])
   and h["g3"]["outcome"] == "untouched" and h["g3"]["staged_id"] is None and h["g3"]["kernel_ended_on"] == "'"$A"'"
   and r["stopped_by"] == ["g2"]'
check "b: report.md: g2's row names image-mismatch, g3's says untouched" bash -c \
  'grep -qE "^\| g2 \| allow \| fallback \| [^|]*image-mismatch[^|]* \| 2 \| $1 \| $1 \|\$" "$2" && grep -qx "| g3 | allow | untouched | - | 2 | $1 | $1 |" "$2" && grep -q "stopped at: g2" "$2"' \
  _ "$A" "$G/reports/changed/report.md"
check "b: g2's textfile: fallback 1, target 0, failed 1" prom_has changed g2 \
  "lugate_last_update_fallback 1" "lugate_last_update_target 0" "lugate_last_update_failed 1" "lugate_kernel_info{release=\"$A\"} 1"
check "b: g3's textfile: nothing staged, not failed" prom_has changed g3 "lugate_update_staged 0" "lugate_last_update_failed 0"
echo "# suite-fleet: $(($(date +%s) - t0)) s in all"
