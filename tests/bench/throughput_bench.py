#!/usr/bin/env python3
"""Throughput at the APIs' limits (issue 11): a benchmark against the sandbox, not a test.

Three phases on one running daemon, each drained before the next:
  hires         N routine hires (alta: create a user in its department group and todos@)
  terminations  20 terminations (baja), approved by an approver's /aprobar comment
  groups        20 group changes (grupo-miembros: two members added, one removed)
then an idle spell that counts the requests one poll costs, and last the event-driven hire:
the daemon is restarted with the event receiver configured (the sandbox POSTs Bitrix24's
ONTASKADD to its /events/bitrix) and polling as the slow safety net (bitrix.event_poll_interval,
60 s), and hires are filed one at a time through the REST API (tasks.task.add); the time from
filing to the task completed is their latency (p50, p90, max).

It prints `name value unit` lines: requests per ticket by upstream and by method (route), the
drain time of each phase, the bound computed from the calls that phase made (the larger of
Bitrix calls beyond the burst / drain rate and Zoho calls / per-second budget), drain / bound,
the 429 and 503 answers seen, peak RSS (VmHWM) and the time from exec to READY=1; and, over
the three phases together, the Bitrix and Zoho requests per ticket (`all.*`, the amortized
figure the Bitrix target of issue 11 is about).

The daemon runs with the environment systemd gives it (the unit sets none): PATH, LANG and
NOTIFY_SOCKET, not the shell's. A developer's SSL_CERT_FILE, for one, makes OpenSSL parse the
whole CA bundle at start (about 0.8 MiB of heap and 0.4 MiB more of libcrypto resident);
`--inherit-env` keeps the shell's environment.

    python3 tests/bench/throughput_bench.py --build build/release --hires 100 \
        --bitrix-burst 50 --bitrix-rate 2 --zoho-rpm 300
"""
import argparse
import collections
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

root = pathlib.Path(__file__).resolve().parents[2]
ap = argparse.ArgumentParser()
ap.add_argument("--build", default=str(root / "build/release"))
ap.add_argument("--hires", type=int, default=100)
ap.add_argument("--terminations", type=int, default=20)
ap.add_argument("--group-changes", type=int, default=20)
ap.add_argument("--bitrix-burst", type=float, default=50)
ap.add_argument("--bitrix-rate", type=float, default=2)
ap.add_argument("--zoho-rpm", type=int, default=300)
ap.add_argument("--poll", default="2", help="daemon --poll-interval (seconds)")
ap.add_argument("--timeout", type=float, default=1800, help="longest wait for one phase (s)")
ap.add_argument("--idle", type=float, default=10, help="idle spell measured at the end (s)")
ap.add_argument("--event-hires", type=int, default=20,
                help="hires filed one at a time with events configured (latency); 0: skip")
ap.add_argument("--extra-config", default="", help="YAML appended to the daemon's config")
ap.add_argument("--keep", action="store_true", help="keep the work directory")
ap.add_argument("--inherit-env", action="store_true",
                help="run the daemon with this shell's environment, not systemd's")
ap.add_argument("--smaps", action="store_true",
                help="print the daemon's resident memory by mapping at READY and at the end")
args = ap.parse_args()
build = pathlib.Path(args.build)
work = pathlib.Path(tempfile.mkdtemp(prefix="hrmaild-tput-"))
DOMAIN = "tarmexico.com"
GROUPS = ["operaciones", "mantenimiento", "comercial"]
DEPARTMENTS = ["Operaciones", "Mantenimiento", "Comercial"]


def out(name, value, unit):
    print(f"{name} {value} {unit}", flush=True)


def call(url, body=None):
    req = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(),
                                 method="GET" if body is None else "POST",
                                 headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=60))


# ---- seed: the fixture organization plus the accounts the terminations and group changes need
fixtures = root / "tests/fixtures/tickets"
org = json.load(open(fixtures / "org.json"))
portal = json.load(open(fixtures / "portal.json"))
next_zuid = 18014398509500001
next_account = 2560636000000500001


