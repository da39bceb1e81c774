#!/usr/bin/env python3
"""Crash harness and soak for hrmaild (issue 13, items 1, 4 and 5).

The real `hrmaild` and `hrmaild-sandbox` binaries over loopback HTTP, every secret a canary.

crash mode (default): files a backlog of tasks through the sandbox's control routes (mostly
routine hires, plus password resets, group changes and terminations that an approver approves
by comment while the daemon runs), injects faults on about --fault-percent of the Bitrix and
Zoho calls (latency beyond the daemon's read timeout, 5xx, dropped connections before and
after the call took effect, throttles), kills the daemon with SIGKILL at random moments
--kills times, then lets one clean run finish the work. It then checks, from the sandbox's own
state and counters and the daemon's state file:

- duplicate effects: each hire's POST /accounts reached Zoho exactly once; each reset request
  reset at most once (a hire at most one reset, for a first password lost with a process);
  nothing disabled or deleted twice;
- duplicate comments (the same marker twice on a task) and duplicate private notifications;
- lost tickets: every task reached a final state, its answers all landed and the task carries
  the daemon's final comment;
- `hrmaild audit verify` passes; no Zoho token mint was refused (no lockout);
- no canary secret (webhook secret, application token, OAuth client secret and refresh token,
  admin token, any generated password) in the daemon's logs, its state files (SQLite db, WAL,
  token file), task comments, /metrics or the admin API; the generated passwords appear in the
  private notifications only.

Its last line: `crash: T tasks, K kills, D duplicate effects, C duplicate comments, L lost,
audit ok|BROKEN`. Exit 0 when everything holds.

soak mode (--soak MINUTES): the daemon runs without kills at a steady load (a few tasks filed
every second, approvals by comment) with the same faults, and the harness samples its RSS and
open file descriptors from /proc; it prints the start (after warm-up) and end figures and
fails when memory grew by more than --max-rss-growth-kb or descriptors grew, and runs the same
exactly-once and canary checks at the end. With --steady-org the organization keeps its size
(no hires; password resets and group changes that add and later remove the same people, a
few terminations approved by comment), so memory should stay flat after warm-up: the harness
prints the RSS every five minutes and the slope of the second half.

Standard library only. Every wait has a bound.
"""
import argparse
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

CANARIES = {
    "webhook secret": "canary-webhook-5e1d7c",
    "application token": "canary-apptoken-5e1d7c",
    "zoho client secret": "canary-client-secret-5e1d7c",
    "zoho refresh token": "1000.canary-refresh-5e1d7c",
    "admin token": "canary-admin-token-5e1d7c",
}
PASSWORD_CANARY = "Cq7!Wz"  # zoho::test_password_canary (HRMAILD_TEST_HOOKS builds)
PASSWORD_SEED = "20260513"
APPROVER = 7
HR_USER = 12
FINAL = {"done", "failed", "rejected", "cancelled"}
# Log events that show a daemon run working (crash mode aims most kills after one of them).
WORK_EVENTS = (b" STEP_STARTED ", b" COMMENT_POSTED ", b" TICKET_STATE ")
MARKER = re.compile(r"hrmaild:(\d+):([a-z_-]+):([0-9A-Za-z_.-]+)")

SYLLABLES = ["ba", "ce", "di", "fo", "gu", "ha", "je", "ki", "lo", "mu", "na", "pe", "ri",
             "so", "tu", "va", "xe", "yo", "za", "mi"]
FIRST_NAMES = ["Mariana", "Ernesto", "Lucia", "Rodrigo", "Fernanda", "Tomas", "Paola",
               "Gerardo", "Ximena", "Adrian", "Renata", "Hector"]
DEPARTMENTS = ["Operaciones", "Mantenimiento", "Comercial"]


def log(msg):
    print(msg, flush=True)


def surname(i):
    """A distinct invented surname per index (so every hire has its own address)."""
    out = ""
    n = i
    for _ in range(3):
        out += SYLLABLES[n % len(SYLLABLES)]
        n //= len(SYLLABLES)
    return out.capitalize() + "ndez"


