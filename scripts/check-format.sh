#!/usr/bin/env bash
# Fails when clang-format would change any C++ source of the project.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find daemon tests -name '*.cpp' -o -name '*.hpp' | grep -v '/build' | sort)
clang-format --dry-run --Werror "${files[@]}"
echo "check-format: ${#files[@]} files clean"
