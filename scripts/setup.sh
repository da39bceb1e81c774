#!/usr/bin/env bash
# Installs exactly the Debian 12 packages hrmaild needs to build, test and run its demo.
# Idempotent: packages already present are left alone. Needs root for apt-get; as another
# user it prints the sudo line to run instead. Arguments name further packages a caller needs
# on top of these (scripts/fuzz-ci.sh: clang-14 and its libFuzzer runtime).
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config ccache clang-format
  # libraries (see CMakeLists.txt: each find_package names its package)
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-system1.81-dev
  libyaml-cpp-dev libspdlog-dev libfmt-dev libsqlite3-dev libssl-dev libicu-dev
  libsystemd-dev libcli11-dev prometheus-cpp-dev libgtest-dev libgmock-dev
  libkainjow-mustache-dev
  # runtime tools used by the demo and the tests (systemd: systemd-analyze, -sysusers, -tmpfiles)
  openssl ca-certificates curl sqlite3 systemd python3
  # the IANA time zones effective dates are read in (policy.timezone; daemon/core/zone.hpp)
  tzdata
  # the browser tests (label browser): headless Chromium driven by playwright-core from npm
  chromium nodejs
  # the Debian package (scripts/package.sh, test label package)
  debhelper dpkg-dev fakeroot help2man lintian
  "$@"
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages: ${missing[*]}" >&2
  echo "setup: run as root, or: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
