#!/usr/bin/env bash
# lugate benches: runs the bench programs, prints one table, writes bench/out/results.json.
# Usage: bench/run-benches.sh [--smoke]        (`make bench` builds the programs first, then runs this)
#   --smoke  one tiny iteration of everything (what tests/bench/ runs); no OpenSSL path sweep.
# Environment:
#   BUILD                      build directory (default build)
#   LUGATE_BENCH_KERNEL        a kernel release for cli_check_ms (default 6.1.0-56-amd64),
#                              fetched with scripts/debian-kernel.sh; "none" skips it
#   LUGATE_LOADER_SERIAL_LOG   a loader serial log to take loader_split from; set but empty:
#                              none (pending). Unset: the e2e loader suite's case-1 log, else
#                              one QEMU (TCG) boot of the loader here (see loader_split below)
#   LUGATE_BENCH_QEMU_TIMEOUT  seconds for that QEMU boot (default 120)
# Figures are medians over repeated runs; ratios compare figures measured in the same run.
# Nothing here is a timed test: no figure makes this script fail. It fails only when a bench
# program fails (a wrong digest, a refused fixture) or cannot run.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BUILD:-build}
smoke=0
[ "${1:-}" = "--smoke" ] && smoke=1
out=bench/out
[ $smoke = 1 ] && out=$B/bench/smoke-out
mkdir -p "$out"
rm -f "$out"/*.json "$out"/*.bin "$out"/vmlinuz-*
started=$(date +%s)

for p in bench_sha256 bench_gate; do
  [ -x "$B/bench/$p" ] || { echo "bench: $B/bench/$p missing: run 'make bench'" >&2; exit 2; }
done

# ---- small JSON helpers (our own programs write one figure per key, one size per line) ----
# json_get FILE KEY: the first value of "KEY" in FILE (number, string without quotes, null).
json_get() {
  sed -nE 's/.*"'"$2"'": *("([^"]*)"|([^,}]*)).*/\2\3/p' "$1" | head -1
}
# size_get FILE DEVICES KEY: KEY in the per-size line for DEVICES.
size_get() {
  grep -E "\"devices\": $2," "$1" | sed -nE 's/.*"'"$3"'": *([^,}]*).*/\1/p' | head -1
}
json_str() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
median() { sort -n | awk '{v[NR]=$1} END {if (NR==0) print "null"; else if (NR%2) print v[(NR+1)/2]; else printf "%.3f\n", (v[NR/2]+v[NR/2+1])/2}'; }

# ---- machine ----------------------------------------------------------------------------
cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
cpu_count=$(nproc)
cpu_flags=$(sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo | head -1)
flag_list=""
for f in sha_ni avx512f avx2 avx bmi2 ssse3 sse4_1 hypervisor; do
  [[ " $cpu_flags " == *" $f "* ]] && flag_list+="$f "
done
flag_list=${flag_list% }
shani_cpu=false; [[ " $cpu_flags " == *" sha_ni "* ]] && shani_cpu=true
date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
cc_version=$(${CC:-cc} --version | head -1)
libfdt_version=$(dpkg-query -W -f='${Version}' libfdt1 2>/dev/null || echo unknown)

echo "lugate benches — $date_utc"
echo "machine: $cpu_model, $cpu_count CPUs; flags: $flag_list; SHA-NI: $shani_cpu; load $load_start"
echo "(figures are CPU time of the bench thread, medians; on a shared machine they still drift)"
echo

# ---- SHA-256 ----------------------------------------------------------------------------
if [ $smoke = 1 ]; then
  "$B/bench/bench_sha256" --smoke --json "$out/sha256.json"
else
  "$B/bench/bench_sha256" --rounds 15 --json "$out/sha256.json"
