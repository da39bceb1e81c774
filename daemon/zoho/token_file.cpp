#include "daemon/zoho/token_file.hpp"

#include "daemon/core/hash.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace hrmaild::zoho {
namespace json = boost::json;

namespace {

std::int64_t unix_of(core::WallTime t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

core::WallTime from_unix(std::int64_t s) {
    return core::WallTime{std::chrono::seconds{s}};
}

std::optional<std::int64_t> int_of(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v == nullptr || !v->is_int64())
        return std::nullopt;
    return v->as_int64();
}

}  // namespace

TokenFile::Lock::~Lock() {
    if (fd_ >= 0) {
        ::flock(fd_, LOCK_UN);
        ::close(fd_);
    }
}

TokenFile::TokenFile(std::filesystem::path path, const std::string& owner)
    : path_(std::move(path)), fingerprint_(core::sha256_hex("hrmaild zoho token\n" + owner)) {}

TokenFile::LockResult TokenFile::try_lock(std::optional<Lock>& out, std::string* why) const {
    const std::string lock_path = path_.string() + ".lock";
    // The state folder may not exist yet (a CLI command before the daemon's first start).
    std::error_code ignored;
    if (std::filesystem::create_directories(path_.parent_path(), ignored))
        std::filesystem::permissions(path_.parent_path(), std::filesystem::perms::owner_all,
                                     ignored);
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (why != nullptr)
            *why = fmt::format("cannot open {}: {}", lock_path, std::strerror(errno));
        return LockResult::unavailable;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        const int err = errno;
        ::close(fd);
        if (err == EWOULDBLOCK)
            return LockResult::busy;
        if (why != nullptr)
            *why = fmt::format("cannot lock {}: {}", lock_path, std::strerror(err));
        return LockResult::unavailable;
    }
    out.emplace(fd);
    return LockResult::locked;
}

TokenFileState TokenFile::read() const {
    TokenFileState state;
    std::ifstream in(path_, std::ios::binary);
    if (!in)
        return state;
    std::stringstream ss;
    ss << in.rdbuf();
    boost::system::error_code ec;
    auto v = json::parse(ss.str(), ec);
    if (ec || !v.is_object())
        return state;
    const auto& o = v.as_object();
    const auto* owner = o.if_contains("owner");
    if (owner == nullptr || !owner->is_string() || owner->as_string() != fingerprint_)
        return state;
    const auto* token = o.if_contains("access_token");
    auto expires = int_of(o, "expires_at");
    if (token != nullptr && token->is_string() && !token->as_string().empty() && expires) {
        state.access_token = Secret(std::string(token->as_string()));
        state.expires_at = from_unix(*expires);
    }
    if (const auto* mints = o.if_contains("mints"); mints != nullptr && mints->is_array())
        for (const auto& m : mints->as_array())
            if (m.is_int64())
                state.mints.push_back(from_unix(m.as_int64()));
    if (auto b = int_of(o, "blocked_until"))
        state.blocked_until = from_unix(*b);
    return state;
}

bool TokenFile::write(const TokenFileState& state, std::string* why) const {
    json::object o;
    o["owner"] = fingerprint_;
    if (state.access_token) {
        o["access_token"] = state.access_token->reveal();
        o["expires_at"] = unix_of(state.expires_at);
    }
    json::array mints;
    for (auto m : state.mints)
        mints.push_back(unix_of(m));
    o["mints"] = std::move(mints);
    if (state.blocked_until)
        o["blocked_until"] = unix_of(*state.blocked_until);
    const std::string text = json::serialize(o) + "\n";

    const std::string tmp = path_.string() + ".tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (why != nullptr)
            *why = fmt::format("cannot create {}: {}", tmp, std::strerror(errno));
        return false;
    }
    // O_CREAT's mode is cut by the umask and ignored for an existing file: set it outright.
    ::fchmod(fd, 0600);
    std::size_t done = 0;
    while (done < text.size()) {
        auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (why != nullptr)
                *why = fmt::format("cannot write {}: {}", tmp, std::strerror(errno));
            ::close(fd);
            ::unlink(tmp.c_str());
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    ::fsync(fd);
    ::close(fd);
    if (::rename(tmp.c_str(), path_.c_str()) != 0) {
        if (why != nullptr)
            *why = fmt::format("cannot replace {}: {}", path_.string(), std::strerror(errno));
        ::unlink(tmp.c_str());
        return false;
    }
    return true;
}

}  // namespace hrmaild::zoho
