#!/usr/bin/env bash
# `make install` with DESTDIR/PREFIX puts the CLI, loader images, man page and completion in place.
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}"
. tests/cli/tap.sh
D=$T_TMP/root
expect "make install DESTDIR PREFIX=/usr" 0 make --no-print-directory install DESTDIR="$D" PREFIX=/usr
for f in usr/sbin/lugate usr/share/man/man8/lugate.8 usr/share/bash-completion/completions/lugate; do
  check "installed $f" test -s "$D/$f"
done
check "installed lugate runs" "$D/usr/sbin/lugate" --version
check "man page renders" bash -c "man -l '$D/usr/share/man/man8/lugate.8' >/dev/null 2>&1 || groff -man -Tutf8 '$D/usr/share/man/man8/lugate.8' >/dev/null"
check "completion script parses" bash -n "$D/usr/share/bash-completion/completions/lugate"
for l in loader.elf loader.bzImage; do
  if [ -e "${BUILD:-build}/$l" ]; then check "installed $l" cmp "${BUILD:-build}/$l" "$D/usr/lib/lugate/$l"; fi
done
expect "make uninstall" 0 make --no-print-directory uninstall DESTDIR="$D" PREFIX=/usr
check "uninstall removed the CLI" test ! -e "$D/usr/sbin/lugate"
