#pragma once
// The search's progress on rank 0: trials done of the budget, running, failed, the best FoM so
// far, the groups' utilization, the time elapsed and an estimate of the time left. On a
// terminal, one live line redrawn a few times a second under the log; otherwise (a batch job's
// output) a log line every `interval_s`.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "hpopt/cluster/coordinator.hpp"

namespace hpopt::cli {

class ProgressDisplay {
public:
    struct Settings {
        std::optional<std::int64_t> trials;  // the budget
        std::optional<double> wall_time_s;
        std::string fom_name;
        bool live = false;  // a terminal
        double interval_s = 30;
    };

    explicit ProgressDisplay(Settings settings);
    ProgressDisplay(const ProgressDisplay&) = delete;
    ProgressDisplay& operator=(const ProgressDisplay&) = delete;
    ~ProgressDisplay();  // clears the live line, or logs the last line

    // From the coordinator, as trials and epochs finish.
    void update(const cluster::SearchProgress& progress);

private:
    using Clock = std::chrono::steady_clock;
    void loop();
    std::string line(Clock::time_point now) const;

    Settings settings_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::optional<cluster::SearchProgress> latest_;
    Clock::time_point updated_at_;
    std::thread thread_;
};

}  // namespace hpopt::cli
