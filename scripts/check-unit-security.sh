#!/usr/bin/env bash
# Checks the systemd unit: `systemd-analyze verify` (through verify-units.sh, against a built
# hrmaild) and the exposure score of `systemd-analyze security --offline=yes`, which must not
# pass MAX (default 1.2; lower is safer). Exits 77 (a skip for ctest) only when systemd-analyze
# is absent; scripts/setup.sh installs it (Debian package systemd).
# Usage: check-unit-security.sh BINDIR [MAX]
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bindir=${1:?usage: check-unit-security.sh BINDIR [MAX]}
bindir=$(cd "$bindir" && pwd)
max=${2:-1.2}
if ! command -v systemd-analyze >/dev/null; then
  echo "SKIP: systemd-analyze is not installed (Debian package systemd; scripts/setup.sh installs it)"
  exit 77
fi
"$here/scripts/verify-units.sh" "$bindir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s#@BINDIR@#$bindir#g; s#@DOCDIR@#/usr/share/doc/hrmaild#g" \
  "$here/systemd/hrmaild.service.in" >"$work/hrmaild.service"
report=$(systemd-analyze security --offline=yes --no-pager "$work/hrmaild.service" 2>&1) || true
score=$(sed -n 's/.*Overall exposure level for hrmaild.service: \([0-9.]*\).*/\1/p' <<<"$report")
if [ -z "$score" ]; then
  echo "$report"
  echo "check-unit-security: no exposure score in the output above"
  exit 1
fi
if ! python3 -c 'import sys; sys.exit(float(sys.argv[1]) > float(sys.argv[2]))' "$score" "$max"; then
  grep '✗' <<<"$report" || true
  echo "check-unit-security: exposure $score is above $max (the lines above are what is still open)"
  exit 1
fi
echo "check-unit-security: exposure $score (at most $max)"
