#pragma once
/// Runs one coroutine to completion on a test's io_context, with a real-time deadline, so an
/// async test cannot hang (the watchdog is the last line of defence, this is the first).
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>

namespace hrmaild::test {

/// Runs `task` on `ioc` for at most `limit`; returns its value, rethrows its exception, and
/// throws std::runtime_error when the deadline passes first.
template <typename T>
T run_coro(boost::asio::io_context& ioc, boost::asio::awaitable<T> task,
           std::chrono::milliseconds limit = std::chrono::seconds(20)) {
    std::optional<T> value;
    std::exception_ptr error;
    bool finished = false;
    boost::asio::co_spawn(ioc, std::move(task), [&](std::exception_ptr e, T v) {
        finished = true;
        if (e)
            error = e;
        else
            value.emplace(std::move(v));
    });
    ioc.restart();
    auto until = std::chrono::steady_clock::now() + limit;
    while (!finished && std::chrono::steady_clock::now() < until)
        ioc.run_one_until(until);
    if (!finished)
        throw std::runtime_error("test coroutine did not finish within " +
                                 std::to_string(limit.count()) + " ms");
    if (error)
        std::rethrow_exception(error);
    return std::move(*value);
}

}  // namespace hrmaild::test
