#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <utility>

#include <fmt/format.h>

extern char** environ;

namespace hpopt::command {
namespace {

std::runtime_error system_error(const std::string& what, int error) {
    return std::runtime_error(fmt::format("{}: {}", what, std::strerror(error)));
}

// This process's environment with `overrides` set: "NAME=value" strings.
std::vector<std::string> environment_with(const std::map<std::string, std::string>& overrides) {
    std::vector<std::string> entries;
    for (char** entry = environ; *entry; ++entry) {
        const std::string text = *entry;
        if (!overrides.count(text.substr(0, text.find('=')))) entries.push_back(text);
    }
    for (const auto& [name, value] : overrides) entries.push_back(name + "=" + value);
    return entries;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> result;
    for (std::string& s : strings) result.push_back(s.data());
    result.push_back(nullptr);
    return result;
}

// posix_spawn's file actions and attributes, released whatever happens.
struct SpawnSetup {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    SpawnSetup() {
        posix_spawn_file_actions_init(&actions);
        posix_spawnattr_init(&attributes);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attributes);
    }
};

}  // namespace

std::string Exit::describe() const {
    if (status) return fmt::format("exit status {}", *status);
    if (signal) return fmt::format("killed by signal {} ({})", *signal, strsignal(*signal));
    return "still running";
}

ChildProcess::ChildProcess(const Launch& launch) : grace_(launch.grace), stderr_file_(launch.stderr_file) {
    if (launch.arguments.empty()) throw std::runtime_error("no program to run");
    int pipe_ends[2];
    if (pipe2(pipe_ends, O_CLOEXEC) != 0) throw system_error("cannot make a pipe", errno);
    stdout_pipe_ = pipe_ends[0];
    stdout_copy_ = open(launch.stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (stdout_copy_ < 0) {
        const int error = errno;
        close(pipe_ends[1]);
        throw system_error("cannot write " + launch.stdout_file, error);
    }

    SpawnSetup setup;
    posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&setup.actions, pipe_ends[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&setup.actions, STDERR_FILENO, launch.stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (!launch.working_dir.empty()) posix_spawn_file_actions_addchdir_np(&setup.actions, launch.working_dir.c_str());
    // A group of its own, every signal unblocked and at its default (an ignored SIGPIPE, say,
    // would stay ignored across exec).
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    posix_spawnattr_setflags(&setup.attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setpgroup(&setup.attributes, 0);
    posix_spawnattr_setsigmask(&setup.attributes, &none);
    posix_spawnattr_setsigdefault(&setup.attributes, &all);

    std::vector<std::string> arguments = launch.arguments;
    std::vector<std::string> environment = environment_with(launch.environment);
    const int error = posix_spawnp(&pid_, arguments[0].c_str(), &setup.actions, &setup.attributes, pointers(arguments).data(),
                                   pointers(environment).data());
    close(pipe_ends[1]);
    if (error != 0) {
        pid_ = -1;
        throw system_error(fmt::format("cannot run {}", arguments[0]), error);
    }
    fcntl(stdout_pipe_, F_SETFL, fcntl(stdout_pipe_, F_GETFL) | O_NONBLOCK);
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && !exit_) stop([](const std::string&) {});  // unwinding: what it printed no longer counts
    if (stdout_pipe_ >= 0) close(stdout_pipe_);
    if (stdout_copy_ >= 0) close(stdout_copy_);
}

std::optional<Exit> ChildProcess::watch(std::chrono::milliseconds timeout, const std::function<void(const std::string&)>& on_line) {
    if (exit_) return exit_;
    const auto until = std::chrono::steady_clock::now() + timeout;
    if (!stdout_closed_) {
        pollfd ready{stdout_pipe_, POLLIN, 0};
        if (poll(&ready, 1, static_cast<int>(timeout.count())) > 0) read_available(on_line);
    }
    // Once its stdout is closed the process is ending (or left a child behind): its exit is
    // looked for at shorter and shorter intervals, so that a quick program costs no whole tick.
    for (auto pause = std::chrono::microseconds(50); stdout_closed_ && !reap(false) && std::chrono::steady_clock::now() < until;
         pause = std::min(2 * pause, std::chrono::microseconds(20000))) {
        std::this_thread::sleep_for(pause);
    }
    if (const auto exit = reap(false)) {
        read_rest(on_line);
        return exit;
    }
    return std::nullopt;
}

void ChildProcess::read_available(const std::function<void(const std::string&)>& on_line) {
    char buffer[65536];
    while (!stdout_closed_) {
        const ssize_t n = read(stdout_pipe_, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return;  // nothing more for now
        if (n == 0) {
            stdout_closed_ = true;
            return;
        }
        for (ssize_t written = 0; written < n;) {
            const ssize_t w = write(stdout_copy_, buffer + written, static_cast<std::size_t>(n - written));
            if (w <= 0) break;  // a full disk loses the copy, not the trial
            written += w;
        }
        partial_line_.append(buffer, static_cast<std::size_t>(n));
        for (std::size_t end; (end = partial_line_.find('\n')) != std::string::npos;) {
            const std::string line = partial_line_.substr(0, end);
            partial_line_.erase(0, end + 1);
            on_line(line);
        }
    }
}

void ChildProcess::read_rest(const std::function<void(const std::string&)>& on_line) {
    read_available(on_line);
    if (!partial_line_.empty()) on_line(std::exchange(partial_line_, ""));
}

std::optional<Exit> ChildProcess::reap(bool wait) {
    if (exit_ || pid_ <= 0) return exit_;
    int status = 0;
    pid_t done;
    do {
        done = waitpid(pid_, &status, wait ? 0 : WNOHANG);
    } while (done < 0 && errno == EINTR);
    if (done != pid_) return std::nullopt;
    Exit exit;
    if (WIFEXITED(status)) exit.status = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) exit.signal = WTERMSIG(status);
    exit_ = exit;
    kill_group(SIGKILL);  // its own children go with it
    return exit_;
}

Exit ChildProcess::stop(const std::function<void(const std::string&)>& on_line) {
    if (exit_) return *exit_;
    kill_group(SIGTERM);
    const auto give_up = std::chrono::steady_clock::now() + grace_;
    while (!reap(false) && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (!exit_) {
        kill_group(SIGKILL);
        reap(true);
    }
    read_rest(on_line);
    return *exit_;
}

void ChildProcess::kill_group(int signal) const {
    if (pid_ > 0) ::kill(-pid_, signal);  // ESRCH once the group is gone: nothing to do
}

std::string ChildProcess::stderr_tail(int lines) const {
    std::ifstream file(stderr_file_, std::ios::binary | std::ios::ate);
    if (!file) return "";
    const std::streamoff size = file.tellg();
    const std::streamoff start = std::max<std::streamoff>(0, size - 4096);
    file.seekg(start);
    std::string text(static_cast<std::size_t>(size - start), '\0');
    file.read(text.data(), static_cast<std::streamsize>(text.size()));
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    std::size_t from = text.size();
    for (int i = 0; i < lines && from != std::string::npos && from > 0; ++i) from = text.rfind('\n', from - 1);
    return from == std::string::npos ? text : text.substr(from + 1);
}

}  // namespace hpopt::command
