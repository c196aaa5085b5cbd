#!/usr/bin/env bash
# The lugate.live_update Ansible collection, offline: it builds (make ansible) and installs from
# its tarball and from the source path, ansible-doc documents every module, ansible-lint (Debian
# ships it) passes the role and the playbook, the playbook parses; the modules run on this host
# in check mode against the real lugate (no fake: real tables and images, the real kexec-tools
# named in the dry run), and the fleet report and textfiles are built from recorded module
# results. The rollout over SSH is suite-playbook.sh (one guest) and `make check-fleet`.
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}"
. tests/cli/tap.sh
tap_lugate
. tests/fleet/lib-ansible.sh
BUILD_ABS=$B EX=$PWD/examples
for tool in ansible ansible-galaxy ansible-doc ansible-lint ansible-playbook; do
  command -v "$tool" >/dev/null || { echo "not ok - $tool is missing (scripts/deps.sh fleet)"; exit 1; }
done

# ---- build and install ---------------------------------------------------------------------------
C=$W/collections
if fleet_collection "$C"; then echo "ok - make ansible built the tarball, ansible-galaxy installed it"
else echo "not ok - make ansible / ansible-galaxy collection install failed"; sed 's/^/# /' "$C.log" | tail -5; exit 1; fi
I=$C/ansible_collections/lugate/live_update
check "the tarball holds the five modules, the role and the playbook" bash -c 'cd "$1" && for f in plugins/modules/lugate_{facts,check,load,status,report}.py roles/live_update/tasks/wave.yml playbooks/live_update.yml; do [ -s "$f" ] || exit 1; done' _ "$I"
expect "ansible-galaxy collection install from the source path" 0 ansible-galaxy collection install --force contrib/ansible -p "$W/from-path"
check "... installs the same modules" diff -r "$I/plugins/modules" "$W/from-path/ansible_collections/lugate/live_update/plugins/modules"

# ---- ansible-doc on every module ----------------------------------------------------------------------
for m in lugate_facts lugate_check lugate_load lugate_status lugate_report; do
  expect "ansible-doc lugate.live_update.$m" 0 ansible-doc --json "lugate.live_update.$m"
  check "$m: every option and return value described, examples given, check_mode declared" "$FLEET_PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))[sys.argv[2]]
doc = d["doc"]
assert doc["options"] and all(o.get("description") for o in doc["options"].values()), doc["options"]
assert d["examples"].strip() and d["return"], "examples/return"
assert all(r.get("description") for r in d["return"].values())
assert doc["attributes"]["check_mode"]["support"] == "full"' "$OUT" "lugate.live_update.$m"
done
# every option a module accepts is documented, and every documented option accepted: the
# argument spec is read by running the module with an unknown option (Ansible lists the valid ones)
declare -A REQUIRED=([lugate_facts]="handoff=x" [lugate_check]="handoff=x kernel=x" [lugate_load]="handoff=x kernel=x"
                     [lugate_status]="" [lugate_report]="dir=x")
for m in lugate_facts lugate_check lugate_load lugate_status lugate_report; do
  ansible-doc --json "lugate.live_update.$m" >"$W/$m.doc.json" 2>/dev/null
  run_module "$m" "${REQUIRED[$m]} no_such_option=1"
  check "$m: the accepted options are exactly the documented ones" "$FLEET_PY" -c '
import json, re, sys
doc = set(json.load(open(sys.argv[1]))[sys.argv[2]]["doc"]["options"])
msg = json.load(open(sys.argv[3])).get("msg", "")
m = re.search(r"Supported parameters include: (.*)\.", msg)
assert m, msg
spec = set(x.strip().split(" ")[0] for x in m.group(1).split(","))
assert spec == doc, (sorted(spec ^ doc), msg)' "$W/$m.doc.json" "lugate.live_update.$m" "$OUT"
done

# ---- lint and syntax -----------------------------------------------------------------------------------
expect "ansible-lint (production profile) on the role and the playbook" 0 \
  bash -c 'cd "$1" && ansible-lint --offline --profile production -p roles/live_update playbooks/live_update.yml' _ "$I"
