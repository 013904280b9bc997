#pragma once
// A program run for a trial: in a process group of its own (so that everything it starts can be
// stopped with it), its stdout read line by line as it comes, and stdout and stderr kept in files.
// Stopping sends SIGTERM to the whole group, then SIGKILL after a grace; the destructor stops
// what still runs, so no process outlives its trial.
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace hpopt::command {

struct Launch {
    std::vector<std::string> arguments;  // the program (looked up in PATH) and its arguments
    std::map<std::string, std::string> environment;  // set on top of this process's
    std::string working_dir;             // "" for this process's
    std::string stdout_file, stderr_file;  // where the output is kept
    // How long the program may take to end after SIGTERM before it gets SIGKILL.
    std::chrono::milliseconds grace{10000};
};

// How a process ended: its exit status, or the signal that ended it.
struct Exit {
    std::optional<int> status;
    std::optional<int> signal;

    bool ok() const { return status == 0; }
    std::string describe() const;
};

class ChildProcess {
public:
    // Throws std::runtime_error when the program cannot be started (not found, not executable).
    explicit ChildProcess(const Launch& launch);
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ~ChildProcess();

    // Reads what the process printed on stdout for up to `timeout`, calling `on_line` for each
    // whole line; returns its exit once it has ended (and its output is read), else nullopt.
    std::optional<Exit> watch(std::chrono::milliseconds timeout, const std::function<void(const std::string&)>& on_line);
    // SIGTERM to the process group, SIGKILL to what is left after the launch's grace; returns
    // its exit. What it printed before it ended goes to `on_line`.
    Exit stop(const std::function<void(const std::string&)>& on_line);
    // The last `lines` lines it wrote to stderr.
    std::string stderr_tail(int lines) const;

private:
    void read_available(const std::function<void(const std::string&)>& on_line);
    // Once the process has ended: what is left in the pipe, and a last line without its newline.
    void read_rest(const std::function<void(const std::string&)>& on_line);
    std::optional<Exit> reap(bool wait);
    void kill_group(int signal) const;

    std::chrono::milliseconds grace_;
    pid_t pid_ = -1;
    int stdout_pipe_ = -1;
    int stdout_copy_ = -1;  // the file stdout is kept in
    std::string stderr_file_;
    std::string partial_line_;
    bool stdout_closed_ = false;
    std::optional<Exit> exit_;
};

}  // namespace hpopt::command