def http(method, url, body=None, headers=None, timeout=30):
    data = None
    hdrs = dict(headers or {})
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        hdrs.setdefault("Content-Type", "application/json")
    req = urllib.request.Request(url, data=data, method=method, headers=hdrs)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Rig:
    """The sandbox, the daemon's configuration, and the daemon process."""

    def __init__(self, args):
        self.args = args
        self.work = Path(args.work).resolve()
        self.source = Path(args.source).resolve()
        self.rng = random.Random(args.seed)
        self.sandbox = None
        self.daemon = None
        self.daemon_runs = 0
        self.base = ""
        self.admin_port = free_port()
        self.tasks = {}  # task id -> kind
        self.reset_targets = {}  # task id -> address
        self.termination_targets = {}
        self.approved_markers = set()
        self.next_hire = 0
        # --steady-org: the people resets and group changes pick from (terminated ones leave),
        # who is in comercial@ now, and when each last had a group change filed.
        self.active = []
        self.in_comercial = set()
        self.group_filed = {}

    # ---- set-up ---------------------------------------------------------------------
    def prepare(self):
        if self.work.exists():
            subprocess.run(["rm", "-rf", str(self.work)], check=True)
        (self.work / "seed" / "requests").mkdir(parents=True)
        (self.work / "secrets").mkdir()
        (self.work / "state").mkdir()
        fixtures = self.source / "tests/fixtures/tickets"
        portal = json.loads((fixtures / "portal.json").read_text())
        portal["webhook"]["secret"] = CANARIES["webhook secret"]
        portal["outgoing_application_token"] = CANARIES["application token"]
        (self.work / "seed/portal.json").write_text(json.dumps(portal))
        org = json.loads((fixtures / "org.json").read_text())
        org["oauth"]["client_secret"] = CANARIES["zoho client secret"]
        org["oauth"]["refresh_token"] = CANARIES["zoho refresh token"]
        # Staff for resets and terminations: one account per such task, so each is judged
        # on its own.
        self.staff = []
        for i in range(self.args.staff):
            first = FIRST_NAMES[i % len(FIRST_NAMES)]
            last = "Staff" + surname(i + 7000).lower()
            addr = f"{first.lower()}.{last.lower()}@tarmexico.com"
            org["users"].append({"primaryEmailAddress": addr, "firstName": first,
                                 "lastName": last, "displayName": f"{first} {last}"})
            self.staff.append(addr)
        self.active = list(self.staff)
        (self.work / "seed/org.json").write_text(json.dumps(org))
        for name, key in (("webhook", "webhook secret"), ("apptoken", "application token"),
                          ("client", "zoho client secret"), ("refresh", "zoho refresh token"),
                          ("admin", "admin token")):
            p = self.work / "secrets" / name
            p.write_text(CANARIES[key])
            p.chmod(0o600)

    def start_sandbox(self):
        ready = self.work / "ready.json"
        self.sandbox_log = open(self.work / "sandbox.log", "ab")
        self.sandbox = subprocess.Popen(
            [self.args.sandbox, "--listen", "127.0.0.1:0", "--seed", str(self.work / "seed"),
             "--ready-file", str(ready), "--log-level", "warn"],
            stdout=self.sandbox_log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while not ready.exists():
            if self.sandbox.poll() is not None or time.time() > deadline:
                sys.exit("crash: the sandbox did not start; see " + str(self.work / "sandbox.log"))
            time.sleep(0.05)
        self.base = json.loads(ready.read_text())["zoho_api_url"].rstrip("/")
        lic = len(self.staff) + self.args.tasks + 100
        self.control("POST", "config", {
            "bitrix": {"bucket_burst": 100000, "bucket_drain_per_sec": 10000},
            "zoho": {"requests_per_minute": 0, "license_count": lic}})
        self.write_config()

    def write_config(self):
        a = self.args
        cfg = f"""bitrix:
  portal_url: {self.base}
  webhook_user_id: 1
  webhook_secret_file: {self.work}/secrets/webhook
  application_token_file: {self.work}/secrets/apptoken
  project_id: 42
  approvers: [7, 8]
  approver_department: 2
  rate_burst: 5000
  rate_per_second: 1000
zoho:
  accounts_url: {self.base}
  api_url: {self.base}
  client_id: 1000.SANDBOXCLIENT
  client_secret_file: {self.work}/secrets/client
  refresh_token_file: {self.work}/secrets/refresh
  requests_per_minute: 10000
policy:
  allowed_domains: [tarmexico.com]
  protected_accounts: [admin@tarmexico.com, camilo.luna@tarmexico.com]
state:
  path: {self.work}/state/hrmaild.db
admin:
  listen: 127.0.0.1:{self.admin_port}
  tokens: [{{name: camilo, token_file: {self.work}/secrets/admin}}]
workflows:
  dir: {self.source}/workflows
  vars:
    domain: tarmexico.com
    departments: [Operaciones, Mantenimiento, Comercial]
    department_groups:
      Operaciones: operaciones@tarmexico.com
      Mantenimiento: mantenimiento@tarmexico.com
      Comercial: comercial@tarmexico.com
    all_staff_group: todos@tarmexico.com
logging:
  level: debug
http:
  connect_timeout: 2s
  read_timeout: {a.read_timeout_ms}ms
  total_timeout: 10s
retry:
  max_attempts: 4
  base_delay: 50ms
  max_delay: 500ms
"""
        self.config = self.work / "hrmaild.yaml"
        self.config.write_text(cfg)

    def add_faults(self):
        """About --fault-percent of the Bitrix and Zoho calls get a fault, split over the kinds;
        the token endpoint is left alone (its own limit is what the lockout check watches)."""
        p = self.args.fault_percent
        if p <= 0:
            return
        late = self.args.read_timeout_ms + 700
        specs = []
        seed = self.args.seed * 1000
        for route in ("/rest/*", "/api/*"):
            # A Zoho throttle stops every Zoho call for a minute or more (the reference's
            # wait): one in the whole run, at a random moment; Bitrix throttles are cheap.
            zoho = route == "/api/*"
            share = [("latency", p * 0.25, {"latency_ms": late}),
                     ("status", p * (0.45 if zoho else 0.25),
                      {"status": 503, "body": "<html>busy</html>", "content_type": "text/html"}),
                     ("drop", p * 0.15, {}),
                     ("drop", p * 0.15, {"apply": "after"}),
                     ("throttle", 1.0 if zoho else p * 0.2, {"count": 1} if zoho else {})]
            for kind, pct, extra in share:
                seed += 1
                spec = {"route": route, "kind": kind, "percent": round(pct, 3), "seed": seed}
                spec.update(extra)
                specs.append(spec)
        self.control("POST", "faults", specs)

    def clear_faults(self):
        self.control("DELETE", "faults")

    def control(self, method, what, body=None):
        status, out = http(method, f"{self.base}/_sandbox/{what}", body, timeout=60)
        if status >= 300:
            raise RuntimeError(f"sandbox {method} {what}: {status} {out[:300]!r}")
        return json.loads(out) if out else {}

    def state(self):
        return self.control("GET", "state")

    # ---- tasks ----------------------------------------------------------------------
    def task_for(self, kind):
        if kind == "alta":
            i = self.next_hire
            self.next_hire += 1
            first = FIRST_NAMES[i % len(FIRST_NAMES)]
            last = surname(i)
            dept = DEPARTMENTS[i % len(DEPARTMENTS)]
            desc = (f"[B]Nombre(s):[/B] {first}\n[B]Apellido paterno:[/B] {last}\n"
                    f"[B]Apellido materno:[/B] Ibarra\n[B]Departamento:[/B] {dept}\n"
                    f"[B]Puesto:[/B] Agente\n[B]Fecha de ingreso:[/B] 01/12/2025\n")
            return {"TITLE": f"Alta de correo - {first} {last}", "TAGS": ["alta"],
                    "DESCRIPTION": desc}, None
        target = self.staff.pop()
        if kind == "contrasena":
            return {"TITLE": "Restablecer contraseña de correo", "TAGS": ["contrasena"],
                    "DESCRIPTION": f"[B]Correo:[/B] {target}"}, target
        if kind == "grupo":
            return {"TITLE": "Actualizar lista comercial@", "TAGS": ["grupo"],
                    "DESCRIPTION": "[B]Acción:[/B] Actualizar miembros\n"
                                   "[B]Correo del grupo:[/B] comercial@tarmexico.com\n"
                                   f"[B]Agregar:[/B] {target}"}, target
        return {"TITLE": f"Baja de colaborador - {target}", "TAGS": ["baja"],
                "DESCRIPTION": f"[B]Correo:[/B] {target}\n[B]Fecha de baja:[/B] 30/11/2025"}, target

    def steady_task(self):
        """--steady-org: a task that leaves the organization's size as it is."""
        r = self.rng.random()
        if r < 0.05 and len(self.active) > self.args.staff // 2:
            target = self.active.pop(self.rng.randrange(len(self.active)))
            self.in_comercial.discard(target)
            return "baja", {"TITLE": f"Baja de colaborador - {target}", "TAGS": ["baja"],
                            "DESCRIPTION": f"[B]Correo:[/B] {target}\n"
                                           "[B]Fecha de baja:[/B] 30/11/2025"}, target
        now = time.time()
        # A person's group changes are a few minutes apart, so an add and its later removal are
        # never in flight together (each is judged against the group as it is).
        free = [a for a in self.active if now - self.group_filed.get(a, 0) > 180]
        if r < 0.55 or not free:
            target = self.rng.choice(self.active)
            return "contrasena", {"TITLE": "Restablecer contraseña de correo",
                                  "TAGS": ["contrasena"],
                                  "DESCRIPTION": f"[B]Correo:[/B] {target}"}, target
        target = self.rng.choice(free)
        self.group_filed[target] = now
        label = "Quitar" if target in self.in_comercial else "Agregar"
        if label == "Quitar":
            self.in_comercial.discard(target)
        else:
            self.in_comercial.add(target)
        return "grupo", {"TITLE": "Actualizar lista comercial@", "TAGS": ["grupo"],
                         "DESCRIPTION": "[B]Acción:[/B] Actualizar miembros\n"
                                        "[B]Correo del grupo:[/B] comercial@tarmexico.com\n"
                                        f"[B]{label}:[/B] {target}"}, target

    def file_tasks(self, n):
        if n <= 0:
            return
        if self.args.steady_org:
            filed = [self.steady_task() for _ in range(n)]
            self.seed_tasks([k for k, _, _ in filed], [t for _, t, _ in filed],
                            [a for _, _, a in filed])
            return
        kinds = []
        free_staff = len(self.staff)
        for _ in range(n):
            r = self.rng.random()
            if r >= 0.70 and free_staff > 0:
                free_staff -= 1
            else:
                r = 0.0
            if r < 0.70:
                kinds.append("alta")
            elif r < 0.82:
                kinds.append("contrasena")
            elif r < 0.91:
                kinds.append("grupo")
            else:
                kinds.append("baja")
        requests = []
        targets = []
        for k in kinds:
            t, target = self.task_for(k)
            requests.append(t)
            targets.append(target)
        self.seed_tasks(kinds, requests, targets)

    def seed_tasks(self, kinds, requests, targets):
        for t in requests:
            t.update({"CREATED_BY": HR_USER, "RESPONSIBLE_ID": 1, "GROUP_ID": 42})
        before = len(self.state_tasks_ids())
        self.control("POST", "seed", {"append": True, "requests": requests})
        ids = sorted(self.state_tasks_ids())[before:]
        for tid, k, target in zip(ids, kinds, targets):
            self.tasks[tid] = k
            if k == "contrasena":
                self.reset_targets[tid] = target
            elif k == "baja":
                self.termination_targets[tid] = target

    def state_tasks_ids(self):
        return [int(t["id"]) for t in self.state()["bitrix"]["tasks"]]

    def approve_waiting(self, st=None):
        """An approver answers each waiting ticket once per plan version, after the plan's
        comment is on the task (a command before it does not count)."""
        states = self.ticket_states()
        waiting = {t for t, s in states.items() if s == "awaiting_approval"}
        if not waiting:
            return 0
        st = st or self.state()
        n = 0
        for t in st["bitrix"]["tasks"]:
            tid = int(t["id"])
            if tid not in waiting:
                continue
            last = None
            for c in t.get("comments", []):
                if str(c.get("AUTHOR_ID")) != "1":
                    continue
                for m in MARKER.finditer(c.get("POST_MESSAGE", "")):
                    if m.group(2) == "plan" and int(m.group(1)) == tid:
                        last = m.group(0)
            if last is None or last in self.approved_markers:
                continue
            self.approved_markers.add(last)
            self.control("POST", f"bitrix/tasks/{tid}/comments",
                         {"author_id": APPROVER, "text": "/aprobar"})
            n += 1
        return n

    # ---- the daemon -----------------------------------------------------------------
    def start_daemon(self):
        self.daemon_runs += 1
        env = dict(os.environ)
        env["HRMAILD_TEST_PASSWORD_SEED"] = str(int(PASSWORD_SEED) + self.daemon_runs)
        self.daemon_log = open(self.work / "daemon.log", "ab")
        self.daemon_log.write(f"---- run {self.daemon_runs}\n".encode())
        self.daemon_log.flush()
        self.run_log_offset = self.daemon_log.tell()
        self.daemon = subprocess.Popen(
            [self.args.hrmaild, "run", "--config", str(self.config), "--poll-interval",
             str(self.args.poll_interval), "--drain", "5", "--since",
             "2000-01-01T00:00:00+00:00"],
            stdout=self.daemon_log, stderr=subprocess.STDOUT, env=env)

    def wait_for_work(self, bound):
        """Waits (at most `bound` seconds) until this run's log shows it working: a step
        journaled as started, a comment posted or a ticket moved. True when it did."""
        deadline = time.time() + bound
        with open(self.work / "daemon.log", "rb") as f:
            f.seek(self.run_log_offset)
            seen = b""
            while time.time() < deadline:
                if self.daemon.poll() is not None:
                    return False
                seen = seen[-200:] + f.read()
                if any(w in seen for w in WORK_EVENTS):
                    return True
                time.sleep(0.02)
        return False

    def kill_daemon(self):
        self.daemon.send_signal(signal.SIGKILL)
        self.daemon.wait(timeout=30)
        self.daemon_log.close()

    def stop_daemon(self):
        if self.daemon is None or self.daemon.poll() is not None:
            return
        self.daemon.send_signal(signal.SIGTERM)
        try:
            self.daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.daemon.kill()
            self.daemon.wait(timeout=30)
        self.daemon_log.close()

    def daemon_alive(self):
        if self.daemon.poll() is not None:
            tail = (self.work / "daemon.log").read_text(errors="replace").splitlines()[-20:]
            sys.exit("crash: hrmaild exited by itself (code %s); last lines:\n%s" %
                     (self.daemon.returncode, "\n".join(tail)))

    def wait_healthy(self, bound=60):
        deadline = time.time() + bound
        while time.time() < deadline:
            self.daemon_alive()
            try:
                status, _ = http("GET", f"http://127.0.0.1:{self.admin_port}/healthz", timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        sys.exit(f"crash: hrmaild was not healthy within {bound}s")

    def admin(self, path):
        return http("GET", f"http://127.0.0.1:{self.admin_port}{path}",
                    headers={"Authorization": "Bearer " + CANARIES["admin token"]}, timeout=30)

    def shutdown(self):
        try:
            self.stop_daemon()
        finally:
            if self.sandbox is not None and self.sandbox.poll() is None:
                self.sandbox.send_signal(signal.SIGTERM)
                try:
                    self.sandbox.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.sandbox.kill()

    # ---- the store ------------------------------------------------------------------
    def db(self):
        uri = f"file:{self.work}/state/hrmaild.db?mode=ro"
        return sqlite3.connect(uri, uri=True, timeout=10)

    def ticket_states(self):
        try:
            with self.db() as c:
                return dict(c.execute("SELECT task_id, state FROM tickets").fetchall())
        except sqlite3.Error:
            return {}

    def pending_answers(self):
        with self.db() as c:
            return c.execute("SELECT task_id, kind, marker FROM answers WHERE state = 'pending'"
                             ).fetchall()

    def settled(self):
        states = self.ticket_states()
        if any(states.get(t) not in FINAL for t in self.tasks):
            return False
        return not self.pending_answers()

    def run_to_completion(self, bound):
        deadline = time.time() + bound
        while time.time() < deadline:
            self.daemon_alive()
            self.approve_waiting()
            if self.settled():
                return True
            time.sleep(0.5)
        return False

    # ---- checks ---------------------------------------------------------------------
    def check(self):
        st = self.state()
        problems = []
        users = st["zoho"]["users"]
        by_addr = Counter(u["primaryEmailAddress"].lower() for u in users)
        reached = st["requests"].get("reached", {})

        # Duplicate effects, from what reached the Zoho emulator.
        dup_effects = 0
        posts = Counter()
        resets = Counter()
        disables = Counter()
        deletes = Counter()
        zuid_to_addr = {str(u.get("zuid")): u["primaryEmailAddress"].lower() for u in users}
        for u in users:
            zuid_to_addr[str(u.get("accountId"))] = u["primaryEmailAddress"].lower()
        for key, n in reached.items():
            parts = key.split(" ")
            if parts[0] == "POST" and parts[1].endswith("/accounts") and len(parts) == 4:
                posts[parts[2].lower()] += n
            elif parts[0] == "PUT" and "/accounts/" in parts[1] and len(parts) >= 4:
                target = zuid_to_addr.get(parts[1].rsplit("/", 1)[1], parts[1])
                if parts[2] == "resetPassword" and parts[-1] == "200":
                    resets[target] += n
                if parts[2] == "disableUser" and parts[-1] == "200":
                    disables[target] += n
            elif parts[0] == "DELETE" and "/accounts" in parts[1]:
                deletes[key] += n
        for addr, n in by_addr.items():
            if n > 1:
                dup_effects += n - 1
                problems.append(f"{n} accounts with the address {addr}")
        for addr, n in posts.items():
            if n > 1:
                dup_effects += n - 1
                problems.append(f"POST /accounts reached Zoho {n} times for {addr}")
        hires = [t for t, k in self.tasks.items() if k == "alta"]
        for addr, n in resets.items():
            allowed = sum(1 for a in self.reset_targets.values() if a == addr)
            if addr in posts:
                allowed += 1  # a hire's first password lost with a process: one reset
            if n > allowed:
                dup_effects += n - allowed
                problems.append(f"{addr}: {n} password resets for {allowed} allowed")
        # A disable sets a whole state: the HTTP layer may send it again after a lost answer
        # (docs/operations.md), so a repeat is no duplicate effect; it is only reported.
        resent = sum(n - 1 for n in disables.values() if n > 1)
        if resent:
            log(f"crash: {resent} disable(s) sent again after a lost answer (idempotent)")

        # Comments, notifications, answers.
        dup_comments = 0
        lost = 0
        states = self.ticket_states()
        tasks_by_id = {int(t["id"]): t for t in st["bitrix"]["tasks"]}
        for tid in self.tasks:
            t = tasks_by_id.get(tid)
            markers = Counter()
            own = 0
            for c in (t or {}).get("comments", []):
                if str(c.get("AUTHOR_ID")) != "1":
                    continue
                own += 1
                for m in MARKER.finditer(c.get("POST_MESSAGE", "")):
                    if int(m.group(1)) == tid:
                        markers[m.group(0)] += 1
            for m, n in markers.items():
                if n > 1:
                    dup_comments += n - 1
                    problems.append(f"task {tid}: marker {m} posted {n} times")
            if states.get(tid) not in FINAL or own == 0:
                lost += 1
                problems.append(f"task {tid} ({self.tasks[tid]}): state "
                                f"{states.get(tid)}, {own} answer(s)")
        pending = self.pending_answers()
        for p in pending:
            lost += 1
            problems.append(f"answer still owed: {p}")
        notes = Counter((n["user_id"], n["message"]) for n in st["bitrix"]["notifications"])
        for (user, _), n in notes.items():
            if n > 1:
                dup_comments += n - 1
                problems.append(f"the same private notification to user {user} {n} times")

        # Audit chain.
        r = subprocess.run([self.args.hrmaild, "audit", "verify", "--config", str(self.config)],
                           capture_output=True, text=True, timeout=120)
        audit_ok = r.returncode == 0
        if not audit_ok:
            problems.append("audit verify: " + (r.stdout + r.stderr).strip())

        # Token-mint lockout.
        oauth = st["zoho"]["oauth"]
        if oauth.get("mint_refused", 0):
            problems.append(f"{oauth['mint_refused']} token mint(s) refused (lockout)")

        # Canaries.
        problems += self.canary_leaks(st)

        counts = Counter(states.get(t, "missing") for t in self.tasks)
        passwords_sent = sum(PASSWORD_CANARY in n["message"] for n in st["bitrix"]["notifications"])
        done_hires = sum(1 for t in hires if states.get(t) == "done")
        if done_hires and not passwords_sent:
            problems.append("no private notification carries a generated password: the "
                            "password canary did not work")
        kinds = Counter(self.tasks.values())
        log("crash: tasks by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
        log("crash: tickets by state: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        log(f"crash: sandbox requests {st['requests']['total']} (bitrix "
            f"{st['requests']['bitrix']}, zoho {st['requests']['zoho_api']}), faults applied "
            f"{st['faults']['applied_total']}, tokens minted {oauth.get('tokens_minted')}, "
            f"passwords delivered privately {passwords_sent}")
        return problems, dup_effects, dup_comments, lost, audit_ok

    def canary_leaks(self, st):
        found = []
        needles = dict(CANARIES)
        needles["generated password"] = PASSWORD_CANARY
        # Logs and state files.
        files = [self.work / "daemon.log"] + sorted((self.work / "state").iterdir())
        for f in files:
            if not f.is_file():
                continue
            data = f.read_bytes()
            for what, value in needles.items():
                if value.encode() in data:
                    found.append(f"canary leak: the {what} is in {f}")
        # Comments (and chat messages) on every task.
        for t in st["bitrix"]["tasks"]:
            texts = [c.get("POST_MESSAGE", "") for c in t.get("comments", [])]
            texts += [m.get("text", "") for m in t.get("chat_messages", [])]
            for text in texts:
                for what, value in needles.items():
                    if value in text:
                        found.append(f"canary leak: the {what} is in a comment on task {t['id']}")
        # Notifications: a generated password may go privately, no other secret may.
        for n in st["bitrix"]["notifications"]:
            for what, value in CANARIES.items():
                if value in n["message"]:
                    found.append(f"canary leak: the {what} is in a private notification")
        # /metrics and the admin API.
        if self.daemon is not None and self.daemon.poll() is None:
            views = {"/metrics": http("GET", f"http://127.0.0.1:{self.admin_port}/metrics")[1]}
            for path in ("/api/v1/queue", "/api/v1/status", "/api/v1/directory"):
                views[path] = self.admin(path)[1]
            for tid in list(self.tasks)[:50]:
                views[f"/api/v1/queue/{tid}"] = self.admin(f"/api/v1/queue/{tid}")[1]
            for path, body in views.items():
                for what, value in needles.items():
                    if value.encode() in body:
                        found.append(f"canary leak: the {what} is in {path}")
        return found


def proc_figures(pid):
    rss = fds = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        pass
    return rss, fds


def crash_run(rig, args):
    rig.add_faults()
    initial = max(1, args.tasks // 5)
    rig.file_tasks(initial)
    remaining = args.tasks - initial
    per_kill = -(-remaining // max(1, int(args.kills * 0.7))) if remaining else 0
    kills = 0
    moments = Counter()
    while kills < args.kills:
        rig.start_daemon()
        # Sometimes before it is even up, sometimes at any moment after it is, and mostly once
        # it is working (a step started, a comment posted, a ticket moved): on a loaded machine
        # a restart's directory load and first poll can outlast a delay counted from /healthz,
        # and the kills would then never land among effects.
        r = rig.rng.random()
        if r < 0.1:
            time.sleep(rig.rng.uniform(0.0, 0.4))
            moments["starting"] += 1
        else:
            rig.wait_healthy()
            if r < 0.3:
                time.sleep(rig.rng.uniform(0.05, args.max_kill_delay))
                moments["after ready"] += 1
            elif rig.wait_for_work(30):
                # Right after the first sign of work, or somewhat later.
                time.sleep(rig.rng.choice([rig.rng.uniform(0.0, 0.05),
                                           rig.rng.uniform(0.05, args.max_kill_delay)]))
                moments["while working"] += 1
            else:
                moments["idle"] += 1
        rig.daemon_alive()
        rig.kill_daemon()
        kills += 1
        rig.approve_waiting()
        if remaining > 0:
            n = min(per_kill, remaining)
            rig.file_tasks(n)
            remaining -= n
        if kills % 10 == 0:
            states = rig.ticket_states()
            final = sum(1 for t in rig.tasks if states.get(t) in FINAL)
            log(f"crash: {kills} kills, {final}/{len(rig.tasks)} tasks final")
    rig.file_tasks(remaining)
    log(f"crash: {kills} kills done (" + ", ".join(f"{n} {k}" for k, n in sorted(moments.items()))
        + "); the clean run finishes the work")
    rig.start_daemon()
    rig.wait_healthy()
    finished = rig.run_to_completion(args.finish_timeout)
    if not finished:
        log(f"crash: not everything settled within {args.finish_timeout}s")
    return kills


def soak_run(rig, args):
    rig.add_faults()
    rig.start_daemon()
    rig.wait_healthy()
    end = time.time() + args.soak * 60
    warm = time.time() + min(60, args.soak * 60 / 4)
    start_fig = None
    samples = []
    filed = 0
    next_sample = 0.0
    while time.time() < end:
        rig.daemon_alive()
        rig.file_tasks(args.soak_rate)
        filed += args.soak_rate
        rig.approve_waiting()
        now = time.time()
        if now >= next_sample:
            fig = proc_figures(rig.daemon.pid)
            samples.append((now, fig))
            if start_fig is None and now >= warm:
                start_fig = fig
                log(f"soak: after warm-up: rss {fig[0]} kB, {fig[1]} open fds")
            next_sample = now + 10
        time.sleep(1)
    finished = rig.run_to_completion(args.finish_timeout)
    end_fig = proc_figures(rig.daemon.pid)
    start_fig = start_fig or end_fig
    peak = max(f[0] for _, f in samples) if samples else end_fig[0]
    log(f"soak: {args.soak} min, {filed} tasks filed; rss start {start_fig[0]} kB, end "
        f"{end_fig[0]} kB, peak {peak} kB; open fds start {start_fig[1]}, end {end_fig[1]}")
    t0 = samples[0][0] if samples else time.time()
    marks = [f"{int((t - t0) / 60)} min {f[0]} kB" for i, (t, f) in enumerate(samples)
             if i % 30 == 0]
    log("soak: rss every 5 min: " + ", ".join(marks))
    half = [(t, f[0]) for t, f in samples if t >= t0 + (samples[-1][0] - t0) / 2] if samples \
        else []
    if len(half) >= 3:
        mt = sum(t for t, _ in half) / len(half)
        mr = sum(r for _, r in half) / len(half)
        var = sum((t - mt) ** 2 for t, _ in half)
        slope = sum((t - mt) * (r - mr) for t, r in half) / var * 60 if var else 0.0
        log(f"soak: rss slope over the second half: {slope:+.1f} kB/min")
    problems = []
    if not finished:
        problems.append(f"not everything settled within {args.finish_timeout}s")
    if end_fig[0] - start_fig[0] > args.max_rss_growth_kb:
        problems.append(f"rss grew by {end_fig[0] - start_fig[0]} kB after warm-up "
                        f"(bound {args.max_rss_growth_kb})")
    if end_fig[1] > start_fig[1] + 4:
        problems.append(f"open fds grew from {start_fig[1]} to {end_fig[1]}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hrmaild", required=True)
    ap.add_argument("--sandbox", required=True)
    ap.add_argument("--source", default=str(Path(__file__).resolve().parents[2]))
    ap.add_argument("--work", default="/tmp/hrmaild-crash")
    ap.add_argument("--tasks", type=int, default=300)
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--fault-percent", type=float, default=10.0)
    ap.add_argument("--read-timeout-ms", type=int, default=1500)
    ap.add_argument("--poll-interval", type=float, default=0.5)
    ap.add_argument("--max-kill-delay", type=float, default=2.5)
    ap.add_argument("--finish-timeout", type=int, default=600)
    ap.add_argument("--staff", type=int, default=0,
                    help="seeded accounts for resets, group changes and terminations "
                         "(default: a third of --tasks)")
    ap.add_argument("--soak", type=float, default=0, help="soak for this many minutes")
    ap.add_argument("--soak-rate", type=int, default=1, help="tasks filed a second (soak)")
    ap.add_argument("--max-rss-growth-kb", type=int, default=16384)
    ap.add_argument("--steady-org", action="store_true",
                    help="soak: keep the organization's size (no hires; see above)")
    args = ap.parse_args()
    if args.staff <= 0 and args.steady_org:
        args.staff = 300
    if args.staff <= 0:
        args.staff = args.tasks // 2 + 10 if not args.soak else int(args.soak * 60 *
                                                                         args.soak_rate) // 2 + 10
    if args.soak:
        args.tasks = int(args.soak * 60 * args.soak_rate) + 10
    rig = Rig(args)
    started = time.time()
    try:
        rig.prepare()
        rig.start_sandbox()
        if args.soak:
            problems = soak_run(rig, args)
            more, dup_e, dup_c, lost, audit_ok = rig.check()
            problems += more
            rig.shutdown()
            for p in problems[:50]:
                log("soak: PROBLEM: " + p)
            log(f"soak: {len(rig.tasks)} tasks, {dup_e} duplicate effects, {dup_c} duplicate "
                f"comments, {lost} lost, audit {'ok' if audit_ok else 'BROKEN'}, "
                f"{len(problems)} problem(s), {int(time.time() - started)}s")
            return 0 if not problems else 1
        kills = crash_run(rig, args)
        problems, dup_e, dup_c, lost, audit_ok = rig.check()
        rig.shutdown()
        for p in problems[:50]:
            log("crash: PROBLEM: " + p)
        log(f"crash: finished in {int(time.time() - started)}s; work in {rig.work}")
        log(f"crash: {len(rig.tasks)} tasks, {kills} kills, {dup_e} duplicate effects, "
            f"{dup_c} duplicate comments, {lost} lost, audit {'ok' if audit_ok else 'BROKEN'}")
        return 0 if not problems else 1
    finally:
        rig.shutdown()


if __name__ == "__main__":
    sys.exit(main())
