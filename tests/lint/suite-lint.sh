#!/usr/bin/env bash
# `make lint` must be clean: cppcheck and clang-tidy over every room.
cd "${LUGATE_TOP:-$(dirname "$0")/../..}" || exit 1
if out=$(make --no-print-directory lint 2>&1); then
  echo "ok - lint clean"
else
  echo "not ok - lint findings"; echo "$out" | sed 's/^/# /' | head -60
fi
