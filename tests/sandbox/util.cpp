#include "tests/sandbox/util.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>

#include <algorithm>
#include <array>
#include <ctime>
#include <stdexcept>

namespace hrmaild::sandbox::util {
namespace {

std::string to_hex(const unsigned char* data, std::size_t n) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(n * 2);
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(digits[data[i] >> 4]);
        out.push_back(digits[data[i] & 0x0f]);
    }
    return out;
}

}  // namespace

std::string percent_decode(std::string_view in, bool plus_is_space) {
    auto checked = boost::urls::make_pct_string_view(in);
    if (!checked) {
        // Not percent-encoding (a '%' without two hex digits): kept as sent.
        std::string out(in);
        if (plus_is_space)
            std::replace(out.begin(), out.end(), '+', ' ');
        return out;
    }
    boost::urls::encoding_opts opts;
    opts.space_as_plus = plus_is_space;
    return checked->decode(opts);
}

std::vector<std::pair<std::string, std::string>> parse_form(std::string_view in) {
    std::vector<std::pair<std::string, std::string>> out;
    if (!boost::urls::parse_query(in))
        return out;  // checked first: the params_view constructor below throws on bad input
    boost::urls::encoding_opts opts;
    opts.space_as_plus = true;
    for (const auto& param : boost::urls::params_view(in, opts)) {
        if (param.key.empty() && !param.has_value)
            continue;  // "a=1&&b=2"
        out.emplace_back(param.key, param.value);
    }
    return out;
}

std::string form_encode(std::string_view in) {
    static constexpr char digits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : in) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(digits[c >> 4]);
            out.push_back(digits[c & 0x0f]);
        }
    }
    return out;
}

std::string lower(std::string_view in) {
    std::string out(in);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string iso8601_utc(std::chrono::system_clock::time_point t) {
    std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    std::array<char, 32> buf{};
    std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf.data();
}

std::int64_t unix_ms(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string random_hex(std::size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return to_hex(buf.data(), buf.size());
}

std::string sha256_hex(std::string_view in) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    if (EVP_Digest(in.data(), in.size(), md.data(), &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("EVP_Digest failed");
    return to_hex(md.data(), len);
}

bool glob_match(std::string_view pattern, std::string_view text) {
    // Iterative wildcard match with backtracking to the last '*'.
    std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (p < pattern.size() && pattern[p] == text[t]) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

void erase_keep_order(boost::json::object& object, std::string_view key) {
    if (!object.contains(key))
        return;
    boost::json::object kept;
    for (auto& [k, v] : object)
        if (k != key)
            kept.emplace(k, std::move(v));
    object = std::move(kept);
}

std::string loggable_path(std::string_view path) {
    // /rest/{uid}/{secret}/method → /rest/{uid}/<redacted>/method
    if (!path.starts_with("/rest/"))
        return std::string(path);
    auto uid_end = path.find('/', 6);
    if (uid_end == std::string_view::npos)
        return std::string(path);
    auto uid = path.substr(6, uid_end - 6);
    if (uid.empty() || uid.find_first_not_of("0123456789") != std::string_view::npos)
        return std::string(path);
    auto secret_end = path.find('/', uid_end + 1);
    if (secret_end == std::string_view::npos)
        return std::string(path);
    return std::string(path.substr(0, uid_end + 1)) + "<redacted>" +
           std::string(path.substr(secret_end));
}

}  // namespace hrmaild::sandbox::util
