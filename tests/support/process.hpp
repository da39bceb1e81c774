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
