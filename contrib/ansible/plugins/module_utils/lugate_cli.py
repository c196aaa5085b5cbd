# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
"""Running the lugate CLI for the modules of lugate.live_update.

Every decision (allow or refuse, what is staged, how the boot went) is lugate's own: the modules
only run `lugate VERB ... --json`, read the JSON it prints and map its documented exit codes
(0 allow/ok, 1 refuse/failed, 2 bad input, 3 the system refused) to Ansible results.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

EXIT_NAMES = {0: "ok", 1: "refused", 2: "bad input", 3: "the system refused"}

# Options every module shares: where lugate is.
LUGATE_ARG_SPEC = dict(lugate_path=dict(type="path"))

# Options that name the outgoing table: a file, or a device list built --from-running here.
TABLE_ARG_SPEC = dict(
    handoff=dict(type="path"),
    devices=dict(type="path"),
    from_running=dict(type="bool", default=True),
    sysfs=dict(type="path"),
)
TABLE_EXCLUSIVE = [("handoff", "devices")]
TABLE_ONE_OF = [("handoff", "devices")]


def lugate_bin(module):
    """The lugate binary: lugate_path, else `lugate` on PATH or in the sbin folders."""
    given = module.params.get("lugate_path")
    if given:
        if not os.access(given, os.X_OK):
            module.fail_json(msg="lugate_path %s is not an executable file" % given)
        return given
    return module.get_bin_path("lugate", required=True, opt_dirs=["/usr/sbin", "/usr/local/sbin"])


def run(module, args, prefix=()):
    """Run lugate with args (behind prefix, a wrapper's argv); returns (rc, stdout, stderr). Never
    through a shell of the module's making."""
    return module.run_command(list(prefix) + [lugate_bin(module)] + list(args), check_rc=False)


def run_json(module, args, what, prefix=()):
    """Run `lugate ARGS --json`; returns (rc, parsed JSON). A reply that is not JSON fails."""
    argv = list(args) + ["--json"]
    rc, out, err = run(module, argv, prefix)
    try:
        data = json.loads(out) if out.strip() else None
    except ValueError:
        data = None
    if data is None:
        module.fail_json(msg="%s: lugate exit %d (%s): %s" % (what, rc, EXIT_NAMES.get(rc, "unknown"),
                                                              (err or out).strip() or "no output"),
                         rc=rc, stderr=err, cmd=[lugate_bin(module)] + argv)
    return rc, data, err


def table_args(module, verb_wants_devices=False):
    """The arguments naming the outgoing table.

    `load` takes --devices itself; `check` and the facts need a table file, which is built here by
    `lugate handoff build` into Ansible's private temporary folder (so check mode writes nothing).
    """
    p = module.params
    if p.get("handoff"):
        return ["--handoff", p["handoff"]]
    if verb_wants_devices:
        extra = ["--from-running"] if p.get("from_running") else []
        if p.get("sysfs"):
            extra += ["--sysfs", p["sysfs"]]
        return ["--devices", p["devices"]] + extra
    return ["--handoff", build_table(module)]


def build_table(module):
    """`lugate handoff build` of the device list into module.tmpdir; returns the table's path."""
    p = module.params
    out = os.path.join(module.tmpdir, "handoff.bin")
    argv = ["handoff", "build", "--devices", p["devices"], "-o", out]
    if p.get("from_running"):
        argv.append("--from-running")
    if p.get("sysfs"):
        argv += ["--sysfs", p["sysfs"]]
    rc, stdout, err = run(module, argv)
    if rc != 0:
        module.fail_json(msg="lugate handoff build: exit %d (%s): %s" % (rc, EXIT_NAMES.get(rc, "unknown"),
                                                                         (err or stdout).strip()), rc=rc)
    return out


def reasons_text(reasons):
    """One line per reason, `code: message`, as lugate prints them."""
    return ["%s: %s" % (r.get("code", "?"), r.get("message", "")) for r in reasons or []]
