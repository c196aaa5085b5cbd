#!/usr/bin/env bash
# File safety of the built `lugate` (docs/errors.md, "Files"), run as root:
#  - every verb that writes (-o) replaces only a regular file the caller owns: a character
#    device, a symbolic link, a directory, a FIFO or another user's file at the output path is
#    exit 2 with one line, and the path, its target and its folder are exactly as before (no
#    temp file left behind); a new file and a file of one's own are still written;
#  - no input blocks: a FIFO (or a device) as any input, including an attribute in a --sysfs
#    tree and a file in a --debugfs tree, is exit 2 with one line at once (under `timeout 5`:
#    a hang is a failure, not a hang of the suite);
#  - errors quote input escaped and cut short: a 16 MB release is a line under 200 bytes, a
#    newline or an ESC in a value, a path or an argument never splits the line or reaches the
#    terminal raw.
set -u
cd "${LUGATE_TOP:-$(dirname "$0")/../..}" || exit 1
. tests/cli/tap.sh
tap_lugate
[ "$(id -u)" -eq 0 ] || { echo "not ok - suite-files needs root (mknod, chown)"; exit 1; }
EX=examples
G=5f0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d
ESC=$(printf '\033')

# lugate under a time limit: a verb blocked on a FIFO is killed (exit 124), never waited for
lg() { timeout 5 "$L" "$@"; }

# ---- fixtures: a table, a stamped bzImage and UKI, a sealed table --------------------------
python3 - "$W" <<'PY' || { echo "not ok - fixtures: tiny kernel images"; exit 1; }
import sys
sys.path.insert(0, "tests/fuzz")
import seeds
w = sys.argv[1]
# padded to 20000 bytes: a bzImage lugate's loader boots, so bundle build packs it
tiny = open("tests/fuzz/corpus/image/seed-tiny-gzip", "rb").read()
open(w + "/bz.img", "wb").write(tiny + bytes(20000 - len(tiny)))
open(w + "/uki.img", "wb").write(seeds.pe_image([(".osrel", b"ID=debian\n"), (".uname", b"6.1.0-56-amd64\n"),
                                                 (".linux", seeds.tiny_bzimage())]))
PY
"$L" handoff build --devices $EX/devices.json -o "$W/t.bin" &&
  "$L" embed --manifest $EX/target-6.1.0-56.json "$W/bz.img" -o "$W/bz-stamped.img" >/dev/null &&
  "$L" seal -q --handoff "$W/t.bin" --kernel "$W/bz-stamped.img" -o "$W/sealed.bin" ||
  { echo "not ok - fixtures: build a table, stamp a bzImage, seal"; exit 1; }

# Every verb that writes, with @ where the output path goes.
WRITERS=(
  "handoff build|handoff build --devices $EX/devices.json -o @"
  "manifest build|manifest build $EX/target-6.1.0-56.json -o @"
  "embed|embed --manifest $EX/target-6.1.0-56.json $W/uki.img -o @"
  "seal|seal -q --handoff $W/t.bin --kernel $W/bz-stamped.img -o @"
  "bundle build|bundle build --table $W/sealed.bin --kernel $W/bz-stamped.img --append console=ttyS0 -o @"
)
run_writer() { # run_writer CMD OUTPUT: CMD's words with @ replaced by OUTPUT
  local words=() w
  for w in $1; do [ "$w" = @ ] && words+=("$2") || words+=("$w"); done
  expect "$LAST_NAME" "$WANT" lg "${words[@]}"
}

# What a folder holds, precisely: every entry's name, inode, type, size, owner, mode, device
# numbers, link target and mtime; every regular file's SHA-256. Equal before and after: the
# destination was not replaced and no temp file was left.
snapshot() {
  (cd "$1" && stat -c '%n %i %F %s %u %a %t:%T %N %Y' -- * .[!.]* 2>/dev/null | sort &&
    find . -maxdepth 1 -type f -exec sha256sum {} + | sort)
}