check "... ansible-lint says Passed" grep -q "Passed" "$ERR"
expect "ansible-playbook --syntax-check lugate.live_update.live_update" 0 ansible-playbook -i localhost, --syntax-check lugate.live_update.live_update
expect "the modules compile (Python 3.11)" 0 "$FLEET_PY" -m py_compile "$I"/plugins/modules/*.py "$I"/plugins/module_utils/*.py

# ---- the modules on this host, check mode, the real lugate ------------------------------------------------
python3 -c 'import sys; b = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(b + bytes(8192 - len(b)))' \
  tests/fuzz/corpus/image/seed-tiny-gzip "$W/tiny.img"
"$L" embed --manifest "$EX/target-6.1.0-56.json" "$W/tiny.img" -o "$W/target.img" >/dev/null
sed 's/"max_version": 3/"max_version": 1/' "$EX/target-6.1.0-56.json" >"$W/old-schema.json"
"$L" embed --manifest "$W/old-schema.json" "$W/tiny.img" -o "$W/bad.img" >/dev/null
python3 - "$EX/devices.json" "$W/devices.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); d.pop("compatible"); json.dump(d, open(sys.argv[2], "w"))
PY
"$L" handoff build --devices "$W/devices.json" -o "$W/t.bin"
LOADER=$B/loader.elf
[ -s "$LOADER" ] || make -s --no-print-directory build/loader.elf >/dev/null
snapshot() { ls -la --time-style=full-iso /run/lugate /var/lib/lugate 2>&1; cat /sys/kernel/kexec_loaded 2>&1; }
before=$(snapshot)

run_module lugate_facts "handoff=$W/t.bin kernel=$W/target.img running_image=$W/tiny.img lugate_path=$L" --check
check "lugate_facts: ok, not changed" jq_py 'not j.get("failed") and j["changed"] is False'
check "lugate_facts: the table's release, its 4 devices, both images inspected" jq_py '
j["ansible_facts"]["lugate"]["release"] == "6.1.0-55-amd64" and j["ansible_facts"]["lugate"]["devices"] == 4
and j["ansible_facts"]["lugate"]["target"]["release"] == "6.1.0-56-amd64" and j["ansible_facts"]["lugate"]["running_image"] is not None'
run_module lugate_facts "devices=$W/devices.json from_running=false lugate_path=$L" --check
check "lugate_facts from a device list: the table built in a private folder, 4 devices" jq_py 'j["ansible_facts"]["lugate"]["handoff"]["devices"][0]["address"] == "0000:3b:00.0" and j["ansible_facts"]["lugate"]["devices"] == 4'

run_module lugate_check "handoff=$W/t.bin kernel=$W/target.img lugate_path=$L" --check
check "lugate_check allow: ok, not changed, verdict allow, stable-next, 4 devices" jq_py '
not j.get("failed") and j["changed"] is False and j["verdict"] == "allow" and j["path"] == "stable-next" and j["devices"] == 4 and j["rc"] == 0'
run_module lugate_check "handoff=$W/t.bin kernel=$W/bad.img lugate_path=$L" --check
check "lugate_check refuse: the host fails (ansible exit 2)" test $? -eq 2
check "... verdict refuse, rc 1, both schema-version reasons in the message and the list" jq_py '
j["failed"] and j["verdict"] == "refuse" and j["rc"] == 1 and "pre-flight refused 6.1.0-55-amd64 -> 6.1.0-56-amd64" in j["msg"]
and [r["code"] for r in j["reasons"]] == ["schema-version", "schema-version"] and j["msg"].count("schema-version") == 2'
run_module lugate_check "handoff=$W/t.bin kernel=$W/no-such.img lugate_path=$L" --check
check "lugate_check of a missing image: fails with lugate's exit 2 and its one line" jq_py '
j["failed"] and "exit 2" in j["msg"] and "no-such.img" in j["msg"]'
run_module lugate_check "handoff=$W/t.bin lugate_path=$L" --check
check "lugate_check without kernel or manifest: Ansible's own argument error" jq_py 'j["failed"] and "one of the following is required: kernel, manifest" in j["msg"]'

run_module lugate_load "handoff=$W/t.bin kernel=$W/target.img fallback=$W/tiny.img append=root=/dev/vda1 loader=$LOADER lugate_path=$L" --check
check "lugate_load --check: the dry run allows, would change, stages nothing" jq_py '
not j.get("failed") and j["changed"] is True and j["staged"] is False and j["load"]["dry_run"] is True and j["verdict"] == "allow"'
check "... the exact kexec -l command, its table in Ansible's private folder, a staged_id" jq_py '
j["kexec_command"][1:5] == ["-l", "--type", "multiboot2-x86", sys.argv[2]] and "/runtime/table.sealed role=table" in " ".join(j["kexec_command"])
and "/run/lugate" not in " ".join(j["kexec_command"]) and len(j["staged_id"]) == 64' "$LOADER"
# check mode over an existing runtime folder: the dry run names the real folder (so its staged_id
# is the one a real load computes) yet writes only into a private copy bound over it
mkdir -m 0700 "$W/run"
LOAD="handoff=$W/t.bin kernel=$W/target.img fallback=$W/tiny.img append=root=/dev/vda1 loader=$LOADER lugate_path=$L runtime_dir=$W/run"
run_module lugate_load "$LOAD" --check
check "lugate_load --check over a runtime folder: would change (nothing staged here), names the real folder" jq_py '
not j.get("failed") and j["changed"] is True and j["already_staged"] is False and (sys.argv[2] + "/table.sealed role=table") in " ".join(j["kexec_command"])' "$W/run"
check "... and left the folder empty" test -z "$(ls -A "$W/run")"
mod_id=$("$FLEET_PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["staged_id"])' "$OUT")
check "... its staged_id is the one lugate load --dry-run computes in that folder" bash -c \
  '[ "$("$1" load --handoff "$2/t.bin" --kernel "$2/target.img" --fallback "$2/tiny.img" --append root=/dev/vda1 --loader "$3" --runtime-dir "$2/run" --dry-run --json | '"$FLEET_PY"' -c "import json,sys; print(json.load(sys.stdin)[\"staged_id\"])")" = "$4" ]' _ "$L" "$W" "$LOADER" "$mod_id"
run_module lugate_load "handoff=$W/t.bin kernel=$W/bad.img loader=$LOADER lugate_path=$L" --check
check "lugate_load --check of a refused target: fails, not changed, every reason" jq_py '
j["failed"] and j["changed"] is False and j["rc"] == 1 and "nothing staged" in j["msg"] and len(j["reasons"]) == 2'

run_module lugate_status "lugate_path=$L" --check
check "lugate_status on a cold-booted host: fails (no delivery record, lugate exit 2)" jq_py 'j["failed"] and j["rc"] == 2 and j["record"] == "absent"'
run_module lugate_status "cold_ok=true record=true lugate_path=$L" --check
check "lugate_status cold_ok=true: ok; check mode records nothing (not changed)" jq_py 'not j.get("failed") and j["rc"] == 0 and j["changed"] is False and j["record"] == "absent"'
check "check mode changed nothing on this host (/run/lugate, /var/lib/lugate, kexec_loaded)" bash -c '[ "$(ls -la --time-style=full-iso /run/lugate /var/lib/lugate 2>&1; cat /sys/kernel/kexec_loaded 2>&1)" = "$1" ]' _ "$before"

# ---- the fleet report, from recorded results ---------------------------------------------------------------
R=$W/report
rec() { "$FLEET_PY" -c 'import json,sys; print(json.dumps({"dir": sys.argv[1], "run": "recorded", "record": json.load(open(sys.argv[2]))}))' "$R" "$1"; }
for f in tests/fleet/records/host1-updated.json tests/fleet/records/host2-fallback.json tests/fleet/records/host3-untouched.json; do
  run_module lugate_report "$(rec "$f")"
done
check "lugate_report: three records kept, report.json, report.md and three textfiles written" bash -c '
[ "$(ls "$1/hosts" | xargs)" = "host1.json host2.json host3.json" ] && [ -s "$1/report.json" ] && [ -s "$1/report.md" ] &&
[ "$(ls "$1/textfile" | xargs)" = "host1.prom host2.prom host3.prom" ]' _ "$R"
check "report.json: updated, fallback, untouched; stopped by host2; host2's reason and kernel" "$FLEET_PY" -c '
import json, sys
r = json.load(open(sys.argv[1]))
h = {x["host"]: x for x in r["hosts"]}
assert [h[n]["outcome"] for n in ("host1", "host2", "host3")] == ["updated", "fallback", "untouched"], h
assert r["stopped_by"] == ["host2"] and r["summary"]["updated"] == 1 and r["summary"]["fallback"] == 1, r
assert "loader: image-mismatch" in h["host2"]["reasons"] and h["host2"]["kernel_ended_on"] == "6.1.0-55-amd64"
assert h["host1"]["kernel_ended_on"] == "6.1.0-56-amd64" and h["host3"]["kernel_ended_on"] == "6.1.0-55-amd64"
assert all(x["devices"] == 2 and x["verdict"] == "allow" for x in r["hosts"])' "$R/report.json"
check "report.md: the header and one row per host with verdict, outcome, reasons, devices, kernel" bash -c '
grep -qx "| host | verdict | outcome | reasons | devices | kernel before | kernel ended on |" "$1" &&
grep -qx "| host1 | allow | updated | - | 2 | 6.1.0-55-amd64 | 6.1.0-56-amd64 |" "$1" &&
grep -q "^| host2 | allow | fallback | loader: image-mismatch<br>fallback-booted: .* | 2 | 6.1.0-55-amd64 | 6.1.0-55-amd64 |$" "$1" &&
grep -qx "| host3 | allow | untouched | - | 2 | 6.1.0-55-amd64 | 6.1.0-55-amd64 |" "$1" && grep -q "The rollout stopped at: host2." "$1"' _ "$R/report.md"
check "textfiles: host1 target 1 fallback 0, host2 fallback 1, host3 allowed and not staged" bash -c '
grep -qx "lugate_last_update_target 1" "$1/host1.prom" && grep -qx "lugate_last_update_fallback 0" "$1/host1.prom" &&
grep -qx "lugate_last_update_fallback 1" "$1/host2.prom" && grep -qx "lugate_kernel_info{release=\"6.1.0-55-amd64\"} 1" "$1/host2.prom" &&
grep -qx "lugate_preflight_allowed{target=\"6.1.0-56-amd64\"} 1" "$1/host3.prom" && grep -qx "lugate_update_staged 0" "$1/host3.prom" &&
grep -qx "lugate_preserved_devices 2" "$1/host3.prom"' _ "$R/textfile"
check "textfiles follow the exposition format (HELP, TYPE gauge, one sample per metric)" "$FLEET_PY" -c '
import re, sys, glob
paths = glob.glob(sys.argv[1] + "/*.prom")
assert len(paths) == 3, paths
for path in paths:
    lines = open(path).read().splitlines()
    assert len(lines) % 3 == 0 and len(lines) >= 27, path
    for i in range(0, len(lines), 3):
        name = lines[i].split()[2]
        assert lines[i].startswith("# HELP %s " % name) and lines[i + 1] == "# TYPE %s gauge" % name, lines[i:i + 2]
        assert re.fullmatch(r"%s(\{[a-z_]+=\"([^\"\\\\]|\\\\.)*\"\})? -?[0-9]+(\.[0-9]+)?" % name, lines[i + 2]), lines[i + 2]' "$R/textfile"
run_module lugate_report "{\"dir\": \"$R\", \"run\": \"recorded\"}"
check "lugate_report with no new record: the same report (not changed but for the time)" jq_py 'not j.get("failed") and [h["outcome"] for h in j["report"]["hosts"]] == ["updated", "fallback", "untouched"]'
R2=$W/report-refused
run_module lugate_report "$(R=$R2 rec tests/fleet/records/host4-refused.json)"
check "a refused pre-flight: outcome refused, its reason, lugate_preflight_allowed 0, one reason counted" bash -c '
'"$FLEET_PY"' -c "import json,sys; r=json.load(open(sys.argv[1])); h=r[\"hosts\"][0]; assert h[\"outcome\"]==\"refused\" and h[\"reasons\"][0].startswith(\"schema-missing: \") and r[\"stopped_by\"]==[\"host4\"], r" "$1/report.json" &&
grep -qx "lugate_preflight_allowed{target=\"6.1.0-56-amd64\"} 0" "$1/textfile/host4.prom" && grep -qx "lugate_preflight_reasons{target=\"6.1.0-56-amd64\"} 1" "$1/textfile/host4.prom"' _ "$R2"
