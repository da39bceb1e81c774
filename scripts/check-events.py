#!/usr/bin/env python3
"""Fails when an event id logged by the code is not explained in docs/events.md (STYLE.md
point 7: the catalog is for operators, and tests assert on ids)."""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parent.parent
call = re.compile(r'log::(?:trace|debug|info|warn|error|critical)\(\s*"([A-Z][A-Z0-9_]+)"')
emit = re.compile(r'log::emit\(\s*[^,]+,\s*"([A-Z][A-Z0-9_]+)"')
used = {}
for folder in ("daemon", "tests/sandbox"):
    for path in sorted((root / folder).rglob("*.cpp")) + sorted((root / folder).rglob("*.hpp")):
        text = path.read_text(encoding="utf-8")
        for pattern in (call, emit):
            for m in pattern.finditer(text):
                used.setdefault(m.group(1), str(path.relative_to(root)))
documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", (root / "docs/events.md").read_text(encoding="utf-8"), re.M))
missing = sorted(set(used) - documented)
for event in missing:
    print(f"{used[event]}: event id {event} is not in docs/events.md")
print(f"check-events: {len(used)} event ids used, {len(missing)} undocumented")
sys.exit(1 if missing else 0)
