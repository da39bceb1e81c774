#include "daemon/store/detail/audit_chain.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace hrmaild::store::detail {

std::string sha256_hex(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("store: OpenSSL SHA-256 failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2U);
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(kHex[digest[i] >> 4U]);
        out.push_back(kHex[digest[i] & 0x0fU]);
    }
    return out;
}

namespace {
void field(std::string& out, std::string_view value) {
    out += std::to_string(value.size());
    out += ':';
    out += value;
    out += '\n';
}
}  // namespace

std::string audit_hash(std::string_view prev_hash, std::int64_t seq, std::int64_t at_ms,
                       std::string_view actor, std::string_view action,
                       std::optional<std::int64_t> task_id, std::string_view detail) {
    std::string buf = "hrmaild-audit-v1\n";
    field(buf, prev_hash);
    field(buf, std::to_string(seq));
    field(buf, std::to_string(at_ms));
    field(buf, actor);
    field(buf, action);
    field(buf, task_id ? std::to_string(*task_id) : std::string("-"));
    field(buf, detail);
    return sha256_hex(buf);
}

}  // namespace hrmaild::store::detail
