# shellcheck shell=sh
# Appended to the incoming kernel's /init by tests/e2e/suite-load-kho.sh, after
# tests/e2e/loader/guest-check.sh and lib.sh's efi_probe: the EFI checks' guest side, then
# `lugate status --json`, between markers the suite parses (its exit status on the end line).
efi_probe
echo "E2E-STATUS-BEGIN"
/usr/sbin/lugate status --json >/tmp/status.json 2>/tmp/status.err
rc=$?
sed 's/^/E2E-STATUS | /' /tmp/status.json
sed 's/^/E2E-STATUS-ERR | /' /tmp/status.err
echo "E2E-STATUS-END exit=$rc"
