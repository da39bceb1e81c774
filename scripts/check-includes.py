#!/usr/bin/env python3
"""Checks the layering: every #include in daemon/ and tests/ against the table "Folders and what
may depend on what" in docs/architecture.md, so the document IS the rule.

A quoted include ("daemon/net/url.hpp") is an edge from the including file's module to the
module of the included file; it must exist and be listed in the row's "may include" column (a
module may always include itself). An angle include of a third-party library (<yaml-cpp/...>,
<boost/asio/...>, ...) must be listed in the row's "third-party" column; anything else in <>
is the standard library or the system. The modules' CMake declarations
(`hrmaild_module(<name> DEPS ... LIBS ...)` in daemon/*/CMakeLists.txt) are checked too: a
module links only what its row allows, and links every module and compiled library it includes.

    scripts/check-includes.py              check the checkout; exit 1 naming file:line and edge
    scripts/check-includes.py --self-test  plant wrong-way includes in a temporary copy and
                                           assert the check fails on each (and passes without)
"""
import argparse
import pathlib
import re
import shutil
import sys
import tempfile

SOURCE_SUFFIXES = {".hpp", ".cpp", ".h", ".cc"}
# Headers the build generates (in <build>/generated, on the owning module's include path): they
# count as files of the folder they are named in.
GENERATED = {"daemon/log/event_ids.hpp"}  # scripts/gen-event-ids.py from docs/events.md
SCANNED = ("daemon", "tests")
TABLE_HEADING = "## Folders and what may depend on what"
EVERYTHING = "everything"

# Include path prefix -> the library's name as the table spells it (first match wins).
THIRD_PARTY = [
    ("boost/asio", "Boost.Asio"),
    ("boost/beast", "Boost.Beast"),
    ("boost/json", "Boost.JSON"),
    ("boost/url", "Boost.URL"),
    ("boost/system", "Boost.System"),
    ("boost/assert", "Boost.System"),
    ("boost/", "Boost"),
    ("fmt/", "fmt"),
    ("spdlog/", "spdlog"),
    ("yaml-cpp/", "yaml-cpp"),
    ("sqlite3.h", "SQLite"),
    ("openssl/", "OpenSSL"),
    ("unicode/", "ICU"),
    ("prometheus/", "prometheus-cpp"),
    ("systemd/", "libsystemd"),
    ("CLI/", "CLI11"),
    ("gtest/", "GoogleTest"),
    ("gmock/", "GoogleTest"),
    ("kainjow/", "kainjow-mustache"),
]
KNOWN_LIBRARIES = {name for _, name in THIRD_PARTY}

# CMake targets a module may name in LIBS -> table names (header-only Boost covers the Boost
# header libraries; Threads is the system's).
CMAKE_TARGETS = {
    "fmt::fmt": {"fmt"},
    "spdlog::spdlog": {"spdlog"},
    "yaml-cpp": {"yaml-cpp"},
    "SQLite::SQLite3": {"SQLite"},
    "OpenSSL::SSL": {"OpenSSL"},
    "OpenSSL::Crypto": {"OpenSSL"},
    "ICU::uc": {"ICU"},
    "ICU::i18n": {"ICU"},
    "prometheus-cpp::core": {"prometheus-cpp"},
    "PkgConfig::SYSTEMD": {"libsystemd"},
    "CLI11::CLI11": {"CLI11"},
    "Boost::json": {"Boost.JSON"},
    "Boost::url": {"Boost.URL"},
    "Boost::system": {"Boost.System"},
    "Boost::headers": {"Boost.Asio", "Boost.Beast", "Boost.System", "Boost"},
    "Threads::Threads": set(),
}
# Libraries with something to link: including one needs it in LIBS.
COMPILED = {"fmt", "spdlog", "yaml-cpp", "SQLite", "OpenSSL", "ICU", "prometheus-cpp",
            "libsystemd", "CLI11", "Boost.JSON", "Boost.URL"}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
TICKED = re.compile(r"`([^`]+)`")


class Row:
    def __init__(self, folder, module, modules, libraries, line):
        self.folder = folder
        self.module = module
        self.modules = modules  # set of module names, or EVERYTHING
        self.libraries = libraries  # set of library names, or EVERYTHING
        self.line = line

    def may_include(self, module):
        return self.modules == EVERYTHING or module == self.module or module in self.modules

    def may_use(self, library):
        return self.libraries == EVERYTHING or library in self.libraries


def split_cell(cell):
    """`a`, `b` / a, b / everything / — -> a set of names or EVERYTHING."""
    text = cell.strip()
    if text.lower() == EVERYTHING:
        return EVERYTHING
    names = set()
    for part in text.split(","):
        part = part.strip().strip("`").strip()
        if part and part not in ("—", "-", "std"):
            names.add(part)
    return names


