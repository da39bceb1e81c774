#pragma once
/// Server-side sessions of the web console and the pending sign-ins (the OAuth `state`).
///
/// A session id is 32 random bytes (OpenSSL's RAND_bytes) sent only in an HttpOnly,
/// SameSite=Strict cookie; the browser never holds anything else. Each session carries its own
/// CSRF token, which every form repeats. Sessions end after `idle` without a request, after
/// `lifetime` whatever happens, or at sign-out; at most `max_sessions` exist at once (the one
/// used least recently goes first). Ids and tokens are never logged: log lines name the user.
#include "daemon/core/clock.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace hrmaild::console {

/// `bytes` random bytes from OpenSSL as lower-case hex (2 × bytes characters). Throws
/// std::runtime_error when the generator fails (never a weak value instead).
std::string random_token(std::size_t bytes = 32);

/// Compares two strings in time independent of where they differ (CSRF tokens, states).
bool same_token(std::string_view a, std::string_view b);

/// Who is signed in.
struct Person {
    std::int64_t bitrix_id = 0;  ///< 0 for a break-glass (admin token) session
    std::string name;            ///< as the portal gave it ("Camilo Luna"), or the token's name
    bool approver = false;       ///< may approve, reject and cancel (decided at sign-in)
    /// The principal the audit trail shows: `bitrix:7`, or `token:<name>`.
    [[nodiscard]] std::string principal() const;
};

/// One signed-in browser.
struct Session {
    Person person;
    std::string csrf;  ///< repeated by every form of this session
    core::WallTime created{};
    core::WallTime last_seen{};
};

/// Limits of the session table.
struct SessionLimits {
    std::chrono::seconds idle{30 * 60};
    std::chrono::seconds lifetime{12 * 3600};
    std::size_t max_sessions = 256;
    /// A started sign-in must come back from the portal within this.
    std::chrono::seconds sign_in_window{10 * 60};
    std::size_t max_pending_sign_ins = 256;
};

/// The sessions and pending sign-ins. Single-threaded (the io_context thread).
class SessionStore {
  public:
    explicit SessionStore(SessionLimits limits = {}) : limits_(limits) {}

    /// A new session for `person`; returns its id (the cookie value). May end the least
    /// recently used session to stay within `max_sessions`.
    std::string create(Person person, core::WallTime now);
    /// The live session with this id, its `last_seen` moved to `now`; nullptr when unknown,
    /// idle too long or too old (an expired one is removed).
    Session* find(std::string_view id, core::WallTime now);
    /// Ends a session (sign-out). Whether it existed.
    bool remove(std::string_view id);
    /// Sessions held now (expired ones included until they are looked up or pruned).
    [[nodiscard]] std::size_t size() const { return sessions_.size(); }
    /// Drops expired sessions and sign-ins.
    void prune(core::WallTime now);

    /// Starts a sign-in: returns {state, binding}. The state goes to the portal in the
    /// authorize URL; the binding goes to the browser in a short-lived cookie, so a state is
    /// accepted only from the browser that started it.
    std::pair<std::string, std::string> start_sign_in(core::WallTime now);
    /// Consumes a state (single use): true only when it was issued, has not expired and
    /// `binding` is the one issued with it.
    bool finish_sign_in(std::string_view state, std::string_view binding, core::WallTime now);
    /// Pending sign-ins now.
    [[nodiscard]] std::size_t pending_sign_ins() const { return pending_.size(); }

    [[nodiscard]] const SessionLimits& limits() const { return limits_; }

  private:
    struct Pending {
        std::string binding;
        core::WallTime started{};
    };
    bool expired(const Session& s, core::WallTime now) const;
    SessionLimits limits_;
    std::map<std::string, Session, std::less<>> sessions_;
    std::map<std::string, Pending, std::less<>> pending_;
};

}  // namespace hrmaild::console
