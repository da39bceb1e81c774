#pragma once
/// SHA-256 as the daemon writes it everywhere (plan hashes, the audit chain, fingerprints).
#include <string>
#include <string_view>

namespace hrmaild::core {

/// The SHA-256 of `data` as 64 lower-case hex digits. Throws std::runtime_error if OpenSSL
/// fails (it does not for SHA-256 short of memory exhaustion).
std::string sha256_hex(std::string_view data);

}  // namespace hrmaild::core