def parse_table(doc):
    """The rows of the dependency table in docs/architecture.md."""
    lines = doc.read_text(encoding="utf-8").splitlines()
    try:
        start = lines.index(TABLE_HEADING)
    except ValueError:
        sys.exit(f"{doc}: no '{TABLE_HEADING}' section")
    header = None
    rows = []
    for number, line in enumerate(lines[start + 1:], start + 2):
        if not line.startswith("|"):
            if header is not None:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            needed = ("folder", "module", "may include", "third-party")
            missing = [n for n in needed if n not in header]
            if missing:
                sys.exit(f"{doc}:{number}: the table needs the columns {', '.join(needed)}; "
                         f"missing {', '.join(missing)}")
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        col = {name: cells[header.index(name)] for name in ("folder", "module", "may include",
                                                             "third-party")}
        folder = TICKED.findall(col["folder"])
        module = TICKED.findall(col["module"])
        if len(folder) != 1 or len(module) != 1:
            sys.exit(f"{doc}:{number}: a row names one `folder` and one `module`")
        libraries = split_cell(col["third-party"])
        if libraries != EVERYTHING:
            unknown = libraries - KNOWN_LIBRARIES
            if unknown:
                sys.exit(f"{doc}:{number}: unknown third-party name(s) {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(sorted(KNOWN_LIBRARIES))}")
        rows.append(Row(folder[0], module[0], split_cell(col["may include"]), libraries, number))
    if not rows:
        sys.exit(f"{doc}: the '{TABLE_HEADING}' section has no table")
    names = {r.module for r in rows}
    for r in rows:
        if r.modules != EVERYTHING:
            for m in sorted(r.modules - names):
                sys.exit(f"{doc}:{r.line}: `{r.module}` may include `{m}`, which has no row")
    return rows


def owner(rows, relpath):
    """The row whose folder is the longest prefix of relpath."""
    best = None
    for r in rows:
        if relpath == r.folder or (r.folder.endswith("/") and relpath.startswith(r.folder)):
            if best is None or len(r.folder) > len(best.folder):
                best = r
    return best


def library_of(header):
    for prefix, name in THIRD_PARTY:
        if header.startswith(prefix):
            return name
    return None


def check_sources(root, rows, errors):
    """Checks every include; returns {module: (modules used, libraries used)}."""
    used = {}
    for top in SCANNED:
        for path in sorted((root / top).rglob("*")):
            if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
                continue
            rel = path.relative_to(root).as_posix()
            row = owner(rows, rel)
            if row is None:
                errors.append(f"{rel}:1: no row of the table in docs/architecture.md covers this "
                              f"folder; add one")
                continue
            mods, libs = used.setdefault(row.module, (set(), set()))
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                m = INCLUDE.match(line)
                if not m:
                    continue
                kind, target = m.groups()
                if kind == '"':
                    if target not in GENERATED and not (root / target).is_file():
                        errors.append(f'{rel}:{number}: #include "{target}": no such file '
                                      f"(includes are written from the repository root)")
                        continue
                    to = owner(rows, target)
                    if to is None:
                        errors.append(f'{rel}:{number}: #include "{target}": no row of the '
                                      f"table covers it")
                        continue
                    if to.module != row.module:
                        mods.add(to.module)
                    if not row.may_include(to.module):
                        errors.append(f'{rel}:{number}: forbidden edge {row.module} -> {to.module} '
                                      f'(#include "{target}"); docs/architecture.md:{row.line} '
                                      f"lets {row.module} include: "
                                      f"{', '.join(sorted(row.modules)) or 'nothing'}")
                else:
                    library = library_of(target)
                    if library is None:
                        continue
                    libs.add(library)
                    if not row.may_use(library):
                        errors.append(f"{rel}:{number}: forbidden edge {row.module} -> {library} "
                                      f"(#include <{target}>); docs/architecture.md:{row.line} "
                                      f"lets {row.module} use: "
                                      f"{', '.join(sorted(row.libraries)) or 'std only'}")
    return used


MODULE_CALL = re.compile(r"hrmaild_module\(\s*([a-z_]+)([^)]*)\)", re.S)


