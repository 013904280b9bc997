#include "cli/progress_display.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "hpopt/log/log.hpp"
#include "hpopt/report/run_view.hpp"

namespace hpopt::cli {
namespace {

constexpr auto live_redraw = std::chrono::milliseconds(250);

// A live line longer than the terminal would wrap, and "\r" would no longer go back over it.
std::string fit_terminal(std::string line) {
    winsize size{};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 1 && line.size() >= size.ws_col) {
        line.resize(size.ws_col - 1);
    }
    return line;
}

std::optional<double> seconds_left(const ProgressDisplay::Settings& settings, const cluster::SearchProgress& progress,
                                   double elapsed_s) {
    std::optional<double> left;
    if (settings.trials && progress.finished > 0) {
        left = static_cast<double>(std::max<std::int64_t>(*settings.trials - progress.finished, 0)) * elapsed_s /
               static_cast<double>(progress.finished);
    }
    if (settings.wall_time_s) left = std::min(left.value_or(INFINITY), std::max(*settings.wall_time_s - elapsed_s, 0.0));
    return left;
}

// Compact, for the live line: "12.3s", "3m05s", "1h02m".
std::string short_duration(double seconds) {
    if (seconds < 60) return fmt::format("{:.1f}s", seconds);
    const auto whole = static_cast<long long>(seconds);
    if (whole < 3600) return fmt::format("{}m{:02d}s", whole / 60, whole % 60);
    return fmt::format("{}h{:02d}m", whole / 3600, whole / 60 % 60);
}

}  // namespace

ProgressDisplay::ProgressDisplay(Settings settings) : settings_(std::move(settings)), thread_([this] { loop(); }) {}

ProgressDisplay::~ProgressDisplay() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
    if (settings_.live) {
        log::clear_live_line();
    } else if (latest_) {  // where the search ended, for the batch job's log
        log::info("{}", line(Clock::now()));
    }
}

void ProgressDisplay::update(const cluster::SearchProgress& progress) {
    const std::lock_guard lock(mutex_);
    latest_ = progress;
    updated_at_ = Clock::now();
}

void ProgressDisplay::loop() {
    const auto period = settings_.live ? Clock::duration(live_redraw)
                                       : std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(settings_.interval_s));
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
        if (!latest_) continue;
        const std::string text = line(Clock::now());
        lock.unlock();  // the log has its own lock, and update() must not wait for the terminal
        if (settings_.live) {
            log::show_live_line(fit_terminal(text));
        } else {
            log::info("{}", text);
        }
        lock.lock();
    }
}

std::string ProgressDisplay::line(Clock::time_point now) const {
    const cluster::SearchProgress& progress = *latest_;
    const double since_update_s = std::chrono::duration<double>(now - updated_at_).count();
    const double elapsed_s = progress.elapsed_s + since_update_s;
    const double busy_s = progress.busy_group_s + static_cast<double>(progress.running) * since_update_s;
    std::string text = fmt::format("{}{} trials done, {}, {}", progress.finished,
                                   settings_.trials ? fmt::format("/{}", *settings_.trials) : "",
                                   report::running_and_paused(progress.running, progress.paused),
                                   report::failed_and_stopped(progress.failed, progress.stopped));
    if (!progress.front.empty()) {
        text += fmt::format(" | Pareto front: {} trial(s)", progress.front.size());
    } else if (progress.best) {
        text += fmt::format(" | best {} {:.6g} (trial {})", settings_.fom_name, progress.best->result.fom, progress.best->trial.id);
    }
    if (elapsed_s > 0) text += fmt::format(" | utilization {:.0f}%", 100 * busy_s / (progress.groups * elapsed_s));
    if (progress.lost_groups > 0) text += fmt::format(" | {} group(s) lost", progress.lost_groups);
    text += " | " + short_duration(elapsed_s);
    if (const auto left = seconds_left(settings_, progress, elapsed_s); left && *left > 0) {
        text += ", ~" + short_duration(*left) + " left";
    }
    if (const auto& epoch = progress.last_epoch) {
        text += fmt::format(" | trial {} fold {} epoch {}: {:.6g}", epoch->trial, epoch->fold, epoch->epoch, epoch->fom);
    }
    return text;
}

}  // namespace hpopt::cli
