#pragma once
/// A minimal HTTP CONNECT proxy for tests, on 127.0.0.1:0 with its own thread: it answers
/// `CONNECT host:port` with 200, then copies bytes both ways. It records every CONNECT target
/// and can demand a `Proxy-Authorization` value (else 407).
///
/// Shared by the net, bitrix and zoho client tests: link the `hrmaild_test_net` target.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace hrmaild::test {

/// The proxy. Stops and joins its thread on destruction.
class ConnectProxy {
  public:
    /// `required_authorization` empty: no authentication.
    explicit ConnectProxy(std::string required_authorization = {});
    ~ConnectProxy();
    ConnectProxy(const ConnectProxy&) = delete;
    ConnectProxy& operator=(const ConnectProxy&) = delete;

    /// The bound port.
    [[nodiscard]] std::uint16_t port() const;
    /// `http://127.0.0.1:<port>`, for `http.proxy` or `https_proxy`.
    [[nodiscard]] std::string url() const;
    /// The `host:port` of every CONNECT received, in order (refused ones included).
    [[nodiscard]] std::vector<std::string> targets() const;
    /// Requests that were not CONNECT (a client must never send those).
    [[nodiscard]] std::size_t other_requests() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace hrmaild::test