def check_cmake(root, rows, used, errors):
    """Each daemon module's DEPS and LIBS against its row and what its sources include."""
    by_module = {r.module: r for r in rows}
    for cmake in sorted((root / "daemon").glob("*/CMakeLists.txt")):
        rel = cmake.relative_to(root).as_posix()
        text = cmake.read_text(encoding="utf-8")
        for call in MODULE_CALL.finditer(text):
            name, args = call.group(1), call.group(2)
            line = text.count("\n", 0, call.start()) + 1
            words = re.sub(r"#[^\n]*", "", args).split()
            lists = {"DEPS": [], "LIBS": []}
            current = None
            for w in words:
                if w in lists:
                    current = w
                elif current:
                    lists[current].append(w)
            row = by_module.get(name)
            if row is None:
                errors.append(f"{rel}:{line}: module {name} has no row in docs/architecture.md")
                continue
            deps = set(lists["DEPS"])
            for dep in sorted(deps):
                if not row.may_include(dep):
                    errors.append(f"{rel}:{line}: module {name} links module {dep}, which "
                                  f"docs/architecture.md:{row.line} does not allow")
            linked = set()
            for target in lists["LIBS"]:
                names = CMAKE_TARGETS.get(target)
                if names is None:
                    errors.append(f"{rel}:{line}: module {name} links {target}, unknown to "
                                  f"scripts/check-includes.py (add it to CMAKE_TARGETS)")
                    continue
                linked |= names
                if target != "Boost::headers" and not all(row.may_use(n) for n in names):
                    errors.append(f"{rel}:{line}: module {name} links {target}, which "
                                  f"docs/architecture.md:{row.line} does not allow")
            mods, libs = used.get(name, (set(), set()))
            for m in sorted(mods - deps):
                errors.append(f"{rel}:{line}: module {name} includes module {m} but does not "
                              f"list it in DEPS")
            for lib in sorted(libs - linked):
                if lib in COMPILED or "Boost::headers" not in lists["LIBS"]:
                    errors.append(f"{rel}:{line}: module {name} includes {lib} but does not "
                                  f"link it in LIBS")


def run_check(root, quiet=False):
    rows = parse_table(root / "docs/architecture.md")
    errors = []
    used = check_sources(root, rows, errors)
    check_cmake(root, rows, used, errors)
    if not quiet:
        for e in errors:
            print(e)
        print(f"check-includes: {len(rows)} rows, {len(errors)} forbidden or missing edges")
    return errors


def self_test(root):
    """Copies the checkout's sources and the doc, plants wrong-way edges one at a time and
    asserts each is caught (and that the unplanted copy passes)."""
    failures = []
    with tempfile.TemporaryDirectory(prefix="check-includes-") as tmp:
        copy = pathlib.Path(tmp)
        for top in SCANNED:
            shutil.copytree(root / top, copy / top,
                            ignore=shutil.ignore_patterns("build", "*.o", "*.a"))
        (copy / "docs").mkdir()
        shutil.copy(root / "docs/architecture.md", copy / "docs/architecture.md")

        baseline = run_check(copy, quiet=True)
        if baseline:
            failures.append(f"the unplanted copy fails: {baseline[0]}")

        def plant(rel, text, expect, replace=None):
            """Prepends `text` to the file (or replaces `replace` by it) and runs the check."""
            path = copy / rel
            before = path.read_text(encoding="utf-8")
            if replace is None:
                after = text + "\n" + before
            else:
                assert replace in before, f"{rel} no longer holds {replace!r}"
                after = before.replace(replace, text)
            path.write_text(after, encoding="utf-8")
            found = [e for e in run_check(copy, quiet=True) if expect in e]
            path.write_text(before, encoding="utf-8")
            if not found:
                failures.append(f"planting {text!r} in {rel} was not caught (expected {expect!r})")
            else:
                print(f"self-test: caught {found[0]}")

        # A leaf reaching up, the domain reaching the HTTP stack, a library where it may not be,
        # and an include of a file that does not exist.
        plant("daemon/core/clock.hpp", '#include "daemon/service/ports.hpp"',
              "forbidden edge core -> service")
        plant("daemon/domain/plan.hpp", '#include "daemon/net/http_client.hpp"',
              "forbidden edge domain -> net")
        plant("daemon/domain/plan.hpp", "#include <yaml-cpp/yaml.h>",
              "forbidden edge domain -> yaml-cpp")
        plant("daemon/store/records.hpp", '#include "daemon/store/no_such_file.hpp"',
              "no such file")
        # A module linking what its row does not allow, and one not linking what it includes.
        plant("daemon/domain/CMakeLists.txt", "hrmaild_module(domain DEPS core net)",
              "module domain links module net", replace="hrmaild_module(domain DEPS core")
        plant("daemon/store/CMakeLists.txt", "LIBS OpenSSL::Crypto",
              "module store includes SQLite but does not link it",
              replace="LIBS SQLite::SQLite3 OpenSSL::Crypto")
    for f in failures:
        print(f"self-test FAILED: {f}")
    print(f"check-includes --self-test: {'FAILED' if failures else 'passed'}")
    return 1 if failures else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--self-test", action="store_true",
                        help="plant wrong-way includes in a temporary copy and assert they fail")
    parser.add_argument("--root", type=pathlib.Path,
                        default=pathlib.Path(__file__).resolve().parent.parent,
                        help="the checkout to check (default: this script's)")
    args = parser.parse_args()
    if args.self_test:
        return self_test(args.root)
    return 1 if run_check(args.root) else 0


if __name__ == "__main__":
    sys.exit(main())
