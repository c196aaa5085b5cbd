#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lugate_load
short_description: Stage a live update with lugate load (check, seal, kexec -l or -s)
version_added: "0.1.0"
description:
  - Runs C(lugate load --json). lugate checks the outgoing table against the target, seals it
    and stages its loader with kexec-tools; a refusal stages nothing and fails the host with
    every reason.
  - Idempotent. lugate keeps what it staged as C(staged.id) in its runtime folder; when the
    kernel still holds that very staging, lugate runs no kexec and says C(already_staged). The
    module reports C(changed) only when lugate staged something new.
  - In check mode it runs C(lugate load --dry-run), so nothing on the host changes. When the
    runtime folder exists, the dry run runs in a private mount namespace where a temporary copy
    of the folder (with its C(staged.id)) is bound over it; lugate computes the very C(staged_id)
    a real load would, says C(already_staged) itself, and writes only into the copy. The module
    then reports C(changed) only when lugate would stage something new, and returns the exact
    kexec command. Without the folder, or without root and C(unshare), the dry run uses a
    private folder and an allowed update is reported as C(changed).
  - The jump itself (C(systemctl kexec) or C(kexec -e)) is the play's next task.
author:
  - lugate developers
options:
  kernel:
    description: The target image (stamped with its manifest by C(lugate embed)).
    type: path
    required: true
  initrd:
    description: The target's initrd.
    type: path
  fallback:
    description: The image the loader boots if its own check refuses (sealed into the table).
    type: path
  fallback_initrd:
    description: The fallback's initrd.
    type: path
  append:
    description: The new kernel's command line. Excludes I(reuse_cmdline).
    type: str
  reuse_cmdline:
    description: Pass the running kernel's command line on (C(--reuse-cmdline)).
    type: bool
    default: false
  runtime_dir:
    description: lugate's runtime folder (default C(/run/lugate)).
    type: path
  kexec_path:
    description: C(auto) lets lugate choose; C(kho) forces kexec_file_load, C(no-kho) kexec_load.
    type: str
    choices: [auto, kho, no-kho]
    default: auto
  outgoing_image:
    description: The running kernel's image (C(--outgoing-image)).
    type: path
  on_stop:
    description: What the loader does if it boots nothing (C(reboot), C(reboot:SECONDS), C(halt)).
    type: str
  loader:
    description: lugate's loader (default the installed one).
    type: path
  kexec:
    description: kexec-tools' binary (default C(kexec) on PATH).
    type: path
extends_documentation_fragment: [lugate.live_update.lugate, lugate.live_update.lugate.gate]
seealso:
  - module: lugate.live_update.lugate_check
  - module: lugate.live_update.lugate_status
"""

EXAMPLES = r"""
- name: Stage the update
  lugate.live_update.lugate_load:
    kernel: /boot/vmlinuz-6.1.0-56-amd64
    initrd: /boot/initrd.img-6.1.0-56-amd64
    devices: /etc/lugate/devices.json
    fallback: /boot/vmlinuz-6.1.0-55-amd64
    fallback_initrd: /boot/initrd.img-6.1.0-55-amd64
    reuse_cmdline: true
  register: staged
"""

RETURN = r"""
staged:
  description: Whether the kernel holds this staging after the run (false in check mode).
  returned: when lugate ran
  type: bool
already_staged:
  description: lugate found this very staging in the kernel already and staged nothing new.
  returned: when lugate ran
  type: bool
staged_id:
  description: SHA-256 of what is staged (kexec command, sealed table, bundle, initrds).
  returned: when lugate got as far as the kexec command
  type: str
verdict:
  description: C(allow) or C(refuse).
  returned: when lugate ran the check
  type: str
