#pragma once
// A trial (one parameter set handed to a group) and its result, as the journal records them.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "hpopt/space/space.hpp"

namespace hpopt::journal {

struct Trial {
    std::int64_t id = 0;
    space::Params params;
    space::Point point;  // the optimizer's point that decodes to params
    std::uint64_t seed = 0;
    int attempt = 0;  // how many earlier runs of it failed (budget.max_retries)
};

// A fold's FoM after one epoch of training, as it happens.
struct EpochReport {
    std::int64_t trial = 0;
    int fold = 0;
    std::int64_t epoch = 0;  // from 1
    double fom = 0;
    Json details;  // the training's figures for the epoch (training loss, staleness...); may be null
};

// stopped: the search judged the trial by an epoch's FoM and stopped it there (early stopping);
// it has that FoM. interrupted: the search stopped the trial before it finished (a signal, the
// wall time); it never reaches the journal as finished, and runs again when the search is
// resumed.
enum class TrialStatus { ok, failed, stopped, interrupted };

std::string to_string(TrialStatus status);
// The status named by to_string; throws std::invalid_argument for any other name.
TrialStatus trial_status_from(const std::string& name);

struct TrialResult {
    std::int64_t id = 0;
    TrialStatus status = TrialStatus::ok;
    double fom = std::numeric_limits<double>::quiet_NaN();  // mean over folds; NaN when failed
    double fom_std = 0;                                      // standard deviation over folds
    std::vector<double> fold_foms;
    std::vector<std::vector<double>> epoch_foms;  // per fold, the FoM after each epoch (trained workloads)
    Json figures = Json::object();  // named figures beside the FoM, as the workload reported them (folds averaged)
    std::string reason;  // why the trial failed, was stopped or was interrupted
    std::int64_t stopped_epoch = 0;  // stopped: the epoch whose FoM it was judged by (and has)
    // A failure that may not happen again: an exception other than workload::TrialFailure, or
    // the timeout (not a NaN/infinite FoM or loss, nor the workload's own verdict).
    bool transient = false;
    double started_s = 0;   // since the run started
    double duration_s = 0;

    bool ok() const { return status == TrialStatus::ok; }
    bool has_fom() const { return status == TrialStatus::ok || status == TrialStatus::stopped; }
};

}  // namespace hpopt::journal
