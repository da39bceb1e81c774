#pragma once
/// The dashboard (*Tablero*) of the IT console as data: what the Zoho organization looks like
/// (active users by last sign-in, licences, storage and the largest mailboxes, mail in and out
/// per day, groups) and what hrmaild itself did (tickets per day by workflow, time to done,
/// failures, the oldest waiting approval). The functions here are pure: the same inputs and
/// the same `now` give the same model, so the console and the tests see the same figures.
///
/// Days are UTC calendar days (`YYYY-MM-DD`); "the last N days" are the N days ending today,
/// today included (so today's figures grow during the day).
#include "daemon/core/clock.hpp"
#include "daemon/store/records.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hrmaild::dashboard {

/// How many days the per-day figures cover unless told otherwise.
inline constexpr int kDefaultDays = 30;
/// How many of the largest mailboxes the model lists.
inline constexpr std::size_t kLargestMailboxes = 10;

// ------------------------------------------------------------------ inputs (from Zoho)

/// One mail user as the user list shows it.
struct MailUser {
    std::string address;
    std::string display_name;
    bool enabled = true;                       ///< account and mailbox enabled
    std::optional<core::WallTime> last_login;  ///< lastLogin; nullopt: never
    std::int64_t used_mb = 0;                  ///< storage used
};

/// One distribution group.
struct GroupInfo {
    std::string name;
    std::string address;
    std::int64_t members = 0;
};

/// The organization's facts that need no history: users, groups, licences, storage.
struct OrgFacts {
    std::string name;
    std::vector<std::string> domains;  ///< the org's mail domains, lower case
    std::vector<MailUser> users;
    std::vector<GroupInfo> groups;
    std::int64_t licences_total = 0;
    std::int64_t licences_used = 0;
    std::int64_t storage_total_mb = 0;
    std::int64_t storage_used_mb = 0;
};

/// One line of the SMTP logs: one recipient of one message.
struct MailLine {
    core::WallTime at;
    std::string from;  ///< lower case
    std::string to;    ///< lower case
};

/// One successful sign-in from the login history.
struct SignIn {
    std::string address;  ///< lower case
    core::WallTime at;
};

// ------------------------------------------------------------------ the model

/// A quantity used of a total (licences, storage in MB).
struct Ratio {
    std::int64_t used = 0;
    std::int64_t total = 0;
    /// used / total in [0, 1] (0 when the total is 0; 1 when used exceeds it).
    [[nodiscard]] double fraction() const;
};

/// A mailbox and the storage it uses.
struct Mailbox {
    std::string address;
    std::string display_name;
    std::int64_t used_mb = 0;
};

/// Mail handled on one day: lines whose recipient is in the org's domains (in) and lines
/// whose sender is (out); mail between two colleagues counts in both.
struct DayTraffic {
    std::string day;  ///< YYYY-MM-DD (UTC)
    std::int64_t in = 0;
    std::int64_t out = 0;
};

/// A user by last sign-in.
struct UserActivity {
    std::string address;
    std::string display_name;
    std::optional<core::WallTime> last_login;
    bool enabled = true;
    bool active = false;  ///< enabled and signed in within the period
};

/// The organization at a glance.
struct OrgModel {
    std::string name;
    std::int64_t users = 0;
    std::int64_t active_users = 0;  ///< enabled users who signed in within the last `days`
    std::vector<UserActivity> by_last_login;  ///< latest sign-in first; never signed in last
    Ratio licences;
    Ratio storage_mb;
    std::vector<Mailbox> largest;     ///< at most kLargestMailboxes, largest first
    std::vector<DayTraffic> traffic;  ///< one entry per day, oldest first, today last
    std::vector<GroupInfo> groups;    ///< by name
};

/// Tickets first seen on one day, per workflow (aligned with `WorkModel::workflows`).
struct WorkflowDay {
    std::string day;  ///< YYYY-MM-DD (UTC)
    std::vector<std::int64_t> counts;
};

/// hrmaild's own work over the last `days`.
struct WorkModel {
    std::vector<std::string> workflows;        ///< by name; "" is a ticket no workflow matched
    std::vector<WorkflowDay> tickets_per_day;  ///< one entry per day, oldest first
    std::int64_t tickets = 0;                  ///< first seen within the period
    std::int64_t done = 0;                     ///< reached done within the period
    std::optional<std::chrono::milliseconds> done_p50;  ///< first seen → done, median
    std::optional<std::chrono::milliseconds> done_p90;  ///< first seen → done, 90th percentile
    std::int64_t failures = 0;                          ///< went to failed within the period
    std::int64_t waiting_approval = 0;                  ///< waiting for an approver now
    std::optional<std::chrono::milliseconds> oldest_waiting;  ///< how long the oldest has waited
};

/// The whole page's data.
struct Model {
    int days = kDefaultDays;
    core::WallTime built_at;
    std::optional<OrgModel> org;                     ///< nullopt until Zoho was read once
    std::optional<core::WallTime> org_refreshed_at;  ///< when the Zoho figures were read
    std::string org_error;          ///< why the last refresh failed ("" when it did not)
    std::optional<WorkModel> work;  ///< nullopt when the store could not be read
    std::string work_error;         ///< why the store could not be read
};

// ------------------------------------------------------------------ pure functions

/// The UTC day of an instant, `YYYY-MM-DD`.
std::string day_of(core::WallTime t);
/// The start (00:00 UTC) of the day `t` falls in.
core::WallTime start_of_day(core::WallTime t);
/// The `days` days ending with today, oldest first.
std::vector<std::string> last_days(core::WallTime now, int days);

/// Mail per day, keyed by day (what the incremental fetch keeps between refreshes).
using TrafficTally = std::map<std::string, DayTraffic>;

/// Adds the lines to the tally: in when the recipient's domain is one of `domains`, out when
/// the sender's is (both for mail between colleagues; neither for mail between outsiders).
void tally_traffic(TrafficTally& tally, const std::vector<MailLine>& lines,
                   const std::vector<std::string>& domains);

/// Each address's latest sign-in, merged into `latest`.
void tally_sign_ins(std::map<std::string, core::WallTime>& latest,
                    const std::vector<SignIn>& sign_ins);

/// The organization's part of the model. A user's last sign-in is the later of the user
/// list's lastLogin and the login history's latest.
OrgModel build_org(const OrgFacts& facts, const TrafficTally& traffic,
                   const std::map<std::string, core::WallTime>& sign_ins, core::WallTime now,
                   int days = kDefaultDays);

/// The nearest-rank percentile `p` (1-100) of `values`; nullopt when there are none.
std::optional<std::chrono::milliseconds> percentile(std::vector<std::chrono::milliseconds> values,
                                                    int p);

/// hrmaild's own part of the model, from the store's ticket milestones (`ticket_activity`)
/// and its per-state counts (`count_tickets`).
WorkModel build_work(const std::vector<store::TicketActivity>& tickets,
                     const std::vector<store::StateCount>& states, core::WallTime now,
                     int days = kDefaultDays);

}  // namespace hrmaild::dashboard
