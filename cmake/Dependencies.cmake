# Every dependency comes from a Debian 12 package. A missing one stops configure with the
# name of the package to install (scripts/setup.sh installs them all).
include_guard(GLOBAL)

macro(hrmaild_require name debian_package)
  find_package(${name} ${ARGN} QUIET)
  if(NOT ${name}_FOUND)
    message(FATAL_ERROR
      "hrmaild: dependency '${name}' not found. Install the Debian package: "
      "apt-get install ${debian_package}   (or run scripts/setup.sh)")
  endif()
endmacro()

hrmaild_require(Boost "libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev" 1.81 CONFIG COMPONENTS json url system)
hrmaild_require(yaml-cpp libyaml-cpp-dev)
hrmaild_require(fmt libfmt-dev)
hrmaild_require(spdlog libspdlog-dev)
hrmaild_require(SQLite3 libsqlite3-dev)
hrmaild_require(OpenSSL libssl-dev)
hrmaild_require(ICU libicu-dev COMPONENTS uc i18n)
hrmaild_require(CLI11 libcli11-dev)
hrmaild_require(prometheus-cpp prometheus-cpp-dev)
hrmaild_require(Threads libc6-dev)

# Mustache templates with automatic HTML escaping for the web console (header only).
find_path(KAINJOW_MUSTACHE_INCLUDE_DIR kainjow/mustache.hpp)
if(NOT KAINJOW_MUSTACHE_INCLUDE_DIR)
  message(FATAL_ERROR "hrmaild: kainjow/mustache.hpp not found. Install the Debian package: apt-get install libkainjow-mustache-dev")
endif()

find_package(PkgConfig QUIET)
if(NOT PkgConfig_FOUND)
  message(FATAL_ERROR "hrmaild: pkg-config not found. Install the Debian package: apt-get install pkg-config")
endif()
pkg_check_modules(SYSTEMD QUIET IMPORTED_TARGET libsystemd)
if(NOT SYSTEMD_FOUND)
  message(FATAL_ERROR "hrmaild: libsystemd not found. Install the Debian package: apt-get install libsystemd-dev")
endif()

if(HRMAILD_BUILD_TESTS)
  hrmaild_require(GTest "libgtest-dev libgmock-dev")
endif()