make_kind() { # make_kind KIND DIR: DIR/out becomes KIND (DIR/target is a link's target)
  case $1 in
  chardev) mknod "$2/out" c 1 3 ;;
  symlink) echo "the link's target" >"$2/target"; ln -s target "$2/out" ;;
  dangling) ln -s nowhere "$2/out" ;;
  directory) mkdir "$2/out"; echo inside >"$2/out/file" ;;
  fifo) mkfifo "$2/out" ;;
  foreign) echo "nobody's file" >"$2/out"; chown nobody "$2/out" ;;
  esac
}
kind_msg() {
  case $1 in
  chardev) echo "it exists and is not a regular file (a character device)" ;;
  symlink | dangling) echo "it is a symbolic link" ;;
  directory) echo "it exists and is not a regular file (a directory)" ;;
  fifo) echo "it exists and is not a regular file (a FIFO)" ;;
  foreign) echo "it is owned by another user (uid $(id -u nobody)" ;;
  esac
}
rep() { head -c "$2" /dev/zero | tr '\0' "$1"; } # rep CHAR N: CHAR N times

n=0
for spec in "${WRITERS[@]}"; do
  verb=${spec%%|*} cmd=${spec#*|}
  for kind in chardev symlink dangling directory fifo foreign; do
    n=$((n + 1)); D=$W/o$n; mkdir "$D"; make_kind $kind "$D"
    before=$(snapshot "$D")
    LAST_NAME="$verb -o onto a $kind is refused" WANT=2 run_writer "$cmd" "$D/out"
    expect_err_line "$D/out: refusing to write: $(kind_msg $kind)"
    after=$(snapshot "$D")
    if [ "$before" = "$after" ]; then echo "ok - $verb -o onto a $kind: the path, its target and its folder are unchanged"
    else echo "not ok - $verb -o onto a $kind: the folder changed"; diff <(echo "$before") <(echo "$after") | sed 's/^/# /' | head -8; fi
  done
  # positive controls: a new file; over a regular file of one's own
  n=$((n + 1)); D=$W/o$n; mkdir "$D"
  LAST_NAME="$verb -o to a new file" WANT=0 run_writer "$cmd" "$D/out"
  check "$verb -o to a new file: a regular file, mode 644, and nothing else in the folder" \
    test -f "$D/out" -a ! -L "$D/out" -a "$(stat -c %a "$D/out")" = 644 -a "$(ls -A "$D")" = out
  echo "my old content" >"$D/mine"; ino=$(stat -c %i "$D/mine")
  LAST_NAME="$verb -o over my own regular file" WANT=0 run_writer "$cmd" "$D/mine"
  check "$verb -o over my own file: replaced (new inode, new content), no temp file" \
    test "$(stat -c %i "$D/mine")" != "$ino" -a "$(cat "$D/mine" | head -c 14)" != "my old content" -a "$(ls -A "$D" | tr '\n' ' ')" = "mine out "
  cmp -s "$D/out" "$D/mine" && echo "ok - $verb: both writes are the same bytes" || echo "not ok - $verb: the two writes differ"
done

# a symlinked folder on the way to the output is the admin's own choice: followed as always
mkdir "$W/realdir"; ln -s realdir "$W/linkdir"
expect "-o through a symlinked parent folder still works" 0 lg handoff build --devices $EX/devices.json -o "$W/linkdir/t.bin"
check "the table landed in the real folder" test -f "$W/realdir/t.bin"
expect "-o with an empty path" 2 lg handoff build --devices $EX/devices.json -o ""
expect_err_line "the output path is empty"
# a failed verb writes nothing: an invalid device list leaves an existing output as it was
echo "previous table" >"$W/prev.bin"; before=$(snapshot "$W")
printf '{"devices": [' >"$W/broken.json"; before=$(snapshot "$W")
expect "a failed build leaves the output alone" 2 lg handoff build --devices "$W/broken.json" -o "$W/prev.bin"
[ "$before" = "$(snapshot "$W")" ] && echo "ok - failed build: the old output and its folder are unchanged" ||
  echo "not ok - failed build: the folder changed"

# ---- inputs that are not regular files: at once, exit 2, one line ---------------------------
mkfifo "$W/fifo"
input_case() { # input_case NAME WANT-TEXT ARGS... (lugate arguments, the FIFO among them)
  local name=$1 msg=$2; shift 2
  local before; before=$(snapshot "$W")
  expect "$name" 2 lg "$@"
  expect_err_line "$msg"
  [ "$before" = "$(snapshot "$W")" ] && echo "ok - $name: nothing written" || echo "not ok - $name: something was written"
}
F="$W/fifo"; NR="not a regular file (a FIFO)"
input_case "a FIFO as --devices" "$F: $NR" handoff build --devices "$F" -o "$W/x.bin"
input_case "a FIFO as the table of handoff show" "$F: $NR" handoff show "$F"
input_case "a FIFO as --handoff" "$F: $NR" check --handoff "$F" --manifest $EX/target-6.1.0-56.json
input_case "a FIFO as --manifest" "$F: $NR" check --handoff "$W/t.bin" --manifest "$F"
input_case "a FIFO as --policy" "$F: $NR" check --handoff "$W/t.bin" --manifest $EX/target-6.1.0-56.json --policy "$F"
input_case "a FIFO as --kernel" "$F: $NR" check --handoff "$W/t.bin" --kernel "$F"
input_case "a FIFO as the image of inspect" "$F: $NR" inspect "$F"
input_case "a FIFO as the manifest source" "$F: $NR" manifest build "$F" -o "$W/x.bin"
input_case "a FIFO as manifest show's input" "$F: $NR" manifest show "$F"
input_case "a FIFO as embed's image" "$F: $NR" embed --manifest $EX/target-6.1.0-56.json "$F" -o "$W/x.img"
input_case "a FIFO as embed's --manifest" "$F: $NR" embed --manifest "$F" "$W/uki.img" -o "$W/x.img"
input_case "a FIFO as seal's --kernel" "$F: $NR" seal --handoff "$W/t.bin" --kernel "$F" -o "$W/x.bin"
input_case "a FIFO as seal's --fallback" "$F: $NR" seal --handoff "$W/t.bin" --kernel "$W/bz-stamped.img" --fallback "$F" -o "$W/x.bin"
input_case "a FIFO as bundle build's --initrd" "$F: $NR" bundle build --table "$W/sealed.bin" --kernel "$W/bz-stamped.img" --initrd "$F" -o "$W/x.bin"
input_case "a FIFO as bundle show's input" "$F: $NR" bundle show "$F"
input_case "/dev/zero as --kernel (a device is never opened)" "/dev/zero: not a regular file (a character device)" \
  check --handoff "$W/t.bin" --kernel /dev/zero
input_case "a directory as --manifest" "$W: not a regular file (a directory)" check --handoff "$W/t.bin" --manifest "$W"
# a symlink to a regular input is followed, as ever (/boot/vmlinuz is one)
ln -s t.bin "$W/t-link.bin"
expect "a symlink to a regular table is read" 0 lg handoff show "$W/t-link.bin"

# sysfs and debugfs trees: attributes are regular files (of size 4096 in a real sysfs, read to
# EOF); a FIFO among them is named, at once
S=$W/sys; DEV=$S/bus/pci/devices/0000:3b:00.0; mkdir -p "$DEV" "$S/bus/drivers/mlx5_core"
printf '0x15b3\n' >"$DEV/vendor"; printf '0x101d\n' >"$DEV/device"; printf '0x020000\n' >"$DEV/class"
printf '{"release": "6.12.5", "compatible": ["kho-v1"], "devices": [{"address": "0000:3b:00.0", "vendor": "0x15b3", "device": "0x101d", "class": "0x020000", "schema": "%s", "schema_version": 2}]}\n' $G >"$W/one.json"
printf '{"compatible": ["kho-v1"], "devices": [{"address": "0000:3b:00.0", "schema": "%s", "schema_version": 2}]}\n' $G >"$W/admin.json"
printf '{"devices": [{"address": "0000:3b:00.0", "schema": "%s", "schema_version": 2}]}\n' $G >"$W/admin-nocompat.json"
expect "--sysfs with regular attributes (control)" 0 lg handoff build --devices "$W/one.json" --sysfs "$S" -o "$W/s1.bin"
rm -f "$W/s1.bin"
mv "$DEV/class" "$DEV/class.reg"; mkfifo "$DEV/class"
input_case "a FIFO as a sysfs attribute (--sysfs)" "$DEV/class: $NR" handoff build --devices "$W/one.json" --sysfs "$S" -o "$W/x.bin"
input_case "a FIFO as a sysfs attribute (--from-running)" "$DEV/class: $NR" handoff build --from-running --release 6.12.5 --devices "$W/admin.json" --sysfs "$S" -o "$W/x.bin"
rm "$DEV/class"; mv "$DEV/class.reg" "$DEV/class"
# a real sysfs device folder is a symlink into /sys/devices: expected, followed
mkdir -p "$S/devices/pci0000:00"; mv "$DEV" "$S/devices/pci0000:00/0000:3b:00.0"
ln -s ../../../devices/pci0000:00/0000:3b:00.0 "$DEV"
expect "a symlinked sysfs device folder is read (as in a real /sys)" 0 lg handoff build --devices "$W/one.json" --sysfs "$S" -o "$W/s2.bin"
# a device's attribute as large as a real one's (4096 bytes, padded with NULs after the text)
python3 -c 'import sys; open(sys.argv[1], "wb").write(b"0x020000\n" + b"\0" * 4087)' "$DEV/class"
expect "a sysfs attribute of size 4096 is read as today" 0 lg handoff build --devices "$W/one.json" --sysfs "$S" -o "$W/s3.bin"
printf '0x020000\n' >"$DEV/class"
D=$W/dbg; mkdir -p "$D/kho/out/sub_fdts"; mkfifo "$D/kho/out/fdt"
input_case "a FIFO in the --debugfs tree (kho/out/fdt)" "$D/kho/out/fdt: $NR" handoff build --from-running --release 6.12.5 --devices "$W/admin-nocompat.json" --sysfs "$S" --debugfs "$D" -o "$W/x.bin"
rm "$D/kho/out/fdt"; mkfifo "$D/kho/out/sub_fdts/LUO"
input_case "a FIFO in the --debugfs tree (sub_fdts/LUO)" "$D/kho/out/sub_fdts/LUO: $NR" handoff build --from-running --release 6.12.5 --devices "$W/admin-nocompat.json" --sysfs "$S" --debugfs "$D" -o "$W/x.bin"
rm "$D/kho/out/sub_fdts/LUO"
expect "an empty --debugfs tree: no KHO (control)" 0 lg handoff build --from-running --release 6.12.5 --devices "$W/admin-nocompat.json" --sysfs "$S" --debugfs "$D" -o "$W/s4.bin"

# ---- errors quote input: escaped, cut short, one line ------------------------------------------
one_clean_line() { # one_clean_line NAME MAX-BYTES: the last run's stderr is one line, no raw control byte
  local lines bytes
  lines=$(wc -l <"$ERR") bytes=$(wc -c <"$ERR")
  if [ "$lines" -eq 1 ] && [ "$bytes" -le "$2" ] && ! LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' <"$ERR"); then
    echo "ok - $1: one line of $bytes bytes, no control character"
  else
    echo "not ok - $1: $lines line(s), $bytes bytes (at most $2), control characters: $(tr -d '\n' <"$ERR" | LC_ALL=C tr -cd '[:cntrl:]' | od -An -c | head -1)"
    head -c 300 "$ERR" | cat -v | sed 's/^/# stderr: /'
  fi
}
python3 -c 'import json,sys; json.dump({"release": "6.1." + "9" * (16 << 20), "devices": []}, open(sys.argv[1], "w"))' "$W/huge.json"
expect "a 16 MB release in the device list" 2 lg handoff build --devices "$W/huge.json" -o "$W/x.bin"
one_clean_line "a 16 MB release" 200
expect_err_line "release \"6.1.$(rep 9 60)...\": "
python3 -c 'import json,sys; json.dump({"release": "6.1." + "9" * (16 << 20)}, open(sys.argv[1], "w"))' "$W/hugem.json"
expect "a 16 MB release in a manifest" 2 lg manifest build "$W/hugem.json" -o "$W/x.bin"
one_clean_line "a 16 MB manifest release" 200
expect "a 100 KB --release" 2 lg handoff build --devices $EX/devices.json --release "$(rep x 100000)" -o "$W/x.bin"
one_clean_line "a 100 KB --release" 250
bad=6.1$'\n'0-55${ESC}[2J
expect "a newline and an ESC in --release" 2 lg handoff build --devices $EX/devices.json --release "$bad" -o "$W/x.bin"
one_clean_line "newline and ESC in --release" 300
expect_err_line 'release "6.1\n0-55\x1b[2J"'
bad_json() { # bad_json NAME JSON-TEXT EXPECTED: one clean line with EXPECTED (escaped input)
  printf '%s' "$2" >"$W/bad.json"
  expect "$1" 2 lg handoff build --devices "$W/bad.json" -o "$W/x.bin"
  one_clean_line "$1" 400
  expect_err_line "$3"
}
bad_json "newline and ESC in a JSON release" '{"release": "6.1\n\u001b[31m", "devices": []}' 'release "6.1\n\x1b[31m"'
bad_json "ESC in a JSON key" '{"rel\u001b]0;pwned\u0007": 1, "devices": []}' 'unknown key "rel\x1b]0;pwned\x07"'
bad_json "a 1 MB JSON key" "{\"$(rep k 1000000)\": 1}" "unknown key \"$(rep k 64)...\""
bad_json "newline in an address" '{"devices": [{"address": "0000:3b\n:00.0", "vendor": "1", "device": "1", "class": "0", "schema": "'$G'", "schema_version": 1}]}' 'address "0000:3b\n:00.0"'
bad_json "ESC and a quote in a schema GUID" '{"devices": [{"address": "0000:3b:00.0", "vendor": "1", "device": "1", "class": "0", "schema": "\u001b[1m\"x", "schema_version": 1}]}' 'schema "\x1b[1m\"x"'
bad_json "bytes above 0x7e in a release" '{"release": "6.1.0-\u00e9\u009b", "devices": []}' 'release "6.1.0-\xc3\xa9\xc2\x9b"'
printf '{"release": "6.1.0-56", "schemas": [{"guid": "a\\nb\\u001b", "min_version": 1, "max_version": 1}]}' >"$W/badm.json"
expect "newline and ESC in a manifest GUID" 2 lg check --handoff "$W/t.bin" --manifest "$W/badm.json"
one_clean_line "manifest GUID" 300
expect_err_line 'guid "a\nb\x1b"'
NL=$W/$(printf 'new\nline')${ESC}[1m.json
expect "newline and ESC in a path" 2 lg handoff build --devices "$NL" -o "$W/x.bin"
one_clean_line "path with newline and ESC" 300
expect_err_line "/new\nline\x1b[1m.json: cannot open"
cp $EX/devices.json "$NL"
expect "newline and ESC in an output path that is a FIFO" 2 lg handoff build --devices "$NL" -o "$W/fifo"
one_clean_line "FIFO output" 300
LONG=$W/$(rep d 250)/$(rep f 250).json
expect "a 500-character path" 2 lg handoff build --devices "$LONG" -o "$W/x.bin"
one_clean_line "a 500-character path" 300
expect_err_line "$(rep d 10)...$(rep f 91).json: cannot open: No such file or directory" # the end of the path kept
expect "ESC in an unknown verb" 2 lg "frob${ESC}[2Jnicate"
one_clean_line "unknown verb" 200
expect_err_line "unknown verb 'frob\x1b[2Jnicate'"
printf 'paths = same\nallow 6.1.0-55 -> 6.1.0-56\x1b[2J\n' >"$W/esc.policy"
expect "ESC in a policy line" 2 lg check --handoff "$W/t.bin" --manifest $EX/target-6.1.0-56.json --policy "$W/esc.policy"
one_clean_line "policy" 200
expect_err_line "$W/esc.policy:2:"
# the verdict's JSON stays valid: reason texts carry only strings the core validated
expect "check --json over a refusal" 1 lg check --handoff "$W/t.bin" --manifest $EX/target-6.1.0-54.json --json
check "the verdict is valid JSON with bounded messages" python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["verdict"]=="refuse" and all(len(r["message"])<512 and r["message"].isprintable() for r in j["reasons"])' "$OUT"
# a bad option: the one-line error (then the verb's usage, as for every usage error)
expect "ESC in an unknown option" 2 lg handoff build "--dev${ESC}[2J" x
head -1 "$ERR" | grep -qxF -- "lugate: build: unknown option '--dev\x1b[2J'" && ! grep -q "$ESC" "$ERR" &&
  echo "ok - the unknown option is named escaped, no raw ESC on stderr" ||
  { echo "not ok - the unknown option is not named escaped"; head -3 "$ERR" | cat -v | sed 's/^/# /'; }
expect "an option without its value" 2 lg check --handoff "$W/t.bin" --manifest
grep -qF -- "option '--manifest' needs a value" "$ERR" && echo "ok - the option missing its value is named" ||
  { echo "not ok - the option missing its value is not named"; sed 's/^/# /' "$ERR"; }
