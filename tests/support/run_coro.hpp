#pragma once
/// The one way tests run a coroutine to completion: on the test's io_context, with a real-time
/// bound so an async test cannot hang (the ctest timeout is the last line of defence, this is
/// the first), optionally jumping virtual time whenever the coroutine only waits on a clock.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace hrmaild::test {

/// How run_coro drives the io_context.
struct RunOptions {
    /// Real time the coroutine may take at most; past it run_coro throws.
    std::chrono::milliseconds limit = std::chrono::seconds(20);
    /// How long to wait for real I/O before calling the coroutine idle. Zero: the test has no
    /// real I/O, so idle with nothing to jump means the coroutine can never finish.
    std::chrono::milliseconds io_grace = std::chrono::milliseconds(5);
    /// Called when the coroutine is idle; makes something ready (typically jumps a virtual
    /// clock to its next deadline) and says whether it did.
    std::function<bool()> when_idle;
};

/// A `when_idle` step for a virtual clock (anything with `sleepers()`, `now()` and
/// `advance_to_next()`, such as core::ManualClock): when something sleeps on it, jumps it to
/// the next deadline and tells `follow` how far (to move a second clock, e.g. the sandbox's,
/// by as much); whether it jumped.
template <typename Clock, typename Follow>
std::function<bool()> jump_clock(Clock& clock, Follow follow) {
    return [&clock, follow] {
        if (clock.sleepers() == 0)
            return false;
        const auto before = clock.now();
        clock.advance_to_next();
        follow(std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - before));
        return true;
    };
}

/// Runs `task` on `ioc` to completion and returns its value (nothing for `void`), rethrowing
/// its exception; throws std::runtime_error when it does not finish within `options.limit`,
/// or when it is idle with no real I/O and nothing for `when_idle` to jump.
template <typename T>
T run_coro(boost::asio::io_context& ioc, boost::asio::awaitable<T> task, RunOptions options = {}) {
    struct Empty {};
    using Stored = std::conditional_t<std::is_void_v<T>, Empty, T>;
    std::optional<Stored> value;
    std::exception_ptr error;
    bool finished = false;
    if constexpr (std::is_void_v<T>) {
        boost::asio::co_spawn(ioc, std::move(task), [&](std::exception_ptr e) {
            finished = true;
            error = e;
            value.emplace();
        });
    } else {
        boost::asio::co_spawn(ioc, std::move(task), [&](std::exception_ptr e, T v) {
            finished = true;
            error = e;
            if (!e)
                value.emplace(std::move(v));
        });
    }
    const auto until = std::chrono::steady_clock::now() + options.limit;
    auto restarted = [&]() -> boost::asio::io_context& {
        if (ioc.stopped())
            ioc.restart();
        return ioc;
    };
    while (!finished) {
        if (std::chrono::steady_clock::now() > until)
            throw std::runtime_error("test coroutine did not finish within " +
                                     std::to_string(options.limit.count()) + " ms");
        if (restarted().poll() > 0 || finished)
            continue;
        if (options.io_grace.count() > 0 && restarted().run_one_for(options.io_grace) > 0)
            continue;
        if (finished)
            break;
        if (options.when_idle && options.when_idle())
            continue;
        if (options.io_grace.count() == 0)
            throw std::runtime_error("test coroutine is stuck: nothing to run, no time to jump");
    }
    if (error)
        std::rethrow_exception(error);
    if constexpr (!std::is_void_v<T>)
        return std::move(*value);
}

}  // namespace hrmaild::test
