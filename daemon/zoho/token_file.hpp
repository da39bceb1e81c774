#pragma once
/// The Zoho access token shared by every process of one installation (issue 10 item 2): the
/// daemon and each CLI command reuse one token until it expires or is refused, instead of
/// minting their own (Zoho allows ten mints per refresh token in ten minutes, then blocks
/// minting for 15-30 minutes). The file lives in the state folder with mode 0600, next to a
/// lock file taken with flock(2) while a process reads, mints and writes; never in the SQLite
/// store, never logged. It also carries the recent mints and a block Zoho announced, so the
/// client-side mint limit holds across restarts.
#include "daemon/core/clock.hpp"
#include "daemon/core/secret.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hrmaild::zoho {

/// What the file holds.
struct TokenFileState {
    std::optional<Secret> access_token;
    core::WallTime expires_at{};                  ///< of `access_token`
    std::vector<core::WallTime> mints;            ///< token-endpoint requests, oldest first
    std::optional<core::WallTime> blocked_until;  ///< Zoho refused mints until then
};

/// The shared token file.
class TokenFile {
  public:
    /// `path`: the token file (its lock is `path` + ".lock"). `owner` identifies the
    /// credentials (client id and refresh token): a file written for other credentials is
    /// ignored. Only a SHA-256 of it is stored.
    TokenFile(std::filesystem::path path, const std::string& owner);

    /// An exclusive flock on the lock file, released on destruction.
    class Lock {
      public:
        explicit Lock(int fd) : fd_(fd) {}
        ~Lock();
        Lock(Lock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
        Lock& operator=(Lock&&) = delete;
        Lock(const Lock&) = delete;
        Lock& operator=(const Lock&) = delete;

      private:
        int fd_;
    };

    /// Outcome of `try_lock`.
    enum class LockResult { locked, busy, unavailable };
    /// Takes the lock without blocking: `busy` when another process holds it, `unavailable`
    /// (with `why`) when the lock file cannot be opened (folder missing or not writable).
    LockResult try_lock(std::optional<Lock>& out, std::string* why = nullptr) const;

    /// The state in the file; empty when the file is missing, unreadable, malformed or written
    /// for other credentials.
    [[nodiscard]] TokenFileState read() const;
    /// Replaces the file atomically (a 0600 temporary renamed over it). False with `why`.
    bool write(const TokenFileState& state, std::string* why = nullptr) const;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

    /// The file name used in the state folder.
    static constexpr const char* file_name = "zoho-token.json";

  private:
    std::filesystem::path path_;
    std::string fingerprint_;
};

}  // namespace hrmaild::zoho
