#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lugate_status
short_description: The live update's post-flight, lugate status, in the kernel that booted
version_added: "0.1.0"
description:
  - Runs C(lugate status --json) after the jump. lugate reads its loader's delivery record and
    says which kernel booted (the approved target or the fallback), with the refusal's reasons,
    whether the running kernel is the sealed target, and whether every preserved device is back.
  - Fails the host when the fallback booted or any of lugate's checks failed (lugate exit 1), or
    when there is no delivery record (exit 2) unless I(cold_ok).
  - With I(record) lugate appends the outcome to its history (C(changed=true)); in check mode
    nothing is recorded.
author:
  - lugate developers
options:
  record:
    description: Keep the outcome in lugate's history (C(--record)); a bad pair is then known-bad.
    type: bool
    default: false
  state_dir:
    description: The history's folder (C(--state-dir)).
    type: path
  cold_ok:
    description: A boot without a delivery record (a cold boot) is ok, not a failure.
    type: bool
    default: false
extends_documentation_fragment: [lugate.live_update.lugate]
seealso:
  - module: lugate.live_update.lugate_load
"""

EXAMPLES = r"""
- name: How did the jump go
  lugate.live_update.lugate_status:
  register: post
"""

RETURN = r"""
booted:
  description: C(target) or C(fallback) (null without a delivery record).
  returned: when lugate ran
  type: str
  sample: target
result:
  description: lugate's summary, C(ok) or C(failed).
  returned: when a record was read
  type: str
running_release:
  description: The release of the kernel that runs now.
  returned: when lugate ran
  type: str
  sample: 6.1.0-56-amd64
reasons:
  description: The loader's refusal reason codes (for example C(image-mismatch)), when it booted the fallback.
  returned: when lugate ran
  type: list
  elements: str
checks_failed:
  description: Every post-flight check that failed (check, message).
  returned: when lugate ran
  type: list
  elements: dict
record:
  description: C(valid), C(absent) or C(corrupt).
  returned: when lugate ran
  type: str
status:
  description: lugate's whole JSON reply.
  returned: when lugate ran
  type: dict
rc:
  description: lugate's exit code (0 the target runs and every check holds, 1 fallback or a failed check, 2 no or a corrupt record, 3 system error).
  returned: always
  type: int
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.lugate.live_update.plugins.module_utils.lugate_cli import LUGATE_ARG_SPEC, run_json


def reason_lines(items, key):
    return ["%s: %s" % (i.get(key, "?"), i.get("message", "")) for i in items]


def main():
    spec = dict(record=dict(type="bool", default=False), state_dir=dict(type="path"),
                cold_ok=dict(type="bool", default=False))
    spec.update(LUGATE_ARG_SPEC)
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    p = module.params
    argv = ["status"]
    recording = p["record"] and not module.check_mode
    if recording:
        argv.append("--record")
        if p["state_dir"]:
            argv += ["--state-dir", p["state_dir"]]
    if p["cold_ok"]:
        argv.append("--cold-ok")
    rc, data, err = run_json(module, argv, "lugate status")
    result = dict(rc=rc, changed=bool(recording and data.get("recorded")), booted=data.get("booted"),
                  result=data.get("result"), running_release=data.get("running_release"),
                  reasons=data.get("reasons") or [], checks_failed=data.get("checks_failed") or [],
                  record=data.get("record"), status=data)
    if rc == 0:
        module.exit_json(**result)
    why = list(result["reasons"]) + reason_lines(result["checks_failed"], "check")
    if rc == 1 and data.get("booted") == "fallback":
        module.fail_json(msg="the FALLBACK booted (%s): %s" % (data.get("running_release"), "; ".join(why)), **result)
    if rc == 1:
        module.fail_json(msg="post-flight failed on %s: %s" % (data.get("running_release"), "; ".join(why)), **result)
    module.fail_json(msg="lugate status: exit %d: %s" % (rc, err.strip() or data.get("record", "")), **result)


if __name__ == "__main__":
    main()
