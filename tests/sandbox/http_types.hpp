#pragma once
/// The small HTTP vocabulary shared by the sandbox's server and its emulators.
///
/// The server (Boost.Beast) parses a request into `Request`, routes it by path prefix to an
/// emulator (`/rest/` → Bitrix24, `/api/` and `/oauth/v2/` → Zoho, `/_sandbox/` → control),
/// and writes the `Response` back. Emulators are plain classes with `handle(const Request&)`,
/// so their logic is unit-testable without sockets.
#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace hrmaild::sandbox {

/// One parsed HTTP request.
struct Request {
    std::string method;                          ///< GET, POST, PUT, DELETE (upper case)
    std::string target;                          ///< raw request target: path plus optional ?query
    std::map<std::string, std::string> headers;  ///< header names lower-cased
    std::string body;

    /// Path without the query string, still percent-encoded.
    [[nodiscard]] std::string path() const {
        auto q = target.find('?');
        return q == std::string::npos ? target : target.substr(0, q);
    }
    /// Raw query string (without '?'), empty if none.
    [[nodiscard]] std::string query() const {
        auto q = target.find('?');
        return q == std::string::npos ? std::string() : target.substr(q + 1);
    }
    /// A header value (name lower case), or empty.
    [[nodiscard]] std::string header(const std::string& name) const {
        auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

/// One HTTP response, or an instruction to drop the connection.
struct Response {
    int status = 200;
    std::string content_type = "application/json; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    bool drop_connection = false;        ///< fault injection: close the socket without answering
    std::chrono::milliseconds delay{0};  ///< fault injection: wait before answering

    /// A JSON response.
    static Response json(int status, const boost::json::value& v) {
        Response r;
        r.status = status;
        r.body = boost::json::serialize(v);
        return r;
    }
};

/// The sandbox's clock: real time plus an offset that `POST /_sandbox/clock` moves, so tests
/// expire tokens and drain buckets without waiting. Thread-safe.
class Clock {
  public:
    using time_point = std::chrono::system_clock::time_point;

    /// Now, as the sandbox sees it.
    [[nodiscard]] time_point now() const {
        std::lock_guard lock(mutex_);
        return std::chrono::system_clock::now() + offset_;
    }
    /// Unix seconds, as a double (the Bitrix `time` block).
    [[nodiscard]] double unix_seconds() const {
        return std::chrono::duration<double>(now().time_since_epoch()).count();
    }
    /// Moves the sandbox clock forward (or back).
    void advance(std::chrono::milliseconds by) {
        std::lock_guard lock(mutex_);
        offset_ += by;
    }
    /// Back to real time.
    void reset() {
        std::lock_guard lock(mutex_);
        offset_ = {};
    }

  private:
    mutable std::mutex mutex_;
    std::chrono::milliseconds offset_{0};
};

}  // namespace hrmaild::sandbox
