#!/usr/bin/env python3
"""Prints the demo's outcome: each sample request, its final state and what was done, then the
Zoho users and groups afterwards. Reads what scripts/demo.sh saved in its work folder."""
import json
import os
import sys
import time
from datetime import datetime, timezone

work, fixtures = sys.argv[1], sys.argv[2]
requests = sorted(f for f in os.listdir(os.path.join(fixtures, "requests")) if f.endswith(".json"))
state = json.load(open(os.path.join(work, "sandbox-state.json")))
tasks = {int(t["id"]): t for t in state["bitrix"]["tasks"]}


def ticket(task_id):
    path = os.path.join(work, f"ticket-{task_id}.json")
    return json.load(open(path)) if os.path.exists(path) else None


def done_steps(t):
    out = []
    for plan in t.get("plans", []):
        if not plan.get("current"):
            continue
        steps = plan.get("plan", {}).get("steps", [])
        journal = {j["step"]: j for j in plan.get("journal", [])}
        for i, s in enumerate(steps):
            p = s.get("params", {})
            target = p.get("email") or p.get("group") or ""
            extra = p.get("member") or p.get("display_name") or ""
            what = f'{s["op"]} {target}' + (f" {extra}" if extra else "")
            j = journal.get(i)
            if s.get("after_days"):
                sched = [x for x in t.get("scheduled", []) if x["step"] == i]
                when = ""
                if sched:
                    due = datetime.fromtimestamp(sched[0]["due_at"] / 1000, timezone.utc)
                    when = f' {sched[0]["state"]} for {due:%Y-%m-%d}'
                out.append(f"{what} (scheduled{when})")
            elif j and j["state"] == "succeeded":
                out.append(what)
            elif j:
                out.append(f'{what} ({j["state"]})')
            else:
                out.append(f"{what} (not run)")
    return out


print()
print(f'{"#":>3}  {"request":<28} {"state":<18} what was done')
print(f'{"-"*3}  {"-"*28} {"-"*18} {"-"*40}')
counts = {}
for index, name in enumerate(requests, start=1):
    t = ticket(index)
    st = t["state"] if t else "left alone"
    # An approved plan whose effective date is ahead (the dated samples 15 and 16).
    waiting = bool(t) and st == "approved" and t.get("not_before", 0) > time.time() * 1000
    counts["waiting for its date" if waiting else st] = counts.get(
        "waiting for its date" if waiting else st, 0) + 1
    lines = []
    if t:
        if waiting:
            lines = [f'waits for its effective date: runs on {t["not_before_local"]}']
            appr = [a for a in t.get("approvals", []) if a["decision"] == "approve"]
            if appr:
                lines.insert(0, f'approved by {appr[-1]["approver"]} ({appr[-1]["channel"]})')
        elif st == "invalid":
            lines = ["asked HR to fix: " + t.get("parse_errors", "").replace("\n", "; ")]
        elif st == "rejected":
            approvals = t.get("approvals", [])
            lines = ["rejected by " + (approvals[-1]["approver"] if approvals else "the policy")]
        else:
            lines = done_steps(t)
            appr = [a for a in t.get("approvals", []) if a["decision"] == "approve"]
            if appr:
                lines.insert(0, f'approved by {appr[-1]["approver"]} ({appr[-1]["channel"]})')
    task = tasks.get(index, {})
    status = {"5": "completed", "6": "deferred"}.get(str(task.get("status")), "")
    if status:
        lines.append(f"task {status}")
    print(f"{index:>3}  {name[:-5]:<28} {st:<18} {lines[0] if lines else ''}")
    for line in lines[1:]:
        print(f'{"":>3}  {"":<28} {"":<18} {line}')

print()
print("requests: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
notes = state["bitrix"].get("notifications", [])
print(f"private notifications sent: {len(notes)} (new passwords go only there)")

print()
print("Zoho users after the demo:")
for u in sorted(state["zoho"]["users"], key=lambda u: u["primaryEmailAddress"]):
    enabled = "enabled" if u.get("status", True) else "DISABLED"
    incoming = ", incoming blocked" if u.get("incomingBlocked") else ""
    name = u.get("displayName") or f'{u.get("firstName", "")} {u.get("lastName", "")}'
    print(f'  {u["primaryEmailAddress"]:<36} {name:<32} {enabled}{incoming}')
print()
print("Zoho groups after the demo:")
for g in sorted(state["zoho"]["groups"], key=lambda g: g["emailId"]):
    members = sorted(m["memberEmailId"] for m in g.get("mailGroupMemberList", []))
    print(f'  {g["emailId"]:<36} {g.get("name", ""):<22} {len(members)} members')
    for m in members:
        print(f"      {m}")