reasons:
  description: Every reason of a refusal (lugate's JSON).
  returned: when lugate ran the check
  type: list
  elements: dict
reason_lines:
  description: The reasons as one line each.
  returned: when lugate ran the check
  type: list
  elements: str
kexec_path:
  description: C(kexec_load) or C(kexec_file_load).
  returned: when lugate ran
  type: str
kexec_command:
  description: The exact kexec-tools argv lugate ran (or, in check mode, would run).
  returned: when lugate got as far as the kexec command
  type: list
  elements: str
sealed_table:
  description: The sealed table's path in the runtime folder.
  returned: when lugate wrote it
  type: str
load:
  description: lugate's whole JSON reply.
  returned: when lugate ran
  type: dict
rc:
  description: lugate's exit code (0 staged, 1 refused, 2 bad input, 3 the system refused).
  returned: always
  type: int
"""

import os
import shutil

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.lugate.live_update.plugins.module_utils.lugate_cli import (
    LUGATE_ARG_SPEC, TABLE_ARG_SPEC, TABLE_EXCLUSIVE, TABLE_ONE_OF, reasons_text, run_json, table_args)

PATH_OPTIONS = (("initrd", "--initrd"), ("fallback", "--fallback"), ("fallback_initrd", "--fallback-initrd"),
                ("policy", "--policy"), ("outgoing_image", "--outgoing-image"), ("on_stop", "--on-stop"),
                ("loader", "--loader"), ("kexec", "--kexec"), ("append", "--append"))


def command(module):
    p = module.params
    argv = ["load", "--kernel", p["kernel"]] + table_args(module, verb_wants_devices=True)
    for name, flag in PATH_OPTIONS:
        if p[name] is not None:
            argv += [flag, p[name]]
    if p["reuse_cmdline"]:
        argv.append("--reuse-cmdline")
    if p["kexec_path"] != "auto":
        argv.append("--" + p["kexec_path"])
    if module.check_mode:
        argv += ["--dry-run", "--runtime-dir", dry_run_dir(module)[1]]
    elif p["runtime_dir"]:
        argv += ["--runtime-dir", p["runtime_dir"]]
    return argv


def dry_run_dir(module):
    """Check mode's (wrapper argv, runtime folder): the real folder's path with a private copy
    bound over it in a mount namespace of its own, or a private folder when that cannot be."""
    real = module.params["runtime_dir"] or "/run/lugate"
    private = os.path.join(module.tmpdir, "runtime")
    if not os.path.isdir(private):
        os.mkdir(private, 0o700)
    unshare = module.get_bin_path("unshare")
    if os.path.islink(real) or not os.path.isdir(real) or os.geteuid() != 0 or not unshare:
        return (), private
    staged = os.path.join(real, "staged.id")
    if os.path.isfile(staged) and not os.path.islink(staged):
        shutil.copy2(staged, os.path.join(private, "staged.id"))
    return ([unshare, "--mount", "--propagation", "private", "sh", "-c",
             'mount --bind -- "$1" "$2" && shift 2 && exec "$@"', "lugate-dry-run", private, real], real)


def main():
    spec = dict(kernel=dict(type="path", required=True), initrd=dict(type="path"), fallback=dict(type="path"),
                fallback_initrd=dict(type="path"), append=dict(type="str"),
                reuse_cmdline=dict(type="bool", default=False), policy=dict(type="path"),
                runtime_dir=dict(type="path"),
                kexec_path=dict(type="str", default="auto", choices=["auto", "kho", "no-kho"]),
                outgoing_image=dict(type="path"), on_stop=dict(type="str"), loader=dict(type="path"),
                kexec=dict(type="path"))
    spec.update(TABLE_ARG_SPEC)
    spec.update(LUGATE_ARG_SPEC)
    module = AnsibleModule(argument_spec=spec,
                           mutually_exclusive=TABLE_EXCLUSIVE + [("append", "reuse_cmdline")],
                           required_one_of=TABLE_ONE_OF, required_by=dict(fallback_initrd="fallback"),
                           supports_check_mode=True)
    prefix = dry_run_dir(module)[0] if module.check_mode else ()
    rc, data, err = run_json(module, command(module), "lugate load", prefix)
    reasons = data.get("reasons") or []
    already = bool(data.get("already_staged"))
    result = dict(rc=rc, staged=bool(data.get("staged")), already_staged=already, staged_id=data.get("staged_id"),
                  verdict=data.get("verdict"), reasons=reasons, reason_lines=reasons_text(reasons),
                  kexec_path=data.get("kexec_path"), kexec_command=data.get("kexec_command"),
                  sealed_table=None if module.check_mode else data.get("sealed_table"), load=data)
    if rc == 0:
        result["changed"] = not already
        module.exit_json(**result)
    result["changed"] = False
    if rc == 1:
        module.fail_json(msg="lugate load refused %s -> %s, nothing staged: %s"
                         % (data.get("outgoing"), data.get("target"), "; ".join(result["reason_lines"])), **result)
    module.fail_json(msg="lugate load: exit %d: %s" % (rc, err.strip()), **result)


if __name__ == "__main__":
    main()
