#include "daemon/store/detail/lock_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace hrmaild::store::detail {

namespace {

StoreError lock_error(StoreErrc code, std::string message, std::string hint) {
    return StoreError{code, std::move(message), std::move(hint), 0};
}

/// Reads the pid the owner wrote; empty when it is not there (yet).
std::string read_owner(int fd) {
    char buf[32] = {};
    const auto n = ::pread(fd, buf, sizeof buf - 1, 0);
    if (n <= 0)
        return {};
    std::string s(buf, static_cast<std::size_t>(n));
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

}  // namespace

Result<std::unique_ptr<LockFile>> LockFile::acquire(const std::filesystem::path& lock_path,
                                                    const std::filesystem::path& db_path) {
    const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        const int err = errno;
        return lock_error(
            StoreErrc::cannot_open,
            fmt::format("state database {}: cannot create its lock file {}: {}", db_path.string(),
                        lock_path.string(), std::strerror(err)),
            fmt::format("the folder {} must exist and be writable by the hrmaild user (systemd: "
                        "StateDirectory=hrmaild); or set state.path",
                        lock_path.parent_path().string()));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        const std::string owner = read_owner(fd);
        ::close(fd);
        if (err == EWOULDBLOCK) {
            return lock_error(
                StoreErrc::locked,
                fmt::format("state database {} is in use by another hrmaild process (pid {}, "
                            "lock file {})",
                            db_path.string(), owner.empty() ? "unknown" : owner,
                            lock_path.string()),
                fmt::format("only one daemon may use a database: stop the other one first "
                            "(systemctl stop hrmaild, or kill {}), or give this one another "
                            "state.path; the lock ends with its process, so it is never stale",
                            owner.empty() ? "it" : owner));
        }
        return lock_error(StoreErrc::cannot_open,
                          fmt::format("state database {}: cannot lock {}: {}", db_path.string(),
                                      lock_path.string(), std::strerror(err)),
                          "the file system must support flock (local disks do; some network "
                          "file systems do not): put state.path on a local disk");
    }
    // The pid is informational (for the message above); failing to write it is harmless.
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) == 0) {
        [[maybe_unused]] auto n = ::pwrite(fd, pid.data(), pid.size(), 0);
    }
    return std::unique_ptr<LockFile>(new LockFile(fd));
}

LockFile::~LockFile() {
    // Emptying the file first keeps a later reader from naming a pid that no longer owns it.
    [[maybe_unused]] auto r = ::ftruncate(fd_, 0);
    ::close(fd_);
}

}  // namespace hrmaild::store::detail
