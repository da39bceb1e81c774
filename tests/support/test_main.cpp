// Shared main for every test binary: a watchdog kills a test that hangs (STYLE.md point 12),
// so a stuck async test fails with a message instead of eating the CI budget.
#include <gtest/gtest.h>

#include <unistd.h>
#include <csignal>
#include <cstdlib>
#include <cstring>

namespace {
void on_alarm(int) {
    const char msg[] = "\nwatchdog: test exceeded HRMAILD_TEST_WATCHDOG seconds; aborting\n";
    [[maybe_unused]] auto n = ::write(2, msg, sizeof msg - 1);
    std::_Exit(124);
}
}  // namespace

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    unsigned seconds = 90;
    if (const char* s = std::getenv("HRMAILD_TEST_WATCHDOG"))
        seconds = static_cast<unsigned>(std::atoi(s));
    std::signal(SIGALRM, on_alarm);
    ::alarm(seconds);
    return RUN_ALL_TESTS();
}
