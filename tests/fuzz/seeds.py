#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target (tests/fuzz/*_fuzz.cpp) from the repository's
fixtures: tests/fixtures/tickets (requests, portal, org), workflows/, config/, and the API
answers and comments the unit tests hold as string literals (tests/unit/{bitrix,zoho,service,
config}). Usage: seeds.py SOURCE_DIR OUT_DIR [TARGET]; OUT_DIR/<target>/ is rewritten (only
TARGET's when given, so runs of different targets at once do not race).

Each seed is in the target's input layout (see the comment at the top of its .cpp)."""
import hashlib
import json
import re
import shutil
import sys
from pathlib import Path

src = Path(sys.argv[1])
out = Path(sys.argv[2])
seeds = {}


def add(target, data):
    if isinstance(data, str):
        data = data.encode()
    seeds.setdefault(target, {})[hashlib.sha1(data).hexdigest()] = data


# C++ literals in the unit tests: raw strings and ordinary "..." strings.
RAW = re.compile(r'R"([^(\s]*)\((.*?)\)\1"', re.S)
PLAIN = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def literals(path):
    text = path.read_text(encoding="utf-8")
    found = [m.group(2) for m in RAW.finditer(text)]
    stripped = RAW.sub("", text)
    for m in PLAIN.finditer(stripped):
        try:
            found.append(bytes(m.group(1), "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8"))
        except (UnicodeDecodeError, UnicodeEncodeError):
            found.append(m.group(1))
    return found


def json_literals(folder):
    for path in sorted((src / "tests" / "unit" / folder).glob("*.cpp")):
        for lit in literals(path):
            try:
                json.loads(lit)
            except ValueError:
                continue
            if lit.strip()[:1] in "{[":
                yield lit


fixtures = src / "tests" / "fixtures" / "tickets"
requests = [json.loads(p.read_text(encoding="utf-8")) for p in sorted((fixtures / "requests").glob("*.json"))]
portal = json.loads((fixtures / "portal.json").read_text(encoding="utf-8"))

# extract: pick byte, title line, description.
for i, r in enumerate(requests):
    for pick in range(8):
        add("extract", bytes([pick]) + (r.get("TITLE", "") + "\n" + r.get("DESCRIPTION", "")).encode())
for i, t in enumerate(portal.get("tasks", [])):
    add("extract", bytes([i % 8]) + (str(t.get("TITLE", "")) + "\n" + str(t.get("DESCRIPTION", ""))).encode())

# template: every {{ }} template of the workflows, with a name to render.
values = "\nMaría José\nNúñez de la Peña\nMantenimiento\nana@tarmexico.com,luis@tarmexico.com\nvalor"
for wf in sorted((src / "workflows").glob("*.y*ml")):
    for line in wf.read_text(encoding="utf-8").splitlines():
        for m in re.finditer(r'"([^"]*\{\{[^"]*)"', line):
            add("template", m.group(1) + values)
add("template", "{{ nombre | first_word | slug }}.{{ apellidos | surname | slug }}@{{ config.domain }}" + values)
add("template", "{{ departamento | map: config.department_groups }}" + values)
add("template", "{{ lista | join: \", \" }}" + values)

# workflow_loader: the workflow files.
for wf in sorted((src / "workflows").glob("*.y*ml")):
    add("workflow_loader", wf.read_text(encoding="utf-8"))

# config_loader: the configuration files and the unit tests' YAML.
for cfg in sorted((src / "config").glob("*.yaml")):
    add("config_loader", cfg.read_text(encoding="utf-8"))
for path in sorted((src / "tests" / "unit" / "config").glob("*.cpp")):
    for lit in literals(path):
        if ":" in lit and "\n" in lit:
            add("config_loader", lit)

# bitrix_decode: status byte 0 (200) and 4/5 (error statuses), then the body.
bitrix_bodies = list(json_literals("bitrix"))
tasks = portal.get("tasks", [])
bitrix_bodies.append(json.dumps({"result": {"tasks": tasks[:3]}, "total": len(tasks), "next": 50,
                                 "time": {"start": 1.0, "finish": 1.2, "duration": 0.2}}, ensure_ascii=False))
if tasks:
    bitrix_bodies.append(json.dumps({"result": {"task": tasks[0]}}, ensure_ascii=False))
bitrix_bodies.append(json.dumps({"result": portal.get("users", [])}, ensure_ascii=False))
bitrix_bodies.append(json.dumps({"result": portal.get("departments", [])}, ensure_ascii=False))
bitrix_bodies.append('{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}')
bitrix_bodies.append('{"error":"expired_token","error_description":"The access token provided has expired."}')
bitrix_bodies.append("<html><body>502 Bad Gateway<br>&nbsp;nginx</body></html>")
for body in bitrix_bodies:
    add("bitrix_decode", b"\x00" + body.encode())
    if "error" in body:
        add("bitrix_decode", b"\x06" + body.encode())

# zoho_json: status byte, body.
for body in json_literals("zoho"):
    add("zoho_json", b"\x00" + body.encode())
    if "errorCode" in body or '"code":4' in body or '"code": 4' in body:
        add("zoho_json", b"\x02" + body.encode())

# chat_command: the comments of the unit tests and of the portal fixture.
for path in sorted((src / "tests" / "unit" / "service").glob("*command*.cpp")) + \
        sorted((src / "tests" / "unit" / "service").glob("marker_test.cpp")):
    for lit in literals(path):
        add("chat_command", lit)
for c in ["/aprobar", "/rechazar falta el visto bueno", "/cancelar", "[QUOTE]/aprobar[/QUOTE]\nok",
          "&#91;QUOTE&#93;/aprobar&#91;/QUOTE&#93;", "[P][B]/aprobar[/B][/P]",
          "------------------------------------------------------\n/aprobar\n------------------------------------------------------\n/rechazar no",
          ">>/aprobar\n/cancelar", "[CODE][code]/aprobar[/code][/CODE]/approve", "/aprobar cuando RH confirme"]:
    add("chat_command", c)

# admin_request: pick byte (0 loopback, 1 remote), then the request.
token = "Authorization: Bearer fuzz-admin-token\r\n"
reqs = [
    "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n",
    f"GET /api/v1/queue?state=awaiting_approval HTTP/1.1\r\nHost: x\r\n{token}\r\n",
    f"GET /api/v1/queue/12 HTTP/1.1\r\nHost: x\r\n{token}X-Hrmaild-Via: cli\r\n\r\n",
    f"GET /api/v1/status HTTP/1.1\r\nHost: x\r\n{token}Connection: close\r\n\r\n",
    f"GET /api/v1/commands HTTP/1.1\r\nHost: x\r\n{token}\r\n",
    f"POST /api/v1/reload HTTP/1.1\r\nHost: x\r\n{token}Content-Length: 0\r\n\r\n",
    f"POST /api/v1/queue/12/reject HTTP/1.1\r\nHost: x\r\n{token}Content-Type: application/json\r\nContent-Length: 37\r\n\r\n"
    '{"id":12,"reason":"falta el permiso"}',
    f"POST /api/v1/queue/7/approve HTTP/1.1\r\nHost: x\r\n{token}Transfer-Encoding: chunked\r\n\r\n9\r\n{{\"id\":7}}\r\n0\r\n\r\n",
    "POST /events/bitrix HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 90\r\n\r\n"
    "event=ONTASKUPDATE&data%5BFIELDS_AFTER%5D%5BID%5D=42&auth%5Bapplication_token%5D=fuzz-app-token",
    "POST /events/bitrix HTTP/1.1\r\nHost: x\r\nContent-Length: 60\r\n\r\nevent=ONTASKCOMMENTADD&data[FIELDS_AFTER][TASK_ID]=9&auth[application_token]=x",
    "DELETE /api/v1/queue HTTP/1.0\r\n\r\n",
]
for r in reqs:
    add("admin_request", b"\x00" + r.encode())
    add("admin_request", b"\x01" + r.encode())

only = sys.argv[3] if len(sys.argv) > 3 else None
for target, items in seeds.items():
    if only and target != only:
        continue
    d = out / target
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    for name, data in items.items():
        (d / name).write_bytes(data)
    print(f"seeds: {target}: {len(items)}")
