#!/usr/bin/env bash
# loader_split: the bare-metal loader's own TSC-measured phases, from its serial log.
# Usage: bench/loader_split.sh SERIAL-LOG [INPUT]   prints one JSON object on stdout, a line on stderr
#   INPUT  optional words saying what the loader booted (recorded as "input")
# The loader prints one line right before the jump (decimal or 0x-hex cycle counts; total =
# entry to the jump; loader/tsc.h):
#   lugate-loader: tsc parse=<cycles> policy=<cycles> hash=<cycles> relocate=<cycles> total=<cycles>
# Under QEMU TCG the TSC is not the host's, so only each phase's share of total means
# anything. Without such a line the status is "pending" (exit 0 either way: not a test).
set -u
log=${1:-}
input=${2:-}
esc() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
line=""
[ -n "$log" ] && [ -r "$log" ] && line=$(grep -a -E 'lugate-loader: tsc ' "$log" | tail -1 | tr -d '\r')
if [ -z "$line" ]; then
  echo "loader_split: pending (no 'lugate-loader: tsc' line${log:+ in $log})" >&2
  printf '{"status": "pending", "note": %s}\n' "$(esc "no loader serial log with a tsc line${log:+ ($log)}${input:+; $input}")"
  exit 0
fi
pairs=$(printf '%s\n' "$line" | grep -oE '[a-z_]+=(0x[0-9a-fA-F]+|[0-9]+)')
total=$(printf '%s\n' "$pairs" | sed -n 's/^total=//p' | tail -1)
if [ -z "$total" ] || [ $((total)) -le 0 ]; then
  echo "loader_split: a tsc line without a positive total: $line" >&2
  printf '{"status": "unparsed", "source": %s, "line": %s}\n' "$(esc "$log")" "$(esc "$line")"
  exit 0
fi
parts="" shown=""
while IFS='=' read -r k v; do
  [ "$k" = total ] && continue
  share=$(awk -v a=$((v)) -v t=$((total)) 'BEGIN {printf "%.4f", a / t}')
  parts+="${parts:+, }\"$k\": {\"cycles\": $((v)), \"share\": $share}"
  shown+="$k $(awk -v s="$share" 'BEGIN {printf "%.1f%%", 100 * s}')  "
done <<<"$pairs"
echo "loader_split (TCG, relative only): $shown" >&2
printf '{"status": "measured", "source": %s, "input": %s, "line": %s, "total_cycles": %d, "phases": {%s}}\n' \
  "$(esc "$log")" "$(esc "$input")" "$(esc "$line")" $((total)) "$parts"
