#!/usr/bin/env bash
# README command 2: installs what is missing, builds with warnings as errors, and runs the
# whole test suite (labels unit, integration, slow, browser). Exits non-zero when any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# playwright-core for the browser tests (label browser), pinned by tests/browser/package-lock.json.
scripts/setup-browser.sh
jobs=$(nproc)
cmake --preset ci
cmake --build --preset ci -j"$jobs"
ctest --preset ci -j"$jobs" "$@"
