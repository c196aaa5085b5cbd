#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lugate_check
short_description: The live update's pre-flight, lugate check, on this host
version_added: "0.1.0"
description:
  - Runs C(lugate check --json) of the host's handoff table against the target image (or a
    manifest) and reports lugate's verdict with every reason it names.
  - On allow the host is ok; on refuse the module fails the host, listing every reason, so a
    play stops before anything is staged. Bad input (exit 2) and a system error (exit 3) fail too.
  - The check writes nothing (the table, when built from I(devices), goes to Ansible's private
    temporary folder), so check mode runs it in full and C(changed) is always false.
author:
  - lugate developers
options:
  kernel:
    description: The target image (its embedded manifest is checked, its SHA-256 recorded).
    type: path
  manifest:
    description: A target manifest file instead of an image.
    type: path
extends_documentation_fragment: [lugate.live_update.lugate, lugate.live_update.lugate.gate]
notes:
  - I(kernel) and I(manifest) exclude each other; one is required.
seealso:
  - module: lugate.live_update.lugate_load
"""

EXAMPLES = r"""
- name: Pre-flight on every host
  lugate.live_update.lugate_check:
    devices: /etc/lugate/devices.json
    kernel: /boot/vmlinuz-6.1.0-56-amd64
  register: preflight
"""

RETURN = r"""
verdict:
  description: lugate's verdict, C(allow) or C(refuse).
  returned: when lugate ran the check
  type: str
  sample: allow
reasons:
  description: Every reason of a refusal, as lugate's JSON gives them (code, message, ...).
  returned: when lugate ran the check
  type: list
  elements: dict
reason_lines:
  description: The reasons as one C(code message) line each.
  returned: when lugate ran the check
  type: list
  elements: str
outgoing:
  description: The outgoing release.
  returned: when lugate ran the check
  type: str
  sample: 6.1.0-55-amd64
target:
  description: The target release.
  returned: when lugate ran the check
  type: str
  sample: 6.1.0-56-amd64
path:
  description: The version path lugate found (C(same), C(stable-next), C(minor-next), C(none)).
  returned: when lugate ran the check
  type: str
devices:
  description: The number of preserved devices.
  returned: when lugate ran the check
  type: int
check:
  description: lugate's whole JSON reply.
  returned: when lugate ran the check
  type: dict
rc:
  description: lugate's exit code (0 allow, 1 refuse, 2 bad input, 3 system error).
  returned: always
  type: int
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.lugate.live_update.plugins.module_utils.lugate_cli import (
    LUGATE_ARG_SPEC, TABLE_ARG_SPEC, TABLE_EXCLUSIVE, TABLE_ONE_OF, reasons_text, run_json, table_args)


def main():
    spec = dict(kernel=dict(type="path"), manifest=dict(type="path"), policy=dict(type="path"))
    spec.update(TABLE_ARG_SPEC)
    spec.update(LUGATE_ARG_SPEC)
    module = AnsibleModule(argument_spec=spec,
                           mutually_exclusive=TABLE_EXCLUSIVE + [("kernel", "manifest")],
                           required_one_of=TABLE_ONE_OF + [("kernel", "manifest")],
                           supports_check_mode=True)
    p = module.params
    argv = ["check"] + table_args(module)
    argv += ["--kernel", p["kernel"]] if p["kernel"] else ["--manifest", p["manifest"]]
    if p["policy"]:
        argv += ["--policy", p["policy"]]
    rc, data, err = run_json(module, argv, "lugate check")
    reasons = data.get("reasons") or []
    result = dict(changed=False, rc=rc, verdict=data.get("verdict"), reasons=reasons,
                  reason_lines=reasons_text(reasons), outgoing=data.get("outgoing"),
                  target=data.get("target"), path=data.get("path"), devices=data.get("devices"), check=data)
    if rc == 0 and data.get("verdict") == "allow":
        module.exit_json(**result)
    if rc == 1:
        module.fail_json(msg="pre-flight refused %s -> %s: %s" % (data.get("outgoing"), data.get("target"),
                                                                  "; ".join(result["reason_lines"])), **result)
    module.fail_json(msg="lugate check: exit %d: %s" % (rc, err.strip() or data.get("error", "")), **result)


if __name__ == "__main__":
    main()
