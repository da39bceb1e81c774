#pragma once
/// Small pure pieces of the console's HTTP handling, unit-testable without sockets: cookies,
/// the security headers every page carries, and the request target taken apart.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace hrmaild::console {

/// The session cookie (HttpOnly, SameSite=Strict, Path=/consola).
inline constexpr std::string_view kSessionCookie = "hrmaild_sesion";
/// The short-lived cookie that binds a sign-in's state to the browser that started it
/// (SameSite=Lax: it must come back on the portal's redirect, a cross-site navigation).
inline constexpr std::string_view kSignInCookie = "hrmaild_entrada";

/// The value of cookie `name` in a Cookie header, or nullopt.
std::optional<std::string> cookie_value(std::string_view header, std::string_view name);

/// How a Set-Cookie line is made.
struct CookieOptions {
    bool secure = false;               ///< behind TLS
    std::string same_site = "Strict";  ///< Strict or Lax
    std::optional<long> max_age_s;     ///< nullopt: a browser-session cookie; 0: delete it
};
/// `name=value; Path=/consola; HttpOnly; SameSite=..[; Secure][; Max-Age=..]`.
std::string set_cookie(std::string_view name, std::string_view value, const CookieOptions& o);

/// The headers every console answer carries: a strict Content-Security-Policy (only the
/// daemon's own style sheet, script and images; data: images for the dashboard's SVG), no
/// framing, no referrer.
std::vector<std::pair<std::string, std::string>> security_headers();

/// A request target split into path segments (decoded) and query parameters (decoded, the
/// first of a repeated name kept). Nullopt when it is malformed.
struct Target {
    std::vector<std::string> segments;
    std::map<std::string, std::string> query;
};
std::optional<Target> parse_target(std::string_view target);

}  // namespace hrmaild::console
