# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT
"""The fleet report: what each host's records (the modules' results, as the role keeps them)
add up to, as JSON, a Markdown table and a node_exporter textfile per host (docs/fleet.md).

Pure functions of the records: no I/O here, so the report can be built and tested from recorded
results alone.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

# What happened to a host, in the order a run moves through them.
OUTCOMES = ("refused", "untouched", "would-update", "staged", "updated", "fallback", "failed")


def outcome(rec):
    """One word for the host: refused, untouched, would-update, staged, updated, fallback, failed."""
    failed = rec.get("failed_step")
    pre = rec.get("preflight") or {}
    status = rec.get("status") or {}
    load = rec.get("load") or {}
    if status.get("booted") == "fallback":
        return "fallback"
    if failed == "preflight" and pre.get("verdict") == "refuse":
        return "refused"
    if failed:
        return "failed"
    if status.get("booted") == "target" and status.get("rc") == 0:
        return "updated"
    if load and rec.get("check_mode"):
        return "would-update"
    if load.get("staged"):
        return "staged"
    return "untouched"


def reasons(rec):
    """Every reason the run met on this host: the pre-flight's, the load's, the loader's, the
    post-flight's failed checks, and a failed step's message."""
    out = []
    for part in ("preflight", "load"):
        out += (rec.get(part) or {}).get("reason_lines") or []
    status = rec.get("status") or {}
    out += ["loader: %s" % r for r in status.get("reasons") or []]
    out += ["%s: %s" % (c.get("check", "?"), c.get("message", "")) for c in status.get("checks_failed") or []]
    if rec.get("failed_step") and rec.get("message") and not out:
        out.append("%s: %s" % (rec["failed_step"], rec["message"]))
    return out


def kernel_ended_on(rec):
    status = rec.get("status") or {}
    return status.get("running_release") or rec.get("kernel_before")


def host_entry(rec):
    pre = rec.get("preflight") or {}
    load = rec.get("load") or {}
    status = rec.get("status") or {}
    return dict(host=rec.get("host"), outcome=outcome(rec), verdict=pre.get("verdict"), reasons=reasons(rec),
                devices=pre.get("devices"), kernel_before=rec.get("kernel_before"), target=pre.get("target"),
                kernel_ended_on=kernel_ended_on(rec), booted=status.get("booted"),
                staged_id=load.get("staged_id"), already_staged=load.get("already_staged"),
                failed_step=rec.get("failed_step"), message=rec.get("message"))


def build(records, run, generated, check_mode):
    """The report of one run: records is a list of host records (any order)."""
    hosts = [host_entry(r) for r in sorted(records, key=lambda r: str(r.get("host")))]
    summary = dict((o, 0) for o in OUTCOMES)
    for h in hosts:
        summary[h["outcome"]] += 1
    stopped = [h["host"] for h in hosts if h["outcome"] in ("refused", "fallback", "failed")]
    return dict(run=run, generated=generated, check_mode=check_mode, summary=summary,
                stopped_by=stopped, hosts=hosts)


def _cell(text):
    return str("" if text is None else text).replace("|", "\\|").replace("\n", " ")


def markdown(report):
    lines = ["# lugate fleet report %s" % report["run"], "",
             "Generated %s%s. Outcomes: %s." % (report["generated"], " (check mode: nothing changed)"
                                               if report["check_mode"] else "",
                                               ", ".join("%s %d" % (k, v) for k, v in report["summary"].items() if v)),
             ""]
    if report["stopped_by"]:
        lines += ["The rollout stopped at: %s." % ", ".join(report["stopped_by"]), ""]
    lines += ["| host | verdict | outcome | reasons | devices | kernel before | kernel ended on |",
              "|---|---|---|---|---|---|---|"]
    for h in report["hosts"]:
        lines.append("| %s |" % " | ".join(_cell(v) for v in (
            h["host"], h["verdict"] or "-", h["outcome"], "<br>".join(h["reasons"]) or "-",
            h["devices"] if h["devices"] is not None else "-", h["kernel_before"] or "-",
            h["kernel_ended_on"] or "-")))
    return "\n".join(lines) + "\n"


def _label(value):
    return str(value).replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")


METRICS = (
    ("lugate_preflight_allowed", "1 when lugate check allowed the update to the target in the last run."),
    ("lugate_preflight_reasons", "How many reasons the last pre-flight named (0 on allow)."),
    ("lugate_preserved_devices", "Preserved devices in the outgoing handoff table."),
    ("lugate_update_staged", "1 when the last run staged (or found staged) the update."),
    ("lugate_last_update_target", "1 when the last update booted the approved target and every check held."),
    ("lugate_last_update_fallback", "1 when the last update booted the fallback kernel."),
    ("lugate_last_update_failed", "1 when the last run failed on this host (any step)."),
    ("lugate_kernel_info", "The kernel the host runs after the last run, as a label."),
    ("lugate_last_run_timestamp_seconds", "When the fleet report of the last run was made."),
)


def textfile(host, timestamp):
    """A node_exporter textfile-collector file for one host entry (no host label: node_exporter's
    own instance label says which host)."""
    target = _label(host["target"] or "")
    values = dict(
        lugate_preflight_allowed=('{target="%s"}' % target, 1 if host["verdict"] == "allow" else 0),
        lugate_preflight_reasons=('{target="%s"}' % target, len((host["reasons"]))
                                  if host["verdict"] == "refuse" else 0),
        lugate_preserved_devices=("", host["devices"] or 0),
        lugate_update_staged=("", 1 if host["outcome"] in ("staged", "updated", "fallback") else 0),
        lugate_last_update_target=("", 1 if host["outcome"] == "updated" else 0),
        lugate_last_update_fallback=("", 1 if host["outcome"] == "fallback" else 0),
        lugate_last_update_failed=("", 1 if host["outcome"] in ("failed", "fallback", "refused") else 0),
        lugate_kernel_info=('{release="%s"}' % _label(host["kernel_ended_on"] or ""), 1),
        lugate_last_run_timestamp_seconds=("", int(timestamp)),
    )
    lines = []
    for name, helptext in METRICS:
        labels, value = values[name]
        lines += ["# HELP %s %s" % (name, helptext), "# TYPE %s gauge" % name, "%s%s %s" % (name, labels, value)]
    return "\n".join(lines) + "\n"
