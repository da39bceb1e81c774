#!/usr/bin/env bash
# Test-only hooks (HRMAILD_TEST_CRASH_AFTER_APPLY and any later HRMAILD_TEST_* switch) are
# compiled only with the build option HRMAILD_TEST_HOOKS. This looks for their names in the
# built daemon: a build configured without the option (the release preset, the package) must
# contain none; a build with it must contain the crash hook, which shows the search would see
# one that slipped into a release build.
# Usage: check-test-hooks.sh HRMAILD_BINARY ON|OFF   (ctest passes ${HRMAILD_TEST_HOOKS})
set -euo pipefail
bin=${1:?usage: check-test-hooks.sh HRMAILD_BINARY ON|OFF}
option=${2:?usage: check-test-hooks.sh HRMAILD_BINARY ON|OFF}
[ -f "$bin" ] || { echo "FAIL: $bin does not exist" >&2; exit 1; }
found=$(grep -aoE 'HRMAILD_TEST_[A-Z_]+' "$bin" | sort -u || true)
case "$option" in
  ON|on|1|TRUE|true|YES|yes)
    if ! grep -qx HRMAILD_TEST_CRASH_AFTER_APPLY <<<"$found"; then
      echo "FAIL: built with HRMAILD_TEST_HOOKS but the crash hook is not in $bin" >&2
      exit 1
    fi
    echo "ok: test build; hooks present: $(echo $found)";;
  *)
    if [ -n "$found" ]; then
      echo "FAIL: $bin was built without HRMAILD_TEST_HOOKS but contains: $(echo $found)" >&2
      exit 1
    fi
    echo "ok: no test hook in $bin";;
esac
