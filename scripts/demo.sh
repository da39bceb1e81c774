#!/usr/bin/env bash
# README command 1: installs what is missing, builds, and runs the demo.
#
# The demo starts the sandbox (Bitrix24 + Zoho Mail emulators on loopback) seeded with the 14
# sample HR requests of tests/fixtures/tickets and its 2 dated ones (dated/), starts hrmaild against it polling every
# two seconds, lets it process the requests, approves the waiting ones as IT approver 7 through
# task comments (/aprobar), and prints what happened to each request and the Zoho users and
# groups afterwards. It ends by itself and leaves nothing running.
#
# Nothing here waits by the clock or without a bound: every wait polls observable state (the
# sandbox's ready file, the daemon's /healthz, its poll-cycle counter in /metrics, the queue)
# until a deadline, and checks that the process it waits for is still alive. Both services
# listen on free ports picked at start, so a busy port (another demo, a test) does not matter.
# The script's own REST calls go through scripts/demo_rest.py, which waits out the throttle
# answers of Bitrix24 and Zoho (the daemon shares the portal's request bucket) like any client.
#
# With --console it does not end: after the report it keeps hrmaild and the sandbox running and
# prints the web console's address (sign in through the sandbox portal, e.g. as approver 7);
# Ctrl-C stops both.
#
# Environment: HRMAILD_DEMO_PRESET (default release), HRMAILD_DEMO_TIMEOUT (seconds each wait
# may take, default 300).
set -Eeuo pipefail
console=0
case "${1:-}" in
  --console) console=1 ;;
  "") ;;
  -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
  *) echo "demo: unknown argument '$1' (usage: scripts/demo.sh [--console])" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
root=$PWD
start=$(date +%s)
work=$root/var/demo
step="setting up"
trap 'rc=$?; echo "demo: failed while ${step} (line ${LINENO}: ${BASH_COMMAND%%$'"'"'\n'"'"'*}); logs in ${work}/" >&2; exit $rc' ERR

preset=${HRMAILD_DEMO_PRESET:-release}
bound=${HRMAILD_DEMO_TIMEOUT:-300}
scripts/setup.sh
step="building (preset ${preset})"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j"$(nproc)" --target hrmaild hrmaild-sandbox
built=$(date +%s)
bin=$root/build/$preset

