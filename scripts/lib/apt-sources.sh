# Sourced: the machine's apt sources, read (never written) for a private apt configuration
# under build/ that reuses the same mirrors and keyrings.
# shellcheck shell=bash

# Every "deb" entry of the machine's sources as "URI<TAB>SUITE<TAB>COMPONENTS<TAB>KEYRING":
# deb822 .sources first, then the one-line format.
apt_system_entries() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    awk 'BEGIN { RS = ""; FS = "\n" }
      {
        types = uris = suites = comps = key = ""
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^[ \t]*#/ || !match($i, /^[A-Za-z-]+:/)) continue
          k = tolower(substr($i, 1, RLENGTH - 1)); v = substr($i, RLENGTH + 1)
          gsub(/^[ \t]+|[ \t]+$/, "", v)
          if (k == "types") types = v; else if (k == "uris") uris = v; else if (k == "suites") suites = v
          else if (k == "components") comps = v; else if (k == "signed-by") key = v
        }
        if (types !~ /(^| )deb( |$)/ || uris == "" || suites == "") next
        if (key !~ /^\//) key = ""
        nu = split(uris, u, /[ \t]+/); ns = split(suites, s, /[ \t]+/)
        for (a = 1; a <= nu; a++) for (b = 1; b <= ns; b++)
          if (u[a] != "" && s[b] != "") printf "%s\t%s\t%s\t%s\n", u[a], s[b], comps == "" ? "main" : comps, key
      }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    awk '$1 == "deb" {
        key = ""; i = 2
        if ($2 ~ /^\[/) {
          for (; i <= NF; i++) {
            if ($i ~ /signed-by=/) { key = $i; sub(/.*signed-by=/, "", key); sub(/\]$/, "", key) }
            if ($i ~ /\]$/) { i++; break }
          }
        }
        comps = ""; for (c = i + 2; c <= NF; c++) comps = comps (comps == "" ? "" : " ") $c
        printf "%s\t%s\t%s\t%s\n", $i, $(i + 1), comps == "" ? "main" : comps, key
      }' "$f"
  done
}

# apt_private ARCH: a private apt configuration for ARCH under $build/apt-ARCH (the caller sets
# build and die): the machine's own sources with arch=ARCH and their keyrings. Sets aptdir and
# APT_OPTS. Holds the directory's lock (fd 9) until the caller exits, so every script that
# fetches ARCH packages writes the one sources.list and runs apt on the one list directory in turn.
apt_private() {
  local arch=$1 uri suite comps key opts
  aptdir=$build/apt-$arch
  mkdir -p "$aptdir/lists/partial" "$aptdir/parts" || die "cannot create $aptdir"
  exec 9>"$aptdir/.lock"
  flock 9 || die "cannot lock $aptdir/.lock"
  apt_system_entries | while IFS=$'\t' read -r uri suite comps key; do
    opts="arch=$arch"
    [ -n "$key" ] && [ -r "$key" ] && opts="$opts signed-by=$key"
    printf 'deb [%s] %s %s %s\n' "$opts" "$uri" "$suite" "$comps"
  done >"$aptdir/sources.list.new"
  [ -s "$aptdir/sources.list.new" ] || die "no Debian apt source found in /etc/apt/sources.list.d or sources.list"
  mv "$aptdir/sources.list.new" "$aptdir/sources.list"
  APT_OPTS=(-o "Dir::Etc::SourceList=$aptdir/sources.list" -o "Dir::Etc::SourceParts=$aptdir/parts"
            -o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
            -o "APT::Architecture=$arch" -o "APT::Architectures=$arch" -o "APT::Sandbox::User=root")
}
