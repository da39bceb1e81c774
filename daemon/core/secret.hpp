#pragma once
/// A secret value (token, password, webhook secret) that cannot leak by accident.
///
/// Formatting a `Secret` with fmt, streaming it or logging it as a field always prints
/// `<redacted>`; the only way to the bytes is `reveal()`, which call sites use at the last
/// moment (building an HTTP header, a request body).
#include <fmt/format.h>

#include <ostream>
#include <string>
#include <string_view>

namespace hrmaild {

/// Holds secret bytes; never prints them.
class Secret {
  public:
    Secret() = default;
    /// Wraps a secret value.
    explicit Secret(std::string value) : value_(std::move(value)) {}
    Secret(const Secret&) = default;
    Secret& operator=(const Secret&) = default;
    Secret(Secret&& other) noexcept : value_(std::move(other.value_)) { other.wipe(); }
    Secret& operator=(Secret&& other) noexcept {
        if (this != &other) {
            wipe();
            value_ = std::move(other.value_);
            other.wipe();
        }
        return *this;
    }
    ~Secret() { wipe(); }

    /// The secret bytes, for the one place that must send them.
    [[nodiscard]] const std::string& reveal() const noexcept { return value_; }
    /// Whether no value is held.
    [[nodiscard]] bool empty() const noexcept { return value_.empty(); }
    /// Constant-time comparison (for checking tokens presented by callers).
    [[nodiscard]] bool equals(std::string_view other) const noexcept {
        if (other.size() != value_.size())
            return false;
        unsigned char diff = 0;
        for (std::size_t i = 0; i < value_.size(); ++i)
            diff |= static_cast<unsigned char>(value_[i] ^ other[i]);
        return diff == 0;
    }

    /// What every printed form of a secret shows.
    static constexpr std::string_view redacted = "<redacted>";

  private:
    void wipe() noexcept {
        volatile char* p = value_.data();
        for (std::size_t i = 0; i < value_.size(); ++i)
            p[i] = 0;
        value_.clear();
    }
    std::string value_;
};

inline std::ostream& operator<<(std::ostream& os, const Secret&) {
    return os << Secret::redacted;
}

}  // namespace hrmaild

/// fmt prints a Secret as `<redacted>`, whatever the format spec.
template <>
struct fmt::formatter<hrmaild::Secret> : fmt::formatter<std::string_view> {
    template <typename Ctx>
    auto format(const hrmaild::Secret&, Ctx& ctx) const {
        return fmt::formatter<std::string_view>::format(hrmaild::Secret::redacted, ctx);
    }
};
