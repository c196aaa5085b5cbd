# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
"""The documentation the modules of lugate.live_update share (extends_documentation_fragment)."""
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Every module that runs lugate on the managed host: where lugate is, and full check mode.
    DOCUMENTATION = r"""
attributes:
  check_mode:
    support: full
options:
  lugate_path:
    description: The lugate binary; default C(lugate) on PATH, C(/usr/sbin) or C(/usr/local/sbin).
    type: path
notes:
  - Requires the lugate CLI on the managed host (C(make install)); the module reads its C(--json) output.
"""

    # The controller-side report module: check mode in full, no lugate.
    CHECK_MODE = r"""
attributes:
  check_mode:
    support: full
"""

    # The outgoing kernel's handoff table: a file, or a device list lugate builds it from.
    TABLE = r"""
options:
  handoff:
    description: The outgoing kernel's handoff table, an existing file.
    type: path
  devices:
    description:
      - A device list (JSON, docs/handoff-format.md) to build the table from on this host
        (C(lugate handoff build), or C(lugate load --devices)).
      - Exactly one of I(handoff) and I(devices) is required.
    type: path
  from_running:
    description: With I(devices), take IDs, drivers, release and KHO/LUO versions from the running system.
    type: bool
    default: true
  sysfs:
    description: The sysfs root to read or cross-check the device list in (C(--sysfs)).
    type: path
"""

    # What lugate check and lugate load take: the table, and a policy file.
    GATE = TABLE + r"""  policy:
    description: A policy file (docs/policy.md) for C(--policy).
    type: path
"""
