#!/usr/bin/env bash
# The fuzz block of .ci/run (issue 13): installs clang-14 and its sanitizer/libFuzzer runtime
# when missing (Debian 12, as root), builds the preset `fuzz` and runs every target for
# FUZZ_SECONDS (default 30) under ctest label `fuzz`. Prints how long the block took.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

bash scripts/setup.sh clang-14 libclang-rt-14-dev
installed=$(date +%s)

jobs=$(nproc)
cmake --preset fuzz -DHRMAILD_FUZZ_SECONDS="${FUZZ_SECONDS:-30}" >/dev/null
cmake --build --preset fuzz -j"$jobs"
built=$(date +%s)
# One target a core: each runs for its whole time, so the block takes about
# (targets / cores) x FUZZ_SECONDS.
ctest --preset fuzz -j"$jobs"
echo "fuzz-ci: install $((installed - start))s, build $((built - installed))s, run $(( $(date +%s) - built ))s"
