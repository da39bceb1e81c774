#include "daemon/bitrix/token_store.hpp"

#include "daemon/bitrix/decode.hpp"

#include <boost/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace hrmaild::bitrix {

namespace json = boost::json;

namespace {

std::string errno_text() {
    return std::strerror(errno);
}

bool write_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        auto n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

TokenStore::TokenStore(std::filesystem::path state_dir)
    : path_(std::move(state_dir) / "bitrix-oauth.json") {}

std::optional<StoredTokens> TokenStore::load(std::string* why) const {
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec))
        return std::nullopt;
    std::ifstream in(path_, std::ios::binary);
    if (!in) {
        if (why)
            *why = "cannot read " + path_.string();
        return std::nullopt;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    boost::system::error_code jec;
    auto v = json::parse(buffer.str(), jec);
    if (jec || !v.is_object()) {
        if (why)
            *why = path_.string() + " is not a JSON object";
        return std::nullopt;
    }
    StoredTokens t;
    t.refresh_token = Secret(field_text(v, {"refresh_token"}));
    t.access_token = Secret(field_text(v, {"access_token"}));
    t.expires = field_int(v, {"expires"});
    if (t.refresh_token.empty()) {
        if (why)
            *why = path_.string() + " holds no refresh_token";
        return std::nullopt;
    }
    return t;
}

bool TokenStore::save(const StoredTokens& tokens, std::string* why) const {
    json::object o;
    o["refresh_token"] = tokens.refresh_token.reveal();
    o["access_token"] = tokens.access_token.reveal();
    o["expires"] = tokens.expires;
    std::string data = json::serialize(o);
    data += '\n';

    auto dir = path_.parent_path();
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::string tmp = path_.string() + ".tmp";
    ::unlink(tmp.c_str());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (why)
            *why = "cannot create " + tmp + ": " + errno_text();
        return false;
    }
    // The umask may have narrowed the mode further; it must never be wider than 0600.
    ::fchmod(fd, 0600);
    bool ok = write_all(fd, data) && ::fsync(fd) == 0;
    std::string err = ok ? std::string() : errno_text();
    ::close(fd);
    if (!ok) {
        ::unlink(tmp.c_str());
        if (why)
            *why = "cannot write " + tmp + ": " + err;
        return false;
    }
    if (::rename(tmp.c_str(), path_.c_str()) != 0) {
        err = errno_text();
        ::unlink(tmp.c_str());
        if (why)
            *why = "cannot rename " + tmp + " to " + path_.string() + ": " + err;
        return false;
    }
    int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return true;
}

}  // namespace hrmaild::bitrix
