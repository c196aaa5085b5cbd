# shellcheck shell=bash disable=SC2034,SC2154  # me comes from, refresh/top go to the sourcing script
# Sourced (with the script's arguments) by the scripts that build one cached thing under build/
# (scripts/kho-kernel.sh, scripts/debian-rootfs.sh); they share their usage and exit codes.
# Before sourcing: me, the script's name. After: die (one-line error, exit 2), refresh (1 with
# --refresh, else 0; any other argument: exit 64), top (the checkout) and build (absolute).
die() { echo "$me: $*" >&2; exit 2; }

refresh=0
case "${1:-}" in
  "") ;;
  --refresh) refresh=1 ;;
  *) echo "$me: unknown argument '$1' (usage: $me [--refresh])" >&2; exit 64 ;;
esac

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-build}
case "$build" in /*) ;; *) build=$top/$build ;; esac
