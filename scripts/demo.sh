#!/usr/bin/env bash
# README command 1: installs what is missing, builds, and runs the demo.
#
# The demo starts the sandbox (Bitrix24 + Zoho Mail emulators on loopback) seeded with the 14
# sample HR requests of tests/fixtures/tickets, starts hrmaild against it polling every
# two seconds, lets it process the requests, approves the waiting ones as IT approver 7 through
# task comments (/aprobar), and prints what happened to each request and the Zoho users and
# groups afterwards. It ends by itself and leaves nothing running.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
start=$(date +%s)

preset=${HRMAILD_DEMO_PRESET:-release}
scripts/setup.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j"$(nproc)" --target hrmaild hrmaild-sandbox
bin=$root/build/$preset

work=$root/var/demo
rm -rf "$work" "$root/var/sandbox"
mkdir -p "$work"
chmod 600 config/secrets/* 2>/dev/null || true

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT

echo "== starting the sandbox on 127.0.0.1:8790"
"$bin/tests/sandbox/hrmaild-sandbox" --listen 127.0.0.1:8790 --seed tests/fixtures/tickets \
  --ready-file "$work/ready.json" --event-url http://127.0.0.1:8791/events/bitrix \
  >"$work/sandbox.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/ready.json" ] && break; sleep 0.1; done
[ -s "$work/ready.json" ] || { echo "sandbox did not start; see $work/sandbox.log"; exit 1; }
control=http://127.0.0.1:8790/_sandbox
webhook=http://127.0.0.1:8790/rest/1/sandbox-webhook-secret
# A real organization allows about 30 Zoho calls a minute; the sandbox allows more so that the
# demo takes seconds, and config/sandbox.yaml's client budget matches.
curl -sf -X POST "$control/config" -d '{"zoho":{"requests_per_minute":600}}' >/dev/null

echo "== starting hrmaild (config/sandbox.yaml, polling every two seconds)"
"$bin/hrmaild" run --config config/sandbox.yaml --poll-interval 2 >"$work/daemon.log" 2>&1 &
daemon=$!
pids+=($daemon)

queue() { "$bin/hrmaild" queue list --config config/sandbox.yaml --as camilo --json 2>/dev/null; }

# Waits until no ticket is still moving (new, planned, approved or executing) and the number of
# tickets has not changed for two seconds.
settle() {
  local last="" same=0
  for _ in $(seq 240); do
    sleep 0.5
    local q
    q=$(queue) || continue
    local now
    now=$(python3 -c 'import json,sys; t=json.load(sys.stdin)["tickets"]; print(len(t), sum(x["state"] in ("new","planned","approved","executing","superseded") for x in t))' <<<"$q")
    if [ "$now" = "$last" ] && [ "${now#* }" = 0 ]; then
      same=$((same + 1))
      [ $same -ge 4 ] && return 0
    else
      same=0
    fi
    last=$now
  done
  echo "the daemon did not settle; see $work/daemon.log"
  return 1
}

echo "== processing the sample requests"
settle

waiting=$(queue | python3 -c 'import json,sys; print(" ".join(str(t["id"]) for t in json.load(sys.stdin)["tickets"] if t["state"]=="awaiting_approval"))')
echo "== approving as approver 7 (Camilo Luna) through task comments: tasks ${waiting:-none}"
for id in $waiting; do
  curl -sf "$webhook/task.commentitem.add.json" -H 'Content-Type: application/json' \
    -d "{\"TASKID\": $id, \"FIELDS\": {\"POST_MESSAGE\": \"/aprobar\", \"AUTHOR_ID\": 7}}" >/dev/null
done
settle

"$bin/hrmaild" queue list --config config/sandbox.yaml --as camilo --json >"$work/queue.json"
for id in $(python3 -c 'import json; print(" ".join(str(t["id"]) for t in json.load(open("'"$work/queue.json"'"))["tickets"]))'); do
  "$bin/hrmaild" queue show "$id" --config config/sandbox.yaml --as camilo --json >"$work/ticket-$id.json"
done
curl -sf "$control/state" >"$work/sandbox-state.json"

kill -TERM "$daemon"
wait "$daemon" || true

python3 scripts/demo_report.py "$work" tests/fixtures/tickets
echo
echo "demo finished in $(( $(date +%s) - start ))s (logs and JSON in var/demo/)"