step="preparing ${work}"
rm -rf "$work"
mkdir -p "$work"
chmod 600 config/secrets/* 2>/dev/null || true

pids=()
# Stops what the demo started: SIGTERM, then up to 30 s for each to exit, then SIGKILL.
stop_pid() {
  local p=$1
  kill -TERM "$p" 2>/dev/null || return 0
  for _ in $(seq 300); do
    kill -0 "$p" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$p" 2>/dev/null; then
    echo "demo: pid $p did not stop within 30 s of SIGTERM; killing it" >&2
    kill -KILL "$p" 2>/dev/null || true
  fi
  wait "$p" 2>/dev/null || true
}
cleanup() {
  for p in "${pids[@]}"; do stop_pid "$p"; done
}
trap cleanup EXIT

rest() { python3 "$root/scripts/demo_rest.py" "$@"; }
deadline() { echo $(($(date +%s) + bound)); }
# alive PID NAME LOG: fails with the log's last lines when the process has exited.
alive() {
  kill -0 "$1" 2>/dev/null && return 0
  echo "demo: $2 exited; last lines of $3:" >&2
  tail -n 20 "$3" >&2 || true
  return 1
}

step="starting the sandbox"
# The daemon's admin port: a free one, so that the sandbox can send task events to it.
admin_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The sample requests are filed when the sandbox starts, just before hrmaild's first start: they
# count as new requests (`--since`). Without it, a first start queues every task filed before
# it for an approver, as it would on a real portal with history.
seeded_at=$(date -u -d '-1 minute' +%Y-%m-%dT%H:%M:%S+00:00)
# The seed: the 14 samples, then the two dated ones (tests/fixtures/tickets/dated: kept apart so
# that the sandbox's own tests keep their 14 tasks).
rm -rf "$work/seed"
cp -r tests/fixtures/tickets "$work/seed"
cp tests/fixtures/tickets/dated/*.json "$work/seed/requests/"
"$bin/tests/sandbox/hrmaild-sandbox" --listen 127.0.0.1:0 --seed "$work/seed" \
  --ready-file "$work/ready.json" --event-url "http://127.0.0.1:${admin_port}/events/bitrix" \
  >"$work/sandbox.log" 2>&1 &
sandbox=$!
pids+=("$sandbox")
until_t=$(deadline)
until [ -s "$work/ready.json" ]; do
  alive "$sandbox" hrmaild-sandbox "$work/sandbox.log"
  [ "$(date +%s)" -lt "$until_t" ] || { echo "demo: the sandbox wrote no ready file within ${bound}s; see $work/sandbox.log" >&2; exit 1; }
  sleep 0.1
done
base=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["zoho_api_url"].rstrip("/"))' "$work/ready.json")
control=$base/_sandbox
webhook=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bitrix_webhook_url"].rstrip("/"))' "$work/ready.json")
echo "== sandbox on ${base} (Bitrix24 and Zoho Mail emulators)"
# A real organization allows about 30 Zoho calls a minute; the sandbox allows more so that the
# demo takes seconds, and config/sandbox.yaml's client budget matches. The Bitrix bucket keeps
# its real size (50, draining 2 a second), shared by the daemon and this script.
rest "$control/config" --json '{"zoho":{"requests_per_minute":600}}' --what "configuring the sandbox" \
  --log "$work/sandbox.log" >/dev/null
# The console's local application: where the sandbox portal sends the browser back after sign-in.
rest "$control/bitrix/oauth_app" --json "{\"handler_url\":\"http://127.0.0.1:${admin_port}/consola/oauth\"}" \
  --what "registering the console's application" --log "$work/sandbox.log" >/dev/null

# config/sandbox.yaml with this run's ports, state file and absolute paths.
python3 - "$root" "$base" "$admin_port" "$work" <<'EOF'
import re, sys
root, base, port, work = sys.argv[1:]
text = open(f"{root}/config/sandbox.yaml", encoding="utf-8").read()
text = text.replace("http://127.0.0.1:8790", base)
text = re.sub(r"(listen:\s*)127\.0\.0\.1:\d+", rf"\g<1>127.0.0.1:{port}", text)
text = re.sub(r"(_file:\s*)secrets/", rf"\g<1>{root}/config/secrets/", text)
text = re.sub(r"(\n  path:\s*)\S+", rf"\g<1>{work}/hrmaild.db", text)
text = re.sub(r"(\n  dir:\s*)\S+", rf"\g<1>{root}/workflows", text)
live = "\n".join(line.split("#")[0] for line in text.splitlines())
for left in ("8790", "8791", "../"):
    if left in live:
        sys.exit(f"demo: config/sandbox.yaml changed shape; {left} is left in {work}/hrmaild.yaml")
open(f"{work}/hrmaild.yaml", "w", encoding="utf-8").write(text)
EOF
cfg=$work/hrmaild.yaml

step="starting hrmaild"
echo "== starting hrmaild (config/sandbox.yaml, polling every two seconds, admin on 127.0.0.1:${admin_port})"
"$bin/hrmaild" run --config "$cfg" --poll-interval 2 --drain 5 --since "$seeded_at" \
  >"$work/daemon.log" 2>&1 &
daemon=$!
pids+=("$daemon")
admin=http://127.0.0.1:${admin_port}
until_t=$(deadline)
until curl -sf --max-time 5 "$admin/healthz" >/dev/null 2>&1; do
  alive "$daemon" hrmaild "$work/daemon.log"
  [ "$(date +%s)" -lt "$until_t" ] || { echo "demo: hrmaild was not ready within ${bound}s; see $work/daemon.log" >&2; exit 1; }
  sleep 0.2
done

# The queue as the CLI shows it (bounded: the CLI must answer within 30 s).
queue() { timeout 30 "$bin/hrmaild" queue list --config "$cfg" --as camilo --json 2>>"$work/cli.log"; }
# The number of poll cycles the daemon has completed (from /metrics).
cycles() {
  curl -sf --max-time 10 "$admin/metrics" | awk '/^hrmaild_poll_duration_seconds_count/ {print int($2); f=1} END {exit !f}'
}
# "MOVING|id:state ..." for a queue listing; MOVING counts tickets the daemon is still working on
# (an approved plan whose effective date is ahead is waiting for it, not moving).
snapshot() {
  python3 -c '
import json, sys, time
t = json.load(sys.stdin)["tickets"]
now = time.time() * 1000
def moving(x):
    if x["state"] == "approved" and x.get("not_before", 0) > now:
        return False
    return x["state"] in ("new", "planned", "approved", "executing", "superseded")
moving = sum(moving(x) for x in t)
print("%d|" % moving + " ".join("%s:%s" % (x["id"], x["state"]) for x in sorted(t, key=lambda x: x["id"])))'
}

# Waits until no ticket is moving and the queue stayed the same over a whole poll cycle that
# started after it was first seen (the cycle counter went up by two), or fails after the bound.
settle() {
  local until_t seen="" seen_at=0 q c snap=""
  until_t=$(deadline)
  while :; do
    alive "$daemon" hrmaild "$work/daemon.log"
    if q=$(queue) && c=$(cycles) && snap=$(snapshot <<<"$q"); then
      if [ "$snap" != "$seen" ]; then
        seen=$snap
        seen_at=$c
      elif [ "${snap%%|*}" = 0 ] && [ "$c" -ge $((seen_at + 2)) ]; then
        return 0
      fi
    fi
    if [ "$(date +%s)" -ge "$until_t" ]; then
      echo "demo: the daemon did not settle within ${bound}s (queue: ${snap:-unreadable}; cycle counter: ${c:-unreadable}); see $work/daemon.log and $work/cli.log" >&2
      return 1
    fi
    sleep 0.5
  done
}

step="processing the sample requests"
echo "== processing the sample requests"
cycles >/dev/null || { echo "demo: $admin/metrics has no hrmaild_poll_duration_seconds_count; see $work/daemon.log" >&2; exit 1; }
settle

# Approves, as approver 7, every ticket waiting for approval whose current plan it has not
# approved yet; rounds repeat while approving leads to new plans waiting (at most three).
step="approving"
declare -A approved=()
for round in 1 2 3; do
  todo=()
  listing=$(queue)
  waiting=$(python3 -c 'import json,sys; print(" ".join("%s:%s" % (t["id"], t.get("plan_hash", "")) for t in json.load(sys.stdin)["tickets"] if t["state"] == "awaiting_approval"))' <<<"$listing")
  for key in $waiting; do
    [ -n "${approved[$key]:-}" ] || todo+=("$key")
  done
  [ ${#todo[@]} -gt 0 ] || break
  echo "== approving as approver 7 (Camilo Luna) through task comments (round ${round}): tasks ${todo[*]%%:*}"
  for key in "${todo[@]}"; do
    id=${key%%:*}
    rest "$webhook/task.commentitem.add.json" --what "approving task $id (task.commentitem.add)" \
      --log "$work/sandbox.log" \
      --json "{\"TASKID\": $id, \"FIELDS\": {\"POST_MESSAGE\": \"/aprobar\", \"AUTHOR_ID\": 7}}" >/dev/null
    approved[$key]=1
  done
  step="processing the approved requests"
  settle
done
[ ${#approved[@]} -gt 0 ] || echo "== nothing was waiting for approval"

step="collecting the results"
queue >"$work/queue.json"
ids=$(python3 -c 'import json,sys; print(" ".join(str(t["id"]) for t in json.load(open(sys.argv[1]))["tickets"]))' "$work/queue.json")
for id in $ids; do
  timeout 30 "$bin/hrmaild" queue show "$id" --config "$cfg" --as camilo --json >"$work/ticket-$id.json" 2>>"$work/cli.log"
done
rest "$control/state" --out "$work/sandbox-state.json" --what "reading the sandbox state" --log "$work/sandbox.log"

if [ "$console" = 0 ]; then
  step="stopping hrmaild"
  stop_pid "$daemon"
fi

step="printing the report"
python3 scripts/demo_report.py "$work" "$work/seed"
echo
echo "demo finished in $(($(date +%s) - start))s ($((built - start))s building, $(($(date +%s) - built))s running; logs and JSON in var/demo/)"
if [ "$console" = 1 ]; then
  echo
  echo "== the IT console: ${admin}/consola/ (sign in through the sandbox portal: choose user 7, an"
  echo "   IT approver, or 12, HR's Laura Méndez, who may only look). hrmaild and the sandbox keep"
  echo "   running; Ctrl-C stops both."
  trap 'exit 0' INT TERM
  while alive "$daemon" hrmaild "$work/daemon.log" && alive "$sandbox" hrmaild-sandbox "$work/sandbox.log"; do
    sleep 1
  done
  exit 1
fi
