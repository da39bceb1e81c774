#include "tests/support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

namespace hrmaild::test {
namespace {

// In a forked child: applies `env` (empty value: unset) and replaces the process image. The
// child dies with the test process (a test's watchdog ends it with _Exit): no daemon or
// sandbox is left running after a hung test.
[[noreturn]] void exec_child(const std::vector<std::string>& argv,
                             const std::map<std::string, std::string>& env) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() == 1)
        ::_exit(127);  // the test process is already gone
    for (const auto& [k, v] : env) {
        if (v.empty())
            ::unsetenv(k.c_str());
        else
            ::setenv(k.c_str(), v.c_str(), 1);
    }
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
}

}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::map<std::string, std::string>& env,
                          std::chrono::milliseconds timeout) {
    int out_pipe[2], err_pipe[2];
    if (::pipe(out_pipe) != 0 || ::pipe(err_pipe) != 0)
        throw std::runtime_error("pipe failed");
    pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        int devnull = ::open("/dev/null", O_RDONLY);
        ::dup2(devnull, 0);
        ::dup2(out_pipe[1], 1);
        ::dup2(err_pipe[1], 2);
        ::close(out_pipe[0]);
        ::close(err_pipe[0]);
        exec_child(argv, env);
    }
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    ProcessResult r;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    int open_fds = 2;
    bool killed = false;
    while (open_fds > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            ::kill(pid, SIGKILL);
            killed = true;
            break;
        }
        if (::poll(fds, 2, static_cast<int>(left.count())) <= 0)
            continue;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP)))
                continue;
            char buf[4096];
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
                --open_fds;
            } else {
                (i == 0 ? r.out : r.err).append(buf, static_cast<std::size_t>(n));
            }
        }
    }
    for (auto& f : fds)
        if (f.fd >= 0)
            ::close(f.fd);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (killed)
        r.exit_code = 128 + SIGKILL;
    else if (WIFEXITED(status))
        r.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        r.exit_code = 128 + WTERMSIG(status);
    return r;
}

}  // namespace hrmaild::test

namespace hrmaild::test {

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::string& log_file,
                                     const std::map<std::string, std::string>& env) {
    pid_ = ::fork();
    if (pid_ < 0)
        throw std::runtime_error("fork failed");
    if (pid_ == 0) {
        int devnull = ::open("/dev/null", O_RDONLY);
        int log = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        ::dup2(devnull, 0);
        ::dup2(log, 1);
        ::dup2(log, 2);
        exec_child(argv, env);
    }
}

BackgroundProcess::~BackgroundProcess() {
    if (running())
        stop(SIGKILL, std::chrono::seconds(5));
}

bool BackgroundProcess::running() {
    if (exit_code_ >= 0 || pid_ <= 0)
        return false;
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == 0)
        return true;
    if (r == pid_)
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
}

int BackgroundProcess::wait(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (running()) {
        if (std::chrono::steady_clock::now() > deadline)
            return -1;
        ::usleep(20'000);
    }
    return exit_code_;
}

int BackgroundProcess::stop(int signal, std::chrono::milliseconds timeout) {
    if (running())
        ::kill(pid_, signal);
    return wait(timeout);
}

}  // namespace hrmaild::test
