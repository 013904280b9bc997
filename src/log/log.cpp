#include "hpopt/log/log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include <fmt/chrono.h>

namespace hpopt::log {
namespace {

struct State {
    std::mutex mutex;
    Settings settings;
    int file = -1;
    std::string live_line;
};

State& state() {
    static State instance;
    return instance;
}

void write_all(int fd, const std::string& text) {
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // a log that cannot be written must not stop the run
        written += static_cast<std::size_t>(n);
    }
}

constexpr const char* erase_line = "\r\033[K";

}  // namespace

std::string to_string(Level level) {
    switch (level) {
        case Level::error: return "error";
        case Level::warning: return "warning";
        case Level::info: return "info";
        case Level::debug: return "debug";
    }
    return "?";
}

std::optional<Level> level_from(const std::string& name) {
    for (Level level : {Level::error, Level::warning, Level::info, Level::debug}) {
        if (to_string(level) == name) return level;
    }
    return std::nullopt;
}

void configure(const Settings& settings) {
    int file = -1;
    if (settings.file) {
        std::filesystem::create_directories(settings.file->parent_path());
        file = ::open(settings.file->c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (settings.append ? O_APPEND : O_TRUNC), 0644);
        if (file < 0) throw std::runtime_error(fmt::format("cannot open the log {}: {}", settings.file->string(), std::strerror(errno)));
    }
    State& s = state();
    const std::lock_guard lock(s.mutex);
    if (s.file >= 0) ::close(s.file);
    s.file = file;
    s.settings = settings;
}

bool enabled(Level level) {
    State& s = state();
    const std::lock_guard lock(s.mutex);
    return level <= s.settings.level;
}

void write(Level level, const std::string& message) {
    State& s = state();
    const std::lock_guard lock(s.mutex);
    if (level > s.settings.level) return;
    const std::string line = fmt::format("{} {}{}: {}\n", utc_timestamp(), s.settings.who.empty() ? "" : s.settings.who + " ",
                                         to_string(level), message);
    if (s.file >= 0) write_all(s.file, line);
    if (level <= s.settings.stderr_level) {
        write_all(STDERR_FILENO, s.live_line.empty() ? line : erase_line + line + s.live_line);
    }
}

void show_live_line(const std::string& line) {
    State& s = state();
    const std::lock_guard lock(s.mutex);
    s.live_line = line;
    write_all(STDERR_FILENO, erase_line + line);
}

void clear_live_line() {
    State& s = state();
    const std::lock_guard lock(s.mutex);
    if (s.live_line.empty()) return;
    s.live_line.clear();
    write_all(STDERR_FILENO, erase_line);
}

std::string utc_timestamp() { return utc_timestamp(std::chrono::system_clock::now()); }

std::string utc_timestamp(std::chrono::system_clock::time_point time) {
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count() % 1000;
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", fmt::gmtime(std::chrono::system_clock::to_time_t(time)), millis);
}

}  // namespace hpopt::log
