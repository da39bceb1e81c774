#pragma once
/// One daemon per database: an exclusive flock on `<db>.lock`, which holds the owner's pid.
///
/// The kernel drops the lock when the process ends, however it ends, so a stale lock file
/// never blocks a restart; the pid inside is only there to name the owner in the error.
#include <filesystem>
#include <memory>

#include "daemon/store/state_store.hpp"

namespace hrmaild::store::detail {

/// Holds the lock until destroyed.
class LockFile {
  public:
    /// Takes the lock on `lock_path` for `db_path`, or says who holds it.
    static Result<std::unique_ptr<LockFile>> acquire(const std::filesystem::path& lock_path,
                                                     const std::filesystem::path& db_path);
    ~LockFile();
    LockFile(const LockFile&) = delete;
    LockFile& operator=(const LockFile&) = delete;

  private:
    explicit LockFile(int fd) : fd_(fd) {}
    int fd_;
};

}  // namespace hrmaild::store::detail
