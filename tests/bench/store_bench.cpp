// store_bench: how many durable journal writes per second the SQLite store sustains.
//
//   store_bench [writes=10000] [folder=$TMPDIR or /tmp]
//
// Each write is one journal_started or journal_succeeded: a transaction committed with
// synchronous=FULL (an fsync of the WAL), as the executor does around every remote call.
// The figure is bounded by the disk's fsync latency, not by the CPU.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "daemon/log/log.hpp"
#include "daemon/store/sqlite_store.hpp"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
    const long writes = argc > 1 ? std::atol(argv[1]) : 10000;
    if (writes <= 0) {
        std::fprintf(stderr, "usage: store_bench [writes=10000] [folder]\n");
        return 2;
    }
    const char* tmp = std::getenv("TMPDIR");
    const fs::path base = argc > 2 ? fs::path(argv[2]) : fs::path(tmp != nullptr ? tmp : "/tmp");
    std::string templ = (base / "hrmaild-bench-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) {
        std::perror("mkdtemp");
        return 1;
    }
    const fs::path dir(templ);

    hrmaild::log::Options lo = hrmaild::log::default_options();
    lo.level = hrmaild::log::Level::warn;
    hrmaild::log::setup(lo);

    int rc = 0;
    {
        hrmaild::store::SqliteOptions options;
        options.path = dir / "bench.db";
        auto opened = hrmaild::store::SqliteStore::open(options);
        if (!opened) {
            std::fprintf(stderr, "%s\n", opened.error().describe().c_str());
            fs::remove_all(dir);
            return 1;
        }
        auto& store = **opened;
        const hrmaild::store::TaskId task = 1;
        const std::string hash(64, 'a');
        (void)store.upsert_ticket(task, "bench", "2026-01-01T00:00:00+00:00").value();

        std::vector<double> latency_us;
        latency_us.reserve(static_cast<std::size_t>(writes));
        const auto start = Clock::now();
        for (long i = 0; i < writes; ++i) {
            const hrmaild::store::StepKey key{task, hash, static_cast<int>(i / 2)};
            const auto t0 = Clock::now();
            const bool ok = (i % 2 == 0) ? static_cast<bool>(store.journal_started(key, "bench_op"))
                                         : static_cast<bool>(store.journal_succeeded(key, "ok"));
            latency_us.push_back(
                std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
            if (!ok) {
                std::fprintf(stderr, "write %ld failed\n", i);
                rc = 1;
                break;
            }
        }
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        std::sort(latency_us.begin(), latency_us.end());
        auto pct = [&](double p) {
            if (latency_us.empty())
                return 0.0;
            const auto idx =
                static_cast<std::size_t>(p * static_cast<double>(latency_us.size() - 1));
            return latency_us[idx];
        };
        std::printf(
            "store_bench: %zu journal writes (synchronous=FULL, WAL) in %.2f s: %.0f ops/s; "
            "latency p50 %.0f us, p99 %.0f us, max %.0f us\n",
            latency_us.size(), seconds, static_cast<double>(latency_us.size()) / seconds, pct(0.50),
            pct(0.99), latency_us.empty() ? 0.0 : latency_us.back());
        std::printf("file: %s (removed)\n", options.path.c_str());
    }
    fs::remove_all(dir);
    return rc;
}
