#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lugate_facts
short_description: The host's outgoing live-update state, from the lugate CLI
version_added: "0.1.0"
description:
  - Builds the host's handoff table with C(lugate handoff build --from-running) (or reads a
    given one) and returns what C(lugate handoff show --json) says of it, with
    C(lugate inspect --json) of the running kernel's image and of the target image.
  - The table is built in Ansible's private temporary folder and removed afterwards; nothing
    on the host changes, so the module always reports C(changed=false) and runs in check mode.
  - Every field is lugate's own JSON; this module decides nothing.
author:
  - lugate developers
options:
  kernel:
    description: The target image to inspect (C(lugate inspect)); omit to skip it.
    type: path
  running_image:
    description:
      - The running kernel's image to inspect; default C(/boot/vmlinuz-RELEASE) with the
        table's release. A missing default is a warning, a missing given path an error.
    type: path
extends_documentation_fragment: [lugate.live_update.lugate, lugate.live_update.lugate.table]
seealso:
  - module: lugate.live_update.lugate_check
"""

EXAMPLES = r"""
- name: What this host would hand over
  lugate.live_update.lugate_facts:
    devices: /etc/lugate/devices.json
    kernel: /boot/vmlinuz-6.1.0-56-amd64

- name: Show the preserved devices
  ansible.builtin.debug:
    msg: "{{ ansible_facts.lugate.handoff.devices | map(attribute='address') | list }}"
"""

RETURN = r"""
ansible_facts:
  description: Facts under the key C(lugate).
  returned: always
  type: complex
  contains:
    lugate:
      description: The host's live-update state.
      type: complex
      contains:
        release:
          description: The outgoing kernel's release, as the table records it.
          type: str
          sample: 6.1.0-55-amd64
        handoff:
          description: C(lugate handoff show --json) of the table (format, release, compatible, devices).
          type: dict
        devices:
          description: The number of preserved devices.
          type: int
          sample: 2
        running_image:
          description: C(lugate inspect --json) of the running kernel's image, or null when it is not there.
          type: dict
        target:
          description: C(lugate inspect --json) of I(kernel), or null when no kernel was given.
          type: dict
        kexec_loaded:
          description: Whether the kernel holds a staged image now (C(/sys/kernel/kexec_loaded)).
          type: bool
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.lugate.live_update.plugins.module_utils.lugate_cli import (
    LUGATE_ARG_SPEC, TABLE_ARG_SPEC, TABLE_EXCLUSIVE, TABLE_ONE_OF, run_json, table_args)


def inspect(module, path):
    rc, data, err = run_json(module, ["inspect", path], "lugate inspect %s" % path)
    if rc != 0:
        module.fail_json(msg="lugate inspect %s: exit %d: %s" % (path, rc, err.strip()), rc=rc, inspect=data)
    return data


def kexec_loaded():
    try:
        with open("/sys/kernel/kexec_loaded") as f:
            return f.read().strip() == "1"
    except (IOError, OSError):
        return False


def main():
    spec = dict(kernel=dict(type="path"), running_image=dict(type="path"))
    spec.update(TABLE_ARG_SPEC)
    spec.update(LUGATE_ARG_SPEC)
    module = AnsibleModule(argument_spec=spec, mutually_exclusive=TABLE_EXCLUSIVE,
                           required_one_of=TABLE_ONE_OF, supports_check_mode=True)
    p = module.params
    table = table_args(module)[1]
    rc, handoff, err = run_json(module, ["handoff", "show", table], "lugate handoff show")
    if rc != 0:
        module.fail_json(msg="lugate handoff show: exit %d: %s" % (rc, err.strip()), rc=rc)
    release = handoff.get("release")
    running = None
    image = p["running_image"] or "/boot/vmlinuz-%s" % release
    if p["running_image"] or os.path.exists(image):
        running = inspect(module, image)
    else:
        module.warn("the running kernel's image %s is not there; running_image is null" % image)
    target = inspect(module, p["kernel"]) if p["kernel"] else None
    facts = dict(release=release, handoff=handoff, devices=len(handoff.get("devices") or []),
                 running_image=running, target=target, kexec_loaded=kexec_loaded())
    module.exit_json(changed=False, ansible_facts=dict(lugate=facts))


if __name__ == "__main__":
    main()
