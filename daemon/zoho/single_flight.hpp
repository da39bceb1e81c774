#pragma once
/// One call in flight for many callers: the first caller runs it, every caller that arrives
/// while it runs waits for the same result instead of starting its own (one token refresh for
/// twenty concurrent requests, one directory load for a burst of plans).
///
/// Single-threaded like the daemon's core: use it from one io_context thread.
#include "daemon/net/error.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstddef>
#include <memory>
#include <optional>

namespace hrmaild::zoho {

/// Shares one running `net::Outcome<V>` call among all who ask while it runs.
template <typename V>
class SingleFlight {
  public:
    /// Runs `make()` (returning `awaitable<net::Outcome<V>>`) unless a run is in flight, in
    /// which case it waits for that run's result.
    template <typename F>
    boost::asio::awaitable<net::Outcome<V>> run(F make) {
        namespace asio = boost::asio;
        if (flight_) {
            std::shared_ptr<Flight> f = flight_;
            ++joined_;
            // The leader cancels the timer when it has a result; only our own cancellation
            // wakes us without one.
            auto [ec] = co_await f->timer.async_wait(asio::as_tuple(asio::use_awaitable));
            (void)ec;
            if (f->result)
                co_return *f->result;
            co_return net::retryable_error("cancelled while waiting for a shared call");
        }
        auto f = std::make_shared<Flight>(co_await asio::this_coro::executor);
        flight_ = f;
        ++runs_;
        net::Outcome<V> result = net::retryable_error("shared call did not complete");
        try {
            result = co_await make();
        } catch (...) {
            finish(f, result);
            throw;
        }
        finish(f, result);
        co_return result;
    }

    /// Whether a run is in flight now.
    [[nodiscard]] bool in_flight() const { return flight_ != nullptr; }
    /// Runs started since construction.
    [[nodiscard]] std::size_t runs() const { return runs_; }
    /// Callers that joined a run instead of starting one.
    [[nodiscard]] std::size_t joined() const { return joined_; }

  private:
    struct Flight {
        explicit Flight(boost::asio::any_io_executor ex)
            : timer(std::move(ex), boost::asio::steady_timer::time_point::max()) {}
        boost::asio::steady_timer timer;
        std::optional<net::Outcome<V>> result;
    };

    void finish(const std::shared_ptr<Flight>& f, const net::Outcome<V>& result) {
        f->result = result;
        if (flight_ == f)
            flight_.reset();
        f->timer.cancel();
    }

    std::shared_ptr<Flight> flight_;
    std::size_t runs_ = 0;
    std::size_t joined_ = 0;
};

}  // namespace hrmaild::zoho
