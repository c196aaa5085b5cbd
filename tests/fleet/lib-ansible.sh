# Running the lugate.live_update collection in tests (sourced by tests/fleet/suite-*.sh).
#   fleet_collection DIR      build it (make ansible) and install the tarball under DIR;
#                             exports ANSIBLE_COLLECTIONS_PATH and a private Ansible home
#   run_module NAME ARGS [ansible options]   one module on this host (ansible -c local), its
#                             result as JSON in $OUT; exit status 0 ok, 2 the module failed
#   jq_py EXPR                a Python expression over the last result (j), true or false
FLEET_TARGET=()
FLEET_PY=/usr/bin/python3     # Debian's python3, where ansible-core lives
fleet_collection() {
  local dir=$1 tarball
  make -s --no-print-directory ansible >&2 || return 1
  tarball=$(ls "${BUILD_ABS}"/ansible/lugate-live_update-*.tar.gz) || return 1
  ansible-galaxy collection install --force "$tarball" -p "$dir" >"$dir.log" 2>&1 || return 1
  export ANSIBLE_COLLECTIONS_PATH=$dir ANSIBLE_HOME=$W/ansible-home ANSIBLE_LOCAL_TEMP=$W/ansible-home/tmp \
    ANSIBLE_REMOTE_TEMP=$W/ansible-home/remote ANSIBLE_NOCOLOR=1 ANSIBLE_HOST_KEY_CHECKING=False \
    ANSIBLE_PYTHON_INTERPRETER=$FLEET_PY ANSIBLE_RETRY_FILES_ENABLED=False
}
run_module() {
  local saved=("${FLEET_TARGET[@]}")
  FLEET_TARGET=(localhost -c local -i localhost,)
  run_module_on "$@"
  local rc=$?
  FLEET_TARGET=("${saved[@]}")
  return $rc
}
# run_module_on: the same on FLEET_TARGET (an array: host pattern and inventory options)
run_module_on() {
  local name=$1 args=$2 host=${FLEET_TARGET[0]}; shift 2
  rm -rf "$T_TMP/tree"
  # --tree keeps each host's result as JSON in a file named after the host
  ansible "${FLEET_TARGET[@]}" -o -t "$T_TMP/tree" -m "lugate.live_update.$name" -a "$args" "$@" >"$T_TMP/adhoc.out" 2>&1
  local rc=$?
  cp "$T_TMP/tree/$host" "$OUT" 2>/dev/null || { echo '{}' >"$OUT"; sed 's/^/# ansible: /' "$T_TMP/adhoc.out" | head -5; }
  # the tree holds the result without Ansible's own "failed"; ansible's exit status 2 says it
  [ "$rc" -eq 2 ] && "$FLEET_PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); j["failed"]=True; json.dump(j, open(sys.argv[1],"w"))' "$OUT"
  return $rc
}
jq_py() {  # jq_py EXPR [ARG...]: EXPR over j, the last result; ARGs are sys.argv[2:]
  local expr=$1; shift
  "$FLEET_PY" -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($expr) else 1)" "$OUT" "$@" ||
    { cp "$OUT" "$T_TMP/failed-result.json"; return 1; }
}
