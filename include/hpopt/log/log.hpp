#pragma once
// The run's log: lines of the form
//     2026-11-22T21:34:02.878Z rank 3 (group 1 fold 0 worker 0) info: trial 12 fold 0: ok in 3.2 s
// on stderr and in the process's own file (<run dir>/logs/rank-N.log). Each line reaches each
// of them in one write(), so the lines of many ranks sharing a terminal or a batch job's output
// never mix. A live line (the progress display on a terminal) stays under the lines written
// after it. Thread-safe.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <fmt/format.h>

namespace hpopt::log {

enum class Level { error, warning, info, debug };

std::string to_string(Level level);
std::optional<Level> level_from(const std::string& name);  // "error", "warning", "info", "debug"

struct Settings {
    Level level = Level::info;            // lines less severe than this are dropped
    Level stderr_level = Level::info;     // and those less severe than this go to the file only
    std::string who;                      // "rank 0 (coordinator)"
    std::optional<std::filesystem::path> file;
    bool append = false;                  // to the file of an earlier session (a resumed run)
};

// Throws std::runtime_error when the file cannot be opened. Before it is called, lines go to
// stderr at info, without a file.
void configure(const Settings& settings);

bool enabled(Level level);
void write(Level level, const std::string& message);

template <class... Args>
void error(fmt::format_string<Args...> format, Args&&... args) {
    write(Level::error, fmt::format(format, std::forward<Args>(args)...));
}
template <class... Args>
void warning(fmt::format_string<Args...> format, Args&&... args) {
    write(Level::warning, fmt::format(format, std::forward<Args>(args)...));
}
template <class... Args>
void info(fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(Level::info)) write(Level::info, fmt::format(format, std::forward<Args>(args)...));
}
template <class... Args>
void debug(fmt::format_string<Args...> format, Args&&... args) {
    if (enabled(Level::debug)) write(Level::debug, fmt::format(format, std::forward<Args>(args)...));
}

// The line kept last on stderr (a terminal) until it is replaced or cleared; not in the file.
void show_live_line(const std::string& line);
void clear_live_line();

// Now (or `time`) in UTC, ISO 8601 with milliseconds: "2026-11-22T21:34:02.878Z".
std::string utc_timestamp();
std::string utc_timestamp(std::chrono::system_clock::time_point time);

}  // namespace hpopt::log
