#!/usr/bin/env bash
# README command 1: installs what is missing, builds, and runs the demo against the sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)"
bin=build/release

# The sandbox's fake secrets are public; make them private anyway, as check recommends.
chmod 600 config/secrets/* 2>/dev/null || true
echo
echo "== hrmaild check --config config/sandbox.yaml"
"$bin/hrmaild" check --config config/sandbox.yaml
