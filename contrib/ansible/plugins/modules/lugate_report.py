#!/usr/bin/python
# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lugate_report
short_description: Keep one host's record of a rolling live update and write the fleet report
version_added: "0.1.0"
description:
  - Runs on the controller (C(delegate_to localhost)). Stores I(record), one host's results of
    the run (pre-flight, load, status, the step that failed), as C(DIR/hosts/HOST.json), then
    rewrites the run's report from every record in I(dir) (docs/fleet.md)
  - C(DIR/report.json) and C(DIR/report.md), every host's verdict, outcome, reasons, preserved
    devices and the kernel it ended on; and C(DIR/textfile/HOST.prom), a Prometheus
    node_exporter textfile per host (C(lugate_preflight_allowed), C(lugate_last_update_fallback), ...).
  - The report is rewritten at every call, so a run that stops at a failure still leaves a
    report that says why.
  - It writes only on the controller, in check mode too (run the task with C(check_mode=false));
    the report of a check run says so.
author:
  - lugate developers
options:
  dir:
    description: The run's report folder (made if missing).
    type: path
    required: true
  record:
    description:
      - One host's record; C(host) names it. Keys C(preflight), C(load), C(status) hold the
        lugate_check, lugate_load and lugate_status results; C(kernel_before), C(failed_step),
        C(message) and C(check_mode) complete it.
      - Omit to rewrite the report from the records already there.
    type: dict
  run:
    description: The run's name in the report.
    type: str
    default: ""
extends_documentation_fragment: [lugate.live_update.lugate.check_mode]
"""

EXAMPLES = r"""
- name: Record this host and rewrite the report
  lugate.live_update.lugate_report:
    dir: "{{ playbook_dir }}/reports/{{ lugate_run }}"
    run: "{{ lugate_run }}"
    record:
      host: "{{ inventory_hostname }}"
      preflight: "{{ preflight }}"
  delegate_to: localhost
  check_mode: false
"""

RETURN = r"""
report:
  description: The report as written to report.json (run, generated, check_mode, summary, stopped_by, hosts).
  returned: always
  type: dict
markdown:
  description: The Markdown table as written to report.md.
  returned: always
  type: str
textfiles:
  description: Each host's node_exporter textfile, by host.
  returned: always
  type: dict
"""

import json
import os
import re
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.lugate.live_update.plugins.module_utils import fleet_report


def safe_name(host):
    return re.sub(r"[^A-Za-z0-9._-]", "_", str(host)) or "_"


def write(module, path, text):
    """Atomically, and only when the bytes differ; returns whether the file changed."""
    try:
        with open(path) as f:
            if f.read() == text:
                return False
    except (IOError, OSError):
        pass
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".lugate-report.")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    module.atomic_move(tmp, path)
    return True


def main():
    module = AnsibleModule(argument_spec=dict(dir=dict(type="path", required=True), record=dict(type="dict"),
                                              run=dict(type="str", default="")),
                           supports_check_mode=True)
    p = module.params
    hosts_dir = os.path.join(p["dir"], "hosts")
    text_dir = os.path.join(p["dir"], "textfile")
    for d in (hosts_dir, text_dir):
        if not os.path.isdir(d):
            os.makedirs(d, 0o755)
    changed = False
    if p["record"]:
        if not p["record"].get("host"):
            module.fail_json(msg="record: 'host' is required")
        changed |= write(module, os.path.join(hosts_dir, safe_name(p["record"]["host"]) + ".json"),
                         json.dumps(p["record"], indent=2, sort_keys=True) + "\n")
    records = []
    for name in sorted(os.listdir(hosts_dir)):
        if name.endswith(".json"):
            with open(os.path.join(hosts_dir, name)) as f:
                records.append(json.load(f))
    now = time.time()
    report = fleet_report.build(records, p["run"], time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
                                 any(r.get("check_mode") for r in records))
    md = fleet_report.markdown(report)
    textfiles = dict((h["host"], fleet_report.textfile(h, now)) for h in report["hosts"])
    changed |= write(module, os.path.join(p["dir"], "report.json"), json.dumps(report, indent=2) + "\n")
    changed |= write(module, os.path.join(p["dir"], "report.md"), md)
    for host, text in textfiles.items():
        changed |= write(module, os.path.join(text_dir, safe_name(host) + ".prom"), text)
    module.exit_json(changed=changed, report=report, markdown=md, textfiles=textfiles)


if __name__ == "__main__":
    main()
