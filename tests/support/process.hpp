#pragma once
/// Runs a program to completion and captures what it printed (process-level tests).
#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace hrmaild::test {

/// What a finished program left behind.
struct ProcessResult {
    int exit_code = -1;  ///< exit status, or 128+signal when killed
    std::string out;     ///< standard output
    std::string err;     ///< standard error
};

/// Runs `argv` with extra environment variables (empty value: unset), killing it after
/// `timeout`. Standard input is /dev/null.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env = {},
                          std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace hrmaild::test

namespace hrmaild::test {

/// A program running in the background for the length of a test (the sandbox, the daemon);
/// its standard output and error go to a file. Killed on destruction.
class BackgroundProcess {
  public:
    BackgroundProcess(const std::vector<std::string>& argv, const std::string& log_file,
                      const std::map<std::string, std::string>& env = {});
    ~BackgroundProcess();
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;

    /// Whether it is still running.
    bool running();
    /// Sends `signal` and waits up to `timeout` for the exit; returns the exit code (128+signal
    /// when killed by one), or -1 if it did not exit in time.
    int stop(int signal, std::chrono::milliseconds timeout);
    /// Waits up to `timeout` for it to exit by itself; the exit code, or -1.
    int wait(std::chrono::milliseconds timeout);
    [[nodiscard]] int pid() const { return pid_; }

  private:
    int pid_ = -1;
    int exit_code_ = -1;
};

}  // namespace hrmaild::test
