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

# A build of a source tree never changes the system: with every package "missing" (a fake
# dpkg-query) plain `make` and `make install` name what is missing and stop, and apt-get (a fake
# that records its calls) is never run. `make deps` is the target that installs.
F=$T_TMP/fakebin; mkdir -p "$F"
printf '#!/bin/sh\nexit 1\n' >"$F/dpkg-query"
printf '#!/bin/sh\necho "$*" >>"%s/apt-calls"\nexit 0\n' "$T_TMP" >"$F/apt-get"
chmod +x "$F/dpkg-query" "$F/apt-get"
expect "make with packages missing stops" 2 env PATH="$F:$PATH" make --no-print-directory -s all
check "make named the missing packages and the install command" grep -q "missing Debian packages: .*libfdt-dev.*run 'make deps'" "$ERR"
expect "make install with packages missing stops" 2 env PATH="$F:$PATH" make --no-print-directory -s install DESTDIR="$T_TMP/root2"
check "make install wrote nothing" test ! -e "$T_TMP/root2"
check "plain make and make install never ran apt-get" test ! -e "$T_TMP/apt-calls"
expect "make deps with packages missing installs" 0 env PATH="$F:$PATH" make --no-print-directory -s deps
check "make deps ran apt-get install" grep -q "^install .*libfdt-dev" "$T_TMP/apt-calls"
