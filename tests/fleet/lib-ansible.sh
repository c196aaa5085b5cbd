# Running the lugate.live_update collection in tests (sourced by tests/fleet/suite-*.sh).
#   fleet_collection DIR      build it (make ansible) and install the tarball under DIR;
#                             exports ANSIBLE_COLLECTIONS_PATH and a private Ansible home
#   run_module NAME ARGS [ansible options]   one module on this host (ansible -c local), its
#                             result as JSON in $OUT (the json callback's host entry); exit
#                             status 0 ok, 2 the module failed the host
#   jq_py EXPR                a Python expression over the last result (j), true or false
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
  local name=$1 args=$2; shift 2
  ANSIBLE_LOAD_CALLBACK_PLUGINS=1 ANSIBLE_STDOUT_CALLBACK=json \
    ansible localhost -c local -i localhost, -m "lugate.live_update.$name" -a "$args" "$@" >"$T_TMP/adhoc.json" 2>"$ERR"
  local rc=$?
  "$FLEET_PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); json.dump(j["plays"][0]["tasks"][0]["hosts"]["localhost"], open(sys.argv[2],"w"))' \
    "$T_TMP/adhoc.json" "$OUT" 2>/dev/null || echo '{}' >"$OUT"
  return $rc
}
jq_py() { "$FLEET_PY" -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($1) else 1)" "$OUT"; }
