#!/usr/bin/env bash
# `make demo`: build a handoff table from examples/devices.json, then check it against two
# example targets — one the policy allows, one it refuses — and print both verdicts.
set -euo pipefail
lugate=${1:-build/lugate}
ex=$(dirname "$0")
out=${BUILD:-build}/demo
mkdir -p "$out"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step lugate handoff build --devices "$ex/devices.json" -o "$out/table.bin"
"$lugate" handoff build --devices "$ex/devices.json" -o "$out/table.bin"
step lugate handoff show "$out/table.bin"
"$lugate" handoff show "$out/table.bin"

step lugate check --handoff "$out/table.bin" --manifest "$ex/target-6.1.0-56.json"
"$lugate" check --handoff "$out/table.bin" --manifest "$ex/target-6.1.0-56.json"
echo "(exit $?: allow)"

step lugate check --handoff "$out/table.bin" --manifest "$ex/target-6.1.0-54.json" --json
set +e
"$lugate" check --handoff "$out/table.bin" --manifest "$ex/target-6.1.0-54.json" --json
rc=$?
set -e
echo "(exit $rc: refuse)"
[ "$rc" -eq 1 ] || { echo "demo: expected the downgrade to be refused (exit 1), got $rc" >&2; exit 1; }
