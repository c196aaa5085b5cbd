#!/usr/bin/env bash
# Lint each unit "DIR|FLAG,FLAG,...": cppcheck, then clang-tidy (config: .clang-tidy) on DIR/*.c.
# Exit non-zero on any finding; prints one line per finding.
set -u
cd "$(dirname "$0")/.."
status=0
for unit in "$@"; do
  dir=${unit%%|*} flags=${unit#*|} flags=${flags//,/ }
  cpp_flags=$(printf '%s\n' $flags | grep -E '^-[ID]' | tr '\n' ' ')
  shopt -s nullglob; files=("$dir"/*.c); shopt -u nullglob
  [ ${#files[@]} -gt 0 ] || continue
  # shellcheck disable=SC2086
  if ! out=$(cppcheck --enable=warning,style,performance,portability --std=c11 --error-exitcode=1 -q \
        --inline-suppr --suppress=missingIncludeSystem --suppress=variableScope \
        --suppress=unusedStructMember $cpp_flags "${files[@]}" 2>&1); then
    echo "cppcheck $dir:"; echo "$out"; status=1
  fi
  # shellcheck disable=SC2086
  out=$(clang-tidy --quiet "${files[@]}" -- $flags 2>/dev/null | grep -E '(warning|error):')
  if [ -n "$out" ]; then echo "clang-tidy $dir:"; echo "$out"; status=1; fi
done
[ $status -eq 0 ] && echo "lint: clean: $(printf '%s ' "${@%%|*}")"
exit $status
