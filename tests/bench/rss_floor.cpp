// The resident memory a process has before any of hrmaild's own code runs (issue 11): it
// links the daemon's Debian libraries and sets up what the daemon needs before READY (a TLS
// client context trusting the system's CA folder, ICU's NFC data and one case-insensitive
// regex, a SQLite database in WAL mode, a spdlog logger, a YAML and a JSON parse, a Prometheus
// registry), then prints VmRSS, RssAnon and RssFile after each step as `name value unit`.
//
//     build/release/tests/bench/rss_floor [work-dir]
//
// A benchmark, not a test: the figures depend on the machine's libraries and page cache.
#include <fmt/format.h>
#include <openssl/ssl.h>
#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <systemd/sd-daemon.h>
#include <unicode/normalizer2.h>
#include <unicode/regex.h>
#include <unicode/unistr.h>
#include <yaml-cpp/yaml.h>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace {

void show(const char* step) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        for (const char* key : {"VmRSS", "RssAnon", "RssFile"}) {
            if (line.rfind(key, 0) == 0) {
                auto kib = std::stol(line.substr(line.find(':') + 1));
                std::printf("floor.%s.%s %.1f MiB\n", step, key, static_cast<double>(kib) / 1024);
            }
        }
    }
}

}  // namespace

int main(int argc, char** argv) {
    const std::filesystem::path work =
        argc > 1 ? std::filesystem::path(argv[1]) : std::filesystem::temp_directory_path();
    show("loaded");  // the libraries mapped and relocated, nothing called yet

    SSL_CTX* tls = SSL_CTX_new(TLS_client_method());
    if (tls == nullptr || SSL_CTX_load_verify_locations(tls, nullptr, "/etc/ssl/certs") != 1) {
        std::fprintf(stderr, "rss_floor: cannot set up TLS\n");
        return 1;
    }
    show("tls");

    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    UParseError where;
    std::unique_ptr<icu::RegexPattern> pattern(
        icu::RegexPattern::compile(icu::UnicodeString::fromUTF8("^baja\\b.*colaborador"),
                                   UREGEX_CASE_INSENSITIVE, where, status));
    if (U_FAILURE(status) || nfc == nullptr) {
        std::fprintf(stderr, "rss_floor: ICU: %s\n", u_errorName(status));
        return 1;
    }
    auto text = nfc->normalize(icu::UnicodeString::fromUTF8("Baja de colaborador Núñez"), status);
    std::unique_ptr<icu::RegexMatcher> m(pattern->matcher(text, status));
    (void)m->find();
    show("icu");

    sqlite3* db = nullptr;
    const auto file = (work / "rss_floor.db").string();
    if (sqlite3_open(file.c_str(), &db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                     "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT);"
                     "INSERT INTO t (v) VALUES ('x'); SELECT COUNT(*) FROM t;",
                     nullptr, nullptr, nullptr) != SQLITE_OK) {
        std::fprintf(stderr, "rss_floor: SQLite: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    show("sqlite");

    auto logger = spdlog::stdout_logger_st("floor");
    logger->set_level(spdlog::level::warn);
    logger->info("not shown {}", fmt::format("{:>4}", 1));
    auto yaml = YAML::Load("bitrix:\n  poll_interval: 30s\nzoho:\n  requests_per_minute: 30\n");
    auto json = boost::json::parse(R"({"result":{"tasks":[{"id":"1","title":"Alta"}]}})");
    auto url = boost::urls::parse_uri("https://portal.example.com/rest/1/x/batch.json");
    prometheus::Registry registry;
    auto& family = prometheus::BuildCounter().Name("floor_total").Help("x").Register(registry);
    family.Add({}).Increment();
    (void)sd_watchdog_enabled(0, nullptr);
    if (!yaml["bitrix"] || json.as_object().empty() || !url)
        return 1;
    show("ready");

    sqlite3_close(db);
    std::filesystem::remove(file);
    std::filesystem::remove(file + "-wal");
    std::filesystem::remove(file + "-shm");
    SSL_CTX_free(tls);
    return 0;
}
