#!/usr/bin/env bash
# Runs one libFuzzer target of tests/fuzz for SECONDS seconds (issue 13):
#   scripts/fuzz.sh TARGET SECONDS        e.g. scripts/fuzz.sh chat_command 3600
#   scripts/fuzz.sh --list                the targets
# Builds the preset `fuzz` (clang-14, ASan + UBSan) first when needed; --no-build skips that
# (ctest label `fuzz` passes it), --build-dir DIR uses another build folder.
# The corpus grows in BUILD/fuzz-corpus/TARGET (seeded from the fixtures by
# tests/fuzz/seeds.py); a finding is saved in BUILD/fuzz-artifacts/TARGET/ and the script
# exits 1. Extra libFuzzer flags may follow SECONDS (e.g. -max_len=65536). One process runs,
# so the figures printed are that process's.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build/fuzz"
do_build=1
targets=(extract template workflow_loader config_loader bitrix_decode zoho_json admin_request chat_command)

while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) do_build=0; shift ;;
    --build-dir) build=$2; shift 2 ;;
    --list) printf '%s\n' "${targets[@]}"; exit 0 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
if [ $# -lt 2 ]; then
  echo "usage: scripts/fuzz.sh [--no-build] [--build-dir DIR] TARGET SECONDS [libFuzzer flags...]" >&2
  echo "targets: ${targets[*]}" >&2
  exit 2
fi
target=$1 seconds=$2
shift 2
if ! printf '%s\n' "${targets[@]}" | grep -qx -- "$target"; then
  echo "fuzz: unknown target '$target' (one of: ${targets[*]})" >&2
  exit 2
fi
case "$seconds" in ''|*[!0-9]*) echo "fuzz: SECONDS must be a whole number, not '$seconds'" >&2; exit 2 ;; esac

if [ "$do_build" = 1 ]; then
  if [ ! -f "$build/CMakeCache.txt" ]; then
    (cd "$root" && cmake --preset fuzz >/dev/null)
  fi
  cmake --build "$build" -j"${FUZZ_BUILD_JOBS:-2}" --target "fuzz_$target"
fi
bin="$build/tests/fuzz/fuzz_$target"
if [ ! -x "$bin" ]; then
  echo "fuzz: $bin is not built (run without --no-build, or cmake --build --preset fuzz)" >&2
  exit 2
fi

seeds="$build/fuzz-seeds"
corpus="$build/fuzz-corpus/$target"
artifacts="$build/fuzz-artifacts/$target"
mkdir -p "$corpus" "$artifacts"
python3 "$root/tests/fuzz/seeds.py" "$root" "$seeds" "$target" >/dev/null
dict=()
if [ -f "$root/tests/fuzz/dict/$target.dict" ]; then
  dict=(-dict="$root/tests/fuzz/dict/$target.dict")
fi

log="$build/fuzz-$target.log"
export HRMAILD_SOURCE_DIR="$root"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
t0=$(date +%s)
set +e
"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" "${dict[@]}" "$@" "$corpus" "$seeds/$target" >"$log" 2>&1
rc=$?
set -e
elapsed=$(( $(date +%s) - t0 ))

stat() { sed -n "s/^stat::$1: *//p" "$log" | tail -1; }
execs=$(stat number_of_executed_units)
rate=$(stat average_exec_per_sec)
rss=$(stat peak_rss_mb)
units=$(find "$corpus" -type f | wc -l)
if [ "$rc" -eq 0 ]; then
  result=clean
else
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
  kind=$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-zA-Z0-9_-]+|runtime error: .*' "$log" || true)
  result="FINDING (${kind:-exit $rc}) ${artifact:-see $log}"
  tail -n 60 "$log" >&2
fi
echo "fuzz: $target: ${execs:-0} executions in ${elapsed} s (${rate:-0} exec/s, peak RSS ${rss:-?} MB), corpus $units inputs, $result"
echo "fuzz: log $log"
[ "$rc" -eq 0 ]
