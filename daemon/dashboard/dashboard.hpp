#pragma once
/// The dashboard's data, fetched, kept and cached: the Zoho figures are read through the
/// `OrgSource` port at most once per `max_age` (page views in between are served from memory
/// and spend none of the Zoho budget), and the mail traffic and sign-ins are read
/// incrementally, one UTC day at a time: a day read after it ended is complete and is never
/// asked again; today is read again on each refresh, and the previous day once more after
/// midnight (late SMTP-log lines). What was read is kept in the state store (`DashboardStore`),
/// so a restart shows the stored figures with their time and reads only what is missing.
/// hrmaild's own figures come from the state store on every view (local reads).
#include "daemon/core/clock.hpp"
#include "daemon/dashboard/model.hpp"
#include "daemon/store/dashboard_store.hpp"
#include "daemon/store/state_store.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace hrmaild::dashboard {

/// Why the source could not give what was asked, for people (no secret in it).
struct SourceError {
    std::string message;
};

/// Lets `boost::system::result<T, SourceError>::value()` throw.
[[noreturn]] void throw_exception_from_error(const SourceError& error,
                                             const boost::source_location& loc);

/// A value or a SourceError.
template <typename T>
using SourceResult = boost::system::result<T, SourceError>;

/// Where the organization's figures come from (the Zoho client, adapted in app/; fakes in
/// tests). Every call has its own deadline below (the client's per-call timeouts).
class OrgSource {
  public:
    virtual ~OrgSource() = default;
    /// The organization, its users, groups, licences and storage.
    virtual boost::asio::awaitable<SourceResult<OrgFacts>> facts() = 0;
    /// Every SMTP-log line in [from, to].
    virtual boost::asio::awaitable<SourceResult<std::vector<MailLine>>> mail(core::WallTime from,
                                                                             core::WallTime to) = 0;
    /// Every successful sign-in in [from, to].
    virtual boost::asio::awaitable<SourceResult<std::vector<SignIn>>> sign_ins(
        core::WallTime from, core::WallTime to) = 0;
};

/// The organization's facts as the JSON document the store keeps (`{"v":1,...}`).
std::string facts_to_json(const OrgFacts& facts);
/// The facts back from `facts_to_json`'s document; nullopt for anything else (another version,
/// a damaged document), which the dashboard treats as never read.
std::optional<OrgFacts> facts_from_json(std::string_view json);

/// Tuning of the dashboard (config `dashboard.*`).
struct Settings {
    std::chrono::seconds max_age{300};  ///< the Zoho figures are read again after this long
    int days = kDefaultDays;            ///< how many days the per-day figures cover
};

/// The cached dashboard. Single-threaded (the daemon's io_context thread).
class Dashboard {
  public:
    /// `source`, `store`, `saved` and `clock` must outlive the dashboard (`store` and `saved`
    /// are usually the same SqliteStore).
    Dashboard(OrgSource& source, store::StateStore& store, store::DashboardStore& saved,
              core::Clock& clock, Settings settings = {});

    /// The page's model. On the first call, loads what the store kept (the figures and their
    /// refresh time count as the last read, so a restart within `max_age` asks Zoho nothing).
    /// Reads Zoho first when the figures are older than `max_age` (or were never read) and no
    /// refresh is running; otherwise answers from the cache at once. A failed refresh keeps
    /// the previous figures, sets `org_error`, and is not tried again before `max_age` has
    /// passed. A refresh that could not be stored is still shown (and logged).
    boost::asio::awaitable<Model> model();

    /// Forgets the cached age, so the next `model()` reads Zoho (traffic stays incremental).
    void invalidate() { last_attempt_.reset(); }

    /// Zoho refreshes attempted so far (for tests and metrics).
    [[nodiscard]] int refreshes() const { return refreshes_; }

  private:
    void load(core::WallTime now);
    boost::asio::awaitable<void> refresh(core::WallTime now);
    void save(core::WallTime now, const std::vector<store::DashboardDay>& days,
              const std::map<std::string, core::WallTime>& sign_ins, core::WallTime period_start);

    OrgSource& source_;
    store::StateStore& store_;
    store::DashboardStore& saved_;
    core::Clock& clock_;
    Settings settings_;
    std::optional<core::WallTime> last_attempt_;
    std::optional<core::WallTime> refreshed_at_;
    bool loaded_ = false;  ///< the store's data was read (once, on the first view)
    bool refreshing_ = false;
    int refreshes_ = 0;
    std::optional<OrgFacts> facts_;
    std::map<std::string, store::DashboardDay> days_;  ///< mail per day, with when it was read
    std::map<std::string, core::WallTime> sign_ins_;
    std::string error_;
};

}  // namespace hrmaild::dashboard