def account(local, first, last, groups):
    global next_zuid, next_account
    org["users"].append({"primaryEmailAddress": f"{local}@{DOMAIN}", "firstName": first,
                         "lastName": last, "role": "member", "zuid": next_zuid,
                         "accountId": str(next_account)})
    next_zuid += 2
    next_account += 2
    for g in org["groups"]:
        if g["emailId"].split("@")[0] in groups:
            g["members"].append(f"{local}@{DOMAIN}")


leaving = [f"salida.bench{i:02d}" for i in range(args.terminations)]
for i, local in enumerate(leaving):
    account(local, "Salida", f"Bench{i:02d}", [GROUPS[i % 3], "todos"])
members = [f"miembro.bench{i:02d}" for i in range(3 * args.group_changes)]
for i, local in enumerate(members):
    # every third one starts in the group its ticket removes it from
    account(local, "Miembro", f"Bench{i:02d}", [GROUPS[(i // 3) % 3]] if i % 3 == 2 else [])
org["licenseCount"] = len(org["users"]) + args.hires + 50

given = ["Ana", "Luis", "Sofía", "Diego", "Valeria", "Mateo", "Camila", "Iñaki", "Renata", "José"]
family = ["García", "Hernández", "López", "Núñez", "Ortega", "Peña", "Ramírez", "Silva", "Torres", "Vega"]


def task(title, tag, description):
    return {"TITLE": title, "TAGS": [tag], "CREATED_BY": 12, "RESPONSIBLE_ID": 1, "GROUP_ID": 42,
            "DESCRIPTION": description}


hires = []
for i in range(args.hires):
    g, f1, f2 = given[i % 10], family[(i // 10) % 10], family[(i // 100 + i) % 10]
    hires.append(task(f"Alta de correo {g} {f1} {i}", "alta",
                      f"[B]Nombre(s):[/B] {g}\n[B]Apellido paterno:[/B] {f1}{i}\n"
                      f"[B]Apellido materno:[/B] {f2}\n[B]Departamento:[/B] {DEPARTMENTS[i % 3]}"))
terminations = [task(f"Baja de colaborador bench {i}", "baja",
                     f"[B]Correo:[/B] {local}@{DOMAIN}\n[B]Fecha de baja:[/B] 30/11/2025")
                for i, local in enumerate(leaving)]
changes = []
for i in range(args.group_changes):
    a, b, c = members[3 * i], members[3 * i + 1], members[3 * i + 2]
    changes.append(task(f"Actualizar lista bench {i}", "grupo",
                        f"[B]Acción:[/B] Actualizar miembros\n"
                        f"[B]Correo del grupo:[/B] {GROUPS[i % 3]}@{DOMAIN}\n"
                        f"[B]Agregar:[/B] {a}@{DOMAIN}, {b}@{DOMAIN}\n"
                        f"[B]Quitar:[/B] {c}@{DOMAIN}"))

ready_file = work / "ready.json"
sandbox_log = open(work / "sandbox.log", "w")
sandbox = subprocess.Popen([str(build / "tests/sandbox/hrmaild-sandbox"), "--listen", "127.0.0.1:0",
                            "--ready-file", str(ready_file), "--log-level", "debug"],
                           stdout=sandbox_log, stderr=sandbox_log)
daemon = None
notify = None
try:
    for _ in range(200):
        if ready_file.exists() and ready_file.stat().st_size > 0:
            break
        time.sleep(0.05)
    base = json.load(open(ready_file))["zoho_api_url"]
    call(base + "/_sandbox/seed", {"portal": portal, "org": org, "requests": hires})
    call(base + "/_sandbox/config", {
        "bitrix": {"bucket_burst": args.bitrix_burst, "bucket_drain_per_sec": args.bitrix_rate},
        "zoho": {"requests_per_minute": args.zoho_rpm}})
    cfg = (root / "config/sandbox.yaml").read_text()
    cfg = cfg.replace("http://127.0.0.1:8790", base).replace("secrets/", str(root / "config/secrets") + "/")
    cfg = cfg.replace("../var/sandbox/hrmaild.db", str(work / "state.db")).replace("../workflows", str(root / "workflows"))
    cfg_events = cfg  # (the event phase's daemon listens on a port the sandbox knows)
    cfg = cfg.replace("listen: 127.0.0.1:8791", "listen: 127.0.0.1:0")
    cfg = cfg.replace("requests_per_minute: 500", f"requests_per_minute: {args.zoho_rpm}")
    cfg = cfg.replace("level: info", "level: warn")
    cfg += "\n" + args.extra_config + "\n"
    (work / "hrmaild.yaml").write_text(cfg)

    # READY=1 arrives on a notify socket, as under systemd.
    notify_path = str(work / "notify.sock")
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(notify_path)
    notify.settimeout(0.05)
    if args.inherit_env:
        env = dict(os.environ, NOTIFY_SOCKET=notify_path)
    else:  # as systemd starts the unit: no Environment= lines, so nothing of the shell's
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8",
               "NOTIFY_SOCKET": notify_path}
    log = open(work / "daemon.log", "w")
    start = time.monotonic()
    daemon = subprocess.Popen([str(build / "hrmaild"), "run", "--config", str(work / "hrmaild.yaml"),
                               "--poll-interval", args.poll, "--since", "2000-01-01T00:00:00Z"],
                              stdout=log, stderr=log, env=env)
    ready_at = None
    peak = 0
    parts = {}  # the largest RssAnon (heap, stacks) and RssFile (binary, shared libraries) seen


    def smaps_by_file():
        """Resident KiB of the daemon by mapping (file, or [heap], [stack], anonymous)."""
        by = collections.Counter()
        name = None
        try:
            for line in open(f"/proc/{daemon.pid}/smaps"):
                f = line.split()
                if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                    name = f[5] if len(f) > 5 else "[anonymous]"
                elif f[0] == "Rss:":
                    by[os.path.basename(name) if name.startswith("/") else name] += int(f[1])
        except OSError:
            pass
        return by

    def sample():
        global peak, ready_at
        if daemon.poll() is not None:
            sys.exit(f"the daemon exited with {daemon.returncode}; see {work / 'daemon.log'}")
        try:
            status = open(f"/proc/{daemon.pid}/status").read()
            peak = max(peak, int(next(l for l in status.splitlines() if l.startswith("VmHWM")).split()[1]))
            for l in status.splitlines():
                if l.startswith(("RssAnon", "RssFile")):
                    k = l.split(":")[0]
                    parts[k] = max(parts.get(k, 0), int(l.split()[1]))
        except (OSError, StopIteration):
            pass
        while ready_at is None:
            try:
                msg = notify.recv(4096).decode()
            except (socket.timeout, BlockingIOError):
                break
            if "READY=1" in msg.split("\n"):
                ready_at = time.monotonic()

    def routes():
        return collections.Counter(call(base + "/_sandbox/state")["requests"]["by_route"])

    def tasks_by_title(prefix):
        st = call(base + "/_sandbox/state")
        return [t for t in st["bitrix"]["tasks"] if str(t.get("title", "")).startswith(prefix)]

    def wait_done(prefix, count, on_tick=None):
        t0 = time.monotonic()
        while time.monotonic() - t0 < args.timeout:
            sample()
            ts = tasks_by_title(prefix)
            if on_tick:
                on_tick(ts)
            if sum(1 for t in ts if str(t["status"]) == "5") >= count and len(ts) >= count:
                return time.monotonic() - t0
            time.sleep(0.25)
        sys.exit(f"phase '{prefix}' did not drain in {args.timeout} s; see {work}")

    def status_counts():
        c = collections.Counter()
        for line in open(work / "sandbox.log", errors="replace"):
            if "SANDBOX_REQUEST" in line:
                m = re.search(r"status=(\d+)", line)
                if m:
                    c[m.group(1)] += 1
        return c

    def report(phase, tickets, before, after, drain):
        delta = after - before
        bitrix = sum(v for k, v in delta.items() if " /rest/" in k)
        zoho = sum(v for k, v in delta.items() if " /api/" in k)
        for k, v in sorted(delta.items()):
            if " /rest/" in k or " /api/" in k:
                up = "bitrix" if " /rest/" in k else "zoho"
                name = re.sub(r"[^A-Za-z0-9_.{}/-]+", "_", k.replace(" ", "_"))
                out(f"{phase}.{up}.{name}", f"{v / tickets:.2f}", "requests/ticket")
        out(f"{phase}.bitrix.requests", f"{bitrix / tickets:.2f}", "requests/ticket")
        out(f"{phase}.zoho.requests", f"{zoho / tickets:.2f}", "requests/ticket")
        bound = max(max(0.0, bitrix - args.bitrix_burst) / args.bitrix_rate, zoho / (args.zoho_rpm / 60))
        out(f"{phase}.drain", f"{drain:.1f}", "s")
        out(f"{phase}.bound", f"{bound:.1f}", "s")
        out(f"{phase}.drain_over_bound", f"{drain / bound:.2f}" if bound > 0 else "inf", "ratio")

    # ---- phase 1: hires
    r0 = routes()
    while ready_at is None and time.monotonic() - start < 30:
        sample()
    ready_smaps = smaps_by_file()
    drain = wait_done("Alta de correo", args.hires)
    drain_hires = time.monotonic() - start  # from exec, as an operator sees it
    r1 = routes()
    report("hires", args.hires, r0, r1, drain_hires)

    # ---- phase 2: terminations, each approved once its plan comment is there
    if args.terminations:
        call(base + "/_sandbox/seed", {"requests": terminations, "append": True})
        approved = set()

        def approve(ts):
            for t in ts:
                tid = int(t["id"])
                if tid in approved:
                    continue
                texts = [str(c.get("POST_MESSAGE", c.get("text", ""))) for c in t.get("comments", [])]
                texts += [str(m.get("text", "")) for m in t.get("chat_messages", [])]
                if any(f"hrmaild:{tid}:plan:" in x for x in texts):
                    call(f"{base}/_sandbox/bitrix/tasks/{tid}/comments", {"author_id": 7, "text": "/aprobar"})
                    approved.add(tid)

        drain = wait_done("Baja de colaborador bench", args.terminations, approve)
        r2 = routes()
        report("terminations", args.terminations, r1, r2, drain)
    else:
        r2 = r1

    # ---- phase 3: group changes
    if args.group_changes:
        call(base + "/_sandbox/seed", {"requests": changes, "append": True})
        drain = wait_done("Actualizar lista bench", args.group_changes)
        r3 = routes()
        report("groups", args.group_changes, r2, r3, drain)
    else:
        r3 = r2

    # ---- the three phases together: requests per ticket, amortized
    tickets = args.hires + args.terminations + args.group_changes
    whole = r3 - r0
    out("all.bitrix.requests", f"{sum(v for k, v in whole.items() if ' /rest/' in k) / tickets:.2f}",
        "requests/ticket")
    out("all.zoho.requests", f"{sum(v for k, v in whole.items() if ' /api/' in k) / tickets:.2f}",
        "requests/ticket")

    # ---- idle: what one poll costs
    t0 = time.monotonic()
    while time.monotonic() - t0 < args.idle:
        sample()
        time.sleep(0.25)
    r4 = routes()
    idle = r4 - r3
    polls = max(1.0, args.idle / float(args.poll))
    out("idle.bitrix.requests_per_poll", f"{sum(v for k, v in idle.items() if ' /rest/' in k) / polls:.2f}", "requests")
    out("idle.zoho.requests", sum(v for k, v in idle.items() if " /api/" in k), "requests")
    codes = status_counts()
    out("http.429", codes.get("429", 0), "answers")
    codes_before_events = codes
    out("http.503", codes.get("503", 0), "answers")
    out("peak_rss", f"{peak / 1024:.1f}", "MiB")
    out("peak_rss.anon", f"{parts.get('RssAnon', 0) / 1024:.1f}", "MiB")
    out("peak_rss.file", f"{parts.get('RssFile', 0) / 1024:.1f}", "MiB")
    if args.smaps:
        for label, by in (("ready", ready_smaps), ("end", smaps_by_file())):
            for name, kib in by.most_common(25):
                print(f"# smaps.{label} {name} {kib} KiB", file=sys.stderr)
    out("ready", f"{(ready_at - start) * 1000:.0f}" if ready_at else "never", "ms")
    # The floor under that: the same Debian libraries set up as the daemon needs them before
    # READY, and none of hrmaild's code (tests/bench/rss_floor.cpp), in the same environment.
    floor_bin = build / "tests/bench/rss_floor"
    if floor_bin.exists():
        floor = subprocess.run([str(floor_bin), str(work)], capture_output=True, text=True,
                               env=env, timeout=60)
        for line in floor.stdout.splitlines():
            if line.startswith(("floor.loaded.VmRSS", "floor.tls.VmRSS", "floor.ready.")):
                print(line, flush=True)

    # ---- events first: one hire at a time, each announced by ONTASKADD
    if args.event_hires:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            admin_port = s.getsockname()[1]
        cfg_e = cfg_events.replace("listen: 127.0.0.1:8791", f"listen: 127.0.0.1:{admin_port}")
        cfg_e += "\n" + args.extra_config + "\n"
        (work / "hrmaild-events.yaml").write_text(cfg_e)
        call(base + "/_sandbox/config",
             {"bitrix": {"event_url": f"http://127.0.0.1:{admin_port}/events/bitrix"}})
        # no --poll-interval: with application_token_file configured the daemon polls every
        # bitrix.event_poll_interval (60 s), a safety net
        daemon = subprocess.Popen([str(build / "hrmaild"), "run", "--config",
                                   str(work / "hrmaild-events.yaml")],
                                  stdout=log, stderr=log, env=env)
        ready_at = None
        start = time.monotonic()
        while ready_at is None and time.monotonic() - start < 30:
            sample()
        time.sleep(2)  # the first pass after the restart
        r5 = routes()

        def bitrix_call(method, params, user=12):
            return call(base + "/_sandbox/bitrix/call", {"user_id": user, "method": method,
                                                         "params": params})

        latencies = []
        for i in range(args.event_hires):
            g, f1 = given[i % 10], family[(i + 3) % 10]
            fields = {"TITLE": f"Alta de correo evento {g} {i}", "TAGS": ["alta"],
                      "GROUP_ID": 42, "RESPONSIBLE_ID": 1,
                      "DESCRIPTION": f"[B]Nombre(s):[/B] {g}\n[B]Apellido paterno:[/B] {f1}Ev{i}\n"
                                     f"[B]Apellido materno:[/B] {family[i % 10]}\n"
                                     f"[B]Departamento:[/B] {DEPARTMENTS[i % 3]}"}
            t0 = time.monotonic()
            tid = int(bitrix_call("tasks.task.add", {"fields": fields})["result"]["task"]["id"])
            while time.monotonic() - t0 < 30:
                got = bitrix_call("tasks.task.get", {"taskId": tid, "select": ["ID", "STATUS"]})
                if str(got["result"]["task"]["status"]) == "5":
                    break
                time.sleep(0.005)
            else:
                sys.exit(f"event hire {tid} not done in 30 s; see {work}")
            latencies.append(time.monotonic() - t0)
            sample()
            time.sleep(0.3)
        latencies.sort()
        r6 = routes()
        ev = r6 - r5
        n = len(latencies)
        out("event_hire.p50", f"{latencies[n // 2]:.3f}", "s")
        out("event_hire.p90", f"{latencies[min(n - 1, (n * 9) // 10)]:.3f}", "s")
        out("event_hire.max", f"{latencies[-1]:.3f}", "s")
        out("event_hire.bitrix.requests", f"{sum(v for k, v in ev.items() if ' /rest/' in k) / n:.2f}",
            "requests/ticket")
        out("event_hire.zoho.requests", f"{sum(v for k, v in ev.items() if ' /api/' in k) / n:.2f}",
            "requests/ticket")
        out("event_hire.ready", f"{(ready_at - start) * 1000:.0f}" if ready_at else "never", "ms")
        codes = status_counts()
        out("event_hire.http.429", codes.get("429", 0) - codes_before_events.get("429", 0), "answers")
finally:
    if daemon is not None and daemon.poll() is None:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()
    sandbox.terminate()
    sandbox.wait()
    if notify is not None:
        notify.close()
    if not args.keep:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"# work directory: {work}", file=sys.stderr)
