#!/usr/bin/env bash
# Verifies the systemd unit with systemd-analyze, pointing it at a built hrmaild binary.
# systemd-analyze only warns (exit 0) on many mistakes, so any output at all fails the check.
# Usage: verify-units.sh BINDIR
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bindir=${1:?usage: verify-units.sh BINDIR}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sed "s#@BINDIR@#$bindir#g; s#@DOCDIR@#/usr/share/doc/hrmaild#g" \
  "$here/systemd/hrmaild.service.in" > "$work/hrmaild.service"
out=$(systemd-analyze verify "$work/hrmaild.service" 2>&1) || { echo "$out"; exit 1; }
if [ -n "$out" ]; then
  echo "$out"
  exit 1
fi
# sysusers and tmpfiles: applied for real inside a scratch root folder.
mkdir -p "$work/root/etc"
systemd-sysusers --root="$work/root" "$here/systemd/hrmaild.sysusers.conf" 2>"$work/sysusers.log" \
  || { cat "$work/sysusers.log"; exit 1; }
grep -q '^hrmaild:' "$work/root/etc/passwd" || { echo "sysusers did not create hrmaild"; exit 1; }
systemd-tmpfiles --root="$work/root" --create "$here/systemd/hrmaild.tmpfiles.conf"
[ "$(stat -c %a "$work/root/etc/hrmaild/credentials")" = 700 ] || { echo "credentials folder mode"; exit 1; }
echo "verify-units: hrmaild.service, sysusers and tmpfiles are valid"
