#pragma once
/// The planner's view of the Zoho organization (issue 4): every user with its aliases and
/// every group with its members, loaded in pages into a `domain::DirectorySnapshot`, so the
/// collision checks of a plan cost no request per candidate address. Reloaded on a schedule
/// (`zoho.directory_refresh`) or when a change's outcome is in doubt (`invalidate`); a change
/// Zoho confirmed is applied to the snapshot in place (`update`), without a reload.
#include "daemon/core/clock.hpp"
#include "daemon/domain/directory.hpp"
#include "daemon/net/error.hpp"
#include "daemon/zoho/single_flight.hpp"
#include "daemon/zoho/zoho_client.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

namespace hrmaild::zoho {

/// Maps Zoho users and groups onto the domain's directory types.
domain::DirectoryUser to_directory_user(const User& user);
/// Maps a group with its listed members onto the domain's type.
domain::DirectoryGroup to_directory_group(const Group& group);

/// Counters for tests and `status`.
struct DirectoryStats {
    std::size_t loads = 0;          ///< full loads completed
    std::size_t failed_loads = 0;   ///< loads that ended in an error
    std::size_t group_fetches = 0;  ///< single-group reads for groups listed without members
    std::size_t updates = 0;        ///< changes applied in place (no reload)
};

/// A cached, shared snapshot of the directory.
class DirectoryCache {
  public:
    /// The snapshot is reloaded when it is older than `refresh_interval` (0: never by age).
    DirectoryCache(ZohoClient& client, core::Clock& clock, core::Duration refresh_interval);

    /// The current snapshot, loading it first when there is none, it is older than the
    /// refresh interval, or it was invalidated. Concurrent callers share one load. When a
    /// reload fails and an older snapshot exists, the error is returned (callers decide
    /// whether stale data is acceptable through `current()`).
    boost::asio::awaitable<net::Outcome<std::shared_ptr<const domain::DirectorySnapshot>>>
    snapshot();
    /// Loads now, whatever the age (shared with a load already running).
    boost::asio::awaitable<net::Outcome<std::shared_ptr<const domain::DirectorySnapshot>>>
    refresh();
    /// Marks the snapshot stale: the daemon's change may not be what it expected (a failed or
    /// unknown call, a probe that disagreed). The next `snapshot()` reloads; `current()` still
    /// returns the old one until then.
    void invalidate();
    /// Applies a change the daemon just made and Zoho confirmed to the snapshot (copy on
    /// write: snapshots already handed out stay as they were), so the directory stays current
    /// without reading it again. Does nothing before the first load. A load in flight when the
    /// change is made may miss it: the snapshot it brings is marked stale.
    void update(const std::function<void(domain::DirectorySnapshot&)>& change);
    /// The last snapshot loaded, without any request (null before the first load).
    [[nodiscard]] std::shared_ptr<const domain::DirectorySnapshot> current() const {
        return snapshot_;
    }
    /// When the last snapshot was loaded.
    [[nodiscard]] std::optional<core::TimePoint> loaded_at() const { return loaded_at_; }
    /// The wall-clock time the last load started (what it read is at least that recent).
    [[nodiscard]] std::optional<core::WallTime> loaded_wall_at() const { return loaded_wall_at_; }
    /// Whether `snapshot()` would load.
    [[nodiscard]] bool stale() const;

    /// Reloads every refresh interval until cancelled (co_spawn it with a cancellation slot
    /// or stop the io_context). Failures are logged and retried at the next tick.
    boost::asio::awaitable<void> run();

    /// Counters since construction.
    [[nodiscard]] const DirectoryStats& stats() const { return stats_; }

  private:
    boost::asio::awaitable<net::Outcome<std::shared_ptr<const domain::DirectorySnapshot>>> load();

    ZohoClient& client_;
    core::Clock& clock_;
    core::Duration refresh_interval_;
    std::shared_ptr<const domain::DirectorySnapshot> snapshot_;
    std::optional<core::TimePoint> loaded_at_;
    std::optional<core::WallTime> loaded_wall_at_;
    bool invalidated_ = false;
    std::size_t generation_ = 0;  ///< bumped by invalidate(): a load started before is stale
    SingleFlight<std::shared_ptr<const domain::DirectorySnapshot>> flight_;
    DirectoryStats stats_;
};

}  // namespace hrmaild::zoho
