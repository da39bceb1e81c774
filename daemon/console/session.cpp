#include "daemon/console/session.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace hrmaild::console {

std::string random_token(std::size_t bytes) {
    std::vector<unsigned char> raw(bytes);
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
        throw std::runtime_error("the random number generator failed (RAND_bytes)");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes * 2);
    for (unsigned char b : raw) {
        out.push_back(hex[b >> 4]);
        out.push_back(hex[b & 0x0f]);
    }
    return out;
}

bool same_token(std::string_view a, std::string_view b) {
    if (a.empty() || a.size() != b.size())
        return false;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string Person::principal() const {
    return bitrix_id > 0 ? "bitrix:" + std::to_string(bitrix_id) : "token:" + name;
}

bool SessionStore::expired(const Session& s, core::WallTime now) const {
    return now - s.last_seen > limits_.idle || now - s.created > limits_.lifetime;
}

std::string SessionStore::create(Person person, core::WallTime now) {
    prune(now);
    while (!sessions_.empty() && sessions_.size() >= limits_.max_sessions) {
        auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](auto& a, auto& b) {
            return a.second.last_seen < b.second.last_seen;
        });
        sessions_.erase(oldest);
    }
    std::string id = random_token();
    sessions_[id] = Session{std::move(person), random_token(), now, now};
    return id;
}

Session* SessionStore::find(std::string_view id, core::WallTime now) {
    auto it = sessions_.find(id);
    if (it == sessions_.end())
        return nullptr;
    if (expired(it->second, now)) {
        sessions_.erase(it);
        return nullptr;
    }
    it->second.last_seen = now;
    return &it->second;
}

bool SessionStore::remove(std::string_view id) {
    auto it = sessions_.find(id);
    if (it == sessions_.end())
        return false;
    sessions_.erase(it);
    return true;
}

void SessionStore::prune(core::WallTime now) {
    std::erase_if(sessions_, [&](const auto& kv) { return expired(kv.second, now); });
    std::erase_if(pending_,
                  [&](const auto& kv) { return now - kv.second.started > limits_.sign_in_window; });
}

std::pair<std::string, std::string> SessionStore::start_sign_in(core::WallTime now) {
    prune(now);
    while (!pending_.empty() && pending_.size() >= limits_.max_pending_sign_ins) {
        auto oldest = std::min_element(pending_.begin(), pending_.end(), [](auto& a, auto& b) {
            return a.second.started < b.second.started;
        });
        pending_.erase(oldest);
    }
    std::string state = random_token(24);
    std::string binding = random_token(24);
    pending_[state] = Pending{binding, now};
    return {state, binding};
}

bool SessionStore::finish_sign_in(std::string_view state, std::string_view binding,
                                  core::WallTime now) {
    auto it = pending_.find(state);
    if (it == pending_.end())
        return false;
    Pending p = it->second;
    pending_.erase(it);  // single use, whatever the outcome
    return now - p.started <= limits_.sign_in_window && same_token(p.binding, binding);
}

}  // namespace hrmaild::console
