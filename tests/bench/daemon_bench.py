#!/usr/bin/env python3
"""Daemon throughput, memory and idle cost against the sandbox (not a test: it prints figures).

Seeds N routine hires (each: create a user, add it to two groups, deliver its password), starts
hrmaild, and measures the time until every ticket is done, the daemon's peak resident memory,
the HTTP requests it made, and the CPU it burns while idle afterwards.

    python3 tests/bench/daemon_bench.py --build build/release --tasks 200
"""
import argparse
import json
import os
import pathlib
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

root = pathlib.Path(__file__).resolve().parents[2]
ap = argparse.ArgumentParser()
ap.add_argument("--build", default=str(root / "build/release"))
ap.add_argument("--tasks", type=int, default=200)
ap.add_argument("--poll", default="0.5")
args = ap.parse_args()
build = pathlib.Path(args.build)
work = pathlib.Path(tempfile.mkdtemp(prefix="hrmaild-bench-"))

given = ["Ana", "Luis", "Sofía", "Diego", "Valeria", "Mateo", "Camila", "Iñaki", "Renata", "José"]
family = ["García", "Hernández", "López", "Núñez", "Ortega", "Peña", "Ramírez", "Silva", "Torres", "Vega"]
requests = []
for i in range(args.tasks):
    g, f1, f2 = given[i % 10], family[(i // 10) % 10], family[(i // 100 + i) % 10]
    requests.append({
        "TITLE": f"Alta de correo {g} {f1} {i}", "TAGS": ["alta"], "CREATED_BY": 12,
        "RESPONSIBLE_ID": 1, "GROUP_ID": 42,
        "DESCRIPTION": f"[B]Nombre(s):[/B] {g}\n[B]Apellido paterno:[/B] {f1}{i}\n"
                       f"[B]Apellido materno:[/B] {f2}\n[B]Departamento:[/B] Operaciones"})
fixtures = root / "tests/fixtures/tickets"
seed = {"portal": json.load(open(fixtures / "portal.json")),
        "org": json.load(open(fixtures / "org.json")), "requests": requests}
seed["org"]["licenseCount"] = args.tasks + 100


def call(url, body=None):
    req = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(),
                                 method="GET" if body is None else "POST")
    return json.load(urllib.request.urlopen(req, timeout=30))


ready = work / "ready.json"
sandbox = subprocess.Popen([str(build / "tests/sandbox/hrmaild-sandbox"), "--listen", "127.0.0.1:0",
                            "--ready-file", str(ready), "--log-level", "warn"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    for _ in range(100):
        if ready.exists():
            break
        time.sleep(0.1)
    base = json.load(open(ready))["zoho_api_url"]
    call(base + "/_sandbox/seed", seed)
    call(base + "/_sandbox/config", {"bitrix": {"bucket_burst": 50, "bucket_drain_per_sec": 2},
                                     "zoho": {"requests_per_minute": 0}})
    cfg = (root / "config/sandbox.yaml").read_text()
    cfg = cfg.replace("http://127.0.0.1:8790", base).replace("secrets/", str(root / "config/secrets") + "/")
    cfg = cfg.replace("../var/sandbox/hrmaild.db", str(work / "state.db")).replace("../workflows", str(root / "workflows"))
    cfg = cfg.replace("listen: 127.0.0.1:8791", "listen: 127.0.0.1:0").replace("requests_per_minute: 500", "requests_per_minute: 10000")
    (work / "hrmaild.yaml").write_text(cfg)
    start = time.time()
    log = open(work / "daemon.log", "w")
    daemon = subprocess.Popen([str(build / "hrmaild"), "run", "--config", str(work / "hrmaild.yaml"),
                               "--poll-interval", args.poll], stdout=log, stderr=log)
    peak = 0
    done = 0
    while time.time() - start < 1800:
        time.sleep(0.5)
        if daemon.poll() is not None:
            sys.exit(f"the daemon exited with {daemon.returncode}; see {work / 'daemon.log'}")
        status = open(f"/proc/{daemon.pid}/status").read()
        peak = max(peak, int(next(l for l in status.splitlines() if l.startswith("VmHWM")).split()[1]))
        st = call(base + "/_sandbox/state")
        done = sum(1 for t in st["bitrix"]["tasks"] if str(t["status"]) == "5")
        if done == args.tasks:
            break
    elapsed = time.time() - start
    ticks = os.sysconf("SC_CLK_TCK")

    def cpu():
        f = open(f"/proc/{daemon.pid}/stat").read().split(")")[1].split()
        return (int(f[11]) + int(f[12])) / ticks

    before = cpu()
    time.sleep(10)
    idle = cpu() - before
    st = call(base + "/_sandbox/state")
    daemon.send_signal(signal.SIGTERM)
    daemon.wait(timeout=30)
    req = st["requests"]
    print(f"tasks done:          {done}/{args.tasks}")
    print(f"time to finish:      {elapsed:.1f} s ({done / elapsed:.2f} tasks/s; Bitrix bucket 50 burst, 2/s drain)")
    print(f"requests:            bitrix {req['bitrix']}, zoho api {req['zoho_api']}, zoho oauth {req['zoho_oauth']}")
    print(f"peak RSS (VmHWM):    {peak / 1024:.1f} MiB")
    print(f"CPU while idle 10 s: {idle:.2f} s (poll every {args.poll} s)")
    print(f"state file:          {(work / 'state.db').stat().st_size / 1024:.0f} KiB")
finally:
    sandbox.terminate()
    sandbox.wait()
