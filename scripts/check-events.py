#!/usr/bin/env python3
"""Checks docs/events.md as a document (STYLE.md point 7: the catalog is for operators, and
tests assert on ids). That every id the code logs is in the catalog is no longer checked here:
the ids are generated from the catalog (scripts/gen-event-ids.py) and log::EventId refuses any
other at compile time. What remains is the other direction and the shape of each row:
  - every documented id is still logged somewhere (a stale row misleads an operator);
  - every row names a level (trace, debug, info, warn, error, critical);
  - no id is listed twice."""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
doc = root / "docs/events.md"
row = re.compile(r"^\| `([A-Z][A-Z0-9_]+)` \| ([^|]*)\|")
levels = {"trace", "debug", "info", "warn", "error", "critical"}

code = ""
for folder in ("daemon", "tests/sandbox"):
    for path in sorted((root / folder).rglob("*.cpp")) + sorted((root / folder).rglob("*.hpp")):
        code += path.read_text(encoding="utf-8")

problems = []
seen = {}
for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1):
    m = row.match(line)
    if not m:
        continue
    event, level = m.group(1), m.group(2)
    if event in seen:
        problems.append(f"docs/events.md:{number}: {event} is already listed at line {seen[event]}")
        continue
    seen[event] = number
    if not set(re.findall(r"[a-z]+", level)) & levels:
        problems.append(f"docs/events.md:{number}: {event} names no level ('{level.strip()}')")
    # Logged by literal ("EVENT") or by generated constant (events::EVENT).
    if f'"{event}"' not in code and f"events::{event}" not in code:
        problems.append(f"docs/events.md:{number}: {event} is documented but logged nowhere")
for p in problems:
    print(p)
print(f"check-events: {len(seen)} event ids documented, {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