fi
echo
# OpenSSL's own code paths on this CPU, selected with OPENSSL_ia32cap (x86 only): which one
# its default dispatch takes, and what the SSSE3 and plain x86-64 paths reach. Masks: word 0
# bit 60 = AVX, bit 41 = SSSE3 (CPUID.1:ECX << 32); word 1 bit 5 = AVX2, bit 29 = SHA (CPUID.7:EBX).
openssl_paths=""
if [ $smoke = 0 ] && [ "$(uname -m)" = x86_64 ]; then
  echo "OpenSSL SHA-256 by code path (OPENSSL_ia32cap), 16 MiB, median of 5 rounds:"
  for path in "no-sha:~0x0:~0x20000000" "ssse3:~0x1000000000000000:~0x20000020" "x86_64:~0x1000020000000000:~0x20000020"; do
    name=${path%%:*} cap=${path#*:}
    OPENSSL_ia32cap="$cap" "$B/bench/bench_sha256" --rounds 5 --json "$out/sha256-openssl-$name.json" >/dev/null
    mbps=$(json_get "$out/sha256-openssl-$name.json" openssl_mbps)
    port=$(json_get "$out/sha256-openssl-$name.json" portable_mbps)
    simd=$(json_get "$out/sha256-openssl-$name.json" simd_mbps)
    printf '  %-8s %8s MB/s   (same run: lugate portable %s MB/s, SSSE3+BMI2 %s MB/s)\n' "$name" "$mbps" "$port" "$simd"
    openssl_paths+="${openssl_paths:+, }\"$name\": {\"openssl_ia32cap\": \"$cap\", \"openssl_mbps\": $mbps, \"portable_mbps\": $port, \"simd_mbps\": $simd}"
  done
  echo "  (no-sha masks only the SHA extensions: on a CPU without them it equals the default)"
  echo
fi

# ---- the gate ---------------------------------------------------------------------------
if [ $smoke = 1 ]; then
  "$B/bench/bench_gate" --smoke --json "$out/gate.json" --dump "$out" --dump-devices 300
  cli_table=$out/table-300.bin
else
  "$B/bench/bench_gate" --json "$out/gate.json" --dump "$out" --dump-devices 4096
  cli_table=$out/table-4096.bin
  echo
  # Sensitivity: a larger manifest (a deeper search), and schemas in runs of consecutive
  # devices (the functions of one card share a driver, so real tables look like this).
  "$B/bench/bench_gate" --sizes 4096,100000 --schemas 1024 --no-naive --json "$out/gate-1024-schemas.json"
  echo
  "$B/bench/bench_gate" --sizes 4096,100000 --clustered --no-naive --json "$out/gate-clustered.json"
fi
echo

# ---- the CLI: lugate check wall time ----------------------------------------------------
lugate=$B/lugate
cli_json='{"status": "not run"}'
time_cli() { # time_cli RUNS ARGS...: median wall ms over RUNS; exit 0/1 are verdicts, 2+ fails
  local runs=$1 t0 t1 rc; shift; local -a ms=()
  for ((i = 0; i < runs; i++)); do
    t0=$(date +%s%N); rc=0; "$lugate" "$@" -q >/dev/null 2>"$out/cli.err" || rc=$?; t1=$(date +%s%N)
    [ "$rc" -le 1 ] || return "$rc"
    ms+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b - a) / 1e6}')")
  done
  printf '%s\n' "${ms[@]}" | median
}
if [ -x "$lugate" ]; then
  runs=9; [ $smoke = 1 ] && runs=1
  echo "lugate check (CLI), wall time, median of $runs runs:"
  m_ms=$(time_cli "$runs" check --handoff "$cli_table" --manifest "$out/manifest.bin") ||
    { echo "bench: lugate check --manifest failed: $(cat "$out/cli.err")" >&2; exit 1; }
  ndev=${cli_table##*table-}; ndev=${ndev%.bin}
  printf '  --manifest (%s devices)  %8s ms\n' "$ndev" "$m_ms"
  kernel_status="pending" kernel_ms=null kernel_note=""
  krel=${LUGATE_BENCH_KERNEL:-6.1.0-56-amd64}
  if [ $smoke = 1 ] || [ "$krel" = none ]; then
    kernel_note="not measured in this run"
  elif ! kpath=$(BUILD=$B scripts/debian-kernel.sh "$krel" 2>"$out/kernel.err"); then
    kernel_status="unavailable"; kernel_note="cannot fetch linux-image-$krel: $(tail -1 "$out/kernel.err")"
  else
    # The admin's real pre-flight: the target carries the bench's manifest (lugate embed) and
    # the table is sealed to it (lugate seal), so the check runs the allow path end to end.
    # Without those verbs, the plain Debian image (a refusal: no manifest) is timed instead.
    kimg=$kpath ktable=$cli_table kpath_kind="plain Debian image, refused (no manifest)"
    if "$lugate" embed --manifest "$out/manifest.bin" "$kpath" -o "$out/vmlinuz-embedded" >/dev/null 2>&1 &&
       "$lugate" seal --handoff "$cli_table" --kernel "$out/vmlinuz-embedded" -o "$out/table-sealed.bin" >/dev/null 2>&1; then
      kimg=$out/vmlinuz-embedded ktable=$out/table-sealed.bin kpath_kind="manifest embedded, table sealed to it: allowed"
    fi
    kruns=$runs; [ "$kruns" -gt 5 ] && kruns=5
    if k_ms=$(time_cli "$kruns" check --handoff "$ktable" --kernel "$kimg"); then
      kernel_status="measured" kernel_ms=$k_ms
      kernel_note="linux-image-$krel ($(stat -c %s "$kpath") bytes), $kpath_kind; table of $ndev devices; median of $kruns runs"
    else
      kernel_note="lugate check --kernel not usable yet: $(head -1 "$out/cli.err")"
    fi
  fi
  if [ "$kernel_status" = measured ]; then
    printf '  --kernel %s  %8s ms   cli_check_ms (%s)\n' "$krel" "$kernel_ms" "$kpath_kind"
  else
    printf '  --kernel: cli_check_ms %s (%s)\n' "$kernel_status" "$kernel_note"
  fi
  cli_json="{\"manifest_ms\": $m_ms, \"manifest_devices\": $ndev, \"cli_check_ms\": $kernel_ms, \"kernel_status\": \"$kernel_status\", \"kernel_release\": $(json_str "$krel"), \"note\": $(json_str "$kernel_note")}"
  echo
fi

# ---- loader_split -------------------------------------------------------------------------
# The bare-metal loader prints its TSC-measured phases as its last line before the jump,
# "lugate-loader: tsc parse=... policy=... hash=... relocate=... total=..." (loader/tsc.h;
# parsed by bench/loader_split.sh). The serial log it comes from, first found:
#  1. LUGATE_LOADER_SERIAL_LOG, when set (empty: none, loader_split stays "pending");
#  2. the e2e loader suite's case 1 ($B/e2e/loader/case1.log: the allowed upgrade, Debian
#     6.1.0-56 stamped, a 1-device sealed table, an initrd and a fallback), if it has the line;
#  3. one QEMU TCG boot of $B/loader.elf here (not in --smoke): the image and the 4,096-device
#     table sealed to it from the CLI bench above; the kernel then panics (no root) and QEMU exits.
# Under TCG the TSC is QEMU's: only the shares mean anything.
loader_log="" loader_input=""
e2e_case1=$B/e2e/loader/case1.log
if [ -n "${LUGATE_LOADER_SERIAL_LOG+set}" ]; then
  loader_log=$LUGATE_LOADER_SERIAL_LOG loader_input="LUGATE_LOADER_SERIAL_LOG"
elif [ $smoke = 1 ]; then
  loader_input="not measured in a smoke run"
elif [ -r "$e2e_case1" ] && grep -aq 'lugate-loader: tsc ' "$e2e_case1"; then
  loader_log=$e2e_case1
  loader_input="e2e loader suite case 1 ($(date -u -r "$e2e_case1" +%Y-%m-%dT%H:%MZ)): Debian 6.1.0-56-amd64 stamped, 1-device sealed table, initrd, fallback; QEMU TCG"
elif [ ! -s "$B/loader.elf" ]; then
  loader_input="$B/loader.elf not built"
elif [ ! -s "$out/table-sealed.bin" ] || [ ! -s "$out/vmlinuz-embedded" ]; then
  loader_input="no sealed kernel from the CLI bench to boot (cli_check_ms ${kernel_status:-not run})"
else
  # shellcheck source=tests/e2e/lib.sh
  . tests/e2e/lib.sh
  loader_log=$out/loader-serial.log
  echo "loader_split: one QEMU (TCG) boot of $B/loader.elf with the sealed $(basename "$out/vmlinuz-embedded") ..."
  qrc=0
  E2E_TIMEOUT=${LUGATE_BENCH_QEMU_TIMEOUT:-120} e2e_qemu "$loader_log" "$B/loader.elf" \
    "$out/vmlinuz-embedded role=kernel,$out/table-sealed.bin role=table" \
    "console=ttyS0 panic=-1 lugate.debug_exit=1" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 || qrc=$?
  loader_input="QEMU TCG boot here (exit $qrc after ${E2E_QEMU_SECONDS:-?} s): Debian ${krel:-?} stamped with the bench manifest, the ${ndev:-?}-device table sealed to it, no initrd"
fi
loader_json=$(bench/loader_split.sh "$loader_log" "$loader_input")
echo

# ---- summary against docs/performance.md's targets --------------------------------------------
g=$out/gate.json s=$out/sha256.json
sizes=$(grep -oE '"devices": [0-9]+' "$g" | awk '{print $2}')
vs=$(json_get "$s" sha256_vs_openssl)
big=$(echo "$sizes" | tail -1)
goh_n=4096; grep -q "\"devices\": $goh_n," "$g" || goh_n=$big
goh=$(size_get "$g" "$goh_n" gate_over_hash)
cpd_big=$(size_get "$g" "$big" check_ns_per_device)
chk_big=$(awk -v c="$cpd_big" -v n="$big" 'BEGIN {printf "%.2f", c * n / 1e6}')
verdict() { awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN {ok = op == ">=" ? v >= t : v <= t; print ok ? "met" : "MISSED"}'; }
echo "summary (targets from docs/performance.md):"
if [ "$shani_cpu" = true ]; then
  printf '  sha256_vs_openssl     %-8s target >= 0.95 (SHA-NI machine): %s\n' "$vs" "$(verdict "$vs" 0.95 ">=")"
else
  printf '  sha256_vs_openssl     %-8s target >= 0.95 applies to SHA-NI machines; this CPU has none (lugate %s path vs OpenSSL)\n' "$vs" "$(json_get "$s" auto_impl)"
fi
printf '  check_ns_per_device   %-8s target <= 50 at %s devices (%s ms for all of them): %s\n' "$cpd_big" "$big" "$chk_big" "$(verdict "$cpd_big" 50 "<=")"
printf '  gate_over_hash        %-8s target <= 1.15 at %s devices: %s\n' "$goh" "$goh_n" "$(verdict "$goh" 1.15 "<=")"
printf '  loader_split          %s (TCG, shares only; %s)\n' "$(json_get <(echo "$loader_json") status)" "${loader_input:-no log}"
echo "  check ns/device by size:    $(for n in $sizes; do printf '%s:%s ' "$n" "$(size_get "$g" "$n" check_ns_per_device)"; done)"
echo "  validate ns/device by size: $(for n in $sizes; do printf '%s:%s ' "$n" "$(size_get "$g" "$n" validate_ns_per_device)"; done)"
echo "  naive_ratio by size:        $(for n in $sizes; do printf '%s:%s ' "$n" "$(size_get "$g" "$n" naive_ratio)"; done)"
for extra in gate-1024-schemas gate-clustered; do
  [ -s "$out/$extra.json" ] || continue
  echo "  $extra check ns/device: $(for n in 4096 100000; do printf '%s:%s ' "$n" "$(size_get "$out/$extra.json" "$n" check_ns_per_device)"; done)"
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "{"
  echo "  \"date\": \"$date_utc\","
  echo "  \"smoke\": $([ $smoke = 1 ] && echo true || echo false),"
  echo "  \"machine\": {\"cpu\": $(json_str "$cpu_model"), \"cpus\": $cpu_count, \"flags\": $(json_str "$flag_list"), \"sha_ni\": $shani_cpu, \"kernel\": $(json_str "$(uname -r)"), \"cc\": $(json_str "$cc_version"), \"libfdt\": $(json_str "$libfdt_version"), \"loadavg_start\": $(json_str "$load_start"), \"loadavg_end\": $(json_str "$load_end")},"
  echo "  \"summary\": {\"sha256_vs_openssl\": $vs, \"gate_over_hash\": $goh, \"gate_over_hash_devices\": $goh_n, \"check_ns_per_device\": $cpd_big, \"check_ns_per_device_devices\": $big, \"cli_check_ms\": $(json_get <(echo "$cli_json") cli_check_ms | sed 's/^$/null/'), \"loader_split\": \"$(json_get <(echo "$loader_json") status)\"},"
  echo "  \"sha256\": $(sed 's/^/  /' "$s" | sed '1s/^  //'),"
  echo "  \"openssl_paths\": {${openssl_paths}},"
  echo "  \"gate\": $(sed 's/^/  /' "$g" | sed '1s/^  //'),"
  for extra in gate-1024-schemas gate-clustered; do
    [ -s "$out/$extra.json" ] && echo "  \"${extra//-/_}\": $(sed 's/^/  /' "$out/$extra.json" | sed '1s/^  //'),"
  done
  echo "  \"cli_check\": $cli_json,"
  echo "  \"loader_split\": $loader_json,"
  echo "  \"seconds\": $(( $(date +%s) - started ))"
  echo "}"
} >"$out/results.json"
echo
echo "wrote $out/results.json ($(( $(date +%s) - started )) s)"
