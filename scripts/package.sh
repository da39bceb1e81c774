#!/usr/bin/env bash
# Builds the Debian package hrmaild_<version>_amd64.deb with debhelper (debian/), from a CMake
# build folder that already holds the hrmaild binary: nothing is compiled twice.
#
# Usage: scripts/package.sh [BUILD_DIR]
#   BUILD_DIR  a configured and built CMake folder (CI passes build/ci); without it the release
#              preset is configured and built here (target hrmaild only).
# Environment: HRMAILD_PACKAGE_OUT (default build/package): where the .deb, .buildinfo and
# .changes go. HRMAILD_PACKAGE_LINTIAN=0 skips lintian (on by default; any error fails).
# Prints the .deb's path on its last line.
#
# What goes in: /usr/bin/hrmaild; the unit /lib/systemd/system/hrmaild.service (installed, not
# enabled or started); sysusers and tmpfiles files, applied by the maintainer scripts with
# systemd-sysusers and systemd-tmpfiles (they work without a running systemd); the example
# configuration as /etc/hrmaild/hrmaild.yaml and the workflows under /etc/hrmaild/workflows/
# (conffiles); pristine workflows in /usr/share/hrmaild/workflows; docs in
# /usr/share/doc/hrmaild; the man page hrmaild(8), generated from the commands' --help.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ $# -ge 1 ]; then
  builddir=$(cd "$1" && pwd)
else
  cmake --preset release >/dev/null
  cmake --build --preset release -j"$(nproc)" --target hrmaild
  builddir=$root/build/release
fi
bin=$builddir/hrmaild
[ -x "$bin" ] || { echo "package: $bin does not exist; build the target hrmaild in $builddir first" >&2; exit 1; }
for tool in dpkg-buildpackage dh help2man lintian cmake python3; do
  command -v "$tool" >/dev/null || { echo "package: $tool is missing; run scripts/setup.sh" >&2; exit 1; }
done

version=$("$bin" version --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')
out=${HRMAILD_PACKAGE_OUT:-$root/build/package}
src=$out/hrmaild-$version
rm -rf "$src" "$out"/hrmaild_"$version"_*
mkdir -p "$src"

# The source folder dpkg-buildpackage works in: debian/ plus the staged install tree.
cp -a debian "$src/"
cp systemd/hrmaild.sysusers.conf "$src/debian/hrmaild.sysusers"
cp systemd/hrmaild.tmpfiles.conf "$src/debian/hrmaild.tmpfiles"
sed "s#@BINDIR@#/usr/bin#g; s#@DOCDIR@#/usr/share/doc/hrmaild#g" systemd/hrmaild.service.in \
  >"$src/debian/hrmaild.service"
maintainer=$(sed -n 's/^Maintainer: //p' debian/control)
cat >"$src/debian/changelog" <<EOF
hrmaild ($version) unstable; urgency=medium

  * Release $version; see the repository history for the changes.

 -- $maintainer  $(date -R)
EOF

stage=$src/stage
DESTDIR=$stage cmake --install "$builddir" --prefix /usr >/dev/null
# The sandbox is a test tool; the unit, sysusers and tmpfiles files come from debian/ above.
rm -f "$stage/usr/bin/hrmaild-sandbox"
rm -rf "$stage/usr/lib/systemd/system" "$stage/usr/lib/sysusers.d" "$stage/usr/lib/tmpfiles.d"
rmdir --ignore-fail-on-non-empty "$stage/usr/lib/systemd" "$stage/usr/lib" 2>/dev/null || true
# Configuration and workflows as conffiles (everything under /etc is one for dpkg).
install -D -m 0644 config/hrmaild.example.yaml "$stage/etc/hrmaild/hrmaild.yaml"
install -d "$stage/etc/hrmaild/workflows"
install -m 0644 workflows/*.yaml "$stage/etc/hrmaild/workflows/"

# hrmaild(8) from `hrmaild --help` and each command's --help.
mkdir -p "$src/stage-man"
include=$src/stage-man/include.h2m
roff() { sed -e 's/\\/\\e/g' -e "s/^\\([.']\\)/\\\\\\&\\1/"; }
{
  echo "[COMMANDS]"
  for c in run check status plan queue version; do
    echo ".SS \"hrmaild $c\""
    echo ".nf"
    "$bin" "$c" --help | roff
    echo ".fi"
  done
  cat <<'EOF'
[FILES]
.TP
.I /etc/hrmaild/hrmaild.yaml
the configuration (every key is explained in it)
.TP
.I /etc/hrmaild/workflows/
the workflows (YAML); pristine copies in /usr/share/hrmaild/workflows/
.TP
.I /etc/hrmaild/credentials/
the secret files, passed to the service with LoadCredential=
.TP
.I /var/lib/hrmaild/hrmaild.db
the state store (SQLite)
[SEE ALSO]
.BR systemctl (1),
.BR journalctl (1).
The documentation in /usr/share/doc/hrmaild/, starting with operations.md.
EOF
} >"$include"
help2man --no-info --section=8 --version-string="$version" \
  --name="turns HR requests in Bitrix24 tasks into Zoho Mail administration" \
  --include="$include" --output="$src/stage-man/hrmaild.8" "$bin"

(cd "$src" && dpkg-buildpackage -b -us -uc >"$out/dpkg-buildpackage.log" 2>&1) || {
  tail -n 30 "$out/dpkg-buildpackage.log" >&2
  echo "package: dpkg-buildpackage failed; see $out/dpkg-buildpackage.log" >&2
  exit 1
}
deb=$out/hrmaild_${version}_amd64.deb
[ -f "$deb" ] || { echo "package: $deb was not made; see $out/dpkg-buildpackage.log" >&2; exit 1; }

if [ "${HRMAILD_PACKAGE_LINTIAN:-1}" != 0 ]; then
  # Errors fail the build; warnings are printed (see the report in lintian.log).
  lintian --fail-on error --info "$deb" >"$out/lintian.log" 2>&1 || {
    cat "$out/lintian.log" >&2
    echo "package: lintian found errors in $deb" >&2
    exit 1
  }
  grep -v "running with root privileges" "$out/lintian.log" | sed "s/^/lintian: /" || true
fi
echo "$deb"
