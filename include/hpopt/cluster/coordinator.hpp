#pragma once
// The coordinator: asks the optimizer for parameters, has trials evaluated, records every
// step in the journal before acting on it, tells the optimizer the results, and stops on
// the budget, the target or the wall time. For now it evaluates trials one after another
// in its own process (one rank, no mpirun).
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "hpopt/journal/journal.hpp"
#include "hpopt/journal/results_files.hpp"
#include "hpopt/optim/optimizer.hpp"
#include "hpopt/spec/spec.hpp"
#include "hpopt/workload/workload.hpp"

namespace hpopt::cluster {

struct BestTrial {
    journal::Trial trial;
    journal::TrialResult result;
};

struct SearchProgress {
    std::int64_t finished = 0;  // failed ones included
    std::int64_t failed = 0;
    double elapsed_s = 0;
    std::optional<BestTrial> best;
};

struct SearchOutcome {
    std::string stop_reason;  // "trial budget reached", "target reached", "wall time reached", ...
    SearchProgress progress;
};

class Coordinator {
public:
    Coordinator(const spec::Spec& spec, optim::Optimizer& optimizer, workload::Workload& workload,
                journal::Journal& journal, journal::ResultsFiles& results);

    // Called after each finished trial.
    void on_progress(std::function<void(const SearchProgress&)> callback) { on_progress_ = std::move(callback); }

    SearchOutcome run(const std::string& version);

private:
    std::optional<std::string> stop_reason() const;
    journal::Trial next_trial(const optim::Point& point);
    void record(const journal::Trial& trial, const journal::TrialResult& result);
    double elapsed_s() const;

    const spec::Spec& spec_;
    optim::Optimizer& optimizer_;
    workload::Workload& workload_;
    journal::Journal& journal_;
    journal::ResultsFiles& results_;
    std::function<void(const SearchProgress&)> on_progress_;

    std::chrono::steady_clock::time_point start_;
    std::int64_t next_id_ = 0;
    SearchProgress progress_;
};

// The journal's summary of a finished search.
Json to_json(const SearchOutcome& outcome);

}  // namespace hpopt::cluster
