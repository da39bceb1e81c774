#!/usr/bin/env bash
# The fuzz block of .ci/run (issue 13): installs clang-14 and its sanitizer/libFuzzer runtime
# when missing (Debian 12, as root), builds the preset `fuzz` and runs every target for
# FUZZ_SECONDS (default 30) under ctest label `fuzz`. Prints how long the block took.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

packages=(clang-14 libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "fuzz-ci: missing packages: ${missing[*]} (run as root, or apt-get install them)" >&2
    exit 1
  fi
  echo "fuzz-ci: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
installed=$(date +%s)

jobs=$(nproc)
cmake --preset fuzz -DHRMAILD_FUZZ_SECONDS="${FUZZ_SECONDS:-30}" >/dev/null
cmake --build --preset fuzz -j"$jobs"
built=$(date +%s)
# One target a core: each runs for its whole time, so the block takes about
# (targets / cores) x FUZZ_SECONDS.
ctest --preset fuzz -j"$jobs"
echo "fuzz-ci: install $((installed - start))s, build $((built - installed))s, run $(( $(date +%s) - built ))s"
