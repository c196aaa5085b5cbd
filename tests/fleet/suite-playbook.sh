#!/usr/bin/env bash
# The playbook lugate.live_update.live_update against one real Debian 12 guest over SSH (QEMU
# TCG, a forwarded loopback port, a key made for the test; tests/fleet/lib-guest.sh): --check
# changes nothing on it; lugate_load staged by hand is found again (already_staged, not
# changed) by the playbook's load; the allowed path ends on the target with `lugate status` 0,
# and the run's fleet report says so. The three-guest scenarios are `make check-fleet`.
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}"
. tests/fleet/lib-guest.sh
PORT=${FLEET_PORT:-10321}
t0=$(date +%s)
G=$E2E_BUILD/fleet/playbook
fleet_prepare "$G" || exit 1
echo "# images ready after $(($(date +%s) - t0)) s"
trap 'fleet_guest_stop g1; rm -rf "$T_TMP"' EXIT
fleet_guest_start g1 "$PORT"
if fleet_guest_wait g1 "$PORT" 300; then echo "ok - the guest answers SSH on 127.0.0.1:$PORT ($(($(date +%s) - t0)) s)"
else echo "not ok - the guest answers SSH on 127.0.0.1:$PORT"; exit 1; fi
fleet_inventory "$G/hosts.ini" "g1:$PORT"
fleet_playbook "$G/hosts.ini" "$G/reports"
rm -rf "$G/reports"
guest_state() { fleet_guest_state "$PORT"; }
report_has() {  # report_has RUN EXPR: EXPR over r (report.json of RUN) and h (its host g1)
  "$FLEET_PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); h=r["hosts"][0]; sys.exit(0 if eval(sys.argv[2]) else 1)' \
    "$G/reports/$1/report.json" "$2"
}

# ---- --check: nothing changes on the guest -------------------------------------------------------
before=$(guest_state)
t=$(date +%s)
expect "ansible-playbook --check on the guest" 0 "${PB[@]}" --check -e lugate_run=check
echo "# --check run: $(($(date +%s) - t)) s"
check "--check changed nothing on the guest (kernel, kexec_loaded, /run/lugate, /var/lib/lugate)" test "$(guest_state)" = "$before"
check "the --check report: allow, would-update, check mode, still on $OUTGOING_REL" report_has check \
  'r["check_mode"] and h["verdict"] == "allow" and h["outcome"] == "would-update" and h["kernel_ended_on"] == "'"$OUTGOING_REL"'"'

# ---- lugate_load is idempotent: the playbook finds the staging done by hand ------------------------------
FLEET_TARGET=(g1 -i "$G/hosts.ini")
LOAD_ARGS="kernel=/boot/vmlinuz-$TARGET_REL initrd=/boot/initrd.img-$TARGET_REL devices=/etc/lugate/devices.json fallback=/boot/vmlinuz-$OUTGOING_REL fallback_initrd=/boot/initrd.img-$OUTGOING_REL reuse_cmdline=true"
run_module_on lugate_load "$LOAD_ARGS"
check "lugate_load by hand: changed, staged, a staged_id" jq_py 'j["changed"] is True and j["staged"] is True and j["already_staged"] is False and len(j["staged_id"]) == 64'
id=$("$FLEET_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["staged_id"])' "$OUT")
run_module_on lugate_load "$LOAD_ARGS"
check "lugate_load again: not changed, already_staged, the same id" jq_py 'j["changed"] is False and j["already_staged"] is True and j["staged_id"] == sys.argv[2]' "$id"

staged=$(guest_state)
run_module_on lugate_load "$LOAD_ARGS" --check
check "lugate_load --check of that staging: not changed, already_staged, the same id" jq_py 'not j.get("failed") and j["changed"] is False and j["already_staged"] is True and j["staged_id"] == sys.argv[2]' "$id"
check "... and the guest's staging is as it was (kexec_loaded, /run/lugate)" test "$(guest_state)" = "$staged"

# ---- the allowed path, end to end ---------------------------------------------------------------------
t=$(date +%s)
expect "ansible-playbook: the update on the guest" 0 "${PB[@]}" -e lugate_run=real
echo "# real run: $(($(date +%s) - t)) s"
check "the playbook's load found the staging (already_staged, the same id)" report_has real \
  'h["already_staged"] is True and h["staged_id"] == "'"$id"'"'
check "the report: allow, updated, booted target, ended on $TARGET_REL, 2 devices, no reason" report_has real \
  'h["verdict"] == "allow" and h["outcome"] == "updated" and h["booted"] == "target" and h["kernel_ended_on"] == "'"$TARGET_REL"'" and h["devices"] == 2 and h["reasons"] == [] and r["stopped_by"] == []'
check "report.md has the guest's row" grep -qx "| g1 | allow | updated | - | 2 | $OUTGOING_REL | $TARGET_REL |" "$G/reports/real/report.md"
check "the guest textfile: lugate_last_update_target 1, lugate_last_update_fallback 0" bash -c \
  'grep -qx "lugate_last_update_target 1" "$1" && grep -qx "lugate_last_update_fallback 0" "$1"' _ "$G/reports/real/textfile/g1.prom"
check "the guest runs $TARGET_REL" test "$(gssh "$PORT" uname -r)" = "$TARGET_REL"
check "lugate status on the guest exits 0 (booted target)" gssh "$PORT" 'lugate status >/dev/null'
echo "# suite-playbook: $(($(date +%s) - t0)) s in all"
