#!/usr/bin/env bash
# The benches, once on tiny inputs (bench/run-benches.sh --smoke): they build, run, agree with their
# oracles and report every figure `make bench` reports. Not a timed test: no figure's size is
# judged here, only that it exists and that the checks behind it held.
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}"
. tests/cli/tap.sh
B=${BUILD:-build}
R=$B/bench/smoke-out/results.json
for p in bench_sha256 bench_gate; do
  [ -x "$B/bench/$p" ] || { echo "not ok - $B/bench/$p is not built (make)"; exit 1; }
done

# jq-free JSON checks (python3 is in the test set): q EXPR -> prints the value
q() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2], {"d": d}))' "$R" "$1"; }
is_true() { local name=$1 expr=$2 got; got=$(q "$expr" 2>&1)
  if [ "$got" = True ]; then echo "ok - $name"; else echo "not ok - $name: $expr -> $got"; fi; }

rm -f "$R"
expect "bench/run-benches.sh --smoke runs every bench (digests agree with OpenSSL, fixtures allowed)" 0 \
  env BUILD="$B" LUGATE_LOADER_SERIAL_LOG= bench/run-benches.sh --smoke
expect_out "summary (targets from docs/performance.md)"
check "results.json is valid JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$R"
is_true "machine recorded (CPU model, flags, date)" 'bool(d["machine"]["cpu"]) and "flags" in d["machine"] and d["date"].endswith("Z")'
is_true "sha256_vs_openssl is a positive ratio" 'd["summary"]["sha256_vs_openssl"] > 0'
is_true "memory read bandwidth measured" 'd["sha256"]["memread_mbps"] > 0'
cpu_flags=" $(sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo | head -1) "
want_shani=False; [[ "$cpu_flags" == *" sha_ni "* ]] && want_shani=True
want_simd=False; [[ "$cpu_flags" == *" bmi2 "* && "$cpu_flags" == *" ssse3 "* ]] && want_simd=True
is_true "SHA-NI reported available iff the kernel lists sha_ni ($want_shani)" "d['sha256']['shani_available'] == $want_shani"
is_true "SSSE3+BMI2 path reported available iff the kernel lists ssse3 and bmi2 ($want_simd)" "d['sha256']['simd_available'] == $want_simd"
is_true "a missing SHA-NI path has no figure, never a made-up one" \
  'd["sha256"]["shani_available"] or (d["sha256"]["shani_mbps"] is None and d["sha256"]["sha256_vs_openssl_shani"] is None)'
is_true "the gate is measured at each size" '[s["devices"] for s in d["gate"]["sizes"]] == [16, 300]'
is_true "every size has gate_ms, check and validate costs" \
  'all(s["gate_ms"] > 0 and s["check_ns_per_device"] > 0 and s["open_ns_per_device"] > 0 for s in d["gate"]["sizes"])'
is_true "the naive libfdt reader is timed, and slower per device than the check" \
  'all(s["naive_ratio"] > 1 for s in d["gate"]["sizes"])'
is_true "gate_over_hash reported for the largest size" 'd["summary"]["gate_over_hash"] > 0'
is_true "the CLI was timed on the bench's own table" 'd["cli_check"]["manifest_ms"] > 0'
is_true "cli_check_ms is a figure or says why not" \
  'd["cli_check"]["cli_check_ms"] is not None or d["cli_check"]["kernel_status"] in ("pending", "unavailable")'
is_true "loader_split without a serial log is pending" 'd["loader_split"]["status"] == "pending"'

# the loader_split hook on a synthetic serial log
log=$T_TMP/serial.log
printf 'lugate-loader: gate: ...\r\nlugate-loader: tsc parse=0x400 policy=1024 hash=6144 relocate=2048 total=10240\r\n' >"$log"
expect "loader_split parses a tsc line" 0 bench/loader_split.sh "$log"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); p=d["phases"]
assert d["status"] == "measured" and d["total_cycles"] == 10240
assert p["parse"]["cycles"] == 1024 and abs(p["hash"]["share"] - 0.6) < 1e-4
assert abs(sum(v["share"] for v in p.values()) - 1.0) < 1e-3' "$OUT"; then
  echo "ok - loader_split: cycles (hex and decimal) and shares of total"
else echo "not ok - loader_split: wrong figures"; sed 's/^/# /' "$OUT"; fi
expect "loader_split records what the loader booted" 0 bench/loader_split.sh "$log" "e2e loader suite case 1"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
assert d["input"] == "e2e loader suite case 1" and d["line"].startswith("lugate-loader: tsc parse=0x400 ")' "$OUT"; then
  echo "ok - loader_split: the input and the tsc line itself are in the JSON"
else echo "not ok - loader_split: input or line missing"; sed 's/^/# /' "$OUT"; fi
printf 'lugate-loader: tsc parse=5 hash=7\n' >"$log"
expect "loader_split: a tsc line without total is not made into figures" 0 bench/loader_split.sh "$log"
expect_out '"status": "unparsed"'

# bad usage is refused, not run
expect "bench_gate refuses a size of 0" 2 "$B/bench/bench_gate" --sizes 0
expect "bench_sha256 refuses stray arguments" 2 "$B/bench/bench_sha256" extra
