#!/usr/bin/env bash
# Golden vectors: each tests/vectors/<case>/ holds devices.json, manifest.json, an optional
# policy.conf and expected.json (the verdict JSON `lugate check --json` must print, exactly).
# `tests/vectors/suite-vectors.sh --update` rewrites expected.json (review the diff!).
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}"
lugate=${BUILD:-build}/lugate
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
[ -x "$lugate" ] || { echo "not ok - $lugate is not built"; exit 1; }
for dir in tests/vectors/*/; do
  name=$(basename "$dir")
  args=(--handoff "$tmp/$name.bin" --manifest "$dir/manifest.json" --json)
  [ -f "$dir/policy.conf" ] && args+=(--policy "$dir/policy.conf")
  if ! "$lugate" handoff build --devices "$dir/devices.json" -o "$tmp/$name.bin" 2>"$tmp/err"; then
    echo "not ok - $name: handoff build failed: $(cat "$tmp/err")"; continue
  fi
  "$lugate" check "${args[@]}" >"$tmp/$name.json" 2>"$tmp/err"; rc=$?
  want_rc=$(python3 -c 'import json,sys; print(0 if json.load(open(sys.argv[1]))["verdict"]=="allow" else 1)' "$dir/expected.json" 2>/dev/null || echo missing)
  if [ "${1:-}" = "--update" ]; then cp "$tmp/$name.json" "$dir/expected.json"; echo "ok - $name (updated)"; continue; fi
  if [ "$rc" != "$want_rc" ]; then echo "not ok - $name: exit $rc, want $want_rc"; continue; fi
  if python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))==json.load(open(sys.argv[2])) else 1)' \
       "$tmp/$name.json" "$dir/expected.json"; then
    echo "ok - $name"
  else
    echo "not ok - $name: verdict differs from expected.json"; diff -u "$dir/expected.json" "$tmp/$name.json" | sed 's/^/# /'
  fi
done
