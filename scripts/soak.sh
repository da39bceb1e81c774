#!/usr/bin/env bash
# The soak (issue 13 item 4): hrmaild against hrmaild-sandbox for MINUTES (default 30) at a
# steady load (one task filed a second, approvals by comment) with faults on about 10 % of the
# Bitrix and Zoho calls, every secret a canary. Samples the daemon's RSS and open file
# descriptors from /proc and prints them after warm-up and at the end; fails when memory grew
# by more than 16 MiB after warm-up, descriptors grew, or a duplicate, lost task or leaked
# canary was found. Needs the ci build (test hooks on): cmake --preset ci && cmake --build
# --preset ci --target hrmaild hrmaild-sandbox
#   scripts/soak.sh [MINUTES] [--growing-org] [crash.py flags...]
# By default the organization keeps its size (--steady-org: password resets, group changes
# that add and later remove people, a few terminations), so memory must stay flat after
# warm-up; --growing-org files mostly hires instead (the org grows by one account a task).
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-30}
shift || true
mix=(--steady-org)
if [ "${1:-}" = "--growing-org" ]; then
  mix=()
  shift
fi
bin=build/ci
exec python3 tests/crash/crash.py --hrmaild "$bin/hrmaild" --sandbox "$bin/tests/sandbox/hrmaild-sandbox" \
  --source "$PWD" --work "${HRMAILD_SOAK_WORK:-/tmp/hrmaild-soak}" --soak "$minutes" --seed 5 \
  --finish-timeout 900 "${mix[@]}" "$@"
