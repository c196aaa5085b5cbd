#!/usr/bin/env bash
# Golden vectors: each tests/vectors/<case>/ holds devices.json, the target's manifest
# (manifest.json, its JSON source, or manifest.bin, a binary manifest kept as bytes: for a
# manifest no builder writes, such as unsorted-binary-manifest's, whose two schema records were
# swapped and its frame digest recomputed), an optional policy.conf, and what
# `lugate check --json` must give, exactly:
#   expected.json  the verdict JSON on standard output (exit 0 if it allows, else 1), or
#   expected.err   the one-line error on standard error, the manifest's path written MANIFEST
#                  (exit 2, nothing on standard output): an input the check must not judge.
#
# Usage: tests/vectors/suite-vectors.sh                      check every vector (TAP)
#        tests/vectors/suite-vectors.sh --update             show, as a diff, every expected
#                                   file that differs from what the code prints now; write
#                                   nothing; exit 1 if any differs (0 if none)
#        tests/vectors/suite-vectors.sh --update --accept    the same, then write the new
#                                   expected files (review the diff first: a golden file that
#                                   follows the code proves nothing)
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}"
lugate=${BUILD:-build}/lugate
mode=check
case "${1:-} ${2:-}" in
  " ") ;;
  "--update ") mode=update ;;
  "--update --accept") mode=accept ;;
  *) echo "usage: $0 [--update [--accept]]" >&2; exit 2 ;;
esac
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
[ -x "$lugate" ] || { echo "not ok - $lugate is not built"; exit 1; }
differ=0
for dir in tests/vectors/*/; do
  dir=${dir%/}
  name=$(basename "$dir")
  manifest=$dir/manifest.json
  [ -f "$dir/manifest.bin" ] && manifest=$dir/manifest.bin
  args=(--handoff "$tmp/$name.bin" --manifest "$manifest" --json)
  [ -f "$dir/policy.conf" ] && args+=(--policy "$dir/policy.conf")
  if ! "$lugate" handoff build --devices "$dir/devices.json" -o "$tmp/$name.bin" 2>"$tmp/err"; then
    echo "not ok - $name: handoff build failed: $(cat "$tmp/err")"; differ=1; continue
  fi
  "$lugate" check "${args[@]}" >"$tmp/$name.json" 2>"$tmp/err"; rc=$?
  # what the code prints now, in the form of the case's expected file
  if [ -f "$dir/expected.err" ]; then
    expected=$dir/expected.err
    sed "s|$manifest|MANIFEST|g" "$tmp/err" >"$tmp/$name.now"
  else
    expected=$dir/expected.json
    cp "$tmp/$name.json" "$tmp/$name.now"
  fi
  if [ $mode != check ]; then
    if [ -f "$expected" ] && cmp -s "$expected" "$tmp/$name.now"; then
      echo "ok - $name (unchanged)"; continue
    fi
    differ=1
    echo "# $name: $expected would change:"
    old=$expected; [ -f "$old" ] || old=/dev/null
    diff -u "$old" "$tmp/$name.now" | sed 's/^/# /'
    if [ $mode = accept ]; then
      cp "$tmp/$name.now" "$expected"; echo "ok - $name (updated, --accept)"
    else
      echo "not ok - $name: $expected differs (rerun with --update --accept to write it)"
    fi
    continue
  fi
  if [ "$expected" = "$dir/expected.err" ]; then
    if [ "$rc" != 2 ]; then echo "not ok - $name: exit $rc, want 2 (an input error)"; continue; fi
    if [ -s "$tmp/$name.json" ]; then echo "not ok - $name: printed a verdict for an input it must refuse"; continue; fi
    if cmp -s "$expected" "$tmp/$name.now"; then
      echo "ok - $name"
    else
      echo "not ok - $name: error differs from expected.err"; diff -u "$expected" "$tmp/$name.now" | sed 's/^/# /'
    fi
    continue
  fi
  want_rc=$(python3 -c 'import json,sys; print(0 if json.load(open(sys.argv[1]))["verdict"]=="allow" else 1)' "$expected" 2>/dev/null || echo missing)
  if [ "$rc" != "$want_rc" ]; then echo "not ok - $name: exit $rc, want $want_rc"; continue; fi
  if python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))==json.load(open(sys.argv[2])) else 1)' \
       "$tmp/$name.json" "$expected"; then
    echo "ok - $name"
  else
    echo "not ok - $name: verdict differs from expected.json"; diff -u "$expected" "$tmp/$name.json" | sed 's/^/# /'
  fi
done
# --update without --accept: a difference is a failure, so nothing changes unnoticed
[ $mode = update ] && [ $differ = 1 ] && exit 1
exit 0
