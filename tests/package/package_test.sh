#!/usr/bin/env bash
# The Debian package end to end (ctest label `package`): scripts/package.sh builds it from the
# already-built hrmaild (lintian must report no error); its contents are checked; then, as root
# (CI runs as root on a throwaway Debian 12), it is installed with dpkg -i, tried (`hrmaild
# version`, `hrmaild check` on the installed example, `systemd-analyze verify` on the installed
# unit) and purged, leaving the machine as it was (the hrmaild user is removed again if the
# test created it). Not root: the installation part is skipped (exit 77) after the build.
# Usage: package_test.sh BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
builddir=${1:?usage: package_test.sh BUILD_DIR}
work=$(mktemp -d)
installed=0
had_user=0
getent passwd hrmaild >/dev/null && had_user=1
fail() { echo "FAIL: $*" >&2; exit 1; }
cleanup() {
  if [ "$installed" = 1 ]; then
    dpkg --purge hrmaild >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; echo "FAIL: dpkg --purge hrmaild" >&2; }
    if [ "$had_user" = 0 ] && getent passwd hrmaild >/dev/null; then
      userdel hrmaild 2>/dev/null || true
      getent group hrmaild >/dev/null && groupdel hrmaild 2>/dev/null || true
    fi
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# 1. Build (reusing the binary) and lint.
HRMAILD_PACKAGE_OUT=$work/out "$root/scripts/package.sh" "$builddir" >"$work/package.log" 2>&1 \
  || { cat "$work/package.log"; fail "scripts/package.sh"; }
deb=$(tail -n 1 "$work/package.log")
version=$("$builddir/hrmaild" version --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
[ "$(basename "$deb")" = "hrmaild_${version}_amd64.deb" ] || fail "package name $(basename "$deb")"
grep '^lintian: ' "$work/package.log" || echo "lintian: no tags"

# 2. Contents.
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's#^\./#/#' >"$work/files"
for f in /usr/bin/hrmaild /lib/systemd/system/hrmaild.service /usr/lib/sysusers.d/hrmaild.conf \
         /usr/lib/tmpfiles.d/hrmaild.conf /etc/hrmaild/hrmaild.yaml /usr/share/man/man8/hrmaild.8.gz \
         /usr/share/doc/hrmaild/operations.md /usr/share/doc/hrmaild/copyright; do
  grep -qx "$f" "$work/files" || fail "$f is not in the package"
done
grep -q '^/usr/bin/hrmaild-sandbox$' "$work/files" && fail "the sandbox must not be packaged"
dpkg-deb -e "$deb" "$work/control"
for wf in "$root"/workflows/*.yaml; do
  grep -qx "/etc/hrmaild/workflows/$(basename "$wf")" "$work/control/conffiles" \
    || fail "workflow $(basename "$wf") is not a conffile"
done
grep -qx /etc/hrmaild/hrmaild.yaml "$work/control/conffiles" || fail "hrmaild.yaml is not a conffile"
grep -q 'systemd-sysusers' "$work/control/postinst" || fail "postinst does not run systemd-sysusers"
grep -q 'systemd-tmpfiles' "$work/control/postinst" || fail "postinst does not run systemd-tmpfiles"
# The man page documents every command, from its --help.
dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/share/man/man8/hrmaild.8.gz | gzip -d >"$work/hrmaild.8"
for c in run check status plan queue version; do
  grep -q "hrmaild $c" "$work/hrmaild.8" || fail "the man page does not document '$c'"
done

if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: installing needs root (dpkg -i); the package was built, linted and checked"
  exit 77
fi
# Two runs of this test on one machine (several build folders) take turns installing.
exec 9>/tmp/hrmaild-package-test.lock
flock -w 600 9 || fail "another package test held /tmp/hrmaild-package-test.lock for 10 minutes"
if dpkg-query -W -f='${Status}' hrmaild 2>/dev/null | grep -q 'ok installed'; then
  echo "SKIP: a package hrmaild is already installed on this machine; not touching it"
  exit 77
fi

# 3. Install: the maintainer scripts create the user and folders (no running systemd needed).
installed=1
dpkg -i "$deb" >"$work/install.log" 2>&1 || { cat "$work/install.log"; fail "dpkg -i"; }
getent passwd hrmaild >/dev/null || fail "the user hrmaild was not created"
[ "$(stat -c '%a %U %G' /etc/hrmaild)" = "750 root hrmaild" ] || fail "/etc/hrmaild: $(stat -c '%a %U %G' /etc/hrmaild)"
[ "$(stat -c '%a %U' /etc/hrmaild/credentials)" = "700 root" ] || fail "/etc/hrmaild/credentials: $(stat -c '%a %U' /etc/hrmaild/credentials)"
[ "$(command -v hrmaild)" = /usr/bin/hrmaild ] || fail "hrmaild is not /usr/bin/hrmaild"
[ "$(/usr/bin/hrmaild version --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')" = "$version" ] \
  || fail "hrmaild version"

# The installed example names its secrets but none exists yet: check fails on exactly those.
set +e
/usr/bin/hrmaild check --config /etc/hrmaild/hrmaild.yaml >"$work/check.out" 2>&1
code=$?
set -e
cat "$work/check.out"
[ "$code" = 2 ] || fail "hrmaild check exited $code, expected 2 (configuration errors)"
for secret in bitrix-webhook zoho-client-secret zoho-refresh-token; do
  grep -q "secret file not found.*$secret" "$work/check.out" || fail "check does not report the missing $secret"
done
if grep -v 'secret file not found' "$work/check.out" | grep -q '^/etc/hrmaild/hrmaild.yaml:[0-9]*:[0-9]*: '; then
  fail "check reports problems other than the missing secrets (above)"
fi

out=$(systemd-analyze verify /lib/systemd/system/hrmaild.service 2>&1) || fail "systemd-analyze verify: $out"
[ -z "$out" ] || fail "systemd-analyze verify: $out"

# 4. Purge: nothing of the package is left.
installed=0
dpkg --purge hrmaild >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "dpkg --purge"; }
for f in /usr/bin/hrmaild /lib/systemd/system/hrmaild.service /etc/hrmaild /var/lib/hrmaild; do
  [ ! -e "$f" ] || fail "$f is left after the purge"
done
if [ "$had_user" = 0 ]; then
  userdel hrmaild 2>/dev/null || true
  getent group hrmaild >/dev/null && { groupdel hrmaild 2>/dev/null || true; }
fi
echo "package test: $(basename "$deb") built, linted, installed, tried and purged"
