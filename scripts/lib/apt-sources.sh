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
